"""The convention of each framework."""

from __future__ import annotations

from ._flax import FlaxLinen, FlaxNnx
from ._keras import Keras
from ._onnx import Onnx
from ._pytorch import PyTorch
from ._tensorflow_v1 import TensorFlowV1

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._convention import Convention
    from ._vocabulary import Framework

__all__ = ["CONVENTIONS"]

CONVENTIONS: dict[Framework, Convention] = {
    convention.framework: convention
    for convention in (Keras(), PyTorch(), Onnx(), TensorFlowV1(), FlaxLinen(), FlaxNnx())
}
