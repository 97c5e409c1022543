"""Hydro plants (reservoir + run-of-river per zone) and hourly inflows for three hydrologies.

Capacity H = IRENA end-2023 hydropower (renewable + mixed plants). It is split into a reservoir plant
(share ``hydro.split.<Z>.reservoir_share``, energy = p_nom × ``hours``) and a run-of-river plant — a
documented judgement, see ``params.yaml``.

Inflow (MW of electrical output) of zone z at hour t, hydrology y:

    q_y(t) = A_y · m(t) · exp(x_d),   shared by the two plants in proportion to their capacity,

with m(t) the monthly shape (E3 PLEXOS profile, or the XM bimodal regime for CO and the documented Amazon
regime for EC), interpolated between mid-months and normalised to mean 1, x_d a seeded daily AR(1) anomaly,
and A_y chosen so that

- ``average``: the annual inflow energy equals the E3 15-year-average capacity scaler × H × 8,760 h;
- ``2023``: the *reachable* generation R(q) = Σ_t min(q_ror(t), P_ror) + min(Σ_t q_res(t), P_res·8,760)
  equals Ember 2023 hydro generation (the El Niño modulation of ``hydro.el_nino_2023`` is applied to the
  shape first);
- ``dry``: R(q) equals the lowest Ember hydro generation of ``hydro.dry_years``, except where a documented
  El Niño analog exists (``hydro.dry_analog``: CO 2015–16, inflows at 50 % of the mean from September to
  February), which is applied to the average series.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grid_model.datagen.common import (
    HOURS,
    ZONES,
    ar1,
    bisect,
    capacity,
    local_index,
    monthly_interp,
    owid_value,
    params,
    rng_for,
)

DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], float)
HYDROLOGIES = ("2023", "average", "dry")


def monthly_shape(zone: str) -> np.ndarray:
    """12 monthly inflow multipliers with a day-weighted mean of 1."""
    h = params()["hydro"]
    ov = h["shape_overrides"].get(zone)
    m = np.asarray(ov["monthly"] if ov else h["e3_monthly_pct"][zone], float)
    return m / (np.dot(m, DAYS) / DAYS.sum())


def plants(zone: str) -> dict:
    """Turbine capacities (MW) and reservoir energy (MWh)."""
    sp = params()["hydro"]["split"][zone]
    total = capacity(zone, "hydro")
    p_res = round(total * sp["reservoir_share"], 1)
    p_ror = round(total - p_res, 1)
    return {"total": total, "p_res": p_res, "p_ror": p_ror, "energy_mwh": round(p_res * sp["hours"], 0)}


def _hourly_shape(zone: str, monthly: np.ndarray) -> np.ndarray:
    loc = local_index(params()["zones"][zone]["utc_offset_h"])
    m = monthly_interp(monthly, loc)
    day_id = (loc.normalize() - loc.normalize()[0]).days.to_numpy()
    x = ar1(rng_for(f"hydro:{zone}"), int(day_id.max()) + 1, 0.9, 0.10)[day_id]
    s = m * np.exp(x)
    return s / s.mean()


def reachable_mwh(q: np.ndarray, pl: dict) -> float:
    """Upper bound of annual generation from inflow q (MW): run-of-river spills above its turbine capacity."""
    share = pl["p_ror"] / pl["total"] if pl["total"] else 0.0
    ror = np.minimum(q * share, pl["p_ror"]).sum()
    res = min((q * (1 - share)).sum(), pl["p_res"] * HOURS)
    return float(ror + res)


def _scale_to(shape: np.ndarray, pl: dict, target_mwh: float) -> tuple[np.ndarray, float]:
    if target_mwh >= pl["total"] * HOURS:
        raise ValueError("hydro target above turbine capacity")
    a = bisect(lambda x: reachable_mwh(x * shape, pl), 0.0, 20 * pl["total"], target_mwh, tol=1e-6)
    return a * shape, a


def _month_factor(zone: str, spec: dict | None) -> np.ndarray:
    f = np.ones(12)
    if spec and zone in spec:
        for mth in spec[zone]["months"]:
            f[mth - 1] = spec[zone]["factor"]
    return f


def long_run_mwh(zone: str) -> float:
    """E3 15-year-average annual energy (MWh)."""
    e3 = np.asarray(params()["hydro"]["e3_monthly_pct"][zone], float)
    return float(np.dot(e3, DAYS) / DAYS.sum() / 100.0 * capacity(zone, "hydro") * HOURS)


def zone_inflows(zone: str) -> tuple[dict[str, np.ndarray], list[dict]]:
    """Total inflow (MW) per hydrology for ``zone`` and calibration records."""
    h = params()["hydro"]
    pl = plants(zone)
    base = monthly_shape(zone)
    out, recs = {}, []
    # average
    shp = _hourly_shape(zone, base)
    avg_mwh = long_run_mwh(zone)
    out["average"] = shp * avg_mwh / HOURS
    recs.append({"zone": zone, "hydrology": "average", "target": "E3 long-run mean", "target_twh": avg_mwh / 1e6})
    # 2023
    shp23 = _hourly_shape(zone, base * _month_factor(zone, h["el_nino_2023"]))
    tgt23 = owid_value(zone, 2023, "hydro_electricity") * 1e6
    out["2023"], _ = _scale_to(shp23, pl, tgt23)
    recs.append(
        {"zone": zone, "hydrology": "2023", "target": "Ember 2023 hydro (reachable)", "target_twh": tgt23 / 1e6}
    )
    # dry
    if zone in h["dry_analog"]:
        f = monthly_interp(_month_factor(zone, h["dry_analog"]), local_index(params()["zones"][zone]["utc_offset_h"]))
        out["dry"] = out["average"] * f
        recs.append(
            {"zone": zone, "hydrology": "dry", "target": "El Nino 2015-16 analog", "target_twh": out["dry"].sum() / 1e6}
        )
    else:
        vals = {y: owid_value(zone, y, "hydro_electricity") for y in h["dry_years"]}
        vals = {y: v for y, v in vals.items() if v == v and v > 0}
        y_dry = min(vals, key=vals.get)
        out["dry"], _ = _scale_to(_hourly_shape(zone, base), pl, vals[y_dry] * 1e6)
        recs.append(
            {"zone": zone, "hydrology": "dry", "target": f"Ember {y_dry} hydro (reachable)", "target_twh": vals[y_dry]}
        )
    for r in recs:
        q = out[r["hydrology"]]
        r["inflow_twh"] = q.sum() / 1e6
        r["reachable_twh"] = reachable_mwh(q, pl) / 1e6
    return out, recs


def build_inflows() -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Inflow tables per hydrology (columns ``Z-hydro-reservoir``, ``Z-run-of-river``; MW, 0.1) and records."""
    tables = {y: {} for y in HYDROLOGIES}
    recs = []
    for z in ZONES:
        q, r = zone_inflows(z)
        pl = plants(z)
        share = pl["p_ror"] / pl["total"]
        for y in HYDROLOGIES:
            tables[y][f"{z}-hydro-reservoir"] = np.round(q[y] * (1 - share), 1)
            tables[y][f"{z}-run-of-river"] = np.round(q[y] * share, 1)
        recs += r
    return {y: pd.DataFrame(t) for y, t in tables.items()}, recs
