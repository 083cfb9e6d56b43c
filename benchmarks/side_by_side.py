"""Every way a planner could make Hampshire's configurations, side by side, in one run (issue 12, item 5).

    PYTHONPATH=src python benchmarks/side_by_side.py [--k 22 23 24] [--gerrychain-steps 5000]

One row per (k, method), all on the same data (the README's default: ±10 % pupils, anchors, districts
ignored, seed 0) and scored by the same code (:func:`partition.planning.planner.make_plan` /
:func:`partition.planning.planner.plan_from_assignment`, so "valid" is the tool's own independent check: every
school placed once, contiguous, within the bounds, anchored):

* ``preview``: ``partition plan --solver heuristic`` (the quick look);
* ``default``: ``partition plan`` (solver auto: one long search, then HiGHS);
* ``long run``: the default with 2 restarts of 2 × the search budget, then a last search of the same from the best (what more time buys);
* ``default, objective hub``: ``partition plan --objective hub``;
* ``GerryChain short bursts``: GerryChain 1.0 ReCom (pupils ±10 %, an anchor in every partnership) started
  from the default plan, in bursts of 10 steps restarting from the best plan so far (Cannon et al., "Voting
  rights, Markov chains, and optimization by short bursts", 2023), keeping the least wdist; needs
  ``pip install gerrychain`` (skipped, and said, without it);
* ``spopt AZP`` and ``scikit-learn agglomerative``: the general-purpose regionalisation a user might pick
  instead (``pip install 'partition[spopt]'`` for spopt).

Columns: wall seconds (informational: the plans depend on the seed and counted budgets only), valid, max
pupil deviation, wdist (km), hub distance (km), and the hub objective's proven lower bound and each plan's gap
to it. The bound (:func:`partition.solvers.bounds.hub_bound`, root Lagrangian ≈ the LP over every anchor
school as hub) holds for **every** plan meeting the rules, so every valid row's gap is a true gap; wdist has
no proven bound. Recorded output: benchmarks/SIDE_BY_SIDE.md.
"""

from __future__ import annotations

import argparse
import random
import time
import warnings
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

import partition as pt
from partition.model.scoring import wdist_km
from partition.solvers.bounds import hub_bound
from partition.solvers.heuristic import full_iterations
from partition.solvers.problem import Problem, build_problem

BURST = 10
"""GerryChain steps per short burst."""

LONG_RESTARTS = 2
"""Restarts of the long run."""

LONG_BUDGET = 2
"""Search budget of each restart of the long run, in multiples of the default's (:func:`full_iterations`)."""


@dataclass
class Row:
    """One method's plan and what it took."""

    method: str
    plan: pt.Plan | None
    seconds: float
    note: str = ""


