"""The comparison report as one self-contained HTML document (``report.html``), to e-mail or print to PDF.

Everything is inside the file: figures as base64 PNG data URIs, the interactive network maps as inline SVG
(coastlines and borders from :func:`grid_model.figures.map_shapes`, read offline) with native ``<title>``
tooltips and a few lines of inline JavaScript for pan and zoom; no external stylesheet, script, font or image.
The document has a table of contents, the headline table first, numbered figure captions, and a print
stylesheet (a page per section, no controls), so the browser's "Print to PDF" gives the PDF.

The maps are built from the results tables only (``links.csv``, ``prices.csv``, ``zones.csv``); nothing here
solves, reads ``data/`` or imports the model side (see ``tests/test_architecture.py``).
"""

from __future__ import annotations

import base64
import html
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex

from grid_model.figures.map import Extent, map_shapes
from grid_model.figures.style import MAP_COLOURS, _safe_name

log = logging.getLogger(__name__)

MAP_WIDTH = 1000.0
"""Width of an interactive map in SVG user units (its height follows the shape-true aspect)."""


@dataclass
class Section:
    """One numbered section of the report: anchor id, title and its HTML body."""

    id: str
    title: str
    body: str


@dataclass
class FigureNumbers:
    """Running figure numbers across the document."""

    n: int = 0
    titles: list[tuple[int, str, str]] = field(default_factory=list)

    def caption(self, anchor: str, text: str) -> str:
        """The next ``Figure N: text`` caption (escaped), remembered for the list of figures."""
        self.n += 1
        self.titles.append((self.n, anchor, text))
        return f"<figcaption><b>Figure {self.n}:</b> {html.escape(text)}</figcaption>"


# ---------------------------------------------------------------------------------------------
# Static figures


def _scenario_of(stem: str, prefix: str, scenarios: Sequence[str]) -> tuple[str, str] | None:
    """(scenario, rest) when ``stem`` is ``prefix`` + a scenario's file-safe name (+ ``_rest``)."""
    for name in sorted(scenarios, key=lambda s: -len(_safe_name(s))):
        head = f"{prefix}{_safe_name(name)}"
        if stem == head or stem.startswith(head + "_"):
            return name, stem[len(head) + 1 :]
    return None


def figure_caption(stem: str, scenarios: Sequence[str], borders: pd.DataFrame) -> str:
    """What a figure written by :func:`grid_model.figures.draw_all` shows, with numbers from the results."""
    if hit := _scenario_of(stem, "network_map_", scenarios):
        name = hit[0]
        b = borders[borders["scenario"] == name] if "scenario" in borders else borders.iloc[0:0]
        cap = float((b["existing_mw"] + b["new_mw"]).sum()) if len(b) else 0.0
        new = float(b["new_mw"].sum()) if len(b) else 0.0
        traded = float((b["flow_forward_twh"] + b["flow_backward_twh"]).sum()) if len(b) else 0.0
        return (
            f"Interconnectors in {name}: {cap:,.0f} MW across the borders ({new:,.0f} MW of it new) carrying "
            f"{traded:,.1f} TWh a year. Width ∝ capacity, colour = utilisation, white dashed core = new "
            "capacity, arrow head = direction of the net flow; zone area ∝ annual demand."
        )
    if hit := _scenario_of(stem, "dispatch_", scenarios):
        return f"Dispatch in {hit[0]}, zone {hit[1]}: generation by category, storage, trade and demand, first week."
    fixed = {
        "generation_mix": "Generation mix by scenario and zone (TWh a year).",
        "cost_breakdown": "System cost by component and scenario (USD bn a year; fuel subsidies below zero).",
        "renewable_share": "Renewable share of generation by scenario and zone.",
        "price_duration": "Price duration curves: hourly marginal prices sorted from highest to lowest.",
        "capacity_additions": "New capacity by scenario: generation, storage and interconnectors (MW).",
    }
    return fixed.get(stem, stem.replace("_", " ").capitalize() + ".")


