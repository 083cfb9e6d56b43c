"""Exceptions raised by partition.

Every error the tool raises on purpose derives from :class:`PartitionError`.
Each carries enough context (file, row, column) to tell the user what went
wrong and how to fix it; the CLI prints ``str(error)`` on one line and exits
with status 2.
"""

from __future__ import annotations

from pathlib import Path


class PartitionError(Exception):
    """Root of every error raised by partition."""

    exit_code = 2

    def __init__(self, message: str, *, fix: str | None = None) -> None:
        self.message = message
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        if self.fix:
            return f"{self.message}. Fix: {self.fix}"
        return self.message


class DataLocationError(PartitionError):
    """An input file or the data folder cannot be found."""


class InputFileError(PartitionError):
    """An input file is unreadable or malformed.

    Parameters
    ----------
    path
        The file at fault.
    message
        What is wrong.
    row
        1-based line number in the file, when the problem is in one row.
    column
        Column (field) name, when the problem is in one column.
    fix
        How to fix it.
    """

    def __init__(
        self,
        path: str | Path,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.path = Path(path)
        self.row = row
        self.column = column
        where = str(self.path)
        if row is not None:
            where += f", line {row}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {message}", fix=fix)


class SchoolsFileError(InputFileError):
    """The GIAS schools CSV is malformed or lacks a required column."""


class BoundaryFileError(InputFileError):
    """A boundary file is unreadable, has no usable code/name field or bad geometry."""


class PopulationFileError(InputFileError):
    """A population table is malformed."""


class EmptySelectionError(PartitionError):
    """A filter (LA code, status, kinds, districts) left nothing to plan."""


class UnitsError(PartitionError):
    """Planning units could not be built."""


class GraphError(PartitionError):
    """The adjacency graph violates the requested policy (e.g. islands with policy 'error')."""


class FetchError(PartitionError):
    """A download failed or its content did not verify."""


class SpecError(PartitionError):
    """A plan specification is invalid."""


class InfeasibleError(PartitionError):
    """No configuration can satisfy the specification; the message says which constraint and why."""


class SafetyStopError(PartitionError):
    """A wall-clock safety stop fired before a solver spent its work budget.

    Where a clock stops a search depends on the machine's speed and load, so nothing from such a search is
    used: the run stops with this error instead of giving a plan that another machine would not give.
    """


class SizeLimitError(PartitionError):
    """An input is larger than the tool plans in reasonable time (see :mod:`partition.limits`)."""


class IntegrityError(PartitionError):
    """A configuration or a file written for it fails an independent check (a fault of the tool, not of the data).

    Parameters
    ----------
    name
        The configuration checked.
    problems
        One sentence per fault found.
    """

    def __init__(self, name: str, problems: list[str]) -> None:
        self.name = name
        self.problems = list(problems)
        super().__init__(
            f"configuration {name} failed its integrity check, so nothing was written for it: "
            + "; ".join(self.problems),
            fix="this is a fault of partition, not of your data; please report it with the command you ran",
        )
