"""Fixtures for the fuzz targets, and the number of cases each ran, printed after the run."""

from __future__ import annotations

import pytest

from tests.channels.conftest import make_service  # noqa: F401
from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401
from tests.fuzz.hostile import CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    terminalreporter.section("fuzz cases")
    for target, count in sorted(CASES.items()):
        terminalreporter.write_line(f"{target:<24} {count:>6}")
    terminalreporter.write_line(f"{'total':<24} {sum(CASES.values()):>6}")
