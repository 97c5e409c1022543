"""The interconnector projects of a scenario and the cases (scenario variants) that value them, on one LP structure.

A case is the scenario with a set of projects *in* (built at planned capacity) and the rest *out*. Every case
keeps every project's link in the LP as an expandable link, so that all cases of a scenario share one matrix and
differ only in bounds and costs; one warm :class:`~grid_model.session.SolveSession` then re-solves them from the
previous basis (``session.timings["runs"]``: one cold load, then "warm"):

* in:  new capacity y ∈ [P_plan − P0, P_plan − P0] (``p_nom_min_mw = p_nom_max_mw = P_plan``), the links.csv capex;
* out: y ∈ [0, P_plan − P0] with a prohibitive capex, whose annuity plus fixed O&M is ``PROHIBITIVE_FACTOR`` times
  the largest value of lost load times the hours of the year per MW: more than one MW of transfer can earn in a
  year (|Δπ| ≤ VOLL), so the optimiser builds none of it; each solve checks that it built 0 MW.

(``links.mode: projects`` would give the same cases, but it drops an unbuilt candidate from the LP and turns a built
one into a new-capacity variable, so each case would load cold.) Links that are not projects are fixed as in
``links.mode: projects``: at their committed floor (``p_nom_min_mw``, else ``p_nom_mw``). An existing link valued
with ``--existing`` is represented as a project of capacity ``p_nom_mw`` on a link of 0 MW, valued at its
replacement cost (links.csv capex).

Short run: generation and storage capacity are fixed to a reference plan (existing + new MW of every expandable
unit, via ``p_nom_mw = p_nom_max_mw``); dispatch, storage and hydro operation are re-optimised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from grid_model.dataset import Dataset
from grid_model.errors import InputError, SolveError
from grid_model.model.generation import generator_params
from grid_model.model.storage import storage_params
from grid_model.options import annuity_factor
from grid_model.projects.accounts import case_figures, unit_new_capacity, zone_accounts
from grid_model.results import Results
from grid_model.scenario import Override, Scenario
from grid_model.session import SolveSession

PROHIBITIVE_FACTOR = 10.0
BUILT_TOL_MW = 1e-6
PERCENT = 100.0


@dataclass(frozen=True)
class Project:
    """One link valued at planned capacity: ``base_mw`` without the project, ``planned_mw`` with it."""

    name: str
    zone_from: str
    zone_to: str
    existing: bool
    base_mw: float
    planned_mw: float

    @property
    def capacity_mw(self) -> float:
        return self.planned_mw - self.base_mw


@dataclass
class Case:
    """What the indicators need of one solved case."""

    figures: dict[str, float]
    accounts: pd.DataFrame
    links: pd.DataFrame
    results: Results | None = None  # kept for the reference plans of the short run only
    dataset: Dataset | None = None  # the case's scenario-applied dataset, with ``results``


def find_projects(
    links: pd.DataFrame, file: str, only: list[str] | None = None, existing: bool = False
) -> tuple[list[Project], list[Project]]:
    """(every project of the scenario, the ones to value). A project is a candidate link with ``project_mw`` > 0,
    and with ``existing`` also every existing link with capacity. ``only`` names projects to value; a name that is
    not a link, or a link without planned capacity, is a one-line InputError naming links.csv, row and column."""
    universe = [_project(lk, row) for lk, row in links.iterrows() if _is_project(row, existing)]
    names = [p.name for p in universe]
    for name in only or []:
        if name not in links.index:
            raise InputError(f"project '{name}' is not a link in links.csv", file=file, column="link")
        if name not in names:
            row = int(links.index.get_loc(name)) + 1
            if links.at[name, "status"] == "existing" and not existing:
                raise InputError(
                    f"'{name}' is an existing link; pass --existing to value existing links",
                    file=file,
                    row=row,
                    column="status",
                    row_id=name,
                )
            raise InputError(
                f"project '{name}' has no planned capacity (project_mw is 0)",
                file=file,
                row=row,
                column="project_mw",
                row_id=name,
            )
    if not universe:
        raise InputError("no candidate link with project_mw > 0: no project to value", file=file, column="project_mw")
    chosen = [p for p in universe if only is None or p.name in set(only)]
    return universe, chosen


def _is_project(row: pd.Series, existing: bool) -> bool:
    if row["status"] == "candidate":
        return float(row["project_mw"]) > 0
    return existing and float(row["p_nom_mw"]) > 0


def _project(lk: str, row: pd.Series) -> Project:
    floor = _floor(row)
    if row["status"] == "candidate":
        base, planned = float(row["p_nom_mw"]), max(float(row["p_nom_mw"]) + float(row["project_mw"]), floor)
    else:
        base, planned = 0.0, floor
    return Project(str(lk), str(row["zone_from"]), str(row["zone_to"]), row["status"] != "candidate", base, planned)


def _floor(row: pd.Series) -> float:
    """The committed floor: p_nom_min_mw (when above p_nom_mw), else p_nom_mw."""
    p_min = row.get("p_nom_min_mw")
    return max(float(row["p_nom_mw"]), float(p_min) if pd.notna(p_min) else 0.0)


def prohibitive_capex(raw: Dataset, lk: str, discount_rate: float) -> float:
    """capex [USD/MW] whose annuity + fixed O&M is PROHIBITIVE_FACTOR × max VOLL × hours of the year per MW."""
    row = raw.tables["links"].loc[lk]
    per_year = annuity_factor(discount_rate, float(row["lifetime_yr"])) + float(row["fom_pct_per_yr"]) / PERCENT
    hours = float(raw.weights_h.sum())
    return PROHIBITIVE_FACTOR * float(raw.tables["zones"]["voll_usd_per_mwh"].max()) * hours / per_year


def link_overrides(sc: Scenario, raw: Dataset, universe: list[Project], members: Iterable[str]) -> list[Override]:
    """Overrides of links.csv that make a case (module docstring)."""
    links = raw.tables["links"]
    inside = set(members)
    by_name = {p.name: p for p in universe}
    out: list[Override] = []
    for lk, row in links.iterrows():
        if lk in by_name:
            continue
        ceiling = row["p_nom_max_mw"] if pd.notna(row["p_nom_max_mw"]) else row["p_nom_mw"] + row["project_mw"]
        if ceiling > _floor(row):  # pin as links.mode: projects does
            out.append(Override(table="links", id=str(lk), column="p_nom_max_mw", value=_floor(row)))
    for p in universe:
        if p.existing:
            out.append(Override(table="links", id=p.name, column="p_nom_mw", value=0.0))
        low = p.planned_mw if p.name in inside else p.base_mw
        out.append(Override(table="links", id=p.name, column="p_nom_max_mw", value=p.planned_mw))
        out.append(Override(table="links", id=p.name, column="p_nom_min_mw", value=low))
        if p.name not in inside:
            cost = prohibitive_capex(raw, p.name, sc.discount_rate)
            out.append(Override(table="links", id=p.name, column="capex_usd_per_mw", value=cost))
    return out


def plan_overrides(res: Results, ds: Dataset, sc: Scenario) -> list[Override]:
    """Fix every expandable generator and storage unit at the plan's capacity (existing + new MW)."""
    out: list[Override] = []
    options = sc.model_options()
    for table, params in (("generators", generator_params(ds, options)), ("storage", storage_params(ds, options))):
        if params.empty:
            continue
        new = unit_new_capacity(res, params)
        for unit in params.index[params["expandable"].astype(bool)]:
            cap = float(params.at[unit, "p_nom_mw"] + new[unit])
            out.append(Override(table=table, id=str(unit), column="p_nom_mw", value=cap))
            out.append(Override(table=table, id=str(unit), column="p_nom_max_mw", value=cap))
    return out


