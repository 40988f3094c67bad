"""Tables that a cell displays: HTML on the page and in Jupyter, aligned text in a terminal.

A chapter that shows a table of results ends its cell with ``Table(rows, headers)``; the
built page then renders a real table instead of raw Markdown or a column of ``print`` lines.
"""

import html
import numbers

__all__ = ["Table", "Html", "code", "link"]


class Html(str):
    """A cell value that is already HTML: inserted into the table as it is, not escaped."""


def code(text):
    """A cell shown in a monospace font (``<code>``), e.g. a file or function name."""
    return Html(f"<code>{html.escape(str(text))}</code>")


def link(text, url):
    """A cell that links to ``url``."""
    return Html(f'<a href="{html.escape(url, quote=True)}">{html.escape(str(text))}</a>')


def _format(value, spec):
    if isinstance(value, Html):
        return value
    if spec is not None and value is not None:
        return format(value, spec)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{value:,}"
    if isinstance(value, numbers.Real):
        return f"{value:.4g}"
    return str(value)


def _plain(cell):
    """Text of a cell for the terminal: HTML markup removed."""
    if not isinstance(cell, Html):
        return cell
    out, inside = [], False
    for ch in cell:
        if ch == "<":
            inside = True
        elif ch == ">":
            inside = False
        elif not inside:
            out.append(ch)
    return html.unescape("".join(out))


class Table:
    """A table of ``rows`` under ``headers``, shown as HTML by Jupyter and the book.

    Args:
        rows: a sequence of rows, each a sequence with one value per header.
        headers: the column names.
        formats: format specs, either a dict ``{header: spec}`` or a sequence with one spec
            (or ``None``) per column, e.g. ``{"accuracy": ".3f"}``. Unformatted numbers get
            thousands separators (integers) or four significant digits (floats).
        caption: an optional caption shown above the table.

    Numeric columns are right-aligned. Strings are escaped; use :func:`code`, :func:`link`
    or :class:`Html` for markup.
    """

    def __init__(self, rows, headers, *, formats=None, caption=None):
        self.headers = [str(h) for h in headers]
        rows = [list(row) for row in rows]
        for i, row in enumerate(rows):
            if len(row) != len(self.headers):
                raise ValueError(
                    f"row {i} has {len(row)} values but there are {len(self.headers)} "
                    f"headers ({', '.join(self.headers)})"
                )
        if formats is None:
            specs = [None] * len(self.headers)
        elif isinstance(formats, dict):
            unknown = set(formats) - set(self.headers)
            if unknown:
                raise ValueError(
                    f"formats names unknown columns {sorted(unknown)}; the headers are "
                    f"{self.headers}"
                )
            specs = [formats.get(h) for h in self.headers]
        else:
            specs = list(formats)
            if len(specs) != len(self.headers):
                raise ValueError(
                    f"formats has {len(specs)} specs for {len(self.headers)} columns"
                )
        self.caption = caption
        self.cells = [
            [_format(v, s) for v, s in zip(row, specs, strict=True)] for row in rows
        ]
        self.numeric = [
            bool(rows)
            and all(isinstance(r[j], numbers.Number) or r[j] is None for r in rows)
            for j in range(len(self.headers))
        ]

    def _repr_html_(self):
        def cell(tag, value, j):
            style = ' style="text-align: right"' if self.numeric[j] else ""
            text = value if isinstance(value, Html) else html.escape(value)
            return f"<{tag}{style}>{text}</{tag}>"

        head = "".join(cell("th", h, j) for j, h in enumerate(self.headers))
        body = "".join(
            "<tr>" + "".join(cell("td", v, j) for j, v in enumerate(row)) + "</tr>"
            for row in self.cells
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (
            '<table class="dlbook-table">'
            f"{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        )

    def __repr__(self):
        plain = [[_plain(v) for v in row] for row in self.cells]
        widths = [
            max([len(h), *(len(row[j]) for row in plain)])
            for j, h in enumerate(self.headers)
        ]

        def line(values):
            return "  ".join(
                v.rjust(w) if self.numeric[j] else v.ljust(w)
                for j, (v, w) in enumerate(zip(values, widths, strict=True))
            ).rstrip()

        lines = [self.caption] if self.caption else []
        lines += [line(self.headers), "  ".join("-" * w for w in widths)]
        lines += [line(row) for row in plain]
        return "\n".join(lines)
