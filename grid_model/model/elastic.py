"""Elastic mode, used only to explain an infeasible scenario: penalised slacks on the zone balance.

When ``options.elastic`` is on, every zone balance gets a shortfall and a surplus slack (MW), and the policy
constraints get their own slacks (see ``policy``). Each slack costs ``ELASTIC_PENALTY_USD_PER_UNIT`` per unit
(per MWh for the balance, weighted by w_t), far above any real cost, so the solve finds the *least violation*
and the non-zero slacks say which constraint family, zones and timesteps cannot hold.

    balance[z, t] += short[z, t] − surplus[z, t]
    infeasibility_penalty += Σ_{z,t} w_t·M·(short + surplus)
"""

from __future__ import annotations

import pyomo.environ as pyo

from grid_model.model.context import Context, FeatureReport, Readout

ELASTIC_PENALTY_USD_PER_UNIT = 1e7


def add(ctx: Context) -> None:
    """Declare the balance slacks (only in elastic mode)."""
    if not ctx.options.elastic:
        return
    m, ds = ctx.m, ctx.ds
    ctx.declare(
        "elastic_short_mw", pyo.Var(m.ZONES, m.TIMESTEPS, bounds=(0.0, None), doc="Balance shortfall slack [MW]")
    )
    ctx.declare(
        "elastic_surplus_mw", pyo.Var(m.ZONES, m.TIMESTEPS, bounds=(0.0, None), doc="Balance surplus slack [MW]")
    )
    w = ctx.weight_h
    for z in ds.zones:
        for t in ctx.T:
            ctx.balance.add(z, t, m.elastic_short_mw[z, t] - m.elastic_surplus_mw[z, t])
    ctx.costs.add(
        "infeasibility_penalty",
        pyo.quicksum(
            float(w[t] * ELASTIC_PENALTY_USD_PER_UNIT) * (m.elastic_short_mw[z, t] + m.elastic_surplus_mw[z, t])
            for z in ds.zones
            for t in ctx.T
        ),
    )


def report(ctx: Context, readout: Readout) -> FeatureReport:
    """Nothing: the slacks are read by the diagnosis (grid_model.diagnose), not reported."""
    return FeatureReport()
