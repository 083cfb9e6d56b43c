"""One LA of a batch: its job, planned in its own folder, and what came of it (planned, refused or failed)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import time
import traceback
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from partition import __version__
from partition.core.filenames import safe_name
from partition.core.measures import MEASURES
from partition.errors import InputFileError, IntegrityError, OutputError, PartitionError
from partition.io import datapaths
from partition.io.fetch import sha256
from partition.io.snapshot import InputFile, InputFolder, snapshot, snapshot_input
from partition.model.spec import PlanSpec
from partition.runs.krule import KRule

RESULT_FILE = "batch-result.json"
"""Per-LA record of the job and its outcome (what resuming compares)."""

STATUSES = ("valid", "violated", "refused", "failed")
"""Outcomes of an LA's job, best first."""


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


def refusal_row(job: AuthorityJob, status: str, reason: str) -> dict[str, Any]:
    """The summary row of an LA that was not planned: its outcome and why."""
    return {"la": job.la, "authority": job.authority, "status": status, "reason": reason}


def crash_reason(exc: BaseException) -> str:
    """A fault of partition in one line: the exception, where it was raised, and a request to report it."""
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
                result.files = file_hashes(stage)
                (stage / RESULT_FILE).write_text(json.dumps(result.to_json(), indent=2, default=str) + "\n")
        except OutputError:  # the disk, not the LA: every LA after it would fail the same way, so the batch stops
            raise
        except IntegrityError as exc:  # a plan that fails its independent check: a fault of partition
            _finish(result, [refusal_row(job, "failed", f"{exc}")], start, caught, "failed")
        except PartitionError as exc:  # e.g. the LA's folder is not partition's: nothing written, retried next time
            _finish(result, [refusal_row(job, "refused", str(exc))], start, caught, "refused")
        except Exception as exc:  # a fault of partition (or the disk): reported, retried next time
            _finish(result, [refusal_row(job, "failed", crash_reason(exc))], start, caught, "failed")
    return result


def _planned_or_refused(job: AuthorityJob, stage: Path, result: AuthorityResult, start: float, caught: list) -> None:
    """Read the LA's inputs once, key the result by their bytes and plan the LA into ``stage`` from them, or
    record why it is refused (a :class:`PartitionError` other than a failed check).
    """
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
        _finish(result, [refusal_row(job, "refused", str(exc))], start, caught, "refused")
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


def file_hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (but the result record and partition's marker), by relative path."""
    from partition.runs.publish import MARKER

    return {
        str(f.relative_to(folder)): sha256(f)
        for f in sorted(folder.rglob("*"))
        if f.is_file() and f.name not in (RESULT_FILE, MARKER)
    }


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
