"""Reading ONS boundary files (districts, wards, LSOAs, MSOAs).

GeoJSON, TopoJSON, GeoPackage and Shapefile are read through pyogrio/GDAL, from the bytes read once
into memory (:mod:`partition.io.snapshot`; a Shapefile's parts as one in-memory archive).
Code and name fields of any vintage are recognised (``LAD13CD``, ``LAD24CD``,
``lad19cd``, ``WD13CD``, ``LSOA11CD``, ``LOWERSOA`` ...). A file that declares no
CRS (the martinjc TopoJSON files) is read as WGS84 (or British National Grid
when its coordinates are clearly metres) with a warning. Everything is
reprojected to EPSG:27700 and invalid polygons are repaired by one step,
:func:`repair_features` (``make_valid`` with ``method="structure"``): every
feature it changes is reported by name with its area and parts before and
after, and a repair changing a feature by more than 1 % of its area or 10 ha
(:data:`MAX_REPAIR_SHARE`, :data:`MAX_REPAIR_M2`) is refused.

Coordinates are checked against the CRS: degrees in a layer declaring British
National Grid, metres in a layer declaring longitude/latitude (other than a
GeoJSON without a ``crs`` member, read as British National Grid with a
warning), or a layer that lands outside Great Britain, are errors saying what
is wrong and how to fix the file.

:func:`repair_coverage` makes a layer a clean polygon coverage (no overlaps,
sliver gaps closed, neighbours sharing exact edges) and reports every repair
by name; see :mod:`partition.core.coverage`.
"""

from __future__ import annotations

import contextlib
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pyproj
import shapely

from partition.core import coverage
from partition.errors import BoundaryFileError, GeometryRepairError
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
BUFFER_LAYER = re.compile(r"^(pyogrio_)?[0-9a-f]{32}$")
"""The name GDAL gives the layer of a GeoJSON without a ``name`` member read from memory (pyogrio's in-memory
file name: ``pyogrio_<uuid>`` since pyogrio 0.10, the bare ``<uuid>`` before); read from the disk, the layer is
named after the file, as it is reported here."""

MAX_REPAIR_SHARE = 0.01
"""Largest change of a feature's area a repair may make, as a share of the feature (1 %).

Repairing the 619 invalid features of the real boundary files (the TopoJSON-quantised ONS districts of
England, the LSOA, MSOA and ward files) changes none by more than 0.04 % or 3.4 ha: spikes and
slivers where quantisation folded a ring onto itself. A ring drawn with vertices out of order
(Gosport with two vertices swapped) changes by square kilometres and several per cent. Between
the two, 1 % and :data:`MAX_REPAIR_M2` leave a margin of 25 and 3 times over the real files while
refusing any change that could move a school: above either limit the repaired shape is a guess."""
MAX_REPAIR_M2 = 100_000.0
"""Largest change of a feature's area a repair may make, in m² (10 ha, the grounds of a large school)."""
REPAIR_LIMIT = f"{MAX_REPAIR_SHARE * 100:g} % of the feature's area or {MAX_REPAIR_M2 / 1e4:g} ha"
"""The limits in words, for messages."""


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
    """Repair a geometry and keep only its polygonal part (possibly empty): the one repair of every polygon read.

    Parameters
    ----------
    geom
        Any shapely geometry, or None; coordinates in any CRS (unchanged).

    Returns
    -------
    shapely.Geometry
        A valid geometry as is when it is a Polygon or MultiPolygon; otherwise the geometry made valid
        with ``shapely.make_valid(method="structure")`` (every shell unioned, every hole subtracted: a
        self-crossing ring keeps all its lobes, a ring looping over itself is not punched by even-odd
        holes), then the union of its polygonal parts, or an empty Polygon when it has none.
    """
    if geom is None or geom.is_empty:
        return shapely.Polygon()
    if not geom.is_valid:
        geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts)


