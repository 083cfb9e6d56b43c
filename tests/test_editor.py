"""The planner's editor (edit.html): its figures equal partition.model.scoring's, moves, flags, undo, export, escaping.

The editor's script recomputes every figure in the browser; these tests run it in Chromium on the real
Hampshire k = 23 plan and compare each figure with Python's for the same assignment
(:func:`partition.planning.planner.plan_from_assignment` and :func:`partition.analysis.rules.spec_problems`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import re
import shutil
import warnings
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from click.testing import CliRunner

from partition.analysis.agreement import district_division, districts_whole
from partition.analysis.validate import spec_problems
from partition.model.spec import Locks, PlanSpec
from partition.planning.planner import make_plan, plan_from_assignment
from partition.report.maps.editor import EDIT_FILE, editor_data, lock_groups, write_editor
from partition.runs.outputs import write_plan

ARTEFACTS = Path(os.environ.get("PARTITION_ARTEFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
RELATIVE = 1e-9
MEASURES = (
    "wdist_km",
    "hub_km",
    "max_abs_deviation",
    "mean_abs_deviation",
    "min_schools",
    "max_schools",
    "contiguous",
    "anchors_missing",
    "cut_edges",
    "district_splits",
    "partnerships_spanning_districts",
)
PARITY: dict[str, float] = {"max_relative_error": 0.0, "states": 0}


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


pytestmark = pytest.mark.skipif(
    _chromium() is None and not os.environ.get("CI"), reason="Debian chromium not installed"
)


@pytest.fixture(scope="module")
def k23(hampshire, tmp_path_factory):
    """The Hampshire k = 23 plan, written as partition writes it, with its edit.html."""
    from partition.runs.writing import map_options

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(hampshire, PlanSpec(k=(23,)), 23, solver="heuristic", heuristic_options={"iterations": 20})
    out = tmp_path_factory.mktemp("edit")
    folder = write_plan(plan, out)
    look = map_options(hampshire, [plan], "none")
    write_editor(plan, hampshire, folder / EDIT_FILE, **{**look, "colours": look["colours"][plan.name]})
    return plan, folder


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=_chromium(),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
        )
        yield b
        b.close()


class Page:
    """A page of the editor with its console errors, dialogs and refused network requests recorded."""

    def __init__(self, browser, path: Path, viewport=None):
        self.context = browser.new_context(viewport=viewport or {"width": 1400, "height": 900}, accept_downloads=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.remote: list[str] = []
        self.dialogs: list[str] = []

        def route(r):
            if r.request.url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                self.remote.append(r.request.url)
                r.abort()

        self.page.route("**/*", route)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.ptEditor && window.ptEditor.ready")

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def close(self) -> None:
        """Close, asserting nothing went wrong on the page."""
        self.context.close()
        assert not self.errors, self.errors
        assert not self.remote, self.remote
        assert not self.dialogs, self.dialogs


def python_figures(inputs, plan, assignment: list[dict]):
    """Python's figures for the editor's assignment (URN -> partnership name)."""
    labels = pd.Series({int(r["urn"]): r["partnership"] for r in assignment})
    spec = PlanSpec(**{**plan.spec.to_dict_shallow(), "k": (plan.k,)})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        edited = plan_from_assignment(inputs, labels, spec, name="edited")
    return edited, spec_problems(edited, inputs)


def assert_same_figures(js: dict, edited, problems: list[str]) -> None:
    """Every configuration and partnership figure of the editor equals Python's (floats to 1e-9 relative)."""

    def same(a, b, what):
        if isinstance(b, bool) or isinstance(a, bool):
            assert bool(a) == bool(b), what
            return
        b = float(b)
        error = abs(float(a) - b) / max(1.0, abs(b))
        PARITY["max_relative_error"] = max(PARITY["max_relative_error"], error)
        assert error <= RELATIVE, (what, a, b)

    s = edited.scores
    for key in MEASURES:
        same(js[key], s[key], key)
    same(js["k"], edited.k, "k")
    same(js["districts_divided"], district_division(edited)[0], "districts_divided")
    same(js["districts_whole"], districts_whole(edited), "districts_whole")
    towns = edited.details["settlements"]["divided"]
    assert [(t["name"], t["partnerships"]) for t in js["towns_divided"]] == [
        (t["name"], t["partnerships"]) for t in towns
    ]
    rows = edited.partnerships.set_index("name")
    assert sorted(r["name"] for r in js["table"]) == sorted(rows.index)
    for r in js["table"]:
        for key in ("schools", "pupils", "deviation", "anchors", "wdist_km", "fsm"):
            same(r[key], rows.at[r["name"], key], f"{r['name']} {key}")
        # need (partition.data.need): Python rounds children to whole ones and the share to 0.1 point
        assert abs(r["fsm_pct"] - rows.at[r["name"], "fsm_pct"]) <= 0.05 + 1e-9, r["name"]
        for key in ("population", "low_income"):
            assert abs(r[key] - rows.at[r["name"], key]) <= 1, (r["name"], key, r[key])
    assert js["violations"] == problems
    PARITY["states"] += 1


