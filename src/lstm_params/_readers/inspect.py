"""``inspect_file()``: count a saved model without its framework, safely.

The format is recognised from the content, not the name: a ``.safetensors``
checkpoint (an 8-byte little-endian header length, then a JSON header) or a
sharded one's ``*.safetensors.index.json`` (each shard's header beside it); a
``.keras`` archive (a zip whose ``config.json`` is read, and nothing else); a
Keras configuration as JSON text (``model.to_json()``); a Keras ``.h5`` or
``.weights.h5`` file (HDF5 metadata only); a ``torch.save`` or ``torch.jit.save``
file (``.pt``, ``.pth``, ``.bin``, ``.ckpt``: zip or legacy, its pickle read as
data, never run); or an ``.onnx`` model (protobuf fields, never the weights).
Only what is needed is read: headers, configurations and metadata, never
tensor data, never extracted to disk. Nothing is unpickled, imported or run.

Files from strangers go through one reader (``_safe.read_file``): opened once,
without blocking, regular files only, every read capped, every count checked
against a documented limit before it drives work, and any failure one
:class:`InvalidFileError` of one line naming the file (see README, "Saved models").
"""

from __future__ import annotations

import dataclasses
import struct

from lstm_params._errors import InvalidSpecError

from ._safe import (
    MAX_CONFIG_BYTES,
    MAX_DIRECTORY_BYTES,
    MAX_ENTRIES,
    MAX_HEADER_BYTES,
    loads_json,
    read_capped,
    read_file,
)
from .hdf5 import read_hdf5
from .keras_config import summary_from_config
from .keras_files import summary_from_hdf5
from .onnx_proto import read_onnx
from .pytorch import summary_from_onnx, summary_from_torch
from .safetensors import read_header, summary_from_header, summary_from_index
from .torch_pickle import read_torch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO, Protocol
    from zipfile import ZipInfo

    from lstm_params._summary import Summary

    class _Decompressor(Protocol):
        @property
        def eof(self) -> bool: ...

        def decompress(self, data: bytes, max_length: int, /) -> bytes: ...


__all__ = ["MAX_CONFIG_BYTES", "MAX_HEADER_BYTES", "inspect_file"]

_ZIP = b"PK\x03\x04"
_HDF5 = b"\x89HDF\r\n\x1a\n"
_PICKLE_PROTOCOL = b"\x80"
_ONNX_FIRST_FIELD = b"\x08"
_BOM = b"\xef\xbb\xbf"
_END = b"PK\x05\x06"  # end of central directory record: 22 bytes and a comment
_END64_LOCATOR = b"PK\x06\x07"
_END64 = b"PK\x06\x06"
_CHUNK = 2**16


def inspect_file(path: str | Path) -> Summary:
    """Count the model in ``path``: a ``.safetensors``, ``.keras`` or Keras ``.json`` file.

    The result is a :class:`Summary`; if some layers could not be counted it
    lists them in ``uncounted`` and ``complete`` is False.
    """

    def read(stream: IO[bytes], size: int) -> Summary:
        return _read(stream, size, path)

    return dataclasses.replace(read_file(path, read), source=str(path))


def _read(stream: IO[bytes], size: int, path: str | Path) -> Summary:  # noqa: PLR0911 - a format each
    start = stream.read(9)
    if start[8:9] == b"{":  # an 8-byte header length, then the JSON header
        stream.seek(0)
        return summary_from_header(*read_header(stream, size))
    if start.startswith(_ZIP):
        _check_directory(stream, size)
        if _is_torch_archive(stream):
            stream.seek(0)
            return summary_from_torch(read_torch(stream, size))
        return summary_from_config(loads_json(_archive_config(stream), "config.json"))
    if start.startswith(_HDF5):
        stream.seek(0)
        return summary_from_hdf5(read_hdf5(stream, size))
    if start[:1] == _PICKLE_PROTOCOL:  # a legacy torch.save file, or a bare pickle
        stream.seek(0)
        return summary_from_torch(read_torch(stream, size))
    if start.lstrip(_BOM).lstrip()[:1] == b"{":
        if size > MAX_CONFIG_BYTES:
            msg = f"a Keras configuration of {size:,} bytes is over the {MAX_CONFIG_BYTES:,} read"
            raise InvalidSpecError(msg)
        stream.seek(0)
        text = read_capped(stream, MAX_CONFIG_BYTES, "Keras configuration")
        data = loads_json(text, "Keras configuration")
        if isinstance(data, dict) and "weight_map" in data:
            return summary_from_index(data, path)
        return summary_from_config(data)
    if start[:1] == _ONNX_FIRST_FIELD:  # ModelProto's ir_version (field 1, a varint)
        stream.seek(0)
        return summary_from_onnx(read_onnx(stream, size))
    msg = (
        "not a model file lstm_params reads (.safetensors, .keras, .h5, Keras .json, "
        "torch .pt/.pth/.bin/.ckpt, .onnx)"
    )
    raise InvalidSpecError(msg)


