"""Keras model configurations (``model.to_json()``, a ``.keras`` archive's ``config.json``).

Reads Keras 3 and tf.keras 2 configurations of ``Sequential`` and functional
models: each layer's input width comes from its ``build_config``, or else from
the layer feeding it. Recurrent layers, ``Bidirectional`` (with its merge mode),
``RNN`` over cells, ``TimeDistributed``, ``Dense`` and ``Embedding`` become
``LayerSpec``s; layers without weights pass their width on; any other layer is
listed as not counted, and the summary says it is incomplete.
"""

from __future__ import annotations

from lstm_params._errors import InvalidSpecError
from lstm_params._memory import DType
from lstm_params._spec import LayerSpec
from lstm_params._summary import Summary

from . import _safe
from ._safe import check_name, check_size, loads_json, short

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["from_keras_config", "summary_from_config"]

_RECURRENT = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "rnn"}
_CELLS = {"LSTMCell": "lstm", "GRUCell": "gru", "SimpleRNNCell": "rnn"}
_CONVLSTM = {"ConvLSTM1D": 1, "ConvLSTM2D": 2, "ConvLSTM3D": 3}
# Layers without weights whose output keeps the input's last dimension.
_PASS_THROUGH = frozenset(
    {
        "InputLayer", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D",
        "GaussianNoise", "GaussianDropout", "AlphaDropout", "Activation", "ReLU", "LeakyReLU",
        "ELU", "Softmax", "Masking", "ActivityRegularization", "Identity", "RepeatVector",
        "GlobalAveragePooling1D", "GlobalMaxPooling1D", "GlobalAveragePooling2D",
        "GlobalMaxPooling2D", "GlobalAveragePooling3D", "GlobalMaxPooling3D", "MaxPooling1D",
        "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
        "AveragePooling3D", "Cropping1D", "ZeroPadding1D", "UpSampling1D", "Add", "Subtract",
        "Multiply", "Average", "Maximum", "Minimum",
    }
)  # fmt: skip
# Layers without weights whose output width this reader does not work out.
_RESHAPING = frozenset({"Flatten", "Permute", "Lambda", "Concatenate", "Dot"})


def from_keras_config(config: str | dict[str, Any]) -> Summary:
    """Count a Keras model from its configuration: ``model.to_json()`` text or its dict.

    >>> import json
    >>> model = {"class_name": "Sequential", "config": {"layers": [
    ...     {"class_name": "InputLayer", "config": {"batch_shape": [None, 16, 4096]}},
    ...     {"class_name": "LSTM", "config": {"name": "lstm", "units": 200}},
    ... ]}}
    >>> from_keras_config(json.dumps(model)).params
    3437600
    """
    if isinstance(config, str):
        return summary_from_config(loads_json(config, "Keras configuration"))
    return summary_from_config(config)


def summary_from_config(data: object) -> Summary:
    """Count a parsed Keras configuration (any JSON value: it is checked here)."""
    return _Reader().model(data)


