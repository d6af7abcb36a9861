"""Benchmarks for lstm_params, run by hand: ``python benchmarks/bench.py [--quick]``.

Every figure is a median of repeated timings, printed with its spread (the
interquartile range) and as a ratio to a baseline measured in the same run, so
the ratios travel between machines better than the times do. Frameworks (torch,
keras) are measured when installed and skipped otherwise. "Cold" calls take new
arguments every time; "warm" calls repeat the same ones. Cases compared with
each other are timed interleaved (A, B, A, B, ...), so a busy machine skews both
sides alike. Targets (issue #9; the table "Targets" prints each ratio):

* cold ``LayerSpec("lstm", u, i).params`` and cold ``count_lstm_params(u, i)``: each
  at most 2.5x the construction of a five-field ``@dataclass(frozen=True, slots=True)``;
* warm ``count_lstm_params(200, 4096)``: at most 5x the bare inline formula;
* ``.params`` with ``num_layers=10**6``: at most 3x ``num_layers=1``;
* cold ``.explain()``: at most 15x a cold ``.params``;
* ``max_units`` at any budget: at most 20x a cold ``.params``;
* ``python -c "import lstm_params"``: at most 1.10x ``python -c "import dataclasses"``;
* ``lstm-params lstm 200 --input-dim 4096``: at most 2x ``python -c pass``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import os
import platform
import statistics
import subprocess
import sys
import timeit
from importlib.util import find_spec
from typing import TYPE_CHECKING

from lstm_params import LayerSpec, count_lstm_params, max_units, summary

if TYPE_CHECKING:
    from collections.abc import Callable

Row = tuple[str, float, float, str]


def _time(
    function: Callable[[], object], *, repeat: int, budget: float = 0.2
) -> tuple[float, float]:
    """Median and interquartile range of one call, in seconds."""
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    number = max(1, int(number * budget / 0.2))
    runs = sorted(t / number for t in timer.repeat(repeat=repeat, number=number))
    quartiles = statistics.quantiles(runs, n=4) if len(runs) > 1 else [runs[0]] * 3
    return statistics.median(runs), quartiles[2] - quartiles[0]


def _interleaved(
    cases: list[tuple[str, Callable[[], object]]], *, repeat: int
) -> list[tuple[float, float]]:
    """Median and interquartile range of each case, timed in turn: A, B, A, B, ..."""
    timers = [timeit.Timer(call) for _, call in cases]
    numbers = [max(1, timer.autorange()[0]) for timer in timers]
    runs: list[list[float]] = [[] for _ in cases]
    for _ in range(repeat):
        for timer, number, found in zip(timers, numbers, runs, strict=True):
            found.append(timer.timeit(number) / number)
    out = []
    for found in runs:
        quartiles = statistics.quantiles(found, n=4) if len(found) > 1 else [found[0]] * 3
        out.append((statistics.median(found), quartiles[2] - quartiles[0]))
    return out


@dataclasses.dataclass(frozen=True, slots=True)
class _Five:
    """The baseline of issue #9: a five-field frozen, slotted dataclass."""

    kind: str
    num_units: int
    input_dim: int
    framework: str = "keras"
    bias: bool = True


def _fresh() -> Callable[[], int]:
    """Input widths never seen before: each call validates and counts from scratch."""
    widths = itertools.count(10**6)
    return lambda: next(widths)


