"""One CSV reader and one value rule set for every table: real Hampshire rows rewritten the ways users save them."""

from __future__ import annotations

import csv
import io
import warnings

import pandas as pd
import pytest
from click.testing import CliRunner

from partition.cli import cli
from partition.data.configurations import read_assignment_csv
from partition.errors import InputFileError, PopulationFileError, SchoolsFileError
from partition.io.population import read_child_population
from partition.io.schools import read_gias
from partition.io.tables import detect_separator, parse_table
from partition.io.values import CHILDREN, PUPILS, counts, identifiers, parse_number
from partition.runs.krule import BatchError, read_k_table

HAMPSHIRE = "schools/gias_2022_hampshire_850_open_primary_secondary.csv"
POPULATION = "population/lsoa2001_mye2010_age_imd2010_hampshire.csv"


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return func(*args, **kwargs)


def _records(shared, name=HAMPSHIRE, rows=None):
    """Header and records of a real shared CSV (all records, or the first ``rows``)."""
    text = (shared / name).read_text(encoding="utf-8")
    records = list(csv.reader(io.StringIO(text, newline="")))
    return records[0], records[1 : None if rows is None else rows + 1]


def _write(path, header, records, *, delimiter=",", encoding="utf-8", quoting=csv.QUOTE_ALL):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(records)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _set(header, records, column, value, row=None):
    """A copy of ``records`` with ``column`` set to ``value`` (on one ``row`` or on every row)."""
    i = header.index(column)
    out = [list(r) for r in records]
    for n, record in enumerate(out):
        if row is None or n == row:
            record[i] = value(record[i]) if callable(value) else value
    return out


# ---------------------------------------------------------------- schools


def test_excel_semicolon_windows1252_file_with_thousands_reads_like_the_download(shared, tmp_path):
    """The Hampshire file saved the ways Excel saves it: ';' and Windows-1252, or ',' with 1,234 pupils."""
    header, records = _records(shared)
    original = _quiet(read_gias, shared / HAMPSHIRE)
    name = header.index("EstablishmentName")
    renamed = _set(header, records, "EstablishmentName", lambda n: f"{n} – Café")
    semicolon = _write(tmp_path / "semi.csv", header, renamed, delimiter=";", encoding="cp1252")
    read = _quiet(read_gias, semicolon)
    assert read.encoding == "cp1252"
    expected = original.schools.assign(name=[f"{r[name]} – Café" for r in records])
    pd.testing.assert_frame_equal(read.schools, expected)
    grouped = _set(header, records, "NumberOfPupils", lambda p: f"{int(p):,}" if p else p)
    assert sum("," in r[header.index("NumberOfPupils")] for r in grouped) == 34
    thousands = _quiet(read_gias, _write(tmp_path / "comma.csv", header, grouped))
    pd.testing.assert_frame_equal(thousands.schools, original.schools)
    tabs = _quiet(read_gias, _write(tmp_path / "tab.csv", header, records, delimiter="\t"))
    pd.testing.assert_frame_equal(tabs.schools, original.schools)


def test_thousands_in_a_semicolon_file_are_refused_as_ambiguous(shared, tmp_path):
    header, records = _records(shared, rows=5)
    path = _write(tmp_path / "g.csv", header, _set(header, records, "NumberOfPupils", "1,234", row=2), delimiter=";")
    with pytest.raises(SchoolsFileError) as err:
        read_gias(path)
    assert str(err.value) == (
        f"{path}, line 4, column 'NumberOfPupils': value '1,234' is ambiguous: in a ';'-separated file (saved where "
        "the comma is the decimal mark) it may mean a decimal or a thousands-grouped number. Fix: correct the value, "
        "or leave it blank if it is unknown; write it without thousands separators and with '.' as decimal mark "
        "(e.g. 1234 or 1234.5)"
    )


