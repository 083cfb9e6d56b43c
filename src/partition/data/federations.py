"""Federations and academy trusts: groups of schools the data says belong together.

Federated schools share a governing body and usually a headteacher, so by default
(spec ``federations = "together"``) each federation is kept in one partnership: its
schools become one ``together`` lock, merged with the planner's own locks by
:func:`effective_locks`, so every solver respects it through the lock machinery of
:mod:`partition.solvers.problem`. ``federations = "ignore"`` turns this off.

Groups are read from the schools frame's ``federation`` and ``trust`` columns (GIAS
``Federations (name)`` and ``Trusts (name)``, blank when absent). GIAS joins several
values of one field with ``~`` (``The Meon Valley Federation~Meonstoke CE Infant
School~Meon Valley Federation``): each part is a name, and two schools belong to one
federation when they share a name, compared without case, spacing or a leading
"The", within one LA. A federation is such a group of two or more *loaded* schools
(a federation whose partner school is closed, excluded or in another LA locks
nothing); it is named by its most frequent spelling, and the spellings merged are kept
(:attr:`Group.spellings`) so that the outputs show what was read.

Conflicts between a federation and the planner's locks or rules are explained by
:func:`federation_conflicts` and :func:`oversized_federations` (the federation, its
schools by name and URN, and the fix).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

import pandas as pd

from partition.data.feeders import feeder_groups
from partition.data.groups import Group
from partition.errors import InfeasibleError
from partition.model.spec import Locks, PlanSpec

FIX_IGNORE = 'set federations = "ignore" in the spec (--federations ignore) to plan without federation locks'
FIX_FEEDERS = 'set feeders = "ignore" in the spec (--feeders ignore) to plan without keeping feeder pairs together'
"""The fix named by every federation conflict (with the lock change that would also solve it)."""


def _key(name: str) -> str:
    """A name compared without case, spacing or a leading "The"."""
    text = re.sub(r"\s+", " ", name).strip().casefold()
    return re.sub(r"^the ", "", text)


def groups_of(schools: pd.DataFrame, column: str) -> list[Group]:
    """The groups of loaded schools sharing a name in ``column`` (see the module docstring).

    Parameters
    ----------
    schools
        Schools with ``URN``, ``name``, ``column`` and optionally ``la_code``.
    column
        ``"federation"`` or ``"trust"``.

    Returns
    -------
    list of Group
        Groups of two or more schools, sorted by name; empty when the column is absent or blank.
    """
    if column not in schools.columns:
        return []
    frame = schools[["URN", "name", column]].copy()
    frame["la"] = schools["la_code"].astype(str) if "la_code" in schools.columns else ""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first_of_key: dict[tuple[str, str], int] = {}
    spellings: dict[tuple[str, str], Counter] = {}
    keys_of_urn: dict[int, set[tuple[str, str]]] = {}
    for urn, la, value in zip(frame["URN"].astype(int), frame["la"], frame[column].fillna("").astype(str)):
        for part in value.split("~"):
            if not part.strip():
                continue
            key = (la, _key(part))
            spellings.setdefault(key, Counter())[part.strip()] += 1
            keys_of_urn.setdefault(urn, set()).add(key)
            if key in first_of_key:
                parent[find(urn)] = find(first_of_key[key])
            else:
                first_of_key[key] = find(urn)
    members: dict[int, list[int]] = {}
    for urn in keys_of_urn:
        members.setdefault(find(urn), []).append(urn)
    name_of = dict(zip(frame["URN"].astype(int), frame["name"].astype(str)))
    out = []
    for urns in members.values():
        if len(urns) < 2:
            continue
        urns = sorted(urns)
        shared = [k for k in set().union(*(keys_of_urn[u] for u in urns)) if sum(k in keys_of_urn[u] for u in urns) > 1]
        counts: Counter = sum((spellings[k] for k in shared), Counter())
        name = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[0][0]
        out.append(Group(name, tuple(urns), tuple(name_of[u] for u in urns), tuple(sorted(counts))))
    return sorted(out, key=lambda g: (g.name.casefold(), g.urns))


def federations(schools: pd.DataFrame) -> list[Group]:
    """The federations of two or more loaded schools (:func:`groups_of` on ``federation``).

    Parameters
    ----------
    schools
        The loaded schools (GIAS; ``URN``, ``name`` and the ``federation``/``trust`` column read by
        :func:`partition.io.schools.read_gias`, blank when none).

    Returns
    -------
    list of Group
        One per federation (GIAS ``Federations (name)``), its loaded schools' URNs and names.
    """
    return groups_of(schools, "federation")


def trusts(schools: pd.DataFrame) -> list[Group]:
    """The academy trusts of two or more loaded schools (:func:`groups_of` on ``trust``).

    Parameters
    ----------
    schools
        The loaded schools (GIAS; ``URN``, ``name`` and the ``federation``/``trust`` column read by
        :func:`partition.io.schools.read_gias`, blank when none).

    Returns
    -------
    list of Group
        One per trust (GIAS ``Trusts (name)``), its loaded schools' URNs and names.
    """
    return groups_of(schools, "trust")


def locked_federations(spec: PlanSpec, schools: pd.DataFrame) -> list[Group]:
    """The federations ``spec`` keeps together: all of them with ``federations = "together"``, none with ``"ignore"``.

    Parameters
    ----------
    spec
        The plan specification (its ``federations`` mode).
    schools
        The loaded schools (GIAS; ``URN``, ``name`` and the ``federation``/``trust`` column read by
        :func:`partition.io.schools.read_gias`, blank when none).

    Returns
    -------
    list of Group
        The federations to lock together (empty under ``"ignore"`` or when the data has none).
    """
    return federations(schools) if spec.federations == "together" else []


def effective_locks(spec: PlanSpec, schools: pd.DataFrame) -> Locks:
    """The spec's locks with one ``together`` lock per federation kept together (see :func:`locked_federations`).

    Parameters
    ----------
    spec
        The plan specification (its ``locks`` and ``federations`` mode).
    schools
        The loaded schools (GIAS; ``URN``, ``name`` and the ``federation``/``trust`` column read by
        :func:`partition.io.schools.read_gias`, blank when none).

    Returns
    -------
    Locks
        ``spec.locks`` with a ``together`` group of URNs added per federation (unchanged when none).

    Raises
    ------
    InfeasibleError
        When a federation conflicts with the spec's locks or districts mode (see :func:`federation_conflicts`).
    """
    feds = locked_federations(spec, schools)
    pairs = locked_feeders(spec, schools)
    if not feds and not pairs:
        return spec.locks
    federation_conflicts(feds, spec, schools)
    federation_conflicts(pairs, spec, schools, what="feeder pair", fix=FIX_FEEDERS)
    return replace(spec.locks, together=spec.locks.together + tuple(g.urns for g in [*feds, *pairs]))


def locked_feeders(spec: PlanSpec, schools: pd.DataFrame) -> list[Group]:
    """The feeder pairs ``spec`` keeps together: all of them with ``feeders = "together"``, none with ``"ignore"``.

    Parameters
    ----------
    spec
        The plan specification (its ``feeders`` mode).
    schools
        The loaded schools (``URN``, ``name``, point geometry in metres, ``la_code``).

    Returns
    -------
    list of Group
        One per receiving school with its feeding schools (:func:`partition.data.feeders.feeder_groups`); under
        ``districts = "nest"`` a pair whose schools lie in two districts is left out (nesting divides it).
    """
    if getattr(spec, "feeders", "ignore") != "together":
        return []
    groups = feeder_groups(schools)
    if spec.districts == "nest" and "district" in schools.columns:  # a pair across a district line cannot nest
        district = dict(zip(schools["URN"].astype(int), schools["district"].astype(str)))
        groups = [g for g in groups if len({district.get(u) for u in g.urns}) == 1]
    return groups


class _Components:
    """Union-find over URNs."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        while self.parent.setdefault(x, x) != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, urns: Iterable[int]) -> None:
        urns = list(urns)
        for u in urns[1:]:
            self.parent[self.find(u)] = self.find(urns[0])


