"""The preferred band (partition.model.balance): its arithmetic, the heuristic's bookkeeping of it, the recombination's
price of a cut, and what it does to a plan."""

from __future__ import annotations

import numpy as np
import pytest

from partition.errors import SpecError
from partition.model.balance import Balance
from partition.model.scoring import wdist_km
from partition.model.spec import PlanSpec, SizeBound
from partition.solvers.heuristic import _recombine, _State, solve_heuristic
from partition.solvers.problem import build_problem
from partition.solvers.recombination import Sizes, below, cut_costs, merged_area, random_tree
from synthetic import grid_inputs


def _grid(rows: int = 5, cols: int = 6):
    rng = np.random.default_rng(11)
    pupils = rng.integers(50, 400, rows * cols).tolist()
    anchors = [i % 3 == 0 for i in range(rows * cols)]
    return grid_inputs(rows, cols, pupils, anchors)


def _points_oracle(pupils_by_partnership: np.ndarray, tolerance: float) -> float:
    """Σ over partnerships of percentage points of the mean beyond ±tolerance/2 of it, and 5 times those within one
    point of ±tolerance (by hand, not the module)."""
    mean = pupils_by_partnership.mean()
    return float(sum(_points_by_hand(abs(s - mean) / mean, tolerance) for s in pupils_by_partnership))


def _points_by_hand(deviation: float, tolerance: float) -> float:
    return max(0.0, deviation - tolerance / 2) * 100 + 5 * max(0.0, deviation - (tolerance - 0.01)) * 100


def test_band_by_hand():
    band = Balance.of(np.array([90.0, 2.0]), np.array([110.0, np.inf]), np.array([300.0, 9.0]), 3, 0.01)
    assert band.low.tolist() == [95.0, 2.5] and band.high[0] == 105.0 and np.isinf(band.high[1])
    sums = np.array([[112.0, 3.0], [100.0, 1.0], [93.0, 2.5]])
    # 7 points above; 1.5 schools below 2.5 of a mean of 3 = 50 points; 2 points below
    assert band.points_outside(sums).tolist() == pytest.approx([7.0, 50.0, 2.0])
    # the last point before a hard limit (109-110; 2-2.03 schools) costs MARGIN_WEIGHT = 5 times more again
    assert band.margin_low.tolist() == pytest.approx([91.0, 2.03]) and band.margin_high[0] == 109.0
    assert band.points_near(sums).tolist() == pytest.approx([3.0, 103 / 3, 0.0])
    assert band.penalty_km(sums).tolist() == pytest.approx([0.07 + 0.15, 0.5 + 5.15 / 3, 0.02])
    free = Balance.of(np.array([90.0]), np.array([110.0]), np.array([300.0]), 3, 0.0)
    assert free.penalty_km(np.array([[109.0]])).tolist() == [0.0]


def test_heuristic_bookkeeping_and_move_deltas_include_the_balance_term():
    inputs = _grid()
    spec = PlanSpec(k=(4,), size=(SizeBound("pupils", 0.6),), balance_penalty_km=0.05)
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 4)
    assert problem.balance_km_per_point == 0.05
    start = solve_heuristic(problem, iterations=5, random_state=1).labels
    state = _State(problem, start)
    rng = np.random.default_rng(3)
    sizes = Sizes.of(problem)
    checked = 0
    for _ in range(5):
        _recombine(state, sizes, rng, 3)
        labels = state.labels
        pupils = np.bincount(labels, weights=problem.attrs["pupils"], minlength=4)
        expected = wdist_km(problem.point_xy, problem.point_w, labels[problem.point_block], 4)
        expected += 0.05 * _points_oracle(pupils, 0.6)
        assert state.objective() == pytest.approx(expected, rel=1e-12)
        for u in state.boundary().tolist():
            p = int(state.labels[u])
            for q in state.targets(u):
                ok, d, _, _ = state.evaluate(u, p, q)
                if ok:
                    before = state.objective()
                    state.apply(u, p, q)
                    assert state.objective() - before == pytest.approx(d, abs=1e-9)
                    state.apply(u, q, p)
                    checked += 1
    assert checked > 20


