"""Faults end in one line: system errors at every write, Ctrl-C, the batch summary, one writer per output folder.

The inputs are Gosport's 29 schools (real rows of the Hampshire GIAS extract) and the Hampshire district
boundaries, planned with the instant agglomerative solver; a full disk or a refused permission is simulated
by making one write raise the system's error.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import pathlib
import signal
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner
from tests.test_run_integrity import previous_run, snapshot

import partition
from partition.cli import INTERRUPTED_EXIT, cli
from partition.core.faults import os_error_of, output_error
from partition.errors import OutputError, OutputInUseError
from partition.runs.outlock import lock_path, output_lock
from partition.runs.publish import MARKER, staged_output

HAMPSHIRE = "schools/gias_2022_hampshire_850_open_primary_secondary.csv"
DISTRICTS = "boundaries/hampshire_districts_lad2023.geojson"
FULL = "no space left on device"


@pytest.fixture(scope="module")
def gosport(shared, tmp_path_factory) -> Path:
    """A GIAS file of Gosport's schools only (real rows), in a folder of its own."""
    with (shared / HAMPSHIRE).open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        district = header.index("DistrictAdministrative (name)")
        rows = [row for row in reader if row[district] == "Gosport"]
    path = tmp_path_factory.mktemp("inputs") / "gosport.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def _plan_args(gosport: Path, shared: Path, out: Path) -> list[str]:
    data = ["--schools", str(gosport), "--boundaries", str(shared / DISTRICTS)]
    return ["plan", *data, "--k", "1", "--solver", "agglomerative", "--allow-violations", "--out", str(out)]


def _batch_args(gosport: Path, shared: Path, out: Path) -> list[str]:
    data = ["--schools", str(gosport), "--boundaries", str(shared / DISTRICTS)]
    return ["batch", *data, "--solver", "agglomerative", "--no-maps", "--workers", "1", "--out", str(out)]


