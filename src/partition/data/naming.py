"""Names for partnerships: the places their schools are in, stable across configurations.

A partnership is named after the settlement holding most of its pupils; names
never name a place outside the LA, are unique within a configuration, follow a
partnership from one configuration to the next, and can be overridden.

A school's place
----------------
GIAS has four place fields. ``Town`` is the *postal* town, which often lies
outside the LA: 65 Hampshire schools in Hedge End, Totton, Hythe, Bishop's
Waltham ... have Town "Southampton" (a separate LA); the Evingar villages have
"Newbury" (West Berkshire); others "Farnham", "Salisbury", "Reading",
"Camberley", "Christchurch". ``Locality`` is usually the village or suburb the
school is in ("Hedge End", "Four Marks"), but is sometimes a street ("Salisbury
Road"), a filler ("The Village") or, where a record's address lines are shifted,
a postal town again (Lewisham has Locality "London", Sefton Address3
"Liverpool"). ``AdministrativeWard`` is always the ward the school lies in, so
always of the LA, but ward names are electoral ("Hedge End North", "Tadley
North, Kingsclere & Baughurst", "St Mark's"). So a school's place is the first of

1. ``Locality``, 2. ``Address3``, 3. ``Town`` (the first comma-separated part),
4. the stem of its ward (first part before ``,``/``&``/``and``, trailing compass
   words dropped: "Hedge End North" -> "Hedge End"),

that *looks like a place* (no digits, not a street or school word, no "Near"
or "The Village"; a ward may be named after a road, "Old Kent Road") and *is of the LA*:

* a ward stem is always of the LA;
* a value is **confirmed** as of the LA when it is a ward stem of one of the
  LA's schools ("Alresford"), the start of two or more ward names ("Alton
  Eastbrooke", "Alton Wooteys" -> "Alton"), the name or part of the name of a
  district of the study area ("Basingstoke" from "Basingstoke and Deane"; a whole
  district name that is no school's postal town, ward stem or school name, such
  as "Isle of Wight" or "New Forest", is an area and never a place), or
  what a school addressed there is named after ("Farnborough" from "North
  Farnborough Infant School", "Waterlooville" from "St Peter's Catholic Primary
  School, Waterlooville": the place name directly followed by a school word, or
  after the last comma), or a **compact postal town**: a ``Town`` with at least
  :data:`TOWN_MIN_SCHOOLS` own schools (``Town`` it and no other ``Locality`` or
  ``Address3``: schools in the town itself) lying close together (median
  distance from their centre at most :data:`TOWN_MEDIAN_KM`, four in five within
  :data:`GATHER_KM`) and holding under :data:`TOWN_SHARE` of the LA's schools
  (Sittingbourne and Faversham in Kent, whose wards are "Roman", "Woodstock",
  "Watling", and Aldershot in Hampshire, whose district is Rushmoor). A postal town
  outside the LA reaches it only with a few border schools or villages
  (Southampton's 65 Hampshire schools have 1 of their own, Newbury's are villages
  spread 2 km and more), and "London" holds most of a borough's schools;
* a ``Town`` is used only when confirmed;
* a ``Locality`` or ``Address3`` is used when confirmed, or when it is nobody's
  postal town in the LA (a village is not a Town; a shifted postal town is).

A town of the LA gathers its suburbs: a school placed by its ``Locality`` whose
``Town`` is confirmed as of the LA, within :data:`GATHER_KM` of the centre of
that town's own schools, is in the town, its locality becoming its sub-place
(Pennington -> Lymington, Sheet and Steep -> Petersfield, Headington -> Oxford);
a village further out keeps its own name (Odiham, postal town Hook). A
sub-place that repeats its place is shortened to its distinctive part (ward
"Abingdon Fitzharris" under Abingdon -> "Fitzharris").

Only the LA's own GIAS rows and its districts are needed, so the rule works for
any English LA. Checked against the England GIAS file for many LAs (see
``tests/test_naming.py``: a place is outside when most schools *in* it within
20 km — Locality equal to it, or Town equal to it and no Locality — belong to
other LAs, or it is the name of another district): no LA gets a name outside
it. The price is that some in-LA towns go unconfirmed (Hemel Hempstead, whose own
schools spread wider, Deal): their schools are named after their locality or ward instead.
Spellings are unified by a key (case, apostrophes, hyphens, "St."), shown in
the LA's most common spelling, all-capital values in title case
("THATCHAM" -> "Thatcham", "lee-on-the-solent" -> "Lee-on-the-Solent").

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

from partition.errors import SpecError

MAX_LENGTH = 30
"""Longest generated name (characters), unless nothing shorter is unique."""

SECOND_PLACE_SHARE = 0.15
"""Least share of a partnership's pupils for its second place to join its name ("Alton & Four Marks")."""

