"""How many parameters does this recurrent layer have, and why? Exact answers.

Exact parameter counts, weight shapes and explanations for LSTM, GRU, vanilla
RNN and ConvLSTM layers (and the dense and embedding layers around them) in the
conventions of Keras, PyTorch, ONNX, TensorFlow 1 and Flax, from the layer's
description alone.

>>> from lstm_params import count_lstm_params
>>> count_lstm_params(200, 4096)
3437600
"""

from __future__ import annotations

from ._compare import Comparison, ComparisonRow, compare
from ._count import count_convlstm_params, count_gru_params, count_lstm_params, count_rnn_params
from ._errors import InvalidSpecError
from ._memory import DType, Memory, Optimizer, format_bytes, memory
from ._model_file import summary_from_dict, summary_from_file
from ._sizing import max_units
from ._spec import LayerSpec
from ._summary import Summary, summary
from ._vocabulary import Framework, Kind
from ._weight import Weight

__all__ = [
    "Comparison",
    "ComparisonRow",
    "DType",
    "Framework",
    "InvalidSpecError",
    "Kind",
    "LayerSpec",
    "Memory",
    "Optimizer",
    "Summary",
    "Weight",
    "__version__",
    "compare",
    "count_convlstm_params",
    "count_gru_params",
    "count_lstm_params",
    "count_rnn_params",
    "format_bytes",
    "max_units",
    "memory",
    "summary",
    "summary_from_dict",
    "summary_from_file",
]

__version__ = "0.2.0"
