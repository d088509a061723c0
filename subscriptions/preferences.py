"""What customers asked of us besides areas: no notices for now (STOP/MULAI), or a person."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from db.models import Contact, Message


def set_opted_out(*, session: Session, contact_id: int, opted_out: bool) -> None:
    """STOP keeps the subscriptions so MULAI can bring them back as they were."""
    session.execute(
        update(Contact).where(col(Contact.id) == contact_id).values(opted_out=opted_out)
    )


def ask_for_a_person(*, session: Session, contact_id: int, now: datetime) -> None:
    """Put the customer in the staff's hand-off list."""
    session.execute(
        update(Contact)
        .where(col(Contact.id) == contact_id)
        .values(needs_human=True, needs_human_since=now)
    )


def person_answered(*, session: Session, contact: Contact) -> None:
    """Clear the 'asked for a person' flag once staff have dealt with it."""
    contact.needs_human = False
    contact.needs_human_since = None
    session.add(contact)


def no_longer_waiting(*, session: Session, contact_id: int) -> None:
    """The customer went back to the bot (typed MENU): off the hand-off list."""
    session.execute(
        update(Contact)
        .where(col(Contact.id) == contact_id)
        .values(needs_human=False, needs_human_since=None)
    )


def last_words(*, session: Session, contact_ids: list[int]) -> dict[int, Message]:
    """Each contact's latest message to us, for the hand-off list."""
    if not contact_ids:
        return {}
    newest = (
        select(func.max(col(Message.id)))
        .where(col(Message.contact_id).in_(contact_ids), col(Message.direction) == "in")
        .group_by(col(Message.contact_id))
    )
    rows = session.exec(select(Message).where(col(Message.id).in_(newest)))
    return {message.contact_id: message for message in rows}


def waiting_for_a_person(*, session: Session, limit: int = 200) -> list[Contact]:
    """Customers who asked to talk to a person, longest waiting first."""
    query = (
        select(Contact)
        .where(col(Contact.needs_human).is_(True))
        .order_by(col(Contact.needs_human_since))
        .limit(limit)
    )
    return list(session.exec(query))


def count_waiting(*, session: Session) -> int:
    query = select(func.count()).where(col(Contact.needs_human).is_(True))
    return session.exec(query).one()
