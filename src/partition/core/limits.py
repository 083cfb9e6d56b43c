"""How much one run plans: the size guards and the solvers' safety stop, each defined once with its measurement.

Every guard is checked before the work it protects (reading boundaries, building units, planning), so an input
too large for the tool fails in milliseconds with one line naming the file or option, the size, the limit and
the fix, instead of running for many minutes without a word. The limits are set from what the tool was measured
to do on the development machine (2 cores, see ``benchmarks/``):

* the largest English LA has 564 schools (Lancashire; ``benchmarks/ALL_LAS.md``), planned in 12 s;
* the twelve south-east LAs merged (2,452 schools, k = 117) plan in 39 s with ``--solver heuristic``, every
  plan valid; the full search (``auto``, the default) plans about 900 schools a minute and its time grows
  faster than the schools (916 schools 49 s, 1,184 schools 81 s; ``benchmarks/MERGED.md``), so about 6 minutes
  per k at 2,452 schools by that growth;
* 4,752 schools (those twelve LAs and London's 33 boroughs, k = 229; measured 2026-12-07) took 127 s of CPU
  and 2.0 GiB with ``--solver heuristic`` (11 minutes on the machine loaded by other work), and its plan broke
  the pupils bound (8 partnerships up to 1 % over): beyond what one study area plans well.

A message listing many values shows the first few and how many more (:func:`listed`), never all of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from partition.errors import SizeLimitError

MAX_SCHOOLS_PER_STUDY_AREA = 3_000
"""Schools one study area may hold (after the LA, status and kind filters): above the largest merged study area
measured to plan well (2,452 schools, south-east England) and five times the largest LA (564); at 4,752
schools the search no longer meets the rules (module docstring), and 200,000 schools would run for hours."""

MAX_UNITS_PER_STUDY_AREA = 3_000
"""Planning units one study area may hold (polygon units such as LSOAs; units from school sites are never more
than the schools): the solvers' work grows with the units as it does with the schools."""

MAX_K_VALUES_PER_RUN = 25
"""Numbers of partnerships (k values) one run plans: each k is a search of its own (Hampshire's default run
takes about 42 s per k with its two alternatives and ensemble (127 s for 3 k), so 25 k values take about 18 minutes)."""

SAFETY_STOP_SECONDS = 600.0
"""Default wall-clock safety stop (s) of one HiGHS run (the exact model of one k, or of one district in mode
nest). HiGHS's search is bounded by a work budget (nodes, model size, see :mod:`partition.planning.planner`): measured
2026-12-07, models of 2,444, 4,320 and 9,427 columns spent their 50-node budget in 3, 4 and 19 s, and the
2,444-column one took 26 s with the machine at load 15 on its 2 cores (the load at which the earlier 30 s stop
fired). 600 s is over twenty times that, so only a broken or starved solver reaches it, and then the run
stops with a :class:`~partition.errors.SafetyStopError` rather than give a plan that depends on the clock."""

SHOWN_VALUES = 3
"""Values a message lists before saying how many more there are."""


def listed(values: Sequence[object], shown: int = SHOWN_VALUES) -> str:
    """The first ``shown`` values, comma-separated, and how many more: ``"22, 23, 24, … (9,997 more)"``.

    Parameters
    ----------
    values
        The values, in the order to show them.
    shown
        How many to write out.

    Returns
    -------
    str
        All the values when there are at most ``shown``, else the first ``shown`` and the count of the rest.
    """
    head = ", ".join(str(v) for v in values[:shown])
    rest = len(values) - shown
    return f"{head}, … ({rest:,} more)" if rest > 0 else head


def check_schools(count: int, where: str) -> None:
    """Refuse a study area with more than :data:`MAX_SCHOOLS_PER_STUDY_AREA` schools.

    Parameters
    ----------
    count
        Schools in the study area.
    where
        The file and selection they come from, e.g. ``"schools.csv, LA 850"``.

    Raises
    ------
    SizeLimitError
        Naming ``where``, the count, the limit and the fix.
    """
    if count > MAX_SCHOOLS_PER_STUDY_AREA:
        raise SizeLimitError(
            f"{where}: {count:,} schools in one study area, more than the {MAX_SCHOOLS_PER_STUDY_AREA:,} "
            "it can plan in reasonable time (nothing was planned)",
            fix="split the study area: plan fewer LAs per run (--la), or some of its districts (--district)",
        )


def check_units(count: int, where: str) -> None:
    """Refuse a study area with more than :data:`MAX_UNITS_PER_STUDY_AREA` planning units.

    Parameters
    ----------
    count
        Planning units in the study area.
    where
        The unit layer they come from (its file name).

    Raises
    ------
    SizeLimitError
        Naming ``where``, the count, the limit and the fix.
    """
    if count > MAX_UNITS_PER_STUDY_AREA:
        raise SizeLimitError(
            f"{where}: {count:,} planning units in the study area, more than the {MAX_UNITS_PER_STUDY_AREA:,} "
            "it can plan in reasonable time (nothing was planned)",
            fix="use larger units (wards or MSOAs instead of LSOAs, or 'sites'), or split the study area (--district)",
        )


def check_k_values(ks: Sequence[int], where: str = "") -> None:
    """Refuse more than :data:`MAX_K_VALUES_PER_RUN` different k values in one run.

    Parameters
    ----------
    ks
        The k values asked for (a repeated value counts once).
    where
        The option or file they come from, e.g. ``"option --k"``; empty when the caller names it.

    Raises
    ------
    SizeLimitError
        Naming ``where``, how many k values (the first few listed), the limit and the fix.
    """
    distinct = list(dict.fromkeys(ks))
    if len(distinct) > MAX_K_VALUES_PER_RUN:
        prefix = f"{where}: " if where else ""
        raise SizeLimitError(
            f"{prefix}k lists {len(distinct):,} values: {listed(distinct)}; one run plans at most "
            f"{MAX_K_VALUES_PER_RUN} k values",
            fix=f"ask for at most {MAX_K_VALUES_PER_RUN} k values per run and plan the others in further runs",
        )