ONE_PLACE_SHARE = 0.4
"""Least share of a partnership's pupils its first place must hold to name it alone: below it, a partnership with a
second place of at least :data:`SECOND_PLACE_SHARE` is named after both ("Horndean & Petersfield", not "Horndean"
for a partnership with 28 % of its pupils in Horndean and 19 % in Petersfield)."""

GATHER_KM = 3.0
"""A village or suburb (``Locality``) within this distance (km) of the centre of its postal town's own schools is
part of that town, when the town is of the LA ("Pennington" -> "Lymington (Pennington)")."""

TOWN_MIN_SCHOOLS = 5
"""Least number of a postal town's own schools (``Town`` it, no other ``Locality`` or ``Address3``) for the
town to be confirmed as of the LA by their compactness (:func:`_compact_towns`)."""

TOWN_MEDIAN_KM = 1.5
"""Largest median distance (km) of a postal town's own schools from their centre for it to be a town of the LA."""

TOWN_SHARE = 0.5
"""A postal town holding this share of the LA's schools or more is a postal district (London), not its town."""

MATCH_SHARE = 0.5
"""Two partnerships of different configurations are "the same" when they share more than this share of each one's pupils."""

COMPASS = frozenset(
    ["north", "south", "east", "west", "central", "northwest", "northeast", "southwest", "southeast"]
    + ["north-west", "north-east", "south-west", "south-east"]
)
STREET_WORDS = frozenset(
    ["road", "rd", "way", "avenue", "ave", "lane", "street", "close", "drive", "crescent", "terrace"]
    + ["gardens", "walk", "row", "court", "mews", "square", "parade", "grove", "place"]
)
SCHOOL_WORDS = frozenset(
    ["school", "schools", "primary", "infant", "infants", "junior", "juniors", "college", "academy"]
    + ["nursery", "pre-school", "preschool"]
)
"""Words that make an address value a school's name, not a place."""
NAME_WORDS = SCHOOL_WORDS | frozenset(
    ["ce", "cofe", "c", "church", "catholic", "community", "technology", "high", "grammar", "first"]
    + ["middle", "lower", "upper", "free", "federation", "foundation", "methodist", "rc", "va", "vc"]
)
"""Words that follow the place in a school named after it ("Lymington CE Infant School")."""
FILLERS = frozenset({"the village", "village", "town", "city", "county", "england", "uk"})
_SMALL = frozenset(["and", "on", "the", "in", "upon", "le", "la", "de", "with", "under", "by", "of", "en", "sur"])


# --- place values ----------------------------------------------------------------------------------


def place_key(text: str) -> str:
    """Matching key of a place name: lower case, no apostrophes or full stops, other punctuation as spaces.

    Parameters
    ----------
    text
        A place name as written (GIAS Locality, Town, ward, district name ...); converted with ``str``.

    Returns
    -------
    str
        The key: ``&`` read as "and", runs of other characters than ``a-z0-9`` as one space, trimmed
        ("Bishop's Waltham" -> "bishops waltham", "St. Mary's" -> "st marys"); ``""`` for a blank value.
    """
    text = str(text).lower().replace("'", "").replace("’", "").replace(".", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.replace("&", " and ")).split())


