"""The closed vocabularies stored in the tables: statuses, kinds, categories, channels.

The database keeps the plain strings (a `StrEnum` member is equal to its value, so queries,
JSON and templates see the same words as before). Their words for people live in the text
catalogues, never here; the sets below are the groups the services ask about.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """Where a contact talks to us (`contact.channel`, `message.channel`, `complaint.channel`)."""

    TELEGRAM = "telegram"
    WHATSAPP = "whatsapp"
    CONSOLE = "console"


MEDIA_CHANNELS = frozenset({Channel.TELEGRAM, Channel.WHATSAPP})  # photos and locations


class ComplaintStatus(StrEnum):
    RECEIVED = "received"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"  # for the customer's answer: the complaint's clock is paused
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"


OPEN_COMPLAINT_STATUSES = (
    ComplaintStatus.RECEIVED,
    ComplaintStatus.IN_PROGRESS,
    ComplaintStatus.WAITING,
)


class ComplaintCategory(StrEnum):
    NO_WATER = "no_water"
    LOW_PRESSURE = "low_pressure"
    QUALITY = "quality"
    LEAK = "leak"
    METER = "meter"
    BILLING = "billing"
    OTHER = "other"


class NoticeKind(StrEnum):
    PLANNED = "planned"
    UNPLANNED = "unplanned"
    LOW_PRESSURE = "low_pressure"
    BULK_REDUCTION = "bulk_reduction"


class NoticeStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    ONGOING = "ongoing"
    RESTORED = "restored"
    CANCELLED = "cancelled"


LIVE_NOTICE_STATUSES = (NoticeStatus.SCHEDULED, NoticeStatus.ONGOING)


class PushStatus(StrEnum):
    """A planned push of a notice (`push.status`)."""

    PENDING = "pending"
    DONE = "done"
    DROPPED = "dropped"


class MessageStatus(StrEnum):
    """An inbound message is 'received'; an outbound one moves through the rest."""

    RECEIVED = "received"
    PENDING = "pending"  # in the outbox, waiting for its turn (or its retry)
    SENDING = "sending"  # claimed by the sender, its request about to leave
    SENT = "sent"  # the provider accepted it
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"
    UNDELIVERED = "undelivered"
    UNKNOWN = "unknown"  # the sender stopped mid-send: maybe sent, never resent


UNFINISHED_MESSAGE_STATUSES = (MessageStatus.PENDING, MessageStatus.SENDING)
