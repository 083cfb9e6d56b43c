"""Sites, Voronoi units, polygon units and adjacency: hand-drawn fixtures and real data."""

from __future__ import annotations

import warnings

import geopandas as gpd
import networkx as nx
import pytest
import shapely
from tests.conftest import school_row, write_gias

from partition.data.dataset import load_dataset
from partition.errors import GraphError
from partition.units.build import build_sites, voronoi_units
from partition.units.graph import build_graph
from partition.units.prepare import prepare
from partition.warnings import DataWarning


def _districts(tmp_path, extra=()):
    gdf = gpd.GeoDataFrame(
        {"LAD23CD": ["W", "E", *[e[0] for e in extra]], "LAD23NM": ["West", "East", *[e[1] for e in extra]]},
        geometry=[shapely.box(0, 0, 2000, 1000), shapely.box(2000, 0, 4000, 1000), *[e[2] for e in extra]],
        crs="EPSG:27700",
    )
    path = tmp_path / "d.gpkg"
    gdf.to_file(path)
    return path


def _load(tmp_path, rows, extra=()):
    schools = write_gias(tmp_path / "s.csv", rows)
    return load_dataset(schools, _districts(tmp_path, extra), la_codes=["999"])


def test_cell_across_district_edge_joins_neighbour_of_same_district(tmp_path):
    rows = [
        school_row(1, 100, 500),
        school_row(2, 1900, 500),
        school_row(3, 3900, 500, **{"DistrictAdministrative (name)": "East"}),
        school_row(4, 3900, 500, **{"DistrictAdministrative (name)": "East"}),
    ]
    ds = _load(tmp_path, rows)
    units, schools = voronoi_units(ds)
    assert len(units) == 3  # schools 3 and 4 share a site
    by_urns = units.set_index("urns")
    assert by_urns.at["1", "geometry"].symmetric_difference(shapely.box(0, 0, 1000, 1000)).area < 1e-3
    assert by_urns.at["2", "geometry"].symmetric_difference(shapely.box(1000, 0, 2000, 1000)).area < 1e-3
    # the part of school 2's Voronoi cell east of x=2000 went to the East unit
    assert by_urns.at["3,4", "geometry"].symmetric_difference(shapely.box(2000, 0, 4000, 1000)).area < 1e-3
    assert by_urns.at["3,4", "n_schools"] == 2
    assert by_urns.at["3,4", "pupils"] == 400
    assert schools.set_index("URN")["unit"].to_dict() == {1: 0, 2: 1, 3: 2, 4: 2}
    graph = build_graph(units)
    assert sorted(graph.edges()) == [(0, 1), (1, 2)]
    assert graph.edges[1, 2]["length"] == pytest.approx(1000, abs=0.5)


def test_gias_tie_break_near_edge_keeps_site_in_its_unit(tmp_path):
    rows = [
        school_row(1, 500, 500),
        school_row(2, 1960, 500, **{"DistrictAdministrative (name)": "East"}),  # 40 m inside West
        school_row(3, 3500, 500, **{"DistrictAdministrative (name)": "East"}),
    ]
    with pytest.warns(DataWarning, match=r"URN 2 School 2: GIAS 'East', polygon 'West' \(40 m\) -> East"):
        ds = _load(tmp_path, rows)
    assert ds.schools.set_index("URN").at[2, "district"] == "East"
    units, _ = voronoi_units(ds)
    site = units[units["urns"] == "2"].iloc[0]
    assert site["district"] == "East"
    assert site.geometry.contains(shapely.Point(1960, 500))
    assert site.geometry.geom_type == "Polygon"
    assert any("widened" in note for note in units.attrs["adjustments"])
    union = shapely.union_all(units.geometry.to_numpy())
    assert union.symmetric_difference(shapely.box(0, 0, 4000, 1000)).area < 1.0


def test_school_far_outside_is_excluded_and_reported(tmp_path):
    # school 8 lies 1.5 km outside the study area (plausible: attached to its GIAS district and reported);
    # school 9 lies 7 km out (a wrong Northing): excluded with its distance and the fix
    rows = [
        school_row(1, 500, 500),
        school_row(2, 1500, 500),
        school_row(3, 2500, 500, **{"DistrictAdministrative (name)": "East"}),
        school_row(8, 1500, 2500),
        school_row(9, 2500, 8000),
    ]
    with pytest.warns(DataWarning) as record:
        ds = _load(tmp_path, rows)
    text = " ".join(str(w.message) for w in record)
    assert (
        "excluded 1 school(s) outside the study area: URN 9 School 9: in no district of the boundary file, 7.0 km from the nearest"
        in text
    )
    assert "URN 8 School 8: GIAS 'West', polygon '(outside every district)' (1500 m) -> West" in text
    assert 9 not in set(ds.schools["URN"])
    assert "check its Easting/Northing" in ds.excluded.set_index("URN").at[9, "reason"]
    placed = ds.schools.set_index("URN")
    assert placed.at[8, "district"] == "West" and placed.at[8, "district_rule"] == "gias-outside"
    assert placed.at[8, "offset_m"] == pytest.approx(1500)
    units, _ = voronoi_units(ds)
    assert units[units["urns"] == "8"].iloc[0].geometry.contains(shapely.Point(1500, 2500))


