"""Storage that outlives a typical period: inter-period state of charge (Kotzur et al. 2018).

With typical periods, each original period d of the year (e.g. each day) is represented by typical period
k(d). A linked unit's level inside a typical period is an *intra-period change* δ[u, t] (starting from 0 at
the period's start) and the level at the start of each original period is ``<prefix>_start_level_mwh[u, d]``:

    L[u, d+1] = (1 − σ)^P·L[u, d] + δ[u, last(k(d))]         (cyclic: d+1 wraps to 0)
    L[u, d] + δmax[u, k(d)] ≤ Ē[u],   L[u, d] + δmin[u, k(d)] ≥ 0
    δmin[u, k] ≤ δ[u, t] ≤ δmax[u, k]     for t in period k

Self-discharge inside a period is applied to δ only (Kotzur's simplification). Over the year the level
returns to where it started, so a reservoir cannot create energy.
"""

from __future__ import annotations

from collections.abc import Callable

import pyomo.environ as pyo

from grid_model.model.context import Context


def add_inter_period_levels(
    ctx: Context,
    prefix: str,
    units: list[str],
    intra_level,
    capacity_mwh: Callable[[str], object],
    decay_per_period: dict[str, float],
) -> None:
    """Declare start-of-period levels and the Kotzur constraints for ``units`` (see module docstring).

    Components are named ``<prefix>_start_*`` / ``<prefix>_intra_*``: distinct from the feature's own
    ``<prefix>_level_*`` constraints (declaring a name twice is an error, ``Context.declare``).
    """
    if not units or ctx.time.period_sequence is None:
        return
    seq = ctx.time.period_sequence
    steps = ctx.time.steps_by_period()
    days = list(range(len(seq)))
    periods = sorted(steps)
    uset = ctx.declare(
        f"{prefix.upper()}_LINKED", pyo.Set(initialize=units, ordered=True, doc=f"{prefix} units linked across periods")
    )
    start = ctx.declare(
        f"{prefix}_start_level_mwh",
        pyo.Var(uset, days, bounds=(0.0, None), doc="Level at the start of each original period [MWh]"),
    )
    dmax = ctx.declare(
        f"{prefix}_intra_max_mwh",
        pyo.Var(uset, periods, doc="Highest intra-period change in each typical period [MWh]"),
    )
    dmin = ctx.declare(
        f"{prefix}_intra_min_mwh", pyo.Var(uset, periods, doc="Lowest intra-period change in each typical period [MWh]")
    )
    flat = [(u, k, t) for u in units for k in periods for t in steps[k]]
    ctx.declare(
        f"{prefix}_intra_upper",
        pyo.Constraint(flat, rule=lambda m, u, k, t: intra_level[u, t] <= dmax[u, k], doc="δ[t] ≤ δmax[k] [MWh]"),
    )
    ctx.declare(
        f"{prefix}_intra_lower",
        pyo.Constraint(flat, rule=lambda m, u, k, t: intra_level[u, t] >= dmin[u, k], doc="δ[t] ≥ δmin[k] [MWh]"),
    )
    nxt = ctx.time.next_original_period()  # cyclic within each hydrology's year

    def chain(m, u, d):
        k = int(seq[d])
        return start[u, int(nxt[d])] == decay_per_period[u] * start[u, d] + intra_level[u, steps[k][-1]]

    ctx.declare(
        f"{prefix}_start_level_chain",
        pyo.Constraint(uset, days, rule=chain, doc="L[d+1] = (1−σ)^P L[d] + δ[end of k(d)] [MWh]"),
    )
    ctx.declare(
        f"{prefix}_start_level_max",
        pyo.Constraint(
            uset,
            days,
            rule=lambda m, u, d: start[u, d] + dmax[u, int(seq[d])] <= capacity_mwh(u),
            doc="L[d] + δmax[k(d)] ≤ Ē [MWh]",
        ),
    )
    ctx.declare(
        f"{prefix}_start_level_min",
        pyo.Constraint(
            uset, days, rule=lambda m, u, d: start[u, d] + dmin[u, int(seq[d])] >= 0, doc="L[d] + δmin[k(d)] ≥ 0 [MWh]"
        ),
    )
