"""Policy constraints: a system CO2 cap, CO2 caps per zone and a minimum renewable share of generation.

The carbon price is not here: it enters every generator's marginal cost (see ``generation``).

    Σ_g ef[g]·E[g] ≤ cap_t                                   policy_co2_cap          (tCO2/yr)
    Σ_{g in z} ef[g]·E[g] ≤ cap_t[z]                         policy_zone_co2_cap[z]  (tCO2/yr, per capped zone)
    Σ_{g renewable} E[g] ≥ share·Σ_g E[g]                    policy_min_renewable_share  (MWh/yr)

where E[g] is annual generation of generators and hydro plants (storage shifts, it does not generate).
"""

from __future__ import annotations

import pyomo.environ as pyo

from grid_model.model.context import Context, FeatureReport, Readout
from grid_model.model.elastic import ELASTIC_PENALTY_USD_PER_UNIT
from grid_model.units import T_PER_MT


def add(ctx: Context) -> None:
    """Add the optional policy constraints the options ask for."""
    m, opts = ctx.m, ctx.options
    total_co2 = [e for terms in ctx.emissions_t.values() for e in terms]
    ctx.declare("co2_t", pyo.Expression(expr=pyo.quicksum(total_co2) if total_co2 else 0.0, doc="System CO2 [t/yr]"))
    if opts.co2_cap_mt is not None:
        excess = _elastic_slack(ctx, "elastic_co2_excess_t", "CO2 above the cap [t/yr] (diagnosis)")
        ctx.declare(
            "policy_co2_cap",
            pyo.Constraint(expr=m.co2_t - excess <= opts.co2_cap_mt * T_PER_MT, doc="Σ emissions ≤ cap [tCO2/yr]"),
        )
    if opts.zone_co2_cap_mt:
        _add_zone_co2_caps(ctx, opts.zone_co2_cap_mt)
    if opts.min_renewable_share is not None:
        ren = pyo.quicksum(ctx.generation_mwh["renewable"]) if ctx.generation_mwh["renewable"] else 0.0
        allgen = pyo.quicksum(ctx.generation_mwh["all"]) if ctx.generation_mwh["all"] else 0.0
        shortfall = _elastic_slack(ctx, "elastic_res_shortfall_mwh", "Renewable MWh missing (diagnosis)")
        ctx.declare(
            "policy_min_renewable_share",
            pyo.Constraint(
                expr=ren + shortfall - opts.min_renewable_share * allgen >= 0, doc="renewable ≥ share·total [MWh/yr]"
            ),
        )


def _add_zone_co2_caps(ctx: Context, caps_mt: dict[str, float]) -> None:
    """policy_zone_co2_cap[z]: Σ_{g in z} ef[g]·E[g] ≤ cap[z] [tCO2/yr], for every capped zone."""
    zones = [z for z in ctx.ds.zones if z in caps_mt]
    excess: dict | pyo.Var = dict.fromkeys(zones, 0.0)
    if ctx.options.elastic:
        excess = ctx.declare(
            "elastic_zone_co2_excess_t", pyo.Var(zones, bounds=(0.0, None), doc="CO2 above the zone's cap [t/yr]")
        )
        ctx.costs.add("infeasibility_penalty", ELASTIC_PENALTY_USD_PER_UNIT * pyo.quicksum(excess.values()))

    def rule(m, z):
        terms = ctx.emissions_t.get(z, [])
        emissions = pyo.quicksum(terms) if terms else 0.0
        return emissions - excess[z] <= caps_mt[z] * T_PER_MT

    ctx.declare(
        "policy_zone_co2_cap", pyo.Constraint(zones, rule=rule, doc="Σ emissions in the zone ≤ its cap [tCO2/yr]")
    )


def _elastic_slack(ctx: Context, name: str, doc: str):
    """0 normally; in elastic mode a slack ≥ 0 that relaxes the constraint, at ELASTIC_PENALTY_USD_PER_UNIT per unit
    (infeasibility_penalty), so the diagnosis can say by how much the constraint cannot hold."""
    if not ctx.options.elastic:
        return 0.0
    slack = ctx.declare(name, pyo.Var(bounds=(0.0, None), doc=doc))
    ctx.costs.add("infeasibility_penalty", ELASTIC_PENALTY_USD_PER_UNIT * slack)
    return slack


def report(ctx: Context, readout: Readout) -> FeatureReport:
    """Nothing of its own: emissions and the renewable share are reported from generation."""
    return FeatureReport()
