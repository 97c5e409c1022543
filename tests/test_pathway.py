"""Pathways (issue 15): hand-solved two- and three-period systems, the one-period identity, the PyPSA
multi-investment-period oracle, balances per period and one-line errors.

The tiny system: one zone A, one timestep standing for the whole year (8,760 h), an existing 'old' plant of
1,000 MW at 50 USD/MWh (438,000 USD per MW-year of output) and a candidate 'new' plant with no running cost
whose annuity ``a`` [USD/MW/yr] is set through its capex: capex = a / (1,000 · CRF(r, n)). Discount rate 10 %,
base year 2030, so D_2030 = 1 and D_2031 = 1/1.1 when each period stands for one year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from tiny import balance_residual, gen, storage_residual, tech, zones

from grid_model.dataset import write_dataset
from grid_model.errors import InfeasibleError, InputError
from grid_model.pathway import solve_pathway
from grid_model.pathway.results import pathway_results
from grid_model.scenario import PathwayConfig, load_scenario
from grid_model.session import SolveSession

H = 8760.0
R = 0.1
OLD_USD_PER_MW_YR = 50.0 * H  # 438,000


def crf(r: float, n: float) -> float:
    return r / (1 - (1 + r) ** -n)


def _scenario(tmp_path, demand_mw: dict[int, float], annuity: float, pathway: dict, lifetime: int = 30, **tables):
    """Write the tiny dataset and a pathway scenario over it; returns the loaded scenario."""
    capex_per_kw = annuity / (1000.0 * crf(R, lifetime))
    data = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("old", "oil", vom_usd_per_mwh=50.0),
            tech("new", "nuclear", vom_usd_per_mwh=0.0, capex_usd_per_kw=capex_per_kw, lifetime_yr=lifetime),
        ],
        "generators": [gen("A-old", "A", "old", 1000.0), gen("A-new", "A", "new", 0.0, p_nom_max_mw=1000.0)],
        "demand_growth": [{"zone": "A", "year": y, "demand_twh": mw * H / 1e6} for y, mw in demand_mw.items()],
        **tables,
    }
    folder = write_dataset(tmp_path / "ds", data, {"A": [1.0]})
    sc = {
        "name": "pw",
        "dataset": str(folder),
        "hydrology": "2023",
        "time": {"mode": "full"},
        "discount_rate": R,
        "tie_break_usd_per_mwh": 0.0,
        "pathway": {"base_year": 2030, **pathway},
    }
    path = tmp_path / "pw.yaml"
    path.write_text(yaml.safe_dump(sc))
    return load_scenario(path)


def _built(ps) -> dict[int, float]:
    return {k[2]: v for k, v in ps.builds.items() if k[1] == "A-new" and v > 1e-9}


def test_growing_demand_is_met_by_building_in_each_period(tmp_path):
    # 100 MW in 2030, 150 MW in 2031; new capacity (300,000 USD/MW/yr) beats the old plant (438,000):
    # build 100 for 2030, 50 more for 2031; NPV = a·100·D_2030 + a·150·D_2031.
    a = 300_000.0
    sc = _scenario(tmp_path, {2030: 100.0, 2031: 150.0}, a, {"years": [2030, 2031]})
    ps = solve_pathway(sc)
    assert _built(ps) == {2030: pytest.approx(100.0), 2031: pytest.approx(50.0)}
    assert ps.weights.tolist() == pytest.approx([1.0, 1 / 1.1], rel=1e-12)
    assert ps.objective_usd == pytest.approx(a * (100 + 150 / 1.1), rel=1e-9)
    res = pathway_results(ps)
    assert res.summary["npv_objective_usd"] == pytest.approx(res.summary["npv_system_cost_usd"], rel=1e-12)
    periods = res.tables["periods"].set_index("period")
    # each period's annual cost is the annuities of the capacity in service then
    assert periods.at[2031, "system_cost_usd"] == pytest.approx(a * 150, rel=1e-9)


def test_a_falling_capex_delays_the_build(tmp_path):
    # capex factor 1.6 in 2030 (a = 480,000 > 438,000) and 0.8 in 2031 (240,000): run the old plant in 2030, build
    # in 2031. Building in 2030 would cost 480,000·(1 + 1/1.1) per MW against 438,000 + 240,000/1.1.
    traj = [
        {"technology": "new", "year": 2030, "capex_factor": 1.6},
        {"technology": "new", "year": 2031, "capex_factor": 0.8},
    ]
    sc = _scenario(tmp_path, {2030: 100.0, 2031: 100.0}, 300_000.0, {"years": [2030, 2031]}, cost_trajectories=traj)
    ps = solve_pathway(sc)
    assert _built(ps) == {2031: pytest.approx(100.0)}
    assert ps.objective_usd == pytest.approx(100 * (OLD_USD_PER_MW_YR + 240_000 / 1.1), rel=1e-9)


def test_myopic_foresight_costs_more_than_perfect(tmp_path):
    # a = 300,000 in 2030 and 100,000 in 2031 (capex factor 1/3). Perfect foresight waits: 100·(438,000 +
    # 100,000/1.1) = 52,890,909.09. Myopic builds in 2030 (300,000 < 438,000) and keeps that plant in 2031:
    # 100·300,000·(1 + 1/1.1) = 57,272,727.27.
    traj = [
        {"technology": "new", "year": 2030, "capex_factor": 1.0},
        {"technology": "new", "year": 2031, "capex_factor": 1 / 3},
    ]
    kw = {"cost_trajectories": traj}
    perfect = solve_pathway(
        _scenario(tmp_path / "p", {2030: 100.0, 2031: 100.0}, 300_000.0, {"years": [2030, 2031]}, **kw)
    )
    myopic = solve_pathway(
        _scenario(
            tmp_path / "m", {2030: 100.0, 2031: 100.0}, 300_000.0, {"years": [2030, 2031], "foresight": "myopic"}, **kw
        )
    )
    assert perfect.objective_usd == pytest.approx(100 * (OLD_USD_PER_MW_YR + 100_000 / 1.1), rel=1e-9)
    assert myopic.objective_usd == pytest.approx(100 * 300_000 * (1 + 1 / 1.1), rel=1e-9)
    assert _built(perfect) == {2031: pytest.approx(100.0)}
    assert _built(myopic) == {2030: pytest.approx(100.0)}


def test_an_asset_retires_after_its_lifetime_and_is_replaced(tmp_path):
    # periods 2030, 2035, 2040 (each five years, the last one year); lifetime 10: capacity built for 2030 serves
    # 2030 and 2035 and is gone in 2040, when it is built again. The annuity is paid in every year served and no
    # other, so the NPV is a·100·(D_2030 + D_2035 + D_2040) with no salvage value.
    a = 300_000.0
    sc = _scenario(
        tmp_path,
        {2030: 100.0, 2035: 100.0, 2040: 100.0},
        a,
        {"years": [2030, 2035, 2040]},
        lifetime=10,
        retirements=[{"zone": "A", "technology": "old", "year": 2035, "retired_mw": 400.0}],
    )
    ps = solve_pathway(sc)
    d = [sum(1.1**-k for k in range(0, 5)), sum(1.1**-k for k in range(5, 10)), 1.1**-10]
    assert ps.weights.tolist() == pytest.approx(d, rel=1e-12)
    assert _built(ps) == {2030: pytest.approx(100.0), 2040: pytest.approx(100.0)}
    assert ps.objective_usd == pytest.approx(a * 100 * sum(d), rel=1e-9)
    res = pathway_results(ps)
    units = res.tables["units"].set_index(["period", "unit"])
    # the new plant is in service in every period (one vintage, then its replacement) and never twice
    assert [units.at[(y, "A-new"), "new_mw"] for y in (2030, 2035, 2040)] == pytest.approx([100.0] * 3)
    # the old plant loses 400 MW from 2035 on (retirements.csv)
    assert [units.at[(y, "A-old"), "existing_mw"] for y in (2030, 2035, 2040)] == pytest.approx([1000.0, 600.0, 600.0])
    builds = res.tables["builds"]
    assert builds["last_year_in_service"].tolist() == [2039, 2049]


def test_a_committed_project_enters_at_its_year_and_an_earliest_one_not_before(tmp_path):
    # the new plant is a committed 100 MW project from 2031: nothing earlier, 100 MW from 2031 on, even though the
    # old plant would be cheaper to keep running (a = 500,000 > 438,000).
    com = [{"asset": "A-new", "kind": "generator", "year": 2031, "mode": "committed", "mw": 100.0}]
    sc = _scenario(tmp_path / "c", {2030: 100.0, 2031: 100.0}, 500_000.0, {"years": [2030, 2031]}, commissioning=com)
    assert _built(solve_pathway(sc)) == {2031: pytest.approx(100.0)}
    # 'earliest' 2031 with a = 300,000: worth building at once, but not allowed before 2031
    com[0]["mode"] = "earliest"
    sc = _scenario(tmp_path / "e", {2030: 100.0, 2031: 100.0}, 300_000.0, {"years": [2030, 2031]}, commissioning=com)
    ps = solve_pathway(sc)
    assert _built(ps) == {2031: pytest.approx(100.0)}
    assert ps.objective_usd == pytest.approx(100 * (OLD_USD_PER_MW_YR + 300_000 / 1.1), rel=1e-9)


def test_a_build_rate_limit_spreads_the_build(tmp_path):
    # at most 60 MW a year: 2030 stands for one year of building since 2029 → 60 MW, then 40 MW in 2031; the old
    # plant covers 40 MW in 2030.
    a = 300_000.0
    pathway = {"years": [2030, 2031], "base_year": 2029, "max_build_mw_per_yr": {"new": 60.0}}
    ps = solve_pathway(_scenario(tmp_path, {2030: 100.0, 2031: 100.0}, a, pathway))
    assert _built(ps) == {2030: pytest.approx(60.0), 2031: pytest.approx(40.0)}
    d1, d2 = 1 / 1.1, 1 / 1.1**2
    assert ps.objective_usd == pytest.approx(d1 * (60 * a + 40 * OLD_USD_PER_MW_YR) + d2 * 100 * a, rel=1e-9)


def test_one_period_is_the_one_year_run(tmp_path):
    sc = load_scenario("scenarios/example/interconnect.yaml")
    sc = sc.model_copy(update={"time": sc.time.model_copy(update={"mode": "downsample", "step_h": 6})})
    one_year = SolveSession(warm=False).solve(sc)
    ps = solve_pathway(sc.model_copy(update={"pathway": PathwayConfig(years=[2030], base_year=2030)}))
    assert ps.weights.tolist() == [1.0]
    assert ps.objective_usd == pytest.approx(one_year.summary["objective_usd"], rel=1e-9)
    assert ps.results[0].summary["system_cost_usd"] == pytest.approx(one_year.summary["system_cost_usd"], rel=1e-9)


def test_balances_and_storage_levels_close_in_every_period(tmp_path):
    sc = load_scenario("scenarios/example/interconnect.yaml")
    sc = sc.model_copy(
        update={
            "time": sc.time.model_copy(update={"mode": "downsample", "step_h": 6}),
            "pathway": PathwayConfig(years=[2026, 2030], base_year=2026),
        }
    )
    ps = solve_pathway(sc)
    for res, year in zip(ps.results, (2026, 2030), strict=True):
        ds = ps.datasets[year]
        assert balance_residual(res, ds) < 1e-6
        assert storage_residual(res, ds) < 1e-6
        assert res.summary["objective_usd"] == pytest.approx(sum(res.summary["cost_breakdown_usd"].values()), rel=1e-9)
    # the periods' discounted annual objectives add up to the LP's objective
    total = sum(w * r.summary["objective_usd"] for w, r in zip(ps.weights, ps.results, strict=True))
    assert total == pytest.approx(ps.objective_usd, rel=1e-9)
    # demand grows between the periods as demand_growth.csv says
    assert ps.results[1].summary["demand_twh"] > ps.results[0].summary["demand_twh"]


def test_pypsa_multi_investment_periods_give_the_same_objective(tmp_path):
    """PyPSA's objective with investment periods is Σ_p w_obj[p]·(Σ_t w_t·marginal cost·p_t + Σ_{assets active in
    p} capital_cost·p_nom), an asset active in p when build_year ≤ p < build_year + lifetime. Ours is the same sum
    with D_q = w_obj[q] and the annuity as capital_cost; PyPSA builds one extendable generator per build year."""
    pypsa = pytest.importorskip("pypsa")
    traj = [
        {"technology": "new", "year": 2030, "capex_factor": 1.0},
        {"technology": "new", "year": 2035, "capex_factor": 0.5},
    ]
    a = {2030: 300_000.0, 2035: 150_000.0}
    demand = {2030: 100.0, 2035: 140.0, 2040: 160.0}
    sc = _scenario(tmp_path, demand, 300_000.0, {"years": [2030, 2035, 2040]}, lifetime=8, cost_trajectories=traj)
    ours = solve_pathway(sc)
    n = pypsa.Network()
    years = [2030, 2035, 2040]
    n.set_snapshots(pd.MultiIndex.from_product([years, [0]]))
    n.investment_periods = years
    n.investment_period_weightings["years"] = [5, 5, 1]
    n.investment_period_weightings["objective"] = ours.weights
    for column in n.snapshot_weightings.columns:  # each snapshot stands for the whole year
        n.snapshot_weightings[column] = H
    n.add("Bus", "A")
    n.add("Load", "load", bus="A")
    n.loads_t.p_set = pd.DataFrame({"load": [demand[y] for y in years]}, index=n.snapshots)
    n.add("Generator", "old", bus="A", p_nom=1000.0, marginal_cost=50.0, build_year=2000, lifetime=np.inf)
    for y in years:
        annuity = a[y] if y in a else a[2035]
        n.add("Generator", f"new-{y}", bus="A", p_nom_extendable=True, capital_cost=annuity, build_year=y, lifetime=8)
    n.add("Generator", "shed", bus="A", p_nom=1e4, marginal_cost=10_000.0)
    status, _ = n.optimize(multi_investment_periods=True, solver_name="highs", include_objective_constant=False)
    assert status == "ok"
    assert float(n.objective) == pytest.approx(ours.objective_usd, rel=1e-6)
    built = {
        int(g.split("-")[1]): float(n.generators.at[g, "p_nom_opt"]) for g in n.generators.index if g.startswith("new")
    }
    assert {y: mw for y, mw in built.items() if mw > 1e-6} == pytest.approx(_built(ours))


def test_bad_pathway_keys_are_one_line_errors(tmp_path):
    for pathway, match in (
        ({"years": [2031, 2030]}, "increasing order"),
        ({"years": [2030, 2030]}, "listed twice"),
        ({"years": [2030], "base_year": 2031}, "base_year 2031 is after"),
        ({"years": [2030], "periods": {2035: {"subsidies": {"fuel": False}}}}, "2035 is not one of pathway.years"),
        ({"years": [2030], "periods": {2030: {"year": 2031}}}, "pathway.periods.2030.year"),
        ({"years": [2030], "periods": {2030: {"subsidies": {"fuels": False}}}}, "pathway.periods.2030.subsidies.fuels"),
    ):
        with pytest.raises(InputError, match=match):
            solve_pathway(_scenario(tmp_path, {2030: 100.0, 2031: 100.0}, 300_000.0, pathway))


def test_a_year_without_demand_data_is_an_error(tmp_path):
    sc = _scenario(tmp_path, {2030: 100.0, 2031: 100.0}, 300_000.0, {"years": [2030, 2035]})
    with pytest.raises(InputError, match=r"pathway period 2035: .*key 'year': 2035 is outside"):
        solve_pathway(sc)


def test_a_build_limit_that_cannot_meet_demand_is_explained(tmp_path):
    # unserved energy not allowed, the old plant retired, and at most 10 MW a year of new capacity: 2030 cannot
    # be served; the error says where demand is short, as a one-year run's diagnosis does.
    pathway = {"years": [2030, 2031], "base_year": 2029, "max_build_mw_per_yr": {"A:new": 10.0}}
    sc = _scenario(
        tmp_path,
        {2030: 100.0, 2031: 100.0},
        300_000.0,
        pathway,
        retirements=[{"zone": "A", "technology": "old", "year": 2030, "retired_mw": 1000.0}],
    )
    sc = sc.model_copy(update={"policy": sc.policy.model_copy(update={"allow_unserved": False})})
    with pytest.raises(InfeasibleError, match="infeasible in period 2030: zone_energy_balance: demand cannot be met"):
        solve_pathway(sc)


def test_pathway_compare_writes_tables_figures_and_a_report(tmp_path):
    """Two example pathways compared through the CLI: the tables agree with each run's own summary."""
    from typer.testing import CliRunner

    from grid_model.cli import app
    from grid_model.pathway_compare import read_pathway

    ex = (Path("scenarios/example/base.yaml")).resolve()
    (tmp_path / "base.yaml").write_text(
        f"extends: {ex}\nname: base\ntime: {{mode: downsample, step_h: 6}}\n"
        "pathway: {years: [2026, 2030], base_year: 2026}\n"
    )
    (tmp_path / "integrated.yaml").write_text(
        "extends: base.yaml\nname: integrated\nlinks: {mode: optimal}\n"
        "pathway: {periods: {2030: {subsidies: {fuel: false, electricity: false}}}}\n"
    )
    out = tmp_path / "cmp"
    result = CliRunner().invoke(
        app,
        [
            "compare",
            str(tmp_path / "base.yaml"),
            str(tmp_path / "integrated.yaml"),
            "--out",
            str(out),
            "--workers",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "pathways.csv").set_index("scenario")
    runs = {n: read_pathway(out / n) for n in ("base", "integrated")}
    for n, r in runs.items():
        assert table.at[n, "npv_system_cost_usd"] == pytest.approx(r.summary["npv_system_cost_usd"], rel=1e-9)
        # the NPV is the discount-weighted sum of the annual system costs of periods.csv
        p = r.periods
        assert r.summary["npv_system_cost_usd"] == pytest.approx(
            float((p["discount_weight"] * p["system_cost_usd"]).sum())
        )
    delta = runs["integrated"].summary["npv_system_cost_usd"] - runs["base"].summary["npv_system_cost_usd"]
    assert table.at["integrated", "npv_delta_vs_base_usd"] == pytest.approx(delta, rel=1e-9)
    periods = pd.read_csv(out / "pathway_periods.csv")
    fiscal = periods[periods["scenario"] == "integrated"].set_index("period")["subsidy_cost_usd"]
    assert fiscal[2026] > 0 and fiscal[2030] == 0.0  # both subsidies removed from 2030 on
    links = pd.read_csv(out / "interconnector_builds.csv")
    assert [c for c in links.columns if c.startswith("mw_")] == ["mw_2026", "mw_2030"]
    assert links[["mw_2026", "mw_2030"]].sum(axis=1).to_numpy() == pytest.approx(links["built_mw"].to_numpy())
    for name in ("pathway_capacity", "pathway_renewable_share", "pathway_npv", "pathway_links"):
        assert (out / "figures" / f"{name}.png").exists()
    report = (out / "report.md").read_text()
    assert "integrated: NPV saves" in report or "integrated: NPV costs" in report
    assert "data:image/png;base64," in (out / "report.html").read_text()


def test_compare_refuses_a_mix_of_pathways_and_one_year_scenarios(tmp_path):
    from grid_model.pathway_compare import load_pathways

    (tmp_path / "pw.yaml").write_text(
        f"extends: {Path('scenarios/example/base.yaml').resolve()}\npathway: {{years: [2030]}}\n"
    )
    with pytest.raises(InputError, match="compare pathways with pathways"):
        load_pathways([tmp_path / "pw.yaml", Path("scenarios/example/base.yaml")])


def test_a_pathway_plan_fixed_period_by_period_reproduces_its_operating_cost(tmp_path):
    """capacity_from on a pathway folder: each period fixes that period's plan; at the plan's own resolution the
    operating cost of every period is the plan's (the CSVs keep 10 significant digits). A one-year run can check
    one period of the plan (capacity_period)."""
    from grid_model.pathway import run_pathway
    from grid_model.pipeline import run_scenario

    sc = load_scenario("scenarios/example/interconnect.yaml")
    sc = sc.model_copy(
        update={
            "name": "plan",
            "time": sc.time.model_copy(update={"mode": "downsample", "step_h": 6}),
            "pathway": PathwayConfig(years=[2026, 2030], base_year=2026),
        }
    )
    plan = run_pathway(sc, tmp_path / "plan")
    assert plan.tables["builds"]["built_mw"].sum() > 0
    check = solve_pathway(sc.model_copy(update={"name": "check", "capacity_from": str(tmp_path / "plan")}))
    assert not any(v > 1e-9 for v in check.builds.values())
    planned = plan.tables["periods"].set_index("period")
    for res, year in zip(check.results, (2026, 2030), strict=True):
        assert res.summary["objective_usd"] == pytest.approx(planned.at[year, "operating_cost_usd"], rel=1e-9)
        assert res.summary["plan"]["capacity_period"] == year
    one = sc.model_copy(
        update={"pathway": None, "year": 2030, "capacity_from": str(tmp_path / "plan"), "capacity_period": 2030}
    )
    res, _ = run_scenario(one, tmp_path / "one")
    assert res.summary["objective_usd"] == pytest.approx(planned.at[2030, "operating_cost_usd"], rel=1e-9)
    with pytest.raises(
        InputError, match=r"key 'capacity_period': .* is a pathway: give capacity_period, one of \[2026, 2030\]"
    ):
        run_scenario(one.model_copy(update={"capacity_period": None}), tmp_path / "bad")


def test_a_commissioning_row_naming_an_unknown_asset_is_an_error(tmp_path):
    com = [{"asset": "A-nuke", "kind": "generator", "year": 2031, "mode": "committed", "mw": 100.0}]
    sc = _scenario(tmp_path, {2030: 100.0, 2031: 100.0}, 300_000.0, {"years": [2030, 2031]}, commissioning=com)
    with pytest.raises(
        InputError, match=r"commissioning\.csv, row 1, column asset: 'A-nuke' is not in generators\.csv"
    ):
        solve_pathway(sc)
