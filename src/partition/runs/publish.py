"""Publishing a run: all of its outputs appear at once, or none do.

``partition plan`` and ``partition run`` write a whole run — every
configuration, map, comparison, pack, export and manifest — into a staging
folder beside the output folder (same file system), then publish it in one
step with :func:`staged_output`:

* the output location is checked before anything is solved: the staging folder
  is created at once, so a path under a file, under ``/proc`` or in a
  read-only folder fails with :class:`OutputLocationError` (exit 2) within
  seconds, not after the solve;
* a run owns its folder. The folder holds a marker, :data:`MARKER`, written by
  partition and listing every file the run wrote; a rerun replaces the previous
  outputs completely (no stale configurations, maps or exports beside the new
  ones). Anything in the folder the marker does not list (a planner's edits, a
  scenario file saved there) stops the run, named, rather than being deleted; a
  folder without a marker is refused unless it holds only what an older
  partition wrote (recognised by content, not by name);
* any failure, ``Ctrl-C`` (SIGINT) or SIGTERM before publication removes the
  staging folder and leaves the previous outputs as they were;
* folders are created with the permissions the umask gives (``tempfile.mkdtemp``
  alone would make them ``drwx------``);
* one writer at a time: the run holds the lock of the output folder (:mod:`partition.runs.outlock`) from
  before it checks the folder until it has published, so a second run with the same ``--out`` is
  refused at once, naming the first;
* a write that fails for the system (no space left on device, permission denied, the folder removed
  while writing) ends in one :class:`~partition.errors.OutputError` naming the file, the cause in words
  and the fix (:mod:`partition.core.faults`); the staging folder is removed and the previous outputs kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shlex
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from partition import __version__
from partition.core.faults import WRITE_ONLY as WRITE_ONLY_ERRNOS
from partition.core.faults import cause_in_words, os_error_of, output_error
from partition.errors import OutputError, PartitionError
from partition.runs.outlock import output_lock

MARKER = ".partition-run.json"
"""File that marks a folder as the output of a partition run (and so replaceable by the next one)."""

KEEP = frozenset({".gitkeep", ".gitignore"})
"""Files a folder may hold beside partition's outputs without making it foreign; they are kept on publication."""


class OutputLocationError(PartitionError):
    """The output folder cannot be written, or belongs to something other than partition."""


def public_command(argv: list[str] | None = None) -> str:
    """The command line as a user typed it, without this machine's paths: ``partition run configs/x.toml``.

    The program path (``/home/…/bin/partition`` or ``…/cli.py``) is replaced by ``partition``;
    absolute paths among the arguments are shown as :func:`public_path` shows them.

    Parameters
    ----------
    argv
        The arguments after the program name; by default ``sys.argv[1:]``.

    Returns
    -------
    str
        ``partition`` and the arguments, quoted for a POSIX shell (:func:`shlex.join`).
    """
    args = sys.argv[1:] if argv is None else argv
    return shlex.join(["partition", *(public_path(a) if Path(a).is_absolute() else a for a in args)])


def public_path(path: str | Path, data_folder: Path | None = None) -> str:
    """A path fit to publish: relative to the working folder or the data folder, never this machine's layout.

    ``/home/ann/partition/configs/x.toml`` → ``configs/x.toml`` (run from the checkout);
    ``/srv/shared/data/schools/gias.csv`` → ``<data>/schools/gias.csv`` (under the data folder);
    anything else → its file name. The file's sha256 identifies it exactly.

    Parameters
    ----------
    path
        A file or folder, absolute or relative to the working folder.
    data_folder
        The data folder (see :mod:`partition.io.datapaths`), tried after the working folder.

    Returns
    -------
    str
        A POSIX path relative to the working folder, ``<data>/`` and a path relative to the
        data folder, or the file name.
    """
    p = Path(path).absolute()
    for root, prefix in ((Path.cwd(), ""), (data_folder, "<data>/")):
        if root is not None and p.is_relative_to(root.absolute()):
            return prefix + p.relative_to(root.absolute()).as_posix()
    return p.name


