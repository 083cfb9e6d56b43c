"""From units, graph and spec to one :class:`~partition.model.plan.Plan` per k.

The solver is chosen by name from :data:`partition.solvers.registry.REGISTRY` (``"auto"`` by default: the
heuristic's full search, then the HiGHS model warm-started from it, see :mod:`partition.solvers.auto`); every
solver takes the same :class:`~partition.solvers.problem.Problem` and returns a
:class:`~partition.model.result.SolverResult`, scored here the same way, violations included.

In mode ``nest`` each district is solved on its own with its apportioned
share of k (see :mod:`partition.planning.nesting`).

Reproducibility
---------------
The configuration is a function of the inputs, the spec and its seed only (see :mod:`partition.solvers.auto`
for the work budgets that make the model's part machine-independent).
"""

from __future__ import annotations

import dataclasses
import time
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from partition.analysis.settlements import settlement_details
from partition.analysis.validate import checked, verify_plan
from partition.core.coverage import dissolve_units
from partition.core.limits import SAFETY_STOP_SECONDS
from partition.core.measures import summed
from partition.data.members import counts_by_partnership, place_members
from partition.data.naming import NameOverrides, inherit_names, partnership_names
from partition.data.need import need_records, need_sources, partnership_need
from partition.errors import InfeasibleError
from partition.model.headroom import headroom, headroom_column
from partition.model.plan import Plan, Scores, configuration_name
from partition.model.result import MEETS_RULES, SolverResult, Status
from partition.model.scoring import add_shape_scores, configuration_scores
from partition.model.spec import PlanSpec
from partition.planning.nesting import apportion, district_pieces, district_totals
from partition.solvers.problem import Problem, build_problem
from partition.solvers.registry import SolveOptions, get_solver
from partition.units.prepare import Inputs
from partition.warnings import DataWarning


def start_labels(problem: Problem, schools: pd.DataFrame, start: pd.Series) -> np.ndarray | None:
    """Block labels of a given configuration (URN → partnership name) on ``problem``'s blocks.

    Each block takes the partnership of most of its pupils; a block without schools that of a neighbour.

    Parameters
    ----------
    problem
        The problem (its blocks).
    schools
        Schools with ``URN``, ``unit`` and ``pupils``.
    start
        URN → partnership name, covering every school of the problem.

    Returns
    -------
    numpy.ndarray or None
        Labels 0 .. k − 1 (partnerships in name order), or None when the configuration has not ``problem.k``
        partnerships over the problem's blocks (a district of mode nest given another count).
    """
    block_of_unit = {int(u): b for b, members in enumerate(problem.blocks) for u in members}
    frame = pd.DataFrame(
        {
            "block": schools["unit"].astype(int).map(block_of_unit),
            "p": schools["URN"].astype(int).map(start),
            "w": schools["pupils"].to_numpy(dtype=float) + 1e-6,
        }
    ).dropna()
    weights = (
        frame.groupby(["block", "p"])["w"].sum().reset_index().sort_values(["block", "w"], ascending=[True, False])
    )
    major = weights.drop_duplicates("block").set_index("block")["p"]
    names = sorted(major.unique())
    if len(names) != problem.k:
        return None
    code = {n: i for i, n in enumerate(names)}
    labels = np.full(problem.n, -1, dtype=int)
    labels[major.index.to_numpy(dtype=int)] = major.map(code).to_numpy()
    for _ in range(problem.n):  # blocks without schools: a labelled neighbour's partnership
        missing = np.flatnonzero(labels < 0)
        if not len(missing):
            break
        for b in missing:
            near = [labels[v] for v in problem.neighbours[b] if labels[v] >= 0]
            if near:
                labels[b] = min(near)
    labels[labels < 0] = 0
    return labels


def _solve_problem(
    problem: Problem,
    solver: str,
    time_limit: float,
    random_state: int | None,
    heuristic_options: dict,
) -> SolverResult:
    """Solve one problem with the registered solver of that name."""
    options = SolveOptions(time_limit=time_limit, random_state=random_state, heuristic=heuristic_options)
    return get_solver(solver).solve(problem, options)


def _with_start(options: dict, problem: Problem, schools: pd.DataFrame, start: pd.Series | None) -> dict:
    """The heuristic's options with ``start`` (see :func:`start_labels`) when a starting configuration is given."""
    if start is None:
        return options
    labels = start_labels(problem, schools, start)
    return options if labels is None else {**options, "initial": labels}


