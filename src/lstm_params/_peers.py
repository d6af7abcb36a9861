"""What each peer tool reports for a torch module in a situation: the tools' own rules.

A *situation* is how the module is run: the input's layout (``batch_first``, or
sequence first as PyTorch's default; ``unbatched``), a cell stepped ``seq_len``
times by a Python loop, a packed batch given as the input or packed inside
``forward``, the device. Each tool turns the same module and input into its own
number, omissions and quirks included; the rules below reproduce every figure
of ``tests/data/golden/compute/*.json``, which the tools wrote themselves
(``tests/data/golden/compute/RULES-sequences.md`` explains each, from the tools'
source). A situation a tool cannot run is an :class:`InvalidSpecError` with the
tool's own error.

Notation as there: ``G`` gates, ``H`` units, ``I`` inputs, ``R`` the state's width
(``proj_size`` or ``H``), ``P`` the projection, ``D`` directions, ``b`` the bias flag,
``w`` a layer's input width (``I``, then ``D * R``).
"""

from __future__ import annotations

import dataclasses
import math

from ._conventions import CONVENTIONS
from ._conventions._base import repeats
from ._errors import InvalidSpecError
from ._kinds import Kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import NoReturn

    from ._spec import LayerSpec

__all__ = ["TOOLS", "Situation", "tool_figures"]

_PACKED = "AttributeError: 'PackedSequence' object has no attribute 'shape'"
_ONE_AXIS = "IndexError: tuple index out of range"  # a 1-d cell input's shape[1]
_SIZE_DEVICE = "AttributeError: 'torch.Size' object has no attribute 'device'"
_TUPLE_DIM = "AttributeError: 'tuple' object has no attribute 'dim'"  # a traced PackedSequence
#: ptflops' and calflops' element-wise work per unit and step
_ELEMENTWISE = {Kind.LSTM: 10, Kind.GRU: 7, Kind.RNN: 1}


@dataclasses.dataclass(frozen=True, slots=True)
class Situation:
    """How a module is run: one call's input ``shape``, the calls, the packed rows, the device.

    ``top`` is the first dimension of the profiled module's input (a cell's loop
    wrapper's: ``seq_len`` sequence first, ``batch`` batch first), which ptflops
    divides by; ``packed`` the packed batch's ``sum(lengths)``; ``packing`` where it
    was packed (``"input"`` or ``"inside"``); ``uneven`` whether its lengths differ.
    """

    shape: tuple[int, ...]
    top: int
    calls: int = 1
    packed: int | None = None
    packing: str | None = None
    uneven: bool = False
    device: str = "cpu"

    @property
    def rows(self) -> int:
        """A cell's batch: an unbatched ``(input,)`` is one row."""
        return self.shape[0] if len(self.shape) == 2 else 1  # noqa: PLR2004

    @property
    def steps(self) -> int:
        """Cell evaluations of a module: the packed rows, or the rectangle (unbatched: ``T``)."""
        if self.packed is not None:
            return self.packed
        return self.shape[0] if len(self.shape) == 2 else self.shape[0] * self.shape[1]  # noqa: PLR2004


def _refuse(tool: str, error: str) -> NoReturn:
    """The tool cannot run this situation: say so, with the tool's own error."""
    msg = f"{tool} cannot run this: it fails with {error}"
    raise InvalidSpecError(msg)


def _output(spec: LayerSpec, run: Situation) -> tuple[int, ...]:
    """The shape of the first tensor the module returns (a PackedSequence: its data)."""
    if spec.kind is Kind.EMBEDDING:
        return (*run.shape, spec.num_units)
    if spec.kind is Kind.DENSE or spec.cell:
        return (*run.shape[:-1], spec.num_units)
    width = (2 if spec.bidirectional else 1) * spec.recurrent_width
    if run.packed is not None:
        return (run.packed, width)
    return (*run.shape[:-1], width)


def _widths(spec: LayerSpec) -> list[tuple[int, int]]:
    """``(count, input width)`` of each distinct cell, directions counted: a closed form."""
    return list(repeats(spec, CONVENTIONS[spec.framework]))


