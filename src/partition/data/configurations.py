"""Reading configurations back: ``assignments.csv`` files (URN, partnership), plan folders and polygon layers."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from partition.core.csvsafe import restore_frame
from partition.data.districts import DEFAULT_TOLERANCE_M
from partition.errors import InputFileError
from partition.io import values
from partition.io.tables import Table, read_table
from partition.warnings import DataWarning


def read_csv_text(path: str | Path, data: bytes | None = None, *, kind: str = "edited plan") -> Table:
    """A planner's CSV (edited plan, k table) read by :func:`partition.io.tables.read_table`: UTF-8 (with or
    without a byte-order mark) or else Windows-1252, comma-, semicolon- or tab-separated, every field text, the quotes partition puts before text a
    spreadsheet would run as a formula removed (:func:`partition.core.csvsafe.restore_frame`: ``'=Andover`` is
    ``=Andover``).

    Parameters
    ----------
    path
        The CSV.
    data
        Its bytes, when already read.
    kind
        What the file is, for messages.

    Returns
    -------
    Table
        Every record as text (never NaN), with its file line.

    Raises
    ------
    InputFileError
        When the file cannot be read or decoded, or a row is malformed (naming file, line and the fix).
    """
    table = read_table(path, data, kind=kind, error=InputFileError)
    return replace(table, frame=restore_frame(table.frame))


def counted_rows(table: Table) -> Table:
    """The rows of a planner's CSV that are counted schools: those whose ``counted`` column is not ``no``.

    Parameters
    ----------
    table
        A CSV read by :func:`read_csv_text`; without a ``counted`` column (any case) every row is kept.

    Returns
    -------
    Table
        The same table without the rows marked ``counted`` = ``no`` (ignoring case and surrounding spaces),
        each kept row with its file line.
    """
    column = table.column("counted")
    if column is None:
        return table
    keep = (table.frame[column].str.strip().str.lower() != "no").to_numpy()
    if keep.all():
        return table
    return replace(table, frame=table.frame[keep].reset_index(drop=True), lines=table.lines[keep])


def read_assignment_csv(path: str | Path, data: bytes | None = None) -> pd.Series:
    """Read a ``URN, partnership`` CSV (any column case; extra columns ignored) into URN → partnership.

    The file line of each row is kept in ``attrs["lines"]`` (a tuple in row order), for later messages.
    Rows whose ``counted`` column is ``no`` (colleges, special schools and PRUs written by ``partition plan``
    or the editor's export) are left out: a member follows the unit it stands in (:mod:`partition.data.members`).

    Parameters
    ----------
    path
        A CSV with a header row holding ``URN`` and ``partnership`` (matched ignoring case and
        surrounding spaces), e.g. an ``assignments.csv`` written by ``partition plan``; read by
        :func:`read_csv_text`.
    data
        Its bytes, when already read.

    Returns
    -------
    pandas.Series
        Partnership name (stripped text) indexed by URN (int), named ``partnership``, in file order.

    Raises
    ------
    InputFileError
        When the file cannot be read as CSV, lacks a ``URN`` or ``partnership`` column, or a row
        has a URN that is not digits (:func:`partition.io.values.identifiers`: ``115855.7``, ``1e5``
        and over-long numbers refused, never rounded), a blank partnership or a URN seen before
        (naming the file's line and column).
    """
    table = counted_rows(read_csv_text(path, data))
    for needed in ("urn", "partnership"):
        if table.column(needed) is None:
            raise InputFileError(
                table.path,
                f"has no '{needed}' column",
                column=needed,
                fix="give a CSV with columns URN and partnership",
            )
    urn_column, name_column = table.column("urn"), table.column("partnership")
    urn = values.identifiers(table, urn_column)
    names = table.frame[name_column].str.strip()
    if (names == "").any():
        i = int(np.flatnonzero((names == "").to_numpy())[0])
        raise table.refuse(i, name_column, "partnership is blank", "name the school's partnership")
    dup = urn.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise table.refuse(i, urn_column, f"URN {int(urn.iloc[i])} appears twice", "keep one row per school")
    labels = pd.Series(names.to_numpy(), index=urn.to_numpy(), name="partnership")
    labels.attrs["lines"] = tuple(int(n) for n in table.lines)
    return labels


def read_plan_folder(path: str | Path) -> tuple[pd.Series, dict]:
    """A folder written by ``partition plan``: its assignment and its ``plan.json``.

    Parameters
    ----------
    path
        The configuration's folder, holding ``assignments.csv`` and (optionally) ``plan.json``.

    Returns
    -------
    labels : pandas.Series
        URN -> partnership name, from :func:`read_assignment_csv`.
    meta : dict
        The parsed ``plan.json`` (see :meth:`partition.model.plan.Plan.summary`); empty when the
        folder has none.

    Raises
    ------
    InputFileError
        When ``assignments.csv`` is missing or malformed (see :func:`read_assignment_csv`).
    """
    path = Path(path)
    labels = read_assignment_csv(path / "assignments.csv")
    meta_path = path / "plan.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return labels, meta


def labels_from_areas(
    schools: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    source: str | Path = "areas",
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> pd.Series:
    """Give each school the area (partnership) containing it, bounded by the edge tolerance.

    A school in no area joins the nearest area when it lies within
    ``tolerance_m`` of it (reported with a :class:`~partition.warnings.DataWarning`
    naming URN, school, area and distance); beyond that the layer is refused.

    Parameters
    ----------
    schools
        ``URN``, ``name``, geometry (EPSG:27700).
    areas
        ``name``, geometry (EPSG:27700).
    source
        The layer's file, for messages.
    tolerance_m
        Farthest a school may lie outside every area (m).

    Returns
    -------
    pandas.Series
        URN -> area name.

    Raises
    ------
    InputFileError
        When some school lies more than ``tolerance_m`` from every area (the
        layer misses part of the study area, or is in the wrong CRS), listing
        each such school with its distance.
    """
    points = schools[["URN", "name", "geometry"]].reset_index(drop=True)
    inside = gpd.sjoin(
        points, areas[["name", "geometry"]].rename(columns={"name": "area"}), how="left", predicate="within"
    )
    inside = inside[~inside.index.duplicated(keep="first")]
    area = inside["area"].reindex(points.index)
    lost = area.isna()
    if lost.any():
        near = gpd.sjoin_nearest(
            points[lost],
            areas[["name", "geometry"]].rename(columns={"name": "area"}),
            how="left",
            distance_col="distance_m",
        )
        near = near[~near.index.duplicated(keep="first")]
        too_far = near[~(near["distance_m"] <= tolerance_m)]
        if len(too_far):
            listed = "; ".join(
                f"URN {int(r.URN)} {r.name} ({r.distance_m / 1000:.1f} km)"
                if r.distance_m == r.distance_m
                else f"URN {int(r.URN)} {r.name}"
                for r in too_far.sort_values("URN").itertuples()
            )
            raise InputFileError(
                source,
                f"{len(too_far)} of {len(points)} schools lie in no area and more than {tolerance_m:g} m from every area: {listed}",
                fix="give a layer that covers the whole study area, with its coordinate reference system declared",
            )
        area[near.index] = near["area"]
        warnings.warn(
            DataWarning(
                f"{Path(source).name}: {len(near)} school(s) lie in no area; joined to the nearest area within "
                f"{tolerance_m:g} m: "
                + "; ".join(f"URN {int(r.URN)} {r.name} -> {r.area} ({r.distance_m:.0f} m)" for r in near.itertuples())
            ),
            stacklevel=2,
        )
    return pd.Series(area.to_numpy(), index=points["URN"].astype(int).to_numpy(), name="partnership")
