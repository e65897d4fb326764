"""One epoch of the papers' exact protocol — a fresh random crop and flip of every training image at every epoch —
for CoOp and CoCoOp, three ways in one run, on the same images:

- coop_nb: `train_coop` / `train_cocoop` with `augmentation="fresh"` (the views' encoding and the steps);
- the official loop, emulated: for each batch of 32 images (CoCoOp: each image), decode, augment and encode them,
  then run the text encoder over all K prompts at the full 77 tokens with gradients, the loss, backward and the
  optimiser step — what Dassl's trainer does;
- the floor: decode, augment and encode the same views at batch 32, and nothing else.

Prints seconds per epoch and the ratios coop_nb / floor and official / coop_nb. Full-size architectures with random
weights (speed does not depend on the weights); the images are random JPEGs written to a temporary folder and
decoded at every step, as a real dataset's are. The class names are ImageNet's (open_clip's list; K of them evenly
spaced), since a prompt's cost depends on its length: 3.2 tokens on average, 12 at most.

An epoch is K × shots images. `--batches N` times N batches of 32 images spread over the epoch (CoOp and the floor)
and `--cocoop-images N` the first N of them for CoCoOp (one step per image); each path is scaled to the epoch by
the images it timed. Where the official text step does not fit in memory (1000 prompts × 77 tokens with gradients
need about 30 GB in fp32), it is timed with `--fallback-classes` prompts and its text part scaled by K / that
number — exact up to per-call overheads, since the prompts are encoded independently — and marked `≈`.

    python bench/exact_protocol.py                                                   # RN50, 37 classes, CoOp, 2 batches
    python bench/exact_protocol.py --backbones RN50 ViT-B/16 --classes 37 1000 --methods coop cocoop
    python bench/exact_protocol.py --device cuda --precision fp16 fp32 --classes 37 1000 --methods coop cocoop
"""
import argparse, copy, gc, os, tempfile, time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from common import cap_memory, imagenet_names  # bench/common.py
from coop_nb.core.clip import image_dtype, load_clip
from coop_nb.core.data import Datum, DatasetSplits, train_transform
from coop_nb.core.datasets import ImageDataset
from coop_nb.core.features import encoding_batch_size
from coop_nb.methods.cocoop import CoCoOp, train_cocoop
from coop_nb.methods.coop import CoOp, train_coop

OUT_OF_MEMORY = (torch.OutOfMemoryError, MemoryError)


def is_out_of_memory(e: BaseException) -> bool:
    return isinstance(e, OUT_OF_MEMORY) or (isinstance(e, RuntimeError) and "allocate" in str(e))


def epoch_items(classnames: list[str], shots: int) -> list[Datum]:
    "The epoch's K × shots items (their files are written only for the images a path times)."
    return [Datum(f"c{k}_{j}.jpg", k, c) for k, c in enumerate(classnames) for j in range(shots)]


def timed_items(folder: Path, items: list[Datum], n: int, size: int = 256) -> list[Datum]:
    "`n` items spread evenly over the epoch (every class's prompt is in every step anyway), as random JPEGs."
    rng, chosen = np.random.default_rng(0), items[:: max(1, len(items) // n)][:n]
    out = []
    for d in chosen:
        path = folder / d.impath
        if not path.exists():
            Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)).save(path, quality=90)
        out.append(Datum(str(path), d.label, d.classname))
    return out


def loader(clip_model, items, batch_size, workers=min(8, os.cpu_count() or 1), seed=0):
    "Batches of freshly augmented images, decoded from disk, in a shuffled order (as many workers as coop_nb's)."
    g = torch.Generator().manual_seed(seed)
    return torch.utils.data.DataLoader(ImageDataset(items, train_transform(clip_model)), batch_size=batch_size,
                                       shuffle=True, generator=g, num_workers=workers)


def sync(device):
    if device.type == "cuda": torch.cuda.synchronize(device)


def full_length_text(model: CoOp, ctx: torch.Tensor) -> torch.Tensor:
    "The official text path: every prompt at all 77 positions through the text transformer, then the end token."
    clip, pl = model.clip, model.prompt_learner
    K = len(pl.classnames)
    ctx = ctx.expand(K, -1, -1) if ctx.dim() == 2 or len(ctx) == 1 else ctx   # unified (or one image's) context
    dtype = pl.prefix.dtype                                                    # fp16 for a half-precision CLIP
    x = torch.cat([pl.prefix, ctx.to(dtype), pl.suffix], 1) + clip.positional_embedding.to(dtype)
    x = clip.transformer(x, attn_mask=clip.attn_mask)
    x = clip.ln_final(x)[torch.arange(K), pl.tokens.argmax(-1)] @ clip.text_projection
    return F.normalize(x, dim=-1)


