"""Shared look of the report figures: colours, category order, the matplotlib style, saving PNG + SVG, number
formatting, and the small helpers every figure uses.

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
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from grid_model.results import Results

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
"""Colour of each energy category (every one of :data:`grid_model.schema.CATEGORIES`, plus ``imports`` and
``unserved``). Under simulated deuteranopia, protanopia and tritanopia (Machado et al. 2009) every pair stays at
least ΔE*ab ≈ 16 apart."""

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

MAP_COLOURS: dict[str, str] = {
    "sea": "#EAF1F6",  # pale blue-grey
    "land": "#F5F2EA",  # warm off-white, lighter than any corridor or zone colour
    "coast": "#8C9BA8",  # blue-grey
    "border": "#7F7F7F",  # mid grey, dashed
    "flow": "#1A1A1A",  # net-flow arrow heads
    "new": "#D55E00",  # Okabe–Ito vermillion: new corridor capacity on the interactive map
}
"""Background of the network maps: sea, land, coastline, country borders, and the flow and new-capacity marks."""

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
# Drawing and saving


def _styled(func: Callable[P, R]) -> Callable[P, R]:
    """Run a drawing function inside :data:`STYLE` so global rcParams are never changed."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with mpl.rc_context(STYLE):
            return func(*args, **kwargs)

    return wrapper


def _stem(out: Path | str, default: str) -> Path:
    """Output path without extension (see the package docstring)."""
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


def _grid(ax: Axes, axis: str = "y") -> None:
    """Light grid lines behind the data."""
    ax.grid(True, axis=axis)


def _panel_grid(n: int, max_cols: int = 3) -> tuple[int, int]:
    """Rows and columns for ``n`` panels, at most ``max_cols`` across."""
    ncols = min(n, max_cols)
    return math.ceil(n / ncols), ncols


# ---------------------------------------------------------------------------------------------
# Reading results


def _table(res: Results, name: str) -> pd.DataFrame:
    """A results table, or an empty frame when the folder does not have it."""
    df = res.tables.get(name)
    return df if df is not None else pd.DataFrame()


def _hourly(res: Results, name: str) -> pd.DataFrame:
    """An hourly results frame, or an empty frame when the folder does not have it."""
    df = res.hourly.get(name)
    return df if df is not None else pd.DataFrame()


def _require(results: Mapping[str, Results]) -> None:
    """Refuse an empty scenario mapping with a clear message."""
    if not results:
        raise ValueError("no scenarios given")


def _label(res: Results, label: str | None) -> str:
    """The name shown for a scenario: the caller's label, else the scenario name in ``summary.json``."""
    return label if label is not None else str(res.summary.get("scenario", "scenario"))


def _safe_name(name: str) -> str:
    """A scenario or zone name usable in a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(name)).strip("._") or "x"


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


# ---------------------------------------------------------------------------------------------
# Categories and scenarios


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


# ---------------------------------------------------------------------------------------------
# Numbers


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


def _nice(x: float) -> float:
    """Round to 1, 2 or 5 × 10^k (for legend keys)."""
    if x <= 0:
        return 0.0
    k = math.floor(math.log10(x))
    m = x / 10**k
    return (1 if m < 1.5 else 2 if m < 3.5 else 5 if m < 7.5 else 10) * 10.0**k
