"""A planner's edits: configurations read back from files, the moves kept, the rest re-planned around them."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx
import pandas as pd

from partition.core.wording import counted
from partition.model.plan import Plan
from partition.model.spec import PlanSpec
from partition.units.prepare import Inputs

if TYPE_CHECKING:
    pass


def load_configuration(path: str | Path, inputs: Inputs) -> Plan:
    """A configuration from a file, scored on ``inputs`` as a :class:`~partition.model.plan.Plan`.

    Parameters
    ----------
    path
        A folder written by ``partition plan``/``run`` (its ``assignments.csv`` and the spec in
        ``plan.json``), a ``URN,partnership`` CSV, or a polygon layer of areas (each school takes
        the area it lies in; see :func:`partition.data.configurations.labels_from_areas`).
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
    from partition.data.configurations import labels_from_areas, read_assignment_csv, read_plan_folder
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
        The CSV (:func:`partition.data.configurations.read_assignment_csv`: URN and partnership columns, any case; a
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
    from partition.data.configurations import read_assignment_csv
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
    from partition.data.configurations import counted_rows, read_csv_text
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
    (:func:`partition.data.places.school_places`), is released only when no other school can be: the town the
    partnership is named after stays whole where it can.
    Schools that move together (one site, a feeder pair, a federation:
    :func:`partition.data.federations.effective_locks`) are released together; the moved schools never are.

    Returns
    -------
    list of int
        URNs of the schools left (the moved ones included), in URN order.
    """
    from partition.data.federations import effective_locks
    from partition.data.naming import name_parts
    from partition.data.places import place_key, school_places

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
