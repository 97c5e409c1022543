"""Compile the Pyomo LP to sparse arrays: ``min Σ_k c_kᵀx + o_k``, ``A x {≤, =, ≥} b``, columns in declaration order.

Why not only Pyomo's ``LinearStandardFormCompiler``: its generic expression walker pays for cases our features never
build (nonlinear terms, templates, slack forms), and on large LPs it took more than half of the time outside HiGHS;
the direct pass takes under half of its time. Measurements: benchmarks/results/solver_policy.md.
:func:`compile_linear` reads the same expressions with one direct pass: every expression our features create is a
sum of variables, ``coefficient · variable`` terms, constants, ``constant · expression`` products, negations and
named expressions (:class:`pyomo.environ.Expression`), with parameters and fixed variables as constants. It meets anything else by
raising :class:`Unsupported`, and :func:`compile_model_arrays` then hands the whole model to Pyomo's compiler,
so a new feature can never be compiled wrongly — at worst slowly. Both routes return the same
:class:`LinearArrays`; tests compile every fixture both ways and assert identical arrays.

Rows follow Pyomo's ``mixed_form`` convention exactly (so duals keep their signs): a constraint
``lb ≤ body ≤ ub`` is normalised like ``ConstraintData.to_bounded_expression`` (a relation between two
expressions with variables becomes ``lhs − rhs`` against 0), an equality is one row with sign 0, and each side
given of an inequality is one row — sign 1 for ``body ≤ ub``, −1 for ``body ≥ lb`` (an infinite side stays, as a
free row). Rows without variables (none written, or all cancelled) are dropped when they hold and raise
``InfeasibleConstraintException`` when they cannot. Columns are the variables that appear with a non-zero
coefficient somewhere.

One difference, on purpose: a fixed variable is always a constant here. Pyomo's compiler makes it a constant only
if no variable of its component was met before it (otherwise it is a column, removed afterwards), so a row whose
only variables are fixed is dropped or kept depending on the order of the model. No feature fixes variables.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass

import numpy as np
import pyomo.environ as pyo
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.common.numeric_types import native_numeric_types, value
from pyomo.core.base.var import ScalarVar, VarData
from pyomo.core.expr.numeric_expr import (
    LinearExpression,
    MonomialTermExpression,
    NegationExpression,
    ProductExpression,
    SumExpression,
)
from pyomo.core.expr.relational_expr import EqualityExpression, InequalityExpression, RangedExpression
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from pyomo.repn.util import FileDeterminism, FileDeterminism_to_SortComponents

from grid_model._sparse import sparse

log = logging.getLogger(__name__)

_VARS = (VarData, ScalarVar)
_SUMS = (LinearExpression, SumExpression)
_PRODUCTS = (MonomialTermExpression, ProductExpression)
_SORT = FileDeterminism_to_SortComponents(FileDeterminism.ORDERED)  # Pyomo's compiler default


class Unsupported(Exception):
    """An expression the direct pass does not read; the model is compiled by Pyomo instead."""


@dataclass
class LinearArrays:
    """The compiled LP (costs and coefficients in model units: USD, MW, MWh)."""

    A: sparse.csc_matrix  # rows × columns
    cost_rows: sparse.csr_matrix  # one row per objective (cost category) × columns
    cost_offsets: np.ndarray  # constant of each objective
    rhs: np.ndarray  # right-hand side of each row
    rows: list  # (ConstraintData, sign) of each row: 0 '=', 1 '≤', −1 '≥'
    columns: list  # VarData of each column, in declaration order
    where: np.ndarray  # position of each column among all the model's variables (ascending)
    objectives: list  # ObjectiveData of each cost row
    route: str  # "direct" or "pyomo"
    compile_s: float = 0.0


def compile_model_arrays(model: pyo.ConcreteModel) -> LinearArrays:
    """The model as arrays: the direct pass when it reads every expression, else Pyomo's compiler."""
    t0 = time.perf_counter()
    try:
        out = compile_linear(model)
    except Unsupported as exc:
        log.info("compiling with Pyomo's standard-form compiler (%s)", exc)
        out = compile_with_pyomo(model)
    out.compile_s = time.perf_counter() - t0
    return out


