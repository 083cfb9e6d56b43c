"""Text from data never executes: not as HTML or script in the browser, not as a Jinja template while writing.

folium and branca render each map element's output as a second Jinja template,
so a school called ``{{ 7*7 }}`` used to appear as ``49`` and ``{% raw %}``
stopped the map being written. Every data string now reaches the HTML through
:func:`partition.core.htmltext.html_text`; these tests write every output (four map
kinds and the consultation pack) with hostile text in every field and check
both the written HTML and what Chromium shows.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jinja2.utils import htmlsafe_json_dumps
from tests.synthetic import grid_inputs

from partition.core.htmltext import html_href, html_properties, html_text
from partition.planning.planner import plan_from_assignment
from partition.report.maps import (
    RawHTML,
    WrittenMap,
    configuration_map,
    difference_map,
    layered_map,
    self_contained_html,
    side_by_side_map,
    write_map,
)
from partition.report.pack import consultation_pack

JINJA_CODE = "{{ 7*7 }} Infant {{ cycler.__init__.__globals__.os.getcwd() }}"
HOSTILE = [
    JINJA_CODE,
    "{% raw %}",
    "</script><script>alert(1)</script>",
    "${alert(1)}",
    "{{",
    "{# not a comment",
    "line\u2028sep\u2029para",
    "School 🏫 ✏️",
    "\"double\" 'single' `back` ${x}",
    "<img src=x onerror=alert(1)>",
]
# Every dangerous character, right after a unique marker: what follows each marker in the output
# shows whether the text came through html_text (see _assert_only_through_html_text).
TAIL = "<&>{%}\"'`{{"


def _probe(field: str, i: int) -> str:
    return f"zq{field}{i}zq{TAIL}{HOSTILE[i % len(HOSTILE)]}"


def _districts(units: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """District outlines as the dataset has them (code, name, geometry); the code is data too."""
    d = units.dissolve("district", as_index=False)
    return gpd.GeoDataFrame({"code": d["district_code"], "name": d["district"]}, geometry=d.geometry, crs=d.crs)


def tiny_world(
    school_names: list[str], district_names: list[str], partnership_names: list[list[str]], plan_names: list[str]
):
    """Four schools on a 2x2 grid, two districts (left, right), one plan per entry of ``partnership_names``.

    Each plan's four labels give the partnership of schools 0-3 (row-major: 0 1 / 2 3).
    """
    left, right = district_names
    inputs = grid_inputs(2, 2, [100, 120, 140, 160], [True, False, True, False], districts=[left, right, left, right])
    inputs.schools["name"] = school_names
    inputs.schools["town"] = school_names
    urns = inputs.schools["URN"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plans = [
            plan_from_assignment(inputs, pd.Series(labels, index=urns), name=name)
            for labels, name in zip(partnership_names, plan_names)
        ]
    return inputs, _districts(inputs.units), plans


def _write_everything(inputs, districts, plans, folder: Path, pack_title: str, source: str) -> dict[str, str]:
    a, b = plans
    maps = {
        "configuration": configuration_map(a, inputs.schools, districts),
        "layered": layered_map(plans, inputs.schools, districts),
        "side-by-side": side_by_side_map(a, b, inputs.schools, districts),
        "difference": difference_map(a, b, inputs.schools, districts),
    }
    out = {key: write_map(fmap, folder / f"{key}.html").read_text(encoding="utf-8") for key, fmap in maps.items()}
    scorecard = pd.DataFrame({"wdist_km": [a.wdist_km, b.wdist_km], "note": [source, None]}, index=[a.name, b.name])
    links = [WrittenMap(Path(p.name) / "map.html", "configuration", (p.name,)) for p in plans]
    out["pack"] = consultation_pack(
        plans, scorecard, links, [{"path": source, "modified": source, "sha256": "0" * 64}], title=pack_title
    )
    return out


def _assert_only_through_html_text(text: str, marker: str) -> int:
    """Every occurrence of ``marker`` is followed by TAIL as html_text made it (as HTML, inside JSON, or in a link)."""
    safe = html_text(TAIL)
    forms = (safe, htmlsafe_json_dumps(safe)[1:-1], html_href(TAIL))
    pieces = text.split(marker)[1:]
    for piece in pieces:
        assert piece.startswith(forms), f"{marker} reached the page without html_text: {piece[:40]!r}"
    return len(pieces)


def test_html_text_neutralises_html_and_template_syntax():
    assert (
        html_text(JINJA_CODE)
        == "&#123;&#123; 7*7 &#125;&#125; Infant &#123;&#123; cycler.__init__.__globals__.os.getcwd() &#125;&#125;"
    )
    assert html_text('<a href="x">\'%`') == "&lt;a href=&quot;x&quot;&gt;&#x27;&#37;&#96;"
    assert html_text(None) == "" and html_text(3) == "3"
    for text in HOSTILE:
        assert not set(html_text(text)) & set("<>\"'`{}%")
    # links from data can only be relative paths
    assert html_href("javascript:alert(1)") == "javascript&#37;3Aalert&#37;281&#37;29"
    assert html_properties({"name": "{{x}}", "pupils": 3, "gone": None}) == {
        "name": "&#123;&#123;x&#125;&#125;",
        "pupils": 3,
        "gone": None,
    }


def test_every_output_with_hostile_text_in_every_field(tmp_path):
    names = [_probe("school", i) for i in range(4)]
    district_names = [_probe("district", i) for i in range(2)]
    pa = [_probe("partnership", i) for i in range(4)]
    plan_names = [_probe("plan", i) for i in range(2)]
    title, source = _probe("title", 0), _probe("source", 0)
    inputs, districts, plans = tiny_world(
        names, district_names, [[pa[0], pa[0], pa[1], pa[1]], [pa[2], pa[3], pa[2], pa[3]]], plan_names
    )
    # writes without a TemplateSyntaxError from {% raw %}
    outputs = _write_everything(inputs, districts, plans, tmp_path, title, source)
    for key, text in outputs.items():
        assert "49 Infant" not in text, key  # nothing was evaluated
        assert os.getcwd() not in text and "__globals__" in text, key
        for hostile in HOSTILE:
            assert hostile not in text, (key, hostile)
        seen = {}
        for field, n in (("school", 4), ("district", 2), ("partnership", 4), ("plan", 2), ("title", 1), ("source", 1)):
            seen[field] = sum(_assert_only_through_html_text(text, f"zq{field}{i}zq") for i in range(n))
        # every field reaches the pages where it belongs (so the check above saw it)
        assert seen["school"] >= 4 and seen["district"] >= 2 and seen["partnership"] >= 2, (key, seen)
        if key == "pack":
            assert seen["title"] and seen["source"] and seen["plan"] >= 2, seen


def test_page_html_is_never_compiled_as_a_template():
    """Titles and legend are RawHTML: placed as they are, unlike branca's Element(text), which is a template."""
    import folium
    from branca.element import Element

    fmap = folium.Map(tiles=None)
    fmap.get_root().html.add_child(RawHTML("<p>raw {{ 6*7 }}</p>"))
    fmap.get_root().html.add_child(Element("<p>element {{ 6*7 }}</p>"))
    text = self_contained_html(fmap)
    assert "<p>raw {{ 6*7 }}</p>" in text
    assert "<p>element 42</p>" in text  # why no data may reach branca's Element unneutralised


