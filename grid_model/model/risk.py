"""A risk-averse objective over hydrologies: expected cost + λ·CVaR_α of the hydrologies' operating costs.

With cost_ω the operating cost of hydrology ω (its timesteps' costs divided by π_ω), the conditional value at
risk at level α is the expected cost of the worst (1 − α) of the probability mass. As an LP (Rockafellar and
Uryasev 2000), with a free η (the value at risk) and s_ω ≥ 0:

    s_ω ≥ cost_ω(x) − η            ∀ ω                           risk_cvar_excess[ω]
    objective += λ·(η + 1/(1 − α)·Σ_ω π_ω·s_ω)                   cost category ``risk_cvar`` (not money)

The rows and columns are appended to the compiled LP, not declared in Pyomo: cost_ω is the objective's cost of the
columns of ω's timesteps, which the compiled cost vector already holds (the same split ``hydrology.csv``
reports). λ = 0 is the risk-neutral expected cost. With λ > 0 the balance duals are risk-adjusted prices.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

from grid_model.model.context import Context
from grid_model.schema import INVESTMENT_CATEGORIES
from grid_model.solve import StandardForm


class _Extra:
    """A named stand-in for a column or row the model did not declare in Pyomo."""

    def __init__(self, name: str) -> None:
        self.name = name


def cvar(costs: np.ndarray, probabilities: np.ndarray, alpha: float) -> float:
    """CVaR_α of a discrete distribution: the expected value of its worst (1 − α) probability mass."""
    order = np.argsort(costs)[::-1]
    tail, left = 0.0, 1.0 - alpha
    for i in order:
        take = min(probabilities[i], left)
        tail += take * costs[i]
        left -= take
        if left <= 0:
            break
    return tail / (1.0 - alpha)


def step_of_column(form: StandardForm, n_steps: int) -> np.ndarray:
    """The timestep of each column of a Var indexed by (item, timestep); −1 for the others (first stage)."""
    step = np.full(form.A.shape[1], -1)
    for b in form.var_blocks.values():
        if b.two_d and b.inner == n_steps:
            step[b.start : b.stop] = np.arange(b.stop - b.start) % n_steps
    return step


def add_cvar(form: StandardForm, ctx: Context) -> StandardForm:
    """Append η, s_ω and the excess rows, and the ``risk_cvar`` cost, for ``ctx.options.cvar_weight`` > 0."""
    time, opts = ctx.time, ctx.options
    n_h = len(time.hydrologies)
    prob = np.asarray(time.probabilities, dtype=float)
    step = step_of_column(form, time.n_steps)
    operating = [i for i, c in enumerate(form.cost_names) if c not in INVESTMENT_CATEGORIES]
    c_oper = np.asarray(form.cost_rows[operating].sum(axis=0)).ravel()
    hyd = np.where(step >= 0, time.hydrology_of_step[np.maximum(step, 0)], -1)
    n_cols = form.A.shape[1]
    # row ω: s_ω + η − Σ_{j∈ω} c_j/π_ω·x_j ≥ 0
    cols = np.flatnonzero((hyd >= 0) & (c_oper != 0))
    rows_x = hyd[cols]
    excess = sparse.csr_matrix(
        (
            np.r_[-c_oper[cols] / prob[rows_x], np.ones(n_h), np.ones(n_h)],
            (
                np.r_[rows_x, np.arange(n_h), np.arange(n_h)],
                np.r_[cols, np.full(n_h, n_cols), n_cols + 1 + np.arange(n_h)],
            ),
        ),
        shape=(n_h, n_cols + 1 + n_h),
    )
    lam, alpha = opts.cvar_weight, opts.cvar_alpha
    extra_cost = np.r_[lam, lam / (1.0 - alpha) * prob]
    cost_rows = sparse.hstack([form.cost_rows, sparse.csr_matrix((form.cost_rows.shape[0], 1 + n_h))]).tolil()
    cost_rows[form.cost_names.index("risk_cvar"), n_cols:] = extra_cost
    inf = np.inf
    return StandardForm(
        np.r_[form.c, extra_cost],
        sparse.vstack([sparse.hstack([form.A, sparse.csc_matrix((form.A.shape[0], 1 + n_h))]), excess]).tocsc(),
        np.r_[form.col_lo, -inf, np.zeros(n_h)],
        np.r_[form.col_hi, inf, np.full(n_h, inf)],
        np.r_[form.row_lo, np.zeros(n_h)],
        np.r_[form.row_hi, np.full(n_h, inf)],
        [*form.columns, _Extra("risk_var_usd"), *(_Extra(f"risk_excess_usd[{h}]") for h in time.hydrologies)],
        [*form.rows, *((_Extra(f"risk_cvar_excess[{h}]"), -1) for h in time.hydrologies)],
        form.offset,
        form.compile_s,
        form.model,
        form.has_investment,
        form.longest_period_steps,
        cost_rows=cost_rows.tocsr(),
        cost_offsets=form.cost_offsets,
        cost_names=form.cost_names,
        var_blocks=form.var_blocks,
        row_blocks=form.row_blocks,
        route=form.route,
    )