def test_cut_costs_price_each_half_outside_the_band():
    inputs = _grid()
    spec = PlanSpec(k=(4,), size=(SizeBound("pupils", 0.6),), balance_penalty_km=0.05)
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 4)
    labels = solve_heuristic(problem, iterations=5, random_state=1).labels
    p = 0
    q = int(next(labels[v] for u in np.flatnonzero(labels == 0) for v in problem.neighbours[u] if labels[v]))
    area = merged_area(problem, labels, p, q)
    node_attr = Sizes.of(problem).attr[area.nodes]
    n = len(area.nodes)
    root, order, parent = random_tree(n, area.su, area.sv, np.random.default_rng(0))
    members = below(order, parent, n)[np.flatnonzero(np.arange(n) != root)]
    term = cut_costs(area, members, 0.0, problem.total_pupils, (problem.balance, node_attr)) - cut_costs(
        area, members, 0.0, problem.total_pupils
    )
    mean = problem.attrs["pupils"].sum() / 4
    pupils = problem.attrs["pupils"][area.nodes]
    for half, value in zip(members, term):
        a, b = pupils[half].sum(), pupils[~half].sum()
        by_hand = sum(_points_by_hand(abs(s - mean) / mean, 0.6) for s in (a, b)) * 0.05
        assert value == pytest.approx(by_hand, abs=1e-9)


def test_a_strong_preference_brings_sizes_towards_the_mean():
    inputs = _grid(6, 8)
    deviations = []
    for penalty in (0.0, 1.0):
        spec = PlanSpec(k=(4,), size=(SizeBound("pupils", 0.3),), anchors=False, balance_penalty_km=penalty)
        problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 4)
        labels = solve_heuristic(problem, iterations=200, random_state=0).labels
        pupils = np.bincount(labels, weights=problem.attrs["pupils"], minlength=4)
        deviations.append(np.abs(pupils / pupils.mean() - 1).max())
    assert deviations[1] <= 0.15 + 1e-9 < deviations[0]


@pytest.mark.parametrize("bad", [-0.01, float("inf"), float("nan")])
def test_a_bad_penalty_is_refused(bad):
    with pytest.raises(SpecError, match="balance_penalty_km"):
        PlanSpec(balance_penalty_km=bad)


def test_the_name_and_description_say_when_the_preference_is_not_the_default():
    from partition.model.plan import configuration_name

    assert configuration_name(23, "ignore", spec=PlanSpec(k=(23,))) == "k23-ignore"
    assert configuration_name(23, "ignore", spec=PlanSpec(k=(23,), balance_penalty_km=0)) == "k23-ignore-bal0"
    assert "sizes anywhere within the bounds" in PlanSpec(balance_penalty_km=0).describe()
    assert "sizes near the mean" in PlanSpec().describe()


class _StopError(Exception):
    """Stops ``partition run`` once it has its scenario."""


