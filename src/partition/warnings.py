"""Warning categories.

partition reports everything it leaves out or changes through
:class:`DataWarning`; the CLI prints them to standard error, notebooks show
them as usual.
"""


class DataWarning(UserWarning):
    """Something in the input was excluded, imputed, repaired or assumed."""


class ResultWarning(UserWarning):
    """A result was limited or left out: a configuration without an ensemble rank, chains that did not mix."""
