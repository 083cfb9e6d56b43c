"""Colleges, special schools and pupil referral units: members of the partnership they stand in.

The membership rule (README, "Every school and college")
---------------------------------------------------------
* A college (FE, sixth-form, land-based college, 16-19 academy or free school), special school or pupil
  referral unit is a **member of the partnership whose area it stands in**: the planning unit containing its
  point (its GIAS coordinates, or its postcode's Code-Point Open point), or the nearest unit when it stands just
  outside the study area. Moving a unit to another partnership moves its members with it, in the planner's
  editor as in a re-plan.
* By default members **do not count toward the size bounds**: "pupils" and "schools" of a partnership are its
  primary, middle, secondary and all-through schools. A college of 4,900 students would otherwise need a
  partnership to itself, and a county-wide special school is not a local primary. A kind named among the
  counted kinds (``--kind college``, ``--include-special``) is planned and counted as a school instead.
* Each member also **serves** the partnerships for which it is the nearest of its kind: for every partnership,
  the college (special school, PRU) nearest to the pupil-weighted centre of its schools serves it; when that
  establishment stands in another partnership, it is listed as also serving this one. So every partnership
  knows its college and its special school, its own or its neighbour's.

Every figure that involves members says what it counts (``counted`` in ``assignments.csv``: ``yes`` for a
school counted toward the bounds, ``no`` for a member).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from partition.io.schools import MEMBER_KINDS

SERVES_GROUPS = {"college": "college", "special": "special school", "pru": "pupil referral unit"}
"""The member kinds, each served by its own nearest establishment, with their names in words."""

KIND_WORDS = {
    "college": ("college", "colleges"),
    "special": ("special school", "special schools"),
    "pru": ("pupil referral unit", "pupil referral units"),
}
"""Each member kind in words, singular and plural."""


def empty_members(crs: object = "EPSG:27700") -> gpd.GeoDataFrame:
    """A members frame with no rows (the columns of :func:`in_units`).

    Parameters
    ----------
    crs
        The coordinate reference system of the empty geometry column.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``URN``, ``name``, ``kind``, ``type``, ``pupils``, ``district``, ``unit``, ``geometry``.
    """
    frame = pd.DataFrame(
        {
            "URN": pd.Series(dtype="int64"),
            "name": pd.Series(dtype=object),
            "kind": pd.Series(dtype=object),
            "type": pd.Series(dtype=object),
            "pupils": pd.Series(dtype="Int64"),
            "district": pd.Series(dtype=object),
            "unit": pd.Series(dtype="int64"),
        }
    )
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=crs), crs=crs)


def split_members(
    schools: gpd.GeoDataFrame, member_kinds: tuple[str, ...] | list[str]
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Separate the counted schools from the members.

    Parameters
    ----------
    schools
        Every establishment placed (GIAS and located lists), with ``kind`` and a nullable ``pupils``.
    member_kinds
        The kinds taking part as members (not counted), a subset of :data:`~partition.io.schools.MEMBER_KINDS`.

    Returns
    -------
    counted, members
        The rows of other kinds (``pupils`` as int64, every figure known) and those of ``member_kinds``
        (``pupils`` nullable: blank where no figure is known), each in the input's order with a fresh index.
    """
    is_member = schools["kind"].isin(member_kinds).to_numpy()
    counted = schools[~is_member].reset_index(drop=True)
    counted["pupils"] = counted["pupils"].astype("int64")
    members = schools[is_member].reset_index(drop=True)
    members["pupils"] = pd.array(members["pupils"], dtype="Int64")
    return counted, members


