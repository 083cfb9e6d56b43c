"""The pack's comparison tables: the public measures in plain words, and the analysts' measures with their definitions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import pandas as pd

from partition.analysis.agreement import partners_kept
from partition.analysis.columns import COLUMNS, ENSEMBLE_METRICS, Column, columns_of, rank_key
from partition.analysis.recommend import recommend_plans
from partition.core.htmltext import html_text
from partition.core.wording import counted
from partition.model.plan import Plan

if TYPE_CHECKING:
    pass

CURRENT_SOLVER = "districts"
"""``Plan.solver`` of the current arrangement (:func:`partition.planning.planner.district_plan`): shown for comparison, not proposed."""


# Okabe–Ito colours (distinguishable with every common colour-vision deficiency), darkened where text needs 4.5:1.
def plain_title(plan: Plan) -> str:
    """The configuration as readers know it, e.g. ``"23 partnerships (proposal for consultation)"``.

    Parameters
    ----------
    plan
        A configuration named by the planner (``k23-ignore``; an alternative says so in
        ``plan.alternative``), the current arrangement (:data:`CURRENT_SOLVER`), or any other plan (its name is kept).

    Returns
    -------
    str
        ``"23 partnerships (proposal for consultation)"``, ``"23 partnerships (alternative 1)"``,
        ``"23 partnerships within districts (for comparison, pupils within ±35% of the average)"`` (mode nest),
        ``"Current arrangement: 11 district partnerships"``, or the plan's name.
    """
    if plan.solver == CURRENT_SOLVER:
        return f"Current arrangement: {counted(plan.k, 'district partnership')}"
    if plan.alternative is not None:
        return f"{counted(plan.k, 'partnership')} (alternative {plan.alternative})"
    if re.fullmatch(rf"k{plan.k}-[A-Za-z]+(?:-[A-Za-z0-9_.]+)*", plan.name) is None:
        return plan.name
    if plan.details.get("family"):
        from partition.report.maps.views import plan_title

        return plan_title(plan)
    return f"{counted(plan.k, 'partnership')} (proposal for consultation)"


def plain_titles(plans: Iterable[Plan]) -> dict[str, str]:
    """``{name: title}`` (see :func:`plain_title`); titles two plans would share get the name added.

    Parameters
    ----------
    plans
        The configurations of the pack.

    Returns
    -------
    dict of str to str
        Each plan's name -> its :func:`plain_title`; a title shared by two or more plans becomes
        ``"<title> – <name>"`` (unless the title is the name itself), so every title is told apart.
    """
    plans = list(plans)
    titles = {p.name: plain_title(p) for p in plans}
    shared = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    return {n: f"{t} – {n}" if t in shared and t != n else t for n, t in titles.items()}


def title_cell(name: str, titles: Mapping[str, str]) -> str:
    """A configuration's title, with its folder name under it when they differ."""
    title = titles.get(name, name)
    code = f"<span class='code unit'>{html_text(name)}</span>" if title != name else ""
    return f"{html_text(title)}{code}"


MEETS_RULES = Column(
    "meets_rules", "meets the rules", "", "yes when the configuration meets every rule of its specification."
)
"""The pack's plain version of ``status``."""

