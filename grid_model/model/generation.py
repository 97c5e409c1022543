"""Generators: dispatch within hourly availability, optional new capacity, fuel, O&M, carbon and subsidy costs.

Variables: ``gen_dispatch_mw[g, t] ≥ 0``; ``gen_new_cap_mw[g] ∈ [0, P̄[g] − P0[g]]`` for expandable g.

    p[g,t] ≤ a[g,t]·(P0[g] + x[g])                   gen_dispatch_max (a column bound when g is not expandable)
    p[g,t] ≥ m[g]·a[g,t]·(P0[g] + x[g])              gen_dispatch_min (must-run floor, only where m[g] > 0)

Registries: balance[z(g), t] += p[g,t]. Costs (USD/yr), with E[g] = Σ_t w_t·p[g,t] (MWh/yr):

    fuel          += Σ_g π[z,f]/η[g]·E[g]            π = economic (reference) fuel price
    fuel_subsidy  −= Σ_g s[z,f]/η[g]·E[g]            s = fuel subsidy, when subsidies are on
    variable_om   += Σ_g vom[g]·E[g]
    carbon        += Σ_g c_CO2·ef[f]/η[g]·E[g]
    tie_break     += Σ_g ε·rung[cat(g)]·E[g]         fixes which zero-cost energy gives way (options.TIE_BREAK_RUNGS)
    capex_generation += Σ_g capex[g]·1000·CRF(r, n)·x[g];   fixed_om += Σ_g fom[g]·1000·x[g]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.dataset import Dataset
from grid_model.model.context import Context, FeatureReport, Readout
from grid_model.model.expansion import (
    add_capacity_limit,
    declare_new_capacity,
    fixed_upper,
    is_expandable,
)
from grid_model.model.tables import capacity_rows, generation_rows, technology_of, unit_rows
from grid_model.options import ModelOptions, annuity_factor
from grid_model.pyomo_speed import hourly_var, linear_terms, var_rows
from grid_model.units import KW_PER_MW, T_PER_MT

NAME = "generation"


def generator_params(ds: Dataset, options: ModelOptions) -> pd.DataFrame:
    """One row per generator with every number the model uses (also reused by the results)."""
    gens = ds.tables["generators"]
    techs = ds.tables["technologies"]
    fuels = ds.tables["fuels"]
    fuel_prices = ds.tables["fuel_prices"]
    subsidies = ds.tables["fuel_subsidies"]
    t = technology_of(gens, techs)
    out = pd.DataFrame(index=gens.index)
    out["zone"] = gens["zone"]
    out["technology"] = gens["technology"]
    out["category"] = t["category"]
    out["fuel"] = t["fuel"]
    out["renewable"] = t["renewable"].astype(bool)
    out["non_conventional"] = t["non_conventional"].astype(bool)
    out["efficiency_pu"] = gens["efficiency_pu"].fillna(t["efficiency_pu"])
    out["vom_usd_per_mwh"] = gens["vom_usd_per_mwh"].fillna(t["vom_usd_per_mwh"])
    price, subsidy, ef = [], [], []
    for g in gens.index:
        f, z = out.at[g, "fuel"], out.at[g, "zone"]
        if not f:
            price.append(0.0), subsidy.append(0.0), ef.append(0.0)
            continue
        key = f"{z}/{f}"
        price.append(
            float(fuel_prices.at[key, "price_usd_per_mwh_th"])
            if key in fuel_prices.index
            else float(fuels.at[f, "price_usd_per_mwh_th"])
        )
        subsidy.append(float(subsidies.at[key, "subsidy_usd_per_mwh_th"]) if key in subsidies.index else 0.0)
        ef.append(float(fuels.at[f, "co2_t_per_mwh_th"]))
    out["fuel_price_usd_per_mwh_th"] = price
    out["fuel_subsidy_usd_per_mwh_th"] = np.minimum(subsidy, price) if options.fuel_subsidies else 0.0
    out["co2_t_per_mwh"] = np.asarray(ef) / out["efficiency_pu"]
    out["fuel_cost_usd_per_mwh"] = out["fuel_price_usd_per_mwh_th"] / out["efficiency_pu"]
    out["subsidy_usd_per_mwh"] = out["fuel_subsidy_usd_per_mwh_th"] / out["efficiency_pu"]
    out["carbon_cost_usd_per_mwh"] = options.carbon_price_usd_per_t * out["co2_t_per_mwh"]
    out["tie_break_usd_per_mwh"] = options.tie_break_for(out["category"])  # not money: not in the marginal cost
    out["marginal_cost_usd_per_mwh"] = (
        out["vom_usd_per_mwh"]
        + out["fuel_cost_usd_per_mwh"]
        - out["subsidy_usd_per_mwh"]
        + out["carbon_cost_usd_per_mwh"]
    )
    out["p_nom_mw"] = gens["p_nom_mw"]
    out["p_nom_max_mw"] = gens["p_nom_max_mw"].fillna(gens["p_nom_mw"])
    out["expandable"] = is_expandable(out["p_nom_mw"], out["p_nom_max_mw"])
    if "p_nom_min_mw" in gens.columns:  # a committed project's floor in a pathway period (grid_model.pathway)
        out["p_nom_min_mw"] = gens["p_nom_min_mw"].fillna(gens["p_nom_mw"]).clip(lower=gens["p_nom_mw"])
    capex = gens["capex_usd_per_kw"].fillna(t["capex_usd_per_kw"])
    crf = np.array([annuity_factor(options.discount_rate, n) for n in t["lifetime_yr"]])
    out["capex_usd_per_kw"] = capex
    out["capex_annual_usd_per_mw"] = capex * KW_PER_MW * crf
    out["fom_usd_per_mw_yr"] = t["fom_usd_per_kw_yr"] * KW_PER_MW
    out["lifetime_yr"] = t["lifetime_yr"]
    out["availability_pu"] = gens["availability_pu"]
    out["profile"] = gens["profile"]
    out["min_output_pu"] = gens["min_output_pu"]
    return out


def availability_matrix(ds: Dataset, params: pd.DataFrame) -> np.ndarray:
    """a[g, t]: the profile (if any) times the constant availability, shape (generators, timesteps)."""
    n = len(ds.timesteps)
    a = np.empty((len(params), n))
    for i, (prof, avail) in enumerate(zip(params["profile"], params["availability_pu"], strict=True)):
        a[i] = (ds.availability_pu[prof].to_numpy(dtype=float) if prof else 1.0) * float(avail)
    return a


def add(ctx: Context) -> None:
    """Declare generator dispatch and expansion, then append to the balance and cost registries."""
    m, ds = ctx.m, ctx.ds
    params = ctx.params[NAME] = generator_params(ds, ctx.options)
    gens = list(params.index)
    ctx.declare("GENERATORS", pyo.Set(initialize=gens, ordered=True, doc="Generators"))
    if not gens:
        return
    a = availability_matrix(ds, params)
    # existing units: m[g]·a[g,t]·P0[g] ≤ p[g,t] ≤ a[g,t]·P0[g] as column bounds; expandable: p ≥ 0 (rows below)
    cap = a * params["p_nom_mw"].to_numpy(dtype=float)[:, None]
    floor_mw = params["min_output_pu"].to_numpy(dtype=float)[:, None] * cap
    expandable = params["expandable"].to_numpy(dtype=bool)[:, None]
    hourly_var(
        m,
        "gen_dispatch_mw",
        m.GENERATORS,
        np.where(expandable, 0.0, floor_mw),
        fixed_upper(params, a),
        "Generator output [MW]",
    )
    new = declare_new_capacity(ctx, "gen", params, "capex_generation", "Generating capacity")
    row = {g: i for i, g in enumerate(gens)}
    p0 = params["p_nom_mw"].to_dict()
    floor = params["min_output_pu"].to_dict()
    add_capacity_limit(
        ctx,
        "gen_dispatch_max",
        m.gen_dispatch_mw,
        new,
        p0,
        "p[g,t] ≤ a[g,t]·(P0[g] + x[g]) [MW]",
        per_unit=lambda g, t: float(a[row[g], t]),
    )
    add_capacity_limit(  # must-run floor
        ctx,
        "gen_dispatch_min",
        m.gen_dispatch_mw,
        new,
        p0,
        "p[g,t] ≥ m[g]·a[g,t]·(P0[g] + x[g]) [MW]",
        keys=[g for g in new.index_set() if floor[g] > 0],
        per_unit=lambda g, t: floor[g] * float(a[row[g], t]),
        floor=True,
    )
    w = [float(x) for x in ctx.weight_h]
    dispatch = dict(zip(gens, var_rows(m.gen_dispatch_mw, gens, len(w)), strict=True))
    ctx.declare(
        "gen_energy_mwh",
        pyo.Expression(
            m.GENERATORS,
            rule=lambda m, g: linear_terms(zip(w, dispatch[g], strict=True)),
            doc="Annual generation [MWh/yr]",
        ),
    )
    for g in gens:
        ctx.balance.add_series(params.at[g, "zone"], dispatch[g])
    _add_costs(ctx, params)


def _add_costs(ctx: Context, params: pd.DataFrame) -> None:
    """Energy costs of each generator (module docstring); publish its emissions and generation for ``policy``."""
    m = ctx.m
    E = m.gen_energy_mwh
    gens = list(params.index)

    def weighted(col: str, sign: float = 1.0):
        coef = params[col].to_dict()
        return pyo.quicksum(sign * float(coef[g]) * E[g] for g in gens if coef[g] != 0)

    ctx.costs.add("fuel", weighted("fuel_cost_usd_per_mwh"))
    ctx.costs.add("fuel_subsidy", weighted("subsidy_usd_per_mwh", -1.0))
    ctx.costs.add("variable_om", weighted("vom_usd_per_mwh"))
    ctx.costs.add("carbon", weighted("carbon_cost_usd_per_mwh"))
    ctx.costs.add("tie_break", weighted("tie_break_usd_per_mwh"))
    co2 = params["co2_t_per_mwh"].to_dict()
    for g in gens:
        if co2[g] > 0:
            ctx.emissions_t[params.at[g, "zone"]].append(float(co2[g]) * E[g])
        ctx.generation_mwh["all"].append(E[g])
        if params.at[g, "renewable"]:
            ctx.generation_mwh["renewable"].append(E[g])


def report(ctx: Context, readout: Readout) -> FeatureReport:
    """Generation, capacity, emissions and fuel-subsidy fiscal cost per unit; hourly dispatch."""
    params = ctx.params[NAME]
    gens = list(params.index)
    dispatch = readout.hourly("gen_dispatch_mw", gens)
    energy = dispatch @ ctx.weight_h if gens else np.zeros(0)
    new = readout.vector("gen_new_cap_mw", [g for g in gens if params.at[g, "expandable"]])
    fiscal = energy * params["subsidy_usd_per_mwh"].to_numpy(dtype=float) if gens else np.zeros(0)
    subsidies = pd.DataFrame({"zone": params["zone"].to_numpy(), "fuel": params["fuel"].to_numpy(), "v": fiscal})
    subsidies = subsidies[subsidies["v"] > 0].groupby(["zone", "fuel"], sort=False, as_index=False)["v"].sum()
    co2 = energy * params["co2_t_per_mwh"].to_numpy(dtype=float) / T_PER_MT if gens else np.zeros(0)
    return FeatureReport(
        tables={
            "generation_units": generation_rows(params, energy),
            "capacity": capacity_rows(params, new),
            "units": unit_rows(params, "generator", new),
            "emissions": pd.DataFrame({"zone": params["zone"].to_numpy(), "co2_mt": co2}),
            "subsidies": pd.DataFrame(
                {
                    "zone": subsidies["zone"],
                    "kind": "fuel",
                    "fuel": subsidies["fuel"],
                    "fiscal_cost_usd": subsidies["v"],
                }
            ),
        },
        hourly={"dispatch_mw": {g: dispatch[i] for i, g in enumerate(gens)}},
        step_totals=_step_totals(params, dispatch),
    )


def _step_totals(params: pd.DataFrame, dispatch: np.ndarray) -> dict[str, np.ndarray]:
    """Generation, renewable generation [MW] and emissions [tCO2/h] of all generators at each step."""
    if not len(params):
        return {}
    renewable = params["renewable"].to_numpy(dtype=bool)
    return {
        "generation_mw": dispatch.sum(axis=0),
        "renewable_mw": dispatch[renewable].sum(axis=0),
        "co2_t_per_h": params["co2_t_per_mwh"].to_numpy(dtype=float) @ dispatch,
    }
