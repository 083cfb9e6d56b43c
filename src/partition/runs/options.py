"""Every option of a run defined once: its type, default, check, and the words that describe it.

The scenario file's ``[data]``, ``[solver]`` and ``[outputs]`` tables, the command line's options and the
notebooks all go through these models (as geopandas' ``_config.py`` defines each option once with its doc and
validator): a default lives here and nowhere else, and a bad value is refused in the same words whichever way it
came (:func:`partition.core.schema.validate` names the file and line, or the option).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from partition.analysis.ensemble import DEFAULT_BURN_IN, DEFAULT_CHAINS, DEFAULT_THIN
from partition.core.limits import SAFETY_STOP_SECONDS
from partition.core.schema import Source, StrictModel, validate
from partition.io.schools import DEFAULT_KINDS, KINDS
from partition.io.values import normalise_la_code
from partition.solvers import SOLVERS

Kind = Literal[KINDS]  # type: ignore[valid-type]
SolverName = Literal[SOLVERS]  # type: ignore[valid-type]
Text = Annotated[str, Field(min_length=1)]


class DataOptions(StrictModel):
    """The ``[data]`` table (all keys optional; see :func:`partition.units.prepare.prepare`)."""

    schools: Text | None = Field(
        None, description='a GIAS CSV path in quotes, e.g. schools = "schools/edubasealldata.csv"'
    )
    boundaries: Text | None = Field(None, description="a boundary file path in quotes")
    layer: Text | None = Field(None, description="a layer name of the boundary file, in quotes")
    la: Annotated[list[Annotated[str, Field(pattern=r"^\d{3}$")]], Field(min_length=1)] | None = Field(
        None, description='DfE LA codes as three-digit text, e.g. la = ["850"]'
    )
    status: Literal["open", "all"] | None = Field(None, description="open or all")
    kinds: Annotated[list[Kind], Field(min_length=1)] | None = Field(None, description=f"a list of {', '.join(KINDS)}")
    districts: Annotated[list[Annotated[str, Field(pattern=r"^[EWSN]\d{8}$")]], Field(min_length=1)] | None = Field(
        None, description='ONS district codes, e.g. districts = ["E07000084"]'
    )
    units: Text | None = Field(None, description='"sites" or a polygon file or folder')
    population: Text | None = Field(None, description="a child population CSV path in quotes")
    islands: Literal["link", "error"] | None = Field(None, description="link or error")
    members: bool | None = Field(
        None,
        description="true or false: colleges, special schools and PRUs as members of the partnership they stand in",
    )
    independent_special: bool | None = Field(None, description="true or false: include independent special schools")
    establishments: Text | None = Field(
        None, description="a list of establishments by postcode (DfE spine .xlsx or CSV) path in quotes"
    )
    codepoint: Text | None = Field(None, description="an OS Code-Point Open folder or ZIP path in quotes")
    ks5: Text | None = Field(None, description="a DfE 16-18 performance tables CSV path in quotes")
    need: bool | None = Field(
        None,
        description="true or false: local need from the data folder's tables that cover the LAs (default true; "
        "false gives free school meals only)",
    )
    children: Text | None = Field(
        None, description="a CSV of children by area (a code column and Aged0 ... Aged19) path in quotes"
    )
    children_areas: Text | None = Field(None, description="the polygon file of the children table's areas, in quotes")
    low_income: Text | None = Field(
        None,
        description="a CSV of children in low-income families by area (columns code and value, or the JSNA MSOA "
        "summary) path in quotes",
    )
    low_income_areas: Text | None = Field(
        None, description="the polygon file of the low-income table's areas, in quotes"
    )

    @model_validator(mode="after")
    def _tables_with_their_areas(self) -> DataOptions:
        """A need table comes with the polygons of its areas, and neither with ``need = false``."""
        for table in ("children", "low_income"):
            if bool(getattr(self, table)) != bool(getattr(self, f"{table}_areas")):
                raise ValueError(f"give both {table} and {table}_areas (the table and the polygons of its areas)")
            if getattr(self, table) and self.need is False:
                raise ValueError(f"{table} is given but need = false: remove one")
        return self

    @field_validator("la", mode="before")
    @classmethod
    def _la_without_leading_zeros(cls, value: object) -> object:
        """``"0850"`` is Hampshire's ``"850"`` (:func:`partition.io.values.normalise_la_code`)."""
        if isinstance(value, list):
            return [normalise_la_code(v) if isinstance(v, str) else v for v in value]
        return value


