"""Local need (issue 25): FSM pupils, children and children in low-income families per partnership.

Real shared data: the ONS mid-2010 LSOA estimates (2001 LSOAs) and the Hampshire JSNA MSOA summary
(2021 MSOAs), moved onto the default Voronoi units with tobler.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
import warnings

import numpy as np
import pytest

from partition.analysis.validate import spec_problems, written_plan_problems
from partition.data.need import read_children, read_low_income, whole_children
from partition.errors import PopulationFileError
from partition.model.spec import PlanSpec, SizeBound
from partition.planning.planner import make_plan
from partition.report.needwords import fsm_sentence, one_in
from partition.runs.edits import load_configuration
from partition.runs.outputs import write_plan

LSOA_TABLE = "population/lsoa2001_mye2010_age_imd2010_hampshire.csv"
LSOA_AREAS = "boundaries/lsoa2001_hants_simplify0.75.topo.json"
MSOA_TABLE = "population/msoa2021_hampshire_indicators.csv"
MSOA_AREAS = "boundaries/msoa2021_hampshire.geojson"


def _hampshire_children_2010(shared) -> float:
    """Children 0-19 of the file's Hampshire districts (not Southampton or Portsmouth), summed directly."""
    with open(shared / LSOA_TABLE, newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["LA_NAME"] not in ("City of Southampton", "City of Portsmouth")]
    return sum(float(r[f"Aged{i}"]) for r in rows for i in range(20))


def test_every_unit_carries_the_need_measures_and_the_totals_reconcile(hampshire, shared):
    units = hampshire.units
    assert {"fsm", "population", "low_income"} <= set(units.columns)
    children = hampshire.need["population"]
    assert units["population"].sum() == pytest.approx(children.study_total)
    assert children.in_file == pytest.approx(children.study_total + children.outside)
    # the study area's children by interpolation against the file's own Hampshire rows: within 1.5 %
    # (the rest is the part of border LSOAs drawn outside the 2023 district outlines)
    direct = _hampshire_children_2010(shared)
    assert abs(children.study_total - direct) / direct < 0.015
    assert 0 < children.outside < 0.05 * children.in_file  # Southampton's and Portsmouth's edges, reported
    low = hampshire.need["low_income"]
    assert low.study_total == pytest.approx(35_436, rel=0.01)  # the JSNA's 170 Hampshire MSOAs
    assert str(hampshire.dataset.files["low_income"].path).endswith("msoa2021_hampshire_indicators.csv")


def test_fsm_pupils_come_from_each_schools_published_share(hampshire):
    s = hampshire.schools
    expected = (s["pupils"] * s["fsm_share"] / 100).round().fillna(0).sum()
    assert hampshire.units["fsm"].sum() == expected
    assert s["fsm_share"].isna().sum() == 3  # Deer Park, Marnel Junior, Woodcot: no published share, noted
    assert any("3 of 494 schools have no published share" in n for n in hampshire.dataset.notes)


