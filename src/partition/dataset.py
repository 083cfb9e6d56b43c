"""One call that loads schools and districts the way every command needs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from partition import datapaths
from partition.districts import DEFAULT_TOLERANCE_M, assign_districts, select_districts
from partition.errors import EmptySelectionError
from partition.io.boundaries import read_boundaries
from partition.io.schools import DEFAULT_KINDS, read_gias


@dataclass
class Dataset:
    """Schools with their districts, the districts, and everything left out.

    Attributes
    ----------
    schools
        Schools kept (see :mod:`partition.io.schools`) plus ``district_code``,
        ``district``, ``district_rule``, ``offset_m``; EPSG:27700.
    districts
        The study area's districts: ``code``, ``name``, ``geometry``.
    excluded
        Every record left out: ``URN``, ``name``, ``reason``.
    disagreements
        GIAS district field vs polygon, per school that differs.
    imputed
        URNs with imputed pupil numbers.
    notes
        Other things the user should know (districts left out, encodings ...).
    sources
        The files read.
    """

    schools: gpd.GeoDataFrame
    districts: gpd.GeoDataFrame
    excluded: pd.DataFrame
    disagreements: pd.DataFrame
    imputed: list[int]
    notes: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    la_codes: tuple[str, ...] = ()

    @property
    def outline(self) -> shapely.Geometry:
        """The study area: union of the districts."""
        return shapely.union_all(self.districts.geometry.to_numpy())


def load_dataset(
    schools: str | Path | None = None,
    boundaries: str | Path | None = None,
    *,
    la_codes: tuple[str, ...] | list[str] = datapaths.DEFAULT_LA_CODES,
    status: str = "open",
    kinds: tuple[str, ...] | list[str] = DEFAULT_KINDS,
    district_codes: list[str] | tuple[str, ...] | None = None,
    layer: str | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    data: str | Path | None = None,
) -> Dataset:
    """Load schools and district boundaries for one or more LAs.

    Parameters
    ----------
    schools, boundaries
        Files; default to the Hampshire extracts for LA 850 and the England
        files otherwise, found by the rule of :mod:`partition.datapaths`.
    la_codes
        DfE LA codes (``"850"`` Hampshire, ``"936"`` Surrey, ``"878"`` Devon, ...).
    status
        ``"open"`` or ``"all"``.
    kinds
        School kinds to load.
    district_codes
        ONS district codes; default: the districts holding the schools.
    tolerance_m
        Edge tolerance for district assignment (see :mod:`partition.districts`).
    data
        Data folder overriding the location rule.
    """
    la_codes = tuple(str(c) for c in la_codes)
    default_s, default_b = datapaths.default_inputs(la_codes, data)
    schools_path = datapaths.resolve(schools or default_s, data)
    boundaries_path = datapaths.resolve(boundaries or default_b, data)
    load = read_gias(schools_path, la_codes=la_codes, status=status, kinds=kinds)
    if load.schools.empty:
        raise EmptySelectionError(
            f"{schools_path}: no school left after the filters (LA {', '.join(la_codes)}, status {status}, kinds {', '.join(kinds)})",
            fix="widen the filters (--status all, more --kind values)",
        )
    all_districts = read_boundaries(boundaries_path, layer=layer)
    districts, notes = select_districts(all_districts, load.schools, district_codes, tolerance_m=tolerance_m)
    assigned, disagreements, outside = assign_districts(load.schools, districts, tolerance_m=tolerance_m)
    if assigned.empty:
        raise EmptySelectionError(
            f"no school of LA {', '.join(la_codes)} lies in the selected districts of {boundaries_path}",
            fix="use a boundary file that covers the LA",
        )
    if load.extra_field_rows:
        notes.append(
            f"{schools_path.name}: {len(load.extra_field_rows)} record(s) had extra trailing fields "
            "(further 'Linked establishments' values); extra fields ignored"
        )
    if load.encoding != "utf-8-sig":
        notes.append(f"{schools_path.name}: read as {load.encoding}")
    excluded = pd.concat([load.excluded, outside], ignore_index=True)
    return Dataset(
        schools=assigned,
        districts=districts,
        excluded=excluded,
        disagreements=disagreements,
        imputed=load.imputed,
        notes=notes,
        sources={"schools": str(schools_path), "boundaries": str(boundaries_path)},
        la_codes=la_codes,
    )
