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
    r"""What the checks need from a rendered DOM: ids, links, images, math, error outputs,
    the text of every ``<pre>`` block, and the page's prose.

    Cells tagged ``raises-exception`` show an error on purpose: their errors and text are
    counted apart (``expected_errors``, ``expected_error_text``), so that any other error
    output fails the page.

    ``pre_blocks`` holds ``(where, text)`` for every ``<pre>``, intentional errors included:
    ``where`` is ``"input"`` (a code cell's source), ``"output"`` (a cell's text output or
    traceback) or ``"other"`` (a code block in the prose). ``prose`` is the visible text
    outside code, math, scripts and styles, where raw LaTeX or MyST would be a leak.
    ``mtext`` holds the text MathJax set upright in formulas (its assistive MathML), where
    a macro MathJax did not understand stays visible, such as ``\_`` inside ``\text{}``;
    ``math_errors`` counts the formulas MathJax could not typeset.
    """

    # Elements whose text is not prose: code, typeset math, and what a browser never shows.
    NOT_PROSE = frozenset({"pre", "code", "kbd", "samp", "script", "style", "noscript",
                           "template", "textarea", "title", "mjx-container", "math"})  # fmt: skip
    INVISIBLE = frozenset({"script", "style", "noscript", "template", "title"})

    def __init__(self):
        super().__init__()
        self.ids, self.links, self.images = set(), [], []
        self.math_sources = self.typeset = self.tracebacks = self.expected_errors = 0
        self.math_errors = 0
        self.text, self.expected_error_text, self.prose, self._visible = [], [], [], []
        self.pre_blocks, self.mtext = [], []
        # One entry per open <div> or <span>: (opens an intentional-error cell, opens
        # math, the cell part it opens: "input", "output" or None).
        self._divs, self._spans = [], []
        self._open = dict.fromkeys(self.NOT_PROSE | {"mtext"}, 0)
        self._pre = None  # the text of the <pre> being read

    @property
    def _in_expected_error(self):
        return any(expected for expected, _, _ in self._divs)

    def _cell_part(self):
        parts = [part for _, _, part in self._divs if part]
        return parts[-1] if parts else "other"

    def _in_math(self):
        return any(math for _, math, _ in self._divs + self._spans)

    def handle_endtag(self, tag):
        if tag == "div" and self._divs:
            self._divs.pop()
        elif tag == "span" and self._spans:
            self._spans.pop()
        elif tag in self._open and self._open[tag]:
            self._open[tag] -= 1
            if tag == "pre" and not self._open["pre"] and self._pre is not None:
                self.pre_blocks.append((self._pre_part, "".join(self._pre)))
                self._pre = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        is_math = "math" in classes and tag in ("span", "div")
        if tag in ("div", "span"):
            part = "input" if "cell_input" in classes else None
            part = "output" if "cell_output" in classes else part
            entry = ("tag_raises-exception" in classes, is_math, part)
            (self._divs if tag == "div" else self._spans).append(entry)
        elif tag in self._open:
            self._open[tag] += 1
            if tag == "pre" and self._pre is None:
                self._pre, self._pre_part = [], self._cell_part()
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])
        if tag == "mjx-container":
            self.typeset += 1
        if tag in ("mjx-merror", "merror"):
            self.math_errors += 1
        if is_math:
            self.math_sources += 1
        if "traceback" in classes or "output_error" in classes:
            if self._in_expected_error:
                self.expected_errors += 1
            else:
                self.tracebacks += 1

    def handle_data(self, data):
        if self._pre is not None:
            self._pre.append(data)
        if self._open["mtext"]:
            self.mtext.append(data)
        if self._in_expected_error:
            self.expected_error_text.append(data)
        else:
            self.text.append(data)
        if not any(self._open[tag] for tag in self.INVISIBLE):
            self._visible.append(data)
            if not any(self._open[tag] for tag in self.NOT_PROSE) and not self._in_math():
                self.prose.append(data)

    @property
    def visible_text(self):
        """All the text a reader can see, intentional errors included, as one string."""
        return "".join(self._visible)


def pages(site_dir):
    skip = {"index.html", "genindex.html", "search.html"}  # index.html only redirects
    return sorted(
        p.relative_to(site_dir).as_posix()
        for p in site_dir.rglob("*.html")
        if not p.relative_to(site_dir).parts[0].startswith("_") and p.name not in skip
    )
