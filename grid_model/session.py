"""Solve many scenarios on one dataset: build each, but re-use one HiGHS instance where the LP structure matches.

Scenarios that differ only in costs (fuel subsidies, carbon price, cost multipliers), bounds (candidate links
on/off, expansion switches) or right-hand sides (demand after electricity-subsidy removal) compile to the same
matrix. The session then changes only the differing entries of the loaded HiGHS model
(``changeColsCost`` / ``changeColsBounds`` / ``changeRowsBounds``) and re-solves from the previous basis.
Anything else (a policy constraint added, another dataset) is loaded cold. Both paths solve the same LP.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import yaml

from grid_model.dataset import Dataset, load_dataset
from grid_model.model import build_model
from grid_model.pipeline import run_explained, solver_log_beside
from grid_model.pyomo_speed import gc_paused
from grid_model.results import Results, extract_results, write_results
from grid_model.scenario import Scenario, apply_scenario
from grid_model.solve import (
    CompiledModel,
    load_form,
    same_structure,
    set_log_file,
    standard_form,
    update_loaded,
)

log = logging.getLogger(__name__)


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
        key = (str(sc.dataset_path()), sc.hydrology)
        if key not in self._datasets:
            self._datasets[key] = load_dataset(key[0], hydrology=sc.hydrology)
        return apply_scenario(self._datasets[key], sc)

    def solve(
        self, sc: Scenario, progress: Callable[[str], None] | None = None, log_file: Path | None = None
    ) -> Results:
        """Build, compile, (re-)solve and extract one scenario (cyclic GC paused, as in grid_model.pipeline)."""
        with gc_paused():
            return self._solve(sc, progress or (lambda _m: None), log_file)

    def _solve(self, sc: Scenario, say: Callable[[str], None], log_file: Path | None) -> Results:
        t0 = time.perf_counter()
        ds = self.inputs(sc)
        t_load = time.perf_counter() - t0
        say(f"building ({len(ds.timesteps)} timesteps)")
        t1 = time.perf_counter()
        m, ctx = build_model(ds, sc.model_options())
        t_build = time.perf_counter() - t1
        form = standard_form(m)
        reuse = (
            self.warm
            and self.compiled is not None
            and self.compiled.form is not None
            and self._solver_options == sc.solver
            and same_structure(self.compiled.form, form)
        )
        if reuse:
            assert self.compiled is not None
            changes = update_loaded(self.compiled, form)
            mode = "warm"
        else:
            self.compiled = load_form(form, sc.solver, log_file)
            self._solver_options = dict(sc.solver)
            changes = {}
            mode = "cold"
        set_log_file(self.compiled, log_file)
        say(f"solving ({mode}, {len(form.rows):,} rows × {len(form.columns):,} columns)")
        sol = run_explained(self.compiled, ds, sc.model_options(), sc.solver, sc.name)
        t2 = time.perf_counter()
        res = extract_results(m, ctx, sol, sc.name)
        res.summary["timings_s"] = {
            "load": t_load,
            "build": t_build,
            **sol.timings_s,
            "extract": time.perf_counter() - t2,
        }
        res.summary["solve_mode"] = mode
        self.timings["runs"].append({"scenario": sc.name, "mode": mode, **changes, **res.summary["timings_s"]})
        return res

    def run(self, sc: Scenario, out_dir: Path, progress: Callable[[str], None] | None = None) -> Results:
        """Solve one scenario and write its results folder (with its solver log)."""
        with solver_log_beside(out_dir) as log_file:
            res = self.solve(sc, progress, log_file)
        log_bytes = log_file.read_bytes() if log_file.exists() else b""
        log_file.unlink(missing_ok=True)
        write_results(
            res,
            out_dir,
            extra={
                "scenario.yaml": yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False),
                "solver.log": log_bytes,
            },
        )
        return res
