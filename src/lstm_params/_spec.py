"""``LayerSpec``: one layer described as a framework would build it."""

from __future__ import annotations

import dataclasses

from ._conventions import CONVENTIONS
from ._errors import InvalidSpecError
from ._kinds import FACTS, Kind
from ._validation import as_flag, as_size
from ._vocabulary import Framework

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._formula import Expr
    from ._weight import Weight

__all__ = ["LayerSpec"]


@dataclasses.dataclass(frozen=True, slots=True, init=False)
class LayerSpec:
    """A layer: its kind, sizes, options and the framework whose convention counts it.

    ``num_units`` is the layer's width (``units``, ``hidden_size``, ``features``;
    filters for ``"convlstm"``, the embedding size for ``"embedding"``) and
    ``input_dim`` what it reads (features, input channels, the vocabulary).
    ``gates`` is the number of gate blocks: None is the kind's own (LSTM 4, GRU 3,
    vanilla RNN 1); another number describes a custom cell in the framework's
    layout. ``kernel_size`` (``"convlstm"`` only) is an int (a square 2-D kernel,
    as ``ConvLSTM2D(kernel_size=3)``) or a tuple of 1 to 3 ints. ``reset_after``
    (GRU only) of None is the framework's own default. ``cudnn`` is Keras'
    ``CuDNNLSTM``/``CuDNNGRU`` (two bias vectors per gate); ``merge_mode`` how Keras'
    ``Bidirectional`` merges its directions (``"concat"``, ``"sum"``, ``"mul"``,
    ``"ave"`` or None for two outputs); ``cell`` the framework's single cell class
    where it differs from the layer (``nn.LSTMCell``, Keras ``RNN(LSTMCell)``, a bare
    ``flax.nnx`` cell outside ``nnx.RNN``); ``reset_gate`` (``"mgu"`` only; None:
    True, Flax's default) whether the minimal gated unit's forget gate also resets
    the candidate, which adds the candidate's hidden bias. ``return_sequences``
    (recurrent layers) says whether the layer returns every step or the last
    one; None is the framework's own (Keras False; PyTorch, ONNX, TensorFlow 1 and
    Flax return every step: see :attr:`returns_sequences`); a cell called once
    (``cell=True`` in PyTorch or nnx) returns one step and has none.

    Every field is checked and normalised on construction, also by
    :func:`dataclasses.replace`: what the framework would refuse is an
    :class:`InvalidSpecError`, a wrong type (``True`` as a size) a ``TypeError``.

    >>> spec = LayerSpec("lstm", 200, 4096)
    >>> spec.params
    3437600
    >>> [(w.name, w.shape) for w in spec.weights()]  # doctest: +NORMALIZE_WHITESPACE
    [('lstm/lstm_cell/kernel', (4096, 800)),
     ('lstm/lstm_cell/recurrent_kernel', (200, 800)),
     ('lstm/lstm_cell/bias', (800,))]
    >>> import dataclasses
    >>> dataclasses.replace(spec, framework="pytorch").params
    3438400
    >>> LayerSpec("lstm", 200, 4096, framework="torch", bidirectional=True).output_dim
    400
    """

    kind: Kind
    num_units: int
    input_dim: int
    framework: Framework = Framework.KERAS
    gates: int | None = None
    bias: bool = True
    bidirectional: bool = False
    num_layers: int = 1
    proj_size: int = 0
    peepholes: bool = False
    reset_after: bool | None = None
    kernel_size: tuple[int, ...] | None = None
    cudnn: bool = False
    merge_mode: str | None = "concat"
    cell: bool = False
    reset_gate: bool | None = None
    return_sequences: bool | None = None

    def __init__(  # noqa: PLR0913
        self,
        kind: Kind | str,
        num_units: int,
        input_dim: int,
        *,
        framework: Framework | str = Framework.KERAS,
        gates: int | None = None,
        bias: bool = True,
        bidirectional: bool = False,
        num_layers: int = 1,
        proj_size: int = 0,
        peepholes: bool = False,
        reset_after: bool | None = None,
        kernel_size: int | tuple[int, ...] | list[int] | None = None,
        cudnn: bool = False,
        merge_mode: str | None = "concat",
        cell: bool = False,
        reset_gate: bool | None = None,
        return_sequences: bool | None = None,
    ) -> None:
        """Check and normalise every field; refuse what the framework would refuse."""
        kind = Kind.parse(kind)
        framework = Framework.parse(framework)
        convention = CONVENTIONS[framework]
        plain = (
            gates is None
            and bias is True
            and bidirectional is False
            and type(num_layers) is int
            and num_layers == 1
            and type(proj_size) is int
            and proj_size == 0
            and peepholes is False
            and reset_after is None
            and kernel_size is None
            and cudnn is False
            and merge_mode == "concat"
            and cell is False
            and reset_gate is None
            and return_sequences is None
        )
        if not plain:
            gates, num_layers, proj_size, kernel_size, merge_mode = _options(
                gates=gates,
                bias=bias,
                bidirectional=bidirectional,
                num_layers=num_layers,
                proj_size=proj_size,
                peepholes=peepholes,
                reset_after=reset_after,
                kernel_size=kernel_size,
                cudnn=cudnn,
                merge_mode=merge_mode,
                cell=cell,
                reset_gate=reset_gate,
                return_sequences=return_sequences,
            )
        if kind is Kind.CONVLSTM and kernel_size is None:
            msg = "kernel_size is required for convlstm layers: an int or a tuple of 1 to 3 ints"
            raise InvalidSpecError(msg)
        if gates is None:
            gates = FACTS[kind].gates or None
        if reset_after is None and kind is Kind.GRU:
            reset_after = convention.reset_after[0]
        if reset_gate is None and kind is Kind.MGU:
            reset_gate = True  # Flax's MGUCell default
        if type(num_units) is not int or num_units < 1:
            num_units = as_size("num_units", num_units)
        if type(input_dim) is not int or input_dim < 1:
            input_dim = as_size("input_dim", input_dim)
        put = _SETTERS
        put[0](self, kind)
        put[1](self, num_units)
        put[2](self, input_dim)
        put[3](self, framework)
        put[4](self, gates)
        put[5](self, bias)
        put[6](self, bidirectional)
        put[7](self, num_layers)
        put[8](self, proj_size)
        put[9](self, peepholes)
        put[10](self, reset_after)
        put[11](self, kernel_size)
        put[12](self, cudnn)
        put[13](self, merge_mode)
        put[14](self, cell)
        put[15](self, reset_gate)
        put[16](self, return_sequences)
        if not plain or kind not in convention.options:  # a plain layer has no option to check
            convention.check(self)

    # ----------------------------------------------------------------- derived
    @property
    def params(self) -> int:
        """The total number of parameters, in closed form: the sum of :meth:`weights` sizes.

        Computed from one cell per distinct input width, so it takes the same
        time for one layer as for ``num_layers=10**9``.
        """
        return CONVENTIONS[self.framework].params(self)

    def weights(self) -> tuple[Weight, ...]:
        """Every tensor, in the framework's own names, shapes, orientation and order.

        This is the one call that lists tensors: it grows with ``num_layers``.
        """
        return CONVENTIONS[self.framework].weights(self)

    @property
    def recurrent_width(self) -> int:
        """The width of the recurrent state: ``proj_size`` if set, else ``num_units``."""
        return self.proj_size or self.num_units

    @property
    def output_dim(self) -> int:
        """The width of each output: directions times the recurrent width, as concatenated.

        Keras' ``Bidirectional`` with ``merge_mode`` ``"sum"``, ``"mul"`` or ``"ave"``
        merges the two directions into one output of the recurrent width; with
        ``None`` it returns two outputs of that width (see :attr:`outputs`).

        >>> LayerSpec("lstm", 20, 10, bidirectional=True).output_dim
        40
        >>> LayerSpec("lstm", 20, 10, bidirectional=True, merge_mode="sum").output_dim
        20
        """
        if self.bidirectional and self.merge_mode == "concat":
            return 2 * self.recurrent_width
        return self.recurrent_width

    @property
    def returns_sequences(self) -> bool | None:
        """Whether the layer returns every step: ``return_sequences``, or the framework's default.

        None for a layer that is not recurrent and for a bare cell (one step per call).

        >>> LayerSpec("lstm", 64, 128).returns_sequences   # Keras' default
        False
        >>> LayerSpec("lstm", 64, 128, framework="pytorch").returns_sequences
        True
        """
        convention = CONVENTIONS[self.framework]
        if not FACTS[self.kind].recurrent or convention.steps_one(self.cell):
            return None
        if self.return_sequences is None:
            return convention.return_sequences[0]
        return self.return_sequences

    @property
    def outputs(self) -> int:
        """How many tensors the layer returns: 2 for ``merge_mode=None``, else 1."""
        return 2 if self.bidirectional and self.merge_mode is None else 1

    @property
    def layer_name(self) -> str:
        """The framework's class for this layer, e.g. ``"nn.LSTM"``.

        >>> LayerSpec("gru", 8, 4, framework="pytorch").layer_name
        'nn.GRU'
        >>> LayerSpec("lstm", 8, 4, gates=3).layer_name
        'RNN(custom LSTM cell, 3 gates)'
        """
        return CONVENTIONS[self.framework].layer_name(self)

    @property
    def custom(self) -> bool:
        """Whether ``gates`` differs from the built-in layer's: a custom cell."""
        return self.gates != (FACTS[self.kind].gates or None)

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
        """Why this framework's count looks as it does, in a sentence or two."""
        note = CONVENTIONS[self.framework].notes[self.kind]
        if self.custom:
            facts = FACTS[self.kind]
            note += (
                f" A custom cell: {self.gates} gate blocks in {self.framework.display_name}'s "
                f"{facts.title} layout, where the built-in {facts.title} has {facts.gates}."
            )
        return note

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
        from ._render.explain import explain  # noqa: PLC0415 - rendering is loaded on use

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
            "gates": self.gates,
            "bias": self.bias,
            "bidirectional": self.bidirectional,
            "num_layers": self.num_layers,
            "proj_size": self.proj_size,
            "peepholes": self.peepholes,
            "reset_after": self.reset_after,
            "kernel_size": None if self.kernel_size is None else list(self.kernel_size),
            "cudnn": self.cudnn,
            "merge_mode": self.merge_mode,
            "cell": self.cell,
            "reset_gate": self.reset_gate,
            "return_sequences": self.return_sequences,
        }

    def _expression(self) -> Expr:
        return CONVENTIONS[self.framework].formula(self)


