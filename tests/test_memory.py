"""memory(): bytes of weights and of training state, in the units Keras prints."""

from __future__ import annotations

import pytest

from lstm_params import DType, InvalidSpecError, LayerSpec, Optimizer, format_bytes, memory, summary


def test_keras_summary_figure() -> None:
    # Keras 3.15.1 model.summary() for LSTM(200) on 4096 inputs prints
    # "Total params: 3,437,600 (13.11 MB)" (shared/conventions.md, verbatim).
    assert str(memory(3437600)) == "13.11 MiB"
    assert memory(LayerSpec("lstm", 200, 4096)).weights == 3437600 * 4


@pytest.mark.parametrize(
    ("dtype", "bits"),
    [("float64", 64), ("float32", 32), ("bfloat16", 16), ("float16", 16), ("int8", 8), ("int4", 4)],
)
def test_bytes_per_dtype(dtype: str, bits: int) -> None:
    assert memory(1000, dtype=dtype).weights == 1000 * bits // 8
    assert DType(dtype).bits == bits


def test_int4_rounds_up_to_whole_bytes() -> None:
    assert memory(3, dtype="int4").weights == 2
    assert memory(0).weights == 0


@pytest.mark.parametrize(
    ("optimizer", "states"), [("sgd", 0), ("momentum", 1), ("adam", 2), ("AdamW", 2)]
)
def test_training_adds_gradients_and_optimizer_state(optimizer: str, states: int) -> None:
    trained = memory(1000, dtype="float16", optimizer=optimizer)
    assert trained.weights == trained.gradients == 2000
    assert trained.optimizer_state == states * 2000
    assert trained.total == (2 + states) * 2000
    assert Optimizer.parse(optimizer).states == states


def test_memory_of_specs_and_summaries() -> None:
    spec = LayerSpec("gru", 8, 4)
    assert memory(spec) == memory(spec.params)
    model = summary([spec, LayerSpec("dense", 1, 8)])
    assert memory(model, dtype=DType.INT8).weights == model.params


def test_describe_and_to_dict() -> None:
    trained = memory(3437600, optimizer="adam")
    assert trained.describe() == (
        "52.45 MiB: weights 13.11 MiB + gradients 13.11 MiB + adam state 26.23 MiB (float32)"
    )
    assert trained.to_dict() == {
        "params": 3437600,
        "dtype": "float32",
        "optimizer": "adam",
        "weights_bytes": 13750400,
        "gradients_bytes": 13750400,
        "optimizer_state_bytes": 27500800,
        "total_bytes": 55001600,
        "total": "52.45 MiB",
    }
    assert memory(10).to_dict()["optimizer"] is None


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.00 KiB"),
        (1024**2 - 1, "1.00 MiB"),  # 1023.999 KiB would print as 1024.00 KiB
        (1024**2, "1.00 MiB"),
        (5 * 1024**3, "5.00 GiB"),
        (3 * 1024**5, "3072.00 TiB"),
    ],
)
def test_format_bytes(size: int, text: str) -> None:
    assert format_bytes(size) == text


def test_bad_memory_arguments() -> None:
    with pytest.raises(InvalidSpecError, match=r"dtype must be one of 'float64', .*; got 'fp8'"):
        memory(10, dtype="fp8")
    with pytest.raises(InvalidSpecError, match=r"optimizer must be one of 'sgd', .*; got 'lion'"):
        memory(10, optimizer="lion")
    with pytest.raises(TypeError, match="dtype must be a string, got int 32"):
        memory(10, dtype=32)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="params must be an integer, not bool"):
        memory(True)  # noqa: FBT003
    with pytest.raises(InvalidSpecError, match="params must be an integer >= 0, got -1"):
        memory(-1)
