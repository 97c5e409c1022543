"""Compare a results folder with Ember 2023: ``python -m grid_model.datagen.compare_ember RESULTS_DIR``.

Prints, per zone, the generation share of every category (Ember / model, %), the renewable share, and the
net imports, so a 2023 calibration run (2023 capacity, existing links, ``2023`` hydrology) can be checked
against the base-year data. Ember's MX bio+geothermal figure is split with IRENA 2022 geothermal
(``params.yaml: mx_geothermal_gwh``). A quick look only: the calibration report with the operator corrections and
the pass/fail criteria is ``python -m grid_model.calibration RESULTS_DIR OUT_DIR``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from grid_model.datagen.common import OWID_CATEGORY, ZONES, owid_value, params

CATEGORIES = ("hydro", "gas", "coal", "oil", "nuclear", "wind", "solar", "bioenergy", "geothermal")
RENEWABLE = ("hydro", "wind", "solar", "bioenergy", "geothermal")


def ember_2023(zone: str) -> dict[str, float]:
    """Ember 2023 generation (TWh) by category."""
    g = {c: owid_value(zone, 2023, OWID_CATEGORY[c]) for c in CATEGORIES}
    if zone == "MX":
        geo = params()["mx_geothermal_gwh"] / 1e3
        g["geothermal"], g["bioenergy"] = geo, g["bioenergy"] - geo
    return g


def compare(results: Path) -> pd.DataFrame:
    """One row per zone and category: Ember and model shares (%) and their difference (pp)."""
    gen = pd.read_csv(results / "generation.csv")
    model = gen.pivot_table(index="zone", columns="category", values="generation_twh", aggfunc="sum").fillna(0.0)
    rows = []
    for z in ZONES:
        e = ember_2023(z)
        et = sum(e.values())
        m = {c: float(model.loc[z, c]) if c in model.columns and z in model.index else 0.0 for c in CATEGORIES}
        mt = sum(m.values())
        for c in (*CATEGORIES, "renewable"):
            ev = sum(e[k] for k in RENEWABLE) if c == "renewable" else e[c]
            mv = sum(m[k] for k in RENEWABLE) if c == "renewable" else m[c]
            rows.append(
                {
                    "zone": z,
                    "category": c,
                    "ember_pct": 100 * ev / et,
                    "model_pct": 100 * mv / mt,
                    "diff_pp": 100 * (mv / mt - ev / et),
                }
            )
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    res = Path(args[0])
    df = compare(res)
    wide = df.pivot_table(index="zone", columns="category", values="diff_pp").loc[list(ZONES)]
    print("Model minus Ember 2023, percentage points of each zone's generation:")
    print(wide.round(1).to_string())
    cats = df[df.category != "renewable"]
    print(
        f"\ncategory pairs within 5 pp: {(cats.diff_pp.abs() <= 5).mean():.0%}; max |diff| "
        f"{cats.diff_pp.abs().max():.1f} pp ({cats.loc[cats.diff_pp.abs().idxmax(), ['zone', 'category']].tolist()})"
    )
    gen = pd.read_csv(res / "generation.csv").groupby("zone")["generation_twh"].sum()
    dem = pd.read_csv(res / "prices.csv").set_index("zone")["demand_twh"]
    print("\nnet imports TWh (Ember 2023 / model):")
    for z in ZONES:
        print(f"  {z}: {owid_value(z, 2023, 'net_elec_imports'):+.2f} / {dem[z] - gen[z]:+.2f}")


if __name__ == "__main__":
    main()
