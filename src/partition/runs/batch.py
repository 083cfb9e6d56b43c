"""``partition batch``: plan many LAs (or every LA of England) from one schools file and one boundary file.

Each LA is one job (:func:`plan_authority`): load its schools and districts, plan every k its rule
gives, check and write the usual outputs of ``partition plan`` into ``<out>/<code>-<name>/``,
published in one step. Jobs run on the executor of :mod:`partition.runs.parallel` (local processes, or a
Dask cluster with ``scheduler``); each worker process parses and repairs each input file once
(:mod:`partition.io.memo`), so the fixed cost is paid per worker, not per LA.

The national summary is ``<out>/summary.csv`` and ``<out>/index.html``: one row per configuration
(or per LA refused), rewritten as each LA finishes, so an interrupted batch leaves a true summary
of what is done. The batch is **resumable**: an LA whose folder holds the result of the same job
(same input files by content, same spec and k, same solver options, same partition version) is
not planned again. An LA that crashed (a fault of the tool, not of the data) is always retried.

Each job reads its input files once into memory (:mod:`partition.io.snapshot`), plans from those
bytes and records the key of exactly those bytes: an input changed while the batch runs gives
the LAs planned after the change a key of the changed content (and a warning), so a later run
plans again whichever LAs were made from content other than the files' content then (an input
changed and restored: the LAs planned from the changed content).

Outcomes per LA (``status``):

``valid``
    every configuration meets its rules, checked independently on the files written;
``violated``
    a configuration was written but breaks a rule of its spec (named in ``reason``);
``refused``
    partition stopped with the reason and the fix a planner can act on (e.g. an LA without a
    secondary school when anchors are required); nothing but ``batch-result.json`` is written;
``failed``
    an unexpected error: a fault of partition, reported with its type and place.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pandas as pd

from partition import __version__
from partition.core.csvsafe import csv_text
from partition.core.filenames import path_inside
from partition.core.limits import listed
from partition.errors import OutputError
from partition.io import values
from partition.io.snapshot import InputFile
from partition.model.spec import PlanSpec
from partition.report.batch_page import summary_page
from partition.runs.authority import (
    RESULT_FILE,
    AuthorityJob,
    AuthorityResult,
    crash_reason,
    file_hashes,
    folder_name,
    input_hashes,
    job_key,
    plain_rules,
    plan_authority,
    read_inputs,
    refusal_row,
)
from partition.runs.krule import BatchError, KRule, warn_unused_rows

BATCH_MARKER = ".partition-batch.json"
"""Marks a folder as a batch's output folder (others are refused)."""

DONE = frozenset({"valid", "violated", "refused"})
"""Outcomes that are final for the same job (a failure is retried)."""

SUMMARY_COLUMNS = (
    "la",
    "authority",
    "status",
    "schools",
    "excluded",
    "k",
    "configuration",
    "wdist_km",
    "max_deviation_pct",
    "partnerships_without_anchor",
    "seconds",
    "warnings",
    "map",
    "reason",
)
"""Columns of ``summary.csv`` (defined in :data:`partition.report.batch_page.SUMMARY_DEFINITIONS`)."""


def authority_folders(folder: Path, table: pd.DataFrame) -> list[Path]:
    """Each LA's output folder inside the batch folder, one per LA.

    Parameters
    ----------
    folder
        The batch folder.
    table
        The LAs (``la`` code and ``name``), as :func:`select_authorities` gives them.

    Returns
    -------
    list of pathlib.Path
        ``folder / folder_name(la, name)`` per row, in order.

    Raises
    ------
    UnsafeNameError
        When a folder would be outside ``folder`` (see :func:`partition.core.filenames.path_inside`).
    BatchError
        When two LAs of the file would share a folder (their codes or names differ only in characters
        a folder name cannot hold).
    """
    paths = [path_inside(folder, folder_name(la, name)) for la, name in zip(table["la"], table["name"])]
    seen: dict[Path, str] = {}
    for la, path in zip(table["la"], paths):
        if path in seen:
            raise BatchError(
                f"LA codes {seen[path]!r} and {la!r} of the schools file would share the folder {path.name}",
                fix="correct the LA (code) and LA (name) columns of the schools file",
            )
        seen[path] = la
    return paths


