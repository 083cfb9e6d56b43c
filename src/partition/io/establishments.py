"""Establishments without coordinates (colleges, special schools, PRUs ...) located by postcode.

Two inputs, one result:

* the DfE performance-tables school list for England (the "spine", ``YYYY-YYYY_england_spine.xlsx``:
  ``URN, LA, SCHNAME, ..., POSTCODE, ICLOSE, CLOSEDATE, NFTYPE, AGEL, AGEH, ISPRIMARY, ISSECONDARY``),
  read by :func:`read_spine`;
* a council's CSV list of establishments with a postcode (columns ``URN`` or ``ID``, ``name``, ``type``,
  ``postcode``; optional ``pupils``, ``LA``, ``town``), read by :func:`read_establishment_list`.

Each row is classified to one of :data:`partition.io.schools.KINDS` by the same rule as a GIAS file
(:func:`partition.io.schools.classify_kind`): a spine ``NFTYPE`` is first written as the GIAS
``TypeOfEstablishment (name)`` it is (:data:`SPINE_TYPES`; an ``NFTYPE`` not listed is refused) and its
phase is taken from the spine's flags and ages (:func:`spine_phase`); a list's type word is a kind name or
a type that says the kind (:data:`TYPE_WORDS`, any case). An independent special school is ``special``
with ``independent`` True.

Status (spine ``ICLOSE``, undocumented in the file; read from the data, PROVENANCE 5a): 1 is open; 2 is
closed (every such row has a ``CLOSEDATE``); 3 (146 rows, no dates, all maintained schools) is read as
GIAS's "Open, but proposed to close": 13 % of those URNs are still open in GIAS 2022 against 98 % of
ICLOSE 1 and none of ICLOSE 2, so they were open when the list was made. ``status="open"`` keeps 1 and 3.

Each row is located at its postcode's Code-Point Open point (:mod:`partition.io.codepoint`; postcodes
normalised, compared exactly). A row whose postcode is blank or not in Code-Point is reported in
:attr:`EstablishmentsLoad.excluded` with its name, URN, postcode, line (the spreadsheet row) and the fix;
nothing is guessed. Every row of the selected LAs is either in ``establishments`` or in ``excluded``.

Pupils: the spine has none. A college's ``pupils`` is its 16-18 students (``TPUP1618``) in the DfE 16-18
performance tables (:func:`read_ks5`) when that file is given and has a figure for its URN; otherwise, and
for every other kind, ``pupils`` is blank (``<NA>``; never imputed here) and the URN is listed in
:attr:`EstablishmentsLoad.no_pupils`. A list's own ``pupils`` column is used where filled.

The result has the columns of :func:`partition.io.schools.read_gias` (same names, same order; ``pupils``
and ``capacity`` nullable, ``gias_district_code`` the postcode's ONS district from Code-Point) plus
``postcode``, ``independent``, ``quality`` (Code-Point's positional quality), ``source_type`` (the type as
the input writes it) and ``line``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from partition.errors import SchoolsFileError
from partition.io import values
from partition.io.codepoint import CodePoint, normalise_postcode, postcode_area, read_codepoint
from partition.io.memo import read_once
from partition.io.schools import (
    ANCHOR_KINDS,
    COLLEGE_TYPES,
    KINDS,
    PRU_TYPES,
    SPECIAL_TYPES,
    STATUSES,
    classify_kind,
)
from partition.io.snapshot import InputRecord, snapshot
from partition.io.tables import Table, read_table

SPINE_TYPES = {
    "community school": "Community school",
    "voluntary aided school": "Voluntary aided school",
    "voluntary controlled school": "Voluntary controlled school",
    "foundation school": "Foundation school",
    "city technology college": "City technology college",
    "other independent school": "Other independent school",
    "academy - converter mainstream": "Academy converter",
    "academy sponsor led mainstream": "Academy sponsor led",
    "free school - mainstream": "Free schools",
    "studio school": "Studio schools",
    "university technical college": "University technical college",
    "service childrens education": "Service children's education",
    "academy 16-19 converter": "Academy 16-19 converter",
    "academy 16-19 sponsor led": "Academy 16 to 19 sponsor led",
    "free school 16-19": "Free schools 16 to 19",
    "general further education college": "Further education",
    "sixth form college": "Further education",
    "agriculture and horticulture college": "Further education",
    "art, design and performing art college": "Further education",
    "specialist designated college": "Further education",
    "sixth form centre/consortia": "Sixth form centres",
    "institution funded by other government department": "Institution funded by other government department",
    "community special school": "Community special school",
    "foundation special school": "Foundation special school",
    "non-maintained special school": "Non-maintained special school",
    "academy - converter special school": "Academy special converter",
    "academy - sponsor led special school": "Academy special sponsor led",
    "free school - special": "Free schools special",
    "other independent special school": "Other independent special school",
}
"""Every spine ``NFTYPE`` (any case, spaces collapsed) and the GIAS ``TypeOfEstablishment (name)`` it is.
Sixth form, land-based, art and specialist designated colleges are GIAS "Further education"."""

ICLOSE_STATUS = {"1": "Open", "2": "Closed", "3": "Open, but proposed to close"}
"""Spine ``ICLOSE`` as a GIAS status (see the module docstring for 3)."""

SPINE_COLUMNS = ("URN", "LA", "SCHNAME", "POSTCODE", "ICLOSE", "NFTYPE", "AGEL", "AGEH", "ISPRIMARY", "ISSECONDARY")
"""Spine columns required."""

KIND_PHASE = {
    "primary": "Primary",
    "middle": "Middle",
    "secondary": "Secondary",
    "all-through": "All-through",
    "college": "16 plus",
    "special": "Not applicable",
    "pru": "Not applicable",
    "other": "Not applicable",
}
"""The phase written for a list's row of each kind."""

