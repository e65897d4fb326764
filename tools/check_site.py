"""Offline checks of the documentation site's input (run after `nbdev_proc_nbs`).

- every page named in the sidebar of _quarto.yml exists in nbs/;
- every notebook in nbs/ is in the sidebar;
- every relative link between pages resolves to an existing notebook;
- every exported function and class (each module's __all__) has a docstring;
- no saved notebook output holds an error or a traceback;
- no cell mixes imports with other code (nbdev runs every cell with an import while it renders the site, so such a
  cell would do its work, or fail, during `nbdev_docs`; the install cell is the one exception).
"""
import importlib, inspect, json, re, sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
problems = []


def sidebar_pages(node):
    if isinstance(node, str): yield node
    elif isinstance(node, dict):
        for key in ("contents", "href"):
            if key in node: yield from sidebar_pages(node[key])
    elif isinstance(node, list):
        for item in node: yield from sidebar_pages(item)


config = yaml.safe_load((ROOT / "_quarto.yml").read_text())
pages = list(sidebar_pages(config["website"]["sidebar"]["contents"]))
for page in pages:
    if not (NBS / page).exists(): problems.append(f"sidebar names {page}, which is not in nbs/")
for nb in sorted(NBS.glob("*.ipynb")):
    if nb.name not in pages: problems.append(f"{nb.name} is not in the sidebar of _quarto.yml")

link = re.compile(r"\]\(([^)#\s]+\.ipynb)(#[^)]*)?\)")
for nb in sorted(NBS.glob("*.ipynb")):
    cells = json.loads(nb.read_text())["cells"]
    for cell in cells:
        src = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            for target, _ in link.findall(src):
                if not target.startswith("http") and not (NBS / target).exists():
                    problems.append(f"{nb.name}: link to {target}, which does not exist")
        for out in cell.get("outputs", []):
            text = json.dumps(out)
            if out.get("output_type") == "error" or "Traceback (most recent call last)" in text:
                problems.append(f"{nb.name}: a saved output holds an error or traceback")

import_line = re.compile(r"(import |from \S+ import )")
for nb in sorted(NBS.glob("*.ipynb")):
    for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
        src = "".join(cell["source"])
        if cell["cell_type"] != "code" or src.startswith("#| export") or "importlib.util.find_spec" in src: continue
        code = [l for l in src.splitlines() if l.strip() and not l.startswith("#")]
        imports = [l for l in code if import_line.match(l)]
        if imports and len(imports) < len(code):
            problems.append(f"{nb.name}: cell {i} mixes imports with other code ({imports[0]!r}); put the imports in a cell of their own")

sys.path.insert(0, str(ROOT))
for module_file in sorted((ROOT / "coop_nb").glob("*.py")):
    if module_file.name.startswith("_"): continue
    module = importlib.import_module(f"coop_nb.{module_file.stem}")
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__ and not inspect.getdoc(obj):
            problems.append(f"coop_nb.{module_file.stem}.{name} has no docstring")

if problems:
    print("\n".join(problems))
    sys.exit(f"site check: {len(problems)} problem(s)")
print(f"site check: {len(pages)} pages in the sidebar, links, docstrings and outputs fine")