def earlier_result(folder: Path, key: str) -> AuthorityResult | None:
    """The result an earlier batch left in ``folder`` for the same job, when final.

    Parameters
    ----------
    folder
        An LA's folder.
    key
        The job's key.

    Returns
    -------
    AuthorityResult or None
        The recorded result (``skipped`` True) when it has the same key, a final status (:data:`DONE`) and
        the folder holds exactly the files it wrote, unchanged; None otherwise (not done, another job, a
        failure, files edited, added or removed, or an unreadable record).
    """
    try:
        data = json.loads((folder / RESULT_FILE).read_text())
        result = AuthorityResult(**data)
    except (OSError, ValueError, TypeError):
        return None
    if result.key != key or result.status not in DONE or file_hashes(folder) != result.files:
        return None  # another job, a failure, or files changed, added or removed since: planned again
    result.skipped = True
    return result


@dataclass(frozen=True)
class BatchResult:
    """What :func:`batch` did.

    Attributes
    ----------
    folder
        The batch folder.
    results
        One per LA, in LA code order.
    seconds
        Wall time (s).
    """

    folder: Path
    results: tuple[AuthorityResult, ...]
    seconds: float

    def count(self, status: str) -> int:
        """LAs with this outcome.

        Parameters
        ----------
        status
            One of :data:`STATUSES`.

        Returns
        -------
        int
        """
        return sum(r.status == status for r in self.results)

    @property
    def skipped(self) -> int:
        """LAs whose earlier result was reused."""
        return sum(r.skipped for r in self.results)


def select_authorities(table: pd.DataFrame, codes: Sequence[str] | None, source: str) -> pd.DataFrame:
    """The LAs asked for (all when ``codes`` is empty), checked against the schools file.

    Parameters
    ----------
    table
        :func:`partition.io.schools.authorities` of the schools file.
    codes
        DfE LA codes, or None / empty for every LA.
    source
        The schools file, for the message.

    Returns
    -------
    pandas.DataFrame
        The rows of ``table`` asked for, in code order.

    Raises
    ------
    BatchError
        When a code is not in the file (naming it and some codes the file has).
    """
    if not codes:
        return table
    wanted = [values.normalise_la_code(str(c)) for c in codes]
    unknown = [c for c in wanted if c not in set(table["la"])]
    if unknown:
        raise BatchError(
            f"{source}: no school has LA code {', '.join(unknown)}",
            fix=f"check the codes (this file has {len(table)} LA{'' if len(table) == 1 else 's'}: {listed(list(table['la']))})",
        )
    return table[table["la"].isin(wanted)]


def check_batch_folder(folder: Path) -> None:
    """Refuse an output folder that is neither new, empty, nor a batch's.

    Parameters
    ----------
    folder
        The batch's output folder.

    Raises
    ------
    OutputLocationError
        When ``folder`` is a file, or a folder with content but no :data:`BATCH_MARKER`.
    """
    from partition.runs.publish import KEEP, OutputLocationError

    if folder.is_file():
        raise OutputLocationError(f"{folder} is a file", fix="give a folder for the batch's outputs")
    if folder.is_dir() and not (folder / BATCH_MARKER).is_file():
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in KEEP)
        if foreign:
            raise OutputLocationError(
                f"{folder} holds files that a partition batch did not write ({', '.join(foreign[:5])})",
                fix="give a new or empty folder with --out",
            )


