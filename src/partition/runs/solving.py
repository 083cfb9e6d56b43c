"""Every configuration of a run: the main plan, its alternatives and the district family for each k."""

from __future__ import annotations

import dataclasses
import time
import warnings
from typing import TYPE_CHECKING, Any

import pandas as pd

from partition.core.limits import SHOWN_VALUES, listed
from partition.data.naming import NameOverrides
from partition.errors import InfeasibleError, PartitionError
from partition.model.plan import Plan, qualify_name
from partition.model.spec import PlanSpec
from partition.runs.options import SolverOptions
from partition.units.prepare import Inputs
from partition.warnings import DataWarning

if TYPE_CHECKING:
    pass


def solve_configurations(
    inputs: Inputs,
    spec: PlanSpec,
    solver: dict[str, Any],
    *,
    timings: dict[str, float] | None = None,
    names: NameOverrides | None = None,
    start: pd.Series | None = None,
) -> list[Plan]:
    """Plan every k of ``spec`` (with its alternatives), name and check each configuration; write nothing.

    Each plan is named after what sets it apart (see :func:`partition.model.plan.qualify_name`)
    and checked by :func:`partition.analysis.validate.check_status`, which records the rules it
    breaks in ``plan.violations``. Its partnerships are named after their places; a
    partnership that is the same as one of an earlier configuration of the run (the first
    k's main plan first) keeps that one's name, and the scenario's ``[names]`` overrides win
    (see :mod:`partition.data.naming`).

    Parameters
    ----------
    inputs, spec
        What to plan and the rules.
    solver
        ``name``, ``time_limit``, ``alternatives``, ``min_difference``, ``within`` (the ``[solver]`` table).
    timings
        Filled with seconds per k, when given.
    names
        The scenario's ``[names]`` table, when given.
    start
        A configuration (URN → partnership name) to seed the solver with (see :func:`with_edits`).

    Returns
    -------
    list of Plan
        Best first for each k.

    Raises
    ------
    InfeasibleError
        When any k cannot be planned (the first few such k named, with the count of the others), so that
        a run never publishes some of its configurations without the others; a k above the planning units
        before anything is planned.
    SafetyStopError
        When a solver's safety stop fires before its work budget is spent (see :mod:`partition.planning.planner`).
    PartitionError
        When two configurations would share a name.
    SpecError
        When ``names`` gives a URN that is not loaded, or one name to two partnerships, or
        renames a name that no configuration has.
    IntegrityError
        When a plan's status disagrees with the independent check of its rules.
    """
    from partition.planning.planner import alternatives, make_plan, with_alternatives

    options = SolverOptions.model_validate(dict(solver))  # the keys given, the defaults for the rest
    name = options.name
    plans: list[Plan] = []
    failures: list[InfeasibleError] = []
    if names is not None:
        names.check_urns(set(inputs.schools["URN"].astype(int)))
    _check_k_fits(spec, inputs)
    for k in spec.k:
        t = time.perf_counter()
        try:
            main = make_plan(
                inputs,
                spec,
                k,
                solver=name,
                time_limit=options.time_limit,
                earlier=tuple(plans),
                names=names,
                start=start,
            )
            batch = [main]
            if options.alternatives:
                alts = alternatives(
                    inputs,
                    spec,
                    k,
                    n=options.alternatives,
                    min_difference=options.min_difference,
                    within=options.within,
                    reference=batch[0],
                    earlier=(main, *plans),
                    names=names,
                )
                batch = with_alternatives(batch[0], alts)
        except InfeasibleError as exc:
            failures.append(exc)
            continue
        if timings is not None:
            timings[f"k{k}"] = round(time.perf_counter() - t, 2)
        plans.extend(batch)
    if options.within_districts and spec.districts != "nest" and not failures:
        plans += _within_districts(inputs, spec, options, plans, names, timings)
    if failures:
        more = len(failures) - SHOWN_VALUES
        raise InfeasibleError(
            "; ".join(exc.message for exc in failures[:SHOWN_VALUES])
            + (f"; and {more} more k value(s) cannot be planned" if more > 0 else "")
            + " (nothing was written)",
            fix=next((exc.fix for exc in failures if exc.fix), None),
        )
    if names is not None:
        names.check_renames({str(n) for p in plans for n in p.partnerships["name"]})
    plans = [dataclasses.replace(plan, name=qualify_name(plan, name)) for plan in plans]
    clash = sorted({p.name for p in plans if [q.name for q in plans].count(p.name) > 1})
    if clash:
        raise PartitionError(
            f"two configurations of this run would share the name {', '.join(clash)}",
            fix="report it: this is a fault of partition",
        )
    return plans  # each checked once, by make_plan (a name qualifier changes no rule)


def _within_districts(
    inputs: Inputs,
    spec: PlanSpec,
    options: SolverOptions,
    earlier: list[Plan],
    names: NameOverrides | None,
    timings: dict[str, float] | None,
) -> list[Plan]:
    """The district family, for comparison with the balanced configurations: for each k of ``spec``, one
    configuration with every partnership inside one district at the smallest pupil tolerance that allows it
    (:func:`partition.planning.nesting.within_districts_spec`), then one in between (:func:`partition.planning.nesting.in_between_spec`:
    half-way tolerance, crossing a district boundary penalised).

    A k for which there is none, or whose search finds none, is reported by a :class:`DataWarning` naming why;
    the balanced configurations are published either way.
    """
    from partition.planning.nesting import in_between_spec, within_districts_spec
    from partition.planning.planner import make_plan

    out: list[Plan] = []
    for k in spec.k:
        t = time.perf_counter()
        nested, why = within_districts_spec(inputs.units, spec, k)
        if nested is None:
            warnings.warn(f"no configuration within districts at k = {k}: {why}", DataWarning, stacklevel=2)
            continue
        for family in (nested, in_between_spec(nested, spec)):
            try:
                plan = make_plan(
                    inputs,
                    family,
                    k,
                    solver=options.name,
                    time_limit=options.time_limit,
                    earlier=tuple(earlier + out),
                    names=names,
                )
            except InfeasibleError as exc:
                what = "within districts" if family.districts == "nest" else "in between"
                warnings.warn(f"no configuration {what} at k = {k}: {exc.message}", DataWarning, stacklevel=2)
                continue
            family_name = "within districts" if family.districts == "nest" else "mostly within districts"
            out.append(dataclasses.replace(plan, details={**plan.details, "family": family_name}))
        if timings is not None:
            timings[f"k{k}_districts_family"] = round(time.perf_counter() - t, 2)
    return out


def _check_k_fits(spec: PlanSpec, inputs: Inputs) -> None:
    """Refuse, before any k is planned, the k values above the study area's planning units: no plan has more
    partnerships than units (:func:`partition.solvers.problem.quick_feasibility` checks each k's blocks and anchors
    exactly, once its problem is built).

    Parameters
    ----------
    spec
        The k values asked for.
    inputs
        The study area's planning units.

    Raises
    ------
    InfeasibleError
        Naming those k values (the first few, see :func:`partition.core.limits.listed`) and the units.
    """
    units = len(inputs.units)
    over = [k for k in spec.k if k > units]
    if over:
        raise InfeasibleError(
            f"k = {listed(over)} partnerships but only {units:,} planning units (nothing was planned)",
            fix=f"choose k ≤ {units}",
        )
