"""Report figures: every figure is drawn from results folders alone and written as PNG (150 dpi) and SVG."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from grid_model import figures
from grid_model.compare import countries_table
from grid_model.pipeline import run_scenario_file
from grid_model.results import Results, read_results
from grid_model.schema import CATEGORIES

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "data" / "example"
SCENARIOS = {
    # the example case: candidate links optimised, subsidies kept
    "base": f"name: base\ndataset: {DATASET}\nyear: 2030\nhydrology: average\nlinks: {{mode: optimal}}\n",
    # the opposite corner: existing links only, fuel and electricity subsidies removed
    "no_subsidies": f"name: no_subsidies\ndataset: {DATASET}\nyear: 2030\nhydrology: average\n"
    "links: {mode: existing}\nsubsidies: {fuel: false, electricity: false}\n",
}
ALL_STEMS = {
    "network_map_base",
    "network_map_no_subsidies",
    "generation_mix",
    "cost_breakdown",
    "renewable_share",
    "price_duration",
    "dispatch_base_XA",
    "dispatch_no_subsidies_XA",
    "capacity_additions",
}


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Results]:
    """The example scenario and a variant, solved once and read back from their folders."""
    tmp = tmp_path_factory.mktemp("figure_runs")
    out: dict[str, Results] = {}
    for name, text in SCENARIOS.items():
        scenario = tmp / f"{name}.yaml"
        scenario.write_text(text)
        _, folder = run_scenario_file(scenario, tmp / name)
        assert (folder / "units.csv").exists()  # the dispatch stack maps units to zones and categories with it
        out[name] = read_results(folder)
    return out


@pytest.fixture(scope="module")
def drawn(results: dict[str, Results], tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return figures.draw_all(results, tmp_path_factory.mktemp("figures"), base="base")


def _check_files(paths: list[Path], size_in: tuple[float, float] | None = None) -> None:
    """Non-empty PNG (at 150 dpi when the figure size is given) and SVG files."""
    assert sorted(p.suffix for p in paths) == [".png", ".svg"]
    png, svg = sorted(paths)
    assert png.stat().st_size > 5_000 and svg.stat().st_size > 5_000
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in svg.read_bytes()[:1_000]
    if size_in is not None:
        with Image.open(png) as im:
            assert im.size == (round(size_in[0] * figures.DPI), round(size_in[1] * figures.DPI))


def test_draw_all_writes_every_figure_as_png_and_svg(drawn: list[Path]) -> None:
    assert len(drawn) == len(set(drawn)) == 2 * len(ALL_STEMS)
    assert {p.stem for p in drawn} == ALL_STEMS
    for stem in ALL_STEMS:
        _check_files([p for p in drawn if p.stem == stem])
    folder = drawn[0].parent
    assert sorted(folder.iterdir()) == sorted(drawn)  # nothing else written


def test_figures_leave_no_open_pyplot_figures(drawn: list[Path]) -> None:
    assert drawn
    assert plt.get_fignums() == []


FIGURES: dict[str, tuple[Callable[[dict[str, Results], Path], list[Path]], tuple[float, float] | None]] = {
    "network_map": (lambda r, out: figures.fig_network_map(r["no_subsidies"], out, label_links=True), None),
    "generation_mix": (figures.fig_generation_mix, (8.0, 4.5)),
    "cost_breakdown": (lambda r, out: figures.fig_cost_breakdown(r, out, base="no_subsidies"), None),
    "renewable_share": (figures.fig_renewable_share, (8.0, 4.5)),
    "price_duration": (lambda r, out: figures.fig_price_duration(r, out, zones=["XB", "XC"]), (8.0, 4.5)),
    "dispatch_stack": (
        lambda r, out: figures.fig_dispatch_stack(r["base"], "XB", out, start_step=24, n_steps=48),
        (8.0, 4.5),
    ),
    "capacity_additions": (figures.fig_capacity_additions, None),
}


@pytest.mark.parametrize("name", list(FIGURES))
def test_each_figure_function_writes_png_and_svg(name: str, results: dict[str, Results], tmp_path: Path) -> None:
    draw, size = FIGURES[name]
    paths = draw(results, tmp_path / "sub" / f"{name}.png")  # a suffix is dropped; folders are created
    assert {p.name for p in paths} == {f"{name}.png", f"{name}.svg"}
    _check_files(paths, size)


def test_out_may_be_a_directory(results: dict[str, Results], tmp_path: Path) -> None:
    paths = figures.fig_renewable_share(results, tmp_path)
    assert {p.name for p in paths} == {"renewable_share.png", "renewable_share.svg"}


def test_dispatch_terms_add_up_to_demand(results: dict[str, Results]) -> None:
    """Generation + storage (discharge − charge) + net imports after losses + unserved = demand, every step."""
    for res in results.values():
        for zone in ("XA", "XB", "XC"):
            terms = figures.dispatch_by_category(res, zone)
            demand = res.hourly["demand_mw"][zone]
            assert np.abs(terms.sum(axis=1) - demand).max() < 1e-4 * demand.max()
        assert (figures.dispatch_by_category(res, "XA")["storage charging"] <= 1e-9).all()


def test_renewable_share_by_flag_matches_the_summary(results: dict[str, Results]) -> None:
    for res in results.values():
        share = figures.renewable_share(res)
        assert share["All"] == pytest.approx(res.summary["renewable_share"], abs=1e-9)
        assert ((share >= 0) & (share <= 1)).all()


def _flagged_results(renewable: list[object]) -> Results:
    """Two zones by hand; in XA a hydro technology (a large dam) is flagged not renewable in technologies.csv."""
    generation = pd.DataFrame(
        {
            "zone": ["XA", "XA", "XA", "XB", "XB"],
            "technology": ["run_of_river", "large_dam", "ccgt", "onshore", "ccgt"],
            "category": ["hydro", "hydro", "gas", "wind", "gas"],
            "renewable": renewable,
            "non_conventional": [True, False, False, True, False],
            "generation_twh": [2.0, 6.0, 2.0, 1.0, 3.0],
        }
    )
    return Results(
        summary={"scenario": "flags"},
        tables={
            "zones": pd.DataFrame({"zone": ["XA", "XB"], "lon": [-75.0, -78.0], "lat": [5.0, -1.0]}),
            "links": pd.DataFrame(columns=["link", "zone_from", "zone_to", "loss_pu", "flow_forward_twh"]),
            "prices": pd.DataFrame(
                {"zone": ["XA", "XB"], "price_avg_usd_per_mwh": [50.0, 60.0], "demand_twh": [10.0, 4.0]}
            ).assign(unserved_twh=0.0),
            "emissions": pd.DataFrame({"zone": ["XA", "XB"], "co2_mt": [1.0, 1.5]}),
            "subsidies": pd.DataFrame(columns=["zone", "fiscal_cost_usd"]),
            "generation": generation,
        },
    )


@pytest.mark.parametrize(
    "renewable",
    [
        [True, False, False, True, False],
        ["True", "False", "false", "TRUE", "False"],  # as text, e.g. a table written by hand
    ],
)
def test_renewable_share_follows_the_technology_flag_not_the_category(renewable: list[object]) -> None:
    """A hydro technology flagged renewable=False is not counted, in the figure data and in countries.csv alike
    (counting by category would give XA 80 %, not 20 %)."""
    res = _flagged_results(renewable)
    share = figures.renewable_share(res)
    assert share["XA"] == pytest.approx(2.0 / 10.0)
    assert share["XB"] == pytest.approx(1.0 / 4.0)
    assert share["All"] == pytest.approx(3.0 / 14.0)
    countries = countries_table({"flags": res}, base="flags").set_index("zone")
    assert countries.loc["XA", "renewable_share"] == pytest.approx(2.0 / 10.0)
    assert countries.loc["XB", "renewable_share"] == pytest.approx(1.0 / 4.0)


def test_renewable_share_needs_the_flags(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Without the renewable column the share is refused, not guessed from categories; draw_all skips it."""
    res = _flagged_results([True] * 5)
    res.tables["generation"] = res.tables["generation"].drop(columns="renewable")
    with pytest.raises(ValueError, match="no 'renewable' column"):
        figures.renewable_share(res)
    with caplog.at_level(logging.WARNING, logger="grid_model.figures"):
        paths = figures.draw_all({"flags": res}, tmp_path, base="flags")
    assert "renewable share skipped" in caplog.text
    assert {p.stem for p in paths} == {"network_map_flags", "generation_mix"}


