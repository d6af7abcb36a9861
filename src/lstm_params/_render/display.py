"""How results show themselves in notebooks and REPLs, from their own renderings.

A class that has ``to_text()``, ``to_markdown()`` and ``to_html()`` gets IPython's
``_repr_pretty_`` (the text), ``_repr_markdown_`` and ``_repr_html_`` from
:class:`Displayed`, so Jupyter, VS Code and plain IPython show the same numbers
the renderings print.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Displayed"]


class Displayed:
    """Notebook and REPL displays from ``to_text``, ``to_markdown`` and ``to_html``."""

    __slots__ = ()

    if TYPE_CHECKING:  # every subclass renders itself; these say what it provides

        def to_text(self) -> str:
            """The plain-text rendering."""

        def to_markdown(self) -> str:
            """The Markdown rendering."""

        def to_html(self) -> str:
            """The HTML rendering."""

    def _repr_html_(self) -> str:
        """What Jupyter shows as a cell's last expression."""
        return self.to_html()

    def _repr_markdown_(self) -> str:
        """What Markdown front ends (and Jupyter, when asked) show."""
        return self.to_markdown()

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:  # noqa: ANN401, FBT001 - IPython's protocol
        """What IPython's terminal shows: the text rendering."""
        printer.text(repr(self) if cycle else self.to_text())
