"""Keras 3 (and tf.keras 2): ``LSTM``, ``GRU``, ``SimpleRNN``, ``ConvLSTM{1,2,3}D``.

Names are the variable paths of a fresh session, ``lstm/lstm_cell/kernel``;
``Bidirectional`` wraps copies named ``forward_lstm`` and ``backward_lstm``, and
a stack of ``num_layers`` layers numbers them ``lstm``, ``lstm_1``, ...; the next
layer of a bidirectional stack sees ``2 * units`` inputs (``merge_mode="concat"``).
``peepholes=True`` is the legacy ``PeepholeLSTMCell`` in ``RNN``; a gate count
other than the layer's own is a custom cell in ``RNN`` with the same tensors.
"""

from __future__ import annotations

from lstm_params._errors import InvalidSpecError
from lstm_params._kinds import Kind
from lstm_params._vocabulary import Framework

from ._base import Cell, Convention, Extra, Role
from ._base import gate_count as _gates

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from lstm_params._spec import LayerSpec

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
_CUDNN = {Kind.LSTM: ("CuDNNLSTM", "cu_dnnlstm", ""), Kind.GRU: ("CuDNNGRU", "cu_dnngru", "")}
_CELLS = {Kind.LSTM: "LSTMCell", Kind.GRU: "GRUCell", Kind.RNN: "SimpleRNNCell"}
_PEEPHOLES = tuple(
    (f"{gate}_gate_peephole_weights", Extra("peephole weights", ("units",)))
    for gate in ("input", "forget", "output")
)
_RECURRENT = frozenset({"gates", "bias", "bidirectional", "num_layers", "merge_mode", "cell"})


class Keras(Convention):
    """Keras 3 and tf.keras 2 layers."""

    framework = Framework.KERAS
    options: ClassVar[dict[Kind, frozenset[str]]] = {
        Kind.LSTM: _RECURRENT | {"peepholes", "cudnn"},
        Kind.GRU: _RECURRENT | {"cudnn"},
        Kind.RNN: _RECURRENT,
        Kind.CONVLSTM: frozenset(
            {"bias", "bidirectional", "num_layers", "merge_mode", "kernel_size"}
        ),
        Kind.DENSE: frozenset({"bias"}),
        Kind.EMBEDDING: frozenset(),
    }
    reset_after = (True, False)
    return_sequences = (False, True)
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
        """Options that only make sense together: Bidirectional's merge, CuDNN, cells."""
        problem = ""
        if spec.merge_mode != "concat" and not spec.bidirectional:
            problem = "merge_mode applies to Bidirectional layers; use bidirectional=True"
        elif spec.merge_mode is None and spec.num_layers > 1:
            problem = "merge_mode=None returns two outputs, which no stacked layer reads"
        elif spec.cudnn and (not spec.bias or spec.cell or spec.peepholes or spec.custom):
            problem = "CuDNN layers always have a bias, no peepholes and their own gates"
        elif spec.cudnn and spec.kind is Kind.GRU and not spec.reset_after:
            problem = "CuDNNGRU keeps two bias vectors per gate, as reset_after=True"
        elif (spec.peepholes or spec.cell) and spec.bidirectional:
            problem = "a cell in RNN is described in one direction; use bidirectional=False"
        elif spec.cell and not spec.peepholes and spec.num_layers > 1:
            problem = "describe one cell in RNN per spec (num_layers=1)"
        if problem:
            msg = f"{_option(spec)}: {problem}"
            raise InvalidSpecError(msg)

    def layer_name(self, spec: LayerSpec) -> str:
        """E.g. ``LSTM``, ``ConvLSTM2D``, ``Bidirectional(GRU)``, ``RNN(LSTMCell)``."""
        name = self._names(spec)[0]
        if spec.peepholes and spec.num_layers > 1:
            name = f"RNN(StackedRNNCells({spec.num_layers} x PeepholeLSTMCell))"
        if spec.custom:
            name = f"RNN(custom {name} cell, {_gates(spec)})"
        return f"Bidirectional({name})" if spec.bidirectional else name

    def cell(self, spec: LayerSpec, width: int) -> Cell:
        """``kernel (*k, in, G*H)``, ``recurrent_kernel (*k, H, G*H)``, ``bias``."""
        units = spec.num_units
        if spec.kind is Kind.EMBEDDING:
            return (("embeddings", (width, units), Role.TABLE),)
        if spec.kind is Kind.DENSE:
            bias = (("bias", (units,), Role.BIAS),) if spec.bias else ()
            return (("kernel", (width, units), Role.INPUT), *bias)
        columns = (spec.gates or 1) * units
        kernel = spec.kernel_size or ()
        found: Cell = (
            ("kernel", (*kernel, width, columns), Role.INPUT),
            ("recurrent_kernel", (*kernel, units, columns), Role.RECURRENT),
        )
        if spec.cudnn:
            found += (("bias", (2 * columns,), Role.BIAS),)
        elif spec.bias:
            rows = (2,) if spec.kind is Kind.GRU and spec.reset_after else ()
            found += (("bias", (*rows, columns), Role.BIAS),)
        if spec.peepholes:
            found += tuple((name, (units,), role) for name, role in _PEEPHOLES)
        return found

    def tensor_name(self, spec: LayerSpec, layer: int, direction: int, local: str) -> str:
        """``lstm/lstm_cell/kernel``, ``bidirectional_1/backward_lstm_1/lstm_cell/bias``, ..."""
        _, name, cell = self._names(spec)
        suffix = f"_{layer}" if layer else ""
        if spec.peepholes and spec.num_layers > 1:  # RNN(StackedRNNCells([...]))
            return f"rnn/stacked_rnn_cells/{cell}{suffix}/{local}"
        path = f"{name}{suffix}/{cell}" if cell else f"{name}{suffix}"
        if spec.bidirectional:
            side = ("forward", "backward")[direction]
            path = f"bidirectional{suffix}/{side}_{path}"
        return f"{path}/{local}"

    def stacked_width(self, spec: LayerSpec) -> int:
        """What the next layer reads: ``"sum"``, ``"mul"`` and ``"ave"`` merge to one width."""
        return spec.output_dim

    @staticmethod
    def _names(spec: LayerSpec) -> tuple[str, str, str]:
        if spec.peepholes:
            return _PEEPHOLE
        if spec.cudnn:
            return _CUDNN[spec.kind]
        if spec.cell:
            cell = _NAMES[spec.kind][2]
            return f"RNN({_CELLS[spec.kind]})", "rnn", cell
        rank = len(spec.kernel_size or ())
        cls, layer, cell = _NAMES[spec.kind]
        return cls.format(n=rank), layer.format(n=rank), cell


def _option(spec: LayerSpec) -> str:
    """The options a refusal is about, as the user gave them."""
    given = [
        f"{name}={value!r}"
        for name, value, default in (
            ("merge_mode", spec.merge_mode, "concat"),
            ("cudnn", spec.cudnn, False),
            ("cell", spec.cell, False),
            ("peepholes", spec.peepholes, False),
        )
        if value != default
    ]
    return ", ".join(given)
