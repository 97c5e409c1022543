"""Tiny systems with hand-computed optima, asserted exactly (to solver tolerance).

A category is only a label here unless the test is about it: units that merely need to be cheap are labelled off the
tie-break ladder (nuclear, bioenergy), so that the hand numbers are the economics alone. Where a test needs real
hydro, solar or wind, its hand numbers include their tie-break cost (``tb``).
"""

from __future__ import annotations

import numpy as np
import pytest
from tiny import balance_residual, build, gen, storage_residual, tech, zones

from grid_model.model import ModelOptions
from grid_model.options import TIE_BREAK_RUNGS, TIE_BREAK_USD_PER_MWH
from grid_model.pipeline import solve_dataset

H = 8760.0
REL = 1e-9


def tb(category: str) -> float:
    """The default tie-break cost of a category [USD/MWh]."""
    return TIE_BREAK_RUNGS[category] * TIE_BREAK_USD_PER_MWH


def approx(x, rel=1e-7, abs=1e-6):
    return pytest.approx(x, rel=rel, abs=abs)


def _check_closes(res, ds):
    assert res.summary["objective_usd"] == approx(sum(res.summary["cost_breakdown_usd"].values()), rel=1e-9)
    assert balance_residual(res, ds) < 1e-6
    assert storage_residual(res, ds) < 1e-6


def test_one_zone_merit_order(tmp_path):
    # 50 MW @ 10, 50 MW @ 20, 100 MW @ 50; demand 80 MW all year → 50·10 + 30·20 = 1,100 USD/h; price 20.
    tables = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("cheap", "nuclear", vom_usd_per_mwh=10),
            tech("mid", "gas", vom_usd_per_mwh=20),
            tech("peak", "oil", vom_usd_per_mwh=50),
        ],
        "generators": [gen("g1", "A", "cheap", 50), gen("g2", "A", "mid", 50), gen("g3", "A", "peak", 100)],
    }
    ds = build(tmp_path, tables, {"A": [80.0] * 4})
    res = solve_dataset(ds)
    assert res.summary["objective_usd"] == approx(1100 * H)
    assert res.tables["prices"]["price_avg_usd_per_mwh"].tolist() == [approx(20.0)]
    g = res.tables["generation"].set_index("technology")["generation_twh"]
    assert g["cheap"] == approx(50 * H / 1e6)
    assert g["mid"] == approx(30 * H / 1e6)
    assert g["peak"] == approx(0.0)
    _check_closes(res, ds)


