"""Geometry integrity: units tile the study area exactly, boundary layers are repaired as coverages,
coordinates are checked against the CRS, and written polygons are valid in the CRS they are written in."""

from __future__ import annotations

import json
import re
import sqlite3
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
from tests.conftest import school_row, write_gias

from partition.core.coverage import GAP_WIDTH_M, MAX_GAP_M2, dissolve_units, rebuild_coverage, to_wgs84_valid
from partition.data.dataset import load_dataset
from partition.errors import BoundaryFileError, GraphError
from partition.io.boundaries import read_boundaries, read_polygons, repair_coverage
from partition.model.plan import Plan
from partition.model.scoring import polsby_popper
from partition.model.spec import PlanSpec
from partition.planning.planner import make_plan
from partition.report.exports import GPKG_LAST_CHANGE, write_exports
from partition.runs.outputs import write_plan
from partition.units.build import polygon_units, study_districts, voronoi_units
from partition.units.graph import build_graph
from partition.units.prepare import prepare
from partition.warnings import DataWarning

ENGLAND = "schools/gias_2022_england_open_primary_secondary.csv"
HANTS_2013 = "boundaries/hampshire_lad2013_plus_soton_portsmouth.geojson"
HANTS_2023 = "boundaries/hampshire_districts_lad2023.geojson"
LSOA = "boundaries/lsoa2001_hants_simplify0.75.topo.json"
LSOA_POP = "population/lsoa2001_mye2010_age_imd2010_hampshire.csv"


def _quiet_prepare(**kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prepare(**kwargs)


def assert_clean_coverage(units: gpd.GeoDataFrame, graph, outline: shapely.Geometry, dropped_m2: float) -> None:
    """No overlaps, no cracks, union = outline (less reported fragments), adjacent units dissolve into one polygon."""
    geoms = units.geometry.to_numpy()
    assert shapely.is_valid(geoms).all()
    assert shapely.coverage_is_valid(geoms)  # no overlaps, shared edges matched vertex for vertex
    union = shapely.coverage_union_all(geoms)
    assert shapely.area(geoms).sum() == pytest.approx(union.area, rel=1e-9)  # no overlaps
    # the units cover the repaired study area, less the fragments reported as left out
    assert abs(union.symmetric_difference(outline).area - dropped_m2) <= 1e-6 * outline.area + 1.0
    for i, j, data in graph.edges(data=True):
        if not data["bridge"]:
            assert shapely.coverage_union(geoms[i], geoms[j]).geom_type == "Polygon", (i, j)


@pytest.mark.parametrize(
    ("la", "boundaries"),
    [
        ("850", HANTS_2023),
        ("850", HANTS_2013),
        ("857", None),  # Rutland
        ("210", None),  # Southwark (London)
        ("921", None),  # Isle of Wight
        ("878", None),  # Devon (Lundy)
    ],
)
def test_site_units_tile_the_study_area(shared, la, boundaries):
    kwargs = {"la_codes": (la,), "boundaries": boundaries} if boundaries else {"la_codes": (la,), "schools": ENGLAND}
    inputs = _quiet_prepare(**kwargs)
    units = inputs.units
    assert (units.geom_type == "Polygon").all()
    assert shapely.covers(units.geometry.to_numpy(), shapely.points(units[["x", "y"]].to_numpy())).all()
    outline = shapely.union_all(study_districts(inputs.dataset).geometry.to_numpy())
    assert_clean_coverage(units, inputs.graph, outline, units.attrs["dropped_area_km2"] * 1e6)


def test_lad_2023_overlap_is_repaired_and_reported(shared):
    with pytest.warns(
        DataWarning,
        match=r"Fareham \(E07000087\) and Winchester \(E07000094\) overlap by 4\.6 ha near .*left with Fareham",
    ):
        repaired = repair_coverage(read_boundaries(shared / HANTS_2023), what="districts")
    geoms = repaired.geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)
    assert shapely.area(geoms).sum() == pytest.approx(shapely.union_all(geoms).area, rel=1e-9)