class SolverOptions(StrictModel):
    """The ``[solver]`` table, and the solver options of ``partition plan``."""

    name: SolverName = Field("auto", description=", ".join(SOLVERS))
    time_limit: float = Field(
        SAFETY_STOP_SECONDS,
        allow_inf_nan=False,
        gt=0,
        le=86_400,
        description="a safety stop in seconds of each HiGHS run, more than 0, e.g. 600 (a work budget decides the plan; "
        "if this stop fires first the run is refused)",
    )
    alternatives: int = Field(0, ge=0, le=100, description="a number of alternatives per k from 0 to 100")
    min_difference: int = Field(25, ge=1, description="a number of schools, 1 or more")
    within: float = Field(
        0.05, allow_inf_nan=False, ge=0, description="a share of the best wdist, 0 or more, e.g. 0.05"
    )
    within_districts: bool = Field(
        False,
        description="true or false: also plan each k with every partnership inside one district, at the smallest "
        "pupil tolerance that allows it",
    )


class OutputOptions(StrictModel):
    """The ``[outputs]`` table."""

    folder: Text = Field("maps", description='a folder path in quotes, e.g. folder = "maps"')
    maps: bool = Field(True, description="true or false")
    exports: bool = Field(True, description="true or false")
    pack: bool = Field(True, description="true or false")
    ensemble: int = Field(0, ge=0, le=1_000_000, description="a number of sampled plans, 0 for none, e.g. 1000")
    ensemble_chains: int = Field(
        DEFAULT_CHAINS, ge=1, le=1000, description="a number of independent chains, 1 or more, e.g. 4"
    )
    ensemble_burn_in: int = Field(
        DEFAULT_BURN_IN, ge=0, le=10_000_000, description="steps discarded at the start of each chain, e.g. 2000"
    )
    ensemble_thin: int | None = Field(
        DEFAULT_THIN, ge=1, le=10_000, description="keep every n-th step, 1 or more, e.g. 25 (default: enough to mix)"
    )
    basemap: Literal["osm", "none"] = Field(
        "none", description='"osm" (online OpenStreetMap tiles under the maps) or "none" (offline only)'
    )


# --- the command line's options, as the keys of these tables -------------------------------------------------


def data_from_options(opts: dict[str, Any]) -> dict[str, Any]:
    """The shared data options (removed from ``opts``) as the keys of a ``[data]`` table, validated by DataOptions.

    ``--include-special`` adds special schools and pupil referral units to the kinds;
    ``--data-dir`` is left in ``opts`` (it is not a key of the table).

    Parameters
    ----------
    opts
        The command's parsed options (changed in place: the data options are removed).

    Returns
    -------
    dict
        The ``[data]`` table's keys and values.

    Raises
    ------
    SpecError
        When DataOptions refuses a value (naming the option).
    """
    kinds = tuple(opts.pop("kinds") or DEFAULT_KINDS)
    if opts.pop("include_special"):
        kinds = tuple(dict.fromkeys((*kinds, "special", "pru")))
    data = {
        "schools": opts.pop("schools"),
        "boundaries": opts.pop("boundaries"),
        "layer": opts.pop("layer"),
        # batch chooses the LAs and study areas per job: it has none of these options
        "la": [normalise_la_code(c) for c in opts.pop("la_codes", ())] or None,  # "0850" is Hampshire's 850
        "status": opts.pop("status"),
        "kinds": list(kinds),
        "districts": list(opts.pop("district_codes", ())) or None,
        "units": opts.pop("units", None),
        "population": opts.pop("population", None),
        "islands": opts.pop("islands", None),
        "members": not opts.pop("no_members"),
        "independent_special": opts.pop("independent_special"),
        "establishments": opts.pop("establishments"),
        "codepoint": opts.pop("codepoint"),
        "ks5": opts.pop("ks5"),
    }
    validate_options(
        DataOptions, {"la": data["la"], "districts": data["districts"]}, {"la": "--la", "districts": "--district"}
    )
    return data


