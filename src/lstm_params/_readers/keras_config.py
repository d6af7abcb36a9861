"""Keras model configurations (``model.to_json()``, a ``.keras`` archive's ``config.json``).

Reads Keras 3 and tf.keras 2 configurations of ``Sequential`` and functional
models, also as ``get_config()`` and ``serialize_keras_object()`` give them
(tuples count as lists), nested models included (their layers are named
``outer/inner``). Each layer's input shape comes from its ``build_config``, or
else from the layer feeding it; its output shape is worked out as Keras does.
Recurrent layers, ``Bidirectional`` (with its merge mode), ``RNN`` over cells,
``TimeDistributed``, ``Dense`` and ``Embedding`` become ``LayerSpec``s; the
convolutions, normalizations and attention layers become the tensors Keras
gives them (``batch_normalization/gamma``); layers without weights pass their
shape on. A layer still not counted (a custom class) is counted from the weights
file's ``datasets`` when they hold it, and otherwise listed as not counted, and
the summary says it is incomplete. Weights of layers with ``trainable: false``
and the moving statistics of ``BatchNormalization`` are non-trainable.
"""

from __future__ import annotations

import math
import re

from lstm_params._errors import InvalidSpecError
from lstm_params._memory import DType
from lstm_params._spec import LayerSpec
from lstm_params._summary import Summary
from lstm_params._weight import Weight

from . import _safe
from ._safe import check_name, check_size, loads_json, short

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from .hdf5 import Dataset

    Shape = tuple[int | None, ...]

__all__ = ["from_keras_config", "summary_from_config"]

_RECURRENT = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn", "CuDNNLSTM": "lstm"}
_RECURRENT |= {"CuDNNGRU": "gru"}
_STATES = {"lstm": 2, "gru": 1, "rnn": 1}
_CELLS = {"LSTMCell": "lstm", "GRUCell": "gru", "SimpleRNNCell": "rnn", "PeepholeLSTMCell": "lstm"}
_CONVLSTM = {"ConvLSTM1D": 1, "ConvLSTM2D": 2, "ConvLSTM3D": 3}
_MODELS = frozenset({"Sequential", "Functional", "Model"})
_SPECS = frozenset({"Dense", "Embedding", "Bidirectional", "RNN"})
# Layers without weights whose output has the input's shape (the first input's).
_SAME = frozenset(
    {
        "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
        "GaussianNoise", "GaussianDropout", "AlphaDropout", "Activation", "ReLU", "LeakyReLU",
        "ELU", "PReLU", "Softmax", "Masking", "ActivityRegularization", "Identity",
        "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum",
    }
)  # fmt: skip
_GLOBAL_POOLING = frozenset(
    f"Global{kind}Pooling{rank}D" for kind in ("Average", "Max") for rank in (1, 2, 3)
)
_POOLING = {f"{kind}Pooling{rank}D": rank for kind in ("Average", "Max") for rank in (1, 2, 3)}
# Layers without weights whose output shape this reader does not work out.
_UNKNOWN_SHAPE = frozenset(
    {"Lambda", "Dot", "Cropping2D", "Cropping3D", "ZeroPadding2D", "ZeroPadding3D"}
    | {"UpSampling2D", "UpSampling3D"}
)
_CONV = {f"Conv{rank}D": rank for rank in (1, 2, 3)} | {
    f"Convolution{rank}D": rank for rank in (1, 2, 3)
}
_TRANSPOSE = {f"Conv{rank}DTranspose": rank for rank in (1, 2, 3)}
_SEPARABLE = {f"SeparableConv{rank}D": rank for rank in (1, 2)}
_DEPTHWISE = {f"DepthwiseConv{rank}D": rank for rank in (1, 2)}
_NORMALIZATION = frozenset({"BatchNormalization", "LayerNormalization", "GroupNormalization"})
_ATTENTION = frozenset({"MultiHeadAttention", "Attention", "AdditiveAttention"})


def from_keras_config(config: str | bytes | dict[str, Any]) -> Summary:
    """Count a Keras model from its configuration: ``model.to_json()`` text or its dict.

    The dict may be what ``model.get_config()`` or
    ``keras.saving.serialize_keras_object(model)`` returns.

    >>> import json
    >>> model = {"class_name": "Sequential", "config": {"layers": [
    ...     {"class_name": "InputLayer", "config": {"batch_shape": [None, 16, 4096]}},
    ...     {"class_name": "LSTM", "config": {"name": "lstm", "units": 200}},
    ... ]}}
    >>> summary = from_keras_config(json.dumps(model))
    >>> summary.params, summary.output_shapes
    (3437600, ((None, 200),))
    """
    if isinstance(config, str | bytes):
        return summary_from_config(loads_json(config, "Keras configuration"))
    return summary_from_config(config)


def summary_from_config(data: object, *, datasets: Sequence[Dataset] = ()) -> Summary:
    """Count a parsed Keras configuration (any JSON value: it is checked here).

    ``datasets`` are the tensors of the model's weights file (``.h5``, or a
    ``.keras`` archive's ``model.weights.h5``): they count the layers the
    configuration cannot (with a warning), and the optimizer's variables.
    """
    return _Reader(datasets).model(data)


