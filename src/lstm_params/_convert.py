"""``convert_weights()``: a recurrent layer's arrays from one framework's layout into another's.

Porting weights goes wrong in three places, all of them data in each framework's
convention (see :meth:`LayerSpec.explain`): the orientation (Keras keeps a kernel
``(inputs, gates * units)``, PyTorch and ONNX ``(gates * units, inputs)``), the
gate order (Keras ``i, f, c, o``, PyTorch ``i, f, g, o``, ONNX ``i, o, f, c``; GRU
``z, r, h`` against PyTorch's ``r, z, n``), and the biases (Keras one vector per
gate, PyTorch and ONNX two, summed into Keras' one and split back as ``(b, 0)``;
Keras' GRU with ``reset_after=True`` keeps both, one row each).

Every cell goes through one neutral form, per gate: the input matrix
``(units, inputs)``, the state matrix ``(units, units)`` and the two biases. The
arrays are numpy arrays when numpy is installed and given, nested lists otherwise.
"""

from __future__ import annotations

from lstm_params._conventions import CONVENTIONS
from lstm_params._errors import InvalidSpecError
from lstm_params._kinds import FACTS, Kind
from lstm_params._spec import LayerSpec, in_framework
from lstm_params._vocabulary import Framework

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["convert_weights"]

_FRAMEWORKS = (Framework.KERAS, Framework.PYTORCH, Framework.ONNX)
_KINDS = (Kind.LSTM, Kind.GRU, Kind.RNN)

Matrix = list[list[float]]
#: one gate of a cell: input matrix, state matrix, input bias, state bias
Gate = tuple[Matrix, Matrix, list[float], list[float]]


def convert_weights(
    weights: Mapping[str, Any], spec: LayerSpec, *, to: Framework | str
) -> dict[str, Any]:
    """Turn ``weights`` (named as ``spec.weights()`` names them) into framework ``to``'s layout.

    ``spec`` describes the layer in the framework the arrays come from (Keras,
    PyTorch or ONNX; LSTM, GRU or vanilla RNN; any directions and layers). The
    result is named and shaped as the same layer's ``weights()`` in ``to``.
    A layout the target cannot hold is an :class:`InvalidSpecError`: Keras' GRU
    with ``reset_after=False`` computes its candidate in a way PyTorch's GRU has
    not (ONNX has it: ``linear_before_reset=0``); projections and peepholes.

    >>> spec = LayerSpec("rnn", 2, 1)   # Keras SimpleRNN(2) on 1 input
    >>> keras = {
    ...     "simple_rnn/simple_rnn_cell/kernel": [[1.0, 2.0]],
    ...     "simple_rnn/simple_rnn_cell/recurrent_kernel": [[3.0, 4.0], [5.0, 6.0]],
    ...     "simple_rnn/simple_rnn_cell/bias": [0.5, 0.25],
    ... }
    >>> torch = convert_weights(keras, spec, to="pytorch")
    >>> torch["weight_ih_l0"], torch["weight_hh_l0"], torch["bias_ih_l0"], torch["bias_hh_l0"]
    ([[1.0], [2.0]], [[3.0, 5.0], [4.0, 6.0]], [0.5, 0.25], [0.0, 0.0])
    >>> convert_weights(torch, LayerSpec("rnn", 2, 1, framework="pytorch"), to="keras") == keras
    True
    """
    if not isinstance(spec, LayerSpec):
        msg = f"spec must be a LayerSpec, got {type(spec).__name__}"
        raise TypeError(msg)
    if not hasattr(weights, "items"):
        msg = f"weights must be a mapping of names to arrays, got {type(weights).__name__}"
        raise TypeError(msg)
    target = _target(spec, Framework.parse(to))
    arrays = {name: _as_lists(name, value) for name, value in weights.items()}
    _check(spec, arrays)
    cells = _read(spec, arrays)
    found = _write(target, cells)
    return _like(weights, found)


