"""How far two configurations agree: adjusted Rand index, variation of information, matched partnerships, the schools that change, partners kept, districts divided."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score, mutual_info_score

from partition.data.naming import match_by_overlap
from partition.model.plan import Plan


def _aligned(a: Plan, b: Plan) -> tuple[pd.Series, pd.Series]:
    la = a.assignments.set_index("URN")["partnership_id"]
    lb = b.assignments.set_index("URN")["partnership_id"]
    common = la.index.intersection(lb.index)
    return la.loc[common], lb.loc[common]


def adjusted_rand(a: Plan, b: Plan) -> float:
    """Adjusted Rand index of the two assignments (1 = identical, ~0 = unrelated).

    Parameters
    ----------
    a, b
        Plans of the same schools; only schools (URNs) in both are compared.

    Returns
    -------
    float
        scikit-learn's ``adjusted_rand_score`` of the two ``partnership_id`` labellings, between
        -1 and 1; it does not depend on partnership ids or names.
    """
    la, lb = _aligned(a, b)
    return float(adjusted_rand_score(la, lb))


def variation_of_information(a: Plan, b: Plan) -> float:
    """Variation of information (nats): H(A) + H(B) − 2 I(A; B); 0 = identical.

    Parameters
    ----------
    a, b
        Plans of the same schools; only schools (URNs) in both are compared, each counted once
        (not weighted by pupils).

    Returns
    -------
    float
        The variation of information in nats (natural logarithms), at least 0 (a rounding
        error below 0 is returned as 0.0).
    """
    la, lb = _aligned(a, b)

    def entropy(labels: pd.Series) -> float:
        p = labels.value_counts(normalize=True).to_numpy()
        return float(-(p * np.log(p)).sum())

    return max(0.0, entropy(la) + entropy(lb) - 2 * float(mutual_info_score(la, lb)))  # no -0.0 from rounding


def match_partnerships(reference: Plan, other: Plan) -> dict[str, str]:
    """Match the partnerships of two plans one-to-one, maximising shared pupils.

    The one matching of the package (:func:`partition.data.naming.match_by_overlap`, the Hungarian
    method), used by the comparison, the maps' colours and the change maps.

    Parameters
    ----------
    reference, other
        Plans of the same schools (matched by URN; a school in one plan only is ignored).

    Returns
    -------
    dict
        ``{other id: reference id}`` (``P01``...); a partnership that shares no pupils with its
        counterpart, or is surplus (the plans' k differ), is left out.
    """
    a = reference.assignments.set_index("URN")
    b = other.assignments.set_index("URN")
    return {str(o): str(r) for o, r in match_by_overlap(a["partnership_id"], b["partnership_id"], a["pupils"]).items()}


def changed_schools(reference: Plan, other: Plan) -> pd.DataFrame:
    """Schools whose partnership changes (after matching): URN, name, from, to.

    Partnerships are matched by :func:`match_partnerships`; a school counts as changed when
    its partnership in ``other``, mapped to its ``reference`` counterpart, differs from its
    partnership in ``reference`` (a partnership of ``other`` with no counterpart counts as a
    change for all its schools, as does a school missing from ``other``).

    Parameters
    ----------
    reference, other
        Plans of the same schools (matched by URN; every school of ``reference`` is checked).

    Returns
    -------
    pandas.DataFrame
        One row per changed school, in ``reference``'s order: ``URN``, ``name`` (from
        ``reference``), ``from`` (partnership name in ``reference``), ``to`` (partnership name in
        ``other``; missing when the school is not in ``other``).
    """
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


def partners_kept(reference: Plan, other: Plan) -> float:
    """The share of a school's partners in ``reference`` that are still its partners in ``other``, on average.

    A school's partners are the other schools of its partnership. For each school of ``reference`` with at least
    one partner, the share of them that share its partnership in ``other``; the mean over those schools. It does
    not depend on names or ids, and unlike a count of schools that "change partnership" it tells apart an option
    that splits today's partnerships in two from one that scatters them.

    Parameters
    ----------
    reference, other
        Plans of the same schools (matched by URN; a school missing from ``other`` keeps no partner).

    Returns
    -------
    float
        Between 0 and 1 (1: every partnership of ``reference`` is inside one of ``other``); NaN when no school of
        ``reference`` has a partner.
    """
    a = reference.assignments.set_index("URN")["partnership_id"]
    b = other.assignments.set_index("URN")["partnership_id"].reindex(a.index)
    size = a.groupby(a).transform("size").astype(float)
    together = a.groupby([a, b]).transform("size").astype(float).reindex(a.index).fillna(1.0)  # missing: alone
    has = size > 1
    if not has.any():
        return float("nan")
    return float(((together[has] - 1) / (size[has] - 1)).mean())


def district_division(plan: Plan) -> tuple[int, int]:
    """How the plan divides districts, as planners count it.

    Parameters
    ----------
    plan
        A configuration (its ``scores["district_pieces"]``: partnerships per district).

    Returns
    -------
    tuple of int
        Districts divided between two or more partnerships, and district splits: the pieces beyond the
        first that districts are cut into (sum over districts of partnerships − 1).
    """
    pieces = [int(n) for n in plan.scores.get("district_pieces", {}).values()]
    return sum(1 for n in pieces if n > 1), sum(n - 1 for n in pieces)


def districts_whole(plan: Plan) -> int:
    """Districts kept whole: every partnership with schools in the district has schools in no other district.

    Parameters
    ----------
    plan
        A configuration (its ``assignments``: ``district`` and ``partnership_id`` of each school).

    Returns
    -------
    int
        Such districts (0 when the assignments do not say the schools' districts).
    """
    a = plan.assignments
    if "district" not in a.columns:
        return 0
    spans = a.groupby("partnership_id")["district"].nunique()
    crossing = a["partnership_id"].map(spans) > 1
    broken = set(a.loc[crossing, "district"])
    return int(len(set(a["district"]) - broken))
