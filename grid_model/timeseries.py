"""Time resolution: the full hourly year or uniform down-sampling.

Every step carries ``weight_h`` (hours of the year it stands for; Σ = 8,760, so all costs are annual)
and ``duration_h`` (its chronological length, used by storage and reservoir balances). Down-sampling
averages k consecutive hours into one step with weight = duration = k h, so chronology is kept and
storage works unchanged (the approach PyPSA-Eur uses for its temporal resolution option).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grid_model.dataset import Dataset


def _block_mean(frame: pd.DataFrame, w: np.ndarray, groups: np.ndarray) -> pd.DataFrame:
    """Weighted mean of each column within each group of consecutive steps."""
    if frame.shape[1] == 0:
        return pd.DataFrame(index=pd.RangeIndex(int(groups.max()) + 1, name="timestep"))
    values = frame.to_numpy(dtype=float) * w[:, None]
    sums = np.zeros((int(groups.max()) + 1, values.shape[1]))
    np.add.at(sums, groups, values)
    wsum = np.bincount(groups, weights=w)
    return pd.DataFrame(sums / wsum[:, None], columns=frame.columns, index=pd.RangeIndex(len(wsum), name="timestep"))


def aggregate_time(ds: Dataset, time_cfg) -> Dataset:
    """Return the dataset at the resolution the scenario asks for (unchanged for 'full')."""
    if time_cfg.mode == "full" or (time_cfg.mode == "downsample" and time_cfg.step_h == 1):
        return ds
    k = int(time_cfg.step_h)
    n = len(ds.timesteps)
    w = ds.weights_h
    groups = np.arange(n) // k
    out = ds.copy()
    out.demand_mw = _block_mean(ds.demand_mw, w, groups)
    out.availability_pu = _block_mean(ds.availability_pu, w, groups)
    out.inflow_mw = _block_mean(ds.inflow_mw, w, groups)
    wsum = np.bincount(groups, weights=w)
    out.timesteps = pd.DataFrame({"weight_h": wsum, "duration_h": wsum},
                                 index=pd.RangeIndex(len(wsum), name="timestep"))
    return out
