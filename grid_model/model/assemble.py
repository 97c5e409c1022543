"""Assemble the results of a solved model from what each feature reports (README, Outputs).

Every feature reports its own rows (``report(ctx, readout)``, ``grid_model.model.features``); this module only
concatenates them, adds what belongs to the zone balance (prices, demand) and to the scenario (the
electricity-subsidy fiscal cost), and sums the summary from the assembled tables. Prices are the duals of
``zone_energy_balance`` divided by the step weight (USD/MWh).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.model.context import Context, FeatureReport, Readout
from grid_model.model.core import zone_prices
from grid_model.model.features import FEATURES
from grid_model.model.risk import cvar
from grid_model.results import HOURLY_NAMES, PLAN_FIGURES, Results
from grid_model.schema import COST_CATEGORIES, INVESTMENT_CATEGORIES, NON_ECONOMIC_CATEGORIES
from grid_model.solve import Solution
from grid_model.units import MWH_PER_TWH, T_PER_MT

_OPTIONAL_TABLES = ("links_by_hydrology",)  # written only by runs that have them
GENERATION_KEYS = ["zone", "technology", "category", "renewable", "non_conventional"]
CAPACITY_KEYS = ["zone", "technology", "category"]
# consumer_transfer_usd: what a cross-subsidy moves from paying to subsidised consumers (0 for fiscal rows, whose
# transfer is the fiscal cost)
SUBSIDY_COLUMNS = ["zone", "kind", "fuel", "fiscal_cost_usd", "consumer_transfer_usd"]


def load_solution(m: pyo.ConcreteModel, sol: Solution, columns: list) -> None:
    """Copy primal values into the Pyomo variables so expressions (costs, emissions) can be evaluated."""
    for v, x in zip(columns, sol.col_values, strict=True):
        v.set_value(float(x), skip_validation=True)
    for v in m.component_data_objects(pyo.Var, descend_into=True):
        if v.value is None:
            v.set_value(0.0, skip_validation=True)


def readout(ctx: Context, sol: Solution) -> Readout:
    """The solution as features read it, with the zone prices from the balance duals."""
    zones = list(ctx.ds.zones)
    duals = sol.dual_block("zone_energy_balance", zones)
    if duals is None or duals.shape != (len(zones), ctx.time.n_steps):
        balance = ctx.m.zone_energy_balance
        duals = np.array([[sol.dual(balance[z, t]) for t in ctx.T] for z in zones])
    return Readout(sol, ctx.m, ctx.time.n_steps, zones, zone_prices(ctx, duals))


def _concat(reports: list[FeatureReport], name: str, columns: list[str]) -> pd.DataFrame:
    """One table from every feature's rows of it (an empty table with ``columns`` when none has any)."""
    parts = [r.tables[name] for r in reports if name in r.tables]
    rows = [p for p in parts if len(p)]
    if rows:
        return pd.concat(rows, ignore_index=True)
    return parts[0] if parts else pd.DataFrame(columns=columns)


def extract_results(ctx: Context, sol: Solution, scenario: str = "scenario") -> Results:
    """Assemble every table and the summary from the features' reports."""
    view = readout(ctx, sol)
    reports = [feature.report(ctx, view) for feature in FEATURES]
    tables = _tables(ctx, view, reports)
    summary = _summary(ctx, sol, view, tables, reports, scenario)
    if "plan" in summary:
        tables["plan_check"] = plan_check(summary)
    if len(ctx.time.hydrologies) > 1:
        tables["hydrology"] = hydrology_table(ctx, sol, view, reports)
        summary["hydrology"] = _hydrology_summary(tables["hydrology"], ctx.options.cvar_alpha)
    return Results(summary, tables, _hourly(ctx, view, reports))


