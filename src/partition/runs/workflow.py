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
import dataclasses
import datetime as dt
import json
import platform
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
import pandas as pd

from partition import __version__
from partition.analysis.recommend import candidates, recommend_plans
from partition.analysis.settlements import settlement_line
from partition.analysis.validate import checked
from partition.core.limits import SHOWN_VALUES, listed
from partition.core.schema import Source
from partition.core.wording import counted
from partition.data.naming import NameOverrides
from partition.errors import InfeasibleError, PartitionError
from partition.io import datapaths
from partition.io.datapaths import data_dir as default_data_dir
from partition.io.fetch import sha256
from partition.io.snapshot import InputRecord
from partition.model.plan import Plan, qualify_name
from partition.model.spec import PlanSpec
from partition.runs.options import OutputOptions, SolverOptions
from partition.runs.outputs import write_plan
from partition.runs.publish import public_command, public_path, staged_output
from partition.runs.scenario import Scenario
from partition.units.prepare import Inputs, prepare
from partition.warnings import DataWarning

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from partition.report.maps import WrittenMap

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


def _data_folder() -> Path | None:
    """The data folder by the documented rule, or None when there is none."""
    try:
        return default_data_dir()
    except PartitionError:
        return None


def _file_record(read: InputRecord) -> dict[str, Any]:
    """The manifest's record of an input: what was read of it (:attr:`partition.data.dataset.Dataset.files`), not what
    its path holds now. A file's ``sha256`` is that of the bytes parsed; a Shapefile's and a folder's files are
    listed under ``parts`` (a folder's ``sha256``: their digests' first 16 characters, joined by commas)."""
    record: dict[str, Any] = {
        "path": public_path(read.path, _data_folder()),
        "sha256": ",".join(h[:16] for _, h in read.parts) if read.folder else read.sha256,
        "bytes": str(read.size),
        "modified": read.modified,
    }
    if read.parts:
        record["parts"] = dict(read.parts)
    return record


def prepare_data(data: Mapping[str, Any] | None = None, *, data_dir: str | Path | None = None) -> Inputs:
    """Load the schools, build the planning units and their adjacency graph: the one translation of data options.

    Parameters
    ----------
    data
        The keys of a scenario's ``[data]`` table (:class:`partition.runs.options.DataOptions`):
        ``schools``, ``boundaries`` (paths, relative to the data folder), ``layer``, ``la``
        (DfE LA codes, e.g. ``["850"]``), ``status`` (``open``/``all``), ``kinds``, ``districts``
        (ONS codes), ``units`` (``"sites"`` or a polygon file or folder), ``population`` (CSV),
        ``islands`` (``link``/``error``), ``members``, ``independent_special`` (true/false), ``establishments``,
        ``codepoint``, ``ks5`` (paths; see :func:`partition.data.dataset.load_dataset`). A missing or empty key takes the default of
        :func:`partition.units.prepare.prepare` (Hampshire, open schools, Voronoi units of sites).
    data_dir
        The data folder (default: ``$PARTITION_DATA``, ``../shared/data``, ``data/``).

    Returns
    -------
    Inputs
        The dataset, the units (polygons in metres, BNG EPSG:27700), the schools with their
        unit, and the unit graph.

    Raises
    ------
    DataLocationError, InputFileError
        When a file is missing or unreadable (the message names it and the fix).
    SpecError
        When an LA or district code is not in the data.
    """
    d = dict(data or {})
    options: dict[str, Any] = {}
    if d.get("la"):
        options["la_codes"] = tuple(str(x) for x in d["la"])
    if d.get("status"):
        options["status"] = d["status"]
    if d.get("kinds"):
        options["kinds"] = tuple(d["kinds"])
    if d.get("districts"):
        options["district_codes"] = tuple(d["districts"])
    if d.get("layer"):
        options["layer"] = d["layer"]
    for key in ("members", "independent_special"):
        if d.get(key) is not None:
            options[key] = bool(d[key])
    for key in ("establishments", "codepoint", "ks5"):
        if d.get(key):
            options[key] = d[key]
    options["need"] = _need_option(d, data_dir)
    return prepare(
        d.get("schools"),
        d.get("boundaries"),
        units=d.get("units") or "sites",
        population=d.get("population"),
        island_policy=d.get("islands") or "link",
        data=data_dir,
        **options,
    )


def _need_option(d: Mapping[str, Any], data_dir: str | Path | None) -> bool | dict[str, tuple[str, str]]:
    """``prepare``'s ``need``: False with ``need = false``; the tables given (``children``, ``low_income`` with their
    ``_areas``) over the data folder's defaults for the LAs; else True (the defaults)."""
    if d.get("need") is False:
        return False
    given = {
        measure: (d[key], d[f"{key}_areas"])
        for measure, key in (("population", "children"), ("low_income", "low_income"))
        if d.get(key)
    }
    if not given:
        return True
    codes = tuple(str(x) for x in d["la"]) if d.get("la") else datapaths.DEFAULT_LA_CODES
    return {**datapaths.default_need(codes, data_dir), **given}


def prepare_scenario(scenario: Scenario) -> Inputs:
    """:func:`prepare_data` of the scenario's ``[data]`` table.

    Parameters
    ----------
    scenario
        The parsed scenario (:func:`partition.runs.scenario.load_scenario`); its ``data`` holds the
        ``[data]`` keys (paths relative to the data folder).

    Returns
    -------
    Inputs
        The dataset, units (EPSG:27700, metres), schools with their unit, and the unit graph.

    Raises
    ------
    DataLocationError, InputFileError, SpecError
        As :func:`prepare_data`.
    """
    return prepare_data(scenario.data)


