"""Local need in plain words and one table, for the consultation pack (figures from :mod:`partition.data.need`)."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from partition.core.htmltext import html_text
from partition.core.wording import counted


def one_in(pct: float) -> str:
    """A percentage as people say it: 20.4 -> "1 in 5", 16.1 -> "1 in 6", 55 -> "1 in 2", 0 -> "none".

    Parameters
    ----------
    pct
        A share, % (0-100).

    Returns
    -------
    str
    """
    if not pct or math.isnan(pct):
        return "none"
    return f"1 in {max(1, round(100 / pct))}"


def fsm_sentence(pct: float, county_pct: float | None, area: str = "county") -> str:
    """A partnership's share in words, "1 in 5 pupils eligible for free school meals, above the county's 1 in 7": the comparison is of the
    words ("1 in N"), so a partnership is "the same as" the county when both say the same.

    Parameters
    ----------
    pct
        The partnership's share, %.
    county_pct
        The study area's share, % (None: not compared).
    area
        What the study area is called (``"county"``).

    Returns
    -------
    str
    """
    said = f"{one_in(pct)} pupils eligible for free school meals"
    if county_pct is None or math.isnan(pct):
        return said
    mine, county = one_in(pct), one_in(county_pct)
    if mine == county:  # the words compare what they say, never "1 in 7, below the county's 1 in 7"
        where = "the same as"
    elif pct > county_pct:
        where = "above"
    else:
        where = "below"
    return f"{said}, {where} the {area}'s {county}"


def need_table(partnerships: pd.DataFrame, need: Mapping[str, Mapping[str, object]], numbers: list[int]) -> str:
    """The need profile of each partnership as an HTML table with its sources and dates in the caption.

    Parameters
    ----------
    partnerships
        A plan's partnerships: ``name``, ``pupils``, ``fsm``, ``fsm_pct`` and, when known, ``population``
        (children aged 0-19 living there) and ``low_income`` (children in low-income families).
    need
        ``plan.details["need"]`` (:func:`partition.data.need.need_sources`): sources, dates, county share.
    numbers
        Each partnership's number on the map, in row order.

    Returns
    -------
    str
        ``<table class='need'>``; every text from data escaped by :func:`partition.core.htmltext.html_text`.
    """
    county = need.get("fsm", {}).get("pct")
    heads = ["No. on the map", "Partnership", "Pupils eligible for free school meals"]
    has = [m for m in ("population", "low_income") if m in partnerships and m in need]
    heads += [_head(need[m]) for m in has]
    rows = []
    for number, row in zip(numbers, partnerships.itertuples()):
        cells = [
            f"<td class='num'>{number}</td><th scope='row'>{html_text(row.name)}</th>",
            f"<td class='num'>{int(row.fsm):,}&nbsp;({html_text(one_in(float(row.fsm_pct))).replace(' ', '&nbsp;')})</td>",
        ]
        cells += [f"<td class='num'>{int(getattr(row, m)):,}</td>" for m in has]
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th scope='col'>{html_text(h)}</th>" for h in heads)
    caption = "Local need in each partnership" + (
        f" (pupils eligible for free school meals: {one_in(float(county))} in the county as a whole)" if county else ""
    )
    return (
        f"<table class='need'><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _head(source: Mapping[str, object]) -> str:
    """A column heading with its date: "Children aged 0-19 living there (mid-2010)"."""
    what = str(source.get("what", ""))
    living = "living there" if "in relative" not in what else ""
    return f"{what[0].upper()}{what[1:]} {living} ({source.get('date', '')})".replace("  ", " ")


PLAIN_SOURCES = {
    "ONS mid-year population estimates": "Office for National Statistics population estimates",
    "DWP/HMRC Children in low income families (Stat-Xplore), Hampshire JSNA": "Department for Work and Pensions "
    "and HM Revenue and Customs statistics of children in low-income families, as published in Hampshire's Joint "
    "Strategic Needs Assessment",
}
"""The need sources in words for the public."""

PLAIN_AREAS = {
    "2001 LSOAs": "small areas of about 1,500 residents (2001 Lower Layer Super Output Areas)",
    "2021 MSOAs": "neighbourhoods of about 8,000 residents (2021 Middle Layer Super Output Areas)",
}
"""The statistical geographies in words for the public."""


def need_sources_text(need: Mapping[str, Mapping[str, object]]) -> list[str]:
    """One sentence per need figure: what it is, its source and date, and what the study area's total misses.

    Parameters
    ----------
    need
        ``plan.details["need"]``.

    Returns
    -------
    list of str
        Plain text, e.g. "Children aged 0-19 living there: ONS mid-year population estimates, mid-2010, by
        2001 LSOAs, shared among the partnerships by area; 311,369 in the county (11,217 more live in
        neighbouring areas the LSOAs reach into)."
    """
    out = []
    fsm = need.get("fsm")
    if fsm:
        text = (
            "Pupils eligible for free school meals: each school's published share (from the Department for "
            f"Education's list of schools, as of the schools data named below) times its pupils; {int(fsm['total']):,} "
            f"in the county's schools, {one_in(float(fsm['pct'] or 0))} pupils"
        )
        without = fsm.get("without_share") or []
        if without:
            text += f" ({counted(len(without), 'school')} without a published share, counted as none: {', '.join(map(str, without))})"
        out.append(text + ".")
    for key in ("population", "low_income"):
        s = need.get(key)
        if not s:
            continue
        gap = float(s.get("study_area_uncovered_pct", 0))
        text = (
            f"{str(s['what']).capitalize()}: {PLAIN_SOURCES.get(str(s['source']), s['source'])}, {s['date']}, by "
            f"{PLAIN_AREAS.get(str(s['areas']), s['areas'])}, shared among the partnerships by area; "
            f"{int(s['study_area_total']):,} in the area planned"
        )
        if key == "population" and str(s["date"]).endswith("2010"):
            text += " (the newest figures by small area in the data: children in homes built since are not counted)"
        if s.get("outside_study_area"):
            text += f" ({int(s['outside_study_area']):,} more live in the parts of those areas outside it)"
        if gap >= 0.1:
            text += f"; {gap:.1f} % of the area planned is not covered by the figures"
        out.append(text + ".")
    for what in need.get("missing", []):
        out.append(f"{str(what).capitalize()}: no figures cover the area planned, so none are shown.")
    return out
