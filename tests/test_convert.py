"""convert_weights(): Keras <-> PyTorch <-> ONNX, checked numerically in the real frameworks.

The unit tests use nested lists; the conformance tests give random weights to
real Keras layers, convert them, load them into torch modules and ONNX graphs
(run by onnx's reference evaluator) and compare the outputs on random input.
"""

from __future__ import annotations

import importlib
import itertools
import os
import random
from typing import Any

import frameworks
import pytest

from lstm_params import InvalidSpecError, LayerSpec, convert_weights


def _random_weights(spec: LayerSpec, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)

    def array(shape: tuple[int, ...]) -> Any:  # noqa: ANN401
        if len(shape) == 1:
            return [round(rng.uniform(-1, 1), 3) for _ in range(shape[0])]
        return [array(shape[1:]) for _ in range(shape[0])]

    return {w.name: array(w.shape) for w in spec.weights()}


CASES = [
    {"kind": kind, "bidirectional": bidirectional, "num_layers": layers, "bias": bias}
    | ({"reset_after": reset_after} if kind == "gru" else {})
    for kind, bidirectional, layers, bias, reset_after in itertools.product(
        ["lstm", "gru", "rnn"], [False, True], [1, 2], [True, False], [True, False]
    )
    if kind == "gru" or reset_after
]


@pytest.mark.parametrize("options", CASES, ids=str)
def test_round_trips_through_every_framework(options: dict[str, Any]) -> None:
    keras = LayerSpec(options["kind"], 3, 2, **{k: v for k, v in options.items() if k != "kind"})
    weights = _random_weights(keras, 7)
    targets = (
        ["onnx"] if keras.kind.value == "gru" and not keras.reset_after else ["pytorch", "onnx"]
    )
    for target in targets:
        there = convert_weights(weights, keras, to=target)
        spec = LayerSpec(
            **{**keras.to_dict(), "framework": target, "reset_after": keras.reset_after}
        )
        assert list(there) == [w.name for w in spec.weights()]
        back = convert_weights(there, spec, to="keras")
        assert back == weights  # Keras' one bias went out as (b, 0) and comes back summed


def test_pytorch_biases_are_summed_into_keras_one() -> None:
    torch = LayerSpec("lstm", 1, 1, framework="pytorch")
    weights = {
        "weight_ih_l0": [[1.0], [2.0], [3.0], [4.0]],  # rows: i, f, g, o
        "weight_hh_l0": [[5.0], [6.0], [7.0], [8.0]],
        "bias_ih_l0": [0.5, 0.5, 0.5, 0.5],
        "bias_hh_l0": [0.25, 0.25, 0.25, 1.25],
    }
    keras = convert_weights(weights, torch, to="keras")
    assert keras == {  # columns i, f, c, o: the same order, transposed
        "lstm/lstm_cell/kernel": [[1.0, 2.0, 3.0, 4.0]],
        "lstm/lstm_cell/recurrent_kernel": [[5.0, 6.0, 7.0, 8.0]],
        "lstm/lstm_cell/bias": [0.75, 0.75, 0.75, 1.75],
    }
    onnx = convert_weights(weights, torch, to="onnx")
    assert onnx["W"] == [[[1.0], [4.0], [2.0], [3.0]]]  # ONNX: i, o, f, c
    assert onnx["B"] == [[0.5, 0.5, 0.5, 0.5, 0.25, 1.25, 0.25, 0.25]]


def test_gru_gates_are_reordered() -> None:
    keras = LayerSpec("gru", 1, 1)  # Keras z, r, h; PyTorch r, z, n
    weights = {
        "gru/gru_cell/kernel": [[1.0, 2.0, 3.0]],
        "gru/gru_cell/recurrent_kernel": [[4.0, 5.0, 6.0]],
        "gru/gru_cell/bias": [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]],
    }
    torch = convert_weights(weights, keras, to="pytorch")
    assert torch["weight_ih_l0"] == [[2.0], [1.0], [3.0]]
    assert torch["bias_hh_l0"] == [0.5, 0.4, 0.6]


@pytest.mark.parametrize(
    ("spec", "to", "match"),
    [
        (LayerSpec("gru", 3, 2, reset_after=False), "pytorch", "pytorch cannot hold"),
        (LayerSpec("lstm", 3, 2), "flax-linen", "converts between keras, pytorch and onnx"),
        (LayerSpec("convlstm", 3, 2, kernel_size=3), "pytorch", "converts LSTM, GRU and vanilla"),
        (LayerSpec("lstm", 3, 2, cudnn=True), "pytorch", "converts LSTM, GRU and vanilla"),
        (
            LayerSpec("lstm", 3, 2, framework="pytorch", proj_size=1),
            "keras",
            "projections and peepholes",
        ),
    ],
)
def test_layouts_a_target_cannot_hold(spec: LayerSpec, to: str, match: str) -> None:
    weights = _random_weights(spec, 1)
    with pytest.raises(InvalidSpecError, match=match):
        convert_weights(weights, spec, to=to)


