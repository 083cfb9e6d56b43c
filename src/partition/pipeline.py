"""From files to units and graph in one call: what every command and notebook starts with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import networkx as nx

from partition import datapaths
from partition.dataset import Dataset, load_dataset
from partition.graph import build_graph
from partition.io.boundaries import read_polygon_folder, read_polygons
from partition.io.population import read_child_population
from partition.units import polygon_units, voronoi_units


@dataclass
class Inputs:
    """Everything a plan is built on."""

    dataset: Dataset
    units: gpd.GeoDataFrame
    schools: gpd.GeoDataFrame
    graph: nx.Graph


def prepare(
    schools: str | Path | None = None,
    boundaries: str | Path | None = None,
    *,
    units: str | Path = "sites",
    population: str | Path | None = None,
    island_policy: str = "link",
    data: str | Path | None = None,
    **load_options: object,
) -> Inputs:
    """Load data, build units and their adjacency graph.

    Parameters
    ----------
    units
        ``"sites"`` (Voronoi cells of school sites, the default) or a polygon
        file / folder of files (wards, LSOAs, MSOAs) to use as units.
    population
        Child population table to attach to polygon units (see
        :func:`partition.io.population.read_child_population`).
    island_policy
        See :mod:`partition.graph`.
    load_options
        Passed to :func:`partition.dataset.load_dataset` (``la_codes``, ``status`` ...).
    """
    dataset = load_dataset(schools, boundaries, data=data, **load_options)  # type: ignore[arg-type]
    if str(units) == "sites":
        unit_frame, school_frame = voronoi_units(dataset)
    else:
        path = datapaths.resolve(units, data)
        polys = read_polygon_folder(path) if path.is_dir() else read_polygons(path)
        pop = read_child_population(datapaths.resolve(population, data)) if population else None
        unit_frame, school_frame = polygon_units(dataset, polys, population=pop)
    graph = build_graph(unit_frame, island_policy=island_policy)
    return Inputs(dataset, unit_frame, school_frame, graph)
