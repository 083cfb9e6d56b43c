"""The layers of a map: land and neighbours, partnerships with numbered labels, districts, towns, schools."""

from __future__ import annotations

import json

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from partition.core.htmltext import html_properties, html_text

KIND_STYLE = {
    "primary": ("#ffffff", 3),
    "middle": ("#c7e9c0", 4),
    "secondary": ("#000000", 6),
    "all-through": ("#6a3d9a", 6),
    "college": ("#b15928", 6),
    "special": ("#fb9a99", 4),
    "pru": ("#fdbf6f", 4),
    "other": ("#cccccc", 3),
}
SIMPLIFY_M = 25.0
LAND = "#f5f3ec"
LAND_PANE = "ptLand"
PARTNERSHIP_OPACITY = 0.55
BASEMAPS = {
    "osm": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
    )
}
"""Online base maps offered by ``--basemap`` (URL template, attribution)."""


def geojson_for_html(gdf: gpd.GeoDataFrame) -> dict:
    """A GeoDataFrame as a GeoJSON dict whose string properties are safe in folium's HTML and templates.

    Parameters
    ----------
    gdf
        Features to show (any CRS folium accepts, normally EPSG:4326); keep only
        the columns the map needs.

    Returns
    -------
    dict
        GeoJSON FeatureCollection; every string property has passed through
        :func:`~partition.core.htmltext.html_text`.
    """
    data = json.loads(gdf.to_json())
    for feature in data["features"]:
        feature["properties"] = html_properties(feature.get("properties") or {})
    return data


def display(gdf: gpd.GeoDataFrame, tolerance_m: float = SIMPLIFY_M) -> gpd.GeoDataFrame:
    """Simplified WGS84 copy for display only.

    Parameters
    ----------
    gdf
        Features in a projected CRS in metres (EPSG:27700).
    tolerance_m
        Simplification tolerance (m; topology preserved per geometry).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy in EPSG:4326 (longitude, latitude); other columns as they are.
    """
    out = gdf.copy()
    out["geometry"] = out.geometry.simplify(tolerance_m, preserve_topology=True)
    return out.to_crs(4326)


def wgs84_bounds(bounds_27700: np.ndarray) -> list[list[float]]:
    """``[[south, west], [north, east]]`` of British National Grid bounds.

    Parameters
    ----------
    bounds_27700
        ``(minx, miny, maxx, maxy)`` in British National Grid metres (EPSG:27700).

    Returns
    -------
    list of list of float
        The box reprojected to WGS84 (EPSG:4326), in degrees, as Leaflet's ``fitBounds`` takes it.
    """
    minx, miny, maxx, maxy = gpd.GeoSeries([shapely.box(*bounds_27700)], crs=27700).to_crs(4326).total_bounds
    return [[float(miny), float(minx)], [float(maxy), float(maxx)]]


def _label(x: float, y: float, html: str) -> folium.Marker:
    return folium.Marker([y, x], icon=folium.DivIcon(html=html, icon_size=(0, 0)), interactive=False)


def basemap_layer(basemap: str | None) -> folium.TileLayer | None:
    """The online base map asked for (``"osm"``), drawn above the offline land and below everything else.

    When its tiles cannot be loaded the offline land, sea and context still show.

    Parameters
    ----------
    basemap
        A key of :data:`BASEMAPS` (``"osm"``), or ``None``/``"none"`` for none.

    Returns
    -------
    folium.TileLayer or None
        The tile layer (85 % opaque, attributed, listed in the layer control), or None.

    Raises
    ------
    KeyError
        When ``basemap`` is not a key of :data:`BASEMAPS`.
    """
    if not basemap or basemap == "none":
        return None
    url, attribution = BASEMAPS[basemap]
    return folium.TileLayer(url, attr=attribution, name="Base map (online)", overlay=True, control=True, opacity=0.85)


