"""Flax: ``flax.linen`` and ``flax.nnx`` recurrent cells.

Flax names one small matrix per gate (``ii``: input to input gate, ``hf``: hidden
to forget gate, ...) or, in nnx's fused cells, ``dense_i`` and ``dense_h``.
Names are parameter paths below the module (linen's ``params`` collection,
nnx's ``nnx.Param`` state without the trailing ``/value``); the order is the
pytree order, sorted by path, as ``jax.tree_util`` lists them.
"""

from __future__ import annotations

from lstm_params._errors import InvalidSpecError
from lstm_params._kinds import Kind
from lstm_params._vocabulary import Framework

from ._base import Cell, Convention, Extra, Role
from ._base import gate_count as _gates

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import ClassVar

    from lstm_params._spec import LayerSpec
    from lstm_params._weight import Weight

__all__ = ["FlaxLinen", "FlaxNnx"]

_CELLS = {
    Kind.LSTM: "LSTMCell",
    Kind.GRU: "GRUCell",
    Kind.RNN: "SimpleCell",
    Kind.MGU: "MGUCell",
    Kind.CONVLSTM: "ConvLSTMCell",
}
_HN_BIAS = Extra("an extra candidate bias (hn)", ("units",))
_STACKS = frozenset({"bidirectional", "num_layers"})

_FEEDFORWARD_NOTES = {
    Kind.DENSE: "Flax's dense layer keeps a kernel (inputs, units) and a bias (units,).",
    Kind.EMBEDDING: "Flax's Embed keeps one vector of features per token, and no bias.",
}


def _in_pytree_order(weights: tuple[Weight, ...]) -> tuple[Weight, ...]:
    return tuple(sorted(weights, key=lambda w: w.name.split("/")))


def _feedforward(spec: LayerSpec, width: int) -> Cell:
    """``Dense``/``Linear`` (``kernel``, ``bias``) and ``Embed`` (``embedding``)."""
    units = spec.num_units
    if spec.kind is Kind.EMBEDDING:
        return (("embedding", (width, units), Role.TABLE),)
    bias = (("bias", (units,), Role.BIAS),) if spec.bias else ()
    return (*bias, ("kernel", (width, units), Role.INPUT))


def _per_gate_lstm(inputs: Sequence[str], width: int, units: int) -> Cell:
    """An LSTM cell with one matrix per gate: ``i<gate>/kernel``, ``h<gate>/{kernel, bias}``.

    ``inputs`` are the input matrices' gate names (nnx writes ``if_`` for ``if``).
    """
    return (
        *((f"i{g}/kernel", (width, units), Role.INPUT) for g in inputs),
        *(
            item
            for g in "ifgo"
            for item in (
                (f"h{g}/kernel", (units, units), Role.RECURRENT),
                (f"h{g}/bias", (units,), Role.BIAS),
            )
        ),
    )


