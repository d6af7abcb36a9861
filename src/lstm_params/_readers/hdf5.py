"""HDF5 metadata with the standard library: attributes, dataset names, shapes and dtypes.

A Keras ``.h5`` file (``model.save("x.h5")``), a ``.weights.h5`` file and the
``model.weights.h5`` inside a ``.keras`` archive are HDF5 files. This reader walks
their groups and reads what a count needs, and never a weight's data: the root's
attributes (``model_config``, ``keras_version``, ``backend``, ``training_config``),
each group's attributes (``layer_names``, ``weight_names``) and each dataset's path,
shape and dtype.

What it reads, from the HDF5 file format specification: superblock versions 0 to 3
(after a user block, with 2-, 4- or 8-byte offsets); object headers version 1 and 2
with their continuation blocks; dataspace, datatype (committed ones too), attribute,
symbol table, link, link info and attribute info messages; groups stored as symbol
tables (version 1 B-trees, symbol table nodes, a local heap), as link messages, or
densely (``libver="latest"`` files with more than eight links or attributes on an
object: a fractal heap of messages, managed, tiny or huge, indexed by a version 2
B-tree); attribute values that are numbers, booleans, enums, fixed-length strings or
variable-length strings in the global heap. Soft and external links are not
followed; the checksums of version 2 structures are not verified; anything else not
understood where the answer depends on it raises an error.

Files from strangers are read as a parser with budgets: every address is checked
to lie inside the file before a byte is read, every count and size read from the
file is checked against a cap below before it drives work, the walk is iterative
(no recursion) and stops at a cycle; anything wrong raises ``InvalidSpecError``
with a one-line message (the caller adds the file name).
"""

from __future__ import annotations

import bisect
import dataclasses
import math
import struct

from lstm_params._errors import InvalidSpecError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import IO

__all__ = [
    "MAX_ATTRIBUTES",
    "MAX_ATTRIBUTE_BYTES",
    "MAX_BLOCK_BYTES",
    "MAX_CONTINUATIONS",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
    "MAX_LINKS",
    "MAX_MESSAGES",
    "MAX_OBJECTS",
    "MAX_RANK",
    "MAX_READ_BYTES",
    "MAX_STRING_BYTES",
    "Dataset",
    "Hdf5Metadata",
    "read_hdf5",
]

#: object headers visited in one file (groups and datasets)
MAX_OBJECTS = 100_000
#: links followed in one file, from symbol tables and link messages together
MAX_LINKS = 1_000_000
#: messages in one object header, its continuation blocks included
MAX_MESSAGES = 65_536
#: attributes on one object
MAX_ATTRIBUTES = 10_000
#: continuation blocks of one object header
MAX_CONTINUATIONS = 1_000
#: groups nested inside one another, the root being depth 0
MAX_DEPTH = 64
#: dimensions of a dataspace
MAX_RANK = 32
#: elements of one attribute value (``layer_names`` has one per layer)
MAX_ELEMENTS = 1_000_000
#: bytes of one string: a ``model_config`` may take this much
MAX_STRING_BYTES = 64 * 2**20
#: bytes of attribute values decoded in one file, all attributes together
MAX_ATTRIBUTE_BYTES = 256 * 2**20
#: bytes of one metadata block read at once: a header chunk, a B-tree node, a heap
MAX_BLOCK_BYTES = 128 * 2**20
#: bytes read in one file, all blocks together (overlapping blocks cannot multiply the work)
MAX_READ_BYTES = 2**30

SIGNATURE = b"\x89HDF\r\n\x1a\n"
_SUPERBLOCK_SEARCH = 2**40  # a user block is 0, 512, 1024, ... bytes long: tried up to here
_MAX_DIM = 2**63  # each dimension is below this

# Object header message types (the specification's numbering).
_NIL, _DATASPACE, _LINK_INFO, _DATATYPE, _LAYOUT = 0x0, 0x1, 0x2, 0x3, 0x8
_LINK, _ATTRIBUTE, _CONTINUATION, _SYMBOL_TABLE, _ATTRIBUTE_INFO = 0x6, 0xC, 0x10, 0x11, 0x15
_SHARED = 0x02  # message flag: the message is stored elsewhere
# Version 2 B-tree record types: huge objects of a fractal heap, names of links and attributes.
_HUGE_OBJECTS, _LINK_NAMES, _ATTRIBUTE_NAMES = 1, 5, 8
# Datatype classes.
_FIXED, _FLOAT, _STRING, _ENUM, _VLEN = 0, 1, 3, 8, 9
_CLASS_NAMES = {
    2: "time", 4: "bitfield", 5: "opaque", 6: "compound", 7: "reference", 8: "enum",
    9: "vlen", 10: "array",
}  # fmt: skip
_FLOATS = {2: "e", 4: "f", 8: "d"}
_INTEGER_SIZES = (1, 2, 4, 8)
_BOOL_MEMBERS = ((b"FALSE", 0), (b"TRUE", 1))  # how h5py stores numpy's bool


@dataclasses.dataclass(frozen=True, slots=True)
class Dataset:
    """One dataset: its path from the root (as h5py's ``visititems`` names it), shape, dtype.

    The dtype is ``"float32"``, ``"int64"``, ``"uint8"`` and so on, ``"bool"``
    (h5py's enum), ``"string"``, or the HDF5 class name (``"compound"``,
    ``"opaque"``, ...) for the others.
    """

    path: str
    shape: tuple[int, ...]
    dtype: str


