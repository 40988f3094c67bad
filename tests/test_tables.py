"""dlbook_utils.tables: HTML for the page, aligned text for the terminal, clear errors."""

import pytest
from IPython.core.formatters import DisplayFormatter

from dlbook_utils.tables import Html, Table, code, link


def test_html_has_one_row_per_row_and_escapes_strings():
    table = Table([["a<b", 1234567, 0.123456], ["c", 2, None]], ["name", "n", "x"])
    out = table._repr_html_()
    assert out.count("<tr>") == 3  # header + 2 rows
    assert "a&lt;b" in out and "a<b" not in out
    assert "1,234,567" in out and "0.1235" in out and "–" in out
    assert out.count('style="text-align: right"') == 2 * 3  # n and x, header + rows


def test_markup_cells_are_kept_and_plain_text_drops_them():
    table = Table([[code("f.gz"), link("site", "https://x.org/?a=1&b=2")]], ["file", "url"])
    out = table._repr_html_()
    assert "<code>f.gz</code>" in out and 'href="https://x.org/?a=1&amp;b=2"' in out
    text = repr(table)
    assert "f.gz" in text and "site" in text and "<" not in text


def test_formats_by_name_and_by_position():
    rows = [[0.5, 3.14159]]
    assert "50.0%" in Table(rows, ["a", "b"], formats={"a": ".1%"})._repr_html_()
    assert "3.14" in repr(Table(rows, ["a", "b"], formats=[None, ".2f"]))


def test_plain_text_is_aligned():
    text = repr(Table([["x", 1], ["longer", 100]], ["name", "n"], caption="T"))
    lines = text.splitlines()
    assert lines[0] == "T"
    assert len({len(line) for line in lines[1:]}) == 1  # every row as wide as the header


def test_jupyter_prefers_html():
    data, _ = DisplayFormatter().format(Table([[1]], ["a"]))
    assert "text/html" in data and "text/plain" in data


def test_html_subclass_is_a_string():
    assert isinstance(Html("<b>x</b>"), str)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(rows=[[1, 2]], headers=["a"]), "row 0 has 2 values but there are 1 headers"),
        (dict(rows=[[1]], headers=["a"], formats={"b": ".1f"}), "unknown columns"),
        (dict(rows=[[1]], headers=["a"], formats=[None, None]), "2 specs for 1 columns"),
    ],
)
def test_bad_input_says_what_was_expected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Table(**kwargs)
