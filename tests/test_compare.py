"""compare(): one layer across frameworks, totals from the golden data, reasons spelled out."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from golden import GOLDEN

from lstm_params import Framework, LayerSpec, MacsConvention, compare, count_macs

SEED = {"num_units": 200, "input_dim": 4096}


def golden_total(**spec: object) -> int:
    for path in GOLDEN.glob("*.json"):
        for record in json.loads(path.read_text())["records"]:
            if record["spec"] == spec and record["source"].split(".")[-1] not in {
                "LSTMCell",
                "GRUCell",
                "RNNCell",
            }:
                return int(record["params"])
    raise LookupError(spec)


def test_the_seed_layer_keras_against_pytorch() -> None:
    comparison = compare(LayerSpec("lstm", 200, 4096))
    rows = {row.spec.framework: row for row in comparison.rows if not row.spec.cudnn}
    assert rows[Framework.KERAS].params == 3437600  # the user's number
    assert rows[Framework.KERAS].params == golden_total(kind="lstm", framework="keras", **SEED)
    assert rows[Framework.PYTORCH].params == golden_total(kind="lstm", framework="pytorch", **SEED)
    assert rows[Framework.PYTORCH].difference == 800
    assert rows[Framework.PYTORCH].reasons == ("+800: a second bias vector per gate",)
    assert comparison.rows[0].label == "Keras LSTM"
    assert "+800: a second bias vector per gate" in str(comparison)
    assert [row.spec.framework for row in comparison.rows] == [Framework.KERAS, *Framework]
    cudnn = comparison.rows[1]  # CuDNNLSTM: two bias vectors per gate, as tf.keras 2 builds it
    assert (cudnn.label, cudnn.difference) == ("Keras CuDNNLSTM", 800)
    assert cudnn.reasons == ("+800: a second bias vector per gate",)
    assert comparison.missing == ()


def test_gru_shows_reset_after() -> None:
    comparison = compare(LayerSpec("gru", 200, 4096))
    labels = [row.label for row in comparison.rows]
    assert labels[:2] == ["Keras GRU (reset_after=True)", "Keras GRU (reset_after=False)"]
    keras_true, keras_false = comparison.rows[:2]
    assert keras_true.params == golden_total(kind="gru", framework="keras", **SEED)
    assert keras_false.params == golden_total(
        kind="gru", framework="keras", **SEED, reset_after=False
    )
    assert keras_false.reasons == ("-600: one bias vector per gate instead of two",)
    linen = next(row for row in comparison.rows if row.spec.framework is Framework.FLAX_LINEN)
    assert linen.params == golden_total(kind="gru", framework="flax-linen", **SEED)
    assert linen.reasons == (
        "-600: one bias vector per gate instead of two",
        "+200: an extra candidate bias (hn)",
    )
    # ONNX's two reset_after values (linear_before_reset) have one count: one row.
    assert sum(row.spec.framework is Framework.ONNX for row in comparison.rows) == 1


def test_the_given_framework_comes_first_and_others_say_why_they_are_missing() -> None:
    comparison = compare(LayerSpec("lstm", 20, 10, framework="pytorch", proj_size=5))
    assert comparison.rows[0].spec.framework is Framework.PYTORCH
    assert [row.spec.framework for row in comparison.rows] == [
        Framework.PYTORCH,
        Framework.TENSORFLOW_V1,
    ]
    tf1 = comparison.rows[1]
    assert tf1.reasons == ("-80: one bias vector per gate instead of two",)
    missing = dict(comparison.missing)
    assert missing[Framework.KERAS].startswith("proj_size=5: keras has no projection")
    assert "Keras: proj_size=5" in str(comparison)


def test_parts_that_appear_and_disappear() -> None:
    comparison = compare(LayerSpec("gru", 10, 5, framework="flax-linen"))
    keras = next(r for r in comparison.rows if r.label == "Keras GRU (reset_after=True)")
    assert keras.reasons == (
        "+30: a second bias vector per gate",
        "-10: without an extra candidate bias (hn)",
    )
    peephole = compare(LayerSpec("lstm", 10, 5, framework="tf1", peepholes=True))
    onnx = next(r for r in peephole.rows if r.spec.framework is Framework.ONNX)
    assert onnx.reasons == ("+40: a second bias vector per gate",)
    dense = compare(LayerSpec("dense", 10, 5, bias=False))
    assert {row.reasons for row in dense.rows[1:]} == {()}


def test_renderings_agree() -> None:
    comparison = compare(LayerSpec("lstm", 200, 4096))
    markdown = comparison.to_markdown().splitlines()
    assert markdown[0] == "| Framework | Params | Difference | Why |"
    assert (
        "| PyTorch nn.LSTM | 3,438,400 | +800 | +800: a second bias vector per gate |" in markdown
    )
    page = ET.fromstring(f"<div>{comparison._repr_html_()}</div>")  # noqa: S314 - our own output
    frameworks, compute = page.findall("table")
    assert frameworks.get("class") == "lstm-params-comparison"
    assert len(frameworks.findall("./tbody/tr")) == len(comparison.rows)
    assert compute.get("class") == "lstm-params-compute"
    assert len(compute.findall("./tbody/tr")) == len(comparison.compute) == 8
    data = json.loads(json.dumps(comparison.to_dict()))
    assert [row["params"] for row in data["rows"]] == [row.params for row in comparison.rows]
    assert data["rows"][1]["formula"] == "4 * ((200 + 4096 + 2) * 200)"
    convlstm = compare(LayerSpec("convlstm", 8, 3, kernel_size=3)).to_dict()
    assert {m["framework"] for m in convlstm["missing"]} == {
        "pytorch",
        "onnx",
        "tensorflow-v1",
        "flax-nnx",
    }


def test_the_compute_section() -> None:
    keras = LayerSpec("gru", 20, 10)
    comparison = compare(keras, seq_len=5, batch=2)
    assert comparison.compute == tuple(
        count_macs(keras, seq_len=5, batch=2, convention=c) for c in MacsConvention
    )
    torch = LayerSpec("gru", 20, 10, framework="pytorch")  # what the peer tools profile
    assert comparison.compute[1] == count_macs(torch, seq_len=5, batch=2, convention="ptflops")
    text = str(comparison)
    assert "Compute of the layer, 10 steps (the peer tools profile it as a PyTorch module):" in text
    assert "Compute of the layer" in comparison.to_markdown()
    assert [c["convention"] for c in comparison.to_dict()["compute"]] == [
        c.value for c in MacsConvention
    ]
    assert compare(LayerSpec("dense", 3, 2)).compute == ()
    assert compare(LayerSpec("lstm", 3, 2, peepholes=True)).compute == ()  # no torch module
    assert "Compute" not in str(compare(LayerSpec("dense", 3, 2)))
    assert "Compute" not in compare(LayerSpec("dense", 3, 2)).to_markdown()
    assert "lstm-params-compute" not in compare(LayerSpec("dense", 3, 2)).to_html()


def test_compare_takes_a_layer_spec() -> None:
    with pytest.raises(TypeError, match="spec must be a LayerSpec, got str 'lstm'"):
        compare("lstm")  # type: ignore[arg-type]
