"""The consultation pack as the public reads it: on a 1400 px screen and printed to A4 by Chromium.

Built from the real Hampshire data: two proposals at k = 22 and 23, an alternative, and the current
11-district arrangement, with ensemble ranks, as ``partition run`` writes it.
"""

from __future__ import annotations

import dataclasses
import html
import math
import re
import shutil
import unicodedata
import warnings
from pathlib import Path

import pandas as pd
import pytest
from tests.test_maps import ARTEFACTS

from partition.analysis.columns import columns_of
from partition.analysis.compare import add_ensemble_ranks, scorecard
from partition.model.spec import PlanSpec
from partition.planning.planner import district_plan, make_plan
from partition.report.charts import size_difference
from partition.report.maps import WrittenMap
from partition.report.maps.colours import run_colours
from partition.report.pack import consultation_pack, map_link_text
from partition.report.sources import data_sources, source_files
from partition.report.static_map import static_map
from partition.report.tables import GROUPS, plain_titles, public_columns


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
    links = [WrittenMap(Path(p.name) / "map.html", "configuration", (p.name,)) for p in everything] + [
        WrittenMap(Path("side-by-side_k22-ignore_k23-ignore.html"), "side-by-side", ("k22-ignore", "k23-ignore")),
        WrittenMap(Path("changes_k22-ignore_to_k23-ignore.html"), "changes", ("k22-ignore", "k23-ignore")),
        *(WrittenMap(Path(p.name) / "edit.html", "editor", (p.name,)) for p in plans),
    ]
    sources = data_sources(source_files(hampshire.dataset.sources, hampshire.dataset.files), hampshire.schools)
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


def _promoted(plans, table) -> set[str]:
    """The alternatives recommended over their proposal (they get a proposal's full section)."""
    from partition.analysis.recommend import recommend_plans
    from partition.report.tables import plain_titles

    return {r.name for r in recommend_plans(plans, table, plain_titles(plans)) if r.is_alternative}


def test_plain_titles_and_link_texts(pack):
    plans, _, _ = pack
    titles = plain_titles(plans)
    assert titles == {
        "k22-ignore": "22 partnerships (proposal for consultation)",
        "k23-ignore": "23 partnerships (proposal for consultation)",
        "k23-ignore-alt1": "23 partnerships (alternative 1)",
        "districts-11": "Current arrangement: 11 district partnerships",
    }
    pair = ("k22-ignore", "k23-ignore")
    assert (
        map_link_text(WrittenMap(Path("k23-ignore/map.html"), "configuration", ("k23-ignore",)), titles)
        == "23 partnerships (proposal for consultation)"
    )
    assert (
        map_link_text(WrittenMap(Path("k23-ignore/edit.html"), "editor", ("k23-ignore",)), titles)
        == "Edit this proposal: 23 partnerships (proposal for consultation)"
    )
    assert (
        map_link_text(WrittenMap(Path("changes_k22-ignore_to_k23-ignore.html"), "changes", pair), titles)
        == "Schools that change: 22 partnerships (proposal for consultation) → 23 partnerships (proposal for consultation)"
    )
    assert map_link_text(WrittenMap(Path("x.html"), "side-by-side", pair), titles).startswith(
        "Side by side: 22 partnerships"
    )
    everything = WrittenMap(Path("all-configurations.html"), "all-configurations", tuple(titles))
    assert map_link_text(everything, titles) == "All configurations on one map (switch between them)"
    text = pack[2].read_text()
    assert ">map.html<" not in text


def test_link_texts_come_from_what_was_written_not_from_file_names():
    """Configurations ``a_b`` + ``c`` and ``a`` + ``b_c`` share one side-by-side file name; the record says which."""
    titles = {"a": "A", "a_b": "AB", "b_c": "BC", "c": "C"}
    path = Path("side-by-side_a_b_c.html")
    assert map_link_text(WrittenMap(path, "side-by-side", ("a_b", "c")), titles) == "Side by side: AB and C"
    assert map_link_text(WrittenMap(path, "side-by-side", ("a", "b_c")), titles) == "Side by side: A and BC"
    assert map_link_text(WrittenMap(Path("x/map.html"), "configuration", ("unknown",)), titles) == "unknown"