class CaseRunner:
    """Solves the cases of one scenario on one session, each once (cached by horizon and members)."""

    def __init__(
        self, session: SolveSession, sc: Scenario, raw: Dataset, universe: list[Project], say: Callable[[str], None]
    ) -> None:
        self.session, self.sc, self.raw, self.universe, self.say = session, sc, raw, universe, say
        self.cases: dict[tuple[str, frozenset[str]], Case] = {}
        self.n_solves = 0

    def variant(self, members: frozenset[str], plan: list[Override], label: str) -> Scenario:
        """The scenario of one case: the scenario's own overrides, then the links case, then a fixed plan."""
        links = self.sc.links.model_copy(update={"mode": "optimal", "projects": None, "allowed": None})
        overrides = [*self.sc.overrides, *link_overrides(self.sc, self.raw, self.universe, members), *plan]
        return self.sc.model_copy(update={"name": f"{self.sc.name}.{label}", "links": links, "overrides": overrides})

    def case(self, members: frozenset[str], horizon: str = "long_run", plan_of: frozenset[str] | None = None) -> Case:
        """Solve (or recall) the case with ``members`` in; short run: with the plan of the long-run case ``plan_of``."""
        key = (horizon if plan_of is None else f"{horizon}:{','.join(sorted(plan_of))}", members)
        if key in self.cases:
            return self.cases[key]
        plan: list[Override] = []
        if plan_of is not None:
            ref = self.case(plan_of)
            assert ref.results is not None and ref.dataset is not None
            plan = plan_overrides(ref.results, ref.dataset, self.sc)
        label = "+".join(sorted(members)) or "none"
        sc = self.variant(members, plan, f"{horizon}.{label}")
        ds = self.session.inputs(sc)
        self.n_solves += 1
        self.say(f"solve {self.n_solves} ({horizon}): {label}")
        res = self.session.solve_dataset(ds, sc.model_options(), sc.solver, sc.name)
        self._check_out_projects(res, members)
        options = sc.model_options()
        case = Case(case_figures(res, ds, options), zone_accounts(res, ds, options), res.tables["links"])
        if plan_of is None and members in (frozenset(), frozenset(p.name for p in self.universe)):
            case.results, case.dataset = res, ds
        self.cases[key] = case
        return case

    def _check_out_projects(self, res: Results, members: frozenset[str]) -> None:
        built = res.tables["links"].set_index("link")["new_mw"]
        for p in self.universe:
            if p.name not in members and p.name in built.index and built[p.name] > BUILT_TOL_MW:
                raise SolveError(
                    f"project '{p.name}' was left out of a case but {built[p.name]:.3g} MW of it were built; "
                    "raise grid_model.projects.cases.PROHIBITIVE_FACTOR"
                )
