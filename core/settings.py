"""Every setting of the service, read once from the environment and `.env`."""

from __future__ import annotations

from datetime import time
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me"}


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
    conversation_timeout_minutes: int = 30
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str | None = None
    secret_key: SecretStr = SecretStr("dev-only-secret-key-change-me")
    admin_api_token: SecretStr = SecretStr("")
    log_level: str = "INFO"

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

    outbox_max_attempts: int = 8
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

    @model_validator(mode="after")
    def _no_placeholder_secrets_in_production(self) -> Settings:
        if self.environment == "production":
            key = self.secret_key.get_secret_value()
            if key in PLACEHOLDER_SECRETS or "change-me" in key or len(key) < 32:
                raise ValueError("SECRET_KEY must be set to a long random value in production")
        return self

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
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token.get_secret_value())

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
