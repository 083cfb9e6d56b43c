"""Fast heuristic: balanced region growing from anchor seeds, then local search.

Objective (minimised)::

    wdist + split_penalty_km × district splits      (splits only in mode "penalise")
          + trust_penalty_km × trust splits         (only with trusts = "prefer")
          + settlement_penalty_km × settlement splits (settlements = "prefer", the default)
          + balance_penalty_km × points outside the preferred band (partition.model.balance)

where *wdist* is the pupil-weighted mean distance (km) of schools to their
partnership's pupil-weighted centroid — exactly the headline measure. Under
the spec's ``objective = "hub"`` (``Problem.objective``) the hub distance
replaces wdist: the pupil-weighted mean distance (km) of schools to their
partnership's best hub school (an anchor when anchors are required), as
:func:`partition.model.scoring.hub_distance_km`, and two searches of the same
budget compete: one on the hub distance, and one on wdist followed by a hub
search from its plan (:func:`_hub_search`); moves, recombination cuts and
acceptance of the hub searches are judged on the hub distance.

1. **Construction.** Balanced k-means: weighted k-means proposes k centres;
   a linear programme (HiGHS, via SciPy) assigns units to centres at least
   pupil-weighted distance under the size bounds; centres move to their
   units' centroid and the LP is solved again (4 rounds); each partnership
   keeps its heaviest connected piece and other pieces join the neighbour they
   share most boundary with. (With pinned locks, regions instead grow from
   seed units — the pinned units plus anchors matched to the k-means centres —
   along the adjacency graph, each up to the upper size bound.)
2. **Balance.** Local search on the squared relative deviation of every sized
   attribute from its mean (plus missing anchors and locks violated), which
   pushes load along chains of partnerships, until every bound holds.
3. **Compactness.** Iterated local search on the objective. Each step perturbs
   the configuration, then descends (best-improvement moves of one boundary
   block that keep every rule). The perturbation is, with probability
   :data:`RECOMBINE_SHARE`, a **merge-split recombination**: two adjacent
   partnerships are merged, :data:`TREES_PER_RECOMBINATION` random spanning
   trees of the merged area are drawn, every tree edge whose cut leaves both
   halves within the size bounds, anchored and with apart pairs separated is
   scored by exact wdist (plus the split penalty), and the best cut is
   applied (:mod:`partition.solvers.recombination`); otherwise a kick of a
   few random feasible moves. A step is kept when the configuration stays
   valid and its objective is below the current one plus a threshold that
   falls linearly from :data:`THRESHOLD` × the objective to 0 over the budget
   (threshold accepting), else undone; the best configuration is returned.
   With several restarts, a last search starts from the best of them.

The budget is counted (steps; :func:`full_iterations` scales it with the
instance, :func:`default_patience` the early stop), never timed, so the
result depends on the inputs and the seed only: there is no clock in the search.

Moves transfer one boundary block to an adjacent partnership; the donor must
stay connected and anchored, and a recombination's halves are tree pieces, so
every configuration is contiguous. Locked-together schools are one block.
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, replace

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import KMeans

from partition.model.result import SolverResult
from partition.solvers.problem import Problem
from partition.solvers.recombination import Sizes, best_split, hub_half_costs, merged_area

VIOLATION_WEIGHT = 10.0
"""Weight, in the balancing objective, of one unit of rule violation (a bound missed by one mean, a missing
anchor, a broken apart lock) against the squared relative deviation outside the inner band."""

INNER_BAND = 0.5
"""Inner band of the balancing objective: from each bound this fraction of the way towards the mean."""

MISSING_ANCHOR = 0.5
"""A partnership with fewer anchors than this has none."""

SLACK = 1e-9
"""Rounding slack of size bounds (attribute units) and of violation and objective comparisons (km)."""


MIN_GAIN = 1e-12
"""Smallest decrease of an objective that counts as an improving move."""

KMEANS_WEIGHT_FLOOR = 1e-6
"""Pupils added to every block's weight in k-means, so that blocks without pupils still count."""

DEFAULT_ITERATIONS = 300
"""Perturbation steps per search at most in a preview (the ``heuristic`` solver's default work budget)."""

STEPS_PER_PAIR = 65
"""Perturbation steps per pair of adjacent partnerships in the full search (:func:`full_iterations`): about
20 s of one core for Hampshire at k = 23 (4,485 steps)."""

KICK_MOVES = 4
"""Random moves per kick."""

RECOMBINE_SHARE = 0.7
"""Probability that a perturbation step is a recombination (merge two partnerships, redraw them) rather than a kick."""

TREES_PER_RECOMBINATION = 10
"""Random spanning trees drawn per recombination; every valid cut of each is evaluated."""

THRESHOLD = 0.005
"""Worsening (share of the objective) a step may bring at the start of a search; falls linearly to 0."""

MIN_PATIENCE = 60
"""Fewest steps without improvement that end a search."""

PATIENCE_PER_PAIR = 20
"""Steps without improvement that end a search, per pair of adjacent partnerships."""

ADJACENT_PAIRS_PER_PARTNERSHIP = 3
"""Pairs of adjacent partnerships per partnership on a map (a planar graph has fewer than 3 k edges)."""

PIECE_WEIGHT_FLOOR = 1e-3
"""Pupils added to every block's weight when choosing a partnership's heaviest piece."""


