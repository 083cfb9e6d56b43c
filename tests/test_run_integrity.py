"""Output integrity: violated plans never look valid; runs are atomic, own their folder and follow the umask."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from tests.synthetic import grid_inputs

import partition
from partition.analysis.validate import check_status, checked, spec_problems
from partition.cli import VIOLATED_EXIT, cli
from partition.errors import IntegrityError
from partition.model.plan import configuration_name, qualify_name
from partition.model.spec import Locks, PlanSpec, SizeBound
from partition.planning.planner import plan_from_assignment
from partition.runs.publish import MARKER

# Baseline solver: instant, and its plans break the size rule (so they are "violated").
FAST_VIOLATED = ["--solver", "agglomerative"]

SCENARIO = """
[data]
la = ["850"]

[spec]
k = [22]

[solver]
name = "agglomerative"

[outputs]
folder = "OUT"
ensemble = 0
"""


@pytest.fixture
def runner():
    return CliRunner()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with its SHA-256."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def previous_run(folder: Path) -> dict[str, str]:
    """A folder as a previous partition run left it (marker and one file), returned as a snapshot."""
    folder.mkdir()
    files = ["k23-ignore", "k23-ignore/assignments.csv"]
    (folder / MARKER).write_text(json.dumps({"created_by": "partition", "files": files}) + "\n")
    (folder / "k23-ignore").mkdir()
    (folder / "k23-ignore" / "assignments.csv").write_text("URN,partnership\n1,A\n")
    return snapshot(folder)


def no_solving(monkeypatch):
    """Make loading the data (the first step of solving) fail the test if it is reached."""

    def fail(*args, **kwargs):
        raise AssertionError("the data were loaded: the output location was not checked first")

    monkeypatch.setattr("partition.runs.loading.prepare_data", fail)  # every command loads through it


def write_scenario(tmp_path: Path, out: Path, text: str = SCENARIO) -> Path:
    path = tmp_path / "s.toml"
    path.write_text(text.replace("OUT", str(out).replace("\\", "/")))
    return path


# --- independent check of the rules ----------------------------------------------------------------------


def line_plan(labels: list[str], anchors: list[bool], spec: PlanSpec):
    inputs = grid_inputs(1, len(labels), [100] * len(labels), anchors)
    plan = plan_from_assignment(inputs, pd.Series(labels, index=inputs.schools["URN"].to_numpy()), spec, name="p")
    return inputs, plan


def test_spec_problems_from_the_assignment_alone():
    # A = units 0 and 2, 200 pupils, no anchor; B = units 1, 3, 4, 5, 400 pupils: both in two pieces
    inputs, plan = line_plan(
        ["A", "B", "A", "B", "B", "B"], [False, True, False, False, False, False], PlanSpec(k=(2,))
    )
    # the scorer's bookkeeping is not used
    plan = dataclasses.replace(
        plan, scores=dataclasses.replace(plan.scores, violations=()), partnerships=plan.partnerships.iloc[:0]
    )
    assert spec_problems(plan, inputs) == [
        "1 partnership has more pupils than allowed (at most 330): B (400)",
        "1 partnership has fewer pupils than allowed (at least 270): A (200)",
        "1 partnership has no secondary, all-through school or college: A",
        "2 partnerships are in separate pieces, not one connected area: A (2 pieces), B (2 pieces)",
    ]


def test_spec_problems_schools_bound_and_count():
    spec = PlanSpec(k=(3,), size=(SizeBound("n_schools", tolerance=None, max=3),), anchors=False)
    inputs, plan = line_plan(["A", "A", "A", "A", "B", "B"], [True] * 6, spec)
    plan = dataclasses.replace(plan, k=3)  # as if a solver had returned fewer partnerships than asked
    assert spec_problems(plan, inputs) == [
        "it has 2 partnerships instead of 3",
        "1 partnership has more schools than allowed (at most 3): A (4)",
    ]


def test_status_must_agree_with_the_independent_check():
    inputs, good = line_plan(["A", "A", "A", "B", "B", "B"], [True, False, False, False, False, True], PlanSpec(k=(2,)))
    assert good.status == "feasible" and check_status(good, inputs) == [] and good.warning() == ""
    with pytest.raises(IntegrityError, match="an independent check finds every rule of its spec met"):
        check_status(dataclasses.replace(good, status="violated"), inputs)
    inputs, bad = line_plan(["A", "B", "B", "B", "B", "B"], [True, False, False, False, False, True], PlanSpec(k=(2,)))
    assert bad.status == "violated"
    with pytest.raises(
        IntegrityError, match="its status is feasible, but an independent check finds: 1 partnership has more"
    ):
        check_status(dataclasses.replace(bad, status="feasible"), inputs)  # as if the scorer had missed it
    assert check_status(bad, inputs) == list(checked(bad, inputs).violations)
    bad = checked(bad, inputs)
    assert bad.warning().startswith("Does not meet the rules: 1 partnership has more pupils than allowed")
    assert bad.summary()["violations"] == list(bad.violations)


# --- names that tell configurations apart ------------------------------------------------------------------


def test_names_say_what_differs_from_the_default():
    assert configuration_name(23, "ignore", spec=PlanSpec(), solver="auto") == "k23-ignore"
    tol5 = PlanSpec(size=(SizeBound(tolerance=0.05),))
    assert configuration_name(23, "ignore", spec=tol5, solver="heuristic") == "k23-ignore-tol5-heuristic"
    locked = PlanSpec(locks=Locks(together=((1, 2),)), anchors=False)
    assert configuration_name(23, "ignore", "alt1", spec=locked) == "k23-ignore-noanchors-locks-alt1"
    bounds = PlanSpec(size=(SizeBound(), SizeBound("n_schools", tolerance=None, min=12, max=35)))
    assert configuration_name(22, "nest", spec=bounds) == "k22-nest-schools-12-35"
    hub = PlanSpec(objective="hub")  # not the default objective: its own name, beside the default's in compare
    assert configuration_name(23, "ignore", spec=hub, solver="heuristic") == "k23-ignore-hub-heuristic"
    assert configuration_name(23, "ignore", spec=hub) != configuration_name(23, "ignore", spec=PlanSpec())
    _, plan = line_plan(
        ["A", "A", "B", "B"], [True, False, True, False], PlanSpec(k=(2,), size=(SizeBound(tolerance=0.05),))
    )
    assert qualify_name(dataclasses.replace(plan, name="k2-ignore-alt1"), "azp") == "k2-ignore-tol5-azp-alt1"
    assert qualify_name(dataclasses.replace(plan, name="my-plan"), "azp") == "my-plan"


def test_a_name_clash_within_a_run_is_refused(runner, shared, tmp_path, monkeypatch):
    monkeypatch.setattr("partition.runs.solving.qualify_name", lambda plan, solver: "same")
    out = tmp_path / "out"
    result = runner.invoke(cli, ["plan", "--k", "22", "23", *FAST_VIOLATED, "--out", str(out)])
    assert result.exit_code == 2 and "two configurations of this run would share the name same" in result.stderr
    assert os.listdir(tmp_path) == []


# --- violated plans: exit 3, warnings everywhere -----------------------------------------------------------


def test_violated_plan_exits_3_with_warnings(runner, shared, tmp_path):
    out = tmp_path / "out"
    args = ["plan", "--k", "22", *FAST_VIOLATED, "--tolerance", "0.05", "--feeders", "ignore", "--out", str(out)]
    result = runner.invoke(cli, args)
    assert result.exit_code == VIOLATED_EXIT == 3, result.output
    assert "Traceback" not in result.output
    assert "do not meet the rules of their spec: k22-ignore-tol5-nofeed-agglomerative" in result.stderr
    folder = out / "k22-ignore-tol5-nofeed-agglomerative"  # the name says what differs: tolerance, pairs, solver
    page = (folder / "map.html").read_text()
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title.startswith("⚠ DOES NOT MEET THE RULES — 22 partnerships")
    rules = "Does not meet the rules: 8 partnerships have more pupils than allowed (at most 8,543)"
    heading, legend = page.split("class='pt-box pt-legend'", 1)  # the title panel comes first
    assert f"{rules}; 12 partnerships have fewer pupils than allowed (at least 7,730)</div>" in heading
    assert f"{rules}: Gosport (20,480), Waterlooville &amp; Havant (19,564)" in legend
    meta = json.loads((folder / "plan.json").read_text())
    assert meta["status"] == "violated" and meta["violations"][0].startswith("8 partnerships have more pupils")


def test_allow_violations_exits_0_and_keeps_the_warnings(runner, shared, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["plan", "--k", "22", *FAST_VIOLATED, "--allow-violations", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "allowed by --allow-violations" in result.stderr
    assert "Does not meet the rules" in (out / "k22-ignore-agglomerative" / "map.html").read_text()


def test_run_with_violations_warns_in_pack_exports_and_manifest(runner, shared, tmp_path):
    out = tmp_path / "out"
    path = write_scenario(tmp_path, out)
    result = runner.invoke(cli, ["run", str(path)])
    assert result.exit_code == 3, result.output
    pack = (out / "consultation-pack.html").read_text()
    assert "<title>⚠ Some configurations do not meet the rules" in pack
    assert "⚠ 1 of the 1 proposed configurations in this pack does not meet the rules of the specification" in pack
    assert (
        "22 partnerships (proposal for consultation) (k22-ignore-agglomerative): Does not meet the rules: "
        "8 partnerships have more pupils than allowed" in pack
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["violated"] == ["k22-ignore-agglomerative"]
    assert manifest["configurations"]["k22-ignore-agglomerative"]["violations"][0].startswith("8 partnerships")
    layer = pyogrio.read_dataframe(out / "exports/partition.gpkg", layer="partnerships_k22_ignore_agglomerative")
    assert set(layer["status"]) == {"violated"} and layer["violations"].str.startswith("8 partnerships").all()
    again = runner.invoke(cli, ["run", str(path), "--allow-violations"])
    assert again.exit_code == 0, again.output
    assert "Does not meet the rules" in (out / "consultation-pack.html").read_text()


# --- the output location is checked before solving ---------------------------------------------------------


@pytest.mark.parametrize("where", ["under-a-file", "proc"])
@pytest.mark.parametrize("command", ["plan", "run"])
def test_unwritable_out_fails_before_solving(runner, tmp_path, monkeypatch, where, command):
    no_solving(monkeypatch)
    (tmp_path / "a-file").write_text("x")
    out = tmp_path / "a-file" / "out" if where == "under-a-file" else Path("/proc/partition-test/out")
    args = ["plan", "--out", str(out)] if command == "plan" else ["run", str(write_scenario(tmp_path, out))]
    started = time.perf_counter()
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert f"error: cannot write the output folder {out}" in result.stderr
    assert "Fix: choose an --out in a folder you can write to" in result.stderr
    assert "Traceback" not in result.output and time.perf_counter() - started < 5
    assert sorted(os.listdir(tmp_path)) == ["a-file"] + (["s.toml"] if command == "run" else [])


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_read_only_out_fails_before_solving(runner, tmp_path, monkeypatch):
    no_solving(monkeypatch)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        result = runner.invoke(cli, ["plan", "--out", str(locked / "out")])
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2 and "cannot write the output folder" in result.stderr


# --- a run owns its folder ---------------------------------------------------------------------------------


def test_foreign_folder_is_refused_before_solving(runner, tmp_path, monkeypatch):
    no_solving(monkeypatch)
    out = tmp_path / "documents"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    result = runner.invoke(cli, ["plan", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"output folder {out.absolute()} holds what partition did not write there (notes.txt)" in result.stderr
    assert "Fix: move those files elsewhere, or choose another --out" in result.stderr
    assert (out / "notes.txt").read_text() == "mine" and sorted(os.listdir(tmp_path)) == ["documents"]


def test_outputs_of_an_older_partition_are_replaced(runner, shared, tmp_path):
    out = tmp_path / "maps"  # what partition wrote before it marked its folders
    (out / "k23-ignore").mkdir(parents=True)
    (out / "k23-ignore" / "plan.json").write_text('{"name": "k23-ignore", "k": 23, "solver": "heuristic", "spec": {}}')
    (out / "k23-ignore" / "map.html").write_text("old")
    (out / "exports").mkdir()
    (out / "exports" / "partnerships_k23_ignore.geojson").write_text("{}")
    (out / "changes_k22-ignore_to_k23-ignore.html").write_text("old")
    (out / "manifest.json").write_text('{"versions": {"partition": "0.1.0"}}')
    result = runner.invoke(cli, ["plan", "--k", "22", *FAST_VIOLATED, "--allow-violations", "--out", str(out)])
    assert result.exit_code == 0, result.output
    # the "what changes" map is now written against today's arrangement for every plan
    assert sorted(os.listdir(out)) == [
        MARKER,
        "changes_districts-11_to_k22-ignore-agglomerative.html",
        "k22-ignore-agglomerative",
    ]


def test_rerun_replaces_the_previous_outputs_completely(runner, shared, tmp_path):
    out = tmp_path / "maps"
    out.mkdir()
    (out / ".gitkeep").write_text("")  # as in a fresh clone: accepted, and kept
    first = runner.invoke(cli, ["plan", "--k", "22", "23", *FAST_VIOLATED, "--allow-violations", "--out", str(out)])
    assert first.exit_code == 0, first.output
    assert (out / "changes_districts-11_to_k23-ignore-agglomerative.html").exists()
    second = runner.invoke(cli, ["plan", "--k", "24", *FAST_VIOLATED, "--allow-violations", "--out", str(out)])
    assert second.exit_code == 0, second.output
    assert sorted(os.listdir(out)) == [
        ".gitkeep",
        MARKER,
        "changes_districts-11_to_k24-ignore-agglomerative.html",
        "k24-ignore-agglomerative",
    ]
    assert json.loads((out / MARKER).read_text())["created_by"] == "partition"
    assert sorted(os.listdir(tmp_path)) == ["maps"]  # no staging or old folder left beside it


# --- nothing partial: failures and interrupts --------------------------------------------------------------


def test_infeasible_k_leaves_no_partial_output(runner, shared, tmp_path):
    out = tmp_path / "out"
    before = previous_run(out)
    result = runner.invoke(cli, ["plan", "--k", "22", "--k", "99", "--solver", "heuristic", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "k = 99" in result.stderr and "(nothing was written)" in result.stderr
    assert snapshot(out) == before and sorted(os.listdir(tmp_path)) == ["out"]


def test_a_failing_writer_leaves_the_previous_outputs(runner, shared, tmp_path, monkeypatch):
    out = tmp_path / "out"
    before = previous_run(out)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("partition.report.exports.write_exports", broken)
    result = runner.invoke(cli, ["run", str(write_scenario(tmp_path, out)), "--allow-violations"])
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert snapshot(out) == before and sorted(os.listdir(tmp_path)) == ["out", "s.toml"]


INTERRUPTED = """
import pathlib, signal, sys, time
import partition.report.maps
signal.signal(signal.SIGINT, signal.default_int_handler)  # Ctrl-C as in a terminal, even if started with SIGINT ignored
def stuck(*args, **kwargs):  # the configurations are written; stop while writing the comparison maps
    pathlib.Path(sys.argv[1]).write_text("writing")
    time.sleep(120)
