"""Interconnectors: lossy bidirectional transport with optional new capacity.

Variables per link l and timestep t: ``link_flow_fwd_mw`` (zone_from → zone_to) and ``link_flow_bwd_mw``
(zone_to → zone_from), both ≥ 0; ``link_new_cap_mw[l] ∈ [F_min − F0, F̄ − F0]`` for expandable links (F_min > F0: a committed project).

    f⁺[l,t] ≤ a⁺[l,t]·(F0[l] + y[l]),  f⁻[l,t] ≤ a⁻[l,t]·(F0[l] + y[l])
                                                     link_flow_fwd_max, link_flow_bwd_max (column bounds if fixed)

a⁺[l,t] = p_max_pu_fwd[l]·profile ``<link>:fwd``[t] (and a⁻ with ``p_max_pu_rev`` and ``<link>:rev``): the
operable transfer limit as a share of the rating, static (links.csv) and, where availability_pu.csv has the
column, time-varying (e.g. an export suspension); 1 when neither is given.

Losses: the receiving end gets (1 − λ_l)·f. Unless given in links.csv, λ_l = 6.75 %/1000 km for AC and
3.5 %/1000 km + 1.3 % converter losses for DC (OSeMOSYS Global defaults, see data/README.md).

Registries: balance[from, t] += −f⁺ + (1 − λ)·f⁻;  balance[to, t] += (1 − λ)·f⁺ − f⁻.
Costs: capex_transmission += capex·CRF·y;  fixed_om += fom%·capex·y;
hurdle += Σ_t w_t·h[l]·(f⁺ + f⁻) (a transfer: out of the economic system cost, ``schema.TRANSFER_CATEGORIES``).
With a hurdle h the link carries power from a to b only when (1 − λ)·π_b − π_a ≥ h.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from grid_model.dataset import Dataset
from grid_model.model.context import Context, FeatureReport, Readout
from grid_model.model.expansion import add_capacity_limit, declare_new_capacity, fixed_upper, is_expandable
from grid_model.options import ModelOptions, annuity_factor
from grid_model.pyomo_speed import hourly_var, linear_terms, var_rows
from grid_model.schema import default_loss_pu
from grid_model.units import MWH_PER_TWH

NAME = "links"
PERCENT = 100.0


def link_params(ds: Dataset, options: ModelOptions) -> pd.DataFrame:
    """One row per link with the numbers the model uses."""
    links = ds.tables["links"]
    out = pd.DataFrame(index=links.index)
    if links.empty:
        return out.assign(
            zone_from=[], zone_to=[], p_nom_mw=[], p_nom_max_mw=[], loss_pu=[], expandable=[], hurdle_usd_per_mwh=[]
        )
    out["zone_from"] = links["zone_from"]
    out["zone_to"] = links["zone_to"]
    out["kind"] = links["kind"]
    out["status"] = links["status"]
    out["length_km"] = links["length_km"]
    out["p_nom_mw"] = links["p_nom_mw"]
    out["p_nom_max_mw"] = links["p_nom_max_mw"].fillna(links["p_nom_mw"] + links["project_mw"])
    out["p_nom_min_mw"] = links["p_nom_min_mw"].fillna(links["p_nom_mw"]).clip(lower=links["p_nom_mw"])
    out["expandable"] = is_expandable(out["p_nom_mw"], out["p_nom_max_mw"])
    computed = [default_loss_pu(k, km) for k, km in zip(links["kind"], links["length_km"], strict=True)]
    out["loss_pu"] = links["loss_pu"].fillna(pd.Series(computed, index=links.index))
    crf = np.array([annuity_factor(options.discount_rate, n) for n in links["lifetime_yr"]])
    out["capex_usd_per_mw"] = links["capex_usd_per_mw"]
    out["capex_annual_usd_per_mw"] = links["capex_usd_per_mw"] * crf
    out["fom_usd_per_mw_yr"] = links["capex_usd_per_mw"] * links["fom_pct_per_yr"] / PERCENT
    out["lifetime_yr"] = links["lifetime_yr"]
    out["p_max_pu_fwd"] = links["p_max_pu_fwd"]
    out["p_max_pu_rev"] = links["p_max_pu_rev"]
    out["hurdle_usd_per_mwh"] = links["hurdle_usd_per_mwh"]
    return out


DIRECTIONS = {"fwd": "p_max_pu_fwd", "rev": "p_max_pu_rev"}


def limit_profile_column(link: str, direction: str) -> str:
    """Name of a link's time-varying limit in timeseries/availability_pu.csv: ``<link>:fwd`` or ``<link>:rev``."""
    return f"{link}:{direction}"