def data_uri(path: Path) -> str:
    """The file as a ``data:`` URI (PNG or SVG), so the HTML needs no other file."""
    mime = "image/svg+xml" if path.suffix.lower() == ".svg" else "image/png"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def figures_section(
    figures: Sequence[Path], scenarios: Sequence[str], borders: pd.DataFrame, nums: FigureNumbers
) -> str:
    """Every PNG figure embedded and captioned, in the order drawn."""
    out = []
    for path in (p for p in figures if p.suffix.lower() == ".png"):
        anchor = f"fig-{_safe_name(path.stem)}"
        caption = nums.caption(anchor, figure_caption(path.stem, scenarios, borders))
        alt = html.escape(path.stem.replace("_", " "))
        out.append(f'<figure id="{anchor}"><img src="{data_uri(path)}" alt="{alt}">{caption}</figure>')
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# Interactive maps: data from links.csv, prices.csv and zones.csv


@dataclass(frozen=True)
class MapData:
    """What one scenario's interactive map shows, read from its results folder."""

    scenario: str
    zones: pd.DataFrame
    """Indexed by zone: name, lat, lon, price_avg_usd_per_mwh, demand_twh."""
    links: pd.DataFrame
    """One row per link as in ``links.csv``."""


def read_map_data(folder: Path, scenario: str) -> MapData | None:
    """The map data of one results folder, or None (with a warning) when a table is missing."""
    need = {name: folder / f"{name}.csv" for name in ("zones", "prices", "links")}
    missing = [p.name for p in need.values() if not p.exists()]
    if missing:
        log.warning("interactive map of '%s' left out: %s missing in %s", scenario, ", ".join(missing), folder)
        return None
    zones = pd.read_csv(need["zones"], dtype={"zone": str}).set_index("zone")
    prices = pd.read_csv(need["prices"], dtype={"zone": str}).set_index("zone")
    cols = [c for c in ("price_avg_usd_per_mwh", "demand_twh") if c in prices]
    zones = zones.join(prices[cols], how="left")
    links = pd.read_csv(need["links"], dtype={"link": str, "zone_from": str, "zone_to": str})
    return MapData(scenario, zones, links)


@dataclass(frozen=True)
class _Projection:
    """Lon/lat → SVG user units: equirectangular, longitude scaled by cos(mean latitude)."""

    extent: Extent
    kx: float
    scale: float

    @classmethod
    def of(cls, zones: pd.DataFrame, max_aspect: float = 1.2) -> _Projection:
        """A padded box around the zones (as the static map pads them), widened to at most ``max_aspect``
        (height over width) so that a chain of zones does not become a sliver; MAP_WIDTH wide."""
        lon, lat = zones["lon"].astype(float), zones["lat"].astype(float)
        kx = max(0.2, math.cos(math.radians(float(lat.mean()))))
        pad_x = max(2.0, 0.12 * float(lon.max() - lon.min()))
        pad_y = max(2.0, 0.08 * float(lat.max() - lat.min()))
        west, east = float(lon.min()) - pad_x, float(lon.max()) + pad_x
        south, north = float(lat.min()) - pad_y, float(lat.max()) + pad_y
        grow = max(0.0, (north - south) / max_aspect / kx - (east - west)) / 2
        west, east = west - grow, east + grow
        grow = max(0.0, 0.5 * kx * (east - west) - (north - south)) / 2
        south, north = max(south - grow, -85.0), min(north + grow, 85.0)
        return cls((west, east, south, north), kx, MAP_WIDTH / (kx * (east - west)))

    @property
    def height(self) -> float:
        """Map height in user units."""
        return self.scale * (self.extent[3] - self.extent[2])

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """User-unit position of a lon/lat point."""
        return self.scale * self.kx * (lon - self.extent[0]), self.scale * (self.extent[3] - lat)

    def path(self, lines: Sequence[np.ndarray], closed: bool) -> str:
        """An SVG path ``d`` for lon/lat polylines (rounded to 0.1 unit, repeated points dropped)."""
        parts = []
        for line in lines:
            pts = np.round(np.column_stack(self.xy(line[:, 0], line[:, 1])), 1)
            keep = np.r_[True, np.any(np.diff(pts, axis=0) != 0, axis=1)]
            pts = pts[keep]
            if len(pts) < 2:
                continue
            parts.append("M" + "L".join(f"{x:g} {y:g}" for x, y in pts) + ("Z" if closed else ""))
        return "".join(parts)


