"""Bad input is a clear error, never a number: TypeError for a wrong type,
InvalidSpecError (a ValueError) for a wrong value, naming the argument and value."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from lstm_params import (
    InvalidSpecError,
    LayerSpec,
    count_convlstm_params,
    count_gru_params,
    count_lstm_params,
    count_rnn_params,
)

LSTM: dict[str, Any] = {"kind": "lstm", "num_units": 20, "input_dim": 10}
CONV: dict[str, Any] = {"kind": "convlstm", "num_units": 4, "input_dim": 2, "kernel_size": 3}


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({**LSTM, "num_units": True}, r"num_units must be an integer, not bool \(True\)"),
        ({**LSTM, "num_units": 20.0}, r"num_units must be an integer, got float 20\.0"),
        ({**LSTM, "input_dim": "10"}, r"input_dim must be an integer, got str '10'"),
        ({**LSTM, "num_layers": None}, r"num_layers must be an integer, got NoneType None"),
        ({**LSTM, "proj_size": 1.5}, r"proj_size must be an integer, got float 1\.5"),
        ({**LSTM, "bias": 1}, r"bias must be True or False, got int 1"),
        ({**LSTM, "bidirectional": "yes"}, r"bidirectional must be True or False, got str 'yes'"),
        ({**LSTM, "peepholes": None}, r"peepholes must be True or False, got NoneType None"),
        (
            {**LSTM, "kind": "gru", "reset_after": 0},
            r"reset_after must be True or False, got int 0",
        ),
        ({**LSTM, "kind": 4}, r"kind must be a string, got int 4"),
        ({**LSTM, "framework": None}, r"framework must be a string, got NoneType None"),
        ({**CONV, "kernel_size": 2.5}, r"kernel_size must be an integer, got float 2\.5"),
        ({**CONV, "kernel_size": (3, "3")}, r"kernel_size\[1\] must be an integer, got str '3'"),
    ],
)
def test_wrong_types_are_type_errors(arguments: dict[str, Any], match: str) -> None:
    with pytest.raises(TypeError, match=match):
        LayerSpec(**arguments)


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({**LSTM, "num_units": 0}, r"num_units must be a positive integer, got 0"),
        ({**LSTM, "num_units": -3}, r"num_units must be a positive integer, got -3"),
        ({**LSTM, "input_dim": 0}, r"input_dim must be a positive integer, got 0"),
        ({**LSTM, "num_layers": 0}, r"num_layers must be a positive integer, got 0"),
        ({**LSTM, "proj_size": -1}, r"proj_size must be an integer >= 0, got -1"),
        (
            {**LSTM, "framework": "pytorch", "proj_size": 20},
            r"proj_size must be smaller than num_units \(20\), got 20",
        ),
        (
            {**LSTM, "kind": "transformer"},
            (
                r"kind must be one of 'lstm', 'gru', 'rnn', 'mgu', 'convlstm', 'dense', "
                r"'embedding'; "
                r"got 'transformer'"
            ),
        ),
        (
            {**LSTM, "framework": "mxnet"},
            r"framework must be one of 'keras', 'pytorch', .* got 'mxnet'",
        ),
        (
            {**LSTM, "framework": "flax"},
            r"framework 'flax' is ambiguous: use 'flax-linen' or 'flax-nnx'",
        ),
        ({**LSTM, "framework": "jax"}, r"framework 'jax' is ambiguous"),
        ({**LSTM, "proj_size": 5}, r"proj_size=5: keras has no projection for lstm layers"),
        (
            {**LSTM, "kind": "gru", "framework": "pytorch", "proj_size": 5},
            r"proj_size=5 applies to LSTM layers only; leave it 0 for gru",
        ),
        (
            {**LSTM, "framework": "pytorch", "peepholes": True},
            r"peepholes=True: pytorch has no peephole lstm",
        ),
        (
            {**LSTM, "kind": "gru", "peepholes": True},
            r"peepholes=True applies to LSTM layers only; leave it False for gru",
        ),
        (
            {**LSTM, "kind": "gru", "framework": "pytorch", "reset_after": False},
            r"reset_after=False: pytorch GRU layers have reset_after=True only",
        ),
        (
            {**LSTM, "kind": "gru", "framework": "tensorflow-v1", "reset_after": True},
            r"reset_after=True: tensorflow-v1 GRU layers have reset_after=False only",
        ),
        (
            {**LSTM, "reset_after": True},
            r"reset_after=True applies to GRU layers only; leave it None for lstm",
        ),
        (
            {**LSTM, "kernel_size": 3},
            r"kernel_size=\(3, 3\) applies to ConvLSTM layers only; leave it None for lstm",
        ),
        ({**CONV, "kernel_size": None}, r"kernel_size is required for convlstm layers"),
        ({**CONV, "kernel_size": 0}, r"kernel_size must be a positive integer, got 0"),
        ({**CONV, "kernel_size": ()}, r"kernel_size must have 1 to 3 dimensions, got \(\)"),
        (
            {**CONV, "kernel_size": (3, 3, 3, 3)},
            r"kernel_size must have 1 to 3 dimensions, got \(3, 3, 3, 3\)",
        ),
        ({**CONV, "kernel_size": [3, 0]}, r"kernel_size\[1\] must be a positive integer, got 0"),
        (
            {**CONV, "framework": "pytorch"},
            r"kind 'convlstm' does not exist in pytorch; it has 'lstm', 'gru', 'rnn'",
        ),
        (
            {**LSTM, "framework": "tensorflow-v1", "bias": False},
            r"bias=False: tensorflow-v1 lstm layers always have a bias",
        ),
        (
            {**LSTM, "framework": "flax-linen", "bias": False},
            r"bias=False: flax-linen lstm layers always have a bias",
        ),
        (
            {**LSTM, "framework": "flax-nnx", "num_layers": 2},
            r"num_layers=2: flax-nnx describes one layer; use num_layers=1",
        ),
        (
            {**LSTM, "framework": "tensorflow-v1", "bidirectional": True},
            r"bidirectional=True: tensorflow-v1 describes one unidirectional cell",
        ),
        (
            {**LSTM, "kind": "dense", "bidirectional": True},
            (
                r"bidirectional=True applies to LSTM, GRU, vanilla RNN, MGU and ConvLSTM layers "
                r"only; "
                r"leave it False for dense"
            ),
        ),
        (
            {**LSTM, "kind": "embedding", "num_layers": 2},
            (
                r"num_layers=2 applies to LSTM, GRU, vanilla RNN, MGU and ConvLSTM layers only; "
                r"leave it 1 for embedding"
            ),
        ),
        (
            {**LSTM, "kind": "embedding", "bias": False},
            (
                r"bias=False applies to LSTM, GRU, vanilla RNN, ConvLSTM and dense layers only; "
                r"leave it True for embedding"
            ),
        ),
        ({**LSTM, "kind": "dense", "framework": "onnx"}, r"kind 'dense' does not exist in onnx"),
        (
            {**LSTM, "peepholes": True, "bidirectional": True},
            r"peepholes=True: a cell in RNN is described in one direction",
        ),
    ],
)
def test_bad_values_are_invalid_spec_errors(arguments: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidSpecError, match=match):
        LayerSpec(**arguments)


def test_invalid_spec_error_is_a_value_error() -> None:
    assert issubclass(InvalidSpecError, ValueError)


@pytest.mark.parametrize(
    ("gates", "total"),
    [
        (3, 2578200),  # Keras GRU(200, reset_after=False) on 4096 inputs (golden keras.json)
        (1, 859400),  # Keras SimpleRNN(200) on 4096 inputs (golden keras.json)
        (2, 1718800),  # the seed's formula, 2 * ((200 + 4096 + 1) * 200): a minimal gated unit
    ],
)
def test_count_lstm_params_honours_the_seeds_gates(gates: int, total: int) -> None:
    assert count_lstm_params(200, 4096, gates) == total
    assert count_lstm_params(200, 4096, gates) == gates * ((200 + 4096 + 1) * 200)


@pytest.mark.parametrize("gates", [0, -1])
def test_count_lstm_params_refuses_no_gates(gates: int) -> None:
    with pytest.raises(InvalidSpecError, match=rf"gates must be a positive integer, got {gates}"):
        count_lstm_params(200, 4096, gates)


def test_count_lstm_params_refuses_float_gates() -> None:
    with pytest.raises(TypeError, match=r"gates must be an integer, got float 3\.0"):
        count_lstm_params(200, 4096, 3.0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("framework", "match"),
    [
        ("onnx", "onnx lstm layers have 4 gates"),
        ("flax-linen", "flax-linen lstm layers have 4 gates"),
        ("flax-nnx", "flax-nnx lstm layers have 4 gates"),
    ],
)
def test_custom_gates_need_a_fused_layout(framework: str, match: str) -> None:
    with pytest.raises(InvalidSpecError, match=match):
        count_lstm_params(200, 4096, 3, framework=framework)


def test_count_lstm_params_refuses_bool_gates() -> None:
    with pytest.raises(TypeError, match="gates must be an integer, not bool"):
        count_lstm_params(200, 4096, True)  # noqa: FBT003 - the wrong type under test


@pytest.mark.parametrize(
    "call",
    [
        lambda: count_lstm_params(True, 4096),  # noqa: FBT003
        lambda: count_gru_params(200, 4096.0),  # type: ignore[arg-type]
        lambda: count_rnn_params(200, "4096"),  # type: ignore[arg-type]
        lambda: count_convlstm_params(64, 3, 3.0),  # type: ignore[arg-type]
    ],
)
def test_shortcuts_refuse_wrong_types(call: Any) -> None:  # noqa: ANN401
    with pytest.raises(TypeError):
        call()


def test_remembered_counts_still_refuse_wrong_types() -> None:
    # Source: the user's example, Keras LSTM(200) on 4096 inputs: 3,437,600; 1 unit is valid too.
    assert count_lstm_params(1, 4096) > 0
    with pytest.raises(TypeError, match="num_units must be an integer, not bool"):
        count_lstm_params(True, 4096)  # noqa: FBT003 - cached as 1 must not answer for True
    with pytest.raises(TypeError, match=r"num_units must be an integer, got list \[200\]"):
        count_lstm_params([200], 4096)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"framework must be a string, got dict \{\}"):
        count_gru_params(8, 4, framework={})  # type: ignore[arg-type]


def test_unhashable_but_valid_arguments_are_counted() -> None:
    assert count_convlstm_params(64, 3, [3, 3]) == count_convlstm_params(64, 3, (3, 3))


def test_numpy_integers_are_sizes() -> None:
    # Source: the user's own example, 3,437,600 for Keras LSTM(200) on 4096 inputs.
    assert count_lstm_params(np.int64(200), np.int32(4096)) == 3437600  # type: ignore[arg-type]
    spec = LayerSpec("convlstm", np.int16(64), 3, kernel_size=(np.int8(3), 3))  # type: ignore[arg-type]
    assert spec.kernel_size == (3, 3)
    assert type(spec.num_units) is int
