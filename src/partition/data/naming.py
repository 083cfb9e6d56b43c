"""Names for partnerships: the places their schools are in, stable across configurations.

A partnership is named after the settlement holding most of its pupils; names
never name a place outside the LA, are unique within a configuration, follow a
partnership from one configuration to the next, and can be overridden.

A school's place is found by :mod:`partition.data.places` (the rule is told there).

A partnership's name
--------------------
Its places ranked by pupils. The name is the first place, or, when the first
place holds under :data:`ONE_PLACE_SHARE` of its pupils and the next at least
:data:`SECOND_PLACE_SHARE`, the first two ("Ringwood & New Milton": 37 % and
29 %); where two partnerships would share a name, each of them moves on to its next candidate:
the first place with the next place holding at least 15 % of its pupils
("Alton & Four Marks"), then the first place with the sub-place (Locality, else
ward stem) of most of its pupils there ("Basingstoke (Popley)"), then the first
place with any other place. Candidates longer than :data:`MAX_LENGTH`
characters are skipped. A partnership none of whose schools has a place of the
LA is named after its district, and the plan's notes say so; a name that stays
shared after every candidate gets a number ("Fareham 2"), also noted.

Stable names and overrides
--------------------------
``fixed`` names (``pinned`` locks, the ``[names]`` table of a scenario) are
kept and never generated for another partnership. :func:`inherit_names` gives a
configuration the names of an earlier one: partnerships are matched one-to-one
by shared pupils (:func:`match_by_overlap`, the Hungarian method) and a match
is kept when the two share a majority of each one's pupils — the same
partnership, redrawn. An inherited name is kept only while it is true of the
partnership: its first place is the partnership's first place (the place of
the largest share of its pupils), and its other parts are places or sub-places
of its schools (a partnership that lost most of Sarisbury Green is no longer
called "Sarisbury Green"; one whose Totton schools now outnumber its Ringwood
ones is no longer "Ringwood"). A true inherited name is the partnership's first
candidate and clashes like any other; a partnership with no such match, or
whose inherited name is no longer true, gets its own name. A bare place name
("Gosport") clashes with any other name of the same first place ("Gosport &
Stubbington"), so two partnerships of one town are always told apart by a
second place or a sub-place.

So ``partition plan --k 23`` and ``partition run`` (k = 22, 23, ...) give the
same grouping the same names except where a partnership of the run is the
same partnership as one of an earlier configuration and keeps that one's
name although its own would differ: its qualifier ("Hedge End" where alone it
would be "Hedge End & Fair Oak"). Because the names kept differ, another
partnership may then take a different one of its own candidates (a shorter one
where the clash that lengthened it is gone, or its next one).
``tests/test_naming.py`` checks that every difference is of these kinds.
:class:`NameOverrides` holds the scenario's ``[names]`` table: ``schools``
(URN -> name: the partnership that contains the school is called that) and
``rename`` (generated name -> name, in every configuration). Partnership ids
are given in alphabetical order of the names, so ids are deterministic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from partition.data.places import _text_column, place_key, school_places
from partition.errors import SpecError

MAX_LENGTH = 30
"""Longest generated name (characters), unless nothing shorter is unique."""

SECOND_PLACE_SHARE = 0.15
"""Least share of a partnership's pupils for its second place to join its name ("Alton & Four Marks")."""

ONE_PLACE_SHARE = 0.4
"""Least share of a partnership's pupils its first place must hold to name it alone: below it, a partnership with a
second place of at least :data:`SECOND_PLACE_SHARE` is named after both ("Horndean & Petersfield", not "Horndean"
for a partnership with 28 % of its pupils in Horndean and 19 % in Petersfield)."""

MATCH_SHARE = 0.5
"""Two partnerships of different configurations are "the same" when they share more than this share of each one's pupils."""


def match_by_overlap(a: pd.Series, b: pd.Series, weights: pd.Series, min_share: float = 0.0) -> dict[object, object]:
    """Match the groups of two labellings one-to-one, maximising the shared weight (Hungarian method).

    Parameters
    ----------
    a, b
        Group of each item (indexed by item, e.g. URN); items missing from one side are ignored.
    weights
        Weight of each item (e.g. pupils), same index.
    min_share
        Keep a pair only when its shared weight is more than this share of each group's weight
        (0: keep every pair that shares any weight).

    Returns
    -------
    dict
        ``{group of b: group of a}``.
    """
    common = a.index.intersection(b.index)
    w = weights.reindex(common).fillna(0).astype(float) + 1e-9
    frame = pd.DataFrame({"a": a.reindex(common), "b": b.reindex(common), "w": w})
    overlap = frame.pivot_table(index="b", columns="a", values="w", aggfunc="sum", fill_value=0.0)
    if overlap.empty:
        return {}
    rows, cols = linear_sum_assignment(-overlap.to_numpy())
    size_a = frame.groupby("a")["w"].sum()
    size_b = frame.groupby("b")["w"].sum()
    out = {}
    for r, c in zip(rows, cols):
        shared = overlap.iat[r, c]
        ra, rb = overlap.columns[c], overlap.index[r]
        if shared > 1e-6 and shared > min_share * size_a[ra] and shared > min_share * size_b[rb]:
            out[rb] = ra
    return out


