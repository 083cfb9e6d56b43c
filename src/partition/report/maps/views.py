"""The maps: one configuration, all configurations (one at a time), side by side, and what changes."""

from __future__ import annotations

from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import shapely

from partition.core.filenames import path_inside, safe_name
from partition.core.htmltext import html_text
from partition.core.wording import counted, plural
from partition.report.maps.changes import change_sentence, school_changes, summarise
from partition.report.maps.colours import CHANGED_COLOUR, colour_partnerships, run_colours
from partition.report.maps.context import towns
from partition.report.maps.layers import (
    KIND_STYLE,
    LAND_PANE,
    MEMBER_STYLE,
    basemap_layer,
    district_layer,
    land_layer,
    member_kind_words,
    member_layer,
    member_symbol,
    neighbours_layer,
    partnership_layer,
    partnership_numbers,
    school_layer,
    towns_layer,
    wgs84_bounds,
)
from partition.report.maps.need import NEED_PANE, NEED_PANE_Z, need_layer, need_source_note, toggle_script
from partition.report.maps.page import (
    RawHTML,
    WrittenMap,
    add_config,
    add_map_panels,
    add_page_style,
    legend_box,
    new_id,
    title_box,
    violation_warnings,
    warnings_html,
    write_map,
)

CURRENT_SOLVER = "districts"
"""``Plan.solver`` of the current arrangement (:func:`partition.planning.planner.district_plan`)."""

MAP_OPTIONS = {"zoom_snap": 0.25, "zoom_delta": 0.5, "control_scale": True, "zoom_control": "bottomleft"}


def plan_title(plan) -> str:
    """A configuration in plain words, e.g. ``23 partnerships (proposal for consultation)``, or for the district
    family ``23 partnerships within districts (for comparison, pupils within ±35% of the average)``.

    Parameters
    ----------
    plan
        A :class:`partition.model.plan.Plan`.

    Returns
    -------
    str
        Plain text (not escaped).
    """
    if plan.solver == CURRENT_SOLVER:
        return f"Today: {counted(plan.k, 'partnership')}, one per district"
    family = plan.details.get("family") if plan.details else None
    if family:  # the district family: shown for comparison (see partition.runs.solving.solve_configurations)
        tolerance = next((b.tolerance for b in plan.spec.size if b.attribute == "pupils" and b.tolerance), None)
        band = f", pupils within ±{tolerance:.0%} of the average" if tolerance else ""
        return f"{counted(plan.k, 'partnership')} {family} (for comparison{band})"
    kind = f"alternative {plan.alternative}" if plan.alternative is not None else "proposal for consultation"
    return f"{counted(plan.k, 'partnership')} ({kind})"


def changes_title(a, b) -> str:
    """The title of the changes map from ``a`` to ``b``, its counts agreeing with their nouns.

    Parameters
    ----------
    a, b
        The plans before and after (``a`` may be the current arrangement, :data:`CURRENT_SOLVER`).

    Returns
    -------
    str
        ``"Today's 11 district partnerships become 23"`` (``"Today's 1 district partnership becomes 3"``),
        or ``"What changes: <a> → <b>"``; plain text (not escaped).
    """
    if a.solver == CURRENT_SOLVER:
        return f"Today's {counted(a.k, 'district partnership')} {plural(a.k, 'becomes', 'become')} {b.k}"
    return f"What changes: {plan_title(a)} → {plan_title(b)}"


def _subtitle(plan) -> str:
    """One plain sentence under a map's title (the file's code name is only in the legend's small print)."""
    if plan.solver == CURRENT_SOLVER:
        return "Each district is one partnership today"
    members = getattr(plan, "members", None)
    with_members = (
        f" with {counted(len(members), 'college or special school', 'colleges and special schools')}"
        if members is not None and len(members)
        else ""
    )
    return (
        f"{counted(len(plan.assignments), 'school')}{with_members} in {counted(plan.k, 'partnership')}; "
        "click a partnership or school for details"
    )


NUMBERS_NOTE = (
    "<div class='pt-note'>Numbers are for this map only: a partnership may carry another number in another "
    "configuration; its colour stays the same.</div>"
)


def _partnership_of(plan) -> dict[int, str]:
    numbers = dict(zip(plan.partnerships["id"], partnership_numbers(plan.partnerships)))
    a = plan.assignments
    return {int(u): f"{numbers.get(i, '')} {n}" for u, i, n in zip(a["URN"], a["partnership_id"], a["partnership"])}


