"""The package's one exception family."""

from __future__ import annotations

__all__ = ["InvalidFileError", "InvalidSpecError"]


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


class InvalidFileError(InvalidSpecError):
    """A model file that cannot be read safely: what is wrong, and with which file.

    >>> from lstm_params import inspect_file
    >>> inspect_file("missing.safetensors")
    Traceback (most recent call last):
    ...
    lstm_params.InvalidFileError: missing.safetensors: cannot read: ...
    """

    __module__ = "lstm_params"
