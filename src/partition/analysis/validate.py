"""Independent checks of a configuration and of the files written for it.

The solvers keep their own bookkeeping (labels, sums, connectivity flags). The
checks here trust none of it: they start again from the assignment of schools
to partnerships, the planning units and the dissolved polygons, so that a fault
anywhere upstream (a school lost in a join, two units that do not share an
exact edge, a polygon broken by reprojection) is caught before a file is
published rather than shown to the public as a valid plan.

Two families:

* :func:`plan_problems` — on a :class:`~partition.model.plan.Plan` in memory: every
  school placed exactly once, every partnership polygon valid, one polygon for
  a partnership whose units are connected, no two partnerships overlapping;
* :func:`written_plan_problems` — on a folder written by
  :func:`~partition.runs.outputs.write_plan`: the same facts read back from
  ``assignments.csv`` and ``partnerships.geojson`` (WGS84), as a user's GIS
  would read them.

:func:`verify_plan` and :func:`verify_written_plan` raise
:class:`~partition.errors.IntegrityError` listing every problem found.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from partition.analysis.rules import spec_problems
from partition.core.csvsafe import read_csv
from partition.data.dataset import SchoolAccountingError, check_school_accounting
from partition.errors import IntegrityError
from partition.model.scoring import contiguous_parts

if TYPE_CHECKING:
    from partition.model.plan import Plan
    from partition.units.prepare import Inputs

OVERLAP_TOLERANCE_M2 = 1.0
"""Largest overlap (m²) between two partnerships' polygons still accepted (floating-point noise)."""

COVERAGE_TOLERANCE = 1e-6
"""Largest relative difference between the partnerships' total area and the units' total area."""


def school_accounting_problems(placed_urns: Iterable[int], expected_urns: Iterable[int]) -> list[str]:
    """Compare the schools a configuration places with the schools it should place.

    Parameters
    ----------
    placed_urns
        URN of every row of the configuration's assignment (duplicates are a fault).
    expected_urns
        The schools that must be placed: every school of the input that was not
        reported excluded.

    Returns
    -------
    list of str
        One sentence per fault (schools placed twice, missing, or not in the input); empty when sound.
    """
    placed = pd.Series(list(placed_urns), dtype="int64")
    expected = set(int(u) for u in expected_urns)
    problems = []
    twice = sorted(set(placed[placed.duplicated()].tolist()))
    if twice:
        problems.append(f"{len(twice)} school(s) placed more than once: URN {_urns(twice)}")
    missing = sorted(expected - set(placed.tolist()))
    if missing:
        problems.append(
            f"{len(missing)} school(s) of the input neither placed nor reported excluded: URN {_urns(missing)}"
        )
    extra = sorted(set(placed.tolist()) - expected)
    if extra:
        problems.append(f"{len(extra)} school(s) placed that are not among the schools to plan: URN {_urns(extra)}")
    return problems


def connected_labels(graph: nx.Graph, unit_labels: np.ndarray) -> set[int]:
    """Partnership labels whose units form one connected piece of the adjacency graph (island links included).

    Parameters
    ----------
    graph
        The units' adjacency graph (nodes: unit indices; island links are edges of it).
    unit_labels
        Partnership label of every unit (int; -1 for units outside the plan).

    Returns
    -------
    set of int
        The labels whose units are one connected component of ``graph`` restricted to them
        (see :func:`partition.model.scoring.contiguous_parts`).
    """
    return {label for label, pieces in contiguous_parts(graph, unit_labels).items() if pieces == 1}


