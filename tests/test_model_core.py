"""Helpers of the model builder (grid_model.model.core) that the features rely on."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo

from grid_model.model.core import hourly_var, linear_sum, linear_terms


def _model(n_steps: int = 4):
    m = pyo.ConcreteModel()
    m.TIMESTEPS = pyo.RangeSet(0, n_steps - 1)
    m.U = pyo.Set(initialize=["a", "b", "c"], ordered=True)
    return m


def test_hourly_var_takes_its_bounds_from_arrays():
    m = _model()
    lower = np.array([[0.0] * 4, [1.0, 2.0, 3.0, 4.0], [-np.inf] * 4])  # first unit like the declared bound
    upper = np.array([[np.inf], [9.0], [5.0]])  # one value per unit
    var = hourly_var(m, "x", m.U, lower, upper, "test [MW]")
    assert m.x is var
    got_lo = np.array([[var[u, t].lb if var[u, t].lb is not None else -np.inf for t in range(4)] for u in m.U])
    got_hi = np.array([[var[u, t].ub if var[u, t].ub is not None else np.inf for t in range(4)] for u in m.U])
    assert np.array_equal(got_lo, lower)
    assert np.array_equal(got_hi, np.broadcast_to(upper, (3, 4)))
    assert var.doc == "test [MW]"


def test_hourly_var_with_scalar_bounds_sets_no_element():
    m = _model()
    var = hourly_var(m, "x", m.U, 0.0, np.inf, "")
    assert all(v.bounds == (0.0, None) for v in var.values())


def test_flat_sums_equal_operator_sums():
    m = _model()
    m.x = pyo.Var(m.U, m.TIMESTEPS)
    terms = [m.x["a", 0], -m.x["b", 1], 2.5 * m.x["c", 2]]
    for t, v in zip((m.x["a", 0], m.x["b", 1], m.x["c", 2]), (1.0, 2.0, 3.0), strict=True):
        t.set_value(v)
    assert pyo.value(linear_sum(terms)) == 1.0 - 2.0 + 7.5
    assert pyo.value(linear_sum([*terms, 4.0 * (m.x["a", 0] + 1)])) == 6.5 + 8.0  # not flat: quicksum
    assert pyo.value(linear_terms([(2.0, m.x["a", 0]), (-1.0, m.x["c", 2])])) == 2.0 - 3.0
