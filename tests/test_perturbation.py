"""Every input column and every scenario key reaches the model, or is explicitly marked as not read by it.

Issue 21 was a documented column (links.csv ``p_nom_min_mw``) that the scenario layer overwrote, so it never reached
the LP. This module closes that class of bug: for every column of every table in ``grid_model.schema.TABLES``

* the column is marked ``informational`` in the schema (labels, provenance, report-only figures; the description
  says why), or
* it is a table's own id (a single-column key nothing else names in its place): renaming it leaves the LP unchanged
  or breaks a reference, or
* changing its values in the CSV — within its bounds, in a way valid for its type — changes the compiled LP: ``c``,
  ``A``, the column and row bounds or the cost rows (``grid_model.solve.standard_form``).

The perturbation goes through the whole input path (CSV → ``load_dataset`` → ``apply_scenario`` → ``build_model``), on
the example dataset cut to one day, with a few cells set so that every column has a row that uses it (``AUGMENT``)
and a scenario that switches on everything that gates an input (``BASE_SCENARIO``). Every scenario key likewise
changes the LP, changes the solver options, or is listed in ``NOT_MODEL`` with the reason.
"""

from __future__ import annotations

import shutil
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pydantic import BaseModel

from grid_model.dataset import load_dataset
from grid_model.errors import InputError
from grid_model.model import build_model, compile_context
from grid_model.scenario import Scenario, _deep_merge, apply_scenario, scenario_inputs
from grid_model.schema import TABLES, Column, TableSchema
from grid_model.solve import load_form, option_value, standard_form

pytestmark = pytest.mark.slow  # ~115 cases, each a load, build and compile: ~35-70 s

UNIONS = (typing.Union, types.UnionType)
EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "example"
N_STEPS = 24  # a day of the example week: every feature is present, each build takes a few hundredths of a second

# Every switch that gates an input is on, so that each column has a path into the LP.
BASE_SCENARIO: dict = {
    "name": "perturbation",
    "year": 2027,  # between the listed demand_growth years: both rows of a zone and the interpolation matter
    "hydrology": "average",
    "subsidies": {"fuel": True, "electricity": False},  # removal: electricity_subsidies.csv shapes demand
    "policy": {"carbon_price_usd_per_t": 20.0, "min_renewable_share": 0.3},  # CO2 factors and renewable flags
    "links": {"mode": "optimal", "allowed": ["XA-XC"]},  # status matters: only listed candidates expand
}

# Cells the example leaves empty (or at a value no row uses), set so that each column has a row that exercises it.
AUGMENT: dict[str, dict[tuple[str, str], str]] = {
    "generators.csv": {
        ("XA-coal", "min_output_pu"): "0.3",
        ("XA-ccgt", "efficiency_pu"): "0.5",
        ("XA-coal", "vom_usd_per_mwh"): "7",
        ("XA-ccgt", "capex_usd_per_kw"): "900",
    },
    "links.csv": {("XA-XC", "p_nom_min_mw"): "200", ("XA-XB", "loss_pu"): "0.02", ("XA-XB", "project_mw"): "100"},
    "hydro.csv": {("XB-reservoir", "min_release_pu"): "0.1"},
    "storage.csv": {
        ("XA-battery", "capex_usd_per_kw"): "150",
        ("XA-battery", "fom_usd_per_kw_yr"): "5",
        ("XA-battery", "lifetime_yr"): "20",
    },
}

# Tables the example does not have, given rows so that each column has a path into the LP. They shape pathways only
# (grid_model.pathway): their columns are checked on the pathway LP of PATHWAY (two periods, 2026 and 2028).
ROWS: dict[str, list[dict[str, str]]] = {
    "cost_trajectories.csv": [
        {"technology": "solar", "year": "2026", "capex_factor": "0.9", "source": "test"},
        {"technology": "solar", "year": "2030", "capex_factor": "0.7", "source": "test"},
    ],
    "retirements.csv": [{"zone": "XA", "technology": "ccgt", "year": "2028", "retired_mw": "100", "source": "test"}],
    "commissioning.csv": [
        {"asset": "XA-XC", "kind": "link", "year": "2028", "mode": "committed", "mw": "50", "source": "test"}
    ],
}
PATHWAY = {"pathway": {"years": [2026, 2028], "base_year": 2026}}
PATHWAY_TABLES = {"cost_trajectories", "retirements", "commissioning"}
# Columns that restate what another column already fixes: every other value is refused with a one-line error.
CHECKED_ONLY = {("commissioning", "kind"): "names the table the asset is in (grid_model.pathway.inputs)"}

