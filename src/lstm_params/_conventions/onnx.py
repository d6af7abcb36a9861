"""ONNX ``LSTM``, ``GRU`` and ``RNN`` operators: their W, R, B and P inputs.

One node per layer, both directions stacked on the first axis:
``W [D, G*H, in]``, ``R [D, G*H, H]``, ``B [D, 2*G*H]`` (the input and the
recurrent bias, as ``torch.onnx.export`` writes PyTorch's two) and, for a
peephole LSTM, ``P [D, 3*H]``. The names are the operator's input names,
suffixed ``_l{k}`` for the k-th node of a stack. The operators fix their gate
counts, so a custom gate count has no ONNX layout.
"""

from __future__ import annotations

from lstm_params._kinds import Kind
from lstm_params._vocabulary import Framework
from lstm_params._weight import Weight

from ._base import Cell, Convention, Extra, Role

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from lstm_params._spec import LayerSpec

__all__ = ["Onnx"]

_OPS = {Kind.LSTM: "LSTM", Kind.GRU: "GRU", Kind.RNN: "RNN"}
_STACKS = frozenset({"bias", "bidirectional", "num_layers"})
_PEEPHOLES = Extra("peephole weights", ("3", "units"))


class Onnx(Convention):
    """The ONNX recurrent operators' weight inputs."""

    framework = Framework.ONNX
    options: ClassVar[dict[Kind, frozenset[str]]] = {
        Kind.LSTM: _STACKS | {"peepholes"},
        Kind.GRU: _STACKS,
        Kind.RNN: _STACKS,
    }
    reset_after = (True, False)  # linear_before_reset=1 (as exported from torch) or 0
    gate_order: ClassVar[dict[Kind, tuple[tuple[str, str], ...]]] = {
        Kind.LSTM: (("i", "input"), ("o", "output"), ("f", "forget"), ("c", "cell")),
        Kind.GRU: (("z", "update"), ("r", "reset"), ("h", "candidate")),
        Kind.RNN: (("h", "hidden"),),
    }
    gate_blocks: ClassVar[dict[Kind, str]] = dict.fromkeys(_OPS, "rows")
    gate_axis: ClassVar[dict[Kind, str]] = dict.fromkeys(
        _OPS,
        "in blocks of hidden_size along axis 1 of W and R and in each half of B "
        "([Wb; Rb]); peepholes P are i, o, f",
    )
    notes: ClassVar[dict[Kind, str]] = dict.fromkeys(
        _OPS,
        "The B input holds two bias vectors per gate ([Wb; Rb]), as PyTorch does; "
        "both directions are stacked in one tensor.",
    )

    def layer_name(self, spec: LayerSpec) -> str:
        """``LSTM``, ``GRU`` or ``RNN`` operator."""
        return f"{_OPS[spec.kind]} operator"

    def cell(self, spec: LayerSpec, width: int) -> Cell:
        """One direction's slice of W, R, B and P."""
        units = spec.num_units
        rows = (spec.gates or 1) * units
        found: Cell = (
            ("W", (rows, width), Role.INPUT),
            ("R", (rows, units), Role.RECURRENT),
        )
        if spec.bias:
            found += (("B", (2 * rows,), Role.BIAS),)
        if spec.peepholes:
            found += (("P", (3 * units,), _PEEPHOLES),)
        return found

    def tensor_name(self, spec: LayerSpec, layer: int, direction: int, local: str) -> str:  # noqa: ARG002 - both directions share a tensor
        """``W``, or ``W_l1`` for the second node of a stack."""
        return f"{local}_l{layer}" if spec.num_layers > 1 else local

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """W, R, B and P of each node, both directions stacked on the first axis."""
        directions = 2 if spec.bidirectional else 1
        return tuple(
            Weight(self.tensor_name(spec, layer, 0, local), (directions, *shape))
            for layer, direction, width in self.layers_and_directions(spec)
            if direction == 0
            for local, shape, _ in self.cell(spec, width)
        )
