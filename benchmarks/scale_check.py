"""Scale check: does a generated N-zone, full-year network build and solve, and how much time and memory?

The network of ``network.py`` grown to N zones (the 11 real corridor zones, then synthetic zones Z12… meshed by
cross links) is written once per N as a grid_model dataset; each (tool, settings) then runs in a fresh
subprocess (``worker.py`` via ``run_benchmark.run_job``), one at a time, so its peak RSS is its own. A run is
killed, and the kill recorded, after ``--timeout`` seconds, above ``--max-rss-gb`` of resident memory, or when
the machine's available memory falls below ``--min-available-gb`` (the machine is shared).

Usage (the issue's scale check and a second point for the trend)::

    python benchmarks/scale_check.py --zones 30 60 --steps 8760 --mode dispatch --settings defaults \\
        --tools grid_model pypsa --timeout 1800 --max-rss-gb 18

Results are merged into ``<out>/scale.csv`` (a later run replaces an earlier one with the same zones, T, mode,
tool and settings) and rendered as ``<out>/scale.md``; if ``<out>/benchmark.csv`` exists, ``benchmark.md`` is
re-rendered with a "Scale check" section that links to ``scale.md``. Measurements, not tests: nothing asserts on
time.

Columns: ``build_s`` = model construction (grid_model: Pyomo model; PyPSA: ``create_model`` + link ties);
``compile_s`` = model → HiGHS (grid_model: grid_model.compiler + scaling + loading into HiGHS; PyPSA:
``linopy`` solve minus HiGHS's run time, i.e. writing and reading the LP file or the direct hand-off, and
reading the solution back); ``highs_s`` = ``Highs.getRunTime()``; ``extract_s`` = solution → results
(grid_model: ``extract_results``; PyPSA: the rest of ``n.optimize``); ``wall_s`` = inputs in
memory → solution in memory; ``peak_mb`` = the subprocess's ``ru_maxrss`` (interpreter and imports included).
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from network import MODES, make_network, write_grid_model_dataset
from run_benchmark import (
    HERE,
    REL_TOL,
    SCALE_TARGET,
    SETTINGS,
    SETTINGS_LABEL,
    TOOLS,
    Job,
    _f,
    _meminfo_gib,
    _meminfo_mb,
    gib_to_mb,
    grid_model_revision,
    load_average,
    machine_description,
    render,
    run_job,
)

log = logging.getLogger("benchmarks.scale")

COLUMNS = [
    "zones",
    "links",
    "steps",
    "mode",
    "tool",
    "settings",
    "status",
    "n_rows",
    "n_cols",
    "n_nonzeros",
    "prep_s",
    "build_s",
    "compile_s",
    "highs_s",
    "extract_s",
    "wall_s",
    "peak_mb",
    "rss_after_import_mb",
    "objective",
    "rel_diff",
    "load_before",
    "load_after",
    "mem_available_before_mb",
    "started",
    "grid_model",
    "command",
    "breakdown",
    "rss_phases",
]
KEY = ["zones", "steps", "mode", "tool", "settings"]
# Phases whose end-of-phase memory worker.py records, per tool, in order.
PHASES = {
    "grid_model": ("load", "build", "standard_form", "pass_to_highs", "highs_run", "extract"),
    "pypsa": ("prep", "create_model", "linopy_solve", "optimize"),
}


def derived_times(rec: dict[str, Any]) -> dict[str, float]:
    """compile_s and extract_s from a worker record's phase breakdown (see the module docstring)."""
    b = rec.get("breakdown") or {}
    if rec.get("status") != "optimal" or not b:
        return {}
    if rec["tool"] == "grid_model":
        return {"compile_s": b["compile"] + b["pass_to_highs"], "extract_s": b["extract"]}
    return {
        "compile_s": b["linopy_solve"] - rec["highs_s"],
        "extract_s": rec["wall_s"] - b["create_model"] - b["extra_functionality"] - b["linopy_solve"],
    }


def add_rel_diff(df: pd.DataFrame) -> pd.DataFrame:
    """|objective − reference| / reference within each (zones, T, mode); the reference is grid_model's run."""
    df = df.copy()
    df["rel_diff"] = float("nan")
    ok = df["status"] == "optimal"
    for _, grp in df[ok].groupby(["zones", "steps", "mode"], sort=False):
        gm = grp[grp["tool"] == "grid_model"]
        ref = float((gm if len(gm) else grp)["objective"].iloc[0])
        df.loc[grp.index, "rel_diff"] = (grp["objective"] - ref).abs() / max(abs(ref), 1e-12)
    return df