def _two_zone(loss_pu=0.0, link_mw=40.0, demand_b=100.0):
    return {
        "zones": zones("A", "B"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [tech("cheap", "nuclear", vom_usd_per_mwh=10), tech("dear", "gas", vom_usd_per_mwh=30)],
        "generators": [gen("A-cheap", "A", "cheap", 1000), gen("B-dear", "B", "dear", 1000)],
        "links": [
            {
                "link": "A-B",
                "zone_from": "A",
                "zone_to": "B",
                "kind": "AC",
                "status": "existing",
                "p_nom_mw": link_mw,
                "length_km": 100,
                "loss_pu": loss_pu,
            }
        ],
    }, {"A": [50.0] * 2, "B": [demand_b] * 2}


def test_binding_link_price_gap_equals_cost_gap(tmp_path):
    tables, demand = _two_zone()
    ds = build(tmp_path, tables, demand)
    res = solve_dataset(ds)
    prices = res.tables["prices"].set_index("zone")["price_avg_usd_per_mwh"]
    assert prices["A"] == approx(10.0)
    assert prices["B"] == approx(30.0)
    link = res.tables["links"].iloc[0]
    assert link["flow_forward_twh"] == approx(40 * H / 1e6)
    assert link["utilisation"] == approx(1.0)  # at its limit all year, one way
    assert link["congestion_rent_usd"] == approx(40 * 20 * H)
    assert res.summary["objective_usd"] == approx((90 * 10 + 60 * 30) * H)
    _check_closes(res, ds)


def test_losses_show_in_flow_and_prices(tmp_path):
    # 10 % loss, link not binding: B's 100 MW comes from A: sent f = 100 / 0.9; price B = 10 / 0.9.
    tables, demand = _two_zone(loss_pu=0.1, link_mw=500.0)
    ds = build(tmp_path, tables, demand)
    res = solve_dataset(ds)
    prices = res.tables["prices"].set_index("zone")["price_avg_usd_per_mwh"]
    assert prices["A"] == approx(10.0)
    assert prices["B"] == approx(10.0 / 0.9)
    link = res.tables["links"].iloc[0]
    assert link["flow_forward_twh"] == approx(100 / 0.9 * H / 1e6)
    assert res.summary["objective_usd"] == approx((50 + 100 / 0.9) * 10 * H)
    assert link["congestion_rent_usd"] == approx(0.0, abs=1e-3)  # uncongested: the price gap only pays the losses
    _check_closes(res, ds)


def test_battery_arbitrages_a_price_spread(tmp_path):
    # A representative 2-hour day (weight 4,380 each, duration 1 h): cheap 10 USD/MWh only in hour 0,
    # 50 USD/MWh always. Battery 20 MW / 20 MWh, η = 0.9 each way: charges 20, discharges 0.81·20 = 16.2.
    tables = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("cheap", "bioenergy", vom_usd_per_mwh=10),
            tech("dear", "gas", vom_usd_per_mwh=50),
            tech("battery", "storage"),
        ],
        "generators": [gen("cheap", "A", "cheap", 200, profile="sun"), gen("dear", "A", "dear", 500)],
        "storage": [
            {
                "storage": "bat",
                "zone": "A",
                "technology": "battery",
                "p_nom_mw": 20,
                "max_hours": 1,
                "efficiency_charge_pu": 0.9,
                "efficiency_discharge_pu": 0.9,
            }
        ],
    }
    ds = build(tmp_path, tables, {"A": [100.0, 100.0]}, availability_pu={"sun": [1.0, 0.0]}, duration_h=[1.0, 1.0])
    res = solve_dataset(ds)
    assert res.summary["objective_usd"] == approx((120 * 10 + (100 - 16.2) * 50) * 4380)
    ch = res.hourly["storage_charge_mw"]["bat"].to_numpy()
    dis = res.hourly["storage_discharge_mw"]["bat"].to_numpy()
    assert ch == approx(np.array([20.0, 0.0]))
    assert dis == approx(np.array([0.0, 16.2]))
    price = res.hourly["price_usd_per_mwh"]["A"].to_numpy()
    assert price == approx(np.array([10.0, 50.0]))
    _check_closes(res, ds)


def test_reservoir_moves_water_to_the_expensive_hour(tmp_path):
    # Inflow 30 MW each hour; 20 USD/MWh available in hour 0 only, 80 USD/MWh always; demand 60.
    # All 60 MWh of water go to hour 1; hour 0 is served at 20. Hour 0's price is 20 exactly; hour 1's is
    # degenerate (all water is already there: +1 MW costs 80, −1 MW saves 20), so any dual in [20, 80] is right.
    tables = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("cheap", "gas", vom_usd_per_mwh=20),
            tech("dear", "oil", vom_usd_per_mwh=80),
            tech("hydro_reservoir", "hydro", renewable=True),
        ],
        "generators": [gen("cheap", "A", "cheap", 200, profile="p"), gen("dear", "A", "dear", 200)],
        "hydro": [
            {
                "hydro": "res",
                "zone": "A",
                "technology": "hydro_reservoir",
                "p_nom_mw": 100,
                "energy_mwh": 100,
                "inflow": "res",
            }
        ],
    }
    ds = build(
        tmp_path,
        tables,
        {"A": [60.0, 60.0]},
        availability_pu={"p": [1.0, 0.0]},
        inflow_mw={"res": [30.0, 30.0]},
        duration_h=[1.0, 1.0],
    )
    res = solve_dataset(ds)
    assert res.summary["objective_usd"] == approx((60 * 20 + 60 * tb("hydro")) * 4380)
    assert res.summary["system_cost_usd"] == approx(60 * 20 * 4380)
    assert res.hourly["dispatch_mw"]["res"].to_numpy() == approx(np.array([0.0, 60.0]))
    price = res.hourly["price_usd_per_mwh"]["A"].to_numpy()
    assert price[0] == approx(20.0)
    assert 20.0 - 1e-6 <= price[1] <= 80.0 + 1e-6
    assert res.summary["renewable_share"] == approx(0.5)
    _check_closes(res, ds)