def _write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` by ``text`` in one step (a hidden ``.tmp`` file renamed over it, removed on failure).

    Raises
    ------
    OutputError
        When the file cannot be written (no space left, permission denied, the folder removed ...): the
        previous file is left as it was.
    """
    from partition.core.faults import writing

    tmp = path.with_name(f".{path.name}.tmp")
    with writing(path, outcome=f"the previous {path.name} is unchanged" if path.exists() else ""):
        try:
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, path)
        finally:
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


def summary_frame(results: Iterable[AuthorityResult]) -> pd.DataFrame:
    """The national summary: one row per configuration, or per LA refused or failed.

    Parameters
    ----------
    results
        The LAs' results.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`, in LA code order.
    """
    rows = [row for r in sorted(results, key=lambda r: r.la) for row in r.rows]
    frame = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    counts = ["schools", "excluded", "k", "partnerships_without_anchor", "warnings"]
    return frame.astype({c: "Int64" for c in counts})


def write_summary(folder: Path, results: Iterable[AuthorityResult], *, title: str, rule: KRule) -> None:
    """Write ``summary.csv`` and ``index.html`` into the batch folder (each replaced in one step).

    Parameters
    ----------
    folder
        The batch folder.
    results
        The LAs done so far.
    title
        What was planned, in words (the page's subtitle).
    rule
        The k rule (stated on the page).
    """
    frame = summary_frame(results)
    _write_atomic(folder / "summary.csv", csv_text(frame))
    _write_atomic(folder / "index.html", summary_page(frame, title=title, rule=rule.describe()))


def batch(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    data: Mapping[str, Any],
    spec: PlanSpec,
    solver: Mapping[str, Any],
    out: str | Path,
    *,
    rule: KRule | None = None,
    las: Sequence[str] | None = None,
    data_dir: str | Path | None = None,
    maps: bool = True,
    workers: int | None = None,
    scheduler: str | None = None,
    resume: bool = True,
    command: str = "",
    progress: Callable[[AuthorityResult, int, int], None] = lambda r, done, total: None,
) -> BatchResult:
    """``partition batch``: plan every LA asked for (all in the schools file by default), in parallel.

    Parameters
    ----------
    data
        The ``[data]`` keys (:func:`partition.runs.loading.prepare_data`) shared by every LA: ``schools``
        (default: the England GIAS extract), ``boundaries`` (default: the England LAD 2013 file),
        ``status``, ``kinds``, ``units``, ``islands``; ``la`` and ``districts`` are set per LA.
    spec
        The rules (its k is replaced by ``rule``'s).
    solver
        The ``[solver]`` keys (``name``, ``time_limit``, ``alternatives`` ...).
    out
        The batch folder: one folder per LA, ``summary.csv``, ``index.html``.
    rule
        The k rule (default: schools ÷ :data:`DEFAULT_SCHOOLS_PER_PARTNERSHIP`).
    las
        DfE LA codes (default: every LA of the schools file).
    data_dir
        The data folder.
    maps
        Draw each configuration's map and editor and the comparison maps.
    workers, scheduler
        Where the LAs are planned (see :func:`partition.runs.parallel.executor`).
    resume
        Skip LAs whose folder holds the result of the same job (see :func:`earlier_result`).
    command
        The command, recorded in each LA's folder.
    progress
        Called with each LA's result as it finishes, the LAs finished so far and their number.

    Returns
    -------
    BatchResult

    Raises
    ------
    BatchError
        When an LA code is not in the schools file, two LAs would share a folder, or the k rule is malformed.
    UnsafeNameError
        When an LA's code and name leave no folder name, or its folder would be outside ``out``.
    OutputLocationError
        When ``out`` is not a new, empty or batch folder, or cannot be written.
    OutputInUseError
        When another process is writing ``out`` (its lock, see :mod:`partition.runs.outlock`, names it).
    OutputError
        When a write fails for the system (no space left on device, permission denied, the folder removed):
        the batch stops; the LAs finished are kept and listed in the summary (or, when the summary cannot
        be written either, a note on the error says so).
    SchedulerError
        When ``scheduler`` cannot be reached.
    PartitionError
        When the schools file cannot be read.
    """
    from partition.io.schools import DEFAULT_KINDS, authorities
    from partition.runs.publish import claimed_location

    start = time.perf_counter()
    rule = rule or KRule()
    folder = Path(out).absolute()
    check_batch_folder(folder)
    data = {**{k: v for k, v in data.items() if k not in ("la", "districts")}}
    data.setdefault("schools", None)
    data["schools"] = data["schools"] or "schools/gias_2022_england_open_primary_secondary.csv"
    data["boundaries"] = data.get("boundaries") or "boundaries/topo_lad_eng_2013.json"
    files = read_inputs(data, data_dir)  # the LAs and the jobs' keys from the same bytes
    schools = cast(InputFile, files["schools"])  # read_inputs reads the schools as one file
    table = authorities(
        schools.path,
        data=schools.data,
        status=data.get("status") or "open",
        kinds=data.get("kinds") or DEFAULT_KINDS,
    )
    table = select_authorities(table, las, str(schools.path))
    if rule.table is not None:
        warn_unused_rows(rule.table, set(table["la"]))
    hashes = input_hashes(files)
    del files, schools  # the bytes: each job reads the files again, once
    folders = authority_folders(folder, table)
    jobs = [
        AuthorityJob(
            la=la,
            authority=name,
            data={**data, "la": [la]},
            data_dir=None if data_dir is None else str(data_dir),
            spec=spec,
            rule=rule,
            solver=dict(solver),
            folder=str(path),
            key=job_key(la, {**data, "la": [la]}, hashes, spec, rule, solver, maps),
            maps=maps,
            command=command,
            schools=int(count),
            hashes=hashes,
        )
        for la, name, count, path in zip(table["la"], table["name"], table["schools"], folders)
    ]
    with claimed_location(folder, command=command):  # one batch at a time writes the folder
        results = _run_jobs(
            jobs,
            folder,
            resume=resume,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            title=plain_rules(spec),
            rule=rule,
            command=command,
        )
    return BatchResult(folder, tuple(sorted(results, key=lambda r: r.la)), round(time.perf_counter() - start, 1))


def _run_jobs(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    jobs: list[AuthorityJob],
    folder: Path,
    *,
    resume: bool,
    workers: int | None,
    scheduler: str | None,
    progress: Callable[[AuthorityResult, int, int], None],
    title: str,
    rule: KRule,
    command: str,
) -> list[AuthorityResult]:
    """Reuse what is done, run the rest (largest LAs first, so the pool ends together), summarise as they finish;
    interrupted, the summary still lists every LA whose folder holds its result.
    """
    from partition.runs.parallel import executor

    done: dict[str, AuthorityResult] = {}
    todo = []
    for job in jobs:
        earlier = earlier_result(Path(job.folder), job.key) if resume else None
        if earlier is None:
            todo.append(job)
        else:
            done[job.la] = earlier
            progress(earlier, len(done), len(jobs))
    if not todo:
        write_summary(folder, done.values(), title=title, rule=rule)
        return list(done.values())
    todo.sort(key=lambda job: (-job.schools, job.la))
    try:
        with executor(workers=workers, scheduler=scheduler) as pool:  # a bad scheduler stops before any file
            start_batch_folder(folder, command)
            futures = {pool.submit(plan_authority, job): job for job in todo}
            for future in as_completed(futures):
                result = _result_of(future, futures[future])
                done[result.la] = result
                write_summary(folder, done.values(), title=title, rule=rule)
                progress(result, len(done), len(jobs))
    except BaseException as exc:  # after the pool has stopped its workers: summarise, and say why it stopped
        _close_batch(folder, todo, done, title=title, rule=rule, stopped_by=exc)
        raise
    _close_batch(folder, todo, done, title=title, rule=rule)
    return list(done.values())


def _close_batch(
    folder: Path,
    todo: list[AuthorityJob],
    done: dict[str, AuthorityResult],
    *,
    title: str,
    rule: KRule,
    stopped_by: BaseException | None = None,
) -> None:
    """Remove stopped jobs' staging folders and write the summary from what is on disk.

    The summary lists every LA whose folder holds its result, finished now or found there. When the batch
    was stopped by an error or an interrupt (``stopped_by``), a summary that cannot be written never
    replaces it: it is added to it as a note (the CLI prints it, in one line, after the error).

    Raises
    ------
    OutputError
        When the summary cannot be written and nothing else stopped the batch.
    """
    _remove_stale_staging(folder)
    if not (folder / BATCH_MARKER).is_file():
        return
    for job in todo:
        if job.la not in done and (earlier := earlier_result(Path(job.folder), job.key)) is not None:
            earlier.skipped = False
            done[job.la] = earlier
    try:
        write_summary(folder, done.values(), title=title, rule=rule)
    except OutputError as problem:
        if stopped_by is None:
            raise
        if str(problem) != str(stopped_by):  # not the very error that stopped it
            stopped_by.add_note(f"the batch summary could not be updated either: {problem}")


def _remove_stale_staging(folder: Path) -> None:
    """Remove the staging folders of LA jobs that were stopped (no job of this batch is running any more)."""
    for stale in folder.glob(".*-staging-*"):
        shutil.rmtree(stale, ignore_errors=True)


def start_batch_folder(folder: Path, command: str) -> None:
    """Create the batch folder (when new) with its :data:`BATCH_MARKER`.

    Parameters
    ----------
    folder
        The batch folder.
    command
        The command, recorded in the marker.

    Raises
    ------
    OutputLocationError
        When the folder cannot be created or written (read-only, under a file ...).
    """
    from partition.runs.publish import OutputLocationError

    marker = {"created_by": "partition", "version": __version__, "workflow": "batch", "command": command}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(folder / BATCH_MARKER, json.dumps(marker, indent=2) + "\n")
        _remove_stale_staging(folder)
    except OSError as exc:
        raise OutputLocationError(
            f"{folder} cannot be written ({exc.strerror or exc})",
            fix="give a folder you can write with --out",
        ) from None


def _result_of(future: Any, job: AuthorityJob) -> AuthorityResult:
    """A job's result, or a failure when its worker could not return one (a worker lost, a pickling error)."""
    try:
        return future.result()
    except OutputError:  # the disk, not the LA (see plan_authority): the batch stops with it
        raise
    except Exception as exc:
        return AuthorityResult(
            job.la, job.authority, "failed", job.key, rows=[refusal_row(job, "failed", crash_reason(exc))]
        )
