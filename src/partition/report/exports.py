"""GIS exports: one GeoPackage that opens in QGIS as is, with GeoJSON and CSV equivalents.

Layers: ``schools`` (every school, then every college, special school and pupil referral unit taking part
as a member, with ``counted``: ``yes`` for a school counted toward the size bounds, ``no`` for a member; one
column per configuration with its partnership),
``partnerships_<configuration>`` (dissolved polygons with their figures, their ``colleges`` and
``special_schools`` among them, and the
configuration's ``status`` and ``violations``: the rules it breaks, empty when it
meets them), ``units``
and ``districts``. GeoPackage layers stay in British National Grid (EPSG:27700);
GeoJSON files are WGS84 as the format requires, every polygon valid in WGS84.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from partition.core.coverage import to_wgs84_valid
from partition.core.csvsafe import write_csv
from partition.core.filenames import path_inside
from partition.model.plan import Plan

GPKG_LAST_CHANGE = "2000-01-01T00:00:00.000Z"
"""The ``last_change`` stamp written in the GeoPackage's ``gpkg_contents`` table for every layer (GDAL's
``OGR_CURRENT_DATE``), instead of the time of writing: the file then depends on its contents alone, so two runs
of the same inputs and seed give byte-identical GeoPackages. The run's date is in ``manifest.json``."""


@contextlib.contextmanager
def _fixed_gpkg_date() -> Iterator[None]:
    """Write GeoPackages stamped :data:`GPKG_LAST_CHANGE` (GDAL's setting restored afterwards)."""
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_LAST_CHANGE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def _layer_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_]+", "_", name)


SCHOOL_COLUMNS = ["URN", "name", "kind", "phase", "type", "pupils", "pupils_imputed", "district", "unit", "geometry"]
"""The columns of the ``schools`` layer before ``counted`` and the configurations' partnerships."""


def _establishments(schools: gpd.GeoDataFrame, members: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """The schools (``counted`` = ``"yes"``) then the members (``"no"``) with :data:`SCHOOL_COLUMNS`; ``pupils``
    nullable (a member's may be blank), ``pupils_imputed`` boolean.
    """
    s = schools[SCHOOL_COLUMNS].assign(counted="yes")
    s["pupils"] = s["pupils"].astype("Int64")
    if members is None or members.empty:
        return s
    m = members.reindex(columns=SCHOOL_COLUMNS).assign(counted="no")
    m["pupils"] = m["pupils"].astype("Int64")
    m["pupils_imputed"] = m["pupils_imputed"].fillna(False).astype(bool)
    m = m.set_geometry("geometry", crs=members.crs).to_crs(s.crs)
    return gpd.GeoDataFrame(pd.concat([s, m], ignore_index=True), geometry="geometry", crs=s.crs)


def _partnership_of(plan: Plan) -> pd.Series:
    """URN -> partnership name in ``plan``, for its schools and its members."""
    both = [plan.assignments[["URN", "partnership"]]]
    if not plan.members.empty:
        both.append(plan.members[["URN", "partnership"]])
    return pd.concat(both, ignore_index=True).set_index("URN")["partnership"]


def export_layers(
    plans: list[Plan],
    schools: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    members: gpd.GeoDataFrame | None = None,
) -> dict[str, gpd.GeoDataFrame]:
    """The layers to export, by name.

    Parameters
    ----------
    plans
        The configurations; each adds a column to ``schools`` and a ``partnerships_<name>`` layer.
    schools
        Schools (points, EPSG:27700) with ``URN``, ``name``, ``kind``, ``phase``, ``type``,
        ``pupils``, ``pupils_imputed``, ``district`` and ``unit``.
    units
        Planning units (polygons, EPSG:27700); their ``x``, ``y`` columns are left out.
    districts
        District polygons (EPSG:27700) with ``code`` (ONS) and ``name``.
    members
        The colleges, special schools and pupil referral units taking part as members (``Inputs.members``:
        points with ``URN``, ``name``, ``kind``, ``type``, ``pupils`` (nullable), ``district``, ``unit``);
        None or empty for none.

    Returns
    -------
    dict of str to geopandas.GeoDataFrame
        ``schools`` (the schools, then the members: those columns, ``pupils`` nullable (a college's students
        aged 16-18, blank for a special school), ``counted`` (``"yes"`` for a school counted toward the size
        bounds, ``"no"`` for a member), plus one column per configuration: the establishment's partnership name,
        the column named after the configuration with characters outside ``[A-Za-z0-9_]`` as
        ``_``), ``partnerships_<name>`` per configuration (its partnerships with their figures, ``colleges``
        and ``special_schools`` among them, ``status`` and ``violations``), ``units`` and ``districts``; all in
        EPSG:27700.

    Raises
    ------
    KeyError
        When ``schools`` or ``districts`` lacks one of those columns.
    """
    s = _establishments(schools, members)
    for plan in plans:
        s[_layer_name(plan.name)] = s["URN"].map(_partnership_of(plan))
    layers = {"schools": s}
    for plan in plans:
        layer = plan.partnerships.copy()
        layer["status"] = plan.status
        layer["violations"] = "; ".join(plan.broken_rules())
        layers["partnerships_" + _layer_name(plan.name)] = layer
    u = units.drop(columns=[c for c in ("x", "y") if c in units]).copy()
    layers["units"] = u
    layers["districts"] = districts[["code", "name", "geometry"]].copy()
    return layers


def write_exports(
    plans: list[Plan],
    schools: gpd.GeoDataFrame,
    units: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    folder: str | Path,
    members: gpd.GeoDataFrame | None = None,
) -> list[Path]:
    """Write ``partition.gpkg`` plus ``<layer>.geojson`` and ``<layer>.csv`` (attributes, with lon/lat for points).

    Parameters
    ----------
    plans, schools, units, districts, members
        As :func:`export_layers`.
    folder
        The folder to write to (created when missing); an existing ``partition.gpkg`` is replaced.

    Returns
    -------
    list of pathlib.Path
        The files written: the GeoPackage (layers in British National Grid, EPSG:27700; stamped
        :data:`GPKG_LAST_CHANGE`, so it is byte-identical for the same plans), then
        per layer its GeoJSON (WGS84, polygons valid in WGS84) and its CSV (attributes; for a
        point layer ``longitude`` and ``latitude`` in degrees, 6 decimals; written by
        :func:`partition.core.csvsafe.write_csv`, so no text cell runs as a spreadsheet formula).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    gpkg = folder / "partition.gpkg"
    if gpkg.exists():
        gpkg.unlink()
    written = [gpkg]
    for name, layer in export_layers(plans, schools, units, districts, members).items():
        with _fixed_gpkg_date():
            layer.to_file(gpkg, layer=name, driver="GPKG")
        wgs = to_wgs84_valid(layer)
        path = path_inside(folder, f"{name}.geojson")
        wgs.to_file(path, driver="GeoJSON")
        table = wgs.drop(columns="geometry")
        if (wgs.geom_type == "Point").all():
            table["longitude"] = wgs.geometry.x.round(6)
            table["latitude"] = wgs.geometry.y.round(6)
        written += [path, write_csv(table, path_inside(folder, f"{name}.csv"))]
    return written
