"""Invariants over random valid layers in every framework (hypothesis).

The strategy below encodes, independently of the package, which kinds and
options each framework has (the same table as README and shared/conventions.md).
"""

from __future__ import annotations

from typing import Any

import pytest
from golden import evaluate
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lstm_params import (
    InvalidSpecError,
    LayerSpec,
    count_convlstm_params,
    count_gru_params,
    count_lstm_params,
    count_rnn_params,
)

RECURRENT = ("lstm", "gru", "rnn", "convlstm")
KINDS = {
    "keras": ("lstm", "gru", "rnn", "convlstm", "dense", "embedding"),
    "pytorch": ("lstm", "gru", "rnn", "dense", "embedding"),
    "onnx": ("lstm", "gru", "rnn"),
    "tensorflow-v1": ("lstm", "gru", "rnn"),
    "flax-linen": ("lstm", "gru", "rnn", "convlstm", "dense", "embedding"),
    "flax-nnx": ("lstm", "gru", "rnn", "dense", "embedding"),
}
OPTIONAL_BIAS = {
    "keras": {"lstm", "gru", "rnn", "convlstm", "dense"},
    "pytorch": {"lstm", "gru", "rnn", "dense"},
    "onnx": {"lstm", "gru", "rnn"},
    "tensorflow-v1": set(),
    "flax-linen": {"convlstm", "dense"},
    "flax-nnx": {"dense"},
}
STACKS = {"keras", "pytorch", "onnx", "flax-linen"}
RESET_AFTER = {"keras": (True, False), "onnx": (True, False)}
PROJECTS = {"pytorch", "tensorflow-v1"}
PEEPHOLES = {"keras", "onnx", "tensorflow-v1"}


@st.composite
def layers(
    draw: st.DrawFn, largest: int = 3000, frameworks: tuple[str, ...] = tuple(KINDS)
) -> dict[str, Any]:
    framework = draw(st.sampled_from(frameworks))
    kind = draw(st.sampled_from(KINDS[framework]))
    small = largest if kind != "convlstm" else min(largest, 64)
    spec: dict[str, Any] = {
        "kind": kind,
        "num_units": draw(st.integers(1, small)),
        "input_dim": draw(st.integers(1, small)),
        "framework": framework,
    }
    if kind in OPTIONAL_BIAS[framework]:
        spec["bias"] = draw(st.booleans())
    if kind in RECURRENT and framework in STACKS:
        spec["bidirectional"] = draw(st.booleans())
        spec["num_layers"] = draw(st.integers(1, 4))
    if kind == "gru" and framework in RESET_AFTER:
        spec["reset_after"] = draw(st.sampled_from(RESET_AFTER[framework]))
    if kind == "lstm" and framework in PROJECTS and spec["num_units"] > 1:
        spec["proj_size"] = draw(st.integers(0, spec["num_units"] - 1))
    single = not spec.get("bidirectional") and spec.get("num_layers", 1) == 1
    if kind == "lstm" and framework in PEEPHOLES and (framework != "keras" or single):
        spec["peepholes"] = draw(st.booleans())
    if kind == "convlstm":
        spec["kernel_size"] = draw(
            st.one_of(st.integers(1, 7), st.lists(st.integers(1, 7), min_size=1, max_size=3))
        )
    return spec


@settings(max_examples=500, deadline=None)
@given(layers())
def test_total_is_the_sum_of_the_tensors_and_of_the_formula(arguments: dict[str, Any]) -> None:
    spec = LayerSpec(**arguments)
    weights = spec.weights()
    assert spec.params == sum(w.size for w in weights)
    assert all(w.size > 0 and all(d > 0 for d in w.shape) for w in weights)
    assert len({w.name for w in weights}) == len(weights)
    assert evaluate(spec.formula()) == spec.params
    assert spec.explain().splitlines()[1] == f"  {spec.formula()} = {spec.params:,}"


def _with(arguments: dict[str, Any], **changes: Any) -> int:  # noqa: ANN401
    return LayerSpec(**{**arguments, **changes}).params


@settings(max_examples=300, deadline=None)
@given(layers(frameworks=tuple(STACKS)))
def test_bidirectional_doubles_a_single_layer(arguments: dict[str, Any]) -> None:
    assume(arguments["kind"] in RECURRENT and not arguments.get("peepholes"))
    single = {**arguments, "num_layers": 1}
    assert _with(single, bidirectional=True) == 2 * _with(single, bidirectional=False)


@settings(max_examples=300, deadline=None)
@given(layers(frameworks=tuple(STACKS)))
def test_a_stack_is_its_layers_with_chained_input_widths(arguments: dict[str, Any]) -> None:
    assume(arguments["kind"] in RECURRENT and arguments.get("num_layers", 1) > 1)
    spec = LayerSpec(**arguments)
    first = _with(arguments, num_layers=1)
    rest = _with(arguments, num_layers=1, input_dim=spec.output_dim)
    assert spec.params == first + (spec.num_layers - 1) * rest


@settings(max_examples=300, deadline=None)
@given(layers())
def test_counts_grow_with_units_and_inputs(arguments: dict[str, Any]) -> None:
    base = LayerSpec(**arguments).params
    assert _with(arguments, input_dim=arguments["input_dim"] + 1) > base
    assert _with(arguments, num_units=arguments["num_units"] + 1) > base


@settings(max_examples=300, deadline=None)
@given(layers())
def test_shortcuts_equal_layer_spec(arguments: dict[str, Any]) -> None:
    spec = LayerSpec(**arguments)
    framework, bias = spec.framework, spec.bias
    units, inputs = spec.num_units, spec.input_dim
    directions, layers = spec.bidirectional, spec.num_layers
    if spec.kind == "lstm":
        total = count_lstm_params(
            units,
            inputs,
            bias=bias,
            framework=framework,
            bidirectional=directions,
            num_layers=layers,
            proj_size=spec.proj_size,
            peepholes=spec.peepholes,
        )
    elif spec.kind == "gru":
        total = count_gru_params(
            units,
            inputs,
            bias,
            framework=framework,
            reset_after=spec.reset_after,
            bidirectional=directions,
            num_layers=layers,
        )
    elif spec.kind == "rnn":
        total = count_rnn_params(
            units, inputs, bias, framework=framework, bidirectional=directions, num_layers=layers
        )
    elif spec.kind == "convlstm" and not directions and layers == 1:
        assert spec.kernel_size is not None
        total = count_convlstm_params(units, inputs, spec.kernel_size, bias, framework=framework)
    else:
        total = spec.params
    assert total == spec.params


SIZES = ("num_units", "input_dim", "num_layers")


@settings(max_examples=300, deadline=None)
@given(
    layers(),
    st.sampled_from(SIZES),
    st.one_of(st.integers(-(10**6), 0), st.sampled_from([True, False, 2.0, "3", None, b"4"])),
)
def test_a_bad_value_anywhere_is_the_documented_error(
    arguments: dict[str, Any], field: str, value: object
) -> None:
    expected = (
        TypeError if not isinstance(value, int) or isinstance(value, bool) else InvalidSpecError
    )
    with pytest.raises(expected, match=field):
        LayerSpec(**{**arguments, field: value})
