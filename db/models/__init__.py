"""All table models, imported in one place so Alembic and the app see the same metadata."""

from db.models.areas import ServiceArea
from db.models.complaints import Complaint, ComplaintEvent, ResponseTarget
from db.models.contacts import Contact, ConversationState
from db.models.messages import InboundReceipt, Message
from db.models.notices import (
    Notice,
    NoticeArea,
    NoticeUpdate,
    Push,
    RotationSchedule,
    SchedulerLease,
)
from db.models.staff import ApiToken, AuditLog, Staff
from db.models.subscriptions import Subscription

__all__ = [
    "ApiToken",
    "AuditLog",
    "Complaint",
    "ComplaintEvent",
    "Contact",
    "ConversationState",
    "InboundReceipt",
    "Message",
    "Notice",
    "NoticeArea",
    "NoticeUpdate",
    "Push",
    "ResponseTarget",
    "RotationSchedule",
    "SchedulerLease",
    "ServiceArea",
    "Staff",
    "Subscription",
]
