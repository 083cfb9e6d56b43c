"""Reading child population tables keyed by area code.

The shared ONS mid-2010 LSOA estimates (``LSOA_CODE``, ``Aged0`` ... ``Aged19``)
are read as children aged 0-19 per LSOA 2001 code. Any CSV with a code column
and one value column can be read by naming them. The file is read by
:func:`partition.io.tables.read_table` and every value by the rule
:data:`partition.io.values.CHILDREN` (finite, 0 to 1,000,000 per area and column).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from partition.errors import PopulationFileError
from partition.io import values
from partition.io.snapshot import snapshot
from partition.io.tables import Table, read_table

CHILD_AGES = [f"Aged{i}" for i in range(20)]


CODE_COLUMNS = ("LSOA_CODE", "LSOA11CD", "LSOA21CD", "code")
"""Area code columns looked for, in order, when none is named."""


def read_child_population(
    path: str | Path,
    data: bytes | None = None,
    *,
    code_column: str | None = None,
    value_column: str | None = None,
) -> pd.Series:
    """Return children per area code (a Series named ``population`` indexed by code).

    Without ``value_column`` the file must have ``Aged0`` ... ``Aged19`` columns,
    which are summed (ages 0-19).

    Parameters
    ----------
    path
        A CSV, e.g. the ONS mid-2010 LSOA population estimates (``LSOA_CODE``, ``Aged0`` ...
        ``Aged19``), read by :func:`partition.io.tables.read_table` (UTF-8 or else Windows-1252;
        ``,`` ``;`` or tab separated).
    data
        The file's bytes as read (:func:`partition.io.snapshot.snapshot`), parsed instead of reading
        ``path``; read from ``path`` once when not given.
    code_column
        The area code column; by default the first of :data:`CODE_COLUMNS` present.
    value_column
        One column holding the children of each area, instead of ``Aged0`` ... ``Aged19``.

    Returns
    -------
    pandas.Series
        Children (persons; int64 when every value is a whole number, else float) indexed by area code
        (stripped text, index named after the code column), sorted by code.

    Raises
    ------
    PopulationFileError
        When the file cannot be read as CSV, has no code column or no value column(s), a code is
        blank or on two rows, or a value breaks :data:`partition.io.values.CHILDREN` (not a number,
        negative, infinite, more than 1,000,000, blank; ``1,234`` is read as 1234 in a comma- or
        tab-separated file), naming the line and column.
    """
    if data is None:
        data = snapshot(Path(path), error=PopulationFileError).data
    table = read_table(path, data, kind="population", error=PopulationFileError)
    code = code_column or next((c for c in CODE_COLUMNS if c in table.frame), None)
    if code is None or code not in table.frame:
        raise PopulationFileError(
            table.path,
            "has no area code column",
            column=code_column or CODE_COLUMNS[0],
            fix=f"name the column of area codes {' or '.join(CODE_COLUMNS)} in the header row",
        )
    columns = [value_column] if value_column else CHILD_AGES
    missing = [c for c in columns if c not in table.frame]
    if missing:
        raise PopulationFileError(
            table.path,
            "has no child population column(s)",
            column=missing[0],
            fix="give columns Aged0 ... Aged19 (children of each age per area) in the header row",
        )
    counted = pd.concat([values.counts(table, c, values.CHILDREN) for c in columns], axis=1)
    if (counted % 1 == 0).all().all():
        counted = counted.astype("int64")  # whole numbers stay integers, as the file writes them
    codes = table.frame[code].str.strip()
    _refuse_blank_codes(table, codes, code)
    _refuse_repeated_codes(table, codes, code)
    out = counted.sum(axis=1)
    out.index = pd.Index(codes.to_numpy(), name=code)
    out.name = "population"
    return out.sort_index()


def _refuse_blank_codes(table: Table, codes: pd.Series, column: str) -> None:
    """Refuse a row without an area code (its children could not be placed).

    Raises
    ------
    PopulationFileError
        Naming the first such line.
    """
    blank = (codes == "").to_numpy()
    if blank.any():
        raise table.refuse(int(blank.nonzero()[0][0]), column, "area code is blank", "give the area's code")


def _refuse_repeated_codes(table: Table, codes: pd.Series, column: str) -> None:
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
    lines = [int(table.lines[i]) for i in np.flatnonzero((codes == first).to_numpy())]
    others = repeated.nunique() - 1
    raise PopulationFileError(
        table.path,
        f"area code {first!r} is on lines {', '.join(map(str, lines))}"
        + (f" (and {others} more code(s) are repeated)" if others else ""),
        row=lines[1],
        column=column,
        fix="keep one row per area (sum the rows first if they are parts of one area)",
    )
