"""Polygon coverages: layers whose polygons tile an area without overlaps or gaps.

Boundary layers, planning units and partnerships must tile the study area
exactly: neighbours share the same edges vertex for vertex, so that the union
of two adjacent units is one polygon and a partnership's outline has no
cracks. :func:`rebuild_coverage` makes any polygon layer such a coverage:

1. every coordinate is put on one precision grid (:data:`GRID_M`, 1 cm);
2. if the layer is then a valid coverage (:func:`shapely.coverage_is_valid`,
   gaps narrower than ``gap_width`` counting as faults) nothing else is done;
3. otherwise all boundaries are noded together and polygonised into faces;
   each face goes to the polygon that covers it; a face covered by several
   polygons (an overlap) goes to the first of them in the layer's order; a
   face covered by none but narrower than ``gap_width`` (a sliver gap) goes
   to the neighbour it shares most boundary with; larger holes (enclaves of
   districts not in the layer) stay holes. Each polygon is rebuilt as the
   coverage union of its faces.

Every overlap and gap repaired is returned as a :class:`Repair` so that
callers can report it with the names of the places concerned.

:func:`dissolve_units` dissolves a coverage by label, and
:func:`to_wgs84_valid` reprojects a layer to WGS84 keeping it valid.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

GRID_M = 0.01
GAP_WIDTH_M = 100.0
MAX_GAP_M2 = 5e4
WGS84_GRID_DEG = 1e-9


@dataclass(frozen=True)
class Repair:
    """One repair of a coverage.

    Attributes
    ----------
    kind
        ``"overlap"`` (area claimed by ``kept`` and ``other``, left with ``kept``)
        or ``"gap"`` (a sliver gap given to ``kept``; ``other`` is ``None``).
    kept
        Position of the polygon given the area.
    other
        Position of the polygon the overlap was taken from.
    area_m2
        Area repaired, m².
    where
        A point of the repaired area.
    """

    kind: str
    kept: int
    other: int | None
    area_m2: float
    where: shapely.Point


def on_grid(geoms: np.ndarray, grid: float = GRID_M) -> np.ndarray:
    """Put every coordinate on one grid of ``grid`` metres (identical inputs snap identically).

    Parameters
    ----------
    geoms
        Geometries in a projected CRS in metres (BNG, EPSG:27700), any shape.
    grid
        Grid spacing (m); default :data:`GRID_M` (1 cm).

    Returns
    -------
    numpy.ndarray
        Object array of the same shape: the geometries snapped to the grid by
        :func:`shapely.set_precision` (collapsed parts removed, kept valid).
    """
    return shapely.set_precision(np.asarray(geoms, dtype=object), grid)


def is_coverage(geoms: np.ndarray, gap_width: float = 0.0) -> bool:
    """True when ``geoms`` neither overlap nor leave gaps narrower than ``gap_width`` (m).

    Parameters
    ----------
    geoms
        Polygons in a projected CRS (m), shape (n,); empty ones are ignored.
    gap_width
        Gaps between polygons narrower than this (m) count as faults; 0 checks
        overlaps and edge matching only.

    Returns
    -------
    bool
        The result of :func:`shapely.coverage_is_valid`.
    """
    geoms = np.asarray(geoms, dtype=object)
    return bool(shapely.coverage_is_valid(geoms[~shapely.is_empty(geoms)], gap_width=gap_width))


def faces(geoms: np.ndarray, grid: float = GRID_M) -> np.ndarray:
    """The faces of the arrangement of all boundaries of ``geoms``, noded on one grid.

    Parameters
    ----------
    geoms
        Polygons in a projected CRS (m), shape (n,).
    grid
        Grid (m) the boundaries are noded on; default :data:`GRID_M` (1 cm).

    Returns
    -------
    numpy.ndarray
        Object array of the faces (Polygons) into which all the boundaries cut
        the plane, holes included; faces share exact edges.
    """
    lines = shapely.union_all(shapely.boundary(np.asarray(geoms, dtype=object)), grid_size=grid)
    return shapely.get_parts(shapely.polygonize(shapely.get_parts(lines)))


def membership(face_geoms: np.ndarray, geoms: np.ndarray, *, min_share: float = 0.5) -> list[list[int]]:
    """For every face, the positions of the polygons covering at least ``min_share`` of it (ascending).

    A point inside each face decides; faces thinner than a metre around that point are
    decided by the share of their area instead.

    Parameters
    ----------
    face_geoms
        Faces (from :func:`faces`), shape (f,), projected CRS (m).
    geoms
        Polygons, shape (n,), same CRS.
    min_share
        Least share (0-1) of a thin face's area a polygon must cover.

    Returns
    -------
    list of list of int
        Length f: for each face, the positions in ``geoms`` of the polygons
        covering it, ascending (empty when none does).
    """
    tree = shapely.STRtree(geoms)
    points = shapely.point_on_surface(face_geoms)
    thin = shapely.distance(points, shapely.boundary(face_geoms)) < 1.0
    out: list[list[int]] = [[] for _ in range(len(face_geoms))]
    f, g = tree.query(points[~thin], predicate="within")
    ids = np.flatnonzero(~thin)
    pairs = list(zip(ids[f].tolist(), g.tolist()))
    thin_ids = np.flatnonzero(thin)
    if len(thin_ids):
        f, g = tree.query(face_geoms[thin_ids], predicate="intersects")
        f = thin_ids[f]
        share = shapely.area(shapely.intersection(face_geoms[f], geoms[g])) / np.maximum(
            shapely.area(face_geoms[f]), 1e-12
        )
        keep = share >= min_share
        pairs += list(zip(f[keep].tolist(), g[keep].tolist()))
    for fi, gi in sorted(pairs):
        out[fi].append(gi)
    return out


def shared_length(a: shapely.Geometry, b: shapely.Geometry, eps: float = GRID_M) -> float:
    """Length (m) of the boundary of ``a`` running along ``b``.

    Parameters
    ----------
    a, b
        Polygons in a projected CRS (m).
    eps
        Tolerance (m): the boundary of ``a`` within ``eps`` of ``b`` counts;
        default :data:`GRID_M` (1 cm).

    Returns
    -------
    float
        Length in metres.
    """
    return float(shapely.length(shapely.intersection(shapely.boundary(a), shapely.buffer(b, eps))))


def assign_faces(
    face_geoms: np.ndarray,
    owners: list[int | None],
    *,
    gap_width: float = GAP_WIDTH_M,
    max_gap_m2: float = MAX_GAP_M2,
    fill: np.ndarray | None = None,
) -> tuple[list[int | None], list[Repair]]:
    """Give every unowned sliver face to the owned neighbour it shares most boundary with.

    A sliver is narrower than ``gap_width`` (m) and at most ``max_gap_m2`` in area
    (larger holes, e.g. rivers left out of a clipped boundary layer, stay). With
    ``fill`` (a boolean mask of faces), exactly those unowned faces are filled, whatever
    their size. Faces reach owners through chains of filled faces; faces touching no
    owner stay ``None``.

    Parameters
    ----------
    face_geoms
        Faces sharing exact edges (from :func:`faces`), shape (f,), projected CRS (m).
    owners
        Length f: owner of each face (a polygon position), None for unowned.
    gap_width
        Widest sliver filled (m); default :data:`GAP_WIDTH_M` (100 m).
    max_gap_m2
        Largest sliver filled (m²); default :data:`MAX_GAP_M2` (5 ha).
    fill
        Boolean mask of shape (f,): fill exactly these unowned faces instead of
        the slivers.

    Returns
    -------
    owners
        The completed owners (a new list of length f).
    repairs
        A ``"gap"`` :class:`Repair` per face filled, in the order filled.
    """
    owners = list(owners)
    unowned = np.array([o is None for o in owners], dtype=bool)
    if fill is not None:
        sliver = unowned & np.asarray(fill, dtype=bool)
    else:
        small = unowned & (shapely.area(face_geoms) <= max_gap_m2)
        sliver = np.zeros(len(owners), dtype=bool)
        sliver[small] = shapely.is_empty(shapely.buffer(face_geoms[small], -gap_width / 2))
    pending = np.flatnonzero(sliver).tolist()
    if not pending:
        return owners, []
    tree = shapely.STRtree(face_geoms)
    boundaries = shapely.boundary(face_geoms)
    repairs = []
    while pending:
        idx = np.array(pending)
        f, g = tree.query(face_geoms[idx], predicate="touches")
        f = idx[f]
        owned = np.array([owners[j] is not None for j in g.tolist()], dtype=bool)
        f, g = f[owned], g[owned]
        lengths = shapely.length(shapely.intersection(boundaries[f], boundaries[g]))  # faces share exact edges
        best: dict[int, tuple[float, int]] = {}
        for fi, gi, length in zip(f.tolist(), g.tolist(), lengths.tolist()):
            if length > 0 and (fi not in best or length > best[fi][0]):
                best[fi] = (length, gi)
        if not best:
            break
        for fi, (_, gi) in best.items():
            owners[fi] = owners[gi]
            face = face_geoms[fi]
            repairs.append(Repair("gap", int(owners[gi]), None, float(face.area), shapely.point_on_surface(face)))
        pending = [i for i in pending if i not in best]
    return owners, repairs


def union_by_owner(face_geoms: np.ndarray, owners: list[int | None], n: int) -> list[shapely.Geometry]:
    """The coverage union of the faces of each owner ``0..n-1`` (empty polygon for none).

    Parameters
    ----------
    face_geoms
        Faces sharing exact edges, shape (f,), projected CRS (m).
    owners
        Length f: owner of each face (0..n-1) or None (left out).
    n
        Number of owners.

    Returns
    -------
    list of shapely.Geometry
        Length n: the (Multi)Polygon of each owner's faces, dissolved by
        :func:`coverage_union`; an empty Polygon for an owner without faces.
    """
    groups: dict[int, list[int]] = defaultdict(list)
    for i, o in enumerate(owners):
        if o is not None:
            groups[o].append(i)
    return [coverage_union(face_geoms[groups[k]]) if groups.get(k) else shapely.Polygon() for k in range(n)]


def coverage_union(geoms: np.ndarray) -> shapely.Geometry:
    """Dissolve polygons that form a valid coverage (exact: shared edges vanish, no cracks remain).

    Parameters
    ----------
    geoms
        Polygons forming a coverage, shape (n,), projected CRS (m); empty ones
        are ignored.

    Returns
    -------
    shapely.Geometry
        Their union by :func:`shapely.coverage_union_all`; when that is invalid
        (the input was not a clean coverage), the overlay union on the 1 cm
        grid. An empty Polygon for no input.
    """
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~shapely.is_empty(geoms)]
    if len(geoms) == 0:
        return shapely.Polygon()
    if len(geoms) == 1:
        return geoms[0]
    out = shapely.coverage_union_all(geoms)
    if not out.is_valid:  # not a clean coverage after all: fall back to the robust overlay union
        out = shapely.union_all(geoms, grid_size=GRID_M)
    return out


def rebuild_coverage(
    geoms: np.ndarray, *, gap_width: float = GAP_WIDTH_M, grid: float = GRID_M
) -> tuple[np.ndarray, list[Repair]]:
    """Make polygons a valid coverage on one grid, removing overlaps and closing sliver gaps.

    Parameters
    ----------
    geoms
        Polygons in a projected CRS (metres), in priority order: an overlap is
        left with the first polygon claiming it.
    gap_width
        Holes between polygons narrower than this (m) are closed; wider ones
        (e.g. enclaves of districts not in the layer) stay.
    grid
        Precision grid (m).

    Returns
    -------
    geoms
        The repaired polygons (same order and length; a polygon wholly inside
        earlier ones becomes empty).
    repairs
        Every overlap removed and gap closed.
    """
    geoms = on_grid(geoms, grid)
    geoms, filled = fill_small_holes(geoms, gap_width=gap_width)
    if len(geoms) == 0 or is_coverage(geoms, min(gap_width, 1.0)):
        return geoms, filled
    face_geoms = faces(geoms, grid)
    members = membership(face_geoms, geoms)
    owners: list[int | None] = [m[0] if m else None for m in members]
    repairs = [
        Repair("overlap", m[0], other, float(face_geoms[i].area), shapely.point_on_surface(face_geoms[i]))
        for i, m in enumerate(members)
        for other in m[1:]
    ]
    owners, gaps = assign_faces(face_geoms, owners, gap_width=gap_width)
    out = np.array(union_by_owner(face_geoms, owners, len(geoms)), dtype=object)
    return out, filled + repairs + gaps


def fill_small_holes(
    geoms: np.ndarray, *, gap_width: float = GAP_WIDTH_M, max_gap_m2: float = MAX_GAP_M2
) -> tuple[np.ndarray, list[Repair]]:
    """Remove the sliver holes inside single polygons (narrower than ``gap_width``, at most ``max_gap_m2``).

    A hole that another polygon of the layer fills (an enclave) is kept.

    Parameters
    ----------
    geoms
        Polygons (or None), shape (n,), projected CRS (m).
    gap_width
        Widest hole removed (m); default :data:`GAP_WIDTH_M` (100 m).
    max_gap_m2
        Largest hole removed (m²); default :data:`MAX_GAP_M2` (5 ha).

    Returns
    -------
    geoms
        A new object array of shape (n,) with the sliver holes filled.
    repairs
        A ``"gap"`` :class:`Repair` per hole filled.
    """
    geoms = np.array(geoms, dtype=object)
    tree = shapely.STRtree(geoms)
    repairs = []
    for i, geom in enumerate(geoms):
        if geom is None or geom.is_empty or shapely.get_num_interior_rings(shapely.get_parts(geom)).sum() == 0:
            continue
        parts = []
        changed = False
        for part in shapely.get_parts(geom):
            keep = []
            for ring in part.interiors:
                hole = shapely.Polygon(ring)
                sliver = hole.area <= max_gap_m2 and shapely.buffer(hole, -gap_width / 2).is_empty
                if sliver:
                    others = [j for j in tree.query(hole, predicate="intersects") if j != i]
                    sliver = all(shapely.intersection(hole, geoms[j]).area < 1e-6 * hole.area + 1e-9 for j in others)
                if sliver:
                    repairs.append(Repair("gap", i, None, float(hole.area), shapely.point_on_surface(hole)))
                    changed = True
                else:
                    keep.append(ring)
            parts.append(shapely.Polygon(part.exterior, keep))
        if changed:
            geoms[i] = parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
    return geoms, repairs


def summarise_repairs(repairs: list[Repair]) -> list[tuple[str, int, int | None, float, shapely.Point]]:
    """Repairs added up per kind and pair of polygons: ``(kind, kept, other, area_m2, where)``, largest first.

    Parameters
    ----------
    repairs
        Repairs from :func:`rebuild_coverage` or :func:`fill_small_holes`.

    Returns
    -------
    list of tuple
        One ``(kind, kept, other, area_m2, where)`` per kind and pair: total
        area (m²) and the point of the largest single repair; sorted by area
        descending, then kind, kept and other.
    """
    total: dict[tuple[str, int, int | None], list] = {}
    for r in repairs:
        key = (r.kind, r.kept, r.other)
        if key not in total:
            total[key] = [0.0, r.where, 0.0]
        total[key][0] += r.area_m2
        if r.area_m2 > total[key][2]:
            total[key][1], total[key][2] = r.where, r.area_m2
    rows = [(k[0], k[1], k[2], v[0], v[1]) for k, v in total.items()]
    return sorted(rows, key=lambda r: (-r[3], r[0], r[1], -1 if r[2] is None else r[2]))


def format_area(area_m2: float) -> str:
    """``4.6 ha``, ``1.20 km²`` or ``35 m²``.

    Parameters
    ----------
    area_m2
        Area in square metres.

    Returns
    -------
    str
        km² (2 decimals) from 1 km², hectares (1 decimal) from 1 ha, else whole
        m² (2 significant digits below 1 m²).
    """
    if area_m2 >= 1e6:
        return f"{area_m2 / 1e6:.2f} km²"
    if area_m2 >= 1e4:
        return f"{area_m2 / 1e4:.1f} ha"
    return f"{area_m2:.0f} m²" if area_m2 >= 1 else f"{area_m2:.2g} m²"


def dissolve_units(units_geoms: np.ndarray, labels: np.ndarray) -> list[shapely.Geometry]:
    """Dissolve a coverage of units into one geometry per label.

    Parameters
    ----------
    units_geoms
        Unit polygons forming a valid coverage (as built by :mod:`partition.units.build`).
    labels
        Label of every unit (integers ``0..k-1`` or any sortable values).

    Returns
    -------
    list
        One (Multi)Polygon per distinct label, in sorted label order. Adjacent
        units dissolve into one Polygon: shared edges vanish exactly.
    """
    geoms = np.asarray(units_geoms, dtype=object)
    labels = np.asarray(labels)
    return [coverage_union(geoms[labels == lab]) for lab in np.unique(labels)]


def polygonal_part(geom: shapely.Geometry) -> shapely.Geometry:
    """A valid geometry of only the polygonal parts of ``geom`` (repairing it first when invalid).

    Parameters
    ----------
    geom
        Any geometry (any CRS), or None.

    Returns
    -------
    shapely.Geometry or None
        ``geom`` itself when None, empty, or a valid (Multi)Polygon; otherwise
        the union of the polygonal parts of :func:`shapely.make_valid` of it
        (an empty Polygon when it has none).
    """
    if geom is None or geom.is_empty:
        return geom
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


DENSIFY_M = 100.0
"""Longest edge (m) of a polygon reprojected again because plain reprojection made it invalid."""


def to_wgs84_valid(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject a layer to WGS84 (EPSG:4326) so that every polygon is valid in WGS84, as written.

    Reprojection moves vertices independently: a polygon valid in British
    National Grid can self-touch or self-intersect in longitude/latitude, and
    near-duplicate vertices can collapse a ring once written as text. A polygon
    made invalid by reprojection is reprojected again with its edges densified to
    :data:`DENSIFY_M` metres (so edges follow their true curves); what is still invalid
    is repaired with ``make_valid`` keeping their polygonal parts;
    then every polygon is put on a grid of :data:`WGS84_GRID_DEG` degrees
    (about 0.1 mm), which drops collapsed parts. Points and lines are
    reprojected unchanged.

    Parameters
    ----------
    gdf
        A layer with a CRS (typically BNG, EPSG:27700, metres).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in WGS84 (EPSG:4326, degrees), same index and columns.
    """
    out = gdf.to_crs(4326)
    geoms = out.geometry.to_numpy().copy()
    polygonal = np.isin(shapely.get_type_id(geoms), [3, 6])
    if polygonal.any():
        # straight edges in metres are curves in degrees: where plain reprojection breaks a polygon,
        # reproject it again with its edges densified so the curves are followed
        source = gdf.geometry.to_numpy()
        broken = polygonal & ~shapely.is_valid(geoms)
        if broken.any() and gdf.crs is not None and gdf.crs.is_projected:
            dense = shapely.segmentize(source[broken], DENSIFY_M)
            geoms[broken] = gpd.GeoSeries(dense, crs=gdf.crs).to_crs(4326).to_numpy()
        bad = polygonal & ~shapely.is_valid(geoms)
        geoms[bad] = [polygonal_part(g) for g in geoms[bad]]
        geoms[polygonal] = shapely.set_precision(geoms[polygonal], WGS84_GRID_DEG)
        bad = polygonal & ~shapely.is_valid(geoms)
        geoms[bad] = [polygonal_part(g) for g in geoms[bad]]
        out = out.copy()
        out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=out.crs)
    return out
