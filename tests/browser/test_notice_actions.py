"""Notice actions in a real browser: each confirms before it acts and says whom it told, per
channel; the per-event table updates itself; restoring works before the start; the accounts page
has labelled controls and a confirmed password reset."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from sqlmodel import Session, col, select

from db.models import Contact, ServiceArea
from db.types import utcnow
from outage_notices import service as notices
from outage_notices.policy import NoticePolicy
from subscriptions.service import subscribe
from tests.browser.pages import new_page, no_sideways_scroll, shot
from tests.browser.test_console import LiveCustomer, file_complaint, sign_in
from tests.channels.conftest import PUBLIC, WhatsAppCustomer, wait_until
from tests.fakes.twilio_webhooks import signed_status_callback_form
from tests.staff.factories import add_staff

WITA = ZoneInfo("Asia/Makassar")
DESK: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
LOCAL = "%Y-%m-%dT%H:%M"


@pytest.fixture
def settings(settings):
    """Quiet hours somewhere else in the day, so the test does not depend on the clock."""
    local = utcnow().astimezone(WITA)
    quiet = {
        "quiet_hours_start": (local + timedelta(hours=3)).time(),
        "quiet_hours_end": (local + timedelta(hours=4)).time(),
    }
    return settings.model_copy(update=quiet)


def _kertak_hanyar(engine) -> str:
    with Session(engine) as session:
        area = session.exec(
            select(ServiceArea).where(
                ServiceArea.name == "Kertak Hanyar", ServiceArea.level == "district"
            )
        ).one()
        return area.code


def _subscribers(live, engine, *, whatsapp: bool) -> list[LiveCustomer]:
    """Two Telegram customers (and one on WhatsApp) subscribed to Kec. Kertak Hanyar."""
    telegram = [LiveCustomer(live, chat) for chat in (6101, 6102)]
    for customer in telegram:
        customer.say("halo")
    if whatsapp:
        WhatsAppCustomer(live, "+6281255500001").say("halo")
    code = _kertak_hanyar(engine)
    with Session(engine) as session:
        for contact_id in session.exec(select(col(Contact.id))).all():
            assert contact_id is not None
            subscribe(session=session, contact_id=contact_id, area_code=code, now=utcnow())
        session.commit()
    return telegram


def _draft(live, engine, *, start_in: timedelta, urgent: bool = True) -> int:
    policy = NoticePolicy.from_settings(live.runtime.settings)
    now = utcnow()
    with Session(engine) as session:
        data = notices.NoticeInput(
            kind="unplanned",
            title="Pipa transmisi bocor di Jl. A. Yani km 9",
            areas=[_kertak_hanyar(engine)],
            starts_at=now + start_in,
            expected_end_at=now + start_in + timedelta(hours=6),
            urgent=urgent,
        )
        notice = notices.create(session=session, data=data, policy=policy, now=now)
        session.commit()
        assert notice.id is not None
        return notice.id


def _twilio_says(live, sent: dict, status: str) -> None:
    """Twilio's signed status callback for a message it accepted, posted to the live service
    (signed for the public address the service knows itself by)."""
    callback = sent["status_callback"]
    assert callback and callback.startswith(PUBLIC), callback
    form, headers = signed_status_callback_form(
        callback,
        live.tw.auth_token,
        message_sid=sent["sid"],
        status=status,
        to=sent["to"],
        from_=sent["from"] or "",
        account_sid=live.tw.account_sid,
    )
    response = live.client.post(callback.removeprefix(PUBLIC), data=form, headers=headers)
    assert response.status_code in {200, 204}, response.text


def _confirm(page: Page, summary: str, button: str) -> None:
    """A confirmation: the action's button is hidden until its disclosure is opened."""
    expect(page.locator(button)).to_be_hidden()
    page.click(f"summary:has-text('{summary}')")
    page.click(button)


