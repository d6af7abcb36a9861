#!/usr/bin/env bash
# Rebuild tests/data/golden/*.json (and recurrent/*.json) from the real frameworks, each
# group in its own virtual environment (the frameworks are large and never needed at run time).
# Usage: scripts/regenerate_golden.sh [VENV_DIR]   (default: $TMPDIR/lstm_params-golden)
set -euo pipefail
cd "$(dirname "$0")/.."
root="${1:-${TMPDIR:-/tmp}/lstm_params-golden}"
mkdir -p "$root"

make_env() {  # make_env NAME PACKAGES...
  local env="$root/$1"; shift
  [ -x "$env/bin/python" ] || python3 -m venv "$env"
  "$env/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
}

# torch first, alone: its CPU build from this machine; keras 3 runs on it.
make_env torch torch==2.13.0
make_env torch keras==3.15.1 onnx==1.23.2 safetensors
# The peer MAC counters: without their dependencies (pip must not swap torch), then
# what they import (calflops imports transformers and accelerate at import time).
make_env torch --no-deps ptflops==0.7.5 ultralytics-thop==2.2.3 torchinfo==1.8.0 \
  torchprofile==0.1.0 calflops==0.3.2 fvcore==0.1.5.post20221221 iopath==0.1.10
make_env torch yacs tabulate termcolor portalocker tqdm pyyaml transformers accelerate
make_env tensorflow tensorflow-cpu==2.21.0 tf-keras==2.21.0
make_env flax jax==0.10.2 jaxlib==0.10.2 flax==0.12.8

"$root/torch/bin/python" scripts/generate_golden.py torch compute compute-sequences
TF_CPP_MIN_LOG_LEVEL=3 "$root/tensorflow/bin/python" scripts/generate_golden.py tensorflow
"$root/flax/bin/python" scripts/generate_golden.py flax

# Cells, stacks of cells, CuDNN layers, merge modes, Flax wrappers: tests/data/golden/recurrent/
"$root/torch/bin/python" scripts/generate_golden.py recurrent-torch
TF_CPP_MIN_LOG_LEVEL=3 "$root/tensorflow/bin/python" scripts/generate_golden.py recurrent-tensorflow
"$root/flax/bin/python" scripts/generate_golden.py recurrent-flax
