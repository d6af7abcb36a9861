"""Issue 14's truth: each tool's closed-form rule reproduces every record of sequences.json.

``tests/data/golden/compute/sequences.json`` holds what ptflops, ultralytics-thop,
torchinfo, torchprofile, calflops, fvcore and torch's ``FlopCounterMode`` reported
for torch modules in a situation (``scripts/generate_golden.py compute-sequences``):
cells stepped by a Python loop, the three input layouts, a batch packed inside
``forward``, the meta device, Linear and Embedding alone, whole small models. The
functions below are the rules, written from each tool's source
(``tests/data/golden/compute/RULES-sequences.md``); nothing here imports lstm_params.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import pytest
from golden import GOLDEN

DATA = json.loads((GOLDEN / "compute" / "sequences.json").read_text())
RECORDS: list[dict[str, Any]] = DATA["records"]
TOOLS = ("ptflops", "thop", "torchinfo", "torchprofile", "calflops", "fvcore", "flop_counter")

GATES = {"lstm": 4, "gru": 3, "rnn": 1}
ELEMENTWISE = {"lstm": 10, "gru": 7, "rnn": 1}  # ptflops' and calflops' per unit and step
PACKED = "AttributeError: 'PackedSequence' object has no attribute 'shape'"
NO_SECOND_AXIS = "IndexError: tuple index out of range"  # a 1-d cell input's shape[1]
SIZE_DEVICE = "AttributeError: 'torch.Size' object has no attribute 'device'"
TUPLE_DIM = "AttributeError: 'tuple' object has no attribute 'dim'"  # traced PackedSequence
Figures = dict[str, Any]


class Unsupported(Exception):  # noqa: N818 - the tool's own error, by message
    """The tool raises on this input; ``args[0]`` is its error as recorded."""


@dataclass(frozen=True)
class Layer:
    """A torch recurrent module or cell, or a Linear or an Embedding, from a record's spec."""

    kind: str
    units: int
    inputs: int
    bias: bool = True
    directions: int = 1
    layers: int = 1
    proj: int = 0
    cell: bool = False
    batch_first: bool = False

    @classmethod
    def of(cls, spec: dict[str, Any]) -> Layer:
        return cls(
            spec["kind"],
            spec["num_units"],
            spec["input_dim"],
            spec.get("bias", True),
            2 if spec.get("bidirectional") else 1,
            spec.get("num_layers", 1),
            spec.get("proj_size", 0),
            spec.get("cell", False),
            spec.get("batch_first", False),
        )

    @property
    def recurrent(self) -> int:
        """R: the width of h (proj_size when set)."""
        return self.proj or self.units

    @property
    def widths(self) -> list[int]:
        """Each layer's input width: the input, then directions * R."""
        return [self.inputs] + [self.directions * self.recurrent] * (self.layers - 1)

    @property
    def params(self) -> int:
        g, h, r = GATES[self.kind], self.units, self.recurrent
        per = [g * h * (w + r) + 2 * g * h * self.bias + self.proj * h for w in self.widths]
        return self.directions * sum(per)

    def matrix(self) -> int:
        """The true matrix MACs of one step, all layers and directions: G*H*(in + R) + P*H."""
        g, h, r = GATES[self.kind], self.units, self.recurrent
        return self.directions * sum(g * h * (w + r) + self.proj * h for w in self.widths)


@dataclass(frozen=True)
class Run:
    """What one module sees: its input shape, its calls, its output shape, packed rows."""

    layer: Layer
    shape: tuple[int, ...]  # the input of one call (a cell: one step's slice)
    calls: int = 1  # a cell in a loop: seq_len calls
    packed: int | None = None  # sum(lengths) when the recurrent layer gets a PackedSequence
    packing: str | None = None
    uneven: bool = False  # the packed lengths differ


def _runs(record: dict[str, Any]) -> tuple[list[Run], int]:
    """The modules a record runs and the first dimension of the top module's first input."""
    s = record["situation"]
    t, b = s["seq_len"], s["batch"]
    if "layers" in record:
        return _model_runs(record)
    layer = Layer.of(record["spec"])
    if layer.kind in {"dense", "embedding"}:
        features = () if layer.kind == "embedding" else (layer.inputs,)
        if s["unbatched"]:
            shape: tuple[int, ...] = features
        elif t is None:
            shape = (b, *features)
        else:
            shape = (b, t, *features)
        return [Run(layer, shape)], shape[0]
    if layer.cell:
        one = (layer.inputs,) if s["unbatched"] else (b, layer.inputs)
        if not s["loop"]:
            return [Run(layer, one)], one[0]
        top = b if layer.batch_first else t
        return [Run(layer, one, calls=t)], top
    if s["unbatched"]:
        shape = (t, layer.inputs)
    elif layer.batch_first:
        shape = (b, t, layer.inputs)
    else:
        shape = (t, b, layer.inputs)
    if not s["packing"]:
        return [Run(layer, shape)], shape[0]
    lengths = s["lengths"]
    uneven = len(set(lengths)) > 1
    return [Run(layer, shape, packed=sum(lengths), packing=s["packing"], uneven=uneven)], shape[0]


