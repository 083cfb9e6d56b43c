"""The plan's values: the specification, a configuration and its scores, solver statuses. No files are read or written here."""
