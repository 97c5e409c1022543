"""The table of scenario keys, generated from the pydantic ``Scenario`` model (``grid_model.scenario``).

One row per key, nested sections as dotted names (``time.mode``, ``policy.co2_cap_mt``) and list items as
``overrides[].table``: the type (with its bounds), the default, and the description — the field's own
``description``, else the docstring of the section's model, else nothing (type and default still say a lot).
``grid-model schema --scenario`` prints it; the README and ``docs/scenarios.md`` (the site's page) carry it between
marker comments, and ``python3 -m grid_model.scenario_doc README.md docs/scenarios.md`` rewrites the block of any
file given (``tests/test_docs.py`` checks both are current).
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import types
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from grid_model.scenario import Scenario

START_MARKER = "<!-- scenario-keys:start -->"
END_MARKER = "<!-- scenario-keys:end -->"
# Fields of the model that are not keys of a scenario file: ``load_scenario`` sets ``source_file`` to the file it read.
INTERNAL_KEYS = frozenset({"source_file"})
HEADER = ["| key | type | default | description |", "|---|---|---|---|"]


def _is_model(annotation: Any) -> bool:
    return inspect.isclass(annotation) and issubclass(annotation, BaseModel)


def _list_item_model(annotation: Any) -> type[BaseModel] | None:
    """The item model of ``list[Model]``, else None."""
    if get_origin(annotation) is list:
        args = get_args(annotation)
        if args and _is_model(args[0]):
            return args[0]
    return None


def type_name(annotation: Any) -> str:
    """A readable name for a field's type: ``int``, ``'full' | 'typical'``, ``list[str] | None``, ``section``."""
    origin = get_origin(annotation)
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(annotation))
    if origin in (Union, types.UnionType):
        return " | ".join(type_name(a) for a in get_args(annotation))
    if annotation is type(None):
        return "None"
    if annotation is Any:
        return "any"
    if _is_model(annotation):
        return "section"
    item = _list_item_model(annotation)
    if item is not None:
        return "list of mappings"
    if origin is not None:
        return f"{origin.__name__}[{', '.join(type_name(a) for a in get_args(annotation))}]"
    return getattr(annotation, "__name__", str(annotation))


def _bounds(field: FieldInfo) -> str:
    """The field's numeric bounds, e.g. ``≥ 1, ≤ 168`` (empty when it has none)."""
    marks = {Ge: ("≥", "ge"), Gt: (">", "gt"), Le: ("≤", "le"), Lt: ("<", "lt")}
    out = []
    for m in field.metadata:
        for kind, (sign, attr) in marks.items():
            if isinstance(m, kind):
                out.append(f"{sign} {getattr(m, attr)}")
    return ", ".join(out)


def _value(value: Any) -> str:
    """A default as it would be written in YAML."""
    if isinstance(value, BaseModel):
        return ""
    if value is None:
        return "`null`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str):
        return f"`{json.dumps(value)}`"
    if isinstance(value, int | float):
        return f"`{value!r}`"
    return f"`{json.dumps(value)}`"


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        return _value(field.default_factory())  # type: ignore[call-arg]
    return _value(field.default)


def _one_line(text: str | None) -> str:
    """A docstring or description as one table cell: reST double backticks to Markdown, pipes escaped."""
    if not text:
        return ""
    flat = " ".join(inspect.cleandoc(text).split())
    return flat.replace("``", "`")


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _rows(model: type[BaseModel], prefix: str) -> list[str]:
    """One row per field of ``model`` (dotted under ``prefix``), recursing into sections and list items."""
    rows = []
    for name, field in model.model_fields.items():
        if not prefix and name in INTERNAL_KEYS:
            continue
        key = f"{prefix}{name}"
        annotation = field.annotation
        section = annotation if _is_model(annotation) else _list_item_model(annotation)
        description = field.description or (section.__dict__.get("__doc__") if section is not None else None)
        kind = type_name(annotation)
        bounds = _bounds(field)
        kind = f"{kind}, {bounds}" if bounds else kind
        rows.append(f"| `{key}` | {_cell(kind)} | {_cell(_default(field))} | {_cell(_one_line(description))} |")
        if section is not None:
            rows += _rows(section, f"{key}{'[].' if section is not annotation else '.'}")
    return rows


def scenario_keys_markdown() -> str:
    """The Markdown table of every scenario key, generated from :class:`grid_model.scenario.Scenario`."""
    return "\n".join([*HEADER, *_rows(Scenario, "")])


def replace_between_markers(text: str, table: str) -> str:
    """``text`` with the block between the scenario-keys markers replaced by ``table``."""
    pattern = re.compile(re.escape(START_MARKER) + r".*?" + re.escape(END_MARKER), re.DOTALL)
    if not pattern.search(text):
        raise ValueError(f"no {START_MARKER} … {END_MARKER} block")
    return pattern.sub(lambda _m: f"{START_MARKER}\n{table}\n{END_MARKER}", text, count=1)


def main(argv: list[str]) -> int:
    """``python3 -m grid_model.scenario_doc FILE…``: rewrite the scenario-keys block of each file."""
    if not argv:
        print("usage: python3 -m grid_model.scenario_doc FILE [FILE …]", file=sys.stderr)
        return 2
    table = scenario_keys_markdown()
    for name in argv:
        path = Path(name)
        path.write_text(replace_between_markers(path.read_text(encoding="utf-8"), table), encoding="utf-8")
        print(f"updated {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(sys.argv[1:]))
