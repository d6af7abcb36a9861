"""Build layers in the real frameworks and report what they say.

Shared by ``scripts/generate_golden.py`` (which writes ``tests/data/golden``) and
the live conformance tests. Every builder takes the keyword arguments of a
``LayerSpec`` as a plain dict, builds the layer in its framework, and returns a
record of what the framework itself reports: its total parameter count and every
tensor's name and shape, in its own order. Nothing here uses lstm_params.
"""

from __future__ import annotations

import io
import math
import os
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import random
    from collections.abc import Callable
    from types import ModuleType

Spec = dict[str, Any]
Record = dict[str, Any]

#: frameworks CI installs (``LSTM_PARAMS_REQUIRE``, comma-separated import names): a test
#: that needs one fails when it is missing, where elsewhere it skips
REQUIRED = {name for name in os.environ.get("LSTM_PARAMS_REQUIRE", "").split(",") if name}


def require(module: str) -> ModuleType:
    """Import ``module`` for a live test: skip when it is missing, unless it is required."""
    import importlib

    import pytest

    if module in REQUIRED:
        return importlib.import_module(module)
    found: ModuleType = pytest.importorskip(module)
    return found


# --------------------------------------------------------------------- specs
KINDS = {
    "keras": ("lstm", "gru", "rnn", "convlstm"),
    "pytorch": ("lstm", "gru", "rnn"),
    "onnx": ("lstm", "gru", "rnn"),
    "tensorflow-v1": ("lstm", "gru", "rnn"),
    "flax-linen": ("lstm", "gru", "rnn", "convlstm"),
    "flax-nnx": ("lstm", "gru", "rnn"),
}


def size(rng: random.Random, largest: int) -> int:
    """Log-uniform from 1 to ``largest``: small and large sizes alike."""
    return max(1, min(largest, round(math.exp(rng.uniform(0, math.log(largest))))))


def random_feedforward_spec(framework: str, rng: random.Random, largest: int) -> Spec:
    """A random dense or embedding layer."""
    kind = rng.choice(["dense", "embedding"])
    spec: Spec = {"kind": kind, "num_units": size(rng, largest), "input_dim": size(rng, largest)}
    if kind == "dense" and rng.random() < 0.3:
        spec["bias"] = False
    return {**spec, "framework": framework}


def random_spec(framework: str, rng: random.Random, largest: int) -> Spec:
    """One random valid description of a layer the framework has."""
    kind = rng.choice(KINDS[framework])
    spec: Spec = {"kind": kind, "framework": framework}
    if kind == "convlstm":
        rank = rng.randint(1, 3)
        spec["kernel_size"] = [rng.randint(1, 5) for _ in range(rank)]
        spec["num_units"] = size(rng, min(largest, 256))
        spec["input_dim"] = size(rng, min(largest, 256))
    else:
        spec["num_units"] = size(rng, largest)
        spec["input_dim"] = size(rng, largest)
    stacks = framework not in {"tensorflow-v1", "flax-nnx"}
    if stacks and rng.random() < 0.4:
        spec["bidirectional"] = True
    if stacks and rng.random() < 0.4:
        spec["num_layers"] = rng.randint(2, 4)
    optional_bias = framework in {"keras", "pytorch", "onnx"} or (
        framework == "flax-linen" and kind == "convlstm"
    )
    if optional_bias and rng.random() < 0.3:
        spec["bias"] = False
    if kind == "gru" and framework == "keras":
        spec["reset_after"] = rng.random() < 0.5
    projects = framework in {"pytorch", "tensorflow-v1"} and kind == "lstm"
    if projects and rng.random() < 0.4 and spec["num_units"] > 1:
        spec["proj_size"] = rng.randint(1, spec["num_units"] - 1)
    if kind == "lstm" and framework == "tensorflow-v1" and rng.random() < 0.5:
        spec["peepholes"] = True
    return spec


# ------------------------------------------------------------------- pytorch
def torch_module(spec: Spec, *, device: str = "meta") -> Any:  # noqa: ANN401
    """``nn.LSTM``, ``nn.GRU``, ``nn.RNN``, ``nn.Linear`` or ``nn.Embedding`` from ``spec``."""
    from torch import nn

    if spec["kind"] == "dense":
        bias = spec.get("bias", True)
        return nn.Linear(spec["input_dim"], spec["num_units"], bias=bias, device=device)
    if spec["kind"] == "embedding":
        return nn.Embedding(spec["input_dim"], spec["num_units"], device=device)
    cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[spec["kind"]]
    kwargs: dict[str, Any] = {
        "input_size": spec["input_dim"],
        "hidden_size": spec["num_units"],
        "num_layers": spec.get("num_layers", 1),
        "bias": spec.get("bias", True),
        "bidirectional": spec.get("bidirectional", False),
        "device": device,
    }
    if spec.get("proj_size"):
        kwargs["proj_size"] = spec["proj_size"]
    return cls(**kwargs)


def build_pytorch(spec: Spec) -> Record:
    """What ``named_parameters()`` reports for the module (on the meta device)."""
    module = torch_module(spec)
    return {
        "source": f"torch.nn.{type(module).__name__}",
        "params": sum(p.numel() for p in module.parameters()),
        "weights": [[name, list(p.shape)] for name, p in module.named_parameters()],
    }


def fits_a_cell(spec: Spec) -> bool:
    """Whether ``spec`` is one layer, one direction, without projection: a ``*Cell``."""
    return not (spec.get("num_layers", 1) > 1 or spec.get("bidirectional") or spec.get("proj_size"))


def build_pytorch_cell(spec: Spec) -> Record:
    """``nn.LSTMCell``, ``nn.GRUCell`` or ``nn.RNNCell`` (one layer, one direction)."""
    from torch import nn

    cls = {"lstm": nn.LSTMCell, "gru": nn.GRUCell, "rnn": nn.RNNCell}[spec["kind"]]
    cell = cls(spec["input_dim"], spec["num_units"], bias=spec.get("bias", True), device="meta")
    return {
        "source": f"torch.nn.{cls.__name__}",
        "params": sum(p.numel() for p in cell.parameters()),
        "weights": [[name, list(p.shape)] for name, p in cell.named_parameters()],
    }


