"""The command line, through main([...]): every command, format and error path."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from lstm_params import LayerSpec, __version__, compare, count_macs, max_units, summary_from_file
from lstm_params._cli import main

if TYPE_CHECKING:
    from pathlib import Path

SPEC_FIELDS = tuple(LayerSpec("lstm", 1, 1).to_dict())  # the constructor's arguments


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_the_readme_main_job(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "lstm", "200", "--input-dim", "4096")
    assert (status, err) == (0, "")
    spec = LayerSpec("lstm", 200, 4096)
    assert out == f"{spec.explain()}\nWeights: 13.11 MiB as float32\n"
    assert "4 * ((200 + 4096 + 1) * 200) = 3,437,600" in out


@pytest.mark.parametrize(
    ("argv", "spec"),
    [
        (
            [
                "gru",
                "128",
                "--input-dim",
                "64",
                "--framework",
                "torch",
                "--bidirectional",
                "--layers",
                "2",
            ],
            LayerSpec("gru", 128, 64, framework="pytorch", bidirectional=True, num_layers=2),
        ),
        (
            ["gru", "8", "--input-dim", "4", "--no-reset-after"],
            LayerSpec("gru", 8, 4, reset_after=False),
        ),
        (
            [
                "lstm",
                "20",
                "--input-dim",
                "10",
                "--framework",
                "tf1",
                "--proj-size",
                "7",
                "--peepholes",
            ],
            LayerSpec("lstm", 20, 10, framework="tensorflow-v1", proj_size=7, peepholes=True),
        ),
        (["rnn", "5", "--input-dim", "3", "--no-bias"], LayerSpec("rnn", 5, 3, bias=False)),
        (
            ["convlstm", "64", "--input-dim", "3", "--kernel-size", "3"],
            LayerSpec("convlstm", 64, 3, kernel_size=3),
        ),
        (
            ["convlstm", "64", "--input-dim", "3", "--kernel-size", "5,"],
            LayerSpec("convlstm", 64, 3, kernel_size=(5,)),
        ),
        (
            ["convlstm", "8", "--input-dim", "3", "--kernel-size", "1x2x3", "--framework", "linen"],
            LayerSpec("convlstm", 8, 3, kernel_size=(1, 2, 3), framework="flax-linen"),
        ),
        (["dense", "10", "--input-dim", "64"], LayerSpec("dense", 10, 64)),
        (
            ["embedding", "128", "--input-dim", "10000", "--framework", "nnx"],
            LayerSpec("embedding", 128, 10000, framework="flax-nnx"),
        ),
    ],
)
def test_layer_commands_in_every_format(
    capsys: pytest.CaptureFixture[str], argv: list[str], spec: LayerSpec
) -> None:
    status, text, _ = run(capsys, *argv)
    assert status == 0
    assert text.startswith(spec.explain())
    status, markdown, _ = run(capsys, *argv, "--format", "markdown")
    assert status == 0
    assert f"`{spec.formula()} = {spec.params:,}`" in markdown
    assert f"| **Total** |  | **{spec.params:,}** | **100.0%** |" in markdown
    status, raw, _ = run(capsys, *argv, "--format", "json", "--dtype", "int8")
    assert status == 0
    data = json.loads(raw)
    assert data["params"] == spec.params
    assert LayerSpec(**{k: data[k] for k in SPEC_FIELDS}) == spec
    assert [(w["name"], tuple(w["shape"]), w["size"]) for w in data["weights"]] == [
        (w.name, w.shape, w.size) for w in spec.weights()
    ]
    assert data["memory"]["weights_bytes"] == spec.params
    assert set(data) == {
        *SPEC_FIELDS,
        "type",
        "params",
        "output_dim",
        "formula",
        "legend",
        "note",
        "weights",
        "memory",
    }


def test_compare_command(capsys: pytest.CaptureFixture[str]) -> None:
    expected = compare(LayerSpec("lstm", 200, 4096))
    assert run(capsys, "compare", "lstm", "200", "--input-dim", "4096") == (0, f"{expected}\n", "")
    _, markdown, _ = run(
        capsys, "compare", "lstm", "200", "--input-dim", "4096", "--format", "markdown"
    )
    assert markdown == f"{expected.to_markdown()}\n"
    _, raw, _ = run(capsys, "compare", "gru", "200", "--input-dim", "4096", "--format", "json")
    assert json.loads(raw) == compare(LayerSpec("gru", 200, 4096)).to_dict()


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_macs_command(capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    argv = ["macs", "lstm", "200", "--input-dim", "4096", "--seq-len", "16", "--format", fmt]
    status, out, err = run(capsys, *argv)
    assert (status, err) == (0, "")
    ours = count_macs(LayerSpec("lstm", 200, 4096), seq_len=16)
    thop = count_macs(
        LayerSpec("lstm", 200, 4096, framework="pytorch"), seq_len=16, convention="thop"
    )
    if fmt == "json":
        data = json.loads(out)
        assert data["figures"][0] == ours.to_dict()
        assert data["figures"][2] == thop.to_dict()
        assert data["skipped"] == []
    else:
        assert f"{ours.macs:,}" in out
        assert f"{thop.macs:,}" in out
        assert "The peer tools profile the layer as a PyTorch module." in out


def test_macs_command_one_convention_and_packed(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "macs",
        "gru",
        "8",
        "--input-dim",
        "4",
        "--framework",
        "torch",
        "--convention",
        "thop",
        "--lengths",
        "3,2",
    )
    spec = LayerSpec("gru", 8, 4, framework="pytorch")
    assert status == 0
    assert out.startswith("PyTorch nn.GRU, 5 steps\n")
    assert f"{count_macs(spec, lengths=[3, 2], convention='thop').macs:,}" in out
    status, out, _ = run(capsys, "macs", "dense", "8", "--input-dim", "4")
    assert status == 0
    assert out.startswith("Keras Dense, 1 step\n")
    assert "ptflops: convention=ptflops: ptflops profiles torch.nn.LSTM" in out
    status, _, err = run(
        capsys, "macs", "lstm", "8", "--input-dim", "4", "--convention", "torchinfo"
    )
    assert status == 2
    assert "torchinfo profiles torch.nn.LSTM, GRU and RNN modules" in err


def test_compare_command_with_steps(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "compare", "rnn", "8", "--input-dim", "4", "--seq-len", "3", "--batch", "2"
    )
    assert status == 0
    assert out == f"{compare(LayerSpec('rnn', 8, 4), seq_len=3, batch=2)}\n"


def test_max_units_command(capsys: pytest.CaptureFixture[str]) -> None:
    units = max_units(10**6, 4096)
    best, wider = LayerSpec("lstm", units, 4096), LayerSpec("lstm", units + 1, 4096)
    assert run(capsys, "max-units", "1000000", "--input-dim", "4096") == (
        0,
        (
            f"{units} units: Keras LSTM has {best.params:,} parameters "
            f"(budget 1,000,000; {units + 1} would have {wider.params:,})\n"
        ),
        "",
    )
    status, markdown, _ = run(
        capsys, "max-units", "1000000", "--input-dim", "4096", "--format", "markdown"
    )
    assert status == 0
    assert markdown.startswith(f"**{units}**: Keras LSTM has ")
    argv = ["max-units", "100000", "--input-dim", "8", "--kind", "convlstm", "--kernel-size", "3"]
    status, raw, _ = run(capsys, *argv, "--format", "json")
    assert status == 0
    data = json.loads(raw)
    assert data["num_units"] == max_units(100000, 8, "convlstm", kernel_size=3)
    assert data["params"] <= data["budget"] < data["next_params"]
    status, text, _ = run(capsys, *argv)
    assert status == 0
    assert text.startswith(f"{data['num_units']} filters: Keras ConvLSTM2D has ")


def test_summary_command(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "model.toml"
    path.write_text(
        '[[layers]]\nkind = "embedding"\nnum_units = 128\ninput_dim = 10000\n'
        '[[layers]]\nkind = "lstm"\nnum_units = 64\n[[layers]]\nkind = "dense"\nnum_units = 1\n'
    )
    model = summary_from_file(path)
    assert run(capsys, "summary", str(path)) == (0, f"{model}\n", "")
    assert run(capsys, "summary", str(path), "--weights")[1] == f"{model.to_text(weights=True)}\n"
    assert (
        run(capsys, "summary", str(path), "--format", "markdown")[1] == f"{model.to_markdown()}\n"
    )
    assert json.loads(run(capsys, "summary", str(path), "--format", "json")[1]) == model.to_dict()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["lstm", "0", "--input-dim", "5"], "UNITS must be a positive integer, got 0"),
        (
            ["lstm", "20", "--input-dim", "5", "--proj-size", "5"],
            "--proj-size 5: keras has no projection",
        ),
        (
            ["lstm", "x", "--input-dim", "5"],
            "argument UNITS: expected a whole number (at most 30 digits), got 'x'",
        ),
        (["lstm", "20"], "the following arguments are required: --input-dim"),
        (
            ["lstm", "20", "--input-dim", "5", "--framework", "flax"],
            "framework 'flax' is ambiguous",
        ),
        (
            ["gru", "20", "--input-dim", "5", "--format", "yaml"],
            "argument --format: invalid choice: 'yaml'",
        ),
        (
            ["convlstm", "20", "--input-dim", "5", "--kernel-size", "3xa"],
            "argument --kernel-size: expected K, KxK, KxKxK, or K, for one dimension",
        ),
        (["convlstm", "20", "--input-dim", "5"], "--kernel-size is required for convlstm layers"),
        (
            ["compare", "lstm", "20", "--input-dim", "5", "--layers", "0"],
            "--layers must be a positive integer, got 0",
        ),
        (["max-units", "10", "--input-dim", "4096"], "budget=10 is too small"),
        (
            [
                "max-units",
                "1000",
                "--input-dim",
                "4",
                "--framework",
                "pytorch",
                "--proj-size",
                "-1",
            ],
            "--proj-size must be an integer >= 0, got -1",
        ),
        (["summary", "missing.toml"], "missing.toml: cannot read"),
        (
            ["macs", "convlstm", "4", "--input-dim", "3", "--kernel-size", "3"],
            "a ConvLSTM's MACs depend on the frames' spatial size",
        ),
        (["inspect", "missing.keras"], "missing.keras: cannot read"),
        (["transformer", "3"], "argument COMMAND: invalid choice: 'transformer'"),
        ([], "the following arguments are required: COMMAND"),
    ],
)
def test_errors_are_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("lstm-params: error: ")
    assert message in err


def test_version_and_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"lstm-params {__version__}\n"
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    assert "lstm-params lstm 200 --input-dim 4096" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["convlstm", "--help"])
    assert "--kernel-size K" in capsys.readouterr().out
    with pytest.raises(SystemExit):  # each command offers only the options that apply to it
        main(["dense", "--help"])
    help_text = capsys.readouterr().out
    assert "--no-bias" in help_text
    assert "--peepholes" not in help_text
    assert "--kernel-size" not in help_text
    assert "examples:" in help_text


def test_a_closed_pipe_ends_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    read, write = os.pipe()
    os.close(read)
    stream = os.fdopen(write, "w", encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stream)
    try:
        assert main(["lstm", "200", "--input-dim", "4096"]) == 1
        stream.write("more")
        stream.flush()  # the descriptor now points at os.devnull: no error
    finally:
        stream.close()


def test_main_module_runs_the_command_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["lstm-params", "dense", "1", "--input-dim", "64"])
    with pytest.raises(SystemExit) as exited:
        runpy.run_module("lstm_params", run_name="__main__")
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("Keras Dense, 1 unit on 64 inputs: 65 parameters")


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lstm_params", "lstm", "200", "--input-dim", "4096"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "3,437,600 parameters" in done.stdout
    failed = subprocess.run(
        [sys.executable, "-m", "lstm_params", "lstm", "-1", "--input-dim", "4096"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (failed.returncode, failed.stdout) == (2, "")
    assert failed.stderr == "lstm-params: error: UNITS must be a positive integer, got -1\n"
