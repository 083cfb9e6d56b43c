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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from partition.analysis.recommend import family_members, recommend_plans
from partition.core.htmltext import html_href, html_text
from partition.core.wording import counted, plural
from partition.model.plan import Plan
from partition.report.charts import OUTSIDE, pupils_chart, pupils_chart_narrow, size_difference, tolerance_of
from partition.report.memberlists import member_lists, membership_html
from partition.report.needwords import fsm_sentence, need_sources_text, need_table
from partition.report.sources import attribution, sources_html
from partition.report.static_map import partnership_numbers, static_map
from partition.report.tables import (
    CURRENT_SOLVER,
    comparison_html,
    plain_titles,
    public_comparison_html,
    recommended_html,
    scroll_box,
)

if TYPE_CHECKING:
    from partition.report.maps import WrittenMap

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
    each link named by :func:`map_link_text`; a sentence when no map was drawn.
    """
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


def member_cells(row, shown: bool) -> str:
    """The colleges and special schools of a partnership (``row.colleges``, ``row.special_schools``) as two
    number cells, or nothing when not ``shown``.
    """
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
    return scroll_box(table, caption)


def _need_words(plan: Plan, row) -> str:  # noqa: ANN001 - a row of plan.partnerships
    """The need words of a partnership's sheet, "; 1 in 5 pupils eligible for free school meals, above the county's 1 in 7" (empty without figures)."""
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
            + scroll_box(
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
    map, partnerships, pupils chart, and the schools of each partnership.
    """
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
    and children in low-income families, with the sources and dates (empty when the plan has no need figures).
    """
    need = plan.details.get("need")
    if not need or "fsm" not in plan.partnerships:
        return ""
    sources = "".join(f"<li>{html_text(s)}</li>" for s in need_sources_text(need))
    return (
        "<h3>Local need</h3><p>Partnerships exist to meet the needs of the children and families they serve. "
        "These figures show how need is shared among them.</p>"
        + scroll_box(need_table(plan.partnerships, need, partnership_numbers(plan)), "Local need in each partnership")
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
    (plain text, e.g. :func:`travel_comparison`) under its heading.
    """
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
    proposal ("" when there is none).
    """
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
    how its travel compares ("" when there is none).
    """
    if not within:
        return ""
    spread = sorted({t for t in map(tolerance_of, within) if t is not None})
    proposed = sorted({t for t in map(tolerance_of, proposals) if t is not None})
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
    :func:`partition.analysis.agreement.districts_whole`).
    """
    from partition.analysis.agreement import districts_whole

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
    tolerance = next((t for t in map(tolerance_of, proposals) if t is not None), None)
    band = f"within ±{tolerance:.0%} of the average" if tolerance is not None else "close to the average"
    membership = membership_html(plans, sources)
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
<h2>Data sources</h2>{sources_html(sources)}<p>{html_text(attribution(sources))}</p>
</body></html>
"""
