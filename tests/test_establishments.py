"""Colleges, special schools and PRUs located by postcode: Code-Point Open, the DfE spine, council lists."""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pandas as pd
import pytest

from partition.errors import InputFileError, SchoolsFileError
from partition.io.codepoint import normalise_postcode, read_codepoint
from partition.io.establishments import (
    SPINE_TYPES,
    read_establishment_list,
    read_ks5,
    read_spine,
    spine_records,
)
from partition.io.schools import KINDS, classify_kind, read_gias
from partition.io.tables import read_table

SPINE = "schools/source/dfe_spine_2017-18/2017-2018_england_spine.xlsx"
CODEPOINT = "boundaries/codepoint_open_2025.4"
REFERENCE = "schools/spine2017-18_la850_851_852_codepoint2025.csv"
KS5 = "schools/source/dfe_ks5final/2023-2024_england_ks5final.csv.gz"
UNMATCHED = [116567, 116582, 140182]


@pytest.fixture(scope="session")
def spine_bytes(shared):
    return (shared / SPINE).read_bytes()


@pytest.fixture(scope="session")
def all_records(shared, spine_bytes):
    """Every spine row classified (the 3.6 MB workbook read once per session)."""
    return spine_records(shared / SPINE, data=spine_bytes)


@pytest.fixture(scope="session")
def hants_codepoint(shared, all_records):
    rows = all_records[all_records["la_code"].isin(["850", "851", "852"])]
    return read_codepoint(shared / CODEPOINT, postcodes=rows["postcode_text"])


@pytest.fixture(scope="session")
def hants_all(shared, spine_bytes, all_records, hants_codepoint):
    return read_spine(
        shared / SPINE, data=spine_bytes, codepoint=hants_codepoint, la_codes=["850", "851", "852"], status="all"
    )


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("so14 0aa", "SO14 0AA"),
        ("SO140AA", "SO14 0AA"),
        (" SO14  0AA ", "SO14 0AA"),
        ("ec1a1bb", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("SO14 0A", None),
        ("SO14", None),
        ("", None),
        ("14 0AA", None),
    ],
)
def test_normalise_postcode(typed, normal):
    assert normalise_postcode(typed) == normal


def test_codepoint_reads_only_the_areas_asked_for(shared):
    cp = read_codepoint(shared / CODEPOINT, postcodes=["so14 0aa", "ZE1 0AA"])
    assert cp.areas == ("SO",)
    assert cp.missing_areas == ("ZE",)
    assert len(cp.points) == 18_593
    assert cp.locate("SO14 0AA") == (442294.0, 112126.0, 10)
    assert cp.points.loc["SO14 0AA", "district_code"] == "E06000045"
    assert cp.locate("SO14 9ZZ") is None


def test_codepoint_single_csv_without_header(shared, tmp_path):
    lines = (shared / CODEPOINT / "Data/CSV/sp.csv").read_bytes().splitlines(keepends=True)[:3]
    one = tmp_path / "sp.csv"
    one.write_bytes(b"".join(lines))
    cp = read_codepoint(one)
    assert cp.areas is None
    assert len(cp.points) == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(lines[0] + lines[1].replace(b'"SP', b'"S?', 1))
    with pytest.raises(InputFileError, match=r"bad.csv, line 2, column 'Postcode': 'S\?1 1AF' is not a postcode"):
        read_codepoint(bad)


