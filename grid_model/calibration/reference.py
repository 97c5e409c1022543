"""The 2023 reference the calibration is checked against, read from the sourced CSV files in
``data/pacific/calibration/`` (:data:`REFERENCE_DIR`).

Every file has a ``source`` column; units are in the column names. Each file is read with the dataset machinery
(:func:`grid_model.dataset.read_table` and a :class:`~grid_model.schema.TableSchema`), so a bad value stops with
one :class:`~grid_model.errors.InputError` line naming the file, row and column.

- ``reference_ember_2023.csv`` — zone, category, generation_twh: Ember 2023 (OWID extract; MX bio+geothermal split
  with IRENA 2022 geothermal, as in the dataset).
- ``reference_zones_2023.csv`` — zone, demand_twh, net_imports_twh: Ember 2023 demand and net imports.
- ``estimated_additions_2023.csv`` — zone, category, reported_gwh, reported_year, months_operating: generation Ember
  omits, estimated as the reported output annualised over the months the plant ran (SV LNG plant).
- ``operator_mix_2023.csv`` — zone, category, share_pct, production_gwh: an operator's production mix replacing
  Ember's for the zone (CR, ICE-DOCSE). A ``a+b`` category is split in Ember's ratio; an empty share is the rest.
- ``corrections_2023.csv`` — zone, what, basis: each correction as the report lists it, with its full sources.
- ``reference_links_2023.csv`` — link, exporter, importer: reported net direction of trade on existing links.
- ``tolerances.csv`` — criterion, value: the acceptance tolerances (unit in the criterion's name).
- ``exceptions.csv`` — zone, category, tolerance_pp, reason: the only pairs with their own tolerance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from grid_model.datagen.common import ZONES
from grid_model.dataset import read_table
from grid_model.errors import InputError
from grid_model.schema import GENERATION_CATEGORIES, RENEWABLE_CATEGORIES, SOURCE, Column, TableSchema

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "pacific" / "calibration"
"""Where the reference CSV files (and the committed report from the full-year run) live."""

GWH_PER_TWH = 1000.0
MONTHS_PER_YEAR = 12
PERCENT = 100.0
GROUP_SEPARATOR = "+"
"""Joins categories an operator reports together (``bioenergy+solar``); split in Ember's ratio."""

# ---------------------------------------------------------------------------------------------
# Table schemas (same machinery as the dataset tables)

_ZONE = Column("zone", "str", allowed=ZONES, description="Zone code.")
_CATEGORY = Column("category", "str", allowed=GENERATION_CATEGORIES, description="Generation category.")
_RELIABILITY = Column(
    "reliability", "str", required=False, default="", description="R, R-press or D (derived), as in the notes."
)

