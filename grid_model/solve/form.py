"""The LP in standard form (arrays) and where each Pyomo component sits in it.

:func:`standard_form` compiles the model (grid_model.compiler, Pyomo's ``mixed_form`` convention) and records the
column block of every Var and the row block of every Constraint, so results can be read as whole arrays.
:func:`release_model` frees the Pyomo objects once they are no longer needed.
"""

from __future__ import annotations

import ctypes
import gc
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import highspy
import numpy as np
import pyomo.environ as pyo

from grid_model.compiler import compile_model_arrays
from grid_model.pyomo_speed import gc_paused, index_shape
from grid_model.solve.policy import UNKNOWN_PROBLEM, ProblemClass

if TYPE_CHECKING:
    from grid_model.solve.highs import CompiledModel


@dataclass(frozen=True)
class Block:
    """Where one indexed Var or Constraint sits in the LP: columns (or rows) [start, stop) in its own iteration
    order, shaped ``len(outer) × inner`` — ``outer`` the first index set (or every key of a one-dimensional
    component), ``inner`` the length of the second (1 for one-dimensional components)."""

    start: int
    stop: int
    outer: tuple
    inner: int
    two_d: bool


@dataclass
class StandardForm:
    """The LP as arrays: min cᵀx + offset, row_lo ≤ A x ≤ row_hi, col_lo ≤ x ≤ col_hi (costs in USD)."""

    c: np.ndarray
    A: object  # scipy.sparse csc
    col_lo: np.ndarray
    col_hi: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    columns: list | None
    rows: list | None
    offset: float
    compile_s: float
    model: pyo.ConcreteModel | None = None  # kept alive so row and column objects keep their names
    has_investment: bool = True
    longest_period_steps: int | None = None  # steps of the longest chronological chain (None: not known)
    cost_rows: object = None  # scipy.sparse csr, one row per cost category (USD per unit of each column)
    cost_offsets: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cost_names: list[str] = field(default_factory=list)
    var_blocks: dict[str, Block] = field(default_factory=dict)  # Var name -> its columns
    row_blocks: dict[str, Block] = field(default_factory=dict)  # Constraint name -> its rows
    route: str = "direct"  # which compiler produced the arrays (grid_model.compiler)

    def column_names(self) -> list[str]:
        """The Pyomo name of every column."""
        return [v.name for v in self.columns]

    def row_names(self) -> list[str]:
        """The Pyomo name of every row, with ``<=`` / ``>=`` for the sides of an inequality."""
        return [r[0].name + ("" if r[1] == 0 else ("<=" if r[1] > 0 else ">=")) for r in self.rows]


def standard_form(model: pyo.ConcreteModel, *, problem: ProblemClass | None = None) -> StandardForm:
    """Compile the Pyomo model to arrays (grid_model.compiler: mixed form, ≤, =, ≥ rows).

    Columns are in declaration order, not first appearance, so scenarios that differ only in which costs are
    non-zero compile to identical matrices (see grid_model.session). Each objective row is one cost category
    (grid_model.model.core); the LP's cost vector is their sum. ``problem`` (investment, longest period), told by
    whoever built the model, selects the default solver (grid_model.solve.policy); without it the LP is taken as
    dispatch-only, and gets dual simplex, which solves any LP.
    """
    with gc_paused():
        arrays = compile_model_arrays(model)
        t0 = time.perf_counter()
        bounds = [v.bounds for v in arrays.columns]
        inf = highspy.kHighsInf
        col_lo = np.array([-inf if b[0] is None else b[0] for b in bounds], dtype=float)
        col_hi = np.array([inf if b[1] is None else b[1] for b in bounds], dtype=float)
        del bounds
    n_cols = arrays.A.shape[1]
    cost_rows = arrays.cost_rows
    c = np.asarray(cost_rows.sum(axis=0)).ravel() if cost_rows.shape[0] else np.zeros(n_cols)
    rhs = arrays.rhs
    sign = np.fromiter((r[1] for r in arrays.rows), dtype=int, count=len(arrays.rows))
    row_lo = np.where(sign >= 0, np.where(sign == 0, rhs, -inf), rhs)
    row_hi = np.where(sign <= 0, np.where(sign == 0, rhs, inf), rhs)
    problem = problem or UNKNOWN_PROBLEM
    return StandardForm(
        c,
        arrays.A,
        col_lo,
        col_hi,
        row_lo,
        row_hi,
        arrays.columns,
        arrays.rows,
        float(arrays.cost_offsets.sum()),
        arrays.compile_s + time.perf_counter() - t0,
        model,
        problem.has_investment,
        problem.longest_period_steps,
        cost_rows=cost_rows,
        cost_offsets=arrays.cost_offsets,
        cost_names=[str(o.index()) for o in arrays.objectives],
        var_blocks=_var_blocks(model, arrays.columns, arrays.where),
        row_blocks=_row_blocks(arrays.rows),
        route=arrays.route,
    )