class _Reader:
    """One pass over a model's layers, in order, keeping each layer's output width."""

    def __init__(self) -> None:
        self.specs: list[LayerSpec] = []
        self.names: list[str] = []
        self.uncounted: list[tuple[str, str, str]] = []
        self.widths: dict[str, int | None] = {}  # layer name -> output width

    def model(self, data: object) -> Summary:
        top = _table(data, "the model")
        kind = _text(top, "class_name", "the model")
        config = _table(top.get("config"), f"the {kind} model's config")
        layers = config.get("layers")
        if not isinstance(layers, list):
            msg = f"the {kind} model's config has no 'layers' list (got {type(layers).__name__})"
            raise InvalidSpecError(msg)
        _check_layers(len(layers), "the model has")
        sequential = kind == "Sequential"
        width: int | None = None
        for index, entry in enumerate(layers):
            layer = _table(entry, f"layers[{index}]")
            where = f"layers[{index}]"
            if not sequential:
                width = self._inbound_width(layer, where)
            width = self.layer(layer, where, width)
        return Summary(
            tuple(self.specs),
            tuple(self.names),
            DType.FLOAT32,
            uncounted=tuple(self.uncounted),
        )

    def layer(
        self, layer: dict[str, Any], where: str, width: int | None, depth: int = 0
    ) -> int | None:
        """Count one layer seen with input ``width``; return its output width."""
        cls = _text(layer, "class_name", where)
        config = _table(layer.get("config"), f"{where} ({cls}) config")
        name = config.get("name", layer.get("name", f"{cls.lower()}_{len(self.names)}"))
        name = check_name(name, where) if isinstance(name, str) else short(name)
        where = f"{where} ({cls} {name!r})"
        width = _build_width(layer, where, cls, config) or width
        if cls in _PASS_THROUGH:
            out = _input_width(config, where) or width
        elif cls == "Reshape":
            target = config.get("target_shape")
            out = _last(target, where) if isinstance(target, list) and target else None
        elif cls in _RESHAPING:
            out = None
        elif cls in {"Sequential", "Functional", "Model"}:
            self.uncounted.append((name, cls, "nested models are not read"))
            out = None
        else:
            out = self._weighted(cls, config, name, where, width, depth=depth)
        self.widths[name] = out
        return out

    def _weighted(  # noqa: PLR0911, PLR0913 - one return per family of layers
        self,
        cls: str,
        config: dict[str, Any],
        name: str,
        where: str,
        width: int | None,
        *,
        depth: int,
    ) -> int | None:
        if cls == "TimeDistributed":
            if depth >= _safe.MAX_WRAPPERS:
                msg = f"{where}: wrappers nested more than {_safe.MAX_WRAPPERS} deep"
                raise InvalidSpecError(msg)
            inner = _table(config.get("layer"), f"{where} layer")
            return self.layer(inner, f"{where} layer", width, depth + 1)
        if not _known(cls, config):
            self.uncounted.append((name, cls, "lstm_params does not count this layer"))
            return None
        if cls == "Embedding":
            spec = _spec(
                where, "embedding", config, "output_dim", _field(config, "input_dim", where)
            )
            return self._add(name, [spec])
        if width is None:
            self.uncounted.append((name, cls, "its input width is not in the file"))
            return None
        if cls == "Bidirectional":
            return self._bidirectional(config, name, where, width)
        if cls == "RNN":
            specs = []
            cells = _cells(config, where)
            _check_layers(len(self.specs) + len(cells), f"{where}: the model has")
            for cell in cells:
                specs.append(_cell_spec(cell, where, width))
                width = specs[-1].output_dim
            return self._add(name, specs)
        return self._add(name, [_layer_spec(cls, config, where, width)])

    def _bidirectional(
        self, config: dict[str, Any], name: str, where: str, width: int
    ) -> int | None:
        inner = _table(config.get("layer"), f"{where} layer")
        forward = _layer_spec(_recurrent(inner, where), _inner(inner, where), where, width)
        backward_entry = config.get("backward_layer")
        merge = config.get("merge_mode", "concat")
        if merge is not None and not isinstance(merge, str):
            msg = f"{where}: 'merge_mode' must be a string or null, got {type(merge).__name__}"
            raise TypeError(msg)
        if backward_entry is None:
            self._add(name, [_with(forward, bidirectional=True)])
            backward = forward
        else:
            backward_layer = _table(backward_entry, f"{where} backward_layer")
            backward = _layer_spec(
                _recurrent(backward_layer, where), _inner(backward_layer, where), where, width
            )
            both = _with(forward, bidirectional=True)
            if _with(backward, bidirectional=True) == both:
                self._add(name, [both])
            else:
                self._add(f"{name}/forward", [forward])
                self._add(f"{name}/backward", [backward])
        if merge == "concat":  # tf.keras 2; Keras 3 builds the next layer on 2 * forward,
            return forward.output_dim + backward.output_dim  # which its build_config says
        return forward.output_dim if merge in {"sum", "mul", "ave"} else None

    def _add(self, name: str, specs: list[LayerSpec]) -> int:
        _check_layers(len(self.specs) + len(specs), "the model has")
        for index, spec in enumerate(specs):
            self.specs.append(spec)
            self.names.append(name if len(specs) == 1 else f"{name}/cell_{index}")
        return specs[-1].output_dim

    def _inbound_width(self, layer: dict[str, Any], where: str) -> int | None:
        """The width a functional model's layer receives, from its first inbound node."""
        nodes = layer.get("inbound_nodes")
        if not isinstance(nodes, list) or not nodes:
            return None
        node = nodes[0]
        if isinstance(node, dict):  # Keras 3: {"args": [{"config": {"shape": [...], ...}}]}
            args = node.get("args")
            first = args[0] if isinstance(args, list) and args else None
            tensor = first.get("config") if isinstance(first, dict) else None
            if isinstance(tensor, dict):
                shape = tensor.get("shape")
                if isinstance(shape, list) and shape:
                    return _last(shape, where)
                history = tensor.get("keras_history")
                if isinstance(history, list) and history and isinstance(history[0], str):
                    return self.widths.get(history[0])
            return None
        if isinstance(node, list) and node and isinstance(node[0], list) and node[0]:
            source = node[0][0]  # tf.keras 2: [[["layer_name", 0, 0, {}]]]
            return self.widths.get(source) if isinstance(source, str) else None
        return None


