"""The direct compile pass (grid_model.compiler) gives exactly what Pyomo's standard-form compiler gives."""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyomo.common.errors import InfeasibleConstraintException

from grid_model.compiler import Unsupported, compile_linear, compile_model_arrays, compile_with_pyomo
from grid_model.dataset import load_dataset
from grid_model.model import ModelOptions, build_model


def assert_same(a, b) -> None:
    """Same rows (constraint and sense), columns, matrix, right-hand sides and cost rows, to rounding."""
    assert [(id(c), s) for c, s in a.rows] == [(id(c), s) for c, s in b.rows]
    assert [id(v) for v in a.columns] == [id(v) for v in b.columns]
    assert np.array_equal(a.where, b.where)
    assert [id(o) for o in a.objectives] == [id(o) for o in b.objectives]
    assert a.A.shape == b.A.shape and a.cost_rows.shape == b.cost_rows.shape
    for x, y in ((a.A, b.A), (a.cost_rows, b.cost_rows)):
        assert x.nnz == y.nnz  # the same pattern: no stored zeros on either side
        if y.nnz:
            assert abs(x - y).max() <= 1e-12 * max(1.0, abs(y).max())
    np.testing.assert_allclose(a.rhs, b.rhs, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(a.cost_offsets, b.cost_offsets, rtol=1e-12, atol=1e-9)


def _both(model):
    direct = compile_linear(model)
    assert direct.route == "direct"
    return direct, compile_with_pyomo(model)


@pytest.mark.parametrize(
    "options",
    [
        ModelOptions(),
        ModelOptions(carbon_price_usd_per_t=50.0, co2_cap_mt=0.5, min_renewable_share=0.4),
        ModelOptions(fuel_subsidies=False, allow_unserved=False),
        ModelOptions(co2_cap_mt=0.5, min_renewable_share=0.4, elastic=True),  # the diagnosis model
    ],
    ids=["base", "policy", "no-subsidies", "elastic"],
)
def test_direct_pass_equals_pyomo_on_the_example_dataset(options):
    m, _ = build_model(load_dataset("data/example", hydrology="average"), options)
    assert_same(*_both(m))


def test_direct_pass_equals_pyomo_on_the_headline_integrated_scenario():
    """Real data, typical days with Kotzur-linked reservoirs, candidate links, elastic demand, subsidies off."""
    from grid_model.scenario import load_run_inputs

    sc, ds = load_run_inputs("scenarios/integrated.yaml")
    m, _ = build_model(ds, sc.model_options())
    direct, pyomo_route = _both(m)
    assert direct.A.shape[0] > 10_000
    assert_same(direct, pyomo_route)


def _toy(fix: bool = True):
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, 3)
    m.x = pyo.Var(m.I, bounds=(0, 10))
    m.y = pyo.Var(bounds=(-5, 5))
    m.p = pyo.Param(initialize=2.5, mutable=True)
    if fix:  # Pyomo's compiler treats a fixed variable as a constant or a column by the order it meets it
        m.x[3].fix(4.0)  # (grid_model.compiler): the random models below leave it free
    m.e = pyo.Expression(expr=2 * m.x[0] - m.x[1] + 3)
    return m


def test_each_form_of_constraint_and_objective():
    m = _toy()
    x, y, p, e = m.x, m.y, m.p, m.e
    m.c = pyo.ConstraintList()
    m.c.add(x[0] + 2 * x[1] == 5)  # rhs constant
    m.c.add(7 == x[0] - x[2])  # lhs constant
    m.c.add(x[0] <= x[1] + y)  # both sides variable → lhs − rhs ≤ 0
    m.c.add(1 <= x[2] + p * x[3] + y)  # fixed variable and a mutable coefficient
    m.c.add(pyo.inequality(-1, e + -y, 8))  # ranged, through a named expression and a negation
    m.c.add(pyo.inequality(2, x[1], 2))  # ranged with equal bounds: an equality
    m.c.add(x[0] - x[0] + 1 <= 3)  # cancels to a row without variables that holds: dropped
    m.c.add(x[0] + 0 * x[2] <= float("inf"))  # an infinite bound stays a (free) row, as in Pyomo
    m.c.add(3 * (x[0] + e) - e >= -2)  # the named expression twice, with different multipliers
    m.o1 = pyo.Objective(expr=3 * e + x[2] * 4 + 1.5)
    m.o2 = pyo.Objective(expr=-(x[0] - y), sense=pyo.maximize)
    direct, pyomo_route = _both(m)
    assert_same(direct, pyomo_route)
    assert [s for _, s in direct.rows] == [0, 0, 1, -1, 1, -1, 0, 1, -1]
    assert id(m.x[3]) not in {id(v) for v in direct.columns}  # fixed: a constant, not a column


