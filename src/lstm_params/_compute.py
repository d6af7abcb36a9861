"""``count_macs()``: compute per step and per sequence, ours and every peer tool's.

Our convention ("lstm_params"), per time step, per direction, per layer (a cell
reading ``in`` inputs, with ``G`` gates, ``H`` units, recurrent width ``R`` =
``proj_size`` or ``H``, projection ``P``, ``b`` bias vectors per gate):

* MACs, the multiply-accumulates of the matrix products:
  ``G*H*in`` (input) + ``G*H*R`` (recurrent) + ``P*H`` (projection);
* FLOPs: ``2 * MACs`` (one multiply and one add each) + ``b*G*H`` bias additions
  + the element-wise work per unit: LSTM 9 (3 sigmoids and 2 tanh, ``f*c + i*g``
  as 3, ``o*tanh(c)`` as 1), GRU 7 (2 sigmoids and 1 tanh, ``r*(...)`` as 1,
  ``n + z*(h - n)`` as 3), vanilla RNN 1 (the tanh).

Layers after the first read ``directions * R`` inputs. A sequence costs the step
figure times ``seq_len * batch``, or, for a packed batch (``lengths``), times the
sum of the real lengths: padding is not work. A dense layer costs ``in * units``
MACs (``2 * in * units + units`` FLOPs with its bias) per input vector; an
embedding is a lookup (0).

The peer conventions reproduce what each tool reports for the same PyTorch
module and input, omissions included (see :data:`RULES`).
"""

from __future__ import annotations

import dataclasses
import enum

from ._conventions import CONVENTIONS
from ._conventions._base import repeats
from ._errors import InvalidSpecError
from ._kinds import FACTS, Kind
from ._render.display import Displayed
from ._render.table import Row, Table
from ._spec import LayerSpec, in_framework
from ._validation import as_size
from ._vocabulary import Framework

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

__all__ = [
    "RULES",
    "SHORT",
    "Compute",
    "MacsConvention",
    "as_pytorch",
    "compute_table",
    "count_macs",
    "every_convention",
]


class MacsConvention(enum.StrEnum):
    """Whose way of counting: ours, or a peer tool's (its version in :data:`RULES`)."""

    LSTM_PARAMS = "lstm_params"
    PTFLOPS = "ptflops"
    THOP = "thop"
    TORCHINFO = "torchinfo"
    TORCHPROFILE = "torchprofile"
    CALFLOPS = "calflops"
    FVCORE = "fvcore"


#: each peer tool's version and the rule it applies to nn.LSTM / nn.GRU / nn.RNN
RULES: dict[MacsConvention, str] = {
    MacsConvention.LSTM_PARAMS: "matrix MACs per real step; FLOPs add biases and element-wise work",
    MacsConvention.PTFLOPS: (
        "ptflops 0.7.5, pytorch backend, per sample: weight_ih and weight_hh sizes, both "
        "biases and element-wise terms (LSTM 10, GRU 7, RNN 1 per unit), per step; "
        "ignores weight_hr and the batch; no PackedSequence"
    ),
    MacsConvention.THOP: (
        "ultralytics-thop 2.2.3: a cell formula per layer and direction (LSTM "
        "4*((in+R)*H + H + 2H*bias) + 4H + H*P) times seq_len*batch, or the packed "
        "batch's real steps"
    ),
    MacsConvention.TORCHINFO: (
        "torchinfo 1.8.0 total_mult_adds: every parameter once per (seq_len * batch); "
        "no PackedSequence"
    ),
    MacsConvention.TORCHPROFILE: (
        "torchprofile 0.1.0: aten::lstm only, 4*h*(in+h) per layer and direction with h "
        "the output width (proj_size when set); GRU and RNN count 0; no PackedSequence"
    ),
    MacsConvention.CALFLOPS: (
        "calflops 0.3.2: FLOPs as ptflops' terms with matrix products as 2*rows*cols - rows; "
        "MACs 0; no PackedSequence"
    ),
    MacsConvention.FVCORE: (
        "fvcore 0.1.5: aten::lstm, aten::gru and aten::rnn_* are unsupported ops: 0 "
        "(one fused multiply-add is one flop); no PackedSequence"
    ),
}

#: the same rules in a few words, for tables
SHORT: dict[MacsConvention, str] = {
    MacsConvention.LSTM_PARAMS: "ours: matrix MACs; FLOPs add biases and element-wise work",
    MacsConvention.PTFLOPS: "per sample; biases and element-wise terms; no weight_hr",
    MacsConvention.THOP: "a cell formula per real step",
    MacsConvention.TORCHINFO: "every parameter once per step",
    MacsConvention.TORCHPROFILE: "aten::lstm only; GRU and RNN count 0",
    MacsConvention.CALFLOPS: "FLOPs only, 2*rows*cols - rows per product",
    MacsConvention.FVCORE: "recurrent ops unsupported: 0",
}