def test_sources_are_dated_by_the_data_and_named_by_file(pack, hampshire):
    sources = data_sources(hampshire.dataset.sources, hampshire.schools)
    latest = hampshire.schools["last_changed"].max()
    assert sources[0] == {
        "what": "Schools",  # the colleges and special schools come from the DfE list, named on its own line
        "file": "gias_2022_hampshire_850_open_primary_secondary.csv",
        "date": f"records last changed on or before {latest:%-d %B %Y} (GIAS LastChangedDate)",
    }
    assert sources[1]["file"] == "hampshire_districts_lad2023.geojson" and sources[1]["date"].startswith("2023")
    text = pack[2].read_text()
    assert str(hampshire.dataset.sources["schools"]) not in text and "/work/" not in text


def test_colleges_data_sources_are_named_with_their_attribution(pack):
    text = html.unescape(pack[2].read_text())
    for name in ("2017-2018_england_spine.xlsx", "codepoint_open_2025.4", "2023-2024_england_ks5final.csv.gz"):
        assert name in text, name
    assert "2023/24 school year" in text and "release 2025.4" in text
    assert "Contains Royal Mail data © Royal Mail copyright and database right 2025" in text
    assert "not counted in “pupils”" in text or "not counted in its pupils" in text


def test_table_has_units_percentages_and_definitions(pack):
    plans, table, path = pack
    text = path.read_text()
    # deviations as percentages (9.8, not 0.098), headings with units, a definition of each measure
    k22 = plans[0].scores["max_abs_deviation"]
    assert f">{k22 * 100:.1f}<" in text
    assert "max_abs_deviation" not in text and "mean_polsby_popper" not in text
    assert "<span class='unit'>(&#37;)</span>" in text and "<span class='unit'>(km)</span>" in text
    shown = [c for _, columns in public_columns(table) for c in columns]
    assert {c.key for c in shown} >= {"wdist_km", "districts_divided", "districts_whole", "rank_wdist_km"}
    assert all(c.definition for c in shown)
    # the public table, the analysts' tables, a table of partnerships per configuration, and a school list per
    # partnership of the main proposals only (k22, k23): not of the alternative nor of the current arrangement
    main = [p for p in plans if p.name in ("k22-ignore", "k23-ignore") or p.name in _promoted(plans, table)]
    # ... and a local need table per main proposal
    assert text.count("<caption>") == 1 + len(GROUPS) + len(plans) + sum(p.k for p in main) + len(main)
    assert text.count("<details") == sum(p.k for p in main)
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
    svg = text.split('<svg class="chart chart-wide"')[2]
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
    page.evaluate("() => document.querySelector('table.analysts').scrollIntoView()")
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
    # school lists print expanded: every school of the main proposals is on paper
    names = pd.concat([p.assignments["name"] for p in plans[:2]]).unique()
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
    for name, selector in (
        ("comparison", "table.scorecard"),
        ("chart", "svg.chart-wide"),
        ("sheets", "section.sheets"),
    ):
        page.evaluate(f"() => [...document.querySelectorAll('{selector}')].at(-1).scrollIntoView()")
        page.screenshot(path=str(ARTEFACTS / f"consultation-pack-{name}.png"))
    page.close()
    assert not wide and not page_wide, wide


def test_columns_of_describes_every_scorecard_column(pack):
    _, table, _ = pack
    assert all(c.definition for c in columns_of(table))


# --- standalone, printable, readable on a phone, in plain words -------------------------------------------

JARGON = ("k22-ignore", "k23-ignore", "Polsby", "Reock", "Cut edges", "ARI", "VI ", "nats", "wdist", "ReCom")
JARGON += ("planning units", "of the average)", "random")


def _public_part(text: str) -> str:
    """The page before the appendix "For analysts and planners", tags and styles removed (what a reader reads)."""
    body = text.split("<body>", 1)[1].split("<h2>For analysts and planners</h2>", 1)[0]
    body = re.sub(r"<svg.*?</svg>", " ", body, flags=re.S)
    return re.sub(r"<[^>]+>", " ", body)


def test_public_part_is_in_plain_words_and_the_measures_are_defined_for_analysts(pack):
    plans, _, path = pack
    text = path.read_text()
    public = _public_part(text)
    assert [w for w in JARGON if w in public] == []
    assert "below the average" in public and "above the average" in public
    appendix = text.split("<h2>For analysts and planners</h2>", 1)[1]
    for word in ("Polsby-Popper", "Reock", "ARI", "k22-ignore"):
        assert word in appendix
    # the random-plan comparison is explained in one plain sentence
    assert re.search(r"we drew 1,000 other plans at random that follow the same rules", appendix)


