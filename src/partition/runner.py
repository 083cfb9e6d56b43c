"""``partition run``: everything for one scenario into one output folder, with a manifest.

The folder receives, per configuration, ``<name>/`` (``assignments.csv``,
``partnerships.geojson``, ``plan.json``, ``map.html``); the comparison maps;
``exports/`` (GeoPackage, GeoJSON, CSV); ``consultation-pack.html``; and
``manifest.json``: input files with SHA-256 hashes and dates, the full spec,
solver options, package versions, seed, timings and each configuration's status
and the rules it breaks — enough to reproduce a published map exactly.

The run is published all at once (see :mod:`partition.publish`): the folder
holds this run's outputs and nothing else, or, after a failure, the previous
run's outputs as they were.
"""

from __future__ import annotations

import dataclasses
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
from partition.errors import InfeasibleError, PartitionError
from partition.fetch import sha256
from partition.naming import NameOverrides
from partition.pipeline import Inputs, prepare
from partition.plan import Plan, qualify_name
from partition.publish import staged_output
from partition.scenario import OutputsSchema, Scenario, SolverSchema
from partition.spec import PlanSpec
from partition.validate import checked

PACKAGES = (
    "geopandas",
    "shapely",
    "pyogrio",
    "pyproj",
    "pandas",
    "numpy",
    "scipy",
    "scikit-learn",
    "networkx",
    "highspy",
    "folium",
    "spopt",
)


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
    return prepare(
        d.get("schools"),
        d.get("boundaries"),
        units=d.get("units", "sites"),
        population=d.get("population"),
        island_policy=d.get("islands", "link"),
        **options,
    )


def solve_configurations(
    inputs: Inputs,
    spec: PlanSpec,
    solver: dict[str, Any],
    *,
    timings: dict[str, float] | None = None,
    names: NameOverrides | None = None,
) -> list[Plan]:
    """Plan every k of ``spec`` (with its alternatives), name and check each configuration; write nothing.

    Each plan is named after what sets it apart (see :func:`partition.plan.qualify_name`)
    and checked by :func:`partition.validate.check_status`, which records the rules it
    breaks in ``plan.violations``. Its partnerships are named after their places; a
    partnership that is the same as one of an earlier configuration of the run (the first
    k's main plan first) keeps that one's name, and the scenario's ``[names]`` overrides win
    (see :mod:`partition.naming`).

    Parameters
    ----------
    inputs, spec
        What to plan and the rules.
    solver
        ``name``, ``time_limit``, ``alternatives``, ``min_difference``, ``within`` (the ``[solver]`` table).
    timings
        Filled with seconds per k, when given.
    names
        The scenario's ``[names]`` table, when given.

    Returns
    -------
    list of Plan
        Best first for each k.

    Raises
    ------
    InfeasibleError
        When any k cannot be planned (every such k is named), so that a run never
        publishes some of its configurations without the others.
    PartitionError
        When two configurations would share a name.
    SpecError
        When ``names`` gives a URN that is not loaded, or one name to two partnerships, or
        renames a name that no configuration has.
    IntegrityError
        When a plan's status disagrees with the independent check of its rules.
    """
    from partition.planner import alternatives, make_plan, with_alternatives

    name = str(solver.get("name", "auto"))
    plans: list[Plan] = []
    failures: list[InfeasibleError] = []
    if names is not None:
        names.check_urns(set(inputs.schools["URN"].astype(int)))
    for k in spec.k:
        t = time.perf_counter()
        try:
            main = make_plan(
                inputs,
                spec,
                k,
                solver=name,
                time_limit=float(solver.get("time_limit", 30)),
                earlier=tuple(plans),
                names=names,
            )
            batch = [main]
            if solver.get("alternatives", 0):
                alts = alternatives(
                    inputs,
                    spec,
                    k,
                    n=int(solver["alternatives"]),
                    min_difference=int(solver.get("min_difference", 25)),
                    within=float(solver.get("within", 0.05)),
                    reference=batch[0],
                    earlier=(main, *plans),
                    names=names,
                )
                batch = with_alternatives(batch[0], alts)
        except InfeasibleError as exc:
            failures.append(exc)
            continue
        if timings is not None:
            timings[f"k{k}"] = round(time.perf_counter() - t, 2)
        plans.extend(batch)
    if failures:
        raise InfeasibleError(
            "; ".join(exc.message for exc in failures) + " (nothing was written)",
            fix=next((exc.fix for exc in failures if exc.fix), None),
        )
    if names is not None:
        names.check_renames({str(n) for p in plans for n in p.partnerships["name"]})
    plans = [dataclasses.replace(plan, name=qualify_name(plan, name)) for plan in plans]
    clash = sorted({p.name for p in plans if [q.name for q in plans].count(p.name) > 1})
    if clash:
        raise PartitionError(
            f"two configurations of this run would share the name {', '.join(clash)}",
            fix="report it: this is a fault of partition",
        )
    return [checked(plan, inputs) for plan in plans]


def violated(plans: list[Plan]) -> list[Plan]:
    """The plans that break a rule of their spec."""
    return [p for p in plans if p.broken_rules()]


