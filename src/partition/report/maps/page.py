"""The page around a map: self-contained HTML, title, legend, search box and the page's configuration.

Everything from data reaches the page through :func:`partition.core.htmltext.html_text`
and is placed as :class:`RawHTML`, which is never compiled as a template.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Literal

import folium
from branca.element import Element

from partition.core.htmltext import html_text
from partition.report.maps.script import CSS, JS, SYNC_JS

WARNING_STYLE = "color:#b00000;font-weight:600"
"""Style of the warning a map shows for a configuration that does not meet its rules."""

ATTRIBUTION = "Contains OS data © Crown copyright and database right; DfE GIAS, ONS (OGL v3.0)"

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1.0" />'
"""The pages' viewport: fits the phone's width and lets the reader pinch-zoom."""

_ids = itertools.count(1)


class RawHTML(Element):
    """HTML placed in the page as it is: unlike ``branca.element.Element(text)``, never compiled as a template.

    Any data inside ``text`` must already have passed through
    :func:`~partition.core.htmltext.html_text`.
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawHTML"
        self.text = text

    def render(self, **kwargs: object) -> str:
        """The HTML itself.

        Parameters
        ----------
        **kwargs
            Ignored (branca passes rendering options; nothing here is a template).

        Returns
        -------
        str
            :attr:`text`, unchanged.
        """
        return self.text


def new_id(prefix: str) -> str:
    """A fresh element id (``prefix-<n>``) for the page's own HTML; never built from data.

    Parameters
    ----------
    prefix
        A constant of this package, e.g. ``"pt-title"``.

    Returns
    -------
    str
        ``<prefix>-<n>`` with ``n`` counting up over the process, so ids never repeat in a page.
    """
    return f"{prefix}-{next(_ids)}"


def _vendor(name: str) -> bytes:
    return resources.files("partition").joinpath("vendor/leaflet").joinpath(name).read_bytes()


def _inline_leaflet_css() -> str:
    css = _vendor("leaflet.css").decode()

    def data_uri(match: re.Match[str]) -> str:
        data = base64.b64encode(_vendor("images/" + match.group(1))).decode()
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\(images/([\w.-]+\.png)\)", data_uri, css)


def self_contained_html(fmap: folium.Map) -> str:
    """Render a folium map with Leaflet inlined and every other remote script or stylesheet removed.

    Parameters
    ----------
    fmap
        A folium map or DualMap.

    Returns
    -------
    str
        The page; it loads nothing from the network (base-map tiles, when
        asked for, are the only remote requests).
    """
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

    # folium's viewport forbids pinch-zoom (maximum-scale=1.0, user-scalable=no): allow it
    text = re.sub(r'<meta name="viewport" content="[^"]*"\s*/>', VIEWPORT, text)
    text = re.sub(r'<script src="(https?://[^"]+)"></script>', script, text)
    text = re.sub(r'<link rel="stylesheet" href="(https?://[^"]+)"\s*/>', link, text)
    return text