def test_lad_2013_sliver_gaps_closed(shared):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = read_boundaries(shared / HANTS_2013)
    with pytest.warns(
        DataWarning, match=r"closed \d+ sliver gap\(s\) in or between districts .*to New Forest \(E07000091\)"
    ):
        repaired = repair_coverage(layer, what="districts")
    assert shapely.coverage_is_valid(repaired.geometry.to_numpy())
    assert len(repaired.attrs["repairs"]) == 1
    # what holes remain (rivers, the estuaries left out of the clipped outline) are not slivers
    holes = [
        shapely.Polygon(r)
        for p in shapely.get_parts(shapely.union_all(repaired.geometry.to_numpy()))
        for r in p.interiors
    ]
    assert all(h.area > MAX_GAP_M2 or not h.buffer(-GAP_WIDTH_M / 2).is_empty for h in holes)


def test_rebuild_coverage_overlap_and_gap_by_hand():
    a, b = shapely.box(0, 0, 1000, 1000), shapely.box(990, 0, 2000, 1000)  # 10 m overlap
    geoms, repairs = rebuild_coverage(np.array([b, a], dtype=object))  # first polygon wins the overlap
    assert [(r.kind, r.kept, r.other, round(r.area_m2)) for r in repairs] == [("overlap", 0, 1, 10_000)]
    assert geoms[0].area == pytest.approx(1010 * 1000)
    assert geoms[1].area == pytest.approx(990 * 1000)
    # a 5 m gap enclosed by four polygons is closed; the frame's 400 m hole is not a sliver
    frame = [shapely.box(0, 1000, 2005, 1100), shapely.box(0, -100, 2005, 0)]
    left, right = shapely.box(0, 0, 1000, 1000), shapely.box(1005, 0, 2005, 1000)
    geoms, repairs = rebuild_coverage(np.array([left, right, *frame], dtype=object))
    assert [(r.kind, round(r.area_m2)) for r in repairs] == [("gap", 5_000)]
    assert shapely.union_all(geoms).equals(shapely.box(0, -100, 2005, 1100))
    hole = shapely.box(0, 0, 3000, 3000).difference(shapely.box(1000, 1000, 2000, 2000))
    geoms, repairs = rebuild_coverage(np.array([hole], dtype=object))
    assert repairs == [] and len(geoms[0].interiors) == 1


def test_sliver_hole_inside_one_polygon_is_closed_unless_an_enclave_fills_it():
    # a 60 m quantisation triangle left as a hole of one district (LA 839 with the 2013 LAD file)
    triangle = shapely.Polygon([(1000, 1000), (1060, 1000), (1030, 1050)])
    district = shapely.box(0, 0, 3000, 3000).difference(triangle)
    geoms, repairs = rebuild_coverage(np.array([district], dtype=object))
    assert [(r.kind, r.kept, round(r.area_m2)) for r in repairs] == [("gap", 0, 1500)]
    assert geoms[0].equals(shapely.box(0, 0, 3000, 3000))
    geoms, repairs = rebuild_coverage(np.array([district, triangle], dtype=object))
    assert repairs == [] and len(geoms[0].interiors) == 1


def test_coverage_dissolve_of_a_plan_is_one_polygon_per_contiguous_partnership(shared):
    inputs = _quiet_prepare(la_codes=("857",), schools=ENGLAND)  # Rutland
    plan = make_plan(inputs, PlanSpec(k=(2,)), 2, solver="heuristic")
    dissolved = dissolve_units(inputs.units.geometry.to_numpy(), plan.unit_labels)
    assert [g.geom_type for g in dissolved] == ["Polygon", "Polygon"]
    assert sum(g.area for g in dissolved) == pytest.approx(inputs.units.area.sum(), rel=1e-9)


