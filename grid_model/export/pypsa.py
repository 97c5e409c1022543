"""A scenario as a PyPSA network: ``grid-model export SCENARIO.yaml|RESULTS_DIR --to pypsa OUT.nc``.

:func:`build_network` translates a scenario-applied :class:`~grid_model.dataset.Dataset` (after grid_model's own
loading, scenario application and time aggregation) into a ``pypsa.Network``; :func:`extra_functionality` adds,
when PyPSA solves it, what PyPSA has no component for. Solved as

    n.optimize(solver_name="highs", include_objective_constant=True, extra_functionality=extra_functionality)

the objective is grid_model's ``objective_usd`` (``tests/test_export_pypsa.py`` and ``tests/test_headline_pypsa.py``
check it; ``benchmarks/headline.py`` on every run). From a results folder the optimised capacities are fixed
(``p_nom``, not extendable) and the objective is the operating cost of that system.

Mapping (grid_model → PyPSA; the maths is docs/model.md and the docstrings of ``grid_model/model/*.py``):

* zone → ``Bus`` (``x``, ``y`` = lon, lat of zones.csv); demand → ``Load`` (``p_set``);
* unserved energy → a ``Generator`` per zone at the zone's VoLL, ``p_max_pu · p_nom`` = demand;
* generator → ``Generator``: ``p_max_pu`` = availability a[g,t], ``p_min_pu`` = must-run share · a[g,t],
  ``marginal_cost`` = the cost *as dispatched* (fuel − fuel subsidy + VOM + carbon price, ``generator_params``)
  plus the tie-break of its category (``tie_break_usd_per_mwh``) — so the objective is ``objective_usd``, not
  the economic ``system_cost_usd``; ``efficiency`` and the carrier's ``co2_emissions`` (tCO2/MWh_th) as data;
  existing capacity → ``p_nom = p_nom_min`` = P0, ``p_nom_extendable`` up to ``p_nom_max`` = P̄,
  ``capital_cost`` = annuity + fixed O&M per MW-year (``include_objective_constant`` leaves out the cost of P0,
  sunk as in grid_model);
* battery / pumped storage → ``StorageUnit`` (``max_hours``, ``efficiency_store``/``_dispatch``,
  ``standing_loss``, ``marginal_cost`` = VOM on discharge), capacity as for generators;
* run-of-river → ``Generator`` with ``p_max_pu = min(P, inflow)/P`` (the rest spills);
* reservoir → ``StorageUnit`` with ``inflow``, ``max_hours = E/P``, no pumping (``p_min_pu = 0``), spill, and
  ``marginal_cost`` = VOM + tie-break on the release;
* interconnector → two ``Link``\\ s, ``<link>-fwd`` and ``<link>-bwd``, with ``efficiency = 1 − loss``; when
  expandable their capacities are tied equal and only ``-fwd`` carries the capital cost; ``p_nom_min`` = the
  committed floor; ``marginal_cost`` = the hurdle; ``p_max_pu`` = the operable limit of each direction (a time
  series where the limit varies);
* step weight w_t → ``snapshot_weightings`` ``objective`` and ``generators``; step duration Δ_t → ``stores``.

What PyPSA cannot express natively, and how it is handled. :func:`extra_functionality` adds it to the linopy
model; it reads what it needs from the network and ``n.meta["grid_model"]``, so it works as well on a network
loaded back from the .nc file (whose ``meta`` also holds a note saying this):

* typical periods: PyPSA's snapshots are one sequence (its multi-indexed snapshots are investment periods, not
  typical days). The snapshots are the steps in order; the typical period of each step and the sequence of
  typical periods over the year are in ``n.meta``. The storage balances are replaced so that each step's
  predecessor is grid_model's (cyclic within each typical period; over the year when chronological);
* reservoirs linked across the year (Kotzur et al. 2018, ``grid_model.model.periods``): the state of charge
  becomes the change since the period's start, and the start-of-period levels and the intra-period extremes are
  added as linopy variables and constraints;
* a minimum release (a lower bound on the discharge, which ``p_min_pu`` of a StorageUnit cannot give) and a spill
  above the inflow (grid_model allows any spill ≥ 0; PyPSA caps it at the inflow): the bounds are reset;
* a lossy bidirectional interconnector with one capacity: the two links' ``p_nom`` are tied.

Without :func:`extra_functionality` PyPSA solves the file as one chronological sequence (storage cyclic over all
snapshots, link directions sized independently, no minimum release): the same LP for a chronological scenario
without minimum releases or expandable links, an approximation otherwise.

Not translated (a clear error, :class:`NotTranslated`): storage that outlives a typical period, policy constraints
(CO2 caps, minimum renewable share) and elastic diagnosis — none is in the headline scenarios.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grid_model.dataset import Dataset
from grid_model.errors import GridModelError, InputError
from grid_model.model.generation import availability_matrix, generator_params
from grid_model.model.hydro import hydro_params
from grid_model.model.links import link_params, transfer_limit_pu
from grid_model.model.storage import storage_params
from grid_model.options import ModelOptions
from grid_model.timeindex import TimeIndex


class MissingPyPSA(GridModelError, ImportError):
    """PyPSA, an optional dependency, is not installed."""


try:
    import pypsa
except ImportError:
    raise MissingPyPSA('PyPSA is not installed: pip install -e ".[pypsa]"') from None


class NotTranslated(GridModelError):
    """A feature of the scenario that this translation does not carry to PyPSA."""


META = "grid_model"
NOTE = (
    "Exported by grid_model. Solve with n.optimize(solver_name='highs', include_objective_constant=True, "
    "extra_functionality=grid_model.export.pypsa.extra_functionality) for grid_model's LP: it reads this meta "
    "(typical period of each step, period sequence, reservoirs, interconnectors) to link storage within each "
    "typical period, reservoirs across the year, minimum releases and the two directions of each interconnector. "
    "Without it PyPSA solves the snapshots as one chronological sequence."
)
ExtraFunctionality = Callable[[Any, Any], None]


def build_network(ds: Dataset, options: ModelOptions, name: str = "") -> tuple[pypsa.Network, ExtraFunctionality]:
    """The scenario as a ``pypsa.Network`` and the ``extra_functionality`` to pass to ``n.optimize``."""
    if options.co2_cap_mt is not None or options.zone_co2_cap_mt or options.min_renewable_share is not None:
        raise NotTranslated("policy constraints (CO2 caps, minimum renewable share) are not exported to PyPSA")
    if options.elastic:
        raise NotTranslated("elastic diagnosis is not exported to PyPSA")
    time = ds.time
    snaps = pd.RangeIndex(time.n_steps, name="snapshot")
    n = pypsa.Network(name=name)
    n.set_snapshots(snaps)
    n.snapshot_weightings["objective"] = time.weight_h
    n.snapshot_weightings["generators"] = time.weight_h
    n.snapshot_weightings["stores"] = time.duration_h
    _add_zones(n, ds, options, snaps)
    _add_generators(n, ds, options, snaps)
    reservoirs = _add_hydro(n, ds, options, snaps)
    _add_storage(n, ds, options, time)
    links = _add_links(n, ds, options)
    _add_carriers(n, ds, options)
    linked = time.period_sequence is not None
    n.meta = {
        META: {
            "note": NOTE,
            "scenario": name,
            "typical_period": time.typical_period.astype(int).tolist() if time.typical_period.any() else None,
            "period_sequence": time.period_sequence.astype(int).tolist() if linked else None,
            "period_h": float(time.period_h),
            "reservoirs": reservoirs,
            "links": links,
            "capacities": "optimised by PyPSA (candidates extendable)",
        }
    }
    return n, extra_functionality


def _add_zones(n: pypsa.Network, ds: Dataset, options: ModelOptions, snaps: pd.RangeIndex) -> None:
    """Buses at the zones' coordinates, loads, and unserved energy at VoLL."""
    zones = list(ds.zones)
    table = ds.tables["zones"].reindex(zones)
    n.add("Bus", zones, x=table["lon"].fillna(0.0).to_numpy(float), y=table["lat"].fillna(0.0).to_numpy(float))
    demand = pd.DataFrame({z: ds.demand_mw[z].to_numpy(dtype=float) for z in zones}, index=snaps)
    loads = [f"load-{z}" for z in zones]
    n.add("Load", loads, bus=zones, p_set=demand.set_axis(loads, axis=1))
    if options.allow_unserved:
        voll = table["voll_usd_per_mwh"]
        peak = demand.max().clip(lower=1e-9)
        unserved = [f"unserved-{z}" for z in zones]
        n.add(
            "Generator",
            unserved,
            bus=zones,
            carrier="unserved",
            p_nom=peak.to_numpy(),
            p_max_pu=(demand / peak).set_axis(unserved, axis=1),
            marginal_cost=[float(voll[z]) for z in zones],
        )


