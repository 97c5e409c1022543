"""Hypothesis invariants of the LP on random small networks.

Every example is a valid dataset of 2–4 zones and 4–12 timesteps (weights summing to 8,760 h) with random
demand, 1–3 generators per zone (random fuels, efficiencies, costs, availability, optional expansion),
optional storage, random existing links with losses, optional candidate links and optional fuel subsidies.
Half the examples use chronological 1-hour steps that each stand for many hours (``duration_h`` ≠
``weight_h``, like a typical day). The network is written with ``write_dataset`` to a temporary folder, read
back with ``load_dataset`` and solved with ``solve_dataset``, exactly as a user would; variants of one example
(without the candidate links, with a larger subsidy) are validated in-memory copies of the loaded dataset,
to keep the file under a minute.

Numbers are drawn on a decimal grid (0.1 MW, 0.01 pu…) so that CSV round trips are exact and the LPs are
well scaled; every zone has demand ≥ 1 MW in every step so that prices are defined (a zone without
demand and without any way to withdraw power has a free dual).
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grid_model.dataset import Dataset, load_dataset, validate_dataset, write_dataset
from grid_model.model import ModelOptions
from grid_model.options import TIE_BREAK_RUNGS
from grid_model.pipeline import solve_dataset

# When an example fails, Hypothesis imports libcst to print a patch, which warns through mypy_extensions;
# under filterwarnings=error that would replace the falsifying example with an INTERNALERROR.
pytestmark = pytest.mark.filterwarnings("ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")

# GRID_MODEL_PROPERTY_EXAMPLES=500 for a deeper local search; 25 keeps the file under a minute.
SETTINGS = settings(
    max_examples=int(os.environ.get("GRID_MODEL_PROPERTY_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
HOURS = 8760.0
FUELS = ("gas", "coal", "oil")


def dec(lo: float, hi: float, places: int = 1) -> st.SearchStrategy[float]:
    """A float on a decimal grid in [lo, hi]."""
    k = 10**places
    return st.integers(round(lo * k), round(hi * k)).map(lambda v: v / k)


@dataclass
class Net:
    """A random network as plain rows, plus what the tests need to know about it."""

    tables: dict[str, list[dict]]
    demand: dict[str, np.ndarray]
    weights: np.ndarray
    profiles: dict[str, np.ndarray] = field(default_factory=dict)
    unit_zone: dict[str, str] = field(default_factory=dict)  # generator / storage -> zone
    duration: np.ndarray | None = None  # chronological step length (h) for storage; None = the weights

    @property
    def zones(self) -> list[str]:
        return list(self.demand)

    def fixed_assets(self) -> Net:
        """No expansion anywhere: candidate links dropped, every p_nom_max removed."""
        tables = dict(self.tables)
        tables["links"] = [r for r in tables.get("links", []) if r["status"] != "candidate"]
        tables["generators"] = [{**r, "p_nom_max_mw": None} for r in tables["generators"]]
        tables["storage"] = [{**r, "p_nom_max_mw": None} for r in tables.get("storage", [])]
        return replace(self, tables=tables)


def load(net: Net) -> Dataset:
    """Write the network as a dataset folder and read it back (validated)."""
    tables = {k: v for k, v in net.tables.items() if v}
    with tempfile.TemporaryDirectory(prefix="grid-model-prop-") as folder:
        write_dataset(
            folder,
            tables,
            net.demand,
            availability_pu=net.profiles or None,
            weight_h=net.weights,
            duration_h=net.duration,
        )
        return load_dataset(folder)


def solve(ds: Dataset, options: ModelOptions | None = None):
    res = solve_dataset(ds, options or ModelOptions())
    assert res.summary["status"] == "optimal"
    return res


def variant(ds: Dataset, table: str, frame: pd.DataFrame) -> Dataset:
    """A copy of a loaded dataset with one table replaced (cheaper than writing and reading it again)."""
    out = ds.copy()
    out.tables[table] = frame
    validate_dataset(out)
    return out


@st.composite
def networks(draw, *, expansion: bool = True, storage: bool = True, candidates: int = 0, subsidies: bool = True) -> Net:
    nz = draw(st.integers(2, 4))
    nt = draw(st.integers(4, 12))
    zones = [f"Z{i}" for i in range(nz)]
    raw_w = np.array(draw(st.lists(dec(0.5, 3.0), min_size=nt, max_size=nt)))
    weights = raw_w / raw_w.sum() * HOURS
    # Either each step lasts its weight (a coarse year), or steps are consecutive hours that stand for many
    # hours each (a typical day): storage then moves energy over 1 h steps while costs stay annual.
    chronological = draw(st.booleans())
    duration = np.ones(nt) if chronological else None
    step = 1.0 if chronological else HOURS / nt
    demand = {z: np.array(draw(st.lists(dec(1.0, 1000.0), min_size=nt, max_size=nt))) for z in zones}
    tables: dict[str, list[dict]] = {
        "zones": [{"zone": z, "voll_usd_per_mwh": draw(dec(500.0, 10_000.0, 0))} for z in zones],
        "fuels": [
            {"fuel": f, "price_usd_per_mwh_th": draw(dec(1.0, 80.0)), "co2_t_per_mwh_th": draw(dec(0.0, 0.4, 3))}
            for f in FUELS
        ],
        "technologies": [],
        "generators": [],
        "storage": [],
        "links": [],
    }
    profiles: dict[str, np.ndarray] = {}
    unit_zone: dict[str, str] = {}
    for z in zones:
        for k in range(draw(st.integers(1, 3))):
            name = f"{z}-g{k}"
            fuel = draw(st.sampled_from(("", *FUELS)))
            tech = {
                "technology": f"t-{name}",
                "category": "gas" if fuel else "solar",
                "fuel": fuel,
                "renewable": not fuel,
                "efficiency_pu": draw(dec(0.25, 0.6, 2)) if fuel else 1.0,
                "vom_usd_per_mwh": draw(dec(0.0, 15.0)),
                "capex_usd_per_kw": draw(dec(0.0, 2000.0, 0)),
                "fom_usd_per_kw_yr": draw(dec(0.0, 40.0)),
                "lifetime_yr": draw(st.integers(10, 40)),
            }
            p_nom = draw(dec(0.0, 1200.0))
            row = {
                "generator": name,
                "zone": z,
                "technology": tech["technology"],
                "p_nom_mw": p_nom,
                "p_nom_max_mw": p_nom + draw(dec(1.0, 800.0)) if expansion and draw(st.booleans()) else None,
            }
            if not fuel and draw(st.booleans()):
                profiles[name] = np.array(draw(st.lists(dec(0.0, 1.0, 2), min_size=nt, max_size=nt)))
                row["profile"] = name
            else:
                row["availability_pu"] = draw(dec(0.1, 1.0, 2))
            tables["technologies"].append(tech)
            tables["generators"].append(row)
            unit_zone[name] = z
        if storage and draw(st.booleans()):
            name = f"{z}-s"
            tables["technologies"].append(
                {
                    "technology": f"t-{name}",
                    "category": "storage",
                    "vom_usd_per_mwh": draw(dec(0.0, 2.0)),
                    "capex_usd_per_kw": draw(dec(0.0, 1000.0, 0)),
                    "fom_usd_per_kw_yr": draw(dec(0.0, 20.0)),
                    "lifetime_yr": draw(st.integers(10, 30)),
                }
            )
            p_nom = draw(dec(0.0, 300.0))
            tables["storage"].append(
                {
                    "storage": name,
                    "zone": z,
                    "technology": f"t-{name}",
                    "p_nom_mw": p_nom,
                    "p_nom_max_mw": p_nom + draw(dec(1.0, 300.0)) if expansion and draw(st.booleans()) else None,
                    # storage hours in units of the mean step length, so that it can shift energy between steps
                    "max_hours": round(draw(dec(0.2, 3.0)) * step, 1),
                    "efficiency_charge_pu": draw(dec(0.7, 1.0, 2)),
                    "efficiency_discharge_pu": draw(dec(0.7, 1.0, 2)),
                    "standing_loss_pu_per_h": draw(dec(0.0, 0.0005, 5)),
                    "capex_usd_per_kwh": draw(dec(0.0, 0.5, 2)),
                }
            )
            unit_zone[name] = z
    pairs = [(a, b) for i, a in enumerate(zones) for b in zones[i + 1 :]]
    for a, b in pairs:
        if draw(st.booleans()):
            if draw(st.booleans()):
                a, b = b, a
            tables["links"].append(
                {
                    "link": f"{a}-{b}",
                    "zone_from": a,
                    "zone_to": b,
                    "kind": draw(st.sampled_from(("AC", "DC"))),
                    "status": "existing",
                    "p_nom_mw": draw(dec(0.0, 500.0)),
                    "length_km": draw(dec(10.0, 1500.0, 0)),
                    "loss_pu": draw(st.one_of(st.none(), dec(0.0, 0.1, 3))),
                }
            )
    for k in range(candidates):
        a, b = draw(st.sampled_from(pairs))
        tables["links"].append(
            {
                "link": f"cand{k}-{a}-{b}",
                "zone_from": a,
                "zone_to": b,
                "kind": draw(st.sampled_from(("AC", "DC"))),
                "status": "candidate",
                "p_nom_mw": 0.0,
                "p_nom_max_mw": draw(dec(1.0, 1000.0)),
                "length_km": draw(dec(10.0, 1500.0, 0)),
                "loss_pu": draw(dec(0.0, 0.1, 3)),
                "capex_usd_per_mw": draw(dec(0.0, 2e6, 0)),
                "fom_pct_per_yr": draw(dec(0.0, 3.0)),
                "lifetime_yr": draw(st.integers(20, 50)),
            }
        )
    if subsidies:
        tables["fuel_subsidies"] = [
            {"zone": z, "fuel": f, "subsidy_usd_per_mwh_th": draw(dec(0.0, 90.0))}  # may exceed the price
            for z in zones
            for f in FUELS
            if draw(st.booleans())
        ]
    return Net(tables, demand, weights, profiles, unit_zone, duration)


def leq(a: float, b: float, rel: float = 1e-6, abs_: float = 1e-3) -> bool:
    """a ≤ b up to solver tolerance."""
    return a <= b + rel * abs(b) + abs_


# ---------------------------------------------------------------------------------------------
# 1. A candidate link can only help


@SETTINGS
@given(net=networks(candidates=1) | networks(candidates=2))
def test_candidate_link_never_raises_optimal_cost(net: Net):
    ds = load(net)
    links = ds.tables["links"]
    assert (links["status"] == "candidate").any()
    with_candidate = solve(ds).summary["objective_usd"]
    without = solve(variant(ds, "links", links[links["status"] != "candidate"].copy())).summary["objective_usd"]
    assert leq(with_candidate, without), (with_candidate, without)


# ---------------------------------------------------------------------------------------------
# 2. A larger fuel subsidy can only lower the (subsidised) objective


@SETTINGS
@given(net=networks(), data=st.data())
def test_raising_a_fuel_subsidy_never_raises_objective(net: Net, data):
    ds = load(net)
    gens, techs = ds.tables["generators"], ds.tables["technologies"]
    fuelled = sorted(
        {(z, techs.at[t, "fuel"]) for z, t in zip(gens["zone"], gens["technology"], strict=True) if techs.at[t, "fuel"]}
    )
    zone, fuel = data.draw(st.sampled_from(fuelled)) if fuelled else (net.zones[0], "gas")
    delta = data.draw(dec(0.1, 50.0))
    subs = ds.tables["fuel_subsidies"].copy()
    key = f"{zone}/{fuel}"
    old = float(subs.at[key, "subsidy_usd_per_mwh_th"]) if key in subs.index else 0.0
    subs.loc[key, ["zone", "fuel", "subsidy_usd_per_mwh_th", "source"]] = [zone, fuel, old + delta, ""]
    base = solve(ds).summary["objective_usd"]
    more = solve(variant(ds, "fuel_subsidies", subs)).summary["objective_usd"]
    assert leq(more, base), (base, more, zone, fuel, old, delta)


# ---------------------------------------------------------------------------------------------
# 3. On fixed assets, removing the subsidies can only lower the economic cost


@SETTINGS
@given(net=networks(expansion=False))
def test_removing_fuel_subsidies_never_raises_economic_cost_on_fixed_assets(net: Net):
    ds = load(net.fixed_assets())
    with_subsidies = solve(ds, ModelOptions(fuel_subsidies=True)).summary
    without = solve(ds, ModelOptions(fuel_subsidies=False)).summary

    def tie_break(summary: dict) -> float:
        return summary["cost_breakdown_usd"]["tie_break"]

    # Without subsidies the dispatcher minimises the economic cost itself (plus the tie-break costs).
    assert without["cost_breakdown_usd"]["fuel_subsidy"] == 0.0
    assert without["system_cost_usd"] + tie_break(without) == pytest.approx(without["objective_usd"], rel=1e-12)
    # The subsidised dispatch is feasible for the same assets, so what it costs as the unsubsidised dispatcher
    # counts (economic + tie-break) cannot be lower.
    assert leq(without["objective_usd"], with_subsidies["system_cost_usd"] + tie_break(with_subsidies)), (
        without,
        with_subsidies,
    )
    # and the subsidised objective is the economic cost minus the fiscal transfer, plus the tie-break
    assert with_subsidies["system_cost_usd"] == pytest.approx(
        with_subsidies["objective_usd"] + with_subsidies["fuel_subsidy_cost_usd"] - tie_break(with_subsidies),
        rel=1e-9,
        abs=1e-3,
    )


# ---------------------------------------------------------------------------------------------
# 4. With no negative cost anywhere, prices are not negative


@SETTINGS
@given(net=networks(candidates=1))
def test_prices_non_negative_without_negative_costs(net: Net):
    res = solve(load(net))
    hourly = res.hourly["price_usd_per_mwh"][net.zones].to_numpy()
    assert hourly.min() >= -1e-6, res.hourly["price_usd_per_mwh"]
    for col in ("price_avg_usd_per_mwh", "price_time_avg_usd_per_mwh"):
        assert res.tables["prices"][col].min() >= -1e-6, res.tables["prices"]


# ---------------------------------------------------------------------------------------------
# 5. Accounting: objective = Σ breakdown, every zone balance closes from the hourly tables, and the
#    breakdown and the storage levels can be rebuilt by hand from the hourly tables


def crf(r: float, n: float) -> float:
    return r / (1.0 - (1.0 + r) ** (-n))


def expected_breakdown(net: Net, res, options: ModelOptions) -> dict[str, float]:
    """Every cost category recomputed from the hourly tables and the input rows (docs/model.md)."""
    h, w = res.hourly, net.weights
    techs = {t["technology"]: t for t in net.tables["technologies"]}
    fuels = {f["fuel"]: f for f in net.tables["fuels"]}
    subs = {(r["zone"], r["fuel"]): r["subsidy_usd_per_mwh_th"] for r in net.tables.get("fuel_subsidies", [])}
    capacity = res.tables["capacity"].set_index("technology")
    # every reported category; those not rebuilt here (e.g. elastic-mode penalties) must be zero
    out = dict.fromkeys(res.summary["cost_breakdown_usd"], 0.0)
    r = options.discount_rate
    for g in net.tables["generators"]:
        t = techs[g["technology"]]
        energy = float(h["dispatch_mw"][g["generator"]].to_numpy() @ w)
        out["variable_om"] += t["vom_usd_per_mwh"] * energy
        out["tie_break"] += TIE_BREAK_RUNGS.get(t["category"], 0) * options.tie_break_usd_per_mwh * energy
        if t["fuel"]:
            price, eff = fuels[t["fuel"]]["price_usd_per_mwh_th"], t["efficiency_pu"]
            out["fuel"] += price / eff * energy
            if options.fuel_subsidies:
                out["fuel_subsidy"] -= min(subs.get((g["zone"], t["fuel"]), 0.0), price) / eff * energy
            out["carbon"] += options.carbon_price_usd_per_t * fuels[t["fuel"]]["co2_t_per_mwh_th"] / eff * energy
        new = float(capacity.at[g["technology"], "new_mw"])
        out["capex_generation"] += t["capex_usd_per_kw"] * 1000.0 * crf(r, t["lifetime_yr"]) * new
        out["fixed_om"] += t["fom_usd_per_kw_yr"] * 1000.0 * new
    for s in net.tables.get("storage", []):
        t = techs[s["technology"]]
        out["variable_om"] += t["vom_usd_per_mwh"] * float(h["storage_discharge_mw"][s["storage"]].to_numpy() @ w)
        new = float(capacity.at[s["technology"], "new_mw"])
        per_kw = t["capex_usd_per_kw"] + s["capex_usd_per_kwh"] * s["max_hours"]
        out["capex_storage"] += per_kw * 1000.0 * crf(r, t["lifetime_yr"]) * new
        out["fixed_om"] += t["fom_usd_per_kw_yr"] * 1000.0 * new
    links = res.tables["links"].set_index("link")
    for lk in net.tables.get("links", []):
        new = float(links.at[lk["link"], "new_mw"])
        capex = lk.get("capex_usd_per_mw", 0.0)
        out["capex_transmission"] += capex * crf(r, lk.get("lifetime_yr", 40.0)) * new
        out["fixed_om"] += capex * lk.get("fom_pct_per_yr", 1.5) / 100.0 * new
    voll = {z["zone"]: z["voll_usd_per_mwh"] for z in net.tables["zones"]}
    for z in net.zones:
        out["unserved"] += voll[z] * float(h["dispatch_mw"][f"unserved:{z}"].to_numpy() @ w)
    return out


@SETTINGS
@given(net=networks(candidates=1), carbon=dec(0.0, 100.0))
def test_objective_is_breakdown_sum_and_zone_balances_close(net: Net, carbon: float):
    options = ModelOptions(carbon_price_usd_per_t=carbon)
    res = solve(load(net), options)
    breakdown = res.summary["cost_breakdown_usd"]
    assert res.summary["objective_usd"] == pytest.approx(sum(breakdown.values()), rel=1e-9, abs=1e-6)
    costs = res.tables["costs"].set_index("category")["cost_usd"]
    assert costs.to_dict() == pytest.approx(breakdown, rel=1e-12)
    assert breakdown == pytest.approx(expected_breakdown(net, res, options), rel=1e-9, abs=1e-4)

    h = res.hourly
    zones = net.zones
    disp = h["dispatch_mw"]
    expected_cols = set(net.unit_zone) | {f"unserved:{z}" for z in zones} | {"weight_h", "duration_h"}
    assert set(disp.columns) == expected_cols
    np.testing.assert_allclose(h["demand_mw"][zones].to_numpy(), np.column_stack([net.demand[z] for z in zones]))
    fwd, bwd, net_flow = h["link_flow_forward_mw"], h["link_flow_backward_mw"], h["link_flow_mw"]
    links = res.tables["links"].set_index("link")
    assert set(links.index) == {r["link"] for r in net.tables["links"]}
    injection = {z: np.zeros(len(disp)) for z in zones}
    for unit, z in net.unit_zone.items():
        injection[z] += disp[unit].to_numpy()
    for z in zones:
        injection[z] += disp[f"unserved:{z}"].to_numpy()
    for lk, row in links.iterrows():
        f, b = fwd[lk].to_numpy(), bwd[lk].to_numpy()
        np.testing.assert_allclose(net_flow[lk].to_numpy(), f - b, atol=1e-9)
        assert f.min() >= -1e-7 and b.min() >= -1e-7
        keep = 1.0 - row["loss_pu"]
        injection[row["zone_from"]] += keep * b - f
        injection[row["zone_to"]] += keep * f - b
    for z in zones:
        np.testing.assert_allclose(
            injection[z], net.demand[z], rtol=0, atol=1e-6, err_msg=f"zone {z} balance does not close"
        )

    # Storage: net dispatch = discharge − charge, and the cyclic level equation holds step by step.
    dur = net.weights if net.duration is None else net.duration
    np.testing.assert_allclose(h["dispatch_mw"]["duration_h"].to_numpy(), dur)
    for s in net.tables.get("storage", []):
        u = s["storage"]
        c, d = h["storage_charge_mw"][u].to_numpy(), h["storage_discharge_mw"][u].to_numpy()
        e = h["storage_level_mwh"][u].to_numpy()
        np.testing.assert_allclose(disp[u].to_numpy(), d - c, atol=1e-9)
        keep = (1.0 - s["standing_loss_pu_per_h"]) ** dur
        rebuilt = keep * np.roll(e, 1) + dur * (s["efficiency_charge_pu"] * c - d / s["efficiency_discharge_pu"])
        np.testing.assert_allclose(
            e, rebuilt, rtol=0, atol=1e-6 * max(1.0, float(np.abs(e).max())), err_msg=f"storage {u} level equation"
        )
        assert e.min() >= -1e-6