@pytest.mark.parametrize(("la", "boundaries", "k"), [("857", None, 2), ("850", HANTS_2013, 12)])
def test_written_partnerships_valid_and_single_polygons(shared, tmp_path, la, boundaries, k):
    kwargs = {"la_codes": (la,), "boundaries": boundaries} if boundaries else {"la_codes": (la,), "schools": ENGLAND}
    inputs = _quiet_prepare(**kwargs)
    plan = make_plan(inputs, PlanSpec(k=(k,)), k, solver="heuristic")
    back = gpd.read_file(write_plan(plan, tmp_path) / "partnerships.geojson")
    assert back.is_valid.all()
    for path in write_exports([plan], inputs.schools, inputs.units, inputs.dataset.districts, tmp_path / "gis"):
        if path.suffix == ".geojson":
            assert gpd.read_file(path).is_valid.all(), path.name
    # the GeoPackage is stamped with a fixed date, not the time of writing (byte-identical reruns)
    with sqlite3.connect(tmp_path / "gis" / "partition.gpkg") as db:
        assert {d for (d,) in db.execute("SELECT last_change FROM gpkg_contents")} == {GPKG_LAST_CHANGE}
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None  # GDAL's setting restored
    # every partnership here is contiguous (a Hayling Island link is drawn as a strip): one polygon each
    assert (back.geom_type == "Polygon").all()
    # Polsby-Popper of the true outline: the one of the exact coverage dissolve
    exact = dissolve_units(inputs.units.geometry.to_numpy(), plan.unit_labels)
    bridged = {
        plan.unit_labels[i] for i, j, _ in inputs.graph.graph["bridges"] if plan.unit_labels[i] == plan.unit_labels[j]
    }
    written = plan.partnerships.geometry.to_numpy()
    for lab, geom in enumerate(exact):
        if lab not in bridged:
            same = [g for g in written if g.area == pytest.approx(geom.area, rel=1e-9)]
            assert len(same) == 1
            assert polsby_popper(same[0]) == pytest.approx(polsby_popper(geom), rel=1e-6)


def _notched_square() -> shapely.Polygon:
    """Valid in British National Grid; a notch's tip 0.1 m from the top edge crosses it once in WGS84."""
    x0, y0, size = 430_000.0, 100_000.0, 20_000.0
    return shapely.Polygon(
        [(x0, y0), (x0 + size / 2 - 1, y0), (x0 + size / 2, y0 + size - 0.1), (x0 + size / 2 + 1, y0),
         (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size)]
    )  # fmt: skip


def test_to_wgs84_valid_repairs_what_reprojection_breaks():
    layer = gpd.GeoDataFrame({"id": [1]}, geometry=[_notched_square()], crs="EPSG:27700")
    assert layer.is_valid.all()
    assert not layer.to_crs(4326).is_valid.all()  # the fault being guarded against
    out = to_wgs84_valid(layer)
    assert out.is_valid.all() and out.crs.to_epsg() == 4326
    assert out.to_crs(27700).area.iloc[0] == pytest.approx(layer.area.iloc[0], rel=1e-3)


def test_plan_write_geojson_valid_in_wgs84(tmp_path):
    parts = gpd.GeoDataFrame({"id": ["P01"], "name": ["Test"]}, geometry=[_notched_square()], crs="EPSG:27700")
    plan = Plan(
        name="k1-test", k=1, spec=PlanSpec(k=(1,)), assignments=pd.DataFrame({"URN": [1], "partnership": ["Test"]}),
        partnerships=parts, unit_labels=np.zeros(1, dtype=int), solver="given", status="feasible", objective=0.0,
        scores={"wdist_km": 0.0},
    )  # fmt: skip
    back = gpd.read_file(write_plan(plan, tmp_path) / "partnerships.geojson")
    assert back.is_valid.all()


# --- coordinates against the CRS ------------------------------------------------------------


def _districts_bng() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"LAD23CD": ["E1", "E2"], "LAD23NM": ["West", "East"]},
        geometry=[shapely.box(440_000, 100_000, 450_000, 110_000), shapely.box(450_000, 100_000, 460_000, 110_000)],
        crs="EPSG:27700",
    )


