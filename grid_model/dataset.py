"""Load a dataset folder into validated pandas tables.

Every failure is an :class:`~grid_model.errors.InputError` naming file, row and column. Rows are
numbered as data rows (1 = the first line under the header) and the row's id is shown beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from grid_model.errors import InputError
from grid_model.schema import TABLES, Column, TableSchema
from grid_model.timeindex import HydrologyBlocks, TimeIndex

HOURS_PER_YEAR = 8760.0
CAPACITY_TOL_MW = 1e-9  # a ceiling this far below existing capacity is rounding, not an error
WEIGHT_SUM_TOL_PU = 1e-6  # relative tolerance on Σ weights = 8,760 h
MAX_MAGNITUDE = 1e12  # far above any physical value here (USD/MW, MWh of the largest reservoir); larger is an error


@dataclass
class ScenarioEffects:
    """What applying a scenario did to a dataset, carried to the results (grid_model.scenario.apply_scenario)."""

    year: int
    hydrology: str
    links_mode: str
    fuel_subsidies: bool
    electricity_subsidies: bool
    time_mode: str
    demand_scale_factor: dict[str, float] = field(default_factory=dict)  # demand of the year / demand of the data
    # fiscal subsidies kept, per MWh of the zone's demand (all classes: Σ_c k·s_c·share_c·f_c / F)
    electricity_subsidy_usd_per_mwh: dict[str, float] = field(default_factory=dict)
    electricity_subsidy_removal_demand_change_pu: dict[str, float] = field(default_factory=dict)  # removed ones
    # cross-subsidies kept: the transfer between consumers per MWh of the zone's demand (no fiscal cost)
    electricity_cross_subsidy_usd_per_mwh: dict[str, float] = field(default_factory=dict)
    # subsidies removed (in part): the consumers' surplus change of the tariff rise [USD/yr], negative
    electricity_consumer_surplus_change_usd: dict[str, float] = field(default_factory=dict)
    plan: dict[str, object] = field(default_factory=dict)  # capacity_from: the plan's folder and summary figures

    def echo(self) -> dict[str, object]:
        """The scenario choices as ``scenario_*`` entries of summary.json."""
        return {
            "scenario_year": self.year,
            "scenario_hydrology": self.hydrology,
            "scenario_links_mode": self.links_mode,
            "scenario_fuel_subsidies": self.fuel_subsidies,
            "scenario_electricity_subsidies": self.electricity_subsidies,
            "scenario_time_mode": self.time_mode,
        }


@dataclass
class Dataset:
    """Validated input tables. Static tables are indexed by their key; series by ``timestep``."""

    path: Path
    tables: dict[str, pd.DataFrame]
    timesteps: pd.DataFrame  # index timestep; columns weight_h (+ datetime, period if aggregated)
    demand_mw: pd.DataFrame  # index timestep; one column per zone
    availability_pu: pd.DataFrame  # index timestep; one column per profile
    inflow_mw: pd.DataFrame  # index timestep; one column per inflow name
    hydrology: str = "2023"
    # typical periods (grid_model.timeseries): the typical period of each original period, and their length [h]
    period_sequence: np.ndarray | None = None
    period_h: float = 0.0
    applied: ScenarioEffects | None = None  # what apply_scenario did (None for a raw dataset)
    hydrology_blocks: HydrologyBlocks | None = None  # several hydrologies in one run (grid_model.stochastic)

    @property
    def time(self) -> TimeIndex:
        """The typed time index of these timesteps (one planning year, one hydrology)."""
        year = self.applied.year if self.applied is not None else None
        return TimeIndex.from_timesteps(
            self.timesteps, self.period_sequence, self.period_h, year, self.hydrology, self.hydrology_blocks
        )

    def copy(self) -> Dataset:
        """A deep copy, safe to modify."""
        return replace(
            self,
            tables={k: v.copy() for k, v in self.tables.items()},
            timesteps=self.timesteps.copy(),
            demand_mw=self.demand_mw.copy(),
            availability_pu=self.availability_pu.copy(),
            inflow_mw=self.inflow_mw.copy(),
            period_sequence=None if self.period_sequence is None else self.period_sequence.copy(),
            applied=None if self.applied is None else replace(self.applied),
        )

    @property
    def zones(self) -> list[str]:
        return list(self.tables["zones"].index)

    @property
    def weights_h(self) -> np.ndarray:
        return self.timesteps["weight_h"].to_numpy(dtype=float)


# ---------------------------------------------------------------------------------------------
# Reading one table


def _read_csv(path: Path, label: str) -> pd.DataFrame:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror})", file=label) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start}); save the file as UTF-8", file=label) from None
    if not text.strip():
        raise InputError("file is empty (a header line is required)", file=label)
    import io

    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.ParserError as exc:
        raise InputError(f"malformed CSV ({str(exc).strip().splitlines()[-1]})", file=label) from None


def _row_id(df: pd.DataFrame, schema: TableSchema, i: int) -> str | None:
    if schema.key and all(k in df.columns for k in schema.key):
        return "/".join(str(df.iloc[i][k]) for k in schema.key)
    return None


def _reject_first(mask, message, df: pd.DataFrame, schema: TableSchema, label: str, column: str) -> None:
    """Raise for the first row where ``mask`` holds; ``message`` is a string or a function of the row position."""
    hits = np.flatnonzero(np.asarray(mask))
    if len(hits):
        i = int(hits[0])
        text = message(i) if callable(message) else message
        raise InputError(text, file=label, row=i + 1, column=column, row_id=_row_id(df, schema, i))


def _coerce_column(df: pd.DataFrame, col: Column, schema: TableSchema, label: str) -> pd.Series:
    raw = df[col.name].astype(str).str.strip()
    missing = raw.eq("") | raw.str.lower().isin(["nan", "none", "null", "na"])

    def reject(mask, message) -> None:
        _reject_first(mask, message, df, schema, label, col.name)

    if col.dtype == "str":
        reject(col.required and missing, "value is missing")
        out = raw.where(~missing, "" if col.default is None else str(col.default))
        if col.allowed is not None:
            bad = ~out.isin(col.allowed) & ~(out.eq("") & ~col.required)
            reject(bad, lambda i: f"'{out.iloc[i]}' is not one of {', '.join(col.allowed)}")
        return out.astype(object)
    if col.dtype == "bool":
        low = raw.str.lower()
        truthy, falsy = low.isin(["true", "1", "yes", "y"]), low.isin(["false", "0", "no", "n"])
        reject(~(truthy | falsy | missing), lambda i: f"'{raw.iloc[i]}' is not true/false")
        reject(col.required and missing, "value is missing")
        return pd.Series(np.where(missing, bool(col.default), truthy), index=df.index, dtype=bool)
    # numeric
    values = pd.to_numeric(raw.where(~missing, None), errors="coerce")
    reject(values.isna() & ~missing, lambda i: f"'{raw.iloc[i]}' is not a number")
    reject(col.required and missing, "value is missing")
    arr = values.to_numpy(dtype=float)
    reject(np.isinf(arr), "value is infinite")
    reject(
        np.abs(np.nan_to_num(arr)) > MAX_MAGNITUDE,
        lambda i: f"{arr[i]:g} is implausibly large (limit {MAX_MAGNITUDE:g})",
    )
    known = ~np.isnan(arr)
    if col.min is not None:
        op = ">" if col.min_exclusive else "≥"
        low_bad = known & ((arr <= col.min) if col.min_exclusive else (arr < col.min))
        reject(low_bad, lambda i: f"{arr[i]:g} is out of range (must be {op} {col.min:g})")
    if col.max is not None:
        reject(known & (arr > col.max), lambda i: f"{arr[i]:g} is out of range (must be ≤ {col.max:g})")
    if col.dtype == "int":
        reject(known & (arr != np.round(arr)), lambda i: f"{arr[i]:g} is not a whole number")
    if col.default is not None:
        arr = np.where(np.isnan(arr), float(col.default), arr)  # type: ignore[arg-type]
    return pd.Series(arr, index=df.index, dtype=float)


def read_table(path: Path, schema: TableSchema, label: str | None = None) -> pd.DataFrame:
    """Read and validate one static table; returns it indexed by its key (columns keep the key too)."""
    label = label or str(path)
    df = _read_csv(path, label)
    df.columns = [str(c).strip() for c in df.columns]
    known = {c.name for c in schema.columns}
    for c in df.columns:
        if c not in known:
            raise InputError(f"unknown column '{c}' (expected: {', '.join(sorted(known))})", file=label, column=c)
    dup = pd.Index(df.columns)[pd.Index(df.columns).duplicated()]
    if len(dup):
        raise InputError("column appears twice", file=label, column=str(dup[0]))
    for col in schema.columns:
        if col.name not in df.columns:
            if col.required:
                raise InputError("required column is missing", file=label, column=col.name)
            df[col.name] = ""
    out = pd.DataFrame({col.name: _coerce_column(df, col, schema, label) for col in schema.columns})
    if schema.key:
        keys = out[list(schema.key)].astype(str).agg("/".join, axis=1)
        dup_mask = keys.duplicated()
        if dup_mask.any():
            i = int(np.flatnonzero(dup_mask.to_numpy())[0])
            first = int(np.flatnonzero((keys == keys.iloc[i]).to_numpy())[0])
            raise InputError(
                f"duplicate id '{keys.iloc[i]}' (first at row {first + 1})",
                file=label,
                row=i + 1,
                column=schema.key[0],
            )
        out.index = pd.Index(keys.to_numpy(dtype=object), name="/".join(schema.key))
    return out


def _empty_table(schema: TableSchema) -> pd.DataFrame:
    cols = {}
    for c in schema.columns:
        cols[c.name] = pd.Series([], dtype=object if c.dtype == "str" else (bool if c.dtype == "bool" else float))
    out = pd.DataFrame(cols)
    out.index = pd.Index([], dtype=object, name="/".join(schema.key))
    return out


def read_series(path: Path, label: str, *, unit_min: float = 0.0, unit_max: float | None = None) -> pd.DataFrame:
    """Read a time series (column ``timestep`` then one numeric column per entity)."""
    df = _read_csv(path, label)
    df.columns = [str(c).strip() for c in df.columns]
    if "timestep" not in df.columns:
        raise InputError("required column is missing", file=label, column="timestep")
    ts = pd.to_numeric(df["timestep"], errors="coerce")
    if ts.isna().any():
        i = int(np.flatnonzero(ts.isna().to_numpy())[0])
        raise InputError(
            f"'{df['timestep'].iloc[i]}' is not a timestep number", file=label, row=i + 1, column="timestep"
        )
    expected = np.arange(len(df))
    if not np.array_equal(ts.to_numpy(), expected):
        i = int(np.flatnonzero(ts.to_numpy() != expected)[0])
        raise InputError(
            f"timesteps must run 0, 1, 2, … without gaps or repeats; found {ts.iloc[i]:g} where {i} was expected",
            file=label,
            row=i + 1,
            column="timestep",
        )
    out = {}
    for c in df.columns:
        if c == "timestep" or c == "datetime":
            continue
        raw = df[c].astype(str).str.strip()
        vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(vals)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            what = "value is missing" if raw.iloc[i] == "" else f"'{raw.iloc[i]}' is not a finite number"
            raise InputError(what, file=label, row=i + 1, column=c)
        if (np.abs(vals) > MAX_MAGNITUDE).any():
            i = int(np.flatnonzero(np.abs(vals) > MAX_MAGNITUDE)[0])
            raise InputError(
                f"{vals[i]:g} is implausibly large (limit {MAX_MAGNITUDE:g})", file=label, row=i + 1, column=c
            )
        if (vals < unit_min).any():
            i = int(np.flatnonzero(vals < unit_min)[0])
            raise InputError(f"{vals[i]:g} is out of range (must be ≥ {unit_min:g})", file=label, row=i + 1, column=c)
        if unit_max is not None and (vals > unit_max + 1e-9).any():
            i = int(np.flatnonzero(vals > unit_max + 1e-9)[0])
            raise InputError(f"{vals[i]:g} is out of range (must be ≤ {unit_max:g})", file=label, row=i + 1, column=c)
        out[c] = vals
    frame = pd.DataFrame(out, index=pd.RangeIndex(len(df), name="timestep"))
    if "datetime" in df.columns:
        frame.attrs["datetime"] = df["datetime"].tolist()
    return frame


# ---------------------------------------------------------------------------------------------
# The whole folder


def load_dataset(path: str | Path, hydrology: str = "2023") -> Dataset:
    """Read every table and series of a dataset folder, fill defaults and check references.

    Raises :class:`InputError` with file, row and column on the first problem found.
    """
    root = Path(path)
    if not root.is_dir():
        raise InputError(f"dataset folder not found: {root}")
    tables: dict[str, pd.DataFrame] = {}
    for schema in TABLES:
        f = root / schema.file
        if not f.exists():
            if schema.optional:
                tables[schema.name] = _empty_table(schema)
                continue
            raise InputError("required table is missing", file=str(f))
        tables[schema.name] = read_table(f, schema, label=str(f))

    ts_dir = root / "timeseries"
    steps_file = ts_dir / "timesteps.csv"
    steps = read_series(steps_file, str(steps_file))
    if "weight_h" not in steps.columns:
        raise InputError("required column is missing", file=str(steps_file), column="weight_h")
    if "datetime" in steps.attrs:
        steps["datetime"] = steps.attrs["datetime"]
    n = len(steps)
    demand = read_series(ts_dir / "demand_mw.csv", str(ts_dir / "demand_mw.csv"))
    avail_file = ts_dir / "availability_pu.csv"
    avail = (
        read_series(avail_file, str(avail_file), unit_max=1.0)
        if avail_file.exists()
        else pd.DataFrame(index=pd.RangeIndex(n, name="timestep"))
    )
    inflow_file = ts_dir / f"inflow_mw_{hydrology}.csv"
    if inflow_file.exists():
        inflow = read_series(inflow_file, str(inflow_file))
    elif len(tables["hydro"]) and (root / "hydrology_years.csv").exists() and re.fullmatch(r"\d{4}", hydrology):
        inflow = _library_inflow(root, hydrology, tables["hydro"])
    elif len(tables["hydro"]):
        options = sorted(p.stem.removeprefix("inflow_mw_") for p in ts_dir.glob("inflow_mw_*.csv"))
        raise InputError(
            f"hydrology '{hydrology}' not found (available: {', '.join(options) or 'none'})", file=str(inflow_file)
        )
    else:
        inflow = pd.DataFrame(index=pd.RangeIndex(n, name="timestep"))
    for name, frame, f in (
        ("demand", demand, "demand_mw.csv"),
        ("availability", avail, "availability_pu.csv"),
        ("inflow", inflow, inflow_file.name),
    ):
        if len(frame) != n:
            raise InputError(
                f"{name} series has {len(frame)} rows but timesteps.csv has {n}",
                file=str(ts_dir / f),
                column="timestep",
            )
    # an empty loss_pu stays empty: the links feature fills the default from kind and length_km when it builds, so
    # a scenario override of either still changes the loss (links.csv in results reports the loss used)
    ds = Dataset(root, tables, steps, demand, avail, inflow, hydrology=hydrology)
    validate_dataset(ds)
    return ds


# --- hydrology library hook (see grid_model/datagen/hydrology_library.py) -------------------------------------
def _library_inflow(root: Path, hydrology: str, hydro: pd.DataFrame) -> pd.DataFrame:
    """Inflows of library year ``hydrology``: ``inflow_mw_average.csv`` scaled per zone by hydrology_years.csv."""
    from grid_model.inflow_library import library_inflow

    lib_file = root / "hydrology_years.csv"
    table = _read_csv(lib_file, str(lib_file))
    years = sorted(table["year"].astype(int).unique())
    if int(hydrology) not in years:
        raise InputError(
            f"hydrology '{hydrology}' is not in the library (years {years[0]}–{years[-1]})",
            file=str(lib_file),
            column="year",
        )
    avg_file = root / "timeseries" / "inflow_mw_average.csv"
    average = read_series(avg_file, str(avg_file))
    return library_inflow(average, dict(zip(hydro["inflow"], hydro["zone"], strict=True)), int(hydrology), table)


def validate_dataset(ds: Dataset, *, require_connected: bool = False) -> None:
    """Cross-table checks: references, capacities, series coverage, weights, supply for every zone with demand."""
    _check_references(ds)
    _check_capacities(ds)
    _check_series_columns(ds)
    _check_timesteps(ds)
    _check_demand_columns(ds)
    _check_supply(ds)
    _check_electricity_subsidies(ds)
    if require_connected:
        check_connected(ds)


def _check_electricity_subsidies(ds: Dataset) -> None:
    """A zone's classes of one kind take at most its whole demand (Σ demand_share_pu ≤ 1 per zone and kind: the
    fiscal and the cross part of one subsidy may name the same consumers); a class whose demand responds to the
    tariff (elasticity < 0) states the tariff it pays."""
    es = ds.tables["electricity_subsidies"]
    if es.empty:
        return
    schema = next(t for t in TABLES if t.name == "electricity_subsidies")
    label = str(ds.path / schema.file)
    flat = es.reset_index(drop=True)
    shares = flat.groupby(["zone", "kind"], sort=False)["demand_share_pu"].cumsum().to_numpy(dtype=float)
    over = shares > 1.0 + WEIGHT_SUM_TOL_PU
    _reject_first(
        over,
        lambda i: (
            f"the {flat['kind'].iloc[i]} class shares of zone {flat['zone'].iloc[i]} sum to {shares[i]:g} by this "
            "row (must be ≤ 1: each class is a part of the zone's demand)"
        ),
        flat,
        schema,
        label,
        "demand_share_pu",
    )
    tariff = flat["tariff_usd_per_mwh"].to_numpy(dtype=float)
    responds = (flat["elasticity"].to_numpy(dtype=float) < 0) & (flat["kind"].to_numpy() == "fiscal")
    _reject_first(
        responds & np.isnan(tariff),
        "value is missing (a class whose demand responds to the tariff, elasticity < 0, needs the tariff it pays)",
        flat,
        schema,
        label,
        "tariff_usd_per_mwh",
    )


def _check_references(ds: Dataset) -> None:
    """Every foreign key names an existing row; every technology's fuel is in fuels.csv."""
    root = ds.path
    by_name = {t.name: t for t in TABLES}
    for schema in TABLES:
        df = ds.tables[schema.name]
        label = str(root / schema.file)
        for col, target in schema.foreign_keys.items():
            valid = set(ds.tables[target].index)
            for i, v in enumerate(df[col].tolist()):
                if v not in valid:
                    raise InputError(
                        f"unknown {by_name[target].key[0]} '{v}' (not in {by_name[target].file})",
                        file=label,
                        row=i + 1,
                        column=col,
                        row_id=_row_id(df.reset_index(drop=True), schema, i),
                    )
    _check_named(ds, "technologies", "fuel", set(ds.tables["fuels"].index), "in fuels.csv")


