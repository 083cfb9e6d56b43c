"""The typed contracts of the workflow: Status, Scores, frozen plans, and the option-to-spec translation."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pandas as pd
import pytest
from tests.synthetic import grid_inputs

from partition.core.schema import Source
from partition.errors import SpecError
from partition.model.plan import Scores
from partition.model.spec import PlanSpec, SizeBound
from partition.planning.planner import plan_from_assignment
from partition.runs.loading import spec_from_options
from partition.runs.workflow import Change
from partition.solvers import Status


def _plan():
    inputs = grid_inputs(1, 4, [100] * 4, [True] * 4)
    labels = pd.Series(["A", "A", "B", "B"], index=inputs.schools["URN"].to_numpy())
    return plan_from_assignment(inputs, labels, PlanSpec(k=(2,)), name="p")


def test_status_reads_and_writes_as_its_value():
    assert json.dumps({"status": Status.FEASIBLE}) == '{"status": "feasible"}'
    assert f"{Status.VIOLATED:<9}|" == "violated |" and str(Status.OPTIMAL) == "optimal"
    assert Status("unchecked") is Status.UNCHECKED and Status.FEASIBLE == "feasible"


def test_plan_and_scores_are_frozen_and_the_table_is_not_a_score():
    plan = _plan()
    assert plan.status is Status.FEASIBLE and isinstance(plan.scores, Scores)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.name = "other"  # type: ignore[misc]
    assert "table" not in plan.scores and list(plan.scores)[:3] == ["k", "schools", "wdist_km"]
    with pytest.raises(KeyError):
        plan.scores["table"]
    assert list(plan.scores.table["id"]) == ["P01", "P02"] and "geometry" not in plan.scores.table
    assert "table" not in plan.summary()["scores"]
    assert plan.scores["k"] == 2 and plan.scores.violations == ()


def test_change_lines_name_the_from_column():
    schools = pd.DataFrame({"URN": [1], "name": ["School 1"], "from": ["A"], "to": ["B"]})
    assert Change("k22", "k23", schools).lines() == [
        "1 schools change partnership from k22 to k23:",
        "  1 School 1: A -> B",
    ]


def test_spec_from_options_puts_bounds_in_and_names_the_option():
    source = Source("options", options={"k": "--k", "size": "--schools-min/--schools-max"})
    spec = spec_from_options(PlanSpec(), {"k": [5], "tolerance": 0.05, "schools_min": 3, "seed": None}, source)
    assert spec.k == (5,)
    assert spec.size == (SizeBound("pupils", 0.05), SizeBound("n_schools", tolerance=None, min=3))
    with pytest.raises(SpecError, match="--k"):
        spec_from_options(PlanSpec(), {"k": [0]}, source)


def test_write_outputs_records_its_maps_and_the_pack_links_exactly_those(hampshire, tmp_path):
    """The pack lists the maps write_outputs wrote (from their records); without maps it links to none."""
    import re
    import warnings

    from partition.analysis.compare import scorecard
    from partition.planning.planner import district_plan
    from partition.report.maps import WrittenMap
    from partition.runs.writing import write_outputs

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        current = district_plan(hampshire)
        labels = hampshire.schools.set_index("URN")["district"].replace({"Havant": "East Hampshire"})
        plan = plan_from_assignment(hampshire, labels, name="merged")
    table = scorecard([plan, current], reference=plan)
    out = write_outputs(tmp_path / "with", hampshire, [plan], current, table=table, maps=True, pack=True)
    assert out.maps == (
        WrittenMap(Path("merged/map.html"), "configuration", ("merged",)),
        WrittenMap(Path("merged/edit.html"), "editor", ("merged",)),
        WrittenMap(Path("changes_districts-11_to_merged.html"), "changes", ("districts-11", "merged")),
    )
    assert out.comparison_maps == (Path("changes_districts-11_to_merged.html"),)
    assert all((tmp_path / "with" / m.path).is_file() for m in out.maps)
    page = (tmp_path / "with" / "consultation-pack.html").read_text(encoding="utf-8")
    public = [m.path.as_posix() for m in out.maps if m.kind != "editor"]  # the editors: in the planners' appendix
    assert re.findall(r"<a href='([^']+)'>", page) == public + [
        m.path.as_posix() for m in out.maps if m.kind == "editor"
    ]
    assert ">Schools that change: Current arrangement: 11 district partnerships → merged</a>" in page

    out = write_outputs(tmp_path / "without", hampshire, [plan], current, table=table, maps=False, pack=True)
    page = (tmp_path / "without" / "consultation-pack.html").read_text(encoding="utf-8")
    assert out.maps == () and "<a href=" not in page  # no link to a map that was never drawn
    assert "No interactive maps were drawn for this run." in page
