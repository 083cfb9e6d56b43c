"""The consultation pack: one HTML page per run for people who will read it, not run it.

It holds the comparison table, links to the maps, a simple chart per
configuration (pupils per partnership against the ±tolerance band, inline
SVG), a sheet per partnership listing its schools and figures, and a note on
data sources, dates and OGL attribution.

The page is built from Python strings and is never rendered as a template.
Every text from data (configuration, partnership, school, district and file
names, the title) goes through :func:`partition.htmltext.html_text`, the same
path as the maps, and every link through :func:`partition.htmltext.html_href`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from partition.htmltext import html_href, html_text
from partition.plan import Plan

ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Schools: Department for Education, Get Information About Schools. Boundaries: Office for National Statistics; "
    "contains Ordnance Survey data © Crown copyright and database right."
)


def _cell(value: object) -> str:
    """A table cell's text: floats to 3 decimals, missing values empty."""
    if value is None or (not isinstance(value, str) and pd.api.types.is_scalar(value) and pd.isna(value)):
        return ""
    if isinstance(value, float):  # numpy float64 is a float too
        return f"{value:.3f}"
    return str(value)


WARNING_STYLE = "border:2px solid #b00000;color:#b00000;padding:4px 10px;margin:8px 0;font-weight:600"
"""Style of the warning for a configuration that does not meet its rules."""


CURRENT_SOLVER = "districts"
"""``Plan.solver`` of the current arrangement (:func:`partition.planner.district_plan`): shown for comparison, not proposed."""


def _warning(plan: Plan) -> str:
    """The plan's warning (see :meth:`partition.plan.Plan.warning`) as an HTML paragraph, or nothing."""
    text = plan.warning()
    return f"<p class='warning' style='{WARNING_STYLE}'>⚠ {html_text(text)}</p>" if text else ""


def table_html(table: pd.DataFrame) -> str:
    """An HTML table of ``table`` (index first); every header and cell goes through ``html_text``."""
    header = "".join(f"<th>{html_text(c)}</th>" for c in [table.index.name or "", *table.columns])
    rows = "".join(
        f"<tr><th>{html_text(index)}</th>" + "".join(f"<td>{html_text(_cell(v))}</td>" for v in values) + "</tr>"
        for index, values in zip(table.index, table.itertuples(index=False, name=None))
    )
    return f"<table class='scorecard'><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>"


def pupils_chart(plan: Plan, width: int = 760, bar_height: int = 16) -> str:
    """Horizontal bars of pupils per partnership, with the mean and the tolerance band (inline SVG)."""
    t = plan.partnerships.sort_values("pupils")
    mean = plan.assignments["pupils"].sum() / plan.k
    tol = next((b.tolerance for b in plan.spec.size if b.attribute == "pupils" and b.tolerance is not None), None)
    top = max(float(t["pupils"].max()), mean * (1 + (tol or 0))) * 1.05
    left, right = 250, width - 20
    scale = (right - left) / top
    height = 30 + bar_height * len(t) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'aria-label="Pupils per partnership in {html_text(plan.name)}" style="font:11px sans-serif">'
    ]
    if tol is not None:
        x0, x1 = left + mean * (1 - tol) * scale, left + mean * (1 + tol) * scale
        parts.append(f'<rect x="{x0:.1f}" y="20" width="{x1 - x0:.1f}" height="{bar_height * len(t)}" fill="#e5f5e0"/>')
        parts.append(f'<text x="{x0:.1f}" y="14">−{tol:.0%}</text><text x="{x1:.1f}" y="14">+{tol:.0%}</text>')
    xm = left + mean * scale
    for i, row in enumerate(t.itertuples()):
        y = 20 + i * bar_height
        colour = "#2b8cbe" if tol is None or abs(row.pupils / mean - 1) <= tol + 1e-9 else "#d7301f"
        parts.append(f'<text x="{left - 6}" y="{y + bar_height - 4}" text-anchor="end">{html_text(row.name)}</text>')
        parts.append(
            f'<rect x="{left}" y="{y + 2}" width="{row.pupils * scale:.1f}" height="{bar_height - 4}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{left + row.pupils * scale + 4:.1f}" y="{y + bar_height - 4}">{int(row.pupils):,}</text>'
        )
    parts.append(
        f'<line x1="{xm:.1f}" x2="{xm:.1f}" y1="18" y2="{20 + bar_height * len(t)}" stroke="#000" stroke-dasharray="3 2"/>'
    )
    parts.append(f'<text x="{xm:.1f}" y="{height - 4}" text-anchor="middle">mean {mean:,.0f}</text></svg>')
    return "".join(parts)


