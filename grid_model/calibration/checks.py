"""Model vs reference: the pair, zone and link tables and the pass/fail criteria.

Shares are in percent of the zone's own generation; ``diff_pp`` = model − reported.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from grid_model.calibration.model_side import dispatch_basis, model_generation, model_shares_pct, results_scenario
from grid_model.calibration.reference import (
    PERCENT,
    REFERENCE_DIR,
    Reference,
    Tolerances,
    load_tolerances,
    reference_2023,
)
from grid_model.calibration.trade import (
    daily_flow_profile,
    flow_table,
    monthly_flow_profile,
    monthly_flow_table,
    price_table,
)
from grid_model.datagen.common import ZONES
from grid_model.schema import GENERATION_CATEGORIES

BALANCED_TWH = 0.005
"""A zone whose model net imports are smaller than this (TWh) is reported as ``balanced``."""
NOT_TESTED = "not tested"


@dataclass
class Calibration:
    """The comparison of one results folder with the reference."""

    pairs: pd.DataFrame
    zones: pd.DataFrame
    links: pd.DataFrame
    criteria: pd.DataFrame
    reference: Reference
    summary: dict[str, Any]
    tolerances: Tolerances
    flows: pd.DataFrame = field(default_factory=pd.DataFrame)  # per border and direction (trade.flow_table)
    prices: pd.DataFrame = field(default_factory=pd.DataFrame)  # per zone (trade.price_table)
    hurdles: pd.DataFrame = field(default_factory=pd.DataFrame)  # trade with vs without hurdles (trade.hurdle_effect)
    profile: pd.DataFrame = field(default_factory=pd.DataFrame)  # mean net flow by hour of day (trade)
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)  # monthly flows where published (trade)
    seasonal: pd.DataFrame = field(default_factory=pd.DataFrame)  # mean net flow by month (trade)

    @property
    def passed(self) -> bool:
        """True when every criterion holds."""
        return bool(self.criteria["passed"].all())


def _pair_table(folder: Path, ref: Reference, tol: Tolerances) -> pd.DataFrame:
    """One row per zone and category: model and reported shares, their difference, the tolerance and basis."""
    model = model_generation(folder)
    m_share, _ = model_shares_pct(folder)
    r_share = ref.shares_pct()
    basis = dispatch_basis(folder).set_index(["zone", "category"])
    rows = []
    for z in ZONES:
        for c in GENERATION_CATEGORIES:
            ms, rs = float(m_share.loc[z, c]), float(r_share.loc[z, c])
            d = ms - rs
            limit, why = tol.for_pair(z, c, tol.share_max_pp)
            rows.append(
                {
                    "zone": z,
                    "category": c,
                    "model_share": ms,
                    "reported_share": rs,
                    "diff_pp": d,
                    "within_5": abs(d) <= tol.share_close_pp,
                    "within_10": abs(d) <= tol.share_max_pp,
                    "tolerance_pp": limit,
                    "within_tolerance": abs(d) <= limit,
                    "exception": why,
                    "model_twh": float(model.loc[z, c]),
                    "reported_twh": float(ref.generation_twh.loc[z, c]),
                    "basis": basis.loc[(z, c), "basis"],
                }
            )
    return pd.DataFrame(rows)


def _position(net_twh: float, threshold_twh: float, below: str) -> str:
    """``importer`` / ``exporter`` from net imports, or ``below`` when abs(net) is under the threshold."""
    if abs(net_twh) < threshold_twh:
        return below
    return "importer" if net_twh > 0 else "exporter"


def _zone_row(
    z: str, prices: pd.DataFrame, gen_twh: float, ren: tuple[float, float], ref: Reference, tol: Tolerances
) -> dict[str, Any]:
    """The per-zone comparison (renewable share, demand, unserved, net trade position) for zone ``z``;
    ``ren`` = (model, reported) renewable share, percent."""
    m_ren, r_ren = ren
    limit, why = tol.for_pair(z, "renewable", tol.renewable_pp)
    dem = float(prices.loc[z, "demand_twh"])
    unserved = float(prices.loc[z, "unserved_twh"])
    m_net = dem - unserved - gen_twh  # imports net of losses = served demand − generation
    r_net = float(ref.net_imports_twh[z])
    r_dem = float(ref.demand_twh[z])
    r_pos = _position(r_net, tol.net_trade_min_twh, NOT_TESTED)
    m_pos = _position(m_net, BALANCED_TWH, "balanced")
    return {
        "zone": z,
        "model_renewable_share": m_ren,
        "reported_renewable_share": r_ren,
        "renewable_diff_pp": m_ren - r_ren,
        "renewable_tolerance_pp": limit,
        "renewable_ok": abs(m_ren - r_ren) <= limit,
        "renewable_exception": why,
        "model_demand_twh": dem,
        "reported_demand_twh": r_dem,
        "demand_error_pct": PERCENT * (dem / r_dem - 1.0),
        "demand_ok": abs(dem / r_dem - 1.0) <= tol.demand_max_error_fraction,
        "unserved_twh": unserved,
        "unserved_pct": PERCENT * unserved / dem if dem > 0 else 0.0,
        "model_generation_twh": gen_twh,
        "reported_generation_twh": float(ref.generation_twh.loc[z].sum()),
        "model_net_imports_twh": m_net,
        "reported_net_imports_twh": r_net,
        "reported_position": r_pos,
        "model_position": m_pos,
        "position_ok": m_pos == r_pos or r_pos == NOT_TESTED,
    }


def _zone_table(folder: Path, prices: pd.DataFrame, ref: Reference, tol: Tolerances) -> pd.DataFrame:
    """One row per zone: renewable share, demand, unserved energy and net trade position."""
    gen_total = model_generation(folder).sum(axis=1)
    _, m_ren = model_shares_pct(folder)
    r_ren = ref.renewable_share_pct()
    rows = [_zone_row(z, prices, float(gen_total[z]), (float(m_ren[z]), float(r_ren[z])), ref, tol) for z in ZONES]
    return pd.DataFrame(rows)


def _link_table(links: pd.DataFrame, ref: Reference) -> pd.DataFrame:
    """One row per reported link direction: the model's net flow from the reported exporter (TWh)."""
    rows = []
    for e in ref.links:
        hit = links[links["link"] == e.link]
        if hit.empty:
            net = math.nan
        else:
            r = hit.iloc[0]
            fwd = float(r["flow_forward_twh"]) - float(r["flow_backward_twh"])  # zone_from → zone_to
            net = fwd if r["zone_from"] == e.exporter else -fwd
        rows.append(
            {
                "link": e.link,
                "exporter": e.exporter,
                "importer": e.importer,
                "model_net_twh": net,
                "ok": bool(net > 0),
                "source": e.source,
            }
        )
    return pd.DataFrame(rows)


