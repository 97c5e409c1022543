"""grid_model — interconnection and subsidy planning model for the Pacific Alliance, SIEPAC and Ecuador.

Base units everywhere: USD, MW, MWh, tCO2; hours for durations; ``_pu`` marks per-unit values.
Units are part of every column and variable name (``p_nom_mw``, ``capex_usd_per_kw``).

Pipeline: ``load_dataset → apply_scenario → build_model → solve → extract_results → write``; from Python::

    import grid_model as gm

    sc = gm.load_scenario("scenarios/base.yaml")
    res, folder = gm.run_scenario(sc, "results/base")      # solve and write the results folder
    res = gm.read_results("results/base")                   # or read one back
    res.summary["system_cost_usd"], res.tables["generation"]
    gm.figures.fig_generation_mix({"base": res}, "mix")      # mix.png / mix.svg

The names below are imported on first use, so ``import grid_model`` stays light.
"""

from __future__ import annotations

import importlib
from typing import Any

from grid_model.errors import InputError

__version__ = "0.1.0"

_LAZY = {
    "load_scenario": "grid_model.scenario",
    "apply_scenario": "grid_model.scenario",
    "Scenario": "grid_model.scenario",
    "load_dataset": "grid_model.dataset",
    "Dataset": "grid_model.dataset",
    "run_scenario": "grid_model.pipeline",
    "run_scenario_file": "grid_model.pipeline",
    "solve_dataset": "grid_model.pipeline",
    "SolveSession": "grid_model.session",
    "Results": "grid_model.results",
    "read_results": "grid_model.results",
    "run_compare": "grid_model.compare",
    "solve_pathway": "grid_model.pathway",
    "run_pathway": "grid_model.pathway",
    "pathway_results": "grid_model.pathway",
    "figures": "grid_model.figures",
}

__all__ = ["InputError", "__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'grid_model' has no attribute {name!r}")
    module = importlib.import_module(_LAZY[name])
    return module if name == "figures" else getattr(module, name)