def _add_carriers(n: pypsa.Network, ds: Dataset, options: ModelOptions) -> None:
    """Every carrier used, with the CO2 of its fuel [tCO2/MWh_th] (PyPSA divides by the generator's efficiency)."""
    params = generator_params(ds, options)
    co2 = (params["co2_t_per_mwh"] * params["efficiency_pu"]).groupby(params["technology"]).first()
    used: list[str] = ["AC"]
    for table in (n.generators, n.storage_units, n.links):
        used += [c for c in table["carrier"].unique().tolist() if c]
    carriers = list(dict.fromkeys(used))
    n.add("Carrier", carriers, co2_emissions=[float(co2.get(c, 0.0)) for c in carriers])


def _capacity(params: pd.DataFrame) -> dict[str, Any]:
    """Existing + new capacity of generators or storage: ``p_nom = p_nom_min = P0``, extendable up to P̄ at the
    annuity plus fixed O&M (``include_objective_constant`` then leaves out the cost of P0, sunk as in grid_model)."""
    ext = params["expandable"].to_numpy(dtype=bool)
    p0 = params["p_nom_mw"].to_numpy(dtype=float)
    return {
        "p_nom": p0,
        "p_nom_min": p0,
        "p_nom_max": np.where(ext, params["p_nom_max_mw"].to_numpy(dtype=float), np.inf),
        "p_nom_extendable": ext,
        "capital_cost": np.where(
            ext, (params["capex_annual_usd_per_mw"] + params["fom_usd_per_mw_yr"]).to_numpy(), 0.0
        ),
    }