def _target(spec: LayerSpec, to: Framework) -> LayerSpec:
    if spec.framework not in _FRAMEWORKS or to not in _FRAMEWORKS:
        msg = (
            f"convert_weights converts between keras, pytorch and onnx; got "
            f"{spec.framework.value} to {to.value}"
        )
        raise InvalidSpecError(msg)
    if spec.kind not in _KINDS or spec.cell or spec.cudnn or spec.custom:
        msg = f"convert_weights converts LSTM, GRU and vanilla RNN layers; got {spec.layer_name}"
        raise InvalidSpecError(msg)
    if spec.proj_size or spec.peepholes:
        msg = "convert_weights: projections and peepholes have no counterpart to convert to"
        raise InvalidSpecError(msg)
    options = in_framework(spec, to) | {"reset_after": spec.reset_after}
    try:
        return LayerSpec(**options)
    except InvalidSpecError as error:
        msg = f"{to.value} cannot hold this layer's weights: {error}"
        raise InvalidSpecError(msg) from None


def _as_lists(name: str, value: object) -> Any:  # noqa: ANN401 - nested lists of any depth
    tolist = getattr(value, "tolist", None)
    found = tolist() if callable(tolist) else value
    if not isinstance(found, list):
        msg = f"weights[{name!r}] must be an array or a nested list, got {type(value).__name__}"
        raise TypeError(msg)
    return found


def _shape(value: Any) -> tuple[int, ...]:  # noqa: ANN401
    shape: list[int] = []
    while isinstance(value, list):
        shape.append(len(value))
        if not value:
            break
        value = value[0]
    return tuple(shape)


def _check(spec: LayerSpec, arrays: dict[str, Any]) -> None:
    expected = {w.name: w.shape for w in spec.weights()}
    missing = sorted(set(expected) - set(arrays))
    unknown = sorted(set(arrays) - set(expected))
    if missing or unknown:
        msg = (
            f"weights must be exactly {spec.layer_name}'s tensors; missing {missing!r:.120}, "
            f"unknown {unknown!r:.120}"
        )
        raise InvalidSpecError(msg)
    for name, shape in expected.items():
        if _shape(arrays[name]) != shape:
            msg = f"weights[{name!r}] has shape {_shape(arrays[name])}, expected {shape}"
            raise InvalidSpecError(msg)


def _transpose(matrix: Matrix) -> Matrix:
    return [list(row) for row in zip(*matrix, strict=True)]


def _blocks(rows: Matrix, units: int) -> list[Matrix]:
    """``rows`` (``gates * units`` of them) cut into one block of ``units`` rows per gate."""
    return [rows[k : k + units] for k in range(0, len(rows), units)]


def _pieces(vector: list[float], units: int) -> list[list[float]]:
    return [vector[k : k + units] for k in range(0, len(vector), units)]


def _in_order(spec: LayerSpec, by_label: list[Any]) -> list[Any]:
    """Blocks in the framework's storage order, rearranged into the kind's gate order."""
    order = [meaning for _, meaning in CONVENTIONS[spec.framework].gate_order[spec.kind]]
    return [by_label[order.index(name)] for name in FACTS[spec.kind].gate_names]


def _in_storage(spec: LayerSpec, by_name: list[Any]) -> list[Any]:
    """Blocks in the kind's gate order, rearranged into the framework's storage order."""
    names = list(FACTS[spec.kind].gate_names)
    return [
        by_name[names.index(meaning)]
        for _, meaning in CONVENTIONS[spec.framework].gate_order[spec.kind]
    ]


def _cells_of(spec: LayerSpec) -> list[tuple[int, int]]:
    directions = 2 if spec.bidirectional else 1
    return [(layer, d) for layer in range(spec.num_layers) for d in range(directions)]