def _is_torch_archive(stream: IO[bytes]) -> bool:
    """Whether a zip (its directory already bounded) is ``torch.save``'s: a ``data.pkl``."""
    import zipfile  # noqa: PLC0415 - imported on use, not with the package

    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, EOFError, struct.error, UnicodeDecodeError) as error:
        msg = f"not a readable zip archive: {error}"
        raise InvalidSpecError(msg) from None
    return "config.json" not in names and any(n.rsplit("/", 1)[-1] == "data.pkl" for n in names)


def _archive_config(stream: IO[bytes]) -> bytes:
    """The ``config.json`` of a ``.keras`` archive, inflated here with a cap, never extracted.

    The archive was opened once already (:func:`_is_torch_archive`): its directory parses.
    """
    import zipfile  # noqa: PLC0415 - imported on use, not with the package

    with zipfile.ZipFile(stream) as archive:
        try:
            info = archive.getinfo("config.json")
        except KeyError:
            msg = "a zip archive without config.json: not a .keras model"
            raise InvalidSpecError(msg) from None
        # Compressed, it may take a little more than inflated (stored, incompressible):
        # twice the cap bounds the bytes read, however little they inflate to.
        if info.file_size > MAX_CONFIG_BYTES or info.compress_size > 2 * MAX_CONFIG_BYTES:
            msg = (
                f"config.json of {info.file_size:,} bytes ({info.compress_size:,} compressed) "
                f"is over the {MAX_CONFIG_BYTES:,} read"
            )
            raise InvalidSpecError(msg)
        return _inflate(stream, info)


def _check_directory(stream: IO[bytes], size: int) -> None:
    """Refuse a central directory past the limits before ``zipfile`` parses it.

    The end record is found as ``zipfile`` finds it: the last signature in the
    final 64 KiB + 22 bytes; a ZIP64 record, if any, counts instead.
    """
    tail = min(size, 22 + 2**16)
    stream.seek(size - tail)
    data = stream.read(tail)
    at = data.rfind(_END)
    if at < 0 or len(data) - at < 22:  # noqa: PLR2004
        msg = "not a readable .keras (zip) archive: no end of central directory"
        raise InvalidSpecError(msg)
    entries, directory = struct.unpack_from("<HI", data, at + 10)
    end = size - tail + at
    if end >= 20 and (entries == 0xFFFF or directory == 0xFFFFFFFF):  # noqa: PLR2004
        stream.seek(end - 20)
        locator = stream.read(20)
        if locator[:4] == _END64_LOCATOR:
            (offset,) = struct.unpack_from("<Q", locator, 8)
            found = []
            for place in {offset, end - 20 - 56}:  # where 3.11's and 3.13's zipfile look
                stream.seek(max(place, 0))
                record = stream.read(56)
                if record[:4] == _END64 and len(record) == 56:  # noqa: PLR2004
                    found.append(struct.unpack_from("<QQ", record, 32))
            if found:
                entries, directory = max(e for e, _ in found), max(d for _, d in found)
    if entries > MAX_ENTRIES or directory > MAX_DIRECTORY_BYTES:
        msg = (
            f"a zip archive of {entries:,} entries in {directory:,} bytes, over the "
            f"{MAX_ENTRIES:,} entries in {MAX_DIRECTORY_BYTES:,} bytes read"
        )
        raise InvalidSpecError(msg)


