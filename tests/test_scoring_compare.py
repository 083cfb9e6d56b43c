"""Metrics against values worked by hand, comparisons, existing configurations, alternatives, ensemble."""

from __future__ import annotations

import dataclasses
import io
import math
import warnings

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner
from tests.synthetic import grid_inputs

from partition.analysis.agreement import adjusted_rand, changed_schools, match_partnerships, variation_of_information
from partition.analysis.ensemble import _Evaluator, percentiles, recom_chain
from partition.cli import cli
from partition.data.configurations import read_assignment_csv
from partition.errors import InfeasibleError, InputFileError
from partition.model.scoring import contiguous_parts, cut_edges, district_pieces, polsby_popper, reock, wdist
from partition.model.spec import PlanSpec, SizeBound
from partition.planning.planner import alternatives, district_plan, make_plan, plan_from_assignment
from partition.runs.outputs import write_plan
from partition.solvers.problem import build_problem


def test_wdist_by_hand():
    assert wdist(np.array([[0, 0], [2000, 0]]), np.array([1, 1]), np.array([0, 0])) == pytest.approx(1.0)
    # weights 3 and 1: centroid at 1 km, distances 1 and 3 km -> (3*1 + 1*3) / 4
    assert wdist(np.array([[0, 0], [4000, 0]]), np.array([3, 1]), np.array([0, 0])) == pytest.approx(1.5)
    # two groups of one school each: every school sits on its centroid
    assert wdist(np.array([[0, 0], [4000, 0]]), np.array([3, 1]), np.array([0, 1])) == 0.0


def test_shapes_by_hand():
    assert polsby_popper(shapely.box(0, 0, 1, 1)) == pytest.approx(math.pi / 4)
    assert reock(shapely.box(0, 0, 2, 2)) == pytest.approx(4 / (2 * math.pi), rel=1e-6)
    disc = shapely.Point(0, 0).buffer(1, quad_segs=64)
    assert polsby_popper(disc) == pytest.approx(1, abs=1e-3)
    assert reock(disc) == pytest.approx(1, abs=1e-3)
    assert polsby_popper(shapely.box(0, 0, 10, 1)) == pytest.approx(4 * math.pi * 10 / 22**2)


def test_graph_metrics_by_hand():
    g = nx.path_graph(4)
    labels = np.array([0, 0, 1, 1])
    assert cut_edges(g, labels) == 1
    assert contiguous_parts(g, np.array([0, 1, 0, 1])) == {0: 2, 1: 2}
    schools = pd.DataFrame({"district": ["A", "A", "B", "B"]})
    assert district_pieces(schools, np.array([0, 1, 1, 1])).to_dict() == {"A": 2, "B": 1}


def _grid_plan(inputs, labels, name):
    return plan_from_assignment(inputs, pd.Series(labels, index=inputs.schools["URN"].to_numpy()), name=name)


def test_agreement_by_hand():
    inputs = grid_inputs(1, 4, [100] * 4, [True] * 4)
    a = _grid_plan(inputs, ["x", "x", "y", "y"], "a")
    same = _grid_plan(inputs, ["p", "p", "q", "q"], "same")
    one = _grid_plan(inputs, ["x", "x", "x", "x"], "one")
    assert adjusted_rand(a, same) == pytest.approx(1.0)
    assert variation_of_information(a, same) == pytest.approx(0.0, abs=1e-12)
    assert variation_of_information(a, one) == pytest.approx(math.log(2))  # H(A) = ln 2, H(B) = 0, I = 0
    moved = _grid_plan(inputs, ["x", "y", "y", "y"], "moved")
    assert match_partnerships(a, moved) == {"P01": "P01", "P02": "P02"}
    assert changed_schools(a, moved)[["URN", "from", "to"]].values.tolist() == [[1001, "x", "y"]]


def test_plan_from_assignment_scores_and_reports():
    inputs = grid_inputs(2, 2, [100, 100, 100, 300], [True, False, False, True])
    plan = _grid_plan(inputs, ["N", "S", "N", "S"], "diagonal")  # units 0 and 2 are one column: contiguous
    assert plan.scores["contiguous"]
    cross = _grid_plan(inputs, ["N", "S", "S", "N"], "cross")  # diagonal pairs: not contiguous
    assert not cross.scores["contiguous"]
    assert any(v.startswith("contiguity: 2 partnership(s) in several pieces") for v in cross.scores["violations"])
    assert cross.status == "violated"
    with pytest.raises(InfeasibleError, match=r"1 loaded school\(s\) have no partnership: URN 1003"):
        plan_from_assignment(inputs, pd.Series(["N", "S", "S"], index=[1000, 1001, 1002]))
    # a mistyped URN: the school left without a row and the URN not loaded are both named
    with pytest.raises(InfeasibleError, match=r"URN 1003; it has URN\(s\) that are not loaded schools.*: 1030"):
        plan_from_assignment(inputs, pd.Series(["N", "S", "S", "N"], index=[1000, 1001, 1002, 1030]))


