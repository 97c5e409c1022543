"""Committed links (links.csv ``p_nom_min_mw``) in every links mode, and the default link losses, solved by hand.

Issue 21: the scenario layer overwrote ``p_nom_min_mw`` in every mode, so a committed project was never built.
"""

from __future__ import annotations

import pytest
from tiny import build, gen, tech, zones

from grid_model.model import ModelOptions
from grid_model.pipeline import solve_dataset
from grid_model.scenario import Scenario, apply_scenario
from grid_model.schema import AC_LOSS_PU_PER_1000KM, DC_CONVERTER_LOSS_PU, DC_LOSS_PU_PER_1000KM, LINKS

REL = 1e-9
W = 4380.0  # two steps of 4,380 h


def _solve(ds, mode: str, **links):
    sc = Scenario(name="t", links={"mode": mode, **links}, tie_break_usd_per_mwh=0, discount_rate=0)
    res = solve_dataset(apply_scenario(ds, sc), sc.model_options())
    built = res.tables["links"]["new_mw"].sum() if len(res.tables["links"]) else 0.0
    return float(built), res.summary["objective_usd"]


def _corridor(tmp_path, floor, project_mw=0.0):
    """A: 1,000 MW at 10 USD/MWh, demand 50 MW. B: 1,000 MW at 50 USD/MWh, demand 249.5 then 400 MW. Candidate A→B,
    lossless, 200,000 USD/MW/yr (capex 200,000, lifetime 1 yr at a 0 % discount rate, no fixed O&M), cap 300 MW.

    Each MW of link saves 40 USD/MWh in every step where B needs it: 350,400 USD/yr up to 249.5 MW, 175,200 above.
    At 200,000 USD/MW/yr the optimum is y* = 249.5 MW.
    """
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
                "project_mw": project_mw,
                "p_nom_max_mw": 300,
                "p_nom_min_mw": floor,
                "length_km": 100,
                "loss_pu": 0.0,
                "capex_usd_per_mw": 200_000,
                "fom_pct_per_yr": 0,
                "lifetime_yr": 1,
            }
        ],
    }
    return build(tmp_path, tables, {"A": [50.0, 50.0], "B": [249.5, 400.0]}, weight_h=[W, W])


# y = 249.5: step 0 all from A: 10·(50 + 249.5) = 2,995 USD/h; step 1: 10·299.5 + 50·150.5 = 10,520 USD/h;
# (2,995 + 10,520)·4,380 + 200,000·249.5 = 59,195,700 + 49,900,000 = 109,095,700 USD/yr.
OPTIMUM = (249.5, 109_095_700.0)
# y = 264.6: step 0 2,995 USD/h; step 1: 10·314.6 + 50·135.4 = 9,916 USD/h;
# (2,995 + 9,916)·4,380 + 200,000·264.6 = 56,550,180 + 52,920,000 = 109,470,180 USD/yr.
COMMITTED = (264.6, 109_470_180.0)


def test_floor_below_the_optimum_does_not_bind(tmp_path):
    for floor in (None, 100.0):
        built, obj = _solve(_corridor(tmp_path, floor), "optimal")
        assert (built, obj) == (pytest.approx(OPTIMUM[0], rel=REL), pytest.approx(OPTIMUM[1], rel=REL))


@pytest.mark.parametrize(
    ("mode", "project_mw"),
    [
        ("optimal", 0.0),
        ("projects", 100.0),  # planned 100 MW, committed 264.6 MW: the larger is built
        ("existing", 0.0),  # candidates off, but a committed project is built
    ],
)
def test_floor_between_the_optimum_and_the_cap_is_built(tmp_path, mode, project_mw):
    built, obj = _solve(_corridor(tmp_path, 264.6, project_mw), mode)
    assert built == pytest.approx(COMMITTED[0], rel=REL)
    assert obj == pytest.approx(COMMITTED[1], rel=REL)


def test_without_a_floor_existing_and_projects_modes_are_unchanged(tmp_path):
    ds = _corridor(tmp_path, None, 100.0)
    # existing: nothing built; (10·50 + 50·249.5 + 10·50 + 50·400)·4,380 = 33,475·4,380 = 146,620,500 USD/yr
    assert _solve(ds, "existing") == (0.0, pytest.approx(146_620_500.0, rel=REL))
    # projects: 100 MW; step 0: 10·150 + 50·149.5 = 8,975; step 1: 10·150 + 50·300 = 16,500 USD/h;
    # (8,975 + 16,500)·4,380 + 200,000·100 = 111,580,500 + 20,000,000 = 131,580,500 USD/yr
    assert _solve(ds, "projects") == (pytest.approx(100.0, rel=REL), pytest.approx(131_580_500.0, rel=REL))


