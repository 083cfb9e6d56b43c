"""A configuration of partnerships: its schools, polygons, scores and name (written by :func:`partition.runs.outputs.write_plan`)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from partition.core.measures import MEASURES
from partition.model.result import Status
from partition.model.spec import PlanSpec, SizeBound

if TYPE_CHECKING:
    import folium

    from partition.units.prepare import Inputs


@dataclass(frozen=True, eq=False)
class Scores(Mapping[str, Any]):
    """A configuration's scores, built once (see :meth:`from_measures`) and never changed.

    Read like a mapping of the measures (``scores["wdist_km"]``, ``scores.get(...)``, ``dict(scores)``),
    in this order, which is also the order of ``plan.json``; the per-partnership ``table`` is a
    separate attribute, not one of the keys.

    Attributes
    ----------
    k, schools
        Partnerships and schools counted.
    wdist_km
        Pupil-weighted mean distance from each school to its partnership's pupil-weighted centre (km).
    hub_km
        Pupil-weighted mean distance from each school to its partnership's hub school: the anchor school
        (any school when anchors are not required) that minimises it (km; the "hub" objective).
    max_abs_deviation, mean_abs_deviation
        Largest and mean absolute deviation of a partnership's pupils from the mean (fractions: 0.1 = 10 %).
    min_schools, max_schools
        Fewest and most schools in a partnership.
    contiguous
        Every partnership is one connected area of units.
    anchors_missing
        Partnerships without a secondary, all-through school or college.
    cut_edges
        Unit adjacencies between two partnerships.
    district_splits, partnerships_spanning_districts, district_pieces
        Σ over districts of (partnerships it is divided between − 1), as planners count splits;
        partnerships in more than one district; and the
        partnerships of each district (district name -> count).
    violations
        The scorer's list of the rules of the spec broken (the independent check is
        :func:`partition.analysis.rules.spec_problems`).
    mean_polsby_popper, mean_reock
        Mean compactness of the partnership polygons (0-1), or None when not measured.
    table
        One row per partnership (``id``, ``name``, ``schools``, ``pupils``, ``deviation``, ...) without
        geometry; empty when not given.
    """

    k: int = 0
    schools: int = 0
    wdist_km: float = 0.0
    hub_km: float | None = None
    max_abs_deviation: float = 0.0
    mean_abs_deviation: float = 0.0
    min_schools: int = 0
    max_schools: int = 0
    contiguous: bool = True
    anchors_missing: int = 0
    cut_edges: int = 0
    district_splits: int = 0
    partnerships_spanning_districts: int = 0
    district_pieces: Mapping[str, int] = field(default_factory=dict)
    violations: tuple[str, ...] = ()
    mean_polsby_popper: float | None = None
    mean_reock: float | None = None
    table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    @classmethod
    def measure_names(cls) -> tuple[str, ...]:
        """The measure names, in order (every field but ``table``)."""
        return tuple(f.name for f in fields(cls) if f.name != "table")

    @classmethod
    def from_measures(cls, measures: Mapping[str, Any], table: pd.DataFrame | None = None) -> Scores:
        """Scores from :func:`partition.model.scoring.configuration_scores`' dict (its ``"table"`` ignored) and a table.

        Parameters
        ----------
        measures
            ``{measure name: value}`` with names of :meth:`measure_names` (``wdist_km`` in km,
            deviations as fractions ...); a ``"table"`` key is ignored, ``violations`` may be a list.
        table
            One row per partnership, without geometry; an empty frame when not given.

        Returns
        -------
        Scores

        Raises
        ------
        TypeError
            When ``measures`` holds a key that is not a measure.
        """
        values = {key: value for key, value in measures.items() if key != "table"}
        if "violations" in values:
            values["violations"] = tuple(values["violations"])
        return cls(**values, table=table if table is not None else pd.DataFrame())

    def __getitem__(self, key: str) -> Any:
        """The measure called ``key``."""
        if key == "table" or key not in self.measure_names():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        """The measures' names, in order."""
        return iter(self.measure_names())

    def __len__(self) -> int:
        """The number of measures."""
        return len(self.measure_names())


