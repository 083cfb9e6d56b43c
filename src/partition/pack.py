"""The consultation pack: one HTML page per run for people who will read it, not run it.

It holds links to the maps (named by configuration), the comparison tables
(human column names with units, and what each measure means), a chart per
configuration (pupils per partnership against the ±tolerance band, inline
SVG), a sheet per partnership listing its schools and figures, and the data
sources: file names and the dates the data itself carries, never a machine's
paths or file times. The current arrangement (one partnership per district,
:data:`CURRENT_SOLVER`) is shown for comparison, not proposed.

It reads well on a screen (nothing scrolls sideways at 1400 px) and prints
on A4 portrait: the tables fit the page, school lists print expanded, and each
partnership sheet starts a page. It is accessible: headings in order, table
captions, ``<th scope>``, a colour-blind-safe palette (Okabe–Ito) with
sufficient contrast, and ``lang``.

The page is built from Python strings and is never rendered as a template.
Every text from data (configuration, partnership, school, district and file
names, the title) goes through :func:`partition.htmltext.html_text`, the same
path as the maps, and every link through :func:`partition.htmltext.html_href`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from partition.compare import COLUMNS, ENSEMBLE_METRICS, Column, columns_of, rank_key
from partition.htmltext import html_href, html_text
from partition.plan import Plan

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Schools: Department for Education, Get Information About Schools. Boundaries: Office for National Statistics; "
    "contains Ordnance Survey data © Crown copyright and database right."
)

CURRENT_SOLVER = "districts"
"""``Plan.solver`` of the current arrangement (:func:`partition.planner.district_plan`): shown for comparison, not proposed."""

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
a{{color:#004f80}} code,.code{{font:12px monospace;color:#444}}
table{{border-collapse:collapse;font-size:13px;margin:.5em 0 1.2em;max-width:100%}}
caption{{text-align:left;font-weight:600;padding:4px 0}}
td,th{{border:1px solid #999;padding:3px 6px;vertical-align:top}}
thead th{{background:#eef2f5;font-weight:600;text-align:left}} tbody th{{text-align:left;font-weight:600}}
td.num{{text-align:right;font-variant-numeric:tabular-nums}}
.unit{{display:block;font-weight:400;color:#444}}
.warning{{border:2px solid {WARNING};color:{WARNING};padding:4px 10px;margin:8px 0;font-weight:600}}
.outside{{color:{OUTSIDE};font-weight:600}}
dl.legend dt{{font-weight:600}} dl.legend dd{{margin:0 0 .4em 1.2em}}
svg{{max-width:100%;height:auto}}
details{{margin:6px 0}} summary{{cursor:pointer}}
.sheet table{{width:100%}}
@media print {{
  @page {{size:A4 portrait;margin:14mm 12mm}}
  body{{font-size:10pt;margin:0;max-width:none;padding:0}}
  table{{font-size:8pt;width:100%;table-layout:auto;page-break-inside:auto}}
  td,th{{padding:1px 3px}} td.num{{white-space:nowrap}}
  thead{{display:table-header-group}} tr{{break-inside:avoid}}
  a{{color:#000;text-decoration:none}} .code{{font-size:7pt}}
  details>summary{{list-style:none}} details>summary::-webkit-details-marker{{display:none}}
  details::details-content{{content-visibility:visible;display:block}}
  .partnership{{break-before:page}}
  h2,h3{{break-after:avoid}} svg{{break-inside:avoid}}
}}
"""
"""The page's stylesheet: screen, and A4 portrait print."""


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
        ``"Current arrangement: 11 district partnerships"``, or the plan's name.
    """
    if plan.solver == CURRENT_SOLVER:
        return f"Current arrangement: {plan.k} district partnerships"
    if plan.alternative is not None:
        return f"{plan.k} partnerships (alternative {plan.alternative})"
    if re.fullmatch(rf"k{plan.k}-[A-Za-z]+(?:-[A-Za-z0-9_.]+)*", plan.name) is None:
        return plan.name
    return f"{plan.k} partnerships (proposal for consultation)"


def plain_titles(plans: Iterable[Plan]) -> dict[str, str]:
    """``{name: title}`` (see :func:`plain_title`); titles two plans would share get the name added."""
    plans = list(plans)
    titles = {p.name: plain_title(p) for p in plans}
    shared = {t for t in titles.values() if list(titles.values()).count(t) > 1}
    return {n: f"{t} – {n}" if t in shared and t != n else t for n, t in titles.items()}


def _title_cell(name: str, titles: Mapping[str, str]) -> str:
    """A configuration's title, with its folder name under it when they differ."""
    title = titles.get(name, name)
    code = f"<span class='code unit'>{html_text(name)}</span>" if title != name else ""
    return f"{html_text(title)}{code}"