def inherit_names(
    schools: pd.DataFrame, school_labels: np.ndarray, earlier: Sequence, min_share: float = MATCH_SHARE
) -> dict[int, str]:
    """Names a configuration takes from earlier ones: ``{label: name}``.

    Each earlier plan (``assignments`` with ``URN`` and ``partnership``), in order, gives its
    name to the partnership it shares a majority of pupils with both ways (see
    :func:`match_by_overlap`); a name or partnership already given is not given again.

    Parameters
    ----------
    schools
        This configuration's schools (``URN``, ``pupils``), in the order of ``school_labels``.
    school_labels
        Partnership label of each school (row order), shape ``(n_schools,)``.
    earlier
        Earlier plans, in order of precedence; only their ``assignments`` (``URN`` and ``partnership``
        name) are read, or a plain URN → partnership name Series (e.g. a planner's edited plan). Pupils are
        counted from ``schools``.
    min_share
        Share of each partnership's pupils two partnerships must share to be the same
        (:data:`MATCH_SHARE`).

    Returns
    -------
    dict
        ``{label: name}`` for the partnerships that inherit a name; names are unique.
    """
    urns = schools["URN"].astype(int).to_numpy()
    mine = pd.Series(np.asarray(school_labels), index=urns)
    pupils = pd.Series(schools["pupils"].to_numpy(dtype=float), index=urns)
    names: dict[int, str] = {}
    for plan in earlier:
        theirs = (
            plan
            if isinstance(plan, pd.Series)
            else pd.Series(plan.assignments["partnership"].to_numpy(), index=plan.assignments["URN"].astype(int))
        )
        for label, name in sorted(match_by_overlap(theirs, mine, pupils, min_share).items()):
            if int(label) not in names and name not in names.values():
                names[int(label)] = str(name)
    return names


# --- overrides -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameOverrides:
    """A scenario's ``[names]`` table (see :class:`partition.runs.scenario.NamesSchema`).

    Attributes
    ----------
    schools
        ``(URN, name)``: the partnership containing that school is called ``name``.
    rename
        ``(generated name, name)``: a partnership that would be called the first is called the second.
    source
        The scenario file, for messages.
    lines
        Line of each entry in the file, keyed ``("schools", "116422")`` or ``("rename", "Fareham")``.
    """

    schools: tuple[tuple[int, str], ...] = ()
    rename: tuple[tuple[str, str], ...] = ()
    source: str = "scenario"
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def where(self, table: str, key: object) -> str:
        """Where an entry is written, for messages.

        Parameters
        ----------
        table
            ``"schools"`` or ``"rename"``.
        key
            The entry's key (a URN, or the generated name renamed).

        Returns
        -------
        str
            ``"<source>, line N"`` when the line is known, else ``"<source>"``.
        """
        line = self.lines.get((table, str(key)))
        return f"{self.source}, line {line}" if line else self.source

    def check_urns(self, known: set[int]) -> None:
        """Refuse a URN that is not among the loaded schools.

        Parameters
        ----------
        known
            URNs of the loaded schools of the study area.

        Raises
        ------
        SpecError
            Naming the file and line of the first unknown URN and the fix.
        """
        for urn, name in self.schools:
            if urn not in known:
                raise SpecError(
                    f"{self.where('schools', urn)}: [names.schools] names the partnership of URN {urn} "
                    f"{name!r}, but no loaded school has URN {urn}",
                    fix="use the URN of a school of the study area (see assignments.csv), or remove the line",
                )

    def check_renames(self, used: set[str]) -> None:
        """Refuse a ``[names.rename]`` entry that no configuration used.

        Parameters
        ----------
        used
            The partnership names of every configuration of the run (after renaming).

        Raises
        ------
        SpecError
            Naming the file and line of the entry, with the closest name the run has.
        """
        import difflib

        for old, new in self.rename:
            if new not in used:
                close = difflib.get_close_matches(old, sorted(used), n=1, cutoff=0.5)
                hint = f"did you mean {close[0]!r}? " if close else ""
                raise SpecError(
                    f"{self.where('rename', old)}: [names.rename] renames {old!r}, but no partnership of this run "
                    "is called that",
                    fix=hint + "use a name from assignments.csv of a run without the rename, or remove the line",
                )

    @classmethod
    def from_table(
        cls, table: Mapping[str, Mapping[str, str]], source: str = "scenario", text: str = ""
    ) -> NameOverrides:
        """Overrides from a validated ``[names]`` table (``schools``, ``rename``) and the file's text (for lines).

        Parameters
        ----------
        table
            The validated ``[names]`` table: ``schools`` (URN as text -> name) and ``rename``
            (generated name -> name); either may be absent.
        source
            The scenario file, for messages.
        text
            The file's TOML text, to find each entry's line (:func:`partition.core.schema.key_lines`); empty when
            there is no file.

        Returns
        -------
        NameOverrides
            The entries in file order, with the line of each entry found.
        """
        from partition.core.schema import key_lines, line_of

        found = key_lines(text) if text else {}
        lines = {}
        for part in ("schools", "rename"):
            for key in table.get(part, {}):
                line = line_of(found, ("names", part, key)) if found else None
                if line:
                    lines[(part, str(key))] = line
        return cls(
            schools=tuple((int(u), n) for u, n in table.get("schools", {}).items()),
            rename=tuple((o, n) for o, n in table.get("rename", {}).items()),
            source=source,
            lines=lines,
        )


