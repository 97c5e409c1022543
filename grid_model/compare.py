"""Compare scenarios side by side: tables, deltas against the base case, figures and a generated report.

``grid-model compare`` runs each scenario (re-using one compiled model and HiGHS instance where only
costs, bounds or right-hand sides differ), writes every run's results folder, then the comparison:

* ``comparison.csv`` / ``.md``: one row per scenario, absolute values and deltas vs the base;
* ``borders.csv``: per scenario and link, energy each way, utilisation, congestion rent, price change at both ends;
* ``countries.csv``: per scenario and zone, cost of supply, price and its change, net imports, renewable share,
  fiscal cost of subsidies (USD and % of GDP where zones.csv has GDP), cross-subsidy transfer;
* ``new_capacity.csv``: what gets built and the overnight investment, by scenario, zone and category;
* ``figures/`` and ``report.md`` / ``report.html``.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from grid_model.errors import InputError
from grid_model.locking import output_lock
from grid_model.markdown import markdown_to_html, md_table
from grid_model.results import Results, atomic_folder, read_results
from grid_model.scenario import load_scenario, scenario_table, structure_key
from grid_model.session import SolveSession

log = logging.getLogger(__name__)

HEADLINE = ("base", "interconnect", "no_subsidies", "integrated")


def net_imports_twh(res: Results) -> pd.Series:
    """Net imports per zone (TWh received after losses − TWh sent), from the links table."""
    zones = res.tables["zones"]["zone"].tolist()
    out = pd.Series(0.0, index=zones)
    for _, r in res.tables["links"].iterrows():
        keep = 1.0 - float(r["loss_pu"])
        out[r["zone_to"]] += keep * r["flow_forward_twh"] - r["flow_backward_twh"]
        out[r["zone_from"]] += keep * r["flow_backward_twh"] - r["flow_forward_twh"]
    return out


def scenario_row(res: Results) -> dict:
    """The headline numbers of one scenario."""
    s = res.summary
    cap = res.tables["capacity"]
    links = res.tables["links"]
    row = {
        "scenario": s["scenario"],
        "system_cost_usd": s["system_cost_usd"],
        "objective_usd": s["objective_usd"],
        "fiscal_subsidy_cost_usd": s["subsidy_cost_usd"],
        "fuel_subsidy_cost_usd": s.get("fuel_subsidy_cost_usd", 0.0),
        "electricity_subsidy_cost_usd": s.get("electricity_subsidy_cost_usd", 0.0),
        "cross_subsidy_usd": s.get("electricity_cross_subsidy_usd", 0.0),
        "consumer_surplus_change_usd": s.get("electricity_consumer_surplus_change_usd", 0.0),
        "renewable_share": s["renewable_share"],
        "non_conventional_renewable_share": s["non_conventional_renewable_share"],
        "co2_mt": s["co2_mt"],
        "demand_twh": s["demand_twh"],
        "unserved_twh": s["unserved_twh"],
        "price_avg_usd_per_mwh": s.get("price_avg_usd_per_mwh", float("nan")),
        "investment_usd": s.get("investment_usd", 0.0),
        "new_link_mw": float(links["new_mw"].sum()) if len(links) else 0.0,
        "traded_twh": float((links["flow_forward_twh"] + links["flow_backward_twh"]).sum()) if len(links) else 0.0,
        "congestion_rent_usd": float(links["congestion_rent_usd"].sum()) if len(links) else 0.0,
    }
    by_cat = cap.groupby("category")["new_mw"].sum()
    for cat, mw in by_cat.items():
        row[f"new_mw_{cat}"] = float(mw)
    return row


def comparison_table(results: dict[str, Results], base: str) -> pd.DataFrame:
    """One row per scenario with deltas against ``base`` for every numeric column."""
    df = pd.DataFrame([scenario_row(r) for r in results.values()]).fillna(0.0)
    if base in results:
        ref = df.set_index("scenario").loc[base]
        for col in [
            "system_cost_usd",
            "fiscal_subsidy_cost_usd",
            "renewable_share",
            "non_conventional_renewable_share",
            "co2_mt",
            "price_avg_usd_per_mwh",
            "investment_usd",
            "demand_twh",
            "traded_twh",
        ]:
            df[f"delta_{col}"] = df[col] - ref[col]
    return df


def countries_table(results: dict[str, Results], base: str) -> pd.DataFrame:
    """Per scenario and zone: demand, cost of supply at marginal prices, price change, net imports, shares.

    The renewable share counts each technology's own ``renewable`` flag carried by ``generation.csv``, as the
    renewable-share figure and ``summary.json`` do (:func:`grid_model.figures.renewable_share`).
    """
    from grid_model.figures import renewable_share  # drawing library loaded only when tables are written

    rows = []
    base_prices = results[base].tables["prices"].set_index("zone")["price_avg_usd_per_mwh"] if base in results else None
    for name, res in results.items():
        prices = res.tables["prices"].set_index("zone")
        gen = res.tables["generation"]
        tot = gen.groupby("zone")["generation_twh"].sum()
        ren_share = renewable_share(res)
        em = res.tables["emissions"].set_index("zone")["co2_mt"]
        sub, cross = _subsidies_by_zone(res)
        gdp = _gdp_bn_usd(res)
        imports = net_imports_twh(res)
        for z in prices.index:
            p = float(prices.at[z, "price_avg_usd_per_mwh"])
            d = float(prices.at[z, "demand_twh"])
            rows.append(
                {
                    "scenario": name,
                    "zone": z,
                    "demand_twh": d,
                    "cost_of_supply_usd": p * d * 1e6,
                    "price_avg_usd_per_mwh": p,
                    "delta_price_usd_per_mwh": p - float(base_prices[z]) if base_prices is not None else float("nan"),
                    "net_imports_twh": float(imports.get(z, 0.0)),
                    "generation_twh": float(tot.get(z, 0.0)),
                    "renewable_share": float(ren_share.get(str(z), float("nan"))),
                    "co2_mt": float(em.get(z, 0.0)),
                    "fiscal_subsidy_cost_usd": float(sub.get(z, 0.0)),
                    "fiscal_subsidy_cost_pct_gdp": 100.0 * float(sub.get(z, 0.0)) / (gdp[z] * 1e9)
                    if gdp.get(z, 0.0) > 0
                    else float("nan"),
                    "cross_subsidy_usd": float(cross.get(z, 0.0)),
                    "gdp_bn_usd": float(gdp.get(z, float("nan"))),
                    "unserved_twh": float(prices.at[z, "unserved_twh"]),
                }
            )
    out = pd.DataFrame(rows)
    if len(out) and out["gdp_bn_usd"].isna().all():  # a dataset without GDP (the example): no % of GDP columns
        out = out.drop(columns=["gdp_bn_usd", "fiscal_subsidy_cost_pct_gdp"])
    return out


def _subsidies_by_zone(res: Results) -> tuple[pd.Series, pd.Series]:
    """Fiscal cost and cross-subsidy transfer per zone [USD/yr] (older results folders have no transfer column)."""
    subs = res.tables["subsidies"]
    if not len(subs):
        return pd.Series(dtype=float), pd.Series(dtype=float)
    cross = subs.groupby("zone")["consumer_transfer_usd"].sum() if "consumer_transfer_usd" in subs else pd.Series()
    return subs.groupby("zone")["fiscal_cost_usd"].sum(), cross.astype(float)


def _gdp_bn_usd(res: Results) -> dict[str, float]:
    """GDP per zone [USD bn] from the run's zones.csv (empty when the dataset has none)."""
    zones = res.tables.get("zones")
    if zones is None or "gdp_bn_usd" not in zones:
        return {}
    return {str(z): float(g) for z, g in zip(zones["zone"], zones["gdp_bn_usd"], strict=True) if g == g}


