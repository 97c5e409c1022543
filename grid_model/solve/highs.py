"""Loading the standard form into highspy, and changing costs and bounds of a loaded LP for a warm re-solve.

The arrays go to ``highspy`` as numpy arrays (``addRows`` / ``addCols``); the ``Highs`` object is kept so changed
costs or bounds can be re-solved warm. Inside HiGHS costs are in the units :func:`cost_scale_for` picks, and columns
and rows whose bounds or right-hand sides are very large (reservoir energy in MWh, a CO2 cap in t) are scaled by
powers of ten (:class:`Scaling`); grid_model.solve.runner unscales every value exactly.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo

from grid_model._sparse import sparse
from grid_model.errors import SolveError
from grid_model.solve.form import StandardForm, standard_form
from grid_model.solve.policy import DEFAULT_SOLVER_OPTIONS, ProblemClass, cost_scale_for, default_solver

log = logging.getLogger(__name__)

BIG = 1e5  # bounds / right-hand sides above this are scaled down by powers of ten ...
SCALED_EXPONENT = 4  # ... to the order of 10**SCALED_EXPONENT, i.e. into [1e4, 1e5)


@dataclass
class Scaling:
    """Column factors s (x = s·x') and row factors r (row divided by r); both powers of ten, fixed at load time."""

    col: np.ndarray
    row: np.ndarray

    @staticmethod
    def for_form(col_lo: np.ndarray, col_hi: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray) -> Scaling:
        """The factors that bring every finite bound and right-hand side above ``BIG`` down into [1e4, 1e5)."""

        def factor(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
            """Per entry 10**k: k = 0 unless the larger finite side exceeds BIG, then the k that brings it to 1e4…1e5."""
            mag = np.maximum(np.where(np.isfinite(lo), np.abs(lo), 0.0), np.where(np.isfinite(hi), np.abs(hi), 0.0))
            exp = np.where(mag > BIG, np.floor(np.log10(np.maximum(mag, 1.0))) - SCALED_EXPONENT, 0.0)
            return 10.0**exp

        # column scaling leaves right-hand sides unchanged; rows whose right-hand side is large are scaled on
        # their own (their coefficients then shrink by the same factor)
        return Scaling(factor(col_lo, col_hi), factor(row_lo, row_hi))


@dataclass
class CompiledModel:
    """The standard-form arrays and the loaded Highs instance, ready to solve and re-solve."""

    highs: highspy.Highs
    columns: list | None
    rows: list | None
    c_offset: float
    compile_s: float
    load_s: float
    form: StandardForm | None = None
    scaling: Scaling | None = None
    cost_scale: float = 1.0  # costs inside HiGHS are USD × cost_scale (cost_scale_for), fixed at load time


def load_form(
    form: StandardForm, options: dict[str, object] | None = None, log_file: str | Path | None = None
) -> CompiledModel:
    """Load the arrays into a fresh ``Highs`` instance (scaled, see :class:`Scaling`) and set the solver options."""
    t1 = time.perf_counter()
    options = {**default_solver(form), **(options or {})}
    cost_scale = cost_scale_for(options)
    sc = Scaling.for_form(form.col_lo, form.col_hi, form.row_lo, form.row_hi)
    A = form.A.tocsc()
    if (sc.row != 1.0).any() or (sc.col != 1.0).any():
        A = (sparse.diags(1.0 / sc.row) @ A @ sparse.diags(sc.col)).tocsc()
    n_rows, n_cols = A.shape
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # Rows first (bounds only), then the columns with the matrix, column-wise: both calls take the numpy arrays as
    # they are, where filling a HighsLp converts them element by element (benchmarks/results/solver_policy.md).
    none_i, none_x = np.zeros(0, dtype=np.int32), np.zeros(0)
    _check(h.addRows(n_rows, form.row_lo / sc.row, form.row_hi / sc.row, 0, none_i, none_i, none_x), "rows")
    _check(
        h.addCols(
            n_cols,
            form.c * cost_scale * sc.col,
            form.col_lo / sc.col,
            form.col_hi / sc.col,
            A.nnz,
            A.indptr.astype(np.int32),
            A.indices.astype(np.int32),
            A.data.astype(float),
        ),
        "columns",
    )
    compiled = CompiledModel(
        h, form.columns, form.rows, form.offset, form.compile_s, time.perf_counter() - t1, form, sc, cost_scale
    )
    set_log_file(compiled, log_file)
    apply_options(compiled, options)
    log.info(
        "compiled %d rows × %d columns in %.2f s, loaded in %.2f s", n_rows, n_cols, compiled.compile_s, compiled.load_s
    )
    return compiled


def _check(status: highspy.HighsStatus, what: str) -> None:
    """Raise when HiGHS refused part of the LP being loaded (``what``: rows or columns)."""
    if status == highspy.HighsStatus.kError:
        raise SolveError(f"HiGHS refused the compiled LP's {what}: an internal error of grid_model, please report it")


def compile_model(
    model: pyo.ConcreteModel,
    options: dict[str, object] | None = None,
    log_file: str | Path | None = None,
    *,
    problem: ProblemClass | None = None,
) -> CompiledModel:
    """Compile the Pyomo model to standard form and load it into a fresh ``Highs`` instance."""
    return load_form(standard_form(model, problem=problem), options, log_file)


def update_loaded(compiled: CompiledModel, form: StandardForm) -> dict[str, int]:
    """Change only the costs and bounds that differ in the loaded HiGHS model; HiGHS keeps its basis.

    The caller must have checked :func:`~grid_model.solve.form.same_structure`. Returns how many entries changed.
    """
    old = compiled.form
    assert old is not None
    h = compiled.highs
    sc = compiled.scaling
    assert sc is not None
    changed = {}
    idx = np.flatnonzero(old.c != form.c)
    if len(idx):
        h.changeColsCost(len(idx), idx.astype(np.int32), form.c[idx] * compiled.cost_scale * sc.col[idx])
    changed["costs"] = len(idx)
    idx = np.flatnonzero((old.col_lo != form.col_lo) | (old.col_hi != form.col_hi))
    if len(idx):
        h.changeColsBounds(
            len(idx), idx.astype(np.int32), form.col_lo[idx] / sc.col[idx], form.col_hi[idx] / sc.col[idx]
        )
    changed["col_bounds"] = len(idx)
    idx = np.flatnonzero((old.row_lo != form.row_lo) | (old.row_hi != form.row_hi))
    if len(idx):
        h.changeRowsBounds(
            len(idx), idx.astype(np.int32), form.row_lo[idx] / sc.row[idx], form.row_hi[idx] / sc.row[idx]
        )
    changed["row_bounds"] = len(idx)
    compiled.form, compiled.columns, compiled.rows, compiled.c_offset = form, form.columns, form.rows, form.offset
    compiled.compile_s, compiled.load_s = form.compile_s, 0.0
    return changed


def set_log_file(compiled: CompiledModel, log_file: str | Path | None) -> None:
    """Send HiGHS's log of the next run to ``log_file`` (or silence it)."""
    h = compiled.highs
    h.setOptionValue("output_flag", log_file is not None)
    if log_file is not None:
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", str(log_file))


def apply_options(compiled: CompiledModel, options: dict[str, object]) -> None:
    """Set HiGHS options (defaults first, then the scenario's), rejecting unknown names clearly."""
    h = compiled.highs
    for key, value in {**DEFAULT_SOLVER_OPTIONS, **options}.items():
        if key == "time_limit_s":
            key = "time_limit"
        status = h.setOptionValue(key, value)
        if status != highspy.HighsStatus.kOk:
            raise SolveError(f"solver option '{key}' = {value!r} was rejected by HiGHS")


def option_value(h: highspy.Highs, name: str) -> object:
    """A HiGHS option's value (highspy ≥ 1.12 returns ``(status, value)``)."""
    value = h.getOptionValue(name)
    return value[1] if isinstance(value, tuple) else value