@pytest.fixture(scope="module")
def bounded_plan(hampshire, tmp_path_factory):
    """k = 10 with children 0-19 within ±15 % and FSM pupils within ±25 % of the mean, heuristic."""
    spec = PlanSpec(
        k=(10,),
        size=(SizeBound("pupils", 0.10), SizeBound("population", 0.15), SizeBound("fsm", 0.25)),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(hampshire, spec, 10, solver="heuristic", heuristic_options={"restarts": 1})
    folder = write_plan(plan, tmp_path_factory.mktemp("need"))
    return plan, folder


def test_a_bound_on_children_and_fsm_pupils_is_kept_and_checked_on_the_written_files(hampshire, bounded_plan):
    plan, folder = bounded_plan
    assert plan.status == "feasible", plan.scores["violations"]
    assert written_plan_problems(folder, plan) == []
    written = load_configuration(folder, hampshire)
    assert spec_problems(written, hampshire) == []
    p = plan.partnerships
    for column, tolerance in (("population", 0.15), ("fsm", 0.25)):
        mean = p[column].sum() / plan.k
        assert (abs(p[column] / mean - 1) <= tolerance + 0.005).all(), p[[column]]


def test_the_partnerships_profiles_sum_to_the_study_areas(hampshire, bounded_plan):
    plan, folder = bounded_plan
    p = plan.partnerships
    assert p["fsm"].sum() == hampshire.units["fsm"].sum()
    assert p["population"].sum() == round(hampshire.need["population"].study_total)
    assert p["low_income"].sum() == round(hampshire.need["low_income"].study_total)
    assert p["fsm_pct"].between(5, 40).all()
    need = plan.details["need"]
    assert need["population"]["date"] == "mid-2010" and need["low_income"]["date"] == "2022/23"
    assert need["fsm"]["total"] == p["fsm"].sum()
    # ... and plan.json gives each partnership's profile
    written = json.loads((folder / "plan.json").read_text())["details"]["need"]
    profiles = {r["name"]: r for r in written["partnerships"]}
    assert len(profiles) == plan.k
    for row in p.itertuples():
        assert profiles[row.name]["fsm"] == row.fsm and profiles[row.name]["population"] == row.population
        assert profiles[row.name]["low_income"] == row.low_income and profiles[row.name]["fsm_pct"] == row.fsm_pct


def test_a_broken_bound_on_children_is_reported_by_the_independent_check(hampshire, bounded_plan):
    plan, _ = bounded_plan
    tight = PlanSpec(k=(10,), size=(SizeBound("population", 0.001),))
    problems = spec_problems(dataclasses.replace(plan, spec=tight), hampshire)
    assert any("children (population)" in p for p in problems), problems


def _copy(shared, tmp_path, name):
    target = tmp_path / name.split("/")[-1]
    shutil.copy(shared / name, target)
    return target


def _rewrite(path, change):
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("".join(change(lines)), encoding="utf-8")


def test_a_negative_count_is_refused_naming_the_line(shared, tmp_path):
    table = _copy(shared, tmp_path, MSOA_TABLE)
    row = next(i for i, line in enumerate(table.read_text(encoding="utf-8-sig").splitlines()) if "low income" in line)

    def negative(lines):
        cells = lines[row].split(",")
        cells[-3] = "-5"
        lines[row] = ",".join(cells)
        return lines

    _rewrite(table, negative)
    with pytest.raises(PopulationFileError, match=rf"line {row + 1}.*Value"):
        read_low_income(table, shared / MSOA_AREAS)


def test_a_repeated_code_is_refused_naming_both_lines(shared, tmp_path):
    table = _copy(shared, tmp_path, MSOA_TABLE)
    rows = [i for i, line in enumerate(table.read_text(encoding="utf-8-sig").splitlines()) if "low income" in line]
    _rewrite(table, lambda lines: lines + [lines[rows[0]]])
    with pytest.raises(PopulationFileError, match=r"listed again \(first on line"):
        read_low_income(table, shared / MSOA_AREAS)


def test_a_code_that_matches_no_area_is_refused(shared, tmp_path):
    table = _copy(shared, tmp_path, LSOA_TABLE)
    _rewrite(table, lambda lines: [lines[0], lines[1].replace("E01023259", "E01999999", 2), *lines[2:]])
    with pytest.raises(PopulationFileError, match=r"E01999999.*no area of the boundary file"):
        read_children(table, shared / LSOA_AREAS)


def test_another_la_gets_fsm_and_says_what_is_missing(shared):
    """The Isle of Wight: no area table covers it, so only FSM pupils (from GIAS) are attached."""
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(
            shared / "schools/gias_2022_england_open_primary_secondary.csv",
            shared / "boundaries/topo_lad_eng_2013.json",
            la_codes=("921",),
        )
    assert "fsm" in inputs.units and inputs.units["fsm"].sum() > 0
    assert "population" not in inputs.units and inputs.need == {}


def test_whole_children_add_up_to_the_rounded_total():
    shares = np.array([10.4, 20.4, 30.4, 0.3, 5.5])
    rounded = whole_children(shares)
    assert rounded.sum() == round(shares.sum()) and (np.abs(rounded - shares) < 1).all()


@pytest.mark.parametrize(
    ("pct", "county", "words"),
    [
        (20.4, 15.2, "1 in 5 pupils eligible for free school meals, above the county's 1 in 7"),
        (12.0, 15.2, "1 in 8 pupils eligible for free school meals, below the county's 1 in 7"),
        (14.1, 15.2, "1 in 7 pupils eligible for free school meals, the same as the county's 1 in 7"),
        (16.5, 15.2, "1 in 6 pupils eligible for free school meals, above the county's 1 in 7"),
    ],
)
def test_fsm_in_plain_words(pct, county, words):
    assert fsm_sentence(pct, county) == words
    assert one_in(0) == "none"


def test_a_table_covering_part_of_the_need_says_what_is_missing(shared):
    """Southampton (852): the 2001 LSOA table covers it, the JSNA MSOA table (Hampshire only) does not; the plan
    carries children and says that children in low-income families are missing, and the pack says so too."""
    from partition.report.needwords import need_sources_text
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(
            shared / "schools/gias_2022_england_open_primary_secondary.csv",
            shared / "boundaries/topo_lad_eng_2013.json",
            la_codes=("852",),
        )
        plan = make_plan(inputs, PlanSpec(k=(3,)), 3, solver="heuristic", heuristic_options={"restarts": 1})
    assert set(inputs.need) == {"population"} and "low_income" not in inputs.units
    children = inputs.need["population"]
    assert children.uncovered_share < 0.02 and children.study_total > 40_000  # 55,982 in the city in mid-2010
    need = plan.details["need"]
    assert need["missing"] == ["children (0-19) in relative low-income families"]
    assert plan.partnerships["population"].sum() == round(children.study_total)
    said = need_sources_text(need)
    assert (
        said[-1]
        == "Children (0-19) in relative low-income families: no figures cover the area planned, so none are shown."
    )


@pytest.fixture(scope="module")
def portsmouth(shared):
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare(
            shared / "schools/gias_2022_england_open_primary_secondary.csv",
            shared / "boundaries/topo_lad_eng_2013.json",
            la_codes=("851",),
        )


@pytest.mark.parametrize("solver", ["heuristic", "exact"])
def test_every_solver_keeps_bounds_on_children_and_fsm_pupils(portsmouth, solver, tmp_path):
    """Portsmouth (851), k = 3: pupils ±10 %, children 0-19 ±10 %, FSM pupils ±20 %, by the local search and by
    HiGHS; checked again on the written files."""
    spec = PlanSpec(k=(3,), size=(SizeBound("pupils", 0.10), SizeBound("population", 0.10), SizeBound("fsm", 0.20)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(portsmouth, spec, 3, solver=solver)
    assert plan.status in ("feasible", "optimal"), plan.scores["violations"]
    folder = write_plan(plan, tmp_path)
    assert written_plan_problems(folder, plan) == []
    assert spec_problems(load_configuration(folder, portsmouth), portsmouth) == []
    for column, tolerance in (("population", 0.10), ("fsm", 0.20)):
        values = plan.partnerships[column]
        assert (abs(values / (values.sum() / 3) - 1) <= tolerance + 0.005).all()


def test_a_councils_own_low_income_table_is_read_and_a_bad_one_refused_from_a_scenario(shared, tmp_path):
    """``[data] low_income``/``low_income_areas`` in a scenario: a plain code,value table is used (named as its
    source); a negative value stops ``partition run`` with exit status 2, the file, line and column, no traceback."""
    from click.testing import CliRunner

    from partition.cli import cli
    from partition.runs.loading import prepare_data

    rows = ["code,value"]
    with open(shared / MSOA_TABLE, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            if r["Indicator"] == "Children in low income families (2022/23)":
                rows.append(f"{r['MSOACD21'].strip()},{r['Value']}")
    own = tmp_path / "low_income.csv"
    own.write_text("\n".join(rows) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare_data({"low_income": str(own), "low_income_areas": str(shared / MSOA_AREAS)})
    assert inputs.need["low_income"].source.source == "the table low_income.csv"
    assert inputs.need["low_income"].study_total == pytest.approx(35_436, rel=0.01)
    rows[5] = rows[5].split(",")[0] + ",-5"
    own.write_text("\n".join(rows) + "\n")
    scenario = tmp_path / "s.toml"
    scenario.write_text(
        f'[data]\nlow_income = "{own}"\nlow_income_areas = "{shared / MSOA_AREAS}"\n[spec]\nk = [23]\n'
        '[solver]\nname = "heuristic"\n'
    )
    result = CliRunner().invoke(cli, ["run", str(scenario), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2, result.output
    assert "low_income.csv" in result.output and "line 6" in result.output and "value" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_a_population_table_with_the_site_units_is_refused_not_ignored(tmp_path):
    """The trial: ``--population`` with the default units was silently ignored (exit 0, figures unchanged)."""
    from click.testing import CliRunner

    from partition.cli import cli

    result = CliRunner().invoke(cli, ["plan", "--population", LSOA_TABLE, "--k", "23", "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "the units are the school sites" in result.output
    assert "children_areas" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_the_packs_data_sources_date_the_need_tables_and_credit_a_councils_own():
    from partition.report.sources import data_sources

    default = data_sources(
        {"low_income": "population/msoa2021_hampshire_indicators.csv"}, None, {"low_income": "2022/23"}
    )
    assert default[0]["date"] == "figures for 2022/23" and "Stat-Xplore" in default[0]["what"]
    own = data_sources(
        {"low_income": "/x/own.csv", "low_income_areas": "/x/msoa.geojson"}, None, {"low_income": "date not stated"}
    )
    assert own[0]["what"] == "Children in low-income families by area (the council's own table)"
    assert "council's low-income table" in own[1]["what"]