def test_committed_floor_when_the_optimum_is_zero_issue_21(tmp_path):
    """The issue's reproduction: identical gas units on both sides, so trade saves nothing and the optimum is 0 MW;
    the committed 150 MW is built and paid: 150 · (1e6 · CRF(7 %, 40 yr) + 1.5 % · 1e6) on top of 105,120,000."""
    tables = {
        "zones": zones("A", "B"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 30, "co2_t_per_mwh_th": 0.2}],
        "technologies": [tech("ccgt", "gas", fuel="gas", efficiency_pu=0.5)],
        "generators": [gen("A-ccgt", "A", "ccgt", 1000), gen("B-ccgt", "B", "ccgt", 1000)],
        "links": [
            {
                "link": "A-B",
                "zone_from": "A",
                "zone_to": "B",
                "kind": "AC",
                "status": "candidate",
                "p_nom_mw": 0,
                "project_mw": 100,
                "p_nom_max_mw": 200,
                "p_nom_min_mw": 150,
                "length_km": 100,
                "loss_pu": 0.01,
                "capex_usd_per_mw": 1_000_000,
            }
        ],
    }
    ds = build(tmp_path, tables, {"A": [100.0, 100.0], "B": [100.0, 100.0]}, weight_h=[W, W])
    crf = 0.07 / (1 - 1.07**-40)
    expected = 200 * 60 * 8760 + 150 * (1e6 * crf + 15_000)  # fuel 30/0.5 = 60 USD/MWh for 200 MW all year
    for mode in ("optimal", "projects", "existing"):
        sc = Scenario(name="t", links={"mode": mode}, tie_break_usd_per_mwh=0)
        res = solve_dataset(apply_scenario(ds, sc), sc.model_options())
        assert res.tables["links"]["new_mw"].sum() == pytest.approx(150.0, rel=REL)
        assert res.summary["objective_usd"] == pytest.approx(expected, rel=REL)


# ------------------------------------------------------------------ default losses


@pytest.mark.parametrize(
    ("kind", "length_km", "loss"),
    [
        ("AC", 1000.0, 0.0675),  # 6.75 %/1,000 km
        ("DC", 500.0, 0.035 * 0.5 + 0.013),  # 3.5 %/1,000 km + 1.3 % converters = 3.05 %
    ],
)
def test_default_loss_receiving_end_gets_one_minus_the_default(tmp_path, kind, length_km, loss):
    # B (100 MW, no generation) is fed from A (10 USD/MWh, own demand 50 MW): A sends f = 100 / (1 − λ);
    # objective 10 · (50 + 100 / (1 − λ)) · 8,760 USD/yr.
    tables = {
        "zones": zones("A", "B"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [tech("cheap", "nuclear", vom_usd_per_mwh=10)],
        "generators": [gen("A-cheap", "A", "cheap", 1000)],
        "links": [
            {
                "link": "A-B",
                "zone_from": "A",
                "zone_to": "B",
                "kind": kind,
                "status": "existing",
                "p_nom_mw": 500,
                "length_km": length_km,
            }
        ],
    }
    ds = build(tmp_path, tables, {"A": [50.0, 50.0], "B": [100.0, 100.0]})
    res = solve_dataset(ds, ModelOptions(tie_break_usd_per_mwh=0))
    link = res.tables["links"].iloc[0]
    assert link["loss_pu"] == pytest.approx(loss, rel=REL)  # the loss the model used, reported in links.csv
    assert link["flow_forward_twh"] == pytest.approx(100 / (1 - loss) * 8760 / 1e6, rel=REL)
    assert res.summary["objective_usd"] == pytest.approx(10 * (50 + 100 / (1 - loss)) * 8760, rel=REL)


def test_an_override_of_length_km_changes_the_default_loss(tmp_path):
    # the 1,000 km AC link of the test above, overridden to 2,000 km by the scenario: λ = 2 × 6.75 % = 13.5 %
    tables = {
        "zones": zones("A", "B"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [tech("cheap", "nuclear", vom_usd_per_mwh=10)],
        "generators": [gen("A-cheap", "A", "cheap", 1000)],
        "links": [
            {"link": "A-B", "zone_from": "A", "zone_to": "B", "kind": "AC", "status": "existing"}
            | {"p_nom_mw": 500, "length_km": 1000.0}
        ],
    }
    ds = build(tmp_path, tables, {"A": [50.0, 50.0], "B": [100.0, 100.0]})
    sc = Scenario(
        name="longer",
        dataset=str(ds.path),
        tie_break_usd_per_mwh=0,
        overrides=[{"table": "links", "id": "A-B", "column": "length_km", "value": 2000.0}],
    )
    res = solve_dataset(apply_scenario(ds, sc), sc.model_options())
    loss = 2 * AC_LOSS_PU_PER_1000KM
    assert res.tables["links"].iloc[0]["loss_pu"] == pytest.approx(loss, rel=REL)
    assert res.summary["objective_usd"] == pytest.approx(10 * (50 + 100 / (1 - loss)) * 8760, rel=REL)


def test_schema_states_the_loss_defaults_the_model_uses():
    text = LINKS.column("loss_pu").description
    assert f"AC {AC_LOSS_PU_PER_1000KM * 100:g} %/1,000 km" in text
    assert f"DC {DC_LOSS_PU_PER_1000KM * 100:g} %/1,000 km + {DC_CONVERTER_LOSS_PU * 100:g} % converter" in text
