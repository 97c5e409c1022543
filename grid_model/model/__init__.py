"""The optimisation model: a builder (``core``) and one module per feature."""

from grid_model.model.core import COST_CATEGORIES, ModelOptions, annuity_factor, build_model

__all__ = ["COST_CATEGORIES", "ModelOptions", "annuity_factor", "build_model"]
