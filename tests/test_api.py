"""The public API: shortcuts, LayerSpec's derived values, names, explanations.

Expected totals come from the golden records (``golden_total``), which the real
frameworks wrote, or from the user's own example (3,437,600).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from golden import GOLDEN, evaluate

import lstm_params
from lstm_params import (
    Framework,
    Kind,
    LayerSpec,
    Weight,
    count_convlstm_params,
    count_gru_params,
    count_lstm_params,
    count_rnn_params,
)


def golden_total(**spec: Any) -> int:  # noqa: ANN401
    """The total a framework reported for exactly this spec in the golden data."""
    for path in GOLDEN.glob("*.json"):
        for record in json.loads(path.read_text())["records"]:
            found = {k: v for k, v in record["spec"].items() if k != "cell"}  # nnx: bare cells
            if found == spec and not record["source"].startswith(
                ("torch.nn.LSTMCell", "torch.nn.GRUCell", "torch.nn.RNNCell", "flax.nnx.Optimized")
            ):
                return int(record["params"])
    msg = f"no golden record for {spec}"
    raise LookupError(msg)


SEED = {"num_units": 200, "input_dim": 4096}


def test_the_users_example() -> None:
    # The user: Keras LSTM(200) on 4096 inputs has 4 * ((200 + 4096 + 1) * 200) = 3,437,600.
    assert count_lstm_params(200, 4096) == 3437600
    assert count_lstm_params(200, 4096) == golden_total(kind="lstm", framework="keras", **SEED)
    assert count_lstm_params(200, 4096, framework="pytorch") == golden_total(
        kind="lstm", framework="pytorch", **SEED
    )
    assert LayerSpec("lstm", 200, 4096).formula() == "4 * ((200 + 4096 + 1) * 200)"
    assert "4 * ((200 + 4096 + 1) * 200) = 3,437,600" in LayerSpec("lstm", 200, 4096).explain()


@pytest.mark.parametrize(
    ("value", "spec"),
    [
        (lambda: count_lstm_params(200, 4096, bias=False, framework="torch"), None),
        (
            lambda: count_lstm_params(200, 4096, framework="pytorch", proj_size=50, num_layers=2),
            {"kind": "lstm", "framework": "pytorch", **SEED, "proj_size": 50, "num_layers": 2},
        ),
        (
            lambda: count_lstm_params(200, 4096, framework="keras", bidirectional=True),
            {"kind": "lstm", "framework": "keras", **SEED, "bidirectional": True},
        ),
        (lambda: count_gru_params(200, 4096), {"kind": "gru", "framework": "keras", **SEED}),
        (
            lambda: count_gru_params(200, 4096, reset_after=False),
            {"kind": "gru", "framework": "keras", **SEED, "reset_after": False},
        ),
        (
            lambda: count_gru_params(200, 4096, framework="flax-linen"),
            {"kind": "gru", "framework": "flax-linen", **SEED},
        ),
        (
            lambda: count_gru_params(200, 4096, framework="nnx"),
            {"kind": "gru", "framework": "flax-nnx", **SEED},
        ),
        (lambda: count_rnn_params(200, 4096), {"kind": "rnn", "framework": "keras", **SEED}),
        (
            lambda: count_rnn_params(200, 4096, framework="pytorch"),
            {"kind": "rnn", "framework": "pytorch", **SEED},
        ),
        (
            lambda: count_convlstm_params(64, 3, 3),
            {
                "kind": "convlstm",
                "framework": "keras",
                "num_units": 64,
                "input_dim": 3,
                "kernel_size": [3, 3],
            },
        ),
        (
            lambda: count_convlstm_params(64, 3, (3, 3), framework="flax-linen"),
            {
                "kind": "convlstm",
                "framework": "flax-linen",
                "num_units": 64,
                "input_dim": 3,
                "kernel_size": [3, 3],
            },
        ),
    ],
)
def test_shortcuts_match_the_frameworks(value: Any, spec: dict[str, Any] | None) -> None:  # noqa: ANN401
    if spec is None:  # no golden record: PyTorch without bias is the with-bias total less 2 * 4H
        with_bias = golden_total(kind="lstm", framework="pytorch", **SEED)
        assert value() == with_bias - 2 * 4 * 200
    else:
        assert value() == golden_total(**spec)


def test_shortcuts_equal_layer_spec() -> None:
    spec = LayerSpec(
        "lstm", 20, 10, framework="pytorch", bidirectional=True, num_layers=3, proj_size=7
    )
    shortcut = count_lstm_params(
        20,
        10,
        4,
        True,  # noqa: FBT003 - the user's positional bias
        framework="pytorch",
        bidirectional=True,
        num_layers=3,
        proj_size=7,
    )
    assert shortcut == spec.params == evaluate(spec.formula())


def test_public_names_are_sorted_and_exported() -> None:
    assert lstm_params.__all__ == sorted(lstm_params.__all__)
    for name in lstm_params.__all__:
        assert hasattr(lstm_params, name)


def test_spec_is_frozen_hashable_and_normalised() -> None:
    spec = LayerSpec("GRU", 8, 4, framework="TORCH")
    assert spec.kind is Kind.GRU
    assert spec.framework is Framework.PYTORCH
    assert spec.reset_after is True  # PyTorch's only GRU
    assert spec == LayerSpec(Kind.GRU, 8, 4, framework=Framework.PYTORCH, reset_after=True)
    assert len({spec, LayerSpec("gru", 8, 4, framework="pytorch")}) == 1
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'num_units'"):
        spec.num_units = 9  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'bias'"):
        del spec.bias
    assert LayerSpec("gru", 8, 4, framework="tf1").reset_after is False
    assert LayerSpec("convlstm", 8, 4, kernel_size=[5]).kernel_size == (5,)
    assert LayerSpec("convlstm", 8, 4, kernel_size=5).kernel_size == (5, 5)


@pytest.mark.parametrize(
    ("alias", "framework"),
    [
        ("torch", "pytorch"),
        ("PyTorch", "pytorch"),
        ("tf.keras", "keras"),
        ("tf_keras", "keras"),
        ("tensorflow", "keras"),
        ("Keras 3", "keras"),
        ("tf.compat.v1", "tensorflow-v1"),
        ("tensorflow_v1", "tensorflow-v1"),
        ("linen", "flax-linen"),
        ("flax.nnx", "flax-nnx"),
        ("onnx", "onnx"),
    ],
)
def test_framework_aliases(alias: str, framework: str) -> None:
    assert Framework.parse(alias) is Framework(framework)


@pytest.mark.parametrize(
    ("alias", "kind"), [("SimpleRNN", "rnn"), ("ConvLSTM", "convlstm"), ("Lstm", "lstm")]
)
def test_kind_aliases(alias: str, kind: str) -> None:
    assert Kind.parse(alias) is Kind(kind)


def test_kind_lookup_by_non_string_value_fails_like_an_enum() -> None:
    with pytest.raises(ValueError, match="4 is not a valid Kind"):
        Kind(4)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "output_dim"),
    [
        (LayerSpec("lstm", 20, 10), 20),
        (LayerSpec("lstm", 20, 10, framework="pytorch", bidirectional=True), 40),
        (LayerSpec("lstm", 20, 10, framework="pytorch", bidirectional=True, proj_size=7), 14),
        (LayerSpec("lstm", 20, 10, framework="tf1", proj_size=7), 7),
        (LayerSpec("convlstm", 6, 3, kernel_size=3, bidirectional=True), 12),
    ],
)
def test_output_dim(spec: LayerSpec, output_dim: int) -> None:
    # What the next layer sees: torch reads it from weight_ih_l1's second axis.
    assert spec.output_dim == output_dim


def test_weight_size() -> None:
    assert Weight("W", (2, 3, 4)).size == 24
    assert Weight("b", (5,)).size == 5


@pytest.mark.parametrize("framework", list(Framework))
def test_explain_lists_formula_legend_and_every_weight(framework: Framework) -> None:
    spec = LayerSpec("lstm", 20, 10, framework=framework)
    lines = spec.explain().splitlines()
    title = f"{framework.display_name} {spec.layer_name}, 20 units on 10 inputs: "
    assert lines[0].startswith(title)
    assert lines[0].endswith(f": {spec.params:,} parameters")
    assert lines[1] == f"  {spec.formula()} = {spec.params:,}"
    assert lines[2] == f"  {spec.legend()}"
    weights = spec.weights()
    assert len(lines) == 3 + len(weights) + 1
    for line, weight in zip(lines[3:], weights, strict=False):
        assert line.split()[0] == weight.name
        assert line.endswith(f"{weight.size:,}")
    assert lines[-1] == spec.note


def test_explain_of_a_convlstm_speaks_of_filters_and_channels() -> None:
    text = LayerSpec("convlstm", 64, 3, kernel_size=(3, 3)).explain()
    assert text.startswith("Keras ConvLSTM2D, 64 filters on 3 input channels: ")
    assert "4 * ((3 * 3 * (64 + 3) + 1) * 64) = " in text


def test_legend_names_every_number_of_the_formula() -> None:
    spec = LayerSpec(
        "lstm", 20, 10, framework="pytorch", bidirectional=True, num_layers=3, proj_size=7
    )
    assert spec.formula() == (
        "2 * (4 * ((7 + 10 + 2) * 20) + 7 * 20) + 4 * (4 * ((7 + 14 + 2) * 20) + 7 * 20)"
    )
    assert spec.legend() == (
        "directions * (gates * ((proj_size + input_dim + biases) * units) + proj_size * units)"
        " + (num_layers - 1) * directions"
        " * (gates * ((proj_size + directions * proj_size + biases) * units) + proj_size * units)"
    )


@pytest.mark.parametrize(
    ("spec", "layer_name"),
    [
        (LayerSpec("lstm", 2, 2, bidirectional=True), "Bidirectional(LSTM)"),
        (LayerSpec("lstm", 2, 2, peepholes=True), "RNN(PeepholeLSTMCell)"),
        (LayerSpec("rnn", 2, 2), "SimpleRNN"),
        (LayerSpec("convlstm", 2, 2, kernel_size=(1, 2, 3)), "ConvLSTM3D"),
        (LayerSpec("gru", 2, 2, framework="onnx"), "GRU operator"),
        (LayerSpec("rnn", 2, 2, framework="tf1"), "BasicRNNCell"),
        (
            LayerSpec("gru", 2, 2, framework="linen", bidirectional=True),
            "Bidirectional(RNN(GRUCell))",
        ),
        (LayerSpec("rnn", 2, 2, framework="nnx"), "RNN(SimpleCell)"),
        (LayerSpec("rnn", 2, 2, framework="nnx", cell=True), "SimpleCell"),
    ],
)
def test_layer_names(spec: LayerSpec, layer_name: str) -> None:
    assert spec.layer_name == layer_name


@pytest.mark.parametrize(
    ("framework", "kind", "gates", "same_as", "name"),
    [
        # A custom gate count in a fused layout has the tensors of the built-in layer with
        # that many gate blocks: the same count as that layer (golden data for each).
        (
            "keras",
            "lstm",
            3,
            {"kind": "gru", "reset_after": False},
            "RNN(custom LSTM cell, 3 gates)",
        ),
        ("keras", "lstm", 1, {"kind": "rnn"}, "RNN(custom LSTM cell, 1 gate)"),
        ("pytorch", "lstm", 3, {"kind": "gru"}, "custom nn.LSTM-style module, 3 gates"),
        ("pytorch", "gru", 1, {"kind": "rnn"}, "custom nn.GRU-style module, 1 gate"),
        ("tensorflow-v1", "lstm", 1, {"kind": "rnn"}, "custom LSTMCell-style cell, 1 gate"),
        ("flax-nnx", "gru", 1, {"kind": "rnn"}, "RNN(custom GRUCell-style cell, 1 gate)"),
    ],
)
def test_custom_gate_counts_are_custom_cells_in_the_frameworks_layout(
    framework: str, kind: str, gates: int, same_as: dict[str, Any], name: str
) -> None:
    spec = LayerSpec(kind, 20, 10, framework=framework, gates=gates)
    assert spec.custom
    assert (
        spec.params
        == LayerSpec(**{"num_units": 20, "input_dim": 10, "framework": framework, **same_as}).params
    )
    assert spec.layer_name == name
    assert f"A custom cell: {gates} gate blocks" in spec.note
    assert f"A custom cell: {gates} gate blocks" in spec.explain()
    assert spec.formula().startswith(f"{gates} * (")
    assert not LayerSpec(kind, 20, 10, framework=framework).custom
