"""Exact model: anchored p-median with shortest-path contiguity, solved by HiGHS.

Model (on the problem's blocks)::

    min  Σ_ij c_ij x_ij                      c_ij = Σ_{schools s in i} pupils_s · |s − site_j| / total pupils
    s.t. Σ_j x_ij = 1                         every unit in exactly one partnership
         x_ij ≤ x_jj                          j is a centre (x_jj = 1) before anything joins it
         Σ_j x_jj = k
         low_a x_jj ≤ Σ_i a_i x_ij ≤ high_a x_jj   every size bound a
         contiguity: single-commodity flow from each centre j through its members
           (default, exact: every connected partnership is admissible), or the
           shortest-path constraints x_ij ≤ Σ_{v ∈ N(i), d(v,j) < d(i,j)} x_vj
           (contiguity="shortest-path": tighter, but it also forbids some
           connected partnerships)
         x_aj + x_bj ≤ 1                       locks "apart"
         x_ij ∈ {0, 1}

Centres are anchor units (secondary, all-through, college) when anchors are
required, so every partnership has one; a unit may join only its
``candidates`` nearest centres by graph distance d (plus, when a warm start
is given, the centre of its partnership in the warm start, so that the warm
start is always admissible), and only centres of its own district in mode
``nest``. In mode ``penalise`` the objective adds
``split_penalty_km × (districts touched − 1)`` per partnership.

The objective is the **hub objective** (:func:`partition.model.scoring.hub_distance_km`) of its solution or
more: the pupil-weighted mean distance (km) from schools to their centre block's *site* — its anchor school
(its school nearest the block's centre when it has several, or its centre when it has none). The model
restricts each unit to its ``candidates`` nearest centres, so HiGHS's own dual bound is a bound on this
restricted model only: it is reported as ``bound`` only when nothing is restricted (every unit may join
every centre, exact flow contiguity, one hub site per centre block), else ``bound`` is None. Proven bounds
on the problem as asked come from :mod:`partition.solvers.bounds`. Nothing here bounds wdist.

Reproducibility. HiGHS runs on one thread with a fixed random seed, so what
it does is a function of the model alone; its search is bounded by a
**work budget** — at most ``node_limit`` branch-and-bound nodes, and no
search at all when the model has more than ``max_variables`` columns —
never by the clock. ``time_limit`` is only a safety stop. How the run ended
is in ``details["stop"]``:

``"optimal"`` / ``"infeasible"``
    HiGHS finished;
``"work budget"``
    the node budget was spent; the incumbent and bound are those at that
    node, the same on any machine;
``"too large"``
    the model exceeds ``max_variables``; HiGHS's branch and bound is not run.

When the safety stop fires before the budget is spent (or HiGHS stops for
any other reason), where it stopped depends on the machine's speed and load,
so nothing from the search may become the result: :func:`solve_exact` raises
a :class:`~partition.errors.SafetyStopError` instead (see
:data:`partition.core.limits.SAFETY_STOP_SECONDS` for the default and why only a
broken or starved solver reaches it).
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from partition.core.limits import SAFETY_STOP_SECONDS
from partition.errors import SafetyStopError
from partition.model.result import SolverResult
from partition.solvers.problem import Problem

MIN_EDGE_KM = 1e-6
"""Shortest graph-edge length (km) in the graph distances, so that coincident block centres stay ordered."""

DISTANCE_TIE_KM = 1e-12
"""Graph distances (km) closer than this count as equal in the shortest-path contiguity rule."""

CHOSEN = 0.5
"""A binary column counts as 1 above this value in HiGHS's solution."""

PRIMAL_FEASIBLE = 2
"""``HighsInfo.primal_solution_status`` of a feasible primal solution."""

WARM_START_BREAKS_PATH_RULE = (
    "not used: a partnership of the warm start breaks the shortest-path contiguity rule "
    "(every path from one of its planning units to its centre leaves the partnership)"
)
"""``details["warm_start"]`` when the shortest-path rule excludes an assignment of the warm start."""

Column = int
"""Index of a model column."""


