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
from typing import Any

from pydantic import Field, field_validator, model_validator

from partition.core.schema import Source, StrictModel, read_file_bytes, read_toml, spec_rule, validate
from partition.data.naming import NameOverrides
from partition.model.spec import PlanSpec, SpecSchema
from partition.runs.options import DataOptions, OutputOptions, SolverOptions, Text


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

    data: DataOptions = Field(default_factory=DataOptions, description="[data] with schools, boundaries, la, ...")
    spec: SpecSchema = Field(default_factory=SpecSchema, description="[spec] with k, [[spec.size]], anchors, ...")
    solver: SolverOptions = Field(default_factory=SolverOptions, description="[solver] with name, time_limit, ...")
    outputs: OutputOptions = Field(default_factory=OutputOptions, description="[outputs] with folder, maps, ...")
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
        """The output folder (``[outputs] folder``, ``maps`` by default)."""
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
