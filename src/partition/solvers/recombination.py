"""Spanning-tree recombination of two partnerships: the tree and cut code shared by the ReCom ensemble
(:mod:`partition.analysis.ensemble`) and the heuristic's merge-split moves (:mod:`partition.solvers.heuristic`).

Two adjacent partnerships are merged; a random spanning tree of the merged area
(minimum spanning tree under random edge weights) is drawn; removing one tree
edge splits the area into two connected halves. A cut is *valid* when both
halves are within every size bound, hold an anchor (when anchors are
required) and separate every ``apart`` pair inside the area. Locked-together
schools are one block of the problem, so they always stay together.

:func:`best_split` evaluates every valid cut of several trees by the exact
pupil-weighted distance of both halves (vectorised over cuts) plus the
district-split penalty and the trust-split penalty (spec ``trusts = "prefer"``),
and returns the best.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partition.model.balance import Balance
from partition.solvers.problem import Problem

SIZE_SLACK = 1e-9
"""Rounding slack (in each size attribute's units) of the size bounds checked on a cut."""

MIN_TREE_WEIGHT = 1e-9
"""Added to the random edge weights of a spanning tree, so that no weight is zero (a zero entry is no edge)."""

NO_PARENT = -9999
"""Parent of a tree's root (as :func:`scipy.sparse.csgraph.breadth_first_order` marks it)."""

MIN_PUPILS = 1e-12
"""Pupils below which a half counts as empty of pupils (its distance cost is 0)."""


@dataclass(frozen=True)
class Sizes:
    """What a valid cut must respect: per-block size attributes, their bounds, anchors.

    Attributes
    ----------
    attr
        Blocks × size attributes (the problem's limited attributes, in ``limits`` order).
    low, high
        Bounds per attribute (``high`` may be infinite).
    anchors
        Anchors per block.
    need_anchor
        Every partnership must hold an anchor.
    """

    attr: np.ndarray
    low: np.ndarray
    high: np.ndarray
    anchors: np.ndarray
    need_anchor: bool

    @classmethod
    def of(cls, problem: Problem) -> Sizes:
        """The sizes and bounds of ``problem``.

        Parameters
        ----------
        problem
            The problem: its block sums (``attrs``), ``limits``, ``anchors`` and ``needs_anchors``.

        Returns
        -------
        Sizes
            One column of :attr:`attr` per attribute of ``problem.limits`` (in its order); none when
            the problem has no size bound.
        """
        names = list(problem.limits)
        attr = np.column_stack([problem.attrs[a] for a in names]) if names else np.zeros((problem.n, 0))
        low = np.array([problem.limits[a][0] for a in names])
        high = np.array([problem.limits[a][1] for a in names])
        return cls(attr, low, high, problem.anchors, problem.needs_anchors)

    def within(self, sums: np.ndarray) -> np.ndarray:
        """Rows of ``sums`` inside every bound.

        Parameters
        ----------
        sums
            Candidate partnerships × attributes (the columns of :attr:`attr`), in the attributes' units.

        Returns
        -------
        numpy.ndarray
            One bool per row: every sum within ``[low, high]``, give or take :data:`SIZE_SLACK`.
        """
        return np.all((sums >= self.low - SIZE_SLACK) & (sums <= self.high + SIZE_SLACK), axis=1)


def random_tree(
    n_nodes: int, su: np.ndarray, sv: np.ndarray, rng: np.random.Generator
) -> tuple[int, np.ndarray, np.ndarray]:
    """A random spanning tree of a connected area: the minimum spanning tree under random edge weights
    (Kruskal with union-find; small areas, so plain Python beats sparse-matrix overhead).

    Parameters
    ----------
    n_nodes
        Nodes of the area (0 .. n_nodes - 1).
    su, sv
        Its edges (local node indices, each pair once).
    rng
        Random generator.

    Returns
    -------
    root : int
        A random node.
    order : numpy.ndarray
        Nodes in breadth-first order from the root.
    parent : numpy.ndarray
        Parent of each node in the tree (:data:`NO_PARENT` for the root).
    """
    weights = rng.random(len(su)) + MIN_TREE_WEIGHT
    root = int(rng.integers(n_nodes))
    adjacent = _kruskal(n_nodes, su.tolist(), sv.tolist(), np.argsort(weights, kind="stable").tolist())
    parent = [NO_PARENT] * n_nodes
    order = [root]
    seen = [False] * n_nodes
    seen[root] = True
    for x in order:  # grows while iterated: breadth-first
        for y in adjacent[x]:
            if not seen[y]:
                seen[y] = True
                parent[y] = x
                order.append(y)
    return root, np.array(order, dtype=int), np.array(parent, dtype=int)


def _kruskal(n_nodes: int, su: list[int], sv: list[int], by_weight: list[int]) -> list[list[int]]:
    """Adjacency lists of the spanning forest Kruskal's algorithm keeps from the edges taken in ``by_weight`` order."""
    root_of = list(range(n_nodes))

    def find(x: int) -> int:
        while root_of[x] != x:
            root_of[x] = root_of[root_of[x]]
            x = root_of[x]
        return x

    adjacent: list[list[int]] = [[] for _ in range(n_nodes)]
    joined = 0
    for e in by_weight:
        a, b = su[e], sv[e]
        ra, rb = find(a), find(b)
        if ra != rb:
            root_of[ra] = rb
            adjacent[a].append(b)
            adjacent[b].append(a)
            joined += 1
            if joined == n_nodes - 1:
                break
    return adjacent


def valid_cuts(
    sizes: Sizes,
    nodes: np.ndarray,
    root: int,
    order: np.ndarray,
    parent: np.ndarray,
    inside: np.ndarray | None = None,
) -> np.ndarray:
    """Tree nodes (local indices) whose subtree and its complement are both within the size bounds (and anchored).

    Parameters
    ----------
    sizes
        Sizes and bounds.
    nodes
        Blocks of the area (local index -> block).
    root, order, parent
        The tree (from :func:`random_tree`).
    inside
        The tree's :func:`below` matrix (computed when not given).

    Returns
    -------
    numpy.ndarray
        Local indices ``v``: cutting the edge from ``v`` to its parent leaves both halves valid.
    """
    if inside is None:
        inside = below(order, parent, len(nodes))
    weights = inside.astype(float)
    sums = weights @ sizes.attr[nodes]
    total = sizes.attr[nodes].sum(axis=0)
    ok = sizes.within(sums) & sizes.within(total - sums)
    if sizes.need_anchor:
        anchors = sizes.anchors[nodes].astype(float)
        anchors_below = weights @ anchors
        ok &= (anchors_below >= 1) & (anchors.sum() - anchors_below >= 1)
    ok[root] = False
    return np.flatnonzero(ok)


def below(order: np.ndarray, parent: np.ndarray, n_nodes: int) -> np.ndarray:
    """``n_nodes × n_nodes`` boolean matrix: ``[v, x]`` when ``x`` is in the subtree below ``v`` (``v`` included).

    Parameters
    ----------
    order
        The tree's nodes, each after its parent (e.g. breadth-first from the root, as
        :func:`random_tree` gives).
    parent
        Parent of each node (negative, :data:`NO_PARENT`, for the root).
    n_nodes
        Nodes of the tree (0 .. n_nodes - 1).

    Returns
    -------
    numpy.ndarray
        Boolean, ``n_nodes × n_nodes``.
    """
    ancestors = np.zeros((n_nodes, n_nodes), dtype=bool)
    for x in order:
        if parent[x] >= 0:
            ancestors[x] = ancestors[parent[x]]
        ancestors[x, x] = True
    return ancestors.T


def subtree(v: int, order: np.ndarray, parent: np.ndarray, n_nodes: int) -> np.ndarray:
    """Boolean mask of the nodes in the subtree below ``v`` (``v`` included).

    Parameters
    ----------
    v
        The subtree's top node.
    order
        The tree's nodes, each after its parent (see :func:`below`).
    parent
        Parent of each node (negative for the root).
    n_nodes
        Nodes of the tree.

    Returns
    -------
    numpy.ndarray
        Boolean, length ``n_nodes``.
    """
    inside = np.zeros(n_nodes, dtype=bool)
    inside[v] = True
    for x in order:
        if parent[x] >= 0 and inside[parent[x]]:
            inside[x] = True
    return inside


@dataclass(frozen=True)
class Area:
    """Two merged partnerships, ready for cuts.

    Attributes
    ----------
    nodes
        Blocks of the area (local index -> block).
    su, sv
        Edges inside the area (local indices).
    point_node
        Local node of each school of the area.
    xy, w
        Location (km) and pupils of each school of the area.
    apart
        ``apart`` pairs with both blocks in the area (local indices), 2 columns.
    district
        District index of each node (0 when a block spans districts).
    hub_ok
        Under the hub objective, which schools of the area may be a hub (bool); None under wdist.
    trust
        With a trust penalty, the trust of each school of the area (local index 0 .. trusts in the area − 1,
        -1 for none); None without.
    trust_penalty_km
        km per trust split (``Problem.trust_penalty_km``; 0: trusts not counted).
    town, town_penalty_km
        As ``trust`` and ``trust_penalty_km``, for the settlements (``Problem.point_settlement``,
        ``Problem.settlement_penalty_km``).
    """

    nodes: np.ndarray
    su: np.ndarray
    sv: np.ndarray
    point_node: np.ndarray
    xy: np.ndarray
    w: np.ndarray
    apart: np.ndarray
    district: np.ndarray
    hub_ok: np.ndarray | None = None
    trust: np.ndarray | None = None
    trust_penalty_km: float = 0.0
    town: np.ndarray | None = None
    town_penalty_km: float = 0.0


def _local_groups(group: np.ndarray | None, penalty: float, points: np.ndarray) -> np.ndarray | None:
    """Group (trust, settlement) of each school of ``points`` renumbered 0 .. (groups among them − 1), -1 for
    none; None without a penalty or without groups among them.
    """
    if not penalty or group is None:
        return None
    mine = group[points]
    present = mine >= 0
    if not present.any():
        return None
    local = np.full(len(mine), -1, dtype=int)
    local[present] = np.unique(mine[present], return_inverse=True)[1]
    return local


def _local_trusts(problem: Problem, points: np.ndarray) -> np.ndarray | None:
    """Trust of each school of ``points`` renumbered 0 .. (trusts among them − 1), -1 for none; None without a
    trust penalty or without trusts among them.
    """
    return _local_groups(problem.point_trust, problem.trust_penalty_km, points)


def merged_area(problem: Problem, labels: np.ndarray, p: int, q: int, points: np.ndarray | None = None) -> Area:
    """The :class:`Area` of partnerships ``p`` and ``q`` under ``labels``.

    Parameters
    ----------
    problem
        The problem.
    labels
        Block labels.
    p, q
        The two partnerships.
    points
        School indices of the two partnerships (default: found from ``labels``).
    """
    nodes = np.flatnonzero((labels == p) | (labels == q))
    local = np.full(problem.n, -1, dtype=int)
    local[nodes] = np.arange(len(nodes))
    edges = problem.edges
    inside = (local[edges[:, 0]] >= 0) & (local[edges[:, 1]] >= 0)
    if points is None:
        points = np.flatnonzero(local[problem.point_block] >= 0)
    apart = np.array([(local[a], local[b]) for a, b in problem.apart if local[a] >= 0 and local[b] >= 0], dtype=int)
    return Area(
        nodes=nodes,
        su=local[edges[inside, 0]],
        sv=local[edges[inside, 1]],
        point_node=local[problem.point_block[points]],
        xy=problem.point_xy[points],
        w=problem.point_w[points],
        apart=apart.reshape(-1, 2),
        district=np.where(problem.district[nodes] >= 0, problem.district[nodes], 0),
        hub_ok=problem.point_hub_ok[points] if problem.objective == "hub" else None,
        trust=_local_trusts(problem, points),
        trust_penalty_km=problem.trust_penalty_km,
        town=_local_groups(problem.point_settlement, problem.settlement_penalty_km, points),
        town_penalty_km=problem.settlement_penalty_km,
    )


def _half_costs(side: np.ndarray, xy: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Σ pupils × km to the half's pupil-weighted centroid, for each row of ``side`` (cuts × schools, boolean)."""
    weights = side * w
    total = weights.sum(axis=1)
    centre = (weights @ xy) / np.maximum(total, MIN_PUPILS)[:, None]
    dist = np.sqrt(((xy[None, :, :] - centre[:, None, :]) ** 2).sum(axis=2))
    return np.where(total > MIN_PUPILS, (weights * dist).sum(axis=1), 0.0)


def _district_splits(members: np.ndarray, district: np.ndarray) -> np.ndarray:
    """Districts each half spans beyond its first, summed over both halves, for each row of ``members``."""
    onehot = np.zeros((len(district), int(district.max()) + 1))
    onehot[np.arange(len(district)), district] = 1.0
    a = (members.astype(float) @ onehot) > 0
    b = ((~members).astype(float) @ onehot) > 0
    return np.maximum(a.sum(axis=1) - 1, 0) + np.maximum(b.sum(axis=1) - 1, 0)


def _trust_splits(side: np.ndarray, trust: np.ndarray) -> np.ndarray:
    """Trusts of the area with schools in both halves, for each row of ``side`` (cuts × schools, boolean).

    Per trust of the area, (halves holding its schools − 1): as the area's schools all lie in one half or the
    other, that is whether both halves hold some. The partnerships outside the area are the same for every cut,
    so this differs from the plan's trust splits (:func:`partition.data.federations.trust_splits`) by the same number
    for every cut.
    """
    has = trust >= 0
    onehot = np.zeros((len(trust), int(trust.max(initial=-1)) + 1))
    onehot[np.flatnonzero(has), trust[has]] = 1.0
    a = (side.astype(float) @ onehot) > 0
    b = ((~side).astype(float) @ onehot) > 0
    return (a & b).sum(axis=1)


def hub_half_costs(side: np.ndarray, xy: np.ndarray, w: np.ndarray, hub_ok: np.ndarray) -> np.ndarray:
    """Σ pupils × km to the half's best hub school, for each row of ``side`` (cuts × schools, boolean).

    The hub is the school among the half's candidates (``hub_ok``; all of its schools when it has none) of least
    pupil-weighted total distance, as in :func:`partition.model.scoring.hub_distance_km`; an empty half costs 0.

    Parameters
    ----------
    side
        Cuts × schools (boolean): the schools of the half (one row, or a 1-D mask, for one set of schools).
    xy
        School locations (schools × 2, km, BNG).
    w
        Pupils per school.
    hub_ok
        Which schools may be a hub (boolean per school).

    Returns
    -------
    numpy.ndarray
        Per cut, Σ pupils × km from the half's schools to its best hub (pupil-km).
    """
    side = np.atleast_2d(side)
    dist = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])  # schools × schools, km
    at_hub = (side * w) @ dist  # cuts × schools: the half's cost were each school its hub
    allowed = side & hub_ok[None, :]
    allowed = np.where(allowed.any(axis=1)[:, None], allowed, side)
    best = np.where(allowed, at_hub, np.inf).min(axis=1, initial=np.inf)
    return np.where(np.isfinite(best), best, 0.0)


