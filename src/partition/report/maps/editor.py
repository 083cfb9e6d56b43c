r"""The planner's editor: ``edit.html``, one self-contained page to move schools between partnerships.

The page opens on a configuration. Clicking a school (or its planning unit) offers the neighbouring
partnerships it may move to; a move takes the whole unit (every school of the site) and any lock group
of the spec with it. Every figure of the table — schools, pupils and deviation against the spec's bounds,
anchors, connectivity on the unit graph, wdist, hub distance, district splits, schools changed from the
starting plan — is recomputed in the browser by :file:`editor.js`, which mirrors
:func:`partition.model.scoring.configuration_scores` for the same assignment (tested in Chromium against
Python). Undo, redo, reset, a note per change, renaming a partnership, and export of the edited
configuration as ``URN,partnership,note,moved,counted`` CSV, which ``partition compare`` scores.

Colleges, special schools and PRUs (the members, :mod:`partition.data.members`) are drawn with the maps' symbols;
each is in the partnership of the unit it stands in, so it moves with that unit and is never moved on its own.
They count in no figure but the table's Colleges and Special schools columns; the export lists them as rows
``counted`` = ``no``, which :func:`partition.data.configurations.read_assignment_csv` leaves out.

Data reaches the page only as JSON in a ``<script type="application/json">`` block (``<`` written as
``\u003c``, so no text can close the block); the script shows every string with ``textContent``. The
script and its CSS are static files of this package, inlined when the page is written.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from partition.core.measures import MEASURES
from partition.data.federations import effective_locks
from partition.data.need import fsm_pupils
from partition.data.places import school_places
from partition.report.maps.colours import colour_partnerships
from partition.report.maps.layers import (
    KIND_STYLE,
    MEMBER_STYLE,
    district_layer,
    member_kind_words,
    member_numbers,
    member_symbol,
    partnership_numbers,
)
from partition.report.maps.page import RawHTML, WrittenMap, add_config, add_page_style, new_id, title_box, write_map
from partition.report.maps.views import _base_map, _study_bounds, plan_title, wgs84_bounds

SIMPLIFY_M = 25.0
"""Tolerance (m) of the units' simplification for display (:func:`shapely.coverage_simplify`: shared edges stay shared)."""

DECIMALS = 5
"""Decimals of the page's longitudes and latitudes (about 1 m)."""

EDIT_FILE = "edit.html"
"""The editor's file name in each configuration's folder."""


def _asset(name: str) -> str:
    return resources.files("partition.report.maps").joinpath(name).read_text(encoding="utf-8")


def _latlng(geom: shapely.Geometry) -> list:
    """Rings of a (multi)polygon or parts of a (multi)line as ``[[lat, lng], ...]`` lists (WGS84 input)."""
    parts = list(getattr(geom, "geoms", [geom]))
    out = []
    for part in parts:
        rings = [part.exterior, *part.interiors] if isinstance(part, shapely.Polygon) else [part]
        for ring in rings:
            xy = np.asarray(ring.coords)[:, :2].round(DECIMALS)
            out.append([[float(y), float(x)] for x, y in xy])
    return out


def _polygons(geom: shapely.Geometry) -> list:
    """A (multi)polygon as a list of polygons, each a list of rings of ``[lat, lng]``."""
    return [_latlng(p) for p in getattr(geom, "geoms", [geom])]


