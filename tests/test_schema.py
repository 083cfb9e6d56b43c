"""Scenario files, spec files and `partition plan` options are validated by one schema (pydantic models).

Every hostile case is a small TOML file (or option) that must stop the CLI with exit status 2 and one line
naming the file, the line of the offending key (or the option) and the fix: no traceback, no Python
internals, nothing written to the output folder.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from partition.cli import cli
from partition.core.schema import key_lines, line_of
from partition.errors import SpecError
from partition.model.spec import Locks, PlanSpec, SizeBound
from partition.runs.scenario import load_scenario

HAMPSHIRE = Path("configs/hampshire.toml").read_text()
INTERNALS = (
    "Traceback",
    "pydantic",
    "Input should",
    "validation error",
    "__init__",
    "keyword argument",
    "errors.pydantic.dev",
)


def _line(text: str, fragment: str) -> int:
    """The 1-based line of the only line of ``text`` holding ``fragment`` (found independently of the code under test)."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if fragment in line]
    assert len(hits) == 1, (fragment, hits)
    return hits[0]


def _refused(result, out: Path) -> str:
    """The one error line of a refused command, after checking exit status, no traceback and no output."""
    assert result.exit_code == 2, result.output
    for word in INTERNALS:
        assert word not in result.output, result.output
    assert not out.exists()
    # one error line (a library's own warning on first import, e.g. networkx 3.2's, may precede it)
    lines = [line for line in result.stderr.strip().splitlines() if not line.startswith("warning: ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


# --- scenario files through `partition run` -------------------------------------------------------------------

SCENARIO_CASES = [
    # (edit of configs/hampshire.toml, fragment on the bad line, message, fix)
    (
        ("anchors = true", 'anchors = "false"'),
        'anchors = "false"',
        'anchors = "false" in [spec] must be true or false',
        "Fix: write anchors = false, without quotes",
    ),
    (
        ('districts = "ignore"', 'districts = "ignore"\nsplit_penalty_km = "0.1"'),
        "split_penalty_km",
        'split_penalty_km = "0.1" in [spec] must be a number',
        "Fix: write split_penalty_km = 0.1, without quotes",
    ),
    (
        ("random_state = 0", 'random_state = "0"'),
        "random_state",
        'random_state = "0" in [spec] must be a whole number',
        "Fix: write random_state = 0, without quotes",
    ),
    (
        ("random_state = 0", "random_state = -1"),
        "random_state",
        "random_state = -1 in [spec] must be at least 0",
        "Fix: give a seed from 0 to 4294967295",
    ),
    (
        ("time_limit = 600", "time_limit = -5"),
        "time_limit",
        "time_limit = -5 in [solver] must be more than 0",
        "Fix: give a safety stop in seconds of each HiGHS run",
    ),
    (
        ("time_limit = 600", "time_limit = 0"),
        "time_limit",
        "time_limit = 0 in [solver] must be more than 0",
        "Fix: give a safety stop in seconds",
    ),
    (
        ("ensemble = 1000", "ensemble = -3"),
        "ensemble",
        "ensemble = -3 in [outputs] must be at least 0",
        "Fix: give a number of sampled plans, 0 for none",
    ),
    (
        ('status = "open"', 'status = "open"\nkinds = ["primary", "primry"]'),
        "kinds",
        'kinds item 2 = "primry" in [data] is not one of primary, middle, secondary',
        "Fix: did you mean 'primary'?",
    ),
    (
        ("tolerance = 0.10", "tolerence = 0.10"),
        "tolerence",
        "unknown key 'tolerence' in [[spec.size]]",
        "Fix: did you mean 'tolerance'? the keys of [[spec.size]] are attribute, tolerance, min, max",
    ),
    (
        ('la = ["850"]', "la = [850]"),
        "la =",
        "la item 1 = 850 in [data] must be text in quotes",
        'Fix: write la = ["850", ...]',
    ),
    (
        ('name = "auto"', 'name = "exakt"'),
        'name = "exakt"',
        'name = "exakt" in [solver] is not one of auto',
        "did you mean 'exact'?",
    ),
    (
        ('folder = "maps"', 'folder = ""'),
        'folder = ""',
        'folder = "" in [outputs] must not be empty',
        "Fix: give a folder path",
    ),
    (
        ("pack = true", "pack = 1"),
        "pack",
        "pack = 1 in [outputs] must be true or false",
        "Fix: write pack = true or pack = false",
    ),
    (
        ("alternatives = 2", "alternatives = 2.5"),
        "alternatives",
        "alternatives = 2.5 in [solver] must be a whole number",
        "Fix: give",
    ),
    (("[outputs]", "[output]"), "[output]", "unknown table [output]", "Fix: did you mean 'outputs'?"),
    (
        ("time_limit = 600", "time_limit = nan"),
        "time_limit",
        "time_limit = nan in [solver] must be a finite number",
        "Fix: give a safety stop in seconds",
    ),
    (
        ("k = [22, 23, 24]", "k = [22, 0]"),
        "k = [22, 0]",
        "k item 2 = 0 in [spec] must be at least 1",
        "Fix: give one or more numbers",
    ),
]


@pytest.mark.parametrize(
    ("edit", "fragment", "message", "fix"), SCENARIO_CASES, ids=[c[0][1][:30] for c in SCENARIO_CASES]
)
def test_hostile_scenario_is_refused_naming_file_line_and_fix(tmp_path, edit, fragment, message, fix):
    old, new = edit
    assert HAMPSHIRE.count(old) == 1
    text = HAMPSHIRE.replace(old, new)
    path = tmp_path / "scenario.toml"
    path.write_text(text)
    out = tmp_path / "out"
    line = _refused(CliRunner().invoke(cli, ["run", str(path), "--out", str(out)]), out)
    assert line.startswith(f"error: {path}, line {_line(text, fragment)}: {message}"), line
    assert fix in line, line


def test_the_first_problem_by_line_is_reported_and_the_rest_counted(tmp_path):
    text = HAMPSHIRE.replace("ensemble = 1000", "ensemble = -3").replace("anchors = true", 'anchors = "no"')
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(
        SpecError, match=rf"line {_line(text, 'anchors')}: anchors = \"no\" .*\(1 more problem\(s\) after this one\)"
    ):
        load_scenario(path)


def test_valid_scenario_keeps_the_keys_as_written():
    scenario = load_scenario("configs/hampshire.toml")
    assert scenario.data == {"la": ["850"], "status": "open", "units": "sites", "islands": "link"}
    assert scenario.solver == {"name": "auto", "time_limit": 600, "alternatives": 2, "within_districts": True}
    assert scenario.outputs["ensemble"] == 1000 and scenario.outputs["pack"] is True
    assert scenario.spec == PlanSpec(k=(22, 23, 24), size=(SizeBound("pupils", tolerance=0.10),), random_state=0)


def test_whole_numbers_are_accepted_where_numbers_are_asked(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        "[spec]\nsplit_penalty_km = 1\n[[spec.size]]\nattribute = 'n_schools'\nmin = 12\nmax = 35\n[solver]\nwithin = 0\n"
    )
    scenario = load_scenario(path)
    assert scenario.spec.split_penalty_km == 1
    assert scenario.spec.size == (SizeBound("n_schools", tolerance=None, min=12, max=35),)
    assert scenario.solver == {"within": 0}


# --- spec files through `partition plan --spec` ---------------------------------------------------------------

SPEC_TWO_SIZES = 'k = [23]\n\n[[size]]\nattribute = "pupils"\ntolerance = 0.10\n\n[[size]]\nattribute = "n_schools"\nmin = 12\nmax = 35\n'

SPEC_CASES = [
    (
        ("k = [23]", "locks = 5\nk = [23]"),
        "locks",
        "locks = 5 must be a table",
        "Fix: write a [locks] table with keys together, apart",
    ),
    (
        ("max = 35", "tolerence = 0.2"),
        "tolerence",
        "unknown key 'tolerence' in [[size]]",
        "Fix: did you mean 'tolerance'?",
    ),
    (
        ("k = [23]", 'k = [23]\nanchors = "false"'),
        "anchors",
        'anchors = "false" must be true or false',
        "Fix: write anchors = false",
    ),
    (
        ("k = [23]", 'k = [23]\nrandom_state = "0"'),
        "random_state",
        'random_state = "0" must be a whole number',
        "without quotes",
    ),
    (
        ("k = [23]", 'k = [23]\ndistricts = "penalize"'),
        "districts",
        'districts = "penalize" is not one of ignore, penalise, nest',
        "Fix: did you mean 'penalise'?",
    ),
    # a rule across keys: the line of its table, the second [[size]]
    (("min = 12", "min = 40"), 7, "the size bound on n_schools has min 40 above max 35", "Fix: make min at most max"),
    (
        ("tolerance = 0.10", "tolerance = 1.5"),
        "tolerance",
        "tolerance = 1.5 in [[size]] must be less than 1",
        "Fix: give a share",
    ),
    (
        (SPEC_TWO_SIZES, "k = [23]\nsize = 'big'\n"),
        "size = ",
        'size = "big" must be [[size]] tables',
        "Fix: write [[size]] tables",
    ),
    (
        ("k = [23]", "k = [23]\n[locks]\napart = [[116422, 116422]]"),
        "apart",
        "the apart lock [116422, 116422] names one school twice",
        "Fix: give two different URNs",
    ),
    (
        ("k = [23]", "k = [23]\n[locks]\ntogether = [[116422]]"),
        "together",
        "together item 1 = [116422] in [locks] must have at least 2",
        "Fix: give groups of two or more URNs",
    ),
    (
        ("k = [23]", 'k = [23]\n[locks]\npinned = { 11642x = "Hurst" }'),
        "pinned",
        "pinned key '11642x' is not a URN",
        "Fix: use the school's URN",
    ),
    (
        ("k = [23]", "k = [23]\ncolour = 'red'"),
        "colour",
        "unknown key 'colour' in the file",
        "Fix: the keys of the file are k, size",
    ),
]


@pytest.mark.parametrize(("edit", "fragment", "message", "fix"), SPEC_CASES, ids=[c[0][1][:30] for c in SPEC_CASES])
def test_hostile_spec_file_is_refused_naming_file_line_and_fix(tmp_path, edit, fragment, message, fix):
    old, new = edit
    text = SPEC_TWO_SIZES.replace(old, new)
    path = tmp_path / "spec.toml"
    path.write_text(text)
    out = tmp_path / "out"
    line = _refused(CliRunner().invoke(cli, ["plan", "--spec", str(path), "--out", str(out)]), out)
    expected = fragment if isinstance(fragment, int) else _line(text, fragment)
    assert line.startswith(f"error: {path}, line {expected}: {message}"), line
    assert fix in line, line


def test_spec_file_with_spec_table_reports_lines_in_it(tmp_path):
    text = "# my spec\n[spec]\nk = [23]\n\n[[spec.size]]\nattribute = 'pupils'\n\n[[spec.size]]\nattribute = 'n_schools'\ntolerence = 0.2\n"
    path = tmp_path / "spec.toml"
    path.write_text(text)
    with pytest.raises(SpecError, match=r"spec\.toml, line 10: unknown key 'tolerence' in \[\[spec\.size\]\]"):
        PlanSpec.from_toml(path)


# --- options of `partition plan` and `partition compare` -------------------------------------------------------

OPTION_CASES = [
    (["plan", "--seed", "-1"], "error: option --seed: -1 must be at least 0. Fix: give a seed from 0 to 4294967295"),
    (["plan", "--seed", "4294967296"], "error: option --seed: 4294967296 must be at most 4294967295"),
    (
        ["plan", "--time-limit", "0"],
        "error: option --time-limit: 0.0 must be more than 0. Fix: give a safety stop in seconds of each HiGHS run",
    ),
    (["plan", "--time-limit", "-5"], "error: option --time-limit: -5.0 must be more than 0"),
    (["plan", "--k", "0"], "error: option --k: 0 must be at least 1. Fix: give one or more numbers of partnerships"),
    (
        ["plan", "--tolerance", "1.5"],
        "error: option --tolerance: 1.5 must be less than 1. Fix: give a share of the mean between 0 and 1",
    ),
    (["plan", "--tolerance", "0"], "error: option --tolerance: 0.0 must be more than 0"),
    (
        ["plan", "--schools-min", "40", "--schools-max", "30"],
        "error: option --schools-min/--schools-max: the size bound on n_schools has min 40",
    ),
    (["plan", "--split-penalty", "-1"], "error: option --split-penalty: -1.0 must be at least 0"),
    (["plan", "--alternatives", "-1"], "error: option --alternatives: -1 must be at least 0"),
    (["plan", "--min-difference", "0"], "error: option --min-difference: 0 must be at least 1"),
    (["plan", "--within", "-0.1"], "error: option --within: -0.1 must be at least 0"),
    (["compare", "--seed", "-1"], "error: option --seed: -1 must be at least 0"),
    (["compare", "--ensemble", "-3"], "error: option --ensemble: -3 must be at least 0"),
    (
        ["data", "summary", "--la", "85"],
        'error: option --la: "85" is not well formed. Fix: give DfE LA codes as three-digit text',
    ),
    (
        ["data", "summary", "--district", "Hart"],
        'error: option --district: "Hart" is not well formed. Fix: give ONS district codes',
    ),
]


@pytest.mark.parametrize(("args", "expected"), OPTION_CASES, ids=[" ".join(c[0]) for c in OPTION_CASES])
def test_bad_option_is_refused_naming_the_option_and_fix(tmp_path, args, expected):
    out = tmp_path / "out"
    extra = ["--out", str(out)] if args[0] == "plan" else []
    line = _refused(CliRunner().invoke(cli, args + extra), out)
    assert line.startswith(expected), line


def test_options_override_the_spec_file_and_are_validated_together(tmp_path):
    from partition.cli import _spec_from_options

    path = tmp_path / "spec.toml"
    path.write_text(SPEC_TWO_SIZES + '[locks]\npinned = { 116422 = "Hurst" }\n')
    opts = dict(tolerance=0.2, schools_max=30, no_anchors=True, districts="penalise", split_penalty=0.1, seed=5)
    spec = _spec_from_options(str(path), (22, 23), opts)
    assert opts == {}, "the spec options are taken from the command's options"
    assert spec.k == (22, 23)
    assert spec.size == (SizeBound("pupils", tolerance=0.2), SizeBound("n_schools", tolerance=None, min=None, max=30))
    assert (spec.anchors, spec.districts, spec.split_penalty_km, spec.random_state) == (False, "penalise", 0.1, 5)
    assert spec.locks.pinned == ((116422, "Hurst"),)


# --- the line finder -----------------------------------------------------------------------------------------

TRICKY = """# a comment with k = 1
title = "x"
[spec]
k = [
  22,
  [23],
]
anchors = true   # trailing comment
[[spec.size]]
attribute = "pupils"
[[ spec.size ]]
attribute = "n_schools"
"min" = 3
[spec.locks]
pinned = { 1 = "a" }
[outputs]
note = \"\"\"
fake = 1
[fake]
\"\"\"
site.name = "b"
ensemble = 5
"""


def test_key_lines_follows_tables_arrays_of_tables_and_skips_string_and_array_bodies():
    lines = key_lines(TRICKY)
    assert lines[("title",)] == 2
    assert lines[("spec",)] == 3
    assert lines[("spec", "k")] == 4
    assert lines[("spec", "anchors")] == 8
    assert lines[("spec", "size", 0, "attribute")] == 10
    assert lines[("spec", "size", 1)] == 11
    assert lines[("spec", "size", 1, "min")] == 13
    assert lines[("spec", "locks", "pinned")] == 15
    assert lines[("outputs", "site", "name")] == 21
    assert lines[("outputs", "ensemble")] == 22
    assert ("fake",) not in lines and ("outputs", "fake") not in lines
    # a key inside an inline table or a list item: the line of the key holding it
    assert line_of(lines, ("spec", "locks", "pinned", "1")) == 15
    assert line_of(lines, ("spec", "k", 1)) == 4


@pytest.mark.parametrize("text", [HAMPSHIRE, TRICKY])
def test_key_lines_finds_every_key_tomllib_reads_on_a_line_naming_it(text):
    lines = key_lines(text)
    source = text.splitlines()

    def walk(data, path):
        for key, value in data.items():
            here = (*path, key)
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value) and here in lines:
                for i, item in enumerate(value):
                    walk(item, (*here, i))
            elif isinstance(value, dict) and not source[lines[here] - 1].lstrip().startswith(f"{key} ="):
                walk(value, here)
            else:
                assert here in lines, here
                assert key in source[lines[here] - 1], (here, lines[here])

    walk(tomllib.loads(text), ())


# --- the PlanSpec API is kept -----------------------------------------------------------------------------------


def test_planspec_round_trips_through_to_dict_and_plan_json():
    spec = PlanSpec(
        k=(22, 23),
        size=(SizeBound("pupils", tolerance=0.05), SizeBound("n_schools", tolerance=None, min=12, max=35)),
        anchors=False,
        districts="nest",
        split_penalty_km=0.2,
        random_state=None,
        locks=Locks(together=((1, 2, 3),), apart=((4, 5),), pinned=((6, "North"),)),
    )
    assert PlanSpec.from_dict(spec.to_dict()) == spec
    assert PlanSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
    assert dataclasses.replace(spec, k=(24,)).k == (24,)


def test_from_dict_names_its_source_without_a_line():
    with pytest.raises(
        SpecError, match=r"^plan\.json: anchors = \"yes\" must be true or false\. Fix: write anchors = true or"
    ):
        PlanSpec.from_dict({"anchors": "yes"}, source="plan.json")
