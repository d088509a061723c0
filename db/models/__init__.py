"""All table models, imported in one place so Alembic and the app see the same metadata."""

from db.models.answers import Answer
from db.models.areas import ServiceArea
from db.models.attachments import Attachment
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
from db.models.service_level import Escalation, WorkClosure
from db.models.staff import ApiToken, AuditLog, LoginFailure, Staff, StaffSession
from db.models.subscriptions import Subscription

__all__ = [
    "Answer",
    "ApiToken",
    "Attachment",
    "AuditLog",
    "Complaint",
    "ComplaintEvent",
    "Contact",
    "ConversationState",
    "Escalation",
    "InboundReceipt",
    "LoginFailure",
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
    "StaffSession",
    "Subscription",
    "WorkClosure",
]
