"""The scorecard's columns, each defined once: its heading, unit, definition and how it is computed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from partition.model.plan import Plan


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
