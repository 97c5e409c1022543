"""The one run path: build → compile → load (or update) HiGHS → solve → extract, for one scenario or many.

A :class:`SolveSession` solves scenarios one after another and re-uses one HiGHS instance where the LP
structure matches. Scenarios that differ only in costs (fuel subsidies, carbon price, cost multipliers), bounds
(candidate links on/off, expansion switches) or right-hand sides (demand after electricity-subsidy removal)
compile to the same matrix; the session then changes only the differing entries of the loaded HiGHS model
(``changeColsCost`` / ``changeColsBounds`` / ``changeRowsBounds``) and re-solves from the previous basis.
Anything else (a policy constraint added, another dataset) is loaded cold. Both paths solve the same LP.

A cold run is a session without re-use (``warm=False``): it frees the Pyomo model in a second thread while HiGHS
solves, since nothing will be compared with it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from grid_model.dataset import Dataset, load_dataset
from grid_model.errors import InfeasibleError, SolveError
from grid_model.model import Context, ModelOptions, build_model, compile_context
from grid_model.model.assemble import extract_results
from grid_model.pyomo_speed import gc_paused
from grid_model.results import Results, write_results
from grid_model.scenario import Scenario, scenario_inputs
from grid_model.solve import (
    CompiledModel,
    StandardForm,
    load_form,
    release_model,
    run,
    same_structure,
    set_log_file,
    update_loaded,
)

log = logging.getLogger(__name__)

Progress = Callable[[str], None]


def run_explained(compiled: CompiledModel, ds: Dataset, options: ModelOptions, solver: dict, name: str):
    """Solve; if the scenario is infeasible, re-solve elastically and say which constraints cannot hold."""
    from grid_model.diagnose import diagnose

    try:
        return run(compiled)
    except InfeasibleError:
        raise InfeasibleError(f"scenario '{name}' is infeasible: {diagnose(ds, options, solver)}") from None


@contextmanager
def solver_log_beside(out_dir: Path) -> Iterator[Path]:
    """Where HiGHS logs a run that will write ``out_dir``: a hidden file beside it. If the solve fails the log is kept
    as ``<name>.solver.log`` and the error says so; if the run is interrupted (Ctrl-C, SIGTERM) or fails otherwise,
    the log is removed, so nothing is left behind. On success the caller moves it into the results folder."""
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


class SolveSession:
    """Runs scenarios one after another, warm where possible; keeps per-run timings."""

    def __init__(self, warm: bool = True) -> None:
        self.warm = warm
        self.compiled: CompiledModel | None = None
        self._solver_options: dict | None = None
        self._datasets: dict[tuple[str, str], Dataset] = {}
        self.timings: dict[str, list] = {"runs": []}

    def inputs(self, sc: Scenario) -> Dataset:
        """The scenario-applied dataset (raw datasets are read once per path and hydrology)."""
        return scenario_inputs(sc, self._raw)

    def _raw(self, path: Path, hydrology: str) -> Dataset:
        key = (str(path), hydrology)
        if key not in self._datasets:
            self._datasets[key] = load_dataset(path, hydrology=hydrology)
        return self._datasets[key]

    def solve(self, sc: Scenario, progress: Progress | None = None, log_file: Path | None = None) -> Results:
        """Load the scenario's inputs, then :meth:`solve_dataset`; records the load time."""
        t0 = time.perf_counter()
        ds = self.inputs(sc)
        t_load = time.perf_counter() - t0
        res = self.solve_dataset(ds, sc.model_options(), sc.solver, sc.name, progress, log_file)
        res.summary["timings_s"] = {"load": t_load, **res.summary["timings_s"]}
        self.timings["runs"][-1].update(load=t_load)
        return res

    def solve_dataset(
        self,
        ds: Dataset,
        options: ModelOptions | None = None,
        solver: dict | None = None,
        name: str = "scenario",
        progress: Progress | None = None,
        log_file: str | Path | None = None,
    ) -> Results:
        """Build, compile, (re-)solve and extract one scenario-applied dataset; nothing is written.

        Python's cyclic garbage collector is paused throughout: the model is millions of small objects that it would
        scan again and again and never free (grid_model.pyomo_speed.gc_paused).
        """
        with gc_paused():
            return self._solve(
                ds, options or ModelOptions(), solver or {}, name, progress or (lambda _m: None), log_file
            )

    def _solve(
        self, ds: Dataset, options: ModelOptions, solver: dict, name: str, say: Progress, log_file: str | Path | None
    ) -> Results:
        say(f"building the model ({ds.time.n_steps} timesteps, {len(ds.zones)} zones)")
        t0 = time.perf_counter()
        _m, ctx = build_model(ds, options)
        t_build = time.perf_counter() - t0
        form = compile_context(ctx)
        mode, changes = self._load(form, solver, log_file)
        assert self.compiled is not None
        say(f"solving with HiGHS ({mode}, {len(form.rows):,} rows × {len(form.columns):,} columns)")
        sol = self._run(ctx, options, solver, name)
        t1 = time.perf_counter()
        say("extracting results")
        res = extract_results(ctx, sol, name)
        res.summary["timings_s"] = {"build": t_build, **sol.timings_s, "extract": time.perf_counter() - t1}
        res.summary["solve_mode"] = mode
        self.timings["runs"].append({"scenario": name, "mode": mode, **changes, **res.summary["timings_s"]})
        return res

    def _load(self, form: StandardForm, solver: dict, log_file: str | Path | None) -> tuple[str, dict]:
        """Update the loaded HiGHS model in place when the structure matches (warm), else load it (cold)."""
        reuse = (
            self.warm
            and self.compiled is not None
            and self.compiled.form is not None
            and self._solver_options == solver
            and same_structure(self.compiled.form, form)
        )
        if reuse:
            assert self.compiled is not None
            changes = update_loaded(self.compiled, form)
            set_log_file(self.compiled, log_file)
            return "warm", changes
        self.compiled = load_form(form, solver, log_file=log_file)
        self._solver_options = dict(solver)
        return "cold", {}

    def _run(self, ctx: Context, options: ModelOptions, solver: dict, name: str):
        """Solve the loaded model. Without re-use, the Pyomo objects (and HiGHS's input arrays) are freed in a
        second thread while HiGHS solves: results are read from column/row blocks, and highspy releases the GIL."""
        assert self.compiled is not None
        if self.warm:
            return run_explained(self.compiled, ctx.ds, options, solver, name)
        compiled = self.compiled
        freeing = threading.Thread(target=_release, args=(compiled, ctx), name="grid_model-release")
        freeing.start()
        try:
            return run_explained(compiled, ctx.ds, options, solver, name)
        finally:
            freeing.join()

    def run(
        self,
        sc: Scenario,
        out_dir: Path,
        progress: Progress | None = None,
        extra_files: Callable[[Results], dict[str, bytes | str]] | None = None,
    ) -> Results:
        """Solve one scenario and write its results folder (with its scenario and solver log).

        ``extra_files(results)`` gives more files for the folder (name → content, e.g. ``results.xlsx``); they are
        written with the rest, before the folder appears.
        """
        return solve_and_write(sc, out_dir, lambda log_file: self.solve(sc, progress, log_file), extra_files)


def solve_and_write(
    sc: Scenario,
    out_dir: Path,
    solve: Callable[[Path], Results],
    extra_files: Callable[[Results], dict[str, bytes | str]] | None = None,
) -> Results:
    """``solve(log_file)``, then write its results folder atomically with the scenario as run, the HiGHS log and
    ``extra_files(results)`` (one scenario or one pathway: ``grid_model.pathway.run_pathway``)."""
    with solver_log_beside(out_dir) as log_file:
        res = solve(log_file)
    log_bytes = log_file.read_bytes() if log_file.exists() else b""
    log_file.unlink(missing_ok=True)
    t0 = time.perf_counter()
    write_results(
        res,
        out_dir,
        extra={
            "scenario.yaml": yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False),
            "solver.log": log_bytes,
            **(extra_files(res) if extra_files else {}),
        },
    )
    res.summary["timings_s"]["write"] = time.perf_counter() - t0
    return res


def _release(compiled: CompiledModel, ctx: Context) -> None:
    release_model(compiled)
    ctx.release()
