"""``scipy.sparse``, imported without Pyomo's scipy finaliser.

Importing Pyomo registers an import hook (``pyomo.common.dependencies``) so that whenever scipy is first imported,
by anyone, Pyomo's finaliser also imports ``scipy.stats``, ``scipy.integrate`` and ``scipy.spatial`` for Pyomo's
own optional features. grid_model uses only ``scipy.sparse``; the finaliser cost every process 0.56 s and 58 MB
(measured: ``import pyomo.environ, scipy.sparse`` 1.03 s and 181 MB resident, against 0.47 s and 123 MB for
Pyomo alone and 12 MB for ``scipy.sparse`` alone).

So the hook's entry for scipy is dropped before scipy is imported, if Pyomo has not resolved it yet. Pyomo code
that needs those submodules still gets them: its deferred ``scipy`` module runs the finaliser when first used
(Pyomo's own standard-form compiler, grid_model's fallback, does so). If a Pyomo release changes the private
structure, nothing is dropped and only the saving is lost.
"""

from __future__ import annotations

import sys

import pyomo.common.dependencies as _dependencies


def _drop_pyomo_scipy_finaliser() -> bool:
    """Remove Pyomo's import callback for scipy; True when it was removed."""
    finder = getattr(_dependencies, "DeferredImportCallbackFinder", None)
    callbacks = getattr(finder, "_callbacks", None)
    if "scipy" in sys.modules or not isinstance(callbacks, dict):
        return False
    return callbacks.pop("scipy", None) is not None


FINALISER_DROPPED = _drop_pyomo_scipy_finaliser()

from scipy import sparse  # noqa: E402

__all__ = ["FINALISER_DROPPED", "sparse"]
