"""The edit → re-optimise loop: ``partition plan --start-from FILE --lock-from FILE``.

A real plan's ``assignments.csv`` is edited as a planner would (a few schools moved to the neighbouring
partnership), written as ``URN,partnership,note`` (what the in-browser editor exports), and planned again:
the moved schools must stay where the planner put them in the written ``assignments.csv``, the plan must be
sound (every school placed once, one polygon per partnership, no overlaps: :func:`partition.analysis.validate.plan_problems`)
and meet its rules.
"""

from __future__ import annotations

import json

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from partition.analysis.validate import plan_problems, spec_problems
from partition.cli import cli
from partition.data.naming import MATCH_SHARE, match_by_overlap
from partition.model.spec import PlanSpec
from partition.planning.planner import plan_from_assignment

BASE = ["plan", "--k", "23", "--solver", "heuristic"]


@pytest.fixture(scope="module")
def planned(tmp_path_factory, shared):
    """A k = 23 heuristic plan of the Hampshire default, written as partition writes it: its schools' rows
    (``counted`` = yes; the colleges and special schools that follow their unit are not edited)."""
    out = tmp_path_factory.mktemp("edit") / "first"
    result = CliRunner().invoke(cli, [*BASE, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out / "k23-ignore-heuristic" / "assignments.csv", dtype={"counted": str})
    assert set(table["counted"]) == {"yes", "no"}
    return table[table["counted"] == "yes"].reset_index(drop=True)


def hand_moves(table: pd.DataFrame, inputs, n: int = 3) -> dict[int, str]:
    """``n`` schools (one school to a site, no anchor) moved to a neighbouring partnership, as a planner would:
    each partnership stays one connected area and within ±10 % of the mean pupils, no partnership touched twice."""
    schools = inputs.schools
    of = schools["URN"].map(table.set_index("URN")["partnership"])
    unit_p = pd.Series(of.to_numpy(), index=schools["unit"].to_numpy()).groupby(level=0).first()
    pupils = table.groupby("partnership")["pupils"].sum()
    low, high = 0.9 * pupils.mean(), 1.1 * pupils.mean()
    alone = schools.groupby("unit")["URN"].transform("size") == 1
    touched: set[str] = set()
    moves: dict[int, str] = {}
    for _, row in schools[alone & ~schools["anchor"]].sort_values("pupils").iterrows():
        u, p = int(row["unit"]), unit_p[int(row["unit"])]
        targets = sorted({unit_p[v] for v in inputs.graph[u]} - {p})
        members = [v for v in unit_p.index[unit_p == p] if v != u]
        if p in touched or not targets or not nx.is_connected(inputs.graph.subgraph(members)):
            continue
        q = next((t for t in targets if t not in touched and pupils[t] + row["pupils"] <= high), None)
        if q is None or pupils[p] - row["pupils"] < low:
            continue
        moves[int(row["URN"])] = q
        touched |= {p, q}
        if len(moves) == n:
            break
    assert len(moves) == n
    return moves


def edited_file(table: pd.DataFrame, moves: dict[int, str], path) -> pd.DataFrame:
    edited = table[["URN", "partnership"]].copy()
    edited["note"] = ""
    for urn, name in moves.items():
        edited.loc[edited["URN"] == urn, ["partnership", "note"]] = [name, "moved by the planner"]
    edited.to_csv(path, index=False)
    return edited


def test_start_from_and_lock_from_keep_the_planners_moves(planned, hampshire, tmp_path):
    moves = hand_moves(planned, hampshire)
    edits = tmp_path / "edited.csv"
    edited_file(planned, moves, edits)
    out = tmp_path / "again"
    result = CliRunner().invoke(cli, [*BASE, "--start-from", str(edits), "--lock-from", str(edits), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "starting from edited.csv" in result.stdout
    assert "anchors missing 0" in result.stdout  # anchors required (the default): reported
    folder = out / "k23-ignore-locks-heuristic"
    written = pd.read_csv(folder / "assignments.csv").set_index("URN")["partnership"]
    for urn, name in moves.items():  # where the planner put them, by name
        assert written[urn] == name
    plan = plan_from_assignment(hampshire, written, PlanSpec(k=(23,)))
    assert plan_problems(plan, hampshire) == []
    assert spec_problems(plan, hampshire) == []
    summary = json.loads((folder / "plan.json").read_text())
    assert summary["status"] == "feasible"


def test_lock_from_some_rows_rebalances_the_rest(planned, hampshire, tmp_path):
    moves = hand_moves(planned, hampshire)
    locks = tmp_path / "locks.csv"
    pd.DataFrame({"URN": list(moves), "partnership": list(moves.values()), "note": "moved"}).to_csv(locks, index=False)
    start = tmp_path / "start.csv"
    edited_file(planned, moves, start)
    out = tmp_path / "again"
    result = CliRunner().invoke(cli, [*BASE, "--start-from", str(start), "--lock-from", str(locks), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out / "k23-ignore-locks-heuristic" / "assignments.csv").set_index("URN")["partnership"]
    for urn, name in moves.items():
        assert written[urn] == name
    assert written.nunique() == 23


@pytest.mark.parametrize(
    ("rows", "option", "expected"),
    [
        (
            "URN,partnership\n999999,North\n",
            "--lock-from",
            "line 2, column 'URN': --lock-from: URN 999999 is not among",
        ),
        ("URN,partnership\n115850,\n", "--lock-from", "line 2, column 'partnership': partnership is blank"),
        ("URN,name\n115850,North\n", "--lock-from", "has no 'partnership' column"),
        ("URN,partnership\n115850,North\n", "--start-from", "--start-from: 493 loaded school(s) have no row"),
    ],
)
def test_bad_edit_files_are_refused(shared, tmp_path, rows, option, expected):
    path = tmp_path / "edits.csv"
    path.write_text(rows)
    result = CliRunner().invoke(cli, [*BASE, option, str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert str(path) in result.stderr and expected in result.stderr
    assert "Traceback" not in result.output


def test_start_from_needs_the_same_k(planned, tmp_path):
    path = tmp_path / "plan.csv"
    planned[["URN", "partnership"]].to_csv(path, index=False)
    result = CliRunner().invoke(cli, ["plan", "--k", "22", "--start-from", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "the plan has 23 partnerships but k = 22 was asked" in result.stderr
    assert "plan --k 23" in result.stderr


def test_editor_export_keeps_each_move_with_the_schools_it_joined(planned, hampshire, tmp_path):
    """The editor's export (``URN,partnership,note,moved``) given to both options: each moved school stays with
    the schools of the partnership it was moved into (the receiving partnerships are kept as edited, whole, by
    shared membership in the written assignments, not only by name); every other partnership is re-planned."""
    moves = hand_moves(planned, hampshire)
    edits = tmp_path / "k23-edited.csv"
    edited = edited_file(planned, moves, edits)
    edited["moved"] = ["yes" if u in moves else "" for u in edited["URN"]]
    edited.to_csv(edits, index=False)
    out = tmp_path / "again"
    result = CliRunner().invoke(cli, [*BASE, "--start-from", str(edits), "--lock-from", str(edits), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out / "k23-ignore-locks-heuristic" / "assignments.csv", dtype={"counted": str})
    written = written[written["counted"] == "yes"].set_index("URN")["partnership"]  # the schools, not the members
    members = edited.groupby("partnership")["URN"].apply(set)
    for urn, name in moves.items():
        joined = members[name] - {urn}  # the unmoved schools it was moved to join
        assert set(written[sorted(joined)]) == {written[urn]}, f"URN {urn} is not with the schools of {name}"
        assert written[urn] == name
        assert set(written.index[written == name]) == members[name]  # kept exactly: no school added
    plan = plan_from_assignment(hampshire, written, PlanSpec(k=(23,)))
    assert plan_problems(plan, hampshire) == [] and spec_problems(plan, hampshire) == []
    kept = sorted(set(moves.values()))
    assert f"; kept as edited: {', '.join(kept)} (3 moves); the other 20 partnerships re-planned" in result.stdout


def test_replan_keeps_the_names_of_the_start_plan_renames_included(planned, hampshire, tmp_path):
    """Names come from the plan started from: every re-planned partnership that is the same as one of the
    edited file (a majority of each one's pupils shared) keeps that one's name, a planner's rename too."""
    moves = hand_moves(planned, hampshire, n=1)
    edits = tmp_path / "renamed.csv"
    edited = edited_file(planned, moves, edits)
    old = sorted(set(edited["partnership"]) - set(moves.values()))[0]
    edited["partnership"] = edited["partnership"].replace(old, "Our Own Name")  # a planner's rename
    edited.to_csv(edits, index=False)
    out = tmp_path / "again"
    result = CliRunner().invoke(cli, [*BASE, "--start-from", str(edits), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out / "k23-ignore-heuristic" / "assignments.csv").set_index("URN")["partnership"]
    start = edited.set_index("URN")["partnership"]
    pupils = hampshire.schools.set_index("URN")["pupils"].astype(float)
    same = match_by_overlap(
        start, written, pupils, MATCH_SHARE
    )  # written name -> start name, for the same partnerships
    assert len(same) >= 20
    assert {mine: theirs for mine, theirs in same.items() if mine != theirs} == {}
    assert "Our Own Name" in same


def test_rows_not_counted_are_left_out_of_an_edited_plan(tmp_path):
    """Members (``counted`` = ``no``: colleges, special schools, PRUs) follow their unit: the readers of an edited
    plan leave their rows out, whatever their partnership or ``moved`` says, and keep each school's file line."""
    from partition.data.configurations import read_assignment_csv
    from partition.runs.edits import planners_moves

    path = tmp_path / "edited.csv"
    path.write_text(
        "URN,partnership,note,moved,counted\r\n"
        "115850,North,,,yes\r\n"
        "145229,South,,yes,no\r\n"
        "115851,South,by the head,yes,yes\r\n"
        "116511,North,,, No \r\n",
        encoding="utf-8",
    )
    labels = read_assignment_csv(path)
    assert labels.to_dict() == {115850: "North", 115851: "South"}
    assert labels.attrs["lines"] == (2, 4)
    assert planners_moves(path) == {115851}


def _breaking_move(table: pd.DataFrame, inputs, over: bool) -> tuple[int, str, str]:
    """A move of one school (alone on its site, not an anchor) to a neighbouring partnership that leaves the
    receiving partnership above the ±10 % maximum (``over``) or the giving one below the minimum."""
    schools = inputs.schools
    of = schools["URN"].map(table.set_index("URN")["partnership"])
    unit_p = pd.Series(of.to_numpy(), index=schools["unit"].to_numpy()).groupby(level=0).first()
    pupils = table.groupby("partnership")["pupils"].sum()
    low, high = 0.9 * pupils.mean(), 1.1 * pupils.mean()
    alone = schools.groupby("unit")["URN"].transform("size") == 1
    for _, row in schools[alone & ~schools["anchor"]].sort_values("pupils", ascending=False).iterrows():
        u, p = int(row["unit"]), unit_p[int(row["unit"])]
        if not nx.is_connected(inputs.graph.subgraph([v for v in unit_p.index[unit_p == p] if v != u])):
            continue
        for q in sorted({unit_p[v] for v in inputs.graph[u]} - {p}):
            receiving_over = pupils[q] + row["pupils"] > high and pupils[p] - row["pupils"] >= low
            giving_under = pupils[p] - row["pupils"] < low and pupils[q] + row["pupils"] <= high
            if (over and receiving_over) or (not over and giving_under):
                return int(row["URN"]), p, q
    raise AssertionError("no such move in the plan")


@pytest.mark.parametrize("over", [True, False], ids=["receiving partnership too big", "giving partnership too small"])
def test_a_replan_repairs_what_an_edit_broke_and_keeps_the_move(planned, hampshire, tmp_path, over):
    """The editor's export of a move that breaks the pupils bound, given to both options: the re-plan meets every
    rule, the moved school is in the partnership the planner put it in, and the printed line says what was
    repaired (a too-big receiving partnership is no longer kept whole: only the move is)."""
    urn, giver, receiver = _breaking_move(planned, hampshire, over)
    edited = edited_file(planned, {urn: receiver}, tmp_path / "edited.csv")
    edited["moved"] = ["yes" if u == urn else "" for u in edited["URN"]]
    edits = tmp_path / "edited.csv"
    edited.to_csv(edits, index=False)
    before = plan_from_assignment(hampshire, edited.set_index("URN")["partnership"], PlanSpec(k=(23,)))
    assert spec_problems(before, hampshire) != []  # the edit breaks the bound
    out = tmp_path / "again"
    result = CliRunner().invoke(cli, [*BASE, "--start-from", str(edits), "--lock-from", str(edits), "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = pd.read_csv(out / "k23-ignore-locks-heuristic" / "assignments.csv", dtype={"counted": str})
    written = written[written["counted"] == "yes"].set_index("URN")["partnership"]
    assert written[urn] == receiver  # the planner's move kept
    plan = plan_from_assignment(hampshire, written, PlanSpec(k=(23,)))
    assert plan_problems(plan, hampshire) == [] and spec_problems(plan, hampshire) == []
    changed = int((written != edited.set_index("URN")["partnership"].reindex(written.index)).sum())
    assert f"k23-ignore-locks-heuristic: {changed} school" in result.stdout  # what the re-plan changed, counted
    if over:
        assert f"{receiver} as edited has " in result.stdout and "above the" in result.stdout
        assert "its 1 moved school and " in result.stdout and "nearest it stay in it" in result.stdout
        assert "at its far edge" in result.stdout
        # the move kept in substance, not only by name: the school is with most of the partners it was given
        given = edited.set_index("URN")["partnership"]
        partners = [u for u in given.index[given == receiver] if u != urn]
        still = sum(written[u] == written[urn] for u in partners)
        assert still >= 0.75 * len(partners), (still, len(partners))
    else:
        assert f"kept as edited: {receiver} (1 move)" in result.stdout