def _nested_bound(results: list[SolverResult], pupils: list[float]) -> float | None:
    """Mode nest: the county's bound (km) from each district's (a bound on the mean over its own pupils), the
    pupil-weighted mean; None unless every district has one.
    """
    if not results or any(r.bound is None for r in results) or sum(pupils) <= 0:
        return None
    return float(sum(r.bound * w for r, w in zip(results, pupils)) / sum(pupils))


def make_plan(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    inputs: Inputs,
    spec: PlanSpec,
    k: int,
    *,
    solver: str = "auto",
    time_limit: float = SAFETY_STOP_SECONDS,
    heuristic_options: dict | None = None,
    earlier: tuple[Plan, ...] = (),
    names: NameOverrides | None = None,
    start: pd.Series | None = None,
) -> Plan:
    """Plan ``k`` partnerships under ``spec``.

    ``start`` (URN → partnership name, every school) seeds the heuristic with a given configuration (e.g. a
    planner's edited plan, ``partition plan --start-from``) instead of its first construction; the exact model is
    warm-started from the heuristic's result as always. In mode nest a district whose schools the given
    configuration divides into another number of partnerships than apportioned is constructed as usual.

    Partnerships are named by :func:`partition.data.naming.partnership_names`: a partnership that is
    the same as one of ``start`` or of an ``earlier`` plan (a majority of each one's pupils shared) keeps
    its name (``start``'s first, whatever it says: a planner's rename survives the re-plan);
    ``names`` are the scenario's ``[names]`` overrides.

    Parameters
    ----------
    inputs
        Schools, units (EPSG:27700) and their adjacency graph, from :func:`partition.units.prepare.prepare`.
    spec
        The specification: size bounds, anchors, district mode, locks, seed, objective.
    k
        Partnerships to plan. In mode ``nest`` they are apportioned among the districts
        and each district is planned on its own.
    solver
        ``"auto"`` (heuristic, then the exact model within its size limits), ``"exact"``,
        ``"heuristic"``, or a baseline (``"agglomerative"``, ``"azp"``, ``"regionkmeans"``,
        ``"skater"``, ``"wardspatial"``).
    time_limit
        Safety stop (s) of each HiGHS run (one per k, one per district in mode ``nest``); when it fires the
        plan is refused (:class:`~partition.errors.SafetyStopError`), never replaced by another.
    heuristic_options
        Keyword arguments for :func:`partition.solvers.heuristic.solve_heuristic`
        (``iterations``, ``restarts`` ...).
    earlier
        Plans already made in this run, whose partnership names are kept for the same partnerships.
    names
        The scenario's ``[names]`` overrides.

    Returns
    -------
    Plan
        Named ``k<k>-<districts>``, checked by :func:`partition.analysis.validate.verify_plan` and
        :func:`partition.analysis.validate.checked` (its ``violations`` recorded; status ``violated``
        when it breaks a rule).

    Raises
    ------
    InfeasibleError
        When no configuration can meet ``spec`` (the message says why).
    SpecError
        When a lock names an unknown school or cannot hold (see :func:`partition.solvers.problem.build_problem`).
    IntegrityError
        When the configuration made fails an independent check of :mod:`partition.analysis.validate`
        (a school lost or placed twice, a connected partnership drawn as several polygons,
        overlapping partnerships): a fault of the tool, refused rather than written.
    SafetyStopError
        When HiGHS's safety stop ``time_limit`` fires before its work budget is spent.
    """
    began = time.perf_counter()
    heuristic_options = heuristic_options or {}
    units, graph, schools = inputs.units, inputs.graph, inputs.schools
    unit_labels = np.full(len(units), -1, dtype=int)
    names_fixed: dict[int, str] = {}
    results: list[SolverResult] = []
    if spec.districts == "nest":
        totals, anchors = district_totals(units)
        counts = apportion(totals, anchors, spec, k, district_pieces(units, graph, schools))
        county = {a: float(units[a].sum()) for a in summed(units.columns)}
        offset = 0
        district_pupils: list[float] = []
        for d in sorted(counts):
            subset = np.flatnonzero(units["district"].to_numpy() == d)
            problem = build_problem(units, graph, schools, spec, counts[d], subset=subset, totals=county, k_total=k)
            res = _solve_problem(
                problem,
                solver,
                time_limit,
                spec.random_state,
                _with_start(heuristic_options, problem, schools, start),
            )
            labels = problem.unit_labels(res.labels)
            unit_labels[subset] = labels[subset] + offset
            names_fixed.update({offset + int(res.labels[b]): n for b, n in problem.names.items()})
            offset += counts[d]
            results.append(res)
            district_pupils.append(problem.total_pupils)
        status = Status.FEASIBLE if all(r.status in MEETS_RULES for r in results) else Status.VIOLATED
        objective = None
        # each district's bound is on its own pupils' mean: the county's is their pupil-weighted mean
        bound = _nested_bound(results, district_pupils)
        solver_name = results[0].solver
        details = {"apportionment": counts, "districts": {d: r.details for d, r in zip(sorted(counts), results)}}
    else:
        problem = build_problem(units, graph, schools, spec, k)
        options = _with_start(heuristic_options, problem, schools, start)
        res = _solve_problem(problem, solver, time_limit, spec.random_state, options)
        unit_labels = problem.unit_labels(res.labels)
        names_fixed = {int(res.labels[b]): n for b, n in problem.names.items()}
        status, objective, bound, solver_name = res.status, res.objective, res.bound, res.solver
        details = res.details
        results = [res]
    solved = Solved(
        unit_labels, solver_name, status, objective, bound, results, details, time.perf_counter() - began, names_fixed
    )
    plan = _finish(inputs, spec, k, solved, NameSources(earlier=earlier, overrides=names, start=start))
    # independent of the solver's bookkeeping: refuse a faulty plan before anything is written
    verify_plan(plan, inputs)
    return checked(plan, inputs)  # its status agrees with the rules recomputed from the assignment; violations recorded