def spec_from_options(
    base: PlanSpec,
    changes: Mapping[str, Any],
    source: Source,
) -> PlanSpec:
    """``base`` with the changes of command-line options on top, validated as a ``[spec]`` table.

    Parameters
    ----------
    base
        The ``--spec`` file's spec, or the defaults.
    changes
        Any of ``k`` (list), ``tolerance`` (pupils, a fraction), ``schools_min``, ``schools_max``
        (schools per partnership), ``anchors`` (bool), ``districts``, ``split_penalty_km`` (km),
        ``random_state``, ``objective``, ``federations``, ``trusts``, ``trust_penalty_km`` (km),
        ``balance_penalty_km`` (km per point); a key that is None is not a change. ``tolerance`` replaces the pupils
        bound's tolerance (a pupils bound of ±10 % is added when the spec has none); a schools
        bound replaces the spec's ``n_schools`` bound.
    source
        Where the values come from, for the messages (:class:`partition.core.schema.Source` naming the options).

    Returns
    -------
    PlanSpec
        The validated spec.

    Raises
    ------
    SpecError
        When a value breaks a rule of :class:`partition.model.spec.SpecSchema` (the message names the option).
    """
    from partition.core.schema import validate
    from partition.model.spec import SpecSchema, plain_data

    given = {key: value for key, value in changes.items() if value is not None}
    spec = base.to_dict()
    tolerance, low, high = given.pop("tolerance", None), given.pop("schools_min", None), given.pop("schools_max", None)
    if tolerance is not None or low is not None or high is not None:
        given["size"] = _size_bounds(spec["size"], tolerance, low, high)
    return validate(SpecSchema, plain_data({**spec, **given}), source).to_spec()


def _size_bounds(
    sizes: list[dict[str, Any]], tolerance: float | None, low: int | None, high: int | None
) -> list[dict[str, Any]]:
    """The ``size`` bounds with the pupils tolerance and the schools bound of the options put in."""
    schools = low is not None or high is not None
    replaced = {"pupils"} | ({"n_schools"} if schools else set())
    out = [b for b in sizes if b["attribute"] not in replaced]
    pupils = next((b for b in sizes if b["attribute"] == "pupils"), {"attribute": "pupils", "tolerance": 0.10})
    out.insert(0, {**pupils, **({"tolerance": tolerance} if tolerance is not None else {})})
    if schools:
        out.append({"attribute": "n_schools", "tolerance": None, "min": low, "max": high})
    return out


def recommendation_lines(chosen: Sequence) -> str:
    """Recommendations (:func:`partition.analysis.recommend.recommend_plans`) as Markdown for the end of
    ``comparison.md``: a heading and one line
    per k (the configuration's name, then the reasons); empty without any."""
    lines = [f"* k = {r.k}: **{r.name}**. " + " ".join(r.reasons) for r in chosen]
    if not lines:
        return ""
    heading = (
        "Recommended (robust to roll changes in at least 9 of 10 draws, then feeder pairs split, then distance, "
        "within 1 % counting as equal, then towns and villages divided):"
    )
    return f"\n{heading}\n\n" + "\n".join(lines) + "\n"


def load_configuration(path: str | Path, inputs: Inputs) -> Plan:
    """A configuration from a file, scored on ``inputs`` as a :class:`~partition.model.plan.Plan`.

    Parameters
    ----------
    path
        A folder written by ``partition plan``/``run`` (its ``assignments.csv`` and the spec in
        ``plan.json``), a ``URN,partnership`` CSV, or a polygon layer of areas (each school takes
        the area it lies in; see :func:`partition.analysis.compare.labels_from_areas`).
    inputs
        The loaded schools, units and graph.

    Returns
    -------
    Plan
        Named after the folder or file (without suffix); scored by
        :func:`partition.planning.planner.plan_from_assignment`.

    Raises
    ------
    DataLocationError
        When ``path`` does not exist.
    InputFileError, InfeasibleError
        When the file cannot be read, or a loaded school has no partnership in it.
    """
    from partition.analysis.compare import labels_from_areas, read_assignment_csv, read_plan_folder
    from partition.errors import DataLocationError
    from partition.io.boundaries import read_polygons
    from partition.planning.planner import plan_from_assignment

    path = Path(path)
    if not path.exists():
        raise DataLocationError(
            f"configuration {path} does not exist",
            fix="give a folder written by 'partition plan', a CSV or a polygon file",
        )
    if path.is_dir():
        labels, meta = read_plan_folder(path)
        spec = PlanSpec.from_dict(meta["spec"], source=str(path / "plan.json")) if "spec" in meta else None
        if spec is not None:
            spec = PlanSpec(**{**spec.to_dict_shallow(), "k": (labels.nunique(),)})
        return plan_from_assignment(inputs, labels, spec, name=path.name, source=str(path))
    if path.suffix.lower() == ".csv":
        labels = read_assignment_csv(path)
        return plan_from_assignment(inputs, labels, name=path.stem, source=str(path))
    labels = labels_from_areas(inputs.schools, read_polygons(path), source=path)
    return plan_from_assignment(inputs, labels, name=path.stem, source=str(path))