# Scenario keys that never shape the LP or the solver, with the reason.
NOT_MODEL = {
    "name": "the run's label and results folder",
    "description": "free text for reports",
    "source_file": "set by load_scenario to the file's own path, for error messages and relative paths",
    "links.require_connected": "a check that stops the run when the links in use leave zones islanded",
}

# Typical periods need an hourly year: the "HOURLY" dataset is the base tiled to 8,760 one-hour steps.
TYPICAL = {"dataset": "HOURLY", "time": {"mode": "typical", "period_h": 24, "n_periods": 3}}
TWO_HYDROLOGIES = {"hydrology": {"scenarios": {"average": 0.6, "2023": 0.4}}}
# Each model-relevant scenario key: (base, perturbed) changes deep-merged into BASE_SCENARIO; the LPs must differ.
KEY_CASES: dict[str, tuple[dict, dict]] = {
    "dataset": ({}, {"dataset": str(EXAMPLE)}),  # the untouched example (a week, no AUGMENT cells)
    "year": ({}, {"year": 2028}),
    "hydrology": ({}, {"hydrology": "2023"}),
    "time.mode": ({}, {"time": {"mode": "downsample"}}),
    "time.step_h": ({"time": {"mode": "downsample", "step_h": 3}}, {"time": {"mode": "downsample", "step_h": 4}}),
    "time.n_periods": (TYPICAL, {"time": {"n_periods": 4}}),
    "time.period_h": (TYPICAL, {"time": {"period_h": 12}}),
    "time.extreme_days": (TYPICAL, {"time": {"extreme_days": False}}),
    "time.representation": (TYPICAL, {"time": {"representation": "medoid"}}),
    "links.mode": ({}, {"links": {"mode": "projects"}}),
    "links.projects": ({"links": {"mode": "projects"}}, {"links": {"projects": []}}),
    "links.allowed": ({}, {"links": {"allowed": []}}),
    "links.cost_multiplier": ({}, {"links": {"cost_multiplier": 1.5}}),
    "expansion.generation": ({}, {"expansion": {"generation": False}}),
    "expansion.storage": ({}, {"expansion": {"storage": False}}),
    "subsidies.fuel": ({}, {"subsidies": {"fuel": False}}),
    "subsidies.electricity": ({}, {"subsidies": {"electricity": True}}),
    "subsidies.fuel_share_kept": ({}, {"subsidies": {"fuel_share_kept": {"XA": 0.5}}}),
    "subsidies.electricity_share_kept": ({}, {"subsidies": {"electricity_share_kept": {"XB": 0.5}}}),
    "policy.carbon_price_usd_per_t": ({}, {"policy": {"carbon_price_usd_per_t": 25.0}}),
    "policy.co2_cap_mt": ({}, {"policy": {"co2_cap_mt": 1.0}}),
    "policy.zone_co2_cap_mt": ({}, {"policy": {"zone_co2_cap_mt": {"XA": 1.0}}}),
    "policy.min_renewable_share": ({}, {"policy": {"min_renewable_share": 0.4}}),
    "policy.allow_unserved": ({}, {"policy": {"allow_unserved": False}}),
    "risk.weight": (TWO_HYDROLOGIES, {"risk": {"weight": 1.0}}),  # CVaR only exists over several hydrologies
    "risk.alpha": ({**TWO_HYDROLOGIES, "risk": {"weight": 1.0}}, {"risk": {"alpha": 0.5}}),
    "capacity_from": ({}, {"capacity_from": "PLAN"}),  # the base scenario's own solved plan, fixed
    "discount_rate": ({}, {"discount_rate": 0.08}),
    "tie_break_usd_per_mwh": ({}, {"tie_break_usd_per_mwh": 0.02}),
    "pathway.years": (PATHWAY, {"pathway": {"years": [2026, 2029]}}),
    "pathway.foresight": (PATHWAY, {"pathway": {"foresight": "myopic"}}),  # the first myopic LP: one period
    "pathway.base_year": (PATHWAY, {"pathway": {"base_year": 2025}}),
    "pathway.end_year": (PATHWAY, {"pathway": {"end_year": 2030}}),
    "pathway.max_build_mw_per_yr": (PATHWAY, {"pathway": {"max_build_mw_per_yr": {"solar": 10.0}}}),
    "pathway.periods": (PATHWAY, {"pathway": {"periods": {2028: {"policy": {"carbon_price_usd_per_t": 50.0}}}}}),
    "capacity_period": ({**PATHWAY, "capacity_from": "PATHWAY_PLAN"}, {"capacity_period": 2026}),
    "overrides": ({}, {"overrides": [{"table": "fuels", "id": "gas", "column": "price_usd_per_mwh_th", "value": 30}]}),
    "overrides_file": ({}, {"overrides_file": "OVERRIDES_FILE"}),  # a one-row CSV written by the test
}
SOLVER_KEYS = {"solver": ({}, {"solver": {"presolve": "off"}})}  # checked on the loaded HiGHS instance