def test_island_policy(tmp_path):
    island = shapely.box(0, 3000, 1000, 4000)
    rows = [
        school_row(1, 500, 500),
        school_row(2, 2500, 500),
        *[school_row(10 + i, 200 + 300 * i, 3500, **{"DistrictAdministrative (name)": "Isle"}) for i in range(3)],
    ]
    ds = _load(tmp_path, rows, extra=[("I", "Isle", island)])
    units, _ = voronoi_units(ds)
    with pytest.raises(GraphError, match=r"2 separate pieces.*Fix: use island policy 'link'"):
        build_graph(units, island_policy="error")
    with pytest.warns(DataWarning, match=r"linked each to its nearest unit"):
        graph = build_graph(units, island_policy="link")
    assert nx.is_connected(graph)
    ((i, j, gap),) = graph.graph["bridges"]
    assert gap == pytest.approx(2000)
    assert graph.edges[i, j]["bridge"]


def test_sites_group_identical_coordinates(hampshire):
    sites = build_sites(hampshire.dataset.schools)
    assert len(sites) == 464
    assert (sites["n_schools"] == 2).sum() == 30
    assert sites["n_schools"].sum() == 494


def test_hampshire_units_acceptance(hampshire):
    units, graph, ds = hampshire.units, hampshire.graph, hampshire.dataset
    assert len(ds.schools) == 494
    counts = ds.schools["district"].value_counts().to_dict()
    assert counts == {
        "Basingstoke and Deane": 67,
        "New Forest": 64,
        "Test Valley": 55,
        "East Hampshire": 48,
        "Winchester": 47,
        "Havant": 41,
        "Eastleigh": 40,
        "Fareham": 36,
        "Hart": 34,
        "Rushmoor": 33,
        "Gosport": 29,
    }
    assert len(units) == 464
    assert (units.geom_type == "Polygon").all()
    assert units.geometry.is_valid.all()
    sites = shapely.points(units[["x", "y"]].to_numpy())
    assert shapely.covers(units.geometry.to_numpy(), sites).all()
    # every unit inside one district (districts as widened for the two edge schools, by at most 60 m)
    districts = ds.districts.set_index("code").geometry
    for code, geom in zip(units["district_code"], units.geometry):
        assert districts[code].buffer(60).contains(geom)
    union = shapely.union_all(units.geometry.to_numpy())
    assert union.symmetric_difference(ds.outline).area / ds.outline.area < 0.001
    assert nx.is_connected(graph)
    assert graph.number_of_nodes() == 464
    # Hayling Island is separated by water in the generalised outline: one reported link
    assert len(graph.graph["bridges"]) == 1
    assert hampshire.schools["unit"].nunique() == 464


@pytest.mark.parametrize(("la", "schools", "districts"), [("936", 356, 11), ("878", 353, 8)])
def test_other_counties_with_2013_lads(shared, la, schools, districts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(la_codes=(la,))
    assert len(inputs.dataset.districts) == districts
    assert len(inputs.dataset.schools) + len(inputs.dataset.excluded) == schools
    assert (inputs.units.geom_type == "Polygon").all()
    assert shapely.covers(inputs.units.geometry.to_numpy(), shapely.points(inputs.units[["x", "y"]].to_numpy())).all()
    assert nx.is_connected(inputs.graph)


def test_2013_boundaries_report_berewood(shared):
    with pytest.warns(
        DataWarning,
        match=r"URN 140211 Berewood Primary School: GIAS 'Winchester', polygon 'Havant' \(93.4 m\) -> Winchester",
    ):
        ds = load_dataset(boundaries="boundaries/hampshire_lad2013_plus_soton_portsmouth.geojson")
    assert len(ds.districts) == 11  # Southampton and Portsmouth hold no LA 850 school
    assert len(ds.schools) == 494


def test_lsoa_units_with_child_population(shared):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(
            units="boundaries/lsoa2001_hants_simplify0.75.topo.json",
            population="population/lsoa2001_mye2010_age_imd2010_hampshire.csv",
        )
    units = inputs.units
    # the 822 Hampshire LSOAs, clipped to the generalised 2023 outline, and 7 Southampton/Portsmouth LSOAs
    # at least 10 % inside it (reported)
    assert len(units) == 829
    assert units["n_schools"].sum() == 494
    assert units["population"].sum() > 250_000
    assert nx.is_connected(inputs.graph)


def test_unitary_authority_does_not_pull_in_its_neighbour(shared):
    # three Southampton schools sit 16-27 m inside Eastleigh's generalised polygon; GIAS says Southampton
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(la_codes=("852",))
    assert list(inputs.dataset.districts["name"]) == ["Southampton"]
    assert len(inputs.dataset.schools) == 67 and inputs.dataset.excluded.empty
    assert (inputs.units.geom_type == "Polygon").all()
