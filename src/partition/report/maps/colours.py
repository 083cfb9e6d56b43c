"""Partnership colours: neighbours differ, and a partnership keeps its colour in every map of a run."""

from __future__ import annotations

import geopandas as gpd
import networkx as nx
import pandas as pd

from partition.analysis.agreement import match_partnerships
from partition.units.graph import shared_boundaries

PALETTE = [
    "#88CCEE",
    "#CC6677",
    "#DDCC77",
    "#117733",
    "#332288",
    "#AA4499",
    "#44AA99",
    "#999933",
    "#882255",
    "#E69F00",
]
"""Paul Tol's colour-blind-safe "muted" scheme plus Okabe-Ito orange; drawn at 55 % opacity under dark labels
on a white halo, so every label keeps its contrast."""

CHANGED_COLOUR = "#FF0000"
"""Marker fill of a school that changes partnership: not one of :data:`PALETTE` (nor a grey fallback)."""


def partnership_adjacency(partnerships: gpd.GeoDataFrame) -> nx.Graph:
    """Partnerships (by row position) that share a boundary (the units' adjacency rule).

    Parameters
    ----------
    partnerships
        One polygon per partnership (EPSG:27700).

    Returns
    -------
    networkx.Graph
        Nodes ``0..len-1``; an edge for each pair sharing a boundary.
    """
    g = nx.Graph()
    g.add_nodes_from(range(len(partnerships)))
    g.add_edges_from((i, j) for i, j, _ in shared_boundaries(partnerships))
    return g


def _grey(n: int) -> str:
    shade = 80 + (n * 37) % 150
    return f"#{shade:02x}{shade:02x}{shade:02x}"


def colour_partnerships(partnerships: gpd.GeoDataFrame, palette: list[str] = PALETTE) -> list[str]:
    """One colour per partnership (row order) such that neighbours differ.

    DSATUR order (most differently-coloured neighbours first, then degree); each
    partnership takes, among the colours its neighbours do not use, the one used
    least so far, so the whole palette is spread over the map. Greys are added
    only if the palette runs out.

    Parameters
    ----------
    partnerships
        One polygon per partnership.
    palette
        Colours to use, in order of preference.

    Returns
    -------
    list of str
        A colour per row.
    """
    g = partnership_adjacency(partnerships)
    colours = list(palette)
    assigned: dict[int, int] = {}
    uses = [0] * len(colours)

    def saturation(v: int) -> tuple[int, int, int]:
        return (len({assigned[u] for u in g[v] if u in assigned}), g.degree(v), -v)

    while len(assigned) < g.number_of_nodes():
        v = max((v for v in g if v not in assigned), key=saturation)
        taken = {assigned[u] for u in g[v] if u in assigned}
        free = [c for c in range(len(colours)) if c not in taken]
        if not free:
            colours.append(_grey(len(colours)))
            uses.append(0)
            free = [len(colours) - 1]
        c = min(free, key=lambda c: (uses[c], c))
        assigned[v] = c
        uses[c] += 1
    return [colours[assigned[i]] for i in range(len(partnerships))]


def matched_colours(reference, reference_colours: list[str], other, palette: list[str] = PALETTE) -> list[str]:
    """Colours for ``other`` that follow its matched partnerships in ``reference``.

    Partnerships are matched by shared pupils
    (:func:`partition.analysis.agreement.match_partnerships`); a matched partnership takes
    its match's colour unless a neighbour already has it, and the rest take the
    least used colour free among their neighbours.

    Parameters
    ----------
    reference, other
        Plans.
    reference_colours
        Colours of ``reference`` (row order).
    palette
        Colours to use for partnerships without a usable match.

    Returns
    -------
    list of str
        A colour per row of ``other.partnerships``.
    """
    ref = dict(zip(reference.partnerships["id"], reference_colours))
    match = match_partnerships(reference, other)
    ids = list(other.partnerships["id"])
    colours: list[str | None] = [ref.get(match.get(i)) for i in ids]
    g = partnership_adjacency(other.partnerships)
    for v in range(len(ids)):
        if colours[v] is not None and any(colours[u] == colours[v] for u in g[v] if u < v):
            colours[v] = None
    return _fill_unmatched(colours, g, palette)