def _scenario_keys(model: type[BaseModel] = Scenario, prefix: str = "") -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        ann = info.annotation
        section = [a for a in typing.get_args(ann) if a is not type(None)] if typing.get_origin(ann) in UNIONS else []
        if len(section) == 1 and isinstance(section[0], type) and issubclass(section[0], BaseModel):
            ann = section[0]  # an optional section (pathway): its keys
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += _scenario_keys(ann, f"{prefix}{name}.")
        else:
            out.append(prefix + name)
    return out


@pytest.fixture(scope="module", autouse=True)
def _parse_each_file_once():
    """Most cases change one table: a file whose bytes were read before is not parsed again (same result, faster)."""
    import grid_model.dataset as dataset

    def cached(fn, cache: dict):
        def read(path: Path, *args, **kw):
            schemas = tuple(a.name for a in args if isinstance(a, TableSchema))  # labels (paths) left out
            key = (path.read_bytes(), path.name, schemas, tuple(sorted(kw.items())))
            if key not in cache:
                cache[key] = fn(path, *args, **kw)
            return cache[key].copy()

        return read

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(dataset, "read_table", cached(dataset.read_table, {}))
        mp.setattr(dataset, "read_series", cached(dataset.read_series, {}))
        yield


def _raw(folder: Path, file: str) -> pd.DataFrame:
    return pd.read_csv(folder / file, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The example cut to N_STEPS hours (weights still a year), every column written out, AUGMENT cells set."""
    folder = tmp_path_factory.mktemp("perturb") / "base"
    shutil.copytree(EXAMPLE, folder)
    for f in (folder / "timeseries").glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False).iloc[:N_STEPS]
        if f.name == "timesteps.csv":
            df["weight_h"] = str(8760 / N_STEPS)
        df.to_csv(f, index=False)
    for schema in TABLES:
        if schema.file in ROWS:
            pd.DataFrame(ROWS[schema.file]).to_csv(folder / schema.file, index=False)
        df = _raw(folder, schema.file)
        for c in schema.columns:
            if c.name not in df.columns:
                df[c.name] = "" if c.default is None else str(c.default)
        for (row, col), value in AUGMENT.get(schema.file, {}).items():
            df.loc[df[schema.key[0]] == row, col] = value
        df.to_csv(folder / schema.file, index=False)
    return folder


@pytest.fixture(scope="module")
def hourly(base: Path) -> Path:
    """The base with the example's week tiled to an hourly year (8,760 steps of one hour), for typical periods."""
    folder = base.parent / "hourly"
    shutil.copytree(base, folder)
    for f in (folder / "timeseries").glob("*.csv"):
        df = pd.read_csv(EXAMPLE / "timeseries" / f.name, dtype=str, keep_default_na=False)
        df = df.loc[np.resize(df.index, 8760)].reset_index(drop=True)
        df["timestep"] = np.arange(8760)
        if f.name == "timesteps.csv":
            df["weight_h"], df["duration_h"] = "1", "1"
        df.to_csv(f, index=False)
    return folder


def _lp(folder: Path, scenario: dict) -> list[np.ndarray]:
    """The compiled LP of a dataset folder under a scenario: c, A, bounds, cost rows and offsets, as arrays."""
    sc = Scenario.model_validate({"dataset": str(folder), **scenario})
    if sc.pathway is not None:
        return _pathway_lp(sc)
    _m, ctx = build_model(scenario_inputs(sc), sc.model_options())
    form = compile_context(ctx)  # the run path: with the risk rows when a scenario asks for them
    A = form.A.tocsr()
    A.sort_indices()
    cost = form.cost_rows.tocsr()
    cost.sort_indices()
    shapes = np.array([*A.shape, *cost.shape])
    return [shapes, form.c, A.indptr, A.indices, A.data, form.col_lo, form.col_hi, form.row_lo, form.row_hi]


def _pathway_lp(sc: Scenario) -> list[np.ndarray]:
    """The composed pathway LP (the first period's, for myopic foresight) as arrays."""
    from grid_model.pathway.lp import build_limits, compose
    from grid_model.pathway.run import build_periods

    cfg = sc.pathway
    _scenarios, models = build_periods(sc, lambda _m: None)
    if cfg.foresight == "myopic":
        models = models[:1]
    form = compose(models, limits=build_limits(models, cfg.max_build_mw_per_yr, cfg.build_years())).form
    A = form.A.tocsr()
    A.sort_indices()
    return [np.array(A.shape), form.c, A.indptr, A.indices, A.data, form.col_lo, form.col_hi, form.row_lo, form.row_hi]


def _same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b, strict=True))


