"""The text of ``LayerSpec.explain()``: total, formula, legend, weights, note."""

from __future__ import annotations

from lstm_params._conventions import CONVENTIONS
from lstm_params._kinds import FACTS

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lstm_params._spec import LayerSpec

__all__ = ["explain"]


def explain(spec: LayerSpec) -> str:
    """Render ``spec`` as a short, aligned explanation (see ``LayerSpec.explain``)."""
    total = spec.params
    lines = [
        f"{spec.framework.display_name} {spec.layer_name}, {_sizes(spec)}: {total:,} parameters",
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
    lines += [f"  {line}" for line in CONVENTIONS[spec.framework].gates_lines(spec)]
    lines.append(spec.note)
    return "\n".join(lines)


def _sizes(spec: LayerSpec) -> str:
    facts = FACTS[spec.kind]
    return facts.sizes.format(
        units=_count(spec.num_units, facts.units), inputs=_count(spec.input_dim, facts.inputs)
    )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _shape(shape: tuple[int, ...]) -> str:
    return f"({shape[0]},)" if len(shape) == 1 else f"({', '.join(map(str, shape))})"
