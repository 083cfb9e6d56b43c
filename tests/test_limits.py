"""Size guards (partition.core.limits): too large an input is one short error, at once, before the heavy work.

* schools per study area and planning units per study area, checked before boundaries are read or polygons
  clipped;
* k values per run (scenario, spec, options, batch --k and k table), checked when the spec is read;
* k above the planning units, refused before any k is planned;
* messages listing many values show the first few and how many more.
"""

from __future__ import annotations

import time
from types import SimpleNamespace

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from tests.conftest import school_row, write_gias
from tests.synthetic import grid_inputs

import partition.core.limits as limits
import partition.data.dataset as dataset_module
import partition.planning.planner as planner
from partition.cli import cli
from partition.data.dataset import load_dataset
from partition.errors import InfeasibleError, SizeLimitError, SpecError
from partition.model.spec import PlanSpec, SizeBound
from partition.runs.krule import KRule, read_k_table
from partition.runs.solving import solve_configurations
from partition.units.build import polygon_units

K_FIX = "Fix: ask for at most 25 k values per run and plan the others in further runs"


def _error_line(result) -> str:
    """The one line a refused command prints (exit 2, no traceback)."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and result.stderr.strip().splitlines()[-1] == errors[0]
    return errors[0].removeprefix("error: ")


def test_a_long_list_shows_its_first_values_and_how_many_more():
    assert limits.listed(list(range(22, 10_022))) == "22, 23, 24, … (9,997 more)"
    assert limits.listed([22, 23, 24]) == "22, 23, 24"
    assert limits.listed(["850"]) == "850"


def test_the_limits_admit_every_measured_study_area():
    # the largest English LA (Lancashire, 564 schools) and the merged south-east (2,452 schools,
    # benchmarks/MERGED.md; its units are fewer) pass; Hampshire's default asks for 3 k values
    for schools in (564, 2_452):
        limits.check_schools(schools, "england.csv")
    limits.check_units(2_452, "lsoa.geojson")
    limits.check_k_values([22, 23, 24], "configs/hampshire.toml")
    limits.check_k_values(list(range(1, 26)) + [25] * 1_000, "option --k")  # repeats count once


def test_a_scenario_with_ten_thousand_k_values_is_one_short_line_at_once(tmp_path):
    scenario = tmp_path / "many.toml"
    scenario.write_text(f"[spec]\nk = {list(range(22, 10_022))}\n\n[outputs]\nfolder = '{tmp_path / 'out'}'\n")
    began = time.perf_counter()
    result = CliRunner().invoke(cli, ["run", str(scenario)])
    assert time.perf_counter() - began < 2  # before any data is read
    assert _error_line(result) == (
        f"{scenario}, line 2: k lists 10,000 values: 22, 23, 24, … (9,997 more); one run plans at most 25 k values. "
        + K_FIX
    )
    assert not (tmp_path / "out").exists()


def test_plan_with_too_many_k_options_is_refused_before_reading_data(tmp_path, monkeypatch):
    monkeypatch.setattr(dataset_module, "read_gias", _must_not_run)
    ks = [str(k) for k in range(2, 28)]
    result = CliRunner().invoke(cli, ["plan", "--k", *ks, "--out", str(tmp_path / "o")])
    assert _error_line(result) == (
        "option --k: k lists 26 values: 2, 3, 4, … (23 more); one run plans at most 25 k values. " + K_FIX
    )
    assert not (tmp_path / "o").exists()


def test_a_spec_built_in_code_is_held_to_the_same_limit():
    with pytest.raises(SizeLimitError) as caught:
        PlanSpec(k=tuple(range(1, 10_001)))
    assert str(caught.value) == (
        "spec: k lists 10,000 values: 1, 2, 3, … (9,997 more); one run plans at most 25 k values. " + K_FIX
    )
    with pytest.raises(SpecError, match=r"^k must be one or more positive whole numbers, got 0$"):
        PlanSpec(k=(0,) * 10_000)


def test_batch_k_option_and_k_table_are_held_to_the_limit(tmp_path):
    with pytest.raises(SizeLimitError) as caught:
        KRule(k=tuple(range(1, 31)))
    assert str(caught.value) == (
        "option --k: k lists 30 values: 1, 2, 3, … (27 more); one run plans at most 25 k values. " + K_FIX
    )
    table = tmp_path / "k.csv"
    table.write_text("la,k\n850,23\n" + "".join(f"857,{k}\n" for k in range(1, 1_001)))  # k ≤ 1,000 each
    with pytest.raises(SizeLimitError) as caught:
        read_k_table(table)
    assert str(caught.value) == (
        f"{table}, LA 857: k lists 1,000 values: 1, 2, 3, … (997 more); one run plans at most 25 k values. " + K_FIX
    )


def _must_not_run(*args, **kwargs):
    raise AssertionError("the guard must refuse before this heavy step")


def test_two_hundred_thousand_schools_are_refused_before_the_boundaries_are_read(monkeypatch, tmp_path):
    schools = write_gias(tmp_path / "s.csv", [school_row(1, 500, 500)])
    (tmp_path / "d.gpkg").write_text("never read")
    load = SimpleNamespace(
        schools=pd.DataFrame({"URN": np.arange(200_000), "kind": "primary"})
    )  # what read_gias would return
    monkeypatch.setattr(dataset_module, "read_gias", lambda *a, **k: load)
    monkeypatch.setattr(dataset_module, "read_boundaries", _must_not_run)
    began = time.perf_counter()
    with pytest.raises(SizeLimitError) as caught:
        load_dataset(schools, tmp_path / "d.gpkg", la_codes=["999"])
    assert time.perf_counter() - began < 1
    assert str(caught.value) == (
        f"{schools}, LA 999: 200,000 schools in one study area, more than the 3,000 it can plan in reasonable time "
        "(nothing was planned). Fix: split the study area: plan fewer LAs per run (--la), or some of its districts "
        "(--district)"
    )


def test_plan_refuses_a_study_area_over_the_schools_limit_with_exit_2(shared, monkeypatch, tmp_path):
    """Hampshire's 494 schools against a limit lowered to 100: the real command path, refused before the
    boundary file is read, nothing written."""
    monkeypatch.setattr(limits, "MAX_SCHOOLS_PER_STUDY_AREA", 100)
    monkeypatch.setattr(dataset_module, "read_boundaries", _must_not_run)
    result = CliRunner().invoke(cli, ["plan", "--k", "23", "--la", "850", "--out", str(tmp_path / "o")])
    line = _error_line(result)
    assert line.endswith(
        "gias_2022_hampshire_850_open_primary_secondary.csv, LA 850: 494 schools in one study area, more than the "
        "100 it can plan in reasonable time (nothing was planned). Fix: split the study area: plan fewer LAs per "
        "run (--la), or some of its districts (--district)"
    )
    assert not (tmp_path / "o").exists()


def test_many_las_in_one_study_area_are_named_briefly(monkeypatch, tmp_path):
    schools = write_gias(tmp_path / "s.csv", [school_row(1, 500, 500)])
    (tmp_path / "d.gpkg").write_text("never read")
    load = SimpleNamespace(schools=pd.DataFrame({"URN": np.arange(3_001), "kind": "primary"}))
    monkeypatch.setattr(dataset_module, "read_gias", lambda *a, **k: load)
    las = [str(code) for code in range(800, 845)]
    with pytest.raises(SizeLimitError, match=rf"^{schools}, LA 800, 801, 802, … \(42 more\): 3,001 schools in one"):
        load_dataset(schools, tmp_path / "d.gpkg", la_codes=las)


def test_too_many_polygon_units_are_refused_before_they_are_clipped(monkeypatch, tmp_path):
    districts = gpd.GeoDataFrame(
        {"LAD23CD": ["W"], "LAD23NM": ["West"]}, geometry=[shapely.box(0, 0, 3000, 1000)], crs="EPSG:27700"
    )
    districts.to_file(tmp_path / "d.gpkg")
    ds = load_dataset(
        write_gias(tmp_path / "s.csv", [school_row(i, 500 + 1000 * i, 500) for i in range(3)]),
        tmp_path / "d.gpkg",
        la_codes=["999"],
    )
    cells = [shapely.box(x, y, x + 100, y + 100) for x in range(0, 3000, 100) for y in range(0, 1000, 100)]
    polys = gpd.GeoDataFrame(
        {"code": [f"L{i:03d}" for i in range(len(cells))], "name": ["cell"] * len(cells)},
        geometry=cells,
        crs="EPSG:27700",
    )
    polys.attrs["source"] = "/data/lsoa.geojson"
    monkeypatch.setattr(limits, "MAX_UNITS_PER_STUDY_AREA", 100)
    import partition.core.coverage as coverage

    monkeypatch.setattr(coverage, "union_by_owner", _must_not_run)
    with pytest.raises(SizeLimitError) as caught:
        polygon_units(ds, polys)
    assert str(caught.value) == (
        "lsoa.geojson: 300 planning units in the study area, more than the 100 it can plan in reasonable time "
        "(nothing was planned). Fix: use larger units (wards or MSOAs instead of LSOAs, or 'sites'), or split the "
        "study area (--district)"
    )


def test_k_above_the_planning_units_is_refused_before_any_k_is_planned(monkeypatch):
    inputs = grid_inputs(3, 3, [300] * 9, [True] * 9)
    spec = PlanSpec(k=(2, 10, 11, 12, 13), size=(SizeBound(tolerance=0.5),))
    monkeypatch.setattr(planner, "make_plan", _must_not_run)
    with pytest.raises(InfeasibleError) as caught:
        solve_configurations(inputs, spec, {"name": "heuristic"})
    assert str(caught.value) == (
        "k = 10, 11, 12, … (1 more) partnerships but only 9 planning units (nothing was planned). Fix: choose k ≤ 9"
    )


def test_many_infeasible_k_are_listed_briefly():
    anchors = [True, False, False, False, True, False, False, False, False]  # 2 anchors among 9 units
    inputs = grid_inputs(3, 3, [300] * 9, anchors)
    spec = PlanSpec(k=(3, 4, 5, 6, 7), size=(SizeBound(tolerance=0.5),))
    with pytest.raises(InfeasibleError) as caught:
        solve_configurations(inputs, spec, {"name": "heuristic"})
    each = (
        "k = {} partnerships each need an anchor (secondary, all-through or college) but only 2 planning units hold one"
    )
    assert str(caught.value) == (
        "; ".join(each.format(k) for k in (3, 4, 5))
        + "; and 2 more k value(s) cannot be planned (nothing was written). "
        "Fix: choose k ≤ 2 or turn anchors off (--no-anchors)"
    )
