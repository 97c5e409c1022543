"""The headline scenarios as PyPSA networks: the same LP as grid_model's, built with PyPSA and linopy.

:func:`build_network` translates a scenario-applied :class:`~grid_model.dataset.Dataset` (after grid_model's own
loading, scenario application and time aggregation, which a PyPSA user would need too) into a ``pypsa.Network``
plus the ``extra_functionality`` that PyPSA needs for what it has no component for. The optimal objectives must
agree with grid_model's (``benchmarks/headline.py`` checks every run; ``tests/test_headline_pypsa.py`` checks the
example dataset, chronological and with typical periods), so the two tools solve one LP and the timings compare
like with like.

Mapping (the maths is grid_model's, docs/model.md and the docstrings of ``grid_model/model/*.py``):

* generator → ``Generator``: ``p_max_pu`` = availability a[g,t], ``p_min_pu`` = must-run share · a[g,t],
  ``marginal_cost`` as dispatched (fuel − subsidy + VOM + carbon, from ``generator_params``) plus the tie-break
  cost of the generator's category (``tie_break_usd_per_mwh``, also on hydro release); existing + new
  capacity → ``p_nom = p_nom_min = P0``, extendable up to P̄, ``capital_cost`` = annuity + fixed O&M, with
  ``include_objective_constant`` leaving out the cost of P0 as grid_model does (sunk);
* unserved energy → a ``Generator`` per zone at VoLL with ``p_max_pu · p_nom`` = demand;
* battery → ``StorageUnit``; its energy balance is replaced so each step's predecessor is grid_model's (cyclic
  within each typical period, or over the year when chronological);
* run-of-river → ``Generator`` with ``p_max_pu = min(P, inflow)/P``; reservoir release → ``Generator``, with the
  reservoir level, spill and (typical periods) the inter-period state of Kotzur et al. (2018) added as linopy
  variables and constraints, since PyPSA has no inter-period storage linking;
* lossy bidirectional interconnector → two ``Link``\\ s with efficiency 1 − λ whose capacities are tied equal;
  only the forward one carries the capital cost;
* step weights → ``snapshot_weightings`` objective; step durations → ``stores``.

Not translated (a clear error): storage that outlives a typical period, policy constraints (CO2 cap, minimum
renewable share) and elastic diagnosis — none is in the headline scenarios.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from grid_model.dataset import Dataset
from grid_model.model import ModelOptions
from grid_model.model.generation import availability_matrix, generator_params
from grid_model.model.hydro import hydro_params
from grid_model.model.links import link_params
from grid_model.model.storage import storage_params


class NotTranslated(Exception):
    """A feature of the scenario that this translator does not carry to PyPSA."""


def build_network(ds: Dataset, options: ModelOptions) -> tuple[Any, Callable[[Any, Any], None]]:
    """The scenario as a ``pypsa.Network`` and the ``extra_functionality`` to pass to ``n.optimize``."""
    import pypsa

    if options.co2_cap_mt is not None or options.min_renewable_share is not None or options.elastic:
        raise NotTranslated("policy constraints and elastic diagnosis are not translated")
    ts = ds.timesteps
    n_steps = len(ts)
    snaps = pd.RangeIndex(n_steps, name="snapshot")
    weight = ts["weight_h"].to_numpy(dtype=float)
    duration = ts["duration_h"].to_numpy(dtype=float) if "duration_h" in ts.columns else weight
    sequence = ds.period_sequence
    linked = sequence is not None
    period_h = float(ds.period_h)

    n = pypsa.Network()
    n.set_snapshots(snaps)
    n.snapshot_weightings["objective"] = weight
    n.snapshot_weightings["generators"] = weight
    n.snapshot_weightings["stores"] = duration
    zones = list(ds.zones)
    n.add("Bus", zones)
    demand = pd.DataFrame({z: ds.demand_mw[z].to_numpy(dtype=float) for z in zones}, index=snaps)
    n.add("Load", [f"load-{z}" for z in zones], bus=zones, p_set=demand.set_axis([f"load-{z}" for z in zones], axis=1))
    if options.allow_unserved:
        voll = ds.tables["zones"]["voll_usd_per_mwh"]
        peak = demand.max().clip(lower=1e-9)
        n.add(
            "Generator",
            [f"unserved-{z}" for z in zones],
            bus=zones,
            p_nom=peak.to_numpy(),
            p_max_pu=(demand / peak).set_axis([f"unserved-{z}" for z in zones], axis=1),
            marginal_cost=[float(voll[z]) for z in zones],
        )

    _add_generators(n, ds, options, snaps)
    reservoirs = _add_hydro(n, ds, options, snaps)
    _add_storage(n, ds, options, linked, period_h)
    tied = _add_links(n, ds, options)

    prev = ds.time.previous()
    starts = prev >= np.arange(len(prev))  # a period's first step links forward, to its last
    storage = list(ds.tables["storage"].index)

    def extra_functionality(n: Any, _snapshots: Any) -> None:
        import linopy  # noqa: F401  (PyPSA's modelling layer)

        m = n.model
        for name in tied:
            p_nom = m["Link-p_nom"]
            m.add_constraints(
                p_nom.sel(name=f"{name}-fwd", drop=True) - p_nom.sel(name=f"{name}-bwd", drop=True) == 0,
                name=f"tie-{name}",
            )
        if storage:
            _storage_balance(n, ds, prev, duration)
        if not reservoirs.empty:
            _reservoirs(n, ds, reservoirs, prev, starts, duration, linked)

    return n, extra_functionality


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


def _add_generators(n: Any, ds: Dataset, options: ModelOptions, snaps: pd.RangeIndex) -> None:
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
        **_capacity(params),
        marginal_cost=(params["marginal_cost_usd_per_mwh"] + params["tie_break_usd_per_mwh"]).to_numpy(dtype=float),
        p_max_pu=pd.DataFrame(a.T, index=snaps, columns=names),
        p_min_pu=pd.DataFrame(
            (a * params["min_output_pu"].to_numpy(dtype=float)[:, None]).T, index=snaps, columns=names
        ),
    )


def _add_hydro(n: Any, ds: Dataset, options: ModelOptions, snaps: pd.RangeIndex) -> pd.DataFrame:
    """Release of every plant as a Generator; returns the reservoirs' parameters (their levels are added later)."""
    params = hydro_params(ds, options)
    if params.empty:
        return params
    names = list(params.index)
    cap = params["p_nom_mw"].to_numpy(dtype=float)
    energy = params["energy_mwh"].to_numpy(dtype=float)
    rmin = params["min_release_pu"].to_numpy(dtype=float)
    inflow = np.array([ds.inflow_mw[f].to_numpy(dtype=float) for f in params["inflow"]])
    upper = np.where(energy[:, None] > 0, cap[:, None], np.minimum(cap[:, None], inflow))
    lower = np.where(rmin[:, None] > 0, np.minimum(np.minimum(rmin[:, None] * cap[:, None], upper), inflow), 0.0)
    safe = np.where(cap > 0, cap, 1.0)[:, None]
    n.add(
        "Generator",
        names,
        bus=params["zone"].tolist(),
        carrier=params["technology"].tolist(),
        p_nom=cap,
        p_max_pu=pd.DataFrame((upper / safe).T, index=snaps, columns=names),
        p_min_pu=pd.DataFrame((lower / safe).T, index=snaps, columns=names),
        marginal_cost=(params["vom_usd_per_mwh"] + params["tie_break_usd_per_mwh"]).to_numpy(dtype=float),
    )
    res = params[params["energy_mwh"] > 0].copy()
    res["inflow_series"] = [ds.inflow_mw[f].to_numpy(dtype=float) for f in res["inflow"]]
    return res


