"""Phone numbers shown masked (+62 812-****-7890) except to roles that need them."""

from __future__ import annotations

import re

from accounts.roles import can_reveal_phone
from db.models import Contact


def normalise_phone(raw: str | None) -> str | None:
    """Digits in international form (62...), from '+62 812...', '0812...' or 'whatsapp:+62...'."""
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw)
    if not digits:
        return None
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


def format_phone(raw: str | None) -> str:
    """The full number, grouped for reading out: +62 812-3456-7890."""
    digits = normalise_phone(raw)
    if digits is None:
        return ""
    if digits.startswith("62") and len(digits) >= 10:
        rest = digits[2:]
        return f"+62 {rest[:3]}-{rest[3:-4]}-{rest[-4:]}"
    return "+" + digits


def mask_phone(raw: str | None) -> str:
    """+62 812-****-7890: enough to recognise a caller, not enough to misuse the number."""
    digits = normalise_phone(raw)
    if digits is None:
        return ""
    if digits.startswith("62") and len(digits) >= 10:
        rest = digits[2:]
        return f"+62 {rest[:3]}-****-{rest[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "+" + "*" * (len(digits) - 4) + digits[-4:]


def contact_phone(contact: Contact) -> str | None:
    """The phone we know for a contact: stored, or implied by a WhatsApp address."""
    if contact.phone:
        return contact.phone
    if contact.channel == "whatsapp":
        return contact.channel_user_id
    return None


def shown_phone(contact: Contact, *, role: str, reveal: bool = False) -> str:
    """The phone as this role may see it; full only when the role may and asked to reveal."""
    phone = contact_phone(contact)
    if reveal and can_reveal_phone(role):
        return format_phone(phone)
    return mask_phone(phone)
