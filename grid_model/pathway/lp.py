"""One LP over the investment periods of a pathway, composed from each period's own one-year LP.

Each period q is built and compiled exactly as a one-year run of its own dataset (``grid_model.model``), with new
capacity x_q[k] ≥ 0 of every expandable asset k (``<prefix>_new_cap_mw``: capacity in service in q above the
period's existing fleet). The pathway adds one **build** column b[k, p] per expandable asset and period (MW built
for period p), and ties them together:

    x_q[k] = Σ_{p: y_p ≤ y_q < y_p + L_k} b[k, p]                    (``vintage``: what is in service in q)

Costs: every cost row of period q is multiplied by its discount weight D_q (``grid_model.pathway.timing``), except
the annuities and fixed O&M of new capacity, which are charged to the builds instead — at the rates of the period
the capacity was built in (its capex trajectory; a link's fixed O&M is a share of its capex), in every period it
serves, as PyPSA's ``capital_cost`` of a component with a ``build_year``:

    min  Σ_q D_q·(operating cost)_q  +  Σ_{k,p} (a_p[k] + fom_p[k])·b[k,p]·Σ_{q: in service} D_q

One period with D_1 = 1 is the one-year LP exactly. For myopic foresight the same composition is solved one
period at a time, the builds of earlier periods fixed (``fixed``); then only the periods in the LP are summed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from grid_model._sparse import sparse
from grid_model.model import Context
from grid_model.pathway.timing import in_service
from grid_model.solve import ProblemClass, Solution, StandardForm

FEATURE_OF_VAR = {  # new-capacity Var -> (feature parameter table, kind of asset)
    "gen_new_cap_mw": ("generation", "generator"),
    "sto_new_cap_mw": ("storage", "storage"),
    "link_new_cap_mw": ("links", "link"),
}
LINK_TECHNOLOGY = "interconnector"  # what build limits and builds.csv call a link's technology
CAPEX_PREFIX = "capex_"  # cost categories holding annuities of new capacity (schema.INVESTMENT_CATEGORIES)
FIXED_OM = "fixed_om"  # the category of the fixed O&M of new capacity (grid_model.model.expansion), its only terms
VintageKey = tuple[str, object, int]  # (new-capacity Var, asset, build year)


@dataclass
class PeriodModel:
    """One investment period: its year, built context, compiled form and discount weight D_q."""

    year: int
    ctx: Context
    form: StandardForm
    weight: float

    def new_columns(self) -> dict[tuple[str, object], int]:
        """(new-capacity Var, asset) → its column in this period's form."""
        out: dict[tuple[str, object], int] = {}
        for name in self.ctx.new_capacity_vars:
            b = self.form.var_blocks.get(name)
            if b is None:
                continue
            for i, key in enumerate(b.outer):
                out[(name, key)] = b.start + i
        return out

    def capex_rows(self) -> np.ndarray:
        """Indices of the cost rows that hold annuities."""
        return np.array([i for i, c in enumerate(self.form.cost_names) if c.startswith(CAPEX_PREFIX)], dtype=int)

    def investment_rows(self) -> np.ndarray:
        """Indices of the cost rows charged to the builds: annuities and the fixed O&M of new capacity."""
        rows = [i for i, c in enumerate(self.form.cost_names) if c.startswith(CAPEX_PREFIX) or c == FIXED_OM]
        return np.array(rows, dtype=int)


@dataclass(frozen=True)
class Vintage:
    """Capacity of one asset built for one period: its annuity [USD/MW/yr] and lifetime."""

    var: str
    key: object
    year: int
    lifetime_yr: float
    annuity_usd_per_mw: float
    category: str
    fom_usd_per_mw: float = 0.0  # fixed O&M per MW-year at the build period's rate

    @property
    def id(self) -> VintageKey:
        return (self.var, self.key, self.year)

    def serves(self, year: int) -> bool:
        return in_service(self.year, self.lifetime_yr, year)


def vintages_of(pm: PeriodModel) -> list[Vintage]:
    """The builds a period offers: one per expandable asset, priced at that period's annuity."""
    rows = pm.capex_rows()
    names = list(pm.form.cost_names)
    cost = pm.form.cost_rows.tocsc() if len(names) else None
    out = []
    for (name, key), col in pm.new_columns().items():
        category, annuity, fom = "", 0.0, 0.0
        if cost is not None:
            column = cost[:, col].toarray().ravel()
            hit = [i for i in rows if column[i] != 0]
            if hit:
                category, annuity = names[hit[0]], float(column[hit].sum())
            fom = float(column[names.index(FIXED_OM)]) if FIXED_OM in names else 0.0
        lifetime = pm.ctx.lifetimes_yr.get(name, {}).get(key, np.inf)
        out.append(Vintage(name, key, pm.year, float(lifetime), annuity, category, fom))
    return out


