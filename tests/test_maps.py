"""Maps: structure of the folium objects and HTML, and a real headless Chromium."""

from __future__ import annotations

import dataclasses
import html
import os
import re
import shutil
import warnings
from pathlib import Path
from types import SimpleNamespace

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from partition.model.spec import PlanSpec
from partition.planning.planner import make_plan
from partition.report.maps import colour_partnerships, configuration_map, partnership_adjacency, write_map
from partition.report.maps.changes import ChangeSummary, change_sentence, school_changes, summarise

PAYLOAD = "<img src=x onerror=alert(1)>"
ARTEFACTS = Path(os.environ.get("PARTITION_ARTEFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))


@pytest.fixture(scope="module")
def evil_map(hampshire, tmp_path_factory):
    """The k=23 map, with one school renamed to an HTML payload."""
    schools = hampshire.schools.copy()
    target = schools.index[schools["kind"] == "secondary"][0]
    schools.loc[target, "name"] = PAYLOAD
    members = hampshire.members.copy()
    members.loc[members.index[members["kind"] == "college"][0], "name"] = PAYLOAD
    inputs = dataclasses.replace(hampshire, schools=schools, members=members)
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
    assert len(re.findall(r'"URN": "\d+", "colour"', text)) == 494  # one marker per school (sorted keys)
    assert len(re.findall(r'"kind": "[A-Za-z ]+ \(not counted in pupils\)"', text)) == len(plan.members) == 40


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


def _member_features(fmap) -> list[dict]:
    """The features of every member marker on a folium map (GeoJson layers whose features have a ``kind``)."""
    found, stack = [], [fmap]
    while stack:
        element = stack.pop()
        stack.extend(element._children.values())
        data = getattr(element, "data", None)
        if isinstance(data, dict) and element.__class__.__name__ == "GeoJson":
            found += [f for f in data.get("features", []) if "kind" in f["properties"]]
    return found


def test_members_on_the_map_with_their_legend(evil_map):
    """Every member is drawn with its kind's symbol, its partnership and plain words; the legend has one entry
    per member kind present (Hampshire: colleges and special schools, no PRU)."""
    from partition.core.htmltext import html_text
    from partition.report.maps.layers import MEMBER_LAYER, member_symbol

    plan, fmap, path, _ = evil_map
    text = path.read_text()
    legend = re.search(r"<div class='pt-note'>.*?</div>", text[text.index("pt-legend") :], re.S).group(0)
    assert "College (not counted in pupils)" in legend and "Special school (not counted in pupils)" in legend
    assert "Pupil referral unit" not in legend  # no PRU in the data: no legend entry
    assert member_symbol("college", 13) in legend and member_symbol("special", 13) in legend
    names = [getattr(child, "layer_name", None) for child in fmap._children.values()]
    assert MEMBER_LAYER in names
    features = {int(f["properties"]["URN"]): f["properties"] for f in _member_features(fmap)}
    assert set(features) == set(plan.members["URN"].astype(int))
    numbers = dict(zip(plan.partnerships["id"], range(1, plan.k + 1)))
    for row in plan.members.itertuples():
        props = features[int(row.URN)]
        assert props["partnership"] == html_text(f"{numbers[row.partnership_id]} {row.partnership}")
        kind = "College" if row.kind == "college" else "Special school"
        assert props["kind"] == f"{kind} (not counted in pupils)"
        if row.kind == "college":
            assert props["pupils"] == (f"{int(row.pupils):,}" if not pd.isna(row.pupils) else "not published")
        assert ("also" in props) == bool(row.also_serves)
    assert "Also the nearest" in text  # some member is also the nearest of its kind to another partnership


@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="Debian chromium not installed")
def test_member_popup_shows_its_name_as_text(evil_map):
    """A college named ``<img src=x onerror=alert(1)>`` shows that text in its tooltip and popup; nothing runs."""
    from playwright.sync_api import sync_playwright

    plan, _, path, _ = evil_map
    evil = plan.members.loc[plan.members["name"] == PAYLOAD].iloc[0]
    errors: list[str] = []
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:")) else r.abort())
        page.goto(path.as_uri())
        page.wait_for_selector(".pt-mem-icon svg.pt-mem")
        icons = page.locator(".pt-mem-icon").count()
        find = """urn => {
            const map = Object.values(window).find(v => v instanceof L.Map);
            let found = null;
            map.eachLayer(l => { if (l.feature && l.feature.properties.kind && l.feature.properties.URN === String(urn)) found = l; });
            map.setView(found.getLatLng(), 13, {animate: false});
            return found;
        }"""
        # the tooltip first, read before the click (a sticky tooltip opens on mousemove; a click may close it)
        page.evaluate(
            f"""urn => {{ const l = ({find})(urn); l.fire('mouseover', {{latlng: l.getLatLng()}}, true);
                l.fire('mousemove', {{latlng: l.getLatLng()}}, true); }}""",
            int(evil["URN"]),
        )
        page.wait_for_selector(".leaflet-tooltip")
        tooltip = page.locator(".leaflet-tooltip").first.inner_text()
        page.evaluate(
            f"urn => {{ const l = ({find})(urn); l.fire('click', {{latlng: l.getLatLng()}}, true); }}", int(evil["URN"])
        )
        page.wait_for_selector(".leaflet-popup-content")
        popup = page.locator(".leaflet-popup-content").inner_text()
        images = page.locator(".leaflet-popup-content img, .leaflet-tooltip img").count()
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTEFACTS / "map_member_popup_phone.png"))
        browser.close()
    assert icons == len(plan.members)
    assert PAYLOAD in popup and PAYLOAD in tooltip and images == 0
    assert "College (not counted in pupils)" in popup and "16–18 students" in popup
    assert "the partnership whose area it stands in" in popup
    assert not dialogs and not errors, (dialogs, errors)


