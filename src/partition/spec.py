"""The plan specification: what a configuration must satisfy.

A :class:`PlanSpec` is small and immutable; build it in Python or read it from
TOML with :func:`PlanSpec.from_toml`::

    k = [22, 23, 24]
    districts = "ignore"          # "ignore", "penalise" or "nest"
    split_penalty_km = 0.05       # per district split, with "penalise"
    anchors = true                # a secondary, all-through school or college in each
    random_state = 0

    [[size]]
    attribute = "pupils"
    tolerance = 0.10              # ±10 % of the mean

    [[size]]
    attribute = "n_schools"
    min = 12
    max = 35

    [locks]
    together = [[116422, 116423]] # URNs that must share a partnership
    apart = [[115850, 115851]]    # URNs that must not
    pinned = { 116422 = "Basingstoke North" }  # URN -> named partnership
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from partition.errors import SpecError

DISTRICT_MODES = ("ignore", "penalise", "nest")
SIZE_ATTRIBUTES = ("pupils", "n_schools", "population")


@dataclass(frozen=True)
class SizeBound:
    """Bounds on the sum of one unit attribute over a partnership.

    ``tolerance`` gives ``mean × (1 ± tolerance)`` (the mean is the total over
    k); ``min``/``max`` give absolute limits; both may be set (the tighter wins).
    """

    attribute: str = "pupils"
    tolerance: float | None = 0.10
    min: float | None = None
    max: float | None = None

    def __post_init__(self) -> None:
        if self.attribute not in SIZE_ATTRIBUTES:
            raise SpecError(f"unknown size attribute {self.attribute!r}", fix=f"use one of {', '.join(SIZE_ATTRIBUTES)}")
        if self.tolerance is not None and not 0 < self.tolerance < 1:
            raise SpecError(f"size tolerance {self.tolerance} for {self.attribute} must lie between 0 and 1", fix="e.g. 0.10 for ±10 %")
        if self.tolerance is None and self.min is None and self.max is None:
            raise SpecError(f"size bound on {self.attribute} sets neither tolerance nor min/max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise SpecError(f"size bound on {self.attribute}: min {self.min} exceeds max {self.max}")

    def limits(self, total: float, k: int) -> tuple[float, float]:
        """``(low, high)`` for a partnership when ``total`` is shared among ``k``."""
        low, high = 0.0, math.inf
        if self.tolerance is not None:
            mean = total / k
            low, high = mean * (1 - self.tolerance), mean * (1 + self.tolerance)
        if self.min is not None:
            low = max(low, self.min)
        if self.max is not None:
            high = min(high, self.max)
        return low, high

    def describe(self) -> str:
        parts = []
        if self.tolerance is not None:
            parts.append(f"±{self.tolerance:.0%} of the mean")
        if self.min is not None:
            parts.append(f"≥ {self.min:g}")
        if self.max is not None:
            parts.append(f"≤ {self.max:g}")
        return f"{self.attribute} " + ", ".join(parts)


@dataclass(frozen=True)
class Locks:
    """Choices fixed by the planner, by URN."""

    together: tuple[tuple[int, ...], ...] = ()
    apart: tuple[tuple[int, int], ...] = ()
    pinned: tuple[tuple[int, str], ...] = ()

    def __post_init__(self) -> None:
        for group in self.together:
            if len(group) < 2:
                raise SpecError(f"'together' lock {list(group)} needs at least two URNs")
        for pair in self.apart:
            if len(pair) != 2 or pair[0] == pair[1]:
                raise SpecError(f"'apart' lock {list(pair)} needs two different URNs")

    @property
    def empty(self) -> bool:
        return not (self.together or self.apart or self.pinned)

    def urns(self) -> set[int]:
        out = {u for g in self.together for u in g} | {u for p in self.apart for u in p}
        return out | {u for u, _ in self.pinned}


@dataclass(frozen=True)
class PlanSpec:
    """A frozen plan specification (see the module docstring for the TOML form)."""

    k: tuple[int, ...] = (22, 23, 24)
    size: tuple[SizeBound, ...] = (SizeBound(),)
    anchors: bool = True
    districts: str = "ignore"
    split_penalty_km: float = 0.05
    locks: Locks = field(default_factory=Locks)
    random_state: int | None = 0

    def __post_init__(self) -> None:
        ks = (self.k,) if isinstance(self.k, int) else tuple(self.k)
        if not ks or any(not isinstance(k, int) or k < 1 for k in ks):
            raise SpecError(f"k must be one or more positive whole numbers, got {self.k!r}")
        object.__setattr__(self, "k", tuple(dict.fromkeys(ks)))
        object.__setattr__(self, "size", tuple(self.size))
        if self.districts not in DISTRICT_MODES:
            raise SpecError(f"unknown district mode {self.districts!r}", fix=f"use one of {', '.join(DISTRICT_MODES)}")
        if self.split_penalty_km < 0:
            raise SpecError("split_penalty_km must not be negative")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_dict_shallow(self) -> dict[str, Any]:
        """Field values as they are (for ``PlanSpec(**{**spec.to_dict_shallow(), "k": ...})``)."""
        return {f: getattr(self, f) for f in ("k", "size", "anchors", "districts", "split_penalty_km", "locks", "random_state")}

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "spec") -> PlanSpec:
        """Build a spec from plain data (as read from TOML), rejecting unknown keys."""
        known = {"k", "size", "anchors", "districts", "split_penalty_km", "locks", "random_state"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SpecError(f"{source}: unknown key(s) {', '.join(unknown)}", fix=f"use only {', '.join(sorted(known))}")
        kwargs: dict[str, Any] = {k: v for k, v in data.items() if k in {"anchors", "districts", "split_penalty_km", "random_state"}}
        if "k" in data:
            kwargs["k"] = (data["k"],) if isinstance(data["k"], int) else tuple(data["k"])
        if "size" in data:
            sizes = data["size"] if isinstance(data["size"], list) else [data["size"]]
            try:
                # a bound given only by min/max has no tolerance
                kwargs["size"] = tuple(
                    SizeBound(**({"tolerance": None} if "tolerance" not in s and ("min" in s or "max" in s) else {}), **s) for s in sizes
                )
            except TypeError as exc:
                raise SpecError(f"{source}: bad [[size]] entry ({exc})", fix="keys are attribute, tolerance, min, max") from None
        if "locks" in data:
            locks = data["locks"]
            bad = sorted(set(locks) - {"together", "apart", "pinned"})
            if bad:
                raise SpecError(f"{source}: unknown lock kind(s) {', '.join(bad)}", fix="use together, apart, pinned")
            kwargs["locks"] = Locks(
                together=tuple(tuple(int(u) for u in g) for g in locks.get("together", [])),
                apart=tuple((int(a), int(b)) for a, b in locks.get("apart", [])),
                pinned=tuple((int(u), str(n)) for u, n in (locks.get("pinned") or {}).items())
                if isinstance(locks.get("pinned"), dict)
                else tuple((int(u), str(n)) for u, n in locks.get("pinned", [])),
            )
        return cls(**kwargs)

    @classmethod
    def from_toml(cls, path: str | Path) -> PlanSpec:
        """Read a spec from a TOML file (a ``[spec]`` table or the top level)."""
        path = Path(path)
        try:
            data = tomllib.loads(path.read_text())
        except OSError as exc:
            raise SpecError(f"{path}: cannot be read ({exc.strerror})") from None
        except tomllib.TOMLDecodeError as exc:
            raise SpecError(f"{path}: not valid TOML ({exc})") from None
        return cls.from_dict(data.get("spec", data), source=str(path))

    def describe(self) -> str:
        return (
            f"k={','.join(map(str, self.k))}; " + "; ".join(b.describe() for b in self.size)
            + f"; anchors {'on' if self.anchors else 'off'}; districts {self.districts}"
        )
