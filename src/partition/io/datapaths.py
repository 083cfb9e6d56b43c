"""Where input data is found.

One rule, in this order:

1. an explicit path given by the caller (``--schools``, ``--boundaries``, ...);
2. the folder named by the ``PARTITION_DATA`` environment variable;
3. ``../shared/data`` beside the checkout (the project root's parent), when it exists;
4. the git-ignored ``data/`` cache in the project root, filled by ``partition fetch``.

Relative file names (``schools/x.csv``) are resolved against the data folder
chosen by steps 2-4.
"""

from __future__ import annotations

import os
from pathlib import Path

from partition.errors import DataLocationError

ENV_VAR = "PARTITION_DATA"
CACHE_ENV_VAR = "PARTITION_CACHE"

DEFAULT_LA_CODES = ("850",)
"""Hampshire County Council's DfE LA code."""

#: Default inputs, relative to the data folder, first match wins: the shared
#: Hampshire extracts, then what ``partition fetch`` downloads.
HAMPSHIRE_SCHOOLS = ("schools/gias_2022_hampshire_850_open_primary_secondary.csv", "schools/edubasealldata.csv")
HAMPSHIRE_BOUNDARIES = ("boundaries/hampshire_districts_lad2023.geojson", "boundaries/lad_2023_bgc.geojson")
ENGLAND_SCHOOLS = ("schools/gias_2022_england_open_primary_secondary.csv", "schools/edubasealldata.csv")
ENGLAND_BOUNDARIES = ("boundaries/topo_lad_eng_2013.json", "boundaries/lad_2023_bgc.geojson")

#: Hampshire's colleges and special schools when its schools file has none (the shared GIAS extracts hold
#: primary and secondary schools only): the DfE school list 2017-18, located with Code-Point Open, colleges'
#: 16-18 students from the 2023/24 performance tables. Used only when present.
HAMPSHIRE_ESTABLISHMENTS = "schools/source/dfe_spine_2017-18/2017-2018_england_spine.xlsx"
CODEPOINT = ("boundaries/codepoint_open_2025.4", "boundaries/codepo_gb.zip")
KS5 = "schools/source/dfe_ks5final/2023-2024_england_ks5final.csv.gz"


NEED_FILES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "population": (
        "population/lsoa2001_mye2010_age_imd2010_hampshire.csv",
        "boundaries/lsoa2001_hants_simplify0.75.topo.json",
        ("850", "851", "852"),
    ),
    "low_income": (
        "population/msoa2021_hampshire_indicators.csv",
        "boundaries/msoa2021_hampshire.geojson",
        ("850",),
    ),
}
"""Need data (:mod:`partition.data.need`) by measure: the table, its areas and the DfE LA codes it covers
(children 0-19, mid-2010, for Hampshire, Southampton and Portsmouth; children in low-income families,
2022/23, for Hampshire)."""


def default_need(la_codes: tuple[str, ...], folder: str | Path | None = None) -> dict[str, tuple[str, str]]:
    """The need tables (and their areas) that cover the LAs, when present in the data folder.

    Parameters
    ----------
    la_codes
        DfE LA codes of the study area.
    folder
        The data folder (see :func:`data_dir`).

    Returns
    -------
    dict
        Measure (``"population"``, ``"low_income"``) -> ``(table, areas)`` relative to the data folder, for
        each of :data:`NEED_FILES` covering every LA asked for; empty when none does.
    """
    base = data_dir(folder)
    return {
        measure: (table, areas)
        for measure, (table, areas, covered) in NEED_FILES.items()
        if set(la_codes) <= set(covered) and (base / table).is_file() and (base / areas).is_file()
    }


def default_establishments(la_codes: tuple[str, ...], folder: str | Path | None = None) -> dict[str, str] | None:
    """The default list of colleges and special schools, with its postcode and student files, when present.

    Parameters
    ----------
    la_codes
        DfE LA codes; only Hampshire's ``("850",)`` has a default (as :func:`default_inputs`).
    folder
        The data folder (see :func:`data_dir`).

    Returns
    -------
    dict or None
        ``{"establishments": ..., "codepoint": ..., "ks5": ...}`` relative to the data folder (``ks5`` left out
        when missing), or None when not Hampshire or the list or Code-Point Open is not in the data folder.
    """
    if tuple(la_codes) != DEFAULT_LA_CODES:
        return None
    base = data_dir(folder)
    codepoint = next((c for c in CODEPOINT if (base / c).exists()), None)
    if not (base / HAMPSHIRE_ESTABLISHMENTS).is_file() or codepoint is None:
        return None
    found = {"establishments": HAMPSHIRE_ESTABLISHMENTS, "codepoint": codepoint}
    if (base / KS5).is_file():
        found["ks5"] = KS5
    return found


