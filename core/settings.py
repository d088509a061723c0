"""Every setting of the service, read once from the environment and `.env`."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.hours import Week, parse_working_hours

PLACEHOLDER_SECRETS = {"", "changeme", "change-me"}
MIN_SECRET_LENGTH = 32
MIN_DISTINCT_CHARACTERS = 10  # "aaaa…" or "abababab…" is long but guessable


def weak_secret(value: str) -> bool:
    """Too short, a placeholder, or too few different characters to be random."""
    return (
        value.lower() in PLACEHOLDER_SECRETS
        or "change-me" in value.lower()
        or len(value) < MIN_SECRET_LENGTH
        or len(set(value)) < MIN_DISTINCT_CHARACTERS
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: str = "development"  # development | production
    database_url: str = "sqlite:///./var/kabar-air.db"
    utility_name: str = "PTAM Intan Banjar"
    time_zone: str = "Asia/Makassar"
    ticket_prefix: str = "ADU"
    default_language: str = "id"
    business_days: str = "Mon-Fri"
    business_hours_start: time = time(8, 0)
    business_hours_end: time = time(16, 0)
    # Opening hours of the working calendar; empty: BUSINESS_DAYS from START to END, no break.
    # e.g. "Mon-Thu 08:00-16:00; Fri 08:00-11:30,13:30-16:00" (see docs/complaints.md)
    working_hours: str = ""
    conversation_timeout_minutes: int = 30
    duplicate_complaint_hours: int = 24  # an open complaint this recent is offered, not doubled
    escalate_at_percent: int = 80  # share of a complaint target at which staff are warned
    escalation_interval_seconds: float = 60.0  # how often due escalations are looked for
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = None
    secret_key: SecretStr = SecretStr("dev-only-secret-key-change-me")
    admin_api_token: SecretStr = SecretStr("")
    staff_session_idle_minutes: int = 120  # a console left alone this long signs out
    staff_session_hours: int = 12  # a sign-in lasts at most one long shift
    forwarded_allow_ips: str = "127.0.0.1"  # proxies whose X-Forwarded-For is believed
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"  # json: one object per line
    metrics_allow_ips: str = "127.0.0.1,::1"  # may read /metrics without signing in
    max_request_body_bytes: int = 1024 * 1024  # webhooks have their own, smaller limit
    max_json_depth: int = 32

    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_rate_per_second: float = 30.0
    telegram_rate_per_chat_per_second: float = 1.0

    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_whatsapp_from: str = ""
    twilio_messaging_service_sid: str = ""
    twilio_api_base_url: str | None = None
    twilio_rate_per_second: float = 80.0
    twilio_template_notice_sid: str = ""
    twilio_template_reminder_sid: str = ""
    twilio_template_restored_sid: str = ""
    twilio_template_complaint_update_sid: str = ""
    twilio_template_satisfaction_sid: str = ""  # the rating question after a resolution

    # What customers send besides text (channels/media.py): where files go, and what is taken
    media_dir: Path = Path("var/media")
    media_max_bytes: int = 10 * 1024 * 1024
    media_types: str = (
        "image/jpeg,image/png,image/webp,audio/ogg,audio/opus,audio/mpeg,audio/mp4,"
        "audio/amr,application/pdf"
    )

    outbox_max_attempts: int = 8
    outbox_after_crash: Literal["hold", "resend"] = "hold"  # see docs/channels.md
    quiet_hours_start: time = time(21, 0)
    quiet_hours_end: time = time(5, 0)
    reminder_hours_before: str = "24,1"
    short_notice_hours: int = 48

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in {"id", "en"}:
            raise ValueError("default_language must be 'id' or 'en'")
        return value

    @field_validator("escalate_at_percent")
    @classmethod
    def _a_share(cls, value: int) -> int:
        if not 1 <= value <= 99:
            raise ValueError("escalate_at_percent must be between 1 and 99")
        return value

    @field_validator("environment")
    @classmethod
    def _environment_name(cls, value: str) -> str:
        return value.strip().lower()

    @model_validator(mode="after")
    def _nothing_weak_in_production(self) -> Settings:
        if self.production:
            problems = self.production_problems()
            if problems:
                raise ValueError("refusing to start in production: " + "; ".join(problems))
        return self

    def production_problems(self) -> list[str]:
        """What production refuses: weak secrets, and channels without an https public URL."""
        problems = []
        if weak_secret(self.secret_key.get_secret_value()):
            problems.append("SECRET_KEY must be a long random value (32+ characters)")
        admin_token = self.admin_api_token.get_secret_value()
        if admin_token and weak_secret(admin_token):
            problems.append("ADMIN_API_TOKEN must be empty or a long random value")
        webhook_secret = self.telegram_webhook_secret.get_secret_value()
        if self.telegram_enabled and webhook_secret and weak_secret(webhook_secret):
            problems.append("TELEGRAM_WEBHOOK_SECRET must be empty or a long random value")
        public = (self.public_base_url or "").lower()
        if (public or self.telegram_enabled or self.whatsapp_enabled) and not public.startswith(
            "https://"
        ):
            problems.append("PUBLIC_BASE_URL must be the service's https:// address")
        return problems

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def allowed_media_types(self) -> frozenset[str]:
        """MEDIA_TYPES as a set of lower-case content types."""
        return frozenset(t.strip().lower() for t in self.media_types.split(",") if t.strip())

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @property
    def business_weekdays(self) -> set[int]:
        """Weekday numbers (Mon=0) from a 'Mon-Fri' or 'Mon,Tue,Sat' setting."""
        names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        days: set[int] = set()
        for part in self.business_days.lower().split(","):
            first, _, last = part.strip().partition("-")
            start = names.index(first[:3])
            end = names.index(last[:3]) if last else start
            days.update(range(start, end + 1))
        return days

    @property
    def working_hours_text(self) -> str:
        """WORKING_HOURS, or the BUSINESS_* settings written the same way."""
        if self.working_hours.strip():
            return self.working_hours
        start, end = (f"{t:%H:%M}" for t in (self.business_hours_start, self.business_hours_end))
        return f"{self.business_days} {start}-{end}"

    @property
    def working_week(self) -> Week:
        """The opening hours of each weekday (Mon=0) as (open, close) ranges."""
        return parse_working_hours(self.working_hours_text)

    @field_validator("working_hours")
    @classmethod
    def _readable_hours(cls, value: str) -> str:
        if value.strip():
            parse_working_hours(value)  # a ValueError names what is wrong
        return value

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token.get_secret_value())

    @property
    def twilio_templates(self) -> dict[str, str]:
        """Approved WhatsApp templates by kind, for messages outside the 24-hour window."""
        return {
            "notice": self.twilio_template_notice_sid,
            "reminder": self.twilio_template_reminder_sid,
            "restored": self.twilio_template_restored_sid,
            "complaint_update": self.twilio_template_complaint_update_sid,
            "satisfaction": self.twilio_template_satisfaction_sid,
        }

    @property
    def whatsapp_enabled(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token.get_secret_value())

    def sqlite_path(self) -> Path | None:
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and ":memory:" not in self.database_url:
            return Path(self.database_url[len(prefix) :])
        return None


@lru_cache
def get_settings() -> Settings:
    return Settings()
