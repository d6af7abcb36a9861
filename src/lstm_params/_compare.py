"""``compare()``: one layer in every framework that has it, and why the totals differ."""

from __future__ import annotations

import dataclasses

from ._compute import Compute, compute_table, every_convention
from ._conventions import CONVENTIONS
from ._conventions._base import BIASES
from ._errors import InvalidSpecError
from ._kinds import Kind
from ._render.display import Displayed
from ._render.table import Row, Table
from ._spec import LayerSpec, in_framework
from ._vocabulary import Framework

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Comparison", "ComparisonRow", "compare"]

_WORDS = {0: "no", 1: "one", 2: "two"}


@dataclasses.dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One framework's version of the layer, its total and how it differs from the first."""

    label: str
    spec: LayerSpec
    difference: int
    reasons: tuple[str, ...]

    @property
    def params(self) -> int:
        """The total of this version."""
        return self.spec.params


@dataclasses.dataclass(frozen=True, slots=True, repr=False)
class Comparison(Displayed):
    """The same layer across frameworks; the first row is the layer as given.

    ``missing`` lists the frameworks that cannot build it, with the reason.
    """

    rows: tuple[ComparisonRow, ...]
    missing: tuple[tuple[Framework, str], ...]
    compute: tuple[Compute, ...] = ()

    @property
    def _compute_title(self) -> str:
        steps = self.compute[0].steps if self.compute else 0
        return f"Compute of the layer as a PyTorch module, {steps:,} step{'s' * (steps != 1)}:"

    def table(self) -> Table:
        """The rows every rendering shows."""
        body = tuple(
            Row((row.label, f"{row.params:,}", *_difference(index, row)))
            for index, row in enumerate(self.rows)
        )
        notes = tuple(f"{framework.display_name}: {why}" for framework, why in self.missing)
        return Table(("Framework", "Params", "Difference", "Why"), "lrrl", body, (), notes)

    def __repr__(self) -> str:
        """A short summary: the frameworks and the first total, not every row's fields."""
        first = self.rows[0]
        return f"<Comparison of {first.label} ({first.params:,}) across {len(self.rows)} rows>"

    def __str__(self) -> str:
        """The text table, then the compute section."""
        return self.to_text()

    def to_text(self) -> str:
        """The text table, then the compute section."""
        text = self.table().text()
        if self.compute:
            text += f"\n\n{self._compute_title}\n{compute_table(self.compute).text()}"
        return text

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table of the same rows, then the compute section."""
        text = self.table().markdown()
        if self.compute:
            text += f"\n\n{self._compute_title}\n\n{compute_table(self.compute).markdown()}"
        return text

    def to_html(self) -> str:
        """HTML tables of the same rows and compute section, every string escaped."""
        text = self.table().html("lstm-params-comparison")
        if self.compute:
            import html  # noqa: PLC0415 - imported on use, not with the package

            text += f"<p>{html.escape(self._compute_title)}</p>"
            text += compute_table(self.compute).html("lstm-params-compute")
        return text

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data with the same numbers (see README for the keys)."""
        return {
            "rows": [
                {
                    "label": row.label,
                    "params": row.params,
                    "difference": row.difference,
                    "reasons": list(row.reasons),
                    "formula": row.spec.formula(),
                    **row.spec.to_dict(),
                }
                for row in self.rows
            ],
            "missing": [{"framework": f.value, "reason": why} for f, why in self.missing],
            "compute": [figure.to_dict() for figure in self.compute],
        }


def _difference(index: int, row: ComparisonRow) -> tuple[str, str]:
    if index == 0:
        return "", "(the layer as given)"
    if not row.difference and not row.reasons:
        return "0", "same count"
    return f"{row.difference:+,}", "; ".join(row.reasons)