class _Reader:
    """One pass over a model's layers, in order, keeping each layer's output shape."""

    def __init__(self, datasets: Sequence[Dataset]) -> None:
        self.specs: list[LayerSpec] = []
        self.names: list[str] = []
        self.classes: list[str] = []
        self.tensor_names: list[tuple[str, ...]] = []
        self.output_shapes: list[object] = []
        self.tensors: list[Weight] = []
        self.uncounted: list[tuple[str, str, str]] = []
        self.non_trainable = 0
        self.warnings: list[str] = []
        self.datasets = datasets
        self.shapes: dict[str, object] = {}  # every layer's full name -> its output shape
        self.path = ""  # where Keras 3 saves the weights of the layer being read
        self.visited = 0

    def model(self, data: object) -> Summary:
        kind, config = _top(data)
        self.graph(kind, config, "", None, trainable=True, depth=0, path="")
        optimizer = sum(
            math.prod(d.shape)
            for d in self.datasets
            if d.path.startswith(("optimizer/", "optimizer_weights/"))
        )
        return Summary(
            tuple(self.specs),
            tuple(self.names),
            DType.FLOAT32,
            tensors=tuple(self.tensors),
            uncounted=tuple(self.uncounted),
            non_trainable=self.non_trainable,
            optimizer=optimizer,
            warnings=tuple(self.warnings),
            output_shapes=tuple(self.output_shapes),
            classes=tuple(self.classes),
            tensor_names=tuple(self.tensor_names),
        )

    def graph(  # noqa: PLR0913
        self,
        kind: str,
        config: dict[str, Any],
        prefix: str,
        shape: object,
        *,
        trainable: bool,
        depth: int,
        path: str,
    ) -> object:
        """Count a model's layers; return its output shape.

        Keras 3 saves a layer's weights under ``layers/`` and its class in snake
        case, numbered from the second of a class on (``dense``, ``dense_1``).
        """
        layers = config.get("layers")
        if not isinstance(layers, list | tuple):
            msg = f"the {kind} model's config has no 'layers' list (got {type(layers).__name__})"
            raise InvalidSpecError(msg)
        _check_layers(len(layers), "the model has")
        trainable = trainable and _flag(config, "trainable", f"the {kind} model", default=True)
        if shape is None:
            shape = _shape_or_none(config.get("build_input_shape"), f"the {kind} model")
        outputs: dict[str, list[object]] = {}
        used: dict[str, int] = {}
        for index, entry in enumerate(layers):
            layer = _table(entry, f"layers[{index}]")
            where = f"layers[{index}]"
            nodes = layer.get("inbound_nodes")
            if kind != "Sequential":
                shape = _inbound(nodes, outputs)
            snake = _snake_case(layer.get("class_name"))
            used[snake] = used.get(snake, -1) + 1
            saved = f"{path}/layers/{snake}" if path else f"layers/{snake}"
            saved += f"_{used[snake]}" if used[snake] else ""
            shape = self.layer(
                layer, where, shape, prefix, trainable=trainable, depth=depth, path=saved
            )
            name = self.last_name
            count = len(nodes) if isinstance(nodes, list | tuple) and nodes else 1
            outputs[name] = [shape] * count  # a shared layer gives the same shape each call
        if kind == "Sequential":
            return shape
        ends = config.get("output_layers")
        if isinstance(ends, list | tuple) and ends and isinstance(ends[0], str):
            return _history(ends, outputs)  # a single [name, node, tensor]
        found = [_history(end, outputs) for end in ends] if isinstance(ends, list | tuple) else []
        return found[0] if len(found) == 1 else (found or shape)

    def layer(  # noqa: PLR0913
        self,
        layer: dict[str, Any],
        where: str,
        shape: object,
        prefix: str,
        *,
        trainable: bool,
        depth: int,
        path: str,
        rename: str | None = None,
    ) -> object:
        """Count one layer seen with input ``shape``; return its output shape."""
        self.visited += 1
        _check_layers(self.visited, "the model has")
        self.path = path
        cls = _text(layer, "class_name", where)
        config = _table(layer.get("config"), f"{where} ({cls}) config")
        name = config.get("name", layer.get("name", f"{cls.lower()}_{len(self.shapes)}"))
        name = check_name(name, where) if isinstance(name, str) else short(name)
        where = f"{where} ({cls} {name!r})"
        full = prefix + (rename or name)
        trainable = trainable and _flag(config, "trainable", where, default=True)
        declared = _declared(config, where)
        shape = _build_shape(layer, where) or shape or declared  # Keras 2: the first layer
        if cls == "InputLayer":
            out = declared or shape
        elif cls in _MODELS:
            if depth >= _safe.MAX_WRAPPERS:
                msg = f"{where}: models nested more than {_safe.MAX_WRAPPERS} deep"
                raise InvalidSpecError(msg)
            out = self.graph(
                cls, config, f"{full}/", shape, trainable=trainable, depth=depth + 1, path=path
            )
        elif cls == "TimeDistributed":
            out = self._time_distributed(
                config, where, shape, full, trainable=trainable, depth=depth
            )
        elif cls in _RECURRENT or cls in _CONVLSTM or cls in _SPECS:
            out = self._specs(cls, config, where, shape, full, trainable=trainable)
        elif cls in _SAME or cls in _GLOBAL_POOLING or cls in _POOLING or cls in _SHAPERS:
            out = _reshape(cls, config, where, shape)
        elif cls in _UNKNOWN_SHAPE:
            out = None
        else:
            out = self._tensors(cls, config, where, shape, full, trainable=trainable)
        self.shapes[full] = out
        self.last_name = name
        return out

    def _time_distributed(  # noqa: PLR0913
        self,
        config: dict[str, Any],
        where: str,
        shape: object,
        full: str,
        *,
        trainable: bool,
        depth: int,
    ) -> object:
        if depth >= _safe.MAX_WRAPPERS:
            msg = f"{where}: wrappers nested more than {_safe.MAX_WRAPPERS} deep"
            raise InvalidSpecError(msg)
        inner = _table(config.get("layer"), f"{where} layer")
        steps = shape[:2] if isinstance(shape, tuple) and len(shape) > 1 else None
        step = (shape[0], *shape[2:]) if steps and isinstance(shape, tuple) else None
        count = len(self.specs)
        out = self.layer(
            inner,
            f"{where} layer",
            step,
            "",
            trainable=trainable,
            depth=depth + 1,
            path=f"{self.path}/layer",
            rename=full,
        )
        for index in range(count, len(self.specs)):
            self.classes[index] = f"TimeDistributed({self.classes[index]})"
            # Keras 3 keeps the inner layer's name under the wrapper's (tf.keras 2 drops it)
            weights = self.specs[index].weights()
            self.tensor_names[index] = tuple(f"{full}/{w.name}" for w in weights)
            self.output_shapes[index] = _over_time(self.output_shapes[index], steps)
        return _over_time(out, steps)

    def _specs(  # noqa: PLR0913
        self,
        cls: str,
        config: dict[str, Any],
        where: str,
        shape: object,
        full: str,
        *,
        trainable: bool,
    ) -> object:
        if cls == "RNN" and "cell" not in config:
            return self._tensors(cls, config, where, shape, full, trainable=trainable)
        if cls == "Embedding":
            spec = _spec(
                where, "embedding", config, "output_dim", _field(config, "input_dim", where)
            )
            length = config.get("input_length")
            if not isinstance(shape, tuple) and (length is None or _size(length)):
                shape = (None, length)
            found = (*shape, spec.num_units) if isinstance(shape, tuple) else None
            return self._add(full, [spec], found, trainable=trainable)
        width = _width(shape, cls, config, where)
        if width is None or not isinstance(shape, tuple):
            return self._unknown(cls, full, trainable=trainable)
        if cls == "Bidirectional":
            return self._bidirectional(config, full, where, shape, width, trainable=trainable)
        if cls == "RNN":
            specs = []
            cells = _cells(config, where)
            _check_layers(len(self.specs) + len(cells), f"{where}: the model has")
            for cell in cells:
                specs.append(_cell_spec(cell, where, width))
                width = specs[-1].output_dim
            ends = _recurrent_shape(config, shape, width, _STATES[specs[-1].kind.value])
            return self._add(full, specs, ends, trainable=trainable)
        spec = _layer_spec(cls, config, where, width)
        out: object
        if cls == "Dense":
            out = (*shape[:-1], spec.num_units)
        elif cls in _CONVLSTM:
            out = _convlstm_shape(cls, config, where, shape, spec.num_units)
        else:
            out = _recurrent_shape(config, shape, spec.num_units, _STATES[spec.kind.value])
        return self._add(full, [spec], out, trainable=trainable)

    def _bidirectional(  # noqa: PLR0913
        self,
        config: dict[str, Any],
        name: str,
        where: str,
        shape: Shape,
        width: int,
        *,
        trainable: bool,
    ) -> object:
        inner = _table(config.get("layer"), f"{where} layer")
        forward = _layer_spec(_recurrent(inner, where), _inner(inner, where), where, width)
        backward_entry = config.get("backward_layer")
        merge = config.get("merge_mode", "concat")
        if merge is not None and not isinstance(merge, str):
            msg = f"{where}: 'merge_mode' must be a string or null, got {type(merge).__name__}"
            raise TypeError(msg)
        if merge not in {"concat", "sum", "mul", "ave", None}:
            msg = f"{where}: 'merge_mode' {merge!r:.40} is not concat, sum, mul, ave or null"
            raise InvalidSpecError(msg)
        inner_config = _inner(inner, where)
        one = _sequence_shape(inner_config, shape, forward.num_units)
        backward = forward
        if backward_entry is not None:
            backward_layer = _table(backward_entry, f"{where} backward_layer")
            backward = _layer_spec(
                _recurrent(backward_layer, where), _inner(backward_layer, where), where, width
            )
        other = (*one[:-1], backward.output_dim)
        out: object
        if merge == "concat":
            out = (*one[:-1], forward.output_dim + backward.output_dim)
        elif merge is None:
            out = [one, other]
        else:
            out = one
        both = _with(forward, bidirectional=True, merge_mode=merge)
        if _with(backward, bidirectional=True, merge_mode=merge) == both:
            self._add(name, [both], out, trainable=trainable)
        else:
            self._add(f"{name}/forward", [forward], out, trainable=trainable)
            self._add(f"{name}/backward", [backward], out, trainable=trainable)
        return out

    def _add(self, name: str, specs: list[LayerSpec], out: object, *, trainable: bool) -> object:
        _check_layers(len(self.specs) + len(specs), "the model has")
        for index, spec in enumerate(specs):
            self.specs.append(spec)
            self.names.append(name if len(specs) == 1 else f"{name}/cell_{index}")
            # Keras names a variable by its layer: lstm_4/lstm_cell/kernel, not lstm/...
            self.tensor_names.append(
                tuple(f"{name}/{w.name.partition('/')[2]}" for w in spec.weights())
            )
            self.classes.append(spec.layer_name)
            self.output_shapes.append(out)
            if not trainable:
                self.non_trainable += spec.params
        return out

    def _tensors(  # noqa: PLR0913
        self,
        cls: str,
        config: dict[str, Any],
        where: str,
        shape: object,
        full: str,
        *,
        trainable: bool,
    ) -> object:
        """A layer counted as the tensors Keras gives it; its output shape."""
        found = _weights(cls, config, where, shape)
        if found is None:
            return self._unknown(cls, full, trainable=trainable)
        weights, out = found
        _check_tensors(len(self.tensors) + len(weights))
        for variable, dims, trains in weights:
            weight = Weight(f"{full}/{variable}", dims)
            self.tensors.append(weight)
            if not (trainable and trains):
                self.non_trainable += weight.size
        return out

    def _unknown(self, cls: str, full: str, *, trainable: bool) -> object:
        """A layer the configuration cannot count: from the weights file, or not counted."""
        starts = (f"model_weights/{full}/", f"{self.path}/")
        found = [d for d in self.datasets if d.path.startswith(starts)]
        if not found:
            reason = (
                "lstm_params does not count this layer"
                if cls not in {*_RECURRENT, *_CONVLSTM, "Dense", "Bidirectional", "RNN"}
                else "its input width is not in the file"
            )
            self.uncounted.append((full, cls, reason))
            return None
        _check_tensors(len(self.tensors) + len(found))
        for dataset in found:
            start = next(start for start in starts if dataset.path.startswith(start))
            weight = Weight(f"{full}/{dataset.path[len(start) :]}", dataset.shape)
            self.tensors.append(weight)
            if not trainable:
                self.non_trainable += weight.size
        self.warnings.append(f"{full} ({cls}): counted from the weights file's tensors")
        return None