def test_editor_data_holds_the_plan_and_the_graph(k23, hampshire):
    plan, folder = k23
    data = editor_data(plan, hampshire)
    assert len(data["schools"]["urn"]) == len(hampshire.schools) == 494
    assert sum(len(a) for a in data["units"]["adjacency"]) == 2 * hampshire.graph.number_of_edges()
    start = dict(zip(data["schools"]["urn"], data["start"]))
    ids = [p["id"] for p in data["partnerships"]]
    for urn, pid in zip(plan.assignments["URN"], plan.assignments["partnership_id"]):
        assert ids[start[int(urn)]] == pid
    text = (folder / EDIT_FILE).read_text(encoding="utf-8")
    block = re.search(r"<script type='application/json' id='pt-edit-data'>(.*?)</script>", text, re.S).group(1)
    assert "<" not in block and json.loads(block)["k"] == 23
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', text)
    assert (folder / EDIT_FILE).stat().st_size < 1_500_000


def test_lock_groups_merge_together_and_pinned(hampshire):
    s = hampshire.schools
    urns = s["URN"].astype(int).tolist()
    locks = Locks(
        together=((urns[0], urns[1]), (urns[1], urns[2])), pinned=((urns[5], "A"), (urns[6], "A"), (urns[7], "B"))
    )
    unit = dict(zip(urns, s["unit"].astype(int)))
    groups = lock_groups(s, locks)
    assert sorted({unit[u] for u in urns[:3]}) in groups
    assert sorted({unit[urns[5]], unit[urns[6]]}) in groups
    assert all(unit[urns[7]] not in g for g in groups)  # pinned alone: no group


def test_figures_equal_python_at_start_and_after_random_moves(k23, hampshire, browser):
    plan, folder = k23
    page = Page(browser, folder / EDIT_FILE)
    assert_same_figures(
        page.js("ptEditor.scores()"), *python_figures(hampshire, plan, page.js("ptEditor.assignment()"))
    )
    rng = random.Random(7)
    urns = [int(u) for u in plan.assignments["URN"]]
    moves = 0
    while moves < 6:
        urn = rng.choice(urns)
        options = page.js("u => ptEditor.options(u)", urn)
        if not options:
            continue
        result = page.js("([u, p]) => ptEditor.move(u, p, 'random move')", [urn, rng.choice(options)])
        assert result["ok"], result
        moves += 1
        js = page.js("ptEditor.scores()")
        assert js["schools_changed"] > 0
        assert_same_figures(js, *python_figures(hampshire, plan, page.js("ptEditor.assignment()")))
        # the table shows the same figures
        shown = page.page.locator("[data-role=summary] tr[data-key^='Average distance to centre'] td.n").inner_text()
        assert shown == f"{js['wdist_km']:.3f} km"
    page.close()
    print(f"editor parity: {PARITY['states']} states, max relative error {PARITY['max_relative_error']:.2e}")


def test_under_nest_a_partnership_crossing_a_district_breaks_a_rule_as_python_says(k23, hampshire, browser, tmp_path):
    """With districts = nest, a partnership reaching into two districts is a rule broken: listed, its row red, and
    the sentence is Python's (:func:`partition.analysis.rules.spec_problems`)."""
    from partition.runs.writing import map_options

    plan, _ = k23
    nested = dataclasses.replace(plan, spec=dataclasses.replace(plan.spec, districts="nest"))
    look = map_options(hampshire, [nested], "none")
    write_editor(nested, hampshire, tmp_path / EDIT_FILE, **{**look, "colours": look["colours"][nested.name]})
    page = Page(browser, tmp_path / EDIT_FILE)
    js = page.js("ptEditor.scores()")
    edited, problems = python_figures(hampshire, nested, page.js("ptEditor.assignment()"))
    crossing = [p for p in problems if "a district boundary, though each must lie inside one district" in p]
    assert crossing and int(crossing[0].split()[0]) == int((plan.partnerships["n_districts"] > 1).sum())
    assert_same_figures(js, edited, problems)
    assert any("crosses a district boundary" in r["broken"] for r in js["table"])
    page.close()


def _split_move(plan, inputs):
    """A unit whose move to a neighbouring partnership leaves its own partnership in pieces."""
    labels = plan.unit_labels
    g = inputs.graph
    for u in range(len(labels)):
        own = [v for v in range(len(labels)) if labels[v] == labels[u] and v != u]
        if nx.number_connected_components(g.subgraph(own)) > 1 and any(labels[v] != labels[u] for v in g[u]):
            return u
    raise AssertionError("no articulation unit")


