"""The plan specification: what a configuration must satisfy.

A :class:`PlanSpec` is small and immutable; build it in Python or read it from
TOML with :func:`PlanSpec.from_toml`::

    k = [22, 23, 24]
    districts = "ignore"          # "ignore", "penalise" or "nest"
    split_penalty_km = 0.05       # km per district a partnership reaches beyond its first, with "penalise"
    anchors = true                # a secondary, all-through school or college in each
    objective = "centroid"        # "centroid" (wdist) or "hub" (distance to the partnership's hub school)
    random_state = 0
    federations = "together"      # each GIAS federation in one partnership ("together") or not ("ignore")
    trusts = "ignore"             # academy trusts only reported ("ignore") or kept whole where it costs little ("prefer")
    trust_penalty_km = 0.02       # km per trust split (a trust's partnerships beyond its first), with "prefer"
    settlements = "prefer"        # towns and villages kept whole where it costs little ("prefer") or not ("ignore")
    settlement_penalty_km = 0.01  # km per settlement split (a town's partnerships beyond its first), with "prefer"
    balance_penalty_km = 0.003    # km per point of the mean a partnership lies outside ±5 % (0: sizes anywhere within the bound)

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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import Field, field_validator, model_validator

from partition.core.limits import check_k_values, listed
from partition.core.schema import Source, StrictModel, read_toml, spec_rule, validate
from partition.errors import SizeLimitError, SpecError

DistrictMode = Literal["ignore", "penalise", "nest"]
FederationMode = Literal["together", "ignore"]
FEDERATION_MODES: tuple[str, ...] = get_args(FederationMode)
TrustMode = Literal["ignore", "prefer"]
TRUST_MODES: tuple[str, ...] = get_args(TrustMode)
DEFAULT_TRUST_PENALTY_KM = 0.02
"""km added to the objective per trust split (a trust's partnerships beyond its first) under ``trusts = "prefer"``.

A soft preference, in the units of wdist: on the 2022 Hampshire primaries (109,478 pupils) 0.02 km is
2,190 pupil-km, a median school (226 pupils) placed about 10 km further from its partnership's centre. Measured
there (k = 23, anchors off; 6 trusts of two or more schools): with the full search (``--solver auto``, seeds 0-4)
trust splits fall from 6.0 to 5.0 on average (5 at every seed) and mean wdist moves from 3.624 to 3.621 km; with
the preview search (``--solver heuristic``, seeds 0-8) from 6.6 to 4.9 splits, mean wdist 3.729 to 3.736 km
(+0.2 %). Both changes of wdist are well inside its spread between seeds (about 0.03 and 0.06 km), so the default
costs no measurable distance. 0.05 km goes further (3.4 splits, full search; 4.3, preview) at a measurable cost,
+0.021 and +0.024 km of mean wdist (+0.6 %); most splits left are trusts whose schools lie 15-25 km apart."""
DEFAULT_SETTLEMENT_PENALTY_KM = 0.01
"""km added to the objective per settlement split (a town's or village's partnerships beyond its first: its schools
as :func:`partition.data.places.school_places` places them, a town with its suburbs) under ``settlements = "prefer"``.
Chosen by ``benchmarks/settlements.py``, where its price in distance is recorded."""
DEFAULT_BALANCE_PENALTY_KM = 0.003
"""km added to the objective per percentage point of the mean by which a partnership's size lies outside the
preferred band, half-way between the mean and each size limit (±5 % under ±10 %), and 5 times that again for each
point within one point of a limit (see :mod:`partition.model.balance`).

Without it the search fills the band: at k = 23 on the Hampshire default 11 of 23 partnerships ended within one
point of a ±10 % limit. The figures it was chosen by are in ``benchmarks/balance.py``."""
Objective = Literal["centroid", "hub"]
OBJECTIVES: tuple[str, ...] = get_args(Objective)
SizeAttribute = Literal["pupils", "n_schools", "population", "fsm", "low_income"]
DISTRICT_MODES: tuple[str, ...] = get_args(DistrictMode)
SIZE_ATTRIBUTES: tuple[str, ...] = get_args(SizeAttribute)
MAX_SEED = 2**32 - 1
"""numpy's RandomState takes seeds from 0 to 2**32 - 1."""


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
        """Refuse an attribute that is not a measure (:data:`SIZE_ATTRIBUTES`)."""
        if self.attribute not in SIZE_ATTRIBUTES:
            raise SpecError(
                f"unknown size attribute {self.attribute!r}", fix=f"use one of {', '.join(SIZE_ATTRIBUTES)}"
            )
        if self.tolerance is not None and not 0 < self.tolerance < 1:
            raise SpecError(
                f"size tolerance {self.tolerance} for {self.attribute} must lie between 0 and 1",
                fix="e.g. 0.10 for ±10 %",
            )
        if self.tolerance is None and self.min is None and self.max is None:
            raise SpecError(f"size bound on {self.attribute} sets neither tolerance nor min/max")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise SpecError(f"size bound on {self.attribute}: min {self.min} exceeds max {self.max}")

    def limits(self, total: float, k: int) -> tuple[float, float]:
        """``(low, high)`` for a partnership when ``total`` is shared among ``k``.

        Parameters
        ----------
        total
            The attribute's total over the area planned (pupils, schools or child population).
        k
            Partnerships the total is shared among.

        Returns
        -------
        tuple of float
            ``(low, high)`` in the attribute's units: ``mean × (1 ∓ tolerance)`` with
            ``mean = total / k`` when a tolerance is set, narrowed by ``min`` and ``max`` (the
            tighter wins); ``(0, inf)`` when the bound sets none.
        """
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
        """The bound in words: ``pupils ±10% of the mean``, with its minimum and maximum when given."""
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
        """Refuse a 'together' lock of one school and an 'apart' lock of one school twice."""
        for group in self.together:
            if len(group) < 2:
                raise SpecError(f"'together' lock {list(group)} needs at least two URNs")
        for pair in self.apart:
            if len(pair) != 2 or pair[0] == pair[1]:
                raise SpecError(f"'apart' lock {list(pair)} needs two different URNs")

    @property
    def empty(self) -> bool:
        """Whether no school is locked."""
        return not (self.together or self.apart or self.pinned)

    def urns(self) -> set[int]:
        """Every URN named by a lock."""
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
    objective: str = "centroid"
    """What the plan minimises and its bound is on: ``"centroid"`` (wdist, km to the partnership's pupil-weighted
    centroid; no proven bound) or ``"hub"`` (km to the partnership's hub school, see
    :func:`partition.model.scoring.hub_distance_km`; proven bound and gap reported)."""
    federations: str = "together"
    """``"together"``: each federation of the loaded schools (GIAS ``Federations (name)``) is kept in one
    partnership, as a ``together`` lock derived from the data (see :mod:`partition.data.federations`);
    ``"ignore"``: federations are not looked at."""
    feeders: str = "together"
    """``"together"``: each feeder pair (an infant school and its junior school, a first and its middle school,
    recognised from the data by :mod:`partition.data.feeders`) is kept in one partnership, as a ``together`` lock;
    ``"ignore"``: pairs are only reported (kept or split)."""
    trusts: str = "ignore"
    """``"ignore"``: academy trusts (GIAS ``Trusts (name)``) are only reported (``trust splits``); ``"prefer"``: the
    objective adds ``trust_penalty_km`` per trust split, so plans keep trusts whole where it costs little."""
    trust_penalty_km: float = DEFAULT_TRUST_PENALTY_KM
    """km added to the objective per trust split with ``trusts = "prefer"`` (see :data:`DEFAULT_TRUST_PENALTY_KM`)."""
    settlements: str = "prefer"
    """``"prefer"``: the objective adds ``settlement_penalty_km`` per settlement split (a town or village of two or
    more schools whose schools are in more than one partnership, counted as its partnerships beyond the first), so
    towns are kept whole where it costs little; ``"ignore"``: settlements are only reported."""
    settlement_penalty_km: float = DEFAULT_SETTLEMENT_PENALTY_KM
    """km added to the objective per settlement split with ``settlements = "prefer"``."""
    balance_penalty_km: float = DEFAULT_BALANCE_PENALTY_KM
    """km added to the objective per percentage point of the mean a partnership's size lies outside the preferred
    band (see :data:`DEFAULT_BALANCE_PENALTY_KM`); 0: any size within the bounds is as good as another."""

    def __post_init__(self) -> None:
        """Refuse values no plan can have (k below 1, unknown modes, negative penalties), naming the fix."""
        ks = (self.k,) if isinstance(self.k, int) else tuple(self.k)
        bad = list(dict.fromkeys(repr(k) for k in ks if not isinstance(k, int) or k < 1))
        if not ks or bad:
            raise SpecError(f"k must be one or more positive whole numbers, got {listed(bad) or 'none'}")
        check_k_values(ks, "spec")
        object.__setattr__(self, "k", tuple(dict.fromkeys(ks)))
        object.__setattr__(self, "size", tuple(self.size))
        if self.districts not in DISTRICT_MODES:
            raise SpecError(f"unknown district mode {self.districts!r}", fix=f"use one of {', '.join(DISTRICT_MODES)}")
        if self.split_penalty_km < 0:
            raise SpecError("split_penalty_km must not be negative")
        if self.objective not in OBJECTIVES:
            raise SpecError(f"unknown objective {self.objective!r}", fix=f"use one of {', '.join(OBJECTIVES)}")
        if self.federations not in FEDERATION_MODES:
            raise SpecError(
                f"unknown federations mode {self.federations!r}", fix=f"use one of {', '.join(FEDERATION_MODES)}"
            )
        if self.feeders not in FEDERATION_MODES:
            raise SpecError(f"unknown feeders mode {self.feeders!r}", fix=f"use one of {', '.join(FEDERATION_MODES)}")
        if self.trusts not in TRUST_MODES:
            raise SpecError(f"unknown trusts mode {self.trusts!r}", fix=f"use one of {', '.join(TRUST_MODES)}")
        if not math.isfinite(self.trust_penalty_km) or self.trust_penalty_km < 0:
            raise SpecError(
                f"trust_penalty_km must be a finite number of km, 0 or more, got {self.trust_penalty_km!r}",
                fix=f"e.g. {DEFAULT_TRUST_PENALTY_KM}",
            )
        if self.settlements not in TRUST_MODES:
            raise SpecError(
                f"unknown settlements mode {self.settlements!r}", fix=f"use one of {', '.join(TRUST_MODES)}"
            )
        if not math.isfinite(self.settlement_penalty_km) or self.settlement_penalty_km < 0:
            raise SpecError(
                f"settlement_penalty_km must be a finite number of km, 0 or more, got {self.settlement_penalty_km!r}",
                fix=f"e.g. {DEFAULT_SETTLEMENT_PENALTY_KM}",
            )
        if not math.isfinite(self.balance_penalty_km) or self.balance_penalty_km < 0:
            raise SpecError(
                f"balance_penalty_km must be a finite number of km, 0 or more, got {self.balance_penalty_km!r}",
                fix=f"e.g. {DEFAULT_BALANCE_PENALTY_KM}, or 0 for no preference",
            )

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data, for ``plan.json`` and the manifest."""
        return asdict(self)

    def to_dict_shallow(self) -> dict[str, Any]:
        """Field values as they are (for ``PlanSpec(**{**spec.to_dict_shallow(), "k": ...})``)."""
        return {
            f: getattr(self, f)
            for f in (
                "k",
                "size",
                "anchors",
                "districts",
                "split_penalty_km",
                "locks",
                "random_state",
                "objective",
                "federations",
                "feeders",
                "trusts",
                "trust_penalty_km",
                "settlements",
                "settlement_penalty_km",
                "balance_penalty_km",
            )
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str = "spec") -> PlanSpec:
        """Build a spec from plain data (as read from TOML or ``plan.json``), validated by :class:`SpecSchema`.

        Parameters
        ----------
        data
            The spec's keys (``k``, ``size``, ``anchors``, ``districts``, ``split_penalty_km``,
            ``locks``, ``random_state``, ``objective``, ``federations``, ``trusts``, ``trust_penalty_km``,
            ``settlements``, ``settlement_penalty_km``, ``balance_penalty_km``);
            tuples are accepted as lists.
        source
            Where the data came from, for messages (a file name or ``"spec"``).

        Returns
        -------
        PlanSpec

        Raises
        ------
        SpecError
            Naming ``source``, the key and the fix, when the data does not fit the schema.
        """
        return validate(SpecSchema, plain_data(data), Source(source)).to_spec()

    @classmethod
    def from_toml(cls, path: str | Path) -> PlanSpec:
        """Read a spec from a TOML file (a ``[spec]`` table or the top level).

        Parameters
        ----------
        path
            A UTF-8 TOML file, e.g. a scenario in ``configs/`` (its ``[spec]`` table) or a spec file.

        Returns
        -------
        PlanSpec

        Raises
        ------
        SpecError
            Naming the file, the line of the offending key and the fix; also when the file cannot
            be read, is not UTF-8 or is not valid TOML.
        """
        data, text = read_toml(path)
        prefix: tuple[str, ...] = ("spec",) if "spec" in data else ()
        return validate(SpecSchema, data["spec"] if prefix else data, Source(str(path), text, prefix)).to_spec()

    def describe(self) -> str:
        """The spec in one line of words, as runs print it."""
        return (
            f"k={','.join(map(str, self.k))}; "
            + "; ".join(b.describe() for b in self.size)
            + f"; anchors {'on' if self.anchors else 'off'}; districts {self.districts}"
            + (f"; objective {self.objective}" if self.objective != "centroid" else "")
            + f"; federations {self.federations}; feeder pairs {self.feeders}"
            + (f"; trusts prefer ({self.trust_penalty_km:g} km per split)" if self.trusts == "prefer" else "")
            + (
                f"; towns kept whole where it costs little ({self.settlement_penalty_km:g} km per split)"
                if self.settlements == "prefer"
                else ""
            )
            + (
                f"; sizes near the mean ({self.balance_penalty_km:g} km per point outside the preferred band)"
                if self.balance_penalty_km
                else "; sizes anywhere within the bounds"
            )
        )


# --- the schema of spec files, scenario [spec] tables and ``partition plan`` options ---------------------------

URN = Annotated[int, Field(gt=0, description="a school URN (a positive whole number)")]


def plain_data(data: Any) -> Any:
    """Tuples (from :func:`dataclasses.asdict`) as lists, so that strict validation accepts them.

    Parameters
    ----------
    data
        Plain data: dicts, lists, tuples and scalars, nested.

    Returns
    -------
    object
        The same data with every tuple (at any depth) turned into a list; dicts are copied,
        other values returned as they are.
    """
    if isinstance(data, dict):
        return {k: plain_data(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [plain_data(v) for v in data]
    return data


class SizeSchema(StrictModel):
    """One ``[[spec.size]]`` table."""

    attribute: SizeAttribute = Field(
        "pupils",
        description="pupils, n_schools, population (children 0-19), fsm (pupils eligible for free school meals) or low_income (children in low-income families)",
    )
    tolerance: float | None = Field(
        0.10, allow_inf_nan=False, gt=0, lt=1, description="a share of the mean between 0 and 1, e.g. 0.10 for ±10 %"
    )
    min: float | None = Field(None, allow_inf_nan=False, ge=0, description="the least total per partnership, 0 or more")
    max: float | None = Field(
        None, allow_inf_nan=False, gt=0, description="the largest total per partnership, more than 0"
    )

    @model_validator(mode="before")
    @classmethod
    def _no_default_tolerance_with_limits(cls, data: Any) -> Any:
        # a bound given only by min/max has no tolerance
        if isinstance(data, dict) and "tolerance" not in data and ("min" in data or "max" in data):
            return {**data, "tolerance": None}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> SizeSchema:
        if self.tolerance is None and self.min is None and self.max is None:
            raise spec_rule(
                f"the size bound on {self.attribute} sets neither tolerance nor min/max", "give tolerance, min or max"
            )
        if self.min is not None and self.max is not None and self.min > self.max:
            raise spec_rule(
                f"the size bound on {self.attribute} has min {self.min:g} above max {self.max:g}",
                "make min at most max",
            )
        return self

    def to_bound(self) -> SizeBound:
        """The validated ``[[spec.size]]`` table as a :class:`SizeBound`."""
        return SizeBound(self.attribute, tolerance=self.tolerance, min=self.min, max=self.max)


class LocksSchema(StrictModel):
    """The ``[spec.locks]`` table."""

    together: list[Annotated[list[URN], Field(min_length=2)]] = Field(
        default_factory=list, description="groups of two or more URNs, e.g. together = [[116422, 116423]]"
    )
    apart: list[Annotated[list[URN], Field(min_length=2, max_length=2)]] = Field(
        default_factory=list, description="pairs of different URNs, e.g. apart = [[115850, 115851]]"
    )
    pinned: dict[str, Annotated[str, Field(min_length=1)]] = Field(
        default_factory=dict, description='URN = partnership name, e.g. pinned = { 116422 = "Basingstoke North" }'
    )

    @field_validator("pinned", mode="before")
    @classmethod
    def _pairs_as_table(cls, value: Any) -> Any:
        # plan.json stores pinned as [[urn, name], ...]
        if isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
            return {str(u): n for u, n in value}
        return value

    @field_validator("pinned")
    @classmethod
    def _urn_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for urn in value:
            if not urn.strip().isdigit() or int(urn) <= 0:
                raise spec_rule(f"pinned key {urn!r} is not a URN", "use the school's URN (digits) as the key")
        return value

    @field_validator("apart")
    @classmethod
    def _different(cls, value: list[list[int]]) -> list[list[int]]:
        for a, b in value:
            if a == b:
                raise spec_rule(f"the apart lock [{a}, {b}] names one school twice", "give two different URNs")
        return value

    def to_locks(self) -> Locks:
        """The validated ``[spec.locks]`` table as :class:`Locks`."""
        return Locks(
            together=tuple(tuple(g) for g in self.together),
            apart=tuple((a, b) for a, b in self.apart),
            pinned=tuple((int(u), n) for u, n in self.pinned.items()),
        )


class SpecSchema(StrictModel):
    """A plan specification as written in a file or given by options (see the module docstring)."""

    k: Annotated[list[Annotated[int, Field(ge=1)]], Field(min_length=1)] = Field(
        default_factory=lambda: [22, 23, 24], description="one or more numbers of partnerships, e.g. k = [22, 23, 24]"
    )
    size: list[SizeSchema] = Field(
        default_factory=lambda: [SizeSchema()], description="[[size]] tables with attribute, tolerance, min, max"
    )
    anchors: bool = Field(True, description="true or false")
    districts: DistrictMode = Field("ignore", description="ignore, penalise or nest")
    split_penalty_km: float = Field(
        0.05,
        allow_inf_nan=False,
        ge=0,
        description="km per district a partnership reaches beyond its first, 0 or more, e.g. 0.05",
    )
    locks: LocksSchema = Field(default_factory=LocksSchema, description="together, apart, pinned")
    random_state: int | None = Field(0, ge=0, le=MAX_SEED, description=f"a seed from 0 to {MAX_SEED}")
    objective: Objective = Field("centroid", description="centroid (wdist) or hub (distance to the hub school)")
    federations: FederationMode = Field(
        "together", description="together (each GIAS federation in one partnership) or ignore"
    )
    feeders: FederationMode = Field(
        "together", description="together (each infant-junior or first-middle pair in one partnership) or ignore"
    )
    trusts: TrustMode = Field(
        "ignore", description="ignore (academy trusts only reported) or prefer (a penalty per trust split)"
    )
    trust_penalty_km: float = Field(
        DEFAULT_TRUST_PENALTY_KM,
        allow_inf_nan=False,
        ge=0,
        description=f"km per trust split with trusts = prefer, 0 or more, e.g. {DEFAULT_TRUST_PENALTY_KM}",
    )
    settlements: TrustMode = Field(
        "prefer", description="prefer (a penalty per town or village split) or ignore (only reported)"
    )
    settlement_penalty_km: float = Field(
        DEFAULT_SETTLEMENT_PENALTY_KM,
        allow_inf_nan=False,
        ge=0,
        description=f"km per settlement split with settlements = prefer, 0 or more, e.g. {DEFAULT_SETTLEMENT_PENALTY_KM}",
    )
    balance_penalty_km: float = Field(
        DEFAULT_BALANCE_PENALTY_KM,
        allow_inf_nan=False,
        ge=0,
        description="km per point of the mean a partnership lies outside the preferred band (half-way to each "
        f"limit), 0 or more, e.g. {DEFAULT_BALANCE_PENALTY_KM}",
    )

    @field_validator("k", mode="before")
    @classmethod
    def _one_k(cls, value: Any) -> Any:
        return [value] if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("k")
    @classmethod
    def _few_enough_k(cls, value: list[int]) -> list[int]:
        try:
            check_k_values(value)
        except SizeLimitError as exc:
            raise spec_rule(exc.message, exc.fix or "") from None
        return value

    @field_validator("size", mode="before")
    @classmethod
    def _one_size(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    def to_spec(self) -> PlanSpec:
        """The frozen :class:`PlanSpec` used by the planner."""
        return PlanSpec(
            k=tuple(self.k),
            size=tuple(s.to_bound() for s in self.size),
            anchors=self.anchors,
            districts=self.districts,
            split_penalty_km=self.split_penalty_km,
            locks=self.locks.to_locks(),
            random_state=self.random_state,
            objective=self.objective,
            federations=self.federations,
            feeders=self.feeders,
            trusts=self.trusts,
            trust_penalty_km=self.trust_penalty_km,
            settlements=self.settlements,
            settlement_penalty_km=self.settlement_penalty_km,
            balance_penalty_km=self.balance_penalty_km,
        )
