"""Comparing configurations: agreement measures, matching, and the scorecard table.

* :func:`adjusted_rand` and :func:`variation_of_information` (scikit-learn) on the
  school-level assignments;
* :func:`match_partnerships`: a one-to-one matching of partnerships across two
  configurations by shared pupils (Hungarian algorithm), so names and colours
  stay stable from one map to the next;
* :func:`changed_schools`: the schools whose partnership changes under that matching;
* :func:`scorecard`: configurations × metrics; :func:`add_ensemble_ranks` adds
  each configuration's rank in a ReCom ensemble, or why it has none.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from partition.analysis.agreement import (
    adjusted_rand,
    changed_schools,
    district_division,
    districts_whole,
    variation_of_information,
)
from partition.analysis.columns import (
    COLUMNS,
    ENSEMBLE_METRICS,
    Column,
    columns_of,
    group_columns,
    member_columns,
    need_columns,
    rank_key,
)
from partition.core.csvsafe import csv_text
from partition.model.plan import Plan


def scorecard(plans: list[Plan], reference: Plan | None = None) -> pd.DataFrame:
    """Configurations × measures (the keys of :data:`COLUMNS`); with ``reference``, also ARI, VI and schools moved.

    Parameters
    ----------
    plans
        The configurations, one row each (index: their names).
    reference
        The configuration the others are compared with (``attrs["reference"]`` names it).

    Returns
    -------
    pandas.DataFrame
        Values in the units of the plans' scores (km, fractions for deviations, counts, booleans);
        :func:`format_scorecard` shows them with their units.
    """
    rows = []
    for plan in plans:
        row: dict[str, object] = {"configuration": plan.name, "status": plan.status}
        row.update({c.key: plan.scores.get(c.key) for c in COLUMNS[1:] if c.key in plan.scores})
        row["districts_divided"], row["district_splits"] = district_division(plan)
        row["districts_whole"] = districts_whole(plan)
        row.update(group_columns(plan))
        row.update(member_columns(plan))
        row.update(need_columns(plan))
        row["violations"] = "; ".join(plan.scores.get("violations", []))
        if reference is not None:
            row["ari"] = adjusted_rand(reference, plan)
            row["vi"] = variation_of_information(reference, plan)
            row["schools_moved"] = len(changed_schools(reference, plan))
        rows.append(row)
    order = [c.key for c in COLUMNS]
    table = pd.DataFrame(rows).set_index("configuration")
    table = table[[k for k in order if k in table.columns]]
    if reference is not None:
        table.attrs["reference"] = reference.name
    return table


def ensemble_design(ranks: dict[str, dict[str, float]]) -> dict[str, Any] | None:
    """The design of the ensembles behind ``ranks`` as plain values (for ``manifest.json`` and the definitions).

    Parameters
    ----------
    ranks
        From :func:`partition.analysis.ensemble.plan_percentiles` (its ``samples``); a plain dict has none.

    Returns
    -------
    dict or None
        ``chains``, ``burn_in``, ``thin``, ``steps_per_chain``, ``kept_per_chain``, ``total_steps`` (of one
        ensemble, the same design for every k), ``method``, and ``ensembles``: per ensemble drawn, its ``k``,
        the ``configurations`` ranked in it, ``rhat_wdist`` (None when NaN), ``acceptance`` and
        ``start_wdist_km`` (per chain); None without samples.
    """
    samples = getattr(ranks, "samples", {})
    if not samples:
        return None
    first = next(iter(samples.values())).design()
    keys = ("chains", "burn_in", "thin", "random_state", "kept_per_chain", "steps_per_chain", "total_steps")
    out: dict[str, Any] = {key: first[key] for key in keys}
    out["method"] = "independent ReCom chains from random starting plans (recursive spanning-tree cuts)"
    shared: dict[int, dict[str, Any]] = {}  # one entry per ensemble, whichever configurations share it
    for name, sample in samples.items():
        if id(sample) not in shared:
            design = sample.design()
            shared[id(sample)] = {"k": design["k"], "configurations": []} | {
                key: design[key] for key in ("rhat_wdist", "acceptance", "start_wdist_km")
            }
        shared[id(sample)]["configurations"].append(name)
    out["ensembles"] = list(shared.values())
    return out


def add_ensemble_ranks(
    table: pd.DataFrame,
    plans: list[Plan],
    ranks: dict[str, dict[str, float]],
    size: int,
) -> pd.DataFrame:
    """Add the ensemble rank columns of :func:`partition.analysis.ensemble.plan_percentiles` to a scorecard.

    Parameters
    ----------
    table
        A :func:`scorecard` table (index: configuration names).
    plans
        The configurations in the table.
    ranks
        ``{name: {metric: share beaten}}`` from :func:`partition.analysis.ensemble.plan_percentiles` (its ``samples``
        and ``reasons``, when it has them, give the design and why a configuration has no rank).
    size
        Configurations in each ensemble (``attrs["ensemble_size"]``, for the headings).

    Returns
    -------
    pandas.DataFrame
        The table with one column per :data:`ENSEMBLE_METRICS` entry (:func:`rank_key`): the share of the
        ensemble it beats in % (a number, NaN when the configuration has no rank), and ``rank_note``: why
        a configuration has no rank (not valid; one partnership; no random plan to start from), blank
        otherwise. ``attrs["ensemble_design"]`` holds :func:`ensemble_design` (None without it).
    """
    from partition.analysis.ensemble import rank_unavailable

    out = table.copy()
    for metric in ENSEMBLE_METRICS:
        out[rank_key(metric)] = [100 * ranks[n][metric] if n in ranks else math.nan for n in out.index]
    reasons = {plan.name: rank_unavailable(plan) for plan in plans}
    reasons.update(getattr(ranks, "reasons", {}))
    out["rank_note"] = ["" if n in ranks else (reasons.get(n) or "not ranked") for n in out.index]
    out.attrs["ensemble_size"] = size
    out.attrs["ensemble_design"] = ensemble_design(ranks)
    return out


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with headings that carry their units and values in those units (numbers stay numbers).

    Parameters
    ----------
    table
        A :func:`scorecard` frame, with or without ensemble ranks.

    Returns
    -------
    pandas.DataFrame
        Columns ``"wdist (km)"``, ``"largest size difference (%)"`` ...; deviations and ranks in %, rounded
        to the decimals of :data:`COLUMNS`; missing values as None.
    """
    columns = columns_of(table)
    shown = pd.DataFrame(
        {c.heading(): [c.shown(v) for v in table[c.key]] for c in columns}, index=table.index, dtype=object
    )
    shown.index.name = "configuration"
    return shown