def _bound_move(plan, inputs):
    """A unit whose move breaks the pupils bound but keeps every partnership in one piece."""
    labels, g = plan.unit_labels, inputs.graph
    pupils = inputs.units["pupils"].to_numpy()
    totals = pd.Series(pupils).groupby(labels).sum()
    low, high = plan.spec.size[0].limits(float(totals.sum()), plan.k)
    for u in range(len(labels)):
        own = [v for v in range(len(labels)) if labels[v] == labels[u] and v != u]
        if nx.number_connected_components(g.subgraph(own)) != 1:
            continue
        for v in g[u]:
            if labels[v] != labels[u] and (
                totals[labels[u]] - pupils[u] < low - 1 or totals[labels[v]] + pupils[u] > high + 1
            ):
                return u, labels[v]
    raise AssertionError("no bound-breaking move")


def _urn_of_unit(inputs, u: int) -> int:
    return int(inputs.schools.loc[inputs.schools["unit"] == u, "URN"].iloc[0])


def test_moves_that_break_a_bound_or_connectivity_are_flagged(k23, hampshire, browser):
    plan, folder = k23
    page = Page(browser, folder / EDIT_FILE)
    assert page.page.locator("tr.pt-ed-broken").count() == 0
    u, to = _bound_move(plan, hampshire)
    urn = _urn_of_unit(hampshire, u)
    target = page.js("u => ptEditor.options(u)", urn)
    # the option for the unit's neighbour `to`: its partnership id as the editor knows it
    by_name = dict(zip(plan.partnerships["name"], plan.partnerships["id"]))
    names = plan.assignments.set_index("URN")["partnership"]
    neighbour_urn = _urn_of_unit(hampshire, next(v for v in hampshire.graph[u] if plan.unit_labels[v] == to))
    pid = by_name[names[neighbour_urn]]
    assert pid in target
    result = page.js("([u, p]) => ptEditor.move(u, p, '')", [urn, pid])
    assert result["ok"] and any("than allowed" in t for t in result["problems"]), result
    js = page.js("ptEditor.scores()")
    assert any("than allowed" in v for v in js["violations"])
    assert page.page.locator("tr.pt-ed-broken").count() >= 1
    assert page.page.locator(".pt-num.pt-ed-broken").count() >= 1  # the map's badge
    assert page.page.locator("[data-role=violations] li").count() == len(js["violations"]) >= 1
    assert page.js("ptEditor.undo()") is True
    # a move that splits a partnership: flagged, and refused when the switch is on
    u = _split_move(plan, hampshire)
    urn = _urn_of_unit(hampshire, u)
    option = page.js("u => ptEditor.options(u)", urn)[0]
    page.page.locator("[data-role=keep-whole]").check()
    page.js("u => ptEditor.select(u)", urn)
    assert page.page.locator(f"button.pt-ed-move[data-to='{option}']").is_disabled()
    refused = page.js("([u, p]) => ptEditor.move(u, p, '')", [urn, option])
    assert not refused["ok"] and refused["message"].startswith("Refused: splits")
    page.page.locator("[data-role=keep-whole]").uncheck()
    page.page.locator(f"button.pt-ed-move[data-to='{option}']").click()
    js = page.js("ptEditor.scores()")
    assert js["contiguous"] is False
    assert any("separate pieces" in v for v in js["violations"])
    assert page.page.locator('path[stroke="#b00000"]').count() >= 1  # the detached piece on the map
    assert "splits" in page.page.locator("[data-role=message]").inner_text()
    assert_same_figures(js, *python_figures(hampshire, plan, page.js("ptEditor.assignment()")))
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTEFACTS / "edit_split.png"))
    page.close()


def test_undo_restores_the_start_exactly(k23, hampshire, browser):
    plan, folder = k23
    page = Page(browser, folder / EDIT_FILE)
    start_scores = page.js("ptEditor.scores()")
    start_state = page.js("ptEditor.state()")
    start_csv = page.js("ptEditor.csv()")
    rng = random.Random(3)
    urns = [int(u) for u in plan.assignments["URN"]]
    done = 0
    while done < 4:
        urn = rng.choice(urns)
        options = page.js("u => ptEditor.options(u)", urn)
        if options:
            assert page.js("([u, p]) => ptEditor.move(u, p, 'note')", [urn, options[0]])["ok"]
            done += 1
    assert page.js("ptEditor.rename('P01', 'Somewhere else')")["ok"]
    page.page.locator("[data-act=reset]").click()
    assert page.js("ptEditor.state()") == start_state
    steps = 0
    while page.js("ptEditor.undo()"):
        steps += 1
    assert steps == 6
    assert page.js("ptEditor.state()") == start_state
    assert page.js("ptEditor.scores()") == start_scores
    assert page.js("ptEditor.csv()") == start_csv
    assert page.page.locator("[data-act=undo]").is_disabled()
    while page.js("ptEditor.redo()"):
        steps -= 1
    assert steps == 0 and page.js("ptEditor.state()") == start_state  # redone up to the reset
    page.close()