@dataclass(frozen=True)
class FeatureRepair:
    """What repairing one invalid feature of a polygon layer changed (British National Grid, metres).

    Attributes
    ----------
    code, name
        The feature's code and name (the code when the layer has no name field).
    fault
        The fault GEOS reports (``"Ring Self-intersection"``, ``"Self-intersection"`` ...).
    where
        Easting and northing of that fault, or None when GEOS gives none.
    area_before_m2
        Area as drawn: each ring's signed (shoelace) area, shells less holes, as a GIS's area field
        computes it. A lobe of a self-crossing ring drawn the other way round counts negative.
    area_after_m2
        Area of the repaired polygons.
    parts_before, parts_after
        Polygons as drawn and once repaired.
    drawn_wkb
        The feature as drawn (WKB, so that copying a layer's ``attrs`` stays cheap).
    """

    code: str
    name: str
    fault: str
    where: tuple[float, float] | None
    area_before_m2: float
    area_after_m2: float
    parts_before: int
    parts_after: int
    drawn_wkb: bytes

    @property
    def label(self) -> str:
        """``Gosport (E07000088)``, or the code alone when the layer has no names."""
        return f"{self.name} ({self.code})" if self.name != self.code else self.code

    @property
    def change_m2(self) -> float:
        """Area repaired less area as drawn (m²)."""
        return self.area_after_m2 - self.area_before_m2

    @property
    def too_large(self) -> bool:
        """Whether the change exceeds :data:`MAX_REPAIR_SHARE` of the feature or :data:`MAX_REPAIR_M2`."""
        size = max(abs(self.area_before_m2), self.area_after_m2)
        return abs(self.change_m2) > MAX_REPAIR_M2 or abs(self.change_m2) > MAX_REPAIR_SHARE * size

    @property
    def place(self) -> str:
        """``near 461,719 E 101,295 N`` (the fault), or empty."""
        return f" near {self.where[0]:,.0f} E {self.where[1]:,.0f} N" if self.where else ""

    def describe(self) -> str:
        """One clause: the feature, its fault and place, areas and parts before and after.

        Returns
        -------
        str
            E.g. ``Gosport (E07000088), Ring Self-intersection near 461,719 E 101,295 N: 19.602 km² as drawn,
            22.413 km² repaired (+2.81 km², +12.5 %), 1 part → 2 parts``.
        """
        sign = "+" if self.change_m2 >= 0 else "-"
        change = f"{sign}{coverage.format_area(abs(self.change_m2))}" if abs(self.change_m2) >= 1 else "under 1 m²"
        return (
            f"{self.label}, {self.fault}{self.place}: {self.area_before_m2 / 1e6:.3f} km² as drawn, "
            f"{self.area_after_m2 / 1e6:.3f} km² repaired ({change}, "
            f"{self._share()}), {_parts(self.parts_before)} → {_parts(self.parts_after)}"
        )

    def _share(self) -> str:
        """The change as a share of the feature: ``+12.5 %``, ``under 0.1 %``."""
        size = max(abs(self.area_before_m2), self.area_after_m2)
        share = 100 * self.change_m2 / size if size else 0.0
        return f"{share:+.1f} %" if abs(share) >= 0.1 else "under 0.1 %"


def _parts(n: int) -> str:
    return f"{n} part" if n == 1 else f"{n} parts"


def _fault(geom: shapely.Geometry) -> tuple[str, tuple[float, float] | None]:
    """GEOS's reason a geometry is invalid, split into the fault and its place."""
    reason = shapely.is_valid_reason(geom) or "invalid"
    match = re.match(r"^(.*?)\[\s*(-?[\d.eE+-]+)\s+(-?[\d.eE+-]+)", reason)
    if not match:
        return reason, None
    return match.group(1).strip(), (float(match.group(2)), float(match.group(3)))


def _count_polygons(geom: shapely.Geometry) -> int:
    return sum(1 for g in shapely.get_parts(geom) for p in shapely.get_parts(g) if p.geom_type == "Polygon")


def repair_features(
    geoms: np.ndarray, codes: list[str], names: list[str]
) -> tuple[list[shapely.Geometry], list[FeatureRepair]]:
    """Repair the features of a polygon layer with :func:`polygonal` and measure what each repair changed.

    Parameters
    ----------
    geoms
        The features' geometries in British National Grid (EPSG:27700, metres); None for none.
    codes, names
        The features' codes and names, for the report.

    Returns
    -------
    tuple
        The polygonal part of each geometry (an empty Polygon when it has none) and a
        :class:`FeatureRepair` for each feature that was invalid, in layer order.
    """
    out, repairs = [], []
    for geom, code, name in zip(geoms, codes, names):
        fixed = polygonal(geom)
        out.append(fixed)
        if geom is None or geom.is_empty or geom.is_valid:
            continue
        fault, where = _fault(geom)
        repairs.append(
            FeatureRepair(
                code=code,
                name=name,
                fault=fault,
                where=where,
                area_before_m2=float(shapely.area(geom)),
                area_after_m2=float(shapely.area(fixed)),
                parts_before=_count_polygons(geom),
                parts_after=_count_polygons(fixed),
                drawn_wkb=shapely.to_wkb(geom),
            )
        )
    return out, repairs


