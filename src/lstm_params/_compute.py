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
import math

from ._conventions import CONVENTIONS
from ._conventions._base import repeats
from ._errors import InvalidSpecError
from ._kinds import FACTS, Kind
from ._peers import Situation, tool_figures
from ._render.display import Displayed
from ._render.table import Row, Table
from ._spec import LayerSpec
from ._validation import as_flag, as_size
from ._vocabulary import Framework

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
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
    TORCH_FLOP_COUNTER = "torch_flop_counter"


#: each peer tool's version and its rule (every situation: see ``lstm_params._peers``)
RULES: dict[MacsConvention, str] = {
    MacsConvention.LSTM_PARAMS: "matrix MACs per real step; FLOPs add biases and element-wise work",
    MacsConvention.PTFLOPS: (
        "ptflops 0.7.5, pytorch backend: weight_ih and weight_hh sizes, both biases and "
        "element-wise terms (LSTM 10, GRU 7, RNN 1 per unit) per step, the sum divided by "
        "the input's first dimension; ignores weight_hr; no PackedSequence"
    ),
    MacsConvention.THOP: (
        "ultralytics-thop 2.2.3: a cell formula per layer and direction (LSTM "
        "4*((in+R)*H + H + 2H*bias) + 4H + H*P) per real step; Linear in*output.numel()"
    ),
    MacsConvention.TORCHINFO: (
        "torchinfo 1.8.0 total_mult_adds: every parameter times the output's first two "
        "dimensions per call (Linear and Embedding: the first); no PackedSequence input"
    ),
    MacsConvention.TORCHPROFILE: (
        "torchprofile 0.1.0: aten::lstm only, 4*R*(in+R) per layer and direction; GRU and "
        "RNN modules count 0; cells traced as linear and mul; no PackedSequence input"
    ),
    MacsConvention.CALFLOPS: (
        "calflops 0.3.2: FLOPs as ptflops' terms with matrix products as 2*rows*cols - rows; "
        "MACs 0 for recurrent layers; no PackedSequence"
    ),
    MacsConvention.FVCORE: (
        "fvcore 0.1.5: aten::lstm, aten::gru and aten::rnn_* are unsupported ops: 0; cells "
        "and Linear as aten::linear (one multiply-add is one flop); no PackedSequence input"
    ),
    MacsConvention.TORCH_FLOP_COUNTER: (
        "torch 2.13 FlopCounterMode get_total_flops(): 2*m*k*n per matrix product, biases "
        "not counted; a plain nn.LSTM on the CPU runs fused: 0 (on meta it counts)"
    ),
}

#: the same rules in a few words, for tables
SHORT: dict[MacsConvention, str] = {
    MacsConvention.LSTM_PARAMS: "ours: matrices; FLOPs add biases, element-wise work",
    MacsConvention.PTFLOPS: "per input row; biases, element-wise; no weight_hr",
    MacsConvention.THOP: "a cell formula per real step",
    MacsConvention.TORCHINFO: "every parameter once per output row",
    MacsConvention.TORCHPROFILE: "aten::lstm only; GRU and RNN count 0",
    MacsConvention.CALFLOPS: "FLOPs only, 2*rows*cols - rows per product",
    MacsConvention.FVCORE: "recurrent ops unsupported: 0",
    MacsConvention.TORCH_FLOP_COUNTER: "FLOPs 2*m*k*n; a fused CPU LSTM: 0",
}


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


def count_macs(  # noqa: PLR0913 - the situation's every aspect, keyword-only
    spec: LayerSpec,
    *,
    seq_len: int = 1,
    batch: int = 1,
    lengths: Sequence[int] | None = None,
    convention: MacsConvention | str = MacsConvention.LSTM_PARAMS,
    batch_first: bool = True,
    unbatched: bool = False,
    packing: str = "input",
    device: str = "cpu",
) -> Compute:
    """MACs and FLOPs of ``spec`` over a sequence, in ``convention``.

    The situation: ``seq_len`` steps of ``batch`` sequences (``unbatched``: one
    ``(seq_len, input)`` tensor, or ``(input,)`` for one call of a cell), laid out
    batch first or, as PyTorch's default, sequence first (``batch_first=False``);
    a cell (``cell=True``) is called ``seq_len`` times by a Python loop; ``lengths``
    is a packed batch, handed to the module (``packing="input"``) or packed inside
    ``forward`` from the padded batch (``"inside"``); ``device`` is ``"cpu"`` or
    ``"meta"``. Our convention counts the real work and does not depend on the
    layout; each peer tool's reproduces what it reports for the layer as a PyTorch
    module run that way, and refuses, with the tool's own error, what the tool cannot run.

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
    >>> cell = LayerSpec("lstm", 20, 10, framework="pytorch", cell=True)  # 5 calls, batch 3
    >>> [count_macs(cell, seq_len=5, batch=3, convention=c).macs for c in ("fvcore", "torchinfo")]
    [36000, 768000]
    """
    if not isinstance(spec, LayerSpec):
        msg = f"spec must be a LayerSpec, got {type(spec).__name__} {spec!r:.60}"
        raise TypeError(msg)
    rule = _parse(convention)
    run = _situation(
        spec, seq_len, batch, lengths, batch_first=batch_first, unbatched=unbatched,
        packing=packing, device=device,
    )  # fmt: skip
    steps = run.calls * run.rows if spec.cell else _real_steps(spec, run)
    if rule is MacsConvention.LSTM_PARAMS:
        ours_macs, ours_flops = _ours(spec)
        return Compute(rule, ours_macs * steps, ours_flops * steps, steps)
    torch = _as_module(spec, rule)
    macs, flops = tool_figures(rule.value, torch, run)
    return Compute(rule, macs, flops, steps)