def test_geojson_in_metres_without_crs_member_is_read_as_bng(tmp_path):
    path = tmp_path / "bng.geojson"
    data = json.loads(_districts_bng().to_json())
    data.pop("crs")  # no "crs" member: GDAL assumes WGS84
    path.write_text(json.dumps(data))
    with pytest.warns(DataWarning, match=r"bng\.geojson: coordinates are metres .* no 'crs' member.*EPSG:27700"):
        gdf = read_boundaries(path)
    assert gdf.total_bounds == pytest.approx([440_000, 100_000, 460_000, 110_000])


def test_degrees_declared_as_bng_is_an_error(tmp_path):
    path = tmp_path / "deg.gpkg"
    _districts_bng().to_crs(4326).set_crs(27700, allow_override=True).to_file(path)
    with pytest.raises(
        BoundaryFileError,
        match=r"deg\.gpkg: declares OSGB36 / British National Grid \(metres\) but its coordinates range x -1\.\d+ .*"
        r"look like longitude/latitude degrees\. Fix: .*ogr2ogr -a_srs EPSG:4326",
    ):
        read_polygons(path)


def test_metres_declared_as_wgs84_is_an_error(tmp_path):
    path = tmp_path / "m.gpkg"
    _districts_bng().set_crs(4326, allow_override=True).to_file(path)
    with pytest.raises(BoundaryFileError) as err:
        read_polygons(path)
    assert str(err.value) == (
        f"{path}: declares WGS 84 (longitude/latitude degrees) but its coordinates range x 440,000 to 460,000, "
        "y 100,000 to 110,000, which look like British National Grid (EPSG:27700) or Irish Grid (EPSG:29903) "
        "metres. Fix: declare the CRS the coordinates are in, e.g. 'ogr2ogr -a_srs EPSG:27700 fixed.gpkg m.gpkg' "
        "for British National Grid"
    )


def test_layer_outside_britain_is_an_error(tmp_path):
    path = tmp_path / "far.gpkg"
    _districts_bng().to_crs(4326).set_geometry(_districts_bng().to_crs(4326).geometry.translate(100, 0)).to_file(path)
    with pytest.raises(BoundaryFileError, match=r"far\.gpkg: lies outside Great Britain"):
        read_polygons(path)


# --- polygon units ---------------------------------------------------------------------------


def test_lsoa_units_keep_every_hampshire_lsoa(shared):
    with pytest.warns(
        DataWarning, match=r"units from .*topo\.json: .*less than 10% inside the study area left out; population [\d,]+"
    ):
        inputs = prepare(units=LSOA, population=LSOA_POP)
    units = inputs.units
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = read_polygons(shared / LSOA)
    hampshire = set(layer.loc[~layer["name"].isin(["00MS", "00MR"]), "code"])
    assert len(hampshire) == 822
    assert hampshire <= set(units["code"])  # clipped, not dropped
    assert units["n_schools"].sum() == 494
    # each school sits in the unit of the LSOA polygon that contains it
    code_of = gpd.sjoin(inputs.schools[["URN", "unit", "geometry"]], layer[["code", "geometry"]], predicate="within")
    assert (units["code"].to_numpy()[code_of["unit"].to_numpy()] == code_of["code"].to_numpy()).all()
    outline = shapely.union_all(study_districts(inputs.dataset).geometry.to_numpy())
    geoms = units.geometry.to_numpy()
    assert shapely.coverage_is_valid(geoms)
    union = shapely.coverage_union_all(geoms)
    assert shapely.area(geoms).sum() == pytest.approx(union.area, rel=1e-9)
    assert union.symmetric_difference(outline).area <= 1e-6 * outline.area


def _load(tmp_path, rows, districts):
    schools = write_gias(tmp_path / "s.csv", rows)
    path = tmp_path / "d.gpkg"
    districts.to_file(path)
    return load_dataset(schools, path, la_codes=["999"])


