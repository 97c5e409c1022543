"""Low-level Pyomo helpers for speed: flat linear expressions, hourly variables with array bounds, reading an
indexed component's elements in blocks, and pausing the cyclic garbage collector while millions of small Pyomo
objects are created. Nothing here knows a feature of the model; everything above may import it.

Measurements behind these helpers: ``benchmarks/results/profiles``.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pyomo.environ as pyo
from pyomo.core.base.var import ScalarVar, VarData
from pyomo.core.expr.numeric_expr import LinearExpression, MonomialTermExpression


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while Pyomo creates millions of small objects (it finds nothing to
    free there; measured in benchmarks/results/build_notes.md)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_LINEAR_TERMS = (VarData, ScalarVar, MonomialTermExpression)


def linear_sum(terms: Sequence):
    """Σ terms as one flat ``LinearExpression`` when every term is a variable or a ``coefficient · variable``
    monomial; otherwise ``quicksum``. Built directly from the list: ``quicksum`` grows the sum one term at a time,
    which is slow for the zone balances (benchmarks/results/build_notes.md)."""
    for term in terms:
        if term.__class__ not in _LINEAR_TERMS:
            return pyo.quicksum(terms)
    return LinearExpression(list(terms))


def linear_terms(pairs: Iterable[tuple[float, object]]):
    """Σ coefficient · variable over ``pairs`` as one flat ``LinearExpression``, without the intermediate sums and
    products that writing it with operators creates (a coefficient of 1 is the variable itself, as with ``1 * v``;
    a zero coefficient leaves an entry the compiler drops)."""
    return LinearExpression([v if c == 1.0 else MonomialTermExpression((float(c), v)) for c, v in pairs])


def index_shape(comp, held: Sequence | None = None) -> tuple[tuple, int, bool] | None:
    """(outer keys, inner length, two-dimensional?) of an indexed Var or Constraint when it is indexed by one set, or
    by the product of two ordered sets and iterates in that product's order; otherwise None. Used to build the
    hourly blocks (:func:`var_rows`) and to read them back (grid_model.solve column and row blocks).

    ``held``: the component's elements in the order the caller holds them (its columns or rows), when it has them;
    only the first and the last are read. Without it the component is iterated once to find its last element.
    """
    if not comp.is_indexed() or not len(comp):
        return None
    index = comp.index_set()
    subsets = list(index.subsets()) if index.dimen != 1 and hasattr(index, "subsets") else [index]
    if len(subsets) == 1:
        return tuple(comp.keys()), 1, False
    if len(subsets) != 2 or not (subsets[0].isordered() and subsets[1].isordered()):
        return None
    outer, inner = tuple(subsets[0]), len(subsets[1])
    if len(comp) != len(outer) * inner:
        return None
    if held is not None:
        first, last = held[0], held[-1]
    else:
        first, last = next(iter(comp.values())), None
        for last in comp.values():  # noqa: B007 — the last element, without a list of millions
            pass
    if first is not comp[outer[0], subsets[1].first()] or last is not comp[outer[-1], subsets[1].last()]:
        return None
    return outer, inner, True


def hourly_var(m: pyo.ConcreteModel, name: str, units, lower_by_unit_step, upper_by_unit_step, doc: str):
    """Declare ``m.<name>[u, t]`` over ``units`` × TIMESTEPS with bounds given as arrays (units × timesteps, or
    anything that broadcasts to it: a scalar, a column per unit); −inf / +inf mean no bound.

    The Var is declared with the bounds of its first element and then only the units whose bounds differ are set,
    in one pass over the Var: a bounds rule costs a Python call per element (benchmarks/results/build_notes.md).
    Returns the Var.
    """
    n_units, n_steps = len(units), len(m.TIMESTEPS)
    lo = np.broadcast_to(np.asarray(lower_by_unit_step, dtype=float), (n_units, n_steps))
    hi = np.broadcast_to(np.asarray(upper_by_unit_step, dtype=float), (n_units, n_steps))
    lo_first = float(lo[0, 0]) if lo.size else 0.0
    hi_first = float(hi[0, 0]) if hi.size else np.inf
    var = pyo.Var(units, m.TIMESTEPS, bounds=(_finite(lo_first), _finite(hi_first)), doc=doc)
    m.add_component(name, var)
    rows = None
    for arr, first, set_bound in ((lo, lo_first, VarData.setlb), (hi, hi_first, VarData.setub)):
        for i in range(n_units):
            if np.all(arr[i] == first):
                continue
            rows = rows or var_rows(var, list(units), n_steps)
            for v, x in zip(rows[i], arr[i].tolist(), strict=True):
                set_bound(v, None if x in (np.inf, -np.inf) else x)
    return var


def _finite(x: float) -> float | None:
    return None if np.isinf(x) else x


def var_rows(var, keys: list, n_steps: int) -> list[list]:
    """``var[k, t]`` for every k in ``keys`` as lists over t — one pass over the Var instead of a dictionary
    look-up per element (benchmarks/results/build_notes.md).

    ``var`` must be indexed by (an ordered set equal to ``keys``) × TIMESTEPS; otherwise element by element.
    """
    flat = list(var.values())
    shape = index_shape(var, flat) if flat else None
    if shape is not None and shape[2] and list(shape[0]) == list(keys) and shape[1] == n_steps:
        return [flat[i * n_steps : (i + 1) * n_steps] for i in range(len(keys))]
    return [[var[k, t] for t in range(n_steps)] for k in keys]
