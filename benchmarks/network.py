"""A synthetic electricity network described once and translated twice: to a grid_model dataset and to PyPSA.

The first 11 zones are a chain in the order of the real corridor (MX–GT–SV–HN–NI–CR–PA–CO–EC–PE–CL), so with
every link in service it is the real topology of the Pacific Alliance + SIEPAC system (the peak demands and
link lengths are indicative round numbers). Each zone has six generators (coal, ccgt, ocgt, oil, solar,
onwind), one 4-hour battery and a demand series; each pair of neighbours is joined by a lossy AC link usable
in both directions.

Beyond 11 zones (``n_zones`` up to ``MAX_ZONES``; meant for scale tests up to ~100) the network grows by
**synthetic zones** ``Z12``, ``Z13``, … that stand for no real place. Zone ``Zk`` is drawn from its own seeded
stream (``default_rng([seed, 3, k − 1])``), so a synthetic zone and its links are the same whatever
``n_zones`` is, and the network with N zones is a sub-network of the one with N' > N zones:

* peak demand: log-normal with the mean and standard deviation of the logs of the 11 real peaks (median
  ≈ 4 GW), redrawn until it lies within their range (800 … 52,000 MW), rounded to 100 MW;
* hemisphere (sign of the seasonal swing): +1 or −1 with equal probability;
* a chain link to the previous zone (``CL–Z12``, ``Z12–Z13``, …) of 200 … 1,400 km (uniform, the range of
  the real lengths, rounded to 10 km);
* 0, 1 or 2 **cross links** (probabilities 0.4, 0.5, 0.1) back to distinct earlier zones 2 … 4 positions up
  the chain, only among CL and the synthetic zones, of length 0.4 … 0.8 × the chain route between the two
  ends (uniform; clipped to 200 … 2,000 km). The real corridor is never given a link it does not have; the
  synthetic part is a meshed grid (seed 0: 60 zones have 59 chain + 33 cross links = 1.53 links per zone,
  30 zones 40 links), so flows have parallel paths and loops, not just one way along a line.

Series, generators, the battery and link capacities of synthetic zones follow the same rules as the real
ones (shares of the zone's peak demand; link capacity 30 % of the smaller end's peak). With ``n_zones ≤ 11``
nothing changed: the network, and so every objective, is bit-for-bit what it was before synthetic zones existed.

Time: the first ``T`` hours of a seeded synthetic year. Every step weighs ``8760 / T`` hours in the objective
(so costs are annual) and lasts one chronological hour for the storage balance (``duration_h = 1``;
PyPSA's ``snapshot_weightings.stores = 1``). The series for a shorter horizon are a prefix of the full year.

Modes: ``dispatch`` (every capacity fixed) and ``expansion`` (solar, onwind, ccgt, the battery and every link
may be expanded, at annualised capital cost plus fixed O&M).

Every cost PyPSA sees (marginal cost, capital cost) is computed here, by hand, from the documented semantics
(docs/model.md), not taken from ``grid_model``:

* marginal cost = VOM + fuel price / efficiency (no carbon price, no subsidies) + grid_model's default tie-break
  cost of the technology's category (0.03 USD/MWh for solar, 0.04 for wind);
* capital cost per MW·yr = (capex_kW · CRF(r, n) + FOM_kW·yr) · 1000, CRF(r, n) = r / (1 − (1 + r)^−n);
* unserved energy = a generator per bus at the value of lost load with p_max_pu · p_nom = demand;
* a lossy bidirectional link = two unidirectional PyPSA Links with efficiency 1 − λ whose capacities are tied
  equal (``extra_functionality``), the capital cost carried by the forward one only (PyPSA's bidirectional link,
  ``p_min_pu = −1``, applies the efficiency in the forward direction only);
* existing + new capacity = ``p_nom = p_nom_min = P0``, extendable, with ``include_objective_constant=True`` so
  PyPSA's ``n.objective`` leaves out the capital cost of P0, as grid_model's objective does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

log = logging.getLogger(__name__)

HOURS_PER_YEAR = 8760
Mode = Literal["dispatch", "expansion"]
MODES: tuple[Mode, ...] = ("dispatch", "expansion")

# Zones in corridor order with an indicative peak demand [MW] and the sign of the seasonal swing
# (+1 northern, −1 southern hemisphere).
ZONES: tuple[tuple[str, float, float], ...] = (
    ("MX", 52_000.0, 1.0),
    ("GT", 2_200.0, 1.0),
    ("SV", 1_200.0, 1.0),
    ("HN", 1_800.0, 1.0),
    ("NI", 800.0, 1.0),
    ("CR", 2_100.0, 1.0),
    ("PA", 2_300.0, 1.0),
    ("CO", 11_500.0, 1.0),
    ("EC", 4_500.0, -1.0),
    ("PE", 7_800.0, -1.0),
    ("CL", 11_800.0, -1.0),
)
# Route length [km] of the link between consecutive zones of ZONES.
LINK_LENGTH_KM: tuple[float, ...] = (400.0, 200.0, 300.0, 300.0, 300.0, 500.0, 600.0, 400.0, 600.0, 1400.0)

# Synthetic zones beyond the 11 above (see the module docstring).
MAX_ZONES = 200
SYNTHETIC_LINK_KM = (200.0, 1400.0)  # chain link length range (that of LINK_LENGTH_KM)
SYNTHETIC_CROSS_LINKS_P = (0.4, 0.5, 0.1)  # probabilities of 0, 1, 2 cross links back from a synthetic zone
SYNTHETIC_CROSS_REACH = (2, 4)  # a cross link joins zones this many chain positions apart (inclusive)
SYNTHETIC_CROSS_SHORTCUT = (0.4, 0.8)  # cross-link length / chain route length between its ends
SYNTHETIC_CROSS_KM = (200.0, 2000.0)
FIRST_MESHED = len(LINK_LENGTH_KM)  # index of CL: cross links only join CL and synthetic zones
AC_LOSS_PU_PER_1000KM = 0.0675

FUELS: dict[str, tuple[float, float]] = {  # fuel -> (price USD/MWh_th, tCO2/MWh_th)
    "coal": (9.0, 0.34),
    "gas": (24.0, 0.20),
    "oil": (50.0, 0.27),
}


@dataclass(frozen=True)
class Tech:
    """A generating technology; capacities are shares of the zone's peak demand."""

    name: str
    category: str
    fuel: str
    efficiency: float
    vom: float
    capex_kw: float
    fom_kw_yr: float
    lifetime: float
    availability: float  # constant availability when there is no profile
    share_existing: float  # existing capacity / peak demand
    share_expandable: float  # extra capacity allowed in expansion mode / peak demand (0 = fixed)
    renewable: bool = False


