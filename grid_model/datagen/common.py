"""Shared helpers: parameters, vendored reference data, the time index and seeded random generators."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

HERE = Path(__file__).resolve().parent
PARAMS_FILE = HERE / "params.yaml"
REFERENCE_DIR = HERE / "reference"
ZONES = ("MX", "GT", "SV", "HN", "NI", "CR", "PA", "CO", "EC", "PE", "CL")
ISO3 = {
    "MX": "MEX",
    "GT": "GTM",
    "SV": "SLV",
    "HN": "HND",
    "NI": "NIC",
    "CR": "CRI",
    "PA": "PAN",
    "CO": "COL",
    "EC": "ECU",
    "PE": "PER",
    "CL": "CHL",
}
COUNTRY = {
    "MX": "Mexico",
    "GT": "Guatemala",
    "SV": "El Salvador",
    "HN": "Honduras",
    "NI": "Nicaragua",
    "CR": "Costa Rica",
    "PA": "Panama",
    "CO": "Colombia",
    "EC": "Ecuador",
    "PE": "Peru",
    "CL": "Chile",
}
HOURS = 8760

OWID_SOURCE = (
    "OWID owid-energy-data.csv commit e7897aed (Ember Yearly Electricity Data 2025 / EI Statistical Review 2024)"
)
IRENA_SOURCE = (
    "IRENA IRENASTAT installed capacity end-2023 (grid connection = All), as vendored in "
    "OSeMOSYS/osemosys_global resources/data/validation/irena_capacity.csv"
)

# IRENA technology -> dataset category
IRENA_CATEGORY = {
    "Renewable hydropower": "hydro",
    "Mixed Hydro Plants": "hydro",
    "Natural gas": "gas",
    "Coal and peat": "coal",
    "Oil": "oil",
    "Nuclear": "nuclear",
    "Onshore wind energy": "wind",
    "Offshore wind energy": "wind",
    "Solar photovoltaic": "solar",
    "Solid biofuels": "bioenergy",
    "Biogas": "bioenergy",
    "Liquid biofuels": "bioenergy",
    "Renewable municipal waste": "bioenergy",
    "Geothermal energy": "geothermal",
    "Pumped storage": "pumped_storage",
}
OWID_CATEGORY = {
    "hydro": "hydro_electricity",
    "gas": "gas_electricity",
    "coal": "coal_electricity",
    "oil": "oil_electricity",
    "nuclear": "nuclear_electricity",
    "wind": "wind_electricity",
    "solar": "solar_electricity",
    "bioenergy": "biofuel_electricity",
    "geothermal": "other_renewable_exc_biofuel_electricity",
}


@lru_cache(maxsize=1)
def params() -> dict:
    """The parsed ``params.yaml``."""
    with PARAMS_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


@lru_cache(maxsize=1)
def owid() -> pd.DataFrame:
    """OWID/Ember annual rows, indexed by (zone, year); TWh columns as in the codebook."""
    df = pd.read_csv(REFERENCE_DIR / "owid_ember_11countries_2022_2025.csv")
    inv = {v: k for k, v in ISO3.items()}
    df["zone"] = df["iso_code"].map(inv)
    return df.set_index(["zone", "year"]).sort_index()


def owid_value(zone: str, year: int, column: str) -> float:
    """One OWID figure (TWh); an empty cell gives 0, a missing year NaN."""
    t = owid()
    if (zone, year) not in t.index:
        return float("nan")
    v = t.loc[(zone, year), column]
    return 0.0 if pd.isna(v) else float(v)


@lru_cache(maxsize=1)
def irena_capacity() -> pd.DataFrame:
    """IRENA installed capacity (MW) by zone, category and year (wide: columns = categories)."""
    df = pd.read_csv(REFERENCE_DIR / "irena_capacity_mw_11_2021_2023.csv")
    df["value"] = pd.to_numeric(df["value"], errors="coerce").fillna(0.0)
    df["category"] = df["technology"].map(IRENA_CATEGORY)
    inv = {v: k for k, v in COUNTRY.items()}
    df["zone"] = df["country"].map(inv)
    out = df.pivot_table(index=["zone", "year"], columns="category", values="value", aggfunc="sum").fillna(0.0)
    return out


def capacity(zone: str, category: str, year: int = 2023) -> float:
    """IRENA capacity in MW (0 when absent)."""
    t = irena_capacity()
    return float(t.loc[(zone, year), category]) if category in t.columns else 0.0


def rng_for(name: str) -> np.random.Generator:
    """A generator seeded from the master seed and ``name`` (stable across runs and platforms)."""
    h = int(hashlib.sha256(f"{params()['seed']}:{name}".encode()).hexdigest()[:16], 16)
    return np.random.default_rng(h)


def utc_index() -> pd.DatetimeIndex:
    """The 8,760 hourly timestamps of the base year on the common clock, as UTC instants."""
    off = params()["timestep_utc_offset_h"]
    start = pd.Timestamp(f"{params()['base_year']}-01-01 00:00") - pd.Timedelta(hours=off)
    return pd.date_range(start.tz_localize("UTC"), periods=HOURS, freq="h")


def local_index(utc_offset_h: float) -> pd.DatetimeIndex:
    """The same instants in a zone's local standard time (naive)."""
    return (utc_index() + pd.Timedelta(hours=utc_offset_h)).tz_localize(None)


def ar1(rng: np.random.Generator, n: int, phi: float, sigma: float) -> np.ndarray:
    """Stationary AR(1) with marginal standard deviation ``sigma``."""
    e = rng.standard_normal(n) * sigma * np.sqrt(1 - phi**2)
    x = np.empty(n)
    x[0] = rng.standard_normal() * sigma
    for i in range(1, n):
        x[i] = phi * x[i - 1] + e[i]
    return x


def monthly_interp(monthly: np.ndarray, local: pd.DatetimeIndex) -> np.ndarray:
    """Hourly values interpolated linearly between mid-month points (cyclic), from 12 monthly values."""
    doy = local.dayofyear.to_numpy() - 1 + local.hour.to_numpy() / 24.0
    mid = np.array([15.5, 45.0, 74.5, 105.0, 135.5, 166.0, 196.5, 227.5, 258.0, 288.5, 319.0, 349.5])
    xp = np.concatenate([[mid[-1] - 365], mid, [mid[0] + 365]])
    fp = np.concatenate([[monthly[-1]], monthly, [monthly[0]]])
    return np.interp(doy, xp, fp)


def bisect(f, lo: float, hi: float, target: float, tol: float = 1e-10, it: int = 200) -> float:
    """Solve f(x) = target for increasing f on [lo, hi]."""
    for _ in range(it):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
        if hi - lo < tol:
            break
    return 0.5 * (lo + hi)