@dataclass
class Composed:
    """The pathway LP and where each period and build sits in it."""

    form: StandardForm
    periods: list[PeriodModel]
    col_offsets: list[int]
    row_offsets: list[int]
    vintages: list[Vintage]
    build_start: int
    fixed: dict[VintageKey, float] = field(default_factory=dict)
    earlier: list[Vintage] = field(default_factory=list)
    limits: list[tuple[list[VintageKey], float]] = field(default_factory=list)

    def builds(self, x: np.ndarray) -> dict[VintageKey, float]:
        """MW of every build at the solution ``x``."""
        return {v.id: float(x[self.build_start + i]) for i, v in enumerate(self.vintages)}

    def period_solution(self, q: int, sol: Solution, builds: dict[VintageKey, float]) -> Solution:
        """The solution of period q as its own one-year LP would report it: values, duals ÷ D_q, annual costs with
        the annuities of the builds in service in q."""
        pm = self.periods[q]
        c0, r0 = self.col_offsets[q], self.row_offsets[q]
        x = sol.col_values[c0 : c0 + pm.form.A.shape[1]]
        y = sol.row_duals[r0 : r0 + pm.form.A.shape[0]] / pm.weight
        cost = pm.form.cost_rows @ x + pm.form.cost_offsets
        names = list(pm.form.cost_names)
        for i in pm.investment_rows():
            cost[i] = 0.0
        for v in self.vintages:
            if not v.serves(pm.year):
                continue
            if v.category in names:
                cost[names.index(v.category)] += v.annuity_usd_per_mw * builds[v.id]
            if FIXED_OM in names:
                cost[names.index(FIXED_OM)] += v.fom_usd_per_mw * builds[v.id]
        by_column = pm.form.cost_rows.multiply(x[None, :]).tocsr()
        return Solution(
            status=sol.status,
            objective_usd=float(cost.sum()),
            col_values=x,
            row_duals=y,
            columns=pm.form.columns,
            rows=pm.form.rows,
            var_blocks=pm.form.var_blocks,
            row_blocks=pm.form.row_blocks,
            cost_usd={n: float(v) for n, v in zip(names, cost, strict=True)},
            cost_by_column=by_column,
            cost_names=names,
            timings_s=dict(sol.timings_s),
            solver_info=dict(sol.solver_info),
        )


def compose(
    periods: list[PeriodModel],
    earlier: list[Vintage] | None = None,
    fixed: dict | None = None,
    limits: list[tuple[list[VintageKey], float]] | None = None,
) -> Composed:
    """The pathway LP over ``periods`` (module docstring). ``earlier``: builds of periods before these, in the LP as
    columns fixed at ``fixed[v.id]`` MW (myopic foresight). ``limits``: Σ of the listed builds ≤ MW, one row each
    (``build_limit``: a maximum build rate)."""
    fixed = dict(fixed or {})
    vintages = list(earlier or []) + [v for pm in periods for v in vintages_of(pm)]
    col_offsets = np.cumsum([0] + [pm.form.A.shape[1] for pm in periods]).tolist()
    row_offsets = np.cumsum([0] + [pm.form.A.shape[0] for pm in periods]).tolist()
    n_x, n_r, n_b = col_offsets[-1], row_offsets[-1], len(vintages)
    tie_rows, tie_cols, tie_vals = _vintage_rows(periods, vintages, col_offsets, n_x)
    n_eq = 1 + max(tie_rows) if tie_rows else 0
    caps = _limit_rows(vintages, limits or [], n_x, n_eq, (tie_rows, tie_cols, tie_vals))
    n_tie = n_eq + len(caps)
    tie = sparse.csr_matrix((tie_vals, (tie_rows, tie_cols)), shape=(n_tie, n_x + n_b))
    blocks = sparse.block_diag([pm.form.A for pm in periods], format="csr") if periods else None
    A = sparse.vstack([sparse.hstack([blocks, sparse.csr_matrix((n_r, n_b))]), tie], format="csc")
    c = np.concatenate([_discounted_costs(pm) for pm in periods] + [_build_costs(vintages, periods)])
    lo = np.array([fixed.get(v.id, 0.0) for v in vintages])
    hi = np.array([fixed.get(v.id, np.inf) for v in vintages])
    form = StandardForm(
        c=c,
        A=A,
        col_lo=np.concatenate([pm.form.col_lo for pm in periods] + [lo]),
        col_hi=np.concatenate([pm.form.col_hi for pm in periods] + [hi]),
        row_lo=np.concatenate([pm.form.row_lo for pm in periods] + [np.zeros(n_eq), np.full(len(caps), -np.inf)]),
        row_hi=np.concatenate([pm.form.row_hi for pm in periods] + [np.zeros(n_eq), np.asarray(caps, dtype=float)]),
        columns=None,
        rows=None,
        offset=float(sum(pm.weight * pm.form.offset for pm in periods)),
        compile_s=float(sum(pm.form.compile_s for pm in periods)),
        has_investment=any(pm.form.has_investment for pm in periods) or bool(n_b),
        longest_period_steps=max((pm.form.longest_period_steps or 0) for pm in periods),
    )
    return Composed(
        form, periods, col_offsets[:-1], row_offsets[:-1], vintages, n_x, fixed, list(earlier or []), list(limits or [])
    )


