"""summary(): whole models, their totals against the real frameworks, four renderings."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import pytest
from golden import GOLDEN

from lstm_params import (
    InvalidSpecError,
    LayerSpec,
    Summary,
    count_macs,
    memory,
    summary,
    summary_from_file,
)

if TYPE_CHECKING:
    from pathlib import Path

MODELS = sorted((GOLDEN / "models").glob("*.json"))

SPEC_FIELDS = tuple(LayerSpec("lstm", 1, 1).to_dict())  # the constructor's arguments


def _records() -> list[tuple[str, dict[str, Any]]]:
    out = []
    for path in MODELS:
        for index, record in enumerate(json.loads(path.read_text())["records"]):
            out.append((f"{path.stem}-{index}", record))
    return out


@pytest.mark.parametrize(("record"), [r for _, r in _records()], ids=[i for i, _ in _records()])
def test_summary_total_equals_the_frameworks_model(record: dict[str, Any]) -> None:
    # Keras: model.count_params(); PyTorch: sum of numel() over the modules (golden data).
    model = summary([LayerSpec(**layer) for layer in record["layers"]])
    assert model.params == record["params"]


def test_golden_models_cover_keras_and_pytorch() -> None:
    assert [p.stem for p in MODELS] == ["keras", "pytorch"]


def _seed_model(**options: Any) -> Summary:  # noqa: ANN401
    return summary(
        [LayerSpec("embedding", 128, 10000), LayerSpec("lstm", 64, 128), LayerSpec("dense", 1, 64)],
        **options,
    )


def test_rows_shares_and_names() -> None:
    model = _seed_model()
    assert model.names == ("embedding", "lstm", "dense")
    table = model.table()
    assert [row.cells[0] for row in table.body] == [
        "embedding (Embedding)",
        "lstm (LSTM)",
        "dense (Dense)",
    ]
    assert [row.cells[2] for row in table.body] == [f"{s.params:,}" for s in model.layers]
    assert table.footer[0].cells[2] == f"{model.params:,}"
    assert model.memory == memory(model.params)


def test_repeated_kinds_are_numbered_and_names_can_be_given() -> None:
    layers = [LayerSpec("lstm", 8, 4), LayerSpec("lstm", 8, 8), LayerSpec("lstm", 8, 8)]
    assert summary(layers).names == ("lstm", "lstm_1", "lstm_2")
    assert summary(layers, names=["a", None, "c"]).names == ("a", "lstm_1", "c")


def test_text_lists_weights_on_request() -> None:
    model = _seed_model()
    plain, detailed = model.to_text(), model.to_text(weights=True)
    assert str(model) == plain
    assert "lstm/lstm_cell/kernel" not in plain
    for layer in model.layers:
        for weight in layer.weights():
            assert f"  {weight.name} {weight.shape}" in detailed
    assert plain.splitlines()[-1] == f"Weights: {model.memory} as float32"


def test_markdown_has_one_row_per_layer_and_weight() -> None:
    model = _seed_model()
    lines = model.to_markdown(weights=True).splitlines()
    assert lines[0] == "| Layer (type) | Output dim | Param # | Share |"
    assert lines[1] == "|:--|--:|--:|--:|"
    weights = sum(len(layer.weights()) for layer in model.layers)
    assert len([ln for ln in lines if ln.startswith("| ↳ ")]) == weights
    assert f"| **Total** |  | **{model.params:,}** | **100.0%** |" in lines


def test_markdown_escapes_pipes() -> None:
    model = summary([LayerSpec("dense", 2, 2)], names=["a|b"])
    assert "| a\\|b (Dense) |" in model.to_markdown()


def test_html_is_well_formed_and_escaped() -> None:
    model = summary(
        [LayerSpec("embedding", 4, 10), LayerSpec("lstm", 3, 4)],
        names=["<script>alert('x')</script>", "a & b"],
    )
    text = model._repr_html_()
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    root = ET.fromstring(f"<div>{model.to_html(weights=True)}</div>")  # noqa: S314 - our own output
    table = root.find("table")
    assert table is not None
    assert table.get("class") == "lstm-params-summary"
    cells = [td.text for td in table.iter("td")]
    assert "<script>alert('x')</script> (Embedding)" in cells
    assert "a & b (LSTM)" in cells
    assert [th.text for th in table.iter("th")][:4] == [
        "Layer (type)",
        "Output dim",
        "Param #",
        "Share",
    ]
    rows = table.find("tbody")
    assert rows is not None
    assert len([tr for tr in rows if tr.get("class") == "weight"]) == 4


def test_to_dict_is_json_and_matches_the_numbers() -> None:
    model = _seed_model(dtype="bfloat16")
    data = json.loads(json.dumps(model.to_dict()))
    assert data["params"] == model.params
    assert data["memory"]["dtype"] == "bfloat16"
    assert data["memory"]["weights_bytes"] == 2 * model.params
    assert [layer["params"] for layer in data["layers"]] == [s.params for s in model.layers]
    assert sum(layer["share"] for layer in data["layers"]) == pytest.approx(1.0)
    assert [LayerSpec(**{k: layer[k] for k in SPEC_FIELDS}) for layer in data["layers"]] == list(
        model.layers
    )


def test_compute_columns() -> None:
    layers = [
        LayerSpec("embedding", 128, 10000),
        LayerSpec("lstm", 64, 128),
        LayerSpec("dense", 1, 64),
    ]
    model = summary(layers, seq_len=16, batch=2)
    # Keras' LSTM returns its last step (return_sequences=False): the Dense runs once a sample
    figures = [
        count_macs(layers[0], seq_len=16, batch=2),
        count_macs(layers[1], seq_len=16, batch=2),
        count_macs(layers[2], batch=2),
    ]
    assert model.compute() == tuple(figures)
    assert model.steps() == (32, 32, 2)
    table = model.table()
    assert table.headers[-3:] == ("Steps", "MACs", "FLOPs")
    assert table.footer[0].cells[-2:] == (
        f"{sum(f.macs for f in figures):,}",
        f"{sum(f.flops or 0 for f in figures):,}",
    )
    assert "MACs and FLOPs: a sequence of 16 steps x batch 2" in str(model)
    data = model.to_dict()["compute"]
    assert data == {
        "seq_len": 16,
        "batch": 2,
        "steps": [32, 32, 2],
        "macs": [f.macs for f in figures],
        "flops": [f.flops for f in figures],
    }
    assert "compute" not in summary(layers).to_dict()
    assert summary(layers).compute() == ()
    assert summary(layers).steps() == ()
    detailed = model.to_text(weights=True)
    assert "lstm/lstm_cell/kernel (128, 256)" in detailed


def test_a_convlstm_has_no_compute_figure() -> None:
    model = summary(
        [LayerSpec("convlstm", 4, 3, kernel_size=3), LayerSpec("dense", 1, 4)], seq_len=2
    )
    assert model.compute()[0] is None
    assert model.table().body[0].cells[-2:] == ("-", "-")
    assert model.table().footer[0].cells[-2:] == ("-", "-")
    assert model.to_dict()["compute"]["macs"] == [None, 4]  # after return_sequences=False


def test_the_dense_after_a_sequence_runs_every_step() -> None:
    # Issue #14: Keras Embedding(10000, 128) -> LSTM(64) -> Dense(1), seq_len 100, batch 32.
    def model(*, sequences: bool | None) -> Summary:
        lstm = LayerSpec("lstm", 64, 128, return_sequences=sequences)
        return summary(
            [LayerSpec("embedding", 128, 10000), lstm, LayerSpec("dense", 1, 64)],
            seq_len=100,
            batch=32,
        )

    last_step, every_step = model(sequences=None), model(sequences=True)
    assert last_step.compute()[2].macs == 64 * 32 == 2048  # type: ignore[union-attr]
    assert every_step.compute()[2].macs == 64 * 100 * 32 == 204800  # type: ignore[union-attr]
    for found in (last_step, every_step):
        assert sum(f.macs for f in found.compute() if f) == int(
            found.table().footer[0].cells[-2].replace(",", "")
        )
    torch = summary(
        [
            LayerSpec("lstm", 8, 4, framework="pytorch"),
            LayerSpec("dense", 1, 8, framework="pytorch"),
        ],
        seq_len=5,
    )
    assert torch.steps() == (5, 5)  # a PyTorch module returns every step


def test_bad_summaries_are_errors() -> None:
    with pytest.raises(InvalidSpecError, match="layers must hold at least one LayerSpec"):
        summary([])
    with pytest.raises(TypeError, match=r"layers\[1\] must be a LayerSpec, got str 'lstm'"):
        summary([LayerSpec("lstm", 2, 2), "lstm"])  # type: ignore[list-item]
    with pytest.raises(InvalidSpecError, match="names must be 1 strings"):
        summary([LayerSpec("lstm", 2, 2)], names=["a", "b"])
    with pytest.raises(InvalidSpecError, match="dtype must be one of"):
        summary([LayerSpec("lstm", 2, 2)], dtype="float8")


def test_model_files(tmp_path: Path) -> None:
    toml = tmp_path / "model.toml"
    toml.write_text(
        'framework = "pytorch"\n'
        '[[layers]]\nkind = "embedding"\nnum_units = 128\ninput_dim = 10000\n'
        '[[layers]]\nkind = "lstm"\nnum_units = 64\nname = "encoder"\n'
        '[[layers]]\nkind = "dense"\nnum_units = 1\n'
    )
    model = summary_from_file(toml)
    assert model.names == ("embedding", "encoder", "dense")
    assert [s.input_dim for s in model.layers] == [10000, 128, 64]
    golden = json.loads((GOLDEN / "models" / "pytorch.json").read_text())["records"][0]
    assert model.params == golden["params"]
    as_json = tmp_path / "model.json"
    as_json.write_text(
        json.dumps({"dtype": "float16", "layers": [s.to_dict() for s in model.layers]})
    )
    again = summary_from_file(as_json)
    assert again.layers == model.layers
    assert again.dtype == "float16"


@pytest.mark.parametrize(
    ("text", "suffix", "match"),
    [
        ("layers = [", ".toml", r"model.toml: not valid toml: "),
        ("{", ".json", r"model.json: the model file is not valid JSON: "),
        ("[1, 2]", ".json", r"a model must be a table with a 'layers' list, got list"),
        ("layers = []\nshape = 3", ".toml", r"unknown keys \['shape'\]"),
        ("layers = []", ".toml", r"'layers' must be a non-empty list of tables, got \[\]"),
        ("layers = [1]", ".toml", r"layers\[0\] must be a table, got int 1"),
        ('[[layers]]\nkind = "lstm"\nnum_units = 3', ".toml", r"layers\[0\] needs an input_dim"),
        (
            '[[layers]]\nkind = "lstm"\nnum_units = 3\ninput_dim = 2\nname = 5',
            ".toml",
            r"layers\[0\]\.name must be a string",
        ),
        (
            '[[layers]]\nkind = "lstm"\nnum_units = 0\ninput_dim = 2',
            ".toml",
            r"layers\[0\]: num_units must be a positive integer, got 0",
        ),
        (
            '[[layers]]\nkind = "lstm"\nnum_units = 3\ninput_dim = 2\nwidth = 2',
            ".toml",
            r"layers\[0\]: .*unexpected keyword argument 'width'",
        ),
        (
            '[[layers]]\nkind = "lstm"\nnum_units = true\ninput_dim = 2',
            ".toml",
            r"layers\[0\]: num_units must be an integer, not bool",
        ),
    ],
)
def test_bad_model_files_name_the_file_and_the_problem(
    tmp_path: Path, text: str, suffix: str, match: str
) -> None:
    path = tmp_path / f"model{suffix}"
    path.write_text(text)
    with pytest.raises(InvalidSpecError, match=match) as raised:
        summary_from_file(path)
    assert str(raised.value).startswith(str(path))


def test_unreadable_model_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidSpecError, match=r"missing.toml: cannot read: "):
        summary_from_file(tmp_path / "missing.toml")
    binary = tmp_path / "model.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(InvalidSpecError, match=r"model.toml: cannot read: "):
        summary_from_file(binary)
