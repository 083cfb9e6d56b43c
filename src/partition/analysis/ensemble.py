"""A sampled ensemble of valid configurations (ReCom) and where a proposal sits in it.

Recombination (ReCom, as in GerryChain): pick two adjacent partnerships at
random, merge them, draw a random spanning tree of the merged area (minimum
spanning tree under random edge weights), and cut one tree edge chosen at
random among those leaving both halves within every size bound and with an
anchor each. Every state of the chain is contiguous, balanced and anchored;
a step with no valid cut keeps the current configuration (and counts).

:func:`ensemble` runs several independent chains (:func:`run_chain`, on any
:class:`concurrent.futures.Executor` or here), each from its own random
valid plan (:func:`random_plan`, recursive spanning-tree cuts as GerryChain's
``recursive_tree_part``), discards a burn-in, thins, and reports the design
and a convergence check across chains (split-R-hat of wdist) as an
:class:`EnsembleSample`. The chains do not start at the plan being ranked, so
the ranks are not biased towards it.

:func:`percentiles` then says, for each metric, the share of ensemble
configurations the proposal beats: "this plan splits fewer districts than
95 % of valid plans". A configuration has no rank when it is not valid (the
ensemble holds valid plans only) or has one partnership (the only valid
configuration: nothing to compare with); :func:`rank_unavailable` gives the
reason, which :func:`plan_percentiles` reports as a
:class:`~partition.warnings.ResultWarning`.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass
from typing import Any

import numpy as np

from partition.errors import InfeasibleError
from partition.model.scoring import count_cut_edges, count_district_splits, wdist_km
from partition.solvers.problem import Problem
from partition.solvers.recombination import SIZE_SLACK, Sizes, below, random_tree, subtree, valid_cuts
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


def _area_edges(nodes: np.ndarray, edges: np.ndarray, n_blocks: int) -> tuple[np.ndarray, np.ndarray]:
    """The edges with both ends among ``nodes``, in local indices (positions in ``nodes``), vectorised.

    Parameters
    ----------
    nodes
        Blocks of the area (sorted or not; local index -> block).
    edges
        Adjacent block pairs of the problem (m × 2).
    n_blocks
        Blocks of the problem.

    Returns
    -------
    su, sv : numpy.ndarray
        Local ends of each edge inside the area, in the order of ``edges``.
    """
    local = np.full(n_blocks, -1, dtype=np.int64)
    local[nodes] = np.arange(len(nodes))
    u, v = local[edges[:, 0]], local[edges[:, 1]]
    inside = (u >= 0) & (v >= 0)
    return u[inside], v[inside]


def _recombine(
    labels: np.ndarray,
    edges: np.ndarray,
    sizes: Sizes,
    apart: list[tuple[int, int]],
    rng: np.random.Generator,
    tries: int,
) -> np.ndarray:
    """One ReCom step: merge two adjacent partnerships and redraw them along a valid tree cut.

    Returns ``labels`` itself (the same object) when no try finds a valid cut or the cut found redraws the
    same two partnerships; a new array otherwise.
    """
    cut = edges[labels[edges[:, 0]] != labels[edges[:, 1]]]
    a, b = cut[rng.integers(len(cut))]
    p, q = labels[a], labels[b]
    nodes = np.flatnonzero((labels == p) | (labels == q))
    su, sv = _area_edges(nodes, edges, len(labels))
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
        was_p = labels[nodes] == p
        if (side == was_p).all() or (side == ~was_p).all():
            return labels  # the same two partnerships again
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


RANDOM_PLAN_TRIES = 50
"""Fresh starts of :func:`random_plan` before it gives up."""

TREES_PER_CUT = 20
"""Spanning trees drawn for one cut of :func:`random_plan` before that attempt starts again."""

DEFAULT_CHAINS = 4
"""Independent chains of an ensemble by default."""

DEFAULT_BURN_IN = 2000
"""Steps discarded at the start of each chain by default (see :func:`ensemble` for the measurement)."""

DEFAULT_THIN = None
"""Thinning by default: :func:`default_thin` of the ensemble's size (see :func:`ensemble` on R-hat and thinning)."""

