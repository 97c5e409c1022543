"""Excel workbooks and the results database (grid_model.outputs) on the example system.

One module-scoped example comparison (``--xlsx --db``) serves the workbook, database and docs checks; one run
through the CLI and one two-member sweep cover the other two commands.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from grid_model.cli import app
from grid_model.compare import run_compare
from grid_model.errors import GridModelError
from grid_model.outputs import (
    COMPARE_TABLES,
    DB_TABLES,
    DOC_END,
    DOC_START,
    append_to_db,
    db_tables,
    flatten_summary,
    number_format,
    replace_schema_block,
    results_db,
    results_db_markdown,
    unit_of,
    write_workbook,
)
from grid_model.results import TABLE_NAMES, read_results
from grid_model.sweep import run_sweep

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = sorted((ROOT / "scenarios" / "example").glob("*.yaml"))
RTOL = 1e-12


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


def read_workbook(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet, the unit row skipped (as the outputs module docstring tells users)."""
    return pd.read_excel(path, sheet_name=None, skiprows=[1])


def assert_same_table(got: pd.DataFrame, want: pd.DataFrame, where: str, rtol: float = RTOL) -> None:
    """Same columns and rows; numbers equal to ``rtol`` relative, the rest equal (empty text = NaN = NULL)."""
    assert list(got.columns) == list(want.columns), where
    assert len(got) == len(want), where
    for col in want.columns:
        g, w = got[col], want[col]
        if pd.api.types.is_numeric_dtype(w) and not pd.api.types.is_bool_dtype(w):
            np.testing.assert_allclose(g.astype(float), w.astype(float), rtol=rtol, atol=0, err_msg=f"{where}.{col}")
        else:
            gs = [None if pd.isna(x) or x == "" else str(x) for x in g]
            ws = [None if pd.isna(x) or x == "" else str(x) for x in w]
            assert gs == ws, f"{where}.{col}"


def assert_same_value(got: object, want: object, where: str) -> None:
    if isinstance(want, bool) or isinstance(got, bool):
        assert bool(got) == bool(want), where
    elif isinstance(want, int | float):
        assert got == pytest.approx(want, rel=RTOL, abs=0), where
    else:
        assert (None if got is None or (isinstance(got, float) and np.isnan(got)) else str(got)) == want, where


