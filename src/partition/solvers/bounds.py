"""Proven lower bounds on the hub objective, valid for the problem as asked.

The hub objective (:func:`partition.model.scoring.hub_distance_km`) is the pupil-weighted mean distance (km) of
schools to their partnership's hub school. Every partnership of a plan that meets the rules holds its hub
(an anchor school when anchors are required) and meets the size bounds, so the **relaxation**

.. code-block:: text

    min  Σ_is c_is x_is                 c_is = Σ_{schools p in block i} pupils_p · |p − site_s| / all pupils
    s.t. Σ_s x_is = 1                   every block somewhere
         x_is ≤ y_s,  x_(home(s), s) = y_s   only open hubs; a hub's own block joins it
         Σ_s y_s = k
         low y_s ≤ Σ_i pupils_i x_is ≤ high y_s
         0 ≤ x, y ≤ 1

over **every** admissible hub site s (no candidate lists) and without contiguity, locks or other size
bounds has an optimum no larger than the hub objective of any such plan. Its optimum is bounded from below,
far more cheaply than by the LP, by the **Lagrangian relaxation** of the assignment rows: for multipliers λ,

.. code-block:: text

    L(λ) = Σ_i λ_i + (sum of the k smallest v_s),   v_s = min over x of Σ_i (c_is − λ_i) x_is
                                                      (home block in, size bounds: a fractional knapsack)

which is a valid bound for *any* λ and equals the LP bound at the best λ. :func:`hub_bound` maximises it by
subgradient steps and then branches on the hub variables y (best first), fixing hubs by reduced cost
against the incumbent. Every decision is counted (iterations, nodes), never timed; ``time_limit`` is a
safety stop: when it fires before the work budget is spent, :func:`hub_bound` raises a
:class:`~partition.errors.SafetyStopError` (the bound proven at that moment would depend on the machine).
"""

from __future__ import annotations

import heapq
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, hstack, vstack
from scipy.sparse import eye as sparse_eye

from partition.core.limits import SAFETY_STOP_SECONDS
from partition.errors import SafetyStopError
from partition.model.scoring import hub_distance_km
from partition.solvers.problem import Problem

ITERATIONS_ROOT = 600
"""Subgradient iterations at the root."""

ITERATIONS_NODE = 60
"""Subgradient iterations at every other node (warm-started from its parent's multipliers)."""

NODE_LIMIT = 400
"""Branch-and-bound nodes on the hub variables (the work budget)."""

STEP_HALVING = 30
"""Iterations without improvement after which the subgradient step factor is halved."""

TOLERANCE = 1e-9
"""Slack (km) of the comparisons against the incumbent."""


# --- the data of the relaxation ---------------------------------------------------------------------------


def hub_sites(problem: Problem) -> np.ndarray:
    """School points that may be a hub: anchor schools when anchors are required (and known), else all.

    Parameters
    ----------
    problem
        The problem (one k).

    Returns
    -------
    numpy.ndarray
        Indices into ``problem.point_xy``.
    """
    if problem.needs_anchors and problem.point_anchor is not None:
        return np.flatnonzero(problem.point_anchor)
    return np.arange(len(problem.point_w))


def hub_costs(problem: Problem, sites: np.ndarray) -> np.ndarray:
    """Cost (km, share of all pupils) of each block joining each hub site.

    Parameters
    ----------
    problem
        The problem.
    sites
        Hub sites (indices into the school points).

    Returns
    -------
    numpy.ndarray
        blocks × sites: Σ over the block's schools of pupils × km to the site, over all pupils.
    """
    xy = problem.point_xy
    dist = np.hypot(*(xy[:, None, :] - xy[sites][None, :, :]).transpose(2, 0, 1))  # points × sites
    npts = len(problem.point_w)
    onehot = csr_matrix((np.ones(npts), (problem.point_block, np.arange(npts))), shape=(problem.n, npts))
    return np.asarray(onehot @ (problem.point_w[:, None] * dist)) / max(problem.total_pupils, 1e-9)


def hub_objective(problem: Problem, labels: np.ndarray) -> float:
    """The hub objective (km) of a block labelling, on the problem's schools.

    Parameters
    ----------
    problem
        The problem.
    labels
        Partnership of each block.

    Returns
    -------
    float
        :func:`partition.model.scoring.hub_distance_km` with the problem's hub rule.
    """
    hub_ok = problem.point_anchor if problem.needs_anchors else None
    return hub_distance_km(problem.point_xy, problem.point_w, np.asarray(labels)[problem.point_block], hub_ok)