@pytest.fixture(scope="module")
def comparison(hampshire, tmp_path_factory):
    from partition.report.maps import write_comparison_maps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plans = [
            make_plan(hampshire, PlanSpec(k=(k,)), k, solver="heuristic", heuristic_options={"iterations": 20})
            for k in (22, 23)
        ]
    from partition.planning.planner import district_plan
    from partition.runs.writing import map_options

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        current = district_plan(hampshire)
    look = map_options(hampshire, plans + [current], "none")
    out = tmp_path_factory.mktemp("cmp")
    written = write_comparison_maps(plans, hampshire.schools, hampshire.dataset.districts, out, current=current, **look)
    assert [(w.kind, w.configurations) for w in written] == [
        ("side-by-side", ("k22-ignore", "k23-ignore")),
        ("changes", ("districts-11", "k22-ignore")),
        ("changes", ("districts-11", "k23-ignore")),
        ("all-configurations", ("k22-ignore", "k23-ignore", "districts-11")),
    ]
    paths = [w.path for w in written]
    return plans, {p.name.split("_")[0]: p for p in paths}, current, look, paths


def test_matching_keeps_names_and_colours(comparison):
    from partition.analysis.agreement import match_partnerships
    from partition.report.maps import matched_colours

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
                rf'"colour": "{colour}", "deviation": "[^"]*", "districts": "[^"]*", ("fsm": "[^"]*", )?"id": "{pid}"',
                text,
            ), pid
    assert set(look["colours"]) == {p.name for p in plans} | {current.name}


def test_changed_colour_is_no_fill_colour(comparison):
    from partition.report.maps import CHANGED_COLOUR, PALETTE

    colours = {c.lower() for cols in comparison[3]["colours"].values() for c in cols}
    assert CHANGED_COLOUR.lower() not in colours | {c.lower() for c in PALETTE}