def read_edited_plan(path: str | Path, inputs: Inputs, *, option: str, complete: bool) -> pd.Series:
    """A planner's ``URN, partnership[, note]`` CSV (as ``partition compare`` reads it), checked against the schools.

    Parameters
    ----------
    path
        The CSV (:func:`partition.analysis.compare.read_assignment_csv`: URN and partnership columns, any case; a
        ``note`` or other columns are ignored).
    inputs
        The loaded schools.
    option
        The option that named it (``--start-from``, ``--lock-from``), for the messages.
    complete
        Every loaded school must have a row (a starting configuration) or not (locks on some schools).

    Returns
    -------
    pandas.Series
        URN → partnership name.

    Raises
    ------
    InputFileError
        Naming the file, the row and the column: unreadable, a missing column, a URN that is not a number,
        appears twice or is not among the loaded schools, a blank partnership; or (``complete``) the loaded
        schools without a row.
    """
    from partition.analysis.compare import read_assignment_csv
    from partition.errors import InputFileError

    labels = read_assignment_csv(path)
    loaded = set(inputs.schools["URN"].astype(int))
    unknown = [(i, int(u)) for i, u in enumerate(labels.index) if int(u) not in loaded]
    if unknown:
        i, urn = unknown[0]
        more = (
            f" (and {len(unknown) - 1} more: URN {', '.join(str(u) for _, u in unknown[1:11])})"
            if len(unknown) > 1
            else ""
        )
        if urn in set(inputs.members["URN"].astype(int)):
            raise InputFileError(
                path,
                f"{option}: URN {urn} is a college, special school or PRU: a member of the partnership whose area it "
                "stands in, which moves with that area",
                row=int(labels.attrs["lines"][i]),
                column="URN",
                fix="delete its row, or write no in its counted column (as assignments.csv does)",
            )
        raise InputFileError(
            path,
            f"{option}: URN {urn} is not among the loaded schools (closed, excluded, another LA or a typo){more}",
            row=int(labels.attrs["lines"][i]),
            column="URN",
            fix="correct or delete the row, or load the schools the plan was made for",
        )
    missing = sorted(loaded - set(labels.index.astype(int)))
    if complete and missing:
        names = inputs.schools.set_index("URN")["name"]
        shown = ", ".join(f"{u} {names[u]}" for u in missing[:10]) + (
            f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        )
        raise InputFileError(
            path,
            f"{option}: {len(missing)} loaded school(s) have no row: URN {shown}",
            column="URN",
            fix="add a row (URN, partnership) for each school, or start from a plan of the same schools",
        )
    return labels


MOVED_COLUMN = "moved"
"""Column of an edited plan (the editor's export) marking the schools the planner moved (``yes``)."""

MOVED_YES = frozenset({"yes", "y", "true", "1"})
"""Values of :data:`MOVED_COLUMN` (any case) that mark a move; anything else, or blank, is not one."""


def planners_moves(path: str | Path) -> set[int] | None:
    """URNs an edited plan marks as moved by the planner (its ``moved`` column), or None without that column.

    Parameters
    ----------
    path
        A ``URN, partnership[, note, moved]`` CSV, e.g. the editor's export (``edit.html``).

    Returns
    -------
    set of int or None
        The URNs of rows whose ``moved`` is yes/y/true/1 (any case); None when the file has no ``moved``
        column (then every row counts).

    Raises
    ------
    InputFileError
        When the file cannot be read as CSV, or a URN is not digits (naming its line).
    """
    from partition.analysis.compare import counted_rows, read_csv_text
    from partition.io.values import identifiers

    table = counted_rows(read_csv_text(path))  # members (counted = no) follow their unit: never a move
    moved, urn = table.column(MOVED_COLUMN), table.column("urn")
    if moved is None or urn is None:
        return None
    marked = table.frame[moved].str.strip().str.lower().isin(MOVED_YES)
    return {int(u) for u in identifiers(table, urn)[marked]}


def kept_as_edited(lock_from: str | Path, inputs: Inputs, k: tuple[int, ...]) -> tuple[pd.Series, str, list[str]]:
    """The rows of ``--lock-from`` to pin, and what that keeps, in words for the printed line.

    Without a ``moved`` column every row is pinned. With one (the editor's export), each school the planner
    moved is kept with the schools it was moved to join: the moved schools and every school of each
    partnership that received a move (as the file has it) are pinned to that partnership's name, so those
    partnerships stay as the planner left them (closed to other schools by :func:`kept_closed`); every other
    partnership, the ones that gave schools away included, is re-planned.

    Parameters
    ----------
    lock_from
        A ``URN, partnership[, note, moved]`` CSV (:func:`read_edited_plan`, :func:`planners_moves`).
    inputs
        The loaded schools.
    k
        The numbers of partnerships asked (for the count of partnerships re-planned).

    Returns
    -------
    tuple
        URN → partnership name of the rows to pin; e.g. ``kept as edited: Alton, Fair Oak (2 moves); the
        other 21 partnerships re-planned`` (or ``12 school(s) pinned`` without a ``moved`` column); the
        partnerships kept whole (none without a ``moved`` column).

    Raises
    ------
    InputFileError
        As :func:`read_edited_plan`.
    """
    locked = read_edited_plan(lock_from, inputs, option="--lock-from", complete=False)
    moved = planners_moves(lock_from)
    if moved is None:
        return locked, f"{len(locked)} school(s) pinned", []
    moves = locked[locked.index.isin(moved)]
    kept = sorted(set(moves))
    others = f"the other {k[0] - len(kept)} partnerships" if len(k) == 1 else "the other partnerships"
    if not kept:
        text = f"no school marked moved in {Path(lock_from).name}: nothing pinned, every partnership re-planned"
        return moves, text, []
    return (
        locked[locked.isin(kept)],
        f"kept as edited: {', '.join(kept)} ({len(moves)} move{'s' if len(moves) != 1 else ''}); {others} re-planned",
        kept,
    )


def changed_from_start(plans: Sequence[Plan], start: pd.Series) -> list[str]:
    """What each re-plan changed in the plan it started from (``--start-from``), in words for the printed lines.

    Parameters
    ----------
    plans
        The configurations planned.
    start
        URN -> partnership name of the starting plan.

    Returns
    -------
    list of str
        One line per plan: ``"k23-ignore-locks: 7 schools in another partnership than the edited plan gives them
        (Fareham & Stubbington 4, Sarisbury Green 3 ...)"``, or that none changed.
    """
    out = []
    for plan in plans:
        now = plan.assignments.set_index("URN")["partnership"]
        before = start.reindex(now.index)
        moved = now[before.notna() & (now != before)]
        if moved.empty:
            out.append(f"{plan.name}: every school in the partnership the edited plan gives it")
            continue
        left = before[moved.index].value_counts()
        shown = ", ".join(f"{name} {n}" for name, n in left.head(5).items()) + (" ..." if len(left) > 5 else "")
        out.append(
            f"{plan.name}: {len(moved)} school{'s' if len(moved) != 1 else ''} moved by the re-plan from the edited "
            f"plan's partnerships ({shown})"
        )
    return out


