"""The notebooks run top to bottom in a fresh kernel, from the repository root, writing only under a temporary folder.

Each notebook is executed with nbclient in its small configuration (the defaults: ``SMALL = True`` in
``01_explore``; the example comparison in ``02_report_figures`` when ``$GRID_MODEL_RESULTS/compare`` is absent).
The kernel is this interpreter: a ``python3`` kernelspec pointing at ``sys.executable`` is written to a temporary
folder that ``JUPYTER_PATH`` puts first, so the test never depends on (or picks up a stale) user or system
kernelspec. Results go to ``GRID_MODEL_RESULTS`` = a temporary folder, never to ``results/``.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT_S = 300
KERNEL = "python3"

# The test process runs with warnings as errors (pyproject.toml). Depending on their versions, jupyter_client,
# jupyter_core and pyzmq emit deprecation warnings of their own while starting and talking to the kernel
# (event-loop, utcnow and platform-dirs migrations); they are not ours and are ignored by module, so a warning
# raised by grid_model or by the test itself still fails. Warnings inside the kernel are checked separately,
# from its stderr (see check_outputs).
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning:jupyter_client.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:jupyter_core.*"),
    pytest.mark.filterwarnings("ignore::DeprecationWarning:zmq.*"),
]

ANSI = re.compile(r"\x1b\[[0-9;]*m")
PY_WARNING = re.compile(r"\b[A-Z]\w*Warning\b:")


@pytest.fixture(scope="module")
def kernel_env(tmp_path_factory: pytest.TempPathFactory):
    """A ``python3`` kernelspec for this interpreter, first on JUPYTER_PATH, for the whole module."""
    from ipykernel.kernelspec import install

    prefix = tmp_path_factory.mktemp("kernelspec")
    install(prefix=str(prefix), kernel_name=KERNEL)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
        mp.setenv("JUPYTER_PLATFORM_DIRS", "1")
        # inline figures whatever the CI sets (an Agg MPLBACKEND would make plt.show() a silent no-op)
        mp.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        yield mp


def run_notebook(name: str, results: Path, mp: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """Execute ``notebooks/<name>`` in a fresh kernel started in the repository root; return the executed copy."""
    mp.setenv("GRID_MODEL_RESULTS", str(results))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name=KERNEL, resources={"metadata": {"path": str(ROOT)}})
    client.execute()  # raises CellExecutionError (cell source and traceback) on the first failing cell
    return nb


def check_outputs(nb: nbformat.NotebookNode, min_images: int) -> None:
    """No error output, no Python warning printed by the kernel, and at least ``min_images`` inline images."""
    errors, warnings, images = [], [], 0
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                errors.append(f"cell {i}: {out.ename}: {out.evalue}\n" + ANSI.sub("", "\n".join(out.traceback)))
            elif out.output_type == "stream" and out.name == "stderr" and PY_WARNING.search(out.text):
                warnings.append(f"cell {i}:\n{out.text}")
            elif "image/png" in out.get("data", {}):
                images += 1
    assert not errors, "cells failed:\n" + "\n\n".join(errors)
    assert not warnings, "the notebook printed warnings:\n" + "\n".join(warnings)
    assert images >= min_images, f"expected at least {min_images} inline figures, got {images}"


@pytest.mark.slow
def test_explore_notebook_runs(kernel_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    nb = run_notebook("01_explore.ipynb", tmp_path, kernel_env)
    check_outputs(nb, min_images=9)
    written = list((tmp_path / "notebook_explore").glob("*/summary.json"))
    assert len(written) == 1, "the explore notebook writes one results folder under $GRID_MODEL_RESULTS"


@pytest.mark.slow
def test_report_figures_notebook_runs(kernel_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    nb = run_notebook("02_report_figures.ipynb", tmp_path, kernel_env)
    check_outputs(nb, min_images=12)
    compare = tmp_path / "notebook_example"
    assert (compare / "comparison.csv").is_file(), "without a compare folder the notebook solves the example set"
    for name in ("comparison.csv", "countries.csv", "borders.csv", "new_capacity.csv"):
        assert (compare / name).is_file()
    figures = tmp_path / "notebook_figures" / "notebook_example"
    stems = {p.stem for p in figures.glob("*.png")}
    assert {"generation_mix", "cost_breakdown", "renewable_share", "price_duration", "capacity_additions"} <= stems
    assert {p.stem for p in figures.glob("*.svg")} == stems


@pytest.mark.slow
def test_results_database_notebook_runs(kernel_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    nb = run_notebook("03_results_database.ipynb", tmp_path, kernel_env)
    check_outputs(nb, min_images=2)
    work = tmp_path / "notebook_results_db"
    assert (work / "results.duckdb").is_file(), "the notebook writes its database under $GRID_MODEL_RESULTS"
    assert (work / "compare" / "comparison.csv").is_file()


@pytest.mark.parametrize("name", ["01_explore.ipynb", "02_report_figures.ipynb", "03_results_database.ipynb"])
def test_notebook_committed_clean(name: str) -> None:
    """Committed without outputs or execution counts, valid nbformat, with a ``parameters`` cell."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(nb)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} cell {i} has outputs; clear them before committing"
            assert cell.execution_count is None, f"{name} cell {i} has an execution count"
    tagged = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{name} should have exactly one cell tagged 'parameters'"