@dataclasses.dataclass(frozen=True)
class Solved:
    """What the solver gave for one k, before the plan is named, scored and drawn.

    Attributes
    ----------
    unit_labels
        Partnership index of each unit.
    solver, status, objective, bound
        As the solver reports them (see :class:`~partition.model.result.SolverResult`).
    results
        The solver's results (one per district in mode nest).
    details
        What the solver reports besides.
    runtime
        Seconds.
    names_fixed
        Names pinned by the spec's locks, by partnership index.
    school_labels
        Partnership index of each school, when not that of its unit (a configuration read from a file).
    """

    unit_labels: np.ndarray
    solver: str
    status: str
    objective: float | None = None
    bound: float | None = None
    results: list[SolverResult] = dataclasses.field(default_factory=list)
    details: dict = dataclasses.field(default_factory=dict)
    runtime: float = 0.0
    names_fixed: dict[int, str] = dataclasses.field(default_factory=dict)
    school_labels: np.ndarray | None = None


@dataclasses.dataclass(frozen=True)
class NameSources:
    """Where a plan's partnership names come from.

    Attributes
    ----------
    given
        The names, by partnership index (a configuration read from a file): used as they are.
    name
        The configuration's own name (default: from k and the districts mode).
    earlier
        Configurations of the same run whose names are inherited where the schools match.
    overrides
        The planner's ``[names]``.
    start
        A starting configuration (URN → name) whose names are kept where the schools match.
    """

    given: dict[int, str] | None = None
    name: str | None = None
    earlier: tuple[Plan, ...] = ()
    overrides: NameOverrides | None = None
    start: pd.Series | None = None


