"""Checkpoints as tensor names and shapes: ``.safetensors`` headers and ``state_dict`` shapes.

The recogniser finds PyTorch recurrent modules among the tensors by their names
(``<prefix>.weight_ih_l0``, ``_reverse``, ``weight_hr``, and the cells'
``weight_ih``), works out the ``LayerSpec`` (kind from the gate multiple, units,
inputs, bias, directions, layers, projection) and keeps it only when that spec's
tensors are exactly the ones found. Every other tensor is reported as it is.
"""

from __future__ import annotations

import operator
import os
import re

from lstm_params._errors import InvalidSpecError
from lstm_params._memory import DType
from lstm_params._render.table import printable
from lstm_params._spec import LayerSpec
from lstm_params._summary import Summary
from lstm_params._weight import Weight

from . import _safe
from ._safe import check_name

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import IO, Any

__all__ = [
    "DTYPE_BITS",
    "MAX_SHARDS",
    "from_shapes",
    "read_header",
    "recognise",
    "summary_from_header",
    "summary_from_index",
]

#: shard files of a sharded checkpoint's index
MAX_SHARDS = 10_000

#: bits per element of each safetensors dtype (sub-byte tensors take whole bytes, rounded up)
DTYPE_BITS = {
    "BOOL": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
    "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
    "I16": 16, "U16": 16, "F16": 16, "BF16": 16,
    "I32": 32, "U32": 32, "F32": 32,
    "C64": 64, "I64": 64, "U64": 64, "F64": 64,
}  # fmt: skip
MAX_ELEMENTS = 2**53  # per tensor: far beyond any checkpoint, and exact as a float
_U64 = 2**64  # dimensions and offsets are unsigned 64-bit in the format