def repair_broken(
    locked: pd.Series, moved: set[int], whole: list[str], inputs: Inputs, spec: PlanSpec, edited: pd.Series
) -> tuple[pd.Series, list[str], list[str]]:
    """Partnerships an edit left outside a size bound are repaired, not locked in.

    A partnership the planner moved schools into is kept whole (:func:`kept_as_edited`) unless, as edited, it
    breaks a pupils or schools bound of ``spec`` (at the smallest k asked). Then it is no longer closed, and:

    * above its maximum: its moved schools stay pinned to it with its **core**: schools are released from its
      edge, farthest from the moved ones first, until those left are within the average partnership's size
      (:func:`_core`); the re-plan may move the released schools. The moved school stays with the partners the
      planner gave it, and the partnership keeps its name because it keeps most of its schools;
    * below its minimum: all its schools stay pinned to it and the re-plan may add schools to it.

    (A partnership the edit left too small by taking schools away is re-planned anyway: only the partnerships
    that received schools are kept.)

    Parameters
    ----------
    locked
        URN -> partnership name of the rows to pin (:func:`kept_as_edited`).
    moved
        URNs the planner moved (:func:`planners_moves`).
    whole
        Partnerships kept whole.
    inputs, spec
        The loaded schools (with their points, EPSG:27700) and units, and the rules.
    edited
        URN -> partnership name of every school of the edited plan.

    Returns
    -------
    (pandas.Series, list of str, list of str)
        The rows still pinned, the partnerships still kept whole, and a plain note per partnership repaired
        (``"Fareham as edited has 8,638 pupils, above the 8,561 allowed: its 1 moved school and 12 schools
        nearest it stay in it; 4 schools at its far edge are re-planned (…, …)"``, naming them).
    """
    from partition.solvers.problem import limits

    attrs = {a: inputs.units[a].to_numpy(dtype=float) for a in ("pupils", "n_schools") if a in inputs.units}
    bounds = [b for b in spec.size if b.attribute in attrs]
    allowed = limits(bounds, attrs, min(spec.k))
    average = {a: float(v.sum()) / min(spec.k) for a, v in attrs.items()}
    schools = inputs.schools.set_index("URN")
    notes: list[str] = []
    kept = list(whole)
    for name in whole:
        urns = locked.index[locked == name]
        sizes = {"pupils": float(schools.loc[urns, "pupils"].sum()), "n_schools": float(len(urns))}
        broken = [(a, sizes[a], lo, hi) for a, (lo, hi) in allowed.items() if not lo - 1e-9 <= sizes[a] <= hi + 1e-9]
        if not broken:
            continue
        attribute, size, low, high = broken[0]
        kept.remove(name)
        what = "pupils" if attribute == "pupils" else "schools"
        if size < low:
            notes.append(
                f"{name} as edited has {size:,.0f} {what}, below the {low:,.0f} required: its schools stay in it "
                "and the re-plan may add others"
            )
            continue
        mine = [int(u) for u in urns if int(u) in moved]
        core = _core(inputs, edited, name, mine, attribute, average[attribute], spec) if mine else []
        locked = locked[(locked != name) | locked.index.isin(core)]
        released = [int(u) for u in urns if int(u) not in set(core)]
        others = len(released)
        listed = ", ".join(str(schools.at[u, "name"]) for u in sorted(released)[:8]) + (
            f" and {others - 8} more" if others > 8 else ""
        )
        notes.append(
            f"{name} as edited has {size:,.0f} {what}, above the {high:,.0f} allowed: its "
            f"{counted(len(mine), 'moved school')} and {counted(len(core) - len(mine), 'school')} nearest "
            f"{'them' if len(mine) != 1 else 'it'} stay in it; {counted(others, 'school')} at its far edge "
            f"{'are' if others != 1 else 'is'} re-planned" + (f" ({listed})" if released else "")
        )
    return locked, kept, notes


def _core(
    inputs: Inputs, edited: pd.Series, name: str, mine: list[int], attribute: str, average: float, spec: PlanSpec
) -> list[int]:
    """The schools of partnership ``name`` (as ``edited``) that stay pinned to it when it is repaired.

    Schools are released from the partnership, farthest from the moved schools ``mine`` first (straight line to
    the nearest moved school), until the total of ``attribute`` of those left is within ``average``. Only a
    school that can leave is released: its site touches another partnership's or a released school's site. A
    school of the place the partnership is named after, or of a moved school's place
    (:func:`partition.data.naming.school_places`), is released only when no other school can be: the town the
    partnership is named after stays whole where it can.
    Schools that move together (one site, a feeder pair, a federation:
    :func:`partition.data.federations.effective_locks`) are released together; the moved schools never are.

    Returns
    -------
    list of int
        URNs of the schools left (the moved ones included), in URN order.
    """
    from partition.data.federations import effective_locks
    from partition.data.naming import name_parts, place_key, school_places

    schools = inputs.schools.set_index("URN")
    place = dict(zip(inputs.schools["URN"].astype(int), school_places(inputs.schools)["place"].map(place_key)))
    own = {place_key(p) for p in name_parts(name)[:1]} | {place[m] for m in mine if place.get(m)}
    urns = [int(u) for u in edited.index[edited == name]]
    members = set(urns)
    links = nx.Graph()
    links.add_nodes_from(urns)
    together = effective_locks(spec, inputs.schools).together
    for group in [*schools.loc[urns].groupby("unit").groups.values(), *together]:
        inside = [int(u) for u in group if int(u) in members]
        links.add_edges_from(zip(inside, inside[1:]))
    unit = schools["unit"].astype(int)
    label_of_unit = dict(zip(unit.reindex(edited.index).to_numpy(), edited.to_numpy()))
    outside = {u for u, label in label_of_unit.items() if label != name}
    points = schools.geometry
    size = (lambda u: 1.0) if attribute == "n_schools" else (lambda u: float(schools.at[u, "pupils"]))
    moved = set(mine)
    groups = [set(int(u) for u in c) for c in nx.connected_components(links)]
    free = [g for g in groups if not g & moved]
    far = {min(g): min(float(points[u].distance(points[m])) for u in g for m in mine) for g in free}
    total = sum(size(u) for u in urns)
    while total > average + 1e-9:
        can_leave = [g for g in free if any(outside & set(inputs.graph[int(unit[u])]) for u in g)]
        if not can_leave:
            break
        group = max(can_leave, key=lambda g: (not any(place.get(u) in own for u in g), far[min(g)], -min(g)))
        free.remove(group)
        outside |= {int(unit[u]) for u in group}
        total -= sum(size(u) for u in group)
        members -= group
    return sorted(members)


