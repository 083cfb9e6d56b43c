"""Counts in words: ``1 school`` / ``2 schools``, for every sentence partition writes for people.

A count beside a noun goes through :func:`counted` (and a verb that agrees with it through
:func:`plural`), so an LA with one district reads "Today's 1 district partnership becomes 3",
not "1 district partnerships become 3".
"""

from __future__ import annotations


def plural(n: int, singular: str, many: str | None = None) -> str:
    """The word that agrees with a count: ``singular`` for exactly one, else ``many``.

    Parameters
    ----------
    n
        The count.
    singular
        The word for one (``"school"``, ``"becomes"``).
    many
        The word for any other count; default ``singular + "s"``.

    Returns
    -------
    str
        ``singular`` when ``n == 1``, otherwise ``many``.
    """
    return singular if n == 1 else (many if many is not None else singular + "s")


def counted(n: int, singular: str, many: str | None = None, *, thousands: bool = False) -> str:
    """A count and its noun: ``"1 school"``, ``"3 schools"``, ``"0 schools"``.

    Parameters
    ----------
    n
        The count.
    singular, many
        As :func:`plural` (``"district partnership"`` gives ``"district partnerships"``).
    thousands
        Write the count with thousands separators (``"1,234 pupils"``).

    Returns
    -------
    str
        The count, a space and the agreeing noun.
    """
    number = f"{n:,}" if thousands else f"{n}"
    return f"{number} {plural(n, singular, many)}"


__all__ = ["counted", "plural"]