def land_layer(districts: gpd.GeoDataFrame, neighbours: gpd.GeoDataFrame | None) -> folium.GeoJson:
    """Land (the study area and its neighbours) on its own pane under the tiles: the sea is the background.

    Parameters
    ----------
    districts
        The study area's districts (polygons, EPSG:27700).
    neighbours
        Neighbouring authorities (any CRS; reprojected to that of ``districts``), or None.

    Returns
    -------
    folium.GeoJson
        One non-interactive layer on :data:`LAND_PANE` (all land dissolved into one shape, no inner
        boundaries), simplified to 100 m, filled :data:`LAND`.
    """
    parts = [districts[["geometry"]]]
    if neighbours is not None and len(neighbours):
        parts.append(neighbours[["geometry"]].to_crs(districts.crs))
    every = pd.concat(parts, ignore_index=True).geometry.to_numpy()
    land = gpd.GeoDataFrame(geometry=[shapely.union_all(shapely.make_valid(every))], crs=districts.crs)
    return folium.GeoJson(
        geojson_for_html(display(land, 100.0)),
        name="Land",
        control=False,
        interactive=False,
        pane=LAND_PANE,
        style_function=lambda f: {"fillColor": LAND, "fillOpacity": 1, "stroke": False},
    )


def neighbours_layer(neighbours: gpd.GeoDataFrame, outline: shapely.Geometry) -> folium.FeatureGroup:
    """Neighbouring authorities: thin grey outlines and their names, placed near the study area.

    Parameters
    ----------
    neighbours
        Neighbouring authorities with ``name`` (polygons, in the CRS of ``outline``, metres).
    outline
        The study area's outline (same CRS); each name is placed within 8 km of it.

    Returns
    -------
    folium.FeatureGroup
        For each authority within 8 km of the outline, its outline (simplified to 100 m) and its
        name (escaped by ``html_text``); land farther out is drawn by :func:`land_layer` only.
    """
    group = folium.FeatureGroup(name="Neighbouring areas")
    near = neighbours.geometry.intersection(outline.buffer(8_000))
    shown = display(neighbours.loc[(near.area > 0).to_numpy(), ["name", "geometry"]], 100.0)
    folium.GeoJson(
        geojson_for_html(shown),
        interactive=False,
        style_function=lambda f: {"color": "#8a8f99", "weight": 1, "fill": False},
    ).add_to(group)
    points = gpd.GeoSeries(near.representative_point(), crs=neighbours.crs).to_crs(4326)
    for name, pt, area in zip(neighbours["name"], points, near.area):
        if area > 0:
            _label(pt.x, pt.y, f'<div class="pt-area" data-rank="100000">{html_text(name)}</div>').add_to(group)
    return group


def towns_layer(places: pd.DataFrame, crs) -> folium.FeatureGroup:
    """Town names (from :func:`partition.report.maps.context.towns`), ranked by their number of schools.

    Parameters
    ----------
    places
        One row per town: ``name``, ``x``, ``y`` (in ``crs``) and ``schools`` (count, the label's rank).
    crs
        The CRS of ``x`` and ``y`` (normally EPSG:27700).

    Returns
    -------
    folium.FeatureGroup
        One text label per town (escaped by ``html_text``); empty when ``places`` is.
    """
    group = folium.FeatureGroup(name="Towns")
    if len(places):
        points = gpd.GeoSeries(gpd.points_from_xy(places["x"], places["y"]), crs=crs).to_crs(4326)
        for row, pt in zip(places.itertuples(), points):
            html = f'<div class="pt-town" data-rank="{int(row.schools)}">{html_text(row.name)}</div>'
            _label(pt.x, pt.y, html).add_to(group)
    return group


def district_layer(districts: gpd.GeoDataFrame, name: str = "District boundaries", weight: float = 1.5):
    """District outlines (dashed), named in a tooltip.

    Parameters
    ----------
    districts
        Polygons with ``name`` (EPSG:27700), e.g. the ONS districts or a plan's partnerships.
    name
        The layer's name in the layer control.
    weight
        Line width (px).

    Returns
    -------
    folium.GeoJson
        The outlines, simplified to :data:`SIMPLIFY_M` and in WGS84; names escaped by ``html_text``.
    """
    d = display(districts[["name", "geometry"]])
    return folium.GeoJson(
        geojson_for_html(d),
        name=html_text(name),
        style_function=lambda f: {"color": "#222", "weight": weight, "dashArray": "6 4", "fill": False},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    )


