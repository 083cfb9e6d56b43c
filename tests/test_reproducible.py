"""Reproducibility and degenerate inputs: the plan is a function of inputs and seed only.

* HiGHS's work budget (nodes, model size), not the clock, decides which configuration is used; when
  the clock stops HiGHS first, the plan is the heuristic's, whatever the moment, and says so.
* The main configuration does not depend on how many alternatives are asked for.
* k = 1 (and an LA of one school) is planned and scored; its ensemble rank is blank with a reason.
"""

from __future__ import annotations

import warnings

import highspy
import numpy as np
import pandas as pd
import pytest
from tests.synthetic import grid_inputs

import partition.planner as planner
from partition.compare import add_ensemble_ranks, scorecard
from partition.ensemble import ONE_PARTNERSHIP, plan_percentiles, recom_chain
from partition.planner import alternatives, make_plan, with_alternatives
from partition.problem import build_problem
from partition.spec import PlanSpec, SizeBound
from partition.warnings import ResultWarning

FAST = {"restarts": 1, "iterations": 10}


def _grid(rows: int, cols: int, seed: int):
    rng = np.random.default_rng(seed)
    pupils = rng.integers(50, 600, rows * cols).tolist()
    anchors = (rng.random(rows * cols) < 0.4).tolist()
    return grid_inputs(rows, cols, pupils, anchors)


def _plan(inputs, k: int, tolerance: float, **kwargs):
    spec = PlanSpec(k=(k,), size=(SizeBound(tolerance=tolerance),), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ResultWarning)  # the clock must not decide here
        return make_plan(inputs, spec, k, solver="auto", heuristic_options=FAST, **kwargs)


def _clock_fires_at(monkeypatch, seconds: float) -> None:
    """Make the clock stop HiGHS's branch and bound after ``seconds`` (the LP relaxation is left alone).

    A subclass rather than a patched instance: older highspy (1.7) makes ``run`` read-only on instances.
    """
    real = highspy.Highs

    class Clocked(real):
        def run(self):
            if any(t == highspy.HighsVarType.kInteger for t in self.getLp().integrality_):
                self.setOptionValue("time_limit", seconds)
            return super().run()

    monkeypatch.setattr(highspy, "Highs", Clocked)


# --- the work budget decides, not the clock ---------------------------------------------------------


def test_model_solved_within_budget_is_the_same_under_any_sufficient_time_limit():
    # HiGHS proves this one optimal at the root. A limit it needs to finish (not 0.001 s: exact.py gives HiGHS at
    # least 1 s, which a loaded machine can exceed, and then the clock, not the budget, decides; that case
    # is test_when_the_clock_fires_the_plan_is_the_heuristics_and_says_so, with a clock that fires on cue)
    inputs = _grid(5, 6, 2)
    tiny, generous = _plan(inputs, 3, 0.04, time_limit=120), _plan(inputs, 3, 0.04, time_limit=600)
    assert tiny.details["exact"]["stop"] == generous.details["exact"]["stop"] == "optimal"
    assert tiny.details["chosen"] == generous.details["chosen"] == "exact, polished"  # the model's solution is used
    pd.testing.assert_frame_equal(tiny.assignments, generous.assignments)
    assert tiny.bound == generous.bound


def test_node_budget_stops_the_search_at_the_same_point_every_time(monkeypatch):
    monkeypatch.setattr(planner, "EXACT_NODE_BUDGET", 1)
    inputs = _grid(6, 6, 5)  # needs more than one node: the budget, not optimality, ends the search
    a, b = _plan(inputs, 4, 0.04, time_limit=30), _plan(inputs, 4, 0.04, time_limit=600)
    assert a.details["exact"]["stop"] == b.details["exact"]["stop"] == "work budget"
    assert a.details["exact"]["highs_status"] == "Solution limit reached"
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    assert (a.bound, a.gap, a.details["exact"]["objective"]) == (b.bound, b.gap, b.details["exact"]["objective"])