def test_export_is_scored_by_partition_compare_with_the_same_figures(k23, hampshire, browser, tmp_path):
    from partition.cli import cli
    from partition.runs.edits import planners_moves
    from partition.runs.workflow import compare

    plan, folder = k23
    page = Page(browser, folder / EDIT_FILE)
    rng = random.Random(11)
    urns = [int(u) for u in plan.assignments["URN"]]
    notes = ['requested by the head of St Mary\'s, "urgent"', '=HYPERLINK("x")', "<b>not bold</b> {{ 7*7 }}"]
    moved = []
    while len(moved) < 3:
        urn = rng.choice(urns)
        options = page.js("u => ptEditor.options(u)", urn)
        if options:
            assert page.js("([u, p, n]) => ptEditor.move(u, p, n)", [urn, options[0], notes[len(moved)]])["ok"]
            moved.append(urn)
    new_name = 'Test Valley & "Romsey", {{7*7}} <i>'
    row = page.page.locator("tr[data-id='P03'] textarea")
    row.fill(new_name)
    row.press("Enter")
    assert page.js("ptEditor.state()")["names"][2] == new_name
    refused = page.js("n => ptEditor.rename('P04', n)", new_name.upper())
    assert not refused["ok"]  # two partnerships never share a name
    js = page.js("ptEditor.scores()")
    with page.page.expect_download() as info:
        page.page.locator("[data-act=export]").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    said = page.page.locator(".pt-ed-msg").inner_text()  # the command to re-plan, with the k and a new folder
    assert f"partition plan --k 23 --start-from {path.name} --lock-from {path.name} --out replan" in said
    assert path.name == f"{plan.name}-edited.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert list(table.columns) == ["URN", "partnership", "note", "moved", "counted"]
    marked = planners_moves(path)  # what plan --lock-from pins: the moved schools (with their sites), no others
    assert set(moved) <= marked and len(marked) < 12
    assert (table["counted"] == "yes").sum() == 494 and new_name in set(table["partnership"])
    assert (table["counted"] == "no").sum() == len(plan.members) == 40  # the members, following their unit
    noted = table.set_index("URN")["note"]
    assert noted[str(moved[0])].startswith("requested by the head of St Mary's")
    assert '\'=HYPERLINK("x")' in set(noted)  # a spreadsheet shows it as text, not a formula
    page.close()
    result = compare({}, [folder, path], current=False)
    edited = result.plans[1]
    assert edited.name == f"{plan.name}-edited"
    assert new_name in set(edited.partnerships["name"])
    for key in MEASURES:
        value, expected = edited.scores[key], js[key]
        assert (value == expected) if isinstance(value, bool) else math.isclose(value, expected, rel_tol=RELATIVE), key
    row = result.table.loc[edited.name]
    assert row["districts_divided"] == js["districts_divided"] and row["district_splits"] == js["district_splits"]
    assert row["schools_moved"] == js["schools_changed"]
    cli_run = CliRunner().invoke(cli, ["compare", str(folder), str(path), "--no-current"])
    assert cli_run.exit_code in (0, 3), cli_run.output
    assert f"{js['wdist_km']:.3f}" in cli_run.output


def test_editor_on_a_phone_and_screenshots(k23, hampshire, browser):
    plan, folder = k23
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for name, viewport in (
        ("edit_desktop", {"width": 1400, "height": 900}),
        ("edit_phone", {"width": 390, "height": 844}),
    ):
        page = Page(browser, folder / EDIT_FILE, viewport)
        urn = int(plan.assignments["URN"].iloc[40])
        page.js("u => ptEditor.select(u)", urn)
        option = page.js("u => ptEditor.options(u)", urn)[0]
        page.page.locator(f"button.pt-ed-move[data-to='{option}']").click()
        page.js("u => ptEditor.select(u)", urn)
        page.page.wait_for_timeout(200)
        page.page.screenshot(path=str(ARTEFACTS / f"{name}.png"))
        panel = page.page.locator("#pt-editor").bounding_box()
        assert panel["width"] <= viewport["width"]
        if viewport["width"] < 800:  # stacked: the panel below the map, the full width
            assert panel["y"] > 0.4 * viewport["height"] and panel["width"] == viewport["width"]
        page.close()


