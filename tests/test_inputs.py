"""Every promised input error: one line naming file, row and column; non-zero exit; nothing written."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from grid_model.cli import app
from grid_model.dataset import load_dataset, write_dataset
from grid_model.errors import InputError


def _valid(tmp_path: Path) -> Path:
    tables = {
        "zones": [{"zone": "AA"}, {"zone": "BB"}, {"zone": "CC"}],
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 20, "co2_t_per_mwh_th": 0.2}],
        "technologies": [{"technology": "ccgt", "category": "gas", "fuel": "gas", "efficiency_pu": 0.5}],
        "generators": [
            {"generator": "AA-ccgt", "zone": "AA", "technology": "ccgt", "p_nom_mw": 100},
            {"generator": "BB-ccgt", "zone": "BB", "technology": "ccgt", "p_nom_mw": 100},
            {"generator": "CC-ccgt", "zone": "CC", "technology": "ccgt", "p_nom_mw": 100},
        ],
        "links": [
            {
                "link": "AA-BB",
                "zone_from": "AA",
                "zone_to": "BB",
                "kind": "AC",
                "status": "existing",
                "p_nom_mw": 50,
                "length_km": 10,
            }
        ],
    }
    return write_dataset(tmp_path / "ds", tables, {"AA": [10.0] * 4, "BB": [20.0] * 4, "CC": [5.0] * 4})


def _edit(folder: Path, file: str, fn) -> None:
    path = folder / file
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    fn(df)
    df.to_csv(path, index=False)


def _error(folder: Path) -> str:
    with pytest.raises(InputError) as exc:
        load_dataset(folder)
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_valid_dataset_loads(tmp_path):
    ds = load_dataset(_valid(tmp_path))
    assert ds.zones == ["AA", "BB", "CC"]


@pytest.mark.parametrize(
    ("file", "edit", "expected"),
    [
        (
            "links.csv",
            lambda d: d.__setitem__("zone_to", ["XX"]),
            "links.csv, row 1 (AA-BB), column zone_to: unknown zone 'XX'",
        ),
        (
            "generators.csv",
            lambda d: d.loc.__setitem__((1, "zone"), "XX"),
            "generators.csv, row 2 (BB-ccgt), column zone: unknown zone 'XX'",
        ),
        (
            "generators.csv",
            lambda d: d.loc.__setitem__((2, "generator"), "AA-ccgt"),
            "generators.csv, row 3, column generator: duplicate id 'AA-ccgt' (first at row 1)",
        ),
        (
            "generators.csv",
            lambda d: d.loc.__setitem__((0, "p_nom_mw"), "-5"),
            "generators.csv, row 1 (AA-ccgt), column p_nom_mw: -5 is out of range (must be ≥ 0)",
        ),
        (
            "generators.csv",
            lambda d: d.loc.__setitem__((0, "p_nom_mw"), "NaN"),
            "generators.csv, row 1 (AA-ccgt), column p_nom_mw: value is missing",
        ),
        (
            "generators.csv",
            lambda d: d.loc.__setitem__((0, "p_nom_mw"), "inf"),
            "generators.csv, row 1 (AA-ccgt), column p_nom_mw: value is infinite",
        ),
        (
            "generators.csv",
            lambda d: d.loc.__setitem__((0, "p_nom_mw"), "lots"),
            "generators.csv, row 1 (AA-ccgt), column p_nom_mw: 'lots' is not a number",
        ),
        (
            "fuels.csv",
            lambda d: d.loc.__setitem__((0, "price_usd_per_mwh_th"), "1e308"),
            "fuels.csv, row 1 (gas), column price_usd_per_mwh_th: 1e+308 is implausibly large (limit 1e+12)",
        ),
        (
            "fuels.csv",
            lambda d: d.loc.__setitem__((0, "price_usd_per_mwh_th"), "-1"),
            "fuels.csv, row 1 (gas), column price_usd_per_mwh_th: -1 is out of range (must be ≥ 0)",
        ),
        (
            "technologies.csv",
            lambda d: d.loc.__setitem__((0, "efficiency_pu"), "0"),
            "technologies.csv, row 1 (ccgt), column efficiency_pu: 0 is out of range (must be > 0)",
        ),
        (
            "technologies.csv",
            lambda d: d.loc.__setitem__((0, "efficiency_pu"), "1.5"),
            "technologies.csv, row 1 (ccgt), column efficiency_pu: 1.5 is out of range (must be ≤ 1)",
        ),
        (
            "technologies.csv",
            lambda d: d.loc.__setitem__((0, "category"), "unobtainium"),
            "technologies.csv, row 1 (ccgt), column category: 'unobtainium' is not one of",
        ),
        (
            "links.csv",
            lambda d: d.__setitem__("kind", ["HVDC"]),
            "links.csv, row 1 (AA-BB), column kind: 'HVDC' is not one of AC, DC",
        ),
        (
            "generators.csv",
            lambda d: d.__setitem__("colour", ["red"] * 3),
            "generators.csv, column colour: unknown column 'colour'",
        ),
        (
            "generators.csv",
            lambda d: d.drop(columns=["p_nom_mw"], inplace=True),
            "generators.csv, column p_nom_mw: required column is missing",
        ),
        (
            "generators.csv",
            lambda d: d.loc.__setitem__((0, "technology"), "fusion"),
            "generators.csv, row 1 (AA-ccgt), column technology: unknown technology 'fusion'",
        ),
    ],
)
def test_bad_table_values(tmp_path, file, edit, expected):
    folder = _valid(tmp_path)
    _edit(folder, file, edit)
    msg = _error(folder)
    assert expected in msg
    assert str(folder / file) in msg


def test_series_wrong_length(tmp_path):
    folder = _valid(tmp_path)
    _edit(folder, "timeseries/demand_mw.csv", lambda d: d.drop(index=[3], inplace=True))
    assert "demand_mw.csv, column timestep: demand series has 3 rows but timesteps.csv has 4" in _error(folder)


def test_series_gap(tmp_path):
    folder = _valid(tmp_path)
    _edit(folder, "timeseries/demand_mw.csv", lambda d: d.loc.__setitem__((2, "timestep"), "7"))
    assert "demand_mw.csv, row 3, column timestep: timesteps must run 0, 1, 2, … without gaps" in _error(folder)


def test_series_nan(tmp_path):
    folder = _valid(tmp_path)
    _edit(folder, "timeseries/demand_mw.csv", lambda d: d.loc.__setitem__((1, "BB"), "nan"))
    assert "demand_mw.csv, row 2, column BB: 'nan' is not a finite number" in _error(folder)


def test_weights_must_sum_to_a_year(tmp_path):
    folder = _valid(tmp_path)
    _edit(folder, "timeseries/timesteps.csv", lambda d: d.__setitem__("weight_h", ["1"] * 4))
    assert "timesteps.csv, column weight_h: weights sum to 4 h; they must sum to 8760" in _error(folder)


def test_zone_with_demand_but_no_supply(tmp_path):
    folder = _valid(tmp_path)
    _edit(folder, "generators.csv", lambda d: d.drop(index=[2], inplace=True))
    assert "zones.csv, row 3 (CC), column zone: zone 'CC' has demand but no generator, hydro plant or link" in _error(
        folder
    )


def test_network_not_connected(tmp_path):
    from grid_model.dataset import check_connected

    ds = load_dataset(_valid(tmp_path))
    with pytest.raises(InputError, match="the network is not connected: CC cannot reach AA"):
        check_connected(ds)


def test_empty_and_non_utf8_files(tmp_path):
    folder = _valid(tmp_path)
    (folder / "fuels.csv").write_text("")
    assert "fuels.csv: file is empty" in _error(folder)
    (folder / "fuels.csv").write_bytes("fuel,price_usd_per_mwh_th,co2_t_per_mwh_th\ng\xe1s,1,0.2\n".encode("latin-1"))
    assert "fuels.csv: not UTF-8 text" in _error(folder)


def test_missing_table(tmp_path):
    folder = _valid(tmp_path)
    (folder / "zones.csv").unlink()
    assert "zones.csv: required table is missing" in _error(folder)


# ------------------------------------------------------------------ scenarios


def _scenario(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_scenario_extends_and_overrides(tmp_path):
    from grid_model.scenario import load_scenario

    _scenario(
        tmp_path,
        "name: parent\ndataset: ds\nyear: 2035\nsubsidies: {fuel: false}\npolicy: {carbon_price_usd_per_t: 10}\n",
        "parent.yaml",
    )
    child = _scenario(tmp_path, "extends: parent.yaml\npolicy: {co2_cap_mt: 5}\n", "child.yaml")
    sc = load_scenario(child)
    assert sc.name == "child"
    assert sc.year == 2035
    assert sc.subsidies.fuel is False and sc.subsidies.electricity is True
    assert sc.policy.carbon_price_usd_per_t == 10 and sc.policy.co2_cap_mt == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: s\nyeer: 2030\n", "key 'yeer': unknown key"),
        ("name: s\npolicy: {carbon_prise: 3}\n", "key 'policy.carbon_prise': unknown key"),
        (
            "name: s\npolicy: {min_renewable_share: 1.5}\n",
            "key 'policy.min_renewable_share': Input should be less than or equal to 1 (got 1.5)",
        ),
        (
            "name: s\nlinks: {mode: everything}\n",
            "key 'links.mode': Input should be 'existing', 'projects' or 'optimal'",
        ),
        (
            "name: s\ntie_break_usd_per_mwh: -0.01\n",
            "key 'tie_break_usd_per_mwh': Input should be greater than or equal to 0 (got -0.01)",
        ),
        ("name: s\nyear: [1\n", "invalid YAML"),
        ("- a\n- b\n", "a scenario file must be a mapping"),
        ("extends: s.yaml\n", "'extends' forms a cycle"),
    ],
)
def test_bad_scenarios(tmp_path, text, expected):
    from grid_model.scenario import load_scenario

    p = _scenario(tmp_path, text)
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    assert expected in str(exc.value)
    assert str(p) in str(exc.value)


def test_scenario_unknown_link_and_override(tmp_path):
    from grid_model.scenario import apply_scenario, load_scenario

    folder = _valid(tmp_path)
    ds = load_dataset(folder)
    p = _scenario(tmp_path, f"name: s\ndataset: {folder}\nlinks: {{mode: projects, projects: [AA-ZZ]}}\n")
    with pytest.raises(InputError, match=r"key 'links\.projects': 'AA-ZZ' is not a candidate link"):
        apply_scenario(ds, load_scenario(p))
    p = _scenario(
        tmp_path,
        f"name: s\ndataset: {folder}\noverrides: [{{table: fuels, id: coal, column: price_usd_per_mwh_th, value: 3}}]\n",
    )
    with pytest.raises(InputError, match=r"key 'overrides\.0\.id': no row 'coal' in fuels\.csv"):
        apply_scenario(ds, load_scenario(p))


# ------------------------------------------------------------------ command line


def test_cli_bad_input_one_line_no_traceback_nothing_written(tmp_path):
    folder = _valid(tmp_path)
    _edit(folder, "links.csv", lambda d: d.__setitem__("zone_to", ["XX"]))
    sc = _scenario(tmp_path, f"name: bad\ndataset: {folder}\n")
    out = tmp_path / "results" / "bad"
    runner = CliRunner()
    for args in (["validate", str(sc)], ["run", str(sc), "--out", str(out)]):
        r = runner.invoke(app, args)
        assert r.exit_code == 2, r.output
        assert r.exception is None or isinstance(r.exception, SystemExit)
        lines = [ln for ln in r.output.splitlines() if ln.strip()]
        assert len(lines) == 1 and "unknown zone 'XX'" in lines[0] and "Traceback" not in r.output
    assert not out.exists()
    leftovers = list((tmp_path / "results").glob("*")) if (tmp_path / "results").exists() else []
    assert leftovers == []


def test_cli_subprocess_exit_code(tmp_path):
    sc = _scenario(tmp_path, "name: s\nyeer: 1\n")
    r = subprocess.run([sys.executable, "-m", "grid_model", "validate", str(sc)], capture_output=True, text=True)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert "key 'yeer': unknown key" in r.stderr


def test_cli_run_writes_every_table(tmp_path):
    out = tmp_path / "res"
    r = CliRunner().invoke(app, ["run", "scenarios/example/base.yaml", "--out", str(out)])
    assert r.exit_code == 0, r.output
    for name in (
        "summary.json",
        "generation.csv",
        "capacity.csv",
        "links.csv",
        "prices.csv",
        "emissions.csv",
        "subsidies.csv",
        "costs.csv",
        "scenario.yaml",
        "hourly/dispatch_mw.parquet",
        "hourly/price_usd_per_mwh.parquet",
        "hourly/storage_level_mwh.parquet",
        "hourly/link_flow_mw.parquet",
    ):
        assert (out / name).is_file(), name
    import json

    s = json.loads((out / "summary.json").read_text())
    for key in (
        "scenario",
        "status",
        "objective_usd",
        "system_cost_usd",
        "cost_breakdown_usd",
        "subsidy_cost_usd",
        "renewable_share",
        "non_conventional_renewable_share",
        "co2_mt",
        "demand_twh",
        "unserved_twh",
        "timings_s",
    ):
        assert key in s
    assert set(s["cost_breakdown_usd"]) >= {
        "capex_generation",
        "capex_storage",
        "capex_transmission",
        "fixed_om",
        "fuel",
        "variable_om",
        "carbon",
        "unserved",
    }
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folder left behind


def test_overrides_file(tmp_path):
    from grid_model.scenario import apply_scenario, load_scenario

    folder = _valid(tmp_path)
    (tmp_path / "floors.csv").write_text("table,id,column,value,source\ngenerators,AA-ccgt,min_output_pu,0.4,test\n")
    p = _scenario(tmp_path, f"name: s\ndataset: {folder}\noverrides_file: floors.csv\n")
    ds = apply_scenario(load_dataset(folder), load_scenario(p))
    assert ds.tables["generators"].at["AA-ccgt", "min_output_pu"] == 0.4
    (tmp_path / "floors.csv").write_text("table,id,column,value\ngenerators,ZZ,min_output_pu,0.4\n")
    with pytest.raises(InputError, match=r"key 'floors.csv row 1.id': no row 'ZZ' in generators.csv"):
        apply_scenario(load_dataset(folder), load_scenario(p))


def test_demand_interpolated_geometrically_between_listed_years(tmp_path):
    from grid_model.scenario import apply_scenario, load_scenario

    folder = _valid(tmp_path)
    rows = "zone,year,demand_twh\n" + "".join(
        f"{z},{y},{d}\n" for z in ("AA", "BB", "CC") for y, d in ((2023, 1.0), (2033, 4.0))
    )
    (folder / "demand_growth.csv").write_text(rows)
    p = _scenario(tmp_path, f"name: s\ndataset: {folder}\nyear: 2028\n")
    ds = apply_scenario(load_dataset(folder), load_scenario(p))
    assert float(ds.demand_mw["AA"] @ ds.weights_h) / 1e6 == pytest.approx(2.0, rel=1e-12)  # 1 × 4^(5/10)
    p = _scenario(tmp_path, f"name: s\ndataset: {folder}\nyear: 2040\n")
    with pytest.raises(InputError, match=r"key 'year': 2040 is outside the years demand_growth\.csv lists for AA"):
        apply_scenario(load_dataset(folder), load_scenario(p))


def test_relative_paths_cannot_escape_the_project_folders(tmp_path):
    from grid_model.scenario import load_scenario

    inner = tmp_path / "a" / "b"
    inner.mkdir(parents=True)
    p = _scenario(inner, "name: s\ndataset: ../../../../etc\n")
    with pytest.raises(
        InputError, match=r"key 'dataset': relative path '\.\./\.\./\.\./\.\./etc' leaves the project's"
    ):
        load_scenario(p)
    p = _scenario(inner, "extends: ../../outside.yaml\n", "child.yaml")
    with pytest.raises(InputError, match=r"key 'extends': relative path"):
        load_scenario(p)
    # an absolute path is the user's explicit choice; relative paths below the file's folder are fine
    folder = _valid(tmp_path)
    assert load_scenario(_scenario(inner, f"name: s\ndataset: {folder}\n", "abs.yaml")).dataset_path() == folder
    (inner / "sub").mkdir()
    _scenario(inner / "sub", "name: p\nyear: 2031\n", "parent.yaml")
    assert load_scenario(_scenario(inner, "extends: sub/parent.yaml\n", "c2.yaml")).year == 2031


def _with_floor(folder: Path, floor: str, cap: str) -> None:
    def edit(d: pd.DataFrame) -> None:
        d["status"], d["project_mw"], d["p_nom_max_mw"], d["p_nom_min_mw"] = ["candidate"], ["20"], [cap], [floor]

    _edit(folder, "links.csv", edit)


@pytest.mark.parametrize(
    ("floor", "cap", "expected"),
    [
        ("90", "80", "p_nom_min_mw 90 is above the capacity ceiling 80 (p_nom_max_mw)"),
        ("90", "", "p_nom_min_mw 90 is above the capacity ceiling 70 (p_nom_mw + project_mw)"),
    ],
)
def test_link_floor_above_its_ceiling(tmp_path, floor, cap, expected):
    folder = _valid(tmp_path)
    _with_floor(folder, floor, cap)
    msg = _error(folder)
    assert f"{folder / 'links.csv'}, row 1 (AA-BB), column p_nom_min_mw: {expected}" in msg


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        (
            "{table: technologies, id: ccgt, column: efficiency_pu, scale: 3.0}",
            "key 'overrides.0' sets technologies.csv, row 1 (ccgt), column efficiency_pu: 1.5 is out of range "
            "(must be ≤ 1)",
        ),
        (
            "{table: generators, id: '*', column: availability_pu, scale: 1.5}",
            "key 'overrides.0' sets generators.csv, row 1 (AA-ccgt), column availability_pu: 1.5 is out of range",
        ),
        (
            "{table: technologies, id: ccgt, column: efficiency_pu, value: 1.65}",
            "key 'overrides.0' sets technologies.csv, row 1 (ccgt), column efficiency_pu: 1.65 is out of range",
        ),
        (
            "{table: links, id: AA-BB, column: kind, value: HVDC}",
            "key 'overrides.0' sets links.csv, row 1 (AA-BB), column kind: 'HVDC' is not one of AC, DC",
        ),
        (
            "{table: technologies, id: ccgt, column: renewable, value: maybe}",
            "key 'overrides.0' sets technologies.csv, row 1 (ccgt), column renewable: 'maybe' is not true/false",
        ),
        (
            "{table: links, id: AA-BB, column: p_nom_min_mw, value: 60}",
            "key 'overrides' gives an invalid dataset: ",
        ),
    ],
)
def test_overrides_are_validated_like_the_table(tmp_path, override, expected):
    from grid_model.scenario import apply_scenario, load_scenario

    folder = _valid(tmp_path)
    p = _scenario(tmp_path, f"name: s\ndataset: {folder}\noverrides: [{override}]\n")
    with pytest.raises(InputError) as exc:
        apply_scenario(load_dataset(folder), load_scenario(p))
    msg = str(exc.value)
    assert "\n" not in msg
    assert msg.startswith(f"{p}: {expected}")
    if "invalid dataset" in expected:
        assert "links.csv, row 1 (AA-BB), column p_nom_min_mw: p_nom_min_mw 60 is above the capacity ceiling 50" in msg
