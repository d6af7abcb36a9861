"""Keras models counted from their configurations, against Keras' own numbers (issue 12).

``tests/data/models/index.json`` records what Keras 3.15.1 and tf.keras 2.21
said of each model of the zoo (``scripts/generate_keras_zoo.py``): its
``count_params()``, trainable and non-trainable sums, and each layer's
``count_params()`` and output shape. ``LAYERS`` below was printed by Keras
3.15.1 (torch backend) for one layer at a time; the live test rebuilds it.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import frameworks
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_params import InvalidSpecError, LayerSpec, Summary, from_keras_config
from lstm_params._readers import _safe, keras_config
from lstm_params._readers.hdf5 import Dataset, read_hdf5
from lstm_params._summary import format_shape
from lstm_params._weight import Weight

if TYPE_CHECKING:
    from collections.abc import Iterator

DATA = Path(__file__).parent / "data"
MODELS = DATA / "models"
ZOO = json.loads((MODELS / "index.json").read_text())["files"]
JSONS = sorted(name for name in ZOO if name.endswith(".json"))
H5S = sorted(name for name in ZOO if name.endswith(".h5") and "/" not in name)
H5S = [name for name in H5S if not name.endswith(".weights.h5")]
ARCHIVES = sorted(name for name in ZOO if name.endswith(".keras"))


def _shape(value: Any) -> object:  # noqa: ANN401
    """A shape as index.json records it (lists, null), as the reader gives it (tuples, None)."""
    if value and isinstance(value[0], list):
        return [tuple(one) for one in value]
    return tuple(value)


def _read(config: object, datasets: tuple[Dataset, ...] = ()) -> tuple[Summary, dict[str, object]]:
    reader = keras_config._Reader(  # noqa: SLF001
        datasets
    )
    return reader.model(config), reader.shapes


def _check(summary: Summary, shapes: dict[str, object], model: dict[str, Any]) -> None:
    assert summary.complete
    assert summary.params == model["count_params"]
    assert summary.trainable_params == model["trainable"]
    assert summary.non_trainable_params == model["non_trainable"]
    for layer in model["layers"]:
        name = layer["name"]
        counted = sum(
            spec.params
            for row, spec in zip(summary.names, summary.layers, strict=True)
            if row == name or row.startswith(f"{name}/")
        ) + sum(t.size for t in summary.tensors if t.name.startswith(f"{name}/"))
        assert counted == layer["count_params"], name
        assert shapes[name] == _shape(layer["output_shape"]), name
    for row, shape in zip(summary.names, summary.output_shapes, strict=True):
        if row in shapes:
            assert shape == shapes[row]


@pytest.mark.parametrize("name", JSONS)
def test_zoo_configurations_count_as_keras_did(name: str) -> None:
    text = (MODELS / name).read_text()
    summary, shapes = _read(json.loads(text))
    _check(summary, shapes, ZOO[name]["model"])
    assert from_keras_config(text) == summary
    assert from_keras_config(text.encode()) == summary


@pytest.mark.parametrize("name", H5S)
def test_zoo_h5_files_count_as_keras_did(name: str) -> None:
    path = MODELS / name
    with path.open("rb") as stream:
        meta = read_hdf5(stream, path.stat().st_size)
    config = meta.attributes["model_config"]
    assert isinstance(config, str)
    summary, shapes = _read(json.loads(config), meta.datasets)
    _check(summary, shapes, ZOO[name]["model"])
    optimizer = "trained-adam" in name
    assert (summary.optimizer > 0) == optimizer
    assert summary.warnings == ()


@pytest.mark.parametrize("name", ARCHIVES)
def test_zoo_keras_archives_count_as_keras_did(name: str) -> None:
    with zipfile.ZipFile(MODELS / name) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    meta = read_hdf5(io.BytesIO(weights), len(weights))
    summary, shapes = _read(config, meta.datasets)
    _check(summary, shapes, ZOO[name]["model"])
    assert summary.warnings == ()


@settings(max_examples=300, deadline=None)
@given(
    case=st.integers(0, len(JSONS) - 1),
    edits=st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.sampled_from(
                [
                    None,
                    True,
                    0,
                    -1,
                    2,
                    2**40,
                    "x",
                    "same",
                    "channels_first",
                    [],
                    [None],
                    [1, "a"],
                    {},
                    [[1, 2]],
                    1.5,
                ]
            ),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_fuzzed_configurations_count_or_refuse(case: int, edits: list[tuple[int, object]]) -> None:
    config = json.loads((MODELS / JSONS[case]).read_text())
    for position, value in edits:
        places = list(_places(config))
        parent, key = places[position % len(places)]
        parent[key] = value
    message = None
    try:
        summary = from_keras_config(config)
    except InvalidSpecError as error:
        message = str(error)
    except TypeError as error:  # a wrong type where the reader wants a string, as LayerSpec does
        message = str(error)
        assert "must be" in message
    else:
        assert 0 <= summary.non_trainable <= summary.params
        assert str(summary)
        json.dumps(summary.to_dict())
    assert message is None or "\n" not in message


def _places(value: object) -> Iterator[tuple[Any, Any]]:
    """Every (container, key) in a JSON value, depth first."""
    stack = [value]
    while stack:
        item = stack.pop()
        pairs = (
            item.items()
            if isinstance(item, dict)
            else enumerate(item)
            if isinstance(item, list)
            else ()
        )
        for key, child in pairs:
            yield item, key
            stack.append(child)


def test_a_keras_archive_gives_its_optimizer_state() -> None:
    path = MODELS / "keras3-trained-adam.keras"
    with zipfile.ZipFile(path) as archive:
        config = json.loads(archive.read("config.json"))
        weights = archive.read("model.weights.h5")
    meta = read_hdf5(io.BytesIO(weights), len(weights))
    summary = keras_config.summary_from_config(config, datasets=meta.datasets)
    assert summary.params == 184
    assert summary.optimizer == 2 * 184 + 2  # Adam's two moments, its iteration and rate
    assert "Optimizer state (not parameters): 370 elements" in str(summary)


def test_frozen_layers_are_non_trainable() -> None:
    summary = from_keras_config((MODELS / "keras3-frozen-embedding.json").read_text())
    assert (summary.trainable_params, summary.non_trainable_params) == (825, 16_016)
    text = str(summary)
    assert "Trainable params: 825" in text
    assert "Non-trainable params: 16,016" in text
    assert "batch_normalization/moving_mean (tensor (8,))" in text
    data = summary.to_dict()
    assert (data["trainable_params"], data["non_trainable_params"]) == (825, 16_016)
    frozen = json.loads((MODELS / "keras3-nested-sequential.json").read_text())
    frozen["config"]["layers"][1]["config"]["trainable"] = False
    assert from_keras_config(frozen).non_trainable == 92


def test_output_shapes_in_every_rendering() -> None:
    summary = from_keras_config((MODELS / "keras3-lstm-layernorm-timedistributed.json").read_text())
    assert summary.output_shapes == ((None, 5, 4), (None, 5, 2))
    assert summary.classes == ("LSTM", "TimeDistributed(Dense)")
    text = str(summary)
    assert text.splitlines()[0].startswith("Layer (type)")
    assert "Output shape" in text
    assert "Output dim" not in text
    assert "time_distributed (TimeDistributed(Dense))  (None, 5, 2)" in text
    assert "| Output shape |" in summary.to_markdown()
    assert "Output shape" in summary.to_html()
    rows = summary.to_dict()["layers"]
    assert [row["output_shape"] for row in rows] == [[None, 5, 4], [None, 5, 2]]
    assert rows[1]["type"] == "TimeDistributed(Dense)"
    with_compute = Summary(
        summary.layers,
        summary.names,
        summary.dtype,
        seq_len=5,
        output_shapes=summary.output_shapes,
    )
    assert "Output shape" in str(with_compute)


def test_several_outputs_are_a_list_of_shapes() -> None:
    summary = from_keras_config(
        _model(
            "Bidirectional",
            {
                "merge_mode": None,
                "layer": {"class_name": "GRU", "config": {"units": 3, "return_sequences": True}},
            },
            [4, 2],
        )
    )
    assert summary.output_shapes == ([(None, 4, 3), (None, 4, 3)],)
    assert summary.layers[0].merge_mode is None
    assert summary.layers[0].returns_sequences is True
    assert summary.to_dict()["layers"][0]["output_shape"] == [[None, 4, 3], [None, 4, 3]]
    assert "[(None, 4, 3), (None, 4, 3)]" in str(summary)
    assert format_shape((3,)) == "(3,)"
    assert format_shape(None) == "?"
    unknown = Summary((LayerSpec("dense", 2, 3),), ("d",), summary.dtype, output_shapes=(None,))
    assert unknown.to_dict()["layers"][0]["output_shape"] is None


def test_peephole_cells_and_cudnn_layers() -> None:
    summary = from_keras_config((DATA / "files" / "tf_keras-rnn-peephole-cells.json").read_text())
    assert summary.params == 512_640
    assert all(spec.peepholes and spec.cell for spec in summary.layers)
    assert summary.names == ("rnn/cell_0", "rnn/cell_1")
    assert summary.output_shapes == ((None, 256), (None, 256))
    cudnn = from_keras_config(_model("CuDNNLSTM", {"units": 3}, [5, 2]))
    assert cudnn.layers[0].cudnn
    assert cudnn.params == LayerSpec("lstm", 3, 2, cudnn=True).params
    gru = from_keras_config(_model("CuDNNGRU", {"units": 3}, [5, 2]))
    assert gru.layers[0].params == LayerSpec("gru", 3, 2, cudnn=True).params


def _model(cls: str, config: dict[str, Any], shape: list[int | None]) -> dict[str, Any]:
    return {
        "class_name": "Sequential",
        "config": {
            "layers": [
                {"class_name": "InputLayer", "config": {"batch_shape": [None, *shape]}},
                {"class_name": cls, "config": {"name": "x", **config}},
            ]
        },
    }


LAYERS = [
    ("Conv1D", {"filters": 4, "kernel_size": 3}, [7, 2], 28, 0, (None, 5, 4)),
    (
        "Conv1D",
        {"filters": 4, "kernel_size": 3, "strides": 2, "padding": "same", "use_bias": False},
        [7, 2],
        24,
        0,
        (None, 4, 4),
    ),
    (
        "Conv1D",
        {"filters": 4, "kernel_size": 2, "padding": "causal", "dilation_rate": 2, "groups": 2},
        [None, 2],
        12,
        0,
        (None, None, 4),
    ),
    (
        "Conv2D",
        {"filters": 3, "kernel_size": [3, 2], "data_format": "channels_first"},
        [2, 6, 5],
        39,
        0,
        (None, 3, 4, 4),
    ),
    ("Conv3D", {"filters": 2, "kernel_size": 2}, [4, 4, 4, 1], 18, 0, (None, 3, 3, 3, 2)),
    (
        "Conv1DTranspose",
        {"filters": 3, "kernel_size": 3, "strides": 2},
        [5, 2],
        21,
        0,
        (None, 11, 3),
    ),
    (
        "Conv2DTranspose",
        {"filters": 3, "kernel_size": 2, "strides": 2, "padding": "same"},
        [3, 3, 2],
        27,
        0,
        (None, 6, 6, 3),
    ),
    (
        "SeparableConv1D",
        {"filters": 4, "kernel_size": 3, "depth_multiplier": 2},
        [6, 3],
        46,
        0,
        (None, 4, 4),
    ),
    (
        "SeparableConv2D",
        {"filters": 4, "kernel_size": 3, "padding": "same"},
        [5, 5, 3],
        43,
        0,
        (None, 5, 5, 4),
    ),
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 2}, [6, 3], 24, 0, (None, 4, 6)),
    ("DepthwiseConv2D", {"kernel_size": 3, "use_bias": False}, [5, 5, 3], 27, 0, (None, 3, 3, 3)),
    ("BatchNormalization", {"axis": 1}, [3, 5], 12, 6, (None, 3, 5)),
    ("BatchNormalization", {"center": False, "scale": False}, [3, 5], 10, 10, (None, 3, 5)),
    ("LayerNormalization", {"axis": [-2, -1]}, [3, 5], 30, 0, (None, 3, 5)),
    ("GroupNormalization", {"groups": 2}, [3, 4], 8, 0, (None, 3, 4)),
    ("MaxPooling1D", {"pool_size": 2}, [7, 3], 0, 0, (None, 3, 3)),
    (
        "AveragePooling2D",
        {"pool_size": 2, "padding": "same", "data_format": "channels_first"},
        [3, 5, 5],
        0,
        0,
        (None, 3, 3, 3),
    ),
    ("GlobalMaxPooling2D", {"keepdims": True}, [4, 4, 3], 0, 0, (None, 1, 1, 3)),
    ("GlobalAveragePooling1D", {"data_format": "channels_first"}, [4, 6], 0, 0, (None, 4)),
    ("Flatten", {}, [4, 3], 0, 0, (None, 12)),
    ("Flatten", {}, [None, 3], 0, 0, (None, None)),
    ("Reshape", {"target_shape": [2, 6]}, [4, 3], 0, 0, (None, 2, 6)),
    ("Permute", {"dims": [2, 1]}, [4, 3], 0, 0, (None, 3, 4)),
    ("RepeatVector", {"n": 3}, [4], 0, 0, (None, 3, 4)),
    ("Cropping1D", {"cropping": [1, 2]}, [6, 3], 0, 0, (None, 3, 3)),
    ("ZeroPadding1D", {"padding": 2}, [6, 3], 0, 0, (None, 10, 3)),
    ("UpSampling1D", {"size": 3}, [6, 3], 0, 0, (None, 18, 3)),
    ("Dropout", {"rate": 0.5}, [6, 3], 0, 0, (None, 6, 3)),
    (
        "SimpleRNN",
        {"units": 3, "return_sequences": True, "return_state": True},
        [6, 2],
        18,
        0,
        [(None, 6, 3), (None, 3)],
    ),
    ("LSTM", {"units": 3, "return_state": True}, [6, 2], 72, 0, [(None, 3), (None, 3), (None, 3)]),
    (
        "ConvLSTM1D",
        {"filters": 2, "kernel_size": 3, "return_sequences": True, "padding": "same"},
        [4, 6, 3],
        128,
        0,
        (None, 4, 6, 2),
    ),
    (
        "ConvLSTM1D",
        {"filters": 2, "kernel_size": 3, "return_state": True},
        [4, 6, 3],
        128,
        0,
        [(None, 4, 2), (None, 4, 2), (None, 4, 2)],
    ),
    ("Embedding", {"input_dim": 10, "output_dim": 3}, [5], 30, 0, (None, 5, 3)),
    ("Dense", {"units": 2}, [4, 3], 8, 0, (None, 4, 2)),
]


@pytest.mark.parametrize(("cls", "config", "shape", "params", "frozen", "out"), LAYERS)
def test_layers_count_as_keras_did(  # noqa: PLR0913, PLR0917
    cls: str,
    config: dict[str, Any],
    shape: list[int | None],
    params: int,
    frozen: int,
    out: object,
) -> None:
    summary, shapes = _read(_model(cls, config, shape))
    assert summary.complete
    assert (summary.params, summary.non_trainable) == (params, frozen)
    assert shapes["x"] == out


@pytest.mark.conformance
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.parametrize(("cls", "config", "shape", "params", "frozen", "out"), LAYERS)
def test_layers_as_keras_builds_them(  # noqa: PLR0913, PLR0917
    cls: str,
    config: dict[str, Any],
    shape: list[int | None],
    params: int,
    frozen: int,
    out: object,
) -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = frameworks.require("keras")
    layer = getattr(keras.layers, cls).from_config(config)
    keras.Sequential([keras.Input(shape), layer])
    found = layer.output
    shapes = [tuple(t.shape) for t in found] if isinstance(found, list | tuple) else found.shape
    frozen_sizes = [int(w.numpy().size) for w in layer.non_trainable_weights]
    assert (layer.count_params(), sum(frozen_sizes), shapes) == (params, frozen, out)


@pytest.mark.conformance
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_every_form_of_a_live_configuration() -> None:
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = frameworks.require("keras")
    inputs = keras.Input((6, 3))
    inner = keras.Sequential(
        [keras.Input((6, 3)), keras.layers.Conv1D(4, 3), keras.layers.BatchNormalization()],
        name="inner",
    )
    hidden = keras.layers.Bidirectional(keras.layers.LSTM(5, return_sequences=True))(inner(inputs))
    attended = keras.layers.MultiHeadAttention(2, 3)(hidden, hidden)
    outputs = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling1D()(attended))
    model = keras.Model(inputs, outputs)
    model.layers[1].trainable = False
    text = model.to_json()
    summary = from_keras_config(text)
    assert summary.complete
    assert summary.params == model.count_params()
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    assert summary.trainable_params == trainable
    assert from_keras_config(model.get_config()) == summary
    assert from_keras_config(keras.saving.serialize_keras_object(model)) == summary
    sequential = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    assert from_keras_config(sequential.get_config()).params == sequential.count_params()


def test_every_form_of_a_configuration() -> None:
    text = (MODELS / "keras3-nested-sequential.json").read_text()
    full = json.loads(text)
    summary = from_keras_config(full)
    assert summary.names == ("inner/lstm", "inner/dense", "dense_1")
    assert from_keras_config(full["config"]) == summary  # get_config(): no class_name

    def tuples(value: object) -> object:
        if isinstance(value, dict):
            return {key: tuples(item) for key, item in value.items()}
        return tuple(map(tuples, value)) if isinstance(value, list) else value

    assert from_keras_config(tuples(full)) == summary  # type: ignore[arg-type]
    sequential = json.loads((MODELS / "keras3-embedding-lstm-dense.json").read_text())
    assert from_keras_config(sequential["config"]).params == 184


def test_keras_2_first_layers_declare_the_input() -> None:
    layers = [
        {
            "class_name": "LSTM",
            "config": {"name": "lstm", "units": 40, "batch_input_shape": [None, 10, 8]},
        },
        {"class_name": "Dense", "config": {"name": "dense", "units": 1}},
    ]
    model: dict[str, Any] = {"class_name": "Sequential", "config": {"name": "s", "layers": layers}}
    assert from_keras_config(model).params == 7_840 + 41
    layers[0]["config"] = {"name": "lstm", "units": 40, "input_shape": [10, 8]}
    summary = from_keras_config(model)
    assert summary.params == 7_881
    assert summary.output_shapes == ((None, 40), (None, 1))
    embedding = {"name": "e", "input_dim": 10, "output_dim": 3, "input_length": 4}
    model["config"]["layers"] = [{"class_name": "Embedding", "config": embedding}]
    assert from_keras_config(model).output_shapes == ((None, 4, 3),)
    embedding["input_length"] = -1
    assert from_keras_config(model).output_shapes == (None,)


def test_custom_layers_count_from_the_weights_file() -> None:
    model = _model("MyLayer", {}, [4, 3])
    assert from_keras_config(model).uncounted == (
        ("x", "MyLayer", "lstm_params does not count this layer"),
    )
    datasets = (
        Dataset("model_weights/x/x/kernel:0", (3, 5), "float32"),
        Dataset("model_weights/other/w", (2,), "float32"),
        Dataset("optimizer_weights/iteration:0", (), "int64"),
    )
    summary = keras_config.summary_from_config(model, datasets=datasets)
    assert summary.complete
    assert summary.params == 15
    assert summary.tensors == (Weight("x/x/kernel:0", (3, 5)),)
    assert summary.warnings == ("x (MyLayer): counted from the weights file's tensors",)
    assert "Warning: x (MyLayer): counted from" in str(summary)
    assert summary.to_dict()["warnings"] == list(summary.warnings)
    assert summary.optimizer == 1
    model["config"]["layers"][1]["config"]["trainable"] = False
    keras3 = (
        Dataset("layers/my_layer/vars/0", (3, 5), "float32"),
        Dataset("layers/dense/vars/0", (3, 5), "float32"),
    )
    assert keras_config.summary_from_config(model, datasets=keras3).non_trainable == 15
    unknown = _model("Dense", {"units": 2}, [4, None])
    assert keras_config.summary_from_config(unknown, datasets=keras3).params == 15


@pytest.mark.parametrize(
    ("name", "weights", "names"),
    [
        ("keras3-nested-sequential.keras", "model.weights.h5", ("inner/dense", "dense_1")),
        ("tf_keras-nested-sequential.h5", None, ()),  # no build_config: widths unknown after
    ],
)
def test_a_custom_layer_in_a_nested_model_counts_from_the_file(
    name: str, weights: str | None, names: tuple[str, ...]
) -> None:
    path = MODELS / name
    if weights is None:
        with path.open("rb") as stream:
            meta = read_hdf5(stream, path.stat().st_size)
        config = json.loads(str(meta.attributes["model_config"]))
    else:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
            data = archive.read(weights)
        meta = read_hdf5(io.BytesIO(data), len(data))
    inner = config["config"]["layers"][1]["config"]["layers"]
    inner[1]["class_name"] = "Lstm"  # a custom class, saved where Keras saves an LSTM
    summary = keras_config.summary_from_config(config, datasets=meta.datasets)
    assert summary.complete
    assert summary.params == 95
    assert summary.names == names
    assert len(summary.tensors) == 3 + 2 * (2 - len(names))
    assert summary.warnings[0] == "inner/lstm (Lstm): counted from the weights file's tensors"
    assert len(summary.warnings) == 3 - len(names)
    assert not keras_config.summary_from_config(config).complete


def test_layers_past_the_limit_in_nested_models(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_safe, "MAX_LAYERS", 3)
    nested = json.loads((MODELS / "keras3-nested-sequential.json").read_text())
    with pytest.raises(InvalidSpecError, match="the model has 4 layers and cells"):
        from_keras_config(nested)


def test_shared_layers_count_once() -> None:
    summary, shapes = _read(json.loads((MODELS / "tf_keras-shared-lstm.json").read_text()))
    assert summary.names == ("shared", "dense")
    assert shapes["concatenate"] == (None, 4)


@pytest.mark.parametrize(
    ("cls", "config", "shape", "params", "out", "complete"),
    [
        ("Lambda", {}, [4, 3], 0, None, True),
        ("Permute", {"dims": [1, 1]}, [4, 3], 0, None, True),
        ("Permute", {"dims": [1, [2]]}, [4, 3], 0, None, True),
        ("Cropping1D", {"cropping": [1, "a"]}, [6, 3], 0, None, True),
        ("Cropping1D", {"cropping": 4}, [6, 3], 0, None, True),
        ("Cropping1D", {"cropping": [1, 2, 3]}, [6, 3], 0, None, True),
        ("MaxPooling2D", {}, [6, 3], 0, None, True),
        ("Add", {}, [], 0, (None,), True),
        ("GlobalAveragePooling1D", {"data_format": "channels_first"}, [], 0, None, True),
        ("Conv2D", {"filters": 2, "kernel_size": 1}, [4, 3], 0, None, False),
        ("Conv1D", {"filters": 2, "kernel_size": 1}, [4, None], 0, None, False),
        ("BatchNormalization", {}, [4, None], 0, None, False),
        ("ConvLSTM2D", {"filters": 2, "kernel_size": 1}, [4, 3, 2], 40, None, True),
        ("Attention", {}, [], 0, None, False),
        ("Dense", {"units": 2}, [], 0, None, False),
        ("RNN", {}, [4, 3], 0, None, False),
        (
            "TimeDistributed",
            {"layer": {"class_name": "Dense", "config": {"units": 2}}},
            [],
            0,
            None,
            False,
        ),
        (
            "TimeDistributed",
            {"layer": {"class_name": "LSTM", "config": {"units": 1, "return_state": True}}},
            [3, 4, 2],
            16,
            [(None, 3, 1), (None, 3, 1), (None, 3, 1)],
            True,
        ),
        # worked out by hand from Keras 3.15's build(): these take two inputs
        (
            "MultiHeadAttention",
            {"num_heads": 2, "key_dim": 2, "output_shape": [3, 2], "use_bias": False},
            [4, 3],
            60,
            (None, 4, 3, 2),
            True,
        ),
        (
            "MultiHeadAttention",
            {"num_heads": 2, "key_dim": 2, "value_dim": 3, "output_shape": 5},
            [4, 3],
            91,
            (None, 4, 5),
            True,
        ),
        ("AdditiveAttention", {"use_scale": False}, [4, 3], 0, (None, 4, 3), True),
        ("AdditiveAttention", {}, [4, 3], 3, (None, 4, 3), True),
        ("Attention", {"use_scale": True, "score_mode": "concat"}, [4, 3], 2, (None, 4, 3), True),
    ],
)
def test_layers_the_reader_cannot_shape_or_count(  # noqa: PLR0913, PLR0917
    cls: str,
    config: dict[str, Any],
    shape: list[int | None],
    params: int,
    out: object,
    complete: bool,  # noqa: FBT001
) -> None:
    summary, shapes = _read(_model(cls, config, shape))
    assert (summary.params, shapes["x"], summary.complete) == (params, out, complete)


def test_functional_inputs_in_every_form() -> None:
    def layer(name: str, cls: str, nodes: list[object], **config: object) -> dict[str, Any]:
        return {"class_name": cls, "config": {"name": name, **config}, "inbound_nodes": nodes}

    def keras3(*names: str) -> dict[str, Any]:
        return {"config": {"keras_history": [names[0], 0, 0]}} if len(names) == 1 else {}

    source = layer("in", "InputLayer", [], batch_shape=[None, 4, 3])
    layers = [
        source,
        layer("a", "Dense", [{"args": [[keras3("in"), keras3("in"), 7]]}], units=2),
        layer("cat", "Concatenate", [{"args": [[keras3("in"), keras3("in")]]}]),
        layer("b", "Dense", [{"args": [keras3("cat")]}], units=1),
        layer("c", "Dense", [[["cat", 5, 0, {}]]], units=1),
        layer("d", "Dense", [[["b", 0, 3, {}]]], units=1),
        layer("e", "Dense", [[["b"]]], units=1),
        layer("f", "Dense", [{"args": ["?"]}], units=1),
        layer("g", "Dense", [7], units=1),
        layer("h", "Concatenate", [[["in", 0, 0, {}], ["in", 0, 0, {}]]], axis=5),
        layer("i", "Concatenate", [[["in", 0, 0, {}], ["g", 0, 0, {}]]]),
        layer("j", "Add", [[["in", 0, 0, {}], ["g", 0, 0, {}]]]),
        layer("k", "Flatten", [[["in", 0, 0, {}], ["g", 0, 0, {}]]]),
        layer("r", "GRU", [[["in", 0, 0, {}]]], units=2, return_state=True),
        layer("s", "Dense", [[["r", 0, 1, {}]]], units=1),
        layer("t", "Dense", [[["r", 0, 9, {}]]], units=1),
        layer("h2", "Concatenate", [[["in", 0, 0, {}], ["cat", 0, 0, {}], ["s", 0, 0, {}]]]),
    ]
    functional = {
        "class_name": "Functional",
        "config": {"layers": layers, "output_layers": ["e", 0, 0]},
    }
    summary, shapes = _read(functional)
    assert shapes["cat"] == (None, 4, 6)
    assert [shapes[name] for name in "hijk"] == [None, None, (None, 4, 3), None]
    assert shapes["h2"] is None  # ranks 3, 3 and 2
    assert [name for name, _, _ in summary.uncounted] == ["a", "f", "g", "t"]
    assert [spec.input_dim for spec in summary.layers] == [6, 6, 1, 1, 3, 2]
    reader = keras_config._Reader(  # noqa: SLF001
        ()
    )
    reader.model(
        functional | {"config": {"layers": layers, "output_layers": [["b", 0, 0], ["c", 0, 0]]}}
    )
    outer = {
        "class_name": "Functional",
        "config": {
            "layers": [
                source,
                layer(
                    "m",
                    "Functional",
                    [[["in", 0, 0, {}]]],
                    layers=layers[:3],
                    output_layers=[["a", 0, 0], ["cat", 0, 0]],
                ),
                layer(
                    "n", "Functional", [[["in", 0, 0, {}]]], layers=layers[:3], output_layers="?"
                ),
            ]
        },
    }
    summary, shapes = _read(outer)
    assert shapes["m"] == [None, (None, 4, 6)]
    assert shapes["n"] == (None, 4, 6)


@pytest.mark.parametrize(
    ("model", "match"),
    [
        (
            _model("Conv1D", {"filters": 2, "kernel_size": [1, 2]}, [4, 3]),
            "'kernel_size' must be 1 positive",
        ),
        (
            _model("Conv1D", {"filters": 0, "kernel_size": 1}, [4, 3]),
            "'filters' must be a positive integer, got 0",
        ),
        (_model("BatchNormalization", {"axis": 4}, [4, 3]), "'axis' 4 is not an axis of"),
        (_model("Dense", {"units": 2}, ["x", 4]), "a shape must hold sizes or null"),  # type: ignore[list-item]
        (_model("Dense", {"units": 2, "build_config": 3}, [4, 3]) | {}, None),
        (
            _model(
                "Bidirectional",
                {"merge_mode": "max", "layer": {"class_name": "LSTM", "config": {"units": 2}}},
                [4, 3],
            ),
            "'merge_mode' 'max' is not",
        ),
        (
            {
                "class_name": "Sequential",
                "config": {
                    "layers": [
                        {
                            "class_name": "Dense",
                            "config": {"units": 1},
                            "build_config": {"input_shape": 5},
                        }
                    ]
                },
            },
            None,
        ),
        (
            {
                "class_name": "Sequential",
                "config": {"build_input_shape": [None, -1, 3], "layers": []},
            },
            "a shape must hold sizes or null",
        ),
        (_model("Reshape", {"target_shape": 5}, [4, 3]), "a shape must be a list, got 5"),
        (
            {
                "class_name": "Sequential",
                "config": {
                    "layers": [
                        {
                            "class_name": "ConvLSTM2D",
                            "config": {
                                "filters": 2,
                                "kernel_size": 1,
                                "data_format": "channels_first",
                            },
                            "build_config": {"input_shape": [None, None, 0, 6, 6]},
                        }
                    ]
                },
            },
            "a shape must end in a positive integer or null",
        ),
    ],
)
def test_wrong_values(model: dict[str, Any], match: str | None) -> None:
    if match is None:
        from_keras_config(model)
        return
    with pytest.raises(InvalidSpecError, match=match):
        from_keras_config(model)


def test_nesting_and_counts_past_the_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    model: dict[str, Any] = {"class_name": "Sequential", "config": {"name": "m", "layers": []}}
    for _ in range(_safe.MAX_WRAPPERS + 1):
        model = {"class_name": "Sequential", "config": {"name": "m", "layers": [model]}}
    with pytest.raises(InvalidSpecError, match="models nested more than 32 deep"):
        from_keras_config(model)
    monkeypatch.setattr(_safe, "MAX_TENSORS", 1)
    with pytest.raises(InvalidSpecError, match="2 tensors, more than the 1 read"):
        from_keras_config(_model("Conv1D", {"filters": 2, "kernel_size": 1}, [4, 3]))
    datasets = (
        Dataset("layers/mine/vars/0", (1,), "float32"),
        Dataset("layers/mine/vars/1", (1,), "float32"),
    )
    with pytest.raises(InvalidSpecError, match="2 tensors, more than the 1 read"):
        keras_config.summary_from_config(_model("Mine", {}, [3]), datasets=datasets)


def test_summary_notes_for_the_other_readers() -> None:
    summary = Summary(
        (LayerSpec("dense", 2, 3),),
        ("d",),
        LayerSpec("dense", 2, 3).params and "float32",  # type: ignore[arg-type]
        buffer_tensors=(Weight("bn.running_mean", (4,)),),
        uncounted=(("x", "X", "why"),),
    )
    text = str(summary)
    assert "Buffers (not parameters): 4 elements" in text
    assert "(partial: the layers not counted are left out)" in text
    assert summary.to_dict()["buffer_tensors"] == [
        {"name": "bn.running_mean", "shape": [4], "size": 4}
    ]
    assert summary.buffers == 4