def repair_report(source: str, repairs: list[FeatureRepair], shown: int = 10) -> str:
    """The data warning for the repairs of one file: the largest changes by name, the rest counted.

    Parameters
    ----------
    source
        The file's name.
    repairs
        What :func:`repair_features` repaired (none too large).
    shown
        Features named, largest area change first; the others are counted with their largest change.

    Returns
    -------
    str
        ``<file>: repaired N invalid polygon(s) with shapely make_valid (method 'structure'), each within the
        limit (...): <feature clauses>[; and M more, each changed by at most X]``.
    """
    ranked = sorted(repairs, key=lambda r: (-abs(r.change_m2), r.code))
    text = (
        f"{source}: repaired {len(repairs)} invalid polygon(s) with shapely make_valid (method 'structure'), "
        f"each within the limit ({REPAIR_LIMIT}): " + "; ".join(r.describe() for r in ranked[:shown])
    )
    rest = ranked[shown:]
    if rest:
        text += f"; and {len(rest)} more, each changed by at most {coverage.format_area(abs(rest[0].change_m2))}"
    return text


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
        polygonal ``geometry`` in British National Grid (EPSG:27700, metres), repaired by
        :func:`repair_features`; features sharing a code are dissolved into one. ``attrs`` holds ``source``,
        ``code_field``, ``name_field`` and ``geometry_repairs`` (a :class:`FeatureRepair` per feature
        repaired). A missing CRS assumed, features without polygons dropped and polygons repaired (each
        by name: area and parts before and after) are reported with a :class:`~partition.warnings.DataWarning`.

    Raises
    ------
    BoundaryFileError
        Missing or unreadable file, several layers and none chosen (or an unknown one), no features, no
        code field (or a given field missing), coordinates that do not fit the declared CRS or lie outside
        Great Britain, no polygons.
    GeometryRepairError
        When repairing a feature would change its area by more than 1 % or 10 ha (see
        :data:`MAX_REPAIR_SHARE`).
    """
    path = Path(path)
    if data is None:
        data = _read_file(path)
    gdf = _read_layer(path, data, layer)
    code, name = _code_and_name_fields(gdf, path, code_field, name_field, prefer)
    gdf = _check_crs(gdf, path, data)
    if gdf.crs is None:
        gdf = _assume_crs(gdf, path)
    declared = gdf
    _say_reprojected(declared, path)
    gdf = gdf.to_crs(BNG)
    _check_in_britain(gdf, path, declared)
    out, repairs = _coded_polygons(gdf, code, name)
    _refuse_large_repairs(path, repairs)
    out = _drop_empty(out, path)
    if repairs:
        warnings.warn(DataWarning(repair_report(path.name, repairs)), stacklevel=2)
    if out["code"].duplicated().any():
        out = out.dissolve(by="code", aggfunc="first", as_index=False)[["code", "name", "geometry"]]
    out.attrs["source"] = str(path)
    out.attrs["code_field"] = code
    out.attrs["name_field"] = name
    out.attrs["geometry_repairs"] = repairs
    return out.reset_index(drop=True)


def _refuse_large_repairs(path: Path, repairs: list[FeatureRepair]) -> None:
    """Raise when a repair changes its feature by more than :data:`MAX_REPAIR_SHARE` or :data:`MAX_REPAIR_M2`.

    Raises
    ------
    GeometryRepairError
        Naming each such feature, its fault and place, its areas and parts before and after.
    """
    refused = [r for r in repairs if r.too_large]
    if refused:
        raise GeometryRepairError(path, refused, REPAIR_LIMIT)


POLYGON_TYPES = re.compile(r"polygon|surface|^unknown|^geometry", re.IGNORECASE)
"""GDAL geometry types of a layer that may hold polygons (GeoJSON and TopoJSON layers are ``Unknown``)."""


MEMORY_FILE_NOTE = r".*/vsimem/.* has GPKG application_id, but non conformant file extension"
"""GDAL's note on a GeoPackage read from memory (pyogrio's in-memory file has no ``.gpkg`` extension): about
the in-memory name, not the user's file, so it is not passed on."""