def _check_layers(count: int, what: str) -> None:
    if count > _safe.MAX_LAYERS:
        msg = f"{what} {count:,} layers and cells, more than the {_safe.MAX_LAYERS:,} read"
        raise InvalidSpecError(msg)


def _known(cls: str, config: dict[str, Any]) -> bool:
    if cls in _RECURRENT or cls in _CONVLSTM or cls in {"Dense", "Embedding", "Bidirectional"}:
        return True
    return cls == "RNN" and "cell" in config


def _layer_spec(cls: str, config: dict[str, Any], where: str, width: int) -> LayerSpec:
    if cls in _RECURRENT:
        options: dict[str, Any] = {}
        if cls == "GRU":
            options["reset_after"] = _flag(config, "reset_after", where, default=True)
        return _spec(where, _RECURRENT[cls], config, "units", width, **options)
    if cls in _CONVLSTM:
        rank = _CONVLSTM[cls]
        kernel = config.get("kernel_size")
        kernel = (
            [kernel] * rank if isinstance(kernel, int) and not isinstance(kernel, bool) else kernel
        )
        if isinstance(kernel, list):
            kernel = tuple(check_size(kernel, f"{where} kernel_size"))
        return _spec(where, "convlstm", config, "filters", width, kernel_size=kernel)
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
    options = (
        {"reset_after": _flag(config, "reset_after", where, default=True)}
        if cls == "GRUCell"
        else {}
    )
    return _spec(where, _CELLS[cls], config, "units", width, **options)


def _cells(config: dict[str, Any], where: str) -> list[dict[str, Any]]:
    cell = config.get("cell")
    if isinstance(cell, dict) and cell.get("class_name") == "StackedRNNCells":
        cell = _inner(cell, where).get("cells")
    cells = cell if isinstance(cell, list) else [cell]
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


def _build_width(layer: dict[str, Any], where: str, cls: str, config: dict[str, Any]) -> int | None:
    build = layer.get("build_config")
    shape = build.get("input_shape") if isinstance(build, dict) else None
    if not isinstance(shape, list) or not shape or isinstance(shape[0], list):
        return None
    if cls in _CONVLSTM and config.get("data_format") == "channels_first":
        return _last(shape[:3], where)  # (batch, time, channels, ...)
    return _last(shape, where)


def _input_width(config: dict[str, Any], where: str) -> int | None:
    for key in ("batch_shape", "batch_input_shape"):
        shape = config.get(key)
        if isinstance(shape, list) and shape:
            return _last(shape, where)
    return None


def _last(shape: list[Any], where: str) -> int | None:
    last = shape[-1]
    if last is None:
        return None
    if not isinstance(last, int) or isinstance(last, bool) or last < 1:
        msg = f"{where}: a shape must end in a positive integer or null, got {short(shape)}"
        raise InvalidSpecError(msg)
    check_size(last, where)
    return last


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


def _flag(config: dict[str, Any], key: str, where: str, *, default: bool) -> bool:
    value = config.get(key, default)
    if not isinstance(value, bool):
        msg = f"{where}: {key!r} must be true or false, got {short(value)}"
        raise InvalidSpecError(msg)
    return value
