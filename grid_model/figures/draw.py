"""Every report figure at once, skipping (with a warning) what the results folders do not hold."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path

from grid_model.figures.costs import cost_breakdown, fig_cost_breakdown
from grid_model.figures.dispatch import fig_dispatch_stack, fig_price_duration
from grid_model.figures.map import fig_network_map
from grid_model.figures.mix import fig_capacity_additions, fig_generation_mix, fig_renewable_share
from grid_model.figures.style import _hourly, _require, _safe_name, _table
from grid_model.results import Results

log = logging.getLogger(__name__)


def _has(res: Results, name: str, hourly: bool = False) -> bool:
    """Whether a results table (or hourly frame) is present and not empty."""
    return not (_hourly(res, name) if hourly else _table(res, name)).empty


def _has_renewable_flags(res: Results) -> bool:
    """Whether ``generation.csv`` is not empty and carries each technology's ``renewable`` flag."""
    return _has(res, "generation") and "renewable" in _table(res, "generation")


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


def _largest_zone(results: Mapping[str, Results], base: str) -> str | None:
    """Zone with the largest annual demand in the base scenario (else the first scenario with demand)."""
    order = [base] + [n for n in results if n != base] if base in results else list(results)
    for n in order:
        prices = _table(results[n], "prices")
        if "demand_twh" in prices and len(prices):
            return str(prices.loc[prices["demand_twh"].astype(float).idxmax(), "zone"])
    return None


def _draw_dispatch_stacks(results: Mapping[str, Results], out_dir: Path, base: str) -> list[Path]:
    """The dispatch stack of the zone with the largest demand (first 168 timesteps), one per scenario."""
    dispatch = _with(
        results,
        "dispatch stack",
        lambda r: _has(r, "dispatch_mw", hourly=True) and _has(r, "units") and _has(r, "demand_mw", hourly=True),
        "hourly/dispatch_mw, hourly/demand_mw or units.csv",
    )
    zone = _largest_zone(results, base)
    if dispatch and zone is None:
        log.warning("dispatch stack skipped: no zone demand in prices.csv")
    paths: list[Path] = []
    for n, r in dispatch.items() if zone is not None else ():
        if zone not in _hourly(r, "demand_mw"):
            log.warning("dispatch stack: scenario '%s' has no zone %s; left out", n, zone)
            continue
        paths += fig_dispatch_stack(r, zone, out_dir / f"dispatch_{_safe_name(n)}_{_safe_name(zone)}", label=n)
    return paths


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
        ren = _with(gen, "renewable share", _has_renewable_flags, "the renewable column of generation.csv")
        if ren:
            paths += fig_renewable_share(ren, out_dir / "renewable_share")
    prices = _with(
        results_by_scenario,
        "price duration",
        lambda r: _has(r, "price_usd_per_mwh", hourly=True),
        "hourly/price_usd_per_mwh",
    )
    if prices:
        paths += fig_price_duration(prices, out_dir / "price_duration")
    paths += _draw_dispatch_stacks(results_by_scenario, out_dir, base)
    cap = _with(
        results_by_scenario,
        "capacity additions",
        lambda r: _has(r, "capacity") or _has(r, "links"),
        "capacity.csv and links.csv",
    )
    if cap:
        paths += fig_capacity_additions(cap, out_dir / "capacity_additions")
    return paths
