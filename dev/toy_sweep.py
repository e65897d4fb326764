"""Sweep CoOp's optimisation recipe on the toy benchmark and pick one on validation accuracy, never on test.

The papers fix one recipe (SGD lr 0.002, context init N(0, 0.02²), 200 epochs at 16 shots) that was chosen for
CLIP. For another backbone, such as the toy CLIP, a user would choose the recipe on held-out data. This script
trains unified CoOp (class at the end; M = 16 unless --n-ctx) for every recipe × seed × toy dataset in parallel processes and
writes one JSON row per run: accuracy on the few-shot validation split (min(K, 4) per class, what a few-shot
user has), on the dataset's whole validation split, and on test; the hand-crafted prompt's accuracy on the same
splits for comparison. The summary picks the recipe with the best mean validation accuracy and then reports
its test accuracy against the hand-crafted prompts.

    python dev/toy_sweep.py --jobs 14 --out runs/sweep.jsonl
    python dev/toy_sweep.py --checkpoint dev/candidates/toy_clip_e24.pt --lr 0.002 0.0005 --init-std 0.02 0.005
    python dev/toy_sweep.py --summarise --out dev/results/toy_sweep_2026-11-25.jsonl   # the 26 recipes measured
"""
import argparse, itertools, json, os, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np


def run_one(job: dict) -> dict:
    import torch
    torch.set_num_threads(1); torch.set_flush_denormal(True)
    from coop_nb.clip import load_clip, class_weights
    from coop_nb.coop import extract_features, train_coop, evaluate_features
    from coop_nb.data import few_shot_splits, test_transform
    from coop_nb.toyworld import load_toy_dataset
    model, _, tok = load_clip("toy", pretrained=job["checkpoint"])
    ds = load_toy_dataset(job["dataset"])
    fs = few_shot_splits(ds, job["shots"], job["seed"])
    tf = test_transform(model)
    split_feats = {s: (extract_features(model, items, tf), torch.tensor([x.label for x in items]))
                   for s, items in (("val_fewshot", fs.val), ("val", ds.val), ("test", ds.test))}
    t0 = time.time()
    coop, _ = train_coop(model, tok, ds, shots=job["shots"], seed=job["seed"], lr=job["lr"], epochs=job["epochs"], n_ctx=job["n_ctx"],
                         init_std=job["init_std"], test_features=split_feats["test"][0])
    w = class_weights(model, tok, ds.classnames, ds.template)
    row = dict(job, seconds=time.time() - t0)
    for s, (f, y) in split_feats.items():
        row[f"coop_{s}"] = evaluate_features(coop, f, y)["accuracy"]
        row[f"hc_{s}"] = ((f @ w.T).argmax(-1) == y).float().mean().item()
    return row


def summarise(rows: list[dict], select_on: str = "val_fewshot") -> str:
    recipe = lambda r: (r["checkpoint"], r["lr"], r["init_std"], r["epochs"], r["n_ctx"])
    recipes = sorted({recipe(r) for r in rows})
    lines = [f"{'checkpoint':>34s} {'lr':>8s} {'init':>6s} {'ep':>4s} {'M':>3s}  {'val(4)':>7s} {'val(8)':>7s} {'test':>6s}   HC: val(4) val(8) test  (means over datasets and seeds, %)"]
    best = {}
    for ck, lr, init, ep, M in recipes:
        rs = [r for r in rows if recipe(r) == (ck, lr, init, ep, M)]
        m = {k: 100 * np.mean([r[k] for r in rs]) for k in ("coop_val_fewshot", "coop_val", "coop_test", "hc_val_fewshot", "hc_val", "hc_test")}
        lines.append(f"{ck[-34:]:>34s} {lr:8.5f} {init:6.4f} {ep:4d} {M:3d}  {m['coop_val_fewshot']:7.1f} {m['coop_val']:7.1f} {m['coop_test']:6.1f}"
                     f"   {m['hc_val_fewshot']:10.1f} {m['hc_val']:6.1f} {m['hc_test']:5.1f}  ({len(rs)} runs)")
        if m[f"coop_{select_on}"] > best.get(ck, (-1,))[0]: best[ck] = (m[f"coop_{select_on}"], (lr, init, ep, M), m)
    for ck, (_, chosen, m) in best.items():
        lines.append(f"\n{ck}: chosen on {select_on}: lr {chosen[0]}, init_std {chosen[1]}, epochs {chosen[2]}, M {chosen[3]} -> "
                     f"test CoOp {m['coop_test']:.1f} vs hand-crafted {m['hc_test']:.1f} ({m['coop_test'] - m['hc_test']:+.1f})")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", nargs="+", default=["default"])
    p.add_argument("--lr", type=float, nargs="+", default=[0.002, 0.001, 0.0005, 0.00025])
    p.add_argument("--init-std", type=float, nargs="+", default=[0.02, 0.005])
    p.add_argument("--epochs", type=int, nargs="+", default=[200])
    p.add_argument("--n-ctx", type=int, nargs="+", default=[16], help="context lengths M")
    p.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    p.add_argument("--shots", type=int, default=16)
    p.add_argument("--datasets", nargs="+", default=None, help="toy datasets [the benchmark's four]")
    p.add_argument("--jobs", type=int, default=max(1, (os.cpu_count() or 2) - 1), help="parallel processes, one thread each")
    p.add_argument("--out", default="runs/toy_sweep.jsonl", help="one JSON row per run, appended; existing rows are kept and skipped")
    p.add_argument("--summarise", action="store_true", help="only summarise every row already in --out; run nothing")
    p.add_argument("--select-on", default="val_fewshot", choices=["val_fewshot", "val"])
    args = p.parse_args(argv)
    from coop_nb.toyworld import TOY_BENCHMARK
    jobs = [dict(checkpoint=ck, lr=lr, init_std=init, epochs=ep, n_ctx=M, seed=s, shots=args.shots, dataset=d)
            for ck, lr, init, ep, M, s, d in itertools.product(args.checkpoint, args.lr, args.init_std, args.epochs, args.n_ctx, args.seeds,
                                                             args.datasets or TOY_BENCHMARK)]
    out = Path(args.out); out.parent.mkdir(parents=True, exist_ok=True)
    done = [json.loads(l) for l in out.read_text().splitlines()] if out.exists() else []
    if args.summarise:
        if not done: p.error(f"--summarise: no rows in {out}")
        return print(summarise(done, args.select_on))
    key = lambda r: tuple(r[k] for k in ("checkpoint", "lr", "init_std", "epochs", "n_ctx", "seed", "shots", "dataset"))
    seen = {key(r) for r in done}
    todo = [j for j in jobs if key(j) not in seen]
    print(f"{len(jobs)} runs, {len(jobs) - len(todo)} already in {out}; {args.jobs} processes", flush=True)
    t0 = time.time()
    with ProcessPoolExecutor(args.jobs) as pool, out.open("a") as f:
        for i, row in enumerate(pool.map(run_one, todo)):
            f.write(json.dumps(row) + "\n"); f.flush(); done.append(row)
            if (i + 1) % 10 == 0 or i + 1 == len(todo): print(f"  {i + 1}/{len(todo)} runs, {time.time() - t0:.0f}s", flush=True)
    wanted = {key(j) for j in jobs}
    print(summarise([r for r in done if key(r) in wanted], args.select_on))


if __name__ == "__main__":
    main()
