"""The data location rule and ``partition fetch`` against a local HTTP server."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import zipfile
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner
from tests.conftest import school_row, write_gias

from partition.cli import cli
from partition.errors import DataLocationError, FetchError
from partition.io import datapaths
from partition.io.codepoint import OS_COLUMNS, read_codepoint
from partition.io.fetch import CODEPOINT_MIRROR_NAME, CODEPOINT_URL, LAD_MIRROR_NAME, fetch, remotes


def test_location_rule(monkeypatch, tmp_path):
    explicit = tmp_path / "explicit"
    explicit.mkdir()
    env = tmp_path / "env"
    env.mkdir()
    monkeypatch.setenv("PARTITION_DATA", str(env))
    assert datapaths.data_dir(explicit) == explicit
    assert datapaths.data_dir() == env
    monkeypatch.delenv("PARTITION_DATA")
    shared = datapaths.project_root().parent / "shared" / "data"
    if shared.is_dir():
        assert datapaths.data_dir() == shared
    else:
        assert datapaths.data_dir() == datapaths.cache_dir()
    with pytest.raises(DataLocationError, match="not found in the working folder nor in the data folder"):
        datapaths.resolve("schools/none.csv", explicit)


def test_cache_is_used_when_nothing_else(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    (cache / "schools").mkdir(parents=True)
    (cache / "schools" / "edubasealldata.csv").write_text("URN\n")
    monkeypatch.setenv("PARTITION_DATA", str(cache))
    schools, boundaries = datapaths.default_inputs(("850",))
    assert schools == "schools/edubasealldata.csv"
    assert boundaries == "boundaries/hampshire_districts_lad2023.geojson"  # not fetched: named in the error


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def _publish(root: Path) -> None:
    write_gias(root / "edubasealldata20261129.csv", [school_row(1, 450000, 120000)])
    gdf = gpd.GeoDataFrame(
        {"LAD23CD": ["E1"], "LAD23NM": ["A"]}, geometry=[shapely.box(-1.5, 50.9, -1.0, 51.2)], crs="EPSG:4326"
    )
    gdf.to_file(root / LAD_MIRROR_NAME, driver="GeoJSON")
    _publish_codepoint(root / CODEPOINT_MIRROR_NAME)


def _publish_codepoint(path: Path) -> None:
    """A Code-Point Open archive in OS's layout (Doc header file, Data/CSV/<area>.csv without header)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "Doc/Code-Point_Open_Column_Headers.csv", "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\r\n" + ",".join(OS_COLUMNS)
        )
        archive.writestr("Data/CSV/so.csv", '"SO14 0AA",10,442294,112126,"E92000001","","","","E06000045",""\r\n')


def test_fetch_downloads_checks_and_records(server, tmp_path):
    root, url = server
    _publish(root)
    import datetime as dt

    dest = tmp_path / "cache"
    records = fetch(dest, base_url=url, date=dt.date(2026, 11, 29))
    assert [r["skipped"] for r in records] == [False, False, False]
    assert (dest / "schools/edubasealldata.csv").read_text().startswith('"URN"')
    assert (dest / "boundaries/lad_2023_bgc.geojson").exists()
    manifest = json.loads((dest / "MANIFEST.json").read_text())
    assert len(manifest["files"][0]["sha256"]) == 64
    again = fetch(dest, base_url=url, date=dt.date(2026, 11, 29))
    assert [r["skipped"] for r in again] == [True, True, True]
    assert read_codepoint(dest / "boundaries/codepo_gb.zip").locate("SO14 0AA") == (442294.0, 112126.0, 10)


def test_fetch_404_leaves_nothing(server, tmp_path):
    root, url = server
    dest = tmp_path / "cache"
    with pytest.raises(FetchError, match=r"HTTP 404"):
        fetch(dest, base_url=url, only=["gias"])
    assert not any(p.is_file() for p in dest.rglob("*"))


def test_fetch_rejects_non_gias_content(server, tmp_path):
    root, url = server
    import datetime as dt

    (root / "edubasealldata20261129.csv").write_text("<html>maintenance</html>")
    dest = tmp_path / "cache"
    with pytest.raises(FetchError, match="not a GIAS CSV"):
        fetch(dest, base_url=url, date=dt.date(2026, 11, 29), only=["gias"])
    assert not any(p.is_file() for p in dest.rglob("*"))


def test_fetch_cli(server, tmp_path):
    root, url = server
    _publish(root)
    result = CliRunner().invoke(
        cli, ["fetch", "--dest", str(tmp_path / "c"), "--base-url", url, "--date", "2026-11-29"]
    )
    assert result.exit_code == 0, result.output
    assert "downloaded:" in result.stdout
    bad = CliRunner().invoke(
        cli, ["fetch", "--dest", str(tmp_path / "d"), "--base-url", url + "/missing", "--date", "2026-11-29"]
    )
    assert bad.exit_code == 2
    assert "HTTP 404" in bad.stderr


def test_codepoint_in_the_catalogue():
    (codepoint,) = [r for r in remotes() if r.name == "codepoint"]
    assert codepoint.url == CODEPOINT_URL
    assert CODEPOINT_URL.startswith("https://api.os.uk/downloads/v1/products/CodePointOpen/downloads?area=GB")
    assert codepoint.target == "boundaries/codepo_gb.zip"


def test_fetch_rejects_codepoint_that_is_not_an_archive(server, tmp_path):
    root, url = server
    (root / CODEPOINT_MIRROR_NAME).write_text("<html>maintenance</html>")
    dest = tmp_path / "cache"
    with pytest.raises(FetchError, match=r"Code-Point Open archive is not usable: .*is not a ZIP archive"):
        fetch(dest, base_url=url, only=["codepoint"])
    assert not any(p.is_file() for p in dest.rglob("*"))
