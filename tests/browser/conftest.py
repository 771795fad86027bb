"""Browser journeys: Debian's Chromium driven by Playwright against a live console.

Every step saves a screenshot under $SCREENSHOT_DIR (default test-artifacts/screenshots/).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT_DIR = Path(
    os.environ.get("SCREENSHOT_DIR")
    or Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run .ci/browser")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still synchronous, so Django's async-safety guard must let them through.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


class Journey:
    """A browser page plus numbered screenshots of every step."""

    def __init__(self, page, base_url: str, name: str):
        self.page = page
        self.base_url = base_url
        self.directory = SCREENSHOT_DIR / name
        self.directory.mkdir(parents=True, exist_ok=True)
        for old in self.directory.glob("*.png"):
            old.unlink()
        self.step = 0

    def goto(self, path: str):
        self.page.goto(f"{self.base_url}{path}")

    def nav(self, menu: str, item: str):
        """Open a menu of the main navigation and follow one of its links."""
        navigation = self.page.get_by_role("navigation", name="Main")
        navigation.get_by_role("button", name=menu).click()
        navigation.get_by_role("link", name=item, exact=True).click()

    def shot(self, label: str) -> Path:
        self.step += 1
        slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        path = self.directory / f"{self.step:02d}-{slug}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def journey(browser, live_server, request):
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(15000)
    errors: list[str] = []

    def on_console(message):
        # A 4xx page (a denial, a form error, a lockout) is an expected answer; a missing
        # asset (404), a server error or a script/CSP error is a broken page.
        expected = (
            "status of 400",
            "status of 401",
            "status of 403",
            "status of 409",
            "status of 429",
        )
        if message.type == "error" and not any(s in message.text for s in expected):
            errors.append(message.text)

    page.on("console", on_console)
    yield Journey(page, live_server.url, request.node.name)
    context.close()
    # A CSP violation or a missing asset shows up as a console error: fail on it.
    assert not errors, f"browser console errors: {errors}"
