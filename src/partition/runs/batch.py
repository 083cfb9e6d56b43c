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
import dataclasses
import hashlib
import json
import os
import re
import shutil
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pandas as pd

from partition import __version__
from partition.core.csvsafe import csv_text
from partition.core.filenames import path_inside, safe_name
from partition.core.limits import check_k_values, listed
from partition.core.measures import MEASURES
from partition.errors import InputFileError, IntegrityError, OutputError, PartitionError, SpecError
from partition.io import datapaths, values
from partition.io.fetch import sha256
from partition.io.snapshot import InputFile, InputFolder, snapshot, snapshot_input
from partition.io.tables import read_table
from partition.model.spec import PlanSpec
from partition.report.batch_page import summary_page

RESULT_FILE = "batch-result.json"
"""Per-LA record of the job and its outcome (what resuming compares)."""

BATCH_MARKER = ".partition-batch.json"
"""Marks a folder as a batch's output folder (others are refused)."""

DEFAULT_SCHOOLS_PER_PARTNERSHIP = 21.0
"""The default k rule: schools per partnership (Hampshire's 494 open schools in 23 partnerships ≈ 21.5)."""

STATUSES = ("valid", "violated", "refused", "failed")
"""Outcomes of an LA's job, best first."""

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


@dataclass(frozen=True)
class AuthorityJob:
    """One LA to plan (picklable: it travels to a worker process or a Dask worker).

    Attributes
    ----------
    la, authority
        DfE LA code and name.
    data
        The ``[data]`` keys (:func:`partition.runs.loading.prepare_data`) with the LA's code.
    data_dir
        The data folder (as a string), or None.
    spec
        The spec without k (k comes from ``rule``).
    rule
        The k rule.
    solver
        The ``[solver]`` keys.
    folder
        The LA's output folder (absolute).
    key
        What resuming compares (:func:`job_key`).
    maps
        Draw the maps.
    command
        The batch's command, recorded in the LA's folder.
    schools
        The LA's schools in the schools file after the filters (the largest are started first).
    hashes
        The input files' digests by ``[data]`` key when the batch started (:func:`input_hashes`), to tell
        a job that reads other content.
    """

    la: str
    authority: str
    data: Mapping[str, Any]
    data_dir: str | None
    spec: PlanSpec
    rule: KRule
    solver: Mapping[str, Any]
    folder: str
    key: str
    maps: bool = True
    command: str = ""
    schools: int = 0
    hashes: Mapping[str, str] = field(default_factory=dict)


@dataclass
class AuthorityResult:
    """What one LA's job did.

    Attributes
    ----------
    la, authority, status
        The LA and its outcome (one of :data:`STATUSES`).
    key
        The job's key (see :func:`job_key`) for the input bytes it was planned from; blank when an input
        could not be read (retried next time).
    rows
        One summary row per configuration (keys of :data:`SUMMARY_COLUMNS`), or one row when refused or failed.
    seconds
        Wall time of the job (s).
    warnings
        The data warnings issued while loading and planning.
    files
        SHA-256 of every file written in the LA's folder, by path relative to it (resuming checks them).
    skipped
        True when the result was read from an earlier run (resumed), not computed now.
    """

    la: str
    authority: str
    status: str
    key: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)
    skipped: bool = False

    def to_json(self) -> dict[str, Any]:
        """The result as JSON data (``skipped`` left out).

        Returns
        -------
        dict
        """
        data = dataclasses.asdict(self)
        data.pop("skipped")
        return data


def folder_name(la: str, authority: str) -> str:
    """An LA's folder: ``850-hampshire``, ``886-kent``, ``202-camden``.

    Parameters
    ----------
    la, authority
        DfE LA code and name (from the schools file: any text).

    Returns
    -------
    str
        The code and the name in lower case, anything but letters and digits as single hyphens, made one
        safe name by :func:`partition.core.filenames.safe_name` (a code ``../../escape`` gives ``escape-<name>``).

    Raises
    ------
    UnsafeNameError
        When the code and name leave nothing usable (no letter or digit).
    """
    slug = re.sub(r"[^a-z0-9]+", "-", authority.lower()).strip("-")
    return safe_name(f"{la}-{slug}" if slug and slug != la else la)


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