def link_text(href: str, titles: Mapping[str, str]) -> str:
    """What a map link shows: the configuration(s) it is about in plain words, never just ``map.html``.

    Parameters
    ----------
    href
        A relative link: ``<name>/map.html``, ``side-by-side_<a>_<b>.html``, ``changes_<a>_to_<b>.html``,
        ``all-configurations.html`` or any other file.
    titles
        ``{configuration name: title}`` (see :func:`plain_titles`).

    Returns
    -------
    str
        Plain text (not yet HTML-escaped).
    """
    path = Path(href)
    if len(path.parts) > 1 and path.parts[0] in titles:
        rest = path.stem.replace("-", " ").replace("_", " ")
        return titles[path.parts[0]] if path.name == "map.html" else f"{titles[path.parts[0]]}: {rest}"
    stem = path.stem
    if stem == "all-configurations":
        return "All configurations on one map (switch between them)"
    for prefix, join, label, between in (
        ("side-by-side_", "_", "Side by side", "and"),
        ("changes_", "_to_", "Schools that change", "→"),
    ):
        pair = _pair(stem.removeprefix(prefix), join, titles) if stem.startswith(prefix) else None
        if pair:
            return f"{label}: {titles[pair[0]]} {between} {titles[pair[1]]}"
    return stem.replace("_", " ").replace("-", " ")


def _pair(text: str, join: str, titles: Mapping[str, str]) -> tuple[str, str] | None:
    """``text`` split at ``join`` into two known configuration names, or None."""
    for i in [m.start() for m in re.finditer(re.escape(join), text)]:
        a, b = text[:i], text[i + len(join) :]
        if a in titles and b in titles:
            return a, b
    return None


def _links(maps: Mapping[str, list[str]], titles: Mapping[str, str]) -> str:
    """The map links as a list, one item per group, each link named by :func:`link_text`."""
    return "".join(
        f"<li>{html_text(label)}:<ul>"
        + "".join(f"<li><a href='{html_href(href)}'>{html_text(link_text(href, titles))}</a></li>" for href in hrefs)
        + "</ul></li>"
        for label, hrefs in maps.items()
    )


def _warning(plan: Plan) -> str:
    """The plan's warning (see :meth:`partition.plan.Plan.warning`) as an HTML paragraph, or nothing."""
    text = plan.warning()
    return f"<p class='warning'>⚠ {html_text(text)}</p>" if text else ""


# --- the comparison tables ---------------------------------------------------------------------------

MEETS_RULES = Column(
    "meets_rules", "meets the rules", "", "yes when the configuration meets every rule of its specification."
)
"""The pack's plain version of ``status``."""

GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "Size and distance",
        (
            "k",
            "meets_rules",
            "contiguous",
            "wdist_km",
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
            "schools_moved",
            "ari",
            "vi",
        ),
    ),
    ("Against random valid plans", (*(rank_key(m) for m in ENSEMBLE_METRICS), "rank_note")),
)
"""The pack's comparison tables: caption and columns (keys of :func:`partition.compare.scorecard`)."""

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