# ---------------------------------------------------------------------- onnx
def build_onnx(spec: Spec) -> Record:
    """Export the torch module with ``torch.onnx.export(dynamo=False)``; read W, R, B, P."""
    import onnx
    import torch

    module = torch_module(spec, device="cpu")
    buffer = io.BytesIO()
    sample = torch.zeros(2, 1, spec["input_dim"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, (sample,), buffer, dynamo=False)
    model = onnx.load_from_string(buffer.getvalue())
    shapes = {init.name: list(init.dims) for init in model.graph.initializer}
    roles = {1: "W", 2: "R", 3: "B", 7: "P"}
    nodes = [n for n in model.graph.node if n.op_type in {"LSTM", "GRU", "RNN"}]
    weights = [
        [f"{node.name}/{role}", shapes[node.input[index]]]
        for node in nodes
        for index, role in roles.items()
        if index < len(node.input) and node.input[index] in shapes
    ]
    return {
        "source": "torch.onnx.export(dynamo=False)",
        "ops": [n.op_type for n in nodes],
        "params": sum(math.prod(shape) for shape in shapes.values()),
        "weights": weights,
    }


def build_onnx_node(spec: Spec) -> Record:
    """One ONNX ``LSTM``/``GRU``/``RNN`` node, run by ONNX's reference implementation.

    For what no exporter writes: an LSTM's peephole input P (PyTorch has no
    peepholes) and a GRU with ``linear_before_reset=0`` (``reset_after=False``).
    The node is built from the operator's documented inputs, checked by
    ``onnx.checker`` with shape inference, and run by
    ``onnx.reference.ReferenceEvaluator``, which refuses inputs of other shapes
    (a P of ``[D, 4H]``, ``[D, 2H]`` or ``[3H]`` fails there).
    """
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    from onnx.reference import ReferenceEvaluator

    if spec.get("num_layers", 1) != 1:
        msg = f"one node only: {spec}"
        raise ValueError(msg)
    units, inputs = spec["num_units"], spec["input_dim"]
    directions = 2 if spec.get("bidirectional") else 1
    op, rows = {"lstm": ("LSTM", 4), "gru": ("GRU", 3), "rnn": ("RNN", 1)}[spec["kind"]]
    tensors = {
        "W": (directions, rows * units, inputs),
        "R": (directions, rows * units, units),
        "B": (directions, 2 * rows * units),
    }
    if not spec.get("bias", True):
        del tensors["B"]
    names = ["X", "W", "R", "B" if "B" in tensors else ""]
    if spec.get("peepholes"):
        tensors["P"] = (directions, 3 * units)
        names += ["", "", "", "P"]
    attributes: dict[str, Any] = {}
    if op == "GRU":
        attributes["linear_before_reset"] = int(spec.get("reset_after", True))
    node = helper.make_node(
        op,
        names,
        ["Y"],
        hidden_size=units,
        direction="bidirectional" if directions == 2 else "forward",
        **attributes,
    )
    graph = helper.make_graph(
        [node],
        "recurrent",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, [2, 1, inputs])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, directions, 1, units])],
        [numpy_helper.from_array(np.zeros(s, np.float32), n) for n, s in tensors.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)])
    onnx.checker.check_model(model, full_check=True)
    (output,) = ReferenceEvaluator(model).run(None, {"X": np.ones((2, 1, inputs), np.float32)})
    assert output.shape == (2, directions, 1, units)
    shapes = {i.name: list(i.dims) for i in model.graph.initializer}
    return {
        "source": f"onnx.reference.ReferenceEvaluator (onnx {onnx.__version__})",
        "ops": [op],
        "params": sum(math.prod(shape) for shape in shapes.values()),
        "weights": [[f"/{op}/{name}", shape] for name, shape in shapes.items()],
    }


# --------------------------------------------------------------------- keras
def _keras_layers(keras: Any, spec: Spec, *, sequences: bool = False) -> list[Any]:  # noqa: ANN401
    """The layers of a Keras model for ``spec`` (a stack of ``num_layers``).

    With ``sequences``, the last recurrent layer returns sequences too, for a next one.
    """
    layers = keras.layers
    kind, units = spec["kind"], spec["num_units"]
    count = spec.get("num_layers", 1)
    if kind == "dense":
        return [layers.Dense(units, use_bias=spec.get("bias", True))]
    if kind == "embedding":
        return [layers.Embedding(spec["input_dim"], units)]
    built = []
    for index in range(count):
        common: dict[str, Any] = {
            "use_bias": spec.get("bias", True),
            "return_sequences": sequences or index < count - 1,
            "kernel_initializer": "zeros",
            "recurrent_initializer": "zeros",
        }
        if kind == "lstm":
            layer = layers.LSTM(units, **common)
        elif kind == "gru":
            layer = layers.GRU(units, reset_after=spec.get("reset_after", True), **common)
        elif kind == "rnn":
            layer = layers.SimpleRNN(units, **common)
        else:
            rank = len(spec["kernel_size"])
            cls = getattr(layers, f"ConvLSTM{rank}D")
            layer = cls(units, tuple(spec["kernel_size"]), padding="same", **common)
        if spec.get("bidirectional"):
            layer = layers.Bidirectional(layer)
        built.append(layer)
    return built


def _keras_input_shape(spec: Spec) -> tuple[int | None, ...]:
    if spec["kind"] == "dense":
        return (spec["input_dim"],)
    if spec["kind"] == "embedding":
        return (None,)
    if spec["kind"] == "convlstm":
        return (None, *spec["kernel_size"], spec["input_dim"])
    return (None, spec["input_dim"])


def _keras_record(keras: Any, spec: Spec, source: str) -> Record:  # noqa: ANN401
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input(_keras_input_shape(spec)), *_keras_layers(keras, spec)])
    weights = []
    for weight in model.weights:
        name = getattr(weight, "path", None) or weight.name
        weights.append([name, [int(d) for d in weight.shape]])
    return {"source": source, "params": int(model.count_params()), "weights": weights}


def build_keras(spec: Spec) -> Record:
    """Keras 3 on the torch backend, on the meta device (shapes only)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    with keras.device("meta"):
        return _keras_record(keras, spec, f"keras {keras.__version__} ({keras.backend.backend()})")


def build_keras_rnn_cell(spec: Spec) -> Record:
    """Keras 3 ``RNN(LSTMCell(...))``, ``RNN(GRUCell(...))``, ``RNN(SimpleRNNCell(...))``."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    cells = {
        "lstm": keras.layers.LSTMCell,
        "gru": keras.layers.GRUCell,
        "rnn": keras.layers.SimpleRNNCell,
    }
    options: dict[str, Any] = {"use_bias": spec.get("bias", True)}
    if spec["kind"] == "gru":
        options["reset_after"] = spec.get("reset_after", True)
    keras.backend.clear_session()
    with keras.device("meta"):
        layer = keras.layers.RNN(cells[spec["kind"]](spec["num_units"], **options))
        model = keras.Sequential([keras.Input((None, spec["input_dim"])), layer])
        weights = [[w.path, [int(d) for d in w.shape]] for w in model.weights]
        return {
            "source": f"keras {keras.__version__} RNN(cell)",
            "params": int(model.count_params()),
            "weights": weights,
        }


def build_tf_keras(spec: Spec) -> Record:
    """tf.keras 2 (the ``tf_keras`` package) on TensorFlow."""
    import tf_keras

    return _keras_record(tf_keras, spec, f"tf_keras {tf_keras.__version__}")


def build_keras_peephole(spec: Spec) -> Record:
    """The legacy ``PeepholeLSTMCell`` in ``RNN``, from TensorFlow's private Keras copy."""
    from tensorflow.python import keras as legacy
    from tensorflow.python.keras.layers import recurrent

    legacy.backend.clear_session()
    inputs = legacy.Input((None, spec["input_dim"]))
    cell = recurrent.PeepholeLSTMCell(spec["num_units"], use_bias=spec.get("bias", True))
    model = legacy.Model(inputs, legacy.layers.RNN(cell)(inputs))
    return {
        "source": "tensorflow.python.keras.layers.recurrent.PeepholeLSTMCell",
        "params": int(model.count_params()),
        "weights": [[w.name, [int(d) for d in w.shape]] for w in model.weights],
    }


# ------------------------------------------------------------- tensorflow v1
def _tf_v1_cell(tf: Any, spec: Spec) -> Any:  # noqa: ANN401
    """One ``tf.compat.v1.nn.rnn_cell`` cell for ``spec`` (not yet built)."""
    cells = tf.compat.v1.nn.rnn_cell
    units, kind = spec["num_units"], spec["kind"]
    zeros = tf.compat.v1.zeros_initializer()
    if kind == "lstm":
        return cells.LSTMCell(
            units,
            use_peepholes=spec.get("peepholes", False),
            num_proj=spec.get("proj_size") or None,
            initializer=zeros,
        )
    if kind == "gru":
        return cells.GRUCell(units, kernel_initializer=zeros)
    return cells.BasicRNNCell(units)