def _check_capacities(ds: Dataset) -> None:
    """Ceilings are not below existing capacity; a link joins two different zones."""
    root = ds.path
    by_name = {t.name: t for t in TABLES}
    for name, schema in (
        ("generators", by_name["generators"]),
        ("storage", by_name["storage"]),
        ("links", by_name["links"]),
    ):
        df = ds.tables[name]
        cap_max = df["p_nom_max_mw"]
        base = df["p_nom_mw"]
        lower = cap_max.notna() & (cap_max < base - CAPACITY_TOL_MW)
        if lower.any():
            i = int(np.flatnonzero(lower.to_numpy())[0])
            raise InputError(
                f"p_nom_max_mw {cap_max.iloc[i]:g} is below the existing capacity p_nom_mw {base.iloc[i]:g}",
                file=str(root / schema.file),
                row=i + 1,
                column="p_nom_max_mw",
                row_id=str(df.index[i]),
            )
    _check_link_floors(ds)
    links = ds.tables["links"]
    self_loop = links["zone_from"] == links["zone_to"]
    if self_loop.any():
        i = int(np.flatnonzero(self_loop.to_numpy())[0])
        raise InputError(
            "a link must join two different zones",
            file=str(root / "links.csv"),
            row=i + 1,
            column="zone_to",
            row_id=str(links.index[i]),
        )