def test_plain_titles_and_neighbours(comparison, hampshire):
    from partition.report.maps import neighbouring_districts, plan_title, towns

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
    """Search by name or URN: the map zooms to 12-13 (the partnership and towns stay in view), the popup
    opens without its tooltip beside it, and a text that matches nothing says so."""
    plan, _, path, _ = evil_map
    requests: list[str] = []
    page, errors = _page(browser, path, (390, 844), requests)
    name = "Test Valley School"
    page.fill(".pt-search", name.lower()[:12])
    page.press(".pt-search", "Enter")
    page.wait_for_selector(".leaflet-popup-content")
    popup = page.locator(".leaflet-popup-content").inner_text()
    zoom = page.evaluate("() => Object.values(window).find(v => v instanceof L.Map).getZoom()")
    page.wait_for_timeout(300)  # a closed tooltip fades out (opacity 0) before it is removed
    tooltips = page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-tooltip')].filter(t => getComputedStyle(t).opacity > 0).length"
    )
    page.screenshot(path=str(ARTEFACTS / "search_name_phone.png"))
    page.fill(".pt-search", "Nowhere Academy of Nothing")
    page.press(".pt-search", "Enter")
    message = page.locator(".pt-msg").inner_text()
    page.screenshot(path=str(ARTEFACTS / "search_nomatch_phone.png"))
    urn = str(int(plan.assignments.loc[plan.assignments["name"] == "Perins School", "URN"].iloc[0]))
    page.fill(".pt-search", urn)
    page.press(".pt-search", "Enter")
    page.wait_for_function("() => document.querySelector('.leaflet-popup-content').innerText.includes('Perins')")
    by_urn = page.locator(".leaflet-popup-content").inner_text()
    cleared = page.locator(".pt-msg").is_visible()
    page.close()
    assert name in popup and 12 <= zoom <= 13
    assert tooltips == 0
    assert "No school matches \u201cNowhere Academy of Nothing\u201d" in message
    assert "Perins School" in by_urn and urn in by_urn and not cleared
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
            map.eachLayer(l => { if (l.feature && l.feature.properties.phase) { n += 1; seen.add(l.feature.properties.partnership); } });
            return [n, seen.size];
        })(),
        members: (() => {
            const map = Object.values(window).find(v => v instanceof L.Map), out = {};
            map.eachLayer(l => { if (l.feature && l.feature.properties.kind) { out[l.feature.properties.URN] = l.feature.properties.partnership; } });
            return out;
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
    # and so do the members: each in its partnership of the configuration shown
    for plan, shown_members in zip([*plans, current], (first["members"], second["members"], third["members"])):
        numbers = dict(zip(plan.partnerships["id"], range(1, len(plan.partnerships) + 1)))
        expected = {
            str(u): f"{numbers[i]} {n}"
            for u, i, n in plan.members[["URN", "partnership_id", "partnership"]].itertuples(index=False)
        }
        assert {u: html.unescape(v) for u, v in shown_members.items()} == expected
    assert not errors and not requests


def test_changes_map_tells_every_school_what_changes(browser, comparison):
    """Title and subtitle are the checkable figures of school_changes; the marked schools are those whose
    proposed partnership crosses a district boundary; a school's popup gives today's and the proposed
    partnership and how many of its partner schools stay with it."""
    from partition.report.maps import CHANGED_COLOUR
    from partition.report.maps.changes import school_changes, summarise

    plans, paths, current, _, files = comparison
    table = school_changes(current, plans[1])
    summary = summarise(table)
    assert summary.unchanged < 494 and 0 < summary.crossing < 494
    path = next(p for p in files if p.name == f"changes_{current.name}_to_{plans[1].name}.html")
    requests: list[str] = []
    page, errors = _page(browser, path, (1400, 1000), requests)
    heading = page.locator(".pt-title h1").inner_text()
    sub = page.locator(".pt-title .pt-sub").inner_text()
    marked = page.locator(f'path[fill="{CHANGED_COLOUR}"]').count()
    page.fill(".pt-search", "The Petersfield School")
    page.press(".pt-search", "Enter")
    page.wait_for_selector(".leaflet-popup-content")
    popup = page.locator(".leaflet-popup-content").inner_text()
    page.screenshot(path=str(ARTEFACTS / "changes_petersfield.png"))
    page.close()
    assert heading == "Today's 11 district partnerships become 23"
    assert sub == summary.sentence("a district boundary")
    assert marked == summary.crossing == int(table["crosses"].sum())
    row = table[table["name"] == "The Petersfield School"].iloc[0]
    assert row["from_name"] == "East Hampshire" and row["from_schools"] > row["to_schools"]
    assert f"Today\tEast Hampshire ({row['from_schools']} schools)" in popup
    assert f"{row['to_name']} ({row['to_schools']} schools)" in popup
    assert f"{row['kept']} of your {row['partners']} partner schools stay with you" in popup
    assert "unchanged" not in popup
    assert not errors and not requests


def test_basemap_osm_degrades_offline(browser, evil_map, hampshire, tmp_path):
    """With the online base map and no network, the offline land and neighbours still show, without errors."""
    from partition.runs.writing import map_options

    plan = evil_map[0]
    look = map_options(hampshire, [plan], "osm")
    fmap = configuration_map(plan, hampshire.schools, hampshire.dataset.districts, **{**look, "colours": None})
    path = write_map(fmap, tmp_path / "osm.html")
    assert "openstreetmap.org/copyright" in path.read_text()
    requests: list[str] = []
    page, errors = _page(browser, path, (1400, 1000), requests)
    page.wait_for_timeout(500)
    land = page.locator(".leaflet-ptLand-pane path").count()
    areas = page.locator(".pt-area").all_text_contents()  # drawn, whether or not the declutter has shown it yet
    page.screenshot(path=str(ARTEFACTS / "map_k23_osm_offline.png"))
    page.close()
    assert requests and all("tile.openstreetmap.org" in u for u in requests)
    assert land >= 1 and "SOUTHAMPTON" in [a.upper() for a in areas]
    assert not [e for e in errors if "Failed to load resource" not in e], errors


def test_scenario_basemap_key(tmp_path):
    from partition.errors import PartitionError
    from partition.runs.scenario import load_scenario

    good = tmp_path / "good.toml"
    good.write_text('[spec]\nk = [23]\n[outputs]\nbasemap = "osm"\n')
    assert load_scenario(good).outputs["basemap"] == "osm"
    bad = tmp_path / "bad.toml"
    bad.write_text('[spec]\nk = [23]\n[outputs]\nbasemap = "google"\n')
    with pytest.raises(PartitionError, match="basemap"):
        load_scenario(bad)


def _plan(name: str, groups: dict[str, list[int]], pupils: dict[int, int] | None = None, solver: str = "x"):
    """A plan over schools 1..n laid out as unit squares in a row; ``groups``: partnership name -> URNs."""
    rows = [
        {
            "URN": u,
            "name": f"School {u}",
            "partnership_id": pid,
            "partnership": pid,
            "pupils": (pupils or {}).get(u, 100),
        }
        for pid, urns in groups.items()
        for u in urns
    ]
    assignments = pd.DataFrame(rows).sort_values("URN").reset_index(drop=True)
    polys = [shapely.union_all([shapely.box(u - 1, 0, u, 1) for u in urns]) for urns in groups.values()]
    partnerships = gpd.GeoDataFrame({"id": list(groups), "name": list(groups)}, geometry=polys, crs=27700)
    return SimpleNamespace(name=name, k=len(groups), assignments=assignments, partnerships=partnerships, solver=solver)


def test_school_changes_counts_partners_kept_not_matches():
    """A district split in two: neither half is "unchanged" (a one-to-one matching called the larger half
    unchanged); a school is unchanged only when its partnership has exactly the same schools."""
    today = _plan("today", {"East": [1, 2, 3, 4, 5], "West": [6, 7]}, solver="districts")
    proposed = _plan("new", {"North": [1, 2, 3], "South": [4, 5, 6, 7]})
    table = school_changes(today, proposed)
    one, four, six = table.loc[1], table.loc[4], table.loc[6]
    assert (one["from_schools"], one["to_schools"], one["partners"], one["kept"], one["joined"]) == (5, 3, 4, 2, 0)
    assert not one["unchanged"] and not one["crosses"]
    assert change_sentence(one) == "2 of your 4 partner schools stay with you; no other school joins"
    assert (four["kept"], four["joined"], four["joined_from"], four["crosses"]) == (1, 2, "2 from West", True)
    assert change_sentence(four) == "1 of your 4 partner schools stays with you; 2 schools join (2 from West)"
    assert change_sentence(six) == "your partner school stays with you; 2 schools join (2 from East)"
    summary = summarise(table)
    assert (summary.schools, summary.unchanged, summary.crossing) == (7, 0, 4)
    assert summary.sentence("a district boundary").startswith(
        "Every school's partnership changes; 4 schools would be in partnerships that cross a district boundary"
    )
    same = school_changes(today, _plan("same", {"A": [1, 2, 3, 4, 5], "B": [6, 7]}))
    assert same["unchanged"].all()
    assert change_sentence(same.loc[6]) == "unchanged: the same 2 schools"
    assert summarise(same).sentence("x").startswith("No school's partnership changes; 0 schools")


def test_counts_agree_with_their_nouns_for_a_single_district_la():
    """Hartlepool (LA 805) is one district: every title and sentence counting one thing says it in the singular."""
    from partition.core.wording import counted, plural
    from partition.report.maps.views import changes_title, plan_title
    from partition.report.tables import plain_title

    assert (counted(1, "school"), counted(0, "school"), counted(2, "district partnership")) == (
        "1 school",
        "0 schools",
        "2 district partnerships",
    )
    assert counted(1234, "pupil", thousands=True) == "1,234 pupils" and plural(1, "becomes", "become") == "becomes"
    today = _plan("districts-1", {"Hartlepool": [1, 2, 3, 4]}, solver="districts")
    proposed = _plan("k3-ignore", {"A": [1, 2], "B": [3], "C": [4]})
    assert changes_title(today, proposed) == "Today's 1 district partnership becomes 3"
    assert changes_title(_plan("d", {"E": [1], "W": [2]}, solver="districts"), proposed) == (
        "Today's 2 district partnerships become 3"
    )
    assert plan_title(today) == "Today: 1 partnership, one per district"
    assert plain_title(today) == "Current arrangement: 1 district partnership"
    table = school_changes(today, proposed)
    assert change_sentence(table.loc[3]) == "none of your 3 partner schools stays with you; no other school joins"
    one = school_changes(_plan("t", {"X": [1, 2], "Y": [3]}, solver="districts"), _plan("n", {"X": [1], "Y": [2, 3]}))
    assert change_sentence(one.loc[1]) == "your partner school does not stay with you; no other school joins"
    assert change_sentence(one.loc[2]) == "your partner school does not stay with you; 1 school joins (1 from Y)"
    assert ChangeSummary(3, 1, 1, 50.0).sentence("a district boundary") == (
        "2 of 3 schools' partnerships change (1 keeps exactly the same partners); 1 school would be in a "
        "partnership that crosses a district boundary; schools keep a median of 50 % of their partner schools."
    )
    kept = summarise(
        school_changes(_plan("t", {"X": [1, 2], "Y": [3, 4], "Z": [5]}), _plan("n", {"X": [1, 2], "Y": [3, 4, 5]}))
    )
    assert "(2 keep exactly" in kept.sentence("x")
    kept = summarise(school_changes(_plan("t", {"X": [1], "Y": [2, 3]}), _plan("n", {"X": [1], "Y": [2], "Z": [3]})))
    assert "(1 keeps exactly the same partners)" in kept.sentence("x")


def test_school_changes_against_real_plans(comparison):
    """Every school of Hampshire: kept + joined + 1 = the proposed partnership's schools, and no school whose
    partnership gains or loses a school is called unchanged."""
    plans, _, current, _, _ = comparison
    table = school_changes(current, plans[1])
    assert len(table) == 494
    assert (table["kept"] + table["joined"] + 1 == table["to_schools"]).all()
    members = {pid: set(g.index) for pid, g in table.groupby("to_id")}
    before = {pid: set(g.index) for pid, g in table.groupby("from_id")}
    truth = [members[r.to_id] == before[r.from_id] for r in table.itertuples()]
    assert table["unchanged"].tolist() == truth
    petersfield = table[table["name"] == "The Petersfield School"].iloc[0]
    assert petersfield["from_name"] == "East Hampshire" and not petersfield["unchanged"]


def test_colours_follow_every_earlier_plan():
    """A partnership that appears in the second plan (no match in the first) keeps its colour in the third."""
    from partition.report.maps import run_colours

    pupils = {1: 100, 2: 100, 3: 300, 4: 100, 5: 100, 6: 100}
    first = _plan("k2", {"A": [1, 2, 3], "B": [4, 5, 6]}, pupils)
    second = _plan("k3", {"A": [1, 2, 3], "B": [4, 5], "C": [6]}, pupils)
    third = _plan("k4", {"A1": [1, 2], "A2": [3], "B": [4, 5], "C": [6]}, pupils)
    colours = run_colours([first, second, third])
    by_id = {p.name: dict(zip(p.partnerships["id"], colours[p.name])) for p in (first, second, third)}
    assert by_id["k4"]["C"] == by_id["k3"]["C"]
    assert by_id["k4"]["B"] == by_id["k3"]["B"] == by_id["k2"]["B"]
    assert by_id["k4"]["A2"] == by_id["k2"]["A"]  # A2 holds most of A's pupils
    for plan in (first, second, third):  # neighbours still differ
        c = colours[plan.name]
        assert all(a != b for a, b in zip(c, c[1:]))


def test_towns_are_places_of_the_la():
    """A postal town outside the LA ("Reading" for Oxfordshire villages) is not named; a confirmed one is."""
    from partition.report.maps import towns

    rows = [("Reading", f"Sonning Common {i} School", "Sonning Common") for i in range(5)]
    rows += [("Thame", f"Thame {i} Primary School", "Thame North") for i in range(5)]
    schools = gpd.GeoDataFrame(
        {
            "town": [t for t, _, _ in rows],
            "name": [n for _, n, _ in rows],
            "ward": [w for _, _, w in rows],
            "district": "South Oxfordshire",
        },
        geometry=gpd.points_from_xy([10 + i for i in range(10)], [10] * 10),
        crs=27700,
    )
    named = towns(schools, shapely.box(0, 0, 100, 100))
    assert list(named["name"]) == ["Thame"]


def test_labels_sit_at_the_pole_of_the_largest_part(evil_map):
    """Each partnership's label is inside its largest part and as far from its edges as anywhere in it."""
    from partition.report.maps.layers import label_points

    plan = evil_map[0]
    points = label_points(plan.partnerships.geometry)
    for geom, point in zip(plan.partnerships.geometry, points):
        largest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        room = shapely.distance(point, largest.boundary)
        assert largest.contains(point)
        assert room >= 0.9 * shapely.distance(geom.representative_point(), geom.boundary) - 50
        assert room >= 1000  # at least 1 km clear of its own boundary: never in a sliver
    sliver = shapely.union_all([shapely.box(0, 0, 10_000, 10_000), shapely.box(10_000, 0, 60_000, 300)])
    centre = label_points(gpd.GeoSeries([sliver]))[0]
    assert centre.x < 10_000 and 4_000 < centre.y < 6_000


def test_page_allows_pinch_zoom_and_plain_words(comparison, evil_map):
    """No user-scalable=no; no file codes in titles or choices (only in the legend's small print); no jargon."""
    plans, paths, _, _, files = comparison
    for path in [evil_map[2], *files]:
        text = path.read_text()
        assert "user-scalable=no" not in text and "maximum-scale" not in text, path.name
        assert "matched by shared pupils" not in text
        for title in re.findall(r"<div id='pt-title-\d+'.*?</div>", text, flags=re.S):
            assert not any(p.name in title for p in plans), title
        assert "Configuration k2" not in text
    layered = paths["all-configurations.html"].read_text()
    assert not re.search(r"<input type='radio'[^<]*\(k2\d", layered)
    assert f"file: {evil_map[0].name}</div>" in evil_map[2].read_text()


def _stack(page):
    return page.evaluate("""() => {
        const maps = [...document.querySelectorAll('.folium-map')].map(m => m.getBoundingClientRect());
        const titles = [...document.querySelectorAll('.pt-title')].map(t => t.getBoundingClientRect());
        const legends = [...document.querySelectorAll('.pt-legend')].map(t => t.getBoundingClientRect());
        const clash = titles.some(t => legends.some(l => t.left < l.right && l.left < t.right && t.top < l.bottom && l.top < t.bottom));
        return {maps: maps.map(r => [r.left, r.top, r.width, r.height]), clash};
    }""")


def test_side_by_side_stacks_on_a_phone(browser, comparison):
    """On a phone each map takes the full width, one above the other; titles clear of the Legend button."""
    path = comparison[1]["side-by-side"]
    requests: list[str] = []
    page, errors = _page(browser, path, (390, 844), requests)
    phone = _stack(page)
    page.screenshot(path=str(ARTEFACTS / "side-by-side_phone_stacked.png"))
    page.close()
    page, _ = _page(browser, path, (1400, 1000), requests)
    desktop = _stack(page)
    page.close()
    (l1, t1, w1, h1), (l2, t2, w2, h2) = phone["maps"]
    assert w1 == w2 == 390 and t2 >= t1 + h1 - 1
    assert not phone["clash"] and not desktop["clash"]
    assert [m[2] for m in desktop["maps"]] == [700, 700]
    assert not errors and not requests


def test_phone_legend_is_capped_and_closes(browser, evil_map):
    """Opened on a phone, the legend takes at most half the map, scrolls inside, and has a Close button."""
    requests: list[str] = []
    page, errors = _page(browser, evil_map[2], (390, 844), requests)
    page.locator(".pt-legend summary").click()
    box = page.evaluate("""() => {
        const l = document.querySelector('.pt-legend'), m = document.querySelector('.folium-map');
        const after = getComputedStyle(document.querySelector('.pt-legend summary'), '::after').content;
        return {h: l.getBoundingClientRect().height, map: m.getBoundingClientRect().height,
                scrolls: l.scrollHeight > l.clientHeight, after};
    }""")
    page.screenshot(path=str(ARTEFACTS / "legend_open_phone.png"))
    page.locator(".pt-legend summary").click()
    closed = page.evaluate("() => document.querySelector('.pt-legend details').open")
    page.close()
    assert box["h"] <= box["map"] / 2 + 1 and box["scrolls"], box
    assert "Close" in box["after"]
    assert closed is False
    assert not errors and not requests


def test_sea_only_with_land_around(browser, evil_map, comparison, tmp_path):
    """Without neighbouring land the background is neutral (Southampton is not painted as sea)."""
    paths = comparison[1]
    requests: list[str] = []
    colours = []
    for path in (evil_map[2], paths["changes"]):  # no neighbours given / neighbours drawn
        page, errors = _page(browser, path, (1400, 1000), requests)
        colours.append(page.evaluate("() => getComputedStyle(document.querySelector('.folium-map')).backgroundColor"))
        page.close()
        assert not errors
    assert colours == ["rgb(233, 233, 230)", "rgb(207, 226, 238)"]


def test_town_and_area_labels_never_cover_partnership_labels(browser, comparison):
    requests: list[str] = []
    for key in ("changes", "all-configurations.html"):
        for size in ((1400, 1000), (390, 844)):
            page, errors = _page(browser, comparison[1][key], size, requests)
            clash = page.evaluate("""() => {
                const shown = s => [...document.querySelectorAll(s)].filter(t => t.style.visibility !== 'hidden'
                    && t.offsetParent).map(t => t.getBoundingClientRect());
                const tags = shown('.pt-tag'), others = shown('.pt-town,.pt-area');
                return others.filter(r => tags.some(q => r.left < q.right + 4 && q.left < r.right + 4
                    && r.top < q.bottom + 2 && q.top < r.bottom + 2)).length;
            }""")
            page.close()
            assert clash == 0, (key, size)
            assert not errors


@pytest.mark.parametrize(("code", "name"), [("E06000017", "Rutland"), ("E07000178", "Oxford")])
def test_land_around_an_inland_area_fills_the_context_box(shared, code, name):
    """The land drawn around a study area covers the whole box the map shows it in, so an inland LA is never
    ringed by the sea-coloured background (Rutland was, when only districts within 5 km were drawn)."""
    from partition.report.maps.context import _read, context_box, neighbouring_districts

    england = _read(str(shared / "boundaries" / "topo_lad_eng_2013.json"))  # as the maps read it (BNG)
    districts = england[england["code"] == code][["code", "name", "geometry"]]
    assert len(districts) == 1 and districts["name"].iloc[0] == name
    neighbours = neighbouring_districts(districts, shared / "boundaries" / "topo_lad_eng_2013.json")
    outline = shapely.union_all(districts.geometry.to_numpy())
    box = context_box(outline)
    land = shapely.union_all([*neighbours.geometry.to_numpy(), outline])
    assert land.area >= 0.99 * box.area  # inland: all of the box is land
    assert not neighbours.geometry.intersects(outline.buffer(-1)).any()  # never drawn over the study area


def test_need_view_shades_partnerships_by_free_school_meals_in_chromium(browser, evil_map):
    """Issue 25: the need view is a layer of the map, off at first; turned on, each partnership is shaded by its
    class (mapclassify Fisher-Jenks) and the legend gives the classes and the source."""
    from partition.report.maps.need import SHADES, classes

    plan, _, path, _ = evil_map
    requests: list[str] = []
    page, errors = _page(browser, path, (1400, 1000), requests)
    layer = page.locator(
        ".leaflet-control-layers-overlays label", has_text="Need: Pupils eligible for free school meals"
    )
    assert layer.count() == 1 and not layer.locator("input").is_checked()
    page.locator(".leaflet-control-layers").hover()
    partnership_fills = (
        "() => [...document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive')]"
        ".filter(p => p.getAttribute('fill') !== 'none' && !/a/i.test(p.getAttribute('d') || ''))"  # not circles
        ".map(p => p.getAttribute('fill-opacity'))"
    )
    before = set(page.evaluate(partnership_fills))
    layer.locator("input").check()
    fills = page.evaluate(
        "() => [...document.querySelectorAll('.leaflet-pt-need-pane path')].map(p => p.getAttribute('fill'))"
    )
    yb, bounds = classes(plan.partnerships["fsm_pct"].to_numpy(dtype=float))
    assert len(fills) == plan.k and set(fills) <= set(SHADES) and len(set(fills)) == len(bounds), fills
    # under the partnerships, districts and schools: the partnerships' fills are cleared while it is on
    assert set(page.evaluate(partnership_fills)) == {"0"} and "0" not in before
    # ... and stay cleared after a hover (the trial: a hover's reset brought a partnership's colour back)
    box = page.locator(".leaflet-overlay-pane path.leaflet-interactive").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(5, 990)
    assert set(page.evaluate(partnership_fills)) == {"0"}
    page.locator(".leaflet-control-layers").hover()
    layer.locator("input").uncheck()
    assert set(page.evaluate(partnership_fills)) == before
    page.locator(".leaflet-control-layers").hover()
    layer.locator("input").check()
    legend = page.locator("text=Need view").first.locator("xpath=..").inner_text()
    assert "Source: each school's published share" in legend and f"{bounds[-1]:.1f} %" in legend
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "map_need_view.png"))
    assert errors == [] and requests == []
    page.close()
