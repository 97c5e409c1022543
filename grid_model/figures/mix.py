"""What is generated and built: generation mix, renewable share and capacity additions per scenario."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from grid_model.figures.style import (
    WIDTH_IN,
    _colour,
    _grid,
    _mw,
    _ordered_categories,
    _panel_grid,
    _require,
    _save,
    _scenario_styles,
    _stem,
    _styled,
    _table,
    _zone_order,
)
from grid_model.results import Results

_TRUE = frozenset({"true", "1", "1.0", "yes"})

# ---------------------------------------------------------------------------------------------
# Generation mix


def _generation_by_zone(res: Results, zones: list[str]) -> pd.DataFrame:
    """Annual generation (TWh) of one scenario, zones (in the order given) by category."""
    gen = _table(res, "generation")
    if gen.empty:
        return pd.DataFrame(index=zones)
    return (
        gen.assign(zone=gen["zone"].astype(str))
        .pivot_table(index="zone", columns="category", values="generation_twh", aggfunc="sum")
        .reindex(index=zones)
        .fillna(0.0)
    )


def _draw_mix_panel(ax: Axes, res: Results, zones: list[str], cats: list[str], rotate: bool) -> set[str]:
    """One scenario's stacked generation by zone, with demand marked; returns the categories drawn."""
    table = _generation_by_zone(res, zones)
    x = np.arange(len(zones))
    bottom = np.zeros(len(zones))
    used: set[str] = set()
    for c in cats:
        if c not in table or not (table[c].abs() > 1e-9).any():
            continue
        v = table[c].to_numpy(dtype=float)
        ax.bar(x, v, bottom=bottom, width=0.75, color=_colour(c), edgecolor="white", linewidth=0.3, label=c)
        bottom += v
        used.add(c)
    prices = _table(res, "prices")
    if "demand_twh" in prices:
        d = prices.assign(zone=prices["zone"].astype(str)).set_index("zone")["demand_twh"].reindex(zones)
        ax.scatter(x, d, marker="_", s=220, color="black", linewidths=1.6, zorder=3, label="demand")
    ax.set_xticks(x, zones, rotation=90 if rotate else 0)
    ax.set_xlabel("Zone")
    _grid(ax)
    return used


