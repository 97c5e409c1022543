"""Scenario files (YAML): schema, ``extends:`` inheritance, and how a scenario changes the dataset.

A scenario names a dataset and says what differs: planning year, hydrology, time resolution, which
candidate links exist, whether subsidies stay, policy, solver options and data overrides. Every key is
checked; an unknown key or bad value is a one-line error naming the file and the key.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from grid_model.dataset import (
    Dataset,
    ScenarioEffects,
    _coerce_column,
    check_connected,
    load_dataset,
    validate_dataset,
)
from grid_model.errors import InputError
from grid_model.options import TIE_BREAK_USD_PER_MWH, ModelOptions
from grid_model.schema import TABLES, TableSchema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PROBABILITY_TOL = 1e-6  # hydrology probabilities must sum to 1 within this


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TimeConfig(_Strict):
    """Time resolution: the full hourly year, uniform down-sampling (chronology kept) or typical periods (tsam)."""

    mode: Literal["full", "downsample", "typical"] = "full"
    step_h: int = Field(3, ge=1, le=168, description="Hours per step for 'downsample'.")
    n_periods: int = Field(12, ge=2, le=364, description="Typical periods for 'typical'.")
    period_h: int = Field(24, ge=1, le=744, description="Length of a typical period in hours.")
    extreme_days: bool = Field(True, description="Keep each zone's peak-demand period as its own typical period.")
    representation: Literal["medoid", "distribution"] = Field(
        "distribution",
        description="How a typical period stands for its cluster: 'distribution' keeps the value distribution "
        "(with min and max) of all the cluster's hours per column, ordered like the medoid day (Colombia 2030 "
        "against the full year: renewable share −2.0 %, objective −0.2 %); 'medoid' is the cluster's most central "
        "real day, which under-represents the zero-price hours and so overvalues wind and solar (share +6.5 %, "
        "objective −1.8 %). Its LP solves ~25 % slower; the headline compare still takes under 3 minutes.",
    )


class LinksConfig(_Strict):
    """Interconnector case: existing links only, named projects at planned capacity, or optimal expansion."""

    mode: Literal["existing", "projects", "optimal"] = "existing"
    projects: list[str] | None = Field(None, description="Candidate links built in 'projects' mode (None = all).")
    allowed: list[str] | None = Field(None, description="Candidates the optimiser may build in 'optimal' mode.")
    cost_multiplier: float = Field(1.0, gt=0)
    require_connected: bool = False


class ExpansionConfig(_Strict):
    generation: bool = True
    storage: bool = True


class HydrologySet(_Strict):
    """Several hydrology years in one run, each with its probability: investment is shared, operation is per
    hydrology, the objective is the expected cost (``grid_model.stochastic``)."""

    scenarios: dict[str, float] = Field(
        description="hydrology name (a year of the library, average, dry, 2023) → probability; they sum to 1"
    )

    @field_validator("scenarios")
    @classmethod
    def _probabilities(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("list at least one hydrology")
        if any(p <= 0 for p in v.values()):
            raise ValueError("every probability must be > 0")
        total = sum(v.values())
        if abs(total - 1.0) > PROBABILITY_TOL:
            raise ValueError(f"probabilities must sum to 1 (they sum to {total:g})")
        return v


class RiskConfig(_Strict):
    """Risk aversion over a set of hydrologies: minimise expected cost + weight·CVaR_alpha of their operating
    costs (grid_model.model.risk)."""

    weight: float = Field(0.0, ge=0, description="λ, the weight of CVaR beside the expected cost; 0 = risk-neutral")
    alpha: float = Field(0.8, ge=0, lt=1, description="CVaR level: the mean of the worst (1 − alpha) of the mass")


class PathwayConfig(_Strict):
    """Investment periods of a pathway (``grid_model.pathway``): one LP over all periods (perfect foresight) or one
    per period with earlier builds fixed (myopic). Each period operates on its own representative year (demand,
    costs and policy of that year); capacity built in a period stays until the end of its lifetime."""

    years: list[int] = Field(
        description="investment periods, e.g. [2027, 2029, 2031, 2036, 2040]; each stands for the years up to the "
        "next (the last for the years up to end_year)",
        min_length=1,
    )
    foresight: Literal["perfect", "myopic"] = Field(
        "perfect", description="perfect: one LP over every period; myopic: period by period, earlier builds fixed"
    )
    base_year: int = Field(2026, ge=2000, le=2100, description="year costs are discounted to (NPV in its USD)")
    end_year: int | None = Field(
        None, ge=2000, le=2150, description="last year the last period stands for (default: the last period's year)"
    )
    max_build_mw_per_yr: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict,
        description="most that may be built per year of a period, by technology in each zone ('solar') or in one "
        "zone ('CL:solar'); a period may build the rate times the years since the previous period",
    )
    periods: dict[int, dict[str, Any]] = Field(
        default_factory=dict,
        description="what differs in a period, as scenario keys, e.g. {2031: {subsidies: {fuel: false}}} (from that "
        "period on: later periods inherit it unless they say otherwise)",
    )

    @field_validator("years")
    @classmethod
    def _sorted(cls, v: list[int]) -> list[int]:
        if len(set(v)) != len(v):
            dup = next(y for y in v if v.count(y) > 1)
            raise ValueError(f"year {dup} is listed twice")
        if v != sorted(v):
            raise ValueError(f"years must be in increasing order (got {v})")
        return v

    @model_validator(mode="after")
    def _horizon(self) -> PathwayConfig:
        if self.base_year > self.years[0]:
            raise ValueError(f"base_year {self.base_year} is after the first period {self.years[0]}")
        if self.end_year is not None and self.end_year < self.years[-1]:
            raise ValueError(f"end_year {self.end_year} is before the last period {self.years[-1]}")
        return self

    def build_years(self) -> dict[int, int]:
        """Years of building each period stands for: since the previous period (the first: since base_year, at
        least one)."""
        starts = [self.base_year, *self.years[:-1]]
        return {y: max(y - s, 1) for y, s in zip(self.years, starts, strict=True)}

    def last_year(self) -> int:
        """The last year the pathway stands for."""
        return self.end_year if self.end_year is not None else self.years[-1]


class SubsidyConfig(_Strict):
    """True = today's subsidy stays; False = removed. A share kept per zone overrides the switch for that zone."""

    fuel: bool = True
    electricity: bool = True
    fuel_share_kept: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict,
        description="Share of each listed zone's fuel subsidies kept (0 = removed, 1 = kept), e.g. {EC: 0.5}: the "
        "wedge per MWh_th is scaled by it; zones not listed follow `fuel`",
    )
    electricity_share_kept: dict[str, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=dict,
        description="Share k of each listed zone's electricity subsidies kept, e.g. {MX: 0.5}: each class keeps "
        "k·subsidy per MWh, its tariff rises by (1 − k)·subsidy and its demand responds; zones not listed follow "
        "`electricity`",
    )


