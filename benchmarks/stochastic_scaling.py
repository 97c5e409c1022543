"""How the headline LP grows with the number of hydrologies (issue 16): 1, 3, 5 and 10 hydrology years.

Each size is the headline ``base`` (2030, 12 typical days + each zone's peak day, least-cost expansion) planned
for the first N years of ``YEARS`` with equal probabilities, solved in its own process with grid_model's defaults.
Writes ``benchmarks/results/stochastic.csv`` and ``.md``: LP rows × columns, non-zeros, wall time, HiGHS time and
peak memory of the process.

    python benchmarks/stochastic_scaling.py [--sizes 1 3 5 10]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "results"
# the five representatives of scenarios/stochastic/, then five more library years spread over the ranking
YEARS = ("2020", "2002", "2001", "2018", "2021", "2024", "2016", "2010", "2014", "2008")

WORKER = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
from grid_model.scenario import Scenario, load_scenario
from grid_model.session import SolveSession
years = {years!r}
sc = load_scenario({base!r})
hyd = years[0] if len(years) == 1 else {{"scenarios": {{y: 1 / len(years) for y in years}}}}
sc = Scenario.model_validate({{**sc.model_dump(), "hydrology": hyd}})
t0 = time.perf_counter()
res = SolveSession(warm=False).solve(sc)
s = res.summary
print(json.dumps({{"wall_s": time.perf_counter() - t0, "objective_usd": s["objective_usd"],
    "rows": s["solver"]["n_rows"], "cols": s["solver"]["n_cols"], "highs_s": s["timings_s"].get("highs_run"),
    "steps": s["n_timesteps"],
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def run(n: int) -> dict:
    """One size in a fresh process (so its peak memory is its own)."""
    code = WORKER.format(root=str(ROOT), years=list(YEARS[:n]), base=str(ROOT / "scenarios" / "base.yaml"))
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    rec = json.loads(proc.stdout.strip().splitlines()[-1])
    return {"hydrologies": n, "process_s": time.perf_counter() - t0, **rec}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 3, 5, 10])
    args = ap.parse_args()
    rows = []
    for n in args.sizes:
        rows.append(run(n))
        print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    OUT.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT / "stochastic.csv", index=False, float_format="%.6g")
    lines = [
        "# The headline base under 1–10 hydrology years (benchmarks/stochastic_scaling.py)",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on the project's 2-core machine; each size in its own process, "
        "grid_model's default solver (dual simplex for typical days).",
        "",
        "| hydrologies | timesteps | rows | columns | HiGHS s | wall s | peak MB |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *[
            f"| {r.hydrologies} | {r.steps:,} | {r.rows:,} | {r.cols:,} | {r.highs_s:,.1f} | {r.wall_s:,.1f} | "
            f"{r.peak_mb:,.0f} |"
            for r in df.itertuples()
        ],
        "",
    ]
    (OUT / "stochastic.md").write_text("\n".join(lines))


if __name__ == "__main__":
    main()