@contextlib.contextmanager
def _memory_file() -> Iterator[None]:
    """Read GIS bytes through GDAL without its notes about pyogrio's in-memory file name."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=MEMORY_FILE_NOTE)
        yield


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


def _layers(path: Path, data: bytes) -> list[tuple[str, str | None]]:
    """The layers of a GIS file (``data``, its bytes) with their GDAL geometry type (None for a table without
    geometry), named as GDAL names them reading ``path``.

    Raises
    ------
    BoundaryFileError
        When GDAL cannot read it.
    """
    try:
        with _memory_file():
            layers = pyogrio.list_layers(data)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise BoundaryFileError(
            path,
            f"is not a readable GIS file ({str(exc).splitlines()[0]})",
            fix="give a GeoJSON, TopoJSON, GeoPackage or Shapefile",
        ) from None
    return [(path.stem if BUFFER_LAYER.match(str(n)) else str(n), None if t is None else str(t)) for n, t in layers]


def _is_polygon_layer(geometry_type: str | None) -> bool:
    return geometry_type is not None and bool(POLYGON_TYPES.search(geometry_type))


def _kind(geometry_type: str | None) -> str:
    """``no geometry`` or the layer's geometry type in lower case (``point``, ``multilinestring``)."""
    return "no geometry" if geometry_type is None else geometry_type.lower()


def _choose_layer(path: Path, layers: list[tuple[str, str | None]], layer: str | None) -> str | None:
    """The layer to read of ``layers`` (:func:`_layers`): the one named, else the file's only layer that may
    hold polygons.

    Layers are chosen by geometry type first: points, lines and tables without geometry are never
    read as boundaries nor offered as choices.

    Raises
    ------
    BoundaryFileError
        When the named layer does not exist or holds no polygons, or ``layer`` is None and the file
        holds no polygon layer or several (each message lists the polygon layers). Reading the only
        polygon layer of a file with other layers is reported with a :class:`~partition.warnings.DataWarning`.
    """
    polygons = [n for n, t in layers if _is_polygon_layer(t)]
    others = ", ".join(f"{n} ({_kind(t)})" for n, t in layers if not _is_polygon_layer(t))
    choose = (
        f"choose one of its polygon layers with --layer: {', '.join(polygons)}"
        if polygons
        else "give a file with a polygon layer of district boundaries"
    )
    if layer is not None:
        kinds = dict(layers)
        if layer not in kinds:
            raise BoundaryFileError(path, f"has no layer {layer!r}", fix=choose)
        if kinds[layer] is None:
            raise BoundaryFileError(path, f"layer {layer!r} is a table without geometry, not polygons", fix=choose)
        if not _is_polygon_layer(kinds[layer]):
            raise BoundaryFileError(path, f"layer {layer!r} holds {kinds[layer]} geometries, not polygons", fix=choose)
        return layer
    if not polygons:
        raise BoundaryFileError(path, f"holds no polygon layer (layers: {others})", fix=choose)
    if len(polygons) > 1:
        raise BoundaryFileError(
            path,
            f"holds {len(polygons)} polygon layers ({', '.join(polygons)})",
            fix=f"{choose} (district boundaries), or save one as a file of its own "
            f"(ogr2ogr one.gpkg {path.name} {polygons[0]})",
        )
    if len(layers) == 1:
        return None
    warnings.warn(
        DataWarning(f"{path.name}: read layer {polygons[0]!r}, its only polygon layer (the others: {others})"),
        stacklevel=4,
    )
    return polygons[0]