def umask() -> int:
    """The process's current umask (read without changing it for longer than the call)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def make_temp_dir(parent: Path, prefix: str) -> Path:
    """A new temporary folder in ``parent`` whose mode follows the umask (``mkdtemp`` gives ``0700``).

    Parameters
    ----------
    parent
        The existing folder to create it in (the output folder, so a rename publishes it).
    prefix
        Start of its name, e.g. ``".k23-ignore-"`` (hidden while it is being written).

    Returns
    -------
    pathlib.Path
        The new, empty folder, mode ``0777 & ~umask``.

    Raises
    ------
    OSError
        When ``parent`` does not exist or cannot be written.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    path.chmod(0o777 & ~umask())
    return path


LEGACY_FILES = re.compile(
    r"^(comparison\.(md|csv)|consultation-pack\.html|all-configurations\.html"
    r"|side-by-side_.+\.html|changes_.+_to_.+\.html)$"
)
"""Files that partition wrote before it marked its folders (a folder holding only these is partition's)."""

LEGACY_PLAN_FILES = frozenset({"assignments.csv", "partnerships.geojson", "plan.json", "map.html"})
LEGACY_EXPORT_FILES = re.compile(
    r"^(partition\.gpkg|(schools|units|districts|partnerships_[A-Za-z0-9_]+)\.(geojson|csv))$"
)


