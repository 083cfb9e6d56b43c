"""A configuration of partnerships and how it is written out."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from partition.coverage import to_wgs84_valid
from partition.spec import PlanSpec
from partition.validate import verify_written_plan


@dataclass
class Plan:
    """One configuration: which partnership every school belongs to, and its figures.

    Attributes
    ----------
    name
        Configuration name, e.g. ``k23-ignore`` (also its output folder).
    k
        Number of partnerships.
    spec
        The specification it was made for.
    assignments
        One row per school: ``URN``, ``name``, ``partnership_id``, ``partnership``,
        ``district``, ``kind``, ``pupils``.
    partnerships
        One row per partnership (EPSG:27700): id, name, figures, dissolved polygon.
    unit_labels
        Partnership index of every planning unit.
    solver, status
        Which solver produced it and whether it meets the spec (``feasible``/``optimal``)
        or not (``violated``).
    objective
        wdist (km) — plus the split penalty in mode ``penalise``.
    bound, gap
        Proven bound and gap of the exact model's own objective, when it ran.
    runtime
        Seconds.
    scores
        Configuration scores (see :func:`partition.scoring.configuration_scores`).
    details
        Per-solver reports.
    """

    name: str
    k: int
    spec: PlanSpec
    assignments: pd.DataFrame
    partnerships: gpd.GeoDataFrame
    unit_labels: np.ndarray
    solver: str
    status: str
    objective: float
    bound: float | None = None
    gap: float | None = None
    runtime: float = 0.0
    scores: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def wdist_km(self) -> float:
        return float(self.scores["wdist_km"])

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable facts about the plan."""
        scores = {k: v for k, v in self.scores.items() if k != "table"}
        return {
            "name": self.name,
            "k": self.k,
            "solver": self.solver,
            "status": self.status,
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "runtime_s": round(self.runtime, 2),
            "scores": scores,
            "spec": self.spec.to_dict(),
            "details": self.details,
        }

    def write(self, out_dir: str | Path) -> Path:
        """Write ``assignments.csv``, ``partnerships.geojson`` (WGS84) and ``plan.json`` to ``out_dir/<name>/``.

        Polygons are written valid in WGS84 (see :func:`partition.coverage.to_wgs84_valid`).

        Files are written to a temporary folder first, read back and checked by
        :func:`partition.validate.verify_written_plan`, then moved into place, so a
        failure leaves no partial output.

        Raises
        ------
        IntegrityError
            When the files read back do not hold the plan (a school lost or twice,
            an invalid polygon, a connected partnership written as several polygons).
        """
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / self.name
        tmp = Path(tempfile.mkdtemp(prefix=f".{self.name}-", dir=out_dir))
        try:
            self.assignments.to_csv(tmp / "assignments.csv", index=False)
            to_wgs84_valid(self.partnerships).to_file(tmp / "partnerships.geojson", driver="GeoJSON")
            (tmp / "plan.json").write_text(json.dumps(self.summary(), indent=2, default=_json_default) + "\n")
            verify_written_plan(tmp, self)  # read back as a GIS would, before anything is published
            if target.exists():
                shutil.rmtree(target)
            tmp.rename(target)
        finally:
            if tmp.exists():
                shutil.rmtree(tmp)
        return target


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, tuple | set):
        return list(value)
    return str(value)


def configuration_name(k: int, districts: str, suffix: str = "") -> str:
    """Folder-safe configuration name: ``k23-ignore``."""
    name = f"k{k}-{districts}" + (f"-{suffix}" if suffix else "")
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
