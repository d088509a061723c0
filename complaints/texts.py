"""What the customer is told when staff act on their complaint, in their language."""

from __future__ import annotations

STATUS_NAMES = {
    "id": {
        "received": "Diterima",
        "in_progress": "Sedang ditangani",
        "resolved": "Selesai ditangani",
        "closed": "Ditutup",
        "rejected": "Ditolak",
    },
    "en": {
        "received": "Received",
        "in_progress": "In progress",
        "resolved": "Resolved",
        "closed": "Closed",
        "rejected": "Rejected",
    },
}

TEMPLATES = {
    "id": {
        "reply": "Balasan petugas untuk tiket {ticket}:\n{text}",
        "status": "Tiket {ticket}: status sekarang {status}.",
        "status_note": "Tiket {ticket}: status sekarang {status}.\n{text}",
        "rejected": "Tiket {ticket} ditolak.\nAlasan: {text}",
        "resolved": (
            "Tiket {ticket}: pengaduan Anda sudah selesai ditangani.{note}\n"
            "Jika masalah masih ada, balas pesan ini atau ketik: status {ticket}"
        ),
        "direct": "Pesan dari petugas:\n{text}",
    },
    "en": {
        "reply": "Staff reply on ticket {ticket}:\n{text}",
        "status": "Ticket {ticket}: the status is now {status}.",
        "status_note": "Ticket {ticket}: the status is now {status}.\n{text}",
        "rejected": "Ticket {ticket} was rejected.\nReason: {text}",
        "resolved": (
            "Ticket {ticket}: your complaint has been resolved.{note}\n"
            "If the problem is still there, reply to this message or type: status {ticket}"
        ),
        "direct": "Message from our staff:\n{text}",
    },
}


def _lang(language: str | None) -> str:
    return language if language in TEMPLATES else "id"


def status_name(status: str, language: str | None) -> str:
    return STATUS_NAMES[_lang(language)].get(status, status)


def reply_text(*, ticket: str | None, text: str, language: str | None) -> str:
    """A staff reply as the customer reads it; without a ticket, a direct message."""
    lang = _lang(language)
    if ticket is None:
        return TEMPLATES[lang]["direct"].format(text=text)
    return TEMPLATES[lang]["reply"].format(ticket=ticket, text=text)


def status_text(*, ticket: str, status: str, text: str, language: str | None) -> str:
    """A public status change as the customer reads it."""
    lang = _lang(language)
    if status == "rejected":
        return TEMPLATES[lang]["rejected"].format(ticket=ticket, text=text)
    if status == "resolved":
        note = f"\n{text}" if text else ""
        return TEMPLATES[lang]["resolved"].format(ticket=ticket, note=note)
    key = "status_note" if text else "status"
    return TEMPLATES[lang][key].format(ticket=ticket, status=status_name(status, lang), text=text)