MIN_KEPT_STEPS = 25_000
"""Steps after the burn-in that an ensemble's chains run in all, at least, with the default thinning: a
1,000-plan ensemble keeps every 25th step (R-hat of wdist 1.08 on Hampshire k = 23, against 1.98 keeping
every step), a 100,000-plan one every step (R-hat 1.015); see ``benchmarks/ENSEMBLE.md``."""


def default_thin(size: int) -> int:
    """The default thinning of a ``size``-plan ensemble: enough steps for its chains to mix.

    Parameters
    ----------
    size
        Configurations kept in all.

    Returns
    -------
    int
        ``ceil(MIN_KEPT_STEPS / size)``, at least 1 (see :data:`MIN_KEPT_STEPS`).
    """
    return max(1, math.ceil(MIN_KEPT_STEPS / max(1, size)))


def _rest_ok(sizes: Sizes, sums: np.ndarray, anchors: np.ndarray, parts: int) -> np.ndarray:
    """Rows that ``parts`` partnerships could still hold: sums within ``parts × [low, high]`` and, when anchors
    are required, ``parts`` anchors or more (necessary conditions, not sufficient ones).
    """
    ok = np.all(
        (sums >= parts * sizes.low - SIZE_SLACK) & (sums <= parts * sizes.high + SIZE_SLACK),
        axis=1,
    )
    if sizes.need_anchor:
        ok &= anchors >= parts
    return ok


def _cut_piece(
    problem: Problem, sizes: Sizes, nodes: np.ndarray, parts: int, rng: np.random.Generator, trees: int
) -> np.ndarray | None:
    """Cut one partnership off the connected area ``nodes`` that must become ``parts`` partnerships.

    Draws up to ``trees`` random spanning trees of the area; a tree edge is a candidate when one side is a
    valid partnership (:meth:`Sizes.within`, an anchor when required, no ``apart`` pair inside) and the other
    side could still make ``parts - 1`` (:func:`_rest_ok`, and ``parts - 1`` blocks or more; with ``parts == 2`` that is a valid partnership with
    no ``apart`` pair inside either). Returns the mask of the piece over ``nodes``, or None.
    """
    n = len(nodes)
    su, sv = _area_edges(nodes, problem.edges, problem.n)
    attr = sizes.attr[nodes]
    anchors = sizes.anchors[nodes].astype(float)
    total, total_anchors = attr.sum(axis=0), anchors.sum()
    local = np.full(problem.n, -1, dtype=np.int64)
    local[nodes] = np.arange(n)
    pairs = np.array([(local[x], local[y]) for x, y in problem.apart], dtype=np.int64).reshape(-1, 2)
    pairs = pairs[(pairs >= 0).all(axis=1)]
    for _ in range(trees):
        root, order, parent = random_tree(n, su, sv, rng)
        if len(order) < n:
            raise InfeasibleError(
                f"the {n} planning units left to share between {parts} partnerships are not all connected: "
                "no contiguous plan can be drawn at random",
                fix="link the islands (island policy 'link') or plan the connected parts separately",
            )
        inside = below(order, parent, n)
        weights = inside.astype(float)
        sums, anchors_below = weights @ attr, weights @ anchors
        rest_sums, rest_anchors = total - sums, total_anchors - anchors_below
        # the subtree below v is the piece (and the rest goes on), or the other way round
        piece_below = _rest_ok(sizes, sums, anchors_below, 1) & _rest_ok(sizes, rest_sums, rest_anchors, parts - 1)
        piece_above = _rest_ok(sizes, rest_sums, rest_anchors, 1) & _rest_ok(sizes, sums, anchors_below, parts - 1)
        # a block or more for each partnership left
        count_below = inside.sum(axis=1)
        piece_below &= n - count_below >= parts - 1
        piece_above &= count_below >= parts - 1
        piece_below[root] = piece_above[root] = False
        masks = np.concatenate([inside[piece_below], ~inside[piece_above]])
        if len(pairs) and len(masks):
            a, b = masks[:, pairs[:, 0]], masks[:, pairs[:, 1]]
            keep = a != b if parts == 2 else ~(a & b)
            masks = masks[keep.all(axis=1)]
        if len(masks):
            return masks[rng.integers(len(masks))]
    return None