def _model_runs(record: dict[str, Any]) -> tuple[list[Run], int]:
    """Embedding -> recurrent -> Linear: the runs and the token batch's first dimension."""
    s = record["situation"]
    t, b = s["seq_len"], s["batch"]
    embedding, recurrent, head = (Layer.of(x) for x in record["layers"])
    if s["readout"] == "packed":  # torchinfo's PackPaddedLSTM: (T, B) tokens, head on h_n[-1]
        n = sum(s["lengths"])
        return [
            Run(embedding, (t, b)),
            Run(recurrent, (t, b, recurrent.inputs), packed=n, packing="inside", uneven=True),
            Run(head, (b, head.inputs)),
        ], t
    recurrent = Layer(**{**recurrent.__dict__, "batch_first": True})
    out = recurrent.directions * recurrent.recurrent
    head_input = (b, out) if s["readout"] == "last" else (b, t, out)
    return [
        Run(embedding, (b, t)),
        Run(recurrent, (b, t, recurrent.inputs)),
        Run(head, head_input),
    ], b


def _output(run: Run) -> tuple[int, ...]:
    """The first output tensor's shape (a PackedSequence: its data)."""
    layer = run.layer
    if layer.kind == "embedding":
        return (*run.shape, layer.units)
    if layer.kind == "dense" or layer.cell:
        return (*run.shape[:-1], layer.units)
    width = layer.directions * layer.recurrent
    if run.packed is not None:
        return (run.packed, width)
    return (*run.shape[:-1], width)


def _rows(run: Run) -> int:
    """A cell's batch: an unbatched ``(input,)`` is unsqueezed to one row."""
    return run.shape[0] if len(run.shape) == 2 else 1


def _steps(run: Run) -> int:
    """Cell evaluations: packed rows, or the rectangle (an unbatched layer: seq_len)."""
    if run.packed is not None:
        return run.packed
    return run.shape[0] if len(run.shape) == 2 else run.shape[0] * run.shape[1]


# ---------------------------------------------------------------- the rules
def ptflops(run: Run) -> int:
    """Module hooks; the sum is divided by the top input's first dimension (see ``expected``)."""
    layer = run.layer
    if layer.kind == "embedding":
        return 0
    if layer.kind == "dense":
        return (layer.inputs * layer.units + layer.units * layer.bias) * math.prod(run.shape[:-1])
    if run.packing:
        raise Unsupported(PACKED)
    g, h, r = GATES[layer.kind], layer.units, layer.recurrent
    step = sum(
        g * h * w + g * h * r + ELEMENTWISE[layer.kind] * h + 2 * g * h * layer.bias
        for w in layer.widths
    )
    if layer.cell:
        if len(run.shape) == 1:
            raise Unsupported(NO_SECOND_AXIS)
        return run.calls * step * run.shape[0]
    return step * run.shape[0] * run.shape[1] * layer.directions  # dims 0 and 1, any layout


def thop(run: Run) -> int:
    layer = run.layer
    if layer.kind == "embedding":
        return 0
    if layer.kind == "dense":
        return layer.inputs * math.prod(_output(run))  # in_features * y.numel(): no bias
    h, p, r, bias = layer.units, layer.proj, layer.recurrent, 2 * layer.units * layer.bias

    def cell(width: int) -> int:
        state = (width + r) * h + h + bias
        if layer.kind == "lstm":
            return 4 * state + 4 * h + h * p
        if layer.kind == "gru":
            return 3 * state + 4 * h
        return state

    if layer.cell:
        return run.calls * cell(layer.inputs) * _rows(run)
    return layer.directions * sum(cell(w) for w in layer.widths) * _steps(run)


def torchinfo(run: Run) -> int:
    """Parameters times the output's first dimension (Linear, Embedding) or first two (RNNs)."""
    layer = run.layer
    if run.packing == "input":
        raise Unsupported(SIZE_DEVICE)
    out = _output(run)
    if layer.kind == "dense":
        return out[0] * (layer.inputs * layer.units + layer.units * layer.bias)
    if layer.kind == "embedding":
        return out[0] * layer.inputs * layer.units
    return run.calls * layer.params * math.prod(out[:2])


