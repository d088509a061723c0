"""Escalations in the browser, at desk and phone sizes: a supervisor sees the header's badge,
the escalations list and the inbox's mark, the open inbox picks a new escalation up without a
reload, nothing scrolls sideways and axe-core finds nothing serious on the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Locator, expect

from complaints.scheduled import run_pass
from db.types import utcnow
from tests.browser.pages import new_page, no_sideways_scroll, shot
from tests.browser.test_console import sign_in
from tests.browser.test_workday import SIZES, _axe
from tests.staff.factories import add_complaint, add_staff


def _shown_whole(element: Locator, container: Locator, what: str) -> None:
    """Inside its container's box: a line cut short with an ellipsis would hide it."""
    box, around = element.bounding_box(), container.bounding_box()
    assert box and around, what
    assert box["x"] + box["width"] <= around["x"] + around["width"], f"{what} is cut off"


@pytest.mark.parametrize("size", SIZES)
def test_a_supervisor_sees_an_escalation_in_the_badge_the_list_and_the_inbox(
    live, browser: Browser, engine, size
):
    add_staff(engine, "budi", "supervisor")
    # Filed now: its first response is due hours ahead, so the service's own pass (on the real
    # clock) finds nothing; the test's pass looks three days on, when both targets have passed
    # (the page, on the real clock, still counts down to the first response).
    complaint = add_complaint(engine, phone="081234567890")
    page = new_page(browser, SIZES[size])
    sign_in(page, live.url, "budi")
    page.goto(f"{live.url}/staff/inbox")
    card = page.locator(f'#inbox-list a.card[data-ticket="{complaint.ticket_number}"]')
    expect(card).to_be_visible()
    expect(card.locator("[data-escalated]")).to_have_count(0)
    expect(page.locator("[data-escalations]")).to_have_count(0)

    report = run_pass(
        engine=engine, settings=live.runtime.settings, now=utcnow() + timedelta(days=3)
    )
    assert [(e.target, e.kind) for e in report.escalations] == [
        ("first_response", "breach"),
        ("resolution", "breach"),
    ]
    # the open inbox polls its stamp, which now changes with the escalation: no reload
    mark = card.locator('[data-escalated="breach"]')
    expect(mark).to_have_text("Lewat batas", timeout=5_000)

    page.reload()  # the header's badge is drawn with the page
    badge = page.locator("#escalation-badge [data-escalations]")
    expect(badge).to_have_text("2")  # both targets passed
    expect(badge).to_be_visible()
    assert badge.evaluate("e => getComputedStyle(e).color") != "rgb(255, 255, 255)", (
        "the badge's number is readable on its light background"
    )
    _shown_whole(mark, card, "the inbox's mark")
    no_sideways_scroll(page, "the inbox")
    shot(page, f"escalation-inbox-{size}")
    page.click("#escalation-badge")
    expect(page).to_have_url(f"{live.url}/staff/escalations")
    rows = page.locator("#escalations tr[data-escalation]")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(complaint.ticket_number or "")
    expect(rows.first).to_contain_text("Lewat batas")
    expect(page.locator("#escalations-total")).to_have_text("2")
    no_sideways_scroll(page, "the escalations page")
    _axe(page, "the escalations page")
    shot(page, f"escalations-{size}")

    rows.first.locator("a").click()  # the ticket opens the complaint
    expect(page).to_have_url(f"{live.url}/staff/complaints/{complaint.id}")
    page.context.close()
