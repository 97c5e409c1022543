"""Report figures drawn from results folders only (DESIGN §4–5): nothing here re-solves or reads ``data/``.

Every ``fig_*`` function takes :class:`~grid_model.results.Results` (as returned by
:func:`grid_model.results.read_results`), draws one figure and writes it twice, as PNG (150 dpi) and SVG,
returning both paths. ``out`` is the file path without extension (``figs/mix`` → ``figs/mix.png`` and
``figs/mix.svg``; a ``.png``/``.svg`` suffix is dropped); if ``out`` is an existing directory the figure gets
its default name inside it.

Figures are built on :class:`matplotlib.figure.Figure` directly, never through ``pyplot``: nothing is
registered with pyplot's figure manager, so no GUI backend is needed (headless CI is safe whatever the
backend), a notebook's backend is left alone, and a figure is freed as soon as it is saved and dropped.

One colour per energy category everywhere (:data:`CATEGORY_COLOURS`), taken from the Okabe–Ito palette and
Paul Tol's palettes, plus neutral greys, so that neighbouring colours stay distinct under the common forms of
colour-vision deficiency; scenarios get Tol's "bright" qualitative colours and, on line plots, line styles too.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from pathlib import Path
from typing import ParamSpec, TypeVar

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from grid_model.results import Results
from grid_model.schema import NON_ECONOMIC_CATEGORIES

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

DPI = 150
"""Resolution of the PNG files."""

CATEGORY_COLOURS: dict[str, str] = {
    # stacking order, bottom to top: firm thermal first, variable renewables last, then balancing terms
    "nuclear": "#CC79A7",  # Okabe–Ito reddish purple
    "coal": "#404040",  # dark grey
    "gas": "#E69F00",  # Okabe–Ito orange
    "oil": "#6E3B00",  # dark brown
    "bioenergy": "#009E73",  # Okabe–Ito bluish green
    "geothermal": "#D55E00",  # Okabe–Ito vermillion
    "hydro": "#0072B2",  # Okabe–Ito blue
    "wind": "#56B4E9",  # Okabe–Ito sky blue
    "solar": "#F0E442",  # Okabe–Ito yellow
    "storage": "#332288",  # Tol indigo
    "imports": "#DDDDDD",  # pale grey (also hatched where drawn)
    "unserved": "#000000",  # black (also hatched where drawn)
}
"""Colour of each energy category. Under simulated deuteranopia, protanopia and tritanopia (Machado et al.
2009) every pair stays at least ΔE*ab ≈ 16 apart."""

RENEWABLE_CATEGORIES = frozenset({"hydro", "wind", "solar", "bioenergy", "geothermal"})
"""Categories counted as renewable in :func:`fig_renewable_share`."""

COST_COLOURS: dict[str, str] = {
    "capex_generation": "#332288",
    "capex_storage": "#88CCEE",
    "capex_transmission": "#44AA99",
    "fixed_om": "#117733",
    "fuel": "#DDCC77",
    "variable_om": "#999933",
    "carbon": "#882255",
    "unserved": "#000000",
    "fuel_subsidy": "#CC6677",
}
"""Colour of each cost category (Tol "muted" palette); ``fuel_subsidy`` is negative and drawn below zero."""

COST_LABELS: dict[str, str] = {
    "capex_generation": "capex: generation",
    "capex_storage": "capex: storage",
    "capex_transmission": "capex: interconnectors",
    "fixed_om": "fixed O&M",
    "fuel": "fuel (unsubsidised)",
    "variable_om": "variable O&M",
    "carbon": "carbon",
    "unserved": "unserved energy",
    "fuel_subsidy": "fuel subsidy (paid by the state)",
}

SCENARIO_COLOURS: tuple[str, ...] = ("#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB")
"""Tol "bright" qualitative palette, cycled over scenarios in the order given."""

SCENARIO_LINESTYLES: tuple[str, ...] = ("-", "--", "-.", ":")

HATCHED = {"imports": "///", "unserved": "xx", "net exports": "\\\\\\"}

STYLE: dict[str, object] = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "figure.titlesize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.6,
    "hatch.linewidth": 0.6,
    "legend.frameon": False,
    "svg.hashsalt": "grid_model",  # stable element ids: the same results give the same SVG
}
"""Matplotlib settings applied (locally, via ``rc_context``) to every figure."""

WIDTH_IN = 8.0
"""Figure width in inches (report page width); heights follow the content, 4.5 in for a single panel."""

_BN = 1e9


# ---------------------------------------------------------------------------------------------
# Helpers


def _styled(func: Callable[P, R]) -> Callable[P, R]:
    """Run a drawing function inside :data:`STYLE` so global rcParams are never changed."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def _stem(out: Path | str, default: str) -> Path:
    """Output path without extension (see the module docstring)."""
    path = Path(out)
    if path.is_dir():
        return path / default
    if path.suffix.lower() in {".png", ".svg"}:
        path = path.with_suffix("")
    return path


