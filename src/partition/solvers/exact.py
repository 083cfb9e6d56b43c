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

The objective — pupil-weighted mean distance (km) from schools to their
partnership's *anchor site* — is a close relative of wdist (distance to the
pupil-weighted centroid); the bound HiGHS proves is a bound on this objective
**over this model** (candidate lists included), not on wdist.

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
    the model exceeds ``max_variables``; HiGHS's branch and bound is not run;
``"time limit"``
    the clock stopped HiGHS before its budget was spent: where it stopped
    depends on the machine's speed and load, so nothing from the search is
    returned as the result (labels are the warm start's, the objective is
    the warm start's value in the model, the bound the LP relaxation's, all
    independent of when the clock fired); HiGHS's own figures at the stop
    are kept in ``details["at_stop"]`` for information;
``"other"``
    HiGHS stopped for another reason (``details["highs_status"]``): treated
    like ``"time limit"``.
"""

from __future__ import annotations

import os
import sys
import time

import highspy
import numpy as np
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import dijkstra

from partition.problem import Problem
from partition.solvers.result import SolverResult


def _graph_distances(problem: Problem, centres: np.ndarray) -> np.ndarray:
    rows, cols, vals = [], [], []
    for i, nb in enumerate(problem.neighbours):
        for j in nb:
            rows.append(i)
            cols.append(int(j))
            vals.append(max(float(np.linalg.norm(problem.block_xy[i] - problem.block_xy[j])), 1e-6))
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


def solve_exact(
    problem: Problem,
    *,
    time_limit: float = 60.0,
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
        Seconds: a safety stop only (module docstring, "Reproducibility").
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
        ``"no solution"``, or ``"not searched"`` when the result is the warm
        start's: model too large, or stopped by the clock), the model's
        objective (mean km to the anchor site), proven bound and gap; how the
        run ended in ``details["stop"]``.
    """
    start = time.perf_counter()
    n, k = problem.n, problem.k
    centres = (
        np.flatnonzero(problem.anchors > 0)
        if problem.needs_anchors
        else np.flatnonzero(problem.attrs.get("pupils", np.ones(n)) > 0)
    )
    if len(centres) < k:
        centres = np.arange(n)
    dist = _graph_distances(problem, centres)  # centres × blocks
    pos = {int(c): r for r, c in enumerate(centres)}
    nest = problem.nest
    total_w = max(problem.total_pupils, 1e-9)
    allowed: list[set[int]] = []
    for i in range(n):
        order = np.argsort(dist[:, i], kind="stable")
        ok = [
            int(r)
            for r in order
            if np.isfinite(dist[r, i]) and (not nest or problem.district[centres[r]] == problem.district[i])
        ]
        chosen = set(ok[:candidates])
        if i in pos:
            chosen.add(pos[i])
        allowed.append(chosen)
    warm_centres = _warm_centres(problem, warm_start, centres) if warm_start is not None else None
    if warm_centres is not None:
        for i in range(n):
            allowed[i].add(warm_centres[int(warm_start[i])])
    if contiguity == "shortest-path":
        changed = True
        while changed:
            changed = False
            for i in range(n):
                for r in list(allowed[i]):
                    if int(centres[r]) != i and not any(
                        dist[r, v] < dist[r, i] - 1e-12 and r in allowed[int(v)] for v in problem.neighbours[i]
                    ):
                        allowed[i].discard(r)
                        changed = True
    model = _Model()
    col: dict[tuple[int, int], int] = {}
    for i in range(n):
        pts = problem.point_block == i
        for r in sorted(allowed[i]):
            c = (
                float(
                    (
                        problem.point_w[pts]
                        * np.linalg.norm(problem.point_xy[pts] - problem.block_xy[int(centres[r])], axis=1)
                    ).sum()
                )
                / total_w
            )
            col[i, r] = model.var(c)
    y = {r: col[int(c), r] for r, c in enumerate(centres) if (int(c), r) in col}
    by_block: dict[int, list[int]] = {i: [] for i in range(n)}
    members_of: dict[int, list[int]] = {r: [] for r in y}
    for (i, r), v in col.items():
        by_block[i].append(v)
        if r in members_of:
            members_of[r].append(i)
    for i in range(n):
        if not by_block[i]:
            return SolverResult(
                np.zeros(n, dtype=int),
                "exact",
                "infeasible",
                runtime=time.perf_counter() - start,
                details={"reason": f"block {i} can reach no centre within the candidate lists"},
            )
        model.row(by_block[i], [1.0] * len(by_block[i]), 1.0, 1.0)
    model.row(list(y.values()), [1.0] * len(y), k, k)
    flows: dict[tuple[int, int, int], int] = {}
    for r, members in members_of.items():
        j = int(centres[r])
        for i in members:
            if i != j:
                model.row([col[i, r], y[r]], [1.0, -1.0], -np.inf, 0.0)
        for attr, (low, high) in problem.limits.items():
            a = problem.attrs[attr]
            idx = [col[i, r] for i in members]
            val = [float(a[i]) for i in members]
            yi = members.index(j)
            lo_val = list(val)
            lo_val[yi] -= low
            model.row(idx, lo_val, 0.0, np.inf)
            if np.isfinite(high):
                hi_val = list(val)
                hi_val[yi] -= high
                model.row(idx, hi_val, -np.inf, 0.0)
        if contiguity == "flow":
            inside = set(members)
            big = float(len(members) - 1)
            for u in members:
                for v in problem.neighbours[u]:
                    v = int(v)
                    if v in inside and v != j:
                        f = model.var(0.0, upper=big, integer=False)
                        flows[r, u, v] = f
                        model.row([f, col[v, r]], [1.0, -big], -np.inf, 0.0)
                        model.row([f, col[u, r]], [1.0, -big], -np.inf, 0.0)
            for v in members:
                if v == j:
                    continue
                inflow = [flows[r, u, v] for u in problem.neighbours[v] if (r, int(u), v) in flows]
                outflow = [flows[r, v, int(w)] for w in problem.neighbours[v] if (r, v, int(w)) in flows]
                model.row(
                    inflow + outflow + [col[v, r]], [1.0] * len(inflow) + [-1.0] * len(outflow) + [-1.0], 0.0, 0.0
                )
        else:
            for i in members:
                if i == j:
                    continue
                closer = [
                    col[int(u), r]
                    for u in problem.neighbours[i]
                    if dist[r, u] < dist[r, i] - 1e-12 and (int(u), r) in col
                ]
                model.row([col[i, r], *closer], [1.0] + [-1.0] * len(closer), -np.inf, 0.0)
    for a, b in problem.apart:
        for r in y:
            if (a, r) in col and (b, r) in col:
                model.row([col[a, r], col[b, r]], [1.0, 1.0], -np.inf, 1.0)
    splits: dict[tuple[int, int], int] = {}
    if problem.split_penalty_km > 0:
        for r, members in members_of.items():
            home = int(problem.district[int(centres[r])])
            for i in members:
                d = int(problem.district[i])
                if d == home:
                    continue
                if (r, d) not in splits:
                    splits[r, d] = model.var(problem.split_penalty_km)
                model.row([col[i, r], splits[r, d]], [1.0, -1.0], -np.inf, 0.0)
    # A quick proven bound: the LP relaxation of the assignment, centre and size constraints alone
    # (dropping contiguity and split rows only relaxes the model, so its optimum bounds the model's).
    t_lp = time.perf_counter()
    lp_bound = _relaxation_bound(model, len(col))
    lp_seconds = time.perf_counter() - t_lp
    warm = "none"
    warm_values = None
    if warm_start is not None:
        if warm_centres is None:
            warm = "not used: a partnership of the warm start has no admissible centre"
        else:
            warm_values = _warm_values(problem, warm_start, warm_centres, centres, col, flows, splits, len(model.cost))
            warm = "given"
    details = {
        "variables": len(model.cost),
        "constraints": len(model.rows),
        "centres": len(centres),
        "candidates": candidates,
        "contiguity": contiguity,
        "warm_start": warm,
        "node_limit": node_limit,
        "max_variables": max_variables,
        "lp_bound": lp_bound,
        "lp_seconds": round(lp_seconds, 2),
    }
    if max_variables is not None and len(model.cost) > max_variables:
        reason = f"the model has {len(model.cost):,} variables, more than the work budget of {max_variables:,}: HiGHS's search not run"
        return _unsearched(
            problem, warm_start, warm_values, model, lp_bound, start, {**details, "stop": "too large", "reason": reason}
        )
    highs = _silent_highs()
    highs.setOptionValue("mip_rel_gap", mip_rel_gap)
    highs.setOptionValue("threads", threads)
    highs.setOptionValue("random_seed", 0)
    if node_limit is not None:
        highs.setOptionValue("mip_max_nodes", int(node_limit))
    highs.passModel(model.to_highs())
    if warm_values is not None:
        highs.setSolution(_as_solution(warm_values))
    build = time.perf_counter() - start
    highs.setOptionValue("time_limit", float(max(time_limit - build, 1.0)))
    highs.run()
    status = highs.getModelStatus()
    info = highs.getInfo()
    details.update(
        build_seconds=round(build, 2),
        highs_status=highs.modelStatusToString(status),
        nodes=int(info.mip_node_count),
        mip_dual_bound=float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else None,
    )
    stop = _STOPS.get(status, "other")
    details["stop"] = stop
    if stop in ("time limit", "other"):
        details["at_stop"] = {
            "nodes": details.pop("nodes"),
            "mip_dual_bound": details.pop("mip_dual_bound"),
            "objective": float(info.objective_function_value) if info.primal_solution_status == 2 else None,
        }
        why = f"the time limit ({time_limit:g} s)" if stop == "time limit" else f"HiGHS ({details['highs_status']})"
        details["reason"] = (
            f"{why} stopped the search before its work budget was spent: nothing from the search is used, "
            "so that the result does not depend on the machine's speed or load"
        )
        return _unsearched(problem, warm_start, warm_values, model, lp_bound, start, details)
    runtime = time.perf_counter() - start
    # the better of HiGHS's own dual bound and the relaxation's; every cost is a distance, so 0 is valid too
    bound = max(float(info.mip_dual_bound) if np.isfinite(info.mip_dual_bound) else 0.0, lp_bound or 0.0, 0.0)
    if info.primal_solution_status != 2:
        infeasible = status == highspy.HighsModelStatus.kInfeasible
        return SolverResult(
            np.zeros(n, dtype=int),
            "exact",
            "infeasible" if infeasible else "no solution",
            bound=bound,
            runtime=runtime,
            details=details,
        )
    values = np.asarray(highs.getSolution().col_value)
    chosen = [r for r in y if values[y[r]] > 0.5]
    index_of = {r: p for p, r in enumerate(chosen)}
    labels = np.full(n, -1, dtype=int)
    for (i, r), v in col.items():
        if values[v] > 0.5 and r in index_of:
            labels[i] = index_of[r]
    objective = float(info.objective_function_value)
    gap = max((objective - bound) / objective, 0.0) if bound is not None and objective > 0 else None
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
    highspy.HighsModelStatus.kTimeLimit: "time limit",
}
"""How a HiGHS run ended, by model status (anything else: ``"other"``)."""