def _top(data: object) -> tuple[str, dict[str, Any]]:
    """The model's class and config, in every form Keras writes them."""
    top = _table(data, "the model")
    if "class_name" not in top and "layers" in top:  # model.get_config()
        return ("Functional" if "input_layers" in top else "Sequential"), top
    kind = _text(top, "class_name", "the model")
    return kind, _table(top.get("config"), f"the {kind} model's config")


def _snake_case(name: object) -> str:
    """Keras' ``to_snake_case`` of a class name: ``ConvLSTM2D`` is ``conv_lstm2d``."""
    text = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name if isinstance(name, str) else "")
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", text).lower()


def _check_layers(count: int, what: str) -> None:
    if count > _safe.MAX_LAYERS:
        msg = f"{what} {count:,} layers and cells, more than the {_safe.MAX_LAYERS:,} read"
        raise InvalidSpecError(msg)


def _check_tensors(count: int) -> None:
    if count > _safe.MAX_TENSORS:
        msg = f"the model has {count:,} tensors, more than the {_safe.MAX_TENSORS:,} read"
        raise InvalidSpecError(msg)


def _inbound(nodes: object, outputs: dict[str, list[object]]) -> object:
    """The shape (or shapes) a functional model's layer receives at its first call."""
    if not isinstance(nodes, list | tuple) or not nodes:
        return None
    node = nodes[0]
    if isinstance(node, dict):  # Keras 3: {"args": [{"config": {"shape": [...], ...}}]}
        args = node.get("args")
        if not isinstance(args, list | tuple) or not args:
            return None
        found = [_tensor(arg, outputs) for arg in args]
        return found[0] if len(found) == 1 else found
    if isinstance(node, list | tuple) and node:  # tf.keras 2: [["layer_name", 0, 0, {}], ...]
        found = [_history(entry, outputs) for entry in node]
        return found[0] if len(found) == 1 else found
    return None


