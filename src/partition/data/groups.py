"""A group of schools the data says belong together: a federation, an academy trust or a feeder pair."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Group:
    """A federation or trust with two or more loaded schools.

    Attributes
    ----------
    name
        The name as GIAS spells it most often.
    urns
        Its loaded schools' URNs, ascending.
    schools
        Their names, in the order of ``urns``.
    spellings
        Every GIAS spelling merged into this group, sorted.
    """

    name: str
    urns: tuple[int, ...]
    schools: tuple[str, ...]
    spellings: tuple[str, ...] = ()

    def describe(self) -> str:
        """``Name (School A, URN 1; School B, URN 2)`` for messages."""
        members = "; ".join(f"{s}, URN {u}" for u, s in zip(self.urns, self.schools))
        return f"{self.name} ({members})"

    def as_dict(self) -> dict[str, object]:
        """Plain data for ``plan.json`` and the manifest."""
        return {
            "name": self.name,
            "schools": [{"URN": u, "name": s} for u, s in zip(self.urns, self.schools)],
            "spellings": list(self.spellings),
        }