def map_options(inputs: Any, plans: list, basemap: str | None) -> dict[str, Any]:
    """What every map of a run shares: colours per plan (matched to the first), neighbours, base map.

    Parameters
    ----------
    inputs
        The run's inputs (:class:`partition.pipeline.Inputs`).
    plans
        Every plan the maps draw, the first being the reference for colours.
    basemap
        ``"osm"`` or ``"none"``.

    Returns
    -------
    dict
        ``colours`` (plan name -> colours), ``neighbours``, ``basemap``: keyword arguments of the map functions.
    """
    from partition.maps import neighbouring_districts, run_colours

    dataset = inputs.dataset
    return {
        "colours": run_colours(plans),
        "neighbours": neighbouring_districts(dataset.districts, dataset.sources.get("boundaries")),
        "basemap": basemap,
    }


def run_scenario(
    scenario: Scenario, out: str | Path | None = None, *, echo: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Run a scenario and publish everything as its output folder, all at once; return the manifest.

    The output folder is checked before anything is loaded or solved, the whole
    run is written into a staging folder and published in one step by
    :func:`partition.publish.staged_output`: a failure or an interrupt leaves the
    previous outputs as they were, and a rerun replaces them completely.

    Raises
    ------
    OutputLocationError
        When the output folder cannot be written or was not created by partition.
    InfeasibleError
        When any k cannot be planned (nothing is written).
    """
    from partition.compare import add_ensemble_ranks, format_scorecard, scorecard
    from partition.ensemble import plan_percentiles
    from partition.exports import write_exports
    from partition.maps import configuration_map, write_comparison_maps, write_map
    from partition.pack import consultation_pack, data_sources
    from partition.planner import district_plan

    started = time.perf_counter()
    target = Path(out) if out else scenario.folder
    with staged_output(target, command=" ".join(sys.argv)) as folder:
        timings: dict[str, float] = {}
        t = time.perf_counter()
        inputs = prepare_scenario(scenario)
        timings["load_units_graph"] = round(time.perf_counter() - t, 2)
        spec = scenario.spec
        plans = solve_configurations(inputs, spec, scenario.solver, timings=timings, names=scenario.names)
        current = checked(district_plan(inputs), inputs)
        draw = scenario.outputs.get("maps", True)
        look = map_options(inputs, plans + [current], scenario.outputs.get("basemap", "none")) if draw else {}
        for plan in plans:
            path = plan.write(folder)
            if draw:
                fmap = configuration_map(
                    plan, inputs.schools, inputs.dataset.districts, **{**look, "colours": look["colours"][plan.name]}
                )
                write_map(fmap, path / "map.html")
            echo(
                f"{plan.name:<18} {plan.status:<9} wdist {plan.wdist_km:.3f} km  max dev {plan.scores['max_abs_deviation']:.1%}  -> {target / plan.name}"
            )
            for rule in plan.broken_rules():
                echo(f"    violated: {rule}")
        map_links: dict[str, list[str]] = {"Each configuration": [f"{p.name}/map.html" for p in plans]}
        main = [p for p in plans if not p.is_alternative]
        if draw:
            t = time.perf_counter()
            paths = write_comparison_maps(
                main if len(main) > 1 else plans,
                inputs.schools,
                inputs.dataset.districts,
                folder,
                current=current,
                **look,
            )
            map_links["Comparisons"] = [p.name for p in paths]
            timings["comparison_maps"] = round(time.perf_counter() - t, 2)
        everything = plans + [current]
        table = scorecard(everything, reference=plans[0])
        size = int(scenario.outputs.get("ensemble", 0))
        if size:
            t = time.perf_counter()
            ranks = plan_percentiles(inputs, plans, size, random_state=spec.random_state)
            table = add_ensemble_ranks(table, everything, ranks, size)
            timings["ensemble"] = round(time.perf_counter() - t, 2)
        (folder / "comparison.md").write_text(format_scorecard(table, "markdown") + "\n")
        (folder / "comparison.csv").write_text(format_scorecard(table, "csv"))
        if scenario.outputs.get("exports", True):
            t = time.perf_counter()
            write_exports(plans, inputs.schools, inputs.units, inputs.dataset.districts, folder / "exports")
            timings["exports"] = round(time.perf_counter() - t, 2)
        sources = [_file_record(p) for p in inputs.dataset.sources.values()]
        if scenario.outputs.get("pack", True):
            (folder / "consultation-pack.html").write_text(
                consultation_pack(everything, table, map_links, data_sources(inputs.dataset.sources, inputs.schools)),
                encoding="utf-8",
            )
        timings["total"] = round(time.perf_counter() - started, 2)
        manifest = {
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "command": " ".join(sys.argv),
            "scenario": {"path": str(scenario.path), "sha256": sha256(scenario.path), "text": scenario.text},
            "inputs": sources,
            "spec": spec.to_dict(),
            # the settings used, defaults included (the file may leave any of them out)
            "solver": {**SolverSchema().model_dump(), **scenario.solver},
            "outputs": {**OutputsSchema().model_dump(), **scenario.outputs},
            "seed": spec.random_state,
            "excluded_schools": inputs.dataset.excluded.to_dict("records"),
            "configurations": {
                p.name: {
                    "status": p.status,
                    "violations": p.broken_rules(),
                    "wdist_km": p.wdist_km,
                    "bound": p.bound,
                    "gap": p.gap,
                    "assignments_sha256": sha256(folder / p.name / "assignments.csv"),
                }
                for p in plans
            },
            "violated": [p.name for p in violated(plans)],
            "versions": _versions(),
            "timings_s": timings,
        }
        (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return manifest