def partnership_numbers(partnerships: gpd.GeoDataFrame) -> list[int]:
    """The number each partnership carries on the map and in the legend: its row position, from 1.

    Parameters
    ----------
    partnerships
        A plan's partnerships, in their order (sorted by id ``P01``..., so the numbers match the ids).

    Returns
    -------
    list of int
        ``1 .. len(partnerships)``.
    """
    return list(range(1, len(partnerships) + 1))


def _partnership_props(p: gpd.GeoDataFrame, colours: list[str]) -> gpd.GeoDataFrame:
    props = pd.DataFrame(
        {
            "id": p["id"],
            "number": partnership_numbers(p),
            "name": p["name"].astype(str),
            "schools": p["schools"].astype(int),
            "pupils": p["pupils"].astype(int),
            "deviation": (p["deviation"] * 100).round(1).astype(str) + " %",
            "districts": p["districts"].astype(str),
            "colour": colours,
        }
    )
    if "fsm_pct" in p:  # local need (partition.data.need): the need view's value, in the partnership's tooltip
        props["fsm"] = [f"{v:.1f} %" if pd.notna(v) else "not published" for v in p["fsm_pct"]]
    return gpd.GeoDataFrame(props, geometry=p.geometry.to_numpy(), crs=4326)


def label_points(geometries: gpd.GeoSeries, tolerance_m: float = 50.0) -> np.ndarray:
    """Where each partnership's label goes: the pole of inaccessibility of its largest part.

    The centre of the largest circle inside the largest polygon (:func:`shapely.maximum_inscribed_circle`),
    so a label sits well inside its own partnership, never in a sliver or on a neighbour, and where the
    most room is around it.

    Parameters
    ----------
    geometries
        Polygons or multipolygons (projected, metres).
    tolerance_m
        Precision of the search (m).

    Returns
    -------
    numpy.ndarray
        Shapely points, one per geometry.
    """
    parts = []
    for geom in geometries:
        polys = list(getattr(geom, "geoms", [geom]))
        parts.append(max(polys, key=lambda g: g.area))
    centres = shapely.get_point(shapely.maximum_inscribed_circle(np.array(parts), tolerance_m), 0)
    return np.asarray(centres)


def label_html(number: int, name: str, colour: str, pupils: int) -> str:
    """A partnership's label: its number (in a badge of its colour) and its name, which may give way to others.

    Parameters
    ----------
    number
        The partnership's number on the map.
    name
        Its name (escaped here by ``html_text``).
    colour
        Its colour (a hex code made by this package, not data).
    pupils
        Its pupils: larger partnerships' names win when labels collide.

    Returns
    -------
    str
        HTML for a :class:`folium.DivIcon`.
    """
    return (
        f'<div class="pt-tag" data-rank="{1_000_000 + int(pupils)}"><span class="pt-num" style="border-color:{colour}">'
        f'{number}</span><span class="pt-label">{html_text(name)}</span></div>'
    )


