"""Parameter sweeps: one base scenario, a grid or a sample of changes, solved in parallel on dask.distributed.

A sweep file (YAML) names a base scenario and the parameters to vary. Each **member** of the sweep is the base
scenario with one value of every parameter applied; members are solved on a ``distributed.LocalCluster``
(one single-threaded worker process per core) or on an existing cluster (``scheduler=ADDRESS``), and their
headline numbers are gathered into one table, ``sweep.csv``. A member that fails (bad value, unknown
hydrology, infeasible, solver error, crashed worker) becomes a row with ``status = failed`` and a one-line
error; the other members carry on.

Example sweep file (``scenarios/sweeps/example_sweep.yaml``)::

    # 4 gas prices × 4 carbon prices on the 3-zone example system: 16 members.
    base: ../example/base.yaml            # relative to this file
    mode: grid                            # grid (every combination) or sample
    parameters:
      - name: gas_price_multiplier
        override: {table: fuels, id: gas, column: price_usd_per_mwh_th}
        scale: [0.5, 1.0, 1.5, 2.0]       # multiplies the value; `values: [...]` sets it instead
      - name: carbon_price
        key: policy.carbon_price_usd_per_t   # any dotted scenario key
        values: [0, 25, 50, 100]

A sample sweep draws ``samples`` members with a seeded Latin hypercube (``method: lhs``, the default) or
independent uniform draws (``method: uniform``); the same seed gives the same members::

    base: ../example/base.yaml
    mode: sample
    samples: 20
    seed: 42
    parameters:
      - {name: gas_price_multiplier, override: {table: fuels, id: gas, column: price_usd_per_mwh_th},
         scale_range: [0.5, 2.0]}                                    # multiplier drawn from [0.5, 2.0]
      - {name: carbon_price, key: policy.carbon_price_usd_per_t, range: [0, 100]}   # value drawn
      - {name: hydrology, key: hydrology, values: ["2023", "average"]}  # one of the list, evenly
      - {name: link_cost, key: links.cost_multiplier, range: [0.8, 1.5]}

Each parameter has a ``name`` (a column of ``sweep.csv``), one target — ``key`` (a dotted scenario key such
as ``hydrology``, ``year``, ``links.cost_multiplier``, ``subsidies.fuel`` or ``solver.time_limit_s``) or
``override`` (``{table, id, column}``, appended to the scenario's ``overrides``) — and one set of values:
``values`` (set), ``scale`` (multiply the base value), and in sample mode also ``range`` (set, drawn from
``[lo, hi]``) or ``scale_range`` (multiply, drawn from ``[lo, hi]``). A member is named
``<base>__<parameter>=<value>__...`` (characters other than letters, digits and ``._=+-`` become ``_``).

Members whose LPs share one structure (only costs, bounds and right-hand sides differ, e.g. fuel or carbon
prices) are submitted next to each other, and every worker thread keeps one :class:`SolveSession` for the
sweep, so a worker re-solves warm from its previous basis instead of loading each member cold
(``warm=False`` gives every member a fresh session). The session checks the structure itself, so the
grouping only decides the order and never the answer.

Output folder (it appears whole or not at all)::

    OUT/sweep.csv        one row per member: member, each parameter, status, error, summary numbers
    OUT/sweep.yaml       the sweep file as given
    OUT/timings.json     wall time, cluster start, workers, warm/cold counts
    OUT/members/<name>/  each member's results folder (``write_members=True``)

With an existing cluster, every worker must be able to import ``grid_model`` and read the dataset at the
same path as the client; member results are sent back and written by the client.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import re
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from grid_model.errors import GridModelError, InputError
from grid_model.results import Results, atomic_folder
from grid_model.scenario import Scenario, load_scenario, read_yaml_mapping, structure_key
from grid_model.schema import TABLES

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

    from grid_model.session import SolveSession

log = logging.getLogger(__name__)

SweepProgress = Callable[[int, int, str], None]
"""Progress callback: ``(members done, members in total, message)``; called once with 0 done at the start."""

SUMMARY_COLUMNS = (
    "objective_usd",
    "system_cost_usd",
    "subsidy_cost_usd",
    "fuel_subsidy_cost_usd",
    "electricity_subsidy_cost_usd",
    "renewable_share",
    "non_conventional_renewable_share",
    "co2_mt",
    "demand_twh",
    "generation_twh",
    "unserved_twh",
    "investment_usd",
    "price_avg_usd_per_mwh",
)
"""Numbers copied from each member's ``summary.json`` into ``sweep.csv`` (plus ``cost_<category>_usd``)."""

