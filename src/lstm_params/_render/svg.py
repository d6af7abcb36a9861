"""Pictures as SVG text, with the standard library: a layer's weights, and totals against width.

:func:`layer_svg` draws one direction of one layer as its framework stores it:
each tensor a band, cut into the gate blocks in the framework's order
(columns for Keras and TensorFlow 1, rows for PyTorch and ONNX, one tensor per
gate for Flax's per-gate cells), each block labelled with its gate, shape and
count. Band sizes grow with the square root of the rows they hold, so a 4096-row
kernel and a 200-row one both stay readable. :func:`params_chart_svg` plots the
total against ``num_units`` for several frameworks. Both are valid SVG 1.1 with
a ``<title>`` and ``<desc>`` for screen readers; every text is escaped.
"""

from __future__ import annotations

import html
import math
import zlib

from lstm_params._conventions import CONVENTIONS
from lstm_params._conventions._base import Role
from lstm_params._kinds import FACTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from lstm_params._conventions._base import Cell
    from lstm_params._spec import LayerSpec

__all__ = ["layer_svg", "params_chart_svg"]

WIDTH = 640  # px: fits a docs page's text column
_FILLS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948")
_FONT = 'font-family="sans-serif" font-size="12"'


def _text(x: float, y: float, text: str, *, anchor: str = "middle", extra: str = "") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {_FONT}{extra}>'
        f"{html.escape(text)}</text>"
    )


def _document(width: int, height: float, title: str, desc: str, body: list[str]) -> str:
    uid = f"lstm-params-{zlib.crc32((title + desc).encode()):08x}"  # unique within a page
    return "\n".join(
        [
            (
                f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height:.0f}" '
                f'viewBox="0 0 {width} {height:.0f}" role="img" '
                f'aria-labelledby="{uid}-title {uid}-desc">'
            ),
            f'<title id="{uid}-title">{html.escape(title)}</title>',
            f'<desc id="{uid}-desc">{html.escape(desc)}</desc>',
            '<rect width="100%" height="100%" fill="white"/>',
            *body,
            "</svg>",
        ]
    )


def _shape(shape: tuple[int, ...]) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"


def layer_svg(spec: LayerSpec) -> str:
    """One direction of one layer of ``spec``, as its framework lays out the weights."""
    convention = CONVENTIONS[spec.framework]
    cell = convention.cell(spec, spec.input_dim)
    pairs = () if spec.custom else convention.gate_order.get(spec.kind, ())
    order = [label for label, _ in pairs]
    # a gate has one colour in every framework's picture: its place in the kind's own order
    colours = [_FILLS[FACTS[spec.kind].gate_names.index(meaning)] for _, meaning in pairs]
    blocks = convention.gate_blocks.get(spec.kind, "tensors") if order else "tensors"
    title = f"{spec.framework.display_name} {spec.layer_name}: {spec.params:,} parameters"
    desc = f"{spec.formula()} = {spec.params:,}. " + (
        f"Gate order {', '.join(order)} along the {blocks}." if order else "One band per tensor."
    )
    body = [_text(WIDTH / 2, 22, title, extra=' font-weight="bold"'), _text(WIDTH / 2, 38, desc)]
    draw = _columns if blocks == "rows" else _rows
    bottom = draw(spec, cell, (order, colours), blocks, body, top=52.0)
    note = (
        f"one direction of one layer; the layer has {2 if spec.bidirectional else 1} "
        f"direction(s) and {spec.num_layers} layer(s)"
    )
    body.append(_text(WIDTH / 2, bottom + 16, note, extra=' font-style="italic"'))
    return _document(WIDTH, bottom + 28, title, desc, body)


Box = tuple[float, float, float, float]  # x, y, width, height


def _block(body: list[str], box: Box, fill: str, label: str) -> None:
    x, y, width, height = box
    body.append(
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{width - 2:.1f}" height="{height - 2:.1f}" '
        f'fill="{fill}" fill-opacity="0.75" stroke="#333" stroke-width="0.5"/>'
    )
    body.append(_text(x + width / 2, y + height / 2 + 4, label, extra=' fill="black"'))


def _fill(colours: list[str], piece: int, pieces: int, index: int) -> str:
    """The gate's colour for a gate block, else the tensor's own."""
    return colours[piece % len(colours)] if pieces > 1 else _FILLS[index % len(_FILLS)]


def _label(order: list[str], piece: int, pieces: int, size: int) -> str:
    return f"{order[piece % len(order)]}: {size:,}" if pieces > 1 else f"{size:,}"


