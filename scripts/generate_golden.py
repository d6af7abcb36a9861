"""Write ``tests/data/golden/*.json`` from the real frameworks.

Every record holds the constructor arguments (a ``LayerSpec``'s keyword
arguments), and what the framework itself reports for that layer: the total
parameter count and each tensor's name and shape, in its own order. Nothing
here computes a count; lstm_params is not imported.

Each group runs in a virtual environment that has its frameworks
(``scripts/regenerate_golden.sh`` makes them and runs every group)::

    python scripts/generate_golden.py torch       # torch 2.13.0, keras 3 (torch backend), onnx
    python scripts/generate_golden.py tensorflow  # tensorflow-cpu, tf-keras
    python scripts/generate_golden.py flax        # jax, flax
    python scripts/generate_golden.py compute     # torch with ptflops, thop, torchinfo, ...

The grids cover every layer kind and option of each framework; the random
configurations (fixed seeds) draw sizes log-uniformly from 1 to a few thousand,
built shape-only (torch and Keras on the ``meta`` device, Flax through
``jax.eval_shape``) where the framework allows it.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import sys
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import frameworks as fw  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

GOLDEN = ROOT / "tests" / "data" / "golden"
FILES = ROOT / "tests" / "data" / "files"
Spec = dict[str, Any]

SMALL_SIZES = [(1, 1), (3, 5), (20, 10)]

# The layers the README and the docstrings use as examples: their numbers come from here.
SEED = {"num_units": 200, "input_dim": 4096}
EXAMPLES: dict[str, list[Spec]] = {
    "pytorch": [
        {"kind": "lstm", **SEED},
        {"kind": "lstm", **SEED, "bidirectional": True},
        {"kind": "lstm", **SEED, "proj_size": 50, "num_layers": 2},
        {"kind": "gru", **SEED},
        {"kind": "rnn", **SEED},
    ],
    "keras": [
        {"kind": "lstm", **SEED},
        {"kind": "lstm", **SEED, "bidirectional": True},
        {"kind": "gru", **SEED},
        {"kind": "gru", **SEED, "reset_after": False},
        {"kind": "rnn", **SEED},
        {"kind": "convlstm", "num_units": 64, "input_dim": 3, "kernel_size": [3, 3]},
    ],
    "onnx": [{"kind": "lstm", **SEED}, {"kind": "gru", **SEED}],
    "tensorflow-v1": [{"kind": "lstm", **SEED}, {"kind": "gru", **SEED}],
    "flax-linen": [
        {"kind": "lstm", **SEED},
        {"kind": "gru", **SEED},
        {"kind": "convlstm", "num_units": 64, "input_dim": 3, "kernel_size": [3, 3]},
    ],
    "flax-nnx": [{"kind": "lstm", **SEED}, {"kind": "gru", **SEED}],
}


def _examples(framework: str) -> list[Spec]:
    return [{**spec, "framework": framework} for spec in EXAMPLES[framework]]


def _grid(framework: str, **options: list[Any]) -> Iterator[Spec]:
    """Every kind of the framework, every size pair, every combination of options."""
    names = list(options)
    for kind in fw.KINDS[framework]:
        if kind == "convlstm":
            continue
        for (units, inputs), values in itertools.product(
            SMALL_SIZES, itertools.product(*options.values())
        ):
            spec: Spec = {"kind": kind, "num_units": units, "input_dim": inputs}
            spec.update({k: v for k, v in zip(names, values, strict=True) if v != _DEFAULTS[k]})
            spec["framework"] = framework
            yield spec


_DEFAULTS: dict[str, Any] = {"bias": True, "bidirectional": False, "num_layers": 1}


def _convlstm_grid(framework: str, biases: list[bool], *, stacks: bool) -> Iterator[Spec]:
    for kernel, bias, bidirectional, layers in itertools.product(
        [[3], [3, 3], [2, 3, 1], [1, 1]], biases, [False, True], [1, 2]
    ):
        if not stacks and (bidirectional or layers > 1):
            continue
        spec: Spec = {"kind": "convlstm", "num_units": 4, "input_dim": 2, "kernel_size": kernel}
        if not bias:
            spec["bias"] = False
        if bidirectional:
            spec["bidirectional"] = True
        if layers > 1:
            spec["num_layers"] = layers
        spec["framework"] = framework
        yield spec


def _feedforward(framework: str, seed: int) -> list[Spec]:
    """Dense and embedding layers: a grid, then random sizes up to 5000."""
    specs: list[Spec] = [
        {
            "kind": "dense",
            "num_units": units,
            "input_dim": inputs,
            **({} if bias else {"bias": False}),
        }
        for units, inputs in [*SMALL_SIZES, (1, 4096), (200, 4096)]
        for bias in (True, False)
    ]
    specs += [
        {"kind": "embedding", "num_units": units, "input_dim": vocabulary}
        for units, vocabulary in [(1, 1), (3, 5), (128, 10000), (300, 50000)]
    ]
    specs = [{**spec, "framework": framework} for spec in specs]
    rng = random.Random(seed)
    return specs + [fw.random_feedforward_spec(framework, rng, 5000) for _ in range(20)]


def _write_models(name: str, packages: list[str], build: Callable[[list[Spec]], int]) -> None:
    framework = name
    records = []
    for layers in fw.MODELS:
        specs = [{**spec, "framework": framework} for spec in layers]
        records.append({"layers": specs, "params": build(specs)})
    (GOLDEN / "models").mkdir(parents=True, exist_ok=True)
    _write(f"models/{name}", packages, records)


def _random(framework: str, seed: int, count: int, largest: int) -> list[Spec]:
    rng = random.Random(seed)
    return [fw.random_spec(framework, rng, largest) for _ in range(count)]


def _records(specs: list[Spec], build: Callable[[Spec], dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for spec in specs:
        record = build(spec)
        out.append({"spec": spec, **record})
    return out


def _write(name: str, packages: list[str], records: list[dict[str, Any]]) -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    path = GOLDEN / f"{name}.json"
    header = {
        "generator": "scripts/generate_golden.py",
        "versions": {p: version(p) for p in packages},
        "python": sys.version.split()[0],
    }
    lines = [json.dumps(r, separators=(",", ":")) for r in records]
    text = json.dumps(header, indent=1)[:-2] + ',\n "records": [\n' + ",\n".join(lines) + "\n]}\n"
    path.write_text(text)
    print(f"{path.relative_to(ROOT)}: {len(records)} records")


# -------------------------------------------------------------------- groups
def torch_group() -> None:
    """PyTorch modules and cells, Keras 3 on the torch backend, ONNX from torch."""
    lstm_proj = [
        {"kind": "lstm", "num_units": 20, "input_dim": 10, "proj_size": 7, **extra}
        for extra in ({}, {"bidirectional": True}, {"num_layers": 3}, {"bias": False})
    ]
    big = [
        {"kind": "lstm", "num_units": 8192, "input_dim": 8192},
        {"kind": "gru", "num_units": 4096, "input_dim": 4096, "num_layers": 2},
    ]
    pytorch = _examples("pytorch")
    pytorch += list(
        _grid("pytorch", bias=[True, False], bidirectional=[False, True], num_layers=[1, 3])
    )
    pytorch += [{**s, "framework": "pytorch"} for s in lstm_proj + big]
    pytorch += _random("pytorch", 1, 200, 5000)
    records = _records(pytorch, fw.build_pytorch)
    cells = [s for s in pytorch[:70] if fw.fits_a_cell(s)]
    records += _records(cells, fw.build_pytorch_cell)
    records += _records(_feedforward("pytorch", 11), fw.build_pytorch)
    _write("pytorch", ["torch"], records)
    _write_models("pytorch", ["torch"], fw.build_pytorch_model)

    keras_specs = _examples("keras")
    keras_specs += list(
        _grid("keras", bias=[True, False], bidirectional=[False, True], num_layers=[1, 2])
    )
    keras_specs += [{**s, "reset_after": False} for s in keras_specs if s["kind"] == "gru"]
    keras_specs += _convlstm_grid("keras", [True, False], stacks=True)
    keras_specs += [{**s, "framework": "keras"} for s in big[:1]]
    keras_specs += _random("keras", 2, 200, 5000)
    keras_specs += _feedforward("keras", 12)
    keras_records = _records(keras_specs, fw.build_keras)
    cells = [s for s in keras_specs[:80] if fw.fits_a_cell(s) and s["kind"] != "convlstm"]
    keras_records += _records(cells, fw.build_keras_rnn_cell)
    _write("keras", ["keras", "torch"], keras_records)
    _write_models("keras", ["keras", "torch"], fw.build_keras_model)

    import keras

    FILES.mkdir(parents=True, exist_ok=True)
    _write_files("keras", fw.save_keras_models(keras, FILES, "keras"))
    _write_files("torch", fw.save_torch_checkpoints(FILES))

    onnx = _examples("onnx")
    onnx += list(_grid("onnx", bias=[True, False], bidirectional=[False, True], num_layers=[1, 2]))
    onnx += _random("onnx", 3, 60, 300)
    records = _records(onnx, fw.build_onnx)
    nodes = list(_grid("onnx", bias=[True, False], bidirectional=[False, True]))
    nodes = [
        *({**spec, "peepholes": True} for spec in nodes if spec["kind"] == "lstm"),
        *({**spec, "reset_after": False} for spec in nodes if spec["kind"] == "gru"),
        {"kind": "lstm", **SEED, "peepholes": True, "framework": "onnx"},
    ]
    records += _records(nodes, fw.build_onnx_node)
    _write("onnx", ["onnx", "torch"], records)


def tensorflow_group() -> None:
    """tf.keras 2, the legacy PeepholeLSTMCell, and tf.compat.v1 cells."""
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    tf_keras_specs = list(
        _grid("keras", bias=[True, False], bidirectional=[False, True], num_layers=[1, 2])
    )
    tf_keras_specs += [{**s, "reset_after": False} for s in tf_keras_specs if s["kind"] == "gru"]
    tf_keras_specs += _convlstm_grid("keras", [True, False], stacks=True)
    tf_keras_specs += _random("keras", 4, 60, 1000)
    tf_keras_specs += _feedforward("keras", 13)
    records = _records(tf_keras_specs, fw.build_tf_keras)
    peepholes = [
        {
            "kind": "lstm",
            "num_units": units,
            "input_dim": inputs,
            "peepholes": True,
            "framework": "keras",
        }
        for units, inputs in [*SMALL_SIZES, (200, 4096)]
    ]
    peepholes += [{**s, "bias": False} for s in peepholes[:3]]
    records += _records(peepholes, fw.build_keras_peephole)
    _write("keras-tensorflow", ["tf_keras", "tensorflow"], records)

    import tf_keras

    FILES.mkdir(parents=True, exist_ok=True)
    _write_files("tf_keras", fw.save_keras_models(tf_keras, FILES, "tf_keras"))

    v1 = _examples("tensorflow-v1")
    v1 += list(_grid("tensorflow-v1"))
    v1 += [
        {"kind": "lstm", "num_units": 20, "input_dim": 10, "framework": "tensorflow-v1", **extra}
        for extra in ({"peepholes": True}, {"proj_size": 7}, {"peepholes": True, "proj_size": 7})
    ]
    v1 += _random("tensorflow-v1", 5, 80, 1500)
    _write("tensorflow-v1", ["tensorflow"], _records(v1, fw.build_tensorflow_v1))


def flax_group() -> None:
    """flax.linen cells in RNN/Bidirectional/Sequential, and flax.nnx cells."""
    linen = _examples("flax-linen")
    linen += list(_grid("flax-linen", bidirectional=[False, True], num_layers=[1, 2]))
    linen += _convlstm_grid("flax-linen", [True, False], stacks=True)
    linen += [{"kind": "lstm", "num_units": 8192, "input_dim": 8192, "framework": "flax-linen"}]
    linen += _random("flax-linen", 6, 150, 5000)
    linen += _feedforward("flax-linen", 14)
    records = _records(linen, fw.build_flax_linen)
    lstms = [s for s in linen if s["kind"] == "lstm"][:20]
    records += _records(lstms, lambda s: fw.build_flax_linen(s, optimized=True))
    _write("flax-linen", ["flax", "jax"], records)

    nnx = _examples("flax-nnx")
    nnx += list(_grid("flax-nnx"))
    nnx += _random("flax-nnx", 7, 80, 5000)
    nnx += _feedforward("flax-nnx", 15)
    records = _records(nnx, fw.build_flax_nnx)
    optimized = [s for s in nnx if s["kind"] == "lstm"][:20]
    records += _records(optimized, lambda s: fw.build_flax_nnx(s, optimized=True))
    _write("flax-nnx", ["flax", "jax"], records)


def _write_files(name: str, records: list[dict[str, Any]]) -> None:
    """The index of saved model files: what each framework reported for each."""
    index = FILES / "index" / f"{name}.json"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(
        json.dumps({"generator": "scripts/generate_golden.py", "records": records}, indent=1) + "\n"
    )
    print(f"{index.relative_to(ROOT)}: {len(records)} files")


def compute_group() -> None:
    """What each peer MAC/FLOP tool reports for torch recurrent modules and inputs."""
    cases: list[tuple[Spec, int, int, list[int] | None]] = [
        ({"kind": "lstm", **SEED, "framework": "pytorch"}, 1, 1, None),
        ({"kind": "lstm", **SEED, "framework": "pytorch"}, 16, 1, None),
    ]
    grid = _grid("pytorch", bias=[True, False], bidirectional=[False, True], num_layers=[1, 2])
    for spec in grid:
        if spec["num_units"] != 3:  # noqa: PLR2004 - one size is enough across the options
            continue
        cases += [(spec, 1, 1, None), (spec, 5, 3, None), (spec, 5, 3, [5, 3, 2])]
        if spec["kind"] == "lstm":
            projected = {**spec, "proj_size": 2}
            cases += [(projected, 5, 3, None), (projected, 5, 3, [5, 3, 2])]
    cases += fw.compute_cases(random.Random(8), 60)
    results = {tool: fw.measure_isolated(tool, cases) for tool in fw.TOOLS}
    records = [
        {
            "spec": spec,
            "seq_len": seq_len,
            "batch": batch,
            "lengths": lengths,
            "tools": {tool: results[tool][index] for tool in fw.TOOLS},
        }
        for index, (spec, seq_len, batch, lengths) in enumerate(cases)
    ]
    packages = ["torch", *fw.TOOL_PACKAGES.values()]
    (GOLDEN / "compute").mkdir(parents=True, exist_ok=True)
    _write("compute/tools", packages, records)


GROUPS = {
    "torch": torch_group,
    "tensorflow": tensorflow_group,
    "flax": flax_group,
    "compute": compute_group,
}


def main(argv: list[str] | None = None) -> int:
    """Run the named groups."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="+", choices=sorted(GROUPS))
    for group in parser.parse_args(argv).groups:
        GROUPS[group]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