@pytest.mark.parametrize(("capex_usd_per_mw", "built_mw"), [(300_000.0, 100.0), (400_000.0, 0.0)])
def test_candidate_link_built_exactly_when_it_pays_back(tmp_path, capex_usd_per_mw, built_mw):
    # Each MW of link saves (50 − 10)·8,760 = 350,400 USD/yr; with r = 0 and a 1-year life the annual cost
    # is the capex itself: built to the 100 MW B needs at 300,000, not at all at 400,000.
    tables = {
        "zones": zones("A", "B"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [tech("cheap", "nuclear", vom_usd_per_mwh=10), tech("dear", "gas", vom_usd_per_mwh=50)],
        "generators": [gen("A-cheap", "A", "cheap", 1000), gen("B-dear", "B", "dear", 1000)],
        "links": [
            {
                "link": "A-B",
                "zone_from": "A",
                "zone_to": "B",
                "kind": "AC",
                "status": "candidate",
                "p_nom_mw": 0,
                "p_nom_max_mw": 200,
                "length_km": 100,
                "loss_pu": 0.0,
                "capex_usd_per_mw": capex_usd_per_mw,
                "fom_pct_per_yr": 0.0,
                "lifetime_yr": 1.0,
            }
        ],
    }
    ds = build(tmp_path, tables, {"A": [0.0], "B": [100.0]})
    res = solve_dataset(ds, ModelOptions(discount_rate=0.0))
    assert res.tables["links"]["new_mw"].iloc[0] == approx(built_mw)
    expected = built_mw * (10 * H + capex_usd_per_mw) + (100 - built_mw) * 50 * H
    assert res.summary["objective_usd"] == approx(expected)
    assert res.summary["cost_breakdown_usd"]["capex_transmission"] == approx(built_mw * capex_usd_per_mw)
    _check_closes(res, ds)


def _subsidy_system():
    # Gas: 20 USD/MWh_th at η 0.5 = 40 USD/MWh; a 5 USD/MWh_th subsidy makes it 30. Coal costs 35.
    return {
        "zones": zones("A"),
        "fuels": [
            {"fuel": "gas", "price_usd_per_mwh_th": 20.0, "co2_t_per_mwh_th": 0.2},
            {"fuel": "coal", "price_usd_per_mwh_th": 14.0, "co2_t_per_mwh_th": 0.34},
        ],
        "technologies": [
            tech("ccgt", "gas", fuel="gas", efficiency_pu=0.5),
            tech("coal", "coal", fuel="coal", efficiency_pu=0.4),
        ],
        "generators": [gen("gas", "A", "ccgt", 200), gen("coal", "A", "coal", 200)],
        "fuel_subsidies": [{"zone": "A", "fuel": "gas", "subsidy_usd_per_mwh_th": 5.0}],
    }


def test_fuel_subsidy_changes_merit_order_and_costs(tmp_path):
    ds = build(tmp_path, _subsidy_system(), {"A": [100.0]})
    kept = solve_dataset(ds, ModelOptions(fuel_subsidies=True))
    removed = solve_dataset(ds, ModelOptions(fuel_subsidies=False))
    # kept: gas dispatched at 30 (dispatcher), economic 40, fiscal 10 per MWh
    assert kept.summary["objective_usd"] == approx(30 * 100 * H)
    assert kept.summary["system_cost_usd"] == approx(40 * 100 * H)
    assert kept.summary["fuel_subsidy_cost_usd"] == approx(10 * 100 * H)
    assert kept.tables["subsidies"]["fiscal_cost_usd"].sum() == approx(10 * 100 * H)
    assert kept.summary["co2_mt"] == approx(0.4 * 100 * H / 1e6)
    # removed: coal at 35 wins; economic cost falls from 40 to 35 per MWh, no fiscal cost
    assert removed.summary["objective_usd"] == approx(35 * 100 * H)
    assert removed.summary["system_cost_usd"] == approx(35 * 100 * H)
    assert removed.summary["subsidy_cost_usd"] == approx(0.0)
    assert removed.summary["system_cost_usd"] <= kept.summary["system_cost_usd"]


def test_carbon_price_and_co2_cap(tmp_path):
    ds = build(tmp_path, _subsidy_system(), {"A": [100.0]})
    # 10 USD/t: gas 40 + 0.4·10 = 44; coal 35 + 0.85·10 = 43.5 → coal still; 20 USD/t: gas 48, coal 52 → gas
    at10 = solve_dataset(ds, ModelOptions(fuel_subsidies=False, carbon_price_usd_per_t=10))
    at20 = solve_dataset(ds, ModelOptions(fuel_subsidies=False, carbon_price_usd_per_t=20))
    assert at10.summary["objective_usd"] == approx(43.5 * 100 * H)
    assert at10.summary["cost_breakdown_usd"]["carbon"] == approx(0.85 * 10 * 100 * H)
    assert at20.summary["objective_usd"] == approx(48 * 100 * H)
    # a cap halfway between all-coal (0.85 t/MWh) and all-gas (0.4) emissions forces a mix
    cap_t = (0.85 + 0.4) / 2 * 100 * H
    capped = solve_dataset(ds, ModelOptions(fuel_subsidies=False, co2_cap_mt=cap_t / 1e6))
    assert capped.summary["co2_mt"] == approx(cap_t / 1e6)
    assert capped.summary["objective_usd"] == approx((50 * 35 + 50 * 40) * H)


def test_min_renewable_share(tmp_path):
    tables = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("gas", "gas", vom_usd_per_mwh=10),
            tech("wind", "wind", vom_usd_per_mwh=30, renewable=True, non_conventional=True),
        ],
        "generators": [gen("gas", "A", "gas", 200), gen("wind", "A", "wind", 200)],
    }
    ds = build(tmp_path, tables, {"A": [100.0]})
    res = solve_dataset(ds, ModelOptions(min_renewable_share=0.3))
    assert res.summary["renewable_share"] == approx(0.3)
    assert res.summary["non_conventional_renewable_share"] == approx(0.3)
    assert res.summary["objective_usd"] == approx((70 * 10 + 30 * (30 + tb("wind"))) * H)
    assert res.summary["system_cost_usd"] == approx((70 * 10 + 30 * 30) * H)


