"""Flax: ``flax.linen`` and ``flax.nnx`` recurrent cells.

Flax names one small matrix per gate (``ii``: input to input gate, ``hf``: hidden
to forget gate, ...) or, in nnx's fused cells, ``dense_i`` and ``dense_h``.
Names are parameter paths below the module (linen's ``params`` collection,
nnx's ``nnx.Param`` state without the trailing ``/value``); the order is the
pytree order, sorted by path, as ``jax.tree_util`` lists them.
"""

from __future__ import annotations

from ._convention import Convention, Term, layers_and_directions
from ._formula import Quantity
from ._vocabulary import Framework, Kind
from ._weight import Weight

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from ._spec import LayerSpec

__all__ = ["FlaxLinen", "FlaxNnx"]

_CELLS = {
    Kind.LSTM: "LSTMCell",
    Kind.GRU: "GRUCell",
    Kind.RNN: "SimpleCell",
    Kind.CONVLSTM: "ConvLSTMCell",
    Kind.DENSE: "Dense",
    Kind.EMBEDDING: "Embed",
}


def _in_pytree_order(weights: list[Weight]) -> tuple[Weight, ...]:
    return tuple(sorted(weights, key=lambda w: w.name.split("/")))


def _feedforward(spec: LayerSpec) -> tuple[Weight, ...] | None:
    """``Dense``/``Linear`` (``kernel``, ``bias``) and ``Embed`` (``embedding``), or None."""
    if spec.kind is Kind.EMBEDDING:
        return (Weight("embedding", (spec.input_dim, spec.num_units)),)
    if spec.kind is Kind.DENSE:
        bias = [Weight("bias", (spec.num_units,))] if spec.bias else []
        return _in_pytree_order([Weight("kernel", (spec.input_dim, spec.num_units)), *bias])
    return None


_FEEDFORWARD_NOTES = {
    Kind.DENSE: "Flax's dense layer keeps a kernel (inputs, units) and a bias (units,).",
    Kind.EMBEDDING: "Flax's Embed keeps one vector of features per token, and no bias.",
}


class FlaxLinen(Convention):
    """``flax.linen`` cells in ``nn.RNN``, ``nn.Bidirectional`` and ``nn.Sequential``.

    Names: ``cell/...`` in ``nn.RNN``; ``forward_rnn/cell/...`` and
    ``backward_rnn/cell/...`` in ``nn.Bidirectional``; a stack of layers is an
    ``nn.Sequential`` whose layers are ``layers_0/...``, ``layers_1/...``.
    """

    framework = Framework.FLAX_LINEN
    kinds = frozenset(_CELLS)
    optional_bias = frozenset({Kind.CONVLSTM, Kind.DENSE})
    notes: ClassVar[dict[Kind, str]] = {
        Kind.LSTM: "linen's LSTMCell keeps one bias per gate, on the hidden-to-hidden side.",
        Kind.GRU: (
            "linen's GRUCell keeps a bias on each input matrix and one more on the "
            "candidate's hidden matrix (hn): 4 * units biases, where nnx's GRUCell has 3."
        ),
        Kind.RNN: "linen's SimpleCell keeps one bias, on the input side.",
        Kind.CONVLSTM: (
            "linen's ConvLSTMCell keeps two biases (ih and hh), where Keras' ConvLSTM keeps one."
        ),
        **_FEEDFORWARD_NOTES,
    }

    def layer_name(self, spec: LayerSpec) -> str:
        """E.g. ``RNN(LSTMCell)``, ``Bidirectional(RNN(GRUCell))`` or ``Dense``."""
        if spec.kind in {Kind.DENSE, Kind.EMBEDDING}:
            return _CELLS[spec.kind]
        name = f"RNN({_CELLS[spec.kind]})"
        return f"Bidirectional({name})" if spec.bidirectional else name

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """Every parameter, by path, in pytree order."""
        feedforward = _feedforward(spec)
        if feedforward is not None:
            return feedforward
        found: list[Weight] = []
        for layer, direction, width in layers_and_directions(spec):
            path = "cell"
            if spec.bidirectional:
                path = f"{('forward', 'backward')[direction]}_rnn/{path}"
            if spec.num_layers > 1:
                path = f"layers_{layer}/{path}"
            found += (
                Weight(f"{path}/{name}", shape) for name, shape in self._cell_tensors(spec, width)
            )
        return _in_pytree_order(found)

    @staticmethod
    def _cell_tensors(spec: LayerSpec, width: int) -> list[tuple[str, tuple[int, ...]]]:
        units = spec.num_units
        if spec.kind is Kind.CONVLSTM:
            kernel = spec.kernel_size or ()
            bias = [("bias", (4 * units,))] if spec.bias else []
            return [
                (f"{side}/{name}", shape)
                for side, rows in (("ih", width), ("hh", units))
                for name, shape in [("kernel", (*kernel, rows, 4 * units)), *bias]
            ]
        if spec.kind is Kind.RNN:
            return [
                ("i/kernel", (width, units)),
                ("i/bias", (units,)),
                ("h/kernel", (units, units)),
            ]
        if spec.kind is Kind.GRU:
            return [
                *(
                    (f"i{g}/{name}", shape)
                    for g in "rzn"
                    for name, shape in (("kernel", (width, units)), ("bias", (units,)))
                ),
                *((f"h{g}/kernel", (units, units)) for g in "rzn"),
                ("hn/bias", (units,)),
            ]
        return [
            *((f"i{g}/kernel", (width, units)) for g in "ifgo"),
            *(
                (f"h{g}/{name}", shape)
                for g in "ifgo"
                for name, shape in (("kernel", (units, units)), ("bias", (units,)))
            ),
        ]

    def bias_vectors(self, spec: LayerSpec) -> int:
        """One per gate; ConvLSTMCell keeps two (``ih`` and ``hh``)."""
        return 2 * int(spec.bias) if spec.kind is Kind.CONVLSTM else 1

    def extra_terms(self, spec: LayerSpec) -> tuple[Term, ...]:
        """GRUCell's extra ``hn`` bias."""
        if spec.kind is Kind.GRU:
            return (Term("an extra candidate bias (hn)", Quantity("units", spec.num_units)),)
        return ()


