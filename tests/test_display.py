"""Every result shows itself in notebooks (HTML, Markdown) and IPython (pretty text)."""

from __future__ import annotations

import pytest

from lstm_params import LayerSpec, count_macs, memory


class Printer:
    """IPython's pretty printer, as far as ``_repr_pretty_`` uses it."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def text(self, text: str) -> None:
        self.written.append(text)


SEED = LayerSpec("lstm", 200, 4096)  # the user's Keras LSTM(200) on 4096 inputs: 3,437,600


@pytest.mark.parametrize(
    ("value", "text", "html", "markdown"),
    [
        (
            SEED,
            "3,437,600 parameters",
            "<strong>Keras LSTM: 3,437,600 parameters</strong>",
            "| lstm (LSTM) |",
        ),
        (
            memory(SEED),
            "13.11 MiB of float32 weights",
            "<p>13.11 MiB of float32 weights</p>",
            "13.11 MiB",
        ),
        (count_macs(SEED), "3,436,800 MACs", "<td", "| lstm_params | 3,436,800 |"),
    ],
    ids=["LayerSpec", "Memory", "Compute"],
)
def test_results_display_themselves(value: object, text: str, html: str, markdown: str) -> None:
    printer = Printer()
    value._repr_pretty_(printer, False)  # type: ignore[attr-defined]  # noqa: FBT003
    assert text in printer.written[0]
    assert html in value._repr_html_()  # type: ignore[attr-defined]
    assert markdown in value._repr_markdown_()  # type: ignore[attr-defined]
    value._repr_pretty_(printer, True)  # type: ignore[attr-defined]  # noqa: FBT003
    assert printer.written[1] == repr(value)


def test_names_are_escaped_in_html() -> None:
    assert "<b>" not in LayerSpec("dense", 2, 1).to_html().replace("<br/>", "")
