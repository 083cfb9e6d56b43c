"""One rule set for every number read from a table (:mod:`partition.io.tables`).

* **Identifiers** (URN): digits only, at most :data:`URN_DIGITS`; ``115855.7``, ``1e5``, ``115,855`` and
  longer numbers are refused, never rounded, truncated or wrapped round.
* **DfE LA codes**: digits only, read as the number they write (``0850`` is ``850``, a note says so), at
  most 999; anything else is refused.
* **Counts** (pupils, places, children, partnerships; :class:`CountRule`): finite, not below the rule's
  minimum (0 unless stated), not above its stated plausible maximum, whole unless the rule allows
  fractions (population estimates). ``1,234`` is read as 1234 when the file is comma- or tab-separated
  and the commas group thousands exactly; in a ``;``-separated file (saved where the comma is the
  decimal mark) a comma, or a point grouping thousands (``1.234``), is ambiguous and refused.
* **Measures** (coordinates in metres): finite numbers within a stated range, same separator rule.

Every refusal names file, line, column, the value and the fix (through :meth:`Table.refuse`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from partition.io.tables import Table

URN_DIGITS = 8
"""Most digits of a URN (GIAS URNs have 6)."""

LA_CODE_MAX = 999
"""Largest DfE LA code (codes are three digits, e.g. 850 Hampshire)."""

NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
COMMA_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?")
POINT_THOUSANDS = re.compile(r"[+-]?[0-9]{1,3}(\.[0-9]{3})+")
INFINITE = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}
NO_SEPARATORS = "write it without thousands separators and with '.' as decimal mark (e.g. 1234 or 1234.5)"


@dataclass(frozen=True)
class CountRule:
    """What a count column may hold.

    Attributes
    ----------
    what
        What is counted, in words (``"pupils"``).
    maximum
        The largest plausible value.
    bound
        Why that maximum, in words (``"the most pupils a school is taken to have"``).
    minimum
        The smallest value allowed (0 for a count; 1 for a number of partnerships).
    whole
        Whether the count must be a whole number (population estimates may hold fractions).
    blank
        Whether a blank means "unknown" (NaN) rather than an error.
    fix
        How to correct a refused value.
    """

    what: str
    maximum: float
    bound: str
    minimum: float = 0
    whole: bool = True
    blank: bool = False
    fix: str = "correct the value"


PUPILS = CountRule(
    "pupils",
    10_000,
    "the most pupils a school is taken to have",
    blank=True,
    fix="correct the value, or leave it blank if it is unknown",
)
"""GIAS ``NumberOfPupils``: 0 to 10,000 (England's largest schools and colleges have about 5,000)."""

PLACES = CountRule(
    "places",
    10_000,
    "the most places a school is taken to have",
    blank=True,
    fix="correct the value, or leave it blank if it is unknown",
)
"""GIAS ``SchoolCapacity``: 0 to 10,000."""

CHILDREN = CountRule(
    "children",
    1_000_000,
    "more children than any English local authority has",
    whole=False,
    fix="correct the value (the number of children living in the area)",
)
"""A population table's values: 0 to 1,000,000 per area and column (fractions allowed: estimates)."""

PARTNERSHIPS = CountRule(
    "partnerships", 1_000, "more partnerships than any LA has schools", minimum=1, fix="give a whole number, e.g. 23"
)
"""A k table's ``k``: 1 to 1,000."""


def _special(text: str) -> str | None:
    """The problem of an infinite or not-a-number spelling, else None."""
    low = text.casefold()
    if low in INFINITE:
        return "is not a finite number"
    if low in {"nan", "+nan", "-nan"}:
        return "is not a number"
    return None


def parse_number(text: str, separator: str) -> tuple[float | None, str | None]:
    """A number as written in a CSV of the given separator.

    Parameters
    ----------
    text
        The field, stripped and not blank.
    separator
        The file's field separator (``","``, ``";"`` or tab).

    Returns
    -------
    value, problem
        The number and None, or None and what is wrong (``"is not a number"``, ``"is not a finite number"``,
        ``"is ambiguous ..."``).
    """
    special = _special(text)
    if special:
        return None, special
    if separator == ";" and ("," in text or POINT_THOUSANDS.fullmatch(text)):
        return None, (
            "is ambiguous: in a ';'-separated file (saved where the comma is the decimal mark) it may mean "
            "a decimal or a thousands-grouped number"
        )
    if "," in text:
        if not COMMA_THOUSANDS.fullmatch(text):
            return None, "is not a number (a comma may only group thousands, as in 1,234)"
        text = text.replace(",", "")
    if not NUMBER.fullmatch(text):
        return None, "is not a number"
    value = float(text)
    if math.isinf(value):
        return None, "is not a finite number"
    return value, None


def _count_problem(value: float, rule: CountRule) -> str | None:
    """What is wrong with a finite ``value`` under ``rule``, or None."""
    if value < 0 and rule.minimum >= 0:
        return "is negative"
    if value < rule.minimum:
        return f"is less than {rule.minimum:g}"
    if rule.whole and value != math.floor(value):
        return f"is not a whole number (a count of {rule.what})"
    if value > rule.maximum:
        return f"is more than {rule.maximum:,.0f}, {rule.bound}"
    return None


def _parse_column(
    table: Table, column: str, parse: Callable[[str], tuple[float | None, str | None]], blank: str | None, fix: str
) -> pd.Series:
    """Parse each distinct text of ``column`` with ``parse``; blank is NaN, or refused with ``blank``'s wording.

    Raises the table's error at the first row whose value is refused (naming line, column, value, fix).
    """
    text = table.frame[column].str.strip()
    parsed: dict[str, tuple[float | None, str | None]] = {t: parse(t) for t in text.unique() if t}
    values = text.map(lambda t: parsed[t][0] if t else np.nan).astype(float)
    problems = text.map(lambda t: parsed[t][1] if t else blank)
    bad = problems.notna().to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        shown = f"value {text.iloc[i]!r} " if text.iloc[i] else ""
        raise table.refuse(i, column, f"{shown}{problems.iloc[i]}", fix)
    return values


def counts(table: Table, column: str, rule: CountRule) -> pd.Series:
    """A count column of ``table`` as floats (NaN where blank and ``rule.blank``).

    Parameters
    ----------
    table
        The table.
    column
        One of its columns.
    rule
        What the column may hold.

    Returns
    -------
    pandas.Series
        The counts (float), on the table's index.

    Raises
    ------
    Exception
        The table's error, at the first value not a finite number within the rule (or blank when the rule
        does not allow it), naming file, line, column, value and fix.
    """

    def parse(text: str) -> tuple[float | None, str | None]:
        value, problem = parse_number(text, table.separator)
        if value is not None:
            problem = _count_problem(value, rule)
        return (None, problem) if problem else (value, None)

    fix = rule.fix if table.separator != ";" else f"{rule.fix}; {NO_SEPARATORS}"
    return _parse_column(table, column, parse, None if rule.blank else f"{column} is blank", fix)


def measures(table: Table, column: str, *, minimum: float, maximum: float, meaning: str, fix: str) -> pd.Series:
    """A measure column (e.g. coordinates in metres) as floats, NaN where blank.

    Parameters
    ----------
    table
        The table.
    column
        One of its columns.
    minimum, maximum
        The range allowed.
    meaning
        The range in words, for messages (``"British National Grid eastings"``).
    fix
        How to correct a refused value.

    Returns
    -------
    pandas.Series
        The values (float), on the table's index.

    Raises
    ------
    Exception
        The table's error, at the first value that is not a finite number within the range.
    """

    def parse(text: str) -> tuple[float | None, str | None]:
        value, problem = parse_number(text, table.separator)
        if value is not None and not minimum <= value <= maximum:
            problem = f"is outside {minimum:,.0f} to {maximum:,.0f} ({meaning})"
        return (None, problem) if problem else (value, None)

    return _parse_column(table, column, parse, None, fix)


def _identifier_problem(text: str, name: str, digits: int) -> str | None:
    """What is wrong with an identifier written ``text`` (stripped), or None."""
    if text.isascii() and text.isdigit():
        if len(text.lstrip("0")) > digits:
            return f"has {len(text.lstrip('0'))} digits; a {name} has at most {digits}"
        return None
    if NUMBER.fullmatch(text.replace(",", "")):
        return "is not a whole number written in digits (an identifier is never rounded or truncated)"
    return "is not a number"


def identifiers(table: Table, column: str, *, name: str = "URN", digits: int = URN_DIGITS) -> pd.Series:
    """An identifier column (URN) as int64; blank, or anything but digits, is refused.

    Parameters
    ----------
    table
        The table.
    column
        One of its columns.
    name
        What the identifier is called, in messages.
    digits
        The most digits allowed (leading zeros not counted).

    Returns
    -------
    pandas.Series
        The identifiers (int64), on the table's index.

    Raises
    ------
    Exception
        The table's error, at the first blank or malformed identifier (``115855.7``, ``1e5``, 23 digits),
        naming file, line, column and value.
    """
    text = table.frame[column].str.strip()
    for i, value in enumerate(text):
        problem = f"{name} is blank" if not value else _identifier_problem(value, name, digits)
        if problem:
            shown = problem if not value else f"{name} {value!r} {problem}"
            raise table.refuse(i, column, shown, f"correct the {name} (a whole number of at most {digits} digits)")
    return text.astype("int64")


def normalise_la_code(text: str) -> str:
    """A DfE LA code as typed by a user, as GIAS writes it: ``"0850"`` and ``" 850 "`` are ``"850"``.

    Parameters
    ----------
    text
        A code as typed.

    Returns
    -------
    str
        Without blanks and, when all digits, without leading zeros; anything else as typed (stripped), to be
        reported as not found by the caller.
    """
    code = text.strip()
    return str(int(code)) if code.isascii() and code.isdigit() else code


def la_codes(table: Table, column: str) -> tuple[pd.Series, pd.Series]:
    """A DfE LA code column, normalised (``0850`` → ``850``).

    Parameters
    ----------
    table
        The table.
    column
        One of its columns.

    Returns
    -------
    codes, rewritten
        The codes as text without blanks or leading zeros, and a boolean Series true where the file wrote
        leading zeros (for the caller's note).

    Raises
    ------
    Exception
        The table's error, at the first code that is blank, not digits, or above :data:`LA_CODE_MAX`.
    """
    text = table.frame[column].str.strip()
    for i, value in enumerate(text):
        if not (value.isascii() and value.isdigit() and int(value) <= LA_CODE_MAX):
            problem = "LA code is blank" if not value else f"LA code {value!r} is not a DfE LA code"
            raise table.refuse(i, column, problem, f"give the three-digit DfE LA code (e.g. 850), up to {LA_CODE_MAX}")
    codes = text.map(normalise_la_code)
    return codes, codes != text
