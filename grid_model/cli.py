"""Command line: ``grid-model run | validate | compare | projects | sweep | calibrate | export | vss | schema``."""

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
DB_HELP = (
    "Append the tables to this DuckDB file (created if new; one table per result table, tagged with scenario, "
    "member, run_id and run_time; schema: docs/results_db.md)"
)
out = Console(soft_wrap=True)


def _fail(exc: BaseException) -> None:
    console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
    raise typer.Exit(code=2 if isinstance(exc, GridModelError) else 1)


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not verbose:  # Pyomo logs an interrupted construction as an error; the CLI says it in one line instead
        logging.getLogger("pyomo").setLevel(logging.CRITICAL)


def _say_outputs(workbook: Path | None, db: Path | None) -> None:
    if workbook is not None:
        out.print(f"workbook: {workbook}")
    if db is not None:
        out.print(f"appended to the results database {db}")


@app.command()
def run(
    scenario: Path = typer.Argument(..., help="Scenario YAML file, e.g. scenarios/base.yaml"),
    out_dir: Path | None = typer.Option(None, "--out", help="Results folder (default: results/<scenario name>)"),
    time_limit: float | None = typer.Option(
        None,
        "--time-limit",
        help="Stop HiGHS after this many seconds (an error, nothing written; the solver log is kept)",
    ),
    xlsx: bool = typer.Option(
        False, "--xlsx", help="Also write results.xlsx: the summary and every table, one sheet each"
    ),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step"),
) -> None:
    """Solve one scenario and write its results folder (tables, hourly series, summary.json, solver.log)."""
    from grid_model.pipeline import run_scenario_file

    _setup_logging(verbose)
    overrides = {"time_limit": float(time_limit)} if time_limit else None
    try:
        with console.status("starting") as status:
            res, folder = run_scenario_file(
                scenario, out_dir, progress=lambda msg: status.update(msg), solver_overrides=overrides, xlsx=xlsx, db=db
            )
    except GridModelError as exc:
        _fail(exc)
        return
    s = res.summary
    if s.get("kind") == "pathway":
        _print_pathway(res, folder)
        _say_outputs(folder / "results.xlsx" if xlsx else None, db)
        return
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
    _say_outputs(folder / "results.xlsx" if xlsx else None, db)
    if s["unserved_twh"] > 1e-3 * max(s["demand_twh"], 1e-9):
        console.print(
            f"[yellow]warning:[/] {s['unserved_twh']:,.3f} TWh of demand is not served; see prices.csv "
            "(unserved_twh by zone)"
        )


def _print_pathway(res, folder: Path) -> None:
    """A pathway's totals and one line per period."""
    s = res.summary
    out.print(
        f"{s['scenario']} → {folder}: {s['foresight']} foresight, {s['years'][0]}–{s['end_year']}; "
        f"NPV of system cost {s['npv_system_cost_usd'] / 1e9:,.2f} bn USD ({s['base_year']} USD at "
        f"{s['discount_rate']:.0%}); cumulative CO2 {s['cumulative_co2_mt']:,.0f} Mt",
        highlight=False,
    )
    table = Table(title="by period (annual figures)")
    for col in (
        "period",
        "system cost (USD bn/yr)",
        "renewable share",
        "CO2 (Mt/yr)",
        "built (MW)",
        "subsidies (USD bn/yr)",
    ):
        table.add_column(col, justify="right")
    for _i, r in res.tables["periods"].iterrows():
        table.add_row(
            str(int(r["period"])),
            f"{r['system_cost_usd'] / 1e9:,.3f}",
            f"{r['renewable_share']:.1%}",
            f"{r['co2_mt']:,.1f}",
            f"{r['built_mw']:,.0f}",
            f"{r['subsidy_cost_usd'] / 1e9:,.3f}",
        )
    out.print(table)


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
        out.print(
            f"[green]ok[/] {p}: {len(ds.zones)} zones, {len(ds.tables['generators'])} generators, "
            f"{len(ds.tables['links'])} links, {len(ds.timesteps)} timesteps"
        )


