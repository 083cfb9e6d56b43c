"""The preferred band: a soft preference for partnership sizes near the mean, inside the hard size limits.

A search that only minimises distance inside a hard ±10 % band fills the band: half the partnerships end a
few pupils inside a limit, and the next roll count breaks the published rule. With a **balance penalty**
the objective adds, for every partnership and every bounded attribute, :attr:`Balance.km_per_point` km per
percentage point of the mean by which the partnership's size lies outside the **preferred band**: from each
limit :data:`PREFERRED_SHARE` of the way towards the mean (±5 % inside a ±10 % bound). Inside the preferred
band a partnership costs nothing; a partnership at +9 % of the mean under ±10 % costs 4 points.

The penalty is linear in the points outside, so it reads as a price: "each point a partnership lies beyond
±5 % of the mean is worth 10 m of average distance" (``km_per_point`` = 0.01).

The last :data:`partition.model.headroom.NEAR_POINTS` point before each hard limit (where a partnership is **near a
limit**: the next roll count may break the rule) costs :data:`MARGIN_WEIGHT` times more again: a partnership at
+9.5 % of the mean under ±10 % costs 4.5 points plus 5 × 0.5 points. The price rises where the risk does, so the
search leaves the edge of the hard band before it spends distance on the middle of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from partition.model.headroom import NEAR_POINTS

PREFERRED_SHARE = 0.5
"""How far from each size limit towards the mean the preferred band starts (0.5: half-way, ±5 % under ±10 %)."""

MARGIN_WEIGHT = 5.0
"""Extra price, in multiples of ``km_per_point``, of each point of the mean within :data:`NEAR_POINTS` of a hard limit."""


@dataclass(frozen=True)
class Balance:
    """The preferred band of each bounded attribute and its price.

    Attributes
    ----------
    low, high
        Preferred band per attribute (attribute units; ``high`` may be infinite), shape (attributes,).
    margin_low, margin_high
        Where the margin of each hard limit starts (the limit moved :data:`NEAR_POINTS` points of the mean
        inwards, never past the preferred band), shape (attributes,).
    mean
        Mean per partnership of each attribute (its total / k), shape (attributes,); the unit of a point.
    km_per_point
        km added to the objective per percentage point of the mean outside the preferred band, per partnership
        and attribute (0: no preference).
    """

    low: np.ndarray
    high: np.ndarray
    mean: np.ndarray
    km_per_point: float
    margin_low: np.ndarray | None = None
    margin_high: np.ndarray | None = None

    @classmethod
    def of(cls, low: np.ndarray, high: np.ndarray, totals: np.ndarray, k: int, km_per_point: float) -> Balance:
        """The preferred band of hard limits ``low``–``high``.

        Parameters
        ----------
        low, high
            Hard limits per attribute (attribute units), shape (attributes,).
        totals
            Total of each attribute over the whole problem, shape (attributes,).
        k
            Partnerships.
        km_per_point
            Price of a point outside the band (km).

        Returns
        -------
        Balance
            The band from each limit :data:`PREFERRED_SHARE` of the way to the mean (the mean clipped into the
            limits) and the margins of the limits; an unbounded side stays unbounded.
        """
        low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        totals = np.asarray(totals, dtype=float)
        mean = np.where(totals > 0, totals / max(k, 1), 1.0)
        centre = np.clip(mean, low, np.where(np.isfinite(high), high, np.inf))
        band_low = (1 - PREFERRED_SHARE) * low + PREFERRED_SHARE * centre
        band_high = np.where(np.isfinite(high), (1 - PREFERRED_SHARE) * high + PREFERRED_SHARE * centre, np.inf)
        near = NEAR_POINTS / 100.0 * mean
        margin_low = np.minimum(low + near, band_low)
        margin_high = np.where(np.isfinite(high), np.maximum(high - near, band_high), np.inf)
        return cls(band_low, band_high, mean, float(km_per_point), margin_low, margin_high)

    def points_outside(self, sums: np.ndarray) -> np.ndarray:
        """Percentage points of the mean outside the preferred band, summed over the attributes.

        Parameters
        ----------
        sums
            Sizes, shape (..., attributes).

        Returns
        -------
        numpy.ndarray
            Shape ``sums.shape[:-1]``: 100 × Σ (below ``low`` + above ``high``) / ``mean``.
        """
        return self._points(sums, self.low, self.high)

    def points_near(self, sums: np.ndarray) -> np.ndarray:
        """Percentage points of the mean inside the margins of the hard limits, summed over the attributes.

        Parameters
        ----------
        sums
            Sizes, shape (..., attributes).

        Returns
        -------
        numpy.ndarray
            Shape ``sums.shape[:-1]``: 100 × Σ (below ``margin_low`` + above ``margin_high``) / ``mean`` (0 without
            margins).
        """
        if self.margin_low is None or self.margin_high is None:
            return np.zeros(np.asarray(sums).shape[:-1])
        return self._points(sums, self.margin_low, self.margin_high)

    def _points(self, sums: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        sums = np.asarray(sums, dtype=float)
        if sums.shape[-1] == 0:
            return np.zeros(sums.shape[:-1])
        outside = np.maximum(0.0, low - sums) + np.maximum(0.0, sums - high)
        return 100.0 * (outside / self.mean).sum(axis=-1)

    def penalty_km(self, sums: np.ndarray) -> np.ndarray:
        """The objective's balance term (km) of partnerships of sizes ``sums`` (shape (..., attributes)): the price
        of the points outside the preferred band and :data:`MARGIN_WEIGHT` times it for the points near a limit.
        """
        if not self.km_per_point:
            return np.zeros(np.asarray(sums).shape[:-1])
        return self.km_per_point * (self.points_outside(sums) + MARGIN_WEIGHT * self.points_near(sums))
