"""Who wants notices for which areas."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from db.models import Subscription


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