TYPE_WORDS = {
    **{kind: kind for kind in KINDS},
    "all through": "all-through",
    "primary school": "primary",
    "infant school": "primary",
    "junior school": "primary",
    "first school": "primary",
    "middle school": "middle",
    "secondary school": "secondary",
    "all-through school": "all-through",
    "sixth form college": "college",
    "further education college": "college",
    "general further education college": "college",
    "fe college": "college",
    "16-19 academy": "college",
    "special school": "special",
    "independent special school": "special",
    "pupil referral unit": "pru",
    "alternative provision": "pru",
    **dict.fromkeys(COLLEGE_TYPES, "college"),
    **dict.fromkeys(SPECIAL_TYPES, "special"),
    **dict.fromkeys(PRU_TYPES, "pru"),
    **{word: classify_kind("", gias) for word, gias in SPINE_TYPES.items() if gias.casefold() in COLLEGE_TYPES},
    **{word: "special" for word, gias in SPINE_TYPES.items() if gias.casefold() in SPECIAL_TYPES},
}
"""A list's type words (any case, spaces collapsed) and their kind; a GIAS type that leaves the kind to the
phase (e.g. "Community school") is refused: the list must say primary, secondary ..."""

LIST_COLUMNS = {
    "id": ("URN", "ID"),
    "name": ("name", "EstablishmentName", "SCHNAME"),
    "type": ("type", "kind", "TypeOfEstablishment (name)", "NFTYPE"),
    "postcode": ("postcode", "POSTCODE"),
    "pupils": ("pupils", "NumberOfPupils"),
    "la": ("LA", "LA (code)"),
    "town": ("town", "TOWN"),
}
"""Accepted column names of a list (any case): identifier, name, type, postcode; then the optional ones."""

AGES = values.CountRule("age", 99, "the DfE's open-ended upper age (99)", fix="use an unchanged DfE spine file")
"""Spine ``AGEL``/``AGEH``: whole years 0-99."""

