"""Solve a pathway: build every period's one-year LP, compose them (``grid_model.pathway.lp``), solve with HiGHS —
once over all periods (perfect foresight) or period by period with earlier builds fixed (myopic) — and read each
period's results as a one-year run would report them (annual figures), plus the builds by vintage."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from grid_model.dataset import Dataset, load_dataset
from grid_model.diagnose import violations
from grid_model.errors import InfeasibleError
from grid_model.model import build_model, compile_context
from grid_model.model.assemble import extract_results
from grid_model.pathway.inputs import Loader, period_dataset, period_scenarios
from grid_model.pathway.lp import Composed, PeriodModel, Vintage, VintageKey, build_limits, compose
from grid_model.pathway.timing import discount_weights, period_spans
from grid_model.pyomo_speed import gc_paused
from grid_model.results import Results
from grid_model.scenario import Scenario
from grid_model.solve import Solution, load_form, release_model, run

Progress = Callable[[str], None]


@dataclass
class PathwaySolution:
    """What a solved pathway holds before it is tabulated (``grid_model.pathway.results``)."""

    scenario: Scenario
    periods: list[Scenario]
    weights: np.ndarray
    spans: list[list[int]]
    results: list[Results]  # each period's one-year results (annual figures)
    vintages: list[Vintage]
    builds: dict[VintageKey, float]
    params: dict[int, dict[str, pd.DataFrame]]  # year -> feature parameter tables (for the builds table)
    datasets: dict[int, Dataset]  # year -> the period's aggregated dataset
    objective_usd: float  # the LP's own objective (perfect foresight) or Σ of the myopic LPs' discounted parts
    timings_s: dict[str, float]


def raw_loader() -> Loader:
    """A loader that reads each raw dataset (path, hydrology) once and hands out the same object after."""
    cache: dict[tuple[str, str], Dataset] = {}

    def load(path: Path, hydrology: str) -> Dataset:
        key = (str(path), hydrology)
        if key not in cache:
            cache[key] = load_dataset(path, hydrology=hydrology)
        return cache[key]

    return load


def build_periods(sc: Scenario, say: Progress, load: Loader | None = None) -> tuple[list[Scenario], list[PeriodModel]]:
    """Every period's scenario and compiled one-year LP, with its discount weight."""
    cfg = sc.pathway
    assert cfg is not None
    scenarios = period_scenarios(sc)
    weights = discount_weights(cfg.years, cfg.base_year, cfg.last_year(), sc.discount_rate)
    load = load or raw_loader()
    models = []
    for sc_q, w in zip(scenarios, weights, strict=True):
        say(f"period {sc_q.year}: inputs and model")
        ds = period_dataset(sc_q, load)
        _m, ctx = build_model(ds, sc_q.model_options())
        form = compile_context(ctx)
        release_model(form)  # results are read through column and row blocks
        ctx.release()
        models.append(PeriodModel(sc_q.year, ctx, form, float(w)))
    return scenarios, models


def solve_pathway(
    sc: Scenario, progress: Progress | None = None, log_file: Path | None = None, load: Loader | None = None
) -> PathwaySolution:
    """Solve a pathway scenario (``sc.pathway``) and read every period's results; nothing is written."""
    say = progress or (lambda _m: None)
    cfg = sc.pathway
    assert cfg is not None
    t0 = time.perf_counter()
    with gc_paused():
        scenarios, models = build_periods(sc, say, load)
        t_build = time.perf_counter() - t0
        solver = dict(sc.solver)
        limits = build_limits(models, cfg.max_build_mw_per_yr, cfg.build_years())
        if cfg.foresight == "perfect":
            composed = compose(models, limits=limits)
            say(f"solving the pathway LP ({composed.form.A.shape[0]:,} rows × {composed.form.A.shape[1]:,} columns)")
            sol = _solve(composed, scenarios, solver, log_file, sc.name)
            builds = composed.builds(sol.col_values)
            solutions = [composed.period_solution(q, sol, builds) for q in range(len(models))]
            vintages, objective = composed.vintages, sol.objective_usd
        else:
            vintages, builds, solutions = _myopic(models, scenarios, limits, solver, log_file, sc.name, say)
            objective = float(sum(pm.weight * s.objective_usd for pm, s in zip(models, solutions, strict=True)))
        t_solve = time.perf_counter() - t0 - t_build
        say("extracting results")
        results = [extract_results(pm.ctx, s, sc.name) for pm, s in zip(models, solutions, strict=True)]
    return PathwaySolution(
        scenario=sc,
        periods=scenarios,
        weights=np.array([pm.weight for pm in models]),
        spans=period_spans(cfg.years, cfg.last_year()),
        results=results,
        vintages=vintages,
        builds=builds,
        params={pm.year: dict(pm.ctx.params) for pm in models},
        datasets={pm.year: pm.ctx.ds for pm in models},
        objective_usd=objective,
        timings_s={"build": t_build, "solve": t_solve, "total": time.perf_counter() - t0},
    )


