"""Options that shape the optimisation (filled from the scenario), and the annuity used for every investment.

A low-level module: the scenario layer builds a :class:`ModelOptions`, the model reads it; neither imports the
other through this file.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# Zero-cost energy that gives way first when there is more than the system can use. Without these small costs
# the LP is indifferent between, say, curtailing solar and spilling run-of-river water, and two correct solves
# (simplex and IPM, or a warm and a cold re-solve) return different splits: 1.5 TWh of Chilean solar against
# run-of-river in the headline base, 0.2 points of the non-conventional renewable share. Each rung adds
# ``tie_break_usd_per_mwh`` to every MWh of the category: wind gives way first, then solar, then geothermal,
# and water is spilled last — the spill penalty of hydrothermal models (SDDP and its descendants).
TIE_BREAK_RUNGS: dict[str, int] = {"hydro": 1, "geothermal": 2, "solar": 3, "wind": 4}
TIE_BREAK_USD_PER_MWH = 0.01


@dataclass
class ModelOptions:
    """Switches and policy that shape the optimisation (filled from the scenario)."""

    discount_rate: float = 0.07
    carbon_price_usd_per_t: float = 0.0
    co2_cap_mt: float | None = None
    zone_co2_cap_mt: dict[str, float] = field(default_factory=dict)  # zone -> cap [MtCO2/yr]
    min_renewable_share: float | None = None
    fuel_subsidies: bool = True
    allow_unserved: bool = True
    elastic: bool = False  # diagnosis only: penalised slacks on balances and policy constraints
    tie_break_usd_per_mwh: float = TIE_BREAK_USD_PER_MWH  # per rung of TIE_BREAK_RUNGS; 0 = no tie-break
    cvar_weight: float = 0.0  # λ of expected cost + λ·CVaR_α over hydrologies (grid_model.model.risk); 0 = neutral
    cvar_alpha: float = 0.8

    def tie_break_for(self, categories: pd.Series) -> pd.Series:
        """Tie-break cost of each row's category [USD/MWh]: rung × ``tie_break_usd_per_mwh`` (0 off the ladder)."""
        rung = categories.map(TIE_BREAK_RUNGS).fillna(0).astype(float)
        return rung * self.tie_break_usd_per_mwh


def annuity_factor(rate: float, lifetime_yr: float) -> float:
    """Capital recovery factor r / (1 − (1 + r)^−n); 1/n when r = 0."""
    if rate == 0:
        return 1.0 / lifetime_yr
    return rate / (1.0 - (1.0 + rate) ** (-lifetime_yr))