STUDENTS = values.CountRule(
    "16-18 students",
    50_000,
    "more 16-18 students than any English college group has (the largest had 12,414 in 2023/24)",
    blank=True,
    fix="use the DfE 16-18 performance tables file as published",
)
"""KS5 ``TPUP1618``: 0 to 50,000 (merged FE groups report every campus under one URN)."""

KS5_CODES = re.compile(r"[A-Za-z]+")
"""A DfE suppression or not-applicable code in a number column (``SUPP``, ``NE``, ``NEW``, ``NA`` ...)."""

UNLOCATED = "postcode not in Code-Point Open"
NO_POSTCODE = "no postcode"


@dataclass
class EstablishmentsLoad:
    """What :func:`read_spine` or :func:`read_establishment_list` placed and what it reported.

    Attributes
    ----------
    establishments
        One row per establishment placed (schema in the module docstring), EPSG:27700 points.
    excluded
        One row per record left out: ``URN``, ``name``, ``kind``, ``postcode`` (as written), ``line``,
        ``reason`` and ``fix``.
    input_urns
        URN of every record of the selected LAs, in file order: each is in ``establishments`` or ``excluded``.
    no_pupils
        URNs placed without a pupil figure (``pupils`` blank).
    source
        The file read.
    notes
        What the user should know of the reading.
    codepoint_inputs
        What was read of each Code-Point Open file (path, SHA-256, size), when it was read from its files here.
    """

    establishments: gpd.GeoDataFrame
    excluded: pd.DataFrame
    input_urns: list[int]
    no_pupils: list[int]
    source: Path
    notes: list[str] = field(default_factory=list)
    codepoint_inputs: list[InputRecord] = field(default_factory=list)

    @property
    def unlocated(self) -> pd.DataFrame:
        """The records left out because their postcode is blank or not in Code-Point Open.

        Returns
        -------
        pandas.DataFrame
            The rows of :attr:`excluded` with those reasons.
        """
        return self.excluded[self.excluded["reason"].isin([UNLOCATED, NO_POSTCODE])]


def spine_phase(gias_type: str, youngest: int, oldest: int, primary: bool, secondary: bool) -> str:
    """The GIAS phase of a spine row, from its type, ages and phase flags.

    Parameters
    ----------
    gias_type
        The GIAS type (:data:`SPINE_TYPES`).
    youngest, oldest
        ``AGEL`` and ``AGEH``.
    primary, secondary
        ``ISPRIMARY`` and ``ISSECONDARY``.

    Returns
    -------
    str
        "Not applicable" for special schools and PRUs; "16 plus" for college types or pupils from 16;
        else "Primary", "Secondary", "Middle deemed primary" (to 12), "Middle deemed secondary" (to 14),
        "All-through" (primary and secondary to 15 or over); "Not applicable" when neither flag is set.
    """
    t = gias_type.casefold()
    if t in SPECIAL_TYPES or t in PRU_TYPES:
        return "Not applicable"
    if t in COLLEGE_TYPES or youngest >= 16:
        return "16 plus"
    if primary != secondary:
        return "Primary" if primary else "Secondary"
    if not primary:
        return "Not applicable"
    if oldest <= 12:
        return "Middle deemed primary"
    return "Middle deemed secondary" if oldest <= 14 else "All-through"


def _cell_text(value: object) -> str:
    """A workbook cell as text: whole numbers without ``.0``, dates as ``YYYY-MM-DD``, empty as blank."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _text(rows: list[list[object]]) -> pd.DataFrame:
    """The sheet's rows under its header row, every cell as text (:func:`_cell_text`)."""
    header = [str(c).strip() for c in rows[0]] if rows else []
    body = [[_cell_text(v) for v in row] + [""] * (len(header) - len(row)) for row in rows[1:]]
    return pd.DataFrame([row[: len(header)] for row in body], columns=header)