def _limit_rows(
    vintages: list[Vintage], limits: list[tuple[list[VintageKey], float]], n_x: int, first: int, coo: tuple
) -> list[float]:
    """Append Σ b ≤ cap rows (numbered from ``first``) for the limits whose builds are in this LP; their caps."""
    rows, cols, vals = coo
    index = {v.id: i for i, v in enumerate(vintages)}
    caps: list[float] = []
    for keys, cap in limits:
        present = [index[k] for k in keys if k in index]
        if not present:
            continue
        r = first + len(caps)
        for i in present:
            rows.append(r), cols.append(n_x + i), vals.append(1.0)
        caps.append(float(cap))
    return caps


def _discounted_costs(pm: PeriodModel) -> np.ndarray:
    """D_q × the period's cost vector without its annuities and fixed O&M of new capacity (they go to the builds)."""
    c = pm.form.c.copy()
    rows = pm.investment_rows()
    if len(rows):
        c -= np.asarray(pm.form.cost_rows[rows].sum(axis=0)).ravel()
    return pm.weight * c


def _build_costs(vintages: list[Vintage], periods: list[PeriodModel]) -> np.ndarray:
    """(a_p[k] + fom_p[k])·Σ_{q served} D_q for every build, over the periods in this LP."""
    return np.array(
        [
            (v.annuity_usd_per_mw + v.fom_usd_per_mw) * sum(pm.weight for pm in periods if v.serves(pm.year))
            for v in vintages
        ],
        dtype=float,
    )


def _vintage_rows(
    periods: list[PeriodModel], vintages: list[Vintage], col_offsets: list[int], n_x: int
) -> tuple[list[int], list[int], list[float]]:
    """Coefficients of x_q[k] − Σ_{p serving q} b[k,p] = 0, one row per (period, asset) with capacity in service or
    a new-capacity column; an asset with builds in service but no column in q (it cannot hold new capacity there)
    gets Σ b = 0."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    by_asset: dict[tuple[str, object], list[int]] = {}
    for i, v in enumerate(vintages):
        by_asset.setdefault((v.var, v.key), []).append(i)
    r = 0
    for q, pm in enumerate(periods):
        columns = pm.new_columns()
        for asset in sorted(set(columns) | set(by_asset), key=str):
            serving = [i for i in by_asset.get(asset, []) if vintages[i].serves(pm.year)]
            if asset not in columns and not serving:
                continue
            if asset in columns:
                rows.append(r), cols.append(col_offsets[q] + columns[asset]), vals.append(1.0)
            for i in serving:
                rows.append(r), cols.append(n_x + i), vals.append(-1.0)
            r += 1
    return rows, cols, vals


def zone_and_technology(pm: PeriodModel, v: Vintage) -> tuple[str, str]:
    """The zone (a link's sending end) and technology of a build."""
    feature, kind = FEATURE_OF_VAR.get(v.var, ("", ""))
    if not feature:
        return "", ""
    p = pm.ctx.params[feature].loc[v.key]
    if kind == "link":
        return str(p["zone_from"]), LINK_TECHNOLOGY
    return str(p["zone"]), str(p["technology"])


def build_limits(
    models: list[PeriodModel], rates: dict[str, float], build_years: dict[int, int]
) -> list[tuple[list[VintageKey], float]]:
    """One limit per period and ``rates`` entry: the builds of that technology (in that zone, for 'ZONE:tech'; in
    each zone, for 'tech') ≤ rate × the period's years of building."""
    out = []
    for pm in models:
        tagged = [(v, *zone_and_technology(pm, v)) for v in vintages_of(pm)]
        for spec, rate in rates.items():
            zone, _, tech = spec.rpartition(":")
            zones = [zone] if zone else sorted({z for _v, z, t in tagged if t == tech})
            for z in zones:
                keys = [v.id for v, vz, vt in tagged if vt == tech and vz == z]
                if keys:
                    out.append((keys, rate * build_years[pm.year]))
    return out


def problem_of(periods: list[PeriodModel]) -> ProblemClass:
    """The solver policy's view of the composed LP."""
    return ProblemClass(True, max(pm.ctx.time.longest_chain_steps() for pm in periods))
