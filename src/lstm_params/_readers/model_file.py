"""Model files for ``lstm-params summary``: a small TOML or JSON list of layers.

The format (see README)::

    framework = "keras"        # optional: the default for every layer
    dtype = "float32"          # optional

    [[layers]]
    kind = "embedding"
    num_units = 128
    input_dim = 10000

    [[layers]]
    kind = "lstm"
    num_units = 64             # input_dim left out: the previous layer's output_dim

Each layer takes ``LayerSpec``'s arguments and an optional ``name``. A file is
read as any file from a stranger (``_safe.read_file``): at most 256 KiB, sizes up
to 2**31 - 1, at most 10,000 layers counting stacked ones, names of at most
1,024 characters; any failure is one :class:`InvalidFileError` naming the file.
"""

from __future__ import annotations

from lstm_params._errors import InvalidSpecError
from lstm_params._spec import LayerSpec
from lstm_params._summary import Summary, summary

from . import _safe
from ._safe import check_name, check_size, loads_json, read_capped, read_file, short

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO, Any

__all__ = ["summary_from_dict", "summary_from_file"]

_TOP_KEYS = {"framework", "dtype", "layers"}


def summary_from_file(path: str | Path) -> Summary:
    """Read a ``.toml`` or ``.json`` model file (see the module's docs) into a Summary."""
    import os  # noqa: PLC0415 - imported on use, not with the package

    name = os.fsdecode(path) if isinstance(path, str | bytes | os.PathLike) else ""
    json_file = name.lower().endswith(".json")

    def parse(stream: IO[bytes], size: int) -> Summary:
        if size > _safe.MAX_MODEL_FILE_BYTES:
            msg = f"a model file of {size:,} bytes is over the {_safe.MAX_MODEL_FILE_BYTES:,} read"
            raise InvalidSpecError(msg)
        data = read_capped(stream, _safe.MAX_MODEL_FILE_BYTES, "model file")
        if json_file:
            return summary_from_dict(loads_json(data, "model file"))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            msg = f"cannot read: {error}"
            raise InvalidSpecError(msg) from None
        import tomllib  # noqa: PLC0415 - imported on use, not with the package

        try:
            return summary_from_dict(tomllib.loads(text))
        except tomllib.TOMLDecodeError as error:
            msg = f"not valid toml: {error}"
            raise InvalidSpecError(msg) from None

    return read_file(path, parse)


def summary_from_dict(data: object) -> Summary:
    """Build a Summary from the parsed file: ``{"layers": [{...}, ...], ...}``.

    >>> summary_from_dict({"layers": [
    ...     {"kind": "embedding", "num_units": 128, "input_dim": 10000},
    ...     {"kind": "lstm", "num_units": 64},
    ...     {"kind": "dense", "num_units": 1},
    ... ]}).params
    1329473
    """
    if not isinstance(data, dict):
        msg = f"a model must be a table with a 'layers' list, got {type(data).__name__}"
        raise InvalidSpecError(msg)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        msg = f"unknown keys {unknown}; a model has {sorted(_TOP_KEYS)}"
        raise InvalidSpecError(msg)
    layers = data.get("layers")
    if not isinstance(layers, list) or not layers:
        msg = f"'layers' must be a non-empty list of tables, got {short(layers)}"
        raise InvalidSpecError(msg)
    if len(layers) > _safe.MAX_LAYERS:
        msg = f"{len(layers):,} layers, more than the {_safe.MAX_LAYERS:,} read"
        raise InvalidSpecError(msg)
    defaults = {"framework": data["framework"]} if "framework" in data else {}
    specs: list[LayerSpec] = []
    names: list[str | None] = []
    stacked = 0
    for index, layer in enumerate(layers):
        spec, name = _layer(index, layer, defaults, specs[-1] if specs else None)
        stacked += spec.num_layers
        if stacked > _safe.MAX_LAYERS:
            msg = f"layers[{index}]: {stacked:,} layers in all, over the {_safe.MAX_LAYERS:,} read"
            raise InvalidSpecError(msg)
        specs.append(spec)
        names.append(name)
    return summary(specs, dtype=data.get("dtype", "float32"), names=names)


def _layer(
    index: int, layer: object, defaults: dict[str, Any], previous: LayerSpec | None
) -> tuple[LayerSpec, str | None]:
    if not isinstance(layer, dict):
        msg = f"layers[{index}] must be a table, got {type(layer).__name__} {short(layer)}"
        raise InvalidSpecError(msg)
    options = {key: check_size(value, f"layers[{index}].{key}") for key, value in layer.items()}
    options = defaults | options
    name = options.pop("name", None)
    if name is not None and not isinstance(name, str):
        msg = f"layers[{index}].name must be a string, got {short(name)}"
        raise InvalidSpecError(msg)
    if name is not None:
        check_name(name, f"layers[{index}].name")
    if "input_dim" not in options:
        if previous is None:
            msg = "layers[0] needs an input_dim (later layers take the previous output_dim)"
            raise InvalidSpecError(msg)
        options["input_dim"] = previous.output_dim
    try:
        return LayerSpec(**options), name
    except TypeError as error:
        msg = f"layers[{index}]: {error}"
        raise TypeError(msg) from None
    except InvalidSpecError as error:
        msg = f"layers[{index}]: {error}"
        raise InvalidSpecError(msg) from None
