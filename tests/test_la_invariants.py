"""Invariants of a whole plan, over LAs of every kind and two boundary vintages.

For each LA: the England GIAS extract with the ONS 2013 LAD file (Hampshire also with the 2023
districts), k = round(schools / 21), pupils ±10 %, anchors; the plan is made by the heuristic
(one restart), checked in memory by :mod:`partition.analysis.validate` (which ``make_plan`` does itself),
written, and checked again on the written files:

* every school of the input placed exactly once or reported excluded;
* every partnership that is one connected area is one valid Polygon, in BNG and in WGS84;
* no two partnerships overlap; partnerships cover exactly the units;
* ``assignments.csv`` reads back (URNs whole numbers, even where the LA has no members to list).
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import pytest

from partition.analysis.validate import plan_problems, written_plan_problems
from partition.data.configurations import read_assignment_csv
from partition.data.dataset import check_school_accounting
from partition.errors import InfeasibleError
from partition.model.spec import PlanSpec
from partition.planning.planner import make_plan
from partition.runs.outputs import write_plan
from partition.units.prepare import prepare

ENGLAND = "schools/gias_2022_england_open_primary_secondary.csv"
LAD_2013 = "boundaries/topo_lad_eng_2013.json"
HANTS_2013 = "boundaries/hampshire_lad2013_plus_soton_portsmouth.geojson"

CASES = [
    pytest.param("850", None, None, id="Hampshire county, 2023 districts (overlapping)"),
    pytest.param("850", None, HANTS_2013, id="Hampshire county, 2013 districts (cracks)"),
    pytest.param("857", ENGLAND, LAD_2013, id="Rutland, small unitary"),
    pytest.param("908", ENGLAND, LAD_2013, id="Cornwall, coast and islands"),
    pytest.param("921", ENGLAND, LAD_2013, id="Isle of Wight, island unitary"),
    pytest.param("420", ENGLAND, LAD_2013, id="Isles of Scilly, one school"),
    pytest.param("210", ENGLAND, LAD_2013, id="Southwark, London borough"),
    pytest.param("302", ENGLAND, LAD_2013, id="Barnet, school over the borough line"),
    pytest.param("892", ENGLAND, LAD_2013, id="Nottingham, city, school over the line"),
    pytest.param("393", ENGLAND, LAD_2013, id="South Tyneside, metropolitan, estuary"),
    pytest.param("839", ENGLAND, LAD_2013, id="Bournemouth, coastal unitary with holes"),
    pytest.param("873", ENGLAND, LAD_2013, id="Cambridgeshire, shire county"),
]


def _plan(shared, la, schools, boundaries):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(
            shared / schools if schools else None,
            shared / boundaries if boundaries else None,
            la_codes=(la,),
        )
        k = max(1, round(len(inputs.dataset.input_urns) / 21))
        plan = make_plan(inputs, PlanSpec(k=(k,)), k, solver="heuristic", heuristic_options={"restarts": 1})
    return inputs, plan


@pytest.mark.parametrize(("la", "schools", "boundaries"), CASES)
def test_every_school_once_one_valid_polygon_per_partnership_no_overlaps(shared, tmp_path, la, schools, boundaries):
    inputs, plan = _plan(shared, la, schools, boundaries)
    dataset = inputs.dataset
    placed = [*plan.assignments["URN"], *plan.members.get("URN", [])]  # schools and members (colleges, special)
    check_school_accounting(dataset.input_urns, placed, dataset.excluded["URN"])
    assert plan.assignments["URN"].is_unique
    assert plan_problems(plan, inputs) == []
    assert plan.status == "feasible", plan.scores["violations"]
    assert plan.scores["contiguous"]
    assert (plan.partnerships.geom_type == "Polygon").all()
    folder = write_plan(plan, tmp_path)
    assert written_plan_problems(folder, plan) == []
    written = gpd.read_file(folder / "partnerships.geojson")
    assert written.is_valid.all() and (written.geom_type == "Polygon").all()
    assert len(written) == plan.k
    # the written URNs read back as partition reads them (--start-from, compare): whole numbers, every school
    read_back = read_assignment_csv(folder / "assignments.csv")
    assert set(plan.assignments["URN"]) <= set(read_back.index)
    assert (read_back.loc[plan.assignments["URN"]].to_numpy() == plan.assignments["partnership"].to_numpy()).all()


def test_a_one_school_la_gets_one_partnership(shared):
    inputs, plan = _plan(shared, "420", ENGLAND, LAD_2013)
    assert plan.k == 1 and len(plan.assignments) == 1 and len(inputs.units) == 1
    # the school's island (St Mary's, about 6.5 km²), not a sliver; the school-less islands are reported
    assert inputs.units.geometry.iloc[0].area > 6e6
    assert inputs.units.attrs["dropped_area_km2"] > 1


def test_an_la_without_an_anchor_school_is_refused_with_the_fix(shared):
    """City of London has one primary school and no secondary: anchors cannot be met; with them off, k = 1."""
    with pytest.raises(InfeasibleError, match=r"has none\. Fix: turn anchors off \(--no-anchors"):
        _plan(shared, "201", ENGLAND, LAD_2013)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(shared / ENGLAND, shared / LAD_2013, la_codes=("201",))
        plan = make_plan(inputs, PlanSpec(k=(1,), anchors=False), 1, solver="heuristic")
    assert plan.status == "feasible" and len(plan.assignments) == 1
