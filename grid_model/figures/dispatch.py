"""Hour-by-hour views: price duration curves, the dispatch stack of one zone and its net imports."""

from __future__ import annotations

import logging
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
    HATCHED,
    WIDTH_IN,
    _colour,
    _grid,
    _hourly,
    _label,
    _mw,
    _ordered_categories,
    _panel_grid,
    _require,
    _safe_name,
    _save,
    _scenario_styles,
    _stem,
    _styled,
    _table,
    _zone_order,
)
from grid_model.results import Results

log = logging.getLogger(__name__)

_Band = tuple[str, np.ndarray, str, str | None]
"""One band of a dispatch stack: label, values (MW per step), colour, hatch."""

# ---------------------------------------------------------------------------------------------
# Price duration curves


def _weights(frame: pd.DataFrame) -> np.ndarray:
    """Hours of the year each timestep stands for (``weight_h``; 1 h each if absent), times its hydrology's
    ``probability`` in a run planned under several hydrologies, so curves are expected over the year."""
    if "weight_h" in frame:
        w = frame["weight_h"].to_numpy(dtype=float)
        return w * frame["probability"].to_numpy(dtype=float) if "probability" in frame else w
    log.warning("hourly frame has no weight_h column; each step counted as 1 h")
    return np.ones(len(frame))


def price_duration(prices: pd.DataFrame, zone: str) -> tuple[np.ndarray, np.ndarray]:
    """Price duration curve of one zone: (hour edges, length n + 1, from 0 to Σ weight_h; prices, descending)."""
    p = prices[zone].to_numpy(dtype=float)
    w = _weights(prices)
    order = np.argsort(-p, kind="stable")
    return np.concatenate([[0.0], np.cumsum(w[order])]), p[order]


def _draw_price_panel(
    ax: Axes, zone: str, frames: dict[str, pd.DataFrame], styles: dict[str, tuple[str, str]]
) -> float:
    """One zone's price duration curves, one line per scenario; returns the longest horizon (h).

    The panel starts at zero (so zones and scenarios compare by eye) and, when rare scarcity spikes dwarf the
    bulk of prices, is cut above the bulk with the peak written in it.
    """
    horizon = 0.0
    bulk, peak, low = 0.0, -np.inf, np.inf
    for name, f in frames.items():
        if zone not in f:
            continue
        edges, p = price_duration(f, zone)
        horizon = max(horizon, float(edges[-1]))
        colour, ls = styles[name]
        ax.stairs(p, edges, baseline=None, color=colour, ls=ls, lw=1.4, label=name)
        # the price exceeded for 2 % of the year
        k = int(np.searchsorted(edges[1:], 0.02 * edges[-1]))
        bulk = max(bulk, float(p[min(k, len(p) - 1)]))
        peak = max(peak, float(p.max()))
        low = min(low, float(p.min()))
    if np.isfinite(low):
        ax.set_ylim(bottom=min(0.0, 1.05 * low))  # from zero, so zones and scenarios compare by eye
    if peak > 300 and peak > 3 * bulk:
        ax.set_ylim(top=1.3 * max(bulk, 1.0))
        ax.text(
            0.98,
            0.95,
            f"peak {peak:,.0f} USD/MWh (off scale)",
            transform=ax.transAxes,
            ha="right",
            va="top",
            fontsize=7,
        )
    ax.set_title(zone)
    _grid(ax, "both")
    return horizon


def _frame_price_panels(axes: np.ndarray, n_panels: int, ncols: int, horizon: float) -> None:
    """Axis labels on the outer panels, a shared hour axis, and the unused panels hidden."""
    for ax in axes[:, 0]:
        ax.set_ylabel("Price (USD/MWh)")
    visible = list(axes.flat)[:n_panels]
    for ax in visible[-ncols:]:
        ax.set_xlabel("Hours of the year (h)")
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in list(axes.flat)[n_panels:]:
        ax.set_visible(False)
    for ax in visible:
        ax.set_xlim(0, horizon)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(_mw))


@_styled
def fig_price_duration(
    results_by_scenario: Mapping[str, Results], out: Path, zones: list[str] | None = None
) -> list[Path]:
    """Price duration curves (USD/MWh against hours of the year, steps weighted by ``weight_h``), one panel
    per zone and one line per scenario. A panel with rare scarcity spikes is cut above the bulk of prices and
    the peak is written in the panel.
    """
    _require(results_by_scenario)
    frames = {n: _hourly(r, "price_usd_per_mwh") for n, r in results_by_scenario.items()}
    frames = {n: f for n, f in frames.items() if not f.empty}
    if not frames:
        raise ValueError("no scenario has hourly prices (hourly/price_usd_per_mwh)")
    available = [z for z in _zone_order(results_by_scenario) if any(z in f for f in frames.values())]
    zones = available if zones is None else [z for z in zones if z in available]
    if not zones:
        raise ValueError("none of the requested zones has hourly prices")
    styles = _scenario_styles(results_by_scenario)
    nrows, ncols = _panel_grid(len(zones), 4 if len(zones) > 9 else 3)
    fig = Figure(figsize=(WIDTH_IN, 1.0 + 2.4 * nrows if nrows > 1 else 4.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False)
    horizon = 0.0
    for ax, zone in zip(axes.flat, zones, strict=False):
        horizon = max(horizon, _draw_price_panel(ax, zone, frames, styles))
    _frame_price_panels(axes, len(zones), ncols, horizon)
    handles = [Line2D([], [], color=styles[n][0], ls=styles[n][1], lw=1.4, label=n) for n in frames]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6))
    fig.suptitle("Price duration curves by zone")
    return _save(fig, _stem(out, "price_duration"))


