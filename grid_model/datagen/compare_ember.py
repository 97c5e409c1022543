"""Compare a results folder with Ember 2023: ``python -m grid_model.datagen.compare_ember RESULTS_DIR``.

Prints, per zone, the generation share of every category (Ember / model, %), the renewable share, and the
net imports, so a 2023 calibration run (2023 capacity, existing links, ``2023`` hydrology) can be checked
against the base-year data. Ember's MX bio+geothermal figure is split with IRENA 2022 geothermal
(``params.yaml: mx_geothermal_gwh``). A quick look only: the calibration report with the operator corrections and
the pass/fail criteria is ``grid-model calibrate RESULTS_DIR --out OUT_DIR``.

Categories are :data:`grid_model.schema.GENERATION_CATEGORIES`. Ember's renewable share is by category
(:data:`~grid_model.schema.RENEWABLE_CATEGORIES`); the model's counts the technologies ``generation.csv`` flags
``renewable``, as the model does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from grid_model.datagen.common import OWID_CATEGORY, ZONES, owid_value, params
from grid_model.schema import GENERATION_CATEGORIES, RENEWABLE_CATEGORIES

GWH_PER_TWH = 1e3
PERCENT = 100.0
CLOSE_PP = 5.0
"""A category share is reported as close within this many percentage points (the calibration's criterion)."""


def ember_2023(zone: str) -> dict[str, float]:
    """Ember 2023 generation (TWh) by category."""
    g = {c: owid_value(zone, 2023, OWID_CATEGORY[c]) for c in GENERATION_CATEGORIES}
    if zone == "MX":
        geo = params()["mx_geothermal_gwh"] / GWH_PER_TWH
        g["geothermal"], g["bioenergy"] = geo, g["bioenergy"] - geo
    return g


def _model_renewable_twh(gen: pd.DataFrame) -> pd.Series:
    """Renewable generation per zone (TWh) by the ``renewable`` flag of ``generation.csv`` (by category for
    results written before the flag)."""
    if "renewable" in gen.columns:
        flag = gen["renewable"].astype(str).str.lower().isin(["true", "1"])
    else:
        flag = gen["category"].isin(RENEWABLE_CATEGORIES)
    return gen[flag].groupby("zone")["generation_twh"].sum()


def compare(results: Path) -> pd.DataFrame:
    """One row per zone and category (and ``renewable``): Ember and model shares (%) and their difference (pp)."""
    gen = pd.read_csv(results / "generation.csv")
    model = gen.pivot_table(index="zone", columns="category", values="generation_twh", aggfunc="sum").fillna(0.0)
    model_ren = _model_renewable_twh(gen)
    rows = []
    for z in ZONES:
        e = ember_2023(z)
        et = sum(e.values())
        m = {
            c: float(model.loc[z, c]) if c in model.columns and z in model.index else 0.0 for c in GENERATION_CATEGORIES
        }
        mt = sum(m.values())
        for c in (*GENERATION_CATEGORIES, "renewable"):
            ev = sum(e[k] for k in RENEWABLE_CATEGORIES) if c == "renewable" else e[c]
            mv = float(model_ren.get(z, 0.0)) if c == "renewable" else m[c]
            rows.append(
                {
                    "zone": z,
                    "category": c,
                    "ember_pct": PERCENT * ev / et,
                    "model_pct": PERCENT * mv / mt,
                    "diff_pp": PERCENT * (mv / mt - ev / et),
                }
            )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    """Print the model-minus-Ember table for the results folder given as the first argument."""
    args = sys.argv[1:] if argv is None else argv
    res = Path(args[0])
    df = compare(res)
    wide = df.pivot_table(index="zone", columns="category", values="diff_pp").loc[list(ZONES)]
    print("Model minus Ember 2023, percentage points of each zone's generation:")
    print(wide.round(1).to_string())
    cats = df[df.category != "renewable"]
    print(
        f"\ncategory pairs within {CLOSE_PP:g} pp: {(cats.diff_pp.abs() <= CLOSE_PP).mean():.0%}; max |diff| "
        f"{cats.diff_pp.abs().max():.1f} pp ({cats.loc[cats.diff_pp.abs().idxmax(), ['zone', 'category']].tolist()})"
    )
    gen = pd.read_csv(res / "generation.csv").groupby("zone")["generation_twh"].sum()
    dem = pd.read_csv(res / "prices.csv").set_index("zone")["demand_twh"]
    print("\nnet imports TWh (Ember 2023 / model):")
    for z in ZONES:
        print(f"  {z}: {owid_value(z, 2023, 'net_elec_imports'):+.2f} / {dem[z] - gen[z]:+.2f}")


if __name__ == "__main__":
    main()
