"""partition: plan the boundaries of local children's partnerships.

The public face, for notebooks, scripts and benchmarks (``import partition as pt``)::

    import partition as pt

    inputs = pt.prepare()                                   # Hampshire by default: schools, units, graph
    spec = pt.PlanSpec(k=(23,), size=(pt.SizeBound("pupils", 0.10),))
    plan = pt.make_plan(inputs, spec, 23)                    # one configuration
    plan.explore(inputs)                                     # its map, in a notebook
    table = pt.scorecard([plan, pt.district_plan(inputs)])   # the measures side by side

Every name below is imported from its module on first use (nothing is loaded by ``import partition``).

Data and units
    :func:`prepare`, :func:`prepare_data`, :class:`Inputs`, :func:`data_summary`, :func:`format_summary`
Rules
    :class:`PlanSpec`, :class:`SizeBound`, :class:`Locks`, :data:`MEASURES`
Planning
    :func:`make_plan`, :func:`alternatives`, :func:`district_plan`, :func:`plan_from_assignment`, :class:`Plan`
Comparing
    :func:`scorecard` (shown with :func:`labelled`, its columns defined by :func:`legend`), :func:`changed_schools`,
    :func:`plan_percentiles`, :func:`add_ensemble_ranks`
Maps
    :func:`configuration_map`, :func:`difference_map`, :func:`inline_map`, :func:`output_folder`; for maps of
    your own, :func:`html_text` and :func:`geojson_for_html` (the one escaped path for data text into HTML)
Workflows (the one behind ``partition run``)
    :func:`run`, :func:`load_scenario`, :func:`write_outputs` (the workflows behind ``plan``, ``compare`` and
    ``batch`` share their names with modules of the package: ``partition.workflow.plan``,
    ``partition.workflow.compare``, ``partition.batch.batch``)
Errors and warnings
    :class:`PartitionError`, :class:`InputFileError`, :class:`SpecError`, :class:`InfeasibleError`,
    :class:`DataWarning`

Pipeline: :mod:`partition.io` (load GIAS and ONS files) → :mod:`partition.units` (sites, Voronoi cells,
polygon units) → :mod:`partition.graph` (adjacency) → :mod:`partition.need` (local need per unit) →
:mod:`partition.spec` → :mod:`partition.solvers` → :mod:`partition.scoring` → :mod:`partition.maps` →
:mod:`partition.cli`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

PUBLIC: dict[str, str] = {
    "prepare": "partition.pipeline",
    "Inputs": "partition.pipeline",
    "prepare_data": "partition.workflow",
    "data_summary": "partition.summary",
    "format_summary": "partition.summary",
    "PlanSpec": "partition.spec",
    "SizeBound": "partition.spec",
    "Locks": "partition.spec",
    "MEASURES": "partition.measures",
    "make_plan": "partition.planner",
    "alternatives": "partition.planner",
    "district_plan": "partition.planner",
    "plan_from_assignment": "partition.planner",
    "Plan": "partition.plan",
    "scorecard": "partition.compare",
    "changed_schools": "partition.compare",
    "add_ensemble_ranks": "partition.compare",
    "plan_percentiles": "partition.ensemble",
    "configuration_map": "partition.maps",
    "difference_map": "partition.maps",
    "inline_map": "partition.notebook",
    "output_folder": "partition.notebook",
    "html_text": "partition.htmltext",
    "geojson_for_html": "partition.maps",
    "labelled": "partition.compare",
    "legend": "partition.compare",
    "run": "partition.workflow",
    "write_outputs": "partition.workflow",
    "load_scenario": "partition.scenario",
    "PartitionError": "partition.errors",
    "InputFileError": "partition.errors",
    "SpecError": "partition.errors",
    "InfeasibleError": "partition.errors",
    "DataWarning": "partition.warnings",
}
"""Each public name and the module that defines it (imported on first use)."""

__all__ = ["__version__", *PUBLIC]


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use (PEP 562); a submodule is imported as usual."""
    module = PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'partition' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(PUBLIC))