def build_tensorflow_v1(spec: Spec) -> Record:
    """``tf.compat.v1.nn.rnn_cell`` cells (needs ``TF_USE_LEGACY_KERAS=1``)."""
    import tensorflow as tf
    import tf_keras

    tf_keras.backend.clear_session()  # fresh names: lstm_cell, not lstm_cell_7
    cell = _tf_v1_cell(tf, spec)
    cell.build(tf.TensorShape([None, spec["input_dim"]]))
    return {
        "source": f"tf.compat.v1.nn.rnn_cell.{type(cell).__name__} (tensorflow {tf.__version__})",
        "params": sum(math.prod(int(d) for d in w.shape) for w in cell.weights),
        "weights": [[w.name, [int(d) for d in w.shape]] for w in cell.weights],
    }


# ---------------------------------------------------------------------- flax
def _flax_leaves(tree: Any) -> list[list[Any]]:  # noqa: ANN401
    import jax

    def key(entry: Any) -> str:  # noqa: ANN401
        return str(getattr(entry, "key", getattr(entry, "name", entry)))

    return [
        ["/".join(key(k) for k in path), [int(d) for d in leaf.shape]]
        for path, leaf in jax.tree_util.tree_leaves_with_path(tree)
    ]


def build_flax_linen(spec: Spec, *, optimized: bool = False) -> Record:
    """``nn.RNN(cell)``, ``nn.Bidirectional`` and ``nn.Sequential``, via ``jax.eval_shape``.

    ``optimized`` builds LSTMs with ``nn.OptimizedLSTMCell`` instead of ``nn.LSTMCell``.
    """
    import flax
    import jax
    import jax.numpy as jnp
    from flax import linen as nn

    kind, units = spec["kind"], spec["num_units"]
    if kind in {"dense", "embedding"}:
        if kind == "dense":
            module = nn.Dense(units, use_bias=spec.get("bias", True))
            sample = jnp.zeros((1, spec["input_dim"]))
        else:
            module = nn.Embed(spec["input_dim"], units)
            sample = jnp.zeros((1,), jnp.int32)
        leaves = _flax_leaves(jax.eval_shape(module.init, jax.random.key(0), sample)["params"])
        return {
            "source": f"flax.linen.{type(module).__name__} (flax {flax.__version__})",
            "params": sum(math.prod(shape) for _, shape in leaves),
            "weights": leaves,
        }

    def cell() -> Any:  # noqa: ANN401
        if kind == "convlstm":
            return nn.ConvLSTMCell(
                units, tuple(spec["kernel_size"]), use_bias=spec.get("bias", True)
            )
        if kind == "mgu":
            return nn.MGUCell(units, reset_gate=spec.get("reset_gate", True))
        lstm = nn.OptimizedLSTMCell if optimized else nn.LSTMCell
        return {"lstm": lstm, "gru": nn.GRUCell, "rnn": nn.SimpleCell}[kind](units)

    def layer() -> Any:  # noqa: ANN401
        if spec.get("bidirectional"):
            return nn.Bidirectional(nn.RNN(cell()), nn.RNN(cell()))
        return nn.RNN(cell())

    count = spec.get("num_layers", 1)
    module = nn.Sequential([layer() for _ in range(count)]) if count > 1 else layer()
    spatial = tuple(spec.get("kernel_size", ()))
    sample = jnp.zeros((1, 2, *spatial, spec["input_dim"]))
    variables = jax.eval_shape(module.init, jax.random.key(0), sample)
    leaves = _flax_leaves(variables["params"])
    return {
        "source": f"flax.linen {type(module).__name__} of {type(cell()).__name__} "
        f"(flax {flax.__version__})",
        "params": sum(math.prod(shape) for _, shape in leaves),
        "weights": leaves,
    }


def build_flax_nnx(spec: Spec, *, optimized: bool = False) -> Record:
    """``nnx.LSTMCell``, ``nnx.GRUCell``, ``nnx.SimpleCell`` via ``nnx.eval_shape``."""
    import flax
    from flax import nnx

    classes = {
        "lstm": nnx.LSTMCell,
        "gru": nnx.GRUCell,
        "rnn": nnx.SimpleCell,
        "dense": nnx.Linear,
        "embedding": nnx.Embed,
    }
    cls = nnx.OptimizedLSTMCell if optimized else classes[spec["kind"]]
    options = {"use_bias": spec.get("bias", True)} if spec["kind"] == "dense" else {}
    cell = nnx.eval_shape(
        lambda: cls(spec["input_dim"], spec["num_units"], rngs=nnx.Rngs(0), **options)
    )
    leaves = _flax_leaves(nnx.state(cell, nnx.Param))
    return {
        "source": f"flax.nnx.{cls.__name__} (flax {flax.__version__})",
        "params": sum(math.prod(shape) for _, shape in leaves),
        "weights": leaves,
    }


# -------------------------------------------------------------- whole models
# Whole models, for summaries: Embedding -> recurrent layers -> Dense.
MODELS: list[list[Spec]] = [
    [
        {"kind": "embedding", "num_units": 128, "input_dim": 10000},
        {"kind": "lstm", "num_units": 64, "input_dim": 128},
        {"kind": "dense", "num_units": 1, "input_dim": 64},
    ],
    [
        {"kind": "embedding", "num_units": 64, "input_dim": 500},
        {"kind": "lstm", "num_units": 32, "input_dim": 64, "bidirectional": True},
        {"kind": "gru", "num_units": 16, "input_dim": 64},
        {"kind": "dense", "num_units": 3, "input_dim": 16},
    ],
    [
        {"kind": "dense", "num_units": 256, "input_dim": 40},
        {"kind": "rnn", "num_units": 128, "input_dim": 256, "num_layers": 2},
        {"kind": "dense", "num_units": 10, "input_dim": 128, "bias": False},
    ],
]


def _returns_sequences(specs: list[Spec], index: int) -> bool:
    recurrent = {"lstm", "gru", "rnn", "convlstm"}
    return any(s["kind"] in recurrent for s in specs[index + 1 :])


