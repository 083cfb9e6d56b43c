"""What a solver returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


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
        ``"optimal"``, ``"feasible"`` (constraints met, optimality not proven),
        ``"violated"`` (a baseline that ignores some constraints) or ``"infeasible"``.
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
