"""The built book as a reader sees it: headless Chromium loads every page, runs its
JavaScript (MathJax), and we check the rendered DOM."""

import json
import re
import sysconfig
from pathlib import Path
from urllib.parse import unquote, urldefrag, urljoin, urlparse

from PIL import Image
from rendering import ARTIFACTS, ROOT, Page, run_chromium

CODE_WIDTH = 80  # characters that fit in a code box without scrolling sideways

# Markup that means a source was not rendered, as it would show in the prose of a page
# (Page.prose leaves out code blocks, inline code and typeset math; HTML outputs are in).
LEAKS = {
    r"\\[A-Za-z]+": "a LaTeX command",
    r"\\[_(){}\[\]$&%#]": "an escaped LaTeX character",
    r"\$\$": "display-math dollars",
    r"(?<![\w$])\$[^$\s][^$]*?[^$\s\\]\$(?![\w$])": "inline math left as $...$",
    r"\{[a-z][\w:-]*\}`": "a MyST role",
    r"```": "a code fence",
    r":::": "a colon fence",
    r"\|\s*:?[-\u2013\u2014]+:?\s*\|": "a Markdown table",  # ---, or dashes after smartquotes
    r"(?<![\w*])\*\*[^\s*][^*]*\*\*": "Markdown bold",
}


def test_home_page_redirects_to_a_built_page(site_dir):
    home = (site_dir / "index.html").read_text(encoding="utf-8")
    target = home.split("url=")[1].split('"')[0]
    assert (site_dir / target).exists(), f"index.html redirects to missing {target}"


def test_every_page_renders(rendered):
    assert rendered, "no pages found"
    for rel, page in rendered.items():
        text = " ".join(page.text)
        assert len(text.split()) > 30, f"{rel} rendered almost no text"
        assert "Traceback (most recent call last)" not in text, f"{rel} shows a traceback"
        assert page.tracebacks == 0, f"{rel} shows an error output"


def test_math_is_typeset(rendered):
    pages_with_math = [rel for rel, page in rendered.items() if page.math_sources]
    assert pages_with_math, "no page has math: the math check would test nothing"
    for rel in pages_with_math:
        page = rendered[rel]
        assert page.typeset >= page.math_sources, (
            f"{rel}: {page.math_sources} math elements but only {page.typeset} typeset by "
            "MathJax (is _static/mathjax missing?)"
        )


def test_figures_are_present(rendered, site_dir):
    chapters = [rel for rel in rendered if rel.startswith("chapters/")]
    assert chapters, "no chapter pages were built"
    for rel in chapters:
        figures = [src for src in rendered[rel].images if "_images/" in src]
        assert figures, f"{rel} has no figures"
    for rel, page in rendered.items():
        for src in page.images:
            if urlparse(src).scheme in ("http", "https", "data"):
                continue
            path = (site_dir / rel).parent / unquote(urlparse(src).path)
            assert path.exists(), f"{rel}: image {src} is missing"
            if path.suffix == ".svg":
                assert "<svg" in path.read_text(encoding="utf-8"), f"{rel}: bad SVG {src}"
                continue
            with Image.open(path) as image:
                assert min(image.size) > 10, f"{rel}: image {src} is empty"


def test_internal_links_resolve(rendered, base_url):
    for rel, page in rendered.items():
        for href in page.links:
            url = urljoin(f"{base_url}/{rel}", href)
            if not url.startswith(base_url):
                continue  # external: not checked offline
            target, fragment = urldefrag(url)
            target_rel = unquote(target[len(base_url) + 1 :]) or "index.html"
            if target_rel.endswith("/"):
                target_rel += "index.html"
            if target_rel.startswith("_") or not target_rel.endswith(".html"):
                continue  # sources, downloads and static files
            assert target_rel in rendered or target_rel in ("index.html", "genindex.html",
                "search.html"), f"{rel}: link {href} points to a missing page"  # fmt: skip
            if fragment and target_rel in rendered:
                assert fragment in rendered[target_rel].ids, (
                    f"{rel}: link {href} points to a missing anchor"
                )


def test_screenshot_of_a_chapter(base_url, chromium):
    """Keep a picture of the template chapter as a test artefact."""
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "chapter-02.png"
    shot.unlink(missing_ok=True)
    page = f"{base_url}/chapters/02_pytorch_essentials.html"
    run_chromium(
        chromium, "--virtual-time-budget=15000", "--window-size=1280,2400",
        f"--screenshot={shot}", page,
    )  # fmt: skip
    with Image.open(shot) as image:
        assert image.size == (1280, 2400)
        grey = image.convert("L").resize((64, 64))
        assert len(set(grey.tobytes())) > 20, "the screenshot is blank"


def test_download_button_gives_an_executed_notebook(rendered, site_dir):
    """The "download .ipynb" button of every chapter points to a real, executed notebook."""
    for rel, page in rendered.items():
        if not rel.startswith("chapters/"):
            continue
        links = [href for href in page.links if href.endswith(".ipynb")]
        assert links, f"{rel} has no .ipynb download link"
        notebook = json.loads(
            ((site_dir / rel).parent / links[0]).read_text(encoding="utf-8")
        )
        assert notebook["nbformat"] == 4
        outputs = [
            o for c in notebook["cells"] if c["cell_type"] == "code" for o in c["outputs"]
        ]
        assert outputs, f"{links[0]} has no outputs: not the executed notebook"