def _step(spec: LayerSpec, *, flops: bool) -> int:
    """Ptflops' terms (with ``flops``, calflops') of one step of every layer and direction."""
    g, h, r, bias = spec.gates or 1, spec.num_units, spec.recurrent_width, int(spec.bias)
    widths = [(1, spec.input_dim)] if spec.cell else _widths(spec)
    extra = -2 * g * h if flops else 0  # 2*rows*cols - rows per product, two products
    scale = 2 if flops else 1
    return sum(
        count * (scale * g * h * (w + r) + extra + _ELEMENTWISE[spec.kind] * h + 2 * g * h * bias)
        for count, w in widths
    )


def _ptflops(spec: LayerSpec, run: Situation) -> tuple[int, int | None]:
    """Module hooks, their sum divided by ``top``; on meta, bias products' ``torch.mm`` added."""
    if spec.kind is Kind.EMBEDDING:
        hooks = 0
    elif spec.kind is Kind.DENSE:
        units = spec.num_units
        hooks = (spec.input_dim * units + units * spec.bias) * math.prod(run.shape[:-1])
    elif run.packing:
        _refuse("ptflops", _PACKED)
    elif spec.cell:
        if len(run.shape) == 1:
            _refuse("ptflops", _ONE_AXIS)
        hooks = run.calls * _step(spec, flops=False) * run.shape[0]
    else:
        hooks = _step(spec, flops=False) * run.shape[0] * run.shape[1]
    extra = _meta_mm(spec, run) if run.device == "meta" else 0
    return int(hooks / run.top + extra), None


def _meta_mm(spec: LayerSpec, run: Situation) -> int:
    """On meta, aten::addmm's Python decomposition calls ``torch.mm``, which ptflops patched."""
    if spec.kind is Kind.EMBEDDING or not spec.bias:
        return 0
    if spec.kind is Kind.DENSE:
        return math.prod(run.shape) * spec.num_units
    g, h, r = spec.gates or 1, spec.num_units, spec.recurrent_width
    if spec.cell:
        return run.calls * run.rows * g * h * (spec.input_dim + h)
    return sum(count * g * h * (w + r) for count, w in _widths(spec)) * run.steps


def _thop(spec: LayerSpec, run: Situation) -> tuple[int, int | None]:
    """A cell formula per evaluation; Linear ``in * output.numel()``; Embedding 0."""
    if spec.kind is Kind.EMBEDDING:
        return 0, None
    if spec.kind is Kind.DENSE:
        return spec.input_dim * math.prod(_output(spec, run)), None
    h, p, r, bias = spec.num_units, spec.proj_size, spec.recurrent_width, 2 * spec.num_units

    def cell(width: int) -> int:
        state = (width + r) * h + h + bias * spec.bias
        if spec.kind is Kind.LSTM:
            return 4 * state + 4 * h + h * p
        if spec.kind is Kind.GRU:
            return 3 * state + 4 * h
        return state

    if spec.cell:
        return run.calls * cell(spec.input_dim) * run.rows, None
    return sum(count * cell(w) for count, w in _widths(spec)) * run.steps, None


def _torchinfo(spec: LayerSpec, run: Situation) -> tuple[int, int | None]:
    """Parameters times the output's first dimension (Linear, Embedding) or first two."""
    if run.packing == "input":
        _refuse("torchinfo", _SIZE_DEVICE)
    out = _output(spec, run)
    if spec.kind in {Kind.DENSE, Kind.EMBEDDING}:
        return out[0] * spec.params, None
    return run.calls * spec.params * math.prod(out[:2]), None


