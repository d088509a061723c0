"""Clearly marked demo disruptions in the border kecamatan, so a fresh install has some to show.

Demo notices are written as already published but without pushes: nobody is ever sent a demo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlmodel import Session

from db.models import Notice, NoticeArea, NoticeUpdate, RotationSchedule
from outage_notices.policy import WITA

PREFIX = "[DEMO] "
TATAH_BANGKAL = "63.03.19.2001"


@dataclass(frozen=True)
class DemoNotice:
    title: str
    kind: str
    area: str
    start_hours: float  # from now; negative = already under way
    length_hours: float | None
    cause: str
    advice: str
    urgent: bool = False


DEMOS = (
    DemoNotice(
        "Pipa distribusi bocor di Aluh Aluh",
        "unplanned",
        "63.03.01",
        -3,
        None,
        "Pipa 150 mm pecah di Jl. Aluh Aluh Besar",
        "Mobil tangki di Kantor Kecamatan Aluh Aluh pukul 10.00 dan 15.00",
        True,
    ),
    DemoNotice(
        "Pemasangan pompa booster Beruntung Baru",
        "planned",
        "63.03.13",
        50,
        8,
        "Pemasangan pompa booster baru",
        "Tampung air secukupnya sehari sebelumnya",
    ),
    DemoNotice(
        "Pengurangan pasokan air baku Tatah Makmur",
        "bulk_reduction",
        "63.03.19",
        -24,
        24 * 6,
        "Debit air baku Sungai Martapura turun saat kemarau",
        "Air mengalir bergiliran; lihat jadwal giliran desa Anda",
    ),
    DemoNotice(
        "Tekanan rendah di Sungai Tabuk",
        "low_pressure",
        "63.03.04",
        -2,
        6,
        "Pembilasan pipa transmisi",
        "Gunakan air seperlunya hingga tekanan normal",
    ),
    DemoNotice(
        "Penyambungan pipa transmisi Kertak Hanyar",
        "planned",
        "63.03.02",
        24 * 5,
        10,
        "Penyambungan pipa transmisi 300 mm ke jalur baru",
        "Mobil tangki di Pasar Kertak Hanyar selama pekerjaan",
    ),
)


def _local_hour(now: datetime, hours: float) -> datetime:
    """A whole local hour near now + hours, so demo times read naturally."""
    moment = (now + timedelta(hours=hours)).astimezone(WITA)
    return moment.replace(minute=0, second=0, microsecond=0)


def seed_demo(session: Session, now: datetime) -> int:
    """Add the demo disruptions and Tatah Bangkal's giliran unless still there; returns how many."""
    live = set(
        session.scalars(
            select(Notice.title).where(
                Notice.is_demo.is_(True), Notice.status.in_(("scheduled", "ongoing"))
            )
        )
    )
    created = 0
    for demo in DEMOS:
        if PREFIX + demo.title in live:
            continue
        _add_notice(session, demo, now)
        created += 1
    created += _add_rotation(session, now)
    session.flush()
    return created


def _add_notice(session: Session, demo: DemoNotice, now: datetime) -> None:
    starts = _local_hour(now, demo.start_hours)
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
        status="ongoing" if starts <= now else "scheduled",
        published_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(notice)
    session.flush()
    session.add(NoticeArea(notice_id=notice.id, area_code=demo.area))
    session.add(NoticeUpdate(notice_id=notice.id, kind="published", text="", created_at=now))


def _add_rotation(session: Session, now: datetime) -> int:
    today = now.astimezone(WITA).date()
    existing = session.scalars(
        select(RotationSchedule).where(
            RotationSchedule.area_code == TATAH_BANGKAL,
            RotationSchedule.note.startswith(PREFIX),
            RotationSchedule.valid_until >= today,
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
