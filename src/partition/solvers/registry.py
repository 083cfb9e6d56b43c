"""The solvers a plan can be made with: one registry, one ``solve(problem, options)`` contract.

Every solver takes a :class:`~partition.solvers.problem.Problem` (one k, locks contracted into blocks) and
:class:`SolveOptions`, and returns a :class:`~partition.model.result.SolverResult` with a label for every block
(as spopt's region solvers share one ``solve()``). Each entry says which of the problem's rules the solver
honours; the planner scores every result the same way, so a solver that ignores a rule shows its breaches.
``tests/test_solver_conformance.py`` runs every registered solver through the same checks.

A new solver is one function ``solve(problem, options) -> SolverResult`` and one :class:`SolverInfo` in
:data:`REGISTRY`; the CLI's ``--solver`` and the scenario's ``[solver] name`` take their choices from it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from partition.core.limits import SAFETY_STOP_SECONDS
from partition.errors import PartitionError
from partition.model.result import SolverResult
from partition.solvers.problem import Problem

RULES = ("contiguity", "together", "apart", "size", "anchors")
"""The rules a solver can honour: each partnership one connected area; schools locked together (and sites,
federations, feeder pairs) in one partnership, which every solver keeps as they are one block; schools locked
apart in different partnerships; sizes inside the spec's bounds; an anchor school in each partnership."""


@dataclass(frozen=True)
class SolveOptions:
    """How hard and with which seed to solve: the same for every solver.

    Attributes
    ----------
    time_limit
        Safety stop of a timed library call (s); never what decides the plan.
    random_state
        Seed: the same seed gives the same labels.
    heuristic
        Options of :func:`~partition.solvers.heuristic.solve_heuristic` (``iterations``, ``restarts``,
        ``initial`` ...), for the solvers that run it.
    """

    time_limit: float = SAFETY_STOP_SECONDS
    random_state: int | None = 0
    heuristic: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SolverInfo:
    """One registered solver.

    Attributes
    ----------
    name
        The name given to ``--solver`` and ``[solver] name``.
    solve
        ``solve(problem, options) -> SolverResult``.
    honours
        The :data:`RULES` it keeps whenever it returns a plan it calls feasible.
    about
        One line for people.
    extra
        The optional dependencies it needs (``pip install 'partition[extra]'``), or None.
    """

    name: str
    solve: Callable[[Problem, SolveOptions], SolverResult]
    honours: frozenset[str]
    about: str
    extra: str | None = None


def _heuristic(problem: Problem, options: SolveOptions) -> SolverResult:
    from partition.solvers.auto import refuse_infeasible
    from partition.solvers.heuristic import solve_heuristic

    refuse_infeasible(problem)
    return solve_heuristic(problem, random_state=options.random_state, **options.heuristic)


def _combined(restrict: bool) -> Callable[[Problem, SolveOptions], SolverResult]:
    def solve(problem: Problem, options: SolveOptions) -> SolverResult:
        from partition.solvers.auto import solve_auto

        return solve_auto(
            problem,
            restrict=restrict,
            time_limit=options.time_limit,
            random_state=options.random_state,
            heuristic_options=dict(options.heuristic),
        )

    return solve


def _baseline(method: str) -> Callable[[Problem, SolveOptions], SolverResult]:
    def solve(problem: Problem, options: SolveOptions) -> SolverResult:
        from partition.solvers.baselines import solve_baseline

        return solve_baseline(problem, method, random_state=options.random_state)

    return solve


_ALL_RULES = frozenset(RULES)
_SHAPE_ONLY = frozenset({"contiguity", "together"})

REGISTRY: dict[str, SolverInfo] = {
    info.name: info
    for info in (
        SolverInfo(
            "auto", _combined(True), _ALL_RULES, "the heuristic's full search, then HiGHS where the model is small"
        ),
        SolverInfo("heuristic", _heuristic, _ALL_RULES, "region growing and local search alone (quick previews)"),
        SolverInfo("exact", _combined(False), _ALL_RULES, "the heuristic's full search, then HiGHS whatever its size"),
        SolverInfo("agglomerative", _baseline("agglomerative"), _SHAPE_ONLY, "scikit-learn Ward clustering (baseline)"),
        SolverInfo("azp", _baseline("azp"), _SHAPE_ONLY, "spopt AZP (baseline)", "spopt"),
        SolverInfo("regionkmeans", _baseline("regionkmeans"), _SHAPE_ONLY, "spopt RegionKMeans (baseline)", "spopt"),
        SolverInfo("skater", _baseline("skater"), _SHAPE_ONLY, "spopt SKATER (baseline)", "spopt"),
        SolverInfo("wardspatial", _baseline("wardspatial"), _SHAPE_ONLY, "spopt WardSpatial (baseline)", "spopt"),
    )
}
"""Every solver by name, the default first."""


def get_solver(name: str) -> SolverInfo:
    """The registered solver called ``name``.

    Raises
    ------
    PartitionError
        When no solver has that name (the fix lists them).
    """
    try:
        return REGISTRY[name]
    except KeyError:
        raise PartitionError(f"unknown solver {name!r}", fix=f"choose one of {', '.join(REGISTRY)}") from None