def test_polygon_units_clip_rather_than_drop(tmp_path):
    districts = gpd.GeoDataFrame(
        {"LAD23CD": ["W"], "LAD23NM": ["West"]}, geometry=[shapely.box(0, 0, 3000, 1000)], crs="EPSG:27700"
    )
    ds = _load(tmp_path, [school_row(i, 500 + 1000 * i, 500) for i in range(3)], districts)
    polys = gpd.GeoDataFrame(
        {"code": ["A", "B", "C", "D"], "name": ["A", "B", "C", "D"]},
        geometry=[
            shapely.box(0, 0, 1000, 1000),
            shapely.box(1000, 0, 2000, 1000),
            shapely.box(2000, -2000, 3000, 1000),  # a third inside: clipped, kept
            shapely.box(2000, -3000, 3000, -2000),  # wholly outside: ignored
        ],
        crs="EPSG:27700",
    )
    pop = pd.Series({"A": 10.0, "B": 20.0, "C": 30.0, "D": 40.0})
    with pytest.warns(
        DataWarning, match=r"1 polygon\(s\) of .* lie mostly outside .* population 30 counted in full: C \(33% inside\)"
    ):
        units, schools = polygon_units(ds, polys, population=pop)
    assert list(units["code"]) == ["A", "B", "C"]
    assert units.geometry.iloc[2].equals(shapely.box(2000, 0, 3000, 1000))
    assert units["population"].sum() == 60
    assert list(schools["unit"]) == [0, 1, 2]


# --- messages name places, never internal indices ------------------------------------------------


def test_island_messages_name_schools_and_districts(tmp_path):
    districts = gpd.GeoDataFrame(
        {"LAD23CD": ["W", "E", "I"], "LAD23NM": ["West", "East", "Isle"]},
        geometry=[shapely.box(0, 0, 2000, 1000), shapely.box(2000, 0, 4000, 1000), shapely.box(0, 3000, 1000, 4000)],
        crs="EPSG:27700",
    )
    isle = {"DistrictAdministrative (name)": "Isle"}
    east = {"DistrictAdministrative (name)": "East"}
    rows = [
        *[school_row(1 + i, 500 + 500 * i, 500) for i in range(3)],
        *[school_row(5 + i, 2500 + 500 * i, 500, **east) for i in range(3)],
        *[school_row(10 + i, 200 + 300 * i, 3500, **isle) for i in range(3)],
    ]
    ds = _load(tmp_path, rows, districts)
    units, _ = voronoi_units(ds)
    with pytest.raises(GraphError) as err:
        build_graph(units, island_policy="error")
    assert "School 10 (URN 10), Isle" in str(err.value)
    assert not re.search(r"units \[", str(err.value))
    with pytest.warns(
        DataWarning,
        match=r"linked each to its nearest unit: School 10 \(URN 10\), Isle to School 1 \(URN 1\), West \(2000 m apart\)",
    ):
        build_graph(units)


def test_dropped_fragment_reported_with_district_and_nearest_school(tmp_path):
    west = shapely.MultiPolygon([shapely.box(0, 0, 2000, 1000), shapely.box(0, 1500, 500, 2000)])  # school-less islet
    districts = gpd.GeoDataFrame({"LAD23CD": ["W"], "LAD23NM": ["West"]}, geometry=[west], crs="EPSG:27700")
    ds = _load(tmp_path, [school_row(1, 500, 500), school_row(2, 1500, 500)], districts)
    with pytest.warns(
        DataWarning,
        match=r"1 school-less fragment\(s\) \(25\.0 ha.*25\.0 ha in West near School 1 \(URN 1\), \d\.\d km",
    ):
        units, _ = voronoi_units(ds)
    assert units.attrs["dropped_area_km2"] == pytest.approx(0.25)


# --- repairs of invalid polygons ----------------------------------------------------------------


