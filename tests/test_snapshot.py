"""What the manifest says was read is what was read: inputs are read once into memory, hashed and parsed from
those bytes (partition.io.snapshot), whatever happens to the files while partition runs."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner
from tests.conftest import school_row, write_gias

from partition.cli import cli
from partition.errors import SchoolsFileError
from partition.io import snapshot as snapshot_module
from partition.io.boundaries import read_polygons
from partition.io.schools import read_gias
from partition.io.snapshot import snapshot
from partition.model.spec import PlanSpec
from partition.runs import workflow
from partition.runs.batch import batch
from partition.runs.scenario import load_scenario


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _districts() -> gpd.GeoDataFrame:
    """Two districts side by side (BNG, metres): West and East, 2 km x 2 km each."""
    return gpd.GeoDataFrame(
        {"LAD23CD": ["E0000001", "E0000002"], "LAD23NM": ["West", "East"]},
        geometry=[shapely.box(0, 0, 2000, 2000), shapely.box(2000, 0, 4000, 2000)],
        crs="EPSG:27700",
    )


def _schools(folder: Path, renamed: bool = False) -> Path:
    """Eight schools of LA 999 (Testshire), four per district, a secondary in each; ``renamed`` changes a name."""
    rows = []
    for i in range(8):
        x, y = 250 + 500 * i, 500 + 1000 * (i % 2)
        extra = {"DistrictAdministrative (name)": "West" if x < 2000 else "East"}
        if i in (1, 6):
            extra["PhaseOfEducation (name)"] = "Secondary"
        if renamed and i == 0:
            extra["EstablishmentName"] = "Renamed School"
        rows.append(school_row(1000 + i, x, y, **extra))
    return write_gias(folder / "schools.csv", rows)


def _inputs(folder: Path) -> tuple[Path, Path]:
    boundaries = folder / "districts.geojson"
    _districts().to_file(boundaries)
    return _schools(folder), boundaries


# --- the snapshot itself ---------------------------------------------------------------------------------


def test_a_snapshot_holds_the_bytes_read_and_their_digest(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"URN\n1\n")
    taken = snapshot(path)
    path.write_bytes(b"URN\n2\n3\n")
    assert taken.data == b"URN\n1\n" and taken.sha256 == _digest(b"URN\n1\n") and taken.size == 6
    assert taken.record().sha256 == taken.sha256 and taken.record().parts == ()


def test_a_shapefile_is_read_with_its_parts_and_parsed_from_memory(tmp_path):
    path = tmp_path / "d.shp"
    _districts().to_file(path)
    on_disk = gpd.read_file(path)
    taken = snapshot(path)
    assert [name for name, _ in taken.parts] == ["d.shp", "d.cpg", "d.dbf", "d.prj", "d.shx"]
    assert dict(taken.parts)["d.dbf"] == _digest((tmp_path / "d.dbf").read_bytes())
    assert snapshot(path).sha256 == taken.sha256  # the same parts give the same archive
    for part in tmp_path.iterdir():
        part.unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = read_polygons(path, data=taken.data)
    assert list(layer["code"]) == list(on_disk["LAD23CD"]) and list(layer["name"]) == list(on_disk["LAD23NM"])
    assert layer.geometry.iloc[1].equals(on_disk.geometry.iloc[1])


def test_a_geojson_without_a_name_keeps_its_file_name_as_layer(tmp_path):
    path = tmp_path / "plain.geojson"
    text = _districts().to_json()
    assert '"name"' not in text.split('"features"')[0]
    path.write_text(text)
    assert list(read_polygons(path, layer="plain")["code"]) == ["E0000001", "E0000002"]


def test_a_file_that_keeps_changing_while_read_is_refused_in_one_line(tmp_path, monkeypatch):
    path = tmp_path / "s.csv"
    path.write_text("URN\n1\n")
    real = os.fstat
    calls = []

    def changing(fd):
        calls.append(fd)
        stat = real(fd)
        return os.stat_result((*stat[:8], stat.st_mtime, stat.st_ctime), {"st_mtime_ns": len(calls)})

    monkeypatch.setattr(snapshot_module.os, "fstat", changing)
    with pytest.raises(SchoolsFileError) as err:
        snapshot(path, error=SchoolsFileError)
    assert str(err.value) == (
        f"{path}: changed while it was being read (3 attempts). "
        "Fix: wait until the file has been written completely, then run again"
    )
    assert len(calls) == 6


def test_changed_content_is_parsed_again_even_with_the_same_size_time_and_inode(tmp_path):
    path = _schools(tmp_path)
    stat = path.stat()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        before = read_gias(path, la_codes=("999",))
        with path.open("r+b") as fh:  # the same inode, the same size
            text = fh.read().replace(b"School 1003", b"Schoo! 1003")
            fh.seek(0)
            fh.write(text)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        assert (path.stat().st_size, path.stat().st_mtime_ns, path.stat().st_ino) == (
            stat.st_size,
            stat.st_mtime_ns,
            stat.st_ino,
        )
        after = read_gias(path, la_codes=("999",))
    assert "School 1003" in set(before.schools["name"])
    assert "Schoo! 1003" in set(after.schools["name"]) and "School 1003" not in set(after.schools["name"])


def test_every_input_of_a_load_is_recorded_as_read(tmp_path):
    from partition.units.prepare import prepare

    schools, boundaries = _inputs(tmp_path)
    units = tmp_path / "units.geojson"
    gpd.GeoDataFrame(
        {"code": [f"U{i}" for i in range(4)], "name": [f"Unit {i}" for i in range(4)]},
        geometry=[shapely.box(1000 * i, 0, 1000 * (i + 1), 2000) for i in range(4)],
        crs="EPSG:27700",
    ).to_file(units)
    population = tmp_path / "children.csv"
    ages = ",".join(f"Aged{a}" for a in range(20))
    population.write_text(f"LSOA_CODE,{ages}\n" + "".join(f"U{i}," + ",".join(["1"] * 20) + "\n" for i in range(4)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(schools, boundaries, la_codes=("999",), units=units, population=population)
    files = inputs.dataset.files
    assert list(files) == ["schools", "boundaries", "units", "population"]
    assert [(files[k].path, files[k].sha256, files[k].size) for k in files] == [
        (p, _digest(p.read_bytes()), p.stat().st_size) for p in (schools, boundaries, units, population)
    ]
    assert inputs.units["population"].sum() == 80


# --- run: the manifest names the bytes the plans were made from ------------------------------------------


SCENARIO = """
[data]
schools = "{schools}"
boundaries = "{boundaries}"
la = ["999"]

