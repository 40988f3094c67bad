"""Both sides of the stand-in box, on the built site as a reader's browser renders it.

Every page shows the ``dlbook-standin`` warning box if and only if its executed notebook's
provenance record (read with ``sphinxext.ledger_records`` from the build's
``jupyter_execute`` folder) lists stand-ins; the box names each of them; the ledger marks
exactly the numbers of those pages. When no page of this build used a stand-in, only the
"no box on real data" side can be seen here: the other side is then checked by
``tests/test_sphinxext.py``, which builds a tiny book with one stand-in page.
"""

from collections import defaultdict
from html.parser import HTMLParser

import pytest

from dlbook_utils.sphinxext import (
    STANDIN_CLASS,
    STANDIN_ROW_CLASS,
    ledger_records,
    record_standins,
)


class Marks(HTMLParser):
    """Where a page's stand-in box, first code cell and stand-in ledger rows are."""

    def __init__(self, html):
        super().__init__()
        self.box_classes, self.standin_rows = [], 0
        self.box_at = self.first_cell_at = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if attrs.get("id") == STANDIN_CLASS:
            self.box_classes = classes
            self.box_at = self.getpos()
        if tag == "div" and "cell" in classes and self.first_cell_at is None:
            self.first_cell_at = self.getpos()
        self.standin_rows += tag == "tr" and STANDIN_ROW_CLASS in classes


@pytest.fixture(scope="module")
def records(site_dir):
    executed = site_dir.parent / "jupyter_execute"
    if not executed.is_dir():
        pytest.fail(f"no executed notebooks in {executed}: is {site_dir} a full build?")
    return ledger_records(executed)


def standins_by_page(records):
    pages = defaultdict(list)
    for record in records:
        pages[f"{record['docname']}.html"] += record_standins(record)
    return pages


def test_the_box_is_shown_iff_the_page_ran_on_standins(rendered, records, site_dir):
    assert records, "no executed notebook carries a provenance record"
    expected = standins_by_page(records)
    assert set(expected) <= set(rendered), "a recorded chapter was not rendered"
    for rel, page in rendered.items():
        standins = expected.get(rel, [])
        text = " ".join(" ".join(page.text).split())
        marks = Marks((site_dir / rel).read_text(encoding="utf-8"))
        if not standins:
            assert STANDIN_CLASS not in page.ids, (
                f"{rel} ran on real data but shows the box"
            )
            assert marks.box_at is None, f"{rel}: stand-in box in the HTML"
            continue
        assert STANDIN_CLASS in page.ids, f"{rel} ran on stand-ins but shows no box"
        assert {"warning", STANDIN_CLASS} <= set(marks.box_classes), marks.box_classes
        assert marks.first_cell_at is None or marks.box_at < marks.first_cell_at, (
            f"{rel}: the stand-in box is not at the top of the page"
        )
        assert "This page ran on stand-in data" in text
        for entry in standins:
            assert entry["dataset"] in text, f"{rel}: box does not name {entry['dataset']}"
        assert "To get the real data" in text


def test_the_ledger_marks_exactly_the_standin_numbers(rendered, records, site_dir):
    ledger = [rel for rel in rendered if rel.endswith("ledger.html")]
    assert ledger, "no results ledger page was built"
    marks = Marks((site_dir / ledger[0]).read_text(encoding="utf-8"))
    expected = sum(len(r["entries"]) for r in records if record_standins(r))
    assert marks.standin_rows == expected
    assert "Data" in rendered[ledger[0]].text  # the column's header cell
