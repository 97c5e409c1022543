"""A library of historical hydrology years: one annual inflow index per zone and year, built from OWID hydro.

Source: ``reference/owid_hydro_11countries.csv`` — OWID ``owid-energy-data.csv`` (commit e7897aed),
column ``hydro_electricity`` (TWh) per country and year: the Energy Institute Statistical Review before 2000
and Ember from 2000. EI covers MX, CO, EC, PE and CL (extracted from 1985-1996 on); the Central American
countries exist in OWID only from 2000 (Ember), GT's extract starts in 2004. No monthly operator statistics
(XM, CENACE, COES, CEN, ICE, ETESA) were available to cite, so the library is annual only.

Index. Generation depends on installed capacity as well as on water, so the capacity trend is removed:

    r_z(y) = G_z(y) / T_z(y),   T_z(y) = median{G_z(y-3) … G_z(y+3)} without G_z(y)   (centred 7-year rolling
    median of the neighbouring years),
    index_z(y) = r_z(y) / mean_{sourced library years} r_z,

so the mean index over each zone's sourced library years is exactly 1 — the library's mean year. A rolling
median rather than a fitted growth curve because capacity in these systems grows in steps (big dams: EC
Coca Codo Sinclair and Sopladora 2016, PE Chaglla and Cerro del Águila 2016-17, CO Hidroituango 2022): a
centred median follows a clean step without smearing it over the neighbouring years as a mean or a smooth curve
would, and is not pulled by a single drought or wet year. Limits: a commissioning spread over two or three
years is followed with a lag of a year or two (the years next to the step carry part of the capacity change),
and at the ends of the series the window shrinks to at least four years, so 2022-2024 are measured against a
trend that leans on the past. The EI-to-Ember switch in 2000 is treated like any other step.

Years a zone has no sourced figure for (Central America before 2000, GT before 2004) are written with index
1 (the average year) and a source saying so, so that every library year can be loaded for every zone; tests
and the data README count sourced years separately.

Relation to the three hand-built hydrologies: ``average`` is the E3 15-year-average inflow at today's capacity
and is the library's mean year (index 1); a library year is that series scaled by the year's index, with the
same seasonal shape (monthly shapes of specific years, e.g. from XM or COES statistics, are a possible
refinement). ``2023`` and ``dry`` keep their own construction (Ember 2023 reachable generation, driest of
2022-2024 or the CO 2015-16 analog); :func:`comparison_2023` sets the 2023 index beside their scaling.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from grid_model.datagen.common import ISO3, REFERENCE_DIR, ZONES, params

SOURCE_FILE = REFERENCE_DIR / "owid_hydro_11countries.csv"
LIBRARY_FILE = "hydrology_years.csv"
COLUMNS = ("zone", "year", "index", "source")


def _settings() -> dict:
    return params()["hydrology_library"]


def owid_hydro() -> pd.DataFrame:
    """Sourced hydro generation: columns ``zone, year, hydro_twh`` (one row per zone and year extracted)."""
    df = pd.read_csv(SOURCE_FILE)
    inv = {v: k for k, v in ISO3.items()}
    out = pd.DataFrame({"zone": df["iso_code"].map(inv), "year": df["year"], "hydro_twh": df["hydro_electricity"]})
    return out.sort_values(["zone", "year"]).reset_index(drop=True)


def trend(generation: pd.Series) -> pd.Series:
    """Centred rolling median of an annual series indexed by consecutive years, **without the year itself**
    (window shrinks at the ends). Leaving the year out matters: on a steadily rising path the median of a window
    that contains the year is the year itself, so a drought year that is still above the years before it would
    read exactly 1; the median of its neighbours is the path through them, so the dip shows."""
    s = _settings()
    half = s["trend_window"] // 2
    values = generation.to_numpy(dtype=float)
    out = np.full(len(values), np.nan)
    for i in range(len(values)):
        around = np.r_[values[max(0, i - half) : i], values[i + 1 : i + half + 1]]
        if len(around) >= s["trend_min_years"] - 1:
            out[i] = np.median(around)
    return pd.Series(out, index=generation.index)


def zone_index(generation: pd.Series, years: range) -> pd.Series:
    """Detrended index of one zone over ``years`` (those with a figure), normalised to a mean of 1."""
    gen = generation.sort_index()
    if not (np.diff(gen.index.to_numpy()) == 1).all():
        raise ValueError("hydro series has a gap: the rolling trend needs consecutive years")
    ratio = (gen / trend(gen)).loc[[y for y in years if y in gen.index]]
    return ratio / ratio.mean()


def library_table() -> pd.DataFrame:
    """The library: one row per zone and library year (``zone, year, index, source``), index rounded to 1e-4."""
    s = _settings()
    years = range(s["first_year"], s["last_year"] + 1)
    raw = pd.read_csv(SOURCE_FILE)
    src = raw["source"].iloc[0]
    data = owid_hydro()
    rows = []
    for z in ZONES:
        g = data[data["zone"] == z].set_index("year")["hydro_twh"]
        idx = zone_index(g, years)
        for y in years:
            if y in idx.index:
                note = f"{src}; hydro_electricity / centred {s['trend_window']}-year rolling median, mean 1 over"
                note += f" {idx.index.min()}-{idx.index.max()}"
                rows.append((z, y, round(float(idx[y]), 4), note))
            else:
                rows.append((z, y, 1.0, f"no OWID figure for {y} (series starts {g.index.min()}): average year"))
    return pd.DataFrame(rows, columns=list(COLUMNS))


def is_sourced(table: pd.DataFrame) -> pd.Series:
    """True for rows with a sourced index (False for the average-year placeholders)."""
    return ~table["source"].str.startswith("no OWID figure")


def comparison_2023(data_dir: Path, table: pd.DataFrame) -> pd.DataFrame:
    """Per zone: the 2023 library index beside the annual inflow energy of the ``2023`` and ``dry`` series
    relative to ``average`` (all three from ``data_dir/timeseries``)."""
    ts = Path(data_dir) / "timeseries"
    energy = {}
    for h in ("average", "2023", "dry"):
        df = pd.read_csv(ts / f"inflow_mw_{h}.csv").drop(columns="timestep")
        energy[h] = {z: float(df[[c for c in df.columns if c.startswith(f"{z}-")]].to_numpy().sum()) for z in ZONES}
    lib = table[table["year"] == 2023].set_index("zone")["index"]
    return pd.DataFrame(
        {
            "library 2023 index": [float(lib[z]) for z in ZONES],
            "`2023` / `average`": [energy["2023"][z] / energy["average"][z] for z in ZONES],
            "`dry` / `average`": [energy["dry"][z] / energy["average"][z] for z in ZONES],
        },
        index=pd.Index(list(ZONES), name="zone"),
    )


def write_library(out_dir: Path) -> pd.DataFrame:
    """Write ``hydrology_years.csv`` into ``out_dir`` and return the table."""
    table = library_table()
    table.to_csv(Path(out_dir) / LIBRARY_FILE, index=False, lineterminator="\n")
    return table
