"""A tiny arithmetic expression that renders both with numbers and with names.

The closed-form formula of every layer is built once as such an expression; its
``value`` is tested against the sum of the layer's weights, and the same tree
renders the explanation (``4 * ((200 + 4096 + 1) * 200)``) and its legend
(``gates * ((units + input_dim + biases) * units)``).
"""

from __future__ import annotations

import dataclasses
import math

__all__ = ["Expr", "Product", "Quantity", "Sum", "add", "mul"]


@dataclasses.dataclass(frozen=True, slots=True)
class Quantity:
    """A named number, e.g. ``Quantity("units", 200)``."""

    symbol: str
    value: int

    def render(self, *, symbolic: bool) -> str:
        """The number, or with ``symbolic`` its name."""
        return self.symbol if symbolic else str(self.value)


@dataclasses.dataclass(frozen=True, slots=True)
class Sum:
    """``a + b + ...``."""

    terms: tuple[Expr, ...]

    @property
    def value(self) -> int:
        """The sum of the terms."""
        return sum(term.value for term in self.terms)

    def render(self, *, symbolic: bool) -> str:
        """Terms joined by ``+``; a sum never needs parentheses inside a sum."""
        return " + ".join(term.render(symbolic=symbolic) for term in self.terms)


@dataclasses.dataclass(frozen=True, slots=True)
class Product:
    """``a * b * ...``; compound factors are parenthesised."""

    factors: tuple[Expr, ...]

    @property
    def value(self) -> int:
        """The product of the factors."""
        return math.prod(factor.value for factor in self.factors)

    def render(self, *, symbolic: bool) -> str:
        """Factors joined by ``*``, each compound factor in parentheses."""
        return " * ".join(_factor(f, symbolic=symbolic) for f in self.factors)


Expr = Quantity | Sum | Product


def _factor(expr: Expr, *, symbolic: bool) -> str:
    text = expr.render(symbolic=symbolic)
    return text if isinstance(expr, Quantity) else f"({text})"


def add(*terms: Expr) -> Expr:
    """The sum of ``terms``, nested sums flattened; a single term stands alone."""
    flat = tuple(t for term in terms for t in (term.terms if isinstance(term, Sum) else (term,)))
    return flat[0] if len(flat) == 1 else Sum(flat)


def mul(*factors: Expr) -> Expr:
    """The product of ``factors``; a single factor stands alone."""
    return factors[0] if len(factors) == 1 else Product(factors)
