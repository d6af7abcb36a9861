"""The ``lstm-params`` command line: every answer, as text, Markdown or JSON."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__
from ._compare import compare
from ._compute import MacsConvention, as_pytorch, compute_table, count_macs
from ._errors import InvalidFileError, InvalidSpecError
from ._kinds import Kind
from ._memory import DType, memory
from ._readers.inspect import inspect_file
from ._readers.model_file import summary_from_file
from ._render.table import printable
from ._sizing import max_units
from ._spec import LayerSpec
from ._summary import summary
from ._vocabulary import Framework

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

_EXAMPLES = """\
examples:
  lstm-params lstm 200 --input-dim 4096                      Keras LSTM(200) on 4096 inputs
  lstm-params lstm 200 --input-dim 4096 --framework pytorch  the same in PyTorch
  lstm-params gru 128 --input-dim 64 --bidirectional --layers 2 --format json
  lstm-params convlstm 64 --input-dim 3 --kernel-size 3x3
  lstm-params compare gru 200 --input-dim 4096               why frameworks differ
  lstm-params macs lstm 200 --input-dim 4096 --seq-len 16    MACs and FLOPs, every tool's way
  lstm-params max-units 1000000 --input-dim 4096             widest LSTM in 1M params
  lstm-params summary model.toml --format markdown           a whole model (see README)
  lstm-params inspect model.keras                            a saved Keras model
  lstm-params inspect checkpoint.safetensors --weights       a PyTorch checkpoint
"""


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``lstm-params: error: message`` and exit 2."""
        self.exit(2, f"lstm-params: error: {message}\n")


def _layer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--input-dim",
        type=_integer,
        required=True,
        metavar="N",
        help="input features (input channels for convlstm, vocabulary for embedding)",
    )
    parser.add_argument(
        "--framework",
        default="keras",
        help=f"one of {', '.join(f.value for f in Framework)} or an alias (default: keras)",
    )
    parser.add_argument("--no-bias", dest="bias", action="store_false", help="no bias")
    parser.add_argument("--bidirectional", action="store_true", help="both directions")
    parser.add_argument("--layers", type=_integer, default=1, metavar="N", help="stacked layers")
    parser.add_argument(
        "--proj-size",
        type=_integer,
        default=0,
        metavar="P",
        help="LSTM projection (pytorch proj_size, tensorflow-v1 num_proj)",
    )
    parser.add_argument("--peepholes", action="store_true", help="peephole LSTM")
    parser.add_argument(
        "--reset-after",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="GRU reset_after (default: the framework's own)",
    )
    parser.add_argument(
        "--kernel-size",
        type=_kernel_size,
        metavar="K",
        help="ConvLSTM kernel: K (square 2-D), KxK, KxKxK, or K, for one dimension",
    )


_DIGITS = 30  # an integer typed on the command line: at most this many digits
_INTEGER = re.compile(r"[+-]?[0-9]{1,%d}" % _DIGITS)  # noqa: UP031 - a regex, not a message
_KERNEL = re.compile(r"[0-9]{1,%d}(?:x[0-9]{1,%d}){0,2}|[0-9]{1,%d}," % ((_DIGITS,) * 3))  # noqa: UP031


def _integer(text: str) -> int:
    """A whole number of at most 30 digits; anything else, a one-line error saying so."""
    if not _INTEGER.fullmatch(text.strip()):
        msg = f"expected a whole number (at most {_DIGITS} digits), got {printable(text)!r}"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _kernel_size(text: str) -> int | tuple[int, ...]:
    """``3`` (square 2-D, as the API's int), ``3x3``, ``3x3x3``, or ``5,`` (one dimension)."""
    if not _KERNEL.fullmatch(text.strip()):
        msg = f"expected K, KxK, KxKxK, or K, for one dimension (e.g. 3x3), got {printable(text)!r}"
        raise argparse.ArgumentTypeError(msg)
    if "x" not in text and "," not in text:
        return int(text)
    return tuple(int(side) for side in text.strip().rstrip(",").split("x"))


def _lengths(text: str) -> list[int]:
    """``16,9,4``: each sequence's real length in a packed batch."""
    parts = text.split(",")
    if not all(_INTEGER.fullmatch(part.strip()) for part in parts):
        msg = f"expected whole numbers separated by commas (e.g. 16,9,4), got {printable(text)!r}"
        raise argparse.ArgumentTypeError(msg)
    return [int(part) for part in parts]


def _steps_options(parser: argparse.ArgumentParser, *, packed: bool) -> None:
    parser.add_argument(
        "--seq-len", type=_integer, default=1, metavar="S", help="time steps (default 1)"
    )
    parser.add_argument(
        "--batch", type=_integer, default=1, metavar="B", help="sequences (default 1)"
    )
    if packed:
        parser.add_argument(
            "--lengths",
            type=_lengths,
            metavar="N,N,...",
            help="a packed batch: each sequence's real length",
        )