def test_unserved_energy_at_voll(tmp_path):
    tables = {
        "zones": zones("A", voll=1000.0),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [tech("gas", "gas", vom_usd_per_mwh=10)],
        "generators": [gen("gas", "A", "gas", 80)],
    }
    ds = build(tmp_path, tables, {"A": [100.0]})
    res = solve_dataset(ds)
    assert res.summary["unserved_twh"] == approx(20 * H / 1e6)
    assert res.tables["prices"]["price_avg_usd_per_mwh"].iloc[0] == approx(1000.0)
    assert res.summary["cost_breakdown_usd"]["unserved"] == approx(20 * 1000 * H)
    _check_closes(res, ds)


def test_generation_expansion_annualised(tmp_path):
    # New solar: capex 1,000 USD/kW, 25 yr, r = 7 % → CRF 0.08581; availability 0.25 → energy cost per MW
    # of capacity vs gas at 60 USD/MWh: solar pays (0.25·8760·60 = 131,400 > 85,811) so it is built to its cap.
    crf = 0.07 / (1 - 1.07**-25)
    tables = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("gas", "gas", vom_usd_per_mwh=60),
            tech("solar", "solar", capex_usd_per_kw=1000, lifetime_yr=25, renewable=True),
        ],
        "generators": [
            gen("gas", "A", "gas", 200),
            gen("solar", "A", "solar", 0, p_nom_max_mw=100, availability_pu=0.25),
        ],
    }
    ds = build(tmp_path, tables, {"A": [100.0]})
    res = solve_dataset(ds, ModelOptions(discount_rate=0.07))
    cap = res.tables["capacity"].set_index("technology")
    assert cap.at["solar", "new_mw"] == approx(100.0)
    assert cap.at["solar", "investment_usd"] == approx(100 * 1000 * 1000.0)
    assert res.summary["objective_usd"] == approx(100 * 1000 * 1000 * crf + 75 * 60 * H + 25 * tb("solar") * H)
    assert res.summary["cost_breakdown_usd"]["tie_break"] == approx(25 * tb("solar") * H)
    _check_closes(res, ds)


