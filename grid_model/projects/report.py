"""report.md / report.html of ``grid-model projects``: the tables, the two figures and sentences from the numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from grid_model.figures.projects import ACCOUNT_LABELS, fig_project_benefits, fig_project_countries
from grid_model.markdown import markdown_to_html, md_table
from grid_model.report_html import page

USD_PER_M = 1e6
ZONE_NAMES = {
    "MX": "Mexico", "GT": "Guatemala", "SV": "El Salvador", "HN": "Honduras", "NI": "Nicaragua",
    "CR": "Costa Rica", "PA": "Panama", "CO": "Colombia", "EC": "Ecuador", "PE": "Peru", "CL": "Chile",
}  # fmt: skip
SHOWN = 3  # largest gains and losses named per project


def _m(x: float) -> str:
    return f"{x / USD_PER_M:,.1f} M"


def project_sentence(row: pd.Series, countries: pd.DataFrame) -> str:
    """'CO-PA: net benefit 120.0 M USD/yr (B/C 1.8); Panama's consumers gain 40.0 M, …, Colombia's consumers lose
    15.0 M.' from one projects.csv row and its rows of projects_countries.csv."""
    bc = row["benefit_cost_ratio"]
    head = f"**{row['project']}** ({row['method'].upper()}): net benefit {_m(row['net_benefit_usd'])} USD/yr"
    head += f" (B/C {bc:.2f})" if pd.notna(bc) else ""
    mine = countries[(countries["project"] == row["project"]) & (countries["method"] == row["method"])]
    parts = mine.melt(id_vars=["zone"], value_vars=list(ACCOUNT_LABELS), var_name="account", value_name="gain")
    scale = max(abs(float(row["benefit_usd"])), abs(float(row["net_benefit_usd"])), 1.0)
    parts = parts[parts["gain"].abs() > 0.01 * scale]
    gains = parts[parts["gain"] > 0].nlargest(SHOWN, "gain")
    losses = parts[parts["gain"] < 0].nsmallest(SHOWN, "gain")
    words = [_who(r, "gain") for r in gains.itertuples()] + [_who(r, "lose") for r in losses.itertuples()]
    if not words:
        return head + "; no zone gains or loses more than 1 % of the benefit."
    return head + "; " + ", ".join(words) + "."


def _who(r, verb: str) -> str:
    zone = ZONE_NAMES.get(r.zone, r.zone)
    account = {"network_usd": "share of congestion rent net of link cost", "fiscal_usd": "treasury"}.get(
        r.account, ACCOUNT_LABELS[r.account]
    )
    return f"{zone}'s {account} {verb} {_m(abs(r.gain))}"


def summary_table(projects: pd.DataFrame) -> pd.DataFrame:
    """The headline columns of projects.csv in M USD/yr."""
    out = projects[["project", "method", "horizon", "capacity_mw"]].copy()
    for col in ("benefit_usd", "annual_cost_usd", "net_benefit_usd", "npv_net_benefit_usd"):
        out[col.replace("_usd", "_musd")] = projects[col] / USD_PER_M
    out["b_c"] = projects["benefit_cost_ratio"]
    out["break_even_capex_musd_per_mw"] = projects["break_even_capex_usd_per_mw"] / USD_PER_M
    out["co2_change_mt"] = projects["co2_change_mt"]
    out["avoided_curtailment_gwh"] = projects["avoided_curtailment_mwh"] / 1e3
    out["utilisation"] = projects["utilisation"]
    return out


def write_report(projects: pd.DataFrame, countries: pd.DataFrame, out_dir: Path, figures: bool = True) -> None:
    """report.md and report.html (and figures/ unless ``figures`` is False) in ``out_dir``."""
    lines = ["# Value of each interconnector project", ""]
    horizon = ", ".join(dict.fromkeys(projects["horizon"].str.replace("_", " ")))
    lines += [
        f"Scenario(s): {', '.join(dict.fromkeys(projects['scenario']))}; generation and storage: {horizon} "
        "(long run: re-optimised in every case; short run: fixed to the reference plan, operation re-optimised).",
        "TOOT takes one project out of the plan with every project at planned capacity; PINT puts one project into "
        "the plan without projects. Net benefit = system cost without − system cost with (economic, USD/yr, the "
        "project's annuity and fixed O&M included); B/C = gross benefit / annual cost.",
        "",
        "## Winners and losers",
        "",
    ]
    lines += [f"- {project_sentence(row, countries)}" for _, row in projects.iterrows()]
    lines += ["", "## Indicators (M USD/yr unless stated)", "", md_table(summary_table(projects)), ""]
    if figures:
        fig_project_benefits(projects, out_dir / "figures" / "project_benefits")
        lines += ["![Net benefit and B/C](figures/project_benefits.png)", ""]
        for method in dict.fromkeys(countries["method"]):
            fig_project_countries(countries, out_dir / "figures" / f"project_countries_{method}", method)
            lines += [f"![Country split, {method.upper()}](figures/project_countries_{method}.png)", ""]
    lines += [
        "## Accounting",
        "",
        "Each zone's gain is the change (with − without) of four accounts: consumers (−Δ payments for energy at "
        "the zone price, −Δ value of lost load, + electricity subsidy received), producers (Δ revenue at the zone "
        "price − Δ operating cost at subsidised fuel prices − Δ annualised cost of new generation and storage in "
        "the zone), congestion rent net of link cost (each link's merchandising surplus minus its annuity and "
        "fixed O&M, half to each end) and treasury (−Δ fiscal cost of subsidies). They sum to the net benefit "
        "exactly (column split_residual_usd of projects.csv is the solver's rounding).",
        "",
    ]
    text = "\n".join(lines)
    (out_dir / "report.md").write_text(text)
    (out_dir / "report.html").write_text(page("Value of each interconnector", markdown_to_html(text)))
