"""One call that loads schools and districts the way every command needs them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from partition.core.limits import check_schools, listed
from partition.data.districts import (
    DEFAULT_TOLERANCE_M,
    NOT_COVERED,
    OUTSIDE_LIMIT_M,
    assign_districts,
    check_repaired_districts,
    district_owners,
    schools_moved_by_repairs,
    select_districts,
)
from partition.data.members import empty_members, split_members
from partition.errors import (
    BoundaryFileError,
    EmptySelectionError,
    GeometryRepairError,
    InputFileError,
    PartitionError,
    SchoolsFileError,
)
from partition.io import datapaths
from partition.io.boundaries import read_boundaries, repair_coverage
from partition.io.establishments import (
    NO_POSTCODE,
    UNLOCATED,
    EstablishmentsLoad,
    read_establishment_list,
    read_ks5,
    read_spine,
)
from partition.io.schools import DEFAULT_KINDS, MEMBER_KINDS, SchoolsLoad, impute_pupils, read_gias
from partition.io.snapshot import InputFile, InputRecord, snapshot
from partition.io.values import normalise_la_code

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
    files
        What was read of each input, by the keys of ``sources`` (and ``units``, ``population`` when
        given; :func:`partition.units.prepare.prepare`): path, SHA-256 of the bytes parsed, size and
        modification time (the manifest records these).
    all_districts
        Every district of the boundary file, parsed from the bytes read (the maps draw the neighbouring
        ones for context, so they come from the file as it was read, not as it is when they are drawn).
    la_codes
        The LAs requested.
    input_urns
        URN of every record of the requested LAs in the schools file and, of the kinds taken from it, in
        the list of establishments (one entry per record): each is placed in ``schools`` or ``members``
        or listed in ``excluded`` (see :func:`check_school_accounting`).
    members
        Colleges, special schools and pupil referral units taking part as members, not counted toward
        the size bounds (:mod:`partition.data.members`): the columns of ``schools`` (``pupils`` nullable,
        blank where unknown) plus ``postcode``, ``located_by``; EPSG:27700 points.
    """

    schools: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    excluded: pd.DataFrame
    disagreements: pd.DataFrame
    imputed: list[int]
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    files: dict[str, InputRecord] = field(default_factory=dict)
    all_districts: gpd.GeoDataFrame | None = None
    la_codes: tuple[str, ...] = ()
    input_urns: list[int] = field(default_factory=list)
    members: gpd.GeoDataFrame = field(default_factory=empty_members)

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


def read_input(given: str | Path | InputFile, data: str | Path | None, error: type[InputFileError]) -> InputFile:
    """An input file as read once: ``given`` when already read, else the file found by the location rule, read.

    Parameters
    ----------
    given
        A path (absolute, or relative to the working or data folder) or a file already read.
    data
        Data folder overriding the location rule.
    error
        The error raised when the file cannot be read (the reader's own class).

    Returns
    -------
    InputFile
        Its bytes, SHA-256, size and modification time.

    Raises
    ------
    DataLocationError
        When the file cannot be found.
    InputFileError
        (``error``) When it cannot be read (deleted since it was found, unreadable, changing while read).
    """
    if isinstance(given, InputFile):
        return given
    return snapshot(datapaths.resolve(given, data), error=error)


def _stacked(*frames: pd.DataFrame) -> pd.DataFrame:
    """The non-empty frames one under another, URN kept int64.

    An empty frame (no members, no council list) would otherwise make pandas widen ``URN`` to float
    (``118155.0`` in ``assignments.csv``, which ``--start-from`` then refuses).
    """
    kept = [f for f in frames if not f.empty] or [frames[0]]
    stacked = pd.concat(kept, ignore_index=True)
    return stacked.astype({"URN": "int64"})


