"""The comparison on the example set: warm re-solves equal cold solves, invariants, and every output."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grid_model.compare import run_compare
from grid_model.scenario import load_scenario
from grid_model.session import SolveSession

EXAMPLE = sorted(Path("scenarios/example").glob("*.yaml"))


@pytest.fixture(scope="module")
def warm_and_cold(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cmp")
    warm, _ = run_compare(EXAMPLE, tmp / "warm", figures=False, warm=True)
    cold, _ = run_compare(EXAMPLE, tmp / "cold", figures=False, warm=False)
    return tmp, warm, cold


def test_warm_resolves_equal_cold_solves(warm_and_cold):
    tmp, warm, cold = warm_and_cold
    runs = json.loads((tmp / "warm" / "timings.json").read_text())["runs"]
    modes = {r["scenario"]: r["mode"] for r in runs}
    # base/no_subsidies share existing links, interconnect/integrated share the candidates: one cold solve each
    assert sorted(modes.values()) == ["cold", "cold", "warm", "warm"]
    assert {modes["base"], modes["no_subsidies"]} == {"cold", "warm"}
    assert {modes["interconnect"], modes["integrated"]} == {"cold", "warm"}
    assert set(json.loads((tmp / "cold" / "timings.json").read_text())["runs"][i]["mode"] for i in range(4)) == {"cold"}
    for name in warm:
        w, c = warm[name].summary, cold[name].summary
        for key in ("objective_usd", "system_cost_usd", "subsidy_cost_usd", "co2_mt", "renewable_share"):
            assert w[key] == pytest.approx(c[key], rel=1e-7, abs=1e-6), (name, key)
        pw = warm[name].tables["prices"]["price_avg_usd_per_mwh"].to_numpy()
        pc = cold[name].tables["prices"]["price_avg_usd_per_mwh"].to_numpy()
        # prices may differ only where duals are degenerate; on this system they do not
        assert pw == pytest.approx(pc, rel=1e-6, abs=1e-4)
        # the tie-break costs make the split between zero-cost sources unique, so the mix is the same too
        for table, col in (("generation", "generation_twh"), ("capacity", "new_mw")):
            gw = warm[name].tables[table].set_index(["zone", "technology"])[col].sort_index()
            gc = cold[name].tables[table].set_index(["zone", "technology"])[col].sort_index()
            assert gw.to_numpy() == pytest.approx(gc.to_numpy(), rel=1e-6, abs=1e-6), (name, table)
        assert w["non_conventional_renewable_share"] == pytest.approx(c["non_conventional_renewable_share"], abs=1e-9)


def test_headline_invariants(warm_and_cold):
    _, res, _ = warm_and_cold
    cost = {n: r.summary["system_cost_usd"] for n, r in res.items()}
    obj = {n: r.summary["objective_usd"] for n, r in res.items()}
    # allowing candidate links never raises the optimal (dispatched) cost
    assert obj["interconnect"] <= obj["base"] * (1 + 1e-9)
    assert obj["integrated"] <= obj["no_subsidies"] * (1 + 1e-9)
    # no subsidies: no fiscal cost
    assert res["no_subsidies"].summary["subsidy_cost_usd"] == 0.0
    assert res["base"].summary["subsidy_cost_usd"] > 0.0
    # integrated reports consistently with its parts: its links are those of interconnect's kind,
    # its subsidies those of no_subsidies
    assert res["integrated"].summary["subsidy_cost_usd"] == res["no_subsidies"].summary["subsidy_cost_usd"]
    assert res["integrated"].tables["links"]["new_mw"].sum() > 0
    assert cost["integrated"] < cost["base"]


def test_fuel_subsidy_removal_never_raises_economic_cost_on_same_assets(tmp_path):
    # same assets (no expansion, existing links) and same demand (electricity subsidies kept)
    base = tmp_path / "fixed.yaml"
    base.write_text(
        f"name: fixed\ndataset: {Path('data/example').resolve()}\nhydrology: average\n"
        "expansion: {generation: false, storage: false}\nlinks: {mode: existing}\n"
    )
    nofuel = tmp_path / "fixed_nofuel.yaml"
    nofuel.write_text("extends: fixed.yaml\nsubsidies: {fuel: false}\n")
    session = SolveSession()
    a = session.solve(load_scenario(base))
    b = session.solve(load_scenario(nofuel))
    assert b.summary["demand_twh"] == pytest.approx(a.summary["demand_twh"], rel=1e-12)
    assert b.summary["system_cost_usd"] <= a.summary["system_cost_usd"] * (1 + 1e-9)


def test_electricity_subsidy_removal_cuts_demand_by_the_elasticity(warm_and_cold):
    _, res, _ = warm_and_cold
    # XB: tariff 80, subsidy 30, elasticity −0.2 → demand × (110/80)^−0.2
    d_base = res["base"].tables["prices"].set_index("zone")["demand_twh"]
    d_nos = res["no_subsidies"].tables["prices"].set_index("zone")["demand_twh"]
    assert d_nos["XB"] / d_base["XB"] == pytest.approx((110 / 80) ** -0.2, rel=1e-9)
    assert d_nos["XA"] == pytest.approx(d_base["XA"], rel=1e-12)
    effect = res["no_subsidies"].summary["electricity_subsidy_removal_demand_change_pu"]
    assert effect == {"XB": pytest.approx((110 / 80) ** -0.2 - 1, rel=1e-12)}
    elec = res["base"].tables["subsidies"]
    fiscal = elec.loc[elec["kind"] == "electricity", "fiscal_cost_usd"].sum()
    assert fiscal == pytest.approx(30.0 * d_base["XB"] * 1e6, rel=1e-9)


def test_comparison_outputs(warm_and_cold):
    tmp, res, _ = warm_and_cold
    out = tmp / "warm"
    for name in (
        "comparison.csv",
        "comparison.md",
        "countries.csv",
        "borders.csv",
        "new_capacity.csv",
        "report.md",
        "report.html",
        "timings.json",
    ):
        assert (out / name).stat().st_size > 0, name
    comp = pd.read_csv(out / "comparison.csv").set_index("scenario")
    for n, r in res.items():
        assert comp.at[n, "system_cost_usd"] == pytest.approx(r.summary["system_cost_usd"], rel=1e-9)
        assert comp.at[n, "delta_system_cost_usd"] == pytest.approx(
            r.summary["system_cost_usd"] - res["base"].summary["system_cost_usd"], rel=1e-9, abs=1e-3
        )
    countries = pd.read_csv(out / "countries.csv")
    # net imports over all zones sum to minus the losses: never positive
    for _, grp in countries.groupby("scenario"):
        assert grp["net_imports_twh"].sum() <= 1e-9
    borders = pd.read_csv(out / "borders.csv")
    assert set(borders["scenario"]) == set(res)
    report = (out / "report.md").read_text()
    assert "base" in report and "integrated" in report
    assert np.isfinite(comp["renewable_share"]).all()
