"""A solved pathway as result tables: every one-year table with a ``period`` column, the builds by vintage, one row
per period, and ``summary.json`` with the pathway totals (net present values, cumulative CO2) and each period's
figures.

Per-period figures are annual (USD/yr, TWh/yr, MtCO2/yr) for the period's representative year; the annuities in
a period's costs are those of the capacity in service then. Totals: NPV = Σ_q D_q·(annual figure of q), with D_q
the discount weight of the years q stands for; cumulative CO2 = Σ_q (years of q)·(annual CO2 of q).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grid_model.pathway.lp import FEATURE_OF_VAR, LINK_TECHNOLOGY
from grid_model.pathway.run import PathwaySolution
from grid_model.results import Results
from grid_model.schema import INVESTMENT_CATEGORIES
from grid_model.units import KW_PER_MW

BUILD_TOL_MW = 1e-6  # builds below this are solver noise and left out of builds.csv
PERIOD_FIGURES = (  # one-year summary figures carried into periods.csv
    "system_cost_usd",
    "operating_cost_usd",
    "objective_usd",
    "subsidy_cost_usd",
    "fuel_subsidy_cost_usd",
    "electricity_subsidy_cost_usd",
    "renewable_share",
    "non_conventional_renewable_share",
    "co2_mt",
    "demand_twh",
    "generation_twh",
    "unserved_twh",
    "price_avg_usd_per_mwh",
)


def builds_table(ps: PathwaySolution) -> pd.DataFrame:
    """builds.csv: one row per asset and period it is built in — MW, lifetime, last year in service, overnight
    investment (MW × the period's capex)."""
    rows = []
    for v in ps.vintages:
        mw = ps.builds.get(v.id, 0.0)
        if mw <= BUILD_TOL_MW or v.var not in FEATURE_OF_VAR:
            continue
        feature, kind = FEATURE_OF_VAR[v.var]
        p = ps.params[v.year][feature].loc[v.key]
        capex_per_mw = float(p["capex_usd_per_mw"]) if kind == "link" else float(p["capex_usd_per_kw"]) * KW_PER_MW
        rows.append(
            {
                "period": v.year,
                "asset": v.key,
                "kind": kind,
                "zone": f"{p['zone_from']}-{p['zone_to']}" if kind == "link" else p["zone"],
                "technology": LINK_TECHNOLOGY if kind == "link" else p["technology"],
                "built_mw": mw,
                "lifetime_yr": v.lifetime_yr,
                "last_year_in_service": v.year + v.lifetime_yr - 1,
                "annuity_usd_per_mw_yr": v.annuity_usd_per_mw,
                "investment_usd": mw * capex_per_mw,
            }
        )
    columns = ["period", "asset", "kind", "zone", "technology", "built_mw", "lifetime_yr", "last_year_in_service"]
    return pd.DataFrame(rows, columns=[*columns, "annuity_usd_per_mw_yr", "investment_usd"])


def periods_table(ps: PathwaySolution, builds: pd.DataFrame) -> pd.DataFrame:
    """periods.csv: one row per period — the years it stands for, its discount weight, its annual figures,
    investment costs in service (annuities + fixed O&M), what was built in it (MW, overnight USD)."""
    rows = []
    for res, year, span, w in zip(ps.results, [s.year for s in ps.periods], ps.spans, ps.weights, strict=True):
        s = res.summary
        built = builds[builds["period"] == year]
        row = {"period": year, "first_year": span[0], "last_year": span[-1], "years": len(span)}
        row["discount_weight"] = float(w)
        row.update({k: float(s[k]) for k in PERIOD_FIGURES})
        row["investment_cost_usd"] = float(sum(s["cost_breakdown_usd"][c] for c in INVESTMENT_CATEGORIES))
        row["built_mw"] = float(built["built_mw"].sum())
        row["built_investment_usd"] = float(built["investment_usd"].sum())
        rows.append(row)
    return pd.DataFrame(rows)


def pathway_summary(ps: PathwaySolution, periods: pd.DataFrame, builds: pd.DataFrame) -> dict:
    """summary.json of a pathway: the totals, then each period's figures."""
    cfg = ps.scenario.pathway
    assert cfg is not None
    w, n = periods["discount_weight"].to_numpy(), periods["years"].to_numpy()
    links = builds[builds["kind"] == "link"]
    return {
        "scenario": ps.scenario.name,
        "kind": "pathway",
        "status": "optimal",
        "foresight": cfg.foresight,
        "years": list(cfg.years),
        "base_year": cfg.base_year,
        "end_year": cfg.last_year(),
        "discount_rate": ps.scenario.discount_rate,
        "npv_objective_usd": ps.objective_usd,
        "npv_system_cost_usd": float(w @ periods["system_cost_usd"].to_numpy()),
        "npv_investment_cost_usd": float(w @ periods["investment_cost_usd"].to_numpy()),
        "npv_operating_cost_usd": float(w @ periods["operating_cost_usd"].to_numpy()),
        "npv_subsidy_cost_usd": float(w @ periods["subsidy_cost_usd"].to_numpy()),
        "cumulative_co2_mt": float(n @ periods["co2_mt"].to_numpy()),
        "built_investment_usd": float(builds["investment_usd"].sum()),
        "renewable_share_by_period": dict(zip(periods["period"], periods["renewable_share"], strict=True)),
        "interconnector_builds_mw": {
            str(a): {int(y): float(mw) for y, mw in zip(g["period"], g["built_mw"], strict=True)}
            for a, g in links.groupby("asset", sort=True)
        },
        "periods": {int(y): _period_summary(r.summary) for y, r in zip(periods["period"], ps.results, strict=True)},
        "timings_s": dict(ps.timings_s),
    }


def _period_summary(s: dict) -> dict:
    keep = (*PERIOD_FIGURES, "cost_breakdown_usd", "n_timesteps", "year", "hydrology", "links_mode")
    return {k: s[k] for k in keep if k in s}


def pathway_results(ps: PathwaySolution) -> Results:
    """The results folder's content: tables with a ``period`` column, builds.csv, periods.csv, hourly series with
    a ``period`` level, summary.json."""
    years = [s.year for s in ps.periods]
    builds = builds_table(ps)
    periods = periods_table(ps, builds)
    tables: dict[str, pd.DataFrame] = {"periods": periods, "builds": builds}
    for name in ps.results[0].tables:
        parts = [r.tables[name].assign(period=y) for r, y in zip(ps.results, years, strict=True) if name in r.tables]
        frame = pd.concat(parts, ignore_index=True)
        tables[name] = frame[["period", *[c for c in frame.columns if c != "period"]]]
    for name in ("capacity", "links"):  # in service, not built, in a period: investment is in builds.csv
        if name in tables:
            tables[name] = tables[name].drop(columns="investment_usd", errors="ignore")
    hourly = {}
    for name in ps.results[0].hourly:
        frames = [r.hourly[name] for r in ps.results]
        hourly[name] = pd.concat(frames, keys=years, names=["period", "timestep"])
    return Results(pathway_summary(ps, periods, builds), tables, hourly)


def npv(periods: pd.DataFrame, column: str) -> float:
    """Σ_q D_q·(annual figure of q) for a column of periods.csv."""
    return float(np.dot(periods["discount_weight"], periods[column]))