def _output_options(parser: argparse.ArgumentParser, *, dtype: bool = True) -> None:
    parser.add_argument(
        "--format",
        choices=["text", "markdown", "json"],
        default="text",
        help="output format (default: text)",
    )
    if dtype:
        parser.add_argument(
            "--dtype",
            default="float32",
            choices=[d.value for d in DType],
            help="weight dtype for the memory figure (default: float32)",
        )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lstm-params",
        description="How many parameters does this recurrent layer have, and why?",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lstm-params {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    for kind in Kind:
        what = "filters" if kind is Kind.CONVLSTM else "units"
        layer = commands.add_parser(
            kind.value,
            help=f"count one {kind.value} layer",
            epilog=_EXAMPLES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        layer.add_argument("units", type=_integer, metavar=what.upper(), help=f"number of {what}")
        _layer_options(layer)
        _output_options(layer)
        layer.set_defaults(kind=kind.value)
    comparison = commands.add_parser("compare", help="one layer in every framework")
    comparison.add_argument("kind", choices=[k.value for k in Kind])
    comparison.add_argument("units", type=_integer, metavar="UNITS")
    _layer_options(comparison)
    _steps_options(comparison, packed=False)
    _output_options(comparison, dtype=False)
    compute = commands.add_parser("macs", help="MACs and FLOPs of one layer, every tool's way")
    compute.add_argument("kind", choices=[k.value for k in Kind])
    compute.add_argument("units", type=_integer, metavar="UNITS")
    _layer_options(compute)
    _steps_options(compute, packed=True)
    compute.add_argument(
        "--convention",
        default="all",
        choices=["all", *(c.value for c in MacsConvention)],
        help="whose way of counting (default: all of them)",
    )
    _output_options(compute, dtype=False)
    sizing = commands.add_parser("max-units", help="the widest layer within a parameter budget")
    sizing.add_argument("budget", type=_integer, metavar="BUDGET", help="most parameters allowed")
    sizing.add_argument("--kind", default="lstm", choices=[k.value for k in Kind])
    _layer_options(sizing)
    _output_options(sizing, dtype=False)
    model = commands.add_parser("summary", help="a model file (.toml or .json) as a table")
    model.add_argument("file", metavar="FILE")
    model.add_argument("--weights", action="store_true", help="list every tensor")
    _output_options(model, dtype=False)
    saved = commands.add_parser(
        "inspect", help="a saved model: .keras, Keras .json or .safetensors (read safely)"
    )
    saved.add_argument("file", metavar="FILE")
    saved.add_argument("--weights", action="store_true", help="list every tensor")
    _output_options(saved, dtype=False)
    return parser


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """``LayerSpec``'s keyword options from the command line."""
    return {
        "framework": args.framework,
        "bias": args.bias,
        "bidirectional": args.bidirectional,
        "num_layers": args.layers,
        "proj_size": args.proj_size,
        "peepholes": args.peepholes,
        "reset_after": args.reset_after,
        "kernel_size": args.kernel_size,
    }


def _spec(args: argparse.Namespace, kind: str, units: int) -> LayerSpec:
    return LayerSpec(kind, units, args.input_dim, **_options(args))


def _layer_report(spec: LayerSpec, dtype: DType | str = DType.FLOAT32) -> dict[str, Any]:
    """The JSON answer for one layer (keys documented in the README)."""
    return {
        **spec.to_dict(),
        "type": spec.layer_name,
        "params": spec.params,
        "output_dim": spec.output_dim,
        "formula": spec.formula(),
        "legend": spec.legend(),
        "note": spec.note,
        "weights": [
            {"name": w.name, "shape": list(w.shape), "size": w.size} for w in spec.weights()
        ],
        "memory": memory(spec, dtype=dtype).to_dict(),
    }


def _layer(args: argparse.Namespace) -> str:
    spec = _spec(args, args.kind, args.units)
    if args.format == "json":
        return json.dumps(_layer_report(spec, args.dtype), indent=2)
    weights = memory(spec, dtype=args.dtype)
    if args.format == "markdown":
        title = f"**{spec.framework.display_name} {spec.layer_name}**: {spec.params:,} parameters"
        table = summary([spec], dtype=args.dtype).to_markdown(weights=True)
        return f"{title}\n\n`{spec.formula()} = {spec.params:,}`\n\n{table}"
    return f"{spec.explain()}\nWeights: {weights} as {weights.dtype}"


def _compare(args: argparse.Namespace) -> str:
    spec = _spec(args, args.kind, args.units)
    comparison = compare(spec, seq_len=args.seq_len, batch=args.batch)
    if args.format == "json":
        return json.dumps(comparison.to_dict(), indent=2)
    return comparison.to_markdown() if args.format == "markdown" else str(comparison)


def _macs(args: argparse.Namespace) -> str:
    spec = _spec(args, args.kind, args.units)
    steps = {"seq_len": args.seq_len, "batch": args.batch, "lengths": args.lengths}
    chosen = list(MacsConvention) if args.convention == "all" else [MacsConvention(args.convention)]
    figures, skipped = [], []
    for convention in chosen:
        try:
            target = spec
            if convention is not MacsConvention.LSTM_PARAMS and args.convention == "all":
                target = as_pytorch(spec)
            figures.append(count_macs(target, convention=convention, **steps))
        except InvalidSpecError as error:
            if args.convention != "all":
                raise
            skipped.append((convention, str(error)))
    if not figures:  # not even ours: a ConvLSTM, whose compute depends on the frames' size
        raise InvalidSpecError(skipped[0][1])
    if args.format == "json":
        return json.dumps(
            {
                **spec.to_dict(),
                **steps,
                "figures": [figure.to_dict() for figure in figures],
                "skipped": [{"convention": str(c), "reason": why} for c, why in skipped],
            },
            indent=2,
        )
    table = compute_table(figures)
    notes = [f"{convention}: {why}" for convention, why in skipped]
    if args.convention == "all" and spec.framework is not Framework.PYTORCH:
        notes.insert(0, "The peer tools profile the layer as a PyTorch module.")
    steps_taken = figures[0].steps
    title = (
        f"{spec.framework.display_name} {spec.layer_name}, "
        f"{steps_taken:,} step{'s' * (steps_taken != 1)}"
    )
    if args.format == "markdown":
        return "\n\n".join([f"**{title}**", table.markdown(), *notes])
    return "\n".join([title, table.text(), *notes])


def _max_units(args: argparse.Namespace) -> str:
    units = max_units(args.budget, args.input_dim, args.kind, **_options(args))
    best, wider = _spec(args, args.kind, units), _spec(args, args.kind, units + 1)
    if args.format == "json":
        return json.dumps(
            {
                "budget": args.budget,
                **best.to_dict(),
                "params": best.params,
                "next_params": wider.params,
            },
            indent=2,
        )
    line = (
        f"{units} {'filters' if best.kind is Kind.CONVLSTM else 'units'}: "
        f"{best.framework.display_name} {best.layer_name} has {best.params:,} parameters "
        f"(budget {args.budget:,}; {units + 1} would have {wider.params:,})"
    )
    return f"**{units}**: {line.split(': ', 1)[1]}" if args.format == "markdown" else line


def _summary(args: argparse.Namespace) -> str:
    reader = inspect_file if args.command == "inspect" else summary_from_file
    model = reader(args.file)
    if args.format == "json":
        return json.dumps(model.to_dict(), indent=2)
    if args.format == "markdown":
        return model.to_markdown(weights=args.weights)
    return model.to_text(weights=args.weights)


_COMMANDS = {
    "compare": _compare,
    "macs": _macs,
    "max-units": _max_units,
    "summary": _summary,
    "inspect": _summary,
}


# The library names LayerSpec's fields; the command line says the flags the user typed.
_SAID = (
    (re.compile(r"\b(peepholes|bidirectional|reset_after)=True\b"), r"\1"),
    (re.compile(r"\breset_after=False\b"), "--no-reset-after"),
    (re.compile(r"\bbias=False\b"), "--no-bias"),
    (re.compile(r"\bleave it \S+ for\b"), "leave it out for"),
    (re.compile(r"\b(num_layers|proj_size|input_dim|seq_len|batch|lengths)=(?=\S)"), r"\1 "),
)
_FLAGS = {
    "num_units": "UNITS",
    "input_dim": "--input-dim",
    "num_layers": "--layers",
    "proj_size": "--proj-size",
    "kernel_size": "--kernel-size",
    "reset_after": "--reset-after",
    "peepholes": "--peepholes",
    "bidirectional": "--bidirectional",
    "seq_len": "--seq-len",
    "batch": "--batch",
    "lengths": "--lengths",
}
_FIELD = re.compile(r"\b(" + "|".join(_FLAGS) + r")\b")


def _as_typed(message: str) -> str:
    """A library message in the command line's words: ``num_layers`` is ``--layers``.

    >>> _as_typed("peepholes=True applies to LSTM layers only; leave it False for gru")
    '--peepholes applies to LSTM layers only; leave it out for gru'
    >>> _as_typed("num_layers=2: tensorflow-v1 has no stacks")
    '--layers 2: tensorflow-v1 has no stacks'
    """
    for pattern, replacement in _SAID:
        message = pattern.sub(replacement, message)
    return _FIELD.sub(lambda match: _FLAGS[match[1]], message)


def _error(message: str) -> int:
    print(f"lstm-params: error: {printable(message, width=400)}", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``lstm-params``; return the exit status (0, or 2 for any error)."""
    args = _parser().parse_args(argv)
    try:
        output = _COMMANDS.get(args.command, _layer)(args)
    except InvalidFileError as error:  # the file's own words: already one safe line
        return _error(str(error))
    except (InvalidSpecError, TypeError) as error:
        return _error(_as_typed(str(error)))
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    output = output.encode(encoding, "backslashreplace").decode(encoding)  # e.g. ↳ on ASCII
    try:
        print(output, flush=True)
    except OSError as error:  # a closed pipe (`lstm-params ... | head`), a full disk
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the flush at exit fails no more
        if isinstance(error, BrokenPipeError):  # stop quietly, as cat does
            return 1
        return _error(f"cannot write the output: {error.strerror or error}")
    return 0
