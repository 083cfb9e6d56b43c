"""A griffe extension for the API reference: the docstrings' Sphinx roles shown as code.

The docstrings use numpydoc with Sphinx roles (``:func:`partition.x.y```, ``:class:`~partition.x.Y```), which
mkdocstrings does not read; this turns each into a code span (the last part only after ``~``), so no raw role
reaches the page. Loaded by ``mkdocs.yml`` (``extensions``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

ROLE = re.compile(r":(?:py:)?(?:func|meth|mod|class|data|attr|obj|exc|file|const)?:`(~?)([^`]+)`")


def _code(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if short else target}`"


class SphinxRolesAsCode(griffe.Extension):
    """Rewrite Sphinx roles in every docstring as Markdown code spans."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring, when it has one."""
        if obj.docstring is not None:
            obj.docstring.value = ROLE.sub(_code, obj.docstring.value)