def tidy_place(text: str) -> str:
    """A place value as written for people: spaces and stray punctuation removed, capitals mended.

    All-capital or all-lower-case values are title-cased keeping small words of
    compound names lower case ("LEE-ON-THE-SOLENT" -> "Lee-on-the-Solent");
    "St." becomes "St".

    Parameters
    ----------
    text
        A GIAS place value (converted with ``str``).

    Returns
    -------
    str
        The value with runs of white space as one space, leading and trailing ``" ,.;:-/"`` removed and
        typographic apostrophes as ``'``; mixed-case values keep their capitals.
    """
    text = " ".join(str(text).replace("’", "'").split()).strip(" ,.;:-/")
    text = re.sub(r"\bSt\.\s*", "St ", text, flags=re.IGNORECASE)
    if text.isupper() or text.islower():
        parts = re.split(r"([ -])", text.lower())
        out = []
        for i, part in enumerate(parts):
            if part in (" ", "-") or (i > 0 and part in _SMALL):
                out.append(part)
            else:
                out.append(part[:1].upper() + part[1:])
        text = "".join(out)
    return text


def looks_like_place(text: str) -> bool:
    """Whether a GIAS address value can name a place: not blank, no digits, no street or school word,
    not "Near ..." or a filler such as "The Village".

    Parameters
    ----------
    text
        A GIAS Locality, Address3, Town or ward stem.

    Returns
    -------
    bool
        False when its :func:`place_key` is blank, holds a digit, is one of :data:`FILLERS`, starts with
        "near", "nr", "off", "opposite", "rear" or "adjacent", ends with one of :data:`STREET_WORDS` or holds
        one of :data:`SCHOOL_WORDS`; True otherwise.
    """
    key = place_key(text)
    if not key or any(c.isdigit() for c in key) or key in FILLERS:
        return False
    words = key.split()
    if words[0] in ("near", "nr", "off", "opposite", "rear", "adjacent"):
        return False
    return words[-1] not in STREET_WORDS and not any(w in SCHOOL_WORDS for w in words)


def ward_stem(ward: str) -> str:
    """The place part of a ward name: the first part before ``,``, ``&`` or ``and``, trailing compass words
    dropped ("Hedge End North" -> "Hedge End", "Tadley North, Kingsclere & Baughurst" -> "Tadley").

    Parameters
    ----------
    ward
        A GIAS ``AdministrativeWard (name)`` value (converted with ``str``).

    Returns
    -------
    str
        The stem as :func:`tidy_place` writes it (one word is always kept, even a compass word);
        ``""`` for a blank ward.
    """
    first = re.split(r",|&|\band\b", str(ward), maxsplit=1)[0]
    words = first.split()
    while len(words) > 1 and place_key(words[-1]).replace(" ", "") in COMPASS:
        words = words[:-1]
    return tidy_place(" ".join(words))


def _text_column(schools: pd.DataFrame, column: str) -> pd.Series:
    if column not in schools:
        return pd.Series("", index=schools.index, dtype=object)
    return schools[column].fillna("").astype(str)


@dataclass(frozen=True)
class LAPlaces:
    """What the LA's own GIAS rows say about which place names are of the LA (see the module docstring)."""

    confirmed: frozenset[str]
    postal_towns: frozenset[str]
    areas: frozenset[str] = frozenset()
    """Keys of whole district names that name an area, not a settlement ("Isle of Wight", "New Forest",
    "Test Valley"): no school's postal town, ward stem or school name; never a school's place."""

    def of_la(self, value: str, field: str) -> bool:
        """Whether a place value from one GIAS field is a place of the LA (see the module docstring).

        Parameters
        ----------
        value
            The place value.
        field
            Where it comes from: ``"locality"``, ``"address3"``, ``"town"``, ``"name"`` (the place a school
            is named after) or ``"ward"`` (a ward stem).

        Returns
        -------
        bool
            True for a ward stem or a confirmed value; for a Locality, Address3 or school-name place also
            when it is not the postal town of one of the LA's schools; False for an area (a whole district's
            name that is no settlement's) and otherwise (a Town is of the LA only when confirmed).
        """
        key = place_key(value)
        if key in self.areas:
            return False
        if field == "ward" or key in self.confirmed:
            return True
        return field in ("locality", "address3", "name") and key not in self.postal_towns


