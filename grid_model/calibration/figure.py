"""The calibration figure: model vs reported generation shares per zone, their difference, and the average
daily flow profile of each border."""

from __future__ import annotations

import logging
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from grid_model.calibration.checks import Calibration
from grid_model.calibration.reference import Tolerances
from grid_model.datagen.common import ZONES
from grid_model.schema import GENERATION_CATEGORIES

log = logging.getLogger(__name__)

HEIGHT_IN = 8.2
PROFILE_IN = 3.4
"""Extra height of the daily flow profile panel."""
BAR_OFFSET = 0.21
"""Model bars left of the zone tick, reported bars right of it."""
BAR_WIDTH = 0.38
AXIS_HEADROOM = 1.5
"""The difference panel spans at least this many times ``share_max_pp``."""


def _style() -> tuple[dict[str, str], int, dict[str, object], float]:
    """Colours, dpi, style and width of the project's figures. Imported here, not at module level:
    :mod:`grid_model.figures` imports the results writer (and through it the model), which reading a results
    folder does not need."""
    from grid_model.figures import CATEGORY_COLOURS, DPI, STYLE, WIDTH_IN

    return CATEGORY_COLOURS, DPI, STYLE, WIDTH_IN


def _mix_panel(ax: Axes, cal: Calibration, cats: list[str], colours: dict[str, str]) -> None:
    """Paired stacked bars per zone (left model, right reported and hatched) with the renewable shares."""
    p = cal.pairs
    x = np.arange(len(ZONES))
    for k, (col, dx) in enumerate((("model_share", -BAR_OFFSET), ("reported_share", BAR_OFFSET))):
        table = p.pivot(index="zone", columns="category", values=col).reindex(index=list(ZONES), columns=cats)
        bottom = np.zeros(len(ZONES))
        for c in cats:
            v = table[c].to_numpy(dtype=float)
            ax.bar(
                x + dx,
                v,
                BAR_WIDTH,
                bottom=bottom,
                color=colours[c],
                edgecolor="white",
                linewidth=0.3,
                hatch="///" if k == 1 else None,
            )
            bottom += v
        for xi in x:
            ax.text(xi + dx, 101.5, "M" if k == 0 else "R", ha="center", va="bottom", fontsize=7)
    ren = cal.zones.set_index("zone").reindex(list(ZONES))
    for col, dx in (("model_renewable_share", -BAR_OFFSET), ("reported_renewable_share", BAR_OFFSET)):
        ax.scatter(x + dx, ren[col], marker="_", s=120, color="black", linewidths=1.4, zorder=3)
    ax.set_xticks(x, list(ZONES))
    ax.set_ylim(0, 108)
    ax.set_ylabel("Share of the zone's generation (%)")
    ax.set_title("2023 mix per zone: model (M) vs reported (R, hatched: Ember + operator corrections)")
    handles = [Patch(facecolor=colours[c], label=c) for c in cats]
    handles.append(Patch(facecolor="white", edgecolor="black", hatch="///", label="reported"))
    handles.append(
        Line2D([], [], ls="", marker="_", markersize=10, markeredgewidth=1.4, color="black", label="renewable share")
    )
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Category")
    ax.grid(True, axis="y")


def _annotate_exceptions(ax: Axes, diff: pd.DataFrame, ren: pd.DataFrame, tol: Tolerances, lim: float) -> None:
    """Label each pair that carries its own tolerance."""
    for e in tol.exceptions:
        i = list(ZONES).index(e.zone)
        y = float(ren.loc[e.zone, "renewable_diff_pp"] if e.category == "renewable" else diff.loc[e.zone, e.category])
        ax.annotate(
            f"{e.zone} {e.category}: own tolerance ±{e.tolerance_pp:g} pp",
            xy=(i, y),
            xytext=(i + 0.8, (-0.85 if y < 0 else 0.85) * lim),
            fontsize=7,
            va="center",
            arrowprops={"arrowstyle": "-", "lw": 0.5},
        )


