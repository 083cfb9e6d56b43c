"""Academy trusts as a soft preference (spec ``trusts = "prefer"``, ``trust_penalty_km`` per trust split).

The real file is the GIAS search download of 2022-04-20 (Hampshire primaries), the shared file that carries
``Trusts (name)``: 6 academy trusts of two or more loaded schools. The bookkeeping is tested against a recount in
``tests/test_kernels.py``; here, what a planner sees: fewer trust splits in the written assignments, a valid plan,
and the options refused with the field named.
"""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest
from click.testing import CliRunner

from partition.analysis.validate import plan_problems, spec_problems
from partition.cli import cli
from partition.data.federations import trust_splits, trusts
from partition.errors import SpecError
from partition.model.spec import PlanSpec
from partition.planning.planner import plan_from_assignment

PRIMARY = "schools/gias_20220420_primary_hampshire_850.csv"
SEED = "1"
"""A seed at which the preview search divides the trusts more than it must (7 splits; 5 when preferred whole)."""


@pytest.fixture(scope="module")
def primary(shared):
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare(PRIMARY)


def _plan(tmp_path, name: str, *extra: str):
    out = tmp_path / name
    args = ["plan", "--schools", PRIMARY, "--no-anchors", "--k", "23", "--solver", "heuristic", "--seed", SEED]
    return CliRunner().invoke(cli, [*args, "--out", str(out), *extra]), out


def _written(folder):
    return pd.read_csv(folder / "assignments.csv").set_index("URN")["partnership"]


def test_prefer_divides_fewer_trusts_than_ignore_in_the_written_plan(tmp_path, primary):
    groups = trusts(primary.schools)
    assert len(groups) == 6
    ignored, out_ignore = _plan(tmp_path, "ignore")
    preferred, out_prefer = _plan(tmp_path, "prefer", "--trusts", "prefer")
    assert ignored.exit_code == 0, ignored.output
    assert preferred.exit_code == 0, preferred.output
    folder = out_prefer / "k23-ignore-noanchors-trusts-heuristic"
    split_ignore = trust_splits(groups, _written(out_ignore / "k23-ignore-noanchors-heuristic").to_dict())
    split_prefer = trust_splits(groups, _written(folder).to_dict())  # from the file, not the plan's bookkeeping
    assert split_prefer < split_ignore
    assert (
        f"academy trusts split across partnerships: {split_prefer} extra pieces (6 trusts with two or more schools; preferred whole)"
        in (preferred.stdout)
    )
    assert (
        f"academy trusts split across partnerships: {split_ignore} extra pieces (6 trusts with two or more schools; reported, not optimised)"
        in (ignored.stdout)
    )
    summary = json.loads((folder / "plan.json").read_text())
    assert summary["spec"]["trusts"] == "prefer" and summary["spec"]["trust_penalty_km"] == 0.02
    assert summary["details"]["trusts"]["mode"] == "prefer"
    assert summary["details"]["trusts"]["splits"] == split_prefer
    assert summary["status"] == "feasible"
    spec = PlanSpec(k=(23,), anchors=False, trusts="prefer", random_state=int(SEED))
    plan = plan_from_assignment(primary, _written(folder), spec)
    assert plan_problems(plan, primary) == []
    assert spec_problems(plan, primary) == []


def test_trust_options_are_validated_naming_the_field(tmp_path, shared):
    spec = tmp_path / "spec.toml"
    spec.write_text('k = [23]\nanchors = false\ntrusts = "prefer"\ntrust_penalty_km = -0.5\n')
    with pytest.raises(SpecError) as err:
        PlanSpec.from_toml(spec)
    text = str(err.value)
    assert "trust_penalty_km" in text and "spec.toml" in text and "line 4" in text
    spec.write_text('k = [23]\ntrusts = "always"\n')
    with pytest.raises(SpecError, match="trusts") as err:
        PlanSpec.from_toml(spec)
    assert "prefer" in str(err.value)
    result = CliRunner().invoke(
        cli, ["plan", "--schools", PRIMARY, "--trusts", "prefer", "--trust-penalty", "-1", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2, result.output
    assert "--trust-penalty" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()
    with pytest.raises(SpecError, match="trust_penalty_km"):
        PlanSpec(trusts="prefer", trust_penalty_km=-1.0)


class _StopError(Exception):
    """Stops ``partition run`` once it has its scenario."""


def test_run_takes_the_trust_options_over_the_scenario(tmp_path, shared, monkeypatch):
    from partition.runs import workflow

    seen = {}

    def fake_run(scenario, *args, **kwargs):
        seen["spec"] = scenario.spec
        raise _StopError

    monkeypatch.setattr(workflow, "run", fake_run)
    scenario = tmp_path / "s.toml"
    scenario.write_text('[spec]\nk = [23]\ntrusts = "ignore"\n')
    result = CliRunner().invoke(cli, ["run", str(scenario), "--trusts", "prefer", "--trust-penalty", "0.1"])
    assert isinstance(result.exception, _StopError)
    assert (seen["spec"].trusts, seen["spec"].trust_penalty_km) == ("prefer", 0.1)
    result = CliRunner().invoke(cli, ["run", str(scenario), "--trust-penalty", "-2"])
    assert result.exit_code == 2 and "--trust-penalty" in result.stderr and "Traceback" not in result.output
