"""The PyPSA translation of a scenario (grid_model.export.pypsa, which benchmarks/headline_pypsa.py uses) solves
the same LP as grid_model.

The headline benchmark times ``grid-model compare`` against PyPSA runs of the same scenarios; that comparison is
only fair if both tools solve one LP. An LP's optimal value is unique, so equal objectives (1e-9 relative) on
chronological and typical-day cases — batteries cyclic within each typical day, reservoirs linked across the year
(Kotzur), expandable links with tied capacities, subsidised fuel prices — show the translation is faithful.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pypsa = pytest.importorskip("pypsa")

from tiny import example_year  # noqa: E402

from grid_model.export.pypsa import NotTranslated, build_network  # noqa: E402
from grid_model.model import ModelOptions  # noqa: E402
from grid_model.pipeline import solve_dataset  # noqa: E402
from grid_model.scenario import TimeConfig, load_run_inputs  # noqa: E402
from grid_model.timeseries import aggregate_time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

SAME = {"solver": "ipm", "run_crossover": "on"}


def pypsa_objective(ds, options: ModelOptions) -> float:
    n, extra = build_network(ds, options)
    status = n.optimize(
        solver_name="highs",
        io_api="direct",
        include_objective_constant=True,
        log_to_console=False,
        extra_functionality=extra,
        solver_options=SAME,
    )
    assert status == ("ok", "optimal")
    return float(n.objective)


@pytest.mark.parametrize("name", ["base", "integrated"])
def test_chronological_example_scenarios_agree(name: str) -> None:
    sc, ds = load_run_inputs(ROOT / "scenarios" / "example" / f"{name}.yaml")
    ours = solve_dataset(ds, sc.model_options(), SAME).summary["objective_usd"]
    assert pypsa_objective(ds, sc.model_options()) == pytest.approx(ours, rel=1e-9)


@pytest.mark.parametrize("fuel_subsidies", [True, False])
def test_typical_days_with_linked_reservoir_agree(fuel_subsidies: bool) -> None:
    ds = aggregate_time(example_year(), TimeConfig(mode="typical", n_periods=4, period_h=24))
    assert ds.period_sequence is not None and not ds.tables["hydro"].empty
    options = ModelOptions(fuel_subsidies=fuel_subsidies)
    res = solve_dataset(ds, options, SAME)
    assert res.summary["investment_usd"] > 0  # something is built, so the capital costs are exercised
    assert pypsa_objective(ds, options) == pytest.approx(res.summary["objective_usd"], rel=1e-9)


def test_policy_constraints_are_refused_not_dropped() -> None:
    _, ds = load_run_inputs(ROOT / "scenarios" / "example" / "base.yaml")
    with pytest.raises(NotTranslated):
        build_network(ds, ModelOptions(co2_cap_mt=1.0))


@pytest.mark.slow
def test_headline_benchmark_runs_on_the_example(tmp_path: Path) -> None:
    """The benchmark script end to end on the example scenarios (it exits 1 if any objective disagrees)."""
    scenarios = sorted(str(p) for p in (ROOT / "scenarios" / "example").glob("*.yaml"))
    options = ["--settings", "ipm", "--no-runs", "--out", str(tmp_path)]
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "headline.py"), "--scenarios", *scenarios, *options],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = (tmp_path / "headline.md").read_text()
    assert "| `compare` |" in table and "| ipm |" in table
    assert (tmp_path / "headline.csv").exists()
