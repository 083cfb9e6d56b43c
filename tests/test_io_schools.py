"""Loading GIAS CSVs: real extracts and hand-made bad inputs."""

from __future__ import annotations

import warnings

import pytest
from tests.conftest import GIAS_COLUMNS, school_row, write_gias

from partition.errors import EmptySelectionError, SchoolsFileError
from partition.io.schools import classify_kind, read_gias
from partition.warnings import DataWarning


def _quiet(*args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_gias(*args, **kwargs)


def test_hampshire_default_extract(shared):
    load = _quiet(shared / "schools/gias_2022_hampshire_850_open_primary_secondary.csv")
    s = load.schools
    assert len(s) == 494
    assert s["kind"].value_counts().to_dict() == {"primary": 425, "secondary": 67, "all-through": 2}
    assert s.crs.to_epsg() == 27700
    assert s["URN"].is_unique
    assert s["pupils"].notna().all()
    assert sorted(load.imputed) == [143698, 148385, 148744]
    assert s.loc[s["URN"].isin(load.imputed), "pupils_imputed"].all()
    assert s["anchor"].sum() == 69
    assert set(s.columns) >= {"URN", "name", "kind", "phase", "pupils", "capacity", "gias_district", "geometry"}


def test_primary_extract_with_extra_fields_and_statuses(shared):
    path = shared / "schools/gias_20220420_primary_hampshire_850.csv"
    load = _quiet(path)
    assert len(load.schools) == 427
    assert len(load.extra_field_rows) == 24
    with pytest.warns(DataWarning, match=r"excluded 11 school\(s\) without coordinates.*128684"):
        everything = read_gias(path, status="all")
    no_xy = everything.excluded[everything.excluded["reason"].str.contains("coordinates")]
    assert sorted(no_xy["URN"]) == [
        128684,
        128685,
        128686,
        128688,
        128697,
        128698,
        128699,
        128708,
        128710,
        128711,
        128714,
    ]
    assert len(everything.schools) == 520 - 11


def test_england_file_filters_any_la(shared):
    load = _quiet(shared / "schools/gias_2022_england_open_primary_secondary.csv", la_codes=["936"])
    assert len(load.schools) == 356
    assert set(load.schools["la_code"]) == {"936"}


@pytest.mark.parametrize(
    ("phase", "type_name", "group", "kind"),
    [
        ("Primary", "Community school", "", "primary"),
        ("Middle deemed secondary", "Academy converter", "", "middle"),
        ("Secondary", "Foundation school", "", "secondary"),
        ("All-through", "Free schools", "", "all-through"),
        ("16 plus", "Academy 16-19 converter", "Academies", "college"),
        ("Not applicable", "Further education", "Colleges", "college"),
        ("16 plus", "Sixth form centres", "Colleges", "college"),
        ("Not applicable", "Community special school", "Special schools", "special"),
        ("Not applicable", "Pupil referral unit", "Local authority maintained schools", "pru"),
        ("Nursery", "Local authority nursery school", "", "other"),
    ],
)
def test_classify_kind(phase, type_name, group, kind):
    assert classify_kind(phase, type_name, group) == kind


def test_colleges_and_special_loaded_when_asked(tmp_path):
    rows = [
        school_row(1, 400000, 100000),
        school_row(
            2,
            401000,
            100000,
            **{
                "TypeOfEstablishment (name)": "Further education",
                "EstablishmentTypeGroup (name)": "Colleges",
                "PhaseOfEducation (name)": "16 plus",
            },
        ),
        school_row(
            3,
            402000,
            100000,
            **{
                "TypeOfEstablishment (name)": "Community special school",
                "EstablishmentTypeGroup (name)": "Special schools",
                "PhaseOfEducation (name)": "Not applicable",
            },
        ),
    ]
    path = write_gias(tmp_path / "g.csv", rows)
    load = read_gias(path, la_codes=["999"])  # by default only the schools counted toward the bounds
    assert load.schools.set_index("URN")["kind"].to_dict() == {1: "primary"}
    assert load.excluded.set_index("URN").at[2, "reason"] == "kind 'college' not selected"
    assert load.excluded.set_index("URN").at[3, "reason"] == "kind 'special' not selected"
    counted = read_gias(path, la_codes=["999"], kinds=["primary", "college"])
    assert counted.schools.set_index("URN")["kind"].to_dict() == {1: "primary", 2: "college"}
    assert counted.schools.set_index("URN").at[2, "anchor"]
    with_special = read_gias(path, la_codes=["999"], kinds=["primary", "college", "special", "pru"])
    assert sorted(with_special.schools["URN"]) == [1, 2, 3]


def test_edubasealldata_flavour_and_cp1252(tmp_path):
    columns = [
        "URN",
        "LA (code)",
        "LA (name)",
        "EstablishmentName",
        "TypeOfEstablishment (code)",
        "TypeOfEstablishment (name)",
        "EstablishmentStatus (code)",
        "EstablishmentStatus (name)",
        "PhaseOfEducation (code)",
        "PhaseOfEducation (name)",
        "NumberOfPupils",
        "SchoolCapacity",
        "Easting",
        "Northing",
        "DistrictAdministrative (name)",
    ]
    rows = [
        school_row(
            10,
            400000,
            100000,
            **{
                "EstablishmentName": "St Mary’s Café School",
                "TypeOfEstablishment (code)": "01",
                "EstablishmentStatus (code)": "1",
                "PhaseOfEducation (code)": "2",
            },
        ),
        school_row(11, 401000, 100000, **{"EstablishmentStatus (name)": "Open, but proposed to close"}),
        school_row(12, 402000, 100000, **{"EstablishmentStatus (name)": "Closed"}),
    ]
    path = write_gias(tmp_path / "edubasealldata20261129.csv", rows, columns, encoding="cp1252")
    load = read_gias(path, la_codes=["999"])
    assert load.encoding == "cp1252"
    assert sorted(load.schools["URN"]) == [10, 11]
    assert load.schools.set_index("URN").at[10, "name"] == "St Mary’s Café School"
    assert load.excluded.set_index("URN").at[12, "reason"] == "not open (status filter)"


def test_missing_column_is_named(tmp_path):
    columns = [c for c in GIAS_COLUMNS if c != "Easting"]
    path = write_gias(tmp_path / "g.csv", [school_row(1, 1, 1)], columns)
    with pytest.raises(
        SchoolsFileError, match=r"g\.csv, column 'Easting': required GIAS column\(s\) missing.*Fix: use a GIAS"
    ):
        read_gias(path)


def test_bad_number_names_line_and_column(tmp_path):
    rows = [school_row(1, 400000, 100000), school_row(2, 400000, 100000, NumberOfPupils="lots")]
    path = write_gias(tmp_path / "g.csv", rows)
    with pytest.raises(
        SchoolsFileError, match=r"g\.csv, line 3, column 'NumberOfPupils': value 'lots' is not a number"
    ):
        read_gias(path, la_codes=["999"])


def test_short_record_names_line(tmp_path):
    path = write_gias(tmp_path / "g.csv", [school_row(1, 400000, 100000)])
    with path.open("a") as fh:
        fh.write('"2","999"\n')
    with pytest.raises(SchoolsFileError, match=r"line 3: record has 2 fields but the header has 14"):
        read_gias(path, la_codes=["999"])


def test_empty_and_unknown_la(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(SchoolsFileError, match="is empty"):
        read_gias(empty)
    path = write_gias(tmp_path / "g.csv", [school_row(1, 400000, 100000)])
    with pytest.raises(EmptySelectionError, match=r"no school has LA code 850.*codes in this file include 999"):
        read_gias(path, la_codes=["850"])


def test_duplicates_and_missing_coordinates_warn_with_urns(tmp_path):
    rows = [
        school_row(1, 400000, 100000),
        school_row(1, 400500, 100000),
        school_row(2, "", ""),
        school_row(3, 401000, 100000),
    ]
    path = write_gias(tmp_path / "g.csv", rows)
    with pytest.warns(DataWarning) as record:
        load = read_gias(path, la_codes=["999"])
    text = " ".join(str(w.message) for w in record)
    assert "duplicate URN (first record kept): URN 1" in text
    assert "without coordinates (blank Easting/Northing): URN 2" in text
    assert sorted(load.schools["URN"]) == [1, 3]
    assert load.schools.set_index("URN").at[1, "geometry"].x == 400000


def test_imputation_rule(tmp_path):
    rows = [
        school_row(1, 400000, 100000, SchoolCapacity=100, NumberOfPupils=80),
        school_row(2, 401000, 100000, SchoolCapacity=200, NumberOfPupils=180),
        school_row(3, 402000, 100000, SchoolCapacity=300, NumberOfPupils=""),
        school_row(4, 403000, 100000, SchoolCapacity="", NumberOfPupils=""),
    ]
    path = write_gias(tmp_path / "g.csv", rows)
    with pytest.warns(DataWarning, match="imputed pupil numbers for 2 school"):
        load = read_gias(path, la_codes=["999"])
    pupils = load.schools.set_index("URN")["pupils"]
    # median ratio of primary schools = median(0.8, 0.9) = 0.85 -> 300 * 0.85 = 255
    assert pupils[3] == 255
    # no capacity: median pupils of primary schools with figures = 130
    assert pupils[4] == 130
    assert load.imputed == [3, 4]


def test_place_date_and_group_columns_loaded(shared):
    """Locality, ward, data date and federations come through for naming, the pack and locks."""
    from partition.io.schools import read_gias

    full = read_gias(shared / "schools" / "gias_20220420_primary_hampshire_850.csv").schools
    assert str(full["last_changed"].max().date()) == "2022-04-20"  # DD-MM-YYYY in DfE downloads
    assert (full["federation"] != "").sum() == 60  # the 60 federated primaries
    assert not full["federation"].str.casefold().eq("not applicable").any()
    extract = read_gias(shared / "schools" / "gias_2022_hampshire_850_open_primary_secondary.csv").schools
    assert str(extract["last_changed"].max().date()) == "2022-07-06"  # ISO dates in the extract
    assert (extract["locality"] != "").sum() > 200 and (extract["ward"] != "").all()
