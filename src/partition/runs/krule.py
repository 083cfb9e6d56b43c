"""How many partnerships each LA of a batch gets: one k for all, schools or pupils per partnership, or a table."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from partition.core.limits import check_k_values, listed
from partition.errors import InputFileError, PartitionError, SpecError
from partition.io import values
from partition.io.tables import read_table

DEFAULT_SCHOOLS_PER_PARTNERSHIP = 21.0
"""The default k rule: schools per partnership (Hampshire's 494 open schools in 23 partnerships ≈ 21.5)."""


class BatchError(PartitionError):
    """A batch cannot start: an unknown LA code, a bad k rule or k table, an output folder not a batch's."""


@dataclass(frozen=True)
class KRule:
    """How many partnerships each LA gets: exactly one of the fields is set.

    Attributes
    ----------
    k
        The same k (one or more) for every LA.
    schools_per
        ``k = round(schools / schools_per)``, at least 1.
    pupils_per
        ``k = round(pupils / pupils_per)``, at least 1.
    table
        ``LA code -> k values`` (read by :func:`read_k_table`); an LA not in it is refused.
    """

    k: tuple[int, ...] = ()
    schools_per: float | None = None
    pupils_per: float | None = None
    table: Mapping[str, tuple[int, ...]] | None = None

    def __post_init__(self) -> None:
        """Refuse two rules at once; with none, schools per partnership by default."""
        given = sum(x is not None and x != () for x in (self.k, self.schools_per, self.pupils_per, self.table))
        if given == 0:
            object.__setattr__(self, "schools_per", DEFAULT_SCHOOLS_PER_PARTNERSHIP)
        elif given > 1:
            raise BatchError(
                "give one rule for k: --k, --schools-per-partnership, --pupils-per-partnership or --k-table",
                fix="keep one of these options",
            )
        for name, option in (("schools_per", "--schools-per-partnership"), ("pupils_per", "--pupils-per-partnership")):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise BatchError(f"{option} must be above 0, got {value:g}", fix=f"e.g. {option} 21")
        bad = list(dict.fromkeys(k for k in self.k if k < 1))
        if bad:
            raise BatchError(f"--k must be 1 or more, got {listed(bad)}", fix="e.g. --k 23 (repeat for several)")
        check_k_values(self.k, "option --k")

    def ks(self, la: str, schools: int, pupils: float) -> tuple[int, ...]:
        """The k values of one LA.

        Parameters
        ----------
        la
            DfE LA code.
        schools, pupils
            The LA's schools and pupils (as loaded for planning).

        Returns
        -------
        tuple of int

        Raises
        ------
        SpecError
            When the rule is a table without the LA.
        """
        if self.k:
            return self.k
        if self.table is not None:
            if la not in self.table:
                raise SpecError(f"the k table has no row for LA {la}", fix="add a row 'la,k' for it")
            return self.table[la]
        per, amount = (self.schools_per, schools) if self.schools_per is not None else (self.pupils_per, pupils)
        return (max(1, round(amount / per)),)

    def describe(self) -> str:
        """The rule in words, for the summary page.

        Returns
        -------
        str
        """
        if self.k:
            return f"k = {', '.join(map(str, self.k))} for every LA"
        if self.table is not None:
            return f"k from a table of {len(self.table)} LAs"
        if self.schools_per is not None:
            return f"k = schools ÷ {self.schools_per:g}, rounded (at least 1)"
        return f"k = pupils ÷ {self.pupils_per:g}, rounded (at least 1)"


class KTableError(InputFileError, BatchError):
    """A ``--k-table`` file is unreadable or malformed (naming file, line and column)."""


def read_k_table(path: str | Path, data: bytes | None = None) -> dict[str, tuple[int, ...]]:
    """An ``la,k`` CSV: one row per LA (several rows of one LA give several k).

    Parameters
    ----------
    path
        A CSV with a header holding ``la`` (DfE LA code) and ``k`` columns, read by
        :func:`partition.io.tables.read_table` (UTF-8 or else Windows-1252; comma, semicolon or tab).
    data
        Its bytes, when already read.

    Returns
    -------
    dict
        ``LA code -> k values`` (codes without leading zeros, :func:`~partition.io.values.normalise_la_code`;
        k in file order, without repeats).

    Raises
    ------
    KTableError
        When the file cannot be read, lacks a column, an LA code is not a DfE code
        (:func:`partition.io.values.la_codes`) or a k is not a whole number from 1 to 1,000
        (:data:`partition.io.values.PARTNERSHIPS`), naming the line and column.
    SizeLimitError
        When an LA has more k values than :data:`partition.core.limits.MAX_K_VALUES_PER_RUN`.
    """
    table = read_table(path, data, kind="k table", error=KTableError)
    columns = {name: table.column(name) for name in ("la", "k")}
    missing = [name for name, column in columns.items() if column is None]
    if missing:
        raise KTableError(table.path, f"has no column {', '.join(missing)}", fix="give a header row: la,k")
    codes, _ = values.la_codes(table, columns["la"])
    ks = values.counts(table, columns["k"], values.PARTNERSHIPS)
    rows: dict[str, dict[int, None]] = {}  # LA -> its k values in file order (a dict: no repeats; linear time)
    for code, k in zip(codes, ks):
        rows.setdefault(code, {})[int(k)] = None
    result = {code: tuple(ks) for code, ks in rows.items()}
    for code, ks in result.items():
        check_k_values(ks, f"{table.path}, LA {code}")
    return result


def warn_unused_rows(table: Mapping[str, tuple[int, ...]], planned: set[str]) -> None:
    """A k table's rows for LAs not planned (not in the schools file, or not asked for) are reported."""
    unused = sorted(set(table) - planned)
    if unused:
        from partition.warnings import DataWarning

        warnings.warn(
            DataWarning(f"the k table has rows for LA(s) not planned here: {', '.join(unused[:20])}"), stacklevel=3
        )