def _override_names(
    schools: pd.DataFrame, school_labels: np.ndarray, overrides: NameOverrides, fixed: Mapping[int, str]
) -> dict[int, str]:
    """``{label: name}`` from ``[names.schools]``; conflicts are errors naming the lines."""
    label_of = dict(zip(schools["URN"].astype(int), np.asarray(school_labels)))
    out: dict[int, str] = {}
    by: dict[int, int] = {}
    for urn, name in overrides.schools:
        if urn not in label_of:
            continue  # check_urns refuses these before planning
        label = int(label_of[urn])
        if label in out and out[label] != name:
            raise SpecError(
                f"{overrides.where('schools', urn)}: URN {urn} and URN {by[label]} are in one partnership, "
                f"named both {name!r} and {out[label]!r}",
                fix="give the schools of one partnership one name, or name only one of them",
            )
        if label in fixed and fixed[label] != name:
            raise SpecError(
                f"{overrides.where('schools', urn)}: the partnership of URN {urn} is pinned as "
                f"{fixed[label]!r} by a lock and named {name!r} in [names.schools]",
                fix="use one name in both places",
            )
        out[label], by[label] = name, urn
    seen: dict[str, int] = {}
    for label, name in sorted(out.items()):
        if name in seen:
            raise SpecError(
                f"{overrides.where('schools', by[label])}: [names.schools] gives {name!r} to URN {by[label]} and "
                f"URN {by[seen[name]]}, which are in different partnerships",
                fix="give each partnership its own name (one school per partnership is enough)",
            )
        seen[name] = label
    return out


# --- naming ---------------------------------------------------------------------------------------


@dataclass
class Naming:
    """Names of one configuration's partnerships and the notes about how they were found."""

    names: dict[int, str]
    notes: list[str]


def _ranked(group: pd.DataFrame, column: str) -> list[str]:
    g = group[group[column] != ""]
    totals = g.groupby(column)["pupils"].sum()
    return sorted(totals.index, key=lambda p: (-totals[p], p))


def name_parts(name: str) -> list[str]:
    """The places a generated name is made of: ``"Fareham & Portchester"`` -> ``["Fareham", "Portchester"]``,
    ``"Basingstoke (Popley)"`` -> ``["Basingstoke", "Popley"]``, ``"Fareham 2"`` -> ``["Fareham"]``.

    Parameters
    ----------
    name
        A partnership name, generated or given.

    Returns
    -------
    list of str
        Its parts split at ``" & "`` and parentheses, a trailing number dropped, blanks left out.
    """
    name = re.sub(r" \d+$", "", name)
    return [p.strip() for p in re.split(r" & | \(|\)", name) if p.strip()]


def _true_of(name: str, group: pd.DataFrame) -> bool:
    """Whether an inherited name still describes a partnership: its first place is the partnership's first
    place (the place of the largest share of its pupils), and its other parts are places or sub-places of its
    schools. A partnership with no place of the LA keeps what it inherits.
    """
    places = group[group["place"] != ""]
    if places.empty:
        return True
    parts = [place_key(p) for p in name_parts(name)]
    if not parts:
        return False
    own = {place_key(v) for v in places["place"]} | {place_key(v) for v in group["sub"] if v}
    if len(parts) == 1 and not _one_place_enough(group):
        return False
    return parts[0] == place_key(_ranked(group, "place")[0]) and set(parts[1:]) <= own


