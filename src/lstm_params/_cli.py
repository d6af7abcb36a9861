"""The ``lstm-params`` command line: every answer, as text, Markdown, HTML, CSV, JSON or SVG.

:func:`run` turns a command line into the answer's text (the Sphinx and MkDocs
integrations call it too); :func:`main` prints it, or one line on stderr and
exit status 2 for any error. Each command takes only the options that apply to
it (a ``dense`` layer has no ``--peepholes``), from one table of the
``LayerSpec`` options, and imports only what it needs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__
from ._errors import InvalidFileError, InvalidSpecError
from ._kinds import FACTS, OPTIONS, Kind
from ._render.table import printable
from ._vocabulary import Framework

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ._render.table import Table
    from ._spec import LayerSpec
    from ._summary import Summary

__all__ = ["main", "run"]

_DTYPES = ("float64", "float32", "bfloat16", "float16", "int8", "int4")  # DType's values
_OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")  # Optimizer's values

_EXAMPLES = {
    "": """\
examples:
  lstm-params lstm 200 --input-dim 4096                      Keras LSTM(200) on 4096 inputs
  lstm-params lstm 200 --input-dim 4096 --framework pytorch  the same in PyTorch
  lstm-params gru 128 --input-dim 64 --bidirectional --layers 2 --format json
  lstm-params convlstm 64 --input-dim 3 --kernel-size 3x3
  lstm-params compare gru 200 --input-dim 4096               why frameworks differ
  lstm-params macs lstm 200 --input-dim 4096 --seq-len 16    MACs and FLOPs, every tool's way
  lstm-params max-units 1000000 --input-dim 4096             widest LSTM in 1M params
  lstm-params summary model.toml --format markdown           a whole model (see README)
  lstm-params inspect model.keras                            a saved model, read safely
  lstm-params plot lstm --input-dim 4096 > lstm.svg          totals against units
""",
    "layer": """\
examples:
  lstm-params lstm 200 --input-dim 4096                      Keras LSTM(200) on 4096 inputs
  lstm-params lstm 200 --input-dim 4096 --framework pytorch --format markdown
  lstm-params lstm 300 --input-dim 300 --cudnn --bidirectional   tf.keras 2 CuDNNLSTM
  lstm-params gru 20 --input-dim 10 --framework pytorch --cell   nn.GRUCell
  lstm-params lstm 200 --input-dim 4096 --optimizer adam     memory to train it
  lstm-params lstm 200 --input-dim 4096 --format svg > lstm.svg   its weights, drawn
""",
    "compare": """\
examples:
  lstm-params compare lstm 200 --input-dim 4096
  lstm-params compare gru 200 --input-dim 4096 --format markdown
  lstm-params compare lstm 300 --input-dim 300 --bidirectional --seq-len 16 --batch 8
""",
    "macs": """\
examples:
  lstm-params macs lstm 200 --input-dim 4096 --seq-len 16
  lstm-params macs gru 64 --input-dim 32 --framework pytorch --lengths 16,9,4
  lstm-params macs lstm 200 --input-dim 4096 --convention torchinfo --format json
""",
    "max-units": """\
examples:
  lstm-params max-units 1000000 --input-dim 4096
  lstm-params max-units 1000000 --input-dim 4096 --kind gru --framework pytorch
""",
    "summary": """\
examples:
  lstm-params summary model.toml
  lstm-params summary model.json --format html --seq-len 100 --batch 32
""",
    "inspect": """\
examples:
  lstm-params inspect model.keras
  lstm-params inspect model.h5 --weights --format markdown
  lstm-params inspect checkpoint.pt --optimizer adam
  lstm-params inspect model.onnx --format json
""",
    "plot": """\
examples:
  lstm-params plot lstm --input-dim 4096 > lstm.svg
  lstm-params plot gru --input-dim 512 --units 8:1024 --frameworks keras,pytorch,flax-linen