TECHS: tuple[Tech, ...] = (
    Tech("coal", "coal", "coal", 0.38, 4.0, 2000.0, 40.0, 40.0, 0.85, 0.30, 0.0),
    Tech("ccgt", "gas", "gas", 0.55, 3.0, 950.0, 22.0, 30.0, 0.90, 0.45, 0.5),
    Tech("ocgt", "gas", "gas", 0.35, 5.0, 550.0, 12.0, 30.0, 0.95, 0.20, 0.0),
    Tech("oil", "oil", "oil", 0.33, 6.0, 800.0, 15.0, 30.0, 0.90, 0.15, 0.0),
    Tech("solar", "solar", "", 1.0, 0.0, 650.0, 10.0, 25.0, 1.0, 0.30, 1.5, renewable=True),
    Tech("onwind", "wind", "", 1.0, 0.0, 1300.0, 30.0, 25.0, 1.0, 0.20, 1.0, renewable=True),
)
PROFILED = {"solar", "onwind"}

BATTERY_HOURS = 4.0
BATTERY_ETA = 0.95
BATTERY_CAPEX_KW = 250.0
BATTERY_CAPEX_KWH = 200.0
BATTERY_FOM_KW_YR = 10.0
BATTERY_LIFETIME = 15.0
BATTERY_SHARE_EXISTING = 0.05
BATTERY_SHARE_EXPANDABLE = 0.3