def _shares(group: pd.DataFrame) -> pd.Series:
    """Share of the partnership's pupils in each place."""
    return group.groupby("place")["pupils"].sum() / (float(group["pupils"].sum()) or 1.0)


def _one_place_enough(group: pd.DataFrame) -> bool:
    """Whether the first place may name the partnership alone (:data:`ONE_PLACE_SHARE`): it holds enough of its
    pupils, or no second place holds :data:`SECOND_PLACE_SHARE` (a scatter of villages round one of them) or fits
    in a name with it.
    """
    places = _ranked(group, "place")
    if not places:
        return True
    share = _shares(group)
    if share.get(places[0], 0) >= ONE_PLACE_SHARE:
        return True
    return not [
        p for p in places[1:] if share.get(p, 0) >= SECOND_PLACE_SHARE and len(f"{places[0]} & {p}") <= MAX_LENGTH
    ]


def _stem(name: str) -> str:
    """The first place of a name (``"Gosport & Stubbington"`` -> ``"Gosport"``), by its key."""
    parts = name_parts(name)
    return place_key(parts[0]) if parts else place_key(name)


def _bare(name: str) -> bool:
    """A name that is a single place, with nothing to tell it from another partnership of that place."""
    return len(name_parts(name)) == 1 and not re.search(r" \d+$", name)


def _candidates(group: pd.DataFrame) -> list[str]:
    places = _ranked(group, "place")
    if not places:
        return []
    first = places[0]
    share = _shares(group)
    out = [first]
    out += [f"{first} & {p}" for p in places[1:] if share.get(p, 0) >= SECOND_PLACE_SHARE]
    out += [f"{first} ({q})" for q in _ranked(group[group["place"] == first], "sub") if q != first]
    out += [f"{first} & {p}" for p in places[1:] if share.get(p, 0) < SECOND_PLACE_SHARE]
    fitting = [c for c in out[1:] if len(c) <= MAX_LENGTH]
    if not _one_place_enough(group):
        return list(dict.fromkeys(fitting))  # the first fitting two-place name comes first; no bare name
    return list(dict.fromkeys([first, *fitting]))


def partnership_names(
    schools: pd.DataFrame,
    school_labels: np.ndarray,
    fixed: Mapping[int, str] | None = None,
    *,
    inherited: Mapping[int, str] | None = None,
    kept: Mapping[int, str] | None = None,
    overrides: NameOverrides | None = None,
) -> Naming:
    """Name every partnership (see the module docstring).

    Parameters
    ----------
    schools
        The schools (``URN``, ``pupils``, ``district`` and the GIAS place columns).
    school_labels
        Partnership label of each school (row order).
    fixed
        Names fixed by ``pinned`` locks: ``{label: name}``.
    inherited
        Names taken from an earlier configuration (:func:`inherit_names`); fixed and overridden names win.
    kept
        Names taken from the planner's own plan this one started from (:func:`inherit_names` of it): kept
        whatever they say (a planner's rename is a choice, not checked against the places), winning over
        ``inherited``; a kept name that a pinned lock or an override gives another partnership is not kept.
    overrides
        The scenario's ``[names]`` table.

    Returns
    -------
    Naming
        ``names`` (``{label: name}``, unique) and ``notes`` (district fall-backs, numbered names).

    Raises
    ------
    SpecError
        When the overrides contradict each other or a lock, or give one name to two partnerships.
    """
    fixed = dict(fixed or {})
    labels = np.asarray(school_labels)
    overrides = overrides or NameOverrides()
    frame = schools.assign(label=labels).join(school_places(schools))
    groups = {int(lab): g for lab, g in frame.groupby("label")}
    notes: list[str] = []
    cands = {lab: _candidates(g) or _district_name(lab, g, notes) for lab, g in groups.items()}
    chosen = {**_override_names(schools, labels, overrides, fixed), **fixed}
    names = _given_names(_by_precedence(chosen, kept or {}, {}, groups), groups)
    for lab, name in (inherited or {}).items():  # a true inherited name is the first candidate, settled as the rest
        if lab in groups and lab not in names and name not in names.values() and _true_of(name, groups[lab]):
            cands[lab] = [name, *(c for c in cands[lab] if c != name)]
    current = _settle_candidates(cands, names, dict(overrides.rename))
    for lab in sorted(current, key=lambda x: (current[x], int(groups[x]["URN"].min()))):
        names[lab] = _numbered(current[lab], names, notes)
    return Naming(names=names, notes=notes)