def _tensor(arg: object, outputs: dict[str, list[object]]) -> object:
    if isinstance(arg, list | tuple):
        return [_tensor(one, outputs) if isinstance(one, dict) else None for one in arg]
    tensor = arg.get("config") if isinstance(arg, dict) else None
    if not isinstance(tensor, dict):
        return None
    shape = _shape_or_none(tensor.get("shape"), "an inbound tensor")
    return shape if shape is not None else _history(tensor.get("keras_history"), outputs)


def _history(entry: object, outputs: dict[str, list[object]]) -> object:
    """The shape ``[layer_name, node_index, tensor_index]`` names."""
    if not isinstance(entry, list | tuple) or not entry or not isinstance(entry[0], str):
        return None
    calls = outputs.get(entry[0], [None])
    node = entry[1] if len(entry) > 1 and isinstance(entry[1], int) else 0
    out = calls[node] if 0 <= node < len(calls) else calls[0]
    tensor = entry[2] if len(entry) > 2 and isinstance(entry[2], int) else 0  # noqa: PLR2004
    if isinstance(out, list):
        return out[tensor] if 0 <= tensor < len(out) else None
    return out


def _layer_spec(cls: str, config: dict[str, Any], where: str, width: int) -> LayerSpec:
    if cls in _RECURRENT:
        options: dict[str, Any] = {
            "return_sequences": _flag(config, "return_sequences", where, default=False)
        }
        if cls.startswith("CuDNN"):
            options["cudnn"] = True
        elif cls == "GRU":
            options["reset_after"] = _flag(config, "reset_after", where, default=True)
        return _spec(where, _RECURRENT[cls], config, "units", width, **options)
    if cls in _CONVLSTM:
        kernel = _ints(config.get("kernel_size"), _CONVLSTM[cls], where, "kernel_size")
        return _spec(
            where,
            "convlstm",
            config,
            "filters",
            width,
            kernel_size=kernel,
            return_sequences=_flag(config, "return_sequences", where, default=False),
        )
    return _spec(where, "dense", config, "units", width)


