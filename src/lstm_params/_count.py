"""The ``count_*`` shortcuts: one call, one integer, through ``LayerSpec``.

Each answer is remembered (``functools.lru_cache`` keyed by the arguments and
their types, so ``True`` is never taken for ``1``): asking again for the same
layer costs a dictionary lookup, about as much as the bare formula.
"""

from __future__ import annotations

import functools

from ._kinds import Kind
from ._spec import LayerSpec
from ._vocabulary import Framework

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "count_convlstm_params",
    "count_gru_params",
    "count_lstm_params",
    "count_rnn_params",
]


def _remembered(count: Callable[..., int]) -> Callable[..., int]:
    """``count`` behind a cache; unhashable arguments go to ``count`` itself."""
    cached = functools.lru_cache(maxsize=4096, typed=True)(count)

    def call(*args: object) -> int:
        try:
            return cached(*args)
        except TypeError:  # unhashable (a list), or invalid: count again, uncached
            return count(*args)

    return call


@_remembered
def _lstm(  # noqa: PLR0913, PLR0917 - positional: the cache key, built fast
    num_units: int,
    input_dim: int,
    gates: int,
    bias: bool,  # noqa: FBT001
    framework: Framework | str,
    bidirectional: bool,  # noqa: FBT001
    num_layers: int,
    proj_size: int,
    peepholes: bool,  # noqa: FBT001
) -> int:
    spec = LayerSpec(
        Kind.LSTM,
        num_units,
        input_dim,
        framework=framework,
        gates=None if type(gates) is int and gates == 4 else gates,  # noqa: PLR2004 - an LSTM's own
        bias=bias,
        bidirectional=bidirectional,
        num_layers=num_layers,
        proj_size=proj_size,
        peepholes=peepholes,
    )
    return spec.params


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
    Flax, 2 in PyTorch and ONNX, 0 with ``bias=False``. ``gates`` is the number of
    gate blocks: an LSTM has 4; any other number is a custom cell in the
    framework's layout, with the same formula (3: Keras' ``GRU(reset_after=False)``
    or a coupled input-forget LSTM, 2: a minimal gated unit, 1: a vanilla RNN).
    Zero or negative ``gates`` is an :class:`InvalidSpecError`, ``True`` or
    ``3.0`` a ``TypeError``.

    >>> count_lstm_params(200, 4096)  # Keras: 4 * ((200 + 4096 + 1) * 200)
    3437600
    >>> count_lstm_params(200, 4096, framework="pytorch")
    3438400
    >>> count_lstm_params(200, 4096, gates=3)  # 3 * ((200 + 4096 + 1) * 200)
    2578200
    >>> count_lstm_params(200, 4096, framework="pytorch", proj_size=50, num_layers=2)
    3420000
    """
    return _lstm(
        num_units,
        input_dim,
        gates,
        bias,
        framework,
        bidirectional,
        num_layers,
        proj_size,
        peepholes,
    )


@_remembered
def _gru(  # noqa: PLR0913, PLR0917 - positional: the cache key, built fast
    num_units: int,
    input_dim: int,
    bias: bool,  # noqa: FBT001
    framework: Framework | str,
    reset_after: bool | None,  # noqa: FBT001
    bidirectional: bool,  # noqa: FBT001
    num_layers: int,
) -> int:
    spec = LayerSpec(
        Kind.GRU,
        num_units,
        input_dim,
        framework=framework,
        bias=bias,
        reset_after=reset_after,
        bidirectional=bidirectional,
        num_layers=num_layers,
    )
    return spec.params


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
    return _gru(num_units, input_dim, bias, framework, reset_after, bidirectional, num_layers)


@_remembered
def _rnn(  # noqa: PLR0913, PLR0917 - positional: the cache key, built fast
    num_units: int,
    input_dim: int,
    bias: bool,  # noqa: FBT001
    framework: Framework | str,
    bidirectional: bool,  # noqa: FBT001
    num_layers: int,
) -> int:
    spec = LayerSpec(
        Kind.RNN,
        num_units,
        input_dim,
        framework=framework,
        bias=bias,
        bidirectional=bidirectional,
        num_layers=num_layers,
    )
    return spec.params


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
    return _rnn(num_units, input_dim, bias, framework, bidirectional, num_layers)


def _count_convlstm(
    filters: int,
    input_channels: int,
    kernel_size: int | tuple[int, ...] | list[int],
    bias: bool,  # noqa: FBT001
    framework: Framework | str,
) -> int:
    spec = LayerSpec(
        Kind.CONVLSTM,
        filters,
        input_channels,
        framework=framework,
        bias=bias,
        kernel_size=kernel_size,
    )
    return spec.params


_convlstm = _remembered(_count_convlstm)


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
    if isinstance(kernel_size, tuple):  # (3, True) must not hit the cached (3, 1)
        return _count_convlstm(filters, input_channels, kernel_size, bias, framework)
    return _convlstm(filters, input_channels, kernel_size, bias, framework)
