"""One named tensor of a layer, as its framework names and shapes it."""

from __future__ import annotations

import math

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import NamedTuple

    class _Fields(NamedTuple):
        name: str
        shape: tuple[int, ...]

else:  # collections.namedtuple: the same class without importing typing
    from collections import namedtuple

    _Fields = namedtuple("Weight", ["name", "shape"])  # noqa: PYI024 - typing costs ms at import

__all__ = ["Weight"]


class Weight(_Fields):
    """A framework's tensor: its name and shape, in the framework's orientation.

    >>> Weight("weight_ih_l0", (800, 4096)).size
    3276800
    """

    __slots__ = ()

    @property
    def size(self) -> int:
        """The number of elements: the product of the shape."""
        return math.prod(self.shape)
