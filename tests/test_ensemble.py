"""ReCom ensembles as independent chains: random starting plans, burn-in and thinning, seeds, executors, R-hat,
and the design told in the comparison table."""

from __future__ import annotations

import dataclasses
import math
import pickle
import warnings
from concurrent.futures import ProcessPoolExecutor

import networkx as nx
import numpy as np
import pytest
from click.testing import CliRunner

from partition.analysis.compare import add_ensemble_ranks, format_scorecard, scorecard
from partition.analysis.ensemble import (
    DEFAULT_BURN_IN,
    EnsembleSample,
    _area_edges,
    ensemble,
    plan_percentiles,
    random_plan,
    run_chain,
    split_rhat,
)
from partition.cli import cli
from partition.errors import InfeasibleError
from partition.model.scoring import contiguous_parts
from partition.model.spec import Locks, PlanSpec, SizeBound
from partition.planning.planner import make_plan
from partition.runs.outputs import write_plan
from partition.solvers.problem import build_problem
from synthetic import grid_inputs

ENGLAND = ("schools/gias_2022_england_open_primary_secondary.csv", "boundaries/topo_lad_eng_2013.json")


@pytest.fixture(scope="module")
def problem23(hampshire):
    return build_problem(hampshire.units, hampshire.graph, hampshire.schools, PlanSpec(k=(23,)), 23)


def _assert_valid(inputs, problem, labels):
    """A valid configuration, checked from the labels alone (networkx, the unit graph, the size bounds)."""
    k = problem.k
    assert labels.shape == (problem.n,) and set(np.unique(labels)) == set(range(k))
    blocks = nx.Graph(problem.edges.tolist())
    blocks.add_nodes_from(range(problem.n))
    for p in range(k):
        assert nx.is_connected(blocks.subgraph(np.flatnonzero(labels == p).tolist())), f"partnership {p}"
    unit_labels = problem.unit_labels(labels)
    assert max(contiguous_parts(inputs.graph, unit_labels).values()) == 1
    for attribute, (low, high) in problem.limits.items():
        sums = np.bincount(labels, weights=problem.attrs[attribute], minlength=k)
        assert ((sums >= low - 1e-6) & (sums <= high + 1e-6)).all(), (attribute, sums.min(), sums.max(), low, high)
    if problem.needs_anchors:
        # anchors counted from the schools themselves, not the blocks' sums
        anchored = inputs.schools.loc[inputs.schools["anchor"].astype(bool), "unit"].to_numpy()
        assert set(unit_labels[anchored]) == set(range(k))
    for x, y in problem.apart:
        assert labels[x] != labels[y]


@pytest.mark.parametrize("k", [22, 23, 24])
def test_random_plan_is_valid_on_hampshire(hampshire, k):
    problem = build_problem(hampshire.units, hampshire.graph, hampshire.schools, PlanSpec(k=(k,)), k)
    plans = [random_plan(problem, np.random.default_rng(seed)) for seed in range(3)]
    for labels in plans:
        _assert_valid(hampshire, problem, labels)
    assert len({tuple(x) for x in plans}) == 3  # random: three seeds, three plans


@pytest.mark.parametrize(("la", "k"), [("857", 2), ("886", 26)])
def test_random_plan_is_valid_in_other_authorities(shared, la, k):
    from partition.units.prepare import prepare

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inputs = prepare(*ENGLAND, la_codes=(la,))
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, PlanSpec(k=(k,)), k)
    for seed in range(2):
        _assert_valid(inputs, problem, random_plan(problem, np.random.default_rng(seed)))


def test_random_plan_keeps_apart_pairs_apart():
    inputs = grid_inputs(4, 4, [100] * 16, [True] * 16)
    spec = PlanSpec(k=(3,), size=(SizeBound(tolerance=0.5),), locks=Locks(apart=((1000, 1001), (1005, 1010))))
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, spec, 3)
    assert len(problem.apart) == 2
    for seed in range(20):
        _assert_valid(inputs, problem, random_plan(problem, np.random.default_rng(seed)))


