"""Who wants notices for which areas."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func
from sqlmodel import Session, col, select

from db.models import Contact, Subscription


def subscribe(*, session: Session, contact_id: int, area_code: str, now: datetime) -> bool:
    """Add an area; returns False when the contact already had it."""
    existing = session.exec(
        select(col(Subscription.id)).where(
            col(Subscription.contact_id) == contact_id, col(Subscription.area_code) == area_code
        )
    ).first()
    if existing is not None:
        return False
    session.add(Subscription(contact_id=contact_id, area_code=area_code, created_at=now))
    session.flush()
    return True


def subscribed_area_codes(*, session: Session, contact_id: int) -> list[str]:
    statement = (
        select(col(Subscription.area_code))
        .where(col(Subscription.contact_id) == contact_id)
        .order_by(col(Subscription.id))
    )
    return list(session.exec(statement))


def reachable_by_channel(*, session: Session, area_codes: Sequence[str]) -> dict[str, int]:
    """How many reachable subscribers of these areas each channel has, each contact once
    (what a notice's push to them would reach: active, not opted out)."""
    if not area_codes:
        return {}
    subscribed = exists().where(
        col(Subscription.contact_id) == col(Contact.id),
        col(Subscription.area_code).in_(list(area_codes)),
    )
    statement = (
        select(col(Contact.channel), func.count())
        .where(col(Contact.active).is_(True), col(Contact.opted_out).is_(False), subscribed)
        .group_by(col(Contact.channel))
        .order_by(col(Contact.channel))
    )
    return {channel: count for channel, count in session.exec(statement)}