@dataclasses.dataclass(frozen=True, slots=True)
class Hdf5Metadata:
    """What an HDF5 file says of itself, without its data.

    ``attributes`` are the root group's; ``group_attributes`` maps the path of
    every other group that has attributes to them. A value is a ``str``, an
    ``int``, a ``float``, a ``bool``, a list of those (flattened, for a dataspace
    of rank 1 or more), or ``None`` for a datatype this reader does not decode.
    """

    attributes: dict[str, object]
    datasets: tuple[Dataset, ...]
    group_attributes: dict[str, dict[str, object]]


def read_hdf5(stream: IO[bytes], size: int) -> Hdf5Metadata:
    """Read the metadata of the HDF5 file open in ``stream`` (seekable), ``size`` bytes long.

    >>> import os
    >>> with open("tests/data/models/keras3-embedding-lstm-dense.h5", "rb") as f:
    ...     meta = read_hdf5(f, os.fstat(f.fileno()).st_size)
    >>> meta.attributes["keras_version"], meta.datasets[0].path
    ('3.15.1', 'model_weights/dense/sequential/dense/bias')
    >>> meta.datasets[0].shape, meta.datasets[0].dtype
    ((2,), 'float32')
    >>> meta.group_attributes["model_weights"]["layer_names"]
    ['embedding', 'lstm', 'dense']
    """
    return _Reader(stream, size).read()