def _real_steps(spec: LayerSpec, run: Situation) -> int:
    """Cell evaluations of a layer (not a cell): packed rows or the rectangle."""
    if not FACTS[spec.kind].recurrent:
        return math.prod(run.shape[:-1]) if spec.kind is Kind.DENSE else math.prod(run.shape)
    return run.steps


def _situation(  # noqa: PLR0913
    spec: LayerSpec,
    seq_len: int,
    batch: int,
    lengths: Sequence[int] | None,
    *,
    batch_first: bool,
    unbatched: bool,
    packing: str,
    device: str,
) -> Situation:
    """The input and calls of the layer as a PyTorch module run this way (checked)."""
    first, flat = as_flag("batch_first", batch_first), as_flag("unbatched", unbatched)
    if packing not in {"input", "inside"} or device not in {"cpu", "meta"}:
        msg = (
            f"packing must be 'input' or 'inside' and device 'cpu' or 'meta'; "
            f"got packing={packing!r:.40}, device={device!r:.40}"
        )
        raise InvalidSpecError(msg)
    total = _steps(seq_len, batch, lengths)
    t, b = as_size("seq_len", seq_len), as_size("batch", batch)
    if lengths is not None:
        t, b = max(lengths), len(lengths)  # checked by _steps
    if flat and (b != 1 or lengths is not None):
        msg = f"unbatched=True is one sequence: use batch=1 and no lengths (got batch={b})"
        raise InvalidSpecError(msg)
    width = spec.input_dim
    if not FACTS[spec.kind].recurrent:
        features = () if spec.kind is Kind.EMBEDDING else (width,)
        steps = (b, t) if first else (t, b)
        shape = features if flat else ((b, *features) if t == 1 else (*steps, *features))
        return Situation(shape or (1,), (shape or (1,))[0], device=device)
    if spec.cell:
        if lengths is not None:
            msg = "lengths: a cell takes one step per call, not a packed batch"
            raise InvalidSpecError(msg)
        one = (width,) if flat else (b, width)
        top = one[0] if t == 1 else (b if first else t)
        return Situation(one, top, calls=t, device=device)
    shape = (t, width) if flat else ((b, t, width) if first else (t, b, width))
    if lengths is None:
        return Situation(shape, shape[0], device=device)
    uneven = len(set(lengths)) > 1
    return Situation(shape, shape[0], packed=total, packing=packing, uneven=uneven, device=device)


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


def as_pytorch(spec: LayerSpec) -> LayerSpec:
    """The same layer as a PyTorch module: what the peer tools profile.

    A PyTorch spec is itself. Another framework's layer becomes the ``torch.nn``
    module that computes the same thing: a Keras ``RNN(LSTMCell)`` is an
    ``nn.LSTM``, a CuDNN layer its ``nn.LSTM``/``nn.GRU``; what PyTorch cannot
    build (a Keras GRU with ``reset_after=False``, peepholes, a ConvLSTM, a
    custom gate count outside a fused layout) is an :class:`InvalidSpecError` saying so.
    """
    if spec.framework is Framework.PYTORCH:
        return spec
    bare = CONVENTIONS[spec.framework].steps_one(spec.cell)
    return LayerSpec(
        **spec.to_dict()
        | {
            "framework": Framework.PYTORCH,
            "cudnn": False,
            "merge_mode": "concat",
            "return_sequences": None,
            "cell": bare,
        }
    )


def _as_module(spec: LayerSpec, rule: MacsConvention) -> LayerSpec:
    try:
        return as_pytorch(spec)
    except InvalidSpecError as error:
        msg = (
            f"convention={rule}: {rule} profiles torch.nn modules, and PyTorch has no "
            f"{spec.layer_name} like this: {error}"
        )
        raise InvalidSpecError(msg) from None


def every_convention(spec: LayerSpec, *, seq_len: int = 1, batch: int = 1) -> tuple[Compute, ...]:
    """A recurrent layer under every convention that can count it (the others left out)."""
    if not FACTS[spec.kind].recurrent:
        return ()
    found = []
    for convention in MacsConvention:
        try:
            found.append(count_macs(spec, seq_len=seq_len, batch=batch, convention=convention))
        except InvalidSpecError:
            continue
    return tuple(found) if len(found) > 1 else ()


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
