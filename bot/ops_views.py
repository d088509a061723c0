"""`/api/v1/intake/dead-letters`: customer messages set aside after a failure of their own.

The conversation never retries such a message in line (it would hold up every customer
behind it): it is set aside and its sender told (channels.dead_letters). Supervisors and
admins list them here and, once the cause is fixed, send one back to the conversation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from accounts.deps import require_role
from accounts.privacy import mask_phone
from accounts.roles import OVERSIGHT
from channels.dead_letters import DeadLetter
from channels.registry import ChannelHub
from db.models import Staff
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
    async def retry_dead_letter(_staff: Overseer, channel: Channel, raw_id: str) -> RetryOut:
        """Send a dead letter back to the conversation, which takes it up at once."""
        if not await hub().retry_dead_letter(channel=channel, raw_id=raw_id):
            raise HTTPException(404, "no such dead letter")
        return RetryOut(queued=True)

    return router