def test_la_code_with_a_leading_zero_selects_the_same_schools_and_is_noted(shared, tmp_path):
    header, records = _records(shared)
    original = _quiet(read_gias, shared / HAMPSHIRE)
    mixed = _set(header, records[:474], "LA (code)", "0850") + records[474:]
    path = _write(tmp_path / "g.csv", header, mixed)
    for option in ("850", "0850"):
        load = _quiet(read_gias, path, la_codes=[option])
        assert len(load.schools) == 494
        pd.testing.assert_frame_equal(load.schools, original.schools)
        assert load.notes == [
            "g.csv: LA (code) written with leading zeros on 474 record(s) (e.g. '0850' on line 2), read as 850"
        ]
    assert len(_quiet(read_gias, shared / HAMPSHIRE, la_codes=["0850"]).schools) == 494


def test_la_filter_says_how_many_records_it_left_out_and_why(shared, tmp_path):
    header, records = _records(shared)
    path = _write(tmp_path / "g.csv", header, _set(header, records[:20], "LA (code)", "851") + records[20:])
    load = _quiet(read_gias, path, la_codes=["850"])
    assert len(load.schools) == 474
    assert load.notes == [
        "g.csv: LA filter 850 kept 474 of 494 records; the other 20 belong to 1 other LA code(s) and are not part of "
        "the study"
    ]
    assert _quiet(read_gias, shared / HAMPSHIRE).notes == []  # the default file: nothing left out, nothing said


def test_cli_accepts_an_la_code_with_a_leading_zero(shared):
    result = CliRunner().invoke(cli, ["data", "summary", "--la", "0850", "--json"])
    assert result.exit_code == 0, result.output
    assert '"schools": 494' in result.stdout


@pytest.mark.parametrize(
    ("urn", "message"),
    [
        (
            "115855.7",
            "URN '115855.7' is not a whole number written in digits (an identifier is never rounded or truncated)",
        ),
        ("1e5", "URN '1e5' is not a whole number written in digits (an identifier is never rounded or truncated)"),
        ("12345678901234567890123", "URN '12345678901234567890123' has 23 digits; a URN has at most 8"),
        ("", "URN is blank"),
    ],
)
def test_a_urn_that_is_not_a_whole_number_is_refused_never_truncated(shared, tmp_path, urn, message):
    header, records = _records(shared, rows=4)
    path = _write(tmp_path / "g.csv", header, _set(header, records, "URN", urn, row=1))
    with pytest.raises(SchoolsFileError) as err:
        read_gias(path)
    assert str(err.value) == (
        f"{path}, line 3, column 'URN': {message}. Fix: correct the URN (a whole number of at most 8 digits)"
    )


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("NumberOfPupils", "1e300", "is more than 10,000, the most pupils a school is taken to have"),
        ("SchoolCapacity", "25000", "is more than 10,000, the most places a school is taken to have"),
        ("Easting", "-1.3", "is outside 0 to 700,000 (eastings)"),
        ("Northing", "1e7", "is outside 0 to 1,300,000 (northings)"),
        ("LA (code)", "85O", None),
    ],
)
def test_values_out_of_their_range_are_refused_naming_file_line_column(shared, tmp_path, column, value, message):
    header, records = _records(shared, rows=4)
    path = _write(tmp_path / "g.csv", header, _set(header, records, column, value, row=2))
    with pytest.raises(SchoolsFileError) as err:
        read_gias(path)
    text = f"value {value!r} {message}" if message else "LA code '85O' is not a DfE LA code"
    assert str(err.value).startswith(f"{path}, line 4, column '{column}': {text}. Fix: ")