class _Groups:
    """Schools of each group (academy trust, settlement) per partnership, kept as blocks move.

    A block may hold schools of several groups (co-located sites), so each block carries its groups and their
    school counts (``block``); ``count`` is partnerships × groups.
    """

    def __init__(
        self,
        point_group: np.ndarray,
        n_groups: int,
        block_points: list[np.ndarray],
        labels: np.ndarray,
        k: int,
        point_block: np.ndarray,
    ) -> None:
        n = max(n_groups, int(point_group.max(initial=-1)) + 1)
        self.block: list[tuple[np.ndarray, np.ndarray]] = []
        for pts in block_points:
            ids, counts = np.unique(point_group[pts][point_group[pts] >= 0], return_counts=True)
            self.block.append((ids, counts))
        self.count = np.zeros((k, n), dtype=int)
        inside = point_group >= 0
        np.add.at(self.count, (labels[point_block[inside]], point_group[inside]), 1)

    def splits(self) -> int:
        """Σ over groups of (partnerships holding its schools − 1)."""
        return int(((self.count > 0).sum(axis=0) - 1).clip(min=0).sum())

    def delta(self, u: int, p: int, q: int) -> int:
        """Change in :meth:`splits` when block ``u`` moves from ``p`` to ``q``: each group of ``u`` gains a
        partnership when ``q`` held none of its schools, and loses one when ``u`` held all of ``p``'s.
        """
        ids, counts = self.block[u]
        if len(ids) == 0:
            return 0
        return int((self.count[q, ids] == 0).sum() - (self.count[p, ids] == counts).sum())

    def transfer(self, u: int, p: int, q: int) -> None:
        ids, counts = self.block[u]
        self.count[p, ids] -= counts
        self.count[q, ids] += counts