def test_tie_break_fixes_which_zero_cost_energy_gives_way(tmp_path):
    # 170 MW of energy at no cost for 100 MW of demand: run-of-river 40 (its inflow), geothermal 30, solar 50, wind 50.
    # Without a tie-break every split is optimal. The ladder keeps the water, then geothermal, then solar: 40 + 30 +
    # 30 of solar's 50, and wind gives way entirely. Solar is at the margin, so the price is its tie-break cost; the
    # objective is the tie-break cost alone and the economic system cost is zero.
    tables = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("run_of_river", "hydro", renewable=True),
            tech("geothermal", "geothermal", renewable=True),
            tech("solar", "solar", renewable=True),
            tech("wind", "wind", renewable=True),
        ],
        "generators": [gen("geo", "A", "geothermal", 30), gen("sun", "A", "solar", 50), gen("wind", "A", "wind", 50)],
        "hydro": [
            {
                "hydro": "ror",
                "zone": "A",
                "technology": "run_of_river",
                "p_nom_mw": 60,
                "energy_mwh": 0,
                "inflow": "ror",
            }
        ],
    }
    ds = build(tmp_path, tables, {"A": [100.0]}, inflow_mw={"ror": [40.0]})
    res = solve_dataset(ds)
    disp = res.hourly["dispatch_mw"]
    assert [float(disp[u].iloc[0]) for u in ("ror", "geo", "sun", "wind")] == approx([40.0, 30.0, 30.0, 0.0])
    assert res.tables["prices"]["price_avg_usd_per_mwh"].tolist() == [approx(tb("solar"))]
    tie_break = (40 * tb("hydro") + 30 * tb("geothermal") + 30 * tb("solar")) * H
    assert res.summary["objective_usd"] == approx(tie_break)
    assert res.summary["cost_breakdown_usd"]["tie_break"] == approx(tie_break)
    assert res.summary["system_cost_usd"] == approx(0.0)
    _check_closes(res, ds)
    # Off, it is the plain LP: nothing costs anything, and the split is whichever vertex the solver lands on.
    off = solve_dataset(ds, ModelOptions(tie_break_usd_per_mwh=0.0))
    assert off.summary["objective_usd"] == approx(0.0)
    assert off.summary["cost_breakdown_usd"]["tie_break"] == 0.0
    assert float(off.hourly["dispatch_mw"][["ror", "geo", "sun", "wind"]].iloc[0].sum()) == approx(100.0)


def test_example_dataset_closes(tmp_path):
    from grid_model.dataset import load_dataset

    ds = load_dataset("data/example", hydrology="average")
    res = solve_dataset(ds)
    _check_closes(res, ds)
    assert res.summary["unserved_twh"] == approx(0.0)
    assert 0 < res.summary["renewable_share"] < 1


def test_results_read_as_blocks_equal_element_reads():
    """Results read whole Vars and the balance duals as column/row blocks; every block equals the same values
    read element by element from the Pyomo model (before it is released)."""
    from grid_model.dataset import load_dataset
    from grid_model.model import build_model
    from grid_model.solve import compile_model, release_model, run

    ds = load_dataset("data/example", hydrology="average")
    m, _ctx = build_model(ds, ModelOptions())
    compiled = compile_model(m)
    sol = run(compiled)
    T = list(m.TIMESTEPS)
    checked = 0
    for name in (
        "gen_dispatch_mw",
        "hydro_release_mw",
        "hydro_spill_mw",
        "hydro_level_mwh",
        "sto_charge_mw",
        "sto_discharge_mw",
        "sto_level_mwh",
        "link_flow_fwd_mw",
        "link_flow_bwd_mw",
        "zone_unserved_mw",
    ):
        var = getattr(m, name)
        outer = next(iter(var.index_set().subsets()))
        block = sol.block(name, list(outer))
        assert block is not None, name
        assert block.shape == (len(outer), len(T))
        assert np.array_equal(block, np.array([[sol.value(var[k, t]) for t in T] for k in outer]))
        checked += 1
    for name in ("gen_new_cap_mw", "sto_new_cap_mw", "link_new_cap_mw"):
        var = getattr(m, name)
        block = sol.block(name, list(var.keys()))
        assert np.array_equal(block, np.array([sol.value(v) for v in var.values()]))
    duals = sol.dual_block("zone_energy_balance", list(m.ZONES))
    assert np.array_equal(duals, np.array([[sol.dual(m.zone_energy_balance[z, t]) for t in T] for z in m.ZONES]))
    assert sum(sol.cost_usd.values()) == approx(sol.objective_usd, rel=1e-9)
    assert checked == 10
    release_model(compiled)  # a released model answers only through blocks, with the same values
    assert not hasattr(m, "gen_dispatch_mw")
    again = run(compiled)
    assert np.array_equal(again.block("gen_dispatch_mw", list(m.GENERATORS)), sol.block("gen_dispatch_mw"))
    with pytest.raises(RuntimeError, match="released"):
        again.value(None)
