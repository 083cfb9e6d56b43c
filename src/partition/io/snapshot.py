"""Input files read once into memory: what is parsed is what is hashed and recorded.

Every input (schools CSV, boundary file, unit polygons, population table) is read whole into memory
once (:func:`snapshot`); its SHA-256, size and modification time are taken from those bytes and that
read, and every reader parses the same bytes (their ``data`` argument; the path is kept for the
messages). So the manifest of ``partition run`` and the job key of ``partition batch`` name exactly
the bytes a plan was made from, even when a file is changed, replaced or deleted while partition
runs: nothing is read from the disk a second time.

A file being rewritten while it is read (its size or modification time changes during the read) is
read again, and refused with a one-line error when it does not settle. A Shapefile is several files:
its ``.shp``, ``.shx``, ``.dbf``, ``.prj`` and ``.cpg`` are read together and handed to GDAL as one
in-memory ZIP archive (stored, with fixed dates, so the same files always give the same bytes). A
folder of polygon files (wards, LSOAs) is an :class:`InputFolder` of its GIS files, in name order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from partition.errors import InputFileError

SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
"""The files of a Shapefile that GDAL reads for its features, attributes, CRS and encoding."""

GIS_SUFFIXES = frozenset({".json", ".geojson", ".gpkg", ".shp"})
"""The files of a folder of polygon files that are read (see :func:`snapshot_folder`)."""

READ_ATTEMPTS = 3
"""Reads of a file that keeps changing while it is read before it is refused."""

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
"""The date every member of a Shapefile's in-memory archive carries (the archive depends on the bytes only)."""


@dataclass(frozen=True)
class InputRecord:
    """What was read of an input, without its bytes: what the manifest records and a batch's key compares.

    Attributes
    ----------
    path
        The file or folder, as found.
    sha256
        SHA-256 (hex) of the bytes parsed: the file's own for a plain file; for a Shapefile, of its
        in-memory archive; for a folder, its files' digests joined by commas (name order).
    size
        Bytes read (all parts).
    mtime_ns
        Modification time of the file when it was read (the latest of the parts), ns since the epoch.
    parts
        ``(file name, SHA-256)`` of each file of a Shapefile or a folder, in name order; empty for a plain file.
    folder
        Whether the input is a folder of files.
    """

    path: Path
    sha256: str
    size: int
    mtime_ns: int
    parts: tuple[tuple[str, str], ...] = ()
    folder: bool = False

    @property
    def modified(self) -> str:
        """The modification date (UTC, ISO ``YYYY-MM-DD``).

        Returns
        -------
        str
        """
        return dt.datetime.fromtimestamp(self.mtime_ns / 1e9, dt.UTC).date().isoformat()


@dataclass(frozen=True)
class InputFile:
    """One input file (a Shapefile with its parts) as read: its bytes and what identifies them.

    Attributes
    ----------
    path
        The file (for a Shapefile, its ``.shp``), as given: readers name it in their messages.
    data
        The bytes every reader parses (a Shapefile: an in-memory ZIP archive of its parts).
    sha256
        SHA-256 (hex) of ``data``.
    size
        Bytes read from the disk (all parts).
    mtime_ns
        Modification time when read (the latest of the parts), ns since the epoch.
    parts
        ``(file name, SHA-256)`` of each part of a Shapefile; empty for a plain file.
    """

    path: Path
    data: bytes = field(repr=False)
    sha256: str
    size: int
    mtime_ns: int
    parts: tuple[tuple[str, str], ...] = ()

    def record(self) -> InputRecord:
        """What was read, without the bytes.

        Returns
        -------
        InputRecord
        """
        return InputRecord(self.path, self.sha256, self.size, self.mtime_ns, self.parts)