""",
}


class _Parser(argparse.ArgumentParser):
    """An argparse parser whose errors are one line on stderr and exit status 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``lstm-params: error: message`` and exit 2."""
        self.exit(2, f"lstm-params: error: {message}\n")


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


#: each LayerSpec option's flag and argparse arguments: one table for every command
_FLAGS_OF: dict[str, tuple[str, dict[str, Any]]] = {
    "gates": ("--gates", {"type": _integer, "metavar": "G", "help": "gate blocks (a custom cell)"}),
    "bias": ("--no-bias", {"dest": "bias", "action": "store_false", "help": "no bias"}),
    "bidirectional": ("--bidirectional", {"action": "store_true", "help": "both directions"}),
    "num_layers": (
        "--layers",
        {"dest": "num_layers", "type": _integer, "metavar": "N", "help": "stacked layers"},
    ),
    "merge_mode": (
        "--merge-mode",
        {
            "choices": ["concat", "sum", "mul", "ave", "none"],
            "help": "how Keras' Bidirectional merges the directions (default: concat)",
        },
    ),
    "proj_size": (
        "--proj-size",
        {"type": _integer, "metavar": "P", "help": "LSTM projection (proj_size, num_proj)"},
    ),
    "peepholes": ("--peepholes", {"action": "store_true", "help": "peephole LSTM"}),
    "reset_after": (
        "--reset-after",
        {
            "action": argparse.BooleanOptionalAction,
            "help": "GRU reset_after (default: the framework's own)",
        },
    ),
    "kernel_size": (
        "--kernel-size",
        {
            "type": _kernel_size,
            "metavar": "K",
            "help": "ConvLSTM kernel: K (square 2-D), KxK, KxKxK, or K, for one dimension",
        },
    ),
    "cudnn": ("--cudnn", {"action": "store_true", "help": "Keras 2's CuDNNLSTM / CuDNNGRU"}),
    "cell": ("--cell", {"action": "store_true", "help": "the framework's cell class"}),
    "reset_gate": (
        "--reset-gate",
        {"action": argparse.BooleanOptionalAction, "help": "MGU reset_gate (default: True)"},
    ),
    "return_sequences": (
        "--return-sequences",
        {
            "action": argparse.BooleanOptionalAction,
            "help": "every step or the last (default: the framework's own)",
        },
    ),
}


def _layer_options(parser: argparse.ArgumentParser, kinds: Sequence[Kind]) -> None:
    """``--input-dim``, ``--framework`` and the options any of ``kinds`` takes."""
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
    for option, (flag, arguments) in _FLAGS_OF.items():
        if any(FACTS[kind].takes(option) for kind in kinds):
            parser.add_argument(flag, **arguments, default=OPTIONS[option])


def _steps_options(parser: argparse.ArgumentParser, *, packed: bool = False) -> None:
    parser.add_argument("--seq-len", type=_integer, metavar="S", help="time steps (default 1)")
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


def _output_options(
    parser: argparse.ArgumentParser, formats: Sequence[str], *, memory: bool = False
) -> None:
    parser.add_argument(
        "--format",
        choices=formats,
        default=formats[0],
        help=f"output format (default: {formats[0]})",
    )
    if memory:
        parser.add_argument(
            "--dtype",
            default="float32",
            choices=_DTYPES,
            help="weight dtype for the memory figure (default: float32)",
        )
        parser.add_argument(
            "--optimizer",
            choices=_OPTIMIZERS,
            help="add the memory to train: gradients and this optimizer's state",
        )


_TABLES = ("text", "markdown", "html", "csv", "json")
_INSPECT_HELP = (
    "a saved model, read safely: .keras, .h5, Keras .json, .safetensors (sharded too), "
    "torch .pt/.pth/.bin/.ckpt, .onnx"
)


def _command(
    commands: Any,  # noqa: ANN401 - argparse's private subparsers action
    name: str,
    help_text: str,
    examples: str,
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=_EXAMPLES[examples],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    return parser


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="lstm-params",
        description="How many parameters does this recurrent layer have, and why?",
        epilog=_EXAMPLES[""],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"lstm-params {__version__}")
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )
    for kind in Kind:
        facts = FACTS[kind]
        layer = _command(commands, kind.value, f"count one {facts.title} layer", "layer")
        what = f"{facts.units}s"
        layer.add_argument("units", type=_integer, metavar="UNITS", help=f"number of {what}")
        _layer_options(layer, [kind])
        _output_options(layer, (*_TABLES, "svg"), memory=True)
        layer.set_defaults(kind=kind.value)
    every = list(Kind)
    comparison = _command(commands, "compare", "one layer in every framework", "compare")
    comparison.add_argument("kind", choices=[k.value for k in Kind])
    comparison.add_argument("units", type=_integer, metavar="UNITS")
    _layer_options(comparison, every)
    _steps_options(comparison)
    _output_options(comparison, _TABLES)
    compute = _command(commands, "macs", "MACs and FLOPs of one layer, every tool's way", "macs")
    compute.add_argument("kind", choices=[k.value for k in Kind])
    compute.add_argument("units", type=_integer, metavar="UNITS")
    _layer_options(compute, every)
    _steps_options(compute, packed=True)
    compute.add_argument(
        "--convention",
        default="all",
        choices=["all", "lstm_params", "ptflops", "thop", "torchinfo", "torchprofile", "calflops",
                 "fvcore"],
        help="whose way of counting (default: all of them)",
    )  # fmt: skip
    _output_options(compute, _TABLES)
    sizing = _command(
        commands, "max-units", "the widest layer within a parameter budget", "max-units"
    )
    sizing.add_argument("budget", type=_integer, metavar="BUDGET", help="most parameters allowed")
    sizing.add_argument("--kind", default="lstm", choices=[k.value for k in Kind])
    _layer_options(sizing, every)
    _output_options(sizing, ("text", "markdown", "json"))
    for name, help_text in (
        ("summary", "a model file of lstm_params' own (.toml or .json) as a table"),
        ("inspect", _INSPECT_HELP),
    ):
        model = _command(commands, name, help_text, name)
        model.add_argument("file", metavar="FILE")
        model.add_argument("--weights", action="store_true", help="list every tensor")
        _steps_options(model)
        _output_options(model, _TABLES, memory=True)
    plot = _command(commands, "plot", "an SVG chart of the total against units", "plot")
    plot.add_argument("kind", choices=[k.value for k in Kind if FACTS[k].recurrent])
    plot.add_argument("--input-dim", type=_integer, required=True, metavar="N")
    plot.add_argument(
        "--units", type=_span, default=(8, 512), metavar="LOW:HIGH", help="(default 8:512)"
    )
    plot.add_argument(
        "--frameworks",
        default="keras,pytorch",
        metavar="F,F,...",
        help="frameworks to plot (default: keras,pytorch)",
    )
    return parser


def _span(text: str) -> tuple[int, int]:
    """``8:512``: the smallest and largest ``num_units`` to plot."""
    low, _, high = text.partition(":")
    first, last = _integer(low), _integer(high)
    if not 1 <= first < last:
        msg = f"expected LOW:HIGH with 1 <= LOW < HIGH, got {printable(text)!r}"
        raise argparse.ArgumentTypeError(msg)
    return first, last


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """``LayerSpec``'s keyword options from the command line: those this command took."""
    found: dict[str, Any] = {"framework": args.framework}
    for option in _FLAGS_OF:
        if hasattr(args, option):
            found[option] = getattr(args, option)
    if found.get("merge_mode") == "none":
        found["merge_mode"] = None
    return found


