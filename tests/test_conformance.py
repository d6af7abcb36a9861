"""Live conformance: rebuild layers in the installed frameworks and compare.

Each test builds random layers (fixed seeds, other than the golden data's) in
the real framework and checks lstm_params' total and tensors against it. A test
skips when its framework is not installed, unless the framework is named in
``LSTM_PARAMS_REQUIRE`` (comma-separated import names, as ``.ci/run`` sets for
torch, keras and onnx): then a missing framework is a failure, not a skip.
"""

from __future__ import annotations

import os
import random
from typing import TYPE_CHECKING

import frameworks
import pytest
from golden import evaluate, expected_weights, our_weights
from test_files import COUNTED_NOW, comparable

from lstm_params import InvalidSpecError, LayerSpec, count_macs, inspect_file, summary

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

pytestmark = pytest.mark.conformance


def _specs(framework: str, seed: int, count: int, largest: int) -> list[frameworks.Spec]:
    rng = random.Random(seed)
    seed_layer = {"kind": "lstm", "num_units": 200, "input_dim": 4096, "framework": framework}
    return [seed_layer] + [frameworks.random_spec(framework, rng, largest) for _ in range(count)]


def _check(spec: frameworks.Spec, build: Callable[[frameworks.Spec], frameworks.Record]) -> None:
    record = {"spec": spec, **build(spec)}
    ours = LayerSpec(**spec)
    assert ours.params == record["params"], spec
    assert evaluate(ours.formula()) == record["params"], spec
    assert our_weights(record["source"], [(w.name, w.shape) for w in ours.weights()]) == (
        expected_weights(record)
    ), spec


@pytest.mark.parametrize("spec", _specs("pytorch", 101, 60, 8192), ids=str)
def test_pytorch_modules(spec: frameworks.Spec) -> None:
    frameworks.require("torch")
    _check(spec, frameworks.build_pytorch)


@pytest.mark.parametrize(
    "spec", [s for s in _specs("pytorch", 102, 40, 2000) if frameworks.fits_a_cell(s)], ids=str
)
def test_pytorch_cells(spec: frameworks.Spec) -> None:
    frameworks.require("torch")
    _check(spec, frameworks.build_pytorch_cell)


def _feedforward(framework: str, seed: int) -> list[frameworks.Spec]:
    rng = random.Random(seed)
    return [frameworks.random_feedforward_spec(framework, rng, 8192) for _ in range(10)]


@pytest.mark.parametrize("spec", _feedforward("pytorch", 106), ids=str)
def test_pytorch_linear_and_embedding(spec: frameworks.Spec) -> None:
    frameworks.require("torch")
    _check(spec, frameworks.build_pytorch)


@pytest.mark.parametrize("spec", _feedforward("keras", 107), ids=str)
def test_keras_dense_and_embedding(spec: frameworks.Spec) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    frameworks.require("keras")
    _check(spec, frameworks.build_keras)


@pytest.mark.parametrize("framework", ["keras", "pytorch"])
@pytest.mark.parametrize("layers", frameworks.MODELS, ids=lambda m: "-".join(s["kind"] for s in m))
def test_whole_models(framework: str, layers: list[frameworks.Spec]) -> None:
    """summary() equals Keras' model.count_params() and the torch modules' numel()."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    frameworks.require("torch" if framework == "pytorch" else "keras")
    specs = [{**spec, "framework": framework} for spec in layers]
    build = (
        frameworks.build_pytorch_model if framework == "pytorch" else frameworks.build_keras_model
    )
    assert summary([LayerSpec(**spec) for spec in specs]).params == build(specs)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # h5py's, on numpy 2, while saving
def test_saved_keras_models(tmp_path: Path) -> None:
    """Save Keras models now (model.save, to_json) and count the files."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = frameworks.require("keras")
    for record in frameworks.save_keras_models(keras, tmp_path, "keras"):
        _check_file(tmp_path / record["file"], record)


def test_saved_torch_checkpoints(tmp_path: Path) -> None:
    """Save torch state_dicts now (safetensors) and count the files."""
    frameworks.require("torch")
    frameworks.require("safetensors")
    for record in frameworks.save_torch_checkpoints(tmp_path):
        _check_file(tmp_path / record["file"], record)


def _check_file(path: Path, record: frameworks.Record) -> None:
    summary = inspect_file(path)
    uncounted = [
        layer["uncounted"]
        for layer in record["layers"]
        if "uncounted" in layer and layer["uncounted"] not in COUNTED_NOW
    ]
    assert [cls for _, cls, _ in summary.uncounted] == uncounted, path
    if not uncounted:
        assert summary.params == record["params"], path
    built = [
        LayerSpec(**{k: v for k, v in layer.items() if k != "name"})
        for layer in record["layers"]
        if "uncounted" not in layer
    ]
    assert sorted(map(comparable, summary.layers)) == sorted(map(repr, built)), path


PEER_MODULES = {
    "ptflops": "ptflops",
    "thop": "thop",
    "torchinfo": "torchinfo",
    "torchprofile": "torchprofile",
    "calflops": "calflops",
    "fvcore": "fvcore",
}


@pytest.mark.parametrize("tool", frameworks.TOOLS)
def test_peer_mac_counters(tool: str) -> None:
    """Run each peer tool now (in a process of its own) and reproduce its numbers."""
    frameworks.require("torch")
    frameworks.require(PEER_MODULES[tool])
    cases = frameworks.compute_cases(random.Random(109), 12)
    for case, reported in zip(cases, frameworks.measure_isolated(tool, cases), strict=True):
        spec, seq_len, batch, lengths = case
        steps: dict[str, object] = (
            {"lengths": lengths} if lengths is not None else {"seq_len": seq_len, "batch": batch}
        )
        if "error" in reported:
            with pytest.raises(InvalidSpecError):
                count_macs(LayerSpec(**spec), convention=tool, **steps)  # type: ignore[arg-type]
            continue
        result = count_macs(LayerSpec(**spec), convention=tool, **steps)  # type: ignore[arg-type]
        assert (result.macs, result.flops) == (reported["macs"], reported["flops"]), case


@pytest.mark.parametrize("spec", _specs("keras", 103, 40, 8192), ids=str)
def test_keras_layers(spec: frameworks.Spec) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    frameworks.require("keras")
    _check(spec, frameworks.build_keras)


@pytest.mark.parametrize(
    "spec",
    [
        {**s, "peepholes": True} if s["kind"] == "lstm" else {**s, "reset_after": False}
        for s in _specs("onnx", 105, 40, 128)
        if s["kind"] != "rnn" and "num_layers" not in s
    ],
    ids=str,
)
def test_onnx_nodes_no_exporter_writes(spec: frameworks.Spec) -> None:
    frameworks.require("onnx")
    _check(spec, frameworks.build_onnx_node)


@pytest.mark.parametrize("spec", _specs("onnx", 104, 20, 128), ids=str)
def test_onnx_export(spec: frameworks.Spec) -> None:
    frameworks.require("torch")
    frameworks.require("onnx")
    _check(spec, frameworks.build_onnx)