def torchprofile(run: Run) -> int:
    """aten::linear / matmul MACs, aten::mul elements, aten::lstm's own formula; rest 0."""
    layer = run.layer
    if run.packing == "input":
        raise Unsupported(TUPLE_DIM)
    if layer.kind == "embedding":
        return 0
    if layer.kind == "dense":
        return math.prod(run.shape[:-1]) * layer.inputs * layer.units
    g, h = GATES[layer.kind], layer.units
    if layer.cell:  # traced as its decomposition: two aten::linear and the gates' aten::mul
        rows = _rows(run)
        muls = {"lstm": 3, "gru": 2, "rnn": 0}[layer.kind]
        return run.calls * rows * (g * h * (layer.inputs + h) + muls * h)
    if layer.kind != "lstm":
        return 0  # aten::gru, aten::rnn_tanh: no handler
    r = layer.recurrent  # the handler's hidden_size is h_n's width
    per = sum(4 * r * (w + r) for w in [layer.inputs] + [layer.directions * r] * (layer.layers - 1))
    out = _output(run) if run.packed else _lstm_op_output(run)
    return out[0] * out[1] * layer.directions * per


def _lstm_op_output(run: Run) -> tuple[int, ...]:
    """aten::lstm's output: an unbatched input is unsqueezed to batch 1 before the op."""
    out = _output(run)
    return (out[0], 1, out[1]) if len(run.shape) == 2 else out


def calflops(run: Run) -> tuple[int, int]:
    """(MACs, FLOPs): ptflops' RNN terms with 2*rows*cols - rows per product; F.linear."""
    layer = run.layer
    if layer.kind == "embedding":
        return 0, 0
    if layer.kind == "dense":
        macs = math.prod(run.shape) * layer.units
        return macs, 2 * macs
    if run.packing:
        raise Unsupported(PACKED)
    g, h, r = GATES[layer.kind], layer.units, layer.recurrent
    step = sum(
        (2 * g * h * w - g * h)
        + (2 * g * h * r - g * h)
        + ELEMENTWISE[layer.kind] * h
        + 2 * g * h * layer.bias
        for w in layer.widths
    )
    if layer.cell:
        if len(run.shape) == 1:
            raise Unsupported(NO_SECOND_AXIS)
        return 0, run.calls * step * run.shape[0]
    return 0, step * run.shape[0] * run.shape[1] * layer.directions


def fvcore(run: Run) -> int:
    """aten::linear / addmm / matmul: one multiply-add is one flop; aten::lstm & co: 0."""
    layer = run.layer
    if run.packing == "input":
        raise Unsupported(TUPLE_DIM)
    if layer.kind == "embedding":
        return 0
    if layer.kind == "dense":
        return math.prod(run.shape) * layer.units
    if layer.cell:
        rows = _rows(run)
        return run.calls * rows * GATES[layer.kind] * layer.units * (layer.inputs + layer.units)
    return 0


def flop_counter(run: Run, device: str) -> int:
    """2 * m*k*n per aten::mm / addmm (bias not counted); a fused CPU LSTM counts 0."""
    layer = run.layer
    if layer.kind == "embedding":
        return 0
    if layer.kind == "dense":
        return 2 * math.prod(run.shape) * layer.units
    if layer.cell:
        rows = _rows(run)
        return 2 * run.calls * rows * GATES[layer.kind] * layer.units * (layer.inputs + layer.units)
    if device == "cpu" and layer.kind == "lstm" and not layer.proj and not run.uneven:
        return 0  # oneDNN's fused LSTM (no projection, not unevenly packed): no aten::mm
    return 2 * layer.matrix() * _steps(run)


def meta_mm(run: Run) -> int:
    """Meta tensors run aten::addmm's Python decomposition, whose ``torch.mm`` ptflops patched.

    Only products with a bias are addmm: the projection ``weight_hr`` and bias-free
    layers go to aten::mm directly and are not seen.
    """
    layer = run.layer
    if layer.kind == "embedding" or not layer.bias:
        return 0
    if layer.kind == "dense":
        return math.prod(run.shape) * layer.units
    g, h, r = GATES[layer.kind], layer.units, layer.recurrent
    if layer.cell:
        rows = _rows(run)
        return run.calls * rows * g * h * (layer.inputs + h)
    return layer.directions * sum(g * h * (w + r) for w in layer.widths) * _steps(run)


