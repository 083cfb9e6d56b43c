"""The scoring kernels (wdist, district splits, cut edges) and the incremental versions tested against them:
the heuristic's bookkeeping after moves, the ensemble's evaluator, and scoring's per-partnership table.
Also the problem builders: a frozen Problem with the spec's rules resolved."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from partition.analysis.ensemble import _Evaluator, recom_chain
from partition.errors import SpecError
from partition.model.scoring import (
    configuration_scores,
    count_cut_edges,
    count_district_splits,
    cut_edges,
    wdist,
    wdist_km,
)
from partition.model.spec import PlanSpec, SizeBound
from partition.solvers.heuristic import _State, solve_heuristic
from partition.solvers.problem import build_problem, limits
from synthetic import grid_inputs


def _grid(rows: int = 4, cols: int = 6):
    rng = np.random.default_rng(7)
    pupils = rng.integers(50, 400, rows * cols).tolist()
    anchors = [i % 3 == 0 for i in range(rows * cols)]
    districts = ["A" if i % cols < 2 else ("B" if i % cols < 4 else "C") for i in range(rows * cols)]
    return grid_inputs(rows, cols, pupils, anchors, districts)


def test_wdist_kernel_by_hand():
    # group 0: two schools 2 km apart, equal pupils -> 1 km each; group 1: one school -> 0 km
    xy = np.array([[0.0, 0.0], [2.0, 0.0], [5.0, 5.0]])
    w = np.array([10.0, 10.0, 30.0])
    assert wdist_km(xy, w, np.array([0, 0, 1])) == pytest.approx(20 / 50)
    # unequal pupils: centroid at 0.5 km from the heavier school
    assert wdist_km(xy[:2], np.array([30.0, 10.0]), np.array([0, 0])) == pytest.approx((30 * 0.5 + 10 * 1.5) / 40)
    assert wdist_km(xy, np.zeros(3), np.array([0, 0, 1])) == 0.0


def test_wdist_kernel_matches_per_partnership_loop_and_ignores_numbering():
    rng = np.random.default_rng(3)
    xy_m = rng.uniform(400_000, 480_000, size=(300, 2))
    w = rng.integers(0, 900, 300).astype(float)
    labels = rng.integers(0, 12, 300)
    value = wdist_km(xy_m / 1000.0, w, labels)
    assert value == pytest.approx(wdist(xy_m, w, labels), rel=1e-12)
    renumbered = rng.permutation(12)[labels]
    assert wdist_km(xy_m / 1000.0, w, renumbered) == value  # exactly: same partition, same figure


def test_split_and_cut_kernels_by_hand():
    labels = np.array([0, 0, 1, 1, 1])
    districts = np.array([0, 1, 1, 1, 2])
    assert count_district_splits(labels, districts) == 2  # partnership 0 touches 2 districts, partnership 1 two
    assert count_district_splits(np.array([4, 4]), np.array([0, 0])) == 0
    # as planners count: district 1 is divided between partnerships 0 and 1 (1 split); districts 0 and 2 whole
    assert count_district_splits(labels, districts, per="district") == 1
    edges = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [0, 4]])
    assert count_cut_edges(edges, labels) == 2
    assert count_cut_edges(np.zeros((0, 2), dtype=int), labels) == 0


def test_scoring_uses_the_kernels_consistently():
    inputs = _grid()
    spec = PlanSpec(k=(3,), size=(SizeBound("pupils", 0.5),))
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, len(inputs.units))
    scores = configuration_scores(inputs.schools, labels, inputs.graph, spec, 3, inputs.units)
    table = scores["table"]
    assert scores["district_splits"] == int((table["n_districts"] - 1).sum())
    loop = sum(1 for a, b in inputs.graph.edges() if labels[a] != labels[b])
    assert scores["cut_edges"] == cut_edges(inputs.graph, labels) == loop


def _moves(state: _State, rng: np.random.Generator, n: int) -> None:
    for _ in range(n):
        u = int(rng.choice(state.boundary()))
        p = int(state.labels[u])
        targets = state.targets(u)
        if targets and state.movable(u, p):
            state.apply(u, p, int(rng.choice(targets)))


@pytest.mark.parametrize("districts", ["ignore", "penalise"])
def test_heuristic_bookkeeping_matches_the_kernels_after_moves(districts):
    inputs = _grid(5, 6)
    spec = PlanSpec(
        k=(4,), size=(SizeBound("pupils", 0.6),), districts=districts, split_penalty_km=0.3, balance_penalty_km=0
    )
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 4)
    start = solve_heuristic(problem, iterations=5, random_state=1).labels
    state = _State(problem, start)
    rng = np.random.default_rng(5)
    for _ in range(4):
        _moves(state, rng, 6)
        labels = state.labels
        kernel_wdist = wdist_km(problem.point_xy, problem.point_w, labels[problem.point_block], problem.k)
        assert state.cost.sum() / state.total_w == pytest.approx(kernel_wdist, rel=1e-12)
        assert state.splits() == count_district_splits(labels, state.block_district)
        assert state.objective() == pytest.approx(kernel_wdist + problem.split_penalty_km * state.splits(), rel=1e-12)
        cut = problem.edges[labels[problem.edges[:, 0]] != labels[problem.edges[:, 1]]]
        assert state.boundary().tolist() == sorted(set(cut.ravel().tolist()))
        assert len(cut) == count_cut_edges(problem.edges, labels)
    state.undo(0)
    assert state.labels.tolist() == start.tolist()


def test_ensemble_evaluator_matches_scoring():
    inputs = _grid(5, 6)
    spec = PlanSpec(k=(4,), size=(SizeBound("pupils", 0.6),))
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 4)
    start = solve_heuristic(problem, iterations=5, random_state=1).labels
    evaluate = _Evaluator(problem)
    for labels in recom_chain(problem, start, 5, random_state=2):
        unit_labels = problem.unit_labels(labels)  # one unit per block, one school per unit
        scores = configuration_scores(inputs.schools, unit_labels, inputs.graph, spec, 4, inputs.units)
        metrics = evaluate(labels)
        assert metrics["wdist_km"] == pytest.approx(scores["wdist_km"], rel=1e-12)
        assert metrics["district_splits"] == scores["district_splits"]
        assert metrics["cut_edges"] == scores["cut_edges"]
        assert metrics["max_abs_deviation"] == pytest.approx(scores["max_abs_deviation"], rel=1e-12)


def test_problem_is_frozen_with_resolved_rules():
    inputs = _grid()
    base = PlanSpec(k=(3,), size=(SizeBound("pupils", 0.5),), split_penalty_km=0.2)
    plain = build_problem(inputs.units, inputs.graph, inputs.schools, base, 3)
    assert (plain.needs_anchors, plain.split_penalty_km, plain.nest) == (True, 0.0, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plain.k = 4  # type: ignore[misc]
    penalise = build_problem(
        inputs.units, inputs.graph, inputs.schools, dataclasses.replace(base, districts="penalise"), 3
    )
    assert penalise.split_penalty_km == 0.2
    nest = build_problem(
        inputs.units, inputs.graph, inputs.schools, dataclasses.replace(base, districts="nest", anchors=False), 3
    )
    assert nest.nest and not nest.needs_anchors
    # block centres: pupil-weighted, in km (one school per unit at its square's centre)
    assert plain.block_xy[0].tolist() == pytest.approx([0.5, 0.5])
    assert plain.edges.shape == (sum(len(nb) for nb in plain.neighbours) // 2, 2)


def test_limits_builder_names_a_missing_attribute():
    attrs = {"pupils": np.array([100.0, 300.0])}
    assert limits([SizeBound("pupils", 0.1)], attrs, 2)["pupils"] == pytest.approx((180.0, 220.0))
    assert limits([SizeBound("pupils", 0.1)], attrs, 2, totals={"pupils": 1000.0})["pupils"] == pytest.approx(
        (450.0, 550.0)
    )
    with pytest.raises(SpecError, match="size bound on 'population' but the units carry no such figure"):
        limits([SizeBound("population", 0.1)], attrs, 2)


def test_locked_units_are_contracted_with_the_path_between_them():
    from partition.model.spec import Locks

    inputs = _grid(3, 3)
    urn = inputs.schools["URN"].astype(int).tolist()
    spec = PlanSpec(k=(2,), size=(SizeBound("pupils", 0.9),), anchors=False, locks=Locks(together=((urn[0], urn[2]),)))
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 2)
    assert problem.blocks[0].tolist() == [0, 1, 2]  # the top row: both locked units and the one between
    assert problem.n == 7
    assert pd.Series(problem.point_block).value_counts()[0] == 3


def test_exact_shortest_path_rule_refusing_the_warm_start_is_reported_not_a_crash():
    """A warm-start partnership whose block reaches its centre only through the other partnership breaks the
    shortest-path rule: the warm start is not used (it used to raise KeyError in building its values)."""
    from partition.solvers.exact import WARM_START_BREAKS_PATH_RULE, solve_exact

    inputs = grid_inputs(4, 4, [100] * 16, [False] * 16)
    spec = PlanSpec(k=(2,), anchors=False, size=(SizeBound("pupils", 0.9),))
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 2)
    warm = np.array([[1, 1, 0, 1], [1, 1, 0, 1], [1, 0, 0, 1], [1, 1, 1, 1]]).ravel()
    result = solve_exact(problem, warm_start=warm, contiguity="shortest-path", candidates=1)
    assert result.details["warm_start"] == WARM_START_BREAKS_PATH_RULE
    cold = solve_exact(problem, contiguity="shortest-path", candidates=1)
    assert (result.status, result.objective) == (cold.status, cold.objective)  # decided by the model alone
    # the same warm start under the exact (flow) rule is used
    assert solve_exact(problem, warm_start=warm, candidates=1).details["warm_start"] == "given"


def test_reported_district_splits_are_the_planners_count(hampshire):
    """plan.json, the CLI line and the comparison table give one figure: Σ over districts of (pieces − 1)."""
    import warnings

    from partition.analysis.agreement import district_division
    from partition.model.spec import PlanSpec
    from partition.planning.planner import make_plan

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(hampshire, PlanSpec(k=(23,)), 23, solver="heuristic", heuristic_options={"iterations": 5})
    pieces = plan.scores["district_pieces"]
    assert plan.scores["district_splits"] == sum(n - 1 for n in pieces.values()) == district_division(plan)[1]


def _trust_grid():
    """The 5 × 6 grid with a second school on four sites (co-located, of another trust) and four trusts."""
    import geopandas as gpd

    inputs = _grid(5, 6)
    schools = inputs.schools
    extra = schools.iloc[[0, 7, 14, 21]].copy()
    extra["URN"] = extra["URN"] + 500
    both = gpd.GeoDataFrame(pd.concat([schools, extra], ignore_index=True), crs=schools.crs)
    rng = np.random.default_rng(11)
    trust = rng.choice(["Trust A", "Trust B", "Trust C", "Trust D", ""], len(both))
    trust[len(schools) :] = ["Trust A", "Trust B", "Trust C", "Trust D"]
    trust[[0, 7, 14, 21]] = ["Trust B", "Trust C", "Trust D", "Trust A"]  # each site holds two trusts
    both["trust"] = trust
    return dataclasses.replace(inputs, schools=both)


def _trust_recount(problem, schools, labels) -> int:
    """Trust splits from scratch: the federations module's count over the URNs' partnerships."""
    from partition.data.federations import trust_splits, trusts

    partnership_of = dict(zip(schools["URN"].astype(int), labels[problem.point_block].tolist()))
    return trust_splits(trusts(schools), partnership_of)


def test_trust_bookkeeping_and_cut_costs_match_a_recount():
    """The heuristic's trust counts (blocks holding schools of two trusts) give the plan's trust splits after
    random moves, recombinations and an undo; each move's delta is the objective's change; and cut_costs' trust
    term is, per cut, the trusts of the area with schools in both halves (the plan's count up to a constant)."""
    from partition.solvers.heuristic import _recombine
    from partition.solvers.recombination import Sizes, below, cut_costs, merged_area, random_tree, valid_cuts

    inputs = _trust_grid()
    spec = PlanSpec(
        k=(4,),
        size=(SizeBound("pupils", 0.6),),
        districts="penalise",
        trusts="prefer",
        trust_penalty_km=0.3,
        balance_penalty_km=0,
    )
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 4)
    assert problem.trust_penalty_km == 0.3 and problem.trust_names == ("Trust A", "Trust B", "Trust C", "Trust D")
    assert problem.point_trust[[0, 30]].tolist() == [1, 0]  # the first site: Trust B and, co-located, Trust A
    start = solve_heuristic(problem, iterations=5, random_state=1).labels
    state = _State(problem, start)
    assert sum(len(ids) > 1 for ids, _ in state.trusts.block) == 4
    rng = np.random.default_rng(5)
    sizes = Sizes.of(problem)
    for _ in range(6):
        _moves(state, rng, 6)
        _recombine(state, sizes, rng, 3)
        labels = state.labels
        assert state.trust_splits() == _trust_recount(problem, inputs.schools, labels)
        kernel_wdist = wdist_km(problem.point_xy, problem.point_w, labels[problem.point_block], problem.k)
        trusts = _trust_recount(problem, inputs.schools, labels)
        expected = kernel_wdist + problem.split_penalty_km * state.splits() + 0.3 * trusts
        assert state.objective() == pytest.approx(expected, rel=1e-12)
        for u in state.boundary().tolist():  # every feasible move: its delta is the change in the objective
            p = int(state.labels[u])
            for q in state.targets(u):
                ok, d, _, _ = state.evaluate(u, p, q)
                if ok:
                    before = state.objective()
                    state.apply(u, p, q)
                    assert state.objective() - before == pytest.approx(d, abs=1e-9)
                    state.apply(u, q, p)
    state.undo(0)
    assert state.labels.tolist() == start.tolist()
    assert state.trust_splits() == _trust_recount(problem, inputs.schools, start)

    labels = state.labels
    p, q = 0, int(next(labels[v] for u in np.flatnonzero(labels == 0) for v in problem.neighbours[u] if labels[v]))
    area = merged_area(problem, labels, p, q)
    n = len(area.nodes)
    for _ in range(5):
        root, order, parent = random_tree(n, area.su, area.sv, rng)
        inside = below(order, parent, n)
        members = inside[np.flatnonzero(np.arange(n) != root)]  # every cut of the tree, valid or not
        term = (
            cut_costs(area, members, 0.0, problem.total_pupils)
            - cut_costs(dataclasses.replace(area, trust_penalty_km=0.0), members, 0.0, problem.total_pupils)
        ) / 0.3
        local_trust = problem.point_trust[np.flatnonzero(np.isin(problem.point_block, area.nodes))]
        side = members[:, area.point_node]
        recount = [  # per cut, Σ over the area's trusts of (halves holding its schools − 1)
            sum(len(set(row[local_trust == t].tolist())) - 1 for t in set(local_trust.tolist()) - {-1}) for row in side
        ]
        assert term == pytest.approx(recount, abs=1e-9)
        plan_splits = []
        for half in members:
            relabelled = labels.copy()
            relabelled[area.nodes] = np.where(half, p, q)
            plan_splits.append(_trust_recount(problem, inputs.schools, relabelled))
        assert len(set(np.round(term - np.array(plan_splits), 9).tolist())) == 1  # the same offset for every cut
        assert len(valid_cuts(sizes, area.nodes, root, order, parent, inside)) <= len(members)


def test_trusts_ignored_by_default_count_nothing():
    inputs = _trust_grid()
    problem = build_problem(
        inputs.units, inputs.graph, inputs.schools, PlanSpec(k=(4,), size=(SizeBound("pupils", 0.6),)), 4
    )
    assert problem.trust_penalty_km == 0.0 and len(problem.trust_names) == 4
    state = _State(problem, solve_heuristic(problem, iterations=5, random_state=1).labels)
    assert state.trusts is None and state.trust_splits() == 0
