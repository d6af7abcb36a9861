"""``torch.save`` and ``torch.jit.save`` files, read without unpickling anything.

A pickle is a small program; this module reads it as data. A symbolic machine
steps through ``pickletools.genops`` and never imports, never calls: a global is
a name (module, qualname), ``REDUCE``, ``NEWOBJ`` and ``BUILD`` make records, a
persistent id ``('storage', StorageType, key, location, numel)`` is a reference
to a storage, and a call of ``torch._utils._rebuild_tensor_v2(storage, offset,
size, stride, ...)`` is a tensor whose shape is ``size`` and whose dtype is the
storage's. A tensor's data is never read: only the zip archive's member sizes,
to check that each storage fits (``numel * itemsize <= member size``).

Formats: the zip archive of torch >= 1.6 (``<name>/data.pkl``, read with a
cap), the legacy format (magic number, protocol and system-information
pickles, the main pickle, the storage keys, then the data), TorchScript
archives (``__torch__`` objects in ``data.pkl``, parameters and buffers named
by the ``__parameters__`` and ``__buffers__`` lines of ``code/``), and a plain
pickle. A global that is not on the known-safe list is reported in
``TorchFile.warnings`` as what unpickling would have imported or called.

The limits below are checked before they drive work; a file over any of them,
truncated or garbled raises ``InvalidSpecError`` with a one-line message.
"""

from __future__ import annotations

import io
import math
import pickletools
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass, field

from lstm_params._errors import InvalidSpecError

from ._safe import read_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path
    from typing import IO, Any

__all__ = [
    "MAX_CODE_BYTES",
    "MAX_DIMS",
    "MAX_MEMO",
    "MAX_NESTING",
    "MAX_OPCODES",
    "MAX_PICKLE_BYTES",
    "MAX_STACK",
    "MAX_TENSORS",
    "MAX_VISITS",
    "TorchFile",
    "TorchModule",
    "TorchTensor",
    "read_torch",
    "read_torch_bytes",
    "read_torch_file",
]

#: bytes of pickle read: ``data.pkl``, or the start of a legacy file
MAX_PICKLE_BYTES = 64 * 2**20
#: opcodes executed, over every pickle of a file
MAX_OPCODES = 2_000_000
#: memo entries
MAX_MEMO = 1_000_000
#: values on the stack
MAX_STACK = 1_000_000
#: open MARKs, and the depth of the tree of values that is walked
MAX_NESTING = 100
#: values visited while walking the tree (shared values count each time they are reached)
MAX_VISITS = 10_000_000
#: tensors rebuilt
MAX_TENSORS = 1_000_000
#: dimensions of one tensor
MAX_DIMS = 32
#: each size, stride, offset and storage length is below this
MAX_SIZE = 2**63
#: bytes of TorchScript ``code/`` read, in all
MAX_CODE_BYTES = 16 * 2**20
#: zip members listed
MAX_MEMBERS = 1_000_000

_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL = 1001
_ZIP_MAGIC = b"PK\x03\x04"
_OPCODES = {ord(opcode.code) for opcode in pickletools.opcodes}

#: element size and name of each storage class and dtype
_DTYPES: dict[str, tuple[str, int]] = {
    "FloatStorage": ("float32", 4), "DoubleStorage": ("float64", 8),
    "HalfStorage": ("float16", 2), "BFloat16Storage": ("bfloat16", 2),
    "LongStorage": ("int64", 8), "IntStorage": ("int32", 4), "ShortStorage": ("int16", 2),
    "CharStorage": ("int8", 1), "ByteStorage": ("uint8", 1), "BoolStorage": ("bool", 1),
    "ComplexFloatStorage": ("complex64", 8), "ComplexDoubleStorage": ("complex128", 16),
    "QInt8Storage": ("qint8", 1), "QUInt8Storage": ("quint8", 1),
    "QInt32Storage": ("qint32", 4), "QUInt4x2Storage": ("quint4x2", 1),
    "QUInt2x4Storage": ("quint2x4", 1),
    "UntypedStorage": ("uint8", 1),
}  # fmt: skip
_DTYPES |= {dtype: (dtype, size) for dtype, size in _DTYPES.values()}
_DTYPES |= {
    "float": ("float32", 4), "half": ("float16", 2), "double": ("float64", 8),
    "long": ("int64", 8), "int": ("int32", 4), "short": ("int16", 2),
    "float8_e4m3fn": ("float8_e4m3fn", 1), "float8_e5m2": ("float8_e5m2", 1),
    "uint16": ("uint16", 2), "uint32": ("uint32", 4), "uint64": ("uint64", 8),
    "float8_e5m2fnuz": ("float8_e5m2fnuz", 1), "float8_e4m3fnuz": ("float8_e4m3fnuz", 1),
    "float8_e8m0fnu": ("float8_e8m0fnu", 1), "float4_e2m1fn_x2": ("float4_e2m1fn_x2", 1),
    "bits8": ("bits8", 1), "bits16": ("bits16", 2), "bits1x8": ("bits1x8", 1),
    "bits2x4": ("bits2x4", 1), "bits4x2": ("bits4x2", 1),
}  # fmt: skip

