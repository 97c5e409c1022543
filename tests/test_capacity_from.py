"""capacity_from: fix an earlier run's capacities and re-optimise operation only (issue 15, item 8)."""

from __future__ import annotations

import pandas as pd
import pytest

from grid_model.errors import InputError
from grid_model.pipeline import run_scenario
from grid_model.scenario import load_scenario

EXAMPLE = "scenarios/example/interconnect.yaml"  # candidates optimised, generation and storage expandable


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    """The example interconnect plan at 3-hour steps: it builds generation, storage and links."""
    sc = load_scenario(EXAMPLE)
    sc = sc.model_copy(update={"name": "plan", "time": sc.time.model_copy(update={"mode": "downsample", "step_h": 3})})
    res, folder = run_scenario(sc, tmp_path_factory.mktemp("plan") / "plan")
    assert res.tables["capacity"]["new_mw"].sum() > 0 and res.tables["links"]["new_mw"].sum() > 0
    return sc, res, folder


def _check(sc, folder, tmp_path, **update):
    check = sc.model_copy(update={"name": "check", "capacity_from": str(folder), **update})
    return run_scenario(check, tmp_path / "check")[0]


def test_fixed_plan_reproduces_its_operating_cost_at_its_own_resolution(plan, tmp_path):
    sc, res, folder = plan
    again = _check(sc, folder, tmp_path)
    # nothing is built, so the objective is the plan's objective less its annuities and fixed O&M of new capacity
    assert again.summary["objective_usd"] == pytest.approx(res.summary["operating_cost_usd"], rel=1e-9)
    assert again.summary["investment_usd"] == 0.0
    units = again.tables["units"].set_index("unit")
    planned = res.tables["units"].set_index("unit")
    built = planned.loc[planned["kind"] != "hydro", "existing_mw"] + planned.loc[planned["kind"] != "hydro", "new_mw"]
    kept = built[built > 0]
    # the CSVs carry 10 significant digits, so the capacities read back agree to ~1e-10
    assert units.loc[kept.index, "existing_mw"].to_numpy() == pytest.approx(kept.to_numpy(), rel=1e-9)
    check = again.tables["plan_check"].set_index("metric")
    assert check.at["operating_cost_usd", "difference"] == pytest.approx(0.0, abs=1e-9 * res.summary["objective_usd"])


def test_a_plan_checked_on_the_hourly_week_reports_both(plan, tmp_path):
    sc, _res, folder = plan
    hourly = _check(sc, folder, tmp_path, time=sc.time.model_copy(update={"mode": "full"}))
    check = hourly.tables["plan_check"].set_index("metric")
    assert check.at["n_timesteps", "plan"] == 56 and check.at["n_timesteps", "this_run"] == 168
    assert check.at["system_cost_usd", "this_run"] == pytest.approx(hourly.summary["system_cost_usd"])
    assert hourly.summary["plan"]["capacity_from"] == str(folder.resolve())
    written = pd.read_csv(tmp_path / "check" / "plan_check.csv")
    assert list(written["metric"]) == list(check.index)


def test_capacity_from_a_folder_that_is_not_results_is_an_error(plan, tmp_path):
    sc, _res, _folder = plan
    with pytest.raises(InputError, match="key 'capacity_from': not a results folder"):
        _check(sc, tmp_path, tmp_path)
    assert not (tmp_path / "check").exists()


def test_a_planned_unit_missing_from_the_dataset_is_named(plan, tmp_path):
    sc, _res, folder = plan
    units = pd.read_csv(folder / "units.csv")
    units.loc[0, "unit"] = "ZZ-ghost"
    bad = tmp_path / "bad"
    bad.mkdir()
    for f in ("links.csv", "summary.json"):
        (bad / f).write_bytes((folder / f).read_bytes())
    units.to_csv(bad / "units.csv", index=False)
    with pytest.raises(
        InputError, match=r"units.csv, row 1, column unit: 'ZZ-ghost' is not in this scenario's dataset"
    ):
        _check(sc, bad, tmp_path)
