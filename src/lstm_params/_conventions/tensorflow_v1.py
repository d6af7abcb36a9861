"""TensorFlow 1 cells: ``tf.compat.v1.nn.rnn_cell.LSTMCell``, ``GRUCell``, ``BasicRNNCell``.

Each cell keeps one kernel over the concatenated ``[inputs, state]`` and a bias
that cannot be switched off. ``LSTMCell(use_peepholes=True)`` adds ``w_f_diag``,
``w_i_diag`` and ``w_o_diag``; ``num_proj=P`` (``proj_size`` here) adds
``projection/kernel (units, P)`` and makes the state ``P`` wide.
``BasicLSTMCell`` has ``LSTMCell``'s tensors under the name ``basic_lstm_cell``.
``num_layers`` is a ``MultiRNNCell`` of that many cells, each reading the state
(``proj_size`` or ``units`` wide) of the one before; any ``proj_size`` >= 1 is a
projection, narrower or wider than the cell.
A gate count other than the cell's own is a custom cell with one kernel of
``gates * units`` columns (not for ``GRUCell``, whose kernel is split in two).
"""

from __future__ import annotations

from lstm_params._kinds import Kind
from lstm_params._vocabulary import Framework

from ._base import Cell, Convention, Extra, Role
from ._base import gate_count as _gates

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from lstm_params._spec import LayerSpec

__all__ = ["TensorFlowV1"]

_CLASSES = {Kind.LSTM: "LSTMCell", Kind.GRU: "GRUCell", Kind.RNN: "BasicRNNCell"}
_SCOPES = {Kind.LSTM: "lstm_cell", Kind.GRU: "gru_cell", Kind.RNN: "basic_rnn_cell"}
_PEEPHOLES = tuple((f"w_{gate}_diag", Extra("peephole weights", ("units",))) for gate in "fio")
_PROJECTION = Extra("the projection", ("units", "proj_size"), product=True)


class TensorFlowV1(Convention):
    """``tf.compat.v1.nn.rnn_cell`` cells."""

    framework = Framework.TENSORFLOW_V1
    options: ClassVar[dict[Kind, frozenset[str]]] = {
        Kind.LSTM: frozenset({"gates", "peepholes", "proj_size", "num_layers"}),
        Kind.GRU: frozenset({"num_layers"}),
        Kind.RNN: frozenset({"gates", "num_layers"}),
    }
    reset_after = (False,)
    notes: ClassVar[dict[Kind, str]] = dict.fromkeys(
        _CLASSES, "TensorFlow 1 cells keep one kernel over [inputs, state] and one bias per gate."
    )

    def layer_name(self, spec: LayerSpec) -> str:
        """``LSTMCell``, ``GRUCell`` or ``BasicRNNCell``."""
        name = _CLASSES[spec.kind]
        if spec.custom:
            name = f"custom {name}-style cell, {_gates(spec)}"
        return f"MultiRNNCell([{name}] * {spec.num_layers})" if spec.num_layers > 1 else name

    def cell(self, spec: LayerSpec, width: int) -> Cell:
        """The cell's variables in creation order."""
        units = spec.num_units
        joined = width + spec.recurrent_width
        if spec.kind is Kind.GRU:
            return (
                ("gates/kernel", (joined, 2 * units), Role.JOINT),
                ("gates/bias", (2 * units,), Role.BIAS),
                ("candidate/kernel", (joined, units), Role.JOINT),
                ("candidate/bias", (units,), Role.BIAS),
            )
        columns = (spec.gates or 1) * units
        found: Cell = (("kernel", (joined, columns), Role.JOINT), ("bias", (columns,), Role.BIAS))
        if spec.peepholes:
            found += tuple((name, (units,), role) for name, role in _PEEPHOLES)
        if spec.proj_size:
            found += (("projection/kernel", (units, spec.proj_size), _PROJECTION),)
        return found

    def tensor_name(self, spec: LayerSpec, layer: int, direction: int, local: str) -> str:  # noqa: ARG002 - one direction
        """``lstm_cell/kernel``, ``gru_cell/gates/bias``, ``multi_rnn_cell/cell_1/...``."""
        name = f"{_SCOPES[spec.kind]}/{local}"
        return f"multi_rnn_cell/cell_{layer}/{name}" if spec.num_layers > 1 else name