def load_dataset(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    schools: str | Path | InputFile | None = None,
    boundaries: str | Path | InputFile | None = None,
    *,
    la_codes: tuple[str, ...] | list[str] = datapaths.DEFAULT_LA_CODES,
    status: str = "open",
    kinds: tuple[str, ...] | list[str] = DEFAULT_KINDS,
    district_codes: list[str] | tuple[str, ...] | None = None,
    layer: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    limit_m: float = OUTSIDE_LIMIT_M,
    data: str | Path | None = None,
    members: bool = True,
    independent_special: bool = False,
    establishments: str | Path | InputFile | None = None,
    codepoint: str | Path | None = None,
    ks5: str | Path | InputFile | None = None,
) -> Dataset:
    """Load schools, colleges, special schools and district boundaries for one or more LAs.

    Parameters
    ----------
    schools, boundaries
        Files; default to the Hampshire extracts for LA 850 and the England
        files otherwise, found by the rule of :mod:`partition.io.datapaths`. Each is
        read once (:func:`partition.io.snapshot.snapshot`) and parsed from those
        bytes; a file already read (an :class:`~partition.io.snapshot.InputFile`)
        is parsed as it is.
    la_codes
        DfE LA codes (``"850"`` Hampshire, ``"936"`` Surrey, ``"878"`` Devon, ...); leading zeros are
        ignored (``"0850"`` is ``"850"``).
    status
        ``"open"`` or ``"all"``.
    kinds
        School kinds to load.
    district_codes
        ONS district codes; default: the districts holding the schools.
    tolerance_m
        Edge tolerance for district assignment (m; see :mod:`partition.data.districts`).
    limit_m
        Farthest a school may lie outside the study area and still be attached
        to a district (m); farther schools are excluded and reported.
    data
        Data folder overriding the location rule.
    members
        Load colleges, special schools and pupil referral units not among ``kinds`` as members of the
        partnership they stand in, not counted toward the size bounds (:mod:`partition.data.members`).
    independent_special
        Also load independent special schools (left out by default and reported: they are not maintained
        by the council and most take pupils placed from many authorities).
    establishments
        A list of establishments without coordinates, located by postcode: the DfE school list (spine
        ``.xlsx``) or a council's CSV (:mod:`partition.io.establishments`); its colleges, special schools and
        PRUs (of ``kinds`` or members) are added to the schools file's. Default: for Hampshire, the DfE school
        list 2017-18 when the schools file holds no college, special school or PRU
        (:func:`partition.io.datapaths.default_establishments`), read only with the default schools file.
    codepoint
        OS Code-Point Open (folder, ZIP or CSV) locating ``establishments`` (default with it).
    ks5
        DfE 16-18 performance tables (CSV or ``.csv.gz``): colleges' 16-18 students (``TPUP1618``).

    Returns
    -------
    Dataset
        Schools (GIAS), members, districts (ONS LAD polygons) and what was left out,
        all geometry in British National Grid (EPSG:27700, metres).

    Raises
    ------
    DataLocationError
        When a default input file cannot be found.
    SchoolsFileError, BoundaryFileError
        When a file is unreadable or malformed, or a ``district_codes`` code is
        not in the boundary file; when repairing an invalid district polygon
        would change it beyond the limit (:class:`~partition.errors.GeometryRepairError`,
        naming the schools GIAS places in it that it would leave out) or leaves
        outside it a school that lay inside it as drawn.
    EmptySelectionError
        When no school passes the filters, the boundary file does not cover the
        LA (more than half its schools outside every district), or no school
        lies in the selected districts.
    SchoolAccountingError
        When an input record is neither placed nor excluded (a fault of the tool).
    SizeLimitError
        When the study area holds more than :data:`partition.core.limits.MAX_SCHOOLS_PER_STUDY_AREA` schools
        (checked before the boundaries are read, or with ``district_codes`` once the schools are in districts).
    """
    la_codes = tuple(normalise_la_code(str(c)) for c in la_codes)  # "0850" is Hampshire's 850
    default_s, default_b = datapaths.default_inputs(la_codes, data)
    schools_file = read_input(schools or default_s, data, SchoolsFileError)
    boundaries_file = read_input(boundaries or default_b, data, BoundaryFileError)
    schools_path, boundaries_path = schools_file.path, boundaries_file.path
    member_kinds = tuple(k for k in MEMBER_KINDS if k not in kinds) if members else ()
    load = read_gias(
        schools_path,
        data=schools_file.data,
        la_codes=la_codes,
        status=status,
        kinds=(*kinds, *member_kinds),
        uncounted=member_kinds,
    )
    is_member = load.schools["kind"].isin(member_kinds) if member_kinds else np.zeros(len(load.schools), dtype=bool)
    if load.schools.empty or is_member.all():
        raise EmptySelectionError(
            f"{schools_path}: no school left after the filters (LA {', '.join(la_codes)}, status {status}, kinds {', '.join(kinds)})",
            fix="widen the filters (--status all, more --kind values)",
        )
    if not district_codes:  # the study area is the LAs' schools: refuse too many before the boundaries are read
        check_schools(int((~is_member).sum()), f"{schools_path}, LA {listed(la_codes)}")
    files = {"schools": schools_file.record(), "boundaries": boundaries_file.record()}
    given = (establishments, codepoint, ks5, schools is None)  # the default list goes with the default schools file
    listed_load = _listed(load, la_codes, status, kinds, member_kinds, given, data, files, independent_special)
    gias_members = load.schools[load.schools["kind"].isin(member_kinds)]
    load.schools = load.schools[~load.schools["kind"].isin(member_kinds)]
    try:
        all_districts = read_boundaries(boundaries_path, data=boundaries_file.data, layer=layer)
    except GeometryRepairError as exc:  # name the schools the refused repairs would move
        raise exc.with_schools(_affected(exc, load.schools)) from None
    repair_notes = check_repaired_districts(all_districts, load.schools)
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
        _stacked(load.schools, gias_members.assign(located_by="GIAS"), listed_load.schools),
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
    notes += load.notes
    if load.zero_pupils:
        notes.append(f"{schools_path.name}: NumberOfPupils 0 taken at face value for URN {_urn_list(load.zero_pupils)}")
    chosen = set(districts["code"])
    notes += [
        note for note, r in zip(repair_notes, all_districts.attrs.get("geometry_repairs", [])) if r.code in chosen
    ]
    notes += listed_load.notes
    excluded = pd.concat([load.excluded, listed_load.excluded, outside], ignore_index=True)
    input_urns = [*load.input_urns, *listed_load.input_urns]
    check_school_accounting(input_urns, assigned["URN"], excluded["URN"])
    counted, member_frame = split_members(assigned, member_kinds)
    return Dataset(
        schools=counted,
        districts=districts,
        excluded=excluded,
        disagreements=disagreements,
        imputed=load.imputed,
        notes=notes,
        sources={"schools": str(schools_path), "boundaries": str(boundaries_path), **listed_load.sources},
        files=files,
        all_districts=all_districts,
        la_codes=la_codes,
        input_urns=input_urns,
        members=member_frame,
    )


