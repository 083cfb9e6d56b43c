"""Maps: structure of the folium objects and HTML, and a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import warnings
from pathlib import Path

import pytest

from partition.maps import colour_partnerships, configuration_map, partnership_adjacency, write_map
from partition.planner import make_plan
from partition.spec import PlanSpec

PAYLOAD = "<img src=x onerror=alert(1)>"
ARTEFACTS = Path(os.environ.get("PARTITION_ARTEFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))


@pytest.fixture(scope="module")
def evil_map(hampshire, tmp_path_factory):
    """The k=23 map, with one school renamed to an HTML payload."""
    schools = hampshire.schools.copy()
    target = schools.index[schools["kind"] == "secondary"][0]
    schools.loc[target, "name"] = PAYLOAD
    inputs = type(hampshire)(hampshire.dataset, hampshire.units, schools, hampshire.graph)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(inputs, PlanSpec(k=(23,)), 23, solver="heuristic", heuristic_options={"iterations": 20})
    fmap = configuration_map(plan, schools, hampshire.dataset.districts)
    path = write_map(fmap, tmp_path_factory.mktemp("maps") / "k23.html")
    return plan, fmap, path, int(schools.loc[target, "URN"])


def test_neighbouring_partnerships_never_share_a_colour(evil_map):
    plan = evil_map[0]
    colours = colour_partnerships(plan.partnerships)
    adjacency = partnership_adjacency(plan.partnerships)
    assert adjacency.number_of_edges() > 23  # a real map: many neighbours
    assert all(colours[i] != colours[j] for i, j in adjacency.edges())
    assert len(set(colours)) >= 8  # the palette is spread, so the legend tells partnerships apart


def test_layers_and_features(evil_map):
    plan, fmap, path, _ = evil_map
    names = [getattr(child, "layer_name", None) for child in fmap._children.values()]
    assert {"Partnerships", "District boundaries", "Schools"} <= set(names)
    text = path.read_text()
    assert text.count('"id": "P') == 23  # one feature per partnership
    assert len(re.findall(r'"URN": "\d+"', text)) == 494


def test_self_contained_and_escaped(evil_map):
    text = evil_map[2].read_text()
    assert not re.search(r'<script[^>]+src="https?://', text)
    assert not re.search(r'<link[^>]+href="https?://', text)
    assert PAYLOAD not in text
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in text
    assert len(text) < 5_000_000


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="Debian chromium not installed")
def test_map_in_headless_chromium(evil_map, tmp_path):
    from playwright.sync_api import sync_playwright

    plan, _, path, evil_urn = evil_map
    errors: list[str] = []
    requests: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(),
            # playwright starts each browser with a fresh temporary profile (its own --user-data-dir)
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_selector("path.leaflet-interactive")
        filled = page.locator('path[fill-opacity="0.55"]').count()
        assert filled == plan.k
        # click the school whose name is the payload: its popup shows the text, nothing runs
        # a real mouse click on a secondary-school marker that nothing covers (legend, labels),
        # once the map has settled
        page.wait_for_timeout(1000)
        index = page.evaluate("""() => {
            const marks = [...document.querySelectorAll('path[fill="#000000"]')];
            return marks.findIndex(m => {
                const r = m.getBoundingClientRect();
                return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === m;
            });
        }""")
        assert index >= 0
        box = page.locator('path[fill="#000000"]').nth(index).bounding_box()
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_selector(".leaflet-popup-content")
        popup = page.locator(".leaflet-popup-content").inner_text()
        assert "URN" in popup and "School" in popup, popup
        page.evaluate(
            """urn => {
            for (const key in window) {
              const obj = window[key];
              if (obj && obj.eachLayer && key.startsWith('geo_json')) {
                obj.eachLayer(l => { if (l.feature && l.feature.properties.URN === String(urn)) { l.fire('click', {latlng: l.getLatLng()}); } });
              }
            }
        }""",
            evil_urn,
        )
        page.wait_for_timeout(300)
        popup = page.locator(".leaflet-popup-content").inner_text()
        assert PAYLOAD in popup  # shown as text
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "map_k23.png"))
        browser.close()
    assert not dialogs
    assert not errors, errors
    remote = [u for u in requests if not u.startswith(("file:", "data:"))]
    assert not remote, remote


@pytest.fixture(scope="module")
def comparison(hampshire, tmp_path_factory):
    from partition.maps import write_comparison_maps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plans = [
            make_plan(hampshire, PlanSpec(k=(k,)), k, solver="heuristic", heuristic_options={"iterations": 20})
            for k in (22, 23)
        ]
    from partition.planner import district_plan
    from partition.workflow import map_options

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        current = district_plan(hampshire)
    look = map_options(hampshire, plans + [current], "none")
    out = tmp_path_factory.mktemp("cmp")
    paths = write_comparison_maps(plans, hampshire.schools, hampshire.dataset.districts, out, current=current, **look)
    return plans, {p.name.split("_")[0]: p for p in paths}, current, look, paths


def test_matching_keeps_names_and_colours(comparison):
    from partition.compare import match_partnerships
    from partition.maps import matched_colours

    a, b = comparison[0][:2]
    match = match_partnerships(a, b)
    assert len(match) == 22  # every partnership of the smaller configuration is matched
    colours_a = colour_partnerships(a.partnerships)
    colours_b = matched_colours(a, colours_a, b)
    adjacency = partnership_adjacency(b.partnerships)
    assert all(colours_b[i] != colours_b[j] for i, j in adjacency.edges())
    ref = dict(zip(a.partnerships["id"], colours_a))
    kept = sum(ref[match[i]] == c for i, c in zip(b.partnerships["id"], colours_b) if i in match)
    assert kept >= 18  # most matched partnerships keep their colour


def test_one_colour_per_partnership_in_every_map(comparison):
    """The run's colours are computed once: a plan's map, the layered map and the changes map agree."""
    plans, _, current, look, paths = comparison
    b = plans[1]
    colours = look["colours"][b.name]
    texts = [p.read_text() for p in paths if b.name in p.name or "all-configurations" in p.name]
    for text in texts:
        for pid, colour in zip(b.partnerships["id"], colours):
            assert re.search(
                rf'"colour": "{colour}", "deviation": "[^"]*", "districts": "[^"]*", "id": "{pid}"', text
            ), pid
    assert set(look["colours"]) == {p.name for p in plans} | {current.name}


def test_changed_colour_is_no_fill_colour(comparison):
    from partition.maps import CHANGED_COLOUR, PALETTE

    colours = {c.lower() for cols in comparison[3]["colours"].values() for c in cols}
    assert CHANGED_COLOUR.lower() not in colours | {c.lower() for c in PALETTE}


def test_plain_titles_and_neighbours(comparison, hampshire):
    from partition.maps import neighbouring_districts, plan_title, towns

    plans, _, current, look, _ = comparison
    assert plan_title(plans[1]) == "23 partnerships (proposal for consultation)"
    assert plan_title(current) == "Today: 11 partnerships, one per district"
    names = set(look["neighbours"]["name"])
    assert {"Southampton", "Portsmouth", "Isle of Wight", "Wiltshire"} <= names
    assert not names & set(hampshire.dataset.districts["name"])
    places = set(towns(hampshire.schools, hampshire.dataset.outline)["name"])
    assert {"Basingstoke", "Andover", "Winchester"} <= places and "Southampton" not in places
    assert neighbouring_districts(hampshire.dataset.districts, None, data=Path("/nonexistent")).empty


INITIAL_VIEW = """() => {
    const map = Object.keys(window).filter(k => k.startsWith('map_') && window[k] instanceof L.Map).map(k => window[k])[0];
    const box = map.getContainer().getBoundingClientRect();
    const cfg = JSON.parse(document.getElementById('pt-config').textContent).maps[map._container.id] ||
        Object.values(JSON.parse(document.getElementById('pt-config').textContent).maps)[0];
    const [[s, w], [n, e]] = cfg.bounds;
    const a = map.latLngToContainerPoint([n, w]), b = map.latLngToContainerPoint([s, e]);
    const area = {left: box.left + a.x, top: box.top + a.y, right: box.left + b.x, bottom: box.top + b.y};
    const covers = [...map.getContainer().querySelectorAll('.leaflet-control')].map(el => el.getBoundingClientRect())
        .filter(r => r.width && r.left < area.right && r.right > area.left && r.top < area.bottom && r.bottom > area.top)
        .map(r => [r.left, r.top, r.right, r.bottom]);
    const inside = area.left >= box.left && area.top >= box.top && area.right <= box.right && area.bottom <= box.bottom;
    const labels = [...map.getContainer().querySelectorAll('.pt-tag')].filter(t => t.style.visibility !== 'hidden')
        .map(t => t.getBoundingClientRect());
    let overlaps = 0;
    labels.forEach((r, i) => labels.slice(i + 1).forEach(q => {
        if (r.left < q.right && q.left < r.right && r.top < q.bottom && q.top < r.bottom) { overlaps += 1; }
    }));
    return {inside, covers, overlaps, labels: labels.length, area: [area.left, area.top, area.right, area.bottom],
            legendOpen: document.querySelector('.pt-legend details').open, title: document.title};
}"""


def _page(browser, path, size, requests):
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(re.compile(r"^https?://"), lambda route: (requests.append(route.request.url), route.abort()))
    page.goto(path.as_uri())
    page.wait_for_function("() => Object.values(window).some(v => v && v.ptReady)")
    return page, errors


@pytest.fixture(scope="module")
def browser():
    if _chromium() is None:
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


SIZES = [(1400, 1000), (390, 844)]


@pytest.mark.parametrize("size", SIZES, ids=["desktop", "phone"])
@pytest.mark.parametrize("key", ["map", "changes", "all-configurations.html", "side-by-side"])
def test_initial_view_legend_labels_offline(browser, comparison, evil_map, key, size):
    """The whole study area shows clear of the legend and controls, no labels overlap, nothing is fetched."""
    paths = comparison[1]
    path = evil_map[2] if key == "map" else paths[key]
    requests: list[str] = []
    page, errors = _page(browser, path, size, requests)
    view = page.evaluate(INITIAL_VIEW)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{path.stem}_{size[0]}.png"))
    page.close()
    assert view["title"]
    if key != "side-by-side":  # each half of side by side is too narrow for the whole area beside its panels
        assert view["inside"], view
        assert not view["covers"], view
    assert view["legendOpen"] == (size[0] >= 900 and key != "side-by-side")
    assert view["labels"] >= 5 and view["overlaps"] == 0, view
    assert not errors, errors
    assert not requests, requests


def test_search_finds_a_school_offline(browser, evil_map):
    plan, _, path, _ = evil_map
    requests: list[str] = []
    page, errors = _page(browser, path, (390, 844), requests)
    name = "Test Valley School"
    page.fill(".pt-search", name.lower()[:12])
    page.press(".pt-search", "Enter")
    page.wait_for_selector(".leaflet-popup-content")
    popup = page.locator(".leaflet-popup-content").inner_text()
    zoom = page.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()")
    page.close()
    assert name in popup and zoom >= 13
    assert not errors and not requests


def test_layered_map_switches_configuration(browser, comparison):
    plans, paths, current, _, _ = comparison
    requests: list[str] = []
    page, errors = _page(browser, paths["all-configurations.html"], (1400, 1000), requests)
    shown = """() => ({
        fills: document.querySelectorAll('path[fill-opacity="0.55"]').length,
        legend: [...document.querySelectorAll('.pt-legend tr td:nth-child(2)')].filter(td => td.offsetParent)
            .map(td => td.textContent),
        schools: (() => {
            const map = Object.values(window).find(v => v instanceof L.Map), seen = new Set();
            let n = 0;
            map.eachLayer(l => { if (l.feature && l.feature.properties.URN) { n += 1; seen.add(l.feature.properties.partnership); } });
            return [n, seen.size];
        })(),
    })"""
    first = page.evaluate(shown)
    page.locator(".pt-configs input").nth(1).check()
    second = page.evaluate(shown)
    page.locator(".pt-configs input").nth(2).check()
    third = page.evaluate(shown)
    page.screenshot(path=str(ARTEFACTS / "all-configurations_current.png"))
    page.close()
    assert (first["fills"], second["fills"], third["fills"]) == (22, 23, 11)  # one configuration at a time
    assert first["legend"] == list(plans[0].partnerships["name"])
    assert second["legend"] == list(plans[1].partnerships["name"])
    assert third["legend"] == list(current.partnerships["name"])
    # the markers follow: a school's popup names its partnership in the configuration shown
    assert (first["schools"], second["schools"], third["schools"]) == ([494, 22], [494, 23], [494, 11])
    assert not errors and not requests


def test_changes_map_counts_and_marks_the_schools_that_move(browser, comparison):
    from partition.maps import CHANGED_COLOUR
    from partition.maps.views import changes

    plans, paths, current, _, files = comparison
    moved = len(changes(current, plans[1]))
    assert 0 < moved < 494
    path = next(p for p in files if p.name == f"changes_{current.name}_to_{plans[1].name}.html")
    requests: list[str] = []
    page, errors = _page(browser, path, (1400, 1000), requests)
    sub = page.locator(".pt-title .pt-sub").inner_text()
    marked = page.locator(f'path[fill="{CHANGED_COLOUR}"]').count()
    page.close()
    assert f"{moved} of 494 schools change partnership" in sub
    assert marked == moved
    assert not errors and not requests


def test_basemap_osm_degrades_offline(browser, evil_map, hampshire, tmp_path):
    """With the online base map and no network, the offline land and neighbours still show, without errors."""
    from partition.workflow import map_options

    plan = evil_map[0]
    look = map_options(hampshire, [plan], "osm")
    fmap = configuration_map(plan, hampshire.schools, hampshire.dataset.districts, **{**look, "colours": None})
    path = write_map(fmap, tmp_path / "osm.html")
    assert "openstreetmap.org/copyright" in path.read_text()
    requests: list[str] = []
    page, errors = _page(browser, path, (1400, 1000), requests)
    page.wait_for_timeout(500)
    land = page.locator(".leaflet-ptLand-pane path").count()
    areas = page.locator(".pt-area").all_inner_texts()
    page.screenshot(path=str(ARTEFACTS / "map_k23_osm_offline.png"))
    page.close()
    assert requests and all("tile.openstreetmap.org" in u for u in requests)
    assert land >= 1 and "SOUTHAMPTON" in [a.upper() for a in areas]
    assert not [e for e in errors if "Failed to load resource" not in e], errors


def test_scenario_basemap_key(tmp_path):
    from partition.errors import PartitionError
    from partition.scenario import load_scenario

    good = tmp_path / "good.toml"
    good.write_text('[spec]\nk = [23]\n[outputs]\nbasemap = "osm"\n')
    assert load_scenario(good).outputs["basemap"] == "osm"
    bad = tmp_path / "bad.toml"
    bad.write_text('[spec]\nk = [23]\n[outputs]\nbasemap = "google"\n')
    with pytest.raises(PartitionError, match="basemap"):
        load_scenario(bad)
