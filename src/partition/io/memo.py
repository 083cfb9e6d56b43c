"""Parsing each input once per process, while its bytes are unchanged.

Planning many LAs from one England schools file and one boundary file (``partition batch``), or
re-planning in a notebook, would otherwise parse and repair the same 11 MB CSV and 326 district
polygons again for every LA. :func:`read_once` remembers what a reader returned for a file, keyed
by the file's path, the SHA-256 of the bytes parsed (:mod:`partition.io.snapshot`) and the reader's
options, and hands out a copy, so a changed file is parsed again, a result is never attributed to
bytes other than those it was parsed from, and no caller can alter what another receives. The warnings
the first read issued are issued again on every reuse, so a reused result reports exactly what a
fresh read would. A reader that raises is not remembered (the next call reads again).

Each process has its own memory: the workers of a process pool or a Dask cluster each read a file
once.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from partition.errors import InputFileError
from partition.io.snapshot import snapshot

T = TypeVar("T")

KEPT = 4
"""Results remembered per reader (the least recently used is forgotten first)."""


def read_once(reader: Callable[..., T]) -> Callable[..., T]:
    """Decorate ``reader(path, *, data, **options)`` so that the same bytes are parsed once per process.

    The decorated reader takes ``data`` (the file's bytes, from :func:`partition.io.snapshot.snapshot`)
    or reads the file itself once when it is not given; the reader always parses ``data``. A file that
    cannot be read is left to the reader (``data=None``), whose own error names the file and the fix.

    Parameters
    ----------
    reader
        A function whose first argument is a file path (kept for its messages), with a keyword ``data``
        (the bytes to parse) and other hashable options; its result is copied (``copy.deepcopy``) for
        each caller.

    Returns
    -------
    callable
        The reader, remembering its last :data:`KEPT` results by path, SHA-256 of the bytes and options;
        ``.forget()`` clears them.
    """
    kept: OrderedDict[tuple, tuple[Any, list[warnings.WarningMessage]]] = OrderedDict()
    lock = threading.Lock()  # threads of one process (a Dask worker's) read a file once, one at a time

    @functools.wraps(reader)
    def wrapper(path: str | Path, *args: Any, data: bytes | None = None, **options: Any) -> T:
        if data is None:
            try:
                data = snapshot(path).data
            except InputFileError:
                return reader(path, *args, data=None, **options)  # missing or unreadable: the reader says so
        key = (str(path), hashlib.sha256(data).hexdigest(), args, tuple(sorted(options.items())))
        with lock:
            if key not in kept:
                with warnings.catch_warnings(record=True) as issued:
                    warnings.simplefilter("always")
                    value = reader(path, *args, data=data, **options)
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
