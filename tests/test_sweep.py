"""Parameter sweeps on the example system: a 4×4 grid on a local cluster, failed members, sampling, bad files.

One test starts its own ``LocalCluster`` through :func:`run_sweep` (the default path); the others share one
module-scoped cluster through ``scheduler=ADDRESS`` (the ``--scheduler`` path), which keeps the file fast.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grid_model import sweep
from grid_model.errors import GridModelError, InputError
from grid_model.scenario import load_scenario
from grid_model.session import SolveSession
from grid_model.sweep import expand_members, load_sweep, member_name, run_sweep

BASE = Path("scenarios/example/base.yaml").resolve()
GAS = "{table: fuels, id: gas, column: price_usd_per_mwh_th}"
GAS_SCALES = (0.5, 1.0, 1.5, 2.0)
CARBON = (0, 25, 50, 100)
TOL = 1e-6


def spec_file(folder: Path, body: str, name: str = "sweep.yaml") -> Path:
    path = folder / name
    path.write_text(f"base: {BASE}\n{body}", encoding="utf-8")
    return path


def leftovers(folder: Path) -> list[str]:
    """Temporary folders a sweep left behind."""
    return [p.name for p in folder.iterdir() if ".tmp-" in p.name]


# ---------------------------------------------------------------------------------------------
# 4 gas prices × 4 carbon prices on run_sweep's own LocalCluster


@pytest.fixture(scope="module")
def grid(tmp_path_factory) -> tuple[Path, pd.DataFrame, list[tuple[int, int, str]]]:
    tmp = tmp_path_factory.mktemp("grid")
    spec = spec_file(
        tmp,
        f"""mode: grid
parameters:
  - name: gas_price_multiplier
    override: {GAS}
    scale: {list(GAS_SCALES)}
  - name: carbon_price
    key: policy.carbon_price_usd_per_t
    values: {list(CARBON)}