def legend_table(plan, colours: list[str]) -> str:
    """The legend's table: number (on the partnership's colour), name, schools, pupils; data through html_text.

    Parameters
    ----------
    plan
        The configuration (``partnerships`` with ``name``, ``schools``, ``pupils``, in id order).
    colours
        One ``#rrggbb`` colour per partnership, in row order (drawn 55 % opaque).

    Returns
    -------
    str
        An HTML ``<table>``, one row per partnership.
    """
    rows = "".join(
        f"<tr><td><span class='pt-swatch' style='background:{c}8C'>{n}</span></td><td>{html_text(r.name)}</td>"
        f"<td class='n'>{int(r.schools)}</td><td class='n'>{int(r.pupils):,}</td></tr>"
        for n, r, c in zip(partnership_numbers(plan.partnerships), plan.partnerships.itertuples(), colours)
    )
    return f"<table><tr><th>No.</th><th>Partnership</th><th>Schools</th><th>Pupils</th></tr>{rows}</table>"


SCHOOL_KINDS = ("primary", "middle", "secondary", "all-through", "college", "special", "pru")
"""Kinds of counted schools named in the legend (each a dot), when a map shows any."""


def _kinds_html(schools: gpd.GeoDataFrame, *plans) -> str:
    """The legend's key of symbols: a dot per kind of counted school shown, a symbol per member kind present.

    Parameters
    ----------
    schools
        The counted schools on the map (``kind``).
    *plans
        The plans shown (their ``members``: colleges, special schools and PRUs, not counted in pupils).

    Returns
    -------
    str
        HTML (constant words and symbols only, no data).
    """
    present = set(schools["kind"].astype(str))
    dots = [
        f"<span style='white-space:nowrap'><span class='pt-dot' style='background:{KIND_STYLE[k][0]}'></span> {k}</span>"
        for k in SCHOOL_KINDS
        if k in present
    ]
    members = {str(k) for p in plans for k in p.members.get("kind", [])}
    symbols = [
        f"<span class='pt-key' style='white-space:nowrap'>{member_symbol(k, 13)} "
        f"{member_kind_words(k)} (not counted in pupils)</span>"
        for k in MEMBER_STYLE
        if k in members
    ]
    return "<div class='pt-note'>" + " ".join(dots) + ("<br>" + "<br>".join(symbols) if symbols else "") + "</div>"


def _member_partnership_of(plan) -> dict[int, str]:
    """URN -> ``"<number> <name>"`` of each member's partnership in ``plan``."""
    numbers = dict(zip(plan.partnerships["id"], partnership_numbers(plan.partnerships)))
    m = plan.members
    return {int(u): f"{numbers.get(i, '')} {n}" for u, i, n in zip(m["URN"], m["partnership_id"], m["partnership"])}


def _add_members(target, plan, control: bool = True) -> None:
    """The plan's members (colleges, special schools, PRUs), each in its partnership, on ``target``."""
    if len(plan.members):
        member_layer(plan.members, _member_partnership_of(plan), control=control).add_to(target)


def _base_map(
    bounds_27700, districts: gpd.GeoDataFrame, schools: gpd.GeoDataFrame, neighbours, basemap: str | None, **options
) -> folium.Map:
    """A map with the offline context (sea, land, neighbours, towns) and the optional online base map."""
    (s, w), (n, e) = wgs84_bounds(bounds_27700)
    fmap = folium.Map(location=[(s + n) / 2, (w + e) / 2], zoom_start=9, tiles=None, **{**MAP_OPTIONS, **options})
    add_context(fmap, districts, schools, neighbours, basemap)
    return fmap


def add_context(fmap: folium.Map, districts, schools, neighbours, basemap: str | None) -> bool:
    """Land, the online base map if asked, neighbouring areas and towns.

    The background is the sea's colour only when the land around the study area (neighbouring
    authorities) is drawn; otherwise it is neutral, so land outside the study area is never shown as sea.

    Parameters
    ----------
    fmap
        The map.
    districts
        The study area's districts (EPSG:27700).
    schools
        Schools (for the towns' names).
    neighbours
        :func:`partition.report.maps.context.neighbouring_districts`, or ``None``.
    basemap
        ``"osm"`` or ``None``/``"none"``.

    Returns
    -------
    bool
        Whether the land around is drawn (the page then colours the background as sea).
    """
    folium.map.CustomPane(LAND_PANE, z_index=150).add_to(fmap)
    land_layer(districts, neighbours).add_to(fmap)
    tiles = basemap_layer(basemap)
    if tiles is not None:
        tiles.add_to(fmap)
    outline = shapely.union_all(districts.geometry.to_numpy())
    if neighbours is not None and len(neighbours):
        neighbours_layer(neighbours.to_crs(districts.crs), outline).add_to(fmap)
    towns_layer(towns(schools, outline), districts.crs).add_to(fmap)
    sea = neighbours is not None and len(neighbours) > 0
    fmap._pt_sea = sea  # read by _finish, which records it in the page configuration
    return sea


