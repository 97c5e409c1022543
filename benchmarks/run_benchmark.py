"""Benchmark grid_model (Pyomo → standard form → highspy) against PyPSA (linopy → HiGHS) on the same network.

For every size T and mode, the synthetic network of ``network.py`` is written once as a grid_model dataset;
then each (tool, settings) pair runs in a fresh subprocess (``worker.py``) so that its peak RSS is its own.
Results go to ``<out>/benchmark.csv`` and ``<out>/benchmark.md``.

Usage::

    python benchmarks/run_benchmark.py [--sizes 168 2190 8760] [--modes dispatch expansion]
                                       [--settings ipm defaults] [--zones 11] [--out benchmarks/results]

Settings: ``ipm`` = the same HiGHS options for both tools (``solver=ipm, run_crossover=on``, threads at
HiGHS's default; PyPSA through linopy's direct API); ``defaults`` = each tool as a user meets it
(grid_model with no solver options; PyPSA ``n.optimize(solver_name="highs")``, i.e. the LP-file route);
``simplex`` = the same option ``solver=simplex`` for both (PyPSA direct API); ``ipm-lp`` = PyPSA only, ``ipm``
options through the LP file.

Benchmarks are measurements, not tests: nothing here asserts on time. The objectives of all runs of one
(T, mode) must agree to ``REL_TOL``; rows that do not are flagged in the table.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from network import MODES, make_network, write_grid_model_dataset

log = logging.getLogger("benchmarks")

HERE = Path(__file__).resolve().parent
WORKER = HERE / "worker.py"
REL_TOL = 1e-6
TOOLS = ("grid_model", "pypsa")
SETTINGS = ("ipm", "defaults", "simplex", "ipm-lp", "hipo")
SETTINGS_LABEL = {
    ("grid_model", "ipm"): "ipm+crossover",
    ("pypsa", "ipm"): "ipm+crossover, direct API",
    ("grid_model", "defaults"): "defaults",
    ("pypsa", "defaults"): "defaults (LP file)",
    ("pypsa", "ipm-lp"): "ipm+crossover, LP file",
    ("grid_model", "simplex"): "simplex",
    ("pypsa", "simplex"): "simplex, direct API",
    ("grid_model", "hipo"): "hipo+crossover",
    ("pypsa", "hipo"): "hipo+crossover, direct API",
}
# Row order of the table: settings families in this order, grid_model before PyPSA within each.
SETTINGS_ORDER = (
    "ipm+crossover",
    "ipm+crossover, direct API",
    "ipm+crossover, LP file",
    "defaults",
    "defaults (LP file)",
    "simplex",
    "simplex, direct API",
    "hipo+crossover",
    "hipo+crossover, direct API",
)
COLUMNS = [
    "steps",
    "mode",
    "zones",
    "tool",
    "settings",
    "status",
    "wall_s",
    "build_s",
    "outside_s",
    "highs_s",
    "outside_share",
    "peak_mb",
    "objective",
    "rel_diff",
    "agree",
    "wall_ratio",
    "outside_ratio",
    "peak_ratio",
    "prep_s",
    "import_s",
    "rss_after_import_mb",
    "n_rows",
    "n_cols",
    "io_api",
    "breakdown",
    "started",
]


@dataclass(frozen=True)
class Job:
    """One subprocess run."""

    steps: int
    mode: str
    tool: str
    settings: str


def machine_description() -> dict[str, str]:
    """nproc, CPU model, RAM, load average and the versions that matter."""
    from importlib.metadata import PackageNotFoundError, version

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    out = {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    for pkg in ("highspy", "pyomo", "pypsa", "linopy", "numpy", "pandas", "scipy", "xarray"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def grid_model_revision() -> str:
    """The commit grid_model was measured at, with '+dirty' when grid_model/ has uncommitted changes."""
    root = HERE.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "grid_model"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def gib_to_mb(gib: float | None) -> float | None:
    """GiB → MiB (None stays None)."""
    return None if gib is None else gib * 1024.0


def _meminfo_mb(path: str, key: str) -> float | None:
    """One field of a /proc status or meminfo file [MiB], or None when it cannot be read."""
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024.0
    except (OSError, ValueError, IndexError):
        pass
    return None


def run_job(
    job: Job,
    dataset: Path,
    zones: int,
    seed: int,
    timeout: float,
    logs: Path,
    max_rss_mb: float | None = None,
    min_available_mb: float | None = None,
) -> dict[str, Any]:
    """Run one worker subprocess; return its record plus the peak RSS the kernel reports for it.

    The run is killed (and its status says why) after ``timeout`` seconds, when its resident memory exceeds
    ``max_rss_mb``, or when the machine's ``MemAvailable`` falls below ``min_available_mb`` (the machine is
    shared: better a recorded kill than the kernel's OOM killer picking someone else's process).
    """
    rec: dict[str, Any] = {
        "steps": job.steps,
        "mode": job.mode,
        "zones": zones,
        "tool": job.tool,
        "settings": SETTINGS_LABEL[job.tool, job.settings],
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        out_json = Path(tmp) / "record.json"
        cmd = [
            sys.executable,
            str(WORKER),
            "--tool",
            job.tool,
            "--settings",
            job.settings,
            "--steps",
            str(job.steps),
            "--mode",
            job.mode,
            "--zones",
            str(zones),
            "--seed",
            str(seed),
            "--dataset",
            str(dataset),
            "--json",
            str(out_json),
        ]
        name = f"{job.steps}-{job.mode}-{job.tool}-{job.settings}"
        log_file = logs / (f"{name}.log" if zones == 11 else f"{zones}z-{name}.log")
        cmd += ["--highs-log", str(log_file.with_suffix(".highs.log"))]
        log.info("running %s %s T=%d %s, %d zones", job.tool, job.settings, job.steps, job.mode, zones)
        with log_file.open("w") as fh:
            proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=HERE.parent)
            deadline = time.monotonic() + timeout
            rusage = None
            polls = 0
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    rusage, proc.returncode = usage, os.waitstatus_to_exitcode(status)
                    break
                why = None
                if time.monotonic() > deadline:
                    why = f"timeout ({timeout:.0f} s)"
                elif polls % 5 == 0 and (max_rss_mb is not None or min_available_mb is not None):
                    rss = _meminfo_mb(f"/proc/{proc.pid}/status", "VmRSS")
                    avail = _meminfo_mb("/proc/meminfo", "MemAvailable")
                    if max_rss_mb is not None and rss is not None and rss > max_rss_mb:
                        why = f"killed at {rss:,.0f} MB RSS (limit {max_rss_mb:,.0f} MB)"
                    elif min_available_mb is not None and avail is not None and avail < min_available_mb:
                        why = (
                            f"killed: machine MemAvailable {avail:,.0f} MB < {min_available_mb:,.0f} MB "
                            f"(RSS {rss or 0:,.0f} MB)"
                        )
                if why:
                    proc.kill()
                    _, status, rusage = os.wait4(proc.pid, 0)
                    proc.returncode = os.waitstatus_to_exitcode(status)
                    rec["status"] = why
                    log.warning("  %s", why)
                    break
                polls += 1
                time.sleep(0.05)
        if rusage is not None:
            rec["peak_mb"] = rusage.ru_maxrss / 1024.0
        if "status" not in rec:
            if proc.returncode != 0 or not out_json.exists():
                tail = log_file.read_text().strip().splitlines()[-3:]
                rec["status"] = f"failed (exit {proc.returncode}): {' | '.join(tail)}"
            else:
                rec.update(json.loads(out_json.read_text()))
    return rec


def add_comparisons(df: pd.DataFrame) -> pd.DataFrame:
    """Relative objective difference against grid_model's ipm run (or the first optimal run) of each (T, mode),
    and grid_model / PyPSA ratios on grid_model rows (ipm ↔ PyPSA direct API, defaults ↔ PyPSA defaults)."""
    df = df.copy()
    for col in ("rel_diff", "wall_ratio", "outside_ratio", "peak_ratio", "outside_share"):
        df[col] = float("nan")
    df["agree"] = ""
    ok = df["status"] == "optimal"
    df.loc[ok, "outside_share"] = df.loc[ok, "outside_s"] / df.loc[ok, "wall_s"]
    for (_steps, _mode), grp in df[ok].groupby(["steps", "mode"], sort=False):
        ref_rows = grp[(grp["tool"] == "grid_model") & (grp["settings"] == "ipm+crossover")]
        ref = float((ref_rows if len(ref_rows) else grp)["objective"].iloc[0])
        for i in grp.index:
            rel = abs(float(df.at[i, "objective"]) - ref) / max(abs(ref), 1e-12)
            df.at[i, "rel_diff"] = rel
            df.at[i, "agree"] = "yes" if rel < REL_TOL else "NO"
        pairs = (
            ("ipm+crossover", "ipm+crossover, direct API"),
            ("defaults", "defaults (LP file)"),
            ("simplex", "simplex, direct API"),
            ("hipo+crossover", "hipo+crossover, direct API"),
        )
        for ours, theirs in pairs:
            a = grp[(grp["tool"] == "grid_model") & (grp["settings"] == ours)]
            b = grp[(grp["tool"] == "pypsa") & (grp["settings"] == theirs)]
            if len(a) and len(b):
                i, j = a.index[0], b.index[0]
                df.at[i, "wall_ratio"] = df.at[i, "wall_s"] / df.at[j, "wall_s"]
                df.at[i, "outside_ratio"] = df.at[i, "outside_s"] / df.at[j, "outside_s"]
                df.at[i, "peak_ratio"] = df.at[i, "peak_mb"] / df.at[j, "peak_mb"]
    return df


def _runs(df: pd.DataFrame, tool: str, settings: str, mode: str, steps: int) -> pd.DataFrame:
    """The rows of one tool, settings, mode and size."""
    return df[(df["tool"] == tool) & (df["settings"] == settings) & (df["mode"] == mode) & (df["steps"] == steps)]


def _timed_out_s(df: pd.DataFrame, tool: str, settings: str, mode: str, steps: int) -> float | None:
    """The time limit [s] at which that run was stopped unfinished, or None."""
    sel = _runs(df, tool, settings, mode, steps)
    for status in sel["status"].astype(str):
        m = re.fullmatch(r"timeout \((\d+) s\)", status)
        if m:
            return float(m.group(1))
    return None


def _stopped_peak_mb(df: pd.DataFrame, tool: str, settings: str, mode: str, steps: int) -> float | None:
    """The peak RSS [MB] a run had reached when it was stopped at its time limit, or None."""
    if _timed_out_s(df, tool, settings, mode, steps) is None or "peak_mb" not in df:
        return None
    sel = _runs(df, tool, settings, mode, steps)
    peaks = sel["peak_mb"].dropna()
    return float(peaks.iloc[0]) if len(peaks) and peaks.iloc[0] > 0 else None


def _f(x: Any, fmt: str) -> str:
    try:
        if x is None or pd.isna(x):
            return "–"
    except (TypeError, ValueError):
        pass
    return format(x, fmt)


def targets(df: pd.DataFrame) -> list[str]:
    """The issue's targets, evaluated at the largest T measured for each mode (flagged when it is not 8760)."""
    lines = ["| target | measured at | value | met |", "|---|---|---|---|"]
    ok = df[df["status"] == "optimal"]

    def row(tool: str, settings: str, mode: str, steps: int) -> pd.Series | None:
        sel = _runs(ok, tool, settings, mode, steps)
        return None if sel.empty else sel.iloc[0]

    def add(name: str, mode: str, value: Any, limit: float, pct: bool = False) -> None:
        steps = largest[mode]
        at = f"T={steps}" + ("" if steps == 8760 else " (not the full year)")
        if value is None or pd.isna(value):
            lines.append(f"| {name} | {at} | not measured | – |")
            return
        shown = f"{value:.0%}" if pct else f"{value:.2f}×"
        lines.append(f"| {name} | {at} | {shown} | {'yes' if value <= limit else '**no**'} |")

    def add_bound(name: str, mode: str, bound: float, limit: float, sign: str, why: str) -> None:
        # a ratio known only as a bound, because PyPSA was stopped at its time limit
        met = "yes" if bound <= limit else "**no**"
        lines.append(f"| {name} | T={largest[mode]} | {sign} {bound:.2f}× ({why}) | {met} |")

    largest = {m: int(ok[ok["mode"] == m]["steps"].max()) if (ok["mode"] == m).any() else 0 for m in MODES}

    def same_options(mode: str) -> tuple[pd.Series | None, str]:
        # dispatch: dual simplex is grid_model's default for dispatch-only LPs (IPM rows are used if that is all
        # there is); expansion: interior point with crossover, IPX or else HiPO (the only one run at 8,760 steps)
        order = ("simplex", "ipm+crossover") if mode == "dispatch" else ("ipm+crossover", "hipo+crossover")
        for settings in order:
            r = row("grid_model", settings, mode, largest[mode])
            if r is not None:
                return r, settings.split("+")[0]
        return None, ""

    gm_same, algo_same = same_options("expansion")
    gm_def = row("grid_model", "defaults", "expansion", largest["expansion"])
    add(
        f"expansion wall ≤ 0.8× PyPSA (same HiGHS options{': ' + algo_same if algo_same else ''})",
        "expansion",
        None if gm_same is None else gm_same["wall_ratio"],
        0.8,
    )
    stopped = _timed_out_s(df, "pypsa", "defaults (LP file)", "expansion", largest["expansion"])
    name = "expansion wall ≤ 0.5× PyPSA (each tool's defaults)"
    if gm_def is not None and pd.isna(gm_def["wall_ratio"]) and stopped:
        # PyPSA would have taken longer than the limit: the ratio is below ours / the limit
        add_bound(
            name,
            "expansion",
            float(gm_def["wall_s"]) / stopped,
            0.5,
            "<",
            f"PyPSA stopped unfinished at {stopped:,.0f} s",
        )
    else:
        add(name, "expansion", None if gm_def is None else gm_def["wall_ratio"], 0.5)
    add(
        f"expansion time outside HiGHS ≤ 25 % of wall (grid_model{', ' + algo_same if algo_same else ''})",
        "expansion",
        None if gm_same is None else gm_same["outside_share"],
        0.25,
        pct=True,
    )

    gm_disp, algo = same_options("dispatch")
    add(
        f"dispatch wall ≤ 1.0× PyPSA direct API (same options{': ' + algo if algo else ''})",
        "dispatch",
        None if gm_disp is None else gm_disp["wall_ratio"],
        1.0,
    )
    for mode in MODES:
        r, algo = same_options(mode)
        add(
            f"peak memory ≤ 0.6× PyPSA ({mode}, same options{': ' + algo if algo else ''})",
            mode,
            None if r is None else r["peak_ratio"],
            0.6,
        )
    name = "peak memory ≤ 0.6× PyPSA (expansion, each tool's defaults)"
    pypsa_peak = _stopped_peak_mb(df, "pypsa", "defaults (LP file)", "expansion", largest["expansion"])
    if gm_def is not None and pd.isna(gm_def["peak_ratio"]) and pypsa_peak:
        # PyPSA's peak was at least what it had reached when stopped: the ratio is at most ours / that
        why = f"PyPSA had reached {pypsa_peak:,.0f} MB when stopped"
        add_bound(name, "expansion", float(gm_def["peak_mb"]) / pypsa_peak, 0.6, "≤", why)
    else:
        add(name, "expansion", None if gm_def is None else gm_def["peak_ratio"], 0.6)
    return lines