def compare(spec: LayerSpec, *, seq_len: int = 1, batch: int = 1) -> Comparison:
    """``spec`` in every framework that has it, the differences and their reasons.

    For a GRU, each ``reset_after`` a framework offers is its own row where it
    changes the count (Keras: True, its default, and False). A recurrent layer
    also gets a compute section: its MACs and FLOPs over ``seq_len * batch``
    steps as a PyTorch module, under every convention of :func:`count_macs`.

    >>> print(compare(LayerSpec("lstm", 200, 4096)))
    Framework                    Params  Difference  Why
    ====================================================================================
    Keras LSTM                3,437,600              (the layer as given)
    Keras CuDNNLSTM           3,438,400        +800  +800: a second bias vector per gate
    PyTorch nn.LSTM           3,438,400        +800  +800: a second bias vector per gate
    ONNX LSTM operator        3,438,400        +800  +800: a second bias vector per gate
    TensorFlow v1 LSTMCell    3,437,600           0  same count
    Flax linen RNN(LSTMCell)  3,437,600           0  same count
    Flax NNX RNN(LSTMCell)    3,437,600           0  same count
    ====================================================================================
    <BLANKLINE>
    Compute of the layer as a PyTorch module, 1 step:
    Convention         MACs      FLOPs  Rule
    =============================================================================================
    lstm_params   3,436,800  6,877,000  ours: matrix MACs; FLOPs add biases and element-wise work
    ptflops       3,440,400          -  per sample; biases and element-wise terms; no weight_hr
    thop          3,440,000          -  a cell formula per real step
    torchinfo     3,438,400          -  every parameter once per step
    torchprofile  3,436,800          -  aten::lstm only; GRU and RNN count 0
    calflops              0  6,875,600  FLOPs only, 2*rows*cols - rows per product
    fvcore                0          0  recurrent ops unsupported: 0
    =============================================================================================
    """
    if not isinstance(spec, LayerSpec):
        msg = f"spec must be a LayerSpec, got {type(spec).__name__} {spec!r}"
        raise TypeError(msg)
    versions: list[LayerSpec] = [spec]
    missing: list[tuple[Framework, str]] = []
    for framework in Framework:
        try:
            versions += [v for v in _versions(spec, framework) if v != spec]
        except InvalidSpecError as error:
            missing.append((framework, str(error)))
    first = versions[0]
    rows = tuple(
        ComparisonRow(_label(v), v, v.params - first.params, _reasons(first, v)) for v in versions
    )
    return Comparison(rows, tuple(missing), every_convention(spec, seq_len=seq_len, batch=batch))


def _versions(spec: LayerSpec, framework: Framework) -> list[LayerSpec]:
    """The spec in ``framework``: one version per class or option there that changes the count.

    A GRU has one per ``reset_after`` value the framework has; a Keras LSTM or GRU
    one more as a CuDNN layer.
    """
    convention = CONVENTIONS[framework]
    taken = convention.options.get(spec.kind, frozenset())
    options = in_framework(spec, framework)
    variants: list[dict[str, object]] = [{}]
    if spec.kind is Kind.GRU:
        variants = [{"reset_after": value} for value in convention.reset_after]
    if "cudnn" in taken and not spec.peepholes:
        variants = [{**v, "cudnn": False} for v in variants]
        variants += [{"cudnn": True, "reset_after": None}]
    versions: list[LayerSpec] = []
    refusals: list[InvalidSpecError] = []
    for variant in variants:
        try:
            version = LayerSpec(**options | variant)
        except InvalidSpecError as error:
            refusals.append(error)
            continue
        if all(version.params != v.params for v in versions):
            versions.append(version)
    if not versions:
        raise refusals[0]
    return versions


def _label(spec: LayerSpec) -> str:
    label = f"{spec.framework.display_name} {spec.layer_name}"
    reset_after = CONVENTIONS[spec.framework].reset_after
    if spec.kind is Kind.GRU and len(reset_after) > 1 and not spec.cudnn:
        label += f" (reset_after={spec.reset_after})"
    return label


def _reasons(first: LayerSpec, other: LayerSpec) -> tuple[str, ...]:
    before = CONVENTIONS[first.framework].parts(first)
    after = CONVENTIONS[other.framework].parts(other)
    reasons = []
    for part in dict.fromkeys([*before, *after]):
        change = after.get(part, 0) - before.get(part, 0)
        if not change:
            continue
        if part == BIASES:
            what = _bias_words(
                CONVENTIONS[first.framework].bias_vectors(first),
                CONVENTIONS[other.framework].bias_vectors(other),
            )
        else:
            what = part if change > 0 else f"without {part}"
        reasons.append(f"{change:+,}: {what}")
    return tuple(reasons)


def _bias_words(before: int, after: int) -> str:
    if before == 1 and after == 2:  # noqa: PLR2004
        return "a second bias vector per gate"
    plural = "" if after == 1 else "s"
    return f"{_WORDS[after]} bias vector{plural} per gate instead of {_WORDS[before]}"
