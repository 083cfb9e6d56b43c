"""Postcodes located with OS Code-Point Open (postcode unit → Easting/Northing, British National Grid).

Code-Point Open comes from the OS Data Hub (``partition fetch`` knows the address) as a ZIP archive in
OS's layout: ``Data/CSV/<area>.csv``, one file per postcode area (``so.csv`` holds every SO postcode),
**without a header row**, and ``Doc/Code-Point_Open_Column_Headers.csv``, whose second line names the
columns. :func:`read_codepoint` reads such a folder (unpacked), the ZIP archive itself, or one CSV file.
The column names come from the Doc file when it is there, else OS's documented ten columns
(:data:`OS_COLUMNS`). Given the postcodes wanted, only their areas' files are read (a folder or archive
of all of Great Britain holds 120 files and 1.7 million postcodes; Hampshire needs six).

Every file is read by :func:`partition.io.tables.read_table` (header-less) and its numbers by
:mod:`partition.io.values`: ``Eastings`` 0-700,000 and ``Northings`` 0-1,300,000 metres, the positional
quality indicator a whole number 0-90; each postcode must have a postcode's shape
(:func:`normalise_postcode`) and appear once. A value breaking its rule is an error naming file, line,
column and value.

Postcodes are compared normalised: upper case, one space before the inward code (``so14 0aa``,
``SO140AA`` and `` SO14  0AA `` are all ``SO14 0AA``). A postcode not in the file is reported by the
caller, never guessed from a neighbour.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from partition.errors import InputFileError
from partition.io import values
from partition.io.snapshot import InputRecord, snapshot
from partition.io.tables import Table, parse_table, read_table

OS_COLUMNS = (
    "Postcode",
    "Positional_quality_indicator",
    "Eastings",
    "Northings",
    "Country_code",
    "NHS_regional_HA_code",
    "NHS_HA_code",
    "Admin_county_code",
    "Admin_district_code",
    "Admin_ward_code",
)
"""Code-Point Open's columns, as OS documents them (``Doc/Code-Point_Open_Column_Headers.csv``, line 2)."""

HEADER_FILE = "Code-Point_Open_Column_Headers.csv"
"""The Doc file naming the columns."""

DATA_FOLDER = ("Data", "CSV")
"""Where the area files are, in OS's layout."""

POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})")
"""A UK postcode written without spaces: outward code (area, district) and inward code."""

QUALITY = values.CountRule(
    "positional quality",
    90,
    "the largest positional quality indicator Code-Point Open uses",
    fix="use an unchanged Code-Point Open file",
)
"""Code-Point's ``Positional_quality_indicator``: 10 (within a building of the postcode) to 90 (no coordinates)."""

NO_COORDINATES = 90
"""Positional quality of a postcode Code-Point Open gives no coordinates for."""

CODEPOINT_FIX = "use an unchanged Code-Point Open CSV from the OS Data Hub (partition fetch --only codepoint)"