def _recurrent(entry: dict[str, Any], where: str) -> str:
    """The class of the layer a ``Bidirectional`` wraps, which must be recurrent."""
    cls = _text(entry, "class_name", where)
    if cls not in _RECURRENT and cls not in _CONVLSTM:
        msg = f"{where}: a {cls} layer where a recurrent layer was expected"
        raise InvalidSpecError(msg)
    return cls


def _cell_spec(cell: dict[str, Any], where: str, width: int) -> LayerSpec:
    cls = _text(cell, "class_name", where)
    if cls not in _CELLS:
        msg = f"{where}: RNN cell {cls!r:.80} is not one of {sorted(_CELLS)}"
        raise InvalidSpecError(msg)
    config = _inner(cell, where)
    options: dict[str, Any] = {}
    if cls == "GRUCell":
        options["reset_after"] = _flag(config, "reset_after", where, default=True)
    elif cls == "PeepholeLSTMCell":
        options |= {"peepholes": True, "cell": True}
    return _spec(where, _CELLS[cls], config, "units", width, **options)


def _cells(config: dict[str, Any], where: str) -> list[dict[str, Any]]:
    cell = config.get("cell")
    if isinstance(cell, dict) and cell.get("class_name") == "StackedRNNCells":
        cell = _inner(cell, where).get("cells")
    cells = list(cell) if isinstance(cell, list | tuple) else [cell]
    if not cells:
        msg = f"{where}: an RNN without cells"
        raise InvalidSpecError(msg)
    return [_table(c, f"{where} cell") for c in cells]


def _spec(
    where: str,
    kind: str,
    config: dict[str, Any],
    size: str,
    width: int,
    **options: Any,  # noqa: ANN401
) -> LayerSpec:
    units = _field(config, size, where)
    try:
        return LayerSpec(
            kind,
            units,
            width,
            bias=_flag(config, "use_bias", where, default=True) if kind != "embedding" else True,
            **options,
        )
    except (InvalidSpecError, TypeError) as error:
        msg = f"{where}: {error}"
        raise InvalidSpecError(msg) from None


def _with(spec: LayerSpec, **changes: Any) -> LayerSpec:  # noqa: ANN401
    return LayerSpec(**spec.to_dict() | changes)


# ------------------------------------------------------------------ shapes
def _shape(value: object, where: str) -> Shape:
    """A shape from the file: sizes or null, the last one positive."""
    if not isinstance(value, list | tuple):
        msg = f"{where}: a shape must be a list, got {short(value)}"
        raise InvalidSpecError(msg)
    for index, size in enumerate(value):
        if size is None:
            continue
        last = index == len(value) - 1
        if not isinstance(size, int) or isinstance(size, bool) or size < int(last):
            rule = "end in a positive integer or null" if last else "hold sizes or null"
            msg = f"{where}: a shape must {rule}, got {short(value)}"
            raise InvalidSpecError(msg)
        check_size(size, where)
    return tuple(value)


def _shape_or_none(value: object, where: str) -> Shape | None:
    return _shape(value, where) if isinstance(value, list | tuple) and value else None


def _build_shape(layer: dict[str, Any], where: str) -> object:
    """The input shape (or shapes) in the layer's ``build_config``."""
    build = layer.get("build_config")
    if not isinstance(build, dict):
        return None
    shape = build.get("input_shape")
    if isinstance(shape, list | tuple) and shape and isinstance(shape[0], list | tuple):
        return [_shape(one, where) for one in shape]
    shapes = build.get("shapes_dict")
    if isinstance(shapes, dict) and isinstance(shapes.get("query_shape"), list | tuple):
        return [
            _shape(shapes[key], where)
            for key in ("query_shape", "value_shape", "key_shape")
            if isinstance(shapes.get(key), list | tuple)
        ]
    return _shape_or_none(shape, where)


