"""A summary of what was loaded: schools, exclusions, sites, units, graph."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import networkx as nx
import pandas as pd
import shapely

from partition.data.dataset import Dataset
from partition.data.feeders import describe as feeder_describe


def data_summary(dataset: Dataset, units: gpd.GeoDataFrame, graph: nx.Graph) -> dict[str, Any]:
    """Facts about the loaded data as plain JSON-serialisable values.

    Parameters
    ----------
    dataset
        The loaded schools (GIAS), districts (ONS boundaries), exclusions, imputations and
        district disagreements.
    units
        The planning units (polygons in EPSG:27700, metres; ``attrs`` ``kind``,
        ``adjustments``, ``dropped_area_km2``).
    graph
        The units' adjacency graph (``graph.graph["bridges"]``: island links with their gap in metres).

    Returns
    -------
    dict
        ``sources``, ``la_codes``, ``schools`` (count), ``by_kind``, ``pupils``, ``districts``
        (per district: schools per kind, ``total`` and ``pupils``), ``excluded`` (``count`` and
        URNs ``by_reason``), ``imputed_pupils`` (URNs), ``district_disagreements``, ``notes``,
        ``sites`` (count, or None for polygon units), ``units`` (``kind``, ``count``, ``area_km2``,
        ``study_area_km2``, ``dropped_area_km2``) and ``graph`` (``nodes``, ``edges``, ``connected``,
        ``bridges`` named by unit with ``gap_m``, ``mean_degree``).
    """
    s = dataset.schools
    by_district = (
        s.pivot_table(index="district", columns="kind", values="URN", aggfunc="count", fill_value=0)
        .astype(int)
        .assign(total=lambda t: t.sum(axis=1))
    )
    pupils = s.groupby("district")["pupils"].sum().astype(int)
    by_district["pupils"] = pupils
    area = shapely.union_all(units.geometry.to_numpy()).area
    outline_area = dataset.outline.area
    excl = dataset.excluded
    return {
        "sources": dataset.sources,
        "la_codes": list(dataset.la_codes),
        "schools": int(len(s)),
        "by_kind": {k: int(v) for k, v in s["kind"].value_counts().sort_index().items()},
        "pupils": int(s["pupils"].sum()),
        "members": _members(dataset),
        "feeder_pairs": feeder_describe(s) if {"name", "geometry"} <= set(s.columns) else [],
        "districts": {name: {k: int(v) for k, v in row.items()} for name, row in by_district.sort_index().iterrows()},
        "excluded": {
            "count": int(len(excl)),
            "by_reason": {r: [int(u) for u in g["URN"]] for r, g in excl.groupby("reason")},
        },
        "imputed_pupils": [int(u) for u in dataset.imputed],
        "district_disagreements": dataset.disagreements.to_dict("records"),
        "notes": list(dataset.notes) + list(units.attrs.get("adjustments", [])),
        "sites": int(len(units)) if units.attrs.get("kind") == "sites" else None,
        "units": {
            "kind": units.attrs.get("kind"),
            "count": int(len(units)),
            "area_km2": round(area / 1e6, 2),
            "study_area_km2": round(outline_area / 1e6, 2),
            "dropped_area_km2": round(float(units.attrs.get("dropped_area_km2", 0.0)), 3),
        },
        "graph": {
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "connected": bool(nx.is_connected(graph)) if graph.number_of_nodes() else False,
            "bridges": [
                {"from": _unit_label(units, b[0]), "to": _unit_label(units, b[1]), "gap_m": round(float(b[2]), 1)}
                for b in graph.graph.get("bridges", [])
            ],
            "mean_degree": round(2 * graph.number_of_edges() / max(graph.number_of_nodes(), 1), 2),
        },
    }


def _members(dataset: Dataset) -> dict[str, Any]:
    """Members by kind, how many have a pupil figure, and from which file (:mod:`partition.data.members`)."""
    m = dataset.members
    return {
        "count": int(len(m)),
        "by_kind": {k: int(v) for k, v in m["kind"].value_counts().sort_index().items()},
        "with_pupils": int(m["pupils"].notna().sum()),
        "pupils": int(m["pupils"].fillna(0).sum()),
        "source": dataset.sources.get("establishments", dataset.sources.get("schools", "")),
    }


def _unit_label(units: gpd.GeoDataFrame, unit: int) -> str:
    """A unit as users know it: its polygon's name and code, or the URNs of its schools (never its index)."""
    row = units.iloc[int(unit)]
    if "name" in units and isinstance(row.get("name"), str) and row["name"]:
        return f"{row['name']} ({row['code']})" if "code" in units else str(row["name"])
    urns = str(row.get("urns", "") or "")
    return f"site of URN {urns.replace(',', ', ')}" if urns else f"a unit in {row.get('district', 'the study area')}"