@pytest.mark.parametrize(("deviation", "words"), [(-0.06, "6 % below the average"), (0.041, "4 % above the average")])
def test_size_difference_in_words(deviation, words):
    assert size_difference(deviation) == words
    assert size_difference(0.001) == "about the average"


def test_static_map_of_each_proposed_configuration(pack):
    """Every proposed configuration (not the current arrangement) has a static map in the interactive maps'
    colours, numbered partnerships, a scale bar that measures true distance, and a north arrow."""
    plans, _, path = pack
    text = path.read_text()
    colours = run_colours(plans)
    maps = re.findall(r'<svg class="map".*?</svg>', text, flags=re.S)
    proposed = [p for p in plans if p.solver != "districts"]
    assert len(maps) == len(proposed)
    for plan, svg in zip(proposed, maps):
        fills = re.findall(r'<path d="[^"]*" fill="([^"]+)" fill-opacity', svg)
        assert fills == colours[plan.name]
        numbers = sorted(int(n) for n in re.findall(r'text-anchor="middle">(\d+)</text>', svg))
        assert numbers == list(range(1, plan.k + 1))
        assert "scale-bar" in svg and "north-arrow" in svg
    # the scale bar: its length in px over the map's px per metre is the distance it says
    plan = plans[1]
    svg = static_map(plan, colours[plan.name])
    minx, _, maxx, _ = plan.partnerships.total_bounds
    px_per_m = (640 - 24) / (maxx - minx)
    bar = float(re.search(r'class="scale-bar"><rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)[1])
    km = float(re.search(r">([\d.]+) km</text>", svg)[1])
    assert bar / px_per_m == pytest.approx(km * 1000, rel=0.01)


def test_links_work_when_printed_and_the_page_says_where_the_maps_are(pack, browser):
    _, _, path = pack
    text = path.read_text()
    assert "The interactive maps are in the same folder as this file" in text
    page = browser.new_page()
    page.goto(path.as_uri())
    page.emulate_media(media="print")
    after = page.evaluate(
        "() => [...document.querySelectorAll('a[href]')].map(a => [a.getAttribute('href'),"
        " getComputedStyle(a, '::after').content])"
    )
    page.close()
    assert after and all(href in content for href, content in after), after[:3]


def _pages(pdf) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(str(pdf)).pages]


def test_printed_pack_is_short_and_no_heading_is_left_at_a_page_foot(pack, browser):
    """Printed to A4: school lists only for the main proposals (and an alternative recommended over its proposal),
    and no page ends with a heading."""
    plans, table, path = pack
    page = browser.new_page()
    page.goto(path.as_uri())
    pdf = ARTEFACTS / "consultation-pack-a4.pdf"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.pdf(path=str(pdf), format="A4")
    headings = page.evaluate("() => [...document.querySelectorAll('h2,h3,h4')].map(h => h.textContent.trim())")
    page.close()
    pages = _pages(pdf)
    listed = [p for p in plans if p.name in ("k22-ignore", "k23-ignore") or p.name in _promoted(plans, table)]
    schools = sum(len(p.assignments) + len(p.members) for p in listed)  # colleges and special schools listed too
    # about 40 school rows a page, plus the rest (comparison, recommendations, alternatives, current arrangement),
    # plus a page of local need per proposal listed
    assert len(pages) <= 13 + schools // 40 + len(listed), len(pages)
    for number, content in enumerate(pages, 1):
        lines = [line.strip() for line in content.splitlines() if line.strip()]
        last = lines[-1] if lines else ""
        assert last not in headings, (number, last)


def test_on_a_phone_nothing_widens_the_page_and_charts_stay_readable(pack, browser):
    _, _, path = pack
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page.goto(path.as_uri())
    width = page.evaluate("() => document.documentElement.scrollWidth")
    # every table fits or scrolls inside its own box, which shows a cue
    loose = page.evaluate(
        """() => [...document.querySelectorAll('table')].filter(t => t.getBoundingClientRect().width > 390
                 && !t.closest('.scroll')).length"""
    )
    cues = page.evaluate(
        """() => [...document.querySelectorAll('.scroll')].filter(b => b.scrollWidth > b.clientWidth + 1)
                 .map(b => getComputedStyle(b.previousElementSibling).display)"""
    )
    # the smallest chart text as shown: font size times the SVG's scale on screen
    smallest = page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('svg.chart')]
                 .filter(s => s.getBoundingClientRect().width > 0)
                 .map(s => 13 * s.getBoundingClientRect().width / s.viewBox.baseVal.width))"""
    )
    page.screenshot(path=str(ARTEFACTS / "consultation-pack-phone.png"))
    for name, selector in (("table", "table.scorecard"), ("map", "svg.map"), ("chart", "svg.chart-narrow")):
        page.evaluate(f"() => document.querySelector('{selector}').scrollIntoView()")
        page.screenshot(path=str(ARTEFACTS / f"consultation-pack-phone-{name}.png"))
    page.close()
    assert width <= 390, width
    assert loose == 0
    assert cues and set(cues) == {"block"}, cues
    assert smallest >= 11, smallest


def test_editor_links_are_for_planners_in_the_appendix_only(pack):
    plans, _, path = pack
    text = path.read_text()
    public = text.split("<h2>For analysts and planners</h2>", 1)[0]
    appendix = text.split("<h2>For analysts and planners</h2>", 1)[1]
    assert "edit.html" not in public and "Edit this proposal" not in public
    assert "<h3>For planners: edit a proposal</h3>" in appendix
    for p in plans[:2]:
        assert f"href='{p.name}/edit.html'" in appendix
    assert "Each configuration" in public and f"href='{plans[0].name}/map.html'" in public


def test_alternatives_say_truly_how_their_travel_compares(pack):
    plans, table, path = pack
    text = html.unescape(re.sub(r"<[^>]+>", " ", path.read_text()))
    assert "nearly as good" not in text
    alt, main = plans[2], plans[1]
    a, m = float(table.at[alt.name, "wdist_km"]), float(table.at[main.name, "wdist_km"])
    bound = math.ceil(abs(a - m) / m * 1000) / 10
    if alt.name in _promoted(plans, table):  # recommended over its proposal: its own full section says so
        assert "Recommended (see the comparison). Average travel distance" in text
    else:
        assert f"within {bound:.1f} % of their proposal's average travel distance" in text
    word = "shorter than" if a < m else "longer than"
    assert f"Average travel distance {a:.2f} km: {word} 23 partnerships (proposal for consultation), {m:.2f} km" in text


def test_travel_comparison_says_when_an_alternative_is_shorter():
    from types import SimpleNamespace

    from partition.report.pack import main_of, travel_comparison

    table = pd.DataFrame({"wdist_km": [3.665, 3.613, 3.70]}, index=["k22-ignore", "k22-ignore-alt1", "k22-ignore-alt2"])
    spec = SimpleNamespace(districts="ignore")
    main = SimpleNamespace(name="k22-ignore", k=22, spec=spec)
    titles = {"k22-ignore": "22 partnerships (proposal for consultation)"}
    better = SimpleNamespace(name="k22-ignore-alt1", k=22, spec=spec)
    worse = SimpleNamespace(name="k22-ignore-alt2", k=22, spec=spec)
    assert main_of(better, [SimpleNamespace(name="k23-ignore", k=23, spec=spec), main]) is main
    assert travel_comparison(better, main, table, titles) == (
        "Average travel distance 3.61 km: shorter than 22 partnerships (proposal for consultation), 3.67 km (1.4 % less)."
    )
    assert travel_comparison(worse, main, table, titles).endswith("3.67 km (1.0 % more).")


def test_the_pack_recommends_an_option_per_k_with_its_reasons_and_shows_partners_kept(pack):
    """One recommendation per k, in plain words from the figures; the public table says how many of today's
    partners each school keeps (a figure that differs between options, unlike a count of schools that change)."""
    import html

    from partition.analysis.recommend import recommendations
    from partition.report.tables import public_table

    plans, table, path = pack
    public = " ".join(html.unescape(_public_part(path.read_text())).split())
    assert "Recommended" in public
    assert "For 22 partnerships:" in public and "For 23 partnerships:" in public
    options = [p for p in plans if p.solver != "districts"]
    chosen = recommendations(table, {22: "k22-ignore", 23: "k23-ignore"}, {p.name: p.k for p in options})
    for r in chosen:
        assert r.reasons[0] in public
    figures = public_table(plans, table)
    kept = figures["partners_kept"].drop("districts-11")
    assert kept.between(0, 1).all() and kept.nunique() > 1
    assert figures.at["districts-11", "partners_kept"] == 1.0
    assert "Today" in public or "today" in public
