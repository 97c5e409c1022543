"""Smoke test of the benchmark script: the smallest size, both modes, both tools, in a subprocess.

It checks that the benchmark runs end to end and that both tools solve the same LP (objectives agree to
1e-6 relative). It does not assert on times: benchmarks are measurements, not timed tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("pypsa")

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "benchmarks" / "run_benchmark.py"


@pytest.mark.slow
def test_benchmark_smallest_size_runs_and_objectives_agree(tmp_path: Path) -> None:
    """168 steps, dispatch and expansion, 2 zones, same HiGHS options for both tools."""
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--sizes", "168", "--modes", "dispatch", "expansion", "--zones", "2",
         "--settings", "ipm", "--timeout", "120", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    df = pd.read_csv(out / "benchmark.csv")
    got = sorted(zip(df["mode"], df["tool"], df["steps"], strict=True))
    assert got == [("dispatch", "grid_model", 168), ("dispatch", "pypsa", 168),
                   ("expansion", "grid_model", 168), ("expansion", "pypsa", 168)]
    assert (df["status"] == "optimal").all(), df[["mode", "tool", "status"]].to_string()
    assert (df["rel_diff"] < 1e-6).all(), df[["mode", "tool", "objective", "rel_diff"]].to_string()
    assert (df["agree"] == "yes").all()
    for col in ("wall_s", "build_s", "highs_s", "outside_s", "peak_mb"):
        assert (df[col] > 0).all(), col
    # grid_model rows carry the grid_model / PyPSA ratios
    gm = df[df["tool"] == "grid_model"]
    assert gm["wall_ratio"].notna().all() and gm["peak_ratio"].notna().all()
    md = (out / "benchmark.md").read_text()
    assert "| T | mode | tool | settings | wall s |" in md and "## Machine" in md and "## Targets" in md
