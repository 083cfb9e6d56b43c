"""Choosing the county's districts and giving each school its district.

A school's district is the district polygon containing it. Generalised ONS
outlines are off by tens of metres near edges, so within ``tolerance_m`` of
an edge the GIAS ``DistrictAdministrative (name)`` field breaks the tie; a
school outside every polygon but within ``tolerance_m`` of one joins its GIAS
district (or the nearest one). Every disagreement between polygon and GIAS is
reported; schools farther out are excluded as outside the study area.
"""

from __future__ import annotations

import re
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from partition.errors import BoundaryFileError, EmptySelectionError
from partition.warnings import DataWarning

DEFAULT_TOLERANCE_M = 250.0
MIN_SCHOOLS_PER_DISTRICT = 3


def normalise_name(name: str) -> str:
    """Normalise a district name for matching (case, '&', punctuation, spaces)."""
    text = str(name).lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def select_districts(
    boundaries: gpd.GeoDataFrame,
    schools: gpd.GeoDataFrame,
    codes: list[str] | tuple[str, ...] | None = None,
    *,
    min_schools: int = MIN_SCHOOLS_PER_DISTRICT,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Pick the districts of the study area.

    With ``codes``, exactly those districts. Otherwise every district holding
    at least ``min_schools`` of the schools or 10 % of them — so one stray school
    does not drag in a neighbouring district. A school counts for the district
    its GIAS district field names when that is a district of the file and the
    school lies within ``tolerance_m`` of it, else for the polygon containing it. Returns the districts and notes on districts left out.
    """
    source = boundaries.attrs.get("source", "boundaries")
    if codes:
        wanted = [str(c).strip() for c in codes]
        missing = [c for c in wanted if c not in set(boundaries["code"])]
        if missing:
            raise BoundaryFileError(
                source,
                f"has no district with code {', '.join(missing)}",
                fix=f"codes in the file include {', '.join(sorted(boundaries['code'])[:15])}",
            )
        return boundaries[boundaries["code"].isin(wanted)].reset_index(drop=True), []
    # each school counts once: for the district its GIAS district field names when that is a
    # district of the file (the field is authoritative near generalised edges), else for the
    # polygon containing it
    joined = gpd.sjoin(schools[["geometry"]], boundaries[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    code_by_name = {normalise_name(n): c for n, c in zip(boundaries["name"], boundaries["code"])}
    named = schools["gias_district"].map(normalise_name).map(code_by_name)
    geom_by_code = dict(zip(boundaries["code"], boundaries.geometry))
    near_named = pd.Series(
        [c is not None and c == c and geom_by_code[c].distance(p) <= tolerance_m for c, p in zip(named, schools.geometry)],
        index=schools.index,
    )
    home = named.where(near_named, joined["code"].reindex(schools.index))
    count = boundaries["code"].map(home.value_counts()).fillna(0).astype(int)
    count.index = boundaries.index
    threshold = min(min_schools, max(1.0, 0.1 * len(schools)))
    chosen = boundaries[count >= threshold]
    notes = [
        f"district {boundaries.at[i, 'name']} ({boundaries.at[i, 'code']}) holds only {count[i]} of the schools; "
        f"not part of the study area (pass its code to include it)"
        for i in boundaries.index
        if 0 < count[i] < threshold
    ]
    if chosen.empty:
        raise EmptySelectionError(
            f"{source}: no district contains {min_schools} or more of the selected schools",
            fix="check that the boundary file covers the LA (e.g. use the England LAD file) or pass district codes",
        )
    return chosen.reset_index(drop=True), notes


def assign_districts(
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame, pd.DataFrame]:
    """Give each school a district.

    Returns
    -------
    schools
        Schools kept, with ``district_code``, ``district``, ``district_rule``
        (``polygon``, ``gias-edge``, ``gias-outside`` or ``nearest-outside``) and
        ``offset_m`` (distance from the school to its district polygon, 0 inside).
    disagreements
        Schools whose GIAS district differs from the polygon containing them
        (or that lie outside every polygon), with distances and the decision.
    excluded
        Schools farther than ``tolerance_m`` from every district (``URN``, ``name``, ``reason``).
    """
    geoms = districts.geometry.to_numpy()
    codes = districts["code"].to_numpy()
    names = districts["name"].to_numpy()
    by_key = {normalise_name(n): i for i, n in enumerate(names)}
    points = schools.geometry.to_numpy()
    dist = np.column_stack([shapely.distance(points, g) for g in geoms])  # schools × districts
    inside = dist <= 0.0
    gias_idx = np.array([by_key.get(normalise_name(n), -1) for n in schools["gias_district"]])
    chosen = np.full(len(schools), -1)
    rule = np.empty(len(schools), dtype=object)
    records = []
    for s in range(len(schools)):
        poly = int(np.flatnonzero(inside[s])[0]) if inside[s].any() else -1
        g = int(gias_idx[s])
        gias_name = schools["gias_district"].iloc[s]
        if poly >= 0:
            chosen[s], rule[s] = poly, "polygon"
            if g >= 0 and g != poly:
                edge = float(dist[s, g])
                if edge <= tolerance_m:
                    chosen[s], rule[s] = g, "gias-edge"
                records.append((s, gias_name, names[poly], edge, names[chosen[s]]))
            elif g < 0 and gias_name and normalise_name(gias_name) not in by_key:
                records.append((s, gias_name, names[poly], np.nan, names[poly]))
            continue
        nearest = int(np.argmin(dist[s]))
        if g >= 0 and dist[s, g] <= tolerance_m:
            chosen[s], rule[s] = g, "gias-outside"
        elif dist[s, nearest] <= tolerance_m:
            chosen[s], rule[s] = nearest, "nearest-outside"
        records.append((s, gias_name, "(outside every district)", float(dist[s, nearest]), names[chosen[s]] if chosen[s] >= 0 else "(excluded)"))
    keep = chosen >= 0
    out = schools.copy()
    out["district_code"] = [codes[i] if i >= 0 else None for i in chosen]
    out["district"] = [names[i] if i >= 0 else None for i in chosen]
    out["district_rule"] = rule
    out["offset_m"] = [float(dist[s, chosen[s]]) if chosen[s] >= 0 else np.nan for s in range(len(schools))]
    disagreements = pd.DataFrame(
        [
            {
                "URN": int(schools["URN"].iloc[s]),
                "name": schools["name"].iloc[s],
                "gias_district": gias,
                "polygon_district": poly_name,
                "distance_m": round(d, 1) if d == d else None,
                "assigned": assigned,
            }
            for s, gias, poly_name, d, assigned in records
        ],
        columns=["URN", "name", "gias_district", "polygon_district", "distance_m", "assigned"],
    )
    excluded = out.loc[~keep, ["URN", "name"]].copy()
    excluded["reason"] = f"outside the study area (more than {tolerance_m:g} m from every district)"
    if (~keep).any():
        warnings.warn(
            DataWarning(
                f"excluded {int((~keep).sum())} school(s) outside the study area "
                f"(more than {tolerance_m:g} m from the selected districts): URN "
                + ", ".join(map(str, excluded["URN"]))
            ),
            stacklevel=2,
        )
    if len(disagreements):
        warnings.warn(
            DataWarning(
                "district of "
                + "; ".join(
                    f"URN {r.URN} {r.name}: GIAS '{r.gias_district}', polygon '{r.polygon_district}'"
                    + (f" ({r.distance_m:g} m)" if r.distance_m == r.distance_m and r.distance_m is not None else "")
                    + f" -> {r.assigned}"
                    for r in disagreements.itertuples()
                )
            ),
            stacklevel=2,
        )
    return out[keep].reset_index(drop=True), disagreements, excluded.reset_index(drop=True)
