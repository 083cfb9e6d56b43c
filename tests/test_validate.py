"""The independent checks of partition.analysis.validate catch each class of fault they are for."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pytest
import shapely

from partition.analysis.validate import (
    connected_labels,
    geometry_problems,
    school_accounting_problems,
    verify_plan,
    verify_written_plan,
)
from partition.errors import IntegrityError
from partition.runs.outputs import write_plan


def test_school_accounting_names_every_kind_of_fault():
    assert school_accounting_problems([1, 2, 3], [1, 2, 3]) == []
    problems = school_accounting_problems([1, 2, 2, 9], [1, 2, 3])
    assert any("placed more than once: URN 2" in p for p in problems)
    assert any("neither placed nor reported excluded: URN 3" in p for p in problems)
    assert any("not among the schools to plan: URN 9" in p for p in problems)


def test_connected_partnership_with_a_hairline_crack_is_caught():
    """Two squares that look adjacent but miss each other by 1e-10 m dissolve into two polygons."""
    a = shapely.box(0, 0, 1000, 1000)
    b = shapely.box(1000 + 1e-10, 0, 2000, 1000)
    crack = shapely.union_all([a, b])
    assert crack.geom_type == "MultiPolygon"
    problems = geometry_problems(gpd.GeoSeries([crack]), ["Alton"], [1])
    assert problems and "Alton: one connected area written as 2 polygons" in problems[0]
    # the same shape is fine when its units are really not connected (the plan is then 'violated', not faulty)
    assert geometry_problems(gpd.GeoSeries([crack]), ["Alton"], [None]) == []
    # or when one of its units is itself in two parts (a ward with an island)
    assert geometry_problems(gpd.GeoSeries([crack]), ["Alton"], [2]) == []


def test_overlapping_and_invalid_partnerships_are_caught():
    a = shapely.box(0, 0, 1000, 1000)
    b = shapely.box(990, 0, 2000, 1000)  # 10 m × 1000 m = 10,000 m² overlap
    bow = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    problems = geometry_problems(gpd.GeoSeries([a, b, bow]), ["Alton", "Petersfield", "Liss"], [1, 1, 1])
    assert any("Alton and Petersfield overlap (10,000 m²)" in p for p in problems)
    assert any("Liss: invalid polygon" in p for p in problems)


def test_connected_labels_follows_the_graph_not_the_labels():
    graph = nx.path_graph(4)  # 0-1-2-3
    labels = np.array([0, 1, 0, 1])
    assert connected_labels(graph, labels) == set()
    assert connected_labels(graph, np.array([0, 0, 1, 1])) == {0, 1}


@pytest.fixture(scope="module")
def hampshire_plan(hampshire):
    from partition.model.spec import PlanSpec
    from partition.planning.planner import make_plan

    return make_plan(hampshire, PlanSpec(k=(23,)), 23, solver="heuristic", heuristic_options={"restarts": 1})


def test_a_sound_plan_passes_and_its_files_read_back_sound(hampshire, hampshire_plan, tmp_path):
    verify_plan(hampshire_plan, hampshire)
    folder = write_plan(hampshire_plan, tmp_path)
    verify_written_plan(folder, hampshire_plan)


def test_a_school_lost_from_the_assignment_is_refused(hampshire, hampshire_plan):
    from dataclasses import replace

    lost = replace(hampshire_plan, assignments=hampshire_plan.assignments.iloc[1:].reset_index(drop=True))
    with pytest.raises(IntegrityError, match="neither placed nor reported excluded: URN"):
        verify_plan(lost, hampshire)


def test_a_tampered_file_is_caught_on_read_back(hampshire_plan, tmp_path):
    folder = write_plan(hampshire_plan, tmp_path)
    path = folder / "assignments.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n")  # one school twice
    with pytest.raises(IntegrityError, match="placed more than once"):
        verify_written_plan(folder, hampshire_plan)


def test_a_broken_lock_is_caught(hampshire_plan):
    from dataclasses import replace

    from partition.analysis.validate import lock_problems
    from partition.model.spec import Locks, PlanSpec

    table = hampshire_plan.assignments
    a, b = (int(u) for u in table.drop_duplicates("partnership_id")["URN"].iloc[:2])
    same = int(table[(table["partnership_id"] == table.set_index("URN").at[a, "partnership_id"])]["URN"].iloc[-1])
    broken = replace(hampshire_plan, spec=PlanSpec(k=(23,), locks=Locks(together=((a, b),), apart=((a, same),))))
    problems = lock_problems(broken)
    assert any(f"together lock broken: URN {a}, {b}" in p for p in problems)
    assert any(f"apart lock broken: URN {a} and {same}" in p for p in problems)
    assert lock_problems(hampshire_plan) == []