def _format(seconds: float) -> str:
    for unit, scale in (("s", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:8.2f} {unit}"
    return f"{seconds / 1e-9:8.1f} ns"


def _table(title: str, rows: list[Row], baseline: float) -> None:
    print(f"\n{title}")
    print(f"  {'what':58} {'median':>11} {'spread':>11} {'ratio':>10}  note")
    for name, median, spread, note in rows:
        print(f"  {name:58} {_format(median)} {_format(spread)} {median / baseline:9.2f}x  {note}")


def per_call(repeat: int) -> dict[str, float]:
    """Calls in this process, against the bare formula and a five-field dataclass."""

    def bare(u: int, i: int) -> int:
        return 4 * ((u + i + 1) * u)

    fresh = _fresh()
    budgets = itertools.count(10**6, 7919)
    model = [
        LayerSpec("embedding", 128, 10000),
        LayerSpec("lstm", 64, 128),
        LayerSpec("dense", 1, 64),
    ]
    cases: list[tuple[str, Callable[[], object]]] = [
        ("bare formula: 4 * ((u + i + 1) * u)  [baseline]", lambda: bare(200, 4096)),
        ("five-field frozen slotted dataclass, cold", lambda: _Five("lstm", 200, fresh())),
        ("count_lstm_params(200, 4096), warm", lambda: count_lstm_params(200, 4096)),
        ("count_lstm_params(200, new), cold", lambda: count_lstm_params(200, fresh())),
        ('LayerSpec("lstm", 200, 4096).params, warm', lambda: LayerSpec("lstm", 200, 4096).params),
        (
            'LayerSpec("lstm", 200, new).params, cold',
            lambda: LayerSpec("lstm", 200, fresh()).params,
        ),
        (
            "LayerSpec(..., num_layers=10**6).params, cold",
            lambda: LayerSpec("lstm", 200, fresh(), num_layers=10**6).params,
        ),
        (
            'LayerSpec("lstm", 200, new).explain(), cold',
            lambda: LayerSpec("lstm", 200, fresh()).explain(),
        ),
        (
            'LayerSpec("lstm", 200, new).weights(), cold',
            lambda: LayerSpec("lstm", 200, fresh()).weights(),
        ),
        ("summary(3 layers).params", lambda: summary(model).params),
        ("max_units(new budget, 4096), cold", lambda: max_units(next(budgets), 4096)),
    ]
    timings = _interleaved(cases, repeat=repeat)
    rows = [
        (name, median, spread, "")
        for (name, _), (median, spread) in zip(cases, timings, strict=True)
    ]
    _table("Per call (this process, interleaved)", rows, rows[0][1])
    return {name: median for name, median, _, _ in rows}


def targets(ours: dict[str, float], start: dict[str, float]) -> None:
    """Each issue #9 ratio, measured in this run, against its target."""
    five = ours["five-field frozen slotted dataclass, cold"]
    cold = ours['LayerSpec("lstm", 200, new).params, cold']
    checks = [
        ("cold LayerSpec(...).params / five-field dataclass", cold / five, 2.5),
        (
            "cold count_lstm_params / five-field dataclass",
            ours["count_lstm_params(200, new), cold"] / five,
            2.5,
        ),
        (
            "warm count_lstm_params / bare formula",
            ours["count_lstm_params(200, 4096), warm"]
            / ours["bare formula: 4 * ((u + i + 1) * u)  [baseline]"],
            5.0,
        ),
        (
            "num_layers=10**6 / num_layers=1 (cold .params)",
            ours["LayerSpec(..., num_layers=10**6).params, cold"] / cold,
            3.0,
        ),
        (
            "cold .explain() / cold .params",
            ours['LayerSpec("lstm", 200, new).explain(), cold'] / cold,
            15.0,
        ),
        ("max_units / cold .params", ours["max_units(new budget, 4096), cold"] / cold, 20.0),
    ]
    if start:
        checks += [
            (
                "import lstm_params / import dataclasses",
                start["python -c 'import lstm_params'"] / start["python -c 'import dataclasses'"],
                1.10,
            ),
            (
                "lstm-params lstm 200 --input-dim 4096 / python -c pass",
                start["python -m lstm_params lstm 200 --input-dim 4096"]
                / start["python -c pass  [baseline]"],
                2.0,
            ),
        ]
    print("\nTargets (issue #9)")
    for name, ratio, target in checks:
        verdict = "met" if ratio <= target else "NOT met"
        print(f"  {name:58} {ratio:8.2f}x  (target {target:.2f}x)  {verdict}")


def frameworks(repeat: int, ours: dict[str, float]) -> None:
    """The same count from the real frameworks, against LayerSpec(...).params."""
    rows: list[Row] = []
    if find_spec("torch"):
        from torch import nn

        def meta() -> int:
            return sum(p.numel() for p in nn.LSTM(4096, 200, device="meta").parameters())

        def cpu() -> int:
            return sum(p.numel() for p in nn.LSTM(4096, 200).parameters())

        rows += [
            ('torch: nn.LSTM(4096, 200, device="meta") numel sum', *_time(meta, repeat=repeat), ""),
            (
                "torch: nn.LSTM(4096, 200) on the CPU, numel sum",
                *_time(cpu, repeat=max(3, repeat // 2)),
                "",
            ),
        ]
    if find_spec("keras"):
        os.environ.setdefault("KERAS_BACKEND", "torch")
        import keras

        def build() -> int:
            layer = keras.layers.LSTM(200)
            layer.build((None, None, 4096))
            return int(layer.count_params())

        rows.append(
            (
                "keras: LSTM(200).build((None, None, 4096)).count_params()",
                *_time(build, repeat=max(3, repeat // 2)),
                "",
            )
        )
    if not rows:
        print("\nFrameworks: neither torch nor keras is installed; skipped")
        return
    again = ours['LayerSpec("lstm", 200, 4096).params, warm']
    first = ours['LayerSpec("lstm", 200, new).params, cold']
    _table("Frameworks (ratio: their time / LayerSpec(...).params, warm)", rows, again)
    print(f"  the same against LayerSpec(...).params cold ({_format(first).strip()}):")
    for name, median, _, _ in rows:
        print(f"    {name:56} {median / first:9.1f}x")


def process_start(runs: int) -> dict[str, float]:
    """Whole processes, against ``python -c pass`` in the same environment, interleaved."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands = [
        ("python -c pass  [baseline]", ["-c", "pass"]),
        ("python -c 'import dataclasses'", ["-c", "import dataclasses"]),
        ("python -c 'import lstm_params'", ["-c", "import lstm_params"]),
        (
            "python -c 'from lstm_params import count_lstm_params; ...'",
            ["-c", "from lstm_params import count_lstm_params; count_lstm_params(200, 4096)"],
        ),
        (
            "python -m lstm_params lstm 200 --input-dim 4096",
            ["-m", "lstm_params", "lstm", "200", "--input-dim", "4096"],
        ),
    ]
    if find_spec("torch"):
        commands.append(("python -c 'import torch'", ["-c", "import torch"]))
    for _, argv in commands:  # warm the OS cache and write the bytecode once
        subprocess.run([sys.executable, *argv], check=True, env=env, capture_output=True)

    def runner(argv: list[str]) -> Callable[[], object]:
        return lambda: subprocess.run(
            [sys.executable, *argv], check=True, env=env, capture_output=True
        )

    cases = [(name, runner(argv)) for name, argv in commands]
    timings = _interleaved(cases, repeat=runs)
    rows = [
        (name, median, spread, "")
        for (name, _), (median, spread) in zip(cases, timings, strict=True)
    ]
    _table(f"Process start ({runs} runs each, interleaved)", rows, rows[0][1])
    return {name: median for name, median, _, _ in rows}


def scaling(repeat: int) -> None:
    """Summaries of more and more distinct layers: time per layer should stay flat."""
    rows: list[Row] = []
    offset = itertools.count(10**7, 10**5)
    for count in (10, 100, 1_000, 10_000):

        def build(count: int = count) -> int:
            base = next(offset)  # new layers every run: nothing comes from a cache
            return summary([LayerSpec("lstm", 8 + i % 32, base + i) for i in range(count)]).params

        median, spread = _time(build, repeat=max(3, repeat // 2), budget=0.05)
        rows.append(
            (f"summary of {count:,} new layers, per layer", median / count, spread / count, "")
        )
    _table("Scaling (ratio to the 10-layer summary, per layer)", rows, rows[0][1])


def main() -> None:
    """Run every section and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    quick = parser.parse_args().quick
    repeat, runs = (5, 10) if quick else (15, 40)
    print(
        f"lstm_params benchmarks: Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    ours = per_call(repeat)
    frameworks(repeat, ours)
    start = process_start(runs)
    scaling(repeat)
    targets(ours, start)


if __name__ == "__main__":
    main()
