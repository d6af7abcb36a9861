"""Issue 10: files and names from strangers, every promise kept in bounded time and memory.

Each class of hostile input is answered by one ``InvalidFileError`` of one line
naming the file, from the API and from the command line, within 5 s and 512 MiB
(a child process under ``RLIMIT_AS``). The files in ``data/hostile`` are the
shared sample of the issue (``../shared/cases/hostile``); the others are made
here, one per class.
"""

from __future__ import annotations

import io
import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstm_params
from lstm_params import (
    InvalidFileError,
    InvalidSpecError,
    LayerSpec,
    count_macs,
    format_bytes,
    from_keras_config,
    from_shapes,
    inspect_file,
    summary,
    summary_from_dict,
    summary_from_file,
)
from lstm_params._cli import main
from lstm_params._memory import format_count
from lstm_params._readers import _safe
from lstm_params._readers.safetensors import summary_from_header
from lstm_params._render.table import NAME_WIDTH, printable

if TYPE_CHECKING:
    from collections.abc import Callable

HOSTILE = Path(__file__).parent / "data" / "hostile"
SRC = Path(lstm_params.__file__).parent.parent
BROKEN = sorted(p for p in HOSTILE.iterdir() if not p.name.endswith("_spoof.json"))
SPOOFS = sorted(HOSTILE.glob("*_spoof.json"))
INPUT = {"class_name": "InputLayer", "config": {"batch_shape": [None, 16, 8]}}
LSTM = {"class_name": "LSTM", "config": {"name": "lstm", "units": 4}}


def keras(*layers: object) -> bytes:
    return json.dumps({"class_name": "Sequential", "config": {"layers": list(layers)}}).encode()


