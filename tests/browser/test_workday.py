"""A working day in the console at desk and phone sizes: disruptions for every role, the live
inbox with search and keys, the complaint page, error pages, no sideways scrolling, axe-core."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect
from sqlmodel import Session, select

from db.models import ServiceArea
from db.types import utcnow
from outage_notices import service as notices
from outage_notices.policy import NoticePolicy
from tests.browser.pages import new_page, no_sideways_scroll, shot
from tests.browser.test_console import LiveCustomer, file_complaint, sign_in
from tests.channels.conftest import TelegramCustomer
from tests.staff.factories import add_complaint, add_staff

DESK: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
SIZES = {"desk": DESK, "phone": PHONE}
AXE = (
    Path(__file__).resolve().parents[2] / "var" / "js" / "node_modules" / "axe-core" / "axe.min.js"
)


def _axe(page: Page, what: str) -> None:
    """No serious or critical accessibility violation on the page, by axe-core."""
    assert AXE.exists(), "axe-core is missing: run `make browser-deps`"
    page.evaluate(AXE.read_text())  # through the debugging protocol: the page's CSP stays on
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not bad, f"{what}: " + "; ".join(bad)


def _kecamatan(engine, name: str) -> ServiceArea:
    with Session(engine) as session:
        return session.exec(
            select(ServiceArea).where(ServiceArea.name == name, ServiceArea.level == "district")
        ).one()


def _live_notice(live, engine, title: str, kecamatan: str) -> int:
    """A disruption under way in a kecamatan, published through the service."""
    policy = NoticePolicy.from_settings(live.runtime.settings)
    area = _kecamatan(engine, kecamatan)
    now = utcnow()
    with Session(engine) as session:
        data = notices.NoticeInput(
            kind="unplanned",
            title=title,
            areas=[area.code],
            starts_at=now - timedelta(minutes=30),
            expected_end_at=now + timedelta(hours=5),
            urgent=True,
        )
        notice = notices.create(session=session, data=data, policy=policy, now=now)
        assert notice.id is not None
        notices.publish(session=session, notice_id=notice.id, policy=policy, now=now)
        session.commit()
        return notice.id


@pytest.mark.parametrize("size", SIZES)
def test_an_agent_answers_is_the_water_off_in_my_area(live, browser, engine, size):
    add_staff(engine, "siti", "agent")
    notice_id = _live_notice(live, engine, "Pipa bocor di Jl. A. Yani km 9", "Kertak Hanyar")
    page = new_page(browser, SIZES[size])
    sign_in(page, live.url, "siti")
    page.click("header nav >> text=Pemberitahuan")
    page.fill("#area", "kertak hanyr")  # a typo, as callers spell it
    page.click("#area-question button[type=submit]")
    found = page.locator(f"[data-disruption='{notice_id}']")
    expect(found).to_contain_text("Pipa bocor")
    expect(found).to_contain_text("sedang berlangsung")
    expect(page.locator("text=/Tanggapan|Terbitkan/")).to_have_count(0)
    shot(page, f"notices-area-{size}")
    no_sideways_scroll(page, "the notices page")

    page.fill("#area", "Gambut")
    page.click("#area-question button[type=submit]")
    expect(page.locator("[data-area-clear]")).to_contain_text("Tidak ada gangguan")

    found = page.goto(f"{live.url}/staff/notices/{notice_id}")
    expect(page.locator("[data-read-only]")).to_be_visible()
    expect(page.locator("#publish, #cancel, #restore")).to_have_count(0)
    no_sideways_scroll(page, "a notice's page")
    page.context.close()


def test_a_customer_message_appears_in_the_open_inbox_within_two_seconds(live, browser, engine):
    add_staff(engine, "siti", "agent")
    budi = LiveCustomer(live, 515151)
    ticket = file_complaint(budi)
    page = new_page(browser, DESK)
    sign_in(page, live.url, "siti")
    card = page.locator(f"[data-ticket='{ticket}']")
    expect(card).to_be_visible()
    url = page.url

    TelegramCustomer.send(budi, text="Pak, sampai sekarang air masih mati")
    started = time.monotonic()
    expect(card.locator("[data-last-words]")).to_contain_text("air masih mati", timeout=2_000)
    assert time.monotonic() - started < 2.0
    assert page.url == url  # no reload, no navigation

    ani = LiveCustomer(live, 525252)
    second = file_complaint(ani)
    expect(page.locator(f"[data-ticket='{second}']")).to_be_visible(timeout=2_000)
    shot(page, "inbox-live-desk")
    page.context.close()


def test_inbox_search_keys_paging_and_density(live, browser, engine):
    add_staff(engine, "siti", "agent")
    for n in range(60):
        add_complaint(engine, user_id=f"77{n:04d}", phone=f"0812555{n:04d}")
    special = add_complaint(engine, user_id="990001", phone="081399887766")
    page = new_page(browser, DESK)
    sign_in(page, live.url, "siti")
    cards = page.locator("#inbox-list a.card")
    expect(cards).to_have_count(50)
    visible = page.evaluate(
        "[...document.querySelectorAll('#inbox-list a.card')]"
        ".filter(c => c.getBoundingClientRect().bottom <= innerHeight).length"
    )
    assert visible >= 8, f"only {visible} complaints fit a 768 px screen"
    shot(page, "inbox-desk")

    page.keyboard.press("j")
    page.keyboard.press("j")
    first = cards.nth(1).get_attribute("data-ticket")
    assert page.evaluate("document.activeElement.dataset.ticket") == first
    page.keyboard.press("k")
    assert page.evaluate("document.activeElement.dataset.ticket") == cards.nth(0).get_attribute(
        "data-ticket"
    )

    page.click("a[rel=next]")
    expect(cards).to_have_count(11)
    expect(page.locator("#inbox-total")).to_contain_text("Halaman 2 dari 2")

    page.keyboard.press("/")
    page.keyboard.type("9988 7766")
    page.keyboard.press("Enter")
    expect(cards).to_have_count(1)
    expect(cards.first).to_have_attribute("data-ticket", special.ticket_number or "")
    page.fill("#q", special.ticket_number or "")
    page.press("#q", "Enter")
    expect(cards).to_have_count(1)
    page.context.close()


@pytest.mark.parametrize("size", SIZES)
def test_the_complaint_page_is_laid_out_for_work(live, browser, engine, size):
    add_staff(engine, "sri", "supervisor")
    notice_id = _live_notice(live, engine, "Perbaikan pompa Tatah", "Kertak Hanyar")
    old = add_complaint(engine, user_id="880001", phone="081234567890")
    complaint = add_complaint(engine, user_id="880001")
    with Session(engine) as session:
        from db.models import Complaint

        row = session.get(Complaint, complaint.id)
        assert row is not None
        row.notice_id = notice_id
        session.add(row)
        session.commit()
    page = new_page(browser, SIZES[size])
    sign_in(page, live.url, "sri")
    page.goto(f"{live.url}/staff/complaints/{complaint.id}")
    summary = page.locator(".summary")
    expect(summary).to_contain_text("Ibu Siti")
    expect(summary.locator("[data-phone]")).to_have_text("+62 812-****-7890")
    expect(summary).to_contain_text(re.compile(r"\d+ (jam|menit|hari)"))
    expect(summary.locator("[data-other-complaints] a")).to_have_text(old.ticket_number or "")
    expect(summary.locator("[data-linked-notice]")).to_have_attribute(
        "href", f"/staff/notices/{notice_id}"
    )
    expect(page.locator("#status option:checked")).to_have_text("Sedang ditangani")
    expect(page.locator("#status-confirm")).to_be_hidden()
    note_top = page.locator("#note-text").bounding_box()
    thread_top = page.locator(".thread").bounding_box()
    assert note_top and thread_top
    if size == "desk":
        assert note_top["y"] < thread_top["y"], "notes sit beside the transcript, not below it"
    shot(page, f"complaint-{size}")
    no_sideways_scroll(page, "the complaint page")

    page.click("text=Tampilkan nomor")
    expect(summary.locator("[data-phone]")).to_have_text("+62 812-3456-7890")
    page.select_option("#status", "resolved")
    page.click("#status-form summary")
    expect(page.locator("#status-confirm")).to_be_visible()
    page.click("#status-confirm")
    expect(page.locator("h1 .badge").first).to_have_text("Selesai ditangani")
    expect(page.locator("#status option:checked")).to_have_text("— pilih status —")
    page.context.close()


def test_console_errors_are_pages_in_indonesian(live, browser, engine):
    add_staff(engine, "siti", "agent")
    page = new_page(browser, PHONE)
    sign_in(page, live.url, "siti")
    missing = page.goto(f"{live.url}/staff/no-such-page")
    assert missing is not None and missing.status == 404
    expect(page.locator("[role=alert]")).to_contain_text("tidak ada")
    expect(page.locator("header")).to_contain_text("siti")
    refused = page.goto(f"{live.url}/staff/accounts")
    assert refused is not None and refused.status == 403
    expect(page.locator("[role=alert]")).to_contain_text("tidak berhak")
    bad = page.goto(f"{live.url}/staff/inbox?page=abc")
    assert bad is not None and bad.status == 422
    expect(page.locator("[role=alert]")).to_contain_text("tidak sah")
    shot(page, "error-422-phone")
    api = page.goto(f"{live.url}/api/v1/no-such-thing")
    assert api is not None and api.status == 404 and "Not Found" in page.content()
    page.context.close()


PAGES = (
    "/staff/inbox",
    "/staff/people",
    "/staff/people/{contact}",
    "/staff/notices",
    "/staff/notices/new",
    "/staff/notices/{notice}",
    "/staff/notices/{notice}/edit",
    "/staff/complaints/{complaint}",
    "/staff/reports",
    "/staff/audit",
    "/staff/accounts",
    "/staff/targets",
    "/staff/answers",
    "/staff/answers/new",
    "/staff/escalations",
    "/staff/password",
    "/staff/outbox/unknown",
)


@pytest.mark.parametrize("size", SIZES)
def test_no_console_page_scrolls_sideways_and_axe_finds_nothing_serious(
    live, browser, engine, size
):
    add_staff(engine, "ani", "admin")
    notice_id = _live_notice(live, engine, "Gangguan di Kertak Hanyar", "Kertak Hanyar")
    complaint = add_complaint(engine, phone="081234567890")
    page = new_page(browser, SIZES[size])
    page.goto(f"{live.url}/staff/login")
    no_sideways_scroll(page, "the sign-in page")
    _axe(page, "the sign-in page")
    shot(page, f"page-login-{size}")
    sign_in(page, live.url, "ani")
    for path in PAGES:
        address = path.format(
            notice=notice_id, complaint=complaint.id, contact=complaint.contact_id
        )
        response = page.goto(live.url + address)
        assert response is not None and response.status == 200, address
        no_sideways_scroll(page, address)
        shot(
            page,
            "page-" + re.sub(r"\W+", "-", path.removeprefix("/staff/")).strip("-") + f"-{size}",
        )
        if path in {
            "/staff/inbox",
            "/staff/notices/{notice}",
            "/staff/complaints/{complaint}",
            "/staff/reports",
            "/staff/notices",
        }:
            _axe(page, address)
    page.goto(f"{live.url}/staff/reports")
    shot(page, f"reports-{size}")
    header = page.locator("header").bounding_box()
    assert header and header["height"] < 80, "the header stays compact (two rows at most)"
    page.context.close()
