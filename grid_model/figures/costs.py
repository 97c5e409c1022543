"""Annual system cost by category per scenario, with the change against a base scenario."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from grid_model.figures.style import (
    _BN,
    COST_COLOURS,
    COST_LABELS,
    WIDTH_IN,
    _grid,
    _require,
    _save,
    _sig,
    _signed,
    _stem,
    _styled,
    _table,
)
from grid_model.results import Results
from grid_model.schema import NON_ECONOMIC_CATEGORIES

log = logging.getLogger(__name__)


def cost_breakdown(res: Results) -> pd.Series:
    """Annual cost by category (USD), from ``summary.json`` or else ``costs.csv``; without the categories that are
    not money (the tie-break costs)."""
    bd = res.summary.get("cost_breakdown_usd")
    if isinstance(bd, dict) and bd:
        out = pd.Series({str(k): float(v) for k, v in bd.items()}, dtype=float)
    else:
        costs = _table(res, "costs")
        if costs.empty:
            return pd.Series(dtype=float)
        out = costs.assign(category=costs["category"].astype(str)).groupby("category")["cost_usd"].sum().astype(float)
    return out.drop(list(NON_ECONOMIC_CATEGORIES), errors="ignore")


def _base_name(results: Mapping[str, Results], base: str) -> str:
    """``base`` if it is one of the scenarios, else the first scenario (with a warning)."""
    if base in results:
        return base
    first = next(iter(results))
    log.warning("base scenario '%s' not among %s; deltas are against '%s'", base, list(results), first)
    return first


def _draw_cost_bars(
    ax: Axes, names: list[str], breakdowns: dict[str, pd.Series], cats: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Costs stacked by category per scenario (USD bn), positive above zero and negative below; returns the
    tops of the positive and the bottoms of the negative stacks."""
    x = np.arange(len(names))
    pos_bottom = np.zeros(len(names))
    neg_bottom = np.zeros(len(names))
    for c in cats:
        v = np.array([breakdowns[n].get(c, 0.0) for n in names]) / _BN
        pos, neg = np.clip(v, 0, None), np.clip(v, None, 0)
        colour = COST_COLOURS.get(c, "#999999")
        label = COST_LABELS.get(c, c)
        hatch = "///" if c == "fuel_subsidy" else None
        if (pos > 0).any():
            ax.bar(x, pos, bottom=pos_bottom, width=0.6, color=colour, edgecolor="white", linewidth=0.4, label=label)
            pos_bottom += pos
        if (neg < 0).any():
            ax.bar(
                x,
                neg,
                bottom=neg_bottom,
                width=0.6,
                color=colour,
                edgecolor="white",
                linewidth=0.4,
                hatch=hatch,
                label=label if not (pos > 0).any() else None,
            )
            neg_bottom += neg
    return pos_bottom, neg_bottom


def _draw_dispatched_cost(ax: Axes, net: np.ndarray, neg_bottom: np.ndarray) -> None:
    """A bar across each subsidised scenario at the cost the dispatcher saw (net of the fuel subsidy)."""
    x = np.arange(len(net))
    subsidised = neg_bottom < 0
    if subsidised.any():
        ax.hlines(
            net[subsidised],
            x[subsidised] - 0.38,
            x[subsidised] + 0.38,
            color="black",
            lw=2.0,
            zorder=4,
            label="cost as dispatched\n(net of fuel subsidy)",
        )


def _annotate_system_cost(
    ax: Axes, names: list[str], system: dict[str, float], base: str, pos_bottom: np.ndarray
) -> None:
    """Above each bar: the economic system cost (USD bn/yr) and its change against ``base``."""
    x = np.arange(len(names))
    for i, n in enumerate(names):
        s = system[n] / _BN
        if n == base:
            text = f"{_sig(s)}\n(base)"
        else:
            d = (system[n] - system[base]) / _BN
            pct = 100.0 * (system[n] - system[base]) / system[base] if system[base] else float("nan")
            text = f"{_sig(s)}\nΔ {_signed(d, _sig(abs(d)))} ({_signed(pct, f'{abs(pct):.1f}')}%)"
        ax.annotate(
            text,
            (x[i], max(s, pos_bottom[i])),
            xytext=(0, 4),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=8,
        )


def _fiscal_tick_labels(results: Mapping[str, Results]) -> list[str]:
    """Scenario names, each with the fiscal cost of its subsidies (USD bn/yr) when the summary has it."""
    ticks = []
    for n, r in results.items():
        fiscal = r.summary.get("subsidy_cost_usd")
        ticks.append(n if fiscal is None else f"{n}\n({_sig(float(fiscal) / _BN)})")
    return ticks


@_styled
def fig_cost_breakdown(results_by_scenario: Mapping[str, Results], out: Path, base: str = "base") -> list[Path]:
    """Annual cost by category per scenario (stacked, USD bn/yr), fuel subsidy below zero.

    Each bar is annotated with the economic system cost (at unsubsidised prices: the positive stack) and its
    difference from the base scenario; a bar marks the cost the dispatcher saw (net of the fuel subsidy), and
    each tick label carries the fiscal cost of all subsidies (fuel and electricity).
    """
    _require(results_by_scenario)
    base = _base_name(results_by_scenario, base)
    names = list(results_by_scenario)
    breakdowns = {n: cost_breakdown(r) for n, r in results_by_scenario.items()}
    present = {c for b in breakdowns.values() for c, v in b.items() if abs(v) > 0}
    cats = [c for c in COST_COLOURS if c in present] + sorted(present - set(COST_COLOURS))
    system = {}
    for n, r in results_by_scenario.items():
        b = breakdowns[n]
        system[n] = float(r.summary.get("system_cost_usd", b[b > 0].sum()))

    fig = Figure(figsize=(WIDTH_IN, 4.8), layout="constrained")
    ax = fig.add_subplot()
    pos_bottom, neg_bottom = _draw_cost_bars(ax, names, breakdowns, cats)
    _draw_dispatched_cost(ax, np.array([breakdowns[n].sum() for n in names]) / _BN, neg_bottom)
    ax.axhline(0.0, color="0.2", lw=0.8)
    _annotate_system_cost(ax, names, system, base, pos_bottom)
    top = max(float(pos_bottom.max()), max(system.values()) / _BN, 0.0)
    ax.set_ylim(min(0.0, float(neg_bottom.min())) * 1.15, top * 1.22 if top > 0 else 1.0)
    ax.set_xticks(np.arange(len(names)), _fiscal_tick_labels(results_by_scenario))
    ax.set_xlabel("Scenario (fiscal cost of fuel and electricity subsidies, USD bn per year)")
    ax.set_ylabel("Annual cost (USD bn per year)")
    ax.set_title(
        f"Annual system cost by category\nabove bars: economic system cost (USD bn/yr) and change vs {base}", fontsize=9
    )
    _grid(ax)
    fig.legend(loc="outside right upper")
    return _save(fig, _stem(out, "cost_breakdown"))
