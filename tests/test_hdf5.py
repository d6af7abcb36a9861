"""The HDF5 metadata reader (issue 12) against real files, hand-made files and hostile ones.

``tests/data/models/`` holds real Keras 3.15.1 and tf.keras 2.21 files
(``scripts/generate_keras_zoo.py``) and ``tests/data/hdf5/`` small files h5py
wrote to cover the rest of the format (``scripts/generate_hdf5_samples.py``);
each ``index.json`` says what h5py sees in them. The hand-made files below are
built byte by byte from the HDF5 specification's layouts.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import frameworks
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_params import InvalidSpecError
from lstm_params._readers import hdf5
from lstm_params._readers.hdf5 import Dataset, Hdf5Metadata, read_hdf5

if TYPE_CHECKING:
    from types import ModuleType

DATA = Path(__file__).parent / "data"
MODELS = DATA / "models"
SAMPLES = DATA / "hdf5"
ZOO = json.loads((MODELS / "index.json").read_text())["files"]
SAMPLE_INDEX = json.loads((SAMPLES / "index.json").read_text())["files"]
SHORT = 200  # the generators record longer strings as their length and sha256


def _content(name: str) -> bytes:
    """A file of the zoo or of the samples; ``x.keras/model.weights.h5`` is the archive's member."""
    if name.endswith(".keras/model.weights.h5"):
        with zipfile.ZipFile(MODELS / name.removesuffix("/model.weights.h5")) as archive:
            return archive.read("model.weights.h5")
    if (SAMPLES / f"{name}.gz").exists():
        return gzip.decompress((SAMPLES / f"{name}.gz").read_bytes())
    return (SAMPLES / name if name in SAMPLE_INDEX else MODELS / name).read_bytes()


def read(content: bytes, size: int | None = None) -> Hdf5Metadata:
    return read_hdf5(io.BytesIO(content), len(content) if size is None else size)


