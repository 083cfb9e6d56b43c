"""``partition batch``: many LAs from one schools file and one boundary file, in parallel, resumable.

Small real LAs from the England files keep it quick: Rutland (857, 20 schools), Kensington and Chelsea
(207, 33), Camden (202, 50) and the City of London (201, one primary school: refused, no anchor).
"""

from __future__ import annotations

import csv
import json
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from partition.cli import cli
from partition.model.spec import PlanSpec
from partition.runs.authority import folder_name
from partition.runs.batch import batch
from partition.runs.krule import BatchError, KRule, read_k_table

SCHOOLS = "schools/gias_2022_england_open_primary_secondary.csv"
BOUNDARIES = "boundaries/topo_lad_eng_2013.json"
SMALL = ["857", "207", "201"]


def _run(out: Path, las=SMALL, *, workers=1, maps=False, spec=None, rule=None, scheduler=None, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return batch(
            {},
            spec or PlanSpec(),
            {"name": "heuristic"},
            out,
            las=las,
            rule=rule,
            maps=maps,
            workers=workers,
            scheduler=scheduler,
            **kw,
        )


def _assignments(folder: Path) -> dict[str, str]:
    """Every assignments.csv of a batch folder, by path relative to it."""
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("assignments.csv"))}


@pytest.fixture(scope="module")
def done(shared, tmp_path_factory) -> Path:
    """A batch of the three small LAs, in one process, with maps."""
    out = tmp_path_factory.mktemp("batch") / "out"
    _run(out, maps=True)
    return out


def test_outcomes_folders_and_summary(done):
    summary = pd.read_csv(done / "summary.csv", dtype={"la": str})
    assert list(summary["la"]) == ["201", "207", "857"]
    by_la = summary.set_index("la")
    assert by_la.loc["857", "status"] == "valid" and by_la.loc["207", "status"] == "valid"
    assert by_la.loc["201", "status"] == "refused"
    assert "anchor" in by_la.loc["201", "reason"] and "Fix:" in by_la.loc["201", "reason"]
    # k by the default rule: round(schools / 21), at least 1
    assert by_la.loc["857", "k"] == 1 and by_la.loc["207", "k"] == 2
    for la in ("857", "207"):
        folder = done / by_la.loc[la, "map"].split("/")[0]
        config = folder / by_la.loc[la, "configuration"]
        placed = pd.read_csv(config / "assignments.csv")
        assert len(placed) == by_la.loc[la, "schools"] and placed["URN"].is_unique
        assert (done / by_la.loc[la, "map"]).is_file() and (config / "edit.html").is_file()
        geo = json.loads((config / "partnerships.geojson").read_text())
        assert len(geo["features"]) == by_la.loc[la, "k"]
        assert all(f["geometry"]["type"] == "Polygon" for f in geo["features"])
    refused = done / folder_name("201", "City of London")
    assert sorted(p.name for p in refused.iterdir() if not p.name.startswith(".")) == ["batch-result.json"]


def test_summary_page_lists_every_la_with_links(done):
    page = (done / "index.html").read_text()
    assert "Partnership plans for 3 local authorities" in page
    assert 'href="857-rutland/' in page and "City of London" in page and "not planned" in page
    assert "<script" not in page


def test_resume_skips_what_is_done_and_replans_what_changed(done, tmp_path):
    before = {p: (done / p).stat().st_mtime_ns for p in _assignments(done)}
    again = _run(done, maps=True)
    assert again.skipped == 3
    assert {p: (done / p).stat().st_mtime_ns for p in _assignments(done)} == before
    changed = _run(done, las=["857"], maps=True, spec=PlanSpec(random_state=5))
    assert changed.skipped == 0 and changed.results[0].status == "valid"


def test_parallel_and_in_process_give_the_same_plans(done, tmp_path):
    pooled = tmp_path / "pooled"
    result = _run(pooled, workers=2)
    assert result.count("valid") == 2 and result.count("refused") == 1
    assert _assignments(pooled) == _assignments(done)


def test_dask_local_cluster_gives_the_same_plans(done, tmp_path, dask_scheduler):
    result = _run(tmp_path / "dask", scheduler=dask_scheduler)
    assert [r.status for r in result.results] == ["refused", "valid", "valid"]
    assert _assignments(tmp_path / "dask") == _assignments(done)


def test_unreachable_scheduler_is_a_clear_error(shared, tmp_path, monkeypatch):
    monkeypatch.setattr("partition.runs.parallel.CONNECT_TIMEOUT_S", 2)
    res = CliRunner().invoke(
        cli, ["batch", "--la", "857", "--scheduler", "tcp://127.0.0.1:9", "--out", str(tmp_path / "b")]
    )
    assert res.exit_code == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in res.output


def test_k_rules(shared, tmp_path):
    table = tmp_path / "k.csv"
    table.write_text("\ufeffla;k\r\n857;2\r\n207;2\r\n207;3\r\n", encoding="utf-8")
    assert read_k_table(table) == {"857": (2,), "207": (2, 3)}
    assert KRule(pupils_per=2000).ks("857", 20, 5000.0) == (2,)
    assert KRule().ks("857", 20, 5000.0) == (1,)
    result = _run(tmp_path / "out", las=["857", "202"], rule=KRule(table=read_k_table(table)))
    by_la = {r.la: r for r in result.results}
    assert by_la["857"].status == "valid" and by_la["857"].rows[0]["k"] == 2
    assert by_la["202"].status == "refused" and "k table has no row for LA 202" in by_la["202"].rows[0]["reason"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("la,k\n857,two\n", r"k\.csv, line 2, column 'k': value 'two' is not a number"),
        ("code,k\n857,2\n", r"k\.csv: has no column la\. Fix: give a header row: la,k"),
        (
            "la,k\n857,0\n",
            r"k\.csv, line 2, column 'k': value '0' is less than 1\. Fix: give a whole number, e\.g\. 23",
        ),
        ("la,k\n85O,2\n", r"k\.csv, line 2, column 'la': LA code '85O' is not a DfE LA code"),
        ("la;k\n857;1.5\n", r"line 2, column 'k': value '1\.5' is not a whole number \(a count of partnerships\)"),
    ],
)
def test_bad_k_table_is_refused_naming_the_line(tmp_path, text, message):
    path = tmp_path / "k.csv"
    path.write_text(text)
    with pytest.raises(BatchError, match=message):
        read_k_table(path)