def test_hostile_names_are_shown_as_text(browser, tmp_path):
    from tests.test_html_safety import HOSTILE, _districts, tiny_world

    names = [HOSTILE[2], HOSTILE[0], HOSTILE[9], "{% raw %}"]
    inputs, districts, (plan,) = tiny_world(names, ["<b>W</b>", "{{E}}"], [["<x>", "<x>", "{{y}}", "{{y}}"]], ["p"])
    path = write_editor(plan, inputs, tmp_path / EDIT_FILE, districts=_districts(inputs.units)).path
    text = path.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in text and "<img src=x" not in text
    page = Page(browser, path)
    page.js("u => ptEditor.select(u)", int(inputs.schools["URN"].iloc[0]))
    shown = page.page.locator("#pt-editor").inner_text()
    for name in names[:1] + ["<x>", "{{y}}"]:
        assert name in shown, name
    assert page.js("ptEditor.assignment()")[0]["partnership"] in ("<x>", "{{y}}")
    assert page.page.locator("#pt-editor script, #pt-editor img, #pt-editor b").count() == 0
    page.close()


def test_export_quotes_formulas_by_partitions_rule_and_reads_back(browser, tmp_path):
    """The editor's CSV export quotes text a spreadsheet would run exactly as partition.core.csvsafe does, so
    partition reads the names back as typed."""
    from tests.test_csv_safety import formula_cells
    from tests.test_html_safety import _districts, tiny_world

    from partition.core.csvsafe import neutralise_text
    from partition.data.configurations import read_assignment_csv

    labels = ["=Andover", "=Andover", "-Fleet", "-Fleet"]
    inputs, districts, (plan,) = tiny_world(["=S0", "+S1", "-S2", "@S3"], ["=West", "+East"], [labels], ["p"])
    path = write_editor(plan, inputs, tmp_path / EDIT_FILE, districts=_districts(inputs.units)).path
    page = Page(browser, path)
    rng = random.Random(7)
    texts = ["=a", "'=a", "''+a", "a;=b", "a\r\n-b", "\r=x", "a\r\r=x", "\0x", "Andover", "St Mary's; -", ""]
    texts += ["".join(rng.choice("=+-@\t\r\n;'\0 aé") for _ in range(rng.randint(0, 12))) for _ in range(500)]
    assert page.js("ts => ts.map(ptEditor.spreadsheetText)", texts) == [neutralise_text(t) for t in texts]
    fleet = plan.partnerships.set_index("name").at["-Fleet", "id"]
    assert page.js("([p, n]) => ptEditor.rename(p, n)", [fleet, "@Alton;=cmd"])["ok"]
    with page.page.expect_download() as info:
        page.page.locator("[data-act=export]").click()
    exported = tmp_path / "edited.csv"
    info.value.save_as(exported)
    page.close()
    text = exported.read_text(encoding="utf-8")
    assert formula_cells(text) == [] and "'=Andover" in text and "'@Alton;'=cmd" in text
    urns = [int(u) for u in inputs.schools["URN"]]
    expected = ["=Andover", "=Andover", "@Alton;=cmd", "@Alton;=cmd"]
    assert read_assignment_csv(exported).to_dict() == dict(zip(urns, expected))


@pytest.fixture(scope="module")
def primary_edit(shared, tmp_path_factory):
    """The 2022 primary file without anchors (29 federations kept together), a quick plan and its edit.html."""
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare("schools/gias_20220420_primary_hampshire_850.csv")
        spec = PlanSpec(k=(23,), anchors=False, feeders="ignore")  # the federations' locks alone
        plan = make_plan(inputs, spec, 23, solver="heuristic", heuristic_options={"iterations": 5})
    folder = write_plan(plan, tmp_path_factory.mktemp("fed-edit"))
    write_editor(plan, inputs, folder / EDIT_FILE)
    return plan, inputs, folder


def test_editor_locks_are_the_solvers_locks_with_federations(primary_edit):
    from partition.data.federations import effective_locks, federations

    plan, inputs, _ = primary_edit
    data = editor_data(plan, inputs)
    unit = dict(zip(inputs.schools["URN"].astype(int), inputs.schools["unit"].astype(int)))
    assert data["locks"] == lock_groups(inputs.schools, effective_locks(plan.spec, inputs.schools))
    holbrook = next(j for j, g in enumerate(data["locks"]) if unit[131116] in g)
    assert unit[131117] in data["locks"][holbrook]  # Bedenham, its federation partner
    assert data["lock_reasons"][holbrook] == [
        "in the same federation: Bedenham & Holbrook Federation of Primary Schools"
    ]
    split_sites = [g for g in federations(inputs.schools) if len({unit[u] for u in g.urns}) > 1]
    assert len(data["locks"]) == len(split_sites) > 0
    ignored = editor_data(
        dataclasses.replace(plan, spec=PlanSpec(k=(23,), anchors=False, federations="ignore", feeders="ignore")),
        inputs,
    )
    assert ignored["locks"] == []


