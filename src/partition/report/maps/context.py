"""Orientation that works offline: neighbouring authorities and towns around the study area."""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from partition.data.places import la_places, place_key
from partition.io import datapaths

NEIGHBOUR_M = 5_000.0
"""Districts of other authorities within this distance (m) of the study area are drawn as context at least."""

CONTEXT_SHARE = 0.5
"""Land around the study area is drawn out to this share of the study area's extent (the diagonal of its
bounding box) beyond its bounding box, so that a map fitted beside its legend shows land, not sea, where
there is land (a small inland LA such as Rutland is otherwise ringed by sea-coloured background)."""

MIN_CONTEXT_M = 30_000.0
"""Land around the study area is drawn out to at least this distance (m) beyond its bounding box."""


def _read(path: str) -> gpd.GeoDataFrame:
    """The file's districts, parsed from its bytes as they are now (once per content: :mod:`partition.io.memo`)."""
    from partition.io.boundaries import read_boundaries

    with warnings.catch_warnings():  # display only: repairs of neighbours' polygons do not affect any plan
        warnings.simplefilter("ignore")
        return read_boundaries(path)


def _candidates(boundaries: str | None, data: str | Path | None) -> list[Path]:
    paths = [Path(boundaries)] if boundaries else []
    try:
        base = datapaths.data_dir(data)
    except Exception:  # no data folder: only the file the plan was made from
        return paths
    return paths + [base / name for name in datapaths.ENGLAND_BOUNDARIES if (base / name).exists()]


def context_box(outline: shapely.Geometry) -> shapely.Geometry:
    """The box around the study area in which other authorities' land is drawn.

    Parameters
    ----------
    outline
        The study area (metres, BNG).

    Returns
    -------
    shapely.Polygon
        Its bounding box grown by ``max(CONTEXT_SHARE × its diagonal, MIN_CONTEXT_M, NEIGHBOUR_M)`` metres.
    """
    x0, y0, x1, y1 = outline.bounds
    margin = max(CONTEXT_SHARE * float(np.hypot(x1 - x0, y1 - y0)), MIN_CONTEXT_M, NEIGHBOUR_M)
    return shapely.box(x0 - margin, y0 - margin, x1 + margin, y1 + margin)


def neighbouring_districts(
    districts: gpd.GeoDataFrame,
    boundaries: str | Path | None = None,
    data: str | Path | None = None,
    *,
    read: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Districts of other authorities around the study area, for context on the maps.

    The districts' own boundary file is tried first; when it holds only the
    study area (the Hampshire extract), the England district file of the data
    folder (:data:`partition.io.datapaths.ENGLAND_BOUNDARIES`) is used. Every district
    of another authority within :func:`context_box` is drawn, cut to the box, so the
    land around fills the map's view; each is cut back to the part outside the study
    area, so the two layers never overlap.

    Parameters
    ----------
    districts
        The study area's districts (``code``, ``name``, geometry; EPSG:27700).
    boundaries
        The boundary file they were read from (``Dataset.sources["boundaries"]``).
    data
        Data folder (default: the rule of :mod:`partition.io.datapaths`).
    read
        Every district of ``boundaries`` as already read (``Dataset.all_districts``), used instead of
        reading the file again.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code``, ``name``, ``source``, geometry (EPSG:27700); empty when no file
        has neighbours.
    """
    outline = shapely.union_all(districts.geometry.to_numpy())
    view = context_box(outline)
    own = set(districts["code"])
    for path in _candidates(str(boundaries) if boundaries else None, data):
        try:
            every = read if read is not None and boundaries and path == Path(boundaries) else _read(str(path))
        except Exception:  # an unreadable context file only means no context
            continue
        near = every[~every["code"].isin(own) & every.geometry.intersects(view)]
        if len(near):
            cut = near.geometry.intersection(view).difference(outline.buffer(1))
            out = gpd.GeoDataFrame(
                {"code": near["code"].to_numpy(), "name": near["name"].to_numpy(), "source": path.name},
                geometry=cut.to_numpy(),
                crs=every.crs,
            )
            return out[~out.geometry.is_empty].reset_index(drop=True)
    return gpd.GeoDataFrame({"code": [], "name": [], "source": []}, geometry=[], crs=districts.crs)


def towns(schools: gpd.GeoDataFrame, outline: shapely.Geometry, limit: int = 14, min_schools: int = 4) -> pd.DataFrame:
    """Places to name on the maps: the schools' towns (GIAS ``Town``) that are places of the LA.

    GIAS ``Town`` is the *postal* town, often outside the LA ("Southampton" for
    Totton, "Reading" for villages of south Oxfordshire). A town is named only
    when :func:`partition.data.places.la_places` confirms it as a place of the LA
    (see :mod:`partition.data.naming`), and it is placed at the median position of
    its schools, kept only if that point lies inside ``outline``.

    Parameters
    ----------
    schools
        Schools with ``town`` and point geometry (EPSG:27700).
    outline
        The study area.
    limit
        Most towns returned (those with most schools).
    min_schools
        Fewest schools a town needs.

    Returns
    -------
    pandas.DataFrame
        ``name``, ``schools``, ``x``, ``y`` (EPSG:27700), most schools first.
    """
    if "town" not in schools.columns:
        return pd.DataFrame(columns=["name", "schools", "x", "y"])
    frame = pd.DataFrame(
        {"name": schools["town"].astype("string").str.strip(), "x": schools.geometry.x, "y": schools.geometry.y}
    ).dropna()
    frame = frame[frame["name"] != ""]
    confirmed = la_places(schools).confirmed
    frame = frame[frame["name"].map(lambda n: place_key(n) in confirmed).astype(bool)]
    grouped = frame.groupby("name").agg(schools=("x", "size"), x=("x", "median"), y=("y", "median")).reset_index()
    grouped = grouped[grouped["schools"] >= min_schools]
    inside = shapely.contains_xy(outline, grouped["x"].to_numpy(), grouped["y"].to_numpy())
    grouped = grouped[inside].sort_values(["schools", "name"], ascending=[False, True])
    return grouped.head(limit).reset_index(drop=True)