def geometry_problems(polygons: gpd.GeoSeries, names: Iterable[str], allowed_parts: Iterable[int | None]) -> list[str]:
    """Check dissolved partnership polygons.

    Parameters
    ----------
    polygons
        One geometry per partnership, in any CRS; overlaps are measured in it, so
        pass a projected CRS (metres) for the overlap tolerance to mean m².
    names
        Partnership names, in the same order (used in messages).
    allowed_parts
        The most polygons each partnership may be drawn as: 1 for a partnership whose units
        are connected (more only where its own units are in several parts, e.g. a ward with
        an island); ``None`` for no limit (units not connected: the plan is then violated,
        which :mod:`partition.model.scoring` reports).

    Returns
    -------
    list of str
        Invalid geometries, several polygons for a connected partnership, overlaps.
    """
    geoms = polygons.to_numpy()
    names = [str(n) for n in names]
    problems = []
    for geom, name, allowed in zip(geoms, names, allowed_parts):
        if geom is None or geom.is_empty:
            problems.append(f"partnership {name}: no polygon")
            continue
        if not geom.is_valid:
            problems.append(f"partnership {name}: invalid polygon ({shapely.is_valid_reason(geom)})")
        parts = shapely.get_num_geometries(geom)
        if allowed is not None and parts > allowed:
            areas = sorted((p.area for p in shapely.get_parts(geom)), reverse=True)
            problems.append(
                f"partnership {name}: one connected area written as {len(areas)} polygons "
                f"(areas {', '.join(f'{a:,.6g}' for a in areas[:4])})"
            )
    repaired = shapely.make_valid(np.array([g if g is not None else shapely.Polygon() for g in geoms], dtype=object))
    tree = shapely.STRtree(repaired)
    left, right = tree.query(repaired, predicate="intersects")
    for i, j in zip(left, right):
        if i >= j:
            continue
        overlap = float(shapely.area(shapely.intersection(repaired[i], repaired[j])))
        if overlap > OVERLAP_TOLERANCE_M2:
            problems.append(f"partnerships {names[i]} and {names[j]} overlap ({overlap:,.0f} m²)")
    return problems


def plan_problems(plan: Plan, inputs: Inputs) -> list[str]:
    """Every fault of ``plan`` found from its assignment, units and polygons alone.

    Parameters
    ----------
    plan
        The configuration (its ``assignments``, ``unit_labels`` and ``partnerships``).
    inputs
        What it was planned on: schools placed must be exactly the input's schools.

    Returns
    -------
    list of str
        Empty when the plan is sound. Spec violations (bounds, anchors) are not
        faults: they are reported by :mod:`partition.model.scoring` and set the plan's status.
    """
    problems = school_accounting_problems(plan.assignments["URN"], inputs.schools["URN"])
    placed_members = plan.members["URN"] if not plan.members.empty else pd.Series(dtype="int64")
    problems += [f"members: {p}" for p in school_accounting_problems(placed_members, inputs.members["URN"])]
    problems += member_problems(plan, inputs)
    dataset = inputs.dataset
    if dataset is not None and dataset.input_urns:
        try:
            placed = pd.concat([plan.assignments["URN"], placed_members], ignore_index=True)
            check_school_accounting(dataset.input_urns, placed, dataset.excluded["URN"])
        except SchoolAccountingError as exc:
            problems.append(exc.message)
    problems += lock_problems(plan, inputs)
    by_label = pd.Series(plan.unit_labels)
    connected = connected_labels(inputs.graph, plan.unit_labels)
    label_of_id = _label_of_partnership(plan, inputs)
    polys = plan.partnerships
    unit_parts = (
        pd.Series(shapely.get_num_geometries(inputs.units.geometry.to_numpy()) - 1).groupby(plan.unit_labels).sum()
    )
    allowed = [
        1 + int(unit_parts.get(label_of_id.get(pid), 0)) if label_of_id.get(pid) in connected else None
        for pid in polys["id"]
    ]
    problems += geometry_problems(polys.geometry, polys["name"], allowed)
    units_area = float(inputs.units.geometry.area[by_label.to_numpy() >= 0].sum())
    drawn = float(polys.geometry.area.sum())
    if units_area > 0 and abs(drawn - units_area) > COVERAGE_TOLERANCE * units_area + _bridge_area(plan, inputs):
        problems.append(
            f"the partnerships cover {drawn / 1e6:,.3f} km² but their units cover {units_area / 1e6:,.3f} km²"
        )
    return list(dict.fromkeys(problems))


