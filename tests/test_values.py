"""Value semantics: immutable, equal by fields, hashable, picklable; specs are interned."""

from __future__ import annotations

import copy
import pickle

import pytest

from lstm_params import LayerSpec, compare, count_convlstm_params, memory, summary
from lstm_params import _spec as spec_module


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
        "framework=<Framework.KERAS: 'keras'>, bias=True, bidirectional=False, num_layers=1, "
        "proj_size=0, peepholes=False, reset_after=None, kernel_size=None)"
    )
    assert spec != "rnn"
    assert spec != memory(3)


def test_equal_arguments_give_the_same_spec() -> None:
    assert LayerSpec("lstm", 200, 4096) is LayerSpec("lstm", 200, 4096)
    assert LayerSpec("lstm", 200, 4096, framework="torch") == LayerSpec(
        "lstm", 200, 4096, framework="pytorch"
    )


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


def test_unhashable_arguments_skip_the_cache() -> None:
    listed = LayerSpec("convlstm", 8, 4, kernel_size=[3, 3])
    assert listed == LayerSpec("convlstm", 8, 4, kernel_size=(3, 3))
    assert listed is not LayerSpec("convlstm", 8, 4, kernel_size=[3, 3])


def test_a_full_cache_starts_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spec_module, "_CACHE_SIZE", 2)
    cache: dict[object, LayerSpec] = {}
    monkeypatch.setattr(spec_module, "_CACHE", cache)
    first = LayerSpec("lstm", 10, 1)
    LayerSpec("lstm", 10, 2)
    assert LayerSpec("lstm", 10, 1) is first
    LayerSpec("lstm", 10, 3)  # the cache was full: it starts again
    assert len(cache) == 1
    assert LayerSpec("lstm", 10, 1) is not first
    assert LayerSpec("lstm", 10, 1) == first
