"""Immutable value objects without ``dataclasses`` (whose import costs ~15 ms).

A subclass lists its fields in ``__slots__`` and ``_fields``, sets them once in
``__init__`` with :func:`setup`, and gets equality, hashing, ``repr``, pickling
and immutability from :class:`Frozen`.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

__all__ = ["Frozen", "setup"]


class Frozen:
    """Base of the package's value objects: compared, hashed and shown by their fields."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, name) for name in self._fields)

    def __setattr__(self, name: str, value: object) -> None:
        """Refuse: the object is immutable."""
        msg = f"{type(self).__name__} is immutable: cannot set {name!r}"
        raise AttributeError(msg)

    def __delattr__(self, name: str) -> None:
        """Refuse: the object is immutable."""
        msg = f"{type(self).__name__} is immutable: cannot delete {name!r}"
        raise AttributeError(msg)

    def __eq__(self, other: object) -> bool:
        """Equal to an object of the same class with equal fields."""
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        """The hash of the class and the fields."""
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        """``Class(field=value, ...)``."""
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._fields)
        return f"{type(self).__name__}({fields})"

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle and copy by fields (``__setattr__`` refuses the default way)."""
        return _restore, (type(self), self._fields, self._values())


def setup(instance: Frozen, **fields: object) -> None:
    """Set the fields of a new ``instance``, once, from its ``__init__``."""
    for name, value in fields.items():
        object.__setattr__(instance, name, value)


def _restore(cls: type[Frozen], names: tuple[str, ...], values: tuple[Any, ...]) -> Frozen:
    instance = object.__new__(cls)
    setup(instance, **dict(zip(names, values, strict=True)))
    return instance
