"""Browser tests: Playwright (sync API) driving Debian's Chromium against a real server.

The app runs under werkzeug's server in a background thread, on 127.0.0.1 and a free port,
with a SQLite database of its own, CSRF protection on (as in production) and rate limits
off.  Without Chromium the tests are skipped, unless ``ASSESSOR_REQUIRE_BROWSER=1`` (set
in CI), which makes a missing browser a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from assessor import create_app
from assessor.extensions import db

REQUIRED = os.environ.get("ASSESSOR_REQUIRE_BROWSER", "") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: How long an explicit wait may take before the test fails (ms).
TIMEOUT_MS = 10_000


def _unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (ASSESSOR_REQUIRE_BROWSER=1: browser tests must run)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium; Playwright cannot download its own browsers here."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        _unavailable("Chromium is not installed: apt-get install chromium")
    return str(found)


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright for Python is not installed: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(
                executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
            )
        except Exception as exc:  # Playwright raises its own Error for a broken browser
            _unavailable(f"Chromium at {chromium_path} did not start: {exc}")
        yield launched
        launched.close()


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """The app served over HTTP from a background thread, with its own SQLite database."""
    app = create_app(
        {
            "SECRET_KEY": "browser-test-secret-key",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'browser.db'}",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": True,
            "REPORT_CACHE_DIR": str(tmp_path / "reports"),
            "MAIL_OUTBOX": str(tmp_path / "outbox"),
        }
    )
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = url  # links in e-mails lead here, as make run sets them
    try:
        yield LiveServer(app, url)
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (cookies, storage) at a desktop size."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()