def _fill_unmatched(colours: list[str | None], g, palette: list[str]) -> list[str]:
    """Give every partnership still without a colour (None) the least used colour none of its neighbours has."""
    for v in range(len(colours)):
        if colours[v] is None:
            taken = {colours[u] for u in g[v]}
            free = [c for c in palette if c not in taken]
            used = pd.Series([c for c in colours if c]).value_counts()
            colours[v] = min(free, key=lambda c: (used.get(c, 0), palette.index(c))) if free else _grey(v)
    return [str(c) for c in colours]


def _shares(reference, other) -> dict[str, tuple[float, str]]:
    """``{other id: (share of its pupils shared with its match, reference id)}`` under the one-to-one matching."""
    match = match_partnerships(reference, other)
    a = reference.assignments.set_index("URN")
    b = other.assignments.set_index("URN").reindex(a.index)
    shared = pd.crosstab(b["partnership_id"], a["partnership_id"], values=a["pupils"], aggfunc="sum").fillna(0)
    totals = b.groupby("partnership_id")["pupils"].sum()
    return {i: (float(shared.at[i, j]) / max(float(totals[i]), 1.0), j) for i, j in match.items()}


def follow_colours(coloured: list[tuple[object, list[str]]], other, palette: list[str] = PALETTE) -> list[str]:
    """Colours for ``other`` that follow its partnerships' matches in every plan already coloured.

    Each partnership of ``other`` is matched (:func:`partition.analysis.agreement.match_partnerships`) in each
    coloured plan and takes the colour of the match sharing the largest part of its pupils (ties: the
    plan coloured last), unless a neighbour already has that colour; the rest take the least used
    colour free among their neighbours.

    Parameters
    ----------
    coloured
        ``(plan, colours)`` pairs already coloured, in the order they were coloured.
    other
        The plan to colour.
    palette
        Colours to use for partnerships without a usable match.

    Returns
    -------
    list of str
        A colour per row of ``other.partnerships``.
    """
    best: dict[str, tuple[float, int, str]] = {}
    for order, (plan, plan_colours) in enumerate(coloured):
        ref = dict(zip(plan.partnerships["id"], plan_colours))
        for i, (share, j) in _shares(plan, other).items():
            if (share, order) > best.get(i, (-1.0, -1, ""))[:2]:
                best[i] = (share, order, ref[j])
    ids = list(other.partnerships["id"])
    colours: list[str | None] = [best[i][2] if i in best else None for i in ids]
    g = partnership_adjacency(other.partnerships)
    # where two neighbours would share a colour, the one that shares more pupils with its match keeps it
    kept: set[int] = set()
    for v in sorted(range(len(ids)), key=lambda v: (-best.get(ids[v], (0.0,))[0], v)):
        if colours[v] is not None and any(u in kept and colours[u] == colours[v] for u in g[v]):
            colours[v] = None
        elif colours[v] is not None:
            kept.add(v)
    return _fill_unmatched(colours, g, palette)


def run_colours(plans: list, reference=None) -> dict[str, list[str]]:
    """Colours for every plan of a run, computed once, so each map that draws a plan uses the same ones.

    The reference is coloured by :func:`colour_partnerships`; every other plan, in turn, follows its
    matches in *all* the plans coloured before it (:func:`follow_colours`), so a partnership keeps its
    colour through a run even where it has no match in the reference.

    Parameters
    ----------
    plans
        The run's plans (proposals, alternatives, the current arrangement...).
    reference
        The plan coloured first (default: the first of ``plans``).

    Returns
    -------
    dict
        Plan name -> colours (row order of its partnerships).
    """
    if not plans:
        return {}
    reference = reference or plans[0]
    coloured = [(reference, colour_partnerships(reference.partnerships))]
    for plan in plans:
        if all(plan.name != p.name for p, _ in coloured):
            coloured.append((plan, follow_colours(coloured, plan)))
    return {p.name: c for p, c in coloured}
