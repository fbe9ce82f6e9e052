"""Browser tests: Debian's chromium, driven by Playwright, against the served gateway.

The gateway runs as `make serve` runs it (gunicorn, a fresh demonstration instance on SQLite,
`tests.support.served`); Playwright for Python drives the system's chromium
(`/usr/bin/chromium`, never a browser of Playwright's own: no `playwright install`). Every
page checked also passes axe (`node_modules/axe-core`, installed by `make assets`): no
violation of impact serious or critical; a screenshot of each is saved in
`tests/browser/screenshots/`. Without chromium, Playwright or axe-core, these tests are
skipped, and the run says so loudly.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.config import REPO_ROOT
from tests.browser.accessibility import AXE
from tests.support.served import Served, fresh_instance, new_database, serve

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
VENDOR = REPO_ROOT / "gateway" / "web" / "static" / "vendor"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _missing() -> str | None:
    """Say what the browser tests lack, or None when they can run."""
    if CHROMIUM is None:
        return (
            "chromium introuvable : les tests navigateur sont IGNORÉS. Installez le paquet "
            "Debian « chromium » (bash .ci/chromium, que lancent `make test` et .ci/run)."
        )
    if importlib.util.find_spec("playwright") is None:
        return "Playwright absent : les tests navigateur sont IGNORÉS (make test l'installe)."
    if not AXE.is_file():
        return (
            "axe-core absent (node_modules) : les tests navigateur sont IGNORÉS. "
            "Lancez `make assets` (npm ci)."
        )
    return None


MISSING = _missing()


def pytest_report_header() -> list[str]:
    if MISSING:
        return ["!" * 78, "!!! " + MISSING, "!" * 78]
    return [f"Navigateur : {CHROMIUM} (Playwright), vérifications axe-core"]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if MISSING:
        terminalreporter.write_line("!!! " + MISSING, red=True, bold=True)


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory, demo_store_dir: Path) -> Iterator[Served]:
    """A fresh demonstration instance served by gunicorn, as `make serve` serves it."""
    if MISSING:
        pytest.skip(MISSING)
    instance_dir = tmp_path_factory.mktemp("portail-servi")
    database_url = new_database(instance_dir, None)
    keys = fresh_instance(instance_dir, database_url, demo_store_dir)
    with serve(instance_dir, database_url, demo_store_dir, workers=2) as base:
        yield Served(base, instance_dir, database_url, keys)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, launched by Playwright (no browser download).

    One per process, whatever instance its contexts visit (their `base_url`): a second
    `sync_playwright` inside the first one's loop is refused.
    """
    if MISSING:
        pytest.skip(MISSING)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def tab(browser: Any, portal: Served) -> Iterator[Any]:
    """A new page in a fresh context (French, downloads accepted), its base URL the portal's."""
    context = browser.new_context(base_url=portal.base, locale="fr-FR", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def tab_without_javascript(browser: Any, portal: Served) -> Iterator[Any]:
    context = browser.new_context(
        base_url=portal.base, locale="fr-FR", accept_downloads=True, java_script_enabled=False
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def vendored() -> bool:
    """Tell whether `make assets` copied the front-end libraries the pages load."""
    return (VENDOR / "echarts.common.min.js").is_file() and (VENDOR / "htmx.min.js").is_file()