def _add_storage(n: Any, ds: Dataset, options: ModelOptions, linked: bool, period_h: float) -> None:
    params = storage_params(ds, options)
    if params.empty:
        return
    if linked and (params["max_hours"] >= period_h).any():
        raise NotTranslated("storage that outlives a typical period (inter-period linking of storage units)")
    n.add(
        "StorageUnit",
        list(params.index),
        bus=params["zone"].tolist(),
        **_capacity(params),
        marginal_cost=params["vom_usd_per_mwh"].to_numpy(dtype=float),
        max_hours=params["max_hours"].to_numpy(dtype=float),
        efficiency_store=params["eta_charge"].to_numpy(dtype=float),
        efficiency_dispatch=params["eta_discharge"].to_numpy(dtype=float),
        standing_loss=params["standing_loss_pu_per_h"].to_numpy(dtype=float),
        cyclic_state_of_charge=False,  # the energy balance is replaced (_storage_balance)
    )


def _add_links(n: Any, ds: Dataset, options: ModelOptions) -> list[str]:
    """Two directed Links per interconnector; returns the expandable ones, whose two capacities are tied."""
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
            p_nom=params["p_nom_mw"].to_numpy(dtype=float),
            p_nom_min=np.minimum(params["p_nom_min_mw"], params["p_nom_max_mw"]).to_numpy(dtype=float),
            p_nom_max=np.where(ext, params["p_nom_max_mw"].to_numpy(dtype=float), np.inf),
            p_nom_extendable=ext,
            capital_cost=np.where(ext & forward, cost, 0.0),
            efficiency=1.0 - params["loss_pu"].to_numpy(dtype=float),
            p_min_pu=0.0,
            p_max_pu=1.0,
        )
    return [lk for lk, e in zip(names, ext, strict=True) if e]


