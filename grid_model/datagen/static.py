"""The static tables of the dataset, built from ``params.yaml`` and the vendored extracts.

One function per table; each returns a DataFrame whose columns match ``grid_model.schema`` exactly
(plus ``source``). Every row carries a non-empty ``source``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from grid_model.datagen import hydro
from grid_model.datagen.common import HOURS, IRENA_SOURCE, OWID_SOURCE, ZONES, capacity, owid_value, params
from grid_model.datagen.targets import realised_cf


def _usd(v: dict, key: str) -> float:
    """A value given in USD (``<key>_usd...``) or EUR (``<key>_eur...``) converted to USD."""
    for k, x in v.items():
        if k.startswith(f"{key}_usd"):
            return float(x)
        if k.startswith(f"{key}_eur"):
            return float(x) * params()["eur_to_usd"]["value"]
    raise KeyError(key)


def zones() -> pd.DataFrame:
    p = params()
    rows = []
    for z in ZONES:
        zz = p["zones"][z]
        rows.append(
            {
                "zone": z,
                "name": zz["name"],
                "bloc": zz["bloc"],
                "lat": zz["lat"],
                "lon": zz["lon"],
                "gdp_bn_usd": p["gdp_bn_usd_2023"]["value_bn"][z],
                "voll_usd_per_mwh": p["voll_usd_per_mwh"]["value"],
                "source": "lat/lon: capital-city load centre, 'country-capitals' dataset ([DMC] 6, R); bloc per "
                "Pacific Alliance 2.0 / SIEPAC membership; GDP: "
                + p["gdp_bn_usd_2023"]["source"]
                + "; VoLL: "
                + p["voll_usd_per_mwh"]["source"],
            }
        )
    return pd.DataFrame(rows)


def _fuel_price(spec: dict) -> float:
    p = params()
    if "price_usd_per_mmbtu" in spec:
        return spec["price_usd_per_mmbtu"] * p["mmbtu_per_mwh_th"]
    if "price_usd_per_t" in spec:
        return spec["price_usd_per_t"] / p["coal_mwh_th_per_t"]
    if "price_usd_per_mwh_th" in spec:
        return spec["price_usd_per_mwh_th"]
    return spec["price_eur_per_mwh_th"] * p["eur_to_usd"]["value"]


def fuels() -> pd.DataFrame:
    rows = [
        {
            "fuel": f,
            "price_usd_per_mwh_th": round(_fuel_price(s), 4),
            "co2_t_per_mwh_th": s["co2_t_per_mwh_th"],
            "source": s["source"],
        }
        for f, s in params()["fuels"].items()
    ]
    return pd.DataFrame(rows)


def fuel_prices() -> pd.DataFrame:
    rows = [
        {"zone": s["zone"], "fuel": s["fuel"], "price_usd_per_mwh_th": round(_fuel_price(s), 4), "source": s["source"]}
        for s in params()["fuel_prices"]
    ]
    return pd.DataFrame(rows)


def fuel_subsidies() -> pd.DataFrame:
    p = params()
    rows = []
    for s in p["fuel_subsidies"]:
        if "subsidy_usd_per_mmbtu" in s:
            v = s["subsidy_usd_per_mmbtu"] * p["mmbtu_per_mwh_th"]
        else:  # USD per US gallon of diesel -> USD/MWh_th (3.78541 L x 0.835 kg/L x 44 GJ/t)
            v = s["subsidy_usd_per_gal"] / (3.78541 * 0.835 * 44.0 / 3600.0)
        rows.append(
            {"zone": s["zone"], "fuel": s["fuel"], "subsidy_usd_per_mwh_th": round(v, 4), "source": s["source"]}
        )
    return pd.DataFrame(rows)


def technologies() -> pd.DataFrame:
    p = params()
    rows = []
    for t, v in p["technologies"].items():
        capex = _usd(v, "capex")
        if "fom_usd_per_kw_yr" in v:
            fom = v["fom_usd_per_kw_yr"]
        elif "fom_pct_of_4h" in v:
            fom = v["fom_pct_of_4h"] / 100 * (capex + p["battery"]["max_hours"] * p["battery"]["capex_usd_per_kwh"])
        else:
            fom = v["fom_pct"] / 100 * capex
        try:
            vom = _usd(v, "vom")
        except KeyError:
            vom = 0.0
        rows.append(
            {
                "technology": t,
                "category": v["category"],
                "fuel": v["fuel"],
                "renewable": v["renewable"],
                "non_conventional": v["non_conventional"],
                "efficiency_pu": v["efficiency_pu"],
                "vom_usd_per_mwh": round(vom, 4),
                "capex_usd_per_kw": round(capex, 2),
                "fom_usd_per_kw_yr": round(fom, 2),
                "lifetime_yr": v["lifetime_yr"],
                "source": v["source"],
            }
        )
    return pd.DataFrame(rows)


def demand_growth() -> pd.DataFrame:
    dg = params()["demand_growth"]
    g = dg["seed_report"]
    regional = (1 + g["growth_to_2040"]) ** (1 / (2040 - g["base_year"])) - 1
    national = dg.get("national", {})
    rows = []
    for z in ZONES:
        d23 = owid_value(z, 2023, "electricity_demand")
        rows.append(
            {"zone": z, "year": 2023, "demand_twh": d23, "source": f"{OWID_SOURCE}, electricity_demand 2023 (R)"}
        )
        nat = national.get(z)
        if nat is None:
            cagr, how, horizon = (
                regional,
                f"CAGR from {g['source']}: 1.80^(1/24) - 1. Energy-use growth applied to electricity, lower bound; "
                "regional rate kept: no national plan figure found for this zone (see data/README.md, Pathway inputs)",
                None,
            )
        elif "levels" in nat:
            (y0, v0), (y1, v1) = sorted(nat["levels"].items())
            cagr = (v1 / v0) ** (1 / (y1 - y0)) - 1
            how, horizon = f"CAGR = ({v1:,} / {v0:,})^(1/{y1 - y0}) - 1 from {nat['source']}", y1
        else:
            cagr, how, horizon = nat["cagr"], nat["source"], nat["horizon"]
        for y in (2030, 2035, 2040):
            src = f"D: 2023 x (1 + {cagr:.4%})^({y}-2023); {how}"
            if nat is not None:
                src += "; growth rate applied to the OWID 2023 level (J: plan scope differs from OWID demand)"
                if y > horizon:
                    src += f"; {y} is beyond the plan horizon {horizon}: same rate extrapolated (J)"
            rows.append({"zone": z, "year": y, "demand_twh": round(d23 * (1 + cagr) ** (y - 2023), 3), "source": src})
    return pd.DataFrame(rows)


def ceiling_mw(zone: str) -> float:
    """Non-binding build ceiling: multiple x 2040 average load (MW), rounded up to 100 MW."""
    dg = demand_growth()
    d40 = float(dg[(dg.zone == zone) & (dg.year == 2040)].demand_twh.iloc[0])
    m = params()["potentials"]["ceiling_multiple_of_2040_avg_load"]
    return float(math.ceil(m * d40 * 1e6 / HOURS / 100.0) * 100)


GEN_TECH = {
    "gas": "ccgt",
    "coal": "coal",
    "oil": "oil",
    "nuclear": "nuclear",
    "geothermal": "geothermal",
    "bioenergy": "bioenergy",
    "solar": "solar",
    "wind": "onwind",
}
CANDIDATES = ("solar", "onwind", "ccgt", "ocgt")


def _availability(zone: str, cat: str) -> tuple[float | None, str]:
    """Constant availability for zero/low-marginal-cost fleets: realised 2023 CF (outages, steam-field
    decline, harvest season); None = default 1."""
    if cat not in ("geothermal", "bioenergy", "nuclear"):
        return None, ""
    p = params()
    if zone == "MX" and cat in ("geothermal", "bioenergy"):
        geo = p["mx_geothermal_gwh"] * 1e3
        gen = geo if cat == "geothermal" else owid_value("MX", 2023, "biofuel_electricity") * 1e6 - geo
        cf = gen / (capacity("MX", cat) * HOURS)
        how = (
            "IRENA 2022 MX geothermal generation 4,536 GWh"
            if cat == "geothermal"
            else "Ember 2023 MX bio+geothermal 6.63 TWh minus IRENA 2022 geothermal 4.536 TWh"
        )
    else:
        cf = realised_cf(zone, cat)
        how = f"Ember 2023 {cat} generation"
    capped = cf > 1
    cf = min(cf, 1.0)
    note = f"availability_pu = realised 2023 capacity factor (D): {how} / (IRENA end-2023 capacity x 8,760 h)" + (
        " - capped at 1: the Ember figure exceeds capacity x 8,760 h (scope mismatch)" if capped else ""
    )
    return round(cf, 4), note


FOSSIL = {"ccgt": "gas", "coal": "coal", "oil": "oil"}


def zone_fuel_price(zone: str, fuel: str, subsidised: bool = True) -> float:
    """Fuel price (USD/MWh_th) a generator in ``zone`` pays: zone override or reference, minus subsidy."""
    fp = fuel_prices()
    hit = fp[(fp.zone == zone) & (fp.fuel == fuel)]
    price = (
        float(hit.price_usd_per_mwh_th.iloc[0])
        if len(hit)
        else float(fuels().set_index("fuel").loc[fuel, "price_usd_per_mwh_th"])
    )
    if subsidised:
        fs = fuel_subsidies()
        sub = fs[(fs.zone == zone) & (fs.fuel == fuel)]
        price -= float(sub.subsidy_usd_per_mwh_th.iloc[0]) if len(sub) else 0.0
    return price


def marginal_cost(zone: str, tech: str) -> float:
    """VOM + fuel / efficiency (USD/MWh) of an existing fleet at 2023 (subsidised) prices."""
    t = technologies().set_index("technology").loc[tech]
    return float(t.vom_usd_per_mwh + zone_fuel_price(zone, t.fuel) / t.efficiency_pu)


def technical_floor(zone: str, tech: str) -> tuple[float | None, str]:
    """Technical, year-independent must-run floor kept in ``generators.csv`` (``params.yaml: technical_floors``).

    Only nuclear qualifies: it runs base-load (min_output_pu 1, output bounded by availability_pu).
    """
    if tech == "nuclear" and params()["technical_floors"]["nuclear_must_run"] and capacity(zone, "nuclear") > 0:
        return 1.0, (
            "min_output_pu 1: technical must-run (J) - nuclear runs base-load in every year (fuel loaded for a whole "
            "cycle, cycling saves no fuel); output bounded by availability_pu"
        )
    return None, ""


def dispatch_floor(zone: str, tech: str) -> tuple[float | None, str]:
    """Base-year (2023) dispatch floor of an existing fossil fleet (``params.yaml: dispatch_calibration``).

    Goes into ``calibration_2023_overrides.csv``, never into ``generators.csv``: it describes 2023 contracts and
    self-dispatch, not physics.
    """
    dc = params()["dispatch_calibration"]
    if tech not in FOSSIL or capacity(zone, FOSSIL[tech]) <= 0:
        return None, ""
    cf = realised_cf(zone, FOSSIL[tech])
    if not cf > 0:
        return None, ""
    running = {
        t: marginal_cost(zone, t) for t, c in FOSSIL.items() if capacity(zone, c) > 0 and realised_cf(zone, c) > 0
    }
    cheapest = min(running, key=running.__getitem__)
    if tech == cheapest and tech != "oil":
        return None, ""
    floor = math.floor(min(cf, 1.0) * dc["floor_share_of_realised_cf"] * 1000) / 1000
    why = (
        "oil fleet (always behind the merit order)"
        if tech == "oil"
        else (
            f"not the zone's cheapest fossil fleet ({cheapest} at {running[cheapest]:.1f} vs {running[tech]:.1f} USD/MWh)"
        )
    )
    return floor, (
        f"2023 base-year dispatch floor = realised 2023 CF (Ember 2023 generation / IRENA end-2023 capacity x "
        f"8,760 h, D); {why}; stands for 2023 contracts/take-or-pay/self-dispatch the merit order does not see "
        "(data/README.md, 'Base-year dispatch layer'); calibration_2023 only, not a planning-year constraint"
    )


def availability_limit(zone: str, tech: str) -> tuple[float | None, str]:
    """Base-year (2023) availability limit of an existing fossil fleet (``dispatch_calibration.availability_limits``)."""
    gid = f"{zone}-{tech}"
    why = params()["dispatch_calibration"]["availability_limits"].get(gid)
    if not why or tech not in FOSSIL or capacity(zone, FOSSIL[tech]) <= 0:
        return None, ""
    av = math.floor(realised_cf(zone, FOSSIL[tech]) * 1000) / 1000
    return av, (
        f"2023 availability limit = realised 2023 CF (Ember 2023 / IRENA end-2023 capacity x 8,760 h, D); {why}; "
        "calibration_2023 only, not a planning-year constraint"
    )


OVERRIDE_COLUMNS = ["table", "id", "column", "value", "source"]


def calibration_overrides() -> pd.DataFrame:
    """The base-year dispatch layer as scenario overrides (``data/pacific/calibration_2023_overrides.csv``).

    Columns table, id, column, value, source; applied like a scenario's ``overrides`` by
    ``scenarios/calibration_2023.yaml`` (``overrides_file:``) and by no planning scenario.
    """
    rows = []
    for z in ZONES:
        for tech in FOSSIL:
            for column, rule in (("availability_pu", availability_limit), ("min_output_pu", dispatch_floor)):
                value, why = rule(z, tech)
                if value is not None:
                    rows.append(
                        {"table": "generators", "id": f"{z}-{tech}", "column": column, "value": value, "source": why}
                    )
    for r in params().get("link_operation_2023", []):
        rows.append(
            {"table": "links", "id": r["id"], "column": r["column"], "value": r["value"], "source": r["source"]}
        )
    return pd.DataFrame(rows, columns=OVERRIDE_COLUMNS)


def generators() -> pd.DataFrame:
    p = params()
    pot = p["potentials"]["documented"]
    rows = []
    for z in ZONES:
        ceil = ceiling_mw(z)
        techs = {}
        for cat, tech in GEN_TECH.items():
            techs[tech] = capacity(z, cat)
        techs["ocgt"] = 0.0
        for tech, cap in techs.items():
            if cap <= 0 and tech not in CANDIDATES:
                continue
            gid = f"{z}-{tech}"
            row = {
                "generator": gid,
                "zone": z,
                "technology": tech,
                "p_nom_mw": round(cap, 1),
                "p_nom_max_mw": np.nan,
                "availability_pu": np.nan,
                "profile": "",
                "min_output_pu": np.nan,
                "efficiency_pu": np.nan,
                "vom_usd_per_mwh": np.nan,
                "capex_usd_per_kw": np.nan,
            }
            src = [f"p_nom: {IRENA_SOURCE}" if cap > 0 else "candidate (no existing capacity)"]
            if tech in ("solar", "onwind"):
                row["profile"] = gid
                src.append(f"profile timeseries/availability_pu.csv:{gid} (synthetic, calibrated; see data/README.md)")
            if tech in CANDIDATES:
                if gid in pot:
                    row["p_nom_max_mw"] = max(pot[gid]["mw"] + (cap if gid == "CO-onwind" else 0.0), cap)
                    src.append(f"p_nom_max: {pot[gid]['source']}")
                else:
                    row["p_nom_max_mw"] = max(ceil, cap)
                    src.append(
                        "p_nom_max: non-binding modelling ceiling = 2 x 2040 average load (J; no documented potential)"
                    )
            av, note = _availability(z, {v: k for k, v in GEN_TECH.items()}.get(tech, ""))
            if av is not None:
                row["availability_pu"] = av
                src.append(note)
            floor, note = technical_floor(z, tech)
            if floor is not None:
                row["min_output_pu"] = floor
                src.append(note)
            if any(rule(z, tech)[0] is not None for rule in (dispatch_floor, availability_limit)):
                src.append(
                    "2023 dispatch floor / availability limit of this fleet: calibration_2023_overrides.csv "
                    "(calibration scenario only)"
                )
            row["source"] = "; ".join(src)
            rows.append(row)
    return pd.DataFrame(rows)


def storage() -> pd.DataFrame:
    b = params()["battery"]
    rows = []
    for z in ZONES:
        rows.append(
            {
                "storage": f"{z}-battery",
                "zone": z,
                "technology": "battery",
                "p_nom_mw": 0.0,
                "p_nom_max_mw": ceiling_mw(z),
                "max_hours": b["max_hours"],
                "efficiency_charge_pu": b["efficiency_pu"],
                "efficiency_discharge_pu": b["efficiency_pu"],
                "standing_loss_pu_per_h": 0.0,
                "capex_usd_per_kwh": b["capex_usd_per_kwh"],
                "source": "candidate battery; no existing utility battery capacity in IRENA 2023 for these zones "
                "(HN's 6 MW pumped storage omitted: storage hours unknown, 0.2 % of HN capacity); "
                f"{b['source']}; p_nom_max: non-binding modelling ceiling = 2 x 2040 average load (J)",
            }
        )
    return pd.DataFrame(rows)


def hydro_table() -> pd.DataFrame:
    h = params()["hydro"]
    rows = []
    for z in ZONES:
        pl = hydro.plants(z)
        sp = h["split"][z]
        base = (
            f"hydro capacity {pl['total']:,.1f} MW: {IRENA_SOURCE}; reservoir share {sp['reservoir_share']:.0%} "
            f"and {sp['hours']} h storage: {sp['note']}"
        )
        rows.append(
            {
                "hydro": f"{z}-hydro-reservoir",
                "zone": z,
                "technology": "hydro_reservoir",
                "p_nom_mw": pl["p_res"],
                "energy_mwh": pl["energy_mwh"],
                "inflow": f"{z}-hydro-reservoir",
                "min_release_pu": h["min_release_pu"],
                "source": base,
            }
        )
        rows.append(
            {
                "hydro": f"{z}-run-of-river",
                "zone": z,
                "technology": "run_of_river",
                "p_nom_mw": pl["p_ror"],
                "energy_mwh": 0.0,
                "inflow": f"{z}-run-of-river",
                "min_release_pu": h["min_release_pu"],
                "source": base,
            }
        )
    return pd.DataFrame(rows)


def _gc_km(a: str, b: str) -> float:
    z = params()["zones"]
    la1, lo1, la2, lo2 = map(math.radians, (z[a]["lat"], z[a]["lon"], z[b]["lat"], z[b]["lon"]))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def siepac_route_factor() -> float:
    """SIEPAC route length / great-circle length of the trunk GT-SV-HN-NI-CR-PA (D)."""
    trunk = ["GT", "SV", "HN", "NI", "CR", "PA"]
    gc = sum(_gc_km(a, b) for a, b in itertools.pairwise(trunk))
    return params()["links"]["siepac_route_km"] / gc


def links() -> pd.DataFrame:
    p = params()
    lk = p["links"]
    rf = siepac_route_factor()
    rows = []
    for r in p["link_rows"]:
        src = [r["source"]]
        if "length_km" in r:
            length = float(r["length_km"])
        else:
            length = round(_gc_km(r["zone_from"], r["zone_to"]) * rf, 1)
            src.append(
                f"length: great-circle between load centres x SIEPAC route factor {rf:.3f} "
                f"(= {lk['siepac_route_km']} km route / great-circle trunk length) (D)"
            )
        if "limit_source" in r:
            src.append(f"p_max_pu: {r['limit_source']}")
        if "hurdle_source" in r:
            src.append(f"hurdle: {r['hurdle_source']}")
        project = float(r.get("project_mw", 0.0))
        if "capex_usd_total" in r:
            capex = float(r["capex_usd_total"]) / project
        elif r.get("siepac2"):
            capex = p["siepac2_usd_per_mw_km"] * length
        else:
            par = lk["hvdc"] if r["kind"] == "DC" else lk["hvac"]
            capex = par["usd_per_mw_km"] * length + par["terminal_usd_per_mw"]
            src.append(f"capex_usd_per_mw: {par['source']} (D)")
        rows.append(
            {
                "link": r["link"],
                "zone_from": r["zone_from"],
                "zone_to": r["zone_to"],
                "kind": r["kind"],
                "status": r["status"],
                "p_nom_mw": float(r["p_nom_mw"]),
                "project_mw": project,
                "p_nom_max_mw": np.nan,
                "length_km": length,
                "p_max_pu_fwd": float(r.get("p_max_pu_fwd", 1.0)),
                "p_max_pu_rev": float(r.get("p_max_pu_rev", 1.0)),
                "hurdle_usd_per_mwh": float(r.get("hurdle_usd_per_mwh", 0.0)),
                "loss_pu": np.nan,
                "capex_usd_per_mw": round(capex, 0),
                "fom_pct_per_yr": r.get("fom_pct", lk["fom_pct"]["overhead"]),
                "lifetime_yr": lk["lifetime_yr"],
                "source": "; ".join(src) + f"; FOM/lifetime: {lk['fom_pct']['source']}",
            }
        )
    return pd.DataFrame(rows)


ELECTRICITY_SUBSIDY_COLUMNS = [
    "zone",
    "consumer_class",
    "kind",
    "demand_share_pu",
    "tariff_usd_per_mwh",
    "subsidy_usd_per_mwh",
    "elasticity",
    "source",
]


def electricity_subsidies() -> pd.DataFrame:
    """One row per zone and class from the sourced annual cost and tariffs (params.yaml); the per-MWh subsidy and
    the class's demand share are derived, and the arithmetic is appended to the row's source."""
    rows = [_electricity_subsidy_row(s) for s in params().get("electricity_subsidies", [])]
    return pd.DataFrame(rows, columns=ELECTRICITY_SUBSIDY_COLUMNS)


def _electricity_subsidy_row(s: dict) -> dict:
    fx = float(s["lcu_per_usd"])
    cost = float(s["cost_lcu"]) / fx  # USD/yr
    demand_mwh = owid_value(s["zone"], 2023, "electricity_demand") * 1e6
    d = s.get("subsidy_share_of_cost")
    if "tariff_usd_per_mwh" in s:
        tariff = float(s["tariff_usd_per_mwh"])
    elif "tariff_lcu_per_kwh" in s:
        tariff = float(s["tariff_lcu_per_kwh"]) / fx * 1000.0
    elif "cost_tariff_lcu_per_kwh" in s:
        tariff = float(s["cost_tariff_lcu_per_kwh"]) * (1.0 - d) / fx * 1000.0
    else:
        tariff = float("nan")
    if d is None:
        share, sub = 1.0, cost / demand_mwh
        how = f"class consumption not found: subsidy = {cost / 1e6:,.2f} M USD / {demand_mwh / 1e6:,.2f} TWh (2023)"
    else:
        sub = tariff * d / (1.0 - d)
        share = cost / sub / demand_mwh
        how = (
            f"subsidy = tariff {tariff:.2f} x {d} / (1 - {d}) = {sub:.2f} USD/MWh; class demand {cost / 1e6:,.1f} M USD"
            f" / {sub:.2f} = {cost / sub / 1e6:.2f} TWh = {share:.4f} of {demand_mwh / 1e6:,.2f} TWh (2023)"
        )
    derivation = f"D: cost {float(s['cost_lcu']):,.4g} / {fx:g} = {cost / 1e6:,.2f} M USD/yr; {how}; 2023 demand: "
    return {
        "zone": s["zone"],
        "consumer_class": s["consumer_class"],
        "kind": s["kind"],
        "demand_share_pu": round(share, 6),
        "tariff_usd_per_mwh": round(tariff, 4) if tariff == tariff else "",
        "subsidy_usd_per_mwh": round(sub, 4),
        "elasticity": s["elasticity"],
        "source": s["source"] + "; " + derivation + OWID_SOURCE,
    }


TABLE_BUILDERS = {
    "zones": zones,
    "fuels": fuels,
    "fuel_prices": fuel_prices,
    "technologies": technologies,
    "generators": generators,
    "storage": storage,
    "hydro": hydro_table,
    "links": links,
    "fuel_subsidies": fuel_subsidies,
    "electricity_subsidies": electricity_subsidies,
    "demand_growth": demand_growth,
}
