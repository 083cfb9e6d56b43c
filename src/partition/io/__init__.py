"""Loading and validating the input files (GIAS schools, ONS boundaries, population)."""

from partition.io.boundaries import read_boundaries, read_polygons
from partition.io.schools import DEFAULT_KINDS, KINDS, SchoolsLoad, read_gias

__all__ = ["KINDS", "DEFAULT_KINDS", "SchoolsLoad", "read_boundaries", "read_gias", "read_polygons"]
