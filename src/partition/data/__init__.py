"""The study area's data: schools and districts loaded together, members, local need, groups of schools, places."""