def cut_costs(
    area: Area,
    members: np.ndarray,
    penalty_km: float,
    total_pupils: float,
    balance: tuple[Balance, np.ndarray] | None = None,
) -> np.ndarray:
    """Objective (km) of the two halves of each cut: their share of wdist (or of the hub objective, when
    ``area.hub_ok`` is set) plus the split penalty, the trust penalty (``area.trust_penalty_km``) per trust
    of the area with schools in both halves (:func:`_trust_splits`), and likewise the settlement penalty.

    Parameters
    ----------
    area
        The merged area.
    members
        Cuts × nodes, boolean: the nodes of one half.
    penalty_km
        Split penalty (km) per district split (0: none).
    total_pupils
        Pupils of the whole problem (wdist's denominator).
    balance
        The preferred band and the size attributes of the area's nodes (nodes × attributes), when the objective
        has a balance term (:mod:`partition.model.balance`).

    Returns
    -------
    numpy.ndarray
        Per cut, (cost of one half + cost of the other) / total pupils + penalty × splits of the two halves
        + trust penalty × trusts divided between them + the balance term of the two halves.
    """
    side = members[:, area.point_node]
    if area.hub_ok is not None:
        halves = hub_half_costs(side, area.xy, area.w, area.hub_ok) + hub_half_costs(
            ~side, area.xy, area.w, area.hub_ok
        )
    else:
        halves = _half_costs(side, area.xy, area.w) + _half_costs(~side, area.xy, area.w)
    cost = halves / total_pupils
    if penalty_km:
        cost = cost + penalty_km * _district_splits(members, area.district)
    if area.trust_penalty_km and area.trust is not None:
        cost = cost + area.trust_penalty_km * _trust_splits(side, area.trust)
    if area.town_penalty_km and area.town is not None:
        cost = cost + area.town_penalty_km * _trust_splits(side, area.town)
    if balance is not None:
        band, node_attr = balance
        half = members.astype(float) @ node_attr
        cost = cost + band.penalty_km(half) + band.penalty_km(node_attr.sum(axis=0) - half)
    return cost


