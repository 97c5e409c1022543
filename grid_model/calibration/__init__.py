"""Calibration of the 2023 run against what was reported for 2023 (Ember, corrected by the national operators).

``grid-model calibrate RESULTS_DIR --out OUT_DIR [--reduced REDUCED_RESULTS_DIR]`` compares the results folder of a
``scenarios/calibration_2023.yaml`` run with :func:`reference_2023` and writes ``OUT_DIR/calibration.csv`` (one row
per zone and category), ``calibration.md`` (every criterion with pass/fail, the worst pairs, which categories are
pinned by the base-year dispatch floors and which are genuinely tested, the corrections applied to Ember) and
``calibration.png``/``.svg`` (model vs reported shares per zone). With ``--reduced`` the report also gives the
deviation of a reduced-time-resolution run from the full-year run.

The criteria, checked by ``tests/test_calibration.py``, with their tolerances in
``data/pacific/calibration/tolerances.csv`` and the listed exceptions (own tolerance and reason) in
``exceptions.csv``:

- per zone, the renewable share of generation within 5 percentage points (pp) of the reported share;
- per zone and category (:data:`grid_model.schema.GENERATION_CATEGORIES`), the share of the zone's generation
  within 5 pp for at least 80 % of the pairs and within 10 pp for all of them, except the listed pairs;
- annual demand per zone within 1 % of the reported demand;
- unserved energy below 0.1 % of demand (system and every zone);
- the net direction of trade on the existing links and the net importer/exporter position of each zone as
  reported (e.g. Ecuador a net importer from Colombia).

Modules: :mod:`~grid_model.calibration.reference` (the sourced reference CSV files and their loader),
:mod:`~grid_model.calibration.model_side` (what a results folder says), :mod:`~grid_model.calibration.checks`
(model vs reference, pass/fail), :mod:`~grid_model.calibration.report` and :mod:`~grid_model.calibration.figure`
(the report files). None of them builds or solves a model.
"""

from __future__ import annotations

from grid_model.calibration.checks import Calibration, compare, resolution_deviation
from grid_model.calibration.figure import fig_calibration
from grid_model.calibration.model_side import dispatch_basis, model_generation, model_renewable_twh
from grid_model.calibration.reference import (
    REFERENCE_DIR,
    Correction,
    LinkExpectation,
    Reference,
    ShareException,
    Tolerances,
    load_tolerances,
    read_reference_table,
    reference_2023,
)
from grid_model.calibration.report import report_markdown, report_table, write_report

REPORT_DIR = REFERENCE_DIR
"""Where the committed report (from the full-year run) lives, beside the reference files."""

__all__ = [
    "REFERENCE_DIR",
    "REPORT_DIR",
    "Calibration",
    "Correction",
    "LinkExpectation",
    "Reference",
    "ShareException",
    "Tolerances",
    "compare",
    "dispatch_basis",
    "fig_calibration",
    "load_tolerances",
    "model_generation",
    "model_renewable_twh",
    "read_reference_table",
    "reference_2023",
    "report_markdown",
    "report_table",
    "resolution_deviation",
    "write_report",
]
