"""Writing a run's configurations: maps, editors, exports, the comparison and the pack, and the lines printed."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from partition.analysis.recommend import candidates, recommend_plans
from partition.analysis.settlements import settlement_line
from partition.model.plan import Plan
from partition.runs.outputs import write_plan
from partition.units.prepare import Inputs

if TYPE_CHECKING:
    from partition.report.maps import WrittenMap


def recommendation_lines(chosen: Sequence) -> str:
    """Recommendations (:func:`partition.analysis.recommend.recommend_plans`) as Markdown for the end of
    ``comparison.md``: a heading and one line
    per k (the configuration's name, then the reasons); empty without any.
    """
    lines = [f"* k = {r.k}: **{r.name}**. " + " ".join(r.reasons) for r in chosen]
    if not lines:
        return ""
    heading = (
        "Recommended (robust to roll changes in at least 9 of 10 draws, then feeder pairs split, then distance, "
        "within 1 % counting as equal, then towns and villages divided):"
    )
    return f"\n{heading}\n\n" + "\n".join(lines) + "\n"


def violated(plans: list[Plan]) -> list[Plan]:
    """The plans that break a rule of their spec.

    Parameters
    ----------
    plans
        Configurations, checked or not (see :meth:`partition.model.plan.Plan.broken_rules`).

    Returns
    -------
    list of Plan
        Those with at least one broken rule, in the order given.
    """
    return [p for p in plans if p.broken_rules()]


def map_options(inputs: Any, plans: list, basemap: str | None) -> dict[str, Any]:
    """What every map of a run shares: colours per plan (matched to the first), neighbours, base map.

    Parameters
    ----------
    inputs
        The run's inputs (:class:`partition.units.prepare.Inputs`).
    plans
        Every plan the maps draw, the first being the reference for colours.
    basemap
        ``"osm"`` or ``"none"``.

    Returns
    -------
    dict
        ``colours`` (plan name -> colours), ``neighbours``, ``basemap``: keyword arguments of the map functions.
    """
    from partition.report.maps import neighbouring_districts, run_colours

    dataset = inputs.dataset
    return {
        "colours": run_colours(plans),
        "neighbours": neighbouring_districts(
            dataset.districts, dataset.sources.get("boundaries"), read=dataset.all_districts
        ),
        "basemap": basemap,
    }


def plan_line(plan: Plan, folder: str | Path) -> str:
    """One line about a configuration written to ``folder/<name>``: status, wdist (km), deviation, sizes, gap
    (anchors missing only when the spec requires anchors).

    Parameters
    ----------
    plan
        A configuration.
    folder
        The output folder as the user knows it (the published one, not the staging folder).

    Returns
    -------
    str
        Plain text for a terminal or a log, followed by one ``violated:`` line per rule broken.
    """
    s = plan.scores
    gap = (  # a bound is proven only for the hub objective, and printed only beside it
        f"  hub {s['hub_km']:.3f} km  proven bound {plan.bound:.3f} gap {plan.gap:.1%}"
        if plan.gap is not None and plan.bound is not None and plan.spec.objective == "hub"
        else ""
    )
    line = (
        f"{plan.name:<16} {plan.status:<9} wdist {s['wdist_km']:.3f} km  max dev {s['max_abs_deviation']:.1%}  "
        f"schools {s['min_schools']}-{s['max_schools']}  "
        + (f"anchors missing {s['anchors_missing']}  " if plan.spec.anchors else "")
        + f"splits {s['district_splits']}{gap}  {plan.runtime:.1f}s  -> {Path(folder) / plan.name}"
    )
    return "\n".join([line, *group_lines(plan), *(f"    violated: {rule}" for rule in plan.broken_rules())])


def group_lines(plan: Plan, limit: int = 5) -> list[str]:
    """``federations kept together: 29 of 29 (A, B ...)`` and ``academy trusts split across partnerships: 6 extra
    pieces (...)``, when the data has them.

    Parameters
    ----------
    plan
        A configuration (its ``details["federations"]`` and ``details["trusts"]``).
    limit
        Federation names shown before "and n more".

    Returns
    -------
    list of str
        Indented lines for :func:`plan_line`; empty when the schools hold no federation or trust.
    """
    out = []
    feds = plan.details.get("federations")
    if feds:
        kept = feds["kept_together"]
        shown = ", ".join(kept[:limit]) + (f" and {len(kept) - limit} more" if len(kept) > limit else "")
        word = "kept together (a lock from the data)" if feds["mode"] == "together" else "in one partnership"
        out.append(f"    federations {word}: {len(kept)} of {feds['count']}" + (f" ({shown})" if kept else ""))
        if feds["split"]:
            out.append(f"    federations split: {len(feds['split'])} ({', '.join(feds['split'])})")
    room = plan.details.get("headroom")
    if room:
        out.append(
            f"    headroom: {room['near_limit']} partnership(s) within {room['near_points']:g} point of a pupil limit; "
            f"meets the bound in {room['robustness']:.0%} of rolls changed by up to {room['roll_change']:.0%}"
        )
    towns = plan.details.get("settlements")
    if towns:
        out.append(settlement_line(towns))
    pairs = plan.details.get("feeder_pairs")
    if pairs:
        word = "kept together (a lock from the data)" if pairs["mode"] == "together" else "in one partnership"
        out.append(f"    feeder pairs (infant and junior schools) {word}: {pairs['kept_together']} of {pairs['count']}")
        if pairs["split"]:
            shown = ", ".join(pairs["split"][:limit]) + (
                f" and {len(pairs['split']) - limit} more" if len(pairs["split"]) > limit else ""
            )
            out.append(f"    feeder pairs split: {len(pairs['split'])} ({shown})")
    trusts = plan.details.get("trusts")
    if trusts:
        how = "preferred whole" if trusts["mode"] == "prefer" else "reported, not optimised"
        out.append(
            f"    academy trusts split across partnerships: {trusts['splits']} extra pieces "
            f"({trusts['count']} trusts with two or more schools; {how})"
        )
    return out


@dataclass(frozen=True)
class Outputs:
    """What :func:`write_outputs` wrote (paths relative to its folder).

    Attributes
    ----------
    configurations
        One folder per configuration (``assignments.csv``, ``partnerships.geojson``, ``plan.json``,
        and ``map.html`` and ``edit.html`` when maps are drawn).
    comparison_maps
        The comparison map files (side by side, changes, all configurations).
    maps
        Every map written, configurations' first, each with its kind and the configurations it
        shows (:class:`partition.report.maps.WrittenMap`): what the consultation pack links to.
    """

    configurations: tuple[Path, ...]
    comparison_maps: tuple[Path, ...]
    maps: tuple[WrittenMap, ...] = ()


def write_outputs(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    folder: str | Path,
    inputs: Inputs,
    plans: list[Plan],
    current: Plan | None,
    *,
    table: pd.DataFrame | None = None,
    maps: bool = True,
    comparisons: list[Plan] | None = None,
    exports: bool = False,
    pack: bool = False,
    basemap: str | None = "none",
    timings: dict[str, float] | None = None,
    echo: Callable[[str], None] = lambda _: None,
    shown_as: str | Path | None = None,
) -> Outputs:
    """Write configurations, maps, the comparison table, exports and the consultation pack into ``folder``.

    Parameters
    ----------
    folder
        The folder written into (created when missing; files of the same names are replaced).
    inputs
        The run's schools, units (metres, BNG) and districts.
    plans
        The configurations, reference first (colours of the other maps follow its partnerships).
    current
        Today's arrangement (:func:`partition.planning.planner.district_plan`), drawn on the comparison maps
        and listed in the pack, or None.
    table
        The comparison table (:func:`partition.analysis.compare.scorecard`), written as ``comparison.md`` and
        ``comparison.csv`` and shown in the pack; None writes neither.
    maps
        Draw a map per configuration and the comparison maps.
    comparisons
        The plans the comparison maps compare (default: the main configurations, or every
        configuration when there is only one main one).
    exports, pack
        Also write ``exports/`` (GeoPackage, GeoJSON, CSV) and ``consultation-pack.html``.
    basemap
        ``"osm"`` or ``"none"``.
    timings
        Filled with seconds per step, when given.
    echo
        Called with a line about each configuration written (:func:`plan_line`).
    shown_as
        The folder as the user knows it, for those lines (default ``folder``).

    Returns
    -------
    Outputs
        What was written.

    Raises
    ------
    IntegrityError
        When a configuration read back does not hold the plan (see :func:`partition.runs.outputs.write_plan`).
    """
    from partition.analysis.compare import format_scorecard
    from partition.report.exports import write_exports
    from partition.report.maps import write_comparison_maps, write_configuration_map
    from partition.report.maps.editor import EDIT_FILE, write_editor

    folder = Path(folder)
    timings = {} if timings is None else timings
    everything = plans + ([current] if current is not None else [])
    look = map_options(inputs, everything, basemap) if maps else {}
    written = []
    drawn: list[WrittenMap] = []
    for plan in plans:
        path = write_plan(plan, folder)
        if maps:
            drawn.append(
                write_configuration_map(
                    plan,
                    inputs.schools,
                    inputs.dataset.districts,
                    path / "map.html",
                    **{**look, "colours": look["colours"][plan.name]},
                )
            )
            drawn.append(
                write_editor(plan, inputs, path / EDIT_FILE, **{**look, "colours": look["colours"][plan.name]})
            )
        written.append(path.relative_to(folder))
        echo(plan_line(plan, shown_as or folder))
    compared: list[Path] = []
    if maps:
        t = time.perf_counter()
        if comparisons is None:
            main = [p for p in candidates(plans) if not p.is_alternative]  # not the within-districts family
            comparisons = main if len(main) > 1 else plans
        comparison_maps = write_comparison_maps(
            comparisons, inputs.schools, inputs.dataset.districts, folder, current=current, **look
        )
        drawn += comparison_maps
        compared = [m.path.relative_to(folder) for m in comparison_maps]
        timings["comparison_maps"] = round(time.perf_counter() - t, 2)
    drawn = [m.relative_to(folder) for m in drawn]
    if table is not None:
        chosen = recommend_plans(plans, table)
        (folder / "comparison.md").write_text(format_scorecard(table, "markdown") + "\n" + recommendation_lines(chosen))
        if chosen:
            echo("recommended (see comparison.md): " + "; ".join(f"k = {r.k}: {r.name}" for r in chosen))
        (folder / "comparison.csv").write_text(format_scorecard(table, "csv"))
    if exports:
        t = time.perf_counter()
        write_exports(
            plans, inputs.schools, inputs.units, inputs.dataset.districts, folder / "exports", members=inputs.members
        )
        timings["exports"] = round(time.perf_counter() - t, 2)
    if pack:
        from partition.report.pack import consultation_pack
        from partition.report.sources import data_sources, source_files

        dates = {measure: found.source.date for measure, found in inputs.need.items()}
        sources = data_sources(source_files(inputs.dataset.sources, inputs.dataset.files), inputs.schools, dates)
        (folder / "consultation-pack.html").write_text(
            consultation_pack(everything, table, drawn, sources, colours=look.get("colours")),
            encoding="utf-8",
        )
    return Outputs(tuple(written), tuple(compared), tuple(drawn))