def test_two_rules_at_once_are_refused():
    with pytest.raises(BatchError, match="one rule for k"):
        KRule(k=(3,), schools_per=20)


def test_unknown_la_and_foreign_folder_are_refused(shared, tmp_path):
    runner = CliRunner()
    res = runner.invoke(cli, ["batch", "--la", "999", "--out", str(tmp_path / "b")])
    assert res.exit_code == 2 and "no school has LA code 999" in res.output
    assert "check the codes (this file has 152 LAs: " in res.output and ", … (149 more))" in res.output
    assert not (tmp_path / "b").exists()
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    res = runner.invoke(cli, ["batch", "--la", "857", "--out", str(foreign)])
    assert res.exit_code == 2 and "did not write (notes.txt)" in res.output
    assert (foreign / "notes.txt").read_text() == "keep me"


def test_cli_batch_prints_the_outcome(shared, tmp_path):
    res = CliRunner().invoke(
        cli, ["batch", "--la", "857", "--la", "201", "--no-maps", "--workers", "1", "--out", str(tmp_path / "b")]
    )
    assert res.exit_code == 0, res.output
    assert "2 LAs in" in res.output and "1 valid, 1 refused" in res.output
    assert "201 City of London: refused" in res.output


def test_hostile_authority_name_stays_text(shared, tmp_path):
    """An LA name from the file is escaped on the summary page and never runs as template code."""
    rows = []
    with (shared / SCHOOLS).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames
        for row in reader:
            if row["LA (code)"] == "857":
                rows.append({**row, "LA (name)": "<script>alert(1)</script>{{ 7*7 }}"})
    path = tmp_path / "gias.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        batch(
            {"schools": str(path), "boundaries": str(shared / BOUNDARIES)},
            PlanSpec(),
            {"name": "heuristic"},
            tmp_path / "out",
            maps=False,
            workers=1,
        )
    page = (tmp_path / "out" / "index.html").read_text()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#123;&#123; 7*7 &#125;&#125;" in page


def test_a_changed_file_in_a_done_la_is_planned_again(shared, tmp_path):
    out = tmp_path / "b"
    _run(out, las=["857"])
    assignments = next(out.glob("857-rutland/*/assignments.csv"))
    original = assignments.read_text()
    assignments.write_text(original + "999999,extra,P01,x,y,primary,1\n")
    again = _run(out, las=["857"])
    assert again.skipped == 0 and again.results[0].status == "valid"
    assert assignments.read_text() == original  # the edited file replaced by the plan's own


def test_interrupted_batch_stops_its_workers_and_summarises_what_is_done(shared, tmp_path):
    """Ctrl-C after the first LA: the pool's workers are stopped, no staging folder is left, and the summary
    lists exactly the LAs whose folders hold their result."""
    out = tmp_path / "b"

    def interrupt(result, done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _run(out, las=["857", "207", "202", "201"], workers=2, progress=interrupt)
    time.sleep(2)
    assert not [p.name for p in out.iterdir() if "staging" in p.name]
    published = {p.name.split("-")[0] for p in out.iterdir() if (p / "batch-result.json").is_file()}
    summary = pd.read_csv(out / "summary.csv", dtype={"la": str})
    assert set(summary["la"]) == published and published
    rerun = _run(out, las=["857", "207", "202", "201"], workers=1)
    assert rerun.skipped == len(published) and len(rerun.results) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scheduler", "nonsense"], "cannot reach the Dask scheduler at nonsense"),
        (["--k", "0"], "--k must be 1 or more, got 0. Fix: e.g. --k 23"),
        (["--schools-per-partnership", "0"], "--schools-per-partnership must be above 0, got 0. Fix"),
    ],
)
def test_bad_options_are_one_line_errors_and_write_nothing(shared, tmp_path, args, message):
    res = CliRunner().invoke(cli, ["batch", "--la", "857", "--no-maps", *args, "--out", str(tmp_path / "b")])
    assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output
    assert not (tmp_path / "b").exists()


def test_output_under_a_file_is_a_one_line_error(shared, tmp_path):
    (tmp_path / "afile").write_text("x")
    res = CliRunner().invoke(
        cli, ["batch", "--la", "857", "--no-maps", "--workers", "1", "--out", str(tmp_path / "afile" / "sub")]
    )
    assert res.exit_code == 2 and f"cannot write the output folder {tmp_path / 'afile' / 'sub'}" in res.output


def test_k_table_codes_as_typed_and_rows_not_planned(shared, tmp_path):
    table = tmp_path / "k.csv"
    table.write_text("la,k\n0857,2\n999,3\n")
    assert read_k_table(table) == {"857": (2,), "999": (3,)}
    with pytest.warns(Warning, match="rows for LA.s. not planned here: 999"):
        result = batch(
            {},
            PlanSpec(),
            {"name": "heuristic"},
            tmp_path / "b",
            las=["857"],
            rule=KRule(table=read_k_table(table)),
            maps=False,
            workers=1,
        )
    assert result.results[0].rows[0]["k"] == 2