def build_keras_model(specs: list[Spec]) -> int:
    """``model.count_params()`` of a Keras 3 ``Sequential`` model of ``specs``."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    keras.backend.clear_session()
    layers = [
        layer
        for index, spec in enumerate(specs)
        for layer in _keras_layers(keras, spec, sequences=_returns_sequences(specs, index))
    ]
    first = specs[0]
    # a model reads sequences: a first Dense layer maps each step's vector
    shape = (None, first["input_dim"]) if first["kind"] == "dense" else _keras_input_shape(first)
    with keras.device("meta"):
        model = keras.Sequential([keras.Input(shape), *layers])
        return int(model.count_params())


def build_pytorch_model(specs: list[Spec]) -> int:
    """``sum(p.numel() for p in model.parameters())`` over the torch modules of ``specs``."""
    from torch import nn

    model = nn.ModuleList([torch_module(spec) for spec in specs])
    return sum(p.numel() for p in model.parameters())


BUILDERS: dict[str, Callable[[Spec], Record]] = {
    "pytorch": build_pytorch,
    "onnx": build_onnx,
    "keras": build_keras,
    "tensorflow-v1": build_tensorflow_v1,
    "flax-linen": build_flax_linen,
    "flax-nnx": build_flax_nnx,
}


# ------------------------------------------------------- saved model files
def _keras_models(keras: Any) -> list[tuple[str, Any, list[Spec]]]:  # noqa: ANN401
    """Small Keras models to save, each with the layers lstm_params should find.

    The expected layers are the constructor arguments as ``LayerSpec`` keyword
    arguments, in order; a layer lstm_params does not count has ``"uncounted"``.
    """
    layers = keras.layers
    models: list[tuple[str, Any, list[Spec]]] = []

    def sequential(shape: tuple[int | None, ...], *stack: Any, dtype: str = "float32") -> Any:  # noqa: ANN401
        return keras.Sequential([keras.Input(shape, dtype=dtype), *stack])

    keras.backend.clear_session()
    models.append(
        (
            "embedding-bilstm-gru-dense",
            sequential(
                (None,),
                layers.Embedding(50, 8),
                layers.Dropout(0.1),
                layers.Bidirectional(layers.LSTM(6, return_sequences=True)),
                layers.GRU(5),
                layers.Dense(3),
                dtype="int32",
            ),
            [
                {"kind": "embedding", "num_units": 8, "input_dim": 50},
                {"kind": "lstm", "num_units": 6, "input_dim": 8, "bidirectional": True},
                {"kind": "gru", "num_units": 5, "input_dim": 12},
                {"kind": "dense", "num_units": 3, "input_dim": 5},
            ],
        )
    )
    keras.backend.clear_session()
    models.append(
        (
            "bigru-sum-simplernn-dense",
            sequential(
                (None, 12),
                layers.Bidirectional(
                    layers.GRU(4, reset_after=False, return_sequences=True), merge_mode="sum"
                ),
                layers.SimpleRNN(3, use_bias=False),
                layers.Dense(1, use_bias=False),
            ),
            [
                {
                    "kind": "gru",
                    "num_units": 4,
                    "input_dim": 12,
                    "bidirectional": True,
                    "reset_after": False,
                },
                {"kind": "rnn", "num_units": 3, "input_dim": 4, "bias": False},
                {"kind": "dense", "num_units": 1, "input_dim": 3, "bias": False},
            ],
        )
    )
    keras.backend.clear_session()
    inputs = keras.Input((None, 7))
    hidden = layers.LSTM(5, return_sequences=True)(inputs)
    hidden = layers.RNN([layers.LSTMCell(4), layers.GRUCell(3)])(hidden)
    keras.backend.clear_session()
    models.append(
        (
            "functional-lstm-stackedcells-dense",
            keras.Model(inputs, layers.Dense(2)(hidden)),
            [
                {"kind": "lstm", "num_units": 5, "input_dim": 7},
                {"kind": "lstm", "num_units": 4, "input_dim": 5},
                {"kind": "gru", "num_units": 3, "input_dim": 4},
                {"kind": "dense", "num_units": 2, "input_dim": 3},
            ],
        )
    )
    keras.backend.clear_session()
    models.append(
        (
            "convlstm2d-flatten-dense",
            sequential(
                (None, 6, 6, 2),
                layers.ConvLSTM2D(3, 3, padding="same", return_sequences=True),
                layers.ConvLSTM2D(2, (1, 3), padding="same"),
                layers.Flatten(),
                layers.Dense(2),
            ),
            [
                {"kind": "convlstm", "num_units": 3, "input_dim": 2, "kernel_size": [3, 3]},
                {"kind": "convlstm", "num_units": 2, "input_dim": 3, "kernel_size": [1, 3]},
                {"kind": "dense", "num_units": 2, "input_dim": 72},
            ],
        )
    )
    keras.backend.clear_session()
    models.append(
        (
            "lstm-layernorm-timedistributed",
            sequential(
                (None, 10),
                layers.LSTM(4, return_sequences=True),
                layers.LayerNormalization(),
                layers.TimeDistributed(layers.Dense(3)),
                layers.GlobalAveragePooling1D(),
                layers.Dense(1),
            ),
            [
                {"kind": "lstm", "num_units": 4, "input_dim": 10},
                {"uncounted": "LayerNormalization"},
                {"kind": "dense", "num_units": 3, "input_dim": 4},
                {"kind": "dense", "num_units": 1, "input_dim": 3},
            ],
        )
    )
    keras.backend.clear_session()
    model = sequential(
        (None, 9),
        layers.Bidirectional(
            layers.GRU(5, return_sequences=True),
            backward_layer=layers.GRU(
                3, reset_after=False, go_backwards=True, return_sequences=True
            ),
        ),
        layers.Dense(2),
    )
    # The width Dense is built on is the framework's call: Keras 3 makes it twice the
    # forward layer's units (10), tf.keras 2 the sum of both directions' (8).
    built_width = int(model.layers[-1].kernel.shape[0])
    models.append(
        (
            "bidirectional-different-backward",
            model,
            [
                {"kind": "gru", "num_units": 5, "input_dim": 9},
                {"kind": "gru", "num_units": 3, "input_dim": 9, "reset_after": False},
                {"kind": "dense", "num_units": 2, "input_dim": built_width},
            ],
        )
    )
    return models


def save_keras_models(keras: Any, directory: Any, source: str) -> list[Record]:  # noqa: ANN401
    """Save each model as ``<name>.keras`` (``model.save``) and ``<name>.json`` (``to_json``)."""
    records = []
    for name, model, layers in _keras_models(keras):
        for suffix in (".keras", ".json"):
            path = directory / f"{source}-{name}{suffix}"
            how = "save" if suffix == ".keras" else "to_json"
            if suffix == ".keras":
                model.save(path)
            else:
                path.write_text(model.to_json())
            records.append(
                {
                    "file": path.name,
                    "source": f"{source} {keras.__version__} model.{how}",
                    "params": int(model.count_params()),
                    "layers": [
                        {**layer, "framework": "keras"} if "kind" in layer else layer
                        for layer in layers
                    ],
                }
            )
    return records


def save_torch_checkpoints(directory: Any) -> list[Record]:  # noqa: ANN401
    """Save torch modules' ``state_dict`` with ``safetensors.torch.save_file``."""
    import torch
    from safetensors.torch import save_file
    from torch import nn

    torch.manual_seed(0)

    class Model(nn.Module):  # type: ignore[misc]  # torch is not type-checked here
        def __init__(self) -> None:
            super().__init__()
            self.embedding = nn.Embedding(50, 8)
            self.encoder = nn.LSTM(8, 6, num_layers=2, bidirectional=True)
            self.projected = nn.LSTM(12, 10, proj_size=4)
            self.gru = nn.GRU(4, 5, bias=False)
            self.cell = nn.LSTMCell(5, 3)
            self.rnn = nn.RNN(3, 2, nonlinearity="relu")
            self.head = nn.Linear(2, 1)

    model_layers: list[Spec] = [
        {
            "name": "encoder",
            "kind": "lstm",
            "num_units": 6,
            "input_dim": 8,
            "num_layers": 2,
            "bidirectional": True,
        },
        {"name": "projected", "kind": "lstm", "num_units": 10, "input_dim": 12, "proj_size": 4},
        {"name": "gru", "kind": "gru", "num_units": 5, "input_dim": 4, "bias": False},
        {"name": "cell", "kind": "lstm", "num_units": 3, "input_dim": 5, "cell": True},
        {"name": "rnn", "kind": "rnn", "num_units": 2, "input_dim": 3},
    ]
    half = Model()
    half.encoder.half()
    half.head.bfloat16()
    checkpoints = [
        ("model", Model(), model_layers),
        ("model-mixed-dtypes", half, model_layers),
        (
            "gru-top-level",
            nn.GRU(7, 5, num_layers=3),
            [{"name": "gru", "kind": "gru", "num_units": 5, "input_dim": 7, "num_layers": 3}],
        ),
    ]
    records = []
    for name, module, layers in checkpoints:
        path = directory / f"torch-{name}.safetensors"
        tensors = {k: v.contiguous() for k, v in module.state_dict().items()}
        save_file(tensors, str(path))
        recurrent = (nn.LSTM, nn.GRU, nn.RNN, nn.LSTMCell, nn.GRUCell, nn.RNNCell)
        owned = {
            f"{prefix}.{param}" if prefix else param
            for prefix, part in module.named_modules()
            if isinstance(part, recurrent)
            for param, _ in part.named_parameters()
        }
        records.append(
            {
                "file": path.name,
                "source": f"torch {torch.__version__} state_dict, safetensors save_file",
                "params": sum(v.numel() for v in tensors.values()),
                "bytes": sum(v.numel() * v.element_size() for v in tensors.values()),
                "shapes": {k: list(v.shape) for k, v in tensors.items()},
                "others": sorted(k for k in tensors if k not in owned),
                "layers": [{**layer, "framework": "pytorch"} for layer in layers],
            }
        )
    return records