class _State:
    """A labelling with incremental bookkeeping of sizes, anchors, districts, trusts and cost.

    With a trust penalty (``Problem.trust_penalty_km`` > 0) it counts the schools of each trust in each
    partnership (``trusts``, a :class:`_Groups`), and with a settlement penalty the schools of each settlement
    (``towns``).
    """

    def __init__(self, problem: Problem, labels: np.ndarray) -> None:
        self.problem = problem
        k, n = problem.k, problem.n
        self.k = k
        self.labels = labels.astype(int).copy()
        names = list(problem.limits)
        self.block_attr = np.column_stack([problem.attrs[a] for a in names]) if names else np.zeros((n, 0))
        self.low = np.array([problem.limits[a][0] for a in names])
        self.high = np.array([problem.limits[a][1] for a in names])
        totals = self.block_attr.sum(axis=0)
        self.mean = np.where(totals > 0, totals / problem.k, 1.0)
        centre = np.clip(self.mean, self.low, np.where(np.isfinite(self.high), self.high, np.inf))
        self.inner_low = (1 - INNER_BAND) * self.low + INNER_BAND * centre
        self.inner_high = np.where(np.isfinite(self.high), (1 - INNER_BAND) * self.high + INNER_BAND * centre, np.inf)
        self.need_anchor = problem.needs_anchors
        self.penalty = problem.split_penalty_km
        self.hub_ok = problem.point_hub_ok if problem.objective == "hub" else None
        self.total_w = max(problem.total_pupils, 1e-9)
        order = np.argsort(problem.point_block, kind="stable")
        sorted_blocks = problem.point_block[order]
        starts = np.searchsorted(sorted_blocks, np.arange(n))
        ends = np.searchsorted(sorted_blocks, np.arange(n), side="right")
        self.block_points = [order[s:e] for s, e in zip(starts, ends)]
        self.apart_of: list[list[int]] = [[] for _ in range(n)]
        for a, b in problem.apart:
            self.apart_of[a].append(b)
            self.apart_of[b].append(a)
        self.block_district = np.where(problem.district >= 0, problem.district, 0)
        self.members: list[set[int]] = [set() for _ in range(k)]
        for b, p in enumerate(self.labels):
            self.members[p].add(int(b))
        self.sums = np.zeros((k, self.block_attr.shape[1]))
        np.add.at(self.sums, self.labels, self.block_attr)
        self.anchor_count = np.bincount(self.labels, weights=problem.anchors, minlength=k).astype(float)
        self.district_count = np.zeros((k, max(len(problem.district_names), 1)), dtype=int)
        np.add.at(self.district_count, (self.labels, self.block_district), 1)
        self.trust_penalty = problem.trust_penalty_km
        self.town_penalty = problem.settlement_penalty_km if problem.point_settlement is not None else 0.0
        self.balance = problem.balance if problem.balance_km_per_point and names else None
        self.trusts: _Groups | None = None
        self.towns: _Groups | None = None
        if self.trust_penalty:
            trust = problem.point_trust if problem.point_trust is not None else np.zeros(0, dtype=int)
            self.trusts = _Groups(
                trust, len(problem.trust_names), self.block_points, self.labels, k, problem.point_block
            )
        if self.town_penalty:
            self.towns = _Groups(
                problem.point_settlement,
                len(problem.settlement_names),
                self.block_points,
                self.labels,
                k,
                problem.point_block,
            )
        self.points = [self._collect(p) for p in range(k)]
        self.cost = np.array([self._cost_of(self.points[p]) for p in range(k)])
        self.edge_a, self.edge_b = problem.edges[:, 0], problem.edges[:, 1]
        self.adjacent = [set(map(int, nb)) for nb in problem.neighbours]
        self.version = np.zeros(k, dtype=np.int64)
        self.cache: dict[tuple[int, int], tuple[int, int, int, bool, float, float, float]] = {}
        self.log: list[tuple[int, int, int]] = []

    def _collect(self, p: int) -> np.ndarray:
        parts = [self.block_points[b] for b in self.members[p]]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=int)

    def _cost_of(self, points: np.ndarray) -> float:
        """One partnership's share of the objective × total pupils, over ``points`` (school indices): Σ pupils ×
        km to their pupil-weighted centroid (the incremental counterpart of :func:`partition.model.scoring.wdist_km`),
        or under the hub objective to their best hub school (of :func:`partition.model.scoring.hub_distance_km`).
        """
        if len(points) == 0:
            return 0.0
        if self.hub_ok is not None:
            side = np.ones((1, len(points)), dtype=bool)
            xy, w = self.problem.point_xy[points], self.problem.point_w[points]
            return float(hub_half_costs(side, xy, w, self.hub_ok[points])[0])
        w = self.problem.point_w[points]
        sw = w.sum()
        if sw <= 0:
            return 0.0
        xy = self.problem.point_xy[points]
        c = (w @ xy) / sw
        d = xy - c
        return float(w @ np.sqrt((d * d).sum(axis=1)))

    # --- constraint measures ------------------------------------------------
    def _rule_violation(self, sums: np.ndarray, anchors: float) -> float:
        """Size bounds missed (in means of each attribute) plus 1 for a missing anchor, of one partnership."""
        v = float(((np.maximum(0, self.low - sums) + np.maximum(0, sums - self.high)) / self.mean).sum())
        if self.need_anchor and anchors < MISSING_ANCHOR:
            v += 1.0
        return v

    def _imbalance(self, sums: np.ndarray, anchors: float) -> float:
        # squared distance outside an inner band (half-way to each bound), so that balancing
        # pushes load along chains of partnerships but leaves those comfortably inside alone
        over = np.maximum(0.0, sums - self.inner_high) / self.mean
        under = np.maximum(0.0, self.inner_low - sums) / self.mean
        return float((over * over + under * under).sum()) + VIOLATION_WEIGHT * self._rule_violation(sums, anchors)

    def violation(self) -> float:
        """Rule violation of the labelling: Σ of :meth:`_rule_violation` plus apart locks broken (0 when valid)."""
        v = sum(self._rule_violation(self.sums[p], self.anchor_count[p]) for p in range(self.k))
        return v + sum(1 for a, b in self.problem.apart if self.labels[a] == self.labels[b])

    def splits(self) -> int:
        """District splits (incremental counterpart of :func:`partition.model.scoring.count_district_splits`)."""
        return int(((self.district_count > 0).sum(axis=1) - 1).clip(min=0).sum())

    def trust_splits(self) -> int:
        """Trust splits: Σ over trusts of (partnerships holding its schools − 1), as
        :func:`partition.data.federations.trust_splits` (0 without a trust penalty: not counted).
        """
        return self.trusts.splits() if self.trusts is not None else 0

    def settlement_splits(self) -> int:
        """Settlement splits: Σ over settlements of (partnerships holding its schools − 1) (0 without a
        settlement penalty: not counted).
        """
        return self.towns.splits() if self.towns is not None else 0

    def balance_km(self) -> float:
        """The balance term (km): Σ over partnerships of :meth:`partition.model.balance.Balance.penalty_km` (0 without a
        balance penalty).
        """
        return float(self.balance.penalty_km(self.sums).sum()) if self.balance is not None else 0.0

    def objective(self) -> float:
        """The objective: wdist (or the hub distance, under the hub objective; km) plus the split penalty (km) per district split,
        the trust penalty (km) per trust split, the settlement penalty (km) per settlement split and the balance
        term (km, :meth:`balance_km`).
        """
        value = self.cost.sum() / self.total_w + self.penalty * self.splits()
        if self.trust_penalty:
            value += self.trust_penalty * self.trust_splits()
        if self.town_penalty:
            value += self.town_penalty * self.settlement_splits()
        if self.balance is not None:
            value += self.balance_km()
        return float(value)

    # --- moves --------------------------------------------------------------
    def connected_without(self, p: int, u: int) -> bool:
        rest = self.members[p]
        inside = [v for v in self.adjacent[u] if v in rest]
        if len(inside) <= 1:
            return len(inside) == 1
        targets = set(inside[1:])
        seen = {u, inside[0]}
        stack = [inside[0]]
        while stack:
            x = stack.pop()
            for y in self.adjacent[x]:
                if y in rest and y not in seen:
                    seen.add(y)
                    if y in targets:
                        targets.discard(y)
                        if not targets:
                            return True
                    stack.append(y)
        return not targets

    def movable(self, u: int, p: int) -> bool:
        if len(self.members[p]) <= 1:
            return False
        return self.connected_without(p, u)

    def apart_delta(self, u: int, p: int, q: int) -> int:
        d = 0
        for other in self.apart_of[u]:
            if self.labels[other] == p:
                d -= 1
            elif self.labels[other] == q:
                d += 1
        return d

    def split_delta(self, u: int, p: int, q: int) -> int:
        d = self.block_district[u]
        return int(self.district_count[q, d] == 0) - int(self.district_count[p, d] == 1)

    def trust_delta(self, u: int, p: int, q: int) -> int:
        """Change in trust splits when block ``u`` moves from ``p`` to ``q`` (:meth:`_Groups.delta`)."""
        return self.trusts.delta(u, p, q) if self.trusts is not None else 0

    def balance_delta(self, u: int, p: int, q: int) -> float:
        a = self.block_attr[u]
        au = self.problem.anchors[u]
        old = self._imbalance(self.sums[p], self.anchor_count[p]) + self._imbalance(self.sums[q], self.anchor_count[q])
        new = self._imbalance(self.sums[p] - a, self.anchor_count[p] - au) + self._imbalance(
            self.sums[q] + a, self.anchor_count[q] + au
        )
        return new - old + VIOLATION_WEIGHT * self.apart_delta(u, p, q)

    def keeps_feasible(self, u: int, p: int, q: int) -> bool:
        a = self.block_attr[u]
        sp, sq = self.sums[p] - a, self.sums[q] + a
        if (sp < self.low - SLACK).any() or (sq > self.high + SLACK).any():
            return False
        if self.need_anchor and self.anchor_count[p] - self.problem.anchors[u] < MISSING_ANCHOR:
            return False
        return self.apart_delta(u, p, q) <= 0

    def cost_delta(self, u: int, p: int, q: int) -> tuple[float, float, float]:
        points_u = self.block_points[u]
        points_p = self.points[p]
        if len(points_u):
            points_p = points_p[self.problem.point_block[points_p] != u]
        cp = self._cost_of(points_p)
        cq = self._cost_of(np.concatenate([self.points[q], points_u]))
        d = (cp + cq - self.cost[p] - self.cost[q]) / self.total_w
        if self.penalty:
            d += self.penalty * self.split_delta(u, p, q)
        if self.trust_penalty:
            d += self.trust_penalty * self.trust_delta(u, p, q)
        if self.towns is not None:
            d += self.town_penalty * self.towns.delta(u, p, q)
        if self.balance is not None:
            a = self.block_attr[u]
            before = self.balance.penalty_km(self.sums[[p, q]]).sum()
            d += float(self.balance.penalty_km(np.stack([self.sums[p] - a, self.sums[q] + a])).sum() - before)
        return d, cp, cq

    def evaluate(self, u: int, p: int, q: int) -> tuple[bool, float, float, float]:
        """Cached (feasible, cost delta, new cost of p, new cost of q) of moving u from p to q."""
        vp, vq = int(self.version[p]), int(self.version[q])
        hit = self.cache.get((u, q))
        if hit is not None and hit[0] == p and hit[1] == vp and hit[2] == vq:
            return hit[3], hit[4], hit[5], hit[6]
        ok = self.keeps_feasible(u, p, q) and self.movable(u, p)
        d = cp = cq = 0.0
        if ok:
            d, cp, cq = self.cost_delta(u, p, q)
        self.cache[(u, q)] = (p, vp, vq, ok, d, cp, cq)
        return ok, d, cp, cq

    def undo(self, mark: int) -> None:
        """Revert the moves logged after ``mark``."""
        moves = self.log[mark:][::-1]
        del self.log[mark:]
        if moves:
            self.reassign(np.array([m[0] for m in moves]), np.array([m[1] for m in moves]), log=False)

    def apply(
        self, u: int, p: int, q: int, cp: float | None = None, cq: float | None = None, *, log: bool = True
    ) -> None:
        if log:
            self.log.append((u, p, q))
        self.version[p] += 1
        self.version[q] += 1
        self._transfer(u, p, q)
        self.points[p] = self._collect(p)
        self.points[q] = self._collect(q)
        self.cost[p] = self._cost_of(self.points[p]) if cp is None else cp
        self.cost[q] = self._cost_of(self.points[q]) if cq is None else cq

    def _transfer(self, u: int, p: int, q: int) -> None:
        """Move block ``u`` from ``p`` to ``q`` in the labels, members, sizes, anchors, district and trust counts."""
        self.labels[u] = q
        self.members[p].discard(u)
        self.members[q].add(u)
        a = self.block_attr[u]
        self.sums[p] -= a
        self.sums[q] += a
        self.anchor_count[p] -= self.problem.anchors[u]
        self.anchor_count[q] += self.problem.anchors[u]
        d = self.block_district[u]
        self.district_count[p, d] -= 1
        self.district_count[q, d] += 1
        for groups in (self.trusts, self.towns):
            if groups is not None:
                groups.transfer(u, p, q)

    def reassign(self, blocks: np.ndarray, new_labels: np.ndarray, *, log: bool = True) -> None:
        """Give ``blocks`` the ``new_labels`` at once (logged block by block, so :meth:`undo` reverts it).

        The bookkeeping of every partnership touched is recomputed once, at the end.
        """
        touched: set[int] = set()
        for u, q in zip(blocks.tolist(), new_labels.tolist()):
            p = int(self.labels[u])
            if p == q:
                continue
            if log:
                self.log.append((u, p, q))
            touched.update((p, q))
            self._transfer(u, p, q)
        for p in touched:
            self.version[p] += 1
            self.points[p] = self._collect(p)
            self.cost[p] = self._cost_of(self.points[p])

    def boundary(self) -> np.ndarray:
        diff = self.labels[self.edge_a] != self.labels[self.edge_b]
        return np.unique(np.concatenate([self.edge_a[diff], self.edge_b[diff]]))

    def targets(self, u: int) -> list[int]:
        p = self.labels[u]
        return sorted({int(self.labels[v]) for v in self.adjacent[u]} - {int(p)})


