"""Headroom: how far each partnership's pupils are from the size limits, and how robust a configuration is.

A configuration that meets its ±10 % pupil bound with eleven partnerships a few pupils inside a limit breaks
the published rule at the next roll count. Two measures say how much room a configuration has:

* **Headroom** of a partnership: pupils to the nearer pupil limit (``min(pupils - low, high - pupils)``), also
  as points of the mean (``headroom_pct``: 100 × headroom / mean); a partnership **near a limit** has less
  than :data:`NEAR_POINTS` points.
* **Robustness** of a configuration: the share of :data:`DRAWS` seeded draws of plausible roll changes under
  which it still meets its pupil bound, each school's roll multiplied by ``1 + e`` with ``e`` uniform in
  ``±ROLL_CHANGE`` independently (the limits move with the new mean, as a council recomputing them would).

Both are measured from the assignment alone, for the ``pupils`` bound of the spec (absent when it has none).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from partition.model.spec import PlanSpec

NEAR_POINTS = 1.0
"""Points of the mean under which a partnership is near a limit."""

ROLL_CHANGE = 0.03
"""Largest change of one school's roll in a robustness draw (a share of its roll: 0.03 = 3 %)."""

DRAWS = 500
"""Roll-change draws per configuration."""


@dataclass(frozen=True)
class Headroom:
    """A configuration's room inside its pupil bound.

    Attributes
    ----------
    by_partnership
        Partnership label -> headroom in pupils (negative when outside a limit).
    mean
        Mean pupils per partnership.
    near_limit
        Partnerships within their limits with less than :data:`NEAR_POINTS` points of headroom (a partnership
        already outside a limit is not counted: it breaks the rule, which the plan's status says).
    median_deviation
        Median |pupils − mean| / mean over the partnerships (a fraction).
    robustness
        Share of the draws (0-1) in which every partnership stays within the limits.
    """

    by_partnership: dict[int, float]
    mean: float
    near_limit: int
    median_deviation: float
    robustness: float

    def as_dict(self) -> dict[str, object]:
        """Plain data for ``plan.json``: the measures and their definitions' parameters."""
        return {
            "near_limit": self.near_limit,
            "near_points": NEAR_POINTS,
            "median_abs_deviation": round(self.median_deviation, 4),
            "robustness": round(self.robustness, 3),
            "roll_change": ROLL_CHANGE,
            "draws": DRAWS,
            "least_headroom_pupils": round(min(self.by_partnership.values()), 1) if self.by_partnership else None,
        }


def _pupil_bound(spec: PlanSpec):
    return next((b for b in spec.size if b.attribute == "pupils"), None)


def headroom(pupils: np.ndarray, labels: np.ndarray, spec: PlanSpec, k: int, seed: int | None = 0) -> Headroom | None:
    """Headroom and robustness of one configuration (see the module docstring).

    Parameters
    ----------
    pupils
        Pupils of each school counted toward the bounds, shape ``(n,)``.
    labels
        Partnership label (0..k-1) of each school, shape ``(n,)``.
    spec
        Its size bounds (the ``pupils`` one is measured).
    k
        Partnerships.
    seed
        Seed of the roll-change draws (the spec's ``random_state``; the same plan always gets the same figure).

    Returns
    -------
    Headroom or None
        None when the spec has no pupil bound.
    """
    bound = _pupil_bound(spec)
    if bound is None:
        return None
    pupils = np.asarray(pupils, dtype=float)
    labels = np.asarray(labels, dtype=int)
    sums = np.bincount(labels, weights=pupils, minlength=k)
    low, high = bound.limits(float(pupils.sum()), k)
    mean = float(pupils.sum()) / k
    room = np.minimum(sums - low, high - sums)
    rng = np.random.default_rng(0 if seed is None else seed)
    factors = 1.0 + rng.uniform(-ROLL_CHANGE, ROLL_CHANGE, size=(DRAWS, len(pupils)))
    drawn = factors * pupils
    totals = np.zeros((DRAWS, k))
    np.add.at(totals, (slice(None), labels), drawn)
    bounds = np.array([bound.limits(float(t), k) for t in drawn.sum(axis=1)])
    within = ((totals >= bounds[:, :1] - 1e-9) & (totals <= bounds[:, 1:] + 1e-9)).all(axis=1)
    return Headroom(
        by_partnership={int(p): float(r) for p, r in enumerate(room)},
        mean=mean,
        near_limit=int(((room >= 0) & (100 * room / mean < NEAR_POINTS)).sum()),  # outside is not 'near'
        median_deviation=float(np.median(np.abs(sums - mean) / mean)),
        robustness=float(within.mean()),
    )


def headroom_column(table: pd.DataFrame, room: Headroom, label_of_row: pd.Series) -> pd.Series:
    """Each partnership's headroom in points of the mean, for its row of a partnership table.

    Parameters
    ----------
    table
        One row per partnership.
    room
        :func:`headroom` of the configuration.
    label_of_row
        The partnership label of each row of ``table``.

    Returns
    -------
    pandas.Series
        ``headroom_pct`` (points of the mean, 1 decimal), aligned with ``table``.
    """
    values = [round(100 * room.by_partnership[int(lab)] / room.mean, 1) for lab in label_of_row]
    return pd.Series(values, index=table.index, name="headroom_pct")