def borders_table(results: dict[str, Results], base: str) -> pd.DataFrame:
    """Per scenario and link: trade each way, utilisation, rent, and the price change at each end vs base."""
    rows = []
    base_prices = results[base].tables["prices"].set_index("zone")["price_avg_usd_per_mwh"] if base in results else None
    for name, res in results.items():
        prices = res.tables["prices"].set_index("zone")["price_avg_usd_per_mwh"]
        for _, r in res.tables["links"].iterrows():
            a, b = r["zone_from"], r["zone_to"]
            net = r["flow_forward_twh"] - r["flow_backward_twh"]
            exporter, importer = (a, b) if net >= 0 else (b, a)
            da = prices[a] - base_prices[a] if base_prices is not None else float("nan")
            db = prices[b] - base_prices[b] if base_prices is not None else float("nan")
            rows.append(
                {
                    "scenario": name,
                    "link": r["link"],
                    "zone_from": a,
                    "zone_to": b,
                    "existing_mw": r["existing_mw"],
                    "new_mw": r["new_mw"],
                    "flow_forward_twh": r["flow_forward_twh"],
                    "flow_backward_twh": r["flow_backward_twh"],
                    "net_exporter": exporter if abs(net) > 1e-9 else "",
                    "net_importer": importer if abs(net) > 1e-9 else "",
                    "utilisation": r["utilisation"],
                    "congestion_rent_usd": r["congestion_rent_usd"],
                    "price_from_usd_per_mwh": prices[a],
                    "price_to_usd_per_mwh": prices[b],
                    "delta_price_from_usd_per_mwh": da,
                    "delta_price_to_usd_per_mwh": db,
                    "investment_usd": r.get("investment_usd", 0.0),
                }
            )
    return pd.DataFrame(rows)