def _spine_table(path: Path, data: bytes) -> Table:
    """The spine's first sheet as a :class:`Table` (``lines`` are spreadsheet rows).

    Raises
    ------
    SchoolsFileError
        When the file is not a readable xlsx or lacks a column of :data:`SPINE_COLUMNS`.
    """
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # the workbook reader raises several kinds for a file that is not xlsx
        raise SchoolsFileError(
            path, f"cannot be read as an Excel workbook ({exc})", fix="give the DfE spine .xlsx as downloaded"
        ) from None
    frame = _text(rows)
    missing = [c for c in SPINE_COLUMNS if c not in frame.columns]
    if missing:
        raise SchoolsFileError(
            path,
            f"required spine column(s) missing: {', '.join(missing)}",
            column=missing[0],
            fix="give the DfE performance-tables school list (england_spine.xlsx) as downloaded",
        )
    lines = np.arange(2, len(frame) + 2)
    return Table(path, frame, lines, "xlsx", ",", error=SchoolsFileError)


def _spine_types(table: Table) -> pd.Series:
    """The GIAS type of each spine row; an ``NFTYPE`` not in :data:`SPINE_TYPES` is refused."""
    keys = table.frame["NFTYPE"].map(lambda t: " ".join(t.split()).casefold())
    unknown = ~keys.isin(list(SPINE_TYPES))
    if unknown.any():
        i = int(np.flatnonzero(unknown.to_numpy())[0])
        raise table.refuse(
            i,
            "NFTYPE",
            f"establishment type {table.frame['NFTYPE'].iloc[i]!r} is not one partition knows",
            "report it, so that its kind is decided (nothing is classified by guess)",
        )
    return keys.map(SPINE_TYPES)


def _spine_records(table: Table) -> pd.DataFrame:
    """The spine rows as records: URN, LA, name, GIAS type and phase, status, postcode, town ..."""
    df = table.frame
    types = _spine_types(table)
    youngest = values.counts(table, "AGEL", AGES).astype(int)
    oldest = values.counts(table, "AGEH", AGES).astype(int)
    flags = [df[c].str.strip().isin(["1", "1.0"]) for c in ("ISPRIMARY", "ISSECONDARY")]
    phases = [spine_phase(*args) for args in zip(types, youngest, oldest, *flags)]
    status = df["ICLOSE"].str.strip().map(lambda c: ICLOSE_STATUS.get(c.removesuffix(".0"), f"ICLOSE {c!r}"))
    closed = df.get("CLOSEDATE", pd.Series("", index=df.index)).str.strip()
    status = status.where(~((status == "Closed") & (closed != "")), "Closed " + closed)
    return pd.DataFrame(
        {
            "URN": values.identifiers(table, "URN"),
            "la_code": values.la_codes(table, "LA")[0],
            "name": df["SCHNAME"].str.strip(),
            "type": types,
            "source_type": df["NFTYPE"].str.strip(),
            "phase": phases,
            "status": status,
            "postcode_text": df["POSTCODE"],
            "town": df.get("TOWN", pd.Series("", index=df.index)).str.strip(),
            "locality": df.get("LOCALITY", pd.Series("", index=df.index)).str.strip(),
            "address3": df.get("ADDRESS3", pd.Series("", index=df.index)).str.strip(),
            "pupils": np.nan,
            "line": table.lines,
        },
        index=df.index,
    )


@read_once
def spine_records(path: Path, *, data: bytes | None = None) -> pd.DataFrame:
    """Every row of the spine workbook as a record with its kind (parsed once per content, :mod:`partition.io.memo`).

    Parameters
    ----------
    path
        The spine ``.xlsx``.
    data
        Its bytes as read; read from ``path`` when not given.

    Returns
    -------
    pandas.DataFrame
        ``URN``, ``la_code``, ``name``, ``type`` (GIAS), ``source_type`` (``NFTYPE``), ``phase``, ``kind``,
        ``status``, ``postcode_text``, ``town``, ``locality``, ``address3``, ``pupils`` (NaN), ``line``.

    Raises
    ------
    SchoolsFileError
        As :func:`read_spine`.
    """
    if data is None:
        data = snapshot(path, error=SchoolsFileError).data
    records = _spine_records(_spine_table(Path(path), data))
    return records.assign(kind=[classify_kind(p, t) for p, t in zip(records["phase"], records["type"])])