RUN_COLUMNS = ("solve_mode", "solve_s", "member_s", "worker")
RESERVED_NAMES = frozenset({"member", "status", "error", *SUMMARY_COLUMNS, *RUN_COLUMNS})
FORBIDDEN_KEYS = frozenset({"name", "description", "overrides", "source_file"})
MAX_NAME_CHARS = 180
MAX_MEMBERS = 100_000
CONNECT_TIMEOUT = "20s"  # how long to try reaching an existing scheduler

Scalar = bool | int | float | str
_SCALAR_TAGS = frozenset({"bool", "int", "float", "str"})


# ---------------------------------------------------------------------------------------------
# The sweep file


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OverrideTarget(_Strict):
    """The cell (or column, with ``id: "*"``) of a dataset table a parameter changes."""

    table: str
    id: str
    column: str

    @model_validator(mode="after")
    def _known_table_and_column(self) -> OverrideTarget:
        by_name = {t.name: t for t in TABLES}
        if self.table not in by_name:
            raise ValueError(f"unknown table '{self.table}' (tables: {', '.join(sorted(by_name))})")
        schema = by_name[self.table]
        settable = [c.name for c in schema.columns if c.name not in schema.key]
        if self.column not in settable:
            raise ValueError(f"'{self.column}' is not a settable column of {schema.file}")
        return self