_TENSOR_REBUILDS = {"torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2"}
_TENSOR_V3 = "torch._utils._rebuild_tensor_v3"  # new dtypes: an untyped storage and a dtype
_META = "torch._utils._rebuild_meta_tensor_no_storage"  # (dtype, size, stride, requires_grad)
_PARAMETER_REBUILDS = {
    "torch._utils._rebuild_parameter",
    "torch._utils._rebuild_parameter_with_state",
}
_TYPE_REBUILDS = {"torch._tensor._rebuild_from_type", "torch._tensor._rebuild_from_type_v2"}
_PASS_FIRST = {  # calls whose value, read as data, is their first argument
    "torch.jit._pickle.build_tensorlist", "torch.jit._pickle.build_intlist",
    "torch.jit._pickle.build_doublelist", "torch.jit._pickle.build_boollist",
    "torch.jit._pickle.restore_type_tag", "torch.Size",
}  # fmt: skip
_SAFE = {
    _TENSOR_V3, _META, "torch.device", "torch.storage.UntypedStorage",
    "torch.storage.TypedStorage", "torch.storage._load_from_bytes_never",
    "collections.OrderedDict", "copyreg._reconstructor",
    "builtins.set", "builtins.frozenset", "builtins.slice", "builtins.complex",
    "builtins.bytearray", "builtins.object",
    *_TENSOR_REBUILDS, *_PARAMETER_REBUILDS, *_TYPE_REBUILDS, *_PASS_FIRST,
    *(f"torch.{name}" for name in _DTYPES),
}  # fmt: skip
_SAFE_PREFIXES = ("torch.nn.modules.", "torch.nn.parameter.", "__torch__.")
_RENAMED_MODULES = {"__builtin__": "builtins", "copy_reg": "copyreg"}

_MODEL_KEYS = (
    "model_state_dict", "state_dict", "model_state", "model", "net", "network",
    "module", "weights", "params",
)  # fmt: skip
_OPTIMIZER_KEYS = (
    "optimizer_state_dict", "optimizer", "optimizer_state", "optim", "opt",
    "scheduler", "scheduler_state_dict", "lr_scheduler", "scaler", "grad_scaler", "amp",
)  # fmt: skip
_BUFFER_NAMES = re.compile(r"(?:.*\.)?(?:running_mean|running_var|num_batches_tracked)")


@dataclass(frozen=True, slots=True)
class TorchTensor:
    """One tensor of a file: its qualified name, shape, dtype and where its storage is.

    ``role`` is ``"parameter"`` or ``"buffer"`` when the file says so (a pickled
    module, ``nn.Parameter``, TorchScript's ``__parameters__``; BatchNorm's
    ``running_mean``, ``running_var`` and ``num_batches_tracked`` by name), else None.

    >>> TorchTensor("lstm.weight_ih_l0", (8, 3), "float32", "0").size
    24
    """

    name: str
    shape: tuple[int, ...]
    dtype: str
    storage: str
    offset: int = 0
    stride: tuple[int, ...] = ()
    requires_grad: bool | None = None
    role: str | None = None

    @property
    def size(self) -> int:
        """Elements: the product of the shape."""
        return math.prod(self.shape)

    @property
    def identity(self) -> tuple[object, ...]:
        """Tensors with the same identity are one tensor, as ``parameters()`` counts them."""
        return (self.storage, self.offset, self.shape, self.stride)


@dataclass(frozen=True, slots=True)
class TorchModule:
    """A module of a pickled ``nn.Module`` tree: its path, class and plain attributes.

    The attributes are the public ones whose values are scalars or tuples of
    them: for an ``nn.LSTM`` ``input_size``, ``hidden_size``, ``num_layers``,
    ``bias``, ``batch_first``, ``dropout``, ``bidirectional``, ``proj_size``, ``mode``.
    """

    path: str
    cls: str
    attributes: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TorchFile:
    """What a PyTorch file holds: the model's tensors, the optimizer's, modules, warnings.

    ``format`` is ``"zip"``, ``"legacy"``, ``"torchscript"`` or ``"pickle"``;
    ``model_key`` the checkpoint entry the model came from (``"model_state_dict"``).
    """

    format: str
    tensors: tuple[TorchTensor, ...]
    optimizer: tuple[TorchTensor, ...] = ()
    others: tuple[TorchTensor, ...] = ()
    modules: tuple[TorchModule, ...] = ()
    warnings: tuple[str, ...] = ()
    model_key: str | None = None

    @property
    def params(self) -> int:
        """The model's elements that are not buffers, each tensor counted once.

        >>> weight = TorchTensor("a.weight", (3, 2), "float32", "0")
        >>> TorchFile("zip", (weight, TorchTensor("b.weight", (3, 2), "float32", "0"))).params
        6
        """
        return _unique_size(t for t in self.tensors if t.role != "buffer")

    @property
    def buffers(self) -> int:
        """The model's buffer elements, each tensor counted once."""
        return _unique_size(t for t in self.tensors if t.role == "buffer")

    @property
    def trainable(self) -> int:
        """The elements of parameters known to have ``requires_grad``."""
        return _unique_size(t for t in self.tensors if t.role != "buffer" and t.requires_grad)

    @property
    def optimizer_elements(self) -> int:
        """The optimizer's (and scheduler's) state elements, each tensor counted once."""
        return _unique_size(self.optimizer)

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """The model's tensors as ``{name: shape}``, as ``from_shapes`` takes them."""
        return {t.name: t.shape for t in self.tensors}


