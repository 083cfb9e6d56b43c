"""Scenario files and `partition run`: validation, outputs, manifest, reproducibility."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from tests.test_csv_safety import all_csv_cells, formula_cells

from partition.cli import cli
from partition.errors import SpecError
from partition.runs.scenario import load_scenario

NEED_FILES = {
    "lsoa2001_mye2010_age_imd2010_hampshire.csv",
    "lsoa2001_hants_simplify0.75.topo.json",
    "msoa2021_hampshire_indicators.csv",
    "msoa2021_hampshire.geojson",
}
"""The need tables (and their areas) read by default for Hampshire (partition.data.need)."""

SMALL = """
[data]
schools = "schools/gias_2022_hampshire_850_open_primary_secondary.csv"
boundaries = "boundaries/hampshire_districts_lad2023.geojson"
la = ["850"]

[spec]
k = [23]
random_state = 7

[[spec.size]]
attribute = "pupils"
tolerance = 0.10

[solver]
name = "heuristic"

[outputs]
folder = "OUT"
ensemble = 50
"""


def test_default_scenario_is_valid():
    scenario = load_scenario("configs/hampshire.toml")
    assert scenario.spec.k == (22, 23, 24)
    assert scenario.folder.name == "maps"


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            "[data]\nschols = 'x.csv'\n",
            r"line 2: unknown key 'schols' in \[data\]\. Fix: did you mean 'schools'\? the keys of \[data\] are schools",
        ),
        ("[solver]\nname = 'fastest'\n", r"line 2: name = \"fastest\" in \[solver\] is not one of auto"),
        ("[outputs]\nensemble = 'many'\n", r"line 2: ensemble = \"many\" in \[outputs\] must be a whole number"),
        ("[outputs]\nensemble_thin = 0\n", r"line 2: ensemble_thin = 0 in \[outputs\] must be at least 1"),
        ("[outputs]\nensemble_chains = 0\n", r"line 2: ensemble_chains = 0 in \[outputs\] must be at least 1"),
        (
            "[extras]\nx = 1\n",
            r"line 1: unknown table \[extras\]. Fix: the tables and keys of the file are data, spec, solver, outputs",
        ),
        ("[spec]\nk = [23]\ncolour = 'red'\n", r"line 3: unknown key 'colour' in \[spec\]"),
        ("[data\n", r"not valid TOML"),
    ],
)
def test_bad_scenarios_name_the_line(tmp_path, text, pattern):
    path = tmp_path / "s.toml"
    path.write_text(text)
    with pytest.raises(SpecError, match=pattern):
        load_scenario(path)


def test_bad_scenario_in_cli_exit_2(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[data]\nschols = 'x.csv'\n")
    result = CliRunner().invoke(cli, ["run", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "line 2" in result.stderr
    assert not (tmp_path / "o").exists()


def test_run_writes_everything_and_is_reproducible(shared, tmp_path):
    path = tmp_path / "small.toml"
    path.write_text(SMALL.replace("OUT", str(tmp_path / "out").replace("\\", "/")))
    runner = CliRunner()
    first = runner.invoke(cli, ["run", str(path)])
    assert first.exit_code == 0, first.output
    out = tmp_path / "out"
    for name in (
        "k23-ignore-heuristic/assignments.csv",
        "k23-ignore-heuristic/map.html",
        "k23-ignore-heuristic/edit.html",
        "consultation-pack.html",
        "manifest.json",
        "comparison.md",
        "exports/partition.gpkg",
        "exports/schools.csv",
        "exports/schools.geojson",
    ):
        assert (out / name).exists(), name
    layers = {str(n) for n in pyogrio.list_layers(out / "exports/partition.gpkg")[:, 0]}
    assert layers == {"schools", "partnerships_k23_ignore_heuristic", "units", "districts"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 7
    assert {i["path"].rsplit("/", 1)[-1] for i in manifest["inputs"]} == {
        "gias_2022_hampshire_850_open_primary_secondary.csv",
        "hampshire_districts_lad2023.geojson",
        *NEED_FILES,
    }
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["versions"]["highspy"] and manifest["spec"]["k"] == [23]
    # the settings used, defaults included, even those the scenario file leaves out
    assert {"name", "time_limit", "alternatives"} <= manifest["solver"].keys()
    assert {"maps", "exports", "pack", "ensemble"} <= manifest["outputs"].keys()
    # the ensemble's design, defaults included: 4 chains from random plans, burn-in, thinning, steps
    # (thinning by default: at least 25,000 steps after the burn-in, so every 500th of 50 plans)
    assert manifest["outputs"]["ensemble_chains"] == 4 and manifest["outputs"]["ensemble_thin"] is None
    design = manifest["ensemble"]
    assert design["chains"] == 4 and design["burn_in"] == manifest["outputs"]["ensemble_burn_in"] == 2000
    assert design["thin"] == 500 and design["kept_per_chain"] == [13, 13, 12, 12]
    assert design["steps_per_chain"] == [2000 + 13 * 500, 2000 + 13 * 500, 2000 + 12 * 500, 2000 + 12 * 500]
    assert design["total_steps"] == 4 * 2000 + 50 * 500 and len(design["ensembles"]) == 1
    assert design["ensembles"][0]["configurations"] == ["k23-ignore-heuristic"] and design["ensembles"][0]["k"] == 23
    assert design["method"].startswith("independent ReCom chains from random starting plans")
    pack = (out / "consultation-pack.html").read_text()
    assert "<svg" in pack and "Open Government Licence" in pack and "districts-11" in pack
    assert "href='k23-ignore-heuristic/edit.html'>Edit this proposal: " in pack
    # every proposed configuration meets its rules: no banner; the current arrangement warns in its own sheet
    assert "<title>Local children" in pack and "proposed configurations" not in pack
    assert "Does not meet the rules: 3 partnerships have more pupils than allowed" in pack
    assert json.loads((out / "manifest.json").read_text())["violated"] == []
    md = (out / "comparison.md").read_text()
    assert "beats 50 random valid plans on average distance to centre (%)" in md and "\nColumns:\n" in md
    assert "Drawn by 4 independent ReCom chains from random starting plans" in md
    assert "2,000 steps of burn-in discarded per chain, then every 500th step kept (8,000-8,500 steps per chain)" in md
    assert (
        "\nRecommended (robust to roll changes in at least 9 of 10 draws" in md
        and "* k = 23: **k23-ignore-heuristic**." in md
    )
    assert "recommended (see comparison.md): k = 23: k23-ignore-heuristic" in first.output
    csv = pd.read_csv(out / "comparison.csv", index_col=0)
    assert csv.loc["districts-11", "district splits (pieces)"] == 0 and csv.index[-1] == "districts-11"
    assert csv["largest size difference (%)"].dtype == float and csv["largest size difference (%)"].max() > 10
    # every CSV the run wrote opens in a spreadsheet without running anything (numbers such as -9.9 stay numbers)
    written = all_csv_cells(out)
    assert {"comparison.csv", "exports/schools.csv", "k23-ignore-heuristic/assignments.csv"} <= set(written)
    assert {name: formula_cells(text) for name, text in written.items()} == {name: [] for name in written}
    before = (out / "k23-ignore-heuristic/assignments.csv").read_bytes()
    # published files never carry this machine's paths (the data folder, the checkout, the temp folder)
    for published in ("manifest.json", ".partition-run.json"):
        record = json.loads((out / published).read_text())
        record.get("scenario", {}).pop("text", None)  # the user's own file, quoted as written (it names OUT)
        text = json.dumps(record)
        assert str(tmp_path) not in text and str(shared) not in text and str(shared.resolve()) not in text, published
    assert manifest["command"].startswith("partition run ")
    assert {i["path"] for i in manifest["inputs"]} <= {
        "<data>/schools/gias_2022_hampshire_850_open_primary_secondary.csv",
        "<data>/boundaries/hampshire_districts_lad2023.geojson",
        "gias_2022_hampshire_850_open_primary_secondary.csv",
        "hampshire_districts_lad2023.geojson",
        *NEED_FILES,
        *(f"<data>/{d}/{n}" for n in NEED_FILES for d in ("population", "boundaries")),
    }
    # a quick `partition plan` never replaces what `partition run` published
    listing = sorted(p.relative_to(out) for p in out.rglob("*"))
    refused = runner.invoke(cli, ["plan", "--k", "23", "--solver", "heuristic", "--out", str(out)])
    assert refused.exit_code == 2 and "holds the outputs of `partition run" in refused.output, refused.output
    assert "Traceback" not in refused.output and sorted(p.relative_to(out) for p in out.rglob("*")) == listing
    again = runner.invoke(cli, ["run", str(path), "--out", str(tmp_path / "again")])
    assert again.exit_code == 0, again.output
    assert (tmp_path / "again/k23-ignore-heuristic/assignments.csv").read_bytes() == before


def test_pack_escapes_names():
    import pandas as pd
    from tests.synthetic import grid_inputs

    from partition.planning.planner import plan_from_assignment
    from partition.report.maps import WrittenMap
    from partition.report.pack import consultation_pack

    inputs = grid_inputs(1, 4, [100] * 4, [True] * 4)
    evil = "<script>alert(1)</script>"
    plan = plan_from_assignment(
        inputs, pd.Series([evil, evil, "B", "B"], index=inputs.schools["URN"].to_numpy()), name="p"
    )
    page = consultation_pack(
        [plan],
        pd.DataFrame({"wdist_km": [1.0]}, index=[evil]),
        [WrittenMap(Path(f"{evil}.html"), "configuration", (evil,))],
        [{"path": evil}],
    )
    assert evil not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
