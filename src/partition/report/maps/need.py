"""The need view of a configuration map: partnerships shaded by a need measure, classed with mapclassify."""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from partition.core.htmltext import html_text
from partition.report.maps.layers import display, geojson_for_html, partnership_numbers

SHADES = ("#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000")
"""Light to dark (ColorBrewer OrRd, 5 classes): more need is darker."""

CLASSES = 5
"""Fisher-Jenks classes of the shaded measure (fewer when there are fewer distinct values)."""

NEED_PANE = "pt-need"
"""The pane of the need view: under the partnerships, districts and schools (Leaflet's overlay pane is at
z-index 400), so schools stay visible and clickable; the partnerships' own fills are cleared while it is on."""

NEED_PANE_Z = 399

VIEWS = {
    "fsm_pct": "Pupils eligible for free school meals (%)",
}
"""The measures the need view can shade, with their legend titles."""


def classes(values: np.ndarray) -> tuple[np.ndarray, list[float]]:
    """Class of each value (0 = lowest) and the classes' upper bounds, by Fisher-Jenks natural breaks.

    Parameters
    ----------
    values
        The measure per partnership, shape ``(n,)`` (no NaN).

    Returns
    -------
    (numpy.ndarray, list of float)
        Class index per value (int, 0 to ``len(bounds) - 1``) and each class's upper bound.
    """
    k = min(CLASSES, len(np.unique(values)))
    if k < 2:
        return np.zeros(len(values), dtype=int), [float(np.max(values))]
    with warnings.catch_warnings():  # "Numba not installed. Using slow pure python version.": 23 values, no matter
        warnings.simplefilter("ignore")
        import mapclassify

        found = mapclassify.FisherJenks(values, k=k)
    return np.asarray(found.yb, dtype=int), [float(b) for b in found.bins]


def need_layer(
    partnerships: gpd.GeoDataFrame, measure: str = "fsm_pct", source: str = ""
) -> tuple[folium.FeatureGroup, str] | None:
    """A hidden-at-start layer shading each partnership by ``measure``, and its legend.

    Parameters
    ----------
    partnerships
        A plan's partnerships (EPSG:27700) with ``id``, ``name`` and ``measure`` (see :data:`VIEWS`).
    measure
        The column shaded.
    source
        Where the figures come from, in words, for the legend (:func:`need_source_note`).

    Returns
    -------
    (folium.FeatureGroup, str) or None
        The layer ("Need: ..." in the layer control) and the legend's HTML (class ranges, source), every text
        escaped; None when the partnerships do not carry the measure.
    """
    if measure not in partnerships or partnerships[measure].isna().all():
        return None
    values = partnerships[measure].astype(float).fillna(0).to_numpy()
    yb, bounds = classes(values)
    shades = _shades(len(bounds))
    props = pd.DataFrame(
        {
            "number": partnership_numbers(partnerships),
            "name": partnerships["name"].astype(str),
            "value": [f"{v:.1f}" for v in values],
            "shade": [shades[i] for i in yb],
        }
    )
    gj = gpd.GeoDataFrame(props, geometry=display(partnerships[["geometry"]]).geometry.to_numpy(), crs=4326)
    group = folium.FeatureGroup(name=html_text(f"Need: {VIEWS[measure]}"), show=False)
    folium.GeoJson(
        geojson_for_html(gj),
        interactive=False,  # the partnerships above it answer hovers and clicks (their tooltip gives the value)
        pane=NEED_PANE,
        style_function=lambda f: {"fillColor": f["properties"]["shade"], "fillOpacity": 1, "stroke": False},
    ).add_to(group)
    return group, legend_html(measure, bounds, values.min(), shades, source)


def toggle_script(fmap: folium.Map, need: folium.FeatureGroup, partnerships: folium.FeatureGroup) -> None:
    """While the need view is on, the partnerships' fills are cleared (their outlines, labels, tooltips and popups
    stay), so each shade reads true; they come back when it is turned off. The partnerships' own style is
    swapped, not only their drawn style, so a hover's reset keeps the fill cleared. Constant script: only the
    layers' JS names.
    """
    from branca.element import Element

    m, n, p = fmap.get_name(), need.get_name(), partnerships.get_name()
    script = f"""window.addEventListener('load', function () {{
  function clear(l) {{
    if (!l.setStyle || !l.options || l.options.style === undefined) {{ return; }}
    if (!l._ptOwnStyle) {{ l._ptOwnStyle = l.options.style; }}
    var own = l._ptOwnStyle;
    l.options.style = function (f) {{ return Object.assign({{}}, typeof own === 'function' ? own(f) : own, {{fillOpacity: 0}}); }};
    l.setStyle(l.options.style);
  }}
  function restore(l) {{
    if (!l._ptOwnStyle) {{ return; }}
    l.options.style = l._ptOwnStyle;
    l.setStyle(l._ptOwnStyle);
  }}
  {m}.on('overlayadd', function (e) {{ if (e.layer === {n}) {{ {p}.eachLayer(clear); }} }});
  {m}.on('overlayremove', function (e) {{ if (e.layer === {n}) {{ {p}.eachLayer(restore); }} }});
}});"""
    fmap.get_root().script.add_child(Element(script))


def _shades(n: int) -> list[str]:
    """``n`` shades spread over :data:`SHADES`, light to dark."""
    picks = np.linspace(0, len(SHADES) - 1, n).round().astype(int)
    return [SHADES[i] for i in picks]


def legend_html(measure: str, bounds: list[float], lowest: float, shades: list[str], source: str = "") -> str:
    """The need view's legend: one row per class ("12.1 to 15.0"), then where the figures come from."""
    rows, low = [], lowest
    for i, (bound, shade) in enumerate(zip(bounds, shades)):
        span = f"{bound:.1f} %" if bound == low else f"{'over ' if i else ''}{low:.1f} to {bound:.1f} %"
        rows.append(
            f"<div><span style='display:inline-block;width:14px;height:12px;margin-right:6px;vertical-align:middle;"
            f"border:1px solid #777;background:{shade}'></span>{span}</div>"
        )
        low = bound
    said = f"<div class='note'>{html_text(source)}</div>" if source else ""
    return (
        f"<div class='need-legend'><b>{html_text('Need view (in the layer list): ' + VIEWS[measure])}</b>"
        f"{''.join(rows)}{said}</div>"
    )


def need_source_note(need: Mapping[str, Mapping[str, object]] | None) -> str:
    """The line "Source: ..." for the free school meals view, from ``plan.details["need"]``."""
    fsm = (need or {}).get("fsm")
    if not fsm:
        return ""
    return (
        "Source: each school's published share of pupils eligible for free school meals (Department for "
        "Education, Get Information About Schools) times its pupils; classes by natural breaks."
    )
