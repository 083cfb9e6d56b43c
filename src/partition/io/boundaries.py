"""Reading ONS boundary files (districts, wards, LSOAs, MSOAs).

GeoJSON, TopoJSON, GeoPackage and Shapefile are read through pyogrio/GDAL, from the bytes read once
into memory (:mod:`partition.io.snapshot`; a Shapefile's parts as one in-memory archive).
Code and name fields of any vintage are recognised (``LAD13CD``, ``LAD24CD``,
``lad19cd``, ``WD13CD``, ``LSOA11CD``, ``LOWERSOA`` ...). A file that declares no
CRS (the martinjc TopoJSON files) is read as WGS84 (or British National Grid
when its coordinates are clearly metres) with a warning. Everything is
reprojected to EPSG:27700 and invalid polygons are repaired with
``make_valid``.

Coordinates are checked against the CRS: degrees in a layer declaring British
National Grid, metres in a layer declaring longitude/latitude (other than a
GeoJSON without a ``crs`` member, read as British National Grid with a
warning), or a layer that lands outside Great Britain, are errors saying what
is wrong and how to fix the file.

:func:`repair_coverage` makes a layer a clean polygon coverage (no overlaps,
sliver gaps closed, neighbours sharing exact edges) and reports every repair
by name; see :mod:`partition.coverage`.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from partition import coverage
from partition.errors import BoundaryFileError
from partition.io.memo import read_once
from partition.io.snapshot import InputFolder, snapshot, snapshot_folder
from partition.warnings import DataWarning

BNG = "EPSG:27700"
# British National Grid extent of Great Britain and its islands, with a margin (m)
GB_BNG = (-50_000.0, -50_000.0, 750_000.0, 1_300_000.0)

LAD_CODE = re.compile(r"^lad\d{2}cd$", re.IGNORECASE)
LAD_NAME = re.compile(r"^lad\d{2}nm$", re.IGNORECASE)
ANY_CODE = re.compile(r"^[a-z]+\d{2}cd$", re.IGNORECASE)
ANY_NAME = re.compile(r"^[a-z]+\d{2}nm$", re.IGNORECASE)
FALLBACK_CODES = ("code", "gss_code", "lowersoa", "lsoa_code", "id")
FALLBACK_NAMES = ("name", "lad_name", "district")
BUFFER_LAYER = re.compile(r"^pyogrio_[0-9a-f]{32}$")
"""The name GDAL gives the layer of a GeoJSON without a ``name`` member read from memory (pyogrio's in-memory
file name); read from the disk, the layer is named after the file, as it is reported here."""


def _pick(columns: list[str], pattern: re.Pattern[str], fallbacks: tuple[str, ...]) -> str | None:
    hits = sorted((c for c in columns if pattern.match(c)), key=lambda c: c.lower(), reverse=True)
    if hits:
        return hits[0]
    lower = {c.lower(): c for c in columns}
    for f in fallbacks:
        if f in lower:
            return lower[f]
    return None


def polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Repair a geometry and keep only its polygonal part (possibly empty).

    Parameters
    ----------
    geom
        Any shapely geometry, or None; coordinates in any CRS (unchanged).

    Returns
    -------
    shapely.Geometry
        The geometry made valid (``shapely.make_valid``) when invalid: a Polygon or MultiPolygon as is, the
        union of the polygonal parts of a collection, or an empty Polygon when it has none.
    """
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


