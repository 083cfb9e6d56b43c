"""The optimisation problem: units, adjacency, sizes and locks as arrays.

A :class:`Problem` is what every solver reads. It is built from the planning
units and their graph, a :class:`~partition.spec.PlanSpec` and one ``k``.
Units that locks tie together (``together`` and ``pinned`` with the same name)
are contracted into one *block*, with the units on the shortest path between
them when they are not adjacent (a partnership holding both must hold a path
between them anyway). Solvers work on blocks; :meth:`Problem.unit_labels`
maps a block labelling back to units.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from partition.errors import InfeasibleError, SpecError
from partition.graph import describe_unit, describe_units
from partition.spec import PlanSpec


@dataclass
class Problem:
    """Arrays for one k over a set of units (see module docstring).

    Attributes
    ----------
    k
        Number of partnerships.
    blocks
        Unit indices (rows of the units frame) of each block.
    neighbours
        Adjacent blocks of each block.
    attrs
        Block sums of each size attribute (``pupils``, ``n_schools``, ``population``).
    limits
        ``attribute -> (low, high)`` per partnership.
    anchors
        Anchors (secondary, all-through, college) per block.
    district
        District index of each block (``-1`` when a lock spans districts).
    district_names
        Names for the indices of ``district``.
    point_xy, point_w, point_block
        School locations (km, BNG), pupils and block: what wdist is computed on.
    apart
        Pairs of blocks that must be in different partnerships.
    names
        Block -> partnership name fixed by a ``pinned`` lock.
    spec
        The specification.
    """

    k: int
    blocks: list[np.ndarray]
    neighbours: list[np.ndarray]
    attrs: dict[str, np.ndarray]
    limits: dict[str, tuple[float, float]]
    anchors: np.ndarray
    district: np.ndarray
    district_names: list[str]
    point_xy: np.ndarray
    point_w: np.ndarray
    point_block: np.ndarray
    apart: list[tuple[int, int]]
    names: dict[int, str]
    spec: PlanSpec
    block_xy: np.ndarray = field(init=False)
    n_units: int = 0
    describe_block: Callable[[int], str] | None = None
    """A block described for users (school, URN, district), for messages; computed only when asked."""

    def __post_init__(self) -> None:
        w = np.bincount(self.point_block, weights=self.point_w, minlength=self.n)
        sx = np.bincount(self.point_block, weights=self.point_w * self.point_xy[:, 0], minlength=self.n)
        sy = np.bincount(self.point_block, weights=self.point_w * self.point_xy[:, 1], minlength=self.n)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.block_xy = np.column_stack([sx, sy]) / w[:, None]  # NaN for blocks without pupils

    @property
    def n(self) -> int:
        """Number of blocks."""
        return len(self.blocks)

    @property
    def total_pupils(self) -> float:
        return float(self.point_w.sum())

    def unit_labels(self, block_labels: np.ndarray) -> np.ndarray:
        """Unit-level labels from block-level labels."""
        out = np.full(self.n_units, -1, dtype=int)
        for b, units in enumerate(self.blocks):
            out[units] = block_labels[b]
        return out


def _lock_blocks(units_graph: nx.Graph, groups: list[list[int]], units: gpd.GeoDataFrame) -> list[list[int]]:
    """Merge lock groups (unit indices) with the shortest paths joining them; return disjoint groups."""
    expanded: list[set[int]] = []
    for group in groups:
        members = set(group)
        first = group[0]
        for other in group[1:]:
            try:
                path = nx.shortest_path(units_graph, first, other, weight="km")
            except nx.NetworkXNoPath:
                raise SpecError(
                    f"locked schools at {describe_unit(units, first)} and {describe_unit(units, other)} "
                    "cannot share a partnership: no connected path joins them",
                    fix="remove the lock or plan a study area that joins them",
                ) from None
            members.update(path)
        expanded.append(members)
    merged: list[set[int]] = []
    for members in expanded:
        overlapping = [m for m in merged if m & members]
        for m in overlapping:
            members |= m
            merged.remove(m)
        merged.append(members)
    return [sorted(m) for m in merged]


def build_problem(
    units: gpd.GeoDataFrame,
    graph: nx.Graph,
    schools: pd.DataFrame,
    spec: PlanSpec,
    k: int,
    *,
    subset: np.ndarray | None = None,
    totals: dict[str, float] | None = None,
    k_total: int | None = None,
) -> Problem:
    """Build the :class:`Problem` for ``k`` partnerships.

    Parameters
    ----------
    units, graph, schools
        From :func:`partition.pipeline.prepare` (schools carry a ``unit`` column).
    subset
        Unit indices to plan (e.g. one district in ``nest`` mode); default all.
    totals, k_total
        County totals and k used for tolerance bounds when planning a subset,
        so that every district's partnerships share the county-wide mean.
    """
    subset = np.arange(len(units)) if subset is None else np.asarray(subset)
    position = {int(u): i for i, u in enumerate(subset)}
    local = graph.subgraph(subset.tolist()).copy()
    xy_all = units[["x", "y"]].to_numpy() / 1000.0
    for a, b in local.edges():
        local.edges[a, b]["km"] = float(np.hypot(*(xy_all[a] - xy_all[b])))
    urn_unit = dict(zip(schools["URN"].astype(int), schools["unit"].astype(int)))
    locks = spec.locks

    def unit_of(urn: int, what: str) -> int:
        if urn not in urn_unit:
            raise SpecError(
                f"{what} lock names URN {urn}, which is not among the loaded schools",
                fix="check the URN (excluded schools cannot be locked)",
            )
        return urn_unit[urn]

    groups = [[unit_of(u, "together") for u in g] for g in locks.together]
    by_name: dict[str, list[int]] = {}
    for urn, name in locks.pinned:
        by_name.setdefault(name, []).append(unit_of(urn, "pinned"))
    groups += [g for g in by_name.values() if len(g) > 1]
    for g in groups:
        inside = [u for u in g if u in position]
        if inside and len(inside) < len(g):
            outside = next(u for u in g if u not in position)
            raise SpecError(
                f"a lock keeps {describe_unit(units, inside[0])} with {describe_unit(units, outside)}, but districts "
                "mode 'nest' keeps every partnership inside one district",
                fix="remove the lock, or use districts 'ignore' or 'penalise'",
            )
    groups = [g for g in groups if len(g) > 1 and g[0] in position]
    for g in groups:
        for a, b in zip(g, g[1:]):
            if not nx.has_path(local, a, b):
                raise SpecError(
                    f"locked schools at {describe_unit(units, a)} and {describe_unit(units, b)} cannot share a "
                    "partnership: no connected path joins them",
                    fix="remove the lock or plan a study area that joins them",
                )
    merged = _lock_blocks(local, groups, units) if groups else []
    in_group = {u: gi for gi, g in enumerate(merged) for u in g}
    blocks: list[np.ndarray] = [np.array(g) for g in merged]
    blocks += [np.array([int(u)]) for u in subset if int(u) not in in_group]
    block_of_unit = {int(u): b for b, members in enumerate(blocks) for u in members}
    neighbours: list[set[int]] = [set() for _ in blocks]
    for a, b in local.edges():
        ba, bb = block_of_unit[a], block_of_unit[b]
        if ba != bb:
            neighbours[ba].add(bb)
            neighbours[bb].add(ba)
    attrs: dict[str, np.ndarray] = {}
    for attr in ("pupils", "n_schools", "population"):
        if attr in units.columns:
            values = units[attr].to_numpy(dtype=float)
            attrs[attr] = np.array([values[m].sum() for m in blocks])
    limits: dict[str, tuple[float, float]] = {}
    for bound in spec.size:
        if bound.attribute not in attrs:
            raise SpecError(
                f"size bound on {bound.attribute!r} but the units carry no such figure",
                fix="attach population (--population) or drop the bound",
            )
        total = (totals or {}).get(bound.attribute, float(attrs[bound.attribute].sum()))
        limits[bound.attribute] = bound.limits(total, k_total or k)
    anchors = np.array([units["anchors"].to_numpy()[m].sum() for m in blocks], dtype=int)
    district_names = sorted(units["district"].iloc[subset].unique())
    dindex = {d: i for i, d in enumerate(district_names)}
    dist_of_unit = units["district"].to_numpy()
    district = np.array([dindex[dist_of_unit[m[0]]] if len({dist_of_unit[u] for u in m}) == 1 else -1 for m in blocks])
    sel = schools[schools["unit"].isin(subset)]
    point_xy = np.column_stack([sel.geometry.x.to_numpy(), sel.geometry.y.to_numpy()]) / 1000.0
    point_w = sel["pupils"].to_numpy(dtype=float)
    point_block = np.array([block_of_unit[int(u)] for u in sel["unit"]], dtype=int)
    apart = []
    for a, b in locks.apart:
        ua, ub = unit_of(a, "apart"), unit_of(b, "apart")
        if ua in position and ub in position:
            ba, bb = block_of_unit[ua], block_of_unit[ub]
            if ba == bb:
                raise InfeasibleError(
                    f"schools {a} and {b} must be kept apart but share a planning unit (same site) or a lock",
                    fix="remove one of the conflicting locks",
                )
            apart.append((ba, bb))
    pinned_names: dict[int, str] = {}
    for name, us in by_name.items():
        present = [u for u in us if u in position]
        if present:
            pinned_names[block_of_unit[present[0]]] = name
    names_used = list(pinned_names.values())
    if len(names_used) != len(set(names_used)):
        raise SpecError(
            "two different pinned names ended up in one locked block", fix="check the pinned and together locks"
        )
    for x, y in ((a, b) for a in pinned_names for b in pinned_names if a < b):
        apart.append((x, y))
    problem = Problem(
        k=k,
        blocks=blocks,
        neighbours=[np.array(sorted(n), dtype=int) for n in neighbours],
        attrs=attrs,
        limits=limits,
        anchors=anchors,
        district=district,
        district_names=list(district_names),
        point_xy=point_xy,
        point_w=point_w,
        point_block=point_block,
        apart=apart,
        names=pinned_names,
        spec=spec,
        n_units=len(units),
        describe_block=lambda b: describe_units(units, list(blocks[b]), limit=3),
    )
    # blocks without pupils sit at their polygons' centroid
    for b in np.flatnonzero(~np.isfinite(problem.block_xy).all(axis=1)):
        c = units.geometry.iloc[blocks[b]].union_all().centroid
        problem.block_xy[b] = (c.x / 1000.0, c.y / 1000.0)
    if k > problem.n:
        raise InfeasibleError(
            f"k = {k} partnerships but only {problem.n} planning units", fix=f"choose k ≤ {problem.n}"
        )
    anchored = int((anchors > 0).sum())
    if spec.anchors and anchored == 0:
        raise InfeasibleError(
            "every partnership needs an anchor (a secondary, all-through school or college) but the study area has none",
            fix="turn anchors off (--no-anchors, or anchors = false in the spec)",
        )
    if spec.anchors and anchored < k:
        raise InfeasibleError(
            f"k = {k} partnerships each need an anchor (secondary, all-through or college) but only {anchored} "
            "planning units hold one",
            fix=f"choose k ≤ {anchored} or turn anchors off (--no-anchors)",
        )
    return problem


def quick_feasibility(problem: Problem) -> list[str]:
    """Cheap necessary conditions; return reasons the problem is infeasible (empty if none found)."""
    reasons = []
    for attr, (low, high) in problem.limits.items():
        total = problem.attrs[attr].sum()
        if total < problem.k * low - 1e-9:
            reasons.append(f"{attr}: total {total:,.0f} is less than k × minimum = {problem.k} × {low:,.0f}")
        if total > problem.k * high + 1e-9 and math.isfinite(high):
            reasons.append(f"{attr}: total {total:,.0f} exceeds k × maximum = {problem.k} × {high:,.0f}")
        biggest = problem.attrs[attr].max()
        if biggest > high:
            b = int(problem.attrs[attr].argmax())
            where = problem.describe_block(b) if problem.describe_block else "one planning unit"
            reasons.append(
                f"{attr}: {where} alone holds {biggest:,.0f} (> maximum {high:,.0f} per partnership); "
                f"if that figure is wrong, correct it in the input file"
            )
    return reasons