def test_the_option_and_the_file_key_set_the_preference_and_refuse_bad_values(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from partition.cli import cli
    from partition.runs import workflow

    spec = tmp_path / "spec.toml"
    spec.write_text("k = [23]\nbalance_penalty_km = -0.5\n")
    with pytest.raises(SpecError) as err:
        PlanSpec.from_toml(spec)
    assert "balance_penalty_km" in str(err.value) and "line 2" in str(err.value)
    spec.write_text("k = [23]\nbalance_penalty_km = 0\n")
    assert PlanSpec.from_toml(spec).balance_penalty_km == 0
    seen = {}

    def fake_run(scenario, *args, **kwargs):
        seen["spec"] = scenario.spec
        raise _StopError

    monkeypatch.setattr(workflow, "run", fake_run)
    scenario = tmp_path / "s.toml"
    scenario.write_text("[spec]\nk = [23]\nbalance_penalty_km = 0.02\n")
    result = CliRunner().invoke(cli, ["run", str(scenario)])
    assert isinstance(result.exception, _StopError) and seen["spec"].balance_penalty_km == 0.02
    result = CliRunner().invoke(cli, ["run", str(scenario), "--balance-penalty", "0"])
    assert isinstance(result.exception, _StopError) and seen["spec"].balance_penalty_km == 0
    result = CliRunner().invoke(cli, ["plan", "--balance-penalty", "-1", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "--balance-penalty" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def _village_grid():
    """A 4 × 5 grid whose schools lie in four villages (GIAS Locality), five schools each, in columns."""
    inputs = _grid(4, 5)
    villages = ["Ashley", "Bramley", "Crondall", "Dummer"]
    inputs.schools["locality"] = [villages[min(i % 5, 3)] for i in range(20)]
    return inputs


def test_settlement_bookkeeping_move_deltas_and_cut_costs_match_a_recount():
    """With settlements preferred whole, the heuristic counts each village's partnerships as blocks move; each
    move's delta is the objective's change; the recombination's settlement term is, per cut, the villages of the
    area with schools in both halves."""
    from partition.data.places import school_places

    inputs = _village_grid()
    spec = PlanSpec(
        k=(4,), size=(SizeBound("pupils", 0.6),), settlement_penalty_km=0.2, balance_penalty_km=0, anchors=False
    )
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 4)
    assert problem.settlement_names == ("Ashley", "Bramley", "Crondall", "Dummer")
    place = school_places(inputs.schools)["place"].to_numpy()

    def recount(labels):
        by_school = labels[problem.point_block]
        return sum(len(set(by_school[place == v])) - 1 for v in problem.settlement_names)

    state = _State(problem, solve_heuristic(problem, iterations=5, random_state=2).labels)
    rng = np.random.default_rng(1)
    sizes = Sizes.of(problem)
    for _ in range(4):
        _recombine(state, sizes, rng, 3)
        assert state.settlement_splits() == recount(state.labels)
        wdist = wdist_km(problem.point_xy, problem.point_w, state.labels[problem.point_block], 4)
        assert state.objective() == pytest.approx(wdist + 0.2 * recount(state.labels), rel=1e-12)
        for u in state.boundary().tolist():
            p = int(state.labels[u])
            for q in state.targets(u):
                ok, d, _, _ = state.evaluate(u, p, q)
                if ok:
                    before = state.objective()
                    state.apply(u, p, q)
                    assert state.objective() - before == pytest.approx(d, abs=1e-9)
                    state.apply(u, q, p)
    labels = state.labels
    q = int(next(labels[v] for u in np.flatnonzero(labels == 0) for v in problem.neighbours[u] if labels[v]))
    area = merged_area(problem, labels, 0, q)
    n = len(area.nodes)
    root, order, parent = random_tree(n, area.su, area.sv, np.random.default_rng(4))
    members = below(order, parent, n)[np.flatnonzero(np.arange(n) != root)]
    term = (
        cut_costs(area, members, 0.0, problem.total_pupils)
        - cut_costs(area.__class__(**{**area.__dict__, "town_penalty_km": 0.0}), members, 0.0, problem.total_pupils)
    ) / 0.2
    mine = place[np.isin(problem.point_block, area.nodes)]
    side = members[:, area.point_node]
    assert term.tolist() == pytest.approx(
        [sum(len(set(row[mine == v].tolist())) == 2 for v in set(mine)) for row in side]
    )


def test_settlements_ignored_count_nothing_and_the_name_says_so():
    from partition.model.plan import configuration_name

    inputs = _village_grid()
    spec = PlanSpec(k=(4,), size=(SizeBound("pupils", 0.6),), settlements="ignore")
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 4)
    assert problem.point_settlement is None and problem.settlement_penalty_km == 0
    assert _State(problem, np.arange(20) % 4).settlement_splits() == 0
    assert configuration_name(23, "ignore", spec=PlanSpec(k=(23,), settlements="ignore")) == "k23-ignore-nosettle"
    assert "towns kept whole" in PlanSpec().describe()
