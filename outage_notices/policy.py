"""The rules a utility sets for notices, taken from its settings once and passed to the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from core.hours import Week
from core.settings import Settings

# The longest body a channel accepts: Telegram's sendMessage and a Twilio WhatsApp body.
CHANNEL_TEXT_LIMITS = {"telegram": 4096, "whatsapp": 1600}


@dataclass(frozen=True, slots=True)
class NoticePolicy:
    tz: ZoneInfo
    short_notice_hours: int
    quiet_hours_start: time
    quiet_hours_end: time
    reminder_hours: str
    # How long after restoration or cancellation a held or missed message is still worth sending.
    stale_after_hours: int = 12
    # The office's opening hours: the clocks of complaints a restoration resolves count in them.
    working_week: Week = field(default_factory=lambda: Settings.model_construct().working_week)
    language: str = "id"  # the utility's language: notes it writes into a complaint's history

    @classmethod
    def from_settings(cls, settings: Settings) -> NoticePolicy:
        """The policy a running service uses: the one place it is built from settings."""
        return cls(
            tz=settings.tz,
            short_notice_hours=settings.short_notice_hours,
            quiet_hours_start=settings.quiet_hours_start,
            quiet_hours_end=settings.quiet_hours_end,
            reminder_hours=settings.reminder_hours_before,
            working_week=settings.working_week,
            language=settings.default_language,
        )

    @classmethod
    def default(cls) -> NoticePolicy:
        """The policy of the settings' defaults (tools and tests that have no environment)."""
        return cls.from_settings(Settings.model_construct())

    def in_quiet_hours(self, moment: datetime) -> bool:
        """Whether a local moment falls in the quiet hours (which may wrap past midnight)."""
        local = moment.astimezone(self.tz).time()
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end


def parse_reminder_hours(value: str) -> list[int]:
    """'24,1' → [24, 1]; raises ValueError on anything else."""
    hours = []
    for part in value.split(","):
        part = part.strip()
        if not part:
            continue
        number = int(part)
        if number <= 0 or number > 24 * 14:
            raise ValueError(f"reminder hours must be between 1 and {24 * 14}, not {number}")
        hours.append(number)
    return sorted(set(hours), reverse=True)
