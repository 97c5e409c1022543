"""A pathway scenario as one PyPSA network with investment periods: the same LP as grid_model's pathway.

grid_model solves a pathway (``grid_model.pathway``) as the one-year LPs of its periods' own datasets, tied by
one build column per expandable asset and period. The same LP in PyPSA's multi-investment-period model:

* snapshots ``(period year, step)``; ``investment_period_weightings["objective"]`` = D_q (grid_model's discount
  weights, ``grid_model.pathway.timing``), ``["years"]`` = the years each period stands for; snapshot weightings
  w_t (``objective``, ``generators``) and Δ_t (``stores``) of each period's own time index;
* per-period loads, availability, inflows and marginal costs (fuel subsidies removed in some periods: a
  time-varying ``marginal_cost``), each period's parameters read with the one-year exporter's functions
  (``generator_params``, ``storage_params``, ``link_params``, ``hydro_params``, ``availability_matrix``);
* **existing fleet** per period (retirements.csv shrinks it, committed hydro grows it): split into pieces, one per
  band of capacity that is in service over a run of periods, each a non-extendable component with ``build_year`` =
  the first period of the run and ``lifetime`` ending at the period after its last (``inf`` when it lasts to the
  end) — PyPSA's own retirement rule;
* **new capacity**: one extendable component ``<asset>@<year>`` per expandable asset and period in which it can be
  built, ``build_year`` = that year, ``lifetime`` from its parameters, ``capital_cost`` = that period's annuity +
  fixed O&M per MW-year. grid_model charges a build's annuity and fixed O&M at its build period's rates in each
  period the build serves (``grid_model.pathway.lp``); PyPSA charges ``capital_cost`` in every period the component
  is active, weighted by the same D_q: the same sum;
* what PyPSA has no component for, in :func:`extra_functionality`: grid_model bounds the new capacity **in
  service** in period q, ``x_q = Σ_{builds serving q} b`` ∈ [P_min,q − P0_q, P̄_q − P0_q] (the site ceiling, which
  retirements free up room under; the committed floor from its year) — one row per asset and period; the two
  directions of an expandable interconnector have equal builds; and the storage balances and reservoir bounds of
  the one-year exporter (``grid_model.export.pypsa``), with each investment period one cyclic chain.

Only chronological time (``time.mode: full`` or ``downsample``) is translated: grid_model's storage is then cyclic
within each period's year, as PyPSA's ``cyclic_state_of_charge_per_period``. Typical days with reservoirs linked
across the year (Kotzur) would need the exporter's inter-period levels chained within each investment period; not
done (:class:`NotTranslated`). Policy constraints (CO2 caps, renewable share) and build limits
(``pathway.max_build_mw_per_yr``) are refused too.

Solved as ``n.optimize(multi_investment_periods=True, solver_name="highs", extra_functionality=extra)`` the
objective is grid_model's ``PathwaySolution.objective_usd`` (``tests/test_pathway_pypsa.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
import pypsa

from grid_model.dataset import Dataset
from grid_model.export.pypsa import (
    NotTranslated,
    _reservoir_bounds,
    _storage_balance,
)
from grid_model.model.generation import availability_matrix, generator_params
from grid_model.model.hydro import hydro_params
from grid_model.model.links import link_params, transfer_limit_pu
from grid_model.model.storage import storage_params
from grid_model.options import ModelOptions
from grid_model.pathway.inputs import period_dataset, period_scenarios
from grid_model.pathway.run import raw_loader
from grid_model.pathway.timing import discount_weights, period_spans
from grid_model.scenario import Scenario
from grid_model.timeindex import TimeIndex

META = "grid_model_pathway"
TOL_MW = 1e-9


@dataclass
class Period:
    """One investment period: its year, scenario, aggregated dataset, options and discount weight D_q."""

    year: int
    scenario: Scenario
    ds: Dataset
    options: ModelOptions
    weight: float
    n_years: int


def period_inputs(sc: Scenario) -> list[Period]:
    """Every period's scenario and dataset, as ``grid_model.pathway`` builds them."""
    cfg = sc.pathway
    if cfg is None:
        raise ValueError(f"scenario '{sc.name}' has no pathway")
    load = raw_loader()
    weights = discount_weights(cfg.years, cfg.base_year, cfg.last_year(), sc.discount_rate)
    spans = period_spans(cfg.years, cfg.last_year())
    out = []
    for sc_q, w, span in zip(period_scenarios(sc), weights, spans, strict=True):
        out.append(Period(sc_q.year, sc_q, period_dataset(sc_q, load), sc_q.model_options(), float(w), len(span)))
    return out