#: options that choose one of a framework's classes or defaults: another framework's own
_FRAMEWORK_CHOICES = {
    "cudnn": False,
    "merge_mode": "concat",
    "cell": False,
    "reset_after": None,
    "return_sequences": None,
}


def in_framework(spec: LayerSpec, framework: Framework) -> dict[str, Any]:
    """``spec``'s arguments for the same layer in ``framework``.

    The options that only pick one of the framework's classes or defaults (CuDNN,
    merge mode, cell, ``reset_after``, ``return_sequences``) take the other
    framework's own where it lacks them; every other option stays, so what the
    framework cannot build is still refused.
    """
    options = spec.to_dict() | {"framework": framework}
    if framework is spec.framework:
        return options
    taken = CONVENTIONS[framework].options.get(spec.kind, frozenset())
    return options | {
        name: default
        for name, default in _FRAMEWORK_CHOICES.items()
        if name not in taken or default is None
    }


#: each field's slot setter, in field order: the fields are set once, in ``__init__``
_SETTERS = tuple(getattr(LayerSpec, field.name).__set__ for field in dataclasses.fields(LayerSpec))


_MERGE_MODES = ("concat", "sum", "mul", "ave", None)


def _options(  # noqa: PLR0913
    *,
    gates: object,
    bias: object,
    bidirectional: object,
    num_layers: object,
    proj_size: object,
    peepholes: object,
    reset_after: object,
    kernel_size: object,
    cudnn: object,
    merge_mode: object,
    cell: object,
    reset_gate: object,
    return_sequences: object,
) -> tuple[int | None, int, int, tuple[int, ...] | None, str | None]:
    """Check every option's type and range; return the normalised sizes and merge mode."""
    for name, flag in (
        ("bias", bias),
        ("bidirectional", bidirectional),
        ("peepholes", peepholes),
        ("cudnn", cudnn),
        ("cell", cell),
    ):
        as_flag(name, flag)
    for name, optional in (
        ("reset_after", reset_after),
        ("reset_gate", reset_gate),
        ("return_sequences", return_sequences),
    ):
        if optional is not None:
            as_flag(name, optional)
    return (
        None if gates is None else as_size("gates", gates),
        as_size("num_layers", num_layers),
        as_size("proj_size", proj_size, minimum=0),
        _kernel_size(kernel_size),
        _merge_mode(merge_mode),
    )


def _merge_mode(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        msg = f"merge_mode must be a string or None, got {type(value).__name__} {value!r:.60}"
        raise TypeError(msg)
    if value not in _MERGE_MODES:
        msg = f"merge_mode must be 'concat', 'sum', 'mul', 'ave' or None; got {value!r:.60}"
        raise InvalidSpecError(msg)
    return value


def _kernel_size(value: object) -> tuple[int, ...] | None:
    if value is None:
        return None
    if not isinstance(value, tuple | list):
        side = as_size("kernel_size", value)
        return (side, side)
    if not 1 <= len(value) <= 3:  # noqa: PLR2004
        msg = f"kernel_size must have 1 to 3 dimensions, got {tuple(value)!r:.80}"
        raise InvalidSpecError(msg)
    return tuple(as_size(f"kernel_size[{i}]", side) for i, side in enumerate(value))