def official_epoch(clip_model, tokenizer, items, classnames, method: str, device) -> tuple[float, float]:
    "The emulated official loop over `items`; returns (seconds in all, seconds of the text step and update)."
    cocoop = method == "cocoop"
    model = (CoCoOp if cocoop else CoOp)(clip_model, tokenizer, classnames, n_ctx=4 if cocoop else 16)
    params = [p for p in model.parameters() if p.requires_grad]
    opt, scale, dtype = torch.optim.SGD(params, lr=0.002, momentum=0.9), clip_model.logit_scale.exp(), image_dtype(clip_model)
    sync(device)
    t0, text_seconds = time.perf_counter(), 0.0
    for x, y in loader(clip_model, items, batch_size=1 if cocoop else 32):
        x, y = x.to(device, dtype), y.to(device) % len(classnames)   # fewer classes: the text step's cost is per class
        with torch.no_grad(): f = F.normalize(clip_model.encode_image(x), dim=-1)
        sync(device)
        t1 = time.perf_counter()
        ctx = model.prompt_learner.ctx[None] + model.meta_net(f)[:, None] if cocoop else model.prompt_learner.ctx
        loss = F.cross_entropy(scale * f @ full_length_text(model, ctx).T, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sync(device)
        text_seconds += time.perf_counter() - t1
    return time.perf_counter() - t0, text_seconds


def official_or_estimate(clip_model, tokenizer, items, classnames, method, device, fallback: int) -> tuple[float, str]:
    "The official loop's seconds; where it runs out of memory, its text step timed on `fallback` classes and scaled."
    try: return official_epoch(clip_model, tokenizer, items, classnames, method, device)[0], ""
    except Exception as e:
        if not is_out_of_memory(e) or fallback >= len(classnames): raise
    gc.collect()
    if device.type == "cuda": torch.cuda.empty_cache()
    total, text = official_epoch(clip_model, tokenizer, items, classnames[:fallback], method, device)
    return total - text + text * len(classnames) / fallback, f"≈ out of memory; text step timed at {fallback} classes"


def floor_epoch(clip_model, items, device) -> float:
    "Decode, augment and encode the views, as many per call as coop_nb encodes (32 on a CPU), nothing else."
    dtype = image_dtype(clip_model)
    sync(device)
    t0 = time.perf_counter()
    with torch.no_grad():
        for x, _ in loader(clip_model, items, batch_size=encoding_batch_size(device)):
            clip_model.encode_image(x.to(device, dtype))
    sync(device)
    return time.perf_counter() - t0


def warm_up(clip_model, tokenizer, folder, shots, methods, device):
    "Each path once on a few images, untimed: the first calls' one-time costs (kernels, allocations) stay out."
    names = imagenet_names(37)
    items = timed_items(folder, epoch_items(names, shots), 32)
    floor_epoch(clip_model, items, device)
    for method in methods:
        coop_nb_epoch(clip_model, tokenizer, items[:2] if method == "cocoop" else items, names, method, device)
        official_epoch(clip_model, tokenizer, items[:2] if method == "cocoop" else items, names, method, device)


def compiled_copy(clip_model, device) -> tuple:
    "A copy of `clip_model` whose image tower is compiled, and the seconds its compiling took (two batch shapes)."
    clip_model = copy.deepcopy(clip_model)
    clip_model.visual.requires_grad_(False).compile()   # frozen, as load_clip(compile_image_tower=True) leaves it
    size = clip_model.visual.image_size
    size = size[0] if isinstance(size, (tuple, list)) else size
    t0 = time.perf_counter()
    with torch.no_grad():
        for n in (32, 7):   # a second shape makes the batch dimension dynamic: no compiling while timed
            clip_model.encode_image(torch.randn(n, 3, size, size, device=device, dtype=image_dtype(clip_model)))
    sync(device)
    return clip_model, time.perf_counter() - t0


def coop_nb_epoch(clip_model, tokenizer, items, classnames, method: str, device) -> float:
    "coop_nb's trainer for one epoch of fresh views of `items` (the encoding of the views included)."
    ds = DatasetSplits("bench", items, [], [], classnames=classnames)
    train = train_cocoop if method == "cocoop" else train_coop
    sync(device)
    t0 = time.perf_counter()
    train(clip_model, tokenizer, ds, shots=0, seed=1, settings=dict(epochs=1, augmentation="fresh"))
    sync(device)
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backbones", nargs="+", default=["RN50"])
    p.add_argument("--classes", type=int, nargs="+", default=[37])
    p.add_argument("--shots", type=int, default=16)
    p.add_argument("--methods", nargs="+", default=["coop"], choices=["coop", "cocoop"])
    p.add_argument("--batches", type=int, default=2, help="batches of 32 images timed per path (0: the whole epoch)")
    p.add_argument("--cocoop-images", type=int, default=16, help="images timed for CoCoOp (0: the whole epoch)")
    p.add_argument("--fallback-classes", type=int, default=100, help="classes of the official text step if K do not fit")
    p.add_argument("--device", default="cpu")
    p.add_argument("--precision", nargs="+", default=["fp32"], choices=["fp32", "fp16"], help="CLIP's weights")
    p.add_argument("--memory-cap-gb", type=float, default=16, help="CPU only: this process's address-space cap (0: none)")
    p.add_argument("--threads", type=int, help="torch CPU threads [torch's default]")
    p.add_argument("--compiled-tower", action="store_true",
                   help="also time coop_nb with its image tower compiled (load_clip's compile_image_tower)")
    a = p.parse_args()
    device = torch.device(a.device)
    if a.threads: torch.set_num_threads(a.threads)
    cap_memory(a.memory_cap_gb, device)
    folder = Path(tempfile.mkdtemp(prefix="coop_nb_bench_"))
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else f"CPU, {torch.get_num_threads()} threads"
    print(f"torch {torch.__version__}, {name}; one epoch of fresh views per path, in seconds")
    print(f"{'backbone':9} {'prec':4} {'method':16} {'classes':>7} {'images':>7} {'floor':>8} {'coop_nb':>8} {'official':>9} "
          f"{'coop_nb/floor':>14} {'official/coop_nb':>17}")
    for backbone in a.backbones:
        for precision in a.precision:
            clip_model, _, tokenizer = load_clip(backbone, pretrained=None, device=device, precision=precision)
            warm_up(clip_model, tokenizer, folder, a.shots, a.methods, device)   # first calls: not scaled to an epoch
            if a.compiled_tower:
                compiled, seconds = compiled_copy(clip_model, device)
                print(f"{backbone}, {precision}: compiling the image tower took {seconds:.0f} s (once per process; "
                      f"not in the times below)", flush=True)
            for n_classes in a.classes:
                classnames = imagenet_names(n_classes)
                epoch = epoch_items(classnames, a.shots)
                coop_items = timed_items(folder, epoch, 32 * a.batches if a.batches else len(epoch))
                floor = floor_epoch(clip_model, coop_items, device) * len(epoch) / len(coop_items)
                for method in a.methods:
                    items = coop_items[:a.cocoop_images or None] if method == "cocoop" else coop_items
                    per_epoch = len(epoch) / len(items)
                    try:
                        ours = coop_nb_epoch(clip_model, tokenizer, items, classnames, method, device) * per_epoch
                        official, note = official_or_estimate(clip_model, tokenizer, items, classnames, method, device,
                                                              a.fallback_classes)
                    except Exception as e:   # one setting failing (random fp16 weights can overflow) leaves the others
                        print(f"{backbone:9} {precision:4} {method:16} {n_classes:7d} failed: {type(e).__name__}: "
                              f"{str(e).splitlines()[0][:160]}", flush=True)
                        continue
                    official *= per_epoch
                    rows = [(method, ours)]
                    if a.compiled_tower:
                        rows.append((f"{method}, compiled", per_epoch *
                                     coop_nb_epoch(compiled, tokenizer, items, classnames, method, device)))
                    for label, ours in rows:
                        print(f"{backbone:9} {precision:4} {label:16} {n_classes:7d} {len(epoch):7d} {floor:8.1f} "
                              f"{ours:8.1f} {official:9.1f} {ours / floor:13.2f}x {official / ours:16.2f}x {note}", flush=True)
            del clip_model
            if a.compiled_tower: del compiled
            gc.collect()


if __name__ == "__main__":
    main()