""",
    )
    calls: list[tuple[int, int, str]] = []
    df = run_sweep(spec, tmp / "out", n_workers=2, progress=lambda d, n, m: calls.append((d, n, m)))
    return tmp, df, calls


def test_grid_sweep_every_member_ok_and_written(grid):
    tmp, df, calls = grid
    out = tmp / "out"
    assert len(df) == 16
    assert (df["status"] == "ok").all(), df.loc[df["status"] != "ok", ["member", "error"]]
    assert (df["error"] == "").all()
    assert df["member"].iloc[0] == "base__gas_price_multiplier=0.5__carbon_price=0"
    assert df["member"].is_unique
    assert list(df.columns[:5]) == ["member", "gas_price_multiplier", "carbon_price", "status", "error"]
    assert np.isfinite(df[list(sweep.SUMMARY_COLUMNS)].to_numpy(dtype=float)).all()
    # the table on disk is the table returned; no member folders unless asked; nothing left over
    on_disk = pd.read_csv(out / "sweep.csv", keep_default_na=False, na_values=[""])
    assert on_disk["member"].tolist() == df["member"].tolist()
    assert on_disk["objective_usd"].to_numpy() == pytest.approx(df["objective_usd"].to_numpy(), rel=1e-9)
    assert sorted(p.name for p in out.iterdir()) == ["sweep.csv", "sweep.yaml", "timings.json"]
    assert (out / "sweep.yaml").read_text() == (tmp / "sweep.yaml").read_text()
    assert json.loads((out / "timings.json").read_text())["n_ok"] == 16
    assert leftovers(tmp) == []
    # progress: announced with 0 done, then once per member, ending at 16/16
    assert calls[0][:2] == (0, 16)
    assert [c[0] for c in calls[1:]] == list(range(1, 17))
    assert {c[1] for c in calls} == {16}


def test_grid_sweep_is_monotone_where_theory_says_so(grid):
    _, df, _ = grid
    table = df.set_index(["gas_price_multiplier", "carbon_price"]).sort_index()
    for gas in GAS_SCALES:
        co2 = table.loc[gas, "co2_mt"].reindex(CARBON).to_numpy()
        obj = table.loc[gas, "objective_usd"].reindex(CARBON).to_numpy()
        # a higher carbon price never raises CO2 (min (c + λe)·x: (λ₂−λ₁)(e·x₂ − e·x₁) ≤ 0) ...
        assert np.all(np.diff(co2) <= TOL * np.maximum(1.0, co2[1:])), (gas, co2)
        # ... and, costs only rising, never lowers the optimal cost
        assert np.all(np.diff(obj) >= -TOL * obj[1:]), (gas, obj)
    for carbon in CARBON:
        obj = table.xs(carbon, level="carbon_price")["objective_usd"].reindex(GAS_SCALES).to_numpy()
        assert np.all(np.diff(obj) >= -TOL * obj[1:]), (carbon, obj)


def test_grid_members_re_solve_warm_and_match_a_direct_solve(grid):
    _, df, _ = grid
    modes = df["solve_mode"].value_counts().to_dict()
    # one LP structure: at most one cold load per worker, the rest warm
    assert modes.get("cold", 0) <= 2 and modes.get("warm", 0) >= 14, modes
    base = load_scenario(BASE)
    direct = SolveSession(warm=False).solve(
        base.model_copy(update={"policy": base.policy.model_copy(update={"carbon_price_usd_per_t": 25.0})})
    )
    row = df.set_index("member").loc["base__gas_price_multiplier=1__carbon_price=25"]
    for key in ("objective_usd", "system_cost_usd", "subsidy_cost_usd", "demand_twh"):
        assert row[key] == pytest.approx(direct.summary[key], rel=1e-7), key


# ---------------------------------------------------------------------------------------------
# failed members are rows, not errors


def test_failed_members_are_reported_and_the_rest_run(tmp_path, scheduler):
    spec = spec_file(
        tmp_path,
        """parameters:
  - {name: hydrology, key: hydrology, values: [average, 2023, dry]}
  - {name: carbon_price, key: policy.carbon_price_usd_per_t, values: [10, -5]}
""",
    )
    df = run_sweep(spec, tmp_path / "out", scheduler=scheduler, write_members=True).set_index("member")
    assert len(df) == 6
    ok = df[df["status"] == "ok"]
    # 2023 written without quotes is the hydrology "2023"
    assert sorted(ok.index) == ["base__hydrology=2023__carbon_price=10", "base__hydrology=average__carbon_price=10"]
    assert (ok["error"] == "").all() and ok["objective_usd"].notna().all()
    assert ok.at["base__hydrology=2023__carbon_price=10", "objective_usd"] != pytest.approx(
        ok.at["base__hydrology=average__carbon_price=10", "objective_usd"], rel=1e-9
    )
    dry = df.loc["base__hydrology=dry__carbon_price=10"]
    assert dry["status"] == "failed"
    assert "hydrology 'dry' not found" in dry["error"] and "inflow_mw_dry.csv" in dry["error"]
    assert np.isnan(dry["objective_usd"])
    for hydro in ("average", "2023", "dry"):  # caught before solving: a negative carbon price
        row = df.loc[f"base__hydrology={hydro}__carbon_price=-5"]
        assert row["status"] == "failed"
        assert "sweep.yaml" in row["error"] and "policy.carbon_price_usd_per_t" in row["error"]
    assert all("\n" not in e for e in df["error"])
    assert sorted(p.name for p in (tmp_path / "out" / "members").iterdir()) == sorted(ok.index)
    for name in ok.index:  # each solved member's results folder, as `grid-model run` writes it
        folder = tmp_path / "out" / "members" / name
        assert json.loads((folder / "summary.json").read_text())["objective_usd"] == pytest.approx(
            ok.at[name, "objective_usd"], rel=1e-9
        )
        assert (folder / "scenario.yaml").exists() and (folder / "generation.csv").exists()
    written = pd.read_csv(tmp_path / "out" / "sweep.csv", keep_default_na=False, na_values=[""])
    assert (written["status"] == "failed").sum() == 4


def test_bad_override_id_fails_its_members_with_the_parameter_named(tmp_path, scheduler):
    spec = spec_file(
        tmp_path,
        """parameters:
  - {name: oil_price, override: {table: fuels, id: diesel, column: price_usd_per_mwh_th}, values: [40]}
  - {name: carbon_price, key: policy.carbon_price_usd_per_t, values: [0, 10]}