def _var_blocks(model: pyo.ConcreteModel, columns: list, where: np.ndarray) -> dict[str, Block]:
    """The column block of every Var component whose elements are all columns.

    ``columns`` are the VarData of the columns and ``where`` their positions in declaration order (ascending).
    """
    out: dict[str, Block] = {}
    start = 0
    for comp in model.component_objects(pyo.Var, descend_into=True):
        n = len(comp)
        k0, k1 = np.searchsorted(where, [start, start + n])
        shape = index_shape(comp, (columns[k0], columns[k1 - 1])) if n and k1 - k0 == n else None
        if shape is not None:
            out[comp.name] = Block(int(k0), int(k1), *shape)
        start += n
    return out


def _row_blocks(rows: list) -> dict[str, Block]:
    """The row block of every Constraint component compiled to exactly one row per element, consecutively."""
    out: dict[str, Block] = {}
    i, n = 0, len(rows)
    while i < n:
        comp = rows[i][0].parent_component()
        j = i
        while j < n and rows[j][0].parent_component() is comp:
            j += 1
        shape = index_shape(comp, (rows[i][0], rows[j - 1][0])) if j - i == len(comp) else None
        if shape is not None and comp.name not in out:
            out[comp.name] = Block(i, j, *shape)
        i = j
    return out


def same_structure(a: StandardForm, b: StandardForm) -> bool:
    """True when two LPs have the same rows, columns and matrix, so only costs and bounds may differ."""
    if a.A.shape != b.A.shape or a.A.nnz != b.A.nnz:
        return False
    if not (
        np.array_equal(a.A.indptr, b.A.indptr)
        and np.array_equal(a.A.indices, b.A.indices)
        and np.array_equal(a.A.data, b.A.data)
    ):
        return False
    return a.column_names() == b.column_names() and a.row_names() == b.row_names()


def release_model(target: CompiledModel | StandardForm) -> None:
    """Free the Pyomo variables, constraints, objectives and expressions once the LP is compiled.

    A one-shot solve reads its results through the column and row blocks (:meth:`Solution.block`), so the
    millions of Pyomo objects need not share memory with HiGHS; sets and the parameter tables attached to the
    model stay. Given a :class:`StandardForm` (before ``load_form``), the arrays are kept for loading; given a
    loaded ``CompiledModel``, the matrix is dropped too (HiGHS holds its own copy). Sessions that re-use the
    model warm keep it. The pipeline calls it in a second thread while HiGHS solves (grid_model.pipeline), which
    reads the Solution's columns/rows only through blocks. Memory saved: benchmarks/results/solver_policy.md.
    """
    loaded = not isinstance(target, StandardForm)  # else a CompiledModel (grid_model.solve.highs)
    form = target.form if loaded else target
    if form is None or form.model is None:
        return
    model = form.model
    if loaded:
        target.columns = target.rows = None
        form.A = None
    form.columns = form.rows = None
    with gc_paused():
        for comp in list(
            model.component_objects((pyo.Objective, pyo.Constraint, pyo.Expression, pyo.Var), descend_into=True)
        ):
            comp.parent_block().del_component(comp)
    # Most objects go by reference counting; what is left in reference cycles (Pyomo's compiler temporaries on the
    # fallback route, the build's tables) is collected now, once, since the pipeline pauses the automatic collector.
    # The pipeline runs this in a second thread while HiGHS solves, so its cost is off the wall time.
    gc.collect()
    _trim_heap()


def _trim_heap() -> None:
    """Give freed heap pages back to the operating system (glibc only; elsewhere a no-op)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
