"""Write ``tests/data/torch/``: small real PyTorch and ONNX files, and what torch said of them.

Run in a virtual environment with torch 2.13.0 and onnx 1.23.2 (lstm_params is
never imported; nothing here counts anything itself)::

    python scripts/generate_torch_files.py

Every file is saved by torch itself: a bare ``state_dict``, a training
checkpoint after one Adam step, whole pickled modules (``torch.save(model)``:
their classes are this script's, pickled as ``__main__.<Class>``), the legacy
non-zip format, a TorchScript archive, float16 and bfloat16 weights, tied and
frozen weights, float8 and uint16 tensors, a module on the meta device,
BatchNorm buffers, AWD-LSTM's weight drop under a ``module.``
prefix, an ``LSTMCell``, ``LayerNorm`` and ``MultiheadAttention``, and ONNX
exports (``dynamo=False``) of LSTM, GRU and RNN modules. ``index.json`` records,
per file, what torch and onnx report: ``sum(p.numel() for p in
model.parameters())``, the buffers' and the trainable parameters' element
counts, every ``state_dict`` key with its shape and dtype, each submodule's
class and public scalar attributes, and for ONNX files each initializer and
each recurrent node.
"""

from __future__ import annotations

import io
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import torch
from torch import nn

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "torch"
SCALARS = (bool, int, float, str, type(None))


class Tagger(nn.Module):  # type: ignore[misc]  # torch is untyped here
    """Embedding, a 2-layer bidirectional LSTM and a linear head."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(20, 4)
        self.encoder = nn.LSTM(4, 3, num_layers=2, bidirectional=True, batch_first=True)
        self.head = nn.Linear(6, 5)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:  # noqa: D102 - nn.Module's
        output, _ = self.encoder(self.embedding(tokens))
        result: torch.Tensor = self.head(output)
        return result


class TiedLM(nn.Module):  # type: ignore[misc]  # torch is untyped here
    """A language model whose decoder shares the embedding's weight."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(30, 4)
        self.rnn = nn.GRU(4, 4)
        self.decoder = nn.Linear(4, 30)
        self.decoder.weight = self.embedding.weight

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:  # noqa: D102 - nn.Module's
        output, _ = self.rnn(self.embedding(tokens))
        result: torch.Tensor = self.decoder(output)
        return result


class ConvBnGru(nn.Module):  # type: ignore[misc]  # torch is untyped here
    """Conv1d, BatchNorm1d, a GRU and a head: 410 parameters, and 13 buffer elements."""

    def __init__(self) -> None:
        super().__init__()
        self.conv = nn.Conv1d(3, 6, 7)
        self.norm = nn.BatchNorm1d(6)
        self.gru = nn.GRU(6, 6, batch_first=True)
        self.head = nn.Linear(6, 2)


class WeightDrop(nn.Module):  # type: ignore[misc]  # torch is untyped here
    """AWD-LSTM's weight drop: ``weight_hh_l0`` becomes the parameter ``weight_hh_l0_raw``."""

    def __init__(self, module: nn.LSTM) -> None:
        super().__init__()
        self.module = module
        raw = module.weight_hh_l0
        del module._parameters["weight_hh_l0"]  # noqa: SLF001 - what AWD-LSTM does
        module.register_parameter("weight_hh_l0_raw", nn.Parameter(raw.data))


class AwdLstm(nn.Module):  # type: ignore[misc]  # torch is untyped here
    """AWD-LSTM: an embedding, weight-dropped LSTMs and a decoder."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Embedding(12, 3)
        self.rnns = nn.ModuleList([WeightDrop(nn.LSTM(3, 4)), WeightDrop(nn.LSTM(4, 3))])
        self.decoder = nn.Linear(3, 12)


class DataParallelLike(nn.Module):  # type: ignore[misc]  # torch is untyped here
    """What ``nn.DataParallel`` adds to every key: a ``module.`` prefix."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module


class Attention(nn.Module):  # type: ignore[misc]  # torch is untyped here
    """LayerNorm, MultiheadAttention and an LSTMCell."""

    def __init__(self) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(8)
        self.attention = nn.MultiheadAttention(8, 2)
        self.cell = nn.LSTMCell(8, 5)


class Frozen(nn.Module):  # type: ignore[misc]  # torch is untyped here
    """An embedding frozen (requires_grad False) under a trainable RNN."""

    def __init__(self) -> None:
        super().__init__()
        self.embedding = nn.Embedding(10, 3)
        self.embedding.weight.requires_grad_(requires_grad=False)
        self.rnn = nn.RNN(3, 2, bias=False)


def _attributes(module: nn.Module) -> dict[str, Any]:
    """A module's public attributes that are scalars or tuples of them (constructor args)."""

    def plain(value: object) -> bool:
        if isinstance(value, list | tuple):
            return all(plain(v) for v in value)
        return isinstance(value, SCALARS)

    found = {}
    for key, value in vars(module).items():
        if not key.startswith("_") and key != "training" and plain(value):
            found[key] = list(value) if isinstance(value, tuple) else value
    return found


def _dtype(tensor: torch.Tensor) -> str:
    return str(tensor.dtype).removeprefix("torch.")


