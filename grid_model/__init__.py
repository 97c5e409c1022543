"""grid_model — interconnection and subsidy planning model for the Pacific Alliance, SIEPAC and Ecuador.

Base units everywhere: USD, MW, MWh, tCO2; hours for durations; ``_pu`` marks per-unit values.
Units are part of every column and variable name (``p_nom_mw``, ``capex_usd_per_kw``).

Pipeline: ``load_dataset → apply_scenario → validate → build_model → solve → extract_results → write``.
"""

from grid_model.errors import InputError

__all__ = ["InputError", "__version__"]
__version__ = "0.1.0"
