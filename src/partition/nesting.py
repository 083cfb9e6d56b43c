"""Apportioning k partnerships across districts (mode ``nest``) and explaining why it fails.

Each district gets a whole number of partnerships m_d with every size bound
satisfiable on average — ``low ≤ total_d / m_d ≤ high`` — at most as many as
it has anchor units (when anchors are required), and Σ m_d = k. Counts follow
the largest-remainder rule on the district's share of pupils, kept within each
district's feasible range.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from partition.errors import InfeasibleError
from partition.spec import PlanSpec


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


def apportion(totals: dict[str, dict[str, float]], anchors: dict[str, int], spec: PlanSpec, k: int) -> dict[str, int]:
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

    Returns
    -------
    dict
        District name -> number of partnerships, summing to ``k``: the
        largest-remainder share of pupils (else of the first size attribute),
        kept within :func:`district_ranges`.

    Raises
    ------
    InfeasibleError
        When some district has no feasible count or the ranges cannot sum to
        ``k``; the message is :func:`diagnose`'s, the fix names the smallest
        tolerance and the values of k that would work.
    """
    ranges = district_ranges(totals, anchors, spec, k)
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

    Returns
    -------
    str
        ``districts 'nest' is infeasible: ...`` naming each district without a
        feasible count (its size in partnerships' worth, and too few anchors or
        no fitting whole number), else the total range the districts can hold.
    """
    attr = spec.size[0].attribute
    county = sum(t[attr] for t in totals.values())
    mean = county / k
    problems = []
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