# ---------------------------------------------------------------------------------------------
# Dispatch stack


def net_imports(res: Results, zone: str) -> pd.Series:
    """Net imports into ``zone`` per timestep (MW, after losses on the receiving end: what the balance sees)."""
    links = _table(res, "links")
    fwd, bwd, net = (_hourly(res, n) for n in ("link_flow_forward_mw", "link_flow_backward_mw", "link_flow_mw"))
    index = next((f.index for f in (net, fwd, _hourly(res, "demand_mw")) if not f.empty), pd.RangeIndex(0))
    imports = pd.Series(0.0, index=index)
    for row in links.itertuples(index=False):
        a, b, lk = str(row.zone_from), str(row.zone_to), row.link
        if zone not in (a, b):
            continue
        keep = 1.0 - float(getattr(row, "loss_pu", 0.0) or 0.0)
        if lk in fwd and lk in bwd:
            f, g = fwd[lk].astype(float), bwd[lk].astype(float)
        elif lk in net:
            f, g = net[lk].clip(lower=0.0), (-net[lk]).clip(lower=0.0)
        else:
            log.warning("link %s has no hourly flows; left out of the imports of %s", lk, zone)
            continue
        imports += keep * f - g if b == zone else keep * g - f
    return imports


def _dispatch_units(res: Results, disp: pd.DataFrame) -> pd.DataFrame:
    """``units.csv`` indexed by unit; warns about dispatch columns it does not list (they are left out)."""
    units = _table(res, "units")
    if units.empty:
        raise ValueError("results have no units table (units.csv: unit, kind, zone, technology, category)")
    units = units.assign(unit=units["unit"].astype(str), zone=units["zone"].astype(str)).set_index("unit")
    series_cols = {"weight_h", "duration_h", "hydrology", "probability"}
    unknown = [
        c for c in disp.columns if c not in series_cols and not str(c).startswith("unserved:") and c not in units.index
    ]
    if unknown:
        log.warning("dispatch columns not in units.csv are left out: %s", ", ".join(map(str, unknown)))
    return units


def dispatch_by_category(res: Results, zone: str) -> pd.DataFrame:
    """Signed hourly balance terms of ``zone`` (MW): one column per generation category (storage discharge
    under its category), ``storage charging`` (≤ 0), ``net imports`` (after losses) and ``unserved``.

    The columns sum to the zone's demand in every timestep. Units map to zones and categories through
    ``units.csv``; a dispatch column that is not listed there is left out with a warning.
    """
    disp = _hourly(res, "dispatch_mw")
    if disp.empty:
        raise ValueError("results have no hourly dispatch (hourly/dispatch_mw)")
    units = _dispatch_units(res, disp)
    charge, discharge = _hourly(res, "storage_charge_mw"), _hourly(res, "storage_discharge_mw")
    out: dict[str, pd.Series] = {}
    charging = pd.Series(0.0, index=disp.index)
    for unit, row in units[units["zone"] == zone].iterrows():
        if unit not in disp:
            continue
        cat = str(row["category"])
        if row["kind"] == "storage":
            if unit in charge and unit in discharge:
                d, c = discharge[unit].astype(float), charge[unit].astype(float)
            else:
                d, c = disp[unit].clip(lower=0.0), (-disp[unit]).clip(lower=0.0)
            out[cat] = out.get(cat, 0.0) + d
            charging -= c
        else:
            out[cat] = out.get(cat, 0.0) + disp[unit].astype(float)
    frame = pd.DataFrame({c: out[c] for c in _ordered_categories(out)}, index=disp.index)
    frame["storage charging"] = charging
    frame["net imports"] = net_imports(res, zone).reindex(disp.index).fillna(0.0)
    col = f"unserved:{zone}"
    frame["unserved"] = disp[col].astype(float) if col in disp else 0.0
    return frame


def _fill(
    ax: Axes, edges: np.ndarray, lower: np.ndarray, upper: np.ndarray, colour: str, label: str, hatch: str | None
) -> None:
    """A step-wise band between two series (each value held over its step)."""
    ax.fill_between(
        edges,
        np.append(lower, lower[-1]),
        np.append(upper, upper[-1]),
        step="post",
        facecolor=colour,
        edgecolor="0.35",
        linewidth=0.0,
        label=label,
        hatch=hatch,
    )


