"""Shared fixtures: the real shared data folder and tiny hand-made inputs."""

from __future__ import annotations

import csv
import warnings
from pathlib import Path

import pytest

from partition.io import datapaths

GIAS_COLUMNS = [
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentName",
    "TypeOfEstablishment (name)",
    "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (name)",
    "PhaseOfEducation (name)",
    "SchoolCapacity",
    "NumberOfPupils",
    "Town",
    "DistrictAdministrative (name)",
    "Easting",
    "Northing",
]


@pytest.fixture(scope="session")
def shared() -> Path:
    """The real shared data folder (``$PARTITION_DATA`` or ``../shared/data``)."""
    folder = datapaths.data_dir()
    if not (folder / "schools").is_dir():
        pytest.skip("shared data folder not available")
    return folder


@pytest.fixture(scope="session")
def hampshire(shared):
    """Default Hampshire inputs: dataset, units, schools, graph."""
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare()


def school_row(urn: int, x: float, y: float, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "URN": urn,
        "LA (code)": "999",
        "LA (name)": "Testshire",
        "EstablishmentName": f"School {urn}",
        "TypeOfEstablishment (name)": "Community school",
        "EstablishmentTypeGroup (name)": "Local authority maintained schools",
        "EstablishmentStatus (name)": "Open",
        "PhaseOfEducation (name)": "Primary",
        "SchoolCapacity": 300,
        "NumberOfPupils": 200,
        "Town": "Testtown",
        "DistrictAdministrative (name)": "West",
        "Easting": x,
        "Northing": y,
    }
    row.update(extra)
    return row


def write_gias(
    path: Path, rows: list[dict[str, object]], columns: list[str] | None = None, encoding: str = "utf-8"
) -> Path:
    columns = columns or GIAS_COLUMNS
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, quoting=csv.QUOTE_ALL, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="session")
def dask_scheduler():
    """The address of a two-worker Dask ``LocalCluster`` (separate processes, one thread each)."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address
