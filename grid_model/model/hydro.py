"""Hydro with inflows: reservoirs (energy_mwh > 0) and run-of-river (energy_mwh = 0).

Variables: ``hydro_release_mw[h,t] ∈ [r_min, P[h]]``, ``hydro_spill_mw[h,t] ≥ 0``; for reservoirs
``hydro_level_mwh[h,t] ∈ [0, E[h]]``. With Δ_t the step's duration and t−1 the previous step of the
same period (cyclic: the year ends where it started, so reservoirs cannot create energy; with typical
periods, reservoirs are linked across the year instead, see ``periods``):

    level[h,t] = level[h,t−1] + Δ_t·(inflow[h,t] − release[h,t] − spill[h,t])     hydro_level_balance
    release[h,t] ≤ min(P[h], inflow[h,t])          (run-of-river: a column bound; the rest spills)

Energy is in MWh of electricity (inflows are given in MW of potential output). Registries:
balance[z(h), t] += release; variable_om += Σ_t w_t·vom·release; renewable generation += Σ_t w_t·release;
tie_break += Σ_t w_t·ε·rung[hydro]·release (water is the last zero-cost energy to give way: options.TIE_BREAK_RUNGS).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.dataset import Dataset
from grid_model.model import periods
from grid_model.model.context import Context, FeatureReport, Readout
from grid_model.model.tables import capacity_rows, generation_rows, technology_of, unit_rows
from grid_model.options import ModelOptions
from grid_model.pyomo_speed import linear_terms, var_rows

NAME = "hydro"


def hydro_params(ds: Dataset, options: ModelOptions) -> pd.DataFrame:
    """One row per hydro plant with the numbers the model uses."""
    hy = ds.tables["hydro"]
    techs = ds.tables["technologies"]
    out = pd.DataFrame(index=hy.index)
    if hy.empty:
        return out.assign(
            zone=[],
            technology=[],
            category=[],
            p_nom_mw=[],
            energy_mwh=[],
            renewable=[],
            non_conventional=[],
            tie_break_usd_per_mwh=[],
        )
    t = technology_of(hy, techs)
    out["zone"] = hy["zone"]
    out["technology"] = hy["technology"]
    out["category"] = t["category"]
    out["renewable"] = t["renewable"].astype(bool)
    out["non_conventional"] = t["non_conventional"].astype(bool)
    out["p_nom_mw"] = hy["p_nom_mw"]
    out["energy_mwh"] = hy["energy_mwh"]
    out["inflow"] = hy["inflow"]
    out["min_release_pu"] = hy["min_release_pu"]
    out["vom_usd_per_mwh"] = t["vom_usd_per_mwh"]
    out["tie_break_usd_per_mwh"] = options.tie_break_for(out["category"])
    return out


def add(ctx: Context) -> None:
    """Declare hydro release, spill and levels; append release to the balance."""
    m, ds = ctx.m, ctx.ds
    params = ctx.params[NAME] = hydro_params(ds, ctx.options)
    plants = list(params.index)
    ctx.declare("HYDRO", pyo.Set(initialize=plants, ordered=True, doc="Hydro plants"))
    if not plants:
        return
    inflow = {h: ds.inflow_mw[params.at[h, "inflow"]].to_numpy(dtype=float) for h in plants}
    cap = params["p_nom_mw"].to_dict()
    rmin = params["min_release_pu"].to_dict()
    energy = params["energy_mwh"].to_dict()
    reservoirs = [h for h in plants if energy[h] > 0]
    ctx.declare("HYDRO_RESERVOIR", pyo.Set(initialize=reservoirs, ordered=True, doc="Reservoir hydro"))
    ctx.declare(
        "HYDRO_ROR", pyo.Set(initialize=[h for h in plants if energy[h] <= 0], ordered=True, doc="Run-of-river")
    )

    def release_bounds(m, h, t):
        ub = cap[h] if energy[h] > 0 else min(cap[h], float(inflow[h][t]))
        return (min(rmin[h] * cap[h], ub, float(inflow[h][t])) if rmin[h] > 0 else 0.0, ub)

    ctx.declare("hydro_release_mw", pyo.Var(m.HYDRO, m.TIMESTEPS, bounds=release_bounds, doc="Turbined output [MW]"))
    ctx.declare(
        "hydro_spill_mw", pyo.Var(m.HYDRO_RESERVOIR, m.TIMESTEPS, bounds=(0.0, None), doc="Spilled inflow [MW]")
    )
    link = ctx.time.linked
    # With typical periods the level variable is the change since the period's start (may be negative).
    ctx.declare(
        "hydro_level_mwh",
        pyo.Var(
            m.HYDRO_RESERVOIR,
            m.TIMESTEPS,
            bounds=lambda m, h, t: (-energy[h] if link else 0.0, energy[h]),
            doc="Reservoir level, end of step [MWh] (change since period start if linked)",
        ),
    )
    _add_level_balance(ctx, inflow, link)
    if link:
        periods.add_inter_period_levels(
            ctx, "hydro", reservoirs, m.hydro_level_mwh, lambda h: energy[h], dict.fromkeys(reservoirs, 1.0)
        )
    _add_energy(ctx, params)


def _add_energy(ctx: Context, params: pd.DataFrame) -> None:
    """hydro_energy_mwh; balance += release; variable_om and tie_break on every MWh; publish generation."""
    m = ctx.m
    plants = list(params.index)
    w = [float(x) for x in ctx.weight_h]
    release = dict(zip(plants, var_rows(m.hydro_release_mw, plants, len(w)), strict=True))
    ctx.declare(
        "hydro_energy_mwh",
        pyo.Expression(
            m.HYDRO,
            rule=lambda m, h: linear_terms(zip(w, release[h], strict=True)),
            doc="Annual hydro generation [MWh/yr]",
        ),
    )
    vom = params["vom_usd_per_mwh"].to_dict()
    for h in plants:
        ctx.balance.add_series(params.at[h, "zone"], release[h])
        ctx.generation_mwh["all"].append(m.hydro_energy_mwh[h])
        if params.at[h, "renewable"]:
            ctx.generation_mwh["renewable"].append(m.hydro_energy_mwh[h])
    for category, per_mwh in (("variable_om", vom), ("tie_break", params["tie_break_usd_per_mwh"].to_dict())):
        if any(per_mwh[h] > 0 for h in plants):
            ctx.costs.add(
                category, pyo.quicksum(float(per_mwh[h]) * m.hydro_energy_mwh[h] for h in plants if per_mwh[h] > 0)
            )


def _add_level_balance(ctx: Context, inflow: dict[str, np.ndarray], link: bool) -> None:
    """hydro_level_balance: level[t] = level[t−1] + Δ·(inflow − release − spill); 0 at a linked period's start."""
    m = ctx.m
    dur = ctx.duration_h
    prev = ctx.time.previous()
    starts = ctx.time.chain_starts() if link else np.zeros(len(dur), dtype=bool)

    reservoirs, n = list(m.HYDRO_RESERVOIR), len(dur)
    level = dict(zip(reservoirs, var_rows(m.hydro_level_mwh, reservoirs, n), strict=True))
    spill = dict(zip(reservoirs, var_rows(m.hydro_spill_mw, reservoirs, n), strict=True))
    prev_t = [int(p) for p in prev]

    def rule(m, h, t):
        before = 0.0 if starts[t] else level[h][prev_t[t]]
        return level[h][t] == before + float(dur[t]) * (float(inflow[h][t]) - m.hydro_release_mw[h, t] - spill[h][t])

    ctx.declare(
        "hydro_level_balance",
        pyo.Constraint(
            m.HYDRO_RESERVOIR, m.TIMESTEPS, rule=rule, doc="level[t] = level[t−1] + Δ(inflow − release − spill) [MWh]"
        ),
    )