def _inflate(stream: IO[bytes], info: ZipInfo) -> bytes:
    """A member's bytes, inflated at most one byte past its claimed size, CRC checked."""
    import zipfile  # noqa: PLC0415 - imported on use, not with the package
    import zlib  # noqa: PLC0415

    if info.flag_bits & 1:
        msg = "config.json is encrypted"
        raise InvalidSpecError(msg)
    stream.seek(info.header_offset)
    local = stream.read(30)
    if len(local) != 30 or local[:4] != _ZIP:  # noqa: PLR2004
        msg = "not a readable .keras (zip) archive: bad local header for config.json"
        raise InvalidSpecError(msg)
    name_length, extra_length = struct.unpack_from("<HH", local, 26)
    stream.seek(info.header_offset + 30 + name_length + extra_length)
    left = info.compress_size
    claimed = info.file_size
    if info.compress_type == zipfile.ZIP_STORED:
        data = stream.read(min(left, claimed + 1))
    else:
        data = _decompress(stream, info, left, claimed)
    if len(data) != claimed or zlib.crc32(data) != info.CRC:
        msg = (
            f"not a readable .keras (zip) archive: config.json inflates to "
            f"{'more than ' if len(data) > claimed else ''}{len(data):,} bytes "
            f"(it claims {claimed:,}), or its CRC-32 differs"
        )
        raise InvalidSpecError(msg)
    return data


def _decompress(stream: IO[bytes], info: ZipInfo, left: int, claimed: int) -> bytes:
    """Inflate ``left`` compressed bytes into at most ``claimed + 1``, in bounded steps."""
    import lzma  # noqa: PLC0415 - imported on use, not with the package
    import zlib  # noqa: PLC0415

    decompressor, left = _decompressor(stream, info.compress_type, left, claimed)
    out = bytearray()
    try:
        while not decompressor.eof and len(out) <= claimed:
            chunk = stream.read(min(_CHUNK, left))
            left -= len(chunk)
            if not chunk:  # the member ends before its stream does: truncated
                break
            # Input left over once the output passes its claim is never needed.
            out += decompressor.decompress(chunk, claimed + 1 - len(out))
    except (zlib.error, lzma.LZMAError, OSError, EOFError) as error:  # bz2 raises OSError
        msg = f"not a readable .keras (zip) archive: config.json does not inflate: {error}"
        raise InvalidSpecError(msg) from None
    return bytes(out)


def _decompressor(
    stream: IO[bytes], method: int, left: int, claimed: int
) -> tuple[_Decompressor, int]:
    """A decompressor for ``method`` that honours ``max_length``, and the bytes left to read."""
    import bz2  # noqa: PLC0415 - imported on use, not with the package
    import lzma  # noqa: PLC0415
    import zipfile  # noqa: PLC0415
    import zlib  # noqa: PLC0415

    if method == zipfile.ZIP_DEFLATED:
        return zlib.decompressobj(-15), left
    if method == zipfile.ZIP_BZIP2:
        return bz2.BZ2Decompressor(), left
    if method == zipfile.ZIP_LZMA:  # 4 bytes (version, size), then LZMA1's 5 property bytes
        head = stream.read(9)
        if left < 9 or len(head) != 9 or head[2:4] != b"\x05\x00":  # noqa: PLR2004
            msg = "config.json: a bad LZMA header"
            raise InvalidSpecError(msg)
        props, dictionary = divmod(head[4], 9), int.from_bytes(head[5:9], "little")
        (positions, literals), bits = divmod(props[0], 5), props[1]
        lzma_filter = {
            "id": lzma.FILTER_LZMA1,
            "dict_size": min(dictionary, max(claimed, 4096)),  # no window past the data
            "lc": bits,
            "lp": literals,
            "pb": positions,
        }
        return lzma.LZMADecompressor(lzma.FORMAT_RAW, filters=[lzma_filter]), left - 9
    msg = f"config.json is compressed with zip method {method}, which is not read"
    raise InvalidSpecError(msg)