# ----------------------------------------------------------- peer MAC tools
TOOLS = ("ptflops", "thop", "torchinfo", "torchprofile", "calflops", "fvcore")
TOOL_PACKAGES = {
    "ptflops": "ptflops",
    "thop": "ultralytics-thop",
    "torchinfo": "torchinfo",
    "torchprofile": "torchprofile",
    "calflops": "calflops",
    "fvcore": "fvcore",
}


def _sample(spec: Spec, seq_len: int, batch: int, lengths: list[int] | None) -> Any:  # noqa: ANN401
    import torch
    from torch.nn.utils.rnn import pack_padded_sequence

    if lengths is None:
        return torch.zeros(seq_len, batch, spec["input_dim"])
    padded = torch.zeros(max(lengths), len(lengths), spec["input_dim"])
    return pack_padded_sequence(padded, lengths, enforce_sorted=False)


def measure_compute(
    tool: str, spec: Spec, seq_len: int, batch: int, lengths: list[int] | None
) -> dict[str, Any]:
    """What ``tool`` reports for the torch module of ``spec`` on a (seq_len, batch) input.

    ``lengths`` feeds a PackedSequence instead. Returns ``{"macs": .., "flops": ..}``
    (None where the tool reports no such figure) or ``{"error": ...}`` when the tool
    cannot take the input.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _measure(tool, spec, seq_len, batch, lengths)
        except Exception as error:  # noqa: BLE001 - what the tool does with this input is the record
            return {"error": f"{type(error).__name__}: {str(error)[:120]}"}


def _measure(  # noqa: PLR0911 - one return per tool
    tool: str, spec: Spec, seq_len: int, batch: int, lengths: list[int] | None
) -> dict[str, Any]:
    import contextlib

    module = torch_module(spec, device="cpu")
    sample = _sample(spec, seq_len, batch, lengths)
    if tool == "ptflops":
        from ptflops import get_model_complexity_info

        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            macs, _ = get_model_complexity_info(
                module,
                (seq_len, spec["input_dim"]),
                input_constructor=(lambda _: sample) if lengths is not None else None,
                as_strings=False,
                print_per_layer_stat=False,
                verbose=False,
            )
        if macs is None:
            return {"error": "ptflops returned None: the forward pass failed"}
        return {"macs": int(macs), "flops": None}
    if tool == "thop":
        import thop

        return {
            "macs": int(thop.profile(module, inputs=(sample,), verbose=False)[0]),
            "flops": None,
        }
    if tool == "torchinfo":
        import torchinfo

        return {
            "macs": int(torchinfo.summary(module, input_data=[sample], verbose=0).total_mult_adds),
            "flops": None,
        }
    if tool == "torchprofile":
        from torchprofile import profile_macs

        return {"macs": int(profile_macs(module, (sample,))), "flops": None}
    if tool == "calflops":
        from calflops import calculate_flops

        if lengths is not None:
            flops, macs, _ = calculate_flops(
                module,
                args=[sample],
                print_results=False,
                print_detailed=False,
                output_as_string=False,
            )
        else:
            flops, macs, _ = calculate_flops(
                module,
                input_shape=(seq_len, batch, spec["input_dim"]),
                print_results=False,
                print_detailed=False,
                output_as_string=False,
            )
        return {"macs": int(macs), "flops": int(flops)}
    from fvcore.nn import FlopCountAnalysis

    analysis = FlopCountAnalysis(module, (sample,))
    analysis.unsupported_ops_warnings(False)  # noqa: FBT003 - fvcore's own signature
    analysis.uncalled_modules_warnings(False)  # noqa: FBT003 - fvcore's own signature
    total = int(analysis.total())
    return {"macs": total, "flops": total}  # fvcore: one fused multiply-add is one flop


def compute_cases(rng: random.Random, count: int) -> list[tuple[Spec, int, int, list[int] | None]]:
    """Small torch layers with inputs: padded (seq_len, batch) and packed (lengths)."""
    cases: list[tuple[Spec, int, int, list[int] | None]] = []
    for _ in range(count):
        spec = random_spec("pytorch", rng, 24)
        seq_len, batch = rng.randint(1, 6), rng.randint(1, 4)
        packed = rng.random() < 0.3
        lengths = (
            sorted((rng.randint(1, seq_len) for _ in range(batch)), reverse=True)
            if packed
            else None
        )
        if lengths is not None:
            lengths[0] = seq_len
        cases.append((spec, seq_len, batch, lengths))
    return cases


Case = tuple[Spec, int, int, "list[int] | None"]


def measure_all(tool: str, cases: list[Case]) -> list[dict[str, Any]]:
    """``measure_compute`` over ``cases``: meant for a process of its own (see below)."""
    return [measure_compute(tool, *case) for case in cases]


def measure_isolated(tool: str, cases: list[Case]) -> list[dict[str, Any]]:
    """Run one tool in fresh processes: calflops patches torch's functions and leaves them
    patched, and ptflops, once a forward pass fails (a PackedSequence), fails every later
    call in the same process; so each such call gets a process of its own."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    alone = [i for i, case in enumerate(cases) if tool == "ptflops" and case[3] is not None]
    together = [i for i in range(len(cases)) if i not in alone]
    results: dict[int, dict[str, Any]] = {}
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        found = pool.submit(measure_all, tool, [cases[i] for i in together]).result()
        results.update(zip(together, found, strict=True))
    for index in alone:
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            results[index] = pool.submit(measure_all, tool, [cases[index]]).result()[0]
    return [results[i] for i in range(len(cases))]


# ------------------------------------------------ cells, wrappers and stacks
# Builders for the layer descriptions of ``tests/data/golden/recurrent/``: cells on
# their own, cells stacked by the framework (MultiRNNCell, RNN([...])), CuDNN layers,
# Bidirectional merge modes and Flax's RNN wrappers.
def build_pytorch_cell_with(spec: Spec, **options: Any) -> Record:  # noqa: ANN401
    """``nn.LSTMCell``, ``nn.GRUCell`` or ``nn.RNNCell``; ``options`` go to the constructor.

    The options (``nonlinearity`` of ``nn.RNNCell``) are recorded beside the spec.
    """
    from torch import nn

    cls = {"lstm": nn.LSTMCell, "gru": nn.GRUCell, "rnn": nn.RNNCell}[spec["kind"]]
    cell = cls(
        spec["input_dim"], spec["num_units"], bias=spec.get("bias", True), device="meta", **options
    )
    return {
        "source": f"torch.nn.{cls.__name__}",
        **({"options": options} if options else {}),
        "params": sum(p.numel() for p in cell.parameters()),
        "weights": [[name, list(p.shape)] for name, p in cell.named_parameters()],
    }


