"""Storage that outlives a typical period: inter-period state of charge (Kotzur et al. 2018).

With typical periods, each original period d of the year (e.g. each day) is represented by typical period
k(d). A linked unit's level inside a typical period is an *intra-period change* δ[u, t] (starting from 0 at
the period's start) and the level at the start of each original period is ``<prefix>_level_start_mwh[u, d]``:

    L[u, d+1] = (1 − σ)^P·L[u, d] + δ[u, last(k(d))]         (cyclic: d+1 wraps to 0)
    L[u, d] + δmax[u, k(d)] ≤ Ē[u],   L[u, d] + δmin[u, k(d)] ≥ 0
    δmin[u, k] ≤ δ[u, t] ≤ δmax[u, k]     for t in period k

Self-discharge inside a period is applied to δ only (Kotzur's simplification). Over the year the level
returns to where it started, so a reservoir cannot create energy.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyomo.environ as pyo

from grid_model.model.core import Context


def linked(ctx: Context) -> bool:
    """True when the time steps are typical periods with a known sequence over the year."""
    return ctx.ds.meta.get("period_sequence") is not None


def period_steps(ctx: Context) -> dict[int, list[int]]:
    """Timesteps of each typical period, in order."""
    period = ctx.ds.timesteps["period"].to_numpy(dtype=int)
    out: dict[int, list[int]] = {}
    for t, k in enumerate(period):
        out.setdefault(int(k), []).append(t)
    return out


def period_starts(ctx: Context) -> np.ndarray:
    """Boolean mask of the first step of each period (all False without periods)."""
    ts = ctx.ds.timesteps
    if "period" not in ts.columns:
        return np.zeros(len(ts), dtype=bool)
    p = ts["period"].to_numpy()
    return np.r_[True, p[1:] != p[:-1]]


def add_inter_period_levels(
    ctx: Context,
    prefix: str,
    units: list[str],
    intra_level,
    capacity_mwh: Callable[[str], object],
    decay_per_period: dict[str, float],
) -> None:
    """Declare start-of-period levels and the Kotzur constraints for ``units`` (see module docstring)."""
    if not units:
        return
    m = ctx.m
    seq = np.asarray(ctx.ds.meta["period_sequence"], dtype=int)
    steps = period_steps(ctx)
    days = range(len(seq))
    periods = sorted(steps)
    setattr(
        m,
        f"{prefix.upper()}_LINKED",
        pyo.Set(initialize=units, ordered=True, doc=f"{prefix} units linked across periods"),
    )
    uset = getattr(m, f"{prefix.upper()}_LINKED")
    start = pyo.Var(uset, list(days), bounds=(0.0, None), doc="Level at the start of each original period [MWh]")
    dmax = pyo.Var(uset, periods, doc="Highest intra-period change in each typical period [MWh]")
    dmin = pyo.Var(uset, periods, doc="Lowest intra-period change in each typical period [MWh]")
    setattr(m, f"{prefix}_level_start_mwh", start)
    setattr(m, f"{prefix}_intra_max_mwh", dmax)
    setattr(m, f"{prefix}_intra_min_mwh", dmin)
    flat = [(u, k, t) for u in units for k in periods for t in steps[k]]
    setattr(
        m,
        f"{prefix}_intra_upper",
        pyo.Constraint(flat, rule=lambda m, u, k, t: intra_level[u, t] <= dmax[u, k], doc="δ[t] ≤ δmax[k] [MWh]"),
    )
    setattr(
        m,
        f"{prefix}_intra_lower",
        pyo.Constraint(flat, rule=lambda m, u, k, t: intra_level[u, t] >= dmin[u, k], doc="δ[t] ≥ δmin[k] [MWh]"),
    )
    n = len(seq)

    def chain(m, u, d):
        k = int(seq[d])
        return start[u, (d + 1) % n] == decay_per_period[u] * start[u, d] + intra_level[u, steps[k][-1]]

    setattr(
        m,
        f"{prefix}_level_chain",
        pyo.Constraint(uset, list(days), rule=chain, doc="L[d+1] = (1−σ)^P L[d] + δ[end of k(d)] [MWh]"),
    )
    setattr(
        m,
        f"{prefix}_level_max",
        pyo.Constraint(
            uset,
            list(days),
            rule=lambda m, u, d: start[u, d] + dmax[u, int(seq[d])] <= capacity_mwh(u),
            doc="L[d] + δmax[k(d)] ≤ Ē [MWh]",
        ),
    )
    setattr(
        m,
        f"{prefix}_level_min",
        pyo.Constraint(
            uset,
            list(days),
            rule=lambda m, u, d: start[u, d] + dmin[u, int(seq[d])] >= 0,
            doc="L[d] + δmin[k(d)] ≥ 0 [MWh]",
        ),
    )
