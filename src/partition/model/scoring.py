"""Scores of a configuration: plain functions, one input, one number or table.

The headline measure is **wdist**: the pupil-weighted mean straight-line
distance (km) of schools to their partnership's pupil-weighted centroid.

The **hub** measure (:func:`hub_distance_km`) is the objective of the anchored p-median: the pupil-weighted
mean straight-line distance (km) of schools to their partnership's *hub* school, the hub being the school
of the partnership (an anchor school when anchors are required) that makes this total least. Proven lower
bounds (:mod:`partition.solvers.bounds`) are on this measure, never on wdist.

Shape measures of a partnership's dissolved polygon: **Polsby–Popper**
``4πA / P²`` (1 for a disc) and **Reock** ``A / area of the smallest enclosing
circle`` (1 for a disc).
"""

from __future__ import annotations

import math

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from partition.model.spec import PlanSpec


def wdist(xy_m: np.ndarray, pupils: np.ndarray, labels: np.ndarray) -> float:
    """Pupil-weighted mean distance (km) of points to their group's pupil-weighted centroid.

    Parameters
    ----------
    xy_m
        Point coordinates in metres (n × 2).
    pupils
        Weights (n).
    labels
        Group of each point (n).

    Returns
    -------
    float
        wdist in km (0 when there are no pupils).

    Notes
    -----
    A loop over partnerships, kept for the scores it has always reported; :func:`wdist_km` is the vectorised
    kernel (the same figure to rounding, tested in ``tests/test_kernels.py``).
    """
    xy = np.asarray(xy_m, dtype=float) / 1000.0
    w = np.asarray(pupils, dtype=float)
    labels = np.asarray(labels)
    total = 0.0
    for g in np.unique(labels):
        m = labels == g
        sw = w[m].sum()
        if sw <= 0:
            continue
        c = (w[m] @ xy[m]) / sw
        total += float(w[m] @ np.linalg.norm(xy[m] - c, axis=1))
    return total / w.sum() if w.sum() > 0 else 0.0


CENTROID_EPS = 1e-9
"""Floor (pupils) of a partnership's pupil total when dividing by it, so that a partnership without pupils has a
centroid (at the origin; its distances carry no weight)."""


def wdist_km(point_xy_km: np.ndarray, point_w: np.ndarray, point_labels: np.ndarray, k: int | None = None) -> float:
    """Pupil-weighted mean distance (km) of points to their partnership's pupil-weighted centroid (vectorised).

    The one kernel of wdist: every partnership in one pass of :func:`numpy.bincount`. The value does not depend
    on how partnerships are numbered.

    Parameters
    ----------
    point_xy_km
        Point coordinates in km (n × 2, BNG).
    point_w
        Pupils per point (n).
    point_labels
        Partnership of each point (n), integers in ``0 .. k-1``.
    k
        Number of partnerships (default: the largest label + 1).

    Returns
    -------
    float
        wdist in km (0 when there are no pupils).
    """
    w = np.asarray(point_w, dtype=float)
    labels = np.asarray(point_labels, dtype=int)
    if len(w) == 0 or w.sum() <= 0:
        return 0.0
    k = int(labels.max()) + 1 if k is None else k
    x, y = point_xy_km[:, 0], point_xy_km[:, 1]
    sw = np.bincount(labels, weights=w, minlength=k)
    cx = np.bincount(labels, weights=w * x, minlength=k) / np.maximum(sw, CENTROID_EPS)
    cy = np.bincount(labels, weights=w * y, minlength=k) / np.maximum(sw, CENTROID_EPS)
    d = np.hypot(x - cx[labels], y - cy[labels])
    return float((w * d).sum() / w.sum())