def test_read_table_header_less_option_and_ragged_rows(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("1,2\n3,4\n")
    table = read_table(path, kind="test", columns=("a", "b"))
    assert table.frame.to_dict("list") == {"a": ["1", "3"], "b": ["2", "4"]}
    assert table.lines.tolist() == [1, 2]
    ragged = tmp_path / "r.csv"
    ragged.write_text("a,b,c\n1,2\n3\n")
    with pytest.raises(InputFileError, match=r"r.csv, line 3: record has 1 fields but the header has 3"):
        read_table(ragged, kind="test", fields_through="b")
    ragged.write_text("a,b,c\n1,2\n3,4,5\n")
    assert read_table(ragged, kind="test", fields_through="b").frame["c"].tolist() == ["", "5"]


def test_spine_850_851_852_all_located_or_reported(shared, hants_all):
    load = hants_all
    assert len(load.input_urns) == 771
    assert len(load.establishments) == 768
    assert load.excluded["URN"].tolist() == UNMATCHED
    assert set(load.excluded["reason"]) == {"postcode not in Code-Point Open"}
    assert load.unlocated["name"].tolist() == ["St Mary's Independent School", "St John's College", "Oakmoor School"]
    assert load.unlocated["postcode"].tolist() == ["SO18 4DJ", "PO5 3QW", "GU35 0ER"]
    assert load.unlocated["line"].tolist() == [8896, 8905, 19990]
    assert "check the postcode of Oakmoor School (2017-2018_england_spine.xlsx line 19990)" in load.excluded["fix"][2]
    assert sorted(load.input_urns) == sorted([*load.establishments["URN"], *load.excluded["URN"]])
    reference = pd.read_csv(shared / REFERENCE, dtype=str, keep_default_na=False)
    located = reference[reference["Eastings"] != ""]
    located = located.set_index(located["URN"].astype(int))
    assert sorted(located.index) == sorted(load.establishments["URN"])
    mine = load.establishments.set_index("URN").loc[located.index]
    assert np.array_equal(mine.geometry.x.to_numpy(), located["Eastings"].astype(float).to_numpy())
    assert np.array_equal(mine.geometry.y.to_numpy(), located["Northings"].astype(float).to_numpy())
    assert mine["quality"].tolist() == located["Positional_quality_indicator"].astype(int).tolist()
    assert mine["gias_district_code"].tolist() == located["Admin_district_code"].tolist()


def test_spine_open_filter_reports_closed(shared, spine_bytes, hants_codepoint):
    load = read_spine(shared / SPINE, data=spine_bytes, codepoint=hants_codepoint, la_codes=["850"])
    closed = load.excluded[load.excluded["reason"] == "not open (status filter)"]
    assert len(load.input_urns) == 600
    assert len(load.establishments) + len(load.excluded) == 600
    assert 130700 in set(closed["URN"])  # Queen Mary's College, ICLOSE 2
    assert set(load.establishments["status"]) == {"Open"}


def test_every_spine_nftype_classified(all_records):
    kinds = all_records.groupby("source_type")["kind"].agg(lambda k: sorted(set(k)))
    assert set(kinds.index.map(lambda t: " ".join(t.split()).casefold())) == set(SPINE_TYPES)
    assert not all_records["kind"].eq("other").any()
    by_type = kinds.to_dict()
    assert by_type["General further education college"] == ["college"]
    assert by_type["Academy 16-19 converter"] == ["college"]
    assert by_type["Free school  16-19"] == ["college"]
    assert by_type["Other independent special school"] == ["special"]
    assert by_type["Academy - Converter special school"] == ["special"]
    assert by_type["Community school"] == ["all-through", "college", "middle", "primary", "secondary"]
    sixth_forms = all_records[(all_records["source_type"] == "Community school") & (all_records["kind"] == "college")]
    assert sixth_forms["URN"].tolist() == [114310, 133545, 135000]  # maintained 16-19 sixth forms (AGEL 16)
    assert set(all_records["kind"]) <= set(KINDS)


@pytest.mark.parametrize(
    ("type_name", "phase", "kind"),
    [
        ("Further education", "16 plus", "college"),
        ("Further education", "Not applicable", "college"),
        ("Sixth form centres", "16 plus", "college"),
        ("Academy 16-19 converter", "16 plus", "college"),
        ("Academy 16 to 19 sponsor led", "16 plus", "college"),
        ("Free schools 16 to 19", "16 plus", "college"),
        ("Community special school", "Not applicable", "special"),
        ("Foundation special school", "Not applicable", "special"),
        ("Non-maintained special school", "Not applicable", "special"),
        ("Academy special converter", "Not applicable", "special"),
        ("Academy special sponsor led", "Not applicable", "special"),
        ("Free schools special", "Not applicable", "special"),
        ("Other independent special school", "Not applicable", "special"),
        ("Special post 16 institution", "16 plus", "special"),
        ("Pupil referral unit", "Not applicable", "pru"),
        ("Academy alternative provision converter", "Not applicable", "pru"),
        ("Academy alternative provision sponsor led", "Not applicable", "pru"),
        ("Free schools alternative provision", "Not applicable", "pru"),
        ("Local authority nursery school", "Nursery", "other"),
        ("Academy secure 16 to 19", "Secondary", "other"),
        ("Higher education institutions", "Not applicable", "other"),
        ("Community school", "Primary", "primary"),
        ("Academy converter", "Secondary", "secondary"),
        ("Other independent school", "All-through", "all-through"),
        ("Institution funded by other government department", "16 plus", "college"),
        ("Service children's education", "Primary", "primary"),
    ],
)
def test_every_gias_type_is_a_kind(type_name, phase, kind):
    assert classify_kind(phase, type_name) == kind


def _gias_row(row: pd.Series) -> dict[str, object]:
    """A GIAS-shaped record of an establishment the spine route placed (its own type, phase and point)."""
    return {
        "URN": row["URN"],
        "LA (code)": row["la_code"],
        "EstablishmentName": row["name"],
        "TypeOfEstablishment (name)": row["type"],
        "EstablishmentStatus (name)": row["status"],
        "PhaseOfEducation (name)": row["phase"],
        "NumberOfPupils": "" if pd.isna(row["pupils"]) else int(row["pupils"]),
        "Easting": int(row.geometry.x),
        "Northing": int(row.geometry.y),
        "Postcode": row["postcode"],
        "Town": row["town"],
    }


def test_gias_file_built_from_spine_loads_the_same(shared, spine_bytes, hants_codepoint, tmp_path):
    ks5 = read_ks5(shared / KS5)
    load = read_spine(shared / SPINE, data=spine_bytes, codepoint=hants_codepoint, la_codes=["850"], ks5=ks5)
    placed = load.establishments
    columns = list(_gias_row(placed.iloc[0]))
    path = tmp_path / "edubasealldata.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(_gias_row(r) for _, r in placed.iterrows())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gias = read_gias(path, la_codes=["850"], kinds=KINDS)
    assert gias.excluded.empty
    left = placed[["URN", "kind"]].assign(x=placed.geometry.x, y=placed.geometry.y).sort_values("URN")
    right = gias.schools[["URN", "kind"]].assign(x=gias.schools.geometry.x, y=gias.schools.geometry.y)
    pd.testing.assert_frame_equal(left.reset_index(drop=True), right.sort_values("URN").reset_index(drop=True))
    assert list(gias.schools.columns) == [c for c in placed.columns if c in gias.schools.columns]
    colleges = placed[placed["kind"] == "college"].set_index("URN")["pupils"]
    assert colleges[130701] == 4935  # Barton Peveril, KS5 2023/24 TPUP1618
    assert pd.isna(colleges[130692])  # Eastleigh College: no 2023/24 row, left blank (not imputed)
    assert 130692 in load.no_pupils


def _council_list(shared, all_records, path, encoding: str, extra: list[list[str]] | None = None) -> None:
    """A council's list of Portsmouth's (851) open special schools and colleges, from the spine's real rows."""
    rows = all_records[
        (all_records["la_code"] == "851")
        & all_records["kind"].isin(["special", "college"])
        & all_records["status"].eq("Open")
    ]
    with path.open("w", newline="", encoding=encoding) as fh:
        writer = csv.writer(fh)
        writer.writerow(["ID", "Name", "Type", "Postcode"])
        for _, r in rows.iterrows():
            writer.writerow(
                [r["URN"], r["name"], r["source_type"].upper(), r["postcode_text"].replace(" ", "").lower()]
            )
        writer.writerows(extra or [])


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"])
def test_council_list_located(shared, all_records, hants_codepoint, tmp_path, encoding):
    path = tmp_path / "list.csv"
    unmatched = ["999001", "Café Hill Education Centre", "Pupil referral unit", "PO1 0ZZ"]
    _council_list(shared, all_records, path, encoding, [unmatched])
    assert hants_codepoint.locate("PO1 0ZZ") is None
    load = read_establishment_list(path, codepoint=hants_codepoint, la_code="851")
    spine = all_records[all_records["URN"].isin(load.establishments["URN"])].set_index("URN")
    placed = load.establishments.set_index("URN")
    assert len(placed) == len(load.input_urns) - 1 > 5
    assert placed["kind"].to_dict() == spine["kind"].loc[placed.index].to_dict()
    assert set(placed["la_code"]) == {"851"}
    assert load.excluded[["URN", "name", "postcode", "line"]].values.tolist() == [
        [999001, "Café Hill Education Centre", "PO1 0ZZ", len(load.input_urns) + 1]
    ]
    assert load.excluded["kind"].tolist() == ["pru"]
    assert "Café Hill Education Centre" in load.excluded["fix"][0]


def test_council_list_refuses_bad_rows(shared, all_records, hants_codepoint, tmp_path):
    path = tmp_path / "list.csv"
    _council_list(shared, all_records, path, "utf-8", [["999002", "New Hill School", "Community school", "PO1 2AA"]])
    with pytest.raises(SchoolsFileError, match=r"column 'Type': type 'Community school' does not say which kind"):
        read_establishment_list(path, codepoint=hants_codepoint)
    _council_list(shared, all_records, path, "utf-8", [["999003", "New Hill School", "special", "PO1 2A"]])
    with pytest.raises(SchoolsFileError, match=r"line \d+, column 'postcode': 'PO1 2A' \(New Hill School\) is not a"):
        read_establishment_list(path, codepoint=hants_codepoint)
