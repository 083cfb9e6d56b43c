"""The files of one configuration: ``assignments.csv``, ``partnerships.geojson`` and ``plan.json``, written at once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from partition.analysis.validate import verify_written_plan
from partition.core.coverage import to_wgs84_valid
from partition.core.csvsafe import write_csv
from partition.core.filenames import path_inside
from partition.model.plan import Plan
from partition.runs.publish import make_temp_dir


def write_plan(plan: Plan, out_dir: str | Path) -> Path:
    """Write ``assignments.csv``, ``partnerships.geojson`` (WGS84) and ``plan.json`` to ``out_dir/<name>/``.

    Polygons are written valid in WGS84 (see :func:`partition.core.coverage.to_wgs84_valid`).

    Files are written to a temporary folder first, read back and checked by
    :func:`partition.analysis.validate.verify_written_plan`, then moved into place, so a
    failure leaves no partial output. ``assignments.csv`` is written by
    :func:`partition.core.csvsafe.write_csv` (text a spreadsheet would run as a formula is quoted).

    Parameters
    ----------
    plan
        The configuration.
    out_dir
        The run's output folder (created when missing); a folder ``<name>`` already in it
        is replaced.

    Returns
    -------
    pathlib.Path
        The configuration's folder, ``out_dir/<name>``.

    Raises
    ------
    IntegrityError
        When the files read back do not hold the plan (a school lost or twice,
        an invalid polygon, a connected partnership written as several polygons).
    UnsafeNameError
        When the name is not a safe folder name (see :func:`partition.core.filenames.path_inside`):
        nothing is written.
    """
    out_dir = Path(out_dir)
    target = path_inside(out_dir, plan.name)
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = make_temp_dir(out_dir, f".{plan.name}-")
    try:
        write_csv(plan.assignment_table(), tmp / "assignments.csv")
        to_wgs84_valid(plan.partnerships).to_file(tmp / "partnerships.geojson", driver="GeoJSON")
        (tmp / "plan.json").write_text(json.dumps(plan.summary(), indent=2, default=json_default) + "\n")
        verify_written_plan(tmp, plan)  # read back as a GIS would, before anything is published
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return target


def json_default(value: Any) -> Any:
    """JSON for numpy scalars, tuples and sets (``json.dumps(..., default=json_default)``)."""
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, tuple | set):
        return list(value)
    return str(value)
