"""The pack's charts: pupils per partnership against the size band, drawn as inline SVG (wide and narrow)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from partition.core.htmltext import html_text
from partition.model.plan import Plan

if TYPE_CHECKING:
    pass

INSIDE = "#0072B2"
"""Colour of a partnership within the size band (Okabe–Ito blue)."""
OUTSIDE = "#B34700"
"""Colour of a partnership outside the size band (Okabe–Ito vermillion, darkened for contrast on white)."""
BAND = "#D9EAF5"
"""Fill of the size band."""


def tolerance_of(plan: Plan) -> float | None:
    """The pupils tolerance of the plan's spec (a fraction), or None."""
    return next((b.tolerance for b in plan.spec.size if b.attribute == "pupils" and b.tolerance is not None), None)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values between ``low`` and ``high``."""
    raw = (high - low) / count
    step = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(s * step for s in (1, 2, 2.5, 5, 10) if s * step >= raw)
    first = math.ceil(low / step) * step
    return [first + i * step for i in range(int((high - first) // step) + 1)]


def size_difference(deviation: float) -> str:
    """A partnership's size against the average in words: ``-0.06`` -> ``"6 % below the average"``.

    Parameters
    ----------
    deviation
        The partnership's pupils relative to the average, as a fraction (pupils / mean − 1).

    Returns
    -------
    str
        ``"<n> % below the average"`` or ``"<n> % above the average"`` with ``n`` rounded to a
        whole per cent, or ``"about the average"`` when it rounds to 0 %.
    """
    percent = round(abs(deviation) * 100)
    if percent == 0:
        return "about the average"
    return f"{percent} % {'below' if deviation < 0 else 'above'} the average"


def _chart_scale(plan: Plan) -> tuple[pd.DataFrame, float, float, float, float, float]:
    """What a pupils chart draws: partnerships by pupils, the mean, the band and the axis range (pupils).

    The axis spans the partnerships and the band, padded by 8 % (never below 0), so the band is
    wide enough to read.
    """
    t = plan.partnerships.sort_values("pupils")
    mean = plan.assignments["pupils"].sum() / plan.k
    tol = tolerance_of(plan)
    lo_band, hi_band = (mean * (1 - tol), mean * (1 + tol)) if tol is not None else (mean, mean)
    low = min(float(t["pupils"].min()), lo_band)
    high = max(float(t["pupils"].max()), hi_band)
    pad = (high - low) * 0.08 or mean * 0.1 or 1
    return t, mean, lo_band, hi_band, max(0.0, low - pad), high + pad


def pupils_chart_narrow(plan: Plan, width: int = 360, row_height: int = 30) -> str:
    """:func:`pupils_chart` for a phone: each partnership's name on its own line above its dot.

    Drawn ``width`` px wide at 13 px text, so shown on a 390 px screen its text stays about 13 px
    (the wide chart, scaled to fit, would be 5 px). Names are anchored at the start.

    Parameters
    ----------
    plan
        The configuration (``partnerships`` with ``name`` and ``pupils``; ``assignments`` with
        ``pupils``; the pupils tolerance of its spec sets the band).
    width
        Width in px (the SVG scales down to fit its container).
    row_height
        Height of one partnership's rows (name line and dot line, px).

    Returns
    -------
    str
        An inline SVG (``class="chart chart-narrow"``, shown only on narrow screens) with a title
        for screen readers; partnerships from fewest to most pupils, names through ``html_text``.
    """
    t, mean, lo_band, hi_band, low, high = _chart_scale(plan)
    tol = tolerance_of(plan)
    left, right, top = 8, width - 8, 40
    x = lambda v: left + (v - low) / (high - low) * (right - left)  # noqa: E731
    bottom = top + row_height * len(t)
    height = bottom + 44
    label = f"Pupils per partnership in {plan.name}"
    parts = [
        f'<svg class="chart chart-narrow" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html_text(label)}" style="font:13px sans-serif">'
        f"<title>{html_text(label)}</title>"
    ]
    if tol is not None:
        parts.append(
            f'<rect x="{x(lo_band):.1f}" y="{top - 4}" width="{x(hi_band) - x(lo_band):.1f}" '
            f'height="{bottom - top + 8}" fill="{BAND}"/>'
            f'<text x="{x(lo_band):.1f}" y="{top - 22}" text-anchor="middle">−{tol:.0%}</text>'
            f'<text x="{x(lo_band):.1f}" y="{top - 8}" text-anchor="middle">{lo_band:,.0f}</text>'
            f'<text x="{x(hi_band):.1f}" y="{top - 22}" text-anchor="middle">+{tol:.0%}</text>'
            f'<text x="{x(hi_band):.1f}" y="{top - 8}" text-anchor="middle">{hi_band:,.0f}</text>'
        )
    parts.append(
        f'<line x1="{x(mean):.1f}" x2="{x(mean):.1f}" y1="{top - 4}" y2="{bottom + 4}" stroke="#000" stroke-dasharray="4 3"/>'
        f'<text x="{width / 2:.0f}" y="{height - 6}" text-anchor="middle">average {mean:,.0f} pupils</text>'
    )
    for i, row in enumerate(t.itertuples()):
        y = top + i * row_height
        outside = tol is not None and abs(row.pupils / mean - 1) > tol + 1e-9
        colour = OUTSIDE if outside else INSIDE
        value = f"{int(row.pupils):,}" + (" outside" if outside else "")
        parts.append(
            f'<text x="{left}" y="{y + 12}" text-anchor="start">{html_text(row.name)}: '
            f'<tspan fill="{colour}">{value}</tspan></text>'
            f'<line x1="{x(mean):.1f}" x2="{x(row.pupils):.1f}" y1="{y + 21}" y2="{y + 21}" stroke="{colour}" stroke-width="2"/>'
            f'<circle cx="{x(row.pupils):.1f}" cy="{y + 21}" r="4.5" fill="{colour}"/>'
        )
    return "".join(parts) + "</svg>"


def pupils_chart(plan: Plan, width: int = 900, row_height: int = 18) -> str:
    """Pupils per partnership as dots on an axis around the average, with the tolerance band shaded.

    The axis spans the band and every partnership (not from zero), so a ±10 % band fills most of the
    chart; the band's bounds and the average are labelled with their pupils. A partnership outside the
    band is drawn in :data:`OUTSIDE` and says "outside" (colour is never the only cue).

    Parameters
    ----------
    plan
        The configuration.
    width
        Width in px (the SVG scales down to fit its container).
    row_height
        Height of one partnership's row (px).

    Returns
    -------
    str
        An inline SVG with a title (for screen readers); partnership names through ``html_text``.
    """
    t, mean, lo_band, hi_band, low, high = _chart_scale(plan)
    tol = tolerance_of(plan)
    longest = max((len(str(n)) for n in t["name"]), default=0)
    left = int(min(max(120, 12 + 6.8 * longest), width * 0.45))  # room for the longest name at 12 px
    right, top = width - 120, 34
    x = lambda v: left + (v - low) / (high - low) * (right - left)  # noqa: E731
    bottom = top + row_height * len(t)
    height = bottom + 40
    label = f"Pupils per partnership in {plan.name}"
    parts = [
        f'<svg class="chart chart-wide" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html_text(label)}" style="font:12px sans-serif">'
        f"<title>{html_text(label)}</title>"
    ]
    if tol is not None:
        parts.append(
            f'<rect x="{x(lo_band):.1f}" y="{top - 4}" width="{x(hi_band) - x(lo_band):.1f}" '
            f'height="{bottom - top + 8}" fill="{BAND}"/>'
        )
        for value, sign in ((lo_band, "−"), (hi_band, "+")):
            parts.append(
                f'<text x="{x(value):.1f}" y="{top - 20}" text-anchor="middle">{sign}{tol:.0%}</text>'
                f'<text x="{x(value):.1f}" y="{top - 8}" text-anchor="middle">{value:,.0f}</text>'
            )
    for tick in _ticks(low, high):
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{bottom + 4}" y2="{bottom + 9}" stroke="#444"/>'
            f'<text x="{x(tick):.1f}" y="{bottom + 21}" text-anchor="middle" fill="#444">{tick:,.0f}</text>'
        )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom + 4}" y2="{bottom + 4}" stroke="#444"/>')
    parts.append(
        f'<line x1="{x(mean):.1f}" x2="{x(mean):.1f}" y1="{top - 4}" y2="{bottom + 4}" stroke="#000" stroke-dasharray="4 3"/>'
        f'<text x="{x(mean):.1f}" y="{height - 4}" text-anchor="middle">average {mean:,.0f} pupils</text>'
    )
    for i, row in enumerate(t.itertuples()):
        parts.append(_chart_row(row, top + i * row_height, row_height, x, mean, tol, (left, right)))
    return "".join(parts) + "</svg>"


def _chart_row(row, y: float, row_height: int, x, mean: float, tol: float | None, edges: tuple[int, int]) -> str:
    """One partnership of :func:`pupils_chart`: its name, a stem from the average, a dot, and its pupils at the right."""
    left, right = edges
    outside = tol is not None and abs(row.pupils / mean - 1) > tol + 1e-9
    colour = OUTSIDE if outside else INSIDE
    mid = y + row_height / 2
    value = f"{int(row.pupils):,}" + (" outside" if outside else "")
    return (
        f'<text x="{left - 8}" y="{mid + 4:.1f}" text-anchor="end">{html_text(row.name)}</text>'
        f'<line x1="{x(mean):.1f}" x2="{x(row.pupils):.1f}" y1="{mid:.1f}" y2="{mid:.1f}" stroke="{colour}" stroke-width="2"/>'
        f'<circle cx="{x(row.pupils):.1f}" cy="{mid:.1f}" r="4.5" fill="{colour}"/>'
        f'<text x="{right + 12}" y="{mid + 4:.1f}" fill="{colour}">{value}</text>'
    )


# --- the static map ----------------------------------------------------------------------------------
