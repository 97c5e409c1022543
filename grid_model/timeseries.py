"""Time resolution: the full hourly year, uniform down-sampling, or typical periods (tsam).

Every step carries ``weight_h`` (hours of the year it stands for; Σ = 8,760, so all costs are annual)
and ``duration_h`` (its chronological length, used by storage and reservoir balances). Down-sampling
averages k consecutive hours into one step with weight = duration = k h, so chronology is kept and
storage works unchanged (the approach PyPSA-Eur uses for its temporal resolution option).

Typical periods cluster the year's days (or other period lengths) with tsam (hierarchical clustering, column
means preserved so annual energy is kept). Each typical period k gets weight count_k·1 h per hour and duration
1 h; ``ds.period_sequence`` keeps which typical period stands for each original period, in order, so
storage that outlives a period (reservoirs) can be linked across the year (Kotzur et al. 2018, see
``grid_model.model.storage`` and ``hydro``).

A typical period is either the cluster's medoid (one real day) or, with ``representation="distribution"``, a
day whose values per column reproduce the distribution of all the cluster's hours (tsam ``Distribution``: its
minimum and maximum kept, the hours ordered as in the medoid so columns co-occur as on a real day). The medoid
of a cluster of ~30 days is a central day, so the hours where wind, solar and run-of-river exceed demand (zero
price) are under-represented and variable renewables are overvalued; the distribution keeps those hours.
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
    if time_cfg.mode == "typical":
        return typical_periods(
            ds, time_cfg.n_periods, time_cfg.period_h, time_cfg.extreme_days, time_cfg.representation
        )
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
    out.timesteps = pd.DataFrame(
        {"weight_h": wsum, "duration_h": wsum}, index=pd.RangeIndex(len(wsum), name="timestep")
    )
    return out


def typical_periods(
    ds: Dataset, n_periods: int, period_h: int = 24, extreme_days: bool = True, representation: str = "distribution"
) -> Dataset:
    """Cluster the hourly year into ``n_periods`` typical periods of ``period_h`` hours with tsam.

    ``representation`` is ``"medoid"`` (the cluster's most central real period) or ``"distribution"`` (each
    column's values over all the cluster's periods, summarised per step so their distribution, minimum and
    maximum are kept, in the medoid's order; see the module docstring).

    With ``extreme_days`` the period holding each zone's peak demand is kept as a period of its own (tsam
    ``ExtremeConfig(method="new_cluster")``), so capacity is sized for real peaks rather than averaged ones;
    these come on top of ``n_periods``. Needs hourly input (every weight 1 h) whose length is a multiple of
    ``period_h``.
    """
    from grid_model.errors import InputError

    n = len(ds.timesteps)
    if not np.allclose(ds.weights_h, 1.0) or n % period_h:
        raise InputError(
            f"typical periods need an hourly series whose length is a multiple of {period_h} h (got {n} steps)"
        )
    n_orig = n // period_h
    if n_periods >= n_orig:
        raise InputError(f"time.n_periods ({n_periods}) must be below the number of periods in the year ({n_orig})")
    frames = {"d": ds.demand_mw, "a": ds.availability_pu, "i": ds.inflow_mw}
    data = pd.concat({k: f for k, f in frames.items() if f.shape[1]}, axis=1)
    keep = data.columns[data.std(axis=0) > 0]  # constant columns carry no information for clustering
    data.columns = [f"{a}|{b}" for a, b in data.columns]
    keep = [f"{a}|{b}" for a, b in keep]
    data.index = pd.date_range("2023-01-01", periods=n, freq="h")
    res = _cluster(data[keep], n_periods, period_h, extreme_days, representation)
    reps = res.cluster_representatives
    counts = res.cluster_counts
    order = sorted(counts)
    sequence = np.asarray(res.cluster_assignments, dtype=int)
    remap = {k: i for i, k in enumerate(order)}
    rows = []
    for k in order:
        block = reps.loc[k]
        rows.append(block.reset_index(drop=True))
    typical = pd.concat(rows, ignore_index=True)
    for c in data.columns:
        if c not in typical.columns:  # constant column: same value in every period
            typical[c] = float(data[c].iloc[0])
    m = len(typical)
    idx = pd.RangeIndex(m, name="timestep")
    out = ds.copy()

    def take(prefix: str, like: pd.DataFrame, upper: float | None = None) -> pd.DataFrame:
        cols = {c: typical[f"{prefix}|{c}"].to_numpy(dtype=float) for c in like.columns}
        frame = pd.DataFrame(cols, index=idx)
        # Rescaling to keep column means leaves floating-point dust (e.g. 7e-18 pu of solar at night) that HiGHS
        # reports as "excessively small row bounds": values below a millionth of the column's peak are zero.
        peak = frame.abs().max()
        frame = frame.mask(frame.abs() < 1e-6 * peak, 0.0)
        return frame.clip(lower=0.0, upper=upper)

    out.demand_mw = take("d", ds.demand_mw)
    out.availability_pu = take("a", ds.availability_pu, 1.0)
    out.inflow_mw = take("i", ds.inflow_mw)
    period = np.repeat(np.arange(len(order)), period_h)
    weight = np.repeat([float(counts[k]) for k in order], period_h)
    out.timesteps = pd.DataFrame({"weight_h": weight, "duration_h": 1.0, "period": period}, index=idx)
    out.period_sequence = np.array([remap[k] for k in sequence], dtype=int)
    out.period_h = float(period_h)
    return out


def _cluster(data: pd.DataFrame, n_periods: int, period_h: int, extreme_days: bool, representation: str):
    """tsam's hierarchical clustering of ``data`` into typical periods (column means preserved); each zone's peak
    demand period kept as its own cluster when ``extreme_days``."""
    import warnings

    import tsam

    from grid_model.errors import InputError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tsam warns about rescaling tolerances; annual energy is kept (tested)
        extremes = None
        if extreme_days:
            peaks = [c for c in data.columns if c.startswith("d|")]
            extremes = tsam.ExtremeConfig(method="new_cluster", max_value=peaks) if peaks else None
        if representation == "distribution":
            rep = tsam.Distribution(scope="local", preserve_minmax=True, concurrency="medoid")
        elif representation == "medoid":
            rep = "medoid"
        else:
            raise InputError(f"time.representation must be 'medoid' or 'distribution' (got {representation!r})")
        res = tsam.aggregate(
            data,
            n_clusters=n_periods,
            period_duration=period_h,
            cluster=tsam.ClusterConfig(method="hierarchical", representation=rep),
            extremes=extremes,
            preserve_column_means=True,
        )
    return res