def _tables(ctx: Context, view: Readout, reports: list[FeatureReport]) -> dict[str, pd.DataFrame]:
    """The output tables (README, Outputs) from the features' rows."""
    zones = list(ctx.ds.zones)
    units = _concat(reports, "generation_units", [*GENERATION_KEYS, "generation_twh"])
    generation = units.groupby(GENERATION_KEYS, as_index=False)["generation_twh"].sum()
    capacity = _concat(reports, "capacity", [*CAPACITY_KEYS, "existing_mw", "new_mw", "investment_usd"])
    capacity = capacity.groupby(CAPACITY_KEYS, as_index=False).sum()
    emissions = _concat(reports, "emissions", ["zone", "co2_mt"]).groupby("zone")["co2_mt"].sum()
    prices = _prices(ctx, view, _concat(reports, "zone_energy", ["zone", "unserved_twh"]))
    subsidies = pd.concat(
        [_concat(reports, "subsidies", SUBSIDY_COLUMNS), _electricity_subsidies(ctx, prices)], ignore_index=True
    )
    return {
        "generation": generation,
        "capacity": capacity,
        "links": _concat(reports, "links", []),
        "prices": prices,
        "emissions": pd.DataFrame({"zone": zones, "co2_mt": emissions.reindex(zones, fill_value=0.0).to_numpy()}),
        "subsidies": subsidies.reindex(columns=SUBSIDY_COLUMNS).fillna({"consumer_transfer_usd": 0.0})
        if len(subsidies)
        else pd.DataFrame(columns=SUBSIDY_COLUMNS),
        "costs": pd.DataFrame(
            {"category": list(COST_CATEGORIES), "cost_usd": [_cost(view, c) for c in COST_CATEGORIES]}
        ),
        "zones": ctx.ds.tables["zones"][["zone", "name", "bloc", "lat", "lon", "gdp_bn_usd"]].reset_index(drop=True),
        "units": _concat(reports, "units", ["unit", "kind", "zone", "technology", "category", "existing_mw", "new_mw"]),
        **{name: _concat(reports, name, []) for name in _OPTIONAL_TABLES if any(name in r.tables for r in reports)},
    }


def _step_totals(ctx: Context, reports: list[FeatureReport]) -> dict[str, np.ndarray]:
    """Every feature's per-step totals, summed by name."""
    out: dict[str, np.ndarray] = {}
    for r in reports:
        for name, values in r.step_totals.items():
            out[name] = out.get(name, np.zeros(ctx.time.n_steps)) + values
    return out


def hydrology_table(ctx: Context, sol: Solution, view: Readout, reports: list[FeatureReport]) -> pd.DataFrame:
    """hydrology.csv: each hydrology's own annual figures — its operating cost (as dispatched and economic: at
    unsubsidised prices, without the tie-break), unserved energy, CO2, renewable share and demand-weighted price.

    A hydrology's cost is the cost of the columns of its timesteps (``Solution.cost_by_step``) divided by its
    probability; Σ_ω π_ω·operating cost_ω + the investment categories = the objective."""
    time = ctx.time
    by_step = sol.cost_by_step(time.n_steps)
    names = list(sol.cost_names)
    operating = [i for i, c in enumerate(names) if c not in INVESTMENT_CATEGORIES]
    economic = [i for i in operating if names[i] not in ("fuel_subsidy", *NON_ECONOMIC_CATEGORIES)]
    totals = _step_totals(ctx, reports)
    zero = np.zeros(time.n_steps)
    demand = ctx.ds.demand_mw[list(ctx.ds.zones)].to_numpy(dtype=float).T
    rows = []
    for h, (name, p) in enumerate(zip(time.hydrologies, time.probabilities, strict=True)):
        mask = time.hydrology_of_step == h
        w = time.weight_h * mask
        gen = float(totals.get("generation_mw", zero) @ w)
        wd = demand * w
        rows.append(
            {
                "hydrology": name,
                "probability": p,
                "operating_cost_usd": float(by_step[operating][:, mask].sum()) / p,
                "economic_operating_cost_usd": float(by_step[economic][:, mask].sum()) / p,
                "unserved_twh": float(totals.get("unserved_mw", zero) @ w) / MWH_PER_TWH,
                "co2_mt": float(totals.get("co2_t_per_h", zero) @ w) / T_PER_MT,
                "renewable_share": float(totals.get("renewable_mw", zero) @ w) / gen if gen > 0 else 0.0,
                "price_avg_usd_per_mwh": float((view.price_usd_per_mwh * wd).sum() / wd.sum()) if wd.sum() else 0.0,
            }
        )
    return pd.DataFrame(rows)


def _hydrology_summary(table: pd.DataFrame, alpha: float) -> dict:
    """summary.json's ``hydrology``: each hydrology's figures, the worst one (highest economic operating cost) and
    the CVaR at ``alpha`` of the operating costs (as dispatched)."""
    worst = table.loc[table["economic_operating_cost_usd"].idxmax()]
    costs, probs = table["operating_cost_usd"].to_numpy(), table["probability"].to_numpy()
    return {
        "cvar_alpha": alpha,
        "operating_cost_cvar_usd": cvar(costs, probs, alpha),
        "members": table.set_index("hydrology").to_dict(orient="index"),
        "worst": str(worst["hydrology"]),
        "worst_economic_operating_cost_usd": float(worst["economic_operating_cost_usd"]),
        "worst_unserved_twh": float(worst["unserved_twh"]),
    }


