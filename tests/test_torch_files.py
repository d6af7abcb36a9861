"""PyTorch and ONNX files read without torch, onnx or unpickling, against what torch said.

``tests/data/torch`` holds files saved by torch 2.13.0 and onnx 1.23.2
(``scripts/generate_torch_files.py``); its ``index.json`` records, per file, what
the frameworks reported. Hostile files (code-running pickles, bombs, truncation,
overlong varints, absurd dims) are each read as data or refused with one
``InvalidSpecError``.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import math
import os
import pickle
import struct
import warnings
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_params import InvalidSpecError, from_shapes
from lstm_params._readers import onnx_proto, torch_pickle
from lstm_params._readers.onnx_proto import (
    OnnxModel,
    OnnxNode,
    OnnxTensor,
    read_onnx_bytes,
    read_onnx_file,
)
from lstm_params._readers.torch_pickle import TorchFile, read_torch_bytes, read_torch_file

if TYPE_CHECKING:
    from collections.abc import Callable

DATA = Path(__file__).parent / "data" / "torch"
INDEX = json.loads((DATA / "index.json").read_text())
TORCH = [r for r in INDEX["records"] if r["kind"] not in {"onnx", "sharded"}]
ONNX = [r for r in INDEX["records"] if r["kind"] == "onnx"]
BN_BUFFERS = {"running_mean", "running_var", "num_batches_tracked"}


def _ids(records: list[dict[str, Any]]) -> list[str]:
    return [record["file"] for record in records]


# -- golden files ----------------------------------------------------------------------------


def test_the_index_covers_every_format() -> None:
    kinds = {r["kind"] for r in INDEX["records"]}
    assert kinds == {"state_dict", "module", "checkpoint", "torchscript", "onnx", "sharded"}
    formats = {read_torch_file(DATA / r["file"]).format for r in TORCH}
    assert formats == {"zip", "legacy", "torchscript"}
    assert sum(path.stat().st_size for path in DATA.iterdir()) < 2 * 2**20


@pytest.mark.parametrize("record", TORCH, ids=_ids(TORCH))
def test_a_torch_file_reads_as_torch_saved_it(record: dict[str, Any]) -> None:
    found = read_torch_file(DATA / record["file"])
    expected = {k: (tuple(v["shape"]), v["dtype"]) for k, v in record["state_dict"].items()}
    assert {t.name: (t.shape, t.dtype) for t in found.tensors} == expected
    assert [t.name for t in found.tensors] == list(expected)
    # A bare state_dict does not say which tensors are buffers: BatchNorm's are known by
    # name, any other is counted with the parameters (sum(p.numel() for p in parameters())).
    unnamed = sum(
        math.prod(v["shape"])
        for k, v in record["state_dict"].items()
        if v["buffer"] and record["kind"] != "module" and k.rsplit(".", 1)[-1] not in BN_BUFFERS
    )
    assert found.params == record["params"] + unnamed
    assert found.buffers == record["buffers"] - unnamed
    assert found.shapes() == {name: shape for name, (shape, _) in expected.items()}
    if record["kind"] in {"module", "torchscript"}:
        assert found.trainable == record["trainable"]
    assert found.optimizer_elements == record.get("optimizer_elements", 0)
    assert found.model_key == record.get("model_key")
    assert found.others == ()


@pytest.mark.parametrize(
    "record", [r for r in TORCH if "modules" in r], ids=_ids([r for r in TORCH if "modules" in r])
)
def test_a_pickled_module_tree_is_torchs(record: dict[str, Any]) -> None:
    found = read_torch_file(DATA / record["file"])
    script = record["kind"] == "torchscript"

    def cls(name: str) -> str:
        return "__torch__." + name.removeprefix("__main__.") if script else name

    assert [(m.path, m.cls, m.attributes) for m in found.modules] == [
        (m["path"], cls(m["class"]), m["attributes"]) for m in record["modules"]
    ]
    if not script:  # the model's own class is not a torch.nn class: reported, never imported
        main = [m["class"] for m in record["modules"] if m["class"].startswith("__main__.")]
        assert found.warnings == tuple(
            f"unpickling would import {name} (not a known-safe global; nothing was run)"
            for name in main
        )


@pytest.mark.parametrize(
    "name", ["tagger-checkpoint.pt", "tagger-torchscript.pt", "tagger-legacy.pt"]
)
def test_the_tensors_feed_the_recogniser(name: str) -> None:
    summary = from_shapes(read_torch_file(DATA / name).shapes())
    assert [
        (n, spec.layer_name, spec.num_units, spec.num_layers)
        for n, spec in zip(summary.names, summary.layers, strict=True)
    ] == [("encoder", "nn.LSTM", 3, 2)]
    assert summary.params == 595


def test_a_checkpoint_keeps_the_optimizer_apart() -> None:
    found = read_torch_file(DATA / "tagger-checkpoint.pt")
    assert {t.name.split(".")[-1] for t in found.optimizer} == {"step", "exp_avg", "exp_avg_sq"}
    assert all(t.name.startswith("optimizer_state_dict.state.") for t in found.optimizer)


def test_tied_weights_are_counted_once() -> None:
    found = read_torch_file(DATA / "tied-state-dict.pt")
    tied = [t for t in found.tensors if t.name in {"embedding.weight", "decoder.weight"}]
    assert tied[0].identity == tied[1].identity
    assert found.params == sum(t.size for t in found.tensors) - tied[0].size


@pytest.mark.parametrize("record", ONNX, ids=_ids(ONNX))
def test_an_onnx_file_reads_as_onnx_saw_it(record: dict[str, Any]) -> None:
    model = read_onnx_file(DATA / record["file"])
    assert [
        {"name": t.name, "dims": list(t.dims), "data_type": t.data_type, "external": t.external}
        for t in model.initializers
    ] == record["initializers"]
    assert [n.op_type for n in model.nodes] == record["op_types"]
    assert [
        {
            "name": n.name,
            "op_type": n.op_type,
            "inputs": list(n.inputs),
            "outputs": list(n.outputs),
            "attributes": n.attributes,
        }
        for n in model.nodes
        if n.op_type in {"LSTM", "GRU", "RNN"}
    ] == record["nodes"]
    assert list(model.inputs) == record["inputs"]
    assert list(model.outputs) == record["outputs"]
    assert model.params == record["initializer_elements"] == record.get("params", model.params)
    assert model.producer == "pytorch"
    for node, recurrent in zip(record["nodes"], model.recurrent(), strict=True):
        inputs = node["inputs"] + [""] * 8
        assert (recurrent.W, recurrent.R, recurrent.B or "") == tuple(inputs[1:4])
        assert recurrent.hidden_size == node["attributes"]["hidden_size"]
        assert recurrent.direction == node["attributes"].get("direction", "forward")
        assert recurrent.P is None


# -- code is never run -----------------------------------------------------------------------


class _Evil:
    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (os.system, (f"touch {self.path}",))


def _zip(pickled: bytes, **members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.pkl", pickled)
        archive.writestr("archive/version", b"3\n")
        for name, data in members.items():
            archive.writestr(f"archive/{name}", data)
    return buffer.getvalue()


@pytest.mark.parametrize("wrap", [bytes, _zip], ids=["pickle", "torch-zip"])
@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_a_code_running_pickle_is_read_as_data(
    tmp_path: Path, wrap: Callable[[bytes], bytes], protocol: int
) -> None:
    target = tmp_path / "pwned"
    path = tmp_path / "evil.pt"
    path.write_bytes(wrap(pickle.dumps({"model": _Evil(target)}, protocol=protocol)))
    found = read_torch_file(path)
    assert not target.exists()
    assert found.tensors == ()
    name = f"{os.system.__module__}.system"  # posix.system here, nt.system on Windows
    assert found.warnings == (
        f"unpickling would call {name} (not a known-safe global; nothing was run)",
    )


def test_builtins_exec_and_eval_are_named() -> None:
    class Exec:
        def __reduce__(self) -> tuple[Any, ...]:
            return (exec, ("raise SystemExit",))

    class Eval:
        def __reduce__(self) -> tuple[Any, ...]:
            return (eval, ("1",))

    found = read_torch_bytes(pickle.dumps([Exec(), Eval()], protocol=2))
    assert [w.split()[3] for w in found.warnings] == ["builtins.exec", "builtins.eval"]


# -- hand-made pickles -------------------------------------------------------------------------


def _p(*parts: bytes) -> bytes:
    return b"\x80\x02" + b"".join(parts) + b"."


def _global(module: str, name: str) -> bytes:
    return b"c" + f"{module}\n{name}\n".encode()


def _text(value: str) -> bytes:
    encoded = value.encode()
    return b"X" + struct.pack("<I", len(encoded)) + encoded


def _int(value: int) -> bytes:
    return b"J" + struct.pack("<i", value)


def _tuple(*items: bytes) -> bytes:
    return b"(" + b"".join(items) + b"t"


def _storage(key: str = "0", numel: int = 12, kind: str = "FloatStorage") -> bytes:
    pid = _tuple(_text("storage"), _global("torch", kind), _text(key), _text("cpu"), _int(numel))
    return pid + b"Q"


def _tensor(
    shape: tuple[int, ...] = (3, 4),
    stride: tuple[int, ...] = (4, 1),
    *,
    storage: bytes | None = None,
    offset: int = 0,
    extra: bytes = b"\x89}",
) -> bytes:
    return (
        _global("torch._utils", "_rebuild_tensor_v2")
        + b"("
        + (storage if storage is not None else _storage())
        + _int(offset)
        + _tuple(*map(_int, shape))
        + _tuple(*map(_int, stride))
        + extra
        + b"tR"
    )


def _dict(*pairs: tuple[str, bytes]) -> bytes:
    return b"}(" + b"".join(_text(k) + v for k, v in pairs) + b"u"


def test_a_hand_made_state_dict() -> None:
    found = read_torch_bytes(_zip(_p(_dict(("w", _tensor()))), **{"data/0": bytes(48)}))
    assert found.tensors == (
        torch_pickle.TorchTensor("w", (3, 4), "float32", "0", 0, (4, 1), requires_grad=False),
    )


def _read(pickled: bytes) -> TorchFile:
    return read_torch_bytes(pickled)


@pytest.mark.parametrize(
    ("pickled", "expected"),
    [
        # every constant and container opcode, and the memo
        (pickle.dumps([1, 2.5, "x", b"y", None, True, 2**70, (1,), (1, 2), (1, 2, 3)], protocol=3),
         [1, 2.5, "x", b"y", None, True, 2**70, (1,), (1, 2), (1, 2, 3)]),
        (pickle.dumps([1, "x", (), [], {}, 1.5, True], protocol=0),
         [1, "x", (), [], {}, 1.5, True]),
        (pickle.dumps(["a", "a"], protocol=4), ["a", "a"]),
        (_p(b"(K\x01K\x02l"), [1, 2]),  # LIST
        (_p(b"K\x01K\x02\x86", b"0", b"K\x03"), 3),  # POP
        (_p(b"(K\x01K\x021K\x03"), 3),  # POP_MARK
        (_p(b"K\x032\x86"), (3, 3)),  # DUP
        (_p(b"]K\x01a"), [1]),  # APPEND
        (_p(b"\x8c\x01a\x94h\x00\x86"), ("a", "a")),  # MEMOIZE, BINGET
    ],
    ids=str,
)  # fmt: skip
def test_plain_values_are_read(pickled: bytes, expected: object) -> None:
    assert _machine(pickled) == expected


def _machine(pickled: bytes) -> object:
    """The value of a pickle, with records and dicts shown as plain values."""
    value = torch_pickle._Machine(lambda _key: None).run(io.BytesIO(pickled))  # noqa: SLF001
    return _plain(value)


def _plain(value: object) -> object:
    if isinstance(value, torch_pickle._Dict):  # noqa: SLF001
        return {_plain(k): _plain(v) for k, v in value.items}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, torch_pickle._Object):  # noqa: SLF001
        return (value.cls, _plain((*value.args, *value.items)), _plain(value.state))
    if isinstance(value, torch_pickle._Global):  # noqa: SLF001
        return value.name
    return value


class _Point:
    def __init__(self, x: int) -> None:
        self.x = x


class _Items(list[int]):
    pass


class _Args:
    def __getnewargs_ex__(self) -> tuple[tuple[int], dict[str, int]]:
        return (1,), {"y": 2}


_HERE = __name__


@pytest.mark.parametrize(
    ("value", "protocol", "expected"),
    [
        ({1, 2}, 4, ("builtins.set", (1, 2), None)),
        (frozenset({1}), 4, ("builtins.frozenset", (1,), None)),
        ({1}, 2, ("builtins.set", ([1],), None)),
        (_Point(3), 0, (f"{_HERE}._Point", (), {"x": 3})),  # copyreg._reconstructor
        (_Point(3), 2, (f"{_HERE}._Point", (), {"x": 3})),  # NEWOBJ, BUILD
        (_Items([1, 2]), 2, (f"{_HERE}._Items", (1, 2), None)),  # APPENDS to an object
        (_Items([1]), 2, (f"{_HERE}._Items", (1,), None)),  # APPEND to an object
        (_Items([1]), 1, (f"{_HERE}._Items", (), None)),  # copyreg._reconstructor
        (_Args(), 4, (f"{_HERE}._Args", (1,), None)),  # NEWOBJ_EX
        (slice(1, 2), 2, ("builtins.slice", (1, 2, None), None)),
    ],
    ids=str,
)
def test_objects_are_records(value: object, protocol: int, expected: object) -> None:
    assert _machine(pickle.dumps(value, protocol=protocol)) == expected


def test_inst_obj_ext_persid_are_records() -> None:
    inst = b"(K\x01i" + f"{_HERE}\n_Point\n".encode()
    obj = b"(" + _global(_HERE, "_Point") + b"K\x02o"
    assert _machine(_p(inst)) == (f"{_HERE}._Point", (1,), None)
    assert _machine(_p(obj)) == (f"{_HERE}._Point", (2,), None)
    assert _machine(_p(b"\x82\x07")) == "copyreg.extension.7"
    assert _machine(_p(b"Pkey\n")) == ("persistent.id", (), None)
    assert _machine(_p(_tuple(_text("x")) + b"Q")) == ("persistent.id", ("x",), None)
    assert _machine(_p(_global("collections", "OrderedDict") + b")R" + b"K\x01b")) == {}
    stack_global = _text("torch") + _text("Size") + b"\x93" + _tuple(_tuple(_int(2))) + b"R"
    assert _machine(_p(stack_global)) == (2,)
    assert _machine(_p(_global("os", "getcwd") + b"K\x01R")) == ("os.getcwd", (), None)
    wrapped = _global("torch._tensor", "_rebuild_from_type_v2") + _tuple(
        _global("torch", "Size"), _global("torch", "Tensor"), _tuple(_tuple(_int(4))), b"}"
    )
    assert _machine(_p(wrapped + b"R")) == (4,)


def test_parameters_tensors_and_roles() -> None:
    rebuild = _global("torch._utils", "_rebuild_parameter")
    parameter = rebuild + _tuple(_tensor(), b"\x88}") + b"R"
    odd = rebuild + _tuple(_tensor(storage=_storage("1")), b"N}") + b"R"
    not_a_tensor = _global("torch._utils", "_rebuild_parameter") + _tuple(_int(1)) + b"R"
    pickled = _p(
        _dict(
            ("p", parameter),
            ("q", odd),
            ("x", not_a_tensor),
            ("bn.running_var", _tensor(storage=_storage("2"), extra=b"N")),
            ("u", _tensor(storage=_storage("3", kind="UntypedStorage", numel=48))),
        )
    )
    found = _read(pickled)
    assert [(t.name, t.role, t.requires_grad, t.dtype) for t in found.tensors] == [
        ("p", "parameter", True, "float32"),
        ("q", "parameter", None, "float32"),
        ("bn.running_var", "buffer", None, "float32"),
        ("u", None, False, "uint8"),
    ]
    assert (found.params, found.buffers, found.trainable) == (12 + 12 + 12, 12, 12)
    typed = _tuple(
        _text("storage"), _global("torch.storage", "TypedStorage"), _text("4"), _text("cpu"),
        _int(12), _global("torch", "bfloat16"),
    ) + b"Q"  # fmt: skip
    assert [t.dtype for t in _read(_p(_tensor(storage=typed))).tensors] == ["bfloat16"]


def test_checkpoints_split_model_optimizer_and_others() -> None:
    pickled = _p(
        _dict(
            ("epoch", _int(3)),
            ("state_dict", _dict(("w", _tensor()))),
            ("optimizer", _dict(("m", _tensor(storage=_storage("1"))))),
            ("ema", _tensor(storage=_storage("2"))),
            (str(7), b"K\x07"),
        )
    )
    found = _read(pickled)
    assert found.model_key == "state_dict"
    assert [t.name for t in found.tensors] == ["w"]
    assert [t.name for t in found.optimizer] == ["optimizer.m"]
    assert [t.name for t in found.others] == ["ema"]
    assert found.optimizer_elements == 12
    only_optimizer = _read(_p(_dict(("optimizer", _dict(("m", _tensor()))))))
    assert only_optimizer.model_key is None
    assert [t.name for t in only_optimizer.optimizer] == ["optimizer.m"]
    flat = _read(_p(_dict(("model", _tensor()))))  # a state_dict with a tensor named "model"
    assert (flat.model_key, [t.name for t in flat.tensors]) == (None, ["model"])


def test_names_of_lists_tuples_odd_keys_and_objects() -> None:
    odd_keys = b"}(" + _int(1) + _tensor() + _tuple(_int(1)) + _tensor() + b"u"
    big_key = b"}(" + b"\x8a\x09" + bytes(8) + b"\x01" + _tensor() + b"u"
    holder = _global("mylib", "Holder") + b")\x81" + _dict(("w", _tensor())) + b"b"
    pickled = _p(_tuple(b"]" + b"(" + _tensor() + b"e", odd_keys, big_key, holder))
    found = _read(pickled)
    assert [t.name for t in found.tensors] == ["0.0", "1.1", "1.?", "2.?", "3.1.w"]
    assert found.warnings == (
        "unpickling would import mylib.Holder (not a known-safe global; nothing was run)",
    )


def _module(cls: bytes, parameters: bytes, *, extra: bytes = b"") -> bytes:
    return (
        cls
        + b")\x81}("
        + _text("training")
        + b"\x88"
        + _text("_parameters")
        + parameters
        + _text("_buffers")
        + b"N"
        + _text("_modules")
        + b"N"
        + _text("kernel_size")
        + _tuple(_int(3))
        + _text("weird")
        + b"}"
        + _int(5)
        + _text("x")
        + extra
        + b"ub"
    )


def test_a_module_with_a_missing_parameter_and_odd_containers() -> None:
    linear = _global("torch.nn.modules.linear", "Linear")
    pickled = _p(_module(linear, _dict(("weight", _tensor()), ("bias", b"N"))))
    found = _read(pickled)
    assert [(m.path, m.cls, m.attributes) for m in found.modules] == [
        ("", "torch.nn.modules.linear.Linear", {"kernel_size": [3]})
    ]
    assert [(t.name, t.role) for t in found.tensors] == [("weight", "parameter")]


def test_torchscript_objects_take_roles_from_code() -> None:
    code = (
        'class Net(Module):\n  __parameters__ = ["w", ]\n  __buffers__ = ["b", ]\n'
        "  training : bool\n  size : Final[int] = 3\n"
        "class Other(Module):\n  __parameters__ = []\n"
    )  # fmt: skip
    child = _global("__torch__", "Other") + b")\x81" + _dict(("v", _tensor())) + b"b"
    net = _dict(("w", _tensor()), ("b", _tensor()), ("child", child), ("n", _int(1)))
    pickled = _p(_global("__torch__", "Net") + b")\x81" + net + b"b")
    members = {"data/0": bytes(48), "code/__torch__.py": code.encode(), "constants.pkl": b""}
    found = read_torch_bytes(_zip(pickled, **members))
    assert found.format == "torchscript"
    assert [(t.name, t.role) for t in found.tensors] == [
        ("w", "parameter"), ("b", "buffer"), ("child.v", None)
    ]  # fmt: skip
    assert [(m.path, m.attributes) for m in found.modules] == [
        ("", {"n": 1, "size": 3}),
        ("child", {}),
    ]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("True", True), ("False", False), ("None", None), ("-3", -3), ("0.", 0.0),
        ("1e-05", 1e-05), ('"LSTM"', "LSTM"), ("(3, 1)", [3, 1]), ("()", []),
        ("__torch__.Thing", "__torch__.Thing"),
    ],
)  # fmt: skip
def test_torchscript_constants(text: str, value: object) -> None:
    assert torch_pickle._literal(text) == value  # noqa: SLF001


def test_legacy_files_are_checked() -> None:
    good = (DATA / "tagger-legacy.pt").read_bytes()
    first = _p(b"\x8a\x0a" + torch_pickle._LEGACY_MAGIC.to_bytes(10, "little"))  # noqa: SLF001
    header = first + _p(b"M\xe9\x03") + _p(b"}")
    assert read_torch_bytes(good).format == "legacy"
    cases = {
        first + _p(b"K\x01"): "legacy torch file with protocol 1,",
        first + _p(b")"): "legacy torch file with protocol tuple,",
        header + _p(_dict(("w", _tensor()))) + _p(b"K\x01"): "storage keys must be a list",
        header + _p(_dict(("w", _tensor()))) + _p(b"]"): "storage '0' is missing",
        header + _p(_dict(("w", _tensor()))) + _p(b"](" + _text("0") + b"e") + bytes(50): (
            "legacy torch file truncated: its storages need 56 bytes, 50 remain"
        ),
    }
    for content, match in cases.items():
        with pytest.raises(InvalidSpecError, match=match):
            read_torch_bytes(content)
    fits = header + _p(_dict(("w", _tensor()))) + _p(b"](" + _text("0") + b"e") + bytes(56)
    assert read_torch_bytes(fits).params == 12


# -- hostile pickles ---------------------------------------------------------------------------


def _bomb_of_references(levels: int) -> bytes:
    """Each level a tuple of the previous one twice: 2**levels paths, a few bytes each."""
    body = b")q\x000"
    for level in range(levels):
        body += b"h" + bytes([level]) + b"h" + bytes([level]) + b"\x86q" + bytes([level + 1]) + b"0"
    return _p(body + b"h" + bytes([levels]))


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "not a PyTorch file"),
        (b"\x00GARBAGE", "not a PyTorch file: it starts with b'\\\\x00GAR'"),
        (b"GARBAGE!", "not a readable PyTorch file"),
        (b"\x80\x02\xff", "not a readable PyTorch file: ValueError"),
        (b"S'\\o'\n.", "not a readable PyTorch file: DeprecationWarning: invalid escape"),
        (b"\x80\x02", "not a readable PyTorch file"),
        (_p(b"\x95" + struct.pack("<Q", 2**60)), "a pickle frame of 1,152,921,504,606,846,976"),
        (_p(b"(" * 200), "nested deeper than 100"),
        (_p(b"K\x01" * 3), "2 values left on the pickle stack at STOP"),
        (b"\x80\x02\x8d" + struct.pack("<Q", 2**62) + b"abc.", "not a readable PyTorch file"),
        (b"\x80\x02B" + struct.pack("<I", 2**31) + b"abc.", "not a readable PyTorch file"),
        (_p(b")" + b"\x85" * 500), "values nested deeper than 100"),
        (_p(b"h\x05"), "memo entry 5 read before it was written"),
        (_p(b"0"), "pickle stack underflow"),
        (_p(b"(0"), "pickle stack underflow"),
        (_p(b"q\x00"), "pickle stack underflow"),
        (_p(b"t"), "pickle MARK missing"),
        (_p(b"K\x01K\x01a"), "adds items to a int, not a list"),
        (_p(b"}(K\x01u"), "SETITEMS with an odd number of items"),
        (_p(b"](K\x01\x90"), "adds items to a list, not a _Object"),
        (_p(b"(o"), "pickle OBJ without a class"),
        (_p(b"K\x01K\x02\x93"), "STACK_GLOBAL needs two strings"),
        (_p(b"\x97"), "pickle opcode NEXT_BUFFER is not read"),
        (_p(_tuple(_text("storage"), _int(1)) + b"Q"), "a storage persistent id needs"),
        (_p(_storage(kind="NotAStorage")), "not understood: torch.NotAStorage, '0', 'cpu', 12$"),
        (
            _p(
                _tuple(
                    _text("storage"),
                    _int(1),
                    _text("0"),
                    _text("c"),
                    b"\x8a\x09" + bytes(8) + b"\x01",
                )
                + b"Q"
            ),
            "not understood: 1, '0', 'c', int$",
        ),
        (_p(_storage(numel=-1)), "type, key or numel not understood"),
        (_p(_tuple(_text("storage"), _int(1), _text("0"), _text("cpu"), _int(1)) + b"Q"), "type"),
        (_p(_global("torch._utils", "_rebuild_tensor_v2") + _tuple(_int(1)) + b"R"), "without"),
        (_p(_tensor(shape=(3,), stride=(4, 1))), "at most 32 sizes below 2\\*\\*63"),
        (_p(_tensor(shape=(1,) * 33, stride=(1,) * 33)), "got tuple of 33"),
        (_p(_tensor(shape=(-3, 4))), "below 2\\*\\*63"),
        (_p(_tensor(extra=b"", shape=(3, 4), stride=(4, 1), offset=1)), "does not fit"),
        (_p(_tensor(shape=(13,), stride=(1,))), "shape \\[13\\] at offset 0 does not fit"),
        (_p(_global("torch._utils", "_rebuild_tensor_v2") + b"K\x01R"), "pickle OBJ|^$|.*"),
        (
            _p(_global("torch._utils", "_rebuild_tensor_v3") + _tuple(_storage()) + b"R"),
            "a tensor's dtype must be a torch dtype, got NoneType",
        ),
        (
            _p(_global("torch._utils", "_rebuild_meta_tensor_no_storage") + _tuple(_int(1)) + b"R"),
            "pickle OBJ|^$|.*",
        ),
    ],
    ids=lambda v: v[:40] if isinstance(v, bytes) else v,
)
def test_a_hostile_pickle_is_refused(content: bytes, match: str) -> None:
    if match == "pickle OBJ|^$|.*":  # a tensor rebuilt from a non-tuple is just a record
        assert read_torch_bytes(content).tensors == ()  # a record, as any unknown call
        return
    with pytest.raises(InvalidSpecError, match=match):
        read_torch_bytes(content)


@pytest.mark.parametrize(
    ("cap", "value", "content", "match"),
    [
        ("MAX_OPCODES", 10, _p(b"K\x01" * 20), "more than 10 pickle opcodes"),
        ("MAX_MEMO", 3, _p(b"K\x01q\x00q\x01q\x02q\x03"), "more than 3 pickle memo entries"),
        ("MAX_STACK", 3, _p(b"K\x01" * 6), "a stack over 3"),
        ("MAX_TENSORS", 1, _p(_tuple(_tensor(), _tensor())), "more than 1 tensors"),
        ("MAX_VISITS", 10_000, _bomb_of_references(60), "reached more than 10,000 times"),
    ],
)
def test_a_pickle_over_a_cap_is_refused(
    monkeypatch: pytest.MonkeyPatch, cap: str, value: int, content: bytes, match: str
) -> None:
    monkeypatch.setattr(torch_pickle, cap, value)
    with pytest.raises(InvalidSpecError, match=match):
        read_torch_bytes(content)


def test_zip_archives_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    state = _p(_dict(("w", _tensor())))
    with pytest.raises(InvalidSpecError, match="has 0 bytes"):
        read_torch_bytes(_zip(state))
    with pytest.raises(InvalidSpecError, match=r"holds 12 float32 \(48 bytes\) .* 47 bytes"):
        read_torch_bytes(_zip(state, **{"data/0": bytes(47)}))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/other.pkl", state)
    with pytest.raises(InvalidSpecError, match=r"a zip archive without data\.pkl"):
        read_torch_bytes(buffer.getvalue())
    monkeypatch.setattr(torch_pickle, "MAX_PICKLE_BYTES", 10)
    with pytest.raises(InvalidSpecError, match=r"archive/data\.pkl is larger than the 10 bytes"):
        read_torch_bytes(_zip(state, **{"data/0": bytes(48)}))
    monkeypatch.setattr(torch_pickle, "MAX_MEMBERS", 2)
    with pytest.raises(InvalidSpecError, match="3 zip members, more than the 2 read"):
        read_torch_bytes(_zip(state, **{"data/0": bytes(48)}))


def test_a_corrupt_compressed_member_is_one_error() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("archive/data.pkl", _p(_dict(("w", _text("x" * 1000)))))
    content = bytearray(buffer.getvalue())
    content[60:70] = bytes(10)  # inside the deflated data
    with pytest.raises(InvalidSpecError, match=r"cannot read archive/data\.pkl from the archive"):
        read_torch_bytes(bytes(content))


def test_torchscript_code_is_read_within_its_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch_pickle, "MAX_CODE_BYTES", 100)
    with pytest.raises(InvalidSpecError, match="TorchScript code larger than the 100 bytes"):
        read_torch_file(DATA / "tagger-torchscript.pt")


def test_a_missing_file_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidSpecError, match="cannot read: No such file"):
        read_torch_file(tmp_path / "missing.pt")
    with pytest.raises(InvalidSpecError, match="cannot read: No such file"):
        read_onnx_file(tmp_path / "missing.onnx")


@pytest.mark.parametrize("record", TORCH, ids=_ids(TORCH))
def test_a_truncated_pickle_is_refused_at_every_cut(record: dict[str, Any]) -> None:
    path = DATA / record["file"]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            (name,) = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            pickled = archive.read(name)
        cuts = range(0, len(pickled) - 1, max(1, len(pickled) // 40))
        for cut in cuts:
            with pytest.raises(InvalidSpecError):
                read_torch_bytes(_zip(pickled[:cut]))
    else:
        content = path.read_bytes()
        for cut in range(1, content.index(b".\x80\x02]"), max(1, len(content) // 80)):
            with pytest.raises(InvalidSpecError):
                read_torch_bytes(content[:cut])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([r["file"] for r in INDEX["records"]]),
    st.lists(st.tuples(st.integers(0, 2**20), st.integers(0, 255)), min_size=1, max_size=8),
)
def test_a_mutated_file_is_read_or_refused(name: str, changes: list[tuple[int, int]]) -> None:
    data = bytearray((DATA / name).read_bytes())
    if zipfile.is_zipfile(DATA / name) and name.endswith(".pt"):
        with zipfile.ZipFile(DATA / name) as archive:
            (member,) = [n for n in archive.namelist() if n.endswith("/data.pkl")]
            data = bytearray(archive.read(member))
    for offset, value in changes:
        data[offset % len(data)] = value
    reader = read_onnx_bytes if name.endswith(".onnx") else read_torch_bytes
    with contextlib.suppress(InvalidSpecError):
        reader(bytes(data))


# -- ONNX wire format ----------------------------------------------------------------------------


def _varint(value: int) -> bytes:
    out = bytearray()
    value &= 2**64 - 1
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _field(number: int, value: int | bytes | str, wire: int | None = None) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3 | (0 if wire is None else wire)) + _varint(value)
    payload = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _graph(*fields: bytes) -> bytes:
    return _field(1, 8) + _field(2, "maker") + _field(7, b"".join(fields))


def _attr(name: str, *fields: bytes) -> bytes:
    return _field(5, _field(1, name) + b"".join(fields))


def test_hand_made_onnx_with_every_field() -> None:
    packed_dims = _field(1, _varint(2) + _varint(3))
    tensor = _field(1, 4) + _field(1, 2) + _field(2, 1) + _field(8, "W") + _field(14, 1)
    tensor += _field(13, _field(1, "location") + _field(2, "w.bin")) + _field(99, 5)
    raw = packed_dims + _field(2, 1) + _field(8, "B") + _field(9, bytes(24))
    text = _field(1, 2) + _field(2, 8) + _field(8, "S") + _field(9, b"ab")
    node = (
        _field(1, "X") + _field(1, "W") + _field(1, "R") + _field(1, "") + _field(1, "")
        + _field(1, "") + _field(1, "") + _field(1, "P") + _field(2, "Y") + _field(3, "lstm")
        + _field(4, "LSTM") + _field(7, "ai.onnx") + _field(6, "doc")
        + _attr("hidden_size", _field(3, 5), _field(20, 2))
        + _attr("clip", _field(2, struct.pack("<f", 0.5)[:0] or b"", 5)[:0]
                + _varint(2 << 3 | 5) + struct.pack("<f", 0.5), _field(20, 1))
        + _attr("activations", _field(9, "Tanh"), _field(9, "Relu"), _field(20, 8))
        + _attr("alphas", _field(7, struct.pack("<2f", 1.0, 2.0)), _field(20, 6))
        + _attr("betas", _varint(7 << 3 | 5) + struct.pack("<f", 3.0), _field(20, 6))
        + _attr("ints", _field(8, _varint(1) + _varint(2**64 - 1)), _field(20, 7))
        + _attr("one", _field(8, 4), _field(20, 7))
        + _attr("direction", _field(4, "reverse"))
        + _attr("empty", _field(20, 2))
        + _attr("tensor", _field(5, b""), _field(20, 4))
        + _attr("untyped")
        + _attr("odd", _field(99, 1))
    )  # fmt: skip
    gru = _field(1, "X") + _field(1, "W2") + _field(4, "GRU") + _attr("hidden_size", _field(4, "x"))
    relu = _field(4, "Relu")
    value_info = _field(1, "X") + _field(2, b"\x0a\x00")
    model = read_onnx_bytes(
        _graph(
            _field(5, tensor), _field(5, raw), _field(5, text), _field(1, node), _field(1, gru),
            _field(1, relu), _field(11, value_info), _field(12, _field(3, "no name")),
            _field(2, "graph"), _field(15, b""),
        )
    )  # fmt: skip
    assert model.initializers == (
        OnnxTensor("W", (4, 2), 1, external=True),
        OnnxTensor("B", (2, 3), 1),
        OnnxTensor("S", (2,), 8),
    )
    assert [t.dtype for t in model.initializers] == ["float32", "float32", "string"]
    assert OnnxTensor("Q", (), 99).dtype == "type 99"
    assert model.params == 8 + 6 + 2
    assert (model.ir_version, model.producer, model.inputs, model.outputs) == (
        8,
        "maker",
        ("X",),
        ("",),
    )
    assert model.nodes[0] == OnnxNode(
        "lstm",
        "LSTM",
        ("X", "W", "R", "", "", "", "", "P"),
        ("Y",),
        {
            "hidden_size": 5, "clip": 0.5, "activations": ["Tanh", "Relu"], "alphas": [1.0, 2.0],
            "betas": [3.0], "ints": [1, -1], "one": [4], "direction": "reverse", "empty": 0,
            "tensor": None, "untyped": None, "odd": None,
        },
        "ai.onnx",
    )  # fmt: skip
    lstm, gru_node = model.recurrent()
    assert (lstm.hidden_size, lstm.direction, lstm.W, lstm.R, lstm.B, lstm.P) == (
        5, "reverse", "W", "R", None, "P"
    )  # fmt: skip
    assert (gru_node.hidden_size, gru_node.direction, gru_node.R, gru_node.P) == (
        None, "forward", None, None
    )  # fmt: skip
    assert gru_node.linear_before_reset == 0


def test_an_onnx_model_without_a_graph() -> None:
    assert read_onnx_bytes(_field(1, 9) + _field(6, "doc")) == OnnxModel((), (), ir_version=9)


def test_an_empty_onnx_file(tmp_path: Path) -> None:
    (tmp_path / "empty.onnx").write_bytes(b"")
    with pytest.raises(InvalidSpecError, match="an empty file is not an ONNX model"):
        read_onnx_file(tmp_path / "empty.onnx")


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"\x08", "a varint cut off at byte 1"),
        (b"\x08" + b"\xff" * 10 + b"\x01", "a varint longer than 10 bytes"),
        (b"\x08" + b"\xff" * 9 + b"\x7f", "over 64 bits"),
        (b"\x0b", "protobuf field 1 has wire type 3"),
        (b"\x02\x00", "protobuf field 0 has wire type 2"),
        (b"\x3a\x05ab", "protobuf field 7: length 5 at byte 2 beyond the 2 bytes left"),
        (_field(7, 3), "ModelProto.graph with wire type 0"),
        (b"\x39" + bytes(8), "ModelProto.graph with wire type 1"),
        (_field(2, b"x" * 70000), "producer_name of 70,000 bytes"),
        (_graph(_field(5, 1)), "GraphProto field 5 with wire type 0"),
        (_graph(_field(1, _field(4, 3))), "NodeProto field 4 with wire type 0"),
        (_graph(_field(5, _field(1, 1) * 33)), "more than 32 dims"),
        (_graph(_field(5, _field(1, 2**64 - 1))), "dims must be >= 0"),
        (_graph(_field(5, _field(1, 2**40) * 2)), "fewer than 2\\*\\*63 elements"),
        (_graph(_field(5, _field(1, b"\x80"))), "a varint cut off"),
        (_graph(_field(5, _varint(1 << 3 | 5) + bytes(4))), "a repeated integer with wire type 5"),
        (_graph(_field(5, _field(1, 3) + _field(2, 1) + _field(9, bytes(8)))), "raw_data has 8"),
        (_graph(_field(1, _attr("a", _field(7, bytes(3))))), "packed floats of 3 bytes"),
        (_graph(_field(1, _attr("a", _field(2, 3)))), "a float attribute with wire type 0"),
        (_graph(_field(1, _attr("a", _field(4, 3)))), "attribute 'a''s string with wire type 0"),
    ],
    ids=lambda v: v[:30] if isinstance(v, bytes) else v,
)
def test_hostile_onnx_is_refused(content: bytes, match: str) -> None:
    with pytest.raises(InvalidSpecError, match=match):
        read_onnx_bytes(content)


@pytest.mark.parametrize(
    ("cap", "value", "content", "match"),
    [
        ("MAX_FIELDS", 5, _graph(*[_field(2, "g")] * 5), "more than 5 protobuf fields"),
        ("MAX_NODES", 1, _graph(_field(1, b""), _field(1, b"")), "more than 1 nodes"),
        ("MAX_TENSORS", 1, _graph(_field(5, b""), _field(5, b"")), "more than 1 initializers"),
    ],
)
def test_onnx_over_a_cap_is_refused(
    monkeypatch: pytest.MonkeyPatch, cap: str, value: int, content: bytes, match: str
) -> None:
    monkeypatch.setattr(onnx_proto, cap, value)
    with pytest.raises(InvalidSpecError, match=match):
        read_onnx_bytes(content)


# -- live: save with torch, read without it --------------------------------------------------

REQUIRED = {name for name in os.environ.get("LSTM_PARAMS_REQUIRE", "").split(",") if name}


def _framework(module: str) -> Any:  # noqa: ANN401 - a module, untyped
    """The framework, or a skip; a failure if LSTM_PARAMS_REQUIRE names it (as CI does)."""
    if module in REQUIRED:
        return importlib.import_module(module)
    return pytest.importorskip(module)


@pytest.mark.conformance
def test_live_torch_files_read_as_torch_counts(tmp_path: Path) -> None:
    torch = _framework("torch")
    nn = torch.nn
    torch.manual_seed(5)
    model = nn.Sequential(
        nn.Embedding(11, 5), nn.LSTM(5, 7, num_layers=3, proj_size=2), nn.GRUCell(3, 4)
    )
    model[0].weight.requires_grad_(requires_grad=False)
    expected = sum(p.numel() for p in model.parameters())
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    for name, obj, options in [
        ("state.pt", model.state_dict(), {}),
        ("legacy.pt", model.state_dict(), {"_use_new_zipfile_serialization": False}),
        ("module.pt", model, {}),
        ("half.pt", model.half().state_dict(), {}),
    ]:
        torch.save(obj, tmp_path / name, **options)
        found = read_torch_file(tmp_path / name)
        assert found.params == expected, name
        assert found.shapes() == shapes, name
    assert read_torch_file(tmp_path / "module.pt").trainable == expected - 55
    assert {t.dtype for t in read_torch_file(tmp_path / "half.pt").tensors} == {"float16"}


@pytest.mark.conformance
def test_live_onnx_exports_read_as_onnx_does(tmp_path: Path) -> None:
    torch = _framework("torch")
    onnx = _framework("onnx")
    for module, inputs in [
        (torch.nn.LSTM(3, 5, num_layers=2, bidirectional=True), 3),
        (torch.nn.GRU(2, 3, bias=False), 2),
        (torch.nn.RNN(4, 2, nonlinearity="relu"), 4),
    ]:
        path = tmp_path / "model.onnx"
        with warnings.catch_warnings():  # the legacy exporter's deprecation and batch warnings
            warnings.simplefilter("ignore")
            torch.onnx.export(module, (torch.randn(2, 1, inputs),), path, dynamo=False)
        model = read_onnx_file(path)
        expected = onnx.load_model(path)
        assert [(t.name, list(t.dims)) for t in model.initializers] == [
            (t.name, list(t.dims)) for t in expected.graph.initializer
        ]
        assert model.params == sum(p.numel() for p in module.parameters())
        hidden = [r.hidden_size for r in model.recurrent()]
        assert hidden == [module.hidden_size] * module.num_layers


@pytest.mark.conformance
def test_live_torchscript_and_checkpoints(tmp_path: Path) -> None:
    torch = _framework("torch")
    nn = torch.nn

    class Two(nn.Module):  # type: ignore[misc,name-defined]  # torch is untyped here
        def __init__(self) -> None:
            super().__init__()
            self.a = nn.LSTM(3, 4)
            self.b = nn.LSTM(4, 2, bidirectional=True)  # another class: ___torch_mangle_0.LSTM
            self.norm = nn.BatchNorm1d(4)

        def forward(self, x: Any) -> Any:  # noqa: ANN401 - torch.Tensor, untyped here
            y, _ = self.a(x)
            z, _ = self.b(y)  # the norm only brings its buffers
            return z

    model = Two()
    params = sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for b in model.buffers())
    with warnings.catch_warnings():  # torch.jit.trace and torch.jit.save are deprecated
        warnings.simplefilter("ignore")
        torch.jit.save(torch.jit.trace(model, torch.randn(2, 1, 3)), tmp_path / "script.pt")
    found = read_torch_file(tmp_path / "script.pt")
    assert (found.format, found.params, found.buffers) == ("torchscript", params, buffers)
    assert found.modules[2].cls == "__torch__.torch.nn.modules.rnn.___torch_mangle_0.LSTM"
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(torch.randn(2, 1, 3)).sum().backward()
    optimizer.step()
    checkpoint = {"net": model.state_dict(), "optim": optimizer.state_dict(), "epoch": 1}
    torch.save(checkpoint, tmp_path / "checkpoint.pt")
    found = read_torch_file(tmp_path / "checkpoint.pt")
    assert (found.model_key, found.params, found.buffers) == ("net", params, buffers)
    # a momentum buffer per parameter that had a gradient: not the unused norm's 4 + 4
    assert found.optimizer_elements == params - 8
