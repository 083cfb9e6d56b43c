"""The default solver, ``"auto"``, and ``"exact"``: the heuristic's full search, then the HiGHS model.

``"auto"`` (default) / ``"exact"``
    the heuristic's full search (recombination and threshold accepting, a
    budget of :func:`~partition.solvers.heuristic.full_iterations` steps), then
    the HiGHS model warm-started from it,
    reporting the model's objective, proven bound and gap; the model's
    solution, polished by the local search, replaces the heuristic's when it
    is better (see "Reproducibility"). ``"auto"`` skips HiGHS's search when
    the model has more than :data:`EXACT_MAX_VARIABLES` columns (Hampshire's
    k = 23 model has about 44,000, and HiGHS does not finish its root node in
    five minutes); ``"exact"`` always runs it. Under objective ``"hub"`` the plan of least hub objective is
    kept, with the proven hub bound (:func:`partition.solvers.bounds.hub_bound`) and its gap.

Reproducibility
---------------
The configuration is a function of the inputs, the spec and its seed only.
The heuristic's budget is counted (restarts, steps), not timed. HiGHS runs
on one thread with a fixed seed and a **work budget** — at most
:data:`EXACT_NODE_BUDGET` branch-and-bound nodes and, under ``"auto"``, at
most :data:`EXACT_MAX_VARIABLES` model columns — so where it stops, and so
which configuration is used, is the same on any machine. The time limit is
only a safety stop (default :data:`partition.core.limits.SAFETY_STOP_SECONDS` per
HiGHS run): when it fires before the budget is spent, the run stops with a
:class:`~partition.errors.SafetyStopError` — nothing from a search the clock
cut short becomes a plan, so a loaded machine gives the idle machine's plan
or an error, never another plan.
"""

from __future__ import annotations

import dataclasses

from partition.errors import InfeasibleError
from partition.model.result import SolverResult
from partition.solvers.heuristic import full_iterations, polish, solve_heuristic
from partition.solvers.problem import Problem, quick_feasibility

AUTO_RESTARTS = 1
"""Heuristic restarts in the default ("auto") solver (one long search: its threshold schedule, not restarts,
makes the result steady across seeds)."""

EXACT_NODE_BUDGET = 50
"""Work budget of HiGHS in the "auto" and "exact" solvers: branch-and-bound nodes."""

EXACT_MAX_VARIABLES = 5_000
"""Work budget of HiGHS in the "auto" solver: above this many model columns its search is not run."""

HUB_BOUND_NODES = 1
"""Work budget of the hub bound (:func:`partition.solvers.bounds.hub_bound`) under objective "hub": nodes of
its search on the hub variables (1: the root's Lagrangian, about the LP bound, a few seconds at Hampshire's
size; branching adds little there, see benchmarks/BOUNDS.md)."""


def _hub_choice(problem: Problem, candidates: list[tuple[SolverResult, str]]) -> tuple[SolverResult, str, float]:
    """Of feasible candidate results, the one of least hub objective (the first on ties), its name and value."""
    from partition.solvers.bounds import hub_objective

    scored = [
        (hub_objective(problem, r.labels), i)
        for i, (r, _) in enumerate(candidates)
        if r.status in ("feasible", "optimal")
    ]
    if not scored:
        return candidates[0][0], candidates[0][1], hub_objective(problem, candidates[0][0].labels)
    value, i = min(scored)
    return candidates[i][0], candidates[i][1], value


def _with_hub_bound(problem: Problem, result: SolverResult, candidates: list[tuple[SolverResult, str]]) -> SolverResult:
    """Objective "hub": the candidate of least hub objective, with the proven hub bound and its gap.

    The bound (:func:`partition.solvers.bounds.hub_bound`, over every admissible hub, and HiGHS's own only when
    its model restricts nothing) is on the hub objective of every plan meeting the rules; the gap is the
    chosen plan's hub objective over it (None when the plan breaks a rule).
    """
    from partition.solvers.bounds import hub_bound

    best, chosen, value = _hub_choice(problem, candidates)
    feasible = best.status in ("feasible", "optimal")
    proven = hub_bound(problem, incumbent=value if feasible else None, node_limit=HUB_BOUND_NODES)
    bounds = [b for b in (proven.bound, result.bound) if b is not None]
    bound = max(bounds) if bounds else None
    gap = max((value - bound) / value, 0.0) if bound is not None and feasible and value > 0 else None
    said = str(result.details.get("chosen", ""))
    chosen = said if said.startswith(chosen) else f"{chosen} (least hub objective)"
    details = {**result.details, "chosen": chosen, "hub_bound": proven.as_details()}
    status = "feasible" if feasible else best.status
    return SolverResult(best.labels, result.solver, status, value, bound, gap, result.runtime, details)