def _spec(args: argparse.Namespace, kind: str, units: int) -> LayerSpec:
    from ._spec import LayerSpec  # noqa: PLC0415 - each command imports what it needs

    return LayerSpec(kind, units, args.input_dim, **_options(args))


def _dumps(data: object) -> str:
    import json  # noqa: PLC0415 - only the JSON format needs it

    return json.dumps(data, indent=2)


def _training(args: argparse.Namespace, params: int) -> str:
    """The memory to train, for ``--optimizer``: one line, or nothing."""
    if args.optimizer is None:
        return ""
    from ._memory import memory  # noqa: PLC0415 - each command imports what it needs

    return f"Training: {memory(params, dtype=args.dtype, optimizer=args.optimizer).describe()}"


def _layer(args: argparse.Namespace) -> str:
    from ._memory import memory  # noqa: PLC0415 - each command imports what it needs
    from ._summary import summary  # noqa: PLC0415

    spec = _spec(args, args.kind, args.units)
    weights = memory(spec, dtype=args.dtype)
    training = _training(args, spec.params)
    if args.format == "json":
        report = {
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
            "memory": memory(spec, dtype=args.dtype, optimizer=args.optimizer).to_dict(),
        }
        return _dumps(report)
    if args.format == "svg":
        return spec.to_svg()
    table = summary([spec], dtype=args.dtype).table(weights=True)
    lines = [training] if training else []
    if args.format == "csv":
        return table.csv()
    if args.format == "html":
        return spec.to_html() + "".join(f"<p>{line}</p>" for line in lines)
    if args.format == "markdown":
        return "\n\n".join([spec.to_markdown(), *lines])
    return "\n".join([spec.explain(), f"Weights: {weights} as {weights.dtype}", *lines])