def _read_layer(path: Path, data: bytes, layer: str | None) -> gpd.GeoDataFrame:
    """The features of the chosen (or only polygon) layer of ``data`` (the bytes of ``path``), as GDAL reads them.

    Raises
    ------
    BoundaryFileError
        When the file is missing or unreadable, the layer cannot be chosen (see :func:`_choose_layer`),
        has no geometry or no features.
    """
    layers = _layers(path, data)
    layer = _choose_layer(path, layers, layer)
    try:
        with _memory_file():
            gdf = gpd.read_file(data, layer=None if layer is None else [n for n, _ in layers].index(layer))
    except Exception as exc:
        raise BoundaryFileError(path, f"cannot be read ({str(exc).splitlines()[0]})") from None
    if not isinstance(gdf, gpd.GeoDataFrame):  # GDAL found no geometry column after all
        raise BoundaryFileError(
            path, f"layer {layer or gdf.attrs.get('layer', '')!r} has no geometry", fix="give a polygon layer"
        )
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
    """Declare WGS84 for a layer without CRS whose coordinates look like degrees, British National Grid
    when they look like its metres; warn (attributed to the caller of :func:`read_polygons`).

    Raises
    ------
    BoundaryFileError
        When the coordinates are neither: the message names the CRS they fit (:func:`likely_crs`).
    """
    if _looks_degrees(gdf):
        assumed = "EPSG:4326"
        label = "WGS84 longitude/latitude"
    elif _looks_bng(gdf):
        assumed = BNG
        label = "British National Grid (EPSG:27700)"
    else:
        raise BoundaryFileError(
            path,
            f"declares no CRS that GDAL can read and its coordinates range {_extent(gdf)}, {_fit_words(gdf)}",
            fix=_declare_fix(gdf, path),
        )
    warnings.warn(
        DataWarning(f"{path.name}: no CRS declared that GDAL can read; assuming {label}"),
        stacklevel=3,
    )
    return gdf.set_crs(assumed)


COMMON_CRS = (
    ("EPSG:27700", "British National Grid"),
    ("EPSG:3857", "Web Mercator"),
    ("EPSG:32630", "UTM zone 30N"),
    ("EPSG:32631", "UTM zone 31N"),
    ("EPSG:3035", "ETRS89 / LAEA Europe"),
    ("EPSG:29903", "Irish Grid"),
    ("EPSG:2157", "Irish Transverse Mercator"),
)
"""Projected CRSs boundary files of Great Britain come in, tried in this order by :func:`likely_crs`."""


def likely_crs(gdf: gpd.GeoDataFrame) -> list[tuple[str, str]]:
    """The common projected CRSs in which a layer's coordinates would lie in Great Britain, likeliest first.

    Parameters
    ----------
    gdf
        A layer whose coordinates are not degrees (its declared CRS, if any, is ignored).

    Returns
    -------
    list of tuple
        ``(EPSG code, name)`` of each CRS of :data:`COMMON_CRS` that puts the layer's extent inside Great
        Britain's British National Grid extent (:data:`GB_BNG`) with its centre at most
        :data:`AREA_OF_USE_MARGIN_DEG` outside the CRS's area of use; the nearest to its area of use
        first, then in :data:`COMMON_CRS` order. Empty when none fits.
    """
    bounds = gdf.total_bounds
    if not np.isfinite(bounds).all():
        return []
    fits = []
    for order, (code, label) in enumerate(COMMON_CRS):
        outside = _degrees_outside_area_of_use(code, bounds)
        if outside is not None and outside <= AREA_OF_USE_MARGIN_DEG:
            fits.append((outside, order, code, label))
    return [(code, label) for _, _, code, label in sorted(fits)]


AREA_OF_USE_MARGIN_DEG = 3.0
"""How far (degrees of longitude or latitude) a layer's centre may lie outside a CRS's area of use for
:func:`likely_crs` to offer it: a UTM zone is used up to a few degrees beyond its six."""


