"""Offline checks of the documentation site's input (run before `nbdev_proc_nbs`, which would run the cells it warns of).

- every page named in the sidebar of _quarto.yml exists in nbs/;
- every notebook in nbs/ is in the sidebar;
- every relative link between pages resolves to an existing notebook, and Previous/Next links follow the sidebar;
- every exported function and class (each module's __all__) has a docstring;
- no saved notebook output holds an error or a traceback;
- no cell mixes imports with other code, and no flagged cell (`#| pretrained`, `slow`, `gpu`) imports anything: nbdev
  runs every cell with an import while it renders the site, so such a cell would do its work, or fail, during
  `nbdev_docs` (the install cell is the one exception: it does nothing where coop_nb is installed).
"""
import ast, configparser, importlib, inspect, json, re, sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
NBS = ROOT / "nbs"
problems = []
_settings = configparser.ConfigParser(); _settings.read(ROOT / "settings.ini")
TEST_FLAGS = set(_settings["DEFAULT"]["tst_flags"].split())


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

# Previous/Next links follow the sidebar's reading order
order = [p for p in pages if p.endswith(".ipynb")]
for i, page in enumerate(order):
    text = "".join("".join(c["source"]) for c in json.loads((NBS / page).read_text())["cells"] if c["cell_type"] == "markdown")
    for word, step in (("Previous", -1), ("Next", 1)):
        m = re.search(rf"\*\*{word}:\*\* \[[^\]]*\]\(([^)]+)\)", text)
        j = i + step
        if m and not (0 <= j < len(order) and m.group(1) == order[j]):
            problems.append(f"{page}: its {word} link goes to {m.group(1)}, but the sidebar puts {order[j] if 0 <= j < len(order) else 'nothing'} there")


def parsed(src: str):
    "The cell's Python (IPython magics and shell lines dropped), or None where it does not parse."
    try: return ast.parse("\n".join(l for l in src.splitlines() if not l.lstrip().startswith(("%", "!"))))
    except SyntaxError: return None


def has(tree, types) -> bool: return any(isinstance(node, types) for node in ast.walk(tree))


for nb in sorted(NBS.glob("*.ipynb")):
    for i, cell in enumerate(json.loads(nb.read_text())["cells"]):
        src = "".join(cell["source"])
        if cell["cell_type"] != "code" or src.startswith(("#| export", "#| exports", "#| exporti")): continue
        tree = parsed(src)
        if tree is None or not has(tree, (ast.Import, ast.ImportFrom)): continue
        # nbdev's exec_show_docs runs this cell during nbdev_proc_nbs/nbdev_docs, as nbdev decides: any import anywhere
        flags = sorted(set(re.findall(r"^#\|\s*(\w+)", src, re.M)) & TEST_FLAGS)
        if flags:
            problems.append(f"{nb.name}: cell {i} (#| {flags[0]}) imports, so nbdev_docs would run it; move its imports to an unflagged cell")
        elif "importlib.util.find_spec" not in src and has(tree, (ast.Expr, ast.Assign)):
            problems.append(f"{nb.name}: cell {i} mixes imports with other code; put the imports in a cell of their own")

sys.path.insert(0, str(ROOT))
for module_file in sorted((ROOT / "coop_nb").rglob("*.py")):
    if module_file.name.startswith("_"): continue
    module_name = ".".join(module_file.relative_to(ROOT).with_suffix("").parts)
    module = importlib.import_module(module_name)
    for name in getattr(module, "__all__", []):
        obj = getattr(module, name)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == module.__name__ and not inspect.getdoc(obj):
            problems.append(f"{module_name}.{name} has no docstring")

if problems:
    print("\n".join(problems))
    sys.exit(f"site check: {len(problems)} problem(s)")
print(f"site check: {len(pages)} pages in the sidebar, links, docstrings and outputs fine")