def _list_column(table: Table, role: str, required: bool) -> str | None:
    """The list's column for ``role`` (:data:`LIST_COLUMNS`); a missing required one is refused."""
    found = next((c for name in LIST_COLUMNS[role] if (c := table.column(name))), None)
    if found is None and required:
        raise SchoolsFileError(
            table.path,
            f"has no {' or '.join(repr(n) for n in LIST_COLUMNS[role])} column",
            row=1,
            fix="give the list the columns URN (or ID), name, type and postcode",
        )
    return found


def list_kind(word: str) -> str | None:
    """The kind a list's type word says (:data:`TYPE_WORDS`, any case), or None.

    Parameters
    ----------
    word
        E.g. ``"Special"``, ``"pupil referral unit"``, ``"Further education"``.

    Returns
    -------
    str or None
        One of :data:`partition.io.schools.KINDS`.
    """
    return TYPE_WORDS.get(" ".join(word.split()).casefold())


def _list_kinds(table: Table, column: str) -> list[str]:
    """The kind of each row of a list; a type word that says no kind is refused naming its line."""
    kinds = [list_kind(w) for w in table.frame[column]]
    for i, kind in enumerate(kinds):
        if kind is None:
            raise table.refuse(
                i,
                column,
                f"type {table.frame[column].iloc[i]!r} does not say which kind of establishment it is",
                f"write one of {', '.join(KINDS)} (or e.g. 'pupil referral unit', 'sixth form college')",
            )
    return kinds


def _list_records(table: Table, la_code: str) -> pd.DataFrame:
    """A council list's rows as records (phase written from the kind)."""
    columns = {role: _list_column(table, role, role in ("id", "name", "type", "postcode")) for role in LIST_COLUMNS}
    df = table.frame
    kinds = _list_kinds(table, columns["type"])
    blank = pd.Series("", index=df.index)
    la = values.la_codes(table, columns["la"])[0] if columns["la"] else pd.Series(la_code, index=df.index)
    return pd.DataFrame(
        {
            "URN": values.identifiers(table, columns["id"], name=columns["id"]),
            "la_code": la,
            "name": df[columns["name"]].str.strip(),
            "type": df[columns["type"]].str.strip(),
            "source_type": df[columns["type"]].str.strip(),
            "phase": [KIND_PHASE[k] for k in kinds],
            "kind": kinds,
            "status": "Open",
            "postcode_text": df[columns["postcode"]],
            "town": df[columns["town"]].str.strip() if columns["town"] else blank,
            "locality": blank,
            "address3": blank,
            "pupils": values.counts(table, columns["pupils"], values.PUPILS) if columns["pupils"] else np.nan,
            "line": table.lines,
        },
        index=df.index,
    )