def _finish(inputs: Inputs, spec: PlanSpec, k: int, solved: Solved, naming_from: NameSources) -> Plan:
    """Name, score and draw what the solver gave: the :class:`Plan`."""
    unit_labels, school_labels, status = solved.unit_labels, solved.school_labels, solved.status
    objective, bound, details = solved.objective, solved.bound, solved.details
    given_names, earlier, overrides, start = (
        naming_from.given,
        naming_from.earlier,
        naming_from.overrides,
        naming_from.start,
    )
    schools = inputs.schools
    if school_labels is None:
        school_labels = unit_labels[schools["unit"].to_numpy()]
    if given_names:
        names = given_names
    else:
        naming = partnership_names(
            schools,
            school_labels,
            solved.names_fixed,
            inherited=inherit_names(schools, school_labels, earlier),
            kept=inherit_names(schools, school_labels, (start,)) if start is not None else None,
            overrides=overrides,
        )
        names = naming.names
        if naming.notes:
            details = {**details, "naming": naming.notes}
    details = {**details, **group_details(spec, schools, school_labels)}
    order = sorted(names, key=lambda lab: names[lab])
    pid = {lab: f"P{i + 1:02d}" for i, lab in enumerate(order)}
    scores = configuration_scores(
        schools, unit_labels, inputs.graph, spec, k, inputs.units, school_labels=school_labels
    )
    if scores["violations"]:
        status = Status.VIOLATED
    elif status == Status.UNCHECKED:
        status = Status.FEASIBLE
    assignments = (
        pd.DataFrame(
            {
                "URN": schools["URN"].to_numpy(),
                "name": schools["name"].to_numpy(),
                "partnership_id": [pid[lab] for lab in school_labels],
                "partnership": [names[lab] for lab in school_labels],
                "district": schools["district"].to_numpy(),
                "kind": schools["kind"].to_numpy(),
                "pupils": schools["pupils"].to_numpy(),
            }
        )
        .sort_values("URN", kind="stable")
        .reset_index(drop=True)
    )
    members = place_members(inputs.members, unit_labels, pid, names, schools, school_labels)
    table = scores["table"].copy()
    table["id"] = table["partnership"].map(pid)
    table["name"] = table["partnership"].map(names)
    pupil_bound = next((b for b in spec.size if b.attribute == "pupils"), None)
    high = pupil_bound.limits(float(schools["pupils"].sum()), k)[1] if pupil_bound is not None else None
    details = {**details, "settlements": settlement_details(schools, np.asarray(school_labels), high)}
    room = headroom(schools["pupils"].to_numpy(), np.asarray(school_labels), spec, k, spec.random_state)
    if room is not None:
        table["headroom_pct"] = headroom_column(table, room, table["partnership"])
        details = {**details, "headroom": room.as_dict()}
    in_each = counts_by_partnership(members, list(table["id"]))
    table["colleges"] = table["colleges"].to_numpy() + in_each["college"].to_numpy()
    table["special_schools"] = in_each["special"].to_numpy() + in_each["pru"].to_numpy()
    columns = [
        "id",
        "name",
        "schools",
        "pupils",
        "deviation",
        "headroom_pct",
        "anchors",
        "secondary",
        "all_through",
        "colleges",
        "special_schools",
        "districts",
        "n_districts",
        "wdist_km",
        "area_km2",
        "polsby_popper",
        "reock",
        "geometry",
    ]
    need = partnership_need(schools, np.asarray(school_labels), inputs.units, np.asarray(unit_labels))
    for measure in need.columns:  # need profile (partition.data.need): FSM pupils, children, low-income families
        table[measure] = table["partnership"].map(need[measure])
    columns[4:4] = list(need.columns)
    details = {
        **details,
        "need": need_sources(
            inputs.need,
            int(need["fsm"].sum()),
            need.attrs["fsm_pct"],
            tuple(m for m in ("population", "low_income") if m not in inputs.units),
            tuple(schools.loc[schools["fsm_share"].isna(), "name"].astype(str)) if "fsm_share" in schools else (),
        ),
    }
    details["need"]["partnerships"] = need_records(table, list(need.columns))
    polys = _dissolve(inputs, unit_labels)
    partnerships = polys.join(table.set_index("partnership"), how="inner").reset_index(drop=True)
    add_shape_scores(partnerships, scores)
    partnerships = partnerships[[c for c in columns if c in partnerships.columns]]
    partnerships = partnerships.sort_values("id").reset_index(drop=True)
    if spec.objective == "hub":
        objective = scores["hub_km"]  # the bound is on this measure (over the whole plan, in mode nest too)
    elif objective is None:
        objective = scores["wdist_km"]
    if spec.objective != "hub":
        bound = None  # nothing proven bounds wdist
    gap = (
        max((objective - bound) / objective, 0.0)
        if bound is not None and status in MEETS_RULES and objective > 0
        else None
    )
    return Plan(
        name=naming_from.name or configuration_name(k, spec.districts),
        k=k,
        spec=spec,
        assignments=assignments,
        partnerships=partnerships,
        unit_labels=unit_labels,
        solver=solved.solver,
        status=Status(status),
        objective=float(objective),
        bound=bound,
        gap=gap,
        runtime=solved.runtime,
        scores=Scores.from_measures(scores, partnerships.drop(columns="geometry")),
        details=details,
        members=members,
    )