def partnership_layer(
    partnerships: gpd.GeoDataFrame, colours: list[str], name: str, show: bool = True, control: bool = True
) -> folium.FeatureGroup:
    """Partnerships as filled polygons with numbered labels, tooltips and popups.

    Parameters
    ----------
    partnerships
        A plan's partnerships (EPSG:27700) with ``id``, ``name``, ``schools``, ``pupils``,
        ``deviation`` (fraction) and ``districts``.
    colours
        One fill colour per partnership, in row order.
    name
        The layer's name in the layer control.
    show
        Whether the layer is shown when the page opens.
    control
        Whether the layer control lists it.

    Returns
    -------
    folium.FeatureGroup
        The polygons (simplified to :data:`SIMPLIFY_M`, WGS84; every text escaped by ``html_text``)
        and one label per partnership at the pole of inaccessibility of its largest part.
    """
    group = folium.FeatureGroup(name=html_text(name), show=show, control=control)
    gj = _partnership_props(display(partnerships), colours)
    folium.GeoJson(
        geojson_for_html(gj),
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": "#ffffff",
            "weight": 1.2,
            "fillOpacity": PARTNERSHIP_OPACITY,
        },
        highlight_function=lambda f: {"weight": 3, "fillOpacity": 0.75},
        tooltip=folium.GeoJsonTooltip(
            fields=["number", "name", "schools", "pupils", *(["fsm"] if "fsm" in gj else [])],
            aliases=["No.", "Partnership", "Schools", "Pupils", *(["Free school meals"] if "fsm" in gj else [])],
        ),
        popup=folium.GeoJsonPopup(
            fields=["number", "name", "schools", "pupils", "deviation", "districts", *(["fsm"] if "fsm" in gj else [])],
            aliases=[
                "No.",
                "Partnership",
                "Schools",
                "Pupils",
                "Pupils vs average",
                "Districts",
                *(["Free school meals"] if "fsm" in gj else []),
            ],
        ),
    ).add_to(group)
    points = gpd.GeoSeries(label_points(partnerships.geometry), crs=partnerships.crs).to_crs(4326)
    for row, pt, colour in zip(gj.itertuples(), points, colours):
        _label(pt.x, pt.y, label_html(row.number, row.name, colour, row.pupils)).add_to(group)
    return group


def _school_feature(row, partnership: str | None, extra: dict[str, str], highlight: str | None) -> dict:
    colour, radius = KIND_STYLE.get(row.kind, KIND_STYLE["other"])
    if highlight:
        colour, radius = highlight, radius + 3
    props = {
        "name": str(row.name),
        "URN": str(int(row.URN)),
        "phase": str(row.phase if hasattr(row, "phase") else row.kind),
        "pupils": int(row.pupils),
        "district": str(row.district),
        "colour": colour,
        "radius": radius,
    }
    if partnership is not None:
        props["partnership"] = partnership
    props.update(extra)
    return {
        "type": "Feature",
        "properties": html_properties(props),
        "geometry": {"type": "Point", "coordinates": [row.geometry.x, row.geometry.y]},
    }


def school_layer(
    schools: gpd.GeoDataFrame,
    partnership_of: dict[int, str] | None,
    name: str = "Schools",
    extra: dict[int, dict[str, str]] | None = None,
    highlight: str | None = None,
    control: bool = True,
    extra_fields: dict[str, str] | None = None,
) -> folium.GeoJson:
    """School markers (fill by kind, or ``highlight``); popups give name, URN, phase, pupils, partnership, district.

    Parameters
    ----------
    schools
        Schools (EPSG:27700).
    partnership_of
        URN -> partnership shown in the popup; ``None`` leaves the field out.
    name
        Layer name.
    extra, extra_fields
        URN -> {field: text} added to each popup, and field -> label in popup order
        (e.g. ``{"today": "Today"}``); every school must have every field.
    highlight
        Marker fill for all these schools instead of their kind's.
    control
        Whether the layer control lists the layer.

    Raises
    ------
    KeyError
        When a school has no entry in ``extra`` (nothing is left to a default such as "unchanged").
    """
    pts = schools.to_crs(4326)
    extra_fields = extra_fields or {}
    features = [
        _school_feature(
            row,
            None if partnership_of is None else str(partnership_of.get(int(row.URN), "")),
            {k: str(extra[int(row.URN)][k]) for k in extra_fields} if extra is not None else {},
            highlight,
        )
        for row in pts.itertuples()
    ]
    head = ["name", "URN", "phase", "pupils"] + (["partnership"] if partnership_of is not None else []) + ["district"]
    labels = {"name": "School", "URN": "URN", "phase": "Phase", "pupils": "Pupils"}
    labels.update({"partnership": "Partnership", "district": "District"}, **extra_fields)
    fields = head + list(extra_fields)
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html_text(name),
        control=control,
        marker=folium.CircleMarker(radius=4, weight=1, fill=True, fill_opacity=0.95),
        style_function=lambda f: {
            "color": "#000" if f["properties"]["colour"] == highlight else "#333",
            "fillColor": f["properties"]["colour"],
            "radius": f["properties"]["radius"],
            "weight": 2.5 if f["properties"]["colour"] == highlight else 1,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        popup=folium.GeoJsonPopup(fields=fields, aliases=[labels[f] for f in fields], labels=True),
    )


