"""``max_units()``: the inverse question, how wide a layer fits a parameter budget."""

from __future__ import annotations

from ._errors import InvalidSpecError
from ._spec import LayerSpec
from ._validation import as_size
from ._vocabulary import Kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["max_units"]


def max_units(budget: int, input_dim: int, kind: Kind | str = Kind.LSTM, **options: Any) -> int:  # noqa: ANN401
    """The largest ``num_units`` whose layer has at most ``budget`` parameters.

    ``options`` are ``LayerSpec``'s (``framework=``, ``bidirectional=``, ...). Every
    count grows with ``num_units``, so an exponential then a binary search over
    exact integer counts finds the answer at any size, with no floating point.

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

    smallest = as_size("proj_size", options.get("proj_size", 0), minimum=0) + 1
    if count(smallest) > limit:
        msg = (
            f"budget={limit:,} is too small: the smallest such layer "
            f"({smallest} unit{'s' if smallest > 1 else ''}) has {count(smallest):,} parameters"
        )
        raise InvalidSpecError(msg)
    low, high = smallest, 2 * smallest  # count(low) <= limit
    while count(high) <= limit:
        low, high = high, 2 * high
    while high - low > 1:  # count(low) <= limit < count(high)
        middle = (low + high) // 2
        low, high = (middle, high) if count(middle) <= limit else (low, middle)
    return low
