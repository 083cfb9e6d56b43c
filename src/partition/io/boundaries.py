"""Reading ONS boundary files (districts, wards, LSOAs, MSOAs).

GeoJSON, TopoJSON, GeoPackage and Shapefile are read through pyogrio/GDAL.
Code and name fields of any vintage are recognised (``LAD13CD``, ``LAD24CD``,
``lad19cd``, ``WD13CD``, ``LSOA11CD``, ``LOWERSOA`` ...). A file that declares no
CRS (the martinjc TopoJSON files) is read as WGS84 (or British National Grid
when its coordinates are clearly metres) with a warning. Everything is
reprojected to EPSG:27700 and invalid polygons are repaired with
``make_valid``.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely

from partition.errors import BoundaryFileError
from partition.warnings import DataWarning

BNG = "EPSG:27700"

LAD_CODE = re.compile(r"^lad\d{2}cd$", re.IGNORECASE)
LAD_NAME = re.compile(r"^lad\d{2}nm$", re.IGNORECASE)
ANY_CODE = re.compile(r"^[a-z]+\d{2}cd$", re.IGNORECASE)
ANY_NAME = re.compile(r"^[a-z]+\d{2}nm$", re.IGNORECASE)
FALLBACK_CODES = ("code", "gss_code", "lowersoa", "lsoa_code", "id")
FALLBACK_NAMES = ("name", "lad_name", "district")


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
    """Repair a geometry and keep only its polygonal part (possibly empty)."""
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


def read_polygons(
    path: str | Path,
    *,
    layer: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    prefer: str = "any",
) -> gpd.GeoDataFrame:
    """Read a polygon layer into ``code``, ``name``, ``geometry`` in EPSG:27700.

    Parameters
    ----------
    path
        GeoJSON, TopoJSON, GeoPackage or Shapefile.
    layer
        Layer to read when the file holds several.
    code_field, name_field
        Field names; detected when omitted (``prefer="lad"`` favours ``LADyyCD``).

    Raises
    ------
    BoundaryFileError
        Unreadable file, several layers and none chosen, no code field, no polygons.
    """
    path = Path(path)
    if not path.exists():
        raise BoundaryFileError(path, "does not exist", fix="check the path or run 'partition fetch'")
    try:
        layers = pyogrio.list_layers(path)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise BoundaryFileError(
            path,
            f"is not a readable GIS file ({str(exc).splitlines()[0]})",
            fix="give a GeoJSON, TopoJSON, GeoPackage or Shapefile",
        ) from None
    names = [str(n) for n in layers[:, 0]]
    if layer is None and len(names) > 1:
        raise BoundaryFileError(
            path, f"holds {len(names)} layers ({', '.join(names)})", fix="choose one with --layer"
        )
    if layer is not None and layer not in names:
        raise BoundaryFileError(path, f"has no layer {layer!r}", fix=f"choose one of {', '.join(names)}")
    try:
        gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:
        raise BoundaryFileError(path, f"cannot be read ({str(exc).splitlines()[0]})") from None
    if len(gdf) == 0:
        raise BoundaryFileError(path, "has no features", fix="give a file with district polygons")
    columns = [c for c in gdf.columns if c != gdf.geometry.name]
    code_pat, name_pat = (LAD_CODE, LAD_NAME) if prefer == "lad" else (ANY_CODE, ANY_NAME)
    code = code_field or _pick(columns, code_pat, ()) or _pick(columns, ANY_CODE, FALLBACK_CODES)
    name = name_field or _pick(columns, name_pat, ()) or _pick(columns, ANY_NAME, FALLBACK_NAMES)
    for given, label in ((code_field, "code"), (name_field, "name")):
        if given is not None and given not in columns:
            raise BoundaryFileError(path, f"has no {label} field {given!r}", column=given, fix=f"fields are: {', '.join(columns)}")
    if code is None:
        raise BoundaryFileError(
            path,
            "has no recognisable code field (e.g. LAD23CD, lad19cd, WD13CD, LSOA11CD)",
            fix=f"name the field with --code-field (fields are: {', '.join(columns)})",
        )
    if gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if max(abs(minx), abs(maxx)) <= 180 and max(abs(miny), abs(maxy)) <= 90:
            assumed = "EPSG:4326"
            label = "WGS84 longitude/latitude"
        else:
            assumed = BNG
            label = "British National Grid (EPSG:27700)"
        warnings.warn(
            DataWarning(f"{path.name}: no CRS declared that GDAL can read; assuming {label}"),
            stacklevel=2,
        )
        gdf = gdf.set_crs(assumed)
    gdf = gdf.to_crs(BNG)
    geoms = gdf.geometry.to_numpy()
    invalid = int((~shapely.is_valid(geoms)).sum())
    repaired = [polygonal(g) for g in geoms]
    out = gpd.GeoDataFrame(
        {
            "code": gdf[code].astype(str).str.strip().to_numpy(),
            "name": (gdf[name].astype(str).str.strip() if name else gdf[code].astype(str)).to_numpy(),
        },
        geometry=repaired,
        crs=BNG,
    )
    empty = out.geometry.is_empty
    if empty.all():
        raise BoundaryFileError(path, "has no polygon geometries", fix="give a polygon layer")
    if empty.any():
        warnings.warn(
            DataWarning(f"{path.name}: dropped {int(empty.sum())} feature(s) without polygons: {', '.join(out.loc[empty, 'code'])}"),
            stacklevel=2,
        )
        out = out[~empty]
    if invalid:
        warnings.warn(DataWarning(f"{path.name}: repaired {invalid} invalid polygon(s) with make_valid"), stacklevel=2)
    if out["code"].duplicated().any():
        out = out.dissolve(by="code", aggfunc="first", as_index=False)[["code", "name", "geometry"]]
    out.attrs["source"] = str(path)
    out.attrs["code_field"] = code
    out.attrs["name_field"] = name
    return out.reset_index(drop=True)


def read_boundaries(path: str | Path, *, layer: str | None = None, code_field: str | None = None, name_field: str | None = None) -> gpd.GeoDataFrame:
    """Read ONS district (LAD) boundaries: ``code``, ``name``, ``geometry`` in EPSG:27700.

    See :func:`read_polygons`; ``LADyyCD``/``LADyyNM`` fields are preferred.
    """
    return read_polygons(path, layer=layer, code_field=code_field, name_field=name_field, prefer="lad")


def read_polygon_folder(folder: str | Path, **kwargs: object) -> gpd.GeoDataFrame:
    """Read every GIS file of a folder (e.g. ``wards_2013_by_lad/``) into one layer."""
    folder = Path(folder)
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in {".json", ".geojson", ".gpkg", ".shp"})
    if not files:
        raise BoundaryFileError(folder, "holds no GeoJSON, GeoPackage or Shapefile", fix="check the folder")
    parts = [read_polygons(f, **kwargs) for f in files]  # type: ignore[arg-type]
    out = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=BNG)
    out.attrs["source"] = str(folder)
    return out