def _check_series_columns(ds: Dataset) -> None:
    """Every generator profile and hydro inflow named in the tables is a column of its series."""
    _check_named(
        ds, "generators", "profile", set(ds.availability_pu.columns), "a column of timeseries/availability_pu.csv"
    )
    _check_named(
        ds, "hydro", "inflow", set(ds.inflow_mw.columns), f"a column of timeseries/inflow_mw_{ds.hydrology}.csv"
    )


def _check_named(ds: Dataset, table: str, column: str, valid: set, where: str) -> None:
    """Every non-empty value of ``table.column`` is in ``valid`` (``where`` says what that is, for the error)."""
    df = ds.tables[table]
    for i, (row_id, value) in enumerate(df[column].items()):
        if value and value not in valid:
            raise InputError(
                f"{column} '{value}' is not {where}",
                file=str(ds.path / f"{table}.csv"),
                row=i + 1,
                column=column,
                row_id=str(row_id),
            )


def _check_timesteps(ds: Dataset) -> None:
    """Weights and durations positive, periods whole, weights summing to a year."""
    root = ds.path
    steps_label = str(root / "timeseries" / "timesteps.csv")
    w = ds.timesteps["weight_h"].to_numpy(dtype=float)
    if (w <= 0).any():
        i = int(np.flatnonzero(w <= 0)[0])
        raise InputError(f"weight {w[i]:g} must be > 0", file=steps_label, row=i + 1, column="weight_h")
    if "duration_h" in ds.timesteps.columns:
        d = ds.timesteps["duration_h"].to_numpy(dtype=float)
        if (d <= 0).any():
            i = int(np.flatnonzero(d <= 0)[0])
            raise InputError(f"duration {d[i]:g} must be > 0", file=steps_label, row=i + 1, column="duration_h")
    if "period" in ds.timesteps.columns:
        p = ds.timesteps["period"].to_numpy(dtype=float)
        if (p != np.round(p)).any():
            i = int(np.flatnonzero(p != np.round(p))[0])
            raise InputError(f"period {p[i]:g} must be a whole number", file=steps_label, row=i + 1, column="period")
    if abs(w.sum() - HOURS_PER_YEAR) > WEIGHT_SUM_TOL_PU * HOURS_PER_YEAR:
        raise InputError(
            f"weights sum to {w.sum():g} h; they must sum to 8760 so costs are annual",
            file=steps_label,
            column="weight_h",
        )