def normalise_postcode(text: str) -> str | None:
    """A postcode as Code-Point Open writes it: upper case, one space before the inward code.

    Parameters
    ----------
    text
        A postcode as typed: ``"so14 0aa"``, ``"SO140AA"``, ``" SO14  0AA "``.

    Returns
    -------
    str or None
        ``"SO14 0AA"``; None when the text, without its spaces, does not have a postcode's shape (outward
        code of one or two letters, a digit and an optional letter or digit, then a digit and two letters).
    """
    compact = "".join(str(text).split()).upper()
    match = POSTCODE.fullmatch(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None


def postcode_area(postcode: str) -> str:
    """The postcode area: the leading letters (``"SO"`` of ``"SO14 0AA"``, ``"S"`` of ``"S1 2AB"``).

    Parameters
    ----------
    postcode
        A normalised postcode (:func:`normalise_postcode`).

    Returns
    -------
    str
        One or two capital letters.
    """
    return re.match(r"[A-Z]+", postcode).group(0)


@dataclass
class CodePoint:
    """Postcode points read from Code-Point Open.

    Attributes
    ----------
    source
        The folder, archive or CSV file read.
    points
        Indexed by normalised postcode: ``easting``, ``northing`` (float, metres, EPSG:27700),
        ``quality`` (int, Code-Point's positional quality indicator) and ``district_code`` (ONS code of the
        postcode's local authority district, ``Admin_district_code``).
    areas
        The postcode areas whose files were read (upper case), or ``None`` when one CSV was read whole.
    missing_areas
        Areas asked for that the source has no file for (their postcodes cannot be located).
    inputs
        What was read of each file (path, SHA-256, size), in reading order.
    """

    source: Path
    points: pd.DataFrame
    areas: tuple[str, ...] | None
    missing_areas: tuple[str, ...] = ()
    inputs: list[InputRecord] = field(default_factory=list)

    def locate(self, postcode: str) -> tuple[float, float, int] | None:
        """The point of a normalised postcode.

        Parameters
        ----------
        postcode
            A normalised postcode (:func:`normalise_postcode`).

        Returns
        -------
        tuple or None
            ``(easting, northing, quality)``; None when Code-Point has no coordinates for it (not in the
            file, or quality 90).
        """
        if postcode not in self.points.index:
            return None
        row = self.points.loc[postcode]
        if int(row["quality"]) >= NO_COORDINATES:
            return None
        return float(row["easting"]), float(row["northing"]), int(row["quality"])


def column_names(header_text: str) -> tuple[str, ...]:
    """The column names of Code-Point Open from its Doc header file (the long names, on its second line).

    Parameters
    ----------
    header_text
        The text of ``Doc/Code-Point_Open_Column_Headers.csv`` (short codes on line 1, names on line 2).

    Returns
    -------
    tuple of str
        The names; :data:`OS_COLUMNS` when the file has no second line.
    """
    lines = [line for line in header_text.splitlines() if line.strip()]
    if len(lines) < 2:
        return OS_COLUMNS
    return tuple(name.strip().strip('"') for name in lines[1].split(","))


def _required(names: tuple[str, ...], path: Path) -> None:
    """Refuse a header file that does not name the four columns used."""
    missing = [c for c in ("Postcode", "Positional_quality_indicator", "Eastings", "Northings") if c not in names]
    if missing:
        raise InputFileError(
            path, f"the Code-Point column names lack {', '.join(missing)} (read {', '.join(names)})", fix=CODEPOINT_FIX
        )


def _points(table: Table) -> pd.DataFrame:
    """The postcode points of one Code-Point file, indexed by normalised postcode.

    Raises
    ------
    InputFileError
        When a postcode has not a postcode's shape or is given twice, or a number breaks its rule.
    """
    codes = table.frame["Postcode"]
    parts = codes.str.replace(r"\s+", "", regex=True).str.upper().str.extract(f"^{POSTCODE.pattern}$")
    bad = parts[0].isna().to_numpy()
    if bad.any():
        i = int(bad.argmax())
        raise table.refuse(i, "Postcode", f"{codes.iloc[i]!r} is not a postcode", CODEPOINT_FIX)
    postcodes = (parts[0] + " " + parts[1]).tolist()
    index = pd.Index(postcodes, name="postcode")
    twice = index.duplicated()
    if twice.any():
        i = int(twice.argmax())
        raise table.refuse(i, "Postcode", f"postcode {postcodes[i]} is given twice", CODEPOINT_FIX)
    grid = (
        values.measures(table, "Eastings", minimum=0, maximum=700_000, meaning="eastings", fix=CODEPOINT_FIX),
        values.measures(table, "Northings", minimum=0, maximum=1_300_000, meaning="northings", fix=CODEPOINT_FIX),
    )
    quality = values.counts(table, "Positional_quality_indicator", QUALITY)
    district = table.frame["Admin_district_code"].str.strip().to_numpy() if "Admin_district_code" in table.frame else ""
    return pd.DataFrame(
        {
            "easting": grid[0].to_numpy(),
            "northing": grid[1].to_numpy(),
            "quality": quality.to_numpy().astype(int),
            "district_code": district,
        },
        index=index,
    )


def _parse(path: Path, data: bytes, names: tuple[str, ...]) -> pd.DataFrame:
    table = parse_table(path, data, kind="Code-Point Open", error=InputFileError, columns=names)
    return _points(table)


def _wanted_areas(postcodes: Iterable[str] | None) -> set[str] | None:
    """The areas of the postcodes that have a postcode's shape; None when every area is wanted."""
    if postcodes is None:
        return None
    normal = (normalise_postcode(p) for p in postcodes)
    return {postcode_area(p) for p in normal if p}


def _empty() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "easting": pd.Series(dtype=float),
            "northing": pd.Series(dtype=float),
            "quality": pd.Series(dtype=int),
            "district_code": pd.Series(dtype=str),
        },
        index=pd.Index([], name="postcode", dtype=str),
    )


