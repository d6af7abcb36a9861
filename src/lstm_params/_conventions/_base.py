"""What every framework's convention provides, and what derives from it.

A convention is data about one framework: the kinds it has and the options each
takes there, and the tensors of one direction of one layer (:meth:`Convention.cell`:
local name, shape, and the role each tensor plays). That cell is the one source
of truth: the names of :meth:`Convention.weights`, the closed-form total
(:func:`closed_form`), the formula and its legend, the split by part and the
MACs are all computed from it, in time independent of ``num_layers``.
"""

from __future__ import annotations

import abc
import dataclasses
import enum
import math

from lstm_params._errors import InvalidSpecError
from lstm_params._formula import Expr, Quantity, add, mul
from lstm_params._kinds import FACTS, OPTIONS, Kind
from lstm_params._weight import Weight

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import ClassVar

    from lstm_params._spec import LayerSpec
    from lstm_params._vocabulary import Framework

__all__ = [
    "BIASES",
    "MATRICES",
    "Cell",
    "Convention",
    "Extra",
    "Role",
    "gate_count",
    "repeats",
]

MATRICES = "weight matrices"
BIASES = "bias vectors"


class Role(enum.Enum):
    """What a tensor of a cell is for, in the closed form ``gates * ((R + in + b) * units)``."""

    INPUT = "input"  # input-to-gates matrix: part of gates * in * units
    RECURRENT = "recurrent"  # state-to-gates matrix: part of gates * R * units
    JOINT = "joint"  # one matrix over [inputs, state] (TensorFlow 1)
    BIAS = "bias"  # bias vectors of gates * units each
    TABLE = "table"  # an embedding's lookup table


@dataclasses.dataclass(frozen=True, slots=True)
class Extra:
    """A tensor outside ``gates * (...)``: what it is and its size in symbols.

    ``factors`` are symbols of :data:`SYMBOLS` or integer literals whose product
    is the tensor's size; ``product`` marks a matrix product (a projection),
    which counts as MACs.
    """

    description: str
    factors: tuple[str, ...]
    product: bool = False


#: a cell: ``(local name, shape, role)`` per tensor of one direction of one layer
Cell = tuple[tuple[str, tuple[int, ...], "Role | Extra"], ...]

_MATRIX_ROLES = frozenset({Role.INPUT, Role.RECURRENT, Role.JOINT, Role.TABLE})


