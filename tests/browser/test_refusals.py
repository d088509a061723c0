"""Refused forms in a real browser: the reason shows beside the form, in Indonesian words."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect

from db.types import utcnow
from tests.browser.test_console import sign_in
from tests.staff.factories import add_staff

WITA = ZoneInfo("Asia/Makassar")
LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_an_invalid_end_and_an_unconfirmed_short_notice_are_explained(live, page: Page, engine):
    add_staff(engine, "eddy", "editor")
    sign_in(page, live.url, "eddy")
    page.goto(f"{live.url}/staff/notices/new")
    page.fill("#title", "Ganti katup di Jl. A. Yani km 9")
    start = utcnow().astimezone(WITA) + timedelta(hours=5)
    page.fill("#starts_at", start.strftime(LOCAL))
    page.fill("#expected_end_at", (start - timedelta(hours=1)).strftime(LOCAL))
    page.fill("#area-search", "kertak hanyr")
    page.locator("#area-results button", has_text="Kec. Kertak Hanyar").click()
    page.click("text=Simpan draf")
    refusal = page.locator("[data-error='expected_end_at']")
    expect(refusal).to_have_text("Waktu selesai harus sesudah waktu mulai.")

    page.fill("#expected_end_at", (start + timedelta(hours=4)).strftime(LOCAL))
    page.click("text=Simpan draf")
    page.click("summary:has-text('Terbitkan')")
    page.click("#publish")
    short = page.locator("[data-error='confirm_short_notice']")
    expect(short).to_contain_text("kurang dari 48 jam pemberitahuan")
    expect(short).not_to_contain_text("confirm_short_notice")


def test_a_taken_username_is_refused_in_words(live, page: Page, engine):
    add_staff(engine, "ani", "admin")
    add_staff(engine, "eddy", "editor")
    sign_in(page, live.url, "ani")
    page.goto(f"{live.url}/staff/accounts")
    page.fill("#n-user", "eddy")
    page.fill("#n-pass", "correct-horse-9")
    page.locator("form[action='/staff/accounts'] button[type=submit]").click()
    expect(page.locator("[role=alert]")).to_have_text("Nama pengguna 'eddy' sudah dipakai.")
