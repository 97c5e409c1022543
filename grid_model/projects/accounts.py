"""What one solved case means for the system and for each zone: the figures the project indicators are differences of.

Per case (one scenario variant, solved), with w_t the step weight [h], π[z,t] the zone price [USD/MWh], D demand,
U unserved energy, p[k,t] the injection of unit k (generator output, hydro release, storage discharge − charge):

    consumer[z] = −Σ_t w·π[z,t]·(D − U)[z,t] − Σ_t w·VOLL[z]·U[z,t] + s_el[z]·Σ_t w·(D − U)[z,t]
    producer[z] = Σ_{k∈z} Σ_t w·π[z,t]·p[k,t] − OC[k] − IC[k]
    network[z]  = ½·Σ_{l∋z} (rent[l] − IC[l])
    fiscal[z]   = −(S_fuel[z] + s_el[z]·Σ_t w·(D − U)[z,t])

with OC[k] the operating cost the owner pays (fuel at the subsidised price, variable O&M, carbon), IC[k] the
annualised investment and fixed O&M of the unit's new capacity (annuity × new MW + fixed O&M × new MW), rent[l] the
link's merchandising surplus Σ_t w·[f⁺·((1−λ)π_to − π_from) + f⁻·((1−λ)π_from − π_to)] (links.csv of the results)
and IC[l] the link's annuity and fixed O&M, borne half and half by its two ends. s_el is the electricity subsidy
per MWh the scenario keeps (a transfer: consumers receive it, the treasury pays it), S_fuel the fiscal cost of the
zone's fuel subsidies (the treasury pays the difference between the economic and the subsidised fuel price).

Welfare identity. Multiplying each zone's energy balance Σ_k p[k,t] + U + (link injections) = D by w·π and summing
gives Σ_z Σ_t w·π·(D − U) = Σ_k revenue[k] + Σ_l rent[l]: whatever the prices, they cancel. Hence

    Σ_z (consumer + producer + network + fiscal)
        = −Σ VOLL·U − Σ_k (OC[k] + S_fuel[k]) − Σ_k IC[k] − Σ_l IC[l] = −system_cost_usd

exactly (up to the solver's primal feasibility tolerance on the balance), because OC + S_fuel is the fuel at its
economic price plus O&M and carbon, the categories of the economic system cost. The gross value of consumption is
left out: demand is the same in every case of one scenario (price-responsive demand after electricity-subsidy
removal is applied to the scenario before any case is solved), so it cancels in every difference.

Curtailment: available wind, solar and other profiled renewable output not used, Σ_t w·(a[g,t]·P[g] − p[g,t]),
plus run-of-river water not turbined below capacity, Σ_t w·(min(P, inflow) − release) [MWh/yr].
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grid_model.dataset import Dataset
from grid_model.model.generation import availability_matrix, generator_params
from grid_model.model.hydro import hydro_params
from grid_model.model.links import link_params
from grid_model.model.storage import storage_params
from grid_model.options import ModelOptions
from grid_model.results import Results

ACCOUNTS = ("consumer_usd", "producer_usd", "network_usd", "fiscal_usd")


def unit_new_capacity(res: Results, params: pd.DataFrame) -> pd.Series:
    """New MW per unit of one feature (generators or storage), from capacity.csv (zone, technology, category).

    capacity.csv sums units of one zone and technology; the new MW of a group is its expandable unit's. A group with
    several expandable units is split only when they cost the same per MW (then every account is exact); otherwise
    it is an error, since which unit was built cannot be read from the results.
    """
    cap = res.tables["capacity"].set_index(["zone", "technology", "category"])["new_mw"]
    out = pd.Series(0.0, index=params.index)
    ext = params[params["expandable"].astype(bool)]
    for key, group in ext.groupby(["zone", "technology", "category"]):
        new = float(cap.get(key, 0.0))
        unit_cost = group["capex_annual_usd_per_mw"] + group["fom_usd_per_mw_yr"]
        if len(group) > 1 and new != 0.0 and unit_cost.nunique() > 1:
            raise ValueError(f"{key}: several expandable units with different costs; new capacity is not per unit")
        out[group.index] = new / len(group)
    return out


def _injections(res: Results, units: pd.Index) -> np.ndarray:
    """p[k,t] for the listed units (MW), zeros for a unit not in the hourly dispatch."""
    disp = res.hourly["dispatch_mw"]
    return np.array([disp[u].to_numpy(dtype=float) if u in disp.columns else np.zeros(len(disp)) for u in units])


def _by_zone(values: np.ndarray, zones_of: pd.Series, zones: list[str]) -> pd.Series:
    return pd.Series(values, index=zones_of.to_numpy()).groupby(level=0).sum().reindex(zones, fill_value=0.0)


def producer_accounts(res: Results, ds: Dataset, options: ModelOptions, zones: list[str]) -> pd.Series:
    """producer[z] = Σ_{k∈z} (Σ_t w·π·p[k,t] − OC[k] − IC[k])  [USD/yr], generators, hydro and storage."""
    h = res.hourly
    w = h["price_usd_per_mwh"]["weight_h"].to_numpy(dtype=float)
    price = h["price_usd_per_mwh"]
    total = pd.Series(0.0, index=zones)
    gp, hp, sp = generator_params(ds, options), hydro_params(ds, options), storage_params(ds, options)
    for params, cost_col in ((gp, "marginal_cost_usd_per_mwh"), (hp, "vom_usd_per_mwh"), (sp, None)):
        if params.empty:
            continue
        p = _injections(res, params.index)
        pi = np.array([price[z].to_numpy(dtype=float) for z in params["zone"]])
        revenue = (pi * p) @ w
        if cost_col is None:  # storage: variable O&M on discharge
            d = h["storage_discharge_mw"]
            energy = np.array([d[s].to_numpy(dtype=float) @ w for s in params.index])
            operating = energy * params["vom_usd_per_mwh"].to_numpy(dtype=float)
        else:
            operating = (p @ w) * params[cost_col].to_numpy(dtype=float)
        invest = 0.0
        if "expandable" in params.columns:
            new = unit_new_capacity(res, params).to_numpy()
            invest = new * (params["capex_annual_usd_per_mw"] + params["fom_usd_per_mw_yr"]).to_numpy(dtype=float)
        total += _by_zone(revenue - operating - invest, params["zone"], zones)
    return total


def zone_accounts(res: Results, ds: Dataset, options: ModelOptions) -> pd.DataFrame:
    """consumer, producer, network and fiscal account of every zone [USD/yr] (module docstring)."""
    zones = list(ds.zones)
    h = res.hourly
    w = h["price_usd_per_mwh"]["weight_h"].to_numpy(dtype=float)
    price = h["price_usd_per_mwh"][zones].to_numpy(dtype=float).T
    demand = h["demand_mw"][zones].to_numpy(dtype=float).T
    unserved = np.array([h["dispatch_mw"][f"unserved:{z}"].to_numpy(dtype=float) for z in zones])
    voll = ds.tables["zones"]["voll_usd_per_mwh"].reindex(zones).to_numpy(dtype=float)
    served = (demand - unserved) @ w
    s_el = ds.applied.electricity_subsidy_usd_per_mwh if ds.applied is not None else {}
    el_transfer = np.array([s_el.get(z, 0.0) for z in zones]) * served
    consumer = -((price * (demand - unserved)) @ w) - voll * (unserved @ w) + el_transfer
    subs = res.tables["subsidies"]
    fuel_sub = subs[subs["kind"] == "fuel"].groupby("zone")["fiscal_cost_usd"].sum() if len(subs) else pd.Series()
    fiscal = -(fuel_sub.reindex(zones, fill_value=0.0).to_numpy(dtype=float) + el_transfer)
    return pd.DataFrame(
        {
            "consumer_usd": consumer,
            "producer_usd": producer_accounts(res, ds, options, zones).to_numpy(),
            "network_usd": network_accounts(res, ds, options, zones).to_numpy(),
            "fiscal_usd": fiscal,
        },
        index=pd.Index(zones, name="zone"),
    )


def network_accounts(res: Results, ds: Dataset, options: ModelOptions, zones: list[str]) -> pd.Series:
    """network[z] = ½·Σ_{l∋z} (rent[l] − (annuity + fixed O&M)·new MW[l])  [USD/yr]."""
    links = res.tables["links"]
    out = pd.Series(0.0, index=zones)
    if links.empty:
        return out
    lp = link_params(ds, options)
    for row in links.itertuples(index=False):
        cost = float(row.new_mw) * float(
            lp.at[row.link, "capex_annual_usd_per_mw"] + lp.at[row.link, "fom_usd_per_mw_yr"]
        )
        half = 0.5 * (float(row.congestion_rent_usd) - cost)
        out[row.zone_from] += half
        out[row.zone_to] += half
    return out


def curtailment_mwh(res: Results, ds: Dataset, options: ModelOptions) -> float:
    """Renewable energy available but not used [MWh/yr] (module docstring): profiled renewable generators and
    run-of-river hydro (reservoir spill is not counted: stored water has other uses)."""
    h = res.hourly
    w = h["price_usd_per_mwh"]["weight_h"].to_numpy(dtype=float)
    total = 0.0
    gp = generator_params(ds, options)
    variable = gp[gp["renewable"].astype(bool) & gp["profile"].astype(bool)]
    if len(variable):
        a = availability_matrix(ds, variable)
        cap = (variable["p_nom_mw"] + unit_new_capacity(res, gp).reindex(variable.index)).to_numpy(dtype=float)
        total += float(((a * cap[:, None] - _injections(res, variable.index)).clip(min=0.0) @ w).sum())
    hp = hydro_params(ds, options)
    ror = hp[(hp["energy_mwh"] <= 0) & hp["renewable"].astype(bool)]
    if len(ror):
        inflow = np.array([ds.inflow_mw[f].to_numpy(dtype=float) for f in ror["inflow"]])
        usable = np.minimum(inflow, ror["p_nom_mw"].to_numpy(dtype=float)[:, None])
        total += float(((usable - _injections(res, ror.index)).clip(min=0.0) @ w).sum())
    return total


def case_figures(res: Results, ds: Dataset, options: ModelOptions) -> dict[str, float]:
    """The system figures of one case that project indicators are differences of."""
    s = res.summary
    return {
        "system_cost_usd": float(s["system_cost_usd"]),
        "co2_mt": float(s["co2_mt"]),
        "unserved_mwh": float(s["unserved_twh"]) * 1e6,
        "fiscal_cost_usd": float(s["subsidy_cost_usd"]),
        "curtailment_mwh": curtailment_mwh(res, ds, options),
    }
