"""Staff work in a real browser against the running service and the fake Telegram API."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, select

from db.models import Contact, ServiceArea
from db.types import utcnow
from subscriptions.service import subscribe
from tests.channels.conftest import TelegramCustomer, wait_until
from tests.staff.factories import PASSWORD, add_staff

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TICKET = re.compile(r"ADU-\d{6}")
WITA = ZoneInfo("Asia/Makassar")


class LiveCustomer(TelegramCustomer):
    """A Telegram customer of the live service: the webhook is answered before the bot replies,
    so each message waits for the bot's answer to reach the fake API."""

    def send(self, **fields):
        before = len(self.service.tg.sent_messages(self.chat_id))
        update = super().send(**fields)
        wait_until(lambda: len(self.service.tg.sent_messages(self.chat_id)) > before, 15, "a reply")
        self.service.settle()
        return update


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/staff/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("header")).to_contain_text(username)


def file_complaint(customer: LiveCustomer) -> str:
    """The customer goes through the bot's complaint flow on Telegram."""
    customer.send(text="/start")
    [menu] = customer.new_messages()
    customer.send(
        callback_data=menu["callback_data"][menu["button_labels"].index("Buat pengaduan")]
    )
    [categories] = customer.new_messages()
    customer.tap(categories["callback_data"][0])  # no water
    customer.say("Tatah Bangkal")
    customer.say("Jl. Tatah Bangkal RT 3, dekat langgar")
    customer.say("lewati")
    customer.send(text="Sejak subuh air tidak keluar")
    [summary] = customer.new_messages()
    ticket = TICKET.search(customer.tap(summary["callback_data"][0]))
    assert ticket is not None, "confirming the summary gives the customer a ticket"
    return ticket.group(0)


@pytest.fixture
def page(browser: Browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_staff_answer_a_telegram_complaint_in_the_browser(live, page, engine):
    add_staff(engine, "siti", "agent")
    budi = LiveCustomer(live, 424242)
    ticket = file_complaint(budi)

    sign_in(page, live.url, "siti")
    card = page.locator(f"[data-ticket='{ticket}']")
    expect(card).to_contain_text("Air tidak mengalir")
    expect(card).to_contain_text(re.compile(r"\b\d+ menit lagi"))  # the hour's target, in words
    card.click()
    expect(page.locator("h1")).to_contain_text(ticket)
    expect(page.locator(".thread")).to_contain_text("Sejak subuh air tidak keluar")

    page.fill("#reply-text", "Petugas kami menuju Tatah Bangkal, mohon ditunggu.")
    page.click("button[name=send]")
    expect(page.locator(".flash")).to_contain_text("antrean pengiriman")
    live.settle()
    assert "Petugas kami menuju Tatah Bangkal" in budi.read()

    page.select_option("#status", "in_progress")
    page.click("#status-form summary")
    page.click("#status-confirm")
    expect(page.locator("h1 .badge")).to_have_text("Sedang ditangani")
    live.settle()
    assert f"Tiket {ticket}: status sekarang Sedang ditangani." in budi.read()
    expect(page.locator(".thread")).to_contain_text("status sekarang Sedang ditangani")


def _subscribers(live, engine) -> None:
    """Two Telegram customers of Kertak Hanyar: one for the kecamatan, one for a desa in it."""
    for chat in (5001, 5002):
        LiveCustomer(live, chat).say("halo")
    with Session(engine) as session:
        kecamatan = session.exec(
            select(ServiceArea).where(
                ServiceArea.name == "Kertak Hanyar", ServiceArea.level == "district"
            )
        ).one()
        desa = session.exec(
            select(ServiceArea).where(
                ServiceArea.kecamatan_code == kecamatan.code, ServiceArea.level != "district"
            )
        ).first()
        assert desa is not None
        contacts = session.exec(select(Contact).order_by(col(Contact.id))).all()
        first, second = contacts[0].id, contacts[1].id
        assert first is not None and second is not None
        subscribe(session=session, contact_id=first, area_code=kecamatan.code, now=utcnow())
        subscribe(session=session, contact_id=second, area_code=desa.code, now=utcnow())
        session.commit()


def test_publish_a_notice_for_kertak_hanyar_and_watch_delivery(live, page, engine):
    add_staff(engine, "eddy", "editor")
    _subscribers(live, engine)
    sign_in(page, live.url, "eddy")
    page.goto(f"{live.url}/staff/notices/new")
    page.select_option("#kind", "unplanned")
    page.fill("#title", "Pipa transmisi bocor di Jl. A. Yani km 9")
    start = utcnow().astimezone(WITA) - timedelta(minutes=5)
    page.fill("#starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#expected_end_at", (start + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"))
    page.check("input[name=urgent]")
    page.fill("#area-search", "kertak hanyr")
    page.locator("#area-results button", has_text="Kec. Kertak Hanyar").click()
    page.click("text=Simpan draf")
    expect(page.locator("[data-preview='id']")).to_contain_text("Kec. Kertak Hanyar")

    page.click("summary:has-text('Terbitkan')")
    page.click("#publish")
    expect(page.locator("#notice-status")).to_have_text("Berlangsung")
    expect(page.locator("#p-targeted")).to_have_text("2", timeout=20_000)
    expect(page.locator("#progress-percent")).to_have_text("100", timeout=20_000)
    expect(page.locator("#p-sent")).to_have_text("2")
    for chat in (5001, 5002):
        texts = [m["text"] for m in live.tg.sent_messages(chat)]
        assert sum("Pipa transmisi bocor" in t for t in texts) == 1
    page.reload()
    history = page.locator("h2:has-text('Riwayat') + .card")
    expect(history).to_contain_text("Diterbitkan")
    expect(history).to_contain_text("Dibuat")
    expect(history).not_to_contain_text("published")
    expect(page.locator("#progress-events")).to_contain_text("Penerbitan")


def test_audit_trail_and_roles_read_in_indonesian(live, page, engine):
    add_staff(engine, "ani", "admin")
    add_staff(engine, "eddy", "editor")
    sign_in(page, live.url, "ani")
    page.goto(f"{live.url}/staff/accounts")
    row = page.locator("[data-account='eddy']")
    expect(row.locator("select[name=role] option:checked")).to_have_text("Penyunting")
    row.locator("select[name=role]").select_option("agent")
    row.locator("button", has_text="Simpan").click()
    expect(page.locator(".flash")).to_contain_text("Tersimpan")
    page.goto(f"{live.url}/staff/audit")
    table = page.locator("table")
    expect(table).to_contain_text("Akun diubah")
    expect(table).to_contain_text("Peran: Penyunting → Petugas")
    expect(table).to_contain_text("Masuk")
    expect(table).not_to_contain_text("staff_update")
    expect(table).not_to_contain_text("staff.update")


def test_inbox_fits_a_phone_screen(live, browser, engine):
    add_staff(engine, "siti", "agent")
    file_complaint(LiveCustomer(live, 777))
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    sign_in(page, live.url, "siti")
    expect(page.locator("[data-ticket]")).to_have_count(1)
    width = page.evaluate("document.documentElement.scrollWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "inbox-360.png"), full_page=True)
    context.close()
    assert width <= 360, f"the inbox scrolls sideways at 360 px ({width} px wide)"
    wait_until(lambda: (ARTIFACTS / "inbox-360.png").stat().st_size > 0)
