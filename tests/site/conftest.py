"""Fixtures for the browser test: the built site served on localhost, and headless Chromium."""

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SITE = ROOT / "_build" / "quick" / "_build" / "html"


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