def _grow(problem: Problem, seeds: list[int], main_attr: str | None) -> np.ndarray:
    """Capacity-aware multi-source Dijkstra growth from seed blocks."""
    n, k = problem.n, len(seeds)
    labels = np.full(n, -1, dtype=int)
    load = np.zeros(k)
    values = problem.attrs[main_attr] if main_attr else np.ones(n)
    cap = problem.limits[main_attr][1] if main_attr else np.inf
    xy = problem.block_xy
    heap: list[tuple[float, int, int]] = []
    for r, s in enumerate(seeds):
        labels[s] = r
        load[r] += values[s]
    for r, s in enumerate(seeds):
        for v in problem.neighbours[s]:
            heapq.heappush(heap, (float(np.hypot(*(xy[s] - xy[v]))), int(v), r))
    while heap:
        d, v, r = heapq.heappop(heap)
        if labels[v] >= 0 or load[r] + values[v] > cap:
            continue
        labels[v] = r
        load[r] += values[v]
        for w in problem.neighbours[v]:
            if labels[w] < 0:
                heapq.heappush(heap, (d + float(np.hypot(*(xy[v] - xy[w]))), int(w), r))
    _attach_pending(problem, labels, load, values)
    return labels


def _attach_pending(problem: Problem, labels: np.ndarray, load: np.ndarray, values: np.ndarray) -> None:
    """Give every unlabelled block (in place) the least loaded label among its labelled neighbours, in sweeps.

    Raises
    ------
    RuntimeError
        When a sweep labels nothing (the block graph is not connected).
    """
    pending = [v for v in range(problem.n) if labels[v] < 0]
    while pending:
        progress = False
        for v in pending:
            adj = [labels[w] for w in problem.neighbours[v] if labels[w] >= 0]
            if adj:
                r = min(adj, key=lambda x: load[x])
                labels[v] = r
                load[r] += values[v]
                progress = True
        pending = [v for v in pending if labels[v] < 0]
        if not progress:
            raise RuntimeError("planning-unit graph is not connected")