def _add_generators(n: pypsa.Network, ds: Dataset, options: ModelOptions, snaps: pd.RangeIndex) -> None:
    params = generator_params(ds, options)
    if params.empty:
        return
    a = availability_matrix(ds, params)
    names = list(params.index)
    n.add(
        "Generator",
        names,
        bus=params["zone"].tolist(),
        carrier=params["technology"].tolist(),
        efficiency=params["efficiency_pu"].to_numpy(dtype=float),
        **_capacity(params),
        marginal_cost=(params["marginal_cost_usd_per_mwh"] + params["tie_break_usd_per_mwh"]).to_numpy(dtype=float),
        p_max_pu=pd.DataFrame(a.T, index=snaps, columns=names),
        p_min_pu=pd.DataFrame(
            (a * params["min_output_pu"].to_numpy(dtype=float)[:, None]).T, index=snaps, columns=names
        ),
    )


def _add_hydro(n: pypsa.Network, ds: Dataset, options: ModelOptions, snaps: pd.RangeIndex) -> dict[str, dict]:
    """Run-of-river as Generators, reservoirs as StorageUnits with inflow; returns what ``extra_functionality``
    needs of each reservoir (energy and minimum release)."""
    params = hydro_params(ds, options)
    if params.empty:
        return {}
    inflow = pd.DataFrame({h: ds.inflow_mw[f].to_numpy(dtype=float) for h, f in params["inflow"].items()}, index=snaps)
    cost = params["vom_usd_per_mwh"] + params["tie_break_usd_per_mwh"]
    ror = params[params["energy_mwh"] <= 0]
    if not ror.empty:
        names = list(ror.index)
        cap = ror["p_nom_mw"].to_numpy(dtype=float)
        upper = np.minimum(cap, inflow[names].to_numpy())
        rmin = ror["min_release_pu"].to_numpy(dtype=float)
        lower = np.where(rmin > 0, np.minimum(rmin * cap, upper), 0.0)
        safe = np.where(cap > 0, cap, 1.0)
        n.add(
            "Generator",
            names,
            bus=ror["zone"].tolist(),
            carrier=ror["technology"].tolist(),
            p_nom=cap,
            p_max_pu=pd.DataFrame(upper / safe, index=snaps, columns=names),
            p_min_pu=pd.DataFrame(lower / safe, index=snaps, columns=names),
            marginal_cost=cost[names].to_numpy(dtype=float),
        )
    res = params[params["energy_mwh"] > 0]
    if res.empty:
        return {}
    if (res["p_nom_mw"] <= 0).any():
        raise NotTranslated(f"reservoir without turbine capacity: {res.index[res['p_nom_mw'] <= 0][0]}")
    names = list(res.index)
    cap = res["p_nom_mw"].to_numpy(dtype=float)
    energy = res["energy_mwh"].to_numpy(dtype=float)
    n.add(
        "StorageUnit",
        names,
        bus=res["zone"].tolist(),
        carrier=res["technology"].tolist(),
        p_nom=cap,
        max_hours=energy / cap,
        p_min_pu=0.0,
        inflow=inflow[names],
        marginal_cost=cost[names].to_numpy(dtype=float),
        cyclic_state_of_charge=True,
    )
    return {
        h: {"energy_mwh": float(e), "min_release_pu": float(r)}
        for h, e, r in zip(names, energy, res["min_release_pu"], strict=True)
    }


