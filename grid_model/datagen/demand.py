"""Hourly demand of the base year, per zone (MW).

Shape (local standard time of the zone, parameters in ``params.yaml: demand.shapes``):

    d(t) = month(t) · week(t) · [1 + a_eve·g(h; h_eve, 2.0) + a_mid(t)·g(h; h_mid, 3.0) − a_night·g(h; 3.5, 3.0)]
           · exp(x_day + ε_t)

with g a circular Gaussian bump of the hour of day, ``month`` interpolated between mid-month values,
``week`` = 1 / sat / sun factors, a_mid boosted in the zone's hot months, x_day an AR(1) daily weather term
and ε_t hourly noise. The shape is then

1. scaled so that Σ_t d(t) = annual demand (OWID/Ember 2023, TWh × 10⁶), exactly; and
2. stretched about its mean, d' = mean + k·(d − mean), with k chosen by bisection so that max d' equals the
   target peak — the documented peak, or the peak implied by a load factor clipped into
   ``demand.load_factor_bounds`` when the documented peak and Ember's energy have different scopes.

The stretch keeps the annual energy unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grid_model.datagen.common import (
    HOURS,
    ZONES,
    ar1,
    bisect,
    local_index,
    monthly_interp,
    owid_value,
    params,
    rng_for,
)


def _bump(hour: np.ndarray, centre: float, width: float) -> np.ndarray:
    d = np.abs(hour - centre)
    d = np.minimum(d, 24 - d)
    return np.exp(-0.5 * (d / width) ** 2)


def raw_shape(zone: str) -> np.ndarray:
    """The unscaled hourly shape of ``zone`` on the common clock (mean ≈ 1)."""
    p = params()
    s = p["demand"]["shapes"][zone]
    loc = local_index(p["zones"][zone]["utc_offset_h"])
    h = loc.hour.to_numpy() + 0.5
    hot = np.isin(loc.month.to_numpy(), s["hot_months"]).astype(float)
    a_mid = s["mid_amp"] + s["hot_mid_boost"] * hot
    daily = (
        1
        + s["eve_amp"] * _bump(h, s["eve_h"], 2.0)
        + a_mid * _bump(h, s["mid_h"], 3.0)
        - s["night_amp"] * _bump(h, 3.5, 3.0)
    )
    month = monthly_interp(np.asarray(s["month"], float), loc)
    wf = p["demand"]["weekday_factor"]
    dow = loc.dayofweek.to_numpy()
    week = np.where(dow == 5, wf["sat"], np.where(dow == 6, wf["sun"], 1.0))
    rng = rng_for(f"demand:{zone}")
    dn = p["demand"]["daily_noise"]
    day_id = (loc.normalize() - loc.normalize()[0]).days.to_numpy()
    xday = ar1(rng, int(day_id.max()) + 1, dn["phi"], dn["sigma"])[day_id]
    eps = rng.standard_normal(HOURS) * p["demand"]["hourly_noise_sigma"]
    d = month * week * daily * np.exp(xday + eps)
    return d / d.mean()


def target_peak(zone: str, annual_mwh: float) -> tuple[float, str]:
    """Peak MW to reproduce and a note on how it was chosen."""
    p = params()["demand"]
    doc = p["peaks"][zone]["mw"]
    mean = annual_mwh / HOURS
    lf = mean / doc
    lo, hi = p["load_factor_bounds"]
    if lf > hi:
        return mean / hi, f"documented peak {doc:,.0f} MW implies load factor {lf:.3f} > {hi}; clipped to {hi}"
    if lf < lo:
        return mean / lo, f"documented peak {doc:,.0f} MW implies load factor {lf:.3f} < {lo}; clipped to {lo}"
    return float(doc), f"documented peak {doc:,.0f} MW (load factor {lf:.3f})"


def zone_demand(zone: str, year: int = 2023) -> tuple[np.ndarray, dict]:
    """Hourly MW for ``zone`` and a calibration record."""
    annual_mwh = owid_value(zone, year, "electricity_demand") * 1e6
    shape = raw_shape(zone)
    mean = annual_mwh / HOURS
    base = shape * mean
    peak, note = target_peak(zone, annual_mwh)
    dev = base - mean
    k = bisect(lambda kk: mean + kk * dev.max(), 0.0, 20.0, peak)
    d = mean + k * dev
    if d.min() <= 0.2 * mean:
        raise ValueError(f"{zone}: demand stretch gives a minimum of {d.min():.0f} MW; check the shape parameters")
    rec = {"zone": zone, "target_twh": annual_mwh / 1e6, "peak_target_mw": peak, "peak_note": note, "stretch_k": k}
    return d, rec


def build_demand() -> tuple[pd.DataFrame, list[dict]]:
    """The demand table (columns = zones, MW, rounded to 0.1) and calibration records."""
    cols, recs = {}, []
    for z in ZONES:
        d, rec = zone_demand(z)
        cols[z] = np.round(d, 1)
        rec["achieved_twh"] = cols[z].sum() / 1e6
        rec["achieved_peak_mw"] = cols[z].max()
        rec["load_factor"] = cols[z].mean() / cols[z].max()
        recs.append(rec)
    return pd.DataFrame(cols), recs
