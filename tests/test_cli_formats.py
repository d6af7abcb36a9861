"""Every command in every format that applies; the options a command takes; plot and optimizer.

Numbers come from the seed layer (Keras LSTM(200) on 4096 inputs: 3,437,600, the
user's) and the README's model file; the rest are checked against the library's
own rendering of the same value, which the golden tests tie to the frameworks.
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from lstm_params import LayerSpec, compare, summary
from lstm_params._cli import main, run

SEED = ["lstm", "200", "--input-dim", "4096"]
MODEL = Path(__file__).parent / "data" / "torch" / "tagger-checkpoint.pt"


@pytest.mark.parametrize(
    "argv",
    [SEED, ["compare", *SEED], ["macs", *SEED], ["inspect", str(MODEL)]],
    ids=["layer", "compare", "macs", "inspect"],
)
def test_html_and_csv_wherever_a_table_is_printed(argv: list[str]) -> None:
    html = run([*argv, "--format", "html"])
    assert "<table" in html
    assert 'style="text-align: right; padding' in html  # reads without the page's CSS
    rows = list(csv.reader(io.StringIO(run([*argv, "--format", "csv"]))))
    assert len({len(row) for row in rows}) == 1  # one width: a table, not prose
    assert all(not cell.startswith("=") for row in rows for cell in row)


def test_csv_numbers_are_plain_numbers() -> None:
    rows = list(csv.reader(io.StringIO(run([*SEED, "--format", "csv"]))))
    assert rows[1] == ["lstm (LSTM)", "200", "3437600", "100.0%"]  # the user's number


def test_a_layer_as_a_picture() -> None:
    svg = run([*SEED, "--format", "svg"])
    assert ET.fromstring(svg).tag.endswith("svg")  # noqa: S314 - our own output
    assert svg == LayerSpec("lstm", 200, 4096).to_svg()


def test_the_memory_to_train() -> None:
    text = run([*SEED, "--optimizer", "adam"])
    assert text.endswith(
        "Training: 52.45 MiB: weights 13.11 MiB + gradients 13.11 MiB + adam state 26.23 MiB "
        "(float32)"
    )
    assert "Training:" in run([*SEED, "--optimizer", "sgd", "--format", "markdown"])
    assert "Training:" in run([*SEED, "--optimizer", "sgd", "--format", "html"])
    data = json.loads(run([*SEED, "--optimizer", "adam", "--format", "json"]))
    assert data["memory"]["optimizer_state_bytes"] == 2 * 3437600 * 4
    checkpoint = json.loads(run(["inspect", str(MODEL), "--optimizer", "adam", "--format", "json"]))
    assert checkpoint["training_memory"]["params"] == 595  # torch's parameters()
    assert "Training:" in run(["inspect", str(MODEL), "--optimizer", "adam"])
    assert "Training:" not in run(["inspect", str(MODEL), "--optimizer", "adam", "--format", "csv"])


def test_summary_and_inspect_take_steps_and_dtype() -> None:
    text = run(["inspect", str(MODEL), "--seq-len", "10", "--batch", "2", "--dtype", "float16"])
    assert "Steps" in text
    assert "as float16" in text


def test_merge_mode_none_and_the_new_flags() -> None:
    none = json.loads(
        run(
            [
                "lstm",
                "20",
                "--input-dim",
                "10",
                "--bidirectional",
                "--merge-mode",
                "none",
                "--format",
                "json",
            ]
        )
    )
    assert (none["merge_mode"], none["params"]) == (None, 4960)  # keras' golden merge modes
    cudnn = run(["lstm", "300", "--input-dim", "300", "--cudnn", "--bidirectional"])
    assert "1,444,800 parameters" in cudnn  # tf.keras 2.21's Bidirectional(CuDNNLSTM(300))
    cell = run(["gru", "20", "--input-dim", "10", "--framework", "pytorch", "--cell"])
    assert cell.startswith("PyTorch nn.GRUCell")


def test_plot_draws_each_framework(capsys: pytest.CaptureFixture[str]) -> None:
    svg = run(
        ["plot", "gru", "--input-dim", "64", "--units", "8:32", "--frameworks", "keras,torch"]
    )
    texts = [t.text for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")]  # noqa: S314
    assert "GRU parameters on 64 inputs" in texts
    assert f"keras: {LayerSpec('gru', 32, 64).params:,}" in texts
    assert f"pytorch: {LayerSpec('gru', 32, 64, framework='pytorch').params:,}" in texts
    with pytest.raises(SystemExit):
        main(["plot", "lstm", "--input-dim", "4", "--units", "9:3"])
    assert "expected LOW:HIGH with 1 <= LOW < HIGH" in capsys.readouterr().err


def test_results_are_short_in_a_plain_repl() -> None:
    model = summary([LayerSpec("embedding", 128, 10000), LayerSpec("lstm", 64, 128)])
    assert repr(model) == "<Summary of 2 layers: 1,329,408 parameters>"
    assert repr(compare(LayerSpec("lstm", 200, 4096))) == (
        "<Comparison of Keras LSTM (3,437,600) across 7 rows>"
    )