def _tensors(state: dict[str, torch.Tensor], buffers: set[str]) -> dict[str, Any]:
    return {
        k: {"shape": list(v.shape), "dtype": _dtype(v), "buffer": k in buffers}
        for k, v in state.items()
    }


def _model_record(model: nn.Module) -> dict[str, Any]:
    return {
        "params": sum(p.numel() for p in model.parameters()),
        "buffers": sum(b.numel() for b in model.buffers()),
        "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
        "state_dict": _tensors(
            model.state_dict(), {name for name, _ in model.named_buffers(remove_duplicate=False)}
        ),
    }


def _modules(model: nn.Module) -> list[dict[str, Any]]:
    return [
        {
            "path": name,
            "class": f"{type(module).__module__}.{type(module).__qualname__}",
            "attributes": _attributes(module),
        }
        for name, module in model.named_modules(remove_duplicate=False)
    ]


def _save(name: str, obj: object, **options: Any) -> None:  # noqa: ANN401 - torch.save's kwargs
    torch.save(obj, OUT / name, **options)


def _torch_files() -> list[dict[str, Any]]:  # noqa: PLR0915 - one file after another
    records: list[dict[str, Any]] = []

    def add(name: str, model: nn.Module, kind: str, **extra: Any) -> None:  # noqa: ANN401
        records.append({"file": name, "kind": kind, **_model_record(model), **extra})

    torch.manual_seed(0)
    tagger = Tagger()
    _save("tagger-state-dict.pt", tagger.state_dict())
    add("tagger-state-dict.pt", tagger, "state_dict")
    _save("tagger-legacy.pt", tagger.state_dict(), _use_new_zipfile_serialization=False)
    add("tagger-legacy.pt", tagger, "state_dict")
    _save("tagger-module.pt", tagger)
    add("tagger-module.pt", tagger, "module", modules=_modules(tagger))
    _save("tagger-module-legacy.pt", tagger, _use_new_zipfile_serialization=False)
    add("tagger-module-legacy.pt", tagger, "module", modules=_modules(tagger))

    optimizer = torch.optim.Adam(tagger.parameters(), lr=0.01)
    tagger(torch.tensor([[1, 2, 3]])).sum().backward()
    optimizer.step()
    state = optimizer.state_dict()
    checkpoint = {
        "epoch": 3,
        "model_state_dict": tagger.state_dict(),
        "optimizer_state_dict": state,
        "loss": 0.25,
    }
    _save("tagger-checkpoint.pt", checkpoint)
    optimizer_elements = sum(
        value.numel()
        for slot in state["state"].values()
        for value in slot.values()
        if isinstance(value, torch.Tensor)
    )
    add(
        "tagger-checkpoint.pt",
        tagger,
        "checkpoint",
        model_key="model_state_dict",
        optimizer_elements=optimizer_elements,
    )

    torch.jit.save(torch.jit.script(tagger), OUT / "tagger-torchscript.pt")
    add("tagger-torchscript.pt", tagger, "torchscript", modules=_modules(tagger))

    for dtype in (torch.float16, torch.bfloat16):
        name = f"tagger-{str(dtype).removeprefix('torch.')}.pt"
        model = Tagger().to(dtype)
        _save(name, model.state_dict())
        add(name, model, "state_dict")

    tied = TiedLM()
    _save("tied-state-dict.pt", tied.state_dict())
    add("tied-state-dict.pt", tied, "state_dict")
    _save("tied-module.pt", tied)
    add("tied-module.pt", tied, "module", modules=_modules(tied))

    frozen = Frozen()
    _save("frozen-module.pt", frozen)
    add("frozen-module.pt", frozen, "module", modules=_modules(frozen))

    conv = ConvBnGru()
    conv.norm(torch.randn(4, 6))  # a training batch: running statistics and a count
    _save("conv-bn-gru-state-dict.pt", conv.state_dict())
    add("conv-bn-gru-state-dict.pt", conv, "state_dict")
    _save("conv-bn-gru-module.pt", conv)
    add("conv-bn-gru-module.pt", conv, "module", modules=_modules(conv))

    awd = DataParallelLike(AwdLstm())
    _save("awd-lstm-state-dict.pt", awd.state_dict())
    add("awd-lstm-state-dict.pt", awd, "state_dict")

    attention = Attention()
    _save("attention-state-dict.pt", attention.state_dict())
    add("attention-state-dict.pt", attention, "state_dict")
    _save("attention-module.pt", attention)
    add("attention-module.pt", attention, "module", modules=_modules(attention))

    # float8 and uint16: an untyped storage and a dtype (torch._utils._rebuild_tensor_v3)
    small = nn.Linear(3, 2)
    small.register_buffer("counts", torch.zeros(4, dtype=torch.uint16))
    small.weight.data = small.weight.data.to(torch.float8_e4m3fn)
    _save("float8-state-dict.pt", small.state_dict())
    add("float8-state-dict.pt", small, "state_dict")
    meta = nn.GRU(3, 4, num_layers=2, device="meta")  # shapes only: no storage at all
    _save("meta-gru-module.pt", meta)
    add("meta-gru-module.pt", meta, "module", modules=_modules(meta))

    cell = nn.LSTMCell(3, 2)
    _save("lstmcell-module.pt", cell)
    add("lstmcell-module.pt", cell, "module", modules=_modules(cell))
    return records