def la_places(schools: pd.DataFrame) -> LAPlaces:
    """The place names confirmed as of the LA by its schools' wards, districts and school names.

    Parameters
    ----------
    schools
        The LA's schools, one row per school (GIAS columns ``ward``, ``district``, ``town``, ``locality``,
        ``name``; missing columns and blank values count as blank).

    Returns
    -------
    LAPlaces
        Confirmed place keys (:func:`place_key`), and the keys of the postal towns (first comma-separated part
        of GIAS ``Town``) of its schools.
    """
    wards = [w for w in _text_column(schools, "ward") if w.strip()]
    settlements = _ward_places(wards) | _school_named_places(schools) | _compact_towns(schools)
    districts = _text_column(schools, "district")
    confirmed = settlements | _district_places(districts)
    confirmed.discard("")
    towns = {place_key(t.split(",")[0]) for t in _text_column(schools, "town")} - {""}
    areas = {place_key(d) for d in districts.unique()} - settlements - towns - {""}
    return LAPlaces(frozenset(confirmed - areas), frozenset(towns), frozenset(areas))


def _compact_towns(schools: pd.DataFrame) -> set[str]:
    """Keys of the postal towns whose own schools form a compact town of the LA (see the module docstring).

    A town's own schools have ``Town`` equal to it and ``Locality``/``Address3`` blank or equal to it; the
    town is confirmed when there are at least :data:`TOWN_MIN_SCHOOLS` of them, their median distance from
    their median point is at most :data:`TOWN_MEDIAN_KM` with four in five within :data:`GATHER_KM`, and the
    town is the ``Town`` of under :data:`TOWN_SHARE` of the LA's schools. Without coordinates (``geometry``
    in British National Grid, metres) nothing is confirmed this way.
    """
    if "geometry" not in schools or not len(schools):
        return set()
    town = _text_column(schools, "town").map(lambda v: place_key(v.split(",")[0])).to_numpy()
    locality = _text_column(schools, "locality").map(place_key).to_numpy()
    address3 = _text_column(schools, "address3").map(place_key).to_numpy()
    xy = np.column_stack([schools.geometry.x.to_numpy(dtype=float), schools.geometry.y.to_numpy(dtype=float)])
    out = set()
    for key in sorted(set(town) - {""}):
        mine = town == key
        own = mine & np.isin(locality, ["", key]) & np.isin(address3, ["", key]) & np.isfinite(xy).all(axis=1)
        if own.sum() < TOWN_MIN_SCHOOLS or mine.mean() >= TOWN_SHARE:
            continue
        km = np.hypot(*(xy[own] - np.median(xy[own], axis=0)).T) / 1000
        if np.median(km) <= TOWN_MEDIAN_KM and (km <= GATHER_KM).mean() >= 0.8:
            out.add(key)
    return out


def _split_at_and(text: str) -> list[str]:
    """The parts of a ward or district name split at ``,``, ``&`` and ``and``."""
    return re.split(r",|&|\band\b", text)


def _ward_places(wards: list[str]) -> set[str]:
    """Place keys confirmed by ward names: each ward's stem, every part of a ward name ("Nursling",
    "Rownhams"), and the first one to three words shared by two or more wards ("Alton")."""
    confirmed = {place_key(ward_stem(w)) for w in wards}
    for w in wards:
        confirmed |= {place_key(ward_stem(p)) for p in _split_at_and(w)}
    starts = Counter(" ".join(place_key(w).split()[:n]) for w in set(wards) for n in range(1, 4))
    confirmed |= {s for s, n in starts.items() if n >= 2 and s not in COMPASS}
    return confirmed


def _district_places(districts: pd.Series) -> set[str]:
    """Place keys confirmed by district names: each whole name and each of its parts ("Basingstoke")."""
    confirmed: set[str] = set()
    for d in districts.unique():
        confirmed.add(place_key(d))
        confirmed |= {place_key(p) for p in _split_at_and(d)}
    return confirmed


def _school_named_places(schools: pd.DataFrame) -> set[str]:
    """Keys of ``Town`` and ``Locality`` values that a school addressed there is named after."""
    raw_names = _text_column(schools, "name")
    names = raw_names.map(place_key)
    confirmed: set[str] = set()
    for column in ("town", "locality"):
        values = _text_column(schools, column).map(lambda v: place_key(v.split(",")[0]))
        confirmed |= {v for v, name, raw in zip(values, names, raw_names) if v and _named_after(v, name, raw)}
    return confirmed


