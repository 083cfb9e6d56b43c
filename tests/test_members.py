"""Every school and college takes part: colleges, special schools and PRUs as members (issue 22).

The membership rule (:mod:`partition.data.members`): each is a member of the partnership it stands in, not counted
toward the size bounds by default, counted and planned as a school when its kind is among the counted kinds;
every input record is placed or reported, on load and in the files written.
"""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pandas as pd
import pytest
import shapely

from partition.core.csvsafe import read_csv
from partition.data.dataset import INDEPENDENT_SPECIAL, check_school_accounting, load_dataset
from partition.data.members import serving
from partition.io.establishments import read_ks5, read_spine
from partition.model.spec import PlanSpec
from partition.planning.planner import make_plan
from partition.runs.outputs import write_plan

SPINE = "schools/source/dfe_spine_2017-18/2017-2018_england_spine.xlsx"
CODEPOINT = "boundaries/codepoint_open_2025.4"
KS5 = "schools/source/dfe_ks5final/2023-2024_england_ks5final.csv.gz"
STATE_SPECIAL = {
    "Community special school",
    "Academy - Converter special school",
    "Academy - Sponsor led special school",
    "Non-maintained special school",
}
COLLEGES = {
    "General further education college",
    "Agriculture and horticulture college",
    "Sixth form college",
    "Academy 16-19 converter",
}


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


@pytest.fixture(scope="module")
def spine_850(shared):
    """The spine's open LA 850 rows with a Code-Point match, every kind (the reference for the default run)."""
    load = read_spine(shared / SPINE, codepoint=shared / CODEPOINT, la_codes=["850"], ks5=read_ks5(shared / KS5))
    return load.establishments


@pytest.fixture(scope="module")
def plan23(hampshire):
    return _quiet(make_plan, hampshire, PlanSpec(), 23, solver="heuristic")


def test_default_members_are_the_open_colleges_and_state_special_schools(hampshire, spine_850):
    members = hampshire.members
    expected = spine_850[spine_850["source_type"].isin(STATE_SPECIAL | COLLEGES)]
    assert sorted(members["URN"]) == sorted(expected["URN"])
    assert members["URN"].is_unique
    assert members["kind"].value_counts().to_dict() == {"special": 27, "college": 13}
    for urn in (145057, 145175, 145229):  # the three sixth-form colleges that became 16-19 academies
        assert urn in set(members["URN"])
    assert not set(members["URN"]) & set(hampshire.schools["URN"])  # members are not planned as schools
    excluded = hampshire.dataset.excluded
    independent = spine_850[spine_850["source_type"] == "Other independent special school"]
    assert set(independent["URN"]) == set(excluded.loc[excluded["reason"] == INDEPENDENT_SPECIAL, "URN"])
    assert len(independent) == 12


def test_nothing_lost_on_load(hampshire):
    d = hampshire.dataset
    check_school_accounting(d.input_urns, [*d.schools["URN"], *d.members["URN"]], d.excluded["URN"])
    assert {"establishments", "codepoint", "ks5"} <= set(d.files)


def test_members_stand_in_their_unit(hampshire):
    members, units = hampshire.members, hampshire.units
    inside = shapely.covers(units.geometry.to_numpy()[members["unit"].to_numpy()], members.geometry.to_numpy())
    outside = members[~inside]
    assert (outside["unit_distance_m"] > 0).all() and (outside["unit_distance_m"] < 2_000).all()
    assert inside.sum() >= len(members) - 2


def test_members_do_not_count_toward_the_bounds(hampshire, plan23):
    assert plan23.assignments["URN"].tolist() == sorted(hampshire.schools["URN"])
    assert int(plan23.partnerships["pupils"].sum()) == int(hampshire.schools["pupils"].sum())
    assert int(plan23.partnerships["schools"].sum()) == len(hampshire.schools)
    assert int(plan23.partnerships["colleges"].sum()) == 13
    assert int(plan23.partnerships["special_schools"].sum()) == 27


def test_each_member_in_the_partnership_of_its_unit(hampshire, plan23):
    by_id = dict(zip(plan23.partnerships["id"], plan23.partnerships.geometry))
    members = plan23.members.merge(hampshire.members[["URN", "unit"]], on="URN")
    schools = plan23.assignments.merge(hampshire.schools[["URN", "unit"]], on="URN")
    unit_partnership = schools.drop_duplicates("unit").set_index("unit")["partnership_id"]
    for row in members.itertuples():
        point = shapely.Point(row.easting, row.northing)
        assert row.partnership_id == unit_partnership.get(row.unit, row.partnership_id)
        assert by_id[row.partnership_id].distance(point) < 2_000