def test_model_over_the_size_budget_is_not_searched(monkeypatch):
    monkeypatch.setattr(planner, "EXACT_MAX_VARIABLES", 100)
    inputs = _grid(5, 6, 2)
    plan = _plan(inputs, 3, 0.04, time_limit=600)
    ex = plan.details["exact"]
    assert ex["stop"] == "too large" and ex["status"] == "not searched"
    assert plan.details["chosen"].startswith(
        f"heuristic: the model has {ex['variables']:,} variables, more than the work budget of 100"
    )
    assert plan.bound is None and "lp_bound" not in ex  # wdist (objective "centroid") has no proven bound
    heuristic = make_plan(
        inputs, plan.spec, 3, solver="heuristic", heuristic_options={**FAST, "restarts": planner.AUTO_RESTARTS}
    )
    pd.testing.assert_frame_equal(plan.assignments, heuristic.assignments)


@pytest.mark.parametrize("seconds", [0.0, 0.05])
def test_when_the_clock_fires_the_plan_is_the_heuristics_and_says_so(monkeypatch, seconds):
    inputs = _grid(5, 6, 2)  # within budget the model's (polished) solution would be chosen here
    budgeted = _plan(inputs, 3, 0.04, time_limit=600)
    assert budgeted.details["chosen"] == "exact, polished"
    _clock_fires_at(monkeypatch, seconds)
    spec = budgeted.spec
    with pytest.warns(
        ResultWarning,
        match=r"k = 3: the time limit \(600 s asked; HiGHS had [\d.]+ s after building the model\) stopped the search "
        r"before its work budget was spent",
    ):
        clocked = make_plan(inputs, spec, 3, solver="auto", time_limit=600, heuristic_options=FAST)
    ex = clocked.details["exact"]
    assert ex["stop"] == "time limit" and ex["status"] == "not searched" and "at_stop" in ex
    assert clocked.details["chosen"].startswith("heuristic: the time limit")
    heuristic = make_plan(
        inputs, spec, 3, solver="heuristic", heuristic_options={**FAST, "restarts": planner.AUTO_RESTARTS}
    )
    pd.testing.assert_frame_equal(clocked.assignments, heuristic.assignments)
    # nothing from where the search stopped: no bound (the model's is not one on wdist), no gap
    assert clocked.bound is None and clocked.gap is None and ex["bound"] is None


def test_a_tiny_time_limit_gives_highs_its_floor_and_records_it():
    """A limit below the floor is raised to it, and the details say what HiGHS actually had."""
    from partition.solvers.exact import MIN_HIGHS_SECONDS

    inputs = _grid(5, 6, 2)
    spec = PlanSpec(k=(3,), size=(SizeBound(tolerance=0.04),), random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", ResultWarning
        )  # a loaded machine may still stop HiGHS: that is said, not raised
        plan = make_plan(inputs, spec, 3, solver="auto", heuristic_options=FAST, time_limit=0.001)
    assert plan.details["exact"]["highs_time_limit_s"] == MIN_HIGHS_SECONDS


def test_fallback_does_not_depend_on_when_the_clock_fired(monkeypatch):
    inputs = _grid(5, 6, 2)
    spec = PlanSpec(k=(3,), size=(SizeBound(tolerance=0.04),), random_state=0)
    plans = []
    for seconds in (0.0, 0.2):
        _clock_fires_at(monkeypatch, seconds)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResultWarning)
            plans.append(make_plan(inputs, spec, 3, solver="auto", time_limit=600, heuristic_options=FAST))
    pd.testing.assert_frame_equal(plans[0].assignments, plans[1].assignments)
    assert (plans[0].bound, plans[0].gap) == (plans[1].bound, plans[1].gap)


# --- alternatives do not change the main configuration ----------------------------------------------


def test_main_configuration_does_not_depend_on_the_number_of_alternatives():
    # a weak main plan (no local search), so that alternatives beat it: the best alternative has a lower
    # wdist with n = 2 than with n = 1 (more candidates are drawn), which used to change the main plan
    inputs = _grid(5, 6, 0)
    spec = PlanSpec(k=(3,), size=(SizeBound(tolerance=0.2),), random_state=0)
    options = {"restarts": 1, "iterations": 0}
    main0 = make_plan(inputs, spec, 3, solver="heuristic", heuristic_options=options)
    best_alternative = []
    for n in (1, 2, 3):
        main = make_plan(inputs, spec, 3, solver="heuristic", heuristic_options=options)
        alts = alternatives(
            inputs, spec, 3, n=n, min_difference=1, within=0.5, heuristic_options=options, reference=main
        )
        batch = with_alternatives(main, alts)
        assert batch[0] is main and batch[0].name == "k3-ignore"
        pd.testing.assert_frame_equal(batch[0].assignments, main0.assignments)
        assert batch[0].objective == main0.objective
        assert [p.name for p in batch[1:]] == [f"k3-ignore-alt{i}" for i in range(1, n + 1)]
        assert all(
            a.details["better_than_main"] == (a.objective < main.objective) for a in batch[1:]
        )  # the noted copies
        best_alternative.append(min(a.objective for a in alts))
    assert best_alternative[0] > best_alternative[1] and best_alternative[0] < main0.objective


