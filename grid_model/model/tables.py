"""Rows every unit-based feature shares: its technology's columns, and its rows of capacity.csv, units.csv and
generation.csv (``report``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from grid_model.units import KW_PER_MW, MWH_PER_TWH


def technology_of(units: pd.DataFrame, technologies: pd.DataFrame) -> pd.DataFrame:
    """The technologies.csv row of each unit (generators, storage, hydro), indexed like ``units``."""
    t = technologies.loc[units["technology"]].reset_index(drop=True)
    t.index = units.index
    return t


def capacity_rows(params: pd.DataFrame, new: dict) -> pd.DataFrame:
    """capacity.csv rows of one feature: zone, technology, category, existing MW, new MW and the overnight
    investment in USD (new MW × ``capex_usd_per_kw`` × 1,000) per asset."""
    new_mw = pd.Series(new, index=params.index, dtype=float).fillna(0.0)
    capex = params["capex_usd_per_kw"] if "capex_usd_per_kw" in params.columns else 0.0
    investment = (new_mw * capex * KW_PER_MW).where(new_mw != 0, 0.0)
    return pd.DataFrame(
        {
            "zone": params["zone"],
            "technology": params["technology"],
            "category": params["category"],
            "existing_mw": params["p_nom_mw"],
            "new_mw": new_mw,
            "investment_usd": investment,
        }
    ).reset_index(drop=True)


def unit_rows(params: pd.DataFrame, kind: str, new: dict | None = None) -> pd.DataFrame:
    """units.csv rows of one feature: unit → kind, zone, technology, category, existing and new capacity [MW]
    (what ``capacity_from`` reads back to fix a plan's capacities)."""
    new_mw = pd.Series(new or {}, index=params.index, dtype=float).fillna(0.0)
    return pd.DataFrame(
        {
            "unit": params.index,
            "kind": kind,
            "zone": params["zone"].to_numpy(),
            "technology": params["technology"].to_numpy(),
            "category": params["category"].to_numpy(),
            "existing_mw": params["p_nom_mw"].to_numpy(dtype=float),
            "new_mw": new_mw.to_numpy(),
        }
    )


def generation_rows(params: pd.DataFrame, energy_mwh: np.ndarray) -> pd.DataFrame:
    """generation.csv rows per unit: zone, technology, category, its renewable flags, generation [TWh/yr]."""
    return pd.DataFrame(
        {
            "zone": params["zone"].to_numpy(),
            "technology": params["technology"].to_numpy(),
            "category": params["category"].to_numpy(),
            "renewable": params["renewable"].to_numpy(dtype=bool),
            "non_conventional": params["non_conventional"].to_numpy(dtype=bool),
            "generation_twh": np.asarray(energy_mwh, dtype=float) / MWH_PER_TWH,
        }
    )
