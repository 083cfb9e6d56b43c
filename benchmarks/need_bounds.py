"""What sharing need evenly costs in distance: Hampshire, k = 23, the default search (seed 0).

Plans the default spec (pupils ±10 %) and the same spec with a bound on children aged 0-19 living in each
partnership (ONS mid-2010, moved onto the units by area) or on pupils eligible for free school meals, and
prints the average distance to the partnership's centre (wdist), the spread of each need measure and the
time. Run: ``PYTHONPATH=src python benchmarks/need_bounds.py`` (output recorded in ``benchmarks/NEED.md``).
"""

from __future__ import annotations

import time
import warnings

import partition as pt
from partition.runs.solving import solve_configurations

CASES = {
    "pupils ±10 % (default)": (pt.SizeBound("pupils", 0.10),),
    "+ children 0-19 ±15 %": (pt.SizeBound("pupils", 0.10), pt.SizeBound("population", 0.15)),
    "+ FSM pupils ±25 %": (pt.SizeBound("pupils", 0.10), pt.SizeBound("fsm", 0.25)),
    "+ both": (pt.SizeBound("pupils", 0.10), pt.SizeBound("population", 0.15), pt.SizeBound("fsm", 0.25)),
}


def spread(column) -> str:
    mean = column.sum() / len(column)
    return f"{100 * (column.min() / mean - 1):+.0f} % to {100 * (column.max() / mean - 1):+.0f} %"


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = pt.prepare()
        print(
            "| spec (k = 23) | status | wdist km | children 0-19 vs mean | FSM pupils vs mean | FSM share range | s |"
        )
        print("|---|---|---|---|---|---|---|")
        for label, size in CASES.items():
            start = time.perf_counter()
            plan = solve_configurations(inputs, pt.PlanSpec(k=(23,), size=size), {"name": "auto"})[0]
            p = plan.partnerships
            print(
                f"| {label} | {plan.status} | {plan.scores['wdist_km']:.3f} | {spread(p['population'])} | "
                f"{spread(p['fsm'])} | {p['fsm_pct'].min():.1f}-{p['fsm_pct'].max():.1f} % | "
                f"{time.perf_counter() - start:.0f} |"
            )


if __name__ == "__main__":
    main()
