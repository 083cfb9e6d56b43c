"""The national summary page of a batch (``index.html``): every LA, its outcome and a link to its map.

One self-contained page (no script, no network), from the template ``templates/batch_page.html``. Every value
from data — LA names, reasons, configuration names, file names — reaches the HTML as a template variable, escaped
by :func:`partition.core.htmltext.html_text` (or :func:`partition.core.htmltext.html_href` for links) only.
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from partition.report.pages import render

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


def _row(row: pd.Series) -> dict[str, str]:
    """One table row's cells, as text (the template escapes them)."""
    status = str(row["status"])
    has_map = isinstance(row["map"], str) and bool(row["map"])
    return {
        "status": status,
        "la": row["la"],
        "authority": row["authority"],
        "outcome": STATUS_WORDS.get(status, status),
        "schools": _number(row["schools"], 0),
        "k": _number(row["k"], 0),
        "map": row["map"] if has_map else "",
        "editor": row["map"].rsplit("/", 1)[0] + "/edit.html" if has_map else "",
        "configuration": row["configuration"] if isinstance(row["configuration"], str) else "",
        "wdist_km": _number(row["wdist_km"], 2),
        "max_deviation_pct": _number(row["max_deviation_pct"], 1),
        "seconds": _number(row["seconds"], 1),
        "warnings": _number(row["warnings"], 0),
        "reason": row["reason"] if isinstance(row["reason"], str) else "",
    }


HEADINGS = (
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
)
"""The table's column headings."""


def summary_page(frame: pd.DataFrame, *, title: str, rule: str) -> str:
    """The page, from the template ``batch_page.html`` (:mod:`partition.report.pages`).

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
    counts = [(int((by_la == s).sum()), STATUS_WORDS[s]) for s in STATUS_WORDS if (by_la == s).any()]
    return render(
        "batch_page.html",
        n_las=len(by_la),
        style=Markup(STYLE),  # constant text of this module
        title=title,
        rule=rule,
        counts=counts,
        headings=HEADINGS,
        rows=[_row(r) for _, r in frame.iterrows()],
        definitions=SUMMARY_DEFINITIONS,
    )
