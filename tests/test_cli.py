"""The CLI through click's runner: summaries and bad input."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from tests.conftest import GIAS_COLUMNS, school_row, write_gias

from partition.cli import cli


@pytest.fixture
def runner():
    return CliRunner()


def test_data_summary_text(runner, shared):
    result = runner.invoke(cli, ["data", "summary"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Schools: 494 (all-through 2, primary 425, secondary 67)" in out
    assert "Sites: 464" in out
    assert "Units (sites): 464" in out
    assert "connected" in out
    assert "Basingstoke and Deane" in out
    assert "URN 131420 Whiteley Primary School: GIAS 'Fareham' vs polygon 'Winchester'" in out
    assert "imputed pupil numbers for 3 school" in result.stderr


def test_data_summary_json_all_statuses(runner, shared):
    result = runner.invoke(
        cli,
        [
            "data",
            "summary",
            "--json",
            "--status",
            "all",
            "--schools",
            str(shared / "schools/gias_20220420_primary_hampshire_850.csv"),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    no_xy = [urns for reason, urns in data["excluded"]["by_reason"].items() if "coordinates" in reason]
    assert len(no_xy[0]) == 11
    assert data["graph"]["connected"] is True
    assert data["schools"] == 520 - 11


def test_other_la(runner, shared):
    result = runner.invoke(cli, ["data", "summary", "--json", "--la", "878"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["la_codes"] == ["878"]
    assert len(data["districts"]) == 8


def _bad(runner, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ")
    assert sum(line.startswith("error: ") for line in result.stderr.splitlines()) == 1
    return last


def test_missing_file(runner, tmp_path):
    msg = _bad(runner, ["data", "summary", "--schools", str(tmp_path / "nope.csv")])
    assert "nope.csv does not exist" in msg


def test_missing_column(runner, tmp_path, shared):
    path = write_gias(
        tmp_path / "g.csv", [school_row(1, 450000, 120000)], [c for c in GIAS_COLUMNS if c != "NumberOfPupils"]
    )
    msg = _bad(runner, ["data", "summary", "--schools", str(path), "--la", "999"])
    assert "column 'NumberOfPupils': required GIAS column(s) missing" in msg


def test_unknown_la(runner, shared):
    msg = _bad(runner, ["data", "summary", "--la", "123"])
    assert "no school has LA code 123" in msg


def test_bad_boundary_file(runner, tmp_path, shared):
    bad = tmp_path / "b.geojson"
    bad.write_text("{}")
    msg = _bad(runner, ["data", "summary", "--boundaries", str(bad)])
    assert "b.geojson" in msg


def test_boundaries_that_do_not_cover_the_la(runner, shared):
    msg = _bad(
        runner,
        [
            "data",
            "summary",
            "--la",
            "936",
            "--boundaries",
            str(shared / "boundaries/hampshire_districts_lad2023.geojson"),
        ],
    )
    assert "no district contains any of the 356 selected schools" in msg


def test_unknown_district_code(runner, shared):
    msg = _bad(runner, ["data", "summary", "--district", "E99999999"])
    assert "has no district with code E99999999" in msg


def test_bad_data_dir_env(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("PARTITION_DATA", str(tmp_path / "missing"))
    msg = _bad(runner, ["data", "summary"])
    assert "PARTITION_DATA=" in msg and "is not a folder" in msg


def test_plan_writes_each_configuration(runner, shared, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(cli, ["plan", "--k", "22", "23", "--solver", "heuristic", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("k22-ignore-heuristic", "k23-ignore-heuristic"):  # the name says which solver made it
        assert (out / name / "assignments.csv").exists()
        assert (out / name / "partnerships.geojson").exists()
        assert (out / name / "map.html").stat().st_size > 100_000
        assert name in result.stdout
    assert "feasible" in result.stdout


def test_plan_nest_infeasible_is_explained(runner, shared, tmp_path):
    result = runner.invoke(
        cli, ["plan", "--k", "23", "--districts", "nest", "--solver", "heuristic", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Gosport" in result.stderr and "Fix: allow a pupils tolerance" in result.stderr
    assert not (tmp_path / "o").exists()


def test_plan_bad_spec_file(runner, shared, tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text("k = [23]\nsize = 'big'\n")
    msg = _bad(runner, ["plan", "--spec", str(spec), "--out", str(tmp_path / "o")])
    assert "bad.toml" in msg and "[[size]]" in msg
    assert not (tmp_path / "o").exists()
