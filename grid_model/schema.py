"""Schemas of the dataset tables: one row per column (name, dtype, unit, required, default, bounds).

A dataset is a folder of CSV files. Each table here drives three things at once: filling defaults,
validating values (with errors naming file, row and column), and the generated docs table
(``grid-model schema`` / ``docs/schema.md``). The pattern follows PyPSA's component attribute tables.

Every table carries a free-text ``source`` column: where the numbers in that row come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Dtype = Literal["str", "float", "int", "bool"]


@dataclass(frozen=True)
class Column:
    """One column of a table."""

    name: str
    dtype: Dtype
    unit: str = ""
    required: bool = True
    default: object = None
    description: str = ""
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    allowed: tuple[str, ...] | None = None
    # True: the model never reads the column (labels, provenance, report-only figures); the description says why.
    # Every other column changes the LP when its values change (tests/test_perturbation.py holds both to that).
    informational: bool = False


@dataclass(frozen=True)
class TableSchema:
    """A dataset table: its file name, id column, columns and foreign keys."""

    name: str
    file: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    foreign_keys: dict[str, str] = field(default_factory=dict)  # column -> table name
    optional: bool = False

    def column(self, name: str) -> Column:
        """The column called ``name``."""
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


SOURCE = Column(
    "source",
    "str",
    required=False,
    default="",
    informational=True,
    description="Where this row's figures come from (provenance only; the model does not read it).",
)

# The Ember/IRENA vocabulary of generation categories (README, Outputs), and storage.
GENERATION_CATEGORIES = ("hydro", "gas", "coal", "oil", "nuclear", "wind", "solar", "bioenergy", "geothermal")
CATEGORIES = (*GENERATION_CATEGORIES, "storage")
# Categories Ember and IRENA count as renewable. The model and its result tables use each technology's own
# ``renewable`` flag (technologies.csv); this tuple is for reference statistics kept by category (calibration).
RENEWABLE_CATEGORIES = ("hydro", "wind", "solar", "bioenergy", "geothermal")
# One objective row and one cost_breakdown_usd entry per category, in USD/yr.
COST_CATEGORIES = (
    "capex_generation",
    "capex_storage",
    "capex_transmission",
    "fixed_om",
    "fuel",
    "fuel_subsidy",
    "variable_om",
    "carbon",
    "unserved",
    "infeasibility_penalty",
    "hurdle",
    "tie_break",
    "risk_cvar",
)
# Categories in the objective that are not a resource cost of the region: left out of the economic system cost.
# ``hurdle`` (links.csv hurdle_usd_per_mwh) is a transfer: wheeling and transaction charges are paid by one market
# participant to another inside the modelled region, and a hurdle that stands for market rules costs nobody
# anything; both change dispatch (the dispatcher sees them) but no fuel is burnt and no asset is used up.
TRANSFER_CATEGORIES = ("hurdle",)
NON_ECONOMIC_CATEGORIES = ("tie_break", "risk_cvar", *TRANSFER_CATEGORIES)
# Costs of new capacity (annuities and fixed O&M of what is built); the rest of the objective is operation.
INVESTMENT_CATEGORIES = ("capex_generation", "capex_storage", "capex_transmission", "fixed_om")

ZONES = TableSchema(
    "zones",
    "zones.csv",
    "One row per zone (national grid or sub-grid); ISO 3166 alpha-2 codes.",
    (
        Column("zone", "str", description="Zone code, e.g. MX, CO, CL or CL-N."),
        Column(
            "name",
            "str",
            required=False,
            default="",
            informational=True,
            description="Readable name (labels only; the model does not read it).",
        ),
        Column(
            "bloc",
            "str",
            required=False,
            default="",
            informational=True,
            description="Grouping, e.g. PacificAlliance, SIEPAC (labels only; the model does not read it).",
        ),
        Column(
            "lat",
            "float",
            "deg",
            required=False,
            default=0.0,
            min=-90,
            max=90,
            informational=True,
            description="Latitude of the load centre (maps only; distances come from links.csv length_km).",
        ),
        Column(
            "lon",
            "float",
            "deg",
            required=False,
            default=0.0,
            min=-180,
            max=180,
            informational=True,
            description="Longitude of the load centre (maps only; distances come from links.csv length_km).",
        ),
        Column(
            "gdp_bn_usd",
            "float",
            "USD bn/yr",
            required=False,
            min=0,
            informational=True,
            description="Gross domestic product, current USD (report-only figure: fiscal subsidy cost as % of GDP; "
            "the model does not read it).",
        ),
        Column(
            "voll_usd_per_mwh",
            "float",
            "USD/MWh",
            required=False,
            default=10_000.0,
            min=0,
            description="Value of lost load: cost of each MWh not served.",
        ),
        SOURCE,
    ),
    key=("zone",),
)

FUELS = TableSchema(
    "fuels",
    "fuels.csv",
    "International reference fuel prices and CO2 factors (per MWh of fuel heat, lower heating value).",
    (
        Column("fuel", "str", description="Fuel name, e.g. gas, coal, oil, diesel, biomass, uranium."),
        Column(
            "price_usd_per_mwh_th", "float", "USD/MWh_th", min=0, description="Reference (unsubsidised) fuel price."
        ),
        Column("co2_t_per_mwh_th", "float", "tCO2/MWh_th", min=0, description="CO2 emitted per MWh of fuel burnt."),
        SOURCE,
    ),
    key=("fuel",),
)

FUEL_PRICES = TableSchema(
    "fuel_prices",
    "fuel_prices.csv",
    "Zone-specific reference fuel prices (e.g. domestic gas); overrides fuels.csv for that zone. "
    "This is the economic price; subsidies are listed separately.",
    (
        Column("zone", "str", description="Zone code."),
        Column("fuel", "str", description="Fuel name from fuels.csv."),
        Column("price_usd_per_mwh_th", "float", "USD/MWh_th", min=0, description="Economic fuel price in this zone."),
        SOURCE,
    ),
    key=("zone", "fuel"),
    foreign_keys={"zone": "zones", "fuel": "fuels"},
    optional=True,
)

TECHNOLOGIES = TableSchema(
    "technologies",
    "technologies.csv",
    "Technology costs and performance for the planning year, in USD.",
    (
        Column("technology", "str", description="Technology name, e.g. ccgt, ocgt, coal, solar, onwind, battery."),
        Column("category", "str", allowed=CATEGORIES, description="Reporting category (Ember/IRENA vocabulary)."),
        Column("fuel", "str", required=False, default="", description="Fuel from fuels.csv; empty for none."),
        Column("renewable", "bool", required=False, default=False, description="Counts toward the renewable share."),
        Column(
            "non_conventional",
            "bool",
            required=False,
            default=False,
            informational=True,
            description="Non-conventional renewable (wind, solar, geothermal, bioenergy, small hydro). Reported "
            "(non-conventional renewable share) but not a constraint: the renewable-share policy counts `renewable`.",
        ),
        Column(
            "efficiency_pu",
            "float",
            "MWh_el/MWh_th",
            required=False,
            default=1.0,
            min=0,
            max=1,
            min_exclusive=True,
            description="Electrical efficiency (1 for technologies without fuel).",
        ),
        Column("vom_usd_per_mwh", "float", "USD/MWh", required=False, default=0.0, min=0, description="Variable O&M."),
        Column(
            "capex_usd_per_kw",
            "float",
            "USD/kW",
            required=False,
            default=0.0,
            min=0,
            description="Overnight investment cost.",
        ),
        Column("fom_usd_per_kw_yr", "float", "USD/kW/yr", required=False, default=0.0, min=0, description="Fixed O&M."),
        Column(
            "lifetime_yr",
            "float",
            "yr",
            required=False,
            default=25.0,
            min=0,
            min_exclusive=True,
            description="Economic lifetime.",
        ),
        SOURCE,
    ),
    key=("technology",),
)

GENERATORS = TableSchema(
    "generators",
    "generators.csv",
    "Generating units or fleets (one row per zone and technology is typical), existing and candidate.",
    (
        Column("generator", "str", description="Unique id, e.g. MX-ccgt."),
        Column("zone", "str", description="Zone code."),
        Column("technology", "str", description="Technology from technologies.csv."),
        Column("p_nom_mw", "float", "MW", min=0, description="Existing capacity."),
        Column(
            "p_nom_max_mw",
            "float",
            "MW",
            required=False,
            default=None,
            min=0,
            description="Capacity ceiling including existing; above p_nom_mw the model may build. Empty = p_nom_mw.",
        ),
        Column(
            "availability_pu",
            "float",
            "pu",
            required=False,
            default=1.0,
            min=0,
            max=1,
            description="Constant availability (outages, derating) when no profile is given.",
        ),
        Column(
            "profile",
            "str",
            required=False,
            default="",
            description="Column of timeseries/availability_pu.csv giving hourly availability; empty = constant.",
        ),
        Column(
            "min_output_pu",
            "float",
            "pu",
            required=False,
            default=0.0,
            min=0,
            max=1,
            description="Must-run floor as a share of available capacity (e.g. cogeneration, contracts).",
        ),
        Column(
            "efficiency_pu",
            "float",
            "pu",
            required=False,
            default=None,
            min=0,
            max=1,
            min_exclusive=True,
            description="Overrides the technology efficiency (empty = technology value).",
        ),
        Column(
            "vom_usd_per_mwh",
            "float",
            "USD/MWh",
            required=False,
            default=None,
            min=0,
            description="Overrides the technology variable O&M.",
        ),
        Column(
            "capex_usd_per_kw",
            "float",
            "USD/kW",
            required=False,
            default=None,
            min=0,
            description="Overrides the technology capex for new capacity here.",
        ),
        SOURCE,
    ),
    key=("generator",),
    foreign_keys={"zone": "zones", "technology": "technologies"},
)

STORAGE = TableSchema(
    "storage",
    "storage.csv",
    "Batteries and pumped hydro: power and a fixed energy-to-power ratio.",
    (
        Column("storage", "str", description="Unique id, e.g. CL-battery."),
        Column("zone", "str", description="Zone code."),
        Column("technology", "str", description="Technology (battery, pumped_hydro) from technologies.csv."),
        Column("p_nom_mw", "float", "MW", min=0, description="Existing charge/discharge power."),
        Column(
            "p_nom_max_mw",
            "float",
            "MW",
            required=False,
            default=None,
            min=0,
            description="Power ceiling including existing; empty = p_nom_mw (not expandable).",
        ),
        Column("max_hours", "float", "h", min=0, min_exclusive=True, description="Energy capacity / power."),
        Column(
            "efficiency_charge_pu",
            "float",
            "pu",
            required=False,
            default=0.95,
            min=0,
            max=1,
            min_exclusive=True,
            description="Charging efficiency.",
        ),
        Column(
            "efficiency_discharge_pu",
            "float",
            "pu",
            required=False,
            default=0.95,
            min=0,
            max=1,
            min_exclusive=True,
            description="Discharging efficiency.",
        ),
        Column(
            "standing_loss_pu_per_h",
            "float",
            "pu/h",
            required=False,
            default=0.0,
            min=0,
            max=1,
            description="Share of stored energy lost per hour.",
        ),
        Column(
            "capex_usd_per_kwh",
            "float",
            "USD/kWh",
            required=False,
            default=0.0,
            min=0,
            description="Energy-part capex (added to the per-kW capex times max_hours).",
        ),
        Column(
            "capex_usd_per_kw",
            "float",
            "USD/kW",
            required=False,
            default=None,
            min=0,
            description="Power-part capex of new capacity here; empty = the technology's.",
        ),
        Column(
            "fom_usd_per_kw_yr",
            "float",
            "USD/kW/yr",
            required=False,
            default=None,
            min=0,
            description="Fixed O&M of new capacity here; empty = the technology's.",
        ),
        Column(
            "lifetime_yr",
            "float",
            "yr",
            required=False,
            default=None,
            min=0,
            min_exclusive=True,
            description="Economic lifetime of new capacity here (sets its annuity); empty = the technology's.",
        ),
        SOURCE,
    ),
    key=("storage",),
    foreign_keys={"zone": "zones", "technology": "technologies"},
    optional=True,
)

HYDRO = TableSchema(
    "hydro",
    "hydro.csv",
    "Hydro plants with inflows: reservoirs (energy_mwh > 0) and run-of-river (energy_mwh = 0).",
    (
        Column("hydro", "str", description="Unique id, e.g. CO-hydro-reservoir."),
        Column("zone", "str", description="Zone code."),
        Column("technology", "str", description="Technology (hydro_reservoir, run_of_river) from technologies.csv."),
        Column("p_nom_mw", "float", "MW", min=0, description="Turbine capacity."),
        Column("energy_mwh", "float", "MWh", min=0, description="Reservoir energy capacity (0 = run-of-river)."),
        Column("inflow", "str", description="Column of timeseries/inflow_mw_<hydrology>.csv with the inflow in MW."),
        Column(
            "min_release_pu",
            "float",
            "pu",
            required=False,
            default=0.0,
            min=0,
            max=1,
            description="Minimum release (ecological flow) as a share of p_nom_mw, if inflow allows.",
        ),
        SOURCE,
    ),
    key=("hydro",),
    foreign_keys={"zone": "zones", "technology": "technologies"},
    optional=True,
)

# Default interconnector losses when links.csv leaves loss_pu empty (OSeMOSYS Global defaults, data/README.md):
# the receiving end gets (1 − λ)·f, λ = 6.75 %/1,000 km for AC and 3.5 %/1,000 km + 1.3 % converters for DC.
AC_LOSS_PU_PER_1000KM = 0.0675
DC_LOSS_PU_PER_1000KM = 0.035
DC_CONVERTER_LOSS_PU = 0.013


def default_loss_pu(kind: str, length_km: float) -> float:
    """Loss share of the sent power from route length and kind (see the constants above)."""
    if kind == "DC":
        return DC_LOSS_PU_PER_1000KM * length_km / 1000.0 + DC_CONVERTER_LOSS_PU
    return AC_LOSS_PU_PER_1000KM * length_km / 1000.0


LINKS = TableSchema(
    "links",
    "links.csv",
    "Interconnectors, existing and candidate; flows either way up to the capacity, with losses.",
    (
        Column("link", "str", description="Unique id, e.g. CO-EC."),
        Column("zone_from", "str", description="Zone at one end (the forward direction starts here)."),
        Column("zone_to", "str", description="Zone at the other end."),
        Column(
            "kind",
            "str",
            allowed=("AC", "DC"),
            description="AC or DC; sets the default loss_pu (DC: lower losses per km plus converter losses).",
        ),
        Column("status", "str", allowed=("existing", "candidate"), description="existing or candidate."),
        Column("p_nom_mw", "float", "MW", min=0, description="Existing transfer capacity (0 for a new corridor)."),
        Column(
            "project_mw",
            "float",
            "MW",
            required=False,
            default=0.0,
            min=0,
            description="Capacity a named project adds in 'projects' mode; with p_nom_max_mw empty it also sets the "
            "ceiling in 'optimal' mode (p_nom_mw + project_mw).",
        ),
        Column(
            "p_nom_max_mw",
            "float",
            "MW",
            required=False,
            default=None,
            min=0,
            description="Capacity ceiling in 'optimal' mode (for candidates the scenario allows); empty = p_nom_mw + "
            "project_mw.",
        ),
        Column(
            "p_nom_min_mw",
            "float",
            "MW",
            required=False,
            default=None,
            min=0,
            description="Capacity floor; above p_nom_mw it forces a build (a committed project), in every links mode: "
            "'optimal' builds at least this much, 'projects' the larger of it and the planned capacity, and "
            "'existing' builds exactly this much (a committed project is built even when candidates are off). "
            "Must not exceed the ceiling (p_nom_max_mw, or p_nom_mw + project_mw). Empty = p_nom_mw.",
        ),
        Column("length_km", "float", "km", min=0, description="Route length; sets loss_pu when that is empty."),
        Column(
            "p_max_pu_fwd",
            "float",
            "pu",
            required=False,
            default=1.0,
            min=0,
            max=1,
            description="Operable transfer limit zone_from → zone_to as a share of the capacity (the operator's "
            "transfer capability, NTC, below the thermal rating). Times the profile `<link>:fwd` in "
            "timeseries/availability_pu.csv where that column exists (time-varying limits, e.g. export suspensions).",
        ),
        Column(
            "p_max_pu_rev",
            "float",
            "pu",
            required=False,
            default=1.0,
            min=0,
            max=1,
            description="Operable transfer limit zone_to → zone_from as a share of the capacity; times the profile "
            "`<link>:rev` where it exists.",
        ),
        Column(
            "hurdle_usd_per_mwh",
            "float",
            "USD/MWh",
            required=False,
            default=0.0,
            min=0,
            description="Charge per MWh sent, either way: wheeling and transaction charges and market rules that "
            "limit trade where the wires do not. A transfer, not a resource cost: in the objective (cost category "
            "`hurdle`), left out of the economic system cost. Trade needs a price gap above it.",
        ),
        Column(
            "loss_pu",
            "float",
            "pu",
            required=False,
            default=None,
            min=0,
            max=1,
            description="Loss share of the sent power: the receiving end gets (1 − loss_pu) of the flow. Empty = "
            "from length and kind (OSeMOSYS Global defaults): AC 6.75 %/1,000 km; DC 3.5 %/1,000 km + 1.3 % "
            "converter losses.",
        ),
        Column(
            "capex_usd_per_mw",
            "float",
            "USD/MW",
            required=False,
            default=0.0,
            min=0,
            description="Investment per MW of new capacity (line plus terminals).",
        ),
        Column(
            "fom_pct_per_yr", "float", "%/yr", required=False, default=1.5, min=0, description="Fixed O&M, % of capex."
        ),
        Column(
            "lifetime_yr",
            "float",
            "yr",
            required=False,
            default=40.0,
            min=0,
            min_exclusive=True,
            description="Economic lifetime.",
        ),
        SOURCE,
    ),
    key=("link",),
    foreign_keys={"zone_from": "zones", "zone_to": "zones"},
    optional=True,
)

FUEL_SUBSIDIES = TableSchema(
    "fuel_subsidies",
    "fuel_subsidies.csv",
    "Fuel subsidies to power generation: a wedge between the reference price and the price generators pay.",
    (
        Column("zone", "str", description="Zone code."),
        Column("fuel", "str", description="Fuel from fuels.csv."),
        Column(
            "subsidy_usd_per_mwh_th",
            "float",
            "USD/MWh_th",
            min=0,
            description="Price reduction given to generators while the scenario keeps fuel subsidies. A subsidy "
            "larger than the zone's fuel price is clipped to that price: generators never get paid to burn fuel.",
        ),
        SOURCE,
    ),
    key=("zone", "fuel"),
    foreign_keys={"zone": "zones", "fuel": "fuels"},
    optional=True,
)

ELECTRICITY_SUBSIDIES = TableSchema(
    "electricity_subsidies",
    "electricity_subsidies.csv",
    "Electricity tariff subsidies per zone and consumer class. A *fiscal* subsidy is paid by the treasury; a "
    "*cross* subsidy is paid by the zone's other consumers through a surcharge (zero fiscal cost: it moves consumer "
    "surplus only). Kept (scenario `subsidies.electricity: true`, or a share kept in "
    "`subsidies.electricity_share_kept`): reported as a fiscal cost (fiscal) or a transfer between consumers (cross); "
    "the LP is unchanged. Removed (a share 1 − k removed): the class's tariff rises by (1 − k) · subsidy and its "
    "demand responds with a constant elasticity, D_c' = D_c · ((tariff + (1 − k) · subsidy) / tariff)^ε; every "
    "hour of the zone is scaled by 1 + Σ_c share_c · (D_c'/D_c − 1). A cross-subsidy's removal leaves demand "
    "unchanged: the beneficiaries' cut and the payers' rise (their surcharge goes) cancel to first order at one "
    "tariff and elasticity.",
    (
        Column("zone", "str", description="Zone code."),
        Column(
            "consumer_class",
            "str",
            required=False,
            default="all",
            informational=True,
            description="Consumer class that receives the subsidy, e.g. residential, residential_agricultural, "
            "all (labels only; the model does not read it: the class is its share, tariff and elasticity).",
        ),
        Column(
            "kind",
            "str",
            required=False,
            default="fiscal",
            allowed=("fiscal", "cross"),
            description="fiscal: paid by the treasury (fiscal cost); cross: paid by other consumers through a "
            "surcharge (no fiscal cost; its removal leaves demand unchanged).",
        ),
        Column(
            "demand_share_pu",
            "float",
            "pu",
            required=False,
            default=1.0,
            min=0,
            max=1,
            min_exclusive=True,
            description="The class's share of the zone's demand (base year); the shares of a zone's classes of one "
            "kind sum to at most 1 (the rest is unsubsidised demand).",
        ),
        Column(
            "tariff_usd_per_mwh",
            "float",
            "USD/MWh",
            required=False,
            min=0,
            min_exclusive=True,
            description="Average tariff the class pays with the subsidy; required when the elasticity is below 0.",
        ),
        Column(
            "subsidy_usd_per_mwh",
            "float",
            "USD/MWh",
            min=0,
            description="Subsidy per MWh of the class's demand (cost-reflective tariff − tariff paid).",
        ),
        Column(
            "elasticity",
            "float",
            "-",
            max=0,
            description="Constant price elasticity of the class's demand ε (≤ 0) in D · ((tariff + Δ) / tariff)^ε.",
        ),
        SOURCE,
    ),
    key=("zone", "consumer_class"),
    foreign_keys={"zone": "zones"},
    optional=True,
)

DEMAND_GROWTH = TableSchema(
    "demand_growth",
    "demand_growth.csv",
    "Annual demand per zone and year; the hourly base-year profile is scaled to the planning year's total. A listed "
    "year is used as is; between two listed years y0 < y < y1 the total is interpolated geometrically (constant "
    "growth rate), D = D0 · (D1 / D0)^((y − y0) / (y1 − y0)) (D1 when D0 = 0); a year outside a zone's listed "
    "range is an error. Zones without rows keep the base-year series.",
    (
        Column("zone", "str", description="Zone code."),
        Column("year", "int", min=2000, max=2100, description="Calendar year."),
        Column("demand_twh", "float", "TWh", min=0, description="Annual electricity demand."),
        SOURCE,
    ),
    key=("zone", "year"),
    foreign_keys={"zone": "zones"},
    optional=True,
)

COST_TRAJECTORIES = TableSchema(
    "cost_trajectories",
    "cost_trajectories.csv",
    "Capital cost of a technology in a year relative to the value in technologies.csv (storage.csv for battery, "
    "links.csv for technology `link`); used by pathways (grid_model.pathway), which interpolate linearly between "
    "listed years and hold the first and last values outside them. A one-year run does not read it.",
    (
        Column("technology", "str", description="A technology of technologies.csv, or `link` (interconnectors)."),
        Column("year", "int", min=2000, max=2100, description="Calendar year."),
        Column("capex_factor", "float", min=0, min_exclusive=True, description="Capex in that year ÷ the table's."),
        SOURCE,
    ),
    key=("technology", "year"),
    optional=True,
)

RETIREMENTS = TableSchema(
    "retirements",
    "retirements.csv",
    "Existing capacity (generators.csv `p_nom_mw`) out of service from 1 January of `year` on; a pathway period "
    "has the zone's existing capacity of the technology less every row with year ≤ the period's year (never "
    "below zero). A one-year run does not read it.",
    (
        Column("zone", "str", description="Zone code."),
        Column("technology", "str", description="Technology of the retiring units."),
        Column("year", "int", min=2000, max=2100, description="First year the capacity is out of service."),
        Column("retired_mw", "float", "MW", min=0, description="Capacity retired that year."),
        SOURCE,
    ),
    foreign_keys={"zone": "zones", "technology": "technologies"},  # no key: several events may share a year
    optional=True,
)

COMMISSIONING = TableSchema(
    "commissioning",
    "commissioning.csv",
    "When projects can enter service in a pathway: `committed` projects enter at `year` with `mw` (a floor on the "
    "asset's capacity from that period on, in every links case); `earliest` candidates cannot be built in a period "
    "before `year`. A committed hydro plant adds `mw` of turbine capacity and scales its inflow and reservoir by "
    "the same ratio (the zone fleet's capacity factor, an assumption); hydro cannot be `earliest`. A one-year run "
    "does not read it (committed links there use links.csv `p_nom_min_mw`).",
    (
        Column(
            "asset", "str", description="A link (links.csv), generator (generators.csv) or hydro plant (hydro.csv)."
        ),
        Column("kind", "str", allowed=("link", "generator", "hydro"), description="Which table `asset` is in."),
        Column("year", "int", min=2000, max=2100, description="Earliest (or committed) year in service."),
        Column("mode", "str", allowed=("committed", "earliest"), description="committed: built; earliest: may be."),
        Column(
            "mw", "float", "MW", min=0, required=False, default=0.0, description="Capacity a committed project adds."
        ),
        SOURCE,
    ),
    key=("asset",),
    optional=True,
)

TABLES: tuple[TableSchema, ...] = (
    ZONES,
    FUELS,
    FUEL_PRICES,
    TECHNOLOGIES,
    GENERATORS,
    STORAGE,
    HYDRO,
    LINKS,
    FUEL_SUBSIDIES,
    ELECTRICITY_SUBSIDIES,
    DEMAND_GROWTH,
    COST_TRAJECTORIES,
    RETIREMENTS,
    COMMISSIONING,
)

TIMESERIES_DOC = """\
Time series live in `timeseries/`, one row per hour of the base year, first column `timestep` (0 … n−1):

