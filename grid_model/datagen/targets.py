"""Calibration targets derived from the vendored annual data."""

from __future__ import annotations

import math

from grid_model.datagen.common import HOURS, capacity, owid_value, params

VRE = {"solar": ("solar", "solar_electricity"), "onwind": ("wind", "wind_electricity")}


def vre_target(zone: str, tech: str) -> tuple[float, str]:
    """Target annual capacity factor (pu) of ``tech`` in ``zone`` and its provenance."""
    v = params()["vre"]
    key = f"{zone}-{tech}"
    if key in v["overrides"]:
        o = v["overrides"][key]
        return float(o["cf"]), o["source"]
    cat, col = VRE[tech]
    e1 = v["e1"][tech][zone]
    if v["cf_basis"] == "e1_2022":
        return e1[2] / 100.0, "[LCF] E1 2022 IRENA realised CF"
    gen = owid_value(zone, 2023, col) * 1e6
    cap = 0.5 * (capacity(zone, cat, 2022) + capacity(zone, cat, 2023))
    cf = gen / (cap * HOURS)
    e1s = "/".join("n/a" if x is None else f"{x:.1f}" for x in e1)
    return cf, (
        f"realised 2023 CF (D) = Ember 2023 {gen / 1e6:.2f} TWh / (8,760 h x mean IRENA end-2022/2023 "
        f"capacity {cap:,.0f} MW); E1 2020/21/22: {e1s} %"
    )


def realised_cf(zone: str, category: str, year: int = 2023) -> float:
    """Ember generation / (IRENA end-of-year capacity x 8,760 h); NaN when no capacity."""
    col = {
        "geothermal": "other_renewable_exc_biofuel_electricity",
        "bioenergy": "biofuel_electricity",
        "nuclear": "nuclear_electricity",
        "gas": "gas_electricity",
        "coal": "coal_electricity",
        "oil": "oil_electricity",
    }[category]
    cap = capacity(zone, category, year)
    if cap <= 0:
        return math.nan
    return owid_value(zone, year, col) * 1e6 / (cap * HOURS)