def _json(path: Path) -> dict:
    """The JSON object in ``path``, or ``{}`` when it is missing, unreadable or not an object."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _legacy_output(entry: Path) -> bool:
    """Whether ``entry`` is something partition wrote before :data:`MARKER` existed.

    Judged by content, not by name alone: a plan folder holds only a plan's files and a
    ``plan.json`` with partition's keys; ``exports/`` only partition's layers; ``manifest.json``
    names partition among its versions. Anything else is the user's and makes the folder foreign.
    """
    if entry.is_symlink():
        return False
    if entry.is_dir():
        names = {p.name for p in entry.iterdir()}
        if entry.name == "exports":
            return all(LEGACY_EXPORT_FILES.match(n) for n in names)
        plan = _json(entry / "plan.json")
        return names <= LEGACY_PLAN_FILES and {"k", "spec", "solver"} <= plan.keys()
    if entry.name == "manifest.json":
        return "partition" in (_json(entry).get("versions") or {})
    return bool(LEGACY_FILES.match(entry.name))


def _written(folder: Path) -> list[str]:
    """Every file and folder below ``folder``, as sorted relative POSIX paths (the marker and kept files aside)."""
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.relative_to(folder).as_posix() not in KEEP | {MARKER}
    )


def _foreign_entries(folder: Path) -> list[str]:
    """What in ``folder`` partition did not write: nothing for a folder exactly as its last run left it.

    A folder with :data:`MARKER` is partition's when the marker is partition's (``created_by``)
    and lists every file now in the folder; anything added since (a planner's edits, a
    scenario file) is named, so that a rerun never deletes it. Without a marker, only what an
    older partition wrote (see :func:`_legacy_output`) is partition's.
    """
    entries = sorted(folder.iterdir())
    if any(p.name == MARKER for p in entries):
        marker = _json(folder / MARKER)
        recorded = marker.get("files")
        if marker.get("created_by") != "partition" or not isinstance(recorded, list):
            return [f"{MARKER} (not a marker partition wrote)"]
        return sorted(set(_written(folder)) - set(map(str, recorded)))
    return [p.name for p in entries if p.name not in KEEP and not _legacy_output(p)]


def _other_workflow(folder: Path, workflow: str) -> str | None:
    """The command that wrote ``folder`` when it was another workflow than ``workflow`` (else None)."""
    marker_path = folder / MARKER
    if not workflow or not marker_path.is_file():
        return None
    marker = _json(marker_path)
    recorded = marker.get("workflow")
    if recorded and recorded != workflow:
        return str(marker.get("command") or f"partition {recorded}")
    return None


def check_target(target: Path, workflow: str = "") -> None:
    """Refuse an output folder that is a file, that partition did not create, or that another workflow wrote.

    Parameters
    ----------
    target
        The output folder.
    workflow
        The workflow about to write (``"run"``, ``"plan"``); a folder whose marker names
        another workflow is refused, so that a quick ``partition plan`` never replaces the
        outputs of a ``partition run`` (its pack, comparisons and manifest).

    Raises
    ------
    OutputLocationError
        When ``target`` exists and is not a folder, is a folder that is not
        empty and holds no :data:`MARKER`, or was written by another workflow.
    """
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        what = "a symbolic link" if target.is_symlink() else "a file"
        raise OutputLocationError(
            f"output folder {target} is {what}, which a run cannot replace", fix="choose another --out"
        )
    if target.is_dir():
        foreign = _foreign_entries(target)
        if foreign:
            shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
            raise OutputLocationError(
                f"output folder {target} holds what partition did not write there ({shown}), "
                "and a run replaces its folder completely",
                fix="move those files elsewhere, or choose another --out",
            )
        other = _other_workflow(target, workflow)
        if other:
            raise OutputLocationError(
                f"output folder {target} holds the outputs of `{other}`; `partition {workflow}` would replace them",
                fix=f"choose another --out (e.g. --out {target.name}-{workflow}), or delete the folder to replace it",
            )


def _create_parents(parent: Path) -> list[Path]:
    """Create ``parent`` and its missing ancestors; return those created, deepest first."""
    missing = []
    p = parent
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    done: list[Path] = []
    try:
        for folder in reversed(missing):
            folder.mkdir()
            done.insert(0, folder)
            folder.chmod(0o777 & ~umask())
    except OSError:
        _remove_empty(done)  # nothing left behind by a location that cannot be written
        raise
    return missing


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            folder.rmdir()


def _unwritable(target: Path, exc: OSError) -> OutputLocationError:
    """The one-line error for an output folder that cannot be created or locked (before anything is solved)."""
    reason = cause_in_words(exc, while_writing=False)
    return OutputLocationError(
        f"cannot write the output folder {target}: {reason}"
        + (f" ({exc.filename})" if exc.filename and str(exc.filename) != str(target) else ""),
        fix="choose an --out in a folder you can write to (not under a file, /proc or a read-only folder)",
    )


@contextlib.contextmanager
def claimed_location(target: Path, *, command: str = "", lock: bool = True) -> Iterator[None]:
    """Create the folders that will hold ``target`` and hold its lock while inside.

    Parameters
    ----------
    target
        The absolute output folder.
    command
        What writes it (recorded in the lock file for a second writer's message).
    lock
        Hold the lock of :mod:`partition.runs.outlock` (False when a caller already holds a lock that covers it,
        as a batch does for its LAs' folders).

    Yields
    ------
    None

    Raises
    ------
    OutputLocationError
        When the folder holding ``target`` cannot be created, or the lock file cannot be written in it.
    OutputInUseError
        When another process is writing ``target``.

    Notes
    -----
    On exit the lock is released and its file removed, and the folders created for ``target`` are removed
    again when ``target`` was not published (they are empty then).
    """
    created: list[Path] = []
    try:
        with contextlib.ExitStack() as stack:
            try:
                created = _create_parents(target.parent)
            except OSError as exc:
                raise _unwritable(target, exc) from None
            if lock:
                try:
                    stack.enter_context(output_lock(target, command))
                except OSError as exc:  # the lock file is partition's own: name the folder, not it
                    raise _unwritable(target, OSError(exc.errno, exc.strerror)) from None
            yield
    finally:
        if not target.exists():
            _remove_empty(created)


def _write_failure(exc: BaseException, staging: Path, target: Path) -> OutputError | None:
    """The one-line error for a write into ``staging`` that failed for the system; None for any other error.

    An OSError counts when it names a file in the staging folder (the run writes nowhere else), or when only a
    write can raise it (no space left ...); a GDAL error when its text holds a system message (see
    :func:`partition.core.faults.os_error_of`) and names a file there. The file is named where it would have
    been published (GDAL's: the output folder).
    """
    cause = os_error_of(exc)
    if cause is None:
        return None
    named = next(
        (
            target / _as_published(Path(name).absolute().relative_to(staging))
            for name in (cause.filename, getattr(cause, "filename2", None))
            if name and Path(name).absolute().is_relative_to(staging)
        ),
        None,
    )
    mentioned = str(staging) in str(exc)  # GDAL's text names the file
    if named is None and not mentioned and (cause.filename or cause.errno not in WRITE_ONLY_ERRNOS):
        return None  # not a write of this run (e.g. an input file, even one in the output folder, unreadable)
    return output_error(cause, named or target, folder=target, outcome=_kept(target))


TEMPORARY_NAME = re.compile(r"^\.(?P<name>.+)-[a-z0-9_]{8}$|^(?P<file>.+)\.part$")
"""A folder made by :func:`make_temp_dir` (``.k23-ignore-1a2b3c4d``) or a map being written (``map.html.part``)."""


def _as_published(relative: Path) -> Path:
    """``relative`` (in the staging folder) with temporary names as they are published: ``k23-ignore/map.html``."""
    parts = []
    for part in relative.parts:
        match = TEMPORARY_NAME.match(part)
        parts.append(match.group("name") or match.group("file") if match else part)
    return Path(*parts)


def _kept(target: Path) -> str:
    """What a failed run left, in words."""
    if target.exists():
        return f"nothing was published; the previous outputs in {target} are unchanged"
    return "nothing was written"


class Terminated(SystemExit):
    """Raised in the main thread by SIGTERM so that the staging folder is removed on the way out."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(128 + signum)


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """While inside, SIGTERM raises :class:`Terminated` (exit status 143) instead of killing the process at once."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM back while inside (publication and clean-up are short and must not be cut)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _publish(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging``: two renames, the previous outputs deleted only after the new ones are in place."""
    check_target(target)  # again: something may have appeared while the run was solving
    if not target.exists():
        staging.rename(target)
        return
    for name in KEEP:
        kept = target / name
        if kept.is_file() and not (staging / name).exists():
            shutil.copy2(kept, staging / name)
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
    old.rmdir()
    target.rename(old)
    try:
        staging.rename(target)
    except BaseException:
        old.rename(target)
        raise
    shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def staged_output(target: str | Path, *, command: str = "", workflow: str = "", lock: bool = True) -> Iterator[Path]:
    """Write a whole run into a staging folder and publish it as ``target`` in one step.

    Entering takes the lock of ``target`` (see :mod:`partition.runs.outlock`), checks the location and creates
    the staging folder, so call it before solving. Inside, write everything into the folder yielded. On
    normal exit, :data:`MARKER` is added and the folder replaces ``target``; on any exception,
    ``KeyboardInterrupt`` or SIGTERM the staging folder (and any parent folder created for it) is removed
    and ``target`` is left as it was. A write that fails for the system (no space left on device,
    permission denied, the folder removed while writing) ends in :class:`~partition.errors.OutputError`.

    Parameters
    ----------
    target
        The output folder (``--out``).
    command
        What made the run (recorded in the marker and in the lock file), e.g.
        ``"partition run configs/hampshire.toml"``.
    workflow
        Which workflow writes (``"run"``, ``"plan"``; recorded in the marker): a folder another
        workflow wrote is refused (see :func:`check_target`).
    lock
        Hold the lock of ``target`` (False for a batch's LA folders: the batch holds the lock of its folder).

    Yields
    ------
    Path
        The staging folder to write into.

    Raises
    ------
    OutputLocationError
        When ``target`` cannot be created or written, is a file, or is a folder
        not created by partition (see :func:`check_target`); raised on entry, before
        the caller solves anything.
    OutputInUseError
        When another process is writing ``target`` (raised on entry).
    OutputError
        When a write into the staging folder or the publication fails for the system; nothing is
        published and the previous outputs are kept.
    """
    target = Path(target).absolute()
    command = command or public_command()
    check_target(target, workflow)
    with claimed_location(target, command=command, lock=lock):
        check_target(target, workflow)  # again, now that no other run can be writing it
        try:
            staging = make_temp_dir(target.parent, f".{target.name}-staging-")
        except OSError as exc:
            raise _unwritable(target, exc) from None
        with sigterm_raises():
            try:
                try:
                    yield staging
                except (OSError, RuntimeError) as exc:
                    problem = _write_failure(exc, staging, target)
                    if problem is None:
                        raise
                    raise problem from exc
                with _signals_held():
                    _publish_staging(staging, target, command, workflow)
            finally:
                with _signals_held():
                    if staging.exists():
                        shutil.rmtree(staging, ignore_errors=True)


def _publish_staging(staging: Path, target: Path, command: str, workflow: str) -> None:
    """Add the marker to ``staging`` and publish it as ``target``; a system fault is an :class:`OutputError`."""
    marker = {
        "created_by": "partition",
        "version": __version__,
        "command": command,
        "workflow": workflow,
        "published": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "files": _written(staging),
    }
    try:
        (staging / MARKER).write_text(json.dumps(marker, indent=2) + "\n")
    except OSError as exc:
        raise output_error(exc, target / MARKER, folder=target, outcome=_kept(target)) from exc
    try:
        _publish(staging, target)
    except OSError as exc:
        raise output_error(exc, target, folder=target.parent, outcome=_kept(target)) from exc