def safetensors(header: object, data: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def tensor(start: int, end: int, shape: list[int] | None = None) -> dict[str, object]:
    return {"dtype": "F32", "shape": shape or [(end - start) // 4], "data_offsets": [start, end]}


def archive(content: bytes, method: int = zipfile.ZIP_DEFLATED, name: str = "config.json") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as out:
        out.writestr(name, content)
    return buffer.getvalue()


def zip64(data: bytes, entries: int, *, locator_offset: int | None = None) -> bytes:
    """``data`` (a one-member zip) with ZIP64 end records claiming ``entries``."""
    end = data.rfind(b"PK\x05\x06")
    directory, offset = struct.unpack_from("<II", data, end + 12)
    record = struct.pack(
        "<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, directory, offset
    )
    where = end if locator_offset is None else locator_offset
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, where, 1)
    tail = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return data[:end] + record + locator + tail


def nested_time_distributed(depth: int) -> dict[str, object]:
    layer: dict[str, object] = {"class_name": "Dense", "config": {"name": "d", "units": 2}}
    for level in range(depth):
        layer = {"class_name": "TimeDistributed", "config": {"name": f"t{level}", "layer": layer}}
    return layer


def _second(data: bytes, old: bytes, new: bytes) -> bytes:
    at = data.find(old, data.find(old) + 1)
    return data[:at] + new + data[at + len(new) :]


def _flag(data: bytes, bits: int) -> bytes:
    at = data.rfind(b"PK\x01\x02")
    return data[: at + 8] + struct.pack("<H", bits) + data[at + 10 :]


def _method(data: bytes, method: int) -> bytes:
    at = data.rfind(b"PK\x01\x02")
    return data[: at + 10] + struct.pack("<H", method) + data[at + 12 :]


def generated() -> dict[str, bytes]:
    """One file per class of the issue, each a broken file of that class."""
    one = archive(keras(INPUT, LSTM))
    end = one.rfind(b"PK\x05\x06")
    many = one[: end + 8] + struct.pack("<HH", 60_000, 60_000) + one[end + 12 :]
    wide = one[: end + 12] + struct.pack("<I", 2**30) + one[end + 16 :]
    name = "x" * (2 * 2**20)
    bad_name = _flag(archive(keras(INPUT, LSTM), name="configX.json"), 0x800)
    return {
        "many_entries.keras": many,
        "wide_directory.keras": wide,
        "compressed_too_large.keras": _sizes(one, compressed=2**26),
        "ffff_without_zip64.keras": one[: end + 8] + b"\xff\xff\xff\xff" + one[end + 12 :],
        "zip64_without_record.keras": zip64(one, 10**9).replace(b"PK\x06\x06", b"PK\x06\x00"),
        "zip64_entries.keras": zip64(one, 10**9, locator_offset=0),
        "tiny_end_record.keras": b"PK\x03\x04"
        + struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 22, 0, 0),
        "nested_lists_bzip2.keras": archive(b"[" + b"[]," * 1_400_000 + b"[]]", zipfile.ZIP_BZIP2),
        "liar_bzip2.keras": _lie(archive(b"[" + b"[]," * 400_000 + b"[]]", zipfile.ZIP_BZIP2)),
        "entry_name.keras": bad_name.replace(b"configX.json", b"config\xff.json"),
        "deep_time_distributed.json": (
            b'{"class_name": "Sequential", "config": {"layers": ['
            + json.dumps(INPUT).encode()
            + b", "
            + b'{"class_name": "TimeDistributed", "config": {"layer": ' * 490
            + json.dumps(LSTM).encode()
            + b"}}" * 490
            + b"]}}"
        ),
        "many_cells.json": keras(
            INPUT,
            {
                "class_name": "RNN",
                "config": {"cell": [{"class_name": "LSTMCell", "config": {"units": 2}}] * 20_000},
            },
        ),
        "huge_digits.json": keras(INPUT, {"class_name": "LSTM", "config": {"units": 0}}).replace(
            b'"units": 0', b'"units": ' + b"9" * 5000
        ),
        "huge_index.safetensors": safetensors(
            {
                "x.weight_ih_l0": tensor(0, 16, [4, 1]),
                "x.weight_hh_l0": tensor(16, 32, [4, 1]),
                f"x.weight_ih_l{'9' * 5000}": tensor(32, 48, [4, 1]),
            },
            bytes(48),
        ),
        "hole.safetensors": safetensors({"a": tensor(0, 4), "b": tensor(8, 12)}, bytes(12)),
        "late_start.safetensors": safetensors({"a": tensor(4, 8)}, bytes(8)),
        "short_end.safetensors": safetensors({"a": tensor(0, 4)}, bytes(8)),
        "dims_2_64.safetensors": safetensors(
            {"a": {"dtype": "F32", "shape": [2**64, 0], "data_offsets": [0, 0]}}
        ),
        "offset_2_64.safetensors": safetensors(
            {"a": {"dtype": "F32", "shape": [0], "data_offsets": [2**64, 2**64]}}
        ),
        "nan.safetensors": safetensors({"a": tensor(0, 4)}).replace(b"[1]", b"[NaN]"),
        "metadata.safetensors": safetensors({"__metadata__": {"a": 1}}),
        "list_dtype.safetensors": safetensors(
            {"a": {"dtype": ["F32"], "shape": [1], "data_offsets": [0, 4]}}, bytes(4)
        ),
        "list_merge_mode.json": keras(
            INPUT,
            {"class_name": "Bidirectional", "config": {"merge_mode": ["sum"], "layer": LSTM}},
        ),
        "long_tensor_name.safetensors": safetensors({name: tensor(0, 4)}, bytes(4)),
        "long_layer_name.json": keras(INPUT, {"class_name": "LSTM", "config": {"name": name}}),
        "long_class_name.json": keras(INPUT, {"class_name": name + "\x1b[31m\n", "config": {}}),
        "many_huge_dims.safetensors": safetensors(
            {"a": {"dtype": "F32", "shape": [2**63] * 200_000, "data_offsets": [0, 0]}}
        ),
        "many_values.safetensors": safetensors({"a": {"dtype": "F32", "shape": [1] * 1_100_000}}),
        "deep.json": b'{"layers": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        "big.toml": b"# " + b"x" * (2**20 + 10),
    }


def _sizes(data: bytes, *, compressed: int) -> bytes:
    """``data`` whose central directory claims ``compressed`` bytes for its member."""
    at = data.rfind(b"PK\x01\x02")
    return data[: at + 20] + struct.pack("<I", compressed) + data[at + 24 :]


def _lie(data: bytes) -> bytes:
    """An archive whose member claims 1,000 bytes in both of its headers."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("config.json")
    real = struct.pack("<I", info.file_size)
    return data.replace(real, struct.pack("<I", 1000))


GENERATED = generated()


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def read(path: Path) -> object:
    return (summary_from_file if path.suffix == ".toml" else inspect_file)(path)


def run_limited(*argv: str) -> subprocess.CompletedProcess[str]:
    """The command line in a child process with 512 MiB of address space and 5 s."""
    code = (
        "import resource, sys; limit = 512 * 2**20; "
        "resource.setrlimit(resource.RLIMIT_AS, (limit, limit)); "
        "from lstm_params._cli import main; sys.exit(main(sys.argv[1:]))"
    )
    environment = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(  # noqa: S603 - this interpreter, our own code
        [sys.executable, "-c", code, *argv],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
        env=environment,
    )


def assert_one_line(message: str, path: Path) -> None:
    assert "\n" not in message
    assert len(message) <= 300
    assert message.startswith(f"{path}: ")
    assert message.isprintable()


CLASSES = [*((p.name, p.read_bytes()) for p in BROKEN), *GENERATED.items()]


@pytest.mark.parametrize(("name", "content"), CLASSES, ids=[name for name, _ in CLASSES])
def test_each_hostile_class_is_one_line_from_the_api(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = write(tmp_path, name, content)
    with pytest.raises(InvalidFileError) as raised:
        read(path)
    assert_one_line(str(raised.value), path)


@pytest.mark.parametrize(("name", "content"), CLASSES, ids=[name for name, _ in CLASSES])
def test_each_hostile_class_is_one_line_from_the_cli_in_bounds(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = write(tmp_path, name, content)
    done = run_limited("summary" if name.endswith(".toml") else "inspect", str(path))
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.count("\n") == 1
    assert_one_line(done.stderr.removeprefix("lstm-params: error: ").rstrip("\n"), path)


POSIX = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and /dev are POSIX")


@POSIX
@pytest.mark.parametrize("special", ["fifo", "/dev/zero", "/dev/urandom", "directory"])
def test_only_regular_files_are_read(tmp_path: Path, special: str) -> None:
    path = Path(special)
    if special == "fifo":
        path = tmp_path / "pipe.keras"
        os.mkfifo(path)
    elif special == "directory":
        path = tmp_path
    with pytest.raises(InvalidFileError, match=r"not a regular file|Is a directory") as raised:
        inspect_file(path)
    assert_one_line(str(raised.value), path)
    with pytest.raises(InvalidFileError, match=r"not a regular file|Is a directory"):
        summary_from_file(path)
    done = run_limited("summary", str(path))
    assert (done.returncode, done.stderr.count("\n")) == (2, 1)


@pytest.mark.parametrize("spoof", SPOOFS, ids=[p.name for p in SPOOFS])
def test_hostile_names_are_rendered_safely(spoof: Path) -> None:
    model = inspect_file(spoof)
    for rendering in (model.to_text(weights=True), model.to_markdown(weights=True)):
        assert "\x1b" not in rendering
        assert "\r" not in rendering
        assert "<!--" not in rendering
        lines = rendering.splitlines()
        rows = [line for line in lines if line.startswith(("lstm", "| lstm", "| ↳", "  "))]
        assert len(rows) == 1 + len(model.layers[0].weights())  # the layer and its tensors
        assert sum(line.startswith(("Total", "| **Total**")) for line in lines) == 1
    assert model.to_dict()["layers"][0]["name"] == model.names[0]  # JSON: the name as it is
    assert model.to_html() == model.table().html("lstm-params-summary")  # HTML: as before
    done = run_limited("inspect", str(spoof), "--format", "markdown")
    assert done.returncode == 0
    assert "<!--" not in done.stdout


def test_the_sanitiser() -> None:
    assert printable("a\u202eb\u200bc\u2028d\ud800e") == "a\\u202eb\\u200bc\\u2028d\\ud800e"
    assert printable("\U000e0001") == "\\U000e0001"
    assert printable("日本語 names") == "日本語 names"
    cut = printable("é" * 1000)
    assert (len(cut), cut[-1]) == (NAME_WIDTH, "…")
    assert printable("abc", width=0) == "…"


def test_markdown_escapes_markup_and_html() -> None:
    names = ["a|b", "<!-- x", "`c`", "*d*", "_e_", "[f](g)", "h&i", "lstm_params"]
    model = summary([LayerSpec("dense", 1, 2)] * len(names), names=names)
    markdown = model.to_markdown()
    for escaped in [
        "a\\|b",
        "\\\\x3c!-- x",
        "\\`c\\`",
        "\\*d\\*",
        "\\_e\\_",
        "\\[f\\](g)",
        "h&amp;i",
    ]:
        assert escaped in markdown
    assert "lstm_params (Dense)" in markdown
    assert len(markdown.splitlines()) == 2 + len(names) + 1 + 2


def test_text_widths_are_capped() -> None:
    model = summary([LayerSpec("dense", 1, 2)], names=["n" * 10**6])
    assert max(len(line) for line in str(model).splitlines()) < 2 * NAME_WIDTH
    huge = summary([LayerSpec("dense", 10**30, 10**30)])
    assert "1.00e+60" in str(huge)
    assert "1.00e+30" in huge.to_markdown()


def test_reads_are_capped() -> None:
    with pytest.raises(InvalidSpecError, match="the thing is over the 1 bytes read"):
        _safe.read_capped(io.BytesIO(b"xx"), 1, "thing")


def test_json_is_counted_before_it_is_parsed() -> None:
    with pytest.raises(InvalidSpecError, match=r"the text is not valid JSON: Extra data"):
        _safe.loads_json(b"[]" + b"]" * 10**6, "text")  # more closed than opened
    with pytest.raises(InvalidSpecError, match=r"nested too deeply \(more than 100 levels\)"):
        _safe.loads_json('"]]" ' + "[" * 101, "text")  # brackets in strings do not count
    assert _safe.loads_json('["[[[[", "\\"["]', "text") == ["[[[[", '"[']


def test_sizes_print_in_integers_at_any_magnitude() -> None:
    assert format_bytes(10**5000).endswith(" TiB")
    assert format_bytes(1152) == "1.12 KiB"  # 1.125: half to even, as float formatting did
    assert format_count(10**5000 - 1) == "9.99e+4999"


def test_reader_failures_of_any_type_become_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x.bin", b"x")

    def raising(error: BaseException) -> Callable[..., object]:
        def reader(*_: object) -> object:
            raise error

        return reader

    for error, detail in [
        (RecursionError(), "nested too deeply"),
        (MemoryError(), "too large to read within memory"),
        (struct.error("bad"), "error: bad"),
        (EOFError(), "EOFError"),
        (OSError(5, "Input/output error"), "cannot read: Input/output error"),
        (ValueError("x\n" * 10**6), "ValueError: x\\x0ax"),
    ]:
        with pytest.raises(InvalidFileError) as raised:
            _safe.read_file(path, raising(error))
        assert detail in str(raised.value)
        assert_one_line(str(raised.value), path)
    with pytest.raises(TypeError, match=r"path must be a str or os\.PathLike, got int"):
        inspect_file(3)  # type: ignore[arg-type]
    with pytest.raises(InvalidFileError, match="embedded null"):
        inspect_file("a\0b")


def test_a_zip64_archive_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, "model.keras", zip64(archive(keras(INPUT, LSTM)), 1))
    assert inspect_file(path).params == 4 * (4 * (8 + 4 + 1))


@pytest.mark.parametrize(
    "method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
)
def test_every_zip_method_is_inflated_with_a_cap(tmp_path: Path, method: int) -> None:
    config = keras(INPUT, LSTM)
    assert inspect_file(write(tmp_path, "m.keras", archive(config, method))).params == 208
    data = archive(config, method)
    crc = struct.pack("<I", zipfile.ZipFile(io.BytesIO(data)).getinfo("config.json").CRC)
    broken = data.replace(crc, bytes(4))
    with pytest.raises(InvalidFileError, match="or its CRC-32 differs"):
        inspect_file(write(tmp_path, "b.keras", broken))


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d: _second(d, b"PK\x03\x04", b"PK\x03\x05"), "bad local header"),
        (lambda d: _flag(d, 1), "config.json is encrypted"),
        (lambda d: _method(d, 98), "compressed with zip method 98"),
        (lambda d: _method(d, zipfile.ZIP_LZMA), "a bad LZMA header"),
        (lambda d: _sizes(_method(d, zipfile.ZIP_LZMA), compressed=4), "a bad LZMA header"),
        (lambda d: d[:-30], "no end of central directory"),
    ],
)
def test_broken_archive_members(
    tmp_path: Path, change: Callable[[bytes], bytes], match: str
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("metadata.json", "{}")
        out.writestr("config.json", keras(INPUT, LSTM))
    data = buffer.getvalue()
    with pytest.raises(InvalidFileError, match=match):
        inspect_file(write(tmp_path, "m.keras", change(data)))


def test_a_truncated_compressed_member(tmp_path: Path) -> None:
    data = archive(keras(INPUT, LSTM) + b" " * 5000, zipfile.ZIP_BZIP2)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("config.json")
    start = 30 + len("config.json")
    cut = data[: start + info.compress_size // 2] + data[start + info.compress_size :]
    fixed = cut.replace(
        struct.pack("<I", info.compress_size), struct.pack("<I", info.compress_size // 2)
    )
    end = fixed.rfind(b"PK\x05\x06")
    directory, offset = struct.unpack_from("<II", fixed, end + 12)
    moved = offset - (info.compress_size - info.compress_size // 2)
    fixed = fixed[: end + 16] + struct.pack("<I", moved) + fixed[end + 20 :]
    with pytest.raises(InvalidFileError, match=r"inflates to|does not inflate"):
        inspect_file(write(tmp_path, "cut.keras", fixed))
    assert directory > 0


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["compare", "gru", "3", "--input-dim", "2", "--peepholes"], "--peepholes applies to"),
        (["max-units", "99", "--kind", "dense", "--input-dim", "2", "--layers", "2"], "--layers 2"),
        (["dense", "3", "--input-dim", "2", "--peepholes"], "unrecognized arguments: --peepholes"),
        (
            ["macs", "lstm", "3", "--input-dim", "2", "--lengths", "3,2", "--seq-len", "9"],
            "--seq-len 9",
        ),
        (["convlstm", "3", "--input-dim", "2", "--kernel-size", "x3"], "expected K, KxK"),
        (["convlstm", "3", "--input-dim", "2", "--kernel-size", "3x"], "expected K, KxK"),
        (["macs", "lstm", "3", "--input-dim", "2", "--lengths", "3,,2"], "whole numbers"),
        (["lstm", "9" * 5000, "--input-dim", "2"], "at most 30 digits"),
    ],
)
def test_the_cli_speaks_in_flags(
    capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    try:
        status = main(argv)
    except SystemExit as exited:  # argparse's own errors
        status = exited.code  # type: ignore[assignment]
    err = capsys.readouterr().err
    assert status == 2
    assert said in err
    assert err.count("\n") == 1
    assert not any(word in err for word in ("num_layers", "seq_len", "leave it None", "lambda"))


def test_the_cli_writes_what_the_terminal_can_show(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    buffer = io.BytesIO()
    ascii_out = io.TextIOWrapper(buffer, encoding="ascii")
    monkeypatch.setattr(sys, "stdout", ascii_out)
    spoof = HOSTILE / "markdown_spoof.json"
    assert main(["inspect", str(spoof), "--weights", "--format", "markdown"]) == 0
    ascii_out.flush()
    assert b"\\u21b3" in buffer.getvalue()
    assert capsys.readouterr().err == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="/dev/full is Linux's")
def test_a_full_disk_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with Path("/dev/full").open("w", encoding="utf-8") as full:
        monkeypatch.setattr(sys, "stdout", full)
        assert main(["lstm", "3", "--input-dim", "2"]) == 2
    err = capsys.readouterr().err
    assert err == "lstm-params: error: cannot write the output: No space left on device\n"


def test_numpy_sizes() -> None:
    numpy = pytest.importorskip("numpy")
    spec = LayerSpec("lstm", 4, 3)
    assert count_macs(spec, lengths=numpy.array([3, 2])).steps == 5
    shapes = {"a": (numpy.int64(3), numpy.int32(2)), "b": numpy.array([2, 2]).shape}
    assert from_shapes(shapes).params == 3 * 2 + 2
    with pytest.raises(InvalidSpecError, match="the shape must hold sizes"):
        from_shapes({"a": (True, 2)})
    with pytest.raises(InvalidSpecError, match="the shape must hold sizes"):
        from_shapes({"a": ("3",)})  # type: ignore[dict-item]


def test_the_api_refuses_what_a_file_may_not_say() -> None:
    with pytest.raises(InvalidSpecError, match="wrappers nested more than 32 deep"):
        from_keras_config(
            {
                "class_name": "Sequential",
                "config": {"layers": [INPUT, nested_time_distributed(490)]},
            }
        )
    rnn = {"class_name": "RNN", "config": {"cell": []}}
    with pytest.raises(InvalidSpecError, match="an RNN without cells"):
        from_keras_config(keras(INPUT, rnn).decode())
    with pytest.raises(TypeError, match="'merge_mode' must be a string or null, got list"):
        from_keras_config(GENERATED["list_merge_mode.json"].decode())
    with pytest.raises(InvalidSpecError, match="layers in all, over the 10,000 read"):
        summary_from_dict(
            {"layers": [{"kind": "lstm", "num_units": 2, "input_dim": 2, "num_layers": 10_001}]}
        )
    with pytest.raises(InvalidSpecError, match="10,001 layers, more than the 10,000 read"):
        summary_from_dict({"layers": [{}] * 10_001})
    with pytest.raises(InvalidSpecError, match="a name of 1,025 characters"):
        summary_from_dict(
            {"layers": [{"kind": "dense", "num_units": 1, "input_dim": 1, "name": "n" * 1025}]}
        )
    with pytest.raises(InvalidSpecError, match=r"layers\[0\]\.num_units: a size over"):
        summary_from_dict({"layers": [{"kind": "dense", "num_units": 10**200, "input_dim": 1}]})
    with pytest.raises(InvalidSpecError, match="'units': a size over"):
        from_keras_config(json.loads(GENERATED["huge_digits.json"].replace(b"9" * 5000, b"9" * 12)))
    convlstm = {
        "class_name": "ConvLSTM2D",
        "config": {"name": "c", "filters": 2, "kernel_size": [3, 2**40]},
        "build_config": {"input_shape": [None, None, 6, 6, 2]},
    }
    with pytest.raises(InvalidSpecError, match="kernel_size: a size over"):
        from_keras_config(keras(convlstm).decode())


def test_sub_byte_dtypes_take_whole_bytes(tmp_path: Path) -> None:
    header = {"a": {"dtype": "F4", "shape": [3], "data_offsets": [0, 2]}}
    found = inspect_file(write(tmp_path, "f4.safetensors", safetensors(header, bytes(2))))
    assert found.stored == (("F4", 2),)
    header = {"a": {"dtype": "F6_E2M3", "shape": [4], "data_offsets": [0, 3]}}
    assert (
        inspect_file(write(tmp_path, "f6.safetensors", safetensors(header, bytes(3)))).params == 4
    )


# ---------------------------------------------------------------- the fuzz test
NAMES = st.text(min_size=0, max_size=30) | st.sampled_from(
    ["lstm\x1b[31m", "a\r\nTotal", "<!--", "| x |", "\u202e", "x.weight_ih_l0", "x.weight_hh_l0"]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 2**70) | NAMES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(NAMES, inner, max_size=4),
    max_leaves=20,
)
LAYER = st.fixed_dictionaries(
    {
        "class_name": st.sampled_from(
            [
                "LSTM",
                "GRU",
                "Dense",
                "TimeDistributed",
                "RNN",
                "Bidirectional",
                "Embedding",
                "Reshape",
                "Flatten",
            ]
        )
        | NAMES
    },
    optional={
        "config": st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "units",
                    "layer",
                    "cell",
                    "merge_mode",
                    "use_bias",
                    "output_dim",
                    "input_dim",
                    "target_shape",
                    "batch_shape",
                ]
            ),
            JSON,
            max_size=5,
        )
    },
)


def _renders_safely(found: object) -> None:
    assert isinstance(found, lstm_params.Summary)
    for rendering in (found.to_text(weights=True), found.to_markdown(weights=True)):
        assert all(printable(line, width=10**6) == line for line in rendering.splitlines())
    found.to_html(weights=True)
    json.dumps(found.to_dict())


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    case=st.tuples(
        st.lists(LAYER, max_size=4),
        st.dictionaries(NAMES, JSON, max_size=4),
        JSON,
        st.dictionaries(NAMES, st.lists(st.integers(-1, 9), max_size=3), max_size=4),
        st.binary(max_size=64),
    )
)
def test_fuzz_every_reader_and_renderer(
    tmp_path: Path,
    case: tuple[list[dict[str, object]], dict[str, object], object, dict[str, list[int]], bytes],
) -> None:
    layers, header, model, shapes, raw = case
    attempts: list[Callable[[], object]] = [
        lambda: from_keras_config(keras(INPUT, *layers).decode()),
        lambda: summary_from_header(header, 0),
        lambda: summary_from_dict(model),
        lambda: from_shapes(shapes),
        lambda: inspect_file(write(tmp_path, "fuzz.safetensors", safetensors(header, raw))),
        lambda: inspect_file(write(tmp_path, "fuzz.json", keras(*layers) + raw)),
        lambda: summary_from_file(write(tmp_path, "fuzz.toml", raw)),
    ]
    for attempt in attempts:
        message = ""
        try:
            found = attempt()
        except InvalidFileError as error:  # one line, however the file is broken
            message = str(error)
        except (InvalidSpecError, TypeError):  # the documented errors of the API
            continue
        else:
            _renders_safely(found)
        assert "\n" not in message
        assert len(message) <= 300