@pytest.fixture(scope="module")
def base_lp(base: Path) -> list[np.ndarray]:
    return _lp(base, BASE_SCENARIO)


def test_the_lp_is_deterministic(base, base_lp):
    assert _same(_lp(base, BASE_SCENARIO), base_lp)


# ------------------------------------------------------------------ perturbations of one column


def _bumped(v: float, col: Column) -> float:
    """A different value within the column's bounds: ×1.1 (×0.9 at the ceiling); a zero moves into the range."""
    if v == 0:
        if col.max is None:
            return 1.0
        return col.max / 2 if col.max > 0 else -0.1
    up = v * 1.1
    return up if col.max is None or up <= col.max else v * 0.9


def _choices(schema: TableSchema, col: Column, folder: Path) -> list[str] | None:
    """The valid values of a categorical or reference column, None if it is free text."""
    if col.allowed is not None:
        return list(col.allowed)
    if col.name in schema.foreign_keys:
        target = next(t for t in TABLES if t.name == schema.foreign_keys[col.name])
        return _raw(folder, target.file)[target.key[0]].tolist()
    series = {
        ("technologies", "fuel"): lambda: ["", *_raw(folder, "fuels.csv")["fuel"]],
        ("generators", "profile"): lambda: ["", *_raw(folder, "timeseries/availability_pu.csv").columns[1:]],
        ("hydro", "inflow"): lambda: list(_raw(folder, "timeseries/inflow_mw_average.csv").columns[1:]),
        ("cost_trajectories", "technology"): lambda: [*_raw(folder, "technologies.csv")["technology"], "link"],
    }
    key = (schema.name, col.name)
    return series[key]() if key in series else None


def _perturbations(schema: TableSchema, col: Column, df: pd.DataFrame, folder: Path) -> Iterator[pd.DataFrame]:
    """Perturbed copies of the raw table, most telling first."""
    cells = df[col.name]
    if col.dtype == "bool":
        yield df.assign(**{col.name: ["false" if v.lower() in ("true", "1", "yes", "y") else "true" for v in cells]})
        return
    if col.dtype in ("float", "int"):
        step = (lambda v: v + 1) if col.dtype == "int" else (lambda v: _bumped(v, col))
        yield df.assign(**{col.name: ["" if v == "" else repr(step(float(v))) for v in cells]})
        return
    choices = _choices(schema, col, folder)
    assert choices is not None, f"{schema.file} {col.name}: free text that is not informational; say how it matters"
    distinct = list(dict.fromkeys(cells))
    if len(distinct) >= 2:  # swapping two values keeps composite keys unique
        a, b = distinct[:2]
        yield df.assign(**{col.name: [b if v == a else a if v == b else v for v in cells]})
    for i in range(len(df)):
        for v in choices:
            if v != cells.iloc[i]:
                out = df.copy()
                out.iloc[i, out.columns.get_loc(col.name)] = v
                yield out


def _with_table(base: Path, where: Path, file: str, df: pd.DataFrame) -> Path:
    if where.exists():
        shutil.rmtree(where)
    shutil.copytree(base, where)
    df.to_csv(where / file, index=False)
    return where


CASES = [(t, c) for t in TABLES for c in t.columns]


