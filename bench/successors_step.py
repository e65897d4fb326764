"""One training step of each successor (CLIP-Adapter, Tip-Adapter-F, KgCoOp, TCP, LP++, MaPLe, PromptSRC, CLIP-LoRA)
against CoOp's, in one run.

Every method but MaPLe trains on cached image features (the library's fast path), so a step is: the method's
logits for a batch of features, the loss, backward and the optimiser step. CoOp and KgCoOp run the text encoder on
the K prompts every step; CLIP-Adapter and Tip-Adapter-F never touch the text encoder after building. MaPLe puts
prompts inside the image tower, so its step runs both towers forward and backward on a batch of images (on ViT
backbones only; its batch is the recipe's 4); so do PromptSRC (batch 4, plus frozen CLIP's features of the same
images) and CLIP-LoRA (batch 32, low-rank updates in every attention layer of both towers). LP++ takes one
full-batch step over all the training features. Each method is
built once on the same model, classes, features and labels; each figure is the median of `--repeats` timed steps
after two warm-up steps, printed with its ratio to CoOp's step measured in the same run. Tip-Adapter itself
trains nothing (its cost is one grid search, timed too). Full-size architectures with random weights (speed does
not depend on the weights); the toy CLIP with its shipped weights.

    python bench/successors_step.py                          # the toy CLIPs (ResNet, ViT) and RN50, 37 classes, 16 shots
    python bench/successors_step.py --backbones ViT-B/16 --classes 100 --device cuda
"""
import argparse, statistics, time

import torch
import torch.nn.functional as F

from coop_nb.core.clip import load_clip
from coop_nb.methods.coop import CoOp
from coop_nb.methods.maple import MaPLe, UnsupportedImageTower, vision_transformer
from coop_nb.core.recipes import CLIP_ADAPTER_RECIPE, KGCOOP_RECIPE, MAPLE_RECIPE, TIP_ADAPTER_F_RECIPE, TOY_MAPLE_DEPTH
from coop_nb.methods.successors import ClipAdapter, KgCoOp, TipAdapter, search_alpha_beta
from coop_nb.methods.tcp import TCP, tcp_prompts
from coop_nb.methods.lpp import LPPlusPlus
from coop_nb.methods.promptsrc import PromptSRC
from coop_nb.methods.lora import ClipLoRA
from coop_nb.core.recipes import CLIP_LORA_RECIPE, PROMPTSRC_RECIPE, TCP_RECIPE
from coop_nb.core.zeroshot import class_weights
from coop_nb.core.train import fit


def classnames_for(tokenizer, n):
    vocab = [w[:-4] for w in list(tokenizer.encoder)[1000:9000] if w.endswith("</w>") and w[:-4].isalpha()]
    return [vocab[(7 * i) % len(vocab)] for i in range(n)]