def read_ks5(path: str | Path, *, data: bytes | None = None) -> pd.Series:
    """16-18 student numbers (``TPUP1618``) per URN from a DfE 16-18 performance-tables file.

    Parameters
    ----------
    path
        ``YYYY-YYYY_england_ks5final.csv`` (or ``.csv.gz``); institution rows are ``RECTYPE`` 1. The DfE
        leaves out empty trailing fields; each record must reach ``TPUP1618``.
    data
        Its bytes as read; read from ``path`` when not given.

    Returns
    -------
    pandas.Series
        Indexed by URN (int): the figure (float), NaN where blank or a DfE code (``SUPP``, ``NE`` ...).

    Raises
    ------
    SchoolsFileError
        When the file cannot be read, lacks ``RECTYPE``, ``URN`` or ``TPUP1618``, or a figure is malformed.
    """
    path = Path(path)
    if data is None:
        data = snapshot(path, error=SchoolsFileError).data
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    table = read_table(
        path, data, kind="DfE 16-18 performance tables", error=SchoolsFileError, fields_through="TPUP1618"
    )
    for name in ("RECTYPE", "URN"):
        _list_column_named(table, name)
    rows = table.frame["RECTYPE"].str.strip() == "1"
    frame, lines = table.frame[rows].reset_index(drop=True), table.lines[rows.to_numpy()]
    table = Table(table.path, frame, lines, table.encoding, table.separator, error=SchoolsFileError)
    figures = table.frame["TPUP1618"].str.strip()
    table.frame["TPUP1618"] = figures.where(~figures.str.fullmatch(KS5_CODES.pattern), "")
    students = values.counts(table, "TPUP1618", STUDENTS)
    return pd.Series(students.to_numpy(), index=values.identifiers(table, "URN").to_numpy(), name="TPUP1618")


def _list_column_named(table: Table, name: str) -> None:
    if name not in table.frame.columns:
        raise SchoolsFileError(
            table.path, f"has no {name!r} column", row=1, fix="give the DfE ks5final file as published"
        )


def _codepoint(codepoint: CodePoint | str | Path, postcodes: pd.Series) -> CodePoint:
    return codepoint if isinstance(codepoint, CodePoint) else read_codepoint(codepoint, postcodes=postcodes)


def _excluded_rows(records: pd.DataFrame, reason: str, fix: pd.Series | str) -> pd.DataFrame:
    out = records[["URN", "name", "kind", "postcode_text", "line"]].rename(columns={"postcode_text": "postcode"})
    return out.assign(reason=reason, fix=fix)


def _unlocated_fix(path: Path, records: pd.DataFrame, codepoint: CodePoint) -> pd.Series:
    """The fix for each postcode Code-Point does not hold (naming the missing area file when that is why)."""

    def fix(row: pd.Series) -> str:
        where = f"{path.name} line {row['line']}"
        if row["postcode"] and postcode_area(row["postcode"]) in codepoint.missing_areas:
            return (
                f"{codepoint.source} has no file for postcode area {postcode_area(row['postcode'])}: "
                "use Code-Point Open for all of Great Britain"
            )
        return f"check the postcode of {row['name']} ({where}) and correct it to its current postcode"

    return records.apply(fix, axis=1) if len(records) else pd.Series(dtype=str)


def _locate(
    path: Path, records: pd.DataFrame, codepoint: CodePoint | str | Path
) -> tuple[pd.DataFrame, list[pd.DataFrame], CodePoint]:
    """Records with coordinates (``easting``, ``northing``, ``quality``, ``district_code``) and those reported."""
    records = records.assign(postcode=records["postcode_text"].map(lambda t: normalise_postcode(t) or ""))
    blank = records["postcode_text"].str.strip() == ""
    bad = ~blank & (records["postcode"] == "")
    if bad.any():
        first = records[bad].iloc[0]
        raise SchoolsFileError(
            path,
            f"{first['postcode_text']!r} ({first['name']}) is not a postcode",
            row=int(first["line"]),
            column="postcode",
            fix="correct the postcode (e.g. SO14 0AA), or leave it blank to have the row reported as not located",
        )
    cp = _codepoint(codepoint, records.loc[~blank, "postcode"])
    found = records["postcode"].isin(cp.points.index[cp.points["quality"] < 90])
    reported = [_excluded_rows(records[blank], NO_POSTCODE, f"give the postcode in {path.name}")]
    missing = records[~blank & ~found]
    reported.append(_excluded_rows(missing, UNLOCATED, _unlocated_fix(path, missing, cp)))
    located = records[found].join(cp.points, on="postcode")
    return located, reported, cp