def new_capacity_table(results: dict[str, Results]) -> pd.DataFrame:
    """What gets built in each scenario: new MW and overnight investment by zone and technology."""
    frames = []
    for name, res in results.items():
        cap = res.tables["capacity"]
        built = cap[cap["new_mw"] > 1e-6][["zone", "technology", "category", "new_mw", "investment_usd"]].copy()
        built.insert(0, "scenario", name)
        frames.append(built)
        links = res.tables["links"]
        lk = links[links["new_mw"] > 1e-6]
        if len(lk):
            frames.append(
                pd.DataFrame(
                    {
                        "scenario": name,
                        "zone": lk["zone_from"] + "–" + lk["zone_to"],
                        "technology": "link " + lk["link"],
                        "category": "transmission",
                        "new_mw": lk["new_mw"],
                        "investment_usd": lk["investment_usd"],
                    }
                )
            )
    cols = ["scenario", "zone", "technology", "category", "new_mw", "investment_usd"]
    return pd.concat(frames, ignore_index=True)[cols] if frames else pd.DataFrame(columns=cols)


# ---------------------------------------------------------------------------------------------- report


def _fmt_bn(x: float) -> str:
    return f"{x / 1e9:,.2f}"


def headline_markdown(comp: pd.DataFrame) -> str:
    """The side-by-side table in report units (USD bn/yr, %, Mt, USD/MWh)."""
    view = pd.DataFrame(
        {
            "scenario": comp["scenario"],
            "system cost (USD bn/yr)": comp["system_cost_usd"].map(_fmt_bn),
            "Δ vs base (USD bn/yr)": comp.get("delta_system_cost_usd", pd.Series(np.nan, index=comp.index)).map(
                _fmt_bn
            ),
            "fiscal subsidy cost (USD bn/yr)": comp["fiscal_subsidy_cost_usd"].map(_fmt_bn),
            "renewable share": comp["renewable_share"].map(lambda v: f"{v:.1%}"),
            "non-conv. renewable share": comp["non_conventional_renewable_share"].map(lambda v: f"{v:.1%}"),
            "CO2 (Mt)": comp["co2_mt"].map(lambda v: f"{v:,.1f}"),
            "avg price (USD/MWh)": comp["price_avg_usd_per_mwh"].map(lambda v: f"{v:,.1f}"),
            "demand (TWh)": comp["demand_twh"].map(lambda v: f"{v:,.1f}"),
            "investment (USD bn)": comp["investment_usd"].map(_fmt_bn),
            "new links (MW)": comp["new_link_mw"].map(lambda v: f"{v:,.0f}"),
        }
    )
    return md_table(view)