class PolicyConfig(_Strict):
    carbon_price_usd_per_t: float = Field(0.0, ge=0)
    co2_cap_mt: float | None = Field(None, ge=0, description="System CO2 cap [MtCO2/yr]")
    zone_co2_cap_mt: dict[str, Annotated[float, Field(ge=0)]] = Field(
        default_factory=dict, description="CO2 cap per zone [MtCO2/yr], e.g. {CL: 10}; zones must be in zones.csv"
    )
    min_renewable_share: float | None = Field(None, ge=0, le=1)
    allow_unserved: bool = True


class Override(_Strict):
    """Set one value of one table: ``{table: fuels, id: gas, column: price_usd_per_mwh_th, value: 30}``.

    ``id: "*"`` sets the column on every row; ``scale`` multiplies instead of setting.
    """

    table: str
    id: str
    column: str
    value: float | str | bool | None = None
    scale: float | None = None


class Scenario(_Strict):
    """One scenario, after inheritance."""

    name: str
    description: str = ""
    dataset: str = "data/pacific"
    year: int = Field(2030, ge=2000, le=2100)
    hydrology: str | HydrologySet = Field(
        "average",
        description="one hydrology (average, dry, 2023 or a library year such as '1998'), or {scenarios: {name: "
        "probability, …}} to plan once for several (grid_model.stochastic)",
    )
    time: TimeConfig = TimeConfig()
    links: LinksConfig = LinksConfig()
    expansion: ExpansionConfig = ExpansionConfig()
    subsidies: SubsidyConfig = SubsidyConfig()
    policy: PolicyConfig = PolicyConfig()
    risk: RiskConfig = RiskConfig()
    discount_rate: float = Field(0.07, ge=0, le=0.5)
    tie_break_usd_per_mwh: float = Field(
        TIE_BREAK_USD_PER_MWH,
        ge=0,
        le=1,
        description="Step of the small costs that fix which zero-cost energy gives way first (wind, solar, "
        "geothermal, then spilled water); not part of the system cost; 0 = off",
    )
    solver: dict[str, Any] = Field(default_factory=dict)
    overrides: list[Override] = Field(default_factory=list)
    overrides_file: str | None = Field(
        None,
        description="CSV of overrides (table,id,column,value,source), e.g. the "
        "base-year dispatch layer of a calibration scenario; relative to this file",
    )
    capacity_from: str | None = Field(
        None,
        description="A results folder whose capacities (units.csv, links.csv) are fixed here: operation only, e.g. "
        "to check a typical-day plan on the full hourly year or under another hydrology",
    )
    capacity_period: int | None = Field(
        None,
        description="which period of a pathway's results folder capacity_from fixes (a pathway scenario with "
        "capacity_from fixes each of its periods from the same period of the plan)",
    )
    pathway: PathwayConfig | None = Field(
        None, description="investment periods: plan a pathway over several years instead of one (grid_model.pathway)"
    )
    source_file: str | None = None

    @field_validator("name")
    @classmethod
    def _name_ok(cls, v: str) -> str:
        if not v or any(c in v for c in "/\\") or v.startswith("."):
            raise ValueError("must be a plain name without slashes")
        return v

    def dataset_path(self) -> Path:
        p = Path(self.dataset)
        if p.is_absolute():
            return p
        base = Path(self.source_file).parent if self.source_file else Path.cwd()
        for candidate in (base / p, PROJECT_ROOT / p, Path.cwd() / p):
            if candidate.exists():
                return candidate.resolve()
        return (base / p).resolve()

    @field_validator("hydrology", mode="before")
    @classmethod
    def _hydrology_set(cls, v: object) -> object:
        """A mapping is a set of hydrologies: validated here, so its error names what is wrong with it."""
        if isinstance(v, dict):
            try:
                return HydrologySet.model_validate(v)
            except ValidationError as exc:
                err = exc.errors()[0]
                where = ".".join(str(p) for p in err["loc"])
                raise ValueError(f"{where}: {err['msg'].removeprefix('Value error, ')}") from None
        if isinstance(v, int) and not isinstance(v, bool):  # a year written without quotes
            return str(v)
        return v

    def hydrology_members(self) -> list[tuple[str, float]]:
        """(hydrology, probability) of each hydrology this scenario operates under."""
        if isinstance(self.hydrology, HydrologySet):
            return list(self.hydrology.scenarios.items())
        return [(self.hydrology, 1.0)]

    @property
    def hydrology_label(self) -> str:
        """The hydrology for tables and file names: its name, or 'name p + name p …' for a set."""
        members = self.hydrology_members()
        if len(members) == 1:
            return members[0][0]
        return " + ".join(f"{n} {p:g}" for n, p in members)

    def capacity_from_path(self) -> Path | None:
        """The plan's results folder: as given, else relative to the working folder, else to this file."""
        if self.capacity_from is None:
            return None
        p = Path(self.capacity_from)
        base = Path(self.source_file).parent if self.source_file else Path.cwd()
        for candidate in (p, Path.cwd() / p, base / p):
            if candidate.is_dir():
                return candidate.resolve()
        return p

    def model_options(self) -> ModelOptions:
        return ModelOptions(
            discount_rate=self.discount_rate,
            carbon_price_usd_per_t=self.policy.carbon_price_usd_per_t,
            co2_cap_mt=self.policy.co2_cap_mt,
            zone_co2_cap_mt=dict(self.policy.zone_co2_cap_mt),
            min_renewable_share=self.policy.min_renewable_share,
            # with shares kept per zone the wedges are scaled in the data (apply_scenario), so the model keeps them
            fuel_subsidies=self.subsidies.fuel or bool(self.subsidies.fuel_share_kept),
            allow_unserved=self.policy.allow_unserved,
            tie_break_usd_per_mwh=self.tie_break_usd_per_mwh,
            cvar_weight=self.risk.weight,
            cvar_alpha=self.risk.alpha,
        )


