"""``partition run``: everything for one scenario into one output folder, with a manifest.

The folder receives, per configuration, ``<name>/`` (``assignments.csv``,
``partnerships.geojson``, ``plan.json``, ``map.html``); the comparison maps;
``exports/`` (GeoPackage, GeoJSON, CSV); ``consultation-pack.html``; and
``manifest.json``: input files with SHA-256 hashes and dates, the full spec,
solver options, package versions, seed and timings — enough to reproduce a
published map exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
import time
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

from partition import __version__
from partition.errors import InfeasibleError
from partition.fetch import sha256
from partition.pipeline import Inputs, prepare
from partition.plan import Plan
from partition.scenario import Scenario

PACKAGES = ("geopandas", "shapely", "pyogrio", "pyproj", "pandas", "numpy", "scipy", "scikit-learn", "networkx", "highspy", "folium", "spopt")


def _versions() -> dict[str, str]:
    out = {"partition": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _file_record(path: str) -> dict[str, str]:
    p = Path(path)
    files = sorted(f for f in p.rglob("*") if f.is_file()) if p.is_dir() else [p]
    return {
        "path": str(p),
        "sha256": sha256(files[0]) if len(files) == 1 else ",".join(sha256(f)[:16] for f in files),
        "bytes": str(sum(f.stat().st_size for f in files)),
        "modified": dt.datetime.fromtimestamp(max(f.stat().st_mtime for f in files), dt.UTC).date().isoformat(),
    }


def prepare_scenario(scenario: Scenario) -> Inputs:
    """Load the scenario's data, units and graph."""
    d = scenario.data
    options: dict[str, Any] = {}
    if "la" in d:
        options["la_codes"] = tuple(str(x) for x in d["la"])
    if "status" in d:
        options["status"] = d["status"]
    if "kinds" in d:
        options["kinds"] = tuple(d["kinds"])
    if "districts" in d:
        options["district_codes"] = tuple(d["districts"])
    if "layer" in d:
        options["layer"] = d["layer"]
    return prepare(d.get("schools"), d.get("boundaries"), units=d.get("units", "sites"), population=d.get("population"),
                   island_policy=d.get("islands", "link"), **options)


def run_scenario(scenario: Scenario, out: str | Path | None = None, *, echo: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Run a scenario and write everything into its output folder; return the manifest."""
    from partition.compare import format_scorecard, scorecard
    from partition.ensemble import plan_percentiles
    from partition.exports import write_exports
    from partition.maps import configuration_map, write_comparison_maps, write_map
    from partition.pack import consultation_pack
    from partition.planner import alternatives, district_plan, make_plan, with_alternatives

    started = time.perf_counter()
    folder = Path(out) if out else scenario.folder
    timings: dict[str, float] = {}
    t = time.perf_counter()
    inputs = prepare_scenario(scenario)
    timings["load_units_graph"] = round(time.perf_counter() - t, 2)
    solver = scenario.solver
    spec = scenario.spec
    plans: list[Plan] = []
    failures: list[str] = []
    for k in spec.k:
        t = time.perf_counter()
        try:
            batch = [make_plan(inputs, spec, k, solver=solver.get("name", "auto"), time_limit=float(solver.get("time_limit", 30)))]
            if solver.get("alternatives", 0):
                alts = alternatives(inputs, spec, k, n=int(solver["alternatives"]), min_difference=int(solver.get("min_difference", 25)),
                                    within=float(solver.get("within", 0.05)), reference=batch[0])
                batch = with_alternatives(batch[0], alts)
        except InfeasibleError as exc:
            failures.append(f"k={k}: {exc}")
            echo(f"error: k={k}: {exc}")
            continue
        timings[f"k{k}"] = round(time.perf_counter() - t, 2)
        for plan in batch:
            path = plan.write(folder)
            if scenario.outputs.get("maps", True):
                write_map(configuration_map(plan, inputs.schools, inputs.dataset.districts), path / "map.html")
            plans.append(plan)
            echo(f"{plan.name:<18} {plan.status:<9} wdist {plan.wdist_km:.3f} km  max dev {plan.scores['max_abs_deviation']:.1%}  -> {path}")
    map_links: dict[str, list[str]] = {"Each configuration": [f"{p.name}/map.html" for p in plans]}
    main = [p for p in plans if "-alt" not in p.name]
    if scenario.outputs.get("maps", True) and len(plans) > 1:
        t = time.perf_counter()
        paths = write_comparison_maps(main if len(main) > 1 else plans, inputs.schools, inputs.dataset.districts, folder)
        map_links["Comparisons"] = [p.name for p in paths]
        timings["comparison_maps"] = round(time.perf_counter() - t, 2)
    current = district_plan(inputs)
    everything = plans + [current]
    table = scorecard(everything, reference=plans[0] if plans else current)
    size = int(scenario.outputs.get("ensemble", 0))
    if size and plans:
        t = time.perf_counter()
        ranks = plan_percentiles(inputs, plans, size, random_state=spec.random_state)
        for metric in ("wdist_km", "district_splits", "cut_edges"):
            table[f"beats % of {size} valid plans on {metric}"] = [f"{ranks[n][metric]:.0%}" if n in ranks else "" for n in table.index]
        timings["ensemble"] = round(time.perf_counter() - t, 2)
    (folder / "comparison.md").write_text(format_scorecard(table, "markdown") + "\n")
    table.to_csv(folder / "comparison.csv")
    if scenario.outputs.get("exports", True) and plans:
        t = time.perf_counter()
        write_exports(plans, inputs.schools, inputs.units, inputs.dataset.districts, folder / "exports")
        timings["exports"] = round(time.perf_counter() - t, 2)
    sources = [_file_record(p) for p in inputs.dataset.sources.values()]
    if scenario.outputs.get("pack", True) and plans:
        (folder / "consultation-pack.html").write_text(consultation_pack(everything, table, map_links, sources), encoding="utf-8")
    timings["total"] = round(time.perf_counter() - started, 2)
    manifest = {
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": " ".join(sys.argv),
        "scenario": {"path": str(scenario.path), "sha256": sha256(scenario.path), "text": scenario.text},
        "inputs": sources,
        "spec": spec.to_dict(),
        "solver": scenario.solver,
        "outputs": scenario.outputs,
        "seed": spec.random_state,
        "excluded_schools": inputs.dataset.excluded.to_dict("records"),
        "configurations": {p.name: {"status": p.status, "wdist_km": p.wdist_km, "bound": p.bound, "gap": p.gap,
                                    "assignments_sha256": sha256(folder / p.name / "assignments.csv")} for p in plans},
        "failures": failures,
        "versions": _versions(),
        "timings_s": timings,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return manifest