class FlaxNnx(Convention):
    """``flax.nnx`` cells: ``LSTMCell``, ``GRUCell``, ``SimpleCell``.

    ``nnx.OptimizedLSTMCell`` has the same count as ``nnx.LSTMCell`` in two fused
    tensors, ``dense_i/kernel (in, 4 * units)`` and ``dense_h/{kernel, bias}``.
    """

    framework = Framework.FLAX_NNX
    kinds = frozenset({Kind.LSTM, Kind.GRU, Kind.RNN, Kind.DENSE, Kind.EMBEDDING})
    optional_bias = frozenset({Kind.DENSE})
    stacks = False
    notes: ClassVar[dict[Kind, str]] = {
        Kind.LSTM: "nnx's LSTMCell keeps one bias per gate, on the hidden-to-hidden side.",
        Kind.GRU: (
            "nnx's GRUCell keeps one bias per gate, on the input side: 3 * units, "
            "where linen's GRUCell keeps 4 * units."
        ),
        Kind.RNN: "nnx's SimpleCell keeps one bias, on the input side.",
        **_FEEDFORWARD_NOTES,
    }

    def layer_name(self, spec: LayerSpec) -> str:
        """``LSTMCell``, ``GRUCell``, ``SimpleCell``, ``Linear`` or ``Embed``."""
        return "Linear" if spec.kind is Kind.DENSE else _CELLS[spec.kind]

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """Every ``nnx.Param``, by path, in pytree order."""
        feedforward = _feedforward(spec)
        if feedforward is not None:
            return feedforward
        units, width = spec.num_units, spec.input_dim
        if spec.kind is Kind.LSTM:
            found = [Weight(f"i{g}/kernel", (width, units)) for g in ("i", "f_", "g", "o")]
            found += [
                Weight(f"h{g}/{name}", shape)
                for g in "ifgo"
                for name, shape in (("kernel", (units, units)), ("bias", (units,)))
            ]
            return _in_pytree_order(found)
        columns = 3 * units if spec.kind is Kind.GRU else units
        return _in_pytree_order(
            [
                Weight("dense_i/kernel", (width, columns)),
                Weight("dense_i/bias", (columns,)),
                Weight("dense_h/kernel", (units, columns)),
            ]
        )
