"""Run lessons and save their outputs (the site shows saved outputs), or check that the saved outputs are current.

    python tools/execute_notebooks.py nbs/03_coop.ipynb      # run it, keep its outputs (flagged cells keep theirs)
    python tools/execute_notebooks.py                        # every notebook
    python tools/execute_notebooks.py --check                # CI: every cell's saved output came from its current code
    python tools/execute_notebooks.py nbs/07_toybench.ipynb --cells 07b00006   # also run one flagged cell

Cells carrying a test flag of settings.ini (`pretrained`, `slow`, `gpu`) are not run; their saved outputs are kept
as long as their code has not changed since those outputs were made (run them by hand with `--flags slow`).
Each executed cell's code is fingerprinted in the notebook's metadata (`coop_nb.executed`, kept by nbdev_clean),
which is what `--check` compares: a cell whose code changed after its outputs were saved is stale.
"""
import argparse, configparser, hashlib, json, os, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"


def flags_in_settings() -> set[str]:
    cfg = configparser.ConfigParser(); cfg.read(ROOT / "settings.ini")
    return set(cfg["DEFAULT"].get("tst_flags", "").split())


def fingerprint(source: str) -> str:
    return hashlib.sha1(source.encode()).hexdigest()[:12]


def directives(source: str) -> set[str]:
    "The `#| flag` words on a cell's leading lines."
    out = set()
    for line in source.splitlines():
        if not line.startswith("#|"): break
        out |= set(line[2:].replace(":", " ").split()[:1])
    return out


def execute(path: Path, run_flags: set[str], run_ids: set[str] = frozenset()) -> float:
    from execnb.nbio import read_nb, write_nb
    from execnb.shell import CaptureShell
    skip = flags_in_settings() - run_flags
    nb = read_nb(path)
    stamps = dict(nb.metadata.get("coop_nb", {}).get("executed", {}))
    kept = {c.id: (c.get("outputs", []), stamps.get(c.id)) for c in nb.cells if c.cell_type == "code"}
    skipped = lambda c: c.cell_type != "code" or (bool(directives(c.source) & skip) and c.id not in run_ids)
    for c in nb.cells:   # execnb keeps a cell's old outputs when the new run prints nothing: start every run cell empty
        if not skipped(c): c.outputs = []
    shell, t0 = CaptureShell(path, mpl_format="png"), time.time()
    cwd = os.getcwd(); os.chdir(path.parent)
    try: shell.run_all(nb, exc_stop=True, preproc=skipped)
    except Exception:
        sys.stderr.write(shell.prettytb(fname=path) + "\n"); raise SystemExit(f"{path.name}: a cell failed; nothing was saved")
    finally: os.chdir(cwd)
    new_stamps = {}
    for c in nb.cells:
        if c.cell_type != "code": continue
        if skipped(c):   # not run: keep what it had, if it still belongs to this code
            outputs, stamp = kept.get(c.id, ([], None))
            c.outputs = outputs if stamp == fingerprint(c.source) else []
            if c.outputs: new_stamps[c.id] = stamp
        else: new_stamps[c.id] = fingerprint(c.source)
        c.execution_count = None
    nb.metadata["coop_nb"] = {"executed": new_stamps}
    write_nb(nb, path)
    return time.time() - t0


def check(paths) -> list[str]:
    problems, skip = [], flags_in_settings()
    for path in paths:
        nb = json.loads(path.read_text())
        stamps = nb.get("metadata", {}).get("coop_nb", {}).get("executed", {})
        for i, c in enumerate(nb["cells"]):
            if c["cell_type"] != "code": continue
            src, flagged = "".join(c["source"]), bool(directives("".join(c["source"])) & skip)
            if flagged and not c.get("outputs"): continue       # a flagged cell need not have been run
            if stamps.get(c.get("id")) != fingerprint(src):
                problems.append(f"{path.name}: cell {i} ({src.splitlines()[0][:50] if src else 'empty'}…) has "
                                f"{'outputs from other code' if c.get('id') in stamps else 'not been executed'}; "
                                f"run python tools/execute_notebooks.py nbs/{path.name}")
            for out in c.get("outputs", []):
                if out.get("output_type") == "error": problems.append(f"{path.name}: cell {i} saved an error")
    return problems


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("notebooks", nargs="*", type=Path, help="notebooks [every one in nbs/]")
    p.add_argument("--check", action="store_true", help="only check that every notebook's saved outputs are current")
    p.add_argument("--flags", nargs="*", default=[], help="also run the cells with these flags (e.g. slow)")
    p.add_argument("--cells", nargs="*", default=[], help="also run these flagged cells (by cell id); the others keep their outputs")
    args = p.parse_args()
    unknown = set(args.flags) - flags_in_settings()   # `--flags slow nbs/x.ipynb` would read the notebook as a flag
    if unknown: p.error(f"unknown flag(s) {sorted(unknown)}; the flags are {sorted(flags_in_settings())}; put notebooks before --flags")
    paths = [Path(n).resolve() for n in args.notebooks] or sorted(NBS.glob("*.ipynb"))
    if args.check:
        problems = check(paths)
        if problems: print("\n".join(problems)); sys.exit(f"{len(problems)} notebook cell(s) with stale or missing outputs")
        print(f"saved outputs current in {len(paths)} notebooks")
    else:
        for path in paths: print(f"{path.name}: executed in {execute(path, set(args.flags), set(args.cells)):.0f}s", flush=True)
