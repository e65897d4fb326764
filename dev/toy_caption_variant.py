"""A toy-world variant whose captions never contain the bare phrases the hand-crafted prompts use.

In the shipped world some captions are as bare as a prompt: "a red shape." and "a shape on a striped
background." are exactly ToyColours' and ToyTextures' hand-crafted prompts. Is that why CoOp cannot beat
those prompts? This script tests it: it pretrains the toy CLIP exactly as the shipped one
(`pretrain_toy_clip(n_pairs=100_000, epochs=8)`, about 20 minutes on 2 CPU cores) on captions from which
those two phrasings are removed (a caption that would use one is drawn again from the other phrasings, which
is the same as leaving them out of the choice), then compares candidate hand-crafted prompts on validation
and test for both models, so a prompt is judged as a prompt engineer would judge it: on validation.

    python dev/toy_caption_variant.py pretrain --out /tmp/toy_no_bare.pt      # ~20 min on 2 cores
    python dev/toy_caption_variant.py prompts --checkpoint /tmp/toy_no_bare.pt   # also the shipped model
    python dev/toy_claims.py --checkpoint /tmp/toy_no_bare.pt --ceiling         # CoOp vs hand-crafted
"""
import argparse, re, time
from pathlib import Path

import torch

from coop_nb import toyworld

# the phrasings removed: a generic noun with only its colour, or only its background
BARE = re.compile(r"^an? \w+ (shape|object|thing)\.$|^an? (shape|object|thing) on an? [\w ]+ background\.$")

# phrasings a prompt engineer might try per dataset, the shipped hand-crafted prompt first
CANDIDATES = {
    "ToyShapes": ["a photo of a {}.", "a {}.", "this is a {}.", "there is a {} in this photo.", "a picture of a {}."],
    "ToyTextures": ["a shape on a {} background.", "{} background.", "a {} background.", "a photo with a {} background.",
                    "{} background, with a shape."],
    "ToyColours": ["a {} shape.", "something {}.", "a {} object.", "a {} thing.", "a {} shape on a background."],
    "ToyBackgroundColours": ["a shape on a {} background.", "{} background.", "a {} background.",
                             "a photo with a {} background.", "{} background, with a shape."],
}


_shipped_caption = toyworld.caption


def caption_without_bare_phrases(rng, *attributes) -> str:
    "The world's caption, drawn again while it is one of the bare phrasings."
    while True:
        text = _shipped_caption(rng, *attributes)
        if not BARE.match(text): return text


def pretrain(out: Path, n_pairs: int, epochs: int):
    if out.exists(): raise FileExistsError(f"{out} exists; choose another --out (nothing is overwritten)")
    toyworld.caption = caption_without_bare_phrases   # `generate` looks the caption function up at call time
    sample = toyworld.generate(20_000, seed=0, captions=True)["captions"]
    assert not any(BARE.match(c) for c in sample), "a bare phrasing slipped through"
    t0 = time.time()
    model, log, ids = toyworld.pretrain_toy_clip(n_pairs=n_pairs, epochs=epochs, quiet=True)
    toyworld.save_toy_checkpoint(model, out, ids, info=dict(n_pairs=n_pairs, epochs=epochs, log=log,
                                                            captions="no bare 'a red shape.' / 'a shape on a striped background.'"))
    print(f"saved {out} ({time.time() - t0:.0f}s)")


def prompts(checkpoints):
    from coop_nb.clip import load_clip
    from coop_nb.coop import extract_features
    from coop_nb.data import test_transform
    from coop_nb.toybench import _zero_shot
    for ck in checkpoints:
        model, _, tok = load_clip("toy", pretrained=ck)
        print(f"\n{ck}: zero-shot accuracy (%) on val / test; * = best on val")
        for name, cands in CANDIDATES.items():
            ds = toyworld.load_toy_dataset(name)
            acc = {}
            for split in ("val", "test"):
                items = getattr(ds, split)
                feats, labels = extract_features(model, items, test_transform(model)), torch.tensor([d.label for d in items])
                acc[split] = [100 * _zero_shot(model, tok, ds.classnames, c, feats, labels) for c in cands]
            best = max(range(len(cands)), key=lambda i: acc["val"][i])
            print(f"  {name}: " + " | ".join(f"{'*' if i == best else ''}{c!r} {acc['val'][i]:.1f}/{acc['test'][i]:.1f}"
                                            for i, c in enumerate(cands)))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    pre = sub.add_parser("pretrain", help="pretrain the variant toy CLIP")
    pre.add_argument("--out", type=Path, required=True)
    pre.add_argument("--n-pairs", type=int, default=100_000)
    pre.add_argument("--epochs", type=int, default=8)
    pr = sub.add_parser("prompts", help="candidate hand-crafted prompts on val and test")
    pr.add_argument("--checkpoint", nargs="+", default=[], help="toy CLIP checkpoints besides the shipped one")
    args = p.parse_args(argv)
    torch.set_flush_denormal(True)
    if args.command == "pretrain": pretrain(args.out, args.n_pairs, args.epochs)
    else: prompts(["default", *args.checkpoint])


if __name__ == "__main__":
    main()