def _named_after(key: str, name_key: str, raw_name: str) -> bool:
    """Whether a school's name is "[compass] <place> <school word> ..." or ends ", <place>"."""
    words = name_key.split()
    if words and words[0] in COMPASS:
        words = words[1:]
    place = key.split()
    if words[: len(place)] == place and len(words) > len(place) and words[len(place)] in NAME_WORDS:
        return True
    return "," in raw_name and place_key(raw_name.rsplit(",", 1)[1]) == key


def _name_place(name: str, known: set[str]) -> str:
    """The place of the LA a school is named after ("Burghclere Primary School" -> "Burghclere"), else ""."""
    words = place_key(name).split()
    if words and words[0] in COMPASS:
        words = words[1:]
    for n in range(min(4, len(words) - 1), 0, -1):
        if " ".join(words[:n]) in known and words[n] in NAME_WORDS:
            return tidy_place(" ".join(words[:n]))
    return ""


def school_places(schools: pd.DataFrame, places: LAPlaces | None = None) -> pd.DataFrame:
    """Each school's place and sub-place (see the module docstring), as keys and display names.

    Parameters
    ----------
    schools
        The LA's schools, one row per school: GIAS columns ``locality``, ``address3``, ``town``, ``ward``,
        ``name`` (missing columns count as blank) and, optionally, ``geometry`` (school points in British
        National Grid, EPSG:27700, metres) for gathering suburbs into their towns (:data:`GATHER_KM`).
    places
        What the LA's rows say about its place names (:func:`la_places`); computed from ``schools`` when
        not given.

    Returns
    -------
    pandas.DataFrame
        Same index as ``schools``: ``place`` and ``sub`` (display names, ``""`` when none) and
        ``field`` (which GIAS field gave the place: locality, address3, town, name, ward or ``""``).
    """
    places = places or la_places(schools)
    cols = {c: _text_column(schools, c) for c in ("locality", "address3", "town", "ward", "name")}
    known = _nameable_places(cols, places)
    rows = [_place_of_school(_place_candidates(cols, i, known), places) for i in range(len(schools))]
    out = pd.DataFrame(rows, columns=["place", "sub", "field"], index=schools.index)
    out = _gather_into_towns(out, schools, places)
    out["sub"] = [_distinctive(sub, place) for sub, place in zip(out["sub"], out["place"])]
    return _unify_spellings(out)


def _nameable_places(cols: Mapping[str, pd.Series], places: LAPlaces) -> set[str]:
    """Keys of the places of the LA a school can be named after: confirmed ones and the LA's villages and
    suburbs (``Locality`` and ``Address3`` values that look like places and are of the LA)."""
    return set(places.confirmed) | {
        place_key(v) for c in ("locality", "address3") for v in cols[c] if looks_like_place(v) and places.of_la(v, c)
    }


def _place_candidates(cols: Mapping[str, pd.Series], i: int, known: set[str]) -> list[tuple[str, str]]:
    """``(field, value)`` of the ``i``-th school's possible places, in order of preference."""
    ward = cols["ward"].iat[i]
    return [
        ("locality", cols["locality"].iat[i]),
        ("address3", cols["address3"].iat[i]),
        ("town", cols["town"].iat[i].split(",")[0]),
        ("name", _name_place(cols["name"].iat[i], known)),
        ("ward", ward_stem(ward) if ward.strip() else ""),
    ]


def _is_place_of_la(field: str, value: str, places: LAPlaces) -> bool:
    """Whether a candidate value names a place of the LA; a ward's name is the name of an area even when it
    is a road's ("Old Kent Road")."""
    looks = looks_like_place(value) or (field == "ward" and looks_like_place(value + " x"))
    return looks and places.of_la(value, field)


