"""What the browser tests share: running headless Chromium, and :class:`Page`, a parsed DOM."""

import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--hide-scrollbars",
]  # fmt: skip


def run_chromium(chromium, *args, timeout=90):
    with tempfile.TemporaryDirectory() as profile:
        cmd = [chromium, *FLAGS, f"--user-data-dir={profile}", *args]
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, check=True
        )


class Page(HTMLParser):
    """What the checks need from a rendered DOM: ids, links, images, math, error outputs.

    Cells tagged ``raises-exception`` show an error on purpose: their errors and text are
    counted apart (``expected_errors``), so that any other error output fails the page.
    """

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.images = set(), [], []
        self.math_sources = self.typeset = self.tracebacks = self.expected_errors = 0
        self.text = []
        self._divs = []  # for each open <div>: does it open an intentional-error cell?

    @property
    def _in_expected_error(self):
        return any(self._divs)

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            self._divs.pop()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "div":
            self._divs.append("tag_raises-exception" in classes)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        if tag == "mjx-container":
            self.typeset += 1
        if "math" in classes and tag in ("span", "div"):
            self.math_sources += 1
        if "traceback" in classes or "output_error" in classes:
            if self._in_expected_error:
                self.expected_errors += 1
            else:
                self.tracebacks += 1

    def handle_data(self, data):
        if not self._in_expected_error:
            self.text.append(data)


def pages(site_dir):
    skip = {"index.html", "genindex.html", "search.html"}  # index.html only redirects
    return sorted(
        p.relative_to(site_dir).as_posix()
        for p in site_dir.rglob("*.html")
        if not p.relative_to(site_dir).parts[0].startswith("_") and p.name not in skip
    )
