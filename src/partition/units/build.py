"""Planning units: the pieces of map that partnerships are built from.

Default units are **sites**: schools at identical coordinates (e.g. infant and
junior schools sharing a campus) form one site, and a site's unit is its
Voronoi cell clipped to the study area **and** to its district. Pieces of a
clipped cell that do not contain the site (across a district edge, or cut off
by the coastline) join the unit of the same district they share most boundary
with, so every unit is one polygon containing its site and lies in one
district.

Schools placed in a district by the GIAS tie-breaker (see
:mod:`partition.data.districts`) sit a few metres outside their district's
generalised polygon; the district is widened by a 10 m corridor from the school
to the polygon (taken from its neighbour) so the unit still contains its site.
These adjustments are listed in ``units.attrs["adjustments"]``.

Alternative units are given polygons (wards, LSOAs, MSOAs): see
:func:`polygon_units`.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import ops

from partition.core import coverage
from partition.core.limits import check_units
from partition.data.dataset import Dataset
from partition.errors import UnitsError
from partition.io.boundaries import BNG, polygonal, repair_coverage
from partition.warnings import DataWarning

CORRIDOR_M = 10.0
MIN_OVERLAP = 0.1
SHARED_EPS_M = 0.05


def build_sites(schools: gpd.GeoDataFrame) -> pd.DataFrame:
    """Group schools at identical coordinates into sites.

    Pure function: ``schools`` is not modified.

    Parameters
    ----------
    schools
        Schools with their districts (:attr:`partition.data.dataset.Dataset.schools`):
        Point geometry in British National Grid (EPSG:27700, metres), ``URN``,
        ``district_code``, ``district``, ``pupils`` and ``anchor`` (1 for a
        school that can anchor a partnership, else 0).

    Returns
    -------
    pandas.DataFrame
        One row per site, indexed ``0..n-1`` in order of each site's smallest
        URN: ``x``, ``y`` (BNG, m), ``urns`` (tuple of the site's URNs,
        ascending), ``district_code`` and ``district`` (the most common among
        its schools), ``n_schools``, ``pupils`` (sum), ``anchors`` (sum).
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


def study_districts(dataset: Dataset) -> gpd.GeoDataFrame:
    """The dataset's districts as a clean coverage (repairs reported; no-op when already clean).

    Parameters
    ----------
    dataset
        Loaded data (:func:`partition.data.dataset.load_dataset`); its districts are
        read from the boundary file (ONS LAD polygons, EPSG:27700).

    Returns
    -------
    geopandas.GeoDataFrame
        ``code``, ``name``, geometry (EPSG:27700) in code order, as repaired by
        :func:`partition.io.boundaries.repair_coverage`: ``attrs["repairs"]``
        lists each overlap or sliver gap repaired (also issued as a
        :class:`~partition.warnings.DataWarning`).
    """
    districts = dataset.districts[["code", "name", "geometry"]].copy()
    districts.attrs = dict(dataset.districts.attrs)
    return repair_coverage(districts, what="districts")


def _nearest_school(sites: pd.DataFrame, names: dict[int, str], point: shapely.Point) -> str:
    """``School name (URN n), 1.2 km`` for the school site nearest ``point``."""
    d = np.hypot(sites["x"].to_numpy() - point.x, sites["y"].to_numpy() - point.y)
    k = int(np.argmin(d))
    urn = sites.at[k, "urns"][0]
    return f"{names.get(urn, 'school')} (URN {urn}), {d[k] / 1000:.1f} km"


def _site_place(urns: tuple[int, ...], names: dict[int, str]) -> str:
    """``School name (URN n)`` for a site, ``+ k more`` when schools share it."""
    first = f"{names.get(urns[0], 'school')} (URN {urns[0]})"
    return first + (f" + {len(urns) - 1} more" if len(urns) > 1 else "")