# The peers' element-wise work per unit and step (ours is in the kinds' table).
_PTFLOPS = {Kind.LSTM: 10, Kind.GRU: 7, Kind.RNN: 1}  # also calflops'
_PACKED = {MacsConvention.LSTM_PARAMS, MacsConvention.THOP}


@dataclasses.dataclass(frozen=True, slots=True)
class Compute(Displayed):
    """MACs and FLOPs of a layer over ``steps`` cell evaluations, by one convention.

    ``flops`` is None for a tool that reports MACs only.
    """

    convention: MacsConvention
    macs: int
    flops: int | None
    steps: int

    def __str__(self) -> str:
        """``3,437,600 MACs, 6,877,000 FLOPs (lstm_params)``."""
        flops = "FLOPs not reported" if self.flops is None else f"{self.flops:,} FLOPs"
        return f"{self.macs:,} MACs, {flops} ({self.convention})"

    def to_text(self) -> str:
        """One line: the figures and the steps."""
        return f"{self}, {self.steps:,} step{'s' * (self.steps != 1)}"

    def to_markdown(self) -> str:
        """A one-row table with the rule."""
        return compute_table([self]).markdown()

    def to_html(self) -> str:
        """A one-row table with the rule, escaped."""
        return compute_table([self]).html("lstm-params-compute")

    def to_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "convention": str(self.convention),
            "macs": self.macs,
            "flops": self.flops,
            "steps": self.steps,
            "rule": RULES[self.convention],
        }


def count_macs(
    spec: LayerSpec,
    *,
    seq_len: int = 1,
    batch: int = 1,
    lengths: Sequence[int] | None = None,
    convention: MacsConvention | str = MacsConvention.LSTM_PARAMS,
) -> Compute:
    """MACs and FLOPs of ``spec`` over a sequence, in ``convention``.

    >>> one_step = count_macs(LayerSpec("lstm", 200, 4096))
    >>> one_step.macs, one_step.flops   # 4*200*(4096+200); 2*MACs + 800 + 9*200
    (3436800, 6876200)
    >>> count_macs(LayerSpec("lstm", 200, 4096), seq_len=16).macs == 16 * one_step.macs
    True
    >>> torch = LayerSpec("lstm", 200, 4096, framework="pytorch")
    >>> count_macs(torch, convention="ptflops").macs
    3440400
    >>> count_macs(torch, lengths=[16, 9, 4]).steps   # packed: real steps only
    29
    """
    if not isinstance(spec, LayerSpec):
        msg = f"spec must be a LayerSpec, got {type(spec).__name__} {spec!r:.60}"
        raise TypeError(msg)
    rule = _parse(convention)
    real = _steps(seq_len, batch, lengths)
    if lengths is not None and rule not in _PACKED:
        msg = (
            f"lengths: {rule} does not take a packed batch (PackedSequence); give seq_len and batch"
        )
        raise InvalidSpecError(msg)
    if rule is MacsConvention.LSTM_PARAMS:
        ours_macs, ours_flops = _ours(spec)
        return Compute(rule, ours_macs * real, ours_flops * real, real)
    if spec.framework is not Framework.PYTORCH or spec.kind not in _PTFLOPS:
        msg = (
            f"convention={rule}: {rule} profiles torch.nn.LSTM, GRU and RNN modules; describe "
            f"the layer with framework='pytorch' (got {spec.framework.value} {spec.kind.value})"
        )
        raise InvalidSpecError(msg)
    if rule is MacsConvention.PTFLOPS:  # per sample: the batch does not count
        return Compute(rule, _ptflops(spec) * seq_len, None, seq_len)
    macs, flops = _PEERS[rule](spec)
    return Compute(rule, macs * real, None if flops is None else flops * real, real)


def _parse(convention: object) -> MacsConvention:
    if not isinstance(convention, str):
        msg = f"convention must be a string, got {type(convention).__name__} {convention!r:.60}"
        raise TypeError(msg)
    try:
        return MacsConvention(convention.strip().lower().replace("ultralytics-", ""))
    except ValueError:
        allowed = ", ".join(repr(c.value) for c in MacsConvention)
        msg = f"convention must be one of {allowed}; got {convention!r}"
        raise InvalidSpecError(msg) from None


def _steps(seq_len: int, batch: int, lengths: Sequence[int] | None) -> int:
    """Cell evaluations: the rectangle ``seq_len * batch``, or the packed batch's real steps."""
    steps, size = as_size("seq_len", seq_len), as_size("batch", batch)
    if lengths is None:
        return steps * size
    if isinstance(lengths, str | bytes) or not hasattr(lengths, "__len__") or len(lengths) == 0:
        msg = f"lengths must be a non-empty sequence of sizes, got {lengths!r:.60}"
        raise InvalidSpecError(msg)
    real = [as_size(f"lengths[{i}]", n) for i, n in enumerate(lengths)]
    if size not in {1, len(real)} or steps not in {1, max(real)}:
        msg = (
            f"seq_len={steps}, batch={size} do not fit lengths={real!r:.60}: leave them out "
            f"or give seq_len={max(real)}, batch={len(real)}"
        )
        raise InvalidSpecError(msg)
    return sum(real)


