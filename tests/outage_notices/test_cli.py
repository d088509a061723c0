"""`kabar-air notice ...`: same rules as the API, errors name the field, nothing half-saved."""

from __future__ import annotations

import pytest
import time_machine
from sqlalchemy import func, select
from sqlmodel import Session
from typer.testing import CliRunner

from db.models import Notice
from outage_notices.cli import build_cli
from outage_notices.scheduled import Dispatcher
from tests.outage_notices.builders import LOK_BAINTAN, POLICY, add_contact, wita

NOW = wita(11, 9)


@pytest.fixture
def cli(engine, settings):
    app = build_cli(lambda: engine, lambda: settings)
    runner = CliRunner()

    def invoke(*args: str):
        with time_machine.travel(NOW, tick=False):
            return runner.invoke(app, list(args))

    return invoke


CREATE = (
    "create",
    "--kind",
    "planned",
    "--title",
    "Ganti katup",
    "--area",
    "63.03.04",
    "--start",
    "2026-05-14 08:00",
    "--end",
    "2026-05-14 16:00",
    "--advice",
    "Tangki di SDN 1",
)


def notices(engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(Notice)).scalar_one()


def test_create_publish_extend_restore_and_show(cli, engine):
    with Session(engine) as session:
        add_contact(session, "ani", LOK_BAINTAN)
    created = cli(*CREATE)
    assert created.exit_code == 0, created.output
    assert "notice #1 created as draft" in created.output
    assert "published: scheduled" in cli("publish", "1").output
    Dispatcher(engine=engine, policy=POLICY).tick(NOW)
    listed = cli("list").output
    assert listed.split("\t")[:4] == ["1", "scheduled", "planned", "2026-05-14 08:00"]
    assert "\t1/0/0/0\tGanti katup" in listed
    shown = cli("show", "1").output
    assert "areas: Kec. Sungai Tabuk" in shown
    assert "Thursday, 14 May 2026 at 08:00 WITA → Thursday, 14 May 2026 at 16:00 WITA" in shown
    assert "targeted 1" in shown and "reminder_24h" in shown
    with time_machine.travel(wita(14, 9), tick=False):
        Dispatcher(engine=engine, policy=POLICY).tick()
    assert cli("update", "1", "--cause", "Katup bocor", "--note", "info baru").exit_code == 0


def test_invalid_input_names_the_field_and_option_and_saves_nothing(cli, engine):
    end_first = cli(*CREATE[:-4], "--end", "2026-05-13 08:00")
    assert end_first.exit_code == 2
    assert "expected_end_at (--end): Waktu selesai harus sesudah waktu mulai." in end_first.output
    unknown = cli(*[arg if arg != "63.03.04" else "Atlantis" for arg in CREATE])
    assert "areas (--area): Daerah 'Atlantis' tidak dikenal." in unknown.output
    not_a_time = cli(*[arg if arg != "2026-05-14 08:00" else "besok pagi" for arg in CREATE])
    assert "starts_at (--start): Waktu mulai bukan tanggal dan jam yang sah" in not_a_time.output
    too_long = cli(*CREATE, "--cause", "pipa " * 400)
    assert "cause (--cause)" in too_long.output and "1600" in too_long.output
    assert notices(engine) == 0


def test_short_notice_needs_the_confirm_flag(cli):
    cli(*[arg if arg != "2026-05-14 08:00" else "2026-05-12 08:00" for arg in CREATE[:-4]])
    refused = cli("publish", "1")
    assert refused.exit_code == 2
    assert "confirm_short_notice (--confirm-short-notice)" in refused.output
    confirmed = cli("publish", "1", "--confirm-short-notice")
    assert "published: scheduled (short notice)" in confirmed.output


def test_restoring_a_cancelled_notice_is_refused(cli):
    cli(*CREATE)
    cli("publish", "1")
    assert "cancelled" in cli("cancel", "1", "--text", "Ditunda").output
    refused = cli("restore", "1")
    assert refused.exit_code == 2
    assert "Pemberitahuan ini dibatalkan; tidak bisa dinyatakan pulih." in refused.output


def test_list_filters_by_status_and_names_the_statuses_it_knows(cli):
    assert cli(*CREATE).exit_code == 0
    assert cli("list", "--status", "draft").output.startswith("1\tdraft\t")
    assert cli("list", "--status", "scheduled").output == ""
    unknown = cli("list", "--status", "bogus")
    assert unknown.exit_code == 2
    assert "'bogus' is not one of 'draft', 'scheduled', 'ongoing'" in " ".join(
        unknown.output.replace("│", " ").split()
    )


def test_unknown_notice(cli):
    missing = cli("show", "42")
    assert missing.exit_code == 1 and "Pemberitahuan #42 tidak ada." in missing.output


def test_rotation_add_and_list(cli):
    added = cli(
        "rotation",
        "add",
        "--area",
        "Tatah Bangkal",
        "--days",
        "Mon,Wed,Fri",
        "--from",
        "05:00",
        "--until",
        "11:00",
        "--valid-from",
        "2026-05-01",
        "--valid-until",
        "2026-05-31",
    )
    assert added.exit_code == 0, added.output
    assert "rotation #1 added for 63.03.19.2001" in added.output
    assert (
        "63.03.19.2001\t0,2,4\t05:00-11:00\t2026-05-01..2026-05-31"
        in cli("rotation", "list").output
    )
    bad = cli(
        "rotation",
        "add",
        "--area",
        "Tatah Bangkal",
        "--days",
        "kapan2",
        "--from",
        "5",
        "--until",
        "11:00",
        "--valid-from",
        "2026-05-01",
        "--valid-until",
        "2026-05-31",
    )
    assert bad.exit_code == 2 and "start_time (--from)" in bad.output
