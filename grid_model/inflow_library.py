"""Inflows of a library hydrology year (``hydrology_years.csv``, built by ``grid_model.datagen.hydrology_library``):
the average-year inflows of each zone scaled by that year's index. Read by ``grid_model.dataset.load_dataset`` when a
scenario's ``hydrology`` is a year; a low-level module so the dataset reader needs nothing above it."""

from __future__ import annotations

import pandas as pd


def library_inflow(
    average: pd.DataFrame, zone_of_column: dict[str, str], year: int, table: pd.DataFrame
) -> pd.DataFrame:
    """Hourly inflows of library ``year``: each column of the ``average`` series times its zone's index.

    ``average`` is the average-hydrology inflow table (one column per inflow, MW); ``zone_of_column`` maps each
    column to its zone (``hydro.csv``: ``inflow`` → ``zone``); ``table`` is ``hydrology_years.csv``. The seasonal
    and daily shape stays that of the average year; only the annual energy changes.
    """
    years = pd.to_numeric(table["year"])  # the dataset reader keeps CSV cells as text
    rows = pd.to_numeric(table[years == int(year)].set_index("zone")["index"])
    if rows.empty:
        raise KeyError(f"year {year} is not in the library")
    out = average.copy()
    for col in out.columns:
        zone = zone_of_column.get(col)
        if zone is None or zone not in rows.index:
            raise KeyError(f"inflow column '{col}' has no zone with a {year} index in the library")
        out[col] = out[col] * float(rows[zone])
    return out
