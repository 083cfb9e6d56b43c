"""What the preference for sizes near the mean costs: the balance penalty against distance, on the Hampshire default.

    PYTHONPATH=src .venv/bin/python benchmarks/balance.py [--k 22 23 24] [--penalties 0 0.005 0.01 0.02] [--seed 0]
        [--settlements ignore|prefer]

For each k and each ``balance_penalty_km`` (km per percentage point of the mean a partnership's pupils lie outside
±5 %, see :mod:`partition.model.balance`), plans through :func:`partition.planning.planner.make_plan` (the path of ``partition
plan``: the default spec of configs/hampshire.toml with feeder pairs and federations kept together; towns not
preferred whole, ``settlements = "ignore"``, to see the balance term alone, unless ``--settlements prefer``) and prints
wdist (km), its cost against no preference, partnerships within one point of a ±10 % limit, the median and largest
|deviation| from the mean, the robustness figure (share of 500 seeded ±3 % roll draws that keep every partnership
within its limits) and wall seconds. For scale, the same with a hard ±5 % bound and no preference: what a user would
pick instead of a preference.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import partition as pt


def _row(plan, k: int, label: str, base: float | None, wall: float) -> str:
    room = plan.details["headroom"]
    sizes = plan.partnerships["pupils"].to_numpy(dtype=float)
    dev = np.abs(sizes / sizes.mean() - 1)
    wdist = plan.scores["wdist_km"]
    cost = f"{wdist / base - 1:+.1%}" if base else "—"
    return (
        f"| {k} | {label} | {wdist:.3f} | {cost} | {room['near_limit']} | {np.median(dev):.1%} | {dev.max():.1%} "
        f"| {room['robustness']:.0%} | {wall:.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[22, 23, 24])
    parser.add_argument("--penalties", type=float, nargs="+", default=[0.0, 0.005, 0.01, 0.02])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hard", action=argparse.BooleanOptionalAction, default=True, help="also a hard ±5 %% bound")
    parser.add_argument(
        "--settlements",
        choices=("ignore", "prefer"),
        default="ignore",
        help="towns preferred whole (the default run's)",
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    inputs = pt.prepare()
    print("| k | preference | wdist km | cost | near a limit | median abs dev | largest abs dev | robust | wall s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for k in args.k:
        base = None
        runs = [(f"{p:g} km/point", pt.SizeBound(tolerance=0.10), p) for p in args.penalties]
        if args.hard:
            runs.append(("hard ±5 %, none", pt.SizeBound(tolerance=0.05), 0.0))
        for label, bound, penalty in runs:
            spec = pt.PlanSpec(
                k=(k,), size=(bound,), random_state=args.seed, balance_penalty_km=penalty, settlements=args.settlements
            )
            wall = time.perf_counter()
            plan = pt.make_plan(inputs, spec, k)
            wall = time.perf_counter() - wall
            print(_row(plan, k, label, base, wall), flush=True)
            if base is None and penalty == 0 and bound.tolerance == 0.10:
                base = plan.scores["wdist_km"]


if __name__ == "__main__":
    main()
