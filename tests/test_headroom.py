"""Headroom and robustness (issue 21): room inside the pupil bound, measured from the assignment alone."""

from __future__ import annotations

import numpy as np
import pytest

from partition.model.headroom import NEAR_POINTS, headroom
from partition.model.spec import PlanSpec, SizeBound


def test_balanced_plan_has_room_and_survives_roll_changes():
    pupils = np.full(40, 100.0)
    labels = np.repeat(np.arange(4), 10)
    room = headroom(pupils, labels, PlanSpec(), 4)
    assert room.near_limit == 0 and room.median_deviation == 0
    assert room.robustness == 1.0  # ±3 % per school cannot move a partnership of ten 10 % off the mean
    assert room.by_partnership == {p: pytest.approx(100.0) for p in range(4)}  # 10 % of 1,000 pupils


def test_plan_on_the_limits_is_near_and_fragile():
    pupils = np.array([110.0, 90.0, 100.0, 100.0])  # partnerships of 110 and 90 against a mean of 100
    labels = np.array([0, 1, 2, 3])
    room = headroom(pupils, labels, PlanSpec(), 4)
    assert room.near_limit == 2
    assert room.by_partnership[0] == pytest.approx(0.0) and room.by_partnership[2] == pytest.approx(10.0)
    assert 0.0 < room.robustness < 0.5
    again = headroom(pupils, labels, PlanSpec(), 4)
    assert again.robustness == room.robustness  # seeded: the same plan always gets the same figure


def test_no_pupil_bound_no_headroom():
    spec = PlanSpec(size=(SizeBound("n_schools", None, min=1, max=10),))
    assert headroom(np.ones(4), np.arange(4), spec, 4) is None


def test_hampshire_plan_reports_headroom(hampshire):
    import warnings

    from partition.planning.planner import make_plan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(hampshire, PlanSpec(), 23, solver="heuristic")
    p = plan.partnerships
    mean = p["pupils"].sum() / plan.k
    expected = np.minimum(p["pupils"] - 0.9 * mean, 1.1 * mean - p["pupils"]) / mean * 100
    assert np.allclose(p["headroom_pct"], expected.round(1), atol=0.051)
    room = plan.details["headroom"]
    assert room["near_limit"] == int((expected < NEAR_POINTS).sum())
    assert 0 <= room["robustness"] <= 1