def _cells(spec: LayerSpec) -> list[tuple[int, int, int, int, int]]:
    """``(count, gates, units, input width, recurrent width)`` of each distinct cell.

    A stack's layers after the first are alike, so this has at most two entries
    whatever ``num_layers`` is: every figure below is a closed form.
    """
    gates = spec.gates or 1
    convention = CONVENTIONS[spec.framework]
    return [
        (count, gates, spec.num_units, width, spec.recurrent_width)
        for count, width in repeats(spec, convention)
    ]


def _ours(spec: LayerSpec) -> tuple[int, int]:
    elementwise = FACTS[spec.kind].elementwise
    if elementwise is None:
        msg = (
            f"a {FACTS[spec.kind].title}'s MACs depend on the frames' spatial size, "
            "which a LayerSpec does not hold"
        )
        raise InvalidSpecError(msg)
    macs, adds = CONVENTIONS[spec.framework].products(spec)
    cells = sum(count for count, *_ in _cells(spec)) if FACTS[spec.kind].recurrent else 0
    return macs, 2 * macs + adds + elementwise * spec.num_units * cells


def _ptflops(spec: LayerSpec) -> int:
    bias = 2 * spec.bias
    return sum(
        count
        * (gates * units * (width + recurrent) + _PTFLOPS[spec.kind] * units + bias * gates * units)
        for count, gates, units, width, recurrent in _cells(spec)
    )


def _thop(spec: LayerSpec) -> tuple[int, None]:
    bias = 2 * spec.bias
    total = 0
    for count, _, units, width, recurrent in _cells(spec):
        state = (width + recurrent) * units + units + bias * units
        if spec.kind is Kind.LSTM:
            total += count * (4 * state + 4 * units + units * spec.proj_size)
        elif spec.kind is Kind.GRU:
            total += count * (3 * state + 4 * units)
        else:
            total += count * state
    return total, None


def _torchinfo(spec: LayerSpec) -> tuple[int, None]:
    return spec.params, None


def _torchprofile(spec: LayerSpec) -> tuple[int, None]:
    if spec.kind is not Kind.LSTM:
        return 0, None
    return sum(
        count * 4 * recurrent * (width + recurrent)
        for count, _, _, width, recurrent in _cells(spec)
    ), None


def _calflops(spec: LayerSpec) -> tuple[int, int]:
    bias = 2 * spec.bias
    flops = sum(
        count
        * (
            (2 * gates * units * width - gates * units)
            + (2 * gates * units * recurrent - gates * units)
            + _PTFLOPS[spec.kind] * units
            + bias * gates * units
        )
        for count, gates, units, width, recurrent in _cells(spec)
    )
    return 0, flops


def _fvcore(spec: LayerSpec) -> tuple[int, int]:  # noqa: ARG001 - every recurrent op is unsupported
    return 0, 0


def as_pytorch(spec: LayerSpec) -> LayerSpec:
    """The same layer as a PyTorch module (its own GRU kind): what the peer tools profile.

    An option PyTorch lacks (peepholes, a ConvLSTM) is an :class:`InvalidSpecError`.
    """
    return LayerSpec(**in_framework(spec, Framework.PYTORCH))


def every_convention(spec: LayerSpec, *, seq_len: int = 1, batch: int = 1) -> tuple[Compute, ...]:
    """The layer as a PyTorch module under every convention; none if it is no such module."""
    if spec.kind not in _PTFLOPS:
        return ()
    try:
        torch = as_pytorch(spec)
    except InvalidSpecError:  # a peephole LSTM: not a torch module
        return ()
    return tuple(
        count_macs(torch, seq_len=seq_len, batch=batch, convention=c) for c in MacsConvention
    )


def compute_table(figures: Sequence[Compute]) -> Table:
    """One row per convention: MACs, FLOPs (or "-"), and the rule."""
    body = tuple(
        Row(
            (
                str(c.convention),
                f"{c.macs:,}",
                "-" if c.flops is None else f"{c.flops:,}",
                SHORT[c.convention],
            )
        )
        for c in figures
    )
    return Table(("Convention", "MACs", "FLOPs", "Rule"), "lrrl", body)


_PEERS: dict[MacsConvention, Callable[[LayerSpec], tuple[int, int | None]]] = {
    MacsConvention.THOP: _thop,
    MacsConvention.TORCHINFO: _torchinfo,
    MacsConvention.TORCHPROFILE: _torchprofile,
    MacsConvention.CALFLOPS: _calflops,
    MacsConvention.FVCORE: _fvcore,
}