def _check_demand_columns(ds: Dataset) -> None:
    """One demand column per zone and no other."""
    root = ds.path
    demand_label = str(root / "timeseries" / "demand_mw.csv")
    for z in ds.zones:
        if z not in ds.demand_mw.columns:
            raise InputError(f"zone '{z}' has no demand column", file=demand_label, column=z)
    for c in ds.demand_mw.columns:
        if c not in ds.tables["zones"].index:
            raise InputError(f"column '{c}' is not a zone in zones.csv", file=demand_label, column=c)


def _check_link_floors(ds: Dataset) -> None:
    """A link's capacity floor (p_nom_min_mw, a committed project) may not exceed its ceiling (p_nom_max_mw, empty =
    p_nom_mw + project_mw): the committed capacity must be one the link may have."""
    links = ds.tables["links"]
    floor = links["p_nom_min_mw"]
    ceiling = links["p_nom_max_mw"].fillna(links["p_nom_mw"] + links["project_mw"])
    above = floor.notna() & (floor > ceiling + 1e-9)
    if above.any():
        i = int(np.flatnonzero(above.to_numpy())[0])
        given = "p_nom_max_mw" if pd.notna(links["p_nom_max_mw"].iloc[i]) else "p_nom_mw + project_mw"
        raise InputError(
            f"p_nom_min_mw {floor.iloc[i]:g} is above the capacity ceiling {ceiling.iloc[i]:g} ({given})",
            file=str(ds.path / "links.csv"),
            row=i + 1,
            column="p_nom_min_mw",
            row_id=str(links.index[i]),
        )