def test_read_assignment_csv_errors(tmp_path):
    good = tmp_path / "g.csv"
    good.write_text("urn,Partnership,notes\n1000,North,x\n1001,South,\n")
    assert read_assignment_csv(good).to_dict() == {1000: "North", 1001: "South"}
    for text, pattern in [
        ("URN,name\n1,a\n", r"column 'partnership': has no 'partnership' column"),
        ("URN,partnership\nabc,a\n", r"line 2, column 'URN': URN 'abc' is not a number"),
        ("URN,partnership\n1,a\n1,b\n", r"line 3, column 'URN': URN 1 appears twice"),
        ("URN,partnership\n1,\n", r"line 2, column 'partnership': partnership is blank"),
    ]:
        bad = tmp_path / "b.csv"
        bad.write_text(text)
        with pytest.raises(InputFileError, match=pattern):
            read_assignment_csv(bad)


def test_read_assignment_csv_reads_an_excel_semicolon_export(tmp_path):
    """Excel in a comma-decimal locale saves ``;``-separated CSV with a UTF-8 byte-order mark and CRLF line
    ends; notes may hold commas. Both the assignment and the editor's ``moved`` column read as from a plain CSV."""
    from partition.runs.edits import planners_moves

    path = tmp_path / "edited.csv"
    rows = ["URN;partnership;note;moved", "1000;North;moved, by hand, to North;yes", "1001;South Downs;;", ""]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(rows).encode("utf-8"))
    assert read_assignment_csv(path).to_dict() == {1000: "North", 1001: "South Downs"}
    assert planners_moves(path) == {1000}
    plain = tmp_path / "plain.csv"  # a comma file whose notes hold semicolons is still read with commas
    plain.write_bytes(b"\xef\xbb\xbfURN,partnership,note\r\n1000,North,a; b\r\n")
    assert read_assignment_csv(plain).to_dict() == {1000: "North"}


def test_district_baseline_shows_real_imbalance(hampshire):
    plan = district_plan(hampshire)
    table = plan.partnerships.set_index("name")
    assert plan.k == 11 and plan.status == "violated"
    assert table.at["Basingstoke and Deane", "pupils"] == 23243
    assert table.at["Gosport", "pupils"] == 10562
    mean = 179002 / 11
    assert table.at["Basingstoke and Deane", "deviation"] == pytest.approx(23243 / mean - 1)
    assert plan.scores["district_splits"] == 0


def test_alternatives_are_diverse_and_near_optimal(hampshire):
    alts = alternatives(
        hampshire,
        PlanSpec(k=(23,)),
        23,
        n=2,
        min_difference=25,
        within=0.05,
        candidates=6,
        heuristic_options={"iterations": 30},
    )
    assert len(alts) == 2
    assert [p.name for p in alts] == ["k23-ignore-alt1", "k23-ignore-alt2"]
    assert all(p.status == "feasible" for p in alts)
    assert len(changed_schools(alts[0], alts[1])) >= 25
    assert alts[1].objective <= alts[0].objective * 1.05


def test_recom_ensemble_valid_and_seeded(hampshire):
    spec = PlanSpec(k=(23,))
    problem = build_problem(hampshire.units, hampshire.graph, hampshire.schools, spec, 23)
    units = make_plan(hampshire, spec, 23, solver="heuristic", heuristic_options={"iterations": 20}).unit_labels
    start = units[[b[0] for b in problem.blocks]]  # block labels (feeder pairs are locked into blocks)
    run1 = list(recom_chain(problem, start, 200, random_state=3))
    run2 = list(recom_chain(problem, start, 200, random_state=3))
    assert all((x == y).all() for x, y in zip(run1, run2))
    assert not (run1[-1] == start).all()  # the chain moves
    low, high = problem.limits["pupils"]
    for labels in run1[::40]:
        assert len(np.unique(labels)) == 23
        assert max(contiguous_parts(hampshire.graph, problem.unit_labels(labels)).values()) == 1
        loads = np.bincount(labels, weights=problem.attrs["pupils"])
        assert ((loads >= low - 1e-6) & (loads <= high + 1e-6)).all()
        assert (np.bincount(labels, weights=problem.anchors) >= 1).all()
    evaluate = _Evaluator(problem)
    sample = [evaluate(x) for x in run1]
    ranks = percentiles(evaluate(start), sample)
    assert set(ranks) == {"wdist_km", "max_abs_deviation", "district_splits", "cut_edges"}
    assert all(0 <= v <= 1 for v in ranks.values())


