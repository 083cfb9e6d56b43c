"""CSV files a spreadsheet opens safely: text that would run as a formula is written as text, and read back exactly.

A spreadsheet (Excel, LibreOffice Calc, Google Sheets) runs a cell beginning with ``=``, ``+``, ``-``,
``@``, a tab, a carriage return or a NUL character as a formula (OWASP "CSV injection", CWE-1236). Every
CSV partition writes goes through :func:`write_csv` or :func:`csv_text`, which prefix a single quote to
each such text cell (the OWASP mitigation: the spreadsheet shows the text, without the quote, and runs
nothing). The rule also applies after a semicolon or a line break inside a cell, where a spreadsheet
that splits lines on semicolons (a comma-decimal locale) or ignores quoting would start a new cell.
Numbers (``int``, ``float``) are never changed, so a deviation of -9.9 stays a number.

Everything partition reads back (its own ``assignments.csv``, an edited CSV for ``compare``,
``--start-from`` or ``--lock-from``) goes through :func:`restore_frame`, which removes exactly the
quotes :func:`neutralise_text` added: ``restore_text(neutralise_text(s)) == s`` for every string, so a
partnership called ``=Andover`` round-trips. The browser editor's export (``maps/editor.js``,
``spreadsheetText``) applies the same rule.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

FORMULA_START = "=+-@\t\r\0"
"""Characters that make a spreadsheet read a cell as a formula when they come first."""

CELL_BREAK = ";\r\n"
"""Characters after which a spreadsheet may start a new cell within one CSV field."""

_NEUTRALISE = re.compile(f"(?<![^{re.escape(CELL_BREAK)}])(?='*[{re.escape(FORMULA_START)}])")
_RESTORE = re.compile(f"(?<![^{re.escape(CELL_BREAK)}])'(?='*[{re.escape(FORMULA_START)}])")


def neutralise_text(text: str) -> str:
    """``text`` as a spreadsheet shows it but never runs it: a quote before each formula start.

    A quote is put at the start, and after each semicolon or line break, where what follows is
    any number of quotes and then one of :data:`FORMULA_START` (so that an existing leading quote
    is kept too, and :func:`restore_text` undoes exactly this).

    Parameters
    ----------
    text
        A cell's text.

    Returns
    -------
    str
        ``"=Andover"`` -> ``"'=Andover"``, ``"'=x"`` -> ``"''=x"``, ``"a;=b"`` -> ``"a;'=b"``;
        other text unchanged (``"Andover"``, ``"'quoted'"``, ``"St Mary's; -"``).
    """
    return _NEUTRALISE.sub("'", text)


def restore_text(text: str) -> str:
    """Undo :func:`neutralise_text`: ``restore_text(neutralise_text(s)) == s`` for every string ``s``.

    Parameters
    ----------
    text
        A cell's text as read from a CSV.

    Returns
    -------
    str
        ``"'=Andover"`` -> ``"=Andover"``; text without such a quote unchanged (a spreadsheet that
        saved the cell without its quote gives ``"=Andover"``, also unchanged).
    """
    return _RESTORE.sub("", text)


def neutralise_cell(value: Any) -> Any:
    """A cell for a CSV: text through :func:`neutralise_text`, anything else (numbers, missing) as it is.

    Parameters
    ----------
    value
        A cell.

    Returns
    -------
    Any
    """
    return neutralise_text(value) if isinstance(value, str) else value


def restore_cell(value: Any) -> Any:
    """A cell read from a CSV: text through :func:`restore_text`, anything else as it is.

    Parameters
    ----------
    value
        A cell.

    Returns
    -------
    Any
    """
    return restore_text(value) if isinstance(value, str) else value


def _holds_text(dtype: Any) -> bool:
    """Whether a column or index of this dtype can hold text (object, string or categorical)."""
    return pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype | pd.CategoricalDtype)


def _map_column(column: pd.Series, cell: Any) -> pd.Series:
    """``cell`` applied to each value of a text column, its dtype kept (a blank column stays text; a
    categorical one becomes object, since restoring may merge two categories).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.astype(object).map(cell)
    return column.map(cell).astype(column.dtype)


def _map_text(frame: pd.DataFrame, cell: Any) -> pd.DataFrame:
    """``frame`` with ``cell`` applied to every text cell, column name and index label (a copy)."""
    out = pd.DataFrame(frame, copy=True)
    for position, dtype in enumerate(frame.dtypes):
        if _holds_text(dtype):
            out.isetitem(position, _map_column(frame.iloc[:, position], cell))
    out.columns = out.columns.map(cell)
    if _holds_text(out.index.dtype):
        out.index = out.index.map(cell)
    out.index.names = [cell(n) for n in out.index.names]
    return out


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells, column names and index labels are :func:`neutralise_cell`'d.

    Parameters
    ----------
    frame
        Any table (a GeoDataFrame: drop its geometry first).

    Returns
    -------
    pandas.DataFrame
        The same shape and dtypes; numeric columns untouched.
    """
    return _map_text(frame, neutralise_cell)


def restore_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` read from a CSV with :func:`restore_cell` applied (the inverse of :func:`neutralise_frame`).

    Parameters
    ----------
    frame
        A table read from a CSV.

    Returns
    -------
    pandas.DataFrame
    """
    return _map_text(frame, restore_cell)


def csv_text(frame: pd.DataFrame, *, index: bool = False) -> str:
    """``frame`` as CSV text that a spreadsheet opens without running any cell (see :func:`neutralise_frame`).

    Parameters
    ----------
    frame
        The table.
    index
        Write the index as the first column(s).

    Returns
    -------
    str
        As :meth:`pandas.DataFrame.to_csv` writes it, with neutralised text.
    """
    return neutralise_frame(frame).to_csv(index=index)


def write_csv(frame: pd.DataFrame, path: str | Path, *, index: bool = False) -> Path:
    """Write ``frame`` to ``path`` as :func:`csv_text` (UTF-8).

    Parameters
    ----------
    frame
        The table.
    path
        The file (replaced when it exists).
    index
        Write the index as the first column(s).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OSError
        When the file cannot be written.
    """
    path = Path(path)
    neutralise_frame(frame).to_csv(path, index=index)
    return path


def read_csv(path: str | Path, **options: Any) -> pd.DataFrame:
    """Read a CSV that partition (or a spreadsheet from it) wrote, undoing :func:`neutralise_frame`.

    Parameters
    ----------
    path
        The CSV.
    **options
        Keyword arguments for :func:`pandas.read_csv` (``dtype``, ``sep``, ``encoding`` ...).

    Returns
    -------
    pandas.DataFrame
        Its text cells and column names through :func:`restore_cell`.

    Raises
    ------
    OSError, pandas.errors.ParserError, pandas.errors.EmptyDataError, UnicodeDecodeError
        As :func:`pandas.read_csv`.
    """
    return restore_frame(pd.read_csv(path, **options))