def refuse_infeasible(problem: Problem) -> None:
    """Raise :class:`~partition.errors.InfeasibleError` when the sizes or anchors cannot be met at all."""
    reasons = quick_feasibility(problem)
    if reasons:
        raise InfeasibleError(f"k = {problem.k}: " + "; ".join(reasons), fix="loosen the size bounds or change k")


def solve_auto(
    problem: Problem,
    *,
    restrict: bool,
    time_limit: float,
    random_state: int | None,
    heuristic_options: dict,
) -> SolverResult:
    """The heuristic's full search, then the HiGHS model warm-started from it; the better plan is kept.

    Parameters
    ----------
    problem
        The problem for one k.
    restrict
        ``True`` for ``"auto"`` (the model's search is skipped above :data:`EXACT_MAX_VARIABLES` columns),
        ``False`` for ``"exact"``.
    time_limit
        The safety stop of each HiGHS run (s).
    random_state
        The seed.
    heuristic_options
        Passed to :func:`~partition.solvers.heuristic.solve_heuristic` over the full search's budget.

    Returns
    -------
    SolverResult
        By wdist (objective ``"centroid"``, no bound) or by the hub objective (objective ``"hub"``, with its
        proven bound and gap), solver ``"heuristic+exact"``.

    Raises
    ------
    InfeasibleError
        When the sizes or anchors cannot be met at all (:func:`~partition.solvers.problem.quick_feasibility`).
    """
    refuse_infeasible(problem)
    full = {"restarts": AUTO_RESTARTS, "iterations": full_iterations(problem)}
    heur = solve_heuristic(problem, random_state=random_state, **{**full, **heuristic_options})
    from partition.solvers.exact import solve_exact

    exact = solve_exact(
        problem,
        time_limit=time_limit,
        node_limit=EXACT_NODE_BUDGET,
        max_variables=EXACT_MAX_VARIABLES if restrict else None,
        warm_start=heur.labels if heur.status == "feasible" else None,
    )
    details = {
        "heuristic": {"objective": heur.objective, "runtime": heur.runtime, **heur.details},
        "exact": {
            "status": exact.status,
            "objective": exact.objective,  # the model's: km to the centres' hub sites
            "bound": exact.bound,  # on the model's objective; None unless the model restricts nothing
            "gap": exact.gap,
            "runtime": exact.runtime,
            **exact.details,
        },
    }
    best, chosen = heur, "heuristic"
    candidates = [(heur, "heuristic")]
    stop = exact.details.get("stop")
    if stop == "too large":
        chosen = f"heuristic: {exact.details['reason']}"
    elif exact.status in ("optimal", "feasible") and exact.labels.min() >= 0:
        # HiGHS finished or spent its work budget: the same solution on any machine
        polished = polish(problem, exact.labels, random_state=random_state)
        details["exact_polished_objective"] = polished.objective
        candidates += [(exact, "exact"), (polished, "exact, polished")]
        if polished.status == "feasible" and (heur.status != "feasible" or polished.objective < heur.objective - 1e-12):
            best, chosen = polished, "exact, polished"
    result = SolverResult(
        labels=best.labels,
        solver="heuristic+exact",
        status=best.status,
        objective=best.objective,
        runtime=heur.runtime + exact.runtime,
        details={**details, "chosen": chosen},
    )
    if problem.objective == "hub":
        bound_valid = exact.bound if exact.details.get("unrestricted") else None
        return _with_hub_bound(problem, dataclasses.replace(result, bound=bound_valid), candidates)
    return result