def write_map(fmap: folium.Map, path: str | Path) -> Path:
    """Write a self-contained HTML map (atomically: a ``.part`` file renamed into place).

    Parameters
    ----------
    fmap
        A map made by this package.
    path
        The HTML file to write; its folder is created.

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(self_contained_html(fmap), encoding="utf-8")
    tmp.replace(path)
    return path


MapKind = Literal["configuration", "editor", "side-by-side", "changes", "all-configurations"]
"""What a written map shows (see :class:`WrittenMap`)."""


@dataclass(frozen=True)
class WrittenMap:
    """A map file this package wrote, and what it shows: what the consultation pack links to.

    The pack names each link from this record (:func:`partition.report.pack.map_link_text`), never by
    reading the file's name.

    Attributes
    ----------
    path
        The HTML file written (relative to the run's folder after :meth:`relative_to`).
    kind
        ``"configuration"`` (one configuration), ``"editor"`` (one configuration's editor page,
        :mod:`partition.report.maps.editor`), ``"side-by-side"`` (two, left and right),
        ``"changes"`` (what changes from the first to the second) or ``"all-configurations"``
        (every configuration of the run, one at a time).
    configurations
        Names of the configurations it shows (:attr:`partition.model.plan.Plan.name`), in the order
        ``kind`` gives them.
    """

    path: Path
    kind: MapKind
    configurations: tuple[str, ...]

    def relative_to(self, folder: str | Path) -> WrittenMap:
        """The same record with :attr:`path` relative to ``folder``.

        Parameters
        ----------
        folder
            A folder holding :attr:`path` (the run's output folder).

        Returns
        -------
        WrittenMap

        Raises
        ------
        ValueError
            When :attr:`path` is not inside ``folder``.
        """
        return dataclasses.replace(self, path=Path(self.path).relative_to(folder))


def violation_warnings(plans: list, brief: bool = False) -> list[str]:
    """``"<name>: Does not meet the rules: ..."`` for each plan that breaks its spec (plain text, not yet escaped).

    ``brief`` leaves out the partnerships each rule names (see :meth:`partition.model.plan.Plan.warning`).
    Today's arrangement (``solver == "districts"``) is shown for comparison, not proposed: no warning.

    Parameters
    ----------
    plans
        The configurations a map shows (objects without a ``warning`` method are skipped).
    brief
        Rules only, without the partnerships they name (for a title bar).

    Returns
    -------
    list of str
        One line per plan that breaks its rules, in the order given.
    """
    shown = [p for p in plans if hasattr(p, "warning") and getattr(p, "solver", None) != "districts"]
    return [f"{p.name}: {p.warning(brief)}" for p in shown if p.warning()]


def warnings_html(plans: list, brief: bool = False) -> str:
    """The warnings of :func:`violation_warnings` as HTML paragraphs (every text through ``html_text``).

    Parameters
    ----------
    plans, brief
        As :func:`violation_warnings`.

    Returns
    -------
    str
        One ``<div class='pt-warning'>`` per warning; empty when no plan breaks its rules.
    """
    return "".join(
        f"<div class='pt-warning' style='{WARNING_STYLE}'>⚠ {html_text(w)}</div>"
        for w in violation_warnings(plans, brief)
    )


def add_page_style(fmap: folium.Map | folium.plugins.DualMap, title: str, warned: bool) -> None:
    """The page's ``<title>`` (marked when a configuration shown breaks its rules), CSS and script.

    Parameters
    ----------
    fmap
        The map (or DualMap) whose page it is.
    title
        Plain text (escaped here).
    warned
        Whether a configuration shown breaks its rules.
    """
    text = ("⚠ DOES NOT MEET THE RULES — " if warned else "") + title
    header = fmap.get_root().header
    header.add_child(RawHTML(f"<title>{html_text(text)}</title>"))
    header.add_child(RawHTML(f"<style>{CSS}</style>"))
    header.add_child(RawHTML(f"<script>{JS}</script>"))


def title_box(element_id: str, title: str, subtitle: str = "", warnings: str = "", search: bool = True) -> str:
    """The title panel (top left): heading, a subtitle, warnings and the school search box.

    ``title`` and ``subtitle`` are plain text (escaped here); ``warnings`` is HTML
    made by :func:`warnings_html`.

    Parameters
    ----------
    element_id
        The panel's id (from :func:`new_id`); the search box's list is ``<element_id>-schools``.
    title
        The heading (plain text).
    subtitle
        A line under it (plain text); none when empty.
    warnings
        HTML from :func:`warnings_html`, placed as it is.
    search
        Whether to add the school search box.

    Returns
    -------
    str
        HTML of the panel (hidden until the page's script places it).
    """
    sub = f"<div class='pt-sub'>{html_text(subtitle)}</div>" if subtitle else ""
    find = (
        f"<input class='pt-search' type='search' list='{element_id}-schools' placeholder='Find a school (name or URN)…' "
        f"aria-label='Find a school by name or URN'><datalist id='{element_id}-schools'></datalist>"
        "<div class='pt-msg' role='status' style='display:none'></div>"
        if search
        else ""
    )
    return (
        f"<div id='{element_id}' class='pt-box pt-title' style='display:none'><h1>{html_text(title)}</h1>"
        f"{sub}{warnings}{find}</div>"
    )


def legend_box(element_id: str, body: str, files: list[str] | tuple[str, ...] = ()) -> str:
    """The legend panel (top right), collapsible (closed on narrow screens), with a close button when open.

    ``body`` is safe HTML; ``files`` (configuration names, plain text) are named in small print at the bottom.

    Parameters
    ----------
    element_id
        The panel's id (from :func:`new_id`).
    body
        The legend's content: HTML made by this package, placed as it is.
    files
        Configuration names (plain text, escaped here), listed after "file:"; none when empty.

    Returns
    -------
    str
        HTML of the panel (hidden until the page's script places it), with the data attribution.
    """
    small = f"<div class='pt-small'>file: {html_text(', '.join(files))}</div>" if files else ""
    return (
        f"<div id='{element_id}' class='pt-box pt-legend' style='display:none'><details open>"
        f"<summary>Legend</summary>{body}<div class='pt-note'>{html_text(ATTRIBUTION)}</div>{small}</details></div>"
    )


def add_map_panels(root_map, fmap: folium.Map, config: dict, title: str, legend: str) -> None:
    """Add a map's title and legend panels and record them in ``config`` (map name -> settings).

    Parameters
    ----------
    root_map
        The map or DualMap whose page holds the panels.
    fmap
        The Leaflet map they belong to.
    config
        The page configuration, filled in here.
    title, legend
        HTML from :func:`title_box` and :func:`legend_box`.
    """
    html = root_map.get_root().html
    html.add_child(RawHTML(title))
    html.add_child(RawHTML(legend))
    ids = re.findall(r"^<div id='([\w-]+)'", title) + re.findall(r"^<div id='([\w-]+)'", legend)
    config.setdefault("maps", {}).setdefault(fmap.get_name(), {}).update({"title": ids[0], "legend": ids[1]})


def add_config(root_map, config: dict) -> None:
    r"""The page configuration as a JSON data block (element ids, layer names and numbers: no data text).

    Parameters
    ----------
    root_map
        The map or DualMap whose page gets the block.
    config
        JSON-serialisable settings (filled by :func:`add_map_panels` and the views).

    Returns
    -------
    None
        The block ``<script type='application/json' id='pt-config'>`` is added to the page; every
        ``<`` in it is written ``\u003c`` so the block cannot end early.
    """
    text = json.dumps(config).replace("<", "\\u003c")
    root_map.get_root().html.add_child(RawHTML(f"<script type='application/json' id='pt-config'>{text}</script>"))