# --- what Chromium shows -------------------------------------------------------------------------

# fmt: off
TOKENS = [
    "a", "Z", "0", " ", "  ", "\t", "-", "&", "&amp;", "&#123;", ";", "{", "}", "%", "<", ">", '"', "'", "`", "\\", "/",
    "{{", "}}", "{%", "%}", "{#", "#}", "</script>", "<script>", "<!--", "-->", "]]>", "${}", "${alert(1)}",
    "{{ 7*7 }}", "{% raw %}", "<img src=x onerror=window.__pwned=1>", "<script>window.__pwned=1</script>",
    "\u2028", "\u2029", "é", "ß", "🏫", "👩‍👧", "\u00a0",
]
# fmt: on
# textContent gives back exactly the characters of the input: the HTML parser only rewrites CR, NUL and
# other control characters, which are not in the alphabet; tabs, runs of spaces, no-break spaces and the
# line/paragraph separators stay as they are in textContent (only rendering collapses them), so the
# comparison is exact, with no whitespace normalisation.
names_strategy = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=12).map("".join)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser():
    if _chromium() is None:
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=_chromium(),
            args=["--no-sandbox", "--disable-gpu", "--headless", "--disable-background-networking"],
        )
        yield b
        b.close()


SHOWN = """urn => {
    const found = {};
    for (const key in window) {
        const obj = window[key];
        if (obj && obj.eachLayer && key.startsWith('geo_json')) {
            obj.eachLayer(l => {
                if (l.feature && l.feature.properties.URN === String(urn)) {
                    // popup and tooltip are bound to the layer group: fire the events as a click and hover would
                    l.fire('click', {latlng: l.getLatLng()}, true);
                    found.popup = document.querySelector('.leaflet-popup-content td').textContent;
                    l.fire('mouseover', {latlng: l.getLatLng()}, true);
                    found.tooltip = document.querySelector('.leaflet-tooltip td').textContent;
                }
            });
        }
    }
    found.title = document.querySelector('h1').textContent;
    found.subtitle = document.querySelector('.pt-sub').textContent;
    found.file = document.querySelector('.pt-small').textContent;
    found.legend = [...document.querySelectorAll('.pt-legend tr td:nth-child(2)')].map(td => td.textContent);
    found.labels = [...document.querySelectorAll('.pt-label')].map(d => d.textContent);
    found.pwned = window.__pwned === undefined ? null : String(window.__pwned);
    return found;
}"""