PUBLIC: tuple[Column, ...] = (
    Column("k", "partnerships", "", "How many partnerships the county is divided into.", decimals=0),
    MEETS_RULES,
    Column(
        "schools_range",
        "schools per partnership",
        "fewest to most",
        "Schools in the smallest and the largest partnership.",
    ),
    Column(
        "max_abs_deviation",
        "largest size difference",
        "% from the average",
        "How far the partnership furthest from the average number of pupils is from that average (pupils in "
        "schools; colleges and special schools not counted).",
        scale=100,
        decimals=0,
    ),
    Column(
        "near_limit",
        "near a size limit",
        "partnerships",
        "Partnerships less than 1 % of the average from the smallest or largest number of pupils allowed: the "
        "next count of pupils may take them outside the rules.",
        decimals=0,
    ),
    Column(
        "robustness",
        "still within the rules if rolls change",
        "% of cases",
        "In how many of 500 trials, each giving every school a different change of up to 3 % either way in its "
        "number of pupils, every partnership stays within the rules: higher means the configuration will last.",
        scale=100,
        decimals=0,
    ),
    Column(
        "wdist_km",
        "average travel distance",
        "km",
        "The average straight-line distance from a school to the middle of its partnership, counting each pupil "
        "once: smaller means more compact partnerships.",
        decimals=2,
    ),
    Column(
        "settlements_divided",
        "towns and villages divided",
        "places",
        "Towns and villages with two or more schools whose schools would be in more than one partnership, although "
        "they are small enough for one.",
        decimals=0,
    ),
    Column(
        "districts_whole",
        "districts kept whole",
        "districts",
        "Districts all of whose partnerships lie inside the district: a district may hold several partnerships, "
        "but none of them reaches into another district.",
        decimals=0,
    ),
    Column(
        "partners_kept",
        "today's partners kept",
        "% on average",
        "For each school, the share of the schools in its partnership today that would still be in its partnership, "
        "averaged over all schools: higher means less change for schools that already work together. With about "
        "twice as many partnerships as today, each of today's is shared out, so about half is already a high figure.",
        scale=100,
        decimals=0,
    ),
)
"""The public comparison: plain measures only (keys of :func:`public_table`)."""

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Size and distance",
        (
            "k",
            "meets_rules",
            "contiguous",
            "wdist_km",
            "hub_km",
            "max_abs_deviation",
            "mean_abs_deviation",
            "min_schools",
            "max_schools",
            "anchors_missing",
        ),
    ),
    (
        "Shape, districts and change",
        (
            "mean_polsby_popper",
            "mean_reock",
            "cut_edges",
            "districts_divided",
            "district_splits",
            "partnerships_spanning_districts",
            "districts_whole",
            "schools_moved",
            "ari",
            "vi",
        ),
    ),
    ("Headroom and communities", ("near_limit", "robustness", "feeder_pairs_split", "settlements_divided")),
    ("Colleges and special schools", ("without_college", "without_special")),
    ("Local need", ("fsm_spread", "children_max_deviation", "low_income_max_deviation")),
    ("Against random valid plans", (*(rank_key(m) for m in ENSEMBLE_METRICS), "rank_note")),
)
"""The analysts' tables (appendix): caption and columns (keys of :func:`partition.analysis.compare.scorecard`)."""

LEFT_OUT = ("status", "violations")
"""Scorecard columns the pack shows otherwise (``meets the rules``, the warnings)."""


def _cell(column: Column, value: object) -> str:
    """A table cell: the value in its column's unit and decimals (thousands separated), blank when missing."""
    shown = column.shown(value)
    if shown is None or shown == "":
        return "<td></td>"
    if isinstance(shown, bool | str):
        return f"<td>{html_text(shown)}</td>"
    if isinstance(shown, float):
        text = f"{shown:,.{column.decimals if column.decimals is not None else 3}f}"
    else:
        text = f"{shown:,}"
    return f"<td class='num'>{html_text(text)}</td>"


def _heading(column: Column) -> str:
    """A column heading: the label, then its unit on a line of its own."""
    unit = f"<span class='unit'>({html_text(column.unit)})</span>" if column.unit else ""
    return f"<th scope='col'>{html_text(column.label[:1].upper() + column.label[1:])}{unit}</th>"


def scroll_box(inner: str, label: str, hint: bool = True) -> str:
    """A table in its own horizontally scrolling box (a shadow at the edge that hides columns), with a
    written cue shown on narrow screens when ``hint`` (tables too wide for a phone).
    """
    cue = "<p class='hint' aria-hidden='true'>Swipe sideways to see every column →</p>" if hint else ""
    return f"{cue}<div class='scroll' role='region' tabindex='0' aria-label='{html_text(label)}'>{inner}</div>"


