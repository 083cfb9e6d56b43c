"""Scores of a configuration: plain functions of a labelling.

The headline measure is **wdist**: the pupil-weighted mean straight-line
distance (km) of schools to their partnership's pupil-weighted centroid.
"""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd

from partition.spec import PlanSpec


def wdist(xy_m: np.ndarray, pupils: np.ndarray, labels: np.ndarray) -> float:
    """Pupil-weighted mean distance (km) of points to their group's pupil-weighted centroid.

    Parameters
    ----------
    xy_m
        Point coordinates in metres (n × 2).
    pupils
        Weights (n).
    labels
        Group of each point (n).
    """
    xy = np.asarray(xy_m, dtype=float) / 1000.0
    w = np.asarray(pupils, dtype=float)
    labels = np.asarray(labels)
    total = 0.0
    for g in np.unique(labels):
        m = labels == g
        sw = w[m].sum()
        if sw <= 0:
            continue
        c = (w[m] @ xy[m]) / sw
        total += float(w[m] @ np.linalg.norm(xy[m] - c, axis=1))
    return total / w.sum() if w.sum() > 0 else 0.0


def contiguous_parts(graph: nx.Graph, unit_labels: np.ndarray) -> dict[int, int]:
    """Number of connected pieces of each partnership in the unit graph."""
    out = {}
    for g in np.unique(unit_labels):
        nodes = np.flatnonzero(unit_labels == g).tolist()
        out[int(g)] = nx.number_connected_components(graph.subgraph(nodes))
    return out


def partnership_table(schools: pd.DataFrame, labels_by_urn: pd.Series, k: int | None = None) -> pd.DataFrame:
    """Per partnership: schools, pupils, deviation from the mean, anchors, districts, wdist.

    ``labels_by_urn`` maps URN to partnership id.
    """
    s = schools.assign(partnership=schools["URN"].map(labels_by_urn))
    k = k or s["partnership"].nunique()
    mean = s["pupils"].sum() / k
    rows = []
    for pid, g in s.groupby("partnership", sort=True):
        rows.append(
            {
                "partnership": pid,
                "schools": len(g),
                "pupils": int(g["pupils"].sum()),
                "deviation": float(g["pupils"].sum() / mean - 1),
                "anchors": int(g["anchor"].sum()),
                "secondary": int((g["kind"] == "secondary").sum()),
                "all_through": int((g["kind"] == "all-through").sum()),
                "colleges": int((g["kind"] == "college").sum()),
                "districts": "; ".join(sorted(g["district"].unique())),
                "n_districts": int(g["district"].nunique()),
                "wdist_km": wdist(np.column_stack([g.geometry.x, g.geometry.y]), g["pupils"].to_numpy(), np.zeros(len(g))),
            }
        )
    return pd.DataFrame(rows)


def configuration_scores(
    schools: gpd.GeoDataFrame,
    unit_labels: np.ndarray,
    graph: nx.Graph,
    spec: PlanSpec,
    k: int,
    units: pd.DataFrame,
) -> dict[str, object]:
    """Configuration-level scores and the constraints of ``spec`` it violates."""
    school_labels = unit_labels[schools["unit"].to_numpy()]
    table = partnership_table(schools, pd.Series(school_labels, index=schools["URN"]).rename(None), k)
    parts = contiguous_parts(graph, unit_labels)
    violations = []
    broken = [p for p, c in parts.items() if c > 1]
    if broken:
        violations.append(f"contiguity: {len(broken)} partnership(s) in several pieces")
    if len(np.unique(unit_labels)) != k:
        violations.append(f"count: {len(np.unique(unit_labels))} partnerships instead of {k}")
    for bound in spec.size:
        column = {"pupils": "pupils", "n_schools": "schools"}.get(bound.attribute)
        if column is None:
            if "population" not in units:
                continue
            values = pd.Series(units["population"].to_numpy()).groupby(unit_labels).sum()
            total = float(units["population"].sum())
        else:
            values = table.set_index("partnership")[column]
            total = float(values.sum())
        low, high = bound.limits(total, k)
        low_bad = values[values < low - 1e-9]
        high_bad = values[values > high + 1e-9]
        if len(low_bad) or len(high_bad):
            violations.append(
                f"size: {bound.attribute} outside [{low:,.0f}, {high:,.0f}] in {len(low_bad) + len(high_bad)} partnership(s)"
            )
    missing = int((table["anchors"] == 0).sum())
    if spec.anchors and missing:
        violations.append(f"anchors: {missing} partnership(s) without a secondary, all-through school or college")
    xy = np.column_stack([schools.geometry.x, schools.geometry.y])
    return {
        "k": k,
        "schools": int(len(schools)),
        "wdist_km": wdist(xy, schools["pupils"].to_numpy(), school_labels),
        "max_abs_deviation": float(table["deviation"].abs().max()),
        "min_schools": int(table["schools"].min()),
        "max_schools": int(table["schools"].max()),
        "contiguous": not broken,
        "anchors_missing": missing,
        "district_splits": int((table["n_districts"] - 1).sum()),
        "partnerships_spanning_districts": int((table["n_districts"] > 1).sum()),
        "violations": violations,
        "table": table,
    }
