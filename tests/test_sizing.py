"""max_units(): exact for every kind and framework, at any budget."""

from __future__ import annotations

import random
from typing import Any

import frameworks
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_params import InvalidSpecError, LayerSpec, max_units

FRAMEWORKS = sorted(frameworks.KINDS)


def _options(framework: str, seed: int) -> tuple[str, int, dict[str, Any]]:
    """A random valid layer of ``framework``: kind, input_dim and options."""
    rng = random.Random(seed)
    if rng.random() < 0.2 and framework not in {"onnx", "tensorflow-v1"}:
        kind = rng.choice(["dense", "embedding"])
        return kind, frameworks.size(rng, 5000), {"framework": framework}
    spec = frameworks.random_spec(framework, rng, 5000)
    kind, inputs = spec.pop("kind"), spec.pop("input_dim")
    spec.pop("num_units")
    return kind, inputs, spec


@settings(max_examples=300, deadline=None)
@given(
    framework=st.sampled_from(FRAMEWORKS),
    seed=st.integers(0, 2**32),
    budget=st.one_of(st.integers(1, 10**7), st.integers(1, 10**18)),
)
def test_max_units_is_the_largest_that_fits(framework: str, seed: int, budget: int) -> None:
    kind, inputs, options = _options(framework, seed)
    options.pop("proj_size", None)  # the unit count must be free to shrink below it

    def count(units: int) -> int:
        return LayerSpec(kind, units, inputs, **options).params

    if count(1) > budget:
        with pytest.raises(InvalidSpecError, match=f"budget={budget:,} is too small"):
            max_units(budget, inputs, kind, **options)
        return
    units = max_units(budget, inputs, kind, **options)
    assert count(units) <= budget < count(units + 1)


@pytest.mark.parametrize("budget", [10**15, 10**18, 2**64 + 1])
def test_huge_budgets_stay_exact(budget: int) -> None:
    units = max_units(budget, 4096, "lstm", framework="pytorch", bidirectional=True, num_layers=3)
    spec = LayerSpec("lstm", units, 4096, framework="pytorch", bidirectional=True, num_layers=3)
    wider = LayerSpec(
        "lstm", units + 1, 4096, framework="pytorch", bidirectional=True, num_layers=3
    )
    assert spec.params <= budget < wider.params


def test_projection_sets_the_smallest_width() -> None:
    units = max_units(10**6, 100, framework="pytorch", proj_size=16)
    spec = LayerSpec("lstm", units, 100, framework="pytorch", proj_size=16)
    assert (
        spec.params
        <= 10**6
        < LayerSpec("lstm", units + 1, 100, framework="pytorch", proj_size=16).params
    )
    smallest = LayerSpec("lstm", 17, 100, framework="pytorch", proj_size=16).params
    with pytest.raises(InvalidSpecError, match=rf"\(17 units\) has {smallest:,} parameters"):
        max_units(smallest - 1, 100, framework="pytorch", proj_size=16)


def test_the_users_layer_is_the_answer_for_its_own_count() -> None:
    assert max_units(3437600, 4096) == 200  # Keras LSTM(200) on 4096 inputs: 3,437,600


def test_bad_budgets() -> None:
    with pytest.raises(InvalidSpecError, match="budget must be a positive integer, got 0"):
        max_units(0, 10)
    with pytest.raises(TypeError, match="budget must be an integer, not bool"):
        max_units(True, 10)  # noqa: FBT003
    with pytest.raises(TypeError, match="max_units\\(\\) finds num_units"):
        max_units(100, 10, num_units=3)
    with pytest.raises(InvalidSpecError, match=r"budget=10 is too small: .*\(1 unit\) has 16,392"):
        max_units(10, 4096)
    with pytest.raises(InvalidSpecError, match="proj_size=3: keras has no projection"):
        max_units(10**6, 10, proj_size=3)
