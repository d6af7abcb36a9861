"""Value semantics: real dataclasses, immutable, equal by fields, hashable, picklable."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle

import pytest

from lstm_params import (
    Compute,
    InvalidSpecError,
    LayerSpec,
    compare,
    count_convlstm_params,
    count_lstm_params,
    count_macs,
    memory,
    summary,
)


@pytest.mark.parametrize(
    "value",
    [
        LayerSpec("gru", 8, 4, framework="pytorch", bidirectional=True),
        LayerSpec("convlstm", 8, 4, kernel_size=(3, 3)),
        summary([LayerSpec("embedding", 8, 100), LayerSpec("lstm", 4, 8)], dtype="float16"),
        memory(1000, optimizer="adam"),
        compare(LayerSpec("lstm", 8, 4)),
    ],
    ids=type,
)
def test_pickle_and_copy_keep_the_value(value: object) -> None:
    assert pickle.loads(pickle.dumps(value)) == value  # noqa: S301 - our own bytes
    assert copy.copy(value) == value
    assert copy.deepcopy(value) == value
    assert hash(copy.copy(value)) == hash(value)


def test_a_restored_spec_computes_its_tensors_again() -> None:
    spec = LayerSpec("lstm", 200, 4096)
    restored = pickle.loads(pickle.dumps(spec))  # noqa: S301 - our own bytes
    assert restored.params == spec.params == 3437600  # the user's number
    assert restored.weights() == spec.weights()


def test_repr_and_comparison_with_other_types() -> None:
    spec = LayerSpec("rnn", 3, 2)
    assert repr(spec) == (
        "LayerSpec(kind=<Kind.RNN: 'rnn'>, num_units=3, input_dim=2, "
        "framework=<Framework.KERAS: 'keras'>, gates=1, bias=True, bidirectional=False, "
        "num_layers=1, "
        "proj_size=0, peepholes=False, reset_after=None, kernel_size=None, cudnn=False, "
        "merge_mode='concat', cell=False, reset_gate=None, return_sequences=None)"
    )
    assert spec != "rnn"  # type: ignore[comparison-overlap]
    assert spec != memory(3)  # type: ignore[comparison-overlap]


def test_equal_arguments_give_equal_specs() -> None:
    assert LayerSpec("lstm", 200, 4096) == LayerSpec("lstm", 200, 4096)
    assert LayerSpec("lstm", 200, 4096, framework="torch") == LayerSpec(
        "lstm", 200, 4096, framework="pytorch"
    )
    assert LayerSpec("lstm", 200, 4096, gates=4) == LayerSpec("lstm", 200, 4096)


def test_layer_spec_is_a_real_dataclass() -> None:
    spec = LayerSpec("lstm", 200, 4096)
    assert dataclasses.is_dataclass(LayerSpec)
    assert dataclasses.replace(spec, framework="pytorch").params == 3438400  # type: ignore[arg-type]  # the user's number
    with pytest.raises(InvalidSpecError, match="num_units must be a positive integer, got 0"):
        dataclasses.replace(spec, num_units=0)
    assert LayerSpec(**dataclasses.asdict(spec)) == spec
    names = [field.name for field in dataclasses.fields(LayerSpec)]
    parameters = inspect.signature(LayerSpec).parameters
    assert list(parameters) == names
    for field in dataclasses.fields(LayerSpec):
        if field.default is not dataclasses.MISSING:
            assert parameters[field.name].default == field.default
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.num_units = 3  # type: ignore[misc]
    match spec:
        case LayerSpec(kind="lstm", num_units=units, input_dim=inputs):
            assert (units, inputs) == (200, 4096)
        case _:  # pragma: no cover - the pattern above matches
            pytest.fail("LayerSpec does not match its own fields")


@pytest.mark.parametrize("cls", [Compute, type(memory(1)), type(compare(LayerSpec("rnn", 1, 1)))])
def test_the_other_values_are_dataclasses(cls: type) -> None:
    assert dataclasses.is_dataclass(cls)


def test_a_subclass_cannot_change_what_layer_spec_answers() -> None:
    class Doubled(LayerSpec):
        __slots__ = ()

        @property
        def params(self) -> int:
            return 2 * super().params

    assert Doubled("lstm", 7, 9).params == 2 * LayerSpec("lstm", 7, 9).params
    assert LayerSpec("lstm", 7, 9).params == 4 * ((7 + 9 + 1) * 7)  # the seed's formula
    assert count_lstm_params(7, 9) == 476
    assert count_macs(Doubled("lstm", 7, 9)).macs == count_macs(LayerSpec("lstm", 7, 9)).macs


def test_the_cache_never_mistakes_a_bool_or_a_float_for_an_int() -> None:
    assert LayerSpec("lstm", 1, 5).params > 0
    with pytest.raises(TypeError, match="num_units must be an integer, not bool"):
        LayerSpec("lstm", True, 5)  # noqa: FBT003
    with pytest.raises(TypeError, match=r"num_units must be an integer, got float 1\.0"):
        LayerSpec("lstm", 1.0, 5)  # type: ignore[arg-type]


def test_the_cache_looks_inside_tuples() -> None:
    assert LayerSpec("convlstm", 4, 3, kernel_size=(3, 1)).kernel_size == (3, 1)
    with pytest.raises(TypeError, match=r"kernel_size\[1\] must be an integer, not bool"):
        LayerSpec("convlstm", 4, 3, kernel_size=(3, True))
    with pytest.raises(TypeError, match=r"kernel_size\[0\] must be an integer, got float"):
        LayerSpec("convlstm", 4, 3, kernel_size=(3.0, 1))  # type: ignore[arg-type]
    assert count_convlstm_params(4, 3, (3, 1)) > 0
    with pytest.raises(TypeError, match=r"kernel_size\[1\] must be an integer, not bool"):
        count_convlstm_params(4, 3, (3, True))


def test_lists_are_taken_as_tuples() -> None:
    listed = LayerSpec("convlstm", 8, 4, kernel_size=[3, 3])
    assert listed == LayerSpec("convlstm", 8, 4, kernel_size=(3, 3))
    assert hash(listed) == hash(LayerSpec("convlstm", 8, 4, kernel_size=(3, 3)))