def test_footer_and_repeated_header_rows_are_refused_with_their_own_fix(shared, tmp_path):
    header, records = _records(shared, rows=4)
    footer = ["Total", *[""] * (len(header) - 2), "1234"]
    path = _write(tmp_path / "g.csv", header, [*records, footer])
    with pytest.raises(SchoolsFileError) as err:
        read_gias(path)
    assert str(err.value) == (
        f"{path}, line 6: looks like a footer or total row ('Total'), not a record. Fix: delete the total, source "
        "and note lines below the data (totals are computed from the rows)"
    )
    path = _write(tmp_path / "g.csv", header, [*records[:2], header, *records[2:]])
    with pytest.raises(SchoolsFileError) as err:
        read_gias(path)
    assert str(err.value) == (
        f"{path}, line 4: repeats the header row (two files pasted together?). Fix: delete this line, and check the "
        "rows below it are not a second copy of the data"
    )


def test_unquoted_thousands_shifting_the_fields_is_refused_not_trimmed(shared, tmp_path):
    """GIAS's extra trailing fields are accepted only after its last column 'Linked establishments'."""
    header, records = _records(shared, rows=3)
    path = _write(tmp_path / "g.csv", header, records)
    shifted = ",".join(_set(header, records, "NumberOfPupils", "1,234", row=1)[1])
    path.write_text(path.read_text() + shifted + "\r\n")
    with pytest.raises(SchoolsFileError) as err:
        read_gias(path)
    assert str(err.value) == (
        f"{path}, line 5: record has 43 fields but the header has 42. Fix: quote values that contain the "
        "separator, or delete the extra fields"
    )


def test_semicolon_file_without_gias_columns_names_the_separator(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("URN;Name\n1;A\n")
    with pytest.raises(
        SchoolsFileError, match=r"missing: 'EstablishmentName', 'LA \(code\)'.*\(header read as semicolon-separated\)\."
    ):
        read_gias(path)


# ---------------------------------------------------------------- edited plans and k tables


def test_edited_plan_saved_by_excel_in_windows1252_reads(tmp_path):
    path = tmp_path / "edited.csv"
    path.write_bytes(
        "URN;partnership;note\r\n115850;Alton & Whitehill;moved, by hand\r\n115851;Test Vallée;\r\n".encode("cp1252")
    )
    labels = read_assignment_csv(path)
    assert labels.to_dict() == {115850: "Alton & Whitehill", 115851: "Test Vallée"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "URN,partnership\n115850,A\n\n115855.7,B\n",
            "line 4, column 'URN': URN '115855.7' is not a whole number written in digits",
        ),
        ("URN,partnership\n115850,A\nURN,partnership\n115851,B\n", "line 3: repeats the header row"),
        ("URN,partnership\n115850,A\nTotal,2\n", "line 3: looks like a footer or total row ('Total')"),
        ("URN,partnership,note\n115850,A,moved, by hand\n", "line 2: record has 4 fields but the header has 3"),
    ],
)
def test_edited_plan_refusals_name_the_line(tmp_path, text, message):
    path = tmp_path / "edited.csv"
    path.write_text(text)
    with pytest.raises(InputFileError) as err:
        read_assignment_csv(path)
    assert str(err.value).startswith(f"{path}, {message}")


def test_k_table_in_windows1252_and_tabs_reads(tmp_path):
    path = tmp_path / "k.csv"
    path.write_bytes("la\tk\tnote\r\n0850\t23\tHampshire – default\r\n857\t2\t\r\n".encode("cp1252"))
    assert read_k_table(path) == {"850": (23,), "857": (2,)}
    path.write_bytes(b"la,k\r\n850,2\r\nLA,K\r\n")
    with pytest.raises(BatchError, match=r"k\.csv, line 3: repeats the header row"):
        read_k_table(path)


# ---------------------------------------------------------------- population tables


def _population(shared, tmp_path, change=None, *, delimiter=",", encoding="utf-8"):
    header, records = _records(shared, POPULATION, rows=4)
    if change:
        records = _set(header, records, *change, row=1)
    return _write(tmp_path / "pop.csv", header, records, delimiter=delimiter, encoding=encoding)