def _torchprofile(spec: LayerSpec, run: Situation) -> tuple[int, int | None]:
    """aten::linear and aten::mul of a traced cell; aten::lstm's own formula; the rest 0."""
    if run.packing == "input":
        _refuse("torchprofile", _TUPLE_DIM)
    if spec.kind is Kind.EMBEDDING:
        return 0, None
    if spec.kind is Kind.DENSE:
        return math.prod(run.shape[:-1]) * spec.input_dim * spec.num_units, None
    g, h = spec.gates or 1, spec.num_units
    if spec.cell:  # traced as its decomposition: two aten::linear and the gates' aten::mul
        muls = {Kind.LSTM: 3, Kind.GRU: 2, Kind.RNN: 0}[spec.kind]
        return run.calls * run.rows * (g * h * (spec.input_dim + h) + muls * h), None
    if spec.kind is not Kind.LSTM:
        return 0, None  # aten::gru and aten::rnn_*: no handler
    r = spec.recurrent_width  # the handler reads the hidden size from h_n: R, not H
    per = sum(count * 4 * r * (w + r) for count, w in _widths(spec))
    out = _output(spec, run)
    if run.packed is None and len(run.shape) == 2:  # noqa: PLR2004 - unbatched: unsqueezed
        out = (out[0], 1)
    return out[0] * out[1] * per, None


def _calflops(spec: LayerSpec, run: Situation) -> tuple[int, int | None]:
    """FLOPs as ptflops' terms with products as ``2*rows*cols - rows``, never divided."""
    if spec.kind is Kind.EMBEDDING:
        return 0, 0
    if spec.kind is Kind.DENSE:
        macs = math.prod(run.shape) * spec.num_units
        return macs, 2 * macs
    if run.packing:
        _refuse("calflops", _PACKED)
    if spec.cell:
        if len(run.shape) == 1:
            _refuse("calflops", _ONE_AXIS)
        return 0, run.calls * _step(spec, flops=True) * run.shape[0]
    return 0, _step(spec, flops=True) * run.shape[0] * run.shape[1]


def _fvcore(spec: LayerSpec, run: Situation) -> tuple[int, int | None]:
    """aten::linear: one multiply-add is one flop; aten::lstm, aten::gru, aten::rnn_*: 0."""
    if run.packing == "input":
        _refuse("fvcore", _TUPLE_DIM)
    total = 0
    if spec.kind is Kind.DENSE:
        total = math.prod(run.shape) * spec.num_units
    elif spec.cell:
        g, h = spec.gates or 1, spec.num_units
        total = run.calls * run.rows * g * h * (spec.input_dim + h)
    return total, total


def _flop_counter(spec: LayerSpec, run: Situation) -> tuple[int, int | None]:
    """``2 * m*k*n`` per aten::mm and aten::addmm, bias not counted; no MACs reported."""
    if spec.kind is Kind.EMBEDDING:
        return 0, 0
    if spec.kind is Kind.DENSE:
        return 0, 2 * math.prod(run.shape) * spec.num_units
    g, h = spec.gates or 1, spec.num_units
    if spec.cell:
        return 0, 2 * run.calls * run.rows * g * h * (spec.input_dim + h)
    fused = spec.kind is Kind.LSTM and not spec.proj_size and not run.uneven
    if run.device == "cpu" and fused:  # oneDNN's fused LSTM runs no aten::mm
        return 0, 0
    r, p = spec.recurrent_width, spec.proj_size
    matrix = sum(count * (g * h * (w + r) + p * h) for count, w in _widths(spec))
    return 0, 2 * matrix * run.steps


#: each peer tool's rule: its MACs and FLOPs (None: the tool reports none) for a situation
TOOLS: dict[str, Callable[[LayerSpec, Situation], tuple[int, int | None]]] = {
    "ptflops": _ptflops,
    "thop": _thop,
    "torchinfo": _torchinfo,
    "torchprofile": _torchprofile,
    "calflops": _calflops,
    "fvcore": _fvcore,
    "torch_flop_counter": _flop_counter,
}


def tool_figures(tool: str, spec: LayerSpec, run: Situation) -> tuple[int, int | None]:
    """``tool``'s MACs and FLOPs for the PyTorch module ``spec`` run as ``run``."""
    return TOOLS[tool](spec, run)
