"""ONNX models read from the protobuf wire format, without ``onnx`` and without copying weights.

Only the structure is parsed: ``ModelProto.graph`` (field 7), its initializers
(``TensorProto``: dims, data_type, name, data_location), its nodes (inputs,
outputs, name, op_type, domain, attributes) and the names of its inputs and
outputs. A tensor's ``raw_data`` and typed data are skipped by their length and
never copied; external data is never opened: a tensor is counted from its dims.

For ``LSTM``, ``GRU`` and ``RNN`` nodes, ``OnnxModel.recurrent()`` gives the
attributes (hidden_size, direction, linear_before_reset) and which initializers
feed W, R, B and, for an LSTM, P (inputs 1, 2, 3 and 7).

Every length and count is checked against the buffer and the limits below
before it drives work; anything truncated, overlong or absurd raises
``InvalidSpecError`` with a one-line message.
"""

from __future__ import annotations

import io
import math
import mmap
import struct
from dataclasses import dataclass, field

from lstm_params._errors import InvalidSpecError

from ._safe import read_capped, read_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path
    from typing import IO

__all__ = [
    "MAX_DIMS",
    "MAX_FIELDS",
    "MAX_NAME_BYTES",
    "MAX_NODES",
    "MAX_TENSORS",
    "OnnxModel",
    "OnnxNode",
    "OnnxRecurrent",
    "OnnxTensor",
    "read_onnx",
    "read_onnx_bytes",
    "read_onnx_file",
]

#: protobuf fields parsed, in all
MAX_FIELDS = 10_000_000
#: initializers
MAX_TENSORS = 1_000_000
#: nodes
MAX_NODES = 1_000_000
#: dims of one tensor
MAX_DIMS = 32
#: bytes of one name, op_type or string attribute
MAX_NAME_BYTES = 65_536
#: each dim, and each tensor's element count, is below this
MAX_SIZE = 2**63
#: bytes of a model read into memory where the file cannot be mapped
MAX_BYTES = 2**30

_VARINT_BYTES = 10
_EXTERNAL = 1  # TensorProto.DataLocation.EXTERNAL
_WIRE_VARINT, _WIRE_FIXED64, _WIRE_BYTES, _WIRE_FIXED32 = 0, 1, 2, 5

#: TensorProto.DataType: name and bytes per element (0 for strings and sub-byte types)
DATA_TYPES: dict[int, tuple[str, int]] = {
    1: ("float32", 4), 2: ("uint8", 1), 3: ("int8", 1), 4: ("uint16", 2), 5: ("int16", 2),
    6: ("int32", 4), 7: ("int64", 8), 8: ("string", 0), 9: ("bool", 1), 10: ("float16", 2),
    11: ("float64", 8), 12: ("uint32", 4), 13: ("uint64", 8), 14: ("complex64", 8),
    15: ("complex128", 16), 16: ("bfloat16", 2), 17: ("float8e4m3fn", 1),
    18: ("float8e4m3fnuz", 1), 19: ("float8e5m2", 1), 20: ("float8e5m2fnuz", 1),
    21: ("uint4", 0), 22: ("int4", 0), 23: ("float4e2m1", 0), 24: ("float8e8m0", 1),
    25: ("uint2", 0), 26: ("int2", 0),
}  # fmt: skip

_RECURRENT = {"LSTM", "GRU", "RNN"}


@dataclass(frozen=True, slots=True)
class OnnxTensor:
    """An initializer: its name, dims and data type; ``external`` if its data is in another file.

    >>> OnnxTensor("W", (1, 800, 4096), 1).size
    3276800
    """

    name: str
    dims: tuple[int, ...]
    data_type: int
    external: bool = False

    @property
    def dtype(self) -> str:
        """The data type's name, e.g. ``"float32"``."""
        return DATA_TYPES.get(self.data_type, (f"type {self.data_type}", 0))[0]

    @property
    def size(self) -> int:
        """Elements: the product of the dims."""
        return math.prod(self.dims)


@dataclass(frozen=True, slots=True)
class OnnxNode:
    """A node of the graph: op_type, input and output names, and its plain attributes.

    Attributes of type int, float, string and their lists are given as values;
    tensors, graphs and type protos as None.
    """

    name: str
    op_type: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attributes: dict[str, object] = field(default_factory=dict)
    domain: str = ""


@dataclass(frozen=True, slots=True)
class OnnxRecurrent:
    """An ``LSTM``, ``GRU`` or ``RNN`` node: its sizes and the names of its weight inputs."""

    name: str
    op_type: str
    hidden_size: int | None
    direction: str
    linear_before_reset: int
    W: str | None
    R: str | None
    B: str | None
    P: str | None


