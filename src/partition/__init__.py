"""partition: plan the boundaries of local children's partnerships.

Pipeline: :mod:`partition.io` (load GIAS and ONS files) → :mod:`partition.units`
(sites, Voronoi cells, polygon units) → :mod:`partition.graph` (adjacency) →
:mod:`partition.spec` → :mod:`partition.solvers` → :mod:`partition.scoring` →
:mod:`partition.maps` → :mod:`partition.cli`.
"""

__version__ = "0.1.0"
