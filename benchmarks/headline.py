"""The headline comparison against PyPSA: ``grid-model compare`` of the four headline scenarios, and the same four
scenarios solved one after another with PyPSA (``benchmarks/headline_pypsa.py`` builds the same LP: typical days,
reservoirs linked across the year, candidate links, subsidies), on the same machine in one run::

    python benchmarks/headline.py                      # the four headline scenarios, both settings
    python benchmarks/headline.py --scenarios scenarios/example/*.yaml --settings ipm --out /tmp/h

Each measurement is its own process, timed end to end from the parent (interpreter start, imports, reading the
data, the typical-day aggregation, building, solving, and for grid_model writing the results folders):

* ``grid-model compare`` as the README runs it (figures and report included), and with ``--no-figures``;
* ``grid-model run`` of each scenario, one after another (no warm re-use, no parallel groups);
* PyPSA, one process per scenario, one after another: with IPX + crossover (``ipm``, through linopy's direct
  API; grid_model's default for these LPs until it moved to dual simplex), and with PyPSA's defaults
  (``n.optimize(solver_name="highs")``: an LP file, HiGHS choosing the algorithm — dual simplex on these LPs).

Peak memory is the largest resident set of any one process of the measurement (``os.wait4`` reports the
child's, including the processes it waited for). Every PyPSA objective is checked against grid_model's for the same
scenario. Writes ``headline.csv`` and ``headline.md`` into ``--out`` (default ``benchmarks/results``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
HEADLINE = [ROOT / "scenarios" / f"{name}.yaml" for name in ("base", "interconnect", "no_subsidies", "integrated")]
SETTINGS: dict[str, dict[str, Any]] = {"ipm": {"solver": "ipm", "run_crossover": "on"}, "defaults": {}}
REL_TOL = 1e-6


def _timed(cmd: list[str], log: Path) -> tuple[float, float, int]:
    """Run ``cmd``; return its wall time [s], peak resident memory [MiB] and exit code."""
    t0 = time.perf_counter()
    with log.open("w") as fh:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024.0, proc.returncode


def _objectives(folder: Path, names: list[str]) -> dict[str, float]:
    return {n: float(json.loads((folder / n / "summary.json").read_text())["objective_usd"]) for n in names}


def worker(scenario: Path, settings: str, out_json: Path, highs_log: Path) -> None:
    """One PyPSA run of one scenario (in its own process); writes a JSON record."""
    import logging
    import resource
    import warnings

    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    t_start = time.perf_counter()
    sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]  # this checkout's grid_model, not an installed one
    from headline_pypsa import build_network

    from grid_model.scenario import load_run_inputs

    rec: dict[str, Any] = {"scenario": scenario.stem}
    t0 = time.perf_counter()
    rec["import_s"] = t0 - t_start
    sc, ds = load_run_inputs(scenario)
    rec["name"] = sc.name
    t1 = time.perf_counter()
    rec["prep_s"] = t1 - t0
    n, extra = build_network(ds, sc.model_options())
    t2 = time.perf_counter()
    rec["network_s"] = t2 - t1
    kwargs: dict[str, Any] = {"solver_name": "highs", "extra_functionality": extra}
    if settings == "ipm":
        kwargs.update(
            io_api="direct",
            include_objective_constant=True,
            log_to_console=False,
            solver_options=SETTINGS["ipm"],
            log_fn=str(highs_log),
        )
    status, condition = n.optimize(**kwargs)
    rec["optimize_s"] = time.perf_counter() - t2
    h = n.model.solver_model
    rec.update(
        status=f"{status}/{condition}",
        objective=float(n.objective),
        highs_s=float(h.getRunTime()) if h is not None else None,
        n_rows=int(h.getNumRow()) if h is not None else None,
        n_cols=int(h.getNumCol()) if h is not None else None,
        peak_self_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    )
    out_json.write_text(json.dumps(rec, indent=1))


def measure(scenarios: list[Path], settings: list[str], work: Path, with_runs: bool) -> pd.DataFrame:
    """All measurements, one after another; one row each."""
    rows: list[dict[str, Any]] = []
    names = [p.stem for p in scenarios]
    cli = [sys.executable, "-m", "grid_model"]
    reference: dict[str, float] = {}
    for label, extra in (("compare", []), ("compare --no-figures", ["--no-figures"])):
        out = work / label.replace(" ", "_")
        print(f"grid-model {label} …", flush=True)
        wall, peak, rc = _timed([*cli, "compare", *map(str, scenarios), "--out", str(out), *extra], work / "log.txt")
        if rc:
            raise SystemExit(f"grid-model {label} failed (exit {rc}); see {work / 'log.txt'}")
        objectives = _objectives(out, _result_names(out, names))
        if reference and any(abs(objectives[k] / reference[k] - 1.0) > REL_TOL for k in reference):  # same LPs
            raise SystemExit(f"grid-model {label} gave other objectives than grid-model compare: {objectives}")
        reference = reference or objectives
        timings = json.loads((out / "timings.json").read_text())
        rows.append(
            {"tool": "grid_model", "run": label, "wall_s": wall, "peak_mb": peak, "solve_s": timings["total_s"]}
        )
    if with_runs:
        total, peak_max = 0.0, 0.0
        for p in scenarios:
            print(f"grid-model run {p.name} …", flush=True)
            out = work / "runs" / p.stem
            wall, peak, rc = _timed([*cli, "run", str(p), "--out", str(out)], work / "log.txt")
            if rc:
                raise SystemExit(f"grid-model run {p} failed (exit {rc})")
            total, peak_max = total + wall, max(peak_max, peak)
            obj = float(json.loads((out / "summary.json").read_text())["objective_usd"])
            rows.append(_row("grid_model", f"run {p.stem}", wall, peak, obj, reference))
        rows.append({"tool": "grid_model", "run": "4 × run", "wall_s": total, "peak_mb": peak_max})
    for s in settings:
        total, peak_max, worst = 0.0, 0.0, 0.0
        for p in scenarios:
            print(f"PyPSA ({s}) {p.name} …", flush=True)
            rec_path = work / f"pypsa-{s}-{p.stem}.json"
            cmd = [sys.executable, __file__, "--worker", str(p), "--settings", s, "--json", str(rec_path)]
            cmd += ["--highs-log", str(work / f"pypsa-{s}-{p.stem}.highs.log")]
            wall, peak, rc = _timed(cmd, work / f"pypsa-{s}-{p.stem}.log")
            if rc:
                raise SystemExit(f"PyPSA run of {p} failed (exit {rc}); see {work}")
            rec = json.loads(rec_path.read_text())
            row = _row("pypsa", f"{s} {rec['name']}", wall, peak, rec["objective"], reference, rec)
            rows.append(row)
            total, peak_max, worst = total + wall, max(peak_max, peak), max(worst, abs(row["rel_diff"]))
        rows.append({"tool": "pypsa", "run": f"{s}: 4 runs", "wall_s": total, "peak_mb": peak_max, "rel_diff": worst})
    return pd.DataFrame(rows)


def _result_names(folder: Path, stems: list[str]) -> list[str]:
    """Scenario names as written by compare (the ``name:`` of each file, usually its stem)."""
    return [d.name for d in folder.iterdir() if (d / "summary.json").exists()] or stems


def _row(
    tool: str, run: str, wall: float, peak: float, obj: float, ref: dict[str, float], rec: dict | None = None
) -> dict[str, Any]:
    name = run.split()[-1]
    rel = obj / ref[name] - 1.0 if name in ref else float("nan")
    row = {"tool": tool, "run": run, "wall_s": wall, "peak_mb": peak, "objective": obj, "rel_diff": rel}
    if rec:
        row.update({k: rec.get(k) for k in ("import_s", "prep_s", "network_s", "optimize_s", "highs_s", "status")})
    return row


def markdown(df: pd.DataFrame, machine: str) -> str:
    """The summary table (totals and ratios) and every run."""
    tot = df.set_index("run")
    lines = [
        "# Headline comparison: `grid-model compare` against four PyPSA runs",
        "",
        f"Machine: {machine}. Written by `python benchmarks/headline.py`; wall times are whole processes, end to end.",
        "",
        "| grid_model | wall | PyPSA, 4 runs one after another | wall | ratio | peak MB (grid_model / PyPSA) |",
        "|---|---:|---|---:|---:|---:|",
    ]
    ours = [r for r in ("compare", "compare --no-figures", "4 × run") if r in tot.index]
    for s in [r for r in tot.index if r.endswith(": 4 runs")]:
        for r in ours:
            lines.append(
                f"| `{r}` | {tot.at[r, 'wall_s']:.0f} s | {s.split(':')[0]} | {tot.at[s, 'wall_s']:.0f} s | "
                f"{tot.at[r, 'wall_s'] / tot.at[s, 'wall_s']:.2f} | {tot.at[r, 'peak_mb']:.0f} / {tot.at[s, 'peak_mb']:.0f} |"
            )
    worst = df["rel_diff"].abs().max()
    lines += ["", f"Largest relative objective difference from grid_model's: {worst:.1e}.", "", "Every run:", ""]
    cols = [
        c
        for c in (
            "tool",
            "run",
            "wall_s",
            "peak_mb",
            "objective",
            "rel_diff",
            "prep_s",
            "network_s",
            "optimize_s",
            "highs_s",
        )
        if c in df
    ]
    lines.append("| " + " | ".join(cols) + " |")
    lines.append("|" + "---|" * len(cols))
    for _, r in df[cols].iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if isinstance(v, float):
                cells.append("" if pd.isna(v) else (f"{v:.3e}" if c in ("objective", "rel_diff") else f"{v:.1f}"))
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--scenarios", nargs="+", type=Path, default=HEADLINE)
    p.add_argument("--settings", nargs="+", choices=tuple(SETTINGS), default=list(SETTINGS))
    p.add_argument("--no-runs", action="store_true", help="skip the four separate `grid-model run`s")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results")
    p.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--json", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--highs-log", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        worker(args.worker, args.settings[0], args.json, args.highs_log)
        return 0
    scenarios = [s.resolve() for s in args.scenarios]
    work = Path(tempfile.mkdtemp(prefix="headline-"))
    try:
        df = measure(scenarios, args.settings, work, not args.no_runs)
    finally:
        logs = args.out / "logs" / "headline"
        logs.mkdir(parents=True, exist_ok=True)
        for f in work.glob("pypsa-*.log"):
            shutil.copy(f, logs / f.name)
        shutil.rmtree(work, ignore_errors=True)
    bad = df["rel_diff"].abs() > REL_TOL
    machine = (
        f"{platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    df.to_csv(args.out / "headline.csv", index=False)
    (args.out / "headline.md").write_text(markdown(df, machine))
    print(markdown(df, machine))
    if bad.any():
        print(f"objectives disagree beyond {REL_TOL:g}: {df.loc[bad, 'run'].tolist()}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
