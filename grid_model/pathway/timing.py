"""Time in a pathway: which years each investment period stands for, their discount weights, and which vintages
of capacity are in service in which period.

Periods are the planning years y_1 < … < y_P; period q stands for the years y_q … y_{q+1} − 1 (the last for
y_P … ``end_year``). With discount rate r and base year y_0 its weight is

    D_q = Σ_{y in period q} (1 + r)^−(y − y_0)

so a cost of C USD in every year of q counts D_q·C in the net present value. Capacity built in period p (at y_p)
with lifetime L is in service in period q when y_p ≤ y_q < y_p + L (PyPSA's ``build_year`` / ``lifetime`` rule):
its annuity is paid in every year of every such period, and in no other year, so the horizon needs no salvage
value — an asset whose life runs past the end has paid only for the years it served.
"""

from __future__ import annotations

import numpy as np


def period_spans(years: list[int], last_year: int) -> list[list[int]]:
    """The calendar years each period stands for."""
    ends = [*years[1:], last_year + 1]
    return [list(range(y, e)) for y, e in zip(years, ends, strict=True)]


def discount_weights(years: list[int], base_year: int, last_year: int, rate: float) -> np.ndarray:
    """D_q for every period (module docstring)."""
    return np.array(
        [sum((1.0 + rate) ** -(y - base_year) for y in span) for span in period_spans(years, last_year)], dtype=float
    )


def in_service(build_year: int, lifetime_yr: float, year: int) -> bool:
    """True when capacity built for ``build_year`` with ``lifetime_yr`` is in service in the period of ``year``."""
    return build_year <= year < build_year + lifetime_yr
