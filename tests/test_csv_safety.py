"""Every CSV partition writes opens in a spreadsheet without running a formula, and reads back exactly;
names from data never become a path outside the output folder.

Hostile names (schools, towns, districts, LAs, partnerships beginning with ``=``, ``+``, ``-``, ``@``)
are written through every CSV writer (``assignments.csv``, ``exports/*.csv``, ``comparison.csv`` and
``compare --csv``, the batch ``summary.csv``); no text cell of any of them may begin a formula.
"""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.synthetic import grid_inputs

from partition.analysis.compare import format_scorecard, scorecard
from partition.core.csvsafe import (
    FORMULA_START,
    csv_text,
    neutralise_text,
    read_csv,
    restore_text,
    write_csv,
)
from partition.core.filenames import MAX_NAME_BYTES, UnsafeNameError, path_inside, safe_name
from partition.data.configurations import read_assignment_csv, read_csv_text
from partition.runs.outputs import write_plan

HOSTILE = ["=Andover", "+Romsey", "-Fleet", "@Alton", '=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0"]
CELL_START = re.compile(r"(?:^|[;\r\n])[" + re.escape(FORMULA_START) + "]")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def formula_cells(text: str) -> list[str]:
    """The cells of a CSV text that a spreadsheet would run: not a plain number, and a formula character at the
    start of the cell, or after a semicolon or a line break inside it."""
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    return [cell for cell in cells if CELL_START.search(cell) and not NUMBER.fullmatch(cell)]


def all_csv_cells(folder: Path) -> dict[str, str]:
    """Every CSV under ``folder``, by relative path: its text."""
    return {str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.csv"))}


# ---- the rule


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=Andover", "'=Andover"),
        ("+Romsey", "'+Romsey"),
        ("-Fleet", "'-Fleet"),
        ("@Alton", "'@Alton"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("\0nul", "'\0nul"),
        ("'=already", "''=already"),
        ("Andover;=Romsey", "Andover;'=Romsey"),
        ("Andover\n-Fleet", "Andover\n'-Fleet"),
        ("Andover", "Andover"),
        ("'quoted'", "'quoted'"),
        ("St Mary's; -", "St Mary's; -"),
        ("A=B+C", "A=B+C"),
        ("", ""),
    ],
)
def test_formula_text_is_quoted_and_restored(text, written):
    assert neutralise_text(text) == written
    assert restore_text(written) == text


@given(st.text(alphabet=st.sampled_from(list("=+-@\t\r\n;'\0 aZé")), max_size=30))
def test_round_trip_exact_and_no_cell_starts_a_formula(text):
    written = neutralise_text(text)
    assert restore_text(written) == text
    assert not CELL_START.search(written)


def test_numbers_stay_numbers_and_text_is_quoted():
    frame = pd.DataFrame(
        {"partnership": ["=Andover", "-9.9", None], "deviation (%)": [-9.9, 3.5, 0.0], "mixed": [-1.5, "-x", None]},
        index=pd.Index(["@k23", "k22", "k24"], name="configuration"),
    )
    assert csv_text(frame, index=True) == (
        "configuration,partnership,deviation (%),mixed\n'@k23,'=Andover,-9.9,-1.5\nk22,'-9.9,3.5,'-x\nk24,,0.0,\n"
    )


def test_written_csv_reads_back_exactly(tmp_path):
    frame = pd.DataFrame({"URN": [1, 2, 3], "partnership": ["=Andover", "'+Romsey", "Fleet"], "x": [-1.0, 2.0, 3.0]})
    path = write_csv(frame, tmp_path / "t.csv")
    assert formula_cells(path.read_text()) == []
    pd.testing.assert_frame_equal(read_csv(path), frame)
    assert list(read_csv_text(path).frame["partnership"]) == ["=Andover", "'+Romsey", "Fleet"]


def test_reading_keeps_the_dtypes_pandas_reads(tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("URN,partnership\n1,\n2,\n")
    plain = pd.read_csv(path, dtype=str)
    pd.testing.assert_frame_equal(read_csv(path, dtype=str), plain)
    assert list(read_csv_text(path).frame["partnership"]) == ["", ""]  # every field text, blanks never NaN


# ---- every writer of a plan's outputs


@pytest.fixture(scope="module")
def hostile_world():
    """A real plan of 8 synthetic schools whose names, towns and districts begin a formula, and a
    configuration whose partnerships are called ``=Andover`` and ``-Fleet``."""
    from partition.model.spec import PlanSpec
    from partition.planning.planner import make_plan, plan_from_assignment

    districts = ["=West", "=West", "+East", "+East"] * 2
    inputs = grid_inputs(2, 4, [100, 120, 140, 160] * 2, [True, False, False, False] * 2, districts=districts)
    s = inputs.schools
    s["name"] = [f"{HOSTILE[i % len(HOSTILE)]} School {i}" for i in range(8)]
    s["town"] = ["=Andover", "=Andover", "+Romsey", "+Romsey", "@Alton", "@Alton", "-Fleet", "-Fleet"]
    s["phase"], s["type"], s["pupils_imputed"] = "Primary", "-Community", False
    inputs.units["district_code"] = ["@E0" + str(i % 2) for i in range(8)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        planned = make_plan(inputs, PlanSpec(k=(2,)), 2, solver="heuristic", heuristic_options={"iterations": 5})
        labels = pd.Series(["=Andover"] * 4 + ["-Fleet"] * 4, index=s["URN"].to_numpy())
        given_plan = plan_from_assignment(inputs, labels, name="given")
    return inputs, [planned, given_plan]


def test_no_csv_of_a_plan_starts_a_formula_and_names_read_back(hostile_world, tmp_path):
    from tests.test_html_safety import _districts

    from partition.report.exports import write_exports

    inputs, plans = hostile_world
    assert any(str(n)[0] in "=+-@" for n in plans[0].partnerships["name"])  # named after the hostile places
    folders = [write_plan(plan, tmp_path) for plan in plans]  # read back and checked by verify_written_plan
    write_exports(plans, inputs.schools, inputs.units, _districts(inputs.units), tmp_path / "exports")
    table = scorecard(plans, reference=plans[0])
    (tmp_path / "comparison.csv").write_text(format_scorecard(table, "csv"))
    written = all_csv_cells(tmp_path)
    assert {"given/assignments.csv", "exports/schools.csv", "exports/districts.csv", "comparison.csv"} <= set(written)
    assert {name: formula_cells(text) for name, text in written.items()} == {name: [] for name in written}
    assert "'=Andover" in written["given/assignments.csv"] and "'-Community" in written["exports/schools.csv"]
    for plan, folder in zip(plans, folders):
        labels = read_assignment_csv(folder / "assignments.csv")
        assert labels.to_dict() == plan.assignments.set_index("URN")["partnership"].to_dict()
    assert set(read_assignment_csv(folders[1] / "assignments.csv")) == {"=Andover", "-Fleet"}
    comparison = read_csv_text(tmp_path / "comparison.csv").frame
    assert float(comparison["average distance to centre (km)"].iloc[0]) == pytest.approx(plans[0].wdist_km, abs=1e-3)


def test_compare_csv_quotes_a_configuration_named_like_a_formula(hostile_world, tmp_path):
    from dataclasses import replace

    _, plans = hostile_world
    renamed = [replace(plans[0], name="=k2"), replace(plans[1], name="-given")]
    text = format_scorecard(scorecard(renamed, reference=renamed[0]), "csv")
    assert formula_cells(text) == []
    assert [row[0] for row in csv.reader(io.StringIO(text))][1:] == ["'=k2", "'-given"]


def test_a_plan_named_like_a_path_writes_nothing(hostile_world, tmp_path):
    from dataclasses import replace

    _, plans = hostile_world
    out = tmp_path / "deep" / "out"
    for name in ("../../escape", "..", "/etc", "CON", "a\0b"):
        with pytest.raises(UnsafeNameError, match="cannot be a file or folder name"):
            write_plan(replace(plans[1], name=name), out)
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == []


# ---- names from data as paths


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("850-hampshire", "850-hampshire"),
        ("k23-ignore-tol5-heuristic-alt1", "k23-ignore-tol5-heuristic-alt1"),
        ("../../escape", "escape"),
        ("..\\x", "x"),
        ("/etc", "etc"),
        ("/etc/passwd", "etc-passwd"),
        ("a/../b", "a-.-b"),
        ("CON", "_CON"),
        ("nul.txt", "_nul.txt"),
        ("com1", "_com1"),
        ("LPT9", "_LPT9"),
        ("console", "console"),
        ("a\0b", "a-b"),
        ("line\nbreak\ttab", "line-break-tab"),
        ("right\u202eexe.txt", "right-exe.txt"),
        (".hidden", "hidden"),
        ("--force", "force"),
        ("name. ", "name"),
        ('a<b>c:d"e|f?g*h', "a-b-c-d-e-f-g-h"),
        ("Bournemouth, Christchurch and Poole", "Bournemouth, Christchurch and Poole"),
    ],
)
def test_safe_name(text, name):
    assert safe_name(text) == name
    assert safe_name(name) == name


def test_a_long_name_is_cut_with_a_hash():
    a, b = safe_name("x" * 300), safe_name("x" * 299 + "y")
    assert len(a.encode()) == len(b.encode()) == MAX_NAME_BYTES and a != b and a.startswith("x" * 80)
    accented = safe_name("é" * 300)
    assert len(accented.encode()) <= MAX_NAME_BYTES and safe_name(accented) == accented


@pytest.mark.parametrize("text", ["", "..", "/", "\\", "\0", " . "])
def test_nothing_usable_is_refused(text):
    with pytest.raises(UnsafeNameError, match="cannot be a file or folder name: nothing is left"):
        safe_name(text)


@pytest.mark.parametrize("name", ["..", "../x", "..\\x", "/etc", "a/b", "CON", "x\0", ".x", "", "x" * 256])
def test_path_inside_refuses_what_is_not_one_safe_name(tmp_path, name):
    with pytest.raises(UnsafeNameError, match="cannot be a file or folder name in"):
        path_inside(tmp_path, name)


def test_path_inside_refuses_a_link_out_of_the_folder(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(tmp_path, out / "link")
    with pytest.raises(UnsafeNameError, match="would be outside the output folder"):
        path_inside(out, "link")
    assert path_inside(out, "850-hampshire") == out / "850-hampshire"


def test_two_las_sharing_a_folder_are_refused(tmp_path):
    from partition.runs.batch import authority_folders
    from partition.runs.krule import BatchError

    table = pd.DataFrame({"la": ["../x", "x", "850"], "name": ["Kent", "Kent", "Hampshire"]})
    with pytest.raises(BatchError, match="LA codes '../x' and 'x' of the schools file would share the folder x-kent"):
        authority_folders(tmp_path, table)
    assert authority_folders(tmp_path, table.iloc[1:]) == [tmp_path / "x-kent", tmp_path / "850-hampshire"]


# ---- a batch with hostile LA codes and names


def test_batch_with_hostile_la_stays_in_out_and_quotes_formulas(shared, tmp_path):
    """Rutland's schools under a hostile LA name (a path and a formula) and hostile school and town names:
    the batch writes only inside --out, and no CSV it writes starts a formula. (An LA *code* such as
    ``../../escape`` is refused when the schools are read: see the next test.)"""
    from partition.model.spec import PlanSpec
    from partition.runs.batch import batch

    rows = []
    with (shared / "schools/gias_2022_england_open_primary_secondary.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames
        for i, row in enumerate(r for r in reader if r["LA (code)"] == "857"):
            hostile = HOSTILE[i % len(HOSTILE)]
            rows.append(
                {
                    **row,
                    "LA (name)": '../../=HYPERLINK("http://x","Rutland")',
                    "EstablishmentName": f"{hostile} {row['EstablishmentName']}",
                    "Town": f"{hostile[0]}{row['Town']}",
                }
            )
    source = tmp_path / "in" / "gias.csv"
    source.parent.mkdir()
    england = gpd.read_file(shared / "boundaries/topo_lad_eng_2013.json")  # read in 0.4 s, repaired by partition in 7
    boundaries = tmp_path / "in" / "rutland.geojson"
    england[england["LAD13NM"] == "Rutland"].set_crs("EPSG:4326").to_file(boundaries, driver="GeoJSON")
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "a" / "b" / "out"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = batch(
            {"schools": str(source), "boundaries": str(boundaries)},
            PlanSpec(),
            {"name": "heuristic"},
            out,
            maps=False,
            workers=1,
        )
    assert [r.status for r in result.results] == ["valid"]
    outside = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if not p.is_relative_to(out) or p == out)
    assert outside == ["a", "a/b", "a/b/out", "in", "in/gias.csv", "in/rutland.geojson"]
    assert sorted(p.name for p in out.iterdir()) == [
        ".partition-batch.json",
        "857-hyperlink-http-x-rutland",
        "index.html",
        "summary.csv",
    ]
    written = all_csv_cells(out)
    assert "summary.csv" in written and any(name.endswith("assignments.csv") for name in written)
    assert {name: formula_cells(text) for name, text in written.items()} == {name: [] for name in written}
    summary = read_csv_text(out / "summary.csv").frame
    assert set(summary["authority"]) == {'../../=HYPERLINK("http://x","Rutland")'} and set(summary["la"]) == {"857"}


def test_an_la_code_that_is_a_path_is_refused_and_nothing_is_written(shared, tmp_path):
    from partition.errors import SchoolsFileError
    from partition.model.spec import PlanSpec
    from partition.runs.batch import batch

    with (shared / "schools/gias_2022_england_open_primary_secondary.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = reader.fieldnames
        rows = [{**row, "LA (code)": "../../escape"} for row in reader if row["LA (code)"] == "857"]
    source = tmp_path / "in" / "gias.csv"
    source.parent.mkdir()
    with source.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    out = tmp_path / "a" / "out"
    with pytest.raises(SchoolsFileError) as caught:
        batch({"schools": str(source)}, PlanSpec(), {"name": "heuristic"}, out, maps=False, workers=1)
    assert str(caught.value) == (
        f"{source}, line 2, column 'LA (code)': LA code '../../escape' is not a DfE LA code. "
        "Fix: give the three-digit DfE LA code (e.g. 850), up to 999"
    )
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == ["in", "in/gias.csv"]
