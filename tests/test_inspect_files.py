"""inspect_file() on PyTorch, ONNX, sharded safetensors and Keras HDF5 files, as saved.

Truth: ``tests/data/torch/index.json`` (torch 2.13's ``parameters()``, ``buffers()``,
``requires_grad`` and each module's arguments, written by
``scripts/generate_torch_files.py``) and ``tests/data/models/index.json`` (Keras'
own datasets, written by ``scripts/generate_keras_zoo.py``).
"""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import zipfile
from pathlib import Path
from typing import Any

import pytest

from lstm_params import InvalidFileError, LayerSpec, inspect_file
from lstm_params._readers.onnx_proto import OnnxModel, OnnxNode, OnnxTensor, read_onnx
from lstm_params._readers.pytorch import summary_from_onnx

TORCH = Path(__file__).parent / "data" / "torch"
MODELS = Path(__file__).parent / "data" / "models"
RECORDS = json.loads((TORCH / "index.json").read_text())["records"]
FILES = [r for r in RECORDS if r["kind"] != "onnx"]
ONNX = [r for r in RECORDS if r["kind"] == "onnx"]
_CLASSES = {
    "torch.nn.modules.rnn.LSTM": "nn.LSTM",
    "torch.nn.modules.rnn.GRU": "nn.GRU",
    "torch.nn.modules.rnn.RNN": "nn.RNN",
    "torch.nn.modules.rnn.LSTMCell": "nn.LSTMCell",
    "torch.nn.modules.rnn.GRUCell": "nn.GRUCell",
    "torch.nn.modules.rnn.RNNCell": "nn.RNNCell",
}


@pytest.mark.parametrize("record", FILES, ids=lambda r: r["file"])
def test_torch_files_count_as_torch_does(record: dict[str, Any]) -> None:
    model = inspect_file(TORCH / record["file"])
    assert model.params == record["params"]  # sum(p.numel() for p in model.parameters())
    assert model.buffers == record["buffers"]  # sum(b.numel() for b in model.buffers())
    assert model.to_dict()["buffers"] == record["buffers"]
    if record["kind"] in {"module", "torchscript"}:  # requires_grad is in the file
        assert model.trainable_params == record["trainable"]
    assert model.optimizer == record.get("optimizer_elements", 0)


@pytest.mark.parametrize(
    "record", [r for r in FILES if r["kind"] == "module"], ids=lambda r: r["file"]
)
def test_recurrent_modules_are_recognised_with_their_arguments(record: dict[str, Any]) -> None:
    model = inspect_file(TORCH / record["file"])
    found = dict(zip(model.names, model.layers, strict=True))
    for module in record["modules"]:
        name = _CLASSES.get(module["class"])
        if name is None:
            continue
        spec = found[module["path"] or next(iter(found))]
        arguments = module["attributes"]
        assert spec.layer_name == name
        assert (spec.num_units, spec.input_dim, spec.bias) == (
            arguments["hidden_size"],
            arguments["input_size"],
            arguments["bias"],
        )
        if "num_layers" in arguments:
            assert spec.num_layers == arguments["num_layers"]
            assert spec.bidirectional == arguments["bidirectional"]
            assert spec.proj_size == arguments["proj_size"]


def test_weight_drop_and_data_parallel_prefixes() -> None:
    model = inspect_file(TORCH / "awd-lstm-state-dict.pt")  # AWD-LSTM: weight_hh_l0_raw
    assert [s.layer_name for s in model.layers] == ["nn.LSTM", "nn.LSTM"]
    assert all(name.startswith("module.") for name in model.names)


def test_tied_weights_count_once_and_say_so() -> None:
    model = inspect_file(TORCH / "tied-state-dict.pt")
    assert model.params == 270  # torch: the decoder shares the embedding's weight
    assert any("counted once" in warning for warning in model.warnings)