def voronoi_units(dataset: Dataset) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Build one unit per site: its Voronoi cell clipped to the study area and its district.

    The Voronoi cell edges and the district boundaries are noded together on
    one 1 cm grid and polygonised into faces (see :mod:`partition.core.coverage`);
    each unit is the coverage union of its faces, so neighbouring units share
    exact edges and the units tile the study area without overlaps or gaps.

    Parameters
    ----------
    dataset
        Loaded data (:func:`partition.data.dataset.load_dataset`): schools from GIAS
        with their districts, and the study area's districts (ONS LAD
        polygons); both in British National Grid (EPSG:27700, metres).

    Returns
    -------
    units
        ``unit`` (0..n-1), ``district_code``, ``district``, ``n_schools``, ``pupils``,
        ``anchors``, ``urns`` (comma-separated), ``place`` (first school's name and URN),
        ``x``, ``y`` (site), geometry (Polygon).
        ``attrs["adjustments"]`` lists district corrections and coverage repairs;
        ``attrs["dropped_area_km2"]`` the area of unreachable, school-less fragments
        left out, each listed in ``attrs["dropped"]`` with its district and nearest school.
    schools
        The dataset's schools with a ``unit`` column.

    Raises
    ------
    UnitsError
        When the dataset has no school site, or the Voronoi construction does
        not return one cell per site.

    Warns
    -----
    DataWarning
        Listing the school-less fragments (1 m² or more) left out of the units,
        with their district, area and nearest school.
    """
    schools = dataset.schools
    sites = build_sites(schools)
    if len(sites) == 0:
        raise UnitsError("no school site in the study area", fix="widen the LA or kind filters")
    school_names = dict(zip(schools["URN"].astype(int), schools["name"].astype(str)))
    districts = study_districts(dataset)
    geoms, adjustments = _adjust_districts(districts, sites)
    adjustments = list(districts.attrs.get("repairs", [])) + adjustments
    codes = list(geoms)
    district_geoms = coverage.on_grid(np.array([geoms[c] for c in codes], dtype=object))
    points = shapely.points(sites[["x", "y"]].to_numpy())
    cells = _site_cells(points, shapely.union_all(district_geoms))
    face_geoms = coverage.faces(np.concatenate([district_geoms, cells]))
    groups = _face_groups(face_geoms, district_geoms, cells, points)
    code_pos = {c: k for k, c in enumerate(codes)}
    site_district = [code_pos[c] for c in sites["district_code"]]
    core, orphans = _cores_and_orphans(groups, face_geoms, site_district, points)
    members: list[list[shapely.Geometry]] = [[g] for g in core]
    dropped = _attach_orphans(orphans, core, site_district, members)
    unit_geoms = _unit_polygons(members, points, site_district, dropped)
    dropped_notes = [
        f"{coverage.format_area(area)} in {districts.at[d, 'name']} near {_nearest_school(sites, school_names, where)}"
        for area, d, where in sorted(dropped, key=lambda t: -t[0])
        if area >= 1.0
    ]
    dropped_area = sum(a for a, _, _ in dropped)
    if dropped_notes:
        warnings.warn(DataWarning(_dropped_message(dropped_notes, dropped_area)), stacklevel=2)
    units = _site_units_frame(sites, school_names, unit_geoms)
    units.attrs["adjustments"] = adjustments
    units.attrs["dropped"] = dropped_notes
    units.attrs["dropped_area_km2"] = dropped_area / 1e6
    units.attrs["kind"] = "sites"
    unit_of = {u: i for i, urns in enumerate(sites["urns"]) for u in urns}
    out = schools.copy()
    out["unit"] = out["URN"].map(unit_of).astype("int64")
    return units, out


def _site_cells(points: np.ndarray, outline: shapely.Geometry) -> np.ndarray:
    """Voronoi cell of every site (in site order), clipped to 1 m around the study area's bounds."""
    minx, miny, maxx, maxy = outline.bounds
    frame = shapely.box(minx - 10_000, miny - 10_000, maxx + 10_000, maxy + 10_000)
    if len(points) == 1:  # one site (City of London, Isles of Scilly): its cell is the whole frame
        cells = np.array([frame], dtype=object)
    else:
        cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=frame, ordered=True))
    if len(cells) != len(points):
        raise UnitsError(f"Voronoi construction returned {len(cells)} cells for {len(points)} sites")
    return shapely.intersection(cells, shapely.box(minx - 1, miny - 1, maxx + 1, maxy + 1))