@read_once
def read_polygons(
    path: str | Path,
    *,
    data: bytes | None = None,
    layer: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    prefer: str = "any",
) -> gpd.GeoDataFrame:
    """Read a polygon layer into ``code``, ``name``, ``geometry`` in EPSG:27700.

    Parameters
    ----------
    path
        GeoJSON, TopoJSON, GeoPackage or Shapefile (e.g. ONS district, ward, LSOA or MSOA boundaries);
        named in the messages.
    data
        The file's bytes as read (:attr:`partition.io.snapshot.InputFile.data`; a Shapefile's parts as
        an archive), parsed instead of reading ``path``; read from ``path`` once when not given.
    layer
        Layer to read when the file holds several.
    code_field, name_field
        Field names; detected when omitted (``prefer="lad"`` favours ``LADyyCD``).
    prefer
        ``"lad"`` to prefer district (``LADyyCD``/``LADyyNM``) fields, ``"any"`` for any ``XXyyCD`` field.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per code: ``code`` and ``name`` (text; the code where the file has no name field) and
        polygonal ``geometry`` in British National Grid (EPSG:27700, metres), repaired with ``make_valid``;
        features sharing a code are dissolved into one. ``attrs`` holds ``source``, ``code_field`` and
        ``name_field``. A missing CRS assumed, features without polygons dropped and polygons repaired are
        reported with a :class:`~partition.warnings.DataWarning`.

    Raises
    ------
    BoundaryFileError
        Missing or unreadable file, several layers and none chosen (or an unknown one), no features, no
        code field (or a given field missing), coordinates that do not fit the declared CRS or lie outside
        Great Britain, no polygons.
    """
    path = Path(path)
    if data is None:
        data = _read_file(path)
    gdf = _read_layer(path, data, layer)
    code, name = _code_and_name_fields(gdf, path, code_field, name_field, prefer)
    gdf = _check_crs(gdf, path, data)
    if gdf.crs is None:
        gdf = _assume_crs(gdf, path)
    gdf = gdf.to_crs(BNG)
    _check_in_britain(gdf, path)
    geoms = gdf.geometry.to_numpy()
    invalid = int((~shapely.is_valid(geoms)).sum())
    out = _drop_empty(_coded_polygons(gdf, code, name, geoms), path)
    if invalid:
        warnings.warn(DataWarning(f"{path.name}: repaired {invalid} invalid polygon(s) with make_valid"), stacklevel=2)
    if out["code"].duplicated().any():
        out = out.dissolve(by="code", aggfunc="first", as_index=False)[["code", "name", "geometry"]]
    out.attrs["source"] = str(path)
    out.attrs["code_field"] = code
    out.attrs["name_field"] = name
    return out.reset_index(drop=True)


def _read_file(path: Path) -> bytes:
    """The bytes of a GIS file (a Shapefile's parts as one archive), read once.

    Raises
    ------
    BoundaryFileError
        When the file does not exist or cannot be read.
    """
    if not path.exists():
        raise BoundaryFileError(path, "does not exist", fix="check the path or run 'partition fetch'")
    return snapshot(path, error=BoundaryFileError).data


def _layer_names(path: Path, data: bytes) -> list[str]:
    """The layers of a GIS file (``data``, its bytes), named as GDAL names them reading ``path``.

    Raises
    ------
    BoundaryFileError
        When GDAL cannot read it.
    """
    try:
        layers = pyogrio.list_layers(data)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise BoundaryFileError(
            path,
            f"is not a readable GIS file ({str(exc).splitlines()[0]})",
            fix="give a GeoJSON, TopoJSON, GeoPackage or Shapefile",
        ) from None
    return [path.stem if BUFFER_LAYER.match(str(n)) else str(n) for n in layers[:, 0]]


def _read_layer(path: Path, data: bytes, layer: str | None) -> gpd.GeoDataFrame:
    """The features of the chosen (or only) layer of ``data`` (the bytes of ``path``), as GDAL reads them.

    Raises
    ------
    BoundaryFileError
        When the file is missing or unreadable, holds several layers and none is chosen, has no layer
        ``layer``, or has no features.
    """
    names = _layer_names(path, data)
    if layer is None and len(names) > 1:
        raise BoundaryFileError(
            path,
            f"holds {len(names)} layers ({', '.join(names)})",
            fix=f"choose one with --layer (district boundaries) or save it as a file of its own "
            f"(ogr2ogr one.gpkg {path.name} {names[0]})",
        )
    if layer is not None and layer not in names:
        raise BoundaryFileError(path, f"has no layer {layer!r}", fix=f"choose one of {', '.join(names)}")
    try:
        gdf = gpd.read_file(data, layer=None if layer is None else names.index(layer))
    except Exception as exc:
        raise BoundaryFileError(path, f"cannot be read ({str(exc).splitlines()[0]})") from None
    if len(gdf) == 0:
        raise BoundaryFileError(path, "has no features", fix="give a file with district polygons")
    return gdf


