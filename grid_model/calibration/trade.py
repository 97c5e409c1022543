"""Trade and prices in the calibration: flows per border each way, the regional market's injections, price
levels per zone, the trade a hurdle cost would remove, and the average daily flow profile of each border.

Reads result tables (``links.csv``, ``prices.csv``, ``hourly/link_flow*_mw``, ``hourly/price_usd_per_mwh``) and
the sourced reference files ``reference_flows_2023.csv`` and ``reference_prices_2023.csv``; never builds or solves
a model.

- **Flow bands**: every reference row states its band [low, high] (TWh/yr) and why; the model's flow of that
  border and direction must fall inside it, except rows marked ``tested = false`` (a documented data gap, shown
  beside the model with the reason).
- **Prices**: the model is a cost-based LP, so its demand-weighted average price is a floor of a market price
  that also carries water values, scarcity pricing and mark-ups; where a reference gives an upper bound, the
  model must not exceed it. The gap is given in words per zone (``gap_reason``).
- **Trade a hurdle removes**: per link, the trade of this run beside a run of the same scenario with hurdle costs
  (``grid-model calibrate --hurdle DIR``): measured by re-solving, re-dispatch included.
- **Daily and monthly profiles**: the mean net flow of each link by hour of day and by month (chronological
  runs: full year or down-sampled), which way each border flows by day and by night, and by season.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from grid_model.calibration.reference import REFERENCE_DIR, read_reference_table
from grid_model.datagen.common import ZONES
from grid_model.schema import SOURCE, Column, TableSchema
from grid_model.units import MWH_PER_TWH

SIEPAC = ("GT", "SV", "HN", "NI", "CR", "PA")
"""The six zones of the Central American regional market (MER)."""
REGIONAL_MARKET = "SIEPAC"
"""``link`` value of the reference row that stands for the MER's injections, not one link."""
HOURS_PER_DAY = 24
STEP_COLUMNS = ("weight_h", "duration_h")

_RELIABILITY = Column("reliability", "str", required=False, default="", description="R, R-press or D (derived).")
FLOWS = TableSchema(
    "reference_flows",
    "reference_flows_2023.csv",
    "Reported 2023 flows per border and direction, with a band and its justification.",
    (
        Column("border", "str", description="Border and direction, e.g. CO→EC."),
        Column("link", "str", description=f"Link id as in links.csv, or {REGIONAL_MARKET} (the MER's injections)."),
        Column("exporter", "str", description="Sending zone (or SIEPAC)."),
        Column("importer", "str", description="Receiving zone (or SIEPAC)."),
        Column("reported_twh", "float", "TWh", required=False, default=None, min=0, description="Reported flow."),
        Column("low_twh", "float", "TWh", min=0, description="Lower end of the band."),
        Column("high_twh", "float", "TWh", min=0, description="Upper end of the band."),
        Column(
            "tested",
            "bool",
            required=False,
            default=True,
            description="A criterion (true) or shown beside the model only, for a documented data gap (false).",
        ),
        _RELIABILITY,
        Column("band", "str", description="Why the band is what it is."),
        SOURCE,
    ),
    key=("border",),
)
MONTHLY_FLOWS = TableSchema(
    "reference_flows_monthly",
    "reference_flows_monthly_2023.csv",
    "Reported 2023 monthly flows where published (shown beside the model; not a criterion).",
    (
        Column("border", "str", description="Border and direction, e.g. CO→EC."),
        Column("link", "str", description="Link id as in links.csv."),
        Column("exporter", "str", description="Sending zone."),
        Column("month", "int", min=1, max=12, description="Month of 2023."),
        Column("reported_gwh", "float", "GWh", min=0, description="Reported flow in the month."),
        _RELIABILITY,
        SOURCE,
    ),
    key=("border", "month"),
)
PRICES = TableSchema(
    "reference_prices",
    "reference_prices_2023.csv",
    "Reported 2023 wholesale / marginal price levels per zone and the reasons for the model's gap.",
    (
        Column("zone", "str", allowed=ZONES, description="Zone code."),
        Column("reported_usd_per_mwh", "float", "USD/MWh", required=False, default=None, description="Average."),
        Column("low_usd_per_mwh", "float", "USD/MWh", required=False, default=None, description="Band low end."),
        Column("high_usd_per_mwh", "float", "USD/MWh", required=False, default=None, description="Band high end."),
        Column("what", "str", description="Which price (spot, marginal cost, nodal…)."),
        _RELIABILITY,
        Column("gap_reason", "str", description="Why the cost-based model differs."),
        SOURCE,
    ),
    key=("zone",),
)


def _hourly(folder: Path, name: str) -> pd.DataFrame | None:
    """An hourly result table (``hourly/<name>.parquet`` or ``.csv``), or None when the run did not write it."""
    for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        path = Path(folder) / "hourly" / f"{name}{suffix}"
        if path.exists():
            return reader(path)
    return None


