"""Bytes: the weights in a dtype, and what training adds (gradients, optimizer state)."""

from __future__ import annotations

import dataclasses
import enum

from ._errors import InvalidSpecError
from ._render.display import Displayed
from ._validation import as_size

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TypeVar

    from ._spec import LayerSpec
    from ._summary import Summary

    _E = TypeVar("_E", bound=enum.StrEnum)

__all__ = ["DType", "Memory", "Optimizer", "format_bytes", "format_count", "memory"]


class DType(enum.StrEnum):
    """The element types weights are stored in."""

    FLOAT64 = "float64"
    FLOAT32 = "float32"
    BFLOAT16 = "bfloat16"
    FLOAT16 = "float16"
    INT8 = "int8"
    INT4 = "int4"

    @property
    def bits(self) -> int:
        """Bits per element."""
        return _BITS[self]

    @classmethod
    def parse(cls, value: object) -> DType:
        """The dtype named by ``value``; anything else is a clear error."""
        return _parse(cls, "dtype", value)


class Optimizer(enum.StrEnum):
    """Training optimizers, by the state they keep per parameter."""

    SGD = "sgd"
    MOMENTUM = "momentum"
    ADAM = "adam"
    ADAMW = "adamw"

    @property
    def states(self) -> int:
        """Values of optimizer state per parameter: SGD none, momentum one, Adam two."""
        return _STATES[self]

    @classmethod
    def parse(cls, value: object) -> Optimizer:
        """The optimizer named by ``value``; anything else is a clear error."""
        return _parse(cls, "optimizer", value)


_BITS = {
    DType.FLOAT64: 64,
    DType.FLOAT32: 32,
    DType.BFLOAT16: 16,
    DType.FLOAT16: 16,
    DType.INT8: 8,
    DType.INT4: 4,
}
_STATES = {Optimizer.SGD: 0, Optimizer.MOMENTUM: 1, Optimizer.ADAM: 2, Optimizer.ADAMW: 2}


def _parse(cls: type[_E], name: str, value: object) -> _E:
    if not isinstance(value, str):
        msg = f"{name} must be a string, got {type(value).__name__} {value!r}"
        raise TypeError(msg)
    try:
        return cls(value.strip().lower())
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in cls)
        msg = f"{name} must be one of {allowed}; got {value!r}"
        raise InvalidSpecError(msg) from None


