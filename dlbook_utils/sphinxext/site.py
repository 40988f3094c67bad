"""How the built site looks and behaves, apart from the ledger and the stand-in boxes.

- MathJax 3 served from the site itself (the ``django-static-mathjax`` package), so math
  renders with no internet, for readers and for the browser test alike.
- The book's stylesheet (``static/dlbook.css``).
- Exercises numbered per chapter (8.1, 8.2, ...).
- Cached rebuilds keep their outputs in ``jupyter_execute`` (a myst-nb 1.4 bug, see
  :func:`restore_cached_outputs`).
- The execution-statistics table says "ok" and "failed" where myst-nb writes ✅ and ❌,
  which a browser without an emoji font draws as empty boxes, and names its time column
  for what it measures (:class:`ExecTableWords`).
"""

import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging

__all__ = [
    "MATHJAX_PATH", "restore_cached_outputs", "ExecTableWords", "EXEC_TABLE_WORDS",
    "reword_exec_tables",
]  # fmt: skip

logger = logging.getLogger(__name__)

MATHJAX_PATH = "mathjax/tex-chtml.js"  # relative to _static
# What tex-chtml.js loads at run time; the speech engine (sre) and other bundles stay out.
_MATHJAX_PARTS = ("tex-chtml.js", "input", "output/chtml", "ui", "a11y", "adaptors")


def _mathjax_source():
    try:
        import mathjax  # the django-static-mathjax distribution
    except ImportError:
        return None
    return Path(mathjax.__file__).parent / "static" / "mathjax" / "es5"


def _copy_mathjax(app, exception):
    if exception or app.builder.format != "html":
        return
    source = _mathjax_source()
    if source is None:
        logger.warning(
            "django-static-mathjax is not installed: math will not render offline"
        )
        return
    target = Path(app.outdir) / "_static" / "mathjax"
    for part in _MATHJAX_PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


def restore_cached_outputs(executed, cache_path):
    """Put a cache hit's outputs back into the executed notebook file ``executed``.

    With ``execute_notebooks: cache``, myst-nb 1.4 renders a cache hit with its outputs but
    writes the notebook it read, without them, to ``jupyter_execute``. The download button,
    the results ledger and the stand-in box read that file, so it is rewritten from the
    same cache. Returns True when the file was rewritten.
    """
    import nbformat
    from jupyter_cache import get_cache

    executed = Path(executed)
    if not executed.exists() or not Path(cache_path).is_dir():
        return False
    notebook = nbformat.read(executed, as_version=4)
    if any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"):
        return False  # executed in this build: the file is complete
    try:
        _, merged = get_cache(str(cache_path)).merge_match_into_notebook(notebook)
    except KeyError:  # no cached execution of this code
        return False
    nbformat.write(merged, executed)
    return True


def _restore_cached_outputs(app, doctree):
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{app.env.docname}.ipynb"
    config = getattr(app.env, "mystnb_config", None)  # myst-nb's resolved settings
    cache_path = getattr(config, "execution_cache_path", "")
    if cache_path:
        restore_cached_outputs(executed, cache_path)


def _add_static(app, config):
    """Serve the book's stylesheet (``dlbook_utils/static``) with the site."""
    config.html_static_path.append(str(Path(__file__).parent / "static"))


_CHAPTER_FILE = re.compile(r"chapters/(\d+)_")


def _number_exercises_by_chapter(app, env):
    """Number exercises per chapter, 8.1, 8.2, ...: sphinx-exercise numbers them through the
    whole book. Runs after Sphinx assigns its numbers; chapter files are named NN_slug."""
    for docname, numbers in env.toc_fignumbers.items():
        match = _CHAPTER_FILE.match(docname)
        if not match or "exercise" not in numbers:
            continue
        chapter = int(match.group(1))
        in_order = sorted(numbers["exercise"], key=numbers["exercise"].get)
        numbers["exercise"] = {ids: (chapter, k) for k, ids in enumerate(in_order, 1)}
    return []


# myst-nb's words and marks in its execution table -> the book's.
EXEC_TABLE_WORDS = {
    "✅": "ok",
    "❌": "failed",
    "Run Time (s)": "Notebook run time (s)",
}


class ExecTableWords(SphinxPostTransform):
    """Rewrite myst-nb's execution-statistics table with :data:`EXEC_TABLE_WORDS`."""

    default_priority = 20  # after myst-nb has built the table (8) and links resolved (10)

    def run(self, **kwargs):
        reword_exec_tables(self.document)


def reword_exec_tables(doctree):
    """Apply :data:`EXEC_TABLE_WORDS` to every execution-statistics table in ``doctree``."""
    for table in doctree.findall(nodes.table):
        header = [entry.astext() for entry in table.findall(nodes.entry)][:5]
        if "Run Time (s)" not in header:
            continue
        for text in list(table.findall(nodes.Text)):
            word = EXEC_TABLE_WORDS.get(text.astext().strip())
            if word is not None:
                text.parent.replace(text, nodes.Text(word))
