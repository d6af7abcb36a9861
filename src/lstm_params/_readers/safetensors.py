"""Checkpoints as tensor names and shapes: ``.safetensors`` headers and ``state_dict`` shapes.

The recogniser finds PyTorch recurrent modules among the tensors by their names
(``<prefix>.weight_ih_l0``, ``_reverse``, ``weight_hr``, and the cells'
``weight_ih``), works out the ``LayerSpec`` (kind from the gate multiple, units,
inputs, bias, directions, layers, projection) and keeps it only when that spec's
tensors are exactly the ones found. Every other tensor is reported as it is.
"""

from __future__ import annotations

import math
import re

from lstm_params._errors import InvalidSpecError
from lstm_params._memory import DType
from lstm_params._spec import LayerSpec
from lstm_params._summary import Summary
from lstm_params._weight import Weight

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

__all__ = ["DTYPE_BYTES", "MAX_TENSORS", "from_shapes", "summary_from_header"]

#: bytes per element of each safetensors dtype
DTYPE_BYTES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
    "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
    "I32": 4, "U32": 4, "F32": 4,
    "I64": 8, "U64": 8, "F64": 8,
}  # fmt: skip
MAX_TENSORS = 1_000_000
MAX_ELEMENTS = 2**53  # per tensor: far beyond any checkpoint, and exact as a float

_MODULE = re.compile(
    r"(?:(?P<prefix>.+)\.)?(?P<param>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?P<layer>_l\d+)?(?P<reverse>_reverse)?"
)
_GATES = {4: "lstm", 3: "gru", 1: "rnn"}
_MATRIX = 2


def from_shapes(shapes: Mapping[str, Sequence[int]]) -> Summary:
    """Summarise tensors given as names and shapes, e.g. a ``state_dict``'s.

    >>> summary = from_shapes({  # {k: tuple(v.shape) for k, v in model.state_dict().items()}
    ...     "encoder.weight_ih_l0": (800, 4096), "encoder.weight_hh_l0": (800, 200),
    ...     "encoder.bias_ih_l0": (800,), "encoder.bias_hh_l0": (800,),
    ...     "head.weight": (1, 200), "head.bias": (1,),
    ... })
    >>> summary.layers[0].layer_name, summary.layers[0].num_units, summary.params
    ('nn.LSTM', 200, 3438601)
    """
    if not hasattr(shapes, "items"):
        msg = f"shapes must be a mapping of names to shapes, got {type(shapes).__name__}"
        raise TypeError(msg)
    if len(shapes) > MAX_TENSORS:
        msg = f"{len(shapes):,} tensors, more than the {MAX_TENSORS:,} read"
        raise InvalidSpecError(msg)
    tensors = [Weight(_name(name), _shape(name, shape)) for name, shape in shapes.items()]
    return _recognise(tensors, ())


def summary_from_header(header: object, data_size: int) -> Summary:
    """Summarise a parsed safetensors header; ``data_size`` is the bytes after it."""
    if not isinstance(header, dict):
        msg = f"the header must be a JSON object, got {type(header).__name__}"
        raise InvalidSpecError(msg)
    if len(header) > MAX_TENSORS + 1:
        msg = f"{len(header):,} entries, more than the {MAX_TENSORS:,} tensors read"
        raise InvalidSpecError(msg)
    tensors: list[Weight] = []
    stored: dict[str, int] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        weight, dtype, size = _entry(name, entry, data_size)
        tensors.append(weight)
        stored[dtype] = stored.get(dtype, 0) + size
    return _recognise(tensors, tuple(sorted(stored.items())))