def job_key(
    la: str,
    data: Mapping[str, Any],
    hashes: Mapping[str, str],
    spec: PlanSpec,
    rule: KRule,
    solver: Mapping,
    maps: bool,
) -> str:
    """The identity of an LA's job: equal keys give the same outputs.

    Parameters
    ----------
    la
        DfE LA code.
    data
        The ``[data]`` keys.
    hashes
        SHA-256 of each input file, by ``[data]`` key (content, not path or date).
    spec, rule, solver, maps
        What is planned and drawn.

    Returns
    -------
    str
        A SHA-256 hex digest of all of it and partition's version.
    """
    payload = {
        "version": __version__,
        "la": la,
        "data": {k: v for k, v in data.items() if k not in hashes and k != "la"},
        "files": dict(hashes),
        "spec": spec.to_dict(),
        "rule": rule.table.get(la) if rule.table is not None else dataclasses.asdict(rule),
        "solver": dict(solver),
        "maps": maps,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _configuration_rows(job: AuthorityJob, inputs: Any, plans: list, folder: Path) -> list[dict[str, Any]]:
    """The summary rows of the LA's configurations as written."""
    rows = []
    for plan in plans:
        broken = plan.broken_rules()
        mean = float(plan.partnerships["pupils"].mean()) if len(plan.partnerships) else 0.0
        deviation = float((plan.partnerships["pupils"] / mean - 1).abs().max()) if mean else 0.0
        rows.append(
            {
                "la": job.la,
                "authority": job.authority,
                "status": "violated" if broken else "valid",
                "schools": len(plan.assignments),
                "excluded": len(inputs.dataset.excluded),
                "k": plan.k,
                "configuration": plan.name,
                "wdist_km": round(float(plan.wdist_km), 3),
                "max_deviation_pct": round(100 * deviation, 1),
                "partnerships_without_anchor": int(plan.scores.get("partnerships_without_anchor", 0)),
                "map": f"{folder.name}/{plan.name}/map.html" if job.maps else "",
                "reason": "; ".join(broken) or ("k = 1: the whole LA is one partnership" if plan.k == 1 else ""),
            }
        )
    return rows


def _plan_into(job: AuthorityJob, stage: Path, files: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Plan, check and write one LA into ``stage`` from its input ``files`` as read; its summary rows."""
    from partition.planning.planner import district_plan
    from partition.runs.loading import prepare_data
    from partition.runs.solving import solve_configurations
    from partition.runs.writing import write_outputs

    inputs = prepare_data({**job.data, **files}, data_dir=job.data_dir)
    ks = job.rule.ks(job.la, len(inputs.schools), float(inputs.schools["pupils"].sum()))
    spec = dataclasses.replace(job.spec, k=ks)
    plans = solve_configurations(inputs, spec, dict(job.solver))
    current = district_plan(inputs)
    write_outputs(stage, inputs, plans, current, comparisons=plans, maps=job.maps, basemap="none")
    return _configuration_rows(job, inputs, plans, Path(job.folder))


def _refusal_row(job: AuthorityJob, status: str, reason: str) -> dict[str, Any]:
    return {"la": job.la, "authority": job.authority, "status": status, "reason": reason}


def _crash_reason(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    return f"{type(exc).__name__}: {exc}{where}; this is a fault of partition: please report it"


def plan_authority(job: AuthorityJob) -> AuthorityResult:
    """Plan one LA and publish its folder; never raises for the LA's own problems.

    Parameters
    ----------
    job
        The LA and everything it is planned with.

    Returns
    -------
    AuthorityResult
        ``valid`` or ``violated`` with a row per configuration; ``refused`` with the
        :class:`~partition.errors.PartitionError` message and fix; ``failed`` with the unexpected
        error's type and place. The folder holds the outputs and ``batch-result.json`` (refused: only
        the latter; failed: nothing new, the previous folder is left as it was).

    Raises
    ------
    OutputError
        When a write fails for the system (no space left on device, permission denied ...): nothing is
        published for the LA, and the batch stops with this error (see :func:`batch`).
    """
    from partition.runs.publish import staged_output

    start = time.perf_counter()
    result = AuthorityResult(job.la, job.authority, "failed", job.key)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with staged_output(job.folder, command=job.command, workflow="batch-la", lock=False) as stage:
                _planned_or_refused(job, stage, result, start, caught)
                result.files = _file_hashes(stage)
                (stage / RESULT_FILE).write_text(json.dumps(result.to_json(), indent=2, default=str) + "\n")
        except OutputError:  # the disk, not the LA: every LA after it would fail the same way, so the batch stops
            raise
        except IntegrityError as exc:  # a plan that fails its independent check: a fault of partition
            _finish(result, [_refusal_row(job, "failed", f"{exc}")], start, caught, "failed")
        except PartitionError as exc:  # e.g. the LA's folder is not partition's: nothing written, retried next time
            _finish(result, [_refusal_row(job, "refused", str(exc))], start, caught, "refused")
        except Exception as exc:  # a fault of partition (or the disk): reported, retried next time
            _finish(result, [_refusal_row(job, "failed", _crash_reason(exc))], start, caught, "failed")
    return result


def _planned_or_refused(job: AuthorityJob, stage: Path, result: AuthorityResult, start: float, caught: list) -> None:
    """Read the LA's inputs once, key the result by their bytes and plan the LA into ``stage`` from them, or
    record why it is refused (a :class:`PartitionError` other than a failed check)."""
    try:
        result.key = ""  # until every input is read: a refusal for a file that cannot be read is retried
        files = read_inputs(job.data, job.data_dir)
        hashes = input_hashes(files)
        result.key = job_key(job.la, job.data, hashes, job.spec, job.rule, job.solver, job.maps)
        _warn_changed_inputs(job.hashes, hashes)
        rows = _plan_into(job, stage, files)
    except IntegrityError:
        raise
    except PartitionError as exc:
        _finish(result, [_refusal_row(job, "refused", str(exc))], start, caught, "refused")
        return
    _finish(result, rows, start, caught, "violated" if any(r["status"] == "violated" for r in rows) else "valid")


def _warn_changed_inputs(at_start: Mapping[str, str], now: Mapping[str, str]) -> None:
    """Warn when an input's content differs from the batch's start (the LA is planned from the content read now)."""
    changed = sorted(key for key in now if key in at_start and at_start[key] != now[key])
    if changed:
        from partition.warnings import DataWarning

        warnings.warn(
            DataWarning(
                f"input file(s) {', '.join(changed)} changed while the batch ran: this LA was planned from their "
                "content when its job read them; run the batch again once the files are final (LAs planned from "
                "other content are planned again)"
            ),
            stacklevel=2,
        )


def _finish(result: AuthorityResult, rows: list[dict[str, Any]], start: float, caught: list, status: str) -> None:
    """Fill in the status, rows, time and warnings of a result."""
    result.status = status
    result.seconds = round(time.perf_counter() - start, 1)
    result.warnings = list(dict.fromkeys(str(w.message) for w in caught))
    result.rows = [{**row, "seconds": result.seconds, "warnings": len(result.warnings)} for row in rows]


def _file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (but the result record and partition's marker), by relative path."""
    from partition.runs.publish import MARKER

    return {
        str(f.relative_to(folder)): sha256(f)
        for f in sorted(folder.rglob("*"))
        if f.is_file() and f.name not in (RESULT_FILE, MARKER)
    }


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
    if result.key != key or result.status not in DONE or _file_hashes(folder) != result.files:
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


UNIT_WORDS = {**{k: m.words for k, m in MEASURES.items()}, "population": "children living there"}
DISTRICT_WORDS = {
    "ignore": "district boundaries not considered",
    "penalise": "crossing a district boundary discouraged",
    "nest": "each partnership within one district",
}


def plain_rules(spec: PlanSpec) -> str:
    """The rules every LA was planned with, in plain words (the summary page's lead).

    Parameters
    ----------
    spec
        The batch's spec.

    Returns
    -------
    str
        E.g. "Each partnership one connected area; pupils within ±10% of the average; a secondary or
        all-through school or college in each; district boundaries not considered; federations kept together".
    """
    parts = ["Each partnership one connected area"]
    for bound in spec.size:
        what = UNIT_WORDS.get(bound.attribute, bound.attribute)
        if bound.tolerance is not None:
            parts.append(f"{what} within ±{bound.tolerance:.0%} of the average")
        if bound.min is not None:
            parts.append(f"at least {bound.min:g} {what}")
        if bound.max is not None:
            parts.append(f"at most {bound.max:g} {what}")
    if spec.anchors:
        parts.append("a secondary or all-through school in each")
    parts.append(DISTRICT_WORDS.get(spec.districts, spec.districts))
    parts.append("federations kept together" if spec.federations == "together" else "federations not considered")
    return "; ".join(parts)


def _warn_unused_rows(table: Mapping[str, tuple[int, ...]], planned: set[str]) -> None:
    """A k table's rows for LAs not planned (not in the schools file, or not asked for) are reported."""
    unused = sorted(set(table) - planned)
    if unused:
        from partition.warnings import DataWarning

        warnings.warn(
            DataWarning(f"the k table has rows for LA(s) not planned here: {', '.join(unused[:20])}"), stacklevel=3
        )


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


def read_inputs(data: Mapping[str, Any], data_dir: str | Path | None) -> dict[str, InputFile | InputFolder]:
    """Each input file named in ``data`` read once into memory (a folder of unit polygons: each of its GIS files).

    Parameters
    ----------
    data
        The ``[data]`` keys: ``schools``, ``boundaries``, ``units`` (``"sites"`` is no file), ``population``.
    data_dir
        The data folder.

    Returns
    -------
    dict
        By ``[data]`` key: what :mod:`partition.io.snapshot` read (bytes, SHA-256, size, modification time).

    Raises
    ------
    DataLocationError, InputFileError
        When a file cannot be found or read (naming it).
    """
    from partition.errors import BoundaryFileError, PopulationFileError, SchoolsFileError

    errors: dict[str, type[InputFileError]] = {
        "schools": SchoolsFileError,
        "boundaries": BoundaryFileError,
        "units": BoundaryFileError,
        "population": PopulationFileError,
        "establishments": SchoolsFileError,
        "ks5": SchoolsFileError,
    }
    out: dict[str, InputFile | InputFolder] = {}
    for key, error in errors.items():
        value = data.get(key)
        if value and value != "sites":
            path = datapaths.resolve(value, data_dir)
            out[key] = snapshot_input(path, error=error) if key == "units" else snapshot(path, error=error)
    return out


def input_hashes(files: Mapping[str, InputFile | InputFolder]) -> dict[str, str]:
    """The digest of each input as read (:attr:`partition.io.snapshot.InputRecord.sha256`), by ``[data]`` key.

    Parameters
    ----------
    files
        :func:`read_inputs`.

    Returns
    -------
    dict
        ``[data]`` key → SHA-256 of the bytes parsed (a folder: its files' digests joined by commas).
    """
    return {key: f.record().sha256 for key, f in files.items()}


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
        _warn_unused_rows(rule.table, set(table["la"]))
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
    interrupted, the summary still lists every LA whose folder holds its result."""
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
            job.la, job.authority, "failed", job.key, rows=[_refusal_row(job, "failed", _crash_reason(exc))]
        )