def kept_closed(locked: pd.Series, inputs: Inputs, names: list[str]) -> tuple[tuple[int, int], ...]:
    """``apart`` pairs that close each named partnership of ``locked`` to its neighbours, so that it is kept
    exactly (no other school can join it: a school joining a connected partnership needs a neighbouring one).

    Parameters
    ----------
    locked
        URN → partnership name of the pinned rows.
    inputs
        The loaded schools (``URN``, ``unit``) and their unit adjacency graph.
    names
        The partnerships to close.

    Returns
    -------
    tuple of (int, int)
        ``(URN of the partnership, URN of a school next to it)``, one pair per neighbouring unit.
    """
    unit = inputs.schools.set_index("URN")["unit"].astype(int)
    held = set(unit[locked.index.astype(int)])
    first_of_unit = inputs.schools.sort_values("URN").groupby("unit")["URN"].first().astype(int)
    pairs: list[tuple[int, int]] = []
    for name in names:
        urns = sorted(int(u) for u in locked.index[locked == name])
        units = set(unit[urns])
        around = sorted({v for u in units for v in inputs.graph[u]} - held)
        pairs += [(urns[0], int(first_of_unit[v])) for v in around if v in first_of_unit.index]
    return tuple(pairs)


def with_edits(
    spec: PlanSpec, inputs: Inputs, *, start_from: str | Path | None = None, lock_from: str | Path | None = None
) -> tuple[PlanSpec, pd.Series | None, str]:
    """The spec with a lock file's rows pinned, and the starting configuration, of ``--lock-from``/``--start-from``.

    Parameters
    ----------
    spec
        The plan spec.
    inputs
        The loaded schools.
    start_from
        A complete ``URN, partnership`` CSV to seed the solver with: its number of partnerships must be every k.
    lock_from
        A ``URN, partnership`` CSV whose rows become ``pinned`` locks (the partnership names survive to the output);
        with a ``moved`` column (the editor's export), the partnerships the planner moved schools into, whole and
        closed to other schools (:func:`kept_as_edited`, :func:`kept_closed`), so that the same file can be given to ``--start-from`` and ``--lock-from``: the
        planner's moves kept, the rest re-planned.

    Returns
    -------
    tuple
        The spec (with the pinned locks added), the start (URN → partnership name, or None) and what the locks
        keep, in words (empty without ``lock_from``).

    Raises
    ------
    InputFileError
        As :func:`read_edited_plan`; a starting configuration whose number of partnerships is not the k
        asked; a lock file with more partnerships than the smallest k, or pinning a URN the spec pins to
        another name.
    """
    from partition.errors import InputFileError

    start = None
    if start_from is not None:
        start = read_edited_plan(start_from, inputs, option="--start-from", complete=True)
        n = start.nunique()
        if any(k != n for k in spec.k):
            raise InputFileError(
                start_from,
                f"--start-from: the plan has {n} partnerships but k = {', '.join(map(str, spec.k))} was asked",
                column="partnership",
                fix=f"plan --k {n}, or start from a plan with the k asked",
            )
    kept = ""
    if lock_from is not None:
        locked, kept, whole = kept_as_edited(lock_from, inputs, spec.k)
        edited = read_edited_plan(lock_from, inputs, option="--lock-from", complete=False)
        locked, whole, repairs = repair_broken(locked, planners_moves(lock_from) or set(), whole, inputs, spec, edited)
        kept += "".join(f"; {note}" for note in repairs)
        if locked.nunique() > min(spec.k):
            raise InputFileError(
                lock_from,
                f"--lock-from pins schools to {locked.nunique()} partnerships but k = {min(spec.k)} was asked",
                column="partnership",
                fix=f"plan --k {locked.nunique()} or more, or pin fewer partnerships",
            )
        own = dict(spec.locks.pinned)
        clash = [(u, n) for u, n in locked.items() if int(u) in own and own[int(u)] != n]
        if clash:
            u, n = clash[0]
            raise InputFileError(
                lock_from,
                f"--lock-from pins URN {u} to {n!r} but the spec pins it to {own[int(u)]!r}",
                column="partnership",
                fix="give the school one partnership",
            )
        pinned = spec.locks.pinned + tuple((int(u), str(n)) for u, n in locked.items() if int(u) not in own)
        locks = dataclasses.replace(
            spec.locks, pinned=pinned, apart=spec.locks.apart + kept_closed(locked, inputs, whole)
        )
        spec = dataclasses.replace(spec, locks=locks)
    return spec, start, kept


