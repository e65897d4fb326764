"""Score candidate hand-crafted prompts for each toy benchmark dataset on validation and test.

A prompt engineer chooses a prompt on held-out data, not on the test set. This script does that for a toy
CLIP checkpoint (the shipped one by default): every candidate phrasing below, zero-shot, on the dataset's
validation and test splits, with the one best on validation marked. Use it to check that the hand-crafted
prompts of `TOY_DATASETS` are not a weak rival before reading a CoOp win as a prompt-learning result.

    python dev/toy_prompts.py                              # the shipped toy CLIP
    python dev/toy_prompts.py --checkpoint my_toy.pt other.pt

The candidates were fixed before the current toy CLIP was trained: the shipped prompt first, then phrasings
of the captions of the previous toy world, and the generic "a photo of a {}.".
"""
import argparse

import torch

from coop_nb.clip import load_clip
from coop_nb.coop import extract_features
from coop_nb.data import test_transform
from coop_nb.toybench import _zero_shot
from coop_nb.toyworld import TOY_BENCHMARK, TOY_TEMPLATES, load_toy_dataset

_BACKGROUND = ["{} background.", "a {} background.", "a photo with a {} background.", "{} background, with a shape."]
CANDIDATES = {
    "ToyShapes": ["a {}.", "this is a {}.", "there is a {} in this photo.", "a picture of a {}."],
    "ToyTextures": _BACKGROUND,
    "ToyColours": ["something {}.", "a {} object.", "a {} thing.", "a {} shape on a background.", "a {}."],
    "ToyBackgroundColours": _BACKGROUND,
}


def candidates(name: str) -> list[str]:
    "The shipped hand-crafted prompt, the other candidates, and the generic prompt, without repeats."
    return list(dict.fromkeys([TOY_TEMPLATES[name], *CANDIDATES[name], "a photo of a {}."]))


def score_prompts(checkpoint="default") -> dict:
    "{dataset: [(prompt, val accuracy, test accuracy)]} in %, for every candidate."
    model, _, tokenizer = load_clip("toy", pretrained=checkpoint)
    out = {}
    for name in TOY_BENCHMARK:
        ds, cands, acc = load_toy_dataset(name), candidates(name), {}
        for split in ("val", "test"):
            items = getattr(ds, split)
            feats, labels = extract_features(model, items, test_transform(model)), torch.tensor([d.label for d in items])
            acc[split] = [100 * _zero_shot(model, tokenizer, ds.classnames, c, feats, labels) for c in cands]
        out[name] = list(zip(cands, acc["val"], acc["test"]))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", nargs="+", default=["default"], help="toy CLIP checkpoints [the shipped one]")
    args = p.parse_args(argv)
    for ck in args.checkpoint:
        scores = score_prompts(ck)
        print(f"\n{ck}: zero-shot accuracy (%) on val / test; * = best on val, shipped prompt first")
        chosen_test, shipped_test = [], []
        for name, rows in scores.items():
            best = max(range(len(rows)), key=lambda i: rows[i][1])   # ties: the earlier candidate, the shipped one first
            chosen_test.append(rows[best][2]); shipped_test.append(rows[0][2])
            print(f"  {name}: " + " | ".join(f"{'*' if i == best else ''}{c!r} {v:.1f}/{t:.1f}" for i, (c, v, t) in enumerate(rows)))
        print(f"  test average: shipped prompts {sum(shipped_test) / len(shipped_test):.1f}, "
              f"prompts chosen on validation {sum(chosen_test) / len(chosen_test):.1f}")


if __name__ == "__main__":
    main()
