"""Which option to recommend for each number of partnerships, and why, computed from the comparison's figures.

For each k, among the options that meet every rule (the main proposal and its alternatives; the within-districts
family, shown for comparison, is not among them: :func:`candidates`), the recommended option is found in turn by

1. **robust enough**: in at least :data:`ROBUST_ENOUGH` of the trial roll changes (9 in 10) every partnership
   stays within the rules (``robustness``; when no option is, all are kept): a configuration that the next roll
   count may well break is not recommended over one that will last, even when it is a little shorter;
2. the fewest feeder pairs (infant and junior schools) split between partnerships;
3. the shortest average travel distance (``wdist_km``), where options within :data:`SAME_DISTANCE_SHARE` of the
   shortest count as equally short: a difference that small is inside the search's own spread between seeds
   (``benchmarks/seeds.py``), so it is no reason to prefer one option;
4. among the equally short: the fewest towns and villages divided that could be whole (``settlements_divided``),
   then the most robust, then the main proposal before its alternatives.

Each reason is written from the figures in plain words. When the recommended option is an alternative, the
reasons say why it is recommended over the proposal, so a better alternative is never left unexplained.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from partition.core.wording import counted

ROBUST_ENOUGH = 0.9
"""Share of the trial roll changes an option must survive (every partnership within the rules) to be robust enough."""

SAME_DISTANCE_SHARE = 0.01
"""Average travel distances within this share of the shortest (1 %: about 35 m in Hampshire) count as equal."""

VALID = ("optimal", "feasible")
"""Scorecard statuses of options that meet every rule."""


def family_members(plans) -> set[str]:
    """The configurations of the district family (:func:`partition.runs.solving.solve_configurations` with
    ``within_districts``), marked by ``details["family"]``: shown for comparison, not proposed.

    Parameters
    ----------
    plans : sequence of Plan
        The configurations of a run.

    Returns
    -------
    set of str
        Their names.
    """
    return {p.name for p in plans if p.details.get("family")}


def candidates(plans) -> list:
    """The options a recommendation chooses among: every configuration but the current arrangement (solver
    ``districts``) and the district family (:func:`family_members`, shown for comparison, not proposed).

    Parameters
    ----------
    plans : sequence of Plan
        The configurations of a run.

    Returns
    -------
    list of Plan
        In the order given.
    """
    family = family_members(plans)
    return [p for p in plans if p.solver != "districts" and p.name not in family]


@dataclass(frozen=True)
class Recommendation:
    """The option recommended for one k.

    Attributes
    ----------
    k
        Partnerships.
    name
        The recommended configuration's name (an index of the scorecard).
    proposal
        The main proposal's name for this k (None when it breaks a rule or is absent).
    reasons
        Plain sentences, from the figures.
    """

    k: int
    name: str
    proposal: str | None
    reasons: tuple[str, ...]

    @property
    def is_alternative(self) -> bool:
        """Whether an alternative is recommended over the main proposal."""
        return self.proposal is not None and self.name != self.proposal


def _figure(row: pd.Series, key: str, default: float = 0.0) -> float:
    value = row.get(key)
    return default if value is None or pd.isna(value) else float(value)


def _robust(row: pd.Series) -> bool:
    value = row.get("robustness")
    return value is None or pd.isna(value) or float(value) >= ROBUST_ENOUGH


def _sort_key(name: str, row: pd.Series, proposal: str | None, check_robust: bool) -> tuple:
    """Order of options before distances are compared within :data:`SAME_DISTANCE_SHARE`."""
    return (
        check_robust and not _robust(row),
        _figure(row, "feeder_pairs_split"),
        _figure(row, "wdist_km", float("inf")),
        name != proposal,
        name,
    )


def _as_short(a: float, b: float) -> bool:
    """Whether average distances ``a`` and ``b`` (km) count as equal (:data:`SAME_DISTANCE_SHARE`)."""
    return abs(a - b) <= SAME_DISTANCE_SHARE * min(a, b)


def _tie_key(name: str, row: pd.Series, proposal: str | None) -> tuple:
    """Order among options as short as the shortest: towns divided, robustness, the proposal first."""
    return (_figure(row, "settlements_divided"), -_figure(row, "robustness"), name != proposal, name)


def _ranked(valid: list[str], table: pd.DataFrame, proposal: str | None, check: bool) -> list[str]:
    """``valid`` best first: by :func:`_sort_key`, then the options level with the first on robustness and feeder
    pairs and as short as it (:func:`_as_short`) by :func:`_tie_key`.
    """
    order = sorted(valid, key=lambda n: _sort_key(n, table.loc[n], proposal, check))
    head = _sort_key(order[0], table.loc[order[0]], proposal, check)[:2]
    shortest = _figure(table.loc[order[0]], "wdist_km", float("inf"))
    level = [
        n
        for n in order
        if _sort_key(n, table.loc[n], proposal, check)[:2] == head
        and _as_short(_figure(table.loc[n], "wdist_km", float("inf")), shortest)
    ]
    level.sort(key=lambda n: _tie_key(n, table.loc[n], proposal))
    return level + [n for n in order if n not in level]


def _near(n: int) -> str:
    return "no partnership is" if n == 0 else f"{counted(n, 'partnership')} {'is' if n == 1 else 'are'}"


def _reasons(
    best: str, table: pd.DataFrame, others: list[str], titles: dict[str, str], check_robust: bool
) -> tuple[str, ...]:
    """Plain sentences: the recommended option's figures, then the figure that decided against each rival."""
    row = table.loc[best]
    near = int(_figure(row, "near_limit"))
    robust = row.get("robustness")
    first = f"{_near(near).capitalize()} near a size limit"
    if robust is not None and pd.notna(robust):
        first += (
            f", and in {float(robust):.0%} of trial changes to school rolls every partnership stays within the rules"
        )
    out = [f"{first}; the average travel distance is {_figure(row, 'wdist_km'):.2f} km."]
    for other in others:
        theirs, title = table.loc[other], titles.get(other, other)
        mine, their_km = _figure(row, "wdist_km"), _figure(theirs, "wdist_km")
        shorter = their_km < mine and not _as_short(mine, their_km)
        towns, their_towns = int(_figure(row, "settlements_divided")), int(_figure(theirs, "settlements_divided"))
        if check_robust and not _robust(theirs):
            out.append(
                f"In {title}, every partnership stays within the rules in only "
                f"{_figure(theirs, 'robustness'):.0%} of the trial changes"
                + (
                    f", although its average travel distance is shorter ({_figure(theirs, 'wdist_km'):.2f} km)."
                    if shorter
                    else "."
                )
            )
        elif _figure(theirs, "feeder_pairs_split") > _figure(row, "feeder_pairs_split"):
            pairs = counted(int(_figure(theirs, "feeder_pairs_split")), "infant and junior pair")
            out.append(f"{title} puts {pairs} in different partnerships.")
        elif their_km > mine and not _as_short(mine, their_km):
            out.append(f"{title} has a longer average travel distance ({their_km:.2f} km).")
        elif their_towns > towns:
            out.append(
                f"{title} is about as compact ({their_km:.2f} km: within 1 %, too small a difference to matter) "
                f"but divides {counted(their_towns, 'town or village', 'towns and villages')} that could each be "
                f"in one partnership, against {towns}."
            )
        elif _figure(theirs, "robustness") < _figure(row, "robustness"):
            out.append(f"{title} is about as compact ({their_km:.2f} km) but less robust to changes in school rolls.")
        else:
            out.append(f"{title} is no better on any of these measures, so the proposal comes first.")
    return tuple(out)


