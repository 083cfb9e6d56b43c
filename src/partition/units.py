"""Planning units: the pieces of map that partnerships are built from.

Default units are **sites**: schools at identical coordinates (e.g. infant and
junior schools sharing a campus) form one site, and a site's unit is its
Voronoi cell clipped to the study area **and** to its district. Pieces of a
clipped cell that do not contain the site (across a district edge, or cut off
by the coastline) join the unit of the same district they share most boundary
with, so every unit is one polygon containing its site and lies in one
district.

Schools placed in a district by the GIAS tie-breaker (see
:mod:`partition.districts`) sit a few metres outside their district's
generalised polygon; the district is widened by a 10 m corridor from the school
to the polygon (taken from its neighbour) so the unit still contains its site.
These adjustments are listed in ``units.attrs["adjustments"]``.

Alternative units are given polygons (wards, LSOAs, MSOAs): see
:func:`polygon_units`.
"""

from __future__ import annotations

import warnings
from collections import defaultdict

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import ops

from partition.dataset import Dataset
from partition.errors import UnitsError
from partition.io.boundaries import BNG, polygonal
from partition.warnings import DataWarning

CORRIDOR_M = 10.0
SHARED_EPS_M = 0.05


def build_sites(schools: gpd.GeoDataFrame) -> pd.DataFrame:
    """Group schools at identical coordinates into sites.

    Returns a frame indexed ``0..n-1`` (ordered by smallest URN) with ``x``,
    ``y``, ``urns`` (tuple), ``district_code``, ``district``, ``n_schools``,
    ``pupils``, ``anchors``; and sets ``site`` on nothing (pure function).
    """
    xy = pd.DataFrame(
        {
            "x": schools.geometry.x.to_numpy(),
            "y": schools.geometry.y.to_numpy(),
            "URN": schools["URN"].to_numpy(),
            "district_code": schools["district_code"].to_numpy(),
            "district": schools["district"].to_numpy(),
            "pupils": schools["pupils"].to_numpy(),
            "anchor": schools["anchor"].to_numpy(),
        }
    )
    grouped = xy.sort_values("URN").groupby(["x", "y"], sort=False)
    sites = grouped.agg(
        urns=("URN", lambda s: tuple(sorted(int(u) for u in s))),
        district_code=("district_code", lambda s: s.mode().iloc[0]),
        district=("district", lambda s: s.mode().iloc[0]),
        n_schools=("URN", "size"),
        pupils=("pupils", "sum"),
        anchors=("anchor", "sum"),
    ).reset_index()
    sites["first_urn"] = [u[0] for u in sites["urns"]]
    return sites.sort_values("first_urn").drop(columns="first_urn").reset_index(drop=True)


def _adjust_districts(
    districts: gpd.GeoDataFrame, sites: pd.DataFrame
) -> tuple[dict[str, shapely.Geometry], list[str]]:
    """District geometries widened so that every site lies inside its own district."""
    geoms = {c: polygonal(g) for c, g in zip(districts["code"], districts.geometry)}
    notes = []
    for row in sites.itertuples():
        point = shapely.Point(row.x, row.y)
        own = geoms[row.district_code]
        if own.contains(point):
            continue
        near = ops.nearest_points(own, point)[0]
        d = point.distance(near)
        # extend the segment a little into the district so the corridor overlaps it
        if d > 0:
            vx, vy = (near.x - point.x) / d, (near.y - point.y) / d
        else:
            vx = vy = 0.0
        far = shapely.Point(near.x + vx * CORRIDOR_M, near.y + vy * CORRIDOR_M)
        corridor = shapely.LineString([point, far]).buffer(CORRIDOR_M)
        for code in geoms:
            if code != row.district_code:
                geoms[code] = polygonal(geoms[code].difference(corridor))
        geoms[row.district_code] = polygonal(own.union(corridor))
        notes.append(
            f"site of URN {', '.join(map(str, row.urns))} lies {d:.0f} m outside {row.district}'s polygon; "
            f"{row.district} widened by a {CORRIDOR_M:g} m corridor to include it"
        )
    return geoms, notes


def _shared_length(a: shapely.Geometry, b: shapely.Geometry) -> float:
    return float(shapely.intersection(a.boundary, b.buffer(SHARED_EPS_M)).length)


