"""``python -m partition``: the same command as the ``partition`` console script."""

from partition.cli import main

main()
