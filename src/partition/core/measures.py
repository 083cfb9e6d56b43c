"""The unit measures a partnership's size can be bounded on: one definition each.

Every size bound (:class:`partition.model.spec.SizeBound`), every solver's arrays, every check of a written plan
and the editor take their measures, words and file-name tokens from :data:`MEASURES`; a new measure is one
entry here and the unit column that carries it (see :mod:`partition.data.need` for the need measures).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measure:
    """A quantity summed over a partnership's units.

    Attributes
    ----------
    key
        The unit column and the spec's ``attribute`` (``"pupils"``).
    words
        What is counted, in words for messages (``"pupils"``, ``"children (population)"``).
    label
        A table header (``"Pupils"``).
    token
        Its part of a configuration's folder name (``"pop"`` in ``k23-pop-tol15``).
    """

    key: str
    words: str
    label: str
    token: str


MEASURES: dict[str, Measure] = {
    m.key: m
    for m in (
        Measure("pupils", "pupils", "Pupils", "pupils"),
        Measure("n_schools", "schools", "Schools", "schools"),
        Measure("population", "children (population)", "Children aged 0-19", "pop"),
        Measure("fsm", "pupils eligible for free school meals", "Pupils eligible for free school meals", "fsm"),
        Measure("low_income", "children in low-income families", "Children in low-income families", "lowinc"),
    )
}
"""Every measure, by key, in the order tables show them."""


def summed(columns: object) -> tuple[str, ...]:
    """The measure keys among ``columns`` (a unit frame's columns, or any container of names), in order."""
    return tuple(k for k in MEASURES if k in columns)  # type: ignore[operator]
