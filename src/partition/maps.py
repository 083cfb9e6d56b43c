"""Consultation maps: single-file, offline, escaped HTML made with folium.

Every map is one HTML file: Leaflet's JavaScript and CSS (vendored, BSD-2) are
inlined and folium's other CDN dependencies are left out, so the file works
offline when double-clicked. Base tiles are off by default (they need a
network); the map then shows partnerships, district outlines and schools on a
plain background.

Every text that comes from data (school, town, partnership, district and
configuration names) reaches the page only through
:func:`partition.htmltext.html_text`, which neutralises HTML *and* template
syntax: folium renders each element's output as a second Jinja template, so
``{{ ... }}`` in a school's name would otherwise be evaluated while the map is
written. GeoJSON properties pass through :func:`~partition.htmltext.html_properties`;
the page's own HTML (titles, legend) is added as raw HTML that is never
compiled as a template.

Partnership colours come from a greedy colouring of the partnerships'
adjacency (largest first, then saturation), so neighbouring partnerships never
share a colour.
"""

from __future__ import annotations

import base64
import json
import re
from importlib import resources
from pathlib import Path

import folium
import folium.plugins
import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely
from branca.element import Element

from partition.compare import match_partnerships
from partition.graph import shared_boundaries
from partition.htmltext import html_properties, html_text

PALETTE = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#aec7e8",
    "#ffbb78",
]
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

# Minimal stand-in for the Leaflet.Sync plugin used by folium's DualMap: keeps two maps' views equal.
SYNC_JS = """
L.Map.include({sync: function (other) {
  var self = this;
  this.on('move zoom', function () {
    if (self._syncBusy) { return; }
    other._syncBusy = true;
    other.setView(self.getCenter(), self.getZoom(), {animate: false, reset: true});
    other._syncBusy = false;
  });
  return this;
}});
"""


class RawHTML(Element):
    """HTML placed in the page as it is: unlike ``branca.element.Element(text)``, never compiled as a template.

    Any data inside ``text`` must already have passed through
    :func:`~partition.htmltext.html_text`.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs: object) -> str:
        """The HTML itself."""
        return self.text


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
        :func:`~partition.htmltext.html_text`.
    """
    data = json.loads(gdf.to_json())
    for feature in data["features"]:
        feature["properties"] = html_properties(feature.get("properties") or {})
    return data


def partnership_adjacency(partnerships: gpd.GeoDataFrame) -> nx.Graph:
    """Partnerships (by row position) that share a boundary (the units' adjacency rule)."""
    g = nx.Graph()
    g.add_nodes_from(range(len(partnerships)))
    g.add_edges_from((i, j) for i, j, _ in shared_boundaries(partnerships))
    return g


def colour_partnerships(partnerships: gpd.GeoDataFrame, palette: list[str] = PALETTE) -> list[str]:
    """One colour per partnership (row order) such that neighbours differ.

    DSATUR order (most differently-coloured neighbours first, then degree); each
    partnership takes, among the colours its neighbours do not use, the one used
    least so far, so the whole palette is spread over the map.
    """
    g = partnership_adjacency(partnerships)
    colours = list(palette)
    assigned: dict[int, int] = {}
    uses = [0] * len(colours)
    while len(assigned) < g.number_of_nodes():

        def saturation(v: int) -> tuple[int, int, int]:
            return (len({assigned[u] for u in g[v] if u in assigned}), g.degree(v), -v)

        v = max((v for v in g if v not in assigned), key=saturation)
        taken = {assigned[u] for u in g[v] if u in assigned}
        free = [c for c in range(len(colours)) if c not in taken]
        if not free:  # more colours needed than the palette has: add greys of varying lightness
            shade = 80 + (len(colours) * 37) % 150
            colours.append(f"#{shade:02x}{shade:02x}{shade:02x}")
            uses.append(0)
            free = [len(colours) - 1]
        c = min(free, key=lambda c: (uses[c], c))
        assigned[v] = c
        uses[c] += 1
    return [colours[assigned[i]] for i in range(len(partnerships))]


def _vendor(name: str) -> bytes:
    return resources.files("partition").joinpath("vendor/leaflet").joinpath(name).read_bytes()


def _inline_leaflet_css() -> str:
    css = _vendor("leaflet.css").decode()

    def data_uri(match: re.Match[str]) -> str:
        data = base64.b64encode(_vendor("images/" + match.group(1))).decode()
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)