_MODULE = re.compile(
    r"(?:(?P<prefix>.+)\.)?(?P<param>weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)(?P<layer>_l\d+)?"
    r"(?P<reverse>_reverse)?(?P<raw>_raw)?"
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
    if len(shapes) > _safe.MAX_TENSORS:
        msg = f"{len(shapes):,} tensors, more than the {_safe.MAX_TENSORS:,} read"
        raise InvalidSpecError(msg)
    tensors = [Weight(_name(name), _shape(name, shape)) for name, shape in shapes.items()]
    return recognise(tensors, ())


def summary_from_header(header: object, data_size: int) -> Summary:
    """Summarise a parsed safetensors header; ``data_size`` is the bytes after it.

    Checked as the reference reader checks it: ``__metadata__`` maps strings to
    strings; every tensor's dtype is known, its dimensions and offsets are
    unsigned 64-bit, its offsets span exactly its bytes; sorted by offset, the
    tensors cover the data without a hole or an overlap, from 0 to its end.
    """
    if not isinstance(header, dict):
        msg = f"the header must be a JSON object, got {type(header).__name__}"
        raise InvalidSpecError(msg)
    if len(header) > _safe.MAX_TENSORS + 1:
        msg = f"{len(header):,} entries, more than the {_safe.MAX_TENSORS:,} tensors read"
        raise InvalidSpecError(msg)
    metadata = header.get("__metadata__", {})
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        msg = "__metadata__ must map strings to strings"
        raise InvalidSpecError(msg)
    tensors, stored = _tensors(header, data_size)
    return recognise(tensors, tuple(sorted(stored.items())))


def _tensors(header: dict[str, Any], data_size: int) -> tuple[list[Weight], dict[str, int]]:
    """The header's tensors and the bytes stored per dtype, the layout checked."""
    tensors: list[Weight] = []
    spans: list[tuple[int, int, str]] = []
    stored: dict[str, int] = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        weight, dtype, span = _entry(check_name(name, "a tensor"), entry)
        tensors.append(weight)
        spans.append((*span, name))
        stored[dtype] = stored.get(dtype, 0) + span[1] - span[0]
    _check_layout(sorted(spans), data_size)
    return tensors, stored


def read_header(stream: IO[bytes], size: int) -> tuple[object, int]:
    """A safetensors file's parsed header and the bytes of data after it, length checked."""
    start = stream.read(8)
    length = int.from_bytes(start, "little") if len(start) == 8 else 0  # noqa: PLR2004
    if len(start) < 8 or length > size - 8:  # noqa: PLR2004
        msg = (
            f"truncated: the safetensors header claims {length:,} bytes, the file has {size - 8:,}"
        )
        raise InvalidSpecError(msg)
    if length > _safe.MAX_HEADER_BYTES:
        msg = (
            f"a safetensors header of {length:,} bytes is over the {_safe.MAX_HEADER_BYTES:,} read"
        )
        raise InvalidSpecError(msg)
    return _safe.loads_json(stream.read(length), "safetensors header"), size - 8 - length


def summary_from_index(index: dict[str, Any], path: str | os.PathLike[str]) -> Summary:
    """A sharded checkpoint: its ``*.safetensors.index.json`` and each shard's header beside it.

    The shards are file names in the index's own folder (no path, no ``..``), at
    most :data:`MAX_SHARDS`; each is read as a safetensors file and its tensors
    must be exactly those the index maps to it.
    """
    weight_map = index.get("weight_map")
    if not isinstance(weight_map, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in weight_map.items()
    ):
        msg = "weight_map must map tensor names to shard file names"
        raise InvalidSpecError(msg)
    if len(weight_map) > _safe.MAX_TENSORS:
        msg = f"{len(weight_map):,} tensors, more than the {_safe.MAX_TENSORS:,} read"
        raise InvalidSpecError(msg)
    shards = sorted(set(weight_map.values()))
    if len(shards) > MAX_SHARDS:
        msg = f"{len(shards):,} shards, more than the {MAX_SHARDS:,} read"
        raise InvalidSpecError(msg)
    folder = os.path.dirname(os.fspath(path))  # noqa: PTH120 - str or PathLike, as given
    tensors: list[Weight] = []
    stored: dict[str, int] = {}
    for shard in shards:
        if shard in {"", ".", ".."} or os.path.basename(shard) != shard or "\\" in shard:  # noqa: PTH119
            msg = f"shard {printable(shard, width=60)!r} is not a file name in the index's folder"
            raise InvalidSpecError(msg)

        def read(stream: IO[bytes], size: int) -> tuple[list[Weight], dict[str, int]]:
            header, data_size = read_header(stream, size)
            if not isinstance(header, dict):
                msg = f"the header must be a JSON object, got {type(header).__name__}"
                raise InvalidSpecError(msg)
            return _tensors(header, data_size)

        found, sizes = _safe.read_file(os.path.join(folder, shard), read)  # noqa: PTH118
        expected = {name for name, owner in weight_map.items() if owner == shard}
        if {t.name for t in found} != expected:
            msg = f"shard {shard!r} does not hold exactly the tensors the index maps to it"
            raise InvalidSpecError(msg)
        tensors += found
        for dtype, count in sizes.items():
            stored[dtype] = stored.get(dtype, 0) + count
    return recognise(tensors, tuple(sorted(stored.items())))


def _entry(name: str, entry: object) -> tuple[Weight, str, tuple[int, int]]:
    if not isinstance(entry, dict):
        msg = f"tensor {name!r}: must be a JSON object, got {type(entry).__name__}"
        raise InvalidSpecError(msg)
    dtype = entry.get("dtype")
    if not isinstance(dtype, str) or dtype not in DTYPE_BITS:
        msg = f"tensor {name!r}: unknown dtype {dtype!r:.40}; known: {', '.join(DTYPE_BITS)}"
        raise InvalidSpecError(msg)
    shape = _shape(name, entry.get("shape"))
    offsets = entry.get("data_offsets")
    if not (
        isinstance(offsets, list)
        and len(offsets) == 2  # noqa: PLR2004
        and all(type(o) is int and 0 <= o < _U64 for o in offsets)
        and offsets[0] <= offsets[1]
    ):
        msg = f"tensor {name!r}: data_offsets must be [start, end], got {offsets!r:.60}"
        raise InvalidSpecError(msg)
    size = -(-_elements(shape) * DTYPE_BITS[dtype] // 8)
    if offsets[1] - offsets[0] != size:
        msg = (
            f"tensor {name!r}: {dtype} {list(shape)} takes {size:,} bytes, "
            f"its offsets span {offsets[1] - offsets[0]:,}"
        )
        raise InvalidSpecError(msg)
    return Weight(name, shape), dtype, (offsets[0], offsets[1])


def _check_layout(spans: list[tuple[int, int, str]], data_size: int) -> None:
    """Sorted by start, each tensor begins where the one before ended; the last ends the data."""
    end = 0
    for start, stop, name in spans:
        if start != end:
            what = "overlaps the tensor before it" if start < end else "leaves a hole before it"
            msg = f"tensor {name!r}: data_offsets [{start:,}, {stop:,}] {what}"
            raise InvalidSpecError(msg)
        end = stop
    if end != data_size:
        msg = f"the tensors take {end:,} bytes, the data after the header is {data_size:,}"
        raise InvalidSpecError(msg)


def _name(name: object) -> str:
    if not isinstance(name, str):
        msg = f"tensor names must be strings, got {type(name).__name__} {name!r:.60}"
        raise TypeError(msg)
    return name


def _shape(name: str, shape: object) -> tuple[int, ...]:
    if isinstance(shape, str | bytes) or not hasattr(shape, "__iter__"):
        msg = f"tensor {name!r}: the shape must be a list of sizes, got {shape!r:.60}"
        raise InvalidSpecError(msg)
    sizes = tuple(_dimension(size) for size in shape)
    if not all(0 <= s < _U64 for s in sizes) or _elements(sizes) > MAX_ELEMENTS:
        msg = (
            f"tensor {name!r}: the shape must hold sizes >= 0, at most 2**53 elements, "
            f"got {list(sizes)!r:.80}"
        )
        raise InvalidSpecError(msg)
    return sizes


def _elements(sizes: tuple[int, ...]) -> int:
    """The product of ``sizes``, or a number past the limit as soon as it is one."""
    if 0 in sizes:
        return 0
    product = 1
    for size in sizes:
        product *= size
        if product > MAX_ELEMENTS:
            break
    return product


def _dimension(size: object) -> int:
    """A dimension as an ``int``: anything with ``__index__`` (numpy integers), not a bool."""
    try:
        return -1 if isinstance(size, bool) else operator.index(size)  # type: ignore[arg-type]
    except TypeError:
        return -1


def recognise(tensors: list[Weight], stored: tuple[tuple[str, int], ...] = ()) -> Summary:
    """The PyTorch recurrent modules and cells among ``tensors``; the rest as they are.

    A weight-dropped ``weight_hh_l0_raw`` (AWD-LSTM's ``WeightDrop``) stands for
    ``weight_hh_l0``; the qualified prefix (``module.encoder.rnn``) names the layer.
    """
    groups: dict[str, dict[str, Weight]] = {}
    for tensor in tensors:
        match = _MODULE.fullmatch(tensor.name)
        if match:
            groups.setdefault(match["prefix"] or "", {})[tensor.name.removesuffix("_raw")] = tensor
    specs: list[LayerSpec] = []
    names: list[str] = []
    keys: list[tuple[str, ...]] = []
    claimed: set[str] = set()
    for prefix, group in groups.items():
        spec = _module(prefix, group)
        if spec is not None:
            specs.append(spec)
            names.append(prefix or spec.kind.value)
            keys.append(tuple(group[_key(spec, prefix, w.name)].name for w in spec.weights()))
            claimed.update(tensor.name for tensor in group.values())
    others = tuple(t for t in tensors if t.name not in claimed)
    return Summary(
        tuple(specs),
        tuple(names),
        DType.FLOAT32,
        tensors=others,
        stored=stored,
        tensor_names=tuple(keys),
    )


def _key(spec: LayerSpec, prefix: str, name: str) -> str:
    """The file's key of a module's tensor: its prefix, and a cell's names without ``_l0``."""
    dot = f"{prefix}." if prefix else ""
    return dot + (name.removesuffix("_l0") if spec.cell else name)


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
    layers = _layers(group)
    try:
        spec = LayerSpec(
            _GATES[rows // units],
            units,
            inputs,
            framework="pytorch",
            bias=get("bias_ih") is not None,
            bidirectional=f"{dot}weight_ih_l0_reverse" in group,
            num_layers=layers,
            proj_size=projection.shape[0] if projection else 0,
            cell=cell,
        )
    except InvalidSpecError:
        return None

    expected = {(_key(spec, prefix, w.name), w.shape) for w in spec.weights()}
    return spec if expected == {(name, w.shape) for name, w in group.items()} else None


def _layers(group: dict[str, Weight]) -> int:
    """The layers a module's tensor names imply, refused past the tensors there are.

    A stack has two tensors per layer at least, so a layer index as large as
    the group is a lie, and is refused before it builds a spec that size.
    """
    layers = 1
    for name in group:
        match = _MODULE.fullmatch(name)
        digits = match["layer"][2:] if match and match["layer"] else "0"
        if len(digits) > len(str(len(group))) or int(digits) >= len(group):
            msg = f"tensor {name!r}: a layer index past the {len(group)} tensors of its module"
            raise InvalidSpecError(msg)
        layers = max(layers, 1 + int(digits))
    return layers
