"""One careful reader for every tabular input: schools, population tables, edited plans, k tables.

Every CSV the tool reads goes through :func:`read_table` (or :func:`parse_table`, its pure bytes →
table step), so one set of rules holds for all of them:

* **Text encoding**: the whole file is UTF-8 (with or without a byte-order mark) or else
  Windows-1252 (Excel's default "CSV (Comma delimited)" save in the UK). A file is decoded as one
  encoding, never line by line and never with bytes replaced; a UTF-8 file with a Windows-1252 line,
  a file that is neither, or UTF-16 text is refused naming the first bad line.
* **Separator**: detected from the header line alone: the one of ``,`` ``;`` and tab that splits
  it into the most fields (``,`` on a tie or a one-column header), so a ``;``-separated Excel
  export reads like a comma one and a comma inside a later note does not mislead the detection.
* **Rows**: blank rows are skipped; a row repeating the header (two exports pasted together), a
  footer or total row (``Total``, ``Source: ...``, ``Notes``), a row with fewer fields than the
  header and extra non-blank trailing fields (unless they spill from a last column the caller names,
  as GIAS's "Linked establishments") are refused naming the line.
* **Header**: names are stripped; a name given twice, or values under a column without a name, are
  refused.

The result is a :class:`Table`: every field as text (stripped of nothing: the value rules of
:mod:`partition.io.values` strip), and the file line of each row, so that every later refusal names
file, line and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from partition.errors import InputFileError
from partition.io.snapshot import snapshot

ErrorFactory = Callable[..., Exception]
"""Builds the caller's error: ``factory(path, message, row=..., column=..., fix=...)``."""

ENCODINGS = ("utf-8", "cp1252")
"""Encodings tried, in order, for a whole file (a UTF-8 byte-order mark is allowed and removed)."""

BOM = b"\xef\xbb\xbf"

SEPARATORS = (",", ";", "\t")
"""Field separators recognised, in order of preference on a tie."""

SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}

FOOTER = re.compile(r"^(grand total|totals?|sum|sources?|notes?|footnotes?|copyright|©)(?![a-z])", re.IGNORECASE)
"""First field of a footer or total row below the data."""

RESAVE = "re-save it as 'CSV UTF-8 (Comma delimited)' (Excel) or as UTF-8 text"


@dataclass
class Table:
    r"""A CSV read as text, with the file line of every row.

    Attributes
    ----------
    path
        The file (for messages).
    frame
        One row per record, one ``str`` column per header name (the header's order).
    lines
        1-based file line where each row of ``frame`` starts (a quoted field may span lines).
    encoding
        ``"utf-8"``, ``"utf-8-sig"`` (UTF-8 with a byte-order mark) or ``"cp1252"``.
    separator
        ``","``, ``";"`` or ``"\t"``.
    extra_field_lines
        Lines of records that had more fields than the header (their extra fields are not in
        ``frame``; only when the caller allowed them).
    error
        Builds the error the caller raises for this file.
    """

    path: Path
    frame: pd.DataFrame
    lines: np.ndarray
    encoding: str
    separator: str
    extra_field_lines: list[int] = field(default_factory=list)
    error: ErrorFactory = InputFileError

    def refuse(self, position: int, column: str | None, message: str, fix: str) -> Exception:
        """The caller's error for row ``position`` (0-based, of ``frame``) and ``column``.

        Parameters
        ----------
        position
            Row position in :attr:`frame`; its file line is named.
        column
            The column at fault, or None.
        message
            What is wrong.
        fix
            How to put it right.

        Returns
        -------
        Exception
            The error (to be raised by the caller).
        """
        return self.error(self.path, message, row=int(self.lines[position]), column=column, fix=fix)

    def column(self, name: str) -> str | None:
        """The header name equal to ``name`` ignoring case and surrounding spaces, or None.

        Parameters
        ----------
        name
            A column name.

        Returns
        -------
        str or None
            The name as the file writes it.
        """
        wanted = name.strip().casefold()
        return next((c for c in self.frame.columns if c.casefold() == wanted), None)


def _article(word: str) -> str:
    """``a`` or ``an`` before ``word``."""
    return "an" if word[:1].lower() in "aeiou" else "a"


