"""Helpers for the planners' notebooks: maps shown inline that work offline, and where files go.

A folium map shown as a notebook cell's output loads Leaflet, jQuery and
Bootstrap from CDNs and is blank without a network. :func:`inline_map` shows the
same self-contained page that :func:`partition.report.maps.write_map` writes (Leaflet
inlined, nothing remote), inside an ``<iframe srcdoc>``.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import folium

from partition.report.maps import self_contained_html

NOTEBOOK_OUT = "PARTITION_NOTEBOOK_OUT"
"""Environment variable naming the notebooks' output folder (default: :func:`output_folder`)."""


def iframe_html(page: str, *, height: int = 600, title: str = "Map") -> str:
    """A whole HTML page as an ``<iframe srcdoc>`` element.

    Parameters
    ----------
    page
        A complete HTML document.
    height
        Height of the frame (px); it is as wide as the cell.
    title
        The frame's accessible name.

    Returns
    -------
    str
        ``<iframe srcdoc="...">``: the page HTML-escaped (``& < > " '``), so it cannot end the attribute
        or the element; the browser decodes it and renders the page as it is.
    """
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" title="{html.escape(title, quote=True)}" '
        f'style="width:100%;height:{int(height)}px;border:1px solid #ccc"></iframe>'
    )


def inline_map(fmap: folium.Map, *, height: int = 600, title: str = "Map"):
    """Show a folium map in a notebook cell, self-contained (works offline, nothing from a CDN).

    Parameters
    ----------
    fmap
        A map from :mod:`partition.report.maps` (or any folium map).
    height
        Height (px).
    title
        The frame's accessible name.

    Returns
    -------
    IPython.display.HTML
        The map as :func:`partition.report.maps.self_contained_html` writes it, in an iframe (see :func:`iframe_html`).

    Raises
    ------
    ImportError
        When IPython is not installed (install the ``notebooks`` extra).
    """
    from IPython.display import HTML

    # wrapped: IPython warns about a bare <iframe> (it suggests IFrame, which needs a URL)
    return HTML(f"<div>{iframe_html(self_contained_html(fmap), height=height, title=title)}</div>")


def output_folder(name: str = "notebooks", start: str | Path | None = None) -> Path:
    """Where a notebook writes its files: ``$PARTITION_NOTEBOOK_OUT``, else ``out/<name>/`` in the checkout.

    The checkout is the first folder at or above ``start`` (default: the working directory, the
    notebook's folder under Jupyter) holding ``pyproject.toml``. ``out/`` is git-ignored and apart
    from ``maps/``, which ``make run`` owns (it refuses a ``maps/`` holding files it did not write),
    so the notebooks' plans never mix with, or share a folder name with, the published ones.

    Parameters
    ----------
    name
        Sub-folder of ``out/``.
    start
        Where to look for the checkout from.

    Returns
    -------
    pathlib.Path
        The folder, created, as an absolute path (print it so the planner knows where files went).
    """
    chosen = os.environ.get(NOTEBOOK_OUT)
    if chosen:
        folder = Path(chosen)
    else:
        here = Path(start or Path.cwd()).resolve()
        root = next((p for p in (here, *here.parents) if (p / "pyproject.toml").exists()), here)
        folder = root / "out" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder.resolve()