def test_also_serves_is_the_nearest_of_its_kind(hampshire, plan23):
    """For each partnership, the nearest college to its pupils' centre is its own or lists it."""
    schools = hampshire.schools.merge(plan23.assignments[["URN", "partnership"]], on="URN")
    colleges = plan23.members[plan23.members["kind"] == "college"]
    for name, group in schools.groupby("partnership"):
        w = group["pupils"].to_numpy(dtype=float)
        centre = np.array([np.average(group.geometry.x, weights=w), np.average(group.geometry.y, weights=w)])
        d = np.hypot(colleges["easting"] - centre[0], colleges["northing"] - centre[1])
        nearest = colleges.iloc[int(np.argmin(d.to_numpy()))]
        assert nearest["partnership"] == name or name in nearest["also_serves"].split("; ")
    assert serving(hampshire.members.iloc[:0], np.array([], dtype=int), hampshire.schools, np.zeros(1), 1) == {}


def test_assignments_csv_lists_every_establishment_once(plan23, tmp_path):
    folder = write_plan(plan23, tmp_path)
    table = read_csv(folder / "assignments.csv")
    assert table["URN"].is_unique
    assert len(table) == len(plan23.assignments) + len(plan23.members) == 494 + 40
    assert set(table.loc[table["counted"] == "no", "URN"]) == set(plan23.members["URN"])
    assert set(table.loc[table["counted"] == "no", "kind"]) == {"college", "special"}
    barton = table[table["URN"] == 130701].iloc[0]
    assert int(barton["pupils"]) == 4935  # 16-18 students, KS5 2023/24


def test_counted_colleges_are_planned_as_schools(shared):
    """``--kind college`` counts colleges: they are schools (pupils from KS5, imputed when blank), not members."""
    kinds = ("primary", "middle", "secondary", "all-through", "college")
    d = _quiet(load_dataset, kinds=kinds)
    colleges = d.schools[d.schools["kind"] == "college"]
    assert len(colleges) == 13
    assert set(d.members["kind"]) == {"special"}
    assert colleges.set_index("URN").loc[130701, "pupils"] == 4935
    assert 130692 in d.imputed  # Eastleigh College has no 2023/24 figure: imputed and reported
    assert d.schools["pupils"].dtype == "int64"


def test_independent_special_behind_the_option(shared):
    d = _quiet(load_dataset, independent_special=True)
    assert (d.members["kind"] == "special").sum() == 27 + 12
    assert INDEPENDENT_SPECIAL not in set(d.excluded["reason"])


def test_no_members_option(shared):
    d = _quiet(load_dataset, members=False)
    assert d.members.empty
    assert "establishments" not in d.files


def test_gias_file_with_colleges_gives_the_same_members(shared, spine_850, hampshire, tmp_path):
    """A full GIAS-shaped file (the Hampshire extract plus the spine's colleges and special schools with their
    Code-Point points) loads the same members as the default route, without reading the DfE list."""
    source = shared / "schools/gias_2022_hampshire_850_open_primary_secondary.csv"
    with source.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    extra = spine_850[spine_850["kind"].isin(["college", "special"])]
    for _, r in extra.iterrows():
        rows.append(
            {
                **dict.fromkeys(columns, ""),
                "URN": str(r["URN"]),
                "LA (code)": "850",
                "LA (name)": "Hampshire",
                "EstablishmentName": r["name"],
                "TypeOfEstablishment (name)": r["type"],
                "EstablishmentStatus (name)": "Open",
                "PhaseOfEducation (name)": r["phase"],
                "NumberOfPupils": "" if pd.isna(r["pupils"]) else str(int(r["pupils"])),
                "Easting": str(int(r.geometry.x)),
                "Northing": str(int(r.geometry.y)),
            }
        )
    path = tmp_path / "edubasealldata.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    d = _quiet(load_dataset, path)
    assert "establishments" not in d.files  # the schools file has them: the DfE list is not read
    assert sorted(d.members["URN"]) == sorted(hampshire.members["URN"])
    assert sorted(d.schools["URN"]) == sorted(hampshire.schools["URN"])
    assert d.members["pupils"].isna().sum() == hampshire.members["pupils"].isna().sum()  # blanks stay blank