def narrative(comp: pd.DataFrame, base: str) -> list[str]:
    """Plain sentences generated from the numbers in the comparison table; nothing else is claimed."""
    if base not in set(comp["scenario"]):
        return []
    ref = comp.set_index("scenario").loc[base]
    out = [
        f"In the base case the system costs USD {_fmt_bn(ref['system_cost_usd'])} bn a year at unsubsidised "
        f"prices, renewables supply {ref['renewable_share']:.1%} of generation (non-conventional "
        f"{ref['non_conventional_renewable_share']:.1%}), emissions are {ref['co2_mt']:,.1f} Mt CO2 and subsidies "
        f"cost the treasuries USD {_fmt_bn(ref['fiscal_subsidy_cost_usd'])} bn."
    ]
    for _, r in comp.iterrows():
        if r["scenario"] == base:
            continue
        d_cost = r["system_cost_usd"] - ref["system_cost_usd"]
        d_ren = r["renewable_share"] - ref["renewable_share"]
        d_co2 = r["co2_mt"] - ref["co2_mt"]
        d_fisc = r["fiscal_subsidy_cost_usd"] - ref["fiscal_subsidy_cost_usd"]
        verb = "lowers" if d_cost < 0 else "raises"
        out.append(
            f"**{r['scenario']}** {verb} the economic system cost by USD {_fmt_bn(abs(d_cost))} bn/yr "
            f"({d_cost / ref['system_cost_usd']:+.1%}), changes the renewable share by {d_ren * 100:+.1f} points "
            f"to {r['renewable_share']:.1%}, CO2 by {d_co2:+,.1f} Mt and the fiscal cost of subsidies by "
            f"USD {d_fisc / 1e9:+,.2f} bn/yr; it builds {r['new_link_mw']:,.0f} MW of new interconnection and "
            f"invests USD {_fmt_bn(r['investment_usd'])} bn overnight."
        )
    return out


# The seed report's regional estimates of energy subsidies (Pacific Alliance 2.0; IMF WP/15/30 for 2011-13): fuels
# and electricity, as % of GDP. They include transport and household fuels; the model covers the power sector only.
REPORT_FUEL_SUBSIDY_PCT_GDP = 1.0
REPORT_ELECTRICITY_SUBSIDY_PCT_GDP = 0.8


