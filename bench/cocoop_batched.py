"""CoCoOp training step: the official per-image loop against coop_nb's batched, chunked encoder.

Both paths run on the same model, the same image features and the same labels, in one process; the script
checks that their logits agree, then times forward + backward + SGD step and records peak memory.
Speed does not depend on the weights, so the full-size architecture is built with random weights.

    python bench/cocoop_batched.py                      # ViT-B/16, 37 and 100 classes, batch 1, 8, 32, CPU
    python bench/cocoop_batched.py --device cuda        # on a GPU
    python bench/cocoop_batched.py --classes 37 --batch 1 8 --repeats 2
"""
import argparse, gc, json, platform, sys, time

import torch
import torch.nn.functional as F

from common import peak_memory_mb, cap_memory, run_worker  # bench/common.py

from coop_nb.core.clip import load_clip
from coop_nb.methods.cocoop import CoCoOp


def reset_peak(device):
    gc.collect()
    if device.type == "cuda": torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(device)


def build(backbone, n_cls, device, prompt_chunk):
    torch.manual_seed(0)
    clip_model, _, tokenizer = load_clip(backbone, pretrained=None, device=device)
    vocab = [w[:-4] for w in list(tokenizer.encoder)[1000:4000] if w.endswith("</w>") and w[:-4].isalpha()]
    classnames = [" ".join(vocab[2 * i:2 * i + 1 + i % 2]) for i in range(n_cls)]  # real words, 1-2 per name
    model = CoCoOp(clip_model, tokenizer, classnames, prompt_chunk=prompt_chunk, checkpointing=True).to(device)
    return model, clip_model.text_projection.shape[1]


def inputs(bs, n_cls, dim, device):
    g = torch.Generator().manual_seed(bs * 1000 + n_cls)  # the same inputs for both paths
    return F.normalize(torch.randn(bs, dim, generator=g), dim=-1).to(device), torch.randint(0, n_cls, (bs,), generator=g).to(device)


def measure(backbone, n_cls, bs, per_image, repeats, device, prompt_chunk, cap_gb=0):
    "Seconds per training step (forward, backward, SGD step; fastest of `repeats` after a warm-up) and peak memory."
    cap_memory(cap_gb, device)
    model, dim = build(backbone, n_cls, device, prompt_chunk)
    feats, labels = inputs(bs, n_cls, dim, device)
    opt = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.002, momentum=0.9)
    reset_peak(device)
    times = []
    for _ in range(repeats + 1):  # the first step warms up
        if device.type == "cuda": torch.cuda.synchronize()
        t0 = time.perf_counter()
        loss = F.cross_entropy((model.logits_per_image(feats) if per_image else model.logits(feats)), labels)
        opt.zero_grad(); loss.backward(); opt.step()
        if device.type == "cuda": torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return dict(seconds=min(times[1:]) if repeats else times[0], peak_mb=peak_memory_mb(device))


def run_isolated(args, n_cls, bs, per_image):
    "One measurement in a fresh process, so that the CPU's peak-memory high-water mark belongs to it alone."
    cmd = [sys.executable, __file__, "--_worker", str(n_cls), str(bs), str(int(per_image)), "--backbone", args.backbone,
           "--repeats", str(args.repeats), "--device", args.device, "--prompt-chunk", str(args.prompt_chunk)]
    return run_worker(cmd + ["--memory-cap-gb", str(args.memory_cap_gb)], args.memory_cap_gb)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backbone", default="ViT-B/16")
    p.add_argument("--classes", type=int, nargs="+", default=[37, 100])
    p.add_argument("--batch", type=int, nargs="+", default=[1, 8, 32])
    p.add_argument("--repeats", type=int, default=1, help="timed steps per setting after one warm-up (the fastest is reported)")
    p.add_argument("--prompt-chunk", type=int, default=1024, help="prompts the batched path encodes at once")
    p.add_argument("--device", default="cpu")
    p.add_argument("--memory-cap-gb", type=float, default=0, help="CPU only: address-space cap per measurement (0: none)")
    p.add_argument("--json", help="also write the rows to this file")
    p.add_argument("--_worker", nargs=3, type=int, help=argparse.SUPPRESS)
    args = p.parse_args()
    device = torch.device(args.device)
    if args._worker:
        n_cls, bs, per_image = args._worker
        print(json.dumps(measure(args.backbone, n_cls, bs, bool(per_image), args.repeats, device, args.prompt_chunk, args.memory_cap_gb)))
        return
    print(f"{args.backbone}, random weights, {device} ({platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads); each measurement in its own process")
    print(f"{'classes':>7} {'batch':>5} {'loop s/step':>12} {'batched s/step':>15} {'speed-up':>9} {'loop MB':>9} {'batched MB':>11} {'max |Δlogit|':>13}")
    rows = []
    for n_cls in args.classes:
        model, dim = build(args.backbone, n_cls, device, args.prompt_chunk)
        for bs in args.batch:
            feats, _ = inputs(bs, n_cls, dim, device)
            with torch.no_grad():  # same model, same inputs: the two paths must give the same logits
                diff = (model.logits_per_image(feats) - model.logits(feats)).abs().max().item()
            loop, batched = run_isolated(args, n_cls, bs, True), run_isolated(args, n_cls, bs, False)
            row = dict(classes=n_cls, batch=bs, loop_s=loop["seconds"], batched_s=batched["seconds"],
                       speedup=loop["seconds"] / batched["seconds"], loop_peak_mb=loop["peak_mb"],
                       batched_peak_mb=batched["peak_mb"], max_abs_logit_diff=diff)
            rows.append(row)
            print(f"{n_cls:7d} {bs:5d} {row['loop_s']:12.3f} {row['batched_s']:15.3f} {row['speedup']:8.1f}x "
                  f"{row['loop_peak_mb']:9.0f} {row['batched_peak_mb']:11.0f} {diff:13.2e} {loop.get('note', '')}", flush=True)
    if args.json:
        with open(args.json, "w") as f: json.dump(dict(device=str(device), backbone=args.backbone, rows=rows), f, indent=1)


if __name__ == "__main__":
    main()
