"""Fixtures for the browser test: the built site served on localhost, headless Chromium, and
every page's rendered DOM (parsed by :class:`Page`), shared by the test files here."""

import functools
import http.server
import os
import shutil
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from rendering import Page, pages, run_chromium

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SITE = ROOT / "_build" / "quick" / "_build" / "html"


@pytest.fixture(scope="session")
def rendered(site_dir, base_url, chromium):
    """Every page's DOM after its scripts ran, parsed; rendered in parallel."""

    def render(rel):
        # The virtual time budget lets MathJax finish typesetting before the DOM is dumped.
        out = run_chromium(chromium, "--virtual-time-budget=15000", "--dump-dom",
                           f"{base_url}/{rel}").stdout  # fmt: skip
        page = Page()
        page.feed(out)
        return rel, page

    with ThreadPoolExecutor(max_workers=3) as pool:
        return dict(pool.map(render, pages(site_dir)))


@pytest.fixture(scope="session")
def site_dir():
    """The built HTML folder: $DLBOOK_SITE, else the quick build of scripts/build_book.sh."""
    site = Path(os.environ.get("DLBOOK_SITE", DEFAULT_SITE))
    if not (site / "index.html").exists():
        pytest.fail(f"no built site in {site}: run `scripts/build_book.sh quick` first")
    return site


@pytest.fixture(scope="session")
def base_url(site_dir):
    """Serve ``site_dir`` on 127.0.0.1 on a free port for the whole session."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=site_dir)
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def chromium():
    """Path of the Chromium binary (Debian's ``chromium`` package)."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    pytest.fail("headless Chromium is needed: `sudo apt-get install chromium`")