def group_details(spec: PlanSpec, schools: pd.DataFrame, school_labels: np.ndarray) -> dict[str, dict]:
    """What a plan reports of the federations and academy trusts of its schools (none when the data has none).

    Parameters
    ----------
    spec
        Its ``federations`` and ``trusts`` modes.
    schools
        The loaded schools (``URN``, ``name``, ``federation``, ``trust``).
    school_labels
        Partnership of each school (row order of ``schools``).

    Returns
    -------
    dict
        ``{"federations": {"mode", "count", "kept_together", "split", "groups"}}`` when the schools hold a
        federation of two or more schools, and ``{"trusts": {"mode", "count", "split", "splits"}}`` likewise for
        trusts: names of the groups kept in one partnership and of those split, from the assignment alone;
        ``splits`` counts the pieces beyond the first (as district splits); ``{"feeder_pairs": {"mode", "count",
        "kept_together", "split"}}`` for the infant-junior (first-middle) pairs of :mod:`partition.data.feeders`.
    """
    from partition.data.federations import federations, split_groups, trust_splits, trusts
    from partition.data.feeders import feeder_groups

    partnership_of = dict(zip(schools["URN"].astype(int), np.asarray(school_labels).tolist()))
    out: dict[str, dict] = {}
    feds = federations(schools)
    if feds:
        split = split_groups(feds, partnership_of)
        out["federations"] = {
            "mode": spec.federations,
            "count": len(feds),
            "kept_together": [g.name for g in feds if g not in split],
            "split": [g.name for g in split],
            "groups": [g.as_dict() for g in feds],
        }
    pairs = feeder_groups(schools)
    if pairs:
        split = split_groups(pairs, partnership_of)
        out["feeder_pairs"] = {
            "mode": spec.feeders,  # "together": kept by a lock; "ignore": reported only
            "count": len(pairs),
            "kept_together": len(pairs) - len(split),
            "split": [g.name for g in split],
        }
    groups = trusts(schools)
    if groups:
        out["trusts"] = {
            "mode": spec.trusts,  # "ignore": reported only; "prefer": a penalty per split in the objective
            "count": len(groups),
            "split": [g.name for g in split_groups(groups, partnership_of)],
            "splits": trust_splits(groups, partnership_of),
        }
    return out


