"""What subscribers read: notice messages per event, in Indonesian and English, times in WITA."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from outage_notices.policy import WITA

DAYS = {
    "id": ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}
MONTHS = {
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}
KINDS = {
    "id": {
        "planned": "Pemeliharaan terencana",
        "unplanned": "Gangguan air",
        "low_pressure": "Tekanan air rendah",
        "bulk_reduction": "Pengurangan pasokan air",
    },
    "en": {
        "planned": "Planned maintenance",
        "unplanned": "Water disruption",
        "low_pressure": "Low water pressure",
        "bulk_reduction": "Reduced water supply",
    },
}
HEADLINES = {
    "id": {
        "publish": "📢 {kind}: {title}",
        "reminder": "⏰ Pengingat, {when} lagi — {kind}: {title}",
        "start": "🚱 Sedang berlangsung — {kind}: {title}",
        "extend": "⌛ Diperpanjang — {kind}: {title}",
        "restore": "✅ Air sudah mengalir kembali — {title}",
        "cancel": "❎ Dibatalkan — {kind}: {title}",
    },
    "en": {
        "publish": "📢 {kind}: {title}",
        "reminder": "⏰ Reminder, in {when} — {kind}: {title}",
        "start": "🚱 Now under way — {kind}: {title}",
        "extend": "⌛ Extended — {kind}: {title}",
        "restore": "✅ Water supply restored — {title}",
        "cancel": "❎ Cancelled — {kind}: {title}",
    },
}
LABELS = {
    "id": {
        "areas": "Wilayah",
        "start": "Mulai",
        "end": "Perkiraan selesai",
        "unknown": "belum diketahui",
        "cause": "Penyebab",
        "advice": "Yang bisa dilakukan",
        "update": "Kabar terbaru",
        "restored_note": (
            "Di ujung jaringan aliran bisa perlu beberapa jam untuk kembali normal. "
            "Jika air belum mengalir, balas pesan ini."
        ),
        "stop": "Balas BERHENTI untuk berhenti menerima pemberitahuan.",
        "hours": "{n} jam",
        "days": "{n} hari",
        "kecamatan": "Kec.",
        "followup": (
            "Laporan Anda {tickets} terkait gangguan ini. Air di {areas} dinyatakan sudah "
            "mengalir kembali sejak {time}. Di ujung jaringan aliran bisa perlu waktu untuk "
            "kembali normal.\n\nApakah air di tempat Anda sudah mengalir? Balas YA atau TIDAK."
        ),
    },
    "en": {
        "areas": "Areas",
        "start": "Starts",
        "end": "Expected end",
        "unknown": "not yet known",
        "cause": "Cause",
        "advice": "What you can do",
        "update": "Latest update",
        "restored_note": (
            "At the ends of the network it can take a few hours for the flow to return. "
            "If you still have no water, reply to this message."
        ),
        "stop": "Reply STOP to stop these notices.",
        "hours": "{n} hours",
        "days": "{n} days",
        "kecamatan": "Kec.",
        "followup": (
            "Your report {tickets} was linked to this disruption. The water in {areas} has been "
            "declared back since {time}. At the ends of the network the flow can take a while "
            "to return.\n\nIs your water back? Reply YES or NO."
        ),
    },
}
TEMPLATE_KINDS = {"reminder": "reminder", "restore": "restored", "restore_followup": "restored"}


@dataclass(frozen=True, slots=True)
class NoticeFacts:
    """Everything a message about one notice may mention, already looked up."""

    kind: str
    title: str
    area_names: tuple[str, ...]
    starts_at: datetime
    expected_end_at: datetime | None
    cause: str = ""
    advice: str = ""
    update_text: str = ""
    restored_at: datetime | None = None


def format_time(moment: datetime, language: str, tz: ZoneInfo = WITA) -> str:
    """'Senin, 12 Mei 2026 08.00 WITA' / 'Mon 12 May 2026 08:00 WITA'."""
    local = moment.astimezone(tz)
    day = DAYS[language][local.weekday()]
    month = MONTHS[language][local.month - 1]
    if language == "id":
        return f"{day}, {local.day} {month} {local.year} {local:%H.%M} WITA"
    return f"{day} {local.day} {month} {local.year} {local:%H:%M} WITA"


def event_family(event: str) -> str:
    """'reminder_24h' → 'reminder', 'extend_2' → 'extend'."""
    return event.split("_", 1)[0]


def reminder_lead(event: str, language: str) -> str:
    hours = int(event.removeprefix("reminder_").removesuffix("h"))
    labels = LABELS[language]
    if hours % 24 == 0:
        return labels["days"].format(n=hours // 24)
    return labels["hours"].format(n=hours)


def render(facts: NoticeFacts, event: str, language: str, tz: ZoneInfo = WITA) -> str:
    """The message a subscriber gets for one event of a notice."""
    language = language if language in LABELS else "id"
    labels = LABELS[language]
    family = event_family(event)
    when = reminder_lead(event, language) if family == "reminder" else ""
    headline = HEADLINES[language][family].format(
        kind=KINDS[language].get(facts.kind, facts.kind), title=facts.title, when=when
    )
    lines = [headline, "", f"{labels['areas']}: {', '.join(facts.area_names)}"]
    if family == "restore":
        lines.append(labels["restored_note"])
    else:
        end = facts.expected_end_at
        lines.append(f"{labels['start']}: {format_time(facts.starts_at, language, tz)}")
        end_text = format_time(end, language, tz) if end else labels["unknown"]
        lines.append(f"{labels['end']}: {end_text}")
        if facts.cause and family != "cancel":
            lines.append(f"{labels['cause']}: {facts.cause}")
        if facts.advice and family not in {"cancel"}:
            lines.append(f"{labels['advice']}: {facts.advice}")
    if facts.update_text and family in {"extend", "restore", "cancel", "start"}:
        lines.append(f"{labels['update']}: {facts.update_text}")
    lines += ["", labels["stop"]]
    return "\n".join(lines)


def template_for(facts: NoticeFacts, event: str, language: str, tz: ZoneInfo = WITA) -> tuple:
    """The WhatsApp Content template kind and its variables, for outside the 24-hour window."""
    language = language if language in LABELS else "id"
    labels = LABELS[language]
    family = event_family(event)
    kind = TEMPLATE_KINDS.get(family, "notice")
    first = f"{facts.title} ({', '.join(facts.area_names)})"
    if family == "restore":
        second = format_time(facts.restored_at or facts.starts_at, language, tz)
    else:
        end = facts.expected_end_at
        second = (
            f"{format_time(facts.starts_at, language, tz)} – "
            f"{format_time(end, language, tz) if end else labels['unknown']}"
        )
    return kind, {"1": first[:300], "2": second}


def render_followup(
    facts: NoticeFacts, tickets: list[str], language: str, tz: ZoneInfo = WITA
) -> str:
    """The question a linked complainant gets once the disruption is over."""
    language = language if language in LABELS else "id"
    restored = facts.restored_at or facts.starts_at
    return LABELS[language]["followup"].format(
        tickets=", ".join(tickets),
        areas=", ".join(facts.area_names),
        time=format_time(restored, language, tz),
    )