def test_price_duration_spans_the_year(results: dict[str, Results]) -> None:
    edges, prices = figures.price_duration(results["base"].hourly["price_usd_per_mwh"], "XA")
    assert edges[0] == 0 and edges[-1] == pytest.approx(8760.0)
    assert (np.diff(prices) <= 0).all()


def test_every_category_has_a_colour(results: dict[str, Results]) -> None:
    required = {*CATEGORIES, "unserved", "imports"}
    assert required <= set(figures.CATEGORY_COLOURS)
    assert len(set(figures.CATEGORY_COLOURS.values())) == len(figures.CATEGORY_COLOURS)
    for res in results.values():
        assert set(res.tables["capacity"]["category"]) <= set(figures.CATEGORY_COLOURS)


def test_parallel_links_share_one_corridor() -> None:
    links = pd.DataFrame(
        {
            "link": ["A-B", "B-A-2", "B-C"],
            "zone_from": ["A", "B", "B"],
            "zone_to": ["B", "A", "C"],
            "existing_mw": [100.0, 0.0, 50.0],
            "new_mw": [0.0, 300.0, 0.0],
            "utilisation": [1.0, 0.5, 0.2],
        }
    )
    c = figures.corridors(links).set_index(["zone_a", "zone_b"])
    assert len(c) == 2
    assert c.loc[("A", "B"), "capacity_mw"] == 400.0 and c.loc[("A", "B"), "new_mw"] == 300.0
    assert c.loc[("A", "B"), "utilisation"] == pytest.approx((100 * 1.0 + 300 * 0.5) / 400)


