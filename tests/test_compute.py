"""count_macs(): our convention's arithmetic, and every peer tool's number reproduced.

``tests/data/golden/compute/tools.json`` holds what ptflops, ultralytics-thop,
torchinfo, torchprofile, calflops and fvcore reported for torch modules and
inputs (``scripts/generate_golden.py compute``), or the error each raised.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from golden import GOLDEN
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_params import InvalidSpecError, LayerSpec, MacsConvention, count_macs, summary

RECORDS = json.loads((GOLDEN / "compute" / "tools.json").read_text())["records"]
CASES = [
    (record, tool)
    for record in RECORDS
    for tool in ("ptflops", "thop", "torchinfo", "torchprofile", "calflops", "fvcore")
]


def _arguments(record: dict[str, Any]) -> dict[str, Any]:
    if record["lengths"] is not None:
        return {"lengths": record["lengths"]}
    return {"seq_len": record["seq_len"], "batch": record["batch"]}


@pytest.mark.parametrize(
    ("record", "tool"), CASES, ids=[f"{i // 6}-{t}" for i, (_, t) in enumerate(CASES)]
)
def test_each_tool_is_reproduced(record: dict[str, Any], tool: str) -> None:
    spec = LayerSpec(**record["spec"])
    reported = record["tools"][tool]
    if "error" in reported:  # the tool could not take this input: neither can its convention
        with pytest.raises(InvalidSpecError, match=f"{tool} cannot run this: it fails with"):
            count_macs(spec, convention=tool, **_arguments(record))
        return
    result = count_macs(spec, convention=tool, **_arguments(record))
    assert (result.macs, result.flops) == (reported["macs"], reported["flops"])


def test_the_seed_layer_under_every_convention() -> None:
    # The figures for one step of LSTM(200) on 4096 inputs, as the tools printed them.
    seed = LayerSpec("lstm", 200, 4096, framework="pytorch")
    reported = RECORDS[0]["tools"]
    assert RECORDS[0]["spec"] == {
        "kind": "lstm",
        "num_units": 200,
        "input_dim": 4096,
        "framework": "pytorch",
    }
    for tool, figures in reported.items():
        result = count_macs(seed, convention=tool)
        assert (result.macs, result.flops) == (figures["macs"], figures["flops"])
    assert reported["ptflops"]["macs"] == 3440400
    assert reported["calflops"] == {"macs": 0, "flops": 6875600}


def test_our_convention_term_by_term() -> None:
    h, i = 200, 4096
    keras = count_macs(LayerSpec("lstm", h, i))
    assert keras.macs == 4 * h * (i + h)
    assert keras.flops == 2 * keras.macs + 1 * 4 * h + 9 * h  # one bias vector per gate in Keras
    torch = count_macs(LayerSpec("lstm", h, i, framework="pytorch"))
    assert torch.flops == keras.flops + 4 * h  # a second bias vector
    projected = count_macs(LayerSpec("lstm", h, i, framework="pytorch", proj_size=50))
    assert projected.macs == 4 * h * (i + 50) + 50 * h
    gru = count_macs(LayerSpec("gru", h, i, reset_after=False))
    assert (gru.macs, gru.flops) == (3 * h * (i + h), 6 * h * (i + h) + 3 * h + 7 * h)
    rnn = count_macs(LayerSpec("rnn", h, i, bias=False))
    assert (rnn.macs, rnn.flops) == (h * (i + h), 2 * h * (i + h) + h)
    dense = count_macs(LayerSpec("dense", 10, 64), seq_len=3)
    assert (dense.macs, dense.flops, dense.steps) == (3 * 640, 3 * (2 * 640 + 10), 3)
    assert count_macs(LayerSpec("embedding", 8, 100)).macs == 0


@settings(max_examples=200, deadline=None)
@given(
    units=st.integers(1, 64),
    inputs=st.integers(1, 64),
    kind=st.sampled_from(["lstm", "gru", "rnn"]),
    layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    seq_len=st.integers(1, 20),
    batch=st.integers(1, 8),
    lengths=st.lists(st.integers(1, 20), min_size=1, max_size=8),
)
def test_our_figures_scale_exactly(  # noqa: PLR0913, PLR0917 - drawn by hypothesis
    units: int,
    inputs: int,
    kind: str,
    layers: int,
    bidirectional: bool,  # noqa: FBT001
    seq_len: int,
    batch: int,
    lengths: list[int],
) -> None:
    spec = LayerSpec(
        kind, units, inputs, framework="pytorch", num_layers=layers, bidirectional=bidirectional
    )
    step = count_macs(spec)
    run = count_macs(spec, seq_len=seq_len, batch=batch)
    assert (run.macs, run.flops) == (step.macs * seq_len * batch, step.flops * seq_len * batch)  # type: ignore[operator]
    packed = count_macs(spec, lengths=lengths)
    assert (packed.macs, packed.steps) == (step.macs * sum(lengths), sum(lengths))
    single = LayerSpec(kind, units, inputs, framework="pytorch")
    if bidirectional and layers == 1:
        assert step.macs == 2 * count_macs(single).macs
    if layers > 1:
        width = spec.output_dim
        rest = LayerSpec(kind, units, width, framework="pytorch", bidirectional=bidirectional)
        first = LayerSpec(kind, units, inputs, framework="pytorch", bidirectional=bidirectional)
        assert step.macs == count_macs(first).macs + (layers - 1) * count_macs(rest).macs


def test_values_render_and_serialise() -> None:
    result = count_macs(
        LayerSpec("lstm", 200, 4096, framework="pytorch"), convention="ultralytics-thop"
    )
    assert result.convention is MacsConvention.THOP
    assert str(result) == "3,440,000 MACs, FLOPs not reported (thop)"
    assert result.to_dict()["rule"].startswith("ultralytics-thop 2.2.3")
    assert str(count_macs(LayerSpec("rnn", 2, 2))) == "8 MACs, 20 FLOPs (lstm_params)"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: count_macs("lstm"), TypeError, "spec must be a LayerSpec, got str 'lstm'"),  # type: ignore[arg-type]
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), convention=3),  # type: ignore[arg-type]
            TypeError,
            "convention must be a string, got int 3",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), convention="flops"),
            InvalidSpecError,
            "convention must be one of 'lstm_params', ",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), seq_len=0),
            InvalidSpecError,
            "seq_len must be a positive integer, got 0",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), batch=True),
            TypeError,
            "batch must be an integer, not bool",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), lengths=[]),
            InvalidSpecError,
            "lengths must be a non-empty sequence",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), lengths="5"),  # type: ignore[arg-type]
            InvalidSpecError,
            "lengths must be a non-empty sequence",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), lengths=[3, 0]),
            InvalidSpecError,
            "lengths\\[1\\] must be a positive integer, got 0",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), lengths=[3, 2], batch=3),
            InvalidSpecError,
            "seq_len=1, batch=3 do not fit lengths=\\[3, 2\\]",
        ),
        (
            lambda: count_macs(LayerSpec("gru", 2, 2, reset_after=False), convention="thop"),
            InvalidSpecError,
            "thop profiles torch.nn modules, and PyTorch has no GRU like this: reset_after=False",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), packing="outside"),
            InvalidSpecError,
            "packing must be 'input' or 'inside' and device 'cpu' or 'meta'",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), unbatched=True, batch=2),
            InvalidSpecError,
            "unbatched=True is one sequence: use batch=1",
        ),
        (
            lambda: count_macs(
                LayerSpec("lstm", 2, 2, framework="pytorch", cell=True), lengths=[2]
            ),
            InvalidSpecError,
            "a cell takes one step per call, not a packed batch",
        ),
        (
            lambda: count_macs(LayerSpec("lstm", 2, 2), batch_first=1),  # type: ignore[arg-type]
            TypeError,
            "batch_first must be True or False",
        ),
        (
            lambda: count_macs(LayerSpec("convlstm", 2, 2, kernel_size=3)),
            InvalidSpecError,
            "depend on the frames' spatial size",
        ),
    ],
)
def test_bad_arguments(call: Any, error: type[Exception], match: str) -> None:  # noqa: ANN401
    with pytest.raises(error, match=match):
        call()


def test_consistent_lengths_are_accepted() -> None:
    spec = LayerSpec("gru", 4, 3, framework="pytorch")
    assert count_macs(spec, lengths=[5, 3], seq_len=5, batch=2) == count_macs(spec, lengths=[5, 3])


SEQUENCES = [
    record
    for record in json.loads((GOLDEN / "compute" / "sequences.json").read_text())["records"]
    if "spec" in record
]
SITUATIONS = [
    (record, tool)
    for record in SEQUENCES
    for tool in (
        "ptflops",
        "thop",
        "torchinfo",
        "torchprofile",
        "calflops",
        "fvcore",
        "flop_counter",
    )
]


def _situation(record: dict[str, Any]) -> tuple[LayerSpec, dict[str, Any]]:
    """The record's module as a LayerSpec, and how it was run as count_macs' arguments."""
    spec = {k: v for k, v in record["spec"].items() if k != "batch_first"}
    s = record["situation"]
    arguments: dict[str, Any] = {
        "seq_len": s["seq_len"] or 1,
        "batch": s["batch"] or 1,
        "unbatched": s["unbatched"],
        # a Linear or an Embedding was given (batch, seq_len, ...), as a model would give it
        "batch_first": bool(record["spec"].get("batch_first"))
        or record["spec"]["kind"] in {"dense", "embedding"},
        "device": s["device"],
    }
    if s["lengths"] is not None:
        arguments |= {"lengths": s["lengths"], "packing": s["packing"], "seq_len": 1, "batch": 1}
    return LayerSpec(**spec), arguments


@pytest.mark.parametrize(
    ("record", "tool"),
    SITUATIONS,
    ids=[f"{i // 7}-{t}" for i, (_, t) in enumerate(SITUATIONS)],
)
def test_each_tool_in_each_situation(record: dict[str, Any], tool: str) -> None:
    # Issue 14's truth: what each tool reported for the module run this way (sequences.json).
    spec, arguments = _situation(record)
    reported = record["tools"][tool]
    convention = "torch_flop_counter" if tool == "flop_counter" else tool
    if "error" in reported:
        if reported["error"].startswith(("NotImplementedError", "RuntimeError")):
            return  # torch itself could not run it (pack_padded_sequence on meta): no figure
        with pytest.raises(InvalidSpecError, match="cannot run this: it fails with") as refused:
            count_macs(spec, convention=convention, **arguments)
        assert reported["error"].startswith(str(refused.value).split("fails with ")[1])
        return
    result = count_macs(spec, convention=convention, **arguments)
    # FlopCounterMode reports FLOPs only: its MACs figure here is 0, as calflops' for RNNs
    assert (result.macs, result.flops) == (reported["macs"] or 0, reported["flops"])


MODELS = [
    record
    for record in json.loads((GOLDEN / "compute" / "sequences.json").read_text())["records"]
    if "layers" in record
]
TOOLS = ("ptflops", "thop", "torchinfo", "torchprofile", "calflops", "fvcore", "flop_counter")


@pytest.mark.parametrize(
    ("record", "tool"),
    [(r, t) for r in MODELS for t in TOOLS],
    ids=lambda value: value if isinstance(value, str) else value["situation"]["readout"],
)
def test_whole_models_under_each_tool(record: dict[str, Any], tool: str) -> None:
    # Embedding -> recurrent -> Linear, profiled whole by each tool (sequences.json): the sum of
    # the layers, the head on every step (out) or on the last (out[:, -1]: one step per sample).
    s = record["situation"]
    layers = [LayerSpec(**layer) for layer in record["layers"]]
    reported = record["tools"][tool]
    tool = "torch_flop_counter" if tool == "flop_counter" else tool
    if s["readout"] == "packed":  # torchinfo's PackPaddedLSTM: (T, B) tokens, packed inside
        _packed_model(layers, s, tool, reported)
        return
    model = summary(layers, seq_len=s["seq_len"], batch=s["batch"])
    figures = model.compute(tool)
    if s["readout"] == "last":
        figures = (*figures[:2], count_macs(layers[2], batch=s["batch"], convention=tool))
    if s["device"] == "meta":  # the same model on the meta device, its head on the last step
        lengths = (s["seq_len"], s["seq_len"], 1)
        figures = tuple(
            count_macs(layer, seq_len=t, batch=s["batch"], convention=tool, device="meta")
            for layer, t in zip(layers, lengths, strict=True)
        )
    assert sum(f.macs for f in figures if f is not None) == (reported["macs"] or 0)
    assert sum(f.flops or 0 for f in figures if f is not None) == (reported["flops"] or 0)


def _packed_model(
    layers: list[LayerSpec], s: dict[str, Any], tool: str, reported: dict[str, Any]
) -> None:
    embedding, lstm, head = layers
    steps = {"seq_len": s["seq_len"], "batch": s["batch"], "batch_first": False}
    if "error" in reported:
        with pytest.raises(InvalidSpecError, match="cannot run this"):
            count_macs(lstm, lengths=s["lengths"], packing="inside", convention=tool)
        return
    figures = [
        count_macs(embedding, convention=tool, **steps),
        count_macs(
            lstm, lengths=s["lengths"], packing="inside", batch_first=False, convention=tool
        ),
        count_macs(head, batch=s["batch"], convention=tool),  # the last hidden state
    ]
    assert sum(f.macs for f in figures) == (reported["macs"] or 0)
    assert sum(f.flops or 0 for f in figures) == (reported["flops"] or 0)