def _repair_contiguity(problem: Problem, labels: np.ndarray) -> np.ndarray:
    """Keep each label's heaviest connected piece; hand other pieces to the neighbour label sharing most edges."""
    labels = labels.copy()
    weight = problem.attrs.get("pupils", np.ones(problem.n)) + PIECE_WEIGHT_FLOOR
    for _ in range(problem.n):
        moved = False
        for lab in np.unique(labels):
            nodes = set(np.flatnonzero(labels == lab).tolist())
            pieces = []
            while nodes:
                start = nodes.pop()
                piece, stack = {start}, [start]
                while stack:
                    x = stack.pop()
                    for y in problem.neighbours[x]:
                        y = int(y)
                        if y in nodes:
                            nodes.discard(y)
                            piece.add(y)
                            stack.append(y)
                pieces.append(piece)
            if len(pieces) <= 1:
                continue
            pieces.sort(key=lambda pc: (-sum(weight[list(pc)]), min(pc)))
            for piece in pieces[1:]:
                votes: dict[int, int] = {}
                for x in piece:
                    for y in problem.neighbours[x]:
                        if int(y) not in piece and labels[y] != lab:
                            votes[int(labels[y])] = votes.get(int(labels[y]), 0) + 1
                if votes:
                    new = max(sorted(votes), key=lambda v: votes[v])
                    labels[list(piece)] = new
                    moved = True
        if not moved:
            break
    return labels


