"""Screenshots of the rendered site, page by page, to look at what a reader sees (headless Chromium).

    nbdev_docs                                             # renders the site into _docs/
    python tools/screenshots.py shots/                     # one PNG per sidebar page, in reading order
    python tools/screenshots.py shots/ --pages coop toybench --height 6000
    python tools/screenshots.py shots/ --mathjax node_modules/mathjax/es5/tex-mml-chtml.js   # `npm install mathjax@3`

The pages load MathJax from a CDN; offline, `--mathjax` points them at a local copy (in a temporary copy of the
site, never in _docs/) so that the equations are typeset. Needs `chromium` on PATH (Debian: apt-get install chromium).
"""
import argparse, re, shutil, subprocess, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def sidebar_pages() -> list[str]:
    "The site's pages in the sidebar's order, as html file names (Quarto drops the number prefix)."
    names = re.findall(r"^\s*-\s*(\S+\.ipynb)\s*$", (ROOT / "_quarto.yml").read_text(), re.M)
    return [re.sub(r"^\d+_", "", n).replace(".ipynb", ".html") for n in names]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="folder for the PNGs (created; existing files of the same names are replaced)")
    p.add_argument("--pages", nargs="*", help="page names without .html [every sidebar page]")
    p.add_argument("--site", type=Path, default=ROOT / "_docs", help="the rendered site [_docs]")
    p.add_argument("--width", type=int, default=1200)
    p.add_argument("--height", type=int, default=4000)
    p.add_argument("--mathjax", type=Path, help="a local tex-mml-chtml.js to typeset the equations offline")
    a = p.parse_args()
    if not (a.site / "index.html").exists(): p.error(f"{a.site} holds no rendered site; run nbdev_docs first")
    if not shutil.which("chromium"): p.error("chromium is not on PATH (Debian: apt-get install chromium)")
    pages = [f"{n}.html" for n in a.pages] if a.pages else sidebar_pages()
    a.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(a.site, site)
        if a.mathjax:
            shutil.copy(a.mathjax, site / "mathjax.js")
            for page in site.glob("*.html"):
                page.write_text(re.sub(r'src="https://cdn\.jsdelivr\.net/npm/mathjax@3[^"]*"', 'src="mathjax.js"', page.read_text()))
        for name in pages:
            png = a.out / name.replace(".html", ".png")
            subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--disable-component-update", "--no-first-run", "--hide-scrollbars", f"--user-data-dir={tmp}/profile",
                            "--virtual-time-budget=8000", f"--window-size={a.width},{a.height}", f"--screenshot={png}",
                            (site / name).as_uri()], check=True, capture_output=True)
            print(png)


if __name__ == "__main__":
    main()
