"""Apportioning k partnerships across districts (mode ``nest``) and explaining why it fails.

Each district gets a whole number of partnerships m_d with every size bound
satisfiable on average — ``low ≤ total_d / m_d ≤ high`` — at most as many as
it has anchor units (when anchors are required), and Σ m_d = k. Counts follow
the largest-remainder rule on the district's share of pupils, kept within each
district's feasible range.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, replace

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from partition.core.measures import summed
from partition.errors import InfeasibleError
from partition.model.spec import PlanSpec

CONNECTED_FIX = (
    "check the district's polygon in the boundary file (a part cut off from it, e.g. by a repair, or an "
    "exclave whose schools GIAS places in it), or use districts 'penalise' or 'ignore' to plan across "
    "district boundaries"
)


@dataclass(frozen=True)
class DistrictPiece:
    """One connected piece of a district's planning units in the adjacency graph.

    Attributes
    ----------
    units
        Planning units in the piece.
    schools
        Schools in those units.
    places
        The commonest towns of its schools (GIAS ``Town``), at most three.
    """

    units: int
    schools: int
    places: tuple[str, ...]

    def describe(self) -> str:
        """``26 schools (Gosport, Lee-on-the-Solent)`` or ``1 school (Hayling Island)``."""
        noun = "school" if self.schools == 1 else "schools"
        return f"{self.schools} {noun}" + (f" ({', '.join(self.places)})" if self.places else "")


def district_pieces(units: gpd.GeoDataFrame, graph: nx.Graph, schools: pd.DataFrame) -> dict[str, list[DistrictPiece]]:
    """The connected pieces of each district's units in the adjacency graph.

    Parameters
    ----------
    units
        Planning units with ``district``, positions ``0..n-1`` as the graph's nodes.
    graph
        The units' adjacency graph (island links included: they connect).
    schools
        Schools with ``unit`` (position of their unit) and optionally ``town``.

    Returns
    -------
    dict
        District name -> its pieces, most schools first (one piece when the district is connected).
    """
    towns = schools["town"] if "town" in schools else pd.Series("", index=schools.index)
    by_unit: dict[int, list[str]] = {}
    for unit, town in zip(schools["unit"], towns):
        by_unit.setdefault(int(unit), []).append(str(town) if isinstance(town, str) else "")
    district = units["district"].to_numpy()
    out = {}
    for d in sorted(set(district)):
        members = [int(u) for u in np.flatnonzero(district == d)]
        pieces = [_piece(sorted(c), by_unit) for c in nx.connected_components(graph.subgraph(members))]
        out[str(d)] = sorted(pieces, key=lambda p: (-p.schools, -p.units, p.places))
    return out


def _piece(members: list[int], by_unit: dict[int, list[str]]) -> DistrictPiece:
    towns = [t for u in members for t in by_unit.get(u, []) if t]
    ranked = sorted(Counter(towns).items(), key=lambda kv: (-kv[1], kv[0]))
    return DistrictPiece(len(members), sum(len(by_unit.get(u, [])) for u in members), tuple(t for t, _ in ranked[:3]))


def connectivity_problems(pieces: dict[str, list[DistrictPiece]]) -> list[str]:
    """One sentence per district in two or more pieces, naming its pieces and why nesting needs it whole.

    Parameters
    ----------
    pieces
        :func:`district_pieces`.

    Returns
    -------
    list of str
        E.g. ``West is in 2 pieces in the adjacency graph (2 schools (Town 0, Town 1); 1 school (Town 4)), but
        mode nest plans each district on its own, every partnership one connected area inside it, so each
        district must be one connected area``; empty when every district is connected.
    """
    return [
        f"{d} is in {len(p)} pieces in the adjacency graph ({'; '.join(x.describe() for x in p)}), but mode "
        "nest plans each district on its own, every partnership one connected area inside it, so each "
        "district must be one connected area"
        for d, p in sorted(pieces.items())
        if len(p) > 1
    ]


def _range(total: float, low: float, high: float) -> tuple[int, int]:
    lo = math.ceil(total / high - 1e-9) if math.isfinite(high) and high > 0 else 1
    hi = math.floor(total / low + 1e-9) if low > 0 else 10**9
    return max(lo, 1), hi


def district_ranges(
    totals: dict[str, dict[str, float]], anchors: dict[str, int], spec: PlanSpec, k: int
) -> dict[str, tuple[int, int]]:
    """Feasible partnership counts per district at ``k``.

    Parameters
    ----------
    totals
        District name -> attribute -> total over its units (``pupils``,
        ``n_schools``, ``population`` as present; pupils from GIAS
        ``NumberOfPupils``, population from ONS estimates).
    anchors
        District name -> number of its anchor sites (units with an anchor school).
    spec
        The plan specification: its size bounds and whether anchors are required.
    k
        Number of partnerships in all districts together.

    Returns
    -------
    dict
        District name -> ``(lo, hi)``: the fewest and most partnerships whose
        average size meets every size bound (bounds computed on the totals of
        all districts shared among ``k``), ``hi`` capped at the anchors when
        anchors are required. ``lo > hi`` when no whole number fits.
    """
    county = {a: sum(t[a] for t in totals.values()) for b in spec.size for a in [b.attribute]}
    ranges = {}
    for d, t in totals.items():
        lo, hi = 1, 10**9
        for b in spec.size:
            low, high = b.limits(county[b.attribute], k)
            a, c = _range(t[b.attribute], low, high)
            lo, hi = max(lo, a), min(hi, c)
        if spec.anchors:
            hi = min(hi, anchors[d])
        ranges[d] = (lo, hi)
    return ranges


def apportion(
    totals: dict[str, dict[str, float]],
    anchors: dict[str, int],
    spec: PlanSpec,
    k: int,
    pieces: dict[str, list[DistrictPiece]] | None = None,
) -> dict[str, int]:
    """Partnerships per district, or :class:`InfeasibleError` with a per-district diagnosis.

    Parameters
    ----------
    totals
        District name -> attribute -> total over its units (``pupils``,
        ``n_schools``, ``population`` as present; pupils from GIAS
        ``NumberOfPupils``, population from ONS estimates).
    anchors
        District name -> number of its anchor sites (units with an anchor school).
    spec
        The plan specification: its size bounds and whether anchors are required.
    k
        Number of partnerships in all districts together.
    pieces
        :func:`district_pieces`, checked first: a district in several pieces cannot be nested.

    Returns
    -------
    dict
        District name -> number of partnerships, summing to ``k``: the
        largest-remainder share of pupils (else of the first size attribute),
        kept within :func:`district_ranges`.

    Raises
    ------
    InfeasibleError
        When a district is in several pieces (before any search; the fix says
        what to check), some district has no feasible count or the ranges
        cannot sum to ``k``; the message is :func:`diagnose`'s, the fix names
        the smallest tolerance and the values of k that would work.
    """
    ranges = district_ranges(totals, anchors, spec, k)
    if pieces and connectivity_problems(pieces):
        raise InfeasibleError(diagnose(totals, anchors, spec, k, ranges, pieces), fix=CONNECTED_FIX)
    empty = {d: r for d, r in ranges.items() if r[0] > r[1]}
    lo_sum = sum(r[0] for r in ranges.values())
    hi_sum = sum(r[1] for r in ranges.values())
    if empty or not lo_sum <= k <= hi_sum:
        raise InfeasibleError(diagnose(totals, anchors, spec, k, ranges), fix=_fixes(totals, anchors, spec, k))
    pupils = {d: t.get("pupils", t[spec.size[0].attribute]) for d, t in totals.items()}
    total = sum(pupils.values())
    quota = {d: k * p / total for d, p in pupils.items()}
    counts = {d: int(np.clip(math.floor(q), *ranges[d])) for d, q in quota.items()}
    while sum(counts.values()) < k:
        d = max((d for d in counts if counts[d] < ranges[d][1]), key=lambda d: quota[d] - counts[d])
        counts[d] += 1
    while sum(counts.values()) > k:
        d = min((d for d in counts if counts[d] > ranges[d][0]), key=lambda d: quota[d] - counts[d])
        counts[d] -= 1
    return counts


def diagnose(
    totals: dict[str, dict[str, float]],
    anchors: dict[str, int],
    spec: PlanSpec,
    k: int,
    ranges: dict[str, tuple[int, int]],
    pieces: dict[str, list[DistrictPiece]] | None = None,
) -> str:
    """Say which districts make nesting infeasible at ``k`` and why.

    Parameters
    ----------
    totals
        District name -> attribute -> total over its units (``pupils``,
        ``n_schools``, ``population`` as present; pupils from GIAS
        ``NumberOfPupils``, population from ONS estimates).
    anchors
        District name -> number of its anchor sites (units with an anchor school).
    spec
        The plan specification: its size bounds and whether anchors are required.
    k
        Number of partnerships in all districts together.
    ranges
        :func:`district_ranges` of the same arguments.
    pieces
        :func:`district_pieces`, when known: districts in several pieces are named first.

    Returns
    -------
    str
        ``districts 'nest' is infeasible: ...`` naming each district in
        several pieces (:func:`connectivity_problems`) and each district without a
        feasible count (its size in partnerships' worth, and too few anchors or
        no fitting whole number), else the total range the districts can hold.
    """
    attr = spec.size[0].attribute
    county = sum(t[attr] for t in totals.values())
    mean = county / k
    problems = connectivity_problems(pieces or {})
    for d, (lo, hi) in sorted(ranges.items()):
        if lo <= hi:
            continue
        worth = totals[d][attr] / mean
        why = f"{d}: {totals[d][attr]:,.0f} {attr} = {worth:.2f} partnerships' worth at k={k}"
        if spec.anchors and anchors[d] < lo:
            why += f", but only {anchors[d]} anchor site(s)"
        else:
            why += "; no whole number of partnerships fits the size bounds"
        problems.append(why)
    lo_sum = sum(max(r[0], 0) for r in ranges.values())
    hi_sum = sum(r[1] for r in ranges.values())
    if not problems:
        problems.append(f"the districts can hold between {lo_sum} and {hi_sum} partnerships in total, not {k}")
    return "districts 'nest' is infeasible: " + "; ".join(problems)


def _feasible(totals: dict[str, dict[str, float]], anchors: dict[str, int], spec: PlanSpec, k: int) -> bool:
    ranges = district_ranges(totals, anchors, spec, k)
    return all(lo <= hi for lo, hi in ranges.values()) and sum(r[0] for r in ranges.values()) <= k <= sum(
        r[1] for r in ranges.values()
    )


def smallest_tolerance(
    totals: dict[str, dict[str, float]], anchors: dict[str, int], spec: PlanSpec, k: int
) -> float | None:
    """Smallest tolerance of the first size bound (0.5 % steps, up to 90 %) that makes nesting feasible at k.

    Parameters
    ----------
    totals
        District name -> attribute -> total over its units (``pupils``,
        ``n_schools``, ``population`` as present; pupils from GIAS
        ``NumberOfPupils``, population from ONS estimates).
    anchors
        District name -> number of its anchor sites (units with an anchor school).
    spec
        The plan specification: its size bounds and whether anchors are required.
    k
        Number of partnerships in all districts together.

    Returns
    -------
    float or None
        The tolerance as a fraction (0.005 to 0.9), or None when none up to
        90 % makes the districts feasible.
    """
    first = spec.size[0]
    for step in range(1, 181):
        t = step / 200
        trial = replace(spec, size=(replace(first, tolerance=t), *spec.size[1:]))
        if _feasible(totals, anchors, trial, k):
            return t
    return None


WITHIN_DISTRICTS_STEP = 0.01
"""The within-districts family's tolerance is the smallest that nesting needs, rounded up to this step (1 %)."""