def transfer_limit_pu(ds: Dataset, params: pd.DataFrame, direction: str) -> np.ndarray:
    """a[l,t] (links × steps): the static ``p_max_pu_<direction>`` times the profile ``<link>:<direction>`` where
    availability_pu has that column (module docstring)."""
    n = len(ds.timesteps)
    out = np.repeat(params[DIRECTIONS[direction]].to_numpy(dtype=float)[:, None], n, axis=1)
    for i, lk in enumerate(params.index):
        col = limit_profile_column(lk, direction)
        if col in ds.availability_pu.columns:
            out[i] *= ds.availability_pu[col].to_numpy(dtype=float)
    return out


def add(ctx: Context) -> None:
    """Declare link flows and expansion; append sent and received power to the balance."""
    m = ctx.m
    params = ctx.params[NAME] = link_params(ctx.ds, ctx.options)
    links = list(params.index)
    ctx.declare("LINKS", pyo.Set(initialize=links, ordered=True, doc="Interconnectors"))
    if not links:
        return
    # existing links: flows in [0, a·F0] as column bounds; expandable links are capped by rows below
    a_fwd, a_rev = transfer_limit_pu(ctx.ds, params, "fwd"), transfer_limit_pu(ctx.ds, params, "rev")
    hourly_var(m, "link_flow_fwd_mw", m.LINKS, 0.0, fixed_upper(params, a_fwd), "Flow zone_from → zone_to, sent [MW]")
    hourly_var(m, "link_flow_bwd_mw", m.LINKS, 0.0, fixed_upper(params, a_rev), "Flow zone_to → zone_from, sent [MW]")
    new = declare_new_capacity(ctx, "link", params, "capex_transmission", "Transfer capacity")
    f0 = params["p_nom_mw"].to_dict()
    row = {lk: i for i, lk in enumerate(links)}
    for name, var, a, doc in (
        ("link_flow_fwd_max", m.link_flow_fwd_mw, a_fwd, "f⁺ ≤ a⁺·(F0 + y) [MW]"),
        ("link_flow_bwd_max", m.link_flow_bwd_mw, a_rev, "f⁻ ≤ a⁻·(F0 + y) [MW]"),
    ):
        per_unit = None if np.all(a == 1.0) else (lambda k, t, a=a: float(a[row[k], t]))
        add_capacity_limit(ctx, name, var, new, f0, doc, per_unit=per_unit)
    n = len(ctx.T)
    for lk, fwd_row, bwd_row in zip(
        links, var_rows(m.link_flow_fwd_mw, links, n), var_rows(m.link_flow_bwd_mw, links, n), strict=True
    ):
        keep = 1.0 - float(params.at[lk, "loss_pu"])
        # one term per series (not keep·f⁻ − f⁺): the balance is then one flat sum (pyomo_speed.linear_sum)
        for zone, sent, received in (
            (params.at[lk, "zone_from"], fwd_row, bwd_row),
            (params.at[lk, "zone_to"], bwd_row, fwd_row),
        ):
            ctx.balance.add_series(zone, [-f for f in sent])
            ctx.balance.add_series(zone, [keep * f for f in received])
    _add_hurdle(ctx, params)


def _add_hurdle(ctx: Context, params: pd.DataFrame) -> None:
    """hurdle += Σ_l Σ_t w_t·h[l]·(f⁺[l,t] + f⁻[l,t])  [USD/yr], for links with h > 0."""
    m = ctx.m
    charged = [lk for lk in params.index if params.at[lk, "hurdle_usd_per_mwh"] > 0]
    if not charged:
        return
    w = [float(x) for x in ctx.weight_h]
    terms = []
    for lk, fwd, bwd in zip(
        charged,
        var_rows(m.link_flow_fwd_mw, charged, len(w)),
        var_rows(m.link_flow_bwd_mw, charged, len(w)),
        strict=True,
    ):
        h = float(params.at[lk, "hurdle_usd_per_mwh"])
        terms += [(h * wt, f) for wt, f in zip(w, fwd, strict=True)]
        terms += [(h * wt, f) for wt, f in zip(w, bwd, strict=True)]
    ctx.costs.add("hurdle", linear_terms(terms))


