"""Pages from template files (jinja2), data passed only as variables and escaped by the one path.

Every value a template prints goes through :func:`partition.core.htmltext.html_text` (the environment's
``finalize``), so data never becomes template source or markup, whichever template prints it; a link target
goes through the ``href`` filter (:func:`~partition.core.htmltext.html_href`). Text the code builds as markup
on purpose (none yet) would have to be passed as :class:`markupsafe.Markup`. The templates are in
``partition/report/templates/``.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2
from markupsafe import Markup

from partition.core.htmltext import html_href, html_text


def _escaped(value: Any) -> Any:
    """What a template prints: markup made by the code as it is, everything else through :func:`html_text`."""
    if isinstance(value, Markup):
        return value
    return Markup(html_text("" if value is None else value))


@functools.cache
def environment() -> jinja2.Environment:
    """The environment of partition's page templates (loaded once per process)."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("partition.report", "templates"),
        autoescape=False,  # finalize escapes every value by the one path instead
        finalize=_escaped,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = lambda path: Markup(html_href(str(path)))
    return env


def render(name: str, **variables: Any) -> str:
    """Render the template ``name`` with ``variables`` (data as values only).

    Parameters
    ----------
    name
        A file of ``partition/report/templates/``.
    variables
        What the template prints.

    Returns
    -------
    str
        The page.

    Raises
    ------
    jinja2.UndefinedError
        When the template prints a variable that was not given (a fault of partition).
    """
    return environment().get_template(name).render(**variables)