| file | columns | unit |
|---|---|---|
| `timesteps.csv` | `timestep`, `datetime` (optional, local standard time, ISO), `weight_h` (hours of the year the step stands for; sums to 8,760), optional `duration_h` (chronological length, default = weight) and `period` (storage cycles within each period, default one period) | h |
| `demand_mw.csv` | one column per zone | MW |
| `availability_pu.csv` | one column per profile named in generators.csv `profile` | pu of capacity |
| `inflow_mw_<hydrology>.csv` | one column per `inflow` named in hydro.csv; `<hydrology>` is chosen by the scenario | MW |
"""


def schema_markdown() -> str:
    """The docs table of every dataset table, generated from the schemas above."""
    out = ["# Dataset schema", "", "Generated from `grid_model/schema.py`; do not edit by hand.", ""]
    for t in TABLES:
        out += [f"## `{t.file}`" + (" (optional)" if t.optional else ""), "", t.description, ""]
        out += ["| column | type | unit | required | default | description |", "|---|---|---|---|---|---|"]
        for c in t.columns:
            default = "" if c.default is None else repr(c.default)
            desc = c.description + (f" One of: {', '.join(c.allowed)}." if c.allowed else "")
            desc = ("*Informational.* " if c.informational else "") + desc
            out.append(f"| `{c.name}` | {c.dtype} | {c.unit} | {'yes' if c.required else 'no'} | {default} | {desc} |")
        out.append("")
    out += ["## Time series", "", TIMESERIES_DOC]
    return "\n".join(out)