def district_totals(units: pd.DataFrame) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """Each district's totals and anchor sites, as :func:`apportion` takes them.

    Parameters
    ----------
    units
        Planning units with ``district``, ``anchors`` and the size attributes (``pupils``, ``n_schools``,
        ``population`` as present).

    Returns
    -------
    (dict, dict)
        District name -> attribute -> total; district name -> units holding an anchor school.
    """
    totals, anchors = {}, {}
    for d, g in units.groupby("district"):
        totals[str(d)] = {a: float(g[a].sum()) for a in summed(g.columns)}
        anchors[str(d)] = int((g["anchors"] > 0).sum())
    return totals, anchors


def within_districts_spec(units: pd.DataFrame, spec: PlanSpec, k: int) -> tuple[PlanSpec | None, str]:
    """The spec of the within-districts configuration at ``k``: every partnership inside one district (mode
    ``nest``), the first size bound's tolerance widened to the smallest that allows it.

    Parameters
    ----------
    units
        Planning units (see :func:`district_totals`).
    spec
        The balanced spec (its size bounds, anchors, locks and preferences are kept).
    k
        Partnerships.

    Returns
    -------
    (PlanSpec or None, str)
        The spec (``k = (k,)``, districts ``nest``, tolerance ``max(spec's, smallest needed)`` rounded up to
        :data:`WITHIN_DISTRICTS_STEP`) and an empty string; or None and why there is none (the first size bound
        has no tolerance, or no tolerance up to 90 % lets the districts hold k partnerships).
    """
    first = spec.size[0]
    if first.tolerance is None:
        return None, f"the first size bound ({first.attribute}) has no tolerance to widen"
    totals, anchors = district_totals(units)
    needed = smallest_tolerance(totals, anchors, spec, k)
    if needed is None:
        return None, f"no {first.attribute} tolerance up to ±90 % lets the districts hold {k} partnerships"
    tolerance = max(first.tolerance, math.ceil(round(needed / WITHIN_DISTRICTS_STEP, 6)) * WITHIN_DISTRICTS_STEP)
    size = (replace(first, tolerance=round(tolerance, 4)), *spec.size[1:])
    return replace(spec, k=(k,), districts="nest", size=size), ""


