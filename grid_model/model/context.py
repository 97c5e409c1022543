"""The run context every feature works in: the data, the options, the time index and the two registries.

A feature module has one face (``grid_model.model.features``): ``add(ctx)`` declares its variables and
constraints on ``ctx.m`` through :meth:`Context.declare` and *appends* to the two shared registries —

* ``ctx.balance``: terms of the zone energy balance, per (zone, timestep), in MW (+ injects);
* ``ctx.costs``: cost expressions in USD/yr, keyed by breakdown category (``fuel``, ``capex_generation``…);

and keeps its parameter table in ``ctx.params[<feature>]``. After the solve, ``report(ctx, readout)`` returns
the feature's rows of the result tables, its hourly series and its summary figures as a :class:`FeatureReport`;
the results layer only assembles them (``grid_model.results``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.dataset import Dataset
from grid_model.options import ModelOptions
from grid_model.schema import COST_CATEGORIES
from grid_model.timeindex import TimeIndex

if TYPE_CHECKING:
    from grid_model.solve import Solution


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
        """Append one term to the balance of ``zone`` at timestep t."""
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
        """Every term appended to the balance of ``zone`` at t."""
        lists = self._terms.get(zone)
        return lists[t] if lists is not None else []

    def clear(self) -> None:
        self._terms.clear()


class CostRegistry:
    """Cost terms in USD/yr keyed by breakdown category; a category may receive terms from several features."""

    def __init__(self) -> None:
        self._terms: dict[str, list] = defaultdict(list)

    def add(self, category: str, expr) -> None:
        """Append a cost expression [USD/yr] to ``category`` (one of ``grid_model.schema.COST_CATEGORIES``)."""
        if category not in COST_CATEGORIES:
            raise ValueError(f"unknown cost category {category!r}")
        self._terms[category].append(expr)

    def expression(self, category: str):
        """Σ of the category's terms (0 when it has none)."""
        terms = self._terms.get(category)
        return pyo.quicksum(terms) if terms else 0.0

    def clear(self) -> None:
        self._terms.clear()


@dataclass
class FeatureReport:
    """What one feature contributes to the results.

    ``tables``: rows of the assembled output tables, by name (``generation_units``, ``capacity``, ``links``,
    ``emissions``, ``subsidies``, ``units``, ``zone_energy``), concatenated across features in feature order.
    ``hourly``: columns of the hourly tables (``dispatch_mw``, ``storage_level_mwh``, …), per step.
    ``summary``: figures of its own for ``summary.json``.
    ``step_totals``: system totals per step (``generation_mw``, ``renewable_mw``, ``co2_t_per_h``, ``unserved_mw``)
    from which figures per hydrology (or per period) are summed with that block's own weights.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    hourly: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    step_totals: dict[str, np.ndarray] = field(default_factory=dict)  # per step, summed across features (STEP_TOTALS)


@dataclass
class Readout:
    """The solution as features read it: values by component name and key, and the zone prices [USD/MWh]."""

    sol: Solution
    m: pyo.ConcreteModel
    n_steps: int
    zones: list[str]
    price_usd_per_mwh: np.ndarray  # zones × steps: balance dual / (δ_p · π_ω · w_t)

    def hourly(self, name: str, keys: list) -> np.ndarray:
        """Values of the Var ``name``[k, t] as an array (keys × steps).

        Read as one block of columns when the Var is exactly ``keys`` × steps; otherwise element by element from
        the Pyomo model (which a lean solve has released, so blocks are the rule).
        """
        if not keys:
            return np.zeros((0, self.n_steps))
        block = self.sol.block(name, keys)
        if block is not None and block.shape == (len(keys), self.n_steps):
            return block
        var = self.m.component(name)
        return np.array([[self.sol.value(var[k, t]) for t in range(self.n_steps)] for k in keys], dtype=float)

    def vector(self, name: str, keys: list) -> dict:
        """{k: Var ``name``[k]} for a one-dimensional Var over ``keys`` (empty when there are none)."""
        if not keys:
            return {}
        block = self.sol.block(name, keys)
        if block is None:
            var = self.m.component(name)
            block = np.array([self.sol.value(var[k]) for k in keys], dtype=float)
        return dict(zip(keys, (float(v) for v in block), strict=True))

    def price_of(self, zone: str) -> np.ndarray:
        """Hourly price of one zone [USD/MWh]."""
        return self.price_usd_per_mwh[self.zones.index(zone)]


@dataclass
class Context:
    """Everything a feature needs: the model, the data, options, the time index, parameters and registries."""

    m: pyo.ConcreteModel
    ds: Dataset
    options: ModelOptions
    time: TimeIndex
    balance: BalanceRegistry = field(default_factory=BalanceRegistry)
    costs: CostRegistry = field(default_factory=CostRegistry)
    params: dict[str, pd.DataFrame] = field(default_factory=dict)  # each feature's parameter table
    new_capacity_vars: list[str] = field(default_factory=list)  # Vars holding investment (grid_model.model.expansion)
    lifetimes_yr: dict[str, dict] = field(default_factory=dict)  # new-capacity Var -> {key: lifetime [yr]}
    # Expressions features publish for others (policy): zone -> tCO2/yr terms; 'renewable'/'all' -> MWh/yr terms
    emissions_t: dict[str, list] = field(default_factory=lambda: defaultdict(list))
    generation_mwh: dict[str, list] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.balance.n_steps = self.time.n_steps

    @property
    def T(self) -> range:
        return self.time.steps

    @property
    def weight_h(self) -> np.ndarray:
        """Hours each step counts for in annual costs and energies: π_ω·w_t (w_t with one hydrology), so every
        cost and energy a feature writes with it is an expected annual figure."""
        return self.time.expected_weight_h

    @property
    def duration_h(self) -> np.ndarray:
        """Chronological length of each step (differs from the weight for representative periods)."""
        return self.time.duration_h

    @property
    def has_investment(self) -> bool:
        """True when any feature declared new capacity that the LP may choose."""
        return any(len(self.m.component(name)) for name in self.new_capacity_vars)

    def declare(self, name: str, component):
        """Add ``component`` to the model as ``name``; a second component of the same name is an error (Pyomo
        would silently replace the first, dropping its constraints)."""
        if self.m.component(name) is not None:
            raise RuntimeError(f"model component {name!r} is declared twice")
        self.m.add_component(name, component)
        return component

    def release(self) -> None:
        """Drop the expressions features published (they reference hourly variables), once the model is compiled
        and released (grid_model.solve.release_model); the data, options and parameters stay for the reports."""
        self.emissions_t.clear()
        self.generation_mwh.clear()
