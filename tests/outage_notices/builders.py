"""Small builders for notice tests: contacts with subscriptions, notices, a fixed policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import select
from sqlmodel import Session, col

from db.models import Contact, Message, Subscription
from outage_notices import service
from outage_notices.policy import NoticePolicy

WITA = timezone(timedelta(hours=8))
POLICY = NoticePolicy.default()
SUNGAI_TABUK = "63.03.04"  # kecamatan
LOK_BAINTAN = "63.03.04.2004"  # desa in Sungai Tabuk
GAMBUT = "63.03.03"  # kecamatan next door
TATAH_BANGKAL = "63.03.19.2001"  # desa in Tatah Makmur
TATAH_MAKMUR = "63.03.19"


def wita(day: int, hour: int, minute: int = 0, month: int = 5) -> datetime:
    """A moment in May 2026, given in WITA, as the aware UTC datetime the services expect."""
    return datetime(2026, month, day, hour, minute, tzinfo=WITA).astimezone(UTC)


def add_contact(
    session: Session,
    user_id: str,
    *areas: str,
    channel: str = "telegram",
    language: str = "id",
    opted_out: bool = False,
    active: bool = True,
) -> Contact:
    contact = Contact(
        channel=channel, channel_user_id=user_id, language=language,
        opted_out=opted_out, active=active,
    )  # fmt: skip
    session.add(contact)
    session.flush()
    assert contact.id is not None
    session.add_all(Subscription(contact_id=contact.id, area_code=code) for code in areas)
    session.commit()
    return contact


def new_notice(
    session: Session,
    *,
    now: datetime,
    kind: str = "planned",
    areas: tuple[str, ...] = (SUNGAI_TABUK,),
    starts_at: datetime | None = None,
    hours: int | None = 8,
    publish: bool = False,
    **extra,
):
    starts_at = starts_at or now + timedelta(days=3)
    data = service.NoticeInput(
        kind=kind,
        title=extra.pop("title", "Perbaikan pipa transmisi"),
        areas=list(areas),
        starts_at=starts_at,
        expected_end_at=starts_at + timedelta(hours=hours) if hours else None,
        cause=extra.pop("cause", "Penggantian katup di jalur utama"),
        advice=extra.pop("advice", "Tampung air sebelumnya; mobil tangki di kantor desa 10.00"),
        **extra,
    )
    notice = service.create(session=session, data=data, policy=POLICY, now=now)
    if publish:
        assert notice.id is not None
        service.publish(
            session=session, notice_id=notice.id, policy=POLICY, now=now,
            confirm_short_notice=True,
        )  # fmt: skip
    session.commit()
    return notice


def messages(session: Session, notice_id: int | None = None) -> list[Message]:
    statement = select(Message).where(col(Message.direction) == "out").order_by(col(Message.id))
    if notice_id is not None:
        statement = statement.where(col(Message.notice_id) == notice_id)
    return list(session.scalars(statement))


def events_by_user(session: Session, notice_id: int) -> dict[str, list[str]]:
    """channel_user_id → the notice events they were sent, in order."""
    rows = session.execute(
        select(col(Contact.channel_user_id), col(Message.notice_event))
        .join(Contact, col(Contact.id) == col(Message.contact_id))
        .where(col(Message.notice_id) == notice_id)
        .order_by(col(Message.id))
    ).all()
    result: dict[str, list[str]] = {}
    for user, event in rows:
        result.setdefault(user, []).append(event)
    return result
