"""Loading boundary files of every format and vintage."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from partition.errors import BoundaryFileError, GeometryRepairError
from partition.io.boundaries import FeatureRepair, read_boundaries, read_polygon_folder, read_polygons
from partition.warnings import DataWarning

# British National Grid bounds of Hampshire and surroundings
HANTS = shapely.box(380_000, 80_000, 500_000, 180_000)

SHARED_FILES = [
    ("boundaries/hampshire_districts_lad2023.geojson", 11, "LAD23CD"),
    ("boundaries/hampshire_lad2013_plus_soton_portsmouth.geojson", 13, "LAD13CD"),
    ("boundaries/topo_lad_eng_2013.json", 326, "LAD13CD"),
    ("boundaries/lsoa2001_hants_simplify0.75.topo.json", 1091, "LOWERSOA"),
    ("boundaries/msoa2021_hampshire.geojson", 182, "MSOA21CD"),
    ("boundaries/wards_2013_by_lad/E07000084.json", 29, "WD13CD"),
]


@pytest.mark.parametrize(("name", "count", "field"), SHARED_FILES)
def test_every_shared_boundary_file_loads_in_bng(shared, name, count, field):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = read_polygons(shared / name)
    assert gdf.crs.to_epsg() == 27700
    assert len(gdf) == count
    assert gdf.attrs["code_field"] == field
    assert gdf.geometry.is_valid.all()
    assert set(gdf.geom_type) <= {"Polygon", "MultiPolygon"}
    # every file covers Hampshire, so some features fall in its BNG box
    assert gdf.intersects(HANTS).sum() >= min(count, 11)


@pytest.mark.parametrize("folder", ["wards_2013_by_lad", "lsoa_2011_by_lad", "msoa_2011_by_lad"])
def test_folders_of_files(shared, folder):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf = read_polygon_folder(shared / "boundaries" / folder)
    assert gdf.crs.to_epsg() == 27700
    assert len(gdf) == {"wards_2013_by_lad": 277, "lsoa_2011_by_lad": 1105, "msoa_2011_by_lad": 225}[folder]


def test_topojson_without_crs_warns(shared):
    with pytest.warns(DataWarning, match="no CRS declared.*assuming WGS84"):
        gdf = read_boundaries(shared / "boundaries/topo_lad_eng_2013.json")
    hart = gdf.set_index("code").at["E07000089", "geometry"]
    assert HANTS.contains(hart.representative_point())


def _squares() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"lad19cd": ["E1", "E2"], "lad19nm": ["West", "East"]},
        geometry=[shapely.box(0, 0, 1000, 1000), shapely.box(1000, 0, 2000, 1000)],
        crs="EPSG:27700",
    )


@pytest.mark.parametrize(("suffix", "driver"), [(".gpkg", "GPKG"), (".shp", "ESRI Shapefile"), (".geojson", "GeoJSON")])
def test_formats_and_lowercase_vintage(tmp_path, suffix, driver):
    path = tmp_path / f"lad{suffix}"
    _squares().to_file(path, driver=driver)
    gdf = read_boundaries(path)
    assert list(gdf["code"]) == ["E1", "E2"]
    assert list(gdf["name"]) == ["West", "East"]
    assert gdf.crs.to_epsg() == 27700


def test_geopackage_with_two_layers_needs_layer(tmp_path):
    path = tmp_path / "two.gpkg"
    _squares().to_file(path, layer="a")
    _squares().to_file(path, layer="b")
    with pytest.raises(BoundaryFileError, match=r"holds 2 polygon layers \(a, b\).*choose one of its polygon layers"):
        read_boundaries(path)
    assert len(read_boundaries(path, layer="b")) == 2
    with pytest.raises(BoundaryFileError, match="has no layer 'c'"):
        read_boundaries(path, layer="c")


def test_no_code_field(tmp_path):
    gdf = _squares().rename(columns={"lad19cd": "foo", "lad19nm": "bar"})
    path = tmp_path / "x.geojson"
    gdf.to_file(path)
    with pytest.raises(
        BoundaryFileError,
        match=r"no recognisable code field.*rename the code field to 'code'.*\(fields are: foo, bar\)",
    ):
        read_boundaries(path)
    assert list(read_boundaries(path, code_field="foo", name_field="bar")["name"]) == ["West", "East"]


def test_not_a_gis_file(tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text("this is not json")
    with pytest.raises(BoundaryFileError, match=r"x\.geojson: is not a readable GIS file"):
        read_boundaries(path)
    with pytest.raises(BoundaryFileError, match="does not exist"):
        read_boundaries(tmp_path / "missing.geojson")


def test_shapefile_without_prj_in_metres_is_assumed_bng(tmp_path):
    path = tmp_path / "noprj.shp"
    _squares().set_geometry(_squares().geometry.translate(400_000, 100_000)).to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.warns(DataWarning, match=r"assuming British National Grid"):
        gdf = read_boundaries(path)
    assert gdf.total_bounds[0] == pytest.approx(400_000)


def _write(tmp_path, geoms, name="d.gpkg", codes=None) -> object:
    codes = codes or [f"E{i + 1}" for i in range(len(geoms))]
    gdf = gpd.GeoDataFrame(
        {"LAD23CD": codes, "LAD23NM": [f"District {c}" for c in codes]}, geometry=geoms, crs="EPSG:27700"
    )
    path = tmp_path / name
    gdf.to_file(path)
    return path


# a 1 km square in Hampshire whose bottom edge dips into a 20 m hourglass: the ring crosses itself at
# (440,510, 99,990); the lower lobe runs the other way round, so it counts -100 m² as drawn, +100 m² repaired
NOTCHED = shapely.Polygon(
    [(440_000, 100_000), (440_500, 100_000), (440_520, 99_980), (440_500, 99_980), (440_520, 100_000)]
    + [(441_000, 100_000), (441_000, 101_000), (440_000, 101_000)]
)


def test_small_repair_is_reported_by_name_with_areas_and_parts(tmp_path):
    path = _write(tmp_path, [NOTCHED, shapely.box(441_000, 100_000, 442_000, 101_000)])
    with pytest.warns(DataWarning) as caught:
        out = read_boundaries(path)
    assert [str(w.message) for w in caught] == [
        "d.gpkg: repaired 1 invalid polygon(s) with shapely make_valid (method 'structure'), each within the "
        "limit (1 % of the feature's area or 10 ha): District E1 (E1), Self-intersection near 440,510 E 99,990 N: "
        "1.000 km² as drawn, 1.000 km² repaired (+200 m², under 0.1 %), 1 part → 2 parts"
    ]
    assert out.geometry.is_valid.all()
    assert out.geometry.area.iloc[0] == pytest.approx(1_000_200)
    (repair,) = out.attrs["geometry_repairs"]
    assert (repair.code, repair.parts_before, repair.parts_after) == ("E1", 1, 2)
    assert repair.area_before_m2 == pytest.approx(1_000_000)


def test_bow_tie_repair_is_refused(tmp_path):
    bowtie = shapely.Polygon([(440_000, 100_000), (441_000, 101_000), (441_000, 100_000), (440_000, 101_000)])
    path = _write(tmp_path, [bowtie])
    with pytest.raises(GeometryRepairError) as err:
        read_boundaries(path)
    assert str(err.value) == (
        f"{path}: repairing 1 invalid polygon(s) would change each by more than the limit (1 % of the feature's "
        "area or 10 ha), so the repaired shape would be a guess: District E1 (E1), Self-intersection near "
        "440,500 E 100,500 N: 0.000 km² as drawn, 0.500 km² repaired (+50.0 ha, +100.0 %), 1 part → 2 parts. "
        "Fix: correct the boundary of District E1 (E1) near 440,500 E 100,500 N (its ring crosses itself: "
        "vertices out of order or a stray vertex; QGIS 'Check validity' shows where) or use another boundary file"
    )


def test_repair_limit_is_one_percent_or_ten_hectares():
    def repair(before: float, after: float) -> FeatureRepair:
        return FeatureRepair("E1", "A", "Self-intersection", None, before, after, 1, 1, b"")

    assert not repair(2e7, 2e7 + 1e5).too_large  # 10 ha of 20 km² (0.5 %)
    assert repair(2e7, 2e7 + 1e5 + 1).too_large
    assert not repair(2e5, 2e5 + 2e3).too_large  # 1 % exactly
    assert repair(2e5, 2e5 + 2.1e3).too_large
    assert repair(1e9, 1e9 - 1.01e5).too_large  # 10 ha of 1,000 km²


def _layered(tmp_path) -> object:
    path = tmp_path / "layers.gpkg"
    _squares().to_file(path, layer="lad")
    gpd.GeoDataFrame({"URN": [1]}, geometry=[shapely.Point(500, 500)], crs="EPSG:27700").to_file(path, layer="schools")
    pyogrio.write_dataframe(pd.DataFrame({"note": ["x"]}), path, layer="meta")
    return path


def test_layers_chosen_by_geometry_type(tmp_path):
    path = _layered(tmp_path)
    with pytest.warns(DataWarning) as caught:
        gdf = read_boundaries(path)
    assert [str(w.message) for w in caught] == [
        "layers.gpkg: read layer 'lad', its only polygon layer (the others: schools (point), meta (no geometry))"
    ]
    assert list(gdf["code"]) == ["E1", "E2"]
    with pytest.raises(BoundaryFileError) as err:
        read_boundaries(path, layer="meta")
    assert str(err.value) == (
        f"{path}: layer 'meta' is a table without geometry, not polygons. "
        "Fix: choose one of its polygon layers with --layer: lad"
    )
    with pytest.raises(BoundaryFileError) as err:
        read_boundaries(path, layer="schools")
    assert str(err.value) == (
        f"{path}: layer 'schools' holds Point geometries, not polygons. "
        "Fix: choose one of its polygon layers with --layer: lad"
    )


def test_pick_a_layer_advice_lists_only_polygon_layers(tmp_path):
    path = _layered(tmp_path)
    _squares().to_file(path, layer="wards")
    with pytest.raises(BoundaryFileError) as err:
        read_boundaries(path)
    assert str(err.value) == (
        f"{path}: holds 2 polygon layers (lad, wards). Fix: choose one of its polygon layers with --layer: "
        "lad, wards (district boundaries), or save one as a file of its own (ogr2ogr one.gpkg layers.gpkg lad)"
    )
    points = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"URN": [1]}, geometry=[shapely.Point(500, 500)], crs="EPSG:27700").to_file(points, layer="pts")
    pyogrio.write_dataframe(pd.DataFrame({"note": ["x"]}), points, layer="meta")
    with pytest.raises(BoundaryFileError) as err:
        read_boundaries(points)
    assert str(err.value) == (
        f"{points}: holds no polygon layer (layers: pts (point), meta (no geometry)). "
        "Fix: give a file with a polygon layer of district boundaries"
    )


def test_layer_command_line_error_is_one_line(tmp_path):
    from click.testing import CliRunner

    from partition.cli import cli

    path = _layered(tmp_path)
    result = CliRunner().invoke(cli, ["data", "summary", "--boundaries", str(path), "--layer", "meta"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"error: {path}: layer 'meta' is a table without geometry, not polygons. "
        "Fix: choose one of its polygon layers with --layer: lad"
    )
    assert "Traceback" not in result.output