def public_table(plans: list[Plan], table: pd.DataFrame) -> pd.DataFrame:
    """The public comparison's figures for each configuration of ``table`` (see :data:`PUBLIC`).

    Parameters
    ----------
    plans
        The configurations; the current arrangement (:data:`CURRENT_SOLVER`), when among them, is what
        "today's partners kept" is counted from.
    table
        Their :func:`partition.analysis.compare.scorecard`.

    Returns
    -------
    pandas.DataFrame
        Index as ``table``; the keys of :data:`PUBLIC` that can be filled (``partners_kept`` only with a
        current arrangement).
    """
    out = pd.DataFrame(index=table.index)
    for key in (
        "k",
        "max_abs_deviation",
        "near_limit",
        "robustness",
        "wdist_km",
        "settlements_divided",
        "districts_whole",
    ):
        if key in table.columns:
            out[key] = table[key]
    if "status" in table.columns:
        out[MEETS_RULES.key] = [s in ("optimal", "feasible") for s in table["status"]]
    if {"min_schools", "max_schools"} <= set(table.columns):
        out["schools_range"] = [
            f"{int(lo)} to {int(hi)}" if pd.notna(lo) and pd.notna(hi) else ""
            for lo, hi in zip(table["min_schools"], table["max_schools"])
        ]
    current = next((p for p in plans if p.solver == CURRENT_SOLVER), None)
    by_name = {p.name: p for p in plans}
    if current is not None:
        out["partners_kept"] = [partners_kept(current, by_name[n]) if n in by_name else None for n in out.index]
    return out[[c.key for c in PUBLIC if c.key in out.columns]]


