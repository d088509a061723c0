"""`accounts/actions.py`: one way to act — audited once, under one name, whichever door."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlmodel import Session, col
from typer.testing import CliRunner

from accounts.actions import Door, Target, perform
from accounts.audit import AuditAction
from core.errors import DomainError
from db.models import AuditLog, Notice
from db.types import utcnow
from outage_notices.cli import build_cli
from tests.outage_notices.builders import new_notice
from tests.staff.factories import add_staff, api_token, console_app, csrf_of, signed_in


def audit_rows(engine) -> list[AuditLog]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditLog).order_by(col(AuditLog.id))))


def test_perform_does_audits_and_commits(engine):
    staff = add_staff(engine, "eddy", "editor")
    with Session(engine, expire_on_commit=False) as session:
        notice = perform(
            session=session,
            staff=staff,
            action=AuditAction.notice_create,
            target=lambda made: Target("notice", made.id),
            do=lambda: new_notice(session, now=utcnow()),
            detail=lambda made: {"title": made.title},
            door=Door.console,
            ip="10.0.0.9",
            now=utcnow(),
        )
    [row] = audit_rows(engine)
    assert (row.action, row.target_type, row.target_id) == (
        "notice.create",
        "notice",
        str(notice.id),
    )
    assert row.detail == {"title": "Perbaikan pipa transmisi", "via": "console"}
    assert row.staff_id == staff.id and row.ip == "10.0.0.9"


def test_a_refused_action_rolls_back_and_leaves_no_audit_line(engine):
    def refuse() -> None:
        session.add(Notice(kind="planned", title="half-made", starts_at=utcnow()))
        session.flush()
        raise DomainError.of("expected_end_at", "end_after_start")

    with Session(engine) as session:
        with pytest.raises(DomainError) as caught:
            perform(
                session=session,
                staff=None,
                action=AuditAction.notice_create,
                target=Target("notice", None),
                do=refuse,
                door=Door.cli,
                now=utcnow(),
            )
        assert session.scalars(select(Notice)).all() == []
    assert caught.value.messages("id") == {
        "expected_end_at": "Waktu selesai harus sesudah waktu mulai."
    }
    assert audit_rows(engine) == []


def test_publishing_is_audited_under_one_name_from_console_api_and_cli(settings, engine):
    settings = settings.model_copy(update={"admin_api_token": SecretStr("bootstrap-secret")})
    with Session(engine, expire_on_commit=False) as session:
        drafts = [new_notice(session, now=utcnow()).id for _ in range(3)]
    app = console_app(settings, engine)
    console = signed_in(app, engine, "eddy", "editor")
    token = csrf_of(console.get(f"/staff/notices/{drafts[0]}").text)
    published = console.post(f"/staff/notices/{drafts[0]}/publish", data={"csrf_token": token})
    assert published.status_code == 200
    api = TestClient(
        app,
        headers={
            "Authorization": f"Bearer {api_token(engine, add_staff(engine, 'ani', 'editor'))}"
        },
    )
    assert api.post(f"/api/v1/notices/{drafts[1]}/publish").status_code == 200
    cli = CliRunner().invoke(
        build_cli(lambda: engine, lambda: settings), ["publish", str(drafts[2])]
    )
    assert cli.exit_code == 0, cli.output

    published_rows = [row for row in audit_rows(engine) if row.action != AuditAction.login]
    assert [row.action for row in published_rows] == ["notice.publish"] * 3
    assert [row.target_id for row in published_rows] == [str(n) for n in drafts]
    assert [row.detail["via"] for row in published_rows] == ["console", "api", "cli"]