def plan_check(summary: dict) -> pd.DataFrame:
    """plan_check.csv of a ``capacity_from`` run: each headline figure of the plan next to this run's (e.g. a
    typical-day plan and the same capacities operated over the full hourly year)."""
    plan = summary["plan"]
    rows = [
        {"metric": k, "plan": plan[k], "this_run": summary[k], "difference": summary[k] - plan[k]}
        for k in PLAN_FIGURES
        if k in plan and k in summary
    ]
    return pd.DataFrame(rows, columns=["metric", "plan", "this_run", "difference"])


def _cost(view: Readout, category: str) -> float:
    """One category's objective row times the solution (grid_model.solve.standard_form) [USD/yr]."""
    if view.sol.cost_usd:
        return float(view.sol.cost_usd.get(category, 0.0))
    return float(pyo.value(view.m.cost_usd[category]))


def _prices(ctx: Context, view: Readout, zone_energy: pd.DataFrame) -> pd.DataFrame:
    """Per zone: demand-weighted and time-averaged price, demand and unserved energy."""
    zones = list(ctx.ds.zones)
    w = ctx.weight_h
    price = view.price_usd_per_mwh
    wd = ctx.ds.demand_mw[zones].to_numpy(dtype=float).T * w
    unserved = zone_energy.set_index("zone")["unserved_twh"].reindex(zones, fill_value=0.0)
    return pd.DataFrame(
        {
            "zone": zones,
            "price_avg_usd_per_mwh": [
                float((price[i] * wd[i]).sum() / wd[i].sum()) if wd[i].sum() > 0 else float(price[i] @ w / w.sum())
                for i in range(len(zones))
            ],
            "price_time_avg_usd_per_mwh": [float(price[i] @ w / w.sum()) for i in range(len(zones))],
            "demand_twh": [float(wd[i].sum()) / MWH_PER_TWH for i in range(len(zones))],
            "unserved_twh": unserved.to_numpy(dtype=float),
        }
    )


def _electricity_subsidies(ctx: Context, prices: pd.DataFrame) -> pd.DataFrame:
    """The electricity subsidies the scenario keeps, per MWh served [USD/yr]: fiscal ones as a fiscal cost (kind
    electricity), cross-subsidies as a transfer between consumers with no fiscal cost (kind electricity_cross)."""
    applied = ctx.ds.applied
    fiscal = applied.electricity_subsidy_usd_per_mwh if applied is not None else {}
    cross = applied.electricity_cross_subsidy_usd_per_mwh if applied is not None else {}
    served = (prices.set_index("zone")["demand_twh"] - prices.set_index("zone")["unserved_twh"]) * MWH_PER_TWH
    rows = [
        {
            "zone": z,
            "kind": "electricity",
            "fuel": "",
            "fiscal_cost_usd": v * float(served[z]),
            "consumer_transfer_usd": 0.0,
        }
        for z, v in fiscal.items()
        if z in served.index
    ] + [
        {
            "zone": z,
            "kind": "electricity_cross",
            "fuel": "",
            "fiscal_cost_usd": 0.0,
            "consumer_transfer_usd": v * float(served[z]),
        }
        for z, v in cross.items()
        if z in served.index  # a dataset cut to fewer zones keeps the others' entries
    ]
    return pd.DataFrame(rows, columns=SUBSIDY_COLUMNS)