def hub_distance_km(
    point_xy_km: np.ndarray,
    point_w: np.ndarray,
    point_labels: np.ndarray,
    hub_ok: np.ndarray | None = None,
) -> float:
    """Pupil-weighted mean distance (km) of schools to their partnership's best hub school (vectorised).

    Each partnership's hub is the school among its candidates (``hub_ok``; all of its schools when it has
    none) that minimises the pupil-weighted total distance of the partnership's schools to it. Computed
    over the (candidate, member) pairs of each partnership only: memory Σ_p candidates_p × schools_p.

    Parameters
    ----------
    point_xy_km
        School coordinates in km (n × 2, BNG).
    point_w
        Pupils per school (n).
    point_labels
        Partnership of each school (n), integers ≥ 0.
    hub_ok
        Schools that may be a hub (n, bool): the anchor schools when anchors are required; None: every school.

    Returns
    -------
    float
        The hub objective in km (0 when there are no pupils).
    """
    xy = np.asarray(point_xy_km, dtype=float).reshape(-1, 2)
    w = np.asarray(point_w, dtype=float)
    labels = np.asarray(point_labels, dtype=np.int64)
    if len(w) == 0 or w.sum() <= 0:
        return 0.0
    ok = np.ones(len(w), dtype=bool) if hub_ok is None else np.asarray(hub_ok, dtype=bool)
    ok = ok | ~np.isin(labels, labels[ok])  # a partnership without a candidate: any of its schools
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    start = np.searchsorted(sorted_labels, labels, side="left")
    count = np.searchsorted(sorted_labels, labels, side="right") - start
    hubs = np.flatnonzero(ok)
    pair_hub = np.repeat(hubs, count[hubs])  # one row per (hub, member of its partnership)
    offsets = np.arange(len(pair_hub)) - np.repeat(np.cumsum(count[hubs]) - count[hubs], count[hubs])
    member = order[np.repeat(start[hubs], count[hubs]) + offsets]
    cost = np.bincount(pair_hub, weights=w[member] * np.hypot(*(xy[member] - xy[pair_hub]).T), minlength=len(w))
    best = np.full(int(labels.max()) + 1, np.inf)
    np.minimum.at(best, labels[hubs], cost[hubs])
    return float(best[np.isfinite(best)].sum() / w.sum())


def count_district_splits(labels: np.ndarray, districts: np.ndarray, per: str = "partnership") -> int:
    """District splits, counted per partnership or per district (vectorised).

    Parameters
    ----------
    labels
        Partnership of each item (school, unit or block), integers ≥ 0.
    districts
        District code of each item, integers ≥ 0.
    per
        ``"partnership"``: Σ over partnerships of (districts it touches − 1), the quantity the
        "penalise" mode charges for; ``"district"``: Σ over districts of (partnerships it is divided
        between − 1), as planners count splits (the figure reported as ``district_splits``). Both are
        distinct (partnership, district) pairs minus a count, so for a given k and districts they
        differ by a constant.

    Returns
    -------
    int
        Distinct (partnership, district) pairs minus distinct partnerships (``per="partnership"``)
        or minus distinct districts (``per="district"``).
    """
    labels = np.asarray(labels, dtype=np.int64)
    districts = np.asarray(districts, dtype=np.int64)
    if len(labels) == 0:
        return 0
    pairs = np.unique(labels * (int(districts.max()) + 1) + districts)
    return int(len(pairs) - len(np.unique(districts if per == "district" else labels)))


def count_cut_edges(edges: np.ndarray, labels: np.ndarray) -> int:
    """Edges whose two ends are in different partnerships (vectorised).

    Parameters
    ----------
    edges
        Pairs of item indices (m × 2).
    labels
        Partnership of each item.

    Returns
    -------
    int
    """
    edges = np.asarray(edges, dtype=int).reshape(-1, 2)
    labels = np.asarray(labels)
    return int((labels[edges[:, 0]] != labels[edges[:, 1]]).sum())


def polsby_popper(geom: shapely.Geometry) -> float:
    """``4πA / P²`` of a polygon (1 for a disc, near 0 for a thin or ragged shape).

    Parameters
    ----------
    geom
        A polygon (metres, BNG).

    Returns
    -------
    float
        0 for a shape without perimeter.
    """
    perimeter = geom.length
    return 4 * math.pi * geom.area / perimeter**2 if perimeter > 0 else 0.0


def reock(geom: shapely.Geometry) -> float:
    """Area of a polygon over the area of its smallest enclosing circle.

    Parameters
    ----------
    geom
        A polygon (metres, BNG).

    Returns
    -------
    float
        Between 0 and 1 (1 for a disc); 0 for a point.
    """
    radius = shapely.minimum_bounding_radius(geom)
    return geom.area / (math.pi * radius**2) if radius > 0 else 0.0


def cut_edges(graph: nx.Graph, unit_labels: np.ndarray) -> int:
    """Adjacencies between units of different partnerships (:func:`count_cut_edges` over the graph's edges).

    Parameters
    ----------
    graph
        Unit adjacency graph (nodes are unit indices).
    unit_labels
        Partnership of each unit.

    Returns
    -------
    int
    """
    return count_cut_edges(np.array(list(graph.edges()), dtype=int), unit_labels)


