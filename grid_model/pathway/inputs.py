"""The inputs of each investment period: the pathway scenario with the period's year and policy, and the dataset
with that year's demand, existing fleet (less retirements), costs (cost trajectories) and projects (commissioning).

A period's scenario is the pathway scenario with ``year`` set to the period's year and every ``pathway.periods``
entry up to that year merged in, in order (a change holds until a later period changes it again). Its dataset is
the scenario applied as for a one-year run (``grid_model.scenario.apply_scenario``), then:

* **retirements** (retirements.csv): each zone's existing capacity of a technology falls by every row with
  year ≤ the period's year, shared over the zone's generators of that technology pro rata (never below zero); an
  asset that could not expand keeps no room to, an expandable one keeps its ceiling (its site potential);
* **capital costs** (cost_trajectories.csv): technologies.csv, generators.csv, storage.csv and links.csv capex
  times the technology's factor for the year, interpolated linearly between listed years, held flat outside them;
* **commissioning** (commissioning.csv): a candidate cannot be built in a period before its year (its ceiling is
  its existing capacity); a committed project has, from its year on, a floor of existing + ``mw`` (a committed
  link in every links case, like links.csv ``p_nom_min_mw`` in a one-year run); a committed hydro plant adds its
  turbine capacity and scales its inflow and reservoir by the same ratio (the fleet's capacity factor, assumed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from grid_model.dataset import Dataset, validate_dataset
from grid_model.errors import InputError
from grid_model.scenario import Scenario, _deep_merge, apply_scenario
from grid_model.stochastic import combine_hydrologies
from grid_model.timeseries import aggregate_time

Loader = Callable[[Path, str], Dataset]
RESERVED_PERIOD_KEYS = ("name", "year", "pathway", "dataset", "capacity_from", "capacity_period", "source_file")


def period_scenarios(sc: Scenario) -> list[Scenario]:
    """One scenario per investment period (module docstring); a bad key in ``pathway.periods`` is a one-line error
    naming the period and the key."""
    cfg = sc.pathway
    if cfg is None:
        raise ValueError(f"scenario '{sc.name}' has no pathway")
    label = sc.source_file or sc.name
    unknown = sorted(set(cfg.periods) - set(cfg.years))
    if unknown:
        raise InputError(f"key 'pathway.periods': {unknown[0]} is not one of pathway.years {cfg.years}", file=label)
    base = sc.model_dump(mode="python")
    base["pathway"] = None
    changes: dict = {}
    out = []
    for year in cfg.years:
        given = cfg.periods.get(year, {})
        reserved = [k for k in given if k in RESERVED_PERIOD_KEYS]
        if reserved:
            raise InputError(f"key 'pathway.periods.{year}.{reserved[0]}': cannot change by period", file=label)
        changes = _deep_merge(changes, given)
        data = _deep_merge(base, changes)
        data["year"] = year
        if sc.capacity_from is not None and sc.capacity_period is None:  # a pathway plan checked period by period
            data["capacity_period"] = year
        try:
            out.append(Scenario.model_validate(data))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = ".".join(str(p) for p in err["loc"])
            msg = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
            raise InputError(f"key 'pathway.periods.{year}.{key}': {msg}", file=label) from None
    return out


def period_dataset(sc: Scenario, load: Loader) -> Dataset:
    """The aggregated, scenario-applied dataset of one period (``sc`` from :func:`period_scenarios`)."""
    label = sc.source_file or sc.name
    members = sc.hydrology_members()
    static = {}
    for name, _p in members:
        raw = load(sc.dataset_path(), name)
        check_commissioning(raw)
        try:
            ds = apply_scenario(commit_links(raw, sc.year), sc, aggregate=False)
        except InputError as exc:
            raise InputError(f"pathway period {sc.year}: {exc}") from None
        adjust_for_year(ds, sc.year, label)
        static[name] = ds
    if len(members) == 1:
        return aggregate_time(static[members[0][0]], sc.time)
    return combine_hydrologies(static, dict(members), sc.time, sc.hydrology_label)


def adjust_for_year(ds: Dataset, year: int, label: str) -> None:
    """Retirements, capital costs and commissioning of ``year`` (module docstring), in place; re-validated. With
    capacities fixed from a plan (``capacity_from``) the plan already holds its retirements and builds: only
    committed hydro (data, not a decision of the plan) is added."""
    if ds.applied is not None and ds.applied.plan:
        _commission(ds, year, label, kinds=("hydro",))
    else:
        _retire(ds, year)
        _trajectory_costs(ds, year, label)
        _commission(ds, year, label)
    validate_dataset(ds)


def retired_mw(retirements: pd.DataFrame, zone: str, technology: str, year: int) -> float:
    """MW of a zone's technology out of service in ``year``: every row with year ≤ ``year``."""
    if retirements.empty:
        return 0.0
    r = retirements
    mask = (r["zone"] == zone) & (r["technology"] == technology) & (r["year"] <= year)
    return float(r.loc[mask, "retired_mw"].sum())


def _retire(ds: Dataset, year: int) -> None:
    gens = ds.tables["generators"]
    ret = ds.tables["retirements"]
    if ret.empty or gens.empty:
        return
    for (zone, tech), group in gens.groupby(["zone", "technology"], sort=False):
        gone = retired_mw(ret, zone, tech, year)
        total = float(group["p_nom_mw"].sum())
        if gone <= 0 or total <= 0:
            continue
        keep = max(total - gone, 0.0) / total
        for g in group.index:
            p0 = float(gens.at[g, "p_nom_mw"])
            ceiling = gens.at[g, "p_nom_max_mw"]
            fixed = pd.isna(ceiling) or float(ceiling) <= p0
            gens.at[g, "p_nom_mw"] = p0 * keep
            if fixed:
                gens.at[g, "p_nom_max_mw"] = p0 * keep


