"""A live server and real headless Chromium (Debian's), driven by Playwright."""

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - reported as a skip below
    sync_playwright = None


def pytest_collection_modifyitems(items):
    """Mark every test here as e2e."""
    for item in items:
        if HERE in Path(item.fspath).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, or a skip that says why it cannot run."""
    if sync_playwright is None:
        pytest.skip("Playwright is not installed: pip install -r requirements-dev.txt")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install chromium chromium-driver")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@contextlib.contextmanager
def serving(app_factory, **overrides):
    """The app served on a loopback port, with CSRF on and jobs in-process."""
    server = make_server("127.0.0.1", 0, None, threaded=True)
    port = server.socket.getsockname()[1]
    app = app_factory(
        WTF_CSRF_ENABLED=True,
        JOBS_BACKEND="thread",
        BASE_URL=f"http://127.0.0.1:{port}",
        TESTING=False,
        **overrides,
    )
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{port}"
    server.flask_app = app
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def live_server(app_factory):
    """The app served on a loopback port, with CSRF on and jobs in-process."""
    with serving(app_factory) as server:
        yield server


@pytest.fixture
def page(browser):
    """A fresh browser context and page per test."""
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    yield page
    context.close()


def check_axe(page) -> list[dict]:
    """Run axe-core's WCAG 2.x A/AA rules (2.2 included) and return the violations."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed: run `make e2e-deps` (npm) first")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """() => axe.run(document, {runOnly: {type: 'tag', values:
            ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']}})"""
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]