def report(ctx: Context, readout: Readout) -> FeatureReport:
    """Per link: capacity, flows each way, utilisation, congestion rent (merchandising surplus), investment and
    the hurdle charges paid; hourly net, forward and backward flows.

        rent[l] = Σ_t w_t·[f⁺·((1−λ)·π_to − π_from) + f⁻·((1−λ)·π_from − π_to)]      (USD/yr)
        hurdle_cost[l] = Σ_t w_t·h[l]·(f⁺ + f⁻)                                      (USD/yr)

    The rent includes the hurdle charges (the price gap pays them first).
    """
    params = ctx.params[NAME]
    links = list(params.index)
    w = ctx.weight_h
    fwd = readout.hourly("link_flow_fwd_mw", links)
    bwd = readout.hourly("link_flow_bwd_mw", links)
    new = readout.vector("link_new_cap_mw", [lk for lk in links if params.at[lk, "expandable"]])
    rows = []
    for j, lk in enumerate(links):
        a, b = params.at[lk, "zone_from"], params.at[lk, "zone_to"]
        keep = 1.0 - params.at[lk, "loss_pu"]
        built = new.get(lk, 0.0)
        cap = params.at[lk, "p_nom_mw"] + built
        pa, pb = readout.price_of(a), readout.price_of(b)
        rows.append(
            {
                "link": lk,
                "zone_from": a,
                "zone_to": b,
                "existing_mw": params.at[lk, "p_nom_mw"],
                "new_mw": built,
                "flow_forward_twh": float(fwd[j] @ w) / MWH_PER_TWH,
                "flow_backward_twh": float(bwd[j] @ w) / MWH_PER_TWH,
                "utilisation": float((fwd[j] + bwd[j]) @ w / (cap * w.sum())) if cap > 0 else 0.0,
                "congestion_rent_usd": float(np.sum(w * (fwd[j] * (keep * pb - pa) + bwd[j] * (keep * pa - pb)))),
                "loss_pu": params.at[lk, "loss_pu"],
                "investment_usd": built * params.at[lk, "capex_usd_per_mw"],
                "hurdle_cost_usd": float((fwd[j] + bwd[j]) @ w) * params.at[lk, "hurdle_usd_per_mwh"],
            }
        )
    tables = {"links": pd.DataFrame(rows, columns=LINK_COLUMNS)}
    if len(ctx.time.hydrologies) > 1:
        tables["links_by_hydrology"] = _by_hydrology(ctx, readout, params, fwd, bwd)
    return FeatureReport(
        tables=tables,
        hourly={
            "link_flow_mw": {lk: fwd[j] - bwd[j] for j, lk in enumerate(links)},
            "link_flow_forward_mw": {lk: fwd[j] for j, lk in enumerate(links)},
            "link_flow_backward_mw": {lk: bwd[j] for j, lk in enumerate(links)},
        },
    )


def _by_hydrology(
    ctx: Context, readout: Readout, params: pd.DataFrame, fwd: np.ndarray, bwd: np.ndarray
) -> pd.DataFrame:
    """Per link and hydrology: that hydrology's own annual flows and congestion rent (its steps, weights w_t), and
    the share of the link's expected rent it brings (π_ω·rent_ω / Σ_ω π_ω·rent_ω): how much of a link's value
    comes from dry years."""
    time = ctx.time
    rows = []
    for j, lk in enumerate(params.index):
        keep = 1.0 - params.at[lk, "loss_pu"]
        pa, pb = readout.price_of(params.at[lk, "zone_from"]), readout.price_of(params.at[lk, "zone_to"])
        rent_t = fwd[j] * (keep * pb - pa) + bwd[j] * (keep * pa - pb)
        for h, (name, p) in enumerate(zip(time.hydrologies, time.probabilities, strict=True)):
            w = time.weight_h * (time.hydrology_of_step == h)
            rows.append(
                {
                    "link": lk,
                    "hydrology": name,
                    "probability": p,
                    "flow_forward_twh": float(fwd[j] @ w) / MWH_PER_TWH,
                    "flow_backward_twh": float(bwd[j] @ w) / MWH_PER_TWH,
                    "congestion_rent_usd": float(rent_t @ w),
                }
            )
    out = pd.DataFrame(
        rows,
        columns=["link", "hydrology", "probability", "flow_forward_twh", "flow_backward_twh", "congestion_rent_usd"],
    )
    expected = (out["probability"] * out["congestion_rent_usd"]).groupby(out["link"]).transform("sum")
    out["share_of_expected_rent"] = np.where(
        expected.abs() > 0, out["probability"] * out["congestion_rent_usd"] / expected.where(expected != 0, 1.0), 0.0
    )
    return out


LINK_COLUMNS = [
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
    "hurdle_cost_usd",
]