def test_a_pickle_that_would_run_code_is_named_not_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self) -> tuple[Any, ...]:
            return (os.system, (f"touch {marker}",))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"weight": Evil()}, protocol=2))
    model = inspect_file(path)
    assert not marker.exists()
    assert any("system" in warning for warning in model.warnings)
    assert "Warning: unpickling would" in str(model)


@pytest.mark.parametrize("record", ONNX, ids=lambda r: r["file"])
def test_onnx_models_count_their_initializers(record: dict[str, Any]) -> None:
    model = inspect_file(TORCH / record["file"])
    assert model.params == sum(math.prod(t["dims"]) for t in record["initializers"])
    dims = {t["name"]: tuple(t["dims"]) for t in record["initializers"]}
    recurrent = [n for n in record["nodes"] if n["op_type"] in {"LSTM", "GRU", "RNN"}]
    assert len(model.layers) == len(recurrent)
    for node, spec in zip(recurrent, model.layers, strict=True):
        inputs = [name for name in node["inputs"][1:4] if name]
        assert [w.shape for w in spec.weights()] == [dims[name] for name in inputs]


def test_a_sharded_checkpoint_reads_each_shard_beside_its_index(tmp_path: Path) -> None:
    record = next(r for r in RECORDS if r["kind"] == "sharded")
    model = inspect_file(TORCH / record["file"])
    assert model.params == record["params"] == 595
    assert [s.layer_name for s in model.layers] == ["nn.LSTM"]
    index = json.loads((TORCH / record["file"]).read_text())
    for shard, match in [
        ("../model-00001-of-00002.safetensors", "is not a file name in the index's folder"),
        ("missing.safetensors", "cannot read"),
    ]:
        bad = tmp_path / "bad.index.json"
        bad.write_text(json.dumps(index | {"weight_map": {"x.weight": shard}}))
        with pytest.raises(InvalidFileError, match=match):
            inspect_file(bad)
    moved = tmp_path / "model.safetensors.index.json"
    moved.write_text(json.dumps(index))
    for name in set(index["weight_map"].values()):
        (tmp_path / name).write_bytes((TORCH / "tagger-sharded" / name).read_bytes())
    wrong = dict(index["weight_map"]) | {"embedding.weight": "model-00002-of-00002.safetensors"}
    moved.write_text(json.dumps(index | {"weight_map": wrong}))
    with pytest.raises(InvalidFileError, match="does not hold exactly the tensors"):
        inspect_file(moved)
    for weight_map, match in [
        ([1], "weight_map must map tensor names to shard file names"),
        ({f"t{i}": "a.safetensors" for i in range(100_001)}, "100,001 tensors, more than"),
        ({f"t{i}": f"s{i}.safetensors" for i in range(10_001)}, "10,001 shards, more than"),
    ]:
        moved.write_text(json.dumps({"weight_map": weight_map}))
        with pytest.raises(InvalidFileError, match=match):
            inspect_file(moved)
    (tmp_path / "s.safetensors").write_bytes(b"\x03\x00\x00\x00\x00\x00\x00\x00[1]")
    moved.write_text(json.dumps({"weight_map": {"t": "s.safetensors"}}))
    with pytest.raises(InvalidFileError, match="the header must be a JSON object, got list"):
        inspect_file(moved)
    (tmp_path / "s.safetensors").write_bytes(b"\xff" * 8 + b"{}")
    with pytest.raises(InvalidFileError, match="truncated: the safetensors header claims"):
        inspect_file(moved)


def test_keras_weights_files_count_their_tensors_and_set_the_optimizer_apart() -> None:
    files = json.loads((MODELS / "index.json").read_text())["files"]
    for name, record in files.items():
        if not name.endswith(".weights.h5") or ".keras/" in name:
            continue
        model = inspect_file(MODELS / name)
        datasets = record["datasets"]
        optimizer = [d for d in datasets if d[0].startswith(("optimizer", "optimizer_weights"))]
        assert model.optimizer == sum(math.prod(d[1]) for d in optimizer), name
        assert model.params == sum(math.prod(d[1]) for d in datasets) - model.optimizer, name


