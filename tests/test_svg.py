"""Pictures: valid SVG with a title and description, gate blocks in each framework's order."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from lstm_params import Framework, Kind, LayerSpec
from lstm_params._cli import run
from lstm_params._render.svg import params_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title") is not None
    assert root.find(f"{SVG}desc") is not None
    return [t.text or "" for t in root.iter(f"{SVG}text")]


def _every_layer() -> list[LayerSpec]:
    found = []
    for framework in Framework:
        for kind in Kind:
            options: dict[str, Any] = {"kernel_size": 3} if kind is Kind.CONVLSTM else {}
            try:
                found.append(LayerSpec(kind, 6, 5, framework=framework, **options))
            except ValueError:
                continue
    return found


@pytest.mark.parametrize("spec", _every_layer(), ids=lambda s: f"{s.framework}-{s.kind}")
def test_every_layer_draws_as_valid_svg(spec: LayerSpec) -> None:
    texts = _texts(spec.to_svg())
    assert (
        texts[0] == f"{spec.framework.display_name} {spec.layer_name}: {spec.params:,} parameters"
    )


@pytest.mark.parametrize(
    ("framework", "first_blocks"),
    [
        ("keras", ["i: 3,276,800", "f: 3,276,800", "c: 3,276,800", "o: 3,276,800"]),
        ("pytorch", ["i: 3,276,800", "f: 3,276,800", "g: 3,276,800", "o: 3,276,800"]),
        ("onnx", ["i: 3,276,800", "o: 3,276,800", "f: 3,276,800", "c: 3,276,800"]),
    ],
)
def test_the_seed_layer_in_each_frameworks_gate_order(
    framework: str, first_blocks: list[str]
) -> None:
    # The seed's input matrix: 4 gate blocks of 4096 inputs x 200 units = 819,200 each.
    texts = _texts(LayerSpec("lstm", 200, 4096, framework=framework).to_svg())
    blocks = [t for t in texts if t.endswith(": 819,200")]
    assert [b[0] for b in blocks] == [b[0] for b in first_blocks]


def test_a_custom_cell_and_a_dense_layer_draw_one_band_per_tensor() -> None:
    texts = _texts(LayerSpec("lstm", 4, 3, gates=3).to_svg())
    assert "48" in texts  # kernel (3, 12): one block, no gate labels
    assert "One band per tensor." in texts[1]
    assert _texts(LayerSpec("dense", 4, 3, framework="pytorch").to_svg())[0].startswith(
        "PyTorch nn.Linear"
    )


def test_the_chart_plots_each_series() -> None:
    series = [
        (f, [LayerSpec("lstm", u, 64, framework=f) for u in (8, 16, 32)])
        for f in ("keras", "pytorch")
    ]
    texts = _texts(params_chart_svg(series, title="LSTM on 64 inputs <&>"))
    assert texts[0] == "LSTM on 64 inputs <&>"  # escaped in the file, plain in the tree
    assert "keras: 12,416" in texts  # 4 * ((32 + 64 + 1) * 32)
    assert "pytorch: 12,544" in texts
    single = _texts(params_chart_svg([("keras", [LayerSpec("lstm", 8, 4)])], title="one"))
    assert "keras: 416" in single


def test_the_readme_pictures_are_current() -> None:
    # docs/*.svg are written by scripts/render_pictures.py from the library itself
    docs = Path(__file__).parent.parent / "docs"
    keras = LayerSpec("lstm", 200, 4096).to_svg()
    assert (docs / "seed-lstm-keras.svg").read_text() == keras + "\n"
    torch = LayerSpec("lstm", 200, 4096, framework="pytorch").to_svg()
    assert (docs / "seed-lstm-pytorch.svg").read_text() == torch + "\n"
    chart = run(["plot", "lstm", "--input-dim", "4096", "--frameworks", "keras,pytorch,flax-linen"])
    assert (docs / "lstm-params-by-units.svg").read_text() == chart + "\n"