@pytest.mark.parametrize("k", [3, 12])
def test_random_plan_without_size_bounds_or_anchors_leaves_a_block_for_each(k):
    inputs = grid_inputs(3, 4, [100] * 12, [False] * 12)
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, PlanSpec(k=(k,), size=(), anchors=False), k)
    assert problem.limits == {} and not problem.needs_anchors
    for seed in range(10):
        _assert_valid(inputs, problem, random_plan(problem, np.random.default_rng(seed)))


def test_random_plan_says_plainly_when_it_finds_none():
    # a path 100 - 300 - 100 pupils in two partnerships of 225-275: no contiguous split exists
    inputs = grid_inputs(1, 3, [100, 300, 100], [True] * 3)
    problem = build_problem(inputs.units, inputs.graph, inputs.schools, PlanSpec(k=(2,)), 2)
    with pytest.raises(InfeasibleError, match=r"no random valid plan of k = 2 partnerships found in 5 attempts"):
        random_plan(problem, np.random.default_rng(0), tries=5, trees=3)


def test_area_edges_match_the_edges_inside():
    edges = np.array([[0, 1], [1, 2], [2, 3], [0, 3], [1, 3]])
    su, sv = _area_edges(np.array([1, 3, 2]), edges, 4)
    # local indices: block 1 -> 0, block 3 -> 1, block 2 -> 2
    assert list(zip(su.tolist(), sv.tolist())) == [(0, 2), (2, 1), (0, 1)]


def test_problem_pickles_with_its_block_descriptions(problem23):
    copy = pickle.loads(pickle.dumps(problem23))
    assert copy.describe_block(5) == problem23.describe_block(5)
    assert (copy.edges == problem23.edges).all() and copy.limits == problem23.limits


def test_same_seed_same_sample_and_counts(problem23):
    one = ensemble(problem23, 10, chains=3, burn_in=7, thin=3, random_state=4, progress=False)
    two = ensemble(problem23, 10, chains=3, burn_in=7, thin=3, random_state=4, progress=False)
    other = ensemble(problem23, 10, chains=3, burn_in=7, thin=3, random_state=5, progress=False)
    assert isinstance(one, EnsembleSample) and one.metrics == two.metrics and one.metrics != other.metrics
    assert len(one) == 10 and one.kept_per_chain == (4, 3, 3)
    assert one.steps_per_chain == (7 + 4 * 3, 7 + 3 * 3, 7 + 3 * 3)
    assert one.total_steps == 3 * 7 + 10 * 3
    assert one.design()["total_steps"] == 51 and one.design()["burn_in"] == 7 and one.design()["thin"] == 3


def test_sample_does_not_depend_on_the_executor(problem23):
    here = ensemble(problem23, 12, chains=4, burn_in=20, thin=2, random_state=9, progress=False)
    with ProcessPoolExecutor(2) as pool:
        there = ensemble(problem23, 12, chains=4, burn_in=20, thin=2, random_state=9, executor=pool, progress=False)
    assert here.metrics == there.metrics
    assert here.acceptance == there.acceptance and here.start_wdist_km == there.start_wdist_km


def test_sample_is_the_same_on_a_dask_cluster(problem23, dask_scheduler):
    """Independent chains on a two-worker Dask LocalCluster (via partition.runs.parallel): the same sample."""
    from partition.runs.parallel import executor

    here = ensemble(problem23, 12, chains=4, burn_in=20, thin=2, random_state=9, progress=False)
    with executor(scheduler=dask_scheduler) as pool:
        there = ensemble(problem23, 12, chains=4, burn_in=20, thin=2, random_state=9, executor=pool, progress=False)
    assert here.metrics == there.metrics and here.acceptance == there.acceptance


def test_chains_start_from_different_random_plans_and_burn_in_is_discarded(problem23):
    seeds = np.random.SeedSequence(0).spawn(3)
    chains = [run_chain(problem23, s, steps=4, burn_in=5, thin=2) for s in seeds]
    starts = {tuple(c.start) for c in chains}
    assert len(starts) == 3
    for c in chains:
        assert c.steps == 5 + 4 * 2 and len(c.metrics) == 4 and 0 < c.acceptance <= 1
    # with no burn-in and thin 1 the first kept configuration is one step from the start;
    # with burn-in it is further on: the chain is the same generator, so the later states match
    same = run_chain(problem23, seeds[0], steps=13, burn_in=0, thin=1)
    assert same.start_wdist_km == chains[0].start_wdist_km
    assert [m["wdist_km"] for m in same.metrics[6::2]] == [m["wdist_km"] for m in chains[0].metrics]


