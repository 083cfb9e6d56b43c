"""From units, graph and spec to configurations: the planner, district nesting."""
