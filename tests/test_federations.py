"""Federations kept in one partnership (a lock derived from GIAS), reported, switchable off, conflicts explained.

The real file is the GIAS search download of 2022-04-20 (Hampshire primaries), the shared file that carries
``Federations (name)`` and ``Trusts (name)``: 60 open schools in 29 federations (the Meon Valley Federation
spelt two ways, joined by "~").
"""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from click.testing import CliRunner

from partition.analysis.columns import group_columns
from partition.cli import cli
from partition.data.federations import federations, groups_of
from partition.errors import InfeasibleError
from partition.model.spec import Locks, PlanSpec, SizeBound
from partition.solvers.problem import build_problem

PRIMARY = "schools/gias_20220420_primary_hampshire_850.csv"


@pytest.fixture(scope="module")
def primary(shared):
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare(PRIMARY)


def _run(tmp_path, *extra: str):
    out = tmp_path / "out"
    args = ["plan", "--schools", PRIMARY, "--no-anchors", "--k", "23", "--solver", "heuristic", "--out", str(out)]
    return CliRunner().invoke(cli, [*args, *extra]), out


def test_groups_read_tilde_values_per_la():
    schools = pd.DataFrame(
        {
            "URN": [1, 2, 3, 4, 5, 6],
            "name": ["A", "B", "C", "D", "E", "F"],
            "la_code": ["850", "850", "850", "850", "851", "850"],
            "federation": [
                "The Meon Valley Federation~The Meon Valley Federation",
                "The Meon Valley Federation~Meonstoke CE Infant School~Meon Valley Federation",
                "Solo Federation",  # its partner is not loaded: no lock
                "Other Federation",
                "Other Federation",  # same name in another LA: not the same federation
                "",
            ],
        }
    )
    groups = groups_of(schools, "federation")
    assert [(g.name, g.urns) for g in groups] == [("The Meon Valley Federation", (1, 2))]
    assert groups[0].spellings == ("Meon Valley Federation", "The Meon Valley Federation")
    assert groups[0].describe() == "The Meon Valley Federation (A, URN 1; B, URN 2)"


def test_real_file_federations(primary):
    feds = federations(primary.schools)
    assert len(feds) == 29
    assert sum(len(g.urns) for g in feds) == 60
    meon = next(g for g in feds if "Meon Valley" in g.name)
    assert meon.urns == (115931, 116301)


def test_federations_kept_together_in_written_assignments(tmp_path, primary):
    result, out = _run(tmp_path)
    assert result.exit_code == 0, result.output
    assert "federations kept together (a lock from the data): 29 of 29" in result.stdout
    assert "anchors missing" not in result.stdout  # --no-anchors: nothing to report
    assert "academy trusts split across partnerships: " in result.stdout
    assert "trusts with two or more schools; reported, not optimised)" in result.stdout
    folder = out / "k23-ignore-noanchors-heuristic"
    written = pd.read_csv(folder / "assignments.csv").set_index("URN")["partnership"]
    for g in federations(primary.schools):  # from the data, not from the plan's bookkeeping
        assert written.loc[list(g.urns)].nunique() == 1, g.describe()
    details = json.loads((folder / "plan.json").read_text())["details"]["federations"]
    assert details["mode"] == "together" and details["count"] == 29 and details["split"] == []
    assert "Bedenham & Holbrook Federation of Primary Schools" in details["kept_together"]


def test_ignore_turns_the_lock_off(tmp_path, primary):
    spec = PlanSpec(k=(23,), anchors=False, feeders="ignore")  # the federations' locks alone
    together = build_problem(primary.units, primary.graph, primary.schools, spec, 23)
    ignore = build_problem(
        primary.units,
        primary.graph,
        primary.schools,
        PlanSpec(k=(23,), anchors=False, federations="ignore", feeders="ignore"),
        23,
    )
    assert ignore.n == len(primary.units) > together.n  # federations on several sites are no longer blocks
    result, out = _run(tmp_path, "--federations", "ignore")
    assert result.exit_code == 0, result.output
    plan = json.loads((out / "k23-ignore-noanchors-nofed-heuristic" / "plan.json").read_text())
    assert plan["spec"]["federations"] == "ignore"
    feds = plan["details"]["federations"]
    assert feds["mode"] == "ignore"
    written = pd.read_csv(out / "k23-ignore-noanchors-nofed-heuristic" / "assignments.csv").set_index("URN")
    split = sorted(
        g.name for g in federations(primary.schools) if written.loc[list(g.urns), "partnership"].nunique() > 1
    )
    assert split == sorted(feds["split"])
    assert split  # without the lock, this plan divides some federations (seed 0)


def test_apart_lock_on_a_federation_is_refused_naming_it(tmp_path, shared):
    spec = tmp_path / "spec.toml"
    spec.write_text("k = [23]\nanchors = false\n[locks]\napart = [[131116, 131117]]\n")
    result = CliRunner().invoke(
        cli, ["plan", "--schools", PRIMARY, "--spec", str(spec), "--solver", "heuristic", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2, result.output
    message = result.stderr
    assert "federation Bedenham & Holbrook Federation of Primary Schools" in message
    assert "URN 131116" in message and "URN 131117" in message
    assert "an apart lock keeps URN 131116 and URN 131117 apart" in message
    assert 'federations = "ignore"' in message and "remove the apart lock [131116, 131117]" in message
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_pinned_to_two_names_is_refused_naming_the_federation(primary):
    spec = PlanSpec(k=(23,), anchors=False, locks=Locks(pinned=((115858, "North"), (115971, "South"))))
    with pytest.raises(InfeasibleError, match="Federation of Winklebury Infant and Junior Schools.*pinned to "):
        build_problem(primary.units, primary.graph, primary.schools, spec, 23)


def test_nest_with_a_federation_across_districts_is_refused(primary):
    spec = PlanSpec(k=(23,), anchors=False, districts="nest")
    with pytest.raises(InfeasibleError) as err:
        build_problem(primary.units, primary.graph, primary.schools, spec, 23)
    text = str(err.value)
    assert "Dever Valley Federation" in text and "Test Valley and Winchester" in text
    assert "districts mode 'nest'" in text and 'federations = "ignore"' in text


def test_federation_above_a_size_bound_is_refused(primary):
    spec = PlanSpec(k=(23,), anchors=False, size=(SizeBound(), SizeBound("n_schools", tolerance=None, max=2)))
    with pytest.raises(InfeasibleError) as err:
        build_problem(primary.units, primary.graph, primary.schools, spec, 23)
    text = str(err.value)
    assert "cannot be kept in one partnership" in text and "n_schools" in text and "more than the 2" in text
    assert "loosen the size bound on n_schools" in text


def test_no_federation_columns_without_federations(hampshire):
    from partition.planning.planner import district_plan

    plan = district_plan(hampshire)  # the default file has no Federations column
    assert "federations" not in plan.details
    assert not {"federations_split", "federations_kept"} & set(group_columns(plan))
