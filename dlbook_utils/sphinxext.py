"""The book's Sphinx extension (listed in ``_config.yml``).

- Serves MathJax 3 from the site itself (from the ``django-static-mathjax`` package), so math
  renders with no internet, for readers and for the browser test alike.
- ``{results-ledger}``: a table of every headline number recorded by the executed chapters
  (see :mod:`dlbook_utils.provenance`), read from the executed notebooks of this build.
- ``{build-machine}``: a sentence naming the machine, profile and date of this build.
"""

import json
import posixpath
import shutil
from datetime import UTC, datetime
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from .profile import get_profile
from .provenance import LEDGER_KEY, machine_summary

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


def ledger_records(executed_dir):
    """Collect the provenance records of every executed notebook under ``executed_dir``."""
    records = []
    for path in sorted(Path(executed_dir).rglob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook.get("cells", []):
            for output in cell.get("outputs", []):
                record = output.get("metadata", {}).get(LEDGER_KEY)
                if record:
                    record["docname"] = (
                        path.relative_to(executed_dir).with_suffix("").as_posix()
                    )
                    records.append(record)
    return records


def _cell(text="", node=None):
    para = nodes.paragraph()
    para += node if node is not None else nodes.Text(text)
    return nodes.entry("", para)


def _fmt(value, kind):
    if value is None:
        return "–"
    if kind == "params":
        return f"{value:,}"
    if kind == "seconds":
        return f"{value:.1f}"
    return f"{value:.4g}"


def make_ledger_table(records, docname):
    headers = ["Chapter", "Metric", "Value", "Model", "Parameters", "Time (s)", "Profile"]
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
            link += nodes.inline(text=record["chapter"])
            row = nodes.row()
            row += _cell(node=link)
            row += _cell(entry["metric"])
            row += _cell(_fmt(entry["value"], "value"))
            row += _cell(entry["model"] or "–")
            row += _cell(_fmt(entry["params"], "params"))
            row += _cell(_fmt(entry["seconds"], "seconds"))
            row += _cell(f"{record['profile']} ({record['device']})")
            body += row
    return table


class LedgerPostTransform(SphinxPostTransform):
    default_priority = 8  # before references are resolved, so the chapter links work

    def run(self, **kwargs):
        placeholders = list(self.document.findall(LedgerNode))
        if not placeholders:
            return
        executed = Path(self.app.outdir).parent / "jupyter_execute"
        records = ledger_records(executed) if executed.exists() else []
        if not any(r["entries"] for r in records):
            logger.warning("results ledger: no executed chapter recorded a number")
        for node in placeholders:
            node.replace_self(make_ledger_table(records, self.env.docname))


def _ledger_docs_to_update(app, env):
    return sorted(getattr(env, "dlbook_ledger_docs", ()))


def setup(app):
    app.add_node(LedgerNode)
    app.add_directive("results-ledger", ResultsLedger)
    app.add_directive("build-machine", BuildMachine)
    app.add_post_transform(LedgerPostTransform)
    app.connect("env-updated", _ledger_docs_to_update)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": False, "parallel_write_safe": True}
