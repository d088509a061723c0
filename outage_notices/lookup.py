"""What the bot tells a customer who asks about an area: the disruptions that concern it.

These run on every outage question, so the statements are built once with bound
parameters and run on the caller's connection; the one every question asks (the live notices
of a place) on the driver's cursor (db.prepared): 20 us against 125 through `execute`.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, literal, or_, select

from db.models import Notice, NoticeArea, NoticeUpdate, ServiceArea
from db.prepared import Prepared
from db.vocab import LIVE_NOTICE_STATUSES, NoticeStatus

NOTICE = Notice.__table__
NOTICE_AREA = NoticeArea.__table__
UPDATE = NoticeUpdate.__table__
AREA = ServiceArea.__table__

# Notices for a place: on itself or its kecamatan, or (when it is a kecamatan) on one of its desa.
# Fixed lists (no expanding parameters), so the statement's SQL never changes: see `place_params`.
_AFFECTING = (
    select(NOTICE_AREA.c.notice_id)
    .join(AREA, AREA.c.code == NOTICE_AREA.c.area_code)
    .where(
        or_(
            AREA.c.code.in_([bindparam("code"), bindparam("kecamatan")]),
            AREA.c.kecamatan_code == bindparam("desa_of"),
        )
    )
)
LIVE_NOTICES = (
    select(NOTICE)
    .where(
        NOTICE.c.id.in_(_AFFECTING),
        NOTICE.c.status.in_([literal(str(status)) for status in LIVE_NOTICE_STATUSES]),
        NOTICE.c.starts_at <= bindparam("horizon"),
    )
    .order_by(NOTICE.c.starts_at.desc())
)
_LIVE_NOTICES = Prepared(LIVE_NOTICES)
NoticeRow = namedtuple("NoticeRow", [column.key for column in NOTICE.c])  # type: ignore[misc]
AREA_NAMES = (
    select(NOTICE_AREA.c.notice_id, AREA.c.name)
    .join(AREA, AREA.c.code == NOTICE_AREA.c.area_code)
    .where(NOTICE_AREA.c.notice_id.in_(bindparam("ids", expanding=True)))
    .order_by(AREA.c.code)
)
LATEST_UPDATES = (
    select(UPDATE)
    .where(UPDATE.c.notice_id.in_(bindparam("ids", expanding=True)), UPDATE.c.text != "")
    .order_by(UPDATE.c.created_at, UPDATE.c.id)
)


@dataclass(frozen=True, slots=True)
class Disruption:
    notice: Any  # a notice row: id, kind, status, title, cause, advice, starts_at, ...
    area_names: list[str]
    latest_update: Any | None  # a notice_update row: text, created_at

    def is_ongoing(self, now: datetime) -> bool:
        return self.notice.status == NoticeStatus.ONGOING or self.notice.starts_at <= now


def place_params(code: str, kecamatan_code: str | None, is_kecamatan: bool) -> dict[str, Any]:
    """The bound parameters of `LIVE_NOTICES` (but the horizon) for one place (a place without
    a kecamatan names itself twice)."""
    kecamatan = kecamatan_code or code
    return {"code": code, "kecamatan": kecamatan, "desa_of": code if is_kecamatan else None}


def live_notices(connection: Connection, params: dict[str, Any]) -> list[Any]:
    """`LIVE_NOTICES` for `place_params` and a horizon, as rows read by column name."""
    return [NoticeRow(*row) for row in _LIVE_NOTICES.rows(connection, params)]


def disruptions_for_area(
    connection: Connection,
    *,
    code: str,
    kecamatan_code: str | None,
    is_kecamatan: bool,
    now: datetime,
    days: int = 7,
) -> list[Disruption]:
    """Ongoing and upcoming (within `days`) disruptions for an area, ongoing first."""
    params = place_params(code, kecamatan_code, is_kecamatan) | {
        "horizon": now + timedelta(days=days)
    }
    notices = live_notices(connection, params)
    if not notices:
        return []
    ids = [notice.id for notice in notices]
    names: dict[int, list[str]] = {}
    for row in connection.execute(AREA_NAMES, {"ids": ids}):
        names.setdefault(row.notice_id, []).append(row.name)
    latest = {row.notice_id: row for row in connection.execute(LATEST_UPDATES, {"ids": ids})}
    result = [Disruption(n, names.get(n.id, []), latest.get(n.id)) for n in notices]
    result.sort(key=lambda item: (not item.is_ongoing(now), item.notice.starts_at))
    return result


def ongoing_disruption(
    connection: Connection, *, code: str, kecamatan_code: str | None, now: datetime
) -> Any | None:
    """The disruption already under way at this place (the latest started), if any."""
    params = place_params(code, kecamatan_code, code == kecamatan_code) | {"horizon": now}
    found = live_notices(connection, params)
    return found[0] if found else None