def _code_and_name_fields(
    gdf: gpd.GeoDataFrame, path: Path, code_field: str | None, name_field: str | None, prefer: str
) -> tuple[str, str | None]:
    """The code field and the name field (None when there is none) of a layer: given, else detected.

    Raises
    ------
    BoundaryFileError
        When a given field is missing or no code field is recognised (listing the fields).
    """
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    code_pat, name_pat = (LAD_CODE, LAD_NAME) if prefer == "lad" else (ANY_CODE, ANY_NAME)
    code = code_field or _pick(columns, code_pat, ()) or _pick(columns, ANY_CODE, FALLBACK_CODES)
    name = name_field or _pick(columns, name_pat, ()) or _pick(columns, ANY_NAME, FALLBACK_NAMES)
    for given, label in ((code_field, "code"), (name_field, "name")):
        if given is not None and given not in columns:
            raise BoundaryFileError(
                path, f"has no {label} field {given!r}", column=given, fix=f"fields are: {', '.join(columns)}"
            )
    if code is None:
        raise BoundaryFileError(
            path,
            "has no recognisable code field (e.g. LAD23CD, lad19cd, WD13CD, LSOA11CD)",
            fix=f"rename the code field to 'code' in the file, or pass code_field= to read_polygons "
            f"(fields are: {', '.join(columns)})",
        )
    return code, name