def _link_flow_twh(links: pd.DataFrame, link: str, exporter: str) -> float:
    """The model's annual flow on ``link`` sent by ``exporter`` (TWh), NaN when the link is not in the run."""
    hit = links[links["link"] == link]
    if hit.empty:
        return float("nan")
    r = hit.iloc[0]
    return float(r["flow_forward_twh"] if r["zone_from"] == exporter else r["flow_backward_twh"])


def regional_injections_twh(folder: Path, links: pd.DataFrame, zones: tuple[str, ...] = SIEPAC) -> float:
    """Σ_t w_t Σ_{z ∈ zones} max(0, net export of z on the links inside ``zones`` at t) / 10⁶ [TWh]: the energy
    the zones inject into their regional grid step by step (transit counted once, by the zone that injects)."""
    flow = _hourly(folder, "link_flow_mw")
    if flow is None:
        return float("nan")
    inside = links[links["zone_from"].isin(zones) & links["zone_to"].isin(zones)]
    net = np.zeros((len(flow), len(zones)))
    for r in inside.itertuples(index=False):
        if r.link in flow.columns:
            f = flow[r.link].to_numpy(dtype=float)
            net[:, zones.index(r.zone_from)] += f
            net[:, zones.index(r.zone_to)] -= f
    w = flow["weight_h"].to_numpy(dtype=float)
    return float(np.clip(net, 0.0, None).sum(axis=1) @ w / MWH_PER_TWH)


def flow_table(folder: Path, reference_folder: Path = REFERENCE_DIR) -> pd.DataFrame:
    """One row per reference border and direction: model vs reported flow (TWh/yr) and whether it is in band."""
    ref = read_reference_table(FLOWS, reference_folder)
    links = pd.read_csv(Path(folder) / "links.csv")
    rows = []
    for r in ref.itertuples(index=False):
        if r.link == REGIONAL_MARKET:
            model = regional_injections_twh(folder, links)
        else:
            model = _link_flow_twh(links, r.link, r.exporter)
        rows.append(
            {
                "border": r.border,
                "link": r.link,
                "model_twh": model,
                "reported_twh": r.reported_twh,
                "low_twh": float(r.low_twh),
                "high_twh": float(r.high_twh),
                "in_band": bool(r.low_twh <= model <= r.high_twh),
                "tested": bool(r.tested),
                "reliability": r.reliability,
                "band": r.band,
                "source": r.source,
            }
        )
    return pd.DataFrame(rows)


def price_table(folder: Path, reference_folder: Path = REFERENCE_DIR) -> pd.DataFrame:
    """Per zone: the model's demand-weighted average price beside the reported level; ``ok`` where the reference
    gives a band (NaN ends are open), ``None`` where it gives none."""
    ref = read_reference_table(PRICES, reference_folder)
    model = pd.read_csv(Path(folder) / "prices.csv").set_index("zone")["price_avg_usd_per_mwh"]
    rows = []
    for z in ZONES:
        r = ref.loc[z] if z in ref.index else None
        low = np.nan if r is None else float(r["low_usd_per_mwh"])
        high = np.nan if r is None else float(r["high_usd_per_mwh"])
        m = float(model.get(z, np.nan))
        banded = not (np.isnan(low) and np.isnan(high))
        ok = (np.isnan(low) or m >= low) and (np.isnan(high) or m <= high)
        rows.append(
            {
                "zone": z,
                "model_usd_per_mwh": m,
                "reported_usd_per_mwh": np.nan if r is None else float(r["reported_usd_per_mwh"]),
                "low_usd_per_mwh": low,
                "high_usd_per_mwh": high,
                "ok": bool(ok) if banded else None,
                "what": "" if r is None else r["what"],
                "gap_reason": "" if r is None else r["gap_reason"],
                "source": "" if r is None else r["source"],
            }
        )
    return pd.DataFrame(rows)


def hurdle_effect(without: Path, with_hurdle: Path) -> pd.DataFrame:
    """Per link: annual trade (both directions, TWh) in a run without hurdles and in the same scenario run with
    them, the trade the hurdle removed, and the hurdle level (hurdle charges / trade of the second run,
    USD/MWh). Measured by re-solving, so it includes re-dispatch: on an uncongested link a hurdle mostly splits
    the two prices by h rather than stopping the trade."""
    a = pd.read_csv(Path(without) / "links.csv").set_index("link")
    b = pd.read_csv(Path(with_hurdle) / "links.csv").set_index("link").reindex(a.index)
    trade_a = a["flow_forward_twh"] + a["flow_backward_twh"]
    trade_b = b["flow_forward_twh"] + b["flow_backward_twh"]
    charges = b["hurdle_cost_usd"] if "hurdle_cost_usd" in b else pd.Series(0.0, index=b.index)
    out = pd.DataFrame(
        {
            "link": a.index,
            "hurdle_usd_per_mwh": (charges / (trade_b * MWH_PER_TWH)).where(trade_b > 0, np.nan).to_numpy(),
            "trade_without_twh": trade_a.to_numpy(),
            "trade_with_twh": trade_b.to_numpy(),
        }
    )
    out["removed_twh"] = out["trade_without_twh"] - out["trade_with_twh"]
    out["removed_share"] = np.where(out["trade_without_twh"] > 0, out["removed_twh"] / out["trade_without_twh"], 0.0)
    return out


