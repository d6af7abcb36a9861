"""The text of ``LayerSpec.explain()``: total, formula, legend, weights, note."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._spec import LayerSpec

__all__ = ["explain"]


def explain(spec: LayerSpec) -> str:
    """Render ``spec`` as a short, aligned explanation (see ``LayerSpec.explain``)."""
    total = spec.params
    what = "filters" if spec.kind.value == "convlstm" else "units"
    inputs = "input channels" if spec.kind.value == "convlstm" else "inputs"
    lines = [
        (
            f"{spec.framework.display_name} {spec.layer_name}, {spec.num_units} {what} on "
            f"{spec.input_dim} {inputs}: {total:,} parameters"
        ),
        f"  {spec.formula()} = {total:,}",
        f"  {spec.legend()}",
    ]
    rows = [(w.name, _shape(w.shape), f"{w.size:,}") for w in spec.weights()]
    name_width = max(len(name) for name, _, _ in rows)
    shape_width = max(len(shape) for _, shape, _ in rows)
    size_width = max(len(size) for _, _, size in rows)
    lines += [
        f"  {name:<{name_width}}  {shape:<{shape_width}}  {size:>{size_width}}"
        for name, shape, size in rows
    ]
    lines.append(spec.note)
    return "\n".join(lines)


def _shape(shape: tuple[int, ...]) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"