def _gosport_bow_tie(shared, tmp_path):
    """The real 2023 districts with Gosport's exterior ring crossed: its 7th and 8th vertices swapped."""
    districts = gpd.read_file(shared / HANTS_2023)
    row = districts.index[districts["LAD23CD"] == "E07000088"][0]
    ring = np.array(shapely.get_parts(districts.geometry[row])[0].exterior.coords)[:-1]
    ring[[6, 7]] = ring[[7, 6]]
    districts.loc[row, "geometry"] = shapely.Polygon(np.vstack([ring, ring[:1]]))
    path = tmp_path / "gosport-crossed.geojson"
    districts.to_file(path)
    return path


def test_gosport_bow_tie_is_refused_naming_its_schools(shared, tmp_path):
    path = _gosport_bow_tie(shared, tmp_path)
    repair = (
        "Gosport (E07000088), Self-intersection near 461,797 E 99,255 N: 19.602 km² as drawn, 22.413 km² repaired "
        "(+2.81 km², +12.5 %), 1 part → 2 parts"
    )
    fix = (
        ". Fix: correct the boundary of Gosport (E07000088) near 461,797 E 99,255 N (its ring crosses itself: "
        "vertices out of order or a stray vertex; QGIS 'Check validity' shows where) or use another boundary file"
    )
    head = (
        f"{path}: repairing 1 invalid polygon(s) would change each by more than the limit (1 % of the feature's "
        "area or 10 ha), so the repaired shape would be a guess: "
    )
    with pytest.raises(BoundaryFileError) as err:
        read_boundaries(path)
    assert str(err.value) == head + repair + fix
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(BoundaryFileError) as err:
            load_dataset(None, path, la_codes=["850"])
    assert str(err.value) == (
        head
        + repair
        + "; schools GIAS places in it or inside it as drawn that lie outside it once repaired: URN 116169 "
        "Alverstoke Community Infant School (602 m outside), URN 116392 Alverstoke Church of England Aided Junior "
        "School (76 m outside), URN 137791 Bay House School (332 m outside)" + fix
    )


def test_repaired_districts_reported_in_the_data_notes(tmp_path):
    # a 2 km strip whose ring dips into a 20 m hourglass (+200 m² repaired): reported, schools still inside
    ring = [(440_000, 100_000), (440_500, 100_000), (440_520, 99_980), (440_500, 99_980), (440_520, 100_000)]
    notched = shapely.Polygon([*ring, (442_000, 100_000), (442_000, 101_000), (440_000, 101_000)])
    districts = gpd.GeoDataFrame({"LAD23CD": ["W"], "LAD23NM": ["West"]}, geometry=[notched], crs="EPSG:27700")
    with pytest.warns(DataWarning, match=r"d\.gpkg: repaired 1 invalid polygon"):
        ds = _load(tmp_path, [school_row(i, 440_500 + 1000 * i, 100_500) for i in range(2)], districts)
    assert ds.notes == [
        "s.csv: read as UTF-8",
        "d.gpkg: repaired the polygon of West (W), Self-intersection near 440,510 E 99,990 N: 2.000 km² as drawn, "
        "2.000 km² repaired (+200 m², under 0.1 %), 1 part → 2 parts",
    ]
    assert ds.districts.geometry.iloc[0].area == pytest.approx(2_000_200)


def test_school_left_outside_its_repaired_district_is_an_error(tmp_path):
    from partition.data.districts import check_repaired_districts
    from partition.io.boundaries import FeatureRepair

    drawn = shapely.box(0, 0, 1000, 1000)
    layer = gpd.GeoDataFrame(
        {"code": ["W"], "name": ["West"]}, geometry=[shapely.box(0, 0, 900, 1000)], crs="EPSG:27700"
    )
    repair = FeatureRepair("W", "West", "Ring Self-intersection", (950.0, 500.0), 1e6, 9e5, 1, 1, drawn.wkb)
    layer.attrs = {"source": str(tmp_path / "d.gpkg"), "geometry_repairs": [repair]}
    schools = gpd.GeoDataFrame(
        {"URN": [1, 2], "name": ["School 1", "School 2"]},
        geometry=[shapely.Point(500, 500), shapely.Point(950, 500)],
        crs="EPSG:27700",
    )
    with pytest.raises(BoundaryFileError) as err:
        check_repaired_districts(layer, schools)
    assert str(err.value) == (
        f"{tmp_path / 'd.gpkg'}: repairing invalid polygons moves schools out of their district: West (W), Ring "
        "Self-intersection near 950 E 500 N: 1.000 km² as drawn, 0.900 km² repaired (-10.0 ha, -10.0 %), "
        "1 part → 1 part; inside it as drawn, outside once repaired: URN 2 School 2 (50 m outside). "
        "Fix: correct the boundary of West (W) near 950 E 500 N so that it is valid, or use another boundary file"
    )