def fail_writes(monkeypatch, name: str, code: int = errno.ENOSPC) -> None:
    """Make ``Path.write_text`` of a file called ``name`` write half its text, then fail with ``code``."""
    real = pathlib.Path.write_text

    def write_text(self, data, *args, **kwargs):
        if self.name == name:
            real(self, data[: len(data) // 2], *args, **kwargs)
            raise OSError(code, os.strerror(code))
        return real(self, data, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)


# --- plan and run: one line, nothing published, the previous outputs kept ------------------------------------


def test_no_space_while_writing_a_plan_is_one_line_and_keeps_the_previous_outputs(
    shared, gosport, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    before = previous_run(out)
    fail_writes(monkeypatch, "plan.json")
    result = CliRunner().invoke(cli, _plan_args(gosport, shared, out))
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == (
        f"error: cannot write {out}: {FULL} (nothing was published; the previous outputs in {out} are unchanged). "
        f"Fix: free some space on the disk holding {out} (or give --out a folder on another disk), then run again"
    )
    assert "Traceback" not in result.output
    assert snapshot(out) == before and sorted(os.listdir(tmp_path)) == ["out"]  # no staging folder, no lock


def test_a_new_folder_is_not_created_when_the_disk_is_full(shared, gosport, tmp_path, monkeypatch):
    out = tmp_path / "new" / "out"
    fail_writes(monkeypatch, MARKER)
    result = CliRunner().invoke(cli, _plan_args(gosport, shared, out))
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1].startswith(
        f"error: cannot write {out / MARKER}: {FULL} (nothing was written). Fix: free some space"
    )
    assert os.listdir(tmp_path) == []  # the folders made for it removed too


def test_a_refused_file_is_named_as_it_would_be_published(tmp_path):
    target = tmp_path / "out"
    with pytest.raises(OutputError) as caught, staged_output(target, command="partition plan") as stage:
        hidden = stage / ".k23-ignore-ab3_x9z0"  # a configuration's temporary folder (make_temp_dir)
        raise PermissionError(errno.EACCES, "Permission denied", str(hidden / "assignments.csv"))
    assert str(caught.value) == (
        f"cannot write {target / 'k23-ignore' / 'assignments.csv'}: permission denied (nothing was written). "
        f"Fix: make {target} writable for you, or give --out a folder you can write to"
    )
    assert os.listdir(tmp_path) == []


def test_a_folder_removed_while_gdal_writes_is_one_line(tmp_path):
    """GDAL reports a failed write as a RuntimeError carrying the system's words; it is recognised."""
    import shutil

    target = tmp_path / "out"
    layer = gpd.GeoDataFrame({"id": [1]}, geometry=[shapely.Point(0, 0)], crs="EPSG:4326")
    with pytest.raises(OutputError) as caught, staged_output(target) as stage:
        shutil.rmtree(stage)
        layer.to_file(stage / "exports" / "schools.geojson", driver="GeoJSON")
    assert str(caught.value) == (
        f"cannot write {target}: the folder was removed while writing (nothing was written). "
        f"Fix: leave {target} in place while partition writes, then run again"
    )


def test_an_input_that_cannot_be_read_is_not_taken_for_an_output_fault(tmp_path):
    with pytest.raises(FileNotFoundError), staged_output(tmp_path / "out"):
        (tmp_path / "missing.csv").read_text()
    assert os.listdir(tmp_path) == []


def test_a_failed_publication_keeps_the_previous_outputs(tmp_path, monkeypatch):
    target = tmp_path / "out"
    before = previous_run(target)

    def refused(staging, target):
        raise PermissionError(errno.EACCES, "Permission denied", str(target))

    monkeypatch.setattr("partition.runs.publish._publish", refused)
    with pytest.raises(OutputError) as caught, staged_output(target, command="partition plan") as stage:
        (stage / "k23-ignore").mkdir()
    assert str(caught.value) == (
        f"cannot write {target}: permission denied (nothing was published; the previous outputs in {target} are "
        f"unchanged). Fix: make {tmp_path} writable for you, or give --out a folder you can write to"
    )
    assert snapshot(target) == before and os.listdir(tmp_path) == ["out"]


def test_causes_in_words():
    assert str(output_error(OSError(errno.EROFS, "x"), "/o/a.csv")) == (
        "cannot write /o/a.csv: the disk is read-only. Fix: give --out a folder on a disk you can write to"
    )
    assert str(output_error(OSError(errno.EDQUOT, "x"), "/o/a.csv", folder="/o")).startswith(
        "cannot write /o/a.csv: the disk quota is used up. Fix: free some space on the disk holding /o"
    )
    gdal = type("DataSourceError", (RuntimeError,), {"__module__": "pyogrio.errors"})
    found = os_error_of(gdal("Failed to write /o/a.gpkg: No space left on device"))
    assert (found.errno, found.filename) == (errno.ENOSPC, None)
    assert os_error_of(gdal("Field 'x' has an unsupported type")) is None
    assert os_error_of(RuntimeError("No space left on device")) is None  # not GDAL's


# --- the batch: the real error, never masked by the summary -----------------------------------------------------


def test_no_space_in_a_batch_stops_it_with_one_line(shared, gosport, tmp_path, monkeypatch):
    out = tmp_path / "b"
    fail_writes(monkeypatch, "batch-result.json")
    result = CliRunner().invoke(cli, _batch_args(gosport, shared, out))
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == (
        f"error: cannot write {out / '850-hampshire'}: {FULL} (nothing was written). "
        f"Fix: free some space on the disk holding {out / '850-hampshire'} (or give --out a folder on another disk), "
        "then run again"
    )
    assert "fault of partition" not in result.output and "Traceback" not in result.output
    assert sorted(os.listdir(out)) == [".partition-batch.json", "index.html", "summary.csv"]  # no LA, no .tmp
    assert (out / "summary.csv").read_text().count("\n") == 1  # the header: no LA is done
    assert sorted(os.listdir(tmp_path)) == ["b"]  # no lock left


def test_a_summary_that_cannot_be_written_comes_after_the_real_error(shared, gosport, tmp_path, monkeypatch):
    out = tmp_path / "b"
    real = pathlib.Path.write_text

    def write_text(self, data, *args, **kwargs):
        if self.name == "batch-result.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        if self.name == ".summary.csv.tmp":
            real(self, data[:10], *args, **kwargs)
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real(self, data, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "write_text", write_text)
    result = CliRunner().invoke(cli, _batch_args(gosport, shared, out))
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-2:] == [
        f"error: cannot write {out / '850-hampshire'}: {FULL} (nothing was written). "
        f"Fix: free some space on the disk holding {out / '850-hampshire'} (or give --out a folder on another disk), "
        "then run again",
        f"error: the batch summary could not be updated either: cannot write {out / 'summary.csv'}: permission "
        f"denied. Fix: make {out} writable for you, or give --out a folder you can write to",
    ]
    assert sorted(os.listdir(out)) == [".partition-batch.json"]  # the half-written .summary.csv.tmp removed


def test_a_finished_batch_rerun_where_the_summary_cannot_be_written(shared, gosport, tmp_path, monkeypatch):
    out = tmp_path / "b"
    first = CliRunner().invoke(cli, _batch_args(gosport, shared, out))
    assert first.exit_code == 0, first.output
    before = snapshot(out)
    fail_writes(monkeypatch, ".summary.csv.tmp", errno.EACCES)
    result = CliRunner().invoke(cli, _batch_args(gosport, shared, out))
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1] == (
        f"error: cannot write {out / 'summary.csv'}: permission denied (the previous summary.csv is unchanged). "
        f"Fix: make {out} writable for you, or give --out a folder you can write to"
    )
    assert snapshot(out) == before and sorted(os.listdir(tmp_path)) == ["b"]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_finished_batch_rerun_in_a_read_only_folder(shared, gosport, tmp_path):
    out = tmp_path / "b"
    assert CliRunner().invoke(cli, _batch_args(gosport, shared, out)).exit_code == 0
    before = snapshot(out)
    out.chmod(0o555)
    try:
        result = CliRunner().invoke(cli, _batch_args(gosport, shared, out))
    finally:
        out.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[-1].startswith(f"error: cannot write {out / 'summary.csv'}: permission denied")
    assert snapshot(out) == before


