"""Comparing configurations: agreement measures, matching, and the scorecard table.

* :func:`adjusted_rand` and :func:`variation_of_information` (scikit-learn) on the
  school-level assignments;
* :func:`match_partnerships`: a one-to-one matching of partnerships across two
  configurations by shared pupils (Hungarian algorithm), so names and colours
  stay stable from one map to the next;
* :func:`changed_schools`: the schools whose partnership changes under that matching;
* :func:`scorecard`: configurations × metrics; :func:`add_ensemble_ranks` adds
  each configuration's rank in a ReCom ensemble, or why it has none.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, mutual_info_score

from partition.districts import DEFAULT_TOLERANCE_M
from partition.errors import InputFileError
from partition.plan import Plan
from partition.warnings import DataWarning

METRICS = [
    ("k", "k", "{:d}"),
    ("status", "status", "{}"),
    ("wdist_km", "wdist km", "{:.3f}"),
    ("max_abs_deviation", "max dev", "{:.1%}"),
    ("mean_abs_deviation", "mean dev", "{:.1%}"),
    ("min_schools", "min schools", "{:d}"),
    ("max_schools", "max schools", "{:d}"),
    ("contiguous", "contiguous", "{}"),
    ("anchors_missing", "no anchor", "{:d}"),
    ("mean_polsby_popper", "Polsby-Popper", "{:.3f}"),
    ("mean_reock", "Reock", "{:.3f}"),
    ("cut_edges", "cut edges", "{:d}"),
    ("district_splits", "district splits", "{:d}"),
    ("partnerships_spanning_districts", "cross-district", "{:d}"),
]


def _aligned(a: Plan, b: Plan) -> tuple[pd.Series, pd.Series]:
    la = a.assignments.set_index("URN")["partnership_id"]
    lb = b.assignments.set_index("URN")["partnership_id"]
    common = la.index.intersection(lb.index)
    return la.loc[common], lb.loc[common]


def adjusted_rand(a: Plan, b: Plan) -> float:
    """Adjusted Rand index of the two assignments (1 = identical, ~0 = unrelated)."""
    la, lb = _aligned(a, b)
    return float(adjusted_rand_score(la, lb))


def variation_of_information(a: Plan, b: Plan) -> float:
    """Variation of information (nats): H(A) + H(B) − 2 I(A; B); 0 = identical."""
    la, lb = _aligned(a, b)

    def entropy(labels: pd.Series) -> float:
        p = labels.value_counts(normalize=True).to_numpy()
        return float(-(p * np.log(p)).sum())

    return max(0.0, entropy(la) + entropy(lb) - 2 * float(mutual_info_score(la, lb)))  # no -0.0 from rounding


def match_partnerships(reference: Plan, other: Plan) -> dict[str, str]:
    """``{other id: reference id}``: one-to-one, maximising shared pupils; surplus partnerships unmatched."""
    a = reference.assignments.set_index("URN")
    b = other.assignments.set_index("URN").reindex(a.index)
    overlap = pd.crosstab(b["partnership_id"], a["partnership_id"], values=a["pupils"], aggfunc="sum").fillna(0)
    rows, cols = linear_sum_assignment(-overlap.to_numpy())
    return {overlap.index[r]: overlap.columns[c] for r, c in zip(rows, cols) if overlap.iat[r, c] > 0}


def changed_schools(reference: Plan, other: Plan) -> pd.DataFrame:
    """Schools whose partnership changes (after matching): URN, name, from, to."""
    match = match_partnerships(reference, other)
    a = reference.assignments.set_index("URN")
    b = other.assignments.set_index("URN").reindex(a.index)
    moved = b["partnership_id"].map(match) != a["partnership_id"]
    return pd.DataFrame(
        {
            "URN": a.index[moved],
            "name": a.loc[moved, "name"].to_numpy(),
            "from": a.loc[moved, "partnership"].to_numpy(),
            "to": b.loc[moved, "partnership"].to_numpy(),
        }
    )


def scorecard(plans: list[Plan], reference: Plan | None = None) -> pd.DataFrame:
    """Configurations × metrics; with ``reference``, also ARI, VI and schools changed against it."""
    rows = []
    for plan in plans:
        row = {"configuration": plan.name, "status": plan.status}
        row.update({key: plan.scores.get(key) for key, _, _ in METRICS if key != "status"})
        row["violations"] = "; ".join(plan.scores.get("violations", []))
        if reference is not None:
            row["ARI vs " + reference.name] = adjusted_rand(reference, plan)
            row["VI vs " + reference.name] = variation_of_information(reference, plan)
            row["schools moved vs " + reference.name] = len(changed_schools(reference, plan))
        rows.append(row)
    return pd.DataFrame(rows).set_index("configuration")


def add_ensemble_ranks(
    table: pd.DataFrame,
    plans: list[Plan],
    ranks: dict[str, dict[str, float]],
    size: int,
    metrics: tuple[str, ...] = ("wdist_km", "max_abs_deviation", "district_splits", "cut_edges"),
) -> pd.DataFrame:
    """Add the ensemble rank columns of :func:`partition.ensemble.plan_percentiles` to a scorecard.

    Parameters
    ----------
    table
        A :func:`scorecard` table (index: configuration names).
    plans
        The configurations in the table.
    ranks
        ``{name: {metric: share beaten}}`` from :func:`partition.ensemble.plan_percentiles`.
    size
        Configurations in each ensemble (for the column names).
    metrics
        The metrics to show.

    Returns
    -------
    pandas.DataFrame
        The table with one column per metric, ``"beats % of {size} valid plans on {metric}"`` (e.g.
        ``"97%"``, blank when the configuration has no rank), and ``"ensemble rank note"``: why a
        configuration has no rank (not valid; one partnership), blank otherwise.
    """
    from partition.ensemble import rank_unavailable

    out = table.copy()
    for metric in metrics:
        out[f"beats % of {size} valid plans on {metric}"] = [
            f"{ranks[n][metric]:.0%}" if n in ranks else "" for n in out.index
        ]
    reasons = {plan.name: rank_unavailable(plan) for plan in plans}
    out["ensemble rank note"] = ["" if n in ranks else (reasons.get(n) or "not ranked") for n in out.index]
    return out


def format_scorecard(table: pd.DataFrame, style: str = "text") -> str:
    """Render :func:`scorecard` as ``text``, ``markdown`` or ``csv``."""
    if style == "csv":
        return table.to_csv()
    shown = table.copy()
    formats = {key: fmt for key, _, fmt in METRICS}
    labels = {key: label for key, label, _ in METRICS}
    for col in shown.columns:
        fmt = formats.get(col) or ("{:.3f}" if col.startswith(("ARI", "VI")) else "{}")
        shown[col] = [
            fmt.format(v) if v is not None and not (isinstance(v, float) and math.isnan(v)) else "" for v in shown[col]
        ]
    shown = shown.rename(columns=labels)
    if style == "markdown":
        return shown.to_markdown() if _has_tabulate() else _markdown(shown)
    return shown.T.to_string()


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def _markdown(frame: pd.DataFrame) -> str:
    cols = [frame.index.name or ""] + list(frame.columns)
    lines = ["| " + " | ".join(map(str, cols)) + " |", "|" + "---|" * len(cols)]
    for idx, row in frame.iterrows():
        lines.append("| " + " | ".join([str(idx)] + [str(v).replace("|", "/") for v in row]) + " |")
    return "\n".join(lines)


def read_assignment_csv(path: str | Path) -> pd.Series:
    """Read a ``URN, partnership`` CSV (any column case; extra columns ignored) into URN → partnership."""
    path = Path(path)
    try:
        table = pd.read_csv(path, dtype=str)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputFileError(path, f"cannot be read as CSV ({str(exc).splitlines()[0]})") from None
    lower = {c.strip().lower(): c for c in table.columns}
    for needed in ("urn", "partnership"):
        if needed not in lower:
            raise InputFileError(
                path, f"has no '{needed}' column", column=needed, fix="give a CSV with columns URN and partnership"
            )
    urn = pd.to_numeric(table[lower["urn"]].str.strip(), errors="coerce")
    bad = urn.isna()
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputFileError(
            path,
            f"URN {table[lower['urn']].iloc[i]!r} is not a number",
            row=i + 2,
            column=lower["urn"],
            fix="correct the URN",
        )
    names = table[lower["partnership"]].fillna("").str.strip()
    if (names == "").any():
        i = int(np.flatnonzero((names == "").to_numpy())[0])
        raise InputFileError(
            path, "partnership is blank", row=i + 2, column=lower["partnership"], fix="name the school's partnership"
        )
    dup = urn.duplicated()
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputFileError(
            path, f"URN {int(urn.iloc[i])} appears twice", row=i + 2, column=lower["urn"], fix="keep one row per school"
        )
    return pd.Series(names.to_numpy(), index=urn.astype(int).to_numpy(), name="partnership")


def read_plan_folder(path: str | Path) -> tuple[pd.Series, dict]:
    """A folder written by ``partition plan``: its assignment and its ``plan.json``."""
    path = Path(path)
    labels = read_assignment_csv(path / "assignments.csv")
    meta_path = path / "plan.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    return labels, meta


def labels_from_areas(
    schools: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    *,
    source: str | Path = "areas",
    tolerance_m: float = DEFAULT_TOLERANCE_M,
) -> pd.Series:
    """Give each school the area (partnership) containing it, bounded by the edge tolerance.

    A school in no area joins the nearest area when it lies within
    ``tolerance_m`` of it (reported with a :class:`~partition.warnings.DataWarning`
    naming URN, school, area and distance); beyond that the layer is refused.

    Parameters
    ----------
    schools
        ``URN``, ``name``, geometry (EPSG:27700).
    areas
        ``name``, geometry (EPSG:27700).
    source
        The layer's file, for messages.
    tolerance_m
        Farthest a school may lie outside every area (m).

    Returns
    -------
    pandas.Series
        URN -> area name.

    Raises
    ------
    InputFileError
        When some school lies more than ``tolerance_m`` from every area (the
        layer misses part of the study area, or is in the wrong CRS), listing
        each such school with its distance.
    """
    points = schools[["URN", "name", "geometry"]].reset_index(drop=True)
    inside = gpd.sjoin(
        points, areas[["name", "geometry"]].rename(columns={"name": "area"}), how="left", predicate="within"
    )
    inside = inside[~inside.index.duplicated(keep="first")]
    area = inside["area"].reindex(points.index)
    lost = area.isna()
    if lost.any():
        near = gpd.sjoin_nearest(
            points[lost],
            areas[["name", "geometry"]].rename(columns={"name": "area"}),
            how="left",
            distance_col="distance_m",
        )
        near = near[~near.index.duplicated(keep="first")]
        too_far = near[~(near["distance_m"] <= tolerance_m)]
        if len(too_far):
            listed = "; ".join(
                f"URN {int(r.URN)} {r.name} ({r.distance_m / 1000:.1f} km)"
                if r.distance_m == r.distance_m
                else f"URN {int(r.URN)} {r.name}"
                for r in too_far.sort_values("URN").itertuples()
            )
            raise InputFileError(
                source,
                f"{len(too_far)} of {len(points)} schools lie in no area and more than {tolerance_m:g} m from every area: {listed}",
                fix="give a layer that covers the whole study area, with its coordinate reference system declared",
            )
        area[near.index] = near["area"]
        warnings.warn(
            DataWarning(
                f"{Path(source).name}: {len(near)} school(s) lie in no area; joined to the nearest area within "
                f"{tolerance_m:g} m: "
                + "; ".join(f"URN {int(r.URN)} {r.name} -> {r.area} ({r.distance_m:.0f} m)" for r in near.itertuples())
            ),
            stacklevel=2,
        )
    return pd.Series(area.to_numpy(), index=points["URN"].astype(int).to_numpy(), name="partnership")