@pytest.mark.parametrize("expr", ["x[0] - x[0] == 1", "0 * x[1] >= 2"])
def test_trivially_infeasible_rows_raise_on_both_routes(expr):
    m = _toy()
    m.bad = pyo.Constraint(expr=eval(expr, {"x": m.x}))
    m.o = pyo.Objective(expr=m.x[0])
    for route in (compile_linear, compile_with_pyomo):
        with pytest.raises(InfeasibleConstraintException, match="bad"):
            route(m)


def test_an_unread_expression_goes_to_pyomos_compiler():
    m = _toy()
    from pyomo.core.expr.numeric_expr import DivisionExpression

    m.c = pyo.Constraint(expr=DivisionExpression((m.x[0], 4.0)) + m.y <= 3)  # linear, but no feature builds one
    m.o = pyo.Objective(expr=m.x[0])
    with pytest.raises(Unsupported):
        compile_linear(m)
    arrays = compile_model_arrays(m)
    assert arrays.route == "pyomo"
    assert arrays.A.toarray().tolist() == [[0.25, 1.0]]


@st.composite
def linear_expressions(draw, depth: int = 3):
    """A random linear expression over x[0..3], y, a constant, a parameter and a named expression, as a tree."""
    leaves = st.sampled_from(["x0", "x1", "x2", "x3", "y", "c", "p", "e"])
    if depth == 0 or draw(st.booleans()):
        return draw(leaves)
    kind = draw(st.sampled_from(["sum", "quicksum", "scale", "rscale", "neg"]))
    if kind in ("sum", "quicksum"):
        return (kind, [draw(linear_expressions(depth - 1)) for _ in range(draw(st.integers(1, 4)))])
    if kind == "neg":
        return (kind, draw(linear_expressions(depth - 1)))
    k = draw(st.sampled_from([0.0, -1.0, 0.5, 3.0, 1e-3]))
    return (kind, k, draw(linear_expressions(depth - 1)))


def _make(m, tree):
    if isinstance(tree, str):
        return {
            "x0": m.x[0],
            "x1": m.x[1],
            "x2": m.x[2],
            "x3": m.x[3],
            "y": m.y,
            "c": 1.25,
            "p": m.p,
            "e": m.e,
        }[tree]
    if tree[0] == "sum":
        return sum((_make(m, t) for t in tree[1]), start=0)
    if tree[0] == "quicksum":
        return pyo.quicksum(_make(m, t) for t in tree[1])
    if tree[0] == "neg":
        return -_make(m, tree[1])
    k, sub = tree[1], _make(m, tree[2])
    return k * sub if tree[0] == "scale" else sub * k


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(linear_expressions(), st.sampled_from(["==", "<=", ">=", "range"]), linear_expressions()),
        min_size=1,
        max_size=4,
    ),
    linear_expressions(),
)
def test_random_linear_models_compile_identically(constraints, objective):
    m = _toy(fix=False)
    m.c = pyo.ConstraintList()
    for lhs_tree, rel, rhs_tree in constraints:
        lhs, rhs = _make(m, lhs_tree), _make(m, rhs_tree)
        if rel == "range":
            expr = pyo.inequality(-3.0, lhs, 3.0)
        elif rel == "==":
            expr = lhs == rhs
        elif rel == "<=":
            expr = lhs <= rhs
        else:
            expr = lhs >= rhs
        if isinstance(expr, bool):  # two constants compared: not a constraint
            continue
        m.c.add(expr)
    m.o = pyo.Objective(expr=_make(m, objective))
    outcomes = []
    for route in (compile_linear, compile_with_pyomo):
        try:
            outcomes.append(route(m))
        except InfeasibleConstraintException:
            outcomes.append("infeasible")
    if "infeasible" in outcomes:
        assert outcomes == ["infeasible", "infeasible"]
    else:
        assert_same(*outcomes)


def test_importing_grid_model_does_not_run_pyomos_scipy_finaliser():
    """grid_model._sparse drops Pyomo's hook that imports scipy.stats & co. with scipy (0.56 s, 58 MB per process)."""
    import subprocess
    import sys

    code = "import sys, grid_model.pipeline, grid_model._sparse as s; print(s.FINALISER_DROPPED, 'scipy.stats' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    if out[0] != "True":
        pytest.skip("this Pyomo release has no scipy finaliser hook to drop")
    assert out[1] == "False"