def test_the_weights_must_be_the_layers_own() -> None:
    spec = LayerSpec("rnn", 2, 1)
    weights = _random_weights(spec, 2)
    with pytest.raises(InvalidSpecError, match="missing"):
        convert_weights({k: v for k, v in weights.items() if "bias" not in k}, spec, to="pytorch")
    wrong = weights | {"simple_rnn/simple_rnn_cell/bias": [1.0]}
    with pytest.raises(InvalidSpecError, match=r"has shape \(1,\), expected \(2,\)"):
        convert_weights(wrong, spec, to="pytorch")
    with pytest.raises(InvalidSpecError, match=r"has shape \(0,\), expected \(2,\)"):
        convert_weights(weights | {"simple_rnn/simple_rnn_cell/bias": []}, spec, to="pytorch")
    with pytest.raises(TypeError, match="must be an array or a nested list, got str"):
        convert_weights(weights | {"simple_rnn/simple_rnn_cell/bias": "x"}, spec, to="pytorch")
    with pytest.raises(TypeError, match="weights must be a mapping"):
        convert_weights([], spec, to="pytorch")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="spec must be a LayerSpec"):
        convert_weights(weights, "rnn", to="pytorch")  # type: ignore[arg-type]


def test_numpy_arrays_come_back_as_numpy_arrays() -> None:
    np = pytest.importorskip("numpy")
    spec = LayerSpec("lstm", 3, 2, framework="pytorch")
    weights = {k: np.asarray(v, dtype=np.float32) for k, v in _random_weights(spec, 3).items()}
    keras = convert_weights(weights, spec, to="keras")
    assert all(isinstance(v, np.ndarray) and v.dtype == np.float32 for v in keras.values())
    assert keras["lstm/lstm_cell/kernel"].shape == (2, 12)


# ----------------------------------------------------------- live, numeric
NUMERIC = [c for c in CASES if c["bias"]] + [CASES[1]]


def _keras_model(keras: Any, spec: LayerSpec, steps: int) -> Any:  # noqa: ANN401
    classes = {"lstm": keras.layers.LSTM, "gru": keras.layers.GRU, "rnn": keras.layers.SimpleRNN}
    layers: list[Any] = [keras.Input((steps, spec.input_dim))]
    for _ in range(spec.num_layers):
        options: dict[str, Any] = {"return_sequences": True, "use_bias": spec.bias}
        if spec.kind.value == "gru":
            options["reset_after"] = spec.reset_after
        layer = classes[spec.kind.value](spec.num_units, **options)
        layers.append(keras.layers.Bidirectional(layer) if spec.bidirectional else layer)
    return keras.Sequential(layers)


@pytest.mark.conformance
@pytest.mark.parametrize("options", NUMERIC, ids=str)
def test_keras_and_converted_torch_and_onnx_give_the_same_outputs(options: dict[str, Any]) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras, torch = frameworks.require("keras"), frameworks.require("torch")
    np = frameworks.require("numpy")
    spec = LayerSpec(options["kind"], 4, 3, **{k: v for k, v in options.items() if k != "kind"})
    model = _keras_model(keras, spec, steps=5)
    rng = np.random.default_rng(11)
    for variable in model.weights:
        variable.assign(rng.uniform(-0.5, 0.5, variable.shape).astype("float32"))
    weights = {
        w.name: v.value.detach().numpy()  # the torch backend's parameter
        for w, v in zip(spec.weights(), model.weights, strict=True)
    }
    x = rng.uniform(-1, 1, (2, 5, 3)).astype("float32")
    expected = model(x).detach().numpy()
    if spec.kind.value != "gru" or spec.reset_after:
        converted = convert_weights(weights, spec, to="pytorch")
        modules = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}
        module = modules[spec.kind.value](
            3, 4, num_layers=spec.num_layers, bias=spec.bias, batch_first=True,
            bidirectional=spec.bidirectional,
        )  # fmt: skip
        module.load_state_dict({k: torch.from_numpy(v) for k, v in converted.items()})
        with torch.no_grad():
            found = module(torch.from_numpy(x))[0].numpy()
        np.testing.assert_allclose(found, expected, atol=1e-5)
        torch_spec = LayerSpec(**{**spec.to_dict(), "framework": "pytorch"})
        back = convert_weights(converted, torch_spec, to="keras")
        for name, value in weights.items():
            np.testing.assert_allclose(back[name], value, atol=1e-6)
    if spec.num_layers == 1:
        np.testing.assert_allclose(_run_onnx(spec, weights, x), expected, atol=1e-5)


def _run_onnx(spec: LayerSpec, weights: dict[str, Any], x: Any) -> Any:  # noqa: ANN401
    onnx = frameworks.require("onnx")
    np = frameworks.require("numpy")
    helper = importlib.import_module("onnx.helper")
    numpy_helper = importlib.import_module("onnx.numpy_helper")
    reference = importlib.import_module("onnx.reference")

    converted = convert_weights(weights, spec, to="onnx")
    target = LayerSpec(**{**spec.to_dict(), "framework": "onnx"})
    names = [w.name for w in target.weights()]
    op = {"lstm": "LSTM", "gru": "GRU", "rnn": "RNN"}[spec.kind.value]
    attributes: dict[str, Any] = {
        "hidden_size": spec.num_units,
        "direction": "bidirectional" if spec.bidirectional else "forward",
    }
    if op == "GRU":
        attributes["linear_before_reset"] = int(bool(spec.reset_after))
    node = helper.make_node(op, ["X", *names], ["Y"], **attributes)
    graph = helper.make_graph(
        [node],
        "converted",
        [helper.make_tensor_value_info("X", onnx.TensorProto.FLOAT, [5, 2, 3])],
        [helper.make_tensor_value_info("Y", onnx.TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.asarray(converted[n], np.float32), n) for n in names],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    (y,) = reference.ReferenceEvaluator(model).run(None, {"X": np.transpose(x, (1, 0, 2))})
    # Y: (seq, directions, batch, hidden) -> (batch, seq, directions * hidden)
    return np.transpose(y, (2, 0, 1, 3)).reshape(2, 5, -1)