@dataclass
class _Listed:
    """What the schools file's GIAS independent special schools and the list of establishments add."""

    schools: gpd.GeoDataFrame
    excluded: pd.DataFrame
    input_urns: list[int]
    notes: list[str]
    sources: dict[str, str]


INDEPENDENT_SPECIAL = "left out as independent special schools (add --independent-special)"
INDEPENDENT_FIX = "add --independent-special (scenario: independent_special = true) to include it"
IN_SCHOOLS_FILE = "already in the schools file (its record there is used)"


def _independent(frame: pd.DataFrame) -> np.ndarray:
    """Rows that are independent special schools (GIAS or list type saying so)."""
    return (
        (frame["kind"] == "special") & frame["type"].astype(str).str.casefold().str.contains("independent")
    ).to_numpy()


def _listed(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    load: SchoolsLoad,
    la_codes: tuple[str, ...],
    status: str,
    kinds: tuple[str, ...] | list[str],
    member_kinds: tuple[str, ...],
    given: tuple[str | Path | InputFile | None, str | Path | None, str | Path | InputFile | None, bool],
    data: str | Path | None,
    files: dict[str, InputRecord],
    independent_special: bool,
) -> _Listed:
    """Take independent special schools out of ``load`` unless asked for; read the list of establishments.

    The list's rows of the wanted kinds (colleges, special schools, PRUs among ``kinds`` or ``member_kinds``)
    are its input records; each is placed, or reported (closed, not located, independent, already in the
    schools file). ``load`` is changed in place (its excluded and schools); ``files`` gains what was read.
    """
    wanted = tuple(k for k in MEMBER_KINDS if k in (*kinds, *member_kinds))
    empty = gpd.GeoDataFrame(geometry=gpd.GeoSeries([], crs="EPSG:27700"), crs="EPSG:27700")
    out = _Listed(empty, pd.DataFrame(columns=["URN", "name", "reason"]), [], [], {})
    if not independent_special:
        shut = _independent(load.schools)
        if shut.any():
            gone = load.schools[shut]
            load.excluded = pd.concat(
                [
                    load.excluded,
                    pd.DataFrame({"URN": gone["URN"], "name": gone["name"], "reason": INDEPENDENT_SPECIAL}),
                ],
                ignore_index=True,
            )
            load.schools = load.schools[~shut]
    establishments, codepoint, ks5, default_schools = given
    if establishments is None and codepoint is None and ks5 is None:
        in_file = load.schools["kind"].isin(MEMBER_KINDS).any() or not wanted or not default_schools
        default = None if in_file else datapaths.default_establishments(la_codes, data)
        if default is None:
            return out
        establishments, codepoint, ks5 = default["establishments"], default["codepoint"], default.get("ks5")
    if establishments is None or not wanted:
        return out
    if codepoint is None:
        raise SchoolsFileError(
            Path(str(establishments)),
            "a list of establishments needs OS Code-Point Open to locate its postcodes",
            fix="give --codepoint (the Code-Point Open folder or ZIP; partition fetch downloads it)",
        )
    listed = _read_list(establishments, codepoint, ks5, la_codes, status, wanted, data, files)
    placed = listed.establishments
    out.sources["establishments"] = str(listed.source)
    in_scope = ~listed.excluded["reason"].eq("kind not selected")
    out_of_scope = set(listed.excluded.loc[~in_scope, "URN"].astype(int))
    out.input_urns = [u for u in listed.input_urns if u not in out_of_scope]
    reported = [_with_place(listed.excluded[in_scope], listed.source.name)]
    known = set(load.schools["URN"].astype(int)) | set(load.excluded["URN"].astype(int))
    twice = placed["URN"].isin(known).to_numpy()
    reported.append(
        pd.DataFrame({"URN": placed.loc[twice, "URN"], "name": placed.loc[twice, "name"], "reason": IN_SCHOOLS_FILE})
    )
    placed = placed[~twice]
    if not independent_special:
        shut = _independent(placed)
        reported.append(
            pd.DataFrame(
                {"URN": placed.loc[shut, "URN"], "name": placed.loc[shut, "name"], "reason": INDEPENDENT_SPECIAL}
            )
        )
        placed = placed[~shut]
    placed = placed.assign(located_by="postcode")
    counted = placed["kind"].isin(kinds).to_numpy()
    if counted.any() and placed.loc[counted, "pupils"].isna().any():
        figures, imputed = impute_pupils(
            pd.concat([load.schools[~load.schools["kind"].isin(member_kinds)], placed[counted]])
        )
        placed.loc[counted, "pupils"] = figures["pupils"].to_numpy()[-int(counted.sum()) :]
        placed.loc[counted, "pupils_imputed"] = figures["pupils_imputed"].to_numpy()[-int(counted.sum()) :]
        load.imputed += imputed
    out.schools = placed
    out.excluded = pd.concat(reported, ignore_index=True)
    located = len(placed) + int(twice.sum())
    out.notes.append(
        f"{listed.source.name}: {located} of {len(out.input_urns)} record(s) of {_kind_words(wanted)} of LA "
        f"{', '.join(la_codes)} located by postcode (Code-Point Open)"
    )
    return out


