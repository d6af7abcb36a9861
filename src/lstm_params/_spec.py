"""``LayerSpec``: one recurrent layer described as a framework would build it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._errors import InvalidSpecError
from ._explain import explain
from ._registry import CONVENTIONS
from ._validation import as_flag, as_size
from ._vocabulary import Framework, Kind

if TYPE_CHECKING:
    from ._formula import Expr
    from ._weight import Weight

__all__ = ["LayerSpec"]


@dataclass(frozen=True, slots=True, init=False)
class LayerSpec:
    """A recurrent layer: its kind, sizes, options and the framework's convention.

    For ``"convlstm"``, ``num_units`` is the number of filters and ``input_dim``
    the number of input channels; ``kernel_size`` is an int (a square 2-D kernel,
    as ``ConvLSTM2D(kernel_size=3)``) or a tuple of 1 to 3 ints. ``reset_after``
    (GRU only) of ``None`` is the framework's own default. Every field is checked
    and normalised on construction; what the framework would refuse is an
    :class:`InvalidSpecError`, a wrong type a ``TypeError``.

    >>> spec = LayerSpec("lstm", 200, 4096)
    >>> spec.params
    3437600
    >>> [(w.name, w.shape) for w in spec.weights()]  # doctest: +NORMALIZE_WHITESPACE
    [('lstm/lstm_cell/kernel', (4096, 800)),
     ('lstm/lstm_cell/recurrent_kernel', (200, 800)),
     ('lstm/lstm_cell/bias', (800,))]
    >>> LayerSpec("lstm", 200, 4096, framework="torch", bidirectional=True).output_dim
    400
    """

    kind: Kind
    num_units: int
    input_dim: int
    framework: Framework
    bias: bool
    bidirectional: bool
    num_layers: int
    proj_size: int
    peepholes: bool
    reset_after: bool | None
    kernel_size: tuple[int, ...] | None

    def __init__(  # noqa: PLR0913
        self,
        kind: Kind | str,
        num_units: int,
        input_dim: int,
        *,
        framework: Framework | str = Framework.KERAS,
        bias: bool = True,
        bidirectional: bool = False,
        num_layers: int = 1,
        proj_size: int = 0,
        peepholes: bool = False,
        reset_after: bool | None = None,
        kernel_size: int | tuple[int, ...] | list[int] | None = None,
    ) -> None:
        """Check and normalise every field; refuse what the framework would refuse."""
        parsed_kind = Kind.parse(kind)
        parsed_framework = Framework.parse(framework)
        units = as_size("num_units", num_units)
        values: dict[str, object] = {
            "kind": parsed_kind,
            "num_units": units,
            "input_dim": as_size("input_dim", input_dim),
            "framework": parsed_framework,
            "bias": as_flag("bias", bias),
            "bidirectional": as_flag("bidirectional", bidirectional),
            "num_layers": as_size("num_layers", num_layers),
            "proj_size": _proj_size(proj_size, units),
            "peepholes": as_flag("peepholes", peepholes),
            "reset_after": _reset_after(reset_after, parsed_kind, parsed_framework),
            "kernel_size": _kernel_size(kernel_size, parsed_kind),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
        CONVENTIONS[parsed_framework].check(self)

    # ----------------------------------------------------------------- derived
    @property
    def params(self) -> int:
        """The total number of parameters: the sum of :meth:`weights` sizes."""
        return sum(weight.size for weight in self.weights())

    def weights(self) -> tuple[Weight, ...]:
        """Every tensor, in the framework's own names, shapes, orientation and order."""
        return CONVENTIONS[self.framework].weights(self)

    @property
    def recurrent_width(self) -> int:
        """The width of the recurrent state: ``proj_size`` if set, else ``num_units``."""
        return self.proj_size or self.num_units

    @property
    def output_dim(self) -> int:
        """What the next layer sees: directions times the recurrent width."""
        return (2 if self.bidirectional else 1) * self.recurrent_width

    @property
    def layer_name(self) -> str:
        """The framework's class for this layer, e.g. ``"nn.LSTM"``.

        >>> LayerSpec("gru", 8, 4, framework="pytorch").layer_name
        'nn.GRU'
        """
        return CONVENTIONS[self.framework].layer_name(self)

    def formula(self) -> str:
        """The closed-form count with the numbers put in.

        >>> LayerSpec("lstm", 200, 4096).formula()
        '4 * ((200 + 4096 + 1) * 200)'
        >>> LayerSpec("lstm", 200, 4096, framework="pytorch").formula()
        '4 * ((200 + 4096 + 2) * 200)'
        """
        return self._expression().render(symbolic=False)

    def legend(self) -> str:
        """The closed-form count in words, term for term as :meth:`formula`.

        >>> LayerSpec("lstm", 200, 4096).legend()
        'gates * ((units + input_dim + biases) * units)'
        """
        return self._expression().render(symbolic=True)

    @property
    def note(self) -> str:
        """Why this framework's count looks as it does, in one sentence."""
        return CONVENTIONS[self.framework].notes[self.kind]

    def explain(self) -> str:
        """The total, its formula with the numbers put in, and every weight.

        >>> print(LayerSpec("lstm", 200, 4096).explain())
        Keras LSTM, 200 units on 4096 inputs: 3,437,600 parameters
          4 * ((200 + 4096 + 1) * 200) = 3,437,600
          gates * ((units + input_dim + biases) * units)
          lstm/lstm_cell/kernel            (4096, 800)  3,276,800
          lstm/lstm_cell/recurrent_kernel  (200, 800)     160,000
          lstm/lstm_cell/bias              (800,)             800
        Keras keeps one bias vector per gate; PyTorch keeps two.
        """
        return explain(self)

    def to_dict(self) -> dict[str, Any]:
        """The constructor's arguments as plain data: ``LayerSpec(**spec.to_dict())`` is ``spec``.

        >>> LayerSpec("gru", 8, 4).to_dict()["reset_after"]
        True
        """
        return {
            "kind": self.kind.value,
            "num_units": self.num_units,
            "input_dim": self.input_dim,
            "framework": self.framework.value,
            "bias": self.bias,
            "bidirectional": self.bidirectional,
            "num_layers": self.num_layers,
            "proj_size": self.proj_size,
            "peepholes": self.peepholes,
            "reset_after": self.reset_after,
            "kernel_size": None if self.kernel_size is None else list(self.kernel_size),
        }

    def _expression(self) -> Expr:
        return CONVENTIONS[self.framework].formula(self)


