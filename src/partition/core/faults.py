"""Operating-system faults while writing outputs, told in one line: the path, the cause in words, the fix.

Every write of partition (a run's staging folder and its publication, a batch's summary and marker, the
lock of an output folder) turns an :class:`OSError` into :class:`~partition.errors.OutputError`: no
``[Errno 28]`` and no traceback, but ``cannot write out/summary.csv: no space left on device. Fix: free
some space on the disk holding out ...``. GDAL (through pyogrio) reports a failed write as a
``RuntimeError`` whose text holds the system's message; :func:`os_error_of` recognises those too.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from partition.errors import OutputError

CAUSES = {
    errno.ENOSPC: "no space left on device",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENOENT: "the folder was removed while writing",
    errno.ENOTDIR: "a file stands where a folder should be",
    errno.EISDIR: "a folder stands where a file should be",
    errno.EIO: "the disk reported an input/output error",
    errno.EFBIG: "the file is too large for the disk",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EMFILE: "too many files are open",
    errno.ENFILE: "too many files are open",
}
"""The cause of a failed write in words, by ``errno``."""

WRITE_ONLY = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG})
"""Errors only a write raises: such an error without a file name is a failed write whatever it was writing."""


def cause_in_words(exc: OSError, *, while_writing: bool = True) -> str:
    """What went wrong, in words: ``"no space left on device"``, ``"permission denied"`` ...

    Parameters
    ----------
    exc
        The error.
    while_writing
        True once the output folder exists (a missing folder was removed while writing); False while it is
        being created (a missing folder could not be created there).

    Returns
    -------
    str
        From :data:`CAUSES`, else the system's message in lower case.
    """
    if exc.errno == errno.ENOENT and not while_writing:
        return "no such folder, and it cannot be created there"
    cause = CAUSES.get(exc.errno or 0)
    if cause:
        return cause
    text = exc.strerror or str(exc) or type(exc).__name__
    return text[:1].lower() + text[1:]


def fix_for(exc: OSError, folder: Path, option: str = "--out") -> str:
    """How to fix a failed write into ``folder``, by its cause.

    Parameters
    ----------
    exc
        The error.
    folder
        The output folder written to.
    option
        The option that chooses it (``--out``; ``--dest`` for ``partition fetch``).

    Returns
    -------
    str
        One sentence without a final full stop.
    """
    code = exc.errno or 0
    if code in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return (
            f"free some space on the disk holding {folder} (or give {option} a folder on another disk), then run again"
        )
    if code in (errno.EACCES, errno.EPERM):
        return f"make {folder} writable for you, or give {option} a folder you can write to"
    if code == errno.EROFS:
        return f"give {option} a folder on a disk you can write to"
    if code == errno.ENOENT:
        return f"leave {folder} in place while partition writes, then run again"
    if code == errno.ENOTDIR:
        return f"give {option} a folder that is not under a file"
    if code == errno.EIO:
        return "check the disk, then run again"
    return f"give {option} a folder you can write to, then run again"


def output_error(
    exc: OSError, path: str | Path, *, folder: str | Path | None = None, outcome: str = "", option: str = "--out"
) -> OutputError:
    """The one-line error for a write of ``path`` that failed with ``exc``.

    Parameters
    ----------
    exc
        The error.
    path
        The file or folder being written, as the user knows it.
    folder
        The output folder the fix names (default: the folder holding ``path``).
    outcome
        What was kept, in words (e.g. ``"nothing was published; the previous outputs are unchanged"``).
    option
        The option that chooses the folder, for the fix (see :func:`fix_for`).

    Returns
    -------
    OutputError
        ``cannot write <path>: <cause> (<outcome>). Fix: <fix>``.
    """
    path = Path(path)
    where = Path(folder) if folder is not None else path.parent
    kept = f" ({outcome})" if outcome else ""
    return OutputError(f"cannot write {path}: {cause_in_words(exc)}{kept}", fix=fix_for(exc, where, option))


def os_error_of(exc: BaseException) -> OSError | None:
    """The operating-system error behind ``exc``: itself, or the one a GDAL write error reports in words.

    Parameters
    ----------
    exc
        Any exception.

    Returns
    -------
    OSError or None
        ``exc`` when it is an :class:`OSError`; for a pyogrio error whose text holds a system message
        of :data:`CAUSES` (``"... : No space left on device"``), an :class:`OSError` with that errno and
        no file name; None otherwise.
    """
    if isinstance(exc, OSError):
        return exc
    if isinstance(exc, RuntimeError) and type(exc).__module__.startswith("pyogrio"):
        text = str(exc)
        for code in CAUSES:
            if os.strerror(code) in text:
                return OSError(code, os.strerror(code))
    return None


@contextlib.contextmanager
def writing(
    path: str | Path, *, folder: str | Path | None = None, outcome: str = "", option: str = "--out"
) -> Iterator[None]:
    """Inside, an :class:`OSError` (or a GDAL write error) becomes :class:`~partition.errors.OutputError`.

    Parameters
    ----------
    path
        What is written, as the user knows it (named rather than a temporary file the error may name).
    folder, outcome, option
        As :func:`output_error`.

    Yields
    ------
    None

    Raises
    ------
    OutputError
        Naming ``path``, the cause in words and the fix.
    """
    try:
        yield
    except (OSError, RuntimeError) as exc:
        cause = os_error_of(exc)
        if cause is None:
            raise
        raise output_error(cause, path, folder=folder, outcome=outcome, option=option) from exc
