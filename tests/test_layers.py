"""The recurrent layers of issue #11: CuDNN, merge modes, cells, TF1 stacks, MGU, nnx wrappers.

Totals, names and widths are checked against the frameworks' own in
``tests/data/golden/recurrent/*.json`` (test_golden.py); here, the options'
rules and refusals, and the figures the issue quotes (each from that golden data).
"""

from __future__ import annotations

from typing import Any

import pytest

from lstm_params import InvalidSpecError, LayerSpec, compare


def test_the_issues_numbers() -> None:
    # TensorFlow 2.21 counts 2,362,880 for LSTMCell(512, num_proj=512, use_peepholes=True)
    assert (
        LayerSpec("lstm", 512, 512, framework="tensorflow-v1", proj_size=512, peepholes=True).params
        == 2362880
    )
    # tf.keras 2.21: Bidirectional(CuDNNLSTM(300)) on 300 inputs
    assert LayerSpec("lstm", 300, 300, cudnn=True, bidirectional=True).params == 1444800
    # TensorFlow's legacy RNN([PeepholeLSTMCell(128), PeepholeLSTMCell(256)]) on 100 inputs
    first = LayerSpec("lstm", 128, 100, peepholes=True, cell=True)
    second = LayerSpec("lstm", 256, 128, peepholes=True, cell=True)
    assert (first.params, second.params) == (117632, 395008)


def test_merge_modes_set_the_next_layers_width() -> None:
    # keras 3.15 and tf.keras 2.21 compute_output_shape (golden recurrent/keras*.json)
    widths = {
        mode: LayerSpec("lstm", 20, 10, bidirectional=True, merge_mode=mode).output_dim
        for mode in ("concat", "sum", "mul", "ave", None)
    }
    assert widths == {"concat": 40, "sum": 20, "mul": 20, "ave": 20, None: 20}
    assert LayerSpec("lstm", 20, 10, bidirectional=True, merge_mode=None).outputs == 2
    assert LayerSpec("lstm", 20, 10, bidirectional=True).outputs == 1
    assert {
        LayerSpec("lstm", 20, 10, bidirectional=True, merge_mode=mode).params
        for mode in ("concat", "sum", "mul", "ave", None)
    } == {4960}


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (
            {"merge_mode": "sum"},
            "merge_mode='sum': merge_mode applies to Bidirectional layers; use bidirectional=True",
        ),
        (
            {"merge_mode": None, "bidirectional": True, "num_layers": 2},
            "merge_mode=None: merge_mode=None returns two outputs",
        ),
        ({"cudnn": True, "bias": False}, "cudnn=True: CuDNN layers always have a bias"),
        (
            {"kind": "gru", "cudnn": True, "reset_after": False},
            "cudnn=True: CuDNNGRU keeps two bias vectors per gate",
        ),
        ({"cell": True, "bidirectional": True}, "cell=True: a cell in RNN is described in one"),
        ({"cell": True, "num_layers": 2}, "cell=True: describe one cell in RNN per spec"),
        ({"framework": "pytorch", "merge_mode": "sum", "bidirectional": True}, "concatenates"),
        ({"framework": "pytorch", "cudnn": True}, "pytorch has no CuDNN lstm layer"),
        ({"framework": "onnx", "cell": True}, "onnx has no separate lstm cell class"),
        (
            {"framework": "pytorch", "cell": True, "num_layers": 2},
            "cell=True: nn.LSTMCell is one layer, one direction",
        ),
        (
            {"framework": "flax-nnx", "cell": True, "bidirectional": True},
            "cell=True: a bare nnx cell is one direction",
        ),
        ({"kind": "gru", "reset_gate": False}, "reset_gate=False applies to MGU layers only"),
        ({"merge_mode": "stack"}, "merge_mode must be 'concat', 'sum', 'mul', 'ave' or None"),
        (
            {"framework": "pytorch", "return_sequences": False},
            "return_sequences=False: pytorch lstm layers return every step; leave it None",
        ),
        (
            {"framework": "pytorch", "cell": True, "return_sequences": True},
            "return_sequences=True: pytorch lstm cells return one step; leave it None",
        ),
        ({"kind": "dense", "return_sequences": True}, "return_sequences=True applies to"),
    ],
)
def test_options_that_do_not_fit_are_refused(options: dict[str, Any], match: str) -> None:
    with pytest.raises(InvalidSpecError, match=match):
        LayerSpec(**{"kind": "lstm", "num_units": 8, "input_dim": 4, **options})


def test_a_list_merge_mode_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"merge_mode must be a string or None, got list \['sum'\]"):
        LayerSpec("lstm", 8, 4, bidirectional=True, merge_mode=["sum"])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "name"),
    [
        (LayerSpec("lstm", 8, 4, cudnn=True), "CuDNNLSTM"),
        (LayerSpec("gru", 8, 4, cudnn=True, bidirectional=True), "Bidirectional(CuDNNGRU)"),
        (LayerSpec("gru", 8, 4, cell=True), "RNN(GRUCell)"),
        (LayerSpec("lstm", 8, 4, peepholes=True), "RNN(PeepholeLSTMCell)"),
        (
            LayerSpec("lstm", 8, 4, peepholes=True, cell=True, num_layers=2),
            "RNN(StackedRNNCells(2 x PeepholeLSTMCell))",
        ),
        (LayerSpec("rnn", 8, 4, framework="pytorch", cell=True), "nn.RNNCell"),
        (LayerSpec("gru", 8, 4, framework="tf1", num_layers=3), "MultiRNNCell([GRUCell] * 3)"),
        (LayerSpec("mgu", 8, 4, framework="linen"), "RNN(MGUCell)"),
        (
            LayerSpec("lstm", 8, 4, framework="nnx", bidirectional=True),
            "Bidirectional(RNN(LSTMCell))",
        ),
    ],
)
def test_layer_names(spec: LayerSpec, name: str) -> None:
    assert spec.layer_name == name


def test_compare_shows_the_cudnn_layer_and_why() -> None:
    # tf.keras 2.21: Bidirectional(CuDNNLSTM(300)) 1,444,800 against Bidirectional(LSTM(300))
    rows = {row.label: row for row in compare(LayerSpec("lstm", 300, 300, bidirectional=True)).rows}
    cudnn = rows["Keras Bidirectional(CuDNNLSTM)"]
    assert (cudnn.params, cudnn.difference) == (1444800, 2400)
    assert cudnn.reasons == ("+2,400: a second bias vector per gate",)
    from_cudnn = compare(LayerSpec("lstm", 300, 300, cudnn=True, bidirectional=True))
    assert [row.label for row in from_cudnn.rows][:2] == [
        "Keras Bidirectional(CuDNNLSTM)",
        "Keras Bidirectional(LSTM)",
    ]


def test_a_framework_without_the_option_is_listed_missing() -> None:
    comparison = compare(LayerSpec("lstm", 20, 10, framework="pytorch", proj_size=5))
    missing = dict(comparison.missing)
    assert "has no projection" in missing[next(iter(missing))]


def test_return_sequences_defaults_to_the_frameworks_own() -> None:
    assert LayerSpec("gru", 8, 4).returns_sequences is False  # Keras: the last step
    assert LayerSpec("gru", 8, 4, return_sequences=True).returns_sequences is True
    assert LayerSpec("gru", 8, 4, framework="torch").returns_sequences is True
    assert LayerSpec("gru", 8, 4, framework="torch", cell=True).returns_sequences is None
    assert LayerSpec("dense", 8, 4).returns_sequences is None