@dataclass(frozen=True, eq=False)
class Plan:
    """One configuration: which partnership every school belongs to, and its figures.

    Attributes
    ----------
    name
        Configuration name, e.g. ``k23-ignore`` (also its output folder).
    k
        Number of partnerships.
    spec
        The specification it was made for.
    assignments
        One row per school: ``URN``, ``name``, ``partnership_id``, ``partnership``,
        ``district``, ``kind``, ``pupils``.
    partnerships
        One row per partnership (EPSG:27700): id, name, figures, dissolved polygon.
    unit_labels
        Partnership index of every planning unit.
    solver, status
        Which solver produced it and whether it meets the spec (:class:`~partition.model.result.Status`
        ``feasible``/``optimal``) or not (``violated``).
    objective
        What the search minimised (km): wdist, or the hub distance under the spec's ``objective = "hub"`` —
        plus the split penalty in mode ``penalise``.
    bound, gap
        Proven bound and gap of the exact model's own objective, when it ran.
    runtime
        Seconds.
    scores
        Configuration scores (:class:`Scores`; any mapping of the same keys is accepted).
    details
        Per-solver reports.
    violations
        The rules of its spec it breaks, set by :func:`partition.analysis.validate.checked` (None before).
    alternative
        Which alternative of its k it is (1, 2, ...; see :func:`partition.planning.planner.alternatives`),
        None for a main plan, the current arrangement or a configuration read from a file.
    members
        One row per college, special school or PRU taking part without counting toward the size bounds
        (:func:`partition.data.members.place_members`: ``URN``, ``name``, ``partnership_id``, ``partnership``,
        ``district``, ``kind``, ``type``, ``pupils``, ``also_serves``, ``easting``, ``northing``); empty when
        there are none.

    Frozen: a changed plan is a new one (``dataclasses.replace``).
    """

    name: str
    k: int
    spec: PlanSpec
    assignments: pd.DataFrame
    partnerships: gpd.GeoDataFrame
    unit_labels: np.ndarray
    solver: str
    status: Status
    objective: float
    bound: float | None = None
    gap: float | None = None
    runtime: float = 0.0
    scores: Mapping[str, Any] = field(default_factory=Scores)
    details: dict[str, Any] = field(default_factory=dict)
    violations: tuple[str, ...] | None = None
    alternative: int | None = None
    members: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def is_alternative(self) -> bool:
        """True for an alternative of a main plan (see :attr:`alternative`)."""
        return self.alternative is not None

    def broken_rules(self) -> list[str]:
        """The rules of its spec the plan breaks, in plain English; empty for a plan that meets them.

        These are the sentences of :func:`partition.analysis.rules.spec_problems` once
        :func:`partition.analysis.validate.check_status` has run (``violations``), else the
        scorer's own list for a plan whose status is ``violated``.
        """
        if self.violations is not None:
            return list(self.violations)
        return [str(v) for v in self.scores.get("violations", [])] if self.status == "violated" else []

    def warning(self, brief: bool = False) -> str:
        """One line to show wherever the plan is shown (map title, legend, pack): empty when it meets its rules.

        Parameters
        ----------
        brief
            Leave out the partnerships each rule names (for a map's title bar): each rule is cut
            at its first ``": "``.

        Returns
        -------
        str
            ``"Does not meet the rules: <rule>; <rule>"`` from :meth:`broken_rules`, or ``""``.
        """
        broken = self.broken_rules()
        if brief:
            broken = [rule.split(": ", 1)[0] for rule in broken]
        return f"Does not meet the rules: {'; '.join(broken)}" if broken else ""

    @property
    def wdist_km(self) -> float:
        """Pupil-weighted mean distance of schools to their partnership's centre (km)."""
        return float(self.scores["wdist_km"])

    def summary(self) -> dict[str, Any]:
        """JSON-serialisable facts about the plan."""
        scores = {k: v for k, v in self.scores.items() if k != "table"}
        return {
            "name": self.name,
            "k": self.k,
            "solver": self.solver,
            "status": self.status,
            "violations": self.broken_rules(),
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "runtime_s": round(self.runtime, 2),
            "scores": scores,
            "spec": self.spec.to_dict(),
            "details": self.details,
        }

    def assignment_table(self) -> pd.DataFrame:
        """Every establishment and its partnership, as ``assignments.csv`` holds them.

        Returns
        -------
        pandas.DataFrame
            The schools (``counted`` = ``"yes"``: their pupils count toward the size bounds) then the members
            (``counted`` = ``"no"``), each by URN: ``URN``, ``name``, ``partnership_id``, ``partnership``,
            ``district``, ``kind``, ``pupils`` (a college's 16-18 students; blank when not known), ``counted``,
            ``also_serves`` (a member's: the other partnerships it is the nearest of its kind to).
        """
        schools = self.assignments.assign(counted="yes", also_serves="")
        if self.members.empty:
            return schools
        columns = list(schools.columns)
        members = self.members.assign(counted="no")[columns]
        table = pd.concat([schools.astype({"pupils": "Int64"}), members.astype({"pupils": "Int64"})], ignore_index=True)
        return table

    def explore(self, inputs: Inputs | None = None, **options: Any) -> folium.Map:
        """The configuration's map, as geopandas' ``explore()`` gives a frame's: show it in a notebook cell.

        Parameters
        ----------
        inputs
            The inputs it was planned from (:func:`partition.units.prepare.prepare`): the full map, with schools,
            districts, members and the need view (:func:`partition.report.maps.configuration_map`). Without them, the
            partnerships alone (``GeoDataFrame.explore``, coloured by name, figures in the tooltip).
        options
            Passed to :func:`partition.report.maps.configuration_map` (``colours``, ``neighbours``, ``basemap``) or,
            without ``inputs``, to ``GeoDataFrame.explore``.

        Returns
        -------
        folium.Map
            Rendered inline by Jupyter; or pass it to :func:`partition.report.notebook.inline_map` for an offline frame.
        """
        if inputs is None:
            shown = self.partnerships.drop(columns=[c for c in ("polsby_popper", "reock") if c in self.partnerships])
            return shown.explore(column="name", legend=False, **options)
        from partition.report.maps import configuration_map

        return configuration_map(self, inputs.schools, inputs.dataset.districts, **options)