@pytest.fixture(scope="module")
def compare(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The example comparison with --xlsx and --db: (compare folder, database file)."""
    tmp = tmp_path_factory.mktemp("outputs")
    db = tmp / "results.duckdb"
    run_compare(EXAMPLE, tmp / "compare", figures=False, workers=1, xlsx=True, db=db)
    return tmp / "compare", db


def query(db: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).df()
    finally:
        con.close()


# ---------------------------------------------------------------------------------------------
# Units and formats


@pytest.mark.parametrize(
    ("column", "unit"),
    [
        ("generation_twh", "TWh"),
        ("price_avg_usd_per_mwh", "USD/MWh"),
        ("system_cost_usd", "USD"),
        ("renewable_share", "share"),
        ("delta_non_conventional_renewable_share", "share"),
        ("utilisation", "share"),
        ("new_mw_gas", "MW"),
        ("co2_mt", "MtCO2"),
        ("loss_pu", "per unit"),
        ("time_solve_s", "s"),
        ("zone", ""),
        ("scenario_year", ""),
    ],
)
def test_unit_of_reads_the_column_name(column: str, unit: str) -> None:
    assert unit_of(column) == unit


def test_number_formats_by_unit() -> None:
    assert number_format("renewable_share").excel == "0.0%"
    assert number_format("investment_usd").excel == "#,##0"
    assert number_format("price_avg_usd_per_mwh").excel == "#,##0.00"
    assert number_format("n_timesteps", integer=True).excel == "#,##0"


def test_flatten_summary_spells_cost_categories_and_timings() -> None:
    flat = flatten_summary(
        {"scenario": "a", "x_usd": 1.0, "cost_breakdown_usd": {"fuel": 2.0}, "timings_s": {"solve": 3.0}, "l": [1]}
    )
    assert flat == {"scenario": "a", "x_usd": 1.0, "cost_fuel_usd": 2.0, "time_solve_s": 3.0}


# ---------------------------------------------------------------------------------------------
# Workbooks


def test_compare_workbook_holds_every_table_of_the_csvs(compare: tuple[Path, Path]) -> None:
    folder, _db = compare
    sheets = read_workbook(folder / "comparison.xlsx")
    names = [p.stem for p in EXAMPLE]
    assert list(sheets)[: 1 + len(COMPARE_TABLES)] == ["summary", *COMPARE_TABLES]
    for name in COMPARE_TABLES:
        assert_same_table(sheets[name], read_csv(folder / f"{name}.csv"), name)
    for name in TABLE_NAMES:
        want = pd.concat([read_csv(folder / n / f"{name}.csv").assign(scenario=n) for n in names], ignore_index=True)
        want = want[["scenario", *[c for c in want.columns if c != "scenario"]]]
        assert_same_table(sheets[name], want, name)
    summary = sheets["summary"].set_index("key")
    assert list(summary.columns) == ["unit", *names]
    for n in names:
        flat = flatten_summary(json.loads((folder / n / "summary.json").read_text()))
        for key, value in flat.items():
            assert_same_value(summary.at[key, n], value, f"summary {n}.{key}")


@pytest.fixture
def pyomo_log_level() -> Iterator[None]:
    """The CLI silences the ``pyomo`` logger for the rest of the process; other tests (the architecture test's
    component-replacement guard reads ``pyomo.core`` warnings) need it back."""
    logger = logging.getLogger("pyomo")
    level = logger.level
    yield
    logger.setLevel(level)


@pytest.mark.usefixtures("pyomo_log_level")
def test_run_writes_a_workbook_and_appends_to_the_db(tmp_path: Path) -> None:
    out, db = tmp_path / "base", tmp_path / "r.duckdb"
    args = ["run", str(ROOT / "scenarios/example/base.yaml"), "--out", str(out), "--xlsx", "--db", str(db)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]
    sheets = read_workbook(out / "results.xlsx")
    assert list(sheets) == ["summary", *[n for n in TABLE_NAMES if (out / f"{n}.csv").exists()]]
    for name in list(sheets)[1:]:
        assert_same_table(sheets[name], read_csv(out / f"{name}.csv"), name)
    summary = sheets["summary"].set_index("key")["value"]
    for key, value in flatten_summary(json.loads((out / "summary.json").read_text())).items():
        assert_same_value(summary[key], value, key)
    row = query(db, "SELECT scenario, member, system_cost_usd FROM summary")
    assert row["scenario"].tolist() == ["base"] and row["member"].isna().all()
    assert row["system_cost_usd"].iloc[0] == pytest.approx(
        json.loads((out / "summary.json").read_text())["system_cost_usd"]
    )
    gen = query(db, "SELECT * FROM generation")
    assert len(gen) == len(read_csv(out / "generation.csv"))


def test_workbook_sheets_have_two_frozen_header_rows_and_formats(tmp_path: Path) -> None:
    import openpyxl

    path = write_workbook(
        {"links": pd.DataFrame({"link": ["a"], "utilisation": [0.25], "flow_forward_twh": [1234.5]})},
        tmp_path / "w.xlsx",
        {"scenario": "s", "system_cost_usd": 1.5e9},
    )
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["summary", "links"]
    ws = wb["links"]
    assert ws.freeze_panes == "A3"
    assert [c.value for c in ws[2]] == [None, "share", "TWh"]
    assert ws["B3"].number_format == "0.0%" and ws["C3"].number_format == "#,##0.000"
    assert wb["summary"]["C4"].number_format == "#,##0"


# ---------------------------------------------------------------------------------------------
# The results database


def test_compare_db_summary_equals_the_summary_json_files(compare: tuple[Path, Path]) -> None:
    folder, db = compare
    names = [p.stem for p in EXAMPLE]
    summary = query(db, "SELECT * FROM summary").set_index("scenario")
    assert sorted(summary.index) == names
    assert summary["run_id"].nunique() == 1 and summary["member"].isna().all()
    for n in names:
        flat = flatten_summary(json.loads((folder / n / "summary.json").read_text()))
        for key, value in flat.items():
            if key != "scenario":
                assert_same_value(summary.at[n, key], value, f"{n}.{key}")
    for name in DB_TABLES:
        got = query(db, f"SELECT * FROM {name}")
        assert len(got) == sum(len(read_csv(folder / n / f"{name}.csv")) for n in names), name
    for name in COMPARE_TABLES:
        got = query(db, f"SELECT * FROM {name}").drop(columns=["member", "run_id", "run_time"])
        want = read_csv(folder / f"{name}.csv").sort_index(axis=1)  # 10 significant digits; the database has all
        assert_same_table(got.sort_index(axis=1), want, name, rtol=1e-9)
    runs = query(db, "SELECT * FROM runs")
    assert runs["command"].tolist() == ["compare"] and runs["folder"].tolist() == [str(folder)]


def test_appending_twice_keeps_both_runs_and_adds_new_columns(compare: tuple[Path, Path], tmp_path: Path) -> None:
    res = read_results(compare[0] / "base")
    db = tmp_path / "twice.duckdb"
    first = append_to_db(db, db_tables(res), res.summary, "base")
    tables = db_tables(res)
    tables["prices"] = tables["prices"].assign(note="new column", demand_twh=tables["prices"]["demand_twh"].astype(str))
    second = append_to_db(db, tables, {**res.summary, "new_key_usd": 7.0}, "base")
    assert first != second
    summary = query(db, "SELECT run_id, run_time, system_cost_usd, new_key_usd FROM summary ORDER BY run_time")
    assert summary["run_id"].tolist() == [first, second]
    assert summary["new_key_usd"].isna().tolist() == [True, False]
    prices = query(db, "SELECT run_id, note, demand_twh FROM prices")
    assert len(prices) == 2 * len(res.tables["prices"])
    assert prices.groupby("run_id")["note"].count().to_dict() == {first: 0, second: len(res.tables["prices"])}
    assert prices["demand_twh"].map(type).eq(str).all()  # widened DOUBLE → VARCHAR, the first run kept


def test_a_table_first_seen_empty_takes_its_types_from_the_first_values(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    empty = pd.DataFrame(columns=["zone", "new_mw"])
    append_to_db(db, {"new_capacity": empty}, None, "a")
    append_to_db(db, {"new_capacity": pd.DataFrame({"zone": ["XA"], "new_mw": [1.5]})}, None, "b")
    got = query(db, "SELECT scenario, zone, new_mw FROM new_capacity")
    assert got.to_dict("records") == [{"scenario": "b", "zone": "XA", "new_mw": 1.5}]
    types = dict(query(db, "SELECT column_name, data_type FROM information_schema.columns").values.tolist())
    assert types["new_mw"] == "DOUBLE"


def test_a_failed_append_leaves_the_database_as_it_was(compare: tuple[Path, Path], tmp_path: Path) -> None:
    res = read_results(compare[0] / "base")
    db = tmp_path / "atomic.duckdb"
    append_to_db(db, db_tables(res), res.summary, "base")
    with pytest.raises(RuntimeError, match="boom"), results_db(db, "run") as rdb:
        rdb.append(db_tables(res), res.summary, "again")
        raise RuntimeError("boom")
    assert query(db, "SELECT scenario FROM summary")["scenario"].tolist() == ["base"]
    assert len(query(db, "SELECT * FROM runs")) == 1


def test_a_second_writer_waits_then_stops_with_one_line(tmp_path: Path) -> None:
    db = tmp_path / "locked.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(20)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ok"
        t0 = time.monotonic()
        with pytest.raises(GridModelError, match="another process"), results_db(db, "run", wait_s=1.0):
            pass
        assert time.monotonic() - t0 < 10
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


def test_a_sweep_appends_one_summary_row_per_member(tmp_path: Path, scheduler: str) -> None:
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        f"base: {ROOT / 'scenarios/example/base.yaml'}\nmode: grid\n"
        "parameters:\n  - {name: carbon_price, key: policy.carbon_price_usd_per_t, values: [0, 50, 100]}\n"
    )
    db = tmp_path / "sweep.duckdb"
    df = run_sweep(spec, tmp_path / "out", scheduler=scheduler, db=db)
    assert (df["status"] == "ok").all()
    summary = query(db, "SELECT scenario, member, run_id, system_cost_usd, co2_mt FROM summary")
    assert summary["scenario"].eq("base").all() and summary["run_id"].nunique() == 1
    assert summary["member"].tolist() == df["member"].tolist()
    got = summary.set_index("member")
    for _, r in df.iterrows():
        assert got.at[r["member"], "system_cost_usd"] == pytest.approx(r["system_cost_usd"], rel=RTOL)
    sweep_rows = query(db, "SELECT member, carbon_price, status FROM sweep")
    assert sweep_rows["carbon_price"].tolist() == [0.0, 50.0, 100.0]
    per_member = query(db, "SELECT member, COUNT(*) AS n FROM generation GROUP BY member").set_index("member")["n"]
    assert sorted(per_member.index) == sorted(df["member"]) and per_member.nunique() == 1


# ---------------------------------------------------------------------------------------------
# The documented schema


def test_docs_results_db_md_is_the_schema_of_a_compare(compare: tuple[Path, Path]) -> None:
    doc = ROOT / "docs" / "results_db.md"
    text = doc.read_text(encoding="utf-8")
    assert DOC_START in text and DOC_END in text
    assert text == replace_schema_block(text, results_db_markdown(compare[1])), (
        "docs/results_db.md is stale; regenerate it with `python3 -m grid_model compare scenarios/example/*.yaml "
        "--no-figures --workers 1 --out /tmp/ex --db /tmp/ex.duckdb && "
        "python3 -m grid_model.outputs /tmp/ex.duckdb docs/results_db.md` (on a new database file)"
    )