class FlaxLinen(Convention):
    """``flax.linen`` cells in ``nn.RNN``, ``nn.Bidirectional`` and ``nn.Sequential``.

    Names: ``cell/...`` in ``nn.RNN``; ``forward_rnn/cell/...`` and
    ``backward_rnn/cell/...`` in ``nn.Bidirectional``; a stack of layers is an
    ``nn.Sequential`` whose layers are ``layers_0/...``, ``layers_1/...``.
    """

    framework = Framework.FLAX_LINEN
    gate_order: ClassVar[dict[Kind, tuple[tuple[str, str], ...]]] = {
        Kind.LSTM: (("i", "input"), ("f", "forget"), ("g", "cell"), ("o", "output")),
        Kind.GRU: (("r", "reset"), ("z", "update"), ("n", "candidate")),
        Kind.MGU: (("f", "forget"), ("n", "candidate")),
        Kind.CONVLSTM: (("i", "input"), ("g", "cell"), ("f", "forget"), ("o", "output")),
    }
    gate_blocks: ClassVar[dict[Kind, str]] = {Kind.CONVLSTM: "columns"}
    gate_axis: ClassVar[dict[Kind, str]] = {
        **dict.fromkeys(
            (Kind.LSTM, Kind.GRU, Kind.MGU),
            "one tensor per gate: i<gate> from the inputs, h<gate> from the state",
        ),
        Kind.CONVLSTM: "in blocks of features along the last axis of ih/kernel and hh/kernel",
    }
    options: ClassVar[dict[Kind, frozenset[str]]] = {
        Kind.LSTM: _STACKS,
        Kind.GRU: _STACKS,
        Kind.RNN: _STACKS,
        Kind.MGU: _STACKS | {"reset_gate"},
        Kind.CONVLSTM: _STACKS | {"bias", "kernel_size"},
        Kind.DENSE: frozenset({"bias"}),
        Kind.EMBEDDING: frozenset(),
    }
    notes: ClassVar[dict[Kind, str]] = {
        Kind.LSTM: "linen's LSTMCell keeps one bias per gate, on the hidden-to-hidden side.",
        Kind.GRU: (
            "linen's GRUCell keeps a bias on each input matrix and one more on the "
            "candidate's hidden matrix (hn): 4 * units biases, where nnx's GRUCell has 3."
        ),
        Kind.RNN: "linen's SimpleCell keeps one bias, on the input side.",
        Kind.MGU: (
            "linen's MGUCell keeps two gate blocks (forget and candidate) with a bias on "
            "each input matrix, and with reset_gate one more on the candidate's hidden matrix."
        ),
        Kind.CONVLSTM: (
            "linen's ConvLSTMCell keeps two biases (ih and hh), where Keras' ConvLSTM keeps one."
        ),
        **_FEEDFORWARD_NOTES,
    }

    def layer_name(self, spec: LayerSpec) -> str:
        """E.g. ``RNN(LSTMCell)``, ``Bidirectional(RNN(GRUCell))`` or ``Dense``."""
        if spec.kind is Kind.DENSE:
            return "Dense"
        if spec.kind is Kind.EMBEDDING:
            return "Embed"
        name = f"RNN({_CELLS[spec.kind]})"
        return f"Bidirectional({name})" if spec.bidirectional else name

    def cell(self, spec: LayerSpec, width: int) -> Cell:
        """One cell's parameters by path below the cell."""
        units = spec.num_units
        if not spec.kind.facts.recurrent:
            return _feedforward(spec, width)
        if spec.kind is Kind.CONVLSTM:
            kernel = spec.kernel_size or ()
            return tuple(
                item
                for side, rows, role in (("ih", width, Role.INPUT), ("hh", units, Role.RECURRENT))
                for item in (
                    (f"{side}/kernel", (*kernel, rows, 4 * units), role),
                    *(((f"{side}/bias", (4 * units,), Role.BIAS),) if spec.bias else ()),
                )
            )
        if spec.kind is Kind.RNN:
            return (
                ("i/kernel", (width, units), Role.INPUT),
                ("i/bias", (units,), Role.BIAS),
                ("h/kernel", (units, units), Role.RECURRENT),
            )
        if spec.kind is Kind.MGU:
            hn_bias = (("hn/bias", (units,), _HN_BIAS),) if spec.reset_gate else ()
            return (
                ("if/kernel", (width, units), Role.INPUT),
                ("if/bias", (units,), Role.BIAS),
                ("in/kernel", (width, units), Role.INPUT),
                ("in/bias", (units,), Role.BIAS),
                ("hf/kernel", (units, units), Role.RECURRENT),
                ("hn/kernel", (units, units), Role.RECURRENT),
                *hn_bias,
            )
        if spec.kind is Kind.GRU:
            return (
                *(
                    item
                    for g in "rzn"
                    for item in (
                        (f"i{g}/kernel", (width, units), Role.INPUT),
                        (f"i{g}/bias", (units,), Role.BIAS),
                    )
                ),
                *((f"h{g}/kernel", (units, units), Role.RECURRENT) for g in "rzn"),
                ("hn/bias", (units,), _HN_BIAS),
            )
        return _per_gate_lstm("ifgo", width, units)

    def tensor_name(self, spec: LayerSpec, layer: int, direction: int, local: str) -> str:
        """``cell/ii/kernel``, ``layers_1/backward_rnn/cell/hn/bias``, ..."""
        if not spec.kind.facts.recurrent:
            return local
        path = "cell"
        if spec.bidirectional:
            path = f"{('forward', 'backward')[direction]}_rnn/{path}"
        if spec.num_layers > 1:
            path = f"layers_{layer}/{path}"
        return f"{path}/{local}"

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """Every parameter, by path, in pytree order."""
        return _in_pytree_order(super().weights(spec))


