"""The pipeline as plain functions: scenario file → inputs → model → HiGHS → results → folder."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from grid_model.dataset import Dataset, load_dataset
from grid_model.model import ModelOptions, build_model
from grid_model.pyomo_speed import gc_paused
from grid_model.results import Results, extract_results, write_results
from grid_model.scenario import Scenario, apply_scenario, load_scenario
from grid_model.solve import load_form, release_model, run, standard_form

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


def solve_inputs(
    sc: Scenario, ds: Dataset, progress: Progress | None = None, log_file: str | Path | None = None
) -> Results:
    """Build, solve and extract the results of one scenario-applied dataset."""
    return solve_dataset(ds, sc.model_options(), sc.solver, name=sc.name, progress=progress, log_file=log_file)


def solve_dataset(
    ds: Dataset,
    options: ModelOptions | None = None,
    solver: dict | None = None,
    *,
    name: str = "scenario",
    progress: Progress | None = None,
    log_file: str | Path | None = None,
) -> Results:
    """Build the LP for a dataset, solve it with HiGHS and return the results (nothing is written).

    Python's cyclic garbage collector is paused throughout: the model is millions of small objects that it would
    scan again and again and never free (grid_model.pyomo_speed.gc_paused).
    """
    with gc_paused():
        return _solve_dataset(
            ds, options or ModelOptions(), solver or {}, name, progress or (lambda _msg: None), log_file
        )


def _solve_dataset(
    ds: Dataset, options: ModelOptions, solver: dict, name: str, say: Progress, log_file: str | Path | None
) -> Results:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    say(f"building the model ({len(ds.timesteps)} timesteps, {len(ds.zones)} zones)")
    m, ctx = build_model(ds, options)
    timings["build"] = time.perf_counter() - t0
    say("compiling and loading into HiGHS")
    form = standard_form(m)
    compiled = load_form(form, solver, log_file=log_file)
    say(f"solving with HiGHS ({compiled.highs.getNumRow():,} rows × {compiled.highs.getNumCol():,} columns)")
    # Results are read from column/row blocks, so the Pyomo objects (and HiGHS's input arrays) are freed in a second
    # thread while HiGHS solves: highspy releases the GIL in run(), and the freeing took 0.25 s of wall time on the
    # 8,760-step benchmark dispatch LP when it ran before the solve.
    freeing = threading.Thread(target=_release, args=(compiled, ctx), name="grid_model-release")
    freeing.start()
    try:
        sol = run_explained(compiled, ds, options, solver, name)
    finally:
        freeing.join()
    t1 = time.perf_counter()
    say("extracting results")
    res = extract_results(m, ctx, sol, name)
    timings["extract"] = time.perf_counter() - t1
    res.summary["timings_s"] = {**timings, **sol.timings_s}
    return res


def _release(compiled, ctx) -> None:
    release_model(compiled)
    ctx.release()


def run_explained(compiled, ds: Dataset, options: ModelOptions, solver: dict, name: str):
    """Solve; if the scenario is infeasible, re-solve elastically and say which constraints cannot hold."""
    from grid_model.diagnose import diagnose
    from grid_model.errors import InfeasibleError

    try:
        return run(compiled)
    except InfeasibleError:
        raise InfeasibleError(f"scenario '{name}' is infeasible: {diagnose(ds, options, solver)}") from None


def run_scenario_file(
    path: str | Path,
    out: str | Path | None = None,
    progress: Progress | None = None,
    solver_overrides: dict | None = None,
) -> tuple[Results, Path]:
    """Run one scenario file and write its results folder (default ``results/<name>``)."""
    return run_scenario(load_scenario(path), out, progress, solver_overrides)


@contextmanager
def solver_log_beside(out_dir: Path) -> Iterator[Path]:
    """Where HiGHS logs a run that will write ``out_dir``: a hidden file beside it. If the solve fails the log is kept
    as ``<name>.solver.log`` and the error says so; if the run is interrupted (Ctrl-C, SIGTERM) or fails otherwise,
    the log is removed, so nothing is left behind. On success the caller moves it into the results folder."""
    from grid_model.errors import SolveError

    log_tmp = out_dir.parent / f".{out_dir.name}.solver.log"
    try:
        yield log_tmp
    except SolveError as exc:
        kept = out_dir.parent / f"{out_dir.name}.solver.log"
        if log_tmp.exists():
            log_tmp.replace(kept)
            raise type(exc)(f"{exc} (solver log: {kept})") from None
        raise
    except BaseException:
        log_tmp.unlink(missing_ok=True)
        raise


def run_scenario(
    sc: Scenario, out: str | Path | None = None, progress: Progress | None = None, solver_overrides: dict | None = None
) -> tuple[Results, Path]:
    """Run an in-memory scenario (e.g. a ``model_copy`` of a loaded one) and write its results folder.

    The HiGHS log goes into the folder as ``solver.log``; if the solve fails it is kept beside the folder as
    ``<name>.solver.log`` and the error says so. Nothing else is written on failure.
    """
    from grid_model.locking import output_lock

    t0 = time.perf_counter()
    if solver_overrides:
        sc = sc.model_copy(update={"solver": {**sc.solver, **solver_overrides}})
    ds = apply_scenario(load_dataset(sc.dataset_path(), hydrology=sc.hydrology), sc)
    load_s = time.perf_counter() - t0
    out_dir = Path(out) if out else Path("results") / sc.name
    with output_lock(out_dir):
        with solver_log_beside(out_dir) as log_tmp:
            res = solve_inputs(sc, ds, progress, log_file=log_tmp)
        res.summary["timings_s"]["load"] = load_s
        scenario_yaml = yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False)
        solver_log = log_tmp.read_bytes() if log_tmp.exists() else b""
        log_tmp.unlink(missing_ok=True)
        t1 = time.perf_counter()
        write_results(res, out_dir, extra={"scenario.yaml": scenario_yaml, "solver.log": solver_log})
        res.summary["timings_s"]["write"] = time.perf_counter() - t1
    return res, out_dir
