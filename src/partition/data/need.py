"""Local need: the children and families each partnership serves.

Three measures, each dated by its source, are attached to the planning units (whatever they are: the
default Voronoi cells of school sites, wards, LSOAs) so that every plan can give them per partnership and a
spec can bound them like pupils (:class:`partition.model.spec.SizeBound`):

``fsm``
    Pupils eligible for free school meals at the unit's schools: each school's GIAS ``PercentageFSM`` times
    its ``NumberOfPupils``, rounded (schools without a published share count 0 and are listed).
``population``
    Children aged 0-19 living in the unit: ONS mid-year estimates per area (the shared file: mid-2010,
    2001 LSOAs), moved onto the units by areal interpolation.
``low_income``
    Children aged 0-19 living in relative low-income families (DWP/HMRC, Stat-Xplore; the shared file:
    2022/23 per 2021 MSOA, from the Hampshire JSNA), moved onto the units the same way.

Areal interpolation is PySAL's :func:`tobler.area_weighted.area_interpolate` with the counts *extensive*:
an area's children are shared among the units it overlaps in proportion to the overlap's area (children
are taken to be spread evenly within an LSOA or MSOA; LSOAs hold about 1,500 people, so a unit's error is a
share of one or two small areas at its edge). An area mostly inside the study area is taken to lie wholly
in it (:data:`MOSTLY_INSIDE`: the rest is sea or the slack between generalised boundary files); an area
mostly outside gives only the share of its area inside. The units tile the study area, so the units'
figures sum to the children of the study area; what the areas hold outside it (neighbouring LAs) and the
study area no area covers are reported in :class:`Interpolated`.

A table is refused, naming its line, when a figure is negative or not a number, an area code is blank,
repeated, or matches no area of its boundary file.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from partition.errors import PopulationFileError
from partition.io import values
from partition.io.boundaries import read_polygons
from partition.io.population import read_child_population
from partition.io.snapshot import InputFile
from partition.io.tables import Table, read_table

NEED_MEASURES = ("fsm", "population", "low_income")
"""The unit columns this module fills (see the module docstring)."""

LOW_INCOME_INDICATOR = "Children in low income families (2022/23)"
"""The row of the Hampshire JSNA MSOA summary (long format) read as children in low-income families."""

MOSTLY_INSIDE = 0.5
"""An area with at least this share of its area inside the study area is taken to lie wholly in it: the
rest is the sea or the slack between two generalised boundary files (LSOAs are drawn to mean low water,
districts to the coast; without this, Hampshire's coastal towns lose 3 % of their children to the sea).
Its figure is shared among the units it overlaps in proportion to the overlaps. An area mostly outside
(a neighbouring LA's) gives the units only the share of its area that lies in them."""

LOW_INCOME = values.CountRule(
    "children in low-income families",
    1_000_000,
    "more children than any English local authority has",
    whole=False,
    fix="correct the value (the number of children in low-income families in the area)",
)


@dataclass(frozen=True)
class NeedSource:
    """Where an area-based measure comes from.

    Attributes
    ----------
    measure
        The unit column it fills (``"population"`` or ``"low_income"``).
    what
        What is counted, in words (``"children aged 0-19"``).
    source
        The publisher and dataset, in words.
    date
        The date the figures describe (``"mid-2010"``, ``"2022/23"``).
    areas
        The geography the figures come in (``"2001 LSOAs"``).
    """

    measure: str
    what: str
    source: str
    date: str
    areas: str


CHILDREN_2010 = NeedSource(
    "population", "children aged 0-19", "ONS mid-year population estimates", "mid-2010", "2001 LSOAs"
)
LOW_INCOME_2023 = NeedSource(
    "low_income",
    "children (0-19) in relative low-income families",
    "DWP/HMRC Children in low income families (Stat-Xplore), Hampshire JSNA",
    "2022/23",
    "2021 MSOAs",
)


def own_source(default: NeedSource, file_name: str) -> NeedSource:
    """The source of a table a council gives instead of the default: the same measure, named by its file."""
    return NeedSource(default.measure, default.what, f"the table {file_name}", "date not stated", "its areas")


@dataclass(frozen=True)
class AreaFigures:
    """An area-based count with its areas: ``code``, ``value`` (float, ≥ 0) and polygons (EPSG:27700)."""

    source: NeedSource
    areas: gpd.GeoDataFrame
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Interpolated:
    """A measure moved onto the units, and how its totals reconcile.

    Attributes
    ----------
    source
        Where the figures come from.
    by_unit
        The measure per unit (float, shape ``(n_units,)``), in the units' order.
    in_file
        The total of the file's areas that overlap the study area (count).
    study_total
        The units' total (``by_unit.sum()``): the study area's share of those areas.
    outside
        ``in_file - study_total``: what those areas hold outside the study area (neighbouring LAs, sea).
    uncovered_share
        Share (0-1) of the study area's land that no area of the file covers; its children are missing.
    """

    source: NeedSource
    by_unit: np.ndarray
    in_file: float
    study_total: float
    outside: float
    uncovered_share: float

    def as_dict(self) -> dict[str, object]:
        """The reconciliation for ``plan.json`` and the manifest (counts rounded to whole children)."""
        return {
            "measure": self.source.measure,
            "what": self.source.what,
            "source": self.source.source,
            "date": self.source.date,
            "areas": self.source.areas,
            "areas_total": round(self.in_file),
            "study_area_total": round(self.study_total),
            "outside_study_area": round(self.outside),
            "study_area_uncovered_pct": round(100 * self.uncovered_share, 1),
        }


def read_children(table: str | Path | InputFile, boundaries: str | Path | InputFile) -> AreaFigures:
    """Children aged 0-19 per area (ONS ``Aged0`` ... ``Aged19``) with the areas' polygons.

    Parameters
    ----------
    table
        A population CSV (see :func:`partition.io.population.read_child_population`), e.g. the shared
        ``population/lsoa2001_mye2010_age_imd2010_hampshire.csv``.
    boundaries
        The areas' polygons, code field detected (``LOWERSOA`` in the shared 2001 LSOA TopoJSON).

    Returns
    -------
    AreaFigures
        One row per code of the table.

    Raises
    ------
    PopulationFileError
        As :func:`read_child_population`, and when a code of the table is no area of ``boundaries``.
    BoundaryFileError
        When the boundary file cannot be read.
    """
    path, data = _path_data(table)
    children = read_child_population(path, data=data)
    areas = _read_areas(boundaries, code_field="LOWERSOA")
    return AreaFigures(CHILDREN_2010, _joined(children, areas, path, children.index.name or "code"))


def read_low_income(table: str | Path | InputFile, boundaries: str | Path | InputFile) -> AreaFigures:
    """Children in low-income families per MSOA from the JSNA summary (long format) with the MSOA polygons.

    Parameters
    ----------
    table
        ``population/msoa2021_hampshire_indicators.csv``: columns ``MSOACD21`` (code, trailing space
        stripped), ``Indicator``, ``Value``; the rows of :data:`LOW_INCOME_INDICATOR` are read. Or any CSV
        with the columns ``code`` (area codes) and ``value`` (children in low-income families).
    boundaries
        The areas' polygons (``MSOA21CD`` when present, else the code field detected); areas the table does
        not list (the shared file holds 12 MSOAs outside Hampshire) are left out and counted in a note.

    Returns
    -------
    AreaFigures

    Raises
    ------
    PopulationFileError
        When a column or the indicator is missing, a value is blank, negative or not a number, a code is
        blank or repeated for the indicator, or matches no MSOA of ``boundaries`` (naming the line).
    """
    path, data = _path_data(table)
    read = read_table(path, data, kind="population", error=PopulationFileError)
    picked, code_column, value_column = _low_income_rows(read)
    counts = values.counts(picked, value_column, LOW_INCOME)
    codes = picked.frame[code_column].str.strip()
    _refuse_bad_codes(picked, codes, code_column)
    figures = pd.Series(counts.to_numpy(), index=pd.Index(codes.to_numpy(), name=code_column), name="value")
    areas = _read_areas(boundaries, code_field="MSOA21CD")
    listed = areas["code"].isin(figures.index)
    notes = ()
    if not listed.all():
        notes = (
            f"{_path_data(boundaries)[0].name}: {int((~listed).sum())} area(s) not in {read.path.name} left out "
            f"({', '.join(areas.loc[~listed, 'code'].head(6))}{' ...' if (~listed).sum() > 6 else ''})",
        )
    joined = _joined(figures, areas[listed], read.path, code_column, lines=picked.lines)
    return AreaFigures(LOW_INCOME_2023, joined, notes)


def _low_income_rows(read: Table) -> tuple[Table, str, str]:
    """The rows of children in low-income families and their code and value columns: the JSNA summary's
    :data:`LOW_INCOME_INDICATOR` rows (``MSOACD21``, ``Value``), or every row of a plain ``code``, ``value`` table.

    Raises
    ------
    PopulationFileError
        When the table is neither, or the JSNA summary lacks the indicator.
    """
    if {"code", "value"} <= set(read.frame.columns):
        return read, "code", "value"
    missing = [c for c in ("MSOACD21", "Indicator", "Value") if c not in read.frame]
    if missing:
        raise PopulationFileError(
            read.path,
            "has neither the columns code and value nor those of the JSNA MSOA summary (MSOACD21, Indicator, Value)",
            column=missing[0],
            fix="give a CSV with a column code (area codes) and a column value (children in low-income families)",
        )
    rows = (read.frame["Indicator"].str.strip() == LOW_INCOME_INDICATOR).to_numpy()
    if not rows.any():
        raise PopulationFileError(
            read.path,
            f"has no rows of the indicator {LOW_INCOME_INDICATOR!r}",
            column="Indicator",
            fix="use the JSNA MSOA summary CSV, which lists it for every MSOA",
        )
    picked = replace(read, frame=read.frame[rows].reset_index(drop=True), lines=np.asarray(read.lines)[rows])
    return picked, "MSOACD21", "Value"


def _refuse_bad_codes(table: Table, codes: pd.Series, column: str) -> None:
    """Refuse a blank or repeated area code, naming its line(s)."""
    blank = np.flatnonzero((codes == "").to_numpy())
    if blank.size:
        raise table.refuse(int(blank[0]), column, "area code is blank", "give the area's code")
    repeated = np.flatnonzero(codes.duplicated().to_numpy())
    if repeated.size:
        i = int(repeated[0])
        first = int(np.flatnonzero((codes == codes.iat[i]).to_numpy())[0])
        raise table.refuse(
            i,
            column,
            f"area code {codes.iat[i]!r} is listed again (first on line {int(table.lines[first])})",
            "keep one row per area",
        )


def _path_data(given: str | Path | InputFile) -> tuple[Path, bytes | None]:
    if isinstance(given, InputFile):
        return given.path, given.data
    return Path(given), None


def _read_areas(given: str | Path | InputFile, *, code_field: str) -> gpd.GeoDataFrame:
    """The areas' polygons (EPSG:27700), by ``code_field`` when the file has it, else the code field detected."""
    path, data = _path_data(given)
    polygons = read_polygons(path, data=data)
    if polygons.attrs.get("code_field") != code_field and code_field.casefold() in _fields(path, data):
        polygons = read_polygons(path, data=data, code_field=code_field)
    return polygons


def _fields(path: Path, data: bytes | None) -> set[str]:
    """The file's field names, casefolded (read from its first bytes: enough for GeoJSON and TopoJSON)."""
    head = (data if data is not None else path.read_bytes())[:20000].decode("utf-8", "replace").casefold()
    return {w.strip('"') for w in head.replace(":", " ").replace(",", " ").replace("{", " ").split()}


def _joined(
    figures: pd.Series, areas: gpd.GeoDataFrame, path: Path, column: str, lines: np.ndarray | None = None
) -> gpd.GeoDataFrame:
    """The figures on their areas' polygons; a code of the table that is no area is refused (its line named)."""
    known = figures.index.isin(areas["code"])
    if not known.all():
        i = int(np.flatnonzero(~known)[0])
        line = int(lines[i]) if lines is not None else None
        raise PopulationFileError(
            path,
            f"area code {figures.index[i]!r} is no area of the boundary file ({int((~known).sum())} code(s) match none)",
            row=line,
            column=column,
            fix="use the boundary file of the same areas and year as the table (e.g. 2001 LSOAs for 2001 codes)",
        )
    value = areas["code"].map(figures)
    out = areas.assign(value=value.to_numpy(dtype=float))
    return out[out["value"].notna()].reset_index(drop=True)


def interpolate(figures: AreaFigures, units: gpd.GeoDataFrame) -> Interpolated:
    """Move an area-based count onto the units by area (PySAL tobler, extensive).

    Parameters
    ----------
    figures
        The count per area (:func:`read_children`, :func:`read_low_income`).
    units
        The planning units (polygons, EPSG:27700), which tile the study area.

    Returns
    -------
    Interpolated
        The count per unit and the reconciliation of totals.
    """
    from tobler.area_weighted import area_interpolate

    areas = figures.areas.to_crs(units.crs)
    study = units.geometry.union_all()
    touching = areas[areas.intersects(study)]
    target = gpd.GeoDataFrame(geometry=units.geometry.to_numpy(), crs=units.crs)
    inside_share = touching.geometry.intersection(study).area / touching.geometry.area
    by_unit = np.zeros(len(units))
    for mostly_inside in (True, False):  # an area mostly inside is wholly of the study area (see MOSTLY_INSIDE)
        part = touching[(inside_share >= MOSTLY_INSIDE) == mostly_inside]
        if not part.empty:
            moved = area_interpolate(
                part[["value", "geometry"]], target, extensive_variables=["value"], allocate_total=mostly_inside
            )
            by_unit += np.nan_to_num(moved["value"].to_numpy(dtype=float))
    covered = touching.geometry.union_all().intersection(study).area if not touching.empty else 0.0
    in_file = float(touching["value"].sum())
    return Interpolated(
        figures.source,
        by_unit,
        in_file=in_file,
        study_total=float(by_unit.sum()),
        outside=in_file - float(by_unit.sum()),
        uncovered_share=max(0.0, 1 - covered / study.area) if study.area else 1.0,
    )


def fsm_pupils(schools: pd.DataFrame) -> pd.Series:
    """Pupils eligible for free school meals at each school (nullable int; NA where GIAS has no share).

    Parameters
    ----------
    schools
        ``pupils`` and, optionally, ``fsm_share`` (% of pupils, GIAS ``PercentageFSM``).

    Returns
    -------
    pandas.Series
        ``round(pupils × fsm_share / 100)`` (Int64), on the schools' index.
    """
    share = schools["fsm_share"] if "fsm_share" in schools else pd.Series(np.nan, index=schools.index)
    count = (schools["pupils"].astype(float) * share.astype(float) / 100).round()
    return count.astype("Int64")


def fsm_by_unit(schools: pd.DataFrame, n_units: int) -> np.ndarray:
    """FSM-eligible pupils per unit (schools without a share count 0), shape ``(n_units,)``, int64."""
    count = fsm_pupils(schools).fillna(0).astype("int64")
    summed = count.groupby(schools["unit"].to_numpy()).sum()
    return summed.reindex(range(n_units), fill_value=0).to_numpy(dtype="int64")


def partnership_need(
    schools: pd.DataFrame, school_labels: np.ndarray, units: pd.DataFrame, unit_labels: np.ndarray
) -> pd.DataFrame:
    """Each partnership's need profile.

    Parameters
    ----------
    schools
        The counted schools: ``pupils``, ``fsm_share`` (optional).
    school_labels
        Each school's partnership label, shape ``(n_schools,)``.
    units
        The units, with any of ``population``, ``low_income``.
    unit_labels
        Each unit's partnership label, shape ``(n_units,)``.

    Returns
    -------
    pandas.DataFrame
        Indexed by label: ``fsm`` (pupils eligible for free school meals), ``fsm_pct`` (their % of the pupils
        of the schools with a published share; NaN when none has one) and, when the units carry them,
        ``population`` (children aged 0-19 living there) and ``low_income`` (children in low-income
        families), both rounded to whole children.
    """
    count = fsm_pupils(schools)
    known = count.notna().to_numpy()
    frame = pd.DataFrame(
        {
            "label": np.asarray(school_labels),
            "fsm": count.fillna(0).to_numpy(dtype=float),
            "known_pupils": np.where(known, schools["pupils"].to_numpy(dtype=float), 0.0),
        }
    )
    by = frame.groupby("label").sum()
    out = pd.DataFrame({"fsm": by["fsm"].astype("int64")}, index=by.index)
    out["fsm_pct"] = (100 * by["fsm"] / by["known_pupils"].where(by["known_pupils"] > 0)).round(1)
    known_pupils = float(by["known_pupils"].sum())
    out.attrs["fsm_pct"] = round(100 * float(by["fsm"].sum()) / known_pupils, 1) if known_pupils else None
    for measure in ("population", "low_income"):
        if measure in units:
            summed = pd.Series(units[measure].to_numpy(dtype=float)).groupby(np.asarray(unit_labels)).sum()
            out[measure] = whole_children(summed.reindex(out.index).to_numpy())
    return out


def whole_children(figures: np.ndarray) -> np.ndarray:
    """Round shares of children to whole children that still add up to the rounded total (largest
    remainders), so a table's column sums to the study area's figure.

    Parameters
    ----------
    figures
        Non-negative shares (float), shape ``(n,)``.

    Returns
    -------
    numpy.ndarray
        int64, shape ``(n,)``, summing to ``round(figures.sum())``.
    """
    floor = np.floor(figures)
    short = int(round(float(figures.sum()) - floor.sum()))
    order = np.argsort(-(figures - floor), kind="stable")
    floor[order[:short]] += 1
    return floor.astype("int64")


def need_sources(
    moved: dict[str, Interpolated],
    fsm_total: int,
    fsm_pct: float | None,
    missing: tuple[str, ...] = (),
    without_share: tuple[str, ...] = (),
) -> dict[str, object]:
    """What ``plan.json`` says of the need figures: their sources, dates and how their totals reconcile.

    Parameters
    ----------
    moved
        The area-based measures moved onto the units (:attr:`partition.units.prepare.Inputs.need`).
    fsm_total
        Pupils eligible for free school meals in the study area's counted schools.
    fsm_pct
        Their % of the pupils of the schools with a published share.
    missing
        The area-based measures no table gave for the study area (``"population"``, ``"low_income"``).
    without_share
        The schools without a published share (counted as none), by name.

    Returns
    -------
    dict
        ``fsm`` (source and total), one entry per area-based measure (:meth:`Interpolated.as_dict`) and
        ``missing``: what each measure no table covers counts, in words.
    """
    fsm = {
        "what": "pupils eligible for free school meals",
        "source": "DfE Get Information About Schools: PercentageFSM × NumberOfPupils, per school",
        "total": fsm_total,
        "pct": fsm_pct,
        "without_share": list(without_share),
    }
    words = {"population": CHILDREN_2010.what, "low_income": LOW_INCOME_2023.what}
    return {
        "fsm": fsm,
        **{measure: found.as_dict() for measure, found in moved.items()},
        "missing": [words[m] for m in missing],
    }


def need_records(table: pd.DataFrame, columns: list[str]) -> list[dict[str, object]]:
    """Each partnership's need profile as plain values for ``plan.json``, in order of ``id``.

    Parameters
    ----------
    table
        The partnerships: ``id``, ``name`` and the need ``columns`` (:func:`partnership_need`).
    columns
        The need columns to give.

    Returns
    -------
    list of dict
        ``{"id": "P01", "name": ..., "fsm": 1136, "fsm_pct": 15.3, "population": 19242, ...}``; None where
        a figure is missing.
    """
    out = []
    for row in table.sort_values("id").itertuples(index=False):
        record: dict[str, object] = {"id": str(row.id), "name": str(row.name)}
        for column in columns:
            value = getattr(row, column)
            record[column] = None if pd.isna(value) else (float(value) if column == "fsm_pct" else int(value))
        out.append(record)
    return out