class Parameter(_Strict):
    """One swept parameter: a name, one target (``key`` or ``override``) and one set of values."""

    name: str = Field(pattern=r"^[A-Za-z_][A-Za-z0-9_.-]*$", max_length=40)
    key: str | None = None
    override: OverrideTarget | None = None
    values: list[Scalar] | None = Field(None, min_length=1)
    scale: list[float] | None = Field(None, min_length=1)
    range: tuple[float, float] | None = None
    scale_range: tuple[float, float] | None = None

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, v: str) -> str:
        if v in RESERVED_NAMES or v.startswith("cost_"):
            raise ValueError(f"'{v}' is a column of sweep.csv already; choose another name")
        return v

    @field_validator("key")
    @classmethod
    def _scenario_key(cls, v: str | None) -> str | None:
        if v is not None:
            _key_annotation(v)
        return v

    @field_validator("range", "scale_range")
    @classmethod
    def _ordered(cls, v: tuple[float, float] | None) -> tuple[float, float] | None:
        if v is not None and not (math.isfinite(v[0]) and math.isfinite(v[1]) and v[0] <= v[1]):
            raise ValueError("must be [lo, hi] with finite lo ≤ hi")
        return v

    @model_validator(mode="after")
    def _one_target_one_set(self) -> Parameter:
        if (self.key is None) == (self.override is None):
            raise ValueError("give exactly one of 'key' (a scenario key) or 'override' ({table, id, column})")
        given = [k for k in ("values", "scale", "range", "scale_range") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of 'values', 'scale', 'range' or 'scale_range'"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self

    @property
    def scales(self) -> bool:
        """True when the parameter multiplies the base value rather than setting it."""
        return self.scale is not None or self.scale_range is not None

    @property
    def target(self) -> str:
        """What the parameter changes, for messages and duplicate checks."""
        if self.key is not None:
            return self.key
        assert self.override is not None
        return f"{self.override.table}[{self.override.id}].{self.override.column}"


class SweepSpec(_Strict):
    """A sweep file after validation."""

    base: str = Field(description="Base scenario file, relative to the sweep file.")
    description: str = ""
    mode: Literal["grid", "sample"] = "grid"
    samples: int | None = Field(None, ge=1, le=MAX_MEMBERS, description="Members drawn in sample mode.")
    seed: int = Field(0, ge=0, description="Seed of the sample (same seed → same members).")
    method: Literal["lhs", "uniform"] = Field("lhs", description="Latin hypercube or independent uniform draws.")
    parameters: list[Parameter] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        names = [p.name for p in self.parameters]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ValueError(f"parameter names must be unique (repeated: {', '.join(dup)})")
        targets = [p.target for p in self.parameters]
        dup = sorted({t for t in targets if targets.count(t) > 1})
        if dup:
            raise ValueError(f"two parameters change the same thing: {', '.join(dup)}")
        if self.mode == "grid":
            if self.samples is not None:
                raise ValueError("'samples' is for mode: sample")
            if math.prod(len(p.values or p.scale or [0]) for p in self.parameters) > MAX_MEMBERS:
                raise ValueError(f"the grid has more than {MAX_MEMBERS:,} members; use mode: sample")
            for p in self.parameters:
                if p.range is not None or p.scale_range is not None:
                    raise ValueError(
                        f"parameter '{p.name}': 'range'/'scale_range' need mode: sample "
                        "(a grid needs 'values' or 'scale')"
                    )
        elif self.samples is None:
            raise ValueError("mode: sample needs 'samples: N'")
        return self

    def size(self) -> int:
        """Number of members."""
        if self.mode == "sample":
            assert self.samples is not None
            return self.samples
        return math.prod(len(_choices(p)) for p in self.parameters)


def _key_annotation(key: str) -> Any:
    """The type of a dotted scenario key (``policy.carbon_price_usd_per_t`` → float); ValueError if unknown."""
    parts = key.split(".")
    if parts[0] in FORBIDDEN_KEYS:
        raise ValueError(f"'{parts[0]}' cannot be swept")
    model: type[BaseModel] = Scenario
    for i, part in enumerate(parts):
        fields = model.model_fields
        if part not in fields:
            where = ".".join(parts[:i]) or "a scenario"
            raise ValueError(f"'{part}' is not a key of {where} (keys: {', '.join(fields)})")
        ann = fields[part].annotation
        if i == len(parts) - 1:
            return ann
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        elif part == "solver":  # free-form HiGHS options: solver.<option>
            if i + 2 != len(parts):
                raise ValueError("solver options are one level deep: solver.<option>")
            return Any
        else:
            raise ValueError(f"'{'.'.join(parts[: i + 1])}' has no sub-keys")
    raise AssertionError("unreachable")


def _choices(p: Parameter) -> list[Scalar]:
    if p.values is not None:
        return list(p.values)
    if p.scale is not None:
        return list(p.scale)
    raise AssertionError("continuous parameter")


def _read_sweep_file(path: Path) -> dict:
    return read_yaml_mapping(path, "sweep")


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _validation_message(exc: ValidationError) -> str:
    """``key 'a.b': message (got value)`` from the first pydantic error, on one line."""
    err = exc.errors()[0]
    loc = list(err["loc"])
    scalar_union = bool(loc) and loc[-1] in _SCALAR_TAGS  # pydantic names the union member that failed last
    key = ".".join(str(p) for p in loc if p not in _SCALAR_TAGS) or "(top level)"
    if scalar_union:
        msg = "must be a number, a string or true/false"
    elif err["type"] == "extra_forbidden":
        msg = "unknown key"
    elif err["type"] == "missing":
        msg = "required key is missing"
    else:
        msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    shown = (
        ""
        if scalar_union
        or err["type"] in ("extra_forbidden", "missing", "value_error")
        or isinstance(value, dict | list)
        else f" (got {value!r})"
    )
    return _one_line(f"key '{key}': {msg}{shown}")


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; any problem is a one-line :class:`InputError` naming the file and key.

    Parameters
    ----------
    path
        The sweep YAML file.

    Returns
    -------
    SweepSpec
        The validated sweep (``base`` still relative to the file; see :func:`expand_members`).

    Raises
    ------
    InputError
        File missing or unreadable, bad YAML, unknown or missing key, bad value, inconsistent parameters.
    """
    path = Path(path)
    data = _read_sweep_file(path)
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(_validation_message(exc), file=str(path)) from None


# ---------------------------------------------------------------------------------------------
# Members


@dataclass
class Member:
    """One point of the sweep: its name, the parameter values, and the scenario to solve (or why not)."""

    name: str
    values: dict[str, Scalar]
    scenario: Scenario | None
    error: str = ""
    override_params: dict[int, str] = field(default_factory=dict)  # override index → parameter name


def _format_value(v: Scalar) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:.6g}"
    return str(v)


def member_name(base: str, values: dict[str, Scalar]) -> str:
    """``<base>__<param>=<value>__...``, filesystem-safe (long names are shortened with a hash).

    Parameters
    ----------
    base
        Name of the base scenario.
    values
        Parameter name → value, in parameter order.

    Returns
    -------
    str
        A name that is also a valid scenario name and folder name.
    """
    raw = "__".join([base, *(f"{k}={_format_value(v)}" for k, v in values.items())])
    safe = re.sub(r"[^A-Za-z0-9._=+-]", "_", raw).lstrip(".") or "member"
    if len(safe) > MAX_NAME_CHARS:
        digest = hashlib.sha1(raw.encode()).hexdigest()[:10]
        safe = f"{safe[: MAX_NAME_CHARS - 12]}__{digest}"
    return safe


def _draws(spec: SweepSpec) -> np.ndarray:
    """Points in [0, 1)^d: a Latin hypercube (one point per stratum in every dimension) or uniform."""
    assert spec.samples is not None
    n, d = spec.samples, len(spec.parameters)
    rng = np.random.default_rng(spec.seed)
    if spec.method == "uniform":
        return rng.random((n, d))
    u = np.empty((n, d))
    for j in range(d):
        u[:, j] = (rng.permutation(n) + rng.random(n)) / n
    return u


def _value_sets(spec: SweepSpec) -> list[dict[str, Scalar]]:
    """Parameter values of every member, in order."""
    params = spec.parameters
    if spec.mode == "grid":
        return [
            dict(zip([p.name for p in params], combo, strict=True))
            for combo in itertools.product(*(_choices(p) for p in params))
        ]
    rows: list[dict[str, Scalar]] = []
    for point in _draws(spec):
        row: dict[str, Scalar] = {}
        for p, u in zip(params, point, strict=True):
            interval = p.range or p.scale_range
            if interval is not None:
                lo, hi = interval
                x = float(lo + u * (hi - lo))
                if p.range is not None and p.key is not None and _key_annotation(p.key) is int:
                    row[p.name] = min(max(round(x), math.ceil(lo)), math.floor(hi))  # e.g. year: whole numbers
                else:
                    row[p.name] = x
            else:
                options = _choices(p)
                row[p.name] = options[min(int(u * len(options)), len(options) - 1)]
        rows.append(row)
    return rows


def _set_key(data: dict, key: str, p: Parameter, value: Scalar) -> None:
    *path, leaf = key.split(".")
    node = data
    for part in path:
        node = node.setdefault(part, {})
    if p.scales:
        base = node.get(leaf)
        if isinstance(base, bool) or not isinstance(base, int | float):
            raise ValueError(f"parameter '{p.name}': '{key}' is {base!r} in the base scenario, which cannot be scaled")
        node[leaf] = base * float(value)
        return
    if _key_annotation(key) is str and isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)  # `hydrology: [2023, average]` written without quotes
    node[leaf] = value


def _build_member(base: Scenario, spec: SweepSpec, values: dict[str, Scalar], spec_file: str) -> Member:
    name = member_name(base.name, values)
    data = base.model_dump()
    data["name"] = name
    data["description"] = f"{base.name} with " + ", ".join(f"{k}={_format_value(v)}" for k, v in values.items())
    override_params: dict[int, str] = {}
    try:
        for p in spec.parameters:
            v = values[p.name]
            if p.override is not None:
                override_params[len(data["overrides"])] = p.name
                o = p.override.model_dump()
                o["scale" if p.scales else "value"] = v
                data["overrides"].append(o)
            else:
                assert p.key is not None
                _set_key(data, p.key, p, v)
        sc = Scenario.model_validate(data)
    except ValidationError as exc:
        return Member(name, values, None, str(InputError(_validation_message(exc), file=spec_file)))
    except ValueError as exc:
        return Member(name, values, None, str(InputError(_one_line(str(exc)), file=spec_file)))
    return Member(name, values, sc, "", override_params)


def expand_members(spec_path: str | Path, spec: SweepSpec | None = None) -> tuple[SweepSpec, Scenario, list[Member]]:
    """Load the sweep and its base scenario and build every member (nothing is solved).

    Parameters
    ----------
    spec_path
        The sweep YAML file.
    spec
        The already-loaded sweep (default: read ``spec_path``).

    Returns
    -------
    tuple
        ``(spec, base scenario, members)``. A member whose values make an invalid scenario has
        ``scenario=None`` and a one-line ``error``; it is reported as failed, not raised.

    Raises
    ------
    InputError
        A bad sweep file or base scenario file (those fail every member, so they stop the sweep).
    """
    spec_path = Path(spec_path)
    spec = spec or load_sweep(spec_path)
    base = load_scenario((spec_path.parent / spec.base).resolve())
    spec_file = str(spec_path)
    members = [_build_member(base, spec, values, spec_file) for values in _value_sets(spec)]
    seen: dict[str, int] = {}
    for m in members:  # equal names can only come from rounding in the name (sample mode)
        n = seen.get(m.name, 0)
        seen[m.name] = n + 1
        if n:
            m.name = f"{m.name}__{n + 1}"
            if m.scenario is not None:
                m.scenario = m.scenario.model_copy(update={"name": m.name})
    return spec, base, members


# ---------------------------------------------------------------------------------------------
# What runs on a worker

_SESSIONS: dict[int, tuple[str, SolveSession]] = {}  # thread id → (sweep run id, SolveSession)
_SESSIONS_LOCK = threading.Lock()


def _session(run_id: str, warm: bool) -> SolveSession:
    """This worker thread's session for this sweep (a fresh one for every member when ``warm`` is off)."""
    from grid_model.session import SolveSession

    if not warm:
        return SolveSession(warm=False)
    tid = threading.get_ident()
    with _SESSIONS_LOCK:
        held = _SESSIONS.get(tid)
        if held is None or held[0] != run_id:
            held = (run_id, SolveSession(warm=True))
            _SESSIONS[tid] = held
        return held[1]


def _drop_sessions(run_id: str) -> int:
    """Free the sessions a finished sweep left on this worker; returns how many."""
    with _SESSIONS_LOCK:
        stale = [t for t, (rid, _s) in _SESSIONS.items() if rid == run_id]
        for t in stale:
            del _SESSIONS[t]
    return len(stale)


def _numbers(summary: dict) -> dict[str, Any]:
    row: dict[str, Any] = {k: summary.get(k, float("nan")) for k in SUMMARY_COLUMNS}
    for cat, v in (summary.get("cost_breakdown_usd") or {}).items():
        row[f"cost_{cat}_usd"] = v
    row["solve_mode"] = summary.get("solve_mode", "cold")
    row["solve_s"] = (summary.get("timings_s") or {}).get("solve", float("nan"))
    return row


def _error_text(exc: BaseException, override_params: dict[int, str]) -> str:
    text = str(exc) if isinstance(exc, GridModelError) else f"{type(exc).__name__}: {exc}"
    for i, pname in override_params.items():
        if f"'overrides.{i}." in text:
            text += f" (sweep parameter '{pname}')"
    return _one_line(text)


def solve_member(
    sc: Scenario,
    run_id: str,
    warm: bool = True,
    keep_results: bool = False,
    override_params: dict[int, str] | None = None,
) -> dict[str, Any]:
    """Solve one member on this process and return its row (never raises for a failed solve).

    Parameters
    ----------
    sc
        The member's scenario.
    run_id
        Identifies the sweep, so the worker's warm session is not carried over from another sweep.
    warm
        Re-use this thread's session (warm re-solve when the LP structure matches).
    keep_results
        Return the full :class:`~grid_model.results.Results` under ``"results"`` (to write the member folder).
    override_params
        Index in ``sc.overrides`` → sweep parameter, to name the parameter in an error message.

    Returns
    -------
    dict
        ``member``, ``status`` (``ok`` | ``failed``), ``error``, the summary numbers, ``member_s``,
        ``worker`` and, with ``keep_results``, ``results``.
    """
    import socket

    t0 = time.perf_counter()
    try:
        from distributed import get_worker

        where = get_worker().address
    except (ImportError, ValueError):
        where = socket.gethostname()
    row: dict[str, Any] = {"member": sc.name, "status": "ok", "error": ""}
    try:
        res = _session(run_id, warm).solve(sc)
    except Exception as exc:
        log.info("member %s failed: %s", sc.name, exc)
        row.update(status="failed", error=_error_text(exc, override_params or {}))
    else:
        row.update(_numbers(res.summary))
        if keep_results:
            row["results"] = res
    row["member_s"] = time.perf_counter() - t0
    row["worker"] = where
    return row


# ---------------------------------------------------------------------------------------------
# Running a sweep


def dask_setup(worker: Any) -> None:
    """Preload hook of the local cluster's worker processes (``preload=["grid_model.sweep"]``).

    Ctrl-C reaches every process of the terminal's process group: the workers ignore it, and the client,
    which handles it, cancels the members and has the nannies stop the workers cleanly (instead of every
    worker printing a ``KeyboardInterrupt`` traceback). The solver stack is imported while the cluster starts.

    Parameters
    ----------
    worker
        The ``distributed.Worker`` being started (unused).
    """
    import signal

    import grid_model.session  # noqa: F401  (Pyomo, HiGHS: imported once, before the first member)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _distributed_log_level() -> int:
    """dask's own log level during a sweep: quiet unless this module logs at INFO (``grid-model -v``).

    Every member failure is a row of the table, so the cluster's chatter (start, stop, and the heartbeat
    errors a worker logs when the scheduler closes first) only hides the progress bar.
    """
    return logging.WARNING if log.isEnabledFor(logging.INFO) else logging.CRITICAL


def _start_client(scheduler: str | None, n_workers: int) -> tuple[Client, LocalCluster | None]:
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT), None
        except (OSError, TimeoutError) as exc:
            raise GridModelError(
                f"cannot connect to the dask scheduler at {scheduler}: {_one_line(str(exc))}"
            ) from None
    # dashboard_address=None turns the dashboard off, but the scheduler still serves HTTP (health, metrics) on
    # :8787 and warns when that port is taken (another cluster): give it a free loopback port instead.
    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        silence_logs=_distributed_log_level(),
        preload=[__name__],
    )
    try:
        return Client(cluster), cluster
    except BaseException:
        cluster.close()
        raise