def _read(spec: LayerSpec, arrays: dict[str, Any]) -> list[list[Gate]]:
    """Each cell (layer by layer, direction by direction) as gates in the kind's order."""
    units, convention = spec.num_units, CONVENTIONS[spec.framework]
    gates = FACTS[spec.kind].gates
    cells = []
    for layer, direction in _cells_of(spec):

        def get(local: str, layer: int = layer, direction: int = direction) -> Any:  # noqa: ANN401
            if spec.framework is Framework.ONNX:
                return arrays[convention.tensor_name(spec, layer, 0, local)][direction]
            return arrays[convention.tensor_name(spec, layer, direction, local)]

        if spec.framework is Framework.KERAS:
            wx, wh = _transpose(get("kernel")), _transpose(get("recurrent_kernel"))
        else:
            wx, wh = (
                get("weight_ih" if spec.framework is Framework.PYTORCH else "W"),
                get("weight_hh" if spec.framework is Framework.PYTORCH else "R"),
            )
        bx, bh = _biases(spec, get)
        cell = list(
            zip(
                _blocks(wx, units),
                _blocks(wh, units),
                _pieces(bx, units),
                _pieces(bh, units),
                strict=True,
            )
        )
        assert len(cell) == gates  # noqa: S101 - the shapes were checked
        cells.append(_in_order(spec, cell))
    return cells


def _biases(spec: LayerSpec, get: Any) -> tuple[list[float], list[float]]:  # noqa: ANN401
    columns = FACTS[spec.kind].gates * spec.num_units
    zeros = [0.0] * columns
    if not spec.bias:
        return zeros, zeros
    if spec.framework is Framework.PYTORCH:
        return get("bias_ih"), get("bias_hh")
    if spec.framework is Framework.ONNX:
        both = get("B")
        return both[:columns], both[columns:]
    bias = get("bias")
    if spec.kind is Kind.GRU and spec.reset_after:
        return bias[0], bias[1]
    return bias, zeros


def _write(target: LayerSpec, cells: list[list[Gate]]) -> dict[str, Any]:
    convention = CONVENTIONS[target.framework]
    found: dict[str, Any] = {}
    directions = 2 if target.bidirectional else 1
    for (layer, direction), gates in zip(_cells_of(target), cells, strict=True):
        stored = _in_storage(target, gates)
        wx = [row for gate in stored for row in gate[0]]
        wh = [row for gate in stored for row in gate[1]]
        bx = [value for gate in stored for value in gate[2]]
        bh = [value for gate in stored for value in gate[3]]
        if target.framework is Framework.KERAS:
            tensors: dict[str, Any] = {
                "kernel": _transpose(wx),
                "recurrent_kernel": _transpose(wh),
            }
            if target.bias:
                joined = [x + h for x, h in zip(bx, bh, strict=True)]
                two_rows = target.kind is Kind.GRU and target.reset_after
                tensors["bias"] = [bx, bh] if two_rows else joined
        elif target.framework is Framework.PYTORCH:
            tensors = {"weight_ih": wx, "weight_hh": wh}
            if target.bias:
                tensors |= {"bias_ih": bx, "bias_hh": bh}
        else:
            tensors = {"W": wx, "R": wh}
            if target.bias:
                tensors["B"] = bx + bh
        for local, value in tensors.items():
            if target.framework is Framework.ONNX:
                name = convention.tensor_name(target, layer, 0, local)
                found.setdefault(name, [None] * directions)[direction] = value
            else:
                found[convention.tensor_name(target, layer, direction, local)] = value
    return {w.name: found[w.name] for w in target.weights()}


def _like(weights: Mapping[str, Any], found: dict[str, Any]) -> dict[str, Any]:
    """The arrays as numpy arrays of the given dtype, when the given weights were numpy's."""
    first: Any = next(iter(weights.values()))  # the weights were checked: never empty
    if type(first).__module__ != "numpy":
        return found
    import numpy as np  # noqa: PLC0415 - an optional extra, imported only for numpy input

    return {name: np.asarray(value, dtype=first.dtype) for name, value in found.items()}
