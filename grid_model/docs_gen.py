"""The formulation page of the documentation site (``docs/formulation.md``), generated from the module docstrings.

Each constraint is stated where it is built, in the module docstring of its feature; this page puts those
docstrings together so the site cannot drift from the code: the time index and the builder first, then each
feature in the order of ``grid_model.model.features.FEATURES``, then typical periods, expansion, the stochastic
LP, the risk term and pathways. Indented blocks (the equations) become fenced code blocks, kept verbatim; in the prose,
reST's double backticks become Markdown code and ``:func:``-style roles are dropped.
``python3 -m grid_model.docs_gen docs/formulation.md`` rewrites the page (``tests/test_docs.py`` checks it is
current).
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path
from types import ModuleType

from grid_model import stochastic, timeindex
from grid_model.model import core, expansion, periods, risk
from grid_model.model import features as features_module
from grid_model.model.features import FEATURES
from grid_model.pathway import inputs as pathway_inputs
from grid_model.pathway import lp as pathway_lp
from grid_model.pathway import timing as pathway_timing

REGENERATE = "python3 -m grid_model.docs_gen docs/formulation.md"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
# Sections before and after the features: (title, module).
BEFORE: tuple[tuple[str, ModuleType], ...] = (("Time index", timeindex), ("The builder", core))
AFTER: tuple[tuple[str, ModuleType], ...] = (
    ("Typical periods: storage linked across the year", periods),
    ("New capacity", expansion),
    ("Several hydrologies: the stochastic LP", stochastic),
    ("Risk: expected cost plus CVaR", risk),
    ("Pathways: time, discounting and lifetimes", pathway_timing),
    ("Pathways: the inputs of each period", pathway_inputs),
    ("Pathways: one LP over the periods", pathway_lp),
)
ROLE = re.compile(r":[a-z]+:`([^`]+)`")


def _prose(line: str) -> str:
    """A prose line of a docstring in Markdown: ``:func:`x``` → ``x``, reST double backticks → single ones."""
    return ROLE.sub(r"``\1``", line).replace("``", "`")


def docstring_markdown(doc: str) -> str:
    """A reST-flavoured module docstring as Markdown: indented blocks fenced as ``text`` code, kept verbatim."""
    lines = inspect.cleandoc(doc).splitlines()
    out: list[str] = []
    block: list[str] = []

    def flush() -> None:
        while block and not block[-1].strip():
            block.pop()
        if block:
            indent = min(len(b) - len(b.lstrip()) for b in block if b.strip())
            out.extend(["```text", *(b[indent:].rstrip() for b in block), "```", ""])
            block.clear()

    for line in lines:
        indented = line.startswith("    ") and line.strip()
        if indented and (block or not out or not out[-1].strip()):
            block.append(line)
        elif block and not line.strip():
            block.append(line)
        else:
            flush()
            out.append(_prose(line))
    flush()
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def _section(title: str, module: ModuleType, level: str = "##") -> str:
    """One module's section: a heading, the source file (a repository path) and the docstring."""
    source = Path(module.__file__ or "").resolve().relative_to(PACKAGE_ROOT).as_posix()
    body = docstring_markdown(module.__doc__ or "")
    return f"{level} {title}\n\nSource: `{source}` (`{module.__name__}`).\n\n{body}\n"


def _feature_title(module: ModuleType) -> str:
    return module.__name__.rsplit(".", 1)[-1].replace("_", " ").capitalize()


def formulation_markdown() -> str:
    """The whole formulation page: one section per module docstring, features in ``FEATURES`` order."""
    head = (
        "# Model formulation\n\n"
        "Generated from the module docstrings by `grid_model/docs_gen.py`; do not edit by hand "
        f"(regenerate with `{REGENERATE}`). Each constraint is stated where it is built; "
        "[the model in one page](model.md) gathers the same formulation by hand.\n"
    )
    parts = [head, *(_section(t, m) for t, m in BEFORE), _section("Features", features_module)]
    parts += [_section(_feature_title(m), m, "###") for m in FEATURES]
    parts += [_section(t, m) for t, m in AFTER]
    return "\n".join(parts)


def main(argv: list[str]) -> int:
    """``python3 -m grid_model.docs_gen FILE``: write the formulation page to FILE."""
    if len(argv) != 1:
        print(f"usage: {REGENERATE}", file=sys.stderr)
        return 2
    path = Path(argv[0])
    path.write_text(formulation_markdown(), encoding="utf-8")
    print(f"updated {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
