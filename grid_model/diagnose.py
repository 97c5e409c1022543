"""Explain an infeasible scenario in words: which constraint family, where, and which keys to relax.

The scenario is re-solved in elastic mode (``grid_model.model.elastic``): balance and policy constraints get
penalised slacks, so the solution shows the least violation needed and exactly where it occurs.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from grid_model.dataset import Dataset
from grid_model.errors import InfeasibleError
from grid_model.model import ModelOptions, build_model, compile_context
from grid_model.model.assemble import load_solution
from grid_model.solve import load_form, run
from grid_model.units import T_PER_MT

TOL = 1e-6


def _balance_messages(m, sol, ds: Dataset, w: np.ndarray) -> list[str]:
    out = []
    zones = ds.zones
    T = range(len(w))
    for var, what, relax in (
        (
            "elastic_short_mw",
            "demand cannot be met",
            "more capacity (generators.csv p_nom_max_mw), imports, or policy.allow_unserved: true",
        ),
        (
            "elastic_surplus_mw",
            "more power is forced in than can be used (must-run output, minimum hydro "
            "release or committed capacity exceed demand plus export and storage)",
            "generators.csv min_output_pu, hydro.csv min_release_pu",
        ),
    ):
        if not hasattr(m, var):
            continue
        v = getattr(m, var)
        vals = np.array([[sol.value(v[z, t]) for t in T] for z in zones])
        if vals.max(initial=0.0) <= TOL:
            continue
        bad = vals > TOL
        energy = (vals * w).sum(axis=1)
        worst_z, worst_t = np.unravel_index(np.argmax(vals), vals.shape)
        by_zone = ", ".join(f"{zones[i]} {energy[i] / 1e3:,.1f} GWh" for i in np.argsort(-energy) if energy[i] > TOL)
        out.append(
            f"zone_energy_balance: {what} in {int(bad.any(axis=0).sum())} of {len(w)} timesteps ({by_zone}); "
            f"worst: {zones[worst_z]} at timestep {worst_t} by {vals[worst_z, worst_t]:,.1f} MW — relax {relax}"
        )
    return out


def diagnose(ds: Dataset, options: ModelOptions, solver: dict | None = None) -> str:
    """Re-solve elastically and describe the violated constraints; one paragraph, no newlines."""
    opts = replace(options, elastic=True)
    _m, ctx = build_model(ds, opts)
    form = compile_context(ctx)
    try:
        compiled = load_form(form, {k: v for k, v in (solver or {}).items() if k != "time_limit"})
        sol = run(compiled)
    except InfeasibleError:
        return (
            "even with every balance and policy constraint relaxed there is no solution: some bounds contradict "
            "each other (e.g. a committed build above its ceiling, links.csv p_nom_min_mw > p_nom_max_mw)"
        )
    parts = violations(ctx, sol, form.columns, options)
    if not parts:
        return "the elastic re-solve found no violated balance or policy constraint; check the solver log"
    return "; ".join(parts)


def violations(ctx, sol, columns: list, options: ModelOptions) -> list[str]:
    """What an elastic solution violates, one sentence per constraint family (empty when nothing is)."""
    m, ds = ctx.m, ctx.ds
    load_solution(m, sol, columns)
    w = ds.weights_h
    parts = _balance_messages(m, sol, ds, w)
    if hasattr(m, "elastic_co2_excess_t"):
        excess = sol.value(m.elastic_co2_excess_t)
        if excess > TOL * 1e6:
            cap = options.co2_cap_mt or 0.0
            parts.append(
                f"policy_co2_cap: the least CO2 the system can reach is {cap + excess / 1e6:,.2f} Mt, above "
                f"the cap of {cap:,.2f} Mt — raise policy.co2_cap_mt to at least that, or allow more "
                f"low-carbon expansion (generators.csv p_nom_max_mw, links.mode: optimal)"
            )
    if hasattr(m, "elastic_zone_co2_excess_t"):
        for z, var in m.elastic_zone_co2_excess_t.items():
            excess = sol.value(var)
            if excess > TOL * T_PER_MT:
                cap = options.zone_co2_cap_mt[z]
                parts.append(
                    f"policy_zone_co2_cap: the least CO2 {z} can reach is {cap + excess / T_PER_MT:,.2f} Mt, above its "
                    f"cap of {cap:,.2f} Mt — raise policy.zone_co2_cap_mt.{z} or allow more low-carbon expansion there"
                )
    if hasattr(m, "elastic_res_shortfall_mwh"):
        short = sol.value(m.elastic_res_shortfall_mwh)
        if short > TOL * 1e3:
            import pyomo.environ as pyo

            total = sum(pyo.value(e) for e in ctx.generation_mwh["all"])
            target = options.min_renewable_share or 0.0
            best = target - short / total if total > 0 else 0.0
            parts.append(
                f"policy_min_renewable_share: the highest renewable share reachable is {best:.1%}, below the "
                f"required {target:.1%} — lower policy.min_renewable_share or raise renewable potentials "
                f"(generators.csv p_nom_max_mw)"
            )
    return parts