SCALE_TARGET = (60, 8760, "dispatch")  # the issue's scale check: zones, steps, mode


def scale_summary(scale: pd.DataFrame) -> list[str]:
    """The scale check in brief (the full page is ``scale.md``, written by ``scale_check.py``): the issue's
    target, then one line per run."""
    zones_t, steps_t, mode_t = SCALE_TARGET
    hit = scale[
        (scale["zones"] == zones_t)
        & (scale["steps"] == steps_t)
        & (scale["mode"] == mode_t)
        & (scale["tool"] == "grid_model")
    ]
    ram = _meminfo_gib()
    if hit.empty:
        verdict = "not measured yet"
    else:
        r = hit.iloc[-1]
        ok = r["status"] == "optimal"
        verdict = (
            f"{'**met**' if ok else '**not met**'}: grid_model ({r['settings']}) {r['status']}, "
            f"peak {_f(r['peak_mb'], ',.0f')} MB of {ram} RAM, wall {_f(r.get('wall_s'), ',.0f')} s"
        )
    lines = [
        f"Target (reliability issue): a generated {zones_t}-zone, full-year ({steps_t:,} steps) network builds "
        f"and solves {mode_t}-only on this machine within its memory — {verdict}.",
        "",
        "| zones | links | T | mode | tool | settings | status | rows | columns | nonzeros | wall s | HiGHS s "
        "| peak MB | objective USD |",
        "|---:|---:|---:|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _, r in scale.iterrows():
        lines.append(
            f"| {r['zones']} | {_f(r.get('links'), '.0f')} | {r['steps']} | {r['mode']} | {r['tool']} | {r['settings']} "
            f"| {r['status']} | {_f(r.get('n_rows'), ',.0f')} | {_f(r.get('n_cols'), ',.0f')} "
            f"| {_f(r.get('n_nonzeros'), ',.0f')} | {_f(r.get('wall_s'), '.1f')} | {_f(r.get('highs_s'), '.1f')} "
            f"| {_f(r.get('peak_mb'), ',.0f')} | {_f(r.get('objective'), ',.0f')} |"
        )
    lines += [
        "",
        "Phase timings, memory at the end of each phase and the load average around each run: "
        "[scale.md](scale.md) (data: `scale.csv`).",
    ]
    return lines


def _meminfo_gib() -> str:
    """The machine's RAM as text, e.g. '23.5 GiB'."""
    total = _meminfo_mb("/proc/meminfo", "MemTotal")
    return "unknown" if total is None else f"{total / 1024:.1f} GiB"


def markdown(
    df: pd.DataFrame,
    machine: dict[str, str],
    batches: list[dict[str, Any]],
    scale: pd.DataFrame | None = None,
    headline: pd.DataFrame | None = None,
) -> str:
    """The results page: table, ratios, targets (with the headline comparison's when ``headline.csv`` exists), the
    scale check (when ``scale.csv`` exists), the machine and the batches of runs it combines."""
    zones = sorted({int(z) for z in df["zones"].dropna()})
    out = [
        "# grid_model vs PyPSA — benchmark",
        "",
        f"Synthetic network of `benchmarks/network.py`: {', '.join(map(str, zones))} zones in a chain "
        "(MX–GT–SV–HN–NI–CR–PA–CO–EC–PE–CL"
        + (", then synthetic zones Z12… meshed by cross links" if zones and max(zones) > 11 else "")
        + "), 6 generators (coal, ccgt, ocgt, oil, solar, onwind) + 1 battery "
        "per zone, lossy links both ways, unserved energy at VoLL; T = the first T hours of a seeded year, "
        "weight 8760/T. Each row is one fresh subprocess.",
        "",
        "Columns: **wall** = inputs in memory → solution in memory (grid_model `solve_dataset`; PyPSA "
        "`n.optimize`); **build** = model construction (Pyomo model; PyPSA `create_model` + link ties); "
        "**HiGHS** = `Highs.getRunTime()`; **outside** = wall − HiGHS; **peak MB** = max RSS of the subprocess "
        "(includes the interpreter and imports); **rel. diff** = |objective − grid_model ipm objective| / objective "
        f"(must be < {REL_TOL:g}, ⚠ otherwise); **ratios** = grid_model / PyPSA at the same settings "
        "(ipm ↔ PyPSA direct API, defaults ↔ PyPSA defaults).",
        "",
        "| T | mode | tool | settings | wall s | build s | outside-HiGHS s | HiGHS s | peak MB | objective USD "
        "| rel. diff | wall ratio | outside ratio | peak ratio |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for _, r in df.iterrows():
        if r["status"] != "optimal":
            out.append(
                f"| {r['steps']} | {r['mode']} | {r['tool']} | {r['settings']} | {r['status']} "
                f"| | | | {_f(r.get('peak_mb'), '.0f')} | | | | | |"
            )
            continue
        flag = "" if r["agree"] == "yes" else " ⚠"
        out.append(
            f"| {r['steps']} | {r['mode']} | {r['tool']} | {r['settings']} | {_f(r['wall_s'], '.2f')} "
            f"| {_f(r['build_s'], '.2f')} | {_f(r['outside_s'], '.2f')} | {_f(r['highs_s'], '.2f')} "
            f"| {_f(r['peak_mb'], '.0f')} | {_f(r['objective'], ',.0f')} | {_f(r['rel_diff'], '.1e')}{flag} "
            f"| {_f(r['wall_ratio'], '.2f')} | {_f(r['outside_ratio'], '.2f')} | {_f(r['peak_ratio'], '.2f')} |"
        )
    out += ["", "## Targets (from the performance issue)", "", *targets(df), *headline_targets(headline), ""]
    if scale is not None and len(scale):
        out += ["## Scale check", "", *scale_summary(scale), ""]
    out += [
        "## Machine",
        "",
        f"- {machine['nproc']} CPUs ({machine['cpu']}), {machine['ram']} RAM, {machine['platform']}",
        f"- Python {machine['python']}; highspy {machine['highspy']}, pyomo {machine['pyomo']}, "
        f"pypsa {machine['pypsa']}, linopy {machine['linopy']}, numpy {machine['numpy']}, "
        f"pandas {machine['pandas']}, scipy {machine['scipy']}, xarray {machine['xarray']}",
        "",
        "## Batches",
        "",
        "| command | started | grid_model at | load avg before (1, 5, 15 min) | after | took |",
        "|---|---|---|---|---|---|",
    ]
    for b in batches:
        out.append(
            f"| `python benchmarks/run_benchmark.py {b['argv']}` | {b['date']} | {b.get('grid_model', '?')} "
            f"| {b['load_before']} | {b['load_after']} | {b['elapsed']} |"
        )
    out += [
        "",
        "Other work shared the machine during these batches (see the load averages), so timings are noisy; "
        "the objectives are not.",
        "",
    ]
    return "\n".join(out)


def read_batches(csv: Path) -> list[dict[str, Any]]:
    """The batches recorded beside a benchmark.csv."""
    f = csv.with_name("batches.json")
    return list(json.loads(f.read_text())) if f.exists() else []


def merge(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate result frames; a later row replaces an earlier one with the same T, mode, tool and settings."""
    df = pd.concat([f for f in frames if len(f)], ignore_index=True)
    key = ["steps", "mode", "tool", "settings"]
    df = df.drop_duplicates(subset=key, keep="last")
    rank = {
        "mode": {m: i for i, m in enumerate(MODES)},
        "settings": {label: i for i, label in enumerate(dict.fromkeys(SETTINGS_ORDER))},
        "tool": {t: i for i, t in enumerate(TOOLS)},
    }

    def sort_key(col: pd.Series) -> pd.Series:
        return col.map(rank[str(col.name)]).fillna(99) if col.name in rank else col

    return df.sort_values(["steps", "mode", "settings", "tool"], key=sort_key, kind="stable").reset_index(drop=True)


def headline_targets(headline: pd.DataFrame | None) -> list[str]:
    """Target rows from ``headline.csv`` (written by ``headline.py``): the headline comparison against four PyPSA
    runs, and the default compare's wall time."""
    if headline is None or headline.empty:
        return []
    wall = headline.set_index("run")["wall_s"]
    rows = []
    if "compare" in wall.index:
        for settings, label in (("defaults", "PyPSA's defaults"), ("ipm", "PyPSA with IPX + crossover")):
            if f"{settings}: 4 runs" in wall.index:
                ratio = wall["compare"] / wall[f"{settings}: 4 runs"]
                rows.append(
                    f"| headline `grid-model compare` ≤ 0.5× four PyPSA runs ({label}) | headline.md | "
                    f"{ratio:.2f}× | {'yes' if ratio <= 0.5 else '**no**'} |"
                )
        minutes = wall["compare"] / 60.0
        rows.append(
            f"| default `grid-model compare` ≤ 5 min on 2 cores | headline.md | {minutes:.1f} min | "
            f"{'yes' if minutes <= 5 else '**no**'} |"
        )
    return rows


def read_headline(out: Path) -> pd.DataFrame | None:
    """The headline comparison's results beside benchmark.csv (``headline.csv``, written by ``headline.py``)."""
    f = out / "headline.csv"
    return pd.read_csv(f) if f.exists() else None


def read_scale(out: Path) -> pd.DataFrame | None:
    """The scale check's results beside benchmark.csv (``scale.csv``, written by ``scale_check.py``), if any."""
    f = out / "scale.csv"
    return pd.read_csv(f) if f.exists() else None


def finish(df: pd.DataFrame, batches: list[dict[str, Any]], out: Path) -> pd.DataFrame:
    """Compare, write benchmark.csv, batches.json and benchmark.md; return the final frame."""
    for col in COLUMNS:
        if col not in df.columns:
            df[col] = None
    df["breakdown"] = [json.dumps(b) if isinstance(b, dict) else b for b in df["breakdown"]]
    df = add_comparisons(df)[COLUMNS]
    out.mkdir(parents=True, exist_ok=True)
    df.to_csv(out / "benchmark.csv", index=False)
    (out / "batches.json").write_text(json.dumps(batches, indent=1))
    (out / "benchmark.md").write_text(markdown(df, machine_description(), batches, read_scale(out), read_headline(out)))
    return df


def render(out: Path) -> Path:
    """Rewrite ``benchmark.md`` in ``out`` from its ``benchmark.csv``, ``batches.json`` and ``scale.csv`` (the
    CSV files are read, not rewritten)."""
    md = out / "benchmark.md"
    md.write_text(
        markdown(
            pd.read_csv(out / "benchmark.csv"),
            machine_description(),
            read_batches(out / "benchmark.csv"),
            read_scale(out),
            read_headline(out),
        )
    )
    return md


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark matrix (or combine earlier results) and write the CSV and Markdown results."""
    p = argparse.ArgumentParser(description="grid_model vs PyPSA on the same synthetic network")
    p.add_argument("--sizes", type=int, nargs="+", default=[168, 2190, 8760], help="numbers of timesteps T")
    p.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    p.add_argument("--settings", nargs="+", choices=SETTINGS, default=["ipm", "defaults"])
    p.add_argument("--tools", nargs="+", choices=TOOLS, default=list(TOOLS))
    p.add_argument(
        "--zones",
        type=int,
        default=11,
        help="number of zones: the MX…CL chain (2 … 11), then "
        "synthetic zones Z12… meshed by cross links (see network.py)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds per run before it is killed")
    p.add_argument("--max-rss-gb", type=float, help="kill a run whose resident memory exceeds this [GiB]")
    p.add_argument(
        "--min-available-gb",
        type=float,
        help="kill a run when the machine's MemAvailable falls below this [GiB] (shared machine)",
    )
    p.add_argument("--out", type=Path, default=HERE / "results")
    p.add_argument(
        "--append",
        action="store_true",
        help="merge with an existing benchmark.csv in --out (rows of the same T, mode, tool and settings are replaced)",
    )
    p.add_argument(
        "--combine",
        type=Path,
        nargs="+",
        metavar="CSV",
        help="run nothing: merge these benchmark.csv files (later wins) into --out",
    )
    p.add_argument(
        "--render",
        action="store_true",
        help="run nothing: rewrite benchmark.md in --out from its CSV files (benchmark.csv, batches.json, scale.csv)",
    )
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    if args.render:
        log.info("wrote %s", render(args.out))
        return 0

    if args.combine:
        frames = [pd.read_csv(c) for c in args.combine]
        batches = [b for c in args.combine for b in read_batches(c)]
        finish(merge(frames), batches, args.out)
        log.info("combined %d files into %s", len(frames), args.out)
        return 0

    args.out.mkdir(parents=True, exist_ok=True)
    logs = args.out / "logs"
    logs.mkdir(exist_ok=True)
    batch = {
        "argv": " ".join(sys.argv[1:] if argv is None else argv),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_before": load_average(),
        "grid_model": grid_model_revision(),
    }
    t_start = time.perf_counter()
    records: list[dict[str, Any]] = []
    for steps in args.sizes:
        for mode in args.modes:
            tmp = Path(tempfile.mkdtemp(prefix=f"bench-{steps}-{mode}-"))
            try:
                dataset = write_grid_model_dataset(make_network(steps, mode, args.zones, args.seed), tmp / "dataset")
                for settings in args.settings:
                    for tool in args.tools:
                        if (tool, settings) not in SETTINGS_LABEL:
                            continue
                        rec = run_job(
                            Job(steps, mode, tool, settings),
                            dataset,
                            args.zones,
                            args.seed,
                            args.timeout,
                            logs,
                            gib_to_mb(args.max_rss_gb),
                            gib_to_mb(args.min_available_gb),
                        )
                        log.info(
                            "  → %s wall %.2f s, HiGHS %.2f s, peak %.0f MB, objective %s",
                            rec.get("status"),
                            rec.get("wall_s", float("nan")),
                            rec.get("highs_s", float("nan")),
                            rec.get("peak_mb", float("nan")),
                            rec.get("objective"),
                        )
                        records.append(rec)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    batch.update(load_after=load_average(), elapsed=f"{(time.perf_counter() - t_start) / 60:.1f} min")
    csv = args.out / "benchmark.csv"
    frames, batches = [pd.DataFrame.from_records(records)], [batch]
    if args.append and csv.exists():
        frames.insert(0, pd.read_csv(csv))
        batches = read_batches(csv) + batches
    df = finish(merge(frames), batches, args.out)
    table = df[
        [
            "steps",
            "mode",
            "tool",
            "settings",
            "status",
            "wall_s",
            "outside_s",
            "highs_s",
            "peak_mb",
            "rel_diff",
            "wall_ratio",
            "peak_ratio",
        ]
    ]
    print(table.to_string(index=False, float_format=lambda x: f"{x:.3g}"))  # the script's final table
    bad = df[(df["status"] == "optimal") & (df["agree"] != "yes")]
    if len(bad):
        log.warning("%d run(s) disagree with the reference objective by ≥ %g relative", len(bad), REL_TOL)
    return 0


if __name__ == "__main__":
    sys.exit(main())
