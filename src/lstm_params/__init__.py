"""How many parameters does this recurrent layer have, and why? Exact answers.

Exact parameter counts, weight shapes and explanations for LSTM, GRU, vanilla
RNN and ConvLSTM layers (and the dense and embedding layers around them) in the
conventions of Keras, PyTorch, ONNX, TensorFlow 1 and Flax, from the layer's
description alone.

>>> from lstm_params import count_lstm_params
>>> count_lstm_params(200, 4096)
3437600

The names below are loaded on first use (PEP 562), so ``import lstm_params``
costs next to nothing and a script pays only for what it uses.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._compare import Comparison, ComparisonRow, compare
    from ._compute import Compute, MacsConvention, count_macs
    from ._convert import convert_weights
    from ._count import (
        count_convlstm_params,
        count_gru_params,
        count_lstm_params,
        count_rnn_params,
    )
    from ._errors import InvalidFileError, InvalidSpecError
    from ._kinds import Kind
    from ._memory import DType, Memory, Optimizer, format_bytes, memory
    from ._readers.inspect import inspect_file
    from ._readers.keras_config import from_keras_config
    from ._readers.model_file import summary_from_dict, summary_from_file
    from ._readers.safetensors import from_shapes
    from ._sizing import max_units
    from ._spec import LayerSpec
    from ._summary import Summary, summary
    from ._vocabulary import Framework
    from ._weight import Weight

__all__ = [
    "Comparison",
    "ComparisonRow",
    "Compute",
    "DType",
    "Framework",
    "InvalidFileError",
    "InvalidSpecError",
    "Kind",
    "LayerSpec",
    "MacsConvention",
    "Memory",
    "Optimizer",
    "Summary",
    "Weight",
    "__version__",
    "compare",
    "convert_weights",
    "count_convlstm_params",
    "count_gru_params",
    "count_lstm_params",
    "count_macs",
    "count_rnn_params",
    "format_bytes",
    "from_keras_config",
    "from_shapes",
    "inspect_file",
    "max_units",
    "memory",
    "summary",
    "summary_from_dict",
    "summary_from_file",
]

__version__ = "0.5.0"

# Where each public name lives.
_HOMES = {
    "Comparison": "_compare",
    "ComparisonRow": "_compare",
    "compare": "_compare",
    "Compute": "_compute",
    "MacsConvention": "_compute",
    "count_macs": "_compute",
    "convert_weights": "_convert",
    "count_convlstm_params": "_count",
    "count_gru_params": "_count",
    "count_lstm_params": "_count",
    "count_rnn_params": "_count",
    "InvalidSpecError": "_errors",
    "InvalidFileError": "_errors",
    "from_shapes": "_readers.safetensors",
    "inspect_file": "_readers.inspect",
    "from_keras_config": "_readers.keras_config",
    "DType": "_memory",
    "Memory": "_memory",
    "Optimizer": "_memory",
    "format_bytes": "_memory",
    "memory": "_memory",
    "summary_from_dict": "_readers.model_file",
    "summary_from_file": "_readers.model_file",
    "max_units": "_sizing",
    "LayerSpec": "_spec",
    "Summary": "_summary",
    "summary": "_summary",
    "Framework": "_vocabulary",
    "Kind": "_kinds",
    "Weight": "_weight",
}


def __getattr__(name: str) -> object:
    """Import the module that holds ``name`` on first use, then keep the name here."""
    home = _HOMES.get(name)
    if home is None:
        msg = f"module 'lstm_params' has no attribute {name!r}"
        raise AttributeError(msg)
    module = __import__(f"{__name__}.{home}", fromlist=[name])
    value = getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, loaded or not."""
    return sorted({*globals(), *__all__})
