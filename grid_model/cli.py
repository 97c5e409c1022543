"""Command line: ``grid-model run | validate | compare | schema``."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from grid_model.errors import GridModelError

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Plan interconnectors and subsidy reform for the Pacific Alliance, SIEPAC and Ecuador grids.\n\n"
    "Each scenario is a YAML file in scenarios/ naming a dataset in data/. Results are tables (CSV), "
    "hourly series (Parquet) and summary.json in results/<scenario>/. Units: USD, MW, MWh, tCO2.",
)
console = Console(stderr=True)
out = Console(soft_wrap=True)


def _fail(exc: BaseException) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2 if isinstance(exc, GridModelError) else 1)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:  # Pyomo logs an interrupted construction as an error; the CLI says it in one line instead
        logging.getLogger("pyomo").setLevel(logging.CRITICAL)


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/base.yaml"),
    out_dir: Path | None = typer.Option(None, "--out", help="Results folder (default: results/<scenario name>)"),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Stop HiGHS after this many seconds (an error, "
                                            "nothing written; the solver log is kept)"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step"),
) -> None:
    """Solve one scenario and write its results folder (tables, hourly series, summary.json, solver.log)."""
    from grid_model.pipeline import run_scenario_file

    _setup_logging(verbose)
    overrides = {"time_limit": float(time_limit)} if time_limit else None
    try:
        with console.status("starting") as status:
            res, folder = run_scenario_file(scenario, out_dir, progress=lambda msg: status.update(msg),
                                            solver_overrides=overrides)
    except GridModelError as exc:
        _fail(exc)
        return
    s = res.summary
    table = Table(title=f"{s['scenario']} → {folder}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    table.add_row("system cost (economic, USD bn/yr)", f"{s['system_cost_usd'] / 1e9:,.3f}")
    table.add_row("objective as dispatched (USD bn/yr)", f"{s['objective_usd'] / 1e9:,.3f}")
    table.add_row("fiscal cost of subsidies (USD bn/yr)", f"{s['subsidy_cost_usd'] / 1e9:,.3f}")
    table.add_row("renewable share", f"{s['renewable_share']:.1%}")
    table.add_row("non-conventional renewable share", f"{s['non_conventional_renewable_share']:.1%}")
    table.add_row("CO2 (Mt)", f"{s['co2_mt']:,.1f}")
    table.add_row("demand (TWh)", f"{s['demand_twh']:,.1f}")
    table.add_row("unserved (TWh)", f"{s['unserved_twh']:,.4f}")
    out.print(table)
    if s["unserved_twh"] > 1e-3 * max(s["demand_twh"], 1e-9):
        console.print(f"[yellow]warning:[/] {s['unserved_twh']:,.3f} TWh of demand is not served; see prices.csv "
                      "(unserved_twh by zone)")


@app.command()
def validate(
    scenarios: list[Path] = typer.Argument(None, help="Scenario files to check (default: every file in scenarios/)"),
) -> None:
    """Check data and scenario files; exits non-zero with a one-line message naming file, row and column."""
    from grid_model.scenario import load_run_inputs

    paths = scenarios or sorted(Path("scenarios").glob("*.yaml"))
    if not paths:
        _fail(GridModelError("no scenario files given and none found in scenarios/"))
    for p in paths:
        try:
            _sc, ds = load_run_inputs(p)
        except GridModelError as exc:
            _fail(exc)
            return
        out.print(f"[green]ok[/] {p}: {len(ds.zones)} zones, {len(ds.tables['generators'])} generators, "
                  f"{len(ds.tables['links'])} links, {len(ds.timesteps)} timesteps")


@app.command()
def compare(
    scenarios: list[Path] = typer.Argument(
        None, help="Scenario files (default: the headline set scenarios/base, interconnect, no_subsidies, integrated)"),
    out_dir: Path = typer.Option(Path("results/compare"), "--out", help="Folder for the runs, tables, figures and report"),
    base: str | None = typer.Option(None, "--base", help="Scenario the deltas are measured against (default: base)"),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Draw the report figures"),
    warm: bool = typer.Option(True, "--warm/--cold", help="Re-use one HiGHS model across scenarios where possible"),
    time_limit: float | None = typer.Option(None, "--time-limit", help="Stop HiGHS after this many seconds per scenario"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step"),
) -> None:
    """Run several scenarios and compare cost, fiscal cost, renewable share, CO2, prices and trade side by side.

    Writes one results folder per scenario plus comparison.csv/.md, countries.csv, borders.csv,
    new_capacity.csv, figures/ and report.md/.html into --out.
    """
    from grid_model.compare import comparison_table, default_scenarios, headline_markdown, run_compare

    _setup_logging(verbose)
    paths = scenarios or default_scenarios()
    try:
        with console.status("starting") as status:
            results, folder = run_compare(paths, out_dir, base=base, figures=figures, warm=warm,
                                          progress=lambda msg: status.update(msg),
                                          solver_overrides={"time_limit": float(time_limit)} if time_limit else None)
    except GridModelError as exc:
        _fail(exc)
        return
    comp = comparison_table(results, base or ("base" if "base" in results else next(iter(results))))
    out.print(headline_markdown(comp), markup=False, highlight=False)
    out.print(f"\nwritten to {folder} (report: {folder / 'report.md'})")


@app.command()
def schema() -> None:
    """Print the dataset schema (every table, column, unit and default) as Markdown."""
    from grid_model.schema import schema_markdown

    out.print(schema_markdown(), markup=False, highlight=False)


def _terminate(signum, _frame) -> None:  # pragma: no cover - exercised by a subprocess test
    console.print("interrupted: no results were written (an earlier results folder is left as it was)")
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> None:  # pragma: no cover
    """Entry point: Ctrl-C or a kill (SIGTERM) unwinds the stack, so temporary folders and locks are removed."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
