"""One benchmark run in its own process: one tool, one setting, one network; writes a JSON record.

Run by ``run_benchmark.py`` (one fresh interpreter per run, so peak RSS belongs to that run alone)::

    python benchmarks/worker.py --tool grid_model --settings ipm --steps 168 --mode dispatch \
        --zones 11 --seed 0 --dataset DIR --json OUT.json

Timings (seconds, ``time.perf_counter``):

* ``prep_s``  — inputs into memory: grid_model ``load_dataset`` (CSV → validated tables); PyPSA builds its
  ``Network`` from the same in-memory description. Not part of the wall time.
* ``wall_s``  — inputs in memory → solution in memory: grid_model ``solve_dataset`` (build, compile, load,
  solve, extract); PyPSA ``n.optimize`` (build the linopy model, hand it to HiGHS, solve, assign solution).
* ``build_s`` — model construction: grid_model ``build_model``; PyPSA ``create_model`` + the
  ``extra_functionality`` that ties link capacities.
* ``highs_s`` — HiGHS's own clock for ``run()`` (``Highs.getRunTime()``), for both tools.
* ``outside_s`` = ``wall_s − highs_s``.

HiGHS writes its log to ``--highs-log`` (console output off), except PyPSA with its defaults, which logs to
the console as a user sees it (captured in the run's log by the parent).

Peak memory: ``ru_maxrss`` of this process (the parent also reads it from ``os.wait4``). ``rss_phases``
records the resident (``VmRSS``) and peak (``VmHWM``) memory in MiB at the end of each phase, to show where the
memory goes: grid_model ``load`` → ``build`` (Pyomo model) → ``standard_form`` (grid_model.compiler: arrays plus
the row/column object lists) → ``pass_to_highs`` (loaded into HiGHS; the Pyomo model is then freed in a second
thread while HiGHS runs) → ``highs_run`` → ``extract``;
PyPSA ``prep`` → ``create_model`` → ``linopy_solve`` (hand-off to HiGHS and the solve) → ``optimize``.
``n_nonzeros`` is HiGHS's ``getNumNz()`` of the LP it was given.
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import sys
import time
import warnings
from pathlib import Path
from typing import Any

T_START = time.perf_counter()

log = logging.getLogger("benchmarks.worker")

SETTINGS: dict[str, dict[str, Any]] = {
    # Same HiGHS options for both tools: interior point with crossover (a basic, exact vertex solution).
    "ipm": {"solver": "ipm", "run_crossover": "on"},
    # Each tool as a user meets it: no solver options at all (HiGHS "choose"; it picks the algorithm per LP).
    "defaults": {},
    # Same HiGHS options for both tools: dual simplex.
    "simplex": {"solver": "simplex"},
    # Same HiGHS options for both tools: HiPO, HiGHS's parallel interior point (needs highspy-extras), with crossover,
    # as grid_model runs it by default for long chronological expansion LPs (grid_model.solve.EXPANSION_SOLVER).
    "hipo": {"solver": "hipo", "run_crossover": "on", "hipo_system": "augmented", "hipo_ordering": "metis"},
    # PyPSA only: same options as "ipm" but through linopy's default LP-file route instead of the direct API.
    "ipm-lp": {"solver": "ipm", "run_crossover": "on"},
}


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far [MiB] (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_now_mb() -> dict[str, float]:
    """Resident (VmRSS) and peak resident (VmHWM) memory of this process now [MiB]; empty off Linux."""
    out: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key = line.split(":", 1)[0]
            if key in ("VmRSS", "VmHWM"):
                out[key.lower()] = round(int(line.split()[1]) / 1024.0, 1)
    except OSError:
        pass
    return out


def record_phases(
    module: Any, names: tuple[str, ...], phases: dict[str, dict[str, float]], after: dict[str, Any] | None = None
) -> None:
    """Wrap ``module.<name>`` so that memory is recorded in ``phases[label]`` when it returns (what it does is
    unchanged); ``after[name]`` may be a callable run on the result first (e.g. to read the LP's size)."""
    for name in names:
        label, _, attr = name.partition("=")
        attr = attr or label
        inner = getattr(module, attr)

        def wrapped(*a: Any, _inner: Any = inner, _label: str = label, **kw: Any) -> Any:
            result = _inner(*a, **kw)
            if after and _label in after:
                after[_label](result)
            phases[_label] = rss_now_mb()
            return result

        setattr(module, attr, wrapped)


def run_grid_model(args: argparse.Namespace) -> dict[str, Any]:
    """Load the dataset folder and solve it with grid_model's pipeline."""
    from network import DISCOUNT_RATE

    import grid_model.model.core
    import grid_model.session
    from grid_model.dataset import load_dataset
    from grid_model.model import ModelOptions
    from grid_model.pipeline import solve_dataset

    rec: dict[str, Any] = {"import_s": time.perf_counter() - T_START, "rss_after_import_mb": peak_rss_mb()}
    phases: dict[str, dict[str, float]] = {"import": rss_now_mb()}
    t0 = time.perf_counter()
    ds = load_dataset(args.dataset)
    rec["prep_s"] = time.perf_counter() - t0
    phases["load"] = rss_now_mb()
    # Memory at the end of each phase of solve_dataset (the functions are looked up in their modules at call time).
    record_phases(
        grid_model.session,
        ("build=build_model", "highs_run=run_explained", "extract=extract_results", "pass_to_highs=load_form"),
        phases,
        after={"pass_to_highs": lambda c: rec.update(n_nonzeros=int(c.highs.getNumNz()))},
    )
    record_phases(grid_model.model.core, ("standard_form",), phases)
    solver = SETTINGS[args.settings] or None
    t0 = time.perf_counter()
    res = solve_dataset(ds, ModelOptions(discount_rate=DISCOUNT_RATE), solver, log_file=args.highs_log)
    rec["wall_s"] = time.perf_counter() - t0
    rec["rss_phases"] = phases
    tm = res.summary["timings_s"]
    info = res.summary.get("solver", {})
    rec.update(
        status=res.summary["status"],
        objective=float(res.summary["objective_usd"]),
        build_s=float(tm["build"]),
        highs_s=float(tm["highs_run"]),
        breakdown={k: round(float(v), 4) for k, v in tm.items()},
        io_api="grid_model.compiler → addRows/addCols",
        n_rows=info.get("n_rows"),
        n_cols=info.get("n_cols"),
    )
    return rec


def run_pypsa(args: argparse.Namespace) -> dict[str, Any]:
    """Build the same network in PyPSA and optimise it with HiGHS."""
    import linopy
    import pypsa
    from network import build_pypsa_network, make_network, tie_link_capacities
    from pypsa.optimization.optimize import OptimizationAccessor

    rec: dict[str, Any] = {"import_s": time.perf_counter() - T_START, "rss_after_import_mb": peak_rss_mb()}
    phases_mb: dict[str, dict[str, float]] = {"import": rss_now_mb()}
    t0 = time.perf_counter()
    net = make_network(args.steps, args.mode, args.zones, args.seed)
    n = build_pypsa_network(net)
    rec["prep_s"] = time.perf_counter() - t0
    phases_mb["prep"] = rss_now_mb()

    # Time the phases of n.optimize without changing what it does: wrap create_model and linopy's solve.
    phases: dict[str, float] = {"create_model": 0.0, "extra_functionality": 0.0, "linopy_solve": 0.0}
    create_model = OptimizationAccessor.create_model
    linopy_solve = linopy.Model.solve

    def timed_create_model(self: Any, *a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return create_model(self, *a, **kw)
        finally:
            phases["create_model"] += time.perf_counter() - t
            phases_mb["create_model"] = rss_now_mb()

    def timed_solve(self: Any, *a: Any, **kw: Any) -> Any:
        t = time.perf_counter()
        try:
            return linopy_solve(self, *a, **kw)
        finally:
            phases["linopy_solve"] += time.perf_counter() - t
            phases_mb["linopy_solve"] = rss_now_mb()

    tie = tie_link_capacities(net)

    def extra_functionality(n: Any, snapshots: Any) -> None:
        t = time.perf_counter()
        tie(n, snapshots)
        phases["extra_functionality"] += time.perf_counter() - t

    OptimizationAccessor.create_model = timed_create_model  # type: ignore[method-assign]
    linopy.Model.solve = timed_solve  # type: ignore[method-assign]
    kwargs: dict[str, Any] = {"solver_name": "highs", "extra_functionality": extra_functionality}
    if args.settings in ("ipm", "simplex", "hipo"):
        kwargs.update(
            io_api="direct",
            include_objective_constant=True,
            log_to_console=False,
            solver_options=SETTINGS[args.settings],
            log_fn=args.highs_log,
        )
        rec["io_api"] = "direct"
    elif args.settings == "ipm-lp":
        kwargs.update(
            include_objective_constant=True,
            log_to_console=False,
            solver_options=SETTINGS["ipm-lp"],
            log_fn=args.highs_log,
        )
        rec["io_api"] = "lp"
    else:  # defaults: n.optimize(solver_name="highs"); objective constant left at PyPSA's default (True for now)
        rec["io_api"] = "lp (default)"
    t0 = time.perf_counter()
    status, condition = n.optimize(**kwargs)
    rec["wall_s"] = time.perf_counter() - t0
    phases_mb["optimize"] = rss_now_mb()
    h = n.model.solver_model
    rec.update(
        status="optimal" if (status, condition) == ("ok", "optimal") else f"{status}/{condition}",
        objective=float(n.objective),
        build_s=phases["create_model"] + phases["extra_functionality"],
        highs_s=float(h.getRunTime()),
        breakdown={k: round(v, 4) for k, v in phases.items()},
        n_rows=int(h.getNumRow()),
        n_cols=int(h.getNumCol()),
        n_nonzeros=int(h.getNumNz()),
        rss_phases=phases_mb,
        pypsa_version=pypsa.__version__,
    )
    return rec


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run once, write the JSON record."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--tool", choices=("grid_model", "pypsa"), required=True)
    p.add_argument("--settings", choices=tuple(SETTINGS), required=True)
    p.add_argument("--steps", type=int, required=True)
    p.add_argument("--mode", choices=("dispatch", "expansion"), required=True)
    p.add_argument("--zones", type=int, default=11)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dataset", type=Path, help="grid_model dataset folder (grid_model runs)")
    p.add_argument("--json", type=Path, required=True, help="where to write the record")
    p.add_argument("--highs-log", type=Path, help="HiGHS log file (PyPSA defaults: the console, i.e. the run's log)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    warnings.simplefilter("ignore", FutureWarning)
    warnings.simplefilter("ignore", DeprecationWarning)
    rec = run_grid_model(args) if args.tool == "grid_model" else run_pypsa(args)
    rec["outside_s"] = rec["wall_s"] - rec["highs_s"]
    rec["peak_rss_self_mb"] = peak_rss_mb()
    args.json.write_text(json.dumps(rec, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
