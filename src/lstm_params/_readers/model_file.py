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

Each layer takes ``LayerSpec``'s arguments and an optional ``name``.
"""

from __future__ import annotations

from lstm_params._errors import InvalidSpecError
from lstm_params._spec import LayerSpec
from lstm_params._summary import Summary, summary

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = ["summary_from_dict", "summary_from_file"]

_TOP_KEYS = {"framework", "dtype", "layers"}


def summary_from_file(path: str | Path) -> Summary:
    """Read a ``.toml`` or ``.json`` model file (see the module's docs) into a Summary."""
    from pathlib import Path  # noqa: PLC0415 - imported on use, not with the package

    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        msg = f"{file}: cannot read: {error}"
        raise InvalidSpecError(msg) from None
    try:
        if file.suffix.lower() == ".json":
            import json  # noqa: PLC0415 - imported on use, not with the package

            data = json.loads(text)
        else:
            import tomllib  # noqa: PLC0415 - imported on use, not with the package

            data = tomllib.loads(text)
    except ValueError as error:  # json.JSONDecodeError and tomllib.TOMLDecodeError
        msg = f"{file}: not valid {file.suffix.lower().lstrip('.') or 'TOML'}: {error}"
        raise InvalidSpecError(msg) from None
    try:
        return summary_from_dict(data)
    except (InvalidSpecError, TypeError) as error:
        msg = f"{file}: {error}"
        raise InvalidSpecError(msg) from None


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
        msg = f"'layers' must be a non-empty list of tables, got {layers!r}"
        raise InvalidSpecError(msg)
    defaults = {"framework": data["framework"]} if "framework" in data else {}
    specs: list[LayerSpec] = []
    names: list[str | None] = []
    for index, layer in enumerate(layers):
        spec, name = _layer(index, layer, defaults, specs[-1] if specs else None)
        specs.append(spec)
        names.append(name)
    return summary(specs, dtype=data.get("dtype", "float32"), names=names)


def _layer(
    index: int, layer: object, defaults: dict[str, Any], previous: LayerSpec | None
) -> tuple[LayerSpec, str | None]:
    if not isinstance(layer, dict):
        msg = f"layers[{index}] must be a table, got {type(layer).__name__} {layer!r}"
        raise InvalidSpecError(msg)
    options = defaults | layer
    name = options.pop("name", None)
    if name is not None and not isinstance(name, str):
        msg = f"layers[{index}].name must be a string, got {name!r}"
        raise InvalidSpecError(msg)
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
