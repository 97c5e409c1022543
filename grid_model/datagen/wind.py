"""Hourly onshore-wind availability per zone (pu of installed capacity).

Hourly hub-height speed v_t = v0 · S(month) · (1 + a·cos(2π(h − h_max)/24)) · exp(x_t), with S the zone's
monthly multipliers, a the diurnal amplitude and h_max the local hour of the daily maximum
(``params.yaml: vre.wind.regimes``), x_t a seeded AR(1) log-speed anomaly. A generic power curve
(0 below cut-in, cubic to rated, 1 above rated; cut-out ignored) turns speed into pu. The mean speed v0 is
solved by bisection so that the annual mean equals the target capacity factor.
"""

from __future__ import annotations

import numpy as np

from grid_model.datagen.common import ar1, bisect, local_index, monthly_interp, params, rng_for


def power_curve(v: np.ndarray, cut_in: float, rated: float) -> np.ndarray:
    """Normalised output of a generic turbine."""
    out = (v**3 - cut_in**3) / (rated**3 - cut_in**3)
    return np.clip(np.where(v < cut_in, 0.0, out), 0.0, 1.0)


def wind_profile(zone: str, target_cf: float) -> tuple[np.ndarray, dict]:
    """Hourly pu profile with mean ``target_cf`` (before rounding) and a calibration record."""
    p = params()
    w = p["vre"]["wind"]
    r = w["regimes"][zone]
    loc = local_index(p["zones"][zone]["utc_offset_h"])
    h = loc.hour.to_numpy() + 0.5
    seasonal = monthly_interp(np.asarray(r["month"], float), loc)
    diurnal = 1 + r["diurnal_amp"] * np.cos(2 * np.pi * (h - r["peak_h"]) / 24)
    x = ar1(rng_for(f"wind:{zone}"), len(h), w["noise"]["phi"], w["noise"]["sigma"])
    shape = seasonal * diurnal * np.exp(x)
    pc = w["power_curve"]
    v0 = bisect(lambda v: power_curve(v * shape, pc["cut_in"], pc["rated"]).mean(), 0.0, 40.0, target_cf)
    prof = power_curve(v0 * shape, pc["cut_in"], pc["rated"])
    return prof, {"mean_speed_ms": v0 * float(shape.mean())}
