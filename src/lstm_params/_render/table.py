"""One table, three renderings: aligned text, GitHub Markdown, escaped HTML.

Summaries and comparisons build a :class:`Table` of strings once; every
rendering reads the same cells, so the numbers cannot drift apart.
"""

from __future__ import annotations

import dataclasses

__all__ = ["Row", "Table"]


@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One row of cells; a ``detail`` row (a weight under its layer) renders indented."""

    cells: tuple[str, ...]
    _: dataclasses.KW_ONLY
    detail: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Table:
    """Headers, an alignment per column (``"l"`` or ``"r"``), body and footer rows, notes."""

    headers: tuple[str, ...]
    align: str
    body: tuple[Row, ...]
    footer: tuple[Row, ...] = ()
    notes: tuple[str, ...] = ()

    def text(self) -> str:
        """Aligned plain text with rules above and below the body, notes after."""
        rows = [self.headers, *(self._cells(row) for row in (*self.body, *self.footer))]
        widths = [max(len(row[i]) for row in rows) for i in range(len(self.headers))]

        def line(cells: tuple[str, ...]) -> str:
            parts = [
                cell.rjust(width) if align == "r" else cell.ljust(width)
                for cell, width, align in zip(cells, widths, self.align, strict=True)
            ]
            return "  ".join(parts).rstrip()

        rule = "=" * (sum(widths) + 2 * (len(widths) - 1))
        out = [line(self.headers), rule, *(line(self._cells(row)) for row in self.body), rule]
        out += [line(self._cells(row)) for row in self.footer]
        out += self.notes
        return "\n".join(out)

    def markdown(self) -> str:
        """A GitHub-flavoured Markdown table (``|`` escaped), notes as paragraphs."""
        marks = {"l": ":--", "r": "--:"}
        out = [
            _md_row(self.headers),
            "|" + "|".join(marks[a] for a in self.align) + "|",
            *(_md_row(self._cells(row, detail_mark="↳ ")) for row in self.body),
            *(_md_row(tuple(f"**{c}**" if c else "" for c in row.cells)) for row in self.footer),
        ]
        if self.notes:
            out += ["", *(f"{_md_escape(note)}  " for note in self.notes)]
        return "\n".join(out)

    def html(self, css_class: str) -> str:
        """An HTML table, every string escaped; notes in a paragraph after it."""
        import html  # noqa: PLC0415 - imported on use, not with the package

        styles = {"l": "text-align: left", "r": "text-align: right"}

        def row(cells: tuple[str, ...], tag: str, css: str = "") -> str:
            attribute = f' class="{css}"' if css else ""
            inner = "".join(
                f'<{tag} style="{styles[a]}">{html.escape(cell)}</{tag}>'
                for cell, a in zip(cells, self.align, strict=True)
            )
            return f"<tr{attribute}>{inner}</tr>"

        body = "".join(
            row(self._cells(r, detail_mark="\u21b3 "), "td", "weight" if r.detail else "")
            for r in self.body
        )
        parts = [
            f'<table class="{html.escape(css_class)}">',
            f"<thead>{row(self.headers, 'th')}</thead>",
            f"<tbody>{body}</tbody>",
        ]
        if self.footer:
            parts.append(f"<tfoot>{''.join(row(r.cells, 'th') for r in self.footer)}</tfoot>")
        parts.append("</table>")
        if self.notes:
            parts.append(f"<p>{'<br/>'.join(html.escape(note) for note in self.notes)}</p>")
        return "".join(parts)

    @staticmethod
    def _cells(row: Row, detail_mark: str = "  ") -> tuple[str, ...]:
        if not row.detail:
            return row.cells
        return (detail_mark + row.cells[0], *row.cells[1:])


def _md_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|")


def _md_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(_md_escape(cell) for cell in cells) + " |"
