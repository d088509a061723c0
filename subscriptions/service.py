"""Who wants notices for which areas, and the STOP/MULAI switch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from db.models import Contact, Subscription


def subscribe(*, session: Session, contact_id: int, area_code: str, now: datetime) -> bool:
    """Add an area; returns False when the contact already had it."""
    existing = session.exec(
        select(Subscription.id).where(
            Subscription.contact_id == contact_id, Subscription.area_code == area_code
        )
    ).first()
    if existing is not None:
        return False
    session.add(Subscription(contact_id=contact_id, area_code=area_code, created_at=now))
    session.flush()
    return True


def subscribed_area_codes(*, session: Session, contact_id: int) -> list[str]:
    statement = (
        select(Subscription.area_code)
        .where(Subscription.contact_id == contact_id)
        .order_by(col(Subscription.id))
    )
    return list(session.exec(statement))


def set_opted_out(*, session: Session, contact_id: int, opted_out: bool) -> None:
    """STOP keeps the subscriptions so MULAI can bring them back as they were."""
    session.execute(update(Contact).where(Contact.id == contact_id).values(opted_out=opted_out))