def _stop_client(client: Client | None, cluster: LocalCluster | None, futures: Sequence[Future], run_id: str) -> None:
    """Cancel what is left, free worker sessions on a shared cluster, close client and cluster.

    Errors while closing are logged, not raised (they would hide the original one), and the cluster is
    closed even if a second Ctrl-C interrupts the client's shutdown.
    """
    try:
        if client is not None:
            try:
                if futures:
                    client.cancel(list(futures))
                if cluster is None:
                    client.run(_drop_sessions, run_id)
            except Exception as exc:
                log.debug("cleaning up the sweep on the cluster: %s", exc)
            finally:
                try:
                    client.close()
                except Exception as exc:
                    log.debug("closing the dask client: %s", exc)
    finally:
        if cluster is not None:
            try:
                cluster.close()
            except Exception as exc:
                log.debug("closing the local cluster: %s", exc)


def _write_member(row: dict[str, Any], sc: Scenario, members_dir: Path) -> None:
    from grid_model.results import write_results

    res = row.pop("results", None)
    if res is not None:
        write_results(
            res,
            members_dir / sc.name,
            extra={"scenario.yaml": yaml.safe_dump(sc.model_dump(mode="json"), sort_keys=False)},
        )


def sweep_table(spec: SweepSpec, members: Sequence[Member], rows: dict[str, dict[str, Any]]) -> pd.DataFrame:
    """One row per member, in sweep order: member, parameters, status, error, summary numbers, run details."""
    records = []
    for m in members:
        r = rows.get(m.name) or {"status": "failed", "error": m.error or "not run"}
        records.append({"member": m.name, **m.values, **{k: v for k, v in r.items() if k not in ("member", "results")}})
    costs = sorted({k for r in records for k in r if k.startswith("cost_")})
    columns = ["member", *(p.name for p in spec.parameters), "status", "error", *SUMMARY_COLUMNS, *costs, *RUN_COLUMNS]
    df = pd.DataFrame.from_records(records, columns=columns)
    df["error"] = df["error"].fillna("")
    return df