partition.report.maps.write_comparison_maps = stuck
from partition.cli import cli
cli(sys.argv[2:], prog_name="partition")
"""


@pytest.mark.skipif(os.name != "posix", reason="signals")
@pytest.mark.parametrize(
    ("sig", "status", "line"), [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")]
)
def test_interrupt_while_writing_leaves_the_previous_outputs(shared, tmp_path, sig, status, line):
    out = tmp_path / "out"
    before = previous_run(out)
    flag = tmp_path / "flag"
    env = {**os.environ, "PYTHONPATH": str(Path(partition.__file__).parents[1])}
    args = ["plan", "--k", "22", "23", *FAST_VIOLATED, "--allow-violations", "--out", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED, str(flag), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 120
        while not flag.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert flag.exists(), proc.communicate()[1].decode()[-2000:]
        assert any(n.startswith(".out-staging-") for n in os.listdir(tmp_path))  # the run was under way
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == status, err.decode()[-2000:]
    assert err.decode().splitlines()[-1] == line  # one line, no traceback
    assert snapshot(out) == before
    assert sorted(os.listdir(tmp_path)) == ["flag", "out"]  # no staging folder, no lock file


# --- permissions follow the umask ----------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes")
@pytest.mark.parametrize(("mask", "folders", "files"), [(0o022, 0o755, 0o644), (0o077, 0o700, 0o600)])
def test_published_outputs_follow_the_umask(runner, shared, tmp_path, mask, folders, files):
    out = tmp_path / "new" / "out"
    old = os.umask(mask)
    try:
        result = runner.invoke(cli, ["run", str(write_scenario(tmp_path, out)), "--allow-violations"])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    paths = [out.parent, out, *out.rglob("*")]
    assert {oct(p.stat().st_mode & 0o777) for p in paths if p.is_dir()} == {oct(folders)}
    assert {oct(p.stat().st_mode & 0o777) for p in paths if p.is_file()} == {oct(files)}


def _published(runner, out, k="22"):
    result = runner.invoke(cli, ["plan", "--k", k, *FAST_VIOLATED, "--allow-violations", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return result


def test_files_added_to_an_owned_folder_are_never_deleted(runner, shared, tmp_path):
    """A planner's edits or a scenario file saved into maps/ stop the rerun rather than vanish with it."""
    out = tmp_path / "maps"
    _published(runner, out)
    (out / "my-edits.csv").write_text("URN,partnership\n")
    (out / "k22-ignore-agglomerative" / "notes.txt").write_text("mine")
    result = runner.invoke(cli, ["plan", "--k", "23", *FAST_VIOLATED, "--allow-violations", "--out", str(out)])
    assert result.exit_code == 2
    assert "k22-ignore-agglomerative/notes.txt, my-edits.csv" in result.stderr
    assert (out / "my-edits.csv").exists() and (out / "k22-ignore-agglomerative" / "notes.txt").exists()