def _stack_bands(window: pd.DataFrame) -> tuple[list[_Band], list[_Band]]:
    """The bands above zero (generation, storage discharge, net imports, unserved) and below zero (storage
    charging, net exports), bottom to top and top to bottom respectively."""
    pos: list[_Band] = []
    neg: list[_Band] = []
    for col in window.columns:
        v = window[col].to_numpy(dtype=float)
        if col == "storage charging":
            neg.append(("storage charging", np.clip(v, None, 0.0), _colour("storage"), None))
        elif col == "net imports":
            pos.append(("net imports", np.clip(v, 0.0, None), _colour("imports"), HATCHED["imports"]))
            neg.append(("net exports", np.clip(v, None, 0.0), _colour("imports"), HATCHED["net exports"]))
        elif col == "unserved":
            pos.append(("unserved", np.clip(v, 0.0, None), _colour("unserved"), HATCHED["unserved"]))
        else:
            lab = "storage discharge" if col == "storage" else col
            pos.append((lab, np.clip(v, 0.0, None), _colour(col), None))
    return pos, neg


def _draw_stack(ax: Axes, edges: np.ndarray, bands: list[_Band], tol: float) -> list[Patch]:
    """Stack the bands from zero outwards, skipping those that stay within ``tol``; returns legend patches."""
    drawn: list[Patch] = []
    base = np.zeros(len(edges) - 1)
    for lab, v, colour, hatch in bands:
        if np.abs(v).max(initial=0.0) <= tol:
            continue
        _fill(ax, edges, base, base + v, colour, lab, hatch)
        drawn.append(Patch(facecolor=colour, edgecolor="0.35", linewidth=0.0, hatch=hatch, label=lab))
        base = base + v
    return drawn


def _zone_title(res: Results, zone: str) -> str:
    """`` (full name)`` of a zone from the zones table, or nothing when it has none."""
    zones = _table(res, "zones")
    if "name" not in zones:
        return ""
    match = zones.loc[zones["zone"].astype(str) == zone, "name"]
    return f" ({match.iloc[0]})" if len(match) and str(match.iloc[0]) else ""


def _dispatch_window(
    res: Results, zone: str, name: str, start_step: int, n_steps: int
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, int]:
    """The balance terms of ``zone`` over the window, the step edges (h from its start), demand, and the step
    after the window."""
    demand_frame = _hourly(res, "demand_mw")
    if zone not in demand_frame:
        raise ValueError(f"{name}: zone '{zone}' has no demand in the results (hourly/demand_mw)")
    terms = dispatch_by_category(res, zone)
    stop = min(start_step + n_steps, len(terms))
    if start_step < 0 or start_step >= stop:
        raise ValueError(f"window start {start_step} is outside the {len(terms)} timesteps")
    steps = demand_frame.iloc[start_step:stop]
    dur = (steps["duration_h"] if "duration_h" in steps else pd.Series(_weights(steps))).to_numpy(dtype=float)
    edges = np.concatenate([[0.0], np.cumsum(dur)])
    return terms.iloc[start_step:stop], edges, steps[zone].to_numpy(dtype=float), stop


@_styled
def fig_dispatch_stack(
    res: Results, zone: str, out: Path, start_step: int = 0, n_steps: int = 168, label: str | None = None
) -> list[Path]:
    """Stacked dispatch of one zone over a window of timesteps (MW), with demand as a line.

    Above zero: generation by category, storage discharge, net imports, unserved energy; below zero:
    storage charging and net exports. The x axis is elapsed time from the window start, each step held for its
    ``duration_h`` (its chronological length). The top of the positive stack exceeds demand by exactly what
    goes below zero.
    """
    name = _label(res, label)
    window, edges, demand, stop = _dispatch_window(res, zone, name, start_step, n_steps)
    tol = 1e-6 * max(1.0, float(np.abs(demand).max()))
    pos, neg = _stack_bands(window)
    fig = Figure(figsize=(WIDTH_IN, 4.5), layout="constrained")
    ax = fig.add_subplot()
    above, below = _draw_stack(ax, edges, pos, tol), _draw_stack(ax, edges, neg, tol)
    ax.stairs(demand, edges, baseline=None, color="black", lw=1.6, label="demand")
    ax.axhline(0.0, color="0.2", lw=0.8)
    ax.set_xlim(0, edges[-1])
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.4, 5, 6, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(_mw))
    ax.yaxis.set_major_formatter(FuncFormatter(_mw))
    ax.set_xlabel(f"Time from timestep {start_step} (h)")
    ax.set_ylabel("Power (MW)")
    ax.set_title(f"Dispatch in {zone}{_zone_title(res, zone)}, {name}: timesteps {start_step}–{stop - 1}")
    _grid(ax)
    # legend from top to bottom, as stacked: positive terms (last drawn first), demand, then those below zero
    handles: list[Patch | Line2D] = [*above[::-1], Line2D([], [], color="black", lw=1.6, label="demand"), *below]
    fig.legend(handles=handles, loc="outside right upper")
    return _save(fig, _stem(out, f"dispatch_{_safe_name(name)}_{_safe_name(zone)}"))