def _deep_merge(base: dict, child: dict) -> dict:
    out = dict(base)
    for k, v in child.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _deep_merge(out[k], v)
        else:
            out[k] = v
    return out


def read_yaml_mapping(path: Path, kind: str = "scenario") -> dict:
    """Read a YAML file that must hold a mapping; every problem is a one-line InputError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{kind} file not found", file=str(path)) from None
    except UnicodeDecodeError:
        raise InputError(f"{kind} file is not UTF-8 text", file=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read {kind} file ({exc.strerror})", file=str(path)) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise InputError(f"invalid YAML{where}: {getattr(exc, 'problem', exc)}", file=str(path)) from None
    if data is None:
        raise InputError(f"{kind} file is empty", file=str(path))
    if not isinstance(data, dict):
        raise InputError(f"a {kind} file must be a mapping of keys to values", file=str(path))
    return data


def _check_relative(path: Path, key: str, value: object) -> None:
    """A relative path in a scenario file may not leave the file's own folder or the project's data/ and
    scenarios/ folders; an absolute path is the user's explicit choice and is allowed."""
    if not isinstance(value, str) or not value or Path(value).is_absolute():
        return
    target = Path(os.path.normpath(path.parent / value))
    roots = [path.parent, PROJECT_ROOT / "data", PROJECT_ROOT / "scenarios"]
    if not any(target == r or r in target.parents for r in roots):
        raise InputError(
            f"key '{key}': relative path '{value}' leaves the project's data and scenario folders; "
            f"give an absolute path to use a folder elsewhere",
            file=str(path),
        )


