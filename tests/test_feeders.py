"""Feeder pairs (issue 21): infant and junior schools recognised from the data and kept in one partnership."""

from __future__ import annotations

import warnings
from dataclasses import replace

import pytest

from partition.analysis.validate import lock_problems
from partition.data.feeders import NEXT_DOOR_M, SAME_NAME_M, feeder_groups, feeder_pairs, name_stem
from partition.errors import InfeasibleError
from partition.model.plan import name_qualifiers
from partition.model.spec import Locks, PlanSpec
from partition.planning.planner import make_plan


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Bursledon Church of England Infant School", "bursledon"),
        ("Bursledon Junior School(CA)", "bursledon"),
        ("Foxhills Infant School", "foxhills"),
        ("St Mary's CofE Junior School", "st marys"),
        ("Peel Common Infant School and Nursery Unit", "peel common"),
    ],
)
def test_name_stem(name, stem):
    assert name_stem(name) == stem


@pytest.fixture(scope="module")
def pairs(hampshire):
    return feeder_pairs(hampshire.schools)


def test_hampshire_pairs_found_with_their_rule(hampshire, pairs):
    name = dict(zip(hampshire.schools["URN"], hampshire.schools["name"]))
    found = {(name[p.feeder], name[p.receiver]) for p in pairs}
    for infant, junior in [
        ("Foxhills Infant School", "Foxhills Junior School"),
        ("Bursledon Church of England Infant School", "Bursledon Junior School(CA)"),
        ("Lydlynch Infant School", "Abbotswood Junior School"),
        ("Kempshott Infant School", "Kempshott Junior School"),
    ]:
        assert (infant, junior) in found
    assert 80 <= len(pairs) <= 100  # the issue counts about 89 pairs in Hampshire
    assert len({p.feeder for p in pairs}) == len(pairs)  # each infant school in one pair
    assert all(p.distance_m <= (SAME_NAME_M if p.rule == "same name" else NEXT_DOOR_M) for p in pairs)
    assert all("Infant" in name[p.feeder] and "Junior" in name[p.receiver] for p in pairs)
    assert sum(p.distance_m < 1 for p in pairs) >= 25  # pairs on one site


def test_default_plans_split_no_pair(hampshire):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kept = make_plan(hampshire, PlanSpec(), 23, solver="heuristic")
        ignored = make_plan(hampshire, PlanSpec(feeders="ignore"), 23, solver="heuristic")
    assert kept.details["feeder_pairs"]["split"] == [] and kept.details["feeder_pairs"]["mode"] == "together"
    assert lock_problems(kept, hampshire) == []
    assert ignored.details["feeder_pairs"]["split"]  # without the rule the search divides some pairs
    assert "nofeed" in name_qualifiers(ignored.spec)  # its configuration name says the rule is off
    groups = feeder_groups(hampshire.schools)
    split = set(ignored.details["feeder_pairs"]["split"])
    broken = lock_problems(replace(ignored, spec=PlanSpec()), hampshire)  # checked as if the rule were on
    assert len([p for p in broken if p.startswith("feeder pair")]) == len(split) <= len(groups)


def test_an_apart_lock_on_a_pair_is_refused_with_the_fix(hampshire, pairs):
    p = pairs[0]
    spec = PlanSpec(locks=Locks(apart=((p.feeder, p.receiver),)))
    with pytest.raises(
        InfeasibleError, match=r"^feeder pair .* cannot be kept in one partnership: an apart lock"
    ) as err:
        make_plan(hampshire, spec, 23, solver="heuristic")
    assert "--feeders ignore" in str(err.value.fix)
