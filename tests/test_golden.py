"""lstm_params against every committed golden record from the real frameworks.

The records are written by ``scripts/generate_golden.py``; each holds the
framework's own total and tensors (see ``tests/golden.py`` for how names compare).
"""

from __future__ import annotations

import json

import pytest
from golden import GOLDEN, Record, evaluate, expected_weights, names_compared, our_weights, records

from lstm_params import Framework, Kind, LayerSpec

RECORDS = list(records())


@pytest.mark.parametrize(("record"), [r for _, r in RECORDS], ids=[i for i, _ in RECORDS])
def test_total_and_weights_match_the_framework(record: Record) -> None:
    spec = LayerSpec(**record["spec"])
    assert spec.params == record["params"]
    assert spec.params == sum(w.size for w in spec.weights())  # the closed form, the tensors
    ours = our_weights(record["source"], [(w.name, w.shape) for w in spec.weights()])
    theirs = expected_weights(record)
    if names_compared(record):
        assert ours == theirs
    else:
        assert sum(w.size for w in spec.weights()) == sum(
            __import__("math").prod(shape) for _, shape in theirs
        )


OUTPUTS = [(i, r) for i, r in RECORDS if "output_dim" in r]


@pytest.mark.parametrize(("record"), [r for _, r in OUTPUTS], ids=[i for i, _ in OUTPUTS])
def test_output_width_matches_the_framework(record: Record) -> None:
    # compute_output_shape's last dimension: one int, or two for merge_mode=None
    spec = LayerSpec(**record["spec"])
    ours = spec.output_dim if spec.outputs == 1 else [spec.output_dim] * spec.outputs
    assert ours == record["output_dim"]


@pytest.mark.parametrize(("record"), [r for _, r in RECORDS], ids=[i for i, _ in RECORDS])
def test_closed_form_formula_matches_the_framework(record: Record) -> None:
    spec = LayerSpec(**record["spec"])
    assert evaluate(spec.formula()) == record["params"]


def test_golden_data_covers_every_framework_and_kind() -> None:
    seen: dict[str, set[str]] = {}
    for _, record in RECORDS:
        spec = record["spec"]
        seen.setdefault(spec["framework"], set()).add(spec["kind"])
    assert set(seen) == {f.value for f in Framework}
    assert seen["keras"] == {k.value for k in Kind} - {"mgu"}
    assert seen["flax-linen"] == {k.value for k in Kind}
    for framework in ("pytorch", "flax-nnx"):
        assert seen[framework] == {"lstm", "gru", "rnn", "dense", "embedding"}
    for framework in ("onnx", "tensorflow-v1"):
        assert seen[framework] == {"lstm", "gru", "rnn"}


def test_golden_files_name_their_generator_and_versions() -> None:
    for path in sorted(GOLDEN.glob("*.json")):
        header = json.loads(path.read_text())
        assert header["generator"] == "scripts/generate_golden.py"
        assert header["versions"]