def basemap_defs(proj: _Projection, ref: str) -> str:
    """A hidden SVG holding the land, lakes and borders once, for every map to ``<use>``."""
    shapes = map_shapes(proj.extent)
    c = MAP_COLOURS
    return (
        f'<svg class="defs" width="0" height="0" aria-hidden="true"><defs><g id="{ref}">'
        f'<rect width="{MAP_WIDTH:g}" height="{proj.height:.1f}" fill="{c["sea"]}"/>'
        f'<path d="{proj.path(shapes.land, True)}" fill="{c["land"]}" stroke="{c["coast"]}" stroke-width="0.8" '
        f'vector-effect="non-scaling-stroke"/>'
        f'<path d="{proj.path(shapes.lakes, True)}" fill="{c["sea"]}" stroke="{c["coast"]}" stroke-width="0.6" '
        f'vector-effect="non-scaling-stroke"/>'
        f'<path class="borders" d="{proj.path(shapes.borders, False)}" fill="none" stroke="{c["border"]}" '
        f'stroke-width="0.9" stroke-dasharray="4 2" vector-effect="non-scaling-stroke"/>'
        "</g></defs></svg>"
    )


def _price(zones: pd.DataFrame, zone: str) -> str:
    """A zone's average price as text, or a dash."""
    p = zones["price_avg_usd_per_mwh"].get(zone, float("nan")) if "price_avg_usd_per_mwh" in zones else float("nan")
    return f"{p:,.1f} USD/MWh" if p == p else "–"


def link_tooltip(r: pd.Series, zones: pd.DataFrame) -> str:
    """The text shown over a link: capacity, flows each way, utilisation, congestion rent, prices at both ends."""
    a, b = str(r["zone_from"]), str(r["zone_to"])
    fwd, bwd = float(r.get("flow_forward_twh", 0.0)), float(r.get("flow_backward_twh", 0.0))
    net = fwd - bwd
    net_text = f"net {abs(net):,.2f} TWh to {b if net > 0 else a}" if abs(net) > 1e-9 else "balanced"
    existing, new = float(r["existing_mw"]), max(float(r["new_mw"]), 0.0)
    return "\n".join(
        [
            f"{r['link']}: {a} – {b}",
            f"capacity {existing + new:,.0f} MW (existing {existing:,.0f}, new {new:,.0f})",
            f"flow {a}→{b} {fwd:,.2f} TWh/yr, {b}→{a} {bwd:,.2f} TWh/yr ({net_text})",
            f"utilisation {float(r['utilisation']):.0%}",
            f"congestion rent USD {float(r.get('congestion_rent_usd', 0.0)) / 1e6:,.1f} M/yr",
            f"price {a} {_price(zones, a)}, {b} {_price(zones, b)}",
        ]
    )


def _link_svg(r: pd.Series, zones: pd.DataFrame, proj: _Projection, width: float, offset: float) -> str:
    """One link: a line coloured by utilisation (width ∝ capacity), a vermillion dashed core for new capacity,
    an arrow head for the net flow, and its tooltip; ``offset`` shifts parallel links apart (user units)."""
    a, b = str(r["zone_from"]), str(r["zone_to"])
    (x1, y1), (x2, y2) = (proj.xy(float(zones.at[z, "lon"]), float(zones.at[z, "lat"])) for z in (a, b))
    length = math.hypot(x2 - x1, y2 - y1) or 1.0
    ux, uy = (x2 - x1) / length, (y2 - y1) / length
    x1, y1, x2, y2 = x1 - uy * offset, y1 + ux * offset, x2 - uy * offset, y2 + ux * offset
    cap, new = float(r["existing_mw"]) + max(float(r["new_mw"]), 0.0), max(float(r["new_mw"]), 0.0)
    line = f'x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"'
    if cap <= 0.5:
        parts = [f'<line {line} stroke="#8c8c8c" stroke-width="1.5" stroke-dasharray="2 3"/>']
    else:
        colour = to_hex(mpl.colormaps["cividis"](min(max(float(r["utilisation"]), 0.0), 1.0)))
        parts = [
            f'<line {line} stroke="#333" stroke-width="{width + 2:.1f}"/>',
            f'<line {line} stroke="{colour}" stroke-width="{width:.1f}"/>',
        ]
        if new > 0.5:
            core = max(1.5, width * new / cap * 0.6)
            parts.append(
                f'<line {line} stroke="{MAP_COLOURS["new"]}" stroke-width="{core:.1f}" stroke-dasharray="6 4"/>'
            )
    net = float(r.get("flow_forward_twh", 0.0)) - float(r.get("flow_backward_twh", 0.0))
    gross = float(r.get("flow_forward_twh", 0.0)) + float(r.get("flow_backward_twh", 0.0))
    if gross > 0 and abs(net) > 0.02 * gross:
        s = 1.0 if net > 0 else -1.0
        h = 7.0 + 0.5 * width
        mx, my = (x1 + x2) / 2 + s * ux * h / 2, (y1 + y2) / 2 + s * uy * h / 2
        pts = [(mx, my), (mx - s * ux * h - uy * h / 2, my - s * uy * h + ux * h / 2)]
        pts.append((mx - s * ux * h + uy * h / 2, my - s * uy * h - ux * h / 2))
        d = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) + "Z"
        parts.append(f'<path d="{d}" fill="{MAP_COLOURS["flow"]}" stroke="white" stroke-width="0.8"/>')
    tip = html.escape(link_tooltip(r, zones))
    return f'<g class="link" data-link="{html.escape(str(r["link"]))}"><title>{tip}</title>{"".join(parts)}</g>'


