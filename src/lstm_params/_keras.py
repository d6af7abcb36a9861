"""Keras 3 (and tf.keras 2): ``LSTM``, ``GRU``, ``SimpleRNN``, ``ConvLSTM{1,2,3}D``.

Names are the variable paths of a fresh session, ``lstm/lstm_cell/kernel``;
``Bidirectional`` wraps copies named ``forward_lstm`` and ``backward_lstm``, and
a stack of ``num_layers`` layers numbers them ``lstm``, ``lstm_1``, ...; the next
layer of a bidirectional stack sees ``2 * units`` inputs (``merge_mode="concat"``).
``peepholes=True`` is the legacy ``PeepholeLSTMCell`` in ``RNN``.
"""

from __future__ import annotations

from ._convention import GATES, Convention, layers_and_directions
from ._errors import InvalidSpecError
from ._vocabulary import Framework, Kind
from ._weight import Weight

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from ._spec import LayerSpec

__all__ = ["Keras"]

_NAMES: dict[Kind, tuple[str, str, str]] = {
    # kind: (class, layer name, cell name)
    Kind.LSTM: ("LSTM", "lstm", "lstm_cell"),
    Kind.GRU: ("GRU", "gru", "gru_cell"),
    Kind.RNN: ("SimpleRNN", "simple_rnn", "simple_rnn_cell"),
    Kind.CONVLSTM: ("ConvLSTM{n}D", "conv_lstm{n}d", "conv_lstm_cell"),
    Kind.DENSE: ("Dense", "dense", ""),
    Kind.EMBEDDING: ("Embedding", "embedding", ""),
}
_PEEPHOLE = ("RNN(PeepholeLSTMCell)", "rnn", "peephole_lstm_cell")
_PEEPHOLE_WEIGHTS = ("input_gate", "forget_gate", "output_gate")


class Keras(Convention):
    """Keras 3 and tf.keras 2 recurrent layers."""

    framework = Framework.KERAS
    kinds = frozenset(Kind)
    optional_bias = frozenset(Kind) - {Kind.EMBEDDING}
    reset_after = (True, False)
    peepholes = True
    notes: ClassVar[dict[Kind, str]] = {
        Kind.LSTM: "Keras keeps one bias vector per gate; PyTorch keeps two.",
        Kind.GRU: (
            "Keras' default GRU (reset_after=True) keeps two bias vectors per gate, "
            "bias shape (2, 3 * units); reset_after=False keeps one."
        ),
        Kind.RNN: "Keras keeps one bias vector; PyTorch keeps two.",
        Kind.CONVLSTM: (
            "The recurrent kernel has the input kernel's size; padding, strides and "
            "dilation do not change the count."
        ),
        Kind.DENSE: "Keras' Dense keeps a kernel (inputs, units) and a bias (units,).",
        Kind.EMBEDDING: "Keras' Embedding keeps one vector of units per token, and no bias.",
    }

    def check_more(self, spec: LayerSpec) -> None:
        """The legacy peephole cell is described as one layer, one direction."""
        if spec.peepholes and (spec.bidirectional or spec.num_layers > 1):
            msg = (
                "peepholes=True: the legacy Keras PeepholeLSTMCell is described as one "
                "unidirectional layer; use bidirectional=False and num_layers=1"
            )
            raise InvalidSpecError(msg)

    def layer_name(self, spec: LayerSpec) -> str:
        """E.g. ``LSTM``, ``ConvLSTM2D``, ``Bidirectional(GRU)``."""
        name = self._names(spec)[0]
        return f"Bidirectional({name})" if spec.bidirectional else name

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """``kernel (*k, in, G*H)``, ``recurrent_kernel (*k, H, G*H)``, ``bias``."""
        _, layer, cell = self._names(spec)
        if spec.kind is Kind.EMBEDDING:
            return (Weight(f"{layer}/embeddings", (spec.input_dim, spec.num_units)),)
        if spec.kind is Kind.DENSE:
            bias = (Weight(f"{layer}/bias", (spec.num_units,)),) if spec.bias else ()
            return (Weight(f"{layer}/kernel", (spec.input_dim, spec.num_units)), *bias)
        columns = GATES[spec.kind] * spec.num_units
        kernel = spec.kernel_size or ()
        found: list[Weight] = []
        for index, direction, width in layers_and_directions(spec):
            suffix = f"_{index}" if index else ""
            path = f"{layer}{suffix}/{cell}"
            if spec.bidirectional:
                side = ("forward", "backward")[direction]
                path = f"bidirectional{suffix}/{side}_{path}"
            found += [
                Weight(f"{path}/kernel", (*kernel, width, columns)),
                Weight(f"{path}/recurrent_kernel", (*kernel, spec.num_units, columns)),
            ]
            if spec.bias:
                rows = (2,) if spec.kind is Kind.GRU and spec.reset_after else ()
                found.append(Weight(f"{path}/bias", (*rows, columns)))
            if spec.peepholes:
                found += [
                    Weight(f"{path}/{gate}_peephole_weights", (spec.num_units,))
                    for gate in _PEEPHOLE_WEIGHTS
                ]
        return tuple(found)

    def bias_vectors(self, spec: LayerSpec) -> int:
        """One, or two for the default GRU (``reset_after=True``)."""
        return int(spec.bias) * (2 if spec.kind is Kind.GRU and spec.reset_after else 1)

    @staticmethod
    def _names(spec: LayerSpec) -> tuple[str, str, str]:
        if spec.peepholes:
            return _PEEPHOLE
        rank = len(spec.kernel_size or ())
        cls, layer, cell = _NAMES[spec.kind]
        return cls.format(n=rank), layer.format(n=rank), cell