def test_lock_reasons_name_the_spec_and_the_federation(primary_edit):
    from partition.data.federations import effective_locks
    from partition.report.maps.editor import lock_reasons

    plan, inputs, _ = primary_edit
    urns = inputs.schools["URN"].astype(int)
    other = int(urns[~urns.isin([131116, 131117])].iloc[0])
    spec = PlanSpec(k=(23,), anchors=False, feeders="ignore", locks=Locks(together=((131117, other),)))
    groups = lock_groups(inputs.schools, effective_locks(spec, inputs.schools))
    unit = dict(zip(urns, inputs.schools["unit"].astype(int)))
    j = next(j for j, g in enumerate(groups) if unit[other] in g)
    assert unit[131116] in groups[j]  # the spec's lock joined the federation's group
    assert lock_reasons(groups, spec, inputs.schools)[j] == [
        "in the same federation: Bedenham & Holbrook Federation of Primary Schools",
        "locked together by the spec",
    ]


def test_a_federated_school_moves_with_its_federation_in_the_browser(primary_edit, browser):
    plan, inputs, folder = primary_edit
    page = Page(browser, folder / EDIT_FILE)
    page.js("u => ptEditor.select(u)", 131116)
    box = page.page.locator("[data-role='selected']").inner_text()
    assert "Bedenham Primary School" in box and "Holbrook Primary School" in box
    assert "in the same federation: Bedenham & Holbrook Federation of Primary Schools" in box
    assert "average distance to centre" in box and "wdist" not in box  # plain words on the move buttons
    heads = page.page.locator("[data-role='table'] th").all_inner_texts()
    assert not [h for h in heads if "wdist" in h]
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTEFACTS / "edit_federation_selected.png"))
    target = page.js("u => ptEditor.options(u)", 131116)[0]
    assert page.js("a => ptEditor.move(a[0], a[1], '')", [131116, target])["ok"]
    rows = {r["urn"]: r for r in page.js("() => ptEditor.assignment()")}
    name = plan.partnerships.set_index("id").at[target, "name"]
    assert rows[131116]["partnership"] == rows[131117]["partnership"] == name
    assert rows[131116]["moved"] and rows[131117]["moved"]
    page.close()


TABLE_LAYOUT = """() => {
  const wrap = document.querySelector('[data-role="table-scroll"]');
  const box = wrap.getBoundingClientRect(), panel = document.getElementById('pt-editor').getBoundingClientRect();
  const left = Math.max(box.left, panel.left), right = Math.min(box.right, panel.right);
  const heads = [...wrap.querySelectorAll('th')].map(th => {
    const r = th.getBoundingClientRect();
    return {text: th.textContent, inside: r.left >= left - 0.5 && r.right <= right + 0.5};
  });
  const name = document.querySelector('tr[data-id] textarea').getBoundingClientRect();
  return {heads, scrolls: wrap.scrollWidth > wrap.clientWidth, overflow: getComputedStyle(wrap).overflowX,
          cue: !document.querySelector('[data-role="scroll-cue"]').hidden,
          shaded: wrap.classList.contains('pt-ed-more'), nameWidth: name.width, nameHeight: name.height};
}"""


@pytest.mark.parametrize("viewport", [(1400, 900), (390, 844)])
def test_partnership_table_fits_or_scrolls_visibly(k23, browser, viewport):
    plan, folder = k23
    page = Page(browser, folder / EDIT_FILE, {"width": viewport[0], "height": viewport[1]})
    page.page.locator("[data-role='table']").scroll_into_view_if_needed()
    layout = page.js(TABLE_LAYOUT)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.page.locator("section:has([data-role='table'])").screenshot(
        path=str(ARTEFACTS / f"edit_table_{viewport[0]}.png")
    )
    hidden = [h["text"] for h in layout["heads"] if not h["inside"]]
    assert [h["text"] for h in layout["heads"]][-2:] == ["Km to centre", "Districts"]
    if hidden:  # a column out of sight: the wrapper scrolls, and the page says so
        assert layout["scrolls"] and layout["overflow"] == "auto" and layout["cue"] and layout["shaded"], layout
    else:
        assert not layout["cue"]
    if viewport[0] >= 1400:
        assert not hidden, hidden  # on a desktop every column is in view
    assert layout["nameWidth"] >= 80  # the name column is not squeezed to nothing
    page.close()


NAMED_TAGS = """() => {
  const box = document.querySelector('.folium-map').getBoundingClientRect();
  return [...document.querySelectorAll('.folium-map .pt-tag')].filter(t => {
    const r = t.getBoundingClientRect();
    return t.style.visibility !== 'hidden' && !t.classList.contains('pt-short') && r.width > 0
      && r.left >= box.left && r.right <= box.right && r.top >= box.top && r.bottom <= box.bottom;
  }).length;
}"""