def plan_from_assignment(
    inputs: Inputs,
    labels_by_urn: pd.Series,
    spec: PlanSpec | None = None,
    *,
    name: str = "given",
    source: str = "assignment",
) -> Plan:
    """Score an existing or hand-edited configuration given as URN → partnership name.

    Schools missing from the assignment are an error naming them; URNs that are
    not among the loaded schools are reported in ``details["unknown_urns"]``.
    A unit whose schools sit in different partnerships takes the partnership of
    most of its pupils (and the split is reported as a violation).

    Parameters
    ----------
    inputs
        The schools, units and graph the configuration is scored on.
    labels_by_urn
        Partnership name indexed by URN (e.g. from :func:`partition.data.configurations.read_assignment_csv`).
    spec
        The rules it is scored against; by default the default spec with ``k`` the number
        of partnership names.
    name
        The configuration's name (its output folder).
    source
        Where the assignment came from: named in messages and recorded as the plan's ``solver``.

    Returns
    -------
    Plan
        Status ``feasible`` or ``violated`` by the scorer's check (not yet
        :func:`partition.analysis.validate.checked`); partnerships numbered ``P01``... in name order.

    Raises
    ------
    InfeasibleError
        When some loaded school has no partnership (naming up to 20 URNs).

    Warns
    -----
    DataWarning
        When URNs of the assignment are not among the loaded schools (they are left out of
        the scores and listed).
    """
    schools = inputs.schools
    labels_by_urn = labels_by_urn.copy()
    labels_by_urn.index = labels_by_urn.index.astype(int)
    missing = sorted(set(schools["URN"].astype(int)) - set(labels_by_urn.index))
    unknown = sorted(set(labels_by_urn.index) - set(schools["URN"].astype(int)))
    if missing:
        typos = (
            f"; it has URN(s) that are not loaded schools, a typo for one of these?: {', '.join(map(str, unknown[:20]))}"
            if unknown
            else ""
        )
        raise InfeasibleError(
            f"{source}: {len(missing)} loaded school(s) have no partnership: URN {', '.join(map(str, missing[:20]))}"
            + (" ..." if len(missing) > 20 else "")
            + typos,
            fix="add a row for each school (URN, partnership) or load the same schools the plan was made for",
        )
    if unknown:
        # not scored (they would count phantom partnerships and shift every bound), but never silently
        warnings.warn(
            DataWarning(
                f"{source}: {len(unknown)} URN(s) are not among the loaded schools (closed, excluded, another LA "
                f"or a typo) and are left out of the scores: URN {', '.join(map(str, unknown[:20]))}"
                + (" ..." if len(unknown) > 20 else "")
            ),
            stacklevel=2,
        )
        labels_by_urn = labels_by_urn.drop(unknown)
    names_list = sorted(labels_by_urn.astype(str).unique())
    code = {n: i for i, n in enumerate(names_list)}
    school_labels = schools["URN"].astype(int).map(labels_by_urn.astype(str)).map(code).to_numpy()
    weights = pd.DataFrame(
        {"unit": schools["unit"].to_numpy(), "label": school_labels, "w": schools["pupils"].to_numpy() + 1e-6}
    )
    major = (
        weights.groupby(["unit", "label"])["w"]
        .sum()
        .reset_index()
        .sort_values(["unit", "w"], ascending=[True, False])
        .drop_duplicates("unit")
    )
    unit_labels = np.full(len(inputs.units), -1, dtype=int)
    unit_labels[major["unit"].to_numpy()] = major["label"].to_numpy()
    if (unit_labels < 0).any():  # units without schools (polygon units): nearest labelled neighbour
        for u in np.flatnonzero(unit_labels < 0):
            near = [unit_labels[v] for v in inputs.graph[u] if unit_labels[v] >= 0]
            unit_labels[u] = near[0] if near else 0
    spec = spec or PlanSpec(k=(len(names_list),))
    k = len(names_list)
    solved = Solved(
        unit_labels, source, Status.UNCHECKED, details={"unknown_urns": unknown}, school_labels=school_labels
    )
    return _finish(inputs, spec, k, solved, NameSources(given={i: n for n, i in code.items()}, name=name))


def district_plan(inputs: Inputs, spec: PlanSpec | None = None) -> Plan:
    """The current arrangement: one partnership per district.

    Parameters
    ----------
    inputs
        The schools (their ``district`` column: the local authority district each lies in,
        from the boundaries file) and units.
    spec
        Rules to score it against (its ``k`` is replaced by the number of districts);
        by default the default spec.

    Returns
    -------
    Plan
        Named ``districts-<k>``, ``solver`` ``"districts"``, each partnership named after its
        district (see :func:`plan_from_assignment`).
    """
    labels = pd.Series(inputs.schools["district"].to_numpy(), index=inputs.schools["URN"].astype(int))
    k = labels.nunique()
    spec = spec or PlanSpec(k=(k,))
    return plan_from_assignment(
        inputs, labels, PlanSpec(**{**spec.to_dict_shallow(), "k": (k,)}), name=f"districts-{k}", source="districts"
    )


def _dissolve(inputs: Inputs, unit_labels: np.ndarray) -> gpd.GeoDataFrame:
    """One polygon per partnership. Units joined only by an island link (e.g. a bridge to an
    island) are connected by a 50 m wide strip along the shortest line between them, so the
    partnership is drawn as the one area it is.
    """
    units = inputs.units
    polys = gpd.GeoDataFrame(
        geometry=dissolve_units(units.geometry.to_numpy(), unit_labels),
        index=pd.Index(np.unique(unit_labels), name="label"),
        crs=units.crs,
    )
    for i, j, _ in inputs.graph.graph.get("bridges", []):
        if unit_labels[i] != unit_labels[j]:
            continue
        a, b = units.geometry.iloc[i], units.geometry.iloc[j]
        link = shapely.shortest_line(a, b).buffer(25)
        lab = unit_labels[i]
        polys.loc[lab, "geometry"] = shapely.union_all([polys.loc[lab, "geometry"], link])
    return polys


