"""Zone CO2 caps and per-unit storage costs (issue 21), hand-solved."""

from __future__ import annotations

import pytest
from tiny import build, gen, tech, zones

from grid_model.errors import InfeasibleError, InputError
from grid_model.model import ModelOptions
from grid_model.pipeline import solve_dataset
from grid_model.scenario import Scenario, apply_scenario

REL = 1e-9


def _two_coal_zones(tmp_path, co2_t_per_mwh: float = 1.0):
    """A and B, 100 MW of demand each all year (one step of 8,760 h), no link. Coal at 10 USD/MWh emits
    ``co2_t_per_mwh`` in both; A also has 60 MW of a clean source at 30 USD/MWh."""
    tables = {
        "zones": zones("A", "B"),
        "fuels": [{"fuel": "coal", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": co2_t_per_mwh}],
        "technologies": [
            tech("coal", "coal", fuel="coal", efficiency_pu=1.0, vom_usd_per_mwh=10),
            tech("clean", "nuclear", vom_usd_per_mwh=30),
        ],
        "generators": [
            gen("A-coal", "A", "coal", 200),
            gen("A-clean", "A", "clean", 60),
            gen("B-coal", "B", "coal", 200),
        ],
    }
    return build(tmp_path, tables, {"A": [100.0], "B": [100.0]}, weight_h=[8760.0])


def test_a_zone_co2_cap_binds_in_its_zone_only(tmp_path):
    # A capped at 0.438 Mt = 50 MW of coal all year: coal 50 MW, clean 50 MW; B keeps 100 MW of coal.
    # (50·10 + 50·30)·8,760 + 100·10·8,760 = 17,520,000 + 8,760,000 = 26,280,000 USD/yr
    ds = _two_coal_zones(tmp_path)
    res = solve_dataset(ds, ModelOptions(zone_co2_cap_mt={"A": 0.438}, tie_break_usd_per_mwh=0))
    assert res.summary["objective_usd"] == pytest.approx(26_280_000.0, rel=REL)
    co2 = res.tables["emissions"].set_index("zone")["co2_mt"]
    assert co2["A"] == pytest.approx(0.438, rel=REL)
    assert co2["B"] == pytest.approx(0.876, rel=REL)


def test_an_unreachable_zone_cap_is_explained(tmp_path):
    # A can cut its coal to 40 MW at most (60 MW clean): at 0.5 tCO2/MWh, 40·8,760·0.5 = 0.1752 Mt is the least
    # it can emit. (At 1 tCO2/MWh a MWh short and a t over the cap cost the diagnosis the same, and either may be
    # named; at 0.5 the cap is the cheaper relaxation, so it is the one named.)
    ds = _two_coal_zones(tmp_path, co2_t_per_mwh=0.5)
    with pytest.raises(InfeasibleError, match=r"policy_zone_co2_cap: the least CO2 A can reach is 0\.18 Mt"):
        solve_dataset(ds, ModelOptions(zone_co2_cap_mt={"A": 0.1}, allow_unserved=False))


def test_a_cap_on_an_unknown_zone_is_a_one_line_error(tmp_path):
    ds = _two_coal_zones(tmp_path)
    sc = Scenario(name="t", policy={"zone_co2_cap_mt": {"XX": 1.0}})
    with pytest.raises(InputError, match=r"key 'policy.zone_co2_cap_mt': unknown zone 'XX' \(not in zones.csv\)"):
        apply_scenario(ds, sc)


def test_storage_costs_given_per_unit_override_the_technology(tmp_path):
    # One zone, two one-hour steps standing for 4,380 h each: a 10 USD/MWh source (200 MW) in the first, gas at 50 in the second; demand
    # 100 MW. A lossless 1-hour battery saves 40 USD/MWh·4,380 h = 175,200 USD/MW-yr. At the technology's cost
    # (1,000 USD/kW, 1 year: 1,000,000 USD/MW-yr) none is built; at the unit's own 50 USD/kW + 10 USD/kW-yr fixed
    # O&M over 1 year (60,000 USD/MW-yr) 100 MW is: 200 MW·4,380 h·10 + 100·60,000 = 8,760,000 + 6,000,000.
    tables = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("cheap", "bioenergy", vom_usd_per_mwh=10),
            tech("gas", "gas", vom_usd_per_mwh=50),
            tech("battery", "storage", capex_usd_per_kw=1000, lifetime_yr=30, fom_usd_per_kw_yr=100),
        ],
        "generators": [gen("cheap", "A", "cheap", 200, profile="first"), gen("gas", "A", "gas", 200)],
        "storage": [
            {"storage": "bat", "zone": "A", "technology": "battery", "p_nom_mw": 0, "p_nom_max_mw": 1000}
            | {"max_hours": 1, "efficiency_charge_pu": 1, "efficiency_discharge_pu": 1}
            | {"capex_usd_per_kw": 50, "fom_usd_per_kw_yr": 10, "lifetime_yr": 1}
        ],
    }
    ds = build(
        tmp_path,
        tables,
        {"A": [100.0, 100.0]},
        availability_pu={"first": [1, 0]},
        weight_h=[4380.0] * 2,
        duration_h=[1.0] * 2,  # a typical hour each: the battery cycles within the pair
    )
    res = solve_dataset(ds, ModelOptions(discount_rate=0.0, tie_break_usd_per_mwh=0))
    assert res.summary["objective_usd"] == pytest.approx(14_760_000.0, rel=REL)
    bat = res.tables["capacity"].set_index("technology").loc["battery"]
    assert bat["new_mw"] == pytest.approx(100.0, rel=REL)
    assert bat["investment_usd"] == pytest.approx(100 * 50 * 1000, rel=REL)  # overnight, at the unit's capex
    costs = res.summary["cost_breakdown_usd"]
    assert costs["capex_storage"] == pytest.approx(5_000_000.0, rel=REL)
    assert costs["fixed_om"] == pytest.approx(1_000_000.0, rel=REL)