def test_selecting_caps_the_zoom_and_the_search_box_follows(k23, browser):
    plan, folder = k23
    page = Page(browser, folder / EDIT_FILE)
    find = page.page.locator("[data-role='find']")
    find.fill("Cheriton Primary")
    find.press("Enter")
    assert page.js("ptEditor.zoom()") <= 13
    assert page.js(NAMED_TAGS) >= 1  # the school's partnership is named on the map
    assert find.input_value() == "Cheriton Primary School (115874)"
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(ARTEFACTS / "edit_search_selected.png"))
    # zoomed right in, a click on another school: the map zooms out to the cap, the box names that school
    urn = int(plan.assignments["URN"].iloc[100])
    name = plan.assignments.set_index("URN").at[urn, "name"]
    where = """u => {
      const D = JSON.parse(document.getElementById('pt-edit-data').textContent), m = window[D.map];
      const i = D.schools.urn.indexOf(u);
      m.setView([D.schools.lat[i], D.schools.lng[i]], 17, {animate: false});
      const p = m.latLngToContainerPoint([D.schools.lat[i], D.schools.lng[i]]), r = m.getContainer().getBoundingClientRect();
      return [r.left + p.x, r.top + p.y];
    }"""
    find.fill("Cheriton Primary")
    find.press("Enter")
    x, y = page.js(where, urn)
    page.page.mouse.click(x, y)
    assert page.js("ptEditor.zoom()") == 13
    assert find.input_value() == f"{name} ({urn})"
    assert page.js(NAMED_TAGS) >= 1
    page.page.screenshot(path=str(ARTEFACTS / "edit_click_selected.png"))
    page.close()


def test_a_member_moves_with_the_site_it_stands_on(k23, hampshire, browser, tmp_path):
    """A college or special school is in the partnership of the unit it stands in: moving that unit's schools
    moves it, and every other member standing on the moved sites, with them (table counts, export, as Python
    places them for the edited assignment), its details say so, undo brings it back; it counts in no figure, and
    the exported CSV (members as rows counted = no) reads back to the same school labels."""
    from partition.data.configurations import read_assignment_csv

    plan, folder = k23
    page = Page(browser, folder / EDIT_FILE)
    start = {r["urn"]: r["id"] for r in page.js("ptEditor.members()")}
    assert start == dict(zip(plan.members["URN"].astype(int), plan.members["partnership_id"]))  # as Python placed them
    heads = page.js("() => [...document.querySelectorAll('[data-role=table] th')].map(t => t.textContent)")
    assert heads[6:8] == ["Colleges", "Special schools"], heads
    counts = page.js(TABLE_COUNTS)
    expected = plan.partnerships.set_index("id")[["colleges", "special_schools"]]
    assert counts == {i: [int(r.colleges), int(r.special_schools)] for i, r in expected.iterrows()}
    member, school, target = _movable_member(page, plan)
    before = page.js("ptEditor.scores()")
    start_labels = {r["urn"]: r["partnership"] for r in page.js("() => ptEditor.assignment()")}
    page.js("u => ptEditor.selectMember(u)", int(member.URN))
    box = page.page.locator("[data-role='selected']").inner_text()
    assert member.name in box and "moves with the area it stands in" in box and "not counted in pupils" in box
    done = page.js("([u, p]) => ptEditor.move(u, p, '')", [school, target])
    assert done["ok"]
    moved = {r["urn"]: r["id"] for r in page.js("ptEditor.members()")}
    # it moved with its site, and so did every member standing on a moved site (several may share one); no other
    changed = {r["urn"] for r in page.js("() => ptEditor.assignment()") if r["partnership"] != start_labels[r["urn"]]}
    sites = set(hampshire.schools.loc[hampshire.schools["URN"].astype(int).isin(changed), "unit"].astype(int))
    on_sites = hampshire.members[hampshire.members["unit"].astype(int).isin(sites)]
    carried = dict(zip(on_sites["URN"].astype(int), on_sites["kind"]))
    assert int(member.URN) in carried
    assert moved == {**start, **dict.fromkeys(carried, target)}
    assert all(name in done["message"] for name in on_sites["name"])  # the move names every member carried along
    edited, _ = python_figures(hampshire, plan, page.js("ptEditor.assignment()"))
    named = {r["urn"]: r["partnership"] for r in page.js("ptEditor.members()")}
    assert named == dict(zip(edited.members["URN"].astype(int), edited.members["partnership"]))  # as Python places them
    kind = 0 if member.kind == "college" else 1
    after = page.js(TABLE_COUNTS)
    kinds = dict(zip(plan.members["URN"].astype(int), plan.members["kind"]))
    assert after == {
        p: [sum(moved[u] == p and kinds[u] == k for u in moved) for k in ("college", "special")] for p in counts
    }
    assert after[target][kind] > counts[target][kind]
    assert after[member.partnership_id][kind] < counts[member.partnership_id][kind]
    assert page.js("ptEditor.scores()")["schools"] == before["schools"] == 494  # members are not counted
    labels = {r["urn"]: r["partnership"] for r in page.js("() => ptEditor.assignment()")}
    path = tmp_path / "edited.csv"
    path.write_text(page.js("ptEditor.csv()"), encoding="utf-8")
    assert read_assignment_csv(path).to_dict() == labels  # the member rows (counted = no) are left out
    rows = pd.read_csv(path, dtype=str, keep_default_na=False).set_index("URN")
    target_name = plan.partnerships.set_index("id").at[target, "name"]
    assert tuple(rows.loc[str(int(member.URN)), ["partnership", "moved", "counted"]]) == (target_name, "", "no")
    assert set(rows["counted"]) == {"yes", "no"} and (rows["counted"] == "no").sum() == len(plan.members)
    page.js("ptEditor.undo()")
    assert {r["urn"]: r["id"] for r in page.js("ptEditor.members()")} == start
    assert page.js(TABLE_COUNTS) == counts
    page.close()