def self_contained_html(fmap: folium.Map) -> str:
    """Render a folium map with Leaflet inlined and every other remote script or stylesheet removed."""
    text = fmap.get_root().render()
    js = _vendor("leaflet.js").decode()
    css = _inline_leaflet_css()

    def script(match: re.Match[str]) -> str:
        url = match.group(1)
        if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.js$", url):
            return f"<script>{js}</script>"
        if "L.Map.Sync" in url:
            return f"<script>{SYNC_JS}</script>"
        return ""

    def link(match: re.Match[str]) -> str:
        return f"<style>{css}</style>" if re.search(r"/leaflet(@[\d.]+)?/dist/leaflet\.css$", match.group(1)) else ""

    text = re.sub(r'<script src="(https?://[^"]+)"></script>', script, text)
    text = re.sub(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/>', link, text)
    return text


def write_map(fmap: folium.Map, path: str | Path) -> Path:
    """Write a self-contained HTML map (atomically)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(self_contained_html(fmap), encoding="utf-8")
    tmp.replace(path)
    return path


def _display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Simplified WGS84 copy for display only."""
    out = gdf.copy()
    out["geometry"] = out.geometry.simplify(SIMPLIFY_M, preserve_topology=True)
    return out.to_crs(4326)


def _wgs84_bounds(bounds_27700: np.ndarray) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = gpd.GeoSeries([shapely.box(*bounds_27700)], crs=27700).to_crs(4326).total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


WARNING_STYLE = "color:#b00000;font-weight:600"
"""Style of the warning a map shows for a configuration that does not meet its rules."""


def violation_warnings(plans: list, brief: bool = False) -> list[str]:
    """``"<name>: Does not meet the rules: ..."`` for each plan that breaks its spec (plain text, not yet escaped).

    ``brief`` leaves out the partnerships each rule names (see :meth:`partition.plan.Plan.warning`).
    """
    return [f"{p.name}: {p.warning(brief)}" for p in plans if hasattr(p, "warning") and p.warning()]


def warnings_html(plans: list, brief: bool = False) -> str:
    """The warnings of :func:`violation_warnings` as HTML paragraphs (every text through ``html_text``)."""
    return "".join(
        f"<div class='pt-warning' style='{WARNING_STYLE}'>⚠ {html_text(w)}</div>"
        for w in violation_warnings(plans, brief)
    )


def _add_title(fmap: folium.Map | folium.plugins.DualMap, title: str, warned: bool) -> None:
    """The page's ``<title>`` (the browser's title bar), marked when a configuration shown breaks its rules."""
    text = ("⚠ DOES NOT MEET THE RULES — " if warned else "") + title
    fmap.get_root().header.add_child(RawHTML(f"<title>{html_text(text)}</title>"))


def _base_map(bounds_27700: np.ndarray, tiles: str | None, title: str, plans: list | None = None) -> folium.Map:
    minx, miny, maxx, maxy = _wgs84_bounds(bounds_27700)
    fmap = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None, control_scale=True)
    if tiles:
        folium.TileLayer(tiles, name="Base map", control=True).add_to(fmap)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]])
    _add_style(fmap)
    warnings = warnings_html(plans or [], brief=True)
    _add_title(fmap, title, bool(warnings))
    fmap.get_root().html.add_child(
        RawHTML(
            "<div style='position:absolute;z-index:1000;top:8px;left:60px;max-width:60%;background:#fff;"
            "padding:4px 8px;border-radius:4px'>"
            f"<h1 style='margin:0;font:600 16px sans-serif'>{html_text(title)}</h1>"
            + (f"<div style='font:13px sans-serif'>{warnings}</div>" if warnings else "")
            + "</div>"
        )
    )
    return fmap


def _add_style(fmap: folium.Map | folium.plugins.DualMap) -> None:
    fmap.get_root().header.add_child(
        RawHTML(
            "<style>.leaflet-container{background:#f4f4f0}.pt-label{font:600 11px/1.2 sans-serif;color:#222;"
            "text-shadow:0 0 3px #fff,0 0 3px #fff;white-space:nowrap;transform:translate(-50%,-50%);pointer-events:none}"
            ".pt-legend{position:absolute;z-index:1001;top:130px;right:10px;max-width:380px;background:#fff;padding:8px 10px;"
            "max-height:60vh;overflow:auto;font:12px/1.35 sans-serif;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)}"
            ".pt-legend table{border-collapse:collapse}.pt-legend td{padding:1px 4px}"
            ".pt-swatch{display:inline-block;width:12px;height:12px;border:1px solid #555}</style>"
        )
    )


