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
    python scripts/generate_golden.py compute-sequences  # the same tools on cells in loops,
                                                         # layouts, packing, meta, whole models

The ``recurrent-*`` groups write ``tests/data/golden/recurrent/*.json``: cells on
their own, stacks of cells, CuDNN layers, Bidirectional merge modes and Flax's
RNN wrappers, described with LayerSpec keys the library does not have yet
(``cell``, ``cudnn``, ``merge_mode``, ``reset_gate``; the kind ``mgu``)::

    python scripts/generate_golden.py recurrent-torch       # torch venv
    python scripts/generate_golden.py recurrent-tensorflow  # tensorflow venv
    python scripts/generate_golden.py recurrent-flax        # flax venv

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
    path = GOLDEN / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
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
    # a bare nnx cell is LayerSpec(cell=True); cell=False is the cell in nnx.RNN
    nnx = [{**s, "cell": True} for s in nnx]
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


# ------------------------------------------------- compute/sequences (issue 14)
# torchinfo's own PackPaddedLSTM test: 128 sequences of 20 tokens, these real lengths
PACK_PADDED_LENGTHS = (
    [13, 12] + [11] * 8 + [10] * 14 + [9] * 14 + [8] * 9 + [7] * 19 + [6] * 27 + [5] * 20 + [4] * 15
)
LOOP_SIZES = [(20, 10, 5, 3), (2, 3, 4, 2), (3, 5, 1, 1), (7, 4, 6, 5)]
STACKS: list[Spec] = [
    {},
    {"bidirectional": True},
    {"num_layers": 2},
    {"bidirectional": True, "num_layers": 2},
]
PROJECTIONS: list[Spec] = [
    {"proj_size": 5},
    {"proj_size": 5, "bidirectional": True, "num_layers": 2},
]


def _situation(**given: Any) -> Spec:  # noqa: ANN401
    """Every situation key, defaults first: what the module is fed and where it runs."""
    return {
        "seq_len": 1,
        "batch": 1,
        "unbatched": False,
        "lengths": None,
        "packing": None,
        "loop": False,
        "device": "cpu",
        **given,
    }


def _layer(kind: str, units: int, inputs: int, **options: Any) -> Spec:  # noqa: ANN401
    return {
        "kind": kind,
        "num_units": units,
        "input_dim": inputs,
        **options,
        "framework": "pytorch",
    }


def _layouts(spec: Spec, seq_len: int, batch: int, device: str = "cpu") -> list[fw.Case14]:
    """``(seq_len, batch, input)``, ``batch_first`` ``(batch, seq_len, input)``, unbatched."""
    return [
        {"spec": spec, "situation": _situation(seq_len=seq_len, batch=batch, device=device)},
        {
            "spec": {**spec, "batch_first": True},
            "situation": _situation(seq_len=seq_len, batch=batch, device=device),
        },
        {
            "spec": spec,
            "situation": _situation(seq_len=seq_len, batch=None, unbatched=True, device=device),
        },
    ]


def _cell_cases() -> list[fw.Case14]:
    """Cells stepped by a Python loop over ``(batch, input)`` slices; bare cells called once."""
    cases: list[fw.Case14] = []
    for kind in ("lstm", "gru", "rnn"):
        for units, inputs, seq_len, batch in LOOP_SIZES:
            bias = {} if units != 7 else {"bias": False}  # noqa: PLR2004 - one size without bias
            spec = _layer(kind, units, inputs, cell=True, **bias)
            cases.append(
                {"spec": spec, "situation": _situation(seq_len=seq_len, batch=batch, loop=True)}
            )
        spec = _layer(kind, 20, 10, cell=True, batch_first=True)  # the loop slices x[:, t]
        cases.append({"spec": spec, "situation": _situation(seq_len=5, batch=3, loop=True)})
        bare = _layer(kind, 20, 10, cell=True)
        cases += [
            {"spec": bare, "situation": _situation(batch=3)},
            {"spec": bare, "situation": _situation(batch=None, unbatched=True)},
            {"spec": _layer(kind, 3, 5, cell=True, bias=False), "situation": _situation()},
        ]
    return cases


def _layout_cases() -> list[fw.Case14]:
    """Each kind, stack and projection in the three input layouts; a few more sizes."""
    cases: list[fw.Case14] = []
    for kind in ("lstm", "gru", "rnn"):
        for options in STACKS + (PROJECTIONS if kind == "lstm" else []):
            cases += _layouts(_layer(kind, 20, 10, **options), 5, 3)
        cases += _layouts(_layer(kind, 6, 10, bias=False), 1, 1)
    cases += _layouts(_layer("lstm", 6, 10), 5, 2)  # the nn.LSTM(10, 6) on (5, 10)
    return cases


def _packing_cases() -> list[fw.Case14]:
    """A padded batch packed inside ``forward`` (and a PackedSequence given as the input)."""
    cases: list[fw.Case14] = []
    lengths = [5, 3, 2]
    for kind in ("lstm", "gru", "rnn"):
        variants = [{}, {"bidirectional": True, "num_layers": 2}]
        variants += [{"proj_size": 2}] if kind == "lstm" else []
        for options, batch_first in itertools.product(variants, [False, True]):
            spec = _layer(kind, 3, 5, **options, **({"batch_first": True} if batch_first else {}))
            situation = _situation(seq_len=5, batch=3, lengths=lengths, packing="inside")
            cases.append({"spec": spec, "situation": situation})
        situation = _situation(seq_len=5, batch=3, lengths=lengths, packing="input")
        cases.append({"spec": _layer(kind, 3, 5), "situation": situation})
    unsorted = _situation(seq_len=6, batch=4, lengths=[2, 6, 1, 4], packing="inside")
    cases.append({"spec": _layer("lstm", 20, 10), "situation": unsorted})
    equal = _situation(seq_len=5, batch=3, lengths=[5, 5, 5], packing="inside")
    cases += [{"spec": _layer(kind, 3, 5), "situation": equal} for kind in ("lstm", "gru")]
    cases.append(
        {
            "layers": [
                _layer("embedding", 128, 60),
                _layer("lstm", 32, 128),
                _layer("dense", 18, 32),
            ],
            "situation": _situation(
                seq_len=20,
                batch=128,
                lengths=PACK_PADDED_LENGTHS,
                packing="inside",
                readout="packed",
            ),
        }
    )
    return cases


def _device_cases() -> list[fw.Case14]:
    """The issue's nn.LSTM(12, 128) on (1, 250, 12), on cpu and meta; meta for the rest."""
    cases: list[fw.Case14] = []
    for kind, device in itertools.product(("lstm", "gru", "rnn"), ("cpu", "meta")):
        spec = _layer(kind, 128, 12, batch_first=True)
        cases.append({"spec": spec, "situation": _situation(seq_len=250, batch=1, device=device)})
    meta = _situation(seq_len=5, batch=3, device="meta")
    for kind in ("lstm", "gru", "rnn"):
        options_list = [{}, {"bidirectional": True, "num_layers": 2}]
        options_list += PROJECTIONS if kind == "lstm" else []
        cases += [
            {"spec": _layer(kind, 20, 10, **options), "situation": meta} for options in options_list
        ]
        cell = _layer(kind, 20, 10, cell=True)
        cases += [
            {"spec": cell, "situation": {**meta, "loop": True}},
            {"spec": cell, "situation": _situation(batch=3, device="meta")},
        ]
    cases += _layouts(_layer("lstm", 6, 10), 5, 2, device="meta")[1:]
    inside = _situation(seq_len=5, batch=3, lengths=[5, 3, 2], packing="inside", device="meta")
    cases.append({"spec": _layer("lstm", 3, 5), "situation": inside})
    cases += [
        {"spec": _layer("dense", 20, 10), "situation": meta},
        {"spec": _layer("dense", 20, 10), "situation": {**meta, "seq_len": None}},
        {"spec": _layer("embedding", 8, 100), "situation": meta},
    ]
    cases += [  # without a bias: aten::mm rather than aten::addmm on the meta device
        {"spec": _layer("lstm", 20, 10, bias=False), "situation": meta},
        {"spec": _layer("gru", 20, 10, cell=True, bias=False), "situation": {**meta, "loop": True}},
        {"spec": _layer("dense", 20, 10, bias=False), "situation": meta},
    ]
    return cases


def _feedforward_cases() -> list[fw.Case14]:
    """nn.Linear and nn.Embedding alone: on a sequence, on vectors, on one vector."""
    sequence, vectors = _situation(seq_len=5, batch=3), _situation(seq_len=None, batch=3)
    return [
        *(
            {"spec": _layer("dense", 20, 10, **bias), "situation": situation}
            for bias in ({}, {"bias": False})
            for situation in (sequence, vectors)
        ),
        {
            "spec": _layer("dense", 20, 10),
            "situation": _situation(seq_len=None, batch=None, unbatched=True),
        },
        {"spec": _layer("dense", 1, 64), "situation": _situation(seq_len=100, batch=32)},
        {"spec": _layer("embedding", 8, 100), "situation": sequence},
        {"spec": _layer("embedding", 8, 100), "situation": vectors},
        {"spec": _layer("embedding", 128, 10000), "situation": _situation(seq_len=100, batch=32)},
    ]


def _model_cases() -> list[fw.Case14]:
    """Embedding(10000, 128) -> recurrent -> Linear, the head on the last step or on every step."""
    cases: list[fw.Case14] = []
    lstm = [_layer("embedding", 128, 10000), _layer("lstm", 64, 128), _layer("dense", 1, 64)]
    for (seq_len, batch), readout in itertools.product([(100, 32), (5, 3)], ["last", "every"]):
        situation = _situation(seq_len=seq_len, batch=batch, readout=readout)
        cases.append({"layers": lstm, "situation": situation})
    gru = [_layer("embedding", 128, 10000), _layer("gru", 64, 128), _layer("dense", 1, 64)]
    both = [
        _layer("embedding", 128, 10000),
        _layer("lstm", 64, 128, bidirectional=True),
        _layer("dense", 1, 128),
    ]
    cases += [
        {"layers": gru, "situation": _situation(seq_len=100, batch=32, readout="last")},
        {"layers": both, "situation": _situation(seq_len=5, batch=3, readout="last")},
        {
            "layers": lstm,
            "situation": _situation(seq_len=100, batch=32, readout="last", device="meta"),
        },
    ]
    return cases


def _random_sequence_cases(rng: random.Random, count: int) -> list[fw.Case14]:
    """Random torch layers (up to 24 units) in a random layout, a fifth packed inside forward."""
    cases: list[fw.Case14] = []
    for _ in range(count):
        spec = fw.random_spec("pytorch", rng, 24)
        seq_len, batch = rng.randint(1, 6), rng.randint(1, 4)
        layout = rng.choice(["sequence first", "batch first", "unbatched", "packed"])
        if layout == "batch first" or (layout == "packed" and rng.random() < 0.5):  # noqa: PLR2004
            spec["batch_first"] = True
        situation = _situation(seq_len=seq_len, batch=batch)
        if layout == "unbatched":
            situation |= {"batch": None, "unbatched": True}
        if layout == "packed":
            lengths = [rng.randint(1, seq_len) for _ in range(batch)]
            lengths[rng.randrange(batch)] = seq_len
            situation |= {"lengths": lengths, "packing": "inside"}
        cases.append({"spec": spec, "situation": situation})
    return cases


def compute_sequences_group() -> None:
    """Issue 14: every tool, and torch's FlopCounterMode, on modules in their situations."""
    cases = [
        *_cell_cases(),
        *_layout_cases(),
        *_packing_cases(),
        *_device_cases(),
        *_feedforward_cases(),
        *_model_cases(),
        *_random_sequence_cases(random.Random(14), 20),
    ]
    results = {tool: fw.measure_sequences_isolated(tool, cases) for tool in fw.SEQUENCE_TOOLS}
    records = [
        {**case, "tools": {tool: results[tool][index] for tool in fw.SEQUENCE_TOOLS}}
        for index, case in enumerate(cases)
    ]
    packages = list(dict.fromkeys(["torch", *fw.SEQUENCE_PACKAGES.values()]))
    _write("compute/sequences", packages, records)


# ----------------------------------------------------- recurrent/ (issue 11)
RECURRENT = "recurrent"
CELL_SIZES = [(1, 1), (3, 5), (20, 10), (200, 4096)]
MERGE_MODES = ["concat", "sum", "mul", "ave", None]


def _cell_specs(framework: str, seed: int, *, explicit_bias: bool) -> list[Spec]:
    """Single cells (``cell: true``): every kind, size and bias, then random sizes.

    ``explicit_bias`` writes ``bias`` always; otherwise only ``bias: false``, as the
    other records of that framework do.
    """
    rng = random.Random(seed)
    grid = [
        (kind, units, inputs, bias)
        for kind in ("lstm", "gru", "rnn")
        for units, inputs in CELL_SIZES
        for bias in (True, False)
    ]
    grid += [
        (
            rng.choice(["lstm", "gru", "rnn"]),
            fw.size(rng, 3000),
            fw.size(rng, 3000),
            rng.random() < 0.7,  # noqa: PLR2004 - most layers have a bias
        )
        for _ in range(20)
    ]
    specs = []
    for kind, units, inputs, bias in grid:
        spec: Spec = {"kind": kind, "num_units": units, "input_dim": inputs, "cell": True}
        if explicit_bias or not bias:
            spec["bias"] = bias
        specs.append({**spec, "framework": framework})
    return specs


def _merge_specs(framework: str) -> list[Spec]:
    """``Bidirectional(merge_mode=m)`` over each kind: one layer, and two stacked (not None)."""
    specs: list[Spec] = []
    for kind, (units, inputs), mode, layers in itertools.product(
        ("lstm", "gru", "rnn"), [(3, 5), (20, 10)], MERGE_MODES, [1, 2]
    ):
        if mode is None and layers > 1:
            continue  # None returns two tensors: nothing to stack on
        spec: Spec = {"kind": kind, "num_units": units, "input_dim": inputs}
        spec |= {"bidirectional": True, "merge_mode": mode}
        if layers > 1:
            spec["num_layers"] = layers
        specs.append(spec)
    specs += [
        {"kind": "gru", "num_units": 20, "input_dim": 10, "bidirectional": True}
        | {"merge_mode": mode, "reset_after": False}
        for mode in MERGE_MODES
    ]
    return [{**spec, "framework": framework} for spec in specs]


def recurrent_torch_group() -> None:
    """PyTorch ``*Cell`` modules; Keras 3 ``RNN(cell)`` and Bidirectional merge modes."""
    records: list[dict[str, Any]] = []
    for spec in _cell_specs("pytorch", 21, explicit_bias=True):
        if spec["kind"] == "rnn":
            for nonlinearity in ("tanh", "relu"):
                record = fw.build_pytorch_cell_with(spec, nonlinearity=nonlinearity)
                records.append({"spec": spec, **record})
        else:
            records.append({"spec": spec, **fw.build_pytorch_cell_with(spec)})
    _write(f"{RECURRENT}/pytorch", ["torch"], records)

    cells = _cell_specs("keras", 22, explicit_bias=False)
    cells += [
        {**spec, "reset_after": False}
        for spec in cells
        if spec["kind"] == "gru" and spec["num_units"] < 200  # noqa: PLR2004 - the small ones
    ]
    records = _records(cells, fw.build_keras_rnn_cell)
    records += _records(_merge_specs("keras"), fw.build_keras_merge)
    _write(f"{RECURRENT}/keras", ["keras", "torch"], records)


def recurrent_tensorflow_group() -> None:
    """TensorFlow 1 projections and stacks; tf.keras 2 CuDNN layers, merges, peephole stacks.

    The v1 cells are built on their own and through ``dynamic_rnn`` (``MultiRNNCell``);
    the peephole cells come from TensorFlow's private legacy Keras.
    """
    os.environ["TF_USE_LEGACY_KERAS"] = "1"
    v1 = "tensorflow-v1"
    projections: list[Spec] = [
        {"kind": "lstm", "num_units": units, "input_dim": inputs, "proj_size": proj}
        | ({"peepholes": True} if peepholes else {})
        for units, inputs, proj in [
            (20, 10, 7),
            (20, 10, 20),
            (20, 10, 32),
            (3, 5, 1),
            (3, 5, 8),
            (1, 1, 1),
            (512, 512, 512),
            (512, 512, 256),
            (512, 512, 1024),
            (200, 4096, 50),
            (200, 4096, 300),
        ]
        for peepholes in (False, True)
    ]
    records = _records([{**s, "framework": v1} for s in projections], fw.build_tensorflow_v1)
    variants: list[Spec] = [
        {"kind": "lstm"},
        {"kind": "lstm", "peepholes": True},
        {"kind": "lstm", "proj_size": "smaller"},
        {"kind": "lstm", "proj_size": "larger"},
        {"kind": "lstm", "proj_size": "smaller", "peepholes": True},
        {"kind": "gru"},
        {"kind": "rnn"},
    ]
    graphs: list[Spec] = []
    for layers, (units, inputs), variant in itertools.product(
        [1, 2, 3], [(3, 5), (20, 10)], variants
    ):
        if layers == 1 and (units, inputs) != (20, 10):
            continue  # the single cell through dynamic_rnn: its names' prefix
        spec: Spec = {"kind": variant["kind"], "num_units": units, "input_dim": inputs}
        if layers > 1:
            spec["num_layers"] = layers
        if "proj_size" in variant:
            spec["proj_size"] = (
                max(1, units // 2) if variant["proj_size"] == "smaller" else units + 4
            )
        if variant.get("peepholes"):
            spec["peepholes"] = True
        graphs.append({**spec, "framework": v1})
    records += _records(graphs, fw.build_tensorflow_v1_graph)
    _write(f"{RECURRENT}/tensorflow-v1", ["tensorflow"], records)

    cudnn: list[Spec] = [
        {"kind": kind, "num_units": units, "input_dim": inputs, "cudnn": True}
        | ({"bidirectional": True} if bidirectional else {})
        for kind in ("lstm", "gru")
        for units, inputs in [(1, 1), (3, 5), (20, 10), (300, 300), (200, 4096)]
        for bidirectional in (False, True)
    ]
    cudnn += [{**s, "num_layers": 2} for s in cudnn if (s["num_units"], s["input_dim"]) == (20, 10)]
    records = _records([{**s, "framework": "keras"} for s in cudnn], fw.build_keras_cudnn)
    records += _records(_merge_specs("keras"), fw.build_tf_keras_merge)
    peepholes: list[Spec] = [
        {"kind": "lstm", "num_units": units, "input_dim": inputs, "peepholes": True, "cell": True}
        | ({"num_layers": layers} if layers > 1 else {})
        for units, inputs in [(3, 5), (20, 10), (128, 100), (256, 128)]
        for layers in (1, 2, 3)
    ]
    peepholes = [{**s, "framework": "keras"} for s in peepholes]
    records += _records(peepholes, fw.build_keras_peephole_cells)
    _write(f"{RECURRENT}/keras-tensorflow", ["tf_keras", "tensorflow"], records)

    FILES.mkdir(parents=True, exist_ok=True)
    saved = fw.save_keras_peephole_cells(FILES, "tf_keras-rnn-peephole-cells", [128, 256], 100)
    _write_files(f"{RECURRENT}/tf_keras", [saved])


def recurrent_flax_group() -> None:
    """Linen ``MGUCell`` in RNN/Bidirectional/Sequential; nnx ``RNN`` and ``Bidirectional``."""
    mgu: list[Spec] = [
        {"kind": "mgu", "num_units": units, "input_dim": inputs, "reset_gate": reset_gate}
        | ({"bidirectional": True} if bidirectional else {})
        | ({"num_layers": layers} if layers > 1 else {})
        for units, inputs in CELL_SIZES
        for reset_gate in (True, False)
        for bidirectional in (False, True)
        for layers in (1, 2)
    ]
    rng = random.Random(23)
    mgu += [
        {
            "kind": "mgu",
            "num_units": fw.size(rng, 3000),
            "input_dim": fw.size(rng, 3000),
            "reset_gate": rng.random() < 0.5,  # noqa: PLR2004 - a fair coin
        }
        for _ in range(10)
    ]
    linen = [{**s, "framework": "flax-linen"} for s in mgu]
    _write(f"{RECURRENT}/flax-linen", ["flax", "jax"], _records(linen, fw.build_flax_linen))

    wrappers: list[Spec] = [  # nnx.RNN(cell), or nnx.Bidirectional with bidirectional=True
        {"kind": kind, "num_units": units, "input_dim": inputs}
        | ({"bidirectional": True} if bidirectional else {})
        | {"framework": "flax-nnx"}
        for bidirectional in (False, True)
        for kind in ("lstm", "gru", "rnn")
        for units, inputs in CELL_SIZES
    ]
    _write(f"{RECURRENT}/flax-nnx", ["flax", "jax"], _records(wrappers, fw.build_flax_nnx_wrapper))


GROUPS = {
    "torch": torch_group,
    "tensorflow": tensorflow_group,
    "flax": flax_group,
    "compute": compute_group,
    "compute-sequences": compute_sequences_group,
    "recurrent-torch": recurrent_torch_group,
    "recurrent-tensorflow": recurrent_tensorflow_group,
    "recurrent-flax": recurrent_flax_group,
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
