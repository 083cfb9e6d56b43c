"""Solvers: all take a :class:`~partition.problem.Problem` and return a :class:`SolverResult`.

* :mod:`partition.solvers.heuristic` — contiguity-preserving construction plus local search;
* :mod:`partition.solvers.exact` — mixed-integer model solved by HiGHS, with a proven bound;
* :mod:`partition.solvers.baselines` — scikit-learn and spopt methods, for comparison.
"""

from partition.solvers.result import MEETS_RULES, SolverResult, Status

SOLVERS = ("auto", "heuristic", "exact", "agglomerative", "azp", "regionkmeans", "skater", "wardspatial")
"""Names accepted by the planner, the CLI and scenario files."""

__all__ = ["MEETS_RULES", "SOLVERS", "SolverResult", "Status"]