def _with_ks5(records: pd.DataFrame, ks5: pd.Series | None) -> pd.DataFrame:
    """Colleges without a figure take their KS5 ``TPUP1618`` by URN (the first row of a URN)."""
    if ks5 is None:
        return records
    figures = ks5[~ks5.index.duplicated()]
    wanted = (records["kind"] == "college") & records["pupils"].isna()
    fill = records.loc[wanted, "URN"].map(figures)
    records = records.copy()
    records.loc[wanted, "pupils"] = fill.to_numpy(dtype=float)
    return records


def _frame(records: pd.DataFrame) -> gpd.GeoDataFrame:
    """The GIAS-shaped result (columns of :func:`partition.io.schools.read_gias`, then the extra ones)."""
    blank = [""] * len(records)
    out = pd.DataFrame(
        {
            "URN": records["URN"].to_numpy(dtype="int64"),
            "name": records["name"].to_numpy(),
            "kind": records["kind"].to_numpy(),
            "phase": records["phase"].to_numpy(),
            "type": records["type"].to_numpy(),
            "status": records["status"].to_numpy(),
            "la_code": records["la_code"].to_numpy(),
            "pupils": pd.array(records["pupils"].round().to_numpy(), dtype="Int64"),
            "capacity": pd.array([pd.NA] * len(records), dtype="Int64"),
            "fsm_share": np.full(len(records), np.nan),  # the lists carry no free school meals share
            "gias_district": blank,
            "gias_district_code": records["district_code"].fillna("").to_numpy(),
            "town": records["town"].to_numpy(),
            "locality": records["locality"].to_numpy(),
            "address3": records["address3"].to_numpy(),
            "ward": blank,
            "last_changed": pd.Series(pd.NaT, index=range(len(records)), dtype="datetime64[ns]").to_numpy(),
            "federation": blank,
            "trust": blank,
            "pupils_imputed": np.zeros(len(records), dtype=bool),
            "anchor": records["kind"].isin(ANCHOR_KINDS).to_numpy(),
            "postcode": records["postcode"].to_numpy(),
            "independent": records["type"].str.casefold().str.contains("independent").to_numpy(),
            "quality": records["quality"].to_numpy(dtype="int64"),
            "source_type": records["source_type"].to_numpy(),
            "line": records["line"].to_numpy(dtype="int64"),
        }
    )
    points = gpd.points_from_xy(records["easting"].to_numpy(), records["northing"].to_numpy(), crs="EPSG:27700")
    return gpd.GeoDataFrame(out, geometry=points, crs="EPSG:27700")


def _place(
    path: Path,
    records: pd.DataFrame,
    codepoint: CodePoint | str | Path,
    status: str,
    kinds: tuple[str, ...] | list[str],
    ks5: pd.Series | None,
) -> EstablishmentsLoad:
    """Filter by status and kind, locate, drop duplicate URNs: every record placed or reported."""
    input_urns = [int(u) for u in records["URN"]]
    reported = []
    if status == "open":
        shut = ~records["status"].str.casefold().str.startswith("open")
        reported.append(_excluded_rows(records[shut], "not open (status filter)", "use status='all' to keep it"))
        records = records[~shut]
    other = ~records["kind"].isin(kinds)
    reported.append(_excluded_rows(records[other], "kind not selected", "add its kind to kinds"))
    located, unlocated, cp = _locate(path, records[~other], codepoint)
    reported += unlocated
    twice = located["URN"].duplicated(keep="first")
    reported.append(_excluded_rows(located[twice], "duplicate URN (first row kept)", "give each row its own URN"))
    located = _with_ks5(located[~twice], ks5)
    excluded = pd.concat(reported, ignore_index=True).sort_values("line", kind="stable", ignore_index=True)
    frame = _frame(located)
    no_pupils = [int(u) for u in frame.loc[frame["pupils"].isna(), "URN"]]
    inputs = [] if isinstance(codepoint, CodePoint) else list(cp.inputs)
    return EstablishmentsLoad(frame, excluded, input_urns, no_pupils, path, codepoint_inputs=inputs)


