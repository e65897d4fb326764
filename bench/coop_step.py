"""CoOp training step, evaluation and feature extraction: the official code's way against coop_nb's.

Naive path (the official CoOp trainer): every step runs CLIP's image encoder on the batch of images, and the
text encoder on all K full-length (77-token) prompts at once. coop_nb's path: image features computed once
and looked up, prompts cut to the longest one, the context shared by all classes encoded once (the class
suffixes attend to its keys and values), encoded in chunks with activation checkpointing.
`--no-share-prefix` times coop_nb's path without the shared-prefix encoding and `--no-length-groups` without
grouping the class suffixes by length, to show what each part buys. The class names are ImageNet's.

Both paths run on the same model, images and labels; the script first checks that their logits agree, then
times each setting in its own process (forward + backward + SGD step; peak memory is that process's own).
Speed does not depend on the weights, so the full-size architectures are built with random weights.

    python bench/coop_step.py                                   # RN50 and ViT-B/16, 37 and 1000 classes, batch 32
    python bench/coop_step.py --device cuda
    python bench/coop_step.py --backbones ViT-B/16 --classes 37 --memory-cap-gb 16
"""
import argparse, gc, json, platform, sys, time

import torch
import torch.nn.functional as F

from common import imagenet_names, peak_memory_mb, cap_memory, run_worker  # bench/common.py

from coop_nb.core.clip import load_clip
from coop_nb.core.text import TextEncoder
from coop_nb.methods.coop import CoOp


def build(backbone, n_cls, device, naive, chunk, share_prefix=True):
    torch.manual_seed(0)
    clip_model, _, tokenizer = load_clip(backbone, pretrained=None, device=device)
    model = CoOp(clip_model, tokenizer, imagenet_names(n_cls), n_ctx=16, chunk_size=None if naive else chunk,
                 share_prefix=share_prefix).to(device)
    return model, clip_model


def inputs(clip_model, bs, n_cls, device):
    g = torch.Generator().manual_seed(bs * 1000 + n_cls)  # the same images and labels for both paths
    size = clip_model.visual.image_size
    size = size if isinstance(size, int) else size[0]
    return torch.randn(bs, 3, size, size, generator=g).to(device), torch.randint(0, n_cls, (bs,), generator=g).to(device)


def naive_text_features(model):
    "The official trainer's text features: all K prompts at their full 77 tokens, at once."
    pl, enc = model.prompt_learner, model.text_encoder
    return F.normalize(enc(pl.assemble(pl.ctx), enc.pool_index(pl.pool_tokens), truncate=False).float(), dim=-1)


def step_logits(model, images, naive, cached):
    if naive:  # the official trainer: image encoder every step, full 77-token prompts
        with torch.no_grad(): f = F.normalize(model.clip.encode_image(images).float(), dim=-1)
        return model.clip.logit_scale.exp() * f @ naive_text_features(model).T
    return model.logits(cached)


def measure(backbone, n_cls, bs, naive, repeats, device, chunk, cap_gb, share_prefix=True):
    cap_memory(cap_gb, device)
    model, clip_model = build(backbone, n_cls, device, naive, chunk, share_prefix)
    images, labels = inputs(clip_model, bs, n_cls, device)
    with torch.no_grad(): cached = F.normalize(clip_model.encode_image(images).float(), dim=-1)  # computed once, before timing
    opt = torch.optim.SGD([model.prompt_learner.ctx], lr=0.002, momentum=0.9)
    gc.collect()
    if device.type == "cuda": torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats(device)
    times = []
    for _ in range(repeats + 1):  # the first step warms up
        t0 = time.perf_counter()
        loss = F.cross_entropy(step_logits(model, images, naive, cached), labels)
        opt.zero_grad(); loss.backward(); opt.step()
        if device.type == "cuda": torch.cuda.synchronize()
        times.append(time.perf_counter() - t0)
    return dict(seconds=min(times[1:]) if repeats else times[0], peak_mb=peak_memory_mb(device))


def measure_eval(backbone, device, n_images, bs):
    "Images per second: plain open_clip encode_image batching vs coop_nb's extract_features (same model, same images)."
    from coop_nb.core.features import extract_features
    from coop_nb.core.data import Datum, test_transform
    from PIL import Image
    import numpy as np, tempfile, pathlib
    torch.manual_seed(0)
    clip_model, preprocess, _ = load_clip(backbone, pretrained=None, device=device)
    folder = pathlib.Path(tempfile.mkdtemp())
    rng = np.random.default_rng(0)
    items = []
    for i in range(n_images):
        p = folder / f"{i}.jpg"; Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8)).save(p); items.append(Datum(str(p), 0, "x"))
    def plain():
        out = []
        with torch.no_grad():
            for i in range(0, n_images, bs):
                x = torch.stack([preprocess(Image.open(d.impath)) for d in items[i:i + bs]]).to(device)
                out.append(F.normalize(clip_model.encode_image(x).float(), dim=-1).cpu())
        return torch.cat(out)
    def ours(): return extract_features(clip_model, items, test_transform(clip_model), batch_size=bs, num_workers=2)
    rates = {}
    for name, fn in (("open_clip encode_image", plain), ("coop_nb extract_features", ours)):
        fn()  # warm-up
        t0 = time.perf_counter(); feats = fn(); rates[name] = n_images / (time.perf_counter() - t0)
        rates[name + " features"] = feats
    diff = (rates.pop("open_clip encode_image features") - rates.pop("coop_nb extract_features features")).abs().max().item()
    return rates, diff