def pieces(caps: list[float], years: list[int]) -> list[tuple[float, int, float]]:
    """A capacity per period as bands in service over runs of consecutive periods: (MW, build year, lifetime).
    The sum of the bands active in period q (PyPSA: build_year ≤ y_q < build_year + lifetime) is caps[q]."""
    out: list[tuple[float, int, float]] = []
    levels = sorted({0.0, *[max(float(c), 0.0) for c in caps]})
    for lo, hi in pairwise(levels):
        on = [c >= hi - TOL_MW for c in caps]
        q = 0
        while q < len(caps):
            if not on[q]:
                q += 1
                continue
            start = q
            while q < len(caps) and on[q]:
                q += 1
            life = float(years[q] - years[start]) if q < len(caps) else np.inf
            out.append((hi - lo, years[start], life))
    return out


def _frame(
    periods: list[Period], snaps: pd.MultiIndex, columns: list[str], per_period: list[np.ndarray]
) -> pd.DataFrame:
    """Snapshots × columns from one (steps × columns) array per period."""
    return pd.DataFrame(np.vstack(per_period), index=snaps, columns=columns)


def _check(periods: list[Period]) -> None:
    for p in periods:
        o = p.options
        if o.co2_cap_mt is not None or o.zone_co2_cap_mt or o.min_renewable_share is not None:
            raise NotTranslated("policy constraints (CO2 caps, minimum renewable share) are not translated")
        if p.ds.time.linked or p.ds.time.typical_period.any():
            raise NotTranslated("typical periods: only chronological time (full or downsample) is translated")
        if len(p.ds.time.hydrologies) > 1:
            raise NotTranslated("several hydrologies in one period")
    sc = periods[0].scenario
    if sc.pathway is not None and sc.pathway.max_build_mw_per_yr:
        raise NotTranslated("pathway.max_build_mw_per_yr (build limits)")


def build_network(periods: list[Period], name: str = "") -> tuple[pypsa.Network, Any]:
    """The pathway as one ``pypsa.Network`` with investment periods, and its ``extra_functionality``."""
    _check(periods)
    years = [p.year for p in periods]
    tuples = [(p.year, t) for p in periods for t in range(p.ds.time.n_steps)]
    snaps = pd.MultiIndex.from_tuples(tuples, names=["period", "timestep"])
    n = pypsa.Network(name=name)
    n.set_snapshots(snaps)
    n.investment_periods = years
    n.investment_period_weightings["objective"] = [p.weight for p in periods]
    n.investment_period_weightings["years"] = [float(p.n_years) for p in periods]
    weight = np.concatenate([p.ds.time.weight_h for p in periods])
    n.snapshot_weightings["objective"] = weight  # per column: `.loc[:, :] =` breaks PyPSA 1.4's MultiIndex
    n.snapshot_weightings["generators"] = weight
    n.snapshot_weightings["stores"] = np.concatenate([p.ds.time.duration_h for p in periods])
    meta: dict[str, Any] = {
        "years": years,
        "weights": [p.weight for p in periods],
        "steps": [p.ds.time.n_steps for p in periods],
        "in_service": [],
    }
    _add_zones(n, periods, snaps)
    _add_generators(n, periods, snaps, meta)
    reservoirs = _add_hydro(n, periods, snaps)
    _add_storage(n, periods, snaps, meta)
    meta["links"] = _add_links(n, periods, meta)
    meta["reservoirs"] = reservoirs
    carriers = set()
    for table in (n.generators, n.storage_units, n.links):
        carriers |= {c for c in table["carrier"].unique().tolist() if c}
    n.add("Carrier", sorted(carriers | {"AC"}))
    n.meta = {META: meta}
    return n, extra_functionality