def _tree_partition(problem: Problem, sizes: Sizes, rng: np.random.Generator, trees: int) -> np.ndarray | None:
    """One attempt of :func:`random_plan`: block labels, or None when a cut found no candidate."""
    labels = np.full(problem.n, -1, dtype=np.int64)
    remaining = np.arange(problem.n)
    for i in range(problem.k - 1):
        piece = _cut_piece(problem, sizes, remaining, problem.k - i, rng, trees)
        if piece is None:
            return None
        labels[remaining[piece]] = i
        remaining = remaining[~piece]
    labels[remaining] = problem.k - 1
    return labels


def random_plan(
    problem: Problem, rng: np.random.Generator, *, tries: int = RANDOM_PLAN_TRIES, trees: int = TREES_PER_CUT
) -> np.ndarray:
    """A random valid configuration drawn independently of any plan (recursive spanning-tree bipartition).

    As GerryChain's ``recursive_tree_part``: draw a random spanning tree of the blocks not yet assigned and cut
    off one partnership along a tree edge, chosen at random among the edges where one side is within every
    size bound, holds an anchor (when the problem needs anchors) and keeps ``apart`` pairs apart, while the
    other side could still make the partnerships left (its sums within (k − i) × [low, high], at least k − i
    anchors and blocks); the last cut must leave both halves valid. Each piece is one side of a tree edge, so every
    partnership is connected. An attempt whose cut finds no candidate in ``trees`` trees starts again.

    Parameters
    ----------
    problem
        The problem (blocks, adjacency, size bounds, anchors, apart pairs); its blocks must be connected.
    rng
        Random generator (the result depends on its state only).
    tries
        Fresh attempts before giving up.
    trees
        Spanning trees drawn per cut within an attempt.

    Returns
    -------
    numpy.ndarray
        Partnership index (0 .. k − 1) of each block.

    Raises
    ------
    InfeasibleError
        When no valid configuration is found in ``tries`` attempts, or the blocks are not connected.
    """
    sizes = Sizes.of(problem)
    for _ in range(tries):
        labels = _tree_partition(problem, sizes, rng, trees)
        if labels is not None:
            return labels
    raise InfeasibleError(
        f"no random valid plan of k = {problem.k} partnerships found in {tries} attempts of recursive "
        f"spanning-tree cuts ({trees} trees per cut)",
        fix="loosen the size bounds or change k",
    )


@dataclass(frozen=True)
class ChainResult:
    """What one chain of :func:`run_chain` kept, and facts about it.

    Attributes
    ----------
    metrics
        Metrics of each kept configuration (as :class:`_Evaluator`: ``wdist_km`` in km, ``max_abs_deviation``
        as a fraction of the mean, ``district_splits``, ``cut_edges``), in chain order.
    start
        The random starting configuration (block labels, from :func:`random_plan`).
    start_wdist_km
        wdist of the starting configuration (km).
    acceptance
        Share of the steps run (burn-in included) that changed the configuration.
    steps
        Steps run: ``burn_in + len(metrics) × thin``.
    """

    metrics: list[dict[str, float]]
    start: np.ndarray
    start_wdist_km: float
    acceptance: float
    steps: int