def _keras_recurrent(keras: Any, spec: Spec, *, sequences: bool) -> Any:  # noqa: ANN401
    """One ``LSTM``/``GRU``/``SimpleRNN`` layer of ``spec`` (no wrapper)."""
    layers = keras.layers
    common: dict[str, Any] = {"use_bias": spec.get("bias", True), "return_sequences": sequences}
    if spec["kind"] == "lstm":
        return layers.LSTM(spec["num_units"], **common)
    if spec["kind"] == "gru":
        return layers.GRU(spec["num_units"], reset_after=spec.get("reset_after", True), **common)
    return layers.SimpleRNN(spec["num_units"], **common)


def _keras_merge_record(keras: Any, spec: Spec, source: str) -> Record:  # noqa: ANN401
    """``num_layers`` stacked ``Bidirectional(layer, merge_mode=spec["merge_mode"])``.

    ``output_dim`` is the last dimension of the last layer's ``compute_output_shape``
    (for ``merge_mode=None``, a list: one per returned tensor).
    """
    keras.backend.clear_session()
    count = spec.get("num_layers", 1)
    inputs = keras.Input((None, spec["input_dim"]))
    hidden = inputs
    wrappers = []
    for index in range(count):
        layer = keras.layers.Bidirectional(
            _keras_recurrent(keras, spec, sequences=index < count - 1),
            merge_mode=spec["merge_mode"],
        )
        last_input = hidden
        hidden = layer(hidden)
        wrappers.append(layer)
    model = keras.Model(inputs, hidden)
    shape = wrappers[-1].compute_output_shape(tuple(last_input.shape))
    if spec["merge_mode"] is None:
        output_dim: Any = [int(s[-1]) for s in shape]
        assert output_dim == [int(t.shape[-1]) for t in hidden]
    else:
        output_dim = int(shape[-1])
        assert output_dim == int(hidden.shape[-1])
    weights = [
        [getattr(w, "path", None) or w.name, [int(d) for d in w.shape]] for w in model.weights
    ]
    return {
        "source": source,
        "params": int(model.count_params()),
        "output_dim": output_dim,
        "weights": weights,
    }


def build_keras_merge(spec: Spec) -> Record:
    """Keras 3 ``Bidirectional(..., merge_mode=...)`` on the torch backend (meta device)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    import keras

    with keras.device("meta"):
        return _keras_merge_record(
            keras, spec, f"keras {keras.__version__} ({keras.backend.backend()}) Bidirectional"
        )


def build_tf_keras_merge(spec: Spec) -> Record:
    """tf.keras 2 ``Bidirectional(..., merge_mode=...)``."""
    import tf_keras

    return _keras_merge_record(tf_keras, spec, f"tf_keras {tf_keras.__version__} Bidirectional")


def build_keras_cudnn(spec: Spec) -> Record:
    """``tf.compat.v1.keras.layers.CuDNNLSTM``/``CuDNNGRU`` (tf_keras), built on the CPU.

    Stacked ``num_layers`` deep, each in ``Bidirectional`` when ``spec`` says so.
    """
    import tensorflow as tf
    import tf_keras

    tf_keras.backend.clear_session()
    v1_layers = tf.compat.v1.keras.layers
    cls = {"lstm": v1_layers.CuDNNLSTM, "gru": v1_layers.CuDNNGRU}[spec["kind"]]
    count = spec.get("num_layers", 1)
    stack = []
    for index in range(count):
        layer = cls(spec["num_units"], return_sequences=index < count - 1)
        stack.append(tf_keras.layers.Bidirectional(layer) if spec.get("bidirectional") else layer)
    model = tf_keras.Sequential([tf_keras.Input((None, spec["input_dim"])), *stack])
    return {
        "source": f"tf_keras {tf_keras.__version__} {cls.__name__}",
        "params": int(model.count_params()),
        "weights": [[w.name, [int(d) for d in w.shape]] for w in model.weights],
    }


def _legacy_peephole_model(units: list[int], inputs: int) -> Any:  # noqa: ANN401
    """``RNN([PeepholeLSTMCell(u) for u in units])`` in TensorFlow's private legacy Keras."""
    from tensorflow.python import keras as legacy
    from tensorflow.python.keras.layers import recurrent

    legacy.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the cell's deprecation warning
        cells = [recurrent.PeepholeLSTMCell(u) for u in units]
    layer = legacy.layers.RNN(cells if len(cells) > 1 else cells[0])
    source = legacy.Input((None, inputs))
    return legacy.Model(source, layer(source))


def build_keras_peephole_cells(spec: Spec) -> Record:
    """``RNN([PeepholeLSTMCell(units)] * num_layers)`` (one cell: ``RNN(cell)``)."""
    model = _legacy_peephole_model(
        [spec["num_units"]] * spec.get("num_layers", 1), spec["input_dim"]
    )
    return {
        "source": "tensorflow.python.keras.layers.recurrent.PeepholeLSTMCell in RNN",
        "params": int(model.count_params()),
        "weights": [[w.name, [int(d) for d in w.shape]] for w in model.weights],
    }


def save_keras_peephole_cells(directory: Any, name: str, units: list[int], inputs: int) -> Record:  # noqa: ANN401
    """Save ``RNN([PeepholeLSTMCell(u) ...])``'s config as ``<name>.json``.

    The legacy ``Model.to_json`` fails in this TensorFlow (it imports a
    ``tensorflow.python.keras.__version__`` that no longer exists), so the file is
    the legacy module's own ``serialize_keras_object(model)`` as JSON: what
    ``to_json`` writes without its ``keras_version`` and ``backend`` keys.
    ``model_from_json`` reads it back to the same count.
    """
    import json

    from tensorflow.python import keras as legacy
    from tensorflow.python.keras.saving.saved_model import json_utils
    from tensorflow.python.keras.utils import generic_utils

    model = _legacy_peephole_model(units, inputs)
    text = json.dumps(generic_utils.serialize_keras_object(model), default=json_utils.get_json_type)
    path = directory / f"{name}.json"
    path.write_text(text)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert legacy.models.model_from_json(text).count_params() == model.count_params()
    layers = []
    width = inputs
    for u in units:
        layers.append(
            {
                "kind": "lstm",
                "num_units": u,
                "input_dim": width,
                "peepholes": True,
                "cell": True,
                "framework": "keras",
            }
        )
        width = u
    return {
        "file": path.name,
        "source": "tensorflow.python.keras serialize_keras_object (RNN of PeepholeLSTMCell)",
        "params": int(model.count_params()),
        "cell_params": [int(c.count_params()) for c in _cells(model.layers[-1].cell)],
        "weights": [[w.name, [int(d) for d in w.shape]] for w in model.weights],
        "layers": layers,
    }


def _cells(cell: Any) -> list[Any]:  # noqa: ANN401
    return list(getattr(cell, "cells", [cell]))