def _graph_distances(problem: Problem, centres: np.ndarray) -> np.ndarray:
    """Shortest-path distances (km, along adjacencies between block centres) from each centre to every block."""
    rows, cols, vals = [], [], []
    for i, nb in enumerate(problem.neighbours):
        for j in nb:
            rows.append(i)
            cols.append(int(j))
            vals.append(max(float(np.linalg.norm(problem.block_xy[i] - problem.block_xy[j])), MIN_EDGE_KM))
    g = csr_matrix((vals, (rows, cols)), shape=(problem.n, problem.n))
    return dijkstra(g, directed=False, indices=centres)  # centres × blocks


class _Model:
    """A small row-wise model builder for HiGHS."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[list[int], list[float], float, float]] = []

    def var(self, cost: float, upper: float = 1.0, integer: bool = True) -> int:
        self.cost.append(cost)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, idx: list[int], val: list[float], lo: float, hi: float) -> None:
        self.rows.append((idx, val, lo, hi))

    def to_highs(self) -> highspy.HighsLp:
        lp = highspy.HighsLp()
        n = len(self.cost)
        lp.num_col_ = n
        lp.num_row_ = len(self.rows)
        lp.col_cost_ = np.array(self.cost)
        lp.col_lower_ = np.zeros(n)
        lp.col_upper_ = np.array(self.upper)
        r: list[int] = []
        c: list[int] = []
        v: list[float] = []
        for k, (idx, val, _, _) in enumerate(self.rows):
            r.extend([k] * len(idx))
            c.extend(idx)
            v.extend(val)
        lp.row_lower_ = np.array([row[2] for row in self.rows])
        lp.row_upper_ = np.array([row[3] for row in self.rows])
        mat = coo_matrix((v, (r, c)), shape=(len(self.rows), n)).tocsc()
        mat.sum_duplicates()
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = mat.indptr.astype(np.int32)
        lp.a_matrix_.index_ = mat.indices.astype(np.int32)
        lp.a_matrix_.value_ = mat.data.astype(float)
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if t else highspy.HighsVarType.kContinuous for t in self.integer
        ]
        return lp


def _warm_centres(problem: Problem, labels: np.ndarray, centres: np.ndarray) -> dict[int, int] | None:
    """Centre row for each partnership of a labelling: its admissible block nearest its pupil centroid."""
    pos = {int(c): r for r, c in enumerate(centres)}
    out = {}
    for p in range(problem.k):
        members = np.flatnonzero(labels == p)
        cands = [int(j) for j in members if int(j) in pos]
        if not cands:
            return None
        pts = np.isin(problem.point_block, members)
        w = problem.point_w[pts]
        xy = problem.point_xy[pts]
        cost = [float((w * np.linalg.norm(xy - problem.block_xy[j], axis=1)).sum()) for j in cands]
        out[p] = pos[cands[int(np.argmin(cost))]]
    return out


# --- candidate centres ------------------------------------------------------


def candidate_centres(problem: Problem) -> np.ndarray:
    """Blocks that may be a partnership's centre: anchor blocks when anchors are required, else blocks with
    pupils; every block when fewer than k qualify.

    Parameters
    ----------
    problem
        The problem (its ``anchors`` and ``attrs["pupils"]`` per block, ``needs_anchors``, ``k``).

    Returns
    -------
    numpy.ndarray
        Block indices (int, ascending).
    """
    if problem.needs_anchors:
        centres = np.flatnonzero(problem.anchors > 0)
    else:
        centres = np.flatnonzero(problem.attrs.get("pupils", np.ones(problem.n)) > 0)
    return centres if len(centres) >= problem.k else np.arange(problem.n)


def _nearest_centres(problem: Problem, centres: np.ndarray, dist: np.ndarray, candidates: int) -> list[set[int]]:
    """Per block, the centre rows it may join: its ``candidates`` nearest reachable centres by graph distance
    (in mode nest, of its own district), and itself when it is a centre.
    """
    row_of = {int(c): r for r, c in enumerate(centres)}
    allowed: list[set[int]] = []
    for block in range(problem.n):
        order = np.argsort(dist[:, block], kind="stable")
        ok = [
            int(r)
            for r in order
            if np.isfinite(dist[r, block])
            and (not problem.nest or problem.district[centres[r]] == problem.district[block])
        ]
        chosen = set(ok[:candidates])
        if block in row_of:
            chosen.add(row_of[block])
        allowed.append(chosen)
    return allowed


def _prune_shortest_path(problem: Problem, centres: np.ndarray, dist: np.ndarray, allowed: list[set[int]]) -> None:
    """Drop (in place) candidates no neighbour closer to the centre can link to, until none is left to drop."""
    changed = True
    while changed:
        changed = False
        for block in range(problem.n):
            for r in list(allowed[block]):
                if int(centres[r]) != block and not any(
                    dist[r, v] < dist[r, block] - DISTANCE_TIE_KM and r in allowed[int(v)]
                    for v in problem.neighbours[block]
                ):
                    allowed[block].discard(r)
                    changed = True


# --- the model --------------------------------------------------------------


@dataclass
class _ExactModel:
    """The HiGHS model and the meaning of its columns.

    ``assign[block, r]`` is x (block joins centre row r), ``centre[r]`` the column of x_jj for centre block
    ``centres[r]``, ``flows[r, u, v]`` the flow from u to v inside centre r's partnership, ``splits[r, d]``
    the indicator that centre r's partnership reaches district d.
    """

    problem: Problem
    centres: np.ndarray
    dist: np.ndarray
    contiguity: str
    model: _Model = field(default_factory=_Model)
    assign: dict[tuple[int, int], Column] = field(default_factory=dict)
    centre: dict[int, Column] = field(default_factory=dict)
    members_of: dict[int, list[int]] = field(default_factory=dict)
    flows: dict[tuple[int, int, int], Column] = field(default_factory=dict)
    splits: dict[tuple[int, int], Column] = field(default_factory=dict)

    @property
    def n_assign(self) -> int:
        """Assignment columns (the first columns of the model)."""
        return len(self.assign)


def centre_sites(problem: Problem, centres: np.ndarray) -> np.ndarray:
    """The hub site (km, BNG) of each centre block: of its anchor schools (all its schools when anchors are not
    required or it has none) the one nearest the block's centre; the block's centre when it has no school.

    Parameters
    ----------
    problem
        The problem.
    centres
        Centre blocks.

    Returns
    -------
    numpy.ndarray
        centres × 2 (km).
    """
    sites = problem.block_xy[centres].copy()
    hub_ok = problem.point_anchor if problem.needs_anchors and problem.point_anchor is not None else None
    for r, block in enumerate(centres):
        pts = np.flatnonzero(problem.point_block == block)
        if hub_ok is not None and hub_ok[pts].any():
            pts = pts[hub_ok[pts]]
        if len(pts):
            near = np.argmin(np.linalg.norm(problem.point_xy[pts] - problem.block_xy[block], axis=1))
            sites[r] = problem.point_xy[pts[near]]
    return sites


def _assignment_columns(em: _ExactModel, allowed: list[set[int]]) -> None:
    """One column per admissible (block, centre), costing the block's pupils × km to the centre's hub site
    over all pupils.
    """
    problem = em.problem
    total_w = max(problem.total_pupils, 1e-9)
    sites = centre_sites(problem, em.centres)
    for block in range(problem.n):
        pts = problem.point_block == block
        for r in sorted(allowed[block]):
            km = np.linalg.norm(problem.point_xy[pts] - sites[r], axis=1)
            em.assign[block, r] = em.model.var(float((problem.point_w[pts] * km).sum()) / total_w)
    em.centre = {r: em.assign[int(c), r] for r, c in enumerate(em.centres) if (int(c), r) in em.assign}
    em.members_of = {r: [] for r in em.centre}
    for block, r in em.assign:
        if r in em.members_of:
            em.members_of[r].append(block)


def _unreachable_block(em: _ExactModel) -> int | None:
    """A block with no admissible centre, if any."""
    reachable = {block for block, _ in em.assign}
    return next((block for block in range(em.problem.n) if block not in reachable), None)


def _assignment_rows(em: _ExactModel) -> None:
    """Σ_r x_(block, r) = 1: every block in exactly one partnership."""
    by_block: dict[int, list[Column]] = {block: [] for block in range(em.problem.n)}
    for (block, _), column in em.assign.items():
        by_block[block].append(column)
    for block in range(em.problem.n):
        em.model.row(by_block[block], [1.0] * len(by_block[block]), 1.0, 1.0)


def _centre_count_row(em: _ExactModel) -> None:
    """Σ_r x_jj = k: k centres open."""
    em.model.row(list(em.centre.values()), [1.0] * len(em.centre), em.problem.k, em.problem.k)


def _link_rows(em: _ExactModel, r: int, members: list[int], centre_block: int) -> None:
    """x_(block, r) ≤ x_jj: nothing joins a centre that is not open."""
    for block in members:
        if block != centre_block:
            em.model.row([em.assign[block, r], em.centre[r]], [1.0, -1.0], -np.inf, 0.0)


def _size_rows(em: _ExactModel, r: int, members: list[int], centre_block: int) -> None:
    """low_a x_jj ≤ Σ a_block x_(block, r) ≤ high_a x_jj for every size bound a."""
    for attr, (low, high) in em.problem.limits.items():
        a = em.problem.attrs[attr]
        idx = [em.assign[block, r] for block in members]
        val = [float(a[block]) for block in members]
        at_centre = members.index(centre_block)
        lo_val = list(val)
        lo_val[at_centre] -= low
        em.model.row(idx, lo_val, 0.0, np.inf)
        if np.isfinite(high):
            hi_val = list(val)
            hi_val[at_centre] -= high
            em.model.row(idx, hi_val, -np.inf, 0.0)


def _flow_rows(em: _ExactModel, r: int, members: list[int], centre_block: int) -> None:
    """Single-commodity flow from the centre: each member other than the centre consumes one unit, flow
    only along edges between members of the partnership (exact contiguity).
    """
    neighbours, model, assign = em.problem.neighbours, em.model, em.assign
    inside = set(members)
    big = float(len(members) - 1)
    for u in members:
        for v in neighbours[u]:
            v = int(v)
            if v in inside and v != centre_block:
                f = model.var(0.0, upper=big, integer=False)
                em.flows[r, u, v] = f
                model.row([f, assign[v, r]], [1.0, -big], -np.inf, 0.0)
                model.row([f, assign[u, r]], [1.0, -big], -np.inf, 0.0)
    for v in members:
        if v == centre_block:
            continue
        inflow = [em.flows[r, int(u), v] for u in neighbours[v] if (r, int(u), v) in em.flows]
        outflow = [em.flows[r, v, int(w)] for w in neighbours[v] if (r, v, int(w)) in em.flows]
        model.row(inflow + outflow + [assign[v, r]], [1.0] * len(inflow) + [-1.0] * len(outflow) + [-1.0], 0.0, 0.0)


def _shortest_path_rows(em: _ExactModel, r: int, members: list[int], centre_block: int) -> None:
    """x_(block, r) ≤ Σ x_(v, r) over neighbours v closer to the centre (by graph distance)."""
    dist, assign = em.dist, em.assign
    for block in members:
        if block == centre_block:
            continue
        closer = [
            assign[int(u), r]
            for u in em.problem.neighbours[block]
            if dist[r, u] < dist[r, block] - DISTANCE_TIE_KM and (int(u), r) in assign
        ]
        em.model.row([assign[block, r], *closer], [1.0] + [-1.0] * len(closer), -np.inf, 0.0)


def _apart_rows(em: _ExactModel) -> None:
    """x_(a, r) + x_(b, r) ≤ 1 for every pair of blocks kept apart."""
    for a, b in em.problem.apart:
        for r in em.centre:
            if (a, r) in em.assign and (b, r) in em.assign:
                em.model.row([em.assign[a, r], em.assign[b, r]], [1.0, 1.0], -np.inf, 1.0)


def _split_columns(em: _ExactModel) -> None:
    """Mode penalise: an indicator per (partnership, other district reached), costing the split penalty (km)."""
    problem = em.problem
    if problem.split_penalty_km <= 0:
        return
    for r, members in em.members_of.items():
        home = int(problem.district[int(em.centres[r])])
        for block in members:
            d = int(problem.district[block])
            if d == home:
                continue
            if (r, d) not in em.splits:
                em.splits[r, d] = em.model.var(problem.split_penalty_km)
            em.model.row([em.assign[block, r], em.splits[r, d]], [1.0, -1.0], -np.inf, 0.0)


def _constraints(em: _ExactModel) -> None:
    """Every constraint family, in the model's row order."""
    _assignment_rows(em)
    _centre_count_row(em)
    contiguity_rows = _flow_rows if em.contiguity == "flow" else _shortest_path_rows
    for r, members in em.members_of.items():
        centre_block = int(em.centres[r])
        _link_rows(em, r, members, centre_block)
        _size_rows(em, r, members, centre_block)
        contiguity_rows(em, r, members, centre_block)
    _apart_rows(em)
    _split_columns(em)