def capex_factor(trajectories: pd.DataFrame, technology: str, year: int) -> float:
    """The technology's capex factor in ``year``: linear between listed years, flat outside; 1 when unlisted."""
    if trajectories.empty:
        return 1.0
    rows = trajectories[trajectories["technology"] == technology].sort_values("year")
    if rows.empty:
        return 1.0
    return float(np.interp(year, rows["year"].to_numpy(dtype=float), rows["capex_factor"].to_numpy(dtype=float)))


def _trajectory_costs(ds: Dataset, year: int, label: str) -> None:
    traj = ds.tables["cost_trajectories"]
    if traj.empty:
        return
    t = ds.tables
    known = set(t["technologies"].index) | {"link"}
    bad = sorted(set(traj["technology"]) - known)
    if bad:
        raise InputError(f"unknown technology '{bad[0]}' (not in technologies.csv, nor 'link')", file=label)
    factor = {tech: capex_factor(traj, tech, year) for tech in known}
    techs = t["technologies"]
    techs["capex_usd_per_kw"] = techs["capex_usd_per_kw"] * techs.index.map(factor).astype(float)
    for name, columns in (
        ("generators", ("capex_usd_per_kw",)),
        ("storage", ("capex_usd_per_kw", "capex_usd_per_kwh")),
    ):
        df = t[name]
        f = df["technology"].map(factor).astype(float)
        for col in columns:
            df[col] = df[col] * f
    if len(t["links"]):
        t["links"]["capex_usd_per_mw"] = t["links"]["capex_usd_per_mw"] * factor["link"]


def _commissioning(ds: Dataset) -> pd.DataFrame:
    com = ds.tables["commissioning"]
    return com.reset_index() if "asset" not in com.columns else com


def check_commissioning(raw: Dataset) -> None:
    """Every project of commissioning.csv names an asset of its kind's table (a one-line error otherwise)."""
    com = _commissioning(raw)
    tables = {"link": "links", "generator": "generators", "hydro": "hydro"}
    for i, (asset, kind) in enumerate(zip(com["asset"], com["kind"], strict=True)):
        if asset not in raw.tables[tables[kind]].index:
            raise InputError(
                f"'{asset}' is not in {tables[kind]}.csv",
                file=str(raw.path / "commissioning.csv"),
                row=i + 1,
                column="asset",
            )


def commit_links(raw: Dataset, year: int) -> Dataset:
    """A copy of the raw dataset in which the links committed by ``year`` have their floor (links.csv
    ``p_nom_min_mw`` = existing + ``mw``), so every links case builds them, as for a one-year run."""
    com = _commissioning(raw)
    rows = com[(com["kind"] == "link") & (com["mode"] == "committed")] if len(com) else com
    if rows.empty:
        return raw
    ds = raw.copy()
    links = ds.tables["links"]
    for _i, row in rows.iterrows():
        if row["asset"] in links.index and year >= int(row["year"]):
            links.at[row["asset"], "p_nom_min_mw"] = float(links.at[row["asset"], "p_nom_mw"]) + float(row["mw"])
    return ds


def _commission(ds: Dataset, year: int, label: str, kinds: tuple[str, ...] = ("link", "generator", "hydro")) -> None:
    """After the scenario: nothing before its year; committed generators and hydro from their year on."""
    com = _commissioning(ds)
    for _i, row in com.iterrows():
        kind, asset = row["kind"], row["asset"]
        if kind not in kinds:
            continue
        if kind == "hydro":
            _commit_hydro(ds, row, year, label)
            continue
        table = ds.tables["links" if kind == "link" else "generators"]
        if asset not in table.index:
            continue  # not in this scenario (e.g. a candidate the links case leaves out)
        if "p_nom_min_mw" not in table.columns:  # generators.csv has no floor column: the feature reads this one
            table["p_nom_min_mw"] = np.nan
        p0 = float(table.at[asset, "p_nom_mw"])
        if year < int(row["year"]):
            table.at[asset, "p_nom_max_mw"] = p0
            table.at[asset, "p_nom_min_mw"] = p0
        elif row["mode"] == "committed" and kind == "generator":
            floor = p0 + float(row["mw"])
            ceiling = table.at[asset, "p_nom_max_mw"]
            table.at[asset, "p_nom_max_mw"] = max(floor, float(ceiling) if pd.notna(ceiling) else floor)
            table.at[asset, "p_nom_min_mw"] = floor


def _commit_hydro(ds: Dataset, row: pd.Series, year: int, label: str) -> None:
    """A committed hydro plant: +mw of turbine capacity from its year, inflow and reservoir scaled alike."""
    if row["mode"] != "committed":
        raise InputError(f"hydro plant '{row['asset']}' can only be 'committed' (hydro is not expanded)", file=label)
    hydro = ds.tables["hydro"]
    if row["asset"] not in hydro.index or year < int(row["year"]):
        return
    p0 = float(hydro.at[row["asset"], "p_nom_mw"])
    ratio = (p0 + float(row["mw"])) / p0
    hydro.at[row["asset"], "p_nom_mw"] = p0 + float(row["mw"])
    hydro.at[row["asset"], "energy_mwh"] = float(hydro.at[row["asset"], "energy_mwh"]) * ratio
    inflow = hydro.at[row["asset"], "inflow"]
    if inflow in ds.inflow_mw.columns:
        ds.inflow_mw[inflow] = ds.inflow_mw[inflow] * ratio
