"""Checks shared by every entry point: sizes are integers, never bools."""

from __future__ import annotations

import operator

from ._errors import InvalidSpecError

__all__ = ["as_flag", "as_size"]


def as_size(name: str, value: object, *, minimum: int = 1) -> int:
    """Return ``value`` as an ``int`` of at least ``minimum``.

    Any integer type is accepted (``int``, numpy integers: whatever implements
    ``__index__``); ``bool``, ``float`` and ``str`` are a ``TypeError``.
    """
    if type(value) is int and value >= minimum:  # the common case, first
        return value
    if isinstance(value, bool):
        msg = f"{name} must be an integer, not bool ({value!r})"
        raise TypeError(msg)
    try:
        size = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        msg = f"{name} must be an integer, got {type(value).__name__} {value!r}"
        raise TypeError(msg) from None
    if size < minimum:
        allowed = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        msg = f"{name} must be {allowed}, got {size!r}"
        raise InvalidSpecError(msg)
    return size


def as_flag(name: str, value: object) -> bool:
    """Return ``value`` if it is a ``bool``; anything else is a ``TypeError``."""
    if not isinstance(value, bool):
        msg = f"{name} must be True or False, got {type(value).__name__} {value!r}"
        raise TypeError(msg)
    return value