def add_legend(fmap: folium.Map, body: str) -> None:
    """Add a fixed legend box to the page; ``body`` is HTML whose data went through ``html_text``."""
    fmap.get_root().html.add_child(
        RawHTML(f'<div class="pt-legend"><details open><summary>Legend</summary>{body}</details></div>')
    )


def _school_layer(
    schools: gpd.GeoDataFrame,
    partnership_of: dict[int, str],
    name: str = "Schools",
    extra: dict[int, str] | None = None,
    highlight: str | None = None,
) -> folium.GeoJson:
    pts = schools.to_crs(4326)
    features = []
    for row in pts.itertuples():
        colour, radius = KIND_STYLE.get(row.kind, KIND_STYLE["other"])
        if highlight:
            colour, radius = highlight, radius + 3
        props = {
            "name": str(row.name),
            "URN": str(int(row.URN)),
            "phase": str(row.phase if hasattr(row, "phase") else row.kind),
            "pupils": int(row.pupils),
            "partnership": str(partnership_of.get(int(row.URN), "")),
            "district": str(row.district),
            "colour": colour,
            "radius": radius,
        }
        if extra is not None:
            props["change"] = str(extra.get(int(row.URN), "unchanged"))
        features.append(
            {
                "type": "Feature",
                "properties": html_properties(props),
                "geometry": {"type": "Point", "coordinates": [row.geometry.x, row.geometry.y]},
            }
        )
    fields = ["name", "URN", "phase", "pupils", "partnership", "district"] + (["change"] if extra is not None else [])
    aliases = ["School", "URN", "Phase", "Pupils", "Partnership", "District"] + (
        ["Change"] if extra is not None else []
    )
    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        name=html_text(name),
        marker=folium.CircleMarker(radius=4, weight=1, fill=True, fill_opacity=0.95),
        style_function=lambda f: {
            "color": "#333",
            "fillColor": f["properties"]["colour"],
            "radius": f["properties"]["radius"],
            "weight": 2 if f["properties"]["colour"] == highlight else 1,
        },
        highlight_function=lambda f: {"weight": 3, "color": "#000"},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
        popup=folium.GeoJsonPopup(fields=fields, aliases=aliases, labels=True),
    )


def _district_layer(districts: gpd.GeoDataFrame) -> folium.GeoJson:
    d = _display(districts[["name", "geometry"]])
    return folium.GeoJson(
        geojson_for_html(d),
        name="District boundaries",
        style_function=lambda f: {"color": "#222", "weight": 2, "dashArray": "6 4", "fill": False},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
    )


def _partnership_layer(
    partnerships: gpd.GeoDataFrame, colours: list[str], name: str, show: bool = True
) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=html_text(name), show=show)
    p = _display(partnerships)
    props = pd.DataFrame(
        {
            "id": p["id"],
            "name": p["name"].astype(str),
            "schools": p["schools"].astype(int),
            "pupils": p["pupils"].astype(int),
            "deviation": (p["deviation"] * 100).round(1).astype(str) + " %",
            "anchors": p["anchors"].astype(int),
            "districts": p["districts"].astype(str),
            "colour": colours,
        }
    )
    gj = gpd.GeoDataFrame(props, geometry=p.geometry.to_numpy(), crs=4326)
    folium.GeoJson(
        geojson_for_html(gj),
        name=html_text(name),
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "color": "#ffffff",
            "weight": 1.2,
            "fillOpacity": 0.55,
        },
        highlight_function=lambda f: {"weight": 3, "fillOpacity": 0.75},
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "schools", "pupils", "deviation"], aliases=["Partnership", "Schools", "Pupils", "From mean"]
        ),
        popup=folium.GeoJsonPopup(
            fields=["id", "name", "schools", "pupils", "deviation", "anchors", "districts"],
            aliases=["Id", "Partnership", "Schools", "Pupils", "From mean", "Anchors", "Districts"],
        ),
    ).add_to(group)
    for row, label_pt in zip(p.itertuples(), partnerships.geometry.representative_point().to_crs(4326)):
        folium.Marker(
            [label_pt.y, label_pt.x],
            icon=folium.DivIcon(html=f'<div class="pt-label">{html_text(row.name)}</div>', icon_size=(0, 0)),
            interactive=False,
        ).add_to(group)
    return group