# --- k = 1 -------------------------------------------------------------------------------------------


def test_one_partnership_is_scored_and_its_ensemble_rank_is_blank_with_a_reason():
    inputs = grid_inputs(3, 3, [300] * 9, [True] * 9)
    spec = PlanSpec(k=(1,), random_state=0)
    plan = make_plan(inputs, spec, 1, solver="auto", time_limit=30)
    assert plan.status in ("feasible", "optimal") and plan.k == 1
    assert plan.assignments["partnership_id"].unique().tolist() == ["P01"]
    # every square 1 km, schools at the centres: mean distance to the middle square's centre
    expected = (4 * 1.0 + 4 * np.sqrt(2)) / 9
    assert plan.wdist_km == pytest.approx(expected)
    assert plan.scores["max_abs_deviation"] == pytest.approx(0.0)
    with pytest.warns(ResultWarning, match=f"k1-ignore: no ensemble rank: {ONE_PARTNERSHIP}"):
        ranks = plan_percentiles(inputs, [plan], 20, progress=False)
    assert ranks == {}
    table = add_ensemble_ranks(scorecard([plan]), [plan], ranks, 20)
    assert np.isnan(table.at["k1-ignore", "rank_wdist_km"])  # a number column: NaN, not "" among "97%" strings
    assert table.at["k1-ignore", "rank_note"] == ONE_PARTNERSHIP


def test_ranked_and_unranked_plans_side_by_side():
    inputs = grid_inputs(2, 4, [200] * 8, [True] * 8)
    spec = PlanSpec(k=(1, 2), random_state=0)
    one, two = (make_plan(inputs, spec, k, solver="heuristic") for k in (1, 2))
    with pytest.warns(ResultWarning, match="k1-ignore: no ensemble rank"):
        ranks = plan_percentiles(inputs, [one, two], 20, progress=False)
    assert list(ranks) == ["k2-ignore"] and 0 <= ranks["k2-ignore"]["wdist_km"] <= 1
    table = add_ensemble_ranks(scorecard([one, two]), [one, two], ranks, 20)
    assert table.at["k2-ignore", "rank_note"] == ""
    assert table.at["k2-ignore", "rank_wdist_km"] == pytest.approx(100 * ranks["k2-ignore"]["wdist_km"])  # in %


def test_recom_chain_refuses_one_partnership_clearly():
    inputs = grid_inputs(2, 2, [100] * 4, [True] * 4)
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, PlanSpec(k=(1,)), 1)
    with pytest.raises(ValueError, match="two partnerships or more: one partnership"):
        next(recom_chain(problem, np.zeros(problem.n, dtype=int), 5))


def test_la_with_one_school():
    inputs = grid_inputs(1, 1, [250], [True])
    plan = make_plan(inputs, PlanSpec(k=(1,)), 1, solver="auto", time_limit=30)
    assert plan.status in ("feasible", "optimal")
    assert plan.assignments["URN"].tolist() == [1000] and plan.wdist_km == 0.0
    assert plan.scores["max_abs_deviation"] == pytest.approx(0.0)
    with pytest.warns(ResultWarning, match=ONE_PARTNERSHIP):
        assert plan_percentiles(inputs, [plan], 10, progress=False) == {}


def test_city_of_london_one_school(shared):
    """The real one-school LA (City of London, 201): planned at k = 1 without anchors, scored, no rank."""
    from partition.pipeline import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(
            shared / "schools/gias_2022_england_open_primary_secondary.csv",
            shared / "boundaries/topo_lad_eng_2013.json",
            la_codes=("201",),
        )
    assert len(inputs.schools) == 1
    plan = make_plan(inputs, PlanSpec(k=(1,), anchors=False), 1, solver="auto", time_limit=30)
    assert plan.status in ("feasible", "optimal") and plan.wdist_km == 0.0
    with pytest.warns(ResultWarning, match=ONE_PARTNERSHIP):
        assert plan_percentiles(inputs, [plan], 10, progress=False) == {}