DEFAULT_SOLVER = "auto"
"""The solver whose plans carry no solver name in their configuration name."""


def _number(value: float) -> str:
    return f"{value:g}"


def _bound_part(bound: SizeBound) -> str:
    """A size bound that is not the default as a name part: ``tol5``, ``schools-12-35``, ``pop-tol10``."""
    bits = []
    if bound.tolerance is not None and not (bound.attribute == "pupils" and bound.tolerance == SizeBound().tolerance):
        bits.append(f"tol{_number(bound.tolerance * 100)}")
    if bound.min is not None or bound.max is not None:
        low = _number(bound.min) if bound.min is not None else ""
        high = _number(bound.max) if bound.max is not None else ""
        bits.append(f"{low}-{high}")
    if bound.attribute == "pupils" and len(bits) == 1 and bits[0].startswith("tol"):
        return bits[0]
    return "-".join([MEASURES[bound.attribute].token, *bits])


def name_qualifiers(spec: PlanSpec | None, solver: str | None = None) -> list[str]:
    """What sets a configuration apart from the default one, as short name parts.

    The default (pupils ±10 %, anchors on, split penalty 0.05 km, no locks, solver
    ``auto``) gives no part; otherwise e.g. ``tol5`` (pupils ±5 %), ``schools-12-35``,
    ``pop-tol10``, ``nopupils``, ``noanchors``, ``pen0.2``, ``locks``, ``nofed`` (federations ignored), ``trusts``
    (trusts preferred whole; ``trusts0.1`` with a penalty of 0.1 km), ``hub`` (the objective, when not the
    default), ``heuristic``.

    Parameters
    ----------
    spec
        The configuration's specification; None gives the solver's part only.
    solver
        The solver that made it; :data:`DEFAULT_SOLVER` (or None) gives no part.

    Returns
    -------
    list of str
        The parts in order: size bounds, anchors, split penalty (mode ``penalise`` only),
        locks, federations ignored, feeder pairs ignored, trusts preferred, settlements, balance penalty, objective, solver.
    """
    if spec is None:
        return [solver] if solver and solver != DEFAULT_SOLVER else []
    parts = [] if any(b.attribute == "pupils" for b in spec.size) else ["nopupils"]
    parts += [_bound_part(bound) for bound in spec.size if bound != SizeBound()]
    if not spec.anchors:
        parts.append("noanchors")
    if spec.districts == "penalise" and spec.split_penalty_km != PlanSpec().split_penalty_km:
        parts.append(f"pen{_number(spec.split_penalty_km)}")
    if not spec.locks.empty:
        parts.append("locks")
    if spec.federations != PlanSpec().federations:
        parts.append("nofed")
    if spec.feeders != PlanSpec().feeders:
        parts.append("nofeed")
    if spec.trusts == "prefer":
        default = spec.trust_penalty_km == PlanSpec().trust_penalty_km
        parts.append("trusts" if default else f"trusts{_number(spec.trust_penalty_km)}")
    if spec.settlements != PlanSpec().settlements:
        parts.append("nosettle")
    elif spec.settlement_penalty_km != PlanSpec().settlement_penalty_km:
        parts.append(f"settle{_number(spec.settlement_penalty_km)}")
    if spec.balance_penalty_km != PlanSpec().balance_penalty_km:
        parts.append(f"bal{_number(spec.balance_penalty_km)}")
    if spec.objective != PlanSpec().objective:
        parts.append(spec.objective)
    if solver and solver != DEFAULT_SOLVER:
        parts.append(solver)
    return parts