@dataclass(frozen=True, slots=True)
class OnnxModel:
    """What a ``.onnx`` file's graph holds: initializers, nodes, inputs and outputs."""

    initializers: tuple[OnnxTensor, ...]
    nodes: tuple[OnnxNode, ...]
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    ir_version: int = 0
    producer: str = ""

    @property
    def params(self) -> int:
        """The initializers' elements, each name counted once.

        >>> OnnxModel((OnnxTensor("W", (1, 8, 3), 1), OnnxTensor("B", (1, 16), 1)), ()).params
        40
        """
        return sum({t.name: t.size for t in self.initializers}.values())

    def recurrent(self) -> tuple[OnnxRecurrent, ...]:
        """The ``LSTM``, ``GRU`` and ``RNN`` nodes, with the initializers they read."""
        found = []
        for node in self.nodes:
            if node.op_type not in _RECURRENT:
                continue

            def given(index: int, node: OnnxNode = node) -> str | None:
                return (
                    node.inputs[index] if len(node.inputs) > index and node.inputs[index] else None
                )

            hidden = node.attributes.get("hidden_size")
            direction = node.attributes.get("direction", "forward")
            reset = node.attributes.get("linear_before_reset", 0)
            found.append(
                OnnxRecurrent(
                    node.name,
                    node.op_type,
                    hidden if type(hidden) is int else None,
                    direction if isinstance(direction, str) else "forward",
                    reset if type(reset) is int else 0,
                    given(1),
                    given(2),
                    given(3),
                    given(7) if node.op_type == "LSTM" else None,
                )
            )
        return tuple(found)


def read_onnx_file(path: str | Path) -> OnnxModel:
    """Read a ``.onnx`` file, mapped rather than read: weights are never copied.

    A 2-layer bidirectional ``nn.LSTM(4, 3)`` exported by torch 2.13 (480 parameters):

    >>> model = read_onnx_file("tests/data/torch/lstm-bidirectional-2-layers.onnx")
    >>> model.params, [(r.op_type, r.hidden_size, r.direction) for r in model.recurrent()]
    (480, [('LSTM', 3, 'bidirectional'), ('LSTM', 3, 'bidirectional')])
    >>> [model.initializers[0].dims, model.initializers[1].dims, model.initializers[2].dims]
    [(2, 24), (2, 12, 4), (2, 12, 3)]
    """
    return read_file(path, read_onnx)


def read_onnx(stream: IO[bytes], size: int) -> OnnxModel:
    """Read an ONNX model from an open binary stream of ``size`` bytes, mapped where it can be."""
    if not size:
        msg = "an empty file is not an ONNX model"
        raise InvalidSpecError(msg)
    try:
        mapped = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, io.UnsupportedOperation):  # not a file: read it, capped
        stream.seek(0)
        return _model(memoryview(read_capped(stream, MAX_BYTES, "ONNX model")))
    with mapped:
        view = memoryview(mapped)
        try:
            return _model(view)
        finally:
            view.release()


def read_onnx_bytes(data: bytes) -> OnnxModel:
    """Read an ONNX model's bytes.

    >>> read_onnx_bytes(bytes([0x08, 0x09])).ir_version  # ir_version = 9, no graph
    9
    """
    return _model(memoryview(data))


