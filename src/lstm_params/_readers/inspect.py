"""``inspect_file()``: count a saved model without its framework, safely.

The format is recognised from the content, not the name: a ``.safetensors``
checkpoint (an 8-byte little-endian header length, then a JSON header), a
``.keras`` archive (a zip whose ``config.json`` is read, and nothing else), or a
Keras configuration as JSON text (``model.to_json()``). Only what is needed is
read: the safetensors header, never the tensor data; the archive's
``config.json``, never extracted to disk. Nothing is unpickled, imported or run.

Limits, for files from strangers: a safetensors header of at most 100 MiB (the
format's own limit); a Keras configuration of at most 64 MiB, read from the
archive with that cap whatever its header claims; at most 1,000,000 tensors and
100,000 layers. Anything wrong is an :class:`InvalidFileError` naming the file.
"""

from __future__ import annotations

from lstm_params._errors import InvalidFileError, InvalidSpecError
from lstm_params._summary import Summary

from .keras_config import summary_from_config
from .safetensors import summary_from_header

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import IO

__all__ = ["MAX_CONFIG_BYTES", "MAX_HEADER_BYTES", "inspect_file"]

MAX_HEADER_BYTES = 100 * 2**20
MAX_CONFIG_BYTES = 64 * 2**20
_ZIP = b"PK\x03\x04"
_BOM = b"\xef\xbb\xbf"


def inspect_file(path: str | Path) -> Summary:
    """Count the model in ``path``: a ``.safetensors``, ``.keras`` or Keras ``.json`` file.

    The result is a :class:`Summary`; if some layers could not be counted it
    lists them in ``uncounted`` and ``complete`` is False.
    """
    import os  # noqa: PLC0415 - imported on use, not with the package
    from pathlib import Path  # noqa: PLC0415

    file = Path(path)
    try:
        with file.open("rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            found = _read(stream, size, file)
    except OSError as error:
        msg = f"{file}: cannot read: {error.strerror or error}"
        raise InvalidFileError(msg) from None
    except InvalidSpecError as error:
        msg = f"{file}: {error}"
        raise InvalidFileError(msg) from None
    return Summary(
        found.layers,
        found.names,
        found.dtype,
        tensors=found.tensors,
        uncounted=found.uncounted,
        stored=found.stored,
        source=str(file),
    )


def _read(stream: IO[bytes], size: int, file: Path) -> Summary:
    start = stream.read(9)
    length = int.from_bytes(start[:8], "little") if len(start) == 9 else 0  # noqa: PLR2004
    if start[8:9] == b"{" and length <= size - 8:
        if length > MAX_HEADER_BYTES:
            msg = f"a safetensors header of {length:,} bytes is over the {MAX_HEADER_BYTES:,} read"
            raise InvalidSpecError(msg)
        stream.seek(8)
        header = _json(stream.read(length), "safetensors header")
        return summary_from_header(header, size - 8 - length)
    if start.startswith(_ZIP):
        return summary_from_config(_json(_archive_config(file), "config.json"))
    if start.lstrip(_BOM).lstrip()[:1] == b"{":
        if size > MAX_CONFIG_BYTES:
            msg = f"a Keras configuration of {size:,} bytes is over the {MAX_CONFIG_BYTES:,} read"
            raise InvalidSpecError(msg)
        stream.seek(0)
        return summary_from_config(_json(stream.read(), "Keras configuration"))
    if len(start) >= 8 and start[8:9] == b"{":  # noqa: PLR2004 - a header longer than the file
        msg = (
            f"truncated: the safetensors header claims {length:,} bytes, the file has {size - 8:,}"
        )
        raise InvalidSpecError(msg)
    msg = "not a model file lstm_params reads (a .safetensors, .keras or Keras .json file)"
    raise InvalidSpecError(msg)


def _archive_config(file: Path) -> bytes:
    """The ``config.json`` of a ``.keras`` zip archive, read with a cap, never extracted."""
    import zipfile  # noqa: PLC0415 - imported on use, not with the package
    import zlib  # noqa: PLC0415

    try:
        with zipfile.ZipFile(file) as archive:
            try:
                info = archive.getinfo("config.json")
            except KeyError:
                msg = "a zip archive without config.json: not a .keras model"
                raise InvalidSpecError(msg) from None
            if info.file_size > MAX_CONFIG_BYTES:
                msg = (
                    f"config.json of {info.file_size:,} bytes is over the {MAX_CONFIG_BYTES:,} read"
                )
                raise InvalidSpecError(msg)
            with archive.open(info) as member:
                # zipfile stops at the size the header claims (checked above) and then
                # checks the CRC: a member that inflates past its claim is an error.
                return member.read(MAX_CONFIG_BYTES)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        msg = f"not a readable .keras (zip) archive: {error}"
        raise InvalidSpecError(msg) from None


def _json(data: bytes, what: str) -> object:
    import json  # noqa: PLC0415 - imported on use, not with the package

    try:
        return json.loads(data)
    except RecursionError:
        msg = f"the {what} is nested too deeply"
        raise InvalidSpecError(msg) from None
    except ValueError as error:  # JSONDecodeError and UnicodeDecodeError
        msg = f"the {what} is not valid JSON: {error}"
        raise InvalidSpecError(msg) from None
