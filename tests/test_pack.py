"""The consultation pack as the public reads it: on a 1400 px screen and printed to A4 by Chromium.

Built from the real Hampshire data: two proposals at k = 22 and 23, an alternative, and the current
11-district arrangement, with ensemble ranks, as ``partition run`` writes it.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import unicodedata
import warnings

import pandas as pd
import pytest
from tests.test_maps import ARTEFACTS

from partition.compare import add_ensemble_ranks, columns_of, scorecard
from partition.pack import (
    GROUPS,
    consultation_pack,
    data_sources,
    link_text,
    plain_titles,
    public_columns,
)
from partition.planner import district_plan, make_plan
from partition.spec import PlanSpec


@pytest.fixture(scope="module")
def pack(hampshire, tmp_path_factory):
    """The pack of k22, k23, a k23 alternative and the current arrangement, written to a file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        options = {"iterations": 20}
        plans = [
            make_plan(hampshire, PlanSpec(k=(k,)), k, solver="heuristic", heuristic_options=options) for k in (22, 23)
        ]
        alt = make_plan(hampshire, PlanSpec(k=(23,), random_state=5), 23, solver="heuristic", heuristic_options=options)
        alt = dataclasses.replace(alt, name="k23-ignore-alt1", alternative=1)
        current = district_plan(hampshire)
    everything = [*plans, alt, current]
    table = scorecard(everything, reference=plans[0])
    ranks = {
        p.name: {"wdist_km": 1.0, "max_abs_deviation": 0.25, "district_splits": 0.5, "cut_edges": 0.875} for p in plans
    }
    table = add_ensemble_ranks(table, everything, ranks, 1000)
    links = {
        "Each configuration": [f"{p.name}/map.html" for p in everything],
        "Comparisons": ["side-by-side_k22-ignore_k23-ignore.html", "changes_k22-ignore_to_k23-ignore.html"],
    }
    sources = data_sources(hampshire.dataset.sources, hampshire.schools)
    path = tmp_path_factory.mktemp("pack") / "consultation-pack.html"
    path.write_text(consultation_pack(everything, table, links, sources), encoding="utf-8")
    return everything, table, path


@pytest.fixture(scope="module")
def browser():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--headless"])
        yield b
        b.close()


def test_plain_titles_and_link_texts(pack):
    plans, _, _ = pack
    titles = plain_titles(plans)
    assert titles == {
        "k22-ignore": "22 partnerships (proposal for consultation)",
        "k23-ignore": "23 partnerships (proposal for consultation)",
        "k23-ignore-alt1": "23 partnerships (alternative 1)",
        "districts-11": "Current arrangement: 11 district partnerships",
    }
    assert link_text("k23-ignore/map.html", titles) == "23 partnerships (proposal for consultation)"
    assert (
        link_text("changes_k22-ignore_to_k23-ignore.html", titles)
        == "Schools that change: 22 partnerships (proposal for consultation) → 23 partnerships (proposal for consultation)"
    )
    assert link_text("side-by-side_k22-ignore_k23-ignore.html", titles).startswith("Side by side: 22 partnerships")
    assert link_text("all-configurations.html", titles) == "All configurations on one map (switch between them)"
    text = pack[2].read_text()
    assert ">map.html<" not in text


def test_sources_are_dated_by_the_data_and_named_by_file(pack, hampshire):
    sources = data_sources(hampshire.dataset.sources, hampshire.schools)
    latest = hampshire.schools["last_changed"].max()
    assert sources[0] == {
        "what": "Schools and colleges",
        "file": "gias_2022_hampshire_850_open_primary_secondary.csv",
        "date": f"records last changed on or before {latest:%-d %B %Y} (GIAS LastChangedDate)",
    }
    assert sources[1]["file"] == "hampshire_districts_lad2023.geojson" and sources[1]["date"].startswith("2023")
    text = pack[2].read_text()
    assert str(hampshire.dataset.sources["schools"]) not in text and "/work/" not in text


