"""Hourly solar PV availability per zone (pu of installed capacity).

For each zone's solar site(s) (``params.yaml: zones.<Z>.solar_sites``):

1. clear-sky GHI/DNI/DHI from pvlib's Ineichen model (Linke turbidity from pvlib's bundled climatology,
   altitude from ``pvlib.location.lookup_altitude``) at the middle of each hour;
2. plane-of-array irradiance for a fixed plane tilted at |latitude| facing the equator (isotropic sky),
   clear-sky pu = POA / 1000 W/m², averaged over the sites;
3. a seeded cloudiness process: a daily clearness multiplier
   c_d = clip(1 − wet_dimming·wet(m) + σ·AR(1)_d, 0.05, 1) times an hourly factor
   clip(1 + σ_h·N(0,1), 0, 1.2), where wet(m) ∈ [0, 1] is the zone's normalised monthly hydro-inflow shape
   (rainy season ⇒ cloudier);
4. calibration: a scale s (≥ 0) with p = min(1, s·clear·cloud) is solved by bisection so that the annual mean
   equals the target capacity factor (see :func:`targets.vre_target`); the clip at 1 pu plays the role of
   the DC/AC ratio of real plants.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pvlib

from grid_model.datagen.common import HOURS, ar1, bisect, local_index, monthly_interp, params, rng_for, utc_index


def clear_sky_pu(lat: float, lon: float) -> np.ndarray:
    """Clear-sky plane-of-array irradiance / 1000 W/m² at the middle of each hour of the base year."""
    times = utc_index() + pd.Timedelta(minutes=30)
    alt = float(pvlib.location.lookup_altitude(lat, lon))
    loc = pvlib.location.Location(lat, lon, tz="UTC", altitude=alt)
    sp = loc.get_solarposition(times)
    cs = loc.get_clearsky(times, model="ineichen", solar_position=sp)
    tilt = abs(lat)
    azimuth = 180.0 if lat >= 0 else 0.0
    poa = pvlib.irradiance.get_total_irradiance(
        tilt, azimuth, sp["apparent_zenith"], sp["azimuth"], cs["dni"], cs["ghi"], cs["dhi"], model="isotropic"
    )["poa_global"]
    return np.clip(poa.fillna(0.0).to_numpy() / 1000.0, 0.0, None)


def wet_season_index(zone: str) -> np.ndarray:
    """Monthly rainy-season index in [0, 1] from the zone's hydro inflow shape (12 values)."""
    from grid_model.datagen.hydro import monthly_shape

    m = monthly_shape(zone)
    return (m - m.min()) / (m.max() - m.min())


def cloudiness(zone: str) -> np.ndarray:
    """Hourly cloud multiplier in [0, 1.2] (seeded)."""
    p = params()
    c = p["vre"]["solar"]["cloud"]
    loc = local_index(p["zones"][zone]["utc_offset_h"])
    rng = rng_for(f"solar:{zone}")
    day_id = (loc.normalize() - loc.normalize()[0]).days.to_numpy()
    nd = int(day_id.max()) + 1
    wet_h = monthly_interp(wet_season_index(zone), loc)
    daily = ar1(rng, nd, c["phi"], c["sigma"])[day_id]
    cd = np.clip(1 - c["wet_dimming"] * wet_h + daily, 0.05, 1.0)
    hourly = np.clip(1 + c["hourly_sigma"] * rng.standard_normal(HOURS), 0.0, 1.2)
    return cd * hourly


def solar_profile(zone: str, target_cf: float) -> tuple[np.ndarray, dict]:
    """Hourly pu profile with mean ``target_cf`` (before rounding) and a calibration record."""
    sites = params()["zones"][zone]["solar_sites"]
    clear = np.mean([clear_sky_pu(lat, lon) for lat, lon in sites], axis=0)
    raw = clear * cloudiness(zone)
    s = bisect(lambda x: np.minimum(1.0, x * raw).mean(), 0.0, 10.0, target_cf)
    prof = np.minimum(1.0, s * raw)
    rec = {
        "clear_sky_cf": float(clear.mean()),
        "cloudy_cf": float(raw.mean()),
        "scale": s,
        "clipped_share": float((s * raw > 1).mean()),
    }
    return prof, rec