def decode_text(path: Path, raw: bytes, *, error: ErrorFactory = InputFileError) -> tuple[str, str]:
    """Decode a whole file as UTF-8 (with or without a byte-order mark), else as Windows-1252.

    A file is decoded as one encoding, never line by line, never with bytes replaced and never as
    latin-1 (which would put C1 control characters into names).

    Parameters
    ----------
    path
        The file, for messages.
    raw
        Its bytes.
    error
        Builds the error raised.

    Returns
    -------
    text, encoding
        The text (without byte-order mark) and ``"utf-8-sig"``, ``"utf-8"`` or ``"cp1252"``.

    Raises
    ------
    Exception
        Built by ``error`` (an :class:`~partition.errors.InputFileError` by default): when the file is
        UTF-16 text, has a UTF-8 byte-order mark or UTF-8 text but some line is not UTF-8 (a file mixing
        encodings), or is neither UTF-8 nor Windows-1252; the message names the first bad line.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw[:4096]:
        raise error(
            path, "is UTF-16 text (Excel's 'Unicode Text'), not a CSV file in UTF-8 or Windows-1252", fix=RESAVE
        )
    bom = raw.startswith(BOM)
    body = raw[len(BOM) :] if bom else raw
    try:
        return body.decode("utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    line, excerpt = _first_bad_line(body, "utf-8")
    if bom or _has_utf8_text(body):
        raise error(
            path,
            f"mixes encodings: the file is UTF-8 but this line is not ({excerpt!r}; probably typed in Windows-1252)",
            row=line,
            fix="re-save the whole file as UTF-8 (e.g. in Excel: Save As 'CSV UTF-8')",
        )
    try:
        return body.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        line, excerpt = _first_bad_line(body, "cp1252")
        raise error(
            path,
            f"is neither UTF-8 nor Windows-1252 text (first undecodable bytes near {excerpt!r})",
            row=line,
            fix=RESAVE,
        ) from None


def _first_bad_line(raw: bytes, encoding: str) -> tuple[int, str]:
    """1-based line number and a short excerpt of the first line not valid in ``encoding``."""
    for number, line in enumerate(raw.split(b"\n"), start=1):
        try:
            line.decode(encoding)
        except UnicodeDecodeError as exc:
            excerpt = line[max(0, exc.start - 20) : exc.end + 20].decode(encoding, errors="replace").strip()
            return number, excerpt
    return 0, ""


def _has_utf8_text(raw: bytes) -> bool:
    """True when some line holds non-ASCII characters that decode as UTF-8 (so the file was meant as UTF-8)."""
    for line in raw.split(b"\n"):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


def detect_separator(header_line: str) -> str:
    r"""The field separator of a CSV from its header line: the one of :data:`SEPARATORS` giving most fields.

    Parameters
    ----------
    header_line
        The first line of the file (quotes respected).

    Returns
    -------
    str
        ``","``, ``";"`` or ``"\t"``; ``","`` on a tie (a one-column header included).
    """
    counts = [len(next(csv.reader([header_line], delimiter=sep), [])) for sep in SEPARATORS]
    return SEPARATORS[counts.index(max(counts))]


def read_table(
    path: str | Path,
    data: bytes | None = None,
    *,
    kind: str,
    error: ErrorFactory = InputFileError,
    spill_column: str | None = None,
    columns: tuple[str, ...] | None = None,
    fields_through: str | None = None,
) -> Table:
    """Read a CSV into a :class:`Table` by the rules of this module.

    Parameters
    ----------
    path
        The file (read by :func:`partition.io.snapshot.snapshot` only when ``data`` is None; always named in
        messages).
    data
        The file's bytes, when the caller has read them already.
    kind
        What the file is, in words for messages (``"GIAS schools"``, ``"population"``, ``"edited plan"``,
        ``"k table"``).
    error
        Builds the error raised (e.g. :class:`~partition.errors.SchoolsFileError`).
    spill_column
        When the header's last column has this name, accept records with more fields than the header,
        ignoring the extra trailing fields (GIAS downloads write further "Linked establishments" values
        into unnamed trailing fields) and listing their lines; otherwise a record with extra non-blank
        fields is refused (an unquoted separator would shift every later value).
    columns
        The column names of a file without a header row (OS Code-Point Open): its first line is a record,
        and each record must have exactly these fields; None (the default) reads the names from the first line.
    fields_through
        For a ragged file whose records leave out empty trailing fields (the DfE performance tables): a record
        may stop after this column (fewer are refused, naming the line); the fields it leaves out are blank.

    Returns
    -------
    Table
        Every record as text, with its file line.

    Raises
    ------
    Exception
        Built by ``error``: when the file cannot be read or decoded, is empty or has no records, or a row
        is malformed (see the module docstring), naming file, line and the fix.
    """
    path = Path(path)
    if data is None:  # read once, as every input is (a file changing while it is read is refused)
        data = snapshot(path, error=error).data
    return parse_table(
        path, data, kind=kind, error=error, spill_column=spill_column, columns=columns, fields_through=fields_through
    )


def parse_table(
    path: Path,
    data: bytes,
    *,
    kind: str,
    error: ErrorFactory = InputFileError,
    spill_column: str | None = None,
    columns: tuple[str, ...] | None = None,
    fields_through: str | None = None,
) -> Table:
    """The pure step of :func:`read_table`: bytes to a :class:`Table`.

    Parameters
    ----------
    path
        The file, for messages.
    data
        Its bytes.
    kind, error, spill_column, columns, fields_through
        As :func:`read_table`.

    Returns
    -------
    Table
        Every record as text, with its file line.

    Raises
    ------
    Exception
        As :func:`read_table`.
    """
    text, encoding = decode_text(path, data, error=error)
    first = text.split("\n", 1)[0]
    separator = detect_separator(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header = _header(path, reader, kind, error) if columns is None else list(columns)
    spills = spill_column is not None and header[-1] == spill_column
    least = len(header)
    if fields_through is not None:
        if fields_through not in header:
            raise error(
                path, f"has no {fields_through!r} column", row=1, fix=f"give {_article(kind)} {kind} CSV as published"
            )
        least = header.index(fields_through) + 1
    rows, lines, extra = _records(path, reader, header, error, spills, least)
    if not rows and columns is not None:
        raise error(path, "has no records", fix=f"give {_article(kind)} {kind} CSV with data rows")
    if not rows:
        raise error(
            path, "has a header but no records", fix=f"give {_article(kind)} {kind} CSV with a header row and data rows"
        )
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame = _drop_unnamed(path, frame, np.asarray(lines, dtype=int), error)
    return Table(path, frame, np.asarray(lines, dtype=int), encoding, separator, extra, error)


def _header(path: Path, reader: csv.Reader, kind: str, error: ErrorFactory) -> list[str]:
    """The header row, names stripped; refused when missing or a name is given twice."""
    try:
        header = next(reader)
    except StopIteration:
        raise error(path, "is empty", fix=f"give {_article(kind)} {kind} CSV with a header row") from None
    except csv.Error as exc:
        raise error(path, f"is not a CSV file ({exc})", row=1, fix=f"give {_article(kind)} {kind} CSV") from None
    header = [h.strip().lstrip("\ufeff").strip() for h in header]
    if not any(header):
        raise error(
            path,
            "has a blank first line where the header row should be",
            row=1,
            fix="delete the blank lines above the header",
        )
    named = [h for h in header if h]
    twice = sorted({h for h in named if named.count(h) > 1})
    if twice:
        raise error(
            path,
            f"the header names column {twice[0]!r} twice",
            row=1,
            column=twice[0],
            fix="give each column one name (rename or delete the copy)",
        )
    return header


def _records(
    path: Path, reader: csv.Reader, header: list[str], error: ErrorFactory, extra_fields: bool, least: int
) -> tuple[list[list[str]], list[int], list[int]]:
    """The data records with the line each starts on, and the lines that had extra trailing fields; a record of
    ``least`` fields or more but fewer than the header's is completed with blanks.
    """
    width = len(header)
    stripped_header = [h.casefold() for h in header]
    rows: list[list[str]] = []
    lines: list[int] = []
    extra: list[int] = []
    start = reader.line_num + 1
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if not record or all(not f.strip() for f in record):
                continue
            _refuse_special_row(path, record, line, width, stripped_header, error, least)
            if len(record) < width:
                record = record + [""] * (width - len(record))
            if len(record) > width:
                if not extra_fields and any(f.strip() for f in record[width:]):
                    raise error(
                        path,
                        f"record has {len(record)} fields but the header has {width}",
                        row=line,
                        fix="quote values that contain the separator, or delete the extra fields",
                    )
                if extra_fields:
                    extra.append(line)
                record = record[:width]
            rows.append(record)
            lines.append(line)
    except csv.Error as exc:
        raise error(path, f"malformed CSV ({exc})", row=reader.line_num, fix="check the quotes on this line") from None
    return rows, lines, extra


def _refuse_special_row(
    path: Path, record: list[str], line: int, width: int, header: list[str], error: ErrorFactory, least: int
) -> None:
    """Refuse a repeated header row, a footer or total row, and a record with fewer fields than the header."""
    fields = [f.strip() for f in record]
    if [f.casefold() for f in fields[:width]] == header:
        raise error(
            path,
            "repeats the header row (two files pasted together?)",
            row=line,
            fix="delete this line, and check the rows below it are not a second copy of the data",
        )
    first = next((f for f in fields if f), "")
    if FOOTER.match(first):
        raise error(
            path,
            f"looks like a footer or total row ({first[:40]!r}), not a record",
            row=line,
            fix="delete the total, source and note lines below the data (totals are computed from the rows)",
        )
    if len(record) < least:
        raise error(
            path,
            f"record has {len(record)} fields but the header has {width}",
            row=line,
            fix="the file looks truncated or a row was cut short; complete the row, or delete it if it is a "
            "note below the data",
        )


def _drop_unnamed(path: Path, frame: pd.DataFrame, lines: np.ndarray, error: ErrorFactory) -> pd.DataFrame:
    """Drop columns without a header name whose every value is blank; refuse one holding a value."""
    unnamed = [i for i, name in enumerate(frame.columns) if not name]
    for i in unnamed:
        values = frame.iloc[:, i].str.strip()
        if (values != "").any():
            row = int(np.flatnonzero((values != "").to_numpy())[0])
            raise error(
                path,
                f"field {i + 1} holds {values.iloc[row]!r} but its column has no name in the header",
                row=int(lines[row]),
                fix="name the column in the header row, or delete the stray value",
            )
    return frame.iloc[:, [i for i in range(frame.shape[1]) if i not in unnamed]]
