"""Pathway figures: capacity by technology over the periods, the renewable share trajectory of each scenario, the
net present value of each pathway against the base, and when each interconnector is built.

Each takes the pathway tables by scenario (``grid_model.pathway_compare.PathwayRun``: periods.csv, builds.csv,
capacity.csv and summary.json of a pathway results folder).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Protocol

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from grid_model.figures.style import (
    WIDTH_IN,
    _colour,
    _grid,
    _ordered_categories,
    _panel_grid,
    _save,
    _scenario_styles,
    _stem,
    _styled,
)

GW_PER_MW = 1e-3
BN = 1e9


class PathwayTables(Protocol):
    summary: dict
    periods: pd.DataFrame
    builds: pd.DataFrame
    capacity: pd.DataFrame


def capacity_by_category(run: PathwayTables) -> pd.DataFrame:
    """GW in service by period (rows) and category (columns): existing after retirements plus new in service."""
    cap = run.capacity.assign(total_mw=run.capacity["existing_mw"] + run.capacity["new_mw"])
    table = cap.pivot_table(index="period", columns="category", values="total_mw", aggfunc="sum", fill_value=0.0)
    return table[_ordered_categories(table.columns)] * GW_PER_MW


@_styled
def fig_pathway_capacity(runs: Mapping[str, PathwayTables], out: Path | str) -> list[Path]:
    """Stacked capacity in service by technology category in each period, one panel per scenario."""
    rows, cols = _panel_grid(len(runs), max_cols=2)
    fig = Figure(figsize=(WIDTH_IN, 2.9 * rows))
    axes = np.atleast_1d(fig.subplots(rows, cols, sharey=True, squeeze=False)).ravel()
    seen: dict[str, object] = {}
    for ax, (name, run) in zip(axes, runs.items(), strict=False):
        table = capacity_by_category(run)
        x = np.arange(len(table))
        bottom = np.zeros(len(table))
        for cat in table.columns:
            bars = ax.bar(x, table[cat], bottom=bottom, color=_colour(cat), width=0.7, label=cat)
            bottom += table[cat].to_numpy()
            seen.setdefault(cat, bars)
        ax.set_xticks(x, [str(p) for p in table.index])
        ax.set_title(name)
        ax.set_ylabel("GW in service")
        _grid(ax)
    for ax in axes[len(runs) :]:
        ax.set_visible(False)
    ncol = min(len(seen), 8)
    legend_rows = -(-len(seen) // ncol)
    fig.legend(list(seen.values()), list(seen), loc="lower center", ncol=ncol, frameon=False)
    fig.suptitle("Capacity in service by period (existing after retirements + new)")
    fig.tight_layout(rect=(0, (0.12 + 0.25 * legend_rows) / (2.9 * rows), 1, 1))
    return _save(fig, _stem(out, "pathway_capacity"))


@_styled
def fig_pathway_renewable_share(runs: Mapping[str, PathwayTables], out: Path | str) -> list[Path]:
    """Renewable share of generation in each period, one line per scenario."""
    fig = Figure(figsize=(WIDTH_IN, 3.6))
    ax = fig.subplots()
    styles = _scenario_styles(runs)
    for name, run in runs.items():
        colour, dash = styles[name]
        p = run.periods
        ax.plot(p["period"], 100 * p["renewable_share"], marker="o", color=colour, linestyle=dash, label=name)
    ax.set_ylabel("renewable share of generation (%)")
    ax.set_xlabel("period")
    ax.legend(frameon=False)
    _grid(ax)
    fig.suptitle("Renewable share by period")
    fig.tight_layout()
    return _save(fig, _stem(out, "pathway_renewable_share"))


@_styled
def fig_pathway_npv(runs: Mapping[str, PathwayTables], out: Path | str, base: str) -> list[Path]:
    """Net present value of the system cost of each pathway minus the base's, and of the subsidies' fiscal cost."""
    names = list(runs)
    ref = runs[base].summary
    delta = [(runs[n].summary["npv_system_cost_usd"] - ref["npv_system_cost_usd"]) / BN for n in names]
    fiscal = [runs[n].summary["npv_subsidy_cost_usd"] / BN for n in names]
    fig = Figure(figsize=(WIDTH_IN, 3.6))
    ax1, ax2 = fig.subplots(1, 2)
    ax1.bar(names, delta, color=["#4477AA" if d <= 0 else "#EE6677" for d in delta])
    ax1.axhline(0, color="black", linewidth=0.8)
    ax1.set_ylabel(f"USD bn ({ref['base_year']} USD)")
    ax1.set_title(f"NPV of system cost − {base}")
    ax2.bar(names, fiscal, color="#CCBB44")
    ax2.set_title("NPV of the subsidies' fiscal cost")
    for ax in (ax1, ax2):
        ax.tick_params(axis="x", rotation=30)
        _grid(ax)
    fig.tight_layout()
    return _save(fig, _stem(out, "pathway_npv"))


@_styled
def fig_pathway_links(runs: Mapping[str, PathwayTables], out: Path | str) -> list[Path]:
    """When each interconnector is built in each scenario: a marker at the period, its area the MW built."""
    builds = pd.concat(
        [r.builds[r.builds["kind"] == "link"].assign(scenario=n) for n, r in runs.items()], ignore_index=True
    )
    periods = sorted({int(p) for r in runs.values() for p in r.periods["period"]})
    links = sorted(builds["asset"].unique()) if len(builds) else []
    fig = Figure(figsize=(WIDTH_IN, 1.2 + 0.35 * max(len(links), 1) * max(len(runs), 1) ** 0.5))
    ax = fig.subplots()
    styles = _scenario_styles(runs)
    offsets = np.linspace(-0.25, 0.25, len(runs)) if len(runs) > 1 else [0.0]
    for off, name in zip(offsets, runs, strict=True):
        b = builds[builds["scenario"] == name]
        y = [links.index(a) + off for a in b["asset"]]
        ax.scatter(b["period"], y, s=b["built_mw"] / 3, color=styles[name][0], label=name, alpha=0.85)
    ax.set_yticks(range(len(links)), links)
    ax.set_xticks(periods, [str(p) for p in periods])
    ax.set_xlim(periods[0] - 1, periods[-1] + 1)
    ax.set_ylim(-0.7, max(len(links), 1) - 0.3)
    if not links:
        ax.text(0.5, 0.5, "no interconnector is built", transform=ax.transAxes, ha="center", va="center")
    else:
        ax.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0), markerscale=0.5)
    _grid(ax, axis="x")
    fig.suptitle("Interconnector builds by period (marker area ∝ MW)")
    fig.tight_layout()
    return _save(fig, _stem(out, "pathway_links"))


def draw_pathway_figures(runs: Mapping[str, PathwayTables], out_dir: Path, base: str) -> list[Path]:
    """Every pathway figure into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = fig_pathway_capacity(runs, out_dir / "pathway_capacity")
    paths += fig_pathway_renewable_share(runs, out_dir / "pathway_renewable_share")
    paths += fig_pathway_npv(runs, out_dir / "pathway_npv", base)
    paths += fig_pathway_links(runs, out_dir / "pathway_links")
    return paths