def _save(fig: Figure, stem: Path) -> list[Path]:
    """Write ``fig`` as ``stem.png`` (150 dpi) and ``stem.svg``, then release it."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    png = stem.with_name(stem.name + ".png")
    svg = stem.with_name(stem.name + ".svg")
    fig.savefig(png, dpi=DPI, facecolor="white")
    fig.set_layout_engine("none")  # keep the layout just computed: the SVG gets the same one, for half the work
    fig.savefig(svg, facecolor="white", metadata={"Date": None})
    fig.clear()
    log.info("wrote %s and %s", png, svg)
    return [png, svg]


def _table(res: Results, name: str) -> pd.DataFrame:
    """A results table, or an empty frame when the folder does not have it."""
    df = res.tables.get(name)
    return df if df is not None else pd.DataFrame()


def _hourly(res: Results, name: str) -> pd.DataFrame:
    """An hourly results frame, or an empty frame when the folder does not have it."""
    df = res.hourly.get(name)
    return df if df is not None else pd.DataFrame()


def _safe_name(name: str) -> str:
    """A scenario or zone name usable in a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("._") or "x"


def _label(res: Results, label: str | None) -> str:
    """The name shown for a scenario: the caller's label, else the scenario name in ``summary.json``."""
    return label if label is not None else str(res.summary.get("scenario", "scenario"))


def _ordered_categories(present: Iterable[str]) -> list[str]:
    """Categories in :data:`CATEGORY_COLOURS` order, unknown ones (sorted) at the end."""
    present = set(present)
    known = [c for c in CATEGORY_COLOURS if c in present]
    unknown = sorted(present - set(CATEGORY_COLOURS))
    if unknown:
        log.warning("categories without a colour in CATEGORY_COLOURS are drawn grey: %s", ", ".join(unknown))
    return known + unknown


def _colour(category: str) -> str:
    """Colour of an energy category (grey for one not in :data:`CATEGORY_COLOURS`)."""
    return CATEGORY_COLOURS.get(category, "#999999")


