"""Storage (batteries, pumped hydro): charge, discharge and state of charge with a fixed energy/power ratio.

Variables per storage s and timestep t: ``sto_charge_mw``, ``sto_discharge_mw``, ``sto_level_mwh`` (≥ 0);
``sto_new_cap_mw[s] ∈ [0, P̄ − P0]`` for expandable s. With Δ_t the step's duration (h), σ the standing
loss per hour and t−1 the previous step of the same period (cyclic):

    e[s,t] = (1 − σ)^Δ_t · e[s,t−1] + Δ_t·(η_c·c[s,t] − d[s,t]/η_d)     sto_level_balance
    c[s,t], d[s,t] ≤ P0[s] + x[s];   e[s,t] ≤ h[s]·(P0[s] + x[s])        sto_charge_max, sto_discharge_max, sto_level_max

With typical periods, storage whose energy lasts at least one period (max_hours ≥ period length) is linked
across the year (see ``periods``); shorter storage cycles within each typical period.

Registries: balance[z(s), t] += d − c. Costs: capex_storage += (capex_kW + h·capex_kWh)·1000·CRF(r, n)·x;
fixed_om += fom·1000·x; variable_om += Σ_t w_t·vom·d — capex_kW, fom and the lifetime n from storage.csv where
given, else from the unit's technology.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.dataset import Dataset
from grid_model.model import periods
from grid_model.model.context import Context, FeatureReport, Readout
from grid_model.model.expansion import (
    add_capacity_limit,
    declare_new_capacity,
    fixed_upper,
    is_expandable,
)
from grid_model.model.tables import capacity_rows, technology_of, unit_rows
from grid_model.options import ModelOptions, annuity_factor
from grid_model.pyomo_speed import hourly_var, linear_terms, var_rows
from grid_model.units import KW_PER_MW

NAME = "storage"


def storage_params(ds: Dataset, options: ModelOptions) -> pd.DataFrame:
    """One row per storage unit with the numbers the model uses."""
    st = ds.tables["storage"]
    techs = ds.tables["technologies"]
    out = pd.DataFrame(index=st.index)
    if st.empty:
        return out.assign(zone=[], technology=[], category=[], p_nom_mw=[], p_nom_max_mw=[], expandable=[])
    t = technology_of(st, techs)
    out["zone"] = st["zone"]
    out["technology"] = st["technology"]
    out["category"] = t["category"]
    out["p_nom_mw"] = st["p_nom_mw"]
    out["p_nom_max_mw"] = st["p_nom_max_mw"].fillna(st["p_nom_mw"])
    out["expandable"] = is_expandable(out["p_nom_mw"], out["p_nom_max_mw"])
    out["max_hours"] = st["max_hours"]
    out["eta_charge"] = st["efficiency_charge_pu"]
    out["eta_discharge"] = st["efficiency_discharge_pu"]
    out["standing_loss_pu_per_h"] = st["standing_loss_pu_per_h"]
    lifetime = st["lifetime_yr"].fillna(t["lifetime_yr"])
    crf = [annuity_factor(options.discount_rate, n) for n in lifetime]
    capex_per_kw = st["capex_usd_per_kw"].fillna(t["capex_usd_per_kw"]) + st["capex_usd_per_kwh"] * st["max_hours"]
    out["capex_usd_per_kw"] = capex_per_kw
    out["capex_annual_usd_per_mw"] = capex_per_kw * KW_PER_MW * crf
    out["fom_usd_per_mw_yr"] = st["fom_usd_per_kw_yr"].fillna(t["fom_usd_per_kw_yr"]) * KW_PER_MW
    out["vom_usd_per_mwh"] = t["vom_usd_per_mwh"]
    out["lifetime_yr"] = lifetime
    return out


def long_units(ctx: Context, params: pd.DataFrame) -> list[str]:
    """Units whose energy lasts at least one typical period: linked across the year (``periods``)."""
    if not ctx.time.linked:
        return []
    return [s for s in params.index if params.at[s, "max_hours"] >= ctx.time.period_h]


def add(ctx: Context) -> None:
    """Declare storage variables and constraints; append discharge − charge to the balance."""
    m = ctx.m
    params = ctx.params[NAME] = storage_params(ctx.ds, ctx.options)
    units = list(params.index)
    ctx.declare("STORAGE", pyo.Set(initialize=units, ordered=True, doc="Storage units"))
    if not units:
        return
    long = long_units(ctx, params)
    long_set = set(long)
    is_long = np.array([s in long_set for s in units])
    # existing units: powers in [0, P0], level in [0, h·P0] (or [−h·P0, h·P0] as a change since the period start
    # when linked); expandable units are capped by rows
    power_hi = fixed_upper(params)
    level_hi = fixed_upper(params, params["max_hours"].to_numpy(dtype=float)[:, None])
    level_lo = np.where(is_long[:, None], -level_hi, 0.0)
    hourly_var(m, "sto_charge_mw", m.STORAGE, 0.0, power_hi, "Charging power [MW]")
    hourly_var(m, "sto_discharge_mw", m.STORAGE, 0.0, power_hi, "Discharging power [MW]")
    hourly_var(m, "sto_level_mwh", m.STORAGE, level_lo, level_hi, "State of charge, end of step [MWh]")
    new = declare_new_capacity(ctx, "sto", params, "capex_storage", "Storage power")
    _add_level_balance(ctx, params, long_set)
    p0 = params["p_nom_mw"].to_dict()
    hours = params["max_hours"].to_dict()
    add_capacity_limit(ctx, "sto_charge_max", m.sto_charge_mw, new, p0, "c ≤ P0 + x [MW]")
    add_capacity_limit(ctx, "sto_discharge_max", m.sto_discharge_mw, new, p0, "d ≤ P0 + x [MW]")
    add_capacity_limit(  # long units are capped through their inter-period levels
        ctx,
        "sto_level_max",
        m.sto_level_mwh,
        new,
        p0,
        "e ≤ h·(P0 + x) [MWh]",
        keys=[s for s in new.index_set() if s not in long_set],
        per_unit=lambda s, _t: hours[s],
    )
    if long:
        sigma = params["standing_loss_pu_per_h"].to_dict()
        ext = set(new.index_set())
        periods.add_inter_period_levels(
            ctx,
            "sto",
            long,
            m.sto_level_mwh,
            lambda s: hours[s] * (p0[s] + new[s]) if s in ext else hours[s] * p0[s],
            {s: (1.0 - sigma[s]) ** ctx.time.period_h for s in long},
        )
    n = len(ctx.T)
    for s, d_row, c_row in zip(
        units, var_rows(m.sto_discharge_mw, units, n), var_rows(m.sto_charge_mw, units, n), strict=True
    ):
        ctx.balance.add_series(params.at[s, "zone"], d_row)
        ctx.balance.add_series(params.at[s, "zone"], [-c for c in c_row])
    _add_variable_om(ctx, params)


def _add_level_balance(ctx: Context, params: pd.DataFrame, long: set[str]) -> None:
    """sto_level_balance: e[t] = (1 − σ)^Δ·e[t−1] + Δ·(η_c·c − d/η_d); a linked unit starts each period at 0."""
    m = ctx.m
    dur = ctx.duration_h
    prev = ctx.time.previous()
    starts = ctx.time.chain_starts()
    eta_c = params["eta_charge"].to_dict()
    eta_d = params["eta_discharge"].to_dict()
    sigma = params["standing_loss_pu_per_h"].to_dict()
    units, n = list(params.index), len(dur)
    level = dict(zip(units, var_rows(m.sto_level_mwh, units, n), strict=True))
    charge = dict(zip(units, var_rows(m.sto_charge_mw, units, n), strict=True))
    discharge = dict(zip(units, var_rows(m.sto_discharge_mw, units, n), strict=True))
    prev_t = [int(p) for p in prev]
    dur_t = [float(d) for d in dur]

    def rule(m, s, t):
        dt = dur_t[t]
        flows = [(dt * eta_c[s], charge[s][t]), (-dt / eta_d[s], discharge[s][t])]
        if not (s in long and starts[t]):  # a linked unit starts each period from its inter-period level
            flows.append(((1.0 - sigma[s]) ** dt, level[s][prev_t[t]]))
        return level[s][t] == linear_terms(flows)

    ctx.declare(
        "sto_level_balance",
        pyo.Constraint(m.STORAGE, m.TIMESTEPS, rule=rule, doc="e[t] = (1−σ)^Δ e[t−1] + Δ(η_c c − d/η_d) [MWh]"),
    )


def _add_variable_om(ctx: Context, params: pd.DataFrame) -> None:
    """variable_om += Σ_{s,t} w_t·vom[s]·d[s,t]."""
    m = ctx.m
    vom = params["vom_usd_per_mwh"].to_dict()
    w = ctx.weight_h
    with_vom = [s for s in m.STORAGE if vom[s] > 0]
    if with_vom:
        ctx.costs.add(
            "variable_om",
            linear_terms((float(vom[s] * w[t]), m.sto_discharge_mw[s, t]) for s in with_vom for t in ctx.T),
        )


def report(ctx: Context, readout: Readout) -> FeatureReport:
    """Capacity and investment per unit; hourly charge, discharge (net, in the dispatch) and state of charge."""
    params = ctx.params[NAME]
    units = list(params.index)
    new = readout.vector("sto_new_cap_mw", [s for s in units if params.at[s, "expandable"]])
    charge = readout.hourly("sto_charge_mw", units)
    discharge = readout.hourly("sto_discharge_mw", units)
    level = readout.hourly("sto_level_mwh", units)
    return FeatureReport(
        tables={"capacity": capacity_rows(params, new), "units": unit_rows(params, "storage", new)},
        hourly={
            "dispatch_mw": {s: discharge[i] - charge[i] for i, s in enumerate(units)},
            "storage_level_mwh": {s: level[i] for i, s in enumerate(units)},
            "storage_charge_mw": {s: charge[i] for i, s in enumerate(units)},
            "storage_discharge_mw": {s: discharge[i] for i, s in enumerate(units)},
        },
    )