def _finish(root, fmap, config: dict, bounds_27700, title: str, subtitle: str, plans: list, legend: str) -> None:
    """Title and legend panels (the plans' file names in small print), the study area to fit, a layer control."""
    warnings = warnings_html(plans, brief=True)
    add_map_panels(
        root,
        fmap,
        config,
        title_box(new_id("pt-title"), title, subtitle, warnings),
        legend_box(new_id("pt-legend"), legend, [p.name for p in plans]),
    )
    config["maps"][fmap.get_name()]["bounds"] = wgs84_bounds(bounds_27700)
    config["maps"][fmap.get_name()]["sea"] = bool(getattr(fmap, "_pt_sea", False))
    folium.LayerControl(position="bottomright", collapsed=True).add_to(fmap)


def _study_bounds(districts: gpd.GeoDataFrame, *plans):
    bounds = [districts.total_bounds] + [p.partnerships.total_bounds for p in plans]
    lo = [min(b[i] for b in bounds) for i in (0, 1)]
    hi = [max(b[i] for b in bounds) for i in (2, 3)]
    return [*lo, *hi]


def _need_view(fmap: folium.Map, plan, partnerships: folium.FeatureGroup) -> str:
    """Add the need view (pupils eligible for free school meals, by partnership) when the plan has the figures,
    on its own pane under the partnerships; its legend's HTML, or ``""``.
    """
    found = need_layer(plan.partnerships, "fsm_pct", need_source_note(plan.details.get("need")))
    if found is None:
        return ""
    layer, legend = found
    folium.map.CustomPane(NEED_PANE, z_index=NEED_PANE_Z).add_to(fmap)
    layer.add_to(fmap)
    toggle_script(fmap, layer, partnerships)
    return legend


def configuration_map(
    plan,
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    colours: list[str] | None = None,
    neighbours: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
) -> folium.Map:
    """Map of one configuration: numbered partnerships, district outlines, schools, legend and search box.

    Parameters
    ----------
    plan
        The configuration.
    schools, districts
        Schools and study-area districts (EPSG:27700).
    colours
        Partnership colours (row order), e.g. from :func:`partition.report.maps.colours.run_colours`, so the
        partnership has the same colour in every map of a run; default :func:`colour_partnerships`.
    neighbours
        Neighbouring authorities drawn for context (:func:`partition.report.maps.context.neighbouring_districts`).
    basemap
        ``"osm"`` for online OpenStreetMap tiles (attributed), ``None`` or ``"none"`` for none.

    Returns
    -------
    folium.Map
        Write it with :func:`partition.report.maps.page.write_map`.
    """
    colours = colours or colour_partnerships(plan.partnerships)
    bounds = _study_bounds(districts, plan)
    fmap = _base_map(bounds, districts, schools, neighbours, basemap)
    title = plan_title(plan)
    add_page_style(fmap, title, bool(violation_warnings([plan])))
    shapes = partnership_layer(plan.partnerships, colours, "Partnerships")
    shapes.add_to(fmap)
    district_layer(districts).add_to(fmap)
    school_layer(schools, _partnership_of(plan)).add_to(fmap)
    _add_members(fmap, plan)
    legend = warnings_html([plan]) + legend_table(plan, colours) + _kinds_html(schools, plan) + NUMBERS_NOTE
    legend += _need_view(fmap, plan, shapes)
    config: dict = {}
    _finish(fmap, fmap, config, bounds, title, _subtitle(plan), [plan], legend)
    add_config(fmap, config)
    return fmap


