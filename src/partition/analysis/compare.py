"""Comparing configurations: agreement measures, matching, and the scorecard table.

* :func:`adjusted_rand` and :func:`variation_of_information` (scikit-learn) on the
  school-level assignments;
* :func:`match_partnerships`: a one-to-one matching of partnerships across two
  configurations by shared pupils (Hungarian algorithm), so names and colours
  stay stable from one map to the next;
* :func:`changed_schools`: the schools whose partnership changes under that matching;
* :func:`scorecard`: configurations × metrics; :func:`add_ensemble_ranks` adds
  each configuration's rank in a ReCom ensemble, or why it has none.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, mutual_info_score

from partition.core.csvsafe import csv_text, restore_frame
from partition.data.districts import DEFAULT_TOLERANCE_M
from partition.data.naming import match_by_overlap
from partition.errors import InputFileError
from partition.io import values
from partition.io.tables import Table, read_table
from partition.model.plan import Plan
from partition.warnings import DataWarning


@dataclass(frozen=True)
class Column:
    """One column of the comparison table: its key, label, unit and plain-English definition.

    Attributes
    ----------
    key
        Column of the :func:`scorecard` frame.
    label
        Short heading (no unit).
    unit
        Unit of the shown value (``"km"``, ``"%"``, ``"schools"`` ...; empty when none).
    definition
        What it measures, in one or two plain sentences (for the legend and the pack).
    scale
        Factor from the frame's value to the shown value (100 for a fraction shown in %).
    decimals
        Decimals shown (None: shown as it is).
    """

    key: str
    label: str
    unit: str
    definition: str
    scale: float = 1.0
    decimals: int | None = None

    def heading(self) -> str:
        """The label with its unit, e.g. ``"wdist (km)"``."""
        return f"{self.label} ({self.unit})" if self.unit else self.label

    def shown(self, value: object) -> object:
        """``value`` in the shown unit, rounded; missing values as None, text as it is.

        Parameters
        ----------
        value
            A value of this column in a :func:`scorecard` frame (a number in the frame's unit, a
            boolean, text, or a missing value).

        Returns
        -------
        object
            None for a missing value (None or NaN); ``"yes"``/``"no"`` for a boolean; a number times
            :attr:`scale` rounded to :attr:`decimals` (an ``int`` when ``decimals`` is 0) when the column
            has decimals; otherwise ``value`` unchanged.
        """
        if value is None or (pd.api.types.is_scalar(value) and not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, bool | np.bool_):
            return "yes" if value else "no"
        if isinstance(value, int | float | np.integer | np.floating) and self.decimals is not None:
            number = float(value) * self.scale
            return round(number, self.decimals) if self.decimals else int(round(number))
        return value


COLUMNS: tuple[Column, ...] = (
    Column(
        "status",
        "status",
        "",
        "optimal or feasible: meets every rule of its specification; violated: breaks one (see violations).",
    ),
    Column("k", "partnerships", "count", "Number of partnerships.", decimals=0),
    Column(
        "wdist_km",
        "average distance to centre",
        "km",
        "wdist: the average straight-line distance from a school to the centre of its partnership, weighted by pupils; smaller is more compact.",
        decimals=3,
    ),
    Column(
        "hub_km",
        "average distance to hub school",
        "km",
        "The average straight-line distance from a school to its partnership's hub school (the secondary, all-through "
        "school or college, or any school when none is required, that is nearest on average to the partnership's "
        "pupils: where meetings could be held), weighted by pupils.",
        decimals=3,
    ),
    Column(
        "max_abs_deviation",
        "largest size difference",
        "%",
        "How far the partnership furthest from the average size (pupils) is from it.",
        scale=100,
        decimals=1,
    ),
    Column(
        "mean_abs_deviation",
        "average size difference",
        "%",
        "Average distance of a partnership's pupils from the average size.",
        scale=100,
        decimals=1,
    ),
    Column(
        "near_limit",
        "near a size limit",
        "partnerships",
        "Partnerships whose pupils are less than 1 point of the average from a limit of the pupil bound: the next "
        "roll count may put them outside it.",
        decimals=0,
    ),
    Column(
        "robustness",
        "robust to roll changes",
        "%",
        "Share of 500 seeded draws, each school's roll changing by up to 3 % either way, in which every "
        "partnership stays within the pupil bound (limits recomputed from the new average).",
        scale=100,
        decimals=0,
    ),
    Column("min_schools", "fewest schools", "schools", "Schools in the smallest partnership (by schools).", decimals=0),
    Column("max_schools", "most schools", "schools", "Schools in the largest partnership (by schools).", decimals=0),
    Column(
        "contiguous",
        "one area each",
        "yes/no",
        "yes when every partnership is one connected area.",
    ),
    Column(
        "anchors_missing",
        "without a secondary",
        "partnerships",
        "Partnerships with no secondary or all-through school (a college counts only when colleges are planned "
        "as schools, --kind college; a college standing in a partnership as a member does not).",
        decimals=0,
    ),
    Column(
        "without_college",
        "without a college of their own",
        "partnerships",
        "Partnerships with no college (further education or sixth-form college, 16-19 academy) standing in their "
        "area; each is still served by the nearest college in a neighbouring partnership. Shown only when the "
        "data has colleges.",
        decimals=0,
    ),
    Column(
        "without_special",
        "without a special school of their own",
        "partnerships",
        "Partnerships with no special school standing in their area; each is still served by the nearest special "
        "school in a neighbouring partnership. Shown only when the data has special schools.",
        decimals=0,
    ),
    Column(
        "fsm_spread",
        "spread of free school meals shares",
        "points",
        "Highest minus lowest share of pupils eligible for free school meals among the partnerships (percentage "
        "points; each school's published share times its pupils). Smaller means need is shared more evenly.",
        decimals=1,
    ),
    Column(
        "children_max_deviation",
        "children 0-19, largest difference from the average",
        "%",
        "The largest difference, either way, between the children aged 0-19 living in a partnership (ONS "
        "estimates by small area, shared among the partnerships by area) and the average per partnership.",
        scale=100,
        decimals=1,
    ),
    Column(
        "low_income_max_deviation",
        "children in low-income families, largest difference from the average",
        "%",
        "The largest difference, either way, between the children in low-income families living in a "
        "partnership (DWP/HMRC by small area, shared by area) and the average per partnership.",
        scale=100,
        decimals=1,
    ),
    Column(
        "mean_polsby_popper",
        "Polsby-Popper",
        "0-1",
        "Average of 4π × area / perimeter² over the partnerships: 1 for a circle, near 0 for a long or ragged shape.",
        decimals=3,
    ),
    Column(
        "mean_reock",
        "Reock",
        "0-1",
        "Average of area / area of the smallest circle around it: 1 for a circle.",
        decimals=3,
    ),
    Column(
        "cut_edges",
        "cut edges",
        "links",
        "Neighbouring planning units placed in different partnerships: fewer means simpler boundaries.",
        decimals=0,
    ),
    Column(
        "districts_divided",
        "districts with several partnerships",
        "districts",
        "Districts whose schools are shared between two or more partnerships: unavoidable for a district with more "
        "pupils than one partnership may hold, and no sign by itself that a boundary is crossed (districts kept whole "
        "counts the districts no partnership crosses).",
        decimals=0,
    ),
    Column(
        "district_splits",
        "district splits",
        "pieces",
        "Pieces beyond the first that districts are cut into: a district divided between three partnerships counts 2; 0 when every district lies within one partnership.",
        decimals=0,
    ),
    Column(
        "partnerships_spanning_districts",
        "cross-district partnerships",
        "partnerships",
        "Partnerships with schools in more than one district.",
        decimals=0,
    ),
    Column(
        "settlements_divided",
        "towns and villages divided",
        "settlements",
        "Towns and villages (a school's place from the GIAS place columns, a town with its suburbs) of two or more "
        "schools whose schools are in more than one partnership although their pupils would fit in one.",
        decimals=0,
    ),
    Column(
        "districts_whole",
        "districts kept whole",
        "districts",
        "Districts whose partnerships all lie inside the district (it may hold several partnerships, but none "
        "reaches into another district).",
        decimals=0,
    ),
    Column(
        "federations_kept",
        "federations kept together",
        "federations",
        "Federations whose schools are all in one partnership (named in each plan.json and in manifest.json).",
        decimals=0,
    ),
    Column(
        "federations_split",
        "federations split",
        "federations",
        "Federations (schools sharing a governing body, from GIAS) whose schools are in two or more partnerships; "
        "shown only when the data has federations.",
        decimals=0,
    ),
    Column(
        "feeder_pairs_split",
        "feeder pairs split",
        "pairs",
        "Infant schools (first schools) in another partnership than the junior (middle) school their children move "
        "on to; pairs recognised by name and distance, listed by partition data summary. Shown only when the data "
        "has such pairs.",
        decimals=0,
    ),
    Column(
        "trust_splits",
        "trust splits",
        "pieces",
        "Pieces beyond the first that academy trusts are cut into (as district splits); shown only when the data "
        "has trusts with two or more schools.",
        decimals=0,
    ),
    Column("violations", "violations", "", "The rules of the specification the configuration breaks, and by how much."),
    Column(
        "ari",
        "ARI",
        "-1 to 1",
        "Adjusted Rand index against the reference configuration: 1 identical, about 0 unrelated.",
        decimals=3,
    ),
    Column(
        "vi",
        "VI",
        "nats",
        "Variation of information against the reference configuration: 0 identical, larger is more different.",
        decimals=3,
    ),
    Column(
        "schools_moved",
        "schools moved",
        "schools",
        "Schools in a different partnership from the reference configuration (partnerships matched by shared pupils).",
        decimals=0,
    ),
)
"""The columns of :func:`scorecard`, in order (ensemble columns: :func:`ensemble_columns`)."""

ENSEMBLE_METRICS: tuple[str, ...] = ("wdist_km", "max_abs_deviation", "district_splits", "cut_edges")
"""The measures each configuration is ranked on within a ReCom ensemble, in ``run`` and ``compare`` alike."""


def _column(key: str) -> Column | None:
    return next((c for c in COLUMNS if c.key == key), None)


def rank_key(metric: str) -> str:
    """The :func:`scorecard` column holding a configuration's ensemble rank on ``metric``.

    Parameters
    ----------
    metric
        A measure of :data:`ENSEMBLE_METRICS`, e.g. ``"wdist_km"``.

    Returns
    -------
    str
        ``"rank_<metric>"``, e.g. ``"rank_wdist_km"``.
    """
    return f"rank_{metric}"


def ensemble_design_text(design: dict[str, Any] | None) -> str:
    """How the ensemble was drawn, in words, for the rank columns' definitions.

    Parameters
    ----------
    design
        ``attrs["ensemble_design"]`` of a table from :func:`add_ensemble_ranks`: ``chains``, ``burn_in``,
        ``thin``, ``steps_per_chain`` and ``ensembles`` (each with ``k`` and ``rhat_wdist``, None when NaN);
        None or empty for none.

    Returns
    -------
    str
        E.g. ``" Drawn by 4 independent ReCom chains from random starting plans: 2,000 steps of burn-in
        discarded per chain, then every 1st step kept (2,250 steps per chain); R-hat of the average distance
        across chains (near 1 when the chains agree): k = 23 1.00."``; ``""`` without a design.
    """
    if not design:
        return ""
    chains = design["chains"]
    steps = design["steps_per_chain"]
    steps_text = f"{steps[0]:,}" if min(steps) == max(steps) else f"{min(steps):,}-{max(steps):,}"
    ensembles = design.get("ensembles") or []
    several = len({e["k"] for e in ensembles}) < len(ensembles)  # two specs of one k: say which configurations
    rhat_text = "; ".join(
        f"k = {e['k']}"
        + (f" ({', '.join(e.get('configurations') or [])})" if several and e.get("configurations") else "")
        + f" {_rhat_shown(e['rhat_wdist'])}"
        for e in ensembles
    )
    rhat = f"; R-hat of the average distance across chains (near 1 when the chains agree): {rhat_text}."
    return (
        f" Drawn by {chains} independent ReCom chain{'s' if chains != 1 else ''} from random starting plans "
        f"(not from the configuration ranked): {design['burn_in']:,} steps of burn-in discarded per chain, then "
        f"every {_ordinal(design['thin'])} step kept ({steps_text} steps per chain)" + (rhat if ensembles else ".")
    )


def _rhat_shown(rhat: float | None) -> str:
    """An R-hat with two decimals, or why there is none."""
    return "n/a (one chain)" if rhat is None else f"{rhat:.2f}"


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th`` ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def ensemble_columns(size: int, design: dict[str, Any] | None = None) -> list[Column]:
    """The ensemble rank columns: share (%) of ``size`` valid plans each configuration beats, per metric, and the note.

    Parameters
    ----------
    size
        Configurations in each ensemble.
    design
        How the ensembles were drawn (``attrs["ensemble_design"]``, see :func:`ensemble_design_text`), told in
        each definition; None leaves it out.

    Returns
    -------
    list of Column
        One column per :data:`ENSEMBLE_METRICS` entry, then ``rank_note``.
    """
    how = ensemble_design_text(design)
    out = []
    for metric in ENSEMBLE_METRICS:
        base = _column(metric)
        out.append(
            Column(
                rank_key(metric),
                f"beats {size} random valid plans on {base.label}",
                "%",
                f"Share of {size} valid configurations sampled at random (ReCom, same k and rules) that have a higher "
                f"(worse) {base.label} than this one; blank when it has no rank (see the note).{how}",
                decimals=1,
            )
        )
    out.append(
        Column(
            "rank_note",
            "ensemble rank note",
            "",
            "Why a configuration has no ensemble rank (not valid; one partnership).",
        )
    )
    return out


def columns_of(table: pd.DataFrame) -> list[Column]:
    """The :class:`Column` of each column of ``table``; a column not described here is shown as it is.

    Parameters
    ----------
    table
        A :func:`scorecard` frame (``attrs["ensemble_size"]`` names the ensemble size of its rank columns).

    Returns
    -------
    list of Column
        In the order of ``table.columns``.
    """
    known = {c.key: c for c in COLUMNS}
    size = int(table.attrs.get("ensemble_size", 0))
    known.update({c.key: c for c in ensemble_columns(size, table.attrs.get("ensemble_design"))})
    reference = table.attrs.get("reference")
    out = []
    for key in table.columns:
        column = known.get(key, Column(str(key), str(key), "", ""))
        if reference and key in ("ari", "vi", "schools_moved"):
            column = Column(
                column.key,
                f"{column.label} vs {reference}",
                column.unit,
                column.definition,
                column.scale,
                column.decimals,
            )
        out.append(column)
    return out


def _aligned(a: Plan, b: Plan) -> tuple[pd.Series, pd.Series]:
    la = a.assignments.set_index("URN")["partnership_id"]
    lb = b.assignments.set_index("URN")["partnership_id"]
    common = la.index.intersection(lb.index)
    return la.loc[common], lb.loc[common]


def adjusted_rand(a: Plan, b: Plan) -> float:
    """Adjusted Rand index of the two assignments (1 = identical, ~0 = unrelated).

    Parameters
    ----------
    a, b
        Plans of the same schools; only schools (URNs) in both are compared.

    Returns
    -------
    float
        scikit-learn's ``adjusted_rand_score`` of the two ``partnership_id`` labellings, between
        -1 and 1; it does not depend on partnership ids or names.
    """
    la, lb = _aligned(a, b)
    return float(adjusted_rand_score(la, lb))


def variation_of_information(a: Plan, b: Plan) -> float:
    """Variation of information (nats): H(A) + H(B) − 2 I(A; B); 0 = identical.

    Parameters
    ----------
    a, b
        Plans of the same schools; only schools (URNs) in both are compared, each counted once
        (not weighted by pupils).

    Returns
    -------
    float
        The variation of information in nats (natural logarithms), at least 0 (a rounding
        error below 0 is returned as 0.0).
    """
    la, lb = _aligned(a, b)

    def entropy(labels: pd.Series) -> float:
        p = labels.value_counts(normalize=True).to_numpy()
        return float(-(p * np.log(p)).sum())

    return max(0.0, entropy(la) + entropy(lb) - 2 * float(mutual_info_score(la, lb)))  # no -0.0 from rounding


def match_partnerships(reference: Plan, other: Plan) -> dict[str, str]:
    """Match the partnerships of two plans one-to-one, maximising shared pupils.

    The one matching of the package (:func:`partition.data.naming.match_by_overlap`, the Hungarian
    method), used by the comparison, the maps' colours and the change maps.

    Parameters
    ----------
    reference, other
        Plans of the same schools (matched by URN; a school in one plan only is ignored).

    Returns
    -------
    dict
        ``{other id: reference id}`` (``P01``...); a partnership that shares no pupils with its
        counterpart, or is surplus (the plans' k differ), is left out.
    """
    a = reference.assignments.set_index("URN")
    b = other.assignments.set_index("URN")
    return {str(o): str(r) for o, r in match_by_overlap(a["partnership_id"], b["partnership_id"], a["pupils"]).items()}


def changed_schools(reference: Plan, other: Plan) -> pd.DataFrame:
    """Schools whose partnership changes (after matching): URN, name, from, to.

    Partnerships are matched by :func:`match_partnerships`; a school counts as changed when
    its partnership in ``other``, mapped to its ``reference`` counterpart, differs from its
    partnership in ``reference`` (a partnership of ``other`` with no counterpart counts as a
    change for all its schools, as does a school missing from ``other``).

    Parameters
    ----------
    reference, other
        Plans of the same schools (matched by URN; every school of ``reference`` is checked).

    Returns
    -------
    pandas.DataFrame
        One row per changed school, in ``reference``'s order: ``URN``, ``name`` (from
        ``reference``), ``from`` (partnership name in ``reference``), ``to`` (partnership name in
        ``other``; missing when the school is not in ``other``).
    """
    match = match_partnerships(reference, other)
    a = reference.assignments.set_index("URN")
    b = other.assignments.set_index("URN").reindex(a.index)
    moved = b["partnership_id"].map(match) != a["partnership_id"]
    return pd.DataFrame(
        {
            "URN": a.index[moved],
            "name": a.loc[moved, "name"].to_numpy(),
            "from": a.loc[moved, "partnership"].to_numpy(),
            "to": b.loc[moved, "partnership"].to_numpy(),
        }
    )


def partners_kept(reference: Plan, other: Plan) -> float:
    """The share of a school's partners in ``reference`` that are still its partners in ``other``, on average.

    A school's partners are the other schools of its partnership. For each school of ``reference`` with at least
    one partner, the share of them that share its partnership in ``other``; the mean over those schools. It does
    not depend on names or ids, and unlike a count of schools that "change partnership" it tells apart an option
    that splits today's partnerships in two from one that scatters them.

    Parameters
    ----------
    reference, other
        Plans of the same schools (matched by URN; a school missing from ``other`` keeps no partner).

    Returns
    -------
    float
        Between 0 and 1 (1: every partnership of ``reference`` is inside one of ``other``); NaN when no school of
        ``reference`` has a partner.
    """
    a = reference.assignments.set_index("URN")["partnership_id"]
    b = other.assignments.set_index("URN")["partnership_id"].reindex(a.index)
    size = a.groupby(a).transform("size").astype(float)
    together = a.groupby([a, b]).transform("size").astype(float).reindex(a.index).fillna(1.0)  # missing: alone
    has = size > 1
    if not has.any():
        return float("nan")
    return float(((together[has] - 1) / (size[has] - 1)).mean())


def district_division(plan: Plan) -> tuple[int, int]:
    """How the plan divides districts, as planners count it.

    Parameters
    ----------
    plan
        A configuration (its ``scores["district_pieces"]``: partnerships per district).

    Returns
    -------
    tuple of int
        Districts divided between two or more partnerships, and district splits: the pieces beyond the
        first that districts are cut into (sum over districts of partnerships − 1).
    """
    pieces = [int(n) for n in plan.scores.get("district_pieces", {}).values()]
    return sum(1 for n in pieces if n > 1), sum(n - 1 for n in pieces)


def districts_whole(plan: Plan) -> int:
    """Districts kept whole: every partnership with schools in the district has schools in no other district.

    Parameters
    ----------
    plan
        A configuration (its ``assignments``: ``district`` and ``partnership_id`` of each school).

    Returns
    -------
    int
        Such districts (0 when the assignments do not say the schools' districts).
    """
    a = plan.assignments
    if "district" not in a.columns:
        return 0
    spans = a.groupby("partnership_id")["district"].nunique()
    crossing = a["partnership_id"].map(spans) > 1
    broken = set(a.loc[crossing, "district"])
    return int(len(set(a["district"]) - broken))


def group_columns(plan: Plan) -> dict[str, object]:
    """``federations_split``, ``federations_kept`` and ``trust_splits`` of a plan, when its data has federations or
    trusts (from ``plan.details``, see :func:`partition.planning.planner.group_details`); empty otherwise.

    Parameters
    ----------
    plan
        A configuration (its ``details["federations"]`` and ``details["trusts"]``).

    Returns
    -------
    dict
        Column → count (federations split, federations kept together, trust pieces beyond the first).
    """
    out: dict[str, object] = {}
    feds = plan.details.get("federations")
    if feds:
        out["federations_split"] = len(feds["split"])
        out["federations_kept"] = len(feds["kept_together"])
    if plan.details.get("headroom"):
        room = plan.details["headroom"]
        out["near_limit"] = room["near_limit"]
        out["robustness"] = room["robustness"]
    if plan.details.get("feeder_pairs"):
        out["feeder_pairs_split"] = len(plan.details["feeder_pairs"]["split"])
    if plan.details.get("settlements"):
        out["settlements_divided"] = len(plan.details["settlements"]["divided"])
    if plan.details.get("trusts"):
        out["trust_splits"] = plan.details["trusts"]["splits"]
    return out


OWN_KINDS = {"without_college": ("college",), "without_special": ("special",)}
"""Scorecard column -> the kinds of establishment a partnership is counted as having "of its own"."""


def need_columns(plan: Plan) -> dict[str, float]:
    """How evenly local need is shared (:mod:`partition.data.need`): the spread of free school meals shares and the
    largest difference from the average of children and of children in low-income families.

    Parameters
    ----------
    plan
        A configuration whose ``partnerships`` may carry ``fsm_pct``, ``population``, ``low_income``.

    Returns
    -------
    dict
        ``fsm_spread`` (points), ``children_max_deviation`` and ``low_income_max_deviation`` (fractions), each
        only when the plan has the figures.
    """
    p = plan.partnerships
    out: dict[str, float] = {}
    if "fsm_pct" in p and p["fsm_pct"].notna().any():
        out["fsm_spread"] = float(p["fsm_pct"].max() - p["fsm_pct"].min())
    for column, key in (("population", "children_max_deviation"), ("low_income", "low_income_max_deviation")):
        if column in p and float(p[column].sum()) > 0:
            values = p[column].astype(float)
            out[key] = float((values / values.mean() - 1).abs().max())
    return out


def member_columns(plan: Plan) -> dict[str, int]:
    """Partnerships without a college, and without a special school, standing in their area.

    A school counted toward the bounds (``--kind college``, ``--include-special``) counts as much as a member
    (see :mod:`partition.data.members`); pupil referral units are not special schools.

    Parameters
    ----------
    plan
        A configuration (``assignments`` and ``members``: ``partnership_id`` and ``kind``).

    Returns
    -------
    dict
        ``without_college`` and ``without_special``: partnerships with none of that kind; a column is left
        out when the plan has no establishment of its kind at all.
    """
    placed = [plan.assignments[["partnership_id", "kind"]]]
    if not plan.members.empty:
        placed.append(plan.members[["partnership_id", "kind"]])
    every = pd.concat(placed, ignore_index=True)
    out: dict[str, int] = {}
    for key, kinds in OWN_KINDS.items():
        having = every.loc[every["kind"].isin(kinds), "partnership_id"]
        if len(having):
            out[key] = int(plan.k - having.nunique())
    return out


def scorecard(plans: list[Plan], reference: Plan | None = None) -> pd.DataFrame:
    """Configurations × measures (the keys of :data:`COLUMNS`); with ``reference``, also ARI, VI and schools moved.

    Parameters
    ----------
    plans
        The configurations, one row each (index: their names).
    reference
        The configuration the others are compared with (``attrs["reference"]`` names it).

    Returns
    -------
    pandas.DataFrame
        Values in the units of the plans' scores (km, fractions for deviations, counts, booleans);
        :func:`format_scorecard` shows them with their units.
    """
    rows = []
    for plan in plans:
        row: dict[str, object] = {"configuration": plan.name, "status": plan.status}
        row.update({c.key: plan.scores.get(c.key) for c in COLUMNS[1:] if c.key in plan.scores})
        row["districts_divided"], row["district_splits"] = district_division(plan)
        row["districts_whole"] = districts_whole(plan)
        row.update(group_columns(plan))
        row.update(member_columns(plan))
        row.update(need_columns(plan))
        row["violations"] = "; ".join(plan.scores.get("violations", []))
        if reference is not None:
            row["ari"] = adjusted_rand(reference, plan)
            row["vi"] = variation_of_information(reference, plan)
            row["schools_moved"] = len(changed_schools(reference, plan))
        rows.append(row)
    order = [c.key for c in COLUMNS]
    table = pd.DataFrame(rows).set_index("configuration")
    table = table[[k for k in order if k in table.columns]]
    if reference is not None:
        table.attrs["reference"] = reference.name
    return table


def ensemble_design(ranks: dict[str, dict[str, float]]) -> dict[str, Any] | None:
    """The design of the ensembles behind ``ranks`` as plain values (for ``manifest.json`` and the definitions).

    Parameters
    ----------
    ranks
        From :func:`partition.analysis.ensemble.plan_percentiles` (its ``samples``); a plain dict has none.

    Returns
    -------
    dict or None
        ``chains``, ``burn_in``, ``thin``, ``steps_per_chain``, ``kept_per_chain``, ``total_steps`` (of one
        ensemble, the same design for every k), ``method``, and ``ensembles``: per ensemble drawn, its ``k``,
        the ``configurations`` ranked in it, ``rhat_wdist`` (None when NaN), ``acceptance`` and
        ``start_wdist_km`` (per chain); None without samples.
    """
    samples = getattr(ranks, "samples", {})
    if not samples:
        return None
    first = next(iter(samples.values())).design()
    keys = ("chains", "burn_in", "thin", "random_state", "kept_per_chain", "steps_per_chain", "total_steps")
    out: dict[str, Any] = {key: first[key] for key in keys}
    out["method"] = "independent ReCom chains from random starting plans (recursive spanning-tree cuts)"
    shared: dict[int, dict[str, Any]] = {}  # one entry per ensemble, whichever configurations share it
    for name, sample in samples.items():
        if id(sample) not in shared:
            design = sample.design()
            shared[id(sample)] = {"k": design["k"], "configurations": []} | {
                key: design[key] for key in ("rhat_wdist", "acceptance", "start_wdist_km")
            }
        shared[id(sample)]["configurations"].append(name)
    out["ensembles"] = list(shared.values())
    return out


def add_ensemble_ranks(
    table: pd.DataFrame,
    plans: list[Plan],
    ranks: dict[str, dict[str, float]],
    size: int,
) -> pd.DataFrame:
    """Add the ensemble rank columns of :func:`partition.analysis.ensemble.plan_percentiles` to a scorecard.

    Parameters
    ----------
    table
        A :func:`scorecard` table (index: configuration names).
    plans
        The configurations in the table.
    ranks
        ``{name: {metric: share beaten}}`` from :func:`partition.analysis.ensemble.plan_percentiles` (its ``samples``
        and ``reasons``, when it has them, give the design and why a configuration has no rank).
    size
        Configurations in each ensemble (``attrs["ensemble_size"]``, for the headings).

    Returns
    -------
    pandas.DataFrame
        The table with one column per :data:`ENSEMBLE_METRICS` entry (:func:`rank_key`): the share of the
        ensemble it beats in % (a number, NaN when the configuration has no rank), and ``rank_note``: why
        a configuration has no rank (not valid; one partnership; no random plan to start from), blank
        otherwise. ``attrs["ensemble_design"]`` holds :func:`ensemble_design` (None without it).
    """
    from partition.analysis.ensemble import rank_unavailable

    out = table.copy()
    for metric in ENSEMBLE_METRICS:
        out[rank_key(metric)] = [100 * ranks[n][metric] if n in ranks else math.nan for n in out.index]
    reasons = {plan.name: rank_unavailable(plan) for plan in plans}
    reasons.update(getattr(ranks, "reasons", {}))
    out["rank_note"] = ["" if n in ranks else (reasons.get(n) or "not ranked") for n in out.index]
    out.attrs["ensemble_size"] = size
    out.attrs["ensemble_design"] = ensemble_design(ranks)
    return out


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with headings that carry their units and values in those units (numbers stay numbers).

    Parameters
    ----------
    table
        A :func:`scorecard` frame, with or without ensemble ranks.

    Returns
    -------
    pandas.DataFrame
        Columns ``"wdist (km)"``, ``"largest size difference (%)"`` ...; deviations and ranks in %, rounded
        to the decimals of :data:`COLUMNS`; missing values as None.
    """
    columns = columns_of(table)
    shown = pd.DataFrame(
        {c.heading(): [c.shown(v) for v in table[c.key]] for c in columns}, index=table.index, dtype=object
    )
    shown.index.name = "configuration"
    return shown


def legend(table: pd.DataFrame) -> list[tuple[str, str]]:
    """``(heading with unit, what it measures)`` for each column of ``table`` that :data:`COLUMNS` describes.

    Parameters
    ----------
    table
        A :func:`scorecard` frame, with or without ensemble ranks.

    Returns
    -------
    list of tuple of str
        ``(heading, definition)`` in the order of ``table.columns``; columns without a
        definition are left out.
    """
    return [(c.heading(), c.definition) for c in columns_of(table) if c.definition]


def format_scorecard(table: pd.DataFrame, style: str = "text") -> str:
    """Render :func:`scorecard` as ``text``, ``markdown`` (with a legend under the table) or ``csv``.

    Every style shows the same columns with their units in the headings (see :func:`labelled`); the
    CSV holds numbers as numbers (deviations and ensemble ranks in %, not fractions or ``"97%"`` text)
    and text a spreadsheet would run as a formula quoted (:func:`partition.core.csvsafe.csv_text`).

    Parameters
    ----------
    table
        A :func:`scorecard` frame.
    style
        ``"text"`` (one column per configuration, for a terminal), ``"markdown"`` or ``"csv"``.

    Returns
    -------
    str
        The rendered table.
    """
    shown = labelled(table)
    if style == "csv":
        return csv_text(shown, index=True)
    columns = columns_of(table)
    text = pd.DataFrame({c.heading(): [_text(c, v) for v in shown[c.heading()]] for c in columns}, index=shown.index)
    if style == "markdown":
        lines = [_markdown(text), "", "Columns:", ""]
        return "\n".join(lines + [f"* **{heading}**: {definition}" for heading, definition in legend(table)])
    return text.T.to_string()


def _text(column: Column, value: object) -> str:
    """A shown value as text with its column's decimals (blank when missing)."""
    if value is None:
        return ""
    if isinstance(value, float) and column.decimals:
        return f"{value:.{column.decimals}f}"
    return str(value)


def _markdown(frame: pd.DataFrame) -> str:
    cols = [frame.index.name or ""] + list(frame.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for idx, row in frame.iterrows():
        lines.append("| " + " | ".join([str(idx)] + [str(v).replace("|", "/") for v in row]) + " |")
    return "\n".join(lines)


def read_csv_text(path: str | Path, data: bytes | None = None, *, kind: str = "edited plan") -> Table:
    """A planner's CSV (edited plan, k table) read by :func:`partition.io.tables.read_table`: UTF-8 (with or
    without a byte-order mark) or else Windows-1252, comma-, semicolon- or tab-separated, every field text, the quotes partition puts before text a
    spreadsheet would run as a formula removed (:func:`partition.core.csvsafe.restore_frame`: ``'=Andover`` is
    ``=Andover``).

    Parameters
    ----------
    path
        The CSV.
    data
        Its bytes, when already read.
    kind
        What the file is, for messages.

    Returns
    -------
    Table
        Every record as text (never NaN), with its file line.

    Raises
    ------
    InputFileError
        When the file cannot be read or decoded, or a row is malformed (naming file, line and the fix).
    """
    table = read_table(path, data, kind=kind, error=InputFileError)
    return replace(table, frame=restore_frame(table.frame))


def counted_rows(table: Table) -> Table:
    """The rows of a planner's CSV that are counted schools: those whose ``counted`` column is not ``no``.

    Parameters
    ----------
    table
        A CSV read by :func:`read_csv_text`; without a ``counted`` column (any case) every row is kept.

    Returns
    -------
    Table
        The same table without the rows marked ``counted`` = ``no`` (ignoring case and surrounding spaces),
        each kept row with its file line.
    """
    column = table.column("counted")
    if column is None:
        return table
    keep = (table.frame[column].str.strip().str.lower() != "no").to_numpy()
    if keep.all():
        return table
    return replace(table, frame=table.frame[keep].reset_index(drop=True), lines=table.lines[keep])


def read_assignment_csv(path: str | Path, data: bytes | None = None) -> pd.Series:
    """Read a ``URN, partnership`` CSV (any column case; extra columns ignored) into URN → partnership.

    The file line of each row is kept in ``attrs["lines"]`` (a tuple in row order), for later messages.
    Rows whose ``counted`` column is ``no`` (colleges, special schools and PRUs written by ``partition plan``
    or the editor's export) are left out: a member follows the unit it stands in (:mod:`partition.data.members`).

    Parameters
    ----------
    path
        A CSV with a header row holding ``URN`` and ``partnership`` (matched ignoring case and
        surrounding spaces), e.g. an ``assignments.csv`` written by ``partition plan``; read by
        :func:`read_csv_text`.
    data
        Its bytes, when already read.

    Returns
    -------
    pandas.Series
        Partnership name (stripped text) indexed by URN (int), named ``partnership``, in file order.

    Raises
    ------
    InputFileError
        When the file cannot be read as CSV, lacks a ``URN`` or ``partnership`` column, or a row
        has a URN that is not digits (:func:`partition.io.values.identifiers`: ``115855.7``, ``1e5``
        and over-long numbers refused, never rounded), a blank partnership or a URN seen before
        (naming the file's line and column).
    """
    table = counted_rows(read_csv_text(path, data))
    for needed in ("urn", "partnership"):
        if table.column(needed) is None:
            raise InputFileError(
                table.path,
                f"has no '{needed}' column",
                column=needed,
                fix="give a CSV with columns URN and partnership",
            )
    urn_column, name_column = table.column("urn"), table.column("partnership")
    urn = values.identifiers(table, urn_column)
    names = table.frame[name_column].str.strip()
    if (names == "").any():
        i = int(np.flatnonzero((names == "").to_numpy())[0])
        raise table.refuse(i, name_column, "partnership is blank", "name the school's partnership")
    dup = urn.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise table.refuse(i, urn_column, f"URN {int(urn.iloc[i])} appears twice", "keep one row per school")
    labels = pd.Series(names.to_numpy(), index=urn.to_numpy(), name="partnership")
    labels.attrs["lines"] = tuple(int(n) for n in table.lines)
    return labels


def read_plan_folder(path: str | Path) -> tuple[pd.Series, dict]:
    """A folder written by ``partition plan``: its assignment and its ``plan.json``.

    Parameters
    ----------
    path
        The configuration's folder, holding ``assignments.csv`` and (optionally) ``plan.json``.

    Returns
    -------
    labels : pandas.Series
        URN -> partnership name, from :func:`read_assignment_csv`.
    meta : dict
        The parsed ``plan.json`` (see :meth:`partition.model.plan.Plan.summary`); empty when the
        folder has none.

    Raises
    ------
    InputFileError
        When ``assignments.csv`` is missing or malformed (see :func:`read_assignment_csv`).
    """
    path = Path(path)
    labels = read_assignment_csv(path / "assignments.csv")
    meta_path = path / "plan.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return labels, meta


def labels_from_areas(
    schools: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    source: str | Path = "areas",
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> pd.Series:
    """Give each school the area (partnership) containing it, bounded by the edge tolerance.

    A school in no area joins the nearest area when it lies within
    ``tolerance_m`` of it (reported with a :class:`~partition.warnings.DataWarning`
    naming URN, school, area and distance); beyond that the layer is refused.

    Parameters
    ----------
    schools
        ``URN``, ``name``, geometry (EPSG:27700).
    areas
        ``name``, geometry (EPSG:27700).
    source
        The layer's file, for messages.
    tolerance_m
        Farthest a school may lie outside every area (m).

    Returns
    -------
    pandas.Series
        URN -> area name.

    Raises
    ------
    InputFileError
        When some school lies more than ``tolerance_m`` from every area (the
        layer misses part of the study area, or is in the wrong CRS), listing
        each such school with its distance.
    """
    points = schools[["URN", "name", "geometry"]].reset_index(drop=True)
    inside = gpd.sjoin(
        points, areas[["name", "geometry"]].rename(columns={"name": "area"}), how="left", predicate="within"
    )
    inside = inside[~inside.index.duplicated(keep="first")]
    area = inside["area"].reindex(points.index)
    lost = area.isna()
    if lost.any():
        near = gpd.sjoin_nearest(
            points[lost],
            areas[["name", "geometry"]].rename(columns={"name": "area"}),
            how="left",
            distance_col="distance_m",
        )
        near = near[~near.index.duplicated(keep="first")]
        too_far = near[~(near["distance_m"] <= tolerance_m)]
        if len(too_far):
            listed = "; ".join(
                f"URN {int(r.URN)} {r.name} ({r.distance_m / 1000:.1f} km)"
                if r.distance_m == r.distance_m
                else f"URN {int(r.URN)} {r.name}"
                for r in too_far.sort_values("URN").itertuples()
            )
            raise InputFileError(
                source,
                f"{len(too_far)} of {len(points)} schools lie in no area and more than {tolerance_m:g} m from every area: {listed}",
                fix="give a layer that covers the whole study area, with its coordinate reference system declared",
            )
        area[near.index] = near["area"]
        warnings.warn(
            DataWarning(
                f"{Path(source).name}: {len(near)} school(s) lie in no area; joined to the nearest area within "
                f"{tolerance_m:g} m: "
                + "; ".join(f"URN {int(r.URN)} {r.name} -> {r.area} ({r.distance_m:.0f} m)" for r in near.itertuples())
            ),
            stacklevel=2,
        )
    return pd.Series(area.to_numpy(), index=points["URN"].astype(int).to_numpy(), name="partnership")