def _single_polygon(geom: shapely.Geometry, point: shapely.Point) -> tuple[shapely.Polygon, list[shapely.Polygon]]:
    """Split ``geom`` into the part containing (or nearest) ``point`` and the rest."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if not parts:
        return shapely.Polygon(), []
    dists = [p.distance(point) for p in parts]
    k = int(np.argmin(dists))
    return parts[k], parts[:k] + parts[k + 1 :]


def voronoi_units(dataset: Dataset) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Build one unit per site: its Voronoi cell clipped to the study area and its district.

    Returns
    -------
    units
        ``unit`` (0..n-1), ``district_code``, ``district``, ``n_schools``, ``pupils``,
        ``anchors``, ``urns`` (comma-separated), ``x``, ``y`` (site), geometry (Polygon).
        ``attrs["adjustments"]`` lists district corrections; ``attrs["dropped_area_km2"]``
        the area of unreachable, school-less fragments left out.
    schools
        The dataset's schools with a ``unit`` column.
    """
    schools = dataset.schools
    sites = build_sites(schools)
    if len(sites) < 2:
        raise UnitsError(
            f"only {len(sites)} school site(s) in the study area; at least 2 are needed",
            fix="widen the LA or kind filters",
        )
    geoms, adjustments = _adjust_districts(dataset.districts, sites)
    outline = shapely.union_all(list(geoms.values()))
    points = shapely.points(sites[["x", "y"]].to_numpy())
    minx, miny, maxx, maxy = outline.bounds
    frame = shapely.box(minx - 10_000, miny - 10_000, maxx + 10_000, maxy + 10_000)
    cells_gc = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame, ordered=True)
    cells = list(shapely.get_parts(cells_gc))
    if len(cells) != len(sites):
        raise UnitsError(f"Voronoi construction returned {len(cells)} cells for {len(sites)} sites")
    tree = shapely.STRtree(cells)
    core: list[shapely.Geometry] = [shapely.Polygon()] * len(sites)
    orphans: dict[str, list[shapely.Polygon]] = defaultdict(list)
    site_idx_by_district: dict[str, list[int]] = defaultdict(list)
    for i, code in enumerate(sites["district_code"]):
        site_idx_by_district[code].append(i)
    for code, region in geoms.items():
        for j in tree.query(region, predicate="intersects"):
            piece = polygonal(cells[j].intersection(region))
            if piece.is_empty:
                continue
            if sites.at[int(j), "district_code"] == code:
                keep, rest = _single_polygon(piece, points[j])
                core[int(j)] = keep
                orphans[code].extend(rest)
            else:
                orphans[code].extend(p for p in shapely.get_parts(piece) if p.geom_type == "Polygon")
    members: list[list[shapely.Geometry]] = [[g] for g in core]
    dropped_area = 0.0
    for code, pieces in orphans.items():
        idx = site_idx_by_district.get(code, [])
        pending = [p for p in pieces if p.area > 0]
        if not idx:
            dropped_area += sum(p.area for p in pending)
            continue
        current = {i: core[i] for i in idx}
        while pending:
            local = STRtreeMap(current)
            still = []
            for piece in pending:
                best, best_len = None, 0.0
                for i in local.query(piece):
                    length = _shared_length(piece, current[i])
                    if length > best_len:
                        best, best_len = i, length
                if best is None:
                    still.append(piece)
                else:
                    members[best].append(piece)
                    current[best] = current[best].union(piece)
            if len(still) == len(pending):
                dropped_area += sum(p.area for p in still)
                break
            pending = still
    unit_geoms = []
    for i, parts in enumerate(members):
        merged = polygonal(shapely.union_all(parts))
        keep, rest = _single_polygon(merged, points[i])
        if rest:
            # floating-point slivers only; anything sizeable would be a bug
            extra = sum(p.area for p in rest)
            if extra > 1.0:
                keep = polygonal(merged.buffer(0.01).buffer(-0.01))
                keep, rest = _single_polygon(keep, points[i])
            dropped_area += sum(p.area for p in rest)
        unit_geoms.append(keep)
    if dropped_area > 1e4:
        warnings.warn(
            DataWarning(
                f"{dropped_area / 1e6:.3f} km² of school-less fragments (islands, slivers) could not be "
                "joined to a unit of their district and are left out of the units"
            ),
            stacklevel=2,
        )
    units = gpd.GeoDataFrame(
        {
            "unit": np.arange(len(sites)),
            "district_code": sites["district_code"].to_numpy(),
            "district": sites["district"].to_numpy(),
            "n_schools": sites["n_schools"].to_numpy(),
            "pupils": sites["pupils"].to_numpy().astype("int64"),
            "anchors": sites["anchors"].to_numpy().astype("int64"),
            "urns": [",".join(map(str, u)) for u in sites["urns"]],
            "x": sites["x"].to_numpy(),
            "y": sites["y"].to_numpy(),
        },
        geometry=unit_geoms,
        crs=BNG,
    )
    units.attrs["adjustments"] = adjustments
    units.attrs["dropped_area_km2"] = dropped_area / 1e6
    units.attrs["kind"] = "sites"
    unit_of = {u: i for i, urns in enumerate(sites["urns"]) for u in urns}
    out = schools.copy()
    out["unit"] = out["URN"].map(unit_of).astype("int64")
    return units, out


