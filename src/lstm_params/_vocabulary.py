"""The frameworks whose conventions lstm_params reproduces, and the names users give them."""

from __future__ import annotations

import enum

from ._errors import InvalidSpecError

__all__ = ["Framework"]


class Framework(enum.StrEnum):
    """The frameworks whose conventions lstm_params reproduces.

    Aliases a user would type are accepted; an ambiguous name is an error.

    >>> Framework.parse("torch")
    <Framework.PYTORCH: 'pytorch'>
    >>> Framework.parse("flax")
    Traceback (most recent call last):
    ...
    lstm_params.InvalidSpecError: framework 'flax' is ambiguous: use 'flax-linen' or 'flax-nnx'
    """

    KERAS = "keras"
    PYTORCH = "pytorch"
    ONNX = "onnx"
    TENSORFLOW_V1 = "tensorflow-v1"
    FLAX_LINEN = "flax-linen"
    FLAX_NNX = "flax-nnx"

    @property
    def display_name(self) -> str:
        """The name people write, e.g. ``"PyTorch"``."""
        return _TITLES[self]

    @classmethod
    def parse(cls, value: object) -> Framework:
        """Return the framework named by ``value`` (a value or an alias)."""
        if not isinstance(value, str):
            msg = f"framework must be a string, got {type(value).__name__} {value!r}"
            raise TypeError(msg)
        found = _FRAMEWORK_ALIASES.get(value)
        if found is not None:
            return found
        key = _normalise(value)
        if key in _AMBIGUOUS:
            choices = " or ".join(repr(f.value) for f in _AMBIGUOUS[key])
            msg = f"framework {value!r} is ambiguous: use {choices}"
            raise InvalidSpecError(msg)
        found = _FRAMEWORK_ALIASES.get(key)
        if found is None:
            allowed = ", ".join(repr(f.value) for f in cls)
            msg = f"framework must be one of {allowed} (or an alias); got {value!r}"
            raise InvalidSpecError(msg)
        return found


def _normalise(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(" ", "-")


_TITLES: dict[Framework, str] = {
    Framework.KERAS: "Keras",
    Framework.PYTORCH: "PyTorch",
    Framework.ONNX: "ONNX",
    Framework.TENSORFLOW_V1: "TensorFlow v1",
    Framework.FLAX_LINEN: "Flax linen",
    Framework.FLAX_NNX: "Flax NNX",
}

_FRAMEWORK_ALIASES: dict[str, Framework] = {
    **{f.value: f for f in Framework},
    "keras3": Framework.KERAS,
    "keras-3": Framework.KERAS,
    "keras2": Framework.KERAS,
    "keras-2": Framework.KERAS,
    "tf.keras": Framework.KERAS,
    "tf-keras": Framework.KERAS,
    "tensorflow": Framework.KERAS,
    "tf": Framework.KERAS,
    "torch": Framework.PYTORCH,
    "tensorflow1": Framework.TENSORFLOW_V1,
    "tensorflow-1": Framework.TENSORFLOW_V1,
    "tf-v1": Framework.TENSORFLOW_V1,
    "tf1": Framework.TENSORFLOW_V1,
    "tf.compat.v1": Framework.TENSORFLOW_V1,
    "linen": Framework.FLAX_LINEN,
    "flax.linen": Framework.FLAX_LINEN,
    "nnx": Framework.FLAX_NNX,
    "flax.nnx": Framework.FLAX_NNX,
}

_AMBIGUOUS: dict[str, tuple[Framework, ...]] = {
    "flax": (Framework.FLAX_LINEN, Framework.FLAX_NNX),
    "jax": (Framework.FLAX_LINEN, Framework.FLAX_NNX),
}
