"""Helpers to build tiny datasets in code and to rebuild balances from result tables."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np

from grid_model.dataset import load_dataset, write_dataset
from grid_model.results import Results

_counter = itertools.count()


def tech(name: str, category: str, **kw) -> dict:
    return {"technology": name, "category": category, **kw}


def gen(name: str, zone: str, technology: str, p_nom_mw: float, **kw) -> dict:
    return {"generator": name, "zone": zone, "technology": technology, "p_nom_mw": p_nom_mw, **kw}


def zones(*names: str, voll: float = 10_000.0) -> list[dict]:
    return [{"zone": z, "voll_usd_per_mwh": voll} for z in names]


def build(tmp: Path, tables: dict, demand: dict, **kw):
    """Write a dataset under tmp and load it back through the real validation path."""
    folder = write_dataset(Path(tmp) / f"ds{next(_counter)}", tables, demand, **kw)
    return load_dataset(folder, hydrology=kw.get("hydrology", "2023"))


def balance_residual(res: Results, ds) -> float:
    """Largest |Σ injections − demand| rebuilt from the hourly result tables and the dataset (MW)."""
    h = res.hourly
    disp = h["dispatch_mw"]
    demand = h["demand_mw"]
    gens = ds.tables["generators"]
    hydro = ds.tables["hydro"]
    sto = ds.tables["storage"]
    links = res.tables["links"].set_index("link")
    worst = 0.0
    for z in ds.zones:
        inj = np.zeros(len(demand))
        for units in (gens, hydro, sto):
            for u in units.index[units["zone"] == z]:
                inj += disp[u].to_numpy()
        inj += disp[f"unserved:{z}"].to_numpy()
        for lk, row in links.iterrows():
            fwd = h["link_flow_forward_mw"][lk].to_numpy()
            bwd = h["link_flow_backward_mw"][lk].to_numpy()
            keep = 1.0 - row["loss_pu"]
            if row["zone_from"] == z:
                inj += keep * bwd - fwd
            if row["zone_to"] == z:
                inj += keep * fwd - bwd
        worst = max(worst, float(np.max(np.abs(inj - demand[z].to_numpy()))))
    return worst


def storage_residual(res: Results, ds) -> float:
    """Largest |e[t] − (1−σ)^Δ e[t−1] − Δ(η_c c − d/η_d)| rebuilt from the hourly tables (MWh), cyclic."""
    h = res.hourly
    sto = ds.tables["storage"]
    dur = h["storage_level_mwh"]["duration_h"].to_numpy()
    worst = 0.0
    for s, row in sto.iterrows():
        e = h["storage_level_mwh"][s].to_numpy()
        c = h["storage_charge_mw"][s].to_numpy()
        d = h["storage_discharge_mw"][s].to_numpy()
        keep = (1 - row["standing_loss_pu_per_h"]) ** dur
        r = e - keep * np.roll(e, 1) - dur * (row["efficiency_charge_pu"] * c - d / row["efficiency_discharge_pu"])
        worst = max(worst, float(np.max(np.abs(r))))
    hy = ds.tables["hydro"]
    for u in hy.index[hy["energy_mwh"] > 0]:
        lvl = h["storage_level_mwh"][u].to_numpy()
        rel = h["dispatch_mw"][u].to_numpy()
        spill = h["hydro_spill_mw"][u].to_numpy()
        inflow = h["hydro_inflow_mw"][u].to_numpy()
        r = lvl - np.roll(lvl, 1) - dur * (inflow - rel - spill)
        worst = max(worst, float(np.max(np.abs(r))))
    return worst


def example_year():
    """The example dataset (one week) tiled to an hourly year (52 weeks + 1 day, every weight 1 h), so that typical
    days can be drawn from it."""
    import pandas as pd

    from grid_model.dataset import Dataset

    ds = load_dataset("data/example", "average")
    reps = int(np.ceil(8760 / 168))

    def tile(f: pd.DataFrame) -> pd.DataFrame:
        return f.loc[np.tile(f.index, reps)[:8760]].reset_index(drop=True).rename_axis("timestep")

    yearly = Dataset(
        ds.path,
        ds.tables,
        ds.timesteps.iloc[:0],
        tile(ds.demand_mw),
        tile(ds.availability_pu),
        tile(ds.inflow_mw),
        ds.hydrology,
    )
    yearly.timesteps = pd.DataFrame({"weight_h": np.ones(8760)}, index=pd.RangeIndex(8760, name="timestep"))
    return yearly