def _assume_crs(gdf: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Declare WGS84 for a layer without CRS whose coordinates look like degrees, else British National
    Grid; warn (attributed to the caller of :func:`read_polygons`)."""
    minx, miny, maxx, maxy = gdf.total_bounds
    if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
        assumed = "EPSG:4326"
        label = "WGS84 longitude/latitude"
    else:
        assumed = BNG
        label = "British National Grid (EPSG:27700)"
    warnings.warn(
        DataWarning(f"{path.name}: no CRS declared that GDAL can read; assuming {label}"),
        stacklevel=3,
    )
    return gdf.set_crs(assumed)


def _coded_polygons(gdf: gpd.GeoDataFrame, code: str, name: str | None, geoms: np.ndarray) -> gpd.GeoDataFrame:
    """``code``, ``name`` (the code when there is no name field) and the polygonal part of each geometry."""
    return gpd.GeoDataFrame(
        {
            "code": gdf[code].astype(str).str.strip().to_numpy(),
            "name": (gdf[name].astype(str).str.strip() if name else gdf[code].astype(str)).to_numpy(),
        },
        geometry=[polygonal(g) for g in geoms],
        crs=BNG,
    )


def _drop_empty(out: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    """Drop features without polygons, naming their codes in a warning (attributed to the caller of
    :func:`read_polygons`).

    Raises
    ------
    BoundaryFileError
        When no feature has a polygon.
    """
    empty = out.geometry.is_empty
    if empty.all():
        raise BoundaryFileError(path, "has no polygon geometries", fix="give a polygon layer")
    if empty.any():
        warnings.warn(
            DataWarning(
                f"{path.name}: dropped {int(empty.sum())} feature(s) without polygons: {', '.join(out.loc[empty, 'code'])}"
            ),
            stacklevel=3,
        )
        out = out[~empty]
    return out


def _extent(gdf: gpd.GeoDataFrame) -> str:
    minx, miny, maxx, maxy = gdf.total_bounds
    return f"x {minx:,.6g} to {maxx:,.6g}, y {miny:,.6g} to {maxy:,.6g}"


def _looks_degrees(gdf: gpd.GeoDataFrame) -> bool:
    minx, miny, maxx, maxy = gdf.total_bounds
    return bool(max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90)


def _looks_bng(gdf: gpd.GeoDataFrame) -> bool:
    minx, miny, maxx, maxy = gdf.total_bounds
    return bool(GB_BNG[0] <= minx and maxx <= GB_BNG[2] and GB_BNG[1] <= miny and maxy <= GB_BNG[3])


def _declares_crs(data: bytes) -> bool:
    """Whether a GeoJSON file (``data``, its bytes) has a ``crs`` member in its first 200,000 characters (GDAL
    reads one without as WGS84)."""
    return '"crs"' in data[:800_000].decode("utf-8", errors="replace")[:200_000]


def _check_crs(gdf: gpd.GeoDataFrame, path: Path, data: bytes) -> gpd.GeoDataFrame:
    """Check the coordinates' range against the declared CRS; raise or re-declare (GeoJSON without ``crs``)."""
    if gdf.crs is None or gdf.geometry.is_empty.all():
        return gdf
    if gdf.crs.is_geographic and not _looks_degrees(gdf):
        if _looks_bng(gdf) and path.suffix.lower() in {".json", ".geojson"} and not _declares_crs(data):
            warnings.warn(
                DataWarning(
                    f"{path.name}: coordinates are metres ({_extent(gdf)}) but the GeoJSON has no 'crs' member, "
                    "so GDAL assumed WGS84 longitude/latitude; read as British National Grid (EPSG:27700). "
                    "To make this explicit, write the file in WGS84 (ogr2ogr -s_srs EPSG:27700 -t_srs EPSG:4326 out.geojson in.geojson)"
                ),
                stacklevel=3,
            )
            return gdf.set_crs(BNG, allow_override=True)
        raise BoundaryFileError(
            path,
            f"declares {gdf.crs.name} (longitude/latitude degrees) but its coordinates range {_extent(gdf)}, "
            + ("which look like British National Grid metres" if _looks_bng(gdf) else "which are not degrees"),
            fix="declare the CRS the coordinates are in, e.g. 'ogr2ogr -a_srs EPSG:27700 fixed.gpkg "
            f"{path.name}' for British National Grid",
        )
    if gdf.crs.is_projected and _looks_degrees(gdf):
        raise BoundaryFileError(
            path,
            f"declares {gdf.crs.name} (metres) but its coordinates range {_extent(gdf)}, "
            "which look like longitude/latitude degrees",
            fix=f"declare the CRS the coordinates are in, e.g. 'ogr2ogr -a_srs EPSG:4326 fixed.gpkg {path.name}'",
        )
    return gdf


def _check_in_britain(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Raise when a layer reprojected to British National Grid does not lie in Great Britain."""
    minx, miny, maxx, maxy = gdf.total_bounds
    if gdf.geometry.is_empty.all() or not np.isfinite([minx, miny, maxx, maxy]).all():
        return
    if maxx < GB_BNG[0] or minx > GB_BNG[2] or maxy < GB_BNG[1] or miny > GB_BNG[3]:
        raise BoundaryFileError(
            path,
            f"lies outside Great Britain once reprojected to British National Grid ({_extent(gdf)}): "
            "its declared CRS does not match its coordinates (or longitude and latitude are swapped)",
            fix="declare the CRS the coordinates are in (ogr2ogr -a_srs EPSG:...) or swap the axes",
        )


def repair_coverage(layer: gpd.GeoDataFrame, *, what: str = "polygons") -> gpd.GeoDataFrame:
    """Make a polygon layer a clean coverage and report every repair by name.

    Polygons are put on one 1 cm grid; overlaps are left with the polygon
    first in code order and taken from the others; sliver gaps between
    polygons are given to the neighbour sharing most boundary (see
    :func:`partition.coverage.rebuild_coverage`).

    Parameters
    ----------
    layer
        ``code``, ``name``, ``geometry`` in EPSG:27700.
    what
        What the polygons are (``"districts"``), for the messages.

    Returns
    -------
    GeoDataFrame
        The layer in code order, repaired; ``attrs["repairs"]`` lists each repair
        (also issued as one :class:`~partition.warnings.DataWarning`). A polygon
        wholly inside others is dropped and reported.
    """
    out = layer.sort_values("code", kind="stable").reset_index(drop=True)
    geoms, repairs = coverage.rebuild_coverage(out.geometry.to_numpy())
    out = out.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=out.index, crs=layer.crs)
    source = Path(str(layer.attrs.get("source", what))).name

    def label(i: int) -> str:
        return (
            f"{out.at[i, 'name']} ({out.at[i, 'code']})"
            if out.at[i, "name"] != out.at[i, "code"]
            else str(out.at[i, "code"])
        )

    notes = []
    for kind, kept, other, area, where in coverage.summarise_repairs(repairs):
        at = f"near {where.x:,.0f} E {where.y:,.0f} N"
        if kind == "overlap":
            notes.append(
                f"{label(kept)} and {label(other)} overlap by {coverage.format_area(area)} {at}; "
                f"the overlap is left with {out.at[kept, 'name']}"
            )
    gaps = [r for r in coverage.summarise_repairs(repairs) if r[0] == "gap"]
    if gaps:
        notes.append(
            f"closed {sum(1 for r in repairs if r.kind == 'gap')} sliver gap(s) in or between {what} "
            f"({coverage.format_area(sum(r[3] for r in gaps))}): "
            + ", ".join(f"{coverage.format_area(r[3])} to {label(r[1])}" for r in gaps[:10])
            + (f" and {len(gaps) - 10} more" if len(gaps) > 10 else "")
        )
    empty = out.geometry.is_empty
    if empty.any():
        notes.append(f"dropped {what} lying wholly inside others: {', '.join(label(i) for i in np.flatnonzero(empty))}")
        out = out[~empty].reset_index(drop=True)
    if notes:
        warnings.warn(DataWarning(f"{source}: repaired the {what} as a coverage: " + "; ".join(notes)), stacklevel=2)
    out.attrs = {**layer.attrs, "repairs": notes}
    return out


def read_boundaries(
    path: str | Path,
    *,
    data: bytes | None = None,
    layer: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
) -> gpd.GeoDataFrame:
    """Read ONS district (LAD) boundaries: ``code``, ``name``, ``geometry`` in EPSG:27700.

    See :func:`read_polygons`; ``LADyyCD``/``LADyyNM`` fields are preferred.

    Parameters
    ----------
    path
        GeoJSON, TopoJSON, GeoPackage or Shapefile of district boundaries (e.g. the ONS LAD 2013
        TopoJSON of martinjc/UK-GeoJSON, ``boundaries/topo_lad_eng_2013.json``).
    data
        The file's bytes as read; see :func:`read_polygons`.
    layer
        Layer to read when the file holds several.
    code_field, name_field
        Field names; detected when omitted.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per district code: ``code``, ``name``, polygon ``geometry`` in British National Grid
        (EPSG:27700, metres); see :func:`read_polygons`.

    Raises
    ------
    BoundaryFileError
        As :func:`read_polygons`.
    """
    return read_polygons(path, data=data, layer=layer, code_field=code_field, name_field=name_field, prefer="lad")


def read_polygon_folder(folder: str | Path, *, files: InputFolder | None = None, **kwargs: object) -> gpd.GeoDataFrame:
    """Read every GIS file of a folder (e.g. ``wards_2013_by_lad/``) into one layer.

    Parameters
    ----------
    folder
        A folder of ``.json``, ``.geojson``, ``.gpkg`` or ``.shp`` files (e.g. one ward or LSOA file per
        district), read in file-name order.
    files
        The folder's files as read (:func:`partition.io.snapshot.snapshot_folder`), parsed instead of
        reading the folder; read once when not given.
    **kwargs
        Passed to :func:`read_polygons` for every file (``layer``, ``code_field``, ``name_field``, ``prefer``).

    Returns
    -------
    geopandas.GeoDataFrame
        The files' ``code``, ``name``, ``geometry`` (EPSG:27700, metres) one after another;
        ``attrs["source"]`` is the folder.

    Raises
    ------
    BoundaryFileError
        When the folder holds no such file, or as :func:`read_polygons` for a file.
    """
    folder = Path(folder)
    if files is None:
        files = snapshot_folder(folder, error=BoundaryFileError)
    if not files.files:
        raise BoundaryFileError(folder, "holds no GeoJSON, GeoPackage or Shapefile", fix="check the folder")
    parts = [read_polygons(f.path, data=f.data, **kwargs) for f in files.files]  # type: ignore[arg-type]
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=BNG)
    out.attrs["source"] = str(folder)
    return out
