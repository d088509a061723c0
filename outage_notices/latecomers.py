"""A customer who subscribes while a notice is live is told of it at once, and of what follows.

The fan-out reaches whoever is subscribed when an event falls due, so a new subscriber already
hears later events (extensions, restoration). What they missed is the notice itself: it is told
to them as they subscribe, recorded like a push (`message.notice_id`, `notice_event`), so the
notice counts as told (its restoration is not dropped) and the fan-out never repeats it.
The event is `start` for a disruption under way and `publish` for one still ahead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, bindparam, exists
from sqlmodel import Session

from db.models import Message, Notice
from outage_notices import texts
from outage_notices.fanout import facts_for
from outage_notices.lookup import LIVE_NOTICES, NOTICE, place_params

MESSAGE = Message.__table__
TOLD = exists().where(
    MESSAGE.c.contact_id == bindparam("contact_id"),
    MESSAGE.c.notice_id == NOTICE.c.id,
)
UNTOLD = LIVE_NOTICES.where(~TOLD)
FAR = timedelta(days=3650)  # every published notice, however far ahead


@dataclass(frozen=True, slots=True)
class Catchup:
    """What to tell a new subscriber about one live notice."""

    notice_id: int
    event: str
    text: str


def catch_up(
    session: Session,
    *,
    contact_id: int,
    language: str,
    code: str,
    kecamatan_code: str | None,
    is_kecamatan: bool,
    tz: ZoneInfo,
    now: datetime,
) -> list[Catchup]:
    """The live notices for this area the contact has not been told of, oldest start first."""
    connection: Connection = session.connection()
    params = place_params(code, kecamatan_code, is_kecamatan) | {
        "horizon": now + FAR,
        "contact_id": contact_id,
    }
    rows = connection.execute(UNTOLD, params).all()
    found = []
    for row in sorted(rows, key=lambda row: row.starts_at):
        notice = session.get(Notice, row.id)
        if notice is None:
            continue
        event = "start" if notice.status == "ongoing" or notice.starts_at <= now else "publish"
        facts = facts_for(session, notice, event)
        found.append(Catchup(row.id, event, texts.render(facts, event, language, tz)))
    return found