EMBER = TableSchema(
    "reference_ember",
    "reference_ember_2023.csv",
    "Ember 2023 generation per zone and category.",
    (_ZONE, _CATEGORY, Column("generation_twh", "float", "TWh", min=0, description="Annual generation."), SOURCE),
    key=("zone", "category"),
)
ZONE_TOTALS = TableSchema(
    "reference_zones",
    "reference_zones_2023.csv",
    "Ember 2023 demand and net imports per zone.",
    (
        _ZONE,
        Column("demand_twh", "float", "TWh", min=0, min_exclusive=True, description="Annual demand."),
        Column("net_imports_twh", "float", "TWh", description="Net imports (negative: net exporter)."),
        SOURCE,
    ),
    key=("zone",),
)
ADDITIONS = TableSchema(
    "estimated_additions",
    "estimated_additions_2023.csv",
    "Generation Ember omits, estimated from a reported partial year, added to Ember's figure.",
    (
        _ZONE,
        _CATEGORY,
        Column("reported_gwh", "float", "GWh", min=0, description="Reported output in reported_year."),
        Column("reported_year", "int", min=2000, max=2100, description="Year of the reported output."),
        Column("months_operating", "float", "months", min=0, max=12, min_exclusive=True, description="Months run."),
        _RELIABILITY,
        SOURCE,
    ),
    key=("zone", "category"),
)
OPERATOR_MIX = TableSchema(
    "operator_mix",
    "operator_mix_2023.csv",
    "An operator's production mix replacing Ember's for a zone.",
    (
        _ZONE,
        Column("category", "str", description="Category, or categories joined by '+' (split in Ember's ratio)."),
        Column("share_pct", "float", "%", required=False, min=0, max=100, description="Empty: the remainder."),
        Column("production_gwh", "float", "GWh", min=0, min_exclusive=True, description="Operator's total."),
        _RELIABILITY,
        SOURCE,
    ),
    key=("zone", "category"),
)
CORRECTIONS = TableSchema(
    "corrections",
    "corrections_2023.csv",
    "The corrections to Ember as the report lists them.",
    (
        Column("zone", "str", description="Zone code, or a note such as '(demand)'."),
        Column("what", "str", description="What was changed."),
        Column("basis", "str", required=False, default="", description="The zone's generation basis afterwards."),
        _RELIABILITY,
        Column("source", "str", description="Sources and derivation."),
    ),
    key=("zone",),
)
LINK_DIRECTIONS = TableSchema(
    "reference_links",
    "reference_links_2023.csv",
    "Reported 2023 net direction of trade on existing links.",
    (
        Column("link", "str", description="Link id as in the dataset's links.csv."),
        Column("exporter", "str", allowed=ZONES, description="Net exporting end."),
        Column("importer", "str", allowed=ZONES, description="Net importing end."),
        Column("source", "str", description="Where the direction is reported."),
    ),
    key=("link",),
)
TOLERANCE_NAMES = (
    "share_close_pp",
    "share_max_pp",
    "share_close_min_fraction",
    "renewable_pp",
    "demand_max_error_fraction",
    "unserved_max_fraction",
    "net_trade_min_twh",
)
TOLERANCES = TableSchema(
    "tolerances",
    "tolerances.csv",
    "Acceptance tolerances; the unit is in the criterion's name.",
    (
        Column("criterion", "str", allowed=TOLERANCE_NAMES, description="Tolerance name (unit suffix)."),
        Column("value", "float", min=0, description="Tolerance."),
        Column("description", "str", required=False, default="", description="What it bounds."),
        SOURCE,
    ),
    key=("criterion",),
)
EXCEPTIONS = TableSchema(
    "exceptions",
    "exceptions.csv",
    "Pairs whose tolerance replaces the general one; category 'renewable' = the zone's renewable share.",
    (
        _ZONE,
        Column("category", "str", allowed=(*GENERATION_CATEGORIES, "renewable"), description="Category."),
        Column("tolerance_pp", "float", "pp", min=0, description="The pair's own tolerance."),
        Column("reason", "str", description="Why this pair differs."),
        SOURCE,
    ),
    key=("zone", "category"),
)


def read_reference_table(schema: TableSchema, folder: Path = REFERENCE_DIR) -> pd.DataFrame:
    """Read and validate one reference CSV (errors name file, row and column)."""
    path = Path(folder) / schema.file
    if not path.exists():
        raise InputError("reference table is missing", file=str(path))
    return read_table(path, schema, label=str(path))


# ---------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class Correction:
    """One documented change to the Ember 2023 figures for a zone."""

    zone: str
    what: str
    source: str


@dataclass(frozen=True)
class ShareException:
    """An explicit, documented tolerance that replaces the general one for one zone and category
    (``category == "renewable"`` for the renewable share)."""

    zone: str
    category: str
    tolerance_pp: float
    reason: str


@dataclass(frozen=True)
class LinkExpectation:
    """The reported net direction of trade on one existing link."""

    link: str
    exporter: str
    importer: str
    source: str


