"""Macros for MkDocs (``mkdocs-macros-plugin``): lstm_params' tables and numbers in the docs.

In ``mkdocs.yml``::

    plugins:
      - macros:
          modules: [lstm_params.mkdocs]

then, in a page, ``{{ lstm_params("lstm 200 --input-dim 4096") }}`` puts the
command's table (Markdown) in the page and ``{{ lstm_params_total("lstm 200
--input-dim 4096") }}`` its total number of parameters (3,437,600). The
commands are ``lstm-params`` command lines, with the command's own options; a
failing one raises, so the build stops with its message.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, Any

from ._cli import run

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["define_env", "lstm_params", "lstm_params_total"]


def lstm_params(command: str, fmt: str = "markdown") -> str:
    """The table of ``lstm-params COMMAND`` in ``fmt`` (Markdown by default).

    >>> print(lstm_params("lstm 200 --input-dim 4096").splitlines()[0])
    **Keras LSTM**: 3,437,600 parameters
    """
    return run([*shlex.split(command), "--format", fmt])


def lstm_params_total(command: str) -> str:
    """The total number of parameters of ``lstm-params COMMAND``, e.g. ``3,437,600``.

    >>> lstm_params_total("lstm 200 --input-dim 4096 --framework pytorch")
    '3,438,400'
    """
    data = json.loads(run([*shlex.split(command), "--format", "json"]))
    params = data["params"] if "params" in data else data["rows"][0]["params"]
    return f"{params:,}"


def define_env(env: Any) -> None:  # noqa: ANN401 - mkdocs-macros' environment
    """Register the macros (mkdocs-macros calls this for each module it loads)."""
    macros: dict[str, Callable[..., str]] = {
        "lstm_params": lstm_params,
        "lstm_params_total": lstm_params_total,
    }
    for name, function in macros.items():
        env.macro(function, name)
