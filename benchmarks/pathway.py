"""The pathway benchmark: grid_model's pathway LP against PyPSA's multi-investment-period model on the same network
(``benchmarks/pathway_pypsa.py`` builds it; objectives checked equal on every run), for 1, 2, 3, … periods::

    python benchmarks/pathway.py                                   # base pathway, 1 2 3 5 periods, 72 h steps
    python benchmarks/pathway.py --periods 1 2 --step-h 168 --out /tmp/pw

The first N years of the scenario's ``pathway.years`` (``pathway.periods`` entries of later years dropped), with
``time: {mode: downsample, step_h: H}`` — chronological, because the PyPSA translation does not carry typical days
with linked reservoirs across investment periods. Each run is its own process, one after another (never two heavy
solves at once), timed end to end by the parent (interpreter, imports, inputs, build, solve); peak memory is the
child's ``ru_maxrss`` from ``os.wait4``. Per size:

* ``grid_model defaults``: ``solve_pathway(scenario)`` with no solver options (grid_model's solver policy picks the
  algorithm; recorded as ``solver``);
* ``pypsa defaults``: ``n.optimize(multi_investment_periods=True, solver_name="highs")`` (linopy's LP file, HiGHS
  choosing the algorithm), plus the ``extra_functionality`` of the translation;
* ``pypsa same``: the HiGHS options grid_model resolved for that LP (its solver policy's choice and tolerances),
  through linopy's direct API.

LP rows/columns are HiGHS's ``getNumRow``/``getNumCol`` of the LP each tool handed over (before presolve). The load
average is read before each run. Writes ``pathway.csv`` and ``pathway.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

T_START = time.perf_counter()
ROOT = Path(__file__).resolve().parents[1]
REL_TOL = 1e-6
RUNS = ("grid_model defaults", "pypsa defaults", "pypsa same")


def scenario(path: Path, n_periods: int, step_h: int) -> Any:
    """The pathway scenario cut to its first ``n_periods`` years, at ``step_h``-hour chronological steps."""
    from grid_model.scenario import load_scenario

    sc = load_scenario(path)
    cfg = sc.pathway
    years = cfg.years[:n_periods]
    pathway = cfg.model_copy(update={"years": years, "periods": {y: v for y, v in cfg.periods.items() if y in years}})
    time_cfg = sc.time.model_copy(update={"mode": "downsample", "step_h": step_h})
    return sc.model_copy(update={"pathway": pathway, "time": time_cfg})


def worker_grid_model(sc: Any, rec: dict[str, Any]) -> None:
    """``solve_pathway`` with grid_model's defaults; records the LP size and the HiGHS options it chose."""
    import grid_model.pathway.run as run_mod
    from grid_model.solve import DEFAULT_SOLVER_OPTIONS, default_solver

    load_form = run_mod.load_form
    run = run_mod.run

    def spy_load(form: Any, solver: dict, **kw: Any) -> Any:
        rec["options"] = {**DEFAULT_SOLVER_OPTIONS, **default_solver(form), **solver}
        return load_form(form, solver, **kw)

    def spy_run(compiled: Any) -> Any:
        t = time.perf_counter()
        sol = run(compiled)
        rec["highs_s"] = time.perf_counter() - t
        rec["n_rows"], rec["n_cols"] = int(compiled.highs.getNumRow()), int(compiled.highs.getNumCol())
        return sol

    run_mod.load_form, run_mod.run = spy_load, spy_run
    t0 = time.perf_counter()
    sol = run_mod.solve_pathway(sc)
    rec.update(solve_s=time.perf_counter() - t0, objective=float(sol.objective_usd), status="optimal")
    rec.update(build_s=sol.timings_s["build"])