def in_units(members: gpd.GeoDataFrame, units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Each member's planning unit: the unit containing its point, else the nearest.

    Parameters
    ----------
    members
        From :func:`split_members` (EPSG:27700 points).
    units
        The planning units (polygons, EPSG:27700, their row position is the unit number).

    Returns
    -------
    geopandas.GeoDataFrame
        ``members`` with ``unit`` (int64, row position in ``units``) and ``unit_distance_m`` (0 inside a
        unit; else the distance in metres to the nearest, for a member just outside the study area). A point on
        the edge of two units takes the lower-numbered one.
    """
    if members.empty:
        out = members.copy()
        out["unit"] = pd.Series(dtype="int64")
        out["unit_distance_m"] = pd.Series(dtype="float64")
        return out
    geoms = units.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    points = members.geometry.to_numpy()
    hits_point, hits_unit = tree.query(points, predicate="intersects")
    unit = np.full(len(points), -1, dtype="int64")
    for p, u in sorted(zip(hits_point.tolist(), hits_unit.tolist()), reverse=True):
        unit[p] = u  # sorted descending, so the lowest unit of a point is written last
    distance = np.zeros(len(points))
    outside = np.flatnonzero(unit < 0)
    if len(outside):
        near = tree.nearest(points[outside])
        unit[outside] = near
        distance[outside] = shapely.distance(points[outside], geoms[near])
    out = members.copy()
    out["unit"] = unit
    out["unit_distance_m"] = distance
    return out


def _centres(schools: pd.DataFrame, school_labels: np.ndarray, k: int) -> np.ndarray:
    """Pupil-weighted centre (x, y; metres) of each partnership's counted schools, shape ``(k, 2)``."""
    xy = np.column_stack([schools.geometry.x.to_numpy(), schools.geometry.y.to_numpy()])
    weight = schools["pupils"].to_numpy(dtype=float)
    weight = np.where(weight > 0, weight, 1.0)
    total = np.bincount(school_labels, weights=weight, minlength=k)
    centres = np.column_stack([np.bincount(school_labels, weights=weight * xy[:, i], minlength=k) for i in (0, 1)])
    return centres / np.where(total > 0, total, 1.0)[:, None]


def serving(
    members: pd.DataFrame, member_labels: np.ndarray, schools: pd.DataFrame, school_labels: np.ndarray, k: int
) -> dict[int, list[int]]:
    """The partnerships each member also serves (by the rule of the module docstring).

    Parameters
    ----------
    members
        Members with ``kind`` and point geometry (EPSG:27700).
    member_labels
        Partnership index of each member, shape ``(len(members),)``.
    schools, school_labels
        The counted schools (``pupils``, point geometry) and their partnership indices.
    k
        Partnerships.

    Returns
    -------
    dict
        Row position of a member -> sorted partnership indices (other than its own) whose nearest
        establishment of its kind it is.
    """
    served: dict[int, list[int]] = {}
    if members.empty:
        return served
    centres = _centres(schools, school_labels, k)
    xy = np.column_stack([members.geometry.x.to_numpy(), members.geometry.y.to_numpy()])
    for kind in SERVES_GROUPS:
        rows = np.flatnonzero(members["kind"].to_numpy() == kind)
        if not len(rows):
            continue
        d = np.hypot(centres[:, None, 0] - xy[None, rows, 0], centres[:, None, 1] - xy[None, rows, 1])
        nearest = rows[np.argmin(d, axis=1)]  # first of equals: the member listed first
        for p, row in enumerate(nearest):
            if member_labels[row] != p:
                served.setdefault(int(row), []).append(p)
    return served


def _type_words(members: pd.DataFrame) -> np.ndarray:
    """Each member's type as its source writes it (the DfE list's "Sixth form college", "Agriculture and
    horticulture college"), else its GIAS type.
    """
    types = members["type"].astype(str)
    if "source_type" in members.columns:
        source = members["source_type"].fillna("").astype(str).str.strip()
        types = source.where(source != "", types)
    return types.to_numpy()


def place_members(
    members: pd.DataFrame,
    unit_labels: np.ndarray,
    ids: dict[int, int],
    names: dict[int, str],
    schools: pd.DataFrame,
    school_labels: np.ndarray,
) -> pd.DataFrame:
    """Each member's partnership and the partnerships it also serves, for one configuration.

    Parameters
    ----------
    members
        From :func:`in_units` (``URN``, ``name``, ``kind``, ``type``, ``pupils``, ``district``, ``unit``,
        geometry).
    unit_labels
        Partnership index of every unit.
    ids, names
        Partnership index -> its number (``partnership_id``) and name.
    schools, school_labels
        The counted schools and their partnership indices (for :func:`serving`).

    Returns
    -------
    pandas.DataFrame
        One row per member, by URN: ``URN``, ``name``, ``partnership_id``, ``partnership``, ``district``,
        ``kind``, ``type``, ``pupils`` (nullable; a college's 16-18 students), ``also_serves`` (partnership
        names joined by ``"; "``, by number), ``easting``, ``northing`` (metres, EPSG:27700).
    """
    columns = ["URN", "name", "partnership_id", "partnership", "district", "kind", "type", "pupils", "also_serves"]
    if members.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in [*columns, "easting", "northing"]})
    labels = np.asarray(unit_labels)[members["unit"].to_numpy()]
    served = serving(members, labels, schools, school_labels, len(names))
    also = ["; ".join(names[p] for p in sorted(served.get(i, []), key=lambda p: ids[p])) for i in range(len(members))]
    out = pd.DataFrame(
        {
            "URN": members["URN"].to_numpy(dtype="int64"),
            "name": members["name"].to_numpy(),
            "partnership_id": [ids[int(lab)] for lab in labels],
            "partnership": [names[int(lab)] for lab in labels],
            "district": members["district"].to_numpy(),
            "kind": members["kind"].to_numpy(),
            "type": _type_words(members),
            "pupils": pd.array(members["pupils"], dtype="Int64"),
            "also_serves": also,
            "easting": members.geometry.x.round(1).to_numpy(),
            "northing": members.geometry.y.round(1).to_numpy(),
        }
    )
    return out.sort_values("URN", kind="stable").reset_index(drop=True)


def counts_by_partnership(placed: pd.DataFrame, ids: list[int]) -> pd.DataFrame:
    """Members of each kind per partnership.

    Parameters
    ----------
    placed
        :func:`place_members`' result.
    ids
        Partnership numbers, in the order wanted.

    Returns
    -------
    pandas.DataFrame
        Indexed by partnership number: one column per kind of :data:`~partition.io.schools.MEMBER_KINDS`
        (``college``, ``special``, ``pru``), counts.
    """
    if placed.empty:
        return pd.DataFrame(0, index=pd.Index(ids, name="id"), columns=list(MEMBER_KINDS))
    table = pd.crosstab(placed["partnership_id"], placed["kind"])
    return table.reindex(index=ids, columns=list(MEMBER_KINDS), fill_value=0).rename_axis("id")
