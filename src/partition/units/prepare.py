"""From files to units and graph in one call: what every command and notebook starts with."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import networkx as nx
import pandas as pd

from partition.data.dataset import Dataset, load_dataset, read_input
from partition.data.members import empty_members, in_units
from partition.data.need import Interpolated, fsm_by_unit, interpolate, own_source, read_children, read_low_income
from partition.errors import BoundaryFileError, PopulationFileError, SpecError
from partition.io import datapaths
from partition.io.boundaries import read_polygon_folder, read_polygons
from partition.io.population import read_child_population
from partition.io.snapshot import InputFile, InputFolder, snapshot_input
from partition.units.build import polygon_units, voronoi_units
from partition.units.graph import build_graph


@dataclass
class Inputs:
    """Everything a plan is built on."""

    dataset: Dataset
    units: gpd.GeoDataFrame
    schools: gpd.GeoDataFrame
    graph: nx.Graph
    members: gpd.GeoDataFrame | None = None
    """Colleges, special schools and PRUs taking part as members (:mod:`partition.data.members`), with their unit;
    when not given, the dataset's members placed in the units."""
    need: dict[str, Interpolated] = field(default_factory=dict)
    """The area-based need measures moved onto the units (:mod:`partition.data.need`), by measure."""

    def __post_init__(self) -> None:
        """Place the dataset's members in the units when they were not given."""
        if self.members is None:
            given = getattr(self.dataset, "members", None)
            self.members = in_units(given, self.units) if given is not None else empty_members()


def prepare(
    schools: str | Path | InputFile | None = None,
    boundaries: str | Path | InputFile | None = None,
    *,
    units: str | Path | InputFile | InputFolder = "sites",
    population: str | Path | InputFile | None = None,
    island_policy: str = "link",
    data: str | Path | None = None,
    need: bool | Mapping[str, tuple[str | Path, str | Path]] = True,
    **load_options: object,
) -> Inputs:
    """Load data, build units and their adjacency graph.

    Every input file is read once into memory and parsed from those bytes (see
    :mod:`partition.io.snapshot`); what was read of each is in ``dataset.files``.

    Parameters
    ----------
    schools, boundaries
        See :func:`partition.data.dataset.load_dataset` (a path, or a file already read).
    units
        ``"sites"`` (Voronoi cells of school sites, the default) or a polygon
        file / folder of files (wards, LSOAs, MSOAs) to use as units (or it, already read).
    population
        Child population table to attach to polygon units (see
        :func:`partition.io.population.read_child_population`), or it already read.
    island_policy
        See :mod:`partition.units.graph`.
    need
        The area-based need tables to move onto the units (:mod:`partition.data.need`): measure
        (``"population"``, ``"low_income"``) -> ``(table, areas)``; True (the default) for those of the data
        folder that cover the LAs (:func:`partition.io.datapaths.default_need`), False for none. Pupils eligible
        for free school meals (``fsm``) are always attached, from GIAS ``PercentageFSM``.
    load_options
        Passed to :func:`partition.data.dataset.load_dataset` (``la_codes``, ``status`` ...).

    Returns
    -------
    Inputs
        The dataset, the units and schools with their unit (EPSG:27700, metres), the unit graph, and the
        members (colleges, special schools, PRUs not counted) with the unit each stands in.

    Raises
    ------
    DataLocationError, InputFileError, SpecError, UnitsError, GraphError
        When a file cannot be found or read, or as the steps it runs.
    """
    if str(units) == "sites" and population is not None:  # it would be ignored: say so before reading anything
        raise SpecError(
            "a population table (--population, [data] population) gives the children of polygon units, but the "
            "units are the school sites",
            fix="give polygon units (--units, e.g. an LSOA file), or give the children by area with their areas "
            "in a scenario's [data] table: children = CSV and children_areas = polygon file",
        )
    dataset = load_dataset(schools, boundaries, data=data, **load_options)  # type: ignore[arg-type]
    if str(units) == "sites":
        unit_frame, school_frame = voronoi_units(dataset)
    else:
        polys = _unit_polygons(dataset, units, data)
        pop = _population(dataset, population, data) if population else None
        unit_frame, school_frame = polygon_units(dataset, polys, population=pop)
    graph = build_graph(unit_frame, island_policy=island_policy)
    tables = _need_tables(need, load_options.get("la_codes"), data)
    moved = attach_need(dataset, unit_frame, school_frame, tables, data)
    return Inputs(dataset, unit_frame, school_frame, graph, in_units(dataset.members, unit_frame), need=moved)