def test_notice_actions_confirm_say_whom_they_told_and_the_table_updates_itself(
    live, browser, engine
):
    add_staff(engine, "eddy", "editor")
    _subscribers(live, engine, whatsapp=True)
    notice_id = _draft(live, engine, start_in=timedelta(minutes=-10))
    page = new_page(browser, DESK)
    sign_in(page, live.url, "eddy")
    page.goto(f"{live.url}/staff/notices/{notice_id}")
    _confirm(page, "Terbitkan", "#publish")
    told = "Dikirim ke 3 pelanggan: 2 Telegram, 1 WhatsApp."
    expect(page.locator(".flash")).to_have_text(told)
    page.evaluate("window.stillThisPage = true")

    rows = page.locator("#progress-rows")
    telegram = rows.locator("tr[data-event='publish'][data-channel='telegram']")
    whatsapp = rows.locator("tr[data-event='publish'][data-channel='whatsapp']")
    expect(telegram.locator("[data-count='sent']")).to_have_text("2", timeout=20_000)
    expect(telegram.locator("[data-count='delivered']")).to_have_text("—")
    expect(telegram.locator("[data-count='delivered']")).to_have_attribute(
        "title",
        "— Telegram tidak mengirim tanda terima: untuk Telegram hanya diketahui "
        "terkirim atau gagal. Diterima dan dibaca dilaporkan oleh WhatsApp.",
    )
    expect(whatsapp.locator("[data-count='sent']")).to_have_text("1", timeout=20_000)
    [sent] = [m for m in live.tw.sent_messages() if "Pipa transmisi" in (m["body"] or "")]
    _twilio_says(live, sent, "read")
    expect(whatsapp.locator("[data-count='read']")).to_have_text("1", timeout=15_000)
    expect(whatsapp.locator("[data-count='delivered']")).to_have_text("1")
    assert page.evaluate("window.stillThisPage") is True, "the counts came without a reload"
    shot(page, "notice-published-desk")

    end = (utcnow() + timedelta(hours=9)).astimezone(WITA).strftime(LOCAL)
    page.fill("#new-end", end)
    page.fill("#extend-text", "Penggantian pipa butuh waktu lebih lama")
    page.click("form[action$='/extend'] button[type=submit]")
    expect(page.locator(".flash")).to_have_text(told)
    expect(page.locator("label[for='extend-text']")).to_have_text(
        "Keterangan perpanjangan untuk pelanggan (boleh kosong)"
    )
    labels = page.locator("label[for$='-text']").all_text_contents()
    assert len(labels) == len(set(labels)) == 3, labels
    rows_extend = rows.locator("tr[data-event='extend_1'][data-channel='telegram']")
    expect(rows_extend.locator("[data-count='sent']")).to_have_text("2", timeout=20_000)

    expect(page.locator("#cancel")).to_be_hidden()  # cancelling, too, asks first
    _confirm(page, "Air sudah normal", "#restore")
    expect(page.locator(".flash")).to_have_text(told)
    expect(page.locator("#notice-status")).to_have_text("Pulih")
    shot(page, "notice-restored-desk")

    phone = new_page(browser, PHONE)
    sign_in(phone, live.url, "eddy")
    phone.goto(f"{live.url}/staff/notices/{notice_id}")
    expect(phone.locator("#progress-rows tr")).to_have_count(6)
    shot(phone, "notice-restored-phone")
    no_sideways_scroll(phone, "the notice page")
    phone.context.close()
    page.context.close()