def _resolve(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    path = path.resolve()
    if path in seen:
        raise InputError(f"'extends' forms a cycle: {' → '.join(p.name for p in (*seen, path))}", file=str(path))
    data = read_yaml_mapping(path)
    for key in ("dataset", "overrides_file", "extends"):
        _check_relative(path, key, data.get(key))
    for key in ("dataset", "overrides_file"):  # paths are relative to the file that names them
        value = data.get(key)
        if isinstance(value, str) and not Path(value).is_absolute() and (path.parent / value).exists():
            data[key] = str((path.parent / value).resolve())
    parent = data.pop("extends", None)
    if parent is None:
        data.setdefault("name", path.stem)
        return data
    if not isinstance(parent, str):
        raise InputError("key 'extends': must be a file name", file=str(path))
    base = _resolve((path.parent / parent), (*seen, path))
    base.pop("name", None)
    base.pop("description", None)
    merged = _deep_merge(base, data)
    merged.setdefault("name", path.stem)
    return merged


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario file (following ``extends:``) and validate it; errors name the file and key."""
    path = Path(path)
    data = _resolve(path)
    data["source_file"] = str(path.resolve())
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        value = err.get("input")
        shown = f" (got {value!r})" if err["type"] != "extra_forbidden" and not isinstance(value, dict) else ""
        raise InputError(f"key '{key}': {msg}{shown}", file=str(path)) from None


# ---------------------------------------------------------------------------------------------
# Applying a scenario to a dataset


def apply_scenario(ds: Dataset, sc: Scenario, *, aggregate: bool = True) -> Dataset:
    """A modified copy of the dataset: overrides, demand for the year, links case, expansion, subsidies, and
    (unless ``aggregate`` is off: several hydrologies are aggregated together, ``grid_model.stochastic``) time."""
    from grid_model.timeseries import aggregate_time

    ds = ds.copy()
    ds.applied = ScenarioEffects(
        year=sc.year,
        hydrology=sc.hydrology_label,
        links_mode=sc.links.mode,
        fuel_subsidies=sc.subsidies.fuel,
        electricity_subsidies=sc.subsidies.electricity,
        time_mode=sc.time.mode,
    )
    label = sc.source_file or sc.name
    unknown = sorted(set(sc.policy.zone_co2_cap_mt) - set(ds.zones))
    if unknown:
        raise InputError(f"key 'policy.zone_co2_cap_mt': unknown zone '{unknown[0]}' (not in zones.csv)", file=label)
    _apply_overrides(ds, sc, label)
    _scale_demand_to_year(ds, sc)
    _apply_electricity_subsidies(ds, sc, label)
    _apply_fuel_subsidy_shares(ds, sc, label)
    _apply_links_case(ds, sc, label)
    if not sc.expansion.generation:
        g = ds.tables["generators"]
        g["p_nom_max_mw"] = g["p_nom_mw"]
    if not sc.expansion.storage:
        s = ds.tables["storage"]
        s["p_nom_max_mw"] = s["p_nom_mw"]
    plan = sc.capacity_from_path()
    if plan is not None:
        _fix_capacities_from(ds, plan, label, sc.capacity_period)
    _drop_empty_assets(ds)
    validate_dataset(ds)
    if sc.links.require_connected:
        check_connected(ds)
    return aggregate_time(ds, sc.time) if aggregate else ds


def _effects(ds: Dataset) -> ScenarioEffects:
    """The record of what the scenario being applied does (set first by :func:`apply_scenario`)."""
    if ds.applied is None:
        raise RuntimeError("scenario effects are recorded only inside apply_scenario")
    return ds.applied


def _file_overrides(sc: Scenario, label: str) -> list[tuple[str, Override]]:
    """Overrides listed in ``overrides_file`` (one per row), keyed by 'file row N' for error messages."""
    if not sc.overrides_file:
        return []
    path = Path(sc.overrides_file)
    if not path.is_file():
        raise InputError(f"key 'overrides_file': file not found: {path}", file=label)
    from grid_model.dataset import _read_csv

    df = _read_csv(path, str(path))
    for col in ("table", "id", "column", "value"):
        if col not in df.columns:
            raise InputError("required column is missing", file=str(path), column=col)
    out = []
    for i, row in enumerate(df.to_dict("records")):
        out.append(
            (
                f"{path.name} row {i + 1}",
                Override(table=row["table"], id=row["id"], column=row["column"], value=row["value"]),
            )
        )
    return out


def _apply_overrides(ds: Dataset, sc: Scenario, label: str) -> None:
    by_name = {t.name: t for t in TABLES}
    listed = [(f"overrides.{i}", o) for i, o in enumerate(sc.overrides)]
    for key, o in _file_overrides(sc, label) + listed:
        if o.table not in by_name:
            raise InputError(f"key '{key}.table': unknown table '{o.table}'", file=label)
        schema = by_name[o.table]
        df = ds.tables[o.table]
        if o.column not in df.columns or o.column in schema.key:
            raise InputError(f"key '{key}.column': '{o.column}' is not a settable column of {schema.file}", file=label)
        rows = df.index if o.id == "*" else [o.id]
        if o.id != "*" and o.id not in df.index:
            raise InputError(f"key '{key}.id': no row '{o.id}' in {schema.file}", file=label)
        col = schema.column(o.column)
        new = df[o.column].astype(object).copy()
        if o.scale is not None:
            if col.dtype not in ("float", "int"):
                raise InputError(f"key '{key}.scale': column '{o.column}' is not numeric", file=label)
            if not np.isfinite(o.scale) or o.scale < 0:
                raise InputError(f"key '{key}.scale': {o.scale:g} gives implausible values", file=label)
            new.loc[rows] = df.loc[rows, o.column] * o.scale
        else:
            new.loc[rows] = o.value
        df[o.column] = _checked_column(df, schema, o.column, new, f"{label}: key '{key}' sets {schema.file}")
    if sc.overrides or sc.overrides_file:
        try:  # the cross-column checks of the tables (e.g. a capacity floor above its ceiling), with overrides applied
            validate_dataset(ds)
        except InputError as exc:
            raise InputError(f"key 'overrides' gives an invalid dataset: {exc}", file=label) from None


def _checked_column(df: pd.DataFrame, schema: TableSchema, name: str, values: pd.Series, where: str) -> pd.Series:
    """An overridden column, read back through the same checks and conversion as the table's CSV column (bounds,
    allowed values, whole numbers, true/false), so that an override can set nothing its file could not hold."""
    raw = pd.DataFrame({k: df[k].astype(str) for k in schema.key}, index=df.index)
    raw[name] = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]
    try:
        return _coerce_column(raw, schema.column(name), schema, where)
    except InputError as exc:
        raise InputError(str(exc)) from None


def _fix_capacities_from(ds: Dataset, folder: Path, label: str, period: int | None = None) -> None:
    """Fix every generator, storage unit and link at the capacity an earlier run ended with (existing + new, from
    its units.csv and links.csv): nothing can be built, operation is re-optimised. An asset the plan does not list
    had no capacity there; one the plan lists that this dataset lacks is an error naming the plan's file and row."""
    from grid_model.results import read_plan_capacities

    try:
        units, links, summary = read_plan_capacities(folder, period)
    except FileNotFoundError as exc:
        raise InputError(f"key 'capacity_from': not a results folder ({exc.filename} is missing)", file=label) from None
    except LookupError as exc:
        raise InputError(f"key 'capacity_period': {exc.args[0]}", file=label) from None
    for table, planned in (("generators", units), ("storage", units), ("links", links)):
        df = ds.tables[table]
        cap = planned.reindex(df.index).fillna(0.0)
        df["p_nom_mw"] = cap
        df["p_nom_max_mw"] = cap
        if "p_nom_min_mw" in df.columns:
            df["p_nom_min_mw"] = float("nan")
    known = set(ds.tables["generators"].index) | set(ds.tables["storage"].index) | set(ds.tables["hydro"].index)
    for file, column, planned, names in (
        ("units.csv", "unit", units, known),
        ("links.csv", "link", links, set(ds.tables["links"].index)),
    ):
        missing = [u for u in planned.index if u not in names]
        if missing:
            row = list(planned.index).index(missing[0]) + 1
            raise InputError(
                f"'{missing[0]}' is not in this scenario's dataset", file=str(folder / file), row=row, column=column
            )
    _effects(ds).plan = {"capacity_from": str(folder), **summary}
    if period is not None:
        _effects(ds).plan["capacity_period"] = period