[spec]
k = [2]

[solver]
name = "heuristic"

[outputs]
folder = "{out}"
maps = false
exports = false
pack = false
ensemble = 0
"""


def test_files_replaced_or_deleted_mid_run_the_manifest_names_the_bytes_parsed(tmp_path, monkeypatch):
    schools, boundaries = _inputs(tmp_path)
    path = tmp_path / "s.toml"
    path.write_text(SCENARIO.format(schools=schools, boundaries=boundaries, out=tmp_path / "out"))
    read = {p: p.read_bytes() for p in (schools, boundaries, path)}
    real = workflow.solve_configurations

    def then_change_the_files(*args, **kwargs):  # after the data were read, before anything is written
        _schools(tmp_path, renamed=True)
        boundaries.unlink()
        path.write_text(path.read_text() + "# edited\n")
        return real(*args, **kwargs)

    monkeypatch.setattr(workflow, "solve_configurations", then_change_the_files)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        workflow.run(load_scenario(path))
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert [(r["sha256"], r["bytes"]) for r in manifest["inputs"]] == [
        (_digest(read[schools]), str(len(read[schools]))),
        (_digest(read[boundaries]), str(len(read[boundaries]))),
    ]
    assert manifest["scenario"]["sha256"] == _digest(read[path]) != _digest(path.read_bytes())
    assert _digest(schools.read_bytes()) != _digest(read[schools])
    assignments = next((tmp_path / "out").glob("*/assignments.csv")).read_text()
    assert "School 1000" in assignments and "Renamed School" not in assignments


def test_a_file_deleted_after_it_was_found_is_a_one_line_error(tmp_path, monkeypatch):
    schools, boundaries = _inputs(tmp_path)
    from partition.io import datapaths

    real = datapaths.resolve

    def found_then_deleted(name, folder=None):
        found = real(name, folder)
        if found == schools:
            schools.unlink()
        return found

    monkeypatch.setattr(datapaths, "resolve", found_then_deleted)
    result = CliRunner().invoke(
        cli,
        ["plan", "--schools", str(schools), "--boundaries", str(boundaries), "--la", "999", "--k", "2"]
        + ["--out", str(tmp_path / "out")],
    )
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.strip() == (
        f"error: {schools}: does not exist. Fix: check the path (was the file moved or deleted?)"
    )
    assert not (tmp_path / "out").exists()


def test_the_maps_context_comes_from_the_boundaries_as_read_not_the_file_now(tmp_path):
    from partition.report.maps.context import neighbouring_districts

    read = _districts().rename(columns={"LAD23CD": "code", "LAD23NM": "name"})
    gone = tmp_path / "districts.geojson"  # deleted since it was read
    neighbours = neighbouring_districts(read.iloc[:1], gone, data=tmp_path / "no-data", read=read)
    assert list(neighbours["code"]) == ["E0000002"] and list(neighbours["source"]) == ["districts.geojson"]
    assert neighbouring_districts(read.iloc[:1], gone, data=tmp_path / "no-data").empty


# --- batch: a resume compares the bytes read now with the bytes each LA was planned from -----------------


def _batch(out: Path, schools: Path, boundaries: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return batch(
            {"schools": str(schools), "boundaries": str(boundaries)},
            PlanSpec(),
            {"name": "heuristic"},
            out,
            rule=None,
            las=["999"],
            maps=False,
            workers=1,
        )


def test_batch_input_changed_and_restored_plans_again_what_was_made_from_the_change(tmp_path, monkeypatch):
    schools, boundaries = _inputs(tmp_path)
    original = schools.read_bytes()
    out = tmp_path / "out"
    import partition.io.schools as schools_module

    real = schools_module.authorities

    def then_change(*args, **kwargs):  # the file changes after the batch read it, before the LA's job reads it
        table = real(*args, **kwargs)
        _schools(tmp_path, renamed=True)
        return table

    monkeypatch.setattr(schools_module, "authorities", then_change)
    changed = _batch(out, schools, boundaries)
    monkeypatch.undo()
    assert changed.results[0].status == "valid"
    assert any("input file(s) schools changed while the batch ran" in w for w in changed.results[0].warnings)
    assignments = next(out.rglob("assignments.csv"))
    assert "Renamed School" in assignments.read_text()  # planned from the bytes its job read
    assert _batch(out, schools, boundaries).skipped == 1  # the file still holds what it was planned from

    schools.write_bytes(original)  # restored: the plan made from the change is made again
    restored = _batch(out, schools, boundaries)
    assert restored.skipped == 0 and restored.results[0].status == "valid" and not restored.results[0].warnings
    assert "School 1000" in assignments.read_text() and "Renamed School" not in assignments.read_text()
    assert _batch(out, schools, boundaries).skipped == 1