def contiguous_parts(graph: nx.Graph, unit_labels: np.ndarray) -> dict[int, int]:
    """Number of connected pieces of each partnership in the unit graph.

    Parameters
    ----------
    graph
        Unit adjacency graph.
    unit_labels
        Partnership of each unit.

    Returns
    -------
    dict
        ``partnership -> pieces`` (1 when contiguous).
    """
    out = {}
    for g in np.unique(unit_labels):
        nodes = np.flatnonzero(unit_labels == g).tolist()
        out[int(g)] = nx.number_connected_components(graph.subgraph(nodes))
    return out


def district_pieces(schools: pd.DataFrame, labels: np.ndarray) -> pd.Series:
    """For each district, the number of partnerships its schools belong to.

    Parameters
    ----------
    schools
        Schools with a ``district`` column.
    labels
        Partnership of each school.

    Returns
    -------
    pandas.Series
        ``partnerships`` indexed by district name.
    """
    return (
        pd.Series(labels, index=schools.index).groupby(schools["district"].to_numpy()).nunique().rename("partnerships")
    )


def partnership_table(schools: pd.DataFrame, labels: np.ndarray, k: int | None = None) -> pd.DataFrame:
    """Per partnership: schools, pupils, deviation from the mean, anchors, districts, wdist.

    Parameters
    ----------
    schools
        Schools (points in metres BNG) with ``pupils``, ``anchor``, ``kind`` and ``district``.
    labels
        Partnership of each school.
    k
        Partnerships the mean is taken over (default: those present).

    Returns
    -------
    pandas.DataFrame
        One row per partnership: ``schools``, ``pupils``, ``deviation`` (fraction of the mean), anchor counts,
        ``districts`` / ``n_districts`` and ``wdist_km`` (km).
    """
    s = schools.assign(partnership=np.asarray(labels))
    k = k or s["partnership"].nunique()
    mean = s["pupils"].sum() / k
    rows = []
    for pid, g in s.groupby("partnership", sort=True):
        rows.append(
            {
                "partnership": pid,
                "schools": len(g),
                "pupils": int(g["pupils"].sum()),
                "deviation": float(g["pupils"].sum() / mean - 1),
                "anchors": int(g["anchor"].sum()),
                "secondary": int((g["kind"] == "secondary").sum()),
                "all_through": int((g["kind"] == "all-through").sum()),
                "colleges": int((g["kind"] == "college").sum()),
                "districts": "; ".join(sorted(g["district"].unique())),
                "n_districts": int(g["district"].nunique()),
                "wdist_km": wdist(
                    np.column_stack([g.geometry.x, g.geometry.y]), g["pupils"].to_numpy(), np.zeros(len(g))
                ),
            }
        )
    return pd.DataFrame(rows)


def spec_violations(
    table: pd.DataFrame,
    parts: dict[int, int],
    spec: PlanSpec,
    k: int,
    units: pd.DataFrame,
    unit_labels: np.ndarray,
    split_sites: int = 0,
) -> list[str]:
    """Which constraints of ``spec`` a configuration violates, and by how much.

    Parameters
    ----------
    table
        From :func:`partnership_table`.
    parts
        From :func:`contiguous_parts`.
    spec
        The specification.
    k
        Partnerships required.
    units, unit_labels
        Units (for ``population``) and the partnership of each.
    split_sites
        School sites shared by schools of different partnerships.

    Returns
    -------
    list of str
        One message per rule broken (empty when none is).
    """
    out = []
    broken = [p for p, c in parts.items() if c > 1]
    if broken:
        out.append(
            f"contiguity: {len(broken)} partnership(s) in several pieces ({sum(parts[p] for p in broken)} pieces)"
        )
    if split_sites:
        out.append(f"sites: {split_sites} school site(s) shared by schools of different partnerships")
    if len(table) != k:
        out.append(f"count: {len(table)} partnerships instead of {k}")
    for bound in spec.size:
        column = {"pupils": "pupils", "n_schools": "schools"}.get(bound.attribute)
        if column is None:
            if bound.attribute not in units:
                continue
            values = pd.Series(units[bound.attribute].to_numpy()).groupby(unit_labels).sum()
        else:
            values = table.set_index("partnership")[column]
        low, high = bound.limits(float(values.sum()), k)
        bad = values[(values < low - 1e-9) | (values > high + 1e-9)]
        if len(bad):
            worst = max(float((low - values).max()), float((values - high).max()))
            out.append(
                f"size: {bound.attribute} outside [{low:,.0f}, {high:,.0f}] in {len(bad)} partnership(s), worst by {worst:,.0f}"
            )
    missing = int((table["anchors"] == 0).sum())
    if spec.anchors and missing:
        out.append(f"anchors: {missing} partnership(s) without a secondary, all-through school or college")
    crossing = int((table["n_districts"] > 1).sum()) if "n_districts" in table else 0
    if spec.districts == "nest" and crossing:
        out.append(f"districts: {crossing} partnership(s) cross a district boundary, though each must lie in one")
    return out


