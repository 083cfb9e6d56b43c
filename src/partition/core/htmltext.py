"""The one path for text from data into the HTML that partition writes.

Every string that comes from data (school, town, district and partnership
names, configuration names, file names, scenario titles) goes through
:func:`html_text` before it reaches any HTML: maps, their legends, popups,
tooltips and layer names, the consultation pack, the notebooks' maps.

Two things must not happen to such a string:

* the browser must not read it as markup (``<script>``, ``<img onerror>``,
  attribute breakouts with quotes);
* it must not become template syntax. folium and branca render the output of
  every map element as a *second* Jinja template (``MacroElement.render``
  wraps each macro's output in ``Element(...)``, whose text is compiled as a
  template), so a school called ``{{ 7*7 }}`` would be shown as ``49`` and a
  name with ``{% raw %}`` would stop the map being written.
  :func:`html.escape` does not touch ``{ } %``.

:func:`html_text` therefore HTML-escapes the text and also writes ``{``,
``}``, ``%`` and the backtick as numeric character references. The result
contains none of ``< > & " ' { } % ``` `` except as part of a character
reference, so it is inert as Jinja source, as the inside of a JSON or
JavaScript string, as HTML text and as a quoted attribute value; a browser
decodes the references and shows exactly the original text wherever it is
parsed as HTML (Leaflet popups, tooltips, DivIcons and the layer control all
set ``innerHTML``).
"""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Mapping
from typing import Any

# Characters html.escape leaves alone that would be template syntax (Jinja's
# {{ }}, {% %}, {# #}) or a JavaScript template literal delimiter.
_TEMPLATE_SYNTAX = str.maketrans({"{": "&#123;", "}": "&#125;", "%": "&#37;", "`": "&#96;"})


def html_text(value: object) -> str:
    """Text from data, made safe for any HTML (text or quoted attribute) that partition writes.

    Parameters
    ----------
    value
        Any value; ``None`` becomes the empty string, anything else ``str(value)``.

    Returns
    -------
    str
        The text with ``& < > " '`` escaped (:func:`html.escape`) and ``{ } %``
        and the backtick replaced by numeric character references, so it is
        neither markup nor template syntax. A browser shows it as the original
        text.
    """
    text = "" if value is None else str(value)
    return html.escape(text, quote=True).translate(_TEMPLATE_SYNTAX)


def html_href(path: str) -> str:
    """A relative link built from data (e.g. a configuration's folder), for an ``href`` attribute.

    The path is percent-encoded (``/`` kept), so it can only be a relative
    path: no ``javascript:`` or other scheme, no query or fragment. The result
    then goes through :func:`html_text`.

    Parameters
    ----------
    path
        A relative path such as ``k23-ignore/map.html``.

    Returns
    -------
    str
        Text to place inside a quoted ``href`` attribute.
    """
    return html_text(urllib.parse.quote(str(path), safe="/"))


def html_properties(properties: Mapping[str, Any]) -> dict[str, Any]:
    """GeoJSON feature properties with every string passed through :func:`html_text`.

    Numbers, booleans and ``None`` are kept as they are; folium shows the
    properties in popups and tooltips by setting ``innerHTML``.

    Parameters
    ----------
    properties
        A feature's properties.

    Returns
    -------
    dict
        The same keys (made safe too) with safe values.
    """
    return {html_text(k): html_text(v) if isinstance(v, str) else v for k, v in properties.items()}
