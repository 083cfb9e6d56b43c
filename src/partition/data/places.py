"""Places of schools: the settlement each school is in, and the places that are of the LA.

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

The names of partnerships are made from these places (:mod:`partition.data.naming`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

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
    "Rownhams"), and the first one to three words shared by two or more wards ("Alton").
    """
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
    suburbs (``Locality`` and ``Address3`` values that look like places and are of the LA).
    """
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
    is a road's ("Old Kent Road").
    """
    looks = looks_like_place(value) or (field == "ward" and looks_like_place(value + " x"))
    return looks and places.of_la(value, field)


def _place_of_school(candidates: list[tuple[str, str]], places: LAPlaces) -> tuple[str, str, str]:
    """``(place, sub-place, field)`` of one school from its candidates: the first that is a place of the
    LA, and the first local one (locality, address3, ward) naming another place.
    """
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