class STRtreeMap:
    """A spatial index over a dict of geometries, answering with the dict's keys."""

    def __init__(self, geoms: dict[int, shapely.Geometry]) -> None:
        self.keys = list(geoms)
        self.tree = shapely.STRtree([geoms[k] for k in self.keys])

    def query(self, geom: shapely.Geometry) -> list[int]:
        return [self.keys[j] for j in self.tree.query(geom.buffer(SHARED_EPS_M), predicate="intersects")]


def polygon_units(
    dataset: Dataset,
    polygons: gpd.GeoDataFrame,
    *,
    population: pd.Series | None = None,
    min_overlap: float = 0.5,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Use given polygons (wards, LSOAs, MSOAs) as units.

    Polygons with at least ``min_overlap`` of their area inside the study area are
    kept and clipped to it; each gets the district it overlaps most. Schools are
    aggregated into the polygon containing them (or the nearest, for schools on
    a generalised edge). ``population`` (a Series indexed by polygon code, e.g.
    children aged 0-19) is attached as ``population`` where codes match.
    """
    outline = dataset.outline
    polys = polygons.to_crs(BNG).copy()
    polys["geometry"] = [polygonal(g) for g in polys.geometry]
    share = polys.geometry.intersection(outline).area / polys.geometry.area
    polys = polys[share >= min_overlap].copy()
    if polys.empty:
        raise UnitsError(
            f"none of the {len(polygons)} polygons of {polygons.attrs.get('source', 'the unit layer')} lies in the study area",
            fix="give polygons covering the selected districts",
        )
    polys["geometry"] = [polygonal(g.intersection(outline)) for g in polys.geometry]
    dist_geoms = dataset.districts.geometry.to_numpy()
    overlap = np.column_stack([shapely.area(shapely.intersection(polys.geometry.to_numpy(), d)) for d in dist_geoms])
    best = overlap.argmax(axis=1)
    polys["district_code"] = dataset.districts["code"].to_numpy()[best]
    polys["district"] = dataset.districts["name"].to_numpy()[best]
    polys = polys.reset_index(drop=True)
    schools = dataset.schools.copy()
    nearest = gpd.sjoin_nearest(schools[["URN", "geometry"]], polys[["geometry"]], how="left")
    nearest = nearest[~nearest.index.duplicated(keep="first")]
    schools["unit"] = nearest["index_right"].to_numpy().astype("int64")
    agg = schools.groupby("unit").agg(
        n_schools=("URN", "size"),
        pupils=("pupils", "sum"),
        anchors=("anchor", "sum"),
        urns=("URN", lambda s: ",".join(map(str, sorted(s)))),
    )
    centroids = polys.geometry.representative_point()
    units = gpd.GeoDataFrame(
        {
            "unit": np.arange(len(polys)),
            "code": polys["code"].to_numpy(),
            "name": polys["name"].to_numpy(),
            "district_code": polys["district_code"].to_numpy(),
            "district": polys["district"].to_numpy(),
            "n_schools": agg["n_schools"].reindex(range(len(polys)), fill_value=0).to_numpy().astype("int64"),
            "pupils": agg["pupils"].reindex(range(len(polys)), fill_value=0).to_numpy().astype("int64"),
            "anchors": agg["anchors"].reindex(range(len(polys)), fill_value=0).to_numpy().astype("int64"),
            "urns": agg["urns"].reindex(range(len(polys)), fill_value="").to_numpy(),
            "x": centroids.x.to_numpy(),
            "y": centroids.y.to_numpy(),
        },
        geometry=polys.geometry.to_numpy(),
        crs=BNG,
    )
    if population is not None:
        units["population"] = units["code"].map(population)
        missing = units["population"].isna()
        if missing.any():
            warnings.warn(
                DataWarning(f"no population figure for {int(missing.sum())} of {len(units)} units; set to 0"),
                stacklevel=2,
            )
            units["population"] = units["population"].fillna(0)
    units.attrs["kind"] = "polygons"
    units.attrs["adjustments"] = []
    return units, schools
