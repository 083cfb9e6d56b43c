"""Baselines a user might reach for, run through the same interface.

They cluster unit locations (km) into k contiguous regions but know nothing
of size bounds or anchors; their violations show in the same score table.

* ``agglomerative``: scikit-learn ``AgglomerativeClustering`` (Ward linkage)
  with the adjacency graph as connectivity;
* ``azp``, ``regionkmeans``, ``skater``, ``wardspatial``: spopt's methods
  (optional extra ``partition[spopt]``).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from partition.errors import PartitionError
from partition.model.result import SolverResult
from partition.solvers.problem import Problem

BASELINES = ("agglomerative", "azp", "regionkmeans", "skater", "wardspatial")


def _connectivity(problem: Problem) -> csr_matrix:
    rows = [i for i, nb in enumerate(problem.neighbours) for _ in nb]
    cols = [int(j) for nb in problem.neighbours for j in nb]
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(problem.n, problem.n))


def solve_baseline(problem: Problem, method: str, *, random_state: int | None = 0) -> SolverResult:
    """Run one baseline on the problem's blocks; constraints are checked by scoring, not here.

    Each baseline clusters the blocks' pupil-weighted centres (km, BNG) into ``problem.k``
    contiguous regions by the blocks' adjacency; size bounds, anchors and locks are ignored.

    Parameters
    ----------
    problem
        The problem (its blocks, neighbours, ``block_xy`` and ``k``).
    method
        One of :data:`BASELINES`: ``"agglomerative"`` (scikit-learn Ward clustering with the
        adjacency as connectivity), or ``"azp"``, ``"regionkmeans"``, ``"skater"``,
        ``"wardspatial"`` (spopt).
    random_state
        Seed for AZP and RegionKMeans (the others are deterministic).

    Returns
    -------
    SolverResult
        Labels ``0 ..`` in block order (renumbered densely), solver ``method``, status
        ``"unchecked"`` (the planner scores it), runtime in seconds.

    Raises
    ------
    PartitionError
        When ``method`` is not a baseline, or an spopt baseline is asked for and spopt is not installed.
    """
    start = time.perf_counter()
    k = problem.k
    xy = problem.block_xy
    if method == "agglomerative":
        from sklearn.cluster import AgglomerativeClustering

        labels = AgglomerativeClustering(n_clusters=k, connectivity=_connectivity(problem), linkage="ward").fit_predict(
            xy
        )
    elif method in ("azp", "regionkmeans", "skater", "wardspatial"):
        try:
            import geopandas as gpd
            import libpysal
            import spopt.region as region
        except ImportError:
            raise PartitionError(f"baseline {method!r} needs spopt", fix="pip install 'partition[spopt]'") from None
        w = libpysal.weights.W(
            {i: [int(j) for j in nb] for i, nb in enumerate(problem.neighbours)}, silence_warnings=True
        )
        frame = gpd.GeoDataFrame(
            pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]}), geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1])
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method == "azp":
                model = region.AZP(frame, w, ["x", "y"], n_clusters=k, random_state=random_state)
            elif method == "regionkmeans":
                np.random.seed(0 if random_state is None else random_state)  # spopt seeds numpy's global state itself
                model = region.RegionKMeansHeuristic(xy, k, w)
            elif method == "skater":
                model = region.Skater(frame, w, ["x", "y"], n_clusters=k, floor=1, trace=False, islands="increase")
            else:
                model = region.WardSpatial(frame, w, ["x", "y"], n_clusters=k)
            model.solve()
        labels = np.asarray(model.labels_)
    else:
        raise PartitionError(f"unknown baseline {method!r}", fix=f"choose one of {', '.join(BASELINES)}")
    _, labels = np.unique(labels, return_inverse=True)
    return SolverResult(
        labels=labels.astype(int), solver=method, status="unchecked", runtime=time.perf_counter() - start
    )
