"""The architecture holds: no component declared twice, no import cycle, no import up the layers, short functions,
and features that own their outputs."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx
import numpy as np
import pyomo.environ as pyo
import pytest
from tiny import build, gen, tech, zones

from grid_model.model import ModelOptions, build_model
from grid_model.model.core import _no_component_replacement
from grid_model.model.features import FEATURES
from grid_model.pipeline import solve_dataset

PACKAGE = Path(__file__).resolve().parents[1] / "grid_model"
N_DAYS = 4380  # 2-hour typical "days": 4,380 × 2 h = 8,760 h


def _short_and_long_storage(tmp_path):
    """One zone, two typical 2-hour periods (each standing for half the year, 1-hour steps of weight 2,190 h).
    Demand 100 MW. A 10 USD/MWh source (200 MW) is available only in the first hour of each period, gas at 50 in
    the second. An expandable half-hour battery (50,000 USD/MW-yr: capex 50 USD/kW, 1-year life, no discounting)
    shifts energy from the first hour to the second (lossless); a 48-hour store (long: linked across periods) is too costly
    to use (vom 100 USD/MWh)."""
    tables = {
        "zones": zones("A"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("cheap", "bioenergy", vom_usd_per_mwh=10),
            tech("gas", "gas", vom_usd_per_mwh=50),
            tech("battery", "storage", capex_usd_per_kw=50, lifetime_yr=1),
            tech("long_store", "storage", vom_usd_per_mwh=100),
        ],
        "generators": [gen("cheap", "A", "cheap", 200, profile="first"), gen("gas", "A", "gas", 200)],
        "storage": [
            {
                "efficiency_charge_pu": 1.0,
                "efficiency_discharge_pu": 1.0,
                "storage": "bat",
                "zone": "A",
                "technology": "battery",
                "p_nom_mw": 0,
                "p_nom_max_mw": 1000,
                "max_hours": 0.5,
            },
            {"storage": "long", "zone": "A", "technology": "long_store", "p_nom_mw": 10, "max_hours": 48},
        ],
    }
    ds = build(
        tmp_path,
        tables,
        {"A": [100.0] * 4},
        availability_pu={"first": [1, 0, 1, 0]},
        weight_h=[2190.0] * 4,
        duration_h=[1.0] * 4,
        period=[0, 0, 1, 1],
    )
    ds.period_sequence = np.array([0] * (N_DAYS // 2) + [1] * (N_DAYS // 2))
    ds.period_h = 2
    return ds


def test_short_battery_keeps_its_energy_limit_beside_a_long_store_under_typical_periods(tmp_path):
    """The inter-period constraints of the 48-hour store once replaced the battery's energy limit (both were
    ``sto_level_max``), so the battery could store any energy per MW. With the limit, each MW moves 0.5 MWh from
    the first hour to the second: serving the 100 MW of the second hour takes 200 MW of battery.

    Objective by hand: the cheap source serves 100 MW of demand + 100 MW of charging in the first hour of both
    periods, 200 MW × 2 × 2,190 h × 10 USD/MWh = 8,760,000; gas serves nothing; the battery costs
    200 MW × 50,000 = 10,000,000. Total 18,760,000 USD/yr (without the limit: 100 MW, 13,760,000)."""
    ds = _short_and_long_storage(tmp_path)
    res = solve_dataset(ds, ModelOptions(discount_rate=0.0, tie_break_usd_per_mwh=0.0))
    cap = res.tables["capacity"].set_index("technology")
    assert cap.at["battery", "new_mw"] == pytest.approx(200.0, rel=1e-9)
    assert res.summary["objective_usd"] == pytest.approx(18_760_000.0, rel=1e-9)
    level = res.hourly["storage_level_mwh"]["bat"].to_numpy()
    assert level.max() == pytest.approx(100.0, rel=1e-9)  # h·x = 0.5 h × 200 MW


def test_both_storage_families_have_their_own_constraints(tmp_path):
    m, _ctx = build_model(_short_and_long_storage(tmp_path), ModelOptions(discount_rate=0.0))
    assert next(iter(m.sto_level_max.keys()))[0] == "bat"  # e ≤ h·(P0 + x), the short battery, every step
    assert len(m.sto_level_max) == 4
    assert {u for u, _d in m.sto_start_level_max.keys()} == {"long"}  # the store, every original period
    assert len(m.sto_start_level_max) == N_DAYS


def test_declaring_a_component_twice_is_an_error(tmp_path):
    m, ctx = build_model(_short_and_long_storage(tmp_path))
    with pytest.raises(RuntimeError, match="'sto_level_max' is declared twice"):
        ctx.declare("sto_level_max", pyo.Constraint(expr=m.sto_new_cap_mw["bat"] <= 1))


def test_replacing_a_component_by_assignment_during_a_build_is_an_error():
    m = pyo.ConcreteModel()
    m.x = pyo.Var()
    with _no_component_replacement(), pytest.raises(RuntimeError, match="replaced a component"):
        m.x = pyo.Var()
    m.y = pyo.Var()  # outside a build Pyomo's own behaviour is unchanged


def test_the_guard_works_when_pyomo_logging_is_silenced():
    """The CLI sets Pyomo's logger to CRITICAL; the guard must still see a replacement."""
    import logging

    pyomo_log = logging.getLogger("pyomo")
    before = pyomo_log.level
    pyomo_log.setLevel(logging.CRITICAL)
    try:
        m = pyo.ConcreteModel()
        m.x = pyo.Var()
        with _no_component_replacement(), pytest.raises(RuntimeError, match="replaced a component"):
            m.x = pyo.Var()
        assert logging.getLogger("pyomo.core").getEffectiveLevel() == logging.CRITICAL  # restored
    finally:
        pyomo_log.setLevel(before)


