"""PyTorch and ONNX files as summaries: parameters, buffers, frozen tensors, optimizer state.

The readers (:mod:`torch_pickle`, :mod:`onnx_proto`) say what a file holds;
this module counts it as PyTorch does: ``parameters()`` counts a tensor shared
by two names once, buffers (running statistics, counters) are not parameters,
``requires_grad=False`` parameters are not trainable, and a checkpoint's
optimizer state is reported apart. Recurrent modules and cells are recognised
from their tensors (``weight_ih_l0``, ``_reverse``, ``weight_hr``, weight-dropped
``_raw``), and ONNX ``LSTM``/``GRU``/``RNN`` nodes from the initializers that
feed their W, R, B and P inputs.
"""

from __future__ import annotations

import dataclasses

from lstm_params._errors import InvalidSpecError
from lstm_params._spec import LayerSpec
from lstm_params._weight import Weight

from .safetensors import recognise

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lstm_params._summary import Summary

    from .onnx_proto import OnnxModel, OnnxRecurrent, OnnxTensor
    from .torch_pickle import TorchFile

__all__ = ["summary_from_onnx", "summary_from_torch"]

_KINDS = {"LSTM": "lstm", "GRU": "gru", "RNN": "rnn"}


def summary_from_torch(found: TorchFile) -> Summary:
    """Count a ``torch.save`` or TorchScript file's model as ``parameters()`` would.

    A training checkpoint saved by torch 2.13 after one Adam step (595
    parameters; the optimizer's ``step``, ``exp_avg`` and ``exp_avg_sq``):

    >>> from lstm_params._readers.torch_pickle import read_torch_file
    >>> model = summary_from_torch(read_torch_file("tests/data/torch/tagger-checkpoint.pt"))
    >>> model.params, model.optimizer, model.names, [s.layer_name for s in model.layers]
    (595, 1209, ('encoder',), ['nn.LSTM'])
    """
    first: dict[tuple[object, ...], str] = {}
    weights: list[Weight] = []
    buffers: list[Weight] = []
    ties: list[str] = []
    frozen: dict[tuple[object, ...], int] = {}
    for tensor in found.tensors:
        # A parameter is floating point (requires_grad needs it): an integer or boolean
        # tensor in a state_dict is a buffer (a counter, a mask, a quantisation table).
        if tensor.role == "buffer" or (tensor.role is None and not _floating(tensor.dtype)):
            buffers.append(Weight(tensor.name, tensor.shape))
            continue
        owner = first.setdefault(tensor.identity, tensor.name)
        if owner != tensor.name:
            ties.append(f"{tensor.name} shares {owner}'s storage: counted once")
            continue
        weights.append(Weight(tensor.name, tensor.shape))
        if tensor.role == "parameter" and tensor.requires_grad is False:  # a frozen nn.Parameter
            frozen[tensor.identity] = tensor.size
    return dataclasses.replace(
        recognise(weights),
        buffer_tensors=tuple(buffers),
        non_trainable=sum(frozen.values()),
        optimizer=found.optimizer_elements,
        warnings=(*found.warnings, *ties),
    )


def _floating(dtype: str) -> bool:
    return dtype.startswith(("float", "bfloat", "complex"))


def summary_from_onnx(model: OnnxModel) -> Summary:
    """Count an ONNX model's initializers; recurrent nodes become ``LayerSpec``s.

    A node is recognised when the initializers feeding W, R, B (and P) have
    exactly the shapes ``LayerSpec(..., framework="onnx")`` gives; every other
    initializer is counted as it is. A 2-layer bidirectional ``nn.LSTM(4, 3)``
    exported by torch 2.13 (480 parameters):

    >>> from lstm_params._readers.onnx_proto import read_onnx_file
    >>> path = "tests/data/torch/lstm-bidirectional-2-layers.onnx"
    >>> model = summary_from_onnx(read_onnx_file(path))
    >>> model.params, [s.layer_name for s in model.layers], len(model.tensors)
    (480, ['LSTM operator', 'LSTM operator'], 0)
    """
    initializers = {tensor.name: tensor for tensor in model.initializers}
    specs: list[LayerSpec] = []
    names: list[str] = []
    claimed: set[str] = set()
    for index, node in enumerate(model.recurrent()):
        spec = _node_spec(node, initializers)
        if spec is not None:
            specs.append(spec)
            names.append(node.name or f"{node.op_type.lower()}_{index}")
            claimed.update(n for n in (node.W, node.R, node.B, node.P) if n)
    others = tuple(Weight(t.name, t.dims) for t in initializers.values() if t.name not in claimed)
    found = recognise([])
    return dataclasses.replace(found, layers=tuple(specs), names=tuple(names), tensors=others)


def _node_spec(node: OnnxRecurrent, initializers: dict[str, OnnxTensor]) -> LayerSpec | None:
    inputs = [node.W, node.R, node.B, node.P]
    tensors = [initializers.get(name) if name else None for name in inputs]
    weights, recurrent = tensors[0], tensors[1]
    if weights is None or recurrent is None or len(weights.dims) != 3 or not node.hidden_size:  # noqa: PLR2004
        return None
    try:
        spec = LayerSpec(
            _KINDS[node.op_type],
            node.hidden_size,
            weights.dims[2],
            framework="onnx",
            bias=tensors[2] is not None,
            bidirectional=node.direction == "bidirectional",
            peepholes=tensors[3] is not None,
            reset_after=bool(node.linear_before_reset) if node.op_type == "GRU" else None,
        )
    except InvalidSpecError:
        return None
    found = [t.dims for t in tensors if t is not None]
    return spec if found == [w.shape for w in spec.weights()] else None