def _unique_size(tensors: Iterator[TorchTensor] | tuple[TorchTensor, ...]) -> int:
    return sum({t.identity: t.size for t in tensors}.values())


def read_torch_file(path: str | Path) -> TorchFile:
    """Read a ``torch.save`` or ``torch.jit.save`` file (see the module's docs).

    A training checkpoint saved by torch 2.13 after one Adam step: the model has
    595 parameters, the optimizer's state 1,209 elements (``step``, ``exp_avg``,
    ``exp_avg_sq``):

    >>> found = read_torch_file("tests/data/torch/tagger-checkpoint.pt")
    >>> found.format, found.model_key, found.params, found.optimizer_elements
    ('zip', 'model_state_dict', 595, 1209)
    >>> found.tensors[1]
    TorchTensor(name='encoder.weight_ih_l0', shape=(12, 4), dtype='float32', storage='1',
                offset=0, stride=(4, 1), requires_grad=False, role=None)
    """
    return read_file(path, read_torch)


def read_torch_bytes(data: bytes) -> TorchFile:
    """Read a PyTorch file's bytes.

    >>> import pickle
    >>> found = read_torch_bytes(pickle.dumps({"step": 3}, protocol=2))
    >>> found.format, found.tensors, found.warnings
    ('pickle', (), ())
    """
    return read_torch(io.BytesIO(data), len(data))


def read_torch(file: IO[bytes], size: int) -> TorchFile:
    """Read a PyTorch file from an open binary stream of ``size`` bytes (one handle)."""
    head = file.read(4)
    file.seek(0)
    try:
        with warnings.catch_warnings():  # pickletools warns of a bad escape in a STRING
            warnings.simplefilter("error")
            return _read_any(file, size, head)
    except InvalidSpecError:
        raise
    except (
        ValueError, KeyError, IndexError, TypeError, EOFError, struct.error, Warning, OSError,
        RecursionError, MemoryError, OverflowError, zipfile.BadZipFile, NotImplementedError,
    ) as error:  # fmt: skip
        msg = f"not a readable PyTorch file: {type(error).__name__}: {str(error)[:200]}"
        raise InvalidSpecError(msg) from None


def _read_any(file: IO[bytes], size: int, head: bytes) -> TorchFile:
    if head == _ZIP_MAGIC:
        return _read_zip(file)
    if head[:1] and head[0] in _OPCODES:  # protocol 2 and later start with PROTO
        return _read_pickles(file, size)
    msg = f"not a PyTorch file: it starts with {head!r}, neither a zip archive nor a pickle"
    raise InvalidSpecError(msg)


# -- the zip archive and TorchScript ---------------------------------------------------------


def _read_zip(file: IO[bytes]) -> TorchFile:
    with zipfile.ZipFile(file) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            msg = f"{len(members):,} zip members, more than the {MAX_MEMBERS:,} read"
            raise InvalidSpecError(msg)
        sizes = {member.filename: member.file_size for member in members}
        pickles = sorted(name for name in sizes if re.fullmatch(r"(?:[^/]*/)?data\.pkl", name))
        if not pickles:
            msg = "a zip archive without data.pkl: not a torch.save file"
            raise InvalidSpecError(msg)
        prefix = pickles[0].removesuffix("data.pkl")
        data = _capped(archive, pickles[0])
        code = {
            name.removeprefix(f"{prefix}code/"): name
            for name in sizes
            if name.startswith(f"{prefix}code/") and name.endswith(".py")
        }
        torchscript = bool(code) or f"{prefix}constants.pkl" in sizes
        roles = _code_roles(archive, code) if torchscript else {}

        def storage_size(key: str) -> int | None:
            return sizes.get(f"{prefix}data/{key}", -1)

        machine = _Machine(storage_size)
        root = machine.run(io.BytesIO(data))
    return _result("torchscript" if torchscript else "zip", root, machine, roles)


def _member(archive: zipfile.ZipFile, name: str, cap: int) -> bytes:
    """At most ``cap + 1`` bytes of a member, whatever its header claims."""
    try:
        with archive.open(name) as member:
            return member.read(cap + 1)
    except Exception as error:  # noqa: BLE001 - zlib, bz2, lzma and encryption each raise their own
        msg = f"cannot read {name} from the archive: {type(error).__name__}: {str(error)[:200]}"
        raise InvalidSpecError(msg) from None


def _capped(archive: zipfile.ZipFile, name: str) -> bytes:
    data = _member(archive, name, MAX_PICKLE_BYTES)
    if len(data) > MAX_PICKLE_BYTES:
        msg = f"{name} is larger than the {MAX_PICKLE_BYTES:,} bytes read"
        raise InvalidSpecError(msg)
    return data