def _face_groups(
    face_geoms: np.ndarray, district_geoms: np.ndarray, cells: np.ndarray, points: np.ndarray
) -> dict[tuple[int, int], list[int]]:
    """(cell, district) -> faces; a face outside every district is outside the study area and left out.

    A face in no cell (a crack at the frame) goes to the cell of the site nearest it.
    """
    in_district = coverage.membership(face_geoms, district_geoms)
    in_cell = coverage.membership(face_geoms, cells)
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for f, (ds, cs) in enumerate(zip(in_district, in_cell)):
        if ds:
            cell = cs[0] if cs else int(shapely.STRtree(points).nearest(shapely.point_on_surface(face_geoms[f])))
            groups[(cell, ds[0])].append(f)
    return groups


def _cores_and_orphans(
    groups: dict[tuple[int, int], list[int]], face_geoms: np.ndarray, site_district: list[int], points: np.ndarray
) -> tuple[list[shapely.Geometry], dict[int, list[shapely.Polygon]]]:
    """Each site's core (the piece of its cell in its district containing it) and, per district, the other pieces."""
    core: list[shapely.Geometry] = [shapely.Polygon()] * len(points)
    orphans: dict[int, list[shapely.Polygon]] = defaultdict(list)
    for (j, d), fs in sorted(groups.items()):
        piece = coverage.coverage_union(face_geoms[fs])
        if site_district[j] == d:
            keep, rest = _single_polygon(piece, points[j])
            core[j] = keep
            orphans[d].extend(rest)
        else:
            orphans[d].extend(p for p in shapely.get_parts(piece) if p.geom_type == "Polygon")
    return core, orphans


def _attach_orphans(
    orphans: dict[int, list[shapely.Polygon]],
    core: list[shapely.Geometry],
    site_district: list[int],
    members: list[list[shapely.Geometry]],
) -> list[tuple[float, int, shapely.Point]]:
    """Give every orphan piece to the unit of its district sharing most boundary with it (appended to ``members``).

    Pieces reach units through chains of pieces. Returns the pieces touching no unit of
    their district: ``(area_m2, district position, point inside)``.
    """
    dropped: list[tuple[float, int, shapely.Point]] = []
    for d, pieces in sorted(orphans.items()):
        idx = [i for i, sd in enumerate(site_district) if sd == d]
        pending = [p for p in pieces if p.area > 0]
        current = {i: core[i] for i in idx}
        while pending and current:
            still = _attach_pass(pending, current, members)
            if len(still) == len(pending):
                break
            pending = still
        dropped.extend((p.area, d, shapely.point_on_surface(p)) for p in pending)
    return dropped


def _attach_pass(
    pending: list[shapely.Polygon], current: dict[int, shapely.Geometry], members: list[list[shapely.Geometry]]
) -> list[shapely.Polygon]:
    """One pass of :func:`_attach_orphans` over the pending pieces; returns those still touching no unit."""
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
            current[best] = coverage.coverage_union(np.array([current[best], piece], dtype=object))
    return still


def _unit_polygons(
    members: list[list[shapely.Geometry]],
    points: np.ndarray,
    site_district: list[int],
    dropped: list[tuple[float, int, shapely.Point]],
) -> list[shapely.Polygon]:
    """Each unit as the one polygon of its pieces containing its site; other parts are appended to ``dropped``."""
    unit_geoms = []
    for i, parts in enumerate(members):
        merged = coverage.coverage_union(np.array(parts, dtype=object))
        keep, rest = _single_polygon(merged, points[i])
        dropped.extend((p.area, site_district[i], shapely.point_on_surface(p)) for p in rest)
        unit_geoms.append(keep)
    return unit_geoms


