"""ONNX ``LSTM``, ``GRU`` and ``RNN`` operators: their W, R, B and P inputs.

One node per layer, both directions stacked on the first axis:
``W [D, G*H, in]``, ``R [D, G*H, H]``, ``B [D, 2*G*H]`` (the input and the
recurrent bias, as ``torch.onnx.export`` writes PyTorch's two) and, for a
peephole LSTM, ``P [D, 3*H]``. The names are the operator's input names,
suffixed ``_l{k}`` for the k-th node of a stack.
"""

from __future__ import annotations

from ._convention import GATES, Convention
from ._vocabulary import Framework, Kind
from ._weight import Weight

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from ._spec import LayerSpec

__all__ = ["Onnx"]

_OPS = {Kind.LSTM: "LSTM", Kind.GRU: "GRU", Kind.RNN: "RNN"}


class Onnx(Convention):
    """The ONNX recurrent operators' weight inputs."""

    framework = Framework.ONNX
    kinds = frozenset(_OPS)
    optional_bias = frozenset(_OPS)
    reset_after = (True, False)  # linear_before_reset=1 (as exported from torch) or 0
    peepholes = True
    notes: ClassVar[dict[Kind, str]] = dict.fromkeys(
        _OPS,
        "The B input holds two bias vectors per gate ([Wb; Rb]), as PyTorch does; "
        "both directions are stacked in one tensor.",
    )

    def layer_name(self, spec: LayerSpec) -> str:
        """``LSTM``, ``GRU`` or ``RNN`` operator."""
        return f"{_OPS[spec.kind]} operator"

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """W, R, B and P for each node."""
        directions = 2 if spec.bidirectional else 1
        rows = GATES[spec.kind] * spec.num_units
        found: list[Weight] = []
        for layer in range(spec.num_layers):
            suffix = f"_l{layer}" if spec.num_layers > 1 else ""
            width = spec.input_dim if layer == 0 else directions * spec.num_units
            found += [
                Weight(f"W{suffix}", (directions, rows, width)),
                Weight(f"R{suffix}", (directions, rows, spec.num_units)),
            ]
            if spec.bias:
                found.append(Weight(f"B{suffix}", (directions, 2 * rows)))
            if spec.peepholes:
                found.append(Weight(f"P{suffix}", (directions, 3 * spec.num_units)))
        return tuple(found)

    def bias_vectors(self, spec: LayerSpec) -> int:
        """Two: ``Wb`` and ``Rb``."""
        return 2 * int(spec.bias)
