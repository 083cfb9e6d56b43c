"""Reading each input file once per process, while its bytes are unchanged.

Planning many LAs from one England schools file and one boundary file (``partition batch``), or
re-planning in a notebook, would otherwise parse and repair the same 11 MB CSV and 326 district
polygons again for every LA. :func:`read_once` remembers what a reader returned for a file, keyed
by the file's path, size, modification time and inode and the reader's options, and hands out a
copy, so a changed file is read again and no caller can alter what another receives. The warnings
the first read issued are issued again on every reuse, so a reused result reports exactly what a
fresh read would. A reader that raises is not remembered (the next call reads again).

Each process has its own memory: the workers of a process pool or a Dask cluster each read a file
once.
"""

from __future__ import annotations

import copy
import functools
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

KEPT = 4
"""Results remembered per reader (the least recently used is forgotten first)."""


def file_identity(path: str | Path) -> tuple[str, int, int, int]:
    """What tells one version of a file from another without reading it.

    Parameters
    ----------
    path
        A file.

    Returns
    -------
    tuple
        Resolved path, size (bytes), modification time (ns) and inode.

    Raises
    ------
    OSError
        When the file cannot be examined (the reader's own error is clearer: callers let it read).
    """
    resolved = Path(path).resolve()
    stat = resolved.stat()
    return str(resolved), stat.st_size, stat.st_mtime_ns, stat.st_ino


def read_once(reader: Callable[..., T]) -> Callable[..., T]:
    """Decorate ``reader(path, **options)`` so that an unchanged file is read once per process.

    Parameters
    ----------
    reader
        A function whose first argument is a file path and whose other arguments are hashable
        options; its result is copied (``copy.deepcopy``) for each caller.

    Returns
    -------
    callable
        The reader, remembering its last :data:`KEPT` results; ``.forget()`` clears them.
    """
    kept: OrderedDict[tuple, tuple[Any, list[warnings.WarningMessage]]] = OrderedDict()
    lock = threading.Lock()  # threads of one process (a Dask worker's) read a file once, one at a time

    @functools.wraps(reader)
    def wrapper(path: str | Path, *args: Any, **options: Any) -> T:
        try:
            key = (file_identity(path), args, tuple(sorted(options.items())))
        except OSError:
            return reader(path, *args, **options)  # missing or unreadable: the reader says so
        with lock:
            if key not in kept:
                with warnings.catch_warnings(record=True) as issued:
                    warnings.simplefilter("always")
                    value = reader(path, *args, **options)
                kept[key] = (value, list(issued))
                while len(kept) > KEPT:
                    kept.popitem(last=False)
            kept.move_to_end(key)
            value, issued = kept[key]
            result = copy.deepcopy(value)
        for w in issued:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        return result

    wrapper.forget = kept.clear  # type: ignore[attr-defined]
    return wrapper