def _compare(args: argparse.Namespace) -> str:
    from ._compare import compare  # noqa: PLC0415 - each command imports what it needs

    spec = _spec(args, args.kind, args.units)
    comparison = compare(spec, seq_len=args.seq_len or 1, batch=args.batch)
    return _render(comparison, args.format)


def _render(value: Any, fmt: str, **options: Any) -> str:  # noqa: ANN401 - a Summary or Comparison
    """``value`` rendered in ``fmt``: each result renders itself, the CLI only chooses."""
    if fmt == "json":
        return _dumps(value.to_dict())
    if fmt == "csv":
        return str(value.table(**options).csv())
    method = {"text": "to_text", "markdown": "to_markdown", "html": "to_html"}[fmt]
    return str(getattr(value, method)(**options))


def _macs(args: argparse.Namespace) -> str:
    from ._compute import (  # noqa: PLC0415 - each command imports what it needs
        MacsConvention,
        as_pytorch,
        compute_table,
        count_macs,
    )

    spec = _spec(args, args.kind, args.units)
    steps = {"seq_len": args.seq_len or 1, "batch": args.batch, "lengths": args.lengths}
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
        return _dumps(
            {
                **spec.to_dict(),
                **steps,
                "figures": [figure.to_dict() for figure in figures],
                "skipped": [{"convention": str(c), "reason": why} for c, why in skipped],
            }
        )
    notes = [f"{convention}: {why}" for convention, why in skipped]
    if args.convention == "all" and spec.framework is not Framework.PYTORCH:
        notes.insert(0, "The peer tools profile the layer as a PyTorch module.")
    steps_taken = figures[0].steps
    title = (
        f"{spec.framework.display_name} {spec.layer_name}, "
        f"{steps_taken:,} step{'s' * (steps_taken != 1)}"
    )
    return _figures(compute_table(figures), title, notes, args.format)


def _figures(table: Table, title: str, notes: list[str], fmt: str) -> str:
    """The compute table with its title and notes, in ``fmt``."""
    if fmt == "csv":
        return table.csv()
    if fmt == "html":
        import html  # noqa: PLC0415 - only the HTML format needs it

        paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in notes)
        heading = f"<p><strong>{html.escape(title)}</strong></p>"
        return heading + table.html("lstm-params-compute") + paragraphs
    if fmt == "markdown":
        return "\n\n".join([f"**{title}**", table.markdown(), *notes])
    return "\n".join([title, table.text(), *notes])


def _max_units(args: argparse.Namespace) -> str:
    from ._sizing import max_units  # noqa: PLC0415 - each command imports what it needs

    units = max_units(args.budget, args.input_dim, args.kind, **_options(args))
    best, wider = _spec(args, args.kind, units), _spec(args, args.kind, units + 1)
    if args.format == "json":
        return _dumps(
            {
                "budget": args.budget,
                **best.to_dict(),
                "params": best.params,
                "next_params": wider.params,
            }
        )
    line = (
        f"{units} {FACTS[best.kind].units}s: "
        f"{best.framework.display_name} {best.layer_name} has {best.params:,} parameters "
        f"(budget {args.budget:,}; {units + 1} would have {wider.params:,})"
    )
    return f"**{units}**: {line.split(': ', 1)[1]}" if args.format == "markdown" else line