def solve_configurations(
    inputs: Inputs,
    spec: PlanSpec,
    solver: dict[str, Any],
    *,
    timings: dict[str, float] | None = None,
    names: NameOverrides | None = None,
    start: pd.Series | None = None,
) -> list[Plan]:
    """Plan every k of ``spec`` (with its alternatives), name and check each configuration; write nothing.

    Each plan is named after what sets it apart (see :func:`partition.model.plan.qualify_name`)
    and checked by :func:`partition.analysis.validate.check_status`, which records the rules it
    breaks in ``plan.violations``. Its partnerships are named after their places; a
    partnership that is the same as one of an earlier configuration of the run (the first
    k's main plan first) keeps that one's name, and the scenario's ``[names]`` overrides win
    (see :mod:`partition.data.naming`).

    Parameters
    ----------
    inputs, spec
        What to plan and the rules.
    solver
        ``name``, ``time_limit``, ``alternatives``, ``min_difference``, ``within`` (the ``[solver]`` table).
    timings
        Filled with seconds per k, when given.
    names
        The scenario's ``[names]`` table, when given.
    start
        A configuration (URN → partnership name) to seed the solver with (see :func:`with_edits`).

    Returns
    -------
    list of Plan
        Best first for each k.

    Raises
    ------
    InfeasibleError
        When any k cannot be planned (the first few such k named, with the count of the others), so that
        a run never publishes some of its configurations without the others; a k above the planning units
        before anything is planned.
    SafetyStopError
        When a solver's safety stop fires before its work budget is spent (see :mod:`partition.planning.planner`).
    PartitionError
        When two configurations would share a name.
    SpecError
        When ``names`` gives a URN that is not loaded, or one name to two partnerships, or
        renames a name that no configuration has.
    IntegrityError
        When a plan's status disagrees with the independent check of its rules.
    """
    from partition.planning.planner import alternatives, make_plan, with_alternatives

    options = SolverOptions.model_validate(dict(solver))  # the keys given, the defaults for the rest
    name = options.name
    plans: list[Plan] = []
    failures: list[InfeasibleError] = []
    if names is not None:
        names.check_urns(set(inputs.schools["URN"].astype(int)))
    _check_k_fits(spec, inputs)
    for k in spec.k:
        t = time.perf_counter()
        try:
            main = make_plan(
                inputs,
                spec,
                k,
                solver=name,
                time_limit=options.time_limit,
                earlier=tuple(plans),
                names=names,
                start=start,
            )
            batch = [main]
            if options.alternatives:
                alts = alternatives(
                    inputs,
                    spec,
                    k,
                    n=options.alternatives,
                    min_difference=options.min_difference,
                    within=options.within,
                    reference=batch[0],
                    earlier=(main, *plans),
                    names=names,
                )
                batch = with_alternatives(batch[0], alts)
        except InfeasibleError as exc:
            failures.append(exc)
            continue
        if timings is not None:
            timings[f"k{k}"] = round(time.perf_counter() - t, 2)
        plans.extend(batch)
    if options.within_districts and spec.districts != "nest" and not failures:
        plans += _within_districts(inputs, spec, options, plans, names, timings)
    if failures:
        more = len(failures) - SHOWN_VALUES
        raise InfeasibleError(
            "; ".join(exc.message for exc in failures[:SHOWN_VALUES])
            + (f"; and {more} more k value(s) cannot be planned" if more > 0 else "")
            + " (nothing was written)",
            fix=next((exc.fix for exc in failures if exc.fix), None),
        )
    if names is not None:
        names.check_renames({str(n) for p in plans for n in p.partnerships["name"]})
    plans = [dataclasses.replace(plan, name=qualify_name(plan, name)) for plan in plans]
    clash = sorted({p.name for p in plans if [q.name for q in plans].count(p.name) > 1})
    if clash:
        raise PartitionError(
            f"two configurations of this run would share the name {', '.join(clash)}",
            fix="report it: this is a fault of partition",
        )
    return plans  # each checked once, by make_plan (a name qualifier changes no rule)


def _within_districts(
    inputs: Inputs,
    spec: PlanSpec,
    options: SolverOptions,
    earlier: list[Plan],
    names: NameOverrides | None,
    timings: dict[str, float] | None,
) -> list[Plan]:
    """The district family, for comparison with the balanced configurations: for each k of ``spec``, one
    configuration with every partnership inside one district at the smallest pupil tolerance that allows it
    (:func:`partition.planning.nesting.within_districts_spec`), then one in between (:func:`partition.planning.nesting.in_between_spec`:
    half-way tolerance, crossing a district boundary penalised).

    A k for which there is none, or whose search finds none, is reported by a :class:`DataWarning` naming why;
    the balanced configurations are published either way.
    """
    from partition.planning.nesting import in_between_spec, within_districts_spec
    from partition.planning.planner import make_plan

    out: list[Plan] = []
    for k in spec.k:
        t = time.perf_counter()
        nested, why = within_districts_spec(inputs.units, spec, k)
        if nested is None:
            warnings.warn(f"no configuration within districts at k = {k}: {why}", DataWarning, stacklevel=2)
            continue
        for family in (nested, in_between_spec(nested, spec)):
            try:
                plan = make_plan(
                    inputs,
                    family,
                    k,
                    solver=options.name,
                    time_limit=options.time_limit,
                    earlier=tuple(earlier + out),
                    names=names,
                )
            except InfeasibleError as exc:
                what = "within districts" if family.districts == "nest" else "in between"
                warnings.warn(f"no configuration {what} at k = {k}: {exc.message}", DataWarning, stacklevel=2)
                continue
            family_name = "within districts" if family.districts == "nest" else "mostly within districts"
            out.append(dataclasses.replace(plan, details={**plan.details, "family": family_name}))
        if timings is not None:
            timings[f"k{k}_districts_family"] = round(time.perf_counter() - t, 2)
    return out