def _add_zones(n: pypsa.Network, periods: list[Period], snaps: pd.MultiIndex) -> None:
    """Buses, per-period loads, and unserved energy at each period's VoLL, bounded by the demand."""
    zones = list(periods[0].ds.zones)
    n.add("Bus", zones)
    demand = _frame(periods, snaps, zones, [p.ds.demand_mw[zones].to_numpy(dtype=float) for p in periods])
    loads = [f"load-{z}" for z in zones]
    n.add("Load", loads, bus=zones, p_set=demand.set_axis(loads, axis=1))
    if not periods[0].options.allow_unserved:
        return
    peak = demand.max().clip(lower=1e-9)
    names = [f"unserved-{z}" for z in zones]
    voll = [
        np.tile(p.ds.tables["zones"].reindex(zones)["voll_usd_per_mwh"].to_numpy(float), (p.ds.time.n_steps, 1))
        for p in periods
    ]
    n.add(
        "Generator",
        names,
        bus=zones,
        carrier="unserved",
        p_nom=peak.to_numpy(),
        p_max_pu=(demand / peak).set_axis(names, axis=1),
        marginal_cost=_frame(periods, snaps, names, voll),
    )


def _vintages(
    params: list[pd.DataFrame], years: list[int], asset: str
) -> tuple[list[tuple[int, int, float, float]], list[tuple[int, float, float]]]:
    """The builds an asset offers: (period index, build year, lifetime, capital cost) for each period in which it is
    expandable; and the bounds of its new capacity in service per period: (period index, low, high)."""
    builds, bounds = [], []
    for q, par in enumerate(params):
        row = par.loc[asset]
        if bool(row["expandable"]):
            cost = float(row["capex_annual_usd_per_mw"] + row["fom_usd_per_mw_yr"])
            builds.append((q, years[q], float(row["lifetime_yr"]), cost))
    for q, par in enumerate(params):
        row = par.loc[asset]
        serving = [b for b in builds if b[1] <= years[q] < b[1] + b[2]]
        if bool(row["expandable"]):
            p0, pmax = float(row["p_nom_mw"]), float(row["p_nom_max_mw"])
            pmin = float(row["p_nom_min_mw"]) if "p_nom_min_mw" in row.index and pd.notna(row["p_nom_min_mw"]) else p0
            bounds.append((q, min(pmin, pmax) - p0, pmax - p0))
        elif serving:
            bounds.append((q, 0.0, 0.0))
    return builds, bounds