def subsidy_scope_markdown(comp: pd.DataFrame, countries: pd.DataFrame, base: str) -> str:
    """The base case's fiscal cost per country in USD and % of GDP, and a paragraph setting the model's scope
    (power sector: electricity tariffs and generation fuels) against the report's 1 % + 0.8 % of GDP."""
    if base not in set(comp["scenario"]) or "gdp_bn_usd" not in countries:
        return ""
    rows = countries[countries["scenario"] == base]
    gdp_bn = float(rows["gdp_bn_usd"].sum())
    if not gdp_bn > 0:
        return ""
    ref = comp.set_index("scenario").loc[base]
    fiscal, elec, fuel = (
        float(ref[k]) for k in ("fiscal_subsidy_cost_usd", "electricity_subsidy_cost_usd", "fuel_subsidy_cost_usd")
    )
    cross = float(rows["cross_subsidy_usd"].sum())
    view = rows[
        ["zone", "fiscal_subsidy_cost_usd", "fiscal_subsidy_cost_pct_gdp", "cross_subsidy_usd", "gdp_bn_usd"]
    ].copy()
    view["fiscal_subsidy_cost_usd"] = view["fiscal_subsidy_cost_usd"].map(lambda v: f"{v / 1e6:,.0f} M")
    view["fiscal_subsidy_cost_pct_gdp"] = view["fiscal_subsidy_cost_pct_gdp"].map(
        lambda v: f"{v:.2f} %" if v == v else "–"
    )
    view["cross_subsidy_usd"] = view["cross_subsidy_usd"].map(lambda v: f"{v / 1e6:,.0f} M")
    view["gdp_bn_usd"] = view["gdp_bn_usd"].map(lambda v: f"{v:,.1f}" if v == v else "–")
    text = (
        f"The model covers the power sector only: electricity tariff subsidies and subsidised fuels burned in "
        f"power plants. In **{base}** they cost the treasuries USD {fiscal / 1e9:,.2f} bn a year, "
        f"{100 * fiscal / (gdp_bn * 1e9):.2f} % of the {len(rows)} countries' GDP (USD {gdp_bn:,.0f} bn, 2023): "
        f"electricity tariffs USD {elec / 1e9:,.2f} bn ({100 * elec / (gdp_bn * 1e9):.2f} %), generation fuels "
        f"USD {fuel / 1e9:,.2f} bn ({100 * fuel / (gdp_bn * 1e9):.2f} %). Cross-subsidies move a further "
        f"USD {cross / 1e9:,.2f} bn between consumers at no fiscal cost. The report puts energy subsidies at "
        f"{REPORT_FUEL_SUBSIDY_PCT_GDP:g} % of GDP for fuels and {REPORT_ELECTRICITY_SUBSIDY_PCT_GDP:g} % for "
        f"electricity — USD {REPORT_FUEL_SUBSIDY_PCT_GDP / 100 * gdp_bn:,.1f} bn and "
        f"USD {REPORT_ELECTRICITY_SUBSIDY_PCT_GDP / 100 * gdp_bn:,.1f} bn on this GDP; its fuel figure is mostly "
        "transport and household fuels (Mexico's IEPS stimulus, Colombia's FEPC, Ecuador's diesel), which a power "
        "model does not see, and its electricity figure is a 2011–13 regional average. The fiscal cost here is "
        "for the planning year's demand; GDP is the 2023 figure (not projected)."
    )
    removals = [
        f"In **{r['scenario']}** the treasuries spend USD {r['fiscal_subsidy_cost_usd'] / 1e9:,.2f} bn on subsidies "
        f"({(r['fiscal_subsidy_cost_usd'] - fiscal) / 1e9:+,.2f} bn); electricity consumers lose "
        f"USD {-r['consumer_surplus_change_usd'] / 1e9:,.2f} bn a year of surplus to the higher tariffs, and the "
        f"system serves {r['demand_twh'] - float(ref['demand_twh']):+,.1f} TWh."
        for _, r in comp.iterrows()
        if r["scenario"] != base and r.get("consumer_surplus_change_usd", 0.0) < 0
    ]
    return "\n".join([text, *(["", " ".join(removals)] if removals else []), "", md_table(view)])


REPORT_TITLE = "Interconnectors and subsidy reform: scenario comparison"

REPORT_INTRO = (
    "Generated by `grid-model compare`. Costs are annual (USD/yr) for the planning year; the system cost is "
    "the economic cost at unsubsidised fuel prices (annualised investment in new assets plus operating "
    "costs); existing assets' fixed costs are sunk and the same in every scenario."
)


def _report_blocks(
    comp: pd.DataFrame,
    countries: pd.DataFrame,
    borders: pd.DataFrame,
    new_cap: pd.DataFrame,
    base: str,
    scenario_info: pd.DataFrame,
) -> dict[str, str]:
    """The report's sections as Markdown, by title, in report.md's order (sections without rows left out)."""
    blocks = {
        "Scenarios": md_table(scenario_info),
        "Headline": "\n".join([headline_markdown(comp), "", *[f"- {s}" for s in narrative(comp, base)]]),
    }
    scope = subsidy_scope_markdown(comp, countries, base) if len(countries) else ""
    if scope:
        blocks["Subsidies against GDP"] = scope
    if len(countries):
        view = countries[
            [
                "scenario",
                "zone",
                "price_avg_usd_per_mwh",
                "delta_price_usd_per_mwh",
                "net_imports_twh",
                "renewable_share",
                "co2_mt",
                "fiscal_subsidy_cost_usd",
                *(["fiscal_subsidy_cost_pct_gdp"] if "fiscal_subsidy_cost_pct_gdp" in countries else []),
            ]
        ].copy()
        view["renewable_share"] = view["renewable_share"].map(lambda v: f"{v:.1%}" if v == v else "–")
        view["fiscal_subsidy_cost_usd"] = view["fiscal_subsidy_cost_usd"].map(lambda v: f"{v / 1e6:,.0f} M")
        if "fiscal_subsidy_cost_pct_gdp" in view:
            view["fiscal_subsidy_cost_pct_gdp"] = view["fiscal_subsidy_cost_pct_gdp"].map(
                lambda v: f"{v:.2f} %" if v == v else "–"
            )
        blocks["Countries"] = md_table(view)
    if len(borders):
        view = borders[
            [
                "scenario",
                "link",
                "existing_mw",
                "new_mw",
                "flow_forward_twh",
                "flow_backward_twh",
                "utilisation",
                "congestion_rent_usd",
                "net_exporter",
            ]
        ].copy()
        view["utilisation"] = view["utilisation"].map(lambda v: f"{v:.0%}")
        view["congestion_rent_usd"] = view["congestion_rent_usd"].map(lambda v: f"{v / 1e6:,.1f} M")
        blocks["Borders"] = md_table(view)
    if len(new_cap):
        view = new_cap.copy()
        view["investment_usd"] = view["investment_usd"].map(lambda v: f"{v / 1e9:,.2f} bn")
        blocks["What gets built"] = md_table(view)
    return blocks


