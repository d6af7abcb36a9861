"""TensorFlow 1 cells: ``tf.compat.v1.nn.rnn_cell.LSTMCell``, ``GRUCell``, ``BasicRNNCell``.

Each cell keeps one kernel over the concatenated ``[inputs, state]`` and a bias
that cannot be switched off. ``LSTMCell(use_peepholes=True)`` adds ``w_f_diag``,
``w_i_diag`` and ``w_o_diag``; ``num_proj=P`` (``proj_size`` here) adds
``projection/kernel (units, P)`` and makes the state ``P`` wide.
``BasicLSTMCell`` has ``LSTMCell``'s tensors under the name ``basic_lstm_cell``.
"""

from __future__ import annotations

from ._convention import Convention, Term
from ._formula import Quantity, mul
from ._vocabulary import Framework, Kind
from ._weight import Weight

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

    from ._spec import LayerSpec

__all__ = ["TensorFlowV1"]

_CLASSES = {Kind.LSTM: "LSTMCell", Kind.GRU: "GRUCell", Kind.RNN: "BasicRNNCell"}


class TensorFlowV1(Convention):
    """``tf.compat.v1.nn.rnn_cell`` cells."""

    framework = Framework.TENSORFLOW_V1
    kinds = frozenset(_CLASSES)
    optional_bias = frozenset()
    reset_after = (False,)
    projection = True
    peepholes = True
    stacks = False
    notes: ClassVar[dict[Kind, str]] = dict.fromkeys(
        _CLASSES, "TensorFlow 1 cells keep one kernel over [inputs, state] and one bias per gate."
    )

    def layer_name(self, spec: LayerSpec) -> str:
        """``LSTMCell``, ``GRUCell`` or ``BasicRNNCell``."""
        return _CLASSES[spec.kind]

    def weights(self, spec: LayerSpec) -> tuple[Weight, ...]:
        """The cell's variables in creation order."""
        units = spec.num_units
        joined = spec.input_dim + spec.recurrent_width
        if spec.kind is Kind.GRU:
            return (
                Weight("gru_cell/gates/kernel", (joined, 2 * units)),
                Weight("gru_cell/gates/bias", (2 * units,)),
                Weight("gru_cell/candidate/kernel", (joined, units)),
                Weight("gru_cell/candidate/bias", (units,)),
            )
        if spec.kind is Kind.RNN:
            return (
                Weight("basic_rnn_cell/kernel", (joined, units)),
                Weight("basic_rnn_cell/bias", (units,)),
            )
        found = [
            Weight("lstm_cell/kernel", (joined, 4 * units)),
            Weight("lstm_cell/bias", (4 * units,)),
        ]
        if spec.peepholes:
            found += [Weight(f"lstm_cell/w_{gate}_diag", (units,)) for gate in "fio"]
        if spec.proj_size:
            found.append(Weight("lstm_cell/projection/kernel", (units, spec.proj_size)))
        return tuple(found)

    def extra_terms(self, spec: LayerSpec) -> tuple[Term, ...]:
        """Peephole diagonals and the projection kernel."""
        extras = super().extra_terms(spec)
        if spec.proj_size:
            projection = mul(
                Quantity("units", spec.num_units), Quantity("proj_size", spec.proj_size)
            )
            return (*extras, Term("the projection", projection))
        return extras