def _admit_warm_start(
    allowed: list[set[int]], warm_start: np.ndarray | None, warm_centres: dict[int, int] | None
) -> None:
    """Add (in place) each block's warm-start centre to its candidates, so that the warm start is admissible."""
    if warm_start is None or warm_centres is None:
        return
    for block in range(len(allowed)):
        allowed[block].add(warm_centres[int(warm_start[block])])


def _warm_start_values(
    em: _ExactModel, warm_start: np.ndarray | None, warm_centres: dict[int, int] | None
) -> tuple[str, np.ndarray | None]:
    """How the warm start is used (``details["warm_start"]``) and its column values (None when not used)."""
    if warm_start is None:
        return "none", None
    if warm_centres is None:
        return "not used: a partnership of the warm start has no admissible centre", None
    if any((block, warm_centres[int(p)]) not in em.assign for block, p in enumerate(warm_start)):
        # the shortest-path rule can drop a warm-start assignment admitted before it was applied
        return WARM_START_BREAKS_PATH_RULE, None
    values = _warm_values(
        em.problem, warm_start, warm_centres, em.centres, em.assign, em.flows, em.splits, len(em.model.cost)
    )
    return "given", values


def _highs(mip_rel_gap: float, threads: int, node_limit: int | None) -> highspy.Highs:
    """A silent HiGHS with the reproducible options (fixed seed, ``threads``, node budget)."""
    highs = _silent_highs()
    highs.setOptionValue("mip_rel_gap", mip_rel_gap)
    highs.setOptionValue("threads", threads)
    highs.setOptionValue("random_seed", 0)
    if node_limit is not None:
        highs.setOptionValue("mip_max_nodes", int(node_limit))
    return highs