def _scenario_styles(names: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Colour and line style of each scenario, in the order given."""
    return {
        n: (SCENARIO_COLOURS[i % len(SCENARIO_COLOURS)], SCENARIO_LINESTYLES[i % len(SCENARIO_LINESTYLES)])
        for i, n in enumerate(names)
    }


def _zone_order(results: Mapping[str, Results], table: str = "generation") -> list[str]:
    """Zones in the order of the zones tables (first scenario first), then any others found in ``table``."""
    order: list[str] = []
    for res in results.values():
        zones = _table(res, "zones")
        if "zone" in zones:
            order += [z for z in zones["zone"].astype(str) if z not in order]
    for res in results.values():
        df = _table(res, table)
        if "zone" in df:
            order += [z for z in df["zone"].astype(str).unique() if z not in order]
    return order


def _sig(x: float, digits: int = 3) -> str:
    """``x`` with about ``digits`` significant digits, never in exponent form (0.903, 12.3, 1,234)."""
    if x == 0 or not math.isfinite(x):
        return f"{x:,.0f}" if x == 0 else str(x)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}"


def _signed(x: float, magnitude: str) -> str:
    """``magnitude`` with the sign of ``x`` (typographic minus, as on the axes)."""
    return ("−" if x < 0 else "+") + magnitude


def _mw(x: float, _pos: object = None) -> str:
    """Tick label with thousands separators and a typographic minus (as matplotlib's own ticks)."""
    return f"{x:,.0f}".replace("-", "−")


def _grid(ax: Axes, axis: str = "y") -> None:
    """Light grid lines behind the data."""
    ax.grid(True, axis=axis)


def _require(results: Mapping[str, Results]) -> None:
    """Refuse an empty scenario mapping with a clear message."""
    if not results:
        raise ValueError("no scenarios given")


# ---------------------------------------------------------------------------------------------
# 1. Network map


def corridors(links: pd.DataFrame) -> pd.DataFrame:
    """Links merged per zone pair (parallel circuits and second circuits share a line on a map).

    Columns: zone_a, zone_b, links (names joined by ", "), existing_mw, new_mw, capacity_mw, utilisation
    (capacity-weighted, i.e. the corridor's energy over its capacity-hours).
    """
    cols = ["zone_a", "zone_b", "links", "existing_mw", "new_mw", "capacity_mw", "utilisation"]
    if links.empty:
        return pd.DataFrame(columns=cols)
    df = links.assign(
        zone_a=[min(str(a), str(b)) for a, b in zip(links["zone_from"], links["zone_to"], strict=True)],
        zone_b=[max(str(a), str(b)) for a, b in zip(links["zone_from"], links["zone_to"], strict=True)],
        existing_mw=links["existing_mw"].astype(float),
        new_mw=links["new_mw"].astype(float).clip(lower=0.0),
    )
    df["capacity_mw"] = df["existing_mw"] + df["new_mw"]
    df["used"] = df["utilisation"].astype(float) * df["capacity_mw"]
    out = (
        df.groupby(["zone_a", "zone_b"], sort=False)
        .agg(
            links=("link", lambda s: ", ".join(map(str, s))),
            existing_mw=("existing_mw", "sum"),
            new_mw=("new_mw", "sum"),
            capacity_mw=("capacity_mw", "sum"),
            used=("used", "sum"),
        )
        .reset_index()
    )
    out["utilisation"] = np.where(
        out["capacity_mw"] > 0, out["used"] / out["capacity_mw"].where(out["capacity_mw"] > 0, 1.0), 0.0
    )
    return out[cols]


def _label_directions(xy: dict[str, np.ndarray], pairs: list[tuple[str, str]]) -> dict[str, np.ndarray]:
    """A unit vector per zone pointing where its label goes: away from the zones it is linked to, or across
    the line through them when they lie on both sides (alternating sides along a chain)."""
    neighbours: dict[str, list[str]] = {z: [] for z in xy}
    for a, b in pairs:
        if a in xy and b in xy:
            neighbours[a].append(b)
            neighbours[b].append(a)
    out: dict[str, np.ndarray] = {}
    flip = 1.0
    for zone, p in xy.items():
        nb = [xy[n] for n in neighbours[zone]]
        if not nb:
            out[zone] = np.array([0.7071, 0.7071])
            continue
        away = p - np.mean(nb, axis=0)
        spread = float(np.mean([np.linalg.norm(p - q) for q in nb]))
        if np.linalg.norm(away) > 0.3 * spread:
            out[zone] = away / np.linalg.norm(away)
            continue
        along = nb[-1] - nb[0] if len(nb) > 1 else nb[0] - p
        perp = np.array([-along[1], along[0]])
        norm = float(np.linalg.norm(perp))
        out[zone] = flip * perp / norm if norm > 0 else np.array([0.7071, 0.7071])
        flip = -flip
    return out


@_styled
def fig_network_map(res: Results, out: Path, label: str | None = None, label_links: bool | None = None) -> list[Path]:
    """Zones at their coordinates (area ∝ annual demand) and interconnector corridors (parallel links merged;
    width ∝ capacity, colour = utilisation on a colour-blind-safe scale).

    New capacity is a white dashed core inside the corridor, its width ∝ the new MW; candidate corridors left
    at zero capacity are thin dotted grey lines. ``label_links`` writes the capacity beside each corridor
    (default: only corridors long enough to carry a label legibly). Plain lon/lat axes (no basemap) with a
    shape-true aspect.
    """
    name = _label(res, label)
    zones = _table(res, "zones")
    if zones.empty:
        raise ValueError(f"{name}: results have no zones table (zones.csv)")
    z = zones.assign(zone=zones["zone"].astype(str)).set_index("zone")
    prices = _table(res, "prices")
    demand = (
        (
            prices.assign(zone=prices["zone"].astype(str)).set_index("zone")["demand_twh"]
            if "demand_twh" in prices
            else pd.Series(dtype=float)
        )
        .reindex(z.index)
        .fillna(0.0)
    )
    links = corridors(_table(res, "links"))
    lon, lat = z["lon"].astype(float), z["lat"].astype(float)
    kx = max(0.2, math.cos(math.radians(float(lat.mean()))))  # 1° of longitude, in degrees of latitude
    xy = {str(c): np.array([kx * float(lon[c]), float(lat[c])]) for c in z.index}
    span = max(kx * float(lon.max() - lon.min()), float(lat.max() - lat.min()), 1.0)
    ratio = float(lat.max() - lat.min()) / max(kx * float(lon.max() - lon.min()), 1e-9)

    fig = Figure(figsize=(WIDTH_IN, float(np.clip(2.5 + 4.5 * ratio, 5.5, 9.0))), layout="constrained")
    ax = fig.add_subplot()
    cmap = mpl.colormaps["cividis"]
    norm = Normalize(0.0, 1.0)
    cap_max = float(links["capacity_mw"].max()) if len(links) and links["capacity_mw"].max() > 0 else 1.0

    def width(mw: float) -> float:
        return 1.5 + 10.0 * mw / cap_max

    for row in links.itertuples(index=False):
        a, b = row.zone_a, row.zone_b
        if a not in z.index or b not in z.index:
            log.warning("%s: link(s) %s join a zone without coordinates; not drawn", name, row.links)
            continue
        xs, ys = [lon[a], lon[b]], [lat[a], lat[b]]
        if row.capacity_mw <= 0.5:
            ax.plot(xs, ys, color="0.55", lw=1.0, ls=":", zorder=1)
            continue
        lw = width(row.capacity_mw)
        ax.plot(
            xs,
            ys,
            color=cmap(norm(float(row.utilisation))),
            lw=lw,
            solid_capstyle="butt",
            zorder=2,
            path_effects=[patheffects.Stroke(linewidth=lw + 1.2, foreground="0.2"), patheffects.Normal()],
        )
        if row.new_mw > 0.5:
            lw_new = max(1.0, 10.0 * row.new_mw / cap_max)
            ax.plot(
                xs,
                ys,
                color="white",
                lw=lw_new,
                ls=(0, (2.5, 1.5)),
                dash_capstyle="butt",
                zorder=2.5,
                path_effects=[patheffects.Stroke(linewidth=lw_new + 1.0, foreground="0.2"), patheffects.Normal()],
            )
        long_enough = float(np.linalg.norm(xy[a] - xy[b])) >= 0.12 * span
        if label_links or (label_links is None and long_enough):
            text = f"{row.capacity_mw:,.0f} MW" + (f"\n(+{row.new_mw:,.0f} new)" if row.new_mw > 0.5 else "")
            ax.annotate(
                text,
                (float(np.mean(xs)), float(np.mean(ys))),
                xytext=(4 + lw / 2, 0),
                textcoords="offset points",
                fontsize=7,
                ha="left",
                va="center",
                zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75},
            )

    d_max = float(demand.max()) if demand.max() > 0 else 1.0

    def area(twh: float) -> float:
        return 30.0 + 900.0 * twh / d_max

    ax.scatter(lon, lat, s=[area(v) for v in demand], facecolor="white", edgecolor="0.1", lw=1.2, zorder=3)
    directions = _label_directions(xy, list(zip(links["zone_a"], links["zone_b"], strict=True)))
    for code in z.index:
        r = math.sqrt(area(float(demand[code]))) / 2 + 7.0
        d = directions[str(code)]
        ax.annotate(
            str(code),
            (lon[code], lat[code]),
            xytext=(r * d[0], r * d[1]),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.8},
        )

    # the padded extent enters the data limits, and the shorter side is widened to fill the axes
    pad_x = max(2.0, 0.12 * float(lon.max() - lon.min()))
    pad_y = max(2.0, 0.08 * float(lat.max() - lat.min()))
    ax.update_datalim([(lon.min() - pad_x, lat.min() - pad_y), (lon.max() + pad_x, lat.max() + pad_y)])
    ax.margins(0.0)
    ax.autoscale_view()
    ax.set_aspect(1.0 / kx, adjustable="datalim")  # shape-true near the mean latitude
    ax.set_xlabel("Longitude (degrees east)")
    ax.set_ylabel("Latitude (degrees north)")
    ax.set_title(f"Interconnectors: capacity and utilisation ({name})")
    _grid(ax, "both")

    cbar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, pad=0.02)
    cbar.set_label("Corridor utilisation (% of capacity over the year)")
    cbar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))

    handles: list[Line2D] = []
    built = links["capacity_mw"] > 0.5
    for mw in sorted({_nice(cap_max), _nice(cap_max / 4)}) if built.any() else []:
        handles.append(Line2D([], [], color="0.45", lw=width(mw), solid_capstyle="butt", label=f"{mw:,.0f} MW"))
    if (links["new_mw"] > 0.5).any():
        handles.append(Line2D([], [], color="0.2", lw=2.0, ls=(0, (2.5, 1.5)), label="new capacity (dashed core)"))
    if len(links) and (~built).any():
        handles.append(Line2D([], [], color="0.55", lw=1.0, ls=":", label="candidate, not built"))
    for twh in sorted({_nice(d_max), _nice(d_max / 4)}):
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                markerfacecolor="white",
                markeredgecolor="0.1",
                markersize=math.sqrt(area(twh)),
                label=f"{_sig(twh, 2)} TWh/yr demand",
            )
        )
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 4),
        labelspacing=1.4,
        borderpad=0.8,
        columnspacing=2.0,
        handlelength=4.0,
        handletextpad=1.0,
    )
    return _save(fig, _stem(out, f"network_map_{_safe_name(name)}"))