def _declared(config: dict[str, Any], where: str) -> Shape | None:
    """The input shape a layer declares: ``batch_shape``, or Keras 2's ``input_shape``."""
    for key in ("batch_shape", "batch_input_shape"):
        shape = _shape_or_none(config.get(key), where)
        if shape is not None:
            return shape
    shape = _shape_or_none(config.get("input_shape"), where)
    return None if shape is None else (None, *shape)


def _width(shape: object, cls: str, config: dict[str, Any], where: str) -> int | None:
    """The input's feature size a layer is built on (ConvLSTM: its channels)."""
    if not isinstance(shape, tuple) or not shape:
        return None
    if cls in _CONVLSTM and config.get("data_format") == "channels_first":
        return _last(shape[:3], where)  # (batch, time, channels, ...)
    return _last(shape, where)


def _last(shape: Shape, where: str) -> int | None:
    last = shape[-1]
    if last is None:
        return None
    if last < 1:
        msg = f"{where}: a shape must end in a positive integer or null, got {short(shape)}"
        raise InvalidSpecError(msg)
    return last


def _over_time(shape: object, steps: Shape | None) -> object:
    if steps is None:
        return None
    if isinstance(shape, list):
        return [_over_time(one, steps) for one in shape]
    return (*steps, *shape[1:]) if isinstance(shape, tuple) else None


def _sequence_shape(config: dict[str, Any], shape: Shape, units: int) -> Shape:
    if config.get("return_sequences") is True:
        return (shape[0], shape[1] if len(shape) > 2 else None, units)  # noqa: PLR2004
    return (shape[0], units)


def _recurrent_shape(config: dict[str, Any], shape: Shape, units: int, states: int) -> object:
    out = _sequence_shape(config, shape, units)
    if config.get("return_state") is True:
        return [out, *[(shape[0], units)] * states]
    return out


def _convlstm_shape(
    cls: str, config: dict[str, Any], where: str, shape: Shape, filters: int
) -> object:
    rank = _CONVLSTM[cls]
    first = config.get("data_format") == "channels_first"
    spatial = shape[3:] if first else shape[2:-1]
    if len(spatial) != rank:
        return None
    sizes = _conv_sizes(config, where, spatial, rank)
    step = (filters, *sizes) if first else (*sizes, filters)
    every = config.get("return_sequences") is True
    out = (shape[0], shape[1], *step) if every else (shape[0], *step)
    if config.get("return_state") is True:
        return [out, (shape[0], *step), (shape[0], *step)]
    return out


def _ints(value: object, rank: int, where: str, key: str) -> tuple[int, ...] | None:
    if value is None:
        return None
    values = [value] * rank if isinstance(value, int) else value
    if (
        not isinstance(values, list | tuple)
        or len(values) != rank
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in values)
    ):
        msg = f"{where}: {key!r} must be {rank} positive integers, got {short(value)}"
        raise InvalidSpecError(msg)
    return tuple(check_size(list(values), f"{where} {key}"))


