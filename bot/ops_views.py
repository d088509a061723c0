"""Operations API for supervisors and admins: what did not go through, and trying again.

- `/api/v1/intake/dead-letters`: customer messages set aside after a failure of their own.
  The conversation never retries such a message in line (it would hold up every customer
  behind it): it is set aside and its sender told (channels.dead_letters). Once the cause is
  fixed, one is sent back to the conversation (audited: `dead_letter.retry`).
- `/api/v1/outbox/unknown`: outbound messages a crash caught mid-send (channels.in_doubt),
  which may or may not have reached the customer, and resending them (audited:
  `message.resend`; the customer may get such a message twice).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from accounts.actions import Door, Target, perform
from accounts.audit import AuditAction
from accounts.deps import SessionDep, client_ip, require_role, wake_outbox
from accounts.privacy import mask_phone
from accounts.roles import OVERSIGHT
from channels import in_doubt
from channels.dead_letters import DeadLetter
from channels.registry import ChannelHub
from core.http_limits import ROW_ID_MAX
from db.models import Staff
from db.types import utcnow
from db.vocab import Channel

Overseer = Annotated[Staff, Depends(require_role(*OVERSIGHT))]


class ErrorOut(BaseModel):
    detail: str


class DeadLetterOut(BaseModel):
    channel: str
    raw_id: str = Field(description="The provider's id (Telegram update_id, Twilio MessageSid)")
    sender: str = Field(description="Telegram chat id, or the WhatsApp number masked")
    preview: str = Field(description="The start of the customer's text")
    received_at: datetime
    failed_at: datetime
    failure: str = Field(description="The kind of error that set it aside")


class RetryOut(BaseModel):
    queued: bool


def _out(letter: DeadLetter) -> DeadLetterOut:
    whatsapp = letter.channel == Channel.WHATSAPP
    return DeadLetterOut(
        channel=letter.channel,
        raw_id=letter.raw_id,
        sender=mask_phone(letter.sender_id) if whatsapp else letter.sender_id,
        preview=letter.preview,
        received_at=letter.received_at,
        failed_at=letter.failed_at,
        failure=letter.failure,
    )


def ops_router(hub: Callable[[], ChannelHub]) -> APIRouter:
    """The dead-letter routes, looking the running hub up per request."""
    router = APIRouter(
        prefix="/api/v1/intake",
        tags=["intake"],
        responses={
            401: {"model": ErrorOut, "description": "No or an invalid API token"},
            403: {"model": ErrorOut, "description": "The token's role may not do this"},
        },
    )

    @router.get("/dead-letters", response_model=list[DeadLetterOut])
    async def list_dead_letters(
        _staff: Overseer, limit: Annotated[int, Query(ge=1, le=500)] = 100
    ) -> list[DeadLetterOut]:
        """Messages set aside, the latest first."""
        return [_out(letter) for letter in await hub().dead_letters(limit=limit)]

    @router.post(
        "/dead-letters/{channel}/{raw_id}/retry",
        response_model=RetryOut,
        responses={404: {"model": ErrorOut, "description": "No such dead letter"}},
    )
    async def retry_dead_letter(
        request: Request, session: SessionDep, staff: Overseer, channel: Channel, raw_id: str
    ) -> RetryOut:
        """Send a dead letter back to the conversation, which takes it up at once."""
        # The journal is written through the hub (its own writer on SQLite); the audit line
        # follows only a retry that happened, so a 404 leaves none.
        if not await hub().retry_dead_letter(channel=channel, raw_id=raw_id):
            raise HTTPException(404, "no such dead letter")
        await run_in_threadpool(
            perform,
            session=session,
            staff=staff,
            action=AuditAction.dead_letter_retry,
            target=Target("dead_letter", f"{channel}:{raw_id}"),
            do=lambda: True,
            door=Door.api,
            ip=client_ip(request),
            now=utcnow(),
        )
        return RetryOut(queued=True)

    return router


class UnknownMessageOut(BaseModel):
    id: int
    channel: str
    recipient: str = Field(description="Telegram chat id, or the WhatsApp number masked")
    preview: str = Field(description="The start of the message")
    notice_id: int | None = Field(description="The notice it belongs to, if a notice push")
    notice_event: str | None
    ticket: str | None = Field(description="The complaint it answers, if a complaint reply")
    created_at: datetime
    reason: str | None


MessageId = Annotated[int, Field(ge=1, le=ROW_ID_MAX)]


class ResendIn(BaseModel):
    ids: list[MessageId] = Field(min_length=1, max_length=1000, description="Unknown messages' ids")


class ResendOut(BaseModel):
    resent: list[int] = Field(description="The ids queued again (others were not unknown)")


def recipient(channel: str, address: str) -> str:
    """Who a message went to, as staff see it: WhatsApp numbers masked."""
    return mask_phone(address) if channel == Channel.WHATSAPP else address


def outbox_router() -> APIRouter:
    """The unknown-message routes: list them, resend some."""
    router = APIRouter(
        prefix="/api/v1/outbox",
        tags=["outbox"],
        responses={
            401: {"model": ErrorOut, "description": "No or an invalid API token"},
            403: {"model": ErrorOut, "description": "The token's role may not do this"},
        },
    )

    @router.get("/unknown", response_model=list[UnknownMessageOut])
    def list_unknown(
        session: SessionDep,
        _staff: Overseer,
        notice_id: Annotated[int | None, Query(ge=1, le=ROW_ID_MAX)] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> list[UnknownMessageOut]:
        """Messages a crash caught mid-send: they may or may not have reached the customer
        and are not resent by themselves (OUTBOX_AFTER_CRASH=hold). Oldest first."""
        return [
            UnknownMessageOut(
                id=row.id,
                channel=row.channel,
                recipient=recipient(row.channel, row.address),
                preview=row.preview,
                notice_id=row.notice_id,
                notice_event=row.notice_event,
                ticket=row.ticket,
                created_at=row.created_at,
                reason=row.reason,
            )
            for row in in_doubt.in_doubt(session, notice_id=notice_id, limit=limit)
        ]

    @router.post("/unknown/resend", response_model=ResendOut)
    def resend_unknown(
        request: Request, session: SessionDep, staff: Overseer, body: ResendIn
    ) -> ResendOut:
        """Queue these unknown messages again; the customer may get one twice."""
        resent = perform(
            session=session,
            staff=staff,
            action=AuditAction.message_resend,
            target=lambda ids: Target("message", ids[0] if len(ids) == 1 else None),
            do=lambda: in_doubt.resend(session=session, ids=body.ids),
            detail=lambda ids: {"messages": ids},
            door=Door.api,
            ip=client_ip(request),
            now=utcnow(),
        )
        wake_outbox(request)
        return ResendOut(resent=resent)

    return router
