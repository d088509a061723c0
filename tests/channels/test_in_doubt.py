"""Messages in doubt (channels/in_doubt.py): counted beside sent and failed, listed in the API
and the console, and resent on a person's word, audited.

Before, a row caught mid-send by a crash became 'unknown' and nobody saw it: after kill -9 at
70 % of a 3,000-subscriber notice the API said `sent 2996, failed 0, pending 0` for 3,000
targeted, and the 4 missing messages were listed nowhere.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from db.models import AuditLog, Message
from db.types import utcnow
from tests.outage_notices.builders import LOK_BAINTAN, add_contact, new_notice
from tests.staff.factories import (
    add_complaint,
    add_staff,
    api_token,
    console_app,
    csrf_of,
    signed_in,
)

TWICE_ID = "pelanggan mungkin menerimanya dua kali"


@pytest.fixture
def app(settings, engine):
    return console_app(settings, engine)


def _api(app, engine, username: str, role: str) -> TestClient:
    client = TestClient(app)
    client.headers["Authorization"] = (
        f"Bearer {api_token(engine, add_staff(engine, username, role))}"
    )
    return client


def _crash_leftovers(engine) -> dict[str, int]:
    """A notice to four subscribers (sent, failed, unknown, pending) and a complaint reply
    left unknown, to a WhatsApp customer; returns the rows' ids by name."""
    with Session(engine, expire_on_commit=False) as session:
        contacts = [
            add_contact(session, f"70{n}", LOK_BAINTAN, channel="telegram") for n in range(3)
        ]
        contacts.append(
            add_contact(session, "whatsapp:+6281234567890", LOK_BAINTAN, channel="whatsapp")
        )
        notice = new_notice(session, now=utcnow())
        statuses = ["sent", "failed", "unknown", "pending"]
        rows = {
            status: Message(contact_id=contact.id or 0, direction="out", channel=contact.channel,
                            text=f"Gangguan air ({status})", status=status,
                            notice_id=notice.id, notice_event="publish")
            for contact, status in zip(contacts, statuses, strict=True)
        }  # fmt: skip
        session.add_all(rows.values())
        session.commit()
    complaint = add_complaint(engine, channel="whatsapp", user_id="whatsapp:+6281298765432")
    with Session(engine) as session:
        reply = Message(contact_id=complaint.contact_id, direction="out", channel="whatsapp",
                        text="Petugas kami menuju lokasi", status="unknown",
                        complaint_id=complaint.id)  # fmt: skip
        session.add(reply)
        session.commit()
        ids = {name: row.id for name, row in rows.items()} | {"reply": reply.id}
    return {name: i for name, i in ids.items() if i is not None} | {"notice": notice.id or 0}


def _status(engine, message_id: int) -> str:
    with Session(engine) as session:
        row = session.get(Message, message_id)
        assert row is not None
        return row.status


def _audit(engine, action: str) -> list[AuditLog]:
    with Session(engine) as session:
        return list(session.exec(select(AuditLog).where(col(AuditLog.action) == action)))


def test_the_notices_api_counts_unknown_beside_sent_and_failed(app, engine):
    ids = _crash_leftovers(engine)
    admin = _api(app, engine, "eka", "admin")
    detail = admin.get(f"/api/v1/notices/{ids['notice']}").json()
    delivery = detail["delivery"]
    assert {k: delivery[k] for k in ("targeted", "sent", "failed", "pending", "unknown")} == {
        "targeted": 4, "sent": 1, "failed": 1, "pending": 1, "unknown": 1,
    }  # fmt: skip


def test_supervisors_list_unknown_messages_and_resend_them_audited(app, engine):
    ids = _crash_leftovers(engine)
    admin = _api(app, engine, "eka", "supervisor")
    listed = admin.get("/api/v1/outbox/unknown").json()
    assert [m["id"] for m in listed] == [ids["unknown"], ids["reply"]]
    notice_row, reply = listed
    assert (notice_row["notice_id"], notice_row["notice_event"]) == (ids["notice"], "publish")
    assert reply["ticket"] == "ADU-000001" and reply["recipient"] == "+62 812-****-5432"
    only_notice = admin.get("/api/v1/outbox/unknown", params={"notice_id": ids["notice"]})
    assert [m["id"] for m in only_notice.json()] == [ids["unknown"]]
    agent = _api(app, engine, "siti", "agent")
    assert agent.get("/api/v1/outbox/unknown").status_code == 403
    assert (
        agent.post("/api/v1/outbox/unknown/resend", json={"ids": [ids["reply"]]}).status_code == 403
    )

    resent = admin.post("/api/v1/outbox/unknown/resend", json={"ids": [ids["reply"], ids["sent"]]})
    assert resent.status_code == 200 and resent.json() == {"resent": [ids["reply"]]}
    assert _status(engine, ids["reply"]) == "pending"
    assert _status(engine, ids["sent"]) == "sent"  # only unknown rows are touched
    [line] = _audit(engine, "message.resend")
    assert line.detail == {"messages": [ids["reply"]], "via": "api"}
    assert line.target_id == str(ids["reply"])

    again = admin.post("/api/v1/outbox/unknown/resend", json={"ids": [ids["reply"]]})
    assert again.status_code == 422
    assert len(_audit(engine, "message.resend")) == 1  # a refused resend leaves no line


def test_the_console_shows_unknown_messages_warns_and_resends(app, engine):
    ids = _crash_leftovers(engine)
    client = signed_in(app, engine, "sari", "supervisor")
    notice_page = client.get(f"/staff/notices/{ids['notice']}").text
    assert 'id="p-unknown">1<' in notice_page
    assert f'href="/staff/outbox/unknown?notice={ids["notice"]}"' in notice_page
    progress = client.get(f"/staff/notices/{ids['notice']}/progress").json()
    assert progress["total"]["unknown"] == 1 and progress["total"]["targeted"] == 4

    page = client.get("/staff/outbox/unknown")
    assert TWICE_ID in page.text
    assert f'data-message="{ids["unknown"]}"' in page.text
    assert f'data-message="{ids["reply"]}"' in page.text
    assert "+62 812-****-5432" in page.text and "6281298765432" not in page.text
    answer = client.post(
        "/staff/outbox/unknown/resend",
        data={"csrf_token": csrf_of(page.text), "ids": [ids["unknown"], ids["reply"]]},
    )
    assert answer.status_code == 200
    assert "2 pesan masuk antrean untuk dikirim ulang." in answer.text
    assert "Tidak ada pesan yang belum pasti." in answer.text
    assert {_status(engine, ids["unknown"]), _status(engine, ids["reply"])} == {"pending"}
    [line] = _audit(engine, "message.resend")
    assert line.detail == {"messages": sorted([ids["unknown"], ids["reply"]]), "via": "console"}

    twice = client.post(
        "/staff/outbox/unknown/resend",
        data={"csrf_token": csrf_of(answer.text), "ids": [ids["unknown"]]},
    )
    assert twice.status_code == 400 and "mungkin sudah dikirim ulang" in twice.text


def test_editors_see_the_count_but_not_the_list(app, engine):
    ids = _crash_leftovers(engine)
    client = signed_in(app, engine, "eddy", "editor")
    notice_page = client.get(f"/staff/notices/{ids['notice']}").text
    assert 'id="p-unknown">1<' in notice_page
    assert "/staff/outbox/unknown" not in notice_page
    assert client.get("/staff/outbox/unknown").status_code == 403
