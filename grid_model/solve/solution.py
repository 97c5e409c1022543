"""A solved LP's primal values and duals, mapped back to Pyomo components and to whole column and row blocks."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.var import IndexedVar, VarData

from grid_model.pyomo_speed import gc_paused
from grid_model.solve.form import Block


@dataclass
class Solution:
    """Primal values and duals mapped back to Pyomo components, in model units (USD, MW, MWh)."""

    status: str
    objective_usd: float
    col_values: np.ndarray
    row_duals: np.ndarray
    columns: list | None  # VarData of each column (None after release_model)
    rows: list | None  # (ConstraintData, sign) of each row (None after release_model)
    timings_s: dict[str, float] = field(default_factory=dict)
    solver_info: dict[str, object] = field(default_factory=dict)
    var_blocks: dict[str, Block] = field(default_factory=dict)
    row_blocks: dict[str, Block] = field(default_factory=dict)
    cost_usd: dict[str, float] = field(default_factory=dict)  # cost category -> USD/yr at this solution
    cost_by_column: Any = None  # sparse, cost categories × columns: each column's cost at this solution [USD/yr]
    cost_names: list[str] = field(default_factory=list)  # the categories, in the rows' order

    def cost_by_step(self, n_steps: int) -> np.ndarray:
        """Cost of each category at each timestep [USD/yr] (categories × steps): the cost of every column of a
        Var indexed by (item, timestep), summed by timestep. Columns of Vars without a timestep (capacities) are
        left out: what remains of the objective is first-stage (investment)."""
        out = np.zeros((len(self.cost_names), n_steps))
        if self.cost_by_column is None:
            return out
        step = np.full(self.cost_by_column.shape[1], -1)
        for b in self.var_blocks.values():
            if b.two_d and b.inner == n_steps:
                step[b.start : b.stop] = np.arange(b.stop - b.start) % n_steps
        coo = self.cost_by_column.tocoo()
        keep = step[coo.col] >= 0
        np.add.at(out, (coo.row[keep], step[coo.col[keep]]), coo.data[keep])
        return out

    @functools.cached_property
    def col_of(self) -> dict[int, int]:
        """id(VarData) -> column, built on first use (most results read whole Vars through :meth:`array`)."""
        with gc_paused():
            return {id(v): i for i, v in enumerate(self.columns)}

    @functools.cached_property
    def row_of(self) -> dict[int, int]:
        """id(ConstraintData) -> row, built on first use."""
        with gc_paused():
            return {id(r[0]): i for i, r in enumerate(self.rows)}

    def block(self, name: str, outer: list | None = None) -> np.ndarray | None:
        """Values of the Var ``name`` as an array ``len(outer) × inner`` (a vector for one-dimensional Vars), or
        None when its elements are not one block of columns or its first index is not ``outer``."""
        b = self.var_blocks.get(name)
        return None if b is None else _shaped(self.col_values, b, outer)

    def dual_block(self, name: str, outer: list | None = None) -> np.ndarray | None:
        """Duals of the Constraint ``name``, shaped like :meth:`block`, or None."""
        b = self.row_blocks.get(name)
        return None if b is None else _shaped(self.row_duals, b, outer)

    def value(self, var: VarData) -> float:
        """Value of one VarData (fixed or unused variables keep their Pyomo value or 0). Needs the model's
        columns, which a lean solve (:func:`release_model`) has dropped."""
        if self.columns is None:
            raise RuntimeError("the Pyomo model was released after compiling; read results through block()")
        i = self.col_of.get(id(var))
        if i is None:
            return float(var.value) if var.value is not None else 0.0
        return float(self.col_values[i])

    def values(self, var_component: IndexedVar) -> dict:
        """Values of an indexed Var as {index: value}."""
        return {k: self.value(v) for k, v in var_component.items()}

    def dual(self, con: ConstraintData) -> float:
        """Dual of one ConstraintData, USD per unit of its right-hand side (∂ objective / ∂ rhs)."""
        if self.rows is None:
            raise RuntimeError("the Pyomo model was released after compiling; read duals through dual_block()")
        i = self.row_of.get(id(con))
        if i is None:
            return 0.0
        return float(self.row_duals[i])


def _shaped(values: np.ndarray, b: Block, outer: list | None) -> np.ndarray | None:
    """The slice of ``values`` that block ``b`` covers, shaped ``len(outer) × inner`` (a copy), or None when
    ``outer`` is given and is not the block's first index."""
    if outer is not None and tuple(outer) != b.outer:
        return None
    part = values[b.start : b.stop]
    return part.reshape(len(b.outer), b.inner).copy() if b.two_d else part.copy()