def hour_of_day(steps: pd.DataFrame) -> np.ndarray:
    """Hour of day (0–23) at the start of each chronological step, from the step durations (steps run from
    00:00 on 1 January)."""
    dur = steps["duration_h"].to_numpy(dtype=float) if "duration_h" in steps else steps["weight_h"].to_numpy()
    start = np.concatenate([[0.0], np.cumsum(dur)[:-1]])
    return (np.floor(start) % HOURS_PER_DAY).astype(int)


def daily_flow_profile(folder: Path) -> pd.DataFrame:
    """Mean net flow (MW, + = zone_from → zone_to) of each link by hour of day, weighted by the step weights
    (hours × links); empty when the run has no hourly flows or is not chronological (typical periods)."""
    flow = _hourly(folder, "link_flow_mw")
    if flow is None or not np.allclose(flow["weight_h"], flow.get("duration_h", flow["weight_h"])):
        return pd.DataFrame()
    hours = hour_of_day(flow)
    w = flow["weight_h"].to_numpy(dtype=float)
    cols = [c for c in flow.columns if c not in STEP_COLUMNS]
    values = flow[cols].to_numpy(dtype=float) * w[:, None]
    sums = np.zeros((HOURS_PER_DAY, len(cols)))
    np.add.at(sums, hours, values)
    weight = np.bincount(hours, weights=w, minlength=HOURS_PER_DAY)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / weight[:, None]
    return pd.DataFrame(mean, columns=cols, index=pd.RangeIndex(HOURS_PER_DAY, name="hour"))


def month_of_step(steps: pd.DataFrame) -> np.ndarray:
    """Month (1–12) at the start of each chronological step of a non-leap year starting 1 January."""
    dur = steps["duration_h"].to_numpy(dtype=float) if "duration_h" in steps else steps["weight_h"].to_numpy()
    day = np.floor(np.concatenate([[0.0], np.cumsum(dur)[:-1]]) / HOURS_PER_DAY).astype(int)
    month_start = np.cumsum([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30])
    return np.searchsorted(month_start, np.minimum(day, 364), side="right")


def monthly_flow_table(folder: Path, reference_folder: Path = REFERENCE_DIR) -> pd.DataFrame:
    """The model's monthly flow (GWh) beside each published monthly figure; empty for non-chronological runs."""
    ref = read_reference_table(MONTHLY_FLOWS, reference_folder)
    fwd, bwd = _hourly(folder, "link_flow_forward_mw"), _hourly(folder, "link_flow_backward_mw")
    if fwd is None or bwd is None or not np.allclose(fwd["weight_h"], fwd.get("duration_h", fwd["weight_h"])):
        return pd.DataFrame()
    links = pd.read_csv(Path(folder) / "links.csv").set_index("link")
    month = month_of_step(fwd)
    w = fwd["weight_h"].to_numpy(dtype=float)
    rows = []
    for r in ref.itertuples(index=False):
        if r.link not in fwd.columns:
            continue
        series = fwd if links.at[r.link, "zone_from"] == r.exporter else bwd
        model = float((series[r.link].to_numpy(dtype=float) * w)[month == r.month].sum()) / 1e3
        rows.append(
            {
                "border": r.border,
                "month": r.month,
                "model_gwh": model,
                "reported_gwh": r.reported_gwh,
                "source": r.source,
            }
        )
    return pd.DataFrame(rows)


def monthly_flow_profile(folder: Path) -> pd.DataFrame:
    """Mean net flow (MW, + = zone_from → zone_to) of each link by month (months × links): which way each border
    flows by season; empty when the run has no hourly flows or is not chronological."""
    flow = _hourly(folder, "link_flow_mw")
    if flow is None or not np.allclose(flow["weight_h"], flow.get("duration_h", flow["weight_h"])):
        return pd.DataFrame()
    month = month_of_step(flow)
    w = flow["weight_h"].to_numpy(dtype=float)
    cols = [c for c in flow.columns if c not in STEP_COLUMNS]
    frame = pd.DataFrame(flow[cols].to_numpy(dtype=float) * w[:, None], columns=cols)
    sums = frame.groupby(month).sum()
    return sums.div(pd.Series(w).groupby(month).sum(), axis=0).rename_axis("month")