def build_tensorflow_v1_graph(spec: Spec) -> Record:
    """``tf.compat.v1.nn.dynamic_rnn`` in a ``tf.Graph`` over one cell or a ``MultiRNNCell``.

    ``num_layers`` identical cells (needs ``TF_USE_LEGACY_KERAS=1``); the record is
    every global variable of the graph, named as TensorFlow names them.
    """
    import tensorflow as tf
    import tf_keras

    tf_keras.backend.clear_session()
    count = spec.get("num_layers", 1)
    with tf.Graph().as_default():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the deprecated cells say so
            cells = [_tf_v1_cell(tf, spec) for _ in range(count)]
            cell = cells[0] if count == 1 else tf.compat.v1.nn.rnn_cell.MultiRNNCell(cells)
            sample = tf.compat.v1.placeholder(tf.float32, [None, None, spec["input_dim"]])
            tf.compat.v1.nn.dynamic_rnn(cell, sample, dtype=tf.float32)
        variables = tf.compat.v1.global_variables()
        assert variables == tf.compat.v1.trainable_variables()
    what = type(cells[0]).__name__
    if count > 1:
        what = f"MultiRNNCell of {count} {what}"
    return {
        "source": f"tf.compat.v1.nn.dynamic_rnn({what}) (tensorflow {tf.__version__})",
        "params": sum(math.prod(int(d) for d in v.shape) for v in variables),
        "weights": [[v.name, [int(d) for d in v.shape]] for v in variables],
    }


def build_flax_nnx_wrapper(spec: Spec) -> Record:
    """``nnx.RNN(cell)`` or ``nnx.Bidirectional(nnx.RNN(cell), nnx.RNN(cell))``.

    ``spec["bidirectional"]`` chooses ``nnx.Bidirectional``; the cell is
    ``nnx.LSTMCell``, ``nnx.GRUCell`` or ``nnx.SimpleCell``, built by ``nnx.eval_shape``.
    """
    import flax
    from flax import nnx

    cls = {"lstm": nnx.LSTMCell, "gru": nnx.GRUCell, "rnn": nnx.SimpleCell}[spec["kind"]]

    def rnn(seed: int) -> Any:  # noqa: ANN401
        return nnx.RNN(cls(spec["input_dim"], spec["num_units"], rngs=nnx.Rngs(seed)))

    if spec.get("bidirectional"):
        module = nnx.eval_shape(lambda: nnx.Bidirectional(rnn(0), rnn(1)))
    else:
        module = nnx.eval_shape(lambda: rnn(0))
    leaves = _flax_leaves(nnx.state(module, nnx.Param))
    return {
        "source": f"flax.nnx.{type(module).__name__} of {cls.__name__} (flax {flax.__version__})",
        "params": sum(math.prod(shape) for _, shape in leaves),
        "weights": leaves,
    }


# ------------------------------------------------ sequences (issue 14)
# What each peer tool, and torch's own FlopCounterMode, reports for a module in a
# given situation: cells stepped in a Python loop, the three input layouts, a batch
# packed inside ``forward``, the meta device, Linear and Embedding alone, and whole
# small models. A case is ``{"spec": ..., "situation": ...}`` or, for a model,
# ``{"layers": [...], "situation": ...}`` (see ``sequence_inputs``).
SEQUENCE_TOOLS = (*TOOLS, "flop_counter")
SEQUENCE_PACKAGES = {**TOOL_PACKAGES, "flop_counter": "torch"}
Case14 = dict[str, Any]


def _recurrent_module(spec: Spec, device: str) -> Any:  # noqa: ANN401
    """The layer of ``spec`` with its ``batch_first``; a ``*Cell`` when ``spec["cell"]``."""
    from torch import nn

    if spec.get("cell"):
        cls = {"lstm": nn.LSTMCell, "gru": nn.GRUCell, "rnn": nn.RNNCell}[spec["kind"]]
        return cls(spec["input_dim"], spec["num_units"], bias=spec.get("bias", True), device=device)
    module = torch_module(spec, device=device)
    if spec.get("batch_first"):
        module.batch_first = True
    return module


def _tokens(shape: tuple[int, ...], vocabulary: int, device: str) -> Any:  # noqa: ANN401
    """Token ids ``0, 1, 2, ...`` modulo the vocabulary: the values never change a count."""
    import math as _math

    import torch

    count = _math.prod(shape)
    return (torch.arange(count, device="cpu") % vocabulary).reshape(shape).to(device)


def sequence_inputs(case: Case14) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:  # noqa: C901, PLR0911, PLR0912
    """The module of ``case`` and its positional arguments (and their names).

    ``situation`` keys: ``seq_len`` (None: the input has no time axis), ``batch``
    (None with ``unbatched``), ``unbatched``, ``lengths`` with ``packing`` ("input":
    a PackedSequence is the module's input; "inside": the module takes the padded
    batch and the lengths and packs inside ``forward``), ``loop`` (a ``*Cell`` stepped
    ``seq_len`` times by a wrapper's Python loop), ``readout`` (a model's head on the
    last step or every step), ``device``.
    """
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    torch.manual_seed(0)
    situation = case["situation"]
    device = situation.get("device", "cpu")
    seq_len, batch = situation.get("seq_len"), situation.get("batch")
    lengths, packing = situation.get("lengths"), situation.get("packing")

    if "layers" in case:
        return _model_inputs(case, device)
    spec = case["spec"]
    module = _recurrent_module(spec, device)
    kind = spec["kind"]
    shape: tuple[int, ...]
    if kind == "embedding":
        shape = (batch,) if seq_len is None else (batch, seq_len)
        return module, (_tokens(shape, spec["input_dim"], device),), {}
    if kind == "dense":
        if situation.get("unbatched"):
            shape = (spec["input_dim"],)
        elif seq_len is None:
            shape = (batch, spec["input_dim"])
        else:
            shape = (batch, seq_len, spec["input_dim"])
        return module, (torch.zeros(shape, device=device),), {}
    features = spec["input_dim"]
    if spec.get("cell") and not situation.get("loop"):
        shape = (features,) if situation.get("unbatched") else (batch, features)
        return module, (torch.zeros(shape, device=device),), {}
    batch_first = bool(spec.get("batch_first"))
    if situation.get("unbatched"):
        shape = (seq_len, features)
    elif batch_first:
        shape = (batch, seq_len, features)
    else:
        shape = (seq_len, batch, features)
    padded = torch.zeros(shape, device=device)
    if spec.get("cell"):  # situation["loop"]
        return _loop_class(nn)(module, batch_first=batch_first), (padded,), {}
    if packing == "input":
        return (
            module,
            (pack_padded_sequence(padded, lengths, batch_first=batch_first, enforce_sorted=False),),
            {},
        )
    if packing == "inside":

        class PackInside(nn.Module):  # type: ignore[misc]  # torch is not type-checked here
            def __init__(self, layer: Any) -> None:  # noqa: ANN401
                super().__init__()
                self.layer = layer

            def forward(self, x: Any, lengths: Any) -> Any:  # noqa: ANN401
                packed = pack_padded_sequence(
                    x, lengths, batch_first=batch_first, enforce_sorted=False
                )
                out, _ = self.layer(packed)
                return pad_packed_sequence(out, batch_first=batch_first)[0]

        return PackInside(module), (padded, torch.tensor(lengths)), {"names": ["x", "lengths"]}
    return module, (padded,), {}


