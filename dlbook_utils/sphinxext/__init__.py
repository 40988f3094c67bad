"""The book's Sphinx extension (listed in ``_config.yml``).

- The site's MathJax, stylesheet, exercise numbers and cached outputs: see
  :mod:`dlbook_utils.sphinxext.site`.
- ``{results-ledger}``: a table of every headline number recorded by the executed chapters
  (see :mod:`dlbook_utils.provenance`), read from the executed notebooks of this build, in
  one format (:func:`format_ledger_value`).
- ``{build-machine}``: a sentence naming the machine, profile and date of this build.
- Stand-in data: a warning box (class ``dlbook-standin``) at the top of every page whose
  executed notebook's provenance record lists stand-ins, naming each dataset, why, and how
  to get it; ``{standin-pages}`` lists those pages; the build ends with an INFO summary.
"""

import json
import posixpath
from datetime import UTC, datetime
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..profile import get_profile
from ..provenance import LEDGER_KEY, machine_summary
from .site import (
    MATHJAX_PATH,
    ExecTableWords,
    _add_static,
    _copy_mathjax,
    _number_exercises_by_chapter,
    _restore_cached_outputs,
    restore_cached_outputs,
)

__all__ = [
    "ledger_records", "notebook_records", "record_standins", "record_data",
    "format_ledger_value", "make_ledger_table", "standin_box", "standin_summary",
    "restore_cached_outputs", "MATHJAX_PATH", "setup",
]  # fmt: skip

logger = logging.getLogger(__name__)

# The stand-in box's CSS class and id, and the class of a stand-in row of the ledger.
STANDIN_CLASS = "dlbook-standin"
STANDIN_ROW_CLASS = "dlbook-standin-row"
DEFAULT_REMEDY = "run `make data` where the internet can be reached, then rebuild the book"


class LedgerNode(nodes.General, nodes.Element):
    """Placeholder replaced by the ledger table once every chapter has executed."""


class ResultsLedger(SphinxDirective):
    def run(self):
        self.env.dlbook_ledger_docs = getattr(self.env, "dlbook_ledger_docs", set())
        self.env.dlbook_ledger_docs.add(self.env.docname)
        return [LedgerNode()]


class BuildMachine(SphinxDirective):
    def run(self):
        date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        text = f"This build ran in the {get_profile()} profile on {machine_summary()}, on {date}."
        return [nodes.paragraph(text=text)]


def notebook_records(path, docname):
    """The provenance records in one executed notebook, each tagged with ``docname``."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    records = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get(LEDGER_KEY)
            if record:
                records.append({**record, "docname": docname})
    return records


def ledger_records(executed_dir):
    """Collect the provenance records of every executed notebook under ``executed_dir``."""
    records = []
    for path in sorted(Path(executed_dir).rglob("*.ipynb")):
        docname = path.relative_to(executed_dir).with_suffix("").as_posix()
        records.extend(notebook_records(path, docname))
    return records


def record_standins(record):
    """The stand-ins a provenance record lists (records made before stand-ins were
    recorded list none)."""
    return list(record.get("standins") or [])


def record_data(record):
    """``"stand-in"`` or ``"real"``: the data a provenance record's numbers came from."""
    return "stand-in" if record_standins(record) else "real"


def _cell(text="", node=None):
    para = nodes.paragraph()
    para += node if node is not None else nodes.Text(text)
    return nodes.entry("", para)


# A metric whose name contains one of these is a fraction shown as a percentage.
PERCENT_METRICS = ("accuracy", "exact match", "fraction")


def format_ledger_value(metric, value):
    """The ledger's one format for a recorded number.

    Accuracies, exact-match rates and other fractions (by the metric's name, when the
    value lies in [0, 1]) as percentages with one decimal: ``"91.3%"``; whole numbers as
    integers: ``"8"``, ``"1,024"``; anything else with three significant digits, without
    rounding away digits before the decimal point: ``"0.0423"``, ``"2.31"``, ``"1,235"``,
    ``"1.2×10⁻⁷"``.
    """
    if value is None:
        return "–"
    value = float(value)
    if any(word in metric.lower() for word in PERCENT_METRICS) and 0 <= value <= 1:
        return f"{100 * value:.1f}%"
    if value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:.3g}"
    if "e" in text:  # 1.2e-07 -> 1.2×10⁻⁷
        mantissa, exponent = text.split("e")
        superscript = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
        text = f"{mantissa}×10{str(int(exponent)).translate(superscript)}"
    return text


