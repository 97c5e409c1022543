"""Which HiGHS algorithm, options and cost units for which class of LP.

The rule: dual simplex for dispatch-only LPs and for expansion LPs whose longest chronological period is at most a
week of steps; HiPO (augmented system, METIS) + crossover for expansion LPs with longer chains where highspy-extras
is installed and the machine has the memory; IPX + crossover otherwise, and after a HiPO run without a verdict
(grid_model.solve.runner). Every choice gives a basic solution. Costs are scaled per algorithm (:func:`cost_scale_for`).
Measurements behind every figure here: benchmarks/results/solver_policy.md.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grid_model.solve.form import StandardForm

log = logging.getLogger(__name__)

BYTES_PER_KB = 1024  # /proc/meminfo counts in kB (kibibytes)
BYTES_PER_GB = 1e9  # for messages

IPM_COST_SCALE = 1e-4  # USD → 10 kUSD inside HiGHS for interior point: headline cost coefficients then span ~6e-4 … 2e2
SIMPLEX_COST_SCALE = 1e-2  # USD → 100 USD for simplex (and anything else): no "large costs" warning, see cost_scale_for
HIPO_COST_SCALE = 10.0  # USD → 0.1 USD for HiPO: fewer refinement solves per IPM iteration, see cost_scale_for

# HiPO ships in highspy-extras (a dependency); without it HiGHS would silently run IPX instead, so the choice is made
# explicitly (hipo_installed). "augmented" and METIS: HiPO's "choose" also analyses the normal equations, which on
# these LPs (a few dense capacity columns) multiplies peak memory for nothing.
EXPANSION_SOLVER = {"solver": "hipo", "run_crossover": "on", "hipo_system": "augmented", "hipo_ordering": "metis"}
# HiPO is chosen only where this much memory per matrix non-zero is available (measured ~1.0 kB, with margin).
HIPO_BYTES_PER_NONZERO = 1_500
EXPANSION_FALLBACK_SOLVER = {"solver": "ipm", "run_crossover": "on"}
DISPATCH_SOLVER = {"solver": "simplex"}
SIMPLEX_MAX_PERIOD_STEPS = 168  # expansion LPs whose longest period is at most a week of steps go to dual simplex
DEFAULT_SOLVER_OPTIONS: dict[str, object] = {
    "presolve": "on",
    "threads": 0,
    "primal_feasibility_tolerance": 1e-7,
    "dual_feasibility_tolerance": 1e-7,
}


@dataclass(frozen=True)
class ProblemClass:
    """What the solver policy needs to know about an LP, told by whoever built it.

    ``has_investment``: the LP decides new capacity. ``longest_period_steps``: steps of its longest chronological
    chain (None: not known, treated as long).
    """

    has_investment: bool
    longest_period_steps: int | None = None


UNKNOWN_PROBLEM = ProblemClass(has_investment=False)  # a model handed over without its class: dual simplex


def hipo_installed() -> bool:
    """True when HiGHS can run HiPO, i.e. the ``highspy-extras`` package is installed."""
    return importlib.util.find_spec("highspy_extras") is not None


def available_memory_bytes() -> int | None:
    """The memory the machine can give a new allocation now (Linux ``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * BYTES_PER_KB
    except OSError:
        pass
    return None


def hipo_fits(form: StandardForm) -> bool:
    """True unless the machine is known to lack the memory HiPO is expected to need for this LP
    (``HIPO_BYTES_PER_NONZERO`` per matrix non-zero)."""
    available = available_memory_bytes()
    return available is None or available >= HIPO_BYTES_PER_NONZERO * form.A.nnz


def default_solver(form: StandardForm) -> dict[str, object]:
    """HiGHS's algorithm for this class of LP: dual simplex for dispatch-only LPs and for expansion LPs made of short
    periods (typical days); HiPO + crossover for expansion LPs with long chronological chains, or IPX + crossover
    where HiPO is not installed or the machine lacks the memory it would need."""
    short = form.longest_period_steps is not None and form.longest_period_steps <= SIMPLEX_MAX_PERIOD_STEPS
    if not form.has_investment or short:
        return DISPATCH_SOLVER
    if not hipo_installed():
        return EXPANSION_FALLBACK_SOLVER
    if not hipo_fits(form):
        log.warning(
            "IPX instead of HiPO for this expansion LP: HiPO would need ~%.1f GB and %.1f GB are available",
            HIPO_BYTES_PER_NONZERO * form.A.nnz / BYTES_PER_GB,
            (available_memory_bytes() or 0) / BYTES_PER_GB,
        )
        return EXPANSION_FALLBACK_SOLVER
    return EXPANSION_SOLVER


def cost_scale_for(options: dict[str, object]) -> float:
    """Factor on costs inside HiGHS: ``IPM_COST_SCALE`` (IPX), ``HIPO_COST_SCALE`` (HiPO), else ``SIMPLEX_COST_SCALE``.

    Each algorithm gets the units it was measured fastest in. With HiPO's units HiGHS's log warns of "excessively
    large costs"; the warning is expected and changes nothing.
    """
    solver = str(options.get("solver", ""))
    if solver in ("ipm", "ipx"):
        return IPM_COST_SCALE
    return HIPO_COST_SCALE if solver == "hipo" else SIMPLEX_COST_SCALE
