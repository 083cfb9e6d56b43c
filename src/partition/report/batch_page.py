"""The national summary page of a batch (``index.html``): every LA, its outcome and a link to its map.

One self-contained page (no script, no network). Every value from data — LA names, reasons,
configuration names, file names — reaches the HTML through :func:`partition.core.htmltext.html_text`
and :func:`partition.core.htmltext.html_href` only.
"""

from __future__ import annotations

import pandas as pd

from partition.core.htmltext import html_href, html_text

SUMMARY_DEFINITIONS = {
    "la": "DfE LA code",
    "authority": "LA name (GIAS LA (name))",
    "status": "valid, violated (written but breaks a rule), refused (with the reason), failed (a fault of partition)",
    "schools": "schools placed in the plan",
    "excluded": "records of the LA left out, each with its reason in the LA's plan.json",
    "k": "number of partnerships",
    "configuration": "the configuration's folder inside the LA's folder",
    "wdist_km": "pupil-weighted mean distance (km) from each school to its partnership's centre",
    "max_deviation_pct": "largest difference (%) of a partnership's pupils from the average",
    "partnerships_without_anchor": "partnerships with no secondary, all-through school or college",
    "seconds": "wall time of the LA's job (s), all its configurations",
    "warnings": "data warnings while loading and planning the LA",
    "map": "the configuration's map, relative to the batch folder",
    "reason": "why the LA was refused or failed, the rules broken, or a note (k = 1: the whole LA is one partnership)",
}


STATUS_WORDS = {
    "valid": "planned",
    "violated": "planned, breaks a rule",
    "refused": "not planned",
    "failed": "failed (fault of partition)",
}
"""How each outcome reads on the page."""

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; margin: 0 0 .3rem; }
p.lead { margin: .2rem 0 1rem; color: #444; }
.counts span { display: inline-block; margin-right: 1.2rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin-top: .8rem; }
th, td { padding: .25rem .55rem; border-bottom: 1px solid #ddd; text-align: left; vertical-align: top; }
th { background: #f2f2f2; position: sticky; top: 0; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.refused td, tr.failed td { background: #fff6e5; }
tr.violated td { background: #fdecec; }
td.reason { min-width: 16rem; max-width: 36rem; }
td a { white-space: nowrap; }
p.cue { display: none; font-size: .85rem; color: #555; }
@media (max-width: 700px) { p.cue { display: block; } }
dl { margin-top: 1.5rem; font-size: .9rem; color: #333; }
dt { font-weight: 600; }
dd { margin: 0 0 .4rem 1rem; }
@media print { th { position: static; } .scroll { overflow: visible; } }
"""


def _number(value: object, digits: int) -> str:
    """A figure for a table cell; blank when missing."""
    if value is None or pd.isna(value):
        return ""
    return f"{float(value):,.{digits}f}"


def _row(row: pd.Series) -> str:
    """One table row."""
    status = str(row["status"])
    link = ""
    if isinstance(row["map"], str) and row["map"]:
        editor = row["map"].rsplit("/", 1)[0] + "/edit.html"
        link = (
            f'<a href="{html_href(row["map"])}">map</a> · <a href="{html_href(editor)}">editor</a>'
            f"<br><small>{html_text(row['configuration'])}</small>"
        )
    elif isinstance(row["configuration"], str):
        link = html_text(row["configuration"])
    cells = [
        html_text(row["la"]),
        html_text(row["authority"]),
        html_text(STATUS_WORDS.get(status, status)),
        f'<td class="num">{_number(row["schools"], 0)}',
        f'<td class="num">{_number(row["k"], 0)}',
        link,
        f'<td class="num">{_number(row["wdist_km"], 2)}',
        f'<td class="num">{_number(row["max_deviation_pct"], 1)}',
        f'<td class="num">{_number(row["seconds"], 1)}',
        f'<td class="num">{_number(row["warnings"], 0)}',
        f'<td class="reason">{html_text(row["reason"] if isinstance(row["reason"], str) else "")}',
    ]
    body = "".join(c if c.startswith("<td") else f"<td>{c}" for c in cells)
    return f'<tr class="{html_text(status)}">{body}</tr>'


def summary_page(frame: pd.DataFrame, *, title: str, rule: str) -> str:
    """The page.

    Parameters
    ----------
    frame
        :func:`partition.runs.batch.summary_frame`: one row per configuration, or per LA refused or failed.
    title
        What was planned, in words.
    rule
        The k rule, in words.

    Returns
    -------
    str
        A complete HTML document (UTF-8).
    """
    by_la = frame.drop_duplicates("la").set_index("la")["status"] if len(frame) else pd.Series(dtype=str)
    counts = " ".join(
        f"<span><strong>{int((by_la == s).sum())}</strong> {html_text(STATUS_WORDS[s])}</span>"
        for s in STATUS_WORDS
        if (by_la == s).any()
    )
    headings = [
        "LA code",
        "Authority",
        "Outcome",
        "Schools",
        "Partnerships (k)",
        "Map",
        "Average distance to partnership centre (km)",
        "Largest size difference (%)",
        "Time (s)",
        "Data warnings",
        "Reason or note",
    ]
    head = "".join(f"<th>{html_text(h)}</th>" for h in headings)
    rows = "\n".join(_row(r) for _, r in frame.iterrows())
    terms = "".join(f"<dt>{html_text(k)}</dt><dd>{html_text(v)}</dd>" for k, v in SUMMARY_DEFINITIONS.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Partnership plans for {len(by_la)} local authorities</title>
<style>{STYLE}</style></head>
<body>
<h1>Partnership plans for {len(by_la)} local authorities</h1>
<p class="lead">{html_text(title)}. {html_text(rule)}. This page lists the LAs of the last batch run into this
folder; each LA's data warnings are in its folder's batch-result.json.</p>
<p class="counts">{counts}</p>
<p class="cue">The table scrolls sideways →</p>
<div class="scroll"><table><thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody></table></div>
<h2>Columns of summary.csv</h2>
<dl>{terms}</dl>
</body></html>
"""
