"""The book's Sphinx extension on a tiny myst-nb project: the stand-in box, the ledger's Data
column, the stand-in page list and the build's closing summary.

The pages are pre-executed notebooks whose last output carries a provenance record, as
``ChapterRun.finish`` writes it; execution is off, so a build takes a second or two.
"""

import io
import json
from html.parser import HTMLParser

import pytest
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

from dlbook_utils.provenance import LEDGER_KEY
from dlbook_utils.sphinxext import (
    STANDIN_CLASS,
    STANDIN_ROW_CLASS,
    format_ledger_value,
    record_data,
    standin_box,
    standin_summary,
)

CIFAR = {
    "dataset": "cifar10",
    "why": "the real data could not be found or downloaded (offline)",
    "how_to_get": "run `make data` with internet access",
}
CONF = """
extensions = ["myst_nb", "dlbook_utils.sphinxext"]
nb_execution_mode = "off"
exclude_patterns = ["_build"]
root_doc = "index"
"""
INDEX = """# Tiny book

```{toctree}
real
standin
ledger
```
"""
LEDGER = """# Ledger

```{results-ledger}
```

```{standin-pages}
```
"""


def record(chapter, value, standins=()):
    standins = [dict(s) for s in standins]
    return {
        "chapter": chapter, "profile": "quick", "budget": "quick", "device": "cpu",
        "gpu": None, "data": "stand-in" if standins else "real", "standins": standins,
        "entries": [dict(metric="accuracy", value=value, model="MLP", params=10,
                         seconds=1.0, note="")],
    }  # fmt: skip


def notebook(title, rec):
    return {
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "cells": [
            {"cell_type": "markdown", "id": "a", "metadata": {},
             "source": f"# {title}\n\nSome text about {title}."},
            {"cell_type": "code", "id": "b", "metadata": {}, "execution_count": 1,
             "source": "run.finish();", "outputs": [{
                 "output_type": "display_data",
                 "data": {"text/markdown": "**Provenance.** executed.",
                          "text/plain": "<Markdown>"},
                 "metadata": {LEDGER_KEY: rec}}]},
        ],
    }  # fmt: skip


def build(tmp_path, standin_records):
    """Build the tiny book; return (html of each page by name, the build's status log)."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(CONF)
    (src / "index.md").write_text(INDEX)
    (src / "ledger.md").write_text(LEDGER)
    (src / "real.ipynb").write_text(
        json.dumps(notebook("Real page", record("1. Real", 0.9)))
    )
    rec = record("2. Standin", 0.1, standin_records)
    (src / "standin.ipynb").write_text(json.dumps(notebook("Standin page", rec)))
    out, status, warnings = tmp_path / "_build", io.StringIO(), io.StringIO()
    with patch_docutils(src), docutils_namespace():
        app = Sphinx(src, src, out / "html", out / "doctrees", "html", status=status,
                     warning=warnings, freshenv=True, warningiserror=True)  # fmt: skip
        app.build(force_all=True)
    assert not warnings.getvalue(), warnings.getvalue()
    pages = {p.stem: p.read_text(encoding="utf-8") for p in (out / "html").glob("*.html")}
    return pages, status.getvalue()


class Boxes(HTMLParser):
    """The stand-in boxes of a page, with their text; the ledger's rows, with their cells;
    and the tags seen between the page's <h1> and the first box."""

    def __init__(self, html):
        super().__init__()
        self.boxes, self.rows, self.after_h1 = [], [], []
        self._box_depth = self._seen_h1 = 0
        self._row = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if self._box_depth:
            self._box_depth += tag == "div"
        elif tag == "div" and STANDIN_CLASS in classes:
            self._box_depth = 1
            self.boxes.append({"classes": classes, "id": attrs.get("id"), "text": ""})
        if self._seen_h1 and not self.boxes:
            self.after_h1.append(tag)
        self._seen_h1 |= tag == "h1"
        if tag == "tr":
            self._row = {"classes": classes, "cells": []}
            self.rows.append(self._row)
        if tag in ("td", "th"):
            self._cell = ""
        if tag == "em" and self._cell is not None:
            self._cell += "<em>"

    def handle_endtag(self, tag):
        if self._box_depth and tag == "div":
            self._box_depth -= 1
        if tag in ("td", "th") and self._row is not None:
            self._row["cells"].append(self._cell.strip())
            self._cell = None

    def handle_data(self, data):
        if self._box_depth:
            self.boxes[-1]["text"] += data
        if self._cell is not None:
            self._cell += data


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build(tmp_path_factory.mktemp("standin"), [CIFAR])