def _decode(em: _ExactModel, values: np.ndarray) -> np.ndarray:
    """Block labels from column values: open centres numbered in centre order, ``-1`` for a block left out."""
    chosen = [r for r in em.centre if values[em.centre[r]] > CHOSEN]
    index_of = {r: p for p, r in enumerate(chosen)}
    labels = np.full(em.problem.n, -1, dtype=int)
    for (block, r), v in em.assign.items():
        if values[v] > CHOSEN and r in index_of:
            labels[block] = index_of[r]
    return labels


def _safety_stop_error(problem: Problem, details: dict, time_limit: float, clock: bool) -> SafetyStopError:
    """The error when HiGHS stopped before its work budget was spent: by the safety stop (``clock``), or for
    another reason (``details["highs_status"]``).
    """
    budget = details.get("node_limit")
    spent = f"its work budget ({budget:,} branch-and-bound nodes)" if budget is not None else "its search"
    size = f"the exact model of k = {problem.k} ({details['variables']:,} variables)"
    if clock:
        forced = (
            " (or use solver auto, which does not search models this large)" if details["max_variables"] is None else ""
        )
        return SafetyStopError(
            f"{size}: HiGHS's safety stop of {time_limit:g} s fired before {spent} was spent, so no plan is "
            "given (where a clock stops a search depends on the machine's load; nothing from it is used)",
            fix="plan again on a less loaded machine, or raise the safety stop (--time-limit, or time_limit in "
            f"[solver]){forced}",
        )
    return SafetyStopError(
        f"{size}: HiGHS stopped ({details['highs_status']}) before {spent} was spent, so no plan is given",
        fix="this is a fault of the solver, not of your data; please report it with the command you ran",
    )


