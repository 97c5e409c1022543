"""Pathway planning: one investment plan across several planning years (issue 15; docs/model.md, "Pathways").

A scenario with a ``pathway:`` key (``grid_model.scenario.PathwayConfig``) is solved here instead of as one year:
:mod:`~grid_model.pathway.inputs` makes each period's scenario and dataset, :mod:`~grid_model.pathway.lp` ties
the periods' one-year LPs together with vintage builds and discount weights (:mod:`~grid_model.pathway.timing`),
:mod:`~grid_model.pathway.run` solves them (perfect or myopic foresight) and :mod:`~grid_model.pathway.results`
tabulates the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from grid_model.pathway.results import pathway_results
from grid_model.pathway.run import PathwaySolution, Progress, solve_pathway
from grid_model.results import Results
from grid_model.scenario import Scenario
from grid_model.session import solve_and_write

__all__ = ["PathwaySolution", "pathway_results", "run_pathway", "solve_pathway"]


def run_pathway(
    sc: Scenario,
    out_dir: Path,
    progress: Progress | None = None,
    extra_files: Callable[[Results], dict[str, bytes | str]] | None = None,
) -> Results:
    """Solve a pathway scenario and write its results folder atomically (with its scenario and solver log)."""
    return solve_and_write(
        sc, out_dir, lambda log_file: pathway_results(solve_pathway(sc, progress, log_file)), extra_files
    )