def compile_linear(model: pyo.ConcreteModel) -> LinearArrays:
    """The direct pass (see the module docstring). Raises :class:`Unsupported` on an expression it does not read."""
    order = [v for comp in model.component_objects(pyo.Var, descend_into=True) for v in comp.values()]
    # fixed variables are left out of the map, so the hot loop needs no test for them (the walker makes them
    # constants when it misses them)
    walker = _Walker({id(v): i for i, v in enumerate(order) if not v.fixed})

    objectives = list(model.component_data_objects(pyo.Objective, active=True, descend_into=True, sort=_SORT))
    c_ptr, c_off = [0], []
    for obj in objectives:
        mult = 1.0 if obj.sense == pyo.minimize else -1.0  # Pyomo's compiler minimises (set_sense)
        c_off.append(walker.walk(obj.expr, mult))
        c_ptr.append(len(walker.idx))
    c_idx, c_dat = walker.take()

    ptr, rows, rhs = [0], [], []
    idx, dat = walker.idx, walker.dat
    for con in model.component_data_objects(pyo.Constraint, active=True, descend_into=True, sort=_SORT):
        n0 = len(idx)
        lb, offset, ub = walker.constraint(con)
        if lb is None and ub is None:
            del idx[n0:], dat[n0:]
            continue
        if lb == ub:
            rows.append((con, 0))
            rhs.append(ub - offset)
            ptr.append(len(idx))
            continue
        n1 = len(idx)
        if ub is not None:
            rows.append((con, 1))
            rhs.append(ub - offset)
            ptr.append(n1)
        if lb is not None:
            if ub is not None:
                idx.extend(idx[n0:n1])
                dat.extend(dat[n0:n1])
            rows.append((con, -1))
            rhs.append(lb - offset)
            ptr.append(len(idx))
    idx, dat = walker.take()

    n_all = len(order)
    A, rows, rhs = _drop_empty_rows(_csr(dat, idx, ptr, len(rows), n_all), rows, np.asarray(rhs, dtype=float))
    C = _csr(c_dat, c_idx, c_ptr, len(objectives), n_all)
    used = np.zeros(n_all, dtype=bool)
    used[A.indices] = True
    used[C.indices] = True
    where = np.flatnonzero(used)
    return LinearArrays(
        A=A.tocsc()[:, where],
        cost_rows=C[:, where].tocsr(),
        cost_offsets=np.asarray(c_off, dtype=float),
        rhs=rhs,
        rows=rows,
        columns=[order[i] for i in where],
        where=where,
        objectives=objectives,
        route="direct",
    )


def compile_with_pyomo(model: pyo.ConcreteModel) -> LinearArrays:
    """Pyomo's ``LinearStandardFormCompiler`` (``mixed_form``), its columns put in declaration order with numpy
    (faster than its ``column_order`` option; benchmarks/results/solver_policy.md)."""
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    order = [v for comp in model.component_objects(pyo.Var, descend_into=True) for v in comp.values()]
    where = _positions(order, info.columns)
    perm = np.argsort(where, kind="stable")
    n_cols = len(info.columns)
    cost_rows = sparse.csr_matrix(info.c)[:, perm] if info.c.shape[0] else sparse.csr_matrix((0, n_cols))
    offsets = np.asarray(info.c_offset, dtype=float).ravel() if np.size(info.c_offset) else np.zeros(0)
    return LinearArrays(
        A=info.A.tocsc()[:, perm],
        cost_rows=cost_rows.tocsr(),
        cost_offsets=offsets,
        rhs=np.asarray(info.rhs, dtype=float),
        rows=[(r[0], int(r[1])) for r in info.rows],
        columns=[info.columns[i] for i in perm],
        where=where[perm],
        objectives=list(info.objectives),
        route="pyomo",
    )


def _positions(order: list, columns: list) -> np.ndarray:
    """Position in ``order`` of every object of ``columns`` (matched by identity), vectorised."""
    ids_order = np.fromiter((id(v) for v in order), dtype=np.uint64, count=len(order))
    ids_cols = np.fromiter((id(v) for v in columns), dtype=np.uint64, count=len(columns))
    sorter = np.argsort(ids_order)
    return sorter[np.searchsorted(ids_order, ids_cols, sorter=sorter)]


def _csr(data: list, index: list, ptr: list, n_rows: int, n_cols: int) -> sparse.csr_matrix:
    """CSR matrix with repeated (row, column) entries summed and zeros removed, as Pyomo's compiler does."""
    M = sparse.csr_matrix(
        (np.asarray(data, dtype=float), np.asarray(index, dtype=np.int64), np.asarray(ptr, dtype=np.int64)),
        shape=(n_rows, n_cols),
    )
    M.sum_duplicates()
    M.eliminate_zeros()
    return M


def _drop_empty_rows(A: sparse.csr_matrix, rows: list, rhs: np.ndarray) -> tuple[sparse.csr_matrix, list, np.ndarray]:
    """Rows left without variables (none written, or all cancelled to zero) are dropped when they hold — an
    equality needs rhs = 0, a ≤ row rhs ≥ 0, a ≥ row rhs ≤ 0 — and raise when they cannot."""
    empty = np.diff(A.indptr) == 0
    if not empty.any():
        return A, rows, rhs
    for i in np.flatnonzero(empty):
        con, sign = rows[i]
        if (sign == 0 and rhs[i] != 0) or (sign > 0 and rhs[i] < 0) or (sign < 0 and rhs[i] > 0):
            raise InfeasibleConstraintException(f"model contains a trivially infeasible constraint, '{con.name}'")
    keep = ~empty
    return A[keep], [r for r, k in zip(rows, keep, strict=True) if k], rhs[keep]