@dataclass(frozen=True)
class Tolerances:
    """The acceptance tolerances (``tolerances.csv``) and the listed exceptions (``exceptions.csv``)."""

    share_close_pp: float
    share_max_pp: float
    share_close_min_fraction: float
    renewable_pp: float
    demand_max_error_fraction: float
    unserved_max_fraction: float
    net_trade_min_twh: float
    exceptions: tuple[ShareException, ...] = ()

    def for_pair(self, zone: str, category: str, default: float) -> tuple[float, str]:
        """The tolerance (pp) and reason for one zone and category; ``default`` and "" unless listed."""
        for e in self.exceptions:
            if e.zone == zone and e.category == category:
                return e.tolerance_pp, e.reason
        return default, ""


def load_tolerances(folder: Path = REFERENCE_DIR) -> Tolerances:
    """The tolerances and exceptions from ``tolerances.csv`` and ``exceptions.csv``."""
    t = read_reference_table(TOLERANCES, folder)
    missing = [n for n in TOLERANCE_NAMES if n not in t.index]
    if missing:
        raise InputError(f"criterion '{missing[0]}' is missing", file=str(Path(folder) / TOLERANCES.file))
    exc = read_reference_table(EXCEPTIONS, folder)
    exceptions = tuple(
        ShareException(r.zone, r.category, float(r.tolerance_pp), r.reason) for r in exc.itertuples(index=False)
    )
    return Tolerances(**{n: float(t.loc[n, "value"]) for n in TOLERANCE_NAMES}, exceptions=exceptions)


@dataclass
class Reference:
    """Reported 2023 figures per zone: generation by category (TWh), demand and net imports (TWh), the
    corrections applied to Ember and the reported trade directions."""

    generation_twh: pd.DataFrame
    demand_twh: pd.Series
    net_imports_twh: pd.Series
    corrections: list[Correction] = field(default_factory=list)
    basis: dict[str, str] = field(default_factory=dict)
    links: tuple[LinkExpectation, ...] = ()

    def shares_pct(self) -> pd.DataFrame:
        """Share of each category in the zone's generation, percent (zones × categories)."""
        g = self.generation_twh
        total = sum(g[c] for c in g.columns)  # category by category, in column order (reproducible to the bit)
        return g.div(total, axis=0) * PERCENT

    def renewable_share_pct(self) -> pd.Series:
        """Renewable share of each zone's generation, percent (Ember's vocabulary: by category)."""
        return self.shares_pct()[list(RENEWABLE_CATEGORIES)].sum(axis=1)


# ---------------------------------------------------------------------------------------------
# Building the reference


