"""Every English LA with ``partition batch``, its cost growth with LA size, and the largest instance that plans in a minute.

    PYTHONPATH=src python benchmarks/batch.py [--workers 2] [--no-maps] [--la 857 --la 886 ...]
                                              [--merged] [--out benchmarks/BATCH.md]

1. ``partition batch`` on the England GIAS extract and the ONS LAD 2013 boundaries, k = round(schools / 21),
   the default spec (pupils ±10 %, an anchor in each partnership, districts ignored), solver auto, into a
   temporary folder; wall time, outcomes, and peak memory of the whole process tree (sampled every 0.2 s
   from /proc: the sum of the resident sets of this process and its workers).
2. Cost growth: seconds per LA (its job: load, plan, check, write) by number of schools, from the batch's
   summary.csv.
3. ``--merged``: south-east counties merged into one study area (``partition plan`` with several ``--la``),
   growing until a plan takes more than 60 s: schools, k = round(schools / 21), seconds, wdist, validity.

Results depend on inputs and seeds only; the times depend on the machine and its load (recorded with them).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

import pandas as pd

import partition as pt
from partition.core.limits import SAFETY_STOP_SECONDS
from partition.runs.krule import KRule

MERGED = ["886", "936", "938", "850", "845", "887", "846", "867", "868", "869", "870", "825"]
"""Kent, Surrey, West Sussex, Hampshire, East Sussex, Medway, Brighton and Hove, Bracknell Forest, Windsor and
Maidenhead, West Berkshire, Reading, Buckinghamshire: neighbours, added in this order."""


class PeakMemory:
    """The largest total resident set of this process and its descendants, sampled from /proc."""

    def __init__(self, every: float = 0.2) -> None:
        self.every, self.peak, self._stop = every, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            time.sleep(self.every)


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            out += [int(c) for c in (task / "children").read_text().split()]
    return out


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every descendant."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
        todo += _children(p)
    return total


def run_batch(args: argparse.Namespace, out: Path) -> tuple[pd.DataFrame, float, int]:
    """The batch: its summary, wall seconds and peak memory (bytes)."""
    start = time.perf_counter()
    with PeakMemory() as memory, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pt.batch(
            {},
            pt.PlanSpec(),
            {"name": args.solver, "time_limit": SAFETY_STOP_SECONDS},
            out,
            rule=KRule(schools_per=21),
            las=args.la or None,
            maps=not args.no_maps,
            workers=args.workers,
            resume=False,
        )
    wall = time.perf_counter() - start
    return pd.read_csv(out / "summary.csv", dtype={"la": str}), wall, memory.peak


def growth_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Seconds per LA job by number of schools (bins)."""
    per_la = summary.drop_duplicates("la").dropna(subset=["schools"])
    bins = [0, 50, 100, 150, 200, 300, 400, 600]
    per_la = per_la.assign(band=pd.cut(per_la["schools"], bins))
    table = per_la.groupby("band", observed=True).agg(
        LAs=("la", "size"),
        schools_median=("schools", "median"),
        k_median=("k", "median"),
        seconds_median=("seconds", "median"),
        seconds_max=("seconds", "max"),
    )
    return table.reset_index().round(1)


def merged_growth(solver: str = "auto", limit_s: float = 60.0) -> list[dict[str, object]]:
    """Plan growing merges of south-east LAs (one ``partition plan`` each) until one takes longer than ``limit_s``."""
    rows = []
    for n in range(2, len(MERGED) + 1):
        las = MERGED[:n]
        with tempfile.TemporaryDirectory() as tmp:
            count = _schools(las)
            k = max(1, round(count / 21))
            cmd = [
                sys.executable,
                "-m",
                "partition.cli",
                "plan",
                "--schools",
                "schools/gias_2022_england_open_primary_secondary.csv",
                "--boundaries",
                "boundaries/topo_lad_eng_2013.json",
                "--k",
                str(k),
                "--out",
                f"{tmp}/out",
                "--allow-violations",
                "--solver",
                solver,
            ]
            for la in las:
                cmd += ["--la", la]
            start = time.perf_counter()
            done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
            seconds = time.perf_counter() - start
            line = next((x for x in done.stdout.splitlines() if "wdist" in x), done.stderr.strip().splitlines()[-1:])
            rows.append(
                {
                    "LAs": n,
                    "schools": count,
                    "k": k,
                    "seconds": round(seconds, 1),
                    "exit": done.returncode,
                    "result": str(line).split("  -> ")[0][:120],
                }
            )
            print(rows[-1], flush=True)
            if seconds > limit_s:
                break
    return rows


def _schools(las: list[str]) -> int:
    from partition.io.datapaths import data_dir
    from partition.io.schools import authorities

    table = authorities(data_dir() / "schools/gias_2022_england_open_primary_secondary.csv")
    return int(table[table["la"].isin(las)]["schools"].sum())


def markdown(frame: pd.DataFrame) -> str:
    """A Markdown table (no extra dependency)."""
    cells = frame.astype(object).where(frame.notna(), "").astype(str)
    lines = ["| " + " | ".join(map(str, frame.columns)) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(v.replace("|", "/") for v in row) + " |" for row in cells.to_numpy()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--solver", default="auto")
    parser.add_argument("--la", action="append")
    parser.add_argument("--no-maps", action="store_true")
    parser.add_argument("--merged", action="store_true", help="also the merged-counties growth (minutes)")
    parser.add_argument("--merged-only", action="store_true", help="only the merged-counties growth")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    lines = [
        f"Recorded {dt.date.today().isoformat()} on {os.cpu_count()} cores (the machine may be shared; see README)."
    ]
    if args.merged_only:
        text = "\n".join(lines) + "\n\n" + markdown(pd.DataFrame(merged_growth(args.solver)))
        print(text)
        if args.out:
            args.out.write_text(
                "# Merged counties: the largest instance that plans in a minute\n\nCommand: "
                f"`PYTHONPATH=src python benchmarks/batch.py {' '.join(sys.argv[1:])}`\n\n{text}\n"
            )
        return
    with tempfile.TemporaryDirectory() as tmp:
        summary, wall, peak = run_batch(args, Path(tmp) / "batch")
    per_la = summary.drop_duplicates("la")
    counts = per_la["status"].value_counts().to_dict()
    lines.append(
        f"\n`partition batch` ({args.workers} workers, solver {args.solver}, maps {'off' if args.no_maps else 'on'}): "
        f"{len(per_la)} LAs in {wall / 60:.1f} min wall, peak memory {peak / 2**30:.2f} GiB; "
        + ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    )
    bad = per_la[per_la["status"] != "valid"]
    if len(bad):
        lines.append("\nNot valid:\n\n" + markdown(bad[["la", "authority", "status", "reason"]]))
    lines.append(
        "\nSeconds per LA job (load, plan, check, write) by number of schools:\n\n" + markdown(growth_table(summary))
    )
    if args.merged:
        lines.append(
            "\nMerged south-east counties, one study area, k = round(schools / 21):\n\n"
            + markdown(pd.DataFrame(merged_growth(args.solver)))
        )
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(
            "# partition batch: every English LA\n\nCommand: `PYTHONPATH=src python benchmarks/batch.py "
            + " ".join(sys.argv[1:])
            + "`\n\n"
            + text
            + "\n"
        )


if __name__ == "__main__":
    main()