def _member_lines(members: dict[str, Any] | None) -> list[str]:
    """The members' line of the text summary (none when there are no members)."""
    if not members or not members["count"]:
        return []
    kinds = ", ".join(f"{k} {v}" for k, v in members["by_kind"].items())
    students = (
        f"; {members['with_pupils']} with their students aged 16-18 ({members['pupils']:,} in all)"
        if members["by_kind"].get("college")
        else ""
    )
    return [f"Members, not counted in pupils: {members['count']} ({kinds}){students}", f"  from {members['source']}"]


def _feeder_lines(pairs: list[dict[str, Any]]) -> list[str]:
    """The feeder pairs found, each with its distance and how it was recognised (partition.data.feeders)."""
    if not pairs:
        return []
    rules = pd.Series([p["rule"] for p in pairs]).value_counts()
    lines = [
        f"Feeder pairs (infant and junior, first and middle schools): {len(pairs)} "
        f"({', '.join(f'{n} by {rule}' for rule, n in rules.items())}; kept together by default)"
    ]
    lines += [
        f"  {p['feeder']['name']} ({p['feeder']['URN']}) -> {p['receiver']['name']} ({p['receiver']['URN']}), "
        f"{p['distance_m']:,.0f} m, {p['rule']}"
        for p in pairs
    ]
    return lines


def format_summary(summary: dict[str, Any]) -> str:
    """Render :func:`data_summary` as text for a terminal.

    Parameters
    ----------
    summary
        The dict of :func:`data_summary`.

    Returns
    -------
    str
        Several lines: schools and pupils with their source, a per-district table, exclusions
        (at most 15 URNs per reason), imputed pupils, district disagreements, notes, units
        (areas in km²) and the adjacency graph.
    """
    lines = [
        f"Schools: {summary['schools']} ({', '.join(f'{k} {v}' for k, v in summary['by_kind'].items())}), "
        f"pupils {summary['pupils']:,}",
        f"  from {summary['sources']['schools']}",
        *_member_lines(summary.get("members")),
        f"Districts: {len(summary['districts'])} from {summary['sources']['boundaries']}",
    ]
    table = pd.DataFrame(summary["districts"]).T
    lines += ["  " + line for line in table.to_string().splitlines()]
    ex = summary["excluded"]
    lines.append(f"Excluded: {ex['count']}")
    for reason, urns in ex["by_reason"].items():
        shown = ", ".join(map(str, urns[:15])) + (" ..." if len(urns) > 15 else "")
        lines.append(f"  {len(urns)} {reason}: URN {shown}")
    if summary["imputed_pupils"]:
        lines.append(f"Pupils imputed (blank NumberOfPupils): URN {', '.join(map(str, summary['imputed_pupils']))}")
    for d in summary["district_disagreements"]:
        lines.append(
            f"District: URN {d['URN']} {d['name']}: GIAS '{d['gias_district']}' vs polygon "
            f"'{d['polygon_district']}' ({d['distance_m']} m) -> {d['assigned']}"
        )
    lines += _feeder_lines(summary.get("feeder_pairs") or [])
    for note in summary["notes"]:
        lines.append(f"Note: {note}")
    u, g = summary["units"], summary["graph"]
    if summary["sites"] is not None:
        lines.append(f"Sites: {summary['sites']}")
    lines.append(
        f"Units ({u['kind']}): {u['count']}, {u['area_km2']} km² of a {u['study_area_km2']} km² study area"
        + (f" ({u['dropped_area_km2']} km² of school-less fragments left out)" if u["dropped_area_km2"] else "")
    )
    lines.append(
        f"Adjacency graph: {g['nodes']} nodes, {g['edges']} edges, mean degree {g['mean_degree']}, "
        f"{'connected' if g['connected'] else 'NOT connected'}"
        + (
            "; island links: " + "; ".join(f"{b['from']} - {b['to']} ({b['gap_m']:g} m)" for b in g["bridges"])
            if g["bridges"]
            else ""
        )
    )
    return "\n".join(lines)
