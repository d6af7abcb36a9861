"""The docs integrations: a tiny Sphinx project (reST and MyST) and an MkDocs site, built live.

The seed's number is the user's: Keras LSTM(200) on 4096 inputs has 3,437,600
parameters; PyTorch's nn.LSTM(4096, 200) 3,438,400 (golden data).
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import frameworks
import pytest

pytestmark = pytest.mark.conformance

MODEL = Path(__file__).parent / "data" / "torch" / "tagger-checkpoint.pt"

CONF = """\
extensions = ["lstm_params.sphinx", "myst_parser"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
"""
INDEX = """\
Seed
====

.. lstm-params:: lstm 200 --input-dim 4096

Keras says :lstm-params:`lstm 200 --input-dim 4096` parameters.

.. lstm-params:: inspect model.pt

.. toctree::

   page
"""
PAGE = """\
# MyST

```{lstm-params} compare lstm 200 --input-dim 4096
```

PyTorch says {lstm-params}`lstm 200 --input-dim 4096 --framework pytorch` parameters.
"""


def _sphinx(tmp_path: Path, index: str) -> tuple[int, str]:
    """Build the project in this process (so coverage sees the extension): status, warnings."""
    build = frameworks.require("sphinx.cmd.build")
    frameworks.require("myst_parser")
    source = tmp_path / "docs"
    source.mkdir()
    (source / "conf.py").write_text(CONF)
    (source / "index.rst").write_text(index)
    (source / "page.md").write_text(PAGE)
    (source / "model.pt").write_bytes(MODEL.read_bytes())
    warnings = io.StringIO()
    with contextlib.redirect_stderr(warnings):
        status = build.build_main(
            ["-W", "-q", "-E", "-b", "html", str(source), str(tmp_path / "html")]
        )
    return status, warnings.getvalue()


def test_sphinx_and_myst_render_the_seed_table_and_numbers(tmp_path: Path) -> None:
    status, warnings = _sphinx(tmp_path, INDEX)
    assert status == 0, warnings
    index = (tmp_path / "html" / "index.html").read_text()
    assert '<table class="lstm-params-summary"' in index
    assert "3,437,600" in index
    assert "Keras says 3,437,600 parameters." in index
    assert "encoder (nn.LSTM)" in index  # the file, relative to the document
    page = (tmp_path / "html" / "page.html").read_text()
    assert '<table class="lstm-params-comparison"' in page
    assert "PyTorch says 3,438,400 parameters." in page


@pytest.mark.parametrize(
    ("line", "said"),
    [
        (
            ".. lstm-params:: lstm 0 --input-dim 4096",
            "lstm-params lstm 0 --input-dim 4096: num_units must be a positive integer, got 0",
        ),
        ("Bad :lstm-params:`lstm 200` role.", "lstm-params lstm 200: not a valid command line"),
    ],
)
def test_a_failing_command_is_a_build_error_under_w(tmp_path: Path, line: str, said: str) -> None:
    status, warnings = _sphinx(tmp_path, f"Bad\n===\n\n{line}\n\n.. toctree::\n\n   page\n")
    assert status != 0
    assert said in warnings


def test_mkdocs_macros_render_the_seed_table(tmp_path: Path) -> None:
    commands = frameworks.require("mkdocs.commands.build")
    config = frameworks.require("mkdocs.config")
    frameworks.require("mkdocs_macros")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text(
        '{{ lstm_params("lstm 200 --input-dim 4096") }}\n\n'
        'Total: {{ lstm_params_total("compare lstm 200 --input-dim 4096") }}\n'
    )
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: seed\nplugins:\n  - macros:\n      modules: [lstm_params.mkdocs]\n"
    )
    commands.build(config.load_config(str(tmp_path / "mkdocs.yml")))
    html = (tmp_path / "site" / "index.html").read_text()
    assert "<table>" in html
    assert "3,437,600" in html
    assert "Total: 3,437,600" in html