def test_user_files_named_like_old_outputs_are_not_taken_for_them(runner, tmp_path, monkeypatch):
    """Old outputs are recognised by content: a web app's manifest.json or a finance sheet in exports/ is not."""
    no_solving(monkeypatch)
    out = tmp_path / "legacy"
    (out / "exports").mkdir(parents=True)
    (out / "manifest.json").write_text('{"name": "my pwa"}')
    (out / "exports" / "finance.xlsx").write_text("budget")
    (out / "webapp").mkdir()
    (out / "webapp" / "plan.json").write_text("{}")
    (out / "webapp" / "index.html").write_text("x")
    result = runner.invoke(cli, ["plan", "--out", str(out)])
    assert result.exit_code == 2 and "exports, manifest.json, webapp" in result.stderr
    assert (out / "exports" / "finance.xlsx").exists()


def test_a_forged_marker_is_not_trusted(runner, tmp_path, monkeypatch):
    no_solving(monkeypatch)
    out = tmp_path / "forged"
    out.mkdir()
    (out / MARKER).write_text("{}")
    (out / "notes.txt").write_text("mine")
    result = runner.invoke(cli, ["plan", "--out", str(out)])
    assert result.exit_code == 2 and "not a marker partition wrote" in result.stderr
    assert (out / "notes.txt").exists()
