"""Figures of the project appraisal (``grid-model projects``), drawn from its two tables only.

* :func:`fig_project_benefits`: net benefit per project and method (bars, M USD/yr) with the benefit–cost ratio
  written on each bar (projects.csv);
* :func:`fig_project_countries`: per project, the net benefit split by zone and account (stacked bars; gains
  above zero, losses below), for one method (projects_countries.csv).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from grid_model.figures.style import WIDTH_IN, _save, _stem, _styled

USD_PER_M = 1e6
ACCOUNT_LABELS = {
    "consumer_usd": "consumers",
    "producer_usd": "producers",
    "network_usd": "congestion rent − link cost",
    "fiscal_usd": "treasury",
}
METHOD_COLOURS = {"toot": "#1f77b4", "pint": "#ff7f0e"}


@_styled
def fig_project_benefits(projects: pd.DataFrame, out: str | Path) -> list[Path]:
    """Net benefit [M USD/yr] per project, one bar per method, B/C written above each bar."""
    names = list(dict.fromkeys(projects["project"]))
    methods = list(dict.fromkeys(projects["method"]))
    fig = Figure(figsize=(WIDTH_IN, 3.6), layout="constrained")
    ax = fig.add_subplot()
    width = 0.8 / max(len(methods), 1)
    x = np.arange(len(names))
    for i, method in enumerate(methods):
        rows = projects[projects["method"] == method].set_index("project").reindex(names)
        values = rows["net_benefit_usd"].to_numpy(dtype=float) / USD_PER_M
        bars = ax.bar(
            x + (i - (len(methods) - 1) / 2) * width,
            values,
            width,
            label=method.upper(),
            color=METHOD_COLOURS.get(method),
        )
        for bar, bc in zip(bars, rows["benefit_cost_ratio"], strict=True):
            if np.isfinite(bc):
                y = bar.get_height()
                ax.annotate(
                    f"{bc:.1f}",
                    (bar.get_x() + bar.get_width() / 2, y),
                    ha="center",
                    va="bottom" if y >= 0 else "top",
                    fontsize=7,
                )
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel("net benefit [M USD/yr]")
    horizon = ", ".join(dict.fromkeys(projects["horizon"].str.replace("_", " ")))
    ax.set_title(f"Net benefit per project ({horizon}); B/C above each bar", fontsize=9)
    ax.legend(fontsize=8)
    return _save(fig, _stem(out, "project_benefits"))


@_styled
def fig_project_countries(countries: pd.DataFrame, out: str | Path, method: str | None = None) -> list[Path]:
    """Stacked bars per project: each zone's gain in each account [M USD/yr] (gains up, losses down)."""
    method = method or str(countries["method"].iloc[0])
    df = countries[countries["method"] == method]
    names = list(dict.fromkeys(df["project"]))
    parts = df.melt(id_vars=["project", "zone"], value_vars=list(ACCOUNT_LABELS), var_name="account")
    parts["label"] = parts["zone"] + " " + parts["account"].map(ACCOUNT_LABELS)
    table = parts.pivot_table(index="project", columns="label", values="value", aggfunc="sum").reindex(names)
    table = table.loc[:, table.abs().max() > 1e-6 * max(float(table.abs().to_numpy().max()), 1.0)] / USD_PER_M
    fig = Figure(figsize=(WIDTH_IN, 4.6), layout="constrained")
    ax = fig.add_subplot()
    colours = _colours(list(table.columns))
    x = np.arange(len(names))
    up, down = np.zeros(len(names)), np.zeros(len(names))
    for col in table.columns:
        v = table[col].fillna(0.0).to_numpy()
        base = np.where(v >= 0, up, down)
        ax.bar(x, v, 0.6, bottom=base, label=col, color=colours[col])
        up, down = up + np.clip(v, 0, None), down + np.clip(v, None, 0)
    net = table.fillna(0.0).sum(axis=1).to_numpy()
    ax.scatter(x, net, color="black", marker="D", s=14, zorder=3, label="net benefit")
    ax.axhline(0, color="black", lw=0.6)
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel("gain [M USD/yr]")
    ax.set_title(f"Who gains: country split of each project ({method.upper()})", fontsize=9)
    fig.legend(fontsize=6, ncol=3, loc="outside lower center", frameon=False)
    return _save(fig, _stem(out, f"project_countries_{method}"))


def _colours(labels: list[str]) -> dict[str, tuple]:
    """One hue per zone, shades per account."""
    import matplotlib

    zones = list(dict.fromkeys(label.split(" ", 1)[0] for label in labels))
    cmap = matplotlib.colormaps["tab20"]
    out = {}
    for label in labels:
        zone, account = label.split(" ", 1)
        shade = list(ACCOUNT_LABELS.values()).index(account) / 4
        base = np.array(cmap((2 * zones.index(zone)) % 20))
        out[label] = (*np.clip(base[:3] * (1 - 0.5 * shade) + 0.5 * shade, 0, 1), 1.0)
    return out