@app.command()
def compare(
    scenarios: list[Path] = typer.Argument(
        None, help="Scenario files (default: the headline set scenarios/base, interconnect, no_subsidies, integrated)"
    ),
    out_dir: Path = typer.Option(
        Path("results/compare"), "--out", help="Folder for the runs, tables, figures and report"
    ),
    base: str | None = typer.Option(None, "--base", help="Scenario the deltas are measured against (default: base)"),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Draw the report figures"),
    warm: bool = typer.Option(True, "--warm/--cold", help="Re-use one HiGHS model across scenarios where possible"),
    time_limit: float | None = typer.Option(
        None, "--time-limit", help="Stop HiGHS after this many seconds per scenario"
    ),
    workers: int | None = typer.Option(
        None,
        "--workers",
        min=1,
        help="Processes solving scenario groups in parallel (default: 2, or the number of cores if lower)",
    ),
    xlsx: bool = typer.Option(
        False, "--xlsx", help="Also write comparison.xlsx: summaries, comparison tables and every run table"
    ),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
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
        if _compare_pathways(paths, out_dir, base, figures, workers, xlsx or db is not None):
            return
        with console.status("starting") as status:
            results, folder = run_compare(
                paths,
                out_dir,
                base=base,
                figures=figures,
                warm=warm,
                progress=lambda msg: status.update(msg),
                solver_overrides={"time_limit": float(time_limit)} if time_limit else None,
                workers=workers,
                xlsx=xlsx,
                db=db,
            )
    except GridModelError as exc:
        _fail(exc)
        return
    comp = comparison_table(results, base or ("base" if "base" in results else next(iter(results))))
    out.print(headline_markdown(comp), markup=False, highlight=False)
    out.print(f"\nwritten to {folder} (report: {folder / 'report.md'})")
    _say_outputs(folder / "comparison.xlsx" if xlsx else None, db)


def _compare_pathways(
    paths: list[Path], out_dir: Path, base: str | None, figures: bool, workers: int | None, outputs: bool
) -> bool:
    """Compare pathway scenarios (grid_model.pathway_compare) if these are; False if they are one-year scenarios."""
    from grid_model.errors import InputError
    from grid_model.pathway_compare import load_pathways, pathways_table, run_pathway_compare

    scenarios = load_pathways(paths)
    if scenarios is None:
        return False
    if outputs:
        raise InputError("--xlsx and --db are not available for pathway comparisons yet (the CSVs hold every table)")
    with console.status("starting") as status:
        runs, folder = run_pathway_compare(
            scenarios, out_dir, base=base, progress=lambda msg: status.update(msg), figures=figures, workers=workers
        )
    ref = base or ("base" if "base" in runs else next(iter(runs)))
    table = Table(title=f"pathways → {folder} (NPV in USD bn, {next(iter(runs.values())).summary['base_year']} USD)")
    for col in ("scenario", "NPV system cost", f"Δ vs {ref}", "NPV subsidies", "CO2 (Mt, cumulative)", "links (MW)"):
        table.add_column(col, justify="right")
    for _i, r in pathways_table(runs, ref).iterrows():
        table.add_row(
            r["scenario"],
            f"{r['npv_system_cost_usd'] / 1e9:,.2f}",
            f"{r['npv_delta_vs_base_usd'] / 1e9:+,.2f}",
            f"{r['npv_subsidy_cost_usd'] / 1e9:,.2f}",
            f"{r['cumulative_co2_mt']:,.0f}",
            f"{r['interconnector_built_mw']:,.0f}",
        )
    out.print(table)
    out.print(f"written to {folder} (report: {folder / 'report.md'})")
    return True


@app.command()
def projects(
    scenarios: list[Path] = typer.Argument(
        None, help="Scenario files (default: scenarios/interconnect.yaml, the headline 2030 case with candidates)"
    ),
    method: str = typer.Option("both", "--method", help="toot (take one out), pint (put in one) or both"),
    out_dir: Path = typer.Option(Path("results/projects"), "--out", help="Folder for the tables, figures, report"),
    project: list[str] = typer.Option(None, "--project", help="Value only this project (repeatable)"),
    existing: bool = typer.Option(False, "--existing", help="Also value existing links (at replacement cost)"),
    short_run: bool = typer.Option(
        False, "--short-run", help="Fix generation and storage capacity to the reference plan (default: re-optimise)"
    ),
    figures: bool = typer.Option(True, "--figures/--no-figures", help="Draw the report figures"),
    warm: bool = typer.Option(True, "--warm/--cold", help="Re-use one HiGHS model across the cases"),
    xlsx: bool = typer.Option(False, "--xlsx", help="Also write projects.xlsx (both tables, units, formats)"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step"),
) -> None:
    """Value each interconnector project (TOOT and PINT): net benefit, B/C, break-even capex, CO2, curtailment,
    and who gains per country. Writes projects.csv, projects_countries.csv, figures/ and report.md/.html."""
    from grid_model.errors import InputError
    from grid_model.projects import DEFAULT_SCENARIO, METHODS, run_projects

    _setup_logging(verbose)
    methods = METHODS if method == "both" else (method,)
    try:
        if method not in (*METHODS, "both"):
            raise InputError(f"--method must be toot, pint or both (got '{method}')")
        with console.status("starting") as status:
            table, _countries, folder = run_projects(
                scenarios or [DEFAULT_SCENARIO],
                out_dir,
                methods=methods,
                short_run=short_run,
                only=project or None,
                existing=existing,
                warm=warm,
                figures=figures,
                progress=lambda msg: status.update(msg),
                xlsx=xlsx,
            )
    except GridModelError as exc:
        _fail(exc)
        return
    show = Table(title=f"interconnector projects → {folder}")
    for col in ("project", "method", "net benefit (M USD/yr)", "B/C", "CO2 (Mt)"):
        show.add_column(col, justify="left" if col in ("project", "method") else "right")
    for r in table.itertuples():
        show.add_row(
            r.project,
            r.method,
            f"{r.net_benefit_usd / 1e6:,.1f}",
            f"{r.benefit_cost_ratio:.2f}",
            f"{r.co2_change_mt:+.3f}",
        )
    out.print(show)


@app.command()
def vss(
    scenario: Path = typer.Argument(
        ..., help="A scenario with a set of hydrologies, e.g. scenarios/stochastic/base.yaml"
    ),
    mean: str = typer.Option("average", "--mean", help="The hydrology a mean-year plan is made for"),
    out_dir: Path | None = typer.Option(None, "--out", help="Output folder (default: results/<scenario>_vss)"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step"),
) -> None:
    """Value of planning for the hydrology mix: the plan for the mix, the plan for the mean year, that plan
    operated across the mix, and VSS = its expected cost − the stochastic optimum (vss.csv, vss_capacity.csv)."""
    from grid_model.scenario import load_scenario
    from grid_model.stochastic_value import value_of_stochastic_solution

    _setup_logging(verbose)
    try:
        sc = load_scenario(scenario)
        folder = out_dir or Path("results") / f"{sc.name}_vss"
        with console.status("solving the stochastic plan, the mean-year plan and that plan under the mix"):
            row = value_of_stochastic_solution(sc, folder, mean).iloc[0]
    except GridModelError as exc:
        _fail(exc)
        return
    out.print(
        f"value of the stochastic solution: {row.vss_usd / 1e6:,.1f} M USD/yr "
        f"(mean-year plan {row.mean_plan_expected_cost_usd / 1e6:,.1f}, plan for the mix "
        f"{row.stochastic_objective_usd / 1e6:,.1f}) → {folder}"
    )


@app.command()
def sweep(
    spec: Path = typer.Argument(..., help="Sweep YAML file, e.g. scenarios/sweeps/example_sweep.yaml"),
    out_dir: Path | None = typer.Option(None, "--out", help="Output folder (default: results/<sweep file name>)"),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Address of a running dask scheduler, e.g. tcp://10.0.0.5:8786 (default: start a local cluster)",
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Worker processes of the local cluster (default: one per core)"
    ),
    members: bool = typer.Option(
        False, "--members/--no-members", help="Also write each member's results folder to OUT/members/"
    ),
    warm: bool = typer.Option(
        True, "--warm/--cold", help="Re-solve members that share an LP structure warm on each worker"
    ),
    db: Path | None = typer.Option(None, "--db", help=DB_HELP),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step"),
) -> None:
    """Solve a grid or a sample of scenario variants in parallel (dask) and gather them into OUT/sweep.csv.

    A member that fails is a row with status=failed and its error; the others still run. Exits with code 1
    when any member failed (the table is still written).
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from grid_model.sweep import run_sweep

    _setup_logging(verbose)
    folder = out_dir or Path("results") / spec.stem
    columns = (
        TextColumn("sweep"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("[dim]{task.fields[last]}"),
    )
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("sweep", total=None, last="starting the cluster")

            def show(done: int, total: int, message: str) -> None:
                bar.update(
                    task, completed=done, total=total, last=message if len(message) <= 70 else message[:69] + "…"
                )

            df = run_sweep(spec, folder, scheduler, workers, show, write_members=members, warm=warm, db=db)
    except GridModelError as exc:
        _fail(exc)
        return
    failed = df[df["status"] != "ok"]
    if len(df) <= 30:
        table = Table(title=f"{spec.name} → {folder / 'sweep.csv'}")
        for col in ("member", "status", "system cost (USD bn/yr)", "CO2 (Mt)", "renewable share"):
            table.add_column(col, justify="left" if col in ("member", "status") else "right")
        for _, r in df.iterrows():
            ok = r["status"] == "ok"
            table.add_row(
                r["member"],
                r["status"] if ok else "[red]failed[/]",
                f"{r['system_cost_usd'] / 1e9:,.3f}" if ok else "",
                f"{r['co2_mt']:,.2f}" if ok else "",
                f"{r['renewable_share']:.1%}" if ok else "",
            )
        out.print(table)
    out.print(f"{len(df) - len(failed)} of {len(df)} members solved → {folder / 'sweep.csv'}")
    _say_outputs(None, db)
    for _, r in failed.iterrows():
        console.print(f"[bold red]failed:[/] {r['member']}: {r['error']}", highlight=False, soft_wrap=True)
    if len(failed):
        raise typer.Exit(code=1)


@app.command()
def calibrate(
    results_dir: Path = typer.Argument(
        ...,
        help="Results folder of a 2023 calibration run, made with: grid-model run scenarios/calibration_2023.yaml",
    ),
    out_dir: Path = typer.Option(
        Path("results/calibration"),
        "--out",
        help="Folder the report is written to: calibration.csv, calibration.md and calibration.png/.svg",
    ),
    reduced_dir: Path | None = typer.Option(
        None,
        "--reduced",
        help="Optional: results of the same scenario run at a coarser time resolution (e.g. 3-hour steps, as the "
        "test does). The report then says how far its shares are from RESULTS_DIR's (the full-year run)",
    ),
    hurdle_dir: Path | None = typer.Option(
        None,
        "--hurdle",
        help="Optional: results of the same scenario with hurdle costs on the links (and the same time resolution "
        "as --reduced when given, else as RESULTS_DIR). The report then gives the trade the hurdles removed",
    ),
) -> None:
    """Check a 2023 calibration run against what was reported for 2023 and write the report.

    Compares each zone's generation mix, renewable share, demand, unserved energy and trade direction with Ember 2023 as corrected by the national operators, each border's flow each way and each zone's price level with the sourced 2023 figures (sourced figures, bands and tolerances: data/pacific/calibration/*.csv).

    Prints each acceptance criterion with pass/FAIL; exits 1 if any fails, 2 if an input file is wrong.
    """
    from grid_model.calibration import compare as compare_2023
    from grid_model.calibration import write_report

    try:
        cal = compare_2023(results_dir)
        pair = None if hurdle_dir is None else (reduced_dir or results_dir, hurdle_dir)
        paths = write_report(results_dir, out_dir, reduced_dir, calibration=cal, hurdle_pair=pair)
    except (GridModelError, FileNotFoundError) as exc:
        _fail(exc if isinstance(exc, GridModelError) else GridModelError(f"{exc.filename}: not found"))
        return
    table = Table(title=f"2023 calibration of {results_dir}")
    table.add_column("criterion")
    table.add_column("result")
    table.add_column("", justify="center")
    for r in cal.criteria.itertuples():
        table.add_row(str(r.criterion), str(r.result), "[green]pass[/]" if r.passed else "[red]FAIL[/]")
    out.print(table)
    out.print(f"report: {', '.join(str(p) for p in paths)}")
    if not cal.passed:
        raise typer.Exit(code=1)


@app.command()
def export(
    source: Path = typer.Argument(
        ..., help="Scenario YAML file, or a results folder (its scenario.yaml, with the optimised capacities fixed)"
    ),
    out_file: Path = typer.Argument(..., help="File to write, e.g. base.nc"),
    to: str = typer.Option(..., "--to", help="Format: pypsa (a PyPSA network, netCDF)"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log each step (and PyPSA's messages)"),
) -> None:
    """Write a scenario as another tool's model: --to pypsa writes a PyPSA network (netCDF).

    From a results folder the capacities of its capacity.csv and links.csv are fixed (p_nom, not extendable).
    Solve it with PyPSA and grid_model.export.pypsa.extra_functionality for grid_model's LP (the file's meta says
    how). Nothing is written if the scenario cannot be exported.
    """
    import warnings

    from grid_model.export import FORMATS

    _setup_logging(verbose)
    if not verbose:  # PyPSA's notices about its own future defaults are not the user's concern here
        logging.getLogger("pypsa").setLevel(logging.WARNING)
        warnings.filterwarnings("ignore", category=FutureWarning, module="pypsa")
    if to not in FORMATS:
        _fail(GridModelError(f"--to {to!r}: unknown format; known: {', '.join(FORMATS)}"))
    if not source.exists():
        _fail(GridModelError(f"{source}: not found (a scenario file or a results folder)"))
    try:
        from grid_model.export.pypsa import export_netcdf

        n = export_netcdf(source, out_file)
    except GridModelError as exc:
        _fail(exc)
        return
    out.print(
        f"{out_file}: PyPSA network of {n.name or source} ({len(n.buses)} buses, {len(n.generators)} generators, "
        f"{len(n.storage_units)} storage units, {len(n.links)} links, {len(n.snapshots)} snapshots)"
    )


@app.command()
def schema(
    scenario: bool = typer.Option(
        False, "--scenario", help="Print the scenario file keys (type, default, meaning) instead of the dataset"
    ),
) -> None:
    """Print the dataset schema (every table, column, unit and default) as Markdown; --scenario: the scenario keys."""
    if scenario:
        from grid_model.scenario_doc import scenario_keys_markdown

        out.print(scenario_keys_markdown(), markup=False, highlight=False)
        return
    from grid_model.schema import schema_markdown

    out.print(schema_markdown(), markup=False, highlight=False)


def _terminate(signum, _frame) -> None:  # pragma: no cover - exercised by a subprocess test
    console.print("interrupted: the results folder being written was discarded (earlier results are untouched)")
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
    except MemoryError:
        console.print(
            "[bold red]error:[/] out of memory while building or solving the model; nothing was written. "
            "Use typical periods (time.mode: typical) or down-sampling (time.mode: downsample) to shrink it"
        )
        sys.exit(3)
