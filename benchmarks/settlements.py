"""What keeping towns and villages whole costs: the settlement penalty against distance, on the Hampshire default.

    PYTHONPATH=src .venv/bin/python benchmarks/settlements.py [--k 22 23 24] [--penalties 0 0.005 0.01 0.02] [--seed 0]

For each k and each ``settlement_penalty_km`` (km per settlement split: a town's or village's partnerships beyond
its first, see :mod:`partition.analysis.settlements`), plans through :func:`partition.planning.planner.make_plan` (the path of
``partition plan``: the default spec of configs/hampshire.toml, balance penalty included) and prints wdist (km), its
cost against no preference (``settlements = "ignore"``), the settlements divided although small enough for one
partnership, the settlement splits, partnerships near a size limit and wall seconds.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

import partition as pt
from partition.data.places import school_places


def _splits(plan, places: np.ndarray, urns: np.ndarray) -> int:
    label = plan.assignments.set_index("URN")["partnership"].reindex(urns).to_numpy()
    out = 0
    for place in set(places) - {""}:
        held = set(label[places == place])
        if (places == place).sum() >= 2:
            out += len(held) - 1
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[22, 23, 24])
    parser.add_argument("--penalties", type=float, nargs="+", default=[0.0, 0.005, 0.01, 0.02])
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    inputs = pt.prepare()
    places = school_places(inputs.schools)["place"].to_numpy()
    urns = inputs.schools["URN"].to_numpy()
    print(
        "| k | settlement penalty | wdist km | cost | towns divided (could be whole) | settlement splits | near a limit | wall s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for k in args.k:
        base = None
        for penalty in args.penalties:
            mode = "prefer" if penalty else "ignore"
            spec = pt.PlanSpec(k=(k,), random_state=args.seed, settlements=mode, settlement_penalty_km=penalty)
            wall = time.perf_counter()
            plan = pt.make_plan(inputs, spec, k)
            wall = time.perf_counter() - wall
            wdist = plan.scores["wdist_km"]
            base = base if base is not None else wdist
            divided = len(plan.details["settlements"]["divided"])
            cost = f"{wdist / base - 1:+.1%}" if penalty else "—"
            print(
                f"| {k} | {penalty:g} km/split | {wdist:.3f} | {cost} | {divided} | {_splits(plan, places, urns)} "
                f"| {plan.details['headroom']['near_limit']} | {wall:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
