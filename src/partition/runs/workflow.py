"""The workflows behind every entry point: one library function each, for the CLI, notebooks and tests.

* :func:`prepare_data` — the ``[data]`` table (or the CLI's data options, parsed into the same
  keys) to :class:`~partition.units.prepare.Inputs`: schools, units and their graph;
* :func:`solve_configurations` — every k of a spec, with alternatives, named and checked;
* :func:`write_outputs` — configurations, maps, comparison table, exports and consultation pack
  into a folder;
* :func:`plan` (``partition plan``), :func:`compare` (``partition compare``) and :func:`run`
  (``partition run``) — the whole of each command, returning a frozen result
  (:class:`PlanResult`, :class:`CompareResult`, :class:`RunResult`); the CLI only parses
  options and prints.

``run`` writes, per configuration, ``<name>/`` (``assignments.csv``,
``partnerships.geojson``, ``plan.json``, ``map.html``, ``edit.html``: the planner's editor); the comparison maps;
``exports/`` (GeoPackage, GeoJSON, CSV); ``consultation-pack.html``; and
``manifest.json``: input files with SHA-256 hashes and dates, the full spec,
solver options, package versions, seed, timings, each configuration's status
and the rules it breaks, and the design of the ensemble ranks (``ensemble``: chains,
steps of burn-in, thinning, steps per chain, R-hat) — enough to reproduce a published map exactly.

``plan`` and ``run`` publish all at once (see :mod:`partition.runs.publish`): the folder
holds this run's outputs and nothing else, or, after a failure, the previous
run's outputs as they were.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import platform
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from partition import __version__
from partition.analysis.validate import checked
from partition.io.fetch import sha256
from partition.io.snapshot import InputRecord
from partition.model.plan import Plan
from partition.model.spec import PlanSpec
from partition.runs import loading  # called through the module: one place to stand in for loading (tests)
from partition.runs.edits import changed_from_start, load_configuration, with_edits
from partition.runs.options import OutputOptions, SolverOptions
from partition.runs.publish import public_command, public_path, staged_output
from partition.runs.scenario import Scenario
from partition.runs.solving import solve_configurations
from partition.runs.writing import Outputs, violated, write_outputs
from partition.units.prepare import Inputs

if TYPE_CHECKING:
    from concurrent.futures import Executor


PACKAGES = (
    "geopandas",
    "shapely",
    "pyogrio",
    "pyproj",
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "networkx",
    "highspy",
    "folium",
    "spopt",
)


def _versions() -> dict[str, str]:
    out = {"partition": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _file_record(read: InputRecord) -> dict[str, Any]:
    """The manifest's record of an input: what was read of it (:attr:`partition.data.dataset.Dataset.files`), not what
    its path holds now. A file's ``sha256`` is that of the bytes parsed; a Shapefile's and a folder's files are
    listed under ``parts`` (a folder's ``sha256``: their digests' first 16 characters, joined by commas).
    """
    record: dict[str, Any] = {
        "path": public_path(read.path, loading.data_folder()),
        "sha256": ",".join(h[:16] for _, h in read.parts) if read.folder else read.sha256,
        "bytes": str(read.size),
        "modified": read.modified,
    }
    if read.parts:
        record["parts"] = dict(read.parts)
    return record


@dataclass(frozen=True)
class PlanResult:
    """What :func:`plan` made and wrote.

    Attributes
    ----------
    inputs
        The loaded data.
    plans
        The configurations, best first for each k, alternatives after their main plan.
    current
        Today's arrangement (one partnership per district).
    folder
        The published output folder.
    outputs
        The files written (:class:`Outputs`).
    """

    inputs: Inputs
    plans: tuple[Plan, ...]
    current: Plan
    folder: Path
    outputs: Outputs

    @property
    def violated(self) -> list[str]:
        """Names of the configurations that break a rule of their spec."""
        return [p.name for p in violated(list(self.plans))]


def plan(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    data: Mapping[str, Any],
    spec: PlanSpec,
    solver: Mapping[str, Any],
    out: str | Path,
    *,
    data_dir: str | Path | None = None,
    basemap: str | None = None,
    command: str = "",
    echo: Callable[[str], None] = lambda _: None,
    start_from: str | Path | None = None,
    lock_from: str | Path | None = None,
) -> PlanResult:
    """``partition plan``: plan every k of ``spec`` and publish each configuration with its map, and the comparison maps.

    Parameters
    ----------
    data
        The ``[data]`` keys (see :func:`prepare_data`).
    spec
        The rules and the k to plan.
    solver
        The ``[solver]`` keys (:class:`partition.runs.options.SolverOptions`).
    out
        The output folder, replaced as a whole when everything is written.
    data_dir
        The data folder.
    basemap
        ``"osm"`` or ``"none"`` (default).
    command
        The command line, recorded in the folder's marker.
    echo
        Called with progress lines (the CLI prints them).
    start_from, lock_from
        A planner's edited ``URN, partnership[, note]`` CSV to seed the solver with, and one whose rows are
        pinned to their partnership (see :func:`with_edits`).

    Returns
    -------
    PlanResult

    Raises
    ------
    OutputLocationError
        When ``out`` cannot be written or was not created by partition (checked before loading).
    InfeasibleError
        When a k cannot be planned (nothing is written).
    """
    from partition.planning.planner import district_plan

    with staged_output(out, command=command or public_command(), workflow="plan") as stage:
        inputs = loading.prepare_data(data, data_dir=data_dir)
        spec, start, kept = with_edits(spec, inputs, start_from=start_from, lock_from=lock_from)
        echo(
            f"Planning {len(inputs.dataset.schools)} schools in {len(inputs.units)} units: {spec.describe()}; "
            f"solver {SolverOptions.model_validate(dict(solver)).name}"
            + (f"; starting from {Path(start_from).name}" if start_from else "")
            + (f"; {kept}" if kept else "")
        )
        plans = solve_configurations(inputs, spec, solver, start=start)
        if start is not None:
            for line in changed_from_start(plans, start):
                echo(line)
        current = district_plan(inputs)
        outputs = write_outputs(
            stage, inputs, plans, current, comparisons=plans, basemap=basemap, echo=echo, shown_as=out
        )
    return PlanResult(inputs, tuple(plans), current, Path(out), outputs)


@dataclass(frozen=True)
class Change:
    """The schools that change partnership from one configuration to another (after matching partnerships).

    Attributes
    ----------
    before, after
        Configuration names.
    schools
        ``URN``, ``name``, ``from``, ``to`` (:func:`partition.analysis.agreement.changed_schools`).
    """

    before: str
    after: str
    schools: pd.DataFrame

    def lines(self) -> list[str]:
        """A heading and one line per school: ``URN name: from -> to``."""
        rows = self.schools.to_dict("records")
        return [
            f"{len(rows)} schools change partnership from {self.before} to {self.after}:",
            *(f"  {r['URN']} {r['name']}: {r['from']} -> {r['to']}" for r in rows),
        ]


@dataclass(frozen=True)
class CompareResult:
    """What :func:`compare` scored.

    Attributes
    ----------
    plans
        The configurations, the first being the reference, then the current arrangement when included.
    table
        The scorecard (:func:`partition.analysis.compare.scorecard`, with ensemble ranks when asked).
    changes
        Against the first configuration, for each other one.
    """

    plans: tuple[Plan, ...]
    table: pd.DataFrame
    changes: tuple[Change, ...]


def compare(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    data: Mapping[str, Any],
    configurations: list[str | Path],
    *,
    current: bool = True,
    ensemble: int = 0,
    seed: int = 0,
    data_dir: str | Path | None = None,
    chains: int | None = None,
    burn_in: int | None = None,
    thin: int | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> CompareResult:
    """``partition compare``: score configurations side by side (and rank them in a ReCom ensemble).

    Parameters
    ----------
    data
        The ``[data]`` keys (see :func:`prepare_data`).
    configurations
        Folders, CSVs or polygon layers (see :func:`load_configuration`).
    current
        Include today's arrangement (one partnership per district).
    ensemble
        Rank each valid configuration among this many valid plans sampled by ReCom (0: none).
    seed
        The ensemble's seed.
    data_dir
        The data folder.
    chains, burn_in, thin
        The ensemble's independent chains, steps of burn-in discarded per chain and thinning (None: the
        defaults of :func:`partition.analysis.ensemble.ensemble`).
    workers, scheduler
        Where the ensemble's chains run (see :func:`partition.runs.parallel.executor`: local processes, default one per
        core, 1 for this process; or a Dask scheduler's address). The ranks do not depend on it.

    Returns
    -------
    CompareResult

    Raises
    ------
    SpecError
        When there is nothing to compare.
    DataLocationError, InputFileError, InfeasibleError
        As :func:`load_configuration`.
    """
    from partition.analysis.agreement import changed_schools
    from partition.analysis.compare import add_ensemble_ranks, scorecard
    from partition.errors import SpecError
    from partition.planning.planner import district_plan

    inputs = loading.prepare_data(data, data_dir=data_dir)
    plans = [load_configuration(c, inputs) for c in configurations]
    if current:
        plans.append(district_plan(inputs))
    if not plans:
        raise SpecError("nothing to compare", fix="give configurations or drop --no-current")
    table = scorecard(plans, reference=plans[0])
    if ensemble > 0:
        from partition.analysis.ensemble import plan_percentiles

        with chain_executor(workers, scheduler) as executor:
            ranks = plan_percentiles(
                inputs, plans, ensemble, random_state=seed, executor=executor, **_chain_options(chains, burn_in, thin)
            )
        table = add_ensemble_ranks(table, plans, ranks, ensemble)
    changes = tuple(Change(plans[0].name, p.name, changed_schools(plans[0], p)) for p in plans[1:])
    return CompareResult(tuple(plans), table, changes)


@contextlib.contextmanager
def chain_executor(workers: int | None, scheduler: str | None) -> Iterator[Executor | None]:
    """Where an ensemble's chains run: None (this process, with a progress bar per plan) or a pool or cluster.

    Parameters
    ----------
    workers
        Local processes (None: one per usable core; 1: this process).
    scheduler
        A Dask scheduler's address, or None.

    Yields
    ------
    concurrent.futures.Executor or None
        None when the chains run in this process.

    Raises
    ------
    SchedulerError
        When the scheduler cannot be reached or Dask is not installed.
    """
    from partition.runs.parallel import executor, usable_cores

    if scheduler is None and (workers == 1 or (workers is None and usable_cores() == 1)):
        yield None
        return
    with executor(workers, scheduler) as pool:
        yield pool


def _chain_options(chains: int | None, burn_in: int | None, thin: int | None) -> dict[str, int]:
    """The ensemble design options given (None: :func:`partition.analysis.ensemble.ensemble`'s default)."""
    given = {"chains": chains, "burn_in": burn_in, "thin": thin}
    return {key: int(value) for key, value in given.items() if value is not None}


@dataclass(frozen=True)
class RunResult:
    """What :func:`run` made and published.

    Attributes
    ----------
    folder
        The published output folder.
    plans
        The configurations (best first for each k, alternatives after their main plan).
    current
        Today's arrangement, checked against its spec.
    table
        The comparison table (with ensemble ranks when ``[outputs] ensemble`` > 0).
    outputs
        The files written.
    manifest
        The content of ``manifest.json``.
    """

    folder: Path
    plans: tuple[Plan, ...]
    current: Plan
    table: pd.DataFrame
    outputs: Outputs
    manifest: dict[str, Any]

    @property
    def violated(self) -> list[str]:
        """Names of the configurations that break a rule of their spec."""
        return list(self.manifest["violated"])


def run(
    scenario: Scenario,
    out: str | Path | None = None,
    *,
    echo: Callable[[str], None] = lambda _: None,
    command: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
) -> RunResult:
    """``partition run``: run a scenario and publish everything as its output folder, all at once.

    The output folder is checked before anything is loaded or solved, the whole
    run is written into a staging folder and published in one step by
    :func:`partition.runs.publish.staged_output`: a failure or an interrupt leaves the
    previous outputs as they were, and a rerun replaces them completely.

    Parameters
    ----------
    scenario
        The parsed scenario file (:func:`partition.runs.scenario.load_scenario`).
    out
        The output folder (default: the scenario's ``[outputs] folder``).
    echo
        Called with a line per configuration written.
    command
        The command line as typed, recorded in the manifest and the folder's marker
        (default: this process's arguments, without machine paths).
    workers, scheduler
        Where the ensembles' chains run (:func:`chain_executor`); the ranks do not depend on it.

    Returns
    -------
    RunResult

    Raises
    ------
    OutputLocationError
        When the output folder cannot be written or was not created by partition.
    InfeasibleError
        When any k cannot be planned (nothing is written).
    """
    from partition.analysis.compare import add_ensemble_ranks, scorecard
    from partition.analysis.ensemble import plan_percentiles
    from partition.planning.planner import district_plan

    started = time.perf_counter()
    target = Path(out) if out else scenario.folder
    command = command or public_command()
    with staged_output(target, command=command, workflow="run") as folder:
        timings: dict[str, float] = {}
        t = time.perf_counter()
        inputs = loading.prepare_scenario(scenario)
        timings["load_units_graph"] = round(time.perf_counter() - t, 2)
        spec = scenario.spec
        plans = solve_configurations(inputs, spec, scenario.solver, timings=timings, names=scenario.names)
        current = checked(district_plan(inputs), inputs)
        everything = plans + [current]
        table = scorecard(everything, reference=plans[0])
        given = OutputOptions.model_validate(scenario.outputs)  # the keys given, the defaults for the rest
        size = given.ensemble
        if size:
            t = time.perf_counter()
            design = _chain_options(given.ensemble_chains, given.ensemble_burn_in, given.ensemble_thin)
            with chain_executor(workers, scheduler) as executor:
                ranks = plan_percentiles(
                    inputs, plans, size, random_state=spec.random_state, executor=executor, **design
                )
            table = add_ensemble_ranks(table, everything, ranks, size)
            timings["ensemble"] = round(time.perf_counter() - t, 2)
        outputs = write_outputs(
            folder,
            inputs,
            plans,
            current,
            table=table,
            maps=given.maps,
            exports=given.exports,
            pack=given.pack,
            basemap=given.basemap,
            timings=timings,
            echo=echo,
            shown_as=target,
        )
        timings["total"] = round(time.perf_counter() - started, 2)
        manifest = _manifest(scenario, inputs, plans, folder, timings, command=command, target=target, table=table)
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return RunResult(target, tuple(plans), current, table, outputs, manifest)


def _manifest(
    scenario: Scenario,
    inputs: Inputs,
    plans: list[Plan],
    folder: Path,
    timings: dict[str, float],
    *,
    command: str,
    target: Path,
    table: pd.DataFrame | None = None,
) -> dict[str, Any]:
    """The content of ``manifest.json`` (see the module docstring); ``ensemble`` is the design of the ensemble
    ranks of ``table`` (:func:`partition.analysis.compare.ensemble_design`), None without.
    """
    spec = scenario.spec
    return {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": command,
        "scenario": {"path": public_path(scenario.path), "sha256": scenario.sha256, "text": scenario.text},
        "inputs": [_file_record(read) for read in inputs.dataset.files.values()],
        "spec": spec.to_dict(),
        # the settings used, defaults included (the file may leave any of them out)
        "solver": {**SolverOptions().model_dump(), **scenario.solver},
        "outputs": {**OutputOptions().model_dump(), **scenario.outputs, "folder": public_path(target)},
        "seed": spec.random_state,
        "excluded_schools": inputs.dataset.excluded.to_dict("records"),
        "configurations": {
            p.name: {
                "status": p.status,
                "violations": p.broken_rules(),
                "wdist_km": p.wdist_km,
                "bound": p.bound,
                "gap": p.gap,
                "assignments_sha256": sha256(folder / p.name / "assignments.csv"),
                **{key: p.details[key] for key in ("federations", "trusts") if key in p.details},
            }
            for p in plans
        },
        "violated": [p.name for p in violated(plans)],
        "ensemble": None if table is None else table.attrs.get("ensemble_design"),
        "versions": _versions(),
        "timings_s": timings,
    }


def run_scenario(
    scenario: Scenario,
    out: str | Path | None = None,
    *,
    echo: Callable[[str], None] = lambda _: None,
    command: str | None = None,
) -> dict[str, Any]:
    """The manifest of :func:`run` (kept for callers of the former ``partition.runner``).

    Parameters
    ----------
    scenario, out, echo, command
        As :func:`run`.

    Returns
    -------
    dict
        The content of ``manifest.json`` (:attr:`RunResult.manifest`).

    Raises
    ------
    OutputLocationError, InfeasibleError
        As :func:`run`.
    """
    return run(scenario, out, echo=echo, command=command).manifest
