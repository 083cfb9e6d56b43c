"""Choosing the study area's districts and giving each school its district.

A school's district is the district polygon containing it. Generalised ONS
outlines are off by tens to hundreds of metres near edges, so the GIAS
``DistrictAdministrative`` field (code, else name) decides when the school lies
within ``tolerance_m`` of the district it names, or outside every district of
the study area. Every school of the requested LAs is placed or excluded with a
reason naming its distance:

* The study area of an LA is every district that is *home* to one of its
  schools (:func:`locate_schools`) — however few schools it holds — except a
  district that belongs to another LA (most records of the GIAS file lying there
  are of another LA) and whose requested schools all lie within
  ``limit_m`` of the LA's own districts: those schools (cross-border sites, e.g.
  a Barnet school in Brent) are attached to the nearest own district and
  reported, instead of pulling the neighbour's whole district in.
* A school outside every district of the study area is attached to its GIAS
  district, else to the nearest district, when within ``limit_m``
  (:data:`OUTSIDE_LIMIT_M`); farther out (a wrong Easting/Northing) it is
  excluded with its distance and the fix.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from partition.core.limits import listed
from partition.errors import BoundaryFileError, EmptySelectionError
from partition.io.boundaries import FeatureRepair, polygonal
from partition.warnings import DataWarning

DEFAULT_TOLERANCE_M = 250.0
NOT_COVERED = "in no district of the boundary file"
"""Part of the exclusion reason of a school that lies outside every district of the file."""
OUTSIDE_LIMIT_M = 5000.0
"""Farthest a school may lie outside the study area and still be attached to a district (m)."""


def normalise_name(name: str) -> str:
    """Normalise a district name for matching (case, '&', punctuation, spaces).

    Parameters
    ----------
    name
        A district name as written in GIAS (``DistrictAdministrative (name)``)
        or a boundary file (any value; converted with ``str``).

    Returns
    -------
    str
        Lower case, ``&`` read as ``and``, every run of other characters than
        letters and digits one space, no leading or trailing space
        (``"Basingstoke & Deane"`` -> ``"basingstoke and deane"``).
    """
    text = str(name).lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def gias_district_index(schools: pd.DataFrame, boundaries: gpd.GeoDataFrame) -> np.ndarray:
    """Row of ``boundaries`` each school's GIAS district names (by code, else by name); -1 when none.

    Parameters
    ----------
    schools
        Schools, n rows, with ``gias_district_code`` (ONS code from GIAS
        ``DistrictAdministrative (code)``) and ``gias_district`` (its name);
        either column may be missing or blank.
    boundaries
        Districts of a boundary file: ``code`` (ONS code), ``name``.

    Returns
    -------
    numpy.ndarray
        Integer array of shape (n,): the position in ``boundaries`` of the
        district each school's GIAS record names, matched by code first and
        then by :func:`normalise_name`; -1 when it names none of them.
    """
    by_code = {str(c).strip(): i for i, c in enumerate(boundaries["code"])}
    by_name = {normalise_name(n): i for i, n in enumerate(boundaries["name"])}
    codes = schools["gias_district_code"] if "gias_district_code" in schools else pd.Series("", index=schools.index)
    names = schools["gias_district"] if "gias_district" in schools else pd.Series("", index=schools.index)
    out = []
    for code, name in zip(codes, names):
        i = by_code.get(str(code).strip(), -1) if isinstance(code, str) and code.strip() else -1
        if i < 0 and isinstance(name, str) and name.strip():
            i = by_name.get(normalise_name(name), -1)
        out.append(i)
    return np.asarray(out, dtype=int)


def schools_moved_by_repairs(
    repairs: list[FeatureRepair],
    schools: gpd.GeoDataFrame,
    *,
    by_gias: bool,
    repaired: dict[str, shapely.Geometry] | None = None,
) -> dict[str, str]:
    """Per repaired boundary feature, the schools its repair leaves outside it.

    Parameters
    ----------
    repairs
        Repairs of a boundary file (:func:`partition.io.boundaries.repair_features`), EPSG:27700.
    schools
        Schools (GIAS, EPSG:27700 points) with ``URN``, ``name`` and, for ``by_gias``, ``gias_district``
        and optionally ``gias_district_code``.
    by_gias
        Also count the schools whose GIAS district is the feature (by code, else name), wherever they lie:
        for a refused repair, whose drawing cannot say where the district was. Otherwise only schools
        inside the feature as drawn (GEOS point-in-polygon on the drawing: inside its shell ring, outside
        its hole rings).
    repaired
        Feature code -> its polygon once repaired (as read: dissolved by code); :func:`polygonal` of the
        drawing for codes not given.

    Returns
    -------
    dict
        Feature code -> ``"URN 1 School A (40 m outside), ..."`` (the first three and how many more, as
        :func:`partition.core.limits.listed`) for each feature whose repaired polygon does not cover every such
        school; features losing none are left out.
    """
    if not repairs or schools.empty:
        return {}
    features = pd.DataFrame({"code": [r.code for r in repairs], "name": [r.name for r in repairs]})
    gias = gias_district_index(schools, features) if by_gias else np.full(len(schools), -1)
    points = schools.geometry.to_numpy()
    out = {}
    for i, repair in enumerate(repairs):
        drawn = shapely.from_wkb(repair.drawn_wkb)
        after = (repaired or {}).get(repair.code, polygonal(drawn))
        lost = (shapely.contains(drawn, points) | (gias == i)) & ~shapely.covers(after, points)
        if lost.any():
            out[repair.code] = listed(
                [
                    f"URN {urn} {name} ({shapely.distance(after, point):,.0f} m outside)"
                    for urn, name, point in zip(schools["URN"][lost], schools["name"][lost], points[lost])
                ]
            )
    return out


def check_repaired_districts(boundaries: gpd.GeoDataFrame, schools: gpd.GeoDataFrame) -> list[str]:
    """Check that repairing a district's polygon left every school inside it that was inside as drawn.

    Parameters
    ----------
    boundaries
        A boundary file read by :func:`partition.io.boundaries.read_polygons` (``attrs["source"]``,
        ``attrs["geometry_repairs"]``), EPSG:27700.
    schools
        The schools of the requested LAs (GIAS, EPSG:27700 points) with ``URN`` and ``name``.

    Returns
    -------
    list of str
        One note per repaired district (its fault and place, area and parts before and after), for the
        data report.

    Raises
    ------
    BoundaryFileError
        When a school inside a district as drawn lies outside it once repaired, naming the schools, the
        district, the repair and the fix.
    """
    repairs = list(boundaries.attrs.get("geometry_repairs", []))
    source = Path(str(boundaries.attrs.get("source", "boundaries")))
    after = dict(zip(boundaries["code"], boundaries.geometry))
    moved = schools_moved_by_repairs(repairs, schools, by_gias=False, repaired=after)
    if moved:
        first = next(r for r in repairs if r.code in moved)
        raise BoundaryFileError(
            source,
            "repairing invalid polygons moves schools out of their district: "
            + "; ".join(
                f"{r.describe()}; inside it as drawn, outside once repaired: {moved[r.code]}"
                for r in repairs
                if r.code in moved
            ),
            fix=f"correct the boundary of {first.label}{first.place} so that it is valid, or use another boundary file",
        )
    return [f"{source.name}: repaired the polygon of {r.describe()}" for r in repairs]


def locate_schools(
    schools: gpd.GeoDataFrame,
    boundaries: gpd.GeoDataFrame,
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    limit_m: float = OUTSIDE_LIMIT_M,
) -> pd.DataFrame:
    """Where each school lies relative to the districts of a boundary file.

    Parameters
    ----------
    schools
        Schools (EPSG:27700) with ``gias_district`` and optionally ``gias_district_code``.
    boundaries
        Districts: ``code``, ``name``, geometry (EPSG:27700).
    tolerance_m
        Within this distance (m) of the district its GIAS record names, a school
        belongs to that district even when it lies in another polygon.
    limit_m
        A school outside every polygon belongs to its GIAS district within this
        distance (m); without a GIAS district of the file, to the nearest
        district within ``tolerance_m``.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``schools``: ``gias`` (row of ``boundaries`` named by GIAS, -1
        none), ``gias_m`` (distance to it, m), ``polygon`` (row containing the
        school, -1 none), ``nearest`` and ``nearest_m``, and ``home`` (the row the
        school belongs to, -1 when it lies more than ``limit_m`` from every district).
    """
    geoms = boundaries.geometry.to_numpy()
    points = schools.geometry.to_numpy()
    n = len(schools)
    gias = gias_district_index(schools, boundaries)
    gias_m = np.full(n, np.nan)
    has = gias >= 0
    gias_m[has] = shapely.distance(points[has], geoms[gias[has]])
    polygon = np.full(n, -1)
    pairs = boundaries.sindex.query(points, predicate="within")
    for s, b in sorted(zip(pairs[0], pairs[1]), reverse=True):
        polygon[s] = b  # the lowest row wins where polygons overlap
    (src, dst), dist = boundaries.sindex.nearest(points, return_all=False, return_distance=True)
    nearest = np.full(n, -1)
    nearest_m = np.full(n, np.inf)
    nearest[src] = dst
    nearest_m[src] = dist
    home = np.where(
        has & (gias_m <= tolerance_m),
        gias,
        np.where(
            polygon >= 0,
            polygon,
            np.where(has & (gias_m <= limit_m), gias, np.where(nearest_m <= tolerance_m, nearest, -1)),
        ),
    )
    return pd.DataFrame(
        {"gias": gias, "gias_m": gias_m, "polygon": polygon, "nearest": nearest, "nearest_m": nearest_m, "home": home},
        index=schools.index,
    )


def district_owners(records: gpd.GeoDataFrame, boundaries: gpd.GeoDataFrame) -> pd.Series:
    """The LA most records of a GIAS file lying in each district belong to.

    Parameters
    ----------
    records
        Every record of the file with coordinates: ``la_code``, geometry (EPSG:27700).
    boundaries
        Districts: ``code``, geometry.

    Returns
    -------
    pandas.Series
        District code -> LA code, for districts holding at least one record.
    """
    if records is None or records.empty:
        return pd.Series(dtype=str)
    pairs = boundaries.sindex.query(records.geometry.to_numpy(), predicate="within")
    pairs_all = pd.DataFrame(
        {"code": boundaries["code"].to_numpy()[pairs[1]], "la": records["la_code"].to_numpy()[pairs[0]]}
    )
    counts = pairs_all.groupby(["code", "la"]).size().rename("n").reset_index()
    counts = counts.sort_values(["code", "n", "la"], ascending=[True, False, True])
    return counts.drop_duplicates("code").set_index("code")["la"]


def select_districts(
    boundaries: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    codes: list[str] | tuple[str, ...] | None = None,
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    limit_m: float = OUTSIDE_LIMIT_M,
    owners: pd.Series | None = None,
    la_codes: Iterable[str] = (),
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Pick the districts of the study area.

    Parameters
    ----------
    boundaries
        Every district of the boundary file (``code``, ``name``, geometry; EPSG:27700).
    schools
        The requested LAs' schools.
    codes
        Explicit district codes (``--district``): exactly those districts.
    tolerance_m, limit_m
        See :func:`locate_schools`.
    owners
        District code -> LA code owning it (:func:`district_owners`); without it
        every home district of a school is chosen.
    la_codes
        The requested LAs.

    Returns
    -------
    districts, notes
        The districts (in file order) and notes on districts belonging to
        another LA whose schools were attached to the LA's own districts.

    Raises
    ------
    BoundaryFileError
        When an explicit code is not in the file.
    EmptySelectionError
        When no school has a home district in the file (the file does not cover the LA).
    """
    source = boundaries.attrs.get("source", "boundaries")
    if codes:
        return _explicit_districts(boundaries, codes, source), []
    where = locate_schools(schools, boundaries, tolerance_m=tolerance_m, limit_m=limit_m)
    homes = _home_rows(where, len(schools), source, tolerance_m)
    wanted_las = {str(c) for c in la_codes}
    owner = {} if owners is None else owners.to_dict()
    foreign = _foreign_homes(boundaries, homes, owner, wanted_las)
    own = [h for h in homes if h not in foreign]
    notes: list[str] = []
    if own and foreign:
        own, notes = _attach_foreign(boundaries, schools, where, own, foreign, owner, wanted_las, limit_m)
    chosen = sorted(own or homes)
    return boundaries.iloc[chosen].reset_index(drop=True), notes


