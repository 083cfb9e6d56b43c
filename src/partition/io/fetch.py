"""Downloading the official input files into the git-ignored ``data/`` cache.

``partition fetch`` downloads

* the DfE GIAS all-establishments CSV (``edubasealldataYYYYMMDD.csv``, published
  daily) to ``schools/edubasealldata.csv``;
* the ONS Local Authority Districts (December 2023) generalised boundaries for
  the UK as GeoJSON (WGS84) to ``boundaries/lad_2023_bgc.geojson``;
* OS Code-Point Open (postcode unit Easting/Northing for Great Britain, from the OS
  Data Hub) as its ZIP archive to ``boundaries/codepo_gb.zip``, read as it is by
  :func:`partition.io.codepoint.read_codepoint`.

Each file is checked after download (a GIAS header with ``URN``; a readable
polygon layer with LAD codes) and recorded with its SHA-256 in
``MANIFEST.json``. Files are written atomically: a failed download leaves
nothing behind. ``base_url`` redirects every download to another server (used
by the tests, with a server on 127.0.0.1, and for mirrors): a mirror serves
``edubasealldataYYYYMMDD.csv`` and :data:`LAD_MIRROR_NAME` at its root.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from partition.core.faults import writing
from partition.errors import FetchError, PartitionError
from partition.io.datapaths import cache_dir

GIAS_URL = "https://ea-edubase-api-prod.azurewebsites.net/edubase/downloads/public/edubasealldata{date}.csv"
LAD_URL = (
    "https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
    "Local_Authority_Districts_December_2023_Boundaries_UK_BGC/FeatureServer/0/query"
    "?where=1%3D1&outFields=LAD23CD,LAD23NM&outSR=4326&f=geojson"
)
LAD_MIRROR_NAME = "Local_Authority_Districts_December_2023_Boundaries_UK_BGC.geojson"
CODEPOINT_URL = "https://api.os.uk/downloads/v1/products/CodePointOpen/downloads?area=GB&format=CSV&redirect"
CODEPOINT_MIRROR_NAME = "codepo_gb.zip"


@dataclass(frozen=True)
class Remote:
    """One downloadable file: where it comes from and where it goes in the cache."""

    name: str
    url: str
    mirror_name: str
    target: str
    check: Callable[[Path], None]


def _check_gias(path: Path) -> None:
    with path.open("rb") as fh:
        head = fh.read(4096).decode("cp1252", errors="replace")
    first = head.splitlines()[0] if head else ""
    if "URN" not in first:
        raise FetchError(f"{path.name}: downloaded file is not a GIAS CSV (no URN column in its header)")


def _check_boundaries(path: Path) -> None:
    from partition.io.boundaries import read_boundaries

    try:
        read_boundaries(path)
    except PartitionError as exc:
        raise FetchError(f"downloaded boundary file is not usable: {exc}") from None


def _check_codepoint(path: Path) -> None:
    from partition.io.codepoint import read_codepoint

    try:
        read_codepoint(path, postcodes=["SO14 0AA"])
    except PartitionError as exc:
        raise FetchError(f"downloaded Code-Point Open archive is not usable: {exc}") from None


def remotes(date: dt.date | None = None) -> list[Remote]:
    """The official files, GIAS dated ``date`` (default today).

    Parameters
    ----------
    date
        The date of the GIAS ``edubasealldata<YYYYMMDD>.csv`` extract to download; today by default.

    Returns
    -------
    list of Remote
        The GIAS all-schools CSV (DfE Get Information About Schools), the ONS local authority
        district boundaries (December 2023, generalised, GeoJSON) and OS Code-Point Open (ZIP), each
        with its URL, mirror file name, place in the cache and the check its download must pass.
    """
    stamp = (date or dt.date.today()).strftime("%Y%m%d")
    return [
        Remote(
            "gias", GIAS_URL.format(date=stamp), f"edubasealldata{stamp}.csv", "schools/edubasealldata.csv", _check_gias
        ),
        Remote("lad2023", LAD_URL, LAD_MIRROR_NAME, "boundaries/lad_2023_bgc.geojson", _check_boundaries),
        Remote("codepoint", CODEPOINT_URL, CODEPOINT_MIRROR_NAME, "boundaries/codepo_gb.zip", _check_codepoint),
    ]


def sha256(path: Path) -> str:
    """SHA-256 of a file, hex.

    Parameters
    ----------
    path
        The file, read in 1 MiB blocks.

    Returns
    -------
    str
        The 64-character lower-case hex digest.

    Raises
    ------
    OSError
        When the file cannot be read.
    """
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    dest: str | Path | None = None,
    *,
    base_url: str | None = None,
    date: dt.date | None = None,
    force: bool = False,
    timeout: float = 120.0,
    only: list[str] | None = None,
) -> list[dict[str, object]]:
    """Download the official files into ``dest`` (default: the ``data/`` cache).

    Returns one record per file (name, url, path, sha256, bytes, skipped) and
    writes them to ``dest/MANIFEST.json``.

    Parameters
    ----------
    dest
        The folder to download into (files go to ``schools/`` and ``boundaries/`` in it);
        default :func:`partition.io.datapaths.cache_dir`.
    base_url
        A mirror holding the files under their mirror names, used instead of the official URLs.
    date
        The date of the GIAS extract (see :func:`remotes`).
    force
        Download again files already present (otherwise they are kept and marked ``skipped``).
    timeout
        Seconds to wait for each connection.
    only
        Names of the files to fetch (``"gias"``, ``"lad2023"``, ``"codepoint"``); default all.

    Returns
    -------
    list of dict
        Per file: ``name``, ``url``, ``path``, ``sha256``, ``bytes`` and ``skipped`` (True when
        it was already there).

    Raises
    ------
    FetchError
        Naming the URL, when a download fails or the file does not check out (empty, a GIAS
        file without a URN column, a boundary file that cannot be read); the partial
        download is removed and a file already at the target is left as it was.
    OutputError
        When a file cannot be written into ``dest`` (no space left on device, permission denied ...),
        naming it; the partial download is removed.
    """
    dest = Path(dest) if dest else cache_dir()
    records = []
    chosen = [r for r in remotes(date) if not only or r.name in only]
    for remote in chosen:
        url = f"{base_url.rstrip('/')}/{remote.mirror_name}" if base_url else remote.url
        target = dest / remote.target
        if target.exists() and not force:
            records.append(
                {
                    "name": remote.name,
                    "url": url,
                    "path": str(target),
                    "sha256": sha256(target),
                    "bytes": target.stat().st_size,
                    "skipped": True,
                }
            )
            continue
        with writing(target, option="--dest"):
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as tmp:
                tmp_path = Path(tmp.name)
        try:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as response:
                    _save(response, tmp_path, target)
            except urllib.error.HTTPError as exc:
                raise FetchError(
                    f"download of {url} failed: HTTP {exc.code} {exc.reason}",
                    fix="check the address or try again later (GIAS files are dated; pass --date)",
                ) from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                raise FetchError(
                    f"download of {url} failed: {reason}",
                    fix="check the network connection or use --base-url for a mirror",
                ) from None
            if tmp_path.stat().st_size == 0:
                raise FetchError(f"download of {url} returned an empty file")
            checked = tmp_path.with_name(target.name + ".check" + target.suffix)
            with writing(target, option="--dest"):
                tmp_path.rename(checked)
            tmp_path = checked
            remote.check(tmp_path)
            with writing(target, option="--dest"):
                tmp_path.replace(target)
        finally:
            with contextlib.suppress(OSError):
                tmp_path.unlink(missing_ok=True)
        records.append(
            {
                "name": remote.name,
                "url": url,
                "path": str(target),
                "sha256": sha256(target),
                "bytes": target.stat().st_size,
                "skipped": False,
            }
        )
    manifest = dest / "MANIFEST.json"
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with writing(manifest, option="--dest"):
        dest.mkdir(parents=True, exist_ok=True)
        manifest.write_text(json.dumps({"fetched": stamp, "files": records}, indent=2) + "\n")
    return records


DOWNLOAD_CHUNK = 1 << 20
"""Bytes read from the network and written to disk at a time."""


def _save(response: BinaryIO, path: Path, target: Path) -> None:
    """Copy a download into ``path``; a failed write (not a failed read) is an :class:`OutputError` naming ``target``.

    Parameters
    ----------
    response
        The open download.
    path
        The temporary file to write.
    target
        The file it becomes (named in the error).

    Raises
    ------
    OutputError
        When writing fails (no space left on device, permission denied ...).
    OSError
        When reading from the network fails (the caller reports the download).
    """
    with writing(target, option="--dest"):
        out = path.open("wb")
    with contextlib.ExitStack() as stack:
        stack.callback(_close_quietly, out)
        while chunk := response.read(DOWNLOAD_CHUNK):
            with writing(target, option="--dest"):
                out.write(chunk)
        with writing(target, option="--dest"):
            out.close()


def _close_quietly(handle: BinaryIO) -> None:
    with contextlib.suppress(OSError):
        handle.close()
