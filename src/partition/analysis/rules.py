"""The rules of a plan's spec, each a small check on its assignment (as GerryChain's validators).

Each check takes a :class:`PlanView` (the assignment joined to the input schools) and returns one plain-English
sentence per breach, naming the partnerships and figures; :func:`spec_problems` gathers :data:`RULE_CHECKS` in
order. Independent of the solvers' bookkeeping: every figure is recomputed from ``plan.assignments``. A new rule
is one function here, added to :data:`RULE_CHECKS`.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import pandas as pd

from partition.core.measures import MEASURES
from partition.data.need import fsm_pupils

if TYPE_CHECKING:
    from partition.model.plan import Plan
    from partition.units.prepare import Inputs

SIZE_WORDS = {k: m.words for k, m in MEASURES.items()}
"""How each size attribute is named in plain English."""


def _names(values: pd.Series, limit: int = 8, fmt: str = "{:,.0f}") -> str:
    """``Andover (22,100), Romsey (21,900)``: partnerships with their value, at most ``limit`` shown."""
    items = [f"{name} ({fmt.format(v)})" for name, v in values.items()]
    return ", ".join(items[:limit]) + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _partnerships(n: int, verb: str = "have") -> str:
    """``1 partnership has`` / ``2 partnerships have`` (``verb``: have, are or cross)."""
    singular = {"have": "has", "are": "is", "cross": "crosses"}[verb]
    return f"{n} partnership{'s' if n != 1 else ''} {verb if n != 1 else singular}"


def unit_partnerships(plan: Plan, inputs: Inputs) -> pd.Series:
    """The partnership of every planning unit, from the assignment of schools alone.

    A unit takes the partnership of its schools (of most of its pupils, when they
    are split). A unit without schools (a polygon unit) takes the partnership of the
    units with schools that share its label in ``plan.unit_labels``.

    Parameters
    ----------
    plan
        The configuration (``assignments`` with ``URN`` and ``partnership``; ``unit_labels``).
    inputs
        What it was planned on: ``schools`` with ``URN``, ``unit``, ``pupils``; ``units``.

    Returns
    -------
    pandas.Series
        Partnership name indexed by unit index ``0 .. len(inputs.units) - 1`` (object); a unit
        whose label no unit with schools shares gets ``"(units without schools)"``.
    """
    schools = inputs.schools
    partnership = (
        schools["URN"].astype(int).map(plan.assignments.drop_duplicates("URN").set_index("URN")["partnership"])
    )
    frame = pd.DataFrame(
        {"unit": schools["unit"].to_numpy(), "p": partnership.to_numpy(), "w": schools["pupils"].to_numpy() + 1e-6}
    ).dropna(subset=["p"])
    weights = frame.groupby(["unit", "p"])["w"].sum().reset_index().sort_values(["unit", "w"], ascending=[True, False])
    of_unit = pd.Series(weights.drop_duplicates("unit").set_index("unit")["p"], dtype=object).reindex(
        range(len(inputs.units))
    )
    labels = pd.Series(plan.unit_labels)
    by_label = (
        pd.DataFrame({"label": labels[of_unit.notna()], "p": of_unit.dropna()})
        .groupby("label")["p"]
        .agg(lambda s: s.mode().iloc[0])
    )
    missing = of_unit.isna()
    of_unit[missing] = labels[missing].map(by_label).fillna("(units without schools)")
    return of_unit


@dataclasses.dataclass(frozen=True)
class PlanView:
    """One configuration as the rule checks see it: its assignment joined to the input schools.

    Attributes
    ----------
    plan, inputs
        The configuration and what it was planned on.
    frame
        One row per placed school: partnership ``p``, ``pupils``, ``anchor``, ``unit``, ``district``,
        ``fsm_share`` (NaN where unknown).
    of_unit
        Each unit's partnership (:func:`unit_partnerships`), indexed by unit.
    """

    plan: Plan
    inputs: Inputs
    frame: pd.DataFrame
    of_unit: pd.Series

    @classmethod
    def of(cls, plan: Plan, inputs: Inputs) -> PlanView:
        """Join ``plan.assignments`` to ``inputs.schools``; schools the plan does not place are left out."""
        schools = inputs.schools
        assigned = plan.assignments.drop_duplicates("URN").set_index("URN")["partnership"]
        of_school = schools["URN"].astype(int).map(assigned)
        frame = pd.DataFrame(
            {
                "p": of_school.to_numpy(),
                "pupils": schools["pupils"].to_numpy(),
                "anchor": schools["anchor"].to_numpy(),
                "unit": schools["unit"].to_numpy(),
                "district": schools["district"].astype(str).to_numpy(),
                "fsm_share": schools["fsm_share"].to_numpy(dtype=float) if "fsm_share" in schools else np.nan,
            }
        ).dropna(subset=["p"])
        return cls(plan, inputs, frame, unit_partnerships(plan, inputs))

    @functools.cached_property
    def groups(self) -> pd.core.groupby.DataFrameGroupBy:
        """The placed schools by partnership (grouped once, for every check)."""
        return self.frame.groupby("p")


def partnership_count(view: PlanView) -> list[str]:
    """The configuration has exactly ``k`` partnerships."""
    n = view.groups.ngroups
    return [f"it has {n} partnerships instead of {view.plan.k}"] if n != view.plan.k else []


def sites_whole(view: PlanView) -> list[str]:
    """Schools sharing a site (one unit) are in one partnership."""
    shared = int(view.frame.groupby("unit")["p"].nunique().gt(1).sum())
    return [f"{shared} school site(s) are shared by schools of different partnerships"] if shared else []


def _bound_values(view: PlanView, attribute: str) -> pd.Series | None:
    """Each partnership's total of a bounded measure, from the schools (or the units); None if unknown."""
    groups = view.groups
    if attribute == "pupils":
        return groups["pupils"].sum()
    if attribute == "n_schools":
        return groups.size()
    if attribute == "fsm":  # from each school's own share, not the units' sums
        return fsm_pupils(view.frame).fillna(0).groupby(view.frame["p"].to_numpy()).sum()
    if attribute in view.inputs.units:
        return pd.Series(view.inputs.units[attribute].to_numpy()).groupby(view.of_unit.to_numpy()).sum()
    return None