def _add_storage(n: pypsa.Network, ds: Dataset, options: ModelOptions, time: TimeIndex) -> None:
    params = storage_params(ds, options)
    if params.empty:
        return
    if time.linked and (params["max_hours"] >= time.period_h).any():
        raise NotTranslated("storage that outlives a typical period (inter-period linking of storage units)")
    n.add(
        "StorageUnit",
        list(params.index),
        bus=params["zone"].tolist(),
        carrier=params["technology"].tolist(),
        **_capacity(params),
        marginal_cost=params["vom_usd_per_mwh"].to_numpy(dtype=float),
        max_hours=params["max_hours"].to_numpy(dtype=float),
        efficiency_store=params["eta_charge"].to_numpy(dtype=float),
        efficiency_dispatch=params["eta_discharge"].to_numpy(dtype=float),
        standing_loss=params["standing_loss_pu_per_h"].to_numpy(dtype=float),
        cyclic_state_of_charge=True,  # exact when chronological; extra_functionality replaces the balance
    )


def _add_links(n: pypsa.Network, ds: Dataset, options: ModelOptions) -> list[str]:
    """Two directed Links per interconnector (``<link>-fwd``, ``<link>-bwd``); returns the interconnectors."""
    params = link_params(ds, options)
    if params.empty:
        return []
    names = list(params.index)
    ext = params["expandable"].to_numpy(dtype=bool)
    cost = (params["capex_annual_usd_per_mw"] + params["fom_usd_per_mw_yr"]).to_numpy(dtype=float)
    for suffix, forward in (("fwd", True), ("bwd", False)):
        n.add(
            "Link",
            [f"{lk}-{suffix}" for lk in names],
            bus0=(params["zone_from"] if forward else params["zone_to"]).tolist(),
            bus1=(params["zone_to"] if forward else params["zone_from"]).tolist(),
            carrier=params["kind"].astype(str).tolist(),
            p_nom=params["p_nom_mw"].to_numpy(dtype=float),
            p_nom_min=np.minimum(params["p_nom_min_mw"], params["p_nom_max_mw"]).to_numpy(dtype=float),
            p_nom_max=np.where(ext, params["p_nom_max_mw"].to_numpy(dtype=float), np.inf),
            p_nom_extendable=ext,
            capital_cost=np.where(ext & forward, cost, 0.0),
            efficiency=1.0 - params["loss_pu"].to_numpy(dtype=float),
            marginal_cost=params["hurdle_usd_per_mwh"].to_numpy(dtype=float),
            p_min_pu=0.0,
            p_max_pu=params["p_max_pu_fwd" if forward else "p_max_pu_rev"].to_numpy(dtype=float),
        )
        limit = transfer_limit_pu(ds, params, "fwd" if forward else "rev")
        varying = [i for i in range(len(names)) if np.ptp(limit[i]) > 0]
        if varying:
            n.links_t.p_max_pu = n.links_t.p_max_pu.assign(
                **{f"{names[i]}-{suffix}": limit[i] for i in varying}
            ).set_axis(n.snapshots)
    return names


