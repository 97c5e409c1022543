"""The model builder: creates the two registries, runs the ordered feature list, writes balance and objective.

Each feature module exposes ``add(ctx)``: it declares its own sets, variables and constraints on
``ctx.m`` and *appends* to the two shared registries —

* ``ctx.balance``: terms of the zone energy balance, per (zone, timestep), in MW (+ injects);
* ``ctx.costs``: cost expressions in USD/yr, keyed by breakdown category (``fuel``, ``capex_generation``…).

Only then does :func:`build_model` write, for every zone z and timestep t,

    Σ_features injection[z, t] = demand[z, t]            (``zone_energy_balance``; dual / w_t = price)

and the objective ``min Σ_categories cost[category]`` (one objective row per category, summed by the
compiler). The core never asks which feature is on.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.dataset import Dataset
from grid_model.pyomo_speed import gc_paused, linear_sum
from grid_model.schema import COST_CATEGORIES

log = logging.getLogger(__name__)


# Zero-cost energy that gives way first when there is more than the system can use. Without these small costs
# the LP is indifferent between, say, curtailing solar and spilling run-of-river water, and two correct solves
# (simplex and IPM, or a warm and a cold re-solve) return different splits: 1.5 TWh of Chilean solar against
# run-of-river in the headline base, 0.2 points of the non-conventional renewable share. Each rung adds
# ``tie_break_usd_per_mwh`` to every MWh of the category: wind gives way first, then solar, then geothermal,
# and water is spilled last — the spill penalty of hydrothermal models (SDDP and its descendants).
TIE_BREAK_RUNGS: dict[str, int] = {"hydro": 1, "geothermal": 2, "solar": 3, "wind": 4}
TIE_BREAK_USD_PER_MWH = 0.01


@dataclass
class ModelOptions:
    """Switches and policy that shape the optimisation (filled from the scenario)."""

    discount_rate: float = 0.07
    carbon_price_usd_per_t: float = 0.0
    co2_cap_mt: float | None = None
    min_renewable_share: float | None = None
    fuel_subsidies: bool = True
    allow_unserved: bool = True
    elastic: bool = False  # diagnosis only: penalised slacks on balances and policy constraints
    tie_break_usd_per_mwh: float = TIE_BREAK_USD_PER_MWH  # per rung of TIE_BREAK_RUNGS; 0 = no tie-break

    def tie_break_for(self, categories: pd.Series) -> pd.Series:
        """Tie-break cost of each row's category [USD/MWh]: rung × ``tie_break_usd_per_mwh`` (0 off the ladder)."""
        rung = categories.map(TIE_BREAK_RUNGS).fillna(0).astype(float)
        return rung * self.tie_break_usd_per_mwh


def annuity_factor(rate: float, lifetime_yr: float) -> float:
    """Capital recovery factor r / (1 − (1 + r)^−n); 1/n when r = 0."""
    if rate == 0:
        return 1.0 / lifetime_yr
    return rate / (1.0 - (1.0 + rate) ** (-lifetime_yr))


class BalanceRegistry:
    """Terms of the zone energy balance: per zone and timestep, lists of Pyomo linear expressions in MW."""

    def __init__(self, n_steps: int = 0) -> None:
        self.n_steps = n_steps
        self._terms: dict[str, list[list]] = {}

    def _zone(self, zone: str) -> list[list]:
        lists = self._terms.get(zone)
        if lists is None:
            lists = self._terms[zone] = [[] for _ in range(self.n_steps)]
        return lists

    def add(self, zone: str, t: int, expr) -> None:
        self._zone(zone)[t].append(expr)

    def add_series(self, zone: str, exprs: Iterable) -> None:
        """Append one term per timestep (``exprs[t]`` to the balance of ``zone`` at t), all T at once."""
        lists = self._zone(zone)
        n = 0
        for lst, e in zip(lists, exprs, strict=False):
            lst.append(e)
            n += 1
        if n != self.n_steps:
            raise ValueError(f"balance series for {zone} has {n} terms, expected {self.n_steps}")

    def terms(self, zone: str, t: int) -> list:
        lists = self._terms.get(zone)
        return lists[t] if lists is not None else []

    def clear(self) -> None:
        self._terms.clear()


class CostRegistry:
    """Cost terms in USD/yr keyed by breakdown category; a category may receive terms from several features."""

    def __init__(self) -> None:
        self._terms: dict[str, list] = defaultdict(list)

    def add(self, category: str, expr) -> None:
        if category not in COST_CATEGORIES:
            raise ValueError(f"unknown cost category {category!r}")
        self._terms[category].append(expr)

    def expression(self, category: str):
        return pyo.quicksum(self._terms.get(category, [])) if self._terms.get(category) else 0.0

    def categories(self) -> list[str]:
        return [c for c in COST_CATEGORIES if self._terms.get(c)]

    def clear(self) -> None:
        self._terms.clear()


def period_index(timesteps: pd.DataFrame) -> np.ndarray:
    """Period of each timestep, numbered 0, 1, … in order (all 0 without a ``period`` column)."""
    if "period" not in timesteps.columns:
        return np.zeros(len(timesteps), dtype=int)
    period = timesteps["period"].to_numpy()
    return np.cumsum(np.r_[False, period[1:] != period[:-1]])