@dataclass(frozen=True)
class Relaxation:
    """The data of the relaxation (module docstring) for one problem.

    Attributes
    ----------
    cost
        blocks × sites (km).
    home
        Block of each site.
    size
        Pupils per block.
    low, high
        Pupil bounds per partnership.
    k
        Hubs to open.
    """

    cost: np.ndarray
    home: np.ndarray
    size: np.ndarray
    low: float
    high: float
    k: int

    @property
    def n_sites(self) -> int:
        """The number of candidate hub sites."""
        return self.cost.shape[1]


def relaxation(problem: Problem) -> Relaxation:
    """The relaxation of ``problem`` over every admissible hub site (module docstring).

    Parameters
    ----------
    problem
        The problem (one k).

    Returns
    -------
    Relaxation
    """
    sites = hub_sites(problem)
    pupils = problem.attrs.get("pupils", np.bincount(problem.point_block, problem.point_w, problem.n))
    low, high = problem.limits.get("pupils", (0.0, np.inf))
    return Relaxation(
        hub_costs(problem, sites), problem.point_block[sites], np.asarray(pupils, float), low, high, problem.k
    )


# --- the LP bound --------------------------------------------------------------------------------------------


def lp_bound(rel: Relaxation) -> float | None:
    """Optimum (km) of the compact LP (module docstring), solved by HiGHS on one thread.

    Parameters
    ----------
    rel
        The relaxation.

    Returns
    -------
    float or None
        None when the LP is infeasible (then no plan meets the size bounds).
    """
    n, s = rel.cost.shape
    nx = n * s
    col = lambda i, j: i * s + j  # noqa: E731  x_(i, j) column, y_j at nx + j
    rows = []
    lo, hi = [], []
    assign = coo_matrix((np.ones(nx), (np.repeat(np.arange(n), s), np.arange(nx))), shape=(n, nx + s))
    rows.append(assign)
    lo += [1.0] * n
    hi += [1.0] * n
    link_x = sparse_eye(nx, format="csr")
    link_y = coo_matrix((-np.ones(nx), (np.arange(nx), np.tile(np.arange(s), n))), shape=(nx, s))
    rows.append(hstack([link_x, link_y]))
    home = np.zeros(nx, dtype=bool)
    home[col(rel.home, np.arange(s))] = True
    lo += np.where(home, 0.0, -np.inf).tolist()
    hi += [0.0] * nx
    rows.append(coo_matrix((np.ones(s), (np.zeros(s), nx + np.arange(s))), shape=(1, nx + s)))
    lo.append(rel.k)
    hi.append(rel.k)
    load = coo_matrix((np.repeat(rel.size, s), (np.tile(np.arange(s), n), np.arange(nx))), shape=(s, nx))
    rows.append(hstack([load, -rel.low * sparse_eye(s)]))
    lo += [0.0] * s
    hi += [np.inf] * s
    if np.isfinite(rel.high):
        rows.append(hstack([load, -rel.high * sparse_eye(s)]))
        lo += [-np.inf] * s
        hi += [0.0] * s
    matrix = vstack(rows).tocsc()
    return _solve_lp(np.concatenate([rel.cost.ravel(), np.zeros(s)]), matrix, np.array(lo), np.array(hi))


def _solve_lp(cost: np.ndarray, matrix, lo: np.ndarray, hi: np.ndarray) -> float | None:
    """Minimise cost·x, lo ≤ A x ≤ hi, 0 ≤ x ≤ 1 by HiGHS (one thread, silent); None unless optimal."""
    from partition.solvers.exact import _silent_highs

    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = len(cost), matrix.shape[0]
    lp.col_cost_ = cost
    lp.col_lower_ = np.zeros(len(cost))
    lp.col_upper_ = np.ones(len(cost))
    lp.row_lower_, lp.row_upper_ = lo, hi
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
    lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
    lp.a_matrix_.value_ = matrix.data.astype(float)
    highs = _silent_highs()
    highs.setOptionValue("threads", 1)
    highs.passModel(lp)
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(highs.getInfo().objective_function_value)


# --- the Lagrangian bound ------------------------------------------------------------------------------------