def report(ctx: Context, readout: Readout) -> FeatureReport:
    """Generation and capacity per plant; hourly release (in the dispatch), reservoir levels, spill and inflow."""
    params = ctx.params[NAME]
    plants = list(params.index)
    reservoirs = [h for h in plants if params.at[h, "energy_mwh"] > 0]
    release = readout.hourly("hydro_release_mw", plants)
    level = readout.hourly("hydro_level_mwh", reservoirs)
    spill = readout.hourly("hydro_spill_mw", reservoirs)
    inflow = {h: ctx.ds.inflow_mw[params.at[h, "inflow"]].to_numpy(dtype=float) for h in plants}
    return FeatureReport(
        tables={
            "generation_units": generation_rows(params, release @ ctx.weight_h if plants else np.zeros(0)),
            "capacity": capacity_rows(params, {}),
            "units": unit_rows(params, "hydro"),
        },
        hourly={
            "dispatch_mw": {h: release[i] for i, h in enumerate(plants)},
            "storage_level_mwh": {h: level[i] for i, h in enumerate(reservoirs)},
            "hydro_spill_mw": {h: spill[i] for i, h in enumerate(reservoirs)},
            "hydro_inflow_mw": inflow,
        },
        step_totals={
            "generation_mw": release.sum(axis=0),
            "renewable_mw": release[params["renewable"].to_numpy(dtype=bool)].sum(axis=0),
        }
        if plants
        else {},
    )
