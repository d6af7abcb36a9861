"""Saved models counted from their files, against what the frameworks reported.

``tests/data/files`` holds small Keras models saved by Keras 3 and tf.keras 2
(``model.save`` to ``.keras``, ``model.to_json``) and PyTorch ``state_dict``s
saved as ``.safetensors``; each index file there records, per file, the total
the framework reported and the layers the model was built from.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from lstm_params import LayerSpec, from_keras_config, from_shapes, inspect_file
from lstm_params._cli import main

FILES = Path(__file__).parent / "data" / "files"


def _records() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for index in sorted((FILES / "index").glob("*.json")):
        found += [(record["file"], record) for record in json.loads(index.read_text())["records"]]
    return found


RECORDS = _records()
#: the indexes predate these: lstm_params now counts them (as Keras' tensors)
COUNTED_NOW = {"LayerNormalization"}


def comparable(spec: LayerSpec) -> str:
    """A spec as the indexes record it: before ``return_sequences`` and ``merge_mode`` were read."""
    return repr(dataclasses.replace(spec, return_sequences=None, merge_mode="concat"))


def test_every_framework_wrote_files() -> None:
    sources = {record["source"].split()[0] for _, record in RECORDS}
    assert sources == {"keras", "tf_keras", "torch"}
    assert {Path(name).suffix for name, _ in RECORDS} == {".keras", ".json", ".safetensors"}


@pytest.mark.parametrize("record", [r for _, r in RECORDS], ids=[n for n, _ in RECORDS])
def test_a_file_counts_as_the_framework_did(record: dict[str, Any]) -> None:
    summary = inspect_file(FILES / record["file"])
    expected = [
        layer
        for layer in record["layers"]
        if "uncounted" in layer and layer["uncounted"] not in COUNTED_NOW
    ]
    assert [cls for _, cls, _ in summary.uncounted] == [layer["uncounted"] for layer in expected]
    assert summary.complete == (not expected)
    if summary.complete:
        assert summary.params == record["params"]  # count_params() or the sum of numel()
    else:
        assert summary.params < record["params"]
    built = [
        LayerSpec(**{k: v for k, v in layer.items() if k != "name"})
        for layer in record["layers"]
        if "uncounted" not in layer
    ]
    assert sorted(map(comparable, summary.layers)) == sorted(map(repr, built))
    assert summary.source == str(FILES / record["file"])


@pytest.mark.parametrize(
    "record", [r for n, r in RECORDS if n.endswith(".safetensors")], ids=lambda r: r["file"]
)
def test_checkpoints_name_their_modules_and_keep_the_other_tensors(record: dict[str, Any]) -> None:
    summary = inspect_file(FILES / record["file"])
    assert dict(zip(summary.names, summary.layers, strict=True)) == {
        layer["name"]: LayerSpec(**{k: v for k, v in layer.items() if k != "name"})
        for layer in record["layers"]
    }
    # "others": the tensors of no recurrent torch module (named_modules() in the generator)
    others = {name: tuple(record["shapes"][name]) for name in record["others"]}
    assert {t.name: t.shape for t in summary.tensors} == others
    assert sum(size for _, size in summary.stored) == record["bytes"]
    from_state_dict = from_shapes(record["shapes"])
    assert from_state_dict.params == summary.params
    assert dict(zip(from_state_dict.names, from_state_dict.layers, strict=True)) == dict(
        zip(summary.names, summary.layers, strict=True)
    )
    assert from_state_dict.stored == ()


def test_mixed_dtypes_are_stored_as_they_are() -> None:
    summary = inspect_file(FILES / "torch-model-mixed-dtypes.safetensors")
    assert {dtype for dtype, _ in summary.stored} == {"F32", "F16", "BF16"}
    text = str(summary)
    assert "Stored: " in text
    assert "BF16 " in text


def test_keras_configs_read_as_text_and_as_dicts() -> None:
    path = FILES / "keras-embedding-bilstm-gru-dense.json"
    text = path.read_text()
    assert from_keras_config(text) == from_keras_config(json.loads(text))
    assert from_keras_config(text).layers == inspect_file(path).layers


def test_uncounted_layers_show_in_every_rendering(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = json.loads((FILES / "keras-lstm-layernorm-timedistributed.json").read_text())
    config["config"]["layers"][2]["class_name"] = "MyNormalization"  # a custom layer
    path = tmp_path / "custom.json"
    path.write_text(json.dumps(config))
    summary = inspect_file(path)
    assert "Total (incomplete)" in str(summary)
    assert "layer_normalization (MyNormalization)" in summary.to_markdown()
    data = summary.to_dict()
    assert data["complete"] is False
    assert data["uncounted"] == [
        {
            "name": "layer_normalization",
            "class": "MyNormalization",
            "reason": "lstm_params does not count this layer",
        }
    ]
    assert main(["inspect", str(path), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == json.loads(json.dumps(data))


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_inspect_command(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    path = FILES / "torch-model.safetensors"
    summary = inspect_file(path)
    assert main(["inspect", str(path), "--format", fmt, "--weights"]) == 0
    out = capsys.readouterr().out
    expected = {
        "text": summary.to_text(weights=True),
        "markdown": summary.to_markdown(weights=True),
        "json": json.dumps(summary.to_dict(), indent=2),
    }[fmt]
    assert out == f"{expected}\n"
