"""A Sphinx extension: lstm_params' tables and numbers in the docs, computed at build time.

In ``conf.py``, ``extensions = ["lstm_params.sphinx"]``; then, in reStructuredText::

    .. lstm-params:: lstm 200 --input-dim 4096 --framework pytorch

    Keras says :lstm-params:`lstm 200 --input-dim 4096` parameters.

or in MyST Markdown (with ``myst_parser``)::

    ```{lstm-params} compare lstm 200 --input-dim 4096
    ```

    Keras says {lstm-params}`lstm 200 --input-dim 4096` parameters.

The directive takes any ``lstm-params`` command line (a layer, ``compare``,
``macs``, ``summary FILE``, ``inspect FILE``, with the command's own options;
a file is relative to the document) and renders its table as HTML, or as text
for other builders. The role gives the command's total number of parameters,
e.g. 3,437,600. A command that fails is a build warning naming it (an error
under ``-W``), never a wrong number. Sphinx and docutils are needed only here.
"""

from __future__ import annotations

import json
import shlex
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import Directive, directives

from . import __version__
from ._cli import run

if TYPE_CHECKING:
    from docutils.parsers.rst.states import Inliner
    from sphinx.application import Sphinx

__all__ = ["LstmParamsDirective", "lstm_params_role", "setup"]

_FILES = {"summary", "inspect"}


def _words(text: str, document: str, resolve: Any) -> list[str]:  # noqa: ANN401 - env.relfn2path
    """The command line's words, a model file made relative to the document's folder."""
    words = shlex.split(text)
    if words and words[0] in _FILES and len(words) > 1:
        words[1] = resolve(words[1], document)[1]
    return words


def _answer(words: list[str], fmt: str) -> str:
    try:
        return run([*words, "--format", fmt])
    except SystemExit as exited:  # argparse refused the command line
        msg = f"lstm-params {shlex.join(words)}: not a valid command line"
        raise ValueError(msg) from exited


class LstmParamsDirective(Directive):
    """``.. lstm-params:: COMMAND LINE``: the command's table, in the page."""

    has_content = False
    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {"format": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        """Run the command line; HTML for HTML builders, the text table for others."""
        env = self.state.document.settings.env
        words = _words(self.arguments[0], env.docname, env.relfn2path)
        try:
            html = _answer(words, "html")
            text = _answer(words, "text")
        except ValueError as error:  # InvalidSpecError, InvalidFileError, a bad command line
            message = f"lstm-params {self.arguments[0]}: {error}"
            return [self.state.document.reporter.warning(message, line=self.lineno)]
        return [
            nodes.raw("", html, format="html"),
            nodes.raw("", f"\\begin{{verbatim}}\n{text}\n\\end{{verbatim}}", format="latex"),
        ]


def lstm_params_role(  # noqa: PLR0913, PLR0917 - docutils' role protocol
    name: str,  # noqa: ARG001
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,  # noqa: ARG001
    content: list[str] | None = None,  # noqa: ARG001
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """``:lstm-params:`COMMAND LINE```: the command's total number of parameters, e.g. 3,437,600."""
    env = inliner.document.settings.env
    words = _words(text, env.docname, env.relfn2path)
    try:
        data = json.loads(_answer(words, "json"))
        params = data["params"] if "params" in data else data["rows"][0]["params"]
    except (ValueError, KeyError) as error:
        message = inliner.reporter.warning(f"{rawtext}: {error}", line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    return [nodes.Text(f"{params:,}")], []


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``lstm-params`` directive and role."""
    app.add_directive("lstm-params", LstmParamsDirective)
    app.add_role("lstm-params", lstm_params_role)
    return {"version": __version__, "parallel_read_safe": True, "parallel_write_safe": True}
