"""What every framework's convention provides, and the option checks they share.

A convention is data about one framework: which layer kinds and options it has,
the names and shapes of the tensors it creates (the one source of truth for every
count), and the few numbers of its closed-form formula (gates, bias vectors per
gate, extra terms), which the tests check against the tensors.
"""

from __future__ import annotations

import abc
import math

from ._errors import InvalidSpecError
from ._formula import Expr, Quantity, add, mul
from ._frozen import Frozen, setup
from ._vocabulary import RECURRENT, Framework, Kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import ClassVar

    from ._spec import LayerSpec
    from ._weight import Weight

__all__ = ["GATES", "Convention", "Term", "layers_and_directions"]

GATES: dict[Kind, int] = {Kind.LSTM: 4, Kind.GRU: 3, Kind.RNN: 1, Kind.CONVLSTM: 4}

MATRICES = "weight matrices"
BIASES = "bias vectors"


class Term(Frozen):
    """A part of a cell's count outside ``gates * (...)``, and what it is."""

    __slots__ = _fields = ("description", "expr")
    description: str
    expr: Expr

    def __init__(self, description: str, expr: Expr) -> None:
        setup(self, description=description, expr=expr)


class Convention(abc.ABC):
    """One framework's layout of recurrent layers and the layers around them."""

    framework: ClassVar[Framework]
    kinds: ClassVar[frozenset[Kind]]
    #: kinds whose bias can be switched off
    optional_bias: ClassVar[frozenset[Kind]]
    #: the GRU ``reset_after`` values the framework has, the first is its default
    reset_after: ClassVar[tuple[bool, ...]] = (True,)
    projection: ClassVar[bool] = False
    peepholes: ClassVar[bool] = False
    #: whether one description may hold several layers or two directions
    stacks: ClassVar[bool] = True
    #: one sentence on what makes this framework's count what it is, by kind
    notes: ClassVar[dict[Kind, str]]

    # ----------------------------------------------------------------- checks
    def check(self, spec: LayerSpec) -> None:
        """Raise InvalidSpecError for an option this framework does not have."""
        name, kind = self.framework.value, spec.kind.value
        if spec.kind not in self.kinds:
            have = ", ".join(repr(k.value) for k in Kind if k in self.kinds)
            msg = f"kind {kind!r} does not exist in {name}; it has {have}"
            raise InvalidSpecError(msg)
        if spec.kind not in RECURRENT and (spec.bidirectional or spec.num_layers > 1):
            msg = (
                f"bidirectional={spec.bidirectional}, num_layers={spec.num_layers}: {kind} "
                "layers are not recurrent; use bidirectional=False and num_layers=1"
            )
            raise InvalidSpecError(msg)
        if not spec.bias and spec.kind is Kind.EMBEDDING:
            msg = "bias=False: embedding layers have no bias to switch off; leave bias=True"
            raise InvalidSpecError(msg)
        if not spec.bias and spec.kind not in self.optional_bias:
            msg = f"bias=False: {name} {kind} layers always have a bias"
            raise InvalidSpecError(msg)
        if spec.proj_size and not (self.projection and spec.kind is Kind.LSTM):
            msg = (
                f"proj_size={spec.proj_size}: {name} has no projection for {kind} layers; "
                "use proj_size=0"
            )
            raise InvalidSpecError(msg)
        if spec.peepholes and not (self.peepholes and spec.kind is Kind.LSTM):
            msg = f"peepholes=True: {name} has no peephole {kind} layer"
            raise InvalidSpecError(msg)
        if spec.kind is Kind.GRU and spec.reset_after not in self.reset_after:
            allowed = " or ".join(map(str, self.reset_after))
            msg = (
                f"reset_after={spec.reset_after}: {name} GRU layers have reset_after={allowed} only"
            )
            raise InvalidSpecError(msg)
        if not self.stacks and (spec.bidirectional or spec.num_layers > 1):
            msg = (
                f"bidirectional={spec.bidirectional}, num_layers={spec.num_layers}: "
                f"{name} describes one unidirectional cell; use bidirectional=False, "
                "num_layers=1 and one spec per cell"
            )
            raise InvalidSpecError(msg)
        self.check_more(spec)

    def check_more(self, spec: LayerSpec) -> None:  # noqa: B027 - optional hook
        """Checks of one framework only; none by default."""

    # ---------------------------------------------------------------- weights
    @abc.abstractmethod
    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """Every tensor of the layer, in the framework's names, shapes and order."""

    @abc.abstractmethod
    def layer_name(self, spec: LayerSpec) -> str:
        """The class people write in this framework, e.g. ``nn.LSTM``."""

    # ---------------------------------------------------------------- formula
    def bias_vectors(self, spec: LayerSpec) -> int:
        """Bias vectors of ``units`` elements per gate (Keras one, PyTorch two)."""
        return int(spec.bias)

    def extra_terms(self, spec: LayerSpec) -> tuple[Term, ...]:
        """Terms outside ``gates * (...)``: here the peepholes, three vectors of ``units``.

        Conventions add their own (projections, odd biases).
        """
        if spec.peepholes:
            units = Quantity("units", spec.num_units)
            return (Term("peephole weights", mul(Quantity("3", 3), units)),)
        return ()

    def formula(self, spec: LayerSpec) -> Expr:
        """The closed form, layer by layer and direction by direction."""
        units, inputs = Quantity("units", spec.num_units), Quantity("input_dim", spec.input_dim)
        if spec.kind is Kind.EMBEDDING:
            return mul(inputs, units)
        if spec.kind is Kind.DENSE:
            widths = add(inputs, Quantity("biases", 1)) if spec.bias else inputs
            return mul(widths, units)
        directions = Quantity("directions", 2 if spec.bidirectional else 1)
        first = self._cell(spec, inputs)
        total = first if directions.value == 1 else mul(directions, first)
        if spec.num_layers > 1:
            width = Quantity("directions * units", directions.value * spec.recurrent_width)
            if spec.proj_size:
                width = Quantity("directions * proj_size", width.value)
            repeats = Quantity(
                "(num_layers - 1) * directions", (spec.num_layers - 1) * directions.value
            )
            rest = self._cell(spec, width)
            total = add(total, rest if repeats.value == 1 else mul(repeats, rest))
        return total

    def _cell(self, spec: LayerSpec, inputs: Quantity) -> Expr:
        units = Quantity("units", spec.num_units)
        recurrent = Quantity("proj_size", spec.proj_size) if spec.proj_size else units
        widths: Expr = add(recurrent, inputs)
        if spec.kernel_size is not None:
            sides = (Quantity(f"kernel_size[{i}]", k) for i, k in enumerate(spec.kernel_size))
            widths = mul(*sides, widths)
        biases = self.bias_vectors(spec)
        if biases:
            widths = add(widths, Quantity("biases", biases))
        gated = mul(Quantity("gates", GATES[spec.kind]), mul(widths, units))
        extras = self.extra_terms(spec)
        return add(gated, *(term.expr for term in extras)) if extras else gated

    def parts(self, spec: LayerSpec) -> dict[str, int]:
        """The total split by what it pays for: weight matrices, bias vectors, extras."""
        units = spec.num_units
        if spec.kind not in RECURRENT:
            bias = units if spec.bias and spec.kind is Kind.DENSE else 0
            return {MATRICES: spec.input_dim * units, BIASES: bias}
        gates = GATES[spec.kind]
        volume = math.prod(spec.kernel_size or ())
        found = {MATRICES: 0, BIASES: 0}
        for _, _, width in layers_and_directions(spec):
            found[MATRICES] += gates * volume * (spec.recurrent_width + width) * units
            found[BIASES] += self.bias_vectors(spec) * gates * units
            for term in self.extra_terms(spec):
                found[term.description] = found.get(term.description, 0) + term.expr.value
        return found


def layers_and_directions(spec: LayerSpec) -> Iterator[tuple[int, int, int]]:
    """Yield ``(layer, direction, input width)`` in the frameworks' usual order."""
    directions = 2 if spec.bidirectional else 1
    for layer in range(spec.num_layers):
        width = spec.input_dim if layer == 0 else directions * spec.recurrent_width
        for direction in range(directions):
            yield layer, direction, width