def size_bounds(view: PlanView) -> list[str]:
    """Every partnership's size is inside each bound of the spec."""
    out = []
    for bound in view.plan.spec.size:
        values = _bound_values(view, bound.attribute)
        if values is None:
            continue
        low, high = bound.limits(float(values.sum()), view.plan.k)
        word = SIZE_WORDS[bound.attribute]
        over = values[values > high + 1e-9].sort_values(ascending=False)
        under = values[values < low - 1e-9].sort_values()
        if len(over):
            out.append(f"{_partnerships(len(over))} more {word} than allowed (at most {high:,.0f}): {_names(over)}")
        if len(under):
            out.append(f"{_partnerships(len(under))} fewer {word} than allowed (at least {low:,.0f}): {_names(under)}")
    return out


def anchored(view: PlanView) -> list[str]:
    """With ``anchors`` on, every partnership has a secondary, all-through school or college."""
    if not view.plan.spec.anchors:
        return []
    anchors = view.groups["anchor"].sum()
    none = anchors[anchors == 0]
    if not len(none):
        return []
    return [
        f"{_partnerships(len(none))} no secondary, all-through school or college: "
        + ", ".join(map(str, none.index[:8]))
        + (f" and {len(none) - 8} more" if len(none) > 8 else "")
    ]


def nested_in_districts(view: PlanView) -> list[str]:
    """With ``districts = "nest"``, every partnership lies inside one district."""
    if view.plan.spec.districts != "nest":
        return []
    spans = view.groups["district"].nunique()
    crossing = spans[spans > 1].sort_index()
    if not len(crossing):
        return []
    return [
        f"{_partnerships(len(crossing), 'cross')} a district boundary, though each must lie inside one "
        "district: " + _names(crossing, fmt="{} districts")
    ]


def contiguous(view: PlanView) -> list[str]:
    """Every partnership's units form one connected area of the adjacency graph."""
    pieces = {}
    for name, members in view.of_unit.groupby(view.of_unit.to_numpy()):
        n = nx.number_connected_components(view.inputs.graph.subgraph(members.index.tolist()))
        if n > 1:
            pieces[name] = n
    if not pieces:
        return []
    return [
        f"{_partnerships(len(pieces), 'are')} in separate pieces, not one connected area: "
        + _names(pd.Series(pieces).sort_index(), fmt="{} pieces")
    ]


RULE_CHECKS: tuple[Callable[[PlanView], list[str]], ...] = (
    partnership_count,
    sites_whole,
    size_bounds,
    anchored,
    nested_in_districts,
    contiguous,
)
"""The spec's rules, each a small check returning one sentence per breach (as GerryChain's validators);
:func:`spec_problems` gathers them in this order."""


def spec_problems(plan: Plan, inputs: Inputs) -> list[str]:
    """The rules of ``plan.spec`` that ``plan`` breaks, recomputed from its assignment alone.

    Independent of the solver's and the scorer's bookkeeping (``plan.scores``,
    ``plan.partnerships``): every figure comes from ``plan.assignments``
    (URN → partnership) joined to the input schools (pupils, whether each is an
    anchor, its unit), the units' child population and the units' adjacency graph.

    Parameters
    ----------
    plan
        The configuration.
    inputs
        What it was planned on.

    Returns
    -------
    list of str
        One plain-English sentence per rule broken, naming the partnerships and
        figures (e.g. "2 partnerships have more pupils than allowed (at most
        21,345): Andover (22,100), Romsey (21,900)"); empty when every rule is met.
    """
    view = PlanView.of(plan, inputs)
    return [problem for check in RULE_CHECKS for problem in check(view)]
