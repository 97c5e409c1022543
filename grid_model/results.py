"""Results: tidy tables and ``summary.json`` (DESIGN §5), rebuilt from the solution, written atomically.

Prices are the duals of ``zone_energy_balance`` divided by the step weight (USD/MWh). Congestion rent of a
link is its merchandising surplus: Σ_t [f⁺·((1−λ)·π_to − π_from) + f⁻·((1−λ)·π_from − π_to)]·w_t.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.model.core import Context
from grid_model.schema import COST_CATEGORIES, NON_ECONOMIC_CATEGORIES
from grid_model.solve import Solution

log = logging.getLogger(__name__)

TABLE_NAMES = ("generation", "capacity", "links", "prices", "emissions", "subsidies", "costs", "zones", "units")
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


def _matrix(sol: Solution, m: pyo.ConcreteModel, name: str, rows: list, T: range) -> np.ndarray:
    """Values of the Var ``name``[r, t] as an array (rows × timesteps).

    Read as one block of columns when the Var is exactly ``rows`` × timesteps; otherwise element by element
    from the Pyomo model (which a lean solve has released, so blocks are the rule).
    """
    if not rows:
        return np.zeros((0, len(T)))
    block = sol.block(name, rows)
    if block is not None and block.shape == (len(rows), len(T)):
        return block
    var = getattr(m, name)
    out = np.zeros((len(rows), len(T)))
    for i, r in enumerate(rows):
        out[i] = [sol.value(var[r, t]) for t in T]
    return out


def _vector(sol: Solution, m: pyo.ConcreteModel, name: str, keys: list) -> dict:
    """{k: Var ``name``[k]} for a one-dimensional Var over ``keys`` (empty when there are none)."""
    if not keys:
        return {}
    block = sol.block(name, keys)
    if block is None:
        var = getattr(m, name)
        block = np.array([sol.value(var[k]) for k in keys], dtype=float)
    return dict(zip(keys, (float(v) for v in block), strict=True))


def load_solution(m: pyo.ConcreteModel, sol: Solution, columns: list) -> None:
    """Copy primal values into the Pyomo variables so expressions (costs, emissions) can be evaluated."""
    for v, x in zip(columns, sol.col_values, strict=True):
        v.set_value(float(x), skip_validation=True)
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if v.value is None:
            v.set_value(0.0, skip_validation=True)


def extract_results(m: pyo.ConcreteModel, ctx: Context, sol: Solution, scenario: str = "scenario") -> Results:
    """Build every table and the summary from the solved model."""
    ds = ctx.ds
    T = ctx.T
    w = ctx.weight_h
    zones = ds.zones
    gp, sp, hp, lp = m._gen_params, m._sto_params, m._hydro_params, m._link_params

    gen = _matrix(sol, m, "gen_dispatch_mw", list(gp.index), T)
    hyd = _matrix(sol, m, "hydro_release_mw", list(hp.index), T)
    duals = sol.dual_block("zone_energy_balance", list(zones))
    if duals is None or duals.shape != (len(zones), len(T)):
        duals = np.array([[sol.dual(m.zone_energy_balance[z, t]) for t in T] for z in zones])
    price = duals / w
    demand = ds.demand_mw[zones].to_numpy(dtype=float).T
    unserved = _matrix(sol, m, "zone_unserved_mw", list(zones), T)

    # --- generation and capacity by zone × technology
    rows = []
    for frame, params in ((gen, gp), (hyd, hp)):
        for i, u in enumerate(params.index):
            rows.append(
                {
                    "zone": params.at[u, "zone"],
                    "technology": params.at[u, "technology"],
                    "category": params.at[u, "category"],
                    "generation_twh": float(frame[i] @ w) / 1e6,
                    "renewable": bool(params.at[u, "renewable"]),
                    "non_conventional": bool(params.at[u, "non_conventional"]),
                }
            )
    g_units = pd.DataFrame(
        rows, columns=["zone", "technology", "category", "generation_twh", "renewable", "non_conventional"]
    )
    # renewable-ness travels with the technology (technologies.csv), so every reader of generation.csv counts
    # renewables the way the model did
    generation = g_units.groupby(["zone", "technology", "category", "renewable", "non_conventional"], as_index=False)[
        "generation_twh"
    ].sum()

    def capacity_rows(params: pd.DataFrame, new: dict) -> list[tuple]:
        """(zone, technology, category, existing MW, new MW, investment USD) per unit."""
        return [
            (
                params.at[u, "zone"],
                params.at[u, "technology"],
                params.at[u, "category"],
                params.at[u, "p_nom_mw"],
                new.get(u, 0.0),
                new.get(u, 0.0) * params.at[u, "capex_usd_per_kw"] * 1000.0 if u in new else 0.0,
            )
            for u in params.index
        ]

    gen_new = _vector(sol, m, "gen_new_cap_mw", list(m.GEN_EXPANDABLE)) if len(gp) else {}
    sto_new = _vector(sol, m, "sto_new_cap_mw", list(m.STO_EXPANDABLE)) if len(sp) else {}
    cap_rows = capacity_rows(gp, gen_new) + capacity_rows(hp, {}) + capacity_rows(sp, sto_new)
    capacity = pd.DataFrame(
        cap_rows, columns=["zone", "technology", "category", "existing_mw", "new_mw", "investment_usd"]
    )
    capacity = capacity.groupby(["zone", "technology", "category"], as_index=False).sum()

    # --- links
    link_rows = []
    flows, flows_fwd, flows_bwd = {}, {}, {}
    zi = {z: i for i, z in enumerate(zones)}
    fwd_all = _matrix(sol, m, "link_flow_fwd_mw", list(lp.index), T)
    bwd_all = _matrix(sol, m, "link_flow_bwd_mw", list(lp.index), T)
    link_new = _vector(sol, m, "link_new_cap_mw", list(m.LINK_EXPANDABLE)) if len(lp) else {}
    for j, lk in enumerate(lp.index):
        fwd, bwd = fwd_all[j], bwd_all[j]
        flows[lk], flows_fwd[lk], flows_bwd[lk] = fwd - bwd, fwd, bwd
        a, b = lp.at[lk, "zone_from"], lp.at[lk, "zone_to"]
        keep = 1.0 - lp.at[lk, "loss_pu"]
        new = link_new.get(lk, 0.0)
        cap = lp.at[lk, "p_nom_mw"] + new
        pa, pb = price[zi[a]], price[zi[b]]
        rent = float(np.sum(w * (fwd * (keep * pb - pa) + bwd * (keep * pa - pb))))
        link_rows.append(
            {
                "link": lk,
                "zone_from": a,
                "zone_to": b,
                "existing_mw": lp.at[lk, "p_nom_mw"],
                "new_mw": new,
                "flow_forward_twh": float(fwd @ w) / 1e6,
                "flow_backward_twh": float(bwd @ w) / 1e6,
                "utilisation": float((fwd + bwd) @ w / (cap * w.sum())) if cap > 0 else 0.0,
                "congestion_rent_usd": rent,
                "loss_pu": lp.at[lk, "loss_pu"],
                "investment_usd": new * lp.at[lk, "capex_usd_per_mw"],
            }
        )
    links = pd.DataFrame(
        link_rows,
        columns=[
            "link",
            "zone_from",
            "zone_to",
            "existing_mw",
            "new_mw",
            "flow_forward_twh",
            "flow_backward_twh",
            "utilisation",
            "congestion_rent_usd",
            "loss_pu",
            "investment_usd",
        ],
    )

    # --- prices, emissions, subsidies
    wd = demand * w
    prices = pd.DataFrame(
        {
            "zone": zones,
            "price_avg_usd_per_mwh": [
                float((price[i] * wd[i]).sum() / wd[i].sum()) if wd[i].sum() > 0 else float(price[i] @ w / w.sum())
                for i in range(len(zones))
            ],
            "price_time_avg_usd_per_mwh": [float(price[i] @ w / w.sum()) for i in range(len(zones))],
            "demand_twh": [float(wd[i].sum()) / 1e6 for i in range(len(zones))],
            "unserved_twh": [float(unserved[i] @ w) / 1e6 for i in range(len(zones))],
        }
    )
    gen_energy = gen @ w if len(gp) else np.zeros(0)
    em = pd.Series(0.0, index=zones)
    fuel_fiscal: dict[tuple[str, str], float] = {}
    for i, u in enumerate(gp.index):
        z = gp.at[u, "zone"]
        em[z] += gen_energy[i] * gp.at[u, "co2_t_per_mwh"] / 1e6
        s = gen_energy[i] * gp.at[u, "subsidy_usd_per_mwh"]
        if s > 0:
            key = (z, gp.at[u, "fuel"])
            fuel_fiscal[key] = fuel_fiscal.get(key, 0.0) + float(s)
    emissions = pd.DataFrame({"zone": zones, "co2_mt": em.to_numpy()})
    sub_rows = [{"zone": z, "kind": "fuel", "fuel": f, "fiscal_cost_usd": v} for (z, f), v in fuel_fiscal.items()]
    elec = ds.meta.get("electricity_subsidy_usd_per_mwh", {})
    for z, per_mwh in elec.items():  # type: ignore[union-attr]
        served = float(wd[zi[z]].sum() - unserved[zi[z]] @ w)
        sub_rows.append({"zone": z, "kind": "electricity", "fuel": "", "fiscal_cost_usd": per_mwh * served})
    subsidies = pd.DataFrame(sub_rows, columns=["zone", "kind", "fuel", "fiscal_cost_usd"])

    # --- costs: each category's objective row times the solution (grid_model.solve.standard_form)
    breakdown = {
        c: float(sol.cost_usd.get(c, 0.0)) if sol.cost_usd else float(pyo.value(m.cost_usd[c])) for c in COST_CATEGORIES
    }
    costs = pd.DataFrame({"category": list(breakdown), "cost_usd": list(breakdown.values())})
    objective = sol.objective_usd
    # economic cost at unsubsidised prices: the objective without the subsidy and without the tie-break costs
    system_cost = objective - breakdown["fuel_subsidy"] - sum(breakdown[c] for c in NON_ECONOMIC_CATEGORIES)

    total_gen = float(g_units["generation_twh"].sum()) if len(g_units) else 0.0
    ren = float(g_units.loc[g_units["renewable"], "generation_twh"].sum()) if len(g_units) else 0.0
    ncre = float(g_units.loc[g_units["non_conventional"], "generation_twh"].sum()) if len(g_units) else 0.0
    demand_twh = float(wd.sum()) / 1e6
    summary = {
        "scenario": scenario,
        "status": sol.status,
        "objective_usd": objective,
        "system_cost_usd": system_cost,
        "cost_breakdown_usd": breakdown,
        "subsidy_cost_usd": float(subsidies["fiscal_cost_usd"].sum()) if len(subsidies) else 0.0,
        "fuel_subsidy_cost_usd": float(sum(fuel_fiscal.values())),
        "electricity_subsidy_cost_usd": float(
            subsidies.loc[subsidies["kind"] == "electricity", "fiscal_cost_usd"].sum()
        )
        if len(subsidies)
        else 0.0,
        "renewable_share": ren / total_gen if total_gen > 0 else 0.0,
        "non_conventional_renewable_share": ncre / total_gen if total_gen > 0 else 0.0,
        "co2_mt": float(em.sum()),
        "demand_twh": demand_twh,
        "generation_twh": total_gen,
        "unserved_twh": float((unserved * w).sum()) / 1e6,
        "investment_usd": float(
            capacity["investment_usd"].sum() + (links["investment_usd"].sum() if len(links) else 0.0)
        ),
        "price_avg_usd_per_mwh": float((price * wd).sum() / wd.sum()) if wd.sum() > 0 else 0.0,
        "timings_s": dict(sol.timings_s),
        "solver": dict(sol.solver_info),
        "n_timesteps": len(T),
    }
    summary.update({k: v for k, v in ds.meta.items() if k.startswith("scenario_")})
    effect = ds.meta.get("electricity_subsidy_removal_demand_change_pu")
    if effect:  # demand response to the tariff rise when electricity subsidies are removed, per zone
        summary["electricity_subsidy_removal_demand_change_pu"] = {z: float(v) for z, v in effect.items()}

    idx = pd.Index(list(T), name="timestep")
    disp_cols = {u: gen[i] for i, u in enumerate(gp.index)}
    disp_cols.update({u: hyd[i] for i, u in enumerate(hp.index)})
    sto_units = list(sp.index)
    charge_all = _matrix(sol, m, "sto_charge_mw", sto_units, T)
    discharge_all = _matrix(sol, m, "sto_discharge_mw", sto_units, T)
    level_all = _matrix(sol, m, "sto_level_mwh", sto_units, T)
    charge = {u: charge_all[i] for i, u in enumerate(sto_units)}
    discharge = {u: discharge_all[i] for i, u in enumerate(sto_units)}
    for u in sp.index:
        disp_cols[u] = discharge[u] - charge[u]
    reservoirs = list(getattr(m, "HYDRO_RESERVOIR", []))
    res_level = _matrix(sol, m, "hydro_level_mwh", reservoirs, T)
    res_spill = _matrix(sol, m, "hydro_spill_mw", reservoirs, T)
    for i, z in enumerate(zones):
        disp_cols[f"unserved:{z}"] = unserved[i]
    hourly = {
        "dispatch_mw": pd.DataFrame(disp_cols, index=idx),
        "storage_level_mwh": pd.DataFrame(
            {
                **{u: level_all[i] for i, u in enumerate(sto_units)},
                **{u: res_level[i] for i, u in enumerate(reservoirs)},
            },
            index=idx,
        ),
        "link_flow_mw": pd.DataFrame(flows, index=idx),
        "link_flow_forward_mw": pd.DataFrame(flows_fwd, index=idx),
        "link_flow_backward_mw": pd.DataFrame(flows_bwd, index=idx),
        "storage_charge_mw": pd.DataFrame(charge, index=idx),
        "storage_discharge_mw": pd.DataFrame(discharge, index=idx),
        "hydro_spill_mw": pd.DataFrame({u: res_spill[i] for i, u in enumerate(reservoirs)}, index=idx),
        "hydro_inflow_mw": pd.DataFrame(
            {u: ds.inflow_mw[hp.at[u, "inflow"]].to_numpy(dtype=float) for u in hp.index}, index=idx
        ),
        "price_usd_per_mwh": pd.DataFrame({z: price[i] for i, z in enumerate(zones)}, index=idx),
        "demand_mw": pd.DataFrame({z: demand[i] for i, z in enumerate(zones)}, index=idx),
    }
    for frame in hourly.values():
        frame.insert(0, "weight_h", w)
        frame.insert(1, "duration_h", ctx.duration_h)
    units = pd.DataFrame(
        [
            (u, kind, p.at[u, "zone"], p.at[u, "technology"], p.at[u, "category"])
            for kind, p in (("generator", gp), ("hydro", hp), ("storage", sp))
            for u in p.index
        ],
        columns=["unit", "kind", "zone", "technology", "category"],
    )
    zone_info = ds.tables["zones"][["zone", "name", "bloc", "lat", "lon"]].reset_index(drop=True)
    tables = {
        "generation": generation,
        "capacity": capacity,
        "links": links,
        "prices": prices,
        "emissions": emissions,
        "subsidies": subsidies,
        "costs": costs,
        "zones": zone_info,
        "units": units,
    }
    return Results(summary, tables, hourly)


def write_results(res: Results, out_dir: str | Path, extra: dict[str, bytes | str] | None = None) -> Path:
    """Write all tables, hourly series and summary.json to a temporary folder, then rename it into place.

    The folder appears whole or not at all; an existing folder is replaced only after the new one is complete.
    """
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = make_temp_dir(out)
    try:
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
        _replace_dir(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def make_temp_dir(out: Path) -> Path:
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


def read_results(folder: str | Path) -> Results:
    """Read a results folder back (tables, summary, hourly) — what figures and notebooks use."""
    folder = Path(folder)
    summary = json.loads((folder / "summary.json").read_text())
    tables = {
        n: pd.read_csv(folder / f"{n}.csv", keep_default_na=False, na_values=[""])
        for n in TABLE_NAMES
        if (folder / f"{n}.csv").exists()
    }
    hourly = {p.stem: pd.read_parquet(p) for p in sorted((folder / "hourly").glob("*.parquet"))}
    return Results(summary, tables, hourly)
