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
        """The message, followed by ``. Fix: ...`` when a fix is known."""
        if self.fix:
            return f"{self.message}. Fix: {self.fix}"
        return self.message


class DataLocationError(PartitionError):
    """An input file or the data folder cannot be found."""


class OutputError(PartitionError):
    """An output could not be written: no space left on the disk, permission denied, the folder removed while
    writing ... (made from the :class:`OSError` by :func:`partition.core.faults.output_error`, which names the path,
    the cause in words and the fix).
    """


class OutputInUseError(PartitionError):
    """Another partition process is writing the same output folder (see :mod:`partition.runs.outlock`)."""


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


class GeometryRepairError(BoundaryFileError):
    """Repairing an invalid polygon would change it by more than the stated limit, so it is refused.

    Parameters
    ----------
    path
        The boundary file.
    repairs
        The refused repairs (:class:`partition.io.boundaries.FeatureRepair`), each with its ``describe()``,
        ``label`` and ``place``.
    limit
        The limit, in words (``1 % of the feature's area or 10 ha``).
    schools
        Per refused feature (by code), sentences naming the schools the repair affects, when known.
    """

    def __init__(self, path: str | Path, repairs: list, limit: str, schools: dict[str, str] | None = None) -> None:
        self.repairs = list(repairs)
        self.limit = limit
        self.schools = dict(schools or {})
        clauses = []
        for r in self.repairs:
            clause = r.describe()
            if self.schools.get(r.code):
                clause += f"; {self.schools[r.code]}"
            clauses.append(clause)
        first = self.repairs[0]
        super().__init__(
            path,
            f"repairing {len(self.repairs)} invalid polygon(s) would change each by more than the limit ({limit}), "
            "so the repaired shape would be a guess: " + "; ".join(clauses),
            fix=f"correct the boundary of {first.label}{first.place} (its ring crosses itself: vertices out of "
            "order or a stray vertex; QGIS 'Check validity' shows where) or use another boundary file",
        )

    def with_schools(self, schools: dict[str, str]) -> GeometryRepairError:
        """The same refusal naming the schools each repair affects.

        Parameters
        ----------
        schools
            Feature code -> a sentence naming its affected schools (codes without any are left out).

        Returns
        -------
        GeometryRepairError
            A new error with the same file, repairs and limit.
        """
        return GeometryRepairError(self.path, self.repairs, self.limit, schools)


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
    """An input is larger than the tool plans in reasonable time (see :mod:`partition.core.limits`)."""


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