def public_columns(table: pd.DataFrame) -> list[tuple[str, list[Column]]]:
    """The pack's tables for ``table``: ``(caption, columns)``, each with the columns ``table`` has.

    Ensemble rank columns are headed by the measure alone (the caption says what the share is); columns
    not in :data:`GROUPS` (nor :data:`LEFT_OUT`) go to a last table, "Other figures".

    Parameters
    ----------
    table
        A :func:`partition.compare.scorecard` frame, with ``meets_rules`` added when it has ``status``.

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
    return (
        f"<table class='scorecard'><caption>{html_text(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    )


def comparison_html(table: pd.DataFrame, titles: Mapping[str, str]) -> str:
    """The comparison tables (see :func:`public_columns`) and what each measure means.

    Parameters
    ----------
    table
        A :func:`partition.compare.scorecard` frame, with or without ensemble ranks.
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
    terms = "".join(
        f"<dt>{html_text(c.label[:1].upper() + c.label[1:])}{f' ({html_text(c.unit)})' if c.unit else ''}</dt>"
        f"<dd>{html_text(c.definition)}</dd>"
        for _, columns in groups
        for c in columns
        if c.definition
    )
    return f"{tables}<h3>What the measures mean</h3><dl class='legend'>{terms}</dl>"


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
    t = plan.partnerships.sort_values("pupils")
    mean = plan.assignments["pupils"].sum() / plan.k
    tol = _tolerance(plan)
    lo_band, hi_band = (mean * (1 - tol), mean * (1 + tol)) if tol is not None else (mean, mean)
    low = min(float(t["pupils"].min()), lo_band)
    high = max(float(t["pupils"].max()), hi_band)
    pad = (high - low) * 0.08 or mean * 0.1 or 1
    low, high = max(0.0, low - pad), high + pad
    longest = max((len(str(n)) for n in t["name"]), default=0)
    left = int(min(max(120, 12 + 6.8 * longest), width * 0.45))  # room for the longest name at 12 px
    right, top = width - 120, 34
    x = lambda v: left + (v - low) / (high - low) * (right - left)  # noqa: E731
    bottom = top + row_height * len(t)
    height = bottom + 40
    label = f"Pupils per partnership in {plan.name}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{html_text(label)}" style="font:12px sans-serif"><title>{html_text(label)}</title>'
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


def partnership_sheets(plan: Plan) -> str:
    """One sheet per partnership: its figures and its schools (open on screen, one printed page each)."""
    out = []
    a = plan.assignments
    for row in plan.partnerships.itertuples():
        schools = a[a["partnership_id"] == row.id].sort_values(["kind", "name"])
        rows = "".join(
            f"<tr><td class='num'>{int(s.URN)}</td><td>{html_text(s.name)}</td><td>{html_text(s.kind)}</td>"
            f"<td>{html_text(s.district)}</td><td class='num'>{int(s.pupils):,}</td></tr>"
            for s in schools.itertuples()
        )
        out.append(
            f"<details open class='partnership'><summary><b>{html_text(row.id)} {html_text(row.name)}</b> — "
            f"{int(row.schools)} schools, {int(row.pupils):,} pupils ({row.deviation * 100:+.1f} % of the average), "
            f"{int(row.anchors)} secondary/all-through/college, {html_text(row.districts)}</summary>"
            f"<table><caption>Schools of {html_text(row.name)}</caption><thead><tr><th scope='col'>URN</th>"
            f"<th scope='col'>School</th><th scope='col'>Phase</th><th scope='col'>District</th>"
            f"<th scope='col'>Pupils</th></tr></thead><tbody>{rows}</tbody></table></details>"
        )
    return "\n".join(out)


# --- data sources ------------------------------------------------------------------------------------