def test_a_scheduled_notice_is_restored_before_it_starts_and_customers_hear_it_is_off(
    live, browser, engine
):
    add_staff(engine, "eddy", "editor")
    budi, _ = _subscribers(live, engine, whatsapp=False)
    notice_id = _draft(live, engine, start_in=timedelta(hours=4))
    page = new_page(browser, PHONE)
    sign_in(page, live.url, "eddy")
    page.goto(f"{live.url}/staff/notices/{notice_id}")
    _confirm(page, "Terbitkan", "#publish")
    expect(page.locator(".flash")).to_have_text("Dikirim ke 2 pelanggan: 2 Telegram.")
    expect(page.locator("#notice-status")).to_have_text("Terjadwal")
    wait_until(lambda: "Pipa transmisi bocor" in budi.read(), 20, "the notice")
    sent = page.locator("#progress-rows tr[data-channel='telegram'] [data-count='sent']")
    expect(sent).to_have_text("2", timeout=20_000)
    page.click("summary:has-text('Air sudah normal')")
    expect(page.locator("form[action$='/restore'] details p")).to_contain_text("tidak jadi")
    shot(page, "notice-restore-early-phone")
    no_sideways_scroll(page, "the notice page")
    page.click("#restore")
    expect(page.locator(".flash")).to_have_text("Dikirim ke 2 pelanggan: 2 Telegram.")
    wait_until(lambda: "Tidak jadi" in budi.read(), 20, "the called-off message")
    page.context.close()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_accounts_have_labelled_controls_and_a_confirmed_password_reset(
    live, browser, engine, size
):
    add_staff(engine, "ani", "admin")
    add_staff(engine, "eddy", "editor")
    page = new_page(browser, DESK if size == "desk" else PHONE)
    sign_in(page, live.url, "ani")
    page.goto(f"{live.url}/staff/accounts")
    row = page.locator("[data-account='eddy']")
    active = row.locator("select[name=active]")
    expect(active.locator("option")).to_have_text(["Aktif", "Nonaktif"])
    label_for = page.locator(f"label[for='{active.get_attribute('id')}']")
    expect(label_for).to_contain_text("Status akun eddy")
    expect(page.locator("body")).not_to_contain_text("✓")
    no_sideways_scroll(page, "the accounts page")
    shot(page, f"accounts-{size}")

    expect(row.locator("[data-reset-confirm]")).to_be_hidden()
    row.locator("[data-reset] summary").click()
    expect(row.locator("[data-reset] details p")).to_contain_text("eddy")
    row.locator("[data-reset-confirm]").click()
    flash = page.locator(".flash")
    expect(flash).to_contain_text("Kata sandi sementara")
    expect(flash).not_to_contain_text("token")
    expect(flash.locator("[data-secret]")).to_contain_text("eddy: ")
    page.context.close()


@pytest.mark.parametrize("size", ["desk", "phone"])
def test_the_hand_off_list_tells_waiting_customers_apart_and_phone_filters_fold_away(
    live, browser, engine, size
):
    add_staff(engine, "sri", "supervisor")
    budi = LiveCustomer(live, 6201)
    budi.say("Air di rumah saya keruh sekali sejak kemarin")
    file_complaint(LiveCustomer(live, 6202))
    with Session(engine) as session:
        contact = session.exec(select(Contact).where(Contact.channel_user_id == "6201")).one()
        contact.needs_human, contact.needs_human_since = True, utcnow() - timedelta(minutes=75)
        session.add(contact)
        session.commit()
        contact_id = contact.id
    page = new_page(browser, DESK if size == "desk" else PHONE)
    sign_in(page, live.url, "sri")
    if size == "phone":
        expect(page.locator("details.filters")).not_to_have_attribute("open", "")
        expect(page.locator("details.filters select").first).to_be_hidden()
        first = page.locator("#inbox-list a.card").first.bounding_box()
        assert first and first["y"] + first["height"] <= PHONE["height"], "a complaint on screen 1"
        shot(page, "inbox-filters-folded-phone")
    page.goto(f"{live.url}/staff/people")
    card = page.locator(f"[data-contact='{contact_id}']")
    expect(card).to_contain_text("Budi Santoso")
    expect(card).to_contain_text("Telegram")
    expect(card.locator("[data-last-words]")).to_contain_text("keruh sekali")
    expect(card.locator("[data-waiting]")).to_contain_text("menunggu 1 jam 15 menit")
    shot(page, f"people-{size}")
    no_sideways_scroll(page, "the hand-off list")
    page.context.close()
