"""After a resolution, the customer is asked for a 1–5 rating and a comment; answers are kept.

`ask` queues the question on the customer's channel (on WhatsApp outside the 24-hour window as
the approved `satisfaction` template) and marks their conversation so the next reply is read
as the rating (bot/engine/flows/rating.py). One rating per complaint: a second answer is told
the first one is kept. The wait ends after WAIT or as soon as the customer does something else.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Session

from complaints.service import complaint_contact
from core.texts import t
from db.models import Complaint, ConversationState, Message
from db.rows import saved_id
from db.vocab import Channel, MessageStatus
from db.vocab import ComplaintStatus as S

FLOW = "satisfaction"
RATING_STEP = "rating"
COMMENT_STEP = "comment"
WAIT = timedelta(days=3)  # an unanswered question is forgotten after this
BUSY = timedelta(hours=1)  # a customer in another flow this recently is not interrupted
RATINGS = range(1, 6)
MAX_COMMENT = 500
TEMPLATE_KIND = "satisfaction"


class Recorded(StrEnum):
    SAVED = "saved"
    ALREADY = "already"  # the complaint was rated before: the first rating stays
    REFUSED = "refused"  # not this customer's complaint, or not resolved


def rating_choices() -> list[list[str]]:
    """The answers offered with the question, as the conversation state keeps them."""
    return [[f"rate:{n}", str(n)] for n in RATINGS]


def ask(*, session: Session, complaint: Complaint, now: datetime) -> Message | None:
    """Queue the rating question after a resolution; None when it is not asked (rated, demo)."""
    if complaint.rating is not None or complaint.is_demo:
        return None
    contact = complaint_contact(session=session, complaint=complaint)
    ticket = complaint.ticket_number or f"#{complaint.id}"
    message = Message(
        contact_id=saved_id(contact),
        direction="out",
        channel=contact.channel,
        text=t(contact.language, "satisfaction.ask", ticket=ticket),
        choices=[{"label": label, "value": value} for value, label in rating_choices()],
        status=MessageStatus.PENDING,
        next_attempt_at=now,
        complaint_id=complaint.id,
        created_at=now,
    )
    if contact.channel == Channel.WHATSAPP:
        message.template_kind = TEMPLATE_KIND
        message.template_variables = {"1": ticket}
    session.add(message)
    _wait_for_answer(session=session, contact_id=saved_id(contact), complaint=complaint, now=now)
    return message


def _wait_for_answer(
    *, session: Session, contact_id: int, complaint: Complaint, now: datetime
) -> None:
    state = session.get(ConversationState, contact_id)
    if state is None:
        state = ConversationState(contact_id=contact_id)
    elif state.flow not in (None, FLOW) and now - state.updated_at < BUSY:
        return  # mid-way through something else: the question is asked, the answer not awaited
    state.flow, state.step, state.updated_at = FLOW, RATING_STEP, now
    state.data = {"complaint_id": complaint.id, "_choices": rating_choices()}
    session.add(state)


def record(
    *, session: Session, complaint_id: int, contact_id: int, rating: int, now: datetime
) -> Recorded:
    """Keep the customer's rating of their resolved complaint; the first one stays."""
    complaint = session.get(Complaint, complaint_id)
    if (
        complaint is None
        or complaint.contact_id != contact_id
        or complaint.status not in (S.RESOLVED, S.CLOSED)
        or rating not in RATINGS
    ):
        return Recorded.REFUSED
    if complaint.rating is not None:
        return Recorded.ALREADY
    complaint.rating, complaint.rated_at = rating, now
    session.add(complaint)
    session.flush()
    return Recorded.SAVED


def add_comment(*, session: Session, complaint_id: int, contact_id: int, text: str) -> bool:
    """Keep the customer's comment on the rating they just gave (once, cut to MAX_COMMENT)."""
    complaint = session.get(Complaint, complaint_id)
    text = " ".join(text.split())[:MAX_COMMENT]
    if (
        complaint is None
        or complaint.contact_id != contact_id
        or complaint.rating is None
        or complaint.rating_comment
        or not text
    ):
        return False
    complaint.rating_comment = text
    session.add(complaint)
    session.flush()
    return True


def ticket_of(*, session: Session, complaint_id: int) -> str:
    """The ticket the customer is asked about, for the replies."""
    complaint = session.get(Complaint, complaint_id)
    return (complaint.ticket_number if complaint else None) or f"#{complaint_id}"