def merge(old: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """Old and new rows, a new row replacing an old one with the same key; sorted by T, mode, zones, tool."""
    frames = [f for f in (old, new) if f is not None and len(f)]
    df = pd.concat(frames, ignore_index=True).drop_duplicates(subset=KEY, keep="last")
    for col in COLUMNS:
        if col not in df.columns:
            df[col] = None
    order = {t: i for i, t in enumerate(TOOLS)}
    df = df.sort_values(
        ["steps", "mode", "zones", "tool"], key=lambda c: c.map(order) if c.name == "tool" else c, kind="stable"
    )
    return add_rel_diff(df.reset_index(drop=True))[COLUMNS]


def _phases(r: pd.Series) -> dict[str, dict[str, float]]:
    raw = r.get("rss_phases")
    if isinstance(raw, str) and raw:
        return json.loads(raw)
    return raw if isinstance(raw, dict) else {}


def scaling_lines(df: pd.DataFrame) -> list[str]:
    """Growth between consecutive zone counts of the same tool, settings, T and mode (optimal runs only)."""
    ok = df[df["status"] == "optimal"]
    lines = [
        "| tool | settings | T | zones | × zones | × nonzeros | × build | × compile | × HiGHS | × wall | × peak "
        "| peak − imports per nonzero |",
        "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for (tool, settings, steps, _mode), grp in ok.groupby(["tool", "settings", "steps", "mode"], sort=False):
        grp = grp.sort_values("zones")
        for (_, a), (_, b) in zip(grp.iloc[:-1].iterrows(), grp.iloc[1:].iterrows(), strict=True):

            def x(col: str, a: pd.Series = a, b: pd.Series = b) -> str:
                return _f(b[col] / a[col], ".2f") if a[col] else "–"

            per_nz = (b["peak_mb"] - b["rss_after_import_mb"]) * 1024 * 1024 / b["n_nonzeros"]
            lines.append(
                f"| {tool} | {settings} | {steps} | {a['zones']} → {b['zones']} | {b['zones'] / a['zones']:.2f} "
                f"| {x('n_nonzeros')} | {x('build_s')} | {x('compile_s')} | {x('highs_s')} | {x('wall_s')} "
                f"| {x('peak_mb')} | {per_nz:,.0f} B |"
            )
    return lines if len(lines) > 2 else []


def phase_lines(df: pd.DataFrame, tool: str) -> list[str]:
    """Resident memory at the end of each phase (peak so far in brackets) for every run of one tool [MB]."""
    rows = df[df["tool"] == tool]
    if rows.empty:
        return []
    names = PHASES[tool]
    lines = [
        f"| zones | T | settings | after imports | {' | '.join(names)} | peak (ru_maxrss) |",
        "|---:|---:|---|" + "---:|" * (len(names) + 2),
    ]
    for _, r in rows.iterrows():
        ph = _phases(r)
        cells = []
        for n in names:
            m = ph.get(n)
            cells.append("–" if not m else f"{m.get('vmrss', 0):,.0f} ({m.get('vmhwm', 0):,.0f})")
        lines.append(
            f"| {r['zones']} | {r['steps']} | {r['settings']} | {_f(r.get('rss_after_import_mb'), ',.0f')} "
            f"| {' | '.join(cells)} | {_f(r.get('peak_mb'), ',.0f')} |"
        )
    return lines


def estimate_lines(df: pd.DataFrame) -> list[str]:
    """For each run that did not finish: the peak memory that the same tool's finished runs (same settings, T and
    mode) predict, linear in the LP's columns. A killed run never reports its LP, so its columns are taken from
    another tool's run at the same zones (both tools have one column per variable: the same count)."""
    ok = df[df["status"] == "optimal"]
    lines = []
    for _, r in df[df["status"] != "optimal"].iterrows():
        same = ok[
            (ok["tool"] == r["tool"])
            & (ok["settings"] == r["settings"])
            & (ok["steps"] == r["steps"])
            & (ok["mode"] == r["mode"])
        ]
        cols = r["n_cols"]
        if pd.isna(cols):
            other = ok[(ok["zones"] == r["zones"]) & (ok["steps"] == r["steps"]) & (ok["mode"] == r["mode"])]
            cols = other["n_cols"].iloc[0] if len(other) else float("nan")
        if same.empty or pd.isna(cols):
            continue
        if len(same) >= 2:
            slope, intercept = np.polyfit(same["n_cols"].astype(float), same["peak_mb"].astype(float), 1)
            how = f"linear fit over {', '.join(str(z) for z in same['zones'])} zones"
        else:
            s = same.iloc[0]
            intercept = float(s["rss_after_import_mb"])
            slope = (float(s["peak_mb"]) - intercept) / float(s["n_cols"])
            how = f"scaled from {s['zones']} zones (memory above imports ∝ columns)"
        lines.append(
            f"- {r['tool']} ({r['settings']}), {r['zones']} zones, T={r['steps']}: {r['status']}. Expected peak "
            f"≈ {intercept + slope * cols:,.0f} MB at {cols:,.0f} columns ({how}; {slope * 1024 * 1024:,.0f} B per "
            f"column; the machine has {_meminfo_gib()} RAM). An estimate, not a measurement."
        )
    return lines


def markdown(df: pd.DataFrame, machine: dict[str, str]) -> str:
    """The scale-check page."""
    from run_benchmark import scale_summary

    out = [
        "# Scale check — generated networks beyond the 11 real zones",
        "",
        "Generated by `benchmarks/scale_check.py` from `scale.csv`; do not edit by hand. The network is "
        "`benchmarks/network.py`'s: the 11-zone MX…CL corridor chain, then **synthetic** zones Z12, Z13, … (seeded "
        "peaks, seasons and link lengths in the range of the real ones; chain links plus seeded cross links, "
        "≈ 1.5 links per zone at 60 zones; they stand for no real place), 6 generators + 1 battery per zone, lossy "
        "links both ways, unserved energy at VoLL. One fresh subprocess per row, one run at a time.",
        "",
        *scale_summary(df)[:1],
        "",
        "## Runs",
        "",
        "Columns: **build** = model construction; **compile** = model → HiGHS (grid_model: its compiler and "
        "loading into HiGHS; PyPSA: linopy's hand-off, i.e. the LP file written and read by default, plus "
        "reading the solution back); **HiGHS** = `Highs.getRunTime()`; **extract** = solution → results; **wall** = "
        "inputs in memory → solution in memory; **peak MB** = `ru_maxrss` of the subprocess (interpreter and "
        f"imports included); **rel. diff** vs grid_model at the same zones (must be < {REL_TOL:g}); **load** = the "
        "1-minute load average just before → just after the run (2 cores, shared with other work). Settings: "
        "grid_model's *defaults* on a dispatch-only LP are HiGHS dual simplex (`grid_model.solve.DISPATCH_SOLVER`), "
        "the same HiGHS options as PyPSA's *simplex, direct API*; PyPSA's *defaults* is "
        '`n.optimize(solver_name="highs")` (linopy writes an LP file that HiGHS reads; HiGHS chooses the algorithm).',
        "",
        "| zones | links | T | mode | tool | settings | status | rows | columns | nonzeros | build s | compile s "
        "| HiGHS s | extract s | wall s | peak MB | objective USD | rel. diff | load |",
        "|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for _, r in df.iterrows():
        load = f"{str(r['load_before']).split(',')[0]} → {str(r['load_after']).split(',')[0]}"
        out.append(
            f"| {r['zones']} | {_f(r['links'], '.0f')} | {r['steps']} | {r['mode']} | {r['tool']} | {r['settings']} "
            f"| {r['status']} | {_f(r['n_rows'], ',.0f')} | {_f(r['n_cols'], ',.0f')} | {_f(r['n_nonzeros'], ',.0f')} "
            f"| {_f(r['build_s'], '.1f')} | {_f(r['compile_s'], '.1f')} | {_f(r['highs_s'], '.1f')} "
            f"| {_f(r['extract_s'], '.1f')} | {_f(r['wall_s'], '.1f')} | {_f(r['peak_mb'], ',.0f')} "
            f"| {_f(r['objective'], ',.0f')} | {_f(r['rel_diff'], '.1e')} | {load} |"
        )
    estimates = estimate_lines(df)
    if estimates:
        out += ["", "## Runs that did not finish", "", *estimates]
    scaling = scaling_lines(df)
    if scaling:
        out += [
            "",
            "## Growth",
            "",
            "Ratios between consecutive zone counts (larger / smaller). *peak − imports per nonzero* = the run's "
            "peak RSS above the interpreter + imports, divided by the LP's nonzeros.",
            "",
            *scaling,
        ]
    out += [
        "",
        "## Where the memory goes",
        "",
        "Resident memory (`VmRSS`, MB) at the end of each phase, the peak so far (`VmHWM`) in brackets, recorded "
        "by `worker.py`.",
    ]
    for tool in TOOLS:
        lines = phase_lines(df, tool)
        if lines:
            out += ["", f"**{tool}**", "", *lines]
    out += [
        "",
        "## Runs' commands and machine",
        "",
        *[f"- `{c}` (grid_model at {g})" for c, g in dict.fromkeys(zip(df["command"], df["grid_model"], strict=True))],
        f"- {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram']} RAM, {machine['platform']}",
        f"- Python {machine['python']}; highspy {machine['highspy']}, pyomo {machine['pyomo']}, "
        f"pypsa {machine['pypsa']}, linopy {machine['linopy']}, numpy {machine['numpy']}, pandas {machine['pandas']}",
        "",
        "Other work shared the 2 cores during these runs (see the load column), so times are noisy; the "
        "objectives, the LP sizes and (largely) the memory are not.",
        "",
    ]
    return "\n".join(out)


def write(df: pd.DataFrame, out: Path) -> None:
    """scale.csv and scale.md; benchmark.md too when benchmark.csv is beside them."""
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "scale.csv", index=False)
    (out / "scale.md").write_text(markdown(df, machine_description()))
    if (out / "benchmark.csv").exists():
        render(out)


def main(argv: list[str] | None = None) -> int:
    """Run the scale check (or only re-render its pages) and write the results."""
    zones_t, steps_t, mode_t = SCALE_TARGET
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--zones", type=int, nargs="+", default=[zones_t], help="zone counts (2 … network.MAX_ZONES)")
    p.add_argument("--steps", type=int, default=steps_t)
    p.add_argument("--mode", choices=MODES, default=mode_t)
    p.add_argument("--settings", nargs="+", choices=SETTINGS, default=["defaults"])
    p.add_argument("--tools", nargs="+", choices=TOOLS, default=["grid_model"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds per run before it is killed")
    p.add_argument("--max-rss-gb", type=float, default=18.0, help="kill a run above this resident memory [GiB]")
    p.add_argument(
        "--min-available-gb",
        type=float,
        default=1.5,
        help="kill a run when the machine's MemAvailable falls below this [GiB]",
    )
    p.add_argument("--out", type=Path, default=HERE / "results")
    p.add_argument("--render", action="store_true", help="run nothing: rewrite scale.md (and benchmark.md)")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    csv = args.out / "scale.csv"
    old = pd.read_csv(csv) if csv.exists() else None
    if args.render:
        if old is None:
            p.error(f"{csv} does not exist")
        write(merge(None, old), args.out)
        return 0

    command = "python benchmarks/scale_check.py " + " ".join(sys.argv[1:] if argv is None else argv)
    revision = grid_model_revision()
    logs = args.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    records: list[dict[str, Any]] = []
    for zones in args.zones:
        tmp = Path(tempfile.mkdtemp(prefix=f"scale-{zones}-"))
        try:
            t0 = time.perf_counter()
            net = make_network(args.steps, args.mode, zones, args.seed)
            dataset = write_grid_model_dataset(net, tmp / "dataset")
            log.info("%d zones, %d links: dataset written in %.1f s", zones, len(net.links), time.perf_counter() - t0)
            n_links = len(net.links)
            del net
            for settings in args.settings:
                for tool in args.tools:
                    if (tool, settings) not in SETTINGS_LABEL:
                        continue
                    before = {
                        "load_before": load_average(),
                        "mem_available_before_mb": _meminfo_mb("/proc/meminfo", "MemAvailable"),
                    }
                    rec = run_job(
                        Job(args.steps, args.mode, tool, settings),
                        dataset,
                        zones,
                        args.seed,
                        args.timeout,
                        logs,
                        gib_to_mb(args.max_rss_gb),
                        gib_to_mb(args.min_available_gb),
                    )
                    rec.update(before, links=n_links, load_after=load_average(), grid_model=revision, command=command)
                    rec.update(derived_times(rec))
                    for col in ("breakdown", "rss_phases"):
                        if isinstance(rec.get(col), dict):
                            rec[col] = json.dumps(rec[col])
                    log.info(
                        "  → %s: %s rows × %s cols, wall %.1f s, HiGHS %.1f s, peak %.0f MB, objective %s",
                        rec.get("status"),
                        rec.get("n_rows"),
                        rec.get("n_cols"),
                        rec.get("wall_s", float("nan")),
                        rec.get("highs_s", float("nan")),
                        rec.get("peak_mb", float("nan")),
                        rec.get("objective"),
                    )
                    records.append(rec)
                    old = merge(old, pd.DataFrame.from_records([rec]))
                    write(old, args.out)  # after every run, so a long batch keeps what it measured
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    bad = old[(old["status"] == "optimal") & (old["rel_diff"] >= REL_TOL)] if old is not None else []
    if len(bad):
        log.warning("%d run(s) disagree with grid_model's objective by ≥ %g relative", len(bad), REL_TOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
