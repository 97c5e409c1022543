"""Results of one run: tidy tables, hourly series and ``summary.json`` (README, Outputs), written atomically and read
back. What figures, reports and notebooks use; it knows nothing of the model (the tables are assembled from the
features' reports by ``grid_model.model.assemble``).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

TABLE_NAMES = (
    "generation",
    "capacity",
    "links",
    "prices",
    "emissions",
    "subsidies",
    "costs",
    "zones",
    "units",
)
OPTIONAL_TABLE_NAMES = (  # written only by runs that have them
    "plan_check",  # capacity_from
    "hydrology",  # several hydrologies
    "links_by_hydrology",  # several hydrologies
)
HOURLY_NAMES = (
    "dispatch_mw",
    "storage_level_mwh",
    "storage_charge_mw",
    "storage_discharge_mw",
    "link_flow_mw",
    "link_flow_forward_mw",
    "link_flow_backward_mw",
    "hydro_spill_mw",
    "hydro_inflow_mw",
    "price_usd_per_mwh",
    "demand_mw",
)


@dataclass
class Results:
    """Every output table of one run plus the summary dictionary."""

    summary: dict
    tables: dict[str, pd.DataFrame]
    hourly: dict[str, pd.DataFrame] = field(default_factory=dict)


def write_results(res: Results, out_dir: str | Path, extra: dict[str, bytes | str] | None = None) -> Path:
    """Write all tables, hourly series and summary.json (and ``extra`` files) into ``out_dir`` atomically.

    The folder appears whole or not at all; an existing folder is replaced only after the new one is complete.
    """
    with atomic_folder(out_dir) as tmp:
        for name, df in res.tables.items():
            df.to_csv(tmp / f"{name}.csv", index=False, float_format="%.10g")
        (tmp / "hourly").mkdir()
        for name, df in res.hourly.items():
            df.to_parquet(tmp / "hourly" / f"{name}.parquet")
        (tmp / "summary.json").write_text(json.dumps(res.summary, indent=2, default=_json_default) + "\n")
        for name, content in (extra or {}).items():
            target = tmp / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                target.write_bytes(content)
            else:
                target.write_text(content)
    return Path(out_dir)


@contextmanager
def atomic_folder(out_dir: str | Path) -> Iterator[Path]:
    """A temporary folder beside ``out_dir`` to write into. When the block ends normally it is renamed into place
    (an existing ``out_dir`` is replaced only then); when the block raises, or the run is interrupted, it is
    removed and ``out_dir`` is left as it was. Every results folder (run, compare, sweep) is written this way."""
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = _make_temp_dir(out)
    try:
        yield tmp
        _replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _make_temp_dir(out: Path) -> Path:
    """A hidden temporary folder beside ``out`` with normal permissions (mkdtemp alone makes it owner-only)."""
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o777 & ~umask)
    return tmp


def _replace_dir(tmp: Path, out: Path) -> None:
    """Atomically put ``tmp`` at ``out``; an old ``out`` is moved aside first and removed after."""
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
        try:
            os.replace(tmp, out)
        except BaseException:
            os.replace(old, out)
            raise
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, out)


def _json_default(o: object) -> object:
    if isinstance(o, np.generic):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o)}")


PLAN_FIGURES = (
    "objective_usd",
    "system_cost_usd",
    "operating_cost_usd",
    "renewable_share",
    "co2_mt",
    "unserved_twh",
    "price_avg_usd_per_mwh",
    "n_timesteps",
)


def read_plan_capacities(
    folder: str | Path, period: int | None = None
) -> tuple[pd.Series, pd.Series, dict[str, object]]:
    """A results folder's capacities by unit and by link (existing + new MW) and its headline figures
    (``PLAN_FIGURES``), to fix them in another run (scenario key ``capacity_from``). A pathway's folder holds one
    plan per period: ``period`` says which (a LookupError when it is missing or not a period of the pathway)."""
    folder = Path(folder)
    units = pd.read_csv(folder / "units.csv", keep_default_na=False, na_values=[""])
    links = pd.read_csv(folder / "links.csv", keep_default_na=False, na_values=[""])
    summary = json.loads((folder / "summary.json").read_text())
    if "period" in units.columns:
        periods = sorted(int(p) for p in units["period"].unique())
        if period not in periods:
            raise LookupError(f"{folder} is a pathway: give capacity_period, one of {periods}")
        units, links = units[units["period"] == period], links[links["period"] == period]
        summary = summary["periods"][str(period)] if str(period) in summary["periods"] else summary["periods"][period]
    units, links = units.set_index("unit"), links.set_index("link")
    units = units.loc[units["kind"] != "hydro"]
    return (
        units["existing_mw"] + units["new_mw"],
        links["existing_mw"] + links["new_mw"],
        {k: summary[k] for k in PLAN_FIGURES if k in summary},
    )


def read_results(folder: str | Path) -> Results:
    """Read a results folder back (tables, summary, hourly) — what figures and notebooks use."""
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text())
    tables = {
        n: pd.read_csv(folder / f"{n}.csv", keep_default_na=False, na_values=[""])
        for n in (*TABLE_NAMES, *OPTIONAL_TABLE_NAMES)
        if (folder / f"{n}.csv").exists()
    }
    hourly = {p.stem: pd.read_parquet(p) for p in sorted((folder / "hourly").glob("*.parquet"))}
    return Results(summary, tables, hourly)
