"""Named unit conversions (base units: USD, MW, MWh, tCO2, hours) and the numerical tolerances used across the
package, so no bare ``1e6`` or ``1e-9`` has to be read twice."""

from __future__ import annotations

KW_PER_MW = 1_000.0
MWH_PER_TWH = 1e6
MWH_PER_GWH = 1e3
T_PER_MT = 1e6  # tonnes of CO2 per megatonne
HOURS_PER_YEAR = 8_760.0