@dataclasses.dataclass(frozen=True, slots=True)
class Memory(Displayed):
    """The bytes a number of parameters takes, stored and, with an optimizer, trained.

    Training keeps, beside the weights, one gradient per weight and the
    optimizer's state (momentum: one value per weight; Adam and AdamW: two), all
    in the weights' dtype. Activations are not counted: they depend on the batch.

    >>> print(memory(3437600))
    13.11 MiB
    >>> print(memory(3437600, optimizer="adam"))
    52.45 MiB
    """

    params: int
    dtype: DType
    optimizer: Optimizer | None

    @property
    def weights(self) -> int:
        """Bytes of the weights (int4 packs two weights in a byte)."""
        return -(-self.params * self.dtype.bits // 8)

    @property
    def gradients(self) -> int:
        """Bytes of the gradients during training (none without an optimizer)."""
        return self.weights if self.optimizer else 0

    @property
    def optimizer_state(self) -> int:
        """Bytes of the optimizer's state."""
        return self.weights * self.optimizer.states if self.optimizer else 0

    @property
    def total(self) -> int:
        """Weights, gradients and optimizer state, in bytes."""
        return self.weights + self.gradients + self.optimizer_state

    def __str__(self) -> str:
        """The total in binary units, e.g. ``13.11 MiB``."""
        return format_bytes(self.total)

    def to_text(self) -> str:
        """The total and its parts in words (:meth:`describe`)."""
        return self.describe()

    def to_markdown(self) -> str:
        """The same, for Markdown."""
        return self.describe()

    def to_html(self) -> str:
        """The same in a paragraph, escaped."""
        import html  # noqa: PLC0415 - rendering is loaded on use

        return f"<p>{html.escape(self.describe())}</p>"

    def describe(self) -> str:
        """The total and its parts in words.

        >>> memory(3437600, optimizer="adam").describe()
        '52.45 MiB: weights 13.11 MiB + gradients 13.11 MiB + adam state 26.23 MiB (float32)'
        >>> memory(3437600, dtype="bfloat16").describe()
        '6.56 MiB of bfloat16 weights'
        """
        if self.optimizer is None:
            return f"{format_bytes(self.weights)} of {self.dtype} weights"
        return (
            f"{self}: weights {format_bytes(self.weights)} + gradients "
            f"{format_bytes(self.gradients)} + {self.optimizer} state "
            f"{format_bytes(self.optimizer_state)} ({self.dtype})"
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data: every figure in bytes, and the total rendered."""
        return {
            "params": self.params,
            "dtype": str(self.dtype),
            "optimizer": None if self.optimizer is None else str(self.optimizer),
            "weights_bytes": self.weights,
            "gradients_bytes": self.gradients,
            "optimizer_state_bytes": self.optimizer_state,
            "total_bytes": self.total,
            "total": str(self),
        }


def memory(
    what: int | LayerSpec | Summary,
    *,
    dtype: DType | str = DType.FLOAT32,
    optimizer: Optimizer | str | None = None,
) -> Memory:
    """The memory of ``what`` (a parameter count, a ``LayerSpec`` or a ``Summary``).

    The weights take ``params * bits / 8`` bytes; Keras' summary prints the same
    figure for float32 (3,437,600 weights: ``13.11 MB``, which are MiB).

    >>> from lstm_params import LayerSpec
    >>> memory(LayerSpec("lstm", 200, 4096)).weights
    13750400
    >>> print(memory(LayerSpec("lstm", 200, 4096), dtype="int4"))
    1.64 MiB
    """
    count = as_size("params", getattr(what, "params", what), minimum=0)
    chosen = None if optimizer is None else Optimizer.parse(optimizer)
    return Memory(count, DType.parse(dtype), chosen)


def format_bytes(size: int) -> str:
    """``size`` bytes in binary units with two decimals (bytes as a whole number).

    Integer arithmetic only, rounding half to even, so any size prints:

    >>> format_bytes(800), format_bytes(13750400), format_bytes(3 * 2**40)
    ('800 B', '13.11 MiB', '3.00 TiB')
    >>> format_bytes(10**200)
    '9.09e+187 TiB'
    """
    if size < 1024:  # noqa: PLR2004
        return f"{size} B"
    index, scale = 0, 1024
    while _hundredths(size, scale) >= 102400 and index < len(_UNITS) - 1:  # noqa: PLR2004
        index, scale = index + 1, scale * 1024
    hundredths = _hundredths(size, scale)
    if hundredths >= 10**8:
        return f"{format_count(size // scale)} {_UNITS[index]}"
    return f"{hundredths // 100}.{hundredths % 100:02d} {_UNITS[index]}"


_UNITS = ("KiB", "MiB", "GiB", "TiB")


def _hundredths(size: int, scale: int) -> int:
    """``round(100 * size / scale)``, half to even, in integers."""
    quotient, remainder = divmod(100 * size, scale)
    if 2 * remainder > scale or (2 * remainder == scale and quotient % 2):
        quotient += 1
    return quotient


def format_count(count: int) -> str:
    """``count`` with thousands separators, or as ``1.23e+400`` past 10**24, integers only.

    >>> format_count(3437600), format_count(10**200 + 1)
    ('3,437,600', '1.00e+200')
    """
    if count < 10**24:
        return f"{count:,}"
    exponent = (count.bit_length() - 1) * 301029995 // 10**9  # <= log10(count)
    while 10 ** (exponent + 1) <= count:
        exponent += 1
    digits = count // 10 ** (exponent - 2)  # the three leading digits, truncated
    return f"{digits // 100}.{digits % 100:02d}e+{exponent}"
