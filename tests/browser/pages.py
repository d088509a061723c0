"""What the console's browser tests do to every page: open it at a size, keep a screenshot,
and check it does not scroll sideways."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.test_console import ARTIFACTS


def new_page(browser: Browser, size: ViewportSize) -> Page:
    context = browser.new_context(viewport=size, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def no_sideways_scroll(page: Page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"{what} scrolls sideways ({width} px in {viewport} px)"