LINK_CAPEX_USD_PER_MW_KM = 600.0
LINK_CAPEX_TERMINALS_USD_PER_MW = 150_000.0
LINK_FOM_PCT = 1.5
LINK_LIFETIME = 40.0
LINK_EXISTING_SHARE = 0.3  # existing capacity / smaller peak of the two ends
LINK_EXPANDABLE_MW = 3000.0

VOLL = 10_000.0
# grid_model's default tie-break costs by category (README, "Tie-break costs"), stated here by hand: 0.01 USD/MWh per
# rung, wind giving way first, then solar, geothermal and water.
TIE_BREAK_USD_PER_MWH = {"hydro": 0.01, "geothermal": 0.02, "solar": 0.03, "wind": 0.04}
DISCOUNT_RATE = 0.07


@dataclass
class Generator:
    """One generator of the synthetic network."""

    name: str
    zone: str
    tech: Tech
    p_nom: float
    p_nom_max: float | None  # None: fixed capacity
    efficiency: float
    vom: float
    profile: np.ndarray | None  # hourly availability, or None for the technology's constant availability


@dataclass
class Battery:
    """One battery: power p_nom, energy p_nom · max_hours."""

    name: str
    zone: str
    p_nom: float
    p_nom_max: float | None


@dataclass
class Link:
    """A lossy interconnector usable in both directions up to p_nom (+ new capacity)."""

    name: str
    zone_from: str
    zone_to: str
    p_nom: float
    p_nom_max: float | None
    length_km: float
    loss: float
    capex_mw: float


@dataclass
class SyntheticNetwork:
    """The network both tools solve: one description, translated by :func:`write_grid_model_dataset` and
    :func:`build_pypsa_network`."""

    n_steps: int
    mode: Mode
    zones: list[str]
    demand: dict[str, np.ndarray]
    generators: list[Generator] = field(default_factory=list)
    batteries: list[Battery] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    discount_rate: float = DISCOUNT_RATE

    @property
    def weights(self) -> np.ndarray:
        """Objective weight of every step [h]; sums to 8760."""
        return np.full(self.n_steps, HOURS_PER_YEAR / self.n_steps)

    @property
    def durations(self) -> np.ndarray:
        """Chronological length of every step for the storage balance [h]."""
        return np.ones(self.n_steps)


def crf(rate: float, lifetime: float) -> float:
    """Capital recovery factor r / (1 − (1 + r)^−n); 1/n when r = 0."""
    return 1.0 / lifetime if rate == 0 else rate / (1.0 - (1.0 + rate) ** (-lifetime))


def marginal_cost(g: Generator) -> float:
    """VOM + fuel price / efficiency + tie-break cost [USD/MWh_el] (the tie-break is in the objective, not money)."""
    tie_break = TIE_BREAK_USD_PER_MWH.get(g.tech.category, 0.0)
    if not g.tech.fuel:
        return g.vom + tie_break
    return g.vom + FUELS[g.tech.fuel][0] / g.efficiency + tie_break


