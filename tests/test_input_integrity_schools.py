"""Input integrity: every school of the input is placed or reported; text decoded exactly; area joins bounded."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tests.conftest import school_row, write_gias

from partition.cli import cli
from partition.data.configurations import labels_from_areas
from partition.data.dataset import SchoolAccountingError, check_school_accounting, load_dataset
from partition.errors import InputFileError, SchoolsFileError
from partition.io.boundaries import read_boundaries
from partition.io.schools import read_gias
from partition.warnings import DataWarning

HAMPSHIRE = "schools/gias_2022_hampshire_850_open_primary_secondary.csv"
ENGLAND = "schools/gias_2022_england_open_primary_secondary.csv"
LAD2013 = "boundaries/topo_lad_eng_2013.json"
LAD2023 = "boundaries/hampshire_districts_lad2023.geojson"


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def _accounted(ds):
    placed = [*ds.schools["URN"], *ds.members["URN"]]  # schools and members (colleges, special schools)
    check_school_accounting(ds.input_urns, placed, ds.excluded["URN"])
    return len(placed) + len(ds.excluded) == len(ds.input_urns)


# ---------------------------------------------------------------- encodings


def _rows():
    return [
        school_row(1, 400000, 100000, EstablishmentName="St Mary’s Café School"),
        school_row(2, 401000, 100000, EstablishmentName="Plain School"),
        school_row(3, 402000, 100000, EstablishmentName="Ærø School"),
    ]


def test_utf8_with_bom_loads_exactly(tmp_path):
    path = write_gias(tmp_path / "g.csv", _rows(), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    load = read_gias(path, la_codes=["999"])
    assert load.encoding == "utf-8-sig"
    assert load.schools.set_index("URN").at[1, "name"] == "St Mary’s Café School"


def test_cp1252_file_loads_exactly_and_encoding_is_reported(tmp_path):
    path = write_gias(tmp_path / "g.csv", _rows(), encoding="cp1252")
    load = read_gias(path, la_codes=["999"])
    assert load.encoding == "cp1252"
    assert load.schools.set_index("URN")["name"].to_dict() == {
        1: "St Mary’s Café School",
        2: "Plain School",
        3: "Ærø School",
    }


def test_utf8_file_with_cp1252_rows_is_refused_naming_the_line(tmp_path):
    path = write_gias(tmp_path / "g.csv", _rows())
    text = path.read_bytes()
    # two more rows typed in Windows-1252 (a curly apostrophe is byte 0x92 there)
    extra = "".join(
        f'"{u}","999","Testshire","St Ann’s {u}","Community school","Local authority maintained schools","Open","Primary",'
        f'"300","200","Testtown","West","40{u}00","100000"\r\n'
        for u in (4, 5)
    )
    path.write_bytes(text + extra.encode("cp1252"))
    with pytest.raises(
        SchoolsFileError, match=r"g\.csv, line 5: mixes encodings.*St Ann\\ufffds|g\.csv, line 5: mixes encodings"
    ) as err:
        read_gias(path, la_codes=["999"])
    assert "re-save the whole file as UTF-8" in str(err.value)
    # with a byte-order mark too: refused, never read as cp1252 with 'ï»¿URN' as first column
    path.write_bytes(b"\xef\xbb\xbf" + text + extra.encode("cp1252"))
    with pytest.raises(SchoolsFileError, match=r"line 5: mixes encodings"):
        read_gias(path, la_codes=["999"])


def test_file_neither_utf8_nor_cp1252_is_refused_naming_the_line(tmp_path):
    path = write_gias(
        tmp_path / "g.csv",
        [school_row(1, 400000, 100000), school_row(2, 401000, 100000, EstablishmentName="Bad\x81Name")],
        encoding="latin-1",
    )
    with pytest.raises(SchoolsFileError, match=r"g\.csv, line 3: is neither UTF-8 nor Windows-1252"):
        read_gias(path, la_codes=["999"])


def test_dataset_notes_the_encoding(tmp_path):
    rows = [school_row(1, 500, 500, EstablishmentName="Café"), school_row(2, 1500, 500), school_row(3, 1000, 800)]
    ds = _load_small(tmp_path, rows, encoding="cp1252")
    assert "s.csv: read as Windows-1252" in ds.notes
    assert ds.schools.set_index("URN").at[1, "name"] == "Café"


# ---------------------------------------------------------------- pupil numbers


def _load_small(tmp_path, rows, encoding="utf-8"):
    import shapely

    districts = gpd.GeoDataFrame(
        {"LAD23CD": ["W"], "LAD23NM": ["West"]}, geometry=[shapely.box(0, 0, 2000, 1000)], crs="EPSG:27700"
    )
    districts.to_file(tmp_path / "d.gpkg")
    schools = write_gias(tmp_path / "s.csv", rows, encoding=encoding)
    return load_dataset(schools, tmp_path / "d.gpkg", la_codes=["999"])


@pytest.mark.parametrize("capacity", ["", 300])
def test_all_blank_pupils_refused(tmp_path, capacity):
    rows = [school_row(u, 100 * u, 500, NumberOfPupils="", SchoolCapacity=capacity) for u in range(1, 5)]
    with pytest.raises(
        SchoolsFileError, match=r"column 'NumberOfPupils': NumberOfPupils is blank for all 4 selected schools"
    ):
        _load_small(tmp_path, rows)


def test_all_zero_pupils_refused(tmp_path):
    rows = [school_row(u, 100 * u, 500, NumberOfPupils=0) for u in range(1, 5)]
    with pytest.raises(SchoolsFileError, match=r"NumberOfPupils is 0 \(or blank\) for all 4 selected schools"):
        _load_small(tmp_path, rows)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-5", "is negative"),
        ("1e400", "is not a finite number"),
        ("inf", "is not a finite number"),
        ("nan", "is not a number"),
    ],
)
@pytest.mark.parametrize("column", ["NumberOfPupils", "SchoolCapacity"])
def test_bad_pupil_values_name_the_line(tmp_path, value, message, column):
    rows = [school_row(1, 100, 500), school_row(2, 200, 500), school_row(3, 300, 500, **{column: value})]
    path = write_gias(tmp_path / "g.csv", rows)
    with pytest.raises(SchoolsFileError, match=rf"g\.csv, line 4, column '{column}': value '{value}' {message}"):
        read_gias(path, la_codes=["999"])


def test_some_zero_pupils_taken_at_face_value_and_reported(tmp_path):
    rows = [school_row(1, 100, 500), school_row(2, 200, 500, NumberOfPupils=0), school_row(3, 300, 500)]
    with pytest.warns(
        DataWarning, match=r"NumberOfPupils is 0 for 1 school\(s\), taken at face value.*URN 2 \(line 3\)"
    ):
        ds = _load_small(tmp_path, rows)
    assert ds.schools.set_index("URN")["pupils"].to_dict() == {1: 200, 2: 0, 3: 200}
    assert any("NumberOfPupils 0 taken at face value for URN 2" in n for n in ds.notes)


def test_cli_refusal_exit_2_without_traceback(tmp_path):
    rows = [school_row(u, 100 * u, 500, NumberOfPupils="") for u in range(1, 5)]
    path = write_gias(tmp_path / "g.csv", rows)
    result = CliRunner().invoke(cli, ["data", "summary", "--schools", str(path), "--la", "999"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.strip().splitlines()[-1].startswith("error: ")
    assert "NumberOfPupils is blank for all 4 selected schools" in result.stderr


# ---------------------------------------------------------------- accounting invariant


def test_check_school_accounting():
    check_school_accounting([1, 2, 3, 3], [1, 3], [2, 3])  # URN 3 twice in the input: one record placed, one excluded
    with pytest.raises(SchoolAccountingError, match=r"1 input school\(s\) neither placed nor reported excluded: URN 2"):
        check_school_accounting([1, 2, 3], [1, 3], [])
    with pytest.raises(
        SchoolAccountingError, match=r"placed or excluded more often than they occur in the input: URN 1"
    ):
        check_school_accounting([1, 2, 3], [1, 3], [1, 2])
    with pytest.raises(SchoolAccountingError, match=r"more often.*URN 3"):
        check_school_accounting([1, 2, 3], [1, 2, 3, 3], [])
    with pytest.raises(SchoolAccountingError, match=r"URN 9") as err:
        check_school_accounting([1], [1, 9], [])
    assert err.value.exit_code == 2


def test_dataset_accounts_for_every_record(shared):
    # all statuses: closed schools and Devon records without coordinates are reported, not lost
    ds = _quiet(load_dataset, "schools/gias_20220420_primary_hampshire_850.csv", status="all")
    assert len(ds.input_urns) == 520
    assert _accounted(ds)


# ---------------------------------------------------------------- study area


def test_random_subsets_of_hampshire_place_every_school(shared, tmp_path):
    full = pd.read_csv(shared / HAMPSHIRE, dtype=str, keep_default_na=False)
    rng = np.random.default_rng(7)
    for trial in range(3):
        subset = full.iloc[np.sort(rng.choice(len(full), 25, replace=False))]
        counts = subset["DistrictAdministrative (name)"].value_counts()
        assert (counts <= 2).any()  # some district holds only 1-2 of the schools
        path = tmp_path / f"s{trial}.csv"
        subset.to_csv(path, index=False)
        ds = _quiet(load_dataset, path, LAD2023, data=shared)
        assert len(ds.schools) == 25 and ds.excluded.empty
        assert _accounted(ds)
        assert ds.schools.set_index("URN")["district"].to_dict() == dict(
            zip(subset["URN"].astype(int), subset["DistrictAdministrative (name)"])
        )
        assert set(ds.districts["name"]) == set(counts.index)


def test_isles_of_scilly_and_cornwall_place_every_school(shared):
    ds = _quiet(load_dataset, la_codes=("908", "420"), data=shared)
    assert "Isles of Scilly" in set(ds.districts["name"])
    assert ds.excluded.empty and _accounted(ds)
    scilly = ds.schools[ds.schools["la_code"] == "420"]
    assert len(scilly) >= 1 and set(scilly["district"]) == {"Isles of Scilly"}


@pytest.mark.parametrize(
    ("la", "urn", "district", "offset"),
    [
        ("873", 110643, "Fenland", 1403),  # Beaupre, Cambridgeshire LA, 1.4 km inside King's Lynn and West Norfolk
        ("302", 142627, "Barnet", 869),  # Menorah High School for Girls, Barnet LA, in Brent
        ("892", 141363, "Nottingham", 409),  # Nottingham LA, 409 m inside Gedling
    ],
)
def test_cross_border_school_is_placed_in_its_own_las_district(shared, la, urn, district, offset):
    with pytest.warns(DataWarning, match=rf"URN {urn} .*-> {district}"):
        ds = load_dataset(la_codes=(la,), data=shared)
    assert ds.excluded.empty and _accounted(ds)
    row = ds.schools.set_index("URN").loc[urn]
    assert row["district"] == district
    assert row["district_rule"] == "nearest-outside"
    assert row["offset_m"] == pytest.approx(offset, abs=1)
    assert any(str(urn) in n and "attached" in n for n in ds.notes)
    assert ds.disagreements.set_index("URN").at[urn, "assigned"] == district
    # the neighbour's district is not dragged into the study area
    assert len(ds.districts) == len(set(ds.schools["district"]))


def test_every_english_la_places_every_school(shared):
    # the England file with the 2013 LADs: no LA loses a school (3 did before: 302, 873, 892)
    from partition.data.districts import assign_districts, district_owners, select_districts

    load = _quiet(read_gias, shared / ENGLAND, la_codes=None)
    boundaries = _quiet(read_boundaries, shared / LAD2013)
    owners = district_owners(load.records, boundaries)
    lost = {}
    for la in ("302", "873", "892", "852", "908", "420", "936", "878", "208", "896"):
        schools = load.schools[load.schools["la_code"] == la].reset_index(drop=True)
        districts, _ = _quiet(select_districts, boundaries, schools, owners=owners, la_codes=[la])
        placed, _, excluded = _quiet(assign_districts, schools, districts, boundaries=boundaries)
        if len(placed) != len(schools):
            lost[la] = list(excluded["URN"])
    assert lost == {}


def test_explicit_districts_exclude_others_with_reason_and_fix(shared):
    ds = _quiet(load_dataset, district_codes=["E07000091"], data=shared)  # New Forest only
    assert set(ds.schools["district"]) == {"New Forest"}
    assert _accounted(ds)
    reasons = ds.excluded["reason"]
    assert reasons.str.contains(
        r"lies in district .* outside the selected districts \(add it with --district\)"
    ).sum() == 494 + 40 - len(ds.schools) - len(ds.members)  # the 40 colleges and special schools too


# ---------------------------------------------------------------- compare: area joins bounded


def test_area_layer_missing_new_forest_is_refused(shared, hampshire, tmp_path):
    areas = _quiet(read_boundaries, shared / LAD2023)
    without = areas[areas["name"] != "New Forest"].rename(columns={"code": "LAD23CD", "name": "LAD23NM"})
    path = tmp_path / "areas.gpkg"
    without.to_file(path)
    with pytest.raises(
        InputFileError, match=r"areas\.gpkg: (\d+) of 494 schools lie in no area and more than 250 m from every area"
    ) as err:
        labels_from_areas(hampshire.schools, _quiet(read_boundaries, path), source=path)
    n = int(err.value.args[0].split(": ")[1].split(" of ")[0])
    in_new_forest = gpd.sjoin(hampshire.schools[["geometry"]], areas[areas["name"] == "New Forest"], predicate="within")
    assert n == len(in_new_forest) == 64
    for urn in in_new_forest.index.map(hampshire.schools["URN"]):
        assert f"URN {urn} " in str(err.value)
    result = CliRunner().invoke(cli, ["compare", str(path), "--no-current"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "64 of 494 schools lie in no area" in result.stderr and "URN " in result.stderr and " km)" in result.stderr


def test_area_layer_in_wrong_crs_is_refused(shared, hampshire, tmp_path):
    areas = _quiet(read_boundaries, shared / LAD2023).to_crs(4326)
    wrong = areas.set_crs(27700, allow_override=True).rename(
        columns={"code": "LAD23CD", "name": "LAD23NM"}
    )  # degrees labelled metres
    path = tmp_path / "wrong.gpkg"
    wrong.to_file(path)
    result = CliRunner().invoke(cli, ["compare", str(path), "--no-current"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    # refused when read: the coordinates are checked against the CRS the file declares
    assert "wrong.gpkg" in result.stderr and "degrees" in result.stderr and "ogr2ogr -a_srs EPSG:4326" in result.stderr


def test_school_just_outside_areas_joins_nearest_with_report(hampshire):
    import shapely

    schools = hampshire.schools.iloc[:3][["URN", "name", "geometry"]].reset_index(drop=True)
    p = schools.geometry.iloc[0]
    areas = gpd.GeoDataFrame(
        {"name": ["A"]}, geometry=[shapely.box(p.x + 100, p.y - 50_000, p.x + 100_000, p.y + 50_000)], crs="EPSG:27700"
    )
    far = schools.geometry.distance(areas.geometry.iloc[0])
    keep = schools[far <= 250]
    with pytest.warns(DataWarning, match=rf"URN {int(schools.at[0, 'URN'])} .* -> A \(100 m\)"):
        labels = labels_from_areas(keep, areas, source="a.gpkg")
    assert set(labels) == {"A"}


def test_boundary_file_covering_few_schools_is_refused(shared):
    # Surrey's schools with the Hampshire districts: the file does not cover the LA; refused, not 300 schools dropped
    from partition.errors import EmptySelectionError

    with pytest.raises(EmptySelectionError, match=r"no district contains any of the 356 selected schools"):
        _quiet(load_dataset, boundaries=LAD2023, la_codes=("936",), data=shared)
    # Hampshire and Surrey together: Hampshire's 494 are placed, Surrey's 356 are listed with the reason
    ds = _quiet(load_dataset, boundaries=LAD2023, la_codes=("850", "936"), data=shared)
    assert _accounted(ds) and len(ds.schools) + len(ds.excluded) == 494 + 356
    assert ds.excluded["reason"].str.contains("in no district of the boundary file").sum() > 250


# --- found by a new-user trial -----------------------------------------------------------------


def test_utf16_file_is_named_as_such(tmp_path):
    from partition.errors import SchoolsFileError
    from partition.io.schools import read_gias

    path = tmp_path / "utf16.csv"
    path.write_text("URN,EstablishmentName\n1,A\n", encoding="utf-16")
    with pytest.raises(SchoolsFileError, match="is UTF-16 text"):
        read_gias(path)


def test_header_only_file_says_it_has_no_records(tmp_path):
    from partition.errors import SchoolsFileError
    from partition.io.schools import read_gias

    path = write_gias(tmp_path / "empty.csv", [])
    with pytest.raises(SchoolsFileError, match="has a header but no records"):
        read_gias(path)


def test_fractional_pupils_refused_naming_the_line(tmp_path):
    from partition.errors import SchoolsFileError
    from partition.io.schools import read_gias

    rows = [school_row(100 + i, 440_000 + 500 * i, 100_000, NumberOfPupils=200) for i in range(3)]
    rows[1]["NumberOfPupils"] = "12.5"
    path = write_gias(tmp_path / "frac.csv", rows)
    with pytest.raises(SchoolsFileError, match=r"line 3, column 'NumberOfPupils': value '12.5' is not a whole number"):
        read_gias(path, la_codes=("999",))


def test_compare_names_urns_not_in_the_data_and_does_not_count_them(hampshire, tmp_path):
    """A planner's CSV with a closed school's URN: warned about, and no phantom partnership shifts the bounds."""
    from partition.planning.planner import plan_from_assignment
    from partition.warnings import DataWarning

    schools = hampshire.schools
    labels = pd.Series(schools["district"].to_numpy(), index=schools["URN"].astype(int))
    clean = plan_from_assignment(hampshire, labels, name="clean")
    with pytest.warns(DataWarning, match="URN 999999"):
        extra = plan_from_assignment(hampshire, pd.concat([labels, pd.Series({999999: "X"})]), name="extra")
    assert extra.k == clean.k == 11
    assert extra.scores["max_abs_deviation"] == pytest.approx(clean.scores["max_abs_deviation"])


def test_population_table_with_a_repeated_area_code_is_refused(shared, tmp_path):
    """A repeated LSOA row would be counted twice if summed: refused, naming the code and its lines."""
    from partition.errors import PopulationFileError
    from partition.io.population import read_child_population

    source = shared / "population/lsoa2001_mye2010_age_imd2010_hampshire.csv"
    lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    path = tmp_path / "pop.csv"
    path.write_text("\n".join([*lines[:4], lines[2]]) + "\n", encoding="utf-8")
    with pytest.raises(PopulationFileError, match=r"area code 'E01023260' is on lines 3, 5") as err:
        read_child_population(path)
    assert "keep one row per area" in str(err.value)
    fine = read_child_population(source)
    assert fine.index.is_unique and fine.index.is_monotonic_increasing


def test_a_district_renamed_since_the_boundary_vintage_is_one_line_not_one_per_school(shared):
    """Kent's GIAS 2022 says Folkestone and Hythe, the 2013 boundaries Shepway (renamed 2018): one entry."""
    import warnings

    from partition.units.prepare import prepare

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        prepare(
            shared / "schools/gias_2022_england_open_primary_secondary.csv",
            shared / "boundaries/topo_lad_eng_2013.json",
            la_codes=("886",),
        )
    [message] = [str(w.message) for w in caught if str(w.message).startswith("district of")]
    assert message.startswith("district of 42 schools: GIAS 'Folkestone and Hythe', polygon 'Shepway' -> Shepway")
    assert "and 37 more" in message and message.count("URN") == 1
