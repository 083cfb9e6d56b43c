"""Reading the DfE *Get Information About Schools* (GIAS) CSV.

Both flavours are read: search downloads (``X (name)`` columns only) and the
full ``edubasealldata`` file (``X (code)`` and ``X (name)`` columns). The loader
keys on the ``(name)`` columns plus ``URN``, ``EstablishmentName``,
``LA (code)``, ``Easting``, ``Northing``, ``NumberOfPupils``.

Schema of the result (one row per school, EPSG:27700):

=================  ==========================================================
``URN``            int, unique reference number
``name``           establishment name
``kind``           one of :data:`KINDS`
``phase``          GIAS ``PhaseOfEducation (name)``
``type``           GIAS ``TypeOfEstablishment (name)``
``status``         GIAS ``EstablishmentStatus (name)``
``la_code``        GIAS ``LA (code)`` as text (``"850"``)
``pupils``         int; GIAS ``NumberOfPupils``, imputed when blank
``pupils_imputed`` bool; True where ``pupils`` was imputed
``capacity``       nullable int; GIAS ``SchoolCapacity``
``fsm_share``      float, % of pupils eligible for free school meals; GIAS ``PercentageFSM`` (NaN when blank)
``gias_district``  GIAS ``DistrictAdministrative (name)``
``gias_district_code`` GIAS ``DistrictAdministrative (code)`` (ONS code; blank when absent)
``town``           GIAS ``Town`` (postal town: may lie outside the LA)
``locality``       GIAS ``Locality`` (village or suburb; blank when absent)
``address3``       GIAS ``Address3`` (blank when absent)
``ward``           GIAS ``AdministrativeWard (name)`` (blank when absent)
``last_changed``   datetime64; GIAS ``LastChangedDate`` (DD-MM-YYYY or ISO; NaT when blank)
``federation``     GIAS ``Federations (name)`` (blank when absent or "Not applicable")
``trust``          GIAS ``Trusts (name)`` (blank when absent or "Not applicable")
``anchor``         bool; secondary, all-through or college
``geometry``       Point (Easting, Northing)
=================  ==========================================================

Imputation rule for a blank ``NumberOfPupils``: ``capacity × r`` where *r* is
the median pupils/capacity ratio of loaded schools of the same kind; without a
capacity, the median pupils of loaded schools of the same kind (all kinds when
none has a figure). Imputed schools are listed in :attr:`SchoolsLoad.imputed`.
A selection where no school has a figure, or every figure is 0, is refused;
a 0 is taken at face value and reported.

The file is read by :func:`partition.io.tables.read_table` (UTF-8 or else Windows-1252, separator
``,`` ``;`` or tab from the header, repeated headers and footer rows refused; the extra trailing
"Linked establishments" fields of GIAS downloads are ignored and counted) and every value by the
rules of :mod:`partition.io.values`: ``URN`` digits only (at most 8), ``LA (code)`` digits (``0850``
read as 850, noted), ``NumberOfPupils`` and ``SchoolCapacity`` whole numbers 0-10,000 (``1,234``
accepted in a comma-separated file), ``PercentageFSM`` 0-100, ``Easting`` 0-700,000 and ``Northing`` 0-1,300,000 metres; a
value breaking its rule is an error naming file, line, column and value.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from partition.errors import SchoolsFileError
from partition.io import values
from partition.io.memo import read_once
from partition.io.snapshot import snapshot
from partition.io.tables import SEPARATOR_NAMES, Table, read_table
from partition.warnings import DataWarning

KINDS = ("primary", "middle", "secondary", "all-through", "college", "special", "pru", "other")
"""Every kind of establishment the loader distinguishes."""

DEFAULT_KINDS = ("primary", "middle", "secondary", "all-through")
"""Kinds planned and counted toward the size bounds by default (the schools of a partnership)."""

MEMBER_KINDS = ("college", "special", "pru")
"""Kinds that take part as members of the partnership they stand in without counting toward its size bounds,
unless they are among the counted kinds (``--kind college``, ``--include-special``): colleges, special schools,
pupil referral units and alternative provision (see :mod:`partition.data.members`)."""

ANCHOR_KINDS = ("secondary", "all-through", "college")
"""Kinds that can anchor a partnership."""

COLLEGE_TYPES = {
    "further education",
    "sixth form centres",
    "academy 16-19 converter",
    "academy 16 to 19 sponsor led",
    "academy 16-19 sponsor led",
    "free schools 16 to 19",
}
"""GIAS types that are colleges: FE (general FE, sixth-form, land-based colleges), sixth form centres, 16-19
academies and 16-19 free schools."""

SPECIAL_TYPES = {
    "community special school",
    "foundation special school",
    "non-maintained special school",
    "academy special converter",
    "academy special sponsor led",
    "free schools special",
    "other independent special school",
    "special post 16 institution",
}
"""GIAS types that are special schools (an independent special school is ``special``; its type says it is
independent)."""

PRU_TYPES = {
    "pupil referral unit",
    "academy alternative provision converter",
    "academy alternative provision sponsor led",
    "free schools alternative provision",
}
"""GIAS types that are pupil referral units or alternative provision."""

OTHER_TYPES = {
    "local authority nursery school",
    "la nursery school",
    "secure units",
    "academy secure 16 to 19",
    "offshore schools",
    "british schools overseas",
    "welsh establishment",
    "higher education institutions",
    "miscellaneous",
    "online provider",
    "children's centre",
    "children's centre linked site",
}
"""GIAS types deliberately ``other`` (not a school or college that takes part in a partnership: nurseries,
secure units, establishments abroad or in Wales, universities, online providers, children's centres)."""

PHASE_TYPES = {
    "community school",
    "voluntary aided school",
    "voluntary controlled school",
    "foundation school",
    "city technology college",
    "other independent school",
    "academy sponsor led",
    "academy converter",
    "free schools",
    "university technical college",
    "studio schools",
    "service children's education",
    "institution funded by other government department",
}
"""GIAS mainstream types whose phase decides the kind (``16 plus`` is a college)."""

PHASE_KINDS = {
    "primary": "primary",
    "middle deemed primary": "middle",
    "middle deemed secondary": "middle",
    "secondary": "secondary",
    "all-through": "all-through",
    "all through": "all-through",
    "16 plus": "college",
}

REQUIRED = (
    "URN",
    "EstablishmentName",
    "LA (code)",
    "EstablishmentStatus (name)",
    "PhaseOfEducation (name)",
    "TypeOfEstablishment (name)",
    "Easting",
    "Northing",
    "NumberOfPupils",
)
OPTIONAL = (
    "SchoolCapacity",
    "DistrictAdministrative (name)",
    "DistrictAdministrative (code)",
    "Town",
    "EstablishmentTypeGroup (name)",
    "Postcode",
    "Locality",
    "Address3",
    "AdministrativeWard (name)",
    "LastChangedDate",
    "Federations (name)",
    "Trusts (name)",
    "LA (name)",
    "PercentageFSM",
)
STATUSES = ("open", "all")


def _group_names(column: pd.Series) -> np.ndarray:
    """Federation or trust names, blank where GIAS says there is none."""
    names = column.str.strip()
    return names.where(~names.str.casefold().isin(["not applicable", "none"]), "").to_numpy()


def _gias_dates(column: pd.Series) -> np.ndarray:
    """GIAS dates (``DD-MM-YYYY`` in DfE downloads, ISO ``YYYY-MM-DD`` in some extracts) as ``datetime64[ns]``.

    NaT where blank or unreadable: the date only informs the data date shown in the outputs.
    """
    text = column.str.strip()
    day_first = pd.to_datetime(text, format="%d-%m-%Y", errors="coerce")
    iso = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    return day_first.fillna(iso).to_numpy(dtype="datetime64[ns]")


@dataclass
class SchoolsLoad:
    """What :func:`read_gias` loaded and what it left out.

    Attributes
    ----------
    schools
        The schools (schema in the module docstring).
    excluded
        One row per excluded record: ``URN``, ``name``, ``reason``.
    imputed
        URNs whose pupil numbers were imputed.
    source
        The file read.
    encoding
        The text encoding used: ``"utf-8"``, ``"utf-8-sig"`` (UTF-8 with a
        byte-order mark) or ``"cp1252"`` (see :func:`partition.io.tables.decode_text`).
    extra_field_rows
        Line numbers of records that had more fields than the header.
    zero_pupils
        URNs whose ``NumberOfPupils`` is 0, taken at face value.
    input_urns
        URN of every record of the requested LAs, in file order (a duplicated URN
        appears once per record): each is either in ``schools`` or in ``excluded``.
    records
        Every record of the file with coordinates, whatever its LA, status or
        kind: ``la_code`` and geometry (EPSG:27700); used to tell which LA a
        district belongs to.
    notes
        What the reader changed or left out that the user should know: LA codes written with leading
        zeros (``0850`` read as 850), records of other LAs left out by the LA filter (how many).
    """

    schools: gpd.GeoDataFrame
    excluded: pd.DataFrame
    imputed: list[int]
    source: Path
    encoding: str
    extra_field_rows: list[int] = field(default_factory=list)
    zero_pupils: list[int] = field(default_factory=list)
    input_urns: list[int] = field(default_factory=list)
    records: gpd.GeoDataFrame | None = None
    notes: list[str] = field(default_factory=list)


def classify_kind(phase: str, type_name: str, group: str = "") -> str:
    """Classify a GIAS record into one of :data:`KINDS`.

    Every type of a full ``edubasealldata`` download is a kind, the type first: :data:`OTHER_TYPES` are
    ``other``, :data:`COLLEGE_TYPES` (FE, sixth form centres, 16-19 academies and free schools) ``college``,
    :data:`PRU_TYPES` (pupil referral units, alternative provision) ``pru``, :data:`SPECIAL_TYPES`
    ``special`` (a special post-16 institution too, whatever its phase). Then phase "16 plus" or the
    "Colleges" type group is ``college``; the "Special schools" type group or a type naming "special" is
    ``special``; otherwise (:data:`PHASE_TYPES`, or a type GIAS may add) the phase decides.

    Parameters
    ----------
    phase
        GIAS ``PhaseOfEducation (name)`` ("Primary", "16 plus" ...).
    type_name
        GIAS ``TypeOfEstablishment (name)`` ("Further education", "Pupil referral unit" ...).
    group
        GIAS ``EstablishmentTypeGroup (name)`` ("Special schools", "Colleges" ...); blank when the
        file has no such column.

    Returns
    -------
    str
        One of :data:`KINDS` (``"other"`` for a phase not in :data:`PHASE_KINDS`). Case and surrounding
        spaces are ignored.
    """
    t = " ".join(type_name.split()).casefold()
    g = group.strip().casefold()
    p = phase.strip().casefold()
    for kind, types in (("other", OTHER_TYPES), ("college", COLLEGE_TYPES), ("pru", PRU_TYPES)):
        if t in types:
            return kind
    if t in SPECIAL_TYPES:
        return "special"
    if p == "16 plus" or g == "colleges":
        return "college"
    if g == "special schools" or "special" in t:
        return "special"
    return PHASE_KINDS.get(p, "other")


def _read_records(path: Path, data: bytes | None = None) -> Table:
    """The GIAS CSV (``data``, its bytes, when given) by the rules of :mod:`partition.io.tables`, extra
    trailing fields allowed (GIAS quirk).
    """
    if data is None:
        data = snapshot(path, error=SchoolsFileError).data
    return read_table(path, data, kind="GIAS schools", error=SchoolsFileError, spill_column=SPILL_COLUMN)


SPILL_COLUMN = "Linked establishments"
"""Last column of a GIAS download whose further values spill into unnamed trailing fields (PROVENANCE 1a)."""


EASTING_MAX = 700_000
"""Largest British National Grid easting (m)."""

NORTHING_MAX = 1_300_000
"""Largest British National Grid northing (m)."""

GRID_FIX = "give Easting/Northing in metres on the British National Grid (EPSG:27700), or leave both blank"
"""How to correct a refused coordinate."""


def _warn_excluded(path: Path, reason: str, urns: list[int]) -> None:
    shown = ", ".join(str(u) for u in urns[:40]) + (" ..." if len(urns) > 40 else "")
    warnings.warn(
        DataWarning(f"{path.name}: excluded {len(urns)} school(s) {reason}: URN {shown}"),
        stacklevel=3,
    )


@dataclass
class _Selection:
    """The GIAS records still selected, their parsed numbers (on the same index) and the records left out."""

    path: Path
    df: pd.DataFrame
    easting: pd.Series
    northing: pd.Series
    pupils: pd.Series
    capacity: pd.Series
    excluded: list[pd.DataFrame] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def keep(self, mask: pd.Series) -> None:
        """Keep only the records where ``mask`` is true (the others are not reported)."""
        self.df, self.easting, self.northing = self.df[mask], self.easting[mask], self.northing[mask]
        self.pupils, self.capacity = self.pupils[mask], self.capacity[mask]

    def exclude(self, mask: pd.Series, reason: str, warn: bool) -> None:
        """Leave out the records where ``mask`` is true, listed in ``excluded`` with ``reason``; with ``warn``
        also a :class:`~partition.warnings.DataWarning` naming their URNs (attributed to the caller).
        """
        if mask.any():
            out = self.df.loc[mask, ["URN", "EstablishmentName"]].rename(columns={"EstablishmentName": "name"})
            out["reason"] = reason
            self.excluded.append(out)
            if warn:
                _warn_excluded(self.path, reason, out["URN"].tolist())
        self.keep(~mask)

    def excluded_frame(self) -> pd.DataFrame:
        """Every excluded record: ``URN``, ``name``, ``reason`` (empty, typed, when none)."""
        if self.excluded:
            return pd.concat(self.excluded, ignore_index=True)
        return pd.DataFrame(
            {"URN": pd.Series(dtype="int64"), "name": pd.Series(dtype=str), "reason": pd.Series(dtype=str)}
        )


def _check_options(path: Path, status: str, kinds: tuple[str, ...] | list[str]) -> None:
    """Refuse an unknown status filter or school kind (before the file is read)."""
    if status not in STATUSES:
        raise SchoolsFileError(path, f"unknown status filter {status!r}", fix="use 'open' or 'all'")
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise SchoolsFileError(path, f"unknown school kind(s) {unknown}", fix=f"choose from {', '.join(KINDS)}")


def _gias_columns(table: Table) -> Table:
    """The table with only the known GIAS columns; optional columns absent from the file are blank.

    Raises
    ------
    SchoolsFileError
        When a column of :data:`REQUIRED` is missing (naming the separator the header was read with).
    """
    header = list(table.frame.columns)
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SchoolsFileError(
            table.path,
            f"required GIAS column(s) missing: {', '.join(repr(m) for m in missing)} (header read as "
            f"{SEPARATOR_NAMES[table.separator]}-separated)",
            column=missing[0],
            fix="use a GIAS 'Get Information About Schools' CSV download (search results or edubasealldata)",
        )
    df = table.frame[[c for c in (*REQUIRED, *OPTIONAL) if c in header]].copy()
    for c in OPTIONAL:
        if c not in df:
            df[c] = ""
    return replace(table, frame=df)


def _parse_numbers(table: Table) -> _Selection:
    """Parse URN, LA code, coordinates (metres, EPSG:27700), pupils and capacity by :mod:`partition.io.values`;
    add ``_line``.

    Raises
    ------
    SchoolsFileError
        When a URN or LA code is blank or malformed or a number breaks its rule (naming line, column, value).
    """
    df = table.frame
    df["URN"] = values.identifiers(table, "URN")
    codes, rewritten = values.la_codes(table, "LA (code)")
    easting = values.measures(table, "Easting", minimum=0, maximum=EASTING_MAX, meaning="eastings", fix=GRID_FIX)
    northing = values.measures(table, "Northing", minimum=0, maximum=NORTHING_MAX, meaning="northings", fix=GRID_FIX)
    pupils = values.counts(table, "NumberOfPupils", values.PUPILS)
    capacity = values.counts(table, "SchoolCapacity", values.PLACES)
    df["fsm_share"] = values.measures(
        table,
        "PercentageFSM",
        minimum=0,
        maximum=100,
        meaning="a percentage of pupils",
        fix="give the percentage of pupils eligible for free school meals (0 to 100), or leave it blank",
    )
    notes = [_leading_zeros_note(table, rewritten)] if rewritten.any() else []
    df["LA (code)"] = codes
    df["_line"] = table.lines
    return _Selection(table.path, df, easting, northing, pupils, capacity, notes=notes)


def _leading_zeros_note(table: Table, rewritten: pd.Series) -> str:
    """``g.csv: LA (code) written with leading zeros on 474 record(s) (e.g. '0850' on line 2), read as 850``."""
    i = int(np.flatnonzero(rewritten.to_numpy())[0])
    typed = table.frame["LA (code)"].iloc[i].strip()
    return (
        f"{table.path.name}: LA (code) written with leading zeros on {int(rewritten.sum())} record(s) "
        f"(e.g. {typed!r} on line {int(table.lines[i])}), read as {values.normalise_la_code(typed)}"
    )


def _located_records(sel: _Selection) -> gpd.GeoDataFrame:
    """Every record with coordinates, whatever its LA, status or kind: ``la_code`` and point (EPSG:27700)."""
    located = sel.easting.notna() & sel.northing.notna() & (sel.easting > 0) & (sel.northing > 0)
    return gpd.GeoDataFrame(
        {"la_code": sel.df.loc[located, "LA (code)"].to_numpy()},
        geometry=gpd.points_from_xy(sel.easting[located].to_numpy(), sel.northing[located].to_numpy()),
        crs="EPSG:27700",
    )


def _keep_las(sel: _Selection, la_codes: tuple[str, ...] | list[str]) -> None:
    """Keep the records of the given LA codes (``0850`` is ``850``); other LAs are not part of the study,
    counted in a note (:attr:`SchoolsLoad.notes`) when the file has any.

    Raises
    ------
    EmptySelectionError
        When no record has one of the codes (naming some codes the file has).
    """
    wanted = {values.normalise_la_code(str(c)) for c in la_codes}
    df_la = sel.df["LA (code)"].isin(wanted)
    if not df_la.any():
        found = sorted(sel.df["LA (code)"].unique())[:12]
        from partition.errors import EmptySelectionError

        raise EmptySelectionError(
            f"{sel.path}: no school has LA code {', '.join(sorted(wanted))}",
            fix=f"check the LA code (codes in this file include {', '.join(found)})",
        )
    others = int((~df_la).sum())
    if others:
        codes = sel.df.loc[~df_la, "LA (code)"].nunique()
        sel.notes.append(
            f"{sel.path.name}: LA filter {', '.join(sorted(wanted))} kept {int(df_la.sum()):,} of {len(df_la):,} "
            f"records; the other {others:,} belong to {codes:,} other LA code(s) and are not part of the study"
        )
    sel.keep(df_la)


def _exclude_unselected_kinds(sel: _Selection, kinds: tuple[str, ...] | list[str]) -> None:
    """Classify each record (:func:`classify_kind`, column ``kind``) and exclude, kind by kind, those not in ``kinds``."""
    df = sel.df
    kind = pd.Series(
        [
            classify_kind(p, t, g)
            for p, t, g in zip(
                df["PhaseOfEducation (name)"],
                df["TypeOfEstablishment (name)"],
                df["EstablishmentTypeGroup (name)"],
            )
        ],
        index=df.index,
        dtype=str,
    )
    sel.df = df.assign(kind=kind)
    not_kind = ~kind.isin(kinds)
    if not_kind.any():
        for k in sorted(kind[not_kind].unique()):
            sel.exclude(sel.df["kind"] == k, f"kind '{k}' not selected", warn=False)


def _school_table(sel: _Selection) -> pd.DataFrame:
    """The schools' columns of the module schema (before imputation, ``anchor`` and geometry)."""
    df = sel.df
    return pd.DataFrame(
        {
            "URN": df["URN"].to_numpy(),
            "name": df["EstablishmentName"].str.strip().to_numpy(),
            "kind": df["kind"].to_numpy(),
            "phase": df["PhaseOfEducation (name)"].str.strip().to_numpy(),
            "type": df["TypeOfEstablishment (name)"].str.strip().to_numpy(),
            "status": df["EstablishmentStatus (name)"].str.strip().to_numpy(),
            "la_code": df["LA (code)"].to_numpy(),
            "pupils": sel.pupils.to_numpy(dtype=float),
            "capacity": pd.array(sel.capacity.round().to_numpy(), dtype="Int64"),
            "fsm_share": df["fsm_share"].to_numpy(dtype=float),
            "gias_district": df["DistrictAdministrative (name)"].str.strip().to_numpy(),
            "gias_district_code": df["DistrictAdministrative (code)"].str.strip().to_numpy(),
            "town": df["Town"].str.strip().to_numpy(),
            "locality": df["Locality"].str.strip().to_numpy(),
            "address3": df["Address3"].str.strip().to_numpy(),
            "ward": df["AdministrativeWard (name)"].str.strip().to_numpy(),
            "last_changed": _gias_dates(df["LastChangedDate"]),
            "federation": _group_names(df["Federations (name)"]),
            "trust": _group_names(df["Trusts (name)"]),
        }
    )


@read_once
def _parsed_file(path: Path, *, data: bytes | None = None) -> tuple[_Selection, gpd.GeoDataFrame, list[int], str]:
    """Every record of the file (of ``data``, its bytes) with its numbers parsed, the located records, the lines
    with extra fields and the encoding: what does not depend on the LA, status or kinds asked for (parsed once
    per content, see :mod:`partition.io.memo`).
    """
    table = _read_records(path, data)
    sel = _parse_numbers(_gias_columns(table))
    return sel, _located_records(sel), table.extra_field_lines, table.encoding


def read_gias(
    path: str | Path,
    *,
    data: bytes | None = None,
    la_codes: tuple[str, ...] | list[str] | None = ("850",),
    status: str = "open",
    kinds: tuple[str, ...] | list[str] = DEFAULT_KINDS,
    uncounted: tuple[str, ...] | list[str] = (),
) -> SchoolsLoad:
    """Read a GIAS CSV into a GeoDataFrame of schools (EPSG:27700).

    Parameters
    ----------
    path
        The GIAS CSV (search download or ``edubasealldata``), UTF-8 or Windows-1252; named in the messages.
    data
        The file's bytes as read (:func:`partition.io.snapshot.snapshot`), parsed instead of reading
        ``path``; read from ``path`` once when not given.
    la_codes
        DfE LA codes to keep (``"850"`` is Hampshire); ``None`` keeps every LA.
    status
        ``"open"`` (GIAS status starting "Open") or ``"all"``.
    kinds
        Kinds to keep, from :data:`KINDS`; add ``"special"`` and ``"pru"`` to include them.
    uncounted
        Kinds among ``kinds`` whose blank ``NumberOfPupils`` is left blank (``<NA>``) instead of imputed: the
        members that do not count toward a size bound (:data:`MEMBER_KINDS`). With any, ``pupils`` is a
        nullable integer column.

    Returns
    -------
    SchoolsLoad
        Schools (one row per school, points from GIAS Easting/Northing in British National Grid,
        EPSG:27700, metres; columns in the module docstring) plus everything excluded and imputed.
        Records without coordinates and duplicate URNs are excluded with a
        :class:`~partition.warnings.DataWarning` listing their URNs.

    Raises
    ------
    SchoolsFileError
        When the status or a kind is unknown, the file cannot be read or decoded, a required column is
        missing or a value is malformed (naming line and column), or no selected school has a pupil figure.
    EmptySelectionError
        When no record has one of ``la_codes``.
    """
    path = Path(path)
    _check_options(path, status, kinds)
    sel, records, extra, encoding = _parsed_file(path, data=data)
    if la_codes is not None:
        _keep_las(sel, la_codes)
    input_urns = [int(u) for u in sel.df["URN"]]
    if status == "open":
        status_text = sel.df["EstablishmentStatus (name)"].str.strip().str.lower()
        sel.exclude(~status_text.str.startswith("open"), "not open (status filter)", warn=False)
    _exclude_unselected_kinds(sel, kinds)
    no_xy = sel.easting.isna() | sel.northing.isna() | (sel.easting <= 0) | (sel.northing <= 0)
    sel.exclude(no_xy, "without coordinates (blank Easting/Northing)", warn=True)
    sel.exclude(sel.df["URN"].duplicated(keep="first"), "with a duplicate URN (first record kept)", warn=True)
    out = _school_table(sel)
    zero = _check_pupils(path, out, sel.df["_line"].to_numpy())
    out, imputed = _impute_counted(out, uncounted)
    out["anchor"] = out["kind"].isin(ANCHOR_KINDS)
    geometry = gpd.points_from_xy(sel.easting.to_numpy(), sel.northing.to_numpy(), crs="EPSG:27700")
    schools = gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:27700")
    if imputed:
        warnings.warn(
            DataWarning(
                f"{path.name}: imputed pupil numbers for {len(imputed)} school(s) with blank "
                f"NumberOfPupils (capacity × median occupancy of their kind): URN " + ", ".join(map(str, imputed))
            ),
            stacklevel=2,
        )
    return SchoolsLoad(
        schools, sel.excluded_frame(), imputed, path, encoding, extra, zero, input_urns, records, sel.notes
    )


def authorities(
    path: str | Path,
    *,
    data: bytes | None = None,
    status: str = "open",
    kinds: tuple[str, ...] | list[str] = DEFAULT_KINDS,
) -> pd.DataFrame:
    """Every LA of a GIAS file with its schools and pupils after the status and kind filters.

    Parameters
    ----------
    path
        The GIAS CSV (e.g. the England extract).
    data, status, kinds
        As :func:`read_gias`.

    Returns
    -------
    pandas.DataFrame
        One row per DfE LA code, in code order: ``la`` (text), ``name`` (GIAS ``LA (name)``; the code when
        the file has no names), ``schools`` and ``pupils`` (the records kept by the filters; blank pupil
        figures count 0 here). LAs with no record kept have ``schools`` 0.

    Raises
    ------
    SchoolsFileError
        As :func:`read_gias`.
    """
    path = Path(path)
    _check_options(path, status, kinds)
    sel = _parsed_file(path, data=data)[0]
    df = sel.df
    names = df["LA (name)"].str.strip().where(df["LA (name)"].str.strip() != "", df["LA (code)"])
    kept = pd.Series(True, index=df.index)
    if status == "open":
        kept &= df["EstablishmentStatus (name)"].str.strip().str.lower().str.startswith("open")
    kind = [
        classify_kind(p, t, g)
        for p, t, g in zip(
            df["PhaseOfEducation (name)"], df["TypeOfEstablishment (name)"], df["EstablishmentTypeGroup (name)"]
        )
    ]
    kept &= pd.Series(kind, index=df.index).isin(kinds)
    table = pd.DataFrame(
        {"la": df["LA (code)"], "name": names, "kept": kept, "pupils": sel.pupils.fillna(0).where(kept, 0)}
    )
    out = table.groupby("la", sort=True).agg(name=("name", "first"), schools=("kept", "sum"), pupils=("pupils", "sum"))
    return out.reset_index().astype({"schools": int, "pupils": int})


def _check_pupils(path: Path, schools: pd.DataFrame, lines: np.ndarray) -> list[int]:
    """Refuse schools that cannot be balanced by pupils; warn about zeros taken at face value.

    Returns the URNs with ``NumberOfPupils`` 0.

    Raises
    ------
    SchoolsFileError
        When no selected school has a pupil figure, or every figure is 0.
    """
    if schools.empty:
        return []
    pupils = schools["pupils"]
    if pupils.isna().all():
        raise SchoolsFileError(
            path,
            f"NumberOfPupils is blank for all {len(schools)} selected schools (lines {lines.min()}-{lines.max()}); "
            "partnerships cannot be balanced without pupil numbers",
            column="NumberOfPupils",
            fix="use a GIAS download that includes pupil numbers (the 'NumberOfPupils' census figure)",
        )
    if (pupils.fillna(0) == 0).all():
        raise SchoolsFileError(
            path,
            f"NumberOfPupils is 0 (or blank) for all {len(schools)} selected schools; "
            "partnerships cannot be balanced without pupil numbers",
            column="NumberOfPupils",
            fix="use a GIAS download that includes pupil numbers (the 'NumberOfPupils' census figure)",
        )
    zero = pupils == 0
    urns = [int(u) for u in schools.loc[zero, "URN"]]
    if urns:
        shown = ", ".join(f"{u} (line {n})" for u, n in zip(urns[:40], lines[zero.to_numpy()][:40]))
        warnings.warn(
            DataWarning(
                f"{path.name}: NumberOfPupils is 0 for {len(urns)} school(s), taken at face value "
                f"(e.g. a school not yet open to pupils): URN {shown}" + (" ..." if len(urns) > 40 else "")
            ),
            stacklevel=3,
        )
    return urns


def _impute_counted(schools: pd.DataFrame, uncounted: tuple[str, ...] | list[str]) -> tuple[pd.DataFrame, list[int]]:
    """:func:`impute_pupils` for the rows of counted kinds; rows of ``uncounted`` kinds keep blanks (``<NA>``)."""
    if not uncounted:
        return impute_pupils(schools)
    apart = schools["kind"].isin(uncounted).to_numpy()
    if apart.all():
        kept = schools.assign(pupils_imputed=False)
        return kept.assign(pupils=pd.array(kept["pupils"].round(), dtype="Int64")), []
    counted, imputed = impute_pupils(schools[~apart])
    members = schools[apart].assign(pupils_imputed=False)
    members["pupils"] = pd.array(members["pupils"].round(), dtype="Int64")
    counted["pupils"] = counted["pupils"].astype("Int64")
    return pd.concat([counted, members]).loc[schools.index], imputed


def impute_pupils(schools: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """Fill blank ``pupils`` by the module's documented rule; return the frame and imputed URNs.

    Parameters
    ----------
    schools
        One row per school: ``URN``, ``kind``, ``pupils`` (float, NaN where GIAS ``NumberOfPupils`` is
        blank) and ``capacity`` (nullable int, GIAS ``SchoolCapacity``). At least one school must have a
        pupil figure when any is blank (:func:`read_gias` refuses a selection without one).

    Returns
    -------
    schools, imputed
        A copy with ``pupils`` as whole numbers (int64) and ``pupils_imputed`` (bool), and the URNs whose
        figure was imputed, in row order.
    """
    schools = schools.copy()
    missing = schools["pupils"].isna()
    schools["pupils_imputed"] = missing.to_numpy()
    if missing.any():
        known = schools[~missing]
        cap = schools["capacity"].astype("float64")
        ratio_all = (known["pupils"] / cap[~missing]).replace([np.inf, -np.inf], np.nan).median()
        for i in np.flatnonzero(missing.to_numpy()):
            row = schools.iloc[i]
            same = known[known["kind"] == row["kind"]]
            ratios = (same["pupils"] / same["capacity"].astype("float64")).replace([np.inf, -np.inf], np.nan).dropna()
            ratio = ratios.median() if len(ratios) else ratio_all
            c = cap.iloc[i]
            if pd.notna(c) and c > 0 and pd.notna(ratio):
                value = c * ratio
            elif len(same):
                value = same["pupils"].median()
            else:  # read_gias refuses a selection without any pupil figure, so ``known`` is not empty
                value = known["pupils"].median()
            schools.iloc[i, schools.columns.get_loc("pupils")] = value
    schools["pupils"] = schools["pupils"].round().astype("int64")
    return schools, schools.loc[missing, "URN"].astype(int).tolist()