def test_the_box_is_on_the_standin_page_only(built):
    pages, _ = built
    (box,) = Boxes(pages["standin"]).boxes
    assert {"admonition", "warning", STANDIN_CLASS} <= set(box["classes"])
    assert box["id"] == STANDIN_CLASS
    text = " ".join(box["text"].split())
    assert "stand-in" in text and "cifar10" in text
    assert (
        f"{CIFAR['why']}. To get the real data: run make data with internet access." in text
    )
    for name in ("real", "ledger", "index"):
        assert Boxes(pages[name]).boxes == [], f"{name} shows a stand-in box"


def test_the_box_sits_right_under_the_title(built):
    pages, _ = built
    # Between </h1> and the box only the heading's permalink (<a>) may come.
    assert set(Boxes(pages["standin"]).after_h1) <= {"a"}


def test_the_ledger_has_a_data_column_and_marks_standin_rows(built):
    pages, _ = built
    header, *rows = Boxes(pages["ledger"]).rows
    # No time column: wall-clock times on a shared machine do not compare.
    assert header["cells"] == [
        "Ch.", "Metric", "Value", "Data", "Model", "Parameters", "Profile",
    ]  # fmt: skip
    by_chapter = {row["cells"][0]: row for row in rows}
    assert set(by_chapter) == {"1", "2"}  # the chapter's number, linked to it
    real, standin = by_chapter["1"], by_chapter["2"]
    assert real["cells"][2:4] == ["90.0%", "real"]  # an accuracy, as a percentage
    assert STANDIN_ROW_CLASS not in real["classes"]
    assert standin["cells"][2:4] == ["<em>10.0% (stand-in)", "<em>stand-in"]
    assert STANDIN_ROW_CLASS in standin["classes"]


def test_the_standin_pages_directive_and_the_closing_summary(built):
    pages, status = built
    text = " ".join(pages["ledger"].split())
    assert "These pages were built on stand-in data" in text and "(cifar10)" in text
    assert "stand-in data: 1 page(s) built on stand-ins: standin (cifar10)" in status


def test_a_build_on_real_data_shows_no_box_and_says_so(tmp_path):
    pages, status = build(tmp_path, [])
    assert all(Boxes(html).boxes == [] for html in pages.values())
    assert "stand-in data: every page ran on real data" in status
    assert "Every page of this build ran on real data." in pages["ledger"]
    _, *rows = Boxes(pages["ledger"]).rows
    assert [row["cells"][3] for row in rows] == ["real", "real"]


def test_record_data_and_summary_helpers():
    assert record_data({"standins": [CIFAR]}) == "stand-in"
    assert record_data({"standins": []}) == record_data({}) == "real"
    assert standin_summary({}) == "stand-in data: every page ran on real data"
    line = standin_summary({"b": [CIFAR], "a": [CIFAR, {**CIFAR, "dataset": "imdb"}]})
    assert "2 page(s)" in line
    assert line.index("a (cifar10, imdb)") < line.index("b (cifar10)")


def test_the_box_sets_backticks_as_code_and_hides_the_home_folder(monkeypatch, tmp_path):
    monkeypatch.setattr("pathlib.Path.home", lambda: tmp_path)
    entry = {"dataset": "imdb", "why": f"nothing in {tmp_path}/cache", "how_to_get": ""}
    box = standin_box([entry])
    text = box.astext()
    assert str(tmp_path) not in text and "nothing in ~/cache" in text
    assert "make data" in text  # the default remedy
    assert [n.astext() for n in box.findall(lambda n: n.tagname == "literal")] == [
        "make data"
    ]