def write_configuration_map(
    plan,
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    path: str | Path,
    *,
    colours: list[str] | None = None,
    neighbours: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
) -> WrittenMap:
    """Write :func:`configuration_map` of ``plan`` to ``path`` and say what was written.

    Parameters
    ----------
    plan
        The configuration.
    schools, districts, colours, neighbours, basemap
        As :func:`configuration_map` (geometries in EPSG:27700).
    path
        The HTML file to write (``<folder>/<name>/map.html`` in a run); its folder is created.

    Returns
    -------
    WrittenMap
        ``path``, kind ``"configuration"`` and the plan's name.
    """
    fmap = configuration_map(plan, schools, districts, colours=colours, neighbours=neighbours, basemap=basemap)
    return WrittenMap(write_map(fmap, path), "configuration", (plan.name,))


def layered_map(
    plans: list,
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    colours: dict[str, list[str]] | None = None,
    neighbours: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
) -> folium.Map:
    """Every configuration on one map, one at a time (radio buttons in the legend); legend and schools follow.

    Parameters
    ----------
    plans
        The configurations, the first shown first.
    schools, districts, neighbours, basemap
        As :func:`configuration_map`.
    colours
        Plan name -> colours; default: the first plan coloured, the others matched to it.

    Returns
    -------
    folium.Map
    """
    colours = colours or _matched(plans)
    bounds = _study_bounds(districts, *plans)
    fmap = _base_map(bounds, districts, schools, neighbours, basemap)
    title = f"{counted(len(plans), 'configuration')}, one at a time"
    add_page_style(fmap, title, bool(violation_warnings(plans)))
    radio = new_id("pt-config")
    titles = [plan_title(p) for p in plans]
    repeated = {t for t in titles if titles.count(t) > 1}
    titles = [f"{t} ({j + 1})" if t in repeated else t for j, t in enumerate(titles)]
    configs, choices, sections = [], [], []
    for i, plan in enumerate(plans):
        group = partnership_layer(plan.partnerships, colours[plan.name], plan_title(plan), show=i == 0, control=False)
        school_layer(schools, _partnership_of(plan), control=False).add_to(group)
        _add_members(group, plan, control=False)
        group.add_to(fmap)
        section = new_id("pt-section")
        checked = " checked" if i == 0 else ""
        hidden = "" if i == 0 else " style='display:none'"
        choices.append(
            f"<label><input type='radio' name='{radio}' value='{i}'{checked}> {html_text(titles[i])}</label>"
        )
        sections.append(
            f"<div id='{section}'{hidden}>{warnings_html([plan])}{legend_table(plan, colours[plan.name])}</div>"
        )
        configs.append({"layers": [group.get_name()], "legend": section})
    district_layer(districts).add_to(fmap)
    kinds = _kinds_html(schools, *plans)
    legend = f"<div class='pt-configs'><b>Show</b>{''.join(choices)}</div>{''.join(sections)}{kinds}{NUMBERS_NOTE}"
    config: dict = {}
    _finish(fmap, fmap, config, bounds, title, "Choose a configuration in the legend", plans, legend)
    config["maps"][fmap.get_name()].update({"configs": configs, "radio": radio})
    add_config(fmap, config)
    return fmap


def _matched(plans: list) -> dict[str, list[str]]:
    return run_colours(plans)


def side_by_side_map(
    a,
    b,
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    colours: dict[str, list[str]] | None = None,
    neighbours: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
) -> folium.plugins.DualMap:
    """Two configurations side by side with synchronised pan and zoom (legends start closed).

    Parameters as :func:`layered_map` (``colours`` by plan name).
    """
    colours = colours or _matched([a, b])
    bounds = _study_bounds(districts, a, b)
    (s, w), (n, e) = wgs84_bounds(bounds)
    dual = folium.plugins.DualMap(location=[(s + n) / 2, (w + e) / 2], zoom_start=9, tiles=None, **MAP_OPTIONS)
    add_page_style(dual, f"{plan_title(a)} and {plan_title(b)}, side by side", bool(violation_warnings([a, b])))
    config: dict = {}
    for fmap, plan in ((dual.m1, a), (dual.m2, b)):
        add_context(fmap, districts, schools, neighbours, basemap)
        partnership_layer(plan.partnerships, colours[plan.name], "Partnerships").add_to(fmap)
        district_layer(districts).add_to(fmap)
        school_layer(schools, _partnership_of(plan)).add_to(fmap)
        _add_members(fmap, plan)
        legend = (
            warnings_html([plan]) + legend_table(plan, colours[plan.name]) + _kinds_html(schools, plan) + NUMBERS_NOTE
        )
        _finish(dual, fmap, config, bounds, plan_title(plan), "", [plan], legend)
    dual.get_root().header.add_child(RawHTML(stacked_css(dual.m1.get_name(), dual.m2.get_name())))
    add_config(dual, config)
    return dual