MEMBER_STYLE = {
    "college": ("#ff7f00", "square"),
    "special": ("#e7298a", "diamond"),
    "pru": ("#00bcd4", "triangle"),
}
"""Each member kind's symbol (fill, shape): colleges, special schools and pupil referral units are drawn as
squares, diamonds and triangles, never as the schools' dots, with a dark edge on a white halo."""

MEMBER_SIZE = 16
"""Width and height (px) of a member's symbol on the map."""

MEMBER_LAYER = "Colleges and special schools"
"""The members' layer in the layer control."""

_SHAPES = {
    "square": "<rect x='3' y='3' width='{w}' height='{w}'/>",
    "diamond": "<polygon points='{h},1 {e},{h} {h},{e} 1,{h}'/>",
    "triangle": "<polygon points='{h},1.5 {e},{e} 1,{e}'/>",
}


def member_symbol(kind: str, size: int = MEMBER_SIZE) -> str:
    """A member kind's symbol as inline SVG (constant text made here, never data).

    Parameters
    ----------
    kind
        ``"college"``, ``"special"`` or ``"pru"`` (a key of :data:`MEMBER_STYLE`; others draw as a college).
    size
        Width and height (px).

    Returns
    -------
    str
        An ``<svg class="pt-mem">``: the shape with a white halo, filled with the kind's colour, a dark edge.
    """
    colour, shape = MEMBER_STYLE.get(kind, MEMBER_STYLE["college"])
    body = _SHAPES[shape].format(w=size - 6, h=size / 2, e=size - 1)
    return (
        f"<svg class='pt-mem' width='{size}' height='{size}' viewBox='0 0 {size} {size}' aria-hidden='true'>"
        f"<g fill='none' stroke='#fff' stroke-width='3.5' stroke-linejoin='round'>{body}</g>"
        f"<g fill='{colour}' stroke='#222' stroke-width='1.3' stroke-linejoin='round'>{body}</g></svg>"
    )


def member_kind_words(kind: str) -> str:
    """A member kind in words, capitalised: ``"College"``, ``"Special school"``, ``"Pupil referral unit"``.

    Parameters
    ----------
    kind
        A member kind (``college``, ``special``, ``pru``).

    Returns
    -------
    str
        Plain text (not escaped).
    """
    from partition.data.members import KIND_WORDS

    words = KIND_WORDS.get(kind, (str(kind), str(kind)))[0]
    return words[:1].upper() + words[1:]


def member_numbers(kind: str, pupils: object) -> tuple[str, str] | None:
    """The popup row of a member's numbers: label and value, in plain words.

    Parameters
    ----------
    kind
        The member's kind.
    pupils
        Its pupils (a college's 16-18 students), or a missing value (``None``, ``pd.NA``, NaN).

    Returns
    -------
    tuple of str, or None
        ``("16–18 students", "4,935")`` or ``("16–18 students", "not published")`` for a college;
        ``("Pupils", "120")`` for another member whose number is known; None otherwise.
    """
    known = pupils is not None and not pd.isna(pupils)
    if kind == "college":
        return "16–18 students", f"{int(pupils):,}" if known else "not published"
    return ("Pupils", f"{int(pupils):,}") if known else None