def _ember_generation(folder: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Ember generation (zones × categories, TWh) and each zone's generation basis (its rows' sources)."""
    t = read_reference_table(EMBER, folder)
    gen = t.pivot(index="zone", columns="category", values="generation_twh")
    present = set(t.index)
    missing = [(z, c) for z in ZONES for c in GENERATION_CATEGORIES if f"{z}/{c}" not in present]
    if missing:
        z, c = missing[0]
        raise InputError(f"no row for zone {z}, category {c}", file=str(Path(folder) / EMBER.file))
    gen = gen.loc[list(ZONES), list(GENERATION_CATEGORIES)].astype(float)
    gen.index.name = "zone"
    gen.columns.name = None
    basis = {z: "; ".join(dict.fromkeys(t.loc[t["zone"] == z, "source"])) for z in ZONES}
    return gen, basis


def _apply_additions(gen: pd.DataFrame, folder: Path) -> None:
    """Add the estimated generation Ember omits: the reported output annualised over its months of operation."""
    for r in read_reference_table(ADDITIONS, folder).itertuples(index=False):
        estimate = r.reported_gwh * MONTHS_PER_YEAR / r.months_operating / GWH_PER_TWH
        gen.loc[r.zone, r.category] += estimate


def _operator_shares(rows: pd.DataFrame, ember: pd.Series, label: str) -> dict[str, float]:
    """One zone's generation (TWh by category) from its operator's mix; ``rows`` keep their file row number."""
    totals = rows["production_gwh"].unique()
    if len(totals) > 1:
        raise InputError(
            f"production_gwh differs within zone {rows['zone'].iloc[0]} ({totals[0]:g} vs {totals[1]:g})",
            file=label,
            row=int(rows["row"].iloc[list(rows["production_gwh"]).index(totals[1])]),
            column="production_gwh",
        )
    total = float(totals[0]) / GWH_PER_TWH
    out: dict[str, float] = {}
    remainder: str | None = None
    for r in rows.itertuples(index=False):
        cats = r.category.split(GROUP_SEPARATOR)
        bad = [c for c in cats if c not in GENERATION_CATEGORIES]
        if bad:
            raise InputError(f"'{bad[0]}' is not a generation category", file=label, row=r.row, column="category")
        if pd.isna(r.share_pct):
            if remainder is not None or len(cats) > 1:
                raise InputError("only one single-category row may take the remainder", file=label, row=r.row)
            remainder = r.category
        elif len(cats) == 1:
            out[r.category] = total * r.share_pct / PERCENT
        else:
            group = ember[cats]
            out.update({c: total * r.share_pct / PERCENT * float(v / group.sum()) for c, v in group.items()})
    if remainder is not None:
        out[remainder] = total - sum(out.values())
    return out


def _apply_operator_mix(gen: pd.DataFrame, folder: Path) -> None:
    """Replace a zone's generation by its operator's production mix (shares of the operator's total); categories
    the operator does not list are zero."""
    mix = read_reference_table(OPERATOR_MIX, folder).reset_index(drop=True)
    mix["row"] = mix.index + 1
    label = str(Path(folder) / OPERATOR_MIX.file)
    for zone, rows in mix.groupby("zone", sort=False):
        out = _operator_shares(rows, gen.loc[zone].copy(), label)
        gen.loc[zone] = 0.0
        for c, v in out.items():
            gen.loc[zone, c] = v


def reference_2023(operator_corrections: bool = True, folder: Path = REFERENCE_DIR) -> Reference:
    """Reported 2023 generation mix, renewable share, demand and net imports per zone.

    The base is Ember 2023 (``reference_ember_2023.csv``). With ``operator_corrections`` (the default) the zones
    the research notes flag as wrong in Ember are corrected, each with its source (``.corrections``):

    - **SV**: the LNG plant Ember omits is added (``estimated_additions_2023.csv``); all SV shares follow;
    - **CR**: the ICE-DOCSE 2023 production mix (``operator_mix_2023.csv``: 5.1 % thermal vs Ember's 0.1 %).

    Demand and net imports stay Ember's for every zone: they are what the dataset is built on (the operators'
    figures differ by scope — listed in the corrections and the report — and changing the reference without the
    input would only measure that scope gap). ``corrections_2023.csv`` rows whose zone is not a zone code (such as
    ``(demand)``) are notes on what was *not* corrected and are listed with or without ``operator_corrections``.
    """
    folder = Path(folder)
    gen, basis = _ember_generation(folder)
    zones = read_reference_table(ZONE_TOTALS, folder).set_index("zone").reindex(list(ZONES))
    if zones["demand_twh"].isna().any():
        z = zones.index[zones["demand_twh"].isna()][0]
        raise InputError(f"no row for zone {z}", file=str(folder / ZONE_TOTALS.file))
    if operator_corrections:
        _apply_additions(gen, folder)
        _apply_operator_mix(gen, folder)
    corrections: list[Correction] = []
    for r in read_reference_table(CORRECTIONS, folder).itertuples(index=False):
        if r.zone in ZONES and not operator_corrections:
            continue  # a zone's correction; notes such as '(demand)' are listed either way
        corrections.append(Correction(r.zone, r.what, r.source))
        if r.basis and r.zone in basis:
            basis[r.zone] = r.basis
    links = tuple(
        LinkExpectation(r.link, r.exporter, r.importer, r.source)
        for r in read_reference_table(LINK_DIRECTIONS, folder).itertuples(index=False)
    )
    demand = zones["demand_twh"].rename("demand_twh").rename_axis(None)
    net = zones["net_imports_twh"].rename("net_imports_twh").rename_axis(None)
    return Reference(gen, demand, net, corrections, basis, links)
