r"""One table, four renderings: aligned text, GitHub Markdown, escaped HTML, CSV.

Summaries and comparisons build a :class:`Table` of strings once; every
rendering reads the same cells, so the numbers cannot drift apart.

Cells may hold names from files written by strangers. Text and Markdown pass
every cell and note through :func:`printable`, the one sanitiser: control and
format characters are shown escaped (``\x1b``, ``\u202e``), as is the ``<`` that
would open an HTML tag or comment (``\x3c!--``), and a cell is cut
to :data:`NAME_WIDTH` characters with an ellipsis, so no name can add, hide or
reorder rows, colour the terminal or widen the table past that. Markdown also
escapes what it would read as markup or HTML. HTML escapes every string itself.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

__all__ = ["NAME_WIDTH", "Row", "Table", "printable"]

#: characters of a cell (a name with its type) in text and Markdown tables
NAME_WIDTH = 80
_NOTE_WIDTH = 4 * NAME_WIDTH
# Unicode categories shown escaped: controls, format characters (bidi overrides,
# zero-width joiners), surrogates, private use, unassigned, line and paragraph separators.
_UNSAFE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_MARKDOWN = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "`": "\\`",
        "*": "\\*",
        "[": "\\[",
        "]": "\\]",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
    }
)

# An underscore is markup only beside a non-alphanumeric (GFM's flanking rule):
# ``lstm_params`` stays as it is, ``_hidden_`` is escaped.
_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")

_MARKUP = re.compile(r"<(?=[!/?A-Za-z])")


def printable(text: str, *, width: int = NAME_WIDTH) -> str:
    r"""``text`` safe to show on one line: unsafe characters escaped, cut to ``width``.

    >>> printable("lstm\x1b[8m\nTotal")
    'lstm\\x1b[8m\\x0aTotal'
    >>> printable("<!-- hidden")
    '\\x3c!-- hidden'
    >>> printable("x" * 100, width=10)
    'xxxxxxxxx…'
    """
    head = text[: width + 1]
    if not (head.isascii() and head.isprintable()):
        head = "".join(_escape(c) if unicodedata.category(c) in _UNSAFE else c for c in head)
    if "<" in head:  # text is pasted into Markdown and HTML: no tag or comment opens there
        head = _MARKUP.sub(r"\\x3c", head)
    return head if len(head) <= width else head[: max(width - 1, 0)] + "…"


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:  # noqa: PLR2004
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"  # noqa: PLR2004


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
        headers = _printable(self.headers)
        body = [_printable(self._cells(row)) for row in self.body]
        footer = [_printable(row.cells) for row in self.footer]
        widths = [
            max(len(row[i]) for row in [headers, *body, *footer]) for i in range(len(headers))
        ]

        def line(cells: tuple[str, ...]) -> str:
            parts = [
                cell.rjust(width) if align == "r" else cell.ljust(width)
                for cell, width, align in zip(cells, widths, self.align, strict=True)
            ]
            return "  ".join(parts).rstrip()

        rule = "=" * (sum(widths) + 2 * (len(widths) - 1))
        out = [line(headers), rule, *(line(row) for row in body), rule]
        out += [line(row) for row in footer]
        out += [printable(note, width=_NOTE_WIDTH) for note in self.notes]
        return "\n".join(out)

    def markdown(self) -> str:
        """A GitHub-flavoured Markdown table (markup and HTML escaped), notes as paragraphs."""
        marks = {"l": ":--", "r": "--:"}
        out = [
            _md_row(_md_cells(_printable(self.headers))),
            "|" + "|".join(marks[a] for a in self.align) + "|",
            *(_md_row(_md_cells(_printable(self._cells(row, "↳ ")))) for row in self.body),
            *(
                _md_row(tuple(f"**{c}**" if c else "" for c in _md_cells(_printable(row.cells))))
                for row in self.footer
            ),
        ]
        if self.notes:
            out += ["", *(f"{_md_escape(printable(n, width=_NOTE_WIDTH))}  " for n in self.notes)]
        return "\n".join(out)

    def html(self, css_class: str) -> str:
        """An HTML table, every string escaped; notes in a paragraph after it."""
        import html  # noqa: PLC0415 - imported on use, not with the package

        # Inline, so the table reads without the page's CSS, in light and dark themes alike:
        # padding, numbers right-aligned in even widths, rules in the text's own colour.
        cell = "padding: 0.2em 0.8em; font-variant-numeric: tabular-nums"
        styles = {"l": f"text-align: left; {cell}", "r": f"text-align: right; {cell}"}
        rule = {"th": "; border-bottom: 1px solid currentColor", "td": ""}

        def row(cells: tuple[str, ...], tag: str, css: str = "") -> str:
            attribute = f' class="{css}"' if css else ""
            inner = "".join(
                f'<{tag} style="{styles[a]}{rule[tag]}">{html.escape(cell)}</{tag}>'
                for cell, a in zip(cells, self.align, strict=True)
            )
            return f"<tr{attribute}>{inner}</tr>"

        body = "".join(
            row(self._cells(r, detail_mark="\u21b3 "), "td", "weight" if r.detail else "")
            for r in self.body
        )
        parts = [
            f'<table class="{html.escape(css_class)}" style="border-collapse: collapse">',
            f"<thead>{row(self.headers, 'th')}</thead>",
            f"<tbody>{body}</tbody>",
        ]
        if self.footer:
            parts.append(f"<tfoot>{''.join(row(r.cells, 'th') for r in self.footer)}</tfoot>")
        parts.append("</table>")
        if self.notes:
            parts.append(f"<p>{'<br/>'.join(html.escape(note) for note in self.notes)}</p>")
        return "".join(parts)

    def csv(self) -> str:
        """Comma-separated values of the headers, body and footer rows (no notes).

        Cells are made safe for spreadsheets too: unsafe characters escaped as in
        text, and a name that would start a formula (``=``, ``+``, ``-``, ``@``)
        prefixed with ``'``; numbers stay numbers.
        """
        import csv  # noqa: PLC0415 - imported on use, not with the package
        import io  # noqa: PLC0415

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_csv_cells(self.headers))
        writer.writerows(_csv_cells(self._cells(row, detail_mark="\u21b3 ")) for row in self.body)
        writer.writerows(_csv_cells(row.cells) for row in self.footer)
        return out.getvalue().rstrip("\n")

    @staticmethod
    def _cells(row: Row, detail_mark: str = "  ") -> tuple[str, ...]:
        if not row.detail:
            return row.cells
        return (detail_mark + row.cells[0], *row.cells[1:])


_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(?:\.[0-9]+)?%?")


def _csv_cells(cells: tuple[str, ...]) -> tuple[str, ...]:
    """Numbers as plain numbers (no thousands commas); a would-be formula quoted."""
    return tuple(_csv_cell(cell) for cell in _printable(cells))


def _csv_cell(cell: str) -> str:
    if _NUMBER.fullmatch(cell):
        return cell.replace(",", "")
    return f"'{cell}" if cell[:1] in {"=", "+", "-", "@"} else cell


def _printable(cells: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(printable(cell) for cell in cells)


def _md_escape(text: str) -> str:
    return _UNDERSCORE.sub(r"\\_", text.translate(_MARKDOWN))


def _md_cells(cells: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_md_escape(cell) for cell in cells)


def _md_row(cells: tuple[str, ...]) -> str:
    return "| " + " | ".join(cells) + " |"
