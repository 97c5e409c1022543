"""A pathway solved by PyPSA's multi-investment-period model (``benchmarks/pathway_pypsa.py``) gives grid_model's
pathway objective: the pathway benchmark compares two tools solving one LP.

How the objectives map: grid_model minimises Σ_q D_q·(operating + fixed O&M of the new capacity in service)_q +
Σ_{k,p} a_p[k]·b[k,p]·Σ_{q served} D_q (``grid_model.pathway.lp``). PyPSA minimises Σ_q w_obj[q]·(Σ_t w_t·marginal
cost·p_t + Σ_{components active in q} capital_cost·p_nom). With w_obj = D_q, one extendable component per build
period with capital_cost = a_p + fom_p, the existing fleet as non-extendable pieces whose lifetimes end at their
retirements, they are the same sum — except where fixed O&M changes between periods (a link's is a share of its
period's capex, which follows the cost trajectory): grid_model charges each period's own rate on capacity in
service, so the benchmark adds Σ D_q·(fom_q − fom_p)·b to PyPSA's objective (``_fom_drift``; without it the
shipped integrated pathway, 3 periods at weekly steps, differs by 8.4e-7 relative, exactly that term).
"""

from __future__ import annotations

import logging
import shutil
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

pypsa = pytest.importorskip("pypsa")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import pathway_pypsa  # noqa: E402

from grid_model.pathway import solve_pathway  # noqa: E402
from grid_model.scenario import Scenario, load_scenario  # noqa: E402

SAME = {"solver": "ipm", "run_crossover": "on"}
SOURCE = "test: illustrative"


def _example_with_pathway_tables(tmp_path: Path) -> Path:
    """The example dataset with retirements (of a fixed and of an expandable fleet), commissioning (a committed
    link with no capacity before, an earliest one, generator and hydro plant), cost trajectories (solar, battery, links) and solar and battery
    lifetimes short enough to retire within the horizon."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "example", data)
    (data / "retirements.csv").write_text(
        "zone,technology,year,retired_mw,source\n"
        f"XA,coal,2026,150,{SOURCE}\nXA,coal,2029,200,{SOURCE}\nXA,ccgt,2029,300,{SOURCE}\n"
    )
    (data / "commissioning.csv").write_text(
        "asset,kind,year,mode,mw,source\n"
        f"XA-XC,link,2027,committed,400,{SOURCE}\nXB-XC,link,2030,earliest,200,{SOURCE}\n"
        f"XC-ocgt,generator,2027,committed,150,{SOURCE}\nXB-reservoir,hydro,2027,committed,200,{SOURCE}\n"
    )
    (data / "cost_trajectories.csv").write_text(
        "technology,year,capex_factor,source\n"
        f"solar,2024,1.3,{SOURCE}\nsolar,2030,0.8,{SOURCE}\nbattery,2024,1.2,{SOURCE}\nbattery,2030,0.7,{SOURCE}\n"
        f"link,2024,1.0,{SOURCE}\nlink,2030,0.8,{SOURCE}\n"
    )
    storage = data / "storage.csv"
    storage.write_text(storage.read_text().replace(",4,0.95,0.95,200,", ",4,0.95,0.95,30,"))  # cheap enough to build
    techs = pd.read_csv(data / "technologies.csv", keep_default_na=False, dtype=str)
    techs.loc[techs["technology"].isin(["battery", "solar"]), "lifetime_yr"] = "5.0"  # retire within the horizon
    techs.to_csv(data / "technologies.csv", index=False)
    return data


def _objectives(sc: Scenario | Path) -> tuple[float, float, object, object]:
    sc = load_scenario(sc) if isinstance(sc, Path) else sc
    sc = sc.model_copy(update={"solver": SAME})
    ours = solve_pathway(sc)
    # PyPSA's and linopy's warnings and log lines are noise here; silenced for this call only (a global
    # logging.disable would also silence the model build's guard against replaced components in later tests)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        try:
            n, extra = pathway_pypsa.build_network(pathway_pypsa.period_inputs(sc), sc.name)
            status = pathway_pypsa.solve(
                n, extra, io_api="direct", log_to_console=False, solver_options=SAME, include_objective_constant=True
            )
        finally:
            logging.disable(logging.NOTSET)
    assert status == ("ok", "optimal")
    return ours.objective_usd, float(n.objective), ours, n


@pytest.mark.parametrize("links", ["optimal", "existing"])
def test_example_pathway_with_retirements_commissioning_and_trajectories(tmp_path: Path, links: str) -> None:
    """'existing' links: the committed XA-XC (no capacity before it) is not in the 2024 period's dataset at all."""
    data = _example_with_pathway_tables(tmp_path)
    sc = tmp_path / "pathway.yaml"
    sc.write_text(
        f"name: example_pathway\ndataset: {data}\nyear: 2030\nhydrology: average\n"
        f"time: {{mode: downsample, step_h: 3}}\nlinks: {{mode: {links}}}\n"
        "pathway: {years: [2024, 2027, 2030], base_year: 2023, end_year: 2034, "
        "periods: {2030: {subsidies: {fuel: false}}}}\n"
    )
    ours, theirs, sol, n = _objectives(sc)
    assert theirs == pytest.approx(ours, rel=1e-6)
    built = {k: v for k, v in sol.builds.items() if v > 1e-3}
    assert any(k[0] == "link_new_cap_mw" for k in built)  # a link is built (optimal: its fixed-O&M drift too)
    assert any(k[0] == "gen_new_cap_mw" and k[2] < 2026 for k in built)  # built in 2024, retired before 2030
    assert (n.generators.index.str.startswith("XA-coal#")).sum() == 3  # the coal fleet in three retirement bands
    assert (n.storage_units.index.str.startswith("XB-reservoir#")).sum() == 2  # the committed turbines: a band


@pytest.mark.slow
def test_shipped_integrated_pathway_two_periods() -> None:
    """The shipped data (retirements, commissioning, trajectories, subsidy phase-out, candidate links), two
    periods at weekly steps."""
    sc = load_scenario(ROOT / "scenarios" / "pathway" / "integrated.yaml")
    pathway = sc.pathway.model_copy(update={"years": [2027, 2031], "periods": {2031: sc.pathway.periods[2031]}})
    sc = sc.model_copy(
        update={"pathway": pathway, "time": sc.time.model_copy(update={"mode": "downsample", "step_h": 168})}
    )
    ours, theirs, _sol, _n = _objectives(sc)
    assert theirs == pytest.approx(ours, rel=1e-6)
