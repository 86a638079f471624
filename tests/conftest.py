"""Fixtures that follow the pipeline: a content tree, its loaded project, the built output."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONTENT = ROOT / "content"
CASES = Path(__file__).resolve().parent / "cases"


@pytest.fixture()
def content_copy(tmp_path: Path) -> Path:
    """Return a writable copy of the default content tree."""
    target = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, target)
    return target


# --- A real browser: Debian's chromium driven by Playwright ---------------------------------

CHROMIUM = Path("/usr/bin/chromium")
# Playwright's own browser download is not available here; these flags keep Debian's chromium from
# reaching out to the network at start-up (its background services would be refused, many at once).
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Launch Debian's chromium once for the module."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file():
        pytest.skip("needs Debian's chromium at /usr/bin/chromium")
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