def _open(browser, path: Path):
    page = browser.new_page()
    events: list[str] = []
    page.on(
        "console", lambda m: events.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda e: events.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (events.append(f"dialog: {d.message}"), d.dismiss()))
    page.on(
        "request",
        lambda r: (
            events.append(f"request: {r.url}") if r.url != path.as_uri() and not r.url.startswith("data:") else None
        ),
    )
    page.goto(path.as_uri())
    return page, events


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=names_strategy)
def test_chromium_shows_hostile_names_exactly(browser, tmp_path, name):
    other = "Other partnership"
    partnership = name if name != other else name + "!"
    inputs, districts, plans = tiny_world(
        [name, "b", "c", "d"], [name, "East"], [[partnership, partnership, other, other]], [name]
    )
    plan = plans[0]
    path = write_map(configuration_map(plan, inputs.schools, districts), tmp_path / "map.html")
    page, events = _open(browser, path)
    page.wait_for_selector("path.leaflet-interactive")
    shown = page.evaluate(SHOWN, int(inputs.schools["URN"].iloc[0]))
    page.close()
    assert shown["popup"] == name
    assert shown["tooltip"] == name
    # the heading and subtitle are plain words; the configuration's name (data) is the legend's small print
    assert shown["title"] == f"{plan.k} partnerships (proposal for consultation)"
    assert shown["subtitle"] == f"4 schools in {plan.k} partnerships; click a partnership or school for details"
    assert shown["file"] == f"file: {name}"
    assert sorted(shown["legend"]) == sorted([partnership, other])
    assert sorted(shown["labels"]) == sorted([partnership, other])
    assert shown["pwned"] is None
    assert not events, events

    pack = tmp_path / "pack.html"
    pack.write_text(
        consultation_pack(
            plans,
            pd.DataFrame({"wdist_km": [1.0]}, index=[name]),
            [WrittenMap(Path("configuration") / "map.html", "configuration", (name,))],
            [],
            title=name,
        ),
        encoding="utf-8",
    )
    page, events = _open(browser, pack)
    shown = page.evaluate("""() => ({
        h1: document.querySelector('h1').textContent,
        svg: [...document.querySelectorAll('svg text[text-anchor=end]')].map(t => t.textContent),
        sheets: [...document.querySelectorAll('details table td:nth-child(2)')].map(td => td.textContent),
        summary: [...document.querySelectorAll('details summary b')].map(b => b.textContent),
        index: (() => {  // the row heading without its "(recommended)" mark
            const th = document.querySelector('table.scorecard tbody th').cloneNode(true);
            const marks = th.querySelectorAll('.rec');
            marks.forEach(e => e.remove());
            return marks.length ? th.textContent.slice(0, -1) : th.textContent;
        })(),
        link: document.querySelector('ul a').getAttribute('href'),
        pwned: window.__pwned === undefined ? null : String(window.__pwned),
    })""")
    page.close()
    assert shown["h1"] == name and shown["index"] == name
    assert sorted(shown["svg"]) == sorted([partnership, other])
    assert name in shown["sheets"]
    assert sorted(s.split(" ", 1)[1] for s in shown["summary"]) == sorted([partnership, other])
    # the link is the file written (a record), whatever the configuration's name; the name is its text
    assert shown["link"] == "configuration/map.html"
    assert shown["pwned"] is None
    assert not events, events


def test_page_templates_print_data_only_through_html_text():
    """A page template prints each value through html_text: markup and template syntax in data stay text."""
    import jinja2

    from partition.report.pages import environment

    template = environment().from_string('<p>{{ name }}</p><a href="{{ path|href }}">x</a>')
    page = template.render(name="<script>{{ 7*7 }}</script>{% raw %}", path="a b/<x>.html")
    assert "<script>" not in page and "49" not in page and "{%" not in page and "{{" not in page
    assert "&lt;script&gt;" in page and "a&#37;20b/&#37;3Cx&#37;3E.html" in page  # as html_href writes it
    with pytest.raises(jinja2.UndefinedError):
        template.render(name="only one of two")