def unit_shapes(units: gpd.GeoDataFrame, graph: nx.Graph) -> tuple[list, list]:
    """Display shapes: each unit's polygon and each shared boundary between two units (WGS84).

    The units are simplified as a coverage, so neighbours keep identical shared edges; a shared edge is
    drawn as a partnership boundary whenever its two units are in different partnerships.

    Parameters
    ----------
    units
        Planning units (EPSG:27700), row positions being the graph's nodes.
    graph
        Their adjacency graph (island links have no shared boundary and are not drawn).

    Returns
    -------
    tuple of list
        Per unit, its polygons (rings of ``[lat, lng]``); and ``[i, j, lines]`` for each shared boundary.
    """
    simple = shapely.coverage_simplify(units.geometry.to_numpy(), SIMPLIFY_M)
    shown = gpd.GeoSeries(simple, crs=units.crs).to_crs(4326).to_numpy()
    polygons = [_polygons(g) for g in shown]
    pairs = [(int(i), int(j)) for i, j, d in graph.edges(data=True) if not d.get("bridge")]
    if not pairs:
        return polygons, []
    a, b = np.array(pairs).T
    lines = shapely.line_merge(shapely.intersection(shapely.boundary(simple[a]), shapely.boundary(simple[b])))
    lines = gpd.GeoSeries(lines, crs=units.crs).to_crs(4326).to_numpy()
    borders = []
    for (i, j), line in zip(pairs, lines):
        kept = [g for g in getattr(line, "geoms", [line]) if isinstance(g, shapely.LineString) and not g.is_empty]
        if kept:
            borders.append([i, j, [ring for g in kept for ring in _latlng(g)]])
    return polygons, borders


def lock_groups(schools, locks) -> list[list[int]]:
    """Units that move together: the spec's ``together`` groups and schools pinned to one name, merged.

    Parameters
    ----------
    schools
        Schools with ``URN`` and ``unit``.
    locks
        The locks the solvers use (:func:`partition.data.federations.effective_locks`: the spec's
        :class:`partition.model.spec.Locks` with one ``together`` group per federation kept together).

    Returns
    -------
    list of list of int
        Sorted unit indices of each group of two or more units (groups sharing a unit are merged).
    """
    from partition.solvers.problem import unit_of_urn

    unit_of = unit_of_urn(schools)
    groups = [[unit_of(u, "together") for u in g] for g in locks.together]
    by_name: dict[str, list[int]] = {}
    for urn, name in locks.pinned:
        by_name.setdefault(name, []).append(unit_of(urn, "pinned"))
    g = nx.Graph()
    for group in [*groups, *by_name.values()]:
        g.add_nodes_from(group)
        g.add_edges_from(zip(group, group[1:]))
    return sorted(sorted(int(u) for u in c) for c in nx.connected_components(g) if len(c) > 1)


def lock_reasons(groups: list[list[int]], spec, schools) -> list[list[str]]:
    """Why each lock group's schools move together, in words for the editor's panel.

    Parameters
    ----------
    groups
        Unit groups from :func:`lock_groups` (on the effective locks).
    spec
        The plan's :class:`partition.model.spec.PlanSpec` (its locks and federations mode).
    schools
        Schools with ``URN``, ``unit``, ``name`` and the ``federation`` column.

    Returns
    -------
    list of list of str
        Per group: ``"in the same federation: <name>"`` for each federation kept together whose schools
        lie in the group, and ``"locked together by the spec"`` when one of the spec's own locks does.
    """
    from partition.data.federations import locked_federations, locked_feeders

    unit_of = dict(zip(schools["URN"].astype(int), schools["unit"].astype(int)))
    group_of = {u: j for j, g in enumerate(groups) for u in g}
    reasons: list[list[str]] = [[] for _ in groups]

    def add(urns, text: str) -> None:
        found = {group_of[unit_of[int(u)]] for u in urns if unit_of.get(int(u)) in group_of}
        for j in sorted(found):
            if text not in reasons[j]:
                reasons[j].append(text)

    for fed in locked_federations(spec, schools):
        add(fed.urns, f"in the same federation: {fed.name}")
    for pair in locked_feeders(spec, schools):
        add(pair.urns, f"a feeder pair (infant and junior school): {pair.name}")
    pinned: dict[str, list[int]] = {}
    for urn, name in spec.locks.pinned:
        pinned.setdefault(name, []).append(urn)
    for urns in [*spec.locks.together, *(g for g in pinned.values() if len(g) > 1)]:
        add(urns, "locked together by the spec")
    return reasons


def _listed(pair: tuple[str, str] | None) -> list[str] | None:
    return None if pair is None else list(pair)


