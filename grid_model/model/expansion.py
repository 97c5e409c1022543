"""New capacity, written once for generators, storage and links (the pattern PyPSA writes once for every
extendable component).

For the expandable assets k of a feature (``params.expandable``; P̄ > P0), with P_min the committed floor:

    x[k] ∈ [max(P_min[k], P0[k]) − P0[k],  P̄[k] − P0[k]]                  ``<prefix>_new_cap_mw``
    v[k,t] ≤ c[k,t]·(P0[k] + x[k])   (or ≥, a floor)                       one row per limit, expandable k only
    v[k,t] ≤ c[k,t]·P0[k]                                                  a column bound for every other k

Costs: ``<capex category>`` += Σ_k annuity[k]·x[k];  ``fixed_om`` += Σ_k fom[k]·x[k]  (USD/yr; the parameter
columns ``capex_annual_usd_per_mw`` and ``fom_usd_per_mw_yr``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.model.context import Context

EXPANDABLE_TOL_MW = 1e-9  # a ceiling above the existing capacity by more than this makes an asset expandable


def is_expandable(p_nom_mw: pd.Series, p_nom_max_mw: pd.Series) -> pd.Series:
    """True where the ceiling is above the existing capacity."""
    return p_nom_max_mw > p_nom_mw + EXPANDABLE_TOL_MW


def fixed_upper(params: pd.DataFrame, per_unit: np.ndarray | float = 1.0) -> np.ndarray:
    """Column upper bounds of an hourly variable (assets × 1, or assets × steps with a per-unit matrix):
    ``per_unit``·P0 for assets that cannot expand, +inf for expandable ones (their limit is a row)."""
    p0 = params["p_nom_mw"].to_numpy(dtype=float)[:, None]
    expandable = params["expandable"].to_numpy(dtype=bool)[:, None]
    return np.where(expandable, np.inf, np.asarray(per_unit, dtype=float) * p0)


def declare_new_capacity(ctx: Context, prefix: str, params: pd.DataFrame, capex_category: str, doc: str) -> pyo.Var:
    """Declare ``<PREFIX>_EXPANDABLE`` and ``<prefix>_new_cap_mw`` over it, and append its annuity and fixed O&M
    to the cost registry. Returns the Var (empty when nothing is expandable)."""
    ext = [k for k in params.index if params.at[k, "expandable"]]
    keys = ctx.declare(f"{prefix.upper()}_EXPANDABLE", pyo.Set(initialize=ext, ordered=True, doc=f"{doc}: expandable"))
    p0 = params["p_nom_mw"].to_dict()
    pmax = params["p_nom_max_mw"].to_dict()
    pmin = params["p_nom_min_mw"].to_dict() if "p_nom_min_mw" in params.columns else p0
    new = ctx.declare(
        f"{prefix}_new_cap_mw",
        pyo.Var(
            keys, bounds=lambda m, k: (min(pmin[k], pmax[k]) - p0[k], pmax[k] - p0[k]), doc=f"New {doc.lower()} [MW]"
        ),
    )
    ctx.new_capacity_vars.append(new.name)
    if "lifetime_yr" in params.columns:  # what a pathway needs to retire what is built (grid_model.pathway)
        ctx.lifetimes_yr[new.name] = {k: float(params.at[k, "lifetime_yr"]) for k in ext}
    if ext:
        capex = params["capex_annual_usd_per_mw"].to_dict()
        fom = params["fom_usd_per_mw_yr"].to_dict()
        ctx.costs.add(capex_category, pyo.quicksum(float(capex[k]) * new[k] for k in ext))
        ctx.costs.add("fixed_om", pyo.quicksum(float(fom[k]) * new[k] for k in ext))
    return new


def add_capacity_limit(
    ctx: Context,
    name: str,
    hourly: pyo.Var,
    new: pyo.Var,
    p0: dict,
    doc: str,
    *,
    keys: Sequence | None = None,
    per_unit: Callable[[object, int], float] | None = None,
    floor: bool = False,
) -> None:
    """``hourly[k,t] ≤ c[k,t]·(P0[k] + new[k])`` (``≥`` with ``floor``) for k in ``keys`` (default: every
    expandable asset) and every step; c = ``per_unit(k, t)``, or 1. Declares nothing when ``keys`` is empty."""
    keys = list(new.index_set()) if keys is None else list(keys)
    if not keys:
        return

    def rule(m, k, t):
        cap = p0[k] + new[k]
        limit = cap if per_unit is None else per_unit(k, t) * cap
        return hourly[k, t] >= limit if floor else hourly[k, t] <= limit

    ctx.declare(name, pyo.Constraint(keys, ctx.m.TIMESTEPS, rule=rule, doc=doc))
