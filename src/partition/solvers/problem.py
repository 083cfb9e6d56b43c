"""The optimisation problem: units, adjacency, sizes and locks as arrays.

A :class:`Problem` is what every solver reads. It is built from the planning
units and their graph, a :class:`~partition.model.spec.PlanSpec` and one ``k`` by
:func:`build_problem`, which chains small pure builders:

1. :func:`contract_locks` — units that locks tie together (``together`` and
   ``pinned`` with the same name, and each federation kept together: see
   :func:`partition.data.federations.effective_locks`) are contracted into one *block*, with the
   units on the shortest path between them when they are not adjacent (a
   partnership holding both must hold a path between them anyway);
2. :func:`block_neighbours`, :func:`aggregate`, :func:`block_districts`,
   :func:`school_points`, :func:`block_centres`, :func:`school_trusts` — the block
   and school arrays;
3. :func:`limits` — the size bounds per partnership;
4. :func:`apart_pairs`, :func:`pinned_names` — the remaining locks on blocks;
5. :func:`feasibility` — k against the blocks and anchors.

The :class:`Problem` is frozen and carries the resolved rules of the spec
(``needs_anchors``, ``split_penalty_km``, ``nest``, ``trust_penalty_km``), not the spec itself.
Solvers work on blocks; :meth:`Problem.unit_labels` maps a block labelling
back to units.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from partition.core.measures import MEASURES
from partition.data.federations import FIX_IGNORE, effective_locks, locked_federations
from partition.data.groups import Group
from partition.errors import InfeasibleError, SpecError
from partition.model.balance import Balance
from partition.model.spec import Locks, PlanSpec, SizeBound
from partition.units.graph import describe_unit, describe_units

SIZE_ATTRIBUTES = tuple(MEASURES)
"""Unit columns summed per block (when the units carry them): pupils, schools, child population."""

FEASIBILITY_SLACK = 1e-9
"""Rounding slack (in the attribute's units) of the total-against-k×bound checks of :func:`quick_feasibility`."""


@dataclass(frozen=True, eq=False)
class Problem:
    """Arrays for one k over a set of units (see module docstring).

    Attributes
    ----------
    k
        Number of partnerships.
    blocks
        Unit indices (rows of the units frame) of each block.
    neighbours
        Adjacent blocks of each block (sorted).
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
    point_anchor
        Whether each school is an anchor (bool; None when not known): the hubs the hub objective may use.
    point_trust
        Academy trust of each school (index into :attr:`trust_names`; -1 for a school in no trust of two or
        more loaded schools), as :func:`partition.data.federations.trusts` groups them.
    trust_names
        Names for the indices of ``point_trust``.
    point_settlement, settlement_names
        Settlement of each school (index into ``settlement_names``; -1 for a school whose settlement has no other
        loaded school), as :func:`school_settlements` finds them; None without a settlement penalty.
    settlement_penalty_km
        Objective penalty (km) per settlement split (a settlement's partnerships beyond its first): the spec's
        with ``settlements = "prefer"``, else 0.
    balance_km_per_point
        Objective penalty (km) per percentage point of the mean a partnership's size lies outside the preferred
        band (:mod:`partition.model.balance`): the spec's ``balance_penalty_km``; 0 for none.
    trust_penalty_km
        Objective penalty (km) per trust split (a trust's partnerships beyond its first): the spec's with
        ``trusts = "prefer"``, else 0.
    objective
        What the searches minimise (the spec's ``objective``): ``"centroid"``, wdist (km from each school to
        its partnership's pupil-weighted centroid), or ``"hub"`` (km to its partnership's best hub school).
    block_xy
        Pupil-weighted centre of each block (km, BNG); the centroid of its
        polygons for a block without pupils.
    apart
        Pairs of blocks that must be in different partnerships.
    names
        Block -> partnership name fixed by a ``pinned`` lock.
    needs_anchors
        Every partnership must hold an anchor (the spec's ``anchors``).
    split_penalty_km
        Objective penalty (km) per district split: the spec's in mode
        ``penalise``, else 0.
    nest
        Mode ``nest``: every partnership inside one district.
    n_units
        Rows of the units frame (the length of :meth:`unit_labels`).
    describe_block
        A block described for users (school, URN, district), for messages;
        computed only when asked.
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
    block_xy: np.ndarray
    apart: list[tuple[int, int]]
    names: dict[int, str]
    needs_anchors: bool = True
    split_penalty_km: float = 0.0
    nest: bool = False
    n_units: int = 0
    describe_block: Callable[[int], str] | None = None
    point_anchor: np.ndarray | None = None
    objective: str = "centroid"
    point_trust: np.ndarray | None = None
    trust_names: tuple[str, ...] = ()
    trust_penalty_km: float = 0.0
    balance_km_per_point: float = 0.0
    point_settlement: np.ndarray | None = None
    settlement_names: tuple[str, ...] = ()
    settlement_penalty_km: float = 0.0

    @property
    def n(self) -> int:
        """Number of blocks."""
        return len(self.blocks)

    @property
    def total_pupils(self) -> float:
        """Pupils of every school in the problem."""
        return float(self.point_w.sum())

    @cached_property
    def point_hub_ok(self) -> np.ndarray:
        """Which schools may be a partnership's hub (n points, bool): the anchors when every partnership needs
        one (and anchors are known), else every school (as :func:`partition.model.scoring.hub_distance_km`).
        """
        if self.needs_anchors and self.point_anchor is not None:
            return np.asarray(self.point_anchor, dtype=bool)
        return np.ones(len(self.point_w), dtype=bool)

    @cached_property
    def balance(self) -> Balance:
        """The preferred band of every size bound and its price (:class:`partition.model.balance.Balance`, in the order
        of :attr:`limits`; ``km_per_point`` 0 without a balance penalty).
        """
        names = list(self.limits)
        totals = np.array([float(np.sum(self.attrs[a])) for a in names])
        low = np.array([self.limits[a][0] for a in names], dtype=float)
        high = np.array([self.limits[a][1] for a in names], dtype=float)
        return Balance.of(low, high, totals, self.k, self.balance_km_per_point)

    @cached_property
    def edges(self) -> np.ndarray:
        """Adjacent block pairs ``(i, j)`` with ``i < j`` (m × 2, int), in block order."""
        pairs = [(i, int(j)) for i, nb in enumerate(self.neighbours) for j in nb if i < j]
        return np.array(pairs, dtype=int).reshape(-1, 2)

    def unit_labels(self, block_labels: np.ndarray) -> np.ndarray:
        """Unit-level labels from block-level labels (``-1`` for units outside the problem).

        Parameters
        ----------
        block_labels
            Partnership index of each block (length :attr:`n`, int).

        Returns
        -------
        numpy.ndarray
            Partnership index of every row of the units frame (length :attr:`n_units`, int): each
            unit gets its block's label; units not in any block (outside the planned subset) get -1.
        """
        out = np.full(self.n_units, -1, dtype=int)
        for b, units in enumerate(self.blocks):
            out[units] = block_labels[b]
        return out


@dataclass(frozen=True, eq=False)
class Contraction:
    """Units contracted into blocks by :func:`contract_locks`.

    Attributes
    ----------
    blocks
        Unit indices of each block: merged lock groups first, then one block per other unit of the subset.
    block_of_unit
        Unit index -> block.
    pinned_units
        Partnership name -> units pinned to it (all of them, inside the subset or not).
    graph
        The unit graph restricted to the subset, edges weighted by ``km`` (straight line between unit centres).
    """

    blocks: list[np.ndarray]
    block_of_unit: dict[int, int]
    pinned_units: dict[str, list[int]]
    graph: nx.Graph


def _lock_blocks(units_graph: nx.Graph, groups: list[list[int]], units: gpd.GeoDataFrame) -> list[list[int]]:
    """Merge lock groups (unit indices) with the shortest paths joining them; return disjoint groups."""
    expanded: list[set[int]] = []
    for group in groups:
        members = set(group)
        # units already connected among themselves need no path; each other piece is joined to the first
        pieces = sorted(nx.connected_components(units_graph.subgraph(members)), key=min)
        first = min(pieces[0]) if pieces else group[0]
        for other in [min(p) for p in pieces[1:]]:
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


def _subset_graph(units: gpd.GeoDataFrame, graph: nx.Graph, subset: np.ndarray) -> nx.Graph:
    """The graph on ``subset`` with each edge weighted by the distance (km) between unit centres."""
    local = graph.subgraph(subset.tolist()).copy()
    xy_all = units[["x", "y"]].to_numpy() / 1000.0
    for a, b in local.edges():
        local.edges[a, b]["km"] = float(np.hypot(*(xy_all[a] - xy_all[b])))
    return local


def unit_of_urn(schools: pd.DataFrame) -> Callable[[int, str], int]:
    """A function ``(URN, lock kind) -> unit index`` for the loaded schools.

    Parameters
    ----------
    schools
        Schools with ``URN`` and ``unit`` columns.

    Returns
    -------
    callable
        Raises :class:`~partition.errors.SpecError` for a URN not among ``schools``.
    """
    urn_unit = dict(zip(schools["URN"].astype(int), schools["unit"].astype(int)))

    def unit_of(urn: int, what: str) -> int:
        if urn not in urn_unit:
            raise SpecError(
                f"{what} lock names URN {urn}, which is not among the loaded schools",
                fix="check the URN (excluded schools cannot be locked)",
            )
        return urn_unit[urn]

    return unit_of


def _lock_groups(
    units: gpd.GeoDataFrame, locks: Locks, unit_of: Callable[[int, str], int], position: dict[int, int]
) -> tuple[list[list[int]], dict[str, list[int]]]:
    """Unit groups that must share a partnership (``together`` groups, then ``pinned`` names with several units)."""
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
    return groups, by_name


def contract_locks(
    units: gpd.GeoDataFrame,
    graph: nx.Graph,
    locks: Locks,
    unit_of: Callable[[int, str], int],
    subset: np.ndarray,
) -> Contraction:
    """Contract the units that locks tie together into blocks.

    Parameters
    ----------
    units, graph
        Planning units (with ``x``, ``y`` in metres BNG) and their adjacency graph.
    locks
        The spec's locks (URNs).
    unit_of
        URN -> unit (see :func:`unit_of_urn`).
    subset
        Unit indices planned.

    Returns
    -------
    Contraction
        Blocks: each lock group with the shortest paths (km) joining its units, groups sharing a unit merged;
        every other unit of ``subset`` alone.

    Raises
    ------
    SpecError
        A lock names an unknown URN, spans the subset's edge (mode ``nest``), or joins units no path connects.
    """
    position = {int(u): i for i, u in enumerate(subset)}
    local = _subset_graph(units, graph, subset)
    groups, by_name = _lock_groups(units, locks, unit_of, position)
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
    return Contraction(blocks=blocks, block_of_unit=block_of_unit, pinned_units=by_name, graph=local)


def block_neighbours(contraction: Contraction) -> list[np.ndarray]:
    """Adjacent blocks of each block (sorted int arrays): units of different blocks sharing an edge.

    Parameters
    ----------
    contraction
        Blocks, unit -> block and the subset's unit graph (from :func:`contract_locks`).

    Returns
    -------
    list of numpy.ndarray
        For each block (in block order), the sorted indices (int) of the other blocks one of
        whose units is adjacent to one of its units in ``contraction.graph``.
    """
    block_of_unit = contraction.block_of_unit
    neighbours: list[set[int]] = [set() for _ in contraction.blocks]
    for a, b in contraction.graph.edges():
        ba, bb = block_of_unit[a], block_of_unit[b]
        if ba != bb:
            neighbours[ba].add(bb)
            neighbours[bb].add(ba)
    return [np.array(sorted(n), dtype=int) for n in neighbours]


def aggregate(units: pd.DataFrame, blocks: Sequence[np.ndarray]) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Block sums of the size attributes and of anchors.

    Parameters
    ----------
    units
        Units with ``anchors`` and any of :data:`SIZE_ATTRIBUTES` (pupils, schools, children).
    blocks
        Unit indices of each block.

    Returns
    -------
    attrs : dict
        ``attribute -> block sums`` (float) for the attributes the units carry.
    anchors : numpy.ndarray
        Anchors per block (int).
    """
    attrs: dict[str, np.ndarray] = {}
    for attr in SIZE_ATTRIBUTES:
        if attr in units.columns:
            values = units[attr].to_numpy(dtype=float)
            attrs[attr] = np.array([values[m].sum() for m in blocks])
    anchors = np.array([units["anchors"].to_numpy()[m].sum() for m in blocks], dtype=int)
    return attrs, anchors


def limits(
    bounds: Sequence[SizeBound], attrs: dict[str, np.ndarray], k: int, totals: dict[str, float] | None = None
) -> dict[str, tuple[float, float]]:
    """Per-partnership ``(low, high)`` of every size bound.

    Parameters
    ----------
    bounds
        The spec's size bounds.
    attrs
        Block sums per attribute (pupils, schools, children).
    k
        Partnerships the totals are shared among (the county's k when planning a subset).
    totals
        Totals per attribute to take the mean of (default: the sums of ``attrs``).

    Returns
    -------
    dict
        ``attribute -> (low, high)`` in the attribute's units (``high`` may be infinite).

    Raises
    ------
    SpecError
        A bound on an attribute the units do not carry.
    """
    out: dict[str, tuple[float, float]] = {}
    for bound in bounds:
        if bound.attribute not in attrs:
            raise SpecError(
                f"size bound on {bound.attribute!r} but the units carry no such figure",
                fix="attach population (--population) or drop the bound",
            )
        total = (totals or {}).get(bound.attribute, float(attrs[bound.attribute].sum()))
        out[bound.attribute] = bound.limits(total, k)
    return out


def block_districts(
    units: pd.DataFrame, subset: np.ndarray, blocks: Sequence[np.ndarray]
) -> tuple[np.ndarray, list[str]]:
    """District index of each block (``-1`` when its units lie in several) and the sorted district names.

    Parameters
    ----------
    units
        Planning units with a ``district`` column (row positions are unit indices).
    subset
        Unit indices planned; their districts make the list of names.
    blocks
        Unit indices of each block.

    Returns
    -------
    district : numpy.ndarray
        Index into ``district_names`` of each block's district (int), ``-1`` for a block whose
        units lie in more than one district.
    district_names : list of str
        The districts of the subset's units, sorted.
    """
    district_names = sorted(units["district"].iloc[subset].unique())
    dindex = {d: i for i, d in enumerate(district_names)}
    dist_of_unit = units["district"].to_numpy()
    district = np.array([dindex[dist_of_unit[m[0]]] if len({dist_of_unit[u] for u in m}) == 1 else -1 for m in blocks])
    return district, list(district_names)


def school_points(
    schools: pd.DataFrame, subset: np.ndarray, block_of_unit: dict[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Schools of the subset as points.

    Parameters
    ----------
    schools
        Schools with ``unit`` (unit index), ``pupils`` and point geometry in British National
        Grid metres (EPSG:27700).
    subset
        Unit indices planned; schools of other units are left out.
    block_of_unit
        Unit index -> block (from :func:`contract_locks`); holds every unit of ``subset``.

    Returns
    -------
    point_xy : numpy.ndarray
        Locations (km, BNG), n × 2, in the order of ``schools``.
    point_w : numpy.ndarray
        Pupils (float, length n).
    point_block : numpy.ndarray
        Block of each school (int, length n).
    """
    sel = schools[schools["unit"].isin(subset)]
    point_xy = np.column_stack([sel.geometry.x.to_numpy(), sel.geometry.y.to_numpy()]) / 1000.0
    point_w = sel["pupils"].to_numpy(dtype=float)
    point_block = np.array([block_of_unit[int(u)] for u in sel["unit"]], dtype=int)
    return point_xy, point_w, point_block


def school_trusts(schools: pd.DataFrame, subset: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Academy trust of each school of the subset, in the order of :func:`school_points`.

    Parameters
    ----------
    schools
        Schools with ``URN``, ``name``, ``unit`` and optionally ``trust`` (GIAS ``Trusts (name)``) and ``la_code``.
    subset
        Unit indices planned; schools of other units are left out.

    Returns
    -------
    point_trust : numpy.ndarray
        Index into ``trust_names`` of each school's trust (int), -1 for a school in none; trusts are the
        groups of two or more loaded schools of :func:`partition.data.federations.trusts` (all loaded schools,
        so a trust reaching outside the subset keeps its index).
    trust_names : tuple of str
        The trusts' names.
    """
    from partition.data.federations import trusts

    groups = trusts(schools)
    index = {u: t for t, g in enumerate(groups) for u in g.urns}
    sel = schools[schools["unit"].isin(subset)]
    point_trust = np.array([index.get(int(u), -1) for u in sel["URN"]], dtype=int)
    return point_trust, tuple(g.name for g in groups)


def school_settlements(schools: pd.DataFrame, subset: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """Settlement of each school of the subset, in the order of :func:`school_points`.

    Parameters
    ----------
    schools
        Schools with ``URN``, ``unit``, ``pupils`` and the GIAS place columns (see
        :func:`partition.data.places.school_places`: a town gathers its suburbs).
    subset
        Unit indices planned.

    Returns
    -------
    point_settlement : numpy.ndarray
        Index into ``settlement_names`` of each school's settlement (int), -1 for a school with no place or
        whose place has no other loaded school (places found over all loaded schools).
    settlement_names : tuple of str
        The settlements of two or more schools, sorted.
    """
    from partition.data.places import school_places

    places = school_places(schools)["place"]
    counts = places[places != ""].value_counts()
    names = tuple(sorted(str(p) for p in counts.index[counts >= 2]))
    index = {name: i for i, name in enumerate(names)}
    chosen = schools["unit"].isin(subset).to_numpy()
    point = np.array([index.get(str(p), -1) for p in places[chosen]], dtype=int)
    return point, names


def block_centres(
    units: gpd.GeoDataFrame,
    blocks: Sequence[np.ndarray],
    point_xy: np.ndarray,
    point_w: np.ndarray,
    point_block: np.ndarray,
) -> np.ndarray:
    """Pupil-weighted centre of each block (km, BNG); the centroid of its polygons when it has no pupils.

    Parameters
    ----------
    units
        Planning units (polygons in EPSG:27700, metres).
    blocks
        Unit indices of each block.
    point_xy, point_w, point_block
        School locations (km, BNG; n × 2), pupils and block, from :func:`school_points`.

    Returns
    -------
    numpy.ndarray
        Centre of each block, ``len(blocks)`` × 2, in km (BNG easting, northing).
    """
    n = len(blocks)
    w = np.bincount(point_block, weights=point_w, minlength=n)
    sx = np.bincount(point_block, weights=point_w * point_xy[:, 0], minlength=n)
    sy = np.bincount(point_block, weights=point_w * point_xy[:, 1], minlength=n)
    with np.errstate(invalid="ignore", divide="ignore"):
        xy = np.column_stack([sx, sy]) / w[:, None]  # NaN for blocks without pupils
    for b in np.flatnonzero(~np.isfinite(xy).all(axis=1)):
        c = units.geometry.iloc[blocks[b]].union_all().centroid
        xy[b] = (c.x / 1000.0, c.y / 1000.0)
    return xy


def apart_pairs(
    locks: Locks, unit_of: Callable[[int, str], int], position: dict[int, int] | set[int], block_of_unit: dict[int, int]
) -> list[tuple[int, int]]:
    """Block pairs of the ``apart`` locks whose two schools are both planned.

    Parameters
    ----------
    locks
        The spec's locks; only ``apart`` (pairs of URNs) is read.
    unit_of
        ``(URN, lock kind) -> unit index`` (see :func:`unit_of_urn`).
    position
        The planned units (a dict keyed by unit index, or a set); a pair with a school outside
        is left out.
    block_of_unit
        Unit index -> block.

    Returns
    -------
    list of tuple of int
        ``(block of the first school, block of the second)`` per ``apart`` lock, in lock order.

    Raises
    ------
    SpecError
        An unknown URN.
    InfeasibleError
        Two schools to keep apart in one block (same site, or tied by another lock).
    """
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
    return apart


def pinned_names(
    pinned_units: dict[str, list[int]], position: dict[int, int] | set[int], block_of_unit: dict[int, int]
) -> dict[int, str]:
    """Block -> name of the ``pinned`` locks present in the subset.

    Parameters
    ----------
    pinned_units
        Partnership name -> units pinned to it (``Contraction.pinned_units``); a name's units
        share one block (:func:`contract_locks` merged them).
    position
        The planned units (a dict keyed by unit index, or a set); names with no unit among
        them are left out.
    block_of_unit
        Unit index -> block.

    Returns
    -------
    dict of int to str
        The block holding each present name's units -> that name.

    Raises
    ------
    SpecError
        Two names in one block (their schools share a site or are tied by a ``together`` lock).
    """
    names: dict[int, str] = {}
    for name, us in pinned_units.items():
        present = [u for u in us if u in position]
        if present:
            names[block_of_unit[present[0]]] = name
    by_block: dict[int, list[str]] = {}
    for name, us in pinned_units.items():
        for b in sorted({block_of_unit[u] for u in us if u in position}):
            by_block.setdefault(b, []).append(name)
    clash = next((ns for ns in by_block.values() if len(ns) > 1), None)
    if clash:
        raise SpecError(
            f"schools pinned to different partnerships {', '.join(map(repr, sorted(clash)))} are tied into one "
            "locked block (one site, a together lock or federation, or a partnership that is not one connected "
            "area, so the path joining its schools crosses the other)",
            fix="check the pinned and together locks: each pinned partnership must be one connected area",
        )
    return names


def oversized_federations(
    feds: Sequence[Group],
    unit_of: Callable[[int, str], int],
    block_of_unit: dict[int, int],
    attrs: dict[str, np.ndarray],
    bounds: dict[str, tuple[float, float]],
) -> None:
    """Refuse a federation kept together whose block (its units and the paths joining them) exceeds a size bound.

    Parameters
    ----------
    feds
        The federations kept together (:func:`partition.data.federations.locked_federations`).
    unit_of
        ``(URN, what) -> unit index`` of a school (``what`` names the lock in its error).
    block_of_unit
        Block of each unit of the problem (units planned elsewhere, under ``nest``, are absent).
    attrs
        Block sums of each size attribute (pupils, schools, population).
    bounds
        ``attribute -> (low, high)`` per partnership (:func:`limits`).

    Raises
    ------
    InfeasibleError
        Naming the federation, its schools (names and URNs), the figure, the bound and the fix.
    """
    for g in feds:
        block = block_of_unit.get(unit_of(g.urns[0], "federation"))
        if block is None:  # planned in another district (mode nest)
            continue
        for attr, (_, high) in bounds.items():
            value = float(attrs[attr][block])
            if value > high:
                raise InfeasibleError(
                    f"federation {g.describe()} cannot be kept in one partnership: with the planning units on the "
                    f"paths joining its schools it holds {value:,.0f} {attr}, more than the {high:,.0f} a partnership may have",
                    fix=f"{FIX_IGNORE}, or loosen the size bound on {attr}",
                )


@dataclass(frozen=True, eq=False)
class BlockDescriber:
    """A block described for users (up to three of its units: school, URN, district), as
    :attr:`Problem.describe_block`; a module-level class, not a closure, so that a :class:`Problem` pickles
    (an executor can send it to another process).

    Attributes
    ----------
    units
        The units frame (as :func:`partition.units.graph.describe_units` reads it).
    blocks
        Unit indices of each block.
    """

    units: pd.DataFrame
    blocks: Sequence[np.ndarray]

    def __call__(self, block: int) -> str:
        """The units of ``block`` described (see :func:`partition.units.graph.describe_units`)."""
        return describe_units(self.units, list(self.blocks[block]), limit=3)


def feasibility(problem: Problem) -> None:
    """Refuse a ``k`` the blocks cannot hold.

    Parameters
    ----------
    problem
        The problem as built by :func:`build_problem` (its ``k``, blocks and anchors per block).

    Returns
    -------
    None
        When ``k`` is at most the blocks and, with anchors required, the blocks holding an anchor.

    Raises
    ------
    InfeasibleError
        More partnerships than blocks, or (anchors required) than blocks holding an anchor,
        or no anchor at all in the study area.
    """
    k = problem.k
    if k > problem.n:
        raise InfeasibleError(
            f"k = {k} partnerships but only {problem.n} planning units", fix=f"choose k ≤ {problem.n}"
        )
    anchored = int((problem.anchors > 0).sum())
    if problem.needs_anchors and anchored == 0:
        raise InfeasibleError(
            "every partnership needs an anchor (a secondary, all-through school or college) but the study area has none",
            fix="turn anchors off (--no-anchors, or anchors = false in the spec)",
        )
    if problem.needs_anchors and anchored < k:
        raise InfeasibleError(
            f"k = {k} partnerships each need an anchor (secondary, all-through or college) but only {anchored} "
            "planning units hold one",
            fix=f"choose k ≤ {anchored} or turn anchors off (--no-anchors)",
        )


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
        From :func:`partition.units.prepare.prepare` (schools carry a ``unit`` column).
    spec
        The specification (size bounds, anchors, district mode, locks).
    k
        Partnerships to plan over ``subset``.
    subset
        Unit indices to plan (e.g. one district in ``nest`` mode); default all.
    totals, k_total
        County totals and k used for tolerance bounds when planning a subset,
        so that every district's partnerships share the county-wide mean.

    Returns
    -------
    Problem

    Raises
    ------
    SpecError
        A lock naming an unknown URN, crossing districts in mode ``nest`` or joining unconnected units;
        a size bound on an attribute the units lack; two pinned names in one block.
    InfeasibleError
        Two schools to keep apart in one block; k above the blocks or anchored blocks; a federation kept
        together (spec ``federations = "together"``) that conflicts with a lock, the districts mode or a
        size bound (naming it, see :mod:`partition.data.federations`).
    """
    subset = np.arange(len(units)) if subset is None else np.asarray(subset)
    position = {int(u): i for i, u in enumerate(subset)}
    unit_of = unit_of_urn(schools)
    locks = effective_locks(spec, schools)  # the planner's locks and the federations kept together
    contraction = contract_locks(units, graph, locks, unit_of, subset)
    blocks, block_of_unit = contraction.blocks, contraction.block_of_unit
    attrs, anchors = aggregate(units, blocks)
    bounds = limits(spec.size, attrs, k_total or k, totals)
    oversized_federations(locked_federations(spec, schools), unit_of, block_of_unit, attrs, bounds)
    district, district_names = block_districts(units, subset, blocks)
    point_xy, point_w, point_block = school_points(schools, subset, block_of_unit)
    apart = apart_pairs(locks, unit_of, position, block_of_unit)
    names = pinned_names(contraction.pinned_units, position, block_of_unit)
    apart += [(x, y) for x in names for y in names if x < y]
    point_trust, trust_names = school_trusts(schools, subset)
    problem = Problem(
        k=k,
        blocks=blocks,
        neighbours=block_neighbours(contraction),
        attrs=attrs,
        limits=bounds,
        anchors=anchors,
        district=district,
        district_names=district_names,
        point_xy=point_xy,
        point_w=point_w,
        point_block=point_block,
        block_xy=block_centres(units, blocks, point_xy, point_w, point_block),
        apart=apart,
        names=names,
        needs_anchors=spec.anchors,
        split_penalty_km=spec.split_penalty_km if spec.districts == "penalise" else 0.0,
        nest=spec.districts == "nest",
        n_units=len(units),
        describe_block=BlockDescriber(units, blocks),
        point_anchor=schools.loc[schools["unit"].isin(subset), "anchor"].to_numpy(dtype=bool),
        objective=spec.objective,
        point_trust=point_trust,
        trust_names=trust_names,
        trust_penalty_km=spec.trust_penalty_km if spec.trusts == "prefer" else 0.0,
        balance_km_per_point=spec.balance_penalty_km,
        **_settlement_fields(schools, subset, spec),
    )
    feasibility(problem)
    return problem


def _settlement_fields(schools: pd.DataFrame, subset: np.ndarray, spec: PlanSpec) -> dict[str, object]:
    """The :class:`Problem` fields of the settlement preference (none unless ``settlements = "prefer"``)."""
    if spec.settlements != "prefer" or not spec.settlement_penalty_km:
        return {}
    point, names = school_settlements(schools, subset)
    return {"point_settlement": point, "settlement_names": names, "settlement_penalty_km": spec.settlement_penalty_km}


def quick_feasibility(problem: Problem) -> list[str]:
    """Cheap necessary conditions on the size bounds.

    Parameters
    ----------
    problem
        The problem.

    Returns
    -------
    list of str
        Reasons the problem is infeasible (empty when none is found): a total below k × minimum or above
        k × maximum, or one block above the maximum.
    """
    reasons = []
    for attr, (low, high) in problem.limits.items():
        total = problem.attrs[attr].sum()
        if total < problem.k * low - FEASIBILITY_SLACK:
            reasons.append(f"{attr}: total {total:,.0f} is less than k × minimum = {problem.k} × {low:,.0f}")
        if total > problem.k * high + FEASIBILITY_SLACK and math.isfinite(high):
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