def _check_supply(ds: Dataset) -> None:
    """A zone with demand needs some way to be supplied: a generator, storage, hydro or a link."""
    supplied = set(ds.tables["generators"]["zone"]) | set(ds.tables["hydro"]["zone"])
    links = ds.tables["links"]
    supplied |= set(links["zone_from"]) | set(links["zone_to"])
    for z in ds.zones:
        if ds.demand_mw[z].sum() > 0 and z not in supplied:
            raise InputError(
                f"zone '{z}' has demand but no generator, hydro plant or link can supply it",
                file=str(ds.path / "zones.csv"),
                row=ds.zones.index(z) + 1,
                column="zone",
                row_id=z,
            )


def check_connected(ds: Dataset, links: pd.DataFrame | None = None) -> None:
    """All zones must form one network (networkx) over the given (default: all) links."""
    import networkx as nx

    links = ds.tables["links"] if links is None else links
    g = nx.Graph()
    g.add_nodes_from(ds.zones)
    g.add_edges_from(zip(links["zone_from"], links["zone_to"], strict=True))
    parts = sorted((sorted(c) for c in nx.connected_components(g)), key=len, reverse=True)
    if len(parts) > 1:
        islands = "; ".join(", ".join(p) for p in parts[1:])
        raise InputError(
            f"the network is not connected: {islands} cannot reach {parts[0][0]} over the links in use",
            file=str(ds.path / "links.csv"),
        )


