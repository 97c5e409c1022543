"""A small illustrative dataset for demos and tests: three fictional zones, one week of hours.

This is **not real data**. Each hour stands for 52.14 hours of the year (``weight_h``) but lasts one hour
(``duration_h``), so storage cycles through a real week that repeats all year. Zone codes XA, XB, XC are ISO 3166 user-assigned codes, chosen so nobody mistakes
them for a country. Cost and fuel figures are rounded from the sourced ``data/pacific`` tables so the
orders of magnitude are sensible; the hourly shapes are simple formulas below. Each of the 168 steps
stands for 8,760 / 168 = 52.14 hours, so costs are annual. Regenerate with
``python -m grid_model.example data/example``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from grid_model.dataset import write_dataset

SRC = "illustrative example (not real data); see grid_model/example.py"
N_HOURS = 168


def example_tables() -> dict[str, list[dict]]:
    """Static tables of the example."""
    return {
        "zones": [
            {"zone": "XA", "name": "Example North", "bloc": "example", "lat": 10.0, "lon": -80.0, "source": SRC},
            {"zone": "XB", "name": "Example Centre", "bloc": "example", "lat": 0.0, "lon": -78.0, "source": SRC},
            {"zone": "XC", "name": "Example South", "bloc": "example", "lat": -12.0, "lon": -77.0, "source": SRC},
        ],
        "fuels": [
            {"fuel": "gas", "price_usd_per_mwh_th": 25.0, "co2_t_per_mwh_th": 0.198, "source": SRC},
            {"fuel": "coal", "price_usd_per_mwh_th": 12.0, "co2_t_per_mwh_th": 0.336, "source": SRC},
            {"fuel": "oil", "price_usd_per_mwh_th": 55.0, "co2_t_per_mwh_th": 0.257, "source": SRC},
        ],
        "fuel_prices": [{"zone": "XC", "fuel": "gas", "price_usd_per_mwh_th": 10.0, "source": SRC}],
        "technologies": [
            {
                "technology": "ccgt",
                "category": "gas",
                "fuel": "gas",
                "efficiency_pu": 0.55,
                "vom_usd_per_mwh": 4,
                "capex_usd_per_kw": 1000,
                "fom_usd_per_kw_yr": 25,
                "lifetime_yr": 25,
                "source": SRC,
            },
            {
                "technology": "ocgt",
                "category": "gas",
                "fuel": "gas",
                "efficiency_pu": 0.38,
                "vom_usd_per_mwh": 5,
                "capex_usd_per_kw": 500,
                "fom_usd_per_kw_yr": 20,
                "lifetime_yr": 25,
                "source": SRC,
            },
            {
                "technology": "coal",
                "category": "coal",
                "fuel": "coal",
                "efficiency_pu": 0.36,
                "vom_usd_per_mwh": 6,
                "source": SRC,
            },
            {
                "technology": "oil",
                "category": "oil",
                "fuel": "oil",
                "efficiency_pu": 0.35,
                "vom_usd_per_mwh": 8,
                "source": SRC,
            },
            {
                "technology": "solar",
                "category": "solar",
                "renewable": True,
                "non_conventional": True,
                "capex_usd_per_kw": 700,
                "fom_usd_per_kw_yr": 12,
                "lifetime_yr": 30,
                "source": SRC,
            },
            {
                "technology": "onwind",
                "category": "wind",
                "renewable": True,
                "non_conventional": True,
                "capex_usd_per_kw": 1200,
                "fom_usd_per_kw_yr": 30,
                "lifetime_yr": 30,
                "source": SRC,
            },
            {
                "technology": "hydro_reservoir",
                "category": "hydro",
                "renewable": True,
                "vom_usd_per_mwh": 1,
                "source": SRC,
            },
            {"technology": "run_of_river", "category": "hydro", "renewable": True, "source": SRC},
            {
                "technology": "battery",
                "category": "storage",
                "capex_usd_per_kw": 300,
                "fom_usd_per_kw_yr": 8,
                "lifetime_yr": 15,
                "source": SRC,
            },
        ],
        "generators": [
            {
                "generator": "XA-ccgt",
                "zone": "XA",
                "technology": "ccgt",
                "p_nom_mw": 900,
                "p_nom_max_mw": 2000,
                "availability_pu": 0.9,
                "source": SRC,
            },
            {
                "generator": "XA-coal",
                "zone": "XA",
                "technology": "coal",
                "p_nom_mw": 400,
                "availability_pu": 0.85,
                "source": SRC,
            },
            {
                "generator": "XA-solar",
                "zone": "XA",
                "technology": "solar",
                "p_nom_mw": 200,
                "p_nom_max_mw": 3000,
                "profile": "XA-solar",
                "source": SRC,
            },
            {
                "generator": "XB-oil",
                "zone": "XB",
                "technology": "oil",
                "p_nom_mw": 500,
                "availability_pu": 0.8,
                "source": SRC,
            },
            {
                "generator": "XB-solar",
                "zone": "XB",
                "technology": "solar",
                "p_nom_mw": 50,
                "p_nom_max_mw": 1500,
                "profile": "XB-solar",
                "source": SRC,
            },
            {
                "generator": "XC-ccgt",
                "zone": "XC",
                "technology": "ccgt",
                "p_nom_mw": 800,
                "availability_pu": 0.9,
                "source": SRC,
            },
            {
                "generator": "XC-ocgt",
                "zone": "XC",
                "technology": "ocgt",
                "p_nom_mw": 200,
                "p_nom_max_mw": 1000,
                "source": SRC,
            },
            {
                "generator": "XC-onwind",
                "zone": "XC",
                "technology": "onwind",
                "p_nom_mw": 100,
                "p_nom_max_mw": 2000,
                "profile": "XC-onwind",
                "source": SRC,
            },
        ],
        "storage": [
            {
                "storage": "XA-battery",
                "zone": "XA",
                "technology": "battery",
                "p_nom_mw": 0,
                "p_nom_max_mw": 500,
                "max_hours": 4,
                "efficiency_charge_pu": 0.95,
                "efficiency_discharge_pu": 0.95,
                "capex_usd_per_kwh": 200,
                "source": SRC,
            },
        ],
        "hydro": [
            {
                "hydro": "XB-reservoir",
                "zone": "XB",
                "technology": "hydro_reservoir",
                "p_nom_mw": 800,
                "energy_mwh": 40000,
                "inflow": "XB-reservoir",
                "source": SRC,
            },
            {
                "hydro": "XB-ror",
                "zone": "XB",
                "technology": "run_of_river",
                "p_nom_mw": 300,
                "energy_mwh": 0,
                "inflow": "XB-ror",
                "source": SRC,
            },
        ],
        "links": [
            {
                "link": "XA-XB",
                "zone_from": "XA",
                "zone_to": "XB",
                "kind": "AC",
                "status": "existing",
                "p_nom_mw": 300,
                "length_km": 300,
                "source": SRC,
            },
            {
                "link": "XB-XC",
                "zone_from": "XB",
                "zone_to": "XC",
                "kind": "AC",
                "status": "existing",
                "p_nom_mw": 100,
                "project_mw": 500,
                "p_nom_max_mw": 1000,
                "length_km": 500,
                "capex_usd_per_mw": 600_000,
                "source": SRC,
            },
            {
                "link": "XA-XC",
                "zone_from": "XA",
                "zone_to": "XC",
                "kind": "DC",
                "status": "candidate",
                "p_nom_mw": 0,
                "project_mw": 400,
                "p_nom_max_mw": 1000,
                "length_km": 800,
                "capex_usd_per_mw": 1_200_000,
                "source": SRC,
            },
        ],
        "fuel_subsidies": [
            {"zone": "XA", "fuel": "gas", "subsidy_usd_per_mwh_th": 8.0, "source": SRC},
            {"zone": "XB", "fuel": "oil", "subsidy_usd_per_mwh_th": 20.0, "source": SRC},
        ],
        "electricity_subsidies": [
            {
                "zone": "XB",
                "consumer_class": "all",
                "kind": "fiscal",
                "demand_share_pu": 1.0,
                "tariff_usd_per_mwh": 80.0,
                "subsidy_usd_per_mwh": 30.0,
                "elasticity": -0.2,
                "source": SRC,
            },
        ],
        "demand_growth": [
            {"zone": z, "year": y, "demand_twh": d, "source": SRC}
            for z, base in (("XA", 10.0), ("XB", 6.0), ("XC", 8.0))
            for y, d in ((2023, base), (2030, round(base * 1.25, 3)))
        ],
    }


def example_series() -> tuple[dict, dict, dict]:
    """Demand (MW), availability (pu) and inflow (MW) for one week, from simple closed-form shapes."""
    h = np.arange(N_HOURS)
    hod = h % 24
    day = h // 24
    weekday = np.where(day < 5, 1.0, 0.9)
    evening = 1.0 + 0.25 * np.exp(-((hod - 20) ** 2) / 8.0) - 0.15 * np.exp(-((hod - 4) ** 2) / 10.0)
    afternoon = 1.0 + 0.2 * np.exp(-((hod - 15) ** 2) / 12.0) - 0.15 * np.exp(-((hod - 4) ** 2) / 10.0)
    shapes = {"XA": evening * weekday, "XB": afternoon * weekday, "XC": evening * weekday}
    annual_twh = {"XA": 10.0, "XB": 6.0, "XC": 8.0}
    demand = {z: s / s.mean() * annual_twh[z] * 1e6 / 8760.0 for z, s in shapes.items()}
    sun = np.clip(np.sin((hod - 6) / 12.0 * np.pi), 0, None)
    clouds = 0.85 + 0.15 * np.cos(day * 1.3)
    wind = 0.4 + 0.2 * np.sin(h / 24.0 * 2 * np.pi / 3.0) + 0.1 * np.cos(hod / 24.0 * 2 * np.pi)
    avail = {
        "XA-solar": np.round(sun * clouds * 0.95, 4),
        "XB-solar": np.round(sun * 0.8, 4),
        "XC-onwind": np.round(np.clip(wind, 0, 1), 4),
    }
    inflow = {
        "XB-reservoir": np.full(N_HOURS, 450.0) + 50.0 * np.sin(h / N_HOURS * 2 * np.pi),
        "XB-ror": np.full(N_HOURS, 200.0),
    }
    return ({z: np.round(v, 1) for z, v in demand.items()}, avail, {k: np.round(v, 1) for k, v in inflow.items()})


def make_example_dataset(folder: str | Path) -> Path:
    """Write the example dataset folder."""
    demand, avail, inflow = example_series()
    root = write_dataset(
        folder,
        example_tables(),
        demand,
        availability_pu=avail,
        inflow_mw=inflow,
        weight_h=np.full(N_HOURS, 8760.0 / N_HOURS),
        duration_h=np.ones(N_HOURS),
        hydrology="average",
    )
    write_dataset_hydrology(root, "2023", {k: np.round(v * 0.8, 1) for k, v in inflow.items()})
    return root


def write_dataset_hydrology(root: Path, name: str, inflow: dict) -> None:
    """An extra hydrology variant (here a 20 % drier week) beside the default one."""
    import pandas as pd

    n = len(next(iter(inflow.values())))
    pd.DataFrame({"timestep": np.arange(n), **inflow}).to_csv(
        root / "timeseries" / f"inflow_mw_{name}.csv", index=False
    )


if __name__ == "__main__":  # pragma: no cover
    make_example_dataset(sys.argv[1] if len(sys.argv) > 1 else "data/example")