def recommendations(
    table: pd.DataFrame, proposals: dict[int, str], k_of: dict[str, int], titles: dict[str, str] | None = None
) -> list[Recommendation]:
    """The recommended option per k (see the module docstring).

    Parameters
    ----------
    table
        :func:`partition.analysis.compare.scorecard` of the options (index: configuration names; ``status``,
        ``near_limit``, ``feeder_pairs_split``, ``wdist_km``, ``robustness`` where known).
    proposals
        ``{k: main proposal's name}``.
    k_of
        ``{configuration name: k}`` for every proposed option (the current arrangement left out).
    titles
        ``{configuration name: plain title}`` for the reasons (default: the names).

    Returns
    -------
    list of Recommendation
        One per k with an option that meets every rule, in order of k.
    """
    titles = titles or {}
    out = []
    for k in sorted(set(k_of.values())):
        names = [n for n, kk in k_of.items() if kk == k and n in table.index]
        valid = [n for n in names if str(table.at[n, "status"]) in VALID] if "status" in table else names
        if not valid:
            continue
        proposal = proposals.get(k) if proposals.get(k) in valid else None
        check = any(_robust(table.loc[n]) for n in valid)  # when none is robust enough, robustness does not rank
        ranked = _ranked(valid, table, proposal, check)
        best = ranked[0]
        reasons = _reasons(best, table, ranked[1:], titles, check)
        out.append(Recommendation(k, best, proposal, reasons))
    return out


def recommend_plans(plans, table: pd.DataFrame, titles: Mapping[str, str] | None = None) -> list[Recommendation]:
    """The recommended option per k of a run's configurations: :func:`recommendations` over the
    :func:`candidates` in ``table``, the first main proposal of each k as its proposal.

    Parameters
    ----------
    plans : sequence of Plan
        The configurations of ``table`` (the current arrangement and the district family are left out).
    table
        Their :func:`partition.analysis.compare.scorecard`.
    titles
        ``{configuration name: plain title}`` for the reasons (default: the names).

    Returns
    -------
    list of Recommendation
        One per k with an option that meets every rule, in order of k.
    """
    options = [p for p in candidates(plans) if p.name in table.index]
    proposals: dict[int, str] = {}
    for p in options:
        if not p.is_alternative:
            proposals.setdefault(p.k, p.name)
    return recommendations(table, proposals, {p.name: p.k for p in options}, dict(titles or {}))