def _legend_html(
    partnerships: gpd.GeoDataFrame, colours: list[str], title: str, note: str = "", plans: list | None = None
) -> str:
    rows = "".join(
        f"<tr><td><span class='pt-swatch' style='background:{c}'></span></td><td>{html_text(r.name)}</td>"
        f"<td style='text-align:right'>{int(r.schools)}</td><td style='text-align:right'>{int(r.pupils):,}</td>"
        f"<td style='text-align:right'>{r.deviation * 100:+.1f}%</td></tr>"
        for r, c in zip(partnerships.itertuples(), colours)
    )
    kinds = "".join(
        f"<span style='display:inline-block;margin-right:8px'><span class='pt-swatch' style='border-radius:50%;background:{col}'></span> {k}</span>"
        for k, (col, _) in KIND_STYLE.items()
        if k in ("primary", "secondary", "all-through", "college")
    )
    return (
        f"{warnings_html(plans or [])}<b>{html_text(title)}</b>{note}<table><tr><th></th><th>Partnership</th><th>Schools</th><th>Pupils</th><th>vs mean</th></tr>"
        f"{rows}</table><div style='margin-top:4px'>{kinds}</div>"
        "<div style='margin-top:4px;color:#555'>Contains OS data © Crown copyright and database right; DfE GIAS, ONS (OGL v3.0)</div>"
    )


def configuration_map(
    plan,
    schools: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    *,
    tiles: str | None = None,
    colours: list[str] | None = None,
) -> folium.Map:
    """Map of one configuration: partnerships, labels, district outlines, schools, legend, layer control."""
    parts = plan.partnerships
    colours = colours or colour_partnerships(parts)
    title = f"{plan.k} local children's partnerships ({plan.name})"
    fmap = _base_map(parts.total_bounds, tiles, title, [plan])
    _partnership_layer(parts, colours, "Partnerships").add_to(fmap)
    _district_layer(districts).add_to(fmap)
    partnership_of = dict(zip(plan.assignments["URN"].astype(int), plan.assignments["partnership"]))
    _school_layer(schools, partnership_of).add_to(fmap)
    add_legend(fmap, _legend_html(parts, colours, title, plans=[plan]))
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


# --- comparing configurations -------------------------------------------------------------------


def matched_colours(reference, reference_colours: list[str], other, palette: list[str] = PALETTE) -> list[str]:
    """Colours for ``other`` (row order) that follow its matched partnerships in ``reference``,
    recoloured where that would give two neighbours the same colour."""
    ref = dict(zip(reference.partnerships["id"], reference_colours))
    match = match_partnerships(reference, other)
    ids = list(other.partnerships["id"])
    colours: list[str | None] = [ref.get(match.get(i)) for i in ids]
    g = partnership_adjacency(other.partnerships)
    for v in range(len(ids)):
        if colours[v] is not None and any(colours[u] == colours[v] for u in g[v] if u < v):
            colours[v] = None
    for v in range(len(ids)):
        if colours[v] is None:
            taken = {colours[u] for u in g[v]}
            free = [c for c in palette if c not in taken]
            used = pd.Series([c for c in colours if c]).value_counts()
            colours[v] = min(free, key=lambda c: (used.get(c, 0), palette.index(c))) if free else "#999999"
    return [str(c) for c in colours]


