"""Images per second of CLIP's frozen image tower on this machine, by batch size and by what PyTorch offers for
frozen towers — the figures behind `encoding_batch_size` (appendix E) and the exact protocol's speed (issue 39).

Each row encodes the same `--images` preprocessed images (224 px, random, so no decoding is timed) after one
warm-up call, and prints images/s, its ratio to the plain tower at batch 32 measured in the same run, and the
largest difference of its features from the plain tower's (0 or fp32 rounding: kept; more: not exact).

- plain: `encode_image` in fp32 under `torch.no_grad()`;
- channels-last: the convolutional tower's weights in channels-last memory format (ResNets only; what
  `load_clip` does for them since this benchmark measured it);
- inference mode: `torch.inference_mode()` instead of `no_grad` (coop_nb cannot use it for training features,
  which later enter autograd graphs; shown for what it would give);
- flush denormals: `torch.set_flush_denormal(True)`, which changes results where tiny numbers occur (random
  weights make many; offered as an option only, never silently);
- compiled: `torch.compile` of the tower as `load_clip` leaves it (ResNets channels-last), timed after its first
  call, which compiles (`--no-compile` to skip: compiling takes minutes on a small CPU).

    python bench/encoder_speed.py                                # RN50 and ViT-B/16, 128 images
    python bench/encoder_speed.py --backbones RN50 --images 256 --threads 2
"""
import argparse, time

import torch

from coop_nb.core.clip import load_clip


def images_per_second(encode, images: torch.Tensor, batch_size: int, context=torch.no_grad) -> tuple[float, torch.Tensor]:
    "Encode `images` in batches (after one warm-up call); returns (images per second, the features)."
    with context(): encode(images[:batch_size])
    t0, feats = time.perf_counter(), []
    with context():
        for i in range(0, len(images), batch_size): feats.append(encode(images[i:i + batch_size]))
    return len(images) / (time.perf_counter() - t0), torch.cat(feats).float()


def compiled_row(model, images) -> list:
    "The tower as `load_clip` leaves it, compiled; none where this machine cannot compile (the reason printed)."
    if not hasattr(model.visual, "transformer"): model.visual.to(memory_format=torch.channels_last)
    try:
        compiled = torch.compile(model.visual)
        return [("compiled", 32, *images_per_second(compiled, images, 32))]
    except Exception as e:   # no C++ compiler, an unsupported operation: reported, not fatal
        print(f"  compiled: not available here ({type(e).__name__}: {str(e).splitlines()[0][:120]})")
        return []


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backbones", nargs="+", default=["RN50", "ViT-B/16"])
    p.add_argument("--images", type=int, default=128)
    p.add_argument("--batches", type=int, nargs="+", default=[32, 256])
    p.add_argument("--threads", type=int, help="torch CPU threads [torch's default]")
    p.add_argument("--no-compile", dest="compile", action="store_false", help="skip the torch.compile row")
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU; {a.images} images per row")
    for backbone in a.backbones:
        model = load_clip(backbone, pretrained=None)[0].eval()
        model.visual.to(memory_format=torch.contiguous_format)   # plain first (load_clip makes ResNets channels-last)
        size = model.visual.image_size
        size = size[0] if isinstance(size, (tuple, list)) else size
        images = torch.randn(a.images, 3, size, size, generator=torch.Generator().manual_seed(0))
        print(f"\n{backbone}: images/s  (× plain at batch 32)  max |Δ feature| from plain")
        base, reference = images_per_second(model.encode_image, images, 32)
        rows = [("plain", 32, base, reference)]
        for b in a.batches:
            if b != 32: rows.append(("plain", b, *images_per_second(model.encode_image, images, b)))
        rows.append(("inference mode", 32, *images_per_second(model.encode_image, images, 32, torch.inference_mode)))
        if not hasattr(model.visual, "transformer"):
            model.visual.to(memory_format=torch.channels_last)
            rows.append(("channels-last", 32, *images_per_second(model.encode_image, images, 32)))
            model.visual.to(memory_format=torch.contiguous_format)
        torch.set_flush_denormal(True)
        rows.append(("flush denormals", 32, *images_per_second(model.encode_image, images, 32)))
        torch.set_flush_denormal(False)
        if a.compile: rows += compiled_row(model, images)
        for name, b, speed, feats in rows:
            print(f"  {name:16s} batch {b:3d}: {speed:7.2f}   {speed / base:5.2f}×   {(feats - reference).abs().max().item():.1e}")


if __name__ == "__main__":
    main()