def _drop_empty_assets(ds: Dataset) -> None:
    """Keep the LP lean: generators, storage and links that can have no capacity in this scenario are removed."""
    for name in ("generators", "storage", "links"):
        df = ds.tables[name]
        ceiling = df["p_nom_max_mw"].fillna(df["p_nom_mw"])
        ds.tables[name] = df[ceiling > 0].copy()
    hydro = ds.tables["hydro"]
    ds.tables["hydro"] = hydro[hydro["p_nom_mw"] > 0].copy()


def structure_key(sc: Scenario) -> tuple:
    """Scenarios with equal keys are likely to build LPs of the same structure (only costs, bounds and demand
    differ), so compare and sweep solve them one after another on one warm session. Override *values* are left
    out (a fuel price changes a cost, not the matrix); the session checks the structure itself before re-using."""
    overrides = [o.model_dump(exclude={"value", "scale"}) for o in sc.overrides]
    return (
        str(sc.dataset_path()),
        sc.hydrology_label,
        sc.time.model_dump_json(),
        sc.links.model_dump_json(),
        sc.expansion.model_dump_json(),
        sc.policy.co2_cap_mt is None,
        tuple(sorted(sc.policy.zone_co2_cap_mt)),
        sc.policy.min_renewable_share is None,
        sc.policy.allow_unserved,
        sc.risk.weight > 0,
        sc.overrides_file,
        sc.capacity_from,
        json.dumps(overrides, sort_keys=True),
    )


