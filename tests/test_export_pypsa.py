"""``grid-model export … --to pypsa``: the exported network, solved by PyPSA, is grid_model's LP.

An LP's optimal value is unique, so PyPSA reaching ``objective_usd`` of ``grid-model run`` (1e-6 relative) on a
network read back from the .nc file shows the file carries the whole model: on the example (chronological,
candidate links extendable), on the headline scenario with typical days (reservoirs linked across the year through
``extra_functionality`` and ``n.meta``), and from a results folder, whose capacities are fixed — then PyPSA finds
the operating cost of the optimum, ``objective_usd`` less the annuities and fixed O&M of what was built.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pypsa = pytest.importorskip("pypsa")

from grid_model.export.pypsa import build_network, export_netcdf, extra_functionality  # noqa: E402
from grid_model.pipeline import run_scenario_file, solve_dataset  # noqa: E402
from grid_model.scenario import load_run_inputs  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "scenarios" / "example"
REL = 1e-6
INVESTMENT = ["capex_generation", "capex_storage", "capex_transmission", "fixed_om"]


def load_back(path: Path, caplog: pytest.LogCaptureFixture) -> pypsa.Network:
    """The file read by PyPSA, which must neither warn (warnings are errors here) nor log a warning."""
    with caplog.at_level(logging.WARNING, logger="pypsa"):
        n = pypsa.Network(path)
    complaints = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert not complaints, complaints
    return n


def solve(n: pypsa.Network) -> float:
    status = n.optimize(
        solver_name="highs",
        io_api="direct",
        include_objective_constant=True,
        log_to_console=False,
        extra_functionality=extra_functionality,
    )
    assert status == ("ok", "optimal")
    return float(n.objective)


@pytest.fixture(scope="module")
def interconnect_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``grid-model run scenarios/example/interconnect.yaml`` (candidate links optimised)."""
    folder = tmp_path_factory.mktemp("runs") / "interconnect"
    res, _ = run_scenario_file(EXAMPLE / "interconnect.yaml", folder)
    assert res.tables["links"]["new_mw"].max() > 0  # a candidate is built, so link expansion is exercised
    return folder


def test_example_base_round_trip(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    res, _ = run_scenario_file(EXAMPLE / "base.yaml", tmp_path / "run")
    export_netcdf(EXAMPLE / "base.yaml", tmp_path / "base.nc")
    n = load_back(tmp_path / "base.nc", caplog)
    assert "extra_functionality" in n.meta["grid_model"]["note"]  # the file says how to solve it
    assert solve(n) == pytest.approx(res.summary["objective_usd"], rel=REL)


def test_example_interconnect_round_trip(interconnect_run: Path, tmp_path: Path, caplog) -> None:
    export_netcdf(EXAMPLE / "interconnect.yaml", tmp_path / "interconnect.nc")
    n = load_back(tmp_path / "interconnect.nc", caplog)
    assert n.links["p_nom_extendable"].any() and n.generators["p_nom_extendable"].any()
    assert set(n.buses.index) == {"XA", "XB", "XC"} and (n.buses[["x", "y"]] != 0).any().all()
    summary = json.loads((interconnect_run / "summary.json").read_text())
    assert solve(n) == pytest.approx(summary["objective_usd"], rel=REL)


def test_results_folder_exports_its_capacities_fixed(interconnect_run: Path, tmp_path: Path, caplog) -> None:
    export_netcdf(interconnect_run, tmp_path / "fixed.nc")
    n = load_back(tmp_path / "fixed.nc", caplog)
    assert not n.generators["p_nom_extendable"].any()
    assert not n.storage_units["p_nom_extendable"].any() and not n.links["p_nom_extendable"].any()
    cap = pd.read_csv(interconnect_run / "capacity.csv")
    built = (cap["existing_mw"] + cap["new_mw"]).set_axis(pd.MultiIndex.from_frame(cap[["zone", "technology"]]))
    for table in (
        n.generators.drop(index=[g for g in n.generators.index if g.startswith("unserved-")]),
        n.storage_units,
    ):
        for unit, row in table.iterrows():
            assert row["p_nom"] == pytest.approx(built[(row["bus"], row["carrier"])], rel=1e-9), unit
    links = pd.read_csv(interconnect_run / "links.csv").set_index("link")
    for lk, row in links.iterrows():
        for suffix in ("fwd", "bwd"):
            assert n.links.at[f"{lk}-{suffix}", "p_nom"] == pytest.approx(row["existing_mw"] + row["new_mw"], rel=1e-9)
    summary = json.loads((interconnect_run / "summary.json").read_text())
    costs = pd.read_csv(interconnect_run / "costs.csv").set_index("category")["cost_usd"]
    operating = summary["objective_usd"] - costs[INVESTMENT].sum()
    assert solve(n) == pytest.approx(operating, rel=REL)


@pytest.mark.slow
def test_headline_scenario_with_typical_days_round_trip(tmp_path: Path, caplog) -> None:
    """scenarios/base.yaml with two typical days: reservoirs linked across the year, batteries cyclic each day."""
    scenario = tmp_path / "base_2days.yaml"
    scenario.write_text(
        f"extends: {ROOT / 'scenarios' / 'base.yaml'}\nname: base_2days\n"
        "time: {mode: typical, n_periods: 2, period_h: 24, extreme_days: false}\n"
    )
    sc, ds = load_run_inputs(scenario)  # once: what grid-model run does, without writing the folder
    assert ds.period_sequence is not None and (ds.tables["hydro"]["energy_mwh"] > 0).any()
    ours = solve_dataset(ds, sc.model_options(), sc.solver, name=sc.name).summary["objective_usd"]
    n, _ = build_network(ds, sc.model_options(), name=sc.name)
    n.export_to_netcdf(tmp_path / "base.nc")
    n = load_back(tmp_path / "base.nc", caplog)
    assert n.meta["grid_model"]["period_sequence"] is not None
    assert solve(n) == pytest.approx(ours, rel=REL)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grid_model", "export", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_cli_writes_the_file(tmp_path: Path) -> None:
    out = tmp_path / "base.nc"
    proc = cli("scenarios/example/base.yaml", "--to", "pypsa", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert out.exists() and not list(tmp_path.glob(".*.part"))
    assert "3 buses" in proc.stdout


@pytest.mark.parametrize(
    ("source", "to", "message"),
    [
        ("scenarios/example/base.yaml", "pyspa", "unknown format"),
        ("scenarios/example/missing.yaml", "pypsa", "not found"),
    ],
)
def test_cli_refuses_in_one_line_and_writes_nothing(tmp_path: Path, source: str, to: str, message: str) -> None:
    out = tmp_path / "out.nc"
    proc = cli(source, "--to", to, str(out))
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr, proc.stderr
    assert not any(tmp_path.iterdir())


def test_without_pypsa_the_import_says_how_to_install_it() -> None:
    code = "import sys; sys.modules['pypsa'] = None; import grid_model.export.pypsa"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert proc.stderr.strip().splitlines()[-1].endswith('PyPSA is not installed: pip install -e ".[pypsa]"')