class _Reader:
    """Protobuf fields of one message, with a shared budget of fields."""

    __slots__ = ("buffer", "fields")

    def __init__(self, buffer: memoryview) -> None:
        self.buffer = buffer
        self.fields = 0

    def varint(self, position: int, end: int) -> tuple[int, int]:
        value = shift = 0
        for index in range(_VARINT_BYTES):
            if position + index >= end:
                msg = f"a varint cut off at byte {position + index:,}"
                raise InvalidSpecError(msg)
            byte = self.buffer[position + index]
            value |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                if value >= 2**64:
                    break
                return value, position + index + 1
        msg = f"a varint longer than 10 bytes or over 64 bits at byte {position:,}"
        raise InvalidSpecError(msg)

    def fields_of(self, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
        """(field number, wire type, value or start, end) of each field in [start, end)."""
        position = start
        while position < end:
            self.fields += 1
            if self.fields > MAX_FIELDS:
                msg = f"more than {MAX_FIELDS:,} protobuf fields"
                raise InvalidSpecError(msg)
            key, position = self.varint(position, end)
            number, wire = key >> 3, key & 7
            if wire == _WIRE_VARINT:
                value, position = self.varint(position, end)
                yield number, wire, value, position
                continue
            size = {_WIRE_FIXED64: 8, _WIRE_FIXED32: 4}.get(wire)
            if wire == _WIRE_BYTES:
                size, position = self.varint(position, end)
            if size is None or number == 0:
                msg = f"protobuf field {number} has wire type {wire}, not read"
                raise InvalidSpecError(msg)
            if size > end - position:
                msg = (
                    f"protobuf field {number}: length {size:,} at byte {position:,} "
                    f"beyond the {end - position:,} bytes left"
                )
                raise InvalidSpecError(msg)
            yield number, wire, position, position + size
            position += size

    def text(self, start: int, end: int, what: str) -> str:
        if end - start > MAX_NAME_BYTES:
            msg = f"{what} of {end - start:,} bytes, more than the {MAX_NAME_BYTES:,} read"
            raise InvalidSpecError(msg)
        return bytes(self.buffer[start:end]).decode("utf-8", "replace")

    def ints(self, wire: int, value: int, end: int) -> Iterator[int]:
        """A repeated int64's values: one varint, or a packed run of them."""
        if wire == _WIRE_VARINT:
            yield _signed(value)
            return
        _expect(wire, _WIRE_BYTES, "a repeated integer")
        position = value
        while position < end:
            number, position = self.varint(position, end)
            yield _signed(number)


def _signed(value: int) -> int:
    return value - 2**64 if value >= 2**63 else value


def _expect(wire: int, expected: int, what: str) -> None:
    if wire != expected:
        msg = f"{what} with wire type {wire}, expected {expected}"
        raise InvalidSpecError(msg)


def _model(buffer: memoryview) -> OnnxModel:  # noqa: C901 - one branch per field
    reader = _Reader(buffer)
    ir_version, producer = 0, ""
    graph: tuple[int, int] | None = None
    for number, wire, value, end in reader.fields_of(0, len(buffer)):
        if number == 1 and wire == _WIRE_VARINT:
            ir_version = value
        elif number == 2 and wire == _WIRE_BYTES:  # noqa: PLR2004 - field numbers
            producer = reader.text(value, end, "producer_name")
        elif number == 7:  # noqa: PLR2004
            _expect(wire, _WIRE_BYTES, "ModelProto.graph")
            graph = (value, end)
    if graph is None:
        return OnnxModel((), (), ir_version=ir_version, producer=producer)
    initializers: list[OnnxTensor] = []
    nodes: list[OnnxNode] = []
    inputs: list[str] = []
    outputs: list[str] = []
    for number, wire, value, end in reader.fields_of(*graph):
        if number in {1, 5, 11, 12}:
            _expect(wire, _WIRE_BYTES, f"GraphProto field {number}")
        if number == 1:
            nodes.append(_node(reader, value, end))
            _count(len(nodes), MAX_NODES, "nodes")
        elif number == 5:  # noqa: PLR2004 - field numbers
            initializers.append(_tensor(reader, value, end))
            _count(len(initializers), MAX_TENSORS, "initializers")
        elif number in {11, 12}:
            (inputs if number == 11 else outputs).append(_value_name(reader, value, end))  # noqa: PLR2004
    return OnnxModel(
        tuple(initializers), tuple(nodes), tuple(inputs), tuple(outputs), ir_version, producer
    )


def _value_name(reader: _Reader, start: int, end: int) -> str:
    """A ValueInfoProto's name (field 1)."""
    name = ""
    for number, wire, value, stop in reader.fields_of(start, end):
        if number == 1 and wire == _WIRE_BYTES:
            name = reader.text(value, stop, "a value name")
    return name


def _count(count: int, cap: int, what: str) -> None:
    if count > cap:
        msg = f"more than {cap:,} {what}"
        raise InvalidSpecError(msg)


def _tensor(reader: _Reader, start: int, end: int) -> OnnxTensor:
    dims: list[int] = []
    data_type = location = 0
    name = ""
    raw: int | None = None
    for number, wire, value, stop in reader.fields_of(start, end):
        if number == 1:
            dims.extend(reader.ints(wire, value, stop))
            if len(dims) > MAX_DIMS:
                msg = f"tensor {name!r:.60}: more than {MAX_DIMS} dims"
                raise InvalidSpecError(msg)
        elif number == 2 and wire == _WIRE_VARINT:  # noqa: PLR2004 - field numbers
            data_type = value
        elif number == 8 and wire == _WIRE_BYTES:  # noqa: PLR2004
            name = reader.text(value, stop, "a tensor name")
        elif number == 9 and wire == _WIRE_BYTES:  # noqa: PLR2004 - raw_data: its length only
            raw = stop - value
        elif number == 14 and wire == _WIRE_VARINT:  # noqa: PLR2004
            location = value
    if any(not 0 <= dim < MAX_SIZE for dim in dims) or math.prod(dims) >= MAX_SIZE:
        msg = f"tensor {name!r:.60}: dims must be >= 0 with fewer than 2**63 elements, got {dims}"
        raise InvalidSpecError(msg)
    itemsize = DATA_TYPES.get(data_type, ("", 0))[1]
    if raw is not None and itemsize and raw != math.prod(dims) * itemsize:
        msg = (
            f"tensor {name!r:.60}: dims {dims} of {itemsize}-byte elements "
            f"take {math.prod(dims) * itemsize:,} bytes, its raw_data has {raw:,}"
        )
        raise InvalidSpecError(msg)
    return OnnxTensor(name, tuple(dims), data_type, external=location == _EXTERNAL)


def _node(reader: _Reader, start: int, end: int) -> OnnxNode:
    inputs: list[str] = []
    outputs: list[str] = []
    name = op_type = domain = ""
    attributes: dict[str, object] = {}
    for number, wire, value, stop in reader.fields_of(start, end):
        if number in {1, 2, 3, 4, 5, 7}:
            _expect(wire, _WIRE_BYTES, f"NodeProto field {number}")
        if number in {1, 2}:
            (inputs if number == 1 else outputs).append(reader.text(value, stop, "a node input"))
        elif number == 3:  # noqa: PLR2004 - field numbers
            name = reader.text(value, stop, "a node name")
        elif number == 4:  # noqa: PLR2004
            op_type = reader.text(value, stop, "an op_type")
        elif number == 7:  # noqa: PLR2004
            domain = reader.text(value, stop, "a domain")
        elif number == 5:  # noqa: PLR2004
            key, item = _attribute(reader, value, stop)
            attributes[key] = item
    return OnnxNode(name, op_type, tuple(inputs), tuple(outputs), attributes, domain)


#: AttributeProto.type: the field that holds the value, and whether it repeats
_ATTRIBUTE_FIELDS = {
    1: (2, False), 2: (3, False), 3: (4, False), 6: (7, True), 7: (8, True), 8: (9, True),
}  # fmt: skip
_ATTRIBUTE_DEFAULTS: dict[int, object] = {2: 0.0, 3: 0, 4: ""}


def _attribute(reader: _Reader, start: int, end: int) -> tuple[str, object]:
    name = ""
    kind = 0
    values: dict[int, list[object]] = {}
    for number, wire, value, stop in reader.fields_of(start, end):
        if number == 1 and wire == _WIRE_BYTES:
            name = reader.text(value, stop, "an attribute name")
        elif number == 20 and wire == _WIRE_VARINT:  # noqa: PLR2004 - AttributeProto.type
            kind = value
        elif number in {2, 7}:  # f, floats: float32, one or packed
            values.setdefault(number, []).extend(_floats(reader, wire, value, stop))
        elif number in {3, 8}:  # i, ints
            values.setdefault(number, []).extend(reader.ints(wire, value, stop))
        elif number in {4, 9}:  # s, strings
            _expect(wire, _WIRE_BYTES, f"attribute {name!r:.60}'s string")
            values.setdefault(number, []).append(reader.text(value, stop, "a string attribute"))
    if not kind:  # IR version < 3 has no type: the field that is there
        kind = next((k for k, (f, _) in _ATTRIBUTE_FIELDS.items() if f in values), 0)
    if kind not in _ATTRIBUTE_FIELDS:
        return name, None
    number, repeated = _ATTRIBUTE_FIELDS[kind]
    found = values.get(number, [])
    if repeated:
        return name, found
    return name, found[-1] if found else _ATTRIBUTE_DEFAULTS[number]


def _floats(reader: _Reader, wire: int, value: int, end: int) -> list[float]:
    if wire == _WIRE_FIXED32:
        return list(struct.unpack("<f", reader.buffer[value:end]))
    _expect(wire, _WIRE_BYTES, "a float attribute")
    if (end - value) % 4:
        msg = f"packed floats of {end - value} bytes, not a multiple of 4"
        raise InvalidSpecError(msg)
    return list(struct.unpack(f"<{(end - value) // 4}f", reader.buffer[value:end]))