_CLASS = re.compile(r"^class (\w+)\(Module\):\n((?:  [^\n]*\n)*)", re.MULTILINE)
_LIST = re.compile(r"^  (__parameters__|__buffers__) = \[(.*)\]$", re.MULTILINE)
_CONSTANT = re.compile(r"^  (\w+) : Final\[.*\] = (.*)$", re.MULTILINE)


def _code_roles(
    archive: zipfile.ZipFile, code: dict[str, str]
) -> dict[str, tuple[dict[str, str], dict[str, object]]]:
    """Each TorchScript class's tensor roles and ``Final`` constants, from ``code/``."""
    found: dict[str, tuple[dict[str, str], dict[str, object]]] = {}
    budget = MAX_CODE_BYTES
    for path, name in sorted(code.items()):
        text = _member(archive, name, budget)
        budget -= len(text)
        if budget < 0:
            msg = f"TorchScript code larger than the {MAX_CODE_BYTES:,} bytes read"
            raise InvalidSpecError(msg)
        module = path.removesuffix(".py").replace("/", ".")
        for match in _CLASS.finditer(text.decode("utf-8", "replace")):
            roles: dict[str, str] = {}
            for kind, names in _LIST.findall(match[2]):
                role = "parameter" if kind == "__parameters__" else "buffer"
                roles |= dict.fromkeys(re.findall(r'"(\w+)"', names), role)
            constants = {key: _literal(value) for key, value in _CONSTANT.findall(match[2])}
            found[f"{module}.{match[1]}"] = (roles, constants)
    return found


def _literal(text: str) -> object:
    """A TorchScript constant's value: a number, bool, None, string or tuple of ints."""
    named: dict[str, object] = {"True": True, "False": False, "None": None}
    if text in named:
        return named[text]
    if re.fullmatch(r"-?\d{1,30}", text):
        return int(text)
    if re.fullmatch(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:e[-+]?\d+)?|-?inf|nan", text):
        return float(text)
    if re.fullmatch(r'"[^"\\]*"', text):
        return text[1:-1]
    if re.fullmatch(r"\((?:-?\d{1,30}, ?)*(?:-?\d{1,30})?\)", text):
        return [int(n) for n in re.findall(r"-?\d+", text)]
    return text


# -- the legacy format and plain pickles -----------------------------------------------------


def _read_pickles(file: IO[bytes], size: int) -> TorchFile:
    data = file.read(MAX_PICKLE_BYTES)
    stream = io.BytesIO(data)
    first = _Machine(lambda _key: None)
    magic = first.run(stream)
    if type(magic) is not int or magic != _LEGACY_MAGIC:
        return _result("pickle", magic, first, {})
    protocol = first.run(stream)
    if type(protocol) is not int or protocol != _LEGACY_PROTOCOL:
        msg = f"legacy torch file with protocol {_describe(protocol)}, expected {_LEGACY_PROTOCOL}"
        raise InvalidSpecError(msg)
    first.run(stream)  # sys_info: endianness and type sizes
    machine = _Machine(lambda _key: None)
    machine.opcodes = first.opcodes
    root = machine.run(stream)
    keys = _Machine(lambda _key: None).run(stream)
    if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
        msg = "legacy torch file: the storage keys must be a list of strings"
        raise InvalidSpecError(msg)
    missing = sorted(set(machine.storages) - set(keys))
    if missing:
        msg = f"legacy torch file: storage {missing[0]!r:.40} is missing from the keys"
        raise InvalidSpecError(msg)
    needed = sum(8 + machine.storages[key] for key in keys if key in machine.storages)
    if stream.tell() + needed > size:
        msg = (
            f"legacy torch file truncated: its storages need {needed:,} bytes, "
            f"{size - stream.tell():,} remain"
        )
        raise InvalidSpecError(msg)
    return _result("legacy", root, machine, {})


# -- the symbolic machine ----------------------------------------------------------------------


class _Global:
    __slots__ = ("name",)

    def __init__(self, module: str, name: str) -> None:
        self.name = f"{_RENAMED_MODULES.get(module, module)}.{name}"


class _Object:
    """A call, a NEWOBJ or an INST: never made, only recorded, with its BUILD state."""

    __slots__ = ("args", "func", "items", "state")

    def __init__(self, func: object, args: tuple[Any, ...]) -> None:
        self.func, self.args, self.state = func, args, None
        self.items: list[Any] = []  # APPENDS to a list subclass, ADDITEMS to a set

    @property
    def cls(self) -> str:
        return self.func.name if isinstance(self.func, _Global) else "?"


