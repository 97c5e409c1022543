"""Interconnectors: lossy bidirectional transport with optional new capacity.

Variables per link l and timestep t: ``link_flow_fwd_mw`` (zone_from → zone_to) and ``link_flow_bwd_mw``
(zone_to → zone_from), both ≥ 0; ``link_new_cap_mw[l] ∈ [F_min − F0, F̄ − F0]`` for expandable links (F_min > F0: a committed project).

    f⁺[l,t], f⁻[l,t] ≤ F0[l] + y[l]                  link_flow_fwd_max, link_flow_bwd_max (column bounds if fixed)

Losses: the receiving end gets (1 − λ_l)·f. Unless given in links.csv, λ_l = 6.75 %/1000 km for AC and
3.5 %/1000 km + 1.3 % converter losses for DC (OSeMOSYS Global defaults, see data/README.md).

Registries: balance[from, t] += −f⁺ + (1 − λ)·f⁻;  balance[to, t] += (1 − λ)·f⁺ − f⁻.
Costs: capex_transmission += capex·CRF·y;  fixed_om += fom%·capex·y.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.dataset import Dataset
from grid_model.model.core import Context, ModelOptions, annuity_factor
from grid_model.pyomo_speed import hourly_var, var_rows

AC_LOSS_PU_PER_1000KM = 0.0675
DC_LOSS_PU_PER_1000KM = 0.035
DC_CONVERTER_LOSS_PU = 0.013


def default_loss_pu(kind: str, length_km: float) -> float:
    """Loss share of the sent power from route length and kind."""
    if kind == "DC":
        return DC_LOSS_PU_PER_1000KM * length_km / 1000.0 + DC_CONVERTER_LOSS_PU
    return AC_LOSS_PU_PER_1000KM * length_km / 1000.0


def link_params(ds: Dataset, options: ModelOptions) -> pd.DataFrame:
    """One row per link with the numbers the model uses."""
    links = ds.tables["links"]
    out = pd.DataFrame(index=links.index)
    if links.empty:
        return out.assign(zone_from=[], zone_to=[], p_nom_mw=[], p_nom_max_mw=[], loss_pu=[], expandable=[])
    out["zone_from"] = links["zone_from"]
    out["zone_to"] = links["zone_to"]
    out["kind"] = links["kind"]
    out["status"] = links["status"]
    out["length_km"] = links["length_km"]
    out["p_nom_mw"] = links["p_nom_mw"]
    out["p_nom_max_mw"] = links["p_nom_max_mw"].fillna(links["p_nom_mw"] + links["project_mw"])
    out["p_nom_min_mw"] = links["p_nom_min_mw"].fillna(links["p_nom_mw"]).clip(lower=links["p_nom_mw"])
    out["expandable"] = out["p_nom_max_mw"] > out["p_nom_mw"] + 1e-9
    computed = [default_loss_pu(k, km) for k, km in zip(links["kind"], links["length_km"], strict=True)]
    out["loss_pu"] = links["loss_pu"].fillna(pd.Series(computed, index=links.index))
    crf = np.array([annuity_factor(options.discount_rate, n) for n in links["lifetime_yr"]])
    out["capex_usd_per_mw"] = links["capex_usd_per_mw"]
    out["capex_annual_usd_per_mw"] = links["capex_usd_per_mw"] * crf
    out["fom_usd_per_mw_yr"] = links["capex_usd_per_mw"] * links["fom_pct_per_yr"] / 100.0
    return out


def add(ctx: Context) -> None:
    """Declare link flows and expansion; append sent and received power to the balance."""
    m = ctx.m
    params = link_params(ctx.ds, ctx.options)
    ctx.m._link_params = params
    links = list(params.index)
    m.LINKS = pyo.Set(initialize=links, ordered=True, doc="Interconnectors")
    if not links:
        return
    ext = [lk for lk in links if params.at[lk, "expandable"]]
    m.LINK_EXPANDABLE = pyo.Set(initialize=ext, ordered=True, doc="Links that may be built or reinforced")
    f0 = params["p_nom_mw"].to_dict()
    fmax = params["p_nom_max_mw"].to_dict()
    fmin = params["p_nom_min_mw"].to_dict()
    ext_set = set(ext)

    # existing links: flows in [0, F0] as column bounds; expandable links are capped by rows below
    flow_hi = np.array([np.inf if lk in ext_set else f0[lk] for lk in links], dtype=float)[:, None]
    hourly_var(m, "link_flow_fwd_mw", m.LINKS, 0.0, flow_hi, "Flow zone_from → zone_to, sent [MW]")
    hourly_var(m, "link_flow_bwd_mw", m.LINKS, 0.0, flow_hi, "Flow zone_to → zone_from, sent [MW]")
    m.link_new_cap_mw = pyo.Var(
        m.LINK_EXPANDABLE,
        bounds=lambda m, lk: (min(fmin[lk], fmax[lk]) - f0[lk], fmax[lk] - f0[lk]),
        doc="New transfer capacity [MW]",
    )
    if ext:
        m.link_flow_fwd_max = pyo.Constraint(
            m.LINK_EXPANDABLE,
            m.TIMESTEPS,
            rule=lambda m, lk, t: m.link_flow_fwd_mw[lk, t] <= f0[lk] + m.link_new_cap_mw[lk],
            doc="f⁺ ≤ F0 + y [MW]",
        )
        m.link_flow_bwd_max = pyo.Constraint(
            m.LINK_EXPANDABLE,
            m.TIMESTEPS,
            rule=lambda m, lk, t: m.link_flow_bwd_mw[lk, t] <= f0[lk] + m.link_new_cap_mw[lk],
            doc="f⁻ ≤ F0 + y [MW]",
        )
        capex = params["capex_annual_usd_per_mw"].to_dict()
        fom = params["fom_usd_per_mw_yr"].to_dict()
        ctx.costs.add("capex_transmission", pyo.quicksum(float(capex[lk]) * m.link_new_cap_mw[lk] for lk in ext))
        ctx.costs.add("fixed_om", pyo.quicksum(float(fom[lk]) * m.link_new_cap_mw[lk] for lk in ext))
    n = len(ctx.T)
    for lk, fwd_row, bwd_row in zip(
        links, var_rows(m.link_flow_fwd_mw, links, n), var_rows(m.link_flow_bwd_mw, links, n), strict=True
    ):
        keep = 1.0 - float(params.at[lk, "loss_pu"])
        # one term per series (not keep·f⁻ − f⁺): the balance is then one flat sum (core.linear_sum)
        for zone, sent, received in (
            (params.at[lk, "zone_from"], fwd_row, bwd_row),
            (params.at[lk, "zone_to"], bwd_row, fwd_row),
        ):
            ctx.balance.add_series(zone, [-f for f in sent])
            ctx.balance.add_series(zone, [keep * f for f in received])