class FlaxNnx(Convention):
    """``flax.nnx`` cells in ``nnx.RNN`` and ``nnx.Bidirectional``; ``Linear``, ``Embed``.

    Names: ``cell/...`` in ``nnx.RNN``; ``forward_rnn/cell/...`` and
    ``backward_rnn/cell/...`` in ``nnx.Bidirectional``; a bare cell (``cell=True``)
    has the paths below it, ``ii/kernel``, ``dense_i/bias``, ...

    ``nnx.OptimizedLSTMCell`` has the same count as ``nnx.LSTMCell`` in two fused
    tensors, ``dense_i/kernel (in, 4 * units)`` and ``dense_h/{kernel, bias}``.
    A gate count other than the cell's own is a custom cell in the fused layout
    of ``GRUCell`` (not for ``LSTMCell``, which names one matrix per gate).
    """

    framework = Framework.FLAX_NNX
    bare_cells = True
    gate_order: ClassVar[dict[Kind, tuple[tuple[str, str], ...]]] = {
        Kind.LSTM: (("i", "input"), ("f", "forget"), ("g", "cell"), ("o", "output")),
        Kind.GRU: (("r", "reset"), ("z", "update"), ("n", "candidate")),
    }
    gate_blocks: ClassVar[dict[Kind, str]] = {Kind.GRU: "columns"}
    gate_axis: ClassVar[dict[Kind, str]] = {
        Kind.LSTM: (
            "one tensor per gate (i<gate>, h<gate>; OptimizedLSTMCell: blocks along "
            "the last axis of dense_i and dense_h)"
        ),
        Kind.GRU: "in blocks of features along the last axis of dense_i and dense_h",
    }
    options: ClassVar[dict[Kind, frozenset[str]]] = {
        Kind.LSTM: frozenset({"bidirectional", "cell"}),
        Kind.GRU: frozenset({"gates", "bidirectional", "cell"}),
        Kind.RNN: frozenset({"gates", "bidirectional", "cell"}),
        Kind.DENSE: frozenset({"bias"}),
        Kind.EMBEDDING: frozenset(),
    }
    notes: ClassVar[dict[Kind, str]] = {
        Kind.LSTM: "nnx's LSTMCell keeps one bias per gate, on the hidden-to-hidden side.",
        Kind.GRU: (
            "nnx's GRUCell keeps one bias per gate, on the input side: 3 * units, "
            "where linen's GRUCell keeps 4 * units."
        ),
        Kind.RNN: "nnx's SimpleCell keeps one bias, on the input side.",
        **_FEEDFORWARD_NOTES,
    }

    def check_more(self, spec: LayerSpec) -> None:
        """A bare cell is one direction."""
        if spec.cell and spec.bidirectional:
            msg = "cell=True: a bare nnx cell is one direction; use nnx.Bidirectional (cell=False)"
            raise InvalidSpecError(msg)

    def layer_name(self, spec: LayerSpec) -> str:
        """``RNN(LSTMCell)``, ``Bidirectional(RNN(GRUCell))``, ``SimpleCell``, ``Linear``, ..."""
        if spec.kind is Kind.DENSE:
            return "Linear"
        if spec.kind is Kind.EMBEDDING:
            return "Embed"
        name = _CELLS[spec.kind]
        if spec.custom:
            name = f"custom {name}-style cell, {_gates(spec)}"
        if spec.cell:
            return name
        return f"Bidirectional(RNN({name}))" if spec.bidirectional else f"RNN({name})"

    def cell(self, spec: LayerSpec, width: int) -> Cell:
        """The cell's ``nnx.Param`` paths."""
        units = spec.num_units
        if not spec.kind.facts.recurrent:
            return _feedforward(spec, width)
        if spec.kind is Kind.LSTM:
            return _per_gate_lstm(("i", "f_", "g", "o"), width, units)
        columns = (spec.gates or 1) * units
        return (
            ("dense_i/kernel", (width, columns), Role.INPUT),
            ("dense_i/bias", (columns,), Role.BIAS),
            ("dense_h/kernel", (units, columns), Role.RECURRENT),
        )

    def tensor_name(self, spec: LayerSpec, layer: int, direction: int, local: str) -> str:  # noqa: ARG002 - one layer
        """``cell/dense_i/kernel``, ``backward_rnn/cell/hi/bias``; bare: ``dense_i/kernel``."""
        if spec.cell or not spec.kind.facts.recurrent:
            return local
        return (
            f"{('forward', 'backward')[direction]}_rnn/cell/{local}"
            if spec.bidirectional
            else f"cell/{local}"
        )

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """Every ``nnx.Param``, by path, in pytree order."""
        return _in_pytree_order(super().weights(spec))