class _Dict:
    """A dict as pairs: pickled keys are never hashed (a hostile key can be deep)."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[tuple[object, object]] = []

    def get(self, key: str) -> object:
        for k, v in self.items:
            if type(k) is str and k == key:
                return v
        return None


class _Storage:
    __slots__ = ("dtype", "itemsize", "key", "numel")

    def __init__(self, key: str, dtype: str, itemsize: int, numel: int) -> None:
        self.key, self.dtype, self.itemsize, self.numel = key, dtype, itemsize, numel


class _Tensor:
    __slots__ = ("dtype", "offset", "parameter", "requires_grad", "shape", "storage", "stride")

    def __init__(
        self,
        storage: _Storage,
        offset: int,
        shape: tuple[int, ...],
        stride: tuple[int, ...],
        dtype: str,
    ) -> None:
        self.storage, self.offset, self.shape, self.stride = storage, offset, shape, stride
        self.dtype = dtype
        self.requires_grad: bool | None = None
        self.parameter = False


class _Mark:
    __slots__ = ()


_MARK = _Mark()


class _Machine:
    """Runs pickles as data; ``storage_size(key)`` is a zip member's size, -1 if absent."""

    def __init__(self, storage_size: Callable[[str], int | None]) -> None:
        self.storage_size = storage_size
        self.storages: dict[str, int] = {}  # key: bytes
        self.unsafe: dict[str, str] = {}  # qualified name: "import" or "call"
        self.opcodes = 0
        self.tensors = 0

    def run(self, stream: io.BytesIO) -> object:  # noqa: C901, PLR0912, PLR0915 - one opcode each
        stack: list[Any] = []
        marks: list[int] = []
        memo: dict[int, object] = {}
        end = len(stream.getbuffer())
        for opcode, argument, at in pickletools.genops(stream):
            arg: Any = argument
            position = at or 0
            self.opcodes += 1
            if self.opcodes > MAX_OPCODES:
                msg = f"more than {MAX_OPCODES:,} pickle opcodes"
                raise InvalidSpecError(msg)
            if len(stack) > MAX_STACK or len(marks) > MAX_NESTING:
                msg = f"pickle nested deeper than {MAX_NESTING} or a stack over {MAX_STACK:,}"
                raise InvalidSpecError(msg)
            name = opcode.name  # the most frequent in torch's pickles first
            if name in {"PUT", "BINPUT", "LONG_BINPUT", "MEMOIZE"}:
                index = len(memo) if name == "MEMOIZE" else arg
                if len(memo) >= MAX_MEMO:
                    msg = f"more than {MAX_MEMO:,} pickle memo entries"
                    raise InvalidSpecError(msg)
                memo[index] = self._peek(stack)
            elif name in {"GET", "BINGET", "LONG_BINGET"}:
                if arg not in memo:
                    msg = f"pickle memo entry {arg} read before it was written"
                    raise InvalidSpecError(msg)
                stack.append(memo[arg])
            elif name in _CONSTANTS:
                stack.append(_CONSTANTS[name])
            elif name in _ARGUMENT:
                stack.append(arg)
            elif name == "MARK":
                marks.append(len(stack))
                stack.append(_MARK)
            elif name in {"TUPLE", "LIST", "DICT", "FROZENSET", "POP_MARK", "INST", "OBJ"}:
                items = self._pop_mark(stack, marks)
                stack.extend(self._marked(name, items, arg))
            elif name in _TUPLES:
                stack.append(tuple(self._pop(stack, _TUPLES[name])))
            elif name == "EMPTY_TUPLE":
                stack.append(())
            elif name == "EMPTY_LIST":
                stack.append([])
            elif name == "EMPTY_DICT":
                stack.append(_Dict())
            elif name == "EMPTY_SET":
                stack.append(_Object(_Global("builtins", "set"), ()))
            elif name == "APPEND":
                self._append(stack, self._pop(stack, 1))
            elif name == "APPENDS":
                self._append(stack, self._pop_mark(stack, marks))
            elif name == "SETITEM":
                key, value = self._pop(stack, 2)
                self._dict(stack).items.append((key, value))
            elif name == "SETITEMS":
                items = self._pop_mark(stack, marks)
                self._dict(stack).items.extend(_pairs(items))
            elif name == "ADDITEMS":
                items = self._pop_mark(stack, marks)
                self._top(stack, _Object).items.extend(items)
            elif name == "POP":
                self._pop(stack, 1)
            elif name == "DUP":
                stack.append(self._pop(stack, 1)[0])
                stack.append(stack[-1])
            elif name == "GLOBAL":
                module, _, qualname = arg.partition(" ")
                stack.append(self._global(module, qualname))
            elif name == "STACK_GLOBAL":
                module, qualname = self._pop(stack, 2)
                if not (isinstance(module, str) and isinstance(qualname, str)):
                    msg = "STACK_GLOBAL needs two strings"
                    raise InvalidSpecError(msg)
                stack.append(self._global(module, qualname))
            elif name in {"EXT1", "EXT2", "EXT4"}:
                stack.append(self._global("copyreg.extension", str(arg)))
            elif name in {"REDUCE", "NEWOBJ"}:
                func, args = self._pop(stack, 2)
                stack.append(self._call(func, args, call=name == "REDUCE"))
            elif name == "NEWOBJ_EX":
                cls, args, _kwargs = self._pop(stack, 3)
                stack.append(self._call(cls, args, call=False))
            elif name == "BUILD":
                (state,) = self._pop(stack, 1)
                target = self._peek(stack)
                if isinstance(target, _Object):
                    target.state = state
            elif name in {"PERSID", "BINPERSID"}:
                pid = arg if name == "PERSID" else self._pop(stack, 1)[0]
                stack.append(self._persistent(pid))
            elif name == "FRAME":
                if arg > end - position:
                    msg = f"a pickle frame of {arg:,} bytes, beyond the {end - position:,} left"
                    raise InvalidSpecError(msg)
            elif name == "STOP":
                (result,) = self._pop(stack, 1)
                if stack:
                    msg = f"{len(stack)} values left on the pickle stack at STOP"
                    raise InvalidSpecError(msg)
                return result
            elif name != "PROTO":  # NEXT_BUFFER, READONLY_BUFFER: out-of-band data
                msg = f"pickle opcode {name} is not read (out-of-band buffers)"
                raise InvalidSpecError(msg)
        msg = "a pickle without STOP"  # pragma: no cover - genops stops at STOP or raises
        raise InvalidSpecError(msg)  # pragma: no cover

    @staticmethod
    def _pop(stack: list[Any], count: int) -> list[Any]:
        if len(stack) < count or any(item is _MARK for item in stack[-count:]):
            msg = "pickle stack underflow"
            raise InvalidSpecError(msg)
        items = stack[-count:]
        del stack[-count:]
        return items

    @staticmethod
    def _peek(stack: list[Any]) -> object:
        if not stack or stack[-1] is _MARK:
            msg = "pickle stack underflow"
            raise InvalidSpecError(msg)
        return stack[-1]

    @staticmethod
    def _pop_mark(stack: list[Any], marks: list[int]) -> list[Any]:
        if not marks:
            msg = "pickle MARK missing"
            raise InvalidSpecError(msg)
        start = marks.pop()
        items = stack[start + 1 :]
        del stack[start:]
        return items

    def _top(self, stack: list[Any], kind: type) -> Any:  # noqa: ANN401 - the kind asked for
        target = self._peek(stack)
        if not isinstance(target, kind):
            msg = f"pickle adds items to a {type(target).__name__}, not a {kind.__name__}"
            raise InvalidSpecError(msg)
        return target

    def _append(self, stack: list[Any], items: list[Any]) -> None:
        target = self._peek(stack)
        if isinstance(target, _Object):  # a list subclass: its items are kept as its args
            target.items.extend(items)
        else:
            self._top(stack, list).extend(items)

    def _dict(self, stack: list[Any]) -> _Dict:
        result: _Dict = self._top(stack, _Dict)
        return result

    def _marked(self, name: str, items: list[Any], arg: object) -> list[object]:  # noqa: PLR0911 - one return per opcode
        if name == "TUPLE":
            return [tuple(items)]
        if name == "LIST":
            return [items]
        if name == "DICT":
            result = _Dict()
            result.items.extend(_pairs(items))
            return [result]
        if name == "FROZENSET":
            return [_Object(_Global("builtins", "frozenset"), tuple(items))]
        if name == "POP_MARK":
            return []
        if name == "INST":
            module, _, qualname = str(arg).partition(" ")
            return [self._call(self._global(module, qualname), tuple(items), call=True)]
        if not items:  # OBJ: the class, then its arguments
            msg = "pickle OBJ without a class"
            raise InvalidSpecError(msg)
        return [self._call(items[0], tuple(items[1:]), call=True)]

    def _global(self, module: str, qualname: str) -> _Global:
        found = _Global(module, qualname)
        if found.name not in _SAFE and not found.name.startswith(_SAFE_PREFIXES):
            self.unsafe.setdefault(found.name, "import")
        return found

    def _call(self, func: object, args: object, *, call: bool) -> object:  # noqa: PLR0911 - one return per callee
        name = func.name if isinstance(func, _Global) else None
        if name in self.unsafe and call:
            self.unsafe[name] = "call"
        if not isinstance(args, tuple):
            return _Object(func, ())
        if name in _TENSOR_REBUILDS or name in {_TENSOR_V3, _META}:
            return self._rebuild(name, args)
        if name == "collections.OrderedDict":
            return _Dict()
        if name in _PARAMETER_REBUILDS and args and isinstance(args[0], _Tensor):
            args[0].parameter = True
            args[0].requires_grad = args[1] if len(args) > 1 and type(args[1]) is bool else None
            return args[0]
        if name in _TYPE_REBUILDS and len(args) >= 3 and isinstance(args[2], tuple):  # noqa: PLR2004
            return self._call(args[0], args[2], call=True)
        if name in _PASS_FIRST and args:
            return args[0]
        if name == "copyreg._reconstructor" and args:
            return _Object(args[0], ())
        return _Object(func, args)

    def _rebuild(self, name: str | None, args: tuple[Any, ...]) -> object:
        """A tensor from ``_rebuild_tensor_v2``, ``_v3`` (with a dtype) or a meta tensor."""
        if name == _TENSOR_V3:
            return self._tensor(args, _dtype(args[6] if len(args) > 6 else None))  # noqa: PLR2004
        if name != _META:
            return self._tensor(args, None)
        if len(args) < 3:  # noqa: PLR2004 - (dtype, size, stride, requires_grad)
            return _Object(_Global("torch._utils", "_rebuild_meta_tensor_no_storage"), args)
        dtype = _dtype(args[0])
        storage = _Storage(f"meta:{self.tensors}", dtype[0], dtype[1], MAX_SIZE)
        return self._tensor((storage, 0, *args[1:]), None)

    def _persistent(self, pid: object) -> object:
        if isinstance(pid, tuple) and len(pid) > 1 and pid[0] == "module":
            return pid[1]  # legacy whole modules: ('module', class, source file, source)
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            return _Object(_Global("persistent", "id"), pid if isinstance(pid, tuple) else ())
        if len(pid) < 5:  # noqa: PLR2004 - ('storage', type, key, location, numel)
            msg = "a storage persistent id needs ('storage', type, key, location, numel)"
            raise InvalidSpecError(msg)
        kind, key, numel = pid[1], pid[2], pid[4]
        if isinstance(kind, _Global) and kind.name.endswith(".TypedStorage") and len(pid) > 5:  # noqa: PLR2004
            kind = pid[5]  # ('storage', TypedStorage, key, location, numel, torch.<dtype>)
        dtype = _DTYPES.get(kind.name.rpartition(".")[2]) if isinstance(kind, _Global) else None
        if dtype is None or not isinstance(key, str) or not _size(numel):
            msg = (
                "a storage persistent id with type, key or numel not understood: "
                f"{', '.join(_describe(item) for item in pid[1:5])}"
            )
            raise InvalidSpecError(msg)
        nbytes = numel * dtype[1]
        member = self.storage_size(key)
        if member is not None and member < nbytes:
            msg = (
                f"storage {key!r:.40} holds {numel:,} {dtype[0]} ({nbytes:,} bytes) "
                f"but its data member has {max(member, 0):,} bytes"
            )
            raise InvalidSpecError(msg)
        self.storages[key] = max(self.storages.get(key, 0), nbytes)
        return _Storage(key, dtype[0], dtype[1], numel)

    def _tensor(self, args: tuple[Any, ...], dtype: tuple[str, int] | None) -> _Tensor:
        self.tensors += 1
        if self.tensors > MAX_TENSORS:
            msg = f"more than {MAX_TENSORS:,} tensors"
            raise InvalidSpecError(msg)
        if len(args) < 4 or not isinstance(args[0], _Storage):  # noqa: PLR2004
            msg = "a tensor rebuilt without (storage, offset, size, stride)"
            raise InvalidSpecError(msg)
        storage, offset, shape, stride = args[:4]
        dtype = dtype or (storage.dtype, storage.itemsize)
        elements = storage.numel * storage.itemsize // dtype[1]
        if not (
            isinstance(shape, tuple)
            and isinstance(stride, tuple)
            and len(shape) == len(stride) <= MAX_DIMS
            and all(_size(n) for n in (offset, *shape, *stride))
        ):
            msg = (
                f"a tensor's offset, size and stride must be at most {MAX_DIMS} sizes "
                f"below 2**63 each, got {type(shape).__name__} of {_length(shape)}"
            )
            raise InvalidSpecError(msg)
        if (
            math.prod(shape)
            and offset + sum((n - 1) * s for n, s in zip(shape, stride, strict=True)) >= elements
        ):
            msg = (
                f"a tensor of shape {list(shape)} at offset {offset} does not fit "
                f"in its storage of {elements:,} elements"
            )
            raise InvalidSpecError(msg)
        tensor = _Tensor(storage, offset, shape, stride, dtype[0])
        if len(args) > 4 and type(args[4]) is bool:  # noqa: PLR2004 - _rebuild_tensor_v2
            tensor.requires_grad = args[4]
        return tensor


