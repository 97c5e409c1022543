"""Profile one grid_model benchmark run with py-spy and summarise where the time goes, by function and line.

Usage (py-spy from PyPI: ``pip install py-spy``)::

    python benchmarks/profile_grid_model.py --steps 2190 --mode dispatch [--settings ipm] [--zones 11]
                                            [--out benchmarks/results/profiles]

It writes the synthetic dataset, runs ``worker.py`` under ``py-spy record --format raw`` (collapsed stacks,
one line per distinct stack with its sample count) and writes ``<out>/<T>-<mode>-<settings>.md``: the share of
samples in which each function is on the stack (inclusive), the share in which a line is the innermost frame
(self), and the share attributed to the innermost ``grid_model`` line of each stack (which of our lines caused
the Pyomo/HiGHS work beneath it).
Time inside HiGHS shows up as the Python frame that called it (``grid_model/solve/runner.py`` ``run``), since native frames are
not sampled. Shares are of the whole worker process, imports included (``<module>`` rows).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from network import MODES, make_network, write_grid_model_dataset

log = logging.getLogger("benchmarks.profile")
HERE = Path(__file__).resolve().parent
FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def _short(path: str) -> str:
    """Trim site-packages and repo prefixes so rows stay readable."""
    for marker in ("site-packages/", str(HERE.parent) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def parse_frame(frame: str) -> tuple[str, str, str]:
    """(function, file, line) of one py-spy frame ``func (file:line)``."""
    m = FRAME.match(frame.strip())
    if not m:
        return frame.strip(), "", ""
    return m["func"], _short(m["file"]), m["line"] or ""


def summarise(raw: Path, top: int = 30) -> str:
    """Markdown tables of inclusive time by function and self time by line from py-spy raw output."""
    inclusive: Counter[str] = Counter()
    self_time: Counter[str] = Counter()
    ours: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        if not line.strip():
            continue
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        total += count
        frames = [parse_frame(f) for f in stack.split(";") if f]
        seen = set()
        for func, file, _ in frames:
            key = f"`{func}` ({file})"
            if key not in seen and not file.startswith("<frozen"):
                inclusive[key] += count
                seen.add(key)
        if frames:
            func, file, lineno = frames[-1]
            self_time[f"`{func}` ({file}:{lineno})"] += count
        mine = [f for f in frames if f[1].startswith("grid_model/")]
        if mine:
            func, file, lineno = mine[-1]
            ours[f"`{func}` ({file}:{lineno})"] += count
    out = [
        f"{total:,} samples.",
        "",
        "### Inclusive (function on the stack)",
        "",
        "| share | function (file) |",
        "|---:|---|",
    ]
    out += [f"| {n / total:.1%} | {k} |" for k, n in inclusive.most_common(top)]
    out += ["", "### Self (innermost line)", "", "| share | function (file:line) |", "|---:|---|"]
    out += [f"| {n / total:.1%} | {k} |" for k, n in self_time.most_common(top)]
    out += [
        "",
        "### Innermost grid_model line (what in grid_model triggered the work below it)",
        "",
        "| share | function (file:line) |",
        "|---:|---|",
    ]
    out += [f"| {n / total:.1%} | {k} |" for k, n in ours.most_common(top)]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the dataset, profile one grid_model run, summarise."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=2190)
    p.add_argument("--mode", choices=MODES, default="dispatch")
    p.add_argument("--settings", choices=("ipm", "defaults", "simplex"), default="ipm")
    p.add_argument("--zones", type=int, default=11)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rate", type=int, default=50, help="py-spy samples per second")
    p.add_argument("--out", type=Path, default=HERE / "results" / "profiles")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    if shutil.which("py-spy") is None:
        log.error("py-spy not found: pip install py-spy")
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    name = f"{args.steps}-{args.mode}-{args.settings}"
    raw = args.out / f"{name}.stacks.txt"
    load_before = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="bench-prof-") as tmp:
        dataset = write_grid_model_dataset(
            make_network(args.steps, args.mode, args.zones, args.seed), Path(tmp) / "dataset"
        )
        cmd = [
            "py-spy",
            "record",
            "--format",
            "raw",
            "--rate",
            str(args.rate),
            "--output",
            str(raw),
            "--",
            sys.executable,
            str(HERE / "worker.py"),
            "--tool",
            "grid_model",
            "--settings",
            args.settings,
            "--steps",
            str(args.steps),
            "--mode",
            args.mode,
            "--zones",
            str(args.zones),
            "--seed",
            str(args.seed),
            "--dataset",
            str(dataset),
            "--json",
            str(args.out / f"{name}.json"),
            "--highs-log",
            str(args.out / f"{name}.highs.log"),
        ]
        log.info("%s", " ".join(cmd))
        subprocess.run(cmd, check=True, cwd=HERE.parent)
    summary = args.out / f"{name}.md"
    summary.write_text(
        f"# py-spy profile: grid_model, T={args.steps}, {args.mode}, {args.settings}\n\n"
        f"`python benchmarks/profile_grid_model.py --steps {args.steps} --mode {args.mode} "
        f"--settings {args.settings} --zones {args.zones}`\n\n"
        f"Load average (1, 5, 15 min) before: {load_before}; after: "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}. Phase timings of this run are in "
        f"`{name}.json`.\n\n" + summarise(raw)
    )
    log.info("wrote %s", summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
