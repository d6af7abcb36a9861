"""Keras' HDF5 files as summaries: ``model.save("x.h5")`` and ``save_weights("x.weights.h5")``.

A legacy ``.h5`` model carries its architecture in the root's ``model_config``
attribute: it is counted as a Keras configuration. A weights file has no
architecture: its datasets are the model's tensors, counted as they are. Either
may hold a trained model's optimizer variables (``optimizer_weights/...`` in
legacy files, ``optimizer/...`` in Keras 3's): they are not parameters and are
reported apart.
"""

from __future__ import annotations

import dataclasses
import math

from lstm_params._weight import Weight

from ._safe import loads_json
from .keras_config import summary_from_config
from .safetensors import recognise

TYPE_CHECKING = False
if TYPE_CHECKING:
    from lstm_params._summary import Summary

    from .hdf5 import Hdf5Metadata

__all__ = ["summary_from_hdf5"]

_OPTIMIZER = ("optimizer_weights/", "optimizer/")


def summary_from_hdf5(found: Hdf5Metadata) -> Summary:
    """Count a Keras ``.h5`` model from its ``model_config``, or a weights file from its tensors.

    Keras 3.15 saved this model as ``.h5`` (``model.count_params()``: 184, after
    one Adam step whose 14 variables are not parameters):

    >>> from lstm_params import inspect_file
    >>> model = inspect_file("tests/data/models/keras3-trained-adam.h5")
    >>> model.params, model.optimizer > 0
    (184, True)
    """
    optimizer = sum(math.prod(d.shape) for d in found.datasets if d.path.startswith(_OPTIMIZER))
    config = found.attributes.get("model_config")
    if isinstance(config, str | bytes):
        model = summary_from_config(loads_json(config, "model_config"), datasets=found.datasets)
    else:
        tensors = [
            Weight(d.path, d.shape) for d in found.datasets if not d.path.startswith(_OPTIMIZER)
        ]
        model = recognise(tensors)
    return dataclasses.replace(model, optimizer=optimizer)