# ---------------------------------------------------------------------------------------------
# A results folder: the optimised capacities, fixed


def fix_capacities(n: pypsa.Network, folder: Path) -> None:
    """Set the capacities of a results folder (capacity.csv, links.csv: existing + new MW) as every expandable
    asset's ``p_nom``, no longer extendable."""
    cap = _read_table(folder / "capacity.csv", ["zone", "technology", "existing_mw", "new_mw"])
    total = cap.assign(mw=cap["existing_mw"] + cap["new_mw"]).groupby(["zone", "technology"])["mw"]
    mw = total.first()
    ambiguous = set(mw.index[total.nunique() > 1])
    for table in (n.generators, n.storage_units):
        for unit in table.index[table["p_nom_extendable"]]:
            key = (table.at[unit, "bus"], table.at[unit, "carrier"])
            if key not in mw.index or key in ambiguous:
                raise InputError(f"no single capacity for {unit} (zone {key[0]}, {key[1]})", file=str(folder))
            _fix(table, unit, float(mw[key]))
    links = _read_table(folder / "links.csv", ["link", "existing_mw", "new_mw"]).set_index("link")
    for lk in n.meta[META]["links"]:
        if not n.links.at[f"{lk}-fwd", "p_nom_extendable"]:
            continue
        if lk not in links.index:
            raise InputError(f"link {lk} is not in links.csv", file=str(folder))
        for suffix in ("fwd", "bwd"):
            _fix(n.links, f"{lk}-{suffix}", float(links.at[lk, "existing_mw"] + links.at[lk, "new_mw"]))
    n.meta[META]["capacities"] = f"fixed at the optimum of the results folder {folder.name}: the objective is the "
    n.meta[META]["capacities"] += "operating cost (objective_usd less the annuities and fixed O&M of new capacity)"


def _fix(table: pd.DataFrame, name: str, p_nom: float) -> None:
    """One asset's capacity, fixed (``table`` is the network's own static table: n.generators, …)."""
    table.loc[name, ["p_nom", "p_nom_min"]] = p_nom
    table.loc[name, "p_nom_extendable"] = False


def _read_table(path: Path, columns: list[str]) -> pd.DataFrame:
    if not path.exists():
        raise InputError("not found (is this a results folder of grid-model run?)", file=str(path))
    df = pd.read_csv(path, keep_default_na=False, na_values=[""])
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"missing column {missing[0]}", file=str(path))
    return df


def network_from(source: str | Path) -> tuple[pypsa.Network, ExtraFunctionality]:
    """The network of a scenario file, or of a results folder (its ``scenario.yaml``, capacities fixed at the
    optimum of ``capacity.csv`` and ``links.csv``)."""
    from grid_model.scenario import load_run_inputs

    source = Path(source)
    folder = source if source.is_dir() else None
    sc, ds = load_run_inputs(folder / "scenario.yaml" if folder else source)
    n, extra = build_network(ds, sc.model_options(), name=sc.name)
    if folder is not None:
        fix_capacities(n, folder)
    return n, extra


def export_netcdf(source: str | Path, out: str | Path) -> pypsa.Network:
    """Write the network of a scenario file or results folder to ``out`` (netCDF, PyPSA's own format); nothing is
    written if the translation fails."""
    n, _ = network_from(source)
    out = Path(out)
    part = out.with_name(f".{out.name}.part")
    try:
        n.export_to_netcdf(part)
        part.replace(out)
    finally:
        part.unlink(missing_ok=True)
    return n


# ---------------------------------------------------------------------------------------------
# What PyPSA has no component for, added to its linopy model


