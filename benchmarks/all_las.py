"""Plan every English LA and check each result independently: valid, refused with a reason, or invalid.

    .venv/bin/python benchmarks/all_las.py [--la 857 --la 201 ...] [--processes 2] [--solver heuristic]
                                          [--out benchmarks/ALL_LAS.md]

Inputs: the England GIAS extract and the ONS LAD December 2013 TopoJSON from the shared data folder
(see ``PROVENANCE.md``). For each LA: k = round(schools / 21), at least 1; pupils within ±10 % of the
mean, a secondary or all-through school in each partnership, districts ignored; the heuristic solver
(the validity of inputs and outputs is under test here, not solution quality). Each plan is checked by
:mod:`partition.analysis.validate` in memory and again on the files written (in a temporary folder): every school
placed once or reported excluded, every partnership that is one connected area written as one valid
polygon (in BNG and in WGS84), no overlaps.

Outcomes per LA:

``valid``
    a feasible plan that passes every check;
``refused``
    partition stopped with an error naming the reason (an infeasible specification, unusable data);
``violated``
    a plan was made but breaks its specification (bounds, anchors, contiguity) — reported as such;
``invalid``
    a plan passed the solver but failed an independent check, or partition crashed: a fault of the tool.
"""

from __future__ import annotations

import argparse
import multiprocessing
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import pandas as pd

import partition as pt
from partition.errors import IntegrityError
from partition.io.datapaths import data_dir

SCHOOLS = "schools/gias_2022_england_open_primary_secondary.csv"
BOUNDARIES = "boundaries/topo_lad_eng_2013.json"
SCHOOLS_PER_PARTNERSHIP = 21


def la_table(data: Path) -> pd.DataFrame:
    """Every LA in the England file: code, name, number of schools, k."""
    frame = pd.read_csv(data / SCHOOLS, usecols=["LA (code)", "LA (name)"], dtype=str)
    table = frame.groupby(["LA (code)", "LA (name)"]).size().rename("schools").reset_index()
    table.columns = ["la", "name", "schools"]
    table["k"] = (table["schools"] / SCHOOLS_PER_PARTNERSHIP).round().clip(lower=1).astype(int)
    return table.sort_values("la").reset_index(drop=True)


def plan_one(args: tuple[str, int, str, str]) -> dict[str, object]:
    """Plan one LA and check it; never raises."""
    la, k, solver, data = args
    from partition.analysis.validate import plan_problems, written_plan_problems
    from partition.model.spec import PlanSpec
    from partition.planning.planner import make_plan
    from partition.units.prepare import prepare

    start = time.perf_counter()
    row: dict[str, object] = {"la": la, "k": k}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            inputs = prepare(Path(data) / SCHOOLS, Path(data) / BOUNDARIES, la_codes=(la,))
            plan = make_plan(inputs, PlanSpec(k=(k,)), k, solver=solver)
            problems = plan_problems(plan, inputs)
            if not problems:
                with tempfile.TemporaryDirectory() as tmp:
                    folder = pt.write_plan(plan, tmp)
                    problems = written_plan_problems(folder, plan)
        placed = len(plan.assignments)
        excluded = len(inputs.dataset.excluded)
        row.update(
            schools_placed=placed,
            schools_excluded=excluded,
            units=len(inputs.units),
            wdist_km=round(plan.wdist_km, 3),
            max_dev=round(float(plan.scores["max_abs_deviation"]), 4),
            warnings=len(caught),
        )
        if problems:
            row.update(outcome="invalid", reason="; ".join(problems))
        elif plan.status not in ("feasible", "optimal"):
            row.update(outcome="violated", reason="; ".join(plan.scores["violations"]))
        else:
            row.update(outcome="valid", reason="")
    except IntegrityError as exc:
        row.update(outcome="invalid", reason=str(exc))
    except pt.PartitionError as exc:
        row.update(outcome="refused", reason=str(exc))
    except Exception as exc:  # a crash is a fault of the tool: record it, go on
        last = traceback.extract_tb(exc.__traceback__)[-1]
        row.update(
            outcome="invalid", reason=f"crash: {type(exc).__name__}: {exc} ({Path(last.filename).name}:{last.lineno})"
        )
    row["seconds"] = round(time.perf_counter() - start, 1)
    return row


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table (no extra dependency)."""
    cells = frame.astype(object).where(frame.notna(), "").astype(str)
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(v.replace("|", "/") for v in row) + " |" for row in cells.to_numpy()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--la", action="append", help="LA code (repeatable); default every LA in the file")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--solver", default="heuristic")
    parser.add_argument("--out", type=Path, help="write the per-LA table as Markdown here")
    args = parser.parse_args()
    data = data_dir()
    table = la_table(data)
    if args.la:
        table = table[table["la"].isin(args.la)]
    jobs = [(la, int(k), args.solver, str(data)) for la, k in zip(table["la"], table["k"])]
    start = time.perf_counter()
    with multiprocessing.get_context("spawn").Pool(args.processes, maxtasksperchild=10) as pool:
        rows = pool.map(plan_one, jobs, chunksize=1)
    wall = time.perf_counter() - start
    result = table.merge(pd.DataFrame(rows), on=["la", "k"], how="left")
    counts = result["outcome"].value_counts()
    summary = (
        f"{len(result)} LAs in {wall / 60:.1f} min wall ({args.processes} processes, solver {args.solver}): "
        + ", ".join(f"{counts.get(o, 0)} {o}" for o in ("valid", "refused", "violated", "invalid"))
    )
    print(summary)
    bad = result[result["outcome"] != "valid"]
    if len(bad):
        print(bad[["la", "name", "schools", "k", "outcome", "reason"]].to_string(index=False, max_colwidth=160))
    if args.out:
        columns = [
            "la",
            "name",
            "schools",
            "k",
            "outcome",
            "schools_placed",
            "schools_excluded",
            "units",
            "wdist_km",
            "max_dev",
            "seconds",
            "reason",
        ]
        args.out.write_text(
            "# Every English LA: valid, refused with a reason, or invalid\n\n"
            f"Command: `.venv/bin/python benchmarks/all_las.py --processes {args.processes} --out {args.out}`\n\n"
            f"{summary}\n\n" + markdown(result[columns]) + "\n"
        )


if __name__ == "__main__":
    main()
