"""ReCom ensembles as independent chains: speed, burn-in drift, R-hat, old vs new ranks (benchmarks/ENSEMBLE.md).

Run: ``PYTHONPATH=src python benchmarks/ensemble.py [plans]`` (default 100,000 plans). Hampshire, default spec
(k = 23, pupils ±10 %, anchors). Prints Markdown:

1. plans per second on one core (one chain, in this process);
2. an ensemble of ``plans`` plans, 4 chains on a ``ProcessPoolExecutor(2)``: wall time, R-hat of wdist;
3. the burn-in drift: 8 chains from random starting plans, mean wdist (and its spread across chains) per
   window of steps;
4. R-hat of a 1,000-plan ensemble by thinning;
5. the ranks of the default k = 23 plan (heuristic) in the old ensemble (one 1,000-step chain started at the
   plan, no burn-in: ``recom_chain``) and in the new one (:func:`partition.analysis.ensemble.plan_percentiles` defaults).

Seconds depend on the machine and on what else runs on it.
"""

from __future__ import annotations

import os
import platform
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np

import partition as pt
from partition.analysis.ensemble import DEFAULT_BURN_IN, _Evaluator, ensemble, percentiles, recom_chain, run_chain
from partition.solvers.problem import build_problem

K = 23
DRIFT_CHAINS = 16
DRIFT_STEPS = 4000
WINDOWS = ((0, 1), (1, 100), (100, 250), (250, 500), (500, 1000), (1000, 1500), (1500, 2000), (2000, 3000))
WINDOWS += ((3000, 4000),)


def _drift(problem, pool) -> None:
    """Mean wdist per window of steps over chains from random starts (step 0: the random plan)."""
    seeds = np.random.SeedSequence(2024).spawn(DRIFT_CHAINS)
    futures = [pool.submit(run_chain, problem, s, steps=DRIFT_STEPS, burn_in=0) for s in seeds]
    results = [f.result() for f in futures]
    # row 0 is the random start, then the state after each step
    w = np.array([[r.start_wdist_km] + [m["wdist_km"] for m in r.metrics] for r in results])
    print(f"\n### Burn-in drift: {DRIFT_CHAINS} chains from random starting plans, {DRIFT_STEPS:,} steps each\n")
    print("| steps | mean wdist (km) | spread of chain means (km, min-max) |")
    print("|---|---|---|")
    for a, b in WINDOWS:
        chain_means = w[:, a:b].mean(axis=1)
        label = "start (random plan)" if (a, b) == (0, 1) else f"{a:,}-{b:,}"
        print(f"| {label} | {chain_means.mean():.3f} | {chain_means.min():.3f}-{chain_means.max():.3f} |")
    print(f"\nacceptance (share of steps that changed the plan): {np.mean([r.acceptance for r in results]):.3f}")


THINS = (1, 10, 25, 50)


def _thinning(problem, pool) -> None:
    """R-hat of wdist of a 1,000-plan ensemble (4 chains, default burn-in) by thinning, and its cost."""
    print("\n### Thinning: 1,000 plans, 4 chains, default burn-in, ProcessPoolExecutor(2)\n")
    print("| thin | steps in all | wall (s) | R-hat of wdist | mean wdist (km) |")
    print("|---|---|---|---|---|")
    for thin in THINS:
        t = time.perf_counter()
        sample = ensemble(problem, 1000, chains=4, thin=thin, executor=pool, random_state=0, progress=False)
        wall = time.perf_counter() - t
        mean = np.mean([m["wdist_km"] for m in sample])
        print(f"| {thin} | {sample.total_steps:,} | {wall:.1f} | {sample.rhat_wdist:.3f} | {mean:.3f} |")


def main(plans: int) -> None:
    """Print the figures as Markdown."""
    warnings.simplefilter("ignore")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores (shared with other jobs)")
    inputs = pt.prepare()
    spec = pt.PlanSpec(k=(K,))
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, K)

    t = time.perf_counter()
    one = run_chain(problem, 0, steps=20_000, burn_in=0)
    rate = 20_000 / (time.perf_counter() - t)
    print(f"\n### Speed\n\none chain, one core: {rate:,.0f} plans/s (20,000 plans, each scored)")

    with ProcessPoolExecutor(2) as pool:
        t = time.perf_counter()
        sample = ensemble(problem, plans, chains=4, executor=pool, random_state=0, progress=False)
        wall = time.perf_counter() - t
        print(
            f"\n{plans:,} plans, k = {K}, 4 chains on ProcessPoolExecutor(2), burn-in {DEFAULT_BURN_IN:,} per chain "
            f"({sample.total_steps:,} steps in all): {wall:.1f} s wall; R-hat of wdist {sample.rhat_wdist:.4f}"
        )
        print(f"acceptance per chain: {', '.join(f'{a:.3f}' for a in sample.acceptance)}")
        _drift(problem, pool)
        _thinning(problem, pool)

    print(f"\n### Ranks of the default k = {K} plan (heuristic, default options)\n")
    plan = pt.make_plan(inputs, spec, K, solver="heuristic")
    first_unit = np.array([b[0] for b in problem.blocks])
    labels = np.unique(plan.unit_labels[first_unit], return_inverse=True)[1]
    evaluate = _Evaluator(problem)
    old = percentiles(evaluate(labels), [evaluate(x) for x in recom_chain(problem, labels, 1000, random_state=0)])
    new = pt.plan_percentiles(inputs, [plan], 1000, random_state=0, progress=False)
    big = pt.plan_percentiles(inputs, [plan], 10_000, random_state=0, progress=False)
    thinned = pt.plan_percentiles(inputs, [plan], 1000, thin=25, random_state=0, progress=False)
    print(f"plan: wdist {plan.wdist_km:.3f} km\n")
    print("| ensemble | " + " | ".join(old) + " |")
    print("|---|" + "---|" * len(old))
    print("| old: 1 chain of 1,000 steps from the plan, no burn-in | " + " | ".join(f"{v:.1%}" for v in old.values()))
    rows = (("new: 1,000 plans, defaults", new), ("new: 10,000 plans, defaults", big), ("new: 1,000, thin 25", thinned))
    for name, ranks in rows:
        row = ranks[plan.name]
        print(f"| {name} ({ranks.samples[plan.name].describe()}) | " + " | ".join(f"{v:.1%}" for v in row.values()))
    print(
        f"\nstarting plans of the drift chains and 4 ensemble chains are random; one chain's first plan: wdist "
        f"{one.start_wdist_km:.3f} km"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