def extra_functionality(n: pypsa.Network, _snapshots: Any) -> None:
    """grid_model's constraints that PyPSA lacks (module docstring), from ``n.meta["grid_model"]``: pass it as
    ``n.optimize(extra_functionality=...)``. All snapshots must be optimised at once."""
    meta = n.meta.get(META)
    if meta is None:
        return
    m = n.model
    for lk in meta["links"]:
        if n.links.at[f"{lk}-fwd", "p_nom_extendable"]:
            p_nom = m["Link-p_nom"]
            m.add_constraints(
                p_nom.sel(name=f"{lk}-fwd", drop=True) - p_nom.sel(name=f"{lk}-bwd", drop=True) == 0,
                name=f"tie-{lk}",
            )
    if n.storage_units.empty:
        return
    steps = pd.DataFrame({"weight_h": n.snapshot_weightings["objective"].to_numpy(dtype=float)})
    steps["duration_h"] = n.snapshot_weightings["stores"].to_numpy(dtype=float)
    if meta.get("typical_period") is not None:
        steps["period"] = meta["typical_period"]
    time = TimeIndex.from_timesteps(steps, meta.get("period_sequence"), meta.get("period_h", 0.0))
    reservoirs = meta.get("reservoirs") or {}
    _storage_balance(n, time, list(reservoirs) if time.linked else [])
    if reservoirs:
        _reservoir_bounds(n, reservoirs, time.linked)
        if time.linked:
            _linked_reservoirs(n, time, reservoirs)


def _update(var: Any, **bounds: Any) -> None:
    """Reset a linopy variable's bounds (``Variable.update`` from linopy 0.10, the setters before)."""
    if hasattr(var, "update"):
        var.update(**bounds)
    else:  # pragma: no cover - older linopy
        for key, value in bounds.items():
            setattr(var, key, value)


def _take(expr: Any, dim: str, idx: np.ndarray, new_dim: str, coords: pd.Index) -> Any:
    """A linopy expression whose entry i along ``new_dim`` (labelled ``coords``) is ``expr``'s entry idx[i] along
    ``dim``."""
    import linopy

    lin = expr.to_linexpr() if hasattr(expr, "to_linexpr") else expr
    data = lin.data.isel({dim: idx})
    data = data.drop_vars(dim).rename({dim: new_dim}) if new_dim != dim else data.drop_vars(dim)
    return linopy.LinearExpression(data.assign_coords({new_dim: coords}), lin.model)


def _dense(n: pypsa.Network, attr: str) -> pd.DataFrame:
    """A StorageUnit attribute that may vary in time, as snapshots × units."""
    static = n.storage_units[attr]
    varying = n.storage_units_t[attr]
    dense = pd.DataFrame(np.tile(static.to_numpy(dtype=float), (len(n.snapshots), 1)), n.snapshots, static.index)
    dense.update(varying.reindex(index=n.snapshots, columns=[c for c in varying.columns if c in dense.columns]))
    return dense


def _storage_balance(n: pypsa.Network, time: TimeIndex, restart: list[str]) -> None:
    """e[t] = (1 − σ)^Δ_t e[prev(t)] + Δ_t (η_c c[t] − d[t]/η_d + inflow[t] − spill[t]), replacing PyPSA's
    chronological balance; units in ``restart`` start each typical period from 0 (their inter-period level)."""
    import xarray as xr

    m = n.model
    su = n.storage_units
    names = pd.Index(su.index, name="name")
    snaps = pd.Index(n.snapshots, name="snapshot")
    soc = m["StorageUnit-state_of_charge"]
    dt = xr.DataArray(time.duration_h, coords=[snaps])
    sigma = xr.DataArray(su["standing_loss"].to_numpy(dtype=float), coords=[names])
    eta_c = xr.DataArray(su["efficiency_store"].to_numpy(dtype=float), coords=[names])
    eta_d = xr.DataArray(su["efficiency_dispatch"].to_numpy(dtype=float), coords=[names])
    inflow = xr.DataArray(_dense(n, "inflow").to_numpy(), coords=[snaps, names])
    before = _take(soc, "snapshot", time.previous(), "snapshot", snaps)
    if restart:
        keep = ~np.outer(time.chain_starts(), names.isin(restart))
        before = before.where(xr.DataArray(keep, coords=[snaps, names])).fillna(0)
    lhs = (
        soc
        - (1.0 - sigma) ** dt * before
        - dt * eta_c * m["StorageUnit-p_store"]
        + dt / eta_d * m["StorageUnit-p_dispatch"]
    )
    if "StorageUnit-spill" in m.variables:
        _update(m["StorageUnit-spill"], upper=np.inf)  # grid_model does not cap spill at the inflow
        lhs = lhs + dt * m["StorageUnit-spill"].fillna(0)  # absent where the inflow is 0
    m.remove_constraints("StorageUnit-energy_balance")
    m.add_constraints(lhs == dt * inflow, name="StorageUnit-energy_balance")