def make_ledger_table(records, docname):
    # Narrow columns, so that the table fits the page: the chapter by its number (the
    # link's tooltip holds the title) and the profile without repeating the device.
    headers = ["Ch.", "Metric", "Value", "Data", "Model", "Parameters", "Profile"]
    table = nodes.table(classes=["colwidths-auto"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    group.extend(nodes.colspec(colwidth=1) for _ in headers)
    head, body = nodes.thead(), nodes.tbody()
    group += head
    group += body
    row = nodes.row()
    row.extend(_cell(h) for h in headers)
    head += row
    for record in records:
        for entry in record["entries"]:
            link = pending_xref(
                refdoc=docname,
                reftarget=posixpath.relpath(record["docname"], posixpath.dirname(docname)),
                reftype="doc", refdomain="std", refexplicit=True, refwarn=True,
            )  # fmt: skip
            number, dot, _ = record["chapter"].partition(".")
            link["reftitle"] = record["chapter"]
            link += nodes.inline(
                text=number if dot and number.isdigit() else record["chapter"]
            )
            value = format_ledger_value(entry["metric"], entry["value"])
            row = nodes.row()
            row += _cell(node=link)
            row += _cell(entry["metric"])
            if record_data(record) == "stand-in":
                row["classes"].append(STANDIN_ROW_CLASS)
                row += _cell(node=nodes.emphasis(text=f"{value} (stand-in)"))
                row += _cell(node=nodes.emphasis(text="stand-in"))
            else:
                row += _cell(value)
                row += _cell("real")
            row += _cell(entry["model"] or "–")
            params = entry["params"]
            row += _cell("–" if params is None else f"{params:,}")
            row += _cell(f"{record['profile']} ({record['device']})")
            body += row
    return table


def _executed_dir(app):
    return Path(app.outdir).parent / "jupyter_execute"


def _public(text):
    """``text`` with the builder's home folder written ``~``: pages show no build paths."""
    home = str(Path.home())
    return text.replace(home, "~") if len(home) > 1 else text


def _with_literals(text):
    """Docutils nodes for ``text``, its `backticked` spans set as inline code."""
    parts = _public(text).split("`")
    if len(parts) % 2 == 0:  # an unmatched backtick: keep the text as it is
        return [nodes.Text(_public(text))]
    return [
        nodes.literal(text=part) if i % 2 else nodes.Text(part)
        for i, part in enumerate(parts)
        if part
    ]


def standin_box(standins):
    """The warning box for a page that ran on the given stand-ins (dicts with ``dataset``,
    ``why``, ``how_to_get``)."""
    box = nodes.admonition(classes=["warning", STANDIN_CLASS], ids=[STANDIN_CLASS])
    box += nodes.title(text="This page ran on stand-in data")
    box += nodes.paragraph(text=(
        "The real data could not be had when this page was built, so its code ran on a "
        "deterministic synthetic stand-in of the same shape: the code runs as written, "
        "but its numbers and figures say nothing about the real dataset."
    ))  # fmt: skip
    items = nodes.bullet_list()
    for entry in standins:
        para = nodes.paragraph()
        para += nodes.strong(text=entry["dataset"])
        para += nodes.Text(": ")
        why = (entry.get("why") or "not available").strip().rstrip(".")
        how = (entry.get("how_to_get") or DEFAULT_REMEDY).strip().rstrip(".")
        para.extend(_with_literals(f"{why}. To get the real data: {how}."))
        items += nodes.list_item("", para)
    box += items
    return box


def _merged_standins(records):
    seen = {}
    for record in records:
        for entry in record_standins(record):
            seen.setdefault(entry["dataset"], entry)
    return list(seen.values())


def _insert_standin_box(app, doctree):
    """On reading a page: if its executed notebook used stand-ins, put the box at the top."""
    env = app.env
    env.dlbook_standins = getattr(env, "dlbook_standins", {})
    env.dlbook_standins.pop(env.docname, None)
    path = _executed_dir(app) / f"{env.docname}.ipynb"
    if not path.exists():
        return
    standins = _merged_standins(notebook_records(path, env.docname))
    if not standins:
        return
    env.dlbook_standins[env.docname] = standins
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        section.insert(1, standin_box(standins))
    else:
        doctree.insert(0, standin_box(standins))


def _purge_doc(app, env, docname):
    getattr(env, "dlbook_standins", {}).pop(docname, None)


def standin_summary(pages):
    """One line naming the pages built on stand-ins (``{docname: standins}``)."""
    if not pages:
        return "stand-in data: every page ran on real data"
    listed = "; ".join(
        f"{doc} ({', '.join(e['dataset'] for e in standins)})"
        for doc, standins in sorted(pages.items())
    )
    return (
        f"stand-in data: {len(pages)} page(s) built on stand-ins: {listed}. "
        "Run `make data` to fetch the real data, then rebuild."
    )


def _current_standin_pages(env):
    pages = getattr(env, "dlbook_standins", {})
    return {doc: s for doc, s in pages.items() if doc in env.found_docs}


def _log_standin_summary(app, exception):
    if exception is None:
        logger.info(standin_summary(_current_standin_pages(app.env)))


class StandinPagesNode(nodes.General, nodes.Element):
    """Placeholder replaced by the list of pages built on stand-ins."""


class StandinPages(SphinxDirective):
    def run(self):
        self.env.dlbook_ledger_docs = getattr(self.env, "dlbook_ledger_docs", set())
        self.env.dlbook_ledger_docs.add(self.env.docname)
        return [StandinPagesNode()]


def _standin_pages_node(pages, docname):
    if not pages:
        return nodes.paragraph(text="Every page of this build ran on real data.")
    para = nodes.paragraph(text="These pages were built on stand-in data: ")
    for i, (doc, standins) in enumerate(sorted(pages.items())):
        link = pending_xref(
            refdoc=docname,
            reftarget=posixpath.relpath(doc, posixpath.dirname(docname)),
            reftype="doc", refdomain="std", refexplicit=False, refwarn=True,
        )  # fmt: skip
        link += nodes.inline(text=doc)
        para += nodes.Text("; " if i else "")
        para += link
        para += nodes.Text(f" ({', '.join(e['dataset'] for e in standins)})")
    para += nodes.Text(".")
    return para


class LedgerPostTransform(SphinxPostTransform):
    default_priority = 8  # before references are resolved, so the chapter links work

    def run(self, **kwargs):
        for node in list(self.document.findall(StandinPagesNode)):
            pages = _current_standin_pages(self.env)
            node.replace_self(_standin_pages_node(pages, self.env.docname))
        placeholders = list(self.document.findall(LedgerNode))
        if not placeholders:
            return
        executed = _executed_dir(self.app)
        records = ledger_records(executed) if executed.exists() else []
        if not any(r["entries"] for r in records):
            logger.warning("results ledger: no executed chapter recorded a number")
        for node in placeholders:
            # Seven columns need more than the text column: the theme's full-width class
            # lets the table use the margin instead of scrolling sideways.
            wide = nodes.container(classes=["full-width"])
            wide += make_ledger_table(records, self.env.docname)
            node.replace_self(wide)


def _ledger_docs_to_update(app, env):
    return sorted(getattr(env, "dlbook_ledger_docs", ()))


def setup(app):
    app.connect("config-inited", _add_static)
    app.add_css_file("dlbook.css")
    # After TocTreeCollector (priority 500) has assigned the book-wide numbers.
    app.connect("env-get-updated", _number_exercises_by_chapter, priority=900)
    app.add_node(LedgerNode)
    app.add_node(StandinPagesNode)
    app.add_directive("results-ledger", ResultsLedger)
    app.add_directive("standin-pages", StandinPages)
    app.add_directive("build-machine", BuildMachine)
    app.add_post_transform(LedgerPostTransform)
    app.add_post_transform(ExecTableWords)
    app.connect("env-updated", _ledger_docs_to_update)
    # Before the stand-in box reads the executed notebook (default priority 500).
    app.connect("doctree-read", _restore_cached_outputs, priority=400)
    app.connect("doctree-read", _insert_standin_box)
    app.connect("env-purge-doc", _purge_doc)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _log_standin_summary)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