# --- Ctrl-C: one line, exit status 130 -------------------------------------------------------------------------


def test_ctrl_c_is_one_line_and_exit_130(shared, gosport, tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("partition.runs.loading.prepare_data", interrupted)
    result = CliRunner().invoke(cli, _plan_args(gosport, shared, tmp_path / "out"))
    assert (result.exit_code, result.stderr, result.stdout) == (INTERRUPTED_EXIT, "interrupted\n", "")
    assert os.listdir(tmp_path) == []  # no staging folder, no lock


def test_ctrl_c_in_a_batch_whose_summary_cannot_be_written(shared, gosport, tmp_path, monkeypatch):
    def interrupted(job):
        raise KeyboardInterrupt

    monkeypatch.setattr("partition.runs.batch.plan_authority", interrupted)  # where batch looks it up
    fail_writes(monkeypatch, ".summary.csv.tmp")
    out = tmp_path / "b"
    result = CliRunner().invoke(cli, _batch_args(gosport, shared, out))
    assert result.exit_code == INTERRUPTED_EXIT, result.output
    assert result.stderr.splitlines()[-2:] == [
        "interrupted",
        f"error: the batch summary could not be updated either: cannot write {out / 'summary.csv'}: {FULL}. "
        f"Fix: free some space on the disk holding {out} (or give --out a folder on another disk), then run again",
    ]


# --- one writer per output folder ---------------------------------------------------------------------------------


def _refusal(out: Path) -> str:
    holder = json.loads(lock_path(out).read_text())
    return (
        f"error: output folder {out} is being written by another partition run (process {os.getpid()}, "
        f"`partition plan --out maps`, started {holder['started']}); two runs writing one folder would replace "
        "each other's outputs. Fix: wait for that run to finish (or stop it), or choose another --out"
    )


@pytest.mark.parametrize("command", ["plan", "run", "batch"])
def test_a_second_writer_is_refused_naming_the_first(shared, gosport, tmp_path, monkeypatch, command):
    out = tmp_path / "out"
    before = previous_run(out) if command != "batch" else {}
    if command == "plan":
        args = _plan_args(gosport, shared, out)
    elif command == "batch":
        args = _batch_args(gosport, shared, out)
    else:
        scenario = tmp_path / "s.toml"
        scenario.write_text(f'[data]\nschools = "{gosport}"\n\n[spec]\nk = [1]\n\n[outputs]\nfolder = "{out}"\n')
        args = ["run", str(scenario)]
    monkeypatch.setattr("partition.runs.loading.prepare_data", lambda *a, **k: pytest.fail("planned while locked"))
    with output_lock(out, "partition plan --out maps"):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines()[-1] == _refusal(out)
    assert (snapshot(out) if out.exists() else {}) == before
    assert sorted(os.listdir(tmp_path)) == sorted(["out"] * bool(before) + ["s.toml"] * (command == "run"))


HOLD = """
import sys, time
from partition.runs.outlock import output_lock
with output_lock(sys.argv[1], "partition run s.toml"):
    print("held", flush=True)
    time.sleep(60)
"""


@pytest.mark.skipif(os.name != "posix", reason="flock")
def test_the_lock_of_a_killed_writer_is_released(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(Path(partition.__file__).parents[1])}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], env=env, stdout=subprocess.PIPE)
    try:
        assert holder.stdout.readline() == b"held\n"
        taken = pytest.raises(OutputInUseError, match=f"process {holder.pid}, `partition run s.toml`, started ")
        with taken, output_lock(out):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
    finally:
        if holder.poll() is None:
            holder.kill()
    assert lock_path(out).exists()  # left by the killed process, but no longer locked
    with output_lock(out, "partition plan") as path:
        assert json.loads(path.read_text())["command"] == "partition plan"
    assert os.listdir(tmp_path) == []


# --- partition fetch: a full disk is not a network failure --------------------------------------------------------


def test_a_full_disk_while_downloading_is_not_blamed_on_the_network(tmp_path, monkeypatch):
    import io

    from partition.io import fetch as fetching

    class FullDisk(io.RawIOBase):
        def writable(self):
            return True

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    real_open = pathlib.Path.open

    def open_(self, mode="r", *args, **kwargs):
        return FullDisk() if self.suffix == ".part" and "w" in mode else real_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", open_)
    monkeypatch.setattr(fetching.urllib.request, "urlopen", lambda url, timeout: io.BytesIO(b'"URN"\n1\n'))
    dest = tmp_path / "cache"
    with pytest.raises(OutputError) as caught:
        fetching.fetch(dest, base_url="http://mirror.invalid", only=["gias"])
    target = dest / "schools" / "edubasealldata.csv"
    assert str(caught.value) == (
        f"cannot write {target}: {FULL}. Fix: free some space on the disk holding {target.parent} "
        "(or give --dest a folder on another disk), then run again"
    )
    assert not [p for p in dest.rglob("*") if p.is_file()]  # the partial download removed