def write_report(
    out_dir: Path,
    comp: pd.DataFrame,
    countries: pd.DataFrame,
    borders: pd.DataFrame,
    new_cap: pd.DataFrame,
    figures: list[Path],
    base: str,
    scenario_info: pd.DataFrame,
) -> None:
    """report.md (the tables, sentences generated from the numbers, links to the PNGs) and report.html (the
    same as one self-contained document: contents, headline first, figures embedded and numbered, interactive
    network maps from the runs' folders in ``out_dir``, print stylesheet; :mod:`grid_model.report_html`)."""
    blocks = _report_blocks(comp, countries, borders, new_cap, base, scenario_info)
    droughts = drought_markdown(out_dir, list(comp["scenario"]), base)
    if droughts:
        blocks["Interconnectors and droughts"] = droughts
    md = [f"# {REPORT_TITLE}", "", REPORT_INTRO, ""]
    for title, block in blocks.items():
        md += [f"## {title}", "", block, ""]
    if figures:
        md += ["## Figures", ""]
        md += [f"![{p.stem}]({p.relative_to(out_dir).as_posix()})" for p in figures if p.suffix == ".png"]
        md.append("")
    (out_dir / "report.md").write_text("\n".join(md))
    (out_dir / "report.html").write_text(_report_html(out_dir, blocks, figures, list(comp["scenario"]), borders))


def drought_markdown(out_dir: Path, scenarios: list[str], base: str) -> str:
    """For runs planned under several hydrologies (their ``hydrology.csv``): each hydrology's cost, unserved
    energy and price, what each scenario saves in its worst hydrology against ``base``, and how much of each
    built link's rent comes from its worst hydrology — in sentences generated from the numbers."""
    tables = {n: out_dir / n / "hydrology.csv" for n in scenarios}
    tables = {n: pd.read_csv(f, dtype={"hydrology": str}) for n, f in tables.items() if f.exists()}
    if not tables:
        return ""
    rows = pd.concat([t.assign(scenario=n) for n, t in tables.items()], ignore_index=True)
    view = rows[["scenario", "hydrology", "probability", "economic_operating_cost_usd", "unserved_twh"]].copy()
    view["price_avg_usd_per_mwh"] = rows["price_avg_usd_per_mwh"]
    view["economic_operating_cost_usd"] = view["economic_operating_cost_usd"].map(lambda v: f"{v / 1e9:,.2f} bn")
    lines = [md_table(view), ""]
    worst = {n: t.loc[t["economic_operating_cost_usd"].idxmax()] for n, t in tables.items()}
    if base in worst:
        b = worst[base]
        for n, w in worst.items():
            if n == base:
                continue
            saved = b["economic_operating_cost_usd"] - w["economic_operating_cost_usd"]
            lines.append(
                f"- {n}: in its worst hydrology ({w['hydrology']}) operation costs {w['economic_operating_cost_usd'] / 1e9:,.2f} "
                f"bn USD/yr, {abs(saved) / 1e6:,.0f} M USD/yr {'less' if saved >= 0 else 'more'} than in {base}'s "
                f"worst ({b['hydrology']}); unserved {w['unserved_twh']:.3f} TWh against {b['unserved_twh']:.3f} TWh."
            )
    lines += _drought_link_lines(out_dir, tables, worst)
    return "\n".join(lines)