def _pairs(items: list[Any]) -> list[tuple[object, object]]:
    if len(items) % 2:
        msg = "pickle SETITEMS with an odd number of items"
        raise InvalidSpecError(msg)
    return list(zip(items[::2], items[1::2], strict=True))


def _dtype(value: object) -> tuple[str, int]:
    """A ``torch.<dtype>`` global's name and element size."""
    dtype = _DTYPES.get(value.name.removeprefix("torch.")) if isinstance(value, _Global) else None
    if dtype is None:
        msg = f"a tensor's dtype must be a torch dtype, got {type(value).__name__}"
        raise InvalidSpecError(msg)
    return dtype


def _describe(value: object) -> str:
    """A value from a file, shown without ``repr`` (which could be deep or huge)."""
    if isinstance(value, _Global):
        return value.name
    if type(value) is str:
        return repr(value[:40])
    if type(value) is int and abs(value) < MAX_SIZE:
        return str(value)
    return type(value).__name__


def _size(value: object) -> bool:
    return type(value) is int and 0 <= value < MAX_SIZE


def _length(value: object) -> int:
    return len(value) if isinstance(value, tuple) else 0


_CONSTANTS: dict[str, object] = {"NONE": None, "NEWTRUE": True, "NEWFALSE": False}
_ARGUMENT = {
    "INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "STRING", "BINSTRING",
    "SHORT_BINSTRING", "BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "BYTEARRAY8", "UNICODE",
    "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "FLOAT", "BINFLOAT",
}  # fmt: skip
_TUPLES = {"TUPLE1": 1, "TUPLE2": 2, "TUPLE3": 3}