def _unsearched(
    problem: Problem,
    warm_start: np.ndarray | None,
    warm_values: np.ndarray | None,
    model: _Model,
    lp_bound: float | None,
    start: float,
    details: dict,
) -> SolverResult:
    """The result when HiGHS's search is not used: the warm start, its value in the model and the
    LP relaxation's bound, none of which depends on how long anything took."""
    bound = max(lp_bound or 0.0, 0.0)
    objective = float(np.dot(model.cost, warm_values)) if warm_values is not None else None
    gap = max((objective - bound) / objective, 0.0) if objective else None
    labels = warm_start.astype(int).copy() if warm_start is not None else np.full(problem.n, -1, dtype=int)
    return SolverResult(
        labels,
        "exact",
        "not searched",
        objective=objective,
        bound=bound,
        gap=gap,
        runtime=time.perf_counter() - start,
        details=details,
    )


def _relaxation_bound(model: _Model, n_columns: int) -> float | None:
    """Optimum of the LP over the first ``n_columns`` columns and the rows that use only them."""
    relaxed = _Model()
    for j in range(n_columns):
        relaxed.var(model.cost[j], model.upper[j], integer=False)
    for idx, val, lo, hi in model.rows:
        if max(idx) < n_columns:
            relaxed.row(idx, val, lo, hi)
    highs = _silent_highs()
    highs.setOptionValue("threads", 1)
    highs.passModel(relaxed.to_highs())
    highs.run()
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return float(highs.getInfo().objective_function_value)


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
