"""PyTorch: ``nn.LSTM``, ``nn.GRU``, ``nn.RNN`` (and their ``*Cell``).

Names follow ``named_parameters()``: for each layer, the forward direction then
``_reverse``: ``weight_ih_l{k}``, ``weight_hh_l{k}``, ``bias_ih_l{k}``,
``bias_hh_l{k}`` and, with ``proj_size``, ``weight_hr_l{k}``. The cells
(``LSTMCell``, ...) hold the same tensors as a one-layer module, without the
``_l0`` suffix.
"""

from __future__ import annotations

from ._convention import GATES, Convention, Term, layers_and_directions
from ._formula import Quantity, mul
from ._vocabulary import Framework, Kind
from ._weight import Weight

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from ._spec import LayerSpec

__all__ = ["PyTorch"]

_CLASSES = {
    Kind.LSTM: "nn.LSTM",
    Kind.GRU: "nn.GRU",
    Kind.RNN: "nn.RNN",
    Kind.DENSE: "nn.Linear",
    Kind.EMBEDDING: "nn.Embedding",
}


class PyTorch(Convention):
    """``torch.nn`` recurrent modules."""

    framework = Framework.PYTORCH
    kinds = frozenset(_CLASSES)
    optional_bias = frozenset(_CLASSES) - {Kind.EMBEDDING}
    projection = True
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

    def layer_name(self, spec: LayerSpec) -> str:
        """``nn.LSTM``, ``nn.GRU`` or ``nn.RNN``."""
        return _CLASSES[spec.kind]

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """The tensors of ``named_parameters()``, in its order."""
        if spec.kind is Kind.EMBEDDING:
            return (Weight("weight", (spec.input_dim, spec.num_units)),)
        if spec.kind is Kind.DENSE:
            bias = (Weight("bias", (spec.num_units,)),) if spec.bias else ()
            return (Weight("weight", (spec.num_units, spec.input_dim)), *bias)
        rows = GATES[spec.kind] * spec.num_units
        found: list[Weight] = []
        for layer, direction, width in layers_and_directions(spec):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            found += [
                Weight(f"weight_ih{suffix}", (rows, width)),
                Weight(f"weight_hh{suffix}", (rows, spec.recurrent_width)),
            ]
            if spec.bias:
                found += [Weight(f"bias_ih{suffix}", (rows,)), Weight(f"bias_hh{suffix}", (rows,))]
            if spec.proj_size:
                found.append(Weight(f"weight_hr{suffix}", (spec.proj_size, spec.num_units)))
        return tuple(found)

    def bias_vectors(self, spec: LayerSpec) -> int:
        """Two: ``bias_ih`` and ``bias_hh``."""
        return 2 * int(spec.bias)

    def extra_terms(self, spec: LayerSpec) -> tuple[Term, ...]:
        """The projection ``weight_hr (proj_size, units)``."""
        if spec.proj_size:
            units = Quantity("units", spec.num_units)
            return (Term("the projection", mul(Quantity("proj_size", spec.proj_size), units)),)
        return ()
