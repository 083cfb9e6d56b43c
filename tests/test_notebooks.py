"""Notebooks are committed without outputs (they are executed in CI by nbmake)."""

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_the_three_notebooks_exist():
    assert [p.stem for p in NOTEBOOKS] == ["01_explore_data", "02_build_configurations", "03_compare_for_consultation"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (
                f"{path.name} has outputs: clear them before committing"
            )


def test_inline_map_is_self_contained_and_escaped():
    """Inline maps show the page write_map writes (works offline), inside an iframe srcdoc it cannot escape."""
    import html
    import re

    import folium

    from partition.report.notebook import iframe_html, inline_map

    page = '<p title="a">it\'s</p></iframe><script>alert(1)</script>&amp;'
    frame = iframe_html(page, height=300, title='Map "x"')
    srcdoc = re.fullmatch(r'<iframe srcdoc="([^"]*)" title="([^"]*)" style="[^"]*300px[^"]*"></iframe>', frame)
    assert srcdoc is not None, frame  # one element: the page cannot end the attribute or the iframe
    assert html.unescape(srcdoc[1]) == page and html.unescape(srcdoc[2]) == 'Map "x"'
    shown = inline_map(folium.Map(tiles=None), title="t").data
    assert "cdn.jsdelivr" not in shown and "code.jquery" not in shown and "L.map" in html.unescape(shown)


def test_output_folder_is_in_the_checkout_or_where_asked(tmp_path, monkeypatch):
    from partition.report.notebook import NOTEBOOK_OUT, output_folder

    monkeypatch.delenv(NOTEBOOK_OUT, raising=False)
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "notebooks").mkdir()
    assert output_folder(start=tmp_path / "notebooks") == (tmp_path / "out" / "notebooks").resolve()
    monkeypatch.setenv(NOTEBOOK_OUT, str(tmp_path / "elsewhere"))
    assert output_folder() == (tmp_path / "elsewhere").resolve() and (tmp_path / "elsewhere").is_dir()