def site_values(rel: Relaxation, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """v_s of every site for multipliers λ (closed form: a fractional knapsack per site) and its solution.

    Parameters
    ----------
    rel
        The relaxation.
    lam
        One multiplier (km) per block.

    Returns
    -------
    values : numpy.ndarray
        v_s per site (km); ``inf`` when the site's home block alone exceeds the upper bound.
    x : numpy.ndarray
        blocks × sites, the knapsack solution of each site (fractions in [0, 1]).
    """
    n, s = rel.cost.shape
    red = rel.cost - lam[:, None]
    x = np.zeros((n, s))
    x[rel.home, np.arange(s)] = 1.0
    base = red[rel.home, np.arange(s)]
    room_low = rel.low - rel.size[rel.home]
    room_high = rel.high - rel.size[rel.home]
    free = np.ones((n, s), dtype=bool)
    free[rel.home, np.arange(s)] = False
    weightless = free & (rel.size[:, None] <= 0)
    x[weightless & (red < 0)] = 1.0
    heavy = free & (rel.size[:, None] > 0)
    ratio = np.where(heavy, red / np.maximum(rel.size, 1e-12)[:, None], np.inf)
    order = np.argsort(ratio, axis=0, kind="stable")
    a = np.take_along_axis(np.where(heavy, rel.size[:, None], 0.0), order, axis=0)
    r = np.take_along_axis(ratio, order, axis=0)
    # fill in ratio order up to the load where the ratio turns positive, clamped to [low, high]
    negative_load = np.where(r < 0, a, 0.0).sum(axis=0)
    target = np.clip(negative_load, np.maximum(room_low, 0.0), np.maximum(room_high, 0.0))
    before = np.cumsum(a, axis=0) - a
    take = np.clip((target[None, :] - before) / np.where(a > 0, a, 1.0), 0.0, 1.0) * (a > 0)
    np.put_along_axis(x, order, np.maximum(np.take_along_axis(x, order, axis=0), take), axis=0)
    values = base + (red * np.where(free, x, 0.0)).sum(axis=0)
    reachable = np.cumsum(a, axis=0)[-1] if n > 1 else np.zeros(s)
    values[(room_high < 0) | (reachable + 1e-9 < room_low)] = np.inf
    return values, x


def _choose(values: np.ndarray, k: int, fixed_open: np.ndarray, fixed_closed: np.ndarray) -> np.ndarray | None:
    """The hubs of least v_s: every fixed-open one, then the smallest others up to k (None when impossible)."""
    open_ = fixed_open.copy()
    need = k - int(open_.sum())
    pool = np.flatnonzero(~fixed_open & ~fixed_closed & np.isfinite(values))
    if need < 0 or len(pool) < need or not np.isfinite(values[fixed_open]).all():
        return None
    open_[pool[np.argsort(values[pool], kind="stable")[:need]]] = True
    return open_


@dataclass
class Node:
    """A node of the search on the hub variables: fixings, multipliers and its proven bound (km)."""

    bound: float
    fixed_open: np.ndarray
    fixed_closed: np.ndarray
    lam: np.ndarray
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    chosen: np.ndarray | None = None


def lagrangian(rel: Relaxation, node: Node, iterations: int, incumbent: float | None) -> Node:
    """Maximise L(λ) at a node by subgradient steps (Polyak step towards the incumbent or 1.05 × bound).

    Parameters
    ----------
    rel
        The relaxation.
    node
        Fixings and starting multipliers.
    iterations
        Subgradient iterations (the work budget).
    incumbent
        Objective (km) of a plan meeting the rules, or None.

    Returns
    -------
    Node
        The node with the best bound found (``inf`` when its fixings admit no solution), its multipliers, the
        site values and chosen hubs at those multipliers.
    """
    lam, best = node.lam.copy(), Node(-np.inf, node.fixed_open, node.fixed_closed, node.lam.copy())
    factor, stale = 2.0, 0
    for _ in range(iterations):
        values, x = site_values(rel, lam)
        chosen = _choose(values, rel.k, node.fixed_open, node.fixed_closed)
        if chosen is None:
            return Node(np.inf, node.fixed_open, node.fixed_closed, lam)
        bound = float(lam.sum() + values[chosen].sum())
        if bound > best.bound + 1e-12:
            best, stale = Node(bound, node.fixed_open, node.fixed_closed, lam.copy(), values, chosen), 0
        else:
            stale += 1
            if stale >= STEP_HALVING:
                factor, stale = factor / 2, 0
        grad = 1.0 - x[:, chosen].sum(axis=1)
        norm = float(grad @ grad)
        if norm < 1e-12 or (incumbent is not None and best.bound >= incumbent - TOLERANCE):
            break
        target = incumbent if incumbent is not None else 1.05 * max(best.bound, 1e-6)
        lam = lam + factor * max(target - bound, 1e-9 * max(target, 1e-6)) / norm * grad
    return best


# --- branching on the hub variables --------------------------------------------------------------------------


def _fix_by_reduced_cost(rel: Relaxation, node: Node, incumbent: float | None) -> None:
    """Close (in place) every free hub whose opening alone lifts the node's bound to the incumbent or above."""
    if incumbent is None or node.chosen is None:
        return
    free_chosen = node.chosen & ~node.fixed_open
    if not free_chosen.any():
        return
    worst_chosen = float(node.values[free_chosen].max())
    lift = node.values - worst_chosen
    close = ~node.chosen & ~node.fixed_closed & (node.bound + lift >= incumbent - TOLERANCE)
    node.fixed_closed = node.fixed_closed | close


def _branch_site(node: Node) -> int | None:
    """The free chosen hub of least value (the most attractive decision to challenge), or None."""
    free = np.flatnonzero(node.chosen & ~node.fixed_open) if node.chosen is not None else np.zeros(0, int)
    return int(free[np.argmin(node.values[free])]) if len(free) else None


@dataclass
class BoundResult:
    """A proven lower bound (km) on the hub objective and how it was reached.

    Attributes
    ----------
    bound
        Valid for every plan meeting the rules (module docstring).
    root
        The root's Lagrangian bound (≤ the LP bound).
    nodes
        Nodes evaluated.
    stop
        ``"proved"`` (every node closed by the incumbent: the bound is the incumbent's value), ``"hubs decided"``
        (the least node has every hub fixed: the rest of the gap is the relaxation's — contiguity, other
        size bounds, locks), ``"work budget"`` (the node budget spent).
    seconds
        Wall time (information only).
    """

    bound: float | None
    root: float | None
    nodes: int
    stop: str
    seconds: float

    def as_details(self) -> dict:
        """Plain data for ``plan.details``."""
        return {
            "bound": self.bound,
            "root": self.root,
            "nodes": self.nodes,
            "stop": self.stop,
            "seconds": round(self.seconds, 2),
        }


def hub_bound(
    problem: Problem,
    *,
    incumbent: float | None = None,
    node_limit: int = NODE_LIMIT,
    root_iterations: int = ITERATIONS_ROOT,
    node_iterations: int = ITERATIONS_NODE,
    time_limit: float = SAFETY_STOP_SECONDS,
) -> BoundResult:
    """A proven lower bound on the hub objective of every plan of ``problem`` that meets its rules.

    Parameters
    ----------
    problem
        The problem (one k).
    incumbent
        Hub objective (km) of a plan meeting the rules, used to prune and fix hubs (None: no pruning).
    node_limit
        Work budget: nodes of the best-first search on the hub variables (1: the root's Lagrangian only).
    root_iterations, node_iterations
        Work budget: subgradient iterations at the root and at every other node.
    time_limit
        Seconds: a safety stop only.

    Returns
    -------
    BoundResult
        ``bound`` is None when no plan can meet the size bounds (the relaxation is infeasible).

    Raises
    ------
    SafetyStopError
        When ``time_limit`` passes before the work budget is spent.
    """
    start = time.perf_counter()
    rel = relaxation(problem)
    s = rel.n_sites
    root = lagrangian(
        rel, Node(0.0, np.zeros(s, bool), np.zeros(s, bool), rel.cost.min(axis=1)), root_iterations, incumbent
    )
    if not np.isfinite(root.bound):
        return BoundResult(None, None, 1, "proved", time.perf_counter() - start)
    heap: list[tuple[float, int, Node]] = [(root.bound, 0, root)]
    nodes, counter, stop = 1, 1, "proved"
    while heap:
        if nodes >= node_limit:
            stop = "work budget"
            break
        if time.perf_counter() - start > time_limit:
            raise SafetyStopError(
                f"the hub bound of k = {problem.k}: its safety stop of {time_limit:g} s fired after {nodes:,} of "
                f"its {node_limit:,} nodes, so no bound is given (where a clock stops depends on the machine's load)",
                fix="plan again on a less loaded machine, or give the bound fewer nodes or more time",
            )
        bound, _, node = heapq.heappop(heap)
        if incumbent is not None and bound >= incumbent - TOLERANCE:
            heapq.heappush(heap, (bound, -1, node))
            break
        _fix_by_reduced_cost(rel, node, incumbent)
        site = _branch_site(node)
        if site is None:  # every hub of the node is decided: branching on hubs cannot raise its bound
            heapq.heappush(heap, (bound, -1, node))
            stop = "hubs decided"
            break
        for opened in (True, False):
            child = Node(node.bound, node.fixed_open.copy(), node.fixed_closed.copy(), node.lam)
            (child.fixed_open if opened else child.fixed_closed)[site] = True
            child = lagrangian(rel, child, node_iterations, incumbent)
            nodes += 1
            child.bound = max(child.bound, node.bound)
            if np.isfinite(child.bound) and (incumbent is None or child.bound < incumbent - TOLERANCE):
                heapq.heappush(heap, (child.bound, counter, child))
                counter += 1
    open_bound = heap[0][0] if heap else np.inf
    bound = min(open_bound, incumbent) if incumbent is not None else open_bound
    return BoundResult(
        float(bound) if np.isfinite(bound) else root.bound, root.bound, nodes, stop, time.perf_counter() - start
    )