def _degrees_outside_area_of_use(code: str, bounds: np.ndarray) -> float | None:
    """How far the centre of ``bounds``, read in CRS ``code``, lies outside the CRS's area of use
    (degrees, 0 inside); None when the extent does not then lie in Great Britain.
    """
    try:
        to_bng = pyproj.Transformer.from_crs(code, BNG, always_xy=True)
        box = to_bng.transform_bounds(*bounds)
        lon, lat = pyproj.Transformer.from_crs(code, "EPSG:4326", always_xy=True).transform(
            (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
        )
    except pyproj.exceptions.ProjError:
        return None
    inside = GB_BNG[0] <= box[0] and box[2] <= GB_BNG[2] and GB_BNG[1] <= box[1] and box[3] <= GB_BNG[3]
    if not (np.isfinite([*box, lon, lat]).all() and inside):
        return None
    area = pyproj.CRS(code).area_of_use
    if area is None:
        return 0.0
    return max(area.west - lon, lon - area.east, area.south - lat, lat - area.north, 0.0)


def _fit_words(gdf: gpd.GeoDataFrame) -> str:
    """``which look like Web Mercator (EPSG:3857) metres``, or that they fit none of :data:`COMMON_CRS`."""
    fits = likely_crs(gdf)
    if fits:
        return "which look like " + " or ".join(f"{label} ({code})" for code, label in fits) + " metres"
    return "which are not degrees and lie in Great Britain in none of " + ", ".join(
        f"{label} ({code})" for code, label in COMMON_CRS
    )


def _declare_fix(gdf: gpd.GeoDataFrame, path: Path) -> str:
    """Declare the CRS the coordinates fit (the first of :func:`likely_crs`), with the ogr2ogr line."""
    fits = likely_crs(gdf)
    code, label = fits[0] if fits else ("EPSG:....", "the one the file was made in")
    return f"declare the CRS the coordinates are in, e.g. 'ogr2ogr -a_srs {code} fixed.gpkg {path.name}' for {label}"


def _say_reprojected(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """Report a layer declaring a projected CRS other than British National Grid, reprojected to it."""
    if gdf.crs is None or not gdf.crs.is_projected or gdf.crs.equals(BNG):
        return
    code = gdf.crs.to_epsg()
    warnings.warn(
        DataWarning(
            f"{path.name}: declares {gdf.crs.name}{f' (EPSG:{code})' if code else ''}; "
            "reprojected to British National Grid (EPSG:27700)"
        ),
        stacklevel=3,
    )


def _coded_polygons(gdf: gpd.GeoDataFrame, code: str, name: str | None) -> tuple[gpd.GeoDataFrame, list[FeatureRepair]]:
    """``code``, ``name`` (the code when there is no name field) and the polygonal part of each geometry,
    repaired by :func:`repair_features`, with what each repair changed.
    """
    codes = gdf[code].astype(str).str.strip().to_numpy()
    names = (gdf[name].astype(str).str.strip() if name else gdf[code].astype(str)).to_numpy()
    geoms, repairs = repair_features(gdf.geometry.to_numpy(), list(codes), list(names))
    return gpd.GeoDataFrame({"code": codes, "name": names}, geometry=geoms, crs=BNG), repairs


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
    reads one without as WGS84).
    """
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
            + _fit_words(gdf),
            fix=_declare_fix(gdf, path),
        )
    if gdf.crs.is_projected and _looks_degrees(gdf):
        raise BoundaryFileError(
            path,
            f"declares {gdf.crs.name} (metres) but its coordinates range {_extent(gdf)}, "
            "which look like longitude/latitude degrees",
            fix=f"declare the CRS the coordinates are in, e.g. 'ogr2ogr -a_srs EPSG:4326 fixed.gpkg {path.name}'",
        )
    return gdf


def _check_in_britain(gdf: gpd.GeoDataFrame, path: Path, declared: gpd.GeoDataFrame) -> None:
    """Raise when a layer reprojected to British National Grid does not lie in Great Britain.

    Raises
    ------
    BoundaryFileError
        Naming the CRS the coordinates as written (``declared``) fit, when one of :data:`COMMON_CRS` does.
    """
    minx, miny, maxx, maxy = gdf.total_bounds
    if gdf.geometry.is_empty.all() or not np.isfinite([minx, miny, maxx, maxy]).all():
        return
    if maxx < GB_BNG[0] or minx > GB_BNG[2] or maxy < GB_BNG[1] or miny > GB_BNG[3]:
        fits = [] if _looks_degrees(declared) else likely_crs(declared)
        raise BoundaryFileError(
            path,
            f"lies outside Great Britain once reprojected to British National Grid ({_extent(gdf)}): "
            "its declared CRS does not match its coordinates"
            + (
                f" ({_extent(declared)}, {_fit_words(declared)})"
                if fits
                else " (or longitude and latitude are swapped)"
            ),
            fix=_declare_fix(declared, path)
            if fits
            else "declare the CRS the coordinates are in (ogr2ogr -a_srs EPSG:...) or swap the axes",
        )


def repair_coverage(layer: gpd.GeoDataFrame, *, what: str = "polygons") -> gpd.GeoDataFrame:
    """Make a polygon layer a clean coverage and report every repair by name.

    Polygons are put on one 1 cm grid; overlaps are left with the polygon
    first in code order and taken from the others; sliver gaps between
    polygons are given to the neighbour sharing most boundary (see
    :func:`partition.core.coverage.rebuild_coverage`).

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
