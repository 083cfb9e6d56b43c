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
Workflows (one behind each command: ``partition run``, ``plan``, ``compare``, ``batch``)
    :func:`run`, :func:`plan`, :func:`compare`, :func:`batch`, :func:`load_scenario`, :func:`write_outputs`,
    :func:`write_plan`
Errors and warnings
    :class:`PartitionError`, :class:`InputFileError`, :class:`SpecError`, :class:`InfeasibleError`,
    :class:`DataWarning`

The packages follow the pipeline, each importing only from those before it (``tests/test_architecture.py``):
:mod:`partition.core` (building blocks) → :mod:`partition.io` (the input files) → :mod:`partition.model` (spec,
plan, scores: values only) → :mod:`partition.data` (the study area's schools, districts, members, need, groups,
places) → :mod:`partition.units` (units, adjacency, ``prepare``) → :mod:`partition.solvers` (the problem and its
solvers) → :mod:`partition.analysis` (checks, comparison, ensemble) → :mod:`partition.planning` (the planner) →
:mod:`partition.report` (maps, pack, exports) → :mod:`partition.runs` (workflows, publishing, batches) →
:mod:`partition.cli`.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

PUBLIC: dict[str, str] = {
    "prepare": "partition.units.prepare",
    "Inputs": "partition.units.prepare",
    "prepare_data": "partition.runs.loading",
    "data_summary": "partition.data.summary",
    "format_summary": "partition.data.summary",
    "PlanSpec": "partition.model.spec",
    "SizeBound": "partition.model.spec",
    "Locks": "partition.model.spec",
    "MEASURES": "partition.core.measures",
    "make_plan": "partition.planning.planner",
    "alternatives": "partition.planning.planner",
    "district_plan": "partition.planning.planner",
    "plan_from_assignment": "partition.planning.planner",
    "Plan": "partition.model.plan",
    "scorecard": "partition.analysis.compare",
    "changed_schools": "partition.analysis.agreement",
    "add_ensemble_ranks": "partition.analysis.compare",
    "plan_percentiles": "partition.analysis.ensemble",
    "configuration_map": "partition.report.maps",
    "difference_map": "partition.report.maps",
    "inline_map": "partition.report.notebook",
    "output_folder": "partition.report.notebook",
    "html_text": "partition.core.htmltext",
    "geojson_for_html": "partition.report.maps",
    "labelled": "partition.analysis.compare",
    "legend": "partition.analysis.compare",
    "run": "partition.runs.workflow",
    "plan": "partition.runs.workflow",
    "compare": "partition.runs.workflow",
    "batch": "partition.runs.batch",
    "write_plan": "partition.runs.outputs",
    "write_outputs": "partition.runs.writing",
    "load_scenario": "partition.runs.scenario",
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