def _zone_svg(zone: str, z: pd.Series, proj: _Projection, radius: float) -> str:
    """One zone: a white circle (area ∝ demand), its code and a tooltip with name, price and demand."""
    x, y = proj.xy(float(z["lon"]), float(z["lat"]))
    name = f" ({z['name']})" if "name" in z and isinstance(z["name"], str) else ""
    price = z.get("price_avg_usd_per_mwh", float("nan"))
    demand = z.get("demand_twh", float("nan"))
    tip = f"{zone}{name}\naverage price {price:,.1f} USD/MWh\ndemand {demand:,.1f} TWh/yr"
    return (
        f'<g class="zone" data-zone="{html.escape(zone)}"><title>{html.escape(tip)}</title>'
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="white" stroke="#1a1a1a" stroke-width="1.5"/>'
        f'<text x="{x + radius + 3:.1f}" y="{y - radius - 2:.1f}">{html.escape(zone)}</text></g>'
    )


def map_svg(data: MapData, proj: _Projection, ref: str) -> str:
    """One scenario's interactive map: the shared basemap, one ``g.link`` per link and one ``g.zone`` per zone."""
    zones, links = data.zones, data.links
    known = links[links["zone_from"].isin(zones.index) & links["zone_to"].isin(zones.index)]
    if len(known) < len(links):
        log.warning(
            "%s: %d link(s) join a zone without coordinates; not on the map", data.scenario, len(links) - len(known)
        )
    cap = known["existing_mw"].astype(float) + known["new_mw"].astype(float).clip(lower=0.0)
    cap_max = float(cap.max()) if len(cap) and cap.max() > 0 else 1.0
    pair = [tuple(sorted((a, b))) for a, b in zip(known["zone_from"], known["zone_to"], strict=True)]
    seen: dict[tuple, int] = {}
    items = []
    for (_, r), mw, key in zip(known.iterrows(), cap, pair, strict=True):
        i = seen[key] = seen.get(key, -1) + 1
        width = 2.0 + 14.0 * float(mw) / cap_max
        offset = 0.0 if i == 0 else (-1.0) ** i * (8.0 + width) * ((i + 1) // 2)  # parallel links side by side
        items.append(_link_svg(r, zones, proj, width, offset))
    demand = zones["demand_twh"].fillna(0.0) if "demand_twh" in zones else pd.Series(0.0, zones.index)
    d_max = float(demand.max()) if demand.max() > 0 else 1.0
    for zone, z in zones.iterrows():
        items.append(_zone_svg(str(zone), z, proj, 5.0 + 13.0 * math.sqrt(float(demand[zone]) / d_max)))
    sid = f"map-{_safe_name(data.scenario)}"
    return (
        f'<svg class="netmap" id="{sid}" viewBox="0 0 {MAP_WIDTH:g} {proj.height:.1f}" '
        f'data-links="{len(known)}" role="img" aria-label="Network map, {html.escape(data.scenario)}">'
        f'<use href="#{ref}"/><g class="links">{"".join(items[: len(known)])}</g>'
        f'<g class="zones">{"".join(items[len(known) :])}</g></svg>'
    )


def _map_legend() -> str:
    """The key under the interactive maps: the utilisation colour scale and the marks."""
    stops = ", ".join(to_hex(mpl.colormaps["cividis"](t)) for t in np.linspace(0.0, 1.0, 6))
    return (
        '<div class="map-legend"><span class="scale" style="background:linear-gradient(to right, '
        f'{stops})"></span> utilisation 0 → 100 % · line width ∝ capacity · '
        f'<span style="color:{MAP_COLOURS["new"]}">dashed core</span>: new capacity · ▶ net flow · '
        "dotted grey: candidate not built · circle area ∝ demand · dashed grey: country borders</div>"
    )


def maps_section(out_dir: Path, scenarios: Sequence[str], nums: FigureNumbers) -> str:
    """One interactive map per scenario (pan: drag; zoom: wheel or the buttons; a tooltip on every link and
    zone), built from each scenario's results folder in ``out_dir``; empty when no folder has the tables."""
    data = [d for n in scenarios if (d := read_map_data(out_dir / n, n)) is not None]
    data = [d for d in data if {"lat", "lon"} <= set(d.zones.columns) and len(d.zones)]
    if not data:
        return ""
    zones = pd.concat([d.zones[["lat", "lon"]] for d in data])
    proj = _Projection.of(zones[~zones.index.duplicated()])
    ref = "basemap"
    out = [basemap_defs(proj, ref)]
    for d in data:
        sid = f"map-{_safe_name(d.scenario)}"
        caption = nums.caption(
            f"fig-{sid}",
            f"Interactive network map, {d.scenario}: hover over a link or a zone for its numbers; "
            "drag to pan, scroll or use the buttons to zoom.",
        )
        controls = (
            f'<div class="controls" data-map="{sid}"><button type="button" data-zoom="in" title="zoom in">+</button>'
            '<button type="button" data-zoom="out" title="zoom out">−</button>'
            '<button type="button" data-zoom="reset" title="whole map">reset</button>'
            '<span class="map-info" aria-live="polite"></span></div>'
        )
        out.append(f'<figure id="fig-{sid}" class="map">{controls}{map_svg(d, proj, ref)}{caption}</figure>')
    return "\n".join(out) + _map_legend()


PANZOOM_JS = """
(function () {
  function setup(svg) {
    var init = svg.getAttribute('viewBox').split(' ').map(Number), v = init.slice(), drag = null;
    function apply() { svg.setAttribute('viewBox', v.map(function (x) { return x.toFixed(2); }).join(' ')); }
    function clamp() {
      v[0] = Math.max(init[0], Math.min(v[0], init[0] + init[2] - v[2]));
      v[1] = Math.max(init[1], Math.min(v[1], init[1] + init[3] - v[3]));
    }
    function at(e) {
      var p = svg.createSVGPoint(); p.x = e.clientX; p.y = e.clientY;
      return p.matrixTransform(svg.getScreenCTM().inverse());
    }
    function zoom(f, cx, cy) {
      var w = Math.min(init[2], Math.max(init[2] / 16, v[2] * f)), k = w / v[2];
      v = [cx - (cx - v[0]) * k, cy - (cy - v[1]) * k, v[2] * k, v[3] * k]; clamp(); apply();
    }
    svg.addEventListener('wheel', function (e) {
      e.preventDefault(); var p = at(e); zoom(e.deltaY < 0 ? 0.8 : 1.25, p.x, p.y);
    }, {passive: false});
    svg.addEventListener('pointerdown', function (e) { drag = at(e); });
    svg.addEventListener('pointermove', function (e) {
      if (!drag) return; var p = at(e);
      v[0] -= p.x - drag.x; v[1] -= p.y - drag.y; clamp(); apply();
    });
    ['pointerup', 'pointerleave'].forEach(function (t) { svg.addEventListener(t, function () { drag = null; }); });
    var bar = document.querySelector('.controls[data-map="' + svg.id + '"]');
    var info = bar && bar.querySelector('.map-info');
    if (bar) bar.addEventListener('click', function (e) {
      var z = e.target.getAttribute('data-zoom'); if (!z) return;
      if (z === 'reset') { v = init.slice(); apply(); return; }
      zoom(z === 'in' ? 0.7 : 1 / 0.7, v[0] + v[2] / 2, v[1] + v[3] / 2);
    });
    svg.querySelectorAll('.link, .zone').forEach(function (g) {
      g.addEventListener('mouseenter', function () {
        if (info) info.textContent = g.querySelector('title').textContent.replace(/\\n/g, ' · ');
      });
    });
    svg.setAttribute('data-panzoom', 'ready');
  }
  document.querySelectorAll('svg.netmap').forEach(setup);
})();
"""
"""Pan and zoom for every ``svg.netmap`` (viewBox changes, clamped to the whole map); marks each map
``data-panzoom="ready"`` once its handlers are attached."""

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:1100px;margin:2em auto;
padding:0 1em;line-height:1.45}
h1{font-size:1.7em;margin-bottom:.2em}h2{margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
nav.toc{background:#f6f6f4;border:1px solid #e2e2dc;padding:.6em 1.2em;margin:1em 0 2em}
nav.toc h2{margin:.2em 0;border:0;font-size:1.1em}nav.toc ol{margin:.2em 0}nav.toc ol ol{font-size:.9em}
table{border-collapse:collapse;font-size:.85em;margin:.6em 0}td,th{border:1px solid #ccc;padding:3px 6px;
text-align:right}th{background:#eee}td:first-child,th:first-child{text-align:left}
figure{margin:1.2em 0;break-inside:avoid}figure img{max-width:100%;height:auto;display:block;margin:auto}
figcaption{font-size:.9em;color:#333;margin-top:.4em}
svg.netmap{width:100%;height:auto;max-height:85vh;display:block;border:1px solid #ccc;touch-action:none;cursor:grab;
background:#fff}
svg.netmap text{font:bold 15px sans-serif;paint-order:stroke;stroke:white;stroke-width:4px;pointer-events:none}
svg.netmap .link:hover line:first-of-type{stroke:#000}svg.netmap .zone:hover circle{stroke-width:3}
svg.defs{position:absolute}
.controls{display:flex;gap:.3em;align-items:center;margin-bottom:.3em}.controls button{min-width:2.2em}
.map-info{font-size:.85em;color:#333;margin-left:.6em}
.map-legend{font-size:.85em;margin:.5em 0 1.5em}.map-legend .scale{display:inline-block;width:8em;height:.8em;
vertical-align:middle;border:1px solid #999}
@page{size:A4;margin:14mm}
@media print{
body{max-width:none;margin:0;padding:0;font-size:10pt}
nav.toc{break-after:page}
section{break-before:page}section:first-of-type{break-before:auto}
.controls,.map-info{display:none}
svg.netmap{max-height:none;border:0}
table{font-size:7.5pt}a{color:inherit;text-decoration:none}
}
"""
"""The report's stylesheet, print rules included (A4, a page per section, no map controls)."""


def toc(sections: Sequence[Section], nums: FigureNumbers) -> str:
    """Table of contents: the numbered sections, then the list of figures."""
    items = "".join(f'<li><a href="#{s.id}">{html.escape(s.title)}</a></li>' for s in sections)
    figs = "".join(f'<li><a href="#{a}">Figure {n}</a>: {html.escape(t.split(":")[0])}</li>' for n, a, t in nums.titles)
    figures = f"<h2>Figures</h2><ol>{figs}</ol>" if figs else ""
    return f'<nav class="toc"><h2>Contents</h2><ol>{items}</ol>{figures}</nav>'


def render(title: str, intro: str, sections: Sequence[Section], nums: FigureNumbers) -> str:
    """The whole document: title, introduction, contents, sections; inline style and script only."""
    body = "".join(
        f'<section id="{s.id}"><h2>{i}. {html.escape(s.title)}</h2>{s.body}</section>'
        for i, s in enumerate(sections, 1)
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>{intro}{toc(sections, nums)}{body}"
        f"<script>{PANZOOM_JS}</script></body></html>\n"
    )


def page(title: str, body_html: str) -> str:
    """A whole self-contained HTML document around a fragment (the report's style, no script)."""
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>{body_html}</body></html>\n"
    )
