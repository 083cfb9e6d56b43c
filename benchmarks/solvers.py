"""Compare solvers side by side on the Hampshire default data, in one process.

    .venv/bin/python benchmarks/solvers.py [--k 23] [--time-limit 600] [--markdown]

Runs our heuristic (construction only; the preview budget without and with recombination; and the
default-auto budget), the exact HiGHS
model warm-started from the heuristic (plus polishing), scikit-learn
agglomerative clustering and the spopt methods (AZP, RegionKMeans, SKATER,
WardSpatial) through the same planner interface, and prints one row per
solver: time, contiguity, max pupil deviation, wdist, schools per partnership,
partnerships without an anchor, district splits, and the exact model's own
objective, bound and gap.
"""

from __future__ import annotations

import argparse
import time
import warnings

import partition as pt
from partition.core.limits import SAFETY_STOP_SECONDS

RUNS = [
    ("heuristic (construction only)", "heuristic", {"restarts": 1, "iterations": 0}),
    ("heuristic (preview, kicks only)", "heuristic", {"recombine_share": 0.0, "threshold": 0.0}),
    ("heuristic (preview: 300 steps)", "heuristic", {}),
    ("heuristic + exact (auto)", "auto", {}),
    ("sklearn agglomerative", "agglomerative", {}),
    ("spopt AZP", "azp", {}),
    ("spopt RegionKMeans", "regionkmeans", {}),
    ("spopt SKATER", "skater", {}),
    ("spopt WardSpatial", "wardspatial", {}),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, nargs="+", default=[23])
    parser.add_argument("--time-limit", type=float, default=SAFETY_STOP_SECONDS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--only", nargs="*", default=None, help="run only the solvers whose label contains one of these words"
    )
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    t0 = time.perf_counter()
    inputs = pt.prepare()
    print(
        f"data + units + graph: {time.perf_counter() - t0:.2f} s; {len(inputs.schools)} schools, {len(inputs.units)} units"
    )
    header = "| k | solver | time s | contiguous | max dev | wdist km | schools/partnership | no anchor | splits | hub km / proven bound / gap (objective hub) |"
    print(header)
    print("|---|---|---|---|---|---|---|---|---|---|")
    for k in args.k:
        spec = pt.PlanSpec(k=(k,), random_state=args.seed)
        for label, solver, options in RUNS:
            if args.only and not any(word in label for word in args.only):
                continue
            start = time.perf_counter()
            try:
                plan = pt.make_plan(
                    inputs, spec, k, solver=solver, time_limit=args.time_limit, heuristic_options=options
                )
            except Exception as exc:  # report and go on: a missing optional baseline must not stop the table
                print(f"| {k} | {label} | failed: {exc} |")
                continue
            elapsed = time.perf_counter() - start
            s = plan.scores
            model = "—"  # a proven bound exists only for the hub objective (benchmarks/bounds.py)
            if plan.gap is not None and plan.bound is not None and plan.spec.objective == "hub":
                model = f"{s['hub_km']:.3f} / {plan.bound:.3f} / {plan.gap:.1%}"
            print(
                f"| {k} | {label} | {elapsed:.1f} | {'yes' if s['contiguous'] else 'NO'} | {s['max_abs_deviation']:.1%} | "
                f"{s['wdist_km']:.3f} | {s['min_schools']}–{s['max_schools']} | {s['anchors_missing']} | {s['district_splits']} | {model} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
