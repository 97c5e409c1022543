"""Several hydrologies in one LP (issue 16): invest once, operate under each, minimise the expected cost."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny import balance_residual, build, gen, tech, zones

from grid_model.errors import InputError
from grid_model.pipeline import solve_dataset
from grid_model.scenario import Scenario, apply_scenario, load_scenario, scenario_inputs
from grid_model.stochastic import combine_hydrologies

REL = 1e-9


def _wet_dry(tmp_path):
    """One zone, 100 MW of demand all year (one step of 8,760 h). Run-of-river hydro (100 MW) gets 80 MW of inflow
    in the wet year and 40 MW in the dry one. Two candidates: CCGT (100 USD/kW, 1-year life at 0 %: 100,000
    USD/MW-yr; 50 USD/MWh) and OCGT (20,000 USD/MW-yr; 150 USD/MWh): they cost the same per MW at 800 h a year."""
    tables = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("ccgt", "gas", vom_usd_per_mwh=50, capex_usd_per_kw=100, lifetime_yr=1),
            tech("ocgt", "gas", vom_usd_per_mwh=150, capex_usd_per_kw=20, lifetime_yr=1),
            tech("run_of_river", "hydro", renewable=True),
        ],
        "generators": [
            gen("A-ccgt", "A", "ccgt", 0, p_nom_max_mw=1000),
            gen("A-ocgt", "A", "ocgt", 0, p_nom_max_mw=1000),
        ],
        "hydro": [
            {"hydro": "A-ror", "zone": "A", "technology": "run_of_river", "p_nom_mw": 100, "energy_mwh": 0}
            | {"inflow": "ror"}
        ],
    }
    ds = build(tmp_path, tables, {"A": [100.0]}, inflow_mw={"ror": [80.0]}, weight_h=[8760.0], hydrology="wet")
    pd.DataFrame({"timestep": [0], "ror": [40.0]}).to_csv(ds.path / "timeseries" / "inflow_mw_dry.csv", index=False)
    return ds.path


def _scenario(folder, hydrology) -> Scenario:
    return Scenario(name="s", dataset=str(folder), hydrology=hydrology, discount_rate=0, tie_break_usd_per_mwh=0)


def _solve(sc: Scenario):
    return solve_dataset(scenario_inputs(sc), sc.model_options(), name=sc.name)


def test_the_plan_for_a_mix_of_hydrologies_hedges(tmp_path):
    """π_dry = 0.05. The first 20 MW of thermal run all year in both hydrologies: CCGT. The next 40 MW run only in
    the dry year, 0.05 × 8,760 = 438 h expected (< 800 h): OCGT. Capacity 2,000,000 + 800,000; operation wet
    20·8,760·50 = 8,760,000, dry 8,760,000 + 40·8,760·150 = 61,320,000; expected 0.95·8.76 M + 0.05·61.32 M
    = 11,388,000. Objective 14,188,000 USD/yr. (Planned for the wet year alone: 20 MW of CCGT; for the dry
    year: 60 MW of CCGT.)"""
    folder = _wet_dry(tmp_path)
    res = _solve(_scenario(folder, {"scenarios": {"wet": 0.95, "dry": 0.05}}))
    assert res.summary["objective_usd"] == pytest.approx(14_188_000.0, rel=REL)
    built = res.tables["capacity"].set_index("technology")["new_mw"]
    assert (built["ccgt"], built["ocgt"]) == (pytest.approx(20.0, rel=REL), pytest.approx(40.0, rel=REL))
    hyd = res.tables["hydrology"].set_index("hydrology")
    assert hyd.at["wet", "operating_cost_usd"] == pytest.approx(8_760_000.0, rel=REL)
    assert hyd.at["dry", "operating_cost_usd"] == pytest.approx(61_320_000.0, rel=REL)
    expected = (hyd["probability"] * hyd["operating_cost_usd"]).sum()
    assert expected + 2_800_000.0 == pytest.approx(res.summary["objective_usd"], rel=REL)
    assert res.summary["hydrology"]["worst"] == "dry"
    for hydrology, ccgt in (("wet", 20.0), ("dry", 60.0)):
        alone = _solve(_scenario(folder, hydrology)).tables["capacity"].set_index("technology")["new_mw"]
        assert alone["ccgt"] == pytest.approx(ccgt, rel=REL) and alone["ocgt"] == pytest.approx(0.0, abs=1e-9)


def test_prices_are_each_hydrology_s_own(tmp_path):
    # each hydrology's price is its balance dual divided by π·w: between the cheapest running cost (50) and the
    # value of lost load, and higher in the dry year, whose scarcity pays for the OCGT
    folder = _wet_dry(tmp_path)
    sc = _scenario(folder, {"scenarios": {"wet": 0.95, "dry": 0.05}})
    res = _solve(sc)
    by = res.tables["hydrology"].set_index("hydrology")["price_avg_usd_per_mwh"]
    assert 50.0 <= by["wet"] <= by["dry"] <= 10_000.0
    assert balance_residual(res, scenario_inputs(sc)) < 1e-6


def test_one_hydrology_as_a_block_gives_the_deterministic_result(tmp_path):
    sc = load_scenario("scenarios/example/interconnect.yaml")
    from grid_model.dataset import load_dataset

    raw = load_dataset(sc.dataset_path(), "average")
    plain = solve_dataset(apply_scenario(raw, sc), sc.model_options())
    block = combine_hydrologies({"average": apply_scenario(raw, sc, aggregate=False)}, {"average": 1.0}, sc.time, "x")
    assert block.time.hydrologies == ("average",)
    as_block = solve_dataset(block, sc.model_options())
    assert as_block.summary["objective_usd"] == pytest.approx(plain.summary["objective_usd"], rel=REL)


def test_typical_days_are_chosen_once_for_every_hydrology(tmp_path):
    sc = load_scenario("scenarios/example/interconnect.yaml")
    sc = Scenario.model_validate(
        {
            **sc.model_dump(),
            "hydrology": {"scenarios": {"average": 0.6, "2023": 0.4}},
            "time": {"mode": "downsample", "step_h": 4},
        }
    )
    ds = scenario_inputs(sc)
    t = ds.time
    assert t.hydrologies == ("average", "2023") and t.expected_weight_h.sum() == pytest.approx(8760.0)
    n = t.n_steps // 2
    assert np.array_equal(ds.demand_mw.iloc[:n].to_numpy(), ds.demand_mw.iloc[n:].to_numpy())
    assert not np.array_equal(ds.inflow_mw.iloc[:n].to_numpy(), ds.inflow_mw.iloc[n:].to_numpy())
    res = solve_dataset(ds, sc.model_options())
    assert balance_residual(res, ds) < 1e-6
    assert res.summary["objective_usd"] == pytest.approx(sum(res.summary["cost_breakdown_usd"].values()), rel=REL)


@pytest.mark.parametrize(
    ("hydrology", "message"),
    [
        ({"scenarios": {"wet": 0.5, "dry": 0.4}}, "probabilities must sum to 1"),
        ({"scenarios": {"wet": 1.2, "dry": -0.2}}, "every probability must be > 0"),
    ],
)
def test_bad_probabilities_are_one_line_errors(tmp_path, hydrology, message):
    path = tmp_path / "s.yaml"
    path.write_text(f"name: s\ndataset: {tmp_path}\nhydrology: {hydrology}\n")
    with pytest.raises(InputError, match=message) as err:
        load_scenario(path)
    assert "\n" not in str(err.value)


def test_an_unknown_hydrology_is_a_one_line_error(tmp_path):
    folder = _wet_dry(tmp_path)
    with pytest.raises(InputError, match="hydrology 'moist' not found"):
        scenario_inputs(_scenario(folder, {"scenarios": {"wet": 0.5, "moist": 0.5}}))


def test_value_of_the_stochastic_solution_by_hand(tmp_path):
    """Planned for the wet year alone: 20 MW of CCGT (2,000,000 USD/yr). Operated across the mix it leaves 40 MW
    unserved all of the dry year at 10,000 USD/MWh: wet 8,760,000; dry 8,760,000 + 40·8,760·10,000
    = 3,512,760,000; expected 0.95·8.76 M + 0.05·3,512.76 M = 183,960,000. EEV = 185,960,000; the plan for the
    mix costs 14,188,000 (above): VSS = 171,772,000 USD/yr."""
    from grid_model.stochastic_value import value_of_stochastic_solution

    sc = _scenario(_wet_dry(tmp_path), {"scenarios": {"wet": 0.95, "dry": 0.05}})
    row = value_of_stochastic_solution(sc, tmp_path / "vss", mean_hydrology="wet").iloc[0]
    assert row["mean_plan_investment_usd"] == pytest.approx(2_000_000.0, rel=REL)
    assert row["mean_plan_expected_cost_usd"] == pytest.approx(185_960_000.0, rel=REL)
    assert row["vss_usd"] == pytest.approx(171_772_000.0, rel=REL)
    assert row["mean_plan_expected_unserved_twh"] == pytest.approx(0.05 * 40 * 8760 / 1e6, rel=REL)
    side = pd.read_csv(tmp_path / "vss" / "vss_capacity.csv").set_index("asset")
    assert side.at["A ocgt", "new_mw_stochastic"] == pytest.approx(40.0) and side.at["A ocgt", "new_mw_mean"] == 0
    assert sorted(p.name for p in (tmp_path / "vss").iterdir()) == [
        "mean_plan",
        "mean_plan_under_mix",
        "stochastic",
        "vss.csv",
        "vss_capacity.csv",
    ]


@given(
    wet=st.floats(20, 100),
    dry=st.floats(0, 60),
    p_dry=st.floats(0.05, 0.6),
    ccgt_capex=st.floats(30, 200),
    voll=st.floats(500, 5000),
)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_value_of_the_stochastic_solution_is_never_negative(tmp_path_factory, wet, dry, p_dry, ccgt_capex, voll):
    """A plan made for the mix is never worse, in expectation, than the mean-year plan operated across it."""
    from grid_model.stochastic_value import value_of_stochastic_solution

    tmp = tmp_path_factory.mktemp("vss")
    folder = _wet_dry(tmp)
    pd.DataFrame({"timestep": [0], "ror": [wet]}).to_csv(folder / "timeseries" / "inflow_mw_wet.csv", index=False)
    pd.DataFrame({"timestep": [0], "ror": [dry]}).to_csv(folder / "timeseries" / "inflow_mw_dry.csv", index=False)
    for f, col, value in (
        ("technologies.csv", "capex_usd_per_kw", ccgt_capex),
        ("zones.csv", "voll_usd_per_mwh", voll),
    ):
        t = pd.read_csv(folder / f)
        t.loc[0, col] = value
        t.to_csv(folder / f, index=False)
    sc = _scenario(folder, {"scenarios": {"wet": 1 - p_dry, "dry": p_dry}})
    row = value_of_stochastic_solution(sc, tmp / "out", mean_hydrology="wet").iloc[0]
    assert row["vss_usd"] >= -1e-7 * abs(row["stochastic_objective_usd"])


def test_a_risk_averse_plan_by_hand(tmp_path):
    """Expected cost + 1·CVaR_0.95 with π_dry = 0.05: the CVaR is the dry year's operating cost, so the 40 MW that
    run only in the dry year are valued at 0.05·8,760 + 8,760 hours: CCGT 100,000 + 50·9,198 = 559,900 per MW
    against OCGT 20,000 + 150·9,198 = 1,399,700 — CCGT. Plan: 60 MW of CCGT (6,000,000 USD/yr). Operation: wet
    20·8,760·50 = 8,760,000, dry 60·8,760·50 = 26,280,000; expected 9,636,000; CVaR 26,280,000. Objective
    41,916,000 USD/yr, of which the risk term (not money) is 26,280,000."""
    sc = _scenario(_wet_dry(tmp_path), {"scenarios": {"wet": 0.95, "dry": 0.05}})
    sc = sc.model_copy(update={"risk": sc.risk.model_copy(update={"weight": 1.0, "alpha": 0.95})})
    res = _solve(sc)
    built = res.tables["capacity"].set_index("technology")["new_mw"]
    assert built["ccgt"] == pytest.approx(60.0, rel=REL) and built["ocgt"] == pytest.approx(0.0, abs=1e-9)
    assert res.summary["objective_usd"] == pytest.approx(41_916_000.0, rel=REL)
    assert res.summary["cost_breakdown_usd"]["risk_cvar"] == pytest.approx(26_280_000.0, rel=REL)
    assert res.summary["system_cost_usd"] == pytest.approx(15_636_000.0, rel=REL)  # capex + expected operation
    assert res.summary["hydrology"]["operating_cost_cvar_usd"] == pytest.approx(26_280_000.0, rel=REL)
    assert res.summary["objective_usd"] == pytest.approx(sum(res.summary["cost_breakdown_usd"].values()), rel=REL)


def test_compare_under_a_hydrology_mix_reports_interconnectors_and_droughts(tmp_path):
    from grid_model.compare import run_compare

    paths = []
    for name in ("base", "interconnect"):
        text = (
            f"name: {name}\nextends: {Path('scenarios/example').resolve() / (name + '.yaml')}\n"
            'hydrology:\n  scenarios: {average: 0.7, "2023": 0.3}\n'
        )
        (tmp_path / f"{name}.yaml").write_text(text)
        paths.append(tmp_path / f"{name}.yaml")
    results, folder = run_compare(paths, tmp_path / "cmp", figures=False, workers=1)
    report = (folder / "report.md").read_text()
    assert "## Interconnectors and droughts" in report
    worst = results["interconnect"].summary["hydrology"]["worst"]
    assert f"interconnect: in its worst hydrology ({worst})" in report
    by = pd.read_csv(folder / "interconnect" / "links_by_hydrology.csv")
    assert by.groupby("link")["share_of_expected_rent"].sum().round(9).isin([0.0, 1.0]).all()


@pytest.mark.parametrize("p_dry", [0.05, 0.3])
def test_pypsa_two_stage_stochastic_network_gives_the_same_objective(tmp_path, p_dry):
    """PyPSA's stochastic network (``n.set_scenarios``), built here from the documented semantics: the same bus,
    load, run-of-river (as a generator whose p_max_pu is the hydrology's inflow / capacity) and the two candidates;
    its objective Σ_s π_s·operating cost_s + capital costs is grid_model's expected cost."""
    import logging
    import warnings

    pypsa = pytest.importorskip("pypsa")
    logging.getLogger("pypsa").setLevel(logging.ERROR)
    logging.getLogger("linopy").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n = pypsa.Network()
        n.set_snapshots([0])
        n.snapshot_weightings.loc[:, :] = 8760.0
        n.add("Bus", "A")
        n.add("Load", "load", bus="A", p_set=100.0)
        n.add("Generator", "shed", bus="A", p_nom=100.0, marginal_cost=10_000.0)
        n.add("Generator", "ror", bus="A", p_nom=100.0, p_max_pu=0.8)
        n.add("Generator", "ccgt", bus="A", p_nom_extendable=True, capital_cost=100_000.0, marginal_cost=50.0)
        n.add("Generator", "ocgt", bus="A", p_nom_extendable=True, capital_cost=20_000.0, marginal_cost=150.0)
        n.set_scenarios({"wet": 1 - p_dry, "dry": p_dry})
        n.generators_t.p_max_pu.loc[:, ("wet", "ror")] = 0.8
        n.generators_t.p_max_pu.loc[:, ("dry", "ror")] = 0.4
        n.optimize(solver_name="highs")
    ours = _solve(_scenario(_wet_dry(tmp_path), {"scenarios": {"wet": 1 - p_dry, "dry": p_dry}}))
    assert ours.summary["objective_usd"] == pytest.approx(float(n.objective), rel=1e-6)


def test_storage_and_reservoir_levels_close_within_each_hydrology_year():
    """Levels rebuilt from the hourly tables: each hydrology's block is its own cyclic year."""
    sc = load_scenario("scenarios/example/interconnect.yaml")
    sc = Scenario.model_validate(
        {
            **sc.model_dump(),
            "hydrology": {"scenarios": {"average": 0.5, "2023": 0.5}},
            "time": {"mode": "downsample", "step_h": 4},
        }
    )
    ds = scenario_inputs(sc)
    res = solve_dataset(ds, sc.model_options())
    h = res.hourly
    hyd = h["storage_level_mwh"]["hydrology"].to_numpy()
    dur = h["storage_level_mwh"]["duration_h"].to_numpy()
    reservoirs = ds.tables["hydro"].index[ds.tables["hydro"]["energy_mwh"] > 0]
    sto = ds.tables["storage"]
    assert len(reservoirs) and len(sto)
    for name in ("average", "2023"):
        m = hyd == name
        for u in reservoirs:
            lvl = h["storage_level_mwh"][u].to_numpy()[m]
            flow = (h["hydro_inflow_mw"][u] - h["dispatch_mw"][u] - h["hydro_spill_mw"][u]).to_numpy()[m]
            assert np.abs(lvl - np.roll(lvl, 1) - dur[m] * flow).max() < 1e-6, (name, u)
        for s, row in sto.iterrows():
            e = h["storage_level_mwh"][s].to_numpy()[m]
            c, d = h["storage_charge_mw"][s].to_numpy()[m], h["storage_discharge_mw"][s].to_numpy()[m]
            keep = (1 - row["standing_loss_pu_per_h"]) ** dur[m]
            gain = dur[m] * (row["efficiency_charge_pu"] * c - d / row["efficiency_discharge_pu"])
            assert np.abs(e - keep * np.roll(e, 1) - gain).max() < 1e-6, (name, s)
    assert balance_residual(res, ds) < 1e-6