def member_data(plan, inputs) -> dict:
    """The members (colleges, special schools, PRUs) for the editor: each follows the unit it stands in.

    Parameters
    ----------
    plan
        The configuration (its ``members``: the partnerships each also serves).
    inputs
        Its members with the unit each stands in (:attr:`partition.units.prepare.Inputs.members`, EPSG:27700).

    Returns
    -------
    dict
        Columns ``urn``, ``name``, ``kind``, ``words`` (the kind in words), ``type``, ``numbers`` (``[label,
        value]`` of :func:`partition.report.maps.layers.member_numbers`, or None), ``unit``, ``also`` (the
        partnerships it is also the nearest of its kind for, ``", "``-joined), ``lat``/``lng``; plain text
        (the script shows it with ``textContent``).
    """
    members = inputs.members
    if members.empty:
        return {key: [] for key in ("urn", "name", "kind", "words", "type", "numbers", "unit", "also", "lat", "lng")}
    also = {}
    if not plan.members.empty:
        also = dict(zip(plan.members["URN"].astype(int), plan.members["also_serves"].fillna("").astype(str)))
    wgs = members.geometry.to_crs(4326)
    urns = members["URN"].astype(int).tolist()
    return {
        "urn": urns,
        "name": members["name"].astype(str).tolist(),
        "kind": members["kind"].astype(str).tolist(),
        "words": [member_kind_words(str(k)) for k in members["kind"]],
        "type": members["type"].fillna("").astype(str).tolist(),
        "numbers": [_listed(member_numbers(str(k), v)) for k, v in zip(members["kind"], members["pupils"])],
        "unit": [int(u) for u in members["unit"]],
        "also": [also.get(u, "").replace("; ", ", ") for u in urns],
        "lat": [round(float(v), DECIMALS) for v in wgs.y],
        "lng": [round(float(v), DECIMALS) for v in wgs.x],
    }


def members_key(kinds) -> str:
    """The editor panel's key of member symbols: constant words and SVG (never data).

    Parameters
    ----------
    kinds
        The member kinds present (``college``, ``special``, ``pru``).

    Returns
    -------
    str
        HTML: one symbol and ``"<Kind> (not counted in pupils)"`` per kind present, and that each moves with
        the area it stands in; empty when no kind is present.
    """
    present = [k for k in MEMBER_STYLE if k in set(kinds)]
    if not present:
        return ""
    items = " ".join(
        f"<span class='pt-key'>{member_symbol(k, 13)} {member_kind_words(k)} (not counted in pupils)</span>"
        for k in present
    )
    return f"<p class='pt-ed-hint pt-ed-key'>{items}. Each moves with the area it stands in.</p>"