def run_sweep(
    spec_path: str | Path,
    out_dir: str | Path,
    scheduler: str | None = None,
    n_workers: int | None = None,
    progress: SweepProgress | None = None,
    *,
    write_members: bool = False,
    warm: bool = True,
    db: str | Path | None = None,
) -> pd.DataFrame:
    """Solve every member of a sweep in parallel and write ``out_dir`` (``sweep.csv`` and, optionally, members).

    Parameters
    ----------
    spec_path
        The sweep YAML file (see the module docstring).
    out_dir
        Output folder; it appears whole or not at all and replaces an existing one only when complete.
    scheduler
        Address of a running dask scheduler (``tcp://host:8786``); ``None`` starts a ``LocalCluster``.
    n_workers
        Worker processes of the local cluster (default: the cores available, at most one per member);
        ignored with ``scheduler``.
    progress
        ``progress(done, total, message)`` after the cluster is up (``done = 0``) and after every member.
    write_members
        Also write each solved member's results folder to ``out_dir/members/<name>/``.
    warm
        Let each worker re-solve members of the same LP structure warm (default); ``False`` solves each cold.
    db
        A DuckDB file to append the solved members and ``sweep.csv`` to, once the folder is in place (:func:`_append`).

    Returns
    -------
    pandas.DataFrame
        The contents of ``sweep.csv``: one row per member in sweep order, ``status`` ``ok`` or ``failed``.

    Raises
    ------
    InputError
        Bad sweep file or base scenario (nothing is written). A failing *member* is a row, not an error.
    GridModelError
        The scheduler cannot be reached.
    """
    t_start = time.perf_counter()
    spec_path = Path(spec_path)
    spec, base, members = expand_members(spec_path)
    say = progress or (lambda _d, _t, _m: None)
    total = len(members)
    order = _solve_order(members, spec_path.name)
    out = Path(out_dir)
    rows: dict[str, dict[str, Any]] = {
        m.name: {"status": "failed", "error": m.error} for m in members if m.scenario is None
    }
    with atomic_folder(out) as tmp:
        shutil.copyfile(spec_path, tmp / "sweep.yaml")
        members_dir = tmp / "members"
        if write_members:
            members_dir.mkdir()
        solver = _MemberSolver(uuid.uuid4().hex, warm, write_members, members_dir, keep=db is not None)
        if order:
            t_cluster = solver.solve_all(order, rows, scheduler, n_workers, lambda d, msg: say(d, total, msg))
        else:
            t_cluster = 0.0
            say(len(rows), total, "no member could be built")
        df = sweep_table(spec, members, rows)
        df.to_csv(tmp / "sweep.csv", index=False, float_format="%.10g")
        _write_sweep_timings(tmp, df, time.perf_counter() - t_start, t_cluster, scheduler, warm)
    _append(db, solver, members, df, out, base.name)
    n_failed = int((df["status"] != "ok").sum())
    log.info(
        "sweep %s: %d ok, %d failed, %.1f s → %s",
        spec_path.name,
        total - n_failed,
        n_failed,
        time.perf_counter() - t_start,
        out,
    )
    return df


