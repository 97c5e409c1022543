"""One wrapper over HiGHS: compile the Pyomo model to standard form, pass the arrays to highspy, map back.

grid_model.compiler turns the model into ``min cᵀx, A x {≤,=,≥} b`` (Pyomo's ``mixed_form`` convention) with
the Pyomo objects of every row and column. We hand those arrays to ``highspy`` as numpy arrays (``addRows`` /
``addCols``), keep the ``Highs`` object (so changed costs or bounds can be re-solved warm), and return primal values
and row duals keyed by Pyomo component.

Numerics: costs are passed to HiGHS in units of 10 kUSD for IPX, 0.1 USD for HiPO and 100 USD for simplex
(:func:`cost_scale_for`), and columns and rows whose bounds or right-hand sides are very large (reservoir
energy in MWh, a CO2 cap in t) are scaled by powers of ten (:class:`Scaling`). Primal values, duals and the
objective are unscaled exactly before anyone sees them.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import importlib.util
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import highspy
import numpy as np
import pyomo.environ as pyo

from grid_model._sparse import sparse
from grid_model.compiler import compile_model_arrays
from grid_model.errors import InfeasibleError, SolveError
from grid_model.pyomo_speed import gc_paused, index_shape

log = logging.getLogger(__name__)

IPM_COST_SCALE = 1e-4  # USD → 10 kUSD inside HiGHS for interior point: headline cost coefficients then span ~6e-4 … 2e2
SIMPLEX_COST_SCALE = 1e-2  # USD → 100 USD for simplex (and anything else): no "large costs" warning, see cost_scale_for
HIPO_COST_SCALE = 10.0  # USD → 0.1 USD for HiPO: fewer refinement solves per IPM iteration, see cost_scale_for
BIG = 1e5  # bounds / right-hand sides above this are scaled down by powers of ten (to ≤ 1e4)


@dataclass
class Scaling:
    """Column factors s (x = s·x') and row factors r (row divided by r); both powers of ten, fixed at load time."""

    col: np.ndarray
    row: np.ndarray

    @staticmethod
    def for_form(col_lo: np.ndarray, col_hi: np.ndarray, row_lo: np.ndarray, row_hi: np.ndarray) -> Scaling:
        def factor(lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
            mag = np.maximum(np.where(np.isfinite(lo), np.abs(lo), 0.0), np.where(np.isfinite(hi), np.abs(hi), 0.0))
            exp = np.where(mag > BIG, np.floor(np.log10(np.maximum(mag, 1.0))) - 4, 0.0)
            return 10.0**exp

        # column scaling leaves right-hand sides unchanged; rows whose right-hand side is large are scaled on
        # their own (their coefficients then shrink by the same factor)
        return Scaling(factor(col_lo, col_hi), factor(row_lo, row_hi))


# Per problem class, from the benchmarks (benchmarks/results/benchmark.md and headline.md). Dispatch-only LPs: dual
# simplex by far (8,760 steps: 17 s vs 196–235 s for IPX + crossover). LPs with investment depend on how long their
# chronological chains are, not on their size: on the headline typical-day LPs (24-step periods, 85 k rows) dual
# simplex took 19–22 s against 47–58 s for IPX + crossover (base) and 57 s against 80–85 s (interconnect); on the
# synthetic chronological expansion LPs IPX + crossover took 87 s against 174 s (1,095 steps, 118 k rows) and 225 s
# against 515 s (2,190 steps, 237 k rows), and HiPO (HiGHS's parallel interior point) + crossover, left to its own
# choices, took 102 s at 2,190 steps, at 2.6 GB against IPX's 0.56 GB (with its settings below and costs in
# 0.1 USD: 75–78 s, ~0.75 GB).
# All give basic solutions: clean zeros, exact vertex duals as prices.
# HiPO ships in the highspy-extras package (a dependency); without it HiGHS would silently run IPX instead, so the
# choice is made explicitly (hipo_installed), and a HiPO run that ends short of optimal is re-run with IPX (run).
EXPANSION_SOLVER = {"solver": "hipo", "run_crossover": "on", "hipo_system": "augmented", "hipo_ordering": "metis"}
# HiPO's "choose" for its Newton system analyses the normal equations too, which on these LPs (54 dense capacity
# columns) tripled peak memory for nothing: on the 2,190-step benchmark LP "augmented" took the same 91 s at 749 MB
# instead of 2,380 MB, and METIS ordering 83 s instead of 91 s with HiPO's own choice (HiGHS alone, costs in USD).
# HiPO's factorisation needs more memory than IPX's. Peak memory of the whole grid_model process on the 8,760-step
# benchmark expansion LP (3.06 M non-zeros; augmented system, METIS): 3,052–3,111 MB, ~1.0 kB per non-zero (HiGHS
# alone 3,023 MB, most of it in HiPO and crossover; 10,430 MB with HiPO's "choose"). HiPO is chosen only where
# 1.5 kB per non-zero is available; elsewhere IPX (slower, leaner).
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


@dataclass
class Solution:
    """Primal values and duals mapped back to Pyomo components, in model units (USD, MW, MWh)."""

    status: str
    objective_usd: float
    col_values: np.ndarray
    row_duals: np.ndarray
    columns: list | None  # VarData of each column (None after release_model)
    rows: list | None  # (ConstraintData, sign) of each row (None after release_model)
    timings_s: dict[str, float] = field(default_factory=dict)
    solver_info: dict[str, object] = field(default_factory=dict)
    var_blocks: dict[str, Block] = field(default_factory=dict)
    row_blocks: dict[str, Block] = field(default_factory=dict)
    cost_usd: dict[str, float] = field(default_factory=dict)  # cost category -> USD/yr at this solution

    @functools.cached_property
    def col_of(self) -> dict[int, int]:
        """id(VarData) -> column, built on first use (most results read whole Vars through :meth:`array`)."""
        with gc_paused():
            return {id(v): i for i, v in enumerate(self.columns)}

    @functools.cached_property
    def row_of(self) -> dict[int, int]:
        """id(ConstraintData) -> row, built on first use."""
        with gc_paused():
            return {id(r[0]): i for i, r in enumerate(self.rows)}

    def block(self, name: str, outer: list | None = None) -> np.ndarray | None:
        """Values of the Var ``name`` as an array ``len(outer) × inner`` (a vector for one-dimensional Vars), or
        None when its elements are not one block of columns or its first index is not ``outer``."""
        b = self.var_blocks.get(name)
        return None if b is None else _shaped(self.col_values, b, outer)

    def dual_block(self, name: str, outer: list | None = None) -> np.ndarray | None:
        """Duals of the Constraint ``name``, shaped like :meth:`block`, or None."""
        b = self.row_blocks.get(name)
        return None if b is None else _shaped(self.row_duals, b, outer)

    def value(self, var) -> float:
        """Value of one VarData (fixed or unused variables keep their Pyomo value or 0). Needs the model's
        columns, which a lean solve (:func:`release_model`) has dropped."""
        if self.columns is None:
            raise RuntimeError("the Pyomo model was released after compiling; read results through block()")
        i = self.col_of.get(id(var))
        if i is None:
            return float(var.value) if var.value is not None else 0.0
        return float(self.col_values[i])

    def values(self, var_component) -> dict:
        """Values of an indexed Var as {index: value}."""
        return {k: self.value(v) for k, v in var_component.items()}

    def dual(self, con) -> float:
        if self.rows is None:
            raise RuntimeError("the Pyomo model was released after compiling; read duals through dual_block()")
        """Dual of one ConstraintData, USD per unit of its right-hand side (∂ objective / ∂ rhs)."""
        i = self.row_of.get(id(con))
        if i is None:
            return 0.0
        return float(self.row_duals[i])


@dataclass
class StandardForm:
    """The LP as arrays: min cᵀx + offset, row_lo ≤ A x ≤ row_hi, col_lo ≤ x ≤ col_hi (costs in USD)."""

    c: np.ndarray
    A: object  # scipy.sparse csc
    col_lo: np.ndarray
    col_hi: np.ndarray
    row_lo: np.ndarray
    row_hi: np.ndarray
    columns: list | None
    rows: list | None
    offset: float
    compile_s: float
    model: pyo.ConcreteModel | None = None  # kept alive so row and column objects keep their names
    has_investment: bool = True
    longest_period_steps: int | None = None  # steps of the longest chronological chain (None: not known)
    cost_rows: object = None  # scipy.sparse csr, one row per cost category (USD per unit of each column)
    cost_offsets: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cost_names: list[str] = field(default_factory=list)
    var_blocks: dict[str, Block] = field(default_factory=dict)  # Var name -> its columns
    row_blocks: dict[str, Block] = field(default_factory=dict)  # Constraint name -> its rows
    route: str = "direct"  # which compiler produced the arrays (grid_model.compiler)

    def column_names(self) -> list[str]:
        return [v.name for v in self.columns]

    def row_names(self) -> list[str]:
        return [r[0].name + ("" if r[1] == 0 else ("<=" if r[1] > 0 else ">=")) for r in self.rows]


@dataclass
class CompiledModel:
    """The standard-form arrays and the loaded Highs instance, ready to solve and re-solve."""

    highs: highspy.Highs
    columns: list | None
    rows: list | None
    c_offset: float
    compile_s: float
    load_s: float
    form: StandardForm | None = None
    scaling: Scaling | None = None
    cost_scale: float = 1.0  # costs inside HiGHS are USD × cost_scale (cost_scale_for), fixed at load time


def standard_form(model: pyo.ConcreteModel) -> StandardForm:
    """Compile the Pyomo model to arrays (grid_model.compiler: mixed form, ≤, =, ≥ rows).

    Columns are in declaration order, not first appearance, so scenarios that differ only in which costs are
    non-zero compile to identical matrices (see grid_model.session). Each objective row is one cost category
    (grid_model.model.core); the LP's cost vector is their sum.
    """
    with gc_paused():
        arrays = compile_model_arrays(model)
        t0 = time.perf_counter()
        bounds = [v.bounds for v in arrays.columns]
        inf = highspy.kHighsInf
        col_lo = np.array([-inf if b[0] is None else b[0] for b in bounds], dtype=float)
        col_hi = np.array([inf if b[1] is None else b[1] for b in bounds], dtype=float)
        del bounds
    n_cols = arrays.A.shape[1]
    cost_rows = arrays.cost_rows
    c = np.asarray(cost_rows.sum(axis=0)).ravel() if cost_rows.shape[0] else np.zeros(n_cols)
    rhs = arrays.rhs
    sign = np.fromiter((r[1] for r in arrays.rows), dtype=int, count=len(arrays.rows))
    row_lo = np.where(sign >= 0, np.where(sign == 0, rhs, -inf), rhs)
    row_hi = np.where(sign <= 0, np.where(sign == 0, rhs, inf), rhs)
    invest = any(len(getattr(model, name, ())) for name in ("gen_new_cap_mw", "sto_new_cap_mw", "link_new_cap_mw"))
    longest = getattr(model, "_longest_period_steps", None)  # set by grid_model.model.core.build_model
    return StandardForm(
        c,
        arrays.A,
        col_lo,
        col_hi,
        row_lo,
        row_hi,
        arrays.columns,
        arrays.rows,
        float(arrays.cost_offsets.sum()),
        arrays.compile_s + time.perf_counter() - t0,
        model,
        invest,
        longest,
        cost_rows=cost_rows,
        cost_offsets=arrays.cost_offsets,
        cost_names=[str(o.index()) for o in arrays.objectives],
        var_blocks=_var_blocks(model, arrays.columns, arrays.where),
        row_blocks=_row_blocks(arrays.rows),
        route=arrays.route,
    )


@dataclass(frozen=True)
class Block:
    """Where one indexed Var or Constraint sits in the LP: columns (or rows) [start, stop) in its own iteration
    order, shaped ``len(outer) × inner`` — ``outer`` the first index set (or every key of a one-dimensional
    component), ``inner`` the length of the second (1 for one-dimensional components)."""

    start: int
    stop: int
    outer: tuple
    inner: int
    two_d: bool


def _var_blocks(model: pyo.ConcreteModel, columns: list, where: np.ndarray) -> dict[str, Block]:
    """The column block of every Var component whose elements are all columns.

    ``columns`` are the VarData of the columns and ``where`` their positions in declaration order (ascending).
    """
    out: dict[str, Block] = {}
    start = 0
    for comp in model.component_objects(pyo.Var, descend_into=True):
        n = len(comp)
        k0, k1 = np.searchsorted(where, [start, start + n])
        shape = index_shape(comp, (columns[k0], columns[k1 - 1])) if n and k1 - k0 == n else None
        if shape is not None:
            out[comp.name] = Block(int(k0), int(k1), *shape)
        start += n
    return out


def _row_blocks(rows: list) -> dict[str, Block]:
    """The row block of every Constraint component compiled to exactly one row per element, consecutively."""
    out: dict[str, Block] = {}
    i, n = 0, len(rows)
    while i < n:
        comp = rows[i][0].parent_component()
        j = i
        while j < n and rows[j][0].parent_component() is comp:
            j += 1
        shape = index_shape(comp, (rows[i][0], rows[j - 1][0])) if j - i == len(comp) else None
        if shape is not None and comp.name not in out:
            out[comp.name] = Block(i, j, *shape)
        i = j
    return out


def _shaped(values: np.ndarray, b: Block, outer: list | None) -> np.ndarray | None:
    if outer is not None and tuple(outer) != b.outer:
        return None
    part = values[b.start : b.stop]
    return part.reshape(len(b.outer), b.inner).copy() if b.two_d else part.copy()


def release_model(target: CompiledModel | StandardForm) -> None:
    """Free the Pyomo variables, constraints, objectives and expressions once the LP is compiled.

    A one-shot solve reads its results through the column and row blocks (:meth:`Solution.block`), so the
    millions of Pyomo objects need not share memory with HiGHS; sets and the parameter tables attached to the
    model stay. Given a :class:`StandardForm` (before :func:`load_form`), the arrays are kept for loading; given a
    loaded :class:`CompiledModel`, the matrix is dropped too (HiGHS holds its own copy). Sessions that re-use the
    model warm keep it. The pipeline calls it in a second thread while HiGHS solves (grid_model.pipeline), which
    reads the Solution's columns/rows only through blocks. Measured on the benchmark dispatch LP at 8,760 steps:
    peak memory 1,880 MB without releasing, 1,213 MB with it (and with the registries dropped, Context.release).
    """
    form = target.form if isinstance(target, CompiledModel) else target
    if form is None or form.model is None:
        return
    model = form.model
    if isinstance(target, CompiledModel):
        target.columns = target.rows = None
        form.A = None
    form.columns = form.rows = None
    with gc_paused():
        for comp in list(
            model.component_objects((pyo.Objective, pyo.Constraint, pyo.Expression, pyo.Var), descend_into=True)
        ):
            comp.parent_block().del_component(comp)
    # Most objects go by reference counting; what is left in reference cycles (Pyomo's compiler temporaries on the
    # fallback route, the build's tables) is collected now, once, since the pipeline pauses the automatic collector.
    # Measured at 2,190 expansion steps: resident memory 372 -> 279 MB with the collection and trim. The pipeline
    # runs this in a second thread while HiGHS solves, so its 0.1-0.4 s are off the wall time.
    gc.collect()
    _trim_heap()


def _trim_heap() -> None:
    """Give freed heap pages back to the operating system (glibc only; elsewhere a no-op)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def hipo_installed() -> bool:
    """True when HiGHS can run HiPO, i.e. the ``highspy-extras`` package is installed."""
    return importlib.util.find_spec("highspy_extras") is not None


def available_memory_bytes() -> int | None:
    """The memory the machine can give a new allocation now (Linux ``MemAvailable``), or None where unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def hipo_fits(form: StandardForm) -> bool:
    """True unless the machine is known to lack the memory HiPO is expected to need for this LP
    (``HIPO_BYTES_PER_NONZERO`` per matrix non-zero; see there)."""
    available = available_memory_bytes()
    return available is None or available >= HIPO_BYTES_PER_NONZERO * form.A.nnz


def default_solver(form: StandardForm) -> dict[str, object]:
    """HiGHS's algorithm for this class of LP: dual simplex for dispatch-only LPs and for expansion LPs made of short
    periods (typical days); HiPO + crossover for expansion LPs with long chronological chains, or IPX + crossover
    where HiPO is not installed or the machine lacks the memory it would need (see the evidence at
    EXPANSION_SOLVER)."""
    short = form.longest_period_steps is not None and form.longest_period_steps <= SIMPLEX_MAX_PERIOD_STEPS
    if not form.has_investment or short:
        return DISPATCH_SOLVER
    if not hipo_installed():
        return EXPANSION_FALLBACK_SOLVER
    if not hipo_fits(form):
        log.warning(
            "IPX instead of HiPO for this expansion LP: HiPO would need ~%.1f GB and %.1f GB are available",
            HIPO_BYTES_PER_NONZERO * form.A.nnz / 1e9,
            (available_memory_bytes() or 0) / 1e9,
        )
        return EXPANSION_FALLBACK_SOLVER
    return EXPANSION_SOLVER


def cost_scale_for(options: dict[str, object]) -> float:
    """Factor on costs inside HiGHS: ``IPM_COST_SCALE`` (IPX), ``HIPO_COST_SCALE`` (HiPO), else ``SIMPLEX_COST_SCALE``.

    Measured with dual simplex (HiGHS run time): on the headline base LP 67 s with costs in 10 kUSD (79 k iterations),
    16–19 s in units of 10, 100 or 1,000 USD (55–65 k iterations) and 17 s in USD, where HiGHS warns of excessively
    large costs; on the interconnect LP 159 s in 10 kUSD, 52 s in 100 USD, 57 s in 10 USD or in USD. IPX took
    48–50 s on the base LP in 10 kUSD and 58 s in USD, and a smaller scale (1e-6) was slower on the 2,190-step
    benchmark expansion LP (264 s vs 225 s).

    HiPO (augmented system, METIS) spends most of an iteration in triangular solves, and the number of refinement
    solves per iteration falls as the costs grow against the bounds. On that 2,190-step LP, HiGHS alone on the same
    model with costs in 100 USD, 10 USD, USD, 0.1 USD, 0.01 USD and 0.001 USD: 7.4, 6.3, 5.7, 5.0, 4.8 and 4.5
    solves per iteration; 97, 89, 86–87, 75–78, 81 and 76 s. The factorisation is the same in every case, and
    PyPSA's LP of the same network (USD) took 82 s with 5.7 solves per iteration. On the real 11-zone base at
    4-hour steps, 0.1 USD took 151 s against 166 s in 100 USD. HiGHS's log then warns of "excessively large costs"
    (up to ~2e7 on real LPs); HiPO is faster in these units all the same, and the warning changes nothing.
    """
    solver = str(options.get("solver", ""))
    if solver in ("ipm", "ipx"):
        return IPM_COST_SCALE
    return HIPO_COST_SCALE if solver == "hipo" else SIMPLEX_COST_SCALE


def load_form(
    form: StandardForm, options: dict[str, object] | None = None, log_file: str | Path | None = None
) -> CompiledModel:
    """Load the arrays into a fresh ``Highs`` instance (scaled, see :class:`Scaling`) and set the solver options."""
    t1 = time.perf_counter()
    options = {**default_solver(form), **(options or {})}
    cost_scale = cost_scale_for(options)
    sc = Scaling.for_form(form.col_lo, form.col_hi, form.row_lo, form.row_hi)
    A = form.A.tocsc()
    if (sc.row != 1.0).any() or (sc.col != 1.0).any():
        A = (sparse.diags(1.0 / sc.row) @ A @ sparse.diags(sc.col)).tocsc()
    n_rows, n_cols = A.shape
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    # Rows first (bounds only), then the columns with the matrix, column-wise: both calls take the numpy arrays as
    # they are, where filling a HighsLp converts them element by element (0.08 s vs 0.32 s at 1.1 M columns).
    none_i, none_x = np.zeros(0, dtype=np.int32), np.zeros(0)
    _check(h.addRows(n_rows, form.row_lo / sc.row, form.row_hi / sc.row, 0, none_i, none_i, none_x), "rows")
    _check(
        h.addCols(
            n_cols,
            form.c * cost_scale * sc.col,
            form.col_lo / sc.col,
            form.col_hi / sc.col,
            A.nnz,
            A.indptr.astype(np.int32),
            A.indices.astype(np.int32),
            A.data.astype(float),
        ),
        "columns",
    )
    compiled = CompiledModel(
        h, form.columns, form.rows, form.offset, form.compile_s, time.perf_counter() - t1, form, sc, cost_scale
    )
    set_log_file(compiled, log_file)
    apply_options(compiled, options)
    log.info(
        "compiled %d rows × %d columns in %.2f s, loaded in %.2f s", n_rows, n_cols, compiled.compile_s, compiled.load_s
    )
    return compiled


def _check(status: highspy.HighsStatus, what: str) -> None:
    if status == highspy.HighsStatus.kError:
        raise SolveError(f"HiGHS refused the compiled LP's {what}: an internal error of grid_model, please report it")


def compile_model(
    model: pyo.ConcreteModel, options: dict[str, object] | None = None, log_file: str | Path | None = None
) -> CompiledModel:
    """Compile the Pyomo model to standard form and load it into a fresh ``Highs`` instance."""
    return load_form(standard_form(model), options, log_file)


def same_structure(a: StandardForm, b: StandardForm) -> bool:
    """True when two LPs have the same rows, columns and matrix, so only costs and bounds may differ."""
    if a.A.shape != b.A.shape or a.A.nnz != b.A.nnz:
        return False
    if not (
        np.array_equal(a.A.indptr, b.A.indptr)
        and np.array_equal(a.A.indices, b.A.indices)
        and np.array_equal(a.A.data, b.A.data)
    ):
        return False
    return a.column_names() == b.column_names() and a.row_names() == b.row_names()


def update_loaded(compiled: CompiledModel, form: StandardForm) -> dict[str, int]:
    """Change only the costs and bounds that differ in the loaded HiGHS model; HiGHS keeps its basis.

    The caller must have checked :func:`same_structure`. Returns how many entries changed.
    """
    old = compiled.form
    assert old is not None
    h = compiled.highs
    sc = compiled.scaling
    assert sc is not None
    changed = {}
    idx = np.flatnonzero(old.c != form.c)
    if len(idx):
        h.changeColsCost(len(idx), idx.astype(np.int32), form.c[idx] * compiled.cost_scale * sc.col[idx])
    changed["costs"] = len(idx)
    idx = np.flatnonzero((old.col_lo != form.col_lo) | (old.col_hi != form.col_hi))
    if len(idx):
        h.changeColsBounds(
            len(idx), idx.astype(np.int32), form.col_lo[idx] / sc.col[idx], form.col_hi[idx] / sc.col[idx]
        )
    changed["col_bounds"] = len(idx)
    idx = np.flatnonzero((old.row_lo != form.row_lo) | (old.row_hi != form.row_hi))
    if len(idx):
        h.changeRowsBounds(
            len(idx), idx.astype(np.int32), form.row_lo[idx] / sc.row[idx], form.row_hi[idx] / sc.row[idx]
        )
    changed["row_bounds"] = len(idx)
    compiled.form, compiled.columns, compiled.rows, compiled.c_offset = form, form.columns, form.rows, form.offset
    compiled.compile_s, compiled.load_s = form.compile_s, 0.0
    return changed


def set_log_file(compiled: CompiledModel, log_file: str | Path | None) -> None:
    """Send HiGHS's log of the next run to ``log_file`` (or silence it)."""
    h = compiled.highs
    h.setOptionValue("output_flag", log_file is not None)
    if log_file is not None:
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", str(log_file))


def apply_options(compiled: CompiledModel, options: dict[str, object]) -> None:
    """Set HiGHS options (defaults first, then the scenario's), rejecting unknown names clearly."""
    h = compiled.highs
    for key, value in {**DEFAULT_SOLVER_OPTIONS, **options}.items():
        if key == "time_limit_s":
            key = "time_limit"
        status = h.setOptionValue(key, value)
        if status != highspy.HighsStatus.kOk:
            raise SolveError(f"solver option '{key}' = {value!r} was rejected by HiGHS")


def _run_interruptible(h: highspy.Highs) -> None:
    """``h.run()`` in a solver thread, so that Ctrl-C and SIGTERM are handled at once and the process exits cleanly.

    Python runs signal handlers in the main thread only when it holds the GIL, and HiGHS's ``run()`` releases it for
    the whole solve: a kill during a 2-minute solve used to wait for the solve to end. Here the main thread waits in
    short steps; when the CLI's handler raises ``KeyboardInterrupt`` (grid_model.cli), HiGHS is asked to stop at its
    next simplex or interior-point iteration (its interrupt callbacks), and the interrupt goes on once the solver
    thread is done. Presolve has no interrupt callback, so a kill there waits for presolve to end (seconds).

    The interrupt must not reach the caller while HiGHS still runs: the interpreter would then shut down under a
    thread inside HiGHS and the C++ runtime aborts ("terminate called without an active exception"; CI, 2026-11-29,
    with highspy's ``startSolve``, whose thread is a daemon that the interpreter does not wait for). So this thread is
    not a daemon, it joins HiGHS's worker threads (``resetGlobalScheduler(True)``) before it says it is done, it does
    not start HiGHS if the interrupt came first, and the caller waits on events, never on ``Thread.join``: in Python
    3.11 a ``join`` interrupted by a signal marks a running thread as stopped (a first version of this function did
    that and reproduced the abort here, core dump included).
    """
    stop = threading.Event()
    begun = threading.Event()
    done = threading.Event()
    failure: list[BaseException] = []

    def interrupt_if_asked(event) -> None:
        # the flag is written on every call: HiGHS keeps it between runs, so a flag left set by an earlier interrupted
        # solve of this instance would stop the next one at its first iteration
        event.interrupt(stop.is_set())

    def solve() -> None:
        begun.set()
        try:
            if not stop.is_set():
                h.run()
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)
        finally:
            try:
                highspy.Highs.resetGlobalScheduler(True)
            finally:
                done.set()

    callbacks = (h.cbSimplexInterrupt, h.cbIpmInterrupt)
    for cb in callbacks:
        cb.subscribe(interrupt_if_asked)
    thread = threading.Thread(target=solve, name="highs-solve")
    try:
        thread.start()
        while not done.wait(0.1):
            pass
    except BaseException:
        stop.set()
        if begun.wait(1.0):  # the interrupt may have landed inside thread.start(), with the thread already running
            done.wait()
        raise
    finally:
        for cb in callbacks:
            cb.unsubscribe(interrupt_if_asked)
    thread.join()
    if failure:
        raise failure[0]


def run(compiled: CompiledModel) -> Solution:
    """Solve (or re-solve from the current basis) and return the solution; non-optimal is an error."""
    h = compiled.highs
    t0 = time.perf_counter()
    clock0 = float(h.getRunTime())  # HiGHS's clock is cumulative over re-solves of one instance
    _run_interruptible(h)
    status = h.getModelStatus()
    fallback = _hipo_fell_short(h, status)
    if fallback:
        log.warning("HiPO stopped short of optimal (%s); solving again with IPX + crossover", fallback)
        # The costs stay in HiPO's units (fixed at load time): slower for IPX than its own units, but the same LP.
        saved = {key: option_value(h, key) for key in EXPANSION_FALLBACK_SOLVER}
        for key, value in EXPANSION_FALLBACK_SOLVER.items():
            h.setOptionValue(key, value)
        try:
            _run_interruptible(h)
        finally:
            for key, value in saved.items():  # a warm session's next run tries HiPO again
                h.setOptionValue(key, value)
        status = h.getModelStatus()
    solve_s = time.perf_counter() - t0
    if status != highspy.HighsModelStatus.kOptimal:
        raise status_error(h, status)
    sol = h.getSolution()
    info = h.getInfo()
    sc = compiled.scaling
    x = np.asarray(sol.col_value, dtype=float) * (sc.col if sc is not None else 1.0)
    # round solver noise on bounds (e.g. −1e−10 MW of new capacity) to the bound itself
    form = compiled.form
    if form is not None:
        x = np.where(np.abs(x - form.col_lo) < 1e-9, form.col_lo, x)
        x = np.where(np.abs(x - form.col_hi) < 1e-9, form.col_hi, x)
    y = np.asarray(sol.row_dual, dtype=float) / compiled.cost_scale / (sc.row if sc is not None else 1.0)
    objective = float(info.objective_function_value) / compiled.cost_scale + compiled.c_offset
    cost_usd: dict[str, float] = {}
    if form is not None and form.cost_rows is not None and form.cost_rows.shape[0]:
        by_row = form.cost_rows @ x + form.cost_offsets
        cost_usd = {name: float(v) for name, v in zip(form.cost_names, by_row, strict=True)}
    return Solution(
        status="optimal",
        objective_usd=objective,
        col_values=x,
        row_duals=y,
        columns=compiled.columns,
        rows=compiled.rows,
        var_blocks=form.var_blocks if form is not None else {},
        row_blocks=form.row_blocks if form is not None else {},
        cost_usd=cost_usd,
        timings_s={
            "compile": compiled.compile_s,
            "pass_to_highs": compiled.load_s,
            "solve": solve_s,
            "highs_run": float(h.getRunTime()) - clock0,
        },
        solver_info={
            "simplex_iterations": int(info.simplex_iteration_count),
            "ipm_iterations": int(info.ipm_iteration_count),
            "crossover_iterations": int(info.crossover_iteration_count),
            "primal_solution_status": h.solutionStatusToString(info.primal_solution_status),
            "dual_solution_status": h.solutionStatusToString(info.dual_solution_status),
            "basis_valid": bool(info.basis_validity),
            "n_rows": int(h.getNumRow()),
            "n_cols": int(h.getNumCol()),
            **({"hipo_fallback": fallback} if fallback else {}),
        },
    )


def option_value(h: highspy.Highs, name: str) -> object:
    """A HiGHS option's value (highspy ≥ 1.12 returns ``(status, value)``)."""
    value = h.getOptionValue(name)
    return value[1] if isinstance(value, tuple) else value


def _hipo_fell_short(h: highspy.Highs, status: highspy.HighsModelStatus) -> str:
    """HiGHS's status text when a HiPO run ended without a verdict (neither optimal, nor infeasible or unbounded, nor
    stopped by a limit or the user), else ""."""
    S = highspy.HighsModelStatus
    verdicts = (S.kOptimal, S.kInfeasible, S.kUnbounded, S.kUnboundedOrInfeasible, S.kTimeLimit, S.kInterrupt)
    if option_value(h, "solver") != "hipo" or status in verdicts:
        return ""
    return h.modelStatusToString(status)


def status_error(h: highspy.Highs, status) -> SolveError:
    """A clear error for every non-optimal HiGHS status (never silent results)."""
    S = highspy.HighsModelStatus
    text = h.modelStatusToString(status)
    if status in (S.kInfeasible, S.kUnboundedOrInfeasible):
        return InfeasibleError(f"the scenario is infeasible (HiGHS: {text})")
    if status == S.kUnbounded:
        return SolveError(
            "the model is unbounded: some decision lowers the cost without limit — look for negative "
            "costs or prices in the data or overrides"
        )
    if status == S.kTimeLimit:
        limit = option_value(h, "time_limit")
        return SolveError(
            f"HiGHS reached the time limit ({limit:g} s) before proving an optimal solution; raise "
            f"--time-limit / solver.time_limit, or use typical periods (time.mode: typical)"
        )
    if status == S.kIterationLimit:
        return SolveError(
            "HiGHS reached its iteration limit; raise solver.simplex_iteration_limit / ipm_iteration_limit"
        )
    if status in (S.kSolveError, S.kPostsolveError, S.kPresolveError):
        return SolveError(
            f"HiGHS stopped with numerical trouble ({text}); try solver.solver: ipm or simplex, or "
            f"check the data for extreme values"
        )
    if status == S.kUnknown:
        return SolveError(
            "HiGHS stopped without proving optimality (status Unknown — typically an interior-point run "
            "without crossover that could not reach its tolerances); set solver.run_crossover: on or "
            "solver.solver: simplex"
        )
    return SolveError(f"HiGHS did not find an optimal solution: {text}")


def solve_model(
    model: pyo.ConcreteModel, options: dict[str, object] | None = None, log_file: str | Path | None = None
) -> tuple[Solution, CompiledModel]:
    """Compile, load and solve a Pyomo model with HiGHS."""
    compiled = compile_model(model, options, log_file)
    return run(compiled), compiled
