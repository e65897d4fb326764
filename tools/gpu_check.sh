#!/usr/bin/env bash
# The library's CUDA paths on the toy world, next to the CPU in the same run: CoOp, class-specific CoOp and
# CoCoOp in fp32 and mixed precision, base-to-new, and torchrun with one process. CI has no GPU; run this on
# a machine that has one after changing anything the models or training touch:
#     bash tools/gpu_check.sh            # PYTHON=... to pick the interpreter that has coop_nb
# It prints one line per run (accuracy, seconds, device). Accuracies on CUDA should agree with the CPU's to
# within a few tenths of a point (different kernels, same seeds); an error or a large gap is a bug.
set -uo pipefail
PY=${PYTHON:-python3}
OUT=$(mktemp -d)
printf 'import sys\nfrom coop_nb.experiments.cli import train_main\ntrain_main(sys.argv[1:])\n' > "$OUT/train.py"
train() { "$PY" "$OUT/train.py" "$@" --quiet 2>&1 | grep -E "Error|error:" ; }
for dev in cpu cuda; do
  train ToyColours ToyShapes --device $dev --out "$OUT/$dev" --epochs 50 --augmentation cached
  train ToyColours --device $dev --out "$OUT/$dev" --method coop-csc --epochs 50 --augmentation cached
  train ToyColours --device $dev --out "$OUT/$dev" --method cocoop --epochs 2
  train ToyColours --device $dev --out "$OUT/$dev" --subsample base --epochs 5
  train ToyColours --device $dev --out "$OUT/$dev" --subsample base --method cocoop --epochs 2
done
train ToyColours ToyShapes --device cuda --precision amp --out "$OUT/amp" --epochs 50 --augmentation cached
train ToyColours --device cuda --precision amp --out "$OUT/amp" --method cocoop --epochs 2
"$PY" -m torch.distributed.run --nproc_per_node=1 "$OUT/train.py" ToyColours --out "$OUT/torchrun" --epochs 50 --quiet 2>&1 | grep -E "Error|error:"
"$PY" - "$OUT" <<'EOF'
import json, sys
from pathlib import Path
for f in sorted(Path(sys.argv[1]).glob("*/**/record.json")):
    r = json.loads(f.read_text()); c, m = r["config"], r["metrics"]
    b2n = f" base {100 * m['base']:.1f} new {100 * m['new']:.1f}" if "new" in m else ""
    print(f"{f.relative_to(sys.argv[1]).parts[0]:9s} {c['dataset']:11s} {c['method']:9s} {c['options'].get('precision') or '':4s} "
          f"acc {100 * m['accuracy']:5.1f}{b2n}  train {r['seconds']['train']:5.1f}s  {r['device']}  world {r['world_size']}")
EOF
rm -rf "$OUT"