def test_page_parser_tells_intentional_errors_from_real_ones():
    """Guard: an error inside a ``raises-exception`` cell is expected, any other is not."""
    html = (
        '<div class="cell tag_raises-exception"><div class="output traceback">'
        "Traceback (most recent call last)</div></div>"
        '<div class="cell"><div class="output traceback">boom</div></div><p>after</p>'
    )
    page = Page()
    page.feed(html)
    assert page.expected_errors == 1 and page.tracebacks == 1
    assert "Traceback" not in " ".join(page.text) and "after" in page.text


def _excerpt(text, start, end, margin=40):
    return " ".join(text[max(0, start - margin) : end + margin].split())


def test_code_and_output_lines_fit_the_code_box(rendered):
    """No line of a code cell, a text output, a traceback or a code block scrolls sideways."""
    wide = []
    for rel, page in rendered.items():
        for where, text in page.pre_blocks:
            for line in text.expandtabs().splitlines():
                if len(line.rstrip()) > CODE_WIDTH:
                    wide.append(f"{rel} ({where}, {len(line.rstrip())} chars): {line[:90]}")
    assert any(page.pre_blocks for page in rendered.values()), "no code blocks found"
    heading = f"{len(wide)} lines wider than {CODE_WIDTH} characters:"
    assert not wide, "\n".join([heading, *wide])


def machine_paths(site_dir):
    """Strings that only a path of the machine that built the site contains."""
    marks = {
        str(ROOT),
        str(site_dir.resolve().parents[1]),
        "site-packages",
        "dist-packages",
    }
    marks |= {"/.venv/", "/tmp/", sysconfig.get_paths()["stdlib"] + "/"}
    home = str(Path.home())
    if home not in ("", "/"):
        marks.add(home + "/")
    return sorted(marks)


def test_no_page_shows_a_path_of_the_build_machine(rendered, site_dir):
    """Tracebacks, warnings and messages must not show where the book was built."""
    found = []
    for rel, page in rendered.items():
        text = page.visible_text
        for mark in machine_paths(site_dir):
            if (at := text.find(mark)) >= 0:
                found.append(
                    f"{rel}: {mark!r} in ...{_excerpt(text, at, at + len(mark))}..."
                )
    assert not found, "pages show paths of the build machine:\n" + "\n".join(found)


def test_no_raw_latex_or_myst_in_the_prose(rendered):
    """Markup that reached the page unrendered: in the prose, or inside a formula."""
    leaks = []
    for rel, page in rendered.items():
        prose = "".join(page.prose)
        for pattern, what in LEAKS.items():
            for match in re.finditer(pattern, prose):
                excerpt = _excerpt(prose, match.start(), match.end())
                leaks.append(f"{rel}: {what} {match.group()!r} in ...{excerpt}...")
        for text in page.mtext:
            if "\\" in text:
                leaks.append(f"{rel}: a macro MathJax left as text: {text!r}")
        if page.math_errors:
            leaks.append(f"{rel}: {page.math_errors} formulas MathJax could not typeset")
    assert not leaks, "unrendered markup:\n" + "\n".join(leaks)


def test_page_parser_separates_code_math_and_prose():
    """Guard: code and math stay out of the prose; every <pre> is measured, errors too."""
    html = (
        "<p>Some prose with <code>one\\_hot</code> and "
        '<span class="math notranslate">\\(x\\_1\\)<mjx-container><math><mtext>a\\_b'
        "</mtext></math></mjx-container></span> around.</p>"
        '<div class="cell"><div class="cell_input"><div class="highlight"><pre>x = 1\n'
        '</pre></div></div><div class="cell_output"><div class="output stream">'
        "<pre>out</pre></div></div></div>"
        '<div class="cell tag_raises-exception"><div class="cell_output">'
        '<div class="output traceback"><pre>File /x/y.py</pre></div></div></div>'
        "<pre>$ make book</pre><script>var a = '\\frac';</script>"
    )
    page = Page()
    page.feed(html)
    prose = "".join(page.prose)
    assert "Some prose with  and  around." in prose
    assert "\\" not in prose and "make book" not in prose and "var a" not in prose
    assert page.pre_blocks == [
        ("input", "x = 1\n"), ("output", "out"), ("output", "File /x/y.py"),
        ("other", "$ make book"),
    ]  # fmt: skip
    assert page.mtext == ["a\\_b"] and page.math_sources == 1 and page.typeset == 1
    assert "File /x/y.py" in page.visible_text and "var a" not in page.visible_text
    assert "File /x/y.py" not in " ".join(page.text)


def test_exercises_are_numbered_by_chapter(site_dir):
    """Chapter N's exercises read "Exercise N.1", "N.2", ... in order, solutions alike."""
    checked = 0
    for path in sorted((site_dir / "chapters").glob("*.html")):
        chapter = int(path.name.split("_")[0])
        html = path.read_text(encoding="utf-8")
        numbers = re.findall(
            r'admonition-title"><span class="caption-number">Exercise ([\d.]+)', html
        )
        assert numbers, f"{path.name}: no numbered exercise found"
        assert numbers == [f"{chapter}.{k}" for k in range(1, len(numbers) + 1)], (
            f"{path.name}: exercises numbered {numbers}"
        )
        solutions = re.findall(r"Solution to(?:<[^>]+>|\s)*Exercise ([\d.]+)", html)
        assert set(solutions) <= set(numbers), f"{path.name}: solutions {solutions}"
        checked += 1
    assert checked, "no chapter pages were built"
