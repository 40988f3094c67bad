"""Collect the book's MyST chapters as nbval notebooks, straight from their ``.md`` sources.

nbval only collects ``.ipynb`` files and jupytext has no pytest plugin. Here each ``.md``
with a kernelspec is read by jupytext in memory and handed to nbval, so no notebook is
written to disk, each chapter gets a fresh kernel, and test ids point at the ``.md``.
Run with ``pytest --nbval-lax chapters`` (see the Makefile).
"""

from types import SimpleNamespace

import jupytext
import nbval.plugin


class MystNotebookFile(nbval.plugin.IPyNbFile):
    """nbval's notebook collector, reading the notebook from a MyST markdown file."""

    def collect(self):
        notebook = jupytext.read(self.path)
        # IPyNbFile.collect() loads its notebook with `nbformat.read(path)`; hand it ours.
        reader = SimpleNamespace(read=lambda *args, **kwargs: notebook)
        original, nbval.plugin.nbformat = nbval.plugin.nbformat, reader
        try:
            cells = list(super().collect())
        finally:
            nbval.plugin.nbformat = original
        yield from cells


def _is_chapter(file_path):
    if file_path.suffix != ".md" or file_path.parent.name not in ("chapters", "book"):
        return False
    return "kernelspec:" in file_path.read_text(encoding="utf-8")[:1000]


def pytest_collect_file(file_path, parent):
    option = parent.config.option
    if (option.nbval or option.nbval_lax) and _is_chapter(file_path):
        return MystNotebookFile.from_parent(parent, path=file_path)
    return None