# -- from the values to the tensors ----------------------------------------------------------


def _result(
    form: str,
    root: object,
    machine: _Machine,
    roles: dict[str, tuple[dict[str, str], dict[str, object]]],
) -> TorchFile:
    walker = _Walker(roles)
    model: list[TorchTensor] = []
    optimizer: list[TorchTensor] = []
    others: list[TorchTensor] = []
    model_key = _model_key(root)
    if isinstance(root, _Dict) and model_key is not None:
        for key, value in root.items:
            if key == model_key:
                walker.walk(value, "", 1, model)
            else:
                sink = optimizer if key in _OPTIMIZER_KEYS else others
                walker.walk(value, _join("", key), 1, sink)
        model_key = model_key or None
    else:
        walker.walk(root, "", 0, model)
    warnings = tuple(
        f"unpickling would {verb} {name} (not a known-safe global; nothing was run)"
        for name, verb in machine.unsafe.items()
    )
    return TorchFile(
        form,
        tuple(model),
        tuple(optimizer),
        tuple(others),
        tuple(walker.modules),
        warnings,
        model_key,
    )


def _model_key(root: object) -> str | None:
    """A checkpoint's model entry ("" if it has only an optimizer's); None if not a checkpoint."""
    if not isinstance(root, _Dict):
        return None
    entries = [
        key
        for key, value in root.items
        if type(key) is str
        and key in (*_MODEL_KEYS, *_OPTIMIZER_KEYS)
        and not isinstance(value, _Tensor)
    ]
    if not entries:
        return None
    return next((key for key in _MODEL_KEYS if key in entries), "")


