"""PyTorch: ``nn.LSTM``, ``nn.GRU``, ``nn.RNN`` (and cells), ``nn.Linear``, ``nn.Embedding``.

Names follow ``named_parameters()``: for each layer, the forward direction then
``_reverse``: ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
``bias_hh_l{k}`` and, with ``proj_size``, ``weight_hr_l{k}``. The cells
(``LSTMCell``, ...) hold the same tensors as a one-layer module, without the
``_l0`` suffix. A gate count other than the module's own is a custom module in
the same layout (``weight_ih`` of ``gates * hidden_size`` rows).
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

__all__ = ["PyTorch"]

_CLASSES = {
    Kind.LSTM: "nn.LSTM",
    Kind.GRU: "nn.GRU",
    Kind.RNN: "nn.RNN",
    Kind.DENSE: "nn.Linear",
    Kind.EMBEDDING: "nn.Embedding",
}
_RECURRENT = frozenset({"gates", "bias", "bidirectional", "num_layers", "cell"})
_PROJECTION = Extra("the projection", ("proj_size", "units"), product=True)


class PyTorch(Convention):
    """``torch.nn`` modules."""

    framework = Framework.PYTORCH
    bare_cells = True
    options: ClassVar[dict[Kind, frozenset[str]]] = {
        Kind.LSTM: _RECURRENT | {"proj_size"},
        Kind.GRU: _RECURRENT,
        Kind.RNN: _RECURRENT,
        Kind.DENSE: frozenset({"bias"}),
        Kind.EMBEDDING: frozenset(),
    }
    notes: ClassVar[dict[Kind, str]] = {
        **dict.fromkeys(
            (Kind.LSTM, Kind.GRU, Kind.RNN),
            "PyTorch keeps two bias vectors per gate (bias_ih and bias_hh); "
            "Keras, TensorFlow and Flax keep one.",
        ),
        Kind.DENSE: (
            "nn.Linear keeps its weight as (out_features, in_features), Keras' kernel transposed."
        ),
        Kind.EMBEDDING: "nn.Embedding keeps one row of embedding_dim per token, and no bias.",
    }

    def check_more(self, spec: LayerSpec) -> None:
        """``proj_size`` must be smaller than ``hidden_size``, as torch says; cells are cells."""
        if spec.cell and (spec.bidirectional or spec.num_layers > 1 or spec.proj_size):
            msg = (
                f"cell=True: nn.{_CLASSES[spec.kind][3:]}Cell is one layer, one direction, "
                "without proj_size; use bidirectional=False, num_layers=1, proj_size=0"
            )
            raise InvalidSpecError(msg)
        if spec.proj_size >= spec.num_units:
            msg = (
                f"proj_size must be smaller than num_units ({spec.num_units}), got {spec.proj_size}"
            )
            raise InvalidSpecError(msg)

    def layer_name(self, spec: LayerSpec) -> str:
        """``nn.LSTM``, ``nn.GRU``, ``nn.RNN``, ``nn.Linear`` or ``nn.Embedding``."""
        name = _CLASSES[spec.kind] + ("Cell" if spec.cell else "")
        if spec.custom:
            return f"custom {name}-style module, {_gates(spec)}"
        return name

    def cell(self, spec: LayerSpec, width: int) -> Cell:
        """``weight_ih (G*H, in)``, ``weight_hh (G*H, R)``, two biases, ``weight_hr``."""
        units = spec.num_units
        if spec.kind is Kind.EMBEDDING:
            return (("weight", (width, units), Role.TABLE),)
        if spec.kind is Kind.DENSE:
            bias = (("bias", (units,), Role.BIAS),) if spec.bias else ()
            return (("weight", (units, width), Role.INPUT), *bias)
        rows = (spec.gates or 1) * units
        found: Cell = (
            ("weight_ih", (rows, width), Role.INPUT),
            ("weight_hh", (rows, spec.recurrent_width), Role.RECURRENT),
        )
        if spec.bias:
            found += (("bias_ih", (rows,), Role.BIAS), ("bias_hh", (rows,), Role.BIAS))
        if spec.proj_size:
            found += (("weight_hr", (spec.proj_size, units), _PROJECTION),)
        return found

    def tensor_name(self, spec: LayerSpec, layer: int, direction: int, local: str) -> str:
        """``weight_ih_l0``, ``bias_hh_l1_reverse``, ...; ``weight`` for Linear and Embedding."""
        if not spec.kind.facts.recurrent or spec.cell:
            return local
        return f"{local}_l{layer}{'_reverse' if direction else ''}"