def test_an_unknown_format_says_what_is_read(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF\x00\x00")
    with pytest.raises(InvalidFileError, match=r"torch \.pt/\.pth/\.bin/\.ckpt, \.onnx"):
        inspect_file(path)


def test_a_spec_from_an_onnx_file_is_an_onnx_layer_spec() -> None:
    model = inspect_file(TORCH / "gru.onnx")  # nn.GRU(5, 2) exported by torch 2.13
    assert model.layers == (LayerSpec("gru", 2, 5, framework="onnx"),)


def test_frozen_parameters_buffers_and_optimizer_state_are_shown_apart() -> None:
    frozen = inspect_file(TORCH / "frozen-module.pt")  # torch: 40 parameters, 10 trainable
    assert (frozen.trainable_params, frozen.non_trainable_params) == (10, 30)
    text = frozen.to_text()
    assert "Trainable params: 10\nNon-trainable params: 30" in text
    assert frozen.to_dict()["non_trainable_params"] == 30
    assert "Optimizer state (not parameters): 1,209 elements" in str(
        inspect_file(TORCH / "tagger-checkpoint.pt")
    )
    assert "Buffers (not parameters): 13 elements" in str(
        inspect_file(TORCH / "conv-bn-gru-module.pt")
    )


def test_an_onnx_node_whose_weights_are_computed_is_left_to_its_initializers() -> None:
    weights = OnnxTensor("W", (1, 8, 3), 1)
    nodes = (
        OnnxNode("computed", "LSTM", ("x", "W_folded", "R"), ("y",), {"hidden_size": 2}),
        OnnxNode("odd", "GRU", ("x", "W", "W"), ("y",), {"hidden_size": 2}),  # 8 rows: no GRU
        OnnxNode("negative", "RNN", ("x", "W", "R"), ("y",), {"hidden_size": -2}),
    )
    model = summary_from_onnx(OnnxModel((weights, OnnxTensor("R", (1, 8, 2), 1)), nodes))
    assert model.layers == ()
    assert model.params == 24 + 16
    data = (TORCH / "gru.onnx").read_bytes()
    assert read_onnx(io.BytesIO(data), len(data)).params == 54  # a stream that cannot be mapped


def test_a_broken_zip_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "model.pt"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickle.dumps({}))
    data = bytearray(buffer.getvalue())
    at = data.rfind(b"PK\x01\x02")  # the central directory: its signature broken
    data[at : at + 4] = b"XXXX"
    path.write_bytes(bytes(data))
    with pytest.raises(InvalidFileError, match="not a readable zip archive"):
        inspect_file(path)


@pytest.mark.parametrize("record", FILES, ids=lambda r: r["file"])
def test_a_layers_tensors_carry_the_files_own_keys(record: dict[str, Any]) -> None:
    model = inspect_file(TORCH / record["file"])
    keys = set(record["state_dict"])
    for names, layer in zip(model.tensor_names, model.layers, strict=True):
        assert len(names) == len(layer.weights())
        assert (
            set(names) <= keys
        )  # e.g. encoder.weight_ih_l0, module.rnns.0.module.weight_hh_l0_raw


def test_keras_tensors_are_named_after_their_layer() -> None:
    # Keras 3 names a variable by its layer (shared/lstm_cell/kernel): the zoo's h5 datasets.
    # (tf.keras 2 differs in two places: no conv_lstm_cell scope, no name under TimeDistributed.)
    files = json.loads((MODELS / "index.json").read_text())["files"]
    for name, record in files.items():
        if not name.startswith("keras3") or not name.endswith(".h5") or ".weights." in name:
            continue
        stored = {path.removesuffix(":0") for path, _, _ in record["datasets"]}
        model = inspect_file(MODELS / name)
        for names in model.tensor_names:
            for tensor in names:
                assert any(path.endswith(f"/{tensor}") for path in stored), (name, tensor)