def _normal(value: object) -> object:
    """A value as the indexes record it."""
    if isinstance(value, str) and len(value) > SHORT:
        return {"length": len(value), "sha256": hashlib.sha256(value.encode()).hexdigest()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


def _record(meta: Hdf5Metadata) -> dict[str, Any]:
    return {
        "datasets": [[d.path, list(d.shape), d.dtype] for d in meta.datasets],
        "attributes": {k: _normal(v) for k, v in sorted(meta.attributes.items())},
        "group_attributes": {
            path: {k: _normal(v) for k, v in sorted(values.items())}
            for path, values in meta.group_attributes.items()
        },
    }


def _expected(record: dict[str, Any]) -> dict[str, Any]:
    return {key: record[key] for key in ("datasets", "attributes", "group_attributes")}


HDF5_ZOO = sorted(name for name, record in ZOO.items() if "datasets" in record)


def test_the_zoo_holds_every_format() -> None:
    formats = {(name.split("-")[0], record["format"]) for name, record in ZOO.items()}
    assert formats == {
        ("keras3", "keras"),
        ("keras3", "keras-weights.h5"),
        ("keras3", "h5"),
        ("keras3", "weights.h5"),
        ("keras3", "to_json"),
        ("tf_keras", "h5"),
        ("tf_keras", "to_json"),
    }
    assert len(HDF5_ZOO) == 40


@pytest.mark.parametrize("name", HDF5_ZOO)
def test_real_keras_files_read_as_h5py_reads_them(name: str) -> None:
    record = ZOO[name]
    meta = read(_content(name))
    assert _record(meta) == _expected(record)
    if "model_config_class_name" in record:
        config = meta.attributes["model_config"]
        assert isinstance(config, str)
        assert json.loads(config)["class_name"] == record["model_config_class_name"]
        assert record["model"]["class_name"] in {"Sequential", "Functional"}


def test_what_keras_reported_for_the_frozen_embedding_and_the_trained_model() -> None:
    for group in ("keras3", "tf_keras"):
        frozen = ZOO[f"{group}-frozen-embedding.h5"]["model"]
        assert (frozen["trainable"], frozen["non_trainable"], frozen["count_params"]) == (
            825,
            16_016,
            16_841,
        )
    trained = read(_content("tf_keras-trained-adam.h5"))
    optimizer = [d.path for d in trained.datasets if d.path.startswith("optimizer_weights/")]
    assert "optimizer_weights/iteration:0" in optimizer
    assert "optimizer_weights/Adam/m/lstm/lstm_cell/kernel:0" in optimizer
    assert len(optimizer) == 13  # m and v for six weights, and the iteration count
    keras3 = read(_content("keras3-trained-adam.h5"))
    names = keras3.group_attributes["optimizer_weights"]["weight_names"]
    assert isinstance(names, list)
    assert names[:2] == [
        "adam/iteration",
        "adam/learning_rate",
    ]
    assert "training_config" in keras3.attributes


@pytest.mark.parametrize("name", sorted(SAMPLE_INDEX))
def test_sample_files_cover_the_format(name: str) -> None:
    assert _record(read(_content(name))) == _expected(SAMPLE_INDEX[name])


def test_every_attribute_kind_is_decoded() -> None:
    values = read(_content("latest.h5")).group_attributes["a/b"]
    assert values["big_endian"] == [1, 2]
    assert values["unsigned"] == 2**64 - 1
    assert values["flags"] == [True, False]
    assert values["flag"] is True
    assert values["texts"] == ["a", "bc", ""]
    assert values["fixed_array"] == ["x", "yz"]
    assert values["spaced"] == values["nulled"] == "ab"
    assert values["matrix"] == [0, 1, 2, 3, 4, 5]
    assert values["empty"] is None
    assert values["pair"] is None
    assert values["colour"] == 1
    typed = read(_content("latest.h5")).group_attributes["a"]["typed"]
    assert typed == 1.0


def test_the_stream_is_read_where_it_stands_and_not_reopened(tmp_path: Path) -> None:
    path = tmp_path / "x.h5"
    path.write_bytes(_content("userblock.h5"))
    with path.open("rb") as stream:
        meta = read_hdf5(stream, path.stat().st_size)
    assert meta.datasets == (Dataset("x", (2, 3), "float32"),)
    assert meta.attributes == {"backend": "jax"}


# -- hand-made files ---------------------------------------------------------------------------

SIGNATURE = b"\x89HDF\r\n\x1a\n"
UNDEFINED = b"\xff" * 8
ROOT = 96  # the root's object header follows a version 0 superblock with 8-byte offsets


def u(value: int, size: int = 8) -> bytes:
    return value.to_bytes(size, "little")


def superblock(root: int = ROOT, *, version: int = 0, sizes: bytes = b"\x08\x08") -> bytes:
    if version >= 2:
        return (
            SIGNATURE
            + bytes([version])
            + sizes
            + b"\0"
            + u(0)
            + UNDEFINED
            + u(0)
            + u(root)
            + bytes(4)
        )
    head = SIGNATURE + bytes([version, 0, 0, 0, 0]) + sizes + b"\0" + u(4, 2) + u(16, 2) + bytes(4)
    if version == 1:
        head += u(32, 2) + bytes(2)
    return head + u(0) + UNDEFINED + u(0) + UNDEFINED + u(0) + u(root) + bytes(24)


def message(kind: int, data: bytes, flags: int = 0) -> bytes:
    data += bytes(-len(data) % 8)
    return u(kind, 2) + u(len(data), 2) + bytes([flags, 0, 0, 0]) + data


def header(*messages: bytes, count: int | None = None) -> bytes:
    body = b"".join(messages)
    number = len(messages) if count is None else count
    return b"\x01\x00" + u(number, 2) + u(1, 4) + u(len(body), 4) + bytes(4) + body


def dataspace(*dims: int, version: int = 1, kind: int = 1) -> bytes:
    if version == 1:
        return bytes([1, len(dims), 0, 0]) + bytes(4) + b"".join(u(d) for d in dims)
    return bytes([version, len(dims), 0, kind]) + b"".join(u(d) for d in dims)


FLOAT32 = bytes([0x11, 0, 0, 0]) + u(4, 4) + bytes(12)
INT32 = bytes([0x10, 0x08, 0, 0]) + u(4, 4) + bytes(4)
VLEN_STRING = bytes([0x19, 0x01, 0, 0]) + u(16, 4) + bytes([0x13, 0, 0, 0]) + u(1, 4)


def attribute(name: str, datatype: bytes, space: bytes, data: bytes, *, version: int = 1) -> bytes:
    raw = name.encode() + b"\0"
    sizes = u(len(raw), 2) + u(len(datatype), 2) + u(len(space), 2)
    if version == 1:
        return (
            b"\x01\x00"
            + sizes
            + b"".join(p + bytes(-len(p) % 8) for p in (raw, datatype, space))
            + data
        )
    return (
        bytes([version, 0])
        + sizes
        + (b"\0" if version == 3 else b"")
        + raw
        + datatype
        + space
        + data
    )


def file_with(*messages: bytes, extra: bytes = b"", version: int = 0) -> bytes:
    """A superblock, the root's header holding ``messages``, then ``extra``."""
    return superblock(version=version) + header(*messages) + extra


def root_attribute(datatype: bytes, space: bytes, data: bytes, *, version: int = 1) -> object:
    content = file_with(message(0xC, attribute("a", datatype, space, data, version=version)))
    return read(content).attributes["a"]


@pytest.mark.parametrize("version", [0, 1])
def test_a_handmade_file_with_each_early_superblock(version: int) -> None:
    root = 100 if version == 1 else ROOT
    content = superblock(root, version=version) + header(
        message(0xC, attribute("n", INT32, dataspace(), u(5, 4)))
    )
    assert read(content).attributes == {"n": 5}


def _bool_enum(version: int, names: tuple[bytes, bytes] = (b"FALSE", b"TRUE")) -> bytes:
    base = bytes([0x10, 0x08, 0, 0]) + u(1, 4) + u(0, 2) + u(8, 2)

    def pad(name: bytes) -> bytes:
        return name + bytes(-len(name) % 8 if version < 3 else 0)

    members = b"".join(pad(n + b"\0") for n in names) + b"\x00\x01"
    return bytes([(version << 4) | 8, 2, 0, 0]) + u(1, 4) + base + members


@pytest.mark.parametrize(
    ("datatype", "space", "data", "expected"),
    [
        (INT32, dataspace(2), u(1, 4) + u(2**32 - 1, 4), [1, -1]),
        (bytes([0x10, 0, 0, 0]) + u(3, 4) + bytes(4), dataspace(), b"abc", None),  # 3 bytes
        (bytes([0x11, 0, 0, 0]) + u(3, 4) + bytes(12), dataspace(), b"abc", None),
        (bytes([0x11, 0x40, 0, 0]) + u(4, 4) + bytes(12), dataspace(), b"abcd", None),  # VAX
        (bytes([0x13, 0, 0, 0]) + u(4, 4), dataspace(), b"ab\0c", "ab"),
        (bytes([0x13, 1, 0, 0]) + u(4, 4), dataspace(), b"ab\0\0", "ab"),
        (bytes([0x13, 2, 0, 0]) + u(4, 4), dataspace(), b"ab  ", "ab"),
        (VLEN_STRING, dataspace(), bytes(16), ""),  # a NULL string
        (bytes([0x16, 0, 0, 0]) + u(4, 4), dataspace(), bytes(4), None),  # compound
        (FLOAT32, dataspace(version=2, kind=2), b"", None),  # a null dataspace
        (bytes([0x18, 1, 0, 0]) + u(1, 4) + FLOAT32, dataspace(), b"\0", None),  # enum of floats
        (bytes([0x18, 3, 0, 0]) + u(1, 4) + _bool_enum(1)[8:20], dataspace(), b"\xff", -1),
    ],
)
def test_attribute_values(datatype: bytes, space: bytes, data: bytes, expected: object) -> None:
    assert root_attribute(datatype, space, data) == expected


def test_attribute_messages_of_each_version() -> None:
    for version in (1, 2, 3):
        assert root_attribute(INT32, dataspace(), u(9, 4), version=version) == 9


@pytest.mark.parametrize("version", [1, 3])
def test_booleans_as_h5py_writes_them(version: int) -> None:
    assert root_attribute(_bool_enum(version), dataspace(2), b"\x01\x00") == [True, False]
    assert root_attribute(_bool_enum(version, (b"NO", b"YES")), dataspace(), b"\x01") == 1


def _group(*children: tuple[str, bytes]) -> bytes:
    """A file whose root links (link messages) to each child header, placed 256 bytes apart."""
    links, pieces, at = [], [], ROOT + 0x200
    for name, child in children:
        raw = name.encode()
        links.append(message(6, b"\x01\x00" + bytes([len(raw)]) + raw + u(at)))
        pieces.append(child + bytes(0x100 - len(child)))
        at += 0x100
    root = header(*links)
    return superblock() + root + bytes(0x200 - len(root)) + b"".join(pieces)


def dataset(datatype: bytes, *, shared: int = 0, space: bytes = dataspace(3)) -> bytes:
    return header(message(1, space), message(3, datatype, shared), message(8, b""))


def test_a_dataset_of_each_kind() -> None:
    kinds = {
        "bool": _bool_enum(1),
        "enum": _bool_enum(1, (b"NO", b"YES")),
        "enum_of_floats": bytes([0x18, 1, 0, 0]) + u(4, 4) + FLOAT32,
        "string": VLEN_STRING,
        "vlen": bytes([0x19, 0, 0, 0]) + u(16, 4) + INT32,
        "time": bytes([0x12, 0, 0, 0]) + u(4, 4),
        "uint8": bytes([0x10, 0, 0, 0]) + u(1, 4) + bytes(4),
    }
    content = _group(*((name, dataset(datatype)) for name, datatype in kinds.items()))
    got = {d.path: d.dtype for d in read(content).datasets}
    assert got == {name: name.split("_")[0] for name in kinds}


def link(name: str | bytes, address: int) -> bytes:
    raw = name.encode() if isinstance(name, str) else name
    return message(6, b"\x01\x00" + bytes([len(raw)]) + raw + u(address))


def test_committed_datatypes_are_followed() -> None:
    for shared in (b"\x01\x00" + bytes(6), b"\x02\x00", b"\x03\x02"):
        content = _group(
            ("t", header(message(3, FLOAT32))),
            ("d", dataset(shared + u(ROOT + 0x200), shared=2)),
            ("e", dataset(shared + u(ROOT + 0x200), shared=2)),
        )
        got = read(content).datasets
        assert got == (Dataset("d", (3,), "float32"), Dataset("e", (3,), "float32"))


def _global_heap(at: int, length: int, index: int = 1) -> tuple[bytes, bytes]:
    """A root attribute holding a variable-length string, and the heap collection it names."""
    objects = u(1, 2) + u(1, 2) + bytes(4) + u(2) + b"ab" + bytes(6) + u(0, 2) + bytes(6) + u(0)
    collection = b"GCOL\x01\0\0\0" + u(16 + len(objects)) + objects
    value = u(length, 4) + u(at) + u(index, 4)
    return message(0xC, attribute("a", VLEN_STRING, dataspace(), value)), collection


def test_variable_length_strings_in_a_handmade_global_heap() -> None:
    at = ROOT + len(header(_global_heap(0, 0)[0]))
    assert read(file_with(_global_heap(at, 2)[0], extra=_global_heap(at, 2)[1])).attributes == {
        "a": "ab"
    }
    for length, index, match in [
        (5, 1, "a string of 5 bytes in a heap object of 2"),
        (2, 2, "no object 2"),
    ]:
        attr, heap = _global_heap(at, length, index)
        with pytest.raises(InvalidSpecError, match=match):
            read(file_with(attr, extra=heap))


def ohdr(*messages: tuple[int, bytes], chunk: int | None = None) -> bytes:
    body = b"".join(bytes([kind]) + u(len(data), 2) + b"\0" + data for kind, data in messages)
    return b"OHDR\x02\x00" + u(len(body) if chunk is None else chunk, 1) + body + bytes(4)


V2_ROOT = 48  # after a version 2 superblock with 8-byte offsets


def _continued(block: bytes) -> bytes:
    """A version 2 root header whose continuation message names ``block``."""
    first = ohdr((0x10, u(0) + u(0)))
    at = V2_ROOT + len(first)
    return superblock(V2_ROOT, version=2) + ohdr((0x10, u(at) + u(len(block)))) + block


def test_version_2_headers_and_continuation_blocks() -> None:
    attr = attribute("n", INT32, dataspace(), u(3, 4), version=3)
    block = b"OCHK" + bytes([0x0C]) + u(len(attr), 2) + b"\0" + attr + bytes(4)
    assert read(_continued(block)).attributes == {"n": 3}
    with pytest.raises(InvalidSpecError, match="no OCHK signature"):
        read(_continued(b"XXXX" + block[4:]))


def _patch(content: bytes, at: int, new: bytes) -> bytes:
    return content[:at] + new + content[at + len(new) :]


def _find(content: bytes, signature: bytes, test: Any = lambda _at: True) -> int:  # noqa: ANN401
    at = content.find(signature)
    while not test(at):
        at = content.find(signature, at + 1)
    assert at >= 0
    return at


EARLIEST = _content("earliest.h5")  # 4-byte offsets and lengths; a two-level B-tree
TREE_1 = _find(EARLIEST, b"TREE", lambda at: at < 0 or EARLIEST[at + 5] == 1)
DENSE = _content("dense-links.h5")
BTHD = _find(DENSE, b"BTHD")
FRHP = _find(DENSE, b"FRHP")
HEAP_ID = _find(DENSE, b"BTLF") + 10  # the first record's heap ID, after its name's hash
BIG = _content("big-dense.h5")


def _huge_record(at: int) -> bool:
    """Whether ``at`` is a leaf of attribute names whose first heap ID names a huge object."""
    return at < 0 or (BIG[at + 5] == 8 and BIG[at + 6] >> 4 == 1)


HUGE_LEAF = _find(BIG, b"BTLF", _huge_record)

HOSTILE = {
    "truncated message": (file_with(message(0xC, b"\x01\x00")), "truncated"),
    "a link to the root": (file_with(link("self", ROOT)), "links back to the group"),
    "a link past the end": (file_with(link("far", 10**6)), "past the end of the file"),
    "an undefined link": (file_with(link("nowhere", 2**64 - 1)), "undefined address"),
    "a link to the superblock": (file_with(link("sb", 0)), "not an object header"),
    "empty": (b"", "not an HDF5 file"),
    "zeros": (bytes(3000), "not an HDF5 file"),
    "superblock 4": (SIGNATURE + b"\x04" + bytes(100), "superblock version 4"),
    "3-byte offsets": (
        superblock(sizes=b"\x03\x08") + header(),
        r"must be 2, 4 or 8, got \(3, 8\)",
    ),
    "shared dataspace": (file_with(message(1, dataspace(), 2)), "shared dataspace"),
    "no dataspace": (_group(("d", header(message(8, b"")))), "no dataspace or no datatype"),
    "shared message heap": (_group(("d", dataset(b"\x03\x01" + bytes(8), shared=2))), "type 1"),
    "committed nothing": (
        _group(("d", dataset(b"\x02\x00" + u(ROOT), shared=2))),
        "no datatype in the committed datatype at 0x60",
    ),
    "dataspace 3": (
        file_with(message(0xC, attribute("a", INT32, b"\x03\0\0\0", b""))),
        "dataspace version 3",
    ),
    "rank 33": (
        file_with(message(0xC, attribute("a", INT32, dataspace(*[1] * 33), b""))),
        "rank 33, more than 32",
    ),
    "2**63": (
        _group(("d", dataset(FLOAT32, space=dataspace(2**63)))),
        r"a dimension of 2\*\*63 or more",
    ),
    "attribute 4": (file_with(message(0xC, b"\x04\x00" + bytes(6))), "attribute message version 4"),
    "elements": (
        file_with(message(0xC, attribute("a", INT32, dataspace(10**7), b""))),
        "10,000,000 elements, more than the 1,000,000 read",
    ),
    "long string": (
        file_with(
            message(0xC, attribute("a", bytes([0x13, 0, 0, 0]) + u(2**27, 4), dataspace(), b""))
        ),
        "strings of 134,217,728 bytes",
    ),
    "link 2": (file_with(message(6, b"\x02\x00\x01a" + u(0))), "link message version 2"),
    "slash": (file_with(link("a/b", ROOT)), "non-empty name without '/'"),
    "no name": (file_with(link("", ROOT)), "non-empty name without '/'"),
    "one name twice": (
        file_with(link("a", 2**64 - 1), link("a", ROOT + 0x100)),
        "two links of one name",
    ),
    "not UTF-8": (
        file_with(
            message(0xC, attribute("a", bytes([0x13, 0, 0, 0]) + u(1, 4), dataspace(), b"\xff"))
        ),
        r"not UTF-8 text: b'\\xff'",
    ),
    "class 11": (
        _group(("d", dataset(bytes([0x1B, 0, 0, 0]) + u(4, 4)))),
        "unknown datatype class 11",
    ),
    "enum names": (
        file_with(message(0xC, attribute("a", _bool_enum(3)[:20] + b"FALSE", dataspace(), b"\0"))),
        "an enum member's name runs past the message",
    ),
    "into the checksum": (
        superblock(V2_ROOT, version=2) + ohdr((0x0C, bytes(8)), chunk=10),
        "a message runs into the checksum",
    ),
    "continuation to itself": (file_with(message(0x10, u(ROOT) + u(24))), "read twice"),
    "heap signature": (file_with(message(0x11, u(ROOT) + u(ROOT))), "no HEAP signature at 0x60"),
    "B-tree children repeated": (
        _patch(EARLIEST, TREE_1 + 28, EARLIEST[TREE_1 + 20 : TREE_1 + 24]),
        "reached twice",
    ),
    "B-tree type": (_patch(EARLIEST, TREE_1 + 4, b"\x01"), "of type 1, level 1"),
    "B-tree level": (
        _patch(
            EARLIEST,
            _find(EARLIEST, b"TREE", lambda at: EARLIEST[at + 5 : at + 7] == b"\0\x1c") + 5,
            b"\x02",
        ),
        "level 2",
    ),
    "name offset": (
        _patch(EARLIEST, _find(EARLIEST, b"SNOD") + 8, b"\xff\xff\xff\x00"),
        "a name at offset 16,777,215 outside its local heap",
    ),
    "v2 B-tree type": (_patch(DENSE, BTHD + 5, b"\x06"), "type 6, records of 11 bytes"),
    "v2 B-tree depth": (_patch(DENSE, BTHD + 12, b"\xff\x00"), "depth 255"),
    "v2 B-tree total": (_patch(DENSE, BTHD + 26, u(1)), "more records than 1"),
    "v2 B-tree nodes": (
        _patch(DENSE, BTHD + 6, u(5, 4)),
        "nodes of 5 bytes hold no 11-byte record",
    ),
    "heap version": (_patch(DENSE, FRHP + 4, b"\x01"), "version 1, filters 0"),
    "heap rows": (_patch(DENSE, FRHP + 140, u(65, 2)), "of 65 rows"),
    "tiny object": (_patch(DENSE, HEAP_ID, b"\x25"), "link message"),
    "extended tiny object": (
        _patch(_patch(DENSE, HEAP_ID, b"\x20\x00"), FRHP + 5, u(20, 2)),
        "link message",
    ),
    "huge object, no index": (_patch(DENSE, HEAP_ID, b"\x10"), "undefined address"),
    "huge object in the ID": (
        _patch(_patch(DENSE, HEAP_ID, b"\x10"), FRHP + 5, u(17, 2)),
        "heap ID: truncated",
    ),
    "huge object unknown": (_patch(BIG, HUGE_LEAF + 7, u(999, 7)), "no huge object 999"),
    "heap ID type 3": (_patch(DENSE, HEAP_ID, b"\x30"), "a heap ID of version 0, type 3"),
    "heap offset": (_patch(DENSE, HEAP_ID + 1, b"\xff\xff\xff\xff"), "in no block"),
    "direct block": (_patch(DENSE, _find(DENSE, b"FHDB"), b"XXXX"), "no FHDB signature"),
}


@pytest.mark.parametrize(("content", "match"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_files_raise_one_clear_error(content: bytes, match: str) -> None:
    with pytest.raises(InvalidSpecError, match=match) as error:
        read(content)
    assert "\n" not in str(error.value)


def test_a_continuation_block_is_not_an_object() -> None:
    at = ROOT + len(header(message(0x10, bytes(16))))
    block = link("c", at)  # a link to the block it is in
    content = superblock() + header(message(0x10, u(at) + u(len(block))), count=2) + block
    with pytest.raises(InvalidSpecError, match="is a continuation block"):
        read(content)


def test_a_stream_shorter_than_its_size() -> None:
    content = _content("keras3-embedding-lstm-dense.h5")
    with pytest.raises(InvalidSpecError, match="the file ends early"):
        read_hdf5(io.BytesIO(content[:400]), len(content))


@pytest.mark.parametrize(
    ("limit", "value", "name", "match"),
    [
        ("MAX_OBJECTS", 1, "keras3-embedding-lstm-dense.h5", "more than 1 objects"),
        ("MAX_ATTRIBUTES", 1, "keras3-embedding-lstm-dense.h5", "more than 1 attributes"),
        ("MAX_ATTRIBUTES", 5, "dense-attributes.h5", "attributes: more than 5"),
        ("MAX_MESSAGES", 1, "keras3-embedding-lstm-dense.h5", "more than 1 messages"),
        ("MAX_CONTINUATIONS", 0, "keras3-embedding-lstm-dense.h5", "more than 0 continuation"),
        ("MAX_LINKS", 1, "keras3-embedding-lstm-dense.h5", "more than 1 links"),
        ("MAX_DEPTH", 1, "latest.h5", "groups nested more than 1 deep"),
        ("MAX_ATTRIBUTE_BYTES", 10, "keras3-embedding-lstm-dense.h5", "more than 10 bytes in all"),
        ("MAX_BLOCK_BYTES", 10, "keras3-embedding-lstm-dense.h5", "more than the 10 read at once"),
        (
            "MAX_STRING_BYTES",
            4,
            "keras3-embedding-lstm-dense.h5",
            r"a string of \d bytes, more than the 4 read",
        ),
        ("MAX_READ_BYTES", 1000, "keras3-embedding-lstm-dense.h5", "more than 1,000 bytes of"),
    ],
)
def test_each_cap_is_checked(
    monkeypatch: pytest.MonkeyPatch, limit: str, value: int, name: str, match: str
) -> None:
    monkeypatch.setattr(hdf5, limit, value)
    with pytest.raises(InvalidSpecError, match=match):
        read(_content(name))


def test_the_caps_are_documented() -> None:
    assert hdf5.MAX_OBJECTS == 100_000
    assert hdf5.MAX_DEPTH == 64
    assert hdf5.MAX_RANK == 32
    assert hdf5.MAX_STRING_BYTES == 64 * 2**20
    for name in hdf5.__all__:
        assert re.fullmatch(r"MAX_\w+|Dataset|Hdf5Metadata|read_hdf5", name)
        assert getattr(hdf5, name) is not None


CUT_SAMPLES = [
    "keras3-trained-adam.h5",
    "tf_keras-lstm-attention.h5",
    "latest.h5",
    "dense-links.h5",
]


@pytest.mark.parametrize("name", CUT_SAMPLES)
def test_truncated_files_fail_cleanly_or_read_the_same(name: str) -> None:
    content = _content(name)
    whole = read(content)
    failures = 0
    for cut in range(0, len(content), max(1, len(content) // 300)):
        try:
            meta = read(content[:cut])
        except InvalidSpecError:
            failures += 1
        else:  # everything it needed lay before the cut
            assert meta == whole
    assert failures > 0


FUZZ_SAMPLES = [*CUT_SAMPLES, "keras3-embedding-lstm-dense.keras/model.weights.h5"]


@settings(max_examples=50, deadline=None)
@given(
    sample=st.sampled_from(FUZZ_SAMPLES),
    flips=st.lists(st.tuples(st.integers(0, 2**20), st.integers(1, 255)), min_size=1, max_size=6),
)
def test_fuzz_flipped_bytes(sample: str, flips: list[tuple[int, int]]) -> None:
    content = bytearray(_content(sample))
    for position, mask in flips:
        content[position % len(content)] ^= mask
    error: InvalidSpecError | None = None
    try:
        meta = read(bytes(content))
    except InvalidSpecError as caught:
        error = caught
    if error is None:
        assert all(isinstance(d.shape, tuple) for d in meta.datasets)
    else:
        assert "\n" not in str(error)


# -- live: files written now by h5py and Keras -------------------------------------------------


def _h5py_view(h5py: ModuleType, path: Path) -> dict[str, Any]:
    datasets: list[list[Any]] = []
    groups: dict[str, Any] = {}

    def value(v: Any) -> Any:  # noqa: ANN401
        if isinstance(v, bytes):
            return v.decode()
        return (
            [value(x) for x in v.tolist()]
            if hasattr(v, "tolist") and v.shape
            else (v.item() if hasattr(v, "item") else v)
        )

    def visit(name: str, item: Any) -> None:  # noqa: ANN401
        if isinstance(item, h5py.Dataset):
            dtype = "string" if h5py.check_string_dtype(item.dtype) else str(item.dtype)
            datasets.append([name, list(item.shape), dtype])
        elif item.attrs:
            groups[name] = {k: _normal(value(item.attrs[k])) for k in sorted(item.attrs)}

    with h5py.File(path, "r") as file:
        file.visititems(visit)
        root = {k: _normal(value(file.attrs[k])) for k in sorted(file.attrs)}
    return {"datasets": datasets, "attributes": root, "group_attributes": groups}


@pytest.mark.conformance
@pytest.mark.parametrize("libver", ["earliest", "v108", "latest"])
def test_h5py_files_conform(tmp_path: Path, libver: str) -> None:
    h5py = frameworks.require("h5py")
    path = tmp_path / "x.h5"
    with h5py.File(path, "w", libver=libver) as file:
        file.attrs["model_config"] = json.dumps({"class_name": "Functional", "layers": ["x"] * 99})
        file.attrs["keras_version"] = "3.15.1"
        for i in range(12):
            group = file.create_group(f"layers/layer{i}/vars")
            group.attrs["weight_names"] = [f"w{j}".encode() for j in range(i)]
            for j in range(i % 3 + 1):
                group.create_dataset(str(j), (i + 1, j + 2), "f4" if j else "i8")
    with path.open("rb") as stream:
        assert _record(read_hdf5(stream, path.stat().st_size)) == _h5py_view(h5py, path)


@pytest.mark.conformance
@pytest.mark.filterwarnings(
    # Keras' saving turns torch tensors into numpy arrays in a way numpy 2 deprecates
    "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"
)
def test_keras_files_conform(tmp_path: Path) -> None:
    h5py = frameworks.require("h5py")
    keras = frameworks.require("keras")
    inputs = keras.Input((7, 3))
    hidden = keras.layers.LSTM(5, return_sequences=True)(inputs)
    hidden = keras.layers.Bidirectional(keras.layers.GRU(4))(hidden)
    model = keras.Model(inputs, keras.layers.Dense(2)(hidden))
    for name, save in [("m.h5", model.save), ("m.weights.h5", model.save_weights)]:
        path = tmp_path / name
        save(path)
        with path.open("rb") as stream:
            meta = read_hdf5(stream, path.stat().st_size)
        assert _record(meta) == _h5py_view(h5py, path)
    assert sum(1 for d in meta.datasets) == len(model.weights)