def _check_k_fits(spec: PlanSpec, inputs: Inputs) -> None:
    """Refuse, before any k is planned, the k values above the study area's planning units: no plan has more
    partnerships than units (:func:`partition.solvers.problem.quick_feasibility` checks each k's blocks and anchors
    exactly, once its problem is built).

    Parameters
    ----------
    spec
        The k values asked for.
    inputs
        The study area's planning units.

    Raises
    ------
    InfeasibleError
        Naming those k values (the first few, see :func:`partition.core.limits.listed`) and the units.
    """
    units = len(inputs.units)
    over = [k for k in spec.k if k > units]
    if over:
        raise InfeasibleError(
            f"k = {listed(over)} partnerships but only {units:,} planning units (nothing was planned)",
            fix=f"choose k ≤ {units}",
        )


def violated(plans: list[Plan]) -> list[Plan]:
    """The plans that break a rule of their spec.

    Parameters
    ----------
    plans
        Configurations, checked or not (see :meth:`partition.model.plan.Plan.broken_rules`).

    Returns
    -------
    list of Plan
        Those with at least one broken rule, in the order given.
    """
    return [p for p in plans if p.broken_rules()]


def map_options(inputs: Any, plans: list, basemap: str | None) -> dict[str, Any]:
    """What every map of a run shares: colours per plan (matched to the first), neighbours, base map.

    Parameters
    ----------
    inputs
        The run's inputs (:class:`partition.units.prepare.Inputs`).
    plans
        Every plan the maps draw, the first being the reference for colours.
    basemap
        ``"osm"`` or ``"none"``.

    Returns
    -------
    dict
        ``colours`` (plan name -> colours), ``neighbours``, ``basemap``: keyword arguments of the map functions.
    """
    from partition.report.maps import neighbouring_districts, run_colours

    dataset = inputs.dataset
    return {
        "colours": run_colours(plans),
        "neighbours": neighbouring_districts(
            dataset.districts, dataset.sources.get("boundaries"), read=dataset.all_districts
        ),
        "basemap": basemap,
    }


def plan_line(plan: Plan, folder: str | Path) -> str:
    """One line about a configuration written to ``folder/<name>``: status, wdist (km), deviation, sizes, gap
    (anchors missing only when the spec requires anchors).

    Parameters
    ----------
    plan
        A configuration.
    folder
        The output folder as the user knows it (the published one, not the staging folder).

    Returns
    -------
    str
        Plain text for a terminal or a log, followed by one ``violated:`` line per rule broken.
    """
    s = plan.scores
    gap = (  # a bound is proven only for the hub objective, and printed only beside it
        f"  hub {s['hub_km']:.3f} km  proven bound {plan.bound:.3f} gap {plan.gap:.1%}"
        if plan.gap is not None and plan.bound is not None and plan.spec.objective == "hub"
        else ""
    )
    line = (
        f"{plan.name:<16} {plan.status:<9} wdist {s['wdist_km']:.3f} km  max dev {s['max_abs_deviation']:.1%}  "
        f"schools {s['min_schools']}-{s['max_schools']}  "
        + (f"anchors missing {s['anchors_missing']}  " if plan.spec.anchors else "")
        + f"splits {s['district_splits']}{gap}  {plan.runtime:.1f}s  -> {Path(folder) / plan.name}"
    )
    return "\n".join([line, *group_lines(plan), *(f"    violated: {rule}" for rule in plan.broken_rules())])


def group_lines(plan: Plan, limit: int = 5) -> list[str]:
    """``federations kept together: 29 of 29 (A, B ...)`` and ``academy trusts split across partnerships: 6 extra
    pieces (...)``, when the data has them.

    Parameters
    ----------
    plan
        A configuration (its ``details["federations"]`` and ``details["trusts"]``).
    limit
        Federation names shown before "and n more".

    Returns
    -------
    list of str
        Indented lines for :func:`plan_line`; empty when the schools hold no federation or trust.
    """
    out = []
    feds = plan.details.get("federations")
    if feds:
        kept = feds["kept_together"]
        shown = ", ".join(kept[:limit]) + (f" and {len(kept) - limit} more" if len(kept) > limit else "")
        word = "kept together (a lock from the data)" if feds["mode"] == "together" else "in one partnership"
        out.append(f"    federations {word}: {len(kept)} of {feds['count']}" + (f" ({shown})" if kept else ""))
        if feds["split"]:
            out.append(f"    federations split: {len(feds['split'])} ({', '.join(feds['split'])})")
    room = plan.details.get("headroom")
    if room:
        out.append(
            f"    headroom: {room['near_limit']} partnership(s) within {room['near_points']:g} point of a pupil limit; "
            f"meets the bound in {room['robustness']:.0%} of rolls changed by up to {room['roll_change']:.0%}"
        )
    towns = plan.details.get("settlements")
    if towns:
        out.append(settlement_line(towns))
    pairs = plan.details.get("feeder_pairs")
    if pairs:
        word = "kept together (a lock from the data)" if pairs["mode"] == "together" else "in one partnership"
        out.append(f"    feeder pairs (infant and junior schools) {word}: {pairs['kept_together']} of {pairs['count']}")
        if pairs["split"]:
            shown = ", ".join(pairs["split"][:limit]) + (
                f" and {len(pairs['split']) - limit} more" if len(pairs["split"]) > limit else ""
            )
            out.append(f"    feeder pairs split: {len(pairs['split'])} ({shown})")
    trusts = plan.details.get("trusts")
    if trusts:
        how = "preferred whole" if trusts["mode"] == "prefer" else "reported, not optimised"
        out.append(
            f"    academy trusts split across partnerships: {trusts['splits']} extra pieces "
            f"({trusts['count']} trusts with two or more schools; {how})"
        )
    return out