def configuration_scores(
    schools: gpd.GeoDataFrame,
    unit_labels: np.ndarray,
    graph: nx.Graph,
    spec: PlanSpec,
    k: int,
    units: pd.DataFrame,
    school_labels: np.ndarray | None = None,
) -> dict[str, object]:
    """Configuration-level scores and the constraints of ``spec`` it violates.

    Parameters
    ----------
    schools
        Schools (points in metres BNG) with a ``unit`` column.
    unit_labels
        Partnership of each unit.
    graph
        Unit adjacency graph.
    spec, k
        The specification and the partnerships required.
    units
        The planning units.
    school_labels
        Partnership of each school; defaults to its unit's label. Give it when schools of one unit may sit in
        different partnerships (a hand-edited plan).

    Returns
    -------
    dict
        ``wdist_km`` (km), ``hub_km`` (km, :func:`hub_distance_km`; hubs among anchor schools when the spec
        requires anchors), deviations (fractions of the mean), school counts, contiguity, anchors missing,
        cut edges, district splits, violations and the partnership ``table``.
    """
    if school_labels is None:
        school_labels = unit_labels[schools["unit"].to_numpy()]
    split_sites = int(pd.Series(school_labels).groupby(schools["unit"].to_numpy()).nunique().gt(1).sum())
    table = partnership_table(schools, school_labels, k)
    parts = contiguous_parts(graph, unit_labels)
    violations = spec_violations(table, parts, spec, k, units, unit_labels, split_sites)
    xy = np.column_stack([schools.geometry.x, schools.geometry.y])
    hub_ok = schools["anchor"].to_numpy(dtype=bool) if spec.anchors else None
    return {
        "k": int(len(table)),
        "schools": int(len(schools)),
        "wdist_km": wdist(xy, schools["pupils"].to_numpy(), school_labels),
        "hub_km": hub_distance_km(xy / 1000.0, schools["pupils"].to_numpy(), school_labels, hub_ok),
        "max_abs_deviation": float(table["deviation"].abs().max()),
        "mean_abs_deviation": float(table["deviation"].abs().mean()),
        "min_schools": int(table["schools"].min()),
        "max_schools": int(table["schools"].max()),
        "contiguous": all(c == 1 for c in parts.values()),
        "anchors_missing": int((table["anchors"] == 0).sum()),
        "cut_edges": cut_edges(graph, unit_labels),
        "district_splits": count_district_splits(
            school_labels, pd.factorize(schools["district"], use_na_sentinel=False)[0], per="district"
        ),
        "partnerships_spanning_districts": int((table["n_districts"] > 1).sum()),
        "district_pieces": {str(d): int(n) for d, n in district_pieces(schools, school_labels).items()},
        "violations": violations,
        "table": table,
    }


def add_shape_scores(partnerships: gpd.GeoDataFrame, scores: dict[str, object]) -> None:
    """Add area, Polsby–Popper and Reock per partnership (in place) and their means to ``scores``.

    Parameters
    ----------
    partnerships
        One polygon per partnership (metres, BNG); gains ``area_km2``, ``polsby_popper`` and ``reock``.
    scores
        From :func:`configuration_scores`; gains ``mean_polsby_popper`` and ``mean_reock``.
    """
    partnerships["area_km2"] = partnerships.geometry.area / 1e6
    partnerships["polsby_popper"] = [polsby_popper(g) for g in partnerships.geometry]
    partnerships["reock"] = [reock(g) for g in partnerships.geometry]
    scores["mean_polsby_popper"] = float(partnerships["polsby_popper"].mean())
    scores["mean_reock"] = float(partnerships["reock"].mean())