def test_table_has_units_percentages_and_definitions(pack):
    plans, table, path = pack
    text = path.read_text()
    # deviations as percentages (9.8, not 0.098), headings with units, a definition of each measure
    k22 = plans[0].scores["max_abs_deviation"]
    assert f">{k22 * 100:.1f}<" in text
    assert "max_abs_deviation" not in text and "mean_polsby_popper" not in text
    assert "<span class='unit'>(&#37;)</span>" in text and "<span class='unit'>(km)</span>" in text
    shown = [c for _, columns in public_columns(table) for c in columns]
    assert {c.key for c in shown} >= {"wdist_km", "districts_divided", "rank_wdist_km"}
    assert all(c.definition for c in shown)
    assert text.count("<caption>") == len(GROUPS) + sum(p.k for p in plans)  # the tables and every school list
    assert '<html lang="en">' in text and "<th scope='col'>" in text and "<th scope='row'>" in text
    # headings in order: h1, then h2s, h3s under them, never a level skipped
    levels = [int(h) for h in re.findall(r"<h([1-6])", text)]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))


def test_chart_axis_shows_the_band(pack):
    plans, _, path = pack
    text = path.read_text()
    k23 = plans[1]
    mean = k23.assignments["pupils"].sum() / k23.k
    assert f">{mean * 0.9:,.0f}<" in text and f">{mean * 1.1:,.0f}<" in text  # the band's bounds, labelled
    assert f"average {mean:,.0f} pupils" in text
    # the axis does not start at 0: its first tick is within a band's width of the lower bound
    svg = text.split("<svg")[2]
    ticks = [int(t.replace(",", "")) for t in re.findall(r'fill="#444">([\d,]+)</text>', svg)]
    assert ticks and ticks[0] > mean * 0.6


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def test_printed_to_a4_shows_every_column(pack, browser):
    """Chromium prints the pack to A4 portrait: every heading and every figure of every table is on paper."""
    plans, table, path = pack
    page = browser.new_page()
    page.goto(path.as_uri())
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTEFACTS / "consultation-pack.pdf"
    page.pdf(path=str(pdf), format="A4")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 718, "height": 1000})  # A4 less the margins, at 96 px per inch
    overflow = page.evaluate("() => [...document.querySelectorAll('table')].filter(t => t.scrollWidth > 718).length")
    page.evaluate("() => document.querySelector('table.scorecard').scrollIntoView()")
    page.screenshot(path=str(ARTEFACTS / "consultation-pack-print.png"))
    page.close()
    assert overflow == 0
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", _pdf_text(pdf)))  # no ligatures
    squeezed = text.replace(" ", "")
    for _, columns in public_columns(table.assign(meets_rules=True)):
        for column in columns:
            assert column.label[1:].replace(" ", "") in squeezed, column.label
    assert "(%)" in text and "(km)" in text
    for plan in plans:
        assert f"{plan.wdist_km:.3f}" in text, plan.name
        assert f"{plan.scores['max_abs_deviation'] * 100:.1f}" in text, plan.name
        assert f"{table.at[plan.name, 'schools_moved']:,}" in text
    # school lists print expanded: every school of every configuration is on paper
    names = pd.concat([p.assignments["name"] for p in plans]).unique()
    missing = [n for n in names if n.replace(" ", "") not in squeezed]
    assert not missing, missing[:5]


def test_no_sideways_scrolling_at_1400px(pack, browser):
    _, _, path = pack
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(path.as_uri())
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body, body *')]
            .filter(e => e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible'
                         || e.getBoundingClientRect().right > window.innerWidth)
            .map(e => e.tagName + '.' + e.className)"""
    )
    page_wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
    page.screenshot(path=str(ARTEFACTS / "consultation-pack.png"), full_page=False)
    for name, selector in (("comparison", "table.scorecard"), ("chart", "svg"), ("sheets", "section.sheets")):
        page.evaluate(f"() => [...document.querySelectorAll('{selector}')].at(-1).scrollIntoView()")
        page.screenshot(path=str(ARTEFACTS / f"consultation-pack-{name}.png"))
    page.close()
    assert not wide and not page_wide, wide


def test_columns_of_describes_every_scorecard_column(pack):
    _, table, _ = pack
    assert all(c.definition for c in columns_of(table))
