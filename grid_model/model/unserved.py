"""Unserved energy (load shedding) at the zone's value of lost load.

Variable ``zone_unserved_mw[z, t] ∈ [0, demand[z, t]]`` (fixed to 0 when the scenario forbids shedding).
Registries: balance[z, t] += u[z, t];  unserved += Σ_{z,t} w_t·VoLL[z]·u[z, t].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grid_model.model.context import Context, FeatureReport, Readout
from grid_model.pyomo_speed import hourly_var, linear_terms, var_rows
from grid_model.units import MWH_PER_TWH


def add(ctx: Context) -> None:
    """Declare unserved energy and its cost."""
    m, ds = ctx.m, ctx.ds
    demand = {z: ds.demand_mw[z].to_numpy(dtype=float) for z in ds.zones}
    allow = ctx.options.allow_unserved

    upper = np.array([demand[z] for z in ds.zones]) if allow else 0.0
    hourly_var(m, "zone_unserved_mw", m.ZONES, 0.0, upper, "Demand not served [MW]")
    voll = ds.tables["zones"]["voll_usd_per_mwh"].to_dict()
    w = ctx.weight_h
    zones = list(ds.zones)
    rows = var_rows(m.zone_unserved_mw, zones, len(w))
    for z, row in zip(zones, rows, strict=True):
        ctx.balance.add_series(z, row)
    ctx.costs.add(
        "unserved",
        linear_terms(
            (voll[z] * w[t], u)
            for z, row in zip(zones, rows, strict=True)
            for t, u in enumerate(row)
            if demand[z][t] > 0
        ),
    )


def report(ctx: Context, readout: Readout) -> FeatureReport:
    """Unserved energy per zone [TWh/yr]; hourly ``unserved:<zone>`` columns in the dispatch."""
    zones = list(ctx.ds.zones)
    unserved = readout.hourly("zone_unserved_mw", zones)
    return FeatureReport(
        tables={"zone_energy": pd.DataFrame({"zone": zones, "unserved_twh": unserved @ ctx.weight_h / MWH_PER_TWH})},
        hourly={"dispatch_mw": {f"unserved:{z}": unserved[i] for i, z in enumerate(zones)}},
        step_totals={"unserved_mw": unserved.sum(axis=0)},
    )