# --- CRS advice ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("epsg", "name"),
    [
        (3857, "WGS 84 / Pseudo-Mercator"),
        (32630, "WGS 84 / UTM zone 30N"),
        (3035, "ETRS89-extended / LAEA Europe"),
        (29903, "TM75 / Irish Grid"),
    ],
)
def test_declared_projected_crs_is_reprojected_and_said(tmp_path, epsg, name):
    path = tmp_path / "p.gpkg"
    _districts_bng().to_crs(epsg).to_file(path)
    with pytest.warns(DataWarning) as caught:
        gdf = read_polygons(path)
    assert [str(w.message) for w in caught] == [
        f"p.gpkg: declares {name} (EPSG:{epsg}); reprojected to British National Grid (EPSG:27700)"
    ]
    assert gdf.total_bounds == pytest.approx([440_000, 100_000, 460_000, 110_000], abs=0.01)


def test_web_mercator_geojson_without_crs_member_names_web_mercator(tmp_path):
    path = tmp_path / "wm.geojson"
    data = json.loads(_districts_bng().to_crs(3857).to_json())
    data.pop("crs", None)  # GDAL reads it as WGS84
    path.write_text(json.dumps(data))
    with pytest.raises(BoundaryFileError) as err:
        read_polygons(path)
    assert str(err.value) == (
        f"{path}: declares WGS 84 (longitude/latitude degrees) but its coordinates range x -159,609 to -127,839, "
        "y 6.58537e+06 to 6.60153e+06, which look like Web Mercator (EPSG:3857) metres. Fix: declare the CRS the "
        "coordinates are in, e.g. 'ogr2ogr -a_srs EPSG:3857 fixed.gpkg wm.geojson' for Web Mercator"
    )


def test_shapefile_without_prj_in_utm_names_utm(tmp_path):
    path = tmp_path / "utm.shp"
    _districts_bng().to_crs(32630).to_file(path)
    path.with_suffix(".prj").unlink()
    with pytest.raises(BoundaryFileError) as err:
        read_polygons(path)
    assert str(err.value) == (
        f"{path}: declares no CRS that GDAL can read and its coordinates range x 610,238 to 630,374, "
        "y 5.62855e+06 to 5.63882e+06, which look like UTM zone 30N (EPSG:32630) metres. Fix: declare the CRS the "
        "coordinates are in, e.g. 'ogr2ogr -a_srs EPSG:32630 fixed.gpkg utm.shp' for UTM zone 30N"
    )


def test_laea_labelled_british_national_grid_names_laea(tmp_path):
    path = tmp_path / "laea.gpkg"
    _districts_bng().to_crs(3035).set_crs(27700, allow_override=True).to_file(path)
    with pytest.raises(BoundaryFileError) as err:
        read_polygons(path)
    assert str(err.value) == (
        f"{path}: lies outside Great Britain once reprojected to British National Grid (x 3.51865e+06 to "
        "3.53998e+06, y 3.1359e+06 to 3.14906e+06): its declared CRS does not match its coordinates (x 3.51865e+06 "
        "to 3.53998e+06, y 3.1359e+06 to 3.14906e+06, which look like ETRS89 / LAEA Europe (EPSG:3035) metres). "
        "Fix: declare the CRS the coordinates are in, e.g. 'ogr2ogr -a_srs EPSG:3035 fixed.gpkg laea.gpkg' for "
        "ETRS89 / LAEA Europe"
    )
