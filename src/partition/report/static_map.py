"""The pack's static map of a configuration: numbered partnerships in the maps' colours, scale bar and north arrow (inline SVG)."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from partition.core.htmltext import html_text
from partition.model.plan import Plan
from partition.report.tables import plain_title

if TYPE_CHECKING:
    pass

MAP_WIDTH = 640
"""Width of a static map's drawing (SVG user units, px at full size)."""


def partnership_numbers(plan: Plan) -> list[int]:
    """The number each partnership (row order) has on the static map and in the tables: its id's (P07 -> 7).

    Parameters
    ----------
    plan
        The configuration (``partnerships`` with an ``id`` column such as ``P07``).

    Returns
    -------
    list of int
        One number per row of ``plan.partnerships``: the digits of an id ``P<digits>``, else the
        row's position counted from 1; ``1 .. n`` when the frame has no ``id`` column.
    """
    out = []
    for i, pid in enumerate(plan.partnerships.get("id", [])):
        match = re.fullmatch(r"P0*(\d+)", str(pid))
        out.append(int(match[1]) if match else i + 1)
    return out or list(range(1, len(plan.partnerships) + 1))


def _nice_length(metres: float) -> float:
    """The largest of 1, 2, 5 × 10^n metres not above ``metres``."""
    power = 10 ** math.floor(math.log10(metres))
    return max(m * power for m in (1, 2, 5) if m * power <= metres)


def _ring_path(coords, sx, sy) -> str:
    points = [f"{sx(x):.1f} {sy(y):.1f}" for x, y in coords]
    return "M" + "L".join(points) + "Z"


def static_map(plan: Plan, colours: list[str] | None = None, width: int = MAP_WIDTH) -> str:
    """The configuration as a static map: numbered partnerships, a scale bar and a north arrow (inline SVG).

    The partnerships' polygons (British National Grid metres) are simplified together with
    :func:`shapely.coverage_simplify` (neighbours keep one shared boundary) to a tolerance of about half
    a pixel, and drawn north up with the same scale on both axes.

    Parameters
    ----------
    plan
        The configuration (``partnerships`` with ``id``, ``name`` and a geometry in EPSG:27700).
    colours
        A colour per partnership (row order), e.g. :func:`partition.report.maps.colours.run_colours` of the run, so
        the static map matches the interactive ones; grey when not given.
    width
        Width of the drawing (SVG user units).

    Returns
    -------
    str
        An SVG element (``class="map"``) with a title and, per partnership, a ``<title>`` with its number and
        name (escaped by ``html_text``).
    """
    import shapely

    parts_ = plan.partnerships
    geoms = [g if g is not None else shapely.Polygon() for g in parts_.geometry]
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    pad, bar = 12, 36
    span_x, span_y = max(maxx - minx, 1.0), max(maxy - miny, 1.0)
    scale = (width - 2 * pad) / span_x
    height = int(span_y * scale + 2 * pad + bar)
    tolerance = 0.5 / scale
    try:
        simple = list(shapely.coverage_simplify(geoms, tolerance))
    except shapely.errors.GEOSException:  # not a valid coverage: each on its own
        simple = [shapely.simplify(g, tolerance, preserve_topology=True) for g in geoms]
    sx = lambda x: pad + (x - minx) * scale  # noqa: E731
    sy = lambda y: pad + (maxy - y) * scale  # noqa: E731
    colours = list(colours or []) + ["#BBBBBB"] * len(geoms)
    numbers = partnership_numbers(plan)
    label = f"Map: {plain_title(plan)}"
    out = [
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html_text(label)}" '
        f'style="font:bold 13px sans-serif"><title>{html_text(label)}</title>'
    ]
    for geom, colour, number, name in zip(simple, colours, numbers, parts_["name"]):
        polygons = getattr(geom, "geoms", [geom])
        d = "".join(
            _ring_path(poly.exterior.coords, sx, sy) + "".join(_ring_path(r.coords, sx, sy) for r in poly.interiors)
            for poly in polygons
            if isinstance(poly, shapely.Polygon) and not poly.is_empty
        )
        out.append(
            f'<path d="{d}" fill="{html_text(colour)}" fill-opacity="0.55" fill-rule="evenodd" stroke="#333" '
            f'stroke-width="0.8"><title>{number} {html_text(name)}</title></path>'
        )
    for geom, number in zip(geoms, numbers):
        if geom.is_empty:
            continue
        point = geom.point_on_surface()
        out.append(
            f'<circle cx="{sx(point.x):.1f}" cy="{sy(point.y):.1f}" r="9" fill="#fff" stroke="#333" stroke-width="0.8"/>'
            f'<text x="{sx(point.x):.1f}" y="{sy(point.y) + 4.5:.1f}" text-anchor="middle">{number}</text>'
        )
    metres = _nice_length(span_x / 4)
    length = metres * scale
    y0 = height - bar / 2
    km = f"{metres / 1000:g} km"
    out.append(
        f'<g class="scale-bar"><rect x="{pad}" y="{y0 - 3}" width="{length:.1f}" height="6" fill="#333"/>'
        f'<text x="{pad + length + 6:.1f}" y="{y0 + 5:.1f}" style="font-weight:400">{km}</text></g>'
        f'<g class="north-arrow" aria-label="north is up"><path d="M{width - 24} {pad + 30}L{width - 16} {pad + 4}'
        f'L{width - 8} {pad + 30}L{width - 16} {pad + 23}Z" fill="#333"/>'
        f'<text x="{width - 16}" y="{pad + 46}" text-anchor="middle">N</text></g>'
    )
    return "".join(out) + "</svg>"