def _reservoir_bounds(n: pypsa.Network, reservoirs: dict[str, dict], linked: bool) -> None:
    """Release ≥ min(r·P, P, inflow) where a minimum release is set; level in [0, E] ([−E, E], a change since the
    period's start, when linked)."""
    inflow = _dense(n, "inflow")
    release: dict[str, np.ndarray] = {}
    for h, r in reservoirs.items():
        if r["min_release_pu"] > 0:
            cap = float(n.storage_units.at[h, "p_nom"])
            release[h] = np.minimum(min(r["min_release_pu"] * cap, cap), inflow[h].to_numpy())
    _set_bound(n.model, "p_dispatch", "lower", release)
    _set_bound(
        n.model, "state_of_charge", "lower", {h: -r["energy_mwh"] if linked else 0.0 for h, r in reservoirs.items()}
    )
    _set_bound(n.model, "state_of_charge", "upper", {h: r["energy_mwh"] for h, r in reservoirs.items()})


def _set_bound(m: Any, attr: str, side: str, values: dict[str, Any]) -> None:
    """Reset a bound of some non-extendable storage units: PyPSA 1.x states these bounds as constraints
    (``StorageUnit-fix-<attr>-<side>``), earlier versions as variable bounds."""
    if not values:
        return
    var = m[f"StorageUnit-{attr}"]
    name = f"StorageUnit-fix-{attr}-{side}"
    if name not in m.constraints:  # pragma: no cover - PyPSA < 1.0
        bound = (var.lower if side == "lower" else var.upper).copy()
        for unit, v in values.items():
            bound.loc[{"name": unit}] = v
        _update(var, **{side: bound})
        return
    rhs = m.constraints[name].rhs.copy()
    for unit, v in values.items():
        rhs.loc[{"name": unit}] = v
    lhs = var.sel(name=list(rhs.indexes["name"]))
    m.remove_constraints(name)
    m.add_constraints(lhs >= rhs if side == "lower" else lhs <= rhs, name=name)


def _linked_reservoirs(n: pypsa.Network, time: TimeIndex, reservoirs: dict[str, dict]) -> None:
    """Kotzur's inter-period levels of the reservoirs (``grid_model.model.periods``)."""
    import xarray as xr

    m = n.model
    names = pd.Index(list(reservoirs), name="name")
    snaps = pd.Index(n.snapshots, name="snapshot")
    energy = xr.DataArray([reservoirs[h]["energy_mwh"] for h in names], coords=[names])
    level = m["StorageUnit-state_of_charge"].sel(name=list(names))
    period = time.typical_period
    periods = pd.Index(sorted(set(period.tolist())), name="period")
    seq = np.asarray(time.period_sequence, dtype=int)
    days = pd.RangeIndex(len(seq), name="day")
    dmax = m.add_variables(coords=[periods, names], name="Reservoir-intra_max")
    dmin = m.add_variables(coords=[periods, names], name="Reservoir-intra_min")
    start = m.add_variables(lower=0.0, coords=[days, names], name="Reservoir-level_start")
    pos = {k: i for i, k in enumerate(periods)}
    k_of_t = np.array([pos[k] for k in period])
    m.add_constraints(level - _take(dmax, "period", k_of_t, "snapshot", snaps) <= 0, name="Reservoir-intra_upper")
    m.add_constraints(level - _take(dmin, "period", k_of_t, "snapshot", snaps) >= 0, name="Reservoir-intra_lower")
    last = {k: int(np.flatnonzero(period == k)[-1]) for k in periods}
    k_of_d = np.array([pos[int(k)] for k in seq])
    end_of_d = np.array([last[int(k)] for k in seq])
    following = (np.arange(len(seq)) + 1) % len(seq)
    m.add_constraints(
        _take(start, "day", following, "day", days) - start - _take(level, "snapshot", end_of_d, "day", days) == 0,
        name="Reservoir-level_chain",
    )
    m.add_constraints(start + _take(dmax, "period", k_of_d, "day", days) <= energy, name="Reservoir-level_max")
    m.add_constraints(start + _take(dmin, "period", k_of_d, "day", days) >= 0, name="Reservoir-level_min")
