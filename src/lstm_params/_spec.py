"""``LayerSpec``: one recurrent layer described as a framework would build it."""

from __future__ import annotations

from ._errors import InvalidSpecError
from ._explain import explain
from ._frozen import Frozen
from ._registry import CONVENTIONS
from ._validation import as_flag, as_size
from ._vocabulary import Framework, Kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._formula import Expr
    from ._weight import Weight

__all__ = ["LayerSpec"]

_CACHE: dict[tuple[Any, ...], LayerSpec] = {}
_CACHE_SIZE = 4096


class _Interned(type):
    """Hands out the same (immutable) LayerSpec for the same arguments of the same types.

    Counting the same layer again, as summaries, comparisons and sizing do, costs
    a dictionary lookup instead of a validation; the tensors and the total are
    computed once per spec. Arguments that cannot be hashed skip the cache.
    """

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        try:
            if kwargs:
                key = (args, tuple(kwargs.items()), *map(type, args), *map(type, kwargs.values()))
            else:  # the common call, LayerSpec("lstm", 200, 4096): a shorter key
                key = (args, *map(type, args))
            if tuple in key:  # kernel_size=(3, True) must not hit (3, 1): the items' types too
                key = (*key, *map(_types, (*args, *kwargs.values())))
            found = _CACHE.get(key)
        except TypeError:  # unhashable, e.g. kernel_size=[3, 3]
            return super().__call__(*args, **kwargs)
        if found is None:
            found = super().__call__(*args, **kwargs)
            if len(_CACHE) >= _CACHE_SIZE:
                _CACHE.clear()
            _CACHE[key] = found
        return found


def _types(value: object) -> object:
    """The type of ``value``, and of its items for a tuple, for the cache key."""
    return (tuple, *map(_types, value)) if isinstance(value, tuple) else type(value)


class LayerSpec(Frozen, metaclass=_Interned):
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

    _fields = (
        "kind",
        "num_units",
        "input_dim",
        "framework",
        "bias",
        "bidirectional",
        "num_layers",
        "proj_size",
        "peepholes",
        "reset_after",
        "kernel_size",
    )
    __slots__ = (*_fields, "_weights", "_params")  # the last two are computed once, on use
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
    _weights: tuple[Weight, ...]
    _params: int

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
        put = object.__setattr__
        put(self, "kind", parsed_kind)
        put(self, "num_units", units)
        put(self, "input_dim", as_size("input_dim", input_dim))
        put(self, "framework", parsed_framework)
        put(self, "bias", as_flag("bias", bias))
        put(self, "bidirectional", as_flag("bidirectional", bidirectional))
        put(self, "num_layers", as_size("num_layers", num_layers))
        put(self, "proj_size", _proj_size(proj_size, units))
        put(self, "peepholes", as_flag("peepholes", peepholes))
        put(self, "reset_after", _reset_after(reset_after, parsed_kind, parsed_framework))
        put(self, "kernel_size", _kernel_size(kernel_size, parsed_kind))
        CONVENTIONS[parsed_framework].check(self)

    # ----------------------------------------------------------------- derived
    @property
    def params(self) -> int:
        """The total number of parameters: the sum of :meth:`weights` sizes."""
        try:
            return self._params
        except AttributeError:
            total = sum(weight.size for weight in self.weights())
            object.__setattr__(self, "_params", total)
            return total

    def weights(self) -> tuple[Weight, ...]:
        """Every tensor, in the framework's own names, shapes, orientation and order."""
        try:
            return self._weights
        except AttributeError:
            found = CONVENTIONS[self.framework].weights(self)
            object.__setattr__(self, "_weights", found)
            return found

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
