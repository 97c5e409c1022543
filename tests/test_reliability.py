"""Failure classes end in a clear message and no half-written results: infeasibility, time limit,
interruption, concurrent writers; and identical inputs give identical tables."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from tiny import build, gen, tech, zones
from typer.testing import CliRunner

from grid_model.cli import app
from grid_model.errors import InfeasibleError, InputError
from grid_model.model import ModelOptions
from grid_model.pipeline import run_scenario_file, solve_dataset

EXAMPLE = Path("scenarios/example/base.yaml").resolve()


def _gas_only(tmp_path):
    tables = {
        "zones": zones("A", "B"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 20, "co2_t_per_mwh_th": 0.2}],
        "technologies": [
            tech("ccgt", "gas", fuel="gas", efficiency_pu=0.5),
            tech("wind", "wind", renewable=True, non_conventional=True),
        ],
        "generators": [gen("A-gas", "A", "ccgt", 300), gen("A-wind", "A", "wind", 50), gen("B-gas", "B", "ccgt", 300)],
        "links": [
            {
                "link": "A-B",
                "zone_from": "A",
                "zone_to": "B",
                "kind": "AC",
                "status": "existing",
                "p_nom_mw": 100,
                "length_km": 100,
                "loss_pu": 0.0,
            }
        ],
    }
    return build(tmp_path, tables, {"A": [100.0, 100.0], "B": [100.0, 100.0]})


def test_infeasible_co2_cap_is_explained(tmp_path):
    ds = _gas_only(tmp_path)
    # demand 200 MW all year; wind gives at most 50 MW, so ≥ 150 MW of gas at 0.4 t/MWh = 525,600 t/yr at least
    with pytest.raises(InfeasibleError) as exc:
        solve_dataset(ds, ModelOptions(co2_cap_mt=0.1, allow_unserved=False), name="capped")
    msg = str(exc.value)
    assert "scenario 'capped' is infeasible" in msg
    assert "policy_co2_cap: the least CO2 the system can reach is 0.53 Mt, above the cap of 0.10 Mt" in msg
    assert "raise policy.co2_cap_mt" in msg
    assert "\n" not in msg


def test_infeasible_renewable_share_is_explained(tmp_path):
    ds = _gas_only(tmp_path)
    with pytest.raises(InfeasibleError) as exc:
        solve_dataset(ds, ModelOptions(min_renewable_share=0.5, allow_unserved=False))
    assert (
        "policy_min_renewable_share: the highest renewable share reachable is 25.0%, below the required 50.0%"
        in str(exc.value)
    )


def test_unsuppliable_zone_without_load_shedding_is_explained(tmp_path):
    ds = _gas_only(tmp_path)
    ds.demand_mw["B"] = 450.0  # B can get 300 locally + 100 over the link
    with pytest.raises(InfeasibleError) as exc:
        solve_dataset(ds, ModelOptions(allow_unserved=False))
    msg = str(exc.value)
    assert (
        "zone_energy_balance: demand cannot be met in 2 of 2 timesteps (B 438.0 GWh); worst: B at timestep 0 by "
        "50.0 MW" in msg
    )
    assert "policy.allow_unserved: true" in msg


def test_time_limit_is_an_error_with_the_log_kept(tmp_path):
    out = tmp_path / "res"
    r = CliRunner().invoke(app, ["run", str(EXAMPLE), "--out", str(out), "--time-limit", "1e-9"])
    assert r.exit_code == 2, r.output
    assert "reached the time limit" in r.output and "Traceback" not in r.output
    assert not out.exists()
    log = tmp_path / "res.solver.log"
    assert log.is_file() and log.stat().st_size > 0
    assert str(log) in " ".join(r.output.split())


def test_interrupted_write_leaves_earlier_results_intact(tmp_path, monkeypatch):
    out = tmp_path / "res"
    run_scenario_file(EXAMPLE, out)
    before = (out / "summary.json").read_text()
    calls = {"n": 0}
    real = pd.DataFrame.to_csv

    def interrupt_midway(self, *a, **k):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return real(self, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_csv", interrupt_midway)
    with pytest.raises(KeyboardInterrupt):
        run_scenario_file(EXAMPLE, out)
    monkeypatch.undo()
    assert (out / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]  # no temporary folder, log or lock left


def test_concurrent_writer_is_refused_and_stale_lock_taken_over(tmp_path):
    out = tmp_path / "res"
    holder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / ".res.lock").write_text(str(holder.pid))
        with pytest.raises(InputError, match=rf"another grid-model run \(process {holder.pid}\) is writing"):
            run_scenario_file(EXAMPLE, out)
        assert not out.exists()
    finally:
        holder.kill()
        holder.wait()
    # its owner is gone: the next run takes the lock over and removes it afterwards
    run_scenario_file(EXAMPLE, out)
    assert (out / "summary.json").exists()
    assert not (tmp_path / ".res.lock").exists()


@pytest.mark.slow
def test_sigterm_during_solve_leaves_nothing(tmp_path):
    out = tmp_path / "res"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    p = subprocess.Popen(
        [sys.executable, "-m", "grid_model", "run", "scenarios/calibration_2023.yaml", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(8)  # inside load / build / solve
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_sigterm_inside_a_long_highs_solve_stops_it_at_once(tmp_path):
    """calibration_2023 is a full-year dispatch LP (~140 s in HiGHS on 2 cores, ~15 s to load and build): a kill 20 s
    in lands inside HiGHS, which must stop at its next iteration instead of finishing the solve first."""
    out = tmp_path / "res"
    p = subprocess.Popen(
        [sys.executable, "-m", "grid_model", "run", "scenarios/calibration_2023.yaml", "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(20)
    p.send_signal(signal.SIGTERM)
    t0 = time.perf_counter()
    _, err = p.communicate(timeout=120)
    assert time.perf_counter() - t0 < 15, "the run went on after SIGTERM"
    assert p.returncode == 130 and "interrupted" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_same_inputs_give_identical_tables(tmp_path):
    run_scenario_file(EXAMPLE, tmp_path / "a")
    run_scenario_file(EXAMPLE, tmp_path / "b")
    for f in sorted((tmp_path / "a").glob("*.csv")):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name
    for f in sorted((tmp_path / "a" / "hourly").glob("*.parquet")):
        pd.testing.assert_frame_equal(pd.read_parquet(f), pd.read_parquet(tmp_path / "b" / "hourly" / f.name))


def test_out_of_memory_is_one_line_and_writes_nothing(tmp_path):
    code = (
        "import sys, grid_model.session as s\n"
        "def boom(*a, **k):\n    raise MemoryError\n"
        "s.SolveSession.solve_dataset = boom\n"
        f"sys.argv = ['grid-model', 'run', {str(EXAMPLE)!r}, '--out', {str(tmp_path / 'res')!r}]\n"
        "from grid_model.cli import main\nmain()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 3, r.stderr
    assert "out of memory" in r.stderr and "Traceback" not in r.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_no_numerical_warnings_from_highs_on_the_real_dataset(tmp_path):
    from grid_model.model import build_model
    from grid_model.scenario import TimeConfig, apply_scenario, load_scenario
    from grid_model.solve import compile_model, run

    sc = load_scenario("scenarios/integrated.yaml")
    sc = sc.model_copy(
        update={
            "time": TimeConfig(mode="typical", n_periods=2),
            "policy": sc.policy.model_copy(update={"carbon_price_usd_per_t": 50.0, "co2_cap_mt": 500.0}),
        }
    )
    from grid_model.dataset import load_dataset

    ds = apply_scenario(load_dataset(sc.dataset_path(), sc.hydrology), sc)
    m, _ = build_model(ds, sc.model_options())
    log = tmp_path / "highs.log"
    run(compile_model(m, sc.solver, log_file=log))
    text = log.read_text()
    assert "Coefficient ranges" in text
    assert "WARNING" not in text, [ln for ln in text.splitlines() if "WARNING" in ln]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("kInfeasible", "infeasible"),
        ("kUnboundedOrInfeasible", "infeasible"),
        ("kUnbounded", "unbounded"),
        ("kTimeLimit", "time limit"),
        ("kIterationLimit", "iteration limit"),
        ("kSolveError", "numerical trouble"),
        ("kPostsolveError", "numerical trouble"),
        ("kUnknown", "run_crossover"),
    ],
)
def test_every_non_optimal_status_has_its_own_message(status, expected):
    import highspy

    from grid_model.solve import status_error

    err = status_error(highspy.Highs(), getattr(highspy.HighsModelStatus, status))
    assert expected in str(err)
    assert "\n" not in str(err)


def test_a_model_highs_refuses_is_an_error_not_ignored():
    """Loading checks HiGHS's status: a corrupt compiled LP (here a row index out of range) is one clear error."""
    from grid_model.dataset import load_dataset
    from grid_model.errors import SolveError
    from grid_model.model import build_model
    from grid_model.solve import load_form, standard_form

    m, _ = build_model(load_dataset("data/example", hydrology="average"), ModelOptions())
    form = standard_form(m)
    form.A = form.A.copy()
    form.A.indices[0] = form.A.shape[0] + 5
    with pytest.raises(SolveError, match="refused the compiled LP's columns"):
        load_form(form)


