"""Colleges, special schools and pupil referral units (members) in what a run writes: the consultation pack,
the GIS exports and the comparison table.

A small grid world (two partnerships of four units) with one member of each kind, two of them named like an
attack on a web page and on a spreadsheet; and the real Hampshire k = 23 plan, whose 40 members must each be
listed once, under their own partnership, in the pack.
"""

from __future__ import annotations

import warnings
from html.parser import HTMLParser

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from tests.synthetic import grid_inputs
from tests.test_csv_safety import all_csv_cells, formula_cells
from tests.test_html_safety import _districts

from partition.analysis.columns import member_columns
from partition.analysis.compare import format_scorecard, scorecard
from partition.data.members import in_units
from partition.model.spec import PlanSpec
from partition.planning.planner import make_plan, plan_from_assignment
from partition.report.exports import write_exports
from partition.report.memberlists import member_words
from partition.report.pack import consultation_pack
from partition.report.sources import data_sources

SCRIPT = "<script>x</script>"
FORMULA = "=cmd|' /C calc'!A0"


class _Listed(HTMLParser):
    """Each member item of a pack (``<li data-urn>``) with the configuration section and partnership it is in."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str, int]] = []
        self.section = ""
        self.partnership = ""
        self._capture: str | None = None
        self._in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "section" and a.get("class") == "configuration":
            self.section, self.partnership = "", ""
        elif tag == "h2":
            self._capture, self.section = "section", ""
        elif tag == "summary":
            self._in_summary = True
        elif tag == "b" and self._in_summary:
            self._capture, self.partnership = "partnership", ""
        elif tag == "li" and a.get("data-urn"):
            self.items.append((self.section, self.partnership, int(a["data-urn"])))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h2", "b"):
            self._capture = None
        if tag == "summary":
            self._in_summary = False

    def handle_data(self, data: str) -> None:
        if self._capture == "section":
            self.section += data
        elif self._capture == "partnership":
            self.partnership += data


def listed(page: str) -> list[tuple[str, str, int]]:
    """``(section heading, partnership as in its summary "<number> <name>", URN)`` per member listed."""
    parser = _Listed()
    parser.feed(page)
    return parser.items


@pytest.fixture(scope="module")
def small():
    """A 2 x 4 grid in two partnerships (units 0-3, the first row, "North"; 4-7 "South"): a college named like a
    script and a special school named like a formula in North, a pupil referral unit in South."""
    inputs = grid_inputs(2, 4, [100, 120, 140, 160] * 2, [True, False, False, False] * 2)
    inputs.schools["phase"], inputs.schools["type"], inputs.schools["pupils_imputed"] = "Primary", "Community", False
    points = [shapely.Point(500, 500), shapely.Point(1500, 500), shapely.Point(1500, 1500)]
    members = gpd.GeoDataFrame(
        {
            "URN": [9001, 9002, 9003],
            "name": [SCRIPT, FORMULA, "Harbour PRU"],
            "kind": ["college", "special", "pru"],
            "phase": ["16 plus", "Not applicable", "Not applicable"],
            "type": ["Further education", "Community special school", "Pupil referral unit"],
            "pupils": pd.array([4900, None, None], dtype="Int64"),
            "pupils_imputed": [False, False, False],
            "district": ["West", "West", "West"],
        },
        geometry=points,
        crs="EPSG:27700",
    )
    inputs.members = in_units(members, inputs.units)
    labels = pd.Series(["North"] * 4 + ["South"] * 4, index=inputs.schools["URN"].to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = plan_from_assignment(inputs, labels, name="given")
    return inputs, plan


def test_the_small_world_places_its_members(small):
    _, plan = small
    assert dict(zip(plan.members["URN"], plan.members["partnership"])) == {9001: "North", 9002: "North", 9003: "South"}
    # North's college and special school serve South too, South's pupil referral unit North
    assert dict(zip(plan.members["URN"], plan.members["also_serves"])) == {9001: "South", 9002: "South", 9003: "North"}


def test_comparison_counts_partnerships_without_a_college_or_special_school_of_their_own(small):
    _, plan = small
    assert member_columns(plan) == {"without_college": 1, "without_special": 1}  # South has neither (a PRU is not one)
    table = scorecard([plan])
    assert table.at["given", "without_college"] == 1 and table.at["given", "without_special"] == 1
    markdown = format_scorecard(table, "markdown")
    assert "without a college of their own (partnerships)" in markdown.splitlines()[0]
    assert "* **without a special school of their own (partnerships)**: Partnerships with no special" in markdown
    csv_text = format_scorecard(table, "csv")
    assert "without a college of their own (partnerships)" in csv_text.splitlines()[0]


def test_comparison_columns_are_left_out_without_colleges_or_special_schools():
    inputs = grid_inputs(1, 2, [100, 100], [True, True])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(inputs, PlanSpec(k=(2,)), 2, solver="heuristic", heuristic_options={"iterations": 2})
    assert member_columns(plan) == {}
    assert "without_college" not in scorecard([plan]).columns


def test_pack_lists_members_escaped_under_their_partnership(small):
    _, plan = small
    page = consultation_pack([plan], scorecard([plan]), [], data_sources({}))
    assert SCRIPT not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "=cmd|&#x27; /C calc&#x27;!A0" in page
    assert sorted(urn for _, _, urn in listed(page)) == [9001, 9002, 9003]
    assert {urn: p.split(" ", 1)[1] for _, p, urn in listed(page)} == {9001: "North", 9002: "North", 9003: "South"}
    south = page[page.index("<b>2 South</b>") :]
    assert "Also served by: &lt;script&gt;x&lt;/script&gt; (college, in North); =cmd" in south
    assert "not counted in pupils" in page and "Pupils in schools" in page


def test_exports_hold_every_member_once_not_counted_and_quoted(small, tmp_path):
    inputs, plan = small
    write_exports([plan], inputs.schools, inputs.units, _districts(inputs.units), tmp_path, members=inputs.members)
    schools = pd.read_csv(tmp_path / "schools.csv", dtype=str, keep_default_na=False)
    members = schools[schools["counted"] == "no"]
    assert sorted(members["URN"].astype(int)) == [9001, 9002, 9003]
    assert (schools[schools["counted"] == "yes"]["URN"].astype(int) < 9000).all() and len(schools) == 8 + 3
    assert list(members["kind"]) == ["college", "special", "pru"] and list(members["given"]) == ["North"] * 2 + [
        "South"
    ]
    assert list(members["pupils"]) == ["4900", "", ""]
    assert "'=cmd|' /C calc'!A0" in set(members["name"])
    assert {name: formula_cells(text) for name, text in all_csv_cells(tmp_path).items()} == {
        name: [] for name in all_csv_cells(tmp_path)
    }
    layer = gpd.read_file(tmp_path / "partition.gpkg", layer="schools")
    assert (layer["counted"] == "no").sum() == 3 and layer["URN"].is_unique
    partnerships = gpd.read_file(tmp_path / "partition.gpkg", layer="partnerships_given")
    assert list(partnerships["colleges"]) == [1, 0] and list(partnerships["special_schools"]) == [1, 1]


def test_exports_with_members_are_byte_reproducible(small, tmp_path):
    inputs, plan = small
    for folder in ("a", "b"):
        write_exports(
            [plan], inputs.schools, inputs.units, _districts(inputs.units), tmp_path / folder, members=inputs.members
        )
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


@pytest.mark.parametrize(
    ("kind", "type_", "words"),
    [
        ("college", "Further education", "college (further education)"),
        ("special", "Community special school", "community special school"),
        ("college", None, "college"),
        ("pru", "Pupil referral unit", "pupil referral unit"),
    ],
)
def test_member_kind_in_words(kind, type_, words):
    assert member_words(kind, type_) == words


def test_hampshire_k23_pack_lists_every_member_once_under_its_partnership(hampshire):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(hampshire, PlanSpec(k=(23,)), 23, solver="heuristic", heuristic_options={"iterations": 20})
    assert len(plan.members) == 40
    page = consultation_pack([plan], scorecard([plan]), [], data_sources({}))
    items = listed(page)
    urns = [urn for _, _, urn in items]
    assert sorted(urns) == sorted(plan.members["URN"]) and len(set(urns)) == len(urns)
    numbers = dict(zip(plan.partnerships["name"], range(1, plan.k + 1)))
    expected = {int(m.URN): f"{numbers[m.partnership]} {m.partnership}" for m in plan.members.itertuples()}
    assert {urn: partnership for _, partnership, urn in items} == expected
