"""Scenario files: data, spec, solver and outputs of one run, in TOML.

See ``configs/hampshire.toml``. Sections and keys:

``[data]``
    ``schools``, ``boundaries``, ``layer``, ``la`` (list), ``status``, ``kinds`` (list),
    ``districts`` (list of ONS codes), ``units``, ``population``, ``islands``.
``[spec]``
    as :class:`partition.model.spec.PlanSpec` (``k``, ``[[spec.size]]``, ``anchors``,
    ``districts``, ``split_penalty_km``, ``[spec.locks]``, ``random_state``, ``objective``,
    ``federations``, ``feeders``, ``trusts``, ``trust_penalty_km``, ``settlements``,
    ``settlement_penalty_km``, ``balance_penalty_km``).
``[solver]``
    ``name`` (``auto``, ``heuristic``, ``exact`` or a baseline), ``time_limit``,
    ``alternatives``, ``min_difference``, ``within``, ``within_districts`` (also plan each k within
    districts, see :func:`partition.planning.nesting.within_districts_spec`).
``[outputs]``
    ``folder``, ``maps``, ``exports``, ``pack`` (booleans), ``basemap`` (``"osm"`` or ``"none"``), ``ensemble`` (plans sampled
    to rank each configuration; 0 for none), ``ensemble_chains`` (independent chains, default 4),
    ``ensemble_burn_in`` (steps discarded per chain, default 2,000), ``ensemble_thin`` (keep every n-th step,
    default: enough steps for the chains to mix, see :func:`partition.analysis.ensemble.default_thin`); see
    :func:`partition.analysis.ensemble.ensemble`.
``[names]``
    partnership names chosen by the planner (see :mod:`partition.data.naming`):
    ``[names.schools]`` URN = name (the partnership containing that school is
    called that, in every configuration) and ``[names.rename]`` "generated name"
    = name. A URN that is not loaded, one name for two partnerships, or a rename
    no configuration uses is an error naming the line.

Unknown keys and bad values are rejected naming the file, line and fix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from partition.analysis.ensemble import DEFAULT_BURN_IN, DEFAULT_CHAINS, DEFAULT_THIN
from partition.core.limits import SAFETY_STOP_SECONDS
from partition.core.schema import Source, StrictModel, read_file_bytes, read_toml, spec_rule, validate
from partition.data.naming import NameOverrides
from partition.io.schools import KINDS
from partition.io.values import normalise_la_code
from partition.model.spec import PlanSpec, SpecSchema
from partition.solvers import SOLVERS

Kind = Literal[KINDS]  # type: ignore[valid-type]
SolverName = Literal[SOLVERS]  # type: ignore[valid-type]
Text = Annotated[str, Field(min_length=1)]


class DataSchema(StrictModel):
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
    def _tables_with_their_areas(self) -> DataSchema:
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


class SolverSchema(StrictModel):
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


class OutputsSchema(StrictModel):
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


class NamesSchema(StrictModel):
    """The ``[names]`` table: partnership names chosen by the planner."""

    schools: dict[str, Text] = Field(
        default_factory=dict,
        description='URN = name of the partnership containing that school, e.g. 116422 = "Basingstoke North"',
    )
    rename: dict[str, Text] = Field(
        default_factory=dict, description='generated name = new name, e.g. "Fareham & Locks Heath" = "Western Wards"'
    )

    @field_validator("schools")
    @classmethod
    def _urn_keys(cls, value: dict[str, str]) -> dict[str, str]:
        for urn in value:
            if not urn.strip().isdigit() or int(urn) <= 0:
                raise spec_rule(f"[names.schools] key {urn!r} is not a URN", "use the school's URN (digits) as the key")
        return value

    @model_validator(mode="after")
    def _one_name_each(self) -> NamesSchema:
        targets = list(self.rename.values())
        for name in targets:
            if targets.count(name) > 1:
                old = [o for o, n in self.rename.items() if n == name]
                raise spec_rule(
                    f"[names.rename] gives {name!r} to both {old[0]!r} and {old[1]!r}",
                    "give each partnership its own name",
                )
        clash = sorted(set(targets) & set(self.schools.values()))
        if clash:
            raise spec_rule(
                f"{clash[0]!r} is given both in [names.schools] and in [names.rename]",
                "give each partnership its own name (in one of the two tables)",
            )
        return self


class ScenarioSchema(StrictModel):
    """A whole scenario file."""

    data: DataSchema = Field(default_factory=DataSchema, description="[data] with schools, boundaries, la, ...")
    spec: SpecSchema = Field(default_factory=SpecSchema, description="[spec] with k, [[spec.size]], anchors, ...")
    solver: SolverSchema = Field(default_factory=SolverSchema, description="[solver] with name, time_limit, ...")
    outputs: OutputsSchema = Field(default_factory=OutputsSchema, description="[outputs] with folder, maps, ...")
    names: NamesSchema = Field(default_factory=NamesSchema, description="[names] with schools, rename")


@dataclass(frozen=True)
class Scenario:
    """A parsed scenario file.

    ``data``, ``solver`` and ``outputs`` hold the keys the file sets (validated), so that the
    manifest records the scenario as written; ``spec`` is complete. ``sha256`` is that of the bytes
    ``text`` was read from (blank for a scenario built in code).
    """

    path: Path
    data: dict[str, Any]
    spec: PlanSpec
    solver: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    names: NameOverrides | None = None
    sha256: str = ""

    @property
    def folder(self) -> Path:
        return Path(self.outputs.get("folder", "maps"))


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Parameters
    ----------
    path
        The TOML file.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    SpecError
        When the file cannot be read, is not TOML, or does not fit :class:`ScenarioSchema`: the message
        names the file, the line of the offending key and the fix.
    """
    path = Path(path)
    data = read_file_bytes(path)
    raw, text = read_toml(path, data=data)
    model = validate(ScenarioSchema, raw, Source(str(path), text))
    return Scenario(
        path=path,
        data=model.data.model_dump(exclude_unset=True),
        spec=model.spec.to_spec(),
        solver=model.solver.model_dump(exclude_unset=True),
        outputs=model.outputs.model_dump(exclude_unset=True),
        text=text,
        names=NameOverrides.from_table(model.names.model_dump(), str(path), text),
        sha256=hashlib.sha256(data).hexdigest(),
    )
