"""``max_units()``: the inverse question, how wide a layer fits a parameter budget."""

from __future__ import annotations

import math

from ._errors import InvalidSpecError
from ._kinds import Kind
from ._spec import LayerSpec
from ._validation import as_size

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["max_units"]


def max_units(budget: int, input_dim: int, kind: Kind | str = Kind.LSTM, **options: Any) -> int:  # noqa: ANN401
    """The largest ``num_units`` whose layer has at most ``budget`` parameters.

    ``options`` are ``LayerSpec``'s (``framework=``, ``bidirectional=``, ...). Every
    layout's total is a polynomial of degree at most 2 in ``num_units``, with
    integer coefficients: three exact counts give it, and ``math.isqrt`` inverts
    it exactly at any size, with no floating point. (The tests check it against a
    search over exact counts.)

    >>> max_units(3437600, 4096)             # Keras LSTM(200) has exactly 3,437,600
    200
    >>> max_units(3437600, 4096, framework="pytorch")   # one unit less: two biases
    199
    >>> max_units(10**15, 4096, "gru", bidirectional=True, framework="torch")
    12907895
    """
    limit = as_size("budget", budget)
    if "num_units" in options:
        msg = "max_units() finds num_units; do not pass it"
        raise TypeError(msg)

    def count(units: int) -> int:
        return LayerSpec(kind, units, input_dim, **options).params

    smallest = 1
    try:
        low = count(smallest)
    except InvalidSpecError:  # PyTorch's projection must be narrower than the layer
        smallest = as_size("proj_size", options.get("proj_size", 0), minimum=0) + 1
        low = count(smallest)
    if low > limit:
        msg = (
            f"budget={limit:,} is too small: the smallest such layer "
            f"({smallest} unit{'s' if smallest > 1 else ''}) has {low:,} parameters"
        )
        raise InvalidSpecError(msg)
    # count(smallest + x) = a*x*x + b*x + c, from three counts (finite differences)
    c, second, third = low, count(smallest + 1), count(smallest + 2)
    a2 = third - 2 * second + c  # 2a
    b2 = 2 * (second - c) - a2  # 2b
    return smallest + _largest_root(a2, b2, 2 * (c - limit))


def _largest_root(a2: int, b2: int, c2: int) -> int:
    """The largest integer x >= 0 with ``(a2*x*x + b2*x + c2) / 2 <= 0`` (a2, b2 >= 0, c2 <= 0)."""
    if a2 == 0:
        return -c2 // b2 if b2 else 0
    # a2*x^2 + b2*x + c2 <= 0  <=>  x <= (-b2 + sqrt(b2^2 - 4*a2*c2)) / (2*a2)
    return (math.isqrt(b2 * b2 - 4 * a2 * c2) - b2) // (2 * a2)
