"""Spread of the default solver's result across seeds, on the Hampshire default data, in one process.

    PYTHONPATH=src .venv/bin/python benchmarks/seeds.py [--k 22 23 24] [--seeds 10] [--solver auto]

For each k, plans with seeds 0 .. n-1 through :func:`partition.planning.planner.make_plan` (the path of
``partition plan``: the default spec of configs/hampshire.toml, ±10 % pupils, anchors, districts
ignored) and prints, per seed, wdist (km), wall and CPU seconds, then the best, median and worst
wdist and the spread (worst / best - 1 and median / best - 1).
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import partition as pt
from partition.core.limits import SAFETY_STOP_SECONDS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[23])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--solver", default="auto")
    parser.add_argument("--time-limit", type=float, default=SAFETY_STOP_SECONDS)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    inputs = pt.prepare()
    print("| k | seed | wdist km | wall s | CPU s |")
    print("|---|---|---|---|---|")
    summary = []
    for k in args.k:
        values = []
        for seed in range(args.seeds):
            spec = pt.PlanSpec(k=(k,), size=(pt.SizeBound(tolerance=0.10),), random_state=seed)
            wall, cpu = time.perf_counter(), time.process_time()
            plan = pt.make_plan(inputs, spec, k, solver=args.solver, time_limit=args.time_limit)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            values.append(plan.scores["wdist_km"])
            print(f"| {k} | {seed} | {values[-1]:.3f} | {wall:.1f} | {cpu:.1f} |", flush=True)
        best, median, worst = min(values), statistics.median(values), max(values)
        summary.append(
            f"| {k} | {best:.3f} | {median:.3f} | {worst:.3f} | {worst / best - 1:.1%} | {median / best - 1:.1%} |"
        )
    print()
    print("| k | best | median | worst | worst/best − 1 | median/best − 1 |")
    print("|---|---|---|---|---|---|")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
