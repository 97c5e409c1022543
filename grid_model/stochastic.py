"""Several hydrology years in one LP: invest once, operate under each hydrology, minimise the expected cost.

A scenario with ``hydrology: {scenarios: {average: 0.5, "1998": 0.2, …}}`` is one two-stage stochastic LP
(DESIGN of the time index: ``grid_model.timeindex``). The first stage — new generation, storage and links — is
shared; the second stage — dispatch, storage and reservoir levels, flows, unserved energy — is repeated for each
hydrology ω with probability π_ω:

    min  Σ_k annuity_k·x_k + fixed O&M  +  Σ_ω π_ω · Σ_{t ∈ ω} w_t · (operating cost at t)

Each hydrology is one block of timesteps standing for a whole year (Σ_{t∈ω} w_t = 8,760): the same typical days,
demand and wind and solar — chosen once on the joint series, so that every hydrology keeps its own seasonal
inflow — and that hydrology's inflows. Storage and reservoirs cycle within their own hydrology's year. Costs and
energies are weighted by π_ω·w_t (``TimeIndex.expected_weight_h``), so every figure of the usual result tables is
an expected annual value, and a price is the balance dual divided by π_ω·w_t: each hydrology's own price.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grid_model.dataset import Dataset
from grid_model.timeindex import HydrologyBlocks
from grid_model.timeseries import aggregate_time

SEPARATOR = "@"  # joins a hydrology and an inflow name in the joint series clustered once


def combine_hydrologies(static: dict[str, Dataset], probabilities: dict[str, float], time_cfg, label: str) -> Dataset:
    """One dataset of hydrology blocks from the scenario-applied (not yet aggregated) dataset of each hydrology.

    The time aggregation runs once, on demand, availability and every hydrology's inflows side by side, so all
    blocks share the typical days (and their sequence over the year); each block then takes its own inflows.
    """
    names = list(static)
    first = static[names[0]]
    wide = first.copy()
    wide.inflow_mw = pd.concat(
        [static[n].inflow_mw.rename(columns=lambda c, n=n: f"{n}{SEPARATOR}{c}") for n in names], axis=1
    )
    joint = aggregate_time(wide, time_cfg)
    return _blocks(joint, names, [probabilities[n] for n in names], list(first.inflow_mw.columns), label)


def _blocks(joint: Dataset, names: list[str], probabilities: list[float], inflows: list[str], label: str) -> Dataset:
    """Repeat the aggregated year once per hydrology, each block with that hydrology's inflow columns."""
    n_steps = len(joint.timesteps)
    n_typical = int(joint.timesteps["period"].max()) + 1 if "period" in joint.timesteps.columns else 0
    out = joint.copy()
    steps = []
    for i in range(len(names)):
        block = joint.timesteps.copy()
        if n_typical:
            block["period"] = block["period"] + i * n_typical  # each block has typical periods of its own
        steps.append(block)
    index = pd.RangeIndex(n_steps * len(names), name="timestep")
    out.timesteps = pd.concat(steps, ignore_index=True).set_index(index)
    out.demand_mw = _tiled(joint.demand_mw, len(names), index)
    out.availability_pu = _tiled(joint.availability_pu, len(names), index)
    out.inflow_mw = pd.concat(
        [joint.inflow_mw[[f"{n}{SEPARATOR}{c}" for c in inflows]].set_axis(inflows, axis=1) for n in names],
        ignore_index=True,
    ).set_index(index)
    of_original = None
    if joint.period_sequence is not None:
        seq = joint.period_sequence
        out.period_sequence = np.concatenate([seq + i * n_typical for i in range(len(names))])
        of_original = np.repeat(np.arange(len(names)), len(seq))
    out.hydrology = label
    out.hydrology_blocks = HydrologyBlocks(
        names=tuple(names),
        probabilities=tuple(float(p) for p in probabilities),
        of_step=np.repeat(np.arange(len(names)), n_steps),
        of_original_period=of_original,
    )
    return out


def _tiled(frame: pd.DataFrame, times: int, index: pd.Index) -> pd.DataFrame:
    return pd.concat([frame] * times, ignore_index=True).set_index(index)