def _explicit_districts(boundaries: gpd.GeoDataFrame, codes: Iterable[str], source: str) -> gpd.GeoDataFrame:
    """The districts of ``boundaries`` with the given codes; :class:`BoundaryFileError` naming any missing."""
    wanted = [str(c).strip() for c in codes]
    missing = [c for c in wanted if c not in set(boundaries["code"])]
    if missing:
        raise BoundaryFileError(
            source,
            f"has no district with code {', '.join(missing)}",
            fix=f"codes in the file include {', '.join(sorted(boundaries['code'])[:15])}",
        )
    return boundaries[boundaries["code"].isin(wanted)].reset_index(drop=True)


def _home_rows(where: pd.DataFrame, n_schools: int, source: str, tolerance_m: float) -> list[int]:
    """Rows of the boundary file home to a school (ascending); :class:`EmptySelectionError` when none."""
    homes = sorted(set(int(h) for h in where["home"] if h >= 0))
    if not homes:
        raise EmptySelectionError(
            f"{source}: no district contains any of the {n_schools} selected schools (none lies within "
            f"{tolerance_m:g} m of a district of the file or names one as its GIAS district)",
            fix="use a boundary file that covers the LA (e.g. the England LAD file) and check the schools' Easting/Northing",
        )
    return homes