# ---------------------------------------------------------------------------------------------
# Imports: no cycle, nothing imports a layer above it

# Layers from the bottom; a module may import its own layer or any below it. Report-side modules (figures,
# calibration) sit high but may only read results and data: REPORT_MAY_NOT_IMPORT.
LAYERS: list[tuple[str, ...]] = [
    (
        "errors",
        "units",
        "schema",
        "options",
        "timeindex",
        "pyomo_speed",
        "_sparse",
        "locking",
        "results",
        "inflow_library",
        "outputs",
        "markdown",
    ),
    ("dataset",),
    ("timeseries", "scenario", "scenario_doc", "stochastic"),
    ("compiler",),
    ("solve",),
    ("model",),
    ("diagnose",),
    ("session", "pathway"),
    ("pipeline",),
    (
        "compare",
        "pathway_compare",
        "sweep",
        "projects",
        "export",
        "stochastic_value",
        "figures",
        "report_html",
        "calibration",
        "example",
        "datagen",
        "docs_gen",
    ),
    ("cli", "__main__", ""),
]
REPORT = ("figures", "report_html", "calibration")
REPORT_MAY_NOT_IMPORT = ("model", "solve", "session", "pipeline", "compiler", "diagnose")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    rel = Path(*name.split("."))
    return (PACKAGE.parent / rel).with_suffix(".py").exists() or (PACKAGE.parent / rel / "__init__.py").exists()


def _imports(path: Path) -> set[str]:
    """Every grid_model module ``path`` imports, at module level or inside functions (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text())
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for child in node.body for n in ast.walk(child)}
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("grid_model")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grid_model"):
            for a in node.names:
                sub = f"{node.module}.{a.name}"
                out.add(sub if _is_module(sub) else node.module)
    return out


def _graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for path in PACKAGE.rglob("*.py"):
        src = _module_name(path)
        g.add_node(src)
        for dst in _imports(path):
            if dst != src:
                g.add_edge(src, dst)
    return g


def _layer(module: str) -> int:
    top = module.split(".")[1] if "." in module else ""
    for i, names in enumerate(LAYERS):
        if top in names:
            return i
    raise AssertionError(f"{module} is in no layer: add it to LAYERS")


def test_no_import_cycle():
    cycles = [sorted(c) for c in nx.strongly_connected_components(_graph()) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_no_module_imports_a_layer_above_it():
    g = _graph()
    up = [(a, b) for a, b in g.edges if _layer(b) > _layer(a)]
    assert not up, f"imports up the layers: {up}"
    report = [
        (a, b)
        for a, b in g.edges
        if a.split(".")[1:2]
        and a.split(".")[1] in REPORT
        and b.split(".")[1:2]
        and b.split(".")[1] in REPORT_MAY_NOT_IMPORT
    ]
    assert not report, f"report modules that import the model side: {report}"


def test_the_graph_sees_imports_inside_functions():
    assert "grid_model.diagnose" in _imports(PACKAGE / "session.py")  # imported inside run_explained


# ---------------------------------------------------------------------------------------------
# Small functions; features own their outputs

MAX_FUNCTION_LINES = 80
DATA_TABLES = {"grid_model/example.py:example_tables"}  # pure data: the example dataset written out


def test_no_function_is_longer_than_80_lines():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                where = f"{path.relative_to(PACKAGE.parent)}:{node.name}"
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES and where not in DATA_TABLES:
                    long.append(f"{where} ({n} lines)")
    assert not long, long


def test_every_feature_has_the_one_face():
    for feature in FEATURES:
        assert callable(feature.add) and callable(feature.report), feature.__name__


def test_nothing_rides_on_private_model_attributes(tmp_path):
    m, _ctx = build_model(_short_and_long_storage(tmp_path))
    private = [k for k in vars(m) if k.startswith("_") and not k.startswith("_" + type(m).__name__)]
    pyomo_own = set(vars(pyo.ConcreteModel()))
    assert set(private) <= pyomo_own, set(private) - pyomo_own