def alternatives(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    inputs: Inputs,
    spec: PlanSpec,
    k: int,
    *,
    n: int = 3,
    min_difference: int = 25,
    within: float = 0.05,
    candidates: int | None = None,
    heuristic_options: dict | None = None,
    reference: Plan | None = None,
    earlier: tuple[Plan, ...] = (),
    names: NameOverrides | None = None,
) -> list[Plan]:
    """Up to ``n`` diverse near-optimal configurations for one k.

    The heuristic runs from ``candidates`` seeds (default 4 n); configurations
    within ``within`` (5 %) of the best wdist are taken best first, each kept
    only if at least ``min_difference`` schools (25, about 5 % of Hampshire's)
    sit in a different partnership than in every configuration already kept
    (after matching partnerships) and than in ``reference`` (the main plan,
    whose wdist also counts as a candidate for "best"). They are named
    ``k23-ignore-alt1`` ...; their partnerships take the names of the same
    partnerships in the ``earlier`` plans (see :func:`make_plan`). An alternative never replaces the main plan (see
    :func:`with_alternatives`): the main plan is the same whatever ``n``.

    Parameters
    ----------
    inputs
        The schools, units and graph.
    spec
        The specification; each candidate uses it with seed ``spec.random_state + 1000 + i``.
    k
        Partnerships.
    n
        Most alternatives returned.
    min_difference
        Fewest schools (count) an alternative must place differently from each configuration kept.
    within
        Largest excess of an alternative's objective (km) over the best, as a fraction.
    candidates
        Heuristic runs to choose from (default ``4 * n``).
    heuristic_options
        Keyword arguments for the heuristic (see :func:`make_plan`).
    reference
        The main plan: alternatives must differ from it too.
    earlier, names
        As in :func:`make_plan`.

    Returns
    -------
    list of Plan
        Best first, ``alternative`` set to 1, 2 ...; fewer than ``n`` (possibly none) when
        not enough feasible candidates are near enough and different enough.

    Raises
    ------
    InfeasibleError, SpecError, IntegrityError
        As :func:`make_plan`, from any candidate run.
    """
    from partition.analysis.agreement import changed_schools

    seeds = range(candidates or 4 * n)
    base = spec.random_state or 0
    pool = []
    for s in seeds:
        plan = make_plan(
            inputs,
            PlanSpec(**{**spec.to_dict_shallow(), "random_state": base + 1000 + s}),
            k,
            solver="heuristic",
            heuristic_options=heuristic_options,
            earlier=earlier,
            names=names,
        )
        if plan.status == Status.FEASIBLE:
            pool.append(plan)
    if not pool:
        return []
    pool.sort(key=lambda p: p.objective)
    best = min(pool[0].objective, reference.objective if reference is not None else np.inf)
    chosen: list[Plan] = []
    kept = [reference] if reference is not None else []
    for plan in pool:
        if plan.objective > best * (1 + within):
            break
        if all(len(changed_schools(c, plan)) >= min_difference for c in kept + chosen):
            chosen.append(plan)
        if len(chosen) == n:
            break
    return [
        dataclasses.replace(plan, name=configuration_name(k, spec.districts, f"alt{i}"), alternative=i)
        for i, plan in enumerate(chosen, 1)
    ]


def with_alternatives(main: Plan, alts: list[Plan]) -> list[Plan]:
    """The main plan, then its alternatives.

    The main plan is the solver's result and is never replaced, so that it does
    not depend on how many alternatives are asked for (more alternatives draw
    more candidates, and one of them may happen to have a lower wdist). An
    alternative with a lower objective than the main plan says so in
    ``details["better_than_main"]`` (and the comparison table shows both).

    Parameters
    ----------
    main
        The plan from :func:`make_plan`.
    alts
        Its alternatives from :func:`alternatives`.

    Returns
    -------
    list of Plan
        ``[main, *alts]``: ``main`` itself, and each alternative as a new plan with that note.
    """
    out = [main]
    for alt in alts:
        better = alt.status in MEETS_RULES and alt.objective < main.objective - 1e-12
        note = {"better_than_main": better, **({"main_objective": main.objective} if better else {})}
        out.append(dataclasses.replace(alt, details={**alt.details, **note}))
    return out