def _entry(name: str, entry: object, data_size: int) -> tuple[Weight, str, int]:
    if not isinstance(entry, dict):
        msg = f"tensor {name!r}: must be a JSON object, got {type(entry).__name__}"
        raise InvalidSpecError(msg)
    dtype = entry.get("dtype")
    if dtype not in DTYPE_BYTES:
        msg = f"tensor {name!r}: unknown dtype {dtype!r:.40}; known: {', '.join(DTYPE_BYTES)}"
        raise InvalidSpecError(msg)
    shape = _shape(name, entry.get("shape"))
    offsets = entry.get("data_offsets")
    if not (
        isinstance(offsets, list)
        and len(offsets) == 2  # noqa: PLR2004
        and all(type(o) is int for o in offsets)
        and 0 <= offsets[0] <= offsets[1] <= data_size
    ):
        msg = (
            f"tensor {name!r}: data_offsets must be [start, end] within the "
            f"{data_size:,} data bytes, got {offsets!r:.60}"
        )
        raise InvalidSpecError(msg)
    size = math.prod(shape) * DTYPE_BYTES[dtype]
    if offsets[1] - offsets[0] != size:
        msg = (
            f"tensor {name!r}: {dtype} {list(shape)} takes {size:,} bytes, "
            f"its offsets span {offsets[1] - offsets[0]:,}"
        )
        raise InvalidSpecError(msg)
    return Weight(name, shape), dtype, size


def _name(name: object) -> str:
    if not isinstance(name, str):
        msg = f"tensor names must be strings, got {type(name).__name__} {name!r:.60}"
        raise TypeError(msg)
    return name


def _shape(name: str, shape: object) -> tuple[int, ...]:
    if isinstance(shape, str | bytes) or not hasattr(shape, "__iter__"):
        msg = f"tensor {name!r}: the shape must be a list of sizes, got {shape!r:.60}"
        raise InvalidSpecError(msg)
    sizes = tuple(shape)
    if not all(type(s) is int and s >= 0 for s in sizes) or math.prod(sizes) > MAX_ELEMENTS:
        msg = (
            f"tensor {name!r}: the shape must hold sizes >= 0, at most 2**53 elements, "
            f"got {list(sizes)!r:.80}"
        )
        raise InvalidSpecError(msg)
    return sizes


def _recognise(tensors: list[Weight], stored: tuple[tuple[str, int], ...]) -> Summary:
    groups: dict[str, dict[str, Weight]] = {}
    for tensor in tensors:
        match = _MODULE.fullmatch(tensor.name)
        if match:
            groups.setdefault(match["prefix"] or "", {})[tensor.name] = tensor
    specs: list[LayerSpec] = []
    names: list[str] = []
    claimed: set[str] = set()
    for prefix, group in groups.items():
        spec = _module(prefix, group)
        if spec is not None:
            specs.append(spec)
            names.append(prefix or spec.kind.value)
            claimed.update(group)
    others = tuple(t for t in tensors if t.name not in claimed)
    return Summary(tuple(specs), tuple(names), DType.FLOAT32, tensors=others, stored=stored)


def _module(prefix: str, group: dict[str, Weight]) -> LayerSpec | None:
    """The PyTorch module (or cell) whose tensors are exactly ``group``, if any."""
    dot = f"{prefix}." if prefix else ""
    cell = f"{dot}weight_ih" in group  # nn.LSTMCell and kin: no _l0 suffix

    def get(param: str) -> Weight | None:
        return group.get(f"{dot}{param}{'' if cell else '_l0'}")

    weight_ih, weight_hh = get("weight_ih"), get("weight_hh")
    projection = None if cell else get("weight_hr")
    matrices = [w for w in (weight_ih, weight_hh, projection) if w is not None]
    if weight_ih is None or weight_hh is None or any(len(w.shape) != _MATRIX for w in matrices):
        return None
    units = projection.shape[1] if projection else weight_hh.shape[1]
    rows, inputs = weight_ih.shape
    if not units or rows % units or rows // units not in _GATES:
        return None
    try:
        spec = LayerSpec(
            _GATES[rows // units],
            units,
            inputs,
            framework="pytorch",
            bias=get("bias_ih") is not None,
            bidirectional=f"{dot}weight_ih_l0_reverse" in group,
            num_layers=1 + max(_layer_index(name) for name in group),
            proj_size=projection.shape[0] if projection else 0,
        )
    except InvalidSpecError:
        return None

    def named(weight: Weight) -> str:
        return dot + (weight.name.removesuffix("_l0") if cell else weight.name)

    expected = {(named(w), w.shape) for w in spec.weights()}
    return spec if expected == {(w.name, w.shape) for w in group.values()} else None


def _layer_index(name: str) -> int:
    match = _MODULE.fullmatch(name)
    return int(match["layer"][2:]) if match and match["layer"] else 0
