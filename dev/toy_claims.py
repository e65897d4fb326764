"""Measure the toy benchmark's few-shot claims for a toy CLIP checkpoint, over several seeds.

The shipped checkpoint is one candidate; a re-pretrained one (the toy-world notebook's pretraining cells, or
`pretrain_toy_clip` + `save_toy_checkpoint`) is another. Prints, per toy dataset and averaged: zero-shot with
the generic and the hand-crafted prompt, and CoOp at 16 shots with the papers' recipe (mean and each seed),
then whether CoOp at least matches the hand-crafted prompts on average, as issue 4 asks.

    python dev/toy_claims.py                              # the shipped checkpoint, seeds 1-3
    python dev/toy_claims.py --checkpoint my_toy.pt --seeds 1 2 --linear-probe
    python dev/toy_claims.py --convention size=large      # every dataset with a collection convention
    python dev/toy_claims.py --ctx-init "a photo of a"    # M = 4, the papers' initialisation
    python dev/toy_claims.py --ceiling                    # also CoOp fitted on the test images themselves

The ceiling row is not a result but an estimate of a bound: a unified context fitted to the test set (no
augmentation, 100 epochs, seed 1) shows roughly how far any CoOp context could go past the hand-crafted prompt
on that dataset (it minimises cross-entropy, not errors, so a prompt can occasionally score above it).
"""
import argparse, time
from dataclasses import replace

import numpy as np
import torch

from coop_nb.clip import load_clip
from coop_nb.toybench import evaluate_toy_dataset
from coop_nb.coop import train_coop
from coop_nb.toyworld import TOY_BENCHMARK, load_toy_dataset


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", default="default", help="toy CLIP checkpoint [the shipped one]")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--shots", type=int, default=16)
    p.add_argument("--linear-probe", action="store_true", help="also run the linear probe")
    p.add_argument("--convention", nargs="*", default=[], metavar="ATTRIBUTE=WORD",
                   help="collection conventions for every dataset, as load_toy_dataset's `conventions`")
    p.add_argument("--n-ctx", type=int, default=16, help="CoOp's context length M")
    p.add_argument("--ctx-init", default=None, help="CoOp's context initialisation words (M becomes their token count)")
    p.add_argument("--ceiling", action="store_true", help="also fit CoOp to the test images: an estimate of the most a learned context can reach (seed 1)")
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args(argv)
    bad = [c for c in args.convention if c.count("=") != 1]
    if bad: p.error(f"--convention takes ATTRIBUTE=WORD pairs such as size=large; got {bad}")
    conventions = dict(c.split("=") for c in args.convention) or None
    coop_kwargs = dict(n_ctx=args.n_ctx, ctx_init=args.ctx_init)
    if args.threads: torch.set_num_threads(args.threads)
    torch.set_flush_denormal(True)
    model, _, tokenizer = load_clip("toy", pretrained=args.checkpoint)
    methods = ("linear_probe", "coop") if args.linear_probe else ("coop",)
    t0, acc = time.time(), {}  # (method, dataset) -> accuracies over seeds
    for name in TOY_BENCHMARK:
        for r in evaluate_toy_dataset(model, tokenizer, name, shots=args.shots, seed=args.seeds[0], methods=("zeroshot",), conventions=conventions):
            acc[(r["method"], name)] = [r["accuracy"]]
        for seed in args.seeds:
            for r in evaluate_toy_dataset(model, tokenizer, name, shots=args.shots, seed=seed, methods=methods,
                                          conventions=conventions, coop_kwargs=coop_kwargs):
                acc.setdefault((r["method"], name), []).append(r["accuracy"])
        if args.ceiling:
            ds = load_toy_dataset(name, conventions=conventions)
            oracle = replace(ds, train=ds.test, augment=False)   # the test images as training data: a ceiling, not a result
            acc[("CoOp on test (ceiling)", name)] = [train_coop(model, tokenizer, oracle, shots=0, seed=1, epochs=100, **coop_kwargs)[1]["accuracy"]]
        print(f"  {name}: done ({time.time() - t0:.0f}s)", flush=True)
    names = list(dict.fromkeys(m for m, _ in acc))
    setting = f"conventions {conventions}, " if conventions else ""
    setting += f"CoOp context from {args.ctx_init!r}" if args.ctx_init else f"CoOp M={args.n_ctx}, random"
    print(f"\n{args.checkpoint}: {args.shots} shots, seeds {args.seeds}, {setting}; accuracy in %, mean over seeds")
    print(f"{'method':26s}" + "".join(f"{d:>22s}" for d in TOY_BENCHMARK) + f"{'Average':>10s}")
    means = {}
    for m in names:
        cells = []
        for d in TOY_BENCHMARK:
            a = 100 * np.array(acc[(m, d)])
            cells.append(f"{a.mean():.1f}" + (f" ({'/'.join(f'{v:.1f}' for v in a)})" if len(a) > 1 else ""))
        means[m] = np.mean([np.mean(acc[(m, d)]) for d in TOY_BENCHMARK]) * 100
        print(f"{m:26s}" + "".join(f"{c:>22s}" for c in cells) + f"{means[m]:10.1f}")
    gap = means["CoOp"] - means["zero-shot (hand-crafted)"]
    print(f"\nCoOp - hand-crafted: {gap:+.1f} points on average -> {'matches or beats' if gap >= 0 else 'below'}; "
          f"CoOp - generic: {means['CoOp'] - means['zero-shot (generic)']:+.1f} points ({time.time() - t0:.0f}s)")


if __name__ == "__main__":
    main()
