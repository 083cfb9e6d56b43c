"""Adjacency of planning units: what contiguity is defined on.

Two units are adjacent when they share a boundary of positive length
(at least ``min_shared_m`` metres; corner touches do not count). Units that
form separate pieces (islands, e.g. an island's schools cut off by water)
follow an explicit policy:

``"link"`` (default)
    each smaller component is linked to the nearest unit of the rest by an
    edge marked ``bridge=True``; the edges are reported.
``"error"``
    :class:`~partition.errors.GraphError` naming the component's units.

Messages name units by their ``place`` (a school and its URN, or a polygon's
code and nearest school) and district, never by internal row numbers.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from partition.errors import GraphError
from partition.warnings import DataWarning

ISLAND_POLICIES = ("link", "error")
MIN_SHARED_M = 5.0


def shared_boundaries(units: gpd.GeoDataFrame, *, min_shared_m: float = MIN_SHARED_M) -> list[tuple[int, int, float]]:
    """Return ``(i, j, length_m)`` for every pair of units sharing a boundary of positive length.

    Parameters
    ----------
    units
        Unit polygons (:mod:`partition.units.build`) in British National Grid
        (EPSG:27700, metres).
    min_shared_m
        Shortest shared boundary (m) that makes two units adjacent; default
        :data:`MIN_SHARED_M` (5 m), so corner touches do not count.

    Returns
    -------
    list of tuple
        ``(i, j, length_m)`` with row positions ``i < j`` and the length (m) of
        the boundary of unit ``i`` within 5 cm of unit ``j``, in the order of
        the spatial index query.
    """
    geoms = units.geometry.to_numpy()
    tree = shapely.STRtree(geoms)
    left, right = tree.query(shapely.buffer(geoms, 0.5), predicate="intersects")
    pairs = left < right
    left, right = left[pairs], right[pairs]
    lengths = shapely.length(shapely.intersection(shapely.boundary(geoms[left]), shapely.buffer(geoms[right], 0.05)))
    keep = lengths >= min_shared_m
    return [(int(i), int(j), float(w)) for i, j, w in zip(left[keep], right[keep], lengths[keep])]


def describe_unit(units: gpd.GeoDataFrame, i: int) -> str:
    """A unit as users know it: ``School (URN n), Havant`` (its ``place``, or URNs / code, and district).

    Parameters
    ----------
    units
        Units with ``place``, ``urns``, ``code`` or only a geometry (BNG), and
        optionally ``district``.
    i
        Row position of the unit.

    Returns
    -------
    str
        Its ``place``, else ``the unit of URN ...``, else its ``code``, else
        ``unit at 123,456 E 98,765 N`` (a point inside it, BNG metres);
        followed by ``, district`` unless the label already names the district.
    """
    row = units.iloc[int(i)]
    if "place" in units and isinstance(row["place"], str) and row["place"]:
        label = row["place"]
    elif "urns" in units and str(row["urns"]):
        label = f"the unit of URN {row['urns']}"
    elif "code" in units:
        label = str(row["code"])
    else:
        label = f"unit at {row.geometry.representative_point().x:,.0f} E {row.geometry.representative_point().y:,.0f} N"
    district = row.get("district") if hasattr(row, "get") else None
    return f"{label}, {district}" if isinstance(district, str) and district not in label else label


def describe_units(units: gpd.GeoDataFrame, idx: list[int], limit: int = 5) -> str:
    """Up to ``limit`` units described, ``and k more``.

    Parameters
    ----------
    units
        Units as for :func:`describe_unit`.
    idx
        Row positions of the units to describe (described in ascending order).
    limit
        Most units named.

    Returns
    -------
    str
        The descriptions joined by ``; ``, with ``; and k more`` when cut.
    """
    idx = sorted(int(i) for i in idx)
    text = "; ".join(describe_unit(units, i) for i in idx[:limit])
    return text + (f"; and {len(idx) - limit} more" if len(idx) > limit else "")


def build_graph(
    units: gpd.GeoDataFrame,
    *,
    island_policy: str = "link",
    min_shared_m: float = MIN_SHARED_M,
) -> nx.Graph:
    """Build the adjacency graph of ``units`` (nodes are row positions 0..n-1).

    Node attributes: every non-geometry column of ``units``. Edge attributes:
    ``length`` (shared boundary, m) and ``bridge`` (True for island links).
    ``graph.graph["bridges"]`` lists the island links added.

    Parameters
    ----------
    units
        Unit polygons (:mod:`partition.units.build`) in British National Grid
        (EPSG:27700, metres).
    island_policy
        ``"link"`` (join each separate piece to its nearest unit by a bridge
        edge, reported) or ``"error"``; see :data:`ISLAND_POLICIES`.
    min_shared_m
        Shortest shared boundary (m) that makes two units adjacent.

    Returns
    -------
    networkx.Graph
        Nodes ``0..n-1``; bridge edges also carry ``gap_m`` (distance in m
        between the linked units); ``graph.graph["bridges"]`` is a list of
        ``(i, j, gap_m)``.

    Raises
    ------
    GraphError
        When ``island_policy`` is unknown, or is ``"error"`` and the units form
        more than one piece (naming each piece's units by place and district).

    Warns
    -----
    DataWarning
        Naming each island link added under policy ``"link"`` and its length.
    """
    if island_policy not in ISLAND_POLICIES:
        raise GraphError(f"unknown island policy {island_policy!r}", fix="use 'link' or 'error'")
    graph = nx.Graph()
    records = units.drop(columns=units.geometry.name).to_dict("records")
    graph.add_nodes_from((i, rec) for i, rec in enumerate(records))
    for i, j, length in shared_boundaries(units, min_shared_m=min_shared_m):
        graph.add_edge(i, j, length=length, bridge=False)
    bridges: list[tuple[int, int, float]] = []
    components = sorted(nx.connected_components(graph), key=len, reverse=True)
    if len(components) > 1:
        if island_policy == "error":
            pieces = " | ".join(f"{len(c)} unit(s): {describe_units(units, sorted(c))}" for c in components[1:])
            raise GraphError(
                f"the units form {len(components)} separate pieces (islands cut off by water in the boundaries); "
                f"apart from the main one: {pieces}",
                fix="use island policy 'link' (--islands link; island_policy='link' in Python) to join each piece to its nearest unit",
            )
        geoms = units.geometry.to_numpy()
        main = set(components[0])
        for comp in components[1:]:
            comp_idx = np.array(sorted(comp))
            rest = np.array(sorted(main))
            tree = shapely.STRtree(geoms[rest])
            best = None
            for i in comp_idx:
                j = int(tree.nearest(geoms[i]))
                d = float(shapely.distance(geoms[i], geoms[rest[j]]))
                if best is None or d < best[2]:
                    best = (int(i), int(rest[j]), d)
            assert best is not None
            graph.add_edge(best[0], best[1], length=0.0, bridge=True, gap_m=best[2])
            bridges.append(best)
            main |= comp
        warnings.warn(
            DataWarning(
                f"units formed {len(components)} separate pieces; linked each to its nearest unit: "
                + "; ".join(
                    f"{describe_unit(units, i)} to {describe_unit(units, j)} ({d:.0f} m apart)" for i, j, d in bridges
                )
            ),
            stacklevel=2,
        )
    graph.graph["bridges"] = bridges
    return graph