def _scale_demand_to_year(ds: Dataset, sc: Scenario) -> None:
    """Scale each zone's hourly demand to the annual TWh of the planning year (demand_growth.csv).

    Between two listed years the total is interpolated geometrically (constant growth rate); a year outside the
    listed range is an error for any zone that has growth rows.
    """
    growth = ds.tables["demand_growth"]
    if growth.empty:
        return
    w = ds.weights_h
    factors = {}
    for z in ds.zones:
        rows = growth[growth["zone"] == z].sort_values("year")
        if rows.empty:
            continue
        years = rows["year"].to_numpy(dtype=float)
        twh = rows["demand_twh"].to_numpy(dtype=float)
        if not years[0] <= sc.year <= years[-1]:
            raise InputError(
                f"key 'year': {sc.year} is outside the years demand_growth.csv lists for {z} "
                f"({int(years[0])}–{int(years[-1])})",
                file=sc.source_file or sc.name,
            )
        i = int(np.searchsorted(years, sc.year))
        if years[i] == sc.year:
            target = twh[i]
        else:
            y0, y1, d0, d1 = years[i - 1], years[i], twh[i - 1], twh[i]
            target = d0 * (d1 / d0) ** ((sc.year - y0) / (y1 - y0)) if d0 > 0 else d1
        current_twh = float(ds.demand_mw[z].to_numpy() @ w) / 1e6
        if current_twh > 0:
            factors[z] = float(target) / current_twh
            ds.demand_mw[z] = ds.demand_mw[z] * factors[z]
    _effects(ds).demand_scale_factor = factors