def run_chain(
    problem: Problem,
    seed: int | np.random.SeedSequence | None,
    *,
    steps: int,
    burn_in: int = DEFAULT_BURN_IN,
    thin: int | None = DEFAULT_THIN,
    tries: int = 8,
    on_kept: Callable[[], None] | None = None,
) -> ChainResult:
    """Run one ReCom chain from a random starting plan (a top-level function: an executor can run it elsewhere).

    Parameters
    ----------
    problem
        The problem, with k ≥ 2.
    seed
        Seed of the chain's generator (an int or a :class:`numpy.random.SeedSequence`); it draws the starting
        plan (:func:`random_plan`) and every step.
    steps
        Configurations kept.
    burn_in
        Steps run first and discarded.
    thin
        Keep every ``thin``-th configuration after the burn-in.
    tries
        Spanning trees drawn per step before the step keeps the current configuration.
    on_kept
        Called after each kept configuration (a progress bar), in this process only.

    Returns
    -------
    ChainResult

    Raises
    ------
    ValueError
        When ``problem.k`` < 2 (a recombination merges two partnerships) or ``thin`` < 1 or ``burn_in`` < 0.
    InfeasibleError
        As :func:`random_plan`.
    """
    if problem.k < 2:
        raise ValueError(f"a ReCom chain needs two partnerships or more: {ONE_PARTNERSHIP}")
    if thin < 1 or burn_in < 0 or steps < 0:
        raise ValueError(f"steps ({steps}) and burn_in ({burn_in}) must be ≥ 0 and thin ({thin}) ≥ 1")
    rng = np.random.default_rng(seed)
    start = random_plan(problem, rng)
    evaluate = _Evaluator(problem)
    sizes, edges, apart = Sizes.of(problem), problem.edges, problem.apart
    labels, changed, metrics = start, 0, []
    for step in range(burn_in + steps * thin):
        new = _recombine(labels, edges, sizes, apart, rng, tries)
        changed += new is not labels
        labels = new
        if step >= burn_in and (step - burn_in + 1) % thin == 0:
            metrics.append(evaluate(labels))
            if on_kept is not None:
                on_kept()
    total = burn_in + steps * thin
    return ChainResult(metrics, start, evaluate(start)["wdist_km"], changed / total if total else 0.0, total)


def split_rhat(chains: list[np.ndarray]) -> float:
    """Split-R-hat (Gelman et al., *Bayesian Data Analysis*, 3rd ed., §11.4) of a measure across chains.

    Each chain is cut to the shortest chain's (even) length and split in two halves; R-hat is
    ``sqrt(var⁺ / W)`` with ``W`` the mean variance within the halves and ``var⁺`` the pooled variance
    (within and between the halves' means). It is near 1 when the chains (and the halves of each) sample the
    same distribution; above about 1.01-1.1 says they have not yet mixed (more burn-in or more steps).

    Parameters
    ----------
    chains
        The measure's values in each chain, in chain order.

    Returns
    -------
    float
        R-hat; NaN with fewer than two chains, fewer than four values per chain, or no variance within
        the halves.
    """
    if len(chains) < 2:
        return math.nan
    n = min(len(c) for c in chains) // 2 * 2
    if n < 4:
        return math.nan
    halves = np.array([h for c in chains for h in np.split(np.asarray(c[:n], dtype=float), 2)])
    m = n // 2
    within = halves.var(axis=1, ddof=1).mean()
    if within <= 0:
        return math.nan
    between = m * halves.mean(axis=1).var(ddof=1)
    return float(math.sqrt(((m - 1) / m * within + between / m) / within))