STACK_BELOW_PX = 800
"""Side by side maps are stacked (one above the other) in windows narrower than this."""


def stacked_css(first: str, second: str) -> str:
    """CSS that stacks two side-by-side maps (element ids, never data) on narrow screens.

    Parameters
    ----------
    first, second
        The element ids of the left and right maps (folium's ``get_name()``).

    Returns
    -------
    str
        A ``<style>`` element: below :data:`STACK_BELOW_PX` px the first map takes the top half
        of the window, the second the bottom half.
    """
    full = "width:100% !important;height:50% !important;left:0 !important"
    return (
        f"<style>@media (max-width: {STACK_BELOW_PX - 1}px){{"
        f"#{first}{{{full};top:0 !important}}#{second}{{{full};top:50% !important}}}}</style>"
    )


def changes(a, b) -> dict[int, str]:
    """URN -> what changes for the school from ``a`` to ``b``, for every school of ``a``.

    The text is :func:`partition.report.maps.changes.change_sentence` ("12 of your 47 partner schools stay with
    you; ..."; "unchanged: ..." only when the school's partnership has exactly the same schools).

    Parameters
    ----------
    a, b
        Plans of the same schools (``a`` normally today's arrangement).

    Returns
    -------
    dict of int to str
        Plain text (not escaped) per URN.

    Raises
    ------
    ValueError
        When a school of ``a`` has no partnership in ``b`` (see :func:`partition.report.maps.changes.school_changes`).
    """
    table = school_changes(a, b)
    return {int(u): change_sentence(r) for u, r in zip(table.index, table.itertuples())}


def _changes_popups(a, b, table) -> dict[int, dict[str, str]]:
    numbers = dict(zip(b.partnerships["id"], partnership_numbers(b.partnerships)))
    today = "today" if a.solver == CURRENT_SOLVER else "before"
    return {
        int(u): {
            today: f"{r.from_name} ({counted(r.from_schools, 'school')})",
            "proposed": f"{numbers.get(r.to_id, '')} {r.to_name} ({counted(r.to_schools, 'school')})",
            "change": change_sentence(r),
        }
        for u, r in zip(table.index, table.itertuples())
    }


def _member_moves(a, b, before: str) -> dict[int, dict[str, str]]:
    """URN -> the member's partnership in ``a`` (under ``before``) and in ``b`` (``proposed``), from each plan's
    ``members`` table (a member moves with the area it stands in); ``"—"`` when ``a`` does not list it.
    """
    then = _member_partnership_of(a)
    now = _member_partnership_of(b)
    return {u: {before: then.get(u, "—").strip() or "—", "proposed": now[u]} for u in now}