def test_a_cache_hit_gets_its_outputs_back_in_the_executed_notebook(tmp_path):
    """myst-nb writes a cache hit's notebook without outputs; the extension restores them."""
    import nbformat
    from jupyter_cache import get_cache

    from dlbook_utils.sphinxext import restore_cached_outputs

    def notebook(with_outputs):
        cell = nbformat.v4.new_code_cell(
            "print(1)", execution_count=1 if with_outputs else None
        )
        if with_outputs:
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
        nb = nbformat.v4.new_notebook(cells=[cell])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        return nb

    done = tmp_path / "done.ipynb"
    nbformat.write(notebook(True), done)
    cache = tmp_path / "cache"
    get_cache(str(cache)).cache_notebook_file(str(done), check_validity=False)

    written = tmp_path / "jupyter_execute" / "page.ipynb"
    written.parent.mkdir()
    nbformat.write(notebook(False), written)  # what myst-nb leaves on a cache hit
    assert restore_cached_outputs(written, cache)
    outputs = nbformat.read(written, as_version=4).cells[0].outputs
    assert outputs and outputs[0]["text"] == "1\n"
    assert not restore_cached_outputs(written, cache)  # complete now: left alone

    other = tmp_path / "jupyter_execute" / "other.ipynb"
    nb = notebook(False)
    nb.cells[0].source = "print(2)"  # code the cache has never run
    nbformat.write(nb, other)
    assert not restore_cached_outputs(other, cache)
    assert not restore_cached_outputs(tmp_path / "missing.ipynb", cache)


@pytest.mark.parametrize(
    ("metric", "value", "shown"),
    [
        ("test accuracy", 0.91349, "91.3%"),
        ("CIFAR-10 test accuracy", 1.0, "100.0%"),
        ("reversal exact match (held out)", 0.5, "50.0%"),
        ("high-quality fraction", 0.25, "25.0%"),
        ("accuracy gain (points)", 3.5, "3.5"),  # not a fraction: no percentage
        ("modes covered (of 8)", 8.0, "8"),
        ("test NLL (nats)", 2.31456, "2.31"),
        ("test loss", 0.042345, "0.0423"),
        ("Frechet distance", 123.456, "123"),
        ("throughput (images/s)", 1234.5, "1,234"),
        ("max parameter difference", 1.234e-7, "1.23×10⁻⁷"),
        ("test loss", -0.5, "-0.5"),
        ("test loss", None, "–"),
    ],
)
def test_the_ledger_formats_every_number_one_way(metric, value, shown):
    assert format_ledger_value(metric, value) == shown


def test_the_execution_table_says_ok_and_names_its_time_column():
    """myst-nb's table, as it builds it, reworded: no emoji, a time column that says what
    it times (the whole notebook)."""
    from docutils import nodes
    from myst_nb.ext.execution_tables import make_stat_table

    from dlbook_utils.sphinxext.site import reword_exec_tables

    def data(ok):
        return {"exec_data": {"mtime": 0, "method": "cache", "runtime": 12.3,
                              "succeeded": ok, "error": None}}  # fmt: skip

    doc = nodes.section()
    doc += make_stat_table(
        "book/stats", {"chapters/a": data(True), "chapters/b": data(False)}
    )
    before = doc.astext()
    assert "✅" in before and "❌" in before
    reword_exec_tables(doc)
    text = doc.astext()
    assert "✅" not in text and "❌" not in text
    assert "Notebook run time (s)" in text and "Run Time (s)" not in text
    statuses = [row[-1].astext() for row in doc.findall(nodes.row)][1:]
    assert statuses == ["ok", "failed"]
    other = nodes.section()
    other += nodes.paragraph(text="✅ outside the table")
    reword_exec_tables(other)
    assert other.astext() == "✅ outside the table"
