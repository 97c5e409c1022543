"""The docs cannot go stale: the scenario-key tables (README and ``docs/scenarios.md``), ``docs/schema.md`` and
``docs/formulation.md`` equal what the code generates, every repository path the README and ``docs/*.md`` mention
exists, and the documentation site (``mkdocs.yml``) builds in strict mode."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from grid_model.cli import app
from grid_model.docs_gen import docstring_markdown, formulation_markdown
from grid_model.scenario import Scenario
from grid_model.scenario_doc import (
    END_MARKER,
    INTERNAL_KEYS,
    START_MARKER,
    replace_between_markers,
    scenario_keys_markdown,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Top-level folders of the repository: a path starting with one of them is a repository path. Output folders
# (results/…) and dataset-relative paths (timeseries/…) are not, and are not checked.
REPO_DIRS = ("grid_model", "data", "benchmarks", "docs", "scenarios", "notebooks", "tests", ".ci")
REPO_PATH = re.compile(r"(?<![\w./<-])(?:" + "|".join(re.escape(d) for d in REPO_DIRS) + r")/[\w./*<>-]*")
MD_LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize("name", ["README.md", "docs/scenarios.md"])
def test_scenario_key_tables_are_generated_from_the_scenario_model(name: str):
    text = (ROOT / name).read_text(encoding="utf-8")
    assert START_MARKER in text and END_MARKER in text, f"{name} lost its scenario-keys markers"
    current = text[text.index(START_MARKER) + len(START_MARKER) : text.index(END_MARKER)].strip()
    assert current == scenario_keys_markdown(), (
        f"{name}'s scenario key table differs from grid_model/scenario.py; regenerate it with "
        f"`python3 -m grid_model.scenario_doc {name}` (the table alone: `python3 -m grid_model schema --scenario`)"
    )


def test_the_key_table_has_one_row_per_scenario_key():
    table = scenario_keys_markdown()
    keys = set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE))
    top = set(Scenario.model_fields) - INTERNAL_KEYS
    assert top <= keys
    assert {"time.mode", "links.allowed", "expansion.storage", "subsidies.fuel", "policy.co2_cap_mt"} <= keys
    assert {"overrides[].table", "overrides[].scale"} <= keys
    assert not INTERNAL_KEYS & keys
    assert len(keys) == len(table.splitlines()) - 2  # one row per key, no duplicates


def test_replacing_the_marked_block_keeps_the_rest():
    text = f"before\n{START_MARKER}\nold\n{END_MARKER}\nafter\n"
    assert replace_between_markers(text, "NEW") == f"before\n{START_MARKER}\nNEW\n{END_MARKER}\nafter\n"
    with pytest.raises(ValueError, match="scenario-keys"):
        replace_between_markers("no markers", "NEW")


def test_schema_command_prints_the_scenario_keys():
    result = CliRunner().invoke(app, ["schema", "--scenario"])
    assert result.exit_code == 0, result.output
    assert result.output == scenario_keys_markdown() + "\n"


def test_docs_schema_md_is_the_schema_command_output():
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    assert (ROOT / "docs" / "schema.md").read_text(encoding="utf-8") == result.output, (
        "docs/schema.md differs from the dataset schema in grid_model/schema.py; regenerate it with "
        "`python3 -m grid_model schema > docs/schema.md`"
    )


def test_docs_formulation_md_is_generated_from_the_module_docstrings():
    assert (ROOT / "docs" / "formulation.md").read_text(encoding="utf-8") == formulation_markdown(), (
        "docs/formulation.md differs from the module docstrings of grid_model/model/; regenerate it with "
        "`python3 -m grid_model.docs_gen docs/formulation.md`"
    )


def test_the_formulation_page_has_every_feature_in_order_and_keeps_equations_as_code():
    from grid_model.model.features import FEATURES

    page = formulation_markdown()
    sources = [f"`grid_model/model/{m.__name__.rsplit('.', 1)[-1]}.py`" for m in FEATURES]
    positions = [page.index(s) for s in sources]
    assert positions == sorted(positions)
    for name in ("timeindex.py", "model/core.py", "model/periods.py", "model/expansion.py", "model/risk.py"):
        assert f"`grid_model/{name}`" in page
    assert "`grid_model/stochastic.py`" in page
    assert "```text\nΣ_features injection[z, t] = demand[z, t]" in page  # core's balance, an indented block


def test_docstring_markdown_fences_indented_blocks_and_converts_rest_markup():
    doc = "Summary with ``code`` and :func:`f`.\n\n    a ≤ b      row_name\n      c = d\n\nAfter.\n"
    assert docstring_markdown(doc) == (
        "Summary with `code` and `f`.\n\n```text\na ≤ b      row_name\n  c = d\n```\n\nAfter."
    )


def _slug(heading: str) -> str:
    """GitHub's anchor of a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    return {_slug(h) for h in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)}