def _foreign_homes(
    boundaries: gpd.GeoDataFrame, homes: list[int], owner: dict[str, str], wanted_las: set[str]
) -> list[int]:
    """Home rows owned by an LA other than the requested ones (none when no LA is requested)."""
    if not wanted_las:
        return []
    return [h for h in homes if owner.get(boundaries["code"].iat[h]) not in (None, *wanted_las)]


def _attach_foreign(
    boundaries: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    where: pd.DataFrame,
    own: list[int],
    foreign: list[int],
    owner: dict[str, str],
    wanted_las: set[str],
    limit_m: float,
) -> tuple[list[int], list[str]]:
    """Leave out each foreign district whose schools all lie within ``limit_m`` of the own districts.

    Returns the own rows (plus the foreign districts kept, in that order) and a note per foreign district.
    """
    own = list(own)
    notes = []
    own_area = shapely.union_all(boundaries.geometry.to_numpy()[own])
    for h in foreign:
        members = schools[where["home"].to_numpy() == h]
        gap = shapely.distance(members.geometry.to_numpy(), own_area)
        code, name = boundaries["code"].iat[h], boundaries["name"].iat[h]
        if (gap <= limit_m).all():
            notes.append(
                f"district {name} ({code}) belongs to LA {owner[code]} (most GIAS records there); "
                f"not part of the study area: its school(s) URN {', '.join(map(str, members['URN']))} are attached "
                f"to the nearest district of LA {', '.join(sorted(wanted_las))} (pass --district codes to choose the districts)"
            )
        else:
            own.append(h)
            notes.append(
                f"district {name} ({code}) belongs to LA {owner[code]} but holds URN "
                f"{', '.join(map(str, members['URN']))}, more than {limit_m / 1000:g} km from the LA's other districts; included"
            )
    return own, notes


