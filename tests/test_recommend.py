"""The recommended option per k (partition.analysis.recommend) and today's partners kept (partition.analysis.agreement.partners_kept)."""

from __future__ import annotations

import types

import pandas as pd
import pytest

from partition.analysis.agreement import partners_kept
from partition.analysis.recommend import recommendations


def _table(rows: dict[str, dict]) -> pd.DataFrame:
    return pd.DataFrame.from_dict(rows, orient="index")


def test_robust_enough_first_then_distance_and_an_alternative_is_explained():
    table = _table(
        {
            "k23": {
                "status": "feasible",
                "near_limit": 2,
                "feeder_pairs_split": 0,
                "wdist_km": 3.50,
                "robustness": 0.4,
            },
            "k23-alt1": {
                "status": "feasible",
                "near_limit": 0,
                "feeder_pairs_split": 0,
                "wdist_km": 3.60,
                "robustness": 1.0,
            },
            "k23-alt2": {
                "status": "feasible",
                "near_limit": 1,
                "feeder_pairs_split": 0,
                "wdist_km": 3.55,
                "robustness": 0.6,
            },
            "k23-alt3": {
                "status": "violated",
                "near_limit": 0,
                "feeder_pairs_split": 0,
                "wdist_km": 3.00,
                "robustness": 1.0,
            },
            "k24": {
                "status": "feasible",
                "near_limit": 0,
                "feeder_pairs_split": 1,
                "wdist_km": 3.40,
                "robustness": 1.0,
            },
            "k24-alt1": {
                "status": "feasible",
                "near_limit": 0,
                "feeder_pairs_split": 0,
                "wdist_km": 3.45,
                "robustness": 1.0,
            },
            "k25": {
                "status": "feasible",
                "near_limit": 3,
                "feeder_pairs_split": 0,
                "wdist_km": 3.30,
                "robustness": 0.2,
            },
            "k25-alt1": {
                "status": "feasible",
                "near_limit": 1,
                "feeder_pairs_split": 0,
                "wdist_km": 3.35,
                "robustness": 0.3,
            },
        }
    )
    k_of = {n: int(n[1:3]) for n in table.index}
    titles = {"k23": "the proposal", "k23-alt1": "alternative 1", "k23-alt2": "alternative 2"}
    chosen = {r.k: r for r in recommendations(table, {23: "k23", 24: "k24", 25: "k25"}, k_of, titles)}
    k23 = chosen[23]
    assert k23.name == "k23-alt1" and k23.is_alternative and k23.proposal == "k23"  # the violated one never wins
    text = " ".join(k23.reasons)
    assert text.startswith("No partnership is near a size limit, and in 100% of trial changes")
    assert "3.60 km" in text
    assert (
        "In alternative 2, every partnership stays within the rules in only 60% of the trial changes, although its average travel distance is shorter (3.55 km)"
        in text
    )
    assert (
        "In the proposal, every partnership stays within the rules in only 40% of the trial changes, although its average travel distance is shorter (3.50 km)"
        in text
    )
    assert "k23-alt3" not in text
    assert chosen[24].name == "k24-alt1" and "1 infant and junior pair" in " ".join(chosen[24].reasons)
    assert chosen[25].name == "k25"  # none robust enough: distance decides


def test_equal_options_keep_the_proposal():
    row = {"status": "optimal", "near_limit": 0, "feeder_pairs_split": 0, "wdist_km": 3.5, "robustness": 1.0}
    table = _table({"b-alt1": row, "a": row})
    (r,) = recommendations(table, {23: "a"}, {"a": 23, "b-alt1": 23})
    assert r.name == "a" and not r.is_alternative
    assert "so the proposal comes first" in r.reasons[-1]
    assert recommendations(table.assign(status="violated"), {23: "a"}, {"a": 23, "b-alt1": 23}) == []


def _plan(groups: dict[str, list[int]]):
    rows = [(u, p) for p, urns in groups.items() for u in urns]
    return types.SimpleNamespace(assignments=pd.DataFrame(rows, columns=["URN", "partnership_id"]))


def test_partners_kept_by_hand():
    today = _plan({"A": [1, 2, 3], "B": [4, 5]})
    assert partners_kept(today, _plan({"X": [1, 2, 3], "Y": [4, 5]})) == 1.0
    assert partners_kept(today, _plan({"X": [1, 2, 3, 4, 5]})) == 1.0  # merged: every partner kept
    # 1 and 2 keep one of two partners, 3 none, 4 and 5 all: (0.5 + 0.5 + 0 + 1 + 1) / 5
    assert partners_kept(today, _plan({"X": [1, 2], "Y": [3, 4, 5]})) == pytest.approx(0.6)
    assert partners_kept(today, _plan({"X": [1, 2], "Y": [4, 5]})) == pytest.approx(0.6)  # 3 missing: alone
    assert partners_kept(today, _plan({"X": [1, 4], "Y": [2, 5], "Z": [3]})) == 0.0


def test_a_difference_inside_the_search_spread_is_no_reason_and_towns_decide():
    def row(km, towns, robust=1.0):
        return {
            "status": "feasible",
            "near_limit": 0,
            "feeder_pairs_split": 0,
            "wdist_km": km,
            "settlements_divided": towns,
            "robustness": robust,
        }

    titles = {"p-alt1": "alternative 1"}
    # 0.3 % shorter but one more town divided: the proposal
    table = _table({"p": row(3.71, 5), "p-alt1": row(3.70, 6)})
    (r,) = recommendations(table, {22: "p"}, {"p": 22, "p-alt1": 22}, titles)
    assert r.name == "p" and not r.is_alternative
    assert "alternative 1 is about as compact (3.70 km: within 1 %" in r.reasons[-1]
    assert "divides 6 towns and villages that could each be in one partnership, against 5" in r.reasons[-1]
    # within 1 % and fewer towns: the alternative, although a little longer
    table = _table({"p": row(3.70, 6), "p-alt1": row(3.72, 4)})
    (r,) = recommendations(table, {22: "p"}, {"p": 22, "p-alt1": 22}, titles)
    assert r.name == "p-alt1" and r.is_alternative
    # more than 1 % shorter: distance decides, whatever the towns
    table = _table({"p": row(3.75, 3), "p-alt1": row(3.70, 6)})
    (r,) = recommendations(table, {22: "p"}, {"p": 22, "p-alt1": 22}, titles)
    assert r.name == "p-alt1"