def _missing_link(doc: Path, target: str) -> str | None:
    """Why a Markdown link target (relative to ``doc``) is broken, or None."""
    if re.match(r"^[a-z]+:", target):  # https:, mailto:
        return None
    file, _, anchor = target.partition("#")
    path = (doc.parent / file).resolve() if file else doc
    if not path.exists():
        return f"link {target}: no such file"
    if anchor and path.suffix == ".md" and anchor not in _anchors(path):
        return f"link {target}: no heading #{anchor}"
    return None


def _missing_path(token: str) -> str | None:
    """Why a repository path (relative to the root; ``*`` globs, ``<placeholder>`` skipped) is broken, or None."""
    path = token.rstrip(".,;:")
    if "<" in path or ">" in path:
        return None
    found = any(ROOT.glob(path)) if "*" in path else (ROOT / path).exists()
    return None if found else f"path {path}: not in the repository"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_path_the_docs_mention_exists(doc: Path):
    text = doc.read_text(encoding="utf-8")
    broken = [m for target in MD_LINK.findall(text) if (m := _missing_link(doc, target))]
    broken += [m for token in REPO_PATH.findall(text) if (m := _missing_path(token))]
    assert not broken, f"{doc.relative_to(ROOT)}: " + "; ".join(sorted(set(broken)))


def test_the_path_check_sees_a_broken_path():
    assert _missing_path("grid_model/solve.py") is not None
    assert _missing_path("grid_model/model/*.py") is None
    assert _missing_path("grid_model/model/<name>.py") is None
    assert REPO_PATH.findall("see `data/README.md`, and results/compare/") == ["data/README.md"]
    assert _missing_link(ROOT / "README.md", "docs/model.md#no-such-heading") is not None


def _nav_pages(nav: list) -> list[str]:
    """Every Markdown page of an mkdocs ``nav`` (nested sections flattened)."""
    pages: list[str] = []
    for item in nav:
        value = next(iter(item.values())) if isinstance(item, dict) else item
        pages += _nav_pages(value) if isinstance(value, list) else [value]
    return pages


def _html_of(page: str) -> str:
    """Where mkdocs writes a page with directory URLs: ``index.md`` → ``index.html``, ``x.md`` → ``x/index.html``."""
    stem = page.removesuffix(".md")
    return "index.html" if stem == "index" else f"{stem}/index.html"


def test_the_documentation_site_builds_strict(tmp_path: Path):
    if importlib.util.find_spec("mkdocs") is None or importlib.util.find_spec("material") is None:
        reason = "mkdocs-material is not installed (pip install -e '.[docs]'; CI installs it with .[test])"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["strict"] is True and config["docs_dir"] == "docs" and config["theme"]["font"] is False
    site = tmp_path / "site"
    start = time.perf_counter()
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert run.returncode == 0, f"python3 -m mkdocs build --strict failed:\n{run.stdout}\n{run.stderr}"
    assert time.perf_counter() - start < 30
    pages = _nav_pages(config["nav"])
    assert {"index.md", "scenarios.md", "schema.md", "formulation.md", "model.md", "outputs.md"} <= set(pages)
    assert {"results_db.md", "calibration.md", "performance.md", "adding_a_feature.md"} <= set(pages)
    missing = [p for p in pages if not (site / _html_of(p)).is_file()]
    assert not missing, f"nav pages without an HTML file: {missing}"
