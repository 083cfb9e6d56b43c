"""A sampled ensemble of valid configurations (ReCom) and where a proposal sits in it.

Recombination (ReCom, as in GerryChain): pick two adjacent partnerships at
random, merge them, draw a random spanning tree of the merged area (minimum
spanning tree under random edge weights), and cut one tree edge chosen at
random among those leaving both halves within every size bound and with an
anchor each. Every state of the chain is contiguous, balanced and anchored;
a step with no valid cut keeps the current configuration (and counts).

:func:`percentiles` then says, for each metric, the share of ensemble
configurations the proposal beats: "this plan splits fewer districts than
95 % of valid plans". A configuration has no rank when it is not valid (the
ensemble holds valid plans only) or has one partnership (the only valid
configuration: nothing to compare with); :func:`rank_unavailable` gives the
reason, which :func:`plan_percentiles` reports as a
:class:`~partition.warnings.ResultWarning`.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator

import numpy as np

from partition.problem import Problem
from partition.scoring import count_cut_edges, count_district_splits, wdist_km
from partition.solvers.recombination import Sizes, random_tree, subtree, valid_cuts
from partition.warnings import ResultWarning

ONE_PARTNERSHIP = "one partnership: no alternative configuration to compare with"
"""Why a k = 1 configuration has no ensemble rank."""


class _Evaluator:
    """Metrics of a block labelling from the scoring kernels: wdist, max deviation, district splits, cut edges."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        self.edges = problem.edges
        self.pupils = problem.attrs.get("pupils", np.zeros(problem.n))
        self.mean = self.pupils.sum() / problem.k
        self.districts = np.where(problem.district >= 0, problem.district, 0)

    def __call__(self, labels: np.ndarray) -> dict[str, float]:
        problem = self.problem
        load = np.bincount(labels, weights=self.pupils, minlength=problem.k)
        return {
            "wdist_km": wdist_km(problem.point_xy, problem.point_w, labels[problem.point_block], problem.k),
            "max_abs_deviation": float(np.abs(load / self.mean - 1).max()),
            "district_splits": count_district_splits(labels, self.districts, per="district"),
            "cut_edges": count_cut_edges(self.edges, labels),
        }


def _recombine(
    labels: np.ndarray,
    edges: np.ndarray,
    sizes: Sizes,
    apart: list[tuple[int, int]],
    rng: np.random.Generator,
    tries: int,
) -> np.ndarray:
    """One ReCom step: merge two adjacent partnerships and redraw them along a valid tree cut
    (``labels`` unchanged when no try finds one)."""
    cut = edges[labels[edges[:, 0]] != labels[edges[:, 1]]]
    a, b = cut[rng.integers(len(cut))]
    p, q = labels[a], labels[b]
    nodes = np.flatnonzero((labels == p) | (labels == q))
    index = {int(v): i for i, v in enumerate(nodes)}
    sub = [(index[int(u)], index[int(v)]) for u, v in edges if int(u) in index and int(v) in index]
    su = np.array([e[0] for e in sub])
    sv = np.array([e[1] for e in sub])
    for _ in range(tries):
        root, order, parent = random_tree(len(nodes), su, sv, rng)
        candidates = valid_cuts(sizes, nodes, root, order, parent)
        if len(candidates) == 0:
            continue
        v = int(candidates[rng.integers(len(candidates))])
        # the subtree below v becomes one partnership, the rest the other
        side = subtree(v, order, parent, len(nodes))
        new = labels.copy()
        new[nodes[side]] = p
        new[nodes[~side]] = q
        if any(new[x] == new[y] for x, y in apart):
            continue
        return new
    return labels


def recom_chain(
    problem: Problem, start: np.ndarray, steps: int, *, random_state: int | None = 0, tries: int = 8
) -> Iterator[np.ndarray]:
    """Yield ``steps`` configurations (block labels) of a ReCom chain started at ``start``.

    Parameters
    ----------
    problem
        The problem (blocks, adjacency, size bounds, anchors, apart locks).
    start
        A valid block labelling with two partnerships or more.
    steps
        Configurations yielded (a step with no valid cut yields the current one again).
    random_state
        Seed of the chain.
    tries
        Spanning trees drawn per step before giving up.

    Yields
    ------
    numpy.ndarray
        Block labels (a copy per step).

    Raises
    ------
    ValueError
        When ``start`` has fewer than two partnerships (a recombination merges two).
    """
    if len(np.unique(start)) < 2:
        raise ValueError(f"a ReCom chain needs two partnerships or more: {ONE_PARTNERSHIP}")
    rng = np.random.default_rng(random_state)
    labels = start.astype(int).copy()
    sizes = Sizes.of(problem)
    edges = problem.edges
    apart = problem.apart  # locked-together schools are already one block, so they stay together
    for _ in range(steps):
        labels = _recombine(labels, edges, sizes, apart, rng, tries)
        yield labels.copy()