def _nice(x: float) -> float:
    """Round to 1, 2 or 5 × 10^k (for legend keys)."""
    if x <= 0:
        return 0.0
    k = math.floor(math.log10(x))
    m = x / 10**k
    return (1 if m < 1.5 else 2 if m < 3.5 else 5 if m < 7.5 else 10) * 10.0**k


# ---------------------------------------------------------------------------------------------
# 2. Generation mix


def _panel_grid(n: int, max_cols: int = 3) -> tuple[int, int]:
    """Rows and columns for ``n`` panels, at most ``max_cols`` across."""
    ncols = min(n, max_cols)
    return math.ceil(n / ncols), ncols


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
    x = np.arange(len(zones))
    used: set[str] = set()
    for ax, (name, res) in zip(axes.flat, results_by_scenario.items(), strict=False):
        gen = _table(res, "generation")
        table = (
            gen.assign(zone=gen["zone"].astype(str))
            .pivot_table(index="zone", columns="category", values="generation_twh", aggfunc="sum")
            .reindex(index=zones)
            .fillna(0.0)
            if len(gen)
            else pd.DataFrame(index=zones)
        )
        bottom = np.zeros(len(zones))
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
        ax.set_title(name)
        ax.set_xticks(x, zones, rotation=90 if len(zones) * ncols > 24 else 0)
        ax.set_xlabel("Zone")
        _grid(ax)
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
# 3. Cost breakdown


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
    net = np.array([breakdowns[n].sum() for n in names]) / _BN
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
    ax.axhline(0.0, color="0.2", lw=0.8)
    top = max(float(pos_bottom.max()), max(system.values()) / _BN, 0.0)
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
    ax.set_ylim(min(0.0, float(neg_bottom.min())) * 1.15, top * 1.22 if top > 0 else 1.0)
    ticks = []
    for n, r in results_by_scenario.items():
        fiscal = r.summary.get("subsidy_cost_usd")
        ticks.append(n if fiscal is None else f"{n}\n({_sig(float(fiscal) / _BN)})")
    ax.set_xticks(x, ticks)
    ax.set_xlabel("Scenario (fiscal cost of fuel and electricity subsidies, USD bn per year)")
    ax.set_ylabel("Annual cost (USD bn per year)")
    ax.set_title(
        f"Annual system cost by category\nabove bars: economic system cost (USD bn/yr) and change vs {base}", fontsize=9
    )
    _grid(ax)
    fig.legend(loc="outside right upper")
    return _save(fig, _stem(out, "cost_breakdown"))


