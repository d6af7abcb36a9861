"""Files from strangers: every way a file can be wrong is a clear InvalidFileError.

No file is unpickled, imported, run or extracted; work is bounded by the
documented limits; the fuzz test throws mutated real files at the readers.
"""

from __future__ import annotations

import json
import math
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_params import (
    InvalidFileError,
    InvalidSpecError,
    from_keras_config,
    from_shapes,
    inspect_file,
)
from lstm_params._readers import _safe
from lstm_params._readers import safetensors as checkpoint
from lstm_params._readers.inspect import MAX_CONFIG_BYTES, MAX_HEADER_BYTES

FILES = Path(__file__).parent / "data" / "files"
LSTM_HEADER = {
    "lstm.weight_ih_l0": {"dtype": "F32", "shape": [8, 3], "data_offsets": [0, 96]},
    "lstm.weight_hh_l0": {"dtype": "F32", "shape": [8, 2], "data_offsets": [96, 160]},
}


def safetensors(header: object, data: bytes = b"", *, length: int | None = None) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + data


def write(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_a_valid_handmade_checkpoint_is_read(tmp_path: Path) -> None:
    summary = inspect_file(write(tmp_path, "ok.safetensors", safetensors(LSTM_HEADER, bytes(160))))
    assert summary.layers[0].layer_name == "nn.LSTM"
    assert summary.params == 40
    assert summary.stored == (("F32", 160),)


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (b"", "not a model file lstm_params reads"),
        (b"\x00" * 64, "not a model file lstm_params reads"),
        (
            safetensors(LSTM_HEADER, bytes(160), length=10**9),
            "truncated: the safetensors header claims 1,000,000,000 bytes",
        ),
        (
            safetensors(LSTM_HEADER, bytes(100)),
            "the tensors take 160 bytes, the data after the header is 100",
        ),
        (safetensors([1, 2]), "not a model file"),  # a safetensors header is an object
        (
            safetensors({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}}),
            "tensor 'a': the shape must hold sizes >= 0",
        ),
        (
            safetensors({"a": {"dtype": "F32", "shape": [2**40, 2**40], "data_offsets": [0, 0]}}),
            "at most 2\\*\\*53 elements",
        ),
        (
            safetensors({"a": {"dtype": "F32", "shape": "3", "data_offsets": [0, 12]}}),
            "tensor 'a': the shape must be a list of sizes",
        ),
        (
            safetensors({"a": {"dtype": "F99", "shape": [3], "data_offsets": [0, 12]}}),
            "tensor 'a': unknown dtype 'F99'",
        ),
        (
            safetensors({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, bytes(12)),
            "takes 12 bytes, its offsets span 8",
        ),
        (
            safetensors(
                {"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, True]}}, bytes(12)
            ),
            "data_offsets must be",
        ),
        (safetensors({"a": []}), "tensor 'a': must be a JSON object, got list"),
        (struct.pack("<Q", 5) + b"{nope", "the safetensors header is not valid JSON"),
        (struct.pack("<Q", 4) + b"{\xff\xfe}", "the safetensors header is not valid JSON"),
        (safetensors({"x": [[[]]]}), "tensor 'x': must be a JSON object"),
        (b'{"a":' + b"[" * 100_000, "the Keras configuration is nested too deeply"),
        (
            struct.pack("<Q", 100_005) + b'{"a":' + b"[" * 100_000,
            "the safetensors header is nested too deeply",
        ),
        (
            b'{"class_name": "Sequential", "config": {"layers": 3}}',
            "has no 'layers' list \\(got int\\)",
        ),
        (b'{"class_name": 5}', "'class_name' must be a string, got 5"),
        (b"[]", "not a model file"),
        (
            b'  {"class_name": "Sequential"}',
            "the Sequential model's config must be a JSON object, got NoneType",
        ),
    ],
    ids=lambda value: str(value)[:40],
)
def test_broken_files(tmp_path: Path, content: bytes, match: str) -> None:
    path = write(tmp_path, "model.bin", content)
    with pytest.raises(InvalidFileError, match=match) as raised:
        inspect_file(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert isinstance(raised.value, InvalidSpecError)
    assert isinstance(raised.value, ValueError)


def _keras(*layers: object) -> bytes:
    return json.dumps({"class_name": "Sequential", "config": {"layers": list(layers)}}).encode()


INPUT = {"class_name": "InputLayer", "config": {"batch_shape": [None, 16, 8]}}


@pytest.mark.parametrize(
    ("content", "match"),
    [
        (
            _keras(INPUT, {"class_name": "LSTM", "config": {"name": "lstm", "units": "four"}}),
            "layers\\[1\\] \\(LSTM 'lstm'\\): num_units must be an integer, got str 'four'",
        ),
        (
            _keras(INPUT, {"class_name": "LSTM", "config": {"name": "lstm"}}),
            "layers\\[1\\] \\(LSTM 'lstm'\\): the config has no 'units'",
        ),
        (
            _keras(INPUT, {"class_name": "LSTM", "config": {"units": 4, "use_bias": "yes"}}),
            "'use_bias' must be true or false, got 'yes'",
        ),
        (
            _keras(INPUT, {"class_name": "GRU", "config": {"units": 4, "reset_after": 1}}),
            "'reset_after' must be true or false, got 1",
        ),
        (
            _keras(INPUT, {"class_name": "LSTM", "config": {"units": -4}}),
            "num_units must be a positive integer, got -4",
        ),
        (
            _keras({"class_name": "InputLayer", "config": {"batch_shape": [None, -3]}}),
            "a shape must end in a positive integer or null, got \\[None, -3\\]",
        ),
        (
            _keras(
                INPUT,
                {
                    "class_name": "LSTM",
                    "config": {"units": 4},
                    "build_config": {"input_shape": [None, "x"]},
                },
            ),
            "a shape must end in a positive integer or null",
        ),
        (_keras(INPUT, "lstm"), "layers\\[1\\] must be a JSON object, got str"),
        (
            _keras(INPUT, {"class_name": "LSTM", "config": []}),
            "layers\\[1\\] \\(LSTM\\) config must be a JSON object, got list",
        ),
        (
            _keras(
                INPUT,
                {"class_name": "RNN", "config": {"cell": {"class_name": "MyCell", "config": {}}}},
            ),
            "RNN cell 'MyCell' is not one of",
        ),
        (
            _keras(
                INPUT,
                {
                    "class_name": "Bidirectional",
                    "config": {"layer": {"class_name": "Dense", "config": {"units": 2}}},
                },
            ),
            "a Dense layer where a recurrent layer was expected",
        ),
        (
            _keras(INPUT, {"class_name": "Bidirectional", "config": {"layer": 3}}),
            "layer must be a JSON object, got int",
        ),
    ],
    ids=lambda value: str(value)[:40],
)
def test_wrong_types_in_keras_configs(tmp_path: Path, content: bytes, match: str) -> None:
    with pytest.raises(InvalidFileError, match=match):
        inspect_file(write(tmp_path, "model.json", content))
    with pytest.raises(InvalidSpecError, match=match):
        from_keras_config(content.decode())


def test_layers_whose_input_width_is_unknown_are_not_counted() -> None:
    summary = from_keras_config(
        _keras(
            {"class_name": "InputLayer", "config": {"batch_shape": [None, None, None]}},
            {"class_name": "LSTM", "config": {"name": "lstm", "units": 4}},
            {"class_name": "Flatten", "config": {"name": "flatten"}},
            {"class_name": "Dense", "config": {"name": "dense", "units": 2}},
            {"class_name": "Sequential", "config": {"name": "inner", "layers": []}},
            {"class_name": "Reshape", "config": {"name": "reshape", "target_shape": [2, 3]}},
            {"class_name": "Dense", "config": {"name": "head", "units": 1}},
        ).decode()
    )
    assert summary.uncounted == (
        ("lstm", "LSTM", "its input width is not in the file"),
        ("dense", "Dense", "its input width is not in the file"),
    )  # the empty nested model passes its (unknown) input on
    assert [spec.input_dim for spec in summary.layers] == [3]  # Reshape's last dimension


def test_bidirectional_merge_modes_set_the_next_width() -> None:
    def model(merge: object) -> bytes:
        wrapper = {
            "class_name": "Bidirectional",
            "config": {
                "merge_mode": merge,
                "layer": {"class_name": "LSTM", "config": {"units": 4}},
            },
        }
        return _keras(INPUT, wrapper, {"class_name": "Dense", "config": {"units": 1}})

    widths = {
        merge: from_keras_config(model(merge).decode())
        for merge in ("concat", "sum", "ave", "mul", None)
    }
    assert [s.layers[-1].input_dim for s in widths.values() if s.complete] == [8, 4, 4, 4]
    assert not widths[None].complete  # a list of two tensors: the next width is unknown


def test_not_valid_json_text() -> None:
    with pytest.raises(InvalidSpecError, match="not valid JSON"):
        from_keras_config("{")
    with pytest.raises(InvalidSpecError, match="nested too deeply"):
        from_keras_config("[" * 100_000)


def test_sizes_past_the_limits_are_refused_unread(tmp_path: Path) -> None:
    header = tmp_path / "huge-header.safetensors"
    with header.open("wb") as stream:  # a sparse file: no disk used
        stream.write(struct.pack("<Q", MAX_HEADER_BYTES + 1) + b"{")
        stream.truncate(MAX_HEADER_BYTES + 64)
    with pytest.raises(InvalidFileError, match="over the 16,777,216 read"):
        inspect_file(header)
    config = tmp_path / "huge.json"
    with config.open("wb") as stream:
        stream.write(b"{")
        stream.truncate(MAX_CONFIG_BYTES + 1)
    with pytest.raises(InvalidFileError, match="a Keras configuration of 16,777,217 bytes is over"):
        inspect_file(config)


def test_zip_bombs_and_lies(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.keras"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", b" " * (MAX_CONFIG_BYTES + 1))
    with pytest.raises(
        InvalidFileError, match=r"config.json of 16,777,217 bytes \([0-9,]+ compressed\) is over"
    ):
        inspect_file(bomb)
    # The same archive claiming a small size: reading stops at the claim, and the CRC fails.
    data = bomb.read_bytes()
    size = struct.pack("<I", MAX_CONFIG_BYTES + 1)
    liar = write(tmp_path, "liar.keras", data.replace(size, struct.pack("<I", 100)))
    with pytest.raises(InvalidFileError, match=r"not a readable \.keras \(zip\) archive"):
        inspect_file(liar)


def test_broken_archives(tmp_path: Path) -> None:
    empty = tmp_path / "empty.keras"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("metadata.json", "{}")
    with pytest.raises(InvalidFileError, match=r"a zip archive without config\.json"):
        inspect_file(empty)
    real = (FILES / "keras-embedding-bilstm-gru-dense.keras").read_bytes()
    with pytest.raises(InvalidFileError, match=r"not a readable \.keras \(zip\) archive"):
        inspect_file(write(tmp_path, "truncated.keras", real[: len(real) // 2]))


def test_unreadable_paths(tmp_path: Path) -> None:
    with pytest.raises(InvalidFileError, match=r"missing\.keras: cannot read: No such file"):
        inspect_file(tmp_path / "missing.keras")
    with pytest.raises(InvalidFileError, match="cannot read: Is a directory"):
        inspect_file(tmp_path)


def test_from_shapes_checks_its_input() -> None:
    with pytest.raises(TypeError, match="shapes must be a mapping of names to shapes, got list"):
        from_shapes([("a", (1,))])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="tensor names must be strings, got int 3"):
        from_shapes({3: (1,)})  # type: ignore[dict-item]
    with pytest.raises(InvalidSpecError, match="tensor 'a': the shape must hold sizes >= 0"):
        from_shapes({"a": (2, -1)})
    with pytest.raises(InvalidSpecError, match="tensor 'a': the shape must be a list of sizes"):
        from_shapes({"a": 5})  # type: ignore[dict-item]


@pytest.mark.parametrize(
    ("shapes", "kinds"),
    [
        ({"weight_ih_l0": (12, 3), "weight_hh_l0": (12, 4)}, ["gru"]),  # 12 rows / 4 units: 3 gates
        ({"x.weight_ih_l0": (10, 3), "x.weight_hh_l0": (10, 4)}, []),  # no gate count fits
        ({"x.weight_ih_l0": (8, 3), "x.weight_hh_l0": (8, 2), "x.bias_ih_l0": (8,)}, []),  # 1 bias
        ({"x.weight_ih_l0": (8, 3, 1), "x.weight_hh_l0": (8, 2)}, []),  # not a matrix
        ({"x.weight_hh_l0": (8, 2)}, []),  # no input weights
        ({"x.weight_ih_l0": (8, 3), "x.weight_hh_l0": (8, 0)}, []),  # zero units
        ({"x.weight_ih_l0": (8, 3), "x.weight_hh_l0": (8, 2), "x.weight_hr_l0": (2, 2)}, []),
        ({"x.weight_ih": (8, 3), "x.weight_hh": (8, 2)}, ["lstm"]),  # an LSTMCell without bias
    ],
)
def test_the_recogniser_keeps_only_exact_modules(
    shapes: dict[str, tuple[int, ...]], kinds: list[str]
) -> None:
    summary = from_shapes(shapes)
    assert [spec.kind.value for spec in summary.layers] == kinds
    assert summary.params == sum(math.prod(shape) for shape in shapes.values())


SAMPLES = sorted(p for p in FILES.iterdir() if p.is_file())


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    sample=st.sampled_from(SAMPLES),
    edits=st.lists(
        st.tuples(
            st.sampled_from(["flip", "cut", "insert", "length"]),
            st.integers(0, 2**20),
            st.binary(min_size=1, max_size=8),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_fuzz_mutated_real_files(
    tmp_path: Path, sample: Path, edits: list[tuple[str, int, bytes]]
) -> None:
    data = bytearray(sample.read_bytes())
    for action, position, chunk in edits:
        at = position % (len(data) + 1)
        if action == "flip" and data:
            data[at % len(data)] ^= chunk[0] or 1
        elif action == "cut":
            del data[at:]
        elif action == "insert":
            data[at:at] = chunk
        else:
            data[:8] = struct.pack("<Q", int.from_bytes(chunk.ljust(8, b"\0"), "little"))
    path = write(tmp_path, f"fuzz{sample.suffix}", bytes(data))
    message = None
    try:
        summary = inspect_file(path)
    except InvalidFileError as error:
        message = str(error)
    else:
        assert summary.params >= 0
    assert message is None or message.startswith(f"{path}: ")


def test_metadata_is_not_a_tensor(tmp_path: Path) -> None:
    header = {"__metadata__": {"format": "pt"}, **LSTM_HEADER}
    summary = inspect_file(write(tmp_path, "meta.safetensors", safetensors(header, bytes(160))))
    assert summary.params == 40
    assert summary.tensors == ()


def test_counts_past_the_limits(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_safe, "MAX_TENSORS", 1)
    with pytest.raises(InvalidSpecError, match="2 tensors, more than the 1 read"):
        from_shapes({"a": (1,), "b": (1,)})
    with pytest.raises(InvalidFileError, match="3 entries, more than the 1 tensors read"):
        inspect_file(write(tmp_path, "many.safetensors", safetensors({"a": 1, "b": 2, "c": 3})))
    monkeypatch.setattr(_safe, "MAX_LAYERS", 1)
    with pytest.raises(InvalidSpecError, match="the model has 2 layers and cells, more than the 1"):
        from_keras_config(_keras(INPUT, INPUT).decode())


def test_the_header_reader_wants_an_object() -> None:
    with pytest.raises(InvalidSpecError, match="the header must be a JSON object, got list"):
        checkpoint.summary_from_header([], 0)


def _functional(*layers: object) -> str:
    return json.dumps({"class_name": "Functional", "config": {"layers": list(layers)}})


def test_functional_widths_follow_the_inbound_layer() -> None:
    source = {
        "class_name": "InputLayer",
        "name": "in",
        "config": {"name": "in", "batch_shape": [None, 5]},
    }
    keras3 = {
        "class_name": "LSTM",
        "config": {"name": "lstm", "units": 3},
        "inbound_nodes": [{"args": [{"config": {"keras_history": ["in", 0, 0]}}]}],
    }
    keras2 = {
        "class_name": "Dense",
        "config": {"name": "dense", "units": 2},
        "inbound_nodes": [[["lstm", 0, 0, {}]]],
    }
    summary = from_keras_config(_functional(source, keras3, keras2))
    assert [(s.kind.value, s.input_dim) for s in summary.layers] == [("lstm", 5), ("dense", 3)]
    odd = [
        {
            "class_name": "Dense",
            "config": {"name": "a", "units": 2},
            "inbound_nodes": [[[7, 0, 0, {}]]],
        },
        {
            "class_name": "Dense",
            "config": {"name": "b", "units": 2},
            "inbound_nodes": [{"args": []}],
        },
        {"class_name": "Dense", "config": {"name": "c", "units": 2}, "inbound_nodes": ["?"]},
        {
            "class_name": "Dense",
            "config": {"name": "d", "units": 2},
            "inbound_nodes": [{"args": [{"config": {}}]}],
        },
    ]
    assert [name for name, _, _ in from_keras_config(_functional(*odd)).uncounted] == [
        "a",
        "b",
        "c",
        "d",
    ]


def test_convlstm_configs() -> None:
    first = {
        "class_name": "ConvLSTM2D",
        "config": {"name": "c", "filters": 4, "kernel_size": 3, "data_format": "channels_first"},
        "build_config": {"input_shape": [None, None, 2, 6, 6]},
    }
    (spec,) = from_keras_config(_keras(first).decode()).layers
    assert (spec.input_dim, spec.kernel_size) == (2, (3, 3))
    broken = {
        "class_name": "ConvLSTM1D",
        "config": {"name": "c", "filters": 4},
        "build_config": {"input_shape": [None, None, 2]},
    }
    with pytest.raises(InvalidSpecError, match="kernel_size is required for convlstm layers"):
        from_keras_config(_keras(broken).decode())