def test_compare_cli(hampshire, tmp_path):
    runner = CliRunner()
    out = tmp_path / "plans"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k in (22, 23):
            write_plan(
                make_plan(hampshire, PlanSpec(k=(k,)), k, solver="heuristic", heuristic_options={"iterations": 20}),
                out,
            )
    edited = pd.read_csv(out / "k23-ignore" / "assignments.csv")[["URN", "partnership", "counted"]]
    edited.loc[0, "partnership"] = edited.loc[5, "partnership"]
    edited.to_csv(tmp_path / "edited.csv", index=False)
    result = runner.invoke(
        cli, ["compare", str(out / "k22-ignore"), str(out / "k23-ignore"), str(tmp_path / "edited.csv"), "--csv"]
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), index_col=0)
    assert list(table.index) == ["k22-ignore", "k23-ignore", "edited", "districts-11"]
    assert table.loc["districts-11", "largest size difference (%)"] == pytest.approx(42.8)  # a number, in %
    assert table.loc["k22-ignore", "schools moved vs k22-ignore (schools)"] == 0
    assert table.loc["k23-ignore", "status"] == "feasible"
    md = runner.invoke(cli, ["compare", str(out / "k23-ignore"), "--markdown", "--ensemble", "50"])
    assert md.exit_code == 0, md.output
    assert (
        md.stdout.startswith("| configuration |")
        and "beats 50 random valid plans on average distance to centre (%)" in md.stdout
    )
    bad = runner.invoke(cli, ["compare", str(tmp_path / "missing.csv")])
    assert bad.exit_code == 2 and "does not exist" in bad.stderr


def test_polygon_layer_of_areas_is_scored(shared):
    # the district layer itself, given as "areas", reproduces the current arrangement
    runner = CliRunner()
    result = runner.invoke(cli, ["compare", str(shared / "boundaries/hampshire_districts_lad2023.geojson"), "--csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.stdout), index_col=0)
    assert table.loc["hampshire_districts_lad2023", "partnerships (count)"] == 11
    assert table.loc["hampshire_districts_lad2023", "ARI vs hampshire_districts_lad2023 (-1 to 1)"] == 1.0
    # districts-11 uses the GIAS tie-break for schools on an edge (Whiteley, 42 m): one school differs
    assert 0.99 < table.loc["districts-11", "ARI vs hampshire_districts_lad2023 (-1 to 1)"] < 1.0
    assert table.loc["districts-11", "schools moved vs hampshire_districts_lad2023 (schools)"] == 1


def test_population_per_partnership_with_lsoa_units(shared):
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(
            units="boundaries/lsoa2001_hants_simplify0.75.topo.json",
            population="population/lsoa2001_mye2010_age_imd2010_hampshire.csv",
        )
        spec = PlanSpec(k=(23,), size=(SizeBound("pupils", tolerance=0.10), SizeBound("population", tolerance=0.25)))
        plan = make_plan(inputs, spec, 23, solver="heuristic", heuristic_options={"iterations": 20})
    assert plan.partnerships["population"].sum() == pytest.approx(inputs.units["population"].sum())
    assert plan.status == "feasible", plan.scores["violations"]


def test_configuration_scores_by_hand():
    # 1 x 4 strip: West = units 0, 1; East = units 2, 3; pupils 100, 300, 100, 300; anchors only in 0
    inputs = grid_inputs(
        1, 4, [100, 300, 100, 300], [True, False, False, False], districts=["West", "West", "East", "East"]
    )
    plan = _grid_plan(inputs, ["A", "B", "B", "B"], "hand")
    s = plan.scores
    # mean = 800 / 2 = 400: A has 100 (-75 %), B has 700 (+75 %)
    assert s["max_abs_deviation"] == pytest.approx(0.75)
    assert s["mean_abs_deviation"] == pytest.approx(0.75)
    assert s["anchors_missing"] == 1  # B holds no anchor
    assert s["district_splits"] == 1  # B spans West and East
    assert s["partnerships_spanning_districts"] == 1
    assert s["district_pieces"] == {"East": 1, "West": 2}
    assert s["cut_edges"] == 1
    assert (s["min_schools"], s["max_schools"]) == (1, 3)
    # B: points at x = 1.5, 2.5, 3.5 km with weights 300, 100, 300 -> centroid 2.5 km; distances 1, 0, 1 km
    assert s["wdist_km"] == pytest.approx((300 * 1 + 300 * 1) / 800)
    table = plan.partnerships.set_index("name")
    assert table.at["B", "area_km2"] == pytest.approx(3.0)
    assert table.at["B", "polsby_popper"] == pytest.approx(4 * math.pi * 3 / 8**2)


def test_better_alternative_is_noted_but_never_replaces_the_main_configuration():
    """The main configuration must not depend on how many alternatives are drawn, so it is never replaced."""
    from partition.planning.planner import with_alternatives

    inputs = grid_inputs(1, 4, [100] * 4, [True] * 4)
    main = _grid_plan(inputs, ["a", "a", "b", "b"], "k2-ignore")
    alt = _grid_plan(inputs, ["a", "b", "b", "b"], "k2-ignore-alt1")
    main = dataclasses.replace(main, objective=2.0, bound=0.5, status="feasible")
    alt = dataclasses.replace(alt, objective=1.0, status="feasible")
    ranked = with_alternatives(main, [alt])
    assert [p.name for p in ranked] == ["k2-ignore", "k2-ignore-alt1"]
    assert ranked[0] is main and ranked[0].bound == 0.5
    assert ranked[1].details["better_than_main"] is True and ranked[1].details["main_objective"] == 2.0
    assert with_alternatives(alt, [main])[1].details["better_than_main"] is False