def _rows(  # noqa: PLR0913 - the picture's parts, drawn into body
    spec: LayerSpec,
    cell: Cell,
    gates: tuple[list[str], list[str]],
    blocks: str,
    body: list[str],
    *,
    top: float,
) -> float:
    """Tensors as horizontal bands, stacked; gate blocks side by side (Keras' columns)."""
    left, usable = 200.0, WIDTH - 210.0
    scale = 260 / math.sqrt(sum(math.prod(s[:-1]) or 1 for _, s, _ in cell))
    y = top
    for index, (name, shape, role) in enumerate(cell):
        rows = math.prod(shape[:-1]) if len(shape) > 1 else 1
        height = max(22.0, scale * math.sqrt(rows)) if role is not Role.BIAS else 22.0
        body.append(_text(left - 8, y + height / 2 + 4, f"{name} {_shape(shape)}", anchor="end"))

        def beside(piece: int, pieces: int, y: float = y, height: float = height) -> Box:
            width = usable / pieces
            return left + piece * width, y, width, height

        _tensor(body, (spec, shape, role, blocks), gates, index, beside)
        y += height + 4
    return y


def _columns(  # noqa: PLR0913 - the picture's parts, drawn into body
    spec: LayerSpec,
    cell: Cell,
    gates: tuple[list[str], list[str]],
    blocks: str,
    body: list[str],
    *,
    top: float,
) -> float:
    """Tensors as vertical bands, side by side; gate blocks stacked (PyTorch's rows)."""
    left, usable, height = 20.0, WIDTH - 40.0, 300.0
    widths = [math.sqrt(s[-1]) if len(s) > 1 else 0.0 for _, s, _ in cell]
    minimum = 70.0
    scale = (usable - minimum * len(cell)) / (sum(widths) or 1)
    x = left
    for index, ((name, shape, role), extra) in enumerate(zip(cell, widths, strict=True)):
        width = minimum + scale * extra
        body.append(_text(x + width / 2, top + 12, name))
        body.append(_text(x + width / 2, top + 26, _shape(shape)))

        def stacked(piece: int, pieces: int, x: float = x, width: float = width) -> Box:
            tall = height / pieces
            return x, top + 32 + piece * tall, width, tall

        _tensor(body, (spec, shape, role, blocks), gates, index, stacked)
        x += width + 2
    return top + 32 + height


def _tensor(
    body: list[str],
    tensor: tuple[LayerSpec, tuple[int, ...], object, str],
    gates: tuple[list[str], list[str]],
    index: int,
    box: Callable[[int, int], Box],
) -> None:
    """One tensor's gate blocks (or one block), each where ``box(piece, pieces)`` puts it."""
    spec, shape, role, blocks = tensor
    pieces = _pieces(spec, shape, role, blocks)
    size = math.prod(shape) // pieces
    for piece in range(pieces):
        fill = _fill(gates[1], piece, pieces, index)
        _block(body, box(piece, pieces), fill, _label(gates[0], piece, pieces, size))


def _pieces(spec: LayerSpec, shape: tuple[int, ...], role: object, blocks: str) -> int:
    """How many gate blocks of ``num_units`` a tensor holds along the framework's axis."""
    if blocks == "tensors" or role not in _GATED:
        return 1
    dim = shape[-1] if blocks == "columns" else shape[0]
    return dim // spec.num_units if dim % spec.num_units == 0 else 1


_GATED = (Role.INPUT, Role.RECURRENT, Role.JOINT, Role.BIAS)


def params_chart_svg(
    specs_by_label: Sequence[tuple[str, Sequence[LayerSpec]]], *, title: str
) -> str:
    """A line chart of each series' totals against ``num_units`` (x) on a square-root scale (y)."""
    left, right, top, bottom = 80.0, WIDTH - 140.0, 40.0, 300.0
    units = sorted({s.num_units for _, series in specs_by_label for s in series})
    highest = max(s.params for _, series in specs_by_label for s in series)
    low, high = units[0], units[-1]

    def x_of(value: int) -> float:
        return left + (right - left) * ((value - low) / (high - low) if high > low else 0.5)

    def y_of(value: int) -> float:
        return bottom - (bottom - top) * math.sqrt(value / highest)

    body = [
        _text(WIDTH / 2, 22, title, extra=' font-weight="bold"'),
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#333"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#333"/>',
        _text((left + right) / 2, bottom + 34, "num_units"),
        _text(left - 8, top + 4, f"{highest:,}", anchor="end"),
        _text(left - 8, bottom + 4, "0", anchor="end"),
        _text(left, bottom + 16, f"{low:,}"),
        _text(right, bottom + 16, f"{high:,}"),
    ]
    for index, (label, series) in enumerate(specs_by_label):
        fill = _FILLS[index % len(_FILLS)]
        points = " ".join(f"{x_of(s.num_units):.1f},{y_of(s.params):.1f}" for s in series)
        body.append(f'<polyline points="{points}" fill="none" stroke="{fill}" stroke-width="2"/>')
        last = series[-1]
        body.append(
            _text(
                right + 6,
                y_of(last.params) + 4 + 12 * index,
                f"{label}: {last.params:,}",
                anchor="start",
                extra=f' fill="{fill}"',
            )
        )
    desc = "; ".join(
        f"{label}: {series[-1].params:,} at {high:,} units" for label, series in specs_by_label
    )
    return _document(WIDTH, bottom + 48, title, desc, body)