def editor_data(plan, inputs, colours: list[str] | None = None) -> dict:
    """Everything the editor's script needs, as plain JSON data.

    Parameters
    ----------
    plan
        The configuration the editor opens on (:class:`partition.model.plan.Plan`).
    inputs
        Its schools, units (EPSG:27700) and unit graph (:class:`partition.units.prepare.Inputs`).
    colours
        Partnership colours (row order of ``plan.partnerships``).

    Returns
    -------
    dict
        ``partnerships`` (id, number, name, colour, in row order), ``schools`` (columns: URN, name,
        kind, pupils, anchor, district index, ``place``: the town or village of
        :func:`partition.data.places.school_places`, ``""`` when none, unit, BNG ``x``/``y`` in metres, ``lat``/``lng``),
        ``members`` (:func:`member_data`: colleges, special schools and PRUs, each in its unit), ``member_style``
        (kind -> fill, shape), ``districts`` (names), ``units`` (adjacency lists in the graph's order, population or None,
        polygons), ``borders``, ``start`` (partnership index of each school), ``locks`` (unit groups of the
        locks the solvers use: :func:`partition.data.federations.effective_locks`), ``lock_reasons`` (per group,
        why: :func:`lock_reasons`),
        ``bounds`` (the spec's size bounds), ``anchors`` (required), ``nest`` (each partnership must lie inside one
        district) and the page's titles.
    """
    schools = inputs.schools
    p = plan.partnerships
    colours = colours or colour_partnerships(p)
    index = {pid: i for i, pid in enumerate(p["id"])}
    of_urn = dict(zip(plan.assignments["URN"].astype(int), plan.assignments["partnership_id"]))
    urns = schools["URN"].astype(int).tolist()
    districts = sorted(schools["district"].astype(str).unique())
    district_index = {d: i for i, d in enumerate(districts)}
    points = schools.geometry
    wgs = points.to_crs(4326)
    polygons, borders = unit_shapes(inputs.units, inputs.graph)
    graph = inputs.graph
    n_units = len(inputs.units)
    population, low_income = (
        [round(float(v), 2) for v in inputs.units[m].to_numpy(dtype=float)] if m in inputs.units else None
        for m in ("population", "low_income")
    )
    fsm = fsm_pupils(schools)
    spec = plan.spec
    locks = lock_groups(schools, effective_locks(spec, schools))
    return {
        "configuration": plan.name,
        "title": plan_title(plan),
        "k": int(plan.k),
        "anchors": bool(spec.anchors),
        "nest": spec.districts == "nest",
        "bounds": [{"attribute": b.attribute, "tolerance": b.tolerance, "min": b.min, "max": b.max} for b in spec.size],
        "measure_words": {key: m.words for key, m in MEASURES.items()},
        "kinds": {k: list(v) for k, v in KIND_STYLE.items()},
        "member_style": {k: list(v) for k, v in MEMBER_STYLE.items()},
        "members": member_data(plan, inputs),
        "partnerships": [
            {"id": str(pid), "number": int(n), "name": str(name), "colour": str(c)}
            for pid, n, name, c in zip(p["id"], partnership_numbers(p), p["name"], colours)
        ],
        "districts": districts,
        "schools": {
            "urn": urns,
            "name": schools["name"].astype(str).tolist(),
            "kind": schools["kind"].astype(str).tolist(),
            "pupils": [float(v) for v in schools["pupils"].to_numpy(dtype=float)],
            "anchor": [bool(v) for v in schools["anchor"].to_numpy(dtype=bool)],
            "district": [district_index[str(d)] for d in schools["district"]],
            "place": school_places(schools)["place"].astype(str).tolist(),
            "fsm": None if "fsm_share" not in schools else [None if pd.isna(v) else int(v) for v in fsm],
            "unit": [int(u) for u in schools["unit"]],
            "x": [float(v) for v in points.x],
            "y": [float(v) for v in points.y],
            "lat": [round(float(v), DECIMALS) for v in wgs.y],
            "lng": [round(float(v), DECIMALS) for v in wgs.x],
        },
        "units": {
            "adjacency": [[int(v) for v in graph[u]] for u in range(n_units)],
            "population": population,
            "low_income": low_income,
            "polygons": polygons,
        },
        "borders": borders,
        "start": [index[of_urn[u]] for u in urns],
        "locks": locks,
        "lock_reasons": lock_reasons(locks, spec, schools),
    }