@dataclass(frozen=True)
class Outputs:
    """What :func:`write_outputs` wrote (paths relative to its folder).

    Attributes
    ----------
    configurations
        One folder per configuration (``assignments.csv``, ``partnerships.geojson``, ``plan.json``,
        and ``map.html`` and ``edit.html`` when maps are drawn).
    comparison_maps
        The comparison map files (side by side, changes, all configurations).
    maps
        Every map written, configurations' first, each with its kind and the configurations it
        shows (:class:`partition.report.maps.WrittenMap`): what the consultation pack links to.
    """

    configurations: tuple[Path, ...]
    comparison_maps: tuple[Path, ...]
    maps: tuple[WrittenMap, ...] = ()


def write_outputs(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    folder: str | Path,
    inputs: Inputs,
    plans: list[Plan],
    current: Plan | None,
    *,
    table: pd.DataFrame | None = None,
    maps: bool = True,
    comparisons: list[Plan] | None = None,
    exports: bool = False,
    pack: bool = False,
    basemap: str | None = "none",
    timings: dict[str, float] | None = None,
    echo: Callable[[str], None] = lambda _: None,
    shown_as: str | Path | None = None,
) -> Outputs:
    """Write configurations, maps, the comparison table, exports and the consultation pack into ``folder``.

    Parameters
    ----------
    folder
        The folder written into (created when missing; files of the same names are replaced).
    inputs
        The run's schools, units (metres, BNG) and districts.
    plans
        The configurations, reference first (colours of the other maps follow its partnerships).
    current
        Today's arrangement (:func:`partition.planning.planner.district_plan`), drawn on the comparison maps
        and listed in the pack, or None.
    table
        The comparison table (:func:`partition.analysis.compare.scorecard`), written as ``comparison.md`` and
        ``comparison.csv`` and shown in the pack; None writes neither.
    maps
        Draw a map per configuration and the comparison maps.
    comparisons
        The plans the comparison maps compare (default: the main configurations, or every
        configuration when there is only one main one).
    exports, pack
        Also write ``exports/`` (GeoPackage, GeoJSON, CSV) and ``consultation-pack.html``.
    basemap
        ``"osm"`` or ``"none"``.
    timings
        Filled with seconds per step, when given.
    echo
        Called with a line about each configuration written (:func:`plan_line`).
    shown_as
        The folder as the user knows it, for those lines (default ``folder``).

    Returns
    -------
    Outputs
        What was written.

    Raises
    ------
    IntegrityError
        When a configuration read back does not hold the plan (see :func:`partition.runs.outputs.write_plan`).
    """
    from partition.analysis.compare import format_scorecard
    from partition.report.exports import write_exports
    from partition.report.maps import write_comparison_maps, write_configuration_map
    from partition.report.maps.editor import EDIT_FILE, write_editor

    folder = Path(folder)
    timings = {} if timings is None else timings
    everything = plans + ([current] if current is not None else [])
    look = map_options(inputs, everything, basemap) if maps else {}
    written = []
    drawn: list[WrittenMap] = []
    for plan in plans:
        path = write_plan(plan, folder)
        if maps:
            drawn.append(
                write_configuration_map(
                    plan,
                    inputs.schools,
                    inputs.dataset.districts,
                    path / "map.html",
                    **{**look, "colours": look["colours"][plan.name]},
                )
            )
            drawn.append(
                write_editor(plan, inputs, path / EDIT_FILE, **{**look, "colours": look["colours"][plan.name]})
            )
        written.append(path.relative_to(folder))
        echo(plan_line(plan, shown_as or folder))
    compared: list[Path] = []
    if maps:
        t = time.perf_counter()
        if comparisons is None:
            main = [p for p in candidates(plans) if not p.is_alternative]  # not the within-districts family
            comparisons = main if len(main) > 1 else plans
        comparison_maps = write_comparison_maps(
            comparisons, inputs.schools, inputs.dataset.districts, folder, current=current, **look
        )
        drawn += comparison_maps
        compared = [m.path.relative_to(folder) for m in comparison_maps]
        timings["comparison_maps"] = round(time.perf_counter() - t, 2)
    drawn = [m.relative_to(folder) for m in drawn]
    if table is not None:
        chosen = recommend_plans(plans, table)
        (folder / "comparison.md").write_text(format_scorecard(table, "markdown") + "\n" + recommendation_lines(chosen))
        if chosen:
            echo("recommended (see comparison.md): " + "; ".join(f"k = {r.k}: {r.name}" for r in chosen))
        (folder / "comparison.csv").write_text(format_scorecard(table, "csv"))
    if exports:
        t = time.perf_counter()
        write_exports(
            plans, inputs.schools, inputs.units, inputs.dataset.districts, folder / "exports", members=inputs.members
        )
        timings["exports"] = round(time.perf_counter() - t, 2)
    if pack:
        from partition.report.pack import consultation_pack, data_sources, source_files

        dates = {measure: found.source.date for measure, found in inputs.need.items()}
        sources = data_sources(source_files(inputs.dataset.sources, inputs.dataset.files), inputs.schools, dates)
        (folder / "consultation-pack.html").write_text(
            consultation_pack(everything, table, drawn, sources, colours=look.get("colours")),
            encoding="utf-8",
        )
    return Outputs(tuple(written), tuple(compared), tuple(drawn))


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
        inputs = prepare_data(data, data_dir=data_dir)
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
        ``URN``, ``name``, ``from``, ``to`` (:func:`partition.analysis.compare.changed_schools`).
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
    from partition.analysis.compare import add_ensemble_ranks, changed_schools, scorecard
    from partition.errors import SpecError
    from partition.planning.planner import district_plan

    inputs = prepare_data(data, data_dir=data_dir)
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
        inputs = prepare_scenario(scenario)
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
    ranks of ``table`` (:func:`partition.analysis.compare.ensemble_design`), None without."""
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