def public_comparison_html(plans: list[Plan], table: pd.DataFrame, titles: Mapping[str, str]) -> str:
    """The public comparison table and what its measures mean (plain words; no folder names).

    Parameters
    ----------
    plans
        The configurations (see :func:`public_table`; the current arrangement, when among them,
        is what "today's partners kept" is counted from).
    table
        Their :func:`partition.analysis.compare.scorecard` (index: configuration names).
    titles
        ``{configuration name: title}`` for the row headings (a name not in it is shown as it is).

    Returns
    -------
    str
        HTML: the table (``class='scorecard'``, one row per configuration, the :data:`PUBLIC`
        columns it can fill) in a scrolling box, then "What the figures mean" with each column's
        definition; every text from data goes through ``html_text``.
    """
    figures = public_table(plans, table)
    columns = [c for c in PUBLIC if c.key in figures.columns]
    head = "<th scope='col'>Configuration</th>" + "".join(_heading(c) for c in columns)
    recommended = {r.name for r in recommend_plans(plans, table, titles)}
    rows = "".join(
        f"<tr><th scope='row'>{html_text(titles.get(str(name), str(name)))}"
        + (" <strong class='rec'>(recommended)</strong>" if str(name) in recommended else "")
        + "</th>"
        + "".join(_cell(c, figures.at[name, c.key]) for c in columns)
        + "</tr>"
        for name in figures.index
    )
    caption = "The configurations compared"
    body = (
        f"<table class='scorecard'><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
    terms = "".join(
        f"<dt>{html_text(c.label[:1].upper() + c.label[1:])}</dt><dd>{html_text(c.definition)}</dd>" for c in columns
    )
    return f"{scroll_box(body, caption)}<h3>What the figures mean</h3><dl class='legend'>{terms}</dl>"


def recommended_html(plans: list[Plan], table: pd.DataFrame, titles: Mapping[str, str]) -> str:
    """Which option is recommended for each number of partnerships, and why (:mod:`partition.analysis.recommend`).

    Parameters
    ----------
    plans
        The configurations (the current arrangement is never recommended).
    table
        Their :func:`partition.analysis.compare.scorecard`.
    titles
        ``{configuration name: title}``.

    Returns
    -------
    str
        HTML: a heading and one item per k with an option that meets the rules; empty when there is none.
    """
    chosen = recommend_plans(plans, table, titles)
    if not chosen:
        return ""
    items = []
    for r in chosen:
        title = html_text(titles.get(r.name, r.name))
        lead = f"For {html_text(counted(r.k, 'partnership'))}: <strong>{title}</strong>"
        if r.is_alternative:
            lead += f", rather than {html_text(titles.get(str(r.proposal), str(r.proposal)))}"
        reasons = " ".join(html_text(t) for t in r.reasons)
        items.append(f"<li>{lead}. {reasons}</li>")
    return (
        "<h3>Recommended</h3><p>For each number of partnerships, among the options that stay within the rules in at "
        "least 9 of 10 trial changes to school rolls (or among all, when none does), the one with the shortest "
        "average travel distance; options within 1 % of the shortest count as equally short, and among them the "
        "one that divides the fewest towns and villages comes first. An option that separated infant and junior "
        "schools would come after those that do not:</p>"
        f"<ul class='recommended'>{''.join(items)}</ul>"
    )


def public_columns(table: pd.DataFrame) -> list[tuple[str, list[Column]]]:
    """The analysts' tables for ``table``: ``(caption, columns)``, each with the columns ``table`` has.

    Ensemble rank columns are headed by the measure alone (the caption says what the share is); columns
    not in :data:`GROUPS` (nor :data:`LEFT_OUT`) go to a last table, "Other figures".

    Parameters
    ----------
    table
        A :func:`partition.analysis.compare.scorecard` frame, with ``meets_rules`` added when it has ``status``.

    Returns
    -------
    list of (str, list of Column)
        The non-empty tables, in order.
    """
    known = {c.key: c for c in columns_of(table)}
    known[MEETS_RULES.key] = MEETS_RULES
    size = int(table.attrs.get("ensemble_size", 0))
    out = []
    for caption, keys in GROUPS:
        columns = [_public(known[k]) for k in keys if k in table.columns]
        if columns and keys[0].startswith("rank_"):
            caption = f"Share of {size:,} random valid configurations each one beats (%)"
        if columns:
            out.append((caption, columns))
    grouped = {k for _, keys in GROUPS for k in keys} | set(LEFT_OUT)
    other = [known[k] for k in table.columns if k not in grouped]
    return out + ([("Other figures", other)] if other else [])


analyst_columns = public_columns
"""The analysts' tables (:func:`public_columns`, whose name is kept for callers)."""


def _public(column: Column) -> Column:
    """Ensemble rank columns headed by their measure; other columns as they are."""
    metric = column.key.removeprefix("rank_")
    if column.key.startswith("rank_") and metric in ENSEMBLE_METRICS:
        base = next(c for c in COLUMNS if c.key == metric)
        return Column(column.key, base.label, "%", column.definition, column.scale, column.decimals)
    return column


def table_html(table: pd.DataFrame, columns: list[Column], caption: str, titles: Mapping[str, str]) -> str:
    """One comparison table: a caption, a heading per column (with unit), a row per configuration.

    Parameters
    ----------
    table
        A scorecard frame (index: configuration names).
    columns
        The columns to show, in order.
    caption
        The table's caption (plain text).
    titles
        ``{configuration name: title}`` for the row headings.

    Returns
    -------
    str
        HTML; every text from data goes through ``html_text``.
    """
    head = "<th scope='col'>Configuration</th>" + "".join(_heading(c) for c in columns)
    rows = "".join(
        f"<tr><th scope='row'>{title_cell(str(name), titles)}</th>"
        + "".join(_cell(c, table.at[name, c.key]) for c in columns)
        + "</tr>"
        for name in table.index
    )
    return scroll_box(
        f"<table class='analysts'><caption>{html_text(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>",
        caption,
    )


def comparison_html(table: pd.DataFrame, titles: Mapping[str, str]) -> str:
    """The analysts' comparison tables (see :func:`public_columns`) and what each measure means.

    Parameters
    ----------
    table
        A :func:`partition.analysis.compare.scorecard` frame, with or without ensemble ranks.
    titles
        ``{configuration name: title}``.

    Returns
    -------
    str
        HTML.
    """
    table = table.copy()
    if "status" in table.columns:
        table[MEETS_RULES.key] = [s in ("optimal", "feasible") for s in table["status"]]
    groups = public_columns(table)
    tables = "".join(table_html(table, columns, caption, titles) for caption, columns in groups)
    size = int(table.attrs.get("ensemble_size", 0))
    design = table.attrs.get("ensemble_design") or {}
    starts = (
        f" (from {design['chains']} separate random starting plans, not from our proposals)"
        if design.get("chains")
        else ""
    )
    random_plans = (
        f"<p>Random valid plans: we drew {size:,} other plans at random that follow the same rules{starts}; "
        "“beats 95 %” means the configuration does better on that measure than 95 % of them.</p>"
        if any(k.startswith("rank_") for k in table.columns)
        else ""
    )
    terms = "".join(
        f"<dt>{html_text(c.label[:1].upper() + c.label[1:])}{f' ({html_text(c.unit)})' if c.unit else ''}</dt>"
        f"<dd>{html_text(c.definition)}</dd>"
        for _, columns in groups
        for c in columns
        if c.definition
    )
    return f"{random_plans}{tables}<h3>What the measures mean</h3><dl class='legend'>{terms}</dl>"


# --- charts and sheets -------------------------------------------------------------------------------