def _take(expr: Any, dim: str, idx: np.ndarray, new_dim: str, coords: pd.Index) -> Any:
    """A linopy expression whose entry i along ``new_dim`` (labelled ``coords``) is ``expr``'s entry idx[i] along
    ``dim``."""
    import linopy

    lin = expr.to_linexpr() if hasattr(expr, "to_linexpr") else expr
    data = lin.data.isel({dim: idx})
    data = data.drop_vars(dim).rename({dim: new_dim}) if new_dim != dim else data.drop_vars(dim)
    return linopy.LinearExpression(data.assign_coords({new_dim: coords}), lin.model)


def _storage_balance(n: Any, ds: Dataset, prev: np.ndarray, duration: np.ndarray) -> None:
    """e[t] = (1 − σ)^Δ_t e[prev(t)] + Δ_t (η_c c[t] − d[t]/η_d), replacing PyPSA's chronological balance."""
    import xarray as xr

    m = n.model
    su = n.storage_units
    names = pd.Index(su.index, name="name")
    snaps = pd.RangeIndex(len(prev), name="snapshot")
    soc = m["StorageUnit-state_of_charge"]
    store = m["StorageUnit-p_store"]
    dispatch = m["StorageUnit-p_dispatch"]
    dt = xr.DataArray(duration, coords=[snaps])
    sigma = xr.DataArray(su["standing_loss"].to_numpy(dtype=float), coords=[names])
    eta_c = xr.DataArray(su["efficiency_store"].to_numpy(dtype=float), coords=[names])
    eta_d = xr.DataArray(su["efficiency_dispatch"].to_numpy(dtype=float), coords=[names])
    m.remove_constraints("StorageUnit-energy_balance")
    before = _take(soc, "snapshot", prev, "snapshot", snaps)
    m.add_constraints(
        soc - (1.0 - sigma) ** dt * before - dt * eta_c * store + dt / eta_d * dispatch == 0,
        name="StorageUnit-energy_balance",
    )


def _reservoirs(
    n: Any,
    ds: Dataset,
    res: pd.DataFrame,
    prev: np.ndarray,
    starts: np.ndarray,
    duration: np.ndarray,
    linked: bool,
) -> None:
    """Reservoir levels and spill; with typical periods, Kotzur's inter-period levels (grid_model.model.periods)."""
    import xarray as xr

    m = n.model
    names = pd.Index(res.index, name="name")
    snaps = pd.RangeIndex(len(prev), name="snapshot")
    energy = xr.DataArray(res["energy_mwh"].to_numpy(dtype=float), coords=[names])
    inflow = xr.DataArray(np.array(list(res["inflow_series"])).T, coords=[snaps, names])
    dt = xr.DataArray(duration, coords=[snaps])
    level = m.add_variables(
        lower=(-energy if linked else 0.0 * energy).expand_dims(snapshot=snaps),
        upper=energy.expand_dims(snapshot=snaps),
        name="Reservoir-level",
    )
    spill = m.add_variables(lower=0.0, coords=[snaps, names], name="Reservoir-spill")
    release = m["Generator-p"].sel(name=list(names))
    before = _take(level, "snapshot", prev, "snapshot", snaps)
    if linked:  # a linked reservoir starts each period from its inter-period level (a change of 0 here)
        before = before.where(xr.DataArray(~starts, coords=[snaps])).fillna(0)
    m.add_constraints(level - before + dt * release + dt * spill == dt * inflow, name="Reservoir-level_balance")
    if not linked:
        return
    period = ds.timesteps["period"].to_numpy(dtype=int)
    periods = pd.Index(sorted(set(period.tolist())), name="period")
    seq = np.asarray(ds.period_sequence, dtype=int)
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
