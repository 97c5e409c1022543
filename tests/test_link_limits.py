"""Hand-solved tiny systems for the link hurdle cost and the operable (static and time-varying) transfer limits.

Two zones, A with a 10 USD/MWh unit and B with a 30 USD/MWh unit, joined by a lossless link A-B: the price gap is
20 USD/MWh whenever B imports. ``grid_model.model.links`` states the maths.
"""

from __future__ import annotations

import numpy as np
import pytest
from tiny import balance_residual, build, gen, tech, zones

from grid_model.model import ModelOptions
from grid_model.pipeline import solve_dataset

H = 8760.0
GAP = 20.0  # USD/MWh: B's unit (30) − A's unit (10)


def approx(x, rel=1e-7, abs=1e-6):
    return pytest.approx(x, rel=rel, abs=abs)


def _system(link: dict) -> dict:
    base = {
        "link": "A-B",
        "zone_from": "A",
        "zone_to": "B",
        "kind": "AC",
        "status": "existing",
        "p_nom_mw": 500.0,
        "length_km": 100,
        "loss_pu": 0.0,
    }
    return {
        "zones": zones("A", "B"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [tech("cheap", "nuclear", vom_usd_per_mwh=10), tech("dear", "bioenergy", vom_usd_per_mwh=30)],
        "generators": [gen("A-cheap", "A", "cheap", 1000), gen("B-dear", "B", "dear", 1000)],
        "links": [{**base, **link}],
    }


def _closes(res, ds):
    assert res.summary["objective_usd"] == approx(sum(res.summary["cost_breakdown_usd"].values()), rel=1e-9)
    assert balance_residual(res, ds) < 1e-6


@pytest.mark.parametrize("hurdle", [0.0, 5.0, GAP - 0.01, GAP + 0.01, 35.0])
def test_trade_stops_exactly_when_the_price_gap_is_below_the_hurdle(tmp_path, hurdle):
    # B needs 100 MW. Importing costs 10 + h per MWh against 30 at home: B imports all 100 MW while h < 20 and
    # nothing once h > 20. While it imports, B's price is 10 + h (the import is marginal); then it is 30.
    ds = build(tmp_path, _system({"hurdle_usd_per_mwh": hurdle}), {"A": [50.0, 50.0], "B": [100.0, 100.0]})
    res = solve_dataset(ds)
    link = res.tables["links"].iloc[0]
    trades = hurdle < GAP
    flow_mw = 100.0 if trades else 0.0
    assert link["flow_forward_twh"] == approx(flow_mw * H / 1e6)
    assert link["flow_backward_twh"] == approx(0.0)
    assert link["hurdle_cost_usd"] == approx(flow_mw * hurdle * H)
    prices = res.tables["prices"].set_index("zone")["price_avg_usd_per_mwh"]
    assert prices["B"] == approx(10.0 + hurdle if trades else 30.0)
    breakdown = res.summary["cost_breakdown_usd"]
    assert breakdown["hurdle"] == approx(flow_mw * hurdle * H)
    fuel_and_om = (50.0 + flow_mw) * 10 * H + (100.0 - flow_mw) * 30 * H
    assert res.summary["objective_usd"] == approx(fuel_and_om + flow_mw * hurdle * H)
    # a transfer, not a resource cost: the economic system cost leaves it out
    assert res.summary["system_cost_usd"] == approx(fuel_and_om)
    _closes(res, ds)


def test_hurdle_charged_on_flows_both_ways(tmp_path):
    # step 0: B needs 100 (A exports); step 1: A needs 100 and B's cheap unit exports (B-cheap at 10, A-dear at 30).
    tables = _system({"hurdle_usd_per_mwh": 4.0})
    tables["generators"] += [gen("B-cheap", "B", "cheap", 60), gen("A-dear", "A", "dear", 1000)]
    tables["generators"][0]["p_nom_mw"] = 40.0  # A-cheap
    ds = build(tmp_path, tables, {"A": [0.0, 100.0], "B": [100.0, 0.0]})
    res = solve_dataset(ds)
    fwd = res.hourly["link_flow_forward_mw"]["A-B"].to_numpy()
    bwd = res.hourly["link_flow_backward_mw"]["A-B"].to_numpy()
    assert fwd == approx(np.array([40.0, 0.0]))  # A's 40 MW of cheap output; B's own 60 covers the rest
    assert bwd == approx(np.array([0.0, 60.0]))  # B's 60 MW cheap unit serves A
    w = H / 2
    assert res.tables["links"].iloc[0]["hurdle_cost_usd"] == approx((40.0 + 60.0) * 4.0 * w)
    _closes(res, ds)


def test_time_varying_transfer_limit_binds_in_exactly_its_hours(tmp_path):
    # Rating 100 MW, operable share 0.8 (p_max_pu_fwd), times the profile A-B:fwd = [1, 0, 0.5, 1]: the forward limit
    # is [80, 0, 40, 80] MW. B needs [50, 50, 50, 100]: in step 0 the link carries 50 and does not bind (B's price 10);
    # in steps 1-3 it carries 0, 40, 80, at its limit, and B's own 30 USD/MWh unit sets the price.
    link = {"p_nom_mw": 100.0, "p_max_pu_fwd": 0.8}
    ds = build(
        tmp_path,
        _system(link),
        {"A": [0.0] * 4, "B": [50.0, 50.0, 50.0, 100.0]},
        availability_pu={"A-B:fwd": [1.0, 0.0, 0.5, 1.0]},
    )
    res = solve_dataset(ds)
    # net flow: a lossless link without a hurdle may carry a circulating f⁺ = f⁻ + net at no cost
    fwd = res.hourly["link_flow_mw"]["A-B"].to_numpy()
    assert fwd == approx(np.array([50.0, 0.0, 40.0, 80.0]))
    assert (res.hourly["link_flow_forward_mw"]["A-B"].to_numpy() <= np.array([80.0, 0.0, 40.0, 80.0]) + 1e-6).all()
    price_b = res.hourly["price_usd_per_mwh"]["B"].to_numpy()
    assert price_b == approx(np.array([10.0, 30.0, 30.0, 30.0]))
    binds = fwd >= np.array([80.0, 0.0, 40.0, 80.0]) - 1e-6
    assert binds.tolist() == [False, True, True, True]
    _closes(res, ds)


def test_reverse_limit_is_separate_from_the_forward_one(tmp_path):
    # B now has the cheap unit and A the dear one; only 25 % of the 100 MW rating may flow B -> A (p_max_pu_rev),
    # so A imports 25 MW and makes the other 75 MW at 30 USD/MWh.
    tables = _system({"p_nom_mw": 100.0, "p_max_pu_rev": 0.25})
    tables["generators"] = [gen("A-dear", "A", "dear", 1000), gen("B-cheap", "B", "cheap", 1000)]
    ds = build(tmp_path, tables, {"A": [100.0], "B": [0.0]})
    res = solve_dataset(ds)
    link = res.tables["links"].iloc[0]
    assert link["flow_backward_twh"] == approx(25.0 * H / 1e6)
    assert link["flow_forward_twh"] == approx(0.0)
    _closes(res, ds)


def test_time_varying_limit_on_an_expandable_link(tmp_path):
    # A candidate link (0 -> up to 200 MW, capex 100,000 USD/MW-yr with r = 0 and a 1-year life) whose profile lets
    # power through in one of two steps only. Each MW built saves 20 USD/MWh x 4,380 h = 87,600 USD/yr < 100,000 in
    # that one step: not built. At profile [1, 1] it saves 175,200 and is built to B's 100 MW.
    def solve(profile):
        link = {"status": "candidate", "p_nom_mw": 0.0, "p_nom_max_mw": 200.0, "capex_usd_per_mw": 100_000.0}
        link |= {"fom_pct_per_yr": 0.0, "lifetime_yr": 1.0}
        ds = build(
            tmp_path, _system(link), {"A": [0.0, 0.0], "B": [100.0, 100.0]}, availability_pu={"A-B:fwd": profile}
        )
        return solve_dataset(ds, ModelOptions(discount_rate=0.0)), ds

    res, ds = solve([1.0, 0.0])
    assert res.tables["links"]["new_mw"].iloc[0] == approx(0.0)
    res, ds = solve([1.0, 1.0])
    assert res.tables["links"]["new_mw"].iloc[0] == approx(100.0)
    _closes(res, ds)


def test_pypsa_export_prices_the_hurdle_and_the_limits_the_same(tmp_path):
    # The exported network (hurdle → Link marginal_cost, limits → p_max_pu, static and as a series) solved by PyPSA
    # has grid_model's optimum: the same LP.
    pypsa = pytest.importorskip("pypsa")
    from grid_model.export.pypsa import build_network, extra_functionality

    tables = _system({"p_nom_mw": 100.0, "p_max_pu_fwd": 0.8, "p_max_pu_rev": 0.5, "hurdle_usd_per_mwh": 3.0})
    tables["generators"] += [gen("B-cheap", "B", "cheap", 30)]
    ds = build(
        tmp_path,
        tables,
        {"A": [40.0, 0.0, 60.0, 0.0], "B": [50.0, 50.0, 0.0, 100.0]},
        availability_pu={"A-B:fwd": [1.0, 0.0, 0.5, 1.0]},
    )
    options = ModelOptions(tie_break_usd_per_mwh=0.0)
    ours = solve_dataset(ds, options).summary["objective_usd"]
    n, _ = build_network(ds, options)
    assert isinstance(n, pypsa.Network)
    status = n.optimize(
        solver_name="highs", io_api="direct", include_objective_constant=True, extra_functionality=extra_functionality
    )
    assert status == ("ok", "optimal")
    assert float(n.objective) == approx(ours, rel=1e-7)