def run_isolated(args, backbone, n_cls, bs, naive):
    cmd = [sys.executable, __file__, "--_worker", backbone, str(n_cls), str(bs), str(int(naive)), "--repeats", str(args.repeats),
           "--device", args.device, "--chunk", str(args.chunk), "--memory-cap-gb", str(args.memory_cap_gb)]
    if not args.share_prefix: cmd.append("--no-share-prefix")
    if not args.length_groups: cmd.append("--no-length-groups")
    return run_worker(cmd, args.memory_cap_gb)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backbones", nargs="+", default=["RN50", "ViT-B/16"])
    p.add_argument("--classes", type=int, nargs="+", default=[37, 1000])
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--repeats", type=int, default=1, help="timed steps after one warm-up (the fastest is reported)")
    p.add_argument("--chunk", type=int, default=256, help="prompts coop_nb encodes at once (the library's default)")
    p.add_argument("--memory-cap-gb", type=float, default=0, help="CPU only: address-space cap per measurement (0: none)")
    p.add_argument("--eval-images", type=int, default=256, help="images for the evaluation-throughput comparison (0: skip)")
    p.add_argument("--no-share-prefix", dest="share_prefix", action="store_false",
                   help="coop_nb's path without encoding the shared context once (an ablation)")
    p.add_argument("--no-length-groups", dest="length_groups", action="store_false",
                   help="coop_nb's path with every class suffix cut to the longest (an ablation)")
    p.add_argument("--device", default="cpu")
    p.add_argument("--json", help="also write the results to this file")
    p.add_argument("--_worker", nargs=4, help=argparse.SUPPRESS)
    args = p.parse_args()
    device = torch.device(args.device)
    if not args.length_groups: TextEncoder.group_lengths_above = float("inf")
    if args._worker:
        backbone, n_cls, bs, naive = args._worker
        print(json.dumps(measure(backbone, int(n_cls), int(bs), bool(int(naive)), args.repeats, device, args.chunk, args.memory_cap_gb,
                                 args.share_prefix)))
        return
    print(f"random weights, {device} ({platform.processor() or platform.machine()}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads), batch {args.batch}, shared prefix {'on' if args.share_prefix else 'off'}, "
          f"length groups {'on' if args.length_groups else 'off'}; "
          f"each measurement in its own process")
    print(f"{'backbone':9} {'classes':>7} {'naive s/step':>13} {'coop_nb s/step':>15} {'speed-up':>9} {'naive img/s':>12} "
          f"{'coop_nb img/s':>14} {'naive MB':>9} {'coop_nb MB':>11} {'mem ratio':>10} {'max |Δlogit|':>13}")
    rows = []
    for backbone in args.backbones:
        for n_cls in args.classes:
            naive_model, clip_model = build(backbone, n_cls, device, True, args.chunk, args.share_prefix)
            images, _ = inputs(clip_model, args.batch, n_cls, device)
            with torch.no_grad():  # same model, same images: the two paths must give the same logits
                naive_logits = step_logits(naive_model, images[:4], True, None)
                naive_model.text_encoder.chunk_size, naive_model.text_encoder.checkpointing = args.chunk, "auto"
                cached = F.normalize(clip_model.encode_image(images[:4]).float(), dim=-1)
                diff = (naive_logits - naive_model.logits(cached)).abs().max().item()
            del naive_model, clip_model, images; gc.collect()
            naive, ours = run_isolated(args, backbone, n_cls, args.batch, True), run_isolated(args, backbone, n_cls, args.batch, False)
            row = dict(backbone=backbone, classes=n_cls, batch=args.batch, naive_s=naive["seconds"], coop_nb_s=ours["seconds"],
                       speedup=naive["seconds"] / ours["seconds"], naive_peak_mb=naive["peak_mb"], coop_nb_peak_mb=ours["peak_mb"],
                       memory_ratio=naive["peak_mb"] / ours["peak_mb"], max_abs_logit_diff=diff, note=naive.get("note", ""))
            rows.append(row)
            print(f"{backbone:9} {n_cls:7d} {row['naive_s']:13.3f} {row['coop_nb_s']:15.3f} {row['speedup']:8.1f}x "
                  f"{args.batch / row['naive_s']:12.1f} {args.batch / row['coop_nb_s']:14.1f} {row['naive_peak_mb']:9.0f} "
                  f"{row['coop_nb_peak_mb']:11.0f} {row['memory_ratio']:9.1f}x {diff:13.2e} {row['note']}", flush=True)
    evals = []
    if args.eval_images:
        for backbone in args.backbones:
            rates, diff = measure_eval(backbone, device, args.eval_images, 64)
            evals.append(dict(backbone=backbone, **rates, max_abs_feature_diff=diff))
            (a, ra), (b, rb) = rates.items()
            print(f"evaluation / feature extraction, {backbone}, {args.eval_images} JPEGs: {a} {ra:.1f} img/s, {b} {rb:.1f} img/s "
                  f"(ratio {rb / ra:.2f}), max |Δfeature| {diff:.1e}", flush=True)
    if args.json:
        with open(args.json, "w") as f: json.dump(dict(device=str(device), rows=rows, evaluation=evals), f, indent=1)


if __name__ == "__main__":
    main()
