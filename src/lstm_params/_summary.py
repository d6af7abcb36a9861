"""``summary()``: a parameter table of a whole model, rendered four ways."""

from __future__ import annotations

import dataclasses

from ._compute import Compute, MacsConvention, count_macs
from ._errors import InvalidSpecError
from ._memory import DType, Memory, format_bytes, format_count, memory
from ._render.display import Displayed
from ._render.table import Row, Table
from ._spec import LayerSpec
from ._validation import as_size

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

    from ._weight import Weight

__all__ = ["Summary", "summary"]

_HEADERS = ("Layer (type)", "Output dim", "Param #", "Share")


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Summary(Displayed):
    """The layers of a model with their parameter counts, shares and total.

    Made by :func:`summary`, or by the file readers (:func:`inspect_file`), which
    may add ``tensors`` they hold but could not place in a layer (counted),
    ``uncounted`` layers (``(name, class, reason)``: the total leaves them out,
    and :attr:`complete` is False), the bytes the file ``stored`` per dtype, and
    the ``source`` it came from. A file may also hold ``buffer_tensors`` (PyTorch
    buffers: running statistics, counters; not parameters, listed apart), say how
    many of the counted elements are ``non_trainable`` (frozen layers, Keras'
    moving statistics), how many elements of optimizer state it carries apart
    (``optimizer``), and ``warnings`` (what a pickle would have called).
    A Keras configuration gives each layer's ``output_shapes`` as Keras reports
    them (a tuple with None for the batch and unknown sizes, or a list of them
    for several outputs) and its Keras ``classes`` (``TimeDistributed(Dense)``).
    ``str()`` gives a text table in the spirit of
    Keras' ``model.summary()``; :meth:`to_markdown`, :meth:`to_html` (what
    Jupyter shows) and :meth:`to_dict` give the same numbers for docs and scripts.
    """

    layers: tuple[LayerSpec, ...]
    names: tuple[str, ...]
    dtype: DType
    _: dataclasses.KW_ONLY
    tensors: tuple[Weight, ...] = ()
    uncounted: tuple[tuple[str, str, str], ...] = ()
    stored: tuple[tuple[str, int], ...] = ()
    source: str | None = None
    seq_len: int | None = None
    batch: int = 1
    buffer_tensors: tuple[Weight, ...] = ()
    non_trainable: int = 0
    optimizer: int = 0
    warnings: tuple[str, ...] = ()
    output_shapes: tuple[object, ...] = ()
    classes: tuple[str, ...] = ()
    #: the file's own name of each layer's tensors, in ``weights()`` order (empty: ours)
    tensor_names: tuple[tuple[str, ...], ...] = ()

    @property
    def params(self) -> int:
        """The total number of parameters counted (see :attr:`complete`)."""
        return sum(layer.params for layer in self.layers) + sum(t.size for t in self.tensors)

    @property
    def trainable_params(self) -> int:
        """The parameters that train: :attr:`params` less the non-trainable ones."""
        return self.params - self.non_trainable

    @property
    def non_trainable_params(self) -> int:
        """The parameters that do not train (frozen, or statistics Keras counts as weights)."""
        return self.non_trainable

    @property
    def buffers(self) -> int:
        """The elements of the buffers, which are not parameters (PyTorch's ``buffers()``)."""
        return sum(t.size for t in self.buffer_tensors)

    @property
    def complete(self) -> bool:
        """Whether every layer was counted: False when ``uncounted`` lists any."""
        return not self.uncounted

    @property
    def memory(self) -> Memory:
        """The weights' memory in the summary's dtype."""
        return memory(self.params, dtype=self.dtype)

    def compute(
        self, convention: MacsConvention | str = MacsConvention.LSTM_PARAMS
    ) -> tuple[Compute | None, ...]:
        """Each layer's MACs and FLOPs over the steps it runs, in ``convention``.

        The model reads a sequence of ``seq_len`` steps for each of ``batch``
        samples. A layer runs once per step while it receives a sequence, and
        once per sample after a recurrent layer that returns only its last step
        (``return_sequences=False``, Keras' default): a Dense after
        ``LSTM(64)`` costs ``64 * batch`` MACs, not ``64 * seq_len * batch``.
        A peer tool's ``convention`` profiles each layer as a PyTorch module run
        batch first, as a model built from them would; the model's figure under
        that tool is the sum. None for a layer whose compute a spec cannot tell
        (a ConvLSTM) or that the tool cannot run; empty without a ``seq_len``.
        """
        if self.seq_len is None:
            return ()
        figures = []
        for layer, sequence in zip(self.layers, self.sequences(), strict=True):
            steps = self.seq_len if sequence else 1
            figures.append(_compute(layer, steps, self.batch, convention))
        return tuple(figures)

    def steps(self) -> tuple[int, ...]:
        """How many times each layer runs: ``seq_len * batch`` on a sequence, else ``batch``.

        Empty without a ``seq_len``.
        """
        if self.seq_len is None:
            return ()
        return tuple(
            (self.seq_len if sequence else 1) * self.batch for sequence in self.sequences()
        )

    def sequences(self) -> tuple[bool, ...]:
        """Whether each layer receives a sequence (True) or one vector per sample.

        The model's input is a sequence; a recurrent layer with
        ``return_sequences=False`` passes on one vector, and so do the layers after it.
        """
        found = []
        sequence = True
        for layer in self.layers:
            found.append(sequence)
            if layer.returns_sequences is False:
                sequence = False
        return tuple(found)

    def table(self, *, weights: bool = False) -> Table:
        """The rows every rendering shows; ``weights`` adds each tensor under its layer."""
        total = self.params
        figures = self.compute()
        extra = ("", "", "") if figures else ()
        steps = self.steps()

        def share(count: int) -> str:
            return f"{100 * count / total:.1f}%" if total else "-"

        body: list[Row] = []
        for index, (name, layer) in enumerate(zip(self.names, self.layers, strict=True)):
            count = layer.params
            label = f"{name} ({self.classes[index] if self.classes else layer.layer_name})"
            cost = (format_count(steps[index]), *_figures(figures[index])) if figures else ()
            size = (
                format_shape(self.output_shapes[index])
                if self.output_shapes
                else _plain(layer.output_dim)
            )
            row = (label, size, format_count(count), share(count), *cost)
            body.append(Row(row))
            if weights:
                tensors = layer.weights()
                named = self.tensor_names[index] if self.tensor_names else [w.name for w in tensors]
                body += [
                    Row((f"{label} {w.shape}", "", format_count(w.size), "", *extra), detail=True)
                    for w, label in zip(tensors, named, strict=True)
                ]
        body += [
            Row((f"{t.name} (tensor {t.shape})", "", format_count(t.size), share(t.size), *extra))
            for t in self.tensors
        ]
        body += [
            Row((f"{name} ({cls})", "", "?", "not counted", *extra))
            for name, cls, _ in self.uncounted
        ]
        label = "Total" if self.complete else "Total (incomplete)"
        totals = ("", *_figures(_sum(figures))) if figures else ()
        footer = (Row((label, "", format_count(total), share(total), *totals)),)
        partial = "" if self.complete else " (partial: the layers not counted are left out)"
        notes = [f"Weights: {self.memory} as {self.dtype}{partial}"]
        if self.non_trainable:
            notes += [
                f"Trainable params: {format_count(self.trainable_params)}",
                f"Non-trainable params: {format_count(self.non_trainable)}",
            ]
        if self.buffer_tensors:
            notes.append(f"Buffers (not parameters): {format_count(self.buffers)} elements")
        if self.optimizer:
            notes.append(
                f"Optimizer state (not parameters): {format_count(self.optimizer)} elements"
            )
        notes += [f"Warning: {warning}" for warning in self.warnings]
        if self.stored:
            parts = ", ".join(f"{dtype} {format_bytes(size)}" for dtype, size in self.stored)
            notes.append(f"Stored: {format_bytes(sum(s for _, s in self.stored))} ({parts})")
        notes += [f"Not counted: {name} ({cls}): {why}" for name, cls, why in self.uncounted]
        if figures:
            notes.append(
                f"MACs and FLOPs: a sequence of {self.seq_len} steps x batch {self.batch}; "
                "Steps: the times each layer runs; lstm_params' convention"
            )
            headers = (*self._headers(), "Steps", "MACs", "FLOPs")
            return Table(headers, "lrrrrrr", tuple(body), footer, tuple(notes))
        return Table(self._headers(), "lrrr", tuple(body), footer, tuple(notes))

    def _headers(self) -> tuple[str, ...]:
        return ("Layer (type)", "Output shape", *_HEADERS[2:]) if self.output_shapes else _HEADERS

    def __repr__(self) -> str:
        """A short summary, for a plain REPL: the layers and the total, not every field."""
        state = "" if self.complete else ", incomplete"
        source = f" from {self.source!r}" if self.source else ""
        return f"<Summary of {len(self.layers)} layers{source}: {self.params:,} parameters{state}>"

    def __str__(self) -> str:
        """The text table."""
        return self.to_text()

    def to_text(self, *, weights: bool = False) -> str:
        """The text table; ``weights=True`` lists every tensor under its layer."""
        return self.table(weights=weights).text()

    def to_markdown(self, *, weights: bool = False) -> str:
        """A GitHub-flavoured Markdown table of the same rows."""
        return self.table(weights=weights).markdown()

    def to_html(self, *, weights: bool = False) -> str:
        """An HTML table of the same rows, every string escaped."""
        return self.table(weights=weights).html("lstm-params-summary")

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data with the same numbers (see README for the keys)."""
        total = self.params
        figures = self.compute()
        compute = {}
        if figures:
            compute = {
                "seq_len": self.seq_len,
                "batch": self.batch,
                "steps": list(self.steps()),
                "macs": [None if f is None else f.macs for f in figures],
                "flops": [None if f is None else f.flops for f in figures],
            }
        return {
            "params": total,
            "trainable_params": self.trainable_params,
            "non_trainable_params": self.non_trainable,
            "buffers": self.buffers,
            "optimizer_elements": self.optimizer,
            "complete": self.complete,
            **({"compute": compute} if compute else {}),
            "memory": self.memory.to_dict(),
            "layers": [
                {
                    "name": name,
                    "type": self.classes[index] if self.classes else layer.layer_name,
                    "output_dim": layer.output_dim,
                    **(
                        {"output_shape": _shape_data(self.output_shapes[index])}
                        if self.output_shapes
                        else {}
                    ),
                    "params": layer.params,
                    "share": layer.params / total,
                    **layer.to_dict(),
                }
                for index, (name, layer) in enumerate(zip(self.names, self.layers, strict=True))
            ],
            "tensors": [
                {"name": t.name, "shape": list(t.shape), "size": t.size} for t in self.tensors
            ],
            "uncounted": [
                {"name": name, "class": cls, "reason": why} for name, cls, why in self.uncounted
            ],
            "buffer_tensors": [
                {"name": t.name, "shape": list(t.shape), "size": t.size}
                for t in self.buffer_tensors
            ],
            "stored_bytes": dict(self.stored),
            "warnings": list(self.warnings),
            "source": self.source,
        }


def summary(
    layers: Iterable[LayerSpec],
    *,
    dtype: DType | str = DType.FLOAT32,
    names: Iterable[str | None] | None = None,
    seq_len: int | None = None,
    batch: int = 1,
) -> Summary:
    """Summarise a model given as its layers, in order.

    Layers are named after their kind, numbered from the second on (``lstm``,
    ``lstm_1``), unless ``names`` gives a name (``None`` keeps the automatic one).
    With ``seq_len`` (and ``batch``), the table adds each layer's MACs and FLOPs
    over that many steps (:func:`count_macs`, our convention).

    >>> from lstm_params import LayerSpec
    >>> model = summary([
    ...     LayerSpec("embedding", 128, 10000),
    ...     LayerSpec("lstm", 64, 128),
    ...     LayerSpec("dense", 1, 64),
    ... ])
    >>> model.params
    1329473
    >>> print(model)
    Layer (type)           Output dim    Param #   Share
    ====================================================
    embedding (Embedding)         128  1,280,000   96.3%
    lstm (LSTM)                    64     49,408    3.7%
    dense (Dense)                   1         65    0.0%
    ====================================================
    Total                              1,329,473  100.0%
    Weights: 5.07 MiB as float32
    """
    specs = tuple(layers)
    for index, spec in enumerate(specs):
        if not isinstance(spec, LayerSpec):
            msg = f"layers[{index}] must be a LayerSpec, got {type(spec).__name__} {spec!r}"
            raise TypeError(msg)
    if not specs:
        msg = "layers must hold at least one LayerSpec, got none"
        raise InvalidSpecError(msg)
    automatic = _names(specs)
    given = automatic if names is None else tuple(names)
    if len(given) != len(specs) or not all(n is None or isinstance(n, str) for n in given):
        msg = f"names must be {len(specs)} strings (or None), one per layer, got {given!r}"
        raise InvalidSpecError(msg)
    chosen = tuple(
        auto if name is None else name for auto, name in zip(automatic, given, strict=True)
    )
    steps = None if seq_len is None else as_size("seq_len", seq_len)
    return Summary(specs, chosen, DType.parse(dtype), seq_len=steps, batch=as_size("batch", batch))


def _compute(
    layer: LayerSpec, seq_len: int, batch: int, convention: MacsConvention | str
) -> Compute | None:
    try:
        return count_macs(layer, seq_len=seq_len, batch=batch, convention=convention)
    except InvalidSpecError:  # a ConvLSTM (the frames' size), or a layer the tool cannot run
        return None


def _plain(size: int) -> str:
    """A size without separators, as Keras prints output shapes; past 10**24, ``1.00e+24``."""
    return str(size) if size < 10**24 else format_count(size)


def _figures(figure: Compute | None) -> tuple[str, str]:
    if figure is None:
        return "-", "-"
    return format_count(figure.macs), format_count(figure.flops or 0)


def _sum(figures: tuple[Compute | None, ...]) -> Compute | None:
    if any(f is None for f in figures):
        return None
    known = [f for f in figures if f is not None]
    return Compute(
        known[0].convention,
        sum(f.macs for f in known),
        sum(f.flops or 0 for f in known),
        known[0].steps,
    )


def _names(specs: tuple[LayerSpec, ...]) -> tuple[str, ...]:
    seen: dict[str, int] = {}
    names = []
    for spec in specs:
        base = spec.kind.value
        count = seen.get(base, 0)
        names.append(f"{base}_{count}" if count else base)
        seen[base] = count + 1
    return tuple(names)


def format_shape(shape: object) -> str:
    """A shape as Keras prints it: ``(None, 16, 20)``, or a list of them for several outputs.

    >>> format_shape((None, 16, 20)), format_shape([(None, 4), (None, 4)]), format_shape(None)
    ('(None, 16, 20)', '[(None, 4), (None, 4)]', '?')
    """
    if isinstance(shape, list):
        return "[" + ", ".join(format_shape(one) for one in shape) + "]"
    if isinstance(shape, tuple):
        return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
    return "?"


def _shape_data(shape: object) -> object:
    """A shape for JSON: a list with null for None, a list of them, or null when unknown."""
    if isinstance(shape, list):
        return [_shape_data(one) for one in shape]
    return list(shape) if isinstance(shape, tuple) else None
