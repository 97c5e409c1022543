"""The model builder: creates the context and its two registries, runs the ordered feature list, then writes the
zone balance and the objective.

Each feature module (``grid_model.model.features``) exposes ``add(ctx)`` and ``report(ctx, readout)``. ``add``
declares its own sets, variables and constraints on ``ctx.m`` through ``ctx.declare`` and *appends* to the two
shared registries (``grid_model.model.context``). Only then does :func:`build_model` write, for every zone z
and timestep t,

    Σ_features injection[z, t] = demand[z, t]            (``zone_energy_balance``; dual / w_t = price)

and the objective ``min Σ_categories cost[category]`` (one objective row per category, summed by the
compiler). The core never asks which feature is on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyomo.environ as pyo

from grid_model.dataset import Dataset
from grid_model.model.context import Context
from grid_model.model.features import FEATURES
from grid_model.options import ModelOptions
from grid_model.pyomo_speed import gc_paused, linear_sum
from grid_model.schema import COST_CATEGORIES
from grid_model.solve import ProblemClass, StandardForm, standard_form

log = logging.getLogger(__name__)

_REPLACING = "Implicitly replacing the Component attribute"


class _RefuseReplacement(logging.Filter):
    """Turns Pyomo's warning about an implicitly replaced component into an error: the replaced constraint
    would silently vanish from the LP (a feature must declare through ``Context.declare``). Other records pass
    only if they reach the level the logger had before the build (the CLI raises it to hide Pyomo's noise)."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        if _REPLACING in record.getMessage():
            raise RuntimeError(f"model build replaced a component: {record.getMessage().splitlines()[0]}")
        return record.levelno >= self.level


@contextmanager
def _no_component_replacement() -> Iterator[None]:
    """While the model is built, Pyomo's replacement warning is always emitted (whatever level the caller set on
    Pyomo's logger) and raises."""
    logger = logging.getLogger("pyomo.core")
    level = logger.level
    guard = _RefuseReplacement(logger.getEffectiveLevel())
    logger.addFilter(guard)
    logger.setLevel(min(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        logger.setLevel(level)
        logger.removeFilter(guard)


def build_model(ds: Dataset, options: ModelOptions | None = None) -> tuple[pyo.ConcreteModel, Context]:
    """Build the Pyomo LP for one planning year from a (scenario-applied) dataset."""
    options = options or ModelOptions()
    t0 = time.perf_counter()
    m = pyo.ConcreteModel(name="grid_model")
    ctx = Context(m, ds, options, ds.time)
    ctx.declare("ZONES", pyo.Set(initialize=ds.zones, ordered=True, doc="Zones (ISO codes)"))
    ctx.declare("TIMESTEPS", pyo.RangeSet(0, ctx.time.n_steps - 1, doc="Timesteps"))
    with gc_paused(), _no_component_replacement():
        for feature in FEATURES:
            feature.add(ctx)
        _write_balance_and_objective(ctx)
    log.info("built model in %.2f s", time.perf_counter() - t0)
    return m, ctx


def _write_balance_and_objective(ctx: Context) -> None:
    """Write the zone balance and one objective row per cost category from the registries, then clear them."""
    m, ds = ctx.m, ctx.ds
    zone_cols = {z: ds.demand_mw[z].to_numpy(dtype=float) for z in ds.zones}

    def balance_rule(m, z, t):
        terms = ctx.balance.terms(z, t)
        d = float(zone_cols[z][t])
        if not terms:
            return pyo.Constraint.Feasible if d == 0 else pyo.Constraint.Infeasible
        return linear_sum(terms) == d

    ctx.declare(
        "zone_energy_balance",
        pyo.Constraint(
            m.ZONES,
            m.TIMESTEPS,
            rule=balance_rule,
            doc="Σ injections (generation + discharge − charge + net imports after losses + unserved) = demand [MW]",
        ),
    )
    # One objective row per cost category. The compiler (grid_model.compiler) returns them as the rows of its cost
    # matrix: the LP minimises their sum, and the cost breakdown is each row times the solution — exact, with no
    # Pyomo expression evaluated after the solve (grid_model.solve.standard_form).
    ctx.declare(
        "cost_usd",
        pyo.Objective(
            list(COST_CATEGORIES),
            rule=lambda m, c: ctx.costs.expression(c),
            sense=pyo.minimize,
            doc="Cost by category [USD/yr]; the objective is their sum",
        ),
    )
    # The balance rows and cost rows now hold every term: drop the registries' references to them, so releasing
    # the Pyomo model after compiling (grid_model.solve.release_model) frees the hourly variables and terms.
    ctx.balance.clear()
    ctx.costs.clear()


def zone_prices(ctx: Context, duals: np.ndarray) -> np.ndarray:
    """Prices [USD/MWh], zones × steps: the dual of ``zone_energy_balance`` divided by the step's weight in the
    objective, π_ω·w_t (so each hydrology's prices are its own)."""
    return duals / ctx.weight_h


def compile_context(ctx: Context) -> StandardForm:
    """The standard form of a built model, with what the solver policy needs to know about its problem class:
    whether it invests, and the longest chronological chain (``grid_model.solve.default_solver``)."""
    problem = ProblemClass(ctx.has_investment, ctx.time.longest_chain_steps())
    form = standard_form(ctx.m, problem=problem)
    if ctx.options.cvar_weight > 0 and len(ctx.time.hydrologies) > 1 and not ctx.options.elastic:
        from grid_model.model.risk import add_cvar

        form = add_cvar(form, ctx)
    return form
