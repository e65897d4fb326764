"""Checks of the rendered site in _docs/ (run after `nbdev_docs`).

- every page of the sidebar in _quarto.yml was rendered to HTML;
- every lesson page (the sidebar's "Lessons" section) shows saved outputs and at least one figure;
- every internal link (href/src to a local file) resolves to a file of the site, anchors included;
- no page refers the reader to output that is not there ("printed above", "shown above", ...);
- no page shows a Python traceback.
"""
import re, sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import yaml

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "_docs"
DANGLING = re.compile(r"\b(printed|shown|displayed) (above|below)\b", re.I)


class Page(HTMLParser):
    "What the checks need from one HTML page: links, ids, images, output cells and the visible text."
    def __init__(self, path: Path):
        super().__init__()
        self.links, self.ids, self.images, self.outputs, self.text = [], set(), 0, 0, []
        self._skip = 0
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs: self.ids.add(attrs["id"])
        if tag in ("script", "style"): self._skip += 1
        if tag == "a" and attrs.get("href"): self.links.append(attrs["href"])
        if tag in ("img", "script", "link") and (attrs.get("src") or (tag == "link" and attrs.get("href"))):
            self.links.append(attrs.get("src") or attrs["href"])
        if tag == "img" and not urlparse(attrs.get("src", "")).scheme.startswith("http"):   # a figure, not a badge
            self.images += 1
        if tag == "div" and "cell-output" in attrs.get("class", "").split(): self.outputs += 1

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip: self._skip -= 1

    def handle_data(self, data):
        if not self._skip: self.text.append(data)


def sidebar(node, section=None):
    "(page, section title) for every page in the sidebar, in order."
    if isinstance(node, str): yield node, section
    elif isinstance(node, list):
        for item in node: yield from sidebar(item, section)
    elif isinstance(node, dict):
        if "contents" in node: yield from sidebar(node["contents"], node.get("section", section))
        elif "href" in node: yield node["href"], section


def html_for(page: str) -> Path:
    "The rendered file of a notebook: Quarto drops a leading number (`03_coop.ipynb` -> `coop.html`)."
    return SITE / (re.sub(r"^\d+_", "", Path(page).stem) + ".html")


def check() -> list[str]:
    if not SITE.is_dir(): return [f"{SITE} does not exist: run nbdev_docs first"]
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text())
    problems, pages = [], list(sidebar(config["website"]["sidebar"]["contents"]))
    parsed = {}
    for page, section in pages:
        path = html_for(page)
        if not path.exists():
            problems.append(f"{page} was not rendered (no {path.relative_to(ROOT)})"); continue
        parsed[path] = doc = Page(path)
        text = " ".join(doc.text)
        if section == "Lessons":
            if doc.outputs == 0: problems.append(f"{path.name}: a lesson page with no outputs")
            if doc.images == 0: problems.append(f"{path.name}: a lesson page with no figure")
        for m in DANGLING.finditer(text):
            problems.append(f"{path.name}: refers to output '{m.group(0)}'; say what the output shows instead")
        if "Traceback (most recent call last)" in text: problems.append(f"{path.name}: shows a Python traceback")
    for path, doc in parsed.items():
        for link in doc.links:
            url = urlparse(link)
            if url.scheme or link.startswith(("//", "mailto:")): continue
            target = path if not url.path else (path.parent / unquote(url.path)).resolve()
            if target.is_dir(): target = target / "index.html"
            if not target.exists():
                problems.append(f"{path.name}: broken link {link}"); continue
            if url.fragment and target.suffix == ".html":
                ids = parsed[target].ids if target in parsed else Page(target).ids
                if url.fragment not in ids: problems.append(f"{path.name}: link {link} names a missing anchor")
    return problems


if __name__ == "__main__":
    problems = check()
    if problems:
        print("\n".join(problems))
        sys.exit(f"rendered-site check: {len(problems)} problem(s)")
    print(f"rendered-site check: every page rendered, lessons with outputs and figures, links resolve")
