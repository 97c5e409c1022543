"""Running HiGHS on a loaded LP and reading the solution back in model units; a clear error for every failure.

Primal values, duals and the objective are unscaled exactly (column and row scaling, cost units) before anyone
sees them.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo

from grid_model.errors import InfeasibleError, SolveError
from grid_model.solve import interrupt
from grid_model.solve.highs import CompiledModel, compile_model, option_value
from grid_model.solve.policy import EXPANSION_FALLBACK_SOLVER, ProblemClass
from grid_model.solve.solution import Solution

log = logging.getLogger(__name__)

BOUND_SNAP_TOL = 1e-9  # primal values this close to a bound are set to the bound (solver noise, e.g. −1e−10 MW)


def run(compiled: CompiledModel) -> Solution:
    """Solve (or re-solve from the current basis) and return the solution; non-optimal is an error."""
    h = compiled.highs
    t0 = time.perf_counter()
    clock0 = float(h.getRunTime())  # HiGHS's clock is cumulative over re-solves of one instance
    interrupt._run_interruptible(h)
    status = h.getModelStatus()
    fallback = _hipo_fell_short(h, status)
    if fallback:
        status = _rerun_with_ipx(h, fallback)
    solve_s = time.perf_counter() - t0
    if status != highspy.HighsModelStatus.kOptimal:
        raise status_error(h, status)
    sol = _read_solution(compiled)
    sol.timings_s = {
        "compile": compiled.compile_s,
        "pass_to_highs": compiled.load_s,
        "solve": solve_s,
        "highs_run": float(h.getRunTime()) - clock0,
    }
    if fallback:
        sol.solver_info["hipo_fallback"] = fallback
    return sol


def _rerun_with_ipx(h: highspy.Highs, fallback: str) -> highspy.HighsModelStatus:
    """Solve again with IPX + crossover after HiPO ended without a verdict (``fallback``: its status text); the
    instance's options are set back afterwards, so a warm session's next run tries HiPO again."""
    log.warning("HiPO stopped short of optimal (%s); solving again with IPX + crossover", fallback)
    # The costs stay in HiPO's units (fixed at load time): slower for IPX than its own units, but the same LP.
    saved = {key: option_value(h, key) for key in EXPANSION_FALLBACK_SOLVER}
    for key, value in EXPANSION_FALLBACK_SOLVER.items():
        h.setOptionValue(key, value)
    try:
        interrupt._run_interruptible(h)
    finally:
        for key, value in saved.items():
            h.setOptionValue(key, value)
    return h.getModelStatus()


def _read_solution(compiled: CompiledModel) -> Solution:
    """The optimal solution of the loaded LP in model units, with costs per category and HiGHS's counters."""
    h = compiled.highs
    sol = h.getSolution()
    info = h.getInfo()
    sc = compiled.scaling
    x = np.asarray(sol.col_value, dtype=float) * (sc.col if sc is not None else 1.0)
    form = compiled.form
    if form is not None:  # round solver noise on bounds to the bound itself
        x = np.where(np.abs(x - form.col_lo) < BOUND_SNAP_TOL, form.col_lo, x)
        x = np.where(np.abs(x - form.col_hi) < BOUND_SNAP_TOL, form.col_hi, x)
    y = np.asarray(sol.row_dual, dtype=float) / compiled.cost_scale / (sc.row if sc is not None else 1.0)
    objective = float(info.objective_function_value) / compiled.cost_scale + compiled.c_offset
    cost_usd: dict[str, float] = {}
    by_column = None
    if form is not None and form.cost_rows is not None and form.cost_rows.shape[0]:
        by_row = form.cost_rows @ x + form.cost_offsets
        cost_usd = {name: float(v) for name, v in zip(form.cost_names, by_row, strict=True)}
        by_column = form.cost_rows.multiply(x[None, :]).tocsr()
    return Solution(
        status="optimal",
        objective_usd=objective,
        col_values=x,
        row_duals=y,
        columns=compiled.columns,
        rows=compiled.rows,
        var_blocks=form.var_blocks if form is not None else {},
        row_blocks=form.row_blocks if form is not None else {},
        cost_usd=cost_usd,
        cost_by_column=by_column,
        cost_names=list(form.cost_names) if form is not None else [],
        solver_info={
            "simplex_iterations": int(info.simplex_iteration_count),
            "ipm_iterations": int(info.ipm_iteration_count),
            "crossover_iterations": int(info.crossover_iteration_count),
            "primal_solution_status": h.solutionStatusToString(info.primal_solution_status),
            "dual_solution_status": h.solutionStatusToString(info.dual_solution_status),
            "basis_valid": bool(info.basis_validity),
            "n_rows": int(h.getNumRow()),
            "n_cols": int(h.getNumCol()),
        },
    )


def _hipo_fell_short(h: highspy.Highs, status: highspy.HighsModelStatus) -> str:
    """HiGHS's status text when a HiPO run ended without a verdict (neither optimal, nor infeasible or unbounded, nor
    stopped by a limit or the user), else ""."""
    S = highspy.HighsModelStatus
    verdicts = (S.kOptimal, S.kInfeasible, S.kUnbounded, S.kUnboundedOrInfeasible, S.kTimeLimit, S.kInterrupt)
    if option_value(h, "solver") != "hipo" or status in verdicts:
        return ""
    return h.modelStatusToString(status)


def status_error(h: highspy.Highs, status: highspy.HighsModelStatus) -> SolveError:
    """A clear error for every non-optimal HiGHS status (never silent results)."""
    S = highspy.HighsModelStatus
    text = h.modelStatusToString(status)
    if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return InfeasibleError(f"the scenario is infeasible (HiGHS: {text})")
    if status == S.kUnbounded:
        return SolveError(
            "the model is unbounded: some decision lowers the cost without limit — look for negative "
            "costs or prices in the data or overrides"
        )
    if status == S.kTimeLimit:
        limit = option_value(h, "time_limit")
        return SolveError(
            f"HiGHS reached the time limit ({limit:g} s) before proving an optimal solution; raise "
            f"--time-limit / solver.time_limit, or use typical periods (time.mode: typical)"
        )
    if status == S.kIterationLimit:
        return SolveError(
            "HiGHS reached its iteration limit; raise solver.simplex_iteration_limit / ipm_iteration_limit"
        )
    if status in (S.kSolveError, S.kPostsolveError, S.kPresolveError):
        return SolveError(
            f"HiGHS stopped with numerical trouble ({text}); try solver.solver: ipm or simplex, or "
            f"check the data for extreme values"
        )
    if status == S.kUnknown:
        return SolveError(
            "HiGHS stopped without proving optimality (status Unknown — typically an interior-point run "
            "without crossover that could not reach its tolerances); set solver.run_crossover: on or "
            "solver.solver: simplex"
        )
    return SolveError(f"HiGHS did not find an optimal solution: {text}")


def solve_model(
    model: pyo.ConcreteModel,
    options: dict[str, object] | None = None,
    log_file: str | Path | None = None,
    *,
    problem: ProblemClass | None = None,
) -> tuple[Solution, CompiledModel]:
    """Compile, load and solve a Pyomo model with HiGHS."""
    compiled = compile_model(model, options, log_file, problem=problem)
    return run(compiled), compiled