def _timed(method: str, make) -> Row:
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            plan = make()
    except Exception as exc:  # a missing optional library or a refused plan is a row, not a stop
        return Row(method, None, time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    return Row(method, plan, time.perf_counter() - start)


def gerrychain_bursts(inputs: pt.Inputs, problem: Problem, start: pt.Plan, steps: int, seed: int) -> pt.Plan:
    """Short bursts of GerryChain ReCom from ``start``'s plan, keeping the least wdist; scored as a given plan."""
    import networkx as nx
    from gerrychain import Graph, MarkovChain, Partition
    from gerrychain.accept import always_accept
    from gerrychain.proposals import recom
    from gerrychain.updaters import Tally

    block_of_unit = np.full(problem.n_units, -1)
    for b, units in enumerate(problem.blocks):
        block_of_unit[units] = b
    start_blocks = np.zeros(problem.n, dtype=int)
    start_blocks[block_of_unit[np.arange(problem.n_units)]] = start.unit_labels
    g = nx.Graph()
    for b in range(problem.n):
        g.add_node(b, pupils=float(problem.attrs["pupils"][b]), anchors=float(problem.anchors[b]))
    g.add_edges_from(map(tuple, problem.edges.tolist()))
    graph = Graph.from_networkx(g)
    updaters = {"population": Tally("pupils", alias="population"), "anchors": Tally("anchors", alias="anchors")}
    low, high = problem.limits["pupils"]
    mean = problem.attrs["pupils"].sum() / problem.k
    epsilon = min(mean - low, high - mean) / mean

    def anchored(partition) -> bool:
        return all(v > 0 for v in partition["anchors"].values())

    def wdist_of(partition) -> float:
        labels = np.array([partition.assignment[b] for b in range(problem.n)])
        return wdist_km(problem.point_xy, problem.point_w, labels[problem.point_block], problem.k)

    rng = random.Random(seed)
    best = Partition(graph, {b: int(start_blocks[b]) for b in range(problem.n)}, updaters)
    best_score = wdist_of(best)

    def proposal(partition, *, rng):
        return recom(partition, "pupils", mean, epsilon, rng=rng)

    for _ in range(steps // BURST):
        chain = MarkovChain(proposal, [anchored], always_accept, best, BURST, rng=rng)
        for state in chain:
            score = wdist_of(state)
            if score < best_score - 1e-12:
                best, best_score = state, score
    labels = np.array([best.assignment[b] for b in range(problem.n)])
    unit_labels = problem.unit_labels(labels)
    by_urn = pd.Series(
        [f"P{int(x)}" for x in unit_labels[inputs.schools["unit"].to_numpy()]],
        index=inputs.schools["URN"].astype(int).to_numpy(),
    )
    return pt.plan_from_assignment(inputs, by_urn, start.spec, name="gerrychain")


def _rows(
    inputs: pt.Inputs, spec: pt.PlanSpec, hub_spec: pt.PlanSpec, problem: Problem, gerrychain_steps: int
) -> list[Row]:
    """Every method's row for one k."""
    k = problem.k
    long = {"restarts": LONG_RESTARTS, "iterations": LONG_BUDGET * full_iterations(problem)}
    rows = [
        _timed("preview (solver heuristic)", partial(pt.make_plan, inputs, spec, k, solver="heuristic")),
        _timed("default (solver auto)", partial(pt.make_plan, inputs, spec, k)),
    ]
    default = rows[-1].plan
    return rows + [
        _timed(
            f"long run ({LONG_RESTARTS} restarts, {LONG_BUDGET}× budget)",
            partial(pt.make_plan, inputs, spec, k, heuristic_options=long),
        ),
        _timed("default, objective hub", partial(pt.make_plan, inputs, hub_spec, k)),
        _timed(
            f"GerryChain short bursts ({gerrychain_steps} steps from default)",
            partial(gerrychain_bursts, inputs, problem, default, gerrychain_steps, spec.random_state or 0),
        ),
        _timed("spopt AZP", partial(pt.make_plan, inputs, spec, k, solver="azp")),
        _timed("scikit-learn agglomerative", partial(pt.make_plan, inputs, spec, k, solver="agglomerative")),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[22, 23, 24])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gerrychain-steps", type=int, default=5000)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    inputs = pt.prepare()
    print(f"{len(inputs.schools)} schools, {len(inputs.units)} units; seed {args.seed}\n")
    print("| k | method | wall s | valid | max dev | wdist km | hub km | hub bound | hub gap |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k in args.k:
        spec = pt.PlanSpec(k=(k,), random_state=args.seed)
        hub_spec = pt.PlanSpec(k=(k,), random_state=args.seed, objective="hub")
        problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, k)
        rows = _rows(inputs, spec, hub_spec, problem, args.gerrychain_steps)
        hubs = [r.plan.scores["hub_km"] for r in rows if r.plan is not None and r.plan.status != "violated"]
        hub_problem = build_problem(inputs.units, inputs.graph, inputs.schools, hub_spec, k)
        bound = hub_bound(hub_problem, incumbent=min(hubs) if hubs else None, node_limit=1).bound
        for r in rows:
            if r.plan is None:
                print(f"| {k} | {r.method} | {r.seconds:.1f} | not run: {r.note} | | | | | |", flush=True)
                continue
            s = r.plan.scores
            valid = r.plan.status != "violated"
            gap = f"{(s['hub_km'] - bound) / s['hub_km']:.1%}" if valid and bound is not None else "—"
            print(
                f"| {k} | {r.method} | {r.seconds:.1f} | {'yes' if valid else 'no: ' + '; '.join(r.plan.broken_rules())[:60]} "
                f"| {s['max_abs_deviation']:.1%} | {s['wdist_km']:.3f} | {s['hub_km']:.3f} | {bound:.3f} | {gap} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
