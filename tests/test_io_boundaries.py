"""Loading boundary files of every format and vintage."""

from __future__ import annotations

import warnings

import geopandas as gpd
import pytest
import shapely

from partition.errors import BoundaryFileError
from partition.io.boundaries import read_boundaries, read_polygon_folder, read_polygons
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
    with pytest.raises(BoundaryFileError, match=r"holds 2 layers \(a, b\).*choose one with --layer"):
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


def test_invalid_polygon_repaired(tmp_path):
    bowtie = shapely.Polygon([(0, 0), (1000, 1000), (1000, 0), (0, 1000), (0, 0)])
    gdf = gpd.GeoDataFrame({"LAD23CD": ["E1"], "LAD23NM": ["A"]}, geometry=[bowtie], crs="EPSG:27700")
    path = tmp_path / "bow.gpkg"
    gdf.to_file(path)
    with pytest.warns(DataWarning, match="repaired 1 invalid polygon"):
        out = read_boundaries(path)
    assert out.geometry.is_valid.all()
    assert out.geometry.area.iloc[0] == pytest.approx(500_000)
