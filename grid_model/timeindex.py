"""The time index of a run: what every timestep stands for (docs/model.md, "Time index").

Each step t has a weight w_t (hours of the year it stands for; Σ w_t over one investment period and one hydrology
is 8,760, so every cost is an annual cost) and a duration Δ_t (its chronological length, used by storage and
reservoir balances). Steps are grouped into **chains**: runs of consecutive steps whose storage levels follow
one another and wrap around (cyclic). A chronological year is one chain; with typical periods each typical
period is a chain, and ``period_sequence`` says which typical period stands for each original period of the
year, in order, so storage that outlives a period can be linked across the year (Kotzur et al. 2018,
``grid_model.model.periods``).

Every step also belongs to an **investment period** (a planning year, index into ``years``) and a **hydrology
scenario** (index into ``hydrologies``, with probability ``probabilities``). A one-year, one-hydrology run is the
special case with one of each (the only case the model builds today); chains never cross a change of year or
hydrology.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


def _single(n: int) -> np.ndarray:
    return np.zeros(n, dtype=int)


@dataclass(frozen=True)
class HydrologyBlocks:
    """Several hydrology scenarios in one run: the steps come in one block per hydrology, each block a whole year
    (Σ w_t over a block = 8,760), with the same typical days and demand but that hydrology's inflows."""

    names: tuple[str, ...]
    probabilities: tuple[float, ...]
    of_step: np.ndarray  # index into ``names`` of each step
    of_original_period: np.ndarray | None = None  # index into ``names`` of each entry of the period sequence


@dataclass(frozen=True)
class TimeIndex:
    """Every timestep with its weight, duration, typical period, investment period and hydrology."""

    weight_h: np.ndarray
    duration_h: np.ndarray
    typical_period: np.ndarray  # typical period of each step (all 0 when the steps are chronological)
    period_sequence: np.ndarray | None = None  # typical period of each original period, in order (None: chronological)
    period_h: float = 0.0  # length of a typical period [h]; 0 when chronological
    years: tuple[int, ...] = (0,)  # investment periods: the planning year of each (0 when not stated)
    year_of_step: np.ndarray = field(default_factory=lambda: _single(0))  # index into ``years``
    hydrologies: tuple[str, ...] = ("",)  # hydrology scenarios
    probabilities: tuple[float, ...] = (1.0,)  # π_ω, Σ = 1
    hydrology_of_step: np.ndarray = field(default_factory=lambda: _single(0))  # index into ``hydrologies``
    sequence_hydrology: np.ndarray | None = None  # hydrology of each entry of ``period_sequence`` (None: all 0)

    @staticmethod
    def from_timesteps(
        timesteps: pd.DataFrame,
        period_sequence: np.ndarray | None = None,
        period_h: float = 0.0,
        year: int | None = None,
        hydrology: str = "",
        blocks: HydrologyBlocks | None = None,
    ) -> TimeIndex:
        """The index of one planning year under one hydrology (or the ``blocks`` of several), from a timesteps
        table (``weight_h``, optional ``duration_h`` — the weight when absent — and optional ``period``, the typical
        period of each step)."""
        n = len(timesteps)
        weight = timesteps["weight_h"].to_numpy(dtype=float)
        duration = timesteps["duration_h"].to_numpy(dtype=float) if "duration_h" in timesteps.columns else weight
        period = timesteps["period"].to_numpy(dtype=int) if "period" in timesteps.columns else _single(n)
        return TimeIndex(
            weight_h=weight,
            duration_h=duration,
            typical_period=period,
            period_sequence=None if period_sequence is None else np.asarray(period_sequence, dtype=int),
            period_h=float(period_h),
            years=(int(year or 0),),
            year_of_step=_single(n),
            hydrologies=blocks.names if blocks else (hydrology,),
            probabilities=blocks.probabilities if blocks else (1.0,),
            hydrology_of_step=blocks.of_step if blocks else _single(n),
            sequence_hydrology=blocks.of_original_period if blocks else None,
        )

    @property
    def n_steps(self) -> int:
        return len(self.weight_h)

    @property
    def steps(self) -> range:
        return range(self.n_steps)

    @property
    def probability_of_step(self) -> np.ndarray:
        """π_ω of each step's hydrology."""
        return np.asarray(self.probabilities, dtype=float)[self.hydrology_of_step]

    @property
    def expected_weight_h(self) -> np.ndarray:
        """π_ω·w_t: what a step's hours count for in expected annual costs and energies (w_t when there is one
        hydrology). Σ over all steps = 8,760."""
        return self.weight_h * self.probability_of_step

    def next_original_period(self) -> np.ndarray:
        """Index of the original period that follows each entry of ``period_sequence``: the next one of the same
        hydrology's year, the first after the last (the year is cyclic)."""
        seq = self.period_sequence
        if seq is None:
            return np.zeros(0, dtype=int)
        block = self.sequence_hydrology if self.sequence_hydrology is not None else np.zeros(len(seq), dtype=int)
        nxt = np.arange(len(seq)) + 1
        last = np.r_[block[1:] != block[:-1], True]
        first = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
        nxt[last] = first
        return nxt

    @property
    def linked(self) -> bool:
        """True when the steps are typical periods with a known sequence over the year (storage can be linked)."""
        return self.period_sequence is not None

    def chain_starts(self) -> np.ndarray:
        """Mask of the first step of each chain: a new typical period, investment period or hydrology begins."""
        if self.n_steps == 0:
            return np.zeros(0, dtype=bool)
        keys = (self.typical_period, self.year_of_step, self.hydrology_of_step)
        change = np.zeros(self.n_steps - 1, dtype=bool)
        for k in keys:
            change |= k[1:] != k[:-1]
        return np.r_[True, change]

    def chain_index(self) -> np.ndarray:
        """Chain of each step, numbered 0, 1, … in order."""
        return np.cumsum(self.chain_starts()) - 1

    def previous(self) -> np.ndarray:
        """Index of each step's predecessor in its chain; the first step of a chain links to the chain's last."""
        prev = np.arange(self.n_steps) - 1
        first = np.flatnonzero(self.chain_starts())
        prev[first] = np.r_[first[1:] - 1, self.n_steps - 1]
        return prev

    def longest_chain_steps(self) -> int:
        """Steps in the longest chain (a typical period, or the whole horizon): the solver default depends on it."""
        return int(np.bincount(self.chain_index()).max()) if self.n_steps else 0

    def steps_by_period(self) -> dict[int, list[int]]:
        """Timesteps of each typical period, in order."""
        out: dict[int, list[int]] = {}
        for t, k in enumerate(self.typical_period.tolist()):
            out.setdefault(int(k), []).append(t)
        return out
