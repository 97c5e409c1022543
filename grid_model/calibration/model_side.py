"""The model side of the calibration: what a results folder (and the dataset it was run on) says.

Reads only result tables and data files — never builds or solves a model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from grid_model.calibration.reference import PERCENT, REFERENCE_DIR
from grid_model.datagen.common import ZONES
from grid_model.schema import GENERATION_CATEGORIES, RENEWABLE_CATEGORIES

DEFAULT_DATASET = REFERENCE_DIR.parent
"""Dataset assumed when a results folder does not name its own (``scenario.yaml: dataset``)."""
DISPATCH_LAYER = "2023 dispatch layer"


def results_scenario(folder: Path) -> dict[str, Any]:
    """The scenario a results folder was run with (its ``scenario.yaml``), or ``{}``."""
    path = Path(folder) / "scenario.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}


def _generation_table(folder: Path) -> pd.DataFrame:
    """The results folder's ``generation.csv`` (zone, technology, category, renewable flags, generation_twh)."""
    return pd.read_csv(Path(folder) / "generation.csv")


def model_generation(folder: Path) -> pd.DataFrame:
    """Model generation (TWh) by zone × category from a results folder."""
    g = _generation_table(folder)
    out = g.pivot_table(index="zone", columns="category", values="generation_twh", aggfunc="sum")
    return out.reindex(index=list(ZONES), columns=list(GENERATION_CATEGORIES)).fillna(0.0)


def _renewable_flag(g: pd.DataFrame) -> pd.Series:
    """Whether each row of ``generation.csv`` counts as renewable, as the model counted it: the technology's
    ``renewable`` flag (by :data:`~grid_model.schema.RENEWABLE_CATEGORIES` for results folders written before
    the flag was added)."""
    if "renewable" in g.columns:
        return g["renewable"].astype(str).str.lower().isin(["true", "1"])
    return g["category"].isin(RENEWABLE_CATEGORIES)


def model_renewable_twh(folder: Path) -> pd.Series:
    """Model renewable generation (TWh) per zone, by each technology's ``renewable`` flag."""
    g = _generation_table(folder)
    return g[_renewable_flag(g)].groupby("zone")["generation_twh"].sum().reindex(list(ZONES)).fillna(0.0)


def model_shares_pct(folder: Path) -> tuple[pd.DataFrame, pd.Series]:
    """Model shares of each zone's generation, percent: per category (zones × categories) and renewable.

    The renewable share counts the rows flagged renewable; it is summed category by category (in
    :data:`~grid_model.schema.RENEWABLE_CATEGORIES` order, then any other category with a renewable technology),
    so with the usual flags it is the sum of the renewable categories' shares to the last digit.
    """
    g = _generation_table(folder)
    gen = model_generation(folder)
    total = gen.sum(axis=1)
    ren = g[_renewable_flag(g)].pivot_table(index="zone", columns="category", values="generation_twh", aggfunc="sum")
    cats = [*RENEWABLE_CATEGORIES, *(c for c in ren.columns if c not in RENEWABLE_CATEGORIES)]
    ren_share = ren.reindex(index=list(ZONES), columns=cats).fillna(0.0).div(total, axis=0) * PERCENT
    return gen.div(total, axis=0) * PERCENT, ren_share.sum(axis=1)


def _generators_as_run(folder: Path) -> tuple[pd.DataFrame, set[tuple[str, str]]]:
    """The run's generators (dataset + overrides, with their category) and the (generator, column) pairs set by
    the base-year dispatch layer (``overrides_file``)."""
    sc = results_scenario(folder)
    data = Path(sc.get("dataset") or DEFAULT_DATASET)
    gens = pd.read_csv(data / "generators.csv").set_index("generator")
    tech = pd.read_csv(data / "technologies.csv").set_index("technology")["category"]
    from_layer: set[tuple[str, str]] = set()
    if sc.get("overrides_file"):
        for r in pd.read_csv(sc["overrides_file"]).itertuples():
            if r.table == "generators" and r.id in gens.index:
                gens.loc[r.id, r.column] = float(r.value)
                from_layer.add((str(r.id), str(r.column)))
    for o in sc.get("overrides") or []:
        if o.get("table") == "generators" and o.get("id") in gens.index and o.get("value") is not None:
            gens.loc[o["id"], o["column"]] = float(o["value"])
    gens["category"] = gens["technology"].map(tech)
    return gens[gens["p_nom_mw"] > 0], from_layer


def _classify(g: pd.DataFrame, category: str, from_layer: set[tuple[str, str]]) -> tuple[str, str]:
    """Basis and note for one zone's fleets of one category (see :func:`dispatch_basis`)."""
    if category == "hydro":
        return "resource", "2023 inflows calibrated to Ember's annual hydro energy"
    floor = g["min_output_pu"].fillna(0.0) > 0
    capped = g["availability_pu"].fillna(1.0) < 1.0
    if floor.any():
        by = DISPATCH_LAYER if any((u, "min_output_pu") in from_layer for u in g.index[floor]) else "technical"
        return "pinned", f"must-run floor ({by})"
    if capped.any():
        by = DISPATCH_LAYER if any((u, "availability_pu") in from_layer for u in g.index[capped]) else "fleet"
        return "availability", f"output capped at the realised 2023 CF ({by})"
    if len(g) and g["profile"].fillna("").ne("").any():
        return "resource", "2023 inflows / profiles calibrated to Ember's annual energy"
    if len(g):
        return "merit order", "free: merit order and trade"
    return "none", "no capacity"


def dispatch_basis(folder: Path) -> pd.DataFrame:
    """How each zone × category is determined in the run: ``pinned`` (a must-run floor at the realised 2023 CF),
    ``availability`` (capped at the realised 2023 CF), ``resource`` (hydro inflows / solar and wind profiles
    calibrated to the 2023 annual energy), ``merit order`` (free) or ``none`` (no capacity).

    Read from the run's dataset and overrides (``scenario.yaml`` in the results folder).
    """
    gens, from_layer = _generators_as_run(Path(folder))
    rows = []
    for z in ZONES:
        for c in GENERATION_CATEGORIES:
            g = gens[(gens["zone"] == z) & (gens["category"] == c)]
            basis, note = _classify(g, c, from_layer)
            rows.append({"zone": z, "category": c, "basis": basis, "basis_note": note})
    return pd.DataFrame(rows)
