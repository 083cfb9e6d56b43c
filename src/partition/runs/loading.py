"""From a run's ``[data]`` and ``[spec]`` tables to its inputs and spec: the first step of every command."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from partition.core.schema import Source
from partition.errors import PartitionError
from partition.io import datapaths
from partition.io.datapaths import data_dir as default_data_dir
from partition.model.spec import PlanSpec
from partition.runs.scenario import Scenario
from partition.units.prepare import Inputs, prepare

if TYPE_CHECKING:
    pass


def data_folder() -> Path | None:
    """The data folder by the documented rule, or None when there is none."""
    try:
        return default_data_dir()
    except PartitionError:
        return None


def prepare_data(data: Mapping[str, Any] | None = None, *, data_dir: str | Path | None = None) -> Inputs:
    """Load the schools, build the planning units and their adjacency graph: the one translation of data options.

    Parameters
    ----------
    data
        The keys of a scenario's ``[data]`` table (:class:`partition.runs.options.DataOptions`):
        ``schools``, ``boundaries`` (paths, relative to the data folder), ``layer``, ``la``
        (DfE LA codes, e.g. ``["850"]``), ``status`` (``open``/``all``), ``kinds``, ``districts``
        (ONS codes), ``units`` (``"sites"`` or a polygon file or folder), ``population`` (CSV),
        ``islands`` (``link``/``error``), ``members``, ``independent_special`` (true/false), ``establishments``,
        ``codepoint``, ``ks5`` (paths; see :func:`partition.data.dataset.load_dataset`). A missing or empty key takes the default of
        :func:`partition.units.prepare.prepare` (Hampshire, open schools, Voronoi units of sites).
    data_dir
        The data folder (default: ``$PARTITION_DATA``, ``../shared/data``, ``data/``).

    Returns
    -------
    Inputs
        The dataset, the units (polygons in metres, BNG EPSG:27700), the schools with their
        unit, and the unit graph.

    Raises
    ------
    DataLocationError, InputFileError
        When a file is missing or unreadable (the message names it and the fix).
    SpecError
        When an LA or district code is not in the data.
    """
    d = dict(data or {})
    options: dict[str, Any] = {}
    if d.get("la"):
        options["la_codes"] = tuple(str(x) for x in d["la"])
    if d.get("status"):
        options["status"] = d["status"]
    if d.get("kinds"):
        options["kinds"] = tuple(d["kinds"])
    if d.get("districts"):
        options["district_codes"] = tuple(d["districts"])
    if d.get("layer"):
        options["layer"] = d["layer"]
    for key in ("members", "independent_special"):
        if d.get(key) is not None:
            options[key] = bool(d[key])
    for key in ("establishments", "codepoint", "ks5"):
        if d.get(key):
            options[key] = d[key]
    options["need"] = _need_option(d, data_dir)
    return prepare(
        d.get("schools"),
        d.get("boundaries"),
        units=d.get("units") or "sites",
        population=d.get("population"),
        island_policy=d.get("islands") or "link",
        data=data_dir,
        **options,
    )


def _need_option(d: Mapping[str, Any], data_dir: str | Path | None) -> bool | dict[str, tuple[str, str]]:
    """``prepare``'s ``need``: False with ``need = false``; the tables given (``children``, ``low_income`` with their
    ``_areas``) over the data folder's defaults for the LAs; else True (the defaults).
    """
    if d.get("need") is False:
        return False
    given = {
        measure: (d[key], d[f"{key}_areas"])
        for measure, key in (("population", "children"), ("low_income", "low_income"))
        if d.get(key)
    }
    if not given:
        return True
    codes = tuple(str(x) for x in d["la"]) if d.get("la") else datapaths.DEFAULT_LA_CODES
    return {**datapaths.default_need(codes, data_dir), **given}


def prepare_scenario(scenario: Scenario) -> Inputs:
    """:func:`prepare_data` of the scenario's ``[data]`` table.

    Parameters
    ----------
    scenario
        The parsed scenario (:func:`partition.runs.scenario.load_scenario`); its ``data`` holds the
        ``[data]`` keys (paths relative to the data folder).

    Returns
    -------
    Inputs
        The dataset, units (EPSG:27700, metres), schools with their unit, and the unit graph.

    Raises
    ------
    DataLocationError, InputFileError, SpecError
        As :func:`prepare_data`.
    """
    return prepare_data(scenario.data)


def spec_from_options(
    base: PlanSpec,
    changes: Mapping[str, Any],
    source: Source,
) -> PlanSpec:
    """``base`` with the changes of command-line options on top, validated as a ``[spec]`` table.

    Parameters
    ----------
    base
        The ``--spec`` file's spec, or the defaults.
    changes
        Any of ``k`` (list), ``tolerance`` (pupils, a fraction), ``schools_min``, ``schools_max``
        (schools per partnership), ``anchors`` (bool), ``districts``, ``split_penalty_km`` (km),
        ``random_state``, ``objective``, ``federations``, ``trusts``, ``trust_penalty_km`` (km),
        ``balance_penalty_km`` (km per point); a key that is None is not a change. ``tolerance`` replaces the pupils
        bound's tolerance (a pupils bound of ±10 % is added when the spec has none); a schools
        bound replaces the spec's ``n_schools`` bound.
    source
        Where the values come from, for the messages (:class:`partition.core.schema.Source` naming the options).

    Returns
    -------
    PlanSpec
        The validated spec.

    Raises
    ------
    SpecError
        When a value breaks a rule of :class:`partition.model.spec.SpecSchema` (the message names the option).
    """
    from partition.core.schema import validate
    from partition.model.spec import SpecSchema, plain_data

    given = {key: value for key, value in changes.items() if value is not None}
    spec = base.to_dict()
    tolerance, low, high = given.pop("tolerance", None), given.pop("schools_min", None), given.pop("schools_max", None)
    if tolerance is not None or low is not None or high is not None:
        given["size"] = _size_bounds(spec["size"], tolerance, low, high)
    return validate(SpecSchema, plain_data({**spec, **given}), source).to_spec()


def _size_bounds(
    sizes: list[dict[str, Any]], tolerance: float | None, low: int | None, high: int | None
) -> list[dict[str, Any]]:
    """The ``size`` bounds with the pupils tolerance and the schools bound of the options put in."""
    schools = low is not None or high is not None
    replaced = {"pupils"} | ({"n_schools"} if schools else set())
    out = [b for b in sizes if b["attribute"] not in replaced]
    pupils = next((b for b in sizes if b["attribute"] == "pupils"), {"attribute": "pupils", "tolerance": 0.10})
    out.insert(0, {**pupils, **({"tolerance": tolerance} if tolerance is not None else {})})
    if schools:
        out.append({"attribute": "n_schools", "tolerance": None, "min": low, "max": high})
    return out