def _worst(df: pd.DataFrame, col: str, extra: str | None = None) -> str:
    """The row with the largest abs(``col``), as 'zone [extra] ±x.x pp'."""
    r = df.loc[df[col].abs().idxmax()]
    label = f"{r['zone']} {r[extra]}" if extra else str(r["zone"])
    return f"{label} {r[col]:+.1f} pp"


def _criteria_table(
    pairs: pd.DataFrame,
    zones: pd.DataFrame,
    links: pd.DataFrame,
    prices: pd.DataFrame,
    cal: tuple[Reference, Tolerances],
) -> pd.DataFrame:
    """The acceptance criteria: requirement, result and pass/fail."""
    ref, tol = cal
    dem_total = float(prices["demand_twh"].sum())
    uns_total = float(prices["unserved_twh"].sum())
    general = pairs[pairs["exception"] == ""]
    exc = pairs[pairs["exception"] != ""]
    frac5 = float(pairs["within_5"].mean())
    tested = zones["reported_position"] != NOT_TESTED
    crit = [
        (
            "renewable share per zone",
            f"abs(diff) ≤ {tol.renewable_pp:g} pp in every zone (listed exceptions: own tolerance)",
            f"{int(zones['renewable_ok'].sum())}/{len(zones)} zones; worst {_worst(zones, 'renewable_diff_pp')}",
            bool(zones["renewable_ok"].all()),
        ),
        (
            f"category shares within {tol.share_close_pp:g} pp",
            f"≥ {tol.share_close_min_fraction:.0%} of the {len(pairs)} zone × category pairs",
            f"{frac5:.1%} ({int(pairs['within_5'].sum())}/{len(pairs)})",
            frac5 >= tol.share_close_min_fraction,
        ),
        (
            f"category shares within {tol.share_max_pp:g} pp",
            "all pairs (listed exceptions: own tolerance)",
            f"{int(general['within_10'].sum())}/{len(general)} general pairs; "
            f"{int(exc['within_tolerance'].sum())}/{len(exc)} exceptions; worst {_worst(pairs, 'diff_pp', 'category')}",
            bool(general["within_10"].all() and exc["within_tolerance"].all()),
        ),
        (
            "annual demand per zone",
            f"within {tol.demand_max_error_fraction:.0%} of the reported demand",
            f"max abs(error) {zones['demand_error_pct'].abs().max():.3f} %",
            bool(zones["demand_ok"].all()),
        ),
        (
            "unserved energy",
            f"< {tol.unserved_max_fraction:.1%} of demand (system and every zone)",
            f"{PERCENT * uns_total / dem_total:.4f} % of demand; max zone {zones['unserved_pct'].max():.4f} %",
            bool(
                uns_total < tol.unserved_max_fraction * dem_total
                and (zones["unserved_pct"] < PERCENT * tol.unserved_max_fraction).all()
            ),
        ),
        (
            "net trade direction on existing links",
            "as reported: " + ", ".join(f"{e.exporter}→{e.importer}" for e in ref.links),
            ", ".join(f"{r.link} {r.model_net_twh:+.2f} TWh" for r in links.itertuples()),
            bool(links["ok"].all()),
        ),
        (
            "net importer / exporter per zone",
            f"as reported, where abs(reported net imports) ≥ {tol.net_trade_min_twh:g} TWh",
            f"{int(zones.loc[tested, 'position_ok'].sum())}/{int(tested.sum())} zones",
            bool(zones["position_ok"].all()),
        ),
    ]
    return pd.DataFrame(crit, columns=["criterion", "requirement", "result", "passed"])