def default_inputs(la_codes: tuple[str, ...], folder: str | Path | None = None) -> tuple[str, str]:
    """Default schools and boundary files for the LA codes (Hampshire extracts for 850).

    Returns the first candidate present in the data folder, else the first candidate
    (so that the error message names the expected file).

    Parameters
    ----------
    la_codes
        DfE LA codes; exactly ``("850",)`` (Hampshire) selects the Hampshire extracts,
        anything else the England-wide files.
    folder
        The data folder (see :func:`data_dir`).

    Returns
    -------
    tuple of str
        ``(schools, boundaries)``: paths relative to the data folder, e.g.
        ``schools/gias_2022_hampshire_850_open_primary_secondary.csv`` (GIAS) and
        ``boundaries/hampshire_districts_lad2023.geojson`` (ONS LAD 2023).

    Raises
    ------
    DataLocationError
        When ``folder`` or ``$PARTITION_DATA`` names a folder that does not exist.
    """
    hampshire = tuple(la_codes) == DEFAULT_LA_CODES
    base = data_dir(folder)
    chosen = []
    for candidates in (
        HAMPSHIRE_SCHOOLS if hampshire else ENGLAND_SCHOOLS,
        HAMPSHIRE_BOUNDARIES if hampshire else ENGLAND_BOUNDARIES,
    ):
        chosen.append(next((c for c in candidates if (base / c).exists()), candidates[0]))
    return chosen[0], chosen[1]


def project_root() -> Path:
    """Return the project root: the checkout holding ``pyproject.toml``, else the working folder."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "pyproject.toml").is_file() and (parent / "src" / "partition").is_dir():
            return parent
    cwd = Path.cwd().resolve()
    for parent in (cwd, *cwd.parents):
        if (parent / "pyproject.toml").is_file() and (parent / "src" / "partition").is_dir():
            return parent
    return cwd


def cache_dir() -> Path:
    """Return the download cache folder (``PARTITION_CACHE`` or ``<project root>/data``)."""
    env = os.environ.get(CACHE_ENV_VAR)
    return Path(env) if env else project_root() / "data"


def data_dir(explicit: str | Path | None = None) -> Path:
    """Resolve the data folder by the documented rule.

    Parameters
    ----------
    explicit
        A folder given by the caller; wins over everything else.

    Returns
    -------
    Path
        An existing folder.

    Raises
    ------
    DataLocationError
        If the chosen folder does not exist.
    """
    if explicit is not None:
        path = Path(explicit)
        if not path.is_dir():
            raise DataLocationError(f"data folder {path} does not exist", fix="pass an existing folder")
        return path
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env)
        if not path.is_dir():
            raise DataLocationError(
                f"{ENV_VAR}={env} is not a folder",
                fix=f"point {ENV_VAR} at a folder holding schools/ and boundaries/, or unset it",
            )
        return path
    shared = project_root().parent / "shared" / "data"
    if shared.is_dir():
        return shared
    return cache_dir()


def resolve(name: str | Path, folder: str | Path | None = None) -> Path:
    """Resolve an input file name.

    Absolute paths and paths that exist relative to the working folder are
    returned unchanged; anything else is looked up in :func:`data_dir`.

    Parameters
    ----------
    name
        A file name: absolute, relative to the working folder, or relative to the data folder
        (``schools/x.csv``).
    folder
        The data folder (see :func:`data_dir`).

    Returns
    -------
    pathlib.Path
        A path to an existing file.

    Raises
    ------
    DataLocationError
        If the file cannot be found, with the places that were searched.
    """
    path = Path(name)
    if path.is_absolute() or path.exists():
        if not path.exists():
            raise DataLocationError(f"input file {path} does not exist", fix="check the path")
        return path
    base = data_dir(folder)
    candidate = base / path
    if candidate.exists():
        return candidate
    raise DataLocationError(
        f"input file {name} not found in the working folder nor in the data folder {base}",
        fix=f"give a full path, set {ENV_VAR}, or run 'partition fetch' to download the official files",
    )