class Convention(abc.ABC):
    """One framework's layout of the layer kinds it has.

    A subclass sets :attr:`options` (the kinds it has, and for each the options
    it takes there), and implements :meth:`cell`, :meth:`tensor_name`,
    :meth:`layer_name` and :attr:`notes`.
    """

    framework: ClassVar[Framework]
    #: the kinds this framework has, each with the ``LayerSpec`` options it takes
    options: ClassVar[Mapping[Kind, frozenset[str]]]
    #: the GRU ``reset_after`` values the framework has; the first is its default
    reset_after: ClassVar[tuple[bool, ...]] = (True,)
    #: the ``return_sequences`` values the framework's layers have; the first is the default
    return_sequences: ClassVar[tuple[bool, ...]] = (True,)
    #: whether ``cell=True`` is a bare cell called once per step (PyTorch, nnx), not a layer
    bare_cells: ClassVar[bool] = False
    #: one sentence on what makes this framework's count what it is, by kind
    notes: ClassVar[Mapping[Kind, str]]

    # ----------------------------------------------------------------- checks
    def check(self, spec: LayerSpec) -> None:
        """Raise InvalidSpecError for an option this framework does not have."""
        name, kind = self.framework.value, spec.kind.value
        taken = self.options.get(spec.kind)
        if taken is None:
            have = ", ".join(repr(k.value) for k in Kind if k in self.options)
            msg = f"kind {kind!r} does not exist in {name}; it has {have}"
            raise InvalidSpecError(msg)
        facts = FACTS[spec.kind]
        for option, default in OPTIONS.items():
            value = getattr(spec, option)
            if value == default or (option == "gates" and value == facts.gates):
                continue
            if option in _NORMALISED and facts.takes(option):
                continue  # normalised to the framework's default; checked below
            if not facts.takes(option):
                takers = _listing([FACTS[k].title for k in Kind if FACTS[k].takes(option)])
                msg = (
                    f"{option}={value!r} applies to {takers} layers only; "
                    f"leave it {default!r} for {kind}"
                )
                raise InvalidSpecError(msg)
            if option not in taken:
                lacks = _LACKS[option].format(name=name, kind=kind, gates=facts.gates)
                msg = f"{option}={value!r}: {lacks}"
                raise InvalidSpecError(msg)
        if spec.return_sequences is not None and (
            spec.return_sequences not in self.return_sequences or self.steps_one(spec.cell)
        ):
            msg = (
                f"return_sequences={spec.return_sequences}: {name} {kind} "
                f"{'cells return one step' if spec.cell else 'layers return every step'}; "
                "leave it None"
            )
            raise InvalidSpecError(msg)
        if spec.kind is Kind.GRU and spec.reset_after not in self.reset_after:
            allowed = " or ".join(map(str, self.reset_after))
            msg = (
                f"reset_after={spec.reset_after}: {name} GRU layers have reset_after={allowed} only"
            )
            raise InvalidSpecError(msg)
        self.check_more(spec)

    def steps_one(self, cell: bool) -> bool:  # noqa: FBT001 - a field's value
        """Whether ``cell=True`` here is a bare cell, called once per step (no sequences)."""
        return cell and self.bare_cells

    def check_more(self, spec: LayerSpec) -> None:  # noqa: B027 - optional hook
        """Checks of one framework only; none by default."""

    # ---------------------------------------------------------------- tensors
    @abc.abstractmethod
    def cell(self, spec: LayerSpec, width: int) -> Cell:
        """The tensors of one direction of one layer that reads ``width`` inputs."""

    @abc.abstractmethod
    def tensor_name(self, spec: LayerSpec, layer: int, direction: int, local: str) -> str:
        """The framework's full name of the cell tensor ``local`` of ``layer`` and ``direction``."""

    @abc.abstractmethod
    def layer_name(self, spec: LayerSpec) -> str:
        """The class people write in this framework, e.g. ``nn.LSTM``."""

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """Every tensor, in the framework's names, shapes and order."""
        return tuple(
            Weight(self.tensor_name(spec, layer, direction, local), shape)
            for layer, direction, width in self.layers_and_directions(spec)
            for local, shape, _ in self.cell(spec, width)
        )

    def layers_and_directions(self, spec: LayerSpec) -> Iterator[tuple[int, int, int]]:
        """Yield ``(layer, direction, input width)`` of every cell, in the usual order.

        This lists every cell, so it grows with ``num_layers``: only :meth:`weights`
        uses it; totals use :func:`repeats`.
        """
        directions = 2 if spec.bidirectional else 1
        rest = self.stacked_width(spec)
        for layer in range(spec.num_layers):
            width = spec.input_dim if layer == 0 else rest
            for direction in range(directions):
                yield layer, direction, width

    def stacked_width(self, spec: LayerSpec) -> int:
        """What a layer after the first reads: directions times the recurrent width."""
        return (2 if spec.bidirectional else 1) * spec.recurrent_width

    # ------------------------------------------------------- derived from cell
    def params(self, spec: LayerSpec) -> int:
        """The total, in closed form: each distinct cell's size times its :func:`repeats`."""
        prod = math.prod
        directions = 2 if spec.bidirectional else 1
        first = self.cell(spec, spec.input_dim)
        total = directions * sum([prod(shape) for _, shape, _ in first])
        if spec.num_layers > 1:
            rest = self.cell(spec, self.stacked_width(spec))
            total += (spec.num_layers - 1) * directions * sum([prod(shape) for _, shape, _ in rest])
        return total

    def parts(self, spec: LayerSpec) -> dict[str, int]:
        """The total split by what it pays for: weight matrices, bias vectors, extras."""
        found = {MATRICES: 0, BIASES: 0}
        for count, width in repeats(spec, self):
            for _, shape, role in self.cell(spec, width):
                part = _part(role)
                found[part] = found.get(part, 0) + count * math.prod(shape)
        return found

    def bias_vectors(self, spec: LayerSpec) -> int:
        """Bias vectors of ``gates * units`` per direction (Keras one, PyTorch two)."""
        cell = self.cell(spec, spec.input_dim)
        biases = sum(math.prod(shape) for _, shape, role in cell if role is Role.BIAS)
        return biases // (max(spec.gates or 1, 1) * spec.num_units)

    def products(self, spec: LayerSpec) -> tuple[int, int]:
        """Multiply-accumulates and bias additions of one step of every layer and direction."""
        macs = adds = 0
        for count, width in repeats(spec, self):
            for _, shape, role in self.cell(spec, width):
                size = count * math.prod(shape)
                if role is Role.BIAS:
                    adds += size
                elif (role in _MATRIX_ROLES and role is not Role.TABLE) or (
                    isinstance(role, Extra) and role.product
                ):
                    macs += size
        return macs, adds

    def formula(self, spec: LayerSpec) -> Expr:
        """The closed form, layer by layer and direction by direction, as an expression."""
        directions = Quantity("directions", 2 if spec.bidirectional else 1)
        first = self._cell_expr(spec, Quantity("input_dim", spec.input_dim))
        total = first if directions.value == 1 else mul(directions, first)
        if spec.num_layers > 1:
            width = self.stacked_width(spec)
            symbol = "directions * proj_size" if spec.proj_size else "directions * units"
            rest = self._cell_expr(spec, Quantity(symbol, width))
            times = Quantity(
                "(num_layers - 1) * directions", (spec.num_layers - 1) * directions.value
            )
            total = add(total, rest if times.value == 1 else mul(times, rest))
        return total

    def _cell_expr(self, spec: LayerSpec, inputs: Quantity) -> Expr:
        cell = self.cell(spec, inputs.value)
        units = Quantity("units", spec.num_units)
        roles = {role for _, _, role in cell}
        if Role.TABLE in roles:
            core: Expr = mul(inputs, units)
        else:
            widths: Expr = inputs
            if roles & {Role.RECURRENT, Role.JOINT}:
                state = Quantity("proj_size", spec.proj_size) if spec.proj_size else units
                widths = add(state, inputs)
            if spec.kernel_size is not None:
                sides = (Quantity(f"kernel_size[{i}]", k) for i, k in enumerate(spec.kernel_size))
                widths = mul(*sides, widths)
            gates = spec.gates or 1
            biases = sum(math.prod(s) for _, s, role in cell if role is Role.BIAS)
            if biases:
                widths = add(widths, Quantity("biases", biases // (gates * spec.num_units)))
            core = mul(widths, units)
            if spec.gates:
                core = mul(Quantity("gates", gates), core)
        return add(core, *_extras(spec, cell))


def _part(role: Role | Extra) -> str:
    if isinstance(role, Extra):
        return role.description
    return BIASES if role is Role.BIAS else MATRICES


#: the values of the symbols extras are written in
SYMBOLS = {"units": "num_units", "proj_size": "proj_size"}


def _extras(spec: LayerSpec, cell: Cell) -> list[Expr]:
    """Each extra description's tensors as ``count * factors``, in order of appearance."""
    groups: dict[str, list[Extra]] = {}
    for _, _, role in cell:
        if isinstance(role, Extra):
            groups.setdefault(role.description, []).append(role)
    terms: list[Expr] = []
    for extras in groups.values():
        factors = [
            Quantity(f, int(f)) if f.isdigit() else Quantity(f, getattr(spec, SYMBOLS[f]))
            for f in extras[0].factors
        ]
        if len(extras) > 1:
            factors.insert(0, Quantity(str(len(extras)), len(extras)))
        terms.append(mul(*factors))
    return terms


def repeats(spec: LayerSpec, convention: Convention) -> tuple[tuple[int, int], ...]:
    """``(count, input width)`` of each distinct cell: the first layer's, then the others'."""
    directions = 2 if spec.bidirectional else 1
    first = (directions, spec.input_dim)
    if spec.num_layers == 1:
        return (first,)
    return first, ((spec.num_layers - 1) * directions, convention.stacked_width(spec))


def gate_count(spec: LayerSpec) -> str:
    """``3 gates``, ``1 gate``: how a custom cell's name says its gate blocks."""
    return f"{spec.gates} gate{'s' * (spec.gates != 1)}"


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


_ONE_CELL = (
    "{name} describes one unidirectional cell; use bidirectional=False, num_layers=1 "
    "and one spec per cell"
)
#: why a framework refuses an option its kind has elsewhere
_LACKS = {
    "gates": (
        "{name} {kind} layers have {gates} gates (it names one tensor per gate, or its "
        "operator fixes them); describe a custom cell in a fused layout (keras, pytorch)"
    ),
    "bias": "{name} {kind} layers always have a bias; use bias=True",
    "bidirectional": _ONE_CELL,
    "num_layers": "{name} describes one layer; use num_layers=1 and one spec per layer",
    "proj_size": "{name} has no projection for {kind} layers; use proj_size=0",
    "peepholes": "{name} has no peephole {kind} layer; use peepholes=False",
    "kernel_size": "{name} {kind} layers have no kernel; leave it None",
    "cudnn": "{name} has no CuDNN {kind} layer (Keras 2 only); use cudnn=False",
    "merge_mode": "{name} concatenates the directions; use merge_mode='concat'",
    "cell": "{name} has no separate {kind} cell class; use cell=False",
}
#: options that take the framework's default when None, so never "set" by the user alone
_NORMALISED = frozenset({"reset_after", "reset_gate", "return_sequences"})
