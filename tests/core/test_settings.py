"""The documented settings are exactly the real ones, and bad values are refused clearly."""

from datetime import time
from pathlib import Path

import pytest
from pydantic import ValidationError

from core.settings import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def documented() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def test_env_example_lists_exactly_the_settings():
    assert set(documented()) == {name.upper() for name in Settings.model_fields}


def test_env_example_values_load(tmp_path):
    env = tmp_path / ".env"
    env.write_text(ENV_EXAMPLE.read_text())
    settings = Settings(_env_file=env)
    assert settings.business_hours_start == time(8, 0)
    assert settings.business_weekdays == {0, 1, 2, 3, 4}
    assert settings.tz.key == "Asia/Makassar"


def test_production_refuses_the_placeholder_secret():
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(_env_file=None, environment="production")


def test_unknown_language_is_refused():
    with pytest.raises(ValidationError, match="default_language"):
        Settings(_env_file=None, default_language="fr")


STRONG = "k3Xq9-vLr2_Tz8wPa7Nd4Hs6Jf1Gm5Qc0Yb"  # 36 characters, many different ones


def production(**values):
    return Settings(
        _env_file=None, **({"environment": "Production", "secret_key": STRONG} | values)
    )


def test_the_environment_name_is_read_in_any_case():
    assert production().production
    assert production().environment == "production"
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(_env_file=None, environment=" PRODUCTION ")


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"secret_key": "x" * 64}, "SECRET_KEY"),  # long, but one character
        ({"secret_key": "abcdefgh" * 3}, "SECRET_KEY"),  # short
        ({"admin_api_token": "x"}, "ADMIN_API_TOKEN"),
        ({"admin_api_token": "abababababababababababababababababab"}, "ADMIN_API_TOKEN"),
        (
            {"telegram_bot_token": "123:abc", "telegram_webhook_secret": "a"},
            "TELEGRAM_WEBHOOK_SECRET",
        ),
        ({"telegram_bot_token": "123:abc"}, "PUBLIC_BASE_URL"),  # a channel without https
        ({"public_base_url": "http://air.example.id"}, "PUBLIC_BASE_URL"),
    ],
)
def test_production_refuses_to_start_with_anything_weak(values, named):
    with pytest.raises(ValidationError, match=named):
        production(**values)


def test_production_starts_with_strong_secrets_and_https():
    settings = production(
        admin_api_token=STRONG[::-1],
        telegram_bot_token="123:abc",
        telegram_webhook_secret=STRONG.upper(),
        public_base_url="https://air.example.id",
    )
    assert settings.production_problems() == []


def test_development_accepts_weak_values():
    assert not Settings(_env_file=None, admin_api_token="x", environment="Development").production