""",
    )
    df = run_sweep(spec, tmp_path / "out", scheduler=scheduler, warm=False)
    assert (df["status"] == "failed").all()
    for err in df["error"]:
        assert "no row 'diesel' in fuels.csv" in err and "sweep parameter 'oil_price'" in err
    assert (tmp_path / "out" / "sweep.csv").exists()


# ---------------------------------------------------------------------------------------------
# sample mode


def sample_spec(seed: int) -> str:
    return f"""mode: sample
samples: 4
seed: {seed}
parameters:
  - {{name: gas_price_multiplier, override: {GAS}, scale_range: [0.5, 2.0]}}
  - {{name: carbon_price, key: policy.carbon_price_usd_per_t, range: [0, 100]}}
  - {{name: hydrology, key: hydrology, values: ["2023", average]}}
  - {{name: link_cost, key: links.cost_multiplier, range: [0.8, 1.5]}}
"""


def test_sample_members_are_seeded_latin_hypercube(tmp_path):
    a = expand_members(spec_file(tmp_path, sample_spec(3), "a.yaml"))[2]
    b = expand_members(spec_file(tmp_path, sample_spec(3), "b.yaml"))[2]
    c = expand_members(spec_file(tmp_path, sample_spec(4), "c.yaml"))[2]
    assert [m.name for m in a] == [m.name for m in b]
    assert [m.values for m in a] == [m.values for m in b]
    assert [m.values for m in a] != [m.values for m in c]
    for name, (lo, hi) in (("gas_price_multiplier", (0.5, 2.0)), ("carbon_price", (0, 100)), ("link_cost", (0.8, 1.5))):
        x = np.array([m.values[name] for m in a])
        strata = np.floor((x - lo) / (hi - lo) * len(a)).astype(int)
        assert sorted(strata) == list(range(len(a))), name  # one draw per stratum
    assert sorted(m.values["hydrology"] for m in a) == ["2023"] * 2 + ["average"] * 2
    m = a[0]
    assert m.scenario is not None
    assert m.scenario.overrides[-1].scale == m.values["gas_price_multiplier"]
    assert m.scenario.policy.carbon_price_usd_per_t == m.values["carbon_price"]
    assert m.scenario.links.cost_multiplier == m.values["link_cost"]


def test_sample_sweep_is_reproducible(tmp_path, scheduler):
    spec = spec_file(tmp_path, sample_spec(11))
    first = run_sweep(spec, tmp_path / "one", scheduler=scheduler)
    again = run_sweep(spec, tmp_path / "two", scheduler=scheduler, warm=False)  # and warm = cold
    assert (first["status"] == "ok").all(), first["error"].tolist()
    cols = ["member", "gas_price_multiplier", "carbon_price", "hydrology", "link_cost", "status"]
    pd.testing.assert_frame_equal(first[cols], again[cols])
    for key in ("objective_usd", "system_cost_usd", "demand_twh"):
        assert first[key].to_numpy() == pytest.approx(again[key].to_numpy(), rel=1e-7), key
    assert (again["solve_mode"] == "cold").all()


# ---------------------------------------------------------------------------------------------
# bad sweep files: one line naming the file and key, nothing written

GOOD_PARAM = "parameters:\n  - {name: c, key: policy.carbon_price_usd_per_t, values: [0]}\n"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("modes: grid\n" + GOOD_PARAM, "key 'modes': unknown key"),
        ("mode: grid\n", "key 'parameters': required key is missing"),
        ("parameters: []\n", "key 'parameters'"),
        (
            "parameters:\n  - {name: c, key: policy.carbon_price_usd_per_t, valuez: [0]}\n",
            "key 'parameters.0.valuez': unknown key",
        ),
        (
            "parameters:\n  - {name: c, key: policy.carbon_price_usd_per_t, values: [0], scale: [1]}\n",
            "exactly one of 'values', 'scale', 'range' or 'scale_range' (got values, scale)",
        ),
        ("parameters:\n  - {name: c, values: [0]}\n", "exactly one of 'key'"),
        (
            "parameters:\n  - {name: c, key: policy.carbon_prize, values: [0]}\n",
            "key 'parameters.0.key': 'carbon_prize' is not a key of policy",
        ),
        ("parameters:\n  - {name: c, key: hydrology.wet, values: [0]}\n", "'hydrology' has no sub-keys"),
        (
            "parameters:\n  - {name: c, key: year, values: [[2030]]}\n",
            "key 'parameters.0.values.0': must be a number, a string or true/false",
        ),
        ("parameters:\n  - {name: n, key: name, values: [x]}\n", "'name' cannot be swept"),
        ("parameters:\n  - {name: status, key: year, values: [2030]}\n", "'status' is a column of sweep.csv"),
        ("parameters:\n  - {name: 'a b', key: year, values: [2030]}\n", "key 'parameters.0.name'"),
        ("parameters:\n  - {name: c, key: policy.carbon_price_usd_per_t, range: [0, 10]}\n", "need mode: sample"),
        ("parameters:\n  - {name: c, key: policy.carbon_price_usd_per_t, range: [10, 0]}\n", "finite lo ≤ hi"),
        ("mode: sample\n" + GOOD_PARAM, "mode: sample needs 'samples: N'"),
        (
            "parameters:\n"
            + "".join(f"  - {{name: p{i}, key: solver.o{i}, values: {list(range(10))}}}\n" for i in range(6)),
            "the grid has more than 100,000 members",
        ),
        ("samples: 4\n" + GOOD_PARAM, "'samples' is for mode: sample"),
        ("mode: random\n" + GOOD_PARAM, "key 'mode'"),
        (GOOD_PARAM + "  - {name: c, key: year, values: [2030]}\n", "parameter names must be unique (repeated: c)"),
        (
            GOOD_PARAM + "  - {name: d, key: policy.carbon_price_usd_per_t, values: [1]}\n",
            "two parameters change the same",
        ),
        (
            "parameters:\n  - {name: g, override: {table: fuel, id: gas, column: price_usd_per_mwh_th}, values: [1]}\n",
            "unknown table 'fuel'",
        ),
        (
            "parameters:\n  - {name: g, override: {table: fuels, id: gas, column: price}, values: [1]}\n",
            "'price' is not a settable column of fuels.csv",
        ),
        ("parameters: [\n", "invalid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
    ],
)
def test_bad_sweep_file_is_one_line_naming_file_and_key(tmp_path, body, expected):
    path = tmp_path / "sweep.yaml"
    path.write_text(body if body.startswith("-") else f"base: {BASE}\n{body}")
    with pytest.raises(InputError) as info:
        load_sweep(path)
    msg = str(info.value)
    assert expected in msg
    assert msg.startswith(str(path)) and "\n" not in msg


def test_missing_files_and_nothing_written(tmp_path):
    with pytest.raises(InputError, match=r"sweep\.yaml: sweep file not found"):
        load_sweep(tmp_path / "sweep.yaml")
    (tmp_path / "empty.yaml").write_text("")
    with pytest.raises(InputError, match="sweep file is empty"):
        load_sweep(tmp_path / "empty.yaml")
    spec = tmp_path / "sweep.yaml"
    spec.write_text("base: nowhere/base.yaml\n" + GOOD_PARAM)
    with pytest.raises(InputError, match=r"nowhere/base\.yaml: scenario file not found") as info:
        run_sweep(spec, tmp_path / "out")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []


def docstring_specs() -> list[str]:
    """The example sweep files of the module docstring (indented blocks after ``::`` that have parameters)."""
    lines = (sweep.__doc__ or "").splitlines()
    blocks = []
    for i, line in enumerate(lines):
        if line.endswith("::"):
            body = []
            for text in lines[i + 2 :]:
                if not text.startswith("    "):
                    break
                body.append(text[4:])
            blocks.append("\n".join(body) + "\n")
    return [b for b in blocks if "parameters:" in b]


def test_docstring_examples_are_valid_sweeps(tmp_path):
    # laid out like the repository: <root>/sweeps/example_sweep.yaml next to <root>/example/base.yaml
    (tmp_path / "example").mkdir()
    (tmp_path / "example" / "base.yaml").write_text(f"extends: {BASE}\n")
    (tmp_path / "sweeps").mkdir()
    grid_text, sample_text = docstring_specs()
    sizes = []
    for i, text in enumerate((grid_text, sample_text)):
        path = tmp_path / "sweeps" / f"example_{i}.yaml"
        path.write_text(text)
        spec, base, members = expand_members(path)
        assert base.name == "base" and base.dataset_path() == load_scenario(BASE).dataset_path()
        assert all(m.scenario is not None for m in members), [m.error for m in members if m.error]
        sizes.append(len(members))
        assert spec.size() == len(members)
    assert sizes == [16, 20]


def test_member_names_are_filesystem_safe():
    assert (
        member_name("base", {"gas": 1.0, "carbon": 25, "hydro": "2023", "fuel": False})
        == "base__gas=1__carbon=25__hydro=2023__fuel=false"
    )
    assert member_name("base", {"x": "a/b c:d", "y": 1 / 3}) == "base__x=a_b_c_d__y=0.333333"
    long = member_name("base", {f"p{i}": "v" * 20 for i in range(20)})
    assert len(long) <= sweep.MAX_NAME_CHARS and long != member_name("base", {f"p{i}": "w" * 20 for i in range(20)})


# ---------------------------------------------------------------------------------------------
# interruption and an unreachable scheduler


def test_interrupt_leaves_no_folder_and_no_tasks(tmp_path, scheduler):
    from distributed import Client

    spec = spec_file(
        tmp_path, f"parameters:\n  - {{name: c, key: policy.carbon_price_usd_per_t, values: {list(range(8))}}}\n"
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "previous.txt").write_text("kept")

    def interrupt(done: int, total: int, message: str) -> None:
        if done == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, scheduler=scheduler, progress=interrupt)
    assert [p.name for p in out.iterdir()] == ["previous.txt"]  # the old folder is untouched
    assert leftovers(tmp_path) == []
    with Client(scheduler) as client:  # the sweep's tasks were cancelled with its client
        deadline = time.monotonic() + 10
        while client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks)) == 0


def test_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    import socket

    monkeypatch.setattr(sweep, "CONNECT_TIMEOUT", "1s")
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    spec = spec_file(tmp_path, GOOD_PARAM)
    with pytest.raises(GridModelError, match=f"cannot connect to the dask scheduler at tcp://127.0.0.1:{port}") as info:
        run_sweep(spec, tmp_path / "out", scheduler=f"tcp://127.0.0.1:{port}")
    assert "\n" not in str(info.value)
    assert not (tmp_path / "out").exists() and leftovers(tmp_path) == []


@pytest.mark.parametrize("spec_file", sorted(Path("scenarios/sweeps").glob("*.yaml")), ids=lambda p: p.stem)
def test_shipped_sweep_files_expand_to_valid_members(spec_file):
    _spec, base, members = sweep.expand_members(spec_file)
    assert members, spec_file
    assert len({m.name for m in members}) == len(members)  # one distinct name per member
    assert all(m.scenario is not None and not m.error for m in members), [m.error for m in members]
    assert base.name