def _slow_random_lp():
    """A feasible LP that dual simplex needs a few seconds for: min c·x, A x ≥ 1, 0 ≤ x ≤ 10 with 7,000 rows,
    14,000 columns and ~8 random non-zeros per row plus a diagonal (fixed seed)."""
    import highspy
    import numpy as np
    import scipy.sparse as sp

    n, m = 14_000, 7_000
    rng = np.random.default_rng(1)
    nnz = 8 * m
    a = sp.coo_matrix((rng.random(nnz), (rng.integers(0, m, nnz), rng.integers(0, n, nnz))), shape=(m, n))
    a = (a + sp.eye(m, n)).tocsr()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("solver", "simplex")
    h.addVars(n, np.zeros(n), np.full(n, 10.0))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), rng.random(n))
    starts = a.indptr[:-1].astype(np.int32)
    h.addRows(m, np.ones(m), np.full(m, highspy.kHighsInf), a.nnz, starts, a.indices.astype(np.int32), a.data)
    return h


@pytest.mark.parametrize("delay_s", [0.005, 0.5])
def test_an_interrupt_returns_only_once_highs_has_stopped(delay_s):
    """Ctrl-C during (or just as) HiGHS starts: the KeyboardInterrupt reaches the caller only after the solver thread
    has ended. In CI a kill once returned while HiGHS still ran (Python 3.11's interrupted Thread.join marks a running
    thread stopped), and the interpreter's shutdown then aborted in the C++ runtime."""
    import _thread
    import threading

    import highspy

    from grid_model.solve import _run_interruptible

    h = _slow_random_lp()

    def raise_interrupt(*_):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGUSR1, raise_interrupt)
    timer = threading.Timer(delay_s, _thread.interrupt_main, args=(signal.SIGUSR1,))
    try:
        t0 = time.perf_counter()
        with pytest.raises(KeyboardInterrupt):
            timer.start()
            _run_interruptible(h)
        stopped_after_s = time.perf_counter() - t0
    finally:
        timer.cancel()
        timer.join()
        signal.signal(signal.SIGUSR1, previous)
    assert not [t for t in threading.enumerate() if t.name == "highs-solve"]
    status = h.getModelStatus()
    assert status in (highspy.HighsModelStatus.kInterrupt, highspy.HighsModelStatus.kNotset), status
    if delay_s:
        assert status == highspy.HighsModelStatus.kInterrupt  # HiGHS itself stopped, before the caller was told
        assert stopped_after_s < delay_s + 1.0
    # the instance is still usable: the solve runs to the end once nobody interrupts it
    _run_interruptible(h)
    assert h.getModelStatus() == highspy.HighsModelStatus.kOptimal
