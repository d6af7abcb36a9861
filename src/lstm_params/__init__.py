"""How many parameters does this recurrent layer have, and why? Exact answers.

Exact parameter counts, weight shapes and explanations for LSTM, GRU, vanilla
RNN and ConvLSTM layers in the conventions of Keras, PyTorch, ONNX, TensorFlow 1
and Flax, from the layer's description alone.

>>> from lstm_params import count_lstm_params
>>> count_lstm_params(200, 4096)
3437600
"""

from __future__ import annotations

from ._count import count_convlstm_params, count_gru_params, count_lstm_params, count_rnn_params
from ._errors import InvalidSpecError
from ._spec import LayerSpec
from ._vocabulary import Framework, Kind
from ._weight import Weight

__all__ = [
    "Framework",
    "InvalidSpecError",
    "Kind",
    "LayerSpec",
    "Weight",
    "__version__",
    "count_convlstm_params",
    "count_gru_params",
    "count_lstm_params",
    "count_rnn_params",
]

__version__ = "0.1.0"