def expected(tool: str, record: dict[str, Any]) -> Figures:
    """What ``tool`` reports for ``record``, by the rules above."""
    runs, top = _runs(record)
    device = record["situation"]["device"]
    try:
        if tool == "ptflops":  # the hooks' sum per sample; patched torch.mm calls added after
            hooks = sum(ptflops(run) for run in runs) / top
            extra = sum(meta_mm(run) for run in runs) if device == "meta" else 0
            return {"macs": int(hooks + extra), "flops": None}
        if tool == "calflops":
            pairs = [calflops(run) for run in runs]
            return {"macs": sum(m for m, _ in pairs), "flops": sum(f for _, f in pairs)}
        if tool == "fvcore":
            total = sum(fvcore(run) for run in runs)
            return {"macs": total, "flops": total}
        if tool == "flop_counter":
            return {"macs": None, "flops": sum(flop_counter(run, device) for run in runs)}
        rule = {"thop": thop, "torchinfo": torchinfo, "torchprofile": torchprofile}[tool]
        figures: Figures = {"macs": sum(rule(run) for run in runs), "flops": None}
    except Unsupported as error:
        return {"error": error.args[0]}
    if tool == "torchinfo" and "layers" in record:  # its Mult-Adds column, leaf by leaf
        names = {"embedding": "Embedding", "lstm": "LSTM", "gru": "GRU", "dense": "Linear"}
        figures["layers"] = [[names[run.layer.kind], torchinfo(run)] for run in runs]
        if record["situation"]["readout"] == "packed":  # PackPaddedLSTM's nn.Dropout
            figures["layers"].insert(2, ["Dropout", 0])
    return figures


CASES = [(index, tool) for index in range(len(RECORDS)) for tool in TOOLS]


@pytest.mark.parametrize(("index", "tool"), CASES, ids=[f"{i}-{t}" for i, t in CASES])
def test_each_rule_reproduces_the_tool(index: int, tool: str) -> None:
    record = RECORDS[index]
    reported = record["tools"][tool]
    if "error" in reported and not reported["error"].startswith(tuple(_KNOWN_ERRORS)):
        pytest.fail(f"an unexplained error: {reported['error']}")
    if "error" in reported and reported["error"].startswith(_ENVIRONMENT_ERRORS):
        assert record["situation"]["device"] == "meta"  # pack_padded_sequence cannot run there
        return
    figures = expected(tool, record)
    if "error" in figures:
        assert reported["error"].startswith(figures["error"])
        return
    assert figures == reported


# Errors of torch, not of a tool: pack_padded_sequence on the meta device.
_ENVIRONMENT_ERRORS = (
    "NotImplementedError: Cannot copy out of meta tensor",
    "RuntimeError: 'lengths' argument should be a 1D CPU int64 tensor",
    "RuntimeError: Failed to run torchinfo.",
)
_KNOWN_ERRORS = (
    *_ENVIRONMENT_ERRORS,
    PACKED,
    NO_SECOND_AXIS,
    SIZE_DEVICE,
    TUPLE_DIM,
)


def test_the_issue_figures() -> None:
    """The numbers issue 14 quotes, found in the records."""

    def find(tool: str, **where: Any) -> Any:  # noqa: ANN401
        for record in RECORDS:
            spec, situation = record.get("spec", {}), record["situation"]
            if all({**spec, **situation}.get(k) == v for k, v in where.items()):
                return record["tools"][tool]["macs" if tool != "flop_counter" else "flops"]
        raise LookupError(where)

    cell = {"kind": "lstm", "num_units": 20, "input_dim": 10, "cell": True, "loop": True}
    assert find("fvcore", **cell, seq_len=5, batch=3) == 36_000
    assert find("torchprofile", **cell, seq_len=5, batch=3) == 36_900
    assert find("torchinfo", **cell, seq_len=5, batch=3) == 768_000
    small = {"kind": "lstm", "num_units": 2, "input_dim": 3, "cell": True, "loop": True}
    assert find("torchinfo", **small, seq_len=4, batch=2) == 896
    layer = {"kind": "lstm", "num_units": 20, "input_dim": 10, "batch_first": None, "cell": None}
    assert find("ptflops", **layer, seq_len=5, batch=3, packing=None, device="cpu") == 8_280
    unbatched = {"kind": "lstm", "num_units": 6, "input_dim": 10, "unbatched": True, "seq_len": 5}
    assert find("torchinfo", **unbatched, device="cpu") == 12_960
    issue = {"num_units": 128, "input_dim": 12, "seq_len": 250, "batch": 1}
    assert find("flop_counter", kind="lstm", **issue, device="cpu") == 0
    assert find("flop_counter", kind="lstm", **issue, device="meta") == 35_840_000
    assert find("flop_counter", kind="gru", **issue, device="meta") == 26_880_000
    packed = next(r for r in RECORDS if r["situation"].get("readout") == "packed")
    assert ["LSTM", 601_178_112] in packed["tools"]["torchinfo"]["layers"]