def _diff_panel(ax: Axes, cal: Calibration, cats: list[str], colours: dict[str, str]) -> None:
    """Model − reported per zone and category (pp), with the close/max tolerance bands."""
    tol = cal.tolerances
    close, most = f"±{tol.share_close_pp:g} pp", f"±{tol.share_max_pp:g} pp"
    x = np.arange(len(ZONES))
    diff = cal.pairs.pivot(index="zone", columns="category", values="diff_pp").reindex(
        index=list(ZONES), columns=list(GENERATION_CATEGORIES)
    )
    ren = cal.zones.set_index("zone").reindex(list(ZONES))
    lim = max(tol.share_max_pp * AXIS_HEADROOM, float(np.nanmax(np.abs(diff.to_numpy()))) * 1.05)
    ax.axhspan(-tol.share_close_pp, tol.share_close_pp, color="#E5E5E5", zorder=0, label=close)
    ax.axhline(tol.share_max_pp, color="#999999", lw=0.8, ls="--", label=most)
    ax.axhline(-tol.share_max_pp, color="#999999", lw=0.8, ls="--")
    ax.axhline(0, color="black", lw=0.6)
    step = 0.8 / len(GENERATION_CATEGORIES)
    for i, c in enumerate(cats):
        ax.bar(
            x - 0.4 + step * (i + 0.5),
            diff[c].to_numpy(dtype=float),
            step,
            color=colours[c],
            edgecolor="black",
            linewidth=0.2,
        )
    ax.scatter(
        x,
        ren["renewable_diff_pp"],
        marker="D",
        s=18,
        color="black",
        zorder=4,
        label=f"renewable share (±{tol.renewable_pp:g} pp)",
    )
    ax.set_xticks(x, list(ZONES))
    ax.set_ylim(-lim, lim)
    ax.set_ylabel("Model − reported (pp)")
    ax.set_title(f"Difference per zone and category (shaded: {close}; dashed: {most})")
    _annotate_exceptions(ax, diff, ren, tol, lim)
    ax.grid(True, axis="y")
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))


def _profile_panel(ax: Axes, profile: pd.DataFrame) -> None:
    """Mean net flow of each link by hour of day (MW, + = zone_from → zone_to): which way each border flows by
    day and by night."""
    hours = profile.index.to_numpy()
    for lk in profile.columns:
        ax.plot(hours, profile[lk].to_numpy(dtype=float), marker=".", lw=1.2, label=lk)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(range(0, 24, 3))
    ax.set_xlim(-0.5, 23.5)
    ax.set_xlabel("Hour of day (start of step)")
    ax.set_ylabel("Mean net flow (MW)")
    ax.set_title("Average daily flow profile per border (+ = first zone of the link → second)")
    ax.grid(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Link", fontsize=7)


def _seasonal_panel(ax: Axes, seasonal: pd.DataFrame) -> None:
    """Mean net flow of each link by month (MW, + = zone_from → zone_to): which way each border flows by season."""
    months = seasonal.index.to_numpy()
    for lk in seasonal.columns:
        ax.plot(months, seasonal[lk].to_numpy(dtype=float), marker=".", lw=1.2, label=lk)
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(range(1, 13), ["J", "F", "M", "A", "M", "J", "J", "A", "S", "O", "N", "D"])
    ax.set_xlabel("Month")
    ax.set_ylabel("Mean net flow (MW)")
    ax.set_title("Mean net flow per border by month (+ = first zone of the link → second)")
    ax.grid(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="Link", fontsize=7)


def fig_calibration(cal: Calibration, out: str | Path) -> list[Path]:
    """Model vs reported generation shares per zone: paired stacked bars (left bar model, right bar reported)
    in :data:`grid_model.figures.CATEGORY_COLOURS`, below them the difference per zone and category (pp) with
    the 5/10 pp bands, and (chronological runs) the mean net flow of each border by hour of day and by month. Writes
    ``out.png`` (150 dpi) and ``out.svg``."""
    colours, dpi, style, width_in = _style()
    stem = Path(out)
    if stem.suffix.lower() in {".png", ".svg"}:
        stem = stem.with_suffix("")
    cats = [c for c in colours if c in GENERATION_CATEGORIES]
    with mpl.rc_context(style):
        extra = [(_profile_panel, cal.profile), (_seasonal_panel, cal.seasonal)]
        extra = [(panel, data) for panel, data in extra if not data.empty]
        fig = Figure(figsize=(width_in, HEIGHT_IN + PROFILE_IN * len(extra)), layout="constrained")
        axes = fig.subplots(2 + len(extra), 1, height_ratios=[3.0, 2.2] + [2.2] * len(extra))
        _mix_panel(axes[0], cal, cats, colours)
        _diff_panel(axes[1], cal, cats, colours)
        for ax, (panel, data) in zip(axes[2:], extra, strict=True):
            panel(ax, data)
        stem.parent.mkdir(parents=True, exist_ok=True)
        png, svg = stem.with_name(stem.name + ".png"), stem.with_name(stem.name + ".svg")
        fig.savefig(png, dpi=dpi, facecolor="white")
        fig.set_layout_engine("none")
        fig.savefig(svg, facecolor="white", metadata={"Date": None})
        fig.clear()
    log.info("wrote %s and %s", png, svg)
    return [png, svg]
