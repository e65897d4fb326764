"""One epoch of the papers' exact protocol — a fresh random crop and flip of every training image at every epoch —
for CoOp (and CoCoOp), three ways in one run, on the same images:

- coop_nb: `train_coop` / `train_cocoop` with `augmentation="fresh"` for one epoch (the views' encoding and the steps);
- the official loop, emulated: for each batch of 32 images, decode, augment and encode them, then run the text
  encoder over all K prompts at the full 77 tokens with gradients (CoCoOp: over the K prompts of each image in turn),
  the loss, backward and the optimiser step — what Dassl's trainer does;
- the floor: decode, augment and encode the same number of views at batch 32, and nothing else.

Prints seconds per epoch and the ratios coop_nb / floor and official / coop_nb. Full-size architectures with random
weights (speed does not depend on the weights); the images are random JPEGs written to a temporary folder, decoded
at every step as a real dataset's are. `--batches N` times only the first N batches of each path and scales them
to the epoch (the 1000-class runs take hours otherwise); every ratio compares paths timed the same way.

    python bench/exact_protocol.py                                   # RN50, 37 classes, CoOp
    python bench/exact_protocol.py --backbones RN50 ViT-B/16 --classes 37 1000 --batches 4 --methods coop cocoop
"""
import argparse, math, tempfile, time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from coop_nb.core.clip import load_clip
from coop_nb.core.data import Datum, DatasetSplits, train_transform
from coop_nb.core.datasets import ImageDataset
from coop_nb.methods.cocoop import CoCoOp, train_cocoop
from coop_nb.methods.coop import CoOp, train_coop


def make_images(folder: Path, n_classes: int, shots: int, size: int = 256) -> list[Datum]:
    "Random JPEG photos, `shots` per class, written once."
    rng, items = np.random.default_rng(0), []
    for k in range(n_classes):
        for j in range(shots):
            path = folder / f"c{k}_{j}.jpg"
            if not path.exists(): Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)).save(path, quality=90)
            items.append(Datum(str(path), k, f"class {k}"))
    return items


def loader(clip_model, items, batch_size=32, workers=2, seed=0):
    "Batches of freshly augmented images, decoded from disk, in a shuffled order."
    g = torch.Generator().manual_seed(seed)
    return torch.utils.data.DataLoader(ImageDataset(items, train_transform(clip_model)), batch_size=batch_size,
                                       shuffle=True, generator=g, num_workers=workers, drop_last=True)


def full_length_text(model: CoOp, ctx: torch.Tensor) -> torch.Tensor:
    "The official text path: every prompt at all 77 positions through the text transformer, then the end token."
    clip, pl = model.clip, model.prompt_learner
    K = len(pl.classnames)
    ctx = ctx.expand(K, -1, -1) if ctx.dim() == 2 or len(ctx) == 1 else ctx   # unified (or one image's) context
    x = torch.cat([pl.prefix, ctx.to(pl.prefix.dtype), pl.suffix], 1) + clip.positional_embedding
    x = clip.transformer(x, attn_mask=clip.attn_mask)
    x = clip.ln_final(x)[torch.arange(K), pl.tokens.argmax(-1)] @ clip.text_projection
    return F.normalize(x, dim=-1)


def official_epoch(clip_model, tokenizer, items, method: str, max_batches: int | None) -> tuple[float, int]:
    "The emulated official loop for one epoch (or its first `max_batches`); returns (seconds, batches)."
    names = sorted({d.classname for d in items}, key=lambda c: int(c.split()[1]))
    model = (CoCoOp if method == "cocoop" else CoOp)(clip_model, tokenizer, names, n_ctx=4 if method == "cocoop" else 16)
    params = [p for p in model.parameters() if p.requires_grad]
    opt, scale = torch.optim.SGD(params, lr=0.002, momentum=0.9), clip_model.logit_scale.exp()
    t0, n = time.perf_counter(), 0
    for n, (x, y) in enumerate(loader(clip_model, items, batch_size=1 if method == "cocoop" else 32), 1):
        with torch.no_grad(): f = F.normalize(clip_model.encode_image(x), dim=-1)
        if method == "cocoop":   # one image: its own K prompts
            shift = model.meta_net(f)[:, None]          # (1, 1, d)
            text = full_length_text(model, model.prompt_learner.ctx[None] + shift)
        else: text = full_length_text(model, model.prompt_learner.ctx)
        loss = F.cross_entropy(scale * f @ text.T, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if max_batches and n >= max_batches: break
    return time.perf_counter() - t0, n


def floor_epoch(clip_model, items, batch_size: int, max_batches: int | None) -> tuple[float, int]:
    "Decode, augment and encode the views, nothing else; returns (seconds, batches)."
    t0, n = time.perf_counter(), 0
    with torch.no_grad():
        for n, (x, _) in enumerate(loader(clip_model, items, batch_size=batch_size), 1):
            clip_model.encode_image(x)
            if max_batches and n >= max_batches: break
    return time.perf_counter() - t0, n


def coop_nb_epoch(clip_model, tokenizer, items, classnames, method: str) -> float:
    "coop_nb's trainer for one epoch of fresh views of `items` (the encoding of the views included)."
    ds = DatasetSplits("bench", items, [], [], classnames=classnames)
    train = train_cocoop if method == "cocoop" else train_coop
    t0 = time.perf_counter()
    train(clip_model, tokenizer, ds, shots=0, seed=1, settings=dict(epochs=1, augmentation="fresh"))
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backbones", nargs="+", default=["RN50"])
    p.add_argument("--classes", type=int, nargs="+", default=[37])
    p.add_argument("--shots", type=int, default=16)
    p.add_argument("--methods", nargs="+", default=["coop"], choices=["coop", "cocoop"])
    p.add_argument("--batches", type=int, help="time only the first N batches of 32 images of each path")
    p.add_argument("--threads", type=int, help="torch CPU threads [torch's default]")
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    folder = Path(tempfile.mkdtemp(prefix="coop_nb_bench_"))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; one epoch of fresh views per path")
    print(f"{'backbone':9} {'method':7} {'classes':>7} {'images':>7} {'floor s':>9} {'coop_nb s':>10} {'official s':>11} "
          f"{'coop_nb/floor':>14} {'official/coop_nb':>17}")
    for backbone in a.backbones:
        clip_model, _, tokenizer = load_clip(backbone, pretrained=None)
        for n_classes in a.classes:
            items = make_images(folder, n_classes, a.shots)
            n_images = len(items) if not a.batches else min(len(items), 32 * a.batches)
            epoch = len(items) / n_images                                  # the scale from what is timed to an epoch
            for method in a.methods:
                floor = floor_epoch(clip_model, items, 32, a.batches)[0] * epoch
                timed = items if not a.batches else items[:: max(1, len(items) // n_images)][:n_images]
                ours = coop_nb_epoch(clip_model, tokenizer, timed, [f"class {k}" for k in range(n_classes)], method) * epoch
                official_batches = a.batches * (32 if method == "cocoop" else 1) if a.batches else None
                official = official_epoch(clip_model, tokenizer, items, method, official_batches)[0] * epoch
                print(f"{backbone:9} {method:7} {n_classes:7d} {len(items):7d} {floor:9.1f} {ours:10.1f} {official:11.1f} "
                      f"{ours / floor:13.2f}x {official / ours:16.2f}x", flush=True)


if __name__ == "__main__":
    main()