def test_corridors_carry_the_net_flow_between_their_ends() -> None:
    links = pd.DataFrame(
        {
            "link": ["A-B", "B-A-2"],
            "zone_from": ["A", "B"],
            "zone_to": ["B", "A"],
            "existing_mw": [100.0, 100.0],
            "new_mw": [0.0, 0.0],
            "utilisation": [0.5, 0.5],
            "flow_forward_twh": [1.0, 3.0],  # A→B 1, B→A 3 on the second circuit
            "flow_backward_twh": [0.5, 0.25],  # B→A 0.5, A→B 0.25
        }
    )
    c = figures.corridors(links).iloc[0]
    assert (c["zone_a"], c["zone_b"]) == ("A", "B")
    assert c["flow_ab_twh"] == pytest.approx(1.25) and c["flow_ba_twh"] == pytest.approx(3.5)
    assert c["net_ab_twh"] == pytest.approx(-2.25)


def test_map_shapes_are_read_offline_and_cut_to_the_box(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("the map shapes must not need the network")

    monkeypatch.setattr(socket, "socket", no_network)
    west, east, south, north = extent = (-92.0, -76.0, 6.0, 18.0)  # Central America
    shapes = figures.map_shapes(extent, resolution="c")
    for line in shapes.borders + shapes.coast:
        inside = (line[:, 0] >= west) & (line[:, 0] <= east) & (line[:, 1] >= south) & (line[:, 1] <= north)
        assert inside.any()
    assert len(shapes.borders) >= 5 and shapes.land
    for ring in shapes.land:
        assert ring[:, 0].min() >= west - 1e-6 and ring[:, 0].max() <= east + 1e-6


def test_network_map_draws_coastlines_and_country_borders(results: dict[str, Results], tmp_path: Path) -> None:
    ax = Figure().add_subplot()
    west, east, south, north = extent = (-85.0, -70.0, -15.0, 12.0)  # the example zones: 10° N to 12° S near 78° W
    drawn = figures.draw_basemap(ax, extent)
    segments = drawn["country-borders"].get_segments()
    in_box = [
        s for s in segments if ((s[:, 0] >= west) & (s[:, 0] <= east) & (s[:, 1] >= south) & (s[:, 1] <= north)).any()
    ]
    assert len(in_box) >= 5  # Panama, Colombia, Ecuador, Peru, Brazil... meet inside the box
    assert len(drawn["land"].get_paths()) > 0 and len(drawn["coastline"].get_segments()) > 0
    assert ax.get_xlim() == (0.0, 1.0)  # drawn without moving the axes limits
    # the network map itself draws them: the SVG names the groups after the artists' gids
    svg = next(p for p in figures.fig_network_map(results["base"], tmp_path) if p.suffix == ".svg").read_text()
    for gid in ("land", "coastline", "country-borders"):
        assert f'id="{gid}"' in svg, gid


def test_empty_inputs_are_skipped_with_a_warning(
    results: dict[str, Results], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    base = results["base"]
    bare = Results(
        summary=base.summary,
        tables={
            "zones": base.tables["zones"],
            "prices": base.tables["prices"],
            "generation": base.tables["generation"].iloc[0:0],
        },
    )
    with caplog.at_level(logging.WARNING, logger="grid_model.figures"):
        paths = figures.draw_all({"bare": bare}, tmp_path, base="bare")
    assert {p.stem for p in paths} == {"network_map_bare", "cost_breakdown"}
    for what in (
        "generation mix skipped",
        "price duration skipped",
        "dispatch stack skipped",
        "capacity additions skipped",
    ):
        assert what in caplog.text