TABLE_COUNTS = """() => Object.fromEntries([...document.querySelectorAll('[data-role="table"] tr[data-id]')].map(
    tr => [tr.dataset.id, [tr.children[6].textContent, tr.children[7].textContent].map(Number)]))"""
"""Partnership id -> [colleges, special schools] as the editor's table shows them."""


def _movable_member(page, plan):
    """A member whose site has schools that may move: (its row, the first school's URN, a partnership to go to)."""
    for row in plan.members.itertuples():
        first = page.js(
            "u => { const D = JSON.parse(document.getElementById('pt-edit-data').textContent);"
            " const unit = D.members.unit[D.members.urn.indexOf(u)], i = D.schools.unit.indexOf(unit);"
            " return i < 0 ? null : D.schools.urn[i]; }",
            int(row.URN),
        )
        options = page.js("u => ptEditor.options(u)", first) if first is not None else []
        if options:
            return row, first, options[0]
    raise AssertionError("no member stands on a site whose schools may move")


def test_a_bound_on_children_is_kept_live_with_pythons_words(hampshire, browser, tmp_path):
    """A spec with children 0-19 within ±15 %: moves that break it are named as Python names them, and the table's
    need columns (FSM %, children, low income) follow every move (issue 25)."""
    from partition.model.spec import SizeBound
    from partition.runs.writing import map_options

    spec = PlanSpec(k=(10,), size=(SizeBound("pupils", 0.10), SizeBound("population", 0.15)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = make_plan(hampshire, spec, 10, solver="heuristic", heuristic_options={"restarts": 1})
        look = map_options(hampshire, [plan], None)
    folder = write_plan(plan, tmp_path)
    write_editor(plan, hampshire, folder / EDIT_FILE, **{**look, "colours": look["colours"][plan.name]})
    page = Page(browser, folder / EDIT_FILE)
    heads = page.page.locator("[data-role=need-table] th").all_inner_texts()
    assert heads == ["No.", "Partnership", "FSM %", "Children", "Low income"], heads
    cells = page.js(
        "() => [...document.querySelectorAll('[data-role=need-table] tr')].slice(1)"
        ".map(r => [...r.children].map(c => c.textContent))"
    )
    assert len(cells) == plan.k
    written = plan.partnerships.set_index("name")
    for _, name, fsm_pct, children, low_income in cells:  # as plan.json and the pack give them, to the child
        assert fsm_pct == f"{written.at[name, 'fsm_pct']:.1f}"
        assert children == f"{written.at[name, 'population']:,}" and low_income == f"{written.at[name, 'low_income']:,}"
    assert_same_figures(
        page.js("ptEditor.scores()"), *python_figures(hampshire, plan, page.js("ptEditor.assignment()"))
    )
    rng = random.Random(3)
    urns = [int(u) for u in plan.assignments["URN"]]
    broken = False
    for _ in range(40):
        urn = rng.choice(urns)
        options = page.js("u => ptEditor.options(u)", urn)
        if not options:
            continue
        page.js("([u, p]) => ptEditor.move(u, p, '')", [urn, rng.choice(options)])
        js = page.js("ptEditor.scores()")
        assert_same_figures(js, *python_figures(hampshire, plan, page.js("ptEditor.assignment()")))
        if any("children (population) than allowed" in v for v in js["violations"]):
            broken = True
            break
    assert broken, "no move broke the bound on children"
    assert page.errors == [] and page.remote == []
    page.close()
