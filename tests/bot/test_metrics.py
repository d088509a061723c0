"""`/metrics` (bot.metrics): Prometheus reads the outbox, the intake and the leases from the
database, and this process's send latency and conversation turns; only from allowed addresses
or with a staff token. And the logs: JSON lines on request, masked, no scheduler chatter.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, time, timedelta

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlmodel import Session

from bot.logs import configure_logging
from tests.channels.conftest import TelegramCustomer, make_service, wait_until  # noqa: F401
from tests.fakes.fixtures import fake_telegram, fake_twilio  # noqa: F401
from tests.outage_notices.builders import add_contact
from tests.staff.factories import add_staff, api_token

TOKEN = "metrics-admin-token-0123456789"
SUNGAI_TABUK = "63.03.04"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape by name and sorted labels."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(scrape: dict, name: str, **labels: str) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_scrape_after_a_fan_out_shows_the_outbox_the_turns_and_the_sender_lease(
    make_service,  # noqa: F811
):
    service = make_service(
        quiet_hours_start=time(0),  # no quiet hours: the test may run at any time of day
        quiet_hours_end=time(0),
        admin_api_token=SecretStr(TOKEN),
    )
    engine = service.engine
    with Session(engine) as session:
        for n in range(12):
            add_contact(session, str(8100 + n), SUNGAI_TABUK)
        for n in range(5):
            add_contact(session, f"whatsapp:+62811000{n:04d}", SUNGAI_TABUK, channel="whatsapp")
    bearer = {"Authorization": f"Bearer {api_token(engine, add_staff(engine, 'prom', 'agent'))}"}

    def scrape() -> dict:
        answer = service.client.get("/metrics", headers=bearer)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith("text/plain")
        return samples(answer.text)

    before = scrape()
    assert value(before, "kabar_air_database_up") == 1
    assert value(before, "kabar_air_outbox_messages", channel="telegram", status="pending") == 0

    admin = {"Authorization": f"Bearer {TOKEN}"}
    now = datetime.now(UTC)
    created = service.client.post(
        "/api/v1/notices",
        headers=admin,
        json={
            "kind": "unplanned",
            "title": "Pipa transmisi bocor",
            "areas": [SUNGAI_TABUK],
            "starts_at": (now - timedelta(minutes=10)).isoformat(),
            "expected_end_at": (now + timedelta(hours=4)).isoformat(),
        },
    )
    assert created.status_code == 201, created.text
    published = service.client.post(
        f"/api/v1/notices/{created.json()['id']}/publish", headers=admin, json={}
    )
    assert published.status_code == 200, published.text

    def all_sent() -> dict | None:
        now = scrape()
        telegram = value(now, "kabar_air_outbox_messages", channel="telegram", status="sent")
        whatsapp = value(now, "kabar_air_outbox_messages", channel="whatsapp", status="sent")
        return now if (telegram, whatsapp) == (12, 5) else None

    after = wait_until(all_sent, 30, "the fan-out sent, as /metrics tells it")
    for channel in ("telegram", "whatsapp"):
        for status in ("pending", "sending", "failed", "unknown"):
            assert value(after, "kabar_air_outbox_messages", channel=channel, status=status) == 0
    sent_seconds = "kabar_air_send_seconds_count"
    for channel, count in (("telegram", 12), ("whatsapp", 5)):
        grown = value(after, sent_seconds, channel=channel, outcome="sent") - value(
            before, sent_seconds, channel=channel, outcome="sent"
        )
        assert grown == count
    holder = service.runtime.channels.sender.holder
    assert value(after, "kabar_air_lease_held", lease="outbox", holder=holder) == 1
    assert value(after, "kabar_air_intake_backlog") == 0

    turns = "kabar_air_conversation_turns_total"
    TelegramCustomer(service, 8100).say("menu")
    assert value(scrape(), turns, channel="telegram") == value(after, turns, channel="telegram") + 1


def test_only_allowed_addresses_or_staff_may_read_it(settings, engine):
    from bot.app import create_app
    from bot.runtime import Runtime

    configured = settings.model_copy(update={"metrics_allow_ips": "127.0.0.1,10.20.0.0/16"})
    app = create_app(configured, runtime=Runtime.start(configured, engine=engine))
    for address, allowed in (("127.0.0.1", True), ("10.20.3.4", True), ("192.0.2.7", False)):
        client = TestClient(app, client=(address, 40000))
        answer = client.get("/metrics")
        assert answer.status_code == (200 if allowed else 401), address
    stranger = TestClient(app, client=("192.0.2.7", 40000))
    wrong = stranger.get("/metrics", headers={"Authorization": "Bearer ka_not-a-token"})
    assert wrong.status_code == 401
    token = api_token(engine, add_staff(engine, "monitor", "agent"))
    right = stranger.get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert right.status_code == 200
    assert "kabar_air_intake_backlog 0.0" in right.text


def test_json_logs_are_one_masked_object_per_line_and_the_scheduler_stays_quiet(capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("INFO", "json")
        logging.getLogger("kabar_air.outbox").warning(
            "Twilio refused %s", "whatsapp:+6281298765432"
        )
        logging.getLogger("apscheduler.executors.default").info(
            'Running job "NoticeScheduler.run" (scheduled at ...)'
        )
        try:
            raise RuntimeError("The 'To' number +6281298765432 is not valid")
        except RuntimeError:
            logging.getLogger("kabar_air.outbox").exception("send failed")
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    lines = capsys.readouterr().err.strip().splitlines()
    entries = [json.loads(line) for line in lines]
    assert [entry["message"] for entry in entries] == [
        "Twilio refused +62 812-****-5432",
        "send failed",
    ]
    assert entries[0]["level"] == "WARNING" and entries[0]["logger"] == "kabar_air.outbox"
    assert "RuntimeError" in entries[1]["exception"]
    assert "98765432" not in "".join(lines)