def _member_rows(row, partnership: str | None, extra: dict[str, str], extra_fields: dict[str, str]) -> dict:
    """Ordered popup rows (label -> field, value) of one member; empty values are left out."""
    kind = str(row.kind)
    words = member_kind_words(kind)
    rows: dict[str, tuple[str, str]] = {
        "name": (words, str(row.name)),
        "URN": ("URN", str(int(row.URN))),
        "kind": ("Kind", f"{words} (not counted in pupils)"),
        "type": ("Type", "" if pd.isna(row.type) else str(row.type)),
    }
    numbers = member_numbers(kind, row.pupils)
    if numbers is not None:
        rows["pupils"] = numbers
    if partnership is not None:
        rows["partnership"] = ("Partnership", partnership)
    rows["district"] = ("District", "" if pd.isna(row.district) else str(row.district))
    for field, label in extra_fields.items():
        rows[field] = (label, str(extra.get(field, "")))
    also = "" if pd.isna(getattr(row, "also_serves", "")) else str(getattr(row, "also_serves", ""))
    if also:
        rows["also"] = (f"Also the nearest {words.lower()} for", also.replace("; ", ", "))
    rows["moves"] = ("Belongs to", "the partnership whose area it stands in")
    return {k: v for k, v in rows.items() if v[1] != ""}


def member_layer(
    members: pd.DataFrame,
    partnership_of: dict[int, str] | None,
    name: str = MEMBER_LAYER,
    extra: dict[int, dict[str, str]] | None = None,
    extra_fields: dict[str, str] | None = None,
    control: bool = True,
) -> folium.FeatureGroup:
    """Colleges, special schools and PRUs: one symbol per kind (:func:`member_symbol`), tooltips and popups.

    Parameters
    ----------
    members
        A plan's members (:attr:`partition.model.plan.Plan.members`: ``URN``, ``name``, ``kind``, ``type``,
        ``pupils``, ``district``, ``also_serves``, ``easting``/``northing`` in EPSG:27700 metres).
    partnership_of
        URN -> partnership shown in the popup (e.g. ``"7 Eastleigh"``); ``None`` leaves the row out.
    name
        Layer name.
    extra, extra_fields
        URN -> {field: text} added to each popup, and field -> label in popup order
        (e.g. ``{"today": "Today"}``).
    control
        Whether the layer control lists the layer.

    Returns
    -------
    folium.FeatureGroup
        One marker per member above the schools' dots; each tooltip gives its name and kind, each popup its
        name, URN, kind ("not counted in pupils"), type, students or pupils, partnership, district and the
        partnerships it is also the nearest of its kind for. Every text passes through ``html_text``.
    """
    group = folium.FeatureGroup(name=html_text(name), control=control)
    if members.empty:
        return group
    points = gpd.GeoSeries(gpd.points_from_xy(members["easting"], members["northing"]), crs=27700).to_crs(4326)
    extra_fields = extra_fields or {}
    layers: dict[tuple, list[dict]] = {}
    labels: dict[tuple, list[str]] = {}
    for row, pt in zip(members.itertuples(), points):
        urn = int(row.URN)
        partnership = None if partnership_of is None else str(partnership_of.get(urn, ""))
        rows = _member_rows(row, partnership, (extra or {}).get(urn, {}), extra_fields)
        props = {field: value for field, (_, value) in rows.items()}
        props["tip"] = f"{props['name']} ({member_kind_words(str(row.kind)).lower()})"
        key = (str(row.kind), tuple(rows))
        labels[key] = [label for label, _ in rows.values()]
        feature = {"type": "Feature", "properties": html_properties(props)}
        feature["geometry"] = {"type": "Point", "coordinates": [pt.x, pt.y]}
        layers.setdefault(key, []).append(feature)
    for (kind, fields), features in layers.items():
        icon = folium.DivIcon(
            html=member_symbol(kind),
            icon_size=(MEMBER_SIZE, MEMBER_SIZE),
            icon_anchor=(MEMBER_SIZE // 2, MEMBER_SIZE // 2),
            class_name="pt-mem-icon",
        )
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            marker=folium.Marker(icon=icon, z_index_offset=-100_000),
            tooltip=folium.GeoJsonTooltip(fields=["tip"], labels=False),
            popup=folium.GeoJsonPopup(
                fields=list(fields), aliases=[html_text(a) for a in labels[(kind, fields)]], labels=True
            ),
        ).add_to(group)
    return group
