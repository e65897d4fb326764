#!/usr/bin/env bash
# Everything the GPU figures of bench/README.md need, in one run of under ten minutes on a CUDA machine: the
# library's CUDA paths (tools/gpu_check.sh), the exact protocol in fp16 (the official default) and fp32, CoOp's and
# CoCoOp's training steps against the official ways, and the successors' steps.
#     bash bench/gpu_run.sh [LOG_FOLDER [PART...]]   # PYTHON=... to pick the interpreter that has coop_nb
# Each part writes its own log to LOG_FOLDER (default: a new temporary folder) and has its own time limit, so a
# part that fails or runs long leaves the others' figures; name parts to run only those (to rerun one).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
LOGS=${1:-$(mktemp -d)}
shift $(( $# > 0 ? 1 : 0 ))
PARTS=${*:-device gpu_check exact_protocol coop_step cocoop_batched successors_step}
mkdir -p "$LOGS"
export PYTHONUNBUFFERED=1
part() {   # part NAME SECONDS COMMAND...: one part under its time limit, its output to NAME.log and the screen
  local name=$1 limit=$2; shift 2
  [[ " $PARTS " == *" $name "* ]] || return 0
  echo "== $name (limit ${limit}s)"
  timeout "$limit" "$@" 2>&1 | tee "$LOGS/$name.log"
  echo "== $name: exit ${PIPESTATUS[0]}"
}
part device 15 "$PY" -c "import torch, open_clip, coop_nb; print(torch.__version__, torch.cuda.get_device_name(0), 'open_clip', open_clip.__version__, 'coop_nb', coop_nb.__version__)"
part gpu_check 130 env PYTHON="$PY" bash tools/gpu_check.sh
# 64 batches of 32: enough images that coop_nb's 256-image encoding calls and 8 loader workers reach steady state
part exact_protocol 240 "$PY" bench/exact_protocol.py --device cuda --precision fp16 fp32 --backbones RN50 ViT-B/16 \
  --classes 37 1000 --methods coop cocoop --batches 64 --cocoop-images 128
part coop_step 90 "$PY" bench/coop_step.py --device cuda --backbones RN50 ViT-B/16 --classes 37 1000 --repeats 3 --eval-images 0
part cocoop_batched 50 "$PY" bench/cocoop_batched.py --device cuda --classes 37 100 --batch 1 8 32
part successors_step 35 "$PY" bench/successors_step.py --device cuda --backbones toy-vit ViT-B/16 --repeats 3
echo "logs in $LOGS"
