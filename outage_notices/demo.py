"""Clearly marked demo disruptions in the border kecamatan, so a fresh install has some to show.

Demo notices are written as already published but without pushes: nobody is ever sent a demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session, col

from db.models import Notice, NoticeArea, NoticeUpdate, RotationSchedule
from db.rows import saved_id
from db.vocab import LIVE_NOTICE_STATUSES, NoticeKind, NoticeStatus

PREFIX = "[DEMO] "
TATAH_BANGKAL = "63.03.19.2001"


@dataclass(frozen=True)
class DemoNotice:
    title: str
    kind: NoticeKind
    area: str
    start_hours: float  # from now; negative = already under way
    length_hours: float | None
    cause: str
    advice: str
    urgent: bool = False


DEMOS = (
    DemoNotice(
        "Pipa distribusi bocor di Aluh Aluh",
        NoticeKind.UNPLANNED,
        "63.03.01",
        -3,
        None,
        "Pipa 150 mm pecah di Jl. Aluh Aluh Besar",
        "Mobil tangki di Kantor Kecamatan Aluh Aluh pukul 10.00 dan 15.00",
        True,
    ),
    DemoNotice(
        "Pemasangan pompa booster Beruntung Baru",
        NoticeKind.PLANNED,
        "63.03.13",
        50,
        8,
        "Pemasangan pompa booster baru",
        "Tampung air secukupnya sehari sebelumnya",
    ),
    DemoNotice(
        "Pengurangan pasokan air baku Tatah Makmur",
        NoticeKind.BULK_REDUCTION,
        "63.03.19",
        -24,
        24 * 6,
        "Debit air baku Sungai Martapura turun saat kemarau",
        "Air mengalir bergiliran; lihat jadwal giliran desa Anda",
    ),
    DemoNotice(
        "Tekanan rendah di Sungai Tabuk",
        NoticeKind.LOW_PRESSURE,
        "63.03.04",
        -2,
        6,
        "Pembilasan pipa transmisi",
        "Gunakan air seperlunya hingga tekanan normal",
    ),
    DemoNotice(
        "Penyambungan pipa transmisi Kertak Hanyar",
        NoticeKind.PLANNED,
        "63.03.02",
        24 * 5,
        10,
        "Penyambungan pipa transmisi 300 mm ke jalur baru",
        "Mobil tangki di Pasar Kertak Hanyar selama pekerjaan",
    ),
)


def _local_hour(now: datetime, hours: float, tz: ZoneInfo) -> datetime:
    """A whole local hour near now + hours, so demo times read naturally."""
    moment = (now + timedelta(hours=hours)).astimezone(tz)
    return moment.replace(minute=0, second=0, microsecond=0)


def seed_demo(session: Session, now: datetime, tz: ZoneInfo) -> int:
    """Add the demo disruptions and Tatah Bangkal's giliran unless still there; returns how many."""
    live = set(
        session.scalars(
            select(col(Notice.title)).where(
                col(Notice.is_demo).is_(True), col(Notice.status).in_(LIVE_NOTICE_STATUSES)
            )
        )
    )
    created = 0
    for demo in DEMOS:
        if PREFIX + demo.title in live:
            continue
        _add_notice(session, demo, now, tz)
        created += 1
    created += _add_rotation(session, now, tz)
    session.flush()
    return created


def _add_notice(session: Session, demo: DemoNotice, now: datetime, tz: ZoneInfo) -> None:
    starts = _local_hour(now, demo.start_hours, tz)
    ends = starts + timedelta(hours=demo.length_hours) if demo.length_hours else None
    notice = Notice(
        kind=demo.kind,
        title=PREFIX + demo.title,
        cause=demo.cause,
        advice=demo.advice,
        starts_at=starts,
        expected_end_at=ends,
        urgent=demo.urgent,
        is_demo=True,
        status=NoticeStatus.ONGOING if starts <= now else NoticeStatus.SCHEDULED,
        published_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    session.flush()
    notice_id = saved_id(notice)
    session.add(NoticeArea(notice_id=notice_id, area_code=demo.area))
    session.add(NoticeUpdate(notice_id=notice_id, kind="published", text="", created_at=now))


def _add_rotation(session: Session, now: datetime, tz: ZoneInfo) -> int:
    today = now.astimezone(tz).date()
    existing = session.scalars(
        select(RotationSchedule).where(
            col(RotationSchedule.area_code) == TATAH_BANGKAL,
            col(RotationSchedule.note).startswith(PREFIX),
            col(RotationSchedule.valid_until) >= today,
        )
    ).first()
    if existing is not None:
        return 0
    for weekdays, start, end in (("0,2,4", time(5), time(11)), ("1,3,5,6", time(16), time(21))):
        session.add(
            RotationSchedule(
                area_code=TATAH_BANGKAL,
                weekdays=weekdays,
                start_time=start,
                end_time=end,
                valid_from=today - timedelta(days=1),
                valid_until=today + timedelta(days=30),
                note=PREFIX + "Giliran selama pengurangan pasokan",
            )
        )
    return 1
