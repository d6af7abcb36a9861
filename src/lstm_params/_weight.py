"""One named tensor of a layer, as its framework names and shapes it."""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["Weight"]


class Weight(NamedTuple):
    """A framework's tensor: its name and shape, in the framework's orientation.

    >>> Weight("weight_ih_l0", (800, 4096)).size
    3276800
    """

    name: str
    shape: tuple[int, ...]

    @property
    def size(self) -> int:
        """The number of elements: the product of the shape."""
        return math.prod(self.shape)
