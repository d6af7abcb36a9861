"""The ``count_*`` shortcuts: one call, one integer, through ``LayerSpec``."""

from __future__ import annotations

from ._errors import InvalidSpecError
from ._spec import LayerSpec
from ._validation import as_size
from ._vocabulary import Framework, Kind

__all__ = [
    "count_convlstm_params",
    "count_gru_params",
    "count_lstm_params",
    "count_rnn_params",
]


def count_lstm_params(  # noqa: PLR0913
    num_units: int,
    input_dim: int,
    gates: int = 4,
    bias: bool = True,  # noqa: FBT001, FBT002 - the user's own signature
    *,
    framework: Framework | str = Framework.KERAS,
    bidirectional: bool = False,
    num_layers: int = 1,
    proj_size: int = 0,
    peepholes: bool = False,
) -> int:
    """Parameters of an LSTM layer: ``gates * ((units + input_dim + biases) * units)``.

    ``biases`` is the number of bias vectors per gate: 1 in Keras, TensorFlow and
    Flax, 2 in PyTorch and ONNX, 0 with ``bias=False``. ``gates`` is 4, the only
    value an LSTM has (GRU: :func:`count_gru_params`; vanilla RNN:
    :func:`count_rnn_params`).

    >>> count_lstm_params(200, 4096)  # Keras: 4 * ((200 + 4096 + 1) * 200)
    3437600
    >>> count_lstm_params(200, 4096, framework="pytorch")
    3438400
    >>> count_lstm_params(200, 4096, framework="pytorch", proj_size=50, num_layers=2)
    3420000
    """
    if as_size("gates", gates) != 4:  # noqa: PLR2004
        msg = (
            f"gates must be 4 for an LSTM, got {gates}; count GRUs (3 gates) with "
            "count_gru_params and vanilla RNNs (1) with count_rnn_params"
        )
        raise InvalidSpecError(msg)
    return LayerSpec(
        Kind.LSTM,
        num_units,
        input_dim,
        framework=framework,
        bias=bias,
        bidirectional=bidirectional,
        num_layers=num_layers,
        proj_size=proj_size,
        peepholes=peepholes,
    ).params


def count_gru_params(  # noqa: PLR0913
    num_units: int,
    input_dim: int,
    bias: bool = True,  # noqa: FBT001, FBT002 - mirrors count_lstm_params
    *,
    framework: Framework | str = Framework.KERAS,
    reset_after: bool | None = None,
    bidirectional: bool = False,
    num_layers: int = 1,
) -> int:
    """Parameters of a GRU layer: ``3 * ((units + input_dim + biases) * units)``.

    ``reset_after=None`` is the framework's default: Keras 3 keeps two bias
    vectors (``reset_after=True``), ``reset_after=False`` one.

    >>> count_gru_params(200, 4096)
    2578800
    >>> count_gru_params(200, 4096, reset_after=False)
    2578200
    >>> count_gru_params(200, 4096, framework="flax-linen")  # one extra hn bias
    2578400
    """
    return LayerSpec(
        Kind.GRU,
        num_units,
        input_dim,
        framework=framework,
        bias=bias,
        reset_after=reset_after,
        bidirectional=bidirectional,
        num_layers=num_layers,
    ).params


def count_rnn_params(  # noqa: PLR0913
    num_units: int,
    input_dim: int,
    bias: bool = True,  # noqa: FBT001, FBT002 - mirrors count_lstm_params
    *,
    framework: Framework | str = Framework.KERAS,
    bidirectional: bool = False,
    num_layers: int = 1,
) -> int:
    """Parameters of a vanilla RNN layer: ``(units + input_dim + biases) * units``.

    >>> count_rnn_params(200, 4096)  # Keras SimpleRNN
    859400
    >>> count_rnn_params(200, 4096, framework="pytorch")  # nn.RNN
    859600
    """
    return LayerSpec(
        Kind.RNN,
        num_units,
        input_dim,
        framework=framework,
        bias=bias,
        bidirectional=bidirectional,
        num_layers=num_layers,
    ).params


def count_convlstm_params(
    filters: int,
    input_channels: int,
    kernel_size: int | tuple[int, ...] | list[int],
    bias: bool = True,  # noqa: FBT001, FBT002 - mirrors count_lstm_params
    *,
    framework: Framework | str = Framework.KERAS,
) -> int:
    """Parameters of a ConvLSTM layer: ``4 * ((K * (filters + channels) + biases) * filters)``.

    ``K`` is the product of ``kernel_size``; an int is a square 2-D kernel.

    >>> count_convlstm_params(64, 3, 3)  # Keras ConvLSTM2D(64, 3) on 3 channels
    154624
    >>> count_convlstm_params(64, 3, (3, 3), framework="flax-linen")  # two biases
    154880
    """
    return LayerSpec(
        Kind.CONVLSTM,
        filters,
        input_channels,
        framework=framework,
        bias=bias,
        kernel_size=kernel_size,
    ).params