def _dropped_message(dropped_notes: list[str], dropped_area: float) -> str:
    """The warning listing the school-less fragments left out (first ten)."""
    return (
        f"{len(dropped_notes)} school-less fragment(s) ({coverage.format_area(dropped_area)}: islands cut off "
        "from every school of their district) are left out of the units: "
        + "; ".join(dropped_notes[:10])
        + (f"; and {len(dropped_notes) - 10} more" if len(dropped_notes) > 10 else "")
    )


def _site_units_frame(
    sites: pd.DataFrame, school_names: dict[int, str], unit_geoms: list[shapely.Polygon]
) -> gpd.GeoDataFrame:
    """The units frame of :func:`voronoi_units` (one row per site, BNG)."""
    return gpd.GeoDataFrame(
        {
            "unit": np.arange(len(sites)),
            "district_code": sites["district_code"].to_numpy(),
            "district": sites["district"].to_numpy(),
            "n_schools": sites["n_schools"].to_numpy(),
            "pupils": sites["pupils"].to_numpy().astype("int64"),
            "anchors": sites["anchors"].to_numpy().astype("int64"),
            "urns": [",".join(map(str, u)) for u in sites["urns"]],
            "place": [_site_place(u, school_names) for u in sites["urns"]],
            "x": sites["x"].to_numpy(),
            "y": sites["y"].to_numpy(),
        },
        geometry=unit_geoms,
        crs=BNG,
    )


class STRtreeMap:
    """A spatial index over a dict of geometries, answering with the dict's keys."""

    def __init__(self, geoms: dict[int, shapely.Geometry]) -> None:
        """Index ``geoms``.

        Parameters
        ----------
        geoms
            Key (e.g. a unit's position) -> geometry, in BNG (EPSG:27700, m).
        """
        self.keys = list(geoms)
        self.tree = shapely.STRtree([geoms[k] for k in self.keys])

    def query(self, geom: shapely.Geometry) -> list[int]:
        """Keys of the geometries within :data:`SHARED_EPS_M` (5 cm) of ``geom``.

        Parameters
        ----------
        geom
            A geometry in the same CRS as the indexed ones (BNG, m).

        Returns
        -------
        list of int
            The keys of the indexed geometries intersecting ``geom`` buffered by
            5 cm, in the index's order.
        """
        return [self.keys[j] for j in self.tree.query(geom.buffer(SHARED_EPS_M), predicate="intersects")]