def _conflict(
    feds: Sequence[Group], why: str, lock_fix: str, what: str = "federation", fix: str = FIX_IGNORE
) -> InfeasibleError:
    names = "; ".join(g.describe() for g in feds)
    return InfeasibleError(
        f"{what}{'s' if len(feds) > 1 else ''} {names} cannot be kept in one partnership: {why}",
        fix=f"{fix}, or {lock_fix}",
    )


def federation_conflicts(
    feds: Sequence[Group], spec: PlanSpec, schools: pd.DataFrame, what: str = "federation", fix: str = FIX_IGNORE
) -> None:
    """Refuse federations that the spec's locks or districts mode make impossible to keep together.

    Parameters
    ----------
    feds
        The federations (or feeder pairs) kept together.
    spec
        Its ``locks`` (``apart``, ``pinned``, ``together``) and ``districts``.
    schools
        Schools with ``URN`` and ``district``.
    what, fix
        What the groups are called in the message, and the fix that turns their locks off.

    Raises
    ------
    InfeasibleError
        Naming the federation, its schools (names and URNs) and the fix, when an ``apart`` lock separates
        two schools it ties (directly or through ``together`` locks), when its schools are pinned to two
        partnership names, or when its schools lie in different districts under ``districts = "nest"``.
    """
    locks = spec.locks
    parts = _Components()
    for g in feds:
        parts.join(g.urns)
    for g in locks.together:
        parts.join(g)
    fed_of_root = lambda root: [g for g in feds if parts.find(g.urns[0]) == root]  # noqa: E731
    for a, b in locks.apart:
        tied = fed_of_root(parts.find(a)) if parts.find(a) == parts.find(b) else []
        if tied:
            raise _conflict(
                tied, f"an apart lock keeps URN {a} and URN {b} apart", f"remove the apart lock [{a}, {b}]", what, fix
            )
    names: dict[int, set[str]] = {}
    for urn, name in locks.pinned:
        names.setdefault(parts.find(urn), set()).add(name)
    for root, pinned in names.items():
        tied = fed_of_root(root)
        if len(pinned) > 1 and tied:
            listed = ", ".join(repr(n) for n in sorted(pinned))
            raise _conflict(
                tied, f"its schools are pinned to different partnerships {listed}", "pin them to one name", what, fix
            )
    if spec.districts == "nest" and "district" in schools.columns:
        district = dict(zip(schools["URN"].astype(int), schools["district"].astype(str)))
        for g in feds:
            where = sorted({district[u] for u in g.urns if u in district})
            if len(where) > 1:
                raise _conflict(
                    [g],
                    f"its schools lie in {' and '.join(where)}, and districts mode 'nest' keeps every partnership "
                    "inside one district",
                    "use districts 'ignore' or 'penalise'",
                    what,
                    fix,
                )


def split_groups(groups: Sequence[Group], partnership_of: dict[int, object]) -> list[Group]:
    """The groups whose loaded schools are in two or more partnerships.

    Parameters
    ----------
    groups
        Federations or trusts.
    partnership_of
        URN -> partnership (any label).

    Returns
    -------
    list of Group
        In the order given.
    """
    return [g for g in groups if len({partnership_of[u] for u in g.urns if u in partnership_of}) > 1]


def trust_splits(groups: Sequence[Group], partnership_of: dict[int, object]) -> int:
    """Σ over groups of (partnerships its schools are in − 1): the pieces beyond the first, as district splits."""
    return sum(max(len({partnership_of[u] for u in g.urns if u in partnership_of}) - 1, 0) for g in groups)