@_styled
def fig_generation_mix(results_by_scenario: Mapping[str, Results], out: Path) -> list[Path]:
    """Annual generation by category and zone (stacked bars, TWh), one panel per scenario, demand marked."""
    _require(results_by_scenario)
    zones = _zone_order(results_by_scenario)
    cats = _ordered_categories(
        c
        for r in results_by_scenario.values()
        for c in _table(r, "generation").get("category", pd.Series(dtype=str)).astype(str)
    )
    nrows, ncols = _panel_grid(len(results_by_scenario), max(1, min(4, 24 // max(len(zones), 1))))
    fig = Figure(figsize=(WIDTH_IN, 1.2 + 3.3 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
    used: set[str] = set()
    for ax, (name, res) in zip(axes.flat, results_by_scenario.items(), strict=False):
        used |= _draw_mix_panel(ax, res, zones, cats, rotate=len(zones) * ncols > 24)
        ax.set_title(name)
    for ax in axes[:, 0]:
        ax.set_ylabel("Generation (TWh per year)")
    for ax in list(axes.flat)[len(results_by_scenario) :]:
        ax.set_visible(False)
    handles: list[Patch | Line2D] = [Patch(facecolor=_colour(c), label=c) for c in cats if c in used]
    handles.append(Line2D([], [], ls="", marker="_", markersize=12, markeredgewidth=1.6, color="black", label="demand"))
    fig.legend(handles=handles, loc="outside right upper", title="Category")
    fig.suptitle("Generation mix by zone and scenario")
    return _save(fig, _stem(out, "generation_mix"))


# ---------------------------------------------------------------------------------------------
# Renewable share


def renewable_flags(gen: pd.DataFrame) -> pd.Series:
    """The ``renewable`` column of a generation table as booleans: each technology's own flag from
    technologies.csv, which the results carry (text such as ``"True"``/``"false"`` is read as such).

    Raises :class:`ValueError` when the table has no such column (results written before it existed).
    """
    if "renewable" not in gen:
        raise ValueError(
            "generation table has no 'renewable' column (results written by an older grid_model?); "
            "re-run the scenario to count renewables by each technology's flag"
        )
    flags = gen["renewable"]
    if flags.dtype == bool:
        return flags
    return flags.map(lambda v: bool(v) if isinstance(v, bool | np.bool_) else str(v).strip().lower() in _TRUE).astype(
        bool
    )


def renewable_share(res: Results) -> pd.Series:
    """Renewable share of generation (0–1) per zone plus ``"All"``, from ``generation.csv``.

    Renewable = the technology's own ``renewable`` flag carried by the table (:func:`renewable_flags`), as in
    ``summary.json``'s ``renewable_share``. Zones with no generation are left out.
    """
    gen = _table(res, "generation")
    if gen.empty:
        return pd.Series(dtype=float)
    gen = gen.assign(zone=gen["zone"].astype(str), ren=renewable_flags(gen).to_numpy(dtype=bool))
    total = gen.groupby("zone", sort=False)["generation_twh"].sum()
    ren = gen[gen["ren"]].groupby("zone", sort=False)["generation_twh"].sum().reindex(total.index).fillna(0.0)
    share = (ren / total)[total > 0]
    all_total = float(total.sum())
    share["All"] = float(ren.sum()) / all_total if all_total > 0 else np.nan
    return share.astype(float)


@_styled
def fig_renewable_share(results_by_scenario: Mapping[str, Results], out: Path) -> list[Path]:
    """Renewable share of generation per zone and for all zones together (grouped bars, %, one per scenario)."""
    _require(results_by_scenario)
    shares = {n: renewable_share(r) for n, r in results_by_scenario.items()}
    zones = [z for z in _zone_order(results_by_scenario) if any(z in s.index for s in shares.values())]
    zones.append("All")
    styles = _scenario_styles(shares)
    n = len(shares)
    fig = Figure(figsize=(WIDTH_IN, 4.5), layout="constrained")
    ax = fig.add_subplot()
    x = np.arange(len(zones), dtype=float)
    x[-1] += 0.5  # set the system total apart
    width = 0.8 / n
    show_values = n * len(zones) <= 30
    for i, (name, s) in enumerate(shares.items()):
        v = 100.0 * s.reindex(zones).to_numpy(dtype=float)
        bars = ax.bar(
            x - 0.4 + width * (i + 0.5),
            v,
            width=width,
            color=styles[name][0],
            edgecolor="white",
            linewidth=0.4,
            label=name,
        )
        if show_values:
            ax.bar_label(bars, labels=["" if np.isnan(b) else f"{b:.0f}" for b in v], fontsize=7, padding=1)
    ax.axvline((x[-2] + x[-1]) / 2 if len(x) > 1 else -0.5, color="0.6", lw=0.8, ls=":")
    ax.set_xticks(x, [*zones[:-1], "All zones"])
    ax.set_xlabel("Zone")
    ax.set_ylabel("Renewable share of generation (%)")
    ax.set_ylim(0, 108)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    ax.set_title("Renewable share (technologies flagged renewable in technologies.csv)")
    _grid(ax)
    fig.legend(loc="outside right upper", title="Scenario")
    return _save(fig, _stem(out, "renewable_share"))


# ---------------------------------------------------------------------------------------------
# Capacity additions


def _new_capacity(results: Mapping[str, Results]) -> dict[str, pd.Series]:
    """New generation and storage capacity (MW) per scenario, by category."""
    new = {}
    for n, r in results.items():
        cap = _table(r, "capacity")
        new[n] = (
            cap.assign(category=cap["category"].astype(str)).groupby("category")["new_mw"].sum()
            if len(cap)
            else pd.Series(dtype=float)
        )
    return new


def _new_link_capacity(results: Mapping[str, Results]) -> tuple[dict[str, pd.Series], list[str]]:
    """New interconnector capacity (MW) per scenario by link, and the links built in at least one scenario."""
    link_new = {}
    for n, r in results.items():
        lk = _table(r, "links")
        link_new[n] = (
            lk.assign(link=lk["link"].astype(str)).set_index("link")["new_mw"].astype(float)
            if len(lk)
            else pd.Series(dtype=float)
        )
    links = [
        lk
        for lk in dict.fromkeys(i for s in link_new.values() for i in s.index)
        if any(s.get(lk, 0.0) > 0.5 for s in link_new.values())
    ]
    return link_new, links


def _draw_generation_additions(ax: Axes, names: list[str], new: dict[str, pd.Series], cats: list[str]) -> None:
    """Stacked new capacity by category per scenario, each bar topped by its total (MW)."""
    x = np.arange(len(names))
    bottom = np.zeros(len(names))
    for c in cats:
        v = np.array([new[n].get(c, 0.0) for n in names], dtype=float)
        ax.bar(x, v, bottom=bottom, width=0.6, color=_colour(c), edgecolor="white", linewidth=0.4, label=c)
        bottom += v
    for i, total in enumerate(bottom):
        ax.annotate(
            f"{total:,.0f}",
            (x[i], total),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_ylim(0, max(float(bottom.max()), 1.0) * 1.12)
    ax.set_xticks(x, names, rotation=30 if len(names) > 4 else 0, ha="right" if len(names) > 4 else "center")
    ax.set_ylabel("New capacity (MW)")
    ax.yaxis.set_major_formatter(FuncFormatter(_mw))
    ax.set_title("Generation and storage")
    _grid(ax)
    if cats:
        ax.legend(
            title="Category",
            loc="upper left",
            bbox_to_anchor=(0.0, -0.18 if len(names) > 4 else -0.08),
            ncols=min(len(cats), 4),
        )


def _draw_link_additions(axl: Axes, names: list[str], link_new: dict[str, pd.Series], links: list[str]) -> None:
    """New capacity per link (grouped horizontal bars, one per scenario), or a note when nothing is built."""
    styles = _scenario_styles(names)
    if links:
        y = np.arange(len(links))
        h = 0.8 / len(names)
        for i, n in enumerate(names):
            v = np.array([link_new[n].get(lk, 0.0) for lk in links], dtype=float)
            bars = axl.barh(
                y - 0.4 + h * (i + 0.5), v, height=h, color=styles[n][0], edgecolor="white", linewidth=0.4, label=n
            )
            if len(links) * len(names) <= 24:
                axl.bar_label(bars, labels=[f"{b:,.0f}" if b > 0.5 else "" for b in v], fontsize=7, padding=2)
        axl.set_yticks(y, links)
        axl.invert_yaxis()
        axl.set_xlim(0, axl.get_xlim()[1] * 1.12)
        axl.xaxis.set_major_formatter(FuncFormatter(_mw))
        axl.legend(title="Scenario", loc="upper left", bbox_to_anchor=(0.0, -0.12), ncols=2)
        _grid(axl, "x")
    else:
        axl.text(
            0.5,
            0.5,
            "No new interconnector capacity\nin any scenario",
            transform=axl.transAxes,
            ha="center",
            va="center",
        )
        axl.set_yticks([])
    axl.set_xlabel("New interconnector capacity (MW)")
    axl.set_ylabel("Link")
    axl.set_title("Interconnectors")


@_styled
def fig_capacity_additions(results_by_scenario: Mapping[str, Results], out: Path) -> list[Path]:
    """New capacity per scenario: generation and storage by category (stacked, MW) and, beside it, new
    interconnector capacity per link (grouped bars, MW)."""
    _require(results_by_scenario)
    names = list(results_by_scenario)
    new = _new_capacity(results_by_scenario)
    cats = _ordered_categories(c for s in new.values() for c, v in s.items() if v > 0.5)
    link_new, links = _new_link_capacity(results_by_scenario)
    fig = Figure(figsize=(WIDTH_IN, 4.8), layout="constrained")
    ax, axl = fig.subplots(1, 2, width_ratios=[1.35, 1.0])
    _draw_generation_additions(ax, names, new, cats)
    _draw_link_additions(axl, names, link_new, links)
    fig.suptitle("Capacity built by scenario")
    return _save(fig, _stem(out, "capacity_additions"))