IN_BETWEEN_PENALTY_KM = 0.5
"""Split penalty (km per district a partnership reaches beyond its first) of the in-between configuration."""


def in_between_spec(nested: PlanSpec, spec: PlanSpec) -> PlanSpec:
    """The configuration between the balanced one and the within-districts one: the first size bound's tolerance
    half-way between theirs (rounded up to :data:`WITHIN_DISTRICTS_STEP`), districts ``penalise`` at
    :data:`IN_BETWEEN_PENALTY_KM` per split, so that partnerships cross a district boundary only where it saves a
    lot of distance.

    Parameters
    ----------
    nested
        The within-districts spec (:func:`within_districts_spec`).
    spec
        The balanced spec.

    Returns
    -------
    PlanSpec
        For the same k.
    """
    low, high = spec.size[0].tolerance or 0.0, nested.size[0].tolerance or 0.0
    half = math.ceil(round((low + high) / 2 / WITHIN_DISTRICTS_STEP, 6)) * WITHIN_DISTRICTS_STEP
    size = (replace(spec.size[0], tolerance=round(half, 4)), *spec.size[1:])
    return replace(nested, districts="penalise", split_penalty_km=IN_BETWEEN_PENALTY_KM, size=size)


def _fixes(totals: dict[str, dict[str, float]], anchors: dict[str, int], spec: PlanSpec, k: int) -> str:
    """The smallest changes that make nesting feasible: a tolerance, or other values of k."""
    attr = spec.size[0].attribute
    parts = []
    t = smallest_tolerance(totals, anchors, spec, k)
    if t is not None:
        parts.append(f"allow a {attr} tolerance of ±{t:.1%} at k={k}")
    ks = [kk for kk in range(max(1, k // 2), 2 * k + 1) if _feasible(totals, anchors, spec, kk)]
    if ks:
        near = sorted(ks, key=lambda kk: (abs(kk - k), kk))[:6]
        parts.append(f"or choose k = {', '.join(map(str, sorted(near)))} at the current bounds")
    else:
        parts.append(f"(no k from {max(1, k // 2)} to {2 * k} works at the current bounds)")
    return " ".join(parts) + ", or use districts 'penalise' to allow crossing at a cost"