class _Walker:
    """Walks the values depth-first, at most ``MAX_NESTING`` deep, naming tensors by path."""

    def __init__(self, roles: dict[str, tuple[dict[str, str], dict[str, object]]]) -> None:
        self.roles = roles
        self.modules: list[TorchModule] = []
        self.visits = 0

    def walk(self, value: object, path: str, depth: int, sink: list[TorchTensor]) -> None:
        self.visits += 1
        if depth > MAX_NESTING or self.visits > MAX_VISITS:
            msg = (
                f"values nested deeper than {MAX_NESTING} or reached more than {MAX_VISITS:,} times"
            )
            raise InvalidSpecError(msg)
        if isinstance(value, _Tensor):
            sink.append(_public(value, path, None))
        elif isinstance(value, _Dict):
            for key, item in value.items:
                self.walk(item, _join(path, key), depth + 1, sink)
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                self.walk(item, _join(path, index), depth + 1, sink)
        elif isinstance(value, _Object):
            self._object(value, path, depth, sink)

    def _object(self, value: _Object, path: str, depth: int, sink: list[TorchTensor]) -> None:
        state = value.state
        if isinstance(state, _Dict) and isinstance(state.get("_parameters"), _Dict):
            self.modules.append(TorchModule(path, value.cls, _attributes(state)))
            for key, role in (("_parameters", "parameter"), ("_buffers", "buffer")):
                tensors = state.get(key)
                for name, item in tensors.items if isinstance(tensors, _Dict) else ():
                    if isinstance(item, _Tensor):
                        sink.append(_public(item, _join(path, name), role))
            modules = state.get("_modules")
            for name, item in modules.items if isinstance(modules, _Dict) else ():
                self.walk(item, _join(path, name), depth + 1, sink)
        elif value.cls.startswith("__torch__.") and isinstance(state, _Dict):
            roles, constants = self.roles.get(value.cls, ({}, {}))
            self.modules.append(TorchModule(path, value.cls, _attributes(state) | constants))
            for name, item in state.items:
                if isinstance(item, _Tensor):
                    sink.append(_public(item, _join(path, name), roles.get(str(name))))
                elif isinstance(item, _Object):
                    self.walk(item, _join(path, name), depth + 1, sink)
        else:
            self.walk((value.args, state, value.items), path, depth, sink)


def _public(tensor: _Tensor, name: str, role: str | None) -> TorchTensor:
    if role is None:
        role = "parameter" if tensor.parameter else None
        role = "buffer" if role is None and _BUFFER_NAMES.fullmatch(name) else role
    return TorchTensor(
        name,
        tensor.shape,
        tensor.dtype,
        tensor.storage.key,
        tensor.offset,
        tensor.stride,
        tensor.requires_grad,
        role,
    )


def _join(path: str, key: object) -> str:
    name = (
        key if type(key) is str else str(key) if type(key) is int and abs(key) < MAX_SIZE else "?"
    )
    return f"{path}.{name}" if path else name


def _attributes(state: _Dict) -> dict[str, object]:
    """The public scalar attributes of a module's ``__dict__``: its constructor's arguments."""
    found: dict[str, object] = {}
    for key, value in state.items:
        if type(key) is str and not key.startswith("_") and key != "training":
            if isinstance(value, tuple | list) and all(isinstance(v, _SCALARS) for v in value):
                found[key] = list(value)
            elif isinstance(value, _SCALARS):
                found[key] = value
    return found


_SCALARS = (bool, int, float, str, type(None))