def _append(
    db: str | Path | None, solver: _MemberSolver, members: list[Member], df: pd.DataFrame, out: Path, base: str
) -> None:
    """Append a sweep to the results database ``db`` (if any): each solved member's tables and summary row, with
    ``scenario`` = the base scenario and ``member`` = the member, and ``sweep.csv`` as table ``sweep``."""
    if db is None:
        return
    from grid_model.outputs import append_runs

    kept = {m.name: solver.kept[m.name] for m in members if m.name in solver.kept}  # in sweep order
    append_runs(db, kept, {"sweep": df}, command="sweep", folder=out, sweep_scenario=base)


def _solve_order(members: list[Member], label: str) -> list[Member]:
    """The members that could be built, those of one LP structure next to each other (sweep order within one),
    so a worker's warm session meets them one after another (``grid_model.scenario.structure_key``)."""
    runnable = [m for m in members if m.scenario is not None]
    key_of = {m.name: repr(structure_key(m.scenario)) for m in runnable if m.scenario is not None}
    first = {k: i for i, k in reversed(list(enumerate(key_of.values())))}
    log.info(
        "sweep %s: %d members (%d invalid), %d LP structure group(s)",
        label,
        len(members),
        len(members) - len(runnable),
        len(first),
    )
    return sorted(runnable, key=lambda m: first[key_of[m.name]])  # stable


