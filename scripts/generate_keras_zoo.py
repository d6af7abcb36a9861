"""Write ``tests/data/models/``: real Keras model files and what Keras and h5py say of them.

Each family of small models (units 2 to 16, so the files stay small) is built and
saved by the framework itself; ``tests/data/models/index.json`` records, per file,
what Keras reports (``count_params()``, the trainable and non-trainable sums, each
layer's name, class, count and output shape) and what h5py sees in the HDF5 files
(every dataset's path, shape and dtype; the root's and each group's attributes).
Nothing here computes a count; lstm_params is not imported.

Two groups, each in the virtual environment that has its framework
(``scripts/regenerate_golden.sh`` makes them)::

    KERAS_BACKEND=torch python scripts/generate_keras_zoo.py keras3     # keras 3.15.1, torch
    TF_USE_LEGACY_KERAS=1 python scripts/generate_keras_zoo.py tf_keras  # tf-keras 2.21

Keras 3 writes ``.keras`` (whose ``model.weights.h5`` is recorded as the member
``<file>.keras/model.weights.h5``), legacy ``.h5``, ``.weights.h5`` and
``to_json()``; tf.keras writes ``.h5`` and ``to_json()``.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import zipfile
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "tests" / "data" / "models"
INDEX = MODELS / "index.json"
SHORT = 200  # attribute strings longer than this are recorded as their length and sha256
SEED = 12

Record = dict[str, Any]


def _embedding_lstm_dense(k: Any) -> Any:  # noqa: ANN401
    return k.Sequential(
        [
            k.Input((5,), dtype="int32"),
            k.layers.Embedding(20, 4),
            k.layers.LSTM(3),
            k.layers.Dense(2),
        ]
    )


def _bigru_sum(k: Any) -> Any:  # noqa: ANN401
    return k.Sequential(
        [
            k.Input((5, 3)),
            k.layers.Bidirectional(k.layers.GRU(4), merge_mode="sum"),
            k.layers.Dense(1),
        ]
    )


def _conv1d_batchnorm_gru(k: Any) -> Any:  # noqa: ANN401
    return k.Sequential(
        [
            k.Input((8, 3)),
            k.layers.Conv1D(4, 3),
            k.layers.BatchNormalization(),
            k.layers.GRU(3),
        ]
    )


def _convlstm2d_batchnorm(k: Any) -> Any:  # noqa: ANN401
    return k.Sequential(
        [
            k.Input((3, 6, 6, 2)),
            k.layers.ConvLSTM2D(2, (3, 3), return_sequences=True),
            k.layers.BatchNormalization(),
        ]
    )


def _lstm_layernorm_timedistributed(k: Any) -> Any:  # noqa: ANN401
    return k.Sequential(
        [
            k.Input((5, 3)),
            k.layers.LSTM(4, return_sequences=True),
            k.layers.LayerNormalization(),
            k.layers.TimeDistributed(k.layers.Dense(2)),
        ]
    )


def _lstm_attention(k: Any) -> Any:  # noqa: ANN401
    inputs = k.Input((6, 3))
    sequences = k.layers.LSTM(4, return_sequences=True)(inputs)
    attended = k.layers.MultiHeadAttention(num_heads=2, key_dim=2)(sequences, sequences)
    mixed = k.layers.Attention()([sequences, attended])
    pooled = k.layers.GlobalAveragePooling1D()(mixed)
    return k.Model(inputs, k.layers.Dense(1)(pooled))


def _nested_sequential(k: Any) -> Any:  # noqa: ANN401
    inner = k.Sequential([k.Input((5, 3)), k.layers.LSTM(3), k.layers.Dense(2)], name="inner")
    inputs = k.Input((5, 3))
    return k.Model(inputs, k.layers.Dense(1)(inner(inputs)))


def _shared_lstm(k: Any) -> Any:  # noqa: ANN401
    left, right = k.Input((4, 3)), k.Input((4, 3))
    shared = k.layers.LSTM(2, name="shared")
    joined = k.layers.Concatenate()([shared(left), shared(right)])
    return k.Model([left, right], k.layers.Dense(1)(joined))


def _frozen_embedding(k: Any) -> Any:  # noqa: ANN401
    return k.Sequential(
        [
            k.Input((10,), dtype="int32"),
            k.layers.Embedding(1000, 16, trainable=False),
            k.layers.LSTM(8),
            k.layers.BatchNormalization(),
            k.layers.Dense(1),
        ]
    )


def _trained(k: Any) -> Any:  # noqa: ANN401
    import numpy as np

    model = k.Sequential(
        [
            k.Input((5,), dtype="int32"),
            k.layers.Embedding(20, 4),
            k.layers.LSTM(3),
            k.layers.Dense(2),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(SEED)
    x, y = rng.integers(0, 20, (4, 5)), rng.normal(size=(4, 2)).astype("float32")
    model.fit(x, y, batch_size=4, epochs=1, verbose=0)
    return model


#: the models, by family name; each builder takes ``keras`` or ``tf_keras``
FAMILIES: dict[str, Callable[[Any], Any]] = {
    "embedding-lstm-dense": _embedding_lstm_dense,
    "bigru-sum-dense": _bigru_sum,
    "conv1d-batchnorm-gru": _conv1d_batchnorm_gru,
    "convlstm2d-batchnorm": _convlstm2d_batchnorm,
    "lstm-layernorm-timedistributed": _lstm_layernorm_timedistributed,
    "lstm-attention": _lstm_attention,
    "nested-sequential": _nested_sequential,
    "shared-lstm": _shared_lstm,
    "frozen-embedding": _frozen_embedding,
    "trained-adam": _trained,
}


def _shape(tensor: Any) -> Any:  # noqa: ANN401
    if isinstance(tensor, list | tuple):
        return [_shape(t) for t in tensor]
    shape = tensor.shape
    sizes = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    return [None if s is None else int(s) for s in sizes]


def _output_shape(layer: Any) -> Any:  # noqa: ANN401
    try:
        return _shape(layer.output)
    except (AttributeError, ValueError, RuntimeError):  # a layer called more than once
        return [_shape(node.output_tensors) for node in layer._inbound_nodes]  # noqa: SLF001


def _size(weights: list[Any]) -> int:
    import numpy as np

    return int(sum(np.prod(tuple(w.shape)) for w in weights))


def _model(model: Any) -> Record:  # noqa: ANN401
    return {
        "class_name": type(model).__name__,
        "count_params": int(model.count_params()),
        "trainable": _size(model.trainable_weights),
        "non_trainable": _size(model.non_trainable_weights),
        "layers": [
            {
                "name": layer.name,
                "class_name": type(layer).__name__,
                "count_params": int(layer.count_params()),
                "output_shape": _output_shape(layer),
            }
            for layer in model.layers
        ],
    }


def _value(value: Any) -> Any:  # noqa: ANN401
    """An attribute as JSON: strings (long ones as length and hash), lists, numbers."""
    import numpy as np

    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str):
        if len(value) <= SHORT:
            return value
        return {"length": len(value), "sha256": hashlib.sha256(value.encode()).hexdigest()}
    if isinstance(value, np.ndarray):
        return [_value(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _hdf5(content: bytes) -> Record:
    """What h5py sees: datasets, the root's attributes, each group's attributes."""
    import h5py  # type: ignore[import-untyped,import-not-found,unused-ignore]

    datasets: list[list[Any]] = []
    groups: dict[str, Record] = {}

    def visit(path: str, item: Any) -> None:  # noqa: ANN401
        if isinstance(item, h5py.Dataset):
            dtype = "string" if h5py.check_string_dtype(item.dtype) else str(item.dtype)
            datasets.append([path, list(item.shape), dtype])
        elif item.attrs:
            groups[path] = {name: _value(item.attrs[name]) for name in sorted(item.attrs)}

    with h5py.File(io.BytesIO(content), "r") as file:
        file.visititems(visit)
        root = {name: _value(file.attrs[name]) for name in sorted(file.attrs)}
        config = file.attrs.get("model_config")
    record: Record = {"datasets": datasets, "attributes": root, "group_attributes": groups}
    if config is not None:
        text = config.decode() if isinstance(config, bytes) else config
        record["model_config_class_name"] = json.loads(text)["class_name"]
    return record


def _save(group: str, k: Any, name: str, model: Any) -> dict[str, Record]:  # noqa: ANN401
    stem = f"{group}-{name}"
    model_record = _model(model)
    versions = {"keras": k.__version__}
    records: dict[str, Record] = {}
    suffixes = [".keras", ".h5", ".weights.h5", ".json"] if group == "keras3" else [".h5", ".json"]
    for suffix in suffixes:
        path = MODELS / f"{stem}{suffix}"
        if suffix == ".json":
            config = model.to_json()
            path.write_text(config)
            record: Record = {"format": "to_json", "class_name": json.loads(config)["class_name"]}
        elif suffix == ".weights.h5":
            model.save_weights(path)
            record = {"format": "weights.h5", **_hdf5(path.read_bytes())}
        elif suffix == ".h5":
            model.save(path)
            record = {"format": "h5", **_hdf5(path.read_bytes())}
        else:
            model.save(path)
            with zipfile.ZipFile(path) as archive:
                inner = archive.read("model.weights.h5")
                members = sorted(archive.namelist())
            record = {"format": "keras", "members": members}
            records[f"{stem}{suffix}/model.weights.h5"] = {
                "format": "keras-weights.h5",
                **versions,
                "model": model_record,
                **_hdf5(inner),
            }
        records[path.name] = {**record, **versions, "model": model_record}
    return records


def main() -> None:
    """Build one group's models, save them, and merge their records into the index."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("group", choices=["keras3", "tf_keras"])
    group = parser.parse_args().group
    if group == "keras3":
        import keras as k

        packages = ["keras", "torch", "h5py"]
    else:
        import tf_keras as k

        packages = ["tf-keras", "tensorflow-cpu", "h5py"]
    MODELS.mkdir(parents=True, exist_ok=True)
    index = json.loads(INDEX.read_text()) if INDEX.exists() else {"groups": {}, "files": {}}
    index["files"] = {f: r for f, r in index["files"].items() if not f.startswith(f"{group}-")}
    for name, build in FAMILIES.items():
        k.backend.clear_session()  # layer names restart from "lstm", "dense", ...
        k.utils.set_random_seed(SEED)
        records = _save(group, k, name, build(k))
        index["files"].update(records)
        print(f"{group}-{name}: {', '.join(records)}")
    index["groups"][group] = {
        "generator": "scripts/generate_keras_zoo.py",
        "versions": {p: version(p) for p in packages},
    }
    index["files"] = dict(sorted(index["files"].items()))
    INDEX.write_text(json.dumps(index, indent=1) + "\n")


if __name__ == "__main__":
    main()