def difference_map(
    a,
    b,
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    colours: dict[str, list[str]] | None = None,
    neighbours: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
) -> folium.Map:
    """What changes from ``a`` (normally today's arrangement) to ``b``, for every school.

    ``b``'s partnerships, ``a``'s boundaries drawn over them; every school's popup gives its partnership in
    ``a`` and in ``b`` (name, schools) and how many of its partner schools stay with it
    (:func:`partition.report.maps.changes.school_changes`: membership, no matching). Schools whose partnership in
    ``b`` takes schools from two or more partnerships of ``a`` (crosses one of its boundaries) are marked in
    :data:`~partition.report.maps.colours.CHANGED_COLOUR`. The subtitle's figures are those of
    :func:`partition.report.maps.changes.summarise`.

    Parameters as :func:`layered_map` (``colours`` by plan name).
    """
    colours = colours or _matched([a, b])
    table = school_changes(a, b)
    summary = summarise(table)
    current = a.solver == CURRENT_SOLVER
    title = changes_title(a, b)
    boundary = "a district boundary" if current else f"a boundary of {plan_title(a)}"
    subtitle = summary.sentence(boundary)
    bounds = _study_bounds(districts, a, b)
    fmap = _base_map(bounds, districts, schools, neighbours, basemap)
    add_page_style(fmap, title, bool(violation_warnings([a, b])))
    partnership_layer(b.partnerships, colours[b.name], "Proposed partnerships").add_to(fmap)
    before = "Today's boundaries (districts)" if current else f"Boundaries of {plan_title(a)}"
    district_layer(a.partnerships[["name", "geometry"]], name=before, weight=3).add_to(fmap)
    popups = _changes_popups(a, b, table)
    fields = {"today" if current else "before": "Today" if current else "Before", "proposed": "Proposed"}
    fields["change"] = "What changes"
    crossing = set(table.index[table["crosses"]])
    marked = schools["URN"].astype(int).isin(crossing)
    kw = {"extra": popups, "extra_fields": fields}
    layers = [(~marked, "Other schools", None), (marked, f"Schools in a partnership across {boundary}", CHANGED_COLOUR)]
    for rows, name, highlight in layers:
        if rows.any():  # folium cannot build the popups of an empty layer
            school_layer(schools[rows], None, name=name, highlight=highlight, **kw).add_to(fmap)
    note = (
        f"<div class='pt-note'><span class='pt-dot' style='background:{CHANGED_COLOUR};border:2px solid #000'></span> "
        f"<b>{counted(summary.crossing, 'school')}</b> would be in a partnership that crosses {html_text(boundary)} "
        f"(it takes schools from two or more of {'today' if current else html_text(plan_title(a))}'s partnerships). "
        f"Dashed lines: {html_text(before.lower())}. Click any school to see its partnership "
        f"{'today' if current else 'before'} and proposed, and how many of its partner schools stay with it.</div>"
    )
    if len(b.members):
        today = "today" if current else "before"
        moves = _member_moves(a, b, today)
        member_layer(b.members, None, extra=moves, extra_fields={today: fields[today], "proposed": "Proposed"}).add_to(
            fmap
        )
    legend = warnings_html([a, b]) + note + legend_table(b, colours[b.name]) + _kinds_html(schools, b) + NUMBERS_NOTE
    config: dict = {}
    _finish(fmap, fmap, config, bounds, title, subtitle, [a, b], legend)
    add_config(fmap, config)
    return fmap


def write_comparison_maps(
    plans: list,
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    out_dir: str | Path,
    *,
    current=None,
    colours: dict[str, list[str]] | None = None,
    neighbours: gpd.GeoDataFrame | None = None,
    basemap: str | None = None,
) -> list[WrittenMap]:
    """The comparison maps of a run.

    Side by side for each consecutive pair of ``plans``; one "what changes" map per plan
    against ``current`` (today's arrangement; without it, for each consecutive pair);
    and, with two or more configurations, ``all-configurations.html`` (today's arrangement last).

    Parameters
    ----------
    plans
        Proposals.
    schools, districts, neighbours, basemap
        As :func:`configuration_map`.
    out_dir
        Folder to write to.
    current
        Today's arrangement (:func:`partition.planning.planner.district_plan`), or ``None``.
    colours
        Plan name -> colours for every plan (including ``current``); default computed here.

    Returns
    -------
    list of WrittenMap
        The files written, in that order, each with its kind and the configurations it shows; file names
        made of the plans' names by :func:`partition.core.filenames.safe_name` (unchanged for partition's names).

    Raises
    ------
    UnsafeNameError
        When a plan's name leaves no file name, or a file would be outside ``out_dir``.
    """
    out_dir = Path(out_dir)
    everything = plans + ([current] if current is not None else [])
    colours = colours or _matched(everything)
    kw = {"colours": colours, "neighbours": neighbours, "basemap": basemap}
    written = []
    for a, b in zip(plans, plans[1:]):
        fmap = side_by_side_map(a, b, schools, districts, **kw)
        path = write_map(fmap, path_inside(out_dir, f"side-by-side_{safe_name(a.name)}_{safe_name(b.name)}.html"))
        written.append(WrittenMap(path, "side-by-side", (a.name, b.name)))
    pairs = [(current, p) for p in plans] if current is not None else list(zip(plans, plans[1:]))
    for a, b in pairs:
        fmap = difference_map(a, b, schools, districts, **kw)
        path = write_map(fmap, path_inside(out_dir, f"changes_{safe_name(a.name)}_to_{safe_name(b.name)}.html"))
        written.append(WrittenMap(path, "changes", (a.name, b.name)))
    if len(everything) > 1 and len(plans) > 1:
        path = write_map(layered_map(everything, schools, districts, **kw), out_dir / "all-configurations.html")
        written.append(WrittenMap(path, "all-configurations", tuple(p.name for p in everything)))
    return written


__all__ = [
    "changes",
    "configuration_map",
    "difference_map",
    "layered_map",
    "legend_table",
    "plan_title",
    "side_by_side_map",
    "write_comparison_maps",
    "write_configuration_map",
]
