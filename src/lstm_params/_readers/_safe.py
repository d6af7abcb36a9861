"""Reading files from strangers: one way to open, documented limits, one kind of error.

Every reader goes through :func:`read_file`: the path is opened once, without
blocking (a FIFO cannot hang it), only a regular file is read, every read is
capped, and any failure inside the reader, whatever its type, becomes one
:class:`InvalidFileError` of one line that names the file. Every count taken
from a file is checked against a limit below before it drives any work.
"""

from __future__ import annotations

import os
import re
import stat

from lstm_params._errors import InvalidFileError, InvalidSpecError
from lstm_params._render.table import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path
    from typing import IO, TypeVar

    _T = TypeVar("_T")
    _V = TypeVar("_V")

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_DIRECTORY_BYTES",
    "MAX_ENTRIES",
    "MAX_HEADER_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_JSON_VALUES",
    "MAX_LAYERS",
    "MAX_MODEL_FILE_BYTES",
    "MAX_NAME_CHARS",
    "MAX_SIZE",
    "MAX_TENSORS",
    "MAX_WRAPPERS",
    "check_name",
    "check_size",
    "loads_json",
    "read_capped",
    "read_file",
    "short",
]

#: bytes of a safetensors header (the reference reader allows 100 MB; a header
#: of 100,000 tensors takes about 13 MiB, and this cap keeps parsing within 512 MiB)
MAX_HEADER_BYTES = 16 * 2**20
#: bytes of a Keras configuration: a ``.json`` file, or ``config.json`` inflated from an archive
MAX_CONFIG_BYTES = 16 * 2**20
#: bytes of a ``.toml`` or ``.json`` model file for ``summary_from_file``
MAX_MODEL_FILE_BYTES = 2**18  # tomllib is pure Python: 1 MiB of TOML takes seconds
#: values in one JSON text, counted as its brackets, braces and commas outside strings
MAX_JSON_VALUES = 1_000_000
#: brackets and braces open at once in one JSON text
MAX_JSON_DEPTH = 100
#: tensors in a safetensors header or ``from_shapes``
MAX_TENSORS = 100_000
#: entries in a ``.keras`` archive's central directory (Keras writes three: config.json,
#: metadata.json, model.weights.h5)
MAX_ENTRIES = 10_000
#: bytes of that central directory, which ``zipfile`` reads and parses whole
MAX_DIRECTORY_BYTES = 2**20
#: layers in a model: a file's layers, RNN cells and stacked layers together
MAX_LAYERS = 10_000
#: ``TimeDistributed`` (or other wrappers) nested in each other
MAX_WRAPPERS = 32
#: a layer size read from a file: units, filters, input width, kernel side (int32)
MAX_SIZE = 2**31 - 1
#: characters of a layer, class or tensor name
MAX_NAME_CHARS = 1024
#: characters of an error message
MAX_MESSAGE_CHARS = 300

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def read_file(path: str | Path, read: Callable[[IO[bytes], int], _T]) -> _T:
    """``read(stream, size)`` on the regular file at ``path``; any failure is one error.

    The one place where a reader's failure, of any type (a ``RecursionError``,
    ``MemoryError``, ``LZMAError``, ``UnicodeDecodeError``...), becomes an
    :class:`InvalidFileError` of at most 300 characters on one line, naming the file.
    """
    if not isinstance(path, str | bytes | os.PathLike):
        msg = f"path must be a str or os.PathLike, got {type(path).__name__}"
        raise TypeError(msg)
    name = printable(os.fsdecode(path), width=120)
    try:
        with open(path, "rb", opener=_nonblocking) as stream:
            return read(stream, _regular_size(os.fstat(stream.fileno())))
    except RecursionError:
        detail = "nested too deeply"
    except MemoryError:
        detail = "too large to read within memory"
    except OSError as error:
        detail = f"cannot read: {error.strerror or error}"
    except Exception as error:  # noqa: BLE001 - every other failure is the file's
        detail = _describe(error)
    raise _error(name, detail) from None


def _nonblocking(path: str, flags: int) -> int:
    """``os.open`` that cannot block: a FIFO opens at once (and is then refused)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))


def _regular_size(info: os.stat_result) -> int:
    if not stat.S_ISREG(info.st_mode):
        msg = "not a regular file (a device, pipe or socket)"
        raise InvalidSpecError(msg)
    return info.st_size


def _describe(error: Exception) -> str:
    if isinstance(error, InvalidSpecError):
        return str(error)
    return f"{type(error).__name__}: {error}".removesuffix(": ")


def _error(name: str, detail: str) -> InvalidFileError:
    room = MAX_MESSAGE_CHARS - len(name) - 2
    return InvalidFileError(f"{name}: {printable(detail, width=room)}")


def read_capped(stream: IO[bytes], limit: int, what: str) -> bytes:
    """The rest of ``stream``, at most ``limit`` bytes, whatever its size claimed."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        msg = f"the {what} is over the {limit:,} bytes read"
        raise InvalidSpecError(msg)
    return data


def loads_json(data: bytes | str, what: str) -> object:
    """Parse JSON text after counting its values and depth, which stay within the limits.

    ``NaN`` and ``Infinity`` are refused, as in strict JSON.
    """
    import json  # noqa: PLC0415 - imported on use, not with the package

    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    structure = _STRING.sub(b"", raw)
    values = sum(structure.count(c) for c in (b"[", b"{", b","))
    if values > MAX_JSON_VALUES:
        msg = f"the {what} holds more than the {MAX_JSON_VALUES:,} JSON values read"
        raise InvalidSpecError(msg)
    depth = 0
    for byte in structure.translate(None, _NOT_BRACKETS):
        depth += 1 if byte in _OPEN else -1
        if depth < 0:  # more closed than opened: the parser says where
            break
        if depth > MAX_JSON_DEPTH:
            msg = f"the {what} is nested too deeply (more than {MAX_JSON_DEPTH} levels)"
            raise InvalidSpecError(msg)
    del structure
    try:
        return json.loads(data, parse_constant=_constant)
    except ValueError as error:  # JSONDecodeError, UnicodeDecodeError, > 4,300 digits
        msg = f"the {what} is not valid JSON: {error}"
        raise InvalidSpecError(msg) from None


_OPEN = frozenset(b"[{")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def _constant(token: str) -> object:
    msg = f"{token} is not a JSON number"
    raise ValueError(msg)


def check_size(value: _V, where: str) -> _V:
    """``value`` unchanged, unless it is a size (or a list of sizes) over :data:`MAX_SIZE`."""
    sizes = value if isinstance(value, list | tuple) else [value]
    for size in sizes:
        if isinstance(size, int) and not isinstance(size, bool) and size > MAX_SIZE:
            msg = f"{where}: a size over the {MAX_SIZE:,} read"
            raise InvalidSpecError(msg)
    return value


def check_name(name: str, where: str) -> str:
    """``name`` unchanged, unless it is longer than :data:`MAX_NAME_CHARS`."""
    if len(name) > MAX_NAME_CHARS:
        msg = f"{where}: a name of {len(name):,} characters, over the {MAX_NAME_CHARS:,} read"
        raise InvalidSpecError(msg)
    return name


def short(value: object) -> str:
    """A short ``repr`` of a value from a file, however large or deep it is."""
    import reprlib  # noqa: PLC0415 - imported on use, not with the package

    shortener = reprlib.Repr()
    shortener.maxlevel, shortener.maxstring, shortener.maxother = 3, 60, 60
    return shortener.repr(value)