def _year_profiles(zone_index: int, peak: float, hemisphere: float, seed: int) -> tuple[np.ndarray, ...]:
    """Hourly demand [MW], solar and wind availability [pu] for one zone over a full synthetic year."""
    rng = np.random.default_rng([seed, zone_index])
    h = np.arange(HOURS_PER_YEAR)
    hod, day = h % 24, h // 24
    season = np.cos(2 * np.pi * (day - 15) / 365.0) * hemisphere  # +1 in January (north)
    # Demand: evening peak, weekday/weekend, seasonal swing, AR(1) noise.
    daily = 0.82 + 0.12 * np.sin(2 * np.pi * (hod - 13) / 24) + 0.06 * np.exp(-0.5 * ((hod - 19.5) / 1.5) ** 2)
    weekly = np.where((day % 7) >= 5, 0.93, 1.0)
    noise = np.zeros(HOURS_PER_YEAR)
    eps = rng.normal(0.0, 0.01, HOURS_PER_YEAR)
    for i in range(1, HOURS_PER_YEAR):
        noise[i] = 0.9 * noise[i - 1] + eps[i]
    demand = peak * np.clip(daily * weekly * (1.0 - 0.05 * season) + noise, 0.4, 1.0)
    # Solar: daylight bell, shorter days in local winter, daily cloudiness.
    day_len = 12.0 - 1.5 * season
    sun = np.clip(np.cos(np.pi * (hod - 12.5) / day_len), 0.0, None) ** 1.3
    clouds = np.repeat(rng.uniform(0.45, 1.0, HOURS_PER_YEAR // 24 + 1), 24)[:HOURS_PER_YEAR]
    solar = np.clip(0.9 * sun * clouds, 0.0, 1.0)
    # Wind: AR(1) in a latent variable, mapped to a capacity factor near 35 % on average.
    z = np.zeros(HOURS_PER_YEAR)
    eps = rng.normal(0.0, 0.25, HOURS_PER_YEAR)
    for i in range(1, HOURS_PER_YEAR):
        z[i] = 0.97 * z[i - 1] + eps[i]
    wind = 1.0 / (1.0 + np.exp(-(z - 0.6 + 0.3 * season)))
    return np.round(demand, 1), np.round(solar, 4), np.round(np.clip(wind, 0.0, 1.0), 4)


def _synthetic_zone(k: int, seed: int) -> tuple[str, float, float, float, list[tuple[int, float]]]:
    """Synthetic zone ``k`` (0-based, ≥ 11): name, peak [MW], hemisphere, length of the chain link to zone
    ``k − 1`` [km], and its cross links back as (earlier zone index, shortcut factor)."""
    rng = np.random.default_rng([seed, 3, k])
    logs = np.log([peak for _, peak, _ in ZONES])
    lo, hi = min(peak for _, peak, _ in ZONES), max(peak for _, peak, _ in ZONES)
    while True:
        peak = float(np.exp(rng.normal(logs.mean(), logs.std(ddof=1))))
        if lo <= peak <= hi:
            break
    hemisphere = float(rng.choice((1.0, -1.0)))
    chain_km = round(float(rng.uniform(*SYNTHETIC_LINK_KM)), -1)
    n_cross = int(rng.choice(len(SYNTHETIC_CROSS_LINKS_P), p=SYNTHETIC_CROSS_LINKS_P))
    reach_lo, reach_hi = SYNTHETIC_CROSS_REACH
    candidates = np.arange(max(FIRST_MESHED, k - reach_hi), k - reach_lo + 1)
    n_cross = min(n_cross, len(candidates))
    targets = sorted(int(j) for j in rng.choice(candidates, size=n_cross, replace=False)) if n_cross else []
    cross = [(j, float(rng.uniform(*SYNTHETIC_CROSS_SHORTCUT))) for j in targets]
    return f"Z{k + 1}", round(peak, -2), hemisphere, chain_km, cross


def zone_table(n_zones: int, seed: int = 0) -> tuple[list[tuple[str, float, float]], list[tuple[int, int, float]]]:
    """The first ``n_zones`` zones as (name, peak MW, hemisphere) and their links as (from index, to index,
    length km): the real chain, then synthetic zones with chain and cross links (module docstring)."""
    if not 2 <= n_zones <= MAX_ZONES:
        raise ValueError(f"n_zones must be in 2 … {MAX_ZONES}, got {n_zones}")
    zones = list(ZONES[:n_zones])
    chain_km = list(LINK_LENGTH_KM[: n_zones - 1])
    cross: list[tuple[int, int, float]] = []
    for k in range(len(ZONES), n_zones):
        name, peak, hemisphere, km, back = _synthetic_zone(k, seed)
        zones.append((name, peak, hemisphere))
        chain_km.append(km)
        for j, factor in back:
            route = sum(chain_km[j:k])  # chain links j → j+1 … k−1 → k
            cross.append((j, k, round(float(np.clip(factor * route, *SYNTHETIC_CROSS_KM)), -1)))
    links = [(i, i + 1, chain_km[i]) for i in range(n_zones - 1)] + cross
    return zones, links


def make_network(n_steps: int, mode: Mode, n_zones: int = 11, seed: int = 0) -> SyntheticNetwork:
    """The synthetic network for ``n_steps`` hourly steps (1 … 8760) and ``n_zones`` zones (2 … ``MAX_ZONES``:
    the real MX…CL chain first, synthetic zones Z12, Z13, … beyond 11)."""
    if not 1 <= n_steps <= HOURS_PER_YEAR:
        raise ValueError(f"n_steps must be in 1 … {HOURS_PER_YEAR}, got {n_steps}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    expand = mode == "expansion"
    zones, zone_links = zone_table(n_zones, seed)
    net = SyntheticNetwork(n_steps, mode, [z for z, _, _ in zones], {})
    for i, (zone, peak, hemisphere) in enumerate(zones):
        rng = np.random.default_rng([seed, 1000 + i])
        demand, solar, wind = _year_profiles(i, peak, hemisphere, seed)
        net.demand[zone] = demand[:n_steps]
        for tech in TECHS:
            p_nom = round(tech.share_existing * peak, 1)
            extra = round(tech.share_expandable * peak, 1) if expand else 0.0
            profile = {"solar": solar, "onwind": wind}.get(tech.name)
            # Small per-zone spread in efficiency and VOM so that zones are not exact copies (less degeneracy).
            eff = round(tech.efficiency * rng.uniform(0.97, 1.03), 4) if tech.fuel else 1.0
            vom = round(tech.vom * rng.uniform(0.9, 1.1), 3)
            net.generators.append(
                Generator(
                    f"{zone}-{tech.name}",
                    zone,
                    tech,
                    p_nom,
                    p_nom + extra if extra > 0 else None,
                    eff,
                    vom,
                    None if profile is None else profile[:n_steps],
                )
            )
        p_bat = round(BATTERY_SHARE_EXISTING * peak, 1)
        extra = round(BATTERY_SHARE_EXPANDABLE * peak, 1) if expand else 0.0
        net.batteries.append(Battery(f"{zone}-battery", zone, p_bat, p_bat + extra if extra > 0 else None))
    for i, j, length in zone_links:
        (a, peak_a, _), (b, peak_b, _) = zones[i], zones[j]
        p_nom = round(LINK_EXISTING_SHARE * min(peak_a, peak_b), 1)
        net.links.append(
            Link(
                f"{a}-{b}",
                a,
                b,
                p_nom,
                p_nom + LINK_EXPANDABLE_MW if expand else None,
                length,
                round(AC_LOSS_PU_PER_1000KM * length / 1000.0, 6),
                LINK_CAPEX_USD_PER_MW_KM * length + LINK_CAPEX_TERMINALS_USD_PER_MW,
            )
        )
    return net


# ---------------------------------------------------------------------------------------------
# grid_model dataset


def dataset_tables(net: SyntheticNetwork) -> tuple[dict[str, list[dict[str, Any]]], dict[str, np.ndarray]]:
    """grid_model's dataset tables and availability profiles for the network."""
    zones = [{"zone": z, "voll_usd_per_mwh": VOLL, "source": "synthetic benchmark"} for z in net.zones]
    fuels = [{"fuel": f, "price_usd_per_mwh_th": p, "co2_t_per_mwh_th": c} for f, (p, c) in FUELS.items()]
    techs: list[dict[str, Any]] = [
        {
            "technology": t.name,
            "category": t.category,
            "fuel": t.fuel,
            "renewable": t.renewable,
            "efficiency_pu": t.efficiency,
            "vom_usd_per_mwh": t.vom,
            "capex_usd_per_kw": t.capex_kw,
            "fom_usd_per_kw_yr": t.fom_kw_yr,
            "lifetime_yr": t.lifetime,
        }
        for t in TECHS
    ]
    techs.append(
        {
            "technology": "battery",
            "category": "storage",
            "capex_usd_per_kw": BATTERY_CAPEX_KW,
            "fom_usd_per_kw_yr": BATTERY_FOM_KW_YR,
            "lifetime_yr": BATTERY_LIFETIME,
        }
    )
    gens, profiles = [], {}
    for g in net.generators:
        row: dict[str, Any] = {
            "generator": g.name,
            "zone": g.zone,
            "technology": g.tech.name,
            "p_nom_mw": g.p_nom,
            "p_nom_max_mw": g.p_nom_max,
            "efficiency_pu": g.efficiency if g.tech.fuel else None,
            "vom_usd_per_mwh": g.vom,
        }
        if g.profile is not None:
            profiles[g.name] = g.profile
            row["profile"] = g.name
        else:
            row["availability_pu"] = g.tech.availability
        gens.append(row)
    storage = [
        {
            "storage": b.name,
            "zone": b.zone,
            "technology": "battery",
            "p_nom_mw": b.p_nom,
            "p_nom_max_mw": b.p_nom_max,
            "max_hours": BATTERY_HOURS,
            "efficiency_charge_pu": BATTERY_ETA,
            "efficiency_discharge_pu": BATTERY_ETA,
            "standing_loss_pu_per_h": 0.0,
            "capex_usd_per_kwh": BATTERY_CAPEX_KWH,
        }
        for b in net.batteries
    ]
    links = [
        {
            "link": lk.name,
            "zone_from": lk.zone_from,
            "zone_to": lk.zone_to,
            "kind": "AC",
            "status": "existing",
            "p_nom_mw": lk.p_nom,
            "p_nom_max_mw": lk.p_nom_max,
            "length_km": lk.length_km,
            "loss_pu": lk.loss,
            "capex_usd_per_mw": lk.capex_mw,
            "fom_pct_per_yr": LINK_FOM_PCT,
            "lifetime_yr": LINK_LIFETIME,
        }
        for lk in net.links
    ]
    tables = {
        "zones": zones,
        "fuels": fuels,
        "technologies": techs,
        "generators": gens,
        "storage": storage,
        "links": links,
    }
    return tables, profiles


def write_grid_model_dataset(net: SyntheticNetwork, folder: str | Path) -> Path:
    """Write the network as a grid_model dataset folder (``grid_model.dataset.write_dataset``)."""
    from grid_model.dataset import write_dataset

    tables, profiles = dataset_tables(net)
    return write_dataset(
        folder, tables, net.demand, availability_pu=profiles, weight_h=net.weights, duration_h=net.durations
    )


# ---------------------------------------------------------------------------------------------
# PyPSA network


def _capital_cost(capex_kw: float, fom_kw_yr: float, lifetime: float, rate: float) -> float:
    """Annualised capex plus fixed O&M [USD/MW/yr]."""
    return (capex_kw * crf(rate, lifetime) + fom_kw_yr) * 1000.0


def build_pypsa_network(net: SyntheticNetwork) -> Any:
    """The same network as a ``pypsa.Network`` (components added in bulk, as a PyPSA user would)."""
    import pypsa

    n = pypsa.Network()
    snaps = pd.RangeIndex(net.n_steps, name="snapshot")
    n.set_snapshots(snaps)
    n.snapshot_weightings["objective"] = net.weights
    n.snapshot_weightings["generators"] = net.weights
    n.snapshot_weightings["stores"] = net.durations
    r = net.discount_rate
    zones = net.zones

    n.add("Bus", zones)
    demand = pd.DataFrame({f"load-{z}": net.demand[z] for z in zones}, index=snaps)
    n.add("Load", demand.columns, bus=zones, p_set=demand)
    peaks = {z: float(np.max(net.demand[z])) for z in zones}
    shed = pd.DataFrame({f"voll-{z}": net.demand[z] / peaks[z] for z in zones}, index=snaps)
    n.add("Generator", shed.columns, bus=zones, p_nom=[peaks[z] for z in zones], p_max_pu=shed, marginal_cost=VOLL)

    gens = net.generators
    names = [g.name for g in gens]
    p_max_pu = pd.DataFrame(
        {g.name: g.profile if g.profile is not None else np.full(net.n_steps, g.tech.availability) for g in gens},
        index=snaps,
    )
    ext = [g.p_nom_max is not None for g in gens]
    n.add(
        "Generator",
        names,
        bus=[g.zone for g in gens],
        carrier=[g.tech.name for g in gens],
        p_nom=[g.p_nom for g in gens],
        p_nom_min=[g.p_nom for g in gens],
        p_nom_max=[g.p_nom_max if g.p_nom_max is not None else np.inf for g in gens],
        p_nom_extendable=ext,
        capital_cost=[
            _capital_cost(g.tech.capex_kw, g.tech.fom_kw_yr, g.tech.lifetime, r) if e else 0.0
            for g, e in zip(gens, ext, strict=True)
        ],
        marginal_cost=[marginal_cost(g) for g in gens],
        p_max_pu=p_max_pu,
    )

    bats = net.batteries
    bat_cc = _capital_cost(BATTERY_CAPEX_KW + BATTERY_CAPEX_KWH * BATTERY_HOURS, BATTERY_FOM_KW_YR, BATTERY_LIFETIME, r)
    n.add(
        "StorageUnit",
        [b.name for b in bats],
        bus=[b.zone for b in bats],
        p_nom=[b.p_nom for b in bats],
        p_nom_min=[b.p_nom for b in bats],
        p_nom_max=[b.p_nom_max if b.p_nom_max is not None else np.inf for b in bats],
        p_nom_extendable=[b.p_nom_max is not None for b in bats],
        capital_cost=[bat_cc if b.p_nom_max is not None else 0.0 for b in bats],
        max_hours=BATTERY_HOURS,
        efficiency_store=BATTERY_ETA,
        efficiency_dispatch=BATTERY_ETA,
        standing_loss=0.0,
        cyclic_state_of_charge=True,
    )

    for suffix, forward in (("fwd", True), ("bwd", False)):
        lks = net.links
        link_cc = [
            (lk.capex_mw * crf(r, LINK_LIFETIME) + lk.capex_mw * LINK_FOM_PCT / 100.0)
            if (lk.p_nom_max is not None and forward)
            else 0.0
            for lk in lks
        ]
        n.add(
            "Link",
            [f"{lk.name}-{suffix}" for lk in lks],
            bus0=[lk.zone_from if forward else lk.zone_to for lk in lks],
            bus1=[lk.zone_to if forward else lk.zone_from for lk in lks],
            p_nom=[lk.p_nom for lk in lks],
            p_nom_min=[lk.p_nom for lk in lks],
            p_nom_max=[lk.p_nom_max if lk.p_nom_max is not None else np.inf for lk in lks],
            p_nom_extendable=[lk.p_nom_max is not None for lk in lks],
            capital_cost=link_cc,
            efficiency=[1.0 - lk.loss for lk in lks],
            p_min_pu=0.0,
            p_max_pu=1.0,
        )
    return n


def tie_link_capacities(net: SyntheticNetwork) -> Any:
    """``extra_functionality`` for ``n.optimize``: each expandable link's two directions share one capacity."""
    tied = [lk.name for lk in net.links if lk.p_nom_max is not None]

    def extra_functionality(n: Any, snapshots: Any) -> None:
        if not tied:
            return
        p_nom = n.model["Link-p_nom"]
        for name in tied:
            fwd = p_nom.sel(name=f"{name}-fwd", drop=True)
            bwd = p_nom.sel(name=f"{name}-bwd", drop=True)
            n.model.add_constraints(fwd - bwd == 0, name=f"tie-{name}")

    return extra_functionality
