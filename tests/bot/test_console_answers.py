"""Scripted `kabar-air chat` for answers, ticket sense, the hand-off, and the console as a
channel: pushes and staff replies wait in the outbox and are shown at the sender's next run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, col, select

from complaints import workflow
from db.engine import make_engine
from db.models import Complaint, Contact, Message
from db.types import utcnow
from outage_notices import service
from outage_notices.policy import NoticePolicy
from outage_notices.scheduled import Dispatcher
from tests.bot.test_console import chat
from tests.outage_notices.builders import LOK_BAINTAN, new_notice
from tests.staff.factories import add_staff

pytestmark = pytest.mark.slow  # runs kabar-air in subprocesses

COMPLAINT = [
    "air mati di tatah bangkal",
    "ya",
    "Jl. Tatah Bangkal RT 4 dekat langgar",
    "lewati",
    "sejak subuh tidak keluar",
    "kirim",
]


def test_questions_are_answered_and_a_person_really_takes_over(database_url):
    out = chat(
        database_url,
        [
            "jam berapa kantor pdam buka?",
            "berapa biaya pasang baru?",
            "aman kah diminum?",
            "bicara dengan petugas",
            "tagihan saya bulan ini mahal sekali",
        ],
        "--sender",
        "warga-faq",
    )
    assert "Kantor pelayanan buka Senin–Jumat 08.00–16.00 WITA" in out
    assert "Langkah pasang sambungan baru" in out
    assert "Masak air sampai mendidih" in out
    assert "diteruskan ke petugas" in out
    assert "Anda ingin melaporkan" not in out and "belum mengerti" not in out
    assert "sudah kami teruskan ke petugas" in out


def test_the_same_complaint_in_a_later_run_is_offered_not_doubled(database_url):
    first = chat(database_url, COMPLAINT, "--sender", "warga-dup")
    assert "Nomor tiket: ADU-000001" in first
    again = chat(database_url, ["air mati di tatah bangkal", "ya", "1"], "--sender", "warga-dup")
    assert "Anda sudah melaporkan masalah yang sama" in again
    assert "sudah kami tambahkan ke tiket ADU-000001" in again
    chased = chat(database_url, ["belum ada petugas"], "--sender", "warga-dup")
    assert "ADU-000001" in chased and "status: Diterima" in chased
    engine = make_engine(database_url)
    with Session(engine) as session:
        assert len(session.exec(select(Complaint)).all()) == 1
    engine.dispose()


def test_pushes_and_staff_replies_wait_for_the_console_customers_next_run(database_url):
    engine = make_engine(database_url)
    now = utcnow()
    policy = NoticePolicy.default()
    with Session(engine, expire_on_commit=False) as session:
        notice = new_notice(
            session,
            now=now - timedelta(hours=2),
            kind="unplanned",
            areas=(LOK_BAINTAN,),
            starts_at=now - timedelta(hours=1),
            urgent=True,
            publish=True,
        )
    first = chat(database_url, ["langganan", "lok baintan"], "--sender", "warga-push")
    assert "Anda berlangganan info gangguan" in first
    assert "Perbaikan pipa transmisi" in first  # told at once: the disruption is on

    with Session(engine, expire_on_commit=False) as session:
        service.restore(session=session, notice_id=notice.id, policy=policy, now=utcnow())
        session.commit()
    Dispatcher(engine=engine, policy=policy, holder="test").tick()
    staff = add_staff(engine, "agus", "agent")
    with Session(engine, expire_on_commit=False) as session:
        contact = session.exec(select(Contact).where(Contact.channel_user_id == "warga-push"))
        contact = contact.one()
        workflow.reply_to_contact(
            session=session, contact=contact, staff=staff, text="Petugas sudah di lokasi.",
            now=utcnow(),
        )  # fmt: skip
        session.commit()

    second = chat(database_url, ["menu"], "--sender", "warga-push")
    assert second.index("Air sudah mengalir kembali") < second.index("Pesan dari petugas")
    assert second.index("Petugas sudah di lokasi.") < second.index("Pilih layanan")
    with Session(engine) as session:
        statuses = session.exec(
            select(Message.status).where(
                Message.contact_id == contact.id, col(Message.direction) == "out"
            )
        ).all()
    assert set(statuses) == {"sent"}
    third = chat(database_url, ["menu"], "--sender", "warga-push")
    assert "Air sudah mengalir kembali" not in third and "Petugas sudah di lokasi." not in third
    assert "Air sudah mengalir kembali" not in chat(database_url, ["menu"], "--sender", "other")
    engine.dispose()