def _summary(args: argparse.Namespace) -> str:
    import dataclasses  # noqa: PLC0415 - each command imports what it needs

    from ._memory import DType  # noqa: PLC0415

    if args.command == "inspect":
        from ._readers.inspect import inspect_file  # noqa: PLC0415

        model: Summary = inspect_file(args.file)
    else:
        from ._readers.model_file import summary_from_file  # noqa: PLC0415

        model = summary_from_file(args.file)
    model = dataclasses.replace(
        model,
        dtype=DType.parse(args.dtype),
        seq_len=args.seq_len or model.seq_len,
        batch=args.batch,
    )
    output = _render(
        model, args.format, **({} if args.format == "json" else {"weights": args.weights})
    )
    training = _training(args, model.params)
    if not training:
        return output
    if args.format == "json":
        import json  # noqa: PLC0415 - only the JSON format needs it

        from ._memory import memory  # noqa: PLC0415

        data = json.loads(output)
        data["training_memory"] = memory(
            model.params, dtype=args.dtype, optimizer=args.optimizer
        ).to_dict()
        return _dumps(data)
    return f"{output}\n{training}" if args.format in {"text", "markdown"} else output


def _plot(args: argparse.Namespace) -> str:
    from ._render.svg import params_chart_svg  # noqa: PLC0415 - each command imports what it needs
    from ._spec import LayerSpec  # noqa: PLC0415

    low, high = args.units
    units = sorted({round(low + (high - low) * i / 24) for i in range(25)})
    names = [name.strip() for name in args.frameworks.split(",") if name.strip()]
    series = [
        (
            Framework.parse(name).value,
            [LayerSpec(args.kind, u, args.input_dim, framework=name) for u in units],
        )
        for name in names
    ]
    title = f"{FACTS[Kind(args.kind)].title} parameters on {args.input_dim:,} inputs"
    return params_chart_svg(series, title=title)


_COMMANDS: dict[str, Callable[[argparse.Namespace], str]] = {
    "compare": _compare,
    "macs": _macs,
    "max-units": _max_units,
    "summary": _summary,
    "inspect": _summary,
    "plot": _plot,
}


# The library names LayerSpec's fields; the command line says the flags the user typed.
_SAID = (
    (re.compile(r"\b(peepholes|bidirectional|cudnn|cell)=True\b"), r"\1"),
    (re.compile(r"\b(reset_after|reset_gate|return_sequences)=True\b"), r"\1"),
    (re.compile(r"\b(reset_after|reset_gate|return_sequences)=False\b"), r"--no-\1"),
    (re.compile(r"\bbias=False\b"), "--no-bias"),
    (re.compile(r"\bleave it \S+ for\b"), "leave it out for"),
    (
        re.compile(
            r"\b(gates|num_layers|proj_size|input_dim|seq_len|batch|lengths|merge_mode)=(?=\S)"
        ),
        r"\1 ",
    ),
)
_FLAGS = {
    "num_units": "UNITS",
    "input_dim": "--input-dim",
    "seq_len": "--seq-len",
    "batch": "--batch",
    "lengths": "--lengths",
    **{option: flag for option, (flag, _) in _FLAGS_OF.items() if option != "bias"},
}
_FIELD = re.compile(r"(?<![-\w])(" + "|".join(_FLAGS) + r")\b")


def _as_typed(message: str) -> str:
    """A library message in the command line's words: ``num_layers`` is ``--layers``.

    >>> _as_typed("peepholes=True applies to LSTM layers only; leave it False for gru")
    '--peepholes applies to LSTM layers only; leave it out for gru'
    >>> _as_typed("num_layers=2: tensorflow-v1 has no stacks")
    '--layers 2: tensorflow-v1 has no stacks'
    """
    for pattern, replacement in _SAID:
        message = pattern.sub(replacement, message)
    return _FIELD.sub(lambda match: _FLAGS[match[1]], message).replace("--no---", "--no-")


def _error(message: str) -> int:
    print(f"lstm-params: error: {printable(message, width=400)}", file=sys.stderr)
    return 2


def run(argv: Sequence[str]) -> str:
    """The answer to ``lstm-params ARGV`` as text (in the ``--format`` asked for).

    Errors are raised: :class:`InvalidSpecError` (and :class:`InvalidFileError`),
    ``TypeError``, and ``SystemExit`` for a command line argparse refuses.

    >>> print(run(["max-units", "1000000", "--input-dim", "4096"]))
    60 units: Keras LSTM has 997,680 parameters (budget 1,000,000; 61 would have 1,014,552)
    """
    args = _parser().parse_args(list(argv))
    return _COMMANDS.get(args.command, _layer)(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``lstm-params``; return the exit status (0, or 2 for any error)."""
    try:
        output = run(sys.argv[1:] if argv is None else argv)
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
