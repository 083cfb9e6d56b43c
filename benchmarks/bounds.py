"""Proven bounds on the hub objective for Hampshire, k = 22, 23, 24 (benchmarks/BOUNDS.md).

Run: ``PYTHONPATH=src python benchmarks/bounds.py [node budget ...]``. For each k: the hub objective of the
planner's plan (objective "hub", solver auto), the compact LP over every admissible hub, the root Lagrangian,
and the searched bound at each node budget, with the gap to the plan. Work budgets only; seconds are for
information.
"""

from __future__ import annotations

import sys
import time
import warnings

import partition as pt
from partition.solvers.bounds import hub_bound, lp_bound, relaxation
from partition.solvers.problem import build_problem


def main(budgets: list[int]) -> None:
    """Print one Markdown row per (k, node budget)."""
    warnings.simplefilter("ignore")
    inputs = pt.prepare()
    print("| k | plan hub km | LP bound (s) | nodes | bound | stop | gap | s |")
    print("|---|---|---|---|---|---|---|---|")
    for k in (22, 23, 24):
        spec = pt.PlanSpec(k=(k,), objective="hub")
        plan = pt.make_plan(inputs, spec, k, solver="auto")
        problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, k)
        start = time.perf_counter()
        lp = lp_bound(relaxation(problem))
        lp_s = time.perf_counter() - start
        for nodes in budgets:
            res = hub_bound(problem, incumbent=plan.objective, node_limit=nodes, time_limit=600)
            gap = (plan.objective - res.bound) / plan.objective
            print(
                f"| {k} | {plan.objective:.3f} | {lp:.3f} ({lp_s:.1f}) | {res.nodes} | {res.bound:.3f} | {res.stop} "
                f"| {gap:.1%} | {res.seconds:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1, 100])