def _conv_sizes(
    config: dict[str, Any], where: str, spatial: Shape, rank: int, *, transpose: bool = False
) -> Shape:
    kernel = _ints(config.get("kernel_size"), rank, where, "kernel_size") or (1,) * rank
    strides = _ints(config.get("strides", 1), rank, where, "strides") or (1,) * rank
    dilation = _ints(config.get("dilation_rate", 1), rank, where, "dilation_rate") or (1,) * rank
    padding = config.get("padding", "valid")
    sizes: list[int | None] = []
    for size, k, s, d in zip(spatial, kernel, strides, dilation, strict=True):
        span = (k - 1) * d + 1
        if size is None:
            sizes.append(None)
        elif transpose:
            sizes.append(size * s + max(span - s, 0) if padding == "valid" else size * s)
        elif padding == "valid":
            sizes.append(max((size - span) // s + 1, 0))
        else:  # "same", "causal"
            sizes.append(-(-size // s))
    return tuple(sizes)


def _reshape(cls: str, config: dict[str, Any], where: str, shape: object) -> object:  # noqa: C901, PLR0911
    """The output shape of a layer without weights."""
    if cls == "Reshape":  # needs no input shape
        return _reshaped(config, where, shape if isinstance(shape, tuple) and shape else (None,))
    if isinstance(shape, list):
        if cls == "Concatenate":
            return _concatenate(config, shape)
        return shape[0] if cls in _SAME and shape else None
    if not isinstance(shape, tuple) or not shape:
        return None
    first = config.get("data_format") == "channels_first"
    if cls in _SAME:
        return shape
    if cls in _GLOBAL_POOLING:
        if len(shape) < 2:  # noqa: PLR2004
            return None
        channels = shape[1] if first else shape[-1]
        if config.get("keepdims") is True:
            ones = (1,) * (len(shape) - 2)
            return (shape[0], channels, *ones) if first else (shape[0], *ones, channels)
        return (shape[0], channels)
    if cls in _POOLING:
        rank = _POOLING[cls]
        pool = _ints(config.get("pool_size", 2), rank, where, "pool_size")
        local = {
            "kernel_size": pool,
            "strides": config.get("strides") or pool,
            "padding": config.get("padding", "valid"),
        }
        spatial = shape[2:] if first else shape[1:-1]
        if len(spatial) != rank:
            return None
        sizes = _conv_sizes(local, where, spatial, rank)
        return (shape[0], shape[1], *sizes) if first else (shape[0], *sizes, shape[-1])
    return _SHAPERS[cls](config, where, shape)


def _flatten(config: dict[str, Any], where: str, shape: Shape) -> Shape:  # noqa: ARG001
    rest = shape[1:]
    return (shape[0], None if None in rest else math.prod(s or 0 for s in rest))


def _reshaped(config: dict[str, Any], where: str, shape: Shape) -> Shape:
    target = _shape(config.get("target_shape"), where) if config.get("target_shape") else ()
    return (shape[0], *target)


def _repeat(config: dict[str, Any], where: str, shape: Shape) -> Shape:
    return (shape[0], _count(config, "n", where), *shape[1:])


def _permute(config: dict[str, Any], where: str, shape: Shape) -> Shape | None:  # noqa: ARG001
    dims = config.get("dims")
    if not isinstance(dims, list | tuple) or not _is_order(dims, len(shape)):
        return None
    return (shape[0], *(shape[d] for d in dims))


def _is_order(dims: object, rank: int) -> bool:
    """Whether ``dims`` are the axes ``1 .. rank - 1`` in some order."""
    if not isinstance(dims, list | tuple) or not all(type(d) is int for d in dims):
        return False
    return sorted(dims) == list(range(1, rank))


def _concatenate(config: dict[str, Any], shapes: list[object]) -> Shape | None:
    axis = config.get("axis", -1)
    if not all(isinstance(s, tuple) for s in shapes) or not isinstance(axis, int) or not shapes:
        return None
    first: Shape = shapes[0]  # type: ignore[assignment]
    if not -len(first) <= axis < len(first) or any(len(s) != len(first) for s in shapes):  # type: ignore[arg-type]
        return None
    sizes = [s[axis] for s in shapes]  # type: ignore[index]
    out = list(first)
    out[axis] = None if None in sizes else sum(sizes)
    return tuple(out)


def _padding1d(config: dict[str, Any], where: str, shape: Shape) -> Shape | None:
    key = "cropping" if "cropping" in config else "padding"
    value = config.get(key, 1)
    pair = (value, value) if isinstance(value, int) else value
    if (
        not isinstance(pair, list | tuple)
        or len(pair) != 2  # noqa: PLR2004
        or len(shape) != 3  # noqa: PLR2004
        or not all(isinstance(end, int) and end >= 0 for end in pair)
    ):
        return None
    ends = check_size(list(pair), where)
    sign = -1 if key == "cropping" else 1
    steps = shape[1]
    if steps is not None and steps + sign * sum(ends) < 0:
        return None
    return (shape[0], None if steps is None else steps + sign * sum(ends), shape[2])


def _upsampling1d(config: dict[str, Any], where: str, shape: Shape) -> Shape:
    size = _count(config, "size", where, 2)
    steps = shape[1] if len(shape) > 1 else None
    return (shape[0], None if steps is None else steps * size, *shape[2:])


_SHAPERS = {
    "Flatten": _flatten,
    "Reshape": _reshaped,
    "RepeatVector": _repeat,
    "Permute": _permute,
    "Concatenate": lambda config, where, shape: shape,  # noqa: ARG005 - one input: itself
    "Cropping1D": _padding1d,
    "ZeroPadding1D": _padding1d,
    "UpSampling1D": _upsampling1d,
}

# ----------------------------------------------------------------- tensors
WeightList = list[tuple[str, tuple[int, ...], bool]]
Weights = tuple[WeightList, object]


def _weights(cls: str, config: dict[str, Any], where: str, shape: object) -> Weights | None:
    """The tensors Keras gives a layer (name, shape, trains) and its output shape."""
    if cls in _ATTENTION:
        return _attention(cls, config, where, shape)
    if not isinstance(shape, tuple) or len(shape) < 2:  # noqa: PLR2004
        return None
    first = config.get("data_format") == "channels_first"
    channels = shape[1] if first else shape[-1]
    bias = _flag(config, "use_bias", where, default=True)
    if cls in _NORMALIZATION:
        return _normalization(cls, config, where, shape)
    if channels is None:
        return None
    rank = _CONV.get(cls) or _TRANSPOSE.get(cls) or _SEPARABLE.get(cls) or _DEPTHWISE.get(cls) or 0
    spatial = shape[2:] if first else shape[1:-1]
    if not rank or len(spatial) != rank:
        return None
    kernel = _ints(config.get("kernel_size"), rank, where, "kernel_size") or (1,) * rank
    sizes = _conv_sizes(config, where, spatial, rank, transpose=cls in _TRANSPOSE)
    weights: WeightList
    if cls in _DEPTHWISE:
        filters = channels * _count(config, "depth_multiplier", where, 1)
        weights = [("kernel", (*kernel, channels, filters // channels), True)]
    else:
        filters = _count(config, "filters", where)
        if cls in _SEPARABLE:
            multiplier = _count(config, "depth_multiplier", where, 1)
            weights = [
                ("depthwise_kernel", (*kernel, channels, multiplier), True),
                ("pointwise_kernel", (*(1,) * rank, channels * multiplier, filters), True),
            ]
        elif cls in _TRANSPOSE:
            weights = [("kernel", (*kernel, filters, channels), True)]
        else:
            groups = _count(config, "groups", where, 1)
            weights = [("kernel", (*kernel, channels // groups, filters), True)]
    if bias:
        weights.append(("bias", (filters,), True))
    out = (shape[0], filters, *sizes) if first else (shape[0], *sizes, filters)
    return weights, out


def _normalization(cls: str, config: dict[str, Any], where: str, shape: Shape) -> Weights | None:
    axis = config.get("axis", -1)
    axes = list(axis) if isinstance(axis, list | tuple) else [axis]
    if not all(isinstance(a, int) and -len(shape) <= a < len(shape) for a in axes):
        msg = f"{where}: 'axis' {short(axis)} is not an axis of {short(shape)}"
        raise InvalidSpecError(msg)
    sizes = tuple(size for size in (shape[a] for a in axes) if size is not None)
    if len(sizes) < len(axes):
        return None
    if cls in {"BatchNormalization", "GroupNormalization"}:
        sizes = (math.prod(sizes),)
    weights: WeightList = []
    if _flag(config, "scale", where, default=True):
        weights.append(("gamma", sizes, True))
    if _flag(config, "center", where, default=True) and config.get("rms_scaling") is not True:
        weights.append(("beta", sizes, True))
    if cls == "BatchNormalization":
        weights += [("moving_mean", sizes, False), ("moving_variance", sizes, False)]
    return weights, shape


def _attention(cls: str, config: dict[str, Any], where: str, shape: object) -> Weights | None:  # noqa: C901
    shapes = shape if isinstance(shape, list) else [shape]
    if not shapes or not all(isinstance(s, tuple) and s and s[-1] for s in shapes):
        return None
    given = [config.get(k) for k in ("query_shape", "value_shape", "key_shape")]
    if all(isinstance(g, list | tuple) for g in given):  # tf.keras 2 writes them
        shapes = [_shape(g, where) for g in given]
    query: Shape = shapes[0]  # type: ignore[assignment]
    value: Shape = shapes[1] if len(shapes) > 1 else query  # type: ignore[assignment]
    key: Shape = shapes[2] if len(shapes) > 2 else value  # type: ignore[assignment]  # noqa: PLR2004
    widths = [size or 0 for size in (query[-1], value[-1], key[-1])]  # known: checked above
    weights: WeightList = []
    if cls != "MultiHeadAttention":
        out = (*query[:-1], value[-1])
        if cls == "AdditiveAttention":
            if _flag(config, "use_scale", where, default=True):
                weights.append(("scale", (widths[0],), True))
            return weights, out
        if _flag(config, "use_scale", where, default=False):
            weights.append(("scale", (), True))
        if config.get("score_mode") == "concat":
            weights.append(("concat_score_weight", (), True))
        return weights, out
    heads = _count(config, "num_heads", where)
    key_dim = _count(config, "key_dim", where)
    value_dim = _count(config, "value_dim", where, key_dim) if config.get("value_dim") else key_dim
    bias = _flag(config, "use_bias", where, default=True)
    wanted = config.get("output_shape")
    rank = len(wanted) if isinstance(wanted, list | tuple) else 1
    ends = (widths[0],) if wanted is None else _ints(wanted, rank, where, "output_shape") or ()
    for part, width, size in (
        ("query", widths[0], key_dim),
        ("key", widths[2], key_dim),
        ("value", widths[1], value_dim),
    ):
        weights.append((f"{part}/kernel", (width, heads, size), True))
        if bias:
            weights.append((f"{part}/bias", (heads, size), True))
    weights.append(("attention_output/kernel", (heads, value_dim, *ends), True))
    if bias:
        weights.append(("attention_output/bias", ends, True))
    return weights, (*query[:-1], *ends)


# ----------------------------------------------------------------- values
def _inner(entry: dict[str, Any], where: str) -> dict[str, Any]:
    return _table(entry.get("config"), f"{where} config")


def _table(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        msg = f"{where} must be a JSON object, got {type(value).__name__}"
        raise InvalidSpecError(msg)
    return value


def _text(table: dict[str, Any], key: str, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str):
        msg = f"{where}: {key!r} must be a string, got {short(value)}"
        raise InvalidSpecError(msg)
    return check_name(value, where)


def _field(config: dict[str, Any], key: str, where: str) -> Any:  # noqa: ANN401
    if key not in config:
        msg = f"{where}: the config has no {key!r}"
        raise InvalidSpecError(msg)
    return check_size(config[key], f"{where}: {key!r}")


def _size(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _safe.MAX_SIZE


def _count(config: dict[str, Any], key: str, where: str, default: int | None = None) -> int:
    """A positive integer from the config (``default`` when it is missing)."""
    value = config.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        msg = f"{where}: {key!r} must be a positive integer, got {short(value)}"
        raise InvalidSpecError(msg)
    return check_size(value, f"{where}: {key!r}")


def _flag(config: dict[str, Any], key: str, where: str, *, default: bool) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        msg = f"{where}: {key!r} must be true or false, got {short(value)}"
        raise InvalidSpecError(msg)
    return value