def _check(path: Path, status: str, kinds: tuple[str, ...] | list[str]) -> None:
    if status not in STATUSES:
        raise SchoolsFileError(path, f"unknown status filter {status!r}", fix="use 'open' or 'all'")
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise SchoolsFileError(path, f"unknown kind(s) {unknown}", fix=f"choose from {', '.join(KINDS)}")


def read_spine(
    path: str | Path,
    *,
    codepoint: CodePoint | str | Path,
    data: bytes | None = None,
    la_codes: tuple[str, ...] | list[str] | None = ("850",),
    status: str = "open",
    kinds: tuple[str, ...] | list[str] = KINDS,
    ks5: pd.Series | None = None,
) -> EstablishmentsLoad:
    """Read the DfE performance-tables school list (spine xlsx) and locate each row by postcode.

    Parameters
    ----------
    path
        ``YYYY-YYYY_england_spine.xlsx``.
    codepoint
        Code-Point Open (:func:`partition.io.codepoint.read_codepoint`'s result, or its folder, ZIP or CSV:
        then only the areas of the selected rows' postcodes are read).
    data
        The workbook's bytes as read; read from ``path`` when not given.
    la_codes
        DfE LA codes to keep (``0850`` is 850); None keeps every LA.
    status
        ``"open"`` (ICLOSE 1 and 3) or ``"all"``.
    kinds
        Kinds to place (default every kind); the others are reported as not selected.
    ks5
        16-18 student numbers by URN (:func:`read_ks5`), used as the colleges' ``pupils``.

    Returns
    -------
    EstablishmentsLoad
        The establishments placed and every record reported, with the reason and the fix.

    Raises
    ------
    SchoolsFileError
        When the workbook cannot be read, lacks a column, holds an unknown ``NFTYPE``, a malformed URN, LA
        code or age, or a postcode that is not a postcode's shape (naming the spreadsheet row).
    """
    path = Path(path)
    _check(path, status, kinds)
    records = spine_records(path, data=data)
    if la_codes is not None:
        records = records[records["la_code"].isin({values.normalise_la_code(str(c)) for c in la_codes})]
    return _place(path, records, codepoint, status, kinds, ks5)


def read_establishment_list(
    path: str | Path,
    *,
    codepoint: CodePoint | str | Path,
    data: bytes | None = None,
    la_code: str = "",
    kinds: tuple[str, ...] | list[str] = KINDS,
    ks5: pd.Series | None = None,
) -> EstablishmentsLoad:
    """Read a council's CSV list of establishments (URN or ID, name, type, postcode) and locate each by postcode.

    Parameters
    ----------
    path
        The CSV (UTF-8 or Windows-1252, by :func:`partition.io.tables.read_table`); columns
        :data:`LIST_COLUMNS`, any case.
    codepoint
        As :func:`read_spine`.
    data
        The file's bytes as read; read from ``path`` when not given.
    la_code
        The DfE LA code written for every row when the list has no ``LA`` column.
    kinds, ks5
        As :func:`read_spine`.

    Returns
    -------
    EstablishmentsLoad
        Every row placed or reported (a list is taken as open establishments).

    Raises
    ------
    SchoolsFileError
        When the file cannot be read, lacks a column, or a row has a malformed identifier, type word, pupil
        figure or postcode (naming line, column and value).
    """
    path = Path(path)
    _check(path, "open", kinds)
    if data is None:
        data = snapshot(path, error=SchoolsFileError).data
    table = read_table(path, data, kind="establishments list", error=SchoolsFileError)
    records = _list_records(table, values.normalise_la_code(la_code))
    return _place(path, records, codepoint, "all", kinds, ks5)
