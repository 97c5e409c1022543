"""The shipped Pacific dataset (data/pacific) matches the schema, its calibration targets, and its generator.

Fast (a few seconds): the regeneration test rebuilds the whole dataset into a temporary folder.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grid_model import schema
from grid_model.datagen import build
from grid_model.datagen.common import ZONES, capacity, owid_value
from grid_model.datagen.hydro import HYDROLOGIES
from grid_model.datagen.targets import vre_target

DATA = Path(__file__).resolve().parents[1] / "data" / "pacific"
TS = DATA / "timeseries"
OVERRIDES = "calibration_2023_overrides.csv"
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SERIES = ["timesteps.csv", "demand_mw.csv", "availability_pu.csv"] + [f"inflow_mw_{h}.csv" for h in HYDROLOGIES]


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


@pytest.mark.parametrize("table", schema.TABLES, ids=lambda t: t.name)
def test_static_table_matches_schema_and_has_sources(table):
    df = _read(DATA / table.file)
    assert list(df.columns) == [c.name for c in table.columns], f"{table.file}: header differs from schema"
    assert len(df) > 0 or table.optional
    for c in table.columns:
        if c.required:
            assert df[c.name].notna().all(), f"{table.file}: required column {c.name} has empty cells"
        if c.allowed:
            assert set(df[c.name].dropna()) <= set(c.allowed)
        if c.dtype == "float" and df[c.name].notna().any():
            v = df[c.name].dropna().astype(float)
            if c.min is not None:
                assert (v > c.min).all() if c.min_exclusive else (v >= c.min).all(), f"{table.file}:{c.name} below min"
            if c.max is not None:
                assert (v <= c.max).all(), f"{table.file}:{c.name} above max"
    assert df["source"].astype(str).str.strip().ne("").all(), f"{table.file}: a row has no source"
    if table.key:
        assert not df.duplicated(list(table.key)).any()


def test_the_project_loader_accepts_every_hydrology():
    from grid_model.dataset import load_dataset, validate_dataset

    for h in HYDROLOGIES:
        validate_dataset(load_dataset(DATA, hydrology=h))


def test_timesteps_cover_the_base_year():
    t = _read(TS / "timesteps.csv")
    assert list(t.columns) == ["timestep", "datetime", "weight_h"]
    assert (t["timestep"].to_numpy() == np.arange(8760)).all()
    assert t["weight_h"].sum() == 8760
    assert t["datetime"].iloc[0] == "2023-01-01T00:00:00-05:00"
    assert t["datetime"].iloc[-1] == "2023-12-31T23:00:00-05:00"


def test_demand_matches_ember_2023_per_zone():
    d = _read(TS / "demand_mw.csv")
    assert list(d.columns) == ["timestep", *ZONES]
    for z in ZONES:
        target = owid_value(z, 2023, "electricity_demand") * 1e6
        assert d[z].sum() == pytest.approx(target, rel=1e-3), z
        assert (d[z] > 0).all()


def test_solar_and_wind_profiles_hit_their_target_capacity_factor():
    a = _read(TS / "availability_pu.csv")
    gens = _read(DATA / "generators.csv")
    profiles = set(gens["profile"].dropna()) - {""}
    assert profiles <= set(a.columns)
    for z in ZONES:
        for tech in ("solar", "onwind"):
            col = a[f"{z}-{tech}"]
            assert col.between(0, 1).all()
            cf, _ = vre_target(z, tech)
            assert abs(col.mean() - cf) < 0.005, f"{z}-{tech}: {col.mean():.4f} vs {cf:.4f}"


def test_inflows_are_named_in_hydro_table_and_let_2023_hydro_be_reached():
    hyd = _read(DATA / "hydro.csv")
    for h in HYDROLOGIES:
        q = _read(TS / f"inflow_mw_{h}.csv")
        assert set(hyd["inflow"]) <= set(q.columns)
        assert (q.drop(columns="timestep") >= 0).all().all()
    q = _read(TS / "inflow_mw_2023.csv")
    for z in ZONES:
        pr = hyd[(hyd.zone == z) & (hyd.technology == "run_of_river")].iloc[0]
        pres = hyd[(hyd.zone == z) & (hyd.technology == "hydro_reservoir")].iloc[0]
        reach = np.minimum(q[pr["inflow"]], pr["p_nom_mw"]).sum() + min(
            q[pres["inflow"]].sum(), pres["p_nom_mw"] * 8760
        )
        target = owid_value(z, 2023, "hydro_electricity") * 1e6
        assert reach == pytest.approx(target, rel=2e-3), z
        assert pr["p_nom_mw"] + pres["p_nom_mw"] == pytest.approx(capacity(z, "hydro"), abs=0.2)


def test_existing_capacity_is_the_irena_2023_stock():
    gens = _read(DATA / "generators.csv")
    tech = {
        "ccgt": "gas",
        "coal": "coal",
        "oil": "oil",
        "nuclear": "nuclear",
        "geothermal": "geothermal",
        "bioenergy": "bioenergy",
        "solar": "solar",
        "onwind": "wind",
    }
    for z in ZONES:
        g = gens[gens.zone == z]
        for t, cat in tech.items():
            got = g.loc[g.technology == t, "p_nom_mw"].sum()
            assert got == pytest.approx(capacity(z, cat), abs=0.1), f"{z}-{t}"


def test_regeneration_reproduces_the_shipped_files_byte_for_byte(tmp_path):
    build.build(tmp_path)
    for t in schema.TABLES:
        assert (tmp_path / t.file).read_bytes() == (DATA / t.file).read_bytes(), t.file
    for f in SERIES:
        assert (tmp_path / "timeseries" / f).read_bytes() == (TS / f).read_bytes(), f
    assert (tmp_path / OVERRIDES).read_bytes() == (DATA / OVERRIDES).read_bytes(), OVERRIDES


def test_data_readme_is_generated_from_the_shipped_dataset():
    report = (DATA / "CALIBRATION.md").read_text(encoding="utf-8")
    readme = (DATA.parent / "README.md").read_text(encoding="utf-8")
    assert readme == build.readme(DATA, report), "data/README.md is stale: run python -m grid_model.datagen.build"


def test_generators_carry_only_technical_year_independent_floors():
    """The 2023 dispatch floors and availability limits must not leak into planning years: generators.csv keeps
    only the technical nuclear must-run; fossil fleets have no floor and no availability limit."""
    g = _read(DATA / "generators.csv")
    floored = g[g["min_output_pu"].fillna(0) > 0]
    assert set(floored["technology"]) <= {"nuclear"}, floored["generator"].tolist()
    assert floored["source"].str.contains("technical must-run").all()
    fossil = g[g["technology"].isin(["ccgt", "ocgt", "coal", "oil"])]
    assert fossil["availability_pu"].isna().all(), fossil.loc[fossil["availability_pu"].notna(), "generator"].tolist()
    assert not g["source"].str.contains("base-year dispatch floor").any()


def test_base_year_dispatch_layer_is_a_sourced_overrides_file_used_only_by_the_calibration():
    from grid_model.scenario import load_scenario

    o = _read(DATA / OVERRIDES)
    assert list(o.columns) == ["table", "id", "column", "value", "source"]
    assert len(o) > 0 and set(o["table"]) == {"generators", "links"}
    assert o["value"].between(0, 1).all() and not o.duplicated(["table", "id", "column"]).any()
    assert o["source"].str.strip().ne("").all() and o["source"].str.contains("2023").all()
    # how the existing links were operated in 2023: operable shares of existing links only
    lk = o[o["table"] == "links"]
    links = _read(DATA / "links.csv").set_index("link")
    assert set(lk["column"]) <= {"p_max_pu_fwd", "p_max_pu_rev"}
    assert (links.loc[list(lk["id"]), "status"] == "existing").all()
    o = o[o["table"] == "generators"]
    assert set(o["column"]) == {"min_output_pu", "availability_pu"}
    gens = _read(DATA / "generators.csv").set_index("generator")
    assert set(o["id"]) <= set(gens.index)
    assert set(gens.loc[list(o["id"]), "technology"]) <= {"ccgt", "coal", "oil"}
    # every existing oil fleet with 2023 output is floored; EC gas carries its 2023 availability limit
    oil = gens[(gens["technology"] == "oil") & (gens["p_nom_mw"] > 0)].index
    assert set(oil) <= set(o.loc[o["column"] == "min_output_pu", "id"])
    assert "EC-ccgt" in set(o.loc[o["column"] == "availability_pu", "id"])
    calib = load_scenario(SCENARIOS / "calibration_2023.yaml")
    assert calib.overrides_file and Path(calib.overrides_file) == (DATA / OVERRIDES).resolve()
    for name in ("base", "interconnect", "no_subsidies", "integrated"):
        sc = load_scenario(SCENARIOS / f"{name}.yaml")
        assert sc.overrides_file is None, name
        assert not any(ov.column == "min_output_pu" for ov in sc.overrides), name


# ------------------------------------------------------------------ pathway inputs (issue 15)
PATHWAY_FILES = ("cost_trajectories.csv", "retirements.csv", "commissioning.csv")
FLAG = r"(?:\(R\)|R-press|\(D\)|\bD:|\bJ\b|\bJ:|\(U\)|\bU\b|\(R,|, R\))"


def test_pathway_tables_are_generated_and_every_row_is_sourced():
    tables = build.pathway_tables()
    for name in PATHWAY_FILES:
        shipped = DATA / name
        buf = tables[name].to_csv(index=False, lineterminator="\n")
        assert shipped.read_text(encoding="utf-8") == buf, f"{name} is stale: run python -m grid_model.datagen.build"
        src = tables[name]["source"].astype(str)
        assert src.str.strip().ne("").all(), name
        assert src.str.contains(FLAG).all(), f"{name}: a source without a reliability flag"


def test_age_schedule_by_hand():
    from grid_model.datagen.pathway import age_schedule

    flat = pd.Series(100.0, index=range(2015, 2024))
    # L = 10: 10 MW of the 2015 stock reach end of life each year 2016-2025; each year's 10 MW of replacement
    # (net change 0 + 10) retires at build year + 10 -> 10 MW a year from 2024 to 2033
    sched, info = age_schedule(flat, 10, 2050)
    assert sched == {y: pytest.approx(10.0) for y in range(2024, 2034)}
    assert info["pre_alive"] == pytest.approx(20.0) and info["added"] == pytest.approx(80.0)
    # a 50 MW drop in 2020 is 40 MW more than ageing: the 20 MW of pre-2015 capacity still alive goes first, then
    # the oldest vintages (2016, 2017); 2020 adds nothing
    drop = pd.Series([100.0] * 5 + [50.0] * 4, index=range(2015, 2024))
    sched, _ = age_schedule(drop, 10, 2050)
    assert sched == {y: pytest.approx(10.0) for y in (2028, 2029, 2031, 2032, 2033)}
    assert sum(age_schedule(drop, 10, 2030)[0].values()) == pytest.approx(20.0)  # horizon cuts the tail


def test_retirements_never_exceed_the_existing_fleet_and_spare_hydro_and_geothermal():
    r = _read(DATA / "retirements.csv")
    g = _read(DATA / "generators.csv").set_index(["zone", "technology"])["p_nom_mw"]
    tot = r.groupby(["zone", "technology"])["retired_mw"].sum()
    assert (tot <= g.reindex(tot.index) + 1e-9).all()
    assert r["year"].between(2024, 2050).all() and (r["retired_mw"] > 0).all()
    assert not set(r["technology"]) & {"hydro_reservoir", "run_of_river", "geothermal"}
    cl = r[(r.zone == "CL") & (r.technology == "coal")]
    assert cl["retired_mw"].sum() == pytest.approx(g[("CL", "coal")])  # the whole fleet by the 2040 phase-out
    assert cl.loc[cl.year <= 2026, "retired_mw"].sum() == pytest.approx(g[("CL", "coal")] - 2800.0)  # CEN 2,800
    assert not ((r.zone == "MX") & (r.technology == "nuclear")).any()  # licences to 2050 / 2055


def test_cost_factors_are_one_in_each_base_year_and_flat_rows_say_why():
    from grid_model.datagen.pathway import spec

    c = _read(DATA / "cost_trajectories.csv")
    assert set(c["technology"]) == set(_read(DATA / "technologies.csv")["technology"]) | {"link"}
    assert sorted(set(c["year"])) == [2025, 2030, 2035, 2040, 2045, 2050]
    for tech, e in spec()["cost_map"].items():
        rows = c[c.technology == tech].set_index("year")
        assert rows.loc[e["base_year"], "capex_factor"] == 1.0, tech
        if (rows["capex_factor"] == 1.0).all():
            assert rows["source"].str.startswith("J: flat").all(), tech
    solar = c[c.technology == "solar"].set_index("year")["capex_factor"]
    assert solar.is_monotonic_decreasing and solar[2040] == pytest.approx(403.3839 / 482.4785, abs=1e-4)


def test_commissioning_names_existing_assets():
    cm = _read(DATA / "commissioning.csv")
    links = _read(DATA / "links.csv").set_index("link")
    ids = {
        "generator": set(_read(DATA / "generators.csv")["generator"]),
        "hydro": set(_read(DATA / "hydro.csv")["hydro"]),
    }
    assert set(cm["mode"]) <= {"committed", "earliest"} and set(cm["kind"]) <= {"link", "generator", "hydro"}
    for r in cm.itertuples():
        if r.kind == "link":
            assert links.loc[r.asset, "status"] == "candidate" and r.mw == links.loc[r.asset, "project_mw"]
        else:
            assert r.asset in ids[r.kind]
            assert r.kind != "hydro" or r.mode == "committed"  # hydro is not expanded: it can only be committed
    assert not cm.duplicated(["asset", "year"]).any()


def test_national_demand_growth_rates_are_applied_to_the_2023_level():
    d = _read(DATA / "demand_growth.csv").set_index(["zone", "year"])["demand_twh"]
    for zone, rate in (("CO", 0.023), ("PE", 0.03), ("CL", 0.028), ("MX", (495781 / 358670) ** (1 / 14) - 1)):
        for y in (2030, 2035, 2040):
            assert d[(zone, y)] == pytest.approx(d[(zone, 2023)] * (1 + rate) ** (y - 2023), abs=1e-3), (zone, y)
    assert d[("EC", 2040)] == pytest.approx(d[("EC", 2023)] * 1.8 ** (17 / 24), abs=1e-3)  # regional rate kept