def partnership_sheets(plan: Plan) -> str:
    """One collapsible sheet per partnership: its figures and its schools."""
    out = []
    a = plan.assignments
    for row in plan.partnerships.itertuples():
        schools = a[a["partnership_id"] == row.id].sort_values(["kind", "name"])
        rows = "".join(
            f"<tr><td>{int(s.URN)}</td><td>{html_text(s.name)}</td><td>{html_text(s.kind)}</td><td>{html_text(s.district)}</td><td style='text-align:right'>{int(s.pupils):,}</td></tr>"
            for s in schools.itertuples()
        )
        out.append(
            f"<details><summary><b>{html_text(row.id)} {html_text(row.name)}</b> — {int(row.schools)} schools, {int(row.pupils):,} pupils "
            f"({row.deviation * 100:+.1f} % of the mean), {int(row.anchors)} secondary/all-through/college, {html_text(row.districts)}</summary>"
            f"<table><tr><th>URN</th><th>School</th><th>Phase</th><th>District</th><th>Pupils</th></tr>{rows}</table></details>"
        )
    return "\n".join(out)


def consultation_pack(
    plans: list[Plan],
    scorecard: pd.DataFrame,
    maps: dict[str, list[str]],
    sources: list[dict[str, str]],
    *,
    title: str = "Local children's partnerships: configurations for consultation",
) -> str:
    """The pack as one HTML string. ``maps`` maps a label to relative links; ``sources`` lists input files."""
    table = scorecard.copy()
    table.index.name = "configuration"
    links = "".join(
        f"<li>{html_text(label)}: "
        + ", ".join(f"<a href='{html_href(href)}'>{html_text(Path(href).name)}</a>" for href in hrefs)
        + "</li>"
        for label, hrefs in maps.items()
    )
    charts = "".join(
        f"<h3>{html_text(p.name)}: pupils per partnership</h3>{_warning(p)}{pupils_chart(p)}" for p in plans
    )
    sheets = "".join(f"<h3>{html_text(p.name)}</h3>{_warning(p)}{partnership_sheets(p)}" for p in plans)
    proposed = [p for p in plans if p.solver != CURRENT_SOLVER]  # the current arrangement warns in its own sheet
    broken = [p for p in proposed if p.warning()]
    warnings = (
        f"<div class='warning' style='{WARNING_STYLE}'><p>⚠ {len(broken)} of the {len(proposed)} proposed configurations "
        f"in this pack {'does' if len(broken) == 1 else 'do'} not meet the rules of the specification:</p><ul>"
        + "".join(f"<li>{html_text(p.name)}: {html_text(p.warning())}</li>" for p in broken)
        + "</ul></div>"
        if broken
        else ""
    )
    page_title = ("⚠ Some configurations do not meet the rules — " if broken else "") + title
    source_rows = "".join(
        f"<li><code>{html_text(s['path'])}</code> ({html_text(s.get('modified', ''))}, sha256 {html_text(s.get('sha256', '')[:12])}…)</li>"
        for s in sources
    )
    today = dt.date.today().isoformat()
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html_text(page_title)}</title>
<style>body{{font:14px/1.45 sans-serif;margin:2em auto;max-width:1100px;color:#222}}table{{border-collapse:collapse;font-size:12px}}
td,th{{border:1px solid #ccc;padding:2px 6px;vertical-align:top}}th{{background:#f3f3f3}}details{{margin:4px 0}}h1{{font-size:22px}}</style>
</head><body>
<h1>{html_text(title)}</h1>
{warnings}
<p>Prepared {today} with partition. Each configuration groups every school into one partnership; each partnership is one
connected area, its pupils within the stated tolerance of the mean, with a secondary or all-through school or college where asked.
<b>wdist</b> is the average distance (km, weighted by pupils) from a school to the centre of its partnership: smaller is more compact.</p>
<h2>Maps</h2><ul>{links}</ul>
<h2>Comparison</h2>
{table_html(table)}
<h2>Pupils per partnership</h2>{charts}
<h2>Partnerships and their schools</h2>{sheets}
<h2>Data sources</h2><ul>{source_rows}</ul><p>{html_text(ATTRIBUTION)}</p>
</body></html>
"""