def worker_pypsa(sc: Any, settings: str, options: dict[str, Any], rec: dict[str, Any], log: Path) -> None:
    """The translation solved by PyPSA with its defaults or with grid_model's HiGHS options."""
    import pathway_pypsa
    import pypsa

    t0 = time.perf_counter()
    periods = pathway_pypsa.period_inputs(sc)
    t1 = time.perf_counter()
    n, extra = pathway_pypsa.build_network(periods, sc.name)
    t2 = time.perf_counter()
    kwargs: dict[str, Any] = {}
    if settings == "same":
        kwargs = {"io_api": "direct", "log_to_console": False, "solver_options": options, "log_fn": str(log)}
        kwargs["include_objective_constant"] = True
    status, condition = pathway_pypsa.solve(n, extra, **kwargs)
    t3 = time.perf_counter()
    h = n.model.solver_model
    rec.update(
        inputs_s=t1 - t0,
        network_s=t2 - t1,
        optimize_s=t3 - t2,
        solve_s=t3 - t0,
        status="optimal" if (status, condition) == ("ok", "optimal") else f"{status}/{condition}",
        objective=float(n.objective),
        highs_s=float(h.getRunTime()) if h is not None else None,
        n_rows=int(h.getNumRow()) if h is not None else None,
        n_cols=int(h.getNumCol()) if h is not None else None,
        pypsa_version=pypsa.__version__,
    )


