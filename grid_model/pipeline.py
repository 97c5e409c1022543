"""The pipeline as plain functions: scenario file → inputs → model → HiGHS → results → folder.

Each is a cold run of the one run path, :class:`grid_model.session.SolveSession` without re-use.
"""

from __future__ import annotations

import logging
from pathlib import Path

from grid_model.dataset import Dataset
from grid_model.model import ModelOptions
from grid_model.results import Results
from grid_model.scenario import Scenario, load_scenario
from grid_model.session import Progress, SolveSession

log = logging.getLogger(__name__)


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
    """Build the LP for a dataset, solve it with HiGHS and return the results (nothing is written)."""
    return SolveSession(warm=False).solve_dataset(ds, options, solver, name, progress, log_file)


def run_scenario_file(
    path: str | Path,
    out: str | Path | None = None,
    progress: Progress | None = None,
    solver_overrides: dict | None = None,
    *,
    xlsx: bool = False,
    db: str | Path | None = None,
) -> tuple[Results, Path]:
    """Run one scenario file and write its results folder (default ``results/<name>``)."""
    return run_scenario(load_scenario(path), out, progress, solver_overrides, xlsx=xlsx, db=db)


def run_scenario(
    sc: Scenario,
    out: str | Path | None = None,
    progress: Progress | None = None,
    solver_overrides: dict | None = None,
    *,
    xlsx: bool = False,
    db: str | Path | None = None,
) -> tuple[Results, Path]:
    """Run an in-memory scenario (e.g. a ``model_copy`` of a loaded one) and write its results folder.

    The HiGHS log goes into the folder as ``solver.log``; if the solve fails it is kept beside the folder as
    ``<name>.solver.log`` and the error says so. Nothing else is written on failure; two runs cannot write the
    same folder at once. ``xlsx`` adds ``results.xlsx`` (every table in one workbook) to the folder; ``db``
    appends the tables to that DuckDB file once the folder is in place (``grid_model.outputs``).
    """
    from grid_model.locking import output_lock
    from grid_model.outputs import append_to_db, db_tables, results_workbook

    if solver_overrides:
        sc = sc.model_copy(update={"solver": {**sc.solver, **solver_overrides}})
    out_dir = Path(out) if out else Path("results") / sc.name
    extra = (lambda r: {"results.xlsx": results_workbook(r)}) if xlsx else None
    with output_lock(out_dir):
        if sc.pathway is not None:
            from grid_model.pathway import run_pathway

            res = run_pathway(sc, out_dir, progress, extra_files=extra)
        else:
            res = SolveSession(warm=False).run(sc, out_dir, progress, extra_files=extra)
    if db is not None:
        append_to_db(db, db_tables(res), res.summary, sc.name, folder=out_dir)
    return res, out_dir