def _kept_share(sc: Scenario, zone: str, kind: str) -> float:
    """The share k of a zone's fuel or electricity subsidy the scenario keeps: its per-zone share, else the switch."""
    shares = sc.subsidies.fuel_share_kept if kind == "fuel" else sc.subsidies.electricity_share_kept
    switch = sc.subsidies.fuel if kind == "fuel" else sc.subsidies.electricity
    return float(shares.get(zone, 1.0 if switch else 0.0))


def _apply_fuel_subsidy_shares(ds: Dataset, sc: Scenario, label: str) -> None:
    """Scale each zone's fuel wedges by the share kept (``subsidies.fuel_share_kept``)."""
    _check_zones(ds, sc.subsidies.fuel_share_kept, "subsidies.fuel_share_kept", label)
    fs = ds.tables["fuel_subsidies"]
    if fs.empty or not sc.subsidies.fuel_share_kept:
        return
    k = fs["zone"].map(lambda z: _kept_share(sc, z, "fuel"))
    fs["subsidy_usd_per_mwh_th"] = fs["subsidy_usd_per_mwh_th"] * k.astype(float)


def _check_zones(ds: Dataset, shares: dict[str, float], key: str, label: str) -> None:
    unknown = sorted(set(shares) - set(ds.zones))
    if unknown:
        raise InputError(f"key '{key}': unknown zone '{unknown[0]}' (not in zones.csv)", file=label)


def _apply_electricity_subsidies(ds: Dataset, sc: Scenario, label: str) -> None:
    """Per zone, each class c keeps k·s_c per MWh (k the share kept); the rest, (1 − k)·s_c, is added to its tariff
    t_c and a fiscal class's demand responds with its elasticity ε_c (a cross class's removal leaves demand as is):

        f_c = ((t_c + (1 − k)·s_c) / t_c)^ε_c        F = 1 + Σ_c share_c·(f_c − 1)        D' = F·D

    Recorded per MWh of the zone's demand after the response: the fiscal cost Σ_fiscal k·s_c·share_c·f_c / F and the
    cross transfer Σ_cross k·s_c·share_c / F; and the consumers' surplus change of the removed part (USD/yr, from the
    class's demand curve, ``_surplus_change_per_mwh``; a cross-subsidy's is zero: its payers gain what it took).
    """
    _check_zones(ds, sc.subsidies.electricity_share_kept, "subsidies.electricity_share_kept", label)
    es = ds.tables["electricity_subsidies"]
    if es.empty:
        return
    fiscal, cross, change, surplus = {}, {}, {}, {}
    for z, rows in es.groupby("zone", sort=False):
        k = _kept_share(sc, str(z), "electricity")
        is_fiscal = (rows["kind"] == "fiscal").to_numpy()
        t = rows["tariff_usd_per_mwh"].to_numpy(dtype=float)
        s = rows["subsidy_usd_per_mwh"].to_numpy(dtype=float)
        eps = rows["elasticity"].to_numpy(dtype=float)
        share = rows["demand_share_pu"].to_numpy(dtype=float)
        f = np.ones(len(rows))
        responds = is_fiscal & (eps < 0) & (k < 1)
        f[responds] = ((t[responds] + (1 - k) * s[responds]) / t[responds]) ** eps[responds]
        factor = 1.0 + float(share @ (f - 1.0))
        fiscal[str(z)] = float(k * (s * share * f)[is_fiscal].sum() / factor)
        cross[str(z)] = float(k * (s * share)[~is_fiscal].sum() / factor)
        if k < 1:
            energy_mwh = float(ds.demand_mw[z].to_numpy(dtype=float) @ ds.weights_h)  # before the response
            per_mwh = [_surplus_change_per_mwh(a, e, (1 - k) * b) for a, e, b in zip(t, eps, s, strict=True)]
            surplus[str(z)] = float((np.asarray(per_mwh) * share)[is_fiscal].sum() * energy_mwh)
        if factor != 1.0:
            ds.demand_mw[z] = ds.demand_mw[z] * factor
            change[str(z)] = factor - 1.0
    eff = _effects(ds)
    eff.electricity_subsidy_usd_per_mwh = {z: v for z, v in fiscal.items() if v > 0}
    eff.electricity_cross_subsidy_usd_per_mwh = {z: v for z, v in cross.items() if v > 0}
    eff.electricity_subsidy_removal_demand_change_pu = change
    eff.electricity_consumer_surplus_change_usd = {z: v for z, v in surplus.items() if v != 0}


