"""Hostile inputs: random damage to every table and to scenario files ends in a valid run or the promised
one-line InputError — never another exception, a traceback or a hang."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grid_model.dataset import load_dataset, write_dataset
from grid_model.errors import GridModelError, InputError
from grid_model.pipeline import solve_dataset

TABLES = [
    "zones.csv",
    "fuels.csv",
    "technologies.csv",
    "generators.csv",
    "storage.csv",
    "hydro.csv",
    "links.csv",
    "fuel_subsidies.csv",
    "timeseries/timesteps.csv",
    "timeseries/demand_mw.csv",
    "timeseries/availability_pu.csv",
    "timeseries/inflow_mw_2023.csv",
]
VALUES = [
    "",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "-1",
    "0",
    "1e308",
    "-1e308",
    "abc",
    "∞",
    " ",
    "1,5",
    "true",
    "XX",
    "0.5",
    "9999999",
    "AA",
    "gas",
    '"',
    "é",
]


@pytest.fixture(scope="module")
def valid(tmp_path_factory) -> Path:
    tables = {
        "zones": [{"zone": "AA"}, {"zone": "BB"}],
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 20, "co2_t_per_mwh_th": 0.2}],
        "technologies": [
            {"technology": "ccgt", "category": "gas", "fuel": "gas", "efficiency_pu": 0.5},
            {"technology": "solar", "category": "solar", "renewable": True, "capex_usd_per_kw": 700},
            {"technology": "battery", "category": "storage", "capex_usd_per_kw": 300},
            {"technology": "hydro_reservoir", "category": "hydro", "renewable": True},
        ],
        "generators": [
            {"generator": "AA-ccgt", "zone": "AA", "technology": "ccgt", "p_nom_mw": 100},
            {
                "generator": "BB-solar",
                "zone": "BB",
                "technology": "solar",
                "p_nom_mw": 10,
                "p_nom_max_mw": 100,
                "profile": "sun",
            },
        ],
        "storage": [
            {
                "storage": "BB-bat",
                "zone": "BB",
                "technology": "battery",
                "p_nom_mw": 0,
                "p_nom_max_mw": 50,
                "max_hours": 2,
            }
        ],
        "hydro": [
            {
                "hydro": "AA-res",
                "zone": "AA",
                "technology": "hydro_reservoir",
                "p_nom_mw": 50,
                "energy_mwh": 500,
                "inflow": "AA-res",
            }
        ],
        "links": [
            {
                "link": "AA-BB",
                "zone_from": "AA",
                "zone_to": "BB",
                "kind": "AC",
                "status": "existing",
                "p_nom_mw": 50,
                "length_km": 100,
            }
        ],
        "fuel_subsidies": [{"zone": "AA", "fuel": "gas", "subsidy_usd_per_mwh_th": 2}],
    }
    return write_dataset(
        tmp_path_factory.mktemp("fuzz") / "ds",
        tables,
        {"AA": [50, 60, 70, 60], "BB": [20, 30, 20, 10]},
        availability_pu={"sun": [0, 0.5, 1, 0.2]},
        inflow_mw={"AA-res": [10, 10, 20, 20]},
    )


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@st.composite
def damage(draw):
    table = draw(st.sampled_from(TABLES))
    kind = draw(
        st.sampled_from(
            [
                "cell",
                "cell",
                "cell",
                "drop_row",
                "drop_column",
                "dup_row",
                "empty",
                "latin1",
                "truncate",
                "extra_column",
                "swap_rows",
            ]
        )
    )
    return table, kind, draw(st.integers(0, 50)), draw(st.integers(0, 50)), draw(st.sampled_from(VALUES))


def _apply(folder: Path, table: str, kind: str, i: int, j: int, value: str) -> None:
    path = folder / table
    lines = _lines(path)
    header, rows = lines[0].split(","), [r.split(",") for r in lines[1:]]
    if kind == "cell" and rows:
        r = rows[i % len(rows)]
        r[j % len(r)] = value
    elif kind == "drop_row" and rows:
        rows.pop(i % len(rows))
    elif kind == "drop_column":
        k = j % len(header)
        header.pop(k)
        for r in rows:
            if k < len(r):
                r.pop(k)
    elif kind == "dup_row" and rows:
        rows.append(list(rows[i % len(rows)]))
    elif kind == "empty":
        path.write_text("")
        return
    elif kind == "latin1":
        path.write_bytes((lines[0] + "\n" + "é,1\n").encode("latin-1"))
        return
    elif kind == "truncate":
        text = path.read_text()
        path.write_text(text[: max(1, (i * 7) % len(text))])
        return
    elif kind == "extra_column":
        header.append("unexpected")
        for r in rows:
            r.append("1")
    elif kind == "swap_rows" and len(rows) > 1:
        rows[0], rows[-1] = rows[-1], rows[0]
    path.write_text("\n".join(",".join(r) for r in [header, *rows]) + "\n")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(damage())
@example(dmg=("fuels.csv", "cell", 0, 1, "1e308"))  # found by this test: an overflowing cost gave a NaN breakdown
def test_damaged_tables_give_a_run_or_one_line_error(valid, dmg):
    work = Path(tempfile.mkdtemp())
    try:
        folder = work / "ds"
        shutil.copytree(valid, folder)
        _apply(folder, *dmg)
        try:
            ds = load_dataset(folder)
        except InputError as exc:
            msg = str(exc)
            assert msg and "\n" not in msg and "Traceback" not in msg
            return
        try:
            res = solve_dataset(ds)
        except GridModelError as exc:  # e.g. a 1e308 capacity HiGHS cannot use: still a clear message
            assert "\n" not in str(exc)
            return
        assert res.summary["status"] == "optimal"
        assert res.summary["objective_usd"] == pytest.approx(
            sum(res.summary["cost_breakdown_usd"].values()), rel=1e-6, abs=1e-3
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


SCENARIO_KEYS = [
    "name",
    "dataset",
    "year",
    "hydrology",
    "time",
    "links",
    "expansion",
    "subsidies",
    "policy",
    "discount_rate",
    "tie_break_usd_per_mwh",
    "solver",
    "overrides",
    "extends",
    "bogus",
]
SCENARIO_VALUES = [
    None,
    0,
    -1,
    1.5,
    "x",
    "",
    [],
    {},
    {"mode": "typical"},
    {"mode": "nope"},
    [1, 2],
    "../../../etc",
    {"carbon_price_usd_per_t": -5},
    {"fuel": "maybe"},
    {"table": "fuels"},
    1e308,
    True,
]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(SCENARIO_KEYS), st.sampled_from(SCENARIO_VALUES), max_size=4))
def test_damaged_scenarios_give_one_line_error(data):
    import yaml

    from grid_model.scenario import apply_scenario, load_scenario

    work = Path(tempfile.mkdtemp())
    try:
        p = work / "s.yaml"
        p.write_text(yaml.safe_dump({"name": "s", "dataset": str(Path("data/example").resolve()), **data}))
        try:
            sc = load_scenario(p)
            apply_scenario(load_dataset(sc.dataset_path(), sc.hydrology), sc)
        except InputError as exc:
            assert "\n" not in str(exc) and str(exc)
    finally:
        shutil.rmtree(work, ignore_errors=True)