def solve_exact(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    problem: Problem,
    *,
    time_limit: float = SAFETY_STOP_SECONDS,
    node_limit: int | None = None,
    max_variables: int | None = None,
    candidates: int = 16,
    warm_start: np.ndarray | None = None,
    contiguity: str = "flow",
    mip_rel_gap: float = 1e-4,
    threads: int = 1,
) -> SolverResult:
    """Solve the anchored p-median model (module docstring) with HiGHS.

    Parameters
    ----------
    problem
        The problem (one k).
    time_limit
        Seconds HiGHS's run may take: a safety stop only (module docstring, "Reproducibility").
    node_limit
        Work budget: branch-and-bound nodes HiGHS may explore (None: no limit).
    max_variables
        Work budget: with more model columns than this, HiGHS's search is not
        run and the warm start is returned with the LP relaxation's bound
        (None: no limit).
    candidates
        Nearest centres (by graph distance) each unit may join.
    warm_start
        Block labels (e.g. from the heuristic) given to HiGHS as its first incumbent.
    contiguity
        ``"flow"`` (exact) or ``"shortest-path"`` (see module docstring).
    mip_rel_gap
        Relative gap at which HiGHS stops as optimal.
    threads
        HiGHS threads (1: the same search on any machine).

    Returns
    -------
    SolverResult
        Labels, status (``"optimal"``, ``"feasible"``, ``"infeasible"``,
        ``"no solution"``, or ``"not searched"`` when the model is too large
        and the result is the warm start's), the model's
        objective (mean km to the centres' hub sites), and a bound and gap
        only when the model restricts nothing (module docstring); how the run
        ended in ``details["stop"]``.

    Raises
    ------
    SafetyStopError
        When HiGHS stops before its work budget is spent: the safety stop ``time_limit`` fired (a machine
        too loaded or a model too large for the solver asked), or HiGHS ended for another reason.
    """
    start = time.perf_counter()
    n = problem.n
    centres = candidate_centres(problem)
    dist = _graph_distances(problem, centres)  # centres × blocks
    allowed = _nearest_centres(problem, centres, dist, candidates)
    warm_centres = _warm_centres(problem, warm_start, centres) if warm_start is not None else None
    _admit_warm_start(allowed, warm_start, warm_centres)
    if contiguity == "shortest-path":
        _prune_shortest_path(problem, centres, dist, allowed)
    em = _ExactModel(problem, centres, dist, contiguity)
    _assignment_columns(em, allowed)
    stranded = _unreachable_block(em)
    if stranded is not None:
        return SolverResult(
            np.zeros(n, dtype=int),
            "exact",
            "infeasible",
            runtime=time.perf_counter() - start,
            details={"reason": f"block {stranded} can reach no centre within the candidate lists"},
        )
    _constraints(em)
    model = em.model
    warm, warm_values = _warm_start_values(em, warm_start, warm_centres)
    details = {
        "variables": len(model.cost),
        "constraints": len(model.rows),
        "centres": len(centres),
        "candidates": candidates,
        "contiguity": contiguity,
        "warm_start": warm,
        "node_limit": node_limit,
        "max_variables": max_variables,
        "unrestricted": _unrestricted(em, allowed),
    }
    if max_variables is not None and len(model.cost) > max_variables:
        reason = f"the model has {len(model.cost):,} variables, more than the work budget of {max_variables:,}: HiGHS's search not run"
        return _unsearched(
            problem, warm_start, warm_values, model, start, {**details, "stop": "too large", "reason": reason}
        )
    highs = _highs(mip_rel_gap, threads, node_limit)
    highs.passModel(model.to_highs())
    if warm_values is not None:
        highs.setSolution(_as_solution(warm_values))
    build = time.perf_counter() - start
    highs.setOptionValue("time_limit", float(time_limit))
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    details.update(
        build_seconds=round(build, 2),
        highs_status=highs.modelStatusToString(status),
        nodes=int(info.mip_node_count),
        mip_dual_bound=float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None,
    )
    if status not in _STOPS:
        raise _safety_stop_error(problem, details, time_limit, status == highspy.HighsModelStatus.kTimeLimit)
    details["stop"] = _STOPS[status]
    runtime = time.perf_counter() - start
    # HiGHS's dual bound is on the model; on the problem only when the model restricts nothing
    dual = float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else 0.0
    bound = max(dual, 0.0) if details["unrestricted"] else None
    if info.primal_solution_status != PRIMAL_FEASIBLE:
        infeasible = status == highspy.HighsModelStatus.kInfeasible
        return SolverResult(
            np.zeros(n, dtype=int),
            "exact",
            "infeasible" if infeasible else "no solution",
            bound=bound,
            runtime=runtime,
            details=details,
        )
    labels = _decode(em, np.asarray(highs.getSolution().col_value))
    objective = float(info.objective_function_value)
    gap = max((objective - bound) / objective, 0.0) if bound is not None and objective > 0 else None  # model's
    return SolverResult(
        labels=labels,
        solver="exact",
        status="optimal" if status == highspy.HighsModelStatus.kOptimal else "feasible",
        objective=objective,
        bound=bound,
        gap=gap,
        runtime=runtime,
        details=details,
    )


