"""Inputs of pathway planning (issue 15): capex trajectories, retirements of the existing fleet, commissioning.

Three tables, written into ``data/pacific/`` by :mod:`grid_model.datagen.build`:

- ``cost_trajectories.csv`` (technology, year, capex_factor, source): capex in ``year`` relative to the capex in
  ``technologies.csv`` / ``storage.csv`` / ``links.csv``, from the PyPSA technology-data tables vendored in
  ``reference/pypsa_technology_data_investment.csv`` (see :func:`extract_pypsa` for how that extract is made).
- ``retirements.csv`` (zone, technology, year, retired_mw, source): MW of the end-2023 fleet out of service from
  1 January of ``year``; announced schedules from ``pathway.yaml``, otherwise an age-based default computed here
  from the IRENA capacity series 2015-2023 (``reference/irena_capacity_mw_11_2015_2023.csv``).
- ``commissioning.csv`` (asset, kind, year, mode, mw, source): from ``pathway.yaml``.

The age-based default (J), per zone x technology with lifetime L from ``technologies.csv``:

1. the 2015 stock C15 is uniformly aged over one lifetime, so C15/L MW reach the end of their life in each of the
   years 2016 ... 2015 + L;
2. gross additions in year y (2016-2023) are the net change of the IRENA stock plus that year's age retirements,
   ``g_y = C_y - C_(y-1) + C15/L``; a negative ``g_y`` (more capacity left than ageing explains) is an early
   retirement that is taken from the oldest surviving pre-2015 capacity, and no addition;
3. a vintage added in year y retires from 1 January of y + L (PyPSA's convention: active for L years from its
   build year);
4. the surviving pre-2015 capacity plus the vintages equals the IRENA end-2023 stock exactly; only retirements in
   2024 ... 2050 are written, and the total per zone x technology never exceeds ``generators.csv`` p_nom_mw
   (checked).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from grid_model.datagen.common import COUNTRY, IRENA_CATEGORY, REFERENCE_DIR, ZONES

HERE = Path(__file__).resolve().parent
PATHWAY_FILE = HERE / "pathway.yaml"
PYPSA_EXTRACT = REFERENCE_DIR / "pypsa_technology_data_investment.csv"
IRENA_SERIES = REFERENCE_DIR / "irena_capacity_mw_11_2015_2023.csv"
PYPSA_COMMIT = "634cdc1a5613ebe2afd2a1fbed7b46653599fcf5"
YEARS = (2025, 2030, 2035, 2040, 2045, 2050)
BASE_YEAR = 2023  # the existing fleet is the IRENA end-2023 stock
# generators.csv technology -> IRENA category (the same mapping static.GEN_TECH uses, inverted)
TECH_CATEGORY = {
    "ccgt": "gas",
    "coal": "coal",
    "oil": "oil",
    "nuclear": "nuclear",
    "geothermal": "geothermal",
    "bioenergy": "bioenergy",
    "solar": "solar",
    "onwind": "wind",
}
IRENA_SRC = (
    "IRENA IRENASTAT installed capacity 2015-2023 (grid connection = All), as vendored in "
    "OSeMOSYS/osemosys_global resources/data/validation/irena_capacity.csv"
)


@lru_cache(maxsize=1)
def spec() -> dict:
    with PATHWAY_FILE.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


# ------------------------------------------------------------------------------------------------ costs
def extract_pypsa(repo_git_dir: Path, out: Path = PYPSA_EXTRACT) -> pd.DataFrame:
    """Re-make the vendored extract from a PyPSA/technology-data git directory (e.g. the one ``fetch`` gives):
    the ``investment`` rows of the technologies in ``pathway.yaml: cost_map`` from ``outputs/costs_<y>.csv``
    (EU) and ``outputs/US/costs_<y>.csv`` (US, Market/Moderate rows only) at commit PYPSA_COMMIT."""
    import io
    import subprocess

    wanted = {(v["file"], t) for v in spec()["cost_map"].values() for t in v["pypsa"]}
    frames = []
    for y in YEARS:
        for file, path in (("EU", f"outputs/costs_{y}.csv"), ("US", f"outputs/US/costs_{y}.csv")):
            txt = subprocess.run(
                ["git", "--git-dir", str(repo_git_dir), "show", f"{PYPSA_COMMIT}:{path}"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            df = pd.read_csv(io.StringIO(txt))
            df = df[(df["parameter"] == "investment") & df["technology"].map(lambda t, f=file: (f, t) in wanted)]
            if file == "US":
                df = df[(df["financial_case"] == "Market") & (df["scenario"] == "Moderate")]
            df = df.assign(file=file, year=y)
            frames.append(df[["file", "year", "technology", "value", "unit", "currency_year", "source"]])
    ext = pd.concat(frames, ignore_index=True).sort_values(["file", "technology", "year"])
    ext.to_csv(out, index=False, lineterminator="\n")
    return ext


@lru_cache(maxsize=1)
def pypsa_investment() -> pd.DataFrame:
    return pd.read_csv(PYPSA_EXTRACT)


def _pypsa_value(file: str, tech: str, year: int) -> float:
    t = pypsa_investment()
    r = t[(t["file"] == file) & (t["technology"] == tech) & (t["year"] == year)]
    if len(r) != 1:
        raise ValueError(f"PyPSA extract: {len(r)} rows for {file}/{tech}/{year}")
    return float(r["value"].iloc[0])


def _unit_cost(entry: dict, year: int) -> float:
    """The PyPSA investment of our technology in ``year`` (battery: inverter + hours x storage)."""
    if "hours" in entry:
        inv, sto = entry["pypsa"]
        return _pypsa_value(entry["file"], inv, year) + entry["hours"] * _pypsa_value(entry["file"], sto, year)
    return _pypsa_value(entry["file"], entry["pypsa"][0], year)


def cost_trajectories() -> pd.DataFrame:
    rows = []
    for tech, e in spec()["cost_map"].items():
        file_txt = (
            f"PyPSA technology-data {PYPSA_COMMIT[:7]} outputs/costs_<year>.csv (EUR-2025)"
            if e["file"] == "EU"
            else f"PyPSA technology-data {PYPSA_COMMIT[:7]} outputs/US/costs_<year>.csv (NREL ATB 2024, Market/Moderate)"
        )
        mapping = f"{tech} -> '" + "' + '".join(e["pypsa"]) + "'"
        values = {}
        for y in YEARS:
            try:
                values[y] = _unit_cost(e, y)
            except ValueError:
                pass  # no row for that year (e.g. no 2025 nuclear row in the US file)
        flat = len({round(v, 6) for v in values.values()}) <= 1
        for y in YEARS:
            if not flat and y not in values:
                nxt = min(v for v in values if v > y)
                f = values[nxt] / values[e["base_year"]]
                src = (
                    f"J: no {y} row for {mapping} in {file_txt}; held at the {nxt} factor (no earlier trajectory "
                    f"in the source); {e['base']}"
                )
                rows.append({"technology": tech, "year": y, "capex_factor": round(f, 4), "source": src})
                continue
            if flat:
                if "flat" not in e:
                    raise ValueError(f"{tech}: PyPSA has no trajectory but pathway.yaml gives no reason")
                f = 1.0
                src = f"J: flat (factor 1.0): {e['flat']}; mapping {mapping}; {e['base']}"
            else:
                f = values[y] / values[e["base_year"]]
                if "hours" in e:
                    inv, sto = e["pypsa"]
                    parts = (
                        f"(inverter {_pypsa_value(e['file'], inv, y):.2f} + {e['hours']} x storage "
                        f"{_pypsa_value(e['file'], sto, y):.2f}) / (same in {e['base_year']}: "
                        f"{values[e['base_year']]:.2f}); component factors inverter "
                        f"{_pypsa_value(e['file'], inv, y) / _pypsa_value(e['file'], inv, e['base_year']):.4f}, "
                        f"storage {_pypsa_value(e['file'], sto, y) / _pypsa_value(e['file'], sto, e['base_year']):.4f}"
                    )
                else:
                    parts = f"{values[y]:.4f} / {values[e['base_year']]:.4f}"
                src = (
                    f"D: PyPSA investment({y}) / investment({e['base_year']}) = {parts}; mapping {mapping}; "
                    f"{file_txt} (R); base year {e['base_year']}: {e['base']}"
                )
            rows.append({"technology": tech, "year": y, "capex_factor": round(f, 4), "source": src})
    return pd.DataFrame(rows, columns=["technology", "year", "capex_factor", "source"])


# ------------------------------------------------------------------------------------------------ retirements
@lru_cache(maxsize=1)
def irena_series() -> pd.DataFrame:
    """IRENA installed MW by (zone, category) x year 2015-2023 (0 where the series has no value)."""
    df = pd.read_csv(IRENA_SERIES)
    df["value"] = pd.to_numeric(df["value"], errors="coerce").fillna(0.0)
    df["category"] = df["technology"].map(IRENA_CATEGORY)
    inv = {v: k for k, v in COUNTRY.items()}
    df["zone"] = df["country"].map(inv)
    out = df.pivot_table(index=["zone", "category"], columns="year", values="value", aggfunc="sum")
    return out.reindex(columns=range(2015, BASE_YEAR + 1)).fillna(0.0)


def age_schedule(stock: pd.Series, lifetime: int, horizon: int) -> tuple[dict[int, float], dict]:
    """Retirements (year -> MW, years BASE_YEAR+1 .. horizon) of the end-BASE_YEAR stock from the stock series
    ``stock`` (index years 2015 .. BASE_YEAR) under the uniform-age assumption of the module docstring; also
    the cohort totals for the source text."""
    c15 = float(stock[2015])
    per_year = c15 / lifetime
    # pre-2015 cohorts still alive at 2015: one per retirement year 2016 .. 2015 + L
    pre = {2015 + k: per_year for k in range(1, lifetime + 1)}
    vintages: dict[int, float] = {}
    early = 0.0
    for y in range(2016, BASE_YEAR + 1):
        pre.pop(y, None)  # these reached their end of life in y (part of the observed net change)
        g = float(stock[y] - stock[y - 1]) + (per_year if y <= 2015 + lifetime else 0.0)
        if g >= 0:
            vintages[y] = g
        else:
            early += -g
    # early retirements come out of the oldest surviving pre-2015 cohorts first
    for r in sorted(pre):
        take = min(pre[r], early)
        pre[r] -= take
        early -= take
    if early > 1e-6:  # more left than the pre-2015 stock: take it from the oldest vintages
        for y in sorted(vintages):
            take = min(vintages[y], early)
            vintages[y] -= take
            early -= take
    sched: dict[int, float] = {}
    for r, mw in pre.items():
        sched[r] = sched.get(r, 0.0) + mw
    for y, mw in vintages.items():
        sched[y + lifetime] = sched.get(y + lifetime, 0.0) + mw
    total = sum(sched.values())
    if abs(total - float(stock[BASE_YEAR])) > 1e-6 * max(1.0, total):
        raise AssertionError(f"cohorts {total} != stock {stock[BASE_YEAR]}")
    info = {
        "c15": c15,
        "pre_alive": sum(pre.values()),
        "added": sum(vintages.values()),
        "first_vintage_retirement": min((y + lifetime for y, v in vintages.items() if v > 0), default=None),
    }
    return {r: mw for r, mw in sched.items() if BASE_YEAR < r <= horizon and mw > 0}, info


def _round_down(sched: dict[int, float], cap: float) -> dict[int, float]:
    """Round to 0.1 MW so that the cumulative sum never exceeds ``cap``."""
    out, cum_exact, cum = {}, 0.0, 0.0
    for y in sorted(sched):
        cum_exact += sched[y]
        target = min(np.floor(cum_exact * 10 + 1e-6) / 10, cap)
        mw = round(target - cum, 1)
        if mw > 0:
            out[y] = mw
            cum = round(cum + mw, 1)
    return out


def retirements(generators: pd.DataFrame, technologies: pd.DataFrame) -> pd.DataFrame:
    s = spec()
    horizon = s["age_horizon"]
    life = technologies.set_index("technology")["lifetime_yr"].astype(int)
    announced: dict[tuple[str, str], list[dict]] = {}
    for r in s["retirements"]:
        announced.setdefault((r["zone"], r["technology"]), []).append(r)
    series = irena_series()
    rows = []
    existing = generators[generators["p_nom_mw"] > 0]
    for g in existing.itertuples():
        key = (g.zone, g.technology)
        cap = float(g.p_nom_mw)
        if key in announced:
            done = 0.0
            for r in sorted(announced[key], key=lambda r: r["year"]):
                if "mw" in r:
                    mw = float(r["mw"])
                elif r.get("mw_derived") == "irena_2023_minus_cen_nov2025":
                    mw = round(cap - float(r["cen_nov2025_mw"]), 1)
                elif r.get("mw_remaining"):
                    mw = round(cap - done, 1)
                else:
                    mw = round(cap * float(r["mw_share"]), 1)
                done = round(done + mw, 1)
                if r["year"] <= horizon:
                    rows.append(
                        {
                            "zone": g.zone,
                            "technology": g.technology,
                            "year": r["year"],
                            "retired_mw": mw,
                            "source": r["source"],
                        }
                    )
            if done > cap + 1e-6:
                raise ValueError(f"{key}: announced retirements {done} MW exceed the existing {cap} MW")
            continue
        if g.technology in s["no_age_retirement"]:
            continue
        stock = series.loc[(g.zone, TECH_CATEGORY[g.technology])]
        if abs(float(stock[BASE_YEAR]) - cap) > 0.1:
            raise ValueError(f"{key}: IRENA series 2023 {stock[BASE_YEAR]} != generators.csv {cap}")
        L = int(life[g.technology])
        sched, info = age_schedule(stock, L, horizon)
        sched = _round_down(sched, cap)
        head = (
            f"J: age-based default (no announced schedule found; method in data/README.md, Pathway inputs): "
            f"lifetime {L} yr (technologies.csv); 2015 stock {info['c15']:,.1f} MW uniformly aged over one lifetime; "
            f"2016-2023 additions {info['added']:,.1f} MW retire at build year + {L}; pre-2015 MW alive end-2023 "
            f"{info['pre_alive']:,.1f}; IRENA 2015-2023 stock series (R)"
        )
        for y, mw in sched.items():
            rows.append(
                {
                    "zone": g.zone,
                    "technology": g.technology,
                    "year": y,
                    "retired_mw": mw,
                    "source": f"{head}; D: out from 1 Jan {y}",
                }
            )
    out = pd.DataFrame(rows, columns=["zone", "technology", "year", "retired_mw", "source"])
    out["zone"] = pd.Categorical(out["zone"], categories=list(ZONES), ordered=True)
    out = out.sort_values(["zone", "technology", "year"], kind="stable").reset_index(drop=True)
    out["zone"] = out["zone"].astype(str)
    tot = out.groupby(["zone", "technology"])["retired_mw"].sum()
    cap = generators.set_index(["zone", "technology"])["p_nom_mw"]
    over = tot[tot > cap.reindex(tot.index) + 1e-6]
    if len(over):
        raise ValueError(f"retirements exceed existing capacity: {over.to_dict()}")
    return out


# ------------------------------------------------------------------------------------------------ commissioning
def commissioning(links: pd.DataFrame, generators: pd.DataFrame, hydro: pd.DataFrame) -> pd.DataFrame:
    lk = links.set_index("link")
    rows = []
    for c in spec()["commissioning"]:
        if c["kind"] == "link":
            if c["asset"] not in lk.index:
                raise ValueError(f"commissioning: unknown link {c['asset']}")
            mw = float(lk.loc[c["asset"], "project_mw"]) if c.get("mw_from_links") else float(c["mw"])
        else:
            ids = set(hydro["hydro"]) if c["kind"] == "hydro" else set(generators["generator"])
            if c["asset"] not in ids:
                raise ValueError(f"commissioning: unknown {c['kind']} {c['asset']}")
            mw = float(c["mw"])
        if c["mode"] not in ("committed", "earliest"):
            raise ValueError(f"commissioning: bad mode {c['mode']}")
        rows.append(
            {
                "asset": c["asset"],
                "kind": c["kind"],
                "year": c["year"],
                "mode": c["mode"],
                "mw": mw,
                "source": c["source"],
            }
        )
    out = pd.DataFrame(rows, columns=["asset", "kind", "year", "mode", "mw", "source"])
    return out.sort_values(["kind", "year", "asset"], ascending=[False, True, True], kind="stable").reset_index(
        drop=True
    )


def build_tables(generators: pd.DataFrame, technologies: pd.DataFrame, links: pd.DataFrame, hydro: pd.DataFrame):
    """The three pathway tables, keyed by file name."""
    return {
        "cost_trajectories.csv": cost_trajectories(),
        "retirements.csv": retirements(generators, technologies),
        "commissioning.csv": commissioning(links, generators, hydro),
    }