class _Cursor:
    """Bytes already read, consumed from the front; running short raises, never slices short."""

    __slots__ = ("data", "offsets", "pos", "what")

    def __init__(self, data: bytes, what: str, offsets: tuple[int, int]) -> None:
        self.data, self.what, self.offsets, self.pos = data, what, offsets, 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            msg = f"{self.what}: truncated"
            raise InvalidSpecError(msg)
        self.pos += n
        return self.data[self.pos - n : self.pos]

    def uint(self, n: int) -> int:
        return int.from_bytes(self.take(n), "little")

    def address(self) -> int | None:
        """An address, or ``None`` when undefined (all bits set)."""
        n = self.offsets[0]
        value = self.uint(n)
        return None if value == (1 << (8 * n)) - 1 else value

    def length(self) -> int:
        return self.uint(self.offsets[1])

    def left(self) -> int:
        return len(self.data) - self.pos

    def text(self, n: int, *, pad: int = 0) -> str:
        """A name of ``n`` bytes (a NUL ends it), padded to a multiple of ``pad``."""
        raw = self.take(-(-n // pad) * pad if pad else n)[:n]
        return _text(raw.split(b"\0", 1)[0], self.what)


@dataclasses.dataclass(slots=True)
class _Object:
    """The messages of one object header that this reader uses."""

    dataspace: bytes | None = None
    datatype: bytes | None = None
    committed: bool = False  # the datatype message is shared: it names a committed datatype
    layout: bool = False
    symbol_table: bytes | None = None
    links: list[bytes] = dataclasses.field(default_factory=list)
    attributes: list[bytes] = dataclasses.field(default_factory=list)
    dense_links: tuple[int | None, int | None] | None = None  # fractal heap, name index
    dense_attributes: tuple[int | None, int | None] | None = None


class _Reader:
    def __init__(self, stream: IO[bytes], size: int) -> None:
        self.stream, self.size = stream, size
        self.base = 0
        self.offsets = (8, 8)  # the sizes of offsets and of lengths, from the superblock
        self.objects: set[int] = set()
        self.continuations: dict[int, int] = {}  # continuation block: its header's first block
        self.heaps: dict[int, dict[int, bytes]] = {}
        self.types: dict[int | None, bytes] = {}  # committed datatypes, by address
        self.budget = MAX_ATTRIBUTE_BYTES
        self.unread = MAX_READ_BYTES
        self.links = 0

    def read(self) -> Hdf5Metadata:
        root = self._superblock()
        datasets: list[Dataset] = []
        attributes: dict[str, object] = {}
        groups: dict[str, dict[str, object]] = {}
        stack: list[tuple[str, int | None, tuple[int | None, ...]]] = [("", root, ())]
        while stack:
            path, address, ancestors = stack.pop()
            if address in ancestors:
                msg = f"{path!r} links back to the group that holds it (a cycle)"
                raise InvalidSpecError(msg)
            if address in self.objects:
                continue  # a second hard link to one object: visited once, as h5py does
            obj = self._object(address, path)
            if obj.layout:
                datasets.append(self._dataset(obj, path))
                continue
            if obj.datatype is not None:
                continue  # a committed datatype: neither group nor dataset
            values = self._attributes(obj, path)
            if not path:
                attributes = values
            elif values:
                groups[path] = values
            children = self._children(obj, path)
            if children and len(ancestors) >= MAX_DEPTH:
                msg = f"{path!r}: groups nested more than {MAX_DEPTH} deep"
                raise InvalidSpecError(msg)
            for name, child in sorted(children, key=lambda c: c[0], reverse=True):
                stack.append((f"{path}/{name}" if path else name, child, (*ancestors, address)))
        datasets.sort(key=lambda d: d.path.split("/"))
        return Hdf5Metadata(attributes, tuple(datasets), groups)

    # -- bytes ---------------------------------------------------------------------------------

    def _bytes(self, address: int, n: int, what: str) -> bytes:
        """``n`` bytes at ``address`` (relative to the base address), all inside the file."""
        start = self.base + address
        if n > MAX_BLOCK_BYTES:
            msg = f"{what}: {n:,} bytes, more than the {MAX_BLOCK_BYTES:,} read at once"
            raise InvalidSpecError(msg)
        self.unread -= n
        if self.unread < 0:
            msg = f"{what}: more than {MAX_READ_BYTES:,} bytes of metadata read in all"
            raise InvalidSpecError(msg)
        if start + n > self.size:
            msg = f"{what}: {n:,} bytes at {start:#x} lie past the end of the file ({self.size:,})"
            raise InvalidSpecError(msg)
        self.stream.seek(start)
        data = self.stream.read(n)
        if len(data) != n:
            msg = f"{what}: the file ends early at {start:#x}"
            raise InvalidSpecError(msg)
        return data

    def _cursor(self, address: int | None, n: int, what: str, signature: bytes = b"") -> _Cursor:
        if address is None:
            msg = f"{what}: undefined address"
            raise InvalidSpecError(msg)
        cursor = _Cursor(self._bytes(address, n, what), what, self.offsets)
        if cursor.take(len(signature)) != signature:
            msg = f"{what}: no {signature.decode()} signature at {address:#x}"
            raise InvalidSpecError(msg)
        return cursor

    def _spend(self, n: int, what: str) -> None:
        self.budget -= n
        if self.budget < 0:
            msg = f"{what}: attribute values take more than {MAX_ATTRIBUTE_BYTES:,} bytes in all"
            raise InvalidSpecError(msg)

    # -- superblock ----------------------------------------------------------------------------

    def _superblock(self) -> int | None:
        """Find the superblock, set the sizes of offsets and lengths; the root's header address."""
        start = 0  # after a user block of 512, 1024, 2048, ... bytes
        while start + len(SIGNATURE) > self.size or (
            self._bytes(start, len(SIGNATURE), "superblock") != SIGNATURE
        ):
            if start + len(SIGNATURE) > self.size:
                msg = "not an HDF5 file: no superblock signature"
                raise InvalidSpecError(msg)
            start = max(512, 2 * start)
        head = self._cursor(start + len(SIGNATURE), 8, "superblock")
        version = head.uint(1)
        if version > 3:  # noqa: PLR2004
            msg = f"superblock version {version} is not read (0 to 3 are)"
            raise InvalidSpecError(msg)
        if version < 2:  # noqa: PLR2004
            head.take(4)  # free-space, root entry and shared header versions, reserved
        self.offsets = head.uint(1), head.uint(1)
        if not {*self.offsets} <= {2, 4, 8}:
            msg = f"sizes of offsets and lengths must be 2, 4 or 8, got {self.offsets}"
            raise InvalidSpecError(msg)
        o = self.offsets[0]
        # base, (free space, end of file, driver, root entry's name) or (extension, end of file)
        fixed, skipped = {0: (24, 4), 1: (28, 4), 2: (12, 2), 3: (12, 2)}[version]
        cursor = self._cursor(start + fixed, (2 + skipped) * o, "superblock")
        base = cursor.address()
        cursor.take(skipped * o)
        root = cursor.address()
        self.base = start if base is None else base
        return root

    # -- object headers ------------------------------------------------------------------------

    def _object(self, address: int | None, path: str) -> _Object:
        """The messages of the object header at ``address`` and of its continuation blocks."""
        what = f"{path or '/'!r}: object header"
        if address in self.continuations:
            msg = f"{what} at {address:#x} is a continuation block"
            raise InvalidSpecError(msg)
        self.objects.add(address)  # type: ignore[arg-type]  # an undefined one is refused below
        if len(self.objects) > MAX_OBJECTS:
            msg = f"more than {MAX_OBJECTS:,} objects"
            raise InvalidSpecError(msg)
        obj = _Object()
        for kind, data, shared in self._messages(address, what):
            self._keep(obj, kind, data, shared=shared, what=what)
        if len(obj.attributes) > MAX_ATTRIBUTES:
            msg = f"{what}: more than {MAX_ATTRIBUTES:,} attributes"
            raise InvalidSpecError(msg)
        return obj

    def _messages(self, address: int | None, what: str) -> Iterator[tuple[int, bytes, bool]]:
        """Each message's type, data and whether it is shared, continuations followed."""
        version, count, prefix, blocks = self._prefix(address, what)
        messages = 0
        for block_address, block_size, skip in blocks:  # grows as continuations are found
            cursor = self._cursor(block_address, block_size, what)
            cursor.take(skip)
            end = block_size - (4 if version == 2 else 0)  # noqa: PLR2004  (a checksum)
            while end - cursor.pos >= prefix and messages != count:
                messages += 1
                if messages > MAX_MESSAGES:
                    msg = f"{what}: more than {MAX_MESSAGES:,} messages"
                    raise InvalidSpecError(msg)
                kind = cursor.uint(2 if version == 1 else 1)
                size = cursor.uint(2)
                flags = cursor.take(prefix - (4 if version == 1 else 3))  # flags, reserved, order
                data = cursor.take(size)
                if cursor.pos > end:
                    msg = f"{what}: a message runs into the checksum"
                    raise InvalidSpecError(msg)
                if kind != _CONTINUATION:
                    yield kind, data, bool(flags[0] & _SHARED)
                elif len(blocks) > MAX_CONTINUATIONS:
                    msg = f"{what}: more than {MAX_CONTINUATIONS:,} continuation blocks"
                    raise InvalidSpecError(msg)
                else:
                    blocks.append(self._continuation(data, what, version, blocks))

    def _prefix(
        self, address: int | None, what: str
    ) -> tuple[int, int | None, int, list[tuple[int, int, int]]]:
        """Version, message count (version 1), message prefix size, first block of a header."""
        first = self._cursor(address, 6, what)
        assert address is not None  # noqa: S101  (the cursor has refused None)
        if first.data[:5] == b"OHDR\x02":
            flags = first.data[5]
            extra = (16 if flags & 0x20 else 0) + (4 if flags & 0x10 else 0)  # times, phases
            width = 1 << (flags & 0x03)
            chunk = self._cursor(address + 6 + extra, width, what).uint(width)
            prefix = 4 + (2 if flags & 0x04 else 0)  # ... and a creation order
            start = 6 + extra + width
            return 2, None, prefix, [(address, start + chunk + 4, start)]  # ... and a checksum
        if first.data[:2] == b"\x01\x00":
            rest = self._cursor(address + 6, 10, what)
            count = int.from_bytes(first.data[2:4], "little")
            chunk = int.from_bytes(rest.data[2:6], "little")
            return 1, count, 8, [(address + 16, chunk, 0)]
        msg = f"{what}: not an object header (version 1 or 2) at {address:#x}"
        raise InvalidSpecError(msg)

    def _continuation(
        self, data: bytes, what: str, version: int, blocks: list[tuple[int, int, int]]
    ) -> tuple[int, int, int]:
        cursor = _Cursor(data, f"{what}: continuation message", self.offsets)
        address, length = cursor.address(), cursor.length()
        header = blocks[0][0]
        if (
            address is None
            or self.continuations.setdefault(address, header) != header
            or address in self.objects
            or any(block[0] == address for block in blocks)
        ):
            msg = f"{what}: a continuation block at {address or 0:#x} read twice (a cycle)"
            raise InvalidSpecError(msg)
        if version == 1:
            return address, length, 0
        self._cursor(address, 4, f"{what}: continuation block", b"OCHK")
        return address, length, 4

    def _keep(self, obj: _Object, kind: int, data: bytes, *, shared: bool, what: str) -> None:
        if shared and kind in {_DATASPACE, _ATTRIBUTE}:
            msg = f"{what}: shared dataspace and attribute messages are not read"
            raise InvalidSpecError(msg)
        if kind == _DATASPACE:
            obj.dataspace = data
        elif kind == _DATATYPE:
            obj.datatype, obj.committed = data, shared
        elif kind == _LAYOUT:
            obj.layout = True
        elif kind == _SYMBOL_TABLE:
            obj.symbol_table = data
        elif kind == _LINK:
            obj.links.append(data)
        elif kind == _ATTRIBUTE:
            obj.attributes.append(data)
        elif kind == _LINK_INFO:
            obj.dense_links = self._info(data, 8, what)
        elif kind == _ATTRIBUTE_INFO:
            obj.dense_attributes = self._info(data, 2, what)

    def _info(self, data: bytes, index: int, what: str) -> tuple[int | None, int | None] | None:
        """A link or attribute info message's fractal heap and name index, if dense."""
        cursor = _Cursor(data, f"{what}: link or attribute info message", self.offsets)
        flags = cursor.take(2)[1]
        cursor.take(index if flags & 0x01 else 0)  # the maximum creation index
        heap, names = cursor.address(), cursor.address()
        return None if heap is None else (heap, names)

    # -- datasets ------------------------------------------------------------------------------

    def _dataset(self, obj: _Object, path: str) -> Dataset:
        what = f"{path!r}: dataset"
        if obj.dataspace is None or obj.datatype is None:
            msg = f"{what} has no dataspace or no datatype"
            raise InvalidSpecError(msg)
        shape = self._shape(obj.dataspace, what)
        datatype = self._committed(obj.datatype, what) if obj.committed else obj.datatype
        return Dataset(path, shape or (), _dtype(datatype, what))

    def _committed(self, shared: bytes, what: str) -> bytes:
        """The datatype message of the committed datatype a shared message names."""
        cursor = _Cursor(shared, f"{what}: shared datatype", self.offsets)
        version, kind = cursor.take(2)
        cursor.take(6 if version == 1 else 0)  # reserved
        if version not in {1, 2, 3} or (version == 3 and kind != 2):  # noqa: PLR2004
            msg = f"{what}: a shared datatype (version {version}, type {kind}) is not read"
            raise InvalidSpecError(msg)
        address = cursor.address()
        if address not in self.types:
            self.types[address] = b""
            for message, data, nested in self._messages(address, f"{what}: committed datatype"):
                if message == _DATATYPE and not nested:
                    self.types[address] = data
        if not self.types[address]:
            msg = f"{what}: no datatype in the committed datatype at {address or 0:#x}"
            raise InvalidSpecError(msg)
        return self.types[address]

    def _shape(self, data: bytes, what: str) -> tuple[int, ...] | None:
        """The dimensions of a dataspace message; ``None`` for a null dataspace."""
        cursor = _Cursor(data, f"{what}: dataspace", self.offsets)
        version, rank, _ = cursor.take(3)
        if version not in {1, 2}:
            msg = f"{what}: dataspace version {version} is not read"
            raise InvalidSpecError(msg)
        null = cursor.take(5 if version == 1 else 1)[0] == 2 and version == 2  # noqa: PLR2004
        if rank > MAX_RANK:
            msg = f"{what}: rank {rank}, more than {MAX_RANK}"
            raise InvalidSpecError(msg)
        dims = tuple(cursor.length() for _ in range(rank))
        if any(d >= _MAX_DIM for d in dims):
            msg = f"{what}: a dimension of 2**63 or more in {list(dims)}"
            raise InvalidSpecError(msg)
        return None if null else dims

    # -- attributes ----------------------------------------------------------------------------

    def _attributes(self, obj: _Object, path: str) -> dict[str, object]:
        what = f"{path or '/'!r}: attribute"
        messages = obj.attributes
        if obj.dense_attributes:
            messages = messages + self._dense(*obj.dense_attributes, _ATTRIBUTE_NAMES, what)
        if len(messages) > MAX_ATTRIBUTES:
            msg = f"{what}s: more than {MAX_ATTRIBUTES:,}"
            raise InvalidSpecError(msg)
        values: dict[str, object] = {}
        for data in messages:
            name, value = self._attribute(data, what)
            values[name] = value
        return values

    def _attribute(self, data: bytes, what: str) -> tuple[str, object]:
        cursor = _Cursor(data, what, self.offsets)
        version, flags = cursor.take(2)
        if version not in {1, 2, 3}:
            msg = f"{what}: attribute message version {version} is not read"
            raise InvalidSpecError(msg)
        name_size, type_size, space_size = cursor.uint(2), cursor.uint(2), cursor.uint(2)
        cursor.take(1 if version == 3 else 0)  # noqa: PLR2004  (the name's character set)
        pad = 8 if version == 1 else 0
        name = cursor.text(name_size, pad=pad)
        what = f"{what} {name!r}"
        datatype = cursor.take(-(-type_size // 8) * 8 if pad else type_size)[:type_size]
        dataspace = cursor.take(-(-space_size // 8) * 8 if pad else space_size)[:space_size]
        shape = self._shape(dataspace, what)
        if flags & 0x02 or shape is None:  # a shared dataspace, a null one: no value
            return name, None
        if flags & 0x01:
            datatype = self._committed(datatype, what)
        count = math.prod(shape)
        if count > MAX_ELEMENTS:
            msg = f"{what}: {count:,} elements, more than the {MAX_ELEMENTS:,} read"
            raise InvalidSpecError(msg)
        values = self._values(datatype, count, cursor, what)
        return name, values if values is None or shape else values[0]

    def _values(
        self, datatype: bytes, count: int, cursor: _Cursor, what: str
    ) -> list[object] | None:
        kind = _Cursor(datatype, f"{what}: datatype", self.offsets)
        head = kind.take(8)
        cls, bits, size = head[0] & 0x0F, int.from_bytes(head[1:4], "little"), head[4:8]
        width = int.from_bytes(size, "little")
        vlen_string = cls == _VLEN and bits & 0x0F == 1
        if vlen_string:
            width = 8 + self.offsets[0]
        if cls == _STRING and width > MAX_STRING_BYTES:
            msg = f"{what}: strings of {width:,} bytes, more than the {MAX_STRING_BYTES:,} read"
            raise InvalidSpecError(msg)
        self._spend(count * width, what)
        raw = cursor.take(count * width)
        items = [raw[i * width : (i + 1) * width] for i in range(count)]
        if cls == _STRING:
            return [_text(_unpad(item, bits & 0x0F), what) for item in items]
        if vlen_string:
            return [self._vlen(item, what) for item in items]
        return _numbers(kind, items, width)

    def _vlen(self, item: bytes, what: str) -> str:
        cursor = _Cursor(item, what, self.offsets)
        length, address, index = cursor.uint(4), cursor.address(), cursor.uint(4)
        if not length:
            return ""
        if length > MAX_STRING_BYTES:
            msg = f"{what}: a string of {length:,} bytes, more than the {MAX_STRING_BYTES:,} read"
            raise InvalidSpecError(msg)
        data = self._heap_object(address, index, what)
        if length > len(data):
            msg = f"{what}: a string of {length:,} bytes in a heap object of {len(data):,}"
            raise InvalidSpecError(msg)
        return _text(data[:length], what)

    def _heap_object(self, address: int | None, index: int, what: str) -> bytes:
        """Object ``index`` of the global heap collection at ``address``."""
        what = f"{what}: global heap"
        objects = self.heaps.get(address)  # type: ignore[arg-type]
        if objects is None:
            head = self._cursor(address, 8 + self.offsets[1], what, b"GCOL")
            head.take(4)  # version and reserved
            size = head.length()
            self._spend(size, what)
            cursor = self._cursor(address, size, what)
            header = -(-head.pos // 8) * 8  # headers are padded to a multiple of 8 bytes
            cursor.take(header)
            objects = {}
            while cursor.left() >= header:
                number = cursor.uint(2)
                cursor.take(6)  # reference count, reserved
                n = cursor.length()
                cursor.take(header - 8 - self.offsets[1])
                if not number:  # free space: the collection's last object
                    break
                objects[number] = cursor.take(n)
                cursor.take(min(-n % 8, cursor.left()))
            self.heaps[address] = objects  # type: ignore[index]
        if index not in objects:
            msg = f"{what}: no object {index} in the collection at {address:#x}"
            raise InvalidSpecError(msg)
        return objects[index]

    # -- groups --------------------------------------------------------------------------------

    def _children(self, obj: _Object, path: str) -> list[tuple[str, int | None]]:
        what = f"{path or '/'!r}: group"
        children: list[tuple[str, int | None]] = []
        if obj.symbol_table is not None:
            children.extend(self._symbol_table(obj.symbol_table, what))
        links = obj.links
        if obj.dense_links:
            links = links + self._dense(*obj.dense_links, _LINK_NAMES, what)
        for data in links:
            self._count_links(1, what)
            link = self._link(data, what)
            if link is not None:
                children.append(link)
        if len({name for name, _ in children}) < len(children):
            msg = f"{what}: two links of one name"
            raise InvalidSpecError(msg)
        return children

    def _count_links(self, n: int, what: str) -> None:
        self.links += n
        if self.links > MAX_LINKS:
            msg = f"{what}: more than {MAX_LINKS:,} links"
            raise InvalidSpecError(msg)

    def _link(self, data: bytes, what: str) -> tuple[str, int | None] | None:
        cursor = _Cursor(data, f"{what}: link message", self.offsets)
        version, flags = cursor.take(2)
        if version != 1:
            msg = f"{what}: link message version {version} is not read"
            raise InvalidSpecError(msg)
        kind = cursor.uint(1) if flags & 0x08 else 0
        cursor.take((8 if flags & 0x04 else 0) + (1 if flags & 0x10 else 0))
        name = _name(cursor.take(cursor.uint(1 << (flags & 0x03))), what)
        return (name, cursor.address()) if kind == 0 else None  # soft, external: not followed

    def _symbol_table(self, data: bytes, what: str) -> list[tuple[str, int | None]]:
        """The entries of a symbol table: its version 1 B-tree and its local heap of names."""
        o, n = self.offsets
        cursor = _Cursor(data, f"{what}: symbol table message", self.offsets)
        tree, heap = cursor.address(), cursor.address()
        head = self._cursor(heap, 8 + 2 * n + o, f"{what}: local heap", b"HEAP")
        head.take(4)  # version, reserved
        heap_size, _, segment = head.length(), head.length(), head.address()
        names = self._cursor(segment, heap_size, f"{what}: local heap").data
        children: list[tuple[str, int | None]] = []
        nodes: list[tuple[int | None, int | None]] = [(tree, None)]
        seen: set[int | None] = set()
        while nodes:
            address, level = nodes.pop()
            if address in seen:
                msg = f"{what}: B-tree node at {address or 0:#x} reached twice (a cycle)"
                raise InvalidSpecError(msg)
            seen.add(address)
            node = self._cursor(address, 8 + 2 * o, f"{what}: B-tree node", b"TREE")
            kind, node_level, entries = node.uint(1), node.uint(1), node.uint(2)
            if kind != 0 or node_level != (node_level if level is None else level):
                msg = f"{what}: B-tree node at {address:#x} of type {kind}, level {node_level}"
                raise InvalidSpecError(msg)
            self._count_links(entries, what)
            assert address is not None  # noqa: S101  (the cursor has refused None)
            body = self._cursor(address + 8 + 2 * o, entries * (n + o) + n, f"{what}: B-tree node")
            for _ in range(entries):
                body.length()
                child = body.address()
                if node_level:
                    nodes.append((child, node_level - 1))
                else:
                    children.extend(self._symbol_node(child, names, what))
        return children

    def _symbol_node(
        self, address: int | None, names: bytes, what: str
    ) -> list[tuple[str, int | None]]:
        o = self.offsets[0]
        head = self._cursor(address, 8, f"{what}: symbol table node", b"SNOD")
        head.take(2)  # version, reserved
        count = head.uint(2)
        assert address is not None  # noqa: S101  (the cursor has refused None)
        entry = 2 * o + 24
        body = self._cursor(address + 8, count * entry, f"{what}: symbol table node")
        children: list[tuple[str, int | None]] = []
        for _ in range(count):
            offset, child = body.length() if o == self.offsets[1] else body.uint(o), body.address()
            body.take(24)  # cache type, reserved, scratch pad
            end = names.find(b"\0", offset)
            if end < 0:
                msg = f"{what}: a name at offset {offset:,} outside its local heap"
                raise InvalidSpecError(msg)
            children.append((_name(names[offset:end], what), child))
        return children

    # -- dense storage: a fractal heap of messages, indexed by a version 2 B-tree -------------

    def _dense(
        self, heap: int | None, tree: int | None, record_type: int, what: str
    ) -> list[bytes]:
        """The link or attribute messages a dense storage holds."""
        records = self._btree2(tree, record_type, 5 if record_type == _LINK_NAMES else 9, what)
        get = _FractalHeap(self, heap, what).get
        return [get(record[4:] if record_type == _LINK_NAMES else record[:8]) for record in records]

    def _btree2(
        self, address: int | None, record_type: int, minimum: int, what: str
    ) -> list[bytes]:
        """The records of a version 2 B-tree: header, internal nodes, leaves."""
        o, n = self.offsets
        what = f"{what}: version 2 B-tree"
        head = self._cursor(address, 16 + o + 2 + n, what, b"BTHD")
        version, kind = head.take(2)
        node_size, record_size, depth = head.uint(4), head.uint(2), head.uint(2)
        head.take(2)  # split and merge percentages
        root, root_count, total = head.address(), head.uint(2), head.length()
        if version or kind != record_type or record_size < minimum or depth > MAX_DEPTH:
            msg = f"{what}: version {version}, type {kind}, records of {record_size} bytes"
            msg += f", depth {depth}"
            raise InvalidSpecError(msg)
        self._count_links(total, what)
        sizes = _btree2_pointer_sizes(node_size, record_size, depth, o)
        records: list[bytes] = []
        nodes = [(root, root_count, depth)]
        seen: set[int | None] = set()
        while nodes:
            node, count, level = nodes.pop()
            if node in seen or len(records) + count > total:
                msg = f"{what}: a node at {node or 0:#x} read twice, or more records than {total:,}"
                raise InvalidSpecError(msg)
            seen.add(node)
            pointer, child_total = sizes[level]
            size = (
                6 + count * record_size + (count + 1) * pointer
                if level
                else 6 + count * record_size
            )
            cursor = self._cursor(node, size, what, b"BTIN" if level else b"BTLF")
            cursor.take(2)  # version, type
            records.extend(cursor.take(record_size) for _ in range(count))
            for _ in range(count + 1 if level else 0):
                child = cursor.address()
                child_count = cursor.uint(sizes[0][1])
                cursor.take(child_total)
                nodes.append((child, child_count, level - 1))
        return records

    def _direct_blocks(
        self, root: int | None, rows: int, table: tuple[int, int, int, int], what: str
    ) -> list[tuple[int, int, int]]:
        """Each direct block's heap offset, size and address, walking the indirect blocks."""
        width, start, max_direct, offset_size = table
        if not rows:
            return [] if root is None else [(0, start, root)]
        direct_rows = (max_direct.bit_length() - start.bit_length()) + 2
        blocks: list[tuple[int, int, int]] = []
        indirect = [(root, rows, 0)]
        seen: set[int | None] = set()
        while indirect:
            address, count, base = indirect.pop()
            if address in seen or not 0 < count <= 64:  # noqa: PLR2004
                msg = (
                    f"{what}: an indirect block at {address or 0:#x} read twice or of {count} rows"
                )
                raise InvalidSpecError(msg)
            seen.add(address)
            self._count_links(count * width, what)
            header = 5 + self.offsets[0] + offset_size
            size = header + count * width * self.offsets[0]
            cursor = self._cursor(address, size, f"{what}: indirect block", b"FHIB")
            cursor.take(header - 4)
            offset = base
            for row in range(count):
                row_size = start << max(row - 1, 0)
                for _ in range(width):
                    child = cursor.address()
                    if child is not None and row < direct_rows:
                        blocks.append((offset, row_size, child))
                    elif child is not None:  # an indirect block of fewer rows
                        indirect.append((child, row - width.bit_length() + 1, offset))
                    offset += row_size
        return sorted(blocks)


def _numbers(kind: _Cursor, items: list[bytes], width: int) -> list[object] | None:
    """Integers, floats, booleans, enums (as their integers); ``None`` for other datatypes."""
    cls, bits = kind.data[0] & 0x0F, kind.data[1]
    if cls == _ENUM and width in _INTEGER_SIZES and kind.take(8)[0] & 0x0F == _FIXED:
        kind.take(4)
        if width == 1 and _is_bool(
            kind, int.from_bytes(kind.data[1:4], "little"), kind.data[0] >> 4
        ):
            return [bool(item[0]) for item in items]
        cls, bits = _FIXED, kind.data[9]  # the base integer type's
    if cls == _FIXED and width in _INTEGER_SIZES:
        signed, big = bool(bits & 0x08), bits & 0x01
        return [int.from_bytes(i[::-1] if big else i, "little", signed=signed) for i in items]
    if cls == _FLOAT and width in _FLOATS and not bits & 0x40:
        code = (">" if bits & 0x01 else "<") + _FLOATS[width]
        return [struct.unpack(code, item)[0] for item in items]
    return None


class _FractalHeap:
    """A fractal heap's header and direct blocks: objects by heap ID (managed, tiny, huge)."""

    def __init__(self, reader: _Reader, address: int | None, what: str) -> None:
        o, n = reader.offsets
        self.reader, self.what = reader, f"{what}: fractal heap"
        head = reader._cursor(address, 22 + 12 * n + 3 * o, self.what, b"FRHP")  # noqa: SLF001
        version, self.id_length, filters = head.uint(1), head.uint(2), head.uint(2)
        head.take(1)  # flags
        max_object = head.uint(4)
        head.length()  # the next huge object's ID
        self.huge_tree = head.address()
        head.take(9 * n + o)  # free space, statistics
        width, start, max_direct = head.uint(2), head.length(), head.length()
        bits, _, root, rows = head.uint(2), head.uint(2), head.address(), head.uint(2)
        if version or filters or not _doubling_table(width, start, max_direct, bits):
            msg = f"{self.what}: version {version}, filters {filters}, doubling table "
            msg += f"{width}, {start:,}, {max_direct:,}, {bits}"
            raise InvalidSpecError(msg)
        self.offset_size = -(-bits // 8)
        self.length_size = min(-(-(max_direct.bit_length() - 1) // 8), _limit_size(max_object))
        table = (width, start, max_direct, self.offset_size)
        self.blocks = reader._direct_blocks(root, rows, table, self.what)  # noqa: SLF001
        self.starts = [block[0] for block in self.blocks]
        self.checked: set[int] = set()
        self.huge_index: dict[int, tuple[int | None, int]] = {}

    def get(self, heap_id: bytes) -> bytes:
        """The object a heap ID names."""
        reader, what = self.reader, self.what
        cursor = _Cursor(heap_id, f"{what}: heap ID", reader.offsets)
        first = cursor.uint(1)
        if first >> 4 == 2:  # noqa: PLR2004  (a tiny object, stored in the ID itself)
            extended = self.id_length > 18  # noqa: PLR2004
            size = ((first & 0x0F) << 8 | cursor.uint(1) if extended else first & 0x0F) + 1
            return cursor.take(size)
        if first >> 6 or first >> 4 == 3:  # noqa: PLR2004
            msg = f"{what}: a heap ID of version {first >> 6}, type {first >> 4 & 3}"
            raise InvalidSpecError(msg)
        if first >> 4:  # a huge object: where it is, in the ID or in a B-tree of its own
            if self.id_length >= 1 + sum(reader.offsets):
                address, size = cursor.address(), cursor.length()
            else:
                address, size = self._huge(cursor.uint(min(self.id_length - 1, 8)))
            reader._spend(size, what)  # noqa: SLF001
            return reader._cursor(address, size, f"{what}: huge object").data  # noqa: SLF001
        offset, size = cursor.uint(self.offset_size), cursor.uint(self.length_size)
        i = bisect.bisect_right(self.starts, offset) - 1
        if i < 0 or offset + size > self.blocks[i][0] + self.blocks[i][1]:
            msg = f"{what}: an object at heap offset {offset:,} ({size:,} bytes) in no block"
            raise InvalidSpecError(msg)
        block_offset, _, block = self.blocks[i]
        if block not in self.checked:
            reader._cursor(block, 4, f"{what}: direct block", b"FHDB")  # noqa: SLF001
            self.checked.add(block)
        return reader._bytes(block + offset - block_offset, size, what)  # noqa: SLF001

    def _huge(self, key: int) -> tuple[int | None, int]:
        """Where the huge object ``key`` is, from the heap's B-tree of huge objects."""
        reader = self.reader
        if not self.huge_index:  # records: address, length, ID
            minimum = reader.offsets[0] + 2 * reader.offsets[1]
            for record in reader._btree2(self.huge_tree, _HUGE_OBJECTS, minimum, self.what):  # noqa: SLF001
                cursor = _Cursor(record, f"{self.what}: huge object record", reader.offsets)
                address, size = cursor.address(), cursor.length()
                self.huge_index[cursor.length()] = address, size
        if key not in self.huge_index:
            msg = f"{self.what}: no huge object {key}"
            raise InvalidSpecError(msg)
        return self.huge_index[key]


def _doubling_table(width: int, start: int, max_direct: int, bits: int) -> bool:
    """Whether a fractal heap's doubling table is one HDF5 writes: powers of two, in order."""
    powers = all(n > 0 and not n & (n - 1) for n in (width, start, max_direct))
    return powers and 1 <= bits <= 64 and start <= max_direct <= 2**bits  # noqa: PLR2004


def _limit_size(n: int) -> int:
    """The bytes HDF5 uses to store counts up to ``n``."""
    return (max(n, 1).bit_length() - 1) // 8 + 1


def _btree2_pointer_sizes(
    node_size: int, record_size: int, depth: int, offset_size: int
) -> list[tuple[int, int]]:
    """Per level: the size of a child pointer in a node there, and of its total-records field.

    Level 0's second item is the size of every "records in the child" field, as HDF5's
    ``H5B2__hdr_init`` computes them from the node and record sizes.
    """
    leaf_max = (node_size - 10) // record_size  # signature, version, type, checksum
    if leaf_max < 1:
        msg = f"version 2 B-tree nodes of {node_size} bytes hold no {record_size}-byte record"
        raise InvalidSpecError(msg)
    count_size = _limit_size(leaf_max)
    sizes = [(0, count_size)]
    totals, total_sizes = [leaf_max], [0]
    for level in range(1, depth + 1):
        pointer = offset_size + count_size + total_sizes[level - 1]
        most = max((node_size - 10 - pointer) // (record_size + pointer), 0)
        totals.append((most + 1) * totals[level - 1] + most)
        total_sizes.append(_limit_size(totals[level]))
        sizes.append((pointer, total_sizes[level - 1]))
    return sizes


def _text(raw: bytes, what: str) -> str:
    try:
        return raw.decode()
    except UnicodeDecodeError:
        msg = f"{what}: not UTF-8 text: {raw[:20]!r}"
        raise InvalidSpecError(msg) from None


def _name(raw: bytes, what: str) -> str:
    name = _text(raw, what)
    if not name or "/" in name:
        msg = f"{what}: a link name must be a non-empty name without '/', got {name!r:.60}"
        raise InvalidSpecError(msg)
    return name


def _unpad(raw: bytes, padding: int) -> bytes:
    """A fixed-length string without its padding: NUL-terminated, NUL-padded, space-padded."""
    if padding == 0:
        return raw.split(b"\0", 1)[0]
    return raw.rstrip(b" " if padding == 2 else b"\0")  # noqa: PLR2004


def _dtype(datatype: bytes, what: str) -> str:
    """A dataset's dtype: ``float32``, ``int64``, ``bool``, ``string``, or the class's name."""
    cursor = _Cursor(datatype, f"{what}: datatype", (8, 8))
    head = cursor.take(8)
    cls, bits, width = head[0] & 0x0F, int.from_bytes(head[1:4], "little"), head[4:8]
    bits8 = 8 * int.from_bytes(width, "little")
    if cls == _FIXED:
        return f"{'int' if bits & 0x08 else 'uint'}{bits8}"
    if cls == _FLOAT:
        return f"float{bits8}"
    if cls == _STRING or (cls == _VLEN and bits & 0x0F == 1):
        return "string"
    if (
        cls == _ENUM
        and cursor.take(12)[0] & 0x0F == _FIXED
        and _is_bool(cursor, bits, head[0] >> 4)
    ):
        return "bool"
    if cls not in _CLASS_NAMES:
        msg = f"{what}: unknown datatype class {cls}"
        raise InvalidSpecError(msg)
    return _CLASS_NAMES[cls]


def _is_bool(cursor: _Cursor, bits: int, version: int) -> bool:
    """Whether an enum over an integer (read up to its members) is h5py's bool.

    That is an enum of one byte whose members are FALSE = 0 and TRUE = 1.
    """
    if cursor.data[12:16] != b"\x01\0\0\0" or bits & 0xFFFF != 2:  # noqa: PLR2004
        return False
    names = []
    for _ in range(2):
        end = cursor.data.find(b"\0", cursor.pos)
        if end < 0:
            msg = f"{cursor.what}: an enum member's name runs past the message"
            raise InvalidSpecError(msg)
        length = end - cursor.pos
        padded = length + 1 if version >= 3 else -(-(length + 1) // 8) * 8  # noqa: PLR2004
        names.append(cursor.take(padded)[:length])
    return tuple(zip(names, cursor.take(2), strict=True)) == _BOOL_MEMBERS