def configuration_name(
    k: int, districts: str, suffix: str = "", *, spec: PlanSpec | None = None, solver: str | None = None
) -> str:
    """Folder-safe configuration name: ``k23-ignore``, or ``k23-ignore-tol5-heuristic-alt1``.

    Parameters
    ----------
    k, districts
        Number of partnerships and district mode.
    suffix
        Appended last (``alt1`` for an alternative).
    spec, solver
        When given, what differs from the default spec and solver is part of the
        name (see :func:`name_qualifiers`), so that configurations that differ
        never share a name (or a folder).
    """
    name = "-".join([f"k{k}", districts, *name_qualifiers(spec, solver), *([suffix] if suffix else [])])
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name)


def qualify_name(plan: Plan, solver: str | None = None) -> str:
    """``plan``'s name with what sets its spec and solver apart from the defaults (see :func:`configuration_name`).

    ``k23-ignore-alt1`` made with pupils ±5 % by the heuristic becomes
    ``k23-ignore-tol5-heuristic-alt1``; a name not made by the planner is kept.

    Parameters
    ----------
    plan
        A configuration named ``k<k>-<districts>`` or ``k<k>-<districts>-<suffix>``.
    solver
        The solver to name (:data:`DEFAULT_SOLVER` or None: none).

    Returns
    -------
    str
        The qualified, folder-safe name; ``plan.name`` unchanged when it does not start with
        ``k<k>-<districts>``.
    """
    base = configuration_name(plan.k, plan.spec.districts)
    if plan.name != base and not plan.name.startswith(base + "-"):
        return plan.name
    suffix = plan.name[len(base) + 1 :]
    return configuration_name(plan.k, plan.spec.districts, suffix, spec=plan.spec, solver=solver)
