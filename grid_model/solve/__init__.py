"""One wrapper over HiGHS: compile the Pyomo model to standard form, pass the arrays to highspy, map back.

grid_model.compiler turns the model into ``min cᵀx, A x {≤,=,≥} b`` (Pyomo's ``mixed_form`` convention) with
the Pyomo objects of every row and column. The modules here, in the order a solve meets them:

- :mod:`~grid_model.solve.policy`: which HiGHS algorithm, options and cost units for which class of LP
  (:class:`ProblemClass`, :func:`default_solver`, :func:`cost_scale_for`);
- :mod:`~grid_model.solve.form`: the standard form and where each Var and Constraint sits in it
  (:func:`standard_form`, :class:`Block`, :func:`release_model`);
- :mod:`~grid_model.solve.highs`: loading it into highspy, scaled, and warm updates of costs and bounds
  (:func:`load_form`, :func:`update_loaded`);
- :mod:`~grid_model.solve.interrupt`: the solver thread that Ctrl-C and SIGTERM can stop;
- :mod:`~grid_model.solve.runner`: running HiGHS, the IPX fallback after HiPO, and an error for every failure
  (:func:`run`, :func:`status_error`, :func:`solve_model`);
- :mod:`~grid_model.solve.solution`: primal values and duals keyed by Pyomo component or read as blocks
  (:class:`Solution`).

Every name other modules import from ``grid_model.solve`` is re-exported here. To replace a function in a test,
patch it on the module that defines it (callers look it up there).
"""

from grid_model.solve.form import Block, StandardForm, release_model, same_structure, standard_form
from grid_model.solve.highs import (
    BIG,
    CompiledModel,
    Scaling,
    apply_options,
    compile_model,
    load_form,
    option_value,
    set_log_file,
    update_loaded,
)
from grid_model.solve.interrupt import _run_interruptible
from grid_model.solve.policy import (
    DEFAULT_SOLVER_OPTIONS,
    DISPATCH_SOLVER,
    EXPANSION_FALLBACK_SOLVER,
    EXPANSION_SOLVER,
    HIPO_BYTES_PER_NONZERO,
    HIPO_COST_SCALE,
    IPM_COST_SCALE,
    SIMPLEX_COST_SCALE,
    SIMPLEX_MAX_PERIOD_STEPS,
    ProblemClass,
    available_memory_bytes,
    cost_scale_for,
    default_solver,
    hipo_fits,
    hipo_installed,
)
from grid_model.solve.runner import run, solve_model, status_error
from grid_model.solve.solution import Solution

__all__ = [
    "BIG",
    "DEFAULT_SOLVER_OPTIONS",
    "DISPATCH_SOLVER",
    "EXPANSION_FALLBACK_SOLVER",
    "EXPANSION_SOLVER",
    "HIPO_BYTES_PER_NONZERO",
    "HIPO_COST_SCALE",
    "IPM_COST_SCALE",
    "SIMPLEX_COST_SCALE",
    "SIMPLEX_MAX_PERIOD_STEPS",
    "Block",
    "CompiledModel",
    "ProblemClass",
    "Scaling",
    "Solution",
    "StandardForm",
    "_run_interruptible",
    "apply_options",
    "available_memory_bytes",
    "compile_model",
    "cost_scale_for",
    "default_solver",
    "hipo_fits",
    "hipo_installed",
    "load_form",
    "option_value",
    "release_model",
    "run",
    "same_structure",
    "set_log_file",
    "solve_model",
    "standard_form",
    "status_error",
    "update_loaded",
]