def _drought_link_lines(out_dir: Path, tables: dict[str, pd.DataFrame], worst: dict[str, pd.Series]) -> list[str]:
    """For each link that is built in a scenario: the share of its expected rent earned in the worst hydrology."""
    lines = []
    for n in tables:
        f = out_dir / n / "links_by_hydrology.csv"
        links = pd.read_csv(out_dir / n / "links.csv")
        built = set(links.loc[links["new_mw"] > 0, "link"])
        if not f.exists() or not built:
            continue
        by = pd.read_csv(f, dtype={"hydrology": str})
        dry = by[(by["hydrology"] == worst[n]["hydrology"]) & by["link"].isin(built)]
        for r in dry.itertuples():
            lines.append(
                f"- {n}, {r.link} (new): {r.share_of_expected_rent:.0%} of its expected congestion rent comes from "
                f"the worst hydrology ({r.hydrology}, probability {r.probability:.0%})."
            )
    return lines


def _report_html(
    out_dir: Path, blocks: dict[str, str], figures: list[Path], scenarios: list[str], borders: pd.DataFrame
) -> str:
    """report.html: the headline first, then the other sections, the interactive maps and the figures."""
    from grid_model import report_html as rh  # drawing library loaded only when the report is written

    nums = rh.FigureNumbers()
    order = ["Headline", *[t for t in blocks if t != "Headline"]]
    sections = [rh.Section(_anchor(t), t, markdown_to_html(blocks[t])) for t in order]
    maps = rh.maps_section(out_dir, scenarios, nums)
    if maps:
        sections.append(rh.Section("maps", "Network maps (interactive)", maps))
    if figures:
        sections.append(rh.Section("figures", "Figures", rh.figures_section(figures, scenarios, borders, nums)))
    return rh.render(REPORT_TITLE, markdown_to_html(REPORT_INTRO), sections, nums)


def _anchor(title: str) -> str:
    """An HTML id for a section title ("What gets built" → "what-gets-built")."""
    return "-".join(title.lower().split())


def write_comparison(
    results: dict[str, Results],
    out_dir: Path,
    base: str,
    scenario_info: pd.DataFrame | None = None,
    figures: bool = True,
    xlsx: bool = False,
) -> dict[str, pd.DataFrame]:
    """Write the comparison tables, figures and report into ``out_dir`` (which already holds the runs); with
    ``xlsx`` also ``comparison.xlsx``, every summary and table of the comparison in one workbook."""
    comp = comparison_table(results, base)
    countries = countries_table(results, base)
    borders = borders_table(results, base)
    new_cap = new_capacity_table(results)
    comp.to_csv(out_dir / "comparison.csv", index=False, float_format="%.10g")
    (out_dir / "comparison.md").write_text(headline_markdown(comp) + "\n")
    countries.to_csv(out_dir / "countries.csv", index=False, float_format="%.10g")
    borders.to_csv(out_dir / "borders.csv", index=False, float_format="%.10g")
    new_cap.to_csv(out_dir / "new_capacity.csv", index=False, float_format="%.10g")
    figure_paths: list[Path] = []
    if figures:
        from grid_model import figures as figs

        figure_paths = figs.draw_all(results, out_dir / "figures", base=base)
    info = scenario_info if scenario_info is not None else pd.DataFrame({"scenario": list(results)})
    write_report(out_dir, comp, countries, borders, new_cap, figure_paths, base, info)
    (out_dir / "compare.json").write_text(json.dumps({"scenarios": list(results), "base": base}, indent=2) + "\n")
    tables = {"comparison": comp, "countries": countries, "borders": borders, "new_capacity": new_cap}
    if xlsx:
        from grid_model.outputs import comparison_workbook, write_workbook

        sheets, summaries = comparison_workbook(results, tables)
        write_workbook(sheets, out_dir / "comparison.xlsx", summaries)
    return tables


