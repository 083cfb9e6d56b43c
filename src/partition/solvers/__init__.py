"""Solvers: all take a :class:`~partition.solvers.problem.Problem` and return a
:class:`~partition.model.result.SolverResult`, registered by name in :mod:`partition.solvers.registry`.

* :mod:`partition.solvers.auto` — the default: the heuristic's full search, then the HiGHS model;
* :mod:`partition.solvers.heuristic` — contiguity-preserving construction plus local search;
* :mod:`partition.solvers.exact` — mixed-integer model solved by HiGHS, with a proven bound;
* :mod:`partition.solvers.bounds` — proven lower bounds on the hub objective;
* :mod:`partition.solvers.baselines` — scikit-learn and spopt methods, for comparison.
"""

from partition.model.result import MEETS_RULES, SolverResult, Status
from partition.solvers.registry import REGISTRY

SOLVERS = tuple(REGISTRY)
"""Names accepted by the planner, the CLI and scenario files (:data:`partition.solvers.registry.REGISTRY`)."""

__all__ = ["MEETS_RULES", "SOLVERS", "SolverResult", "Status"]
