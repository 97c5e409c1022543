"""Helpers of the model builder (grid_model.model.core) that the features rely on."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyomo.environ as pyo

from grid_model.pyomo_speed import hourly_var, linear_sum, linear_terms


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


def test_solver_default_follows_the_problem_class(monkeypatch):
    """Dispatch-only → dual simplex; expansion over short periods (typical days) → dual simplex; expansion over a
    long chronological horizon → HiPO + crossover, or IPX + crossover where HiPO is not installed or the machine lacks
    the memory HiPO would need. A model of unknown structure keeps the expansion default."""
    from types import SimpleNamespace

    import grid_model.solve as solve
    import grid_model.solve.policy as policy
    from grid_model.solve import (
        DISPATCH_SOLVER,
        EXPANSION_FALLBACK_SOLVER,
        EXPANSION_SOLVER,
        HIPO_BYTES_PER_NONZERO,
        HIPO_COST_SCALE,
        IPM_COST_SCALE,
        SIMPLEX_COST_SCALE,
        SIMPLEX_MAX_PERIOD_STEPS,
        cost_scale_for,
        default_solver,
    )

    nnz = 3_000_000

    def form(invest: bool, longest: int | None) -> SimpleNamespace:
        return SimpleNamespace(has_investment=invest, longest_period_steps=longest, A=SimpleNamespace(nnz=nnz))

    assert solve.hipo_installed()  # highspy-extras is a dependency
    monkeypatch.setattr(policy, "available_memory_bytes", lambda: HIPO_BYTES_PER_NONZERO * nnz)
    assert default_solver(form(False, 8760)) == DISPATCH_SOLVER
    assert default_solver(form(True, 24)) == DISPATCH_SOLVER
    assert default_solver(form(True, SIMPLEX_MAX_PERIOD_STEPS + 1)) == EXPANSION_SOLVER
    assert default_solver(form(True, None)) == EXPANSION_SOLVER
    monkeypatch.setattr(policy, "available_memory_bytes", lambda: None)  # unknown: HiPO
    assert default_solver(form(True, 8760)) == EXPANSION_SOLVER
    monkeypatch.setattr(policy, "available_memory_bytes", lambda: HIPO_BYTES_PER_NONZERO * nnz - 1)
    assert default_solver(form(True, 8760)) == EXPANSION_FALLBACK_SOLVER
    assert default_solver(form(False, 8760)) == DISPATCH_SOLVER
    monkeypatch.setattr(policy, "available_memory_bytes", lambda: None)
    monkeypatch.setattr(policy, "hipo_installed", lambda: False)
    assert default_solver(form(True, SIMPLEX_MAX_PERIOD_STEPS + 1)) == EXPANSION_FALLBACK_SOLVER
    assert cost_scale_for(EXPANSION_FALLBACK_SOLVER) == cost_scale_for({"solver": "ipx"}) == IPM_COST_SCALE
    assert cost_scale_for(EXPANSION_SOLVER) == HIPO_COST_SCALE
    assert cost_scale_for(DISPATCH_SOLVER) == cost_scale_for({}) == SIMPLEX_COST_SCALE


def test_available_memory_is_read_where_the_system_says():
    from grid_model.solve import available_memory_bytes

    available = available_memory_bytes()
    if Path("/proc/meminfo").exists():
        assert available is not None and 0 < available < 1 << 50
    else:
        assert available is None


def _example_lp(options: dict):
    from grid_model.dataset import load_dataset
    from grid_model.model import ModelOptions, build_model
    from grid_model.solve import load_form, standard_form

    m, _ = build_model(load_dataset("data/example", "average"), ModelOptions())
    return load_form(standard_form(m), options)


def test_hipo_runs_and_agrees_with_simplex(tmp_path):
    """HiPO really runs (HiGHS's log says so; without highspy-extras it would silently run IPX) and its basic
    solution has simplex's objective."""
    from grid_model.solve import run, set_log_file

    hipo = _example_lp({"solver": "hipo", "run_crossover": "on"})
    set_log_file(hipo, tmp_path / "hipo.log")
    objective = run(hipo).objective_usd
    assert "Hipo: Solved" in (tmp_path / "hipo.log").read_text()
    assert abs(objective / run(_example_lp({"solver": "simplex"})).objective_usd - 1) < 1e-9


def test_hipo_stopping_short_is_solved_again_with_ipx(monkeypatch):
    """A HiPO run that ends without a verdict (here: it never ran, status "Not Set") is re-run with IPX + crossover,
    the solution says so, and the instance is set back to the caller's options for its next (warm) run."""
    import grid_model.solve as solve
    import grid_model.solve.interrupt as interrupt

    real = interrupt._run_interruptible
    seen: list[str] = []

    def hipo_gives_nothing(h):
        seen.append(solve.option_value(h, "solver"))
        if seen[-1] != "hipo":
            real(h)

    monkeypatch.setattr(interrupt, "_run_interruptible", hipo_gives_nothing)
    compiled = _example_lp({"solver": "hipo", "run_crossover": "off"})
    sol = solve.run(compiled)
    assert seen == ["hipo", "ipm"]
    assert sol.solver_info["hipo_fallback"] == "Not Set"
    assert sol.solver_info["ipm_iterations"] > 0 and sol.solver_info["basis_valid"]  # IPX ran, crossover gave a basis
    h = compiled.highs
    assert (solve.option_value(h, "solver"), solve.option_value(h, "run_crossover")) == ("hipo", "off")
    monkeypatch.undo()
    assert abs(sol.objective_usd / solve.run(_example_lp({"solver": "simplex"})).objective_usd - 1) < 1e-9


def test_build_model_records_the_longest_period():
    from tiny import example_year

    from grid_model.model import build_model
    from grid_model.scenario import TimeConfig
    from grid_model.timeseries import aggregate_time

    year = example_year()
    assert build_model(year)[1].time.longest_chain_steps() == 8760
    typical = aggregate_time(year, TimeConfig(mode="typical", n_periods=4, period_h=24))
    assert build_model(typical)[1].time.longest_chain_steps() == 24
