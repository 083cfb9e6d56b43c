"""Reading child population tables keyed by area code.

The shared ONS mid-2010 LSOA estimates (``LSOA_CODE``, ``Aged0`` ... ``Aged19``)
are read as children aged 0-19 per LSOA 2001 code. Any CSV with a code column
and one value column can be read by naming them.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from partition.errors import PopulationFileError
from partition.io.snapshot import snapshot

CHILD_AGES = [f"Aged{i}" for i in range(20)]


def read_child_population(
    path: str | Path, *, data: bytes | None = None, code_column: str | None = None, value_column: str | None = None
) -> pd.Series:
    """Return children per area code (a Series named ``population`` indexed by code).

    Without ``value_column`` the file must have ``Aged0`` ... ``Aged19`` columns,
    which are summed (ages 0-19).

    Parameters
    ----------
    path
        A CSV, e.g. the ONS mid-2010 LSOA population estimates (``LSOA_CODE``, ``Aged0`` ...
        ``Aged19``). Values may hold thousands separators (``1,234``); bytes that are not
        valid text are replaced. Named in the messages.
    data
        The file's bytes as read (:func:`partition.io.snapshot.snapshot`), parsed instead of reading
        ``path``; read from ``path`` once when not given.
    code_column
        The area code column; by default the first of ``LSOA_CODE``, ``LSOA11CD``, ``LSOA21CD``,
        ``code`` present.
    value_column
        One column holding the children of each area, instead of ``Aged0`` ... ``Aged19``.

    Returns
    -------
    pandas.Series
        Children (persons, float) indexed by area code (stripped text), sorted by code.

    Raises
    ------
    PopulationFileError
        When the file cannot be read as CSV, has no code column or no value column(s), a
        value is not a number (naming the line and column), or an area code is on two rows.
    """
    path = Path(path)
    if data is None:
        data = snapshot(path, error=PopulationFileError).data
    try:
        table = pd.read_csv(io.BytesIO(data), dtype=str, encoding_errors="replace")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise PopulationFileError(path, f"cannot be read as CSV ({exc})") from None
    code = code_column or next((c for c in ("LSOA_CODE", "LSOA11CD", "LSOA21CD", "code") if c in table), None)
    if code is None or code not in table:
        raise PopulationFileError(
            path, "has no area code column", column=code_column or "LSOA_CODE", fix="name it with --population-code"
        )
    columns = [value_column] if value_column else CHILD_AGES
    missing = [c for c in columns if c not in table]
    if missing:
        raise PopulationFileError(
            path,
            "has no child population column(s)",
            column=missing[0],
            fix="give Aged0..Aged19 columns or name one with --population-column",
        )
    values = table[columns].apply(lambda s: pd.to_numeric(s.str.replace(",", ""), errors="coerce"))
    bad = values.isna().any(axis=1)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        col = values.columns[values.iloc[i].isna().to_numpy()][0]
        raise PopulationFileError(
            path, f"value {table.at[i, col]!r} is not a number", row=i + 2, column=col, fix="correct the value"
        )
    codes = table[code].str.strip()
    _refuse_repeated_codes(path, codes, code)
    out = values.sum(axis=1)
    out.index = codes
    out.name = "population"
    return out.sort_index()


def _refuse_repeated_codes(path: Path, codes: pd.Series, column: str) -> None:
    """Refuse a table where an area code appears on two rows (adding them up would count its children twice
    when the file repeats rows, which nothing can tell from a real split of the area).

    Raises
    ------
    PopulationFileError
        Naming the first repeated code, its lines and the number of codes repeated.
    """
    repeated = codes[codes.duplicated(keep=False)]
    if repeated.empty:
        return
    first = repeated.iloc[0]
    lines = [int(i) + 2 for i in repeated.index[repeated == first]]
    others = repeated.nunique() - 1
    raise PopulationFileError(
        path,
        f"area code {first!r} is on lines {', '.join(map(str, lines))}"
        + (f" (and {others} more code(s) are repeated)" if others else ""),
        row=lines[1],
        column=column,
        fix="keep one row per area (sum the rows first if they are parts of one area)",
    )
