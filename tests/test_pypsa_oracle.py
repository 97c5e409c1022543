"""PyPSA as an independent oracle for the LP.

Each case is one small network described once, in plain Python (a :class:`Case`), and translated twice:

* into our dataset tables (``write_dataset`` → ``load_dataset`` → ``solve_dataset``), which exercises our
  own reading of fuel prices, subsidies, efficiencies, annuities, storage and link costs;
* into a PyPSA network, where every per-MWh and per-MW-yr number is computed *here*, by hand, from the
  documented semantics (docs/model.md) — nothing is taken from ``grid_model``.

The optimal objectives must agree to 1e-6 relative. An LP optimum is unique in value even when the
solution is not, so any gap is a modelling difference (a wrong coefficient, bound or equation). Checked by
mutation while writing this file: a 0.1 % error in the annuity, +0.01 USD/MWh on marginal costs, −0.005 on a
storage efficiency or +0.001 on a link loss each moves the objective by 5e-5 … 1e-3 relative.

Mapping to PyPSA:
  unserved energy  → a generator per bus at VoLL with p_max_pu·p_nom = demand;
  a lossy bidirectional link → two unidirectional Links with efficiency 1 − λ, whose capacities are tied
                      equal by ``extra_functionality``; only the forward one carries the capital cost;
  existing + new capacity → ``p_nom = P0``, ``p_nom_min = P0``, extendable, and
                      ``include_objective_constant=True`` so PyPSA's objective leaves out the cost of P0;
  step weights     → ``snapshot_weightings`` objective and generators; step durations (timesteps.csv
                      ``duration_h``, default = weight) → ``snapshot_weightings`` stores;
  reservoir hydro  → a StorageUnit with inflow, spill, p_min_pu = 0, η = 1, max_hours = E / P;
  run-of-river     → a Generator with p_max_pu = min(1, inflow / P).

For the two dispatch-only cases the hourly prices are compared too (PyPSA's ``marginal_price``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest

pypsa = pytest.importorskip("pypsa")

from grid_model.dataset import load_dataset, write_dataset  # noqa: E402
from grid_model.model import ModelOptions  # noqa: E402
from grid_model.pipeline import solve_dataset  # noqa: E402

REL_TOL = 1e-6
HOURS = 8760.0


# ---------------------------------------------------------------------------------------------
# One description of a network, translated twice


@dataclass
class Gen:
    name: str
    zone: str
    p_nom: float
    p_nom_max: float | None = None  # None: not expandable
    fuel: str = ""
    efficiency: float = 1.0
    vom: float = 0.0
    capex_kw: float = 0.0
    fom_kw_yr: float = 0.0
    lifetime: float = 25.0
    availability: float | np.ndarray = 1.0  # constant or a profile (array over timesteps)
    via_overrides: bool = False  # efficiency, VOM and capex given in generators.csv over decoy technology values


@dataclass
class Sto:
    name: str
    zone: str
    p_nom: float
    max_hours: float
    p_nom_max: float | None = None
    eta_c: float = 0.95
    eta_d: float = 0.95
    standing_loss: float = 0.0
    capex_kw: float = 0.0
    capex_kwh: float = 0.0
    fom_kw_yr: float = 0.0
    vom: float = 0.0
    lifetime: float = 15.0


@dataclass
class Lnk:
    name: str
    a: str
    b: str
    p_nom: float
    loss: float
    p_nom_max: float | None = None
    capex_mw: float = 0.0
    fom_pct: float = 1.5
    lifetime: float = 40.0


@dataclass
class Hyd:
    name: str
    zone: str
    p_nom: float
    energy_mwh: float  # 0 = run-of-river
    inflow: np.ndarray
    vom: float = 0.0


@dataclass
class Case:
    weights: np.ndarray
    demand: dict[str, np.ndarray]
    voll: dict[str, float]
    fuels: dict[str, tuple[float, float]] = field(default_factory=dict)  # fuel -> (price, tCO2/MWh_th)
    zone_fuel_price: dict[tuple[str, str], float] = field(default_factory=dict)
    subsidies: dict[tuple[str, str], float] = field(default_factory=dict)
    gens: list[Gen] = field(default_factory=list)
    storage: list[Sto] = field(default_factory=list)
    links: list[Lnk] = field(default_factory=list)
    hydro: list[Hyd] = field(default_factory=list)
    discount_rate: float = 0.07
    carbon_price: float = 0.0
    duration: np.ndarray | None = None  # chronological step length for storage; None = the weights

    @property
    def n(self) -> int:
        return len(self.weights)


def crf(r: float, n: float) -> float:
    return 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** (-n))


def to_dataset_tables(case: Case) -> tuple[dict, dict, dict]:
    """Our dataset tables: one technology per unit so every unit can carry its own costs."""
    zones = [{"zone": z, "voll_usd_per_mwh": case.voll[z]} for z in case.demand]
    fuels = [{"fuel": f, "price_usd_per_mwh_th": p, "co2_t_per_mwh_th": c} for f, (p, c) in case.fuels.items()]
    if not fuels:  # fuels.csv is required
        fuels = [{"fuel": "none", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}]
    techs, gens, stor, hydro, links = [], [], [], [], []
    profiles, inflows = {}, {}
    for g in case.gens:
        techs.append(
            {
                "technology": f"t-{g.name}",
                "category": "gas" if g.fuel else "solar",
                "fuel": g.fuel,
                "renewable": not g.fuel,
                "efficiency_pu": g.efficiency,
                "vom_usd_per_mwh": g.vom,
                "capex_usd_per_kw": g.capex_kw,
                "fom_usd_per_kw_yr": g.fom_kw_yr,
                "lifetime_yr": g.lifetime,
            }
        )
        row = {
            "generator": g.name,
            "zone": g.zone,
            "technology": f"t-{g.name}",
            "p_nom_mw": g.p_nom,
            "p_nom_max_mw": g.p_nom_max,
        }
        if g.via_overrides:
            row.update(efficiency_pu=g.efficiency, vom_usd_per_mwh=g.vom, capex_usd_per_kw=g.capex_kw)
            techs[-1].update(efficiency_pu=0.99, vom_usd_per_mwh=99.0, capex_usd_per_kw=9999.0)
        if np.ndim(g.availability):
            profiles[g.name] = np.asarray(g.availability, dtype=float)
            row["profile"] = g.name
        else:
            row["availability_pu"] = float(g.availability)
        gens.append(row)
    for s in case.storage:
        techs.append(
            {
                "technology": f"t-{s.name}",
                "category": "storage",
                "vom_usd_per_mwh": s.vom,
                "capex_usd_per_kw": s.capex_kw,
                "fom_usd_per_kw_yr": s.fom_kw_yr,
                "lifetime_yr": s.lifetime,
            }
        )
        stor.append(
            {
                "storage": s.name,
                "zone": s.zone,
                "technology": f"t-{s.name}",
                "p_nom_mw": s.p_nom,
                "p_nom_max_mw": s.p_nom_max,
                "max_hours": s.max_hours,
                "efficiency_charge_pu": s.eta_c,
                "efficiency_discharge_pu": s.eta_d,
                "standing_loss_pu_per_h": s.standing_loss,
                "capex_usd_per_kwh": s.capex_kwh,
            }
        )
    for h in case.hydro:
        techs.append({"technology": f"t-{h.name}", "category": "hydro", "renewable": True, "vom_usd_per_mwh": h.vom})
        hydro.append(
            {
                "hydro": h.name,
                "zone": h.zone,
                "technology": f"t-{h.name}",
                "p_nom_mw": h.p_nom,
                "energy_mwh": h.energy_mwh,
                "inflow": h.name,
            }
        )
        inflows[h.name] = np.asarray(h.inflow, dtype=float)
    for lk in case.links:
        links.append(
            {
                "link": lk.name,
                "zone_from": lk.a,
                "zone_to": lk.b,
                "kind": "AC",
                "status": "existing" if lk.p_nom > 0 else "candidate",
                "p_nom_mw": lk.p_nom,
                "p_nom_max_mw": lk.p_nom_max,
                "length_km": 100.0,
                "loss_pu": lk.loss,
                "capex_usd_per_mw": lk.capex_mw,
                "fom_pct_per_yr": lk.fom_pct,
                "lifetime_yr": lk.lifetime,
            }
        )
    tables: dict[str, list[dict]] = {"zones": zones, "fuels": fuels, "technologies": techs, "generators": gens}
    if stor:
        tables["storage"] = stor
    if hydro:
        tables["hydro"] = hydro
    if links:
        tables["links"] = links
    if case.zone_fuel_price:
        tables["fuel_prices"] = [
            {"zone": z, "fuel": f, "price_usd_per_mwh_th": p} for (z, f), p in case.zone_fuel_price.items()
        ]
    if case.subsidies:
        tables["fuel_subsidies"] = [
            {"zone": z, "fuel": f, "subsidy_usd_per_mwh_th": s} for (z, f), s in case.subsidies.items()
        ]
    return tables, profiles, inflows


def solve_ours(case: Case, folder, fuel_subsidies: bool = True):
    """Write the case as a dataset folder, read it back and solve it; returns the Results."""
    tables, profiles, inflows = to_dataset_tables(case)
    write_dataset(
        folder,
        tables,
        case.demand,
        availability_pu=profiles or None,
        inflow_mw=inflows or None,
        weight_h=case.weights,
        duration_h=case.duration,
    )
    ds = load_dataset(folder)
    opts = ModelOptions(
        discount_rate=case.discount_rate, carbon_price_usd_per_t=case.carbon_price, fuel_subsidies=fuel_subsidies
    )
    res = solve_dataset(ds, opts)
    assert res.summary["status"] == "optimal"
    return res


# grid_model's default tie-break costs (README, "Tie-break costs"), stated here by hand: 0.01 USD/MWh per rung of the
# ladder; these cases use two categories, "solar" for every generator without fuel and "hydro".
TIE_BREAK_SOLAR, TIE_BREAK_HYDRO = 0.03, 0.01


def marginal_cost(case: Case, g: Gen, fuel_subsidies: bool) -> float:
    if not g.fuel:
        return g.vom + TIE_BREAK_SOLAR
    price, co2 = case.fuels[g.fuel]
    price = case.zone_fuel_price.get((g.zone, g.fuel), price)
    sub = min(case.subsidies.get((g.zone, g.fuel), 0.0), price) if fuel_subsidies else 0.0
    return g.vom + (price - sub) / g.efficiency + case.carbon_price * co2 / g.efficiency


def optimise_pypsa(case: Case, fuel_subsidies: bool = True):
    """The same network built and optimised in PyPSA; returns the solved network."""
    n = pypsa.Network()
    snaps = pd.RangeIndex(case.n, name="snapshot")
    n.set_snapshots(snaps)
    for col in ("objective", "generators"):
        n.snapshot_weightings[col] = np.asarray(case.weights, dtype=float)
    n.snapshot_weightings["stores"] = np.asarray(case.weights if case.duration is None else case.duration, dtype=float)
    r = case.discount_rate

    def s(x) -> pd.Series:
        return pd.Series(np.asarray(x, dtype=float), index=snaps)

    for z, d in case.demand.items():
        n.add("Bus", z)
        n.add("Load", f"load-{z}", bus=z, p_set=s(d))
        dmax = float(np.max(d))
        if dmax > 0:
            n.add(
                "Generator",
                f"voll-{z}",
                bus=z,
                p_nom=dmax,
                p_max_pu=s(np.asarray(d) / dmax),
                marginal_cost=case.voll[z],
            )
    for g in case.gens:
        ext = g.p_nom_max is not None and g.p_nom_max > g.p_nom
        kw = (
            dict(
                p_nom_extendable=True,
                p_nom_min=g.p_nom,
                p_nom_max=g.p_nom_max,
                capital_cost=(g.capex_kw * crf(r, g.lifetime) + g.fom_kw_yr) * 1000.0,
            )
            if ext
            else {}
        )
        avail = s(g.availability) if np.ndim(g.availability) else s(np.full(case.n, g.availability))
        n.add(
            "Generator",
            g.name,
            bus=g.zone,
            p_nom=g.p_nom,
            p_max_pu=avail,
            marginal_cost=marginal_cost(case, g, fuel_subsidies),
            **kw,
        )
    for st in case.storage:
        ext = st.p_nom_max is not None and st.p_nom_max > st.p_nom
        cc = ((st.capex_kw + st.capex_kwh * st.max_hours) * crf(r, st.lifetime) + st.fom_kw_yr) * 1000.0
        kw = dict(p_nom_extendable=True, p_nom_min=st.p_nom, p_nom_max=st.p_nom_max, capital_cost=cc) if ext else {}
        n.add(
            "StorageUnit",
            st.name,
            bus=st.zone,
            p_nom=st.p_nom,
            max_hours=st.max_hours,
            efficiency_store=st.eta_c,
            efficiency_dispatch=st.eta_d,
            standing_loss=st.standing_loss,
            cyclic_state_of_charge=True,
            marginal_cost=st.vom,
            **kw,
        )
    for h in case.hydro:
        if h.energy_mwh > 0:
            n.add(
                "StorageUnit",
                h.name,
                bus=h.zone,
                p_nom=h.p_nom,
                max_hours=h.energy_mwh / h.p_nom,
                p_min_pu=0.0,
                efficiency_store=1.0,
                efficiency_dispatch=1.0,
                inflow=s(h.inflow),
                cyclic_state_of_charge=True,
                marginal_cost=h.vom + TIE_BREAK_HYDRO,
            )
        else:
            n.add(
                "Generator",
                h.name,
                bus=h.zone,
                p_nom=h.p_nom,
                p_max_pu=s(np.minimum(1.0, np.asarray(h.inflow) / h.p_nom)),
                marginal_cost=h.vom + TIE_BREAK_HYDRO,
            )
    tied = []
    for lk in case.links:
        ext = lk.p_nom_max is not None and lk.p_nom_max > lk.p_nom
        cc = lk.capex_mw * crf(r, lk.lifetime) + lk.capex_mw * lk.fom_pct / 100.0
        for suffix, b0, b1 in (("fwd", lk.a, lk.b), ("bwd", lk.b, lk.a)):
            kw = (
                dict(
                    p_nom_extendable=True,
                    p_nom_min=lk.p_nom,
                    p_nom_max=lk.p_nom_max,
                    capital_cost=cc if suffix == "fwd" else 0.0,
                )
                if ext
                else {}
            )
            n.add(
                "Link",
                f"{lk.name}-{suffix}",
                bus0=b0,
                bus1=b1,
                p_nom=lk.p_nom,
                efficiency=1.0 - lk.loss,
                p_min_pu=0.0,
                p_max_pu=1.0,
                **kw,
            )
        if ext:
            tied.append(lk.name)

    def tie_link_capacities(n, snapshots) -> None:
        if not tied:
            return
        p_nom = n.model["Link-p_nom"]
        for name in tied:
            fwd = p_nom.sel(name=f"{name}-fwd", drop=True)
            bwd = p_nom.sel(name=f"{name}-bwd", drop=True)
            n.model.add_constraints(fwd - bwd == 0, name=f"tie-{name}")

    status, condition = n.optimize(
        solver_name="highs",
        include_objective_constant=True,
        extra_functionality=tie_link_capacities,
        log_to_console=False,
    )
    assert status == "ok" and condition == "optimal", (status, condition)
    return n


def compare(case: Case, folder, *, fuel_subsidies: bool = True, prices: bool = False):
    """Solve with both; the objectives must agree, and the hourly prices too when ``prices``.

    Prices are only compared for dispatch-only cases, where every price is set by a marginal unit or VoLL;
    with investment variables the duals can be degenerate and two correct solvers may legitimately differ.
    """
    res = solve_ours(case, folder, fuel_subsidies)
    n = optimise_pypsa(case, fuel_subsidies)
    ours, theirs = res.summary["objective_usd"], float(n.objective)
    assert ours == pytest.approx(theirs, rel=REL_TOL), (
        f"objective {ours:.6f} vs PyPSA {theirs:.6f} (diff {ours - theirs:.6g}); "
        f"breakdown {res.summary['cost_breakdown_usd']}"
    )
    if prices:
        zones = list(case.demand)
        np.testing.assert_allclose(
            res.hourly["price_usd_per_mwh"][zones].to_numpy(),
            n.buses_t.marginal_price[zones].to_numpy(),
            rtol=1e-6,
            atol=1e-6,
        )
    return res, n


def weights(raw) -> np.ndarray:
    w = np.asarray(raw, dtype=float)
    return w / w.sum() * HOURS


# ---------------------------------------------------------------------------------------------
# Cases


def case_merit_order() -> Case:
    """Dispatch only: cheap coal in A, gas in B, oil in C; A→B link binds with 4 % losses; C imports from B.

    Demand in C exceeds local plus import capacity at the peak, so VoLL sets a price there too.
    """
    rng = np.random.default_rng(1)
    n = 12
    w = weights(rng.uniform(0.5, 1.5, n))
    hod = np.arange(n)
    shape = 1.0 + 0.3 * np.sin(hod / n * 2 * np.pi)
    return Case(
        weights=w,
        demand={"A": 300.0 * shape, "B": 500.0 * shape, "C": 250.0 * shape},
        voll={"A": 3000.0, "B": 3000.0, "C": 5000.0},
        fuels={"coal": (12.0, 0.34), "gas": (25.0, 0.2), "oil": (55.0, 0.26)},
        zone_fuel_price={("B", "gas"): 20.0},
        gens=[
            Gen("A-coal", "A", 800.0, fuel="coal", efficiency=0.36, vom=6.0, availability=0.9),
            Gen("A-solar", "A", 150.0, availability=np.clip(np.sin((hod - 2) / 8 * np.pi), 0, None)),
            Gen("B-ccgt", "B", 450.0, fuel="gas", efficiency=0.55, vom=4.0),
            Gen("B-ocgt", "B", 200.0, fuel="gas", efficiency=0.35, vom=5.0),
            Gen("C-oil", "C", 220.0, fuel="oil", efficiency=0.35, vom=8.0, availability=0.8),
        ],
        links=[Lnk("A-B", "A", "B", 250.0, loss=0.04), Lnk("B-C", "B", "C", 80.0, loss=0.02)],
        carbon_price=10.0,
    )


def case_storage_arbitrage() -> Case:
    """A battery and a lossy pumped store arbitrage between cheap solar hours and expensive gas hours."""
    n = 24
    hod = np.arange(n)
    sun = np.clip(np.sin((hod - 6) / 12.0 * np.pi), 0, None)
    w = weights(np.where(hod % 3 == 0, 1.5, 1.0))
    step = HOURS / n  # mean step length: storage hours are scaled by it so a "4 h" battery cycles daily
    return Case(
        weights=w,
        demand={
            "A": 400.0 + 100.0 * np.cos((hod - 19) / 24 * 2 * np.pi),
            "B": 250.0 + 120.0 * np.cos((hod - 20) / 24 * 2 * np.pi),
        },
        voll={"A": 10_000.0, "B": 10_000.0},
        fuels={"gas": (30.0, 0.2), "oil": (60.0, 0.26)},
        gens=[
            Gen("A-solar", "A", 900.0, availability=sun),
            Gen("A-ocgt", "A", 600.0, fuel="gas", efficiency=0.38, vom=5.0),
            Gen("B-ccgt", "B", 250.0, fuel="gas", efficiency=0.55, vom=4.0),
            Gen("B-oil", "B", 200.0, fuel="oil", efficiency=0.33, vom=8.0),
        ],
        storage=[
            Sto("A-battery", "A", 150.0, max_hours=4.0 * step, eta_c=0.95, eta_d=0.93, standing_loss=1e-4, vom=0.5),
            Sto("B-phs", "B", 100.0, max_hours=8.0 * step, eta_c=0.88, eta_d=0.9),
        ],
        links=[Lnk("A-B", "A", "B", 120.0, loss=0.03)],
    )


def case_expansion() -> Case:
    """Greenfield and brownfield expansion of solar, gas, a battery and a candidate link."""
    n = 24
    hod = np.arange(n)
    sun = np.clip(np.sin((hod - 6) / 12.0 * np.pi), 0, None)
    wind = 0.35 + 0.25 * np.sin(hod / 24 * 2 * np.pi * 2 + 1.0)
    w = weights(np.ones(n))
    step = HOURS / n
    return Case(
        weights=w,
        demand={
            "A": 800.0 + 200.0 * np.cos((hod - 19) / 24 * 2 * np.pi),
            "B": 500.0 + 50.0 * np.sin(hod / 24 * 2 * np.pi),
            "C": np.full(n, 300.0),
        },
        voll={"A": 8000.0, "B": 8000.0, "C": 8000.0},
        fuels={"gas": (35.0, 0.2)},
        gens=[
            Gen("A-solar", "A", 0.0, p_nom_max=3000.0, availability=sun, capex_kw=650.0, fom_kw_yr=12.0, lifetime=30.0),
            Gen(
                "A-ccgt",
                "A",
                400.0,
                p_nom_max=1200.0,
                fuel="gas",
                efficiency=0.56,
                vom=4.0,
                capex_kw=950.0,
                fom_kw_yr=25.0,
            ),
            Gen(
                "B-wind",
                "B",
                100.0,
                p_nom_max=2000.0,
                availability=wind,
                capex_kw=1200.0,
                fom_kw_yr=30.0,
                lifetime=30.0,
            ),
            Gen("B-ocgt", "B", 300.0, fuel="gas", efficiency=0.36, vom=6.0),
            Gen("C-ocgt", "C", 350.0, fuel="gas", efficiency=0.34, vom=6.0),
        ],
        storage=[
            Sto(
                "A-battery",
                "A",
                0.0,
                max_hours=4.0 * step,
                p_nom_max=800.0,
                capex_kw=150.0,
                capex_kwh=0.1,
                fom_kw_yr=8.0,
                eta_c=0.96,
                eta_d=0.96,
            )
        ],
        links=[
            Lnk("A-B", "A", "B", 100.0, loss=0.03, p_nom_max=900.0, capex_mw=400_000.0, fom_pct=2.0),
            Lnk("B-C", "B", "C", 0.0, loss=0.05, p_nom_max=600.0, capex_mw=700_000.0, lifetime=35.0),
        ],
        discount_rate=0.08,
    )


def case_mix() -> Case:
    """Everything at once: 4 zones, unequal weights, subsidies (one above the fuel price), a zone fuel price,
    carbon price, generator-level overrides, hydro, storage, expansion, a candidate link, VoLL."""
    rng = np.random.default_rng(7)
    n = 48
    hod = np.arange(n) % 24
    sun = np.round(np.clip(np.sin((hod - 6) / 12.0 * np.pi), 0, None) * rng.uniform(0.7, 1.0, n), 4)
    wind = np.round(np.clip(0.4 + 0.3 * np.sin(np.arange(n) / 9.0) + rng.normal(0, 0.05, n), 0, 1), 4)
    w = weights(rng.uniform(0.6, 1.4, n))
    evening = 1.0 + 0.25 * np.exp(-((hod - 20) ** 2) / 8.0)
    step = HOURS / n
    return Case(
        weights=w,
        demand={
            "A": np.round(700.0 * evening, 1),
            "B": np.round(450.0 * evening[::-1], 1),
            "C": np.round(300.0 + rng.uniform(0, 60, n), 1),
            "D": np.round(150.0 * evening, 1),
        },
        voll={"A": 6000.0, "B": 6000.0, "C": 9000.0, "D": 2500.0},
        fuels={"gas": (25.0, 0.198), "coal": (12.0, 0.336), "oil": (55.0, 0.257)},
        zone_fuel_price={("C", "gas"): 10.0},
        subsidies={("A", "gas"): 8.0, ("B", "oil"): 20.0, ("D", "oil"): 70.0},  # D's subsidy exceeds the price
        gens=[
            Gen(
                "A-ccgt",
                "A",
                500.0,
                p_nom_max=900.0,
                fuel="gas",
                efficiency=0.55,
                vom=4.0,
                capex_kw=1000.0,
                fom_kw_yr=25.0,
                availability=0.9,
                via_overrides=True,
            ),
            Gen("A-coal", "A", 300.0, fuel="coal", efficiency=0.36, vom=6.0, availability=0.85),
            Gen(
                "A-solar", "A", 100.0, p_nom_max=1500.0, availability=sun, capex_kw=700.0, fom_kw_yr=12.0, lifetime=30.0
            ),
            Gen("B-oil", "B", 350.0, fuel="oil", efficiency=0.35, vom=8.0, availability=0.8, via_overrides=True),
            Gen("B-solar", "B", 50.0, p_nom_max=800.0, availability=sun, capex_kw=750.0, fom_kw_yr=12.0, lifetime=30.0),
            Gen("C-ccgt", "C", 250.0, fuel="gas", efficiency=0.55, vom=4.0),
            Gen(
                "C-wind", "C", 50.0, p_nom_max=1000.0, availability=wind, capex_kw=1200.0, fom_kw_yr=30.0, lifetime=30.0
            ),
            Gen("D-oil", "D", 110.0, fuel="oil", efficiency=0.33, vom=9.0),
        ],
        storage=[
            Sto(
                "A-battery",
                "A",
                0.0,
                max_hours=4.0 * step,
                p_nom_max=400.0,
                capex_kw=150.0,
                capex_kwh=0.1,
                fom_kw_yr=8.0,
                standing_loss=0.0005,
                vom=0.3,
            ),
            Sto(
                "C-phs",
                "C",
                80.0,
                max_hours=10.0 * step,
                p_nom_max=200.0,
                capex_kw=1500.0,
                fom_kw_yr=15.0,
                eta_c=0.87,
                eta_d=0.9,
                lifetime=50.0,
            ),
        ],
        hydro=[
            Hyd(
                "B-reservoir",
                "B",
                300.0,
                energy_mwh=4000.0 * step,
                inflow=np.round(150.0 + 40.0 * np.sin(np.arange(n) / 7.0), 1),
                vom=1.0,
            ),
            Hyd("B-ror", "B", 120.0, energy_mwh=0.0, inflow=np.round(90.0 + 50.0 * np.cos(np.arange(n) / 5.0), 1)),
        ],
        links=[
            Lnk("A-B", "A", "B", 200.0, loss=0.02),
            Lnk("B-C", "B", "C", 80.0, loss=0.034, p_nom_max=600.0, capex_mw=600_000.0),
            Lnk("A-C", "A", "C", 0.0, loss=0.041, p_nom_max=500.0, capex_mw=1_200_000.0, fom_pct=1.0),
            Lnk("C-D", "C", "D", 40.0, loss=0.01),
        ],
        discount_rate=0.06,
        carbon_price=15.0,
    )


def case_typical_day() -> Case:
    """24 chronological hours (duration 1 h) each standing for 365 h of the year (weight 365 h).

    Storage and the reservoir move energy hour by hour (duration), while every cost is annual (weight): a
    4-hour battery with realistic capex is worth building here, unlike with weight = duration = 365 h.
    """
    n = 24
    hod = np.arange(n)
    sun = np.round(np.clip(np.sin((hod - 6) / 12.0 * np.pi), 0, None), 4)
    return Case(
        weights=np.full(n, HOURS / n),
        duration=np.ones(n),
        demand={
            "A": np.round(600.0 + 200.0 * np.exp(-((hod - 20) ** 2) / 6.0), 1),
            "B": np.round(300.0 + 80.0 * np.cos((hod - 14) / 24 * 2 * np.pi), 1),
        },
        voll={"A": 10_000.0, "B": 10_000.0},
        fuels={"gas": (30.0, 0.2)},
        gens=[
            Gen(
                "A-solar", "A", 300.0, p_nom_max=2500.0, availability=sun, capex_kw=600.0, fom_kw_yr=10.0, lifetime=30.0
            ),
            Gen("A-ocgt", "A", 700.0, fuel="gas", efficiency=0.36, vom=5.0),
            Gen("B-ccgt", "B", 350.0, fuel="gas", efficiency=0.55, vom=4.0),
        ],
        storage=[
            Sto(
                "A-battery",
                "A",
                50.0,
                max_hours=4.0,
                p_nom_max=600.0,
                capex_kw=150.0,
                capex_kwh=120.0,
                fom_kw_yr=6.0,
                standing_loss=0.001,
                vom=0.2,
            )
        ],
        hydro=[
            Hyd(
                "B-reservoir",
                "B",
                150.0,
                energy_mwh=600.0,
                inflow=np.round(60.0 + 20.0 * np.sin(hod / 24 * 2 * np.pi), 1),
            )
        ],
        links=[Lnk("A-B", "A", "B", 100.0, loss=0.02, p_nom_max=400.0, capex_mw=300_000.0)],
        carbon_price=20.0,
    )


# ---------------------------------------------------------------------------------------------
# Tests


def test_dispatch_merit_order_with_binding_lossy_link(tmp_path):
    res, _ = compare(case_merit_order(), tmp_path, prices=True)
    # The case tests what it claims: A→B binds in some hour (at 250 MW sent), and C sheds load at its VoLL.
    assert np.isclose(res.hourly["link_flow_forward_mw"]["A-B"].to_numpy(), 250.0, rtol=1e-6).any()
    assert res.summary["cost_breakdown_usd"]["unserved"] > 0
    assert res.summary["cost_breakdown_usd"]["carbon"] > 0


def test_storage_arbitrage(tmp_path):
    case = case_storage_arbitrage()
    res, _ = compare(case, tmp_path / "with", prices=True)
    # Both stores cycle, and without them the same system costs clearly more.
    discharged = res.hourly["storage_discharge_mw"][["A-battery", "B-phs"]].to_numpy()
    assert (discharged.max(axis=0) > 1.0).all()
    plain = Case(**{**case.__dict__, "storage": []})
    assert solve_ours(plain, tmp_path / "without").summary["objective_usd"] > res.summary["objective_usd"] * 1.01


def test_capacity_expansion(tmp_path):
    res, _ = compare(case_expansion(), tmp_path)
    # Something of every kind is built: generation, storage and the candidate link.
    b = res.summary["cost_breakdown_usd"]
    assert b["capex_generation"] > 0 and b["capex_storage"] > 0 and b["capex_transmission"] > 0
    assert res.tables["links"].set_index("link").at["B-C", "new_mw"] > 0


@pytest.mark.parametrize("fuel_subsidies", [True, False], ids=["subsidised", "unsubsidised"])
def test_mix_of_everything(tmp_path, fuel_subsidies):
    res, _ = compare(case_mix(), tmp_path, fuel_subsidies=fuel_subsidies)
    b = res.summary["cost_breakdown_usd"]
    assert (b["fuel_subsidy"] < 0) == fuel_subsidies
    assert b["capex_storage"] > 0 and b["unserved"] > 0


def test_typical_day_with_durations_unlike_weights(tmp_path):
    res, _ = compare(case_typical_day(), tmp_path)
    b = res.summary["cost_breakdown_usd"]
    assert b["capex_storage"] > 0 and b["capex_generation"] > 0
    assert (res.hourly["dispatch_mw"]["duration_h"] == 1.0).all()