def written_plan_problems(folder: str | Path, plan: Plan) -> list[str]:
    """Read back what :func:`~partition.runs.outputs.write_plan` wrote for ``plan`` and check it.

    Checks ``assignments.csv`` (each school once, the same schools and partnerships
    as ``plan``) and ``partnerships.geojson`` (valid in the CRS it is written in,
    as many polygons per partnership as in ``plan``, no more).

    Parameters
    ----------
    folder
        The folder holding ``assignments.csv`` (``URN``, ``partnership`` ...) and
        ``partnerships.geojson`` (WGS84, ``id`` and ``name`` per feature).
    plan
        The configuration the files were written for.

    Returns
    -------
    list of str
        One sentence per fault (schools missing, twice or moved; a polygon invalid or split
        into more parts than in ``plan``; a feature count differing from the partnerships);
        empty when sound. Overlaps are not checked here (they are measured in metres on the
        plan itself by :func:`plan_problems`).

    Raises
    ------
    OSError
        When ``assignments.csv`` is missing or cannot be read.
    pyogrio.errors.DataSourceError
        When ``partnerships.geojson`` is missing or cannot be read (the files are expected to be there).
    """
    folder = Path(folder)
    problems = []
    table = read_csv(folder / "assignments.csv")  # undoes the quotes that keep formulas text
    everyone = plan.assignment_table()
    problems += school_accounting_problems(table["URN"], everyone["URN"])
    expected = everyone.set_index("URN")["partnership"].astype(str)
    written = table.drop_duplicates("URN").set_index("URN")["partnership"].astype(str)
    differ = sorted(int(u) for u in expected.index.intersection(written.index) if expected[u] != written[u])
    if differ:
        problems.append(f"assignments.csv gives {len(differ)} school(s) a different partnership: URN {_urns(differ)}")
    layer = gpd.read_file(folder / "partnerships.geojson")
    parts = dict(zip(plan.partnerships["id"], shapely.get_num_geometries(plan.partnerships.geometry.to_numpy())))
    allowed = [int(parts[pid]) if pid in parts else None for pid in layer["id"]]
    problems += [
        f"partnerships.geojson: {p}"
        for p in geometry_problems(layer.geometry, layer["name"], allowed)
        if " overlap " not in p  # overlaps are measured in metres, on the plan itself
    ]
    if len(layer) != len(plan.partnerships):
        problems.append(f"partnerships.geojson has {len(layer)} features for {len(plan.partnerships)} partnerships")
    return problems


def lock_problems(plan: Plan, inputs: Inputs | None = None) -> list[str]:
    """Locks of the plan's spec that its assignment breaks (``together``, ``apart``, ``pinned``, federations).

    Checked from ``plan.assignments`` alone: schools locked together share a
    partnership, schools kept apart do not, schools pinned to one name share a partnership;
    with ``inputs`` and spec ``federations = "together"``, the schools of each federation of the
    input schools (:func:`partition.data.federations.federations`, derived again from the data) share one.

    Parameters
    ----------
    plan
        The configuration (``assignments`` with ``URN`` and ``partnership_id``; ``spec.locks``).
        Schools of a lock that are not in the assignment are ignored.
    inputs
        The data the plan was made from, to derive the federations from (None: federations not checked).

    Returns
    -------
    list of str
        One sentence per broken lock naming its URNs; empty when every lock holds.
    """
    partnership = plan.assignments.set_index("URN")["partnership_id"]
    locks = plan.spec.locks
    problems = []
    pinned: dict[str, list[int]] = {}
    for urn, name in locks.pinned:
        pinned.setdefault(name, []).append(int(urn))
    for kind, groups in (("together", locks.together), ("pinned", list(pinned.values()))):
        for group in groups:
            placed = [int(u) for u in group if int(u) in partnership.index]
            if len({partnership[u] for u in placed}) > 1:
                problems.append(f"{kind} lock broken: URN {', '.join(map(str, placed))} are in different partnerships")
    for a, b in locks.apart:
        if a in partnership.index and b in partnership.index and partnership[a] == partnership[b]:
            problems.append(f"apart lock broken: URN {a} and {b} share a partnership")
    if inputs is not None and plan.spec.federations == "together":
        from partition.data.federations import federations, split_groups

        for g in split_groups(federations(inputs.schools), partnership.to_dict()):
            problems.append(f"federation kept together broken: {g.describe()} is in different partnerships")
    if inputs is not None and plan.spec.feeders == "together":
        from partition.data.federations import locked_feeders, split_groups

        for g in split_groups(locked_feeders(plan.spec, inputs.schools), partnership.to_dict()):
            problems.append(f"feeder pair kept together broken: {g.describe()} is in different partnerships")
    return problems


def check_status(plan: Plan, inputs: Inputs) -> list[str]:
    """Check that ``plan.status`` agrees with :func:`spec_problems`; return the rules broken.

    The plan is not changed: :func:`checked` returns it with the rules recorded.

    Parameters
    ----------
    plan
        A configuration of ``inputs``' schools.
    inputs
        The schools, units and graph it was made for.

    Returns
    -------
    list of str
        The rules broken (empty for a plan that meets its spec).

    Raises
    ------
    IntegrityError
        When the plan's status says it meets its spec but the independent check
        finds a rule broken, or the status says ``violated`` but the check finds
        every rule met: the scorer and the check disagree, a fault of the tool.
    """
    problems = spec_problems(plan, inputs)
    if plan.status != "violated" and problems:
        raise IntegrityError(
            plan.name, [f"its status is {plan.status}, but an independent check finds: {p}" for p in problems]
        )
    if plan.status == "violated" and not problems:
        reported = "; ".join(map(str, plan.scores.get("violations", []))) or "nothing"
        raise IntegrityError(
            plan.name,
            [f"its status is violated ({reported}), but an independent check finds every rule of its spec met"],
        )
    return problems


