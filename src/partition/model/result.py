"""What a solver returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import numpy as np


class Status(StrEnum):
    """Whether a configuration meets its specification.

    A ``str`` enum: it compares equal to, prints as and is written to JSON and CSV as its value
    (``"feasible"``...), so outputs read the same as plain strings.
    """

    OPTIMAL = "optimal"
    """Meets every rule and is proven optimal (the exact model finished)."""
    FEASIBLE = "feasible"
    """Meets every rule; optimality not proven."""
    VIOLATED = "violated"
    """Breaks a rule of its spec (a baseline that ignores some rules, or a hand-made configuration)."""
    UNCHECKED = "unchecked"
    """A solver's labelling not yet scored (baselines, hand-made configurations); a
    :class:`~partition.model.plan.Plan` never keeps it (scoring makes it feasible or violated)."""
    INFEASIBLE = "infeasible"
    """The solver found no labelling (never on a plan: the planner raises
    :class:`~partition.errors.InfeasibleError` instead)."""


MEETS_RULES = (Status.OPTIMAL, Status.FEASIBLE)
"""The statuses of a configuration that meets every rule of its spec."""


@dataclass
class SolverResult:
    """A block labelling and what the solver knows about it.

    Attributes
    ----------
    labels
        Partnership index (0..k-1) of each block of the problem.
    solver
        Name of the solver.
    status
        A :class:`Status` (or its value): ``"optimal"``, ``"feasible"`` (constraints met,
        optimality not proven), ``"violated"`` (a baseline that ignores some constraints),
        ``"unchecked"`` (a baseline's labelling, scored by the planner) or ``"infeasible"``.
    objective
        The solver's own objective value (documented per solver), or None.
    bound
        A proven lower bound on that objective, or None.
    gap
        ``(objective - bound) / objective``, or None.
    runtime
        Seconds.
    details
        Anything else worth reporting.
    """

    labels: np.ndarray
    solver: str
    status: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    runtime: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)