def legend(table: pd.DataFrame) -> list[tuple[str, str]]:
    """``(heading with unit, what it measures)`` for each column of ``table`` that :data:`COLUMNS` describes.

    Parameters
    ----------
    table
        A :func:`scorecard` frame, with or without ensemble ranks.

    Returns
    -------
    list of tuple of str
        ``(heading, definition)`` in the order of ``table.columns``; columns without a
        definition are left out.
    """
    return [(c.heading(), c.definition) for c in columns_of(table) if c.definition]


def format_scorecard(table: pd.DataFrame, style: str = "text") -> str:
    """Render :func:`scorecard` as ``text``, ``markdown`` (with a legend under the table) or ``csv``.

    Every style shows the same columns with their units in the headings (see :func:`labelled`); the
    CSV holds numbers as numbers (deviations and ensemble ranks in %, not fractions or ``"97%"`` text)
    and text a spreadsheet would run as a formula quoted (:func:`partition.core.csvsafe.csv_text`).

    Parameters
    ----------
    table
        A :func:`scorecard` frame.
    style
        ``"text"`` (one column per configuration, for a terminal), ``"markdown"`` or ``"csv"``.

    Returns
    -------
    str
        The rendered table.
    """
    shown = labelled(table)
    if style == "csv":
        return csv_text(shown, index=True)
    columns = columns_of(table)
    text = pd.DataFrame({c.heading(): [_text(c, v) for v in shown[c.heading()]] for c in columns}, index=shown.index)
    if style == "markdown":
        lines = [_markdown(text), "", "Columns:", ""]
        return "\n".join(lines + [f"* **{heading}**: {definition}" for heading, definition in legend(table)])
    return text.T.to_string()


def _text(column: Column, value: object) -> str:
    """A shown value as text with its column's decimals (blank when missing)."""
    if value is None:
        return ""
    if isinstance(value, float) and column.decimals:
        return f"{value:.{column.decimals}f}"
    return str(value)


def _markdown(frame: pd.DataFrame) -> str:
    cols = [frame.index.name or ""] + list(frame.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for idx, row in frame.iterrows():
        lines.append("| " + " | ".join([str(idx)] + [str(v).replace("|", "/") for v in row]) + " |")
    return "\n".join(lines)
