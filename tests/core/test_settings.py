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