@dataclass(frozen=True)
class EnsembleSample:
    """An ensemble of valid configurations from independent ReCom chains, and how it was drawn.

    Iterating, indexing and ``len`` go over :attr:`metrics` (so it serves where a list of metrics did).

    Attributes
    ----------
    metrics
        Metrics of every kept configuration, chain after chain (see :class:`ChainResult`).
    chains
        Independent chains, each from its own random starting plan (:func:`random_plan`).
    kept_per_chain
        Configurations kept from each chain.
    burn_in
        Steps discarded at the start of each chain.
    thin
        Every ``thin``-th configuration after the burn-in kept.
    random_state
        The seed the chains' seeds were spawned from.
    rhat_wdist
        Split-R-hat of wdist across the chains (:func:`split_rhat`; NaN with one chain).
    acceptance
        Per chain, the share of steps that changed the configuration.
    start_wdist_km
        Per chain, wdist of its random starting plan (km).
    k
        Partnerships of the configurations.
    """

    metrics: list[dict[str, float]]
    chains: int
    kept_per_chain: tuple[int, ...]
    burn_in: int
    thin: int
    random_state: int | None
    rhat_wdist: float
    acceptance: tuple[float, ...]
    start_wdist_km: tuple[float, ...]
    k: int = 0

    def __len__(self) -> int:
        """The number of plans sampled."""
        return len(self.metrics)

    def __iter__(self) -> Iterator[dict[str, float]]:
        """Each sampled plan's measures, in the order sampled."""
        return iter(self.metrics)

    def __getitem__(self, i: int) -> dict[str, float]:
        """The measures of the ``i``-th sampled plan."""
        return self.metrics[i]

    @property
    def steps_per_chain(self) -> tuple[int, ...]:
        """Steps run by each chain: burn-in plus kept × thin."""
        return tuple(self.burn_in + kept * self.thin for kept in self.kept_per_chain)

    @property
    def total_steps(self) -> int:
        """Steps run over all chains: ``chains × burn_in + len(metrics) × thin``."""
        return sum(self.steps_per_chain)

    def design(self) -> dict[str, Any]:
        """The design as plain values (for ``manifest.json``).

        Returns
        -------
        dict
            ``k``, ``size``, ``chains``, ``kept_per_chain``, ``steps_per_chain``, ``burn_in``, ``thin``,
            ``total_steps``, ``random_state``, ``rhat_wdist`` (None when NaN), ``acceptance``,
            ``start_wdist_km``.
        """
        return {
            "k": self.k,
            "size": len(self.metrics),
            "chains": self.chains,
            "kept_per_chain": list(self.kept_per_chain),
            "steps_per_chain": list(self.steps_per_chain),
            "burn_in": self.burn_in,
            "thin": self.thin,
            "total_steps": self.total_steps,
            "random_state": self.random_state,
            "rhat_wdist": None if math.isnan(self.rhat_wdist) else round(self.rhat_wdist, 4),
            "acceptance": [round(a, 4) for a in self.acceptance],
            "start_wdist_km": [round(w, 4) for w in self.start_wdist_km],
        }

    def describe(self) -> str:
        """One sentence: ``ranked within N plans: C independent chains from random starting plans, ...``."""
        rhat = "R-hat n/a (one chain)" if math.isnan(self.rhat_wdist) else f"R-hat {self.rhat_wdist:.2f}"
        return (
            f"ranked within {len(self.metrics):,} plans: {self.chains} independent "
            f"chain{'s' if self.chains != 1 else ''} from random starting plans, {self.burn_in:,} steps of burn-in "
            f"discarded per chain, every {_ordinal(self.thin)} step kept, {rhat}"
        )


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th`` ..."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _split(size: int, chains: int) -> list[int]:
    """``size`` kept configurations over ``chains`` chains, the first ones one more when it does not divide."""
    return [size // chains + (1 if i < size % chains else 0) for i in range(chains)]


def ensemble(
    problem: Problem,
    size: int = 1000,
    *,
    chains: int = DEFAULT_CHAINS,
    burn_in: int = DEFAULT_BURN_IN,
    thin: int | None = DEFAULT_THIN,
    random_state: int | None = 0,
    executor: Executor | None = None,
    progress: bool | None = None,
) -> EnsembleSample:
    """An ensemble of ``size`` valid configurations from ``chains`` independent ReCom chains (seedable).

    Each chain starts at its own random plan (:func:`random_plan`, independent of any plan to be ranked), runs
    ``burn_in`` steps that are discarded, then keeps every ``thin``-th configuration; ``size`` is split over the
    chains (the first ones keep one more when it does not divide). The chains' seeds are
    ``numpy.random.SeedSequence(random_state).spawn(chains)``, so the sample depends on (problem, size, chains,
    burn_in, thin, random_state) only, never on the executor or its workers; it is the chains' configurations
    concatenated in chain order.

    The default burn-in (:data:`DEFAULT_BURN_IN` = 2,000 steps) covers the drift measured on Hampshire k = 23
    (default spec: pupils ±10 %, anchors) from random starts: over 16 chains (``benchmarks/ensemble.py``,
    ``benchmarks/ENSEMBLE.md``) mean wdist is 4.61 km at the random starting plans, 4.58 km over steps 1-100
    and 4.48 km over steps 100-250, then stays within 4.45-4.54 km in every later window up to 4,000 steps
    (the noise between windows): the drift is over by about 250 steps, and 2,000 steps is eight times that
    (about 0.7 s per chain). R-hat says whether the kept part has mixed: each chain's wdist wanders slowly
    (a ReCom step redraws 2 of k partnerships), so with thin = 1 a 1,000-plan ensemble (250 steps per chain)
    has R-hat well above 1 (1.98) and 100,000 plans about 1.02; thinning (``thin``) or more plans brings it
    down, so the default thinning runs at least :data:`MIN_KEPT_STEPS` steps after the burn-in in all
    (every 25th step kept for 1,000 plans: R-hat 1.08; figures in ``benchmarks/ENSEMBLE.md``).

    Parameters
    ----------
    problem
        The problem, with k ≥ 2 (it is pickled to the executor's workers).
    size
        Configurations kept in all.
    chains
        Independent chains (at most ``size``; fewer are run when ``size`` is smaller).
    burn_in
        Steps discarded at the start of each chain.
    thin
        Keep every ``thin``-th configuration after the burn-in (None: :func:`default_thin` of ``size``).
    random_state
        Seed the chains' seeds are spawned from.
    executor
        A :class:`concurrent.futures.Executor` to run the chains on (e.g. a ``ProcessPoolExecutor``); None runs
        them here one after another.
    progress
        Show a progress bar (default: when standard error is a terminal).

    Returns
    -------
    EnsembleSample
        The metrics of the kept configurations and the design (chains, burn-in, thinning, steps) with the
        split-R-hat of wdist across chains (:func:`split_rhat`): near 1 (≤ 1.01-1.05) when the chains agree,
        i.e. the ensemble does not depend on where they started; NaN with one chain.

    Raises
    ------
    ValueError
        When ``chains`` < 1, ``thin`` < 1, ``burn_in`` < 0, or k < 2.
    InfeasibleError
        As :func:`random_plan`.
    """
    if chains < 1:
        raise ValueError(f"chains ({chains}) must be 1 or more")
    thin = default_thin(size) if thin is None else thin
    chains = max(1, min(chains, size))
    kept = _split(size, chains)
    seeds = np.random.SeedSequence(random_state).spawn(chains)
    show = sys.stderr.isatty() if progress is None else progress
    bar = None
    if show:
        from tqdm import tqdm

        bar = tqdm(total=size, desc=f"ensemble k={problem.k}", unit="plan", file=sys.stderr)
    try:
        if executor is None:
            tick = None if bar is None else (lambda: bar.update(1))
            results = [
                run_chain(problem, s, steps=n, burn_in=burn_in, thin=thin, on_kept=tick) for s, n in zip(seeds, kept)
            ]
        else:
            portable = dataclasses.replace(problem, describe_block=None)  # what a chain needs, lighter to send
            futures = [
                executor.submit(run_chain, portable, s, steps=n, burn_in=burn_in, thin=thin)
                for s, n in zip(seeds, kept)
            ]
            if bar is not None:
                for future in as_completed(futures):
                    bar.update(len(future.result().metrics))
            results = [f.result() for f in futures]
    finally:
        if bar is not None:
            bar.close()
    return EnsembleSample(
        metrics=[m for r in results for m in r.metrics],
        chains=chains,
        kept_per_chain=tuple(kept),
        burn_in=burn_in,
        thin=thin,
        random_state=random_state,
        rhat_wdist=split_rhat([np.array([m["wdist_km"] for m in r.metrics]) for r in results]),
        acceptance=tuple(r.acceptance for r in results),
        start_wdist_km=tuple(r.start_wdist_km for r in results),
        k=problem.k,
    )


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


class PlanRanks(dict):
    """``{plan name: {metric: share of the ensemble beaten}}`` (a dict), with the ensembles behind the ranks.

    Attributes
    ----------
    samples
        ``{plan name: EnsembleSample}`` for each plan ranked (plans of the same k and spec share one).
    reasons
        ``{plan name: why it has no rank}`` for each plan left out.
    """

    def __init__(self) -> None:
        super().__init__()
        self.samples: dict[str, EnsembleSample] = {}
        self.reasons: dict[str, str] = {}


def _spec_key(plan) -> tuple[int, str]:
    """Plans sharing this key share one ensemble: their k and the rules of their spec (its repr, hashable whatever
    it holds), not its seed (an alternative is searched from another seed, under the same rules).
    """
    return plan.k, repr(dataclasses.replace(plan.spec, random_state=None))


RHAT_LIMIT = 1.1
"""R-hat of wdist above which an ensemble's chains are said not to agree (the usual threshold; Gelman et al.)."""


def _warn_unmixed(sample: EnsembleSample) -> None:
    """A :class:`~partition.warnings.ResultWarning` when the chains of ``sample`` do not agree (R-hat above
    :data:`RHAT_LIMIT`): its ranks depend on where the chains started.
    """
    if sample.rhat_wdist > RHAT_LIMIT:
        warnings.warn(
            f"k = {sample.k}: the ensemble's chains do not agree yet (R-hat of wdist {sample.rhat_wdist:.2f}, above "
            f"{RHAT_LIMIT}), so its ranks are indicative; sample more plans or thin more (a larger --thin, "
            "[outputs] ensemble_thin)",
            ResultWarning,
            stacklevel=3,
        )


def plan_percentiles(  # noqa: PLR0913 (keyword options still to be grouped, docs/development.md)
    inputs,
    plans: list,
    size: int = 1000,
    *,
    chains: int = DEFAULT_CHAINS,
    burn_in: int = DEFAULT_BURN_IN,
    thin: int | None = DEFAULT_THIN,
    random_state: int | None = 0,
    executor: Executor | None = None,
    progress: bool | None = None,
) -> PlanRanks:
    """For each plan that can be ranked, its percentile on each metric within an ensemble of its k and spec.

    Plans of the same k and spec share one ensemble (:func:`ensemble`: independent chains from random
    starting plans, not from the plan ranked).

    Parameters
    ----------
    inputs : Inputs
        The inputs the plans were made from.
    plans : list of Plan
        Configurations; those :func:`rank_unavailable` names (not valid, one partnership) are left
        out, each with a :class:`~partition.warnings.ResultWarning` giving the reason, as are those
        whose ensemble cannot start (no random valid plan found, :func:`random_plan`).
    size
        Configurations in each ensemble.
    chains, burn_in, thin, random_state, executor, progress
        As :func:`ensemble`.

    Returns
    -------
    PlanRanks
        ``{plan name: {metric: share of the ensemble beaten}}`` for the plans ranked; its ``samples`` give
        each plan's ensemble (and design: :meth:`EnsembleSample.describe`), its ``reasons`` why a plan has no
        rank.
    """
    from partition.solvers.problem import build_problem

    out = PlanRanks()
    shared: dict[tuple[int, str], tuple[Problem, EnsembleSample] | str] = {}
    for plan in plans:
        reason = rank_unavailable(plan)
        key = _spec_key(plan)
        if reason is None and key not in shared:
            problem = build_problem(inputs.units, inputs.graph, inputs.schools, plan.spec, plan.k)
            try:
                sample = ensemble(
                    problem,
                    size,
                    chains=chains,
                    burn_in=burn_in,
                    thin=thin,
                    random_state=random_state,
                    executor=executor,
                    progress=progress,
                )
                shared[key] = (problem, sample)
                _warn_unmixed(sample)
            except InfeasibleError as error:
                shared[key] = f"the ensemble could not start: {error}"
        if reason is None and isinstance(shared[key], str):
            reason = shared[key]
        if reason is not None:
            out.reasons[plan.name] = reason
            warnings.warn(f"{plan.name}: no ensemble rank: {reason}", ResultWarning, stacklevel=2)
            continue
        problem, sample = shared[key]
        first_unit = np.array([b[0] for b in problem.blocks])
        labels = np.unique(plan.unit_labels[first_unit], return_inverse=True)[1]
        out[plan.name] = percentiles(_Evaluator(problem)(labels), sample.metrics)
        out.samples[plan.name] = sample
    return out
