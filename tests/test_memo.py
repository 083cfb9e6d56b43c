"""Each input file is parsed once per process while its bytes are unchanged (partition.io.memo)."""

from __future__ import annotations

import shutil
import warnings

import pytest

from partition.io import boundaries as boundaries_module
from partition.io import schools as schools_module
from partition.io.boundaries import read_boundaries
from partition.io.memo import read_once
from partition.io.schools import read_gias
from partition.warnings import DataWarning


def test_unchanged_file_is_parsed_once_and_a_changed_one_again(shared, tmp_path, monkeypatch):
    path = tmp_path / "gias.csv"
    shutil.copy(shared / "schools/gias_2022_hampshire_850_open_primary_secondary.csv", path)
    calls = []
    real = schools_module._read_records
    monkeypatch.setattr(schools_module, "_read_records", lambda p, data: calls.append(p) or real(p, data))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = read_gias(path, la_codes=("850",))
        second = read_gias(path, la_codes=("850",), status="all")
        assert len(calls) == 1
        assert first.schools["URN"].tolist() == second.schools["URN"].tolist()
        text = path.read_text()
        path.write_text(text.replace("Hampshire", "Hampshyre", 1))
        read_gias(path, la_codes=("850",))
    assert len(calls) == 2


def test_a_reused_result_cannot_be_changed_by_its_caller(shared):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = read_boundaries(shared / "boundaries/topo_lad_eng_2013.json")
        first.loc[0, "name"] = "changed by a caller"
        first.attrs["source"] = "changed"
        second = read_boundaries(shared / "boundaries/topo_lad_eng_2013.json")
    assert second.loc[0, "name"] != "changed by a caller"
    assert second.attrs["source"].endswith("topo_lad_eng_2013.json")


def test_warnings_of_the_first_read_are_issued_again_on_reuse(shared):
    path = shared / "boundaries/topo_lad_eng_2013.json"
    for _ in range(2):
        with pytest.warns(DataWarning, match="repaired 243 invalid polygon"):
            read_boundaries(path)


def test_a_failed_read_is_not_remembered(tmp_path):
    calls = []

    @read_once
    def reader(path, *, data=None):
        calls.append(path)
        if len(calls) == 1:
            raise ValueError("first read fails")
        return {"read": len(calls)}

    path = tmp_path / "f.txt"
    path.write_text("x")
    with pytest.raises(ValueError):
        reader(path)
    assert reader(path) == {"read": 2}
    assert reader(path) == {"read": 2}
    assert len(calls) == 2


def test_reads_are_shared_by_module_readers():
    assert hasattr(boundaries_module.read_polygons, "forget")
    assert hasattr(schools_module._parsed_file, "forget")