def _need_tables(
    need: bool | Mapping[str, tuple[str | Path, str | Path]], la_codes: object, data: str | Path | None
) -> Mapping[str, tuple[str | Path, str | Path]]:
    """The need tables asked for: those given, or the data folder's covering the LAs (see :func:`prepare`)."""
    if need is True:
        codes = tuple(str(c) for c in la_codes) if la_codes else datapaths.DEFAULT_LA_CODES  # type: ignore[attr-defined]
        return datapaths.default_need(codes, data)
    return need or {}


def attach_need(
    dataset: Dataset,
    units: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    tables: Mapping[str, tuple[str | Path, str | Path]],
    data: str | Path | None,
) -> dict[str, Interpolated]:
    """Add the need measures to ``units`` (columns ``fsm`` and those of ``tables``), the files to
    ``dataset.files`` and the notes to ``dataset.notes``; a measure the units already carry (a population
    file given with polygon units) is kept as given.

    Returns
    -------
    dict
        Measure -> :class:`partition.data.need.Interpolated` (its sources and how the totals reconcile).
    """
    units["fsm"] = fsm_by_unit(schools, len(units))
    without = schools.loc[schools["fsm_share"].isna(), "name"] if "fsm_share" in schools else schools["name"]
    if len(without):
        dataset.notes.append(
            f"free school meals: {len(without)} of {len(schools)} schools have no published share (GIAS "
            f"PercentageFSM), counted as 0: {', '.join(map(str, without.head(8)))}{' ...' if len(without) > 8 else ''}"
        )
    moved: dict[str, Interpolated] = {}
    readers = {"population": read_children, "low_income": read_low_income}
    for measure, (table, areas) in tables.items():
        if measure in units:
            continue
        taken = read_input(table, data, PopulationFileError)
        shapes = read_input(areas, data, BoundaryFileError)
        dataset.files[measure] = taken.record()
        dataset.files[f"{measure}_areas"] = shapes.record()
        dataset.sources[measure], dataset.sources[f"{measure}_areas"] = str(taken.path), str(shapes.path)
        figures = readers[measure](taken, shapes)
        if not taken.path.as_posix().endswith(datapaths.NEED_FILES[measure][0]):  # a council's own table
            figures = dataclasses.replace(figures, source=own_source(figures.source, taken.path.name))
        dataset.notes.extend(figures.notes)
        moved[measure] = interpolate(figures, units)
        units[measure] = moved[measure].by_unit
    for measure, key, what in (
        ("population", "children", "children aged 0-19"),
        ("low_income", "low_income", "children in low-income families"),
    ):
        if measure not in units:
            dataset.notes.append(
                f"local need: no table of {what} covers the area planned, so none are shown (give one as "
                f"[data] {key} and {key}_areas in a scenario)"
            )
    return moved


def _unit_polygons(
    dataset: Dataset, units: str | Path | InputFile | InputFolder, data: str | Path | None
) -> gpd.GeoDataFrame:
    """The unit polygons parsed from the file or folder as read once (as given when already read), recorded in
    ``dataset.files``.
    """
    if not isinstance(units, InputFile | InputFolder):
        units = snapshot_input(datapaths.resolve(units, data), error=BoundaryFileError)
    dataset.files["units"] = units.record()
    if isinstance(units, InputFolder):
        return read_polygon_folder(units.path, files=units)
    return read_polygons(units.path, data=units.data)


def _population(dataset: Dataset, population: str | Path | InputFile, data: str | Path | None) -> pd.Series:
    """The child population parsed from the file as read once (as given when already read), recorded in
    ``dataset.files``.
    """
    taken = read_input(population, data, PopulationFileError)
    dataset.files["population"] = taken.record()
    return read_child_population(taken.path, data=taken.data)