def _surplus_change_per_mwh(t: float, eps: float, rise: float) -> float:
    """Consumers' surplus change per MWh of the class's demand before the tariff rises from t by ``rise`` [USD/MWh],
    on the constant-elasticity curve D(p) = D0·(p/t)^ε: −∫_t^{t+rise} (p/t)^ε dp = −t/(1+ε)·[((t+rise)/t)^(1+ε) − 1]
    (−t·ln((t+rise)/t) at ε = −1; −rise when ε = 0, which needs no tariff)."""
    if rise <= 0:
        return 0.0
    if eps == 0:
        return -rise
    ratio = (t + rise) / t
    return -t * np.log(ratio) if eps == -1 else -t / (1 + eps) * (ratio ** (1 + eps) - 1)


def _apply_links_case(ds: Dataset, sc: Scenario, label: str) -> None:
    links = ds.tables["links"]
    if links.empty:
        return
    cand = links["status"] == "candidate"
    names = set(links.index[cand])
    for key, listed in (("projects", sc.links.projects), ("allowed", sc.links.allowed)):
        for lk in listed or []:
            if lk not in names:
                raise InputError(f"key 'links.{key}': '{lk}' is not a candidate link in links.csv", file=label)
    links["capex_usd_per_mw"] = links["capex_usd_per_mw"] * sc.links.cost_multiplier
    existing_cap = links["p_nom_mw"]
    # a committed project (p_nom_min_mw above p_nom_mw) is built in every mode, candidate or not
    floor = links["p_nom_min_mw"].fillna(existing_cap).clip(lower=existing_cap)
    if sc.links.mode == "existing":
        links["p_nom_max_mw"] = floor
        links["p_nom_min_mw"] = floor
    elif sc.links.mode == "projects":
        chosen = set(sc.links.projects) if sc.links.projects is not None else names
        build = np.where(links.index.isin(list(chosen)), links["project_mw"], 0.0)
        planned = np.maximum(existing_cap + build, floor)  # built at planned capacity: the appraisal case
        links["p_nom_max_mw"] = planned
        links["p_nom_min_mw"] = planned
    else:
        allowed = set(sc.links.allowed) if sc.links.allowed is not None else names
        ceiling = links["p_nom_max_mw"].fillna(existing_cap + links["project_mw"])
        links["p_nom_max_mw"] = np.where(~cand | links.index.isin(list(allowed)), ceiling, floor)
        links["p_nom_min_mw"] = floor
    ds.tables["links"] = links


def scenario_inputs(sc: Scenario, load: Callable[[Path, str], Dataset] | None = None) -> Dataset:
    """The scenario-applied dataset: one hydrology's, or every hydrology of a set as one dataset of hydrology
    blocks (``grid_model.stochastic``). ``load(path, hydrology)`` reads a raw dataset (default: load_dataset)."""
    load = load or (lambda path, hydrology: load_dataset(path, hydrology=hydrology))
    members = sc.hydrology_members()
    if len(members) == 1:
        return apply_scenario(load(sc.dataset_path(), members[0][0]), sc)
    from grid_model.stochastic import combine_hydrologies

    static = {name: apply_scenario(load(sc.dataset_path(), name), sc, aggregate=False) for name, _p in members}
    return combine_hydrologies(static, dict(members), sc.time, sc.hydrology_label)


def load_run_inputs(scenario_path: str | Path) -> tuple[Scenario, Dataset]:
    """Scenario file → validated scenario and scenario-applied dataset."""
    sc = load_scenario(scenario_path)
    return sc, scenario_inputs(sc)


def scenario_table(scenarios: list[Scenario]) -> pd.DataFrame:
    """One row per scenario with its main switches (for the comparison report)."""
    return pd.DataFrame(
        [
            {
                "scenario": s.name,
                "year": s.year,
                "hydrology": s.hydrology_label,
                "links": s.links.mode,
                "fuel_subsidies": "kept" if s.subsidies.fuel else "removed",
                "electricity_subsidies": "kept" if s.subsidies.electricity else "removed",
                "carbon_price_usd_per_t": s.policy.carbon_price_usd_per_t,
                "time": s.time.mode,
            }
            for s in scenarios
        ]
    )