def _proj_size(value: object, units: int) -> int:
    size = as_size("proj_size", value, minimum=0)
    if size >= units:
        msg = f"proj_size must be smaller than num_units ({units}), got {size}"
        raise InvalidSpecError(msg)
    return size


def _reset_after(value: object, kind: Kind, framework: Framework) -> bool | None:
    if value is None:
        return CONVENTIONS[framework].reset_after[0] if kind is Kind.GRU else None
    flag = as_flag("reset_after", value)
    if kind is not Kind.GRU:
        msg = f"reset_after={flag} applies to GRU layers only; leave it None for {kind.value}"
        raise InvalidSpecError(msg)
    return flag


def _kernel_size(value: object, kind: Kind) -> tuple[int, ...] | None:
    if kind is not Kind.CONVLSTM:
        if value is not None:
            msg = f"kernel_size={value!r} applies to convlstm layers only; leave it None"
            raise InvalidSpecError(msg)
        return None
    if value is None:
        msg = "kernel_size is required for convlstm layers: an int or a tuple of 1 to 3 ints"
        raise InvalidSpecError(msg)
    if not isinstance(value, tuple | list):
        side = as_size("kernel_size", value)
        return (side, side)
    if not 1 <= len(value) <= 3:  # noqa: PLR2004
        msg = f"kernel_size must have 1 to 3 dimensions, got {tuple(value)!r}"
        raise InvalidSpecError(msg)
    return tuple(as_size(f"kernel_size[{i}]", side) for i, side in enumerate(value))