def worker(args: argparse.Namespace) -> None:
    import logging
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]  # this checkout's grid_model, not an installed one
    rec: dict[str, Any] = {"import_s": time.perf_counter() - T_START}
    sc = scenario(args.scenario, args.n_periods, args.step_h)
    if args.worker.startswith("grid_model"):
        worker_grid_model(sc, rec)
    else:
        options = json.loads(args.options) if args.options else {}
        worker_pypsa(sc, args.worker.split("-")[1], options, rec, args.json.with_suffix(".highs.log"))
    rec["peak_self_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    args.json.write_text(json.dumps(rec, indent=1))


def _timed(cmd: list[str], log: Path, timeout: float) -> tuple[float, float, str]:
    """Run ``cmd`` in its own process group; wall [s], peak RSS [MiB], and "" or why it failed."""
    t0 = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = t0 + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                os.killpg(proc.pid, signal.SIGKILL)
                _, status, usage = os.wait4(proc.pid, 0)
                return time.perf_counter() - t0, usage.ru_maxrss / 1024.0, f"killed after {timeout:.0f} s"
            time.sleep(0.2)
    code = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - t0, usage.ru_maxrss / 1024.0, "" if code == 0 else f"exit {code}"


def measure(args: argparse.Namespace, work: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n_periods in args.periods:
        options: dict[str, Any] = {}
        reference = float("nan")
        for run in RUNS:
            tool, settings = run.split()
            name = f"{tool}-{settings}-{n_periods}p"
            out = work / f"{name}.json"
            cmd = [sys.executable, __file__, "--worker", f"{tool}-{settings}", "--scenario", str(args.scenario)]
            cmd += ["--n-periods", str(n_periods), "--step-h", str(args.step_h), "--json", str(out)]
            if settings == "same":
                cmd += ["--options", json.dumps(options)]
            load = os.getloadavg()
            print(f"{n_periods} period(s): {run} (load {load[0]:.2f}) …", flush=True)
            wall, peak, failed = _timed(cmd, work / f"{name}.log", args.timeout)
            rec = json.loads(out.read_text()) if out.exists() else {"status": failed}
            if tool == "grid_model":
                options, reference = rec.get("options", {}), rec.get("objective", float("nan"))
            row = {"periods": n_periods, "step_h": args.step_h, "tool": tool, "settings": settings}
            row.update(wall_s=wall, peak_mb=peak, load_1min=load[0], load_5min=load[1], **rec)
            row["options"] = json.dumps(rec.get("options", options if settings == "same" else {}))
            row["rel_diff"] = rec.get("objective", float("nan")) / reference - 1.0
            rows.append(row)
            print(f"  {wall:.1f} s, {peak:.0f} MiB, {rec.get('status')}, rel diff {row['rel_diff']:.1e}", flush=True)
    return rows


def markdown(df: Any, machine: str, scenario_path: Path) -> str:
    """The timing table, growth with the number of periods, and the objective check."""
    lines = [
        "# Pathway benchmark: grid_model's pathway LP against PyPSA's multi-investment-period model",
        "",
        f"Machine: {machine}. Scenario `{scenario_path.relative_to(ROOT)}`, first N of its years, chronological "
        f"`time: {{mode: downsample, step_h: {int(df['step_h'].iloc[0])}}}`. Written by `python benchmarks/pathway.py`; "
        "wall = whole process, end to end (imports, inputs, build, solve); load = 1-min load average before the run "
        "(2 cores shared with other work).",
        "",
        "| periods | run | wall s | peak MiB | LP rows | LP cols | HiGHS s | status | rel. obj. diff | load |",
        "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for _, r in df.iterrows():
        lines.append(
            f"| {r['periods']} | {r['tool']} {r['settings']} | {r['wall_s']:.1f} | {r['peak_mb']:.0f} | "
            f"{_int(r.get('n_rows'))} | {_int(r.get('n_cols'))} | {_num(r.get('highs_s'))} | {r.get('status')} | "
            f"{_sci(r.get('rel_diff'))} | {r['load_1min']:.2f} |"
        )
    lines += ["", "Growth with the number of periods (wall and HiGHS time relative to one period):", ""]
    lines += ["| run | " + " | ".join(f"{k} p" for k in sorted(df["periods"].unique())) + " |"]
    lines += ["|---|" + "---:|" * df["periods"].nunique()]
    for (tool, settings), g in df.groupby(["tool", "settings"], sort=False):
        g = g.set_index("periods").sort_index()
        first = g.iloc[0]
        cells = [
            f"{r['wall_s'] / first['wall_s']:.1f}× ({_num(r.get('highs_s'))} s HiGHS)"
            if r["status"] == "optimal"
            else r["status"]
            for _, r in g.iterrows()
        ]
        lines.append(f"| {tool} {settings} | " + " | ".join(cells) + " |")
    ok = df["rel_diff"].abs().dropna()
    if len(ok):
        lines += ["", f"Largest relative objective difference from grid_model's: {ok.max():.1e}."]
    return "\n".join(lines) + "\n"


def _int(v: Any) -> str:
    return "" if v is None or v != v else f"{int(v):,}"


def _num(v: Any) -> str:
    return "" if v is None or v != v else f"{float(v):.1f}"


def _sci(v: Any) -> str:
    return "" if v is None or v != v else f"{float(v):.1e}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "pathway" / "base.yaml")
    p.add_argument("--periods", nargs="+", type=int, default=[1, 2, 3, 5])
    p.add_argument("--step-h", type=int, default=72)
    p.add_argument("--timeout", type=float, default=1200.0, help="seconds per run before it is killed")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    p.add_argument("--render", type=Path, help="only rewrite pathway.md from this pathway.csv")
    p.add_argument("--machine", help="machine line for --render")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    p.add_argument("--n-periods", type=int, help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--options", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    args.scenario = args.scenario.resolve()
    if args.worker:
        worker(args)
        return 0
    import pandas as pd

    if args.render:  # rewrite the Markdown from an existing CSV
        df = pd.read_csv(args.render)
        (args.out / "pathway.md").write_text(markdown(df, args.machine or "see the CSV", args.scenario))
        return 0

    work = args.out / "logs" / "pathway"
    work.mkdir(parents=True, exist_ok=True)
    df = pd.DataFrame(measure(args, work))
    machine = f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}"
    df.to_csv(args.out / "pathway.csv", index=False)
    text = markdown(df, machine, args.scenario)
    (args.out / "pathway.md").write_text(text)
    print(text)
    bad = df["rel_diff"].abs() > REL_TOL
    if bad.any():
        print(
            f"objectives disagree beyond {REL_TOL:g}: {df.loc[bad, ['periods', 'tool', 'settings']]}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