@pytest.mark.parametrize(("schema", "col"), CASES, ids=[f"{t.name}.{c.name}" for t, c in CASES])
def test_every_column_changes_the_lp_or_is_informational(schema, col, base, base_lp, tmp_path):
    if col.informational:
        assert (
            "model does not read" in col.description
            or "not a constraint" in col.description
            or ("maps only" in col.description)
        ), f"{schema.file} {col.name}: say in the description why the model does not read it"
        return
    scenario = {**BASE_SCENARIO, **PATHWAY} if schema.name in PATHWAY_TABLES else BASE_SCENARIO
    base_lp = _lp(base, scenario) if schema.name in PATHWAY_TABLES else base_lp
    df = _raw(base, schema.file)
    if schema.key == (col.name,) and col.name not in schema.foreign_keys:  # the table's own id: a label
        renamed = df.assign(**{col.name: [f"{v}-renamed" for v in df[col.name]]})
        try:
            assert _same(_lp(_with_table(base, tmp_path / "id", schema.file, renamed), scenario), base_lp)
        except InputError:
            pass  # other tables name the row by its id: renaming it here alone breaks the reference
        return
    if (schema.name, col.name) in CHECKED_ONLY:
        for perturbed in _perturbations(schema, col, df, base):
            with pytest.raises(InputError):
                _lp(_with_table(base, tmp_path / "p", schema.file, perturbed), scenario)
        return
    tried = []
    for n, perturbed in enumerate(_perturbations(schema, col, df, base)):
        if n >= 25:
            break
        try:
            lp = _lp(_with_table(base, tmp_path / "p", schema.file, perturbed), scenario)
        except InputError as exc:
            tried.append(str(exc))
            continue
        if not _same(lp, base_lp):
            return
        tried.append("LP unchanged")
    pytest.fail(f"{schema.file} column {col.name}: no valid change of its values changes the LP ({'; '.join(tried)})")


# ------------------------------------------------------------------ scenario keys


def test_every_scenario_key_is_covered():
    keys = set(_scenario_keys())
    covered = set(NOT_MODEL) | set(KEY_CASES) | set(SOLVER_KEYS)
    assert keys - covered == set(), "new scenario key: add a KEY_CASES entry or a NOT_MODEL reason"
    assert covered - keys == set(), "stale entry: the scenario has no such key"


@pytest.fixture(scope="module")
def plan(base: Path) -> Path:
    """The base scenario solved once: a results folder for ``capacity_from``."""
    from grid_model.pipeline import run_scenario

    sc = Scenario.model_validate({"dataset": str(base), **BASE_SCENARIO})
    return run_scenario(sc, base.parent / "plan")[1]


@pytest.fixture(scope="module")
def pathway_plan(base: Path) -> Path:
    """The base scenario as a two-period pathway, solved once: a pathway results folder for ``capacity_from``."""
    from grid_model.pathway import run_pathway

    sc = Scenario.model_validate({"dataset": str(base), **BASE_SCENARIO, **PATHWAY})
    run_pathway(sc, base.parent / "pathway_plan")
    return base.parent / "pathway_plan"


def _merged(
    change: dict, overrides_file: Path, hourly: Path, plan: Path | None = None, pathway_plan: Path | None = None
) -> dict:
    out = _deep_merge(BASE_SCENARIO, change)
    if out.get("capacity_from") == "PLAN":
        out["capacity_from"] = str(plan)
    if out.get("capacity_from") == "PATHWAY_PLAN":
        out["capacity_from"] = str(pathway_plan)
    if out.get("overrides_file") == "OVERRIDES_FILE":
        out["overrides_file"] = str(overrides_file)
    if out.get("dataset") == "HOURLY":
        out["dataset"] = str(hourly)
    return out


@pytest.mark.parametrize("key", sorted(KEY_CASES))
def test_every_scenario_key_changes_the_lp(key, base, base_lp, hourly, plan, request, tmp_path):
    first, second = KEY_CASES[key]
    table = tmp_path / "overrides.csv"
    table.write_text("table,id,column,value\ngenerators,XA-coal,availability_pu,0.7\n")
    pw_plan = request.getfixturevalue("pathway_plan") if key == "capacity_period" else None
    before = _lp(base, _merged(first, table, hourly, plan, pw_plan)) if first else base_lp
    after = _lp(base, _merged(_deep_merge(first, second), table, hourly, plan, pw_plan))
    assert not _same(before, after), f"scenario key '{key}' does not change the LP"


def test_solver_key_reaches_highs(base):
    sc = Scenario.model_validate({"dataset": str(base), **_merged(SOLVER_KEYS["solver"][1], Path(), Path())})
    ds = apply_scenario(load_dataset(sc.dataset_path(), sc.hydrology), sc)
    form = standard_form(build_model(ds, sc.model_options())[0])
    assert option_value(load_form(form, sc.solver).highs, "presolve") == "off"
    assert option_value(load_form(form, {}).highs, "presolve") != "off"