def default_scenarios(folder: Path = Path("scenarios")) -> list[Path]:
    """The headline set: base, interconnect, no_subsidies, integrated."""
    return [folder / f"{n}.yaml" for n in HEADLINE]


def run_compare(
    paths: list[Path],
    out_dir: Path,
    base: str | None = None,
    progress: Callable[[str], None] | None = None,
    figures: bool = True,
    warm: bool = True,
    solver_overrides: dict | None = None,
    workers: int | None = None,
    xlsx: bool = False,
    db: str | Path | None = None,
) -> tuple[dict[str, Results], Path]:
    """Run each scenario, write each results folder and the comparison; the whole folder appears at once.

    Scenarios that share an LP structure form a group solved in one process with one warm HiGHS model; groups run
    in parallel on up to ``workers`` processes (default: 2, or the number of cores if lower). ``xlsx`` adds
    ``comparison.xlsx``; ``db`` appends every run and the comparison tables to that DuckDB file once the folder
    is in place (``grid_model.outputs``).
    """
    say = progress or (lambda _m: None)
    scenarios = [load_scenario(p) for p in paths]
    if solver_overrides:
        scenarios = [s.model_copy(update={"solver": {**s.solver, **solver_overrides}}) for s in scenarios]
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise InputError(f"two scenarios share the name '{dup}'; names must differ to compare them")
    base = base or ("base" if "base" in names else names[0])
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    workers = workers or min(2, os.cpu_count() or 1)
    with output_lock(out_dir):
        return _run_compare_locked(scenarios, names, base, out_dir, say, figures, warm, workers, xlsx=xlsx, db=db)


def _solve_group(scenarios: list, folder: str, warm: bool) -> list[dict]:
    """Solve scenarios that share an LP structure one after another on one warm session (runs in a worker)."""
    session = SolveSession(warm=warm)
    for sc in scenarios:
        session.run(sc, Path(folder) / sc.name)
    return session.timings["runs"]


def _run_compare_locked(
    scenarios: list,
    names: list[str],
    base: str,
    out_dir: Path,
    say: Callable[[str], None],
    figures: bool,
    warm: bool,
    workers: int,
    *,
    xlsx: bool = False,
    db: str | Path | None = None,
) -> tuple[dict[str, Results], Path]:
    import concurrent.futures as cf
    import multiprocessing

    with atomic_folder(out_dir) as tmp:
        t0 = time.perf_counter()
        groups: dict[tuple, list] = {}
        for sc in scenarios:  # the order of solves does not change any result
            groups.setdefault(structure_key(sc), []).append(sc)
        runs: list[dict] = []
        done = 0
        if workers > 1 and len(groups) > 1:
            say(f"solving {len(scenarios)} scenarios in {len(groups)} groups on {min(workers, len(groups))} processes")
            ctx = multiprocessing.get_context("spawn")
            with cf.ProcessPoolExecutor(max_workers=min(workers, len(groups)), mp_context=ctx) as pool:
                futures = [pool.submit(_solve_group, g, str(tmp), warm) for g in groups.values()]
                try:
                    for fut in cf.as_completed(futures):
                        runs.extend(fut.result())
                        done += 1
                        say(f"{done}/{len(groups)} scenario groups solved")
                except BaseException:
                    for f in futures:
                        f.cancel()
                    raise
        else:
            session = SolveSession(warm=warm)
            i = 0
            for group in groups.values():
                for sc in group:
                    i += 1
                    session.run(
                        sc, tmp / sc.name, progress=lambda m, n=sc.name, i=i: say(f"[{i}/{len(scenarios)}] {n}: {m}")
                    )
            runs = session.timings["runs"]
        say("writing comparison, figures and report")
        results = {n: read_results(tmp / n) for n in names}
        tables = write_comparison(results, tmp, base, scenario_table(scenarios), figures=figures, xlsx=xlsx)
        (tmp / "timings.json").write_text(
            json.dumps(
                {"total_s": time.perf_counter() - t0, "processes": min(workers, len(groups)), "runs": runs}, indent=2
            )
            + "\n"
        )
    if db is not None:
        from grid_model.outputs import append_runs

        append_runs(db, results, tables, command="compare", folder=out_dir)
    return results, out_dir