def _place_of_school(candidates: list[tuple[str, str]], places: LAPlaces) -> tuple[str, str, str]:
    """``(place, sub-place, field)`` of one school from its candidates: the first that is a place of the
    LA, and the first local one (locality, address3, ward) naming another place."""
    good = [(f, tidy_place(v)) for f, v in candidates if _is_place_of_la(f, v, places)]
    place_field, place = good[0] if good else ("", "")
    local = [v for f, v in good if f in ("locality", "address3", "ward") and place_key(v) != place_key(place)]
    return place, local[0] if local else "", place_field


def _unify_spellings(out: pd.DataFrame) -> pd.DataFrame:
    """One spelling per place in ``place`` and ``sub``: the LA's most common (mixed case before all-capital)."""
    spelled = pd.concat([out["place"], out["sub"]])
    spelled = spelled[spelled != ""]
    best: dict[str, str] = {}
    for key, group in spelled.groupby(spelled.map(place_key)):
        counts = group.value_counts()
        best[str(key)] = sorted(counts.index, key=lambda s: (-counts[s], s.isupper(), s))[0]
    for column in ("place", "sub"):
        out[column] = [best.get(place_key(v), v) if v else "" for v in out[column]]
    return out


def _gather_into_towns(out: pd.DataFrame, schools: pd.DataFrame, places: LAPlaces) -> pd.DataFrame:
    """Places of schools in a suburb of a town of the LA become the town, the suburb their sub-place.

    A school whose place is its ``Locality`` (or ``Address3``) and whose ``Town`` is confirmed as of the LA
    is in that town when it lies within :data:`GATHER_KM` of the centre of the town's own schools (place
    equal to the town): Pennington is in Lymington, Leigh Park in Havant; Odiham (postal town Hook, 3.6 km
    away) stays a place. Without coordinates nothing is gathered.
    """
    if "geometry" not in schools or not len(out):
        return out
    town = _text_column(schools, "town").map(lambda v: tidy_place(v.split(",")[0]))
    town_key = town.map(place_key)
    place_key_ = out["place"].map(place_key)
    x = schools.geometry.x.to_numpy(dtype=float)
    y = schools.geometry.y.to_numpy(dtype=float)
    out = out.copy()
    for key in sorted(set(town_key[out["field"].isin(["locality", "address3"])]) & places.confirmed):
        core = (place_key_ == key).to_numpy()
        if not core.any():
            continue
        cx, cy = x[core].mean(), y[core].mean()
        gather = (
            (town_key == key).to_numpy()
            & out["field"].isin(["locality", "address3"]).to_numpy()
            & (place_key_ != key).to_numpy()
            & (np.hypot(x - cx, y - cy) <= GATHER_KM * 1000)
        )
        out.loc[gather, "sub"] = out.loc[gather, "place"]
        out.loc[gather, "place"] = town[gather]
    return out


def _distinctive(sub: str, place: str) -> str:
    """The part of a sub-place that is not its place ("Abingdon Fitzharris" under Abingdon -> "Fitzharris")."""
    words, lead = sub.split(), len(place.split())
    if not sub or place_key(" ".join(words[:lead])) != place_key(place) or len(words) <= lead:
        return sub
    rest = " ".join(words[lead:])
    return "" if place_key(rest).replace(" ", "") in COMPASS or not looks_like_place(rest) else rest


# --- matching configurations -----------------------------------------------------------------------


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
    schools. A partnership with no place of the LA keeps what it inherits."""
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
    in a name with it."""
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
    partnership, or gives its own partnership another name."""
    kept = {lab: n for lab, n in kept.items() if lab in groups and chosen.get(lab, n) == n}
    kept = {lab: n for lab, n in kept.items() if n not in _others_names(chosen, lab)}
    inherited = {lab: n for lab, n in inherited.items() if n not in _others_names(kept, lab)}
    return {**inherited, **kept, **chosen}


def _others_names(names: Mapping[int, str], label: int) -> set[str]:
    """The names ``names`` gives to partnerships other than ``label``."""
    return {name for other, name in names.items() if other != label}


def _district_name(label: int, group: pd.DataFrame, notes: list[str]) -> list[str]:
    """The only candidate of a partnership none of whose schools has a place of the LA: its district (else
    "Partnership <label + 1>"), with a note naming up to ten of its URNs appended to ``notes``."""
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
    apart by their names."""
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
