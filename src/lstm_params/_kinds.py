"""What a layer kind is: the one table of facts every other module reads.

A kind's row says how many gate blocks its built-in layer has, whether it is
recurrent, which ``LayerSpec`` options it takes, its element-wise work per unit
and step (for FLOPs), and the nouns explanations use. Validation, formulas,
explanations, compute and the command line derive from this table; a framework
lists the kinds it has (and their tensors) in its own convention module.
Adding a kind is one member, one row here, and one layout per framework that has it.
"""

from __future__ import annotations

import dataclasses
import enum

from ._errors import InvalidSpecError

__all__ = ["FACTS", "OPTIONS", "Kind", "KindFacts"]

#: every option of ``LayerSpec`` beyond the sizes and the framework, with its default
OPTIONS: dict[str, object] = {
    "gates": None,
    "bias": True,
    "bidirectional": False,
    "num_layers": 1,
    "proj_size": 0,
    "peepholes": False,
    "reset_after": None,
    "kernel_size": None,
    "cudnn": False,
    "merge_mode": "concat",
    "cell": False,
    "reset_gate": None,
    "return_sequences": None,
}


class Kind(enum.StrEnum):
    """The layer kinds lstm_params counts: recurrent ones and those around them.

    >>> Kind("LSTM")
    <Kind.LSTM: 'lstm'>
    >>> Kind.GRU.facts.gates
    3
    """

    LSTM = "lstm"
    GRU = "gru"
    RNN = "rnn"
    MGU = "mgu"
    CONVLSTM = "convlstm"
    DENSE = "dense"
    EMBEDDING = "embedding"

    @property
    def facts(self) -> KindFacts:
        """The row of :data:`FACTS` for this kind."""
        return FACTS[self]

    @classmethod
    def _missing_(cls, value: object) -> Kind | None:
        if isinstance(value, str):
            return _ALIASES.get(value.strip().lower().replace("_", "-").replace(" ", "-"))
        return None

    @classmethod
    def parse(cls, value: object) -> Kind:
        """Return the kind named by ``value``, or raise a clear error.

        >>> Kind.parse("SimpleRNN")
        <Kind.RNN: 'rnn'>
        """
        found = _ALIASES.get(value) if isinstance(value, str) else None  # exact names, members
        if found is not None:
            return found
        if not isinstance(value, str):
            msg = f"kind must be a string, got {type(value).__name__} {value!r:.60}"
            raise TypeError(msg)
        try:
            return cls(value)
        except ValueError:
            allowed = ", ".join(repr(k.value) for k in cls)
            msg = f"kind must be one of {allowed}; got {value!r:.60}"
            raise InvalidSpecError(msg) from None


@dataclasses.dataclass(frozen=True, slots=True)
class KindFacts:
    """One kind's facts (see the module's docs).

    ``gates`` is the number of gate blocks of the built-in layer (0: not a gated
    layer); ``elementwise`` the FLOPs per unit and step beyond the matrix
    products and bias additions (None where they depend on a spatial size).
    """

    title: str
    gates: int
    recurrent: bool
    options: frozenset[str]
    elementwise: int | None
    units: str
    inputs: str
    aliases: tuple[str, ...]

    def takes(self, option: str) -> bool:
        """Whether ``option`` (a ``LayerSpec`` field) applies to this kind."""
        return option in self.options


_STACKS = frozenset({"bias", "bidirectional", "num_layers", "merge_mode", "return_sequences"})

FACTS: dict[Kind, KindFacts] = {
    Kind.LSTM: KindFacts(
        title="LSTM",
        gates=4,
        recurrent=True,
        options=_STACKS | {"gates", "proj_size", "peepholes", "cudnn", "cell"},
        elementwise=9,  # 3 sigmoids, 2 tanh, f*c + i*g as 3, o*tanh(c) as 1
        units="unit",
        inputs="input",
        aliases=("lstm",),
    ),
    Kind.GRU: KindFacts(
        title="GRU",
        gates=3,
        recurrent=True,
        options=_STACKS | {"gates", "reset_after", "cudnn", "cell"},
        elementwise=7,  # 2 sigmoids, 1 tanh, r*(...) as 1, n + z*(h - n) as 3
        units="unit",
        inputs="input",
        aliases=("gru",),
    ),
    Kind.RNN: KindFacts(
        title="vanilla RNN",
        gates=1,
        recurrent=True,
        options=_STACKS | {"gates", "cell"},
        elementwise=1,  # the tanh
        units="unit",
        inputs="input",
        aliases=("rnn", "simplernn", "simple-rnn", "vanilla"),
    ),
    Kind.MGU: KindFacts(
        title="MGU",
        gates=2,
        recurrent=True,
        options=frozenset(
            {"bidirectional", "num_layers", "reset_gate", "cell", "return_sequences"}
        ),
        elementwise=6,  # a sigmoid, a tanh, f*(h-side) as 1, (1 - f)*n + f*h as 3
        units="unit",
        inputs="input",
        aliases=("mgu", "minimal-gated-unit"),
    ),
    Kind.CONVLSTM: KindFacts(
        title="ConvLSTM",
        gates=4,
        recurrent=True,
        options=_STACKS | {"kernel_size"},
        elementwise=None,  # per pixel: the frames' size is not in a LayerSpec
        units="filter",
        inputs="input channel",
        aliases=("convlstm", "conv-lstm"),
    ),
    Kind.DENSE: KindFacts(
        title="dense",
        gates=0,
        recurrent=False,
        options=frozenset({"bias"}),
        elementwise=0,
        units="unit",
        inputs="input",
        aliases=("dense", "linear"),
    ),
    Kind.EMBEDDING: KindFacts(
        title="embedding",
        gates=0,
        recurrent=False,
        options=frozenset(),
        elementwise=0,
        units="dimension",
        inputs="token",
        aliases=("embedding", "embed"),
    ),
}

_ALIASES: dict[str, Kind] = {alias: kind for kind in Kind for alias in FACTS[kind].aliases}