OPTION_NAMES = {
    "k": "--k",
    "tolerance": "--tolerance",
    "min": "--schools-min",
    "max": "--schools-max",
    "size": "--schools-min/--schools-max",
    "anchors": "--no-anchors",
    "districts": "--districts",
    "split_penalty_km": "--split-penalty",
    "random_state": "--seed",
    "objective": "--objective",
    "federations": "--federations",
    "feeders": "--feeders",
    "trusts": "--trusts",
    "trust_penalty_km": "--trust-penalty",
    "balance_penalty_km": "--balance-penalty",
    "settlements": "--settlements",
    "settlement_penalty_km": "--settlement-penalty",
    "name": "--solver",
    "time_limit": "--time-limit",
    "alternatives": "--alternatives",
    "min_difference": "--min-difference",
    "within": "--within",
    "ensemble": "--ensemble",
    "ensemble_chains": "--chains",
    "ensemble_burn_in": "--burn-in",
    "ensemble_thin": "--thin",
}
"""Model field -> the option that sets it, so that a bad value is reported as ``option --seed: ...``."""


def validate_options(model: Any, values: dict[str, Any], names: dict[str, str] = OPTION_NAMES) -> Any:
    """Validate option values with a configuration model (the one files use); SpecError names the option."""
    return validate(model, values, Source("options", options=names))


SPEC_OPTIONS = {
    "tolerance": "tolerance",
    "schools_min": "schools_min",
    "schools_max": "schools_max",
    "districts": "districts",
    "split_penalty": "split_penalty_km",
    "seed": "random_state",
    "objective": "objective",
    "federations": "federations",
    "feeders": "feeders",
    "trusts": "trusts",
    "trust_penalty": "trust_penalty_km",
    "balance_penalty": "balance_penalty_km",
    "settlements": "settlements",
    "settlement_penalty": "settlement_penalty_km",
}
"""Each spec option of the commands (its parameter name) and the spec key it sets."""

SOLVER_OPTIONS = {"solver": "name", "time_limit": "time_limit", "alternatives": "alternatives"}
SOLVER_OPTIONS |= {"min_difference": "min_difference", "within": "within"}
"""Each solver option of the commands (its parameter name) and the ``[solver]`` key it sets."""


def spec_changes(opts: dict[str, Any]) -> dict[str, Any]:
    """The spec options given (removed from ``opts``), as spec keys; an option not given is None (the spec's).

    Parameters
    ----------
    opts
        The command's parsed options (changed in place).

    Returns
    -------
    dict
        Spec key -> value or None; ``anchors`` is False with ``--no-anchors``.
    """
    changes = {key: opts.pop(name, None) for name, key in SPEC_OPTIONS.items()}
    changes = {key: (None if value == "" else value) for key, value in changes.items()}
    changes["anchors"] = False if opts.pop("no_anchors", False) else None
    return changes


def solver_from_options(opts: dict[str, Any]) -> dict[str, Any]:
    """The solver options given (removed from ``opts``) as ``[solver]`` keys, checked by
    :class:`~partition.runs.options.SolverOptions` (its defaults are the options' defaults).
    """
    solver = {key: opts.pop(name) for name, key in SOLVER_OPTIONS.items() if name in opts}
    validate_options(SolverOptions, solver)
    return solver


def model_default(model: Any, field: str) -> Any:
    """The default of ``field`` in an options model: the one place it is defined."""
    return model.model_fields[field].default