def _loop_class(nn: Any) -> Any:  # noqa: ANN401
    """The wrapper that steps a cell in a Python loop (a factory: torch is imported lazily)."""

    class Loop(nn.Module):  # type: ignore[misc]  # torch is not type-checked here
        """Steps the cell over the time axis in Python, the state carried from call to call."""

        def __init__(self, cell: Any, *, batch_first: bool) -> None:  # noqa: ANN401
            super().__init__()
            self.cell = cell
            self.batch_first = batch_first

        def forward(self, x: Any) -> Any:  # noqa: ANN401
            state = None
            steps = x.shape[1] if self.batch_first else x.shape[0]
            for t in range(steps):
                state = self.cell(x[:, t] if self.batch_first else x[t], state)
            return state[0] if isinstance(state, tuple) else state

    return Loop


def _model_inputs(case: Case14, device: str) -> tuple[Any, tuple[Any, ...], dict[str, Any]]:
    """A model of several layers (``case["layers"]``), and its token input.

    ``readout`` "last": ``head(out[:, -1])``; "every": ``head(out)``; "packed" is torchinfo's
    own PackPaddedLSTM test model (sequence first, packed inside ``forward``, head on ``h_n``).
    """
    import torch
    from torch import nn
    from torch.nn.utils.rnn import pack_padded_sequence

    situation = case["situation"]
    embedding, recurrent, head = (torch_module(spec, device=device) for spec in case["layers"])
    readout = situation["readout"]
    if readout == "packed":

        class PackPaddedLSTM(nn.Module):  # type: ignore[misc]  # torch is not type-checked here
            def __init__(self) -> None:
                super().__init__()
                self.embedding, self.lstm, self.hidden2out = embedding, recurrent, head
                self.dropout_layer = nn.Dropout(p=0.2)
                self.hidden_size = recurrent.hidden_size

            def forward(self, batch: Any, lengths: Any) -> Any:  # noqa: ANN401
                hidden = torch.ones(1, batch.size(-1), self.hidden_size, device=batch.device)
                embeds = self.embedding(batch)
                packed_input = pack_padded_sequence(embeds, lengths)
                _, (ht, _) = self.lstm(packed_input, (hidden, hidden.clone()))
                output = self.dropout_layer(ht[-1])
                output = self.hidden2out(output)
                return nn.functional.log_softmax(output, dim=1)

        tokens = torch.ones(situation["seq_len"], situation["batch"], dtype=torch.long)
        lengths = torch.tensor(situation["lengths"])
        return (
            PackPaddedLSTM().to(device),
            (tokens.to(device), lengths),
            {"names": ["batch", "lengths"]},
        )
    recurrent.batch_first = True

    class Model(nn.Module):  # type: ignore[misc]  # torch is not type-checked here
        def __init__(self) -> None:
            super().__init__()
            self.embedding, self.recurrent, self.head = embedding, recurrent, head

        def forward(self, tokens: Any) -> Any:  # noqa: ANN401
            out, _ = self.recurrent(self.embedding(tokens))
            return self.head(out[:, -1] if readout == "last" else out)

    vocabulary = case["layers"][0]["input_dim"]
    tokens = _tokens((situation["batch"], situation["seq_len"]), vocabulary, device)
    return Model(), (tokens,), {}


def measure_sequence(tool: str, case: Case14) -> dict[str, Any]:
    """What ``tool`` reports for ``case``: ``{"macs", "flops"}`` or ``{"error"}``.

    Each tool is called as its documentation shows, with the case's own tensors:
    ptflops through ``input_constructor`` (a dict of keyword arguments when the
    module takes two), calflops with ``args``, the others with the positional
    arguments. ptflops catches the failure of a forward pass and prints it: the
    record is what it printed.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _measure_sequence(tool, case)
        except Exception as error:  # noqa: BLE001 - what the tool does with this input is the record
            text = f"{type(error).__name__}: {str(error)[:160]}"
            cause = error.__cause__
            if cause is not None:  # torchinfo wraps the forward pass's own error
                text += f" (from {type(cause).__name__}: {str(cause)[:120]})"
            return {"error": text}


def _measure_sequence(tool: str, case: Case14) -> dict[str, Any]:  # noqa: PLR0911 - one per tool
    import contextlib

    module, args, extra = sequence_inputs(case)
    if case["situation"].get("device") == "meta":
        # A first meta forward imports torch._dynamo lazily; under ptflops' patched torch.mul
        # that import fails (AttributeError: 'torch_function_wrapper' object has no attribute
        # '__name__'). One plain forward first, for every tool alike, measures the counting.
        module(*args)
    if tool == "ptflops":
        from ptflops import get_model_complexity_info

        names = extra.get("names")
        sample = dict(zip(names, args, strict=True)) if names else args[0]
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(io.StringIO()):
            macs, _ = get_model_complexity_info(
                module,
                tuple(args[0].shape[1:]) or (1,),
                input_constructor=lambda _: sample,
                as_strings=False,
                print_per_layer_stat=False,
                verbose=False,
            )
        if macs is None:
            text = printed.getvalue().split("exception: \n", 1)[-1].splitlines()[0]
            kind, _, message = text.partition(": ")
            kind = kind.removeprefix("<class '").removesuffix("'>").rsplit(".", 1)[-1]
            return {"error": f"{kind}: {message[:160]}"}
        return {"macs": int(macs), "flops": None}
    if tool == "thop":
        import thop

        return {"macs": int(thop.profile(module, inputs=args, verbose=False)[0]), "flops": None}
    if tool == "torchinfo":
        import torchinfo

        summary = torchinfo.summary(module, input_data=list(args), verbose=0)
        record: dict[str, Any] = {"macs": int(summary.total_mult_adds), "flops": None}
        if "layers" in case:  # the Mult-Adds column, leaf by leaf, as torchinfo prints it
            leaves = [layer for layer in summary.summary_list if layer.is_leaf_layer]
            record["layers"] = [[layer.class_name, int(layer.macs)] for layer in leaves]
        return record
    if tool == "torchprofile":
        from torchprofile import profile_macs

        return {"macs": int(profile_macs(module, args)), "flops": None}
    if tool == "calflops":
        from calflops import calculate_flops

        flops, macs, _ = calculate_flops(
            module,
            args=list(args),
            print_results=False,
            print_detailed=False,
            output_as_string=False,
        )
        return {"macs": int(macs), "flops": int(flops)}
    if tool == "fvcore":
        from fvcore.nn import FlopCountAnalysis

        analysis = FlopCountAnalysis(module, args)
        analysis.unsupported_ops_warnings(False)  # noqa: FBT003 - fvcore's own signature
        analysis.uncalled_modules_warnings(False)  # noqa: FBT003 - fvcore's own signature
        total = int(analysis.total())
        return {"macs": total, "flops": total}  # fvcore: one fused multiply-add is one flop
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with counter:
        module(*args)
    return {"macs": None, "flops": int(counter.get_total_flops())}


def measure_sequences(tool: str, cases: list[Case14]) -> list[dict[str, Any]]:
    """``measure_sequence`` over ``cases`` until the first error, which ends the list.

    A failed forward pass can leave a tool's patches or hooks behind (calflops,
    ptflops): the caller goes on with the next case in a fresh process.
    """
    results = []
    for case in cases:
        results.append(measure_sequence(tool, case))
        if "error" in results[-1]:
            break
    return results


def measure_sequences_isolated(tool: str, cases: list[Case14]) -> list[dict[str, Any]]:
    """One tool over ``cases`` in fresh processes: a new one after each error."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    results: list[dict[str, Any]] = []
    while len(results) < len(cases):
        with ProcessPoolExecutor(1, mp_context=context) as pool:
            results += pool.submit(measure_sequences, tool, cases[len(results) :]).result()
    return results
