"""``python -m partition`` behaves as the ``partition`` command (it once did nothing and exited 0)."""

from __future__ import annotations

import subprocess
import sys

import pytest


def test_python_dash_m_partition_runs_the_cli():
    done = subprocess.run([sys.executable, "-m", "partition", "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "plan" in done.stdout


def test_python_dash_m_partition_exits_2_on_bad_options():
    done = subprocess.run(
        [sys.executable, "-m", "partition", "plan", "--k", "0"], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr


def test_the_public_face_loads_nothing_until_a_name_is_used():
    """``import partition`` imports no submodule; each public name comes from the module that defines it."""
    code = "import partition, sys; print(sorted(m for m in sys.modules if m.startswith('partition.')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
    import importlib

    import partition as pt

    for name, module in pt.PUBLIC.items():
        assert getattr(pt, name) is getattr(importlib.import_module(module), name), name
        assert name in dir(pt)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        pt.nothing  # noqa: B018


def test_plan_explore_gives_the_configuration_map(hampshire):
    import warnings

    import partition as pt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plan = pt.make_plan(
            hampshire, pt.PlanSpec(k=(23,)), 23, solver="heuristic", heuristic_options={"iterations": 5}
        )
    full = plan.explore(hampshire).get_root().render()
    assert "Need: Pupils eligible for free school meals" in full and plan.partnerships["name"].iloc[0] in full
    bare = plan.explore().get_root().render()
    assert "Need:" not in bare and plan.partnerships["name"].iloc[0] in bare


def test_notebooks_use_only_the_public_face():
    """The notebooks import ``partition`` as ``pt`` and nothing from inside the package."""
    import re
    from pathlib import Path

    import nbformat

    for path in sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb")):
        code = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        inner = re.findall(r"^\s*(?:from partition\.\S+ import|import partition\.)", code, flags=re.M)
        assert "import partition as pt" in code and not inner, f"{path.name} imports {inner}"


def test_the_api_reference_lists_every_public_name():
    """``docs/reference/api.md`` documents each name of the face, from the module that defines it."""
    from pathlib import Path

    import partition as pt

    page = (Path(__file__).resolve().parents[1] / "docs" / "reference" / "api.md").read_text(encoding="utf-8")
    listed = {line.removeprefix("::: ").strip() for line in page.splitlines() if line.startswith("::: ")}
    assert listed == {f"{module}.{name}" for name, module in pt.PUBLIC.items()}
