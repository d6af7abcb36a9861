"""Write ``tests/data/hdf5/``: small HDF5 files that exercise the format, and what h5py sees.

Keras writes HDF5 the way h5py does by default (superblock 0, version 1 object
headers, symbol tables); these files cover the rest of what the metadata reader
handles: superblocks 2 and 3 (``libver``), a user block, 4-byte offsets, version 2
object headers with times, creation order and continuation blocks, link messages,
soft, external and repeated hard links, committed datatypes, a group whose B-tree
has several levels, every attribute value type, and dense link storage, which the
reader refuses. ``index.json`` records per file each dataset's path, shape and
dtype and the root's and groups' attributes as h5py reads them. Needs only h5py::

    python scripts/generate_hdf5_samples.py
"""

from __future__ import annotations

import gzip
import hashlib
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any

import h5py  # type: ignore[import-untyped,import-not-found,unused-ignore]
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "data" / "hdf5"
SHORT = 200


def _dtype(dtype: Any) -> str:  # noqa: ANN401
    """The reader's name for an h5py dtype."""
    if h5py.check_string_dtype(dtype):
        return "string"
    if dtype == np.bool_:
        return "bool"
    checks = [
        (h5py.check_enum_dtype, "enum"),
        (h5py.check_vlen_dtype, "vlen"),
        (h5py.check_ref_dtype, "reference"),
    ]
    for check, name in checks:
        if check(dtype) is not None:
            return name
    if dtype.names:
        return "compound"
    if dtype.subdtype:
        return "array"
    return "opaque" if dtype.kind == "V" else str(dtype.name)


def _value(value: Any) -> Any:  # noqa: ANN401
    """An attribute as JSON; a string longer than 200 characters as its length and sha256."""
    if isinstance(value, bytes):
        value = value.decode()
    if isinstance(value, str) and len(value) > SHORT:
        return {"length": len(value), "sha256": hashlib.sha256(value.encode()).hexdigest()}
    if isinstance(value, h5py.Empty | np.void):
        return None
    if isinstance(value, np.ndarray):
        return [_value(v) for v in value.ravel().tolist()]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _record(path: Path) -> dict[str, Any]:
    datasets: list[list[Any]] = []
    groups: dict[str, Any] = {}

    def visit(name: str, item: Any) -> None:  # noqa: ANN401
        if isinstance(item, h5py.Dataset):
            datasets.append([name, list(item.shape or ()), _dtype(item.dtype)])
        elif isinstance(item, h5py.Group) and item.attrs:
            groups[name] = {k: _value(item.attrs[k]) for k in sorted(item.attrs)}

    with h5py.File(path, "r") as file:
        file.visititems(visit)
        root = {k: _value(file.attrs[k]) for k in sorted(file.attrs)}
    return {"datasets": datasets, "attributes": root, "group_attributes": groups}


def _attributes(attrs: Any) -> None:  # noqa: ANN401
    """One attribute of each kind the reader decodes, and some it does not."""
    attrs["int"] = 7
    attrs["negative"] = np.int16(-3)
    attrs["unsigned"] = np.uint64(2**64 - 1)
    attrs["big_endian"] = np.array([1, 2], dtype=">i4")
    attrs["float"] = 0.5
    attrs["float32"] = np.array([1.5, -2.0], dtype="f4")
    attrs["float16"] = np.float16(3.0)
    attrs["big_float"] = np.array(2.5, dtype=">f8")
    attrs["flag"] = True
    attrs["flags"] = np.array([True, False])
    attrs["text"] = "vlen ü"
    attrs["texts"] = ["a", "bc", ""]
    attrs["fixed"] = np.bytes_(b"fixed")
    attrs["fixed_array"] = np.array([b"x", b"yz"])
    attrs["matrix"] = np.arange(6, dtype="i8").reshape(2, 3)
    attrs["empty"] = h5py.Empty("f4")
    attrs["pair"] = np.array((1, 2.0), dtype=[("a", "i4"), ("b", "f4")])
    attrs["colour"] = np.array(1, dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1}, basetype="i1"))
    attrs["wide_enum"] = np.array(1, dtype=h5py.enum_dtype({"NO": 0, "YES": 1}, basetype="i4"))
    space = h5py.h5s.create(h5py.h5s.SCALAR)
    for padding, name in [(h5py.h5t.STR_SPACEPAD, b"spaced"), (h5py.h5t.STR_NULLTERM, b"nulled")]:
        kind = h5py.h5t.C_S1.copy()
        kind.set_size(8)
        kind.set_strpad(padding)
        attribute = h5py.h5a.create(attrs._id, name, kind, space)  # noqa: SLF001
        attribute.write(np.array(b"ab", dtype="S8"))


def _datasets(group: Any) -> None:  # noqa: ANN401
    for dtype in ["f2", "f4", "f8", "i1", "u2", "i4", "i8", ">f4", "bool", "S5"]:
        group.create_dataset(f"d_{dtype.strip('>')}{'_be' if '>' in dtype else ''}", (2, 1), dtype)
    group.create_dataset("scalar", data=1.0)
    group.create_dataset("empty", data=h5py.Empty("f4"))
    group.create_dataset("text", data="vlen", dtype=h5py.string_dtype())
    group.create_dataset("compound", (2,), [("a", "i4"), ("b", "f4")])
    group.create_dataset("opaque", (2,), "V4")
    group.create_dataset("array", (2,), np.dtype(("f4", (3,))))
    group.create_dataset("sequence", (2,), h5py.vlen_dtype("i4"))
    group.create_dataset("enum", (2,), h5py.enum_dtype({"A": 0, "B": 1}, basetype="i1"))
    group.create_dataset("reference", (1,), h5py.ref_dtype)
    group.create_dataset("chunked", (4, 0, 3), "f4", maxshape=(None, None, 3), chunks=True)


