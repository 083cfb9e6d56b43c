"""The consultation pack: one HTML page per run for people who will read it, not run it.

It is written for the public and stands alone when emailed or printed. For each
main proposal it has a static map (inline SVG: numbered partnerships in the
colours of the interactive maps, a scale bar and a north arrow), a chart of
pupils per partnership against the ±tolerance band, a table of its
partnerships and, for each partnership, its schools. Alternatives get a map and
their table of partnerships, the current arrangement (one partnership per
district, :data:`CURRENT_SOLVER`) its table, for comparison: school lists are
printed for the main proposals only. The public comparison uses plain measures
(schools, pupils, size difference, travel distance, districts kept whole, schools
that change); the analysts' measures (shape indices, cut edges, agreement
indices, ranks among random plans) and the configurations' folder names are in
an appendix, "For analysts and planners", with their definitions; the links
to the planners' editors are there too, not among the public maps. The links to
the interactive maps are relative (the maps are in the same folder, as the page
says); printed, each link shows its file name. Alternatives say how their travel
distance compares with their proposal's (shorter or longer), from the figures.

It reads well on a 1400 px screen and on a 390 px phone (nothing widens the
page: wide tables scroll inside their own box, with a visible cue; charts
switch to a narrow layout whose text stays at least 11 px) and prints on A4
portrait: tables fit the page, headings stay with what follows them, school
lists print expanded. It is accessible: headings in order, table captions,
``<th scope>``, a colour-blind-safe palette (Okabe–Ito) with sufficient
contrast, and ``lang``.

The page is built from Python strings and is never rendered as a template.
Every text from data (configuration, partnership, school, district and file
names, the title) goes through :func:`partition.core.htmltext.html_text`, the same
path as the maps, and every link through :func:`partition.core.htmltext.html_href`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from partition.analysis.compare import COLUMNS, ENSEMBLE_METRICS, Column, columns_of, partners_kept, rank_key
from partition.analysis.recommend import family_members, recommend_plans
from partition.core.htmltext import html_href, html_text
from partition.core.wording import counted, plural
from partition.model.plan import Plan
from partition.report.needwords import fsm_sentence, need_sources_text, need_table

if TYPE_CHECKING:
    from partition.report.maps import WrittenMap

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

CURRENT_SOLVER = "districts"
"""``Plan.solver`` of the current arrangement (:func:`partition.planning.planner.district_plan`): shown for comparison, not proposed."""

# Okabe–Ito colours (distinguishable with every common colour-vision deficiency), darkened where text needs 4.5:1.
INSIDE = "#0072B2"
"""Colour of a partnership within the size band (Okabe–Ito blue)."""
OUTSIDE = "#B34700"
"""Colour of a partnership outside the size band (Okabe–Ito vermillion, darkened for contrast on white)."""
BAND = "#D9EAF5"
"""Fill of the size band."""
WARNING = "#A00000"
"""Text and border of a warning (contrast 8:1 on white)."""

STYLE = f"""
body{{font:15px/1.45 system-ui,sans-serif;margin:1.5em auto;max-width:1100px;padding:0 1em;color:#1a1a1a;background:#fff}}
h1{{font-size:24px}} h2{{font-size:20px;margin-top:1.6em;border-bottom:1px solid #999}} h3{{font-size:17px}}
h4{{font-size:15px;margin:1em 0 .2em}}
a{{color:#004f80;overflow-wrap:anywhere}} code,.code{{font:12px monospace;color:#444;overflow-wrap:anywhere}}
table{{border-collapse:collapse;font-size:13px;margin:.5em 0 1.2em}}
caption{{text-align:left;font-weight:600;padding:4px 0}}
td,th{{border:1px solid #999;padding:3px 6px;vertical-align:top}}
thead th{{background:#eef2f5;font-weight:600;text-align:left}} tbody th{{text-align:left;font-weight:600}}
td.num{{text-align:right;font-variant-numeric:tabular-nums}}
.unit{{display:block;font-weight:400;color:#444}}
.warning{{border:2px solid {WARNING};color:{WARNING};padding:4px 10px;margin:8px 0;font-weight:600}}
.outside{{color:{OUTSIDE};font-weight:600}}
.note{{background:#f3f6f8;border-left:4px solid #004f80;padding:6px 10px}}
dl.legend dt{{font-weight:600}} dl.legend dd{{margin:0 0 .4em 1.2em}}
svg{{max-width:100%;height:auto}}
.swatch{{display:inline-block;width:.9em;height:.9em;border:1px solid #333;opacity:.7;vertical-align:-.1em;margin-right:.3em}}
details{{margin:6px 0}} summary{{cursor:pointer}}
.scroll{{overflow-x:auto;max-width:100%;
  background:linear-gradient(to right,#fff 30%,#fff0) left/40px 100% no-repeat local,
    linear-gradient(to left,#fff 30%,#fff0) right/40px 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%,#0004,#0000) left/14px 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%,#0004,#0000) right/14px 100% no-repeat scroll}}
.scroll:focus{{outline:2px solid #004f80}}
.hint{{display:none;font-size:13px;color:#444;margin:.2em 0}}
.chart-narrow{{display:none}}
figure{{margin:.5em 0 1em}} figcaption{{font-size:13px;color:#444}}
.sheet table{{width:100%}}
p.members-head{{margin:.3em 0 0;font-size:13px}} ul.members{{margin:0 0 .2em;padding-left:1.2em;font-size:13px}}
p.also{{margin:.2em 0;font-size:13px}}
@media (max-width:700px) {{
  table.scorecard th[scope=row]{{position:sticky;left:0;background:#fff;z-index:1;min-width:8em;max-width:11em}}
  body{{padding:0 .6em;font-size:15px}}
  .hint{{display:block}}
  .chart-wide{{display:none}} .chart-narrow{{display:block}}
  section.sheets td:nth-child(4),section.sheets th:nth-child(4){{display:none}}
}}
@media print {{
  @page {{size:A4 portrait;margin:14mm 12mm}}
  body{{font-size:10pt;margin:0;max-width:none;padding:0}}
  table{{font-size:8pt;width:100%;table-layout:auto;page-break-inside:auto}}
  .scroll{{overflow:visible;background:none}} .hint{{display:none}}
  .chart-wide{{display:block}} .chart-narrow{{display:none}}
  td,th{{padding:1px 3px}} td.num{{white-space:nowrap}}
  table.scorecard{{font-size:7pt}} table.scorecard td,table.scorecard th{{padding:1px 2px}}
  thead{{display:table-header-group}} tr{{break-inside:avoid}}
  a{{color:#000;text-decoration:none}} .code{{font-size:7pt}}
  a[href]::after{{content:" (" attr(href) ")";font-size:8pt;color:#333}}
  details>summary{{list-style:none}} details>summary::-webkit-details-marker{{display:none}}
  details::details-content{{content-visibility:visible;display:block}}
  section.configuration,section.appendix{{break-before:page}}
  h1,h2,h3,h4,summary,caption{{break-after:avoid}} svg,figure{{break-inside:avoid}}
  h2+p,h3+p{{break-before:avoid}}
  section.sheets{{columns:2;column-gap:6mm}} details.partnership{{break-inside:avoid;margin:0 0 3mm}}
  section.sheets td:nth-child(4),section.sheets th:nth-child(4){{display:none}}
  details.partnership summary{{font-size:8.5pt}}
  figure svg.map{{max-height:80mm;width:auto}} figure{{margin:0}}
  .swatch{{print-color-adjust:exact;-webkit-print-color-adjust:exact}}
  .keep,table.scorecard{{break-inside:avoid}} table.partnerships td.num,table.partnerships td.size{{white-space:nowrap}}
  p.members-head,ul.members,p.also{{font-size:8pt}}
}}
"""
"""The page's stylesheet: screen (a phone layout under 700 px), and A4 portrait print."""


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


def _title_cell(name: str, titles: Mapping[str, str]) -> str:
    """A configuration's title, with its folder name under it when they differ."""
    title = titles.get(name, name)
    code = f"<span class='code unit'>{html_text(name)}</span>" if title != name else ""
    return f"{html_text(title)}{code}"


MAP_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Each configuration", ("configuration",)),
    ("Comparisons", ("side-by-side", "changes", "all-configurations")),
)
"""The public part's groups of map links: label and the kinds of :class:`~partition.report.maps.WrittenMap` in it."""

PLANNER_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Edit a proposal (move schools, export a CSV)", ("editor",)),
)
"""The planners' map links (the editors), listed in the appendix, not among the public maps."""


def map_link_text(written: WrittenMap, titles: Mapping[str, str]) -> str:
    """What a map link shows: the configuration(s) it is about in plain words, never just ``map.html``.

    Made from the record of what was written, not from the file's name (configuration
    names may hold ``_``, ``-`` or ``_to_``, so a file name cannot be split back into them).

    Parameters
    ----------
    written
        The map: its kind and the names of the configurations it shows.
    titles
        ``{configuration name: title}`` (see :func:`plain_titles`); a name not in it is shown as it is.

    Returns
    -------
    str
        Plain text (not yet HTML-escaped): the configuration's title; ``"Side by side: <a> and <b>"``;
        ``"Schools that change: <a> → <b>"``; or ``"All configurations on one map (switch between them)"``.
    """
    names = [titles.get(name, name) for name in written.configurations]
    if written.kind == "configuration":
        return names[0]
    if written.kind == "editor":
        return f"Edit this proposal: {names[0]}"
    if written.kind == "side-by-side":
        return f"Side by side: {names[0]} and {names[1]}"
    if written.kind == "changes":
        return f"Schools that change: {names[0]} → {names[1]}"
    return "All configurations on one map (switch between them)"


def _links(
    maps: Sequence[WrittenMap], titles: Mapping[str, str], groups_of: Sequence[tuple[str, tuple[str, ...]]] = MAP_GROUPS
) -> str:
    """The map links as a list, one item per group of ``groups_of`` (default :data:`MAP_GROUPS`) that has maps,
    each link named by :func:`map_link_text`; a sentence when no map was drawn."""
    groups = [(label, [m for m in maps if m.kind in kinds]) for label, kinds in groups_of]
    items = "".join(
        f"<li>{html_text(label)}:<ul>"
        + "".join(
            f"<li><a href='{html_href(Path(m.path).as_posix())}'>{html_text(map_link_text(m, titles))}</a></li>"
            for m in written
        )
        + "</ul></li>"
        for label, written in groups
        if written
    )
    return f"<ul>{items}</ul>" if items else "<p>No interactive maps were drawn for this run.</p>"


def _warning(plan: Plan) -> str:
    """The plan's warning (see :meth:`partition.model.plan.Plan.warning`) as an HTML paragraph, or nothing."""
    text = plan.warning()
    return f"<p class='warning'>⚠ {html_text(text)}</p>" if text else ""


# --- the comparison tables ---------------------------------------------------------------------------

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


def _scroll(inner: str, label: str, hint: bool = True) -> str:
    """A table in its own horizontally scrolling box (a shadow at the edge that hides columns), with a
    written cue shown on narrow screens when ``hint`` (tables too wide for a phone)."""
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
    return f"{_scroll(body, caption)}<h3>What the figures mean</h3><dl class='legend'>{terms}</dl>"


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
        f"<tr><th scope='row'>{_title_cell(str(name), titles)}</th>"
        + "".join(_cell(c, table.at[name, c.key]) for c in columns)
        + "</tr>"
        for name in table.index
    )
    return _scroll(
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


def _tolerance(plan: Plan) -> float | None:
    """The pupils tolerance of the plan's spec (a fraction), or None."""
    return next((b.tolerance for b in plan.spec.size if b.attribute == "pupils" and b.tolerance is not None), None)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values between ``low`` and ``high``."""
    raw = (high - low) / count
    step = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(s * step for s in (1, 2, 2.5, 5, 10) if s * step >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) // step) + 1)]


def size_difference(deviation: float) -> str:
    """A partnership's size against the average in words: ``-0.06`` -> ``"6 % below the average"``.

    Parameters
    ----------
    deviation
        The partnership's pupils relative to the average, as a fraction (pupils / mean − 1).

    Returns
    -------
    str
        ``"<n> % below the average"`` or ``"<n> % above the average"`` with ``n`` rounded to a
        whole per cent, or ``"about the average"`` when it rounds to 0 %.
    """
    percent = round(abs(deviation) * 100)
    if percent == 0:
        return "about the average"
    return f"{percent} % {'below' if deviation < 0 else 'above'} the average"


def _chart_scale(plan: Plan) -> tuple[pd.DataFrame, float, float, float, float, float]:
    """What a pupils chart draws: partnerships by pupils, the mean, the band and the axis range (pupils).

    The axis spans the partnerships and the band, padded by 8 % (never below 0), so the band is
    wide enough to read.
    """
    t = plan.partnerships.sort_values("pupils")
    mean = plan.assignments["pupils"].sum() / plan.k
    tol = _tolerance(plan)
    lo_band, hi_band = (mean * (1 - tol), mean * (1 + tol)) if tol is not None else (mean, mean)
    low = min(float(t["pupils"].min()), lo_band)
    high = max(float(t["pupils"].max()), hi_band)
    pad = (high - low) * 0.08 or mean * 0.1 or 1
    return t, mean, lo_band, hi_band, max(0.0, low - pad), high + pad


def pupils_chart_narrow(plan: Plan, width: int = 360, row_height: int = 30) -> str:
    """:func:`pupils_chart` for a phone: each partnership's name on its own line above its dot.

    Drawn ``width`` px wide at 13 px text, so shown on a 390 px screen its text stays about 13 px
    (the wide chart, scaled to fit, would be 5 px). Names are anchored at the start.

    Parameters
    ----------
    plan
        The configuration (``partnerships`` with ``name`` and ``pupils``; ``assignments`` with
        ``pupils``; the pupils tolerance of its spec sets the band).
    width
        Width in px (the SVG scales down to fit its container).
    row_height
        Height of one partnership's rows (name line and dot line, px).

    Returns
    -------
    str
        An inline SVG (``class="chart chart-narrow"``, shown only on narrow screens) with a title
        for screen readers; partnerships from fewest to most pupils, names through ``html_text``.
    """
    t, mean, lo_band, hi_band, low, high = _chart_scale(plan)
    tol = _tolerance(plan)
    left, right, top = 8, width - 8, 40
    x = lambda v: left + (v - low) / (high - low) * (right - left)  # noqa: E731
    bottom = top + row_height * len(t)
    height = bottom + 44
    label = f"Pupils per partnership in {plan.name}"
    parts = [
        f'<svg class="chart chart-narrow" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html_text(label)}" style="font:13px sans-serif">'
        f"<title>{html_text(label)}</title>"
    ]
    if tol is not None:
        parts.append(
            f'<rect x="{x(lo_band):.1f}" y="{top - 4}" width="{x(hi_band) - x(lo_band):.1f}" '
            f'height="{bottom - top + 8}" fill="{BAND}"/>'
            f'<text x="{x(lo_band):.1f}" y="{top - 22}" text-anchor="middle">−{tol:.0%}</text>'
            f'<text x="{x(lo_band):.1f}" y="{top - 8}" text-anchor="middle">{lo_band:,.0f}</text>'
            f'<text x="{x(hi_band):.1f}" y="{top - 22}" text-anchor="middle">+{tol:.0%}</text>'
            f'<text x="{x(hi_band):.1f}" y="{top - 8}" text-anchor="middle">{hi_band:,.0f}</text>'
        )
    parts.append(
        f'<line x1="{x(mean):.1f}" x2="{x(mean):.1f}" y1="{top - 4}" y2="{bottom + 4}" stroke="#000" stroke-dasharray="4 3"/>'
        f'<text x="{width / 2:.0f}" y="{height - 6}" text-anchor="middle">average {mean:,.0f} pupils</text>'
    )
    for i, row in enumerate(t.itertuples()):
        y = top + i * row_height
        outside = tol is not None and abs(row.pupils / mean - 1) > tol + 1e-9
        colour = OUTSIDE if outside else INSIDE
        value = f"{int(row.pupils):,}" + (" outside" if outside else "")
        parts.append(
            f'<text x="{left}" y="{y + 12}" text-anchor="start">{html_text(row.name)}: '
            f'<tspan fill="{colour}">{value}</tspan></text>'
            f'<line x1="{x(mean):.1f}" x2="{x(row.pupils):.1f}" y1="{y + 21}" y2="{y + 21}" stroke="{colour}" stroke-width="2"/>'
            f'<circle cx="{x(row.pupils):.1f}" cy="{y + 21}" r="4.5" fill="{colour}"/>'
        )
    return "".join(parts) + "</svg>"


def pupils_chart(plan: Plan, width: int = 900, row_height: int = 18) -> str:
    """Pupils per partnership as dots on an axis around the average, with the tolerance band shaded.

    The axis spans the band and every partnership (not from zero), so a ±10 % band fills most of the
    chart; the band's bounds and the average are labelled with their pupils. A partnership outside the
    band is drawn in :data:`OUTSIDE` and says "outside" (colour is never the only cue).

    Parameters
    ----------
    plan
        The configuration.
    width
        Width in px (the SVG scales down to fit its container).
    row_height
        Height of one partnership's row (px).

    Returns
    -------
    str
        An inline SVG with a title (for screen readers); partnership names through ``html_text``.
    """
    t, mean, lo_band, hi_band, low, high = _chart_scale(plan)
    tol = _tolerance(plan)
    longest = max((len(str(n)) for n in t["name"]), default=0)
    left = int(min(max(120, 12 + 6.8 * longest), width * 0.45))  # room for the longest name at 12 px
    right, top = width - 120, 34
    x = lambda v: left + (v - low) / (high - low) * (right - left)  # noqa: E731
    bottom = top + row_height * len(t)
    height = bottom + 40
    label = f"Pupils per partnership in {plan.name}"
    parts = [
        f'<svg class="chart chart-wide" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html_text(label)}" style="font:12px sans-serif">'
        f"<title>{html_text(label)}</title>"
    ]
    if tol is not None:
        parts.append(
            f'<rect x="{x(lo_band):.1f}" y="{top - 4}" width="{x(hi_band) - x(lo_band):.1f}" '
            f'height="{bottom - top + 8}" fill="{BAND}"/>'
        )
        for value, sign in ((lo_band, "−"), (hi_band, "+")):
            parts.append(
                f'<text x="{x(value):.1f}" y="{top - 20}" text-anchor="middle">{sign}{tol:.0%}</text>'
                f'<text x="{x(value):.1f}" y="{top - 8}" text-anchor="middle">{value:,.0f}</text>'
            )
    for tick in _ticks(low, high):
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{bottom + 4}" y2="{bottom + 9}" stroke="#444"/>'
            f'<text x="{x(tick):.1f}" y="{bottom + 21}" text-anchor="middle" fill="#444">{tick:,.0f}</text>'
        )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom + 4}" y2="{bottom + 4}" stroke="#444"/>')
    parts.append(
        f'<line x1="{x(mean):.1f}" x2="{x(mean):.1f}" y1="{top - 4}" y2="{bottom + 4}" stroke="#000" stroke-dasharray="4 3"/>'
        f'<text x="{x(mean):.1f}" y="{height - 4}" text-anchor="middle">average {mean:,.0f} pupils</text>'
    )
    for i, row in enumerate(t.itertuples()):
        parts.append(_chart_row(row, top + i * row_height, row_height, x, mean, tol, (left, right)))
    return "".join(parts) + "</svg>"


def _chart_row(row, y: float, row_height: int, x, mean: float, tol: float | None, edges: tuple[int, int]) -> str:
    """One partnership of :func:`pupils_chart`: its name, a stem from the average, a dot, and its pupils at the right."""
    left, right = edges
    outside = tol is not None and abs(row.pupils / mean - 1) > tol + 1e-9
    colour = OUTSIDE if outside else INSIDE
    mid = y + row_height / 2
    value = f"{int(row.pupils):,}" + (" outside" if outside else "")
    return (
        f'<text x="{left - 8}" y="{mid + 4:.1f}" text-anchor="end">{html_text(row.name)}</text>'
        f'<line x1="{x(mean):.1f}" x2="{x(row.pupils):.1f}" y1="{mid:.1f}" y2="{mid:.1f}" stroke="{colour}" stroke-width="2"/>'
        f'<circle cx="{x(row.pupils):.1f}" cy="{mid:.1f}" r="4.5" fill="{colour}"/>'
        f'<text x="{right + 12}" y="{mid + 4:.1f}" fill="{colour}">{value}</text>'
    )


# --- the static map ----------------------------------------------------------------------------------

MAP_WIDTH = 640
"""Width of a static map's drawing (SVG user units, px at full size)."""


def partnership_numbers(plan: Plan) -> list[int]:
    """The number each partnership (row order) has on the static map and in the tables: its id's (P07 -> 7).

    Parameters
    ----------
    plan
        The configuration (``partnerships`` with an ``id`` column such as ``P07``).

    Returns
    -------
    list of int
        One number per row of ``plan.partnerships``: the digits of an id ``P<digits>``, else the
        row's position counted from 1; ``1 .. n`` when the frame has no ``id`` column.
    """
    out = []
    for i, pid in enumerate(plan.partnerships.get("id", [])):
        match = re.fullmatch(r"P0*(\d+)", str(pid))
        out.append(int(match[1]) if match else i + 1)
    return out or list(range(1, len(plan.partnerships) + 1))


def _nice_length(metres: float) -> float:
    """The largest of 1, 2, 5 × 10^n metres not above ``metres``."""
    power = 10 ** math.floor(math.log10(metres))
    return max(m * power for m in (1, 2, 5) if m * power <= metres)


def _ring_path(coords, sx, sy) -> str:
    points = [f"{sx(x):.1f} {sy(y):.1f}" for x, y in coords]
    return "M" + "L".join(points) + "Z"


def static_map(plan: Plan, colours: list[str] | None = None, width: int = MAP_WIDTH) -> str:
    """The configuration as a static map: numbered partnerships, a scale bar and a north arrow (inline SVG).

    The partnerships' polygons (British National Grid metres) are simplified together with
    :func:`shapely.coverage_simplify` (neighbours keep one shared boundary) to a tolerance of about half
    a pixel, and drawn north up with the same scale on both axes.

    Parameters
    ----------
    plan
        The configuration (``partnerships`` with ``id``, ``name`` and a geometry in EPSG:27700).
    colours
        A colour per partnership (row order), e.g. :func:`partition.report.maps.colours.run_colours` of the run, so
        the static map matches the interactive ones; grey when not given.
    width
        Width of the drawing (SVG user units).

    Returns
    -------
    str
        An SVG element (``class="map"``) with a title and, per partnership, a ``<title>`` with its number and
        name (escaped by ``html_text``).
    """
    import shapely

    parts_ = plan.partnerships
    geoms = [g if g is not None else shapely.Polygon() for g in parts_.geometry]
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    pad, bar = 12, 36
    span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    scale = (width - 2 * pad) / span_x
    height = int(span_y * scale + 2 * pad + bar)
    tolerance = 0.5 / scale
    try:
        simple = list(shapely.coverage_simplify(geoms, tolerance))
    except shapely.errors.GEOSException:  # not a valid coverage: each on its own
        simple = [shapely.simplify(g, tolerance, preserve_topology=True) for g in geoms]
    sx = lambda x: pad + (x - minx) * scale  # noqa: E731
    sy = lambda y: pad + (maxy - y) * scale  # noqa: E731
    colours = list(colours or []) + ["#BBBBBB"] * len(geoms)
    numbers = partnership_numbers(plan)
    label = f"Map: {plain_title(plan)}"
    out = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html_text(label)}" '
        f'style="font:bold 13px sans-serif"><title>{html_text(label)}</title>'
    ]
    for geom, colour, number, name in zip(simple, colours, numbers, parts_["name"]):
        polygons = getattr(geom, "geoms", [geom])
        d = "".join(
            _ring_path(poly.exterior.coords, sx, sy) + "".join(_ring_path(r.coords, sx, sy) for r in poly.interiors)
            for poly in polygons
            if isinstance(poly, shapely.Polygon) and not poly.is_empty
        )
        out.append(
            f'<path d="{d}" fill="{html_text(colour)}" fill-opacity="0.55" fill-rule="evenodd" stroke="#333" '
            f'stroke-width="0.8"><title>{number} {html_text(name)}</title></path>'
        )
    for geom, number in zip(geoms, numbers):
        if geom.is_empty:
            continue
        point = geom.point_on_surface()
        out.append(
            f'<circle cx="{sx(point.x):.1f}" cy="{sy(point.y):.1f}" r="9" fill="#fff" stroke="#333" stroke-width="0.8"/>'
            f'<text x="{sx(point.x):.1f}" y="{sy(point.y) + 4.5:.1f}" text-anchor="middle">{number}</text>'
        )
    metres = _nice_length(span_x / 4)
    length = metres * scale
    y0 = height - bar / 2
    km = f"{metres / 1000:g} km"
    out.append(
        f'<g class="scale-bar"><rect x="{pad}" y="{y0 - 3}" width="{length:.1f}" height="6" fill="#333"/>'
        f'<text x="{pad + length + 6:.1f}" y="{y0 + 5:.1f}" style="font-weight:400">{km}</text></g>'
        f'<g class="north-arrow" aria-label="north is up"><path d="M{width - 24} {pad + 30}L{width - 16} {pad + 4}'
        f'L{width - 8} {pad + 30}L{width - 16} {pad + 23}Z" fill="#333"/>'
        f'<text x="{width - 16}" y="{pad + 46}" text-anchor="middle">N</text></g>'
    )
    return "".join(out) + "</svg>"


def member_cells(row, shown: bool) -> str:
    """The colleges and special schools of a partnership (``row.colleges``, ``row.special_schools``) as two
    number cells, or nothing when not ``shown``."""
    if not shown:
        return ""
    return f"<td class='num'>{int(row.colleges)}</td><td class='num'>{int(row.special_schools)}</td>"


def partnership_table(plan: Plan, colours: list[str] | None = None) -> str:
    """Each partnership of ``plan`` on a row: its number on the map (and colour), name, schools, pupils in
    schools, colleges and special schools (when the plan has those columns), size against the average in words,
    and districts.

    Parameters
    ----------
    plan
        The configuration (``partnerships`` with ``id``, ``name``, ``schools``, ``pupils``,
        ``deviation`` (fraction) and ``districts`` (text); ``colleges`` and ``special_schools`` (counts, special
        schools with pupil referral units) when it has them).
    colours
        A colour per partnership in row order (as on the maps), shown as a swatch by its number;
        no swatch when not given.

    Returns
    -------
    str
        HTML: a table (``class='partnerships'``, captioned "The <k> partnerships") in a
        scrolling box; every text from data goes through ``html_text``.
    """
    numbers = partnership_numbers(plan)
    colours = list(colours or []) + [""] * len(numbers)
    members = {"colleges", "special_schools"} <= set(plan.partnerships.columns)
    rows = []
    for row, number, colour in zip(plan.partnerships.itertuples(), numbers, colours):
        swatch = f"<span class='swatch' style='background:{html_text(colour)}'></span>" if colour else ""
        rows.append(
            f"<tr><td class='num'>{swatch}{number}</td><th scope='row'>{html_text(row.name)}</th>"
            f"<td class='num'>{int(row.schools)}</td><td class='num'>{int(row.pupils):,}</td>"
            f"{member_cells(row, members)}"
            f"<td class='size'>{html_text(size_difference(float(row.deviation)))}</td><td>{html_text(row.districts)}</td></tr>"
        )
    caption = f"The {counted(plan.k, 'partnership')}"
    member_heads = "<th scope='col'>Colleges</th><th scope='col'>Special schools</th>" if members else ""
    table = (
        f"<table class='partnerships'><caption>{caption}</caption><thead><tr><th scope='col'>No. on the map</th>"
        "<th scope='col'>Partnership</th><th scope='col'>Schools</th>"
        "<th scope='col'>Pupils in schools<span class='unit'>(colleges and special schools not counted)</span></th>"
        f"{member_heads}<th scope='col'>Size</th><th scope='col'>Districts</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    return _scroll(table, caption)


def _need_words(plan: Plan, row) -> str:  # noqa: ANN001 - a row of plan.partnerships
    """ "; 1 in 5 pupils eligible for free school meals, above the county's 1 in 7" (empty without figures)."""
    if "fsm_pct" not in plan.partnerships or pd.isna(row.fsm_pct):
        return ""
    county = plan.details.get("need", {}).get("fsm", {}).get("pct")
    return "; " + html_text(fsm_sentence(float(row.fsm_pct), county))


def partnership_sheets(plan: Plan) -> str:
    """Each partnership's schools: a list per partnership (open on screen, printed expanded, kept whole on a page).

    Parameters
    ----------
    plan
        The configuration: ``partnerships`` with ``id``, ``name``, ``schools``, ``pupils``,
        ``deviation``, ``anchors``, ``districts``; ``assignments`` with ``URN``, ``name``,
        ``kind``, ``district``, ``pupils``, ``partnership_id``.

    Returns
    -------
    str
        HTML: one open ``<details class='partnership'>`` per partnership (row order), its summary
        giving number, name, schools, pupils, size against the average, anchor schools and
        districts, and a table of its schools (URN, school, phase, district, pupils) sorted by
        kind then name; one per line; then its colleges, special schools and pupil referral units, a list
        per kind, and the establishments elsewhere that also serve it (:func:`member_lists`).
    """
    out = []
    a = plan.assignments
    for row, number in zip(plan.partnerships.itertuples(), partnership_numbers(plan)):
        schools = a[a["partnership_id"] == row.id].sort_values(["kind", "name"])
        rows = "".join(
            f"<tr><td class='num'>{int(s.URN)}</td><td>{html_text(s.name)}</td><td>{html_text(s.kind)}</td>"
            f"<td>{html_text(s.district)}</td><td class='num'>{int(s.pupils):,}</td></tr>"
            for s in schools.itertuples()
        )
        out.append(
            f"<details open class='partnership'><summary><b>{number} {html_text(row.name)}</b> — "
            f"{counted(int(row.schools), 'school')}, {counted(int(row.pupils), 'pupil', thousands=True)} in schools "
            f"({html_text(size_difference(float(row.deviation)))}), "
            f"{counted(int(row.anchors), 'secondary or all-through school')}, {html_text(row.districts)}"
            f"{_need_words(plan, row)}</summary>"
            + _scroll(
                f"<table><caption>Schools of {html_text(row.name)}</caption><thead><tr><th scope='col'>URN</th>"
                f"<th scope='col'>School</th><th scope='col'>Phase</th><th scope='col'>District</th>"
                f"<th scope='col'>Pupils</th></tr></thead><tbody>{rows}</tbody></table>",
                f"Schools of {row.name}",
                hint=False,
            )
            + member_lists(plan.members, row.id, str(row.name))
            + "</details>"
        )
    return "\n".join(out)


MEMBERSHIP = (
    "Colleges, special schools and pupil referral units belong to the partnership whose area they stand in and "
    "take part in it fully, but they are not counted in its pupils: “pupils” always means pupils in "
    "the primary, middle, secondary and all-through schools. A college of 4,900 students would otherwise need a "
    "partnership to itself, and a special school serves pupils from a wide area, not only its neighbours. Each "
    "partnership is also served by the college and the special school nearest to its schools; when that one "
    "stands in another partnership, the partnership's list says “also served by”."
)
"""The membership rule in plain words (:mod:`partition.data.members`), said once where the pack explains its figures."""

MEMBER_LISTS = (("college", "Colleges"), ("special", "Special schools"), ("pru", "Pupil referral units"))
"""The member kinds listed under each partnership, in order, with their list headings."""


def member_words(kind: str, type_: object) -> str:
    """A member's kind in words, with its type when the type adds to it.

    Parameters
    ----------
    kind
        ``"college"``, ``"special"`` or ``"pru"`` (:data:`partition.data.members.KIND_WORDS`).
    type_
        Its establishment type from the data (e.g. ``"Community special school"``, ``"Further education"``),
        or missing.

    Returns
    -------
    str
        Plain text: the type in lower case when it names the kind (``"community special school"``), else the
        kind with the type in brackets (``"college (further education)"``), or the kind alone.
    """
    from partition.data.members import KIND_WORDS

    word = KIND_WORDS.get(kind, (kind, kind))[0]
    text = "" if type_ is None or pd.isna(type_) else str(type_).strip()
    if not text:
        return word
    lower = text[:1].lower() + text[1:]
    return lower if word in lower.lower() else f"{word} ({lower})"


def _membership_html(plans: list[Plan], sources: list[dict[str, str]]) -> str:
    """The membership rule once, and when the colleges and special schools come from a dated list, its date."""
    if all(p.members.empty for p in plans):
        return ""
    listed = next((s for s in sources if s.get("what") == SOURCE_WHAT["establishments"]), None)
    vintage = (
        f" The colleges and special schools are those of the Department for Education's school list "
        f"({listed['file']}{', ' + listed['date'] if listed.get('date') else ''}), located by their postcodes: a "
        "college that has merged or closed since may still be listed, and one that opened since is missing."
        if listed
        else ""
    )
    return f"<p>{html_text(MEMBERSHIP + vintage)}</p>"


def _member_item(member) -> str:
    """One member as a list item: its name, kind in words, URN and (a college) its students aged 16-18."""
    students = ""
    if member.kind == "college" and pd.notna(member.pupils):
        students = f", {counted(int(member.pupils), 'student', thousands=True)} aged 16-18"
    elif member.kind == "college":
        students = ", number of students aged 16-18 not published"
    return (
        f"<li data-urn='{int(member.URN)}'>{html_text(member.name)} — "
        f"{html_text(member_words(member.kind, member.type))}{students} (URN {int(member.URN)})</li>"
    )


def also_served_by(members: pd.DataFrame, partnership: str) -> list[str]:
    """The establishments standing elsewhere that also serve ``partnership``, in words.

    Parameters
    ----------
    members
        :attr:`partition.model.plan.Plan.members` (``name``, ``kind``, ``type``, ``partnership``, ``also_serves``).
    partnership
        A partnership's name.

    Returns
    -------
    list of str
        Plain text, one per establishment by kind (colleges, special schools, pupil referral units), then
        name: ``"Peter Symonds College (college, in Winchester)"``.
    """
    if members.empty:
        return []
    serving = members[[partnership in str(a).split("; ") for a in members["also_serves"].fillna("")]]
    order = {kind: i for i, (kind, _) in enumerate(MEMBER_LISTS)}
    rows = sorted(serving.itertuples(), key=lambda m: (order.get(m.kind, len(order)), str(m.name)))
    from partition.data.members import KIND_WORDS

    return [f"{m.name} ({KIND_WORDS.get(m.kind, (m.kind,))[0]}, in {m.partnership})" for m in rows]


def member_lists(members: pd.DataFrame, partnership_id: object, partnership: str) -> str:
    """A partnership's colleges, special schools and pupil referral units, each kind a list of its own, and the
    establishments standing elsewhere that also serve it.

    Parameters
    ----------
    members
        :attr:`partition.model.plan.Plan.members` (``URN``, ``name``, ``kind``, ``type``, ``pupils``,
        ``partnership_id``, ``partnership``, ``also_serves``); may be empty.
    partnership_id, partnership
        The partnership's ``partnership_id`` (e.g. ``"P01"``) and name.

    Returns
    -------
    str
        HTML (``<div class='members'>``): per kind it has, a heading line ("Colleges (not counted in
        pupils)") and a ``<ul>`` of its members by name (:func:`member_words`); then "Also served by: ..."
        (:func:`also_served_by`) when any; empty when neither. Every text from data goes through
        ``html_text``.
    """
    if members.empty:
        return ""
    own = members[members["partnership_id"] == partnership_id].sort_values("name", kind="stable")
    parts = []
    for kind, heading in MEMBER_LISTS:
        rows = own[own["kind"] == kind]
        if len(rows):
            items = "".join(_member_item(m) for m in rows.itertuples())
            parts.append(
                f"<p class='members-head'><b>{heading}</b> (not counted in pupils)</p>"
                f"<ul class='members {kind}'>{items}</ul>"
            )
    also = also_served_by(members, partnership)
    if also:
        parts.append(f"<p class='also'>Also served by: {html_text('; '.join(also))}</p>")
    return f"<div class='members'>{''.join(parts)}</div>" if parts else ""


# --- data sources ------------------------------------------------------------------------------------


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
    Code-Point Open is among ``sources`` (:func:`data_sources`)."""
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


def _sources_html(sources: list[dict[str, str]]) -> str:
    """The data sources as a list; a path is shown as its file name only."""
    items = []
    for s in sources:
        name = s.get("file") or Path(str(s.get("path", ""))).name
        what = f"{html_text(s['what'])}: " if s.get("what") else ""
        date = f", {html_text(s['date'])}" if s.get("date") else ""
        items.append(f"<li>{what}<code>{html_text(name)}</code>{date}</li>")
    return f"<ul>{''.join(items)}</ul>"


# --- the page ----------------------------------------------------------------------------------------


def _banner(plans: list[Plan], titles: Mapping[str, str]) -> tuple[str, bool]:
    """The warning over the page when a proposed configuration breaks its rules, and whether there is one."""
    proposed = [p for p in plans if p.solver != CURRENT_SOLVER]  # the current arrangement warns in its own sheet
    broken = [p for p in proposed if p.warning()]
    if not broken:
        return "", False
    items = "".join(
        f"<li>{html_text(titles[p.name])} ({html_text(p.name)}): {html_text(p.warning())}</li>" for p in broken
    )
    verb = plural(len(broken), "does", "do")
    return (
        f"<div class='warning' role='alert'><p>⚠ {len(broken)} of the {len(proposed)} proposed configurations in this "
        f"pack {verb} not meet the rules of the specification:</p><ul>{items}</ul></div>",
        True,
    )


def is_alternative(plan: Plan) -> bool:
    """Whether ``plan`` is an alternative (``plan.alternative`` set), not a main proposal.

    Parameters
    ----------
    plan
        Any configuration.

    Returns
    -------
    bool
        :attr:`partition.model.plan.Plan.is_alternative`.
    """
    return plan.is_alternative


def _figure(plan: Plan, colours: Mapping[str, list[str]], titles: Mapping[str, str]) -> str:
    """A configuration's static map with its caption."""
    return (
        f"<figure>{static_map(plan, colours.get(plan.name))}"
        f"<figcaption>Each number is a partnership (see the table below). Simplified boundaries; the interactive "
        f"map shows every school.</figcaption></figure>"
    )


def _recommendation_note(
    proposal: Plan, recommended: set[str], promoted: set[str], alternatives: Sequence[Plan], titles: Mapping[str, str]
) -> str:
    """Under a proposal's heading: that it is recommended, or which alternative is recommended over it."""
    if proposal.name in recommended:
        return "Recommended (see the comparison)."
    over = [a for a in alternatives if a.k == proposal.k and a.name in promoted]
    if over:
        return f"Not the option recommended: {titles.get(over[0].name, over[0].name)}, below, is (see the comparison)."
    return ""


def _proposal(plan: Plan, colours: Mapping[str, list[str]], titles: Mapping[str, str], note: str = "") -> str:
    """A main proposal's section (or a recommended alternative's, with ``note``, plain text, under its heading):
    map, partnerships, pupils chart, and the schools of each partnership."""
    said = f"<p class='travel'>{html_text(note)}</p>" if note else ""
    return (
        f"<section class='configuration'><h2>{html_text(titles[plan.name])}</h2>{said}{_warning(plan)}"
        f"<div class='keep'>{_figure(plan, colours, titles)}{partnership_table(plan, colours.get(plan.name))}</div>"
        f"<h3>Pupils per partnership</h3><p>Each dot is the number of pupils in a partnership's schools "
        f"(colleges and special schools not counted); the shaded band is the allowed range around the average "
        f"(dashed line).</p>{pupils_chart(plan)}{pupils_chart_narrow(plan)}"
        f"{need_section(plan)}"
        f"<h3>Partnerships and their schools</h3><section class='sheets'>{partnership_sheets(plan)}</section>"
        "</section>"
    )


def need_section(plan: Plan) -> str:
    """The "Local need" part of a proposal: each partnership's children, pupils eligible for free school meals
    and children in low-income families, with the sources and dates (empty when the plan has no need figures)."""
    need = plan.details.get("need")
    if not need or "fsm" not in plan.partnerships:
        return ""
    sources = "".join(f"<li>{html_text(s)}</li>" for s in need_sources_text(need))
    return (
        "<h3>Local need</h3><p>Partnerships exist to meet the needs of the children and families they serve. "
        "These figures show how need is shared among them.</p>"
        + _scroll(need_table(plan.partnerships, need, partnership_numbers(plan)), "Local need in each partnership")
        + f"<ul class='sources'>{sources}</ul>"
    )


def main_of(alternative: Plan, proposals: Sequence[Plan]) -> Plan | None:
    """The main proposal an alternative is an alternative to: same k, and the same districts mode when one has it.

    Parameters
    ----------
    alternative
        An alternative (``plan.alternative`` set).
    proposals
        The main proposals of the pack.

    Returns
    -------
    Plan or None
        The proposal, or None when the pack has none of the same k.
    """
    same_k = [p for p in proposals if p.k == alternative.k]
    same = [p for p in same_k if p.spec.districts == alternative.spec.districts]
    return (same or same_k or [None])[0]


def travel_comparison(alternative: Plan, main: Plan, scorecard: pd.DataFrame, titles: Mapping[str, str]) -> str:
    """How an alternative's average travel distance compares with its proposal's, in one plain sentence.

    Parameters
    ----------
    alternative, main
        The alternative and its main proposal (:func:`main_of`).
    scorecard
        :func:`partition.analysis.compare.scorecard` with both (``wdist_km``).
    titles
        ``{configuration name: title}``.

    Returns
    -------
    str
        Plain text, e.g. ``"Average travel distance 3.61 km: shorter than 23 partnerships (proposal for
        consultation), 3.67 km (1.4 % less)."``; empty when either figure is missing.
    """
    try:
        alt, ref = float(scorecard.at[alternative.name, "wdist_km"]), float(scorecard.at[main.name, "wdist_km"])
    except KeyError:
        return ""
    change = (alt - ref) / ref if ref > 0 else 0.0
    if abs(change) < 0.0005:
        how = "the same as"
        tail = ""
    else:
        how = "shorter than" if change < 0 else "longer than"
        tail = f" ({abs(change) * 100:.1f} % {'less' if change < 0 else 'more'})"
    return f"Average travel distance {alt:.2f} km: {how} {titles.get(main.name, main.name)}, {ref:.2f} km{tail}."


def _alternatives_lead(alternatives: Sequence[Plan], proposals: Sequence[Plan], scorecard: pd.DataFrame) -> str:
    """The heading and first paragraph of the alternatives, its claim on travel distance computed from the figures."""
    changes = []
    for alt in alternatives:
        main = main_of(alt, proposals)
        if main is None or alt.name not in scorecard.index or main.name not in scorecard.index:
            continue
        a, m = float(scorecard.at[alt.name, "wdist_km"]), float(scorecard.at[main.name, "wdist_km"])
        if m > 0:
            changes.append((a - m) / m)
    if changes:
        bound = math.ceil(max(abs(c) for c in changes) * 1000) / 10
        travel = f"within {bound:.1f} % of their proposal's average travel distance (each says whether it is shorter or longer)"
    else:
        travel = "close to their proposal on travel distance"
    return (
        f"<h2>Alternatives</h2><p>Other configurations that meet the same rules, {html_text(travel)}, and "
        "different in at least some schools. Their school lists are in their interactive maps.</p>"
    )


def _summary(
    plan: Plan,
    colours: Mapping[str, list[str]],
    titles: Mapping[str, str],
    level: int,
    lead: str = "",
    note: str = "",
) -> str:
    """An alternative's or the current arrangement's section: its map (when proposed) and its partnerships,
    kept on one printed page with ``lead`` (HTML: the heading of a group of them) before it and ``note``
    (plain text, e.g. :func:`travel_comparison`) under its heading."""
    figure = _figure(plan, colours, titles) if plan.solver != CURRENT_SOLVER else ""
    said = f"<p class='travel'>{html_text(note)}</p>" if note else ""
    return (
        f"<div class='keep'>{lead}<h{level}>{html_text(titles[plan.name])}</h{level}>{said}{_warning(plan)}{figure}"
        f"{partnership_table(plan, colours.get(plan.name) if figure else None)}</div>"
    )


def _run_colours(plans: list[Plan]) -> dict[str, list[str]]:
    """The interactive maps' colours (:func:`partition.report.maps.colours.run_colours` of the same plans)."""
    from partition.report.maps.colours import run_colours

    return run_colours(plans)


def _alternatives_section(
    alternatives: list[Plan],
    proposals: list[Plan],
    scorecard: pd.DataFrame,
    colours: Mapping[str, list[str]],
    titles: Mapping[str, str],
) -> str:
    """The alternatives' section: a lead, then each with its map and partnerships and how it compares with its
    proposal ("" when there is none)."""
    if not alternatives:
        return ""
    lead = _alternatives_lead(alternatives, proposals, scorecard)
    notes = [
        travel_comparison(p, main, scorecard, titles) if (main := main_of(p, proposals)) is not None else ""
        for p in alternatives
    ]
    summaries = "".join(
        _summary(p, colours, titles, 3, lead if i == 0 else "", notes[i]) for i, p in enumerate(alternatives)
    )
    return f"<section class='configuration'>{summaries}</section>"


def _within_section(
    within: list[Plan],
    proposals: list[Plan],
    scorecard: pd.DataFrame,
    colours: Mapping[str, list[str]],
    titles: Mapping[str, str],
) -> str:
    """The within-districts configurations, shown beside the proposals so the price of keeping districts whole
    can be seen: a lead saying what they keep and what it costs in size, then each with its map, partnerships and
    how its travel compares ("" when there is none)."""
    if not within:
        return ""
    spread = sorted({t for t in map(_tolerance, within) if t is not None})
    proposed = sorted({t for t in map(_tolerance, proposals) if t is not None})
    sizes = (
        f"partnerships must be allowed to differ more in size: up to ±{spread[-1]:.0%} of the average"
        + (f", against ±{proposed[-1]:.0%} in the proposals" if proposed else "")
        if spread
        else "partnerships must be allowed to differ more in size"
    )
    lead = (
        "<h2>Keeping to district boundaries</h2><p>District councils work with the partnerships on housing, leisure "
        "and early help. In the configurations <em>within districts</em> every partnership lies inside one district; "
        "in those <em>mostly within districts</em> a partnership crosses a district boundary only where that saves "
        f"much travel. To keep to the boundaries, {html_text(sizes)}. They are shown so that this choice can be "
        "seen, not proposed.</p>"
    )
    notes = [_family_note(p, proposals, scorecard, titles) for p in within]
    summaries = "".join(_summary(p, colours, titles, 3, lead if i == 0 else "", notes[i]) for i, p in enumerate(within))
    return f"<section class='configuration'>{summaries}</section>"


def _family_note(plan: Plan, proposals: list[Plan], scorecard: pd.DataFrame, titles: Mapping[str, str]) -> str:
    """The districts it keeps whole, then how its travel compares with the proposal of its k."""
    main = main_of(plan, proposals)
    travel = travel_comparison(plan, main, scorecard, titles) if main is not None else ""
    return " ".join(t for t in (_districts_note(plan), travel) if t)


def _districts_note(plan: Plan) -> str:
    """``"11 of 11 districts kept whole; 23 of 23 partnerships inside one district."`` (see
    :func:`partition.analysis.compare.districts_whole`)."""
    from partition.analysis.compare import districts_whole

    total = int(plan.assignments["district"].nunique()) if "district" in plan.assignments else 0
    if not total:
        return ""
    inside = int((plan.assignments.groupby("partnership_id")["district"].nunique() == 1).sum())
    return (
        f"{districts_whole(plan)} of {total} districts kept whole; {inside} of {plan.k} partnerships inside one "
        "district."
    )


def _planners_section(maps: Sequence[WrittenMap], titles: Mapping[str, str]) -> str:
    """The planners' editor links of the appendix ("" when no editor was written)."""
    planner_links = [m for m in maps if any(m.kind in kinds for _, kinds in PLANNER_GROUPS)]
    if not planner_links:
        return ""
    return (
        "<h3>For planners: edit a proposal</h3><p>Each editor opens a configuration to move schools between "
        "partnerships, with the figures updated as you go, and exports the result as a CSV.</p>"
        + _links(planner_links, titles, PLANNER_GROUPS)
    )


def consultation_pack(
    plans: list[Plan],
    scorecard: pd.DataFrame,
    maps: Sequence[WrittenMap],
    sources: list[dict[str, str]],
    *,
    title: str = "Local children's partnerships: configurations for consultation",
    colours: Mapping[str, list[str]] | None = None,
) -> str:
    """The pack as one HTML string.

    Parameters
    ----------
    plans
        The configurations, the current arrangement among them (it is labelled as such, not proposed).
        Main proposals get a map, their partnerships, a pupils chart and their school lists; alternatives
        (``plan.alternative``) a map and their partnerships; the current arrangement its partnerships.
    scorecard
        :func:`partition.analysis.compare.scorecard` of ``plans`` (with ensemble ranks or not).
    maps
        The maps written (:class:`partition.report.maps.WrittenMap`, paths relative to the pack's folder),
        listed by :data:`MAP_GROUPS` in the order given; each link is named by :func:`map_link_text`.
    sources
        :func:`data_sources` (``what``, ``file``, ``date``); a ``path`` is shown as its file name only.
    title
        The page's heading.
    colours
        ``{plan name: colours in row order}`` as the interactive maps use (``map_options(...)["colours"]``);
        by default :func:`partition.report.maps.colours.run_colours` of ``plans``, which is the same for the same plans.

    Returns
    -------
    str
        A complete HTML page (UTF-8).
    """
    titles = plain_titles(plans)
    for name in scorecard.index:
        titles.setdefault(str(name), str(name))
    colours = dict(colours) if colours is not None else _run_colours(plans)
    banner, broken = _banner(plans, titles)
    page_title = ("⚠ Some configurations do not meet the rules — " if broken else "") + title
    family = family_members(plans)
    proposals = [p for p in plans if p.solver != CURRENT_SOLVER and not is_alternative(p) and p.name not in family]
    alternatives = [p for p in plans if p.solver != CURRENT_SOLVER and is_alternative(p)]
    current = [p for p in plans if p.solver == CURRENT_SOLVER]
    # an alternative recommended over its proposal gets the proposal's full section (school lists) beside it
    chosen = recommend_plans(plans, scorecard, titles)
    promoted = {r.name for r in chosen if r.is_alternative}
    recommended = {r.name for r in chosen}
    by_k = {p.k: [a for a in alternatives if a.k == p.k and a.name in promoted] for p in proposals}
    sections = "".join(
        _proposal(p, colours, titles, _recommendation_note(p, recommended, promoted, alternatives, titles))
        + "".join(
            _proposal(
                a, colours, titles, "Recommended (see the comparison). " + travel_comparison(a, p, scorecard, titles)
            )
            for a in by_k[p.k]
        )
        for p in proposals
    )
    alternatives = [a for a in alternatives if a.name not in promoted]
    sections += _alternatives_section(alternatives, proposals, scorecard, colours, titles)
    within = [p for p in plans if p.name in family]
    sections += _within_section(within, proposals, scorecard, colours, titles)
    planners = _planners_section(maps, titles)
    for p in current:
        sections += (
            f"<section class='configuration'>{_summary(p, colours, titles, 2)}<p>Shown for comparison: one "
            "partnership per district, as today.</p></section>"
        )
    tolerance = next((t for t in map(_tolerance, proposals) if t is not None), None)
    band = f"within ±{tolerance:.0%} of the average" if tolerance is not None else "close to the average"
    membership = _membership_html(plans, sources)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html_text(page_title)}</title><style>{STYLE}</style></head><body>
<h1>{html_text(title)}</h1>
{banner}
<p>Prepared {dt.date.today():%-d %B %Y}. Each configuration places every school in one partnership. Each partnership is
one connected area with a secondary or all-through school where the rules ask for one; in the proposals and their
alternatives its pupils are {band}.
The current arrangement (one partnership per district) is shown for comparison.</p>
{membership}<p class='note'>The interactive maps are in the same folder as this file: open them in a web browser to see every
school. Printed, each link shows the name of its file.</p>
<h2>Maps</h2>{_links(maps, titles)}
<h2>Comparison</h2>
{public_comparison_html(plans, scorecard, titles)}
{recommended_html(plans, scorecard, titles)}
{sections}
<section class='appendix'><h2>For analysts and planners</h2>
<p>The measures below are for people checking the method; the figures above are all a reader needs. Each
configuration's folder name (its data files and interactive map) is given under its title.</p>
{comparison_html(scorecard, titles)}
{planners}</section>
<h2>Data sources</h2>{_sources_html(sources)}<p>{html_text(attribution(sources))}</p>
</body></html>
"""
