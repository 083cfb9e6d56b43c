"""File and folder names made from data: one name, never a path, and never outside the output folder.

An LA code or name from the schools file, a configuration name or a file name a user gave becomes a
file or folder name only through :func:`safe_name` (one path component, valid on Linux, macOS and
Windows) and is joined to its output folder only through :func:`path_inside`, which refuses a
result outside that folder.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from partition.errors import PartitionError

MAX_NAME_BYTES = 100
"""Longest name :func:`safe_name` makes (UTF-8 bytes): names are combined (``side-by-side_<a>_<b>.html``,
staging folders ``.<name>-XXXX``) and must stay within :data:`MAX_COMPONENT_BYTES`."""

MAX_COMPONENT_BYTES = 255
"""Longest file or folder name the common file systems allow (UTF-8 bytes)."""

WINDOWS_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{device}{n}" for device in ("COM", "LPT") for n in (*"0123456789", "\u00b9", "\u00b2", "\u00b3")}
)
"""Device names Windows reserves, with or without an extension (``CON``, ``nul.txt``, ``COM1``, ``LPT9`` ...)."""

_UNSAFE = re.compile(r'[/\\<>:"|?*]')
"""Path separators and the characters Windows refuses in a name."""


class UnsafeNameError(PartitionError):
    """A name made from data is empty, or its path would leave the output folder."""


def _is_unsafe_character(character: str) -> bool:
    """A separator, a character Windows refuses, or a control, format or line-separator character."""
    return bool(_UNSAFE.match(character)) or (unicodedata.category(character)[0] in "CZ" and character != " ")


def _shortened(name: str, original: str) -> str:
    """``name`` cut to :data:`MAX_NAME_BYTES` with a hash of ``original`` (so that cut names stay distinct)."""
    tag = "-" + hashlib.sha256(original.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    room = MAX_NAME_BYTES - len(tag)
    head = name.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(". -")
    return head + tag


def safe_name(text: str) -> str:
    r"""``text`` as one file or folder name, safe on every platform; unchanged when it already is.

    Each run of path separators (``/``, ``\``), characters Windows refuses (``<>:"|?*``), control,
    format and line-separator characters (NUL, tab, newline, bidirectional overrides ...) becomes one
    ``-``; runs of dots become one dot (no ``..``); leading dots, hyphens and spaces and trailing dots
    and spaces are removed (no hidden file, nothing read as an option, nothing Windows trims); a
    Windows device name (``CON``, ``nul.txt``, ``COM1`` ...) gets a leading ``_``; a name longer than
    :data:`MAX_NAME_BYTES` bytes is cut and ends with a hash of ``text``.

    Parameters
    ----------
    text
        A string from data (LA code or name, configuration name ...).

    Returns
    -------
    str
        ``"850-hampshire"`` -> ``"850-hampshire"``; ``"../../escape"`` -> ``"escape"``; ``"..\x"`` -> ``"x"``;
        ``"/etc"`` -> ``"etc"``; ``"CON"`` -> ``"_CON"``; ``"a\x00b"`` -> ``"a-b"``.

    Raises
    ------
    UnsafeNameError
        When nothing usable is left (``""``, ``".."``, ``"/"``).
    """
    name = _cleaned(text)
    if not name:
        raise UnsafeNameError(
            f"{text!r} cannot be a file or folder name: nothing is left without separators, dots and control characters",
            fix="give it letters or digits",
        )
    return _shortened(name, text) if len(name.encode("utf-8")) > MAX_NAME_BYTES else name


def _cleaned(text: str) -> str:
    """``text`` without separators, refused or control characters, ``..``, leading dots or device names (any length)."""
    name = "".join("\0" if _is_unsafe_character(c) else c for c in text)
    name = re.sub("\0+", "-", name)
    name = re.sub(r"\.{2,}", ".", name)
    name = name.lstrip(". -").rstrip(". ")
    if name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_RESERVED:
        name = "_" + name
    return name


def path_inside(folder: str | Path, name: str) -> Path:
    """``folder / name`` for a name made of :func:`safe_name` parts, checked to stay inside ``folder``.

    Parameters
    ----------
    folder
        The output folder.
    name
        A file or folder name: one that :func:`safe_name` leaves as it is (but for its length, which
        may be up to :data:`MAX_COMPONENT_BYTES` bytes).

    Returns
    -------
    pathlib.Path
        ``folder / name``.

    Raises
    ------
    UnsafeNameError
        When ``name`` is not a safe name (a separator, ``..``, a device name ...), or the path,
        symbolic links resolved, is not inside ``folder``.
    """
    folder = Path(folder)
    if not name or _cleaned(name) != name or len(name.encode("utf-8")) > MAX_COMPONENT_BYTES:
        raise UnsafeNameError(
            f"{name!r} cannot be a file or folder name in {folder}",
            fix="use a name without separators, '..', leading dots, control characters or device names",
        )
    path = folder / name
    if not path.resolve().is_relative_to(folder.resolve()):
        raise UnsafeNameError(
            f"{path} would be outside the output folder {folder}", fix="remove the link, or choose another --out"
        )
    return path
