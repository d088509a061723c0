"""Working complaints in the console: inbox order and filters, the complaint page, actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from db.models import Contact, Message
from db.types import utcnow
from tests.staff.factories import add_complaint, console_app, csrf_of, signed_in


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def _area(engine, name: str) -> str:
    from db.models import ServiceArea

    with Session(engine) as session:
        code = session.exec(select(ServiceArea.code).where(ServiceArea.name == name)).first()
    assert code is not None, name
    return code


def test_inbox_puts_the_complaint_nearest_its_target_first(app, engine):
    now = utcnow()
    billing = add_complaint(engine, category="billing", now=now - timedelta(hours=2))
    no_water = add_complaint(
        engine, category="no_water", user_id="2", now=now - timedelta(minutes=50)
    )
    client = signed_in(app, engine, "siti", "agent")
    page = client.get("/staff/inbox").text
    assert page.index(no_water.ticket_number) < page.index(billing.ticket_number)
    assert "10 menit lagi" in page or "9 menit lagi" in page or "11 menit lagi" in page
    assert 'data-status-count="received">Diterima: 2' in page


def test_inbox_filters_by_kecamatan_category_and_channel(app, engine):
    tatah = _area(engine, "Tatah Bangkal")
    gambut = _area(engine, "Gambut")
    a = add_complaint(engine, area_code=tatah)
    b = add_complaint(engine, area_code=gambut, user_id="2", channel="whatsapp", category="leak")
    client = signed_in(app, engine, "siti", "agent")
    tatah_makmur = _area(engine, "Tatah Makmur")
    page = client.get(f"/staff/inbox?kecamatan={tatah_makmur}").text
    assert a.ticket_number in page and b.ticket_number not in page
    page = client.get("/staff/inbox?category=leak&channel=whatsapp").text
    assert b.ticket_number in page and a.ticket_number not in page
    page = client.get("/staff/inbox?assignee=none&status=bogus&category=<script>").text
    assert a.ticket_number in page


def test_complaint_page_reply_reaches_the_outbox(app, engine):
    complaint = add_complaint(engine, phone="+6281234567890")
    client = signed_in(app, engine, "siti", "agent")
    page = client.get(f"/staff/complaints/{complaint.id}")
    assert "+62 812-****-7890" in page.text and "3456" not in page.text
    assert "Tampilkan nomor" not in page.text  # agents cannot reveal
    response = client.post(
        f"/staff/complaints/{complaint.id}/reply",
        data={"csrf_token": csrf_of(page.text), "text": "Petugas menuju lokasi"},
    )
    assert response.status_code == 200
    assert "Pesan masuk antrean pengiriman" in response.text
    assert "Petugas menuju lokasi" in response.text
    with Session(engine) as session:
        [message] = session.exec(select(Message).where(Message.direction == "out")).all()
        assert message.status == "pending"


def test_bad_status_change_shows_the_reason_not_a_500(app, engine):
    complaint = add_complaint(engine)
    client = signed_in(app, engine, "siti", "agent")
    token = csrf_of(client.get(f"/staff/complaints/{complaint.id}").text)
    response = client.post(
        f"/staff/complaints/{complaint.id}/status", data={"csrf_token": token, "status": "rejected"}
    )
    assert response.status_code == 400
    assert "Alasan tidak boleh kosong." in response.text
    response = client.post(
        f"/staff/complaints/{complaint.id}/assign", data={"csrf_token": token, "assignee_id": "abc"}
    )
    assert response.status_code == 400 and "Tidak ada petugas dengan nama itu." in response.text
    assert client.get("/staff/complaints/99999").status_code == 404


def test_supervisor_reveals_a_number_and_it_is_audited(app, engine):
    complaint = add_complaint(engine, phone="081234567890")
    client = signed_in(app, engine, "sari", "supervisor")
    assert "+62 812-3456-7890" in client.get(f"/staff/complaints/{complaint.id}?reveal=1").text
    assert 'data-action="phone.reveal"' in client.get("/staff/audit").text


def test_editor_cannot_work_complaints(app, engine):
    complaint = add_complaint(engine)
    client = signed_in(app, engine, "eddy", "editor")
    assert client.get("/staff/inbox").status_code == 403
    assert client.get(f"/staff/complaints/{complaint.id}").status_code == 403


def test_asked_for_a_person_is_listed_answered_and_settled(app, engine):
    with Session(engine) as session:
        contact = Contact(
            channel="telegram",
            channel_user_id="777",
            display_name="Pak Udin",
            needs_human=True,
            needs_human_since=utcnow(),
        )
        session.add(contact)
        session.commit()
        contact_id = contact.id
    client = signed_in(app, engine, "siti", "agent")
    assert "Pak Udin" in client.get("/staff/people").text
    page = client.get(f"/staff/people/{contact_id}")
    token = csrf_of(page.text)
    response = client.post(
        f"/staff/people/{contact_id}/reply",
        data={"csrf_token": token, "text": "Halo Pak, ada yang bisa dibantu?"},
    )
    assert "Pesan dari petugas" in response.text
    client.post(f"/staff/people/{contact_id}/done", data={"csrf_token": token})
    assert "Tidak ada yang menunggu" in client.get("/staff/people").text


def test_supervisor_edits_a_response_target(app, engine):
    client = signed_in(app, engine, "sari", "supervisor")
    token = csrf_of(client.get("/staff/targets").text)
    response = client.post(
        "/staff/targets/billing",
        data={"csrf_token": token, "first_response_minutes": "90", "resolution_minutes": "30"},
    )
    assert response.status_code == 400 and "resolution" in response.text
    response = client.post(
        "/staff/targets/billing",
        data={"csrf_token": token, "first_response_minutes": "90", "resolution_minutes": "3000"},
    )
    assert response.status_code == 200 and 'value="90"' in response.text
