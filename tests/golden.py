"""Read the golden records and put each framework's names in lstm_params' form.

The records hold what the frameworks print verbatim. A few sources name the
same tensors with a decoration lstm_params leaves out, documented here:

* Keras 3 paths start with the model's name (``sequential/``); tf.keras 2 and
  TensorFlow 1 names end in ``:0``, and tf.keras 2 puts ConvLSTM variables
  directly under the layer (``conv_lstm2d/kernel``, no ``conv_lstm_cell/``).
* PyTorch's cells (``nn.LSTMCell``) name ``weight_ih`` what a one-layer
  ``nn.LSTM`` names ``weight_ih_l0``; lstm_params uses the module's names. Keras'
  ``RNN(LSTMCell(...))`` is named ``rnn/lstm_cell/...`` where ``LSTM`` is
  ``lstm/lstm_cell/...``: the same tensors under another layer name.
* ONNX initializers are anonymous (``onnx::LSTM_110``): the records name them
  ``<node>/<input>``, and the comparison is by input (``W``, ``R``, ``B``, ``P``),
  node by node.
* Flax NNX state paths end in ``/value``.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

GOLDEN = Path(__file__).parent / "data" / "golden"

Record = dict[str, Any]


def records() -> Iterator[tuple[str, Record]]:
    """Every record of every golden file, with an id ``file-index``."""
    for path in sorted([*GOLDEN.glob("*.json"), *GOLDEN.glob("recurrent/*.json")]):
        name = path.relative_to(GOLDEN).as_posix()
        for index, record in enumerate(json.loads(path.read_text())["records"]):
            yield f"{name.removesuffix('.json')}-{index}", record


def expected_weights(record: Record) -> list[tuple[str, tuple[int, ...]]]:
    """The record's tensors, named as lstm_params names them."""
    source: str = record["source"]
    out = []
    for name, shape in record["weights"]:
        if source.startswith("keras "):
            name = name.removeprefix("sequential/")  # noqa: PLW2901
        elif source.startswith(("torch.onnx", "onnx.reference")):
            name = name.rsplit("/", 1)[1]  # noqa: PLW2901
        elif source.startswith("tf.compat.v1.nn.dynamic_rnn"):
            name = name.removeprefix("rnn/")  # noqa: PLW2901
        out.append((_strip(name), tuple(shape)))
    return out


def _strip(name: str) -> str:
    return name.removesuffix(":0").removesuffix("/value")


def our_weights(source: str, weights: list[tuple[str, tuple[int, ...]]]) -> list[Any]:
    """lstm_params' tensors, decorated the way ``source`` would show them."""
    if re.fullmatch(r"torch\.nn\.\w+Cell", source):
        return [(name.removesuffix("_l0"), shape) for name, shape in weights]
    if source.endswith("RNN(cell)"):
        return [(f"rnn/{name.split('/', 1)[1]}", shape) for name, shape in weights]
    if source.startswith("tf_keras"):
        return [(name.replace("/conv_lstm_cell/", "/"), shape) for name, shape in weights]
    if source.startswith(("torch.onnx", "onnx.reference")):
        return [(re.sub(r"_l\d+$", "", name), shape) for name, shape in weights]
    return weights


def names_compared(record: Record) -> bool:
    """False for sources whose names lstm_params does not use (totals and shapes only)."""
    return not record["source"].startswith("flax.nnx.OptimizedLSTMCell")


def evaluate(expression: str) -> int:
    """The value of an integer expression of ``+``, ``*`` and parentheses only."""
    return _evaluate(ast.parse(expression, mode="eval").body)


def _evaluate(node: ast.expr) -> int:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _evaluate(node.left) + _evaluate(node.right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _evaluate(node.left) * _evaluate(node.right)
    msg = f"not an expression of integers, + and *: {ast.dump(node)}"
    raise ValueError(msg)
