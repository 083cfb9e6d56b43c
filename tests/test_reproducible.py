"""Reproducibility and degenerate inputs: the plan is a function of inputs and seed only.

* HiGHS's work budget (nodes, model size), not the clock, decides which configuration is used; when
  the safety stop fires first, the run is refused (SafetyStopError), never given another plan.
* The main configuration does not depend on how many alternatives are asked for.
* k = 1 (and an LA of one school) is planned and scored; its ensemble rank is blank with a reason.
"""

from __future__ import annotations

import re
import warnings

import highspy
import numpy as np
import pandas as pd
import pytest
from tests.synthetic import grid_inputs

import partition.solvers.auto as auto
import partition.solvers.exact as exact
from partition.analysis.compare import add_ensemble_ranks, scorecard
from partition.analysis.ensemble import ONE_PARTNERSHIP, plan_percentiles, recom_chain
from partition.errors import SafetyStopError
from partition.model.spec import PlanSpec, SizeBound
from partition.planning.planner import alternatives, make_plan, with_alternatives
from partition.solvers.problem import build_problem
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
        warnings.simplefilter("error", ResultWarning)  # nothing to warn about here
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
    # HiGHS proves this one optimal at the root, under any safety stop it does not reach
    inputs = _grid(5, 6, 2)
    tiny, generous = _plan(inputs, 3, 0.04, time_limit=120), _plan(inputs, 3, 0.04, time_limit=3_600)
    assert tiny.details["exact"]["stop"] == generous.details["exact"]["stop"] == "optimal"
    assert tiny.details["chosen"] == generous.details["chosen"] == "exact, polished"  # the model's solution is used
    pd.testing.assert_frame_equal(tiny.assignments, generous.assignments)
    assert tiny.bound == generous.bound


def test_node_budget_stops_the_search_at_the_same_point_every_time(monkeypatch):
    monkeypatch.setattr(auto, "EXACT_NODE_BUDGET", 1)
    inputs = _grid(6, 6, 5)  # needs more than one node: the budget, not optimality, ends the search
    idle = _plan(inputs, 4, 0.04)  # the default safety stop
    # a loaded machine: every reading of the clock an hour later than the last (building the model seems to
    # take hours, which used to shorten HiGHS's time); the budget, and so the plan, must not depend on it
    readings = iter(range(0, 10**9, 3_600))
    monkeypatch.setattr(exact.time, "perf_counter", lambda: float(next(readings)))
    loaded = _plan(inputs, 4, 0.04, time_limit=3_600)
    assert loaded.details["exact"]["build_seconds"] >= 3_600  # the clock did say hours
    for plan in (idle, loaded):
        assert plan.details["exact"]["stop"] == "work budget"
        assert plan.details["exact"]["highs_status"] == "Solution limit reached"
    pd.testing.assert_frame_equal(idle.assignments, loaded.assignments)
    assert (idle.bound, idle.gap, idle.details["exact"]["objective"]) == (
        loaded.bound,
        loaded.gap,
        loaded.details["exact"]["objective"],
    )


def test_model_over_the_size_budget_is_not_searched(monkeypatch):
    monkeypatch.setattr(auto, "EXACT_MAX_VARIABLES", 100)
    inputs = _grid(5, 6, 2)
    plan = _plan(inputs, 3, 0.04, time_limit=600)
    ex = plan.details["exact"]
    assert ex["stop"] == "too large" and ex["status"] == "not searched"
    assert plan.details["chosen"].startswith(
        f"heuristic: the model has {ex['variables']:,} variables, more than the work budget of 100"
    )
    assert plan.bound is None and "lp_bound" not in ex  # wdist (objective "centroid") has no proven bound
    heuristic = make_plan(
        inputs, plan.spec, 3, solver="heuristic", heuristic_options={**FAST, "restarts": auto.AUTO_RESTARTS}
    )
    pd.testing.assert_frame_equal(plan.assignments, heuristic.assignments)


def test_when_the_safety_stop_fires_the_run_is_refused_not_given_another_plan(monkeypatch):
    inputs = _grid(5, 6, 2)  # within budget the model's (polished) solution is chosen here
    budgeted = _plan(inputs, 3, 0.04, time_limit=600)
    assert budgeted.details["chosen"] == "exact, polished"
    variables = budgeted.details["exact"]["variables"]
    _clock_fires_at(monkeypatch, 0.0)
    with pytest.raises(SafetyStopError) as caught:
        make_plan(inputs, budgeted.spec, 3, solver="auto", time_limit=600, heuristic_options=FAST)
    assert str(caught.value) == (
        f"the exact model of k = 3 ({variables:,} variables): HiGHS's safety stop of 600 s fired before its work "
        f"budget ({auto.EXACT_NODE_BUDGET} branch-and-bound nodes) was spent, so no plan is given (where a clock "
        "stops a search depends on the machine's load; nothing from it is used). Fix: plan again on a less loaded "
        "machine, or raise the safety stop (--time-limit, or time_limit in [solver])"
    )