def _by_precedence(
    chosen: Mapping[int, str], kept: Mapping[int, str], inherited: Mapping[int, str], groups: Mapping[int, object]
) -> dict[int, str]:
    """The given names: ``chosen`` (pinned locks, overrides) win over ``kept`` (the planner's plan), which wins
    over ``inherited`` (an earlier configuration); a name is dropped when a stronger one gives it to another
    partnership, or gives its own partnership another name.
    """
    kept = {lab: n for lab, n in kept.items() if lab in groups and chosen.get(lab, n) == n}
    kept = {lab: n for lab, n in kept.items() if n not in _others_names(chosen, lab)}
    inherited = {lab: n for lab, n in inherited.items() if n not in _others_names(kept, lab)}
    return {**inherited, **kept, **chosen}


def _others_names(names: Mapping[int, str], label: int) -> set[str]:
    """The names ``names`` gives to partnerships other than ``label``."""
    return {name for other, name in names.items() if other != label}


def _district_name(label: int, group: pd.DataFrame, notes: list[str]) -> list[str]:
    """The only candidate of a partnership none of whose schools has a place of the LA: its district (else
    "Partnership <label + 1>"), with a note naming up to ten of its URNs appended to ``notes``.
    """
    district = _ranked(group.assign(district=_text_column(group, "district")), "district")
    name = district[0] if district else f"Partnership {label + 1}"
    urns = ", ".join(str(u) for u in sorted(group["URN"].astype(int))[:10])
    notes.append(
        f"{name}: none of its schools (URN {urns}) has a place of the LA in GIAS Locality, Address3, "
        "Town or ward, so it is named after its district"
    )
    return [name]


def _given_names(given: Mapping[int, str], groups: Mapping[int, pd.DataFrame]) -> dict[int, str]:
    """The given names (inherited, overridden, fixed) of this configuration's partnerships.

    Raises
    ------
    SpecError
        When two partnerships are given one name.
    """
    names = {lab: given[lab] for lab in groups if lab in given}
    if len(set(names.values())) < len(names):
        dup = sorted(n for n, c in Counter(names.values()).items() if c > 1)
        raise SpecError(
            f"two partnerships would both be called {dup[0]!r} (a pinned lock, [names] or an earlier configuration)",
            fix="give each partnership its own name",
        )
    return names


def _settle_candidates(
    cands: Mapping[int, list[str]], names: Mapping[int, str], renames: Mapping[str, str]
) -> dict[int, str]:
    """``{label: name}`` for the partnerships without a given name: every partnership whose current
    candidate (after ``renames``) clashes with another's or with a given name moves on to its next
    candidate, until no clashing partnership has one left. A bare place name ("Gosport") also clashes with
    any other name of the same first place ("Gosport & Stubbington"): two partnerships of one town are told
    apart by their names.
    """
    step = {lab: 0 for lab in cands if lab not in names}
    taken = set(names.values())
    while True:
        current = {lab: renames.get(cands[lab][step[lab]], cands[lab][step[lab]]) for lab in step}
        counts = Counter(current.values())
        stems = Counter(_stem(n) for n in [*current.values(), *taken])
        clash = {lab for lab, n in current.items() if counts[n] > 1 or n in taken or (_bare(n) and stems[_stem(n)] > 1)}
        movable = {lab for lab in clash if step[lab] + 1 < len(cands[lab])}
        if not movable:
            return current
        for lab in movable:
            step[lab] += 1


def _numbered(name: str, names: Mapping[int, str], notes: list[str]) -> str:
    """``name``, or ``name 2``, ``name 3`` ... when taken in ``names`` (with a note appended to ``notes``)."""
    numbered, n = name, 1
    while numbered in names.values():
        n += 1
        numbered = f"{name} {n}"
    if n > 1:
        notes.append(f"{numbered}: every place-based name of this partnership is taken, so it is numbered")
    return numbered


def name_partnerships(
    schools: pd.DataFrame, school_labels: np.ndarray, fixed: dict[int, str] | None = None
) -> dict[int, str]:
    """``{label: name}``: :func:`partnership_names` without inherited names or overrides.

    Parameters
    ----------
    schools
        The schools (``URN``, ``pupils``, ``district`` and the GIAS place columns).
    school_labels
        Partnership label of each school (row order), shape ``(n_schools,)``.
    fixed
        Names fixed by ``pinned`` locks: ``{label: name}``.

    Returns
    -------
    dict
        ``{label: name}``, names unique (notes are dropped).

    Raises
    ------
    SpecError
        When two partnerships are fixed to one name.
    """
    return partnership_names(schools, school_labels, fixed).names
