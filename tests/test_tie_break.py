"""Tie-break costs on real data: two correct algorithms return the same generation mix (hand-solved case:
``test_tiny_systems.test_tie_break_fixes_which_zero_cost_energy_gives_way``)."""

from __future__ import annotations

import numpy as np
import pytest
from test_periods import _one_zone

from grid_model.dataset import load_dataset
from grid_model.pipeline import solve_dataset
from grid_model.scenario import TimeConfig, apply_scenario, load_scenario
from grid_model.timeseries import aggregate_time


def test_simplex_and_ipm_return_the_same_mix_on_real_data():
    """Chile 2030 alone, headline base at the headline resolution (12 typical days + the peak day): more
    zero-cost energy than demand in many hours (solar, run-of-river, geothermal). Measured without the tie-break:
    dual simplex and IPX + crossover both optimal, with 29.72 vs 28.09 TWh of solar and 16.39 vs 17.97 TWh of
    run-of-river (1.6 TWh apart); with it, the two mixes agree to 6e-14 TWh."""
    sc = load_scenario("scenarios/base.yaml").model_copy(update={"time": TimeConfig(mode="full")})
    full = _one_zone(apply_scenario(load_dataset("data/pacific", sc.hydrology), sc), "CL")
    ds = aggregate_time(
        full, TimeConfig(mode="typical", n_periods=12, extreme_days=True, representation="distribution")
    )
    options = sc.model_options()
    simplex = solve_dataset(ds, options, {"solver": "simplex"})
    ipm = solve_dataset(ds, options, {"solver": "ipx", "run_crossover": "on"})
    assert simplex.summary["objective_usd"] == pytest.approx(ipm.summary["objective_usd"], rel=1e-9)
    mix_simplex = simplex.tables["generation"].set_index("technology")["generation_twh"].sort_index()
    mix_ipm = ipm.tables["generation"].set_index("technology")["generation_twh"].sort_index()
    assert list(mix_simplex.index) == list(mix_ipm.index)
    assert mix_simplex.to_numpy() == pytest.approx(mix_ipm.to_numpy(), rel=1e-6, abs=1e-6)
    assert simplex.summary["non_conventional_renewable_share"] == pytest.approx(
        ipm.summary["non_conventional_renewable_share"], abs=1e-9
    )
    # the ladder makes the choice of the docstring: solar gives way, and every MWh of run-of-river water is used
    hydro, w = ds.tables["hydro"], ds.timesteps["weight_h"].to_numpy()
    for unit in hydro.index[hydro["energy_mwh"] <= 0]:
        available = np.minimum(hydro.at[unit, "p_nom_mw"], ds.inflow_mw[hydro.at[unit, "inflow"]].to_numpy())
        used = simplex.hourly["dispatch_mw"][unit].to_numpy()
        assert float(used @ w) == pytest.approx(float(available @ w), rel=1e-9), unit
