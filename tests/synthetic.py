"""Small synthetic instances built in memory: a grid of square units with one school each."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from partition.units.graph import build_graph
from partition.units.prepare import Inputs


def grid_inputs(
    rows: int,
    cols: int,
    pupils: list[int],
    anchors: list[bool],
    districts: list[str] | None = None,
    size_m: float = 1000.0,
) -> Inputs:
    """Units are ``size_m`` squares, row-major; school i sits at the centre of square i."""
    n = rows * cols
    boxes = [
        shapely.box(c * size_m, r * size_m, (c + 1) * size_m, (r + 1) * size_m)
        for r in range(rows)
        for c in range(cols)
    ]
    centres = [b.centroid for b in boxes]
    districts = districts or ["West" if (i % cols) < cols / 2 else "East" for i in range(n)]
    units = gpd.GeoDataFrame(
        {
            "unit": np.arange(n),
            "district_code": districts,
            "district": districts,
            "n_schools": np.ones(n, dtype=int),
            "pupils": np.asarray(pupils, dtype="int64"),
            "anchors": np.asarray(anchors, dtype="int64"),
            "urns": [str(1000 + i) for i in range(n)],
            "x": [c.x for c in centres],
            "y": [c.y for c in centres],
        },
        geometry=boxes,
        crs="EPSG:27700",
    )
    schools = gpd.GeoDataFrame(
        {
            "URN": np.arange(1000, 1000 + n),
            "name": [f"School {i}" for i in range(n)],
            "kind": ["secondary" if a else "primary" for a in anchors],
            "pupils": np.asarray(pupils, dtype="int64"),
            "anchor": np.asarray(anchors, dtype=bool),
            "district": districts,
            "town": [f"Town {i}" for i in range(n)],
            "unit": np.arange(n),
        },
        geometry=centres,
        crs="EPSG:27700",
    )
    return Inputs(dataset=None, units=units, schools=schools, graph=build_graph(units))  # type: ignore[arg-type]