def _links(file: Any) -> None:  # noqa: ANN401
    file.create_group("a/b/c")
    file["a/b/c"].attrs["layer_names"] = np.array([b"dense", b"lstm"])
    file["a/b/c"].create_dataset("kernel", (3, 4), "f4")
    file["a/again"] = file["a/b/c/kernel"]  # a second hard link: h5py visits the dataset once
    file["a/soft"] = h5py.SoftLink("/a/b")
    file["a/external"] = h5py.ExternalLink("other.h5", "/x")
    file["a/named"] = np.dtype("<f8")  # a committed datatype, then a dataset of that type
    file["a"].create_dataset("typed", (2,), file["a/named"])
    file["a"].attrs.create("typed", 1.0, dtype=file["a/named"])


def latest(path: Path, libver: str | tuple[str, str]) -> None:
    """Superblock 2 or 3, version 2 object headers, link messages, continuation blocks."""
    with h5py.File(path, "w", libver=libver, track_order=True) as file:
        file.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {}})
        _links(file)
        timed = file.create_group("timed", track_order=False)
        timed.create_dataset("t", (1,), "f4", track_times=True)
        _attributes(file["a/b"].attrs)
        _datasets(file.create_group("types"))
        for i in range(6):  # grows the header after creation: a continuation block
            file["a/b"].attrs[f"late_{i}"] = "x" * (40 + i)


def earliest(path: Path) -> None:
    """Superblock 0 with 4-byte offsets and lengths, and a group whose B-tree has two levels."""
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_sizes(4, 4)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(bytes(path), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    with h5py.File(fid) as file:
        file.attrs["keras_version"] = "2.21.0"
        file.attrs["backend"] = b"tensorflow"
        _links(file)
        _attributes(file["a/b"].attrs)
        _datasets(file.create_group("types"))
        wide = file.create_group("wide")
        wide.create_dataset("w", (2,), "f4")
        for i in range(400):  # more symbol table nodes than a B-tree node holds: two levels
            wide[f"w{i:03d}"] = wide["w"]
        for i in range(40):  # grows the root's header after creation: a continuation block
            file.attrs[f"late_{i}"] = i


def user_block(path: Path) -> None:
    """A 1,024-byte user block before the superblock."""
    with h5py.File(path, "w", userblock_size=1024) as file:
        file.attrs["backend"] = "jax"
        file.create_dataset("x", (2, 3), "f4")


def dense(path: Path) -> None:
    """More than eight links in a new-style group: dense storage, in a fractal heap."""
    with h5py.File(path, "w", libver="latest") as file:
        for i in range(10):
            file.create_group(f"g{i}")


def dense_attributes(path: Path) -> None:
    """Many attributes on a group of a new-style file: dense attribute storage."""
    with h5py.File(path, "w", libver="latest") as file:
        group = file.create_group("g")
        for i in range(10):
            group.attrs[f"a{i}"] = i


def big_dense(path: Path) -> None:
    """Dense storage: deep fractal heaps, huge objects, B-trees of two levels."""
    with h5py.File(path, "w", libver="latest") as file:
        file.create_dataset("x", (2,), "f4")
        wide = file.create_group("wide")
        for i in range(1000):
            wide[f"link{i:04d}"] = file["x"]
        for i in range(40):
            wide.attrs[f"big{i:02d}"] = f"{i:02d}" * 15_000  # in the global heap
        deep = file.create_group(
            "deep"
        )  # 640 kB of link messages: indirect blocks in indirect blocks
        for i in range(3000):
            deep[f"{i:04d}" + "n" * 200] = file["x"]
        huge = file.create_group("huge")  # attributes larger than a heap's managed objects
        for i in range(10):
            huge.attrs[f"h{i}"] = np.bytes_(b"%d" % i * 5000)


def main() -> None:
    """Write each sample file and the index of what h5py sees in it."""
    SAMPLES.mkdir(parents=True, exist_ok=True)
    writers = {
        "latest.h5": lambda p: latest(p, "latest"),
        "v108.h5": lambda p: latest(p, ("v108", "v108")),
        "earliest.h5": earliest,
        "userblock.h5": user_block,
        "dense-links.h5": dense,
        "dense-attributes.h5": dense_attributes,
        "big-dense.h5": big_dense,  # gzipped: 2 MB of repeated text
    }
    index: dict[str, Any] = {
        "generator": "scripts/generate_hdf5_samples.py",
        "versions": {"h5py": version("h5py"), "hdf5": h5py.version.hdf5_version},
        "files": {},
    }
    for name, write in writers.items():
        path = SAMPLES / name
        write(path)
        index["files"][name] = _record(path)
        print(f"{name}: {path.stat().st_size:,} bytes")
        if name == "big-dense.h5":
            (SAMPLES / f"{name}.gz").write_bytes(gzip.compress(path.read_bytes(), mtime=0))
            path.unlink()
    (SAMPLES / "index.json").write_text(json.dumps(index, indent=1) + "\n")


if __name__ == "__main__":
    main()