def previous_step(timesteps: pd.DataFrame) -> np.ndarray:
    """Index of each timestep's predecessor in the same period; the first step of a period links to its last."""
    period = period_index(timesteps)
    prev = np.arange(len(period)) - 1
    first = np.flatnonzero(np.r_[True, period[1:] != period[:-1]])
    prev[first] = np.r_[first[1:] - 1, len(period) - 1]
    return prev


@dataclass
class Context:
    """Everything a feature needs: the model, the data, options and the two registries."""

    m: pyo.ConcreteModel
    ds: Dataset
    options: ModelOptions
    balance: BalanceRegistry = field(default_factory=BalanceRegistry)

    def __post_init__(self) -> None:
        self.balance.n_steps = len(self.ds.timesteps)

    costs: CostRegistry = field(default_factory=CostRegistry)
    # Expressions features publish for others / for results (e.g. emissions, generation by category)
    emissions_t: dict[str, list] = field(default_factory=lambda: defaultdict(list))  # zone -> tCO2/yr terms
    generation_mwh: dict[str, list] = field(default_factory=lambda: defaultdict(list))  # 'renewable'/'all' -> MWh/yr

    @property
    def T(self) -> range:
        return range(len(self.ds.timesteps))

    @property
    def weight_h(self) -> np.ndarray:
        return self.ds.timesteps["weight_h"].to_numpy(dtype=float)

    @property
    def duration_h(self) -> np.ndarray:
        """Chronological length of each step (differs from the weight for representative periods)."""
        ts = self.ds.timesteps
        col = "duration_h" if "duration_h" in ts.columns else "weight_h"
        return ts[col].to_numpy(dtype=float)

    def period_index(self) -> np.ndarray:
        """Period of each timestep, numbered 0, 1, … in order (all 0 without typical periods)."""
        return period_index(self.ds.timesteps)

    def previous(self) -> np.ndarray:
        """Index of the previous timestep in the same period, cyclic within each period."""
        return previous_step(self.ds.timesteps)

    def release(self) -> None:
        """Drop the expressions features published (they reference hourly variables), once the model is compiled
        and released (grid_model.solve.release_model); the data and options stay for reading results."""
        self.emissions_t.clear()
        self.generation_mwh.clear()

    def annuity(self, lifetime_yr: float) -> float:
        return annuity_factor(self.options.discount_rate, lifetime_yr)


def _features() -> list:
    # Ordered list: each appends to the registries; policy last because it reads what others published.
    from grid_model.model import elastic, generation, hydro, links, policy, storage, unserved

    return [generation, storage, hydro, links, unserved, elastic, policy]


def build_model(ds: Dataset, options: ModelOptions | None = None) -> tuple[pyo.ConcreteModel, Context]:
    """Build the Pyomo LP for one planning year from a (scenario-applied) dataset."""
    options = options or ModelOptions()
    t0 = time.perf_counter()
    m = pyo.ConcreteModel(name="grid_model")
    m.ZONES = pyo.Set(initialize=ds.zones, ordered=True, doc="Zones (ISO codes)")
    m.TIMESTEPS = pyo.RangeSet(0, len(ds.timesteps) - 1, doc="Timesteps")
    ctx = Context(m, ds, options)
    # the longest chronological chain (a typical period, or the whole horizon): the solver default depends on it
    m._longest_period_steps = int(np.bincount(ctx.period_index()).max()) if len(ds.timesteps) else 0
    with gc_paused():
        _build(m, ctx, ds)
    ds.meta.setdefault("timings_s", {})["build"] = time.perf_counter() - t0  # type: ignore[index]
    log.info("built model in %.2f s", time.perf_counter() - t0)
    return m, ctx


def _build(m: pyo.ConcreteModel, ctx: Context, ds: Dataset) -> None:
    """Run the ordered features, then write the zone balance and the objective from the registries."""
    for feature in _features():
        feature.add(ctx)

    demand = ds.demand_mw
    zone_cols = {z: demand[z].to_numpy(dtype=float) for z in ds.zones}

    def balance_rule(m, z, t):
        terms = ctx.balance.terms(z, t)
        d = float(zone_cols[z][t])
        if not terms:
            return pyo.Constraint.Feasible if d == 0 else pyo.Constraint.Infeasible
        return linear_sum(terms) == d

    m.zone_energy_balance = pyo.Constraint(
        m.ZONES,
        m.TIMESTEPS,
        rule=balance_rule,
        doc="Σ injections (generation + discharge − charge + net imports after losses + unserved) = demand [MW]",
    )
    # One objective row per cost category. The compiler (grid_model.compiler) returns them as the rows of its cost
    # matrix: the LP minimises their sum, and the cost breakdown is each row times the solution — exact, with no
    # Pyomo expression evaluated after the solve (grid_model.solve.standard_form).
    m.cost_usd = pyo.Objective(
        list(COST_CATEGORIES),
        rule=lambda m, c: ctx.costs.expression(c),
        sense=pyo.minimize,
        doc="Cost by category [USD/yr]; the objective is their sum",
    )
    # The balance rows and cost rows now hold every term: drop the registries' references to them, so releasing
    # the Pyomo model after compiling (grid_model.solve.release_model) frees the hourly variables and terms.
    ctx.balance.clear()
    ctx.costs.clear()


def series(values: np.ndarray | pd.Series) -> list[float]:
    """Plain floats for fast Pyomo construction."""
    return [float(v) for v in np.asarray(values, dtype=float)]