def data_sources(files: Mapping[str, str], schools: pd.DataFrame | None = None) -> list[dict[str, str]]:
    """The pack's data sources: what each file is, its name, and the date the data carries.

    Parameters
    ----------
    files
        ``{"schools": path, "boundaries": path, ...}`` (``Dataset.sources``); only the file name is kept.
    schools
        The schools frame; its latest ``last_changed`` (GIAS ``LastChangedDate``) dates the schools data.

    Returns
    -------
    list of dict
        ``what``, ``file`` and ``date`` (plain text; ``date`` empty when neither the data nor the file
        name carry one).
    """
    what = {"schools": "Schools and colleges", "boundaries": "District boundaries", "population": "Population"}
    out = []
    for key, path in files.items():
        name = Path(str(path)).name
        date = ""
        if key == "schools" and schools is not None and "last_changed" in schools:
            latest = pd.to_datetime(schools["last_changed"]).max()
            if pd.notna(latest):
                date = f"records last changed on or before {latest:%-d %B %Y} (GIAS LastChangedDate)"
        if not date:
            years = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", name)
            date = f"{years[-1]} (from the file name)" if years else ""
        out.append({"what": what.get(key, key), "file": name, "date": date})
    return out


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
    verb = "does" if len(broken) == 1 else "do"
    return (
        f"<div class='warning' role='alert'><p>⚠ {len(broken)} of the {len(proposed)} proposed configurations in this "
        f"pack {verb} not meet the rules of the specification:</p><ul>{items}</ul></div>",
        True,
    )


def consultation_pack(
    plans: list[Plan],
    scorecard: pd.DataFrame,
    maps: dict[str, list[str]],
    sources: list[dict[str, str]],
    *,
    title: str = "Local children's partnerships: configurations for consultation",
) -> str:
    """The pack as one HTML string.

    Parameters
    ----------
    plans
        The configurations, the current arrangement among them (it is labelled as such, not proposed).
    scorecard
        :func:`partition.compare.scorecard` of ``plans`` (with ensemble ranks or not).
    maps
        ``{group label: [relative links]}``; each link is named by :func:`link_text`.
    sources
        :func:`data_sources` (``what``, ``file``, ``date``); a ``path`` is shown as its file name only.
    title
        The page's heading.

    Returns
    -------
    str
        A complete HTML page (UTF-8).
    """
    titles = plain_titles(plans)
    for name in scorecard.index:
        titles.setdefault(str(name), str(name))
    banner, broken = _banner(plans, titles)
    page_title = ("⚠ Some configurations do not meet the rules — " if broken else "") + title
    charts = "".join(f"<h3>{html_text(titles[p.name])}</h3>{_warning(p)}{pupils_chart(p)}" for p in plans)
    sheets = "".join(
        f"<section class='sheets'><h3>{html_text(titles[p.name])}</h3>{_warning(p)}{partnership_sheets(p)}</section>"
        for p in plans
    )
    tolerance = next((t for t in map(_tolerance, plans) if t is not None), None)
    band = f"within ±{tolerance:.0%} of the average" if tolerance is not None else "close to the average"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html_text(page_title)}</title><style>{STYLE}</style></head><body>
<h1>{html_text(title)}</h1>
{banner}
<p>Prepared {dt.date.today():%-d %B %Y}. Each configuration places every school in one partnership. Each partnership is
one connected area, its pupils {band}, with a secondary or all-through school or college where the rules ask for one.
The current arrangement (one partnership per district) is shown for comparison.</p>
<h2>Maps</h2><ul>{_links(maps, titles)}</ul>
<h2>Comparison</h2>
{comparison_html(scorecard, titles)}
<h2>Pupils per partnership</h2>
<p>Each dot is a partnership's pupils; the shaded band is the allowed range around the average (dashed line).</p>
{charts}
<h2>Partnerships and their schools</h2>{sheets}
<h2>Data sources</h2>{_sources_html(sources)}<p>{html_text(ATTRIBUTION)}</p>
</body></html>
"""