def time_steps(model, feats, labels, batch_size, repeats, opt):
    "Median seconds of one step (logits, loss, backward, step) over `repeats` steps after 2 warm-up steps; `feats` may be images."
    loss_fn = getattr(model, "loss", F.cross_entropy)
    times = []
    for i in range(repeats + 2):
        idx = torch.randint(0, len(labels), (batch_size,), generator=torch.Generator().manual_seed(i))
        t0 = time.perf_counter()
        loss = loss_fn(model.logits(feats[idx]), labels[idx])
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step()
        if feats.is_cuda: torch.cuda.synchronize()
        if i >= 2: times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--backbones", nargs="+", default=["toy", "toy-vit", "RN50"])
    p.add_argument("--classes", type=int, default=37)
    p.add_argument("--shots", type=int, default=16)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    device = torch.device(a.device)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, {a.device}; {a.classes} classes, {a.shots} shots")
    for backbone in a.backbones:
        torch.manual_seed(0)
        clip_model, _, tok = load_clip(backbone, pretrained="default" if backbone.startswith("toy") else None, device=device)
        names = classnames_for(tok, a.classes)
        n = a.classes * a.shots
        g = torch.Generator().manual_seed(1)
        dim = clip_model.visual.output_dim
        feats = F.normalize(torch.randn(n, dim, generator=g), dim=-1).to(device)
        labels = torch.arange(a.classes).repeat_interleave(a.shots).to(device)
        models = {
            "CoOp": (CoOp(clip_model, tok, names, n_ctx=16).to(device), 32, "sgd"),
            "CLIP-Adapter": (ClipAdapter(clip_model, tok, names).to(device), CLIP_ADAPTER_RECIPE["batch_size"], "sgd"),
            "Tip-Adapter-F": (TipAdapter(clip_model, tok, names, "a photo of a {}.", feats.cpu(), labels.cpu(), fine_tune=True).to(device),
                              TIP_ADAPTER_F_RECIPE["batch_size"], "adamw"),
            "KgCoOp": (KgCoOp(clip_model, tok, names, n_ctx=KGCOOP_RECIPE["n_ctx"], ctx_init=KGCOOP_RECIPE["ctx_init"]).to(device), KGCOOP_RECIPE["batch_size"], "sgd"),
            "TCP": (TCP(clip_model, tok, names, tcp_prompts("", "a photo of a {}.")).to(device), TCP_RECIPE["batch_size"], "adam"),
            "LP++": (LPPlusPlus(names, class_weights(clip_model, tok, names)).to(device), n, "sgd"),
        }
        on_images = {}
        try:   # MaPLe on a ViT: images in, both towers every step
            vision_transformer(clip_model)
            size = clip_model.visual.image_size[0]
            depth = TOY_MAPLE_DEPTH if backbone == "toy-vit" else MAPLE_RECIPE["depth"]
            models["MaPLe"] = (MaPLe(clip_model, tok, names, depth=depth).to(device), MAPLE_RECIPE["batch_size"], "sgd")
            depth_src = TOY_MAPLE_DEPTH if backbone == "toy-vit" else PROMPTSRC_RECIPE["depth"]["base-to-new"]
            models["PromptSRC"] = (PromptSRC(clip_model, tok, names, depth=depth_src).to(device), PROMPTSRC_RECIPE["batch_size"], "sgd")
            models["CLIP-LoRA"] = (ClipLoRA(clip_model, tok, names).to(device), CLIP_LORA_RECIPE["batch_size"], "adamw")
            on_images = {"MaPLe", "PromptSRC", "CLIP-LoRA"}
            images = torch.randn(CLIP_LORA_RECIPE["batch_size"] * 2, 3, size, size, generator=g).to(device)
        except UnsupportedImageTower: images = None
        print(f"\n{backbone}: seconds per training step (median of {a.repeats}), ratio to CoOp's")
        base = None
        for name, (model, bs, kind) in models.items():
            params = [q for q in model.parameters() if q.requires_grad]
            opt = (torch.optim.AdamW(params, lr=1e-3, eps=1e-4) if kind == "adamw" else
                   torch.optim.Adam(params, lr=2e-3, eps=1e-3) if kind == "adam" else torch.optim.SGD(params, lr=2e-3, momentum=0.9))
            model.train()
            x, y = (images, labels[: len(images)]) if name in on_images else (feats, labels)
            s = time_steps(model, x, y, bs, a.repeats, opt)
            base = base or s
            per_image = s / bs
            print(f"  {name:14s} batch {bs:3d}: {s * 1e3:8.2f} ms/step, {per_image * 1e3:7.3f} ms/image   {s / base:6.2f}× CoOp's step, "
                  f"{per_image / (base / 32):6.2f}× CoOp's per image; {sum(q.numel() for q in params):,} trained numbers")
        tip = models["Tip-Adapter-F"][0]
        t0 = time.perf_counter(); search_alpha_beta(tip, feats[: 4 * a.classes], labels[: 4 * a.classes]); t = time.perf_counter() - t0
        print(f"  Tip-Adapter (training-free): its α–β grid search on {4 * a.classes} validation features took {t:.2f} s "
              f"({t / base:.1f} CoOp steps)")


if __name__ == "__main__":
    main()
