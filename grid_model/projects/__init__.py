"""The value of each interconnector project, with a country-by-country split (``grid-model projects``).

For every project p (a candidate link with ``project_mw`` > 0, or with ``existing`` an existing link), at its
planned capacity, two cases are compared, "with" and "without" p:

* TOOT (take one out): with = every project in; without = every project but p;
* PINT (put in one):   with = p alone;        without = no project.

Long run (default): generation and storage are re-optimised in every case. Short run: they are fixed to the
reference plan of the method (TOOT: every project in; PINT: none), operation re-optimised. All cases of a
scenario are variants on one LP structure, solved on one warm session (:mod:`grid_model.projects.cases`).

Indicators (USD/yr unless stated; C = economic ``system_cost_usd``, which includes the project's annuity):

    net_benefit   = C_without − C_with                           (= the change in system cost, as a gain)
    annual_cost   = P·(capex·CRF(r, n) + fom)                    (links.csv, as the model uses it: link_params)
    benefit       = net_benefit + annual_cost                    (gross, before the project's own cost)
    npv_benefit   = benefit / CRF(r, n);  npv_net_benefit = net_benefit / CRF(r, n)   (n = lifetime_yr)
    B/C           = benefit / annual_cost
    break_even    = benefit / (P·(CRF + fom%))  [USD/MW]: the capex at which net_benefit = 0 (with P fixed, the
                    rest of the plan does not depend on the project's capex)

plus the changes with − without in CO2, unserved energy and fiscal cost, the avoided curtailment (without − with)
and the project's flows, utilisation and congestion rent in the "with" case. The country split is the change
with − without of each zone's consumer, producer, network and fiscal account
(:mod:`grid_model.projects.accounts`); it sums to ``net_benefit`` exactly.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from grid_model.dataset import Dataset, load_dataset
from grid_model.locking import output_lock
from grid_model.model.links import link_params
from grid_model.options import annuity_factor
from grid_model.projects.accounts import ACCOUNTS
from grid_model.projects.cases import PERCENT, Case, CaseRunner, Project, find_projects
from grid_model.results import atomic_folder
from grid_model.scenario import Scenario, load_scenario
from grid_model.session import SolveSession

METHODS = ("toot", "pint")
DEFAULT_SCENARIO = Path("scenarios/interconnect.yaml")


def _pair(p: Project, method: str, universe: list[Project]) -> tuple[frozenset[str], frozenset[str]]:
    """(members with p, members without p) of a method."""
    if method == "toot":
        every = frozenset(q.name for q in universe)
        return every, every - {p.name}
    return frozenset({p.name}), frozenset()


def project_row(p: Project, with_: Case, without: Case, costs: pd.Series, raw: Dataset, rate: float) -> dict:
    """The indicators of one project and method (module docstring)."""
    lifetime = float(raw.tables["links"].at[p.name, "lifetime_yr"])
    crf = annuity_factor(rate, lifetime)
    fom_frac = float(raw.tables["links"].at[p.name, "fom_pct_per_yr"]) / PERCENT
    annual_cost = p.capacity_mw * float(costs["capex_annual_usd_per_mw"] + costs["fom_usd_per_mw_yr"])
    net = without.figures["system_cost_usd"] - with_.figures["system_cost_usd"]
    benefit = net + annual_cost
    link = with_.links.set_index("link").loc[p.name]
    gains = with_.accounts[list(ACCOUNTS)].to_numpy().sum() - without.accounts[list(ACCOUNTS)].to_numpy().sum()
    return {
        "project": p.name,
        "zone_from": p.zone_from,
        "zone_to": p.zone_to,
        "existing": p.existing,
        "capacity_mw": p.capacity_mw,
        "system_cost_with_usd": with_.figures["system_cost_usd"],
        "system_cost_without_usd": without.figures["system_cost_usd"],
        "benefit_usd": benefit,
        "npv_benefit_usd": benefit / crf,
        "annual_cost_usd": annual_cost,
        "net_benefit_usd": net,
        "npv_net_benefit_usd": net / crf,
        "benefit_cost_ratio": benefit / annual_cost if annual_cost > 0 else float("nan"),
        "capex_usd_per_mw": float(costs["capex_usd_per_mw"]),
        "break_even_capex_usd_per_mw": benefit / (p.capacity_mw * (crf + fom_frac)) if p.capacity_mw > 0 else 0.0,
        "lifetime_yr": lifetime,
        "co2_change_mt": with_.figures["co2_mt"] - without.figures["co2_mt"],
        "avoided_curtailment_mwh": without.figures["curtailment_mwh"] - with_.figures["curtailment_mwh"],
        "unserved_change_mwh": with_.figures["unserved_mwh"] - without.figures["unserved_mwh"],
        "fiscal_cost_change_usd": with_.figures["fiscal_cost_usd"] - without.figures["fiscal_cost_usd"],
        "flow_forward_twh": float(link["flow_forward_twh"]),
        "flow_backward_twh": float(link["flow_backward_twh"]),
        "utilisation": float(link["utilisation"]),
        "congestion_rent_usd": float(link["congestion_rent_usd"]),
        "split_residual_usd": float(gains) - net,
    }


def country_rows(p: Project, with_: Case, without: Case) -> pd.DataFrame:
    """Per zone: the change with − without of each account (gains, USD/yr) and their total."""
    delta = with_.accounts[list(ACCOUNTS)] - without.accounts[list(ACCOUNTS)]
    delta["total_usd"] = delta.sum(axis=1)
    return delta.reset_index().assign(project=p.name)


def value_projects(
    sc: Scenario,
    session: SolveSession,
    methods: tuple[str, ...] = METHODS,
    short_run: bool = False,
    only: list[str] | None = None,
    existing: bool = False,
    progress: Callable[[str], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """projects table, countries table and the number of solves for one scenario (module docstring)."""
    say = progress or (lambda _m: None)
    raw = load_dataset(sc.dataset_path(), hydrology=sc.hydrology)
    universe, chosen = find_projects(raw.tables["links"], str(raw.path / "links.csv"), only, existing)
    runner = CaseRunner(session, sc, raw, universe, say)
    every = frozenset(p.name for p in universe)
    all_in = runner.case(every)  # first: the reference plan of TOOT, and the project costs as the model uses them
    assert all_in.dataset is not None
    costs = link_params(all_in.dataset, sc.model_options())
    horizon = "short_run" if short_run else "long_run"
    rows, countries = [], []
    for method in methods:
        for p in chosen:
            with_m, without_m = _pair(p, method, universe)
            ref = (every if method == "toot" else frozenset()) if short_run else None
            with_, without = runner.case(with_m, horizon, ref), runner.case(without_m, horizon, ref)
            rows.append(
                {"scenario": sc.name, "method": method, "horizon": horizon}
                | project_row(p, with_, without, costs.loc[p.name], raw, sc.discount_rate)
            )
            countries.append(country_rows(p, with_, without).assign(scenario=sc.name, method=method, horizon=horizon))
    front = ["scenario", "project", "method", "horizon", "zone"]
    table = pd.concat(countries, ignore_index=True)
    return pd.DataFrame(rows), table[front + [c for c in table.columns if c not in front]], runner.n_solves


def run_projects(
    paths: list[Path],
    out_dir: Path,
    methods: tuple[str, ...] = METHODS,
    short_run: bool = False,
    only: list[str] | None = None,
    existing: bool = False,
    warm: bool = True,
    figures: bool = True,
    progress: Callable[[str], None] | None = None,
    xlsx: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame, Path]:
    """Value the projects of each scenario; write projects.csv, projects_countries.csv, timings.json, figures and
    report.md / report.html (and projects.xlsx with ``xlsx``). The folder appears whole or not at all; bad input
    writes nothing."""
    scenarios = [load_scenario(p) for p in paths]
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    session = SolveSession(warm=warm)
    tables, countries, solves = [], [], 0
    for sc in scenarios:
        t, c, n = value_projects(sc, session, methods, short_run, only, existing, progress)
        tables.append(t), countries.append(c)
        solves += n
    projects, by_zone = pd.concat(tables, ignore_index=True), pd.concat(countries, ignore_index=True)
    with output_lock(out_dir), atomic_folder(out_dir) as tmp:
        projects.to_csv(tmp / "projects.csv", index=False)
        by_zone.to_csv(tmp / "projects_countries.csv", index=False)
        runs = session.timings["runs"]
        timing = {"total_s": time.perf_counter() - t0, "solves": solves, "runs": runs}
        (tmp / "timings.json").write_text(json.dumps(timing, indent=2, default=str) + "\n")
        from grid_model.projects.report import write_report

        write_report(projects, by_zone, tmp, figures=figures)
        if xlsx:
            from grid_model.outputs import write_workbook

            write_workbook({"projects": projects, "projects_countries": by_zone}, tmp / "projects.xlsx")
    return projects, by_zone, out_dir


__all__ = ["DEFAULT_SCENARIO", "METHODS", "country_rows", "project_row", "run_projects", "value_projects"]
