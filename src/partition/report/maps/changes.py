"""What changes for each school from one configuration (normally today's) to another.

The public question is "what changes for my school?". It is answered from the
schools' memberships alone, never from a one-to-one matching of partnerships: a
matching calls half of a split district "unchanged" although the school loses
half its partners, and a partnership that gains schools from a neighbouring
district "unchanged" for the schools already in it. Here a school is
*unchanged* only when its partnership has exactly the same schools in both
configurations; otherwise it is told how many of its current partner schools
stay with it and where the newcomers come from.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from partition.core.wording import counted, plural


def _counts(items: pd.Series) -> str:
    """``"9 from Winchester, 2 from Test Valley"`` (largest first, then by name)."""
    counts = items.value_counts()
    order = sorted(counts.index, key=lambda n: (-counts[n], str(n)))
    return ", ".join(f"{counts[n]} from {n}" for n in order)


def school_changes(before, after) -> pd.DataFrame:
    """For every school: its partnership before and after, and how many of its partner schools stay with it.

    Parameters
    ----------
    before, after
        :class:`partition.model.plan.Plan` objects over the same schools (``before`` is normally today's
        arrangement, :func:`partition.planning.planner.district_plan`).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``URN`` (int), one row per school of ``before``: ``name``; ``from_id``, ``from_name``,
        ``from_schools`` (its partnership before: id, name, number of schools); ``to_id``, ``to_name``,
        ``to_schools`` (after); ``partners`` (its partner schools before: ``from_schools - 1``); ``kept``
        (how many of them are in its partnership after); ``joined`` (schools of its partnership after that
        were not partners before) and ``joined_from`` (where they come from, e.g. ``"9 from Winchester"``);
        ``unchanged`` (the partnership has exactly the same schools); ``crosses`` (its partnership after
        takes schools from two or more partnerships before: it crosses a boundary of ``before``).

    Raises
    ------
    ValueError
        When a school of ``before`` has no partnership in ``after`` (the plans are of different schools).
    """
    a = before.assignments.set_index("URN")[["name", "partnership_id", "partnership"]]
    b = after.assignments.set_index("URN")[["partnership_id", "partnership"]].reindex(a.index)
    if b["partnership_id"].isna().any():
        missing = ", ".join(str(u) for u in a.index[b["partnership_id"].isna()][:5])
        raise ValueError(f"{after.name} has no partnership for school(s) URN {missing} of {before.name}")
    frame = pd.DataFrame(
        {
            "name": a["name"],
            "from_id": a["partnership_id"],
            "from_name": a["partnership"],
            "to_id": b["partnership_id"],
            "to_name": b["partnership"],
        }
    )
    frame.index = frame.index.astype(int)
    frame["from_schools"] = frame.groupby("from_id")["name"].transform("size")
    frame["to_schools"] = frame.groupby("to_id")["name"].transform("size")
    pair = frame.groupby(["from_id", "to_id"])["name"].transform("size")
    frame["partners"] = frame["from_schools"] - 1
    frame["kept"] = pair - 1
    frame["joined"] = frame["to_schools"] - pair
    sources = frame.groupby("to_id")["from_id"].nunique()
    frame["crosses"] = frame["to_id"].map(sources) > 1
    frame["unchanged"] = (frame["kept"] == frame["partners"]) & (frame["joined"] == 0)
    joined_from = {}
    for (from_id, to_id), _ in frame.groupby(["from_id", "to_id"]):
        others = frame[(frame["to_id"] == to_id) & (frame["from_id"] != from_id)]
        joined_from[(from_id, to_id)] = _counts(others["from_name"]) if len(others) else ""
    frame["joined_from"] = [joined_from[(f, t)] for f, t in zip(frame["from_id"], frame["to_id"])]
    return frame


def change_sentence(row) -> str:
    """The answer for one school (a row of :func:`school_changes`), in plain words (not escaped).

    E.g. ``"12 of your 47 partner schools stay with you; 9 schools join (9 from Winchester)"``, or
    ``"unchanged: the same 21 schools"`` when the partnership's membership is identical.

    Parameters
    ----------
    row
        A row of :func:`school_changes` as ``itertuples`` gives it (``unchanged``, ``to_schools``,
        ``partners``, ``kept``, ``joined``, ``joined_from``).

    Returns
    -------
    str
        One sentence without a full stop: what stays, then who joins.
    """
    if row.unchanged:
        return f"unchanged: the same {counted(row.to_schools, 'school')}"
    if row.partners == 0:
        stay = "you had no partner schools"
    elif row.partners == 1:
        stay = f"your partner school {'stays' if row.kept else 'does not stay'} with you"
    elif row.kept == row.partners:
        stay = f"all {row.partners} of your partner schools stay with you"
    elif row.kept == 0:
        stay = f"none of your {row.partners} partner schools stays with you"
    else:
        stay = f"{row.kept} of your {row.partners} partner schools {plural(row.kept, 'stays', 'stay')} with you"
    join = f"; {counted(row.joined, 'school')} {plural(row.joined, 'joins', 'join')} ({row.joined_from})"
    return stay + (join if row.joined else "; no other school joins")


@dataclass(frozen=True)
class ChangeSummary:
    """Checkable figures for a map's title: every number counts schools of :func:`school_changes`."""

    schools: int
    unchanged: int
    crossing: int
    median_kept_percent: float

    def sentence(self, boundary: str) -> str:
        """The figures as one plain-text sentence for a map's subtitle.

        E.g. ``"Every school's partnership changes; 120 schools would be in partnerships that cross a
        district boundary; schools keep a median of 45 % of their partner schools."``

        Parameters
        ----------
        boundary
            What the crossed boundaries are, as the sentence names them, e.g. ``"a district boundary"``.

        Returns
        -------
        str
            Plain text (not escaped), ending with a full stop.
        """
        if self.unchanged == 0:
            first = "Every school's partnership changes"
        elif self.unchanged == self.schools:
            first = "No school's partnership changes"
        else:
            first = (
                f"{self.schools - self.unchanged} of {self.schools} schools' partnerships change "
                f"({self.unchanged} {plural(self.unchanged, 'keeps', 'keep')} exactly the same partners)"
            )
        cross = (
            f"{counted(self.crossing, 'school')} would be in {plural(self.crossing, 'a partnership', 'partnerships')}"
        )
        return (
            f"{first}; {cross} that {plural(self.crossing, 'crosses', 'cross')} {boundary}; schools keep a median of "
            f"{self.median_kept_percent:.0f} % of their partner schools."
        )


def summarise(changes: pd.DataFrame) -> ChangeSummary:
    """The figures of a map's title from :func:`school_changes`.

    ``median_kept_percent``: the median over schools (with partners before) of ``kept / partners``, in %.

    Parameters
    ----------
    changes
        The frame of :func:`school_changes` (``partners``, ``kept``, ``unchanged``, ``crosses``).

    Returns
    -------
    ChangeSummary
        Schools counted, schools unchanged, schools in a partnership that crosses a boundary,
        and the median share of partners kept (%; 100 when no school had partners).
    """
    has = changes[changes["partners"] > 0]
    share = (has["kept"] / has["partners"] * 100).median() if len(has) else 100.0
    return ChangeSummary(
        schools=len(changes),
        unchanged=int(changes["unchanged"].sum()),
        crossing=int(changes["crosses"].sum()),
        median_kept_percent=float(share),
    )


__all__ = ["ChangeSummary", "change_sentence", "school_changes", "summarise"]
