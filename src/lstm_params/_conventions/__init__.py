"""The conventions of the frameworks: one module each, the rules they share in ``_base``."""

from __future__ import annotations

from .flax import FlaxLinen, FlaxNnx
from .keras import Keras
from .onnx import Onnx
from .pytorch import PyTorch
from .tensorflow_v1 import TensorFlowV1

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lstm_params._vocabulary import Framework

    from ._base import Convention

__all__ = ["CONVENTIONS"]

CONVENTIONS: dict[Framework, Convention] = {
    convention.framework: convention
    for convention in (Keras(), PyTorch(), Onnx(), TensorFlowV1(), FlaxLinen(), FlaxNnx())
}