def _write_sweep_timings(
    folder: Path, df: pd.DataFrame, total_s: float, cluster_s: float, scheduler: str | None, warm: bool
) -> None:
    """timings.json of a sweep: wall time, cluster start, members solved and how (warm or cold)."""
    modes = df["solve_mode"].value_counts().to_dict() if "solve_mode" in df else {}
    summary = {
        "total_s": total_s,
        "cluster_start_s": cluster_s,
        "scheduler": scheduler,
        "n_members": len(df),
        "n_ok": int((df["status"] == "ok").sum()),
        "warm": warm,
        "solve_modes": {str(k): int(v) for k, v in modes.items()},
    }
    (folder / "timings.json").write_text(json.dumps(summary, indent=2) + "\n")


@dataclass
class _MemberSolver:
    """Runs the members of one sweep on a dask cluster and collects one row per member."""

    run_id: str
    warm: bool
    write_members: bool
    members_dir: Path
    keep: bool = False
    """Keep each solved member's tables and summary in :attr:`kept` (for the results database)."""
    kept: dict[str, Results] = field(default_factory=dict)

    def solve_all(
        self,
        order: list[Member],
        rows: dict[str, dict[str, Any]],
        scheduler: str | None,
        n_workers: int | None,
        say: Callable[[int, str], None],
    ) -> float:
        """Start (or reach) the cluster, solve ``order`` there, fill ``rows``; returns the cluster start time [s]."""
        from dask.system import CPU_COUNT

        client: Client | None = None
        cluster: LocalCluster | None = None
        futures: dict[Future, Member] = {}
        dask_log = logging.getLogger("distributed")  # the scheduler and nannies of a local cluster log here
        dask_level = dask_log.level
        dask_log.setLevel(max(dask_level, _distributed_log_level()))
        try:
            t0 = time.perf_counter()
            client, cluster = _start_client(scheduler, max(1, min(n_workers or CPU_COUNT, len(order))))
            t_cluster = time.perf_counter() - t0
            threads = client.nthreads()  # every worker (scheduler_info() lists only the first few)
            if not threads:
                log.warning("the cluster at %s has no workers yet; members wait for one", scheduler)
            where = f" at {scheduler}" if scheduler else ""
            say(len(rows), f"{len(order)} members on {len(threads)} worker(s){where}")
            futures = self._submit(client, order)
            self._collect(futures, rows, say)
            return t_cluster
        finally:
            try:
                _stop_client(client, cluster, [f for f in futures if not f.done()], self.run_id)
            finally:
                dask_log.setLevel(dask_level)

    def _submit(self, client: Client, order: list[Member]) -> dict[Future, Member]:
        """One task per member, highest priority first (members of one LP structure next to each other)."""
        futures: dict[Future, Member] = {}
        for i, m in enumerate(order):
            fut = client.submit(
                solve_member,
                m.scenario,
                self.run_id,
                self.warm,
                self.write_members or self.keep,
                m.override_params,
                key=f"sweep-{m.name}-{self.run_id}",
                pure=False,
                priority=len(order) - i,
            )
            futures[fut] = m
        return futures

    def _collect(
        self, futures: dict[Future, Member], rows: dict[str, dict[str, Any]], say: Callable[[int, str], None]
    ) -> None:
        """Each member's row as it finishes (a broken task is a failed row), its results folder if asked."""
        from distributed import as_completed

        for fut in as_completed(list(futures)):
            m = futures[fut]
            try:
                row = fut.result()
            except Exception as exc:  # the task itself broke: worker killed, result not unpicklable, ...
                row = {"member": m.name, "status": "failed", "error": _error_text(exc, {})}
            if self.keep and "results" in row:
                self.kept[m.name] = Results(row["results"].summary, row["results"].tables)  # no hourly series
            if self.write_members and row["status"] == "ok" and m.scenario is not None:
                _write_member(row, m.scenario, self.members_dir)
            row.pop("results", None)
            rows[m.name] = row
            fut.release()
            say(len(rows), f"{m.name}: {row['status']}")
