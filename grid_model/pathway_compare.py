"""Compare pathways: ``grid-model compare scenarios/pathway/*.yaml``.

Each pathway scenario is solved into its own results folder (``grid_model.pathway``); then the comparison writes

* ``pathways.csv``: one row per pathway — NPV of system cost and its difference from the base, NPV of the
  subsidies' fiscal cost, cumulative CO2, overnight investment, interconnector MW built;
* ``pathway_periods.csv``: one row per pathway and period — annual system cost (and its difference from the base
  in the same period), renewable shares, CO2, fiscal cost, MW built;
* ``interconnector_builds.csv``: one row per pathway and interconnector built — the period it is first built and
  the MW built in each period;
* ``figures/`` (capacity over the periods, renewable share trajectories, NPV, interconnector timeline) and
  ``report.md`` / ``report.html`` telling the story in sentences generated from the numbers.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from grid_model.errors import InputError
from grid_model.locking import output_lock
from grid_model.markdown import md_table
from grid_model.results import atomic_folder
from grid_model.scenario import Scenario, load_scenario

BN = 1e9


@dataclass
class PathwayRun:
    """What the comparison reads of one pathway results folder."""

    summary: dict
    periods: pd.DataFrame
    builds: pd.DataFrame
    capacity: pd.DataFrame


def read_pathway(folder: Path) -> PathwayRun:
    """The summary and the tables the comparison needs from a pathway results folder."""
    summary = json.loads((folder / "summary.json").read_text())
    if summary.get("kind") != "pathway":
        raise InputError("not a pathway results folder (summary.json has no kind: pathway)", file=str(folder))
    return PathwayRun(
        summary,
        pd.read_csv(folder / "periods.csv"),
        pd.read_csv(folder / "builds.csv"),
        pd.read_csv(folder / "capacity.csv"),
    )


def pathways_table(runs: dict[str, PathwayRun], base: str) -> pd.DataFrame:
    """pathways.csv (module docstring)."""
    ref = runs[base].summary
    rows = []
    for name, r in runs.items():
        s = r.summary
        links = r.builds[r.builds["kind"] == "link"]
        rows.append(
            {
                "scenario": name,
                "foresight": s["foresight"],
                "npv_system_cost_usd": s["npv_system_cost_usd"],
                "npv_delta_vs_base_usd": s["npv_system_cost_usd"] - ref["npv_system_cost_usd"],
                "npv_subsidy_cost_usd": s["npv_subsidy_cost_usd"],
                "cumulative_co2_mt": s["cumulative_co2_mt"],
                "co2_delta_vs_base_mt": s["cumulative_co2_mt"] - ref["cumulative_co2_mt"],
                "built_investment_usd": s["built_investment_usd"],
                "interconnector_built_mw": float(links["built_mw"].sum()),
                "renewable_share_first": float(r.periods["renewable_share"].iloc[0]),
                "renewable_share_last": float(r.periods["renewable_share"].iloc[-1]),
            }
        )
    return pd.DataFrame(rows)


def pathway_periods_table(runs: dict[str, PathwayRun], base: str) -> pd.DataFrame:
    """pathway_periods.csv (module docstring)."""
    ref = runs[base].periods.set_index("period")["system_cost_usd"]
    keep = ["period", "system_cost_usd", "renewable_share", "non_conventional_renewable_share", "co2_mt"]
    keep += ["subsidy_cost_usd", "built_mw", "price_avg_usd_per_mwh", "unserved_twh"]
    parts = []
    for name, r in runs.items():
        p = r.periods[keep].copy()
        p.insert(0, "scenario", name)
        p.insert(3, "system_cost_delta_vs_base_usd", p["system_cost_usd"] - p["period"].map(ref))
        parts.append(p)
    return pd.concat(parts, ignore_index=True)


def interconnector_builds_table(runs: dict[str, PathwayRun]) -> pd.DataFrame:
    """interconnector_builds.csv (module docstring): MW built in every period, 0 where nothing is."""
    periods = sorted({int(p) for r in runs.values() for p in r.periods["period"]})
    columns = ["scenario", "link", "first_period", "built_mw", *[f"mw_{p}" for p in periods]]
    rows = []
    for name, r in runs.items():
        links = r.builds[r.builds["kind"] == "link"]
        for link, g in links.groupby("asset", sort=True):
            by_period = g.groupby("period")["built_mw"].sum()
            row = {"scenario": name, "link": link, "first_period": int(g["period"].min())}
            row["built_mw"] = float(g["built_mw"].sum())
            row.update({f"mw_{p}": float(by_period.get(p, 0.0)) for p in periods})
            rows.append(row)
    return pd.DataFrame(rows, columns=columns)


def narrative(runs: dict[str, PathwayRun], base: str, builds: pd.DataFrame) -> list[str]:
    """The pathway story in sentences, from the numbers."""
    ref = runs[base].summary
    years = ref["years"]
    out = [
        f"Every pathway plans {years[0]}–{ref['end_year']} in {len(years)} periods ({', '.join(map(str, years))}); "
        f"costs are discounted to {ref['base_year']} at {ref['discount_rate']:.0%}. The base costs "
        f"{ref['npv_system_cost_usd'] / BN:,.1f} bn USD in net present value and emits "
        f"{ref['cumulative_co2_mt']:,.0f} MtCO2 over the horizon."
    ]
    for name, r in runs.items():
        if name == base:
            continue
        s, p = r.summary, r.periods
        d = s["npv_system_cost_usd"] - ref["npv_system_cost_usd"]
        out.append(
            f"{name}: NPV {'saves' if d < 0 else 'costs'} {abs(d) / BN:,.2f} bn USD against {base} "
            f"({d / ref['npv_system_cost_usd']:+.2%}); CO2 over the horizon "
            f"{s['cumulative_co2_mt'] - ref['cumulative_co2_mt']:+,.0f} Mt; renewable share "
            f"{p['renewable_share'].iloc[0]:.1%} in {int(p['period'].iloc[0])} → {p['renewable_share'].iloc[-1]:.1%} "
            f"in {int(p['period'].iloc[-1])}."
        )
        fiscal = p.set_index("period")["subsidy_cost_usd"] / BN
        if fiscal.iloc[-1] < fiscal.iloc[0] - 1e-6:
            steps = ", ".join(f"{int(y)}: {v:,.2f}" for y, v in fiscal.items())
            out.append(f"{name}: the subsidies' fiscal cost by period, USD bn/yr — {steps}.")
    for name, g in builds.groupby("scenario", sort=False) if len(builds) else []:
        items = ", ".join(
            f"{lk} from {int(fp)} ({mw:,.0f} MW)"
            for lk, fp, mw in zip(g["link"], g["first_period"], g["built_mw"], strict=True)
        )
        out.append(f"{name} builds (first period, MW over the horizon): {items}.")
    without = [n for n in runs if n not in set(builds.get("scenario", pd.Series(dtype=str)))]
    if without:
        out.append(f"No interconnector is built in {', '.join(without)}.")
    return out


def write_pathway_comparison(runs: dict[str, PathwayRun], out_dir: Path, base: str, figures: bool = True) -> None:
    """Write the comparison tables, figures and report into ``out_dir`` (which already holds the runs)."""
    table = pathways_table(runs, base)
    periods = pathway_periods_table(runs, base)
    builds = interconnector_builds_table(runs)
    table.to_csv(out_dir / "pathways.csv", index=False, float_format="%.10g")
    periods.to_csv(out_dir / "pathway_periods.csv", index=False, float_format="%.10g")
    builds.to_csv(out_dir / "interconnector_builds.csv", index=False, float_format="%.10g")
    paths: list[Path] = []
    if figures:
        from grid_model.figures.pathway import draw_pathway_figures

        paths = draw_pathway_figures(runs, out_dir / "figures", base)
    text = report_markdown(runs, base, table, periods, builds, [p for p in paths if p.suffix == ".png"], out_dir)
    (out_dir / "report.md").write_text(text)
    (out_dir / "report.html").write_text(report_html(text, [p for p in paths if p.suffix == ".png"], out_dir))
    (out_dir / "compare.json").write_text(json.dumps({"scenarios": list(runs), "base": base, "kind": "pathway"}) + "\n")


def report_markdown(
    runs: dict[str, PathwayRun],
    base: str,
    table: pd.DataFrame,
    periods: pd.DataFrame,
    builds: pd.DataFrame,
    figures: list[Path],
    out_dir: Path,
) -> str:
    """report.md: the story, the tables, the figures."""
    bn = lambda x: f"{x / BN:,.2f}"  # noqa: E731
    pct = lambda x: f"{x:.1%}"  # noqa: E731
    lines = ["# Pathways compared", "", *[f"- {s}" for s in narrative(runs, base, builds)], ""]
    lines += ["## Pathway totals (NPV in USD bn)", ""]
    shown = table[["scenario", "foresight", "npv_system_cost_usd", "npv_delta_vs_base_usd", "npv_subsidy_cost_usd"]]
    shown = shown.assign(
        cumulative_co2_mt=table["cumulative_co2_mt"], interconnector_built_mw=table["interconnector_built_mw"]
    )
    lines += [md_table(shown, {"npv_system_cost_usd": bn, "npv_delta_vs_base_usd": bn, "npv_subsidy_cost_usd": bn}), ""]
    lines += ["## By period (annual figures)", ""]
    cols = ["scenario", "period", "system_cost_usd", "system_cost_delta_vs_base_usd", "renewable_share", "co2_mt"]
    cols += ["subsidy_cost_usd", "built_mw"]
    fmt = {"system_cost_usd": bn, "system_cost_delta_vs_base_usd": bn, "subsidy_cost_usd": bn, "renewable_share": pct}
    lines += [md_table(periods[cols], fmt), ""]
    if len(builds):
        lines += ["## Interconnector builds", "", md_table(builds), ""]
    for path in figures:
        lines += [f"![{path.stem}]({path.relative_to(out_dir).as_posix()})", ""]
    return "\n".join(lines)


def report_html(markdown: str, figures: list[Path], out_dir: Path) -> str:
    """report.html: the same report, self-contained (figures embedded)."""
    from grid_model.markdown import markdown_to_html
    from grid_model.report_html import data_uri, page

    body = markdown_to_html(markdown)
    for path in figures:
        rel = path.relative_to(out_dir).as_posix()
        body = body.replace(f'src="{rel}"', f'src="{data_uri(path)}"')
    return page("Pathways compared", body)


def _run_one(sc: Scenario, folder: str) -> float:
    """Solve one pathway into ``folder`` (runs in a worker process); its wall time."""
    from grid_model.pathway import run_pathway

    t0 = time.perf_counter()
    run_pathway(sc, Path(folder) / sc.name)
    return time.perf_counter() - t0


def run_pathway_compare(
    scenarios: list[Scenario],
    out_dir: Path,
    base: str | None = None,
    progress: Callable[[str], None] | None = None,
    figures: bool = True,
    workers: int | None = None,
) -> tuple[dict[str, PathwayRun], Path]:
    """Solve each pathway (in parallel on up to ``workers`` processes) and write the comparison; the folder appears
    whole or not at all."""
    say = progress or (lambda _m: None)
    names = [s.name for s in scenarios]
    base = base or ("base" if "base" in names else names[0])
    if base not in names:
        raise InputError(f"--base '{base}' is not one of the scenarios ({', '.join(names)})")
    workers = min(workers or min(2, os.cpu_count() or 1), len(scenarios))
    out_dir = Path(out_dir)
    with output_lock(out_dir), atomic_folder(out_dir) as tmp:
        t0 = time.perf_counter()
        walls: dict[str, float] = {}
        if workers > 1:
            say(f"solving {len(scenarios)} pathways on {workers} processes")
            ctx = multiprocessing.get_context("spawn")
            with cf.ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures = {pool.submit(_run_one, sc, str(tmp)): sc.name for sc in scenarios}
                for i, fut in enumerate(cf.as_completed(futures), 1):
                    walls[futures[fut]] = fut.result()
                    say(f"{i}/{len(scenarios)} pathways solved")
        else:
            for i, sc in enumerate(scenarios, 1):
                say(f"[{i}/{len(scenarios)}] {sc.name}")
                walls[sc.name] = _run_one(sc, str(tmp))
        say("writing comparison, figures and report")
        runs = {n: read_pathway(tmp / n) for n in names}
        write_pathway_comparison(runs, tmp, base, figures)
        timings = {"total_s": time.perf_counter() - t0, "processes": workers, "runs_s": walls}
        (tmp / "timings.json").write_text(json.dumps(timings, indent=2) + "\n")
    return runs, out_dir


def load_pathways(paths: list[Path]) -> list[Scenario] | None:
    """The scenarios if every one is a pathway, None if none is; a mix is an error."""
    scenarios = [load_scenario(p) for p in paths]
    kinds = {s.pathway is not None for s in scenarios}
    if kinds == {True}:
        return scenarios
    if kinds == {False}:
        return None
    raise InputError("compare pathways with pathways: some of these scenarios have a 'pathway' key and some do not")