def ensemble(
    problem: Problem, start: np.ndarray, size: int = 1000, *, random_state: int | None = 0, progress: bool | None = None
) -> list[dict[str, float]]:
    """Metrics of ``size`` configurations sampled by :func:`recom_chain` (seedable).

    Parameters
    ----------
    problem
        The problem.
    start
        A valid block labelling to start the chain from.
    size
        Configurations sampled.
    random_state
        Seed of the chain.
    progress
        Show a progress bar (default: when standard error is a terminal).

    Returns
    -------
    list of dict
        Per configuration: ``wdist_km`` (km), ``max_abs_deviation`` (fraction of the mean), ``district_splits``,
        ``cut_edges``.
    """
    evaluate = _Evaluator(problem)
    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=size, desc=f"ensemble k={problem.k}", unit="plan", file=sys.stderr)
    out = []
    for labels in recom_chain(problem, start, size, random_state=random_state):
        out.append(evaluate(labels))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return out


LOWER_IS_BETTER = ("wdist_km", "max_abs_deviation", "district_splits", "cut_edges")


def percentiles(proposal: dict[str, float], sample: list[dict[str, float]]) -> dict[str, float]:
    """For each metric (lower is better), the share of the sample the proposal beats (strictly).

    Parameters
    ----------
    proposal
        Metrics of a configuration (as from :func:`ensemble`).
    sample
        Metrics of the ensemble.

    Returns
    -------
    dict
        ``metric -> share`` between 0 and 1.
    """
    return {m: float(np.mean([s[m] > proposal[m] for s in sample])) for m in LOWER_IS_BETTER if m in proposal}


def rank_unavailable(plan) -> str | None:
    """Why ``plan`` cannot be ranked within an ensemble, or None when it can.

    Parameters
    ----------
    plan : Plan
        A configuration.

    Returns
    -------
    str or None
        The reason: not valid (the ensemble holds valid configurations only), or
        one partnership (:data:`ONE_PARTNERSHIP`).
    """
    if plan.status not in ("feasible", "optimal"):
        return f"not a valid configuration ({plan.status}): the ensemble holds valid configurations only"
    if plan.k < 2 or len(np.unique(plan.unit_labels)) < 2:
        return ONE_PARTNERSHIP
    return None


def plan_percentiles(
    inputs, plans: list, size: int = 1000, *, random_state: int | None = 0, progress: bool | None = None
) -> dict[str, dict[str, float]]:
    """For each plan that can be ranked, its percentile on each metric within a ReCom ensemble of its own
    k and spec, started from that plan.

    Parameters
    ----------
    inputs : Inputs
        The inputs the plans were made from.
    plans : list of Plan
        Configurations; those :func:`rank_unavailable` names (not valid, one partnership) are left
        out, each with a :class:`~partition.warnings.ResultWarning` giving the reason.
    size
        Configurations sampled per plan.
    random_state
        Seed of the chains.
    progress
        Show a progress bar (default: when standard error is a terminal).

    Returns
    -------
    dict
        ``{plan name: {metric: share of the ensemble beaten}}`` for the plans ranked.
    """
    from partition.problem import build_problem

    out = {}
    for plan in plans:
        reason = rank_unavailable(plan)
        if reason is not None:
            warnings.warn(f"{plan.name}: no ensemble rank: {reason}", ResultWarning, stacklevel=2)
            continue
        problem = build_problem(inputs.units, inputs.graph, inputs.schools, plan.spec, plan.k)
        first_unit = np.array([b[0] for b in problem.blocks])
        start = plan.unit_labels[first_unit]
        _, start = np.unique(start, return_inverse=True)
        sample = ensemble(problem, start, size, random_state=random_state, progress=progress)
        out[plan.name] = percentiles(_Evaluator(problem)(start), sample)
    return out
