"""The value of planning for the hydrology mix rather than for the mean year (the value of the stochastic solution).

For a scenario with several hydrologies (``grid_model.stochastic``):

* RP — the stochastic optimum: one plan for the mix, its expected cost;
* EV plan — the same scenario planned for the mean hydrology alone (``average`` by default);
* EEV — the EV plan's annual investment cost plus its expected operating cost across the mix, its capacities
  fixed and operation re-optimised in each hydrology (``capacity_from``);
* VSS = EEV − RP ≥ 0: what a planner loses by planning for the average year.

Costs are objectives (as dispatched, with the tie-break), so that VSS ≥ 0 holds exactly; the economic system costs
are reported beside them. ``vss_capacity.csv`` sets the two plans' new capacity side by side.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from grid_model.results import Results, atomic_folder
from grid_model.scenario import Scenario
from grid_model.session import SolveSession

RUNS = ("stochastic", "mean_plan", "mean_plan_under_mix")


def value_of_stochastic_solution(
    sc: Scenario, out_dir: str | Path, mean_hydrology: str = "average", session: SolveSession | None = None
) -> pd.DataFrame:
    """Solve the three runs above into ``out_dir`` (whole or not at all) and return vss.csv's one row."""
    if len(sc.hydrology_members()) < 2:
        from grid_model.errors import InputError

        raise InputError("key 'hydrology': the value of the stochastic solution needs a set of hydrologies")
    session = session or SolveSession(warm=False)
    with atomic_folder(out_dir) as tmp:
        rp = session.run(sc, tmp / "stochastic")
        ev = session.run(
            sc.model_copy(update={"name": f"{sc.name}_mean", "hydrology": mean_hydrology}), tmp / "mean_plan"
        )
        fixed = sc.model_copy(update={"name": f"{sc.name}_mean_under_mix", "capacity_from": str(tmp / "mean_plan")})
        eev = session.run(fixed, tmp / "mean_plan_under_mix")
        row = vss_row(rp, ev, eev, mean_hydrology)
        row.to_csv(tmp / "vss.csv", index=False, float_format="%.10g")
        capacity_side_by_side(rp, ev).to_csv(tmp / "vss_capacity.csv", index=False, float_format="%.10g")
    return row


def vss_row(rp: Results, ev: Results, eev: Results, mean_hydrology: str) -> pd.DataFrame:
    """VSS = (EV plan's investment cost + its expected cost under the mix) − the stochastic optimum."""
    ev_investment = ev.summary["objective_usd"] - ev.summary["operating_cost_usd"]
    eev_total = ev_investment + eev.summary["objective_usd"]
    eev_economic = ev_investment + eev.summary["system_cost_usd"]
    return pd.DataFrame(
        [
            {
                "mean_hydrology": mean_hydrology,
                "stochastic_objective_usd": rp.summary["objective_usd"],
                "mean_plan_investment_usd": ev_investment,
                "mean_plan_expected_cost_usd": eev_total,
                "vss_usd": eev_total - rp.summary["objective_usd"],
                "stochastic_system_cost_usd": rp.summary["system_cost_usd"],
                "mean_plan_expected_system_cost_usd": eev_economic,
                "stochastic_unserved_twh": rp.summary["unserved_twh"],
                "mean_plan_expected_unserved_twh": eev.summary["unserved_twh"],
            }
        ]
    )


def capacity_side_by_side(rp: Results, ev: Results) -> pd.DataFrame:
    """New capacity of the stochastic plan and of the mean-year plan, by zone and technology and by link [MW]."""
    keys = ["zone", "technology"]
    gen = (
        rp.tables["capacity"][[*keys, "new_mw"]]
        .merge(ev.tables["capacity"][[*keys, "new_mw"]], on=keys, how="outer", suffixes=("_stochastic", "_mean"))
        .assign(kind="capacity", asset=lambda d: d["zone"] + " " + d["technology"])
    )
    links = (
        rp.tables["links"][["link", "new_mw"]]
        .merge(ev.tables["links"][["link", "new_mw"]], on="link", how="outer", suffixes=("_stochastic", "_mean"))
        .assign(kind="link", asset=lambda d: d["link"])
    )
    out = pd.concat([gen, links], ignore_index=True)[["kind", "asset", "new_mw_stochastic", "new_mw_mean"]].fillna(0.0)
    out["difference_mw"] = out["new_mw_stochastic"] - out["new_mw_mean"]
    return out[(out["new_mw_stochastic"] != 0) | (out["new_mw_mean"] != 0)].reset_index(drop=True)
