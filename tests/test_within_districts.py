"""The within-districts family: each k planned with every partnership inside one district, at the smallest pupil
tolerance that allows it, shown beside the balanced configurations with what it costs."""

from __future__ import annotations

import dataclasses
import warnings

import pytest

from partition.analysis.agreement import districts_whole
from partition.analysis.compare import scorecard
from partition.errors import InfeasibleError, SpecError
from partition.model.spec import PlanSpec, SizeBound
from partition.planning.nesting import apportion, district_totals, within_districts_spec
from partition.runs.solving import solve_configurations


@pytest.mark.parametrize(("k", "tolerance"), [(22, 0.32), (23, 0.35), (24, 0.35)])
def test_the_tolerance_is_the_smallest_whole_percent_that_nests(hampshire, k, tolerance):
    spec, why = within_districts_spec(hampshire.units, PlanSpec(), k)
    assert why == "" and spec.districts == "nest" and spec.k == (k,)
    assert spec.size[0].tolerance == pytest.approx(tolerance)
    assert spec.balance_penalty_km == PlanSpec().balance_penalty_km and spec.feeders == "together"
    totals, anchors = district_totals(hampshire.units)
    assert sum(apportion(totals, anchors, spec, k).values()) == k
    tighter = dataclasses.replace(spec, size=(SizeBound(tolerance=tolerance - 0.01),))
    with pytest.raises(InfeasibleError):
        apportion(totals, anchors, tighter, k)


def test_a_bound_without_tolerance_gives_no_family_and_says_why(hampshire):
    spec, why = within_districts_spec(hampshire.units, PlanSpec(size=(SizeBound(tolerance=None, min=1, max=1e9),)), 23)
    assert spec is None and "no tolerance" in why


@pytest.fixture(scope="module")
def family(hampshire):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return solve_configurations(hampshire, PlanSpec(k=(23,)), {"name": "heuristic", "within_districts": True})


def test_the_family_keeps_every_district_whole_and_is_named_with_its_tolerance(hampshire, family):
    balanced, within, between = family
    assert balanced.name == "k23-ignore-heuristic" and within.name == "k23-nest-tol35-heuristic"
    # in between: the half-way tolerance, crossing a district boundary penalised
    assert between.name == "k23-penalise-tol23-pen0.5-heuristic" and between.status in ("feasible", "optimal")
    assert districts_whole(balanced) <= districts_whole(between) <= districts_whole(within)
    assert within.status in ("feasible", "optimal")
    districts = set(hampshire.schools["district"])
    assert districts_whole(within) == len(districts) == 11
    assert districts_whole(balanced) < 11
    table = scorecard(list(family))
    assert table.at[within.name, "partnerships_spanning_districts"] == 0
    # checked on the assignments, independently of the solver: each partnership's schools lie in one district
    a = within.assignments
    assert (a.groupby("partnership_id")["district"].nunique() == 1).all()
    assert set(a["URN"]) == set(hampshire.schools["URN"])
    assert len(set(within.partnerships["name"])) == 23


def test_the_pack_shows_the_family_for_comparison_with_its_price(hampshire, family, tmp_path):
    import html

    from partition.planning.planner import district_plan
    from partition.report.pack import consultation_pack
    from partition.report.tables import plain_title

    balanced, within, between = family
    assert plain_title(within) == "23 partnerships within districts (for comparison, pupils within ±35% of the average)"
    assert plain_title(between) == (
        "23 partnerships mostly within districts (for comparison, pupils within ±23% of the average)"
    )
    current = district_plan(hampshire)
    plans = [balanced, within, between, current]
    text = html.unescape(consultation_pack(plans, scorecard(plans, reference=balanced), [], []))
    assert (
        "Keeping to district boundaries" in text
        and "11 of 11 districts kept whole; 23 of 23 partnerships inside" in text
    )
    assert "up to ±35% of the average, against ±10% in the proposals" in text
    assert "not proposed" in text
    recommended = text.split("<h3>Recommended</h3>", 1)[1].split("</ul>", 1)[0]
    assert "within districts" not in recommended  # shown for comparison, never recommended over the proposals
    from partition.analysis.recommend import family_members

    assert family_members(plans) == {within.name, between.name}
    # school lists only for the proposal (23), not for the family
    assert text.count("<details") == 23


def test_the_scenario_key_is_checked(tmp_path):
    from partition.runs.scenario import load_scenario

    path = tmp_path / "s.toml"
    path.write_text('[solver]\nwithin_districts = "yes"\n')
    with pytest.raises(SpecError, match="within_districts"):
        load_scenario(path)
    path.write_text("[solver]\nwithin_districts = true\n")
    assert load_scenario(path).solver["within_districts"] is True
