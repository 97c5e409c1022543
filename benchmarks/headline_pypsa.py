"""The headline scenarios as PyPSA networks: the same LP as grid_model's, built with PyPSA and linopy.

The translation is grid_model's PyPSA exporter, :mod:`grid_model.export.pypsa` (also ``grid-model export …
--to pypsa``): :func:`build_network` turns a scenario-applied dataset into a ``pypsa.Network`` plus the
``extra_functionality`` PyPSA needs for what it has no component for (typical days, batteries cyclic within each
day, reservoirs linked across the year, tied link capacities). ``benchmarks/headline.py`` checks on every run that
the objectives agree with grid_model's; ``tests/test_headline_pypsa.py`` checks the example dataset.
"""

from __future__ import annotations

from grid_model.export.pypsa import NotTranslated, build_network, extra_functionality

__all__ = ["NotTranslated", "build_network", "extra_functionality"]