def write_dataset(
    folder: str | Path,
    tables: dict[str, pd.DataFrame | list[dict]],
    demand_mw: dict[str, list[float] | np.ndarray],
    *,
    availability_pu: dict[str, list[float] | np.ndarray] | None = None,
    inflow_mw: dict[str, list[float] | np.ndarray] | None = None,
    weight_h: list[float] | np.ndarray | None = None,
    duration_h: list[float] | np.ndarray | None = None,
    period: list[int] | np.ndarray | None = None,
    hydrology: str = "2023",
) -> Path:
    """Write a dataset folder from Python objects (used by tests, notebooks and generators).

    ``tables`` maps table names of :mod:`grid_model.schema` to rows; missing optional tables are omitted.
    Weights default to 8760 / n hours per step; ``duration_h`` (chronological length of a step, default = weight)
    and ``period`` (storage cycles within each period) are optional.
    """
    root = Path(folder)
    (root / "timeseries").mkdir(parents=True, exist_ok=True)
    by_name = {t.name: t for t in TABLES}
    for name, rows in tables.items():
        df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows
        df.to_csv(root / by_name[name].file, index=False)
    n = len(next(iter(demand_mw.values())))
    w = np.full(n, HOURS_PER_YEAR / n) if weight_h is None else np.asarray(weight_h, dtype=float)
    steps = pd.DataFrame({"timestep": np.arange(n), "weight_h": w})
    if duration_h is not None:
        steps["duration_h"] = np.asarray(duration_h, dtype=float)
    if period is not None:
        steps["period"] = np.asarray(period, dtype=int)
    steps.to_csv(root / "timeseries" / "timesteps.csv", index=False)

    def _series(data: dict, name: str) -> None:
        frame = pd.DataFrame({"timestep": np.arange(n), **{k: np.asarray(v, dtype=float) for k, v in data.items()}})
        frame.to_csv(root / "timeseries" / name, index=False)

    _series(demand_mw, "demand_mw.csv")
    if availability_pu:
        _series(availability_pu, "availability_pu.csv")
    if inflow_mw:
        _series(inflow_mw, f"inflow_mw_{hydrology}.csv")
    return root