def layered_map(
    plans: list, schools: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, tiles: str | None = None
) -> folium.Map:
    """Several configurations as switchable layers; matched partnerships keep their colour."""
    first = plans[0]
    fmap = _base_map(
        first.partnerships.total_bounds, tiles, "Configurations: " + ", ".join(p.name for p in plans), plans
    )
    colours = colour_partnerships(first.partnerships)
    all_colours = [colours] + [matched_colours(first, colours, p) for p in plans[1:]]
    for i, (plan, cols) in enumerate(zip(plans, all_colours)):
        _partnership_layer(plan.partnerships, cols, f"{plan.name} ({plan.k} partnerships)", show=i == 0).add_to(fmap)
    _district_layer(districts).add_to(fmap)
    _school_layer(
        schools,
        dict(zip(first.assignments["URN"].astype(int), first.assignments["partnership"])),
        name=f"Schools (partnership of {first.name})",
    ).add_to(fmap)
    add_legend(
        fmap,
        _legend_html(
            first.partnerships,
            colours,
            first.name,
            note="<br><i>Tick a layer to switch configuration.</i>",
            plans=plans,
        ),
    )
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def side_by_side_map(
    a, b, schools: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, tiles: str | None = None
) -> folium.plugins.DualMap:
    """Two configurations side by side with synchronised pan and zoom."""
    minx, miny, maxx, maxy = _wgs84_bounds(a.partnerships.total_bounds)
    dual = folium.plugins.DualMap(
        location=[(miny + maxy) / 2, (minx + maxx) / 2], zoom_start=9, tiles=None, control_scale=True
    )
    _add_style(dual)
    colours_a = colour_partnerships(a.partnerships)
    colours_b = matched_colours(a, colours_a, b)
    for fmap, plan, cols in ((dual.m1, a, colours_a), (dual.m2, b, colours_b)):
        if tiles:
            folium.TileLayer(tiles, name="Base map").add_to(fmap)
        fmap.fit_bounds([[miny, minx], [maxy, maxx]])
        _partnership_layer(plan.partnerships, cols, f"{plan.name} partnerships").add_to(fmap)
        _district_layer(districts).add_to(fmap)
        _school_layer(schools, dict(zip(plan.assignments["URN"].astype(int), plan.assignments["partnership"]))).add_to(
            fmap
        )
        folium.LayerControl(collapsed=True).add_to(fmap)
    _add_title(dual, f"{a.name} and {b.name} side by side", bool(violation_warnings([a, b])))
    for left, plan in (("60px", a), ("calc(50% + 60px)", b)):
        dual.get_root().html.add_child(
            RawHTML(
                f"<div style='position:absolute;z-index:1000;top:8px;left:{left};max-width:40%;background:#fff;"
                "padding:4px 8px;border-radius:4px'><h1 style='margin:0;font:600 15px sans-serif'>"
                f"{html_text(plan.name)}: {plan.k} partnerships, wdist {plan.wdist_km:.2f} km</h1>"
                f"<div style='font:13px sans-serif'>{warnings_html([plan], brief=True)}</div></div>"
            )
        )
    return dual


def difference_map(
    a, b, schools: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, tiles: str | None = None
) -> folium.Map:
    """Configuration ``b`` with the schools that change partnership from ``a`` highlighted (from → to)."""
    colours_a = colour_partnerships(a.partnerships)
    colours_b = matched_colours(a, colours_a, b)
    match = match_partnerships(a, b)  # b id -> a id
    pa = a.assignments.set_index("URN")
    pb = b.assignments.set_index("URN").reindex(pa.index)
    moved = pb["partnership_id"].map(match) != pa["partnership_id"]
    change = {int(u): f"{pa.at[u, 'partnership']} → {pb.at[u, 'partnership']}" for u in pa.index[moved]}
    title = f"Changes from {a.name} to {b.name}: {len(change)} of {len(pa)} schools change partnership"
    fmap = _base_map(b.partnerships.total_bounds, tiles, title, [a, b])
    _partnership_layer(b.partnerships, colours_b, f"{b.name} partnerships").add_to(fmap)
    _district_layer(districts).add_to(fmap)
    partnership_of = dict(zip(b.assignments["URN"].astype(int), b.assignments["partnership"]))
    changed = schools[schools["URN"].isin(change)]
    same = schools[~schools["URN"].isin(change)]
    _school_layer(same, partnership_of, name="Schools that stay", extra=change).add_to(fmap)
    _school_layer(
        changed, partnership_of, name=f"Schools that change ({len(change)})", extra=change, highlight="#d7191c"
    ).add_to(fmap)
    note = (
        f"<br><b style='color:#d7191c'>{len(change)} schools change partnership</b> (red; popup shows from → to). "
        "Partnerships are matched by shared pupils so each keeps its colour."
    )
    add_legend(fmap, _legend_html(b.partnerships, colours_b, b.name, note=note, plans=[a, b]))
    folium.LayerControl(collapsed=False).add_to(fmap)
    return fmap


def write_comparison_maps(
    plans: list, schools: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, out_dir: str | Path
) -> list[Path]:
    """Side-by-side and difference maps for each consecutive pair, and one layered map of all."""
    out_dir = Path(out_dir)
    paths = []
    for a, b in zip(plans, plans[1:]):
        paths.append(
            write_map(side_by_side_map(a, b, schools, districts), out_dir / f"side-by-side_{a.name}_{b.name}.html")
        )
        paths.append(
            write_map(difference_map(a, b, schools, districts), out_dir / f"changes_{a.name}_to_{b.name}.html")
        )
    if len(plans) > 1:
        paths.append(write_map(layered_map(plans, schools, districts), out_dir / "all-configurations.html"))
    return paths
