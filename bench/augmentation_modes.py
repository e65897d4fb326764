"""CoOp's two augmentation modes on the toy benchmark, in one run: `fresh` (the papers' protocol: a new random
view of every training image at every epoch) against `cached` (10 views encoded once and cycled, the fast mode).
Prints accuracy per dataset and seed, the averages, and the time ratio fresh / cached.

    python bench/augmentation_modes.py                      # the toy benchmark (TOY_BENCHMARK), seeds 1-3, 16 shots, 200 epochs
    python bench/augmentation_modes.py --datasets ToyShapes --seeds 1 --threads 1
"""
import argparse, json, time

import numpy as np
import torch

from coop_nb.core.clip import load_clip
from coop_nb.methods.coop import train_coop
from coop_nb.toy.world import TOY_BENCHMARK, load_toy_dataset


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", nargs="+", default=TOY_BENCHMARK)
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--shots", type=int, default=16)
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads [2]")
    p.add_argument("--json", help="also write the rows to this file")
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    toy, _, tokenizer = load_clip("toy")
    rows = []
    for name in args.datasets:
        ds = load_toy_dataset(name)
        for seed in args.seeds:
            for mode in ("fresh", "cached"):
                t0 = time.time()
                _, rec = train_coop(toy, tokenizer, ds, shots=args.shots, seed=seed, settings=dict(augmentation=mode))
                rows.append(dict(dataset=name, seed=seed, augmentation=mode, accuracy=rec["accuracy"], seconds=time.time() - t0,
                                 epochs=rec["epochs"], views=rec["train_views"]))
                print(f"{name:22s} seed {seed} {mode:6s} {100 * rec['accuracy']:5.1f}%  {rows[-1]['seconds']:6.1f} s", flush=True)
    print(f"\n{'dataset':22s} {'fresh %':>8s} {'cached %':>9s} {'fresh s':>8s} {'cached s':>9s}")
    for name in args.datasets + ["Average"]:
        sel = [r for r in rows if name in ("Average", r["dataset"])]
        get = lambda mode, key: np.mean([r[key] for r in sel if r["augmentation"] == mode])
        print(f"{name:22s} {100 * get('fresh', 'accuracy'):8.1f} {100 * get('cached', 'accuracy'):9.1f} "
              f"{get('fresh', 'seconds'):8.1f} {get('cached', 'seconds'):9.1f}")
    total = {m: sum(r["seconds"] for r in rows if r["augmentation"] == m) for m in ("fresh", "cached")}
    print(f"\nfresh views take {total['fresh'] / total['cached']:.1f}x the time of cached views "
          f"({total['fresh']:.0f} s against {total['cached']:.0f} s, {len(args.seeds)} seeds, {args.shots} shots)")
    if args.json:
        with open(args.json, "w") as f: json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
