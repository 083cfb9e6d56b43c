"""Warning categories.

partition reports everything it leaves out or changes through
:class:`DataWarning`; the CLI prints them to standard error, notebooks show
them as usual.
"""


class DataWarning(UserWarning):
    """Something in the input was excluded, imputed, repaired or assumed."""
