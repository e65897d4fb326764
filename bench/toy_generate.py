"""How fast the toy world draws captioned images: batched rendering against one image at a time.

`generate` renders images in chunks of `chunk` with torch (one affine grid sample and broadcast backgrounds for
the whole chunk). The baseline is the same function with `chunk=1`, i.e. one image per call, as a per-image
loop would draw them. Both draw the same attributes and captions for a seed (the pixels' noise is seeded per
chunk, so the noise differs); the script checks that, then times each and prints seconds per 1,000 images and
the ratio, and the time for the full pretraining-sized draw.

    python bench/toy_generate.py                    # 50,000 images batched; 2,000 for the per-image baseline
    python bench/toy_generate.py --n 10000 --baseline-n 1000 --threads 1
"""
import argparse, platform, time

import numpy as np
import torch

from coop_nb.toy.render import generate


def timed(n, chunk, captions=True):
    t0 = time.perf_counter()
    out = generate(n, seed=0, chunk=chunk, captions=captions)
    return out, time.perf_counter() - t0


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--n", type=int, default=50_000, help="images drawn batched (with captions)")
    p.add_argument("--baseline-n", type=int, default=2_000, help="images drawn one at a time (the baseline)")
    p.add_argument("--chunk", type=int, default=4096)
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)
    if args.threads: torch.set_num_threads(args.threads)
    print(f"{platform.processor() or platform.machine()}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    small_batched, _ = timed(args.baseline_n, args.chunk)
    small_single, single_s = timed(args.baseline_n, 1)
    for k in ("shape", "colour", "size", "background", "style", "position", "bg_colour", "captions"):
        assert np.array_equal(small_batched[k], small_single[k]), f"{k} differs between chunk sizes"
    full, batched_s = timed(args.n, args.chunk)
    assert full["images"].shape == (args.n, 32, 32, 3)
    per_single, per_batched = 1000 * single_s / args.baseline_n, 1000 * batched_s / args.n
    print(f"one image at a time: {per_single:.2f} s per 1,000 images ({args.baseline_n} images, {single_s:.1f} s)")
    print(f"batched (chunk {args.chunk}): {per_batched:.3f} s per 1,000 images ({args.n} images with captions, {batched_s:.1f} s)")
    print(f"speed-up: {per_single / per_batched:.1f}x")


if __name__ == "__main__":
    main()
