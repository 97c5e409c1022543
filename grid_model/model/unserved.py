"""Unserved energy (load shedding) at the zone's value of lost load.

Variable ``zone_unserved_mw[z, t] ∈ [0, demand[z, t]]`` (fixed to 0 when the scenario forbids shedding).
Registries: balance[z, t] += u[z, t];  unserved += Σ_{z,t} w_t·VoLL[z]·u[z, t].
"""

from __future__ import annotations

import pyomo.environ as pyo

from grid_model.model.core import Context


def add(ctx: Context) -> None:
    """Declare unserved energy and its cost."""
    m, ds = ctx.m, ctx.ds
    demand = {z: ds.demand_mw[z].to_numpy(dtype=float) for z in ds.zones}
    allow = ctx.options.allow_unserved

    def bounds(m, z, t):
        return (0.0, float(demand[z][t]) if allow else 0.0)

    m.zone_unserved_mw = pyo.Var(m.ZONES, m.TIMESTEPS, bounds=bounds, doc="Demand not served [MW]")
    voll = ds.tables["zones"]["voll_usd_per_mwh"].to_dict()
    w = ctx.weight_h
    for z in ds.zones:
        for t in ctx.T:
            ctx.balance.add(z, t, m.zone_unserved_mw[z, t])
    ctx.costs.add("unserved", pyo.quicksum(
        float(voll[z] * w[t]) * m.zone_unserved_mw[z, t] for z in ds.zones for t in ctx.T if demand[z][t] > 0))
