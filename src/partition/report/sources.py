"""The pack's data sources: the files used, dated by their data, with their attribution (Open Government Licence)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from partition.core.htmltext import html_text

if TYPE_CHECKING:
    pass

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Schools: Department for Education, Get Information About Schools. Boundaries: Office for National Statistics; "
    "contains Ordnance Survey data © Crown copyright and database right."
)

ATTRIBUTION_POSTCODES = (
    "Contains OS data © Crown copyright and database right 2025; Contains Royal Mail data © Royal Mail copyright "
    "and database right 2025; Contains National Statistics data © Crown copyright and database right 2025."
)
"""Attribution of OS Code-Point Open (the postcodes that place colleges and special schools), when it was read."""

SOURCE_WHAT = {
    "schools": "Schools and colleges",
    "boundaries": "District boundaries",
    "population": "Children aged 0-19 by small area: ONS mid-year population estimates",
    "population_areas": "The small areas of the population figures (boundaries)",
    "low_income": "Children in low-income families by small area: DWP/HMRC via Stat-Xplore (Hampshire JSNA summary)",
    "low_income_areas": "The small areas of the low-income figures (MSOA 2021 boundaries)",
    "establishments": "Colleges and special schools: Department for Education school list (the 2017-18 spine)",
    "codepoint": "Postcode locations of colleges and special schools: OS Code-Point Open",
    "ks5": "Students aged 16-18 of each college: Department for Education 16-18 performance tables",
}
"""What each input of the pack's data sources is, by its key in ``Dataset.sources``."""

OWN_NEED_WHAT = {
    "population": "Children aged 0-19 by area (the council's own table)",
    "population_areas": "The areas of the council's children table (boundaries)",
    "low_income": "Children in low-income families by area (the council's own table)",
    "low_income_areas": "The areas of the council's low-income table (boundaries)",
}
"""What a need table a council gives instead of the default is, in the pack's data sources."""

READ_ONLY_SOURCES = ("codepoint", "ks5")
"""Inputs read with the establishments list that ``Dataset.sources`` does not name (see :func:`source_files`)."""


def data_sources(
    files: Mapping[str, str], schools: pd.DataFrame | None = None, dates: Mapping[str, str] | None = None
) -> list[dict[str, str]]:
    """The pack's data sources: what each file is, its name, and the date the data carries.

    Parameters
    ----------
    files
        ``{"schools": path, "boundaries": path, ...}`` (``Dataset.sources``); only the file name is kept.
    schools
        The schools frame; its latest ``last_changed`` (GIAS ``LastChangedDate``) dates the schools data.
    dates
        The date each input's figures describe when known from its source, by key (the need tables':
        ``{"population": "mid-2010", "low_income": "2022/23"}``); otherwise the date in the file name.

    Returns
    -------
    list of dict
        ``what``, ``file`` and ``date`` (plain text; ``date`` empty when neither the data nor the file
        name carry one).
    """
    out = []
    for key, path in files.items():
        name = Path(str(path)).name
        date = ""
        if key == "schools" and schools is not None and "last_changed" in schools:
            latest = pd.to_datetime(schools["last_changed"]).max()
            if pd.notna(latest):
                date = f"records last changed on or before {latest:%-d %B %Y} (GIAS LastChangedDate)"
        if not date and dates and dates.get(key) and dates[key] != "date not stated":
            date = f"figures for {dates[key]}"
        if not date:
            date = name_date(name)
        what = "Schools" if key == "schools" and "establishments" in files else SOURCE_WHAT.get(key, key)
        if dates and dates.get(key.removesuffix("_areas")) == "date not stated":  # a council's own need table
            what = OWN_NEED_WHAT.get(key, what)
        out.append({"what": what, "file": name, "date": date})
    return out


def source_files(sources: Mapping[str, str], files: Mapping[str, object]) -> dict[str, str]:
    """The inputs the pack names: ``sources``, then those of :data:`READ_ONLY_SOURCES` read but not in it.

    Parameters
    ----------
    sources
        ``Dataset.sources`` (``schools``, ``boundaries``, ``establishments`` ...: key -> path).
    files
        ``Dataset.files`` (key -> :class:`partition.io.snapshot.InputRecord`, with ``path``).

    Returns
    -------
    dict of str to str
        Key -> path, for :func:`data_sources`.
    """
    out = {key: str(path) for key, path in sources.items()}
    for key in READ_ONLY_SOURCES:
        if key in files and key not in out:
            out[key] = str(files[key].path)
    return out


def attribution(sources: Sequence[Mapping[str, str]]) -> str:
    """The attribution under the data sources: :data:`ATTRIBUTION`, and :data:`ATTRIBUTION_POSTCODES` when
    Code-Point Open is among ``sources`` (:func:`data_sources`).
    """
    postcodes = any(s.get("what") == SOURCE_WHAT["codepoint"] for s in sources)
    return f"{ATTRIBUTION} {ATTRIBUTION_POSTCODES}" if postcodes else ATTRIBUTION


def name_date(name: str) -> str:
    """The date a file name carries, in words.

    Parameters
    ----------
    name
        A file or folder name.

    Returns
    -------
    str
        ``"2017/18 school year (from the file name)"`` for ``2017-2018_...``, ``"release 2025.4 (from the file
        name)"`` for ``codepoint_open_2025.4``, else the last year (``"2023 (from the file name)"``); empty when
        it has none.
    """
    school_year = re.search(r"(?<!\d)((?:19|20)\d\d)-(?:19|20)?(\d\d)(?!\d)", name)
    if school_year and int(school_year.group(2)) == (int(school_year.group(1)) + 1) % 100:
        return f"{school_year.group(1)}/{school_year.group(2)} school year (from the file name)"
    release = re.search(r"(?<!\d)((?:19|20)\d\d\.\d{1,2})(?![\d.])", name)
    if release:
        return f"release {release.group(1)} (from the file name)"
    years = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", name)
    return f"{years[-1]} (from the file name)" if years else ""


def sources_html(sources: list[dict[str, str]]) -> str:
    """The data sources as a list; a path is shown as its file name only."""
    items = []
    for s in sources:
        name = s.get("file") or Path(str(s.get("path", ""))).name
        what = f"{html_text(s['what'])}: " if s.get("what") else ""
        date = f", {html_text(s['date'])}" if s.get("date") else ""
        items.append(f"<li>{what}<code>{html_text(name)}</code>{date}</li>")
    return f"<ul>{''.join(items)}</ul>"


# --- the page ----------------------------------------------------------------------------------------
