"""Colleges, special schools and PRUs in the pack: the partnership each is a member of, and the others it also serves."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from partition.core.htmltext import html_text
from partition.core.wording import counted
from partition.model.plan import Plan
from partition.report.sources import SOURCE_WHAT

if TYPE_CHECKING:
    pass

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


def membership_html(plans: list[Plan], sources: list[dict[str, str]]) -> str:
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