def _onnx_files() -> list[dict[str, Any]]:
    import onnx

    records = []
    modules: dict[str, tuple[nn.Module, int]] = {
        "lstm-bidirectional-2-layers.onnx": (nn.LSTM(4, 3, num_layers=2, bidirectional=True), 4),
        "gru.onnx": (nn.GRU(5, 2), 5),
        "rnn-no-bias.onnx": (nn.RNN(3, 4, bias=False, nonlinearity="relu"), 3),
        "lstm-no-bias.onnx": (nn.LSTM(2, 3, bias=False), 2),
        "gru-bidirectional.onnx": (nn.GRU(3, 2, bidirectional=True), 3),
    }
    for name, (module, inputs) in modules.items():
        buffer = io.BytesIO()
        torch.onnx.export(module, (torch.randn(2, 1, inputs),), buffer, dynamo=False)
        model = onnx.load_model_from_string(buffer.getvalue())
        onnx.save_model(model, OUT / name)
        records.append(_onnx_record(name, model, module))
    # The same model with its tensors in a file beside it: counted from the dims alone.
    name = "gru-external.onnx"
    model = onnx.load_model(OUT / "gru.onnx")
    onnx.save_model(
        model,
        OUT / name,
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location="gru-external.onnx.data",
        size_threshold=0,
    )
    records.append(_onnx_record(name, onnx.load_model(OUT / name, load_external_data=False), None))
    return records


def _onnx_record(name: str, model: Any, module: nn.Module | None) -> dict[str, Any]:  # noqa: ANN401
    import onnx

    graph = model.graph
    initializers = [
        {
            "name": t.name,
            "dims": list(t.dims),
            "data_type": t.data_type,
            "external": t.data_location == onnx.TensorProto.EXTERNAL,
        }
        for t in graph.initializer
    ]
    nodes = [
        {
            "name": node.name,
            "op_type": node.op_type,
            "inputs": list(node.input),
            "outputs": list(node.output),
            "attributes": {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute},
        }
        for node in graph.node
        if node.op_type in {"LSTM", "GRU", "RNN"}
    ]
    for node in nodes:
        node["attributes"] = {
            k: v.decode() if isinstance(v, bytes) else v for k, v in node["attributes"].items()
        }
        node["attributes"] = {
            k: [x.decode() if isinstance(x, bytes) else x for x in v] if isinstance(v, list) else v
            for k, v in node["attributes"].items()
        }
    record: dict[str, Any] = {
        "file": name,
        "kind": "onnx",
        "initializers": initializers,
        "initializer_elements": sum(_product(i["dims"]) for i in initializers),
        "nodes": nodes,
        "op_types": [node.op_type for node in graph.node],
        "inputs": [v.name for v in graph.input],
        "outputs": [v.name for v in graph.output],
    }
    if module is not None:
        record["params"] = sum(p.numel() for p in module.parameters())
    return record


def _sharded_files() -> list[dict[str, Any]]:
    """The tagger as a sharded safetensors checkpoint: two shards and the index naming them."""
    from safetensors.torch import save_file

    torch.manual_seed(0)
    tagger = Tagger()
    state = {k: v.contiguous() for k, v in tagger.state_dict().items()}
    names = list(state)
    folder = OUT / "tagger-sharded"
    folder.mkdir(parents=True, exist_ok=True)
    shards = {
        "model-00001-of-00002.safetensors": names[:8],
        "model-00002-of-00002.safetensors": names[8:],
    }
    weight_map: dict[str, str] = {}
    for shard, keys in shards.items():
        save_file({k: state[k] for k in keys}, folder / shard)
        weight_map |= dict.fromkeys(keys, shard)
    total = sum(t.numel() * t.element_size() for t in state.values())
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n")
    return [
        {
            "file": "tagger-sharded/model.safetensors.index.json",
            "kind": "sharded",
            **_model_record(tagger),
        }
    ]


def _product(dims: list[int]) -> int:
    total = 1
    for dim in dims:
        total *= dim
    return total


def main() -> int:
    """Write every file and ``index.json``."""
    OUT.mkdir(parents=True, exist_ok=True)
    if sys.argv[1:] == ["sharded"]:  # only the sharded checkpoint, the other files kept
        kept = json.loads((OUT / "index.json").read_text())["records"]
        records = [r for r in kept if r["kind"] != "sharded"] + _sharded_files()
    else:
        records = _torch_files() + _onnx_files() + _sharded_files()
    index = {
        "generator": "scripts/generate_torch_files.py",
        "source": f"torch {torch.__version__}, onnx {version('onnx')}, "
        f"python {sys.version.split()[0]}",
        "records": records,
    }
    (OUT / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    total = sum(path.stat().st_size for path in OUT.rglob("*") if path.is_file())
    print(f"wrote {len(records)} files to {OUT}, {total:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
