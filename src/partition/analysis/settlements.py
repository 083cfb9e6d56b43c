"""Settlements divided: towns and villages whose schools a configuration puts in more than one partnership.

A school's settlement is its place as :func:`partition.data.places.school_places` derives it from the GIAS place columns
(a town gathers its suburbs: Pennington is in Lymington). A settlement of two or more schools is **divided** when
its schools are in two or more partnerships. A settlement with more pupils than a partnership may hold (the pupil
bound's maximum) cannot be whole and is counted apart (``too_large``): Basingstoke, Andover, Fareham.

Reported per configuration in ``plan.json`` (``details.settlements``), the printed line and the comparison
(``settlements_divided``: the divided settlements that are small enough to be whole).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from partition.data.places import school_places

SHOWN = 8
"""Settlement names listed in the printed line before "and n more"."""


def settlement_details(schools: pd.DataFrame, school_labels: np.ndarray, high: float | None) -> dict[str, object]:
    """Which settlements of two or more schools a configuration divides.

    Parameters
    ----------
    schools
        The planned schools (``URN``, ``pupils`` and the GIAS place columns), in the order of ``school_labels``.
    school_labels
        Partnership of each school, shape (n_schools,).
    high
        The most pupils a partnership may hold (None: no pupil bound, every settlement could be whole).

    Returns
    -------
    dict
        ``count`` (settlements of two or more schools), ``divided`` (those small enough to be whole but in two or
        more partnerships, largest first, each ``{"name", "schools", "pupils", "partnerships"}``), ``too_large``
        (names of those with more pupils than ``high``, whole or not).
    """
    places = school_places(schools)["place"].to_numpy()
    frame = pd.DataFrame(
        {"place": places, "label": np.asarray(school_labels), "pupils": schools["pupils"].to_numpy(dtype=float)}
    )
    frame = frame[frame["place"] != ""]
    groups = frame.groupby("place").agg(
        schools=("label", "size"), pupils=("pupils", "sum"), partnerships=("label", "nunique")
    )
    groups = groups[groups["schools"] >= 2]
    big = groups["pupils"] > high if high is not None else pd.Series(False, index=groups.index)
    divided = groups[(groups["partnerships"] > 1) & ~big].sort_values(["pupils"], ascending=False)
    return {
        "count": int(len(groups)),
        "divided": [
            {"name": str(name), "schools": int(r.schools), "pupils": int(r.pupils), "partnerships": int(r.partnerships)}
            for name, r in divided.iterrows()
        ],
        "too_large": sorted(str(n) for n in groups.index[big]),
    }


def settlement_line(details: dict[str, object]) -> str:
    """The printed line: ``settlements divided although small enough for one partnership: 3 of 112 (Alresford
    (2 partnerships), ...)``.
    """
    divided = details["divided"]
    shown = ", ".join(f"{d['name']} ({d['partnerships']} partnerships)" for d in divided[:SHOWN])
    more = f" and {len(divided) - SHOWN} more" if len(divided) > SHOWN else ""
    return (
        f"    towns and villages divided although small enough for one partnership: {len(divided)} of "
        f"{details['count']}" + (f" ({shown}{more})" if divided else "")
    )