_STOPS = {
    highspy.HighsModelStatus.kOptimal: "optimal",
    highspy.HighsModelStatus.kInfeasible: "infeasible",
    highspy.HighsModelStatus.kSolutionLimit: "work budget",  # mip_max_nodes reached
}
"""How a HiGHS run ended, by model status; any other status (the safety stop's ``kTimeLimit`` among them) is a
:class:`~partition.errors.SafetyStopError`."""


def _unsearched(
    problem: Problem,
    warm_start: np.ndarray | None,
    warm_values: np.ndarray | None,
    model: _Model,
    start: float,
    details: dict,
) -> SolverResult:
    """The result when HiGHS's search is not run (the model is over the work budget): the warm start and its
    value in the model (no bound).
    """
    objective = float(np.dot(model.cost, warm_values)) if warm_values is not None else None
    labels = warm_start.astype(int).copy() if warm_start is not None else np.full(problem.n, -1, dtype=int)
    return SolverResult(
        labels,
        "exact",
        "not searched",
        objective=objective,
        runtime=time.perf_counter() - start,
        details=details,
    )


def _unrestricted(em: _ExactModel, allowed: list[set[int]]) -> bool:
    """True when the model is the problem itself: every block may join every centre, exact (flow) contiguity,
    and every possible hub is a centre's site (at most one per centre block), so HiGHS's bound is the problem's.
    """
    problem = em.problem
    every = all(len(a) == len(em.centres) for a in allowed)
    hubs = problem.point_anchor if problem.needs_anchors and problem.point_anchor is not None else None
    points = np.ones(len(problem.point_w), bool) if hubs is None else hubs
    per_block = np.bincount(problem.point_block[points], minlength=problem.n)
    one_site = per_block.max(initial=0) <= 1 and set(np.flatnonzero(per_block)) <= {int(c) for c in em.centres}
    return bool(every and em.contiguity == "flow" and one_site)