# ---------------------------------------------------------------------------------------------
# 4. Renewable share


def renewable_share(res: Results) -> pd.Series:
    """Renewable share of generation (0–1) per zone plus ``"All"``, from ``generation.csv`` categories.

    Renewable = :data:`RENEWABLE_CATEGORIES`. Zones with no generation are left out.
    """
    gen = _table(res, "generation")
    if gen.empty:
        return pd.Series(dtype=float)
    gen = gen.assign(zone=gen["zone"].astype(str), ren=gen["category"].astype(str).isin(RENEWABLE_CATEGORIES))
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
    ax.set_title("Renewable share (hydro, wind, solar, bioenergy, geothermal)")
    _grid(ax)
    fig.legend(loc="outside right upper", title="Scenario")
    return _save(fig, _stem(out, "renewable_share"))


# ---------------------------------------------------------------------------------------------
# 5. Price duration curves


def _weights(frame: pd.DataFrame) -> np.ndarray:
    """Hours of the year each timestep stands for (``weight_h``; 1 h each if absent)."""
    if "weight_h" in frame:
        return frame["weight_h"].to_numpy(dtype=float)
    log.warning("hourly frame has no weight_h column; each step counted as 1 h")
    return np.ones(len(frame))


def price_duration(prices: pd.DataFrame, zone: str) -> tuple[np.ndarray, np.ndarray]:
    """Price duration curve of one zone: (hour edges, length n + 1, from 0 to Σ weight_h; prices, descending)."""
    p = prices[zone].to_numpy(dtype=float)
    w = _weights(prices)
    order = np.argsort(-p, kind="stable")
    return np.concatenate([[0.0], np.cumsum(w[order])]), p[order]


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
    for ax in axes[:, 0]:
        ax.set_ylabel("Price (USD/MWh)")
    visible = list(axes.flat)[: len(zones)]
    for ax in visible[-ncols:]:
        ax.set_xlabel("Hours of the year (h)")
        ax.xaxis.set_tick_params(labelbottom=True)
    for ax in list(axes.flat)[len(zones) :]:
        ax.set_visible(False)
    for ax in visible:
        ax.set_xlim(0, horizon)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]))
        ax.xaxis.set_major_formatter(FuncFormatter(_mw))
    handles = [Line2D([], [], color=styles[n][0], ls=styles[n][1], lw=1.4, label=n) for n in frames]
    fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 6))
    fig.suptitle("Price duration curves by zone")
    return _save(fig, _stem(out, "price_duration"))