@dataclass(frozen=True)
class InputFolder:
    """A folder of polygon files as read (see :func:`snapshot_folder`).

    Attributes
    ----------
    path
        The folder.
    files
        Its GIS files (:data:`GIS_SUFFIXES`), in name order, each as read.
    """

    path: Path
    files: tuple[InputFile, ...]

    def record(self) -> InputRecord:
        """What was read, without the bytes: the files' digests joined by commas, their sizes summed.

        Returns
        -------
        InputRecord
        """
        return InputRecord(
            self.path,
            ",".join(f.sha256 for f in self.files),
            sum(f.size for f in self.files),
            max((f.mtime_ns for f in self.files), default=0),
            tuple((f.path.name, f.sha256) for f in self.files),
            folder=True,
        )


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_bytes(path: Path, *, error: type[InputFileError] = InputFileError) -> tuple[bytes, int]:
    """A whole file's bytes, read while it does not change, and its modification time.

    Parameters
    ----------
    path
        The file.
    error
        The error raised (the reader's own, e.g. :class:`~partition.errors.SchoolsFileError`).

    Returns
    -------
    data, mtime_ns
        The bytes and the modification time (ns) the file had while they were read.

    Raises
    ------
    InputFileError
        (``error``) When the file does not exist, cannot be read, or kept changing over
        :data:`READ_ATTEMPTS` reads (a file being written).
    """
    for _ in range(READ_ATTEMPTS):
        try:
            with open(path, "rb") as fh:
                before = os.fstat(fh.fileno())
                data = fh.read()
                after = os.fstat(fh.fileno())
        except FileNotFoundError:
            raise error(path, "does not exist", fix="check the path (was the file moved or deleted?)") from None
        except OSError as exc:
            raise error(
                path, f"cannot be read ({exc.strerror or exc})", fix="check the path and its permissions"
            ) from None
        if before.st_size == after.st_size == len(data) and before.st_mtime_ns == after.st_mtime_ns:
            return data, after.st_mtime_ns
    raise error(
        path,
        f"changed while it was being read ({READ_ATTEMPTS} attempts)",
        fix="wait until the file has been written completely, then run again",
    )


def shapefile_parts(path: Path) -> list[Path]:
    """The files of a Shapefile present beside its ``.shp`` (:data:`SHAPEFILE_PARTS`, any case), in name order.

    Parameters
    ----------
    path
        The ``.shp`` file.

    Returns
    -------
    list of pathlib.Path
        The ``.shp`` itself and each part found with the same stem.
    """
    try:
        siblings = list(path.parent.iterdir())
    except OSError:
        return [path]
    found = [p for p in siblings if p.stem == path.stem and p.suffix.lower() in SHAPEFILE_PARTS and p != path]
    return [path, *sorted(found, key=lambda p: p.name)]


def _archive(members: list[tuple[str, bytes]]) -> bytes:
    """A stored (uncompressed) ZIP archive of ``members`` with fixed dates: the same members, the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_DATE), data)
    return buffer.getvalue()


def snapshot(path: str | Path, *, error: type[InputFileError] = InputFileError) -> InputFile:
    """Read an input file whole, once: its bytes, their SHA-256, its size and modification time.

    Parameters
    ----------
    path
        The file; a ``.shp`` is read with its parts (:func:`shapefile_parts`).
    error
        The error raised when it cannot be read (the reader's own class).

    Returns
    -------
    InputFile
        What every reader parses and every record names.

    Raises
    ------
    InputFileError
        (``error``) When the file (or a part) does not exist, cannot be read or keeps changing while read.
    """
    path = Path(path)
    if path.suffix.lower() != ".shp":
        data, mtime = read_bytes(path, error=error)
        return InputFile(path, data, _digest(data), len(data), mtime)
    read = [(part, *read_bytes(part, error=error)) for part in shapefile_parts(path)]
    data = _archive([(part.name, content) for part, content, _ in read])
    return InputFile(
        path,
        data,
        _digest(data),
        sum(len(content) for _, content, _ in read),
        max(mtime for _, _, mtime in read),
        tuple((part.name, _digest(content)) for part, content, _ in read),
    )


def snapshot_folder(folder: str | Path, *, error: type[InputFileError] = InputFileError) -> InputFolder:
    """Read every GIS file of a folder (:data:`GIS_SUFFIXES`, a Shapefile with its parts), each once.

    Parameters
    ----------
    folder
        E.g. ``boundaries/wards_2013_by_lad/`` (one file per district).
    error
        The error raised when the folder or a file cannot be read.

    Returns
    -------
    InputFolder
        Its files in name order (possibly none: the reader says so).

    Raises
    ------
    InputFileError
        (``error``) When the folder cannot be listed or a file cannot be read.
    """
    folder = Path(folder)
    try:
        names = sorted(p for p in folder.iterdir() if p.suffix.lower() in GIS_SUFFIXES)
    except OSError as exc:
        raise error(folder, f"cannot be read ({exc.strerror or exc})", fix="check the folder") from None
    return InputFolder(folder, tuple(snapshot(p, error=error) for p in names))


def snapshot_input(path: str | Path, *, error: type[InputFileError] = InputFileError) -> InputFile | InputFolder:
    """:func:`snapshot_folder` for a folder, :func:`snapshot` for a file.

    Parameters
    ----------
    path
        A file or a folder of polygon files.
    error
        The error raised when it cannot be read.

    Returns
    -------
    InputFile or InputFolder

    Raises
    ------
    InputFileError
        (``error``) As :func:`snapshot` or :func:`snapshot_folder`.
    """
    path = Path(path)
    return snapshot_folder(path, error=error) if path.is_dir() else snapshot(path, error=error)
