"""A notice end to end through the real service, the real libraries and the provider fakes.

Staff create and publish a notice for Sungai Tabuk through /api/v1/notices; the service's own
dispatcher (APScheduler, database lease) fans it out into the outbox and the sender delivers
it to the fake Telegram and Twilio APIs; the conversation engine answers and links complaints.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import Session, col

from db.models import Complaint, Contact, Message, Subscription
from tests.channels.conftest import (  # noqa: F401  (fixtures)
    TelegramCustomer,
    WhatsAppCustomer,
    make_service,
    wait_until,
)
from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401

TOKEN = "e2e-admin-token-0123456789"
SUNGAI_TABUK, LOK_BAINTAN, GAMBUT = "63.03.04", "63.03.04.2004", "63.03.03"


def subscribe(engine, channel: str, user_id: str, area: str) -> int:
    with Session(engine, expire_on_commit=False) as session:
        contact = Contact(channel=channel, channel_user_id=user_id)
        session.add(contact)
        session.flush()
        assert contact.id is not None
        session.add(Subscription(contact_id=contact.id, area_code=area))
        session.commit()
        return contact.id


def events(engine, contact_id: int) -> list[str | None]:
    with Session(engine) as session:
        rows = session.scalars(
            select(col(Message.notice_event))
            .where(col(Message.contact_id) == contact_id, col(Message.notice_id).is_not(None))
            .order_by(col(Message.id))
        )
        return list(rows)


def delivered(engine, contact_id: int) -> list[str | None]:
    with Session(engine) as session:
        rows = session.scalars(
            select(col(Message.notice_event)).where(
                col(Message.contact_id) == contact_id,
                col(Message.notice_id).is_not(None),
                col(Message.status).in_(("sent", "delivered", "read")),
            )
        )
        return sorted(rows, key=str)  # notice messages all have an event; str only types it


def ask(customer: TelegramCustomer, text: str) -> str:
    """Send and wait for the bot's answer (the webhook acknowledges before it processes)."""
    customer.send(text=text)
    return wait_until(customer.read, 20, f"an answer to {text!r}")


def test_a_notice_reaches_subscribers_once_per_event_and_meets_a_complaint(make_service):  # noqa: F811
    service = make_service(
        quiet_hours_start=time(0),  # no quiet hours: the test may run at any time of day
        quiet_hours_end=time(0),
        admin_api_token=SecretStr(TOKEN),
        twilio_template_reminder_sid="HX0000000000000000000000000reminder",
        twilio_template_restored_sid="HX0000000000000000000000000restored",
    )
    engine, api = service.engine, {"Authorization": f"Bearer {TOKEN}"}
    on_telegram = subscribe(engine, "telegram", "7001", SUNGAI_TABUK)
    on_whatsapp = subscribe(engine, "whatsapp", "whatsapp:+6281111111111", LOK_BAINTAN)
    in_gambut = subscribe(engine, "telegram", "7003", GAMBUT)
    telegram_subscriber = TelegramCustomer(service, 7001)
    now = datetime.now(UTC)
    created = service.client.post(
        "/api/v1/notices",
        headers=api,
        json={
            "kind": "planned",
            "title": "Penggantian katup transmisi",
            "areas": [SUNGAI_TABUK],
            "starts_at": (now + timedelta(hours=1, seconds=4)).isoformat(),
            "expected_end_at": (now + timedelta(hours=6)).isoformat(),
            "advice": "Mobil tangki di Kantor Desa Lok Baintan",
            "reminder_hours": "1",
        },
    )
    assert created.status_code == 201, created.text
    notice_id = created.json()["id"]
    url = f"/api/v1/notices/{notice_id}"
    published = service.client.post(
        f"{url}/publish", headers=api, json={"confirm_short_notice": True}
    )
    assert published.json()["short_notice"] is True

    def got(*expected):
        return lambda: all(
            delivered(engine, c) == sorted(expected) for c in (on_telegram, on_whatsapp)
        )

    wait_until(got("publish"), 20, "the publish message on both channels")
    assert "Penggantian katup transmisi" in telegram_subscriber.read()
    wait_until(got("publish", "reminder_1h"), 30, "the reminder an hour before the start")
    assert "Pengingat, 1 jam lagi" in telegram_subscriber.read()

    # The crew starts early: an edit moves the start, and sends nothing again.
    moved = service.client.patch(
        url, headers=api, json={"starts_at": (now - timedelta(minutes=5)).isoformat()}
    )
    assert moved.status_code == 200, moved.text

    asker = TelegramCustomer(service, 7005, name="Siti")
    answer = ask(asker, "ada gangguan di lok baintan?")
    assert "Penggantian katup transmisi" in answer

    reporter = TelegramCustomer(service, 7004, name="Rahmat")
    for text in ("air mati di lok baintan", "ya", "Lok Baintan RT 1", "lewati", "mati total"):
        ask(reporter, text)
    filed = ask(reporter, "kirim")
    assert "sedang mengalami gangguan yang sudah kami ketahui" in filed
    with Session(engine) as session:
        complaint = session.scalars(select(Complaint)).one()
    assert complaint.notice_id == notice_id

    restored = service.client.post(f"{url}/restore", headers=api, json={"text": "Katup terpasang"})
    assert restored.json()["status"] == "restored"
    wait_until(got("publish", "reminder_1h", "restore"), 30, "the restoration message")
    assert "Air sudah mengalir kembali" in telegram_subscriber.read()
    question = wait_until(reporter.read, 20, "the question to the complainant")
    assert "Apakah air di tempat Anda sudah mengalir?" in question
    assert "kami buka kembali" in ask(reporter, "belum, masih mati")
    with Session(engine) as session:
        assert session.get(Complaint, complaint.id).status == "in_progress"

    assert events(engine, on_telegram) == ["publish", "reminder_1h", "restore"]
    assert events(engine, on_whatsapp) == ["publish", "reminder_1h", "restore"]
    assert events(engine, in_gambut) == []
    assert service.tg.sent_messages(7003) == []
    assert len(service.tw.sent_messages(to="whatsapp:+6281111111111")) == 3
    shown = service.client.get(url, headers=api).json()
    assert shown["delivery"]["targeted"] == 7  # 2 subscribers x 3 events + 1 question
    assert shown["linked_complaint_ids"] == [complaint.id]