def assign_districts(
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    limit_m: float = OUTSIDE_LIMIT_M,
    boundaries: gpd.GeoDataFrame | None = None,
    attach: bool = True,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """Give each school a district of the study area.

    Rules, in order: the GIAS district when the school lies in it or within
    ``tolerance_m`` of it; the polygon containing the school; outside every
    district of the study area, the GIAS district, else the nearest district,
    within ``limit_m`` (with ``attach=False``, a school inside a district of
    ``boundaries`` that is not in the study area is excluded instead).

    Parameters
    ----------
    schools
        Schools (EPSG:27700).
    districts
        The study area's districts.
    tolerance_m, limit_m
        Distances in metres (see :func:`locate_schools`).
    boundaries
        Every district of the file, to name the district a school outside the
        study area lies in.
    attach
        Attach schools lying in a district outside the study area to the nearest
        district of the study area (True when the study area was derived from the
        LA; False for explicit ``--district`` codes).

    Returns
    -------
    schools
        Schools kept, with ``district_code``, ``district``, ``district_rule``
        (``polygon``, ``gias-edge``, ``gias-outside`` or ``nearest-outside``) and
        ``offset_m`` (distance from the school to its district polygon, 0 inside).
    disagreements
        Schools whose GIAS district differs from the polygon containing them,
        or that lie outside the study area: ``URN``, ``name``, ``gias_district``,
        ``polygon_district``, ``distance_m`` (to the GIAS district, or to the
        district assigned when outside), ``assigned``.
    excluded
        Schools left out (``URN``, ``name``, ``reason`` with the distance and the fix).

    Warns
    -----
    DataWarning
        One listing the schools excluded, one listing the disagreements (each
        only when there are any).
    """
    where = locate_schools(schools, districts, tolerance_m=tolerance_m, limit_m=limit_m)
    names = districts["name"].to_numpy()
    codes = districts["code"].to_numpy()
    outside = _outside_study_area(schools, districts, boundaries, tolerance_m=tolerance_m, limit_m=limit_m)
    gias_names = schools["gias_district"]
    placements = [
        _place_school(
            w,
            gias_names.iloc[s],
            names,
            outside.polygon_name[s],
            outside.home_name[s],
            bool(outside.in_left_out[s]),
            tolerance_m=tolerance_m,
            limit_m=limit_m,
            attach=attach,
        )
        for s, w in enumerate(where.itertuples())
    ]
    out, keep = _with_districts(schools, placements, names, codes)
    disagreements = _disagreement_frame(schools, [(s, *p.record) for s, p in enumerate(placements) if p.record])
    excluded = _excluded_frame(schools, [(s, p.reason) for s, p in enumerate(placements) if p.reason])
    if len(excluded):
        warnings.warn(DataWarning(_excluded_message(excluded)), stacklevel=2)
    if len(disagreements):
        warnings.warn(DataWarning(_disagreement_message(disagreements)), stacklevel=2)
    return out[keep].reset_index(drop=True), disagreements, excluded


@dataclass(frozen=True)
class _Outside:
    """Where each school lies among all districts of the file, for schools outside the study area.

    ``polygon_name``: ``Name (code)`` of the file's district containing the school, else None;
    ``home_name``: that of its home district in the file when not in the study area, else None;
    ``in_left_out``: whether some district of the file contains the school.
    """

    polygon_name: list[str | None]
    home_name: list[str | None]
    in_left_out: np.ndarray


def _outside_study_area(
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    boundaries: gpd.GeoDataFrame | None,
    *,
    tolerance_m: float,
    limit_m: float,
) -> _Outside:
    """Name the districts of the whole file that schools lie in (nothing known without ``boundaries``)."""
    if boundaries is None or not len(boundaries):
        none: list[str | None] = [None] * len(schools)
        return _Outside(none, none, np.zeros(len(schools), dtype=bool))
    outer = locate_schools(schools, boundaries, tolerance_m=tolerance_m, limit_m=limit_m)
    label = [f"{n} ({c})" for n, c in zip(boundaries["name"], boundaries["code"])]
    selected = set(districts["code"])
    return _Outside(
        [label[i] if i >= 0 else None for i in outer["polygon"]],
        [label[i] if i >= 0 and boundaries["code"].iat[i] not in selected else None for i in outer["home"]],
        outer["polygon"].to_numpy() >= 0,
    )


@dataclass(frozen=True)
class _Placement:
    """One school's district: ``row`` of the study area (-1 excluded), ``rule``, ``offset`` (m),
    a disagreement ``record`` ``(gias, polygon, distance_m, assigned)`` or an exclusion ``reason``.
    """

    row: int = -1
    rule: str | None = None
    offset: float = np.nan
    record: tuple[object, str, float, str] | None = None
    reason: str | None = None


def _place_school(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    w: tuple,
    gias_name: object,
    names: np.ndarray,
    polygon_name: str | None,
    home_name: str | None,
    in_left_out: bool,
    *,
    tolerance_m: float,
    limit_m: float,
    attach: bool,
) -> _Placement:
    """Apply the rules of :func:`assign_districts` to one school (``w``: its row of :func:`locate_schools`)."""
    if int(w.gias) >= 0 and w.gias_m <= tolerance_m:
        return _gias_placement(w, gias_name, names, polygon_name)
    if int(w.polygon) >= 0:
        return _polygon_placement(w, gias_name, names)
    if not attach and home_name is not None:
        return _Placement(
            reason=f"lies in district {home_name}, outside the selected districts (add it with --district)"
        )
    # a school inside a district left out of the study area (a cross-border site) may join the
    # nearest district within limit_m; a school outside every district of the file only within the
    # edge tolerance (farther out the file does not cover it)
    reach = limit_m if attach and in_left_out else tolerance_m
    return _outside_placement(w, gias_name, names, polygon_name, reach=reach, limit_m=limit_m)


def _gias_placement(w: tuple, gias_name: object, names: np.ndarray, polygon_name: str | None) -> _Placement:
    """The GIAS district, the school lying in it or within the edge tolerance."""
    g, poly = int(w.gias), int(w.polygon)
    rule = "polygon" if w.gias_m == 0 else "gias-edge" if poly >= 0 else "gias-outside"
    record = None
    if poly >= 0 and poly != g:
        record = (gias_name, names[poly], float(w.gias_m), names[g])
    elif poly < 0 and w.gias_m > 0:
        record = (gias_name, polygon_name or "(outside every district)", float(w.gias_m), names[g])
    return _Placement(g, rule, w.gias_m, record)


def _polygon_placement(w: tuple, gias_name: object, names: np.ndarray) -> _Placement:
    """The study-area polygon containing the school (its GIAS district is farther or another)."""
    g, poly = int(w.gias), int(w.polygon)
    record = None
    if g >= 0 or (gias_name and normalise_name(gias_name) != normalise_name(names[poly])):
        record = (gias_name, names[poly], float(w.gias_m) if g >= 0 else np.nan, names[poly])
    return _Placement(poly, "polygon", 0.0, record)


def _outside_placement(
    w: tuple, gias_name: object, names: np.ndarray, polygon_name: str | None, *, reach: float, limit_m: float
) -> _Placement:
    """A school outside every study-area district: its GIAS district within ``limit_m``, else the
    nearest within ``reach``, else excluded.
    """
    g = int(w.gias)
    if g >= 0 and w.gias_m <= limit_m:
        row, rule, offset = g, "gias-outside", w.gias_m
    elif w.nearest >= 0 and w.nearest_m <= reach:
        row, rule, offset = int(w.nearest), "nearest-outside", w.nearest_m
    else:
        return _Placement(reason=_outside_reason(w, names, polygon_name, reach))
    where_text = polygon_name or "(outside every district)"
    return _Placement(row, rule, offset, (gias_name, where_text, float(offset), names[row]))


def _outside_reason(w: tuple, names: np.ndarray, polygon_name: str | None, reach: float) -> str:
    """Why a school is excluded: where it lies, its distance to the nearest district and the fix."""
    near = (
        f"{w.nearest_m / 1000:.1f} km from the nearest, {names[w.nearest]}"
        if w.nearest >= 0
        else "far from every district"
    )
    where_text = f"in {polygon_name}" if polygon_name else NOT_COVERED
    return (
        f"outside the study area: {where_text}, {near} (more than {reach / 1000:g} km); "
        "check its Easting/Northing, or use a boundary file that covers it"
    )


def _with_districts(
    schools: gpd.GeoDataFrame, placements: list[_Placement], names: np.ndarray, codes: np.ndarray
) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """``schools`` with ``district_code``, ``district``, ``district_rule``, ``offset_m``; and which are placed."""
    chosen = np.array([p.row for p in placements], dtype=int)
    rule = np.empty(len(placements), dtype=object)
    rule[:] = [p.rule for p in placements]
    offset = np.array([p.offset for p in placements], dtype=float)
    keep = chosen >= 0
    out = schools.copy()
    out["district_code"] = [codes[i] if i >= 0 else None for i in chosen]
    out["district"] = [names[i] if i >= 0 else None for i in chosen]
    out["district_rule"] = rule
    out["offset_m"] = offset
    return out, keep


def _disagreement_frame(schools: gpd.GeoDataFrame, records: list[tuple]) -> pd.DataFrame:
    """``URN``, ``name``, ``gias_district``, ``polygon_district``, ``distance_m`` (0.1 m), ``assigned``."""
    return pd.DataFrame(
        [
            {
                "URN": int(schools["URN"].iloc[s]),
                "name": schools["name"].iloc[s],
                "gias_district": gias,
                "polygon_district": poly_name,
                "distance_m": round(d, 1) if d == d else None,
                "assigned": assigned,
            }
            for s, gias, poly_name, d, assigned in records
        ],
        columns=["URN", "name", "gias_district", "polygon_district", "distance_m", "assigned"],
    )


def _excluded_frame(schools: gpd.GeoDataFrame, reasons: list[tuple[int, str]]) -> pd.DataFrame:
    """``URN``, ``name``, ``reason`` of the schools left out."""
    return pd.DataFrame(
        {
            "URN": [int(schools["URN"].iloc[s]) for s, _ in reasons],
            "name": [schools["name"].iloc[s] for s, _ in reasons],
            "reason": [r for _, r in reasons],
        },
        columns=["URN", "name", "reason"],
    )


def _excluded_message(excluded: pd.DataFrame) -> str:
    """The warning listing the schools excluded."""
    return f"excluded {len(excluded)} school(s) outside the study area: " + "; ".join(
        f"URN {r.URN} {r.name}: {r.reason.removeprefix('outside the study area: ')}" for r in excluded.itertuples()
    )


GROUPED_DISAGREEMENTS = 4
"""Schools with the same GIAS district, polygon and outcome from which a disagreement is reported as one line
(a renamed or merged district between the GIAS data and the boundary vintage, e.g. Shepway, 2013, renamed
Folkestone and Hythe in 2018), naming the first URNs, instead of one entry per school."""


def _disagreement_message(disagreements: pd.DataFrame) -> str:
    """The warning listing the schools whose GIAS district and polygon differ: one entry per school, or one
    per (GIAS district, polygon, outcome) shared by :data:`GROUPED_DISAGREEMENTS` schools or more.
    """
    keys = ["gias_district", "polygon_district", "assigned"]
    sizes = disagreements.groupby(keys, sort=False, dropna=False)["URN"].transform("size")
    single = disagreements[sizes < GROUPED_DISAGREEMENTS]
    entries = [
        f"URN {r.URN} {r.name}: GIAS '{r.gias_district}', polygon '{r.polygon_district}'"
        + (f" ({r.distance_m:g} m)" if r.distance_m == r.distance_m and r.distance_m is not None else "")
        + f" -> {r.assigned}"
        for r in single.itertuples()
    ]
    grouped = disagreements[sizes >= GROUPED_DISAGREEMENTS].groupby(keys, sort=False, dropna=False)["URN"]
    for (gias, polygon, assigned), urns in grouped:
        shown = ", ".join(map(str, urns.head(5))) + (f" and {len(urns) - 5} more" if len(urns) > 5 else "")
        entries.append(
            f"{len(urns)} schools: GIAS '{gias}', polygon '{polygon}' -> {assigned} (URN {shown}; a district "
            "renamed or merged between the GIAS data and the boundary file's vintage?)"
        )
    return "district of " + "; ".join(entries)
