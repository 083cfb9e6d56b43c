"""Consultation maps: single-file, offline, escaped HTML made with folium.

Every map is one HTML file: Leaflet's JavaScript and CSS (vendored, BSD-2) are
inlined and folium's other CDN dependencies are left out, so the file works
offline when double-clicked. The page shows the sea as its background, land
and the neighbouring authorities drawn from the boundary files, a few towns,
the partnerships (numbered, in colours that neighbours never share and that a
partnership keeps in every map of a run), district outlines and schools, the
colleges, special schools and PRUs (squares, diamonds and triangles: members of the
partnership they stand in, not counted in pupils), a
compact legend (closed on narrow screens) and a school search box. An online
base map (``basemap="osm"``) is optional; the offline context shows under it
when its tiles cannot be loaded.

Every text that comes from data (school, town, partnership, district and
configuration names) reaches the page only through
:func:`partition.core.htmltext.html_text`, which neutralises HTML *and* template
syntax: folium renders each element's output as a second Jinja template, so
``{{ ... }}`` in a school's name would otherwise be evaluated while the map is
written. The page's own HTML is added as :class:`RawHTML`, never compiled as
a template; its script (:mod:`partition.report.maps.script`) is constant text.

Modules: :mod:`~partition.report.maps.colours` (colours), :mod:`~partition.report.maps.context`
(neighbours, towns), :mod:`~partition.report.maps.layers` (folium layers),
:mod:`~partition.report.maps.page` (the page, writing), :mod:`~partition.report.maps.views`
(the maps), :mod:`~partition.report.maps.editor` (``edit.html``, the planner's editor: move schools between
partnerships with live figures, export a CSV).
"""

from partition.report.maps.colours import (
    CHANGED_COLOUR,
    PALETTE,
    colour_partnerships,
    matched_colours,
    partnership_adjacency,
    run_colours,
)
from partition.report.maps.context import neighbouring_districts, towns
from partition.report.maps.layers import BASEMAPS, KIND_STYLE, geojson_for_html
from partition.report.maps.page import (
    WARNING_STYLE,
    RawHTML,
    WrittenMap,
    self_contained_html,
    violation_warnings,
    warnings_html,
    write_map,
)
from partition.report.maps.views import (
    changes,
    configuration_map,
    difference_map,
    layered_map,
    plan_title,
    side_by_side_map,
    write_comparison_maps,
    write_configuration_map,
)

__all__ = [
    "BASEMAPS",
    "CHANGED_COLOUR",
    "KIND_STYLE",
    "PALETTE",
    "WARNING_STYLE",
    "RawHTML",
    "WrittenMap",
    "changes",
    "colour_partnerships",
    "configuration_map",
    "difference_map",
    "geojson_for_html",
    "layered_map",
    "matched_colours",
    "neighbouring_districts",
    "partnership_adjacency",
    "plan_title",
    "run_colours",
    "self_contained_html",
    "side_by_side_map",
    "towns",
    "violation_warnings",
    "warnings_html",
    "write_comparison_maps",
    "write_configuration_map",
    "write_map",
]
