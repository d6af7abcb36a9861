"""Benchmarks for lstm_params, run by hand: ``python benchmarks/bench.py [--quick]``.

Every figure is a median of repeated timings, printed with its spread (the
interquartile range) and as a ratio to a baseline measured in the same run, so
the ratios travel between machines better than the times do. Frameworks (torch,
keras) are measured when installed and skipped otherwise. Targets (issue #4):

* ``count_lstm_params(200, 4096)`` within 5x of the bare formula;
* ``LayerSpec(...).params`` at least 200x faster than torch's meta-device count;
* ``import lstm_params`` adds at most 15% to a bare interpreter's start;
* summaries scale linearly with the number of layers.
"""

from __future__ import annotations

import argparse
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
    """Calls in this process, against the bare formula."""

    def bare(u: int, i: int) -> int:
        return 4 * ((u + i + 1) * u)

    fresh = _fresh()
    model = [
        LayerSpec("embedding", 128, 10000),
        LayerSpec("lstm", 64, 128),
        LayerSpec("dense", 1, 64),
    ]
    cases: list[tuple[str, Callable[[], object]]] = [
        ("bare formula: 4 * ((u + i + 1) * u)  [baseline]", lambda: bare(200, 4096)),
        ("count_lstm_params(200, 4096), again", lambda: count_lstm_params(200, 4096)),
        (
            "count_lstm_params(200, new input_dim), first time",
            lambda: count_lstm_params(200, fresh()),
        ),
        ('LayerSpec("lstm", 200, 4096).params, again', lambda: LayerSpec("lstm", 200, 4096).params),
        (
            'LayerSpec("lstm", 200, new).params, first time',
            lambda: LayerSpec("lstm", 200, fresh()).params,
        ),
        (
            'LayerSpec("lstm", 200, new).weights(), first time',
            lambda: LayerSpec("lstm", 200, fresh()).weights(),
        ),
        ("summary(3 layers).params", lambda: summary(model).params),
        ("max_units(10**6, 4096)", lambda: max_units(10**6, 4096)),
    ]
    rows = [(name, *_time(call, repeat=repeat), "") for name, call in cases]
    _table("Per call (this process)", rows, rows[0][1])
    return {name: median for name, median, _, _ in rows}


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
    again = ours['LayerSpec("lstm", 200, 4096).params, again']
    first = ours['LayerSpec("lstm", 200, new).params, first time']
    _table("Frameworks (ratio: their time / LayerSpec(...).params, again)", rows, again)
    print(f"  the same against LayerSpec(...).params the first time ({_format(first).strip()}):")
    for name, median, _, _ in rows:
        print(f"    {name:56} {median / first:9.1f}x")


def process_start(runs: int) -> None:
    """Whole processes, against ``python -c pass`` in the same environment."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands = [
        ("python -c pass  [baseline]", ["-c", "pass"]),
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
    rows: list[Row] = []
    for name, argv in commands:

        def run(argv: list[str] = argv) -> None:
            subprocess.run([sys.executable, *argv], check=True, env=env, capture_output=True)

        timer = timeit.Timer(run)
        times = sorted(timer.repeat(repeat=runs, number=1))
        quartiles = statistics.quantiles(times, n=4)
        rows.append((name, statistics.median(times), quartiles[2] - quartiles[0], ""))
    _table(f"Process start ({runs} runs each)", rows, rows[0][1])


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
    process_start(runs)
    scaling(repeat)


if __name__ == "__main__":
    main()