def aligned(params: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Each period's parameter table over the assets of every period (in order of first appearance). A period's
    dataset leaves out an asset that can have no capacity in it (``scenario._drop_empty_assets``: e.g. a committed
    second circuit before its year in the 'existing' links case); there it gets no capacity and no room to expand,
    and its other parameters from the first period that has it."""
    union = pd.Index(list(dict.fromkeys(k for par in params for k in par.index)))
    template = pd.concat(params).groupby(level=0, sort=False).first().reindex(union)
    out = []
    for par in params:
        absent = ~union.isin(par.index)
        full = par.reindex(union)
        full.loc[absent] = template.loc[absent]
        for col in ("p_nom_mw", "p_nom_max_mw", "p_nom_min_mw"):
            if col in full.columns:
                full.loc[absent, col] = 0.0
        if "expandable" in full.columns:
            full["expandable"] = full["expandable"].where(~absent, False).astype(bool)
        out.append(full)
    return out


def _asset_components(
    params: list[pd.DataFrame], years: list[int], asset: str, meta: dict, kind: str
) -> tuple[list[dict], list[dict]]:
    """Existing pieces and build-year components of one asset (names and capacity attributes); records the
    in-service bounds of its builds in ``meta``."""
    caps = [float(par.at[asset, "p_nom_mw"]) for par in params]
    existing = [
        {"name": f"{asset}#{i}", "p_nom": mw, "build_year": by, "lifetime": life, "p_nom_extendable": False}
        for i, (mw, by, life) in enumerate(pieces(caps, years))
    ]
    builds, bounds = _vintages(params, years, asset)
    new = [
        {
            "name": f"{asset}@{by}",
            "p_nom": 0.0,
            "p_nom_extendable": True,
            "build_year": by,
            "lifetime": life,
            "capital_cost": cost,
        }
        for _q, by, life, cost in builds
    ]
    if new:
        meta["in_service"].append(
            {"kind": kind, "builds": [(c["name"], c["build_year"], c["lifetime"]) for c in new], "bounds": bounds}
        )
    return existing, new


class Batch:
    """Components of one class gathered for a single ``n.add`` (one call per asset is slow): static attributes,
    and time-varying ones as one array per period per component."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.static: dict[str, list] = {}
        self.varying: dict[str, list[np.ndarray]] = {}

    def extend(self, names: list[str], static: dict[str, Any], varying: dict[str, list[np.ndarray]]) -> None:
        """Add components; ``static[attr]`` a value for all or a list (one per name); ``varying[attr]`` one 1-D
        array per period, shared by all these components."""
        start = len(self.names)
        self.names += names
        for attr, value in static.items():
            values = value if isinstance(value, list) else [value] * len(names)
            self.static.setdefault(attr, [None] * start).extend(values)
        for attr, per_period in varying.items():
            self.varying.setdefault(attr, []).extend([np.concatenate(per_period)] * len(names))

    def add(self, n: pypsa.Network, component: str, snaps: pd.MultiIndex) -> None:
        if not self.names:
            return
        ts = {a: pd.DataFrame(np.column_stack(v), index=snaps, columns=self.names) for a, v in self.varying.items()}
        n.add(component, self.names, **self.static, **ts)


def _add_generators(n: pypsa.Network, periods: list[Period], snaps: pd.MultiIndex, meta: dict) -> None:
    params = aligned([generator_params(p.ds, p.options) for p in periods])
    years = [p.year for p in periods]
    avail = [availability_matrix(p.ds, par) for p, par in zip(periods, params, strict=True)]
    batch = Batch()
    for i, g in enumerate(params[0].index):
        existing, new = _asset_components(params, years, g, meta, "Generator")
        comps = existing + new
        names = [c.pop("name") for c in comps]
        a = [av[i] for av in avail]
        cost = [float(par.at[g, "marginal_cost_usd_per_mwh"] + par.at[g, "tie_break_usd_per_mwh"]) for par in params]
        batch.extend(
            names,
            {"bus": params[0].at[g, "zone"], "carrier": params[0].at[g, "technology"], **_columns(comps)},
            {
                "p_max_pu": a,
                "p_min_pu": [x * float(par.at[g, "min_output_pu"]) for x, par in zip(a, params, strict=True)],
                "marginal_cost": [np.full(len(x), c) for x, c in zip(a, cost, strict=True)],
            },
        )
    batch.add(n, "Generator", snaps)


def _columns(comps: list[dict]) -> dict[str, list]:
    keys = ("p_nom", "p_nom_extendable", "build_year", "lifetime", "capital_cost")
    return {k: [c.get(k, 0.0) for c in comps] for k in keys}


def _add_storage(n: pypsa.Network, periods: list[Period], snaps: pd.MultiIndex, meta: dict) -> None:
    params = aligned([storage_params(p.ds, p.options) for p in periods])
    years = [p.year for p in periods]
    batch = Batch()
    for s in params[0].index:
        for col in ("max_hours", "eta_charge", "eta_discharge", "standing_loss_pu_per_h"):
            if len({float(par.at[s, col]) for par in params}) > 1:
                raise NotTranslated(f"storage {s}: {col} changes between periods")
        existing, new = _asset_components(params, years, s, meta, "StorageUnit")
        comps = existing + new
        names = [c.pop("name") for c in comps]
        p0 = params[0].loc[s]
        static = {
            "bus": p0["zone"],
            "carrier": p0["technology"],
            **_columns(comps),
            "max_hours": float(p0["max_hours"]),
            "efficiency_store": float(p0["eta_charge"]),
            "efficiency_dispatch": float(p0["eta_discharge"]),
            "standing_loss": float(p0["standing_loss_pu_per_h"]),
            "p_min_pu": -1.0,
            "inflow": 0.0,
        }
        vom = [
            np.full(p.ds.time.n_steps, float(par.at[s, "vom_usd_per_mwh"]))
            for p, par in zip(periods, params, strict=True)
        ]
        batch.extend(names, static, {"marginal_cost": vom})
    batch.add(n, "StorageUnit", snaps)


def _add_hydro(n: pypsa.Network, periods: list[Period], snaps: pd.MultiIndex) -> dict[str, dict]:
    """Run-of-river as Generators, reservoirs as StorageUnits with inflow, each split into pieces by its capacity
    per period (committed plants add turbines, with inflow and reservoir scaled alike: every piece gets its share of
    the period's inflow and the same hours of storage). Returns the reservoirs' energy and minimum release."""
    params = aligned([hydro_params(p.ds, p.options) for p in periods])
    years = [p.year for p in periods]
    reservoirs: dict[str, dict] = {}
    ror, res = Batch(), Batch()
    for h in params[0].index:
        caps = [float(par.at[h, "p_nom_mw"]) for par in params]
        inflow = [
            p.ds.inflow_mw[par.at[h, "inflow"]].to_numpy(dtype=float) for p, par in zip(periods, params, strict=True)
        ]
        rmin = [float(par.at[h, "min_release_pu"]) for par in params]
        cost = [
            np.full(len(f), float(par.at[h, "vom_usd_per_mwh"] + par.at[h, "tie_break_usd_per_mwh"]))
            for f, par in zip(inflow, params, strict=True)
        ]
        bands = pieces(caps, years)
        names = [f"{h}#{i}" for i in range(len(bands))]
        static = {
            "bus": params[0].at[h, "zone"],
            "carrier": params[0].at[h, "technology"],
            "p_nom": [b[0] for b in bands],
            "build_year": [b[1] for b in bands],
            "lifetime": [b[2] for b in bands],
        }
        if float(params[0].at[h, "energy_mwh"]) <= 0:
            upper = [np.minimum(c, f) / c if c > 0 else 0 * f for c, f in zip(caps, inflow, strict=True)]
            lower = [np.where(r > 0, np.minimum(r, u), 0.0) for r, u in zip(rmin, upper, strict=True)]
            ror.extend(names, static, {"marginal_cost": cost, "p_max_pu": upper, "p_min_pu": lower})
            continue
        hours = {float(par.at[h, "energy_mwh"]) / c for par, c in zip(params, caps, strict=True) if c > 0}
        if len(hours) > 1 or len(set(rmin)) > 1:
            raise NotTranslated(f"reservoir {h}: hours of storage or minimum release change between periods")
        max_hours = hours.pop()
        static.update(
            max_hours=max_hours, p_min_pu=0.0, efficiency_store=1.0, efficiency_dispatch=1.0, standing_loss=0.0
        )
        for name, b in zip(names, bands, strict=True):
            share = [
                f * (b[0] / c if b[1] <= y < b[1] + b[2] else 0.0) for f, c, y in zip(inflow, caps, years, strict=True)
            ]
            res.extend(
                [name],
                {k: (v[names.index(name)] if isinstance(v, list) else v) for k, v in static.items()},
                {"marginal_cost": cost, "inflow": share},
            )
            reservoirs[name] = {"energy_mwh": b[0] * max_hours, "min_release_pu": rmin[0]}
    ror.add(n, "Generator", snaps)
    res.add(n, "StorageUnit", snaps)
    return reservoirs


def _add_links(n: pypsa.Network, periods: list[Period], meta: dict) -> list[list[str]]:
    """Two directed Links per interconnector and component; returns the (fwd, bwd) build pairs to tie."""
    params = aligned([link_params(p.ds, p.options) for p in periods])
    years = [p.year for p in periods]
    pairs: list[list[str]] = []
    for lk in params[0].index:
        if len({float(par.at[lk, "loss_pu"]) for par in params}) > 1:
            raise NotTranslated(f"link {lk}: losses change between periods")
        existing, new = _asset_components(params, years, f"{lk}", meta, "Link")
        p0 = params[0].loc[lk]
        for suffix, forward in (("fwd", True), ("bwd", False)):
            comps = [dict(c) for c in existing + new]
            if not comps:
                continue
            names = [c.pop("name").replace(lk, f"{lk}-{suffix}", 1) for c in comps]
            cols = _columns(comps)
            if not forward:
                cols["capital_cost"] = [0.0] * len(comps)
            n.add(
                "Link",
                names,
                bus0=p0["zone_from"] if forward else p0["zone_to"],
                bus1=p0["zone_to"] if forward else p0["zone_from"],
                carrier=str(p0["kind"]),
                **cols,
                efficiency=1.0 - float(p0["loss_pu"]),
                p_min_pu=0.0,
                p_max_pu=1.0,
            )
            limit, hurdle = _link_series(periods, lk, "fwd" if forward else "rev")
            n.links_t.p_max_pu = n.links_t.p_max_pu.assign(**{name: limit for name in names}).set_axis(n.snapshots)
            if hurdle.any():
                cost = n.links_t.marginal_cost.assign(**{name: hurdle for name in names})
                n.links_t.marginal_cost = cost.set_axis(n.snapshots)
        pairs += [[f"{lk}-fwd@{c['build_year']}", f"{lk}-bwd@{c['build_year']}"] for c in new]
    for rec in meta["in_service"]:
        if rec["kind"] == "Link":
            rec["builds"] = [(b[0].replace("@", "-fwd@", 1), b[1], b[2]) for b in rec["builds"]]
    return pairs


def _link_series(periods: list[Period], lk: str, direction: str) -> tuple[np.ndarray, np.ndarray]:
    """The operable transfer limit (per unit of capacity) and hurdle cost of one link direction at every snapshot,
    from each period's own parameters (``grid_model.model.links``); 1 and 0 where the link is not in a period."""
    limits, hurdles = [], []
    for p in periods:
        par = link_params(p.ds, p.options)
        steps = p.ds.time.n_steps
        if lk in par.index:
            limits.append(transfer_limit_pu(p.ds, par, direction)[list(par.index).index(lk)])
            hurdles.append(np.full(steps, float(par.at[lk, "hurdle_usd_per_mwh"])))
        else:
            limits.append(np.ones(steps))
            hurdles.append(np.zeros(steps))
    return np.concatenate(limits), np.concatenate(hurdles)


# ---------------------------------------------------------------------------------------------
# What PyPSA has no component for


def extra_functionality(n: pypsa.Network, _snapshots: Any) -> None:
    """New capacity in service per asset and period within grid_model's bounds; equal builds of an
    interconnector's two directions; storage balances cyclic within each investment period (the one-year
    exporter's balance, one chain per period) and the reservoirs' bounds."""
    import linopy
    import xarray as xr

    meta = n.meta[META]
    m = n.model
    years = meta["years"]
    for kind in ("Generator", "StorageUnit", "Link"):
        recs = [r for r in meta["in_service"] if r["kind"] == kind]
        if not recs:
            continue
        labels = m[f"{kind}-p_nom"].labels
        dim = next(iter(labels.dims))
        rows, lo, hi = [], [], []
        for r in recs:
            for q, low, high in r["bounds"]:
                serving = [b[0] for b in r["builds"] if b[1] <= years[q] < b[1] + b[2]]
                rows.append([int(labels.sel({dim: s})) for s in serving])
                lo.append(low)
                hi.append(high)
        width = max(len(r) for r in rows)
        vars_ = np.full((len(rows), width), -1, dtype=int)
        for i, r in enumerate(rows):
            vars_[i, : len(r)] = r
        coeffs = np.where(vars_ >= 0, 1.0, 0.0)
        ds = xr.Dataset({"coeffs": (("pw_row", "_term"), coeffs), "vars": (("pw_row", "_term"), vars_)})
        expr = linopy.LinearExpression(ds, m)
        m.add_constraints(expr >= xr.DataArray(lo, dims="pw_row"), name=f"{kind}-pathway_in_service_lower")
        m.add_constraints(expr <= xr.DataArray(hi, dims="pw_row"), name=f"{kind}-pathway_in_service_upper")
    p_nom = m["Link-p_nom"] if meta["links"] else None
    for fwd, bwd in meta["links"]:
        m.add_constraints(p_nom.sel({p_nom.dims[0]: fwd}) - p_nom.sel({p_nom.dims[0]: bwd}) == 0, name=f"tie-{fwd}")
    if n.storage_units.empty:
        return
    steps = pd.DataFrame(
        {
            "weight_h": n.snapshot_weightings["objective"].to_numpy(dtype=float),
            "duration_h": n.snapshot_weightings["stores"].to_numpy(dtype=float),
            "period": np.repeat(np.arange(len(years)), meta["steps"]),  # one cyclic chain per investment period
        }
    )
    time = TimeIndex.from_timesteps(steps)
    _storage_balance(n, time, [])
    if meta["reservoirs"]:
        _reservoir_bounds(n, meta["reservoirs"], False)


def solve(n: pypsa.Network, extra: Any, **kwargs: Any) -> tuple[str, str]:
    """``n.optimize`` over all investment periods at once."""
    return n.optimize(multi_investment_periods=True, solver_name="highs", extra_functionality=extra, **kwargs)