def _silent_highs() -> highspy.Highs:
    """A Highs instance whose start-up banner (printed by the C++ library on stdout) is swallowed."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:
        highs = highspy.Highs()
    else:
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            highs = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
    highs.setOptionValue("output_flag", False)
    return highs


def _as_solution(values: np.ndarray) -> highspy.HighsSolution:
    sol = highspy.HighsSolution()
    sol.col_value = list(map(float, values))
    sol.value_valid = True
    return sol


def _warm_values(
    problem: Problem,
    labels: np.ndarray,
    warm_centres: dict[int, int],
    centres: np.ndarray,
    col: dict[tuple[int, int], int],
    flows: dict[tuple[int, int, int], int],
    splits: dict[tuple[int, int], int],
    n_vars: int,
) -> np.ndarray:
    """Column values of a labelling: assignments, BFS-tree flows, split indicators."""
    values = np.zeros(n_vars)
    for p, r in warm_centres.items():
        members = set(np.flatnonzero(labels == p).tolist())
        j = int(centres[r])
        for i in members:
            values[col[i, r]] = 1.0
            d = int(problem.district[i])
            if (r, d) in splits:
                values[splits[r, d]] = 1.0
        if not flows:
            continue
        parent: dict[int, int] = {j: -1}
        order = [j]
        for u in order:
            for v in problem.neighbours[u]:
                v = int(v)
                if v in members and v not in parent:
                    parent[v] = u
                    order.append(v)
        size = dict.fromkeys(order, 1)
        for v in reversed(order[1:]):
            size[parent[v]] += size[v]
            values[flows[r, parent[v], v]] = float(size[v])
    return values
