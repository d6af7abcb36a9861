"""The README's command-line examples run as written (its Python examples are doctests)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from lstm_params._cli import main

README = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")


def _block(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


def _commands() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for block in _block("console"):
        for chunk in block.split("$ ")[1:]:
            command, _, output = chunk.partition("\n")
            found.append((command, output))
    return found


def test_the_readme_has_command_examples_and_a_model_file() -> None:
    assert len(_commands()) >= 5
    assert len(_block("toml")) == 1
    first_screen = README[: README.index("## One layer, every framework")]
    assert "python -m pip install . && lstm-params lstm 200 --input-dim 4096" in first_screen


@pytest.mark.parametrize(("command", "output"), _commands(), ids=[c for c, _ in _commands()])
def test_readme_command(
    command: str,
    output: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "model.toml").write_text(_block("toml")[0])
    monkeypatch.chdir(tmp_path)
    program, *argv = shlex.split(command)
    assert program == "lstm-params"
    status = main(argv)
    out, err = capsys.readouterr()
    if output.startswith("lstm-params: error: "):
        assert (status, out, err) == (2, "", output)
    else:
        assert (status, out, err) == (0, output, "")