def _myopic(
    models: list[PeriodModel], scenarios: list[Scenario], limits: list, solver: dict, log_file, name: str, say: Progress
) -> tuple[list[Vintage], dict[VintageKey, float], list[Solution]]:
    """One LP per period, in order, each seeing only its own period; what earlier periods built is fixed."""
    vintages: list[Vintage] = []
    builds: dict[VintageKey, float] = {}
    solutions = []
    for pm, sc_q in zip(models, scenarios, strict=True):
        say(f"solving period {pm.year} (myopic)")
        earlier = [v for v in vintages if v.serves(pm.year)]
        composed = compose([pm], earlier=earlier, fixed=builds, limits=limits)
        sol = _solve(composed, [sc_q], solver, log_file, name)
        new = composed.builds(sol.col_values)
        vintages += [v for v in composed.vintages if v.year == pm.year]
        builds.update({k: v for k, v in new.items() if k[2] == pm.year})
        solutions.append(composed.period_solution(0, sol, builds))
    return vintages, builds, solutions


def _solve(composed: Composed, scenarios: list[Scenario], solver: dict, log_file, name: str) -> Solution:
    """Load and solve the composed LP; an infeasible pathway is explained period by period (:func:`_explain`)."""
    compiled = load_form(composed.form, solver, log_file=log_file)
    try:
        return run(compiled)
    except InfeasibleError:
        raise InfeasibleError(_explain(composed, scenarios, solver, name)) from None


def _explain(composed: Composed, scenarios: list[Scenario], solver: dict, name: str) -> str:
    """Re-solve the same pathway elastically (balance and policy constraints with penalised slacks, as a one-year
    run is diagnosed: ``grid_model.diagnose``) and say what the first period that needs a slack violates."""
    by_year = {s.year: s for s in scenarios}
    models = []
    for pm in composed.periods:
        options = replace(by_year[pm.year].model_options(), elastic=True)
        _m, ctx = build_model(pm.ctx.ds, options)
        models.append(PeriodModel(pm.year, ctx, compile_context(ctx), pm.weight))
    elastic = compose(models, composed.earlier, composed.fixed, composed.limits)
    try:
        sol = run(load_form(elastic.form, {k: v for k, v in solver.items() if k != "time_limit"}))
    except InfeasibleError:
        return (
            f"pathway '{name}' is infeasible even with every balance and policy constraint relaxed: some bounds "
            "contradict each other (a committed project in commissioning.csv above pathway.max_build_mw_per_yr, or "
            "above its ceiling)"
        )
    builds = elastic.builds(sol.col_values)
    for q, pm in enumerate(models):
        parts = violations(pm.ctx, elastic.period_solution(q, sol, builds), pm.form.columns, pm.ctx.options)
        if parts:
            return f"pathway '{name}' is infeasible in period {pm.year}: {'; '.join(parts)}; or raise pathway.max_build_mw_per_yr"
    return f"pathway '{name}' is infeasible; the elastic re-solve found no violated constraint: check the solver log"
