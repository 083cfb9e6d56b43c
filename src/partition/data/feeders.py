"""Feeder pairs: an infant school and the junior school its children move on to (a first and a middle school).

Hampshire, like many counties, keeps separate infant (ages 4-7) and junior (7-11) schools, often on one site or
a street apart, and children go from one to the other: a partnership that divides such a pair divides one
community. By default (spec ``feeders = "together"``) each pair is kept in one partnership, as a ``together``
lock derived from the data, exactly as a federation is (:func:`partition.data.federations.effective_locks`), so every
solver, the editor and the checks keep it; ``feeders = "ignore"`` turns this off.

How a pair is recognised (:func:`feeder_pairs`), among the loaded schools of one LA:

1. **Phases.** The feeding school's name says ``Infant`` (or ``First``) and not ``Junior``, ``Primary`` or
   ``Middle``; the receiving school's says ``Junior`` (``Middle``) and not ``Infant`` (``First``).
2. **Same name, near.** The two names are equal once the phase words and the common words of school names
   (``School``, ``Academy``, ``Church of England``, ``CE``, ``Community``, ``Nursery``, ``and``, ``&`` ...) are
   removed, and they stand within :data:`SAME_NAME_M` of each other (two "St Mary's" in different towns are
   not a pair).
3. **Else, next door.** A feeding school without a same-name partner is paired with the nearest receiving
   school within :data:`NEXT_DOOR_M` (a different name on the same campus: Lydlynch Infant and Abbotswood
   Junior).

Each feeding school is in at most one pair; a receiving school fed by two infant schools forms one group with
both. The groups are reported (:func:`describe`) with how each pair was recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from partition.data.groups import Group

SAME_NAME_M = 2_000.0
"""Farthest apart (m) two schools of the same name may stand and be taken as a pair."""

NEXT_DOOR_M = 300.0
"""Farthest apart (m) an infant and a junior school of different names may stand and be taken as a pair."""

PHASES = (("infant", "junior"), ("first", "middle"))
"""The (feeding, receiving) phase words."""

_COMMON = re.compile(
    r"\b(the|school|schools|academy|community|county|primary|c\s*of\s*e|ce|c\.e\.|church of england|cofe|unit|ca|"
    r"catholic|roman catholic|rc|voluntary|controlled|aided|va|vc|nursery|and|with|federated|foundation|"
    r"infant|infants|junior|juniors|first|middle)\b"
)


@dataclass(frozen=True)
class Pair:
    """A feeding and a receiving school recognised as a pair.

    Attributes
    ----------
    feeder, receiver
        URNs of the infant (first) school and of the junior (middle) school.
    distance_m
        Straight-line distance between them (m).
    rule
        ``"same name"`` or ``"next door"`` (see the module docstring).
    """

    feeder: int
    receiver: int
    distance_m: float
    rule: str


def name_stem(name: str) -> str:
    """A school's name without its phase and the common words of school names, for matching.

    Parameters
    ----------
    name
        A school name, e.g. ``"Bursledon Church of England Infant School"``.

    Returns
    -------
    str
        E.g. ``"bursledon"``; lower case, punctuation dropped, single spaces.
    """
    text = name.casefold().replace("'", "").replace("’", "")
    text = re.sub(r"[^\w\s]", " ", text)
    text = _COMMON.sub(" ", text)
    return " ".join(text.split())


def _role(name: str, feeding: str, receiving: str) -> str | None:
    """``"f"`` for a feeding school, ``"r"`` for a receiving one, None for neither (or a name saying both)."""
    words = set(re.findall(r"[a-z]+", name.casefold()))
    feeds = bool(words & {feeding, feeding + "s"})
    receives = bool(words & {receiving, receiving + "s"})
    if feeds == receives or "primary" in words:
        return None
    return "f" if feeds else "r"


def feeder_pairs(schools: pd.DataFrame) -> list[Pair]:
    """The feeder pairs among the loaded schools (the rule of the module docstring).

    Parameters
    ----------
    schools
        Schools with ``URN``, ``name``, point ``geometry`` in metres (EPSG:27700) and optionally ``la_code``.

    Returns
    -------
    list of Pair
        Sorted by feeding school's URN.
    """
    pairs: list[Pair] = []
    la = schools["la_code"].astype(str).to_numpy() if "la_code" in schools else np.full(len(schools), "")
    xy = np.column_stack([schools.geometry.x.to_numpy(), schools.geometry.y.to_numpy()])
    urns = schools["URN"].astype(int).to_numpy()
    names = schools["name"].astype(str).tolist()
    stems = [name_stem(n) for n in names]
    for feeding, receiving in PHASES:
        roles = [_role(n, feeding, receiving) for n in names]
        feeders = [i for i, r in enumerate(roles) if r == "f"]
        receivers = np.array([i for i, r in enumerate(roles) if r == "r"], dtype=int)
        if not feeders or not len(receivers):
            continue
        for i in feeders:
            same_la = receivers[la[receivers] == la[i]]
            if not len(same_la):
                continue
            d = np.hypot(*(xy[same_la] - xy[i]).T)
            same = [(d[j], int(r)) for j, r in enumerate(same_la) if stems[r] and stems[r] == stems[i]]
            near = [(dj, int(r)) for dj, r in sorted(zip(d, same_la)) if dj <= SAME_NAME_M]
            chosen = min((s for s in same if s[0] <= SAME_NAME_M), default=None)
            rule = "same name"
            if chosen is None and near and near[0][0] <= NEXT_DOOR_M:
                chosen, rule = near[0], "next door"
            if chosen is not None:
                pairs.append(Pair(int(urns[i]), int(urns[chosen[1]]), round(float(chosen[0]), 1), rule))
    return sorted(pairs, key=lambda p: p.feeder)


def feeder_groups(schools: pd.DataFrame) -> list[Group]:
    """The feeder pairs as groups to keep together (a receiving school with every school feeding it).

    Parameters
    ----------
    schools
        As :func:`feeder_pairs`.

    Returns
    -------
    list of Group
        One per receiving school with its feeders, named ``"<infant> and <junior>"``, sorted by name.
    """
    name_of = dict(zip(schools["URN"].astype(int), schools["name"].astype(str)))
    by_receiver: dict[int, list[int]] = {}
    for p in feeder_pairs(schools):
        by_receiver.setdefault(p.receiver, []).append(p.feeder)
    groups = []
    for receiver, feeding in by_receiver.items():
        urns = tuple(sorted([receiver, *feeding]))
        label = " and ".join([*(name_of[f] for f in sorted(feeding)), name_of[receiver]])
        groups.append(Group(label, urns, tuple(name_of[u] for u in urns)))
    return sorted(groups, key=lambda g: (g.name.casefold(), g.urns))


def describe(schools: pd.DataFrame) -> list[dict[str, object]]:
    """Every pair with its schools, distance and how it was recognised (for the data report and ``plan.json``).

    Parameters
    ----------
    schools
        As :func:`feeder_pairs`.

    Returns
    -------
    list of dict
        ``feeder``, ``receiver`` (``{"URN", "name"}``), ``distance_m``, ``rule``.
    """
    name_of = dict(zip(schools["URN"].astype(int), schools["name"].astype(str)))
    return [
        {
            "feeder": {"URN": p.feeder, "name": name_of[p.feeder]},
            "receiver": {"URN": p.receiver, "name": name_of[p.receiver]},
            "distance_m": p.distance_m,
            "rule": p.rule,
        }
        for p in feeder_pairs(schools)
    ]
