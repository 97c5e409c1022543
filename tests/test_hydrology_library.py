"""The hydrology library (data/pacific/hydrology_years.csv) and its loading as ``hydrology: "<year>"``."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from grid_model.datagen.common import ZONES
from grid_model.datagen.hydrology_library import is_sourced, library_table
from grid_model.dataset import load_dataset
from grid_model.errors import InputError

DATA = Path(__file__).resolve().parents[1] / "data" / "pacific"
EL_NINO = (1997, 1998, 2009, 2010, 2015, 2016, 2023, 2024)
EI_ZONES = ("MX", "CO", "EC", "PE", "CL")  # OWID reaches back before 2000 only where the EI covers the country


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return pd.read_csv(DATA / "hydrology_years.csv")


def test_shipped_library_is_the_generated_one(table):
    pd.testing.assert_frame_equal(table, library_table(), check_dtype=False)


def test_every_zone_has_at_least_20_sourced_years_including_the_enso_years(table):
    src = table[is_sourced(table)]
    for z in ZONES:
        years = set(src.loc[src.zone == z, "year"])
        assert len(years) >= 20, z
        assert {2009, 2010, 2015, 2016, 2023, 2024} <= years, z
        assert set(EL_NINO) <= set(table.loc[table.zone == z, "year"]), z
    for z in EI_ZONES:
        assert {1997, 1998} <= set(src.loc[src.zone == z, "year"]), z


def test_mean_index_over_sourced_years_is_one(table):
    src = table[is_sourced(table)]
    for z, mean in src.groupby("zone")["index"].mean().items():
        assert mean == pytest.approx(1.0, abs=5e-4), z  # indices are rounded to 1e-4
    assert (table.loc[~is_sourced(table), "index"] == 1.0).all()


@pytest.mark.parametrize("zone", ["CO", "EC"])
def test_each_el_nino_episode_has_a_dry_year(zone, table):
    """Each El Niño episode (1997–98, 2009–10, 2015–16, 2023–24) reaches Colombia and Ecuador over two calendar
    years; the drier of the two sits below the mean year, and below both years around the episode where OWID
    shows generation falling into it."""
    idx = table.query("zone == @zone").set_index("year")["index"]
    for first in EL_NINO[::2]:
        driest = min(idx[first], idx[first + 1])
        assert driest < 1.0, (zone, first, idx[first], idx[first + 1])


def test_library_year_loads_as_the_average_scaled_by_the_index(table):
    ds = load_dataset(DATA, "1998")
    avg = load_dataset(DATA, "average").inflow_mw
    hydro = ds.tables["hydro"]
    idx = table[table.year == 1998].set_index("zone")["index"]
    assert list(ds.inflow_mw.columns) == list(avg.columns)
    for z in ZONES:
        cols = list(hydro.loc[hydro.zone == z, "inflow"])
        got = ds.inflow_mw[cols].to_numpy().sum()
        assert got == pytest.approx(avg[cols].to_numpy().sum() * idx[z], rel=1e-9), z


def test_year_outside_the_library_is_a_one_line_input_error():
    with pytest.raises(InputError) as err:
        load_dataset(DATA, "1975")
    msg = str(err.value)
    assert "hydrology '1975' is not in the library (years 1996–2024)" in msg
    assert "hydrology_years.csv" in msg and "year" in msg and "\n" not in msg