def test_population_reads_the_same_from_any_separator_and_thousands(shared, tmp_path):
    plain = read_child_population(_population(shared, tmp_path))
    assert plain.to_dict() == {"E01023259": 352.0, "E01023260": 384.0, "E01023261": 390.0, "E01023262": 293.0}
    assert read_child_population(_population(shared, tmp_path, delimiter=";", encoding="cp1252")).equals(plain)
    grouped = read_child_population(_population(shared, tmp_path, ("Aged0", "1,013")))
    assert grouped["E01023260"] == plain["E01023260"] - 19 + 1013  # Aged0 of E01023260 is 19


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-4", "value '-4' is negative"),
        ("inf", "value 'inf' is not a finite number"),
        ("1e300", "value '1e300' is more than 1,000,000, more children than any English local authority has"),
        ("", "Aged7 is blank"),
        ("n/a", "value 'n/a' is not a number"),
    ],
)
def test_population_values_are_checked_by_the_count_rule(shared, tmp_path, value, message):
    path = _population(shared, tmp_path, ("Aged7", value))
    with pytest.raises(PopulationFileError) as err:
        read_child_population(path)
    assert str(err.value) == (
        f"{path}, line 3, column 'Aged7': {message}. Fix: correct the value (the number of children living in the area)"
    )


def test_population_bad_bytes_are_refused_naming_the_line_not_replaced(shared, tmp_path):
    path = _population(shared, tmp_path)
    lines = path.read_bytes().split(b"\r\n")
    lines[3] = lines[3].replace(b"Winchester", b"Winch\x81ster")
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(PopulationFileError, match=r"pop\.csv, line 4: is neither UTF-8 nor Windows-1252 text"):
        read_child_population(path)


def test_population_without_a_code_column_names_the_real_fix(shared, tmp_path):
    path = _population(shared, tmp_path)
    path.write_bytes(path.read_bytes().replace(b'"LSOA_CODE"', b'"AREA"', 1))
    with pytest.raises(PopulationFileError) as err:
        read_child_population(path)
    assert str(err.value) == (
        f"{path}, column 'LSOA_CODE': has no area code column. Fix: name the column of area codes LSOA_CODE or "
        "LSOA11CD or LSOA21CD or code in the header row"
    )
    assert "--population-code" not in str(err.value)


# ---------------------------------------------------------------- the rules themselves


@pytest.mark.parametrize(
    ("text", "separator", "value", "problem"),
    [
        ("1,234", ",", 1234.0, None),
        ("1,234,567.5", "\t", 1234567.5, None),
        ("12,34", ",", None, "is not a number (a comma may only group thousands, as in 1,234)"),
        ("1.234", ";", None, "is ambiguous"),
        ("1_000", ",", None, "is not a number"),
        ("1e400", ",", None, "is not a finite number"),
        ("-Infinity", ",", None, "is not a finite number"),
        ("NaN", ",", None, "is not a number"),
        ("٣", ",", None, "is not a number"),
    ],
)
def test_parse_number(text, separator, value, problem):
    got, said = parse_number(text, separator)
    assert got == value
    assert (said or "").startswith(problem or "")


def test_separator_is_detected_from_the_header_only():
    assert detect_separator("URN,partnership,note") == ","
    assert detect_separator("URN;partnership;note;moved") == ";"
    assert detect_separator("la\tk") == "\t"
    assert detect_separator('"a;b",c') == ","  # a quoted semicolon does not count
    assert detect_separator("URN") == ","


def test_rules_on_a_parsed_table(tmp_path):
    table = parse_table(tmp_path / "t.csv", b"URN,pupils\n0115850,\n115851,10000\n", kind="test")
    assert identifiers(table, "URN").tolist() == [115850, 115851]
    assert counts(table, "pupils", PUPILS).fillna(-1).tolist() == [-1.0, 10000.0]
    with pytest.raises(InputFileError, match=r"line 2, column 'pupils': pupils is blank"):
        counts(table, "pupils", CHILDREN)
