"""The package's one exception family."""

from __future__ import annotations

__all__ = ["InvalidSpecError"]


class InvalidSpecError(ValueError):
    """A layer description has a value no framework would accept.

    The message names the argument, shows the value and says what is allowed.

    >>> from lstm_params import count_lstm_params
    >>> count_lstm_params(0, 4096)
    Traceback (most recent call last):
    ...
    lstm_params.InvalidSpecError: num_units must be a positive integer, got 0
    """

    __module__ = "lstm_params"  # how tracebacks and docs should name it