def best_split(
    area: Area,
    sizes: Sizes,
    rng: np.random.Generator,
    trees: int,
    penalty_km: float,
    total_pupils: float,
    balance: Balance | None = None,
) -> tuple[float, np.ndarray] | None:
    """The best valid cut over ``trees`` random spanning trees of ``area``.

    Parameters
    ----------
    area
        The merged area.
    sizes
        Sizes and bounds.
    rng
        Random generator.
    trees
        Spanning trees drawn.
    penalty_km, total_pupils
        See :func:`cut_costs`.
    balance
        The preferred band when the objective has a balance term (:mod:`partition.model.balance`), else None.

    Returns
    -------
    (float, numpy.ndarray) or None
        The objective of the two halves (km, as :func:`cut_costs`) and the mask of one half over
        ``area.nodes``; None when no tree has a valid cut.
    """
    n = len(area.nodes)
    priced = (balance, sizes.attr[area.nodes]) if balance is not None and balance.km_per_point else None
    best: tuple[float, np.ndarray] | None = None
    for _ in range(trees):
        root, order, parent = random_tree(n, area.su, area.sv, rng)
        inside = below(order, parent, n)
        cuts = valid_cuts(sizes, area.nodes, root, order, parent, inside)
        if len(cuts) == 0:
            continue
        members = inside[cuts]
        if len(area.apart):
            members = members[(members[:, area.apart[:, 0]] != members[:, area.apart[:, 1]]).all(axis=1)]
            if len(members) == 0:
                continue
        costs = cut_costs(area, members, penalty_km, total_pupils, priced)
        i = int(np.argmin(costs))
        if best is None or costs[i] < best[0]:
            best = (float(costs[i]), members[i])
    return best