EDITOR_PANEL = """
<aside id="pt-editor" class="pt-editor" aria-label="Edit this proposal">
  <div class="pt-ed-bar">
    <button type="button" data-act="undo" title="Undo the last change">↶ Undo</button>
    <button type="button" data-act="redo" title="Redo">↷ Redo</button>
    <button type="button" data-act="reset" title="Back to the plan as it was opened">Reset</button>
    <button type="button" data-act="export" title="Download the edited configuration as CSV">⤓ Export CSV</button>
  </div>
  <label class="pt-ed-switch"><input type="checkbox" data-role="keep-whole"> Refuse moves that split a partnership</label>
  <input class="pt-ed-find" type="search" data-role="find" list="pt-ed-schools" placeholder="Find a school (name or URN)…"
    aria-label="Find a school by name or URN"><datalist id="pt-ed-schools"></datalist>
  <div class="pt-ed-msg" role="status" data-role="message"></div>
  <section class="pt-ed-selected" data-role="selected" hidden></section>
  <section><h2>The configuration</h2><div data-role="summary"></div><ul class="pt-ed-violations" data-role="violations"></ul></section>
  <section><h2>Partnerships</h2><p class="pt-ed-hint">Type in a name to rename a partnership. Rows in red break a rule.</p>
    <!--members-key-->
    <p class="pt-ed-hint pt-ed-cue" data-role="scroll-cue" hidden>Scroll the table sideways for more columns ⇢</p>
    <div class="pt-ed-scroll" data-role="table-scroll"><table class="pt-ed-table" data-role="table"></table></div></section>
  <section data-role="need-section" hidden><h2>Local need</h2><p class="pt-ed-hint">Pupils eligible for free school
    meals (% of pupils) and the children living in each partnership, as schools move (the figures the data
    holds; their sources and dates are in each configuration's plan.json and in the consultation pack).</p>
    <div class="pt-ed-scroll"><table class="pt-ed-table" data-role="need-table"></table></div></section>
  <section><h2>Changes</h2><ol class="pt-ed-log" data-role="log"></ol></section>
</aside>
"""
"""The editor's side panel: constant HTML, filled in by the script (``textContent`` only)."""


def editor_map(
    plan,
    inputs,
    *,
    colours: list[str] | None = None,
    neighbours: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
    districts: gpd.GeoDataFrame | None = None,
):
    """The editor page of one configuration, as a folium map (write it with :func:`write_editor`).

    Parameters
    ----------
    plan
        The configuration to edit.
    inputs
        Its schools, units, graph and districts (:class:`partition.units.prepare.Inputs`).
    colours
        Partnership colours (row order), as in the run's maps.
    neighbours, basemap
        As :func:`partition.report.maps.configuration_map`.
    districts
        District outlines drawn (EPSG:27700; default the dataset's).

    Returns
    -------
    folium.Map
    """
    districts = inputs.dataset.districts if districts is None else districts
    bounds = _study_bounds(districts, plan)
    fmap = _base_map(bounds, districts, inputs.schools, neighbours, basemap)
    title = f"Edit: {plan_title(plan)}"
    add_page_style(fmap, title, False)
    root = fmap.get_root()
    root.header.add_child(RawHTML(f"<style>{_asset('editor.css')}</style>"))
    district_layer(districts).add_to(fmap)
    data = editor_data(plan, inputs, colours)
    data["map"] = fmap.get_name()
    element = new_id("pt-title")
    subtitle = "Click a school or its area to move it; the figures update as you go"
    root.html.add_child(RawHTML(title_box(element, title, subtitle, search=False)))
    key = members_key(inputs.members["kind"].astype(str)) if len(inputs.members) else ""
    root.html.add_child(RawHTML(EDITOR_PANEL.replace("<!--members-key-->", key)))
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    root.html.add_child(RawHTML(f"<script type='application/json' id='pt-edit-data'>{text}</script>"))
    root.html.add_child(RawHTML(f"<script>{_asset('editor.js')}</script>"))
    config = {
        "maps": {
            fmap.get_name(): {
                "title": element,
                "legend": "",
                "bounds": wgs84_bounds(bounds),
                "sea": bool(getattr(fmap, "_pt_sea", False)),
            }
        }
    }
    add_config(fmap, config)
    return fmap


def write_editor(plan, inputs, path: str | Path, **options) -> WrittenMap:
    """Write a configuration's editor page (one self-contained, offline HTML file).

    Parameters
    ----------
    plan, inputs
        As :func:`editor_map`.
    path
        The HTML file (normally ``<configuration>/edit.html``).
    **options
        ``colours``, ``neighbours``, ``basemap``, ``districts`` (see :func:`editor_map`).

    Returns
    -------
    WrittenMap
        The file written, of kind ``"editor"``, showing ``plan``.
    """
    return WrittenMap(write_map(editor_map(plan, inputs, **options), path), "editor", (plan.name,))


__all__ = [
    "EDIT_FILE",
    "editor_data",
    "editor_map",
    "lock_groups",
    "lock_reasons",
    "member_data",
    "members_key",
    "unit_shapes",
    "write_editor",
]
