"""Project appraisal (grid_model.projects): hand-solved TOOT/PINT values and country split, the welfare identity on
random networks (hypothesis), warm = cold on the example dataset, and the input errors."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny import build, gen, tech, zones
from typer.testing import CliRunner

from grid_model.cli import app
from grid_model.errors import InputError
from grid_model.projects import run_projects, value_projects
from grid_model.scenario import Scenario
from grid_model.session import SolveSession

H = 8760.0
REL = 1e-9
ACC = ["consumer_usd", "producer_usd", "network_usd", "fiscal_usd"]


def _link(name, a, b, status, p_nom, project_mw, capex, loss=0.0):
    return {
        "link": name,
        "zone_from": a,
        "zone_to": b,
        "kind": "AC",
        "status": status,
        "p_nom_mw": p_nom,
        "project_mw": project_mw,
        "length_km": 100,
        "loss_pu": loss,
        "capex_usd_per_mw": capex,
        "fom_pct_per_yr": 0.0,
        "lifetime_yr": 1.0,
    }


def three_zones(tmp: Path, l2_mw: float = 60.0):
    """A: unlimited @10, demand 10. B: @50, demand 80. C: 140 MW @30, demand 100. Existing B–C 50 MW.
    Candidates L1 = A–B 60 MW (capex 100,000 USD/MW), L2 = A–C 60 MW (50,000). r = 0, 1-year life, no O&M:
    the annual cost is the capex (L1 6 M, L2 3 M USD/yr). No losses, no tie-break."""
    tables = {
        "zones": zones("A", "B", "C"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [
            tech("cheap", "nuclear", vom_usd_per_mwh=10),
            tech("mid", "bioenergy", vom_usd_per_mwh=30),
            tech("dear", "oil", vom_usd_per_mwh=50),
        ],
        "generators": [gen("gA", "A", "cheap", 1000), gen("gB", "B", "dear", 1000), gen("gC", "C", "mid", 140)],
        "links": [
            _link("B-C", "B", "C", "existing", 50, 0, 0),
            _link("L1", "A", "B", "candidate", 0, 60, 100_000),
            _link("L2", "A", "C", "candidate", 0, l2_mw, 50_000),
        ],
    }
    ds = build(tmp, tables, {"A": [10.0] * 2, "B": [80.0] * 2, "C": [100.0] * 2})
    return Scenario(name="three", dataset=str(ds.path), tie_break_usd_per_mwh=0.0, discount_rate=0.0)


# Hand solution, USD/h (×8,760 per year). Cases by the projects in:
#   none:  A 10 @10; C 140 (full) @30, exports 40 to B; B 40 @50.   cost 6,300; prices A 10, B 50, C 50
#   L1:    A 70 (60 to B); B gets 20 from C; C 120.                 cost 4,300; prices A 10, B 30, C 30
#   L2:    A 70 (60 to C); C 90, exports 50 (B–C full); B 30 @50.   cost 4,900; prices A 10, B 50, C 30
#   both:  A 130; B 60 via L1 + 20 from C; C 60.                    cost 3,100; prices A 10, B 30, C 30
# Net benefit = Δ operating cost·8,760 − annual cost:
#   PINT L1 (6,300 − 4,300) → 17.52 M − 6 M = 11.52 M;  TOOT L1 (4,900 − 3,100) → 15.768 M − 6 M = 9.768 M
#   PINT L2 (6,300 − 4,900) → 12.264 M − 3 M = 9.264 M;  TOOT L2 (4,300 − 3,100) → 10.512 M − 3 M = 7.512 M
# Accounts per case (annual): consumers −Σ π·D; producers: only C in 'none' earns (50 − 30)·140 = 2,800/h;
# network: L1 and L2 each earn 60·(30 − 10) = 1,200/h when in (halves net of cost: L1 2.256 M, L2 3.756 M per end);
# B–C earns 50·(50 − 30) = 1,000/h in 'L2' only (4.38 M per end), 40·0 in 'none', 20·0 otherwise.
M = 1e6
EXPECTED_NET = {
    ("L1", "pint"): 11.52 * M,
    ("L1", "toot"): 9.768 * M,
    ("L2", "pint"): 9.264 * M,
    ("L2", "toot"): 7.512 * M,
}
EXPECTED_SPLIT = {  # (project, method) -> zone -> (consumer, producer, network, fiscal)
    ("L1", "pint"): {"A": (0, 0, 2.256 * M, 0), "B": (1600 * H, 0, 2.256 * M, 0), "C": (2000 * H, -2800 * H, 0, 0)},
    ("L1", "toot"): {"A": (0, 0, 2.256 * M, 0), "B": (1600 * H, 0, -2.124 * M, 0), "C": (0, 0, -4.38 * M, 0)},
    ("L2", "pint"): {"A": (0, 0, 3.756 * M, 0), "B": (0, 0, 4.38 * M, 0), "C": (2000 * H, -2800 * H, 8.136 * M, 0)},
    ("L2", "toot"): {"A": (0, 0, 3.756 * M, 0), "B": (0, 0, 0, 0), "C": (0, 0, 3.756 * M, 0)},
}


def _approx(x):
    return pytest.approx(x, rel=REL, abs=1e-3)


def test_hand_solved_three_zones(tmp_path):
    session = SolveSession()
    table, countries, solves = value_projects(three_zones(tmp_path), session)
    assert solves == 4  # both, L2 only, L1 only, none: each once, on one structure
    assert [r["mode"] for r in session.timings["runs"]] == ["cold", "warm", "warm", "warm"]
    rows = table.set_index(["project", "method"])
    for key, net in EXPECTED_NET.items():
        cost = 6 * M if key[0] == "L1" else 3 * M
        assert rows.at[key, "net_benefit_usd"] == _approx(net)
        assert rows.at[key, "annual_cost_usd"] == _approx(cost)
        assert rows.at[key, "benefit_cost_ratio"] == _approx((net + cost) / cost)
        assert rows.at[key, "break_even_capex_usd_per_mw"] == _approx((net + cost) / 60)  # CRF = 1 with r = 0, n = 1
        assert rows.at[key, "utilisation"] == _approx(1.0)
        assert rows.at[key, "congestion_rent_usd"] == _approx(1200 * H)
    split = countries.set_index(["project", "method", "zone"])
    for (project, method), by_zone in EXPECTED_SPLIT.items():
        for zone, values in by_zone.items():
            got = split.loc[(project, method, zone), ACC].to_numpy(dtype=float)
            assert list(got) == [_approx(v) for v in values], (project, method, zone)


def test_single_project_toot_equals_pint_and_unused_project_is_worth_nothing(tmp_path):
    table, countries, _ = value_projects(three_zones(tmp_path / "a", l2_mw=0.0), SolveSession())
    rows = table.set_index("method")
    assert rows.at["toot", "net_benefit_usd"] == rows.at["pint", "net_benefit_usd"] == _approx(11.52 * M)
    assert (
        countries[countries["method"] == "toot"][ACC].to_numpy()
        == countries[countries["method"] == "pint"][ACC].to_numpy()
    ).all()
    # an unused project: two zones with the same cheap plant and a lossy candidate link between them
    tables = {
        "zones": zones("A", "B"),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": 0.0, "co2_t_per_mwh_th": 0.0}],
        "technologies": [tech("cheap", "nuclear", vom_usd_per_mwh=10)],
        "generators": [gen("gA", "A", "cheap", 1000), gen("gB", "B", "cheap", 1000)],
        "links": [_link("AB", "A", "B", "candidate", 0, 100, 0.0, loss=0.05)],
    }
    ds = build(tmp_path / "b", tables, {"A": [50.0, 60.0], "B": [70.0, 40.0]})
    sc = Scenario(name="idle", dataset=str(ds.path), tie_break_usd_per_mwh=0.0, discount_rate=0.0)
    table, countries, _ = value_projects(sc, SolveSession())
    assert table["net_benefit_usd"].abs().max() < 1e-6
    assert table["benefit_usd"].abs().max() < 1e-6
    assert table["flow_forward_twh"].abs().max() + table["flow_backward_twh"].abs().max() < 1e-12
    assert countries[ACC].abs().to_numpy().max() < 1e-6


@st.composite
def networks(draw):
    """2–3 zones, one or two generators each (one may expand), one or two candidate links, an optional existing
    link, optional fuel and electricity subsidies; 3 steps."""
    n = draw(st.integers(2, 3))
    names = ["A", "B", "C"][:n]
    dec = lambda lo, hi: st.integers(lo * 10, hi * 10).map(lambda v: v / 10)  # noqa: E731
    techs = [
        tech("base", "nuclear", vom_usd_per_mwh=draw(dec(5, 20))),
        tech("gas", "gas", fuel="gas", efficiency_pu=0.5, vom_usd_per_mwh=2, capex_usd_per_kw=draw(dec(300, 900)),
             lifetime_yr=20, fom_usd_per_kw_yr=draw(dec(0, 20))),
    ]  # fmt: skip
    gens = []
    for z in names:
        gens.append(gen(f"{z}-base", z, "base", draw(dec(10, 80))))
        gens.append(gen(f"{z}-gas", z, "gas", draw(dec(0, 50)), p_nom_max_mw=draw(st.sampled_from([None, 300.0]))))
    pairs = [(a, b) for i, a in enumerate(names) for b in names[i + 1 :]]
    k = draw(st.integers(1, min(2, len(pairs))))
    links = [
        _link(f"{a}{b}", a, b, "candidate", 0, draw(dec(5, 60)), draw(dec(0, 300)) * 1000, draw(dec(0, 0.1)))
        for a, b in pairs[:k]
    ]
    if draw(st.booleans()):
        a, b = pairs[-1]
        links.append(_link(f"{a}{b}-x", a, b, "existing", draw(dec(5, 40)), 0, 0, 0.02))
    tables = {
        "zones": zones(*names, voll=draw(st.sampled_from([500.0, 3000.0]))),
        "fuels": [{"fuel": "gas", "price_usd_per_mwh_th": draw(dec(10, 40)), "co2_t_per_mwh_th": 0.2}],
        "technologies": techs,
        "generators": gens,
        "links": links,
    }
    if draw(st.booleans()):
        tables["fuel_subsidies"] = [{"zone": names[0], "fuel": "gas", "subsidy_usd_per_mwh_th": draw(dec(0, 8))}]
    if draw(st.booleans()):
        tables["electricity_subsidies"] = [
            {"zone": names[-1], "tariff_usd_per_mwh": 80.0, "subsidy_usd_per_mwh": draw(dec(0, 30)), "elasticity": -0.2}
        ]
    demand = {z: [draw(dec(5, 120)) for _ in range(3)] for z in names}
    return tables, demand, draw(st.booleans())


# GRID_MODEL_PROJECT_EXAMPLES=20 for a deeper search; 8 keeps the file under a minute on the 2-core machine.
@settings(
    max_examples=int(os.environ.get("GRID_MODEL_PROJECT_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(networks())
def test_country_split_sums_to_the_system_benefit(net):
    tables, demand, short_run = net
    with tempfile.TemporaryDirectory() as tmp:
        ds = build(Path(tmp), tables, demand)
        sc = Scenario(name="random", dataset=str(ds.path), discount_rate=0.05)
        table, countries, _ = value_projects(sc, SolveSession(), short_run=short_run)
    scale = table[["system_cost_with_usd", "system_cost_without_usd"]].abs().max(axis=1)
    for row in table.itertuples():
        mine = countries[(countries["project"] == row.project) & (countries["method"] == row.method)]
        total = float(mine[ACC].to_numpy().sum())
        assert total == pytest.approx(row.net_benefit_usd, rel=1e-6, abs=1e-9 * scale[row.Index])
        assert mine["total_usd"].sum() == pytest.approx(total, rel=1e-12, abs=1e-6)


def test_warm_equals_cold_on_the_example(tmp_path):
    paths = [Path("scenarios/example/interconnect.yaml")]
    warm, warm_c, _ = run_projects(paths, tmp_path / "warm", figures=False, xlsx=True)
    cold, cold_c, _ = run_projects(paths, tmp_path / "cold", figures=False, warm=False)
    numeric = warm.select_dtypes("number").columns
    pd.testing.assert_frame_equal(warm[numeric], cold[numeric], rtol=1e-6, atol=1e-3)
    pd.testing.assert_frame_equal(warm_c[ACC], cold_c[ACC], rtol=1e-6, atol=1e-3)
    timings = pd.read_json(tmp_path / "warm" / "timings.json", typ="series")
    assert [r["mode"] for r in timings["runs"]][1:] == ["warm"] * (len(timings["runs"]) - 1)
    assert {"projects.csv", "projects_countries.csv", "report.md", "report.html", "projects.xlsx"} <= {
        p.name for p in (tmp_path / "warm").iterdir()
    }
    sheets = pd.read_excel(tmp_path / "warm" / "projects.xlsx", sheet_name=None, skiprows=[1])
    for name in ("projects", "projects_countries"):  # the workbook holds the CSVs (10 significant digits)
        csv = pd.read_csv(tmp_path / "warm" / f"{name}.csv")
        numeric = csv.select_dtypes("number").columns
        pd.testing.assert_frame_equal(sheets[name][numeric], csv[numeric], rtol=1e-9, check_dtype=False)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("NO-SUCH", r"links\.csv, column link: project 'NO-SUCH' is not a link in links\.csv"),
        ("XB-XC", r"links\.csv, row 2 \(XB-XC\), column status: 'XB-XC' is an existing link"),
    ],
)
def test_bad_project_names_are_one_line_errors(tmp_path, name, message):
    with pytest.raises(InputError, match=message):
        run_projects([Path("scenarios/example/interconnect.yaml")], tmp_path / "out", only=[name])
    assert not (tmp_path / "out").exists()


def test_project_without_capacity_exits_2_and_writes_nothing(tmp_path):
    sc_file = tmp_path / "three.yaml"
    ds_dir = Path(three_zones(tmp_path, l2_mw=0.0).dataset)
    sc_file.write_text(f"name: three\ndataset: {ds_dir}\ntie_break_usd_per_mwh: 0\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["projects", str(sc_file), "--project", "L2", "--out", str(out)])
    assert result.exit_code == 2
    assert "row 3 (L2), column project_mw: project 'L2' has no planned capacity" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not out.exists()