def _combine(frames: list[pd.DataFrame], source: Path) -> pd.DataFrame:
    """The points of several area files; a postcode in two files is refused."""
    if not frames:
        return _empty()
    points = pd.concat(frames)
    twice = points.index.duplicated()
    if twice.any():
        raise InputFileError(
            source, f"postcode {points.index[twice][0]} is in two of its files", fix="use an unchanged Code-Point Open"
        )
    return points


def _read_folder(folder: Path, areas: set[str] | None) -> CodePoint:
    """Code-Point Open unpacked in OS's layout (or a folder of area CSVs)."""
    header = folder / "Doc" / HEADER_FILE
    names = column_names(snapshot(header).data.decode("cp1252")) if header.is_file() else OS_COLUMNS
    _required(names, header)
    data_dir = folder.joinpath(*DATA_FOLDER)
    data_dir = data_dir if data_dir.is_dir() else folder
    files = {p.stem.upper(): p for p in sorted(data_dir.glob("*.csv")) if p.name != HEADER_FILE}
    if not files:
        raise InputFileError(
            folder,
            "holds no Code-Point Open CSV files (Data/CSV/<area>.csv)",
            fix="unpack the Code-Point Open ZIP here",
        )
    chosen = sorted(files) if areas is None else sorted(areas & set(files))
    if areas and not chosen:
        raise InputFileError(
            folder,
            f"holds no Code-Point Open file for postcode area(s) {', '.join(sorted(areas))} (Data/CSV/<area>.csv)",
            fix="give the Code-Point Open folder (with Data/CSV and Doc) or its ZIP as downloaded",
        )
    frames, inputs = [], []
    for area in chosen:
        read = snapshot(files[area])
        inputs.append(read.record())
        frames.append(_parse(files[area], read.data, names))
    missing = () if areas is None else tuple(sorted(areas - set(files)))
    return CodePoint(folder, _combine(frames, folder), tuple(chosen), missing, inputs)


def _read_archive(path: Path, data: bytes, areas: set[str] | None) -> CodePoint:
    """Code-Point Open as downloaded: the ZIP archive in OS's layout."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputFileError(path, "is not a ZIP archive", fix=CODEPOINT_FIX) from None
    with archive:
        members = archive.namelist()
        header = next((m for m in members if m.endswith("/" + HEADER_FILE) or m == HEADER_FILE), None)
        names = column_names(archive.read(header).decode("cp1252")) if header else OS_COLUMNS
        _required(names, path)
        files = {
            Path(m).stem.upper(): m
            for m in members
            if m.lower().endswith(".csv") and "/csv/" in "/" + m.lower() and not m.endswith(HEADER_FILE)
        }
        if not files:
            raise InputFileError(path, "holds no Code-Point Open CSV files (Data/CSV/<area>.csv)", fix=CODEPOINT_FIX)
        chosen = sorted(files) if areas is None else sorted(areas & set(files))
        frames = [_parse(path / files[a], archive.read(files[a]), names) for a in chosen]
    missing = () if areas is None else tuple(sorted(areas - set(files)))
    return CodePoint(path, _combine(frames, path), tuple(chosen), missing)


def read_codepoint(path: str | Path, *, postcodes: Iterable[str] | None = None, data: bytes | None = None) -> CodePoint:
    """Read Code-Point Open into a postcode → (easting, northing, quality) lookup.

    Parameters
    ----------
    path
        Code-Point Open unpacked in OS's layout (a folder with ``Data/CSV/<area>.csv`` and ``Doc/``), its
        ZIP archive as downloaded, or one of its CSV files (no header row; OS's ten columns).
    postcodes
        The postcodes to be located (any spelling); only their areas' files of a folder or archive are
        read. None reads every file.
    data
        The bytes of a file ``path`` (CSV or ZIP) as read (:func:`partition.io.snapshot.snapshot`); read
        from ``path`` when not given. Not used for a folder.

    Returns
    -------
    CodePoint
        The points, the areas read and the areas asked for that the source has no file for.

    Raises
    ------
    InputFileError
        When the source cannot be read, holds no Code-Point file, or a record is malformed (naming file, line,
        column and value).
    """
    path = Path(path)
    areas = _wanted_areas(postcodes)
    if path.is_dir():
        return _read_folder(path, areas)
    if data is None:
        read = snapshot(path)
        data, inputs = read.data, [read.record()]
    else:
        inputs = []
    if path.suffix.lower() == ".zip" or data[:4] == b"PK\x03\x04":
        loaded = _read_archive(path, data, areas)
        loaded.inputs = inputs
        return loaded
    table = read_table(path, data, kind="Code-Point Open", error=InputFileError, columns=OS_COLUMNS)
    return CodePoint(path, _points(table), None, (), inputs)