def _summary(
    ctx: Context,
    sol: Solution,
    view: Readout,
    tables: dict[str, pd.DataFrame],
    reports: list[FeatureReport],
    scenario: str,
) -> dict:
    """summary.json: the objective, the economic system cost, the fiscal cost and the headline figures."""
    breakdown = dict(zip(tables["costs"]["category"], tables["costs"]["cost_usd"].astype(float), strict=True))
    objective = sol.objective_usd
    # economic cost at unsubsidised prices: the objective without the subsidy and without the tie-break costs
    system_cost = objective - breakdown["fuel_subsidy"] - sum(breakdown[c] for c in NON_ECONOMIC_CATEGORIES)
    gen, subsidies, prices = tables["generation"], tables["subsidies"], tables["prices"]
    total_gen = float(gen["generation_twh"].sum())
    ren = float(gen.loc[gen["renewable"].astype(bool), "generation_twh"].sum())
    ncre = float(gen.loc[gen["non_conventional"].astype(bool), "generation_twh"].sum())
    w = ctx.weight_h
    wd = ctx.ds.demand_mw[list(ctx.ds.zones)].to_numpy(dtype=float).T * w
    summary = {
        "scenario": scenario,
        "status": sol.status,
        "objective_usd": objective,
        "system_cost_usd": system_cost,
        "cost_breakdown_usd": breakdown,
        "subsidy_cost_usd": float(subsidies["fiscal_cost_usd"].sum()) if len(subsidies) else 0.0,
        "fuel_subsidy_cost_usd": _fiscal(subsidies, "fuel"),
        "electricity_subsidy_cost_usd": _fiscal(subsidies, "electricity"),
        "electricity_cross_subsidy_usd": float(subsidies["consumer_transfer_usd"].sum()) if len(subsidies) else 0.0,
        "renewable_share": ren / total_gen if total_gen > 0 else 0.0,
        "non_conventional_renewable_share": ncre / total_gen if total_gen > 0 else 0.0,
        "co2_mt": float(tables["emissions"]["co2_mt"].sum()),
        "demand_twh": float(wd.sum()) / MWH_PER_TWH,
        "generation_twh": total_gen,
        "unserved_twh": float(prices["unserved_twh"].sum()),
        "investment_usd": float(
            tables["capacity"]["investment_usd"].sum() + _column_sum(tables["links"], "investment_usd")
        ),
        "price_avg_usd_per_mwh": float((view.price_usd_per_mwh * wd).sum() / wd.sum()) if wd.sum() > 0 else 0.0,
        "timings_s": dict(sol.timings_s),
        "solver": dict(sol.solver_info),
        "n_timesteps": ctx.time.n_steps,
    }
    summary["operating_cost_usd"] = objective - sum(breakdown[c] for c in INVESTMENT_CATEGORIES)
    for r in reports:
        summary.update(r.summary)
    applied = ctx.ds.applied
    if applied is not None:
        summary.update(applied.echo())
        if applied.plan:  # capacity_from: this run's figures next to the plan's
            summary["plan"] = dict(applied.plan)
        if applied.electricity_consumer_surplus_change_usd:  # what consumers lose when the tariff rises, per zone
            surplus = {z: v for z, v in applied.electricity_consumer_surplus_change_usd.items() if z in ctx.ds.zones}
            summary["electricity_consumer_surplus_change_usd"] = float(sum(surplus.values()))
            summary["electricity_consumer_surplus_change_by_zone_usd"] = {z: float(v) for z, v in surplus.items()}
        if applied.electricity_subsidy_removal_demand_change_pu:  # demand response to the tariff rise, per zone
            summary["electricity_subsidy_removal_demand_change_pu"] = {
                z: float(v) for z, v in applied.electricity_subsidy_removal_demand_change_pu.items()
            }
    return summary


def _fiscal(subsidies: pd.DataFrame, kind: str) -> float:
    """Fiscal cost of one kind of subsidy [USD/yr]."""
    return float(subsidies.loc[subsidies["kind"] == kind, "fiscal_cost_usd"].sum()) if len(subsidies) else 0.0


def _column_sum(table: pd.DataFrame, column: str) -> float:
    return float(table[column].sum()) if column in table.columns else 0.0


def _hourly(ctx: Context, view: Readout, reports: list[FeatureReport]) -> dict[str, pd.DataFrame]:
    """Hourly tables: the features' columns, prices and demand, each with ``weight_h`` and ``duration_h``."""
    zones = list(ctx.ds.zones)
    idx = pd.Index(list(ctx.T), name="timestep")
    columns: dict[str, dict[str, np.ndarray]] = {name: {} for name in HOURLY_NAMES}
    for r in reports:
        for name, cols in r.hourly.items():
            columns.setdefault(name, {}).update(cols)
    columns["price_usd_per_mwh"] = {z: view.price_usd_per_mwh[i] for i, z in enumerate(zones)}
    demand = ctx.ds.demand_mw[zones].to_numpy(dtype=float).T
    columns["demand_mw"] = {z: demand[i] for i, z in enumerate(zones)}
    hourly = {}
    for name, cols in columns.items():
        frame = pd.DataFrame(cols, index=idx)
        frame.insert(0, "weight_h", ctx.time.weight_h)
        frame.insert(1, "duration_h", ctx.duration_h)
        if len(ctx.time.hydrologies) > 1:  # several hydrologies: which one each step belongs to, and its probability
            frame.insert(2, "hydrology", np.asarray(ctx.time.hydrologies, dtype=object)[ctx.time.hydrology_of_step])
            frame.insert(3, "probability", ctx.time.probability_of_step)
        hourly[name] = frame
    return hourly
