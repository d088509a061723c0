"""Rows a test needs, built the way staff would record them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from db.models import Notice, NoticeArea, NoticeUpdate, RotationSchedule


def add_notice(
    engine,
    *,
    title: str,
    area_codes: list[str],
    starts_at: datetime,
    expected_end_at: datetime | None,
    status: str = "ongoing",
    kind: str = "unplanned",
    advice: str = "",
    cause: str = "",
    update: str = "",
) -> int:
    with Session(engine) as session:
        notice = Notice(
            kind=kind,
            status=status,
            title=title,
            cause=cause,
            advice=advice,
            starts_at=starts_at,
            expected_end_at=expected_end_at,
            published_at=starts_at,
        )
        session.add(notice)
        session.flush()
        assert notice.id is not None
        for code in area_codes:
            session.add(NoticeArea(notice_id=notice.id, area_code=code))
        if update:
            session.add(NoticeUpdate(notice_id=notice.id, kind="edited", text=update))
        session.commit()
        return notice.id


def add_rotation(engine, **fields) -> None:
    with Session(engine) as session:
        session.add(RotationSchedule(**fields))
        session.commit()