def _kind_words(kinds: tuple[str, ...]) -> str:
    """``("college", "special", "pru")`` as ``colleges, special schools and PRUs``."""
    words = [{"college": "colleges", "special": "special schools", "pru": "PRUs"}.get(k, k) for k in kinds]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _with_place(excluded: pd.DataFrame, file: str) -> pd.DataFrame:
    """The list's reported rows (``URN``, ``name``, ``reason``); a row not located says its name, postcode, line and
    fix in its reason, so that every report of it (data summary, pack, manifest) names it.
    """
    located = excluded["reason"].isin([UNLOCATED, NO_POSTCODE])
    reason = excluded["reason"].astype(str).copy()
    reason[located] = [
        f"{r.name}: {r.reason} ({r.postcode.strip() or 'blank'}, {file} line {r.line}); fix: {r.fix}"
        for r in excluded[located].itertuples()
    ]
    return pd.DataFrame({"URN": excluded["URN"], "name": excluded["name"], "reason": reason})


def _read_list(
    establishments: str | Path | InputFile,
    codepoint: str | Path,
    ks5: str | Path | InputFile | None,
    la_codes: tuple[str, ...],
    status: str,
    wanted: tuple[str, ...],
    data: str | Path | None,
    files: dict[str, InputRecord],
) -> EstablishmentsLoad:
    """Read the spine or a council's list, with Code-Point Open and the 16-18 numbers; record what was read."""
    listing = read_input(establishments, data, SchoolsFileError)
    files["establishments"] = listing.record()
    students = None
    if ks5 is not None:
        ks5_file = read_input(ks5, data, SchoolsFileError)
        files["ks5"] = ks5_file.record()
        students = read_ks5(ks5_file.path, data=ks5_file.data)
    postcodes = datapaths.resolve(codepoint, data)
    if listing.path.suffix.lower() == ".xlsx":
        listed = read_spine(
            listing.path,
            codepoint=postcodes,
            data=listing.data,
            la_codes=la_codes,
            status=status,
            kinds=wanted,
            ks5=students,
        )
    else:
        listed = read_establishment_list(
            listing.path, codepoint=postcodes, data=listing.data, la_code=la_codes[0], kinds=wanted, ks5=students
        )
    if listed.codepoint_inputs:
        files["codepoint"] = _folder_record(postcodes, listed.codepoint_inputs)
    return listed


def _folder_record(path: Path, parts: list[InputRecord]) -> InputRecord:
    """One record for the Code-Point Open files read (the folder or archive, its parts by name)."""
    if len(parts) == 1:
        return parts[0]
    return InputRecord(
        path,
        ",".join(p.sha256 for p in parts),
        sum(p.size for p in parts),
        max(p.mtime_ns for p in parts),
        tuple((p.path.name, p.sha256) for p in parts),
        folder=True,
    )


def _affected(error: GeometryRepairError, schools: gpd.GeoDataFrame) -> dict[str, str]:
    """Per refused repair, a sentence naming the schools it would leave outside their district."""
    moved = schools_moved_by_repairs(error.repairs, schools, by_gias=True)
    return {
        code: f"schools GIAS places in it or inside it as drawn that lie outside it once repaired: {text}"
        for code, text in moved.items()
    }
