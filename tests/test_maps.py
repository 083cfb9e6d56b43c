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
    out = tmp_path_factory.mktemp("cmp")
    paths = write_comparison_maps(plans, hampshire.schools, hampshire.dataset.districts, out)
    return plans, {p.name.split("_")[0]: p for p in paths}


def test_matching_keeps_names_and_colours(comparison):
    from partition.compare import match_partnerships
    from partition.maps import matched_colours

    a, b = comparison[0]
    match = match_partnerships(a, b)
    assert len(match) == 22  # every partnership of the smaller configuration is matched
    colours_a = colour_partnerships(a.partnerships)
    colours_b = matched_colours(a, colours_a, b)
    adjacency = partnership_adjacency(b.partnerships)
    assert all(colours_b[i] != colours_b[j] for i, j in adjacency.edges())
    ref = dict(zip(a.partnerships["id"], colours_a))
    kept = sum(ref[match[i]] == c for i, c in zip(b.partnerships["id"], colours_b) if i in match)
    assert kept >= 18  # most matched partnerships keep their colour


def test_comparison_maps_in_headless_chromium(comparison):
    from playwright.sync_api import sync_playwright

    plans, paths = comparison
    assert set(paths) == {"side-by-side", "changes", "all-configurations.html"}
    a, b = plans
    from partition.compare import match_partnerships

    match = match_partnerships(a, b)
    ida = a.assignments.set_index("URN")["partnership_id"]
    idb = b.assignments.set_index("URN")["partnership_id"].reindex(ida.index)
    moved = int((idb.map(match) != ida).sum())
    assert 0 < moved < 494
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=_chromium(), args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        )
        for key, path in paths.items():
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            remote: list[str] = []
            page.on("console", lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.on(
                "request",
                lambda r, remote=remote: remote.append(r.url) if not r.url.startswith(("file:", "data:")) else None,
            )
            page.goto(path.as_uri())
            page.wait_for_selector("path.leaflet-interactive")
            if key == "side-by-side":
                assert page.locator('path[fill-opacity="0.55"]').count() == 22 + 23
                centres = page.evaluate("""() => {
                    const maps = Object.keys(window).filter(k => k.startsWith('map_') && window[k] && window[k].setView);
                    const [m1, m2] = maps.map(k => window[k]);
                    m1.setView([51.0, -1.3], 12, {animate: false});
                    return [m2.getCenter().lat, m2.getCenter().lng, m2.getZoom()];
                }""")
                assert (
                    centres[0] == pytest.approx(51.0, abs=1e-3)
                    and centres[1] == pytest.approx(-1.3, abs=1e-3)
                    and centres[2] == 12
                )
            elif key == "changes":
                title = page.locator("h1").inner_text()
                assert f"{moved} of 494 schools change partnership" in title
                assert page.locator('path[fill="#d7191c"]').count() == moved
            else:
                labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
                assert any("k22-ignore" in t for t in labels) and any("k23-ignore" in t for t in labels)
            ARTEFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTEFACTS / f"{path.stem}.png"))
            assert not errors, (key, errors)
            assert not remote, (key, remote)
        browser.close()
