"""One writer per output folder: a lock beside it, refused at once for a second writer, naming the first.

``partition plan``, ``run`` and ``batch`` hold an exclusive :func:`fcntl.flock` on ``.<name>.lock`` in
the folder that holds the output folder (``maps/`` → ``./.maps.lock``) from before they check the folder
until they have published into it. The lock file records the holder's process id, command and start time,
so a second run writing the same ``--out`` is refused in one line that names the first, instead of both
reporting success and the last silently replacing the other.

* The lock is beside the output folder, never in it: it is not part of the published outputs, of their
  marker or of a batch's file hashes, and publication (a rename of the whole folder) cannot move it.
* The system releases a ``flock`` when its process ends, however it ends (Ctrl-C, SIGTERM, SIGKILL, a
  crash): a lock file left behind by a killed process is not a stale lock; the next run takes it over.
* The holder removes the file when it is done. A waiter that opened the file just before it was removed
  checks, once it holds the lock, that the path still names the file it locked, and starts again if not
  (so two processes can never both hold "the" lock).
* Where :mod:`fcntl` does not exist (Windows) there is no lock. On a network file system ``flock`` works
  as that system's locks do (NFSv4: between machines too).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterator
from pathlib import Path

from partition.errors import OutputInUseError

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

ATTEMPTS = 5
"""Times to retry when the lock file was replaced between opening and locking it (a holder just finished)."""


def lock_path(target: str | Path) -> Path:
    """The lock file of an output folder: ``.<name>.lock`` in the folder that holds it.

    Parameters
    ----------
    target
        The output folder (need not exist).

    Returns
    -------
    pathlib.Path
        ``target.parent / f".{target.name}.lock"`` for the absolute ``target``.
    """
    target = Path(target).absolute()
    return target.parent / f".{target.name}.lock"


def _holder(fd: int) -> dict:
    """What the holder of the lock recorded in the file (``{}`` while it has not written it yet)."""
    with contextlib.suppress(OSError, ValueError):
        os.lseek(fd, 0, os.SEEK_SET)
        data = json.loads(os.read(fd, 65536).decode("utf-8"))
        if isinstance(data, dict):
            return data
    return {}


def _in_use(target: Path, holder: dict) -> OutputInUseError:
    known = [f"process {holder['pid']}" if holder.get("pid") else ""]
    known += [f"`{holder['command']}`" if holder.get("command") else ""]
    known += [f"started {holder['started']}" if holder.get("started") else ""]
    who = ", ".join(k for k in known if k) or "its details not yet recorded"
    return OutputInUseError(
        f"output folder {target} is being written by another partition run ({who}); "
        "two runs writing one folder would replace each other's outputs",
        fix="wait for that run to finish (or stop it), or choose another --out",
    )


def _same_file(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd`` (not removed or replaced since it was opened)."""
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _record(fd: int, command: str) -> None:
    """Write who holds the lock into the lock file."""
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    text = json.dumps({"pid": os.getpid(), "command": command, "started": started}) + "\n"
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text.encode("utf-8"))


def _acquire(path: Path, target: Path) -> int:
    """Open ``path`` and hold an exclusive lock on it; the open file descriptor."""
    for _ in range(ATTEMPTS):
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            os.close(fd)
            raise _in_use(target, holder) from None
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, path):
            return fd
        os.close(fd)  # the holder removed it as we opened it: lock the file now at the path
    raise _in_use(target, {})


@contextlib.contextmanager
def output_lock(target: str | Path, command: str = "") -> Iterator[Path]:
    """Hold the lock of an output folder while inside; refuse at once when another process holds it.

    Parameters
    ----------
    target
        The output folder; the folder that holds it must exist.
    command
        The command writing it, recorded for a second writer's message.

    Yields
    ------
    pathlib.Path
        The lock file (removed on exit).

    Raises
    ------
    OutputInUseError
        When another process holds the lock: names its process id, command and start time.
    OSError
        When the lock file cannot be created or written (the caller reports the output location).
    """
    target = Path(target).absolute()
    path = lock_path(target)
    if fcntl is None:  # pragma: no cover - not POSIX
        yield path
        return
    fd = _acquire(path, target)
    try:
        _record(fd, command)
        yield path
    finally:
        if _same_file(fd, path):
            with contextlib.suppress(OSError):
                path.unlink()  # while still holding it: a waiter that opened it sees it gone and starts again
        os.close(fd)
