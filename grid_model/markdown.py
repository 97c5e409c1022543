"""Markdown tables and the small Markdown-to-HTML conversion the reports use (compare, projects); light, so
importing it loads no drawing library."""

from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import pandas as pd


def md_table(df: pd.DataFrame, formats: dict[str, Callable[[float], str]] | None = None) -> str:
    """A Markdown table of ``df``; numbers with 3 significant digits (thousands separated above 1,000) unless
    ``formats`` gives a column its own formatter."""
    formats = formats or {}
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, r in df.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if c in formats:
                cells.append(formats[c](v))
            elif isinstance(v, float | np.floating):
                cells.append(f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def markdown_to_html(text: str) -> str:
    """HTML for the subset of Markdown report.md uses (headings, tables, bullets, images, bold, code)."""
    import re

    body: list[str] = []
    block = ""  # "table" or "ul" while one is open
    for line in text.splitlines():
        kind = "table" if line.startswith("|") else "ul" if line.startswith("- ") else ""
        if block and kind != block:
            body.append(f"</{block}>")
            block = ""
        if kind and not block:
            body.append(f"<{kind}>")
            block = kind
        esc = html.escape(line)
        esc = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", esc)
        esc = re.sub(r"`(.+?)`", r"<code>\1</code>", esc)
        if kind == "table":
            cells = [html.escape(c.strip()) for c in line.strip("|").split("|")]
            if set("".join(cells)) <= {"-"}:
                continue
            tag = "th" if body[-1] == "<table>" else "td"
            body.append("<tr>" + "".join(f"<{tag}>{c}</{tag}>" for c in cells) + "</tr>")
        elif m := re.match(r"!\[(.*?)\]\((.*?)\)", line):
            body.append(f'<figure><img src="{html.escape(m.group(2))}" alt="{html.escape(m.group(1))}"></figure>')
        elif line.startswith("# "):
            body.append(f"<h1>{esc[2:]}</h1>")
        elif line.startswith("## "):
            body.append(f"<h2>{esc[3:]}</h2>")
        elif kind == "ul":
            body.append(f"<li>{esc[2:]}</li>")
        elif line.strip():
            body.append(f"<p>{esc}</p>")
    if block:
        body.append(f"</{block}>")
    return "".join(body)