def test_split_rhat():
    rng = np.random.default_rng(0)
    mixed = [rng.normal(size=2000) for _ in range(4)]
    assert split_rhat(mixed) == pytest.approx(1.0, abs=0.01)
    apart = [rng.normal(size=2000) + 3 * i for i in range(4)]
    assert split_rhat(apart) > 2
    drifting = [np.linspace(0, 5, 2000) + rng.normal(size=2000) * 0.1 for _ in range(2)]
    assert split_rhat(drifting) > 2  # split halves see a trend within a chain
    assert math.isnan(split_rhat([rng.normal(size=100)]))


def test_one_chain_has_no_rhat(problem23):
    sample = ensemble(problem23, 8, chains=1, burn_in=0, progress=False)
    assert sample.chains == 1 and math.isnan(sample.rhat_wdist) and sample.design()["rhat_wdist"] is None
    assert "R-hat n/a (one chain)" in sample.describe()


def test_plans_of_one_k_share_one_ensemble_and_the_table_tells_the_design(hampshire):
    spec = PlanSpec(k=(23,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = make_plan(hampshire, spec, 23, solver="heuristic", heuristic_options={"iterations": 5})
    b = dataclasses.replace(a, name="copy")
    # an alternative is searched from another seed under the same rules: it shares the ensemble too
    alt = dataclasses.replace(a, name="alt", spec=dataclasses.replace(a.spec, random_state=7))
    ranks = plan_percentiles(hampshire, [a, b, alt], 40, chains=2, burn_in=30, thin=2, progress=False)
    assert ranks.samples[a.name] is ranks.samples["copy"] is ranks.samples["alt"] and ranks[a.name] == ranks["copy"]
    sample = ranks.samples[a.name]
    assert sample.chains == 2 and sample.total_steps == 2 * 30 + 40 * 2
    assert sample.describe().startswith("ranked within 40 plans: 2 independent chains from random starting plans")
    table = add_ensemble_ranks(scorecard([a, b, alt]), [a, b, alt], ranks, 40)
    design = table.attrs["ensemble_design"]
    assert design["chains"] == 2 and design["burn_in"] == 30 and design["thin"] == 2
    assert design["steps_per_chain"] == [70, 70] and len(design["ensembles"]) == 1  # one ensemble, shared
    assert design["ensembles"][0]["configurations"] == [a.name, "copy", "alt"] and design["ensembles"][0]["k"] == 23
    md = format_scorecard(table, "markdown")
    assert "Drawn by 2 independent ReCom chains from random starting plans" in md
    assert "30 steps of burn-in discarded per chain, then every 2nd step kept (70 steps per chain); R-hat" in md
    assert f"chains agree): k = 23 {sample.rhat_wdist:.2f}." in md


def test_compare_cli_states_the_ensemble_design(hampshire, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_plan(
            make_plan(hampshire, PlanSpec(k=(23,)), 23, solver="heuristic", heuristic_options={"iterations": 5}),
            tmp_path,
        )
    args = ["compare", str(tmp_path / "k23-ignore"), "--markdown", "--ensemble", "30", "--chains", "3"]
    result = CliRunner().invoke(cli, [*args, "--burn-in", "40", "--thin", "2"])
    assert result.exit_code == 0, result.output
    assert "Drawn by 3 independent ReCom chains from random starting plans (not from the configuration ranked): " in (
        result.stdout
    )
    assert "40 steps of burn-in discarded per chain, then every 2nd step kept (60 steps per chain)" in result.stdout
    # the plain-text table (the default) says how the ranks were drawn too
    text = CliRunner().invoke(cli, [*args[:2], "--ensemble", "30", "--chains", "3", "--burn-in", "40", "--thin", "2"])
    assert text.exit_code == 0 and "\nRanks: Drawn by 3 independent ReCom chains" in text.stdout
    bad = CliRunner().invoke(cli, [*args, "--thin", "0"])
    assert bad.exit_code == 2 and "option --thin: 0 must be at least 1" in bad.stderr


def test_default_burn_in_is_documented():
    assert f"{DEFAULT_BURN_IN:,}" in ensemble.__doc__