def polygon_units(
    dataset: Dataset,
    polygons: gpd.GeoDataFrame,
    *,
    population: pd.Series | None = None,
    min_overlap: float = MIN_OVERLAP,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Use given polygons (wards, LSOAs, MSOAs) as units, clipped to the study area.

    A polygon with at least ``min_overlap`` (10 %) of its area inside the study
    area is a unit, clipped to it: the generalised district outlines cut
    coastal polygons by up to 85 %. Polygons less inside are left out (their
    code, share and population reported); what they and any other gap cover
    inside the study area goes to the neighbouring unit sharing most boundary,
    so the units tile the study area exactly (overlaps between polygons are
    left with the first in code order; see :mod:`partition.core.coverage`). Each unit
    gets the district it overlaps most. A school belongs to the unit whose
    polygon contains it (else the unit containing it after clipping, else the
    nearest). ``population`` (a Series indexed by polygon code, e.g. children
    aged 0-19) is attached as ``population`` where codes match; a unit partly
    outside the study area counts its polygon's whole population (reported).

    Parameters
    ----------
    dataset
        Loaded data (:func:`partition.data.dataset.load_dataset`): schools (GIAS) and
        the study area's districts (ONS LAD polygons), EPSG:27700.
    polygons
        The unit layer (e.g. ONS ward, LSOA or MSOA boundaries read by
        :func:`partition.io.boundaries.read_polygons`): ``code``, ``name``,
        geometry in any CRS (reprojected to EPSG:27700); ``attrs["source"]``
        names the file in messages.
    population
        Population per polygon code (e.g. children aged 0-19 from ONS
        mid-year estimates, :func:`partition.io.population.read_child_population`);
        None for no ``population`` column.
    min_overlap
        Least share (0-1) of a polygon's area inside the study area for it to
        become a unit.

    Returns
    -------
    units
        ``unit``, ``code``, ``name``, ``place``, ``district_code``, ``district``,
        ``n_schools``, ``pupils``, ``anchors``, ``urns``, ``x``, ``y``
        (a point inside the unit), [``population``], geometry (Polygon or MultiPolygon).
        ``attrs["adjustments"]`` lists what was clipped, left out or repaired.
    schools
        The dataset's schools with a ``unit`` column.

    Raises
    ------
    UnitsError
        When no polygon has ``min_overlap`` of its area inside the study area.
    SizeLimitError
        When more than :data:`partition.core.limits.MAX_UNITS_PER_STUDY_AREA` polygons would become units.

    Warns
    -----
    DataWarning
        One warning listing every polygon left out or clipped, overlaps and gaps
        repaired, area touching no unit, and units without a population figure.
    """
    source = Path(str(polygons.attrs.get("source", "the unit layer"))).name
    districts = study_districts(dataset)
    outline = coverage.coverage_union(districts.geometry.to_numpy())
    polys = polygons.to_crs(BNG).sort_values("code", kind="stable").reset_index(drop=True)
    geoms = coverage.on_grid(np.array([polygonal(g) for g in polys.geometry], dtype=object))
    share = _share_inside(geoms, outline)
    keep = share >= min_overlap
    check_units(int(keep.sum()), source)  # before the polygons are clipped and joined
    if not keep.any():
        raise UnitsError(
            f"none of the {len(polygons)} polygons of {source} lies in the study area",
            fix="give polygons covering the selected districts",
        )
    repairs = list(districts.attrs.get("repairs", []))  # already reported by repair_coverage
    pop = population if population is not None else pd.Series(dtype=float)
    notes = _share_notes(polys, share, keep, pop, source=source, min_overlap=min_overlap)
    kept = np.flatnonzero(keep)
    polys = polys.iloc[kept].reset_index(drop=True)
    face_geoms, owners, inside, overlaps, filled = _clipped_faces(geoms[kept], outline)
    unit_geoms = np.array(coverage.union_by_owner(face_geoms, owners, len(polys)), dtype=object)
    notes += _face_notes(source, overlaps, filled)
    schools = dataset.schools.copy()
    notes += _lost_notes(face_geoms, owners, inside, schools)
    empty = shapely.is_empty(unit_geoms)
    if empty.any():
        notes.append(
            f"polygon(s) wholly overlapped by others left out: {', '.join(polys['code'][empty])}"
            f"{_pop_note(pop, polys['code'].to_numpy(), np.flatnonzero(empty))}"
        )
        polys, unit_geoms = polys[~empty].reset_index(drop=True), unit_geoms[~empty]
    schools["unit"] = _school_units(schools, geoms[kept][~empty], unit_geoms)
    units = _polygon_units_frame(polys, unit_geoms, districts, schools)
    if population is not None:
        notes += _attach_population(units, population)
    if notes:
        warnings.warn(DataWarning(f"units from {source}: " + "; ".join(notes)), stacklevel=2)
    units.attrs["kind"] = "polygons"
    units.attrs["adjustments"] = repairs + notes
    return units, schools


def _share_inside(geoms: np.ndarray, outline: shapely.Geometry) -> np.ndarray:
    """Share of each polygon's area inside ``outline`` (0 for a polygon of no area)."""
    area = shapely.area(geoms)
    return np.divide(shapely.area(shapely.intersection(geoms, outline)), area, out=np.zeros(len(geoms)), where=area > 0)


def _pop_note(pop: pd.Series, codes: np.ndarray, idx: np.ndarray) -> str:
    """``; population 1,234`` summed over the polygons ``codes[idx]`` with a figure; empty when none has."""
    known = [float(pop[c]) for c in codes[idx] if c in pop.index]
    return f"; population {sum(known):,.0f}" if known else ""


def _share_notes(
    polys: gpd.GeoDataFrame, share: np.ndarray, keep: np.ndarray, pop: pd.Series, *, source: str, min_overlap: float
) -> list[str]:
    """Notes on the polygons left out (too little inside) and those kept but mostly outside the study area."""
    notes = []
    codes = polys["code"].to_numpy()
    left_out = np.flatnonzero(~keep & (share > 0))
    if len(left_out):
        notes.append(
            f"{len(left_out)} polygon(s) of {source} less than {min_overlap:.0%} inside the study area left out"
            f"{_pop_note(pop, codes, left_out)}: "
            + ", ".join(
                f"{polys.at[i, 'code']} ({share[i]:.0%} inside)" for i in left_out[np.argsort(-share[left_out])][:15]
            )
            + (" ..." if len(left_out) > 15 else "")
        )
    partial = np.flatnonzero(keep & (share < 0.5))
    if len(partial):
        notes.append(
            f"{len(partial)} polygon(s) of {source} lie mostly outside the study area (generalised outlines) and are "
            f"clipped to it{_pop_note(pop, codes, partial)} counted in full: "
            + ", ".join(
                f"{polys.at[i, 'code']} ({share[i]:.0%} inside)" for i in partial[np.argsort(share[partial])][:15]
            )
            + (" ..." if len(partial) > 15 else "")
        )
    return notes


def _clipped_faces(
    geoms: np.ndarray, outline: shapely.Geometry
) -> tuple[np.ndarray, list[int | None], np.ndarray, float, list[coverage.Repair]]:
    """Faces of the polygons clipped to ``outline``, each owned by the first polygon covering it.

    Faces inside the study area covered by no polygon go to the neighbour sharing most boundary.
    Returns the faces, their owners (None: outside, or touching no polygon), whether each is
    inside, the area of overlaps between polygons (m²) and the faces filled.
    """
    clipped = coverage.on_grid(shapely.intersection(geoms, outline))
    face_geoms = coverage.faces(np.concatenate([clipped, np.array([outline], dtype=object)]))
    inside = np.array([bool(m) for m in coverage.membership(face_geoms, np.array([outline], dtype=object))])
    members = coverage.membership(face_geoms, clipped)
    owners: list[int | None] = [m[0] if (m and ins) else None for m, ins in zip(members, inside)]
    overlaps = sum(face_geoms[f].area for f, m in enumerate(members) if len(m) > 1 and inside[f])
    owners, filled = coverage.assign_faces(face_geoms, owners, fill=inside)
    return face_geoms, owners, inside, overlaps, filled


def _face_notes(source: str, overlaps: float, filled: list[coverage.Repair]) -> list[str]:
    """Notes on overlaps between polygons (1 m² or more) and on gaps joined to neighbouring units."""
    notes = []
    if overlaps >= 1:
        notes.append(
            f"overlapping polygons of {source} ({coverage.format_area(overlaps)}) left with the first in code order"
        )
    if filled:
        notes.append(
            f"{coverage.format_area(sum(r.area_m2 for r in filled))} of the study area covered by no kept polygon "
            "(gaps, polygons left out) joined to the neighbouring units"
        )
    return notes


def _lost_notes(
    face_geoms: np.ndarray, owners: list[int | None], inside: np.ndarray, schools: gpd.GeoDataFrame
) -> list[str]:
    """A note per face of the study area left out (touching no unit), naming the nearest school."""
    lost = [f for f, o in enumerate(owners) if o is None and inside[f]]
    if not lost:
        return []
    notes = []
    pts = shapely.points(schools.geometry.x.to_numpy(), schools.geometry.y.to_numpy())
    for f in lost:
        k = int(np.argmin(shapely.distance(pts, face_geoms[f])))
        notes.append(
            f"{coverage.format_area(face_geoms[f].area)} of the study area touching no unit left out, near "
            f"{schools['name'].iloc[k]} (URN {schools['URN'].iloc[k]})"
        )
    return notes


def _polygon_units_frame(
    polys: gpd.GeoDataFrame, unit_geoms: np.ndarray, districts: gpd.GeoDataFrame, schools: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """The units frame of :func:`polygon_units`: each unit with the district it overlaps most and its schools."""
    overlap = np.column_stack(
        [shapely.area(shapely.intersection(unit_geoms, d)) for d in districts.geometry.to_numpy()]
    )
    best = overlap.argmax(axis=1)
    agg = schools.groupby("unit").agg(
        n_schools=("URN", "size"),
        pupils=("pupils", "sum"),
        anchors=("anchor", "sum"),
        urns=("URN", lambda s: ",".join(map(str, sorted(s)))),
    )
    centroids = shapely.point_on_surface(unit_geoms)
    n = len(polys)
    return gpd.GeoDataFrame(
        {
            "unit": np.arange(n),
            "code": polys["code"].to_numpy(),
            "name": polys["name"].to_numpy(),
            "place": _polygon_places(polys, centroids, schools),
            "district_code": districts["code"].to_numpy()[best],
            "district": districts["name"].to_numpy()[best],
            "n_schools": agg["n_schools"].reindex(range(n), fill_value=0).to_numpy().astype("int64"),
            "pupils": agg["pupils"].reindex(range(n), fill_value=0).to_numpy().astype("int64"),
            "anchors": agg["anchors"].reindex(range(n), fill_value=0).to_numpy().astype("int64"),
            "urns": agg["urns"].reindex(range(n), fill_value="").to_numpy(),
            "x": shapely.get_x(centroids),
            "y": shapely.get_y(centroids),
        },
        geometry=unit_geoms,
        crs=BNG,
    )


def _attach_population(units: gpd.GeoDataFrame, population: pd.Series) -> list[str]:
    """Add ``population`` by unit code (0 where missing, noted); returns the notes."""
    units["population"] = units["code"].map(population)
    missing = units["population"].isna()
    if not missing.any():
        return []
    note = (
        f"no population figure for {int(missing.sum())} of {len(units)} units (set to 0): "
        + ", ".join(units.loc[missing, "code"].astype(str)[:15])
        + (" ..." if missing.sum() > 15 else "")
    )
    units["population"] = units["population"].fillna(0)
    return [note]


def _polygon_places(polys: pd.DataFrame, points: np.ndarray, schools: gpd.GeoDataFrame) -> list[str]:
    """``E01022912 (name), near School (URN n)`` for every polygon unit."""
    tree = shapely.STRtree(shapely.points(schools.geometry.x.to_numpy(), schools.geometry.y.to_numpy()))
    near = tree.nearest(points)
    out = []
    for code, name, k in zip(polys["code"], polys["name"], near):
        label = f"{code} ({name})" if name != code else str(code)
        out.append(f"{label}, near {schools['name'].iloc[int(k)]} (URN {schools['URN'].iloc[int(k)]})")
    return out


def _school_units(schools: gpd.GeoDataFrame, polygons: np.ndarray, units: np.ndarray) -> np.ndarray:
    """Unit of every school: the unit whose polygon contains it, else whose clipped unit does, else the nearest."""
    pts = shapely.points(schools.geometry.x.to_numpy(), schools.geometry.y.to_numpy())
    out = np.full(len(pts), -1, dtype="int64")
    for geoms in (polygons, units):
        todo = np.flatnonzero(out < 0)
        if len(todo) == 0:
            break
        s, u = shapely.STRtree(geoms).query(pts[todo], predicate="within")
        first = pd.Series(u).groupby(s).min()
        out[todo[first.index.to_numpy()]] = first.to_numpy()
    todo = np.flatnonzero(out < 0)
    if len(todo):
        out[todo] = shapely.STRtree(units).nearest(pts[todo])
    return out