# ---------------------------------------------------------------------------------------------
# 6. Dispatch stack


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


def dispatch_by_category(res: Results, zone: str) -> pd.DataFrame:
    """Signed hourly balance terms of ``zone`` (MW): one column per generation category (storage discharge
    under its category), ``storage charging`` (≤ 0), ``net imports`` (after losses) and ``unserved``.

    The columns sum to the zone's demand in every timestep. Units map to zones and categories through
    ``units.csv``; a dispatch column that is not listed there is left out with a warning.
    """
    disp = _hourly(res, "dispatch_mw")
    units = _table(res, "units")
    if disp.empty:
        raise ValueError("results have no hourly dispatch (hourly/dispatch_mw)")
    if units.empty:
        raise ValueError("results have no units table (units.csv: unit, kind, zone, technology, category)")
    units = units.assign(unit=units["unit"].astype(str), zone=units["zone"].astype(str)).set_index("unit")
    series_cols = {"weight_h", "duration_h"}
    unknown = [
        c for c in disp.columns if c not in series_cols and not str(c).startswith("unserved:") and c not in units.index
    ]
    if unknown:
        log.warning("dispatch columns not in units.csv are left out: %s", ", ".join(map(str, unknown)))
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
    demand_frame = _hourly(res, "demand_mw")
    if zone not in demand_frame:
        raise ValueError(f"{name}: zone '{zone}' has no demand in the results (hourly/demand_mw)")
    terms = dispatch_by_category(res, zone)
    stop = min(start_step + n_steps, len(terms))
    if start_step < 0 or start_step >= stop:
        raise ValueError(f"window start {start_step} is outside the {len(terms)} timesteps")
    window = terms.iloc[start_step:stop]
    steps = demand_frame.iloc[start_step:stop]
    dur = (steps["duration_h"] if "duration_h" in steps else pd.Series(_weights(steps))).to_numpy(dtype=float)
    edges = np.concatenate([[0.0], np.cumsum(dur)])
    demand = steps[zone].to_numpy(dtype=float)

    tol = 1e-6 * max(1.0, float(np.abs(demand).max()))
    pos: list[tuple[str, np.ndarray, str, str | None]] = []
    neg: list[tuple[str, np.ndarray, str, str | None]] = []
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

    fig = Figure(figsize=(WIDTH_IN, 4.5), layout="constrained")
    ax = fig.add_subplot()
    drawn: list[list[Patch]] = [[], []]
    for k, series in enumerate((pos, neg)):
        base = np.zeros(len(window))
        for lab, v, colour, hatch in series:
            if np.abs(v).max(initial=0.0) <= tol:
                continue
            _fill(ax, edges, base, base + v, colour, lab, hatch)
            drawn[k].append(Patch(facecolor=colour, edgecolor="0.35", linewidth=0.0, hatch=hatch, label=lab))
            base = base + v
    ax.stairs(demand, edges, baseline=None, color="black", lw=1.6, label="demand")
    ax.axhline(0.0, color="0.2", lw=0.8)
    ax.set_xlim(0, edges[-1])
    ax.xaxis.set_major_locator(MaxNLocator(nbins=8, steps=[1, 2, 2.4, 5, 6, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(_mw))
    ax.yaxis.set_major_formatter(FuncFormatter(_mw))
    ax.set_xlabel(f"Time from timestep {start_step} (h)")
    ax.set_ylabel("Power (MW)")
    zones = _table(res, "zones")
    full = ""
    if "name" in zones:
        match = zones.loc[zones["zone"].astype(str) == zone, "name"]
        full = f" ({match.iloc[0]})" if len(match) and str(match.iloc[0]) else ""
    ax.set_title(f"Dispatch in {zone}{full}, {name}: timesteps {start_step}–{stop - 1}")
    _grid(ax)
    # legend from top to bottom, as stacked: positive terms (last drawn first), demand, then those below zero
    handles: list[Patch | Line2D] = [*drawn[0][::-1], Line2D([], [], color="black", lw=1.6, label="demand"), *drawn[1]]
    fig.legend(handles=handles, loc="outside right upper")
    return _save(fig, _stem(out, f"dispatch_{_safe_name(name)}_{_safe_name(zone)}"))


# ---------------------------------------------------------------------------------------------
# 7. Capacity additions


@_styled
def fig_capacity_additions(results_by_scenario: Mapping[str, Results], out: Path) -> list[Path]:
    """New capacity per scenario: generation and storage by category (stacked, MW) and, beside it, new
    interconnector capacity per link (grouped bars, MW)."""
    _require(results_by_scenario)
    names = list(results_by_scenario)
    new = {}
    for n, r in results_by_scenario.items():
        cap = _table(r, "capacity")
        new[n] = (
            cap.assign(category=cap["category"].astype(str)).groupby("category")["new_mw"].sum()
            if len(cap)
            else pd.Series(dtype=float)
        )
    cats = _ordered_categories(c for s in new.values() for c, v in s.items() if v > 0.5)
    link_new = {}
    for n, r in results_by_scenario.items():
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

    fig = Figure(figsize=(WIDTH_IN, 4.8), layout="constrained")
    ax, axl = fig.subplots(1, 2, width_ratios=[1.35, 1.0])
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
    fig.suptitle("Capacity built by scenario")
    return _save(fig, _stem(out, "capacity_additions"))


# ---------------------------------------------------------------------------------------------
# All figures


def _has(res: Results, name: str, hourly: bool = False) -> bool:
    """Whether a results table (or hourly frame) is present and not empty."""
    return not (_hourly(res, name) if hourly else _table(res, name)).empty


def _with(
    results: Mapping[str, Results], figure: str, test: Callable[[Results], bool], what: str
) -> dict[str, Results]:
    """The scenarios whose input for ``figure`` is not empty; the others are skipped with a warning."""
    kept = {}
    for n, r in results.items():
        if test(r):
            kept[n] = r
        else:
            log.warning("%s: scenario '%s' left out (%s is empty)", figure, n, what)
    if not kept:
        log.warning("%s skipped: %s is empty in every scenario", figure, what)
    return kept


def draw_all(results_by_scenario: Mapping[str, Results], out_dir: Path, base: str = "base") -> list[Path]:
    """Draw every figure into ``out_dir`` and return the files written (PNG and SVG of each).

    Per scenario: network map, and dispatch stack for the zone with the largest demand in the base scenario
    (the first 168 timesteps). Across scenarios: generation mix, cost breakdown, renewable share, price duration
    and capacity additions. A figure (or a scenario within one) is skipped, with a logged warning, only when
    its input table is empty or missing.
    """
    _require(results_by_scenario)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for n, r in _with(results_by_scenario, "network map", lambda r: _has(r, "zones"), "zones.csv").items():
        paths += fig_network_map(r, out_dir / f"network_map_{_safe_name(n)}", label=n)
    gen = _with(results_by_scenario, "generation mix", lambda r: _has(r, "generation"), "generation.csv")
    if gen:
        paths += fig_generation_mix(gen, out_dir / "generation_mix")
    costs = _with(
        results_by_scenario,
        "cost breakdown",
        lambda r: not cost_breakdown(r).empty,
        "the cost breakdown (summary.json / costs.csv)",
    )
    if costs:
        paths += fig_cost_breakdown(costs, out_dir / "cost_breakdown", base=base)
    if gen:
        paths += fig_renewable_share(gen, out_dir / "renewable_share")
    prices = _with(
        results_by_scenario,
        "price duration",
        lambda r: _has(r, "price_usd_per_mwh", hourly=True),
        "hourly/price_usd_per_mwh",
    )
    if prices:
        paths += fig_price_duration(prices, out_dir / "price_duration")
    dispatch = _with(
        results_by_scenario,
        "dispatch stack",
        lambda r: _has(r, "dispatch_mw", hourly=True) and _has(r, "units") and _has(r, "demand_mw", hourly=True),
        "hourly/dispatch_mw, hourly/demand_mw or units.csv",
    )
    zone = _largest_zone(results_by_scenario, base)
    if dispatch and zone is None:
        log.warning("dispatch stack skipped: no zone demand in prices.csv")
    for n, r in dispatch.items() if zone is not None else ():
        if zone not in _hourly(r, "demand_mw"):
            log.warning("dispatch stack: scenario '%s' has no zone %s; left out", n, zone)
            continue
        paths += fig_dispatch_stack(r, zone, out_dir / f"dispatch_{_safe_name(n)}_{_safe_name(zone)}", label=n)
    cap = _with(
        results_by_scenario,
        "capacity additions",
        lambda r: _has(r, "capacity") or _has(r, "links"),
        "capacity.csv and links.csv",
    )
    if cap:
        paths += fig_capacity_additions(cap, out_dir / "capacity_additions")
    return paths


def _largest_zone(results: Mapping[str, Results], base: str) -> str | None:
    """Zone with the largest annual demand in the base scenario (else the first scenario with demand)."""
    order = [base] + [n for n in results if n != base] if base in results else list(results)
    for n in order:
        prices = _table(results[n], "prices")
        if "demand_twh" in prices and len(prices):
            return str(prices.loc[prices["demand_twh"].astype(float).idxmax(), "zone"])
    return None
