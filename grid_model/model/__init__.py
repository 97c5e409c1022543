"""The optimisation model: a builder (``core``), the run context (``context``) and one module per feature."""

from grid_model.model.context import Context, FeatureReport, Readout
from grid_model.model.core import build_model, compile_context
from grid_model.options import ModelOptions, annuity_factor
from grid_model.schema import COST_CATEGORIES

__all__ = [
    "COST_CATEGORIES",
    "Context",
    "FeatureReport",
    "ModelOptions",
    "Readout",
    "annuity_factor",
    "build_model",
    "compile_context",
]