def checked(plan: Plan, inputs: Inputs) -> Plan:
    """``plan`` with ``violations`` set to the rules it breaks, after :func:`check_status`.

    The maps, the consultation pack, ``plan.json``, the exports and the manifest show these
    sentences (:meth:`partition.model.plan.Plan.broken_rules`).

    Parameters
    ----------
    plan
        A configuration of ``inputs``' schools.
    inputs
        The schools, units and graph it was made for.

    Returns
    -------
    Plan
        A copy of ``plan`` whose ``violations`` is the tuple of :func:`spec_problems`
        sentences (empty when it meets its spec).

    Raises
    ------
    IntegrityError
        As :func:`check_status`.
    """
    return dataclasses.replace(plan, violations=tuple(check_status(plan, inputs)))


def verify_plan(plan: Plan, inputs: Inputs) -> None:
    """Raise :class:`~partition.errors.IntegrityError` when :func:`plan_problems` finds any fault.

    Parameters
    ----------
    plan
        The configuration in memory.
    inputs
        What it was planned on.

    Raises
    ------
    IntegrityError
        Naming the plan and listing every fault :func:`plan_problems` finds (schools lost or
        placed twice, invalid or overlapping polygons, area not covered).
    """
    problems = plan_problems(plan, inputs)
    if problems:
        raise IntegrityError(plan.name, problems)


def verify_written_plan(folder: str | Path, plan: Plan) -> None:
    """Raise :class:`~partition.errors.IntegrityError` when :func:`written_plan_problems` finds any fault.

    Parameters
    ----------
    folder
        The folder :func:`~partition.runs.outputs.write_plan` wrote (``assignments.csv``,
        ``partnerships.geojson``).
    plan
        The configuration written there.

    Raises
    ------
    IntegrityError
        Naming the plan and listing every fault :func:`written_plan_problems` finds.
    """
    problems = written_plan_problems(folder, plan)
    if problems:
        raise IntegrityError(plan.name, problems)


def member_problems(plan: Plan, inputs: Inputs) -> list[str]:
    """Members not in the partnership of the unit they stand in (recomputed from the unit labels).

    Parameters
    ----------
    plan
        The configuration (its ``members``, ``unit_labels`` and ``assignments``).
    inputs
        What it was planned on (``members`` with their ``unit``).

    Returns
    -------
    list of str
        One sentence naming the members placed elsewhere; empty when every member is where it stands.
    """
    if inputs.members.empty or plan.members.empty:
        return []
    label_of_id = _label_of_partnership(plan, inputs)
    stands = dict(zip(inputs.members["URN"].astype(int), plan.unit_labels[inputs.members["unit"].to_numpy()]))
    wrong = sorted(
        int(u)
        for u, pid in zip(plan.members["URN"], plan.members["partnership_id"])
        if label_of_id.get(pid) != stands.get(int(u))
    )
    if not wrong:
        return []
    return [f"{len(wrong)} member(s) placed in another partnership than the one they stand in: URN {_urns(wrong)}"]


def _label_of_partnership(plan: Plan, inputs: Inputs) -> dict[str, int]:
    """Partnership id (``P01``...) → the label its schools' units carry in ``plan.unit_labels``."""
    schools = inputs.schools
    pid = schools["URN"].astype(int).map(plan.assignments.set_index("URN")["partnership_id"])
    frame = pd.DataFrame({"id": pid.to_numpy(), "label": plan.unit_labels[schools["unit"].to_numpy()]}).dropna()
    return frame.groupby("id")["label"].agg(lambda s: int(s.mode().iloc[0])).to_dict()


def _bridge_area(plan: Plan, inputs: Inputs) -> float:
    """Area drawn for island links (50 m strips): allowed on top of the units' area."""
    bridges = inputs.graph.graph.get("bridges", [])
    return sum(float(d) * 50.0 + 5_000.0 for _, _, d in bridges)


def _urns(urns: list[int], limit: int = 20) -> str:
    shown = ", ".join(map(str, urns[:limit]))
    return shown + (f" and {len(urns) - limit} more" if len(urns) > limit else "")
