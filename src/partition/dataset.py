"""One call that loads schools and districts the way every command needs them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from partition import datapaths
from partition.districts import (
    DEFAULT_TOLERANCE_M,
    NOT_COVERED,
    OUTSIDE_LIMIT_M,
    assign_districts,
    district_owners,
    select_districts,
)
from partition.errors import EmptySelectionError, PartitionError
from partition.io.boundaries import read_boundaries, repair_coverage
from partition.io.schools import DEFAULT_KINDS, read_gias
from partition.limits import check_schools, listed

ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 (with byte-order mark)", "cp1252": "Windows-1252"}


@dataclass
class Dataset:
    """Schools with their districts, the districts, and everything left out.

    Attributes
    ----------
    schools
        Schools kept (see :mod:`partition.io.schools`) plus ``district_code``,
        ``district``, ``district_rule``, ``offset_m``; EPSG:27700.
    districts
        The study area's districts: ``code``, ``name``, ``geometry``.
    excluded
        Every record left out: ``URN``, ``name``, ``reason``.
    disagreements
        GIAS district field vs polygon, per school that differs.
    imputed
        URNs with imputed pupil numbers.
    notes
        Other things the user should know (districts left out, encodings ...).
    sources
        The files read.
    la_codes
        The LAs requested.
    input_urns
        URN of every record of the requested LAs in the schools file (one entry
        per record): each is placed in ``schools`` or listed in ``excluded``
        (see :func:`check_school_accounting`).
    """

    schools: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    excluded: pd.DataFrame
    disagreements: pd.DataFrame
    imputed: list[int]
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    la_codes: tuple[str, ...] = ()
    input_urns: list[int] = field(default_factory=list)

    @property
    def outline(self) -> shapely.Geometry:
        """The study area: union of the districts.

        Returns
        -------
        shapely.Geometry
            The union of :attr:`districts` (ONS LAD polygons, British National
            Grid EPSG:27700, metres).
        """
        return shapely.union_all(self.districts.geometry.to_numpy())


class SchoolAccountingError(PartitionError):
    """Schools in the input are not exactly the schools placed plus the schools reported excluded."""

    exit_code = 2


def check_school_accounting(
    input_urns: Iterable[int], placed_urns: Iterable[int], excluded_urns: Iterable[int]
) -> None:
    """Assert that every input record is placed or excluded, exactly once.

    The check is on records: a URN that appears twice in the input (a duplicate
    record) must appear twice among placed and excluded together.

    Parameters
    ----------
    input_urns
        URN of every input record of the requested LAs (:attr:`Dataset.input_urns`).
    placed_urns
        URNs of the schools in the plan (or the dataset).
    excluded_urns
        URNs of the records reported as excluded.

    Raises
    ------
    SchoolAccountingError
        Naming the URNs missing (in the input but neither placed nor excluded)
        and the URNs accounted for more often than they occur in the input
        (e.g. both placed and excluded, or placed twice).
    """
    given = Counter(int(u) for u in input_urns)
    accounted = Counter(int(u) for u in placed_urns) + Counter(int(u) for u in excluded_urns)
    missing = sorted((given - accounted).elements())
    extra = sorted((accounted - given).elements())
    if not missing and not extra:
        return
    parts = []
    if missing:
        parts.append(f"{len(missing)} input school(s) neither placed nor reported excluded: URN {_urn_list(missing)}")
    if extra:
        parts.append(
            f"{len(extra)} school(s) placed or excluded more often than they occur in the input: URN {_urn_list(extra)}"
        )
    raise SchoolAccountingError(
        "schools in input != schools placed + schools excluded: " + "; ".join(parts),
        fix="this is a fault in partition, not in the data; please report it with the input files",
    )


def _urn_list(urns: list[int], limit: int = 30) -> str:
    return ", ".join(map(str, urns[:limit])) + (f" ... ({len(urns) - limit} more)" if len(urns) > limit else "")


def load_dataset(
    schools: str | Path | None = None,
    boundaries: str | Path | None = None,
    *,
    la_codes: tuple[str, ...] | list[str] = datapaths.DEFAULT_LA_CODES,
    status: str = "open",
    kinds: tuple[str, ...] | list[str] = DEFAULT_KINDS,
    district_codes: list[str] | tuple[str, ...] | None = None,
    layer: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    limit_m: float = OUTSIDE_LIMIT_M,
    data: str | Path | None = None,
) -> Dataset:
    """Load schools and district boundaries for one or more LAs.

    Parameters
    ----------
    schools, boundaries
        Files; default to the Hampshire extracts for LA 850 and the England
        files otherwise, found by the rule of :mod:`partition.datapaths`.
    la_codes
        DfE LA codes (``"850"`` Hampshire, ``"936"`` Surrey, ``"878"`` Devon, ...).
    status
        ``"open"`` or ``"all"``.
    kinds
        School kinds to load.
    district_codes
        ONS district codes; default: the districts holding the schools.
    tolerance_m
        Edge tolerance for district assignment (m; see :mod:`partition.districts`).
    limit_m
        Farthest a school may lie outside the study area and still be attached
        to a district (m); farther schools are excluded and reported.
    data
        Data folder overriding the location rule.

    Returns
    -------
    Dataset
        Schools (GIAS), districts (ONS LAD polygons) and what was left out,
        all geometry in British National Grid (EPSG:27700, metres).

    Raises
    ------
    DataLocationError
        When a default input file cannot be found.
    SchoolsFileError, BoundaryFileError
        When a file is unreadable or malformed, or a ``district_codes`` code is
        not in the boundary file.
    EmptySelectionError
        When no school passes the filters, the boundary file does not cover the
        LA (more than half its schools outside every district), or no school
        lies in the selected districts.
    SchoolAccountingError
        When an input record is neither placed nor excluded (a fault of the tool).
    SizeLimitError
        When the study area holds more than :data:`partition.limits.MAX_SCHOOLS_PER_STUDY_AREA` schools
        (checked before the boundaries are read, or with ``district_codes`` once the schools are in districts).
    """
    la_codes = tuple(str(c) for c in la_codes)
    default_s, default_b = datapaths.default_inputs(la_codes, data)
    schools_path = datapaths.resolve(schools or default_s, data)
    boundaries_path = datapaths.resolve(boundaries or default_b, data)
    load = read_gias(schools_path, la_codes=la_codes, status=status, kinds=kinds)
    if load.schools.empty:
        raise EmptySelectionError(
            f"{schools_path}: no school left after the filters (LA {', '.join(la_codes)}, status {status}, kinds {', '.join(kinds)})",
            fix="widen the filters (--status all, more --kind values)",
        )
    if not district_codes:  # the study area is the LAs' schools: refuse too many before the boundaries are read
        check_schools(len(load.schools), f"{schools_path}, LA {listed(la_codes)}")
    all_districts = read_boundaries(boundaries_path, layer=layer)
    owners = None if district_codes else district_owners(load.records, all_districts)
    districts, notes = select_districts(
        all_districts,
        load.schools,
        district_codes,
        tolerance_m=tolerance_m,
        limit_m=limit_m,
        owners=owners,
        la_codes=la_codes,
    )
    districts = repair_coverage(districts, what="districts")  # overlaps and slivers between districts, reported
    assigned, disagreements, outside = assign_districts(
        load.schools,
        districts,
        tolerance_m=tolerance_m,
        limit_m=limit_m,
        boundaries=all_districts,
        attach=not district_codes,
    )
    if district_codes:  # the study area is the schools of the districts given
        check_schools(len(assigned), f"{schools_path}, LA {listed(la_codes)}, districts {listed(district_codes)}")
    uncovered = sum(NOT_COVERED in str(reason) for reason in outside["reason"])
    if uncovered > len(load.schools) / 2:
        raise EmptySelectionError(
            f"{boundaries_path} does not cover LA {', '.join(la_codes)}: {uncovered} of its {len(load.schools)} "
            "schools lie outside every district of the file (no district contains them)",
            fix="use a boundary file that covers the LA (e.g. the England LAD file)",
        )
    if assigned.empty:
        raise EmptySelectionError(
            f"no school of LA {', '.join(la_codes)} lies in the selected districts of {boundaries_path}",
            fix="use a boundary file that covers the LA",
        )
    if load.extra_field_rows:
        notes.append(
            f"{schools_path.name}: {len(load.extra_field_rows)} record(s) had extra trailing fields "
            "(further 'Linked establishments' values); extra fields ignored"
        )
    notes.append(f"{schools_path.name}: read as {ENCODING_NAMES.get(load.encoding, load.encoding)}")
    if load.zero_pupils:
        notes.append(f"{schools_path.name}: NumberOfPupils 0 taken at face value for URN {_urn_list(load.zero_pupils)}")
    excluded = pd.concat([load.excluded, outside], ignore_index=True)
    check_school_accounting(load.input_urns, assigned["URN"], excluded["URN"])
    return Dataset(
        schools=assigned,
        districts=districts,
        excluded=excluded,
        disagreements=disagreements,
        imputed=load.imputed,
        notes=notes,
        sources={"schools": str(schools_path), "boundaries": str(boundaries_path)},
        la_codes=la_codes,
        input_urns=list(load.input_urns),
    )