def _constant(e) -> bool:
    return e.__class__ in native_numeric_types or not e.is_potentially_variable()


def _bound(x, con) -> float:
    """A constant bound as a float (an infinite one stays a row with an infinite side, as in Pyomo's compiler)."""
    x = float(value(x))
    if math.isnan(x):
        raise Unsupported(f"constraint {con.name} has a NaN bound")
    return x


class _Walker:
    """Reads linear expressions into (column, coefficient) lists: ``idx``/``dat`` grow as expressions are read."""

    def __init__(self, col: dict[int, int]) -> None:
        self.col = col
        self.idx: list[int] = []
        self.dat: list[float] = []
        self._named: dict[int, tuple[list[int], list[float], float]] = {}

    def take(self) -> tuple[list[int], list[float]]:
        idx, dat = self.idx, self.dat
        self.idx, self.dat = [], []
        return idx, dat

    def constraint(self, con) -> tuple[float | None, float, float | None]:
        """Append the body of ``con``; return (lower bound, constant of the body, upper bound)."""
        expr = con.expr
        cls = expr.__class__
        if cls is RangedExpression:
            lo, body, hi = expr.args
            if not (_constant(lo) and _constant(hi)):
                raise Unsupported(f"constraint {con.name} has variable bounds")
            return _bound(lo, con), self.walk(body, 1.0), _bound(hi, con)
        if cls is not EqualityExpression and cls is not InequalityExpression:
            raise Unsupported(f"constraint {con.name} is a {cls.__name__}")
        lhs, rhs = expr.args
        eq = cls is EqualityExpression
        if _constant(rhs):
            b = _bound(rhs, con)
            return (b if eq else None), self.walk(lhs, 1.0), b
        if _constant(lhs):
            b = _bound(lhs, con)
            return b, self.walk(rhs, 1.0), (b if eq else None)
        offset = self.walk(lhs, 1.0) + self.walk(rhs, -1.0)
        return (0.0 if eq else None), offset, 0.0

    def walk(self, e, mult: float) -> float:
        """Append the terms of ``mult · e``; return its constant."""
        cls = e.__class__
        if cls in native_numeric_types:
            return mult * e
        if cls in _SUMS:
            return self._sum(e.args, mult)
        if cls in _VARS:
            return self._var(e, mult)
        if cls in _PRODUCTS:
            a, b = e.args
            if _constant(a):
                return self.walk(b, mult * value(a))
            if _constant(b):
                return self.walk(a, mult * value(b))
            raise Unsupported("a product of two expressions with variables")
        if cls is NegationExpression:
            return self.walk(e.args[0], -mult)
        if e.is_named_expression_type():
            return self._named_expression(e, mult)
        if not e.is_potentially_variable():
            return mult * value(e)
        if e.is_variable_type():
            return self._var(e, mult)
        raise Unsupported(f"expression of type {cls.__name__}")

    def _var(self, v, mult: float) -> float:
        i = self.col.get(id(v))
        if i is None:
            if v.fixed:
                return mult * value(v)
            raise Unsupported(f"variable {v.name} is not declared on the model")
        self.idx.append(i)
        self.dat.append(mult)
        return 0.0

    def _sum(self, args, mult: float) -> float:
        """The hot loop: sums of variables and ``coefficient · variable`` terms, inlined."""
        const = 0.0
        idx, dat, col = self.idx, self.dat, self.col
        for a in args:
            cls = a.__class__
            if cls is MonomialTermExpression:
                k, v = a.args
                if k.__class__ not in native_numeric_types:
                    k = value(k)
                i = col.get(id(v))
                if i is None:
                    const += self._var(v, mult * k)
                else:
                    idx.append(i)
                    dat.append(mult * k)
            elif cls in _VARS:
                i = col.get(id(a))
                if i is None:
                    const += self._var(a, mult)
                else:
                    idx.append(i)
                    dat.append(mult)
            elif cls in native_numeric_types:
                const += mult * a
            else:
                const += self.walk(a, mult)
        return const

    def _named_expression(self, e, mult: float) -> float:
        """A named expression (``Expression`` component) is read once and its terms re-used, scaled."""
        key = id(e)
        hit = self._named.get(key)
        if hit is None:
            saved = self.take()
            const = self.walk(e.expr, 1.0)
            hit = (*self.take(), const)
            self.idx, self.dat = saved
            self._named[key] = hit
        idx, dat, const = hit
        self.idx.extend(idx)
        self.dat.extend(dat if mult == 1.0 else [mult * d for d in dat])
        return mult * const