def _trade_criteria(flows: pd.DataFrame, prices: pd.DataFrame) -> pd.DataFrame:
    """Flow magnitude per border and direction within its band; cost-based prices not above the reported
    level where a reference bounds them."""
    rows = []
    tested = flows[flows["tested"]] if not flows.empty else flows
    if not tested.empty:
        skipped = ", ".join(flows.loc[~flows["tested"], "border"])
        rows.append(
            (
                "flow per border and direction",
                "within the sourced band (reference_flows_2023.csv)"
                + (f"; not tested (documented data gap): {skipped}" if skipped else ""),
                ", ".join(
                    f"{r.border} {r.model_twh:.2f} [{r.low_twh:.2f}, {r.high_twh:.2f}]" for r in tested.itertuples()
                ),
                bool(tested["in_band"].all()),
            )
        )
    banded = prices[prices["ok"].notna()] if not prices.empty else prices
    if not banded.empty:
        rows.append(
            (
                "price level per zone",
                "model average within the sourced bound (reference_prices_2023.csv; cost-based: not above the market)",
                ", ".join(
                    f"{r.zone} {r.model_usd_per_mwh:.0f} ≤ {r.high_usd_per_mwh:.0f} USD/MWh"
                    for r in banded.itertuples()
                ),
                bool(banded["ok"].astype(bool).all()),
            )
        )
    return pd.DataFrame(rows, columns=["criterion", "requirement", "result", "passed"])


def _run_info(folder: Path, frac5: float) -> dict[str, Any]:
    """Scenario name, time resolution and headline figures of the run."""
    sc = results_scenario(folder)
    path = folder / "summary.json"
    summary = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    return {
        "scenario": sc.get("name", summary.get("scenario", "")),
        "time": sc.get("time", {}),
        "n_timesteps": summary.get("n_timesteps"),
        "renewable_share_system": summary.get("renewable_share"),
        "co2_mt": summary.get("co2_mt"),
        "share_within_5_fraction": frac5,
    }


def compare(
    results_folder: str | Path,
    reference: Reference | None = None,
    tolerances: Tolerances | None = None,
    reference_folder: Path = REFERENCE_DIR,
) -> Calibration:
    """Compare a calibration results folder with :func:`~grid_model.calibration.reference.reference_2023`.

    Returns the tidy pair table (zone, category, model_share, reported_share, diff_pp, within_5, within_10,
    tolerance_pp, within_tolerance, basis, …; shares in percent of the zone's generation), the per-zone table
    (renewable share, demand, net imports, unserved, trade position), the link-direction table, the flows per
    border and direction, the price levels (``grid_model.calibration.trade``) and the criteria.
    ``within_5``/``within_10`` are against the ``share_close_pp``/``share_max_pp`` tolerances (5 and 10 pp).
    """
    folder = Path(results_folder)
    ref = reference or reference_2023()
    tol = tolerances or load_tolerances()
    prices = pd.read_csv(folder / "prices.csv").set_index("zone").reindex(list(ZONES))
    pairs = _pair_table(folder, ref, tol)
    zones = _zone_table(folder, prices, ref, tol)
    links = _link_table(pd.read_csv(folder / "links.csv"), ref)
    criteria = _criteria_table(pairs, zones, links, prices, (ref, tol))
    flows, price_levels = flow_table(folder, reference_folder), price_table(folder, reference_folder)
    criteria = pd.concat([criteria, _trade_criteria(flows, price_levels)], ignore_index=True)
    info = _run_info(folder, float(pairs["within_5"].mean()))
    trade = {
        "profile": daily_flow_profile(folder),
        "monthly": monthly_flow_table(folder, reference_folder),
        "seasonal": monthly_flow_profile(folder),
    }
    return Calibration(pairs, zones, links, criteria, ref, info, tol, flows, price_levels, **trade)


def resolution_deviation(full_folder: str | Path, reduced_folder: str | Path) -> pd.DataFrame:
    """Per zone and category (and renewable share), the model share of a reduced-time-resolution run minus the
    full-year run's, in percentage points."""
    sa, ra = model_shares_pct(Path(full_folder))
    sb, rb = model_shares_pct(Path(reduced_folder))
    sa["renewable"], sb["renewable"] = ra, rb
    d = (sb - sa).stack().rename("deviation_pp").reset_index()
    d.columns = ["zone", "category", "deviation_pp"]
    return d