def _construct_balanced(problem: Problem, rng: np.random.Generator, rounds: int = 4) -> np.ndarray:
    """Balanced k-means: LP assignment of units to k centres under the size bounds, re-centred a few times, then made contiguous."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    n, k = problem.n, problem.k
    w = problem.attrs.get("pupils", np.ones(n))
    km = KMeans(n_clusters=k, n_init=1, random_state=int(rng.integers(2**31 - 1))).fit(
        problem.block_xy, sample_weight=w + KMEANS_WEIGHT_FLOOR
    )
    centres = km.cluster_centers_
    idx = np.arange(n * k)
    rows_assign = np.repeat(np.arange(n), k)
    a_eq = coo_matrix((np.ones(n * k), (rows_assign, idx)), shape=(n, n * k))
    ub_rows, ub_cols, ub_vals, ub_rhs = [], [], [], []
    r = 0
    for attr, (low, high) in problem.limits.items():
        a = problem.attrs[attr]
        for c in range(k):
            cols = np.arange(n) * k + c
            if np.isfinite(high):
                ub_rows += [r] * n
                ub_cols += cols.tolist()
                ub_vals += a.tolist()
                ub_rhs.append(high)
                r += 1
            ub_rows += [r] * n
            ub_cols += cols.tolist()
            ub_vals += (-a).tolist()
            ub_rhs.append(-low)
            r += 1
    a_ub = coo_matrix((ub_vals, (ub_rows, ub_cols)), shape=(r, n * k)) if r else None
    labels = km.labels_
    for _ in range(rounds):
        cost = (np.linalg.norm(problem.block_xy[:, None, :] - centres[None, :, :], axis=2) * (w[:, None] + 1.0)).ravel()
        res = linprog(
            cost, A_ub=a_ub, b_ub=ub_rhs if r else None, A_eq=a_eq, b_eq=np.ones(n), bounds=(0, 1), method="highs"
        )
        if res.status != 0:
            break
        labels = res.x.reshape(n, k).argmax(axis=1)
        for c in range(k):
            m = labels == c
            if m.any():
                centres[c] = (w[m] + KMEANS_WEIGHT_FLOOR) @ problem.block_xy[m] / (w[m] + KMEANS_WEIGHT_FLOOR).sum()
    _, labels = np.unique(labels, return_inverse=True)
    labels = _repair_contiguity(problem, labels)
    _, labels = np.unique(labels, return_inverse=True)
    return labels


def _seeds(problem: Problem, rng: np.random.Generator) -> list[int]:
    """The k seed blocks: pinned blocks first, then anchors matched to weighted k-means centres."""
    k = problem.k
    weights = problem.attrs.get("pupils", np.ones(problem.n)) + KMEANS_WEIGHT_FLOOR
    km = KMeans(n_clusters=k, n_init=1, random_state=int(rng.integers(2**31 - 1))).fit(
        problem.block_xy, sample_weight=weights
    )
    pinned = list(problem.names)
    cand = np.flatnonzero(problem.anchors > 0) if problem.needs_anchors else np.arange(problem.n)
    cand = np.array([c for c in cand if c not in set(pinned)], dtype=int)
    centres = km.cluster_centers_
    if pinned:
        dist = np.linalg.norm(centres[:, None, :] - problem.block_xy[pinned][None, :, :], axis=2)
        rows, _ = linear_sum_assignment(dist)
        centres = np.delete(centres, rows, axis=0)
    dist = np.linalg.norm(centres[:, None, :] - problem.block_xy[cand][None, :, :], axis=2)
    _, cols = linear_sum_assignment(dist)
    return pinned + [int(cand[c]) for c in cols]


def _balance_pass(state: _State, rng: np.random.Generator, max_passes: int = 200) -> None:
    for _ in range(max_passes):
        if state.violation() < SLACK:
            return
        improved = False
        for u in rng.permutation(state.boundary()):
            u = int(u)
            p = int(state.labels[u])
            best_q, best_d = -1, -MIN_GAIN
            for q in state.targets(u):
                d = state.balance_delta(u, p, q)
                if d < best_d:
                    best_q, best_d = q, d
            if best_q >= 0 and state.movable(u, p):
                state.apply(u, p, best_q)
                improved = True
        if not improved:
            return


def _balance(state: _State, rng: np.random.Generator, tries: int = 30) -> _State:
    """Balance, then kick around violating partnerships and rebalance while violations remain."""
    _balance_pass(state, rng)
    best_v, best_lab = state.violation(), state.labels.copy()
    for _ in range(tries):
        if best_v < SLACK:
            break
        bad = [p for p in range(state.k) if state._rule_violation(state.sums[p], state.anchor_count[p]) > 0]
        near = set(bad)
        for p in bad:
            for u in state.members[p]:
                near.update(int(state.labels[v]) for v in state.adjacent[u])
        candidates = [int(u) for u in state.boundary() if int(state.labels[u]) in near]
        for u in rng.permutation(candidates)[: 3 * len(bad) + 3]:
            u = int(u)
            p = int(state.labels[u])
            targets = state.targets(u)
            if targets and state.movable(u, p):
                state.apply(u, p, int(rng.choice(targets)))
        _balance_pass(state, rng)
        v = state.violation()
        if v <= best_v:
            best_v, best_lab = v, state.labels.copy()
        else:
            state = _State(state.problem, best_lab)
    return state if state.violation() <= best_v else _State(state.problem, best_lab)


def _descent(state: _State, rng: np.random.Generator, active: set[int] | None = None) -> None:
    """Best-improvement moves of boundary units until none improves.

    With ``active``, only units in or next to those partnerships are examined
    first; partnerships changed by a move become active for the next pass.
    Every move lowers the objective by at least :data:`MIN_GAIN`, so the passes end.
    """
    while True:
        touched: set[int] = set()
        units = state.boundary()
        if active is not None:
            units = np.array(
                [
                    u
                    for u in units
                    if int(state.labels[u]) in active
                    or any(int(state.labels[v]) in active for v in state.adjacent[int(u)])
                ],
                dtype=int,
            )
        for u in rng.permutation(units):
            u = int(u)
            p = int(state.labels[u])
            best = (-MIN_GAIN, -1, 0.0, 0.0)
            for q in state.targets(u):
                ok, d, cp, cq = state.evaluate(u, p, q)
                if ok and d < best[0]:
                    best = (d, q, cp, cq)
            if best[1] >= 0:
                state.apply(u, p, best[1], best[2], best[3])
                touched.update((p, best[1]))
        if not touched:
            return
        if active is not None:
            active = touched


def _kick(state: _State, rng: np.random.Generator, moves: int) -> list[tuple[int, int, int]]:
    """Random feasible moves around one random partnership; returns them."""
    centre = int(rng.integers(state.k))
    area = {centre} | {int(state.labels[v]) for u in state.members[centre] for v in state.adjacent[u]}
    done: list[tuple[int, int, int]] = []
    units = [int(u) for u in state.boundary() if int(state.labels[u]) in area]
    for u in rng.permutation(units):
        if len(done) >= moves:
            break
        u = int(u)
        p = int(state.labels[u])
        targets = [q for q in state.targets(u) if q in area and state.keeps_feasible(u, p, q)]
        if targets and state.movable(u, p):
            q = int(rng.choice(targets))
            state.apply(u, p, q)
            done.append((u, p, q))
    return done


@dataclass(frozen=True)
class SearchBudget:
    """Work budget of one iterated local search (counted, never timed).

    Attributes
    ----------
    iterations
        Perturbation steps at most (each a recombination or a kick, then a descent).
    patience
        Steps without improvement that end the search; None: :func:`default_patience` of the instance.
    kick_moves
        Random moves per kick.
    recombine_share
        Probability that a step is a recombination rather than a kick.
    trees
        Spanning trees drawn per recombination.
    threshold
        Worsening a step may bring at first, as a share of the objective (see :func:`_threshold`).
    """

    iterations: int = DEFAULT_ITERATIONS
    patience: int | None = None
    kick_moves: int = KICK_MOVES
    recombine_share: float = RECOMBINE_SHARE
    trees: int = TREES_PER_RECOMBINATION
    threshold: float = THRESHOLD


def default_patience(problem: Problem) -> int:
    """Steps without a new best that end a search: :data:`PATIENCE_PER_PAIR` per pair of adjacent
    partnerships (about 3 k on a map), at least :data:`MIN_PATIENCE`.

    Parameters
    ----------
    problem
        The problem (its ``k``).

    Returns
    -------
    int
        Steps.
    """
    return max(MIN_PATIENCE, int(PATIENCE_PER_PAIR * ADJACENT_PAIRS_PER_PARTNERSHIP * problem.k))


def full_iterations(problem: Problem) -> int:
    """Work budget of the full search (the ``auto`` solver's): :data:`STEPS_PER_PAIR` steps per pair of
    adjacent partnerships, at least :data:`DEFAULT_ITERATIONS`.

    Parameters
    ----------
    problem
        The problem (its ``k``).

    Returns
    -------
    int
        Steps.
    """
    return max(DEFAULT_ITERATIONS, int(STEPS_PER_PAIR * ADJACENT_PAIRS_PER_PARTNERSHIP * problem.k))


def _recombine(state: _State, sizes: Sizes, rng: np.random.Generator, trees: int) -> set[int]:
    """Merge two adjacent partnerships (a random cut edge's) and redraw them along the best valid cut of
    ``trees`` random spanning trees (:func:`partition.solvers.recombination.best_split`).

    Returns the two partnerships, or an empty set when no tree has a valid cut (nothing changes).
    """
    cut = np.flatnonzero(state.labels[state.edge_a] != state.labels[state.edge_b])
    if len(cut) == 0:
        return set()
    e = cut[rng.integers(len(cut))]
    p, q = int(state.labels[state.edge_a[e]]), int(state.labels[state.edge_b[e]])
    points = np.concatenate([state.points[p], state.points[q]])
    area = merged_area(state.problem, state.labels, p, q, points)
    found = best_split(area, sizes, rng, trees, state.penalty, state.total_w, state.balance)
    if found is None:
        return set()
    half = found[1]
    was_p = state.labels[area.nodes] == p
    if (half == was_p).sum() < (half != was_p).sum():
        half = ~half  # the labelling that moves fewer blocks
    state.reassign(area.nodes, np.where(half, p, q))
    return {p, q}


def _perturb(state: _State, sizes: Sizes, rng: np.random.Generator, budget: SearchBudget) -> set[int]:
    """One perturbation (a recombination with probability ``budget.recombine_share``, else a kick);
    returns the partnerships it changed.
    """
    if budget.recombine_share > 0 and state.k > 1 and rng.random() < budget.recombine_share:
        return _recombine(state, sizes, rng, budget.trees)
    moves = _kick(state, rng, budget.kick_moves)
    return {m[1] for m in moves} | {m[2] for m in moves}


def _construct(problem: Problem, rng: np.random.Generator) -> _State:
    """A balanced, locally optimal starting labelling (balanced k-means, or growth from pinned seeds)."""
    main_attr = "pupils" if "pupils" in problem.limits else (next(iter(problem.limits)) if problem.limits else None)
    labels = _construct_balanced(problem, rng) if not problem.names else _grow(problem, _seeds(problem, rng), main_attr)
    state = _balance(_State(problem, labels), rng)
    _descent(state, rng)
    return state


def _start_state(problem: Problem, start: np.ndarray, rng: np.random.Generator) -> _State:
    """A given starting labelling (e.g. a planner's edited plan) made contiguous, balanced and locally optimal."""
    labels = _repair_contiguity(problem, np.asarray(start, dtype=int))
    state = _balance(_State(problem, labels), rng)
    _descent(state, rng)
    return state


def solve_heuristic(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    problem: Problem,
    *,
    restarts: int = 1,
    iterations: int = DEFAULT_ITERATIONS,
    random_state: int | None = 0,
    kick_moves: int = KICK_MOVES,
    patience: int | None = None,
    recombine_share: float = RECOMBINE_SHARE,
    trees: int = TREES_PER_RECOMBINATION,
    final_iterations: int | None = None,
    threshold: float = THRESHOLD,
    initial: np.ndarray | None = None,
) -> SolverResult:
    """Solve with construction, balancing and iterated local search (recombinations and kicks).

    The search budget is counted, not timed, so that the same problem and seed
    always give the same configuration: ``restarts`` constructions, each
    followed by up to ``iterations`` perturbation steps (ending early after
    ``patience`` steps without improvement); then a search of up to
    ``final_iterations`` steps from the best configuration found (the
    incumbent), which every restart's result competes with. Nothing is timed.

    Parameters
    ----------
    problem
        The problem (one k).
    restarts
        Constructions.
    iterations
        Perturbation steps per restart at most.
    random_state
        Seed for all randomness.
    kick_moves
        Random moves per kick.
    patience
        Steps without improvement that end a search (default :func:`default_patience`).
    recombine_share
        Probability that a step is a recombination (0: kicks only, the earlier heuristic).
    trees
        Spanning trees drawn per recombination.
    final_iterations
        Steps of the search from the incumbent after the restarts (default: ``iterations`` with several
        restarts, else none).
    threshold
        Worsening a step may bring at the start of each search, as a share of the objective.
    initial
        Block labels (0 .. k − 1, each used) to start the first restart from instead of a construction
        (made contiguous and balanced first); later restarts construct as usual.

    Returns
    -------
    SolverResult
        Block labels, ``"feasible"`` or ``"violated"``, the objective (wdist, or the hub distance under the hub
        objective, in km, plus the split penalty),
        and ``details`` (restarts, steps, violation, splits).
    """
    options = {"restarts": restarts, "iterations": iterations, "kick_moves": kick_moves}
    options |= {"patience": patience, "recombine_share": recombine_share, "trees": trees, "threshold": threshold}
    options |= {"final_iterations": final_iterations, "initial": initial}
    if problem.objective == "hub":
        return _hub_search(problem, random_state, options)
    return _search(problem, random_state, **options)


def _search(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    problem: Problem,
    random_state: int | None,
    *,
    restarts: int,
    iterations: int,
    kick_moves: int,
    patience: int | None,
    recombine_share: float,
    trees: int,
    final_iterations: int | None,
    threshold: float,
    initial: np.ndarray | None,
) -> SolverResult:
    """Restarts, each a construction and an iterated local search, then a search from the best (see
    :func:`solve_heuristic`, whose options these are), on the problem's objective.
    """
    start = time.perf_counter()
    rng = np.random.default_rng(random_state)
    patience = default_patience(problem) if patience is None else patience
    budget = SearchBudget(iterations, patience, kick_moves, recombine_share, trees, threshold)
    best: tuple[float, float, np.ndarray] | None = None
    n_restarts = n_steps = 0
    for restart in range(max(restarts, 1)):
        state = (
            _start_state(problem, initial, rng) if initial is not None and restart == 0 else _construct(problem, rng)
        )
        n_restarts += 1
        current, current_lab, steps = _iterated_local_search(state, rng, budget)
        n_steps += steps
        key = (_State(problem, current_lab).violation(), current)
        if best is None or key < best[:2]:
            best = (key[0], key[1], current_lab)
    assert best is not None
    if final_iterations is None:
        final_iterations = iterations if restarts > 1 else 0
    final_budget = replace(budget, iterations=final_iterations)
    if best[0] < SLACK and final_budget.iterations > 0:
        state = _State(problem, best[2])
        current, current_lab, steps = _iterated_local_search(state, rng, final_budget)
        n_steps += steps
        best = (best[0], current, current_lab)
    final = _State(problem, best[2])
    violation = final.violation()
    return SolverResult(
        labels=best[2],
        solver="heuristic",
        status="feasible" if violation < SLACK else "violated",
        objective=final.objective(),
        runtime=time.perf_counter() - start,
        details={
            "restarts": n_restarts,
            "steps": n_steps,
            "patience": patience,
            "violation": violation,
            "splits": final.splits(),
            **({"trust_splits": final.trust_splits()} if final.trust_penalty else {}),
            **({"settlement_splits": final.settlement_splits()} if final.town_penalty else {}),
        },
    )


def _hub_search(problem: Problem, random_state: int | None, options: dict) -> SolverResult:
    """Objective "hub": the better (least hub distance; the first on ties) of two searches of the same budget.

    The hub objective is a rugged landscape (a partnership's hub jumps from school to school as blocks move):
    a search on it from the k-means start sometimes stalls above what the wdist search reaches, and a hub
    search started from the wdist search's plan sometimes cannot leave it. So both run: (1) the search on the
    hub distance; (2) the search on wdist, then ``options["iterations"]`` steps on the hub distance from its
    plan. Twice the work of objective "centroid"; the result still depends on the inputs and seed only.
    """
    direct = _search(problem, random_state, **options)
    shaped = _search(replace(problem, objective="centroid"), random_state, **options)
    hub = polish(
        problem,
        shaped.labels,
        random_state=random_state,
        iterations=max(int(options["iterations"]), 1),
        kick_moves=int(options["kick_moves"]),
    )
    runtime = direct.runtime + shaped.runtime + hub.runtime
    details = {"hub_search": direct.objective, "wdist_search_then_hub": hub.objective}
    if hub.status == "feasible" and (direct.status != "feasible" or hub.objective < direct.objective - 1e-12):
        extra = {
            "restarts": shaped.details["restarts"],
            "steps": shaped.details["steps"],
        }
        chosen = {**hub.details, **extra, "chosen": "wdist search, then hub search"}
        return SolverResult(
            hub.labels, "heuristic", hub.status, hub.objective, runtime=runtime, details={**details, **chosen}
        )
    chosen = {**direct.details, "chosen": "hub search"}
    return SolverResult(
        direct.labels, "heuristic", direct.status, direct.objective, runtime=runtime, details={**details, **chosen}
    )


def _threshold(budget: SearchBudget, step: int, objective: float) -> float:
    """How much worse (km) than the current configuration a step may leave it: ``budget.threshold`` × the
    objective at first, falling linearly to 0 at the end of the budget (threshold accepting).
    """
    if budget.threshold <= 0 or budget.iterations <= 0:
        return 0.0
    return budget.threshold * objective * max(0.0, 1.0 - step / budget.iterations)


def _iterated_local_search(
    state: _State, rng: np.random.Generator, budget: SearchBudget
) -> tuple[float, np.ndarray, int]:
    """Perturb and descend up to ``budget.iterations`` times.

    A step is kept when the configuration stays valid and its objective is below the current one plus
    :func:`_threshold` (which falls to 0), else undone; the search ends early after ``budget.patience``
    steps without a new best. Returns the best objective, its labels and the number of steps.
    """
    state.log.clear()
    sizes = Sizes.of(state.problem)
    patience = default_patience(state.problem) if budget.patience is None else budget.patience
    current = best = state.objective()
    best_lab, stale, steps = state.labels.copy(), 0, 0
    for step in range(budget.iterations):
        if stale >= patience:
            break
        mark = len(state.log)
        active = _perturb(state, sizes, rng, budget)
        _descent(state, rng, active=active)
        steps += 1
        stale += 1
        obj = state.objective()
        if obj < current - SLACK + _threshold(budget, step, current) and state.violation() <= SLACK:
            current = obj
            state.log.clear()
            if obj < best - SLACK:
                best, best_lab, stale = obj, state.labels.copy(), 0
        else:
            state.undo(mark)
    return best, best_lab, steps


def polish(
    problem: Problem, labels: np.ndarray, *, random_state: int | None = 0, iterations: int = 100, kick_moves: int = 4
) -> SolverResult:
    """Improve a given labelling (e.g. the exact model's) by the local search on the problem's objective.

    Parameters
    ----------
    problem
        The problem.
    labels
        Block labels to start from (balanced first when they break a rule).
    random_state
        Seed.
    iterations, kick_moves
        Search budget: kicks, and random moves per kick.

    Returns
    -------
    SolverResult
        Labels, ``"feasible"`` or ``"violated"``, the objective (km) and ``details`` (violation, splits).
    """
    start = time.perf_counter()
    rng = np.random.default_rng(random_state)
    state = _State(problem, labels)
    if state.violation() > SLACK:
        state = _balance(state, rng)
    _descent(state, rng)
    budget = SearchBudget(iterations=iterations, kick_moves=kick_moves)
    _, current_lab, _ = _iterated_local_search(state, rng, budget)
    final = _State(problem, current_lab)
    violation = final.violation()
    return SolverResult(
        current_lab,
        "polish",
        "feasible" if violation < SLACK else "violated",
        final.objective(),
        runtime=time.perf_counter() - start,
        details={
            "violation": violation,
            "splits": final.splits(),
            **({"trust_splits": final.trust_splits()} if final.trust_penalty else {}),
            **({"settlement_splits": final.settlement_splits()} if final.town_penalty else {}),
        },
    )