def test_plan_command_refuses_with_exit_2_and_writes_nothing_when_the_safety_stop_fires(shared, monkeypatch, tmp_path):
    """The real command on Gosport's 29 schools (real GIAS rows, the shared Hampshire boundaries): one error line."""
    import csv

    from click.testing import CliRunner

    from partition.cli import cli

    source = shared / "schools" / "gias_2022_hampshire_850_open_primary_secondary.csv"
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header, rows = reader.fieldnames, [r for r in reader if r["DistrictAdministrative (name)"] == "Gosport"]
    schools = tmp_path / "gosport.csv"
    with schools.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    boundaries = shared / "boundaries" / "hampshire_districts_lad2023.geojson"
    _clock_fires_at(monkeypatch, 0.0)
    out = tmp_path / "out"
    args = ["plan", "--schools", str(schools), "--boundaries", str(boundaries), "--k", "2", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2 and "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]
    assert re.fullmatch(
        r"error: the exact model of k = 2 \([\d,]+ variables\): HiGHS's safety stop of 600 s fired before its "
        r"work budget \(50 branch-and-bound nodes\) was spent, so no plan is given \(where a clock stops a search "
        r"depends on the machine's load; nothing from it is used\)\. Fix: plan again on a less loaded machine, or "
        r"raise the safety stop \(--time-limit, or time_limit in \[solver\]\)",
        last,
    )
    assert sum(line.startswith("error: ") for line in result.stderr.splitlines()) == 1
    assert not out.exists()


def test_any_other_early_stop_of_highs_is_refused_as_a_fault(monkeypatch):
    """A HiGHS status that is neither finished nor the work budget (here an interrupt) is never a plan."""
    real = highspy.Highs

    class Interrupted(real):
        def getModelStatus(self):  # noqa: N802 (HiGHS's name)
            return highspy.HighsModelStatus.kInterrupt

    inputs = _grid(5, 6, 2)
    spec = PlanSpec(k=(3,), size=(SizeBound(tolerance=0.04),), random_state=0)
    monkeypatch.setattr(highspy, "Highs", Interrupted)
    with pytest.raises(
        SafetyStopError, match=r"^the exact model of k = 3 \([\d,]+ variables\): HiGHS stopped \("
    ) as caught:
        make_plan(inputs, spec, 3, solver="auto", heuristic_options=FAST)
    assert str(caught.value).endswith(
        "before its work budget (50 branch-and-bound nodes) was spent, so no plan is given. Fix: this is a fault "
        "of the solver, not of your data; please report it with the command you ran"
    )


def test_the_hub_bounds_safety_stop_is_refused_not_reported(monkeypatch):
    from partition.solvers import bounds

    inputs = _grid(5, 6, 2)
    spec = PlanSpec(k=(3,), size=(SizeBound(tolerance=0.04),), random_state=0, objective="hub")
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 3)
    readings = iter(range(0, 10**9, 3_600))
    monkeypatch.setattr(bounds.time, "perf_counter", lambda: float(next(readings)))
    with pytest.raises(SafetyStopError) as caught:
        bounds.hub_bound(problem, node_limit=400)
    assert str(caught.value) == (
        "the hub bound of k = 3: its safety stop of 600 s fired after 1 of its 400 nodes, so no bound is given "
        "(where a clock stops depends on the machine's load). Fix: plan again on a less loaded machine, or give "
        "the bound fewer nodes or more time"
    )


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
    plan = make_plan(inputs, spec, 1, solver="auto")
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
    plan = make_plan(inputs, PlanSpec(k=(1,)), 1, solver="auto")
    assert plan.status in ("feasible", "optimal")
    assert plan.assignments["URN"].tolist() == [1000] and plan.wdist_km == 0.0
    assert plan.scores["max_abs_deviation"] == pytest.approx(0.0)
    with pytest.warns(ResultWarning, match=ONE_PARTNERSHIP):
        assert plan_percentiles(inputs, [plan], 10, progress=False) == {}


def test_city_of_london_one_school(shared):
    """The real one-school LA (City of London, 201): planned at k = 1 without anchors, scored, no rank."""
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(
            shared / "schools/gias_2022_england_open_primary_secondary.csv",
            shared / "boundaries/topo_lad_eng_2013.json",
            la_codes=("201",),
        )
    assert len(inputs.schools) == 1
    plan = make_plan(inputs, PlanSpec(k=(1,), anchors=False), 1, solver="auto")
    assert plan.status in ("feasible", "optimal") and plan.wdist_km == 0.0
    with pytest.warns(ResultWarning, match=ONE_PARTNERSHIP):
        assert plan_percentiles(inputs, [plan], 10, progress=False) == {}
